# SPDX-License-Identifier: MIT
"""In-flight I/O tracking (vhost-user.rst "Inflight I/O tracking",
VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD) with real processes: storlab-tgt's
answers to GET/SET_INFLIGHT_FD on the wire, a storlab-tgt killed with
requests in flight and restarted on the same socket and file, whose
requests complete exactly once after our initiator's reconnect, and a
back-end that loses them (bad_backend lose-inflight), which the reconnect
run catches within a bounded wait."""

import json
import mmap
import os
import signal
import struct
import time

from conftest import MiB, tail, wait_for
from peers import bad_backend_factory  # noqa: F401
from test_tgt_io import assert_stamped, uring_file, verify_args, wait_io
from vhost_user_fe import (PF_INFLIGHT_SHMFD, QSIZE, SET_INFLIGHT_FD, Frontend,
                           check_resubmit_in_counter_order)

EINVAL, ENOTSUP = 22, 95


def region_bytes(queue_size):
    """One queue's region: 16 bytes of header and 16 per descriptor,
    aligned on 64 (as DPDK and libvhost-user lay the buffer out)."""
    return (16 + 16 * queue_size + 63) // 64 * 64


def test_get_set_inflight_fd(tgt):
    tgt.malloc("Malloc0", 16, 512)
    tgt.controller("vhost.0", "Malloc0", num_queues=2)
    fe = Frontend(tgt.sock("vhost.0"))
    try:
        fe.setup(nqueues=0, pfeatures=PF_INFLIGHT_SHMFD)
        desc, fd = fe.get_inflight(2, QSIZE)
        size = 2 * region_bytes(QSIZE)
        assert desc == (size, 0, 2, QSIZE), desc
        assert os.fstat(fd).st_size >= size
        with mmap.mmap(fd, size) as buf:
            for q in range(2):
                features, version, desc_num, last, used = struct.unpack_from(
                    "<QHHHH", buf, q * region_bytes(QSIZE))
                assert (features, version, desc_num, last, used) == (0, 1, QSIZE, 0, 0)
            assert buf[16:region_bytes(QSIZE)] == bytes(region_bytes(QSIZE) - 16)
        # Handed back: taken; and refused, each with its spec section.
        assert fe.set_inflight(size, 0, 2, QSIZE, [fd]) == 0
        assert fe.set_inflight(size - 1, 0, 2, QSIZE, [fd]) == EINVAL
        assert fe.set_inflight(size, 0, 2, QSIZE) == EINVAL
        assert fe.set_inflight(size, 0, 3, QSIZE, [fd]) == EINVAL
        assert fe.get_inflight(0, QSIZE) == (None, None)
        assert fe.get_inflight(2, 0) == (None, None)
        os.close(fd)
        log = tgt.log
        for says in ("mmap size is smaller than num queues regions",
                     "the buffer's fd is in the ancillary data: 0 fds",
                     "num queues is 0 or more than the back-end's queues",
                     "queue size is 0"):
            assert says in log, "storlab-tgt did not log %r:\n%s" % (says, tail(log))
    finally:
        fe.close()
    # Without INFLIGHT_SHMFD negotiated it is refused as unsupported.
    fe = Frontend(tgt.sock("vhost.0"))
    try:
        fe.setup(nqueues=0)
        fe.send(SET_INFLIGHT_FD, bytes(24), need_reply=True)
        assert struct.unpack("<Q", fe.recv(SET_INFLIGHT_FD))[0] == ENOTSUP
    finally:
        fe.close()
    assert tgt.alive()


def test_resubmits_in_counter_order(tgt):
    """On the wire: a buffer that says three heads were in flight (taken in
    the order 6, 0, 3) when the last back-end went, handed to storlab-tgt
    with the ring's base at its used idx (0): the ring runs them first, in
    that order, each once, then goes on from the avail idx past them."""
    tgt.malloc("Malloc0", 16, 512)
    tgt.controller("vhost.0", "Malloc0", num_queues=1)
    check_resubmit_in_counter_order(tgt.sock("vhost.0"))
    q = tgt.stats("vhost.0")["queues"][0]
    assert (q["resubmitted"], q["requests"]["write"], q["requests"]["read"]) == (3, 3, 1), q


def kill_and_restart_tgt(tgt, setup):
    """SIGKILL storlab-tgt (no drain, no goodbye) and start it again on the
    same sockets and backing file."""
    tgt.bg.kill(signal.SIGKILL)
    tgt.bg.wait(30)
    tgt.start()
    setup()


def test_crash_resubmits_in_flight(tgt, storlab, workdir):
    """Requests in flight on a delay bdev when storlab-tgt is killed: after
    the restart and the reconnect, the target runs them again and each
    completes exactly once, and what was written reads back."""
    img = uring_file(workdir)
    queues, qd, bs, size, passes = 2, 16, 4096, 4 * MiB, 2

    def setup():
        tgt.rpc("bdev_uring_create", img, "Uring0", 512)
        tgt.rpc("bdev_delay_create", "-b", "Uring0", "-d", "Slow0", "-r", 20000, "-t", 20000,
                "-w", 20000, "-n", 20000)
        return tgt.controller("vhost.0", "Slow0", num_queues=queues)

    uri = setup()
    v = storlab.bg(*verify_args(uri, queues, qd, bs, size, passes), "--reconnect-timeout", 30)
    wait_io(tgt, "vhost.0", v)
    wait_for(lambda: all(q["inflight"] == qd for q in tgt.stats("vhost.0")["queues"]), 20,
             "%d requests in flight on each queue" % qd, interval=0.02)
    kill_and_restart_tgt(tgt, setup)
    rc = v.wait(300)
    assert rc == 0, "verify across a crash exited %d:\n%s" % (rc, tail(v.stdout + v.stderr))
    r = json.loads(v.stdout)
    assert (r["result"], r["reconnects"], r["lost"]) == ("pass", 1, 0), r
    assert (r["bad_sectors"], r["io_errors"], r["mismatches"]) == (0, 0, []), r
    # Every request once: a phase goes on after the reconnect (nothing is
    # redone), so each queue did exactly its blocks, written and read back,
    # every pass; a request completed twice would have broken its ring.
    blocks = size // bs
    want = [{"queue": k, "requests": 2 * len(range(k, blocks, queues)) * passes,
             "bytes": 2 * len(range(k, blocks, queues)) * passes * bs} for k in range(queues)]
    assert r["per_queue"] == want, r["per_queue"]
    assert r["bytes_written"] == r["bytes_read"] == size * passes, r
    # The restarted target ran again what the killed one had in flight.
    resubmitted = [q["resubmitted"] for q in tgt.stats("vhost.0")["queues"]]
    assert sum(resubmitted) > 0 and r["resubmitted"] >= sum(resubmitted), (resubmitted, r)
    assert "in flight at the last disconnect run again" in tgt.log, tail(tgt.log)
    # The file holds the last pass's stamps, sector by sector.
    assert_stamped(img.read_bytes(), size, passes, int(r["seed"], 16))


def test_lost_in_flight_caught(bad_backend_factory, storlab):  # noqa: F811
    """A back-end that loses what was in flight (bad_backend lose-inflight:
    marks its requests, never resubmits them after a restart): the
    reconnecting verify says which requests never came back, within its
    reconnect timeout, and fails."""
    peer = bad_backend_factory("lose-inflight", size_mb=16, queues=1,
                               extra=("--slow-us", 100000))
    v = storlab.bg("io", "verify", peer.uri, "--qd", 4, "--bs", 4096, "--size", "256K",
                   "--reconnect-timeout", 3, "--json")
    # 64 writes of 100 ms each, one at a time: the kill lands mid-phase,
    # with one request held between its pop and its push.
    time.sleep(1.5)
    assert v.alive(), "verify ended early:\n" + tail(v.stdout + v.stderr)
    peer.kill_restart()
    rc = v.wait(60)
    assert rc == 1, "verify exited %d:\n%s" % (rc, tail(v.stdout + v.stderr))
    r = json.loads(v.stdout)
    assert r["result"] == "fail" and r["reconnects"] == 1 and r["lost"] >= 1, r
    assert ("request(s) in flight at the disconnect did not complete within 3000 ms of the "
            "reconnect: the back-end lost them") in v.stderr, tail(v.stderr)
    assert ("requests in flight at the disconnect never completed after the reconnect"
            in v.stderr), tail(v.stderr)
