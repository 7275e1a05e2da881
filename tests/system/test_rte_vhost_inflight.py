# SPDX-License-Identifier: MIT
"""Our initiator's reconnect against a back-end we did not write: DPDK's
rte_vhost (tests/peers/rte_vhost_blk), killed with requests in flight and
restarted on the same socket and file. With --inflight the peer offers
VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD and keeps its requests in rte_vhost's
region (vhost-user.rst "Inflight I/O tracking"): after the reconnect it runs
them again and each completes exactly once. Without it, `storlab io verify`
does what docs/man/storlab.md says for a back-end that keeps nothing: the
requests in flight are not counted as errors and the pass is redone from its
write phase."""

import json
import re
import struct

from conftest import MiB, tail, wait_for
from peers import rte_vhost_factory  # noqa: F401
from test_tgt_io import STAMP_MAGIC, assert_stamped, uring_file, verify_args
from vhost_user_fe import check_resubmit_in_counter_order

QUEUES, QD, BS, SIZE, PASSES = 2, 16, 4096, 4 * MiB, 2
# Each request is held 20 ms: QD requests per queue are in flight nearly all
# the time, and a pass takes over a second.
DELAY_US = 20000


def crash_mid_verify(rte_vhost_factory, storlab, workdir, inflight):  # noqa: F811
    """Runs verify on a file-backed peer, kills the peer once the first
    write of the second round (block QUEUES * QD: queue 0 took it when one
    of its first QD completed) has reached the file, so requests completed
    before the kill and the write phase of pass 1 is under way, with
    requests held. Restarts it; returns (report, peer, file)."""
    img = uring_file(workdir, size=SIZE)
    peer = rte_vhost_factory(file=img, queues=QUEUES, delay_us=DELAY_US, inflight=inflight)
    v = storlab.bg(*verify_args(peer.uri, QUEUES, QD, BS, SIZE, PASSES),
                   "--reconnect-timeout", 30)

    def second_round_landed():
        assert v.alive(), "verify ended before the kill:\n" + tail(v.stdout + v.stderr)
        with open(img, "rb") as f:
            f.seek(QUEUES * QD * BS)
            return struct.unpack("<Q", f.read(8))[0] == STAMP_MAGIC

    wait_for(second_round_landed, 30, "a write of the second round in %s" % img,
             interval=0.01)
    peer.kill_restart()
    rc = v.wait(300)
    assert rc == 0, "verify across a crash exited %d:\n%s" % (rc, tail(v.stdout + v.stderr))
    r = json.loads(v.stdout)
    assert "reconnected after" in v.stderr, tail(v.stderr)
    assert (r["result"], r["reconnects"], r["lost"]) == ("pass", 1, 0), r
    assert (r["bad_sectors"], r["io_errors"], r["mismatches"]) == (0, 0, []), r
    return r, peer, img


def assert_last_pass_stamped(r, img):
    """The file holds the last pass's stamps, sector by sector."""
    assert_stamped(img.read_bytes(), SIZE, PASSES, int(r["seed"], 16))


def test_crash_resubmits_in_flight(rte_vhost_factory, storlab, workdir):  # noqa: F811
    r, peer, img = crash_mid_verify(rte_vhost_factory, storlab, workdir, inflight=True)
    # Every request once: the phase went on after the reconnect (nothing
    # redone), so each queue did exactly its blocks, written and read back,
    # every pass; a request completed twice would have broken its ring.
    blocks = SIZE // BS
    want = [{"queue": k, "requests": 2 * len(range(k, blocks, QUEUES)) * PASSES,
             "bytes": 2 * len(range(k, blocks, QUEUES)) * PASSES * BS} for k in range(QUEUES)]
    assert r["per_queue"] == want, r["per_queue"]
    assert r["bytes_written"] == r["bytes_read"] == SIZE * PASSES, r
    # On the wire: the first back-end was asked for a region and given it;
    # the restarted one was handed the same region back, not asked again.
    killed, restarted = peer.past_logs[0], peer.bg.stderr
    inflight_fd = r"vid \d+: %s_INFLIGHT_FD, %d queues of \d+"
    for log, msgs in ((killed, ("GET", "SET")), (restarted, ("SET",))):
        for msg in msgs:
            assert re.search(inflight_fd % (msg, QUEUES), log), (msg, tail(log))
    assert "GET_INFLIGHT_FD" not in restarted, tail(restarted)
    # The restarted peer ran again what its region said was in flight, and
    # the initiator saw each of those complete.
    resubmitted = [int(n) for n in re.findall(r"queue \d+: resubmitted (\d+)", restarted)]
    assert len(resubmitted) == QUEUES, tail(restarted)
    assert sum(resubmitted) > 0 and r["resubmitted"] >= sum(resubmitted), (resubmitted, r)
    assert_last_pass_stamped(r, img)


def test_crash_without_inflight_redoes_pass(rte_vhost_factory, storlab, workdir):  # noqa: F811
    """No INFLIGHT_SHMFD: the requests in flight at the kill are gone with
    the peer. verify (docs/man/storlab.md, --reconnect-timeout) counts them
    as neither errors nor resubmitted, and redoes pass 1 from its write
    phase: more bytes written than the passes need."""
    r, peer, img = crash_mid_verify(rte_vhost_factory, storlab, workdir, inflight=False)
    assert r["resubmitted"] == 0, r
    assert r["bytes_written"] > SIZE * PASSES, r
    assert r["bytes_read"] >= SIZE * PASSES, r
    assert "INFLIGHT_FD" not in peer.log, tail(peer.log)
    assert "resubmitted" not in peer.log, tail(peer.log)
    assert_last_pass_stamped(r, img)


def test_resubmits_in_counter_order(rte_vhost_factory, workdir):  # noqa: F811
    """On the wire (check_resubmit_in_counter_order): rte_vhost_blk handed a
    region that marks three writes in flight runs them first, lowest counter
    first, each once, and they reach the file."""
    img = uring_file(workdir, size=SIZE)
    peer = rte_vhost_factory(file=img, queues=1, inflight=True)
    check_resubmit_in_counter_order(peer.sock)
    assert "vid 0 queue 0: resubmitted 3" in peer.log, tail(peer.log)
    with open(img, "rb") as f:
        assert [f.read(4096)[:512] for _ in range(3)] == [bytes([0x41 + i]) * 512
                                                          for i in range(3)]
