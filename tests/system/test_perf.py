# SPDX-License-Identifier: MIT
"""storlab perf against storlab-tgt: the JSON report is complete (fio's field
names and ours, storlab(1)) and consistent with itself and with the target's
own vhost_get_controller_stats; request size ranges and splits; --verify
passing on a good device and failing on one that loses writes."""

import json
import math

from conftest import CLI_BIN, assert_int, interrupt, need_binary, requests_total
from peers import bad_backend_factory  # noqa: F401

BS = 4096
QD = 8
QUEUES = 2

# fio's names that dashboards read, and the ones storlab(1) adds.
DIR_KEYS = ("io_bytes", "io_kbytes", "bw_bytes", "bw", "iops", "runtime", "total_ios", "errors",
            "clat_ns", "iops_series", "bw_bytes_series")
CLAT_KEYS = ("min", "max", "mean", "stddev", "N", "percentile")
PERCENTILES = ("1.000000", "5.000000", "10.000000", "20.000000", "30.000000", "40.000000",
               "50.000000", "60.000000", "70.000000", "80.000000", "90.000000", "95.000000",
               "99.000000", "99.500000", "99.900000", "99.950000", "99.990000")
JOB_KEYS = ("jobname", "error", "elapsed", "job options", "read", "write", "usr_cpu", "sys_cpu",
            "cpu_ns_per_io", "threads")
VERIFY_KEYS = ("seed", "blocks_written", "blocks_unknown", "blocks_checked", "checked_in_run",
               "mismatches", "errors")
MISMATCH_KEYS = ("phase", "lba", "fault", "byte", "expected_seq", "found")


def perf(storlab, uri, *args):
    return storlab.json("perf", "--target", uri, "--bs", BS, "--iodepth", QD, "--queues",
                        QUEUES, "--output-format", "json", *args, timeout=60)


def check_dir(d, name, elapsed, bs=(BS, BS)):
    """One direction: every field, and the series summing to the totals.
    bs: the smallest and largest request size."""
    assert set(d) == set(DIR_KEYS), (name, sorted(d))
    clat = d["clat_ns"]
    assert set(clat) == set(CLAT_KEYS), (name, sorted(clat))
    assert set(clat["percentile"]) == set(PERCENTILES), (name, sorted(clat["percentile"]))
    for k in ("total_ios", "io_bytes", "errors"):
        assert_int(d[k], "%s.%s" % (name, k))
    assert d["errors"] == 0, d
    assert clat["N"] == d["total_ios"], (name, clat["N"], d["total_ios"])
    if bs[0] == bs[1] or not d["total_ios"]:
        assert d["io_bytes"] == d["total_ios"] * bs[0], d
    else:  # bytes are summed per request
        assert d["io_bytes"] % bs[0] == 0, d
        assert bs[0] * d["total_ios"] < d["io_bytes"] < bs[1] * d["total_ios"], (bs, d)
    # One entry per second begun; each completion in exactly one of them.
    want_len = int(elapsed) + (elapsed > int(elapsed))
    assert len(d["iops_series"]) == len(d["bw_bytes_series"]) == want_len, (name, elapsed, d)
    assert sum(d["iops_series"]) == d["total_ios"], (name, d["iops_series"], d["total_ios"])
    assert sum(d["bw_bytes_series"]) == d["io_bytes"], name
    if d["total_ios"]:
        pct = [clat["percentile"][p] for p in PERCENTILES]
        assert clat["min"] <= pct[0] and pct == sorted(pct) and pct[-1] <= clat["max"], clat
        # Every whole second of the window did work.
        assert all(n > 0 for n in d["iops_series"][:int(elapsed)]), d["iops_series"]


def check_job(r, elapsed_max, bs=(BS, BS), verify=False):
    job = r["jobs"][0]
    assert set(job) == set(JOB_KEYS + (("verify",) if verify else ())), sorted(job)
    assert 0 < job["elapsed"] <= elapsed_max, job["elapsed"]
    for name in ("read", "write"):
        check_dir(job[name], name, job["elapsed"], bs)
    assert job["usr_cpu"] + job["sys_cpu"] > 0, job
    assert job["cpu_ns_per_io"] > 0, job
    return job


def test_randrw_matches_target_stats(tgt, storlab, workdir):
    """randrw 70/30 on a null bdev: the split follows --rwmixread, the target
    saw every I/O perf counts (plus at most the ones in flight at the end),
    and --histogram-out holds the same counts as the report."""
    tgt.rpc("bdev_null_create", "Null0", 64, 512)
    uri = tgt.controller("perf.0", "Null0", num_queues=QUEUES)
    before = tgt.counters("perf.0")
    hist = workdir / "hist.json"
    r = perf(storlab, uri, "--rw", "randrw", "--rwmixread", 70, "--time", 2,
             "--histogram-out", hist)
    job = check_job(r, 2.5)
    rd, wr = job["read"], job["write"]
    total = rd["total_ios"] + wr["total_ios"]
    assert total > 1000, job
    assert abs(rd["total_ios"] / total - 0.70) < 0.03, (rd["total_ios"], wr["total_ios"])
    assert job["job options"]["rwmixread"] == "70"

    delta = tgt.delta("perf.0", before)
    seen = {k: sum(q[k] for q in delta) for k in ("read", "write", "bytes_read",
                                                  "bytes_written", "errors")}
    inflight = QD * QUEUES  # drained after the window, not measured
    assert rd["total_ios"] <= seen["read"] <= rd["total_ios"] + inflight, (seen, rd["total_ios"])
    assert wr["total_ios"] <= seen["write"] <= wr["total_ios"] + inflight, (seen, wr["total_ios"])
    assert seen["read"] + seen["write"] <= total + inflight, seen
    assert seen["bytes_read"] == seen["read"] * BS and seen["errors"] == 0, seen
    assert sum(requests_total(q) for q in tgt.stats("perf.0")["queues"]) >= total

    h = json.loads(hist.read_text())
    for name in ("read", "write"):
        buckets = h[name]["buckets"]
        assert h[name]["N"] == job[name]["total_ios"] == sum(b["count"] for b in buckets)
        lows = [b["low_ns"] for b in buckets]
        assert lows == sorted(lows) and all(b["low_ns"] <= b["high_ns"] for b in buckets)
        assert buckets[0]["low_ns"] <= job[name]["clat_ns"]["min"] <= buckets[0]["high_ns"]
        assert buckets[-1]["low_ns"] <= job[name]["clat_ns"]["max"] <= buckets[-1]["high_ns"]


def test_ramp_rate_and_sequential_writes(tgt, storlab):
    """A malloc bdev: sequential writes (rw with --rwmixread 0) paced to
    --rate-iops after a ramp the report leaves out but the target saw."""
    tgt.malloc("Malloc0", size_mb=16)
    uri = tgt.controller("perf.1", "Malloc0", num_queues=QUEUES)
    before = tgt.counters("perf.1")
    r = perf(storlab, uri, "--rw", "rw", "--rwmixread", 0, "--time", 2, "--ramp", 1,
             "--rate-iops", 2000)
    job = check_job(r, 2.5)
    wr = job["write"]
    assert job["read"]["total_ios"] == 0, job["read"]
    assert 1800 <= wr["iops"] <= 2200, wr["iops"]
    assert all(1700 <= n <= 2300 for n in wr["iops_series"][:2]), wr["iops_series"]
    delta = tgt.delta("perf.1", before)
    seen = sum(q["write"] for q in delta)
    # The ramp's second of writes reached the target, not the report.
    assert seen >= wr["total_ios"] + 1500, (seen, wr["total_ios"])
    assert sum(q["read"] for q in delta) == 0


def test_bad_knobs(storlab):
    for args in (("--rwmixread", "101"), ("--ramp", "-1"), ("--rate-iops", "0"),
                 ("--rw", "trim"), ("--bs", "4k-2k"), ("--bs", "3000"),
                 ("--bssplit", "4k/60:8k/60"), ("--bssplit", "4k/50:6k/50")):
        p = storlab("perf", "--target", "vhost-user-blk:/nonexistent", *args, rc=2)
        assert "bad value" in p.stderr, p.stderr
    p = storlab("perf", "--target", "vhost-user-blk:/nonexistent", "--bs", "4k", "--bssplit",
                "4k/50:8k/50", rc=2)
    assert "--bs and --bssplit" in p.stderr, p.stderr
    # --verify checks what the same run wrote: a workload without writes is refused.
    for args in (("--rw", "randread"), ("--rw", "randrw", "--rwmixread", "100")):
        p = storlab("perf", "--target", "vhost-user-blk:/nonexistent", "--verify", *args, rc=2)
        assert "--verify checks what the run writes" in p.stderr, p.stderr


def size_stats(sizes):
    """Mean and standard deviation of one request's size, sizes {bytes: probability}."""
    mean = sum(b * p for b, p in sizes.items())
    return mean, math.sqrt(sum(p * (b - mean) ** 2 for b, p in sizes.items()))


def check_sizes(ios, nbytes, sizes, what):
    """The mean request size over ios requests is the distribution's, within
    6 standard deviations of the mean of ios draws."""
    mean, sd = size_stats(sizes)
    tol = 6 * sd / math.sqrt(ios)
    assert abs(nbytes / ios - mean) <= tol, "%s: mean size %.0f over %d requests, expected " \
        "%.0f +- %.0f" % (what, nbytes / ios, ios, mean, tol)


RANGE = {4096 * k: 1 / 16 for k in range(1, 17)}    # --bs 4k-64k
SPLIT = {4096: 0.7, 65536: 0.3}                      # --bssplit 4k/70:64k/30


def test_bs_range_and_split_match_target_stats(tgt, storlab):
    """--bs 4k-64k and --bssplit 4k/70:64k/30 on a null bdev: the report says
    what was asked, bytes are counted per request, the mean request size is
    the distribution's, and the target saw the same requests and bytes (plus
    at most the ones in flight at the end)."""
    tgt.rpc("bdev_null_create", "Null1", 64, 512)
    uri = tgt.controller("perf.2", "Null1", num_queues=QUEUES)
    for opt, spec, shown, sizes in (("--bs", "4k-64k", ("bs", "4096-65536"), RANGE),
                                    ("--bssplit", "4k/70:64k/30",
                                     ("bssplit", "4096/70:65536/30"), SPLIT)):
        before = tgt.counters("perf.2")
        r = storlab.json("perf", "--target", uri, opt, spec, "--rw", "randrw", "--iodepth", QD,
                         "--queues", QUEUES, "--time", 1, "--output-format", "json",
                         timeout=60)
        job = check_job(r, 1.5, bs=(4096, 65536))
        opts = job["job options"]
        assert opts.get(shown[0]) == shown[1], opts
        assert ("bssplit" if shown[0] == "bs" else "bs") not in opts, opts
        delta = tgt.delta("perf.2", before)
        inflight = QD * QUEUES
        for name, kind, kbytes in (("read", "read", "bytes_read"),
                                   ("write", "write", "bytes_written")):
            d = job[name]
            assert d["total_ios"] > 1000, (spec, name, d["total_ios"])
            check_sizes(d["total_ios"], d["io_bytes"], sizes, "%s %s" % (spec, name))
            seen = sum(q[kind] for q in delta)
            seen_bytes = sum(q[kbytes] for q in delta)
            assert d["total_ios"] <= seen <= d["total_ios"] + inflight, (spec, name, seen, d)
            assert d["io_bytes"] <= seen_bytes <= d["io_bytes"] + inflight * 65536, (
                spec, name, seen_bytes, d["io_bytes"])
            # The target's own mean size agrees (it counts the drained requests too).
            check_sizes(seen, seen_bytes, sizes, "%s %s at the target" % (spec, name))


def check_verify(v, ok=True):
    assert set(v) == set(VERIFY_KEYS + (() if ok else ("first_mismatch",))), sorted(v)
    for k in VERIFY_KEYS[1:]:
        assert_int(v[k], "verify." + k)
    assert v["seed"].startswith("0x") and len(v["seed"]) == 18, v
    assert v["errors"] == 0, v
    if ok:
        assert v["mismatches"] == 0, v
    else:
        assert v["mismatches"] > 0, v
        assert set(v["first_mismatch"]) == set(MISMATCH_KEYS), v["first_mismatch"]
    return v


def test_verify_passes(tgt, storlab):
    """--verify on a malloc bdev: a mixed random workload of several sizes on
    two threads checks reads during the run, then reads back every block it
    wrote; nothing is wrong, and the exit code says so."""
    tgt.malloc("Malloc1", size_mb=16)
    uri = tgt.controller("perf.3", "Malloc1", num_queues=QUEUES)
    r = storlab.json("perf", "--target", uri, "--rw", "randrw", "--bs", "4k-16k", "--iodepth",
                     QD, "--queues", QUEUES, "--cpus", "0-1", "--size", "1M", "--time", 1,
                     "--verify", "--output-format", "json", timeout=60)
    job = check_job(r, 1.5, bs=(4096, 16384), verify=True)
    assert job["threads"] == 2 and job["job options"]["verify"] == "pattern", job
    v = check_verify(job["verify"])
    # 1 MiB of 4 KiB blocks, written over and over in a second.
    assert v["blocks_written"] == 256, v
    assert v["checked_in_run"] > 1000, v
    # The read-back checks every block written, once.
    # The read-back checks every block written except those that overlapping
    # writes left unknown (they may land in any order and tear a sector).
    assert v["blocks_checked"] - v["checked_in_run"] + v["blocks_unknown"] == \
        v["blocks_written"], v
    assert v["blocks_unknown"] < v["blocks_written"], v

    # Sequential writes over a range away from the device's start: exactly
    # the blocks of --offset/--size are written and read back.
    r = storlab.json("perf", "--target", uri, "--rw", "write", "--bssplit", "4k/50:8k/50",
                     "--offset", "2M", "--size", "512k", "--time", 1, "--verify",
                     "--output-format", "json", timeout=60)
    v = check_verify(check_job(r, 1.5, bs=(4096, 8192), verify=True)["verify"])
    assert v["blocks_written"] == v["blocks_checked"] == 128 and v["checked_in_run"] == 0, v


def test_verify_finds_lost_writes(bad_backend_factory, storlab):  # noqa: F811
    """bad_backend drops-first-block-write answers OK to a write at sector 0
    and does not do it: --verify must find block 0 wrong, say where, and
    exit 1 -- in the read-back after sequential writes, and during the run
    when the workload reads too."""
    bad = bad_backend_factory("drops-first-block-write", size_mb=16, queues=1)
    p = storlab("perf", "--target", bad.uri, "--rw", "write", "--size", "64k", "--iodepth", 4,
                "--time", 1, "--verify", "--output-format", "json", rc=1, timeout=60)
    job = check_job(json.loads(p.stdout), 1.5, verify=True)
    v = check_verify(job["verify"], ok=False)
    m = v["first_mismatch"]
    assert (m["phase"], m["lba"], m["fault"]) == ("readback", 0, "no-stamp"), m
    assert m["found"] is None and m["expected_seq"] > 0, m
    # Block 0 only: the 15 others were written right.
    assert v["blocks_written"] == v["blocks_checked"] == 16 and v["mismatches"] == 1, v

    p = storlab("perf", "--target", bad.uri, "--rw", "randrw", "--size", "64k", "--iodepth", 1,
                "--time", 1, "--verify", rc=1, timeout=60)
    assert "verify: FAILED" in p.stdout, p.stdout
    assert "first mismatch during the run at lba 0 (no-stamp, byte 0)" in p.stdout, p.stdout


def test_knobs_end_to_end(tgt, storlab):
    """Each --rw on its own, event completions, two pinned threads: the
    directions the workload names, and no others, reach the target."""
    tgt.rpc("bdev_null_create", "Null2", 64, 512)
    uri = tgt.controller("perf.4", "Null2", num_queues=QUEUES)
    for rw, reads, writes in (("read", True, False), ("write", False, True),
                              ("randread", True, False), ("randwrite", False, True)):
        before = tgt.counters("perf.4")
        r = perf(storlab, uri, "--rw", rw, "--time", 1, "--completion", "event", "--cpus",
                 "0-1")
        job = check_job(r, 1.5)
        opts = job["job options"]
        assert (opts["rw"], opts["completion"], opts["cpus"]) == (rw, "event", "0,1"), opts
        assert job["threads"] == 2, job
        assert (job["read"]["total_ios"] > 0, job["write"]["total_ios"] > 0) == (reads,
                                                                                 writes), job
        delta = tgt.delta("perf.4", before)
        assert (sum(q["read"] for q in delta) > 0, sum(q["write"] for q in delta) > 0) == (
            reads, writes), delta
        # Queue i on thread i: both queues worked.
        assert all(q["read"] + q["write"] > 0 for q in delta), delta


def test_interrupt_reports_what_ran(tgt, storlab):
    """Ctrl-C ends the window early, as fio's does: the report covers the
    seconds that ran, complete and consistent, and the exit code is 130."""
    tgt.rpc("bdev_null_create", "NullI", 64, 512)
    uri = tgt.controller("perf.i", "NullI", num_queues=QUEUES)
    rc, out, err = interrupt([need_binary(CLI_BIN), "perf", "--target", uri, "--bs", BS,
                              "--iodepth", QD, "--queues", QUEUES, "--time", 60,
                              "--output-format", "json"],
                             lambda p: True, "storlab perf", after=2.5)
    assert rc == 130, "exit %s:\n%s" % (rc, err)
    assert "interrupted after" in err, err
    job = check_job(json.loads(out), 30)
    assert job["elapsed"] >= 1 and job["read"]["total_ios"] > 0, job
