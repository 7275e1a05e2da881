# SPDX-License-Identifier: MIT
"""storlab perf against storlab-tgt: the JSON report is complete (fio's field
names and ours, storlab(1)) and consistent with itself and with the target's
own vhost_get_controller_stats."""

import json

from conftest import assert_int, requests_total

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


def perf(storlab, uri, *args):
    return storlab.json("perf", "--target", uri, "--bs", BS, "--iodepth", QD, "--queues",
                        QUEUES, "--output-format", "json", *args, timeout=60)


def check_dir(d, name, elapsed):
    """One direction: every field, and the series summing to the totals."""
    assert set(d) == set(DIR_KEYS), (name, sorted(d))
    clat = d["clat_ns"]
    assert set(clat) == set(CLAT_KEYS), (name, sorted(clat))
    assert set(clat["percentile"]) == set(PERCENTILES), (name, sorted(clat["percentile"]))
    for k in ("total_ios", "io_bytes", "errors"):
        assert_int(d[k], "%s.%s" % (name, k))
    assert d["errors"] == 0, d
    assert clat["N"] == d["total_ios"], (name, clat["N"], d["total_ios"])
    assert d["io_bytes"] == d["total_ios"] * BS, d
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


def check_job(r, elapsed_max):
    job = r["jobs"][0]
    assert set(job) == set(JOB_KEYS), sorted(job)
    assert 0 < job["elapsed"] <= elapsed_max, job["elapsed"]
    for name in ("read", "write"):
        check_dir(job[name], name, job["elapsed"])
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
                 ("--rw", "trim")):
        p = storlab("perf", "--target", "vhost-user-blk:/nonexistent", *args, rc=2)
        assert "bad value" in p.stderr, p.stderr
