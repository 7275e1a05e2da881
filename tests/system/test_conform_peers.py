# SPDX-License-Identifier: MIT
"""Both conformance suites in full against the two back-ends we did not write
(qemu-storage-daemon, rte_vhost_blk on DPDK), each started by the runner with
`storlab conform --spawn-cmd`: the cases that fail or error must be exactly
the ones docs/conformance/known-deviations.md lists for that peer. A new
deviation, or one that went away, fails here until the document says so.

The peer's command comes from the document's `PEER='...'` line, so its
reproduce commands are the ones run here."""

import json
import re
import shlex
from pathlib import Path

import pytest

from conform_report import BLK_SUITES, all_cases, parse_list
from conftest import ROOT, need_binary
from peers import PEER_DIR, need_libdpdk
from tests.guest import deps as guest_deps

DOC = ROOT / "docs" / "conformance" / "known-deviations.md"
ROW = re.compile(r"^\|\s*`([A-Z]+(?:-[A-Z]+)*-\d{3})`\s*\|\s*(MUST|SHOULD|MAY|ADVISORY)\s*\|"
                 r"\s*(always|sometimes)\s*\|")
# Advisories are listed apart: in the section's "### Advisories" part only.
ADVISORIES = re.compile(r"^### Advisories\b")
# Per reply: short, so that a case a peer never answers (BLK-LAY-008 on
# qemu-storage-daemon) costs half a second; long enough for the ASan build.
# The runner's start-up wait does not depend on it.
TIMEOUT_MS = 500
# The target is < 30 s per run under ASan (about 6 s today); this bound only
# catches a run that waits for deadlines it should not reach.
MAX_SECONDS = 60


def doc_section(heading):
    """(command, {case ID: (level, seen)}) of the section whose `## ` heading
    starts with HEADING."""
    text = DOC.read_text()
    parts = re.split(r"^## ", text, flags=re.M)
    found = [p for p in parts[1:] if p.startswith(heading)]
    assert len(found) == 1, "%s: no single section '## %s...'" % (DOC, heading)
    sec = found[0]
    m = re.search(r"^PEER='([^']*)'$", sec, re.M)
    assert m, "%s, section %s: no PEER='...' line" % (DOC, heading)
    rows = {}
    advisories = False
    for line in sec.splitlines():
        advisories = advisories or bool(ADVISORIES.match(line))
        r = ROW.match(line)
        if r:
            assert r.group(1) not in rows, "%s: %s listed twice" % (heading, r.group(1))
            assert (r.group(2) == "ADVISORY") == advisories, (
                "%s: %s %s is listed with the %s" % (
                    heading, r.group(1), r.group(2),
                    "advisories" if advisories else "spec-level deviations"))
            rows[r.group(1)] = (r.group(2), r.group(3))
        else:
            assert not line.startswith("| `"), "%s: a row the test cannot read: %s" % (
                heading, line)
    assert rows, "%s, section %s: no case rows" % (DOC, heading)
    return m.group(1), rows


def listed_cases(storlab, suites=BLK_SUITES):
    return {c[0]: c[1] for c in parse_list(storlab("conform", "--list", timeout=30).stdout)
            if c[2] in suites}


def run_peer(storlab, workdir, cmd):
    """Both suites against CMD (through --spawn-cmd); report.json as a dict."""
    rep = workdir / "rep"
    p = storlab("conform", "--spawn-cmd", cmd, "--timeout", TIMEOUT_MS, "--report-dir", rep,
                rc=None, timeout=240)
    assert p.returncode in (0, 1), "storlab conform exited %d:\n%s" % (p.returncode, p.stderr)
    report = json.loads((rep / "report.json").read_text())
    assert report["exit_code"] == p.returncode, (report["exit_code"], p.returncode)
    assert report["target"] == cmd + " (--spawn-cmd)", report["target"]
    assert (rep / "backend.log").exists(), "no back-end log in the report directory"
    # The runner stopped what it started: its private directory is gone.
    sock = re.match(r"(/tmp/storlab-ep-\w+)/", report["socket"])
    assert sock and not Path(sock.group(1)).exists(), report["socket"]
    return report, p


def check_against_doc(storlab, report, rows, peer, suites=BLK_SUITES):
    levels = listed_cases(storlab, suites)
    for cid, (level, _) in rows.items():
        assert cid in levels, "%s lists %s, which is no case" % (DOC.name, cid)
        assert levels[cid] == level, "%s: %s is %s, the document says %s" % (
            DOC.name, cid, levels[cid], level)
    assert len(all_cases(report)) == len(levels), "not every case ran"
    # Spec verdicts that failed or erred, and advisories not met or that erred:
    # both are what the document lists (each in its own part).
    bad = {c["id"]: c for c in report["cases"] + report["advisories"]
           if c["verdict"] in ("fail", "not_met", "error")}
    always = {cid for cid, (_, seen) in rows.items() if seen == "always"}
    new = sorted(set(bad) - set(rows))
    gone = sorted(always - set(bad))
    msg = []
    if new:
        msg.append("%s: not in %s (a new deviation, or a case bug):\n%s" % (
            peer, DOC.name, "\n".join("  %s %s %s: %s" % (cid, bad[cid]["level"],
                                                         bad[cid]["verdict"].upper(),
                                                         bad[cid]["reason"])
                                      for cid in new)))
    if gone:
        msg.append("%s: listed as always failing, but passed (fixed? update %s): %s"
                   % (peer, DOC.name, " ".join(gone)))
    assert not msg, "\n".join(msg)
    # The exit code follows from the MUST cases: documented, not guessed.
    must_bad = any(c["level"] == "MUST" for c in bad.values())
    assert report["exit_code"] == (1 if must_bad else 0), report["exit_code"]
    assert report["seconds"] < MAX_SECONDS, "%s: the run took %.1f s" % (peer, report["seconds"])


def test_qemu_storage_daemon(storlab, workdir):
    try:
        binary = guest_deps.qemu_storage_daemon()
    except guest_deps.MissingDependency as e:
        pytest.fail(str(e), pytrace=False)
    cmd, rows = doc_section("qemu-storage-daemon")
    image = workdir / "qsd.img"
    with open(image, "wb") as f:
        f.truncate(64 << 20)
    assert "filename=/tmp/qsd.img," in cmd and cmd.startswith("qemu-storage-daemon "), cmd
    cmd = cmd.replace("filename=/tmp/qsd.img,", "filename=%s," % image)
    cmd = shlex.quote(str(binary)) + cmd[len("qemu-storage-daemon"):]
    report, _ = run_peer(storlab, workdir, cmd)
    check_against_doc(storlab, report, rows, "qemu-storage-daemon")


def test_rte_vhost_blk(storlab, workdir):
    need_libdpdk()
    binary = need_binary(PEER_DIR / "rte_vhost_blk")
    cmd, rows = doc_section("rte_vhost_blk")
    prefix = "build/default/bin/peers/rte_vhost_blk "
    assert cmd.startswith(prefix), cmd
    cmd = shlex.quote(str(binary)) + " " + cmd[len(prefix):]
    report, p = run_peer(storlab, workdir, cmd)
    check_against_doc(storlab, report, rows, "rte_vhost_blk")
    # The peer exits 0 on SIGTERM (docs/peers.md): the runner stopped it
    # without a complaint, and it never needed a restart.
    assert "exited with status" not in p.stderr, p.stderr
    assert "restarted" not in p.stderr, p.stderr
