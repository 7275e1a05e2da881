# SPDX-License-Identifier: MIT
"""`storlab conform`, the runner (docs/man/storlab-conform.md): the three
reports agree with each other, with the summary and with the exit code,
against a storlab-tgt it spawns and one the `tgt` fixture started. The cases
themselves are the suites' business: a few of each suite keep this fast."""

import html as html_lib
import json
import os
import re
import socket
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import CLI_BIN, ROOT, assert_no_san, interrupt, need_binary
from peers import PEER_DIR

PER_SUITE = 3       # cases of each suite run here
VERDICTS = ("pass", "fail", "not_applicable", "error")
JUNIT_CHILD = {"fail": "failure", "error": "error", "not_applicable": "skipped"}


def list_cases(storlab):
    """[(id, level, suite)] from `storlab conform --list`."""
    out = storlab("conform", "--list", timeout=30).stdout
    cases = []
    for line in out.splitlines():
        f = line.split()
        assert len(f) >= 4, "bad --list line: %r" % line
        assert f[1] in ("MUST", "SHOULD", "MAY", "ADVISORY"), line
        cases.append((f[0], f[1], f[2]))
    ids = [c[0] for c in cases]
    assert ids and len(ids) == len(set(ids)), "case IDs missing or not unique: %s" % ids
    return cases


def some_cases(storlab):
    picked, per = [], {}
    for cid, level, suite in list_cases(storlab):
        if per.get(suite, 0) < PER_SUITE:
            per[suite] = per.get(suite, 0) + 1
            picked.append(cid)
    return picked


def case_args(ids):
    return [a for cid in ids for a in ("--case", cid)]


def check_reports(d, ids, rc):
    """The three reports in D describe the same run of exactly IDS, exiting RC."""
    rep = json.loads((d / "report.json").read_text())
    cases = rep["cases"]
    assert [c["id"] for c in cases] == ids, "report.json cases %s, ran %s" % (
        [c["id"] for c in cases], ids)
    for c in cases:
        assert set(c) >= {"id", "suite", "title", "spec", "level", "verdict", "reason", "seconds",
                          "trace"}, c
        assert c["verdict"] in VERDICTS, c
        assert isinstance(c["trace"], list), c
        assert (c["reason"] == "") == (c["verdict"] == "pass"), c
    counts = {v: sum(c["verdict"] == v for c in cases) for v in VERDICTS}
    assert rep["summary"] == dict(counts, total=len(cases)), (rep["summary"], counts)
    must_bad = any(c["level"] == "MUST" and c["verdict"] in ("fail", "error") for c in cases)
    assert rep["exit_code"] == rc == (1 if must_bad else 0), (rep["exit_code"], rc)
    assert int(rep["offered"]["features"]["bits"], 16) != 0, rep["offered"]

    root = ET.parse(d / "junit.xml").getroot()
    assert root.tag == "testsuites"
    testcases = [tc for ts in root.findall("testsuite") for tc in ts.findall("testcase")]
    assert len(testcases) == len(cases)
    by_id = {c["id"]: c for c in cases}
    for tc in testcases:
        cid = tc.get("name").split(":")[0]
        c = by_id[cid]
        assert tc.get("name").startswith(cid + ": "), tc.get("name")
        kids = [k.tag for k in tc]
        want = [JUNIT_CHILD[c["verdict"]]] if c["verdict"] in JUNIT_CHILD else []
        assert kids == want, "%s: junit %s, verdict %s" % (cid, kids, c["verdict"])
        if want:
            assert tc[0].get("message") == c["reason"], (tc[0].get("message"), c["reason"])
    for ts in root.findall("testsuite"):
        n = len(ts.findall("testcase"))
        assert int(ts.get("tests")) == n
        assert int(ts.get("failures")) == len(ts.findall("testcase/failure"))
        assert int(ts.get("errors")) == len(ts.findall("testcase/error"))
        assert int(ts.get("skipped")) == len(ts.findall("testcase/skipped"))

    html = (d / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<link" not in html and "<script" not in html and "src=" not in html
    for c in cases:
        assert 'id="%s"' % c["id"] in html, c["id"]
        if c["verdict"] in ("fail", "error"):
            assert "--case %s" % c["id"] in html, "no reproduce command for %s" % c["id"]
    return rep


def test_spawn_tgt_reports(storlab, workdir):
    ids = some_cases(storlab)
    d = workdir / "rep"
    p = storlab("conform", "--spawn-tgt", "--report-dir", d, *case_args(ids), rc=None,
                timeout=120)
    assert p.returncode in (0, 1), "exit %d:\n%s" % (p.returncode, p.stderr)
    rep = check_reports(d, ids, p.returncode)
    # The summary on stdout is the same tally.
    total = p.stdout.split("\ntotal")[1].split()[:4]
    s = rep["summary"]
    assert list(map(int, total)) == [s["pass"], s["fail"], s["not_applicable"], s["error"]], (
        p.stdout)
    # The target it spawned logged into the report directory, sanitizer-clean.
    assert_no_san((d / "storlab-tgt.log").read_text(), "storlab-tgt (--spawn-tgt)")


def test_external_target_json(storlab, tgt, workdir):
    ids = some_cases(storlab)[:2]
    uri = tgt.controller("vhost.0", tgt.malloc())
    d = workdir / "rep"
    p = storlab("conform", "--target", uri, "--json", "--report-dir", d, *case_args(ids),
                rc=None, timeout=60)
    assert p.returncode in (0, 1), p.stderr
    printed = json.loads(p.stdout)
    rep = check_reports(d, ids, p.returncode)
    assert printed["cases"] == rep["cases"] and printed["target"] == uri
    assert tgt.alive()


def test_cannot_run(storlab, workdir):
    assert "--target" in storlab("conform", rc=2).stderr
    storlab("conform", "--target", "nvme:/x", rc=2)
    p = storlab("conform", "--target", "vhost-user-blk:%s/none.sock" % workdir, rc=2)
    assert "does not answer" in p.stderr
    p = storlab("conform", "--spawn-tgt", "--case", "NO-SUCH-CASE", rc=2)
    assert "NO-SUCH-CASE" in p.stderr


def test_spawn_cmd(storlab, tgt_bin, workdir):
    """--spawn-cmd with a command that needs a wrapper (the shell does not
    exec it): storlab-tgt set up by a script, as a vendor's daemon might be.
    The runner waits for it, reports the command, keeps its log, and stops
    the whole group at the end."""
    script = workdir / "run-tgt.sh"
    rpc = workdir / "rpc.sock"
    script.write_text(
        "#!/bin/sh\n"
        "sock=$1; d=$(dirname \"$sock\")\n"
        "echo $$ > %(w)s/pgid\n"
        "%(tgt)s -m 0x1 -S \"$d\" -r %(rpc)s &\n"
        "for i in $(seq 200); do [ -S %(rpc)s ] && break; sleep 0.05; done\n"
        "%(cli)s rpc -s %(rpc)s bdev_malloc_create -b M0 32 512 >/dev/null\n"
        "%(cli)s rpc -s %(rpc)s vhost_create_blk_controller backend.sock M0 >/dev/null\n"
        "wait\n" % {"w": workdir, "tgt": tgt_bin, "rpc": rpc, "cli": storlab.binary})
    script.chmod(0o755)
    ids = some_cases(storlab)[:2]
    d = workdir / "rep"
    cmd = "%s {sock}" % script
    p = storlab("conform", "--spawn-cmd", cmd, "--report-dir", d, *case_args(ids), rc=None,
                timeout=120)
    assert p.returncode in (0, 1), "exit %d:\n%s" % (p.returncode, p.stderr)
    rep = check_reports(d, ids, p.returncode)
    assert rep["target"] == cmd + " (--spawn-cmd)", rep["target"]
    assert "exited with status" not in p.stderr, p.stderr
    assert_no_san((d / "backend.log").read_text(), "storlab-tgt (--spawn-cmd)")
    # The script and the target it started in the background are both gone.
    pgid = int((workdir / "pgid").read_text())
    with pytest.raises(ProcessLookupError):
        os.killpg(pgid, 0)
    assert not rpc.exists() or not _accepts(rpc)


def _accepts(path):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        s.close()


def test_spawn_cmd_cannot_run(storlab, workdir):
    p = storlab("conform", "--spawn-cmd", "true", rc=2)
    assert "{sock}" in p.stderr
    storlab("conform", "--spawn-cmd", "x {sock}", "--spawn-tgt", rc=2)
    p = storlab("conform", "--spawn-cmd", "echo no >&2; exit 1 # {sock}", "--report-dir",
                workdir / "r", rc=2)
    assert "exited while starting" in p.stderr, p.stderr
    assert "no" in (workdir / "r" / "backend.log").read_text()


def test_both_suites_pass_against_storlab_tgt(storlab, tgt, workdir):
    """The proof that the verdicts hold against our own target: every case of
    both suites that applies passes; a case that does not apply says why. Run
    as a vendor would, through the stock scenario for an existing socket."""
    uri = tgt.controller("vhost.0", tgt.malloc(), num_queues=4)
    d = workdir / "rep"
    stock = ROOT / "scenarios" / "conformance" / "socket.yaml"
    p = storlab("conform", "--target", uri, "--scenario", stock, "--report-dir", d, rc=None,
                timeout=300)
    rep = check_reports(d, [c[0] for c in list_cases(storlab)], p.returncode)
    bad = ["%s: %s" % (c["id"], c["reason"]) for c in rep["cases"]
           if c["verdict"] in ("fail", "error")]
    assert not bad, "\n".join(bad)
    assert p.returncode == 0
    na = [c for c in rep["cases"] if c["verdict"] == "not_applicable"]
    assert na and all(c["reason"] for c in na), na
    assert tgt.alive()


SELECTION = """\
name: a-selection
variables:
  first: VHOST-FEAT-001
  timeout: 700
endpoints:
  - {name: dut, type: socket, path: /nonexistent.sock}
steps:
  - conform: {endpoint: dut, cases: ["${first}", BLK-RW-001],
              params: {timeout_ms: "${timeout}", case_deadline_ms: 9000}}
  - conform: {endpoint: dut, cases: [BLK-RW-003]}
"""


def test_scenario_selects_cases_and_params(storlab, tgt, workdir):
    """--scenario: the cases and params of the file's conform steps run against
    --target (not the file's endpoint); -D reaches the file; --case narrows."""
    uri = tgt.controller("vhost.0", tgt.malloc())
    f = workdir / "sel.yaml"
    f.write_text(SELECTION)
    d = workdir / "rep"
    p = storlab("conform", "--target", uri, "--scenario", f, "-D", "first=VHOST-FEAT-002",
                "--report-dir", d, rc=0, timeout=60)
    rep = check_reports(d, ["VHOST-FEAT-002", "BLK-RW-001", "BLK-RW-003"], p.returncode)
    assert rep["timeout_ms"] == 700 and rep["case_deadline_ms"] == 9000, rep
    assert all(c["verdict"] == "pass" for c in rep["cases"]), rep["cases"]
    # The command line's --case and --timeout win over the file's.
    p = storlab("conform", "--target", uri, "--scenario", f, "--case", "BLK-RW-003",
                "--timeout", "900", "--json", rc=0, timeout=60)
    rep = json.loads(p.stdout)
    assert [c["id"] for c in rep["cases"]] == ["BLK-RW-003"] and rep["timeout_ms"] == 900
    assert tgt.alive()


def test_scenario_reproduce_command_reruns_the_failure(storlab, workdir):
    """A failing case's reproduce command (report.html) is a shell command that
    runs that case again the same way: --spawn-cmd, --scenario and -D quoted."""
    bad = need_binary(PEER_DIR / "bad_backend")
    f = workdir / "sel it.yaml"     # a space: the quoting must hold
    f.write_text(SELECTION)
    d = workdir / "rep"
    cmd = "%s --socket {sock} --size 64 --break wrong-status" % bad
    storlab("conform", "--spawn-cmd", cmd, "--scenario", f, "-D", "first=BLK-RW-005",
            "--report-dir", d, rc=0, timeout=120)
    rep = json.loads((d / "report.json").read_text())
    verdicts = {c["id"]: c["verdict"] for c in rep["cases"]}
    assert verdicts == {"BLK-RW-005": "fail", "BLK-RW-001": "pass", "BLK-RW-003": "pass"}
    html = (d / "report.html").read_text()
    m = re.search(r"Reproduce: <code>(.*?)</code>", html)
    assert m, "no reproduce command in report.html"
    again = html_lib.unescape(m.group(1))
    assert again.startswith("storlab conform ") and again.endswith("--case BLK-RW-005"), again
    p = subprocess.run(str(CLI_BIN) + again[len("storlab"):], shell=True, capture_output=True,
                       text=True, timeout=120, cwd=str(workdir))
    assert p.returncode == 0, p.stderr
    assert re.search(r"FAIL\s+SHOULD\s+BLK-RW-005", p.stdout), p.stdout
    assert re.search(r"virtio-blk\s+0\s+1\s+0\s+0", p.stdout), p.stdout   # that case only


def test_scenario_errors(storlab, workdir):
    none = workdir / "none.yaml"
    none.write_text("name: x\nendpoints:\n  - {name: t, type: socket, path: /x}\n"
                    "steps:\n  - sleep: 1\n")
    p = storlab("conform", "--target", "vhost-user-blk:/x", "--scenario", none, rc=2)
    assert "no conform step" in p.stderr
    bad = workdir / "bad.yaml"
    bad.write_text(SELECTION.replace("timeout: 700", "timeout: soon"))
    p = storlab("conform", "--target", "vhost-user-blk:/x", "--scenario", bad, rc=2)
    assert "bad.yaml:8" in p.stderr and "timeout_ms" in p.stderr, p.stderr
    p = storlab("conform", "--target", "vhost-user-blk:/x", "-D", "a=b", rc=2)
    assert "--scenario" in p.stderr


def test_interrupt_stops_the_spawned_backend(workdir):
    """Ctrl-C (SIGINT) on `storlab conform --spawn-cmd`: the run stops with 130
    and the back-end it spawned, in a process group of its own, is stopped too."""
    bad = need_binary(PEER_DIR / "bad_backend")
    pidfile = workdir / "backend.pid"
    cmd = "echo $$ > %s; exec %s --socket {sock} --size 64" % (pidfile, bad)
    rc, out, err = interrupt([need_binary(CLI_BIN), "conform", "--spawn-cmd", cmd],
                             lambda p: pidfile.exists() and pidfile.read_text().strip(),
                             "the back-end to start")
    pid = int(pidfile.read_text())
    assert rc == 130, "exit %s:\n%s" % (rc, err)
    assert "interrupted" in err, err
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_4k_bdev_unaligned_request_is_the_documented_deviation(storlab, tgt):
    """storlab-tgt on a 4 KiB-block bdev answers IOERR to a 512-byte request
    (storlab-tgt(7), THE VHOST-USER-BLK DEVICE): BLK-RW-012, a SHOULD, fails
    with that reason and the run still exits 0; the whole-block cases pass."""
    uri = tgt.controller("vhost.0", tgt.malloc(block_size=4096))
    ids = ["BLK-RW-012", "BLK-RW-001", "BLK-RW-003", "BLK-RW-004"]
    p = storlab("conform", "--target", uri, "--json", *case_args(ids), rc=0, timeout=60)
    cases = {c["id"]: c for c in json.loads(p.stdout)["cases"]}
    assert cases["BLK-RW-012"]["verdict"] == "fail", cases["BLK-RW-012"]
    assert "write of 512 bytes" in cases["BLK-RW-012"]["reason"], cases["BLK-RW-012"]
    assert "IOERR" in json.dumps(cases["BLK-RW-012"]["trace"]), cases["BLK-RW-012"]
    assert all(cases[i]["verdict"] == "pass" for i in ids[1:]), cases
