# SPDX-License-Identifier: MIT
"""`storlab conform`, the runner (docs/man/storlab-conform.md): the three
reports agree with each other, with the summary and with the exit code,
against a storlab-tgt it spawns and one the `tgt` fixture started. The cases
themselves are the suites' business: a few of each suite keep this fast."""

import html as html_lib
import json
import os
import re
import signal
import socket
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conform_report import BLK_SUITES, CAUGHT, PASSED, SECTIONS, SPEC_LEVELS, all_cases, parse_list
from conftest import CLI_BIN, ROOT, assert_no_san, interrupt, need_binary, wait_for
from peers import PEER_DIR, bad_backend_factory  # noqa: F401

PER_SUITE = 3       # cases of each suite run here
# junit.xml: a spec verdict's outcome element; advisories and observations
# never fail a run, so whatever did not pass is <skipped> (report_junit.c).
JUNIT_CHILD = {"fail": "failure", "error": "error", "not_applicable": "skipped"}
JUNIT_SUITE_SUFFIX = {"cases": "", "advisories": " advisories", "observations": " observations"}


def list_cases(storlab):
    """[(id, level, suite)] from `storlab conform --list`, of the suites a
    vhost-user-blk: target runs."""
    cases = [c[:3] for c in parse_list(storlab("conform", "--list", timeout=30).stdout)
             if c[2] in BLK_SUITES]
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
    """The three reports in D describe the same run of exactly IDS, exiting RC:
    each case in its part (spec verdicts, advisories, observations)."""
    rep = json.loads((d / "report.json").read_text())
    by_id = all_cases(rep)
    for part in SECTIONS:
        order = [c["id"] for c in rep[part]]
        assert order == [i for i in ids if i in order], "%s out of order: %s" % (part, order)
    assert sorted(by_id) == sorted(ids), "report.json cases %s, ran %s" % (sorted(by_id), ids)
    for part, keys in SECTIONS.items():
        for c in rep[part]:
            assert set(c) >= {"id", "suite", "title", "spec", "quote", "level", "verdict",
                              "reason", "seconds", "notes", "trace"}, c
            assert isinstance(c["trace"], list) and isinstance(c["notes"], list), c
            assert (c["reason"] == "") == (c["verdict"] == keys[0]), c
            assert (c["level"] in SPEC_LEVELS) == (part == "cases"), (part, c)
            assert (part == "advisories") == ("severity" in c), (part, c)
    for part, key in (("cases", "summary"), ("advisories", "advisory_summary")):
        keys = SECTIONS[part]
        counts = {v: sum(c["verdict"] == v for c in rep[part]) for v in keys}
        assert rep[key] == dict(counts, total=len(rep[part])), (rep[key], counts)
    must_bad = any(c["level"] == "MUST" and c["verdict"] in ("fail", "error")
                   for c in rep["cases"])
    assert rep["exit_code"] == rc == (1 if must_bad else 0), (rep["exit_code"], rc)
    assert int(rep["offered"]["features"]["bits"], 16) != 0, rep["offered"]

    root = ET.parse(d / "junit.xml").getroot()
    assert root.tag == "testsuites"
    seen = []
    for ts in root.findall("testsuite"):
        part = next(p for p, sfx in sorted(JUNIT_SUITE_SUFFIX.items(), key=lambda x: -len(x[1]))
                    if ts.get("name").endswith(sfx))
        for tc in ts.findall("testcase"):
            cid = tc.get("name").split(":")[0]
            c = by_id[cid]
            seen.append(cid)
            assert c in rep[part], "%s in junit suite %r" % (cid, ts.get("name"))
            assert tc.get("name").startswith(cid + ": "), tc.get("name")
            props = {p.get("name"): p.get("value") for p in tc.findall("properties/property")}
            assert props["quote"] == c["quote"] and props["level"] == c["level"], (cid, props)
            kids = [k.tag for k in tc if k.tag not in ("properties", "system-out")]
            if part == "cases":
                want = [JUNIT_CHILD[c["verdict"]]] if c["verdict"] in JUNIT_CHILD else []
            else:
                want = [] if c["verdict"] == SECTIONS[part][0] else ["skipped"]
            assert kids == want, "%s: junit %s, verdict %s" % (cid, kids, c["verdict"])
            if want:
                msg = tc.find(want[0]).get("message")
                assert msg.endswith(c["reason"]), (msg, c["reason"])
                if c["verdict"] == "not_met":
                    assert msg.startswith("advisory not met (%s): " % c["severity"]), msg
            if c["notes"]:
                assert "\n".join(c["notes"]) in tc.find("system-out").text, cid
        n = len(ts.findall("testcase"))
        assert int(ts.get("tests")) == n
        assert int(ts.get("failures")) == len(ts.findall("testcase/failure"))
        assert int(ts.get("errors")) == len(ts.findall("testcase/error"))
        assert int(ts.get("skipped")) == len(ts.findall("testcase/skipped"))
        if part != "cases":
            assert ts.get("failures") == ts.get("errors") == "0", ts.attrib
    assert sorted(seen) == sorted(ids), "junit.xml cases %s" % seen

    html = (d / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<link" not in html and "<script" not in html and "src=" not in html
    assert 'id="verdicts"' in html
    assert ('id="advisories"' in html) == bool(rep["advisories"])
    for c in by_id.values():
        assert html.count('id="%s"' % c["id"]) == 1, c["id"]
        if c["quote"]:
            assert c["quote"] in html_lib.unescape(html), c["id"]
        if c["verdict"] in ("fail", "error", "not_met"):
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
    assert all(printed[part] == rep[part] for part in SECTIONS) and printed["target"] == uri
    assert tgt.alive()


def test_cannot_run(storlab, workdir):
    assert "--target" in storlab("conform", rc=2).stderr
    storlab("conform", "--target", "nvme:/x", rc=2)
    p = storlab("conform", "--target", "vhost-user-blk:%s/none.sock" % workdir, rc=2)
    assert "does not answer" in p.stderr
    p = storlab("conform", "--spawn-tgt", "--case", "NO-SUCH-CASE", rc=2)
    assert "NO-SUCH-CASE" in p.stderr


def test_external_backend_gone_is_said_once(storlab, tgt, workdir):
    """A back-end started outside the runner that dies mid-run cannot be
    restarted: the case it went after fails, the rest are not run, and that is
    said in one line (which case, how many not run, how to have it restarted
    per case) instead of one error per case; the run could not be done (2)."""
    uri = tgt.controller("vhost.0", tgt.malloc())
    d = workdir / "rep"
    run = storlab.bg("conform", "--target", uri, "--report-dir", d)
    # A dozen connections: the probe and a few cases have run.
    wait_for(lambda: tgt.log.count("front-end connected") >= 12 or not run.alive(), 120,
             "a few cases to run")
    assert run.alive(), "the run ended before the target was killed:\n" + run.stderr
    tgt.bg.kill(signal.SIGKILL)
    rc = run.wait(120)
    assert rc == 2, "exit %d:\n%s" % (rc, run.stderr)
    gone = [l for l in run.stderr.splitlines() if "back-end gone" in l]
    assert len(gone) == 1, run.stderr
    m = re.match(r"storlab conform: back-end gone after (\S+), (\d+) cases not run: it was "
                 r"started outside this run, so it cannot be restarted \(use --spawn-cmd to "
                 r"restart it per case\)$", gone[0])
    assert m, gone[0]
    after, not_run = m.group(1), int(m.group(2))

    rep = json.loads((d / "report.json").read_text())
    assert rep["exit_code"] == 2 and rep["stopped"] == gone[0][len("storlab conform: "):], rep
    # Run order is --list's; each case is in its part of the report.
    by_id = all_cases(rep)
    ids = [c[0] for c in list_cases(storlab)]
    assert sorted(by_id) == sorted(ids), "every case is in the report"
    ordered = [by_id[i] for i in ids]
    k = ids.index(after)
    assert ordered[k]["verdict"] in CAUGHT, ordered[k]
    assert "stopped serving" in ordered[k]["reason"], ordered[k]
    assert not any(c["not_run"] for c in ordered[:k + 1])
    skipped = [c for c in ordered[k + 1:] if c["not_run"]]
    assert len(skipped) == not_run > 0
    for c in skipped:
        assert c["verdict"] == "error" and c["trace"] == [], c
        assert c["reason"] == "not run: back-end gone after " + after, c
    # The rest is N/A: decided by what the probe read, not by running.
    assert all(c["verdict"] == "not_applicable" for c in ordered[k + 1:] if not c["not_run"])
    # The summary says it once, too; JUnit marks those cases NOT-RUN.
    assert run.stdout.count("back-end gone") == 1, run.stdout
    assert "INCOMPLETE" in run.stdout
    root = ET.parse(d / "junit.xml").getroot()
    # Spec-level cases not run are NOT-RUN errors; advisories and observations
    # never fail a JUnit run, so theirs are skipped, saying why.
    spec_not_run = sum(c["not_run"] for c in rep["cases"])
    assert len(root.findall(".//error[@type='NOT-RUN']")) == spec_not_run
    other = [s for s in root.findall(".//skipped") if "not run: back-end gone" in s.get("message")]
    assert len(other) == not_run - spec_not_run


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
    bad = ["%s: %s" % (c["id"], c["reason"]) for c in all_cases(rep).values()
           if c["verdict"] in ("fail", "error", "not_met")]
    assert not bad, "\n".join(bad)
    assert p.returncode == 0
    na = [c for c in all_cases(rep).values() if c["verdict"] == "not_applicable"]
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
    assert all(c["verdict"] in PASSED for c in all_cases(rep).values()), all_cases(rep)
    # The command line's --case and --timeout win over the file's.
    p = storlab("conform", "--target", uri, "--scenario", f, "--case", "BLK-RW-003",
                "--timeout", "900", "--json", rc=0, timeout=60)
    rep = json.loads(p.stdout)
    assert list(all_cases(rep)) == ["BLK-RW-003"] and rep["timeout_ms"] == 900
    assert tgt.alive()


GATED = """\
name: gated
variables:
  sock: /nonexistent.sock
  fail_on: data-safety
endpoints:
  - {name: dut, type: socket, path: "${sock}"}
steps:
  - conform: {endpoint: dut, cases: [BLK-RW-001], params: {fail_on: "${fail_on}"}}
"""


def test_scenario_fail_on_gates_the_step(storlab, bad_backend_factory, workdir):
    """A conform step's params.fail_on does what --fail-on does, in `storlab
    scenario run` and through `storlab conform --scenario` (where the
    command line's --fail-on wins): BLK-RW-001, a data-safety advisory, not
    met by a back-end that loses part of a write."""
    bad = bad_backend_factory("unaligned-4k-write-rounded")
    f = workdir / "gated.yaml"
    f.write_text(GATED)
    sock = "sock=" + bad.sock
    for fail_on, rc in (("data-safety", 1), ("memory-safety,robustness", 0), ("all", 1)):
        p = storlab("scenario", "run", f, "-D", sock, "-D", "fail_on=" + fail_on, rc=rc,
                    timeout=120)
        assert "1 advisories: 0 met, 1 not met" in p.stdout, p.stdout
    p = storlab("scenario", "run", f, "-D", sock, "-D", "fail_on=speed", rc=1, timeout=60)
    assert "params.fail_on: severities" in p.stdout + p.stderr, p.stdout + p.stderr
    p = storlab("conform", "--target", bad.uri, "--scenario", f, "--json", rc=1, timeout=120)
    assert json.loads(p.stdout)["fail_on"] == ["data-safety"], p.stdout
    p = storlab("conform", "--target", bad.uri, "--scenario", f, "--fail-on", "robustness",
                "--json", rc=0, timeout=120)
    assert json.loads(p.stdout)["fail_on"] == ["robustness"], p.stdout
    p = storlab("conform", "--target", bad.uri, "--scenario", f, "-D", "fail_on=speed", rc=2)
    assert "params.fail_on: severities" in p.stderr, p.stderr


def test_scenario_reproduce_command_reruns_the_failure(storlab, workdir):
    """A failing case's reproduce command (report.html) is a shell command that
    runs that case again the same way: --spawn-cmd, --scenario and -D quoted."""
    bad = need_binary(PEER_DIR / "bad_backend")
    f = workdir / "sel it.yaml"     # a space: the quoting must hold
    f.write_text(SELECTION)
    d = workdir / "rep"
    cmd = "%s --socket {sock} --size 64 --break notify-always" % bad
    storlab("conform", "--spawn-cmd", cmd, "--scenario", f, "-D", "first=BLK-Q-007",
            "--report-dir", d, rc=0, timeout=120)
    rep = json.loads((d / "report.json").read_text())
    verdicts = {i: c["verdict"] for i, c in all_cases(rep).items()}
    assert sorted(verdicts) == ["BLK-Q-007", "BLK-RW-001", "BLK-RW-003"], verdicts
    assert verdicts["BLK-Q-007"] == "fail", verdicts
    assert verdicts["BLK-RW-001"] in PASSED and verdicts["BLK-RW-003"] in PASSED, verdicts
    html = (d / "report.html").read_text()
    m = re.search(r"Reproduce: <code>(.*?)</code>", html)
    assert m, "no reproduce command in report.html"
    again = html_lib.unescape(m.group(1))
    assert again.startswith("storlab conform ") and again.endswith("--case BLK-Q-007"), again
    p = subprocess.run(str(CLI_BIN) + again[len("storlab"):], shell=True, capture_output=True,
                       text=True, timeout=120, cwd=str(workdir))
    assert p.returncode == 0, p.stderr
    assert re.search(r"FAIL\s+SHOULD\s+BLK-Q-007", p.stdout), p.stdout
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
    (storlab-tgt(7), THE VHOST-USER-BLK DEVICE): BLK-RW-012, an advisory, is
    not met with that reason and the run still exits 0; the whole-block cases
    (advisories too) are met."""
    uri = tgt.controller("vhost.0", tgt.malloc(block_size=4096))
    ids = ["BLK-RW-012", "BLK-RW-001", "BLK-RW-003", "BLK-RW-004"]
    p = storlab("conform", "--target", uri, "--json", *case_args(ids), rc=0, timeout=60)
    cases = all_cases(json.loads(p.stdout))
    assert cases["BLK-RW-012"]["verdict"] == "not_met", cases["BLK-RW-012"]
    assert "write of 512 bytes" in cases["BLK-RW-012"]["reason"], cases["BLK-RW-012"]
    assert "IOERR" in json.dumps(cases["BLK-RW-012"]["trace"]), cases["BLK-RW-012"]
    assert all(cases[i]["verdict"] in PASSED for i in ids[1:]), cases


PRE_KICK = "processed a request published before the first kick"


def test_storlab_tgt_observation_is_reported(storlab, workdir):
    """BLK-Q-010, an observation (no verdict): storlab-tgt polls a ring from
    its set-up on, so it processes a request published before the first kick.
    Every report says so, in its observations, apart from the verdicts."""
    d = workdir / "rep"
    p = storlab("conform", "--spawn-tgt", "--case", "BLK-Q-010", "--case", "BLK-CFG-001",
                "--report-dir", d, rc=0, timeout=120)
    rep = check_reports(d, ["BLK-CFG-001", "BLK-Q-010"], p.returncode)
    [obs] = rep["observations"]
    assert obs["id"] == "BLK-Q-010" and obs["level"] == "INFO" and obs["verdict"] == "observed"
    assert len(obs["notes"]) == 1 and PRE_KICK in obs["notes"][0], obs
    assert "info: " + obs["notes"][0] in obs["trace"], obs["trace"]
    assert rep["summary"]["total"] == 1, rep["summary"]     # BLK-CFG-001 alone
    spec, rest = p.stdout.split("\nobservations:")
    assert "BLK-Q-010" not in spec, p.stdout
    assert "BLK-Q-010" in rest and PRE_KICK in " ".join(rest.split()), p.stdout
    root = ET.parse(d / "junit.xml").getroot()
    [ts] = [t for t in root.findall("testsuite") if t.get("name") == "virtio-blk observations"]
    assert PRE_KICK in ts.find("testcase/system-out").text
    html = (d / "report.html").read_text()
    assert PRE_KICK in html.split('<section id="observations">')[1], "not in the HTML section"


def test_list_shows_each_quote(storlab):
    """`--list` puts the sentence under each case; `--list --json` says the
    same, with an advisory's severity."""
    listed = parse_list(storlab("conform", "--list", timeout=30).stdout)
    js = json.loads(storlab("conform", "--list", "--json", timeout=30).stdout)["cases"]
    assert [(c["id"], c["level"], c["suite"]) for c in js] == [c[:3] for c in listed]
    for (cid, level, _, line), c in zip(listed, js):
        want = '"%s"' % c["quote"] if c["quote"] else "(no quote)"
        if level == "ADVISORY":
            assert c["severity"], c
            want = "[%s] %s" % (c["severity"], want)
        assert line == want, (cid, line, want)
    obs = [c for c in js if c["id"] == "BLK-Q-010"]
    assert obs and obs[0]["level"] == "INFO" and "upon receiving a kick" in obs[0]["quote"]
    sub = parse_list(storlab("conform", "--list", "--suite", "virtio-blk", timeout=30).stdout)
    assert sub and all(c[2] == "virtio-blk" for c in sub), sub


def test_fail_on_makes_an_advisory_gate_the_run(storlab, workdir):
    """--fail-on SEVERITY: an unmet advisory of that severity fails the run
    (exit 1), as a MUST case does; of another severity, or without the
    option, it never does. BLK-RW-001 (a write reads back) is a data-safety
    advisory: virtio 1.2 defines the request without a keyword."""
    bad = need_binary(PEER_DIR / "bad_backend")
    cmd = "%s --socket {sock} --size 64 --break unaligned-4k-write-rounded" % bad
    runs = {None: 0, "robustness": 0, "data-safety": 1, "all": 1,
            "memory-safety,data-safety": 1}
    for fail_on, rc in runs.items():
        args = ["conform", "--spawn-cmd", cmd, "--case", "BLK-RW-001", "--json"]
        if fail_on:
            args += ["--fail-on", fail_on]
        p = storlab(*args, rc=rc, timeout=120)
        rep = json.loads(p.stdout)
        [adv] = rep["advisories"]
        assert adv["id"] == "BLK-RW-001" and adv["verdict"] == "not_met", adv
        assert adv["severity"] == "data-safety", adv
        want = {None: [], "all": ["memory-safety", "data-safety", "robustness"]}.get(
            fail_on, (fail_on or "").split(","))
        assert sorted(rep["fail_on"]) == sorted(want) and rep["exit_code"] == rc, rep
    p = storlab("conform", "--spawn-cmd", cmd, "--case", "BLK-RW-001", "--fail-on",
                "data-safety", rc=1, timeout=120)
    assert "FAIL: a MUST requirement or a --fail-on advisory" in p.stdout, p.stdout
    p = storlab("conform", "--spawn-tgt", "--fail-on", "speed", rc=2)
    assert "bad --fail-on 'speed'" in p.stderr, p.stderr
