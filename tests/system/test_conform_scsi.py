# SPDX-License-Identifier: MIT
"""The virtio-scsi suite in full against a vhost-user-scsi back-end we did
not write: DPDK rte_vhost_scsi (tests/peers/rte_vhost_scsi, its own SCSI
emulation). The cases that fail or error must be exactly the ones
docs/conformance/known-deviations.md lists for it, as test_conform_peers.py
checks the blk peers; its command comes from the section's PEER='...' line.

The run goes to the peer's socket as an external --target
(`storlab conform --spawn-cmd` spawns vhost-user-blk: back-ends only)."""

import json
import shlex

from conftest import need_binary, wait_for
from peers import PEER_DIR, Peer, need_libdpdk
from test_conform_peers import TIMEOUT_MS, check_against_doc, doc_section

SUITES = ("virtio-scsi",)
PREFIX = "build/default/bin/peers/rte_vhost_scsi --socket {sock} "


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
    rep = workdir / "rep"
    p = storlab("conform", "--target", peer.uri, "--timeout", TIMEOUT_MS, "--report-dir", rep,
                rc=None, timeout=240)
    assert p.returncode in (0, 1), "storlab conform exited %d:\n%s" % (p.returncode, p.stderr)
    report = json.loads((rep / "report.json").read_text())
    assert [s["name"] for s in report["suites"]] == list(SUITES), report["suites"]
    check_against_doc(storlab, report, rows, "rte_vhost_scsi", SUITES)
    peer.stop()
