# SPDX-License-Identifier: MIT
"""storlab scenario run: the documented examples (docs/scenarios.md), the demo,
-D overrides, and malformed files (FILE:LINE:COLUMN, exit 2)."""

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from conftest import CLI_BIN, ROOT, TGT_BIN, assert_no_san, interrupt, need_binary
from tests.guest import deps as guest_deps

DOC = ROOT / "docs" / "scenarios.md"
TIMEOUT = 300


def doc_examples():
    """Every ```yaml block of the doc, with how to test it."""
    blocks = re.findall(r"^```yaml\n(.*?)^```", DOC.read_text(), re.M | re.S)
    assert blocks, "no yaml examples in %s" % DOC
    return [pytest.param(b, b.startswith("# test: run"), id="example%d" % i)
            for i, b in enumerate(blocks)]


def scenario(args, tmp_path=None):
    need_binary(CLI_BIN)
    need_binary(TGT_BIN)
    p = subprocess.run([str(CLI_BIN), "scenario", "run"] + [str(a) for a in args],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert_no_san(p.stdout + p.stderr, "storlab scenario")
    return p


@pytest.mark.parametrize("text,run", doc_examples())
def test_doc_example(tmp_path, text, run):
    f = tmp_path / "example.yaml"
    f.write_text(text)
    p = scenario([f] + ([] if run else ["--dry-run"]))
    assert p.returncode == 0, p.stdout + p.stderr


def test_demo_runs():
    p = scenario([ROOT / "scenarios" / "demo.yaml", "-D", "perf_time=1"])
    assert p.returncode == 0, p.stdout + p.stderr
    assert "demo: all steps passed" in p.stdout
    # Every step of the file ran and passed, the conformance suites included.
    steps = (ROOT / "scenarios" / "demo.yaml").read_text().split("\nsteps:")[1].count("\n  - ")
    assert len(re.findall(r"^\[ *\d+\] ok ", p.stdout, re.M)) == steps, p.stdout
    # The three conformance steps (vhost-user + virtio-blk, virtio-scsi,
    # nvme + vfio-user) failed nothing.
    assert len(re.findall(r"ok +conformance suites? \(.* 0 fail, \d+ n/a, 0 error", p.stdout)) == 3, \
        p.stdout


def test_stock_scenarios_load():
    # The A/B scenarios (make bench BASE=REV) need the base build's target.
    base = {"ab": ["-D", "base_tgt=%s" % TGT_BIN]}
    for f in sorted((ROOT / "scenarios").rglob("*.yaml")):
        p = scenario([f, "--dry-run"] + base.get(f.parent.name, []))
        assert p.returncode == 0, "%s: %s" % (f, p.stderr)
    p = scenario([ROOT / "scenarios" / "ab" / "qd-sweep.yaml", "--dry-run"])
    assert p.returncode != 0 and "'bin' is empty" in p.stderr, p.stderr


def test_define_overrides(tmp_path):
    p = scenario([ROOT / "scenarios" / "demo.yaml", "--dry-run", "-D", "ctrlr=vhost.9",
                  "-Dperf_time=7"])
    assert p.returncode == 0, p.stderr
    assert "${ctrlr} = vhost.9" in p.stdout and "${perf_time} = 7" in p.stdout
    p = scenario([ROOT / "scenarios" / "demo.yaml", "--dry-run", "-D", "nope=1"])
    assert p.returncode == 2 and "no variable 'nope'" in p.stderr


def test_define_reaches_the_target(tmp_path):
    f = tmp_path / "d.yaml"
    f.write_text("name: d\nvariables: {blocks: 4096}\nendpoints:\n"
                 "  - {name: tgt, type: storlab-tgt}\nsteps:\n"
                 "  - rpc: {endpoint: tgt, method: bdev_malloc_create,\n"
                 "          params: {name: M0, num_blocks: \"${blocks}\", block_size: 512}}\n"
                 "  - rpc: {endpoint: tgt, method: bdev_get_bdevs, params: {name: M0}}\n"
                 "  - expect: {field: 0.num_blocks, equals: 2048}\n")
    assert scenario([f]).returncode == 1
    p = scenario([f, "-D", "blocks=2048"])
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.mark.parametrize("text,pos,what", [
    ("name: x\nsteps: [\n", "3:1", "did not find expected"),
    ("name: x\nendpoints:\n  - name: a\n    type: spdk\nsteps: [{sleep: 1}]\n", "4:11",
     "bad value 'spdk' for 'type'"),
    ("name: x\nendpoints: [{name: a, type: socket, path: /s}]\nsteps:\n"
     "  - rpc: {endpoint: b, method: m}\n", "4:21", "undefined endpoint 'b'"),
    ("name: x\nendpoints: [{name: a, type: socket, path: \"${p}\"}]\nsteps: [{sleep: 1}]\n",
     "2:43", "undefined variable 'p'"),
])
def test_malformed(tmp_path, text, pos, what):
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    p = scenario([f])
    assert p.returncode == 2, p.stdout + p.stderr
    assert "%s:%s: %s" % (f, pos, what) in p.stderr, p.stderr


def test_failing_step_names_it(tmp_path):
    f = tmp_path / "fail.yaml"
    f.write_text("name: f\nendpoints: [{name: tgt, type: storlab-tgt}]\nsteps:\n"
                 "  - sleep: 1\n  - rpc: {endpoint: tgt, method: no_such_method}\n"
                 "  - sleep: 1\n")
    p = scenario([f])
    assert p.returncode == 1, p.stdout + p.stderr
    assert re.search(r"^\[2\] FAIL .*\(.*fail\.yaml:5\)$", p.stdout, re.M), p.stdout
    assert "[3]" not in p.stdout


# One storlab-tgt with a 4 MiB malloc bdev behind vhost.0, as a scenario's endpoints.
MALLOC_TGT = ("endpoints:\n  - name: tgt\n    type: storlab-tgt\n    rpc:\n"
              "      - {method: bdev_malloc_create,\n"
              "         params: {name: M0, num_blocks: 8192, block_size: 512}}\n"
              "      - {method: vhost_create_blk_controller,\n"
              "         params: {ctrlr: vhost.0, dev_name: M0}}\n")


def test_results_file(tmp_path):
    """--results: every step with its name, endpoint, matrix values and result;
    perf steps with their workload and latency buckets, in the order they ran."""
    f = tmp_path / "r.yaml"
    out = tmp_path / "r.json"
    f.write_text("name: r\nvariables: {qds: \"1,4\"}\nthresholds: {iops: 7}\n" + MALLOC_TGT +
                 "steps:\n"
                 "  - name: \"r${round} qd${qd}\"\n"
                 "    matrix: {round: \"1..2\", qd: \"${qds}\"}\n"
                 "    io: {endpoint: tgt, controller: vhost.0, op: perf, rw: randrw,\n"
                 "         rwmixread: 70, iodepth: \"${qd}\", time: 0.2}\n"
                 "  - expect: {status: ok}\n")
    p = scenario([f, "--results", out])
    assert p.returncode == 0, p.stdout + p.stderr
    doc = json.loads(out.read_text())
    assert doc["scenario"] == "r" and doc["ok"] is True
    assert doc["thresholds"] == {"iops": 7}
    assert doc["endpoints"] == [{"name": "tgt", "type": "storlab-tgt"}]
    steps = doc["steps"]
    assert [s["name"] for s in steps] == ["r1 qd1", "r1 qd4", "r2 qd1", "r2 qd4", "expect"]
    for s, (rnd, qd) in zip(steps, [("1", 1), ("1", 4), ("2", 1), ("2", 4)]):
        assert s["matrix"] == {"round": rnd, "qd": str(qd)}
        assert s["endpoint"] == "tgt" and s["op"] == "perf" and s["ok"] is True
        assert s["params"]["iodepth"] == qd and s["params"]["rwmixread"] == 70
        job = s["result"]["jobs"][0]
        assert job["read"]["total_ios"] > 0 and job["write"]["total_ios"] > 0
        # The buckets count every read the result counts.
        assert sum(b["count"] for b in s["histogram"]["read"]["buckets"]) == \
            job["read"]["total_ios"]
    assert "result" not in steps[4]
    # The file is a run set of storlab perf compare: itself, within noise.
    c = subprocess.run([str(CLI_BIN), "perf", "compare", str(out), str(out), "--json"],
                       capture_output=True, text=True, timeout=60)
    assert c.returncode == 0, c.stdout + c.stderr
    rows = {r["metric"]: r for r in json.loads(c.stdout)["metrics"]}
    row = rows["r randrw 4k qd4 q1 mix70 write iops"]
    assert row["threshold_pct"] == 7 and row["base"]["runs"] == 2


def test_unknown_threshold(tmp_path):
    f = tmp_path / "t.yaml"
    f.write_text("name: t\nthresholds: {latency: 5}\n"
                 "endpoints: [{name: tgt, type: storlab-tgt}]\nsteps: [{sleep: 1}]\n")
    p = scenario([f, "--dry-run"])
    assert p.returncode == 2, p.stdout + p.stderr
    assert "thresholds: unknown metric 'latency'" in p.stderr


def children_states(pid):
    """{child pid: state letter} of the processes whose parent is pid."""
    states = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            states[int(stat.parent.name)] = fields[0]
    return states


def test_isolate_stops_the_others(tmp_path):
    """While an isolate step runs, the other spawned endpoint is stopped
    (state T); after it, it runs again and answers."""
    need_binary(CLI_BIN)
    need_binary(TGT_BIN)
    f = tmp_path / "iso.yaml"
    f.write_text("name: iso\nendpoints:\n"
                 "  - name: a\n    type: storlab-tgt\n    rpc:\n"
                 "      - {method: bdev_null_create,\n"
                 "         params: {name: N0, num_blocks: 8192, block_size: 512}}\n"
                 "      - {method: vhost_create_blk_controller,\n"
                 "         params: {ctrlr: vhost.0, dev_name: N0}}\n"
                 "  - {name: b, type: storlab-tgt}\n"
                 "steps:\n"
                 "  - io: {endpoint: a, controller: vhost.0, op: perf, time: 2, isolate: true}\n"
                 "  - rpc: {endpoint: b, method: bdev_get_bdevs}\n")
    p = subprocess.Popen([str(CLI_BIN), "scenario", "run", str(f)], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    seen = set()
    try:
        deadline = time.monotonic() + 60
        while p.poll() is None and time.monotonic() < deadline:
            seen |= {s for s in children_states(p.pid).values()}
            time.sleep(0.05)
        out = p.communicate(timeout=60)[0]
    finally:
        if p.poll() is None:
            p.kill()
    assert_no_san(out, "storlab scenario")
    assert p.returncode == 0, out
    assert "T" in seen, "no endpoint was seen stopped: %s\n%s" % (seen, out)


def test_perf_step_bs_range_split_and_verify(tmp_path):
    """A perf step takes what storlab perf takes: a bs range, a bssplit, and
    verify, whose checks fail the step when the device loses a write."""
    f = tmp_path / "v.yaml"
    out = tmp_path / "v.json"
    f.write_text("name: v\n" + MALLOC_TGT + "steps:\n"
                 "  - io: {endpoint: tgt, controller: vhost.0, op: perf, rw: randrw,\n"
                 "         bs: 4k-16k, iodepth: 4, time: 0.3, verify: true}\n"
                 "  - io: {endpoint: tgt, controller: vhost.0, op: perf, rw: randwrite,\n"
                 "         bssplit: 4k/70:16k/30, iodepth: 4, time: 0.3}\n")
    p = scenario([f, "--results", out])
    assert p.returncode == 0, p.stdout + p.stderr
    steps = json.loads(out.read_text())["steps"]
    ranged, split = steps[0], steps[1]
    v = ranged["result"]["jobs"][0]["verify"]
    assert v["mismatches"] == 0 and v["blocks_checked"] > 0, v
    assert ranged["params"]["bs"] == 4096 and ranged["params"]["bs_spec"] == "4096-16384"
    assert split["result"]["jobs"][0]["job options"]["bssplit"] == "4096/70:16384/30"
    assert split["params"]["bs_spec"] == "4096/70:16384/30"
    # verify needs writes; bs and bssplit together are refused.
    for bad_step in ("rw: randread, verify: true", "bs: 4k, bssplit: 4k/100"):
        g = tmp_path / "bad.yaml"
        g.write_text(f.read_text().split("steps:")[0] + "steps:\n  - io: {endpoint: tgt, "
                     "controller: vhost.0, op: perf, time: 0.1, %s}\n" % bad_step)
        p = scenario([g])
        assert p.returncode == 1, p.stdout + p.stderr
    g = tmp_path / "flag.yaml"
    g.write_text(f.read_text().replace("verify: true", "verify: yes"))
    p = scenario([g])
    assert p.returncode == 2 and "'verify'" in p.stderr, p.stdout + p.stderr



@pytest.mark.parametrize("path", sorted((ROOT / "scenarios" / "perf").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_perf_scenario_runs(tmp_path, path):
    """Each perf scenario, one short round: every point measured on each of
    its endpoints in the same order (storlab-tgt first, qemu-storage-daemon
    last; the QD sweep has storlab-tgt's vhost-user-scsi and NVMe over
    vfio-user between them, each reached through its own kind of URI), with
    the same parameters, each doing I/O."""
    try:
        guest_deps.qemu_storage_daemon()
    except guest_deps.MissingDependency as e:
        pytest.fail(str(e), pytrace=False)
    out = tmp_path / "r.json"
    p = scenario([path, "-D", "time=0.2", "-D", "rounds=1", "--results", out])
    assert p.returncode == 0, p.stdout + p.stderr
    steps = json.loads(out.read_text())["steps"]
    order = list(dict.fromkeys(s["endpoint"] for s in steps))
    n = len(order)
    assert n >= 2 and len(steps) >= 3 * n and len(steps) % n == 0, [s["name"] for s in steps]
    if path.stem == "qd-sweep":
        schemes = {s["endpoint"]: s["result"]["jobs"][0]["job options"]["filename"]
                   .split(":")[0] for s in steps}
        assert schemes == {"tgt": "vhost-user-blk", "scsi": "vhost-user-scsi",
                           "nvme": "nvme-vfio-user", "qsd": "vhost-user-blk"}, schemes
    for i in range(0, len(steps), n):
        point = steps[i:i + n]
        assert [s["endpoint"] for s in point] == order, [s["name"] for s in point]
        assert point[0]["endpoint_type"] == "storlab-tgt", point[0]["name"]
        assert point[-1]["endpoint_type"] == "qemu-storage-daemon", point[-1]["name"]
        for s in point:
            assert s["params"] == point[0]["params"], s["name"]
            job = s["result"]["jobs"][0]
            dirs = [d for d in ("read", "write") if job[d]["total_ios"] > 0]
            want = ["read", "write"] if "rwmixread" in s["params"] else ["read"]
            assert dirs == want and all(job[d]["iops"] > 0 for d in dirs), s["name"]


def test_interrupt_stops_paused_endpoints(tmp_path):
    """Ctrl-C during an isolated step: the step ends, no other starts, every
    endpoint is stopped (the one isolate paused too), exit 130."""
    need_binary(TGT_BIN)
    f = tmp_path / "i.yaml"
    f.write_text("name: i\n" + MALLOC_TGT +
                 "  - {name: other, type: storlab-tgt}\n"
                 "steps:\n"
                 "  - io: {endpoint: tgt, controller: vhost.0, op: perf, time: 2,\n"
                 "         isolate: true}\n"
                 "  - sleep: 30000\n")
    eps = []

    def started(p):
        eps[:] = children_states(p.pid)
        return len(eps) >= 2

    rc, out, err = interrupt([CLI_BIN, "scenario", "run", f], started, "the endpoints to start",
                             after=1)   # the perf step runs; 'other' is paused
    assert rc == 130, "exit %s:\n%s%s" % (rc, out, err)
    assert "interrupted" in err and "[2]" not in out, out + err
    assert_no_san(out + err, "storlab scenario")
    for pid in eps:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_crash_step_resumes_requests_in_flight(tmp_path):
    """The stock crash-reconnect scenario: storlab-tgt is killed (SIGKILL)
    halfway through verified writes with requests in flight (a delay bdev
    holds them), restarted on the same file, and the initiator reconnects
    with its in-flight buffer: the requests in flight at the kill complete
    after the restart, none is lost, everything reads back. The kill lands
    halfway: the bytes done then are reported."""
    disk = tmp_path / "disk.img"
    with open(disk, "wb") as f:
        f.truncate(64 << 20)
    out = tmp_path / "r.json"
    p = scenario([ROOT / "scenarios" / "migration" / "crash-reconnect.yaml", "-D",
                  "disk=%s" % disk, "--results", out])
    assert p.returncode == 0, p.stdout + p.stderr
    assert "SIGKILL to the back-end at 50%" in p.stdout + p.stderr
    r = json.loads(out.read_text())["steps"][0]["result"]
    assert r["reconnects"] == 1 and r["lost"] == 0 and r["bad_sectors"] == 0, r
    assert r["resubmitted"] > 0, r
    size = 8 << 20
    assert size * 0.4 <= r["crash_at_bytes"] <= size * 0.7, r
    assert r["bytes_written"] >= size and r["bytes_read"] >= size, r


def test_crash_needs_verify_and_a_started_endpoint(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text(MALLOC_TGT + "name: c\nsteps:\n"
                 "  - io: {endpoint: tgt, controller: vhost.0, op: info, crash: 50}\n")
    p = scenario([f, "--dry-run"])
    assert p.returncode != 0 and "'crash' is for op verify" in p.stderr, p.stderr
    f.write_text(MALLOC_TGT + "name: c\nsteps:\n"
                 "  - io: {endpoint: tgt, controller: vhost.0, op: verify, crash: 100}\n")
    p = scenario([f, "--dry-run"])
    assert p.returncode != 0 and "1 to 99" in p.stderr, p.stderr


# The stride CI samples the stock replay's crash matrix with (-D
# crash_stride): of the shipped trace's 50 front-end messages, the kills
# after 1, 10, 19, ... 46 and 50: SET_OWNER, SET_INFLIGHT_FD, the second
# GET_VRING_BASE (the first is the scenario's crash_after step), the
# destination's set-up and its last message. STORLAB_CRASH_MATRIX=full
# (ci/crash-matrices) runs the whole matrix, as the stock file does.
REPLAY_STRIDE = 9


def test_stock_replay_scenario(tmp_path):
    """The stock replay scenario: the shipped trace (a recorded migration, 2
    rings, requests in flight at the stop) replayed against storlab-tgt on a
    file as it is, with storlab-tgt killed after the first GET_VRING_BASE
    and restarted by the scenario (its set-up calls again), and as a crash
    matrix (in CI a strided sample of it): every invariant holds
    everywhere."""
    disk = tmp_path / "disk.img"
    with open(disk, "wb") as f:
        f.truncate(64 << 20)
    out = tmp_path / "r.json"
    trace = ROOT / "scenarios" / "migration" / "traces" / "two-rings.pcapng"
    stride = 1 if os.environ.get("STORLAB_CRASH_MATRIX") == "full" else REPLAY_STRIDE
    p = scenario([ROOT / "scenarios" / "migration" / "replay.yaml", "-D", "disk=%s" % disk,
                  "-D", "trace=%s" % trace, "-D", "crash_stride=%d" % stride,
                  "--results", out])
    assert p.returncode == 0, p.stdout + p.stderr
    steps = json.loads(out.read_text())["steps"]
    plain, crashed, mx = steps[0]["result"], steps[2]["result"], steps[5]["result"]
    assert plain["ok"] and plain["requests"] > 100 and len(plain["bases"]) == 2, plain
    assert plain["trace"]["connections"] == 2 and plain["trace"]["migration"], plain["trace"]
    assert crashed["crash"] == {"after": "VHOST_USER_GET_VRING_BASE", "nth": 1,
                                "happened": True}, crashed["crash"]
    assert crashed["ok"], crashed["violations"]
    s = mx["summary"]
    assert s["messages"] > 20 and s["stride"] == stride, s
    # Messages 1, 1+stride, ... and the last: each a boundary, each ok.
    picked = list(range(1, s["messages"], stride)) + [s["messages"]]
    assert [r["k"] for r in mx["boundaries"]] == picked, mx["boundaries"]
    assert s["boundaries"] == len(picked) and s["ok"] == s["boundaries"], s
    kills = {(r["after"], r["nth"]) for r in mx["boundaries"]}
    assert {("VHOST_USER_SET_INFLIGHT_FD", 1), ("VHOST_USER_GET_VRING_BASE", 2)} <= kills, kills


def test_replay_step_checked(tmp_path):
    """A replay step's crashes need an endpoint the scenario starts; its
    crash_matrix is a boolean; it needs a trace."""
    f = tmp_path / "r.yaml"
    f.write_text("name: r\nendpoints: [{name: s, type: socket, path: /x.sock}]\nsteps:\n"
                 "  - replay: {trace: t.pcapng, target: s, crash_matrix: true}\n")
    p = scenario([f, "--dry-run"])
    assert p.returncode != 0 and "a socket endpoint is not spawned" in p.stderr, p.stderr
    f.write_text(MALLOC_TGT + "name: r\nsteps:\n"
                 "  - replay: {trace: t.pcapng, target: tgt, target_controller: vhost.0,"
                 " crash_matrix: yes}\n")
    p = scenario([f, "--dry-run"])
    assert p.returncode != 0 and "crash_matrix" in p.stderr, p.stderr
    f.write_text(MALLOC_TGT + "name: r\nsteps:\n"
                 "  - replay: {target: tgt, target_controller: vhost.0}\n")
    p = scenario([f, "--dry-run"])
    assert p.returncode != 0 and "trace" in p.stderr, p.stderr


def test_stock_record_replay_scenario(tmp_path):
    """The stock record-replay scenario: a migrate step with `record` writes
    the migration's trace through the recording proxy (two connections, the
    source's with the dirty log and both rings stopped), and a replay step
    plays it against a second storlab-tgt, every invariant holding."""
    trace = tmp_path / "mig.pcapng"
    out = tmp_path / "r.json"
    p = scenario([ROOT / "scenarios" / "migration" / "record-replay.yaml", "-D",
                  "trace=%s" % trace, "--results", out])
    assert p.returncode == 0, p.stdout + p.stderr
    steps = json.loads(out.read_text())["steps"]
    assert steps[0]["result"]["record"] == {"out": str(trace), "written": True}
    assert steps[0]["result"]["summary"]["failed"] == 0
    replayed = steps[3]["result"]
    assert replayed["ok"] and replayed["requests"] > 100, replayed
    shown = subprocess.run([str(CLI_BIN), "migrate", "show", str(trace), "--json"],
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    msgs = [json.loads(line) for line in shown.stdout.splitlines()]
    msgs = [m for m in msgs if m["type"] == "message" and m["direction"] == "to-backend"]
    assert {m["conn"] for m in msgs} == {1, 2}
    src = [m["request"] for m in msgs if m["conn"] == 1]
    assert "VHOST_USER_SET_LOG_BASE" in src and src.count("VHOST_USER_GET_VRING_BASE") == 2, src
