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
import mmap
import os
import re
import struct

from conftest import MiB, tail, wait_for
from peers import rte_vhost_factory  # noqa: F401
from test_tgt_io import STAMP_MAGIC, SECTOR, uring_file, verify_args
from vhost_user_fe import BLK_S_OK, BLK_T_IN, BLK_T_OUT, PF_INFLIGHT_SHMFD, QSIZE, Frontend

QUEUES, QD, BS, SIZE, PASSES = 2, 16, 4096, 16 * MiB, 2
# Each request is held 20 ms: QD requests per queue are in flight nearly all
# the time, and a pass takes seconds.
DELAY_US = 20000


def crash_mid_verify(rte_vhost_factory, storlab, workdir, inflight):  # noqa: F811
    """Runs verify on a file-backed peer, kills the peer once the first write
    has reached the file (the write phase of pass 1 is under way, with
    requests held), restarts it, and returns (report, peer, file)."""
    img = uring_file(workdir, size=SIZE)
    peer = rte_vhost_factory(file=img, queues=QUEUES, delay_us=DELAY_US, inflight=inflight)
    v = storlab.bg(*verify_args(peer.uri, QUEUES, QD, BS, SIZE, PASSES),
                   "--reconnect-timeout", 30)

    def first_write_landed():
        assert v.alive(), "verify ended before the kill:\n" + tail(v.stdout + v.stderr)
        with open(img, "rb") as f:
            return struct.unpack("<Q", f.read(8))[0] == STAMP_MAGIC

    wait_for(first_write_landed, 30, "the first write in %s" % img, interval=0.01)
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
    seed = int(r["seed"], 16)
    data = img.read_bytes()
    for lba in range(SIZE // SECTOR):
        got = struct.unpack_from("<4Q", data, lba * SECTOR)
        assert got == (STAMP_MAGIC, lba, PASSES, seed), "sector %d holds %s" % (
            lba, [hex(x) for x in got])


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
    """On the wire: a region that says three heads were in flight (taken in
    the order 6, 0, 3) when the last back-end went, handed to rte_vhost_blk
    with the ring's base at its used idx (0): the peer runs them first, in
    that order, each once, then goes on from the avail idx past them."""
    img = uring_file(workdir, size=SIZE)
    peer = rte_vhost_factory(file=img, queues=1, inflight=True)
    fe = Frontend(peer.sock)
    try:
        fe.setup(nqueues=0, pfeatures=PF_INFLIGHT_SHMFD)
        desc, fd = fe.get_inflight(1, QSIZE)
        fe.ring_init(0)
        writes = [fe.submit(0, BLK_T_OUT, 8 * i, bytes([0x41 + i]) * 512) for i in range(3)]
        assert [w[0] for w in writes] == [0, 3, 6], writes
        with mmap.mmap(fd, desc[0]) as buf:
            # Version 1: a region a back-end has used ("Inflight I/O
            # tracking": 0 is an uninitialized buffer, nothing to resubmit).
            struct.pack_into("<H", buf, 8, 1)
            for head, counter in ((6, 10), (0, 11), (3, 12)):
                struct.pack_into("<B5xHQ", buf, 16 + 16 * head, 1, 0, counter)
        assert fe.set_inflight(desc[0], 0, 1, QSIZE, [fd]) == 0
        os.close(fd)
        fe.setup_queue(0, base=0)
        fe.wait_used(0, 3)
        used = fe.queues[0]["used"]
        ids = [struct.unpack_from("<I", fe.get(used + 4 + 8 * i, 4))[0] for i in range(3)]
        assert ids == [6, 0, 3], "used ids %s, expected the counter order 6, 0, 3" % ids
        assert [fe.status(w[2]) for w in writes] == [BLK_S_OK] * 3
        head, data, status = fe.submit(0, BLK_T_IN, 8, length=512)
        fe.kick(0)
        fe.wait_used(0, 4)
        assert struct.unpack_from("<I", fe.get(used + 4 + 8 * 3, 4))[0] == head
        assert fe.status(status) == BLK_S_OK
        assert fe.get(data, 512) == b"\x42" * 512, "the resubmitted write did not land"
    finally:
        fe.close()
    assert "vid 0 queue 0: resubmitted 3" in peer.log, tail(peer.log)
    with open(img, "rb") as f:
        assert [f.read(4096)[:512] for _ in range(3)] == [bytes([0x41 + i]) * 512
                                                          for i in range(3)]
