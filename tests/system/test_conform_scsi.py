# SPDX-License-Identifier: MIT
"""The virtio-scsi suite in full against storlab-tgt's vhost-user-scsi
frontend, where every applicable case passes, and against a back-end we did
not write: DPDK rte_vhost_scsi (tests/peers/rte_vhost_scsi, its own SCSI
emulation), where the cases that fail or error must be exactly the ones
docs/conformance/known-deviations.md lists for it, as test_conform_peers.py
checks the blk peers (its command comes from the section's PEER='...' line).

The runs go to the back-end's socket as an external --target; `storlab
conform --spawn-tgt` with virtio-scsi cases only starts a vhost-user-scsi
controller of its own (test_spawn_tgt_scsi)."""

import json
import os
import shlex

from conform_report import PASSED, all_cases
from conftest import CLI_BIN, assert_no_san, need_binary, wait_for
from peers import PEER_DIR, Peer, need_libdpdk
from test_conform_peers import TIMEOUT_MS, check_against_doc, doc_section

SUITES = ("virtio-scsi",)
PREFIX = "build/default/bin/peers/rte_vhost_scsi --socket {sock} "
MALLOC_MB = 32


def run(storlab, uri, workdir):
    """The suite against URI: (report.json as a dict, exit code)."""
    rep = workdir / "rep"
    p = storlab("conform", "--target", uri, "--timeout", TIMEOUT_MS, "--report-dir", rep,
                rc=None, timeout=240)
    assert p.returncode in (0, 1), "storlab conform exited %d:\n%s" % (p.returncode, p.stderr)
    report = json.loads((rep / "report.json").read_text())
    assert [s["name"] for s in report["suites"]] == list(SUITES), report["suites"]
    return report, p.returncode


def test_storlab_tgt(tgt, storlab, workdir):
    """Two targets of 32 MiB, two request queues: every case passes or is
    N/A, saying why."""
    tgt.malloc("Malloc0", MALLOC_MB, 512)
    tgt.malloc("Malloc1", MALLOC_MB, 512)
    tgt.rpc("vhost_create_scsi_controller", json.dumps({"ctrlr": "scsi0", "num_queues": 2}))
    wait_for(lambda: os.path.exists(tgt.sock("scsi0")), 10, "the controller's socket")
    for target, bdev in ((0, "Malloc0"), (1, "Malloc1")):
        tgt.rpc("vhost_scsi_controller_add_target", json.dumps(
            {"ctrlr": "scsi0", "scsi_target_num": target, "bdev_name": bdev}))
    report, rc = run(storlab, "vhost-user-scsi:" + tgt.sock("scsi0"), workdir)
    cases = all_cases(report)
    bad = ["%s %s: %s" % (i, c["verdict"], c["reason"]) for i, c in sorted(cases.items())
           if c["verdict"] not in PASSED + ("not_applicable",)]
    assert not bad, "storlab-tgt:\n" + "\n".join(bad)
    assert all(c["reason"] for c in cases.values() if c["verdict"] == "not_applicable")
    assert rc == 0
    assert tgt.alive()


def test_rte_vhost_scsi(storlab, workdir):
    need_libdpdk()
    need_binary(PEER_DIR / "rte_vhost_scsi")
    cmd, rows = doc_section("rte_vhost_scsi")
    assert cmd.startswith(PREFIX), cmd
    peer = Peer("rte_vhost_scsi", workdir, shlex.split(cmd[len(PREFIX):]), "rvs")
    # rte_vhost's listener thread may miss the first connection after
    # "ready": wait until the probe is answered (exit 2: it was not).
    wait_for(lambda: storlab("conform", "--target", peer.uri, "--case", "SCSI-CFG-001",
                             rc=None, timeout=60).returncode != 2, 20,
             "rte_vhost_scsi to answer the probe")
    report, _ = run(storlab, peer.uri, workdir)
    check_against_doc(storlab, report, rows, "rte_vhost_scsi", SUITES)
    peer.stop()


def test_spawn_tgt_scsi(storlab, workdir):
    """--spawn-tgt with only virtio-scsi cases asked for starts a
    vhost-user-scsi controller with LUNs on two targets (a blk one would
    have no case to run); the cases pass, and its log is clean."""
    d = workdir / "rep"
    ids = ("SCSI-CDB-007", "SCSI-CDB-008", "SCSI-REQ-016", "SCSI-CFG-007")
    p = storlab("conform", "--spawn-tgt", "--report-dir", d,
                *[a for i in ids for a in ("--case", i)], rc=0, timeout=120)
    cases = all_cases(json.loads((d / "report.json").read_text()))
    assert sorted(cases) == sorted(ids), p.stdout
    bad = ["%s %s: %s" % (i, c["verdict"], c["reason"]) for i, c in sorted(cases.items())
           if c["verdict"] not in PASSED]
    assert not bad, "\n".join(bad)
    log = (d / "storlab-tgt.log").read_text()
    assert_no_san(log, "storlab-tgt (--spawn-tgt)")
    for target, lun, bdev in ((0, 0, "Malloc0"), (0, 2, "Malloc1"), (1, 0, "Malloc2")):
        assert "target %d LUN %d is bdev %s" % (target, lun, bdev) in log, log


def test_spawn_tgt_mixed_suites(storlab):
    """A virtio-scsi suite asked for beside a vhost-user-blk one: --spawn-tgt
    serves vhost-user-blk, and the runner names the suite it cannot run."""
    p = storlab("conform", "--spawn-tgt", "--suite", "virtio-blk", "--suite", "virtio-scsi",
                rc=2, timeout=60)
    assert "virtio-scsi" in p.stderr and "vhost-user-scsi" in p.stderr, p.stderr


HOTPLUG_CASES = ("SCSI-EVT-001", "SCSI-EVT-004", "SCSI-EVT-005", "SCSI-EVT-006")


def hotplug_verdicts(p, d):
    cases = all_cases(json.loads((d / "report.json").read_text()))
    assert sorted(cases) == sorted(HOTPLUG_CASES), p.stdout
    return {i: (c["verdict"], c["reason"]) for i, c in cases.items()}


def test_hotplug_spawn_tgt(storlab, workdir):
    """--spawn-tgt hot-plugs over its own RPC: a LUN added and removed is
    announced (RESCAN, REMOVED), gone after, and events lost while no buffer
    was posted are flagged."""
    d = workdir / "rep"
    p = storlab("conform", "--spawn-tgt", "--report-dir", d,
                *[a for i in HOTPLUG_CASES for a in ("--case", i)], rc=0, timeout=120)
    v = hotplug_verdicts(p, d)
    assert all(verdict in PASSED for verdict, _ in v.values()), v
    log = (d / "storlab-tgt.log").read_text()
    assert "target 7 LUN 0 is bdev Malloc3" in log and "LUN 0 (bdev Malloc3) removed" in log, log


def scsi_tgt(tgt):
    tgt.malloc("Malloc0", 32, 512)
    tgt.malloc("Malloc3", 1, 512)
    tgt.rpc("vhost_create_scsi_controller", json.dumps({"ctrlr": "scsi0", "num_queues": 1}))
    wait_for(lambda: os.path.exists(tgt.sock("scsi0")), 10, "the controller's socket")
    tgt.rpc("vhost_scsi_controller_add_target", json.dumps(
        {"ctrlr": "scsi0", "scsi_target_num": 0, "bdev_name": "Malloc0"}))
    return "vhost-user-scsi:" + tgt.sock("scsi0")


def test_hotplug_cmd(tgt, storlab, workdir):
    """--hotplug-cmd: a vendor's command (here `storlab rpc` to an external
    storlab-tgt) gets {action}, {target} and {lun}; the cases pass. Without
    it they are N/A saying how to give one; a command that fails is an
    ERROR naming it."""
    uri = scsi_tgt(tgt)
    rpc = "%s rpc -s %s" % (shlex.quote(str(CLI_BIN)), shlex.quote(str(tgt.rpc_sock)))
    cmd = ("if [ {action} = add ]; then %s vhost_scsi_controller_add_lun "
           "'{\"ctrlr\": \"scsi0\", \"scsi_target_num\": {target}, \"lun\": {lun}, "
           "\"bdev_name\": \"Malloc3\"}'; else %s vhost_scsi_controller_remove_lun "
           "'{\"ctrlr\": \"scsi0\", \"scsi_target_num\": {target}, \"lun\": {lun}}'; fi"
           % (rpc, rpc))
    cases = [a for i in HOTPLUG_CASES for a in ("--case", i)]
    d = workdir / "with"
    p = storlab("conform", "--target", uri, "--hotplug-cmd", cmd, "--report-dir", d, *cases,
                rc=0, timeout=120)
    v = hotplug_verdicts(p, d)
    assert all(verdict in PASSED for verdict, _ in v.values()), v
    d = workdir / "without"
    p = storlab("conform", "--target", uri, "--report-dir", d, *cases, rc=0, timeout=120)
    v = hotplug_verdicts(p, d)
    assert v["SCSI-EVT-001"][0] in PASSED, v
    for i in HOTPLUG_CASES[1:]:
        assert v[i] == ("not_applicable", "no hot-plug hook: give storlab conform --hotplug-cmd "
                        "(--spawn-tgt has its own)"), v
    d = workdir / "failing"
    p = storlab("conform", "--target", uri, "--hotplug-cmd", "exit 3", "--report-dir", d,
                "--case", "SCSI-EVT-004", rc=None, timeout=120)
    c = all_cases(json.loads((d / "report.json").read_text()))["SCSI-EVT-004"]
    assert c["verdict"] == "error" and "the hot-plug hook failed" in c["reason"], c
    assert tgt.alive()
