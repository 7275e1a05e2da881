# SPDX-License-Identifier: MIT
"""ci/nightly in its shortest mode against this build: the first run stores
the baseline, the second is compared with it; the HTML report holds the plots
and the verdict; the SQLite history holds both runs, and `storlab perf
history` says the same as the database and the results; a doctored baseline
(today's storlab-tgt figures made to look 10x worse) makes it exit 1 naming
the metric. Mutation runs (ci/mutants' results, given with --mutants-results
so that no mutant is built here) are recorded, scored and plotted, and a
score below its goal fails the night. An A/B run (--base REV, what `make
bench BASE=REV` runs) builds REV's storlab-tgt, measures it in the same
sweep and judges this build against it. vhost-user-scsi and NVMe over
vfio-user run in the same rounds, their points keyed apart from
vhost-user-blk's and set against them (the table's and the report's ratio,
and scsi's goal)."""

import copy
import json
import re
import sqlite3
import statistics
import subprocess

import pytest

from browser import Browser
from conftest import BUILD, CLI_BIN, ROOT, TGT_BIN, assert_no_san, need_binary
from tests.guest import deps as guest_deps

NIGHTLY = ROOT / "ci" / "nightly"
TIMEOUT = 180
LABEL = "perf-qd-sweep randread 4k qd32 q1 read iops"
SCSI_LABEL = "perf-qd-sweep randread 4k qd32 q1 scsi read iops"
SCSI_GOAL = 0.90  # issue 12: vhost-user-scsi within 10 % of vhost-user-blk


def need_peers():
    need_binary(CLI_BIN)
    need_binary(TGT_BIN)
    try:
        guest_deps.qemu_storage_daemon()
    except guest_deps.MissingDependency as e:
        pytest.fail(str(e), pytrace=False)
    p = subprocess.run(["/usr/bin/python3", "-c", "import matplotlib"], capture_output=True)
    if p.returncode:
        pytest.fail("matplotlib not found: install the Debian package python3-matplotlib",
                    pytrace=False)


def nightly(out, *extra):
    p = subprocess.run([str(NIGHTLY), "--short", "--no-build", "--build", str(BUILD),
                        "--out", str(out)] + [str(a) for a in extra],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert_no_san(p.stdout + p.stderr, "ci/nightly")
    return p


def cli_json(*args):
    p = subprocess.run([str(CLI_BIN)] + [str(a) for a in args], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    return json.loads(p.stdout)


def run_dirs(out):
    return sorted(d for d in (out / "runs").iterdir() if d.is_dir())


def subject_values(run_json, qd, ep="tgt"):
    """An endpoint's read IOPS at qd in each round, from a run's results."""
    doc = json.loads(run_json.read_text())
    return [s["result"]["jobs"][0]["read"]["iops"] for sc in doc["scenarios"]
            for s in sc["steps"] if s.get("endpoint") == ep and s["params"]["iodepth"] == qd]


def check_in_browser(browser, page_path, verdict, table_id, metrics):
    """The report in headless Chromium: no console error, the verdict, the
    metrics table with METRICS (or more) rows, and every plot drawn."""
    page = browser.load(page_path)
    assert page.errors == [], page.errors
    assert page.eval("document.getElementById('verdict').textContent") == "verdict: " + verdict
    rows = page.eval("[...document.querySelectorAll('#%s tr')].map(r => "
                     "[...r.cells].map(c => c.textContent))" % table_id)
    assert rows and rows[0][-1] == "verdict" and len(rows) - 1 >= len(metrics), rows[:3]
    assert {r[0] for r in rows[1:]} >= set(metrics), rows
    # Inline SVG: each plot has a size on the page and drawn lines; its
    # text is drawn as glyph paths, named in comments (matplotlib's SVG).
    plots = page.eval("""[...document.querySelectorAll('figure svg')].map(s => {
        const r = s.getBoundingClientRect(), w = document.createTreeWalker(s, 128);
        const said = [];
        while (w.nextNode()) said.push(w.currentNode.data.trim());
        return [r.width, r.height, s.querySelectorAll('path').length, said.join(' | ')]; })""")
    assert len(plots) >= 5, [p[:3] for p in plots]
    assert all(w > 0 and h > 0 and n > 10 for w, h, n, _ in plots), [p[:3] for p in plots]
    assert any("completion latency (us)" in t for *_, t in plots), [p[3][:200] for p in plots]
    assert any("IOPS vs queue depth" in t for *_, t in plots), [p[3][:200] for p in plots]


def mutants_results(path, caught, missed, equivalent=0, rev="r"):
    """A ci/mutants results file: CAUGHT, MISSED and EQUIVALENT mutants."""
    ms = [{"name": "m%d" % i, "area": "config space", "defect": "d%d" % i,
           "verdict": "caught", "caught_by": [{"id": "BLK-RW-021", "config": "ro"}]}
          for i in range(caught)]
    ms += [{"name": "x%d" % i, "area": "multiqueue", "defect": "missed %d" % i,
            "verdict": "missed", "caught_by": []} for i in range(missed)]
    ms += [{"name": "e%d" % i, "area": "multiqueue", "defect": "e", "verdict": "equivalent",
            "caught_by": []} for i in range(equivalent)]
    score = 100.0 * caught / (caught + missed)
    path.write_text(json.dumps({
        "tool": "ci/mutants", "time": "2026-11-23T02:00:00Z", "git_rev": rev,
        "summary": {"total": len(ms), "equivalent": equivalent, "caught": caught,
                    "missed": missed, "score": score, "goal": 95.0, "met": score >= 95},
        "mutants": ms}))
    return path


def test_nightly(tmp_path):
    need_peers()
    out = tmp_path / "nightly"
    db = out / "history.db"

    # First run: no baseline yet, this run becomes it.
    p = nightly(out, "--git-rev", "rev1", "--mutants-results",
                mutants_results(tmp_path / "m1.json", 19, 1, equivalent=2))
    assert p.returncode == 0, p.stdout + p.stderr
    assert "mutation score: 95.0% (19 of 20 caught, goal 95%)" in p.stdout, p.stdout
    assert "no baseline" in p.stdout, p.stdout
    assert (out / "baseline.json").exists()

    # Second run: compared with the first. Short runs on a shared machine may
    # honestly differ, so either verdict is allowed, but it must be reported
    # the same way by the exit code, the output and the report.
    p = nightly(out, "--git-rev", "rev2", "--mutants-results",
                mutants_results(tmp_path / "m2.json", 20, 0))
    assert p.returncode in (0, 1), p.stdout + p.stderr
    verdict = "ok" if p.returncode == 0 else "regressed"
    assert "verdict: %s" % verdict in p.stdout, p.stdout
    page = (out / "report.html").read_text()
    assert 'id="verdict">verdict: %s<' % verdict in page
    # IOPS vs QD, a latency CDF per point (QD 1 and 32), two trends: inline SVG.
    assert page.count("<svg") >= 5, page[:2000]
    assert "perf-qd-sweep: IOPS vs queue depth" in page
    assert "completion latency (us)" in page
    assert 'id="all-metrics"' in page and LABEL in page
    assert "ratio" in page or "[vs qsd]" in page
    assert 'id="mutation-score">mutation score: 100.0% (20 of 20 mutants caught' in page
    assert "mutation score" in page.split('id="mutation-score"')[1]  # its trend plot
    metrics = [m["metric"] for m in json.loads(
        (run_dirs(out)[-1] / "compare.json").read_text())["metrics"]]
    # vhost-user-scsi's points apart from vhost-user-blk's, and its ratio to them.
    assert SCSI_LABEL in metrics and SCSI_LABEL + " [vs tgt]" in metrics, metrics
    assert LABEL + " [scsi]" not in metrics and LABEL + " [vs scsi]" not in metrics, metrics
    with Browser(tmp_path) as b:
        check_in_browser(b, out / "report.html", verdict, "all-metrics", metrics)
    # Both mutation runs, with the revision of the night that recorded them.
    runs = cli_json("perf", "history", "--db", db, "mutants", "--json")["runs"]
    assert [(r["git_rev"], r["caught"], r["missed"], r["equivalent"], r["score"])
            for r in runs] == [("rev1", 19, 1, 2, 95.0), ("rev2", 20, 0, 0, 100.0)], runs

    # The history: two runs, as the database, list --json and show tell it.
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT id, git_rev, verdict FROM runs ORDER BY id").fetchall()
    assert [r[1:] for r in rows] == [("rev1", "no baseline"), ("rev2", verdict)], rows
    listed = cli_json("perf", "history", "--db", db, "list", "--json")["runs"]
    assert [(r["id"], r["git_rev"], r["verdict"]) for r in listed] == rows
    assert all(r["repeats"] == 2 for r in listed), listed
    shown = cli_json("perf", "history", "--db", db, "show", LABEL, "--json")
    assert [r["run_id"] for r in shown["runs"]] == [r[0] for r in rows]
    for point, d in zip(shown["runs"], run_dirs(out)):
        values = subject_values(d / "run.json", 32)
        assert len(values) == 2
        assert point["median"] == pytest.approx(statistics.median(values), rel=1e-9)
    text = subprocess.run([str(CLI_BIN), "perf", "history", "--db", str(db), "show", LABEL],
                          capture_output=True, text=True, timeout=60)
    assert text.returncode == 0 and "trend: " in text.stdout and "rev2" in text.stdout, \
        text.stdout + text.stderr

    # A baseline where storlab-tgt was 10x faster than its best round today,
    # in every round (no spread to hide behind): today regressed, exit 1.
    base = json.loads((out / "baseline.json").read_text())
    doctored = copy.deepcopy(base)
    today = {qd: max(subject_values(run_dirs(out)[-1] / "run.json", qd)) for qd in (1, 32)}
    for sc in doctored["scenarios"]:
        for s in sc["steps"]:
            if s.get("endpoint") == "tgt" and "result" in s:
                s["result"]["jobs"][0]["read"]["iops"] = 10 * today[s["params"]["iodepth"]]
    (tmp_path / "doctored.json").write_text(json.dumps(doctored))
    p = nightly(out, "--git-rev", "rev3", "--baseline", tmp_path / "doctored.json",
                "--mutants-results", mutants_results(tmp_path / "m3.json", 18, 2))
    assert p.returncode == 1, p.stdout + p.stderr
    assert "REGRESSED %s:" % LABEL in p.stdout, p.stdout
    assert "MUTATION SCORE below the goal: missed x0, x1" in p.stdout, p.stdout
    missed = (out / "report.html").read_text().split('id="missed-mutants"')[1]
    assert "x0" in missed and "missed 1" in missed.split("</table>")[0]
    page = (out / "report.html").read_text()
    regressions = page.split('id="regressions"')[1].split("</table>")[0]
    assert LABEL in regressions and "regressed" in regressions
    with Browser(tmp_path / "again") as b:
        check_in_browser(b, out / "report.html", "regressed", "regressions", [LABEL])
    # The stored baseline was not touched by a run given another one.
    assert json.loads((out / "baseline.json").read_text()) == base


def test_bench_kinds(tmp_path):
    """--bench (what `make bench` runs), QD 32 only: vhost-user-scsi and NVMe
    over vfio-user measured in the same rounds as vhost-user-blk; the table
    and the report give their IOPS over blk's, round by round, and for scsi
    whether the median meets the goal (issue 12; NVMe has none)."""
    need_peers()
    out = tmp_path / "bench"
    p = nightly(out, "--bench", "-D", "qds=32")
    assert p.returncode == 0, p.stdout + p.stderr
    run = run_dirs(out)[-1] / "run.json"
    scsi, blk = subject_values(run, 32, "scsi"), subject_values(run, 32)
    assert len(scsi) == len(blk) == 2 and min(scsi) > 0, (scsi, blk)
    ratios = [a / b for a, b in zip(scsi, blk)]
    med = statistics.median(ratios)
    # The first column is as wide as its longest label (the nvme ratio's).
    assert re.search(r"^storlab-tgt \(scsi\) +32  ", p.stdout, re.M), p.stdout
    row = re.search(r"^scsi / tgt blk +32  %s" % re.escape(
        "%.2fx [%.2f-%.2f]" % (med, min(ratios), max(ratios))), p.stdout, re.M)
    assert row, p.stdout
    row = row.group(0)
    goal = "IOPS goal >= 0.90: %s" % ("met" if med >= SCSI_GOAL else "NOT met")
    assert goal in p.stdout.split(row)[1].split("\n")[0], p.stdout
    table = (out / "report.html").read_text().split('id="kind-ratios"')[1].split("</table>")[0]
    assert "randread 4k qd32 q1 scsi (scsi)" in table, table
    assert "%.2f [%.2f-%.2f]" % (med, min(ratios), max(ratios)) in table, table
    assert "<td>%s</td></tr>" % ("yes" if med >= SCSI_GOAL else "no") in table, table
    nvme = subject_values(run, 32, "nvme")
    assert len(nvme) == 2 and min(nvme) > 0, nvme
    ratios = [a / b for a, b in zip(nvme, blk)]
    assert re.search(r"^storlab-tgt \(nvme\) +32  ", p.stdout, re.M), p.stdout
    row = "nvme-vfio-user / tgt blk   32  %.2fx [%.2f-%.2f]" % (
        statistics.median(ratios), min(ratios), max(ratios))
    assert row in p.stdout, p.stdout
    assert "randread 4k qd32 q1 nvme-vfio-user (nvme)" in table, table


def test_nightly_base(tmp_path):
    """--base HEAD: HEAD's storlab-tgt built apart and measured beside this
    build's in the same rounds; the run split into two sets, one per build,
    each with the peer's runs; perf compare's verdict is the exit code."""
    need_peers()
    out = tmp_path / "ab"
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                         text=True, check=True).stdout.strip()
    p = nightly(out, "--bench", "--base", "HEAD")
    assert p.returncode in (0, 1), p.stdout + p.stderr
    base_tgt = out / "base" / sha[:12] / "build" / "bin" / "storlab-tgt"
    assert base_tgt.is_file(), p.stderr
    run_dir = run_dirs(out)[-1]
    doc = json.loads((run_dir / "run.json").read_text())["scenarios"][0]
    assert [(e["name"], e["type"]) for e in doc["endpoints"]] == [
        ("tgt", "storlab-tgt"), ("base", "storlab-tgt"), ("qsd", "qemu-storage-daemon")]
    assert doc["variables"]["base_tgt"] == str(base_tgt)

    def iops(d, ep, qd=None):
        return [s["result"]["jobs"][0]["read"]["iops"] for s in d["steps"]
                if s.get("endpoint") == ep and qd in (None, s["params"]["iodepth"])]
    # Each side's set holds its own build's runs as the subject, and the peer's.
    for side, ep in (("new", "tgt"), ("base", "base")):
        part = json.loads((run_dir / (side + ".json")).read_text())["scenarios"][0]
        assert [e["name"] for e in part["endpoints"]] == ["tgt", "qsd"]
        assert iops(part, "tgt") == iops(doc, ep) and len(iops(doc, ep)) == 4
        assert iops(part, "qsd") == iops(doc, "qsd")
    cmp = json.loads((run_dir / "compare.json").read_text())
    assert LABEL in [m["metric"] for m in cmp["metrics"]], cmp
    verdict = "ok" if p.returncode == 0 else "regressed"
    assert "verdict: %s" % verdict in p.stdout, p.stdout
    assert "storlab-tgt (base)" in p.stdout, p.stdout
    # The ratio to the base is taken round by round: median [min-max].
    ratios = [a / b for a, b in zip(iops(doc, "tgt", 32), iops(doc, "base", 32))]
    row = "ratio to base          32  %.2fx [%.2f-%.2f]" % (
        statistics.median(ratios), min(ratios), max(ratios))
    assert row in p.stdout, p.stdout
    assert "against the base" in p.stdout and LABEL in p.stdout, p.stdout
    # HEAD serves vfio-user NVMe: its controller is measured against the
    # base's too (scenarios/ab/nvme-qd-sweep.yaml), both sides' runs split.
    nv = json.loads((run_dir / "run.json").read_text())["scenarios"][1]
    assert nv["scenario"] == "perf-nvme-qd-sweep", nv["scenario"]
    assert [e["name"] for e in nv["endpoints"]] == ["tgt", "base"]
    for side, ep in (("new", "tgt"), ("base", "base")):
        part = json.loads((run_dir / (side + ".json")).read_text())["scenarios"][1]
        assert [e["name"] for e in part["endpoints"]] == ["tgt"]
        assert iops(part, "tgt") == iops(nv, ep) and len(iops(nv, ep)) == 4
    assert any("nvme-vfio-user" in m["metric"] for m in cmp["metrics"]), cmp
    assert not (out / "history.db").exists()

    p = nightly(out, "--bench", "--base", "no-such-revision")
    assert p.returncode == 2 and "no-such-revision" in p.stderr, p.stdout + p.stderr


def test_nightly_could_not_run(tmp_path):
    """No storlab in the build directory: exit 2, saying what is missing."""
    p = subprocess.run([str(NIGHTLY), "--short", "--no-build", "--build", str(tmp_path),
                        "--out", str(tmp_path / "out")], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "could not run" in p.stderr and "bin/storlab" in p.stderr, p.stderr


def perf_result(iops):
    """A `storlab perf --output-format json` result of reads, as fio lays it out."""
    pct = {"50.000000": 900, "99.000000": 2000, "99.900000": 4000}
    return {"jobs": [{"job options": {"rw": "randread", "bs": "4096", "iodepth": "32",
                                      "queues": "1"},
                      "read": {"total_ios": 1000, "iops": iops, "bw_bytes": iops * 4096,
                               "clat_ns": {"mean": 1000, "percentile": pct}},
                      "write": {"total_ios": 0}}]}


def history(db, *args, ok=(0,)):
    p = subprocess.run([str(CLI_BIN), "perf", "history", "--db", str(db)] +
                       [str(a) for a in args], capture_output=True, text=True, timeout=60)
    assert_no_san(p.stdout + p.stderr, "storlab perf history")
    assert p.returncode in ok, p.stdout + p.stderr
    return p


def test_history_cli(tmp_path):
    need_binary(CLI_BIN)
    db = tmp_path / "h.db"
    p = history(db, "list", ok=(2,))
    assert "h.db" in p.stderr and "No such file" in p.stderr, p.stderr
    for i, runs in enumerate([[100, 300, 200], [400, 600, 500]]):
        f = tmp_path / ("set%d.json" % i)
        f.write_text(json.dumps([perf_result(v) for v in runs]))
        p = history(db, "record", f, "--git-rev", "r%d" % i, "--machine", "m",
                    "--time", "2026-11-2%dT02:00:00Z" % i)
        assert "recorded run %d" % (i + 1) in p.stdout, p.stdout
    shown = json.loads(history(db, "show", "read iops", "--json").stdout)
    assert shown["better"] == "higher"
    assert [(r["git_rev"], r["median"], r["min"], r["max"], r["repeats"])
            for r in shown["runs"]] == [("r0", 200, 100, 300, 3), ("r1", 500, 400, 600, 3)]
    p = history(db, "show", "read iops")
    assert "trend: \u2581\u2588" in p.stdout and "+150.00%" in p.stdout, p.stdout
    p = history(db, "show", "iops", ok=(2,))
    assert "no run has iops" in p.stderr and "  read iops" in p.stderr, p.stderr
    listed = json.loads(history(db, "list", "--last", "1", "--json").stdout)["runs"]
    assert [(r["git_rev"], r["time"], r["metrics"]) for r in listed] == \
        [("r1", "2026-11-21T02:00:00Z", 6)]
    # Mutation runs: recorded apart from the perf runs, scored, listed.
    p = history(db, "mutants")
    assert "0 mutation run(s)" in p.stdout, p.stdout
    p = history(db, "record-mutants", mutants_results(tmp_path / "m.json", 3, 1, 1, rev="mr"))
    assert "recorded mutation run 1 (5 mutants" in p.stdout, p.stdout
    p = history(db, "mutants")
    assert "mr" in p.stdout and "3/4" in p.stdout and "75.0%!" in p.stdout and "x0" in p.stdout, \
        p.stdout
    assert len(json.loads(history(db, "list", "--json").stdout)["runs"]) == 2
    p = history(db, "record-mutants", tmp_path / "set0.json", ok=(2,))
    assert "not a ci/mutants results file" in p.stderr, p.stderr
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA user_version = 99")
    p = history(db, "list", ok=(2,))
    assert "newer storlab" in p.stderr, p.stderr
