# SPDX-License-Identifier: MIT
"""`storlab perf compare` (storlab(1)) on real `storlab perf` results: a run
set against itself is all noise, a doctored copy with IOPS cut by 30% is a
regression, and files of different workloads cannot be compared.

The run set is one real run and two copies with IOPS 1% above and below it:
real output, but a known spread. Three real short runs on a shared VM can
spread so widely that a 30% cut is honestly "within noise", which would make
this test flaky; the verdict arithmetic on spreads is unit-tested
(tests/unit/perf/test_compare.c)."""

import copy
import json

RUNS = 3


def perf_runs(storlab, uri):
    run = storlab.json("perf", "--target", uri, "--rw", "randread", "--bs", "4k",
                       "--iodepth", "8", "--time", "1", "--output-format", "json", timeout=30)
    runs = [copy.deepcopy(run) for _ in range(RUNS)]
    for r, jitter in zip(runs, (1.0, 1.01, 0.99)):
        r["jobs"][0]["read"]["iops"] *= jitter
    return runs


def write(path, obj):
    path.write_text(json.dumps(obj))
    return path


def test_compare(tgt, storlab, workdir):
    tgt.rpc("bdev_null_create", "Null0", 64, 512)
    uri = tgt.controller("vhost.0", "Null0", num_queues=1)
    runs = perf_runs(storlab, uri)
    base = write(workdir / "base.json", runs)

    # The same runs on both sides: nothing moved.
    r = storlab.json("perf", "compare", base, base, "--json", rc=0)
    assert r["regressed"] == 0 and r["improved"] == 0 and r["ok"] is True, r
    labels = [m["metric"] for m in r["metrics"]]
    assert "read iops" in labels and "read p99" in labels, labels
    assert not any(l.startswith("write") for l in labels), labels  # no writes were done
    for m in r["metrics"]:
        assert m["verdict"] == "within noise" and m["change_pct"] == 0, m
        assert m["base"]["runs"] == RUNS and m["noise_pct"] >= m["threshold_pct"], m

    # IOPS cut by 30% in every run: flagged, and only where it was cut.
    slow = copy.deepcopy(runs)
    for run in slow:
        run["jobs"][0]["read"]["iops"] *= 0.7
    new = write(workdir / "slow.json", slow)
    r = storlab.json("perf", "compare", new, base, "--json", rc=1)
    verdicts = {m["metric"]: m["verdict"] for m in r["metrics"]}
    assert verdicts["read iops"] == "regressed", r
    assert r["regressed"] == 1, verdicts
    p = storlab("perf", "compare", new, base, rc=1)
    assert "regressed" in p.stdout and "read iops" in p.stdout, p.stdout
    # The same, called by its name the other way round, is an improvement.
    r = storlab.json("perf", "compare", base, new, "--json", rc=0)
    assert r["improved"] == 1, r
    # A threshold above the cut lets it through.
    storlab("perf", "compare", new, base, "--threshold", "iops=40", rc=0)

    # One result per side: no spread, the thresholds alone, and it says so.
    one = write(workdir / "one.json", runs[0])
    p = storlab("perf", "compare", one, one, rc=0)
    assert "no spread" in p.stdout, p.stdout

    # A different block size: cannot compare (exit 2), naming the field.
    other = copy.deepcopy(runs)
    for run in other:
        run["jobs"][0]["job options"]["bs"] = "8192"
    p = storlab("perf", "compare", write(workdir / "bs.json", other), base, rc=2)
    assert "bs is 8192 in NEW, 4096 in BASELINE" in p.stderr, p.stderr
    p = storlab("perf", "compare", workdir / "missing.json", base, rc=2)
    assert "missing.json" in p.stderr, p.stderr
    p = storlab("perf", "compare", base, "--threshold", "lat=5", base, rc=2)
    assert "--threshold" in p.stderr, p.stderr
