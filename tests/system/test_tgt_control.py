# SPDX-License-Identifier: MIT
"""storlab-tgt's control thread never waits for a reactor.

A ring that drains slowly (its requests held by a delay bdev) holds up only
its own connection: the reply to GET_VRING_BASE comes once the drain is
over, and meanwhile the target answers RPC and serves another controller's
socket and I/O. Shown by the order in which answers arrive, not by timing:
the delay only makes the drain long enough to do something during it.

A new call fd for a running ring (SET_VRING_CALL, as QEMU sends whenever the
guest masks a vector) is swapped in without stopping the ring: the ring-stop
counter of vhost_get_controller_stats does not move, and the next completion
signals the new eventfd, not the old one.
"""

import json
import os
import socket
import struct

from conftest import wait_for
from vhost_user_fe import (BLK_S_OK, BLK_T_IN, BLK_T_OUT, GET_VRING_BASE,
                           SET_VRING_CALL, Frontend, eventfd_count)

# Long enough to talk to another controller meanwhile (a few ms of work).
HOLD_US = 2000000
BLOCK = 512


def rpc_call(path, method, params=None):
    """One JSON-RPC request on a fresh connection, without storlab(1) (whose
    start-up would blur the ordering): its result."""
    req = {"jsonrpc": "2.0", "id": 1, "method": method}
    if params is not None:
        req["params"] = params
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(str(path))
        s.sendall(json.dumps(req).encode())
        buf = b""
        while True:
            chunk = s.recv(65536)
            assert chunk, "the RPC server closed the connection"
            buf += chunk
            try:
                resp = json.loads(buf)
                break
            except ValueError:
                continue
    assert "error" not in resp, "%s: %s" % (method, resp["error"])
    return resp["result"]


def queue0(tgt, ctrl):
    return tgt.stats(ctrl)["queues"][0]


def pattern(seed, n):
    return bytes((seed * 31 + i * 7) & 0xFF for i in range(n))


def test_slow_drain_blocks_only_its_connection(tgt):
    tgt.malloc("MallocA", 16, BLOCK)
    tgt.rpc("bdev_delay_create", "-b", "MallocA", "-d", "SlowA", "-r", HOLD_US, "-t", HOLD_US,
            "-w", HOLD_US, "-n", HOLD_US)
    tgt.malloc("MallocB", 16, BLOCK)
    tgt.controller("vA", "SlowA", num_queues=1)
    tgt.controller("vB", "MallocB", num_queues=1)
    a, b = Frontend(tgt.sock("vA")), Frontend(tgt.sock("vB"))
    try:
        a.setup()
        stops_before = queue0(tgt, "vA")["ring_stops"]

        # A: four writes in flight on the delay bdev.
        inflight = [a.submit(0, BLK_T_OUT, 8 * i, pattern(i, 4096)) for i in range(4)]
        a.kick(0)
        wait_for(lambda: queue0(tgt, "vA")["inflight"] == 4, 10,
                 "vA's four writes to be in flight")
        assert a.used_idx(0) == 0
        # The ring must stop: the reply waits for the drain.
        a.send(GET_VRING_BASE, struct.pack("<II", 0, 0))

        # Meanwhile B is served: its whole set-up (every message acked), a
        # write and its read-back, and an RPC; all before A's reply.
        assert not a.reply_pending()
        b.setup()
        data = pattern(99, 8192)
        _, _, wst = b.submit(0, BLK_T_OUT, 64, data)
        b.kick(0)
        b.wait_used(0, 1)
        _, rbuf, rst = b.submit(0, BLK_T_IN, 64, length=len(data))
        b.kick(0)
        b.wait_used(0, 2)
        assert b.status(wst) == BLK_S_OK and b.status(rst) == BLK_S_OK
        assert b.get(rbuf, len(data)) == data, "vB read back other data than it wrote"
        assert not a.reply_pending(), "vA's drain finished before vB was served"
        ctrls = rpc_call(tgt.rpc_sock, "vhost_get_controllers")
        assert sorted(c["ctrlr"] for c in ctrls) == ["vA", "vB"], ctrls
        assert not a.reply_pending(), "vA's drain finished before the RPC was answered"

        # Then A's reply, once everything it had in flight was used.
        state = a.recv(GET_VRING_BASE)
        assert struct.unpack("<II", state) == (0, 4), "GET_VRING_BASE answered %r" % (state,)
        assert a.used_idx(0) == 4, "the reply came before every request was used"
        for _, _, st in inflight:
            assert a.status(st) == BLK_S_OK
        assert queue0(tgt, "vA")["ring_stops"] == stops_before + 1
    finally:
        a.close()
        b.close()


def test_call_fd_swapped_without_stopping(tgt):
    tgt.malloc("Malloc0", 16, BLOCK)
    tgt.controller("v0", "Malloc0", num_queues=1)
    fe = Frontend(tgt.sock("v0"))
    new = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
    try:
        fe.setup()
        old = fe.queues[0]["call"]
        _, _, st = fe.submit(0, BLK_T_OUT, 0, pattern(1, 4096))
        fe.kick(0)
        fe.wait_used(0, 1)
        assert fe.status(st) == BLK_S_OK
        wait_for(lambda: eventfd_count(old) > 0, 5, "the first completion's call")
        before = queue0(tgt, "v0")
        assert before["started"], before

        # The back-end acks once its reactor took the new fd.
        fe.acked(SET_VRING_CALL, struct.pack("<Q", 0), fds=[new])
        after = queue0(tgt, "v0")
        assert after["started"], after
        assert (after["ring_starts"], after["ring_stops"]) == (
            before["ring_starts"], before["ring_stops"]), "the swap stopped the ring"

        _, _, st = fe.submit(0, BLK_T_IN, 0, length=4096)
        fe.kick(0)
        fe.wait_used(0, 2)
        assert fe.status(st) == BLK_S_OK
        wait_for(lambda: eventfd_count(new) > 0, 5, "the new call fd to be signalled")
        assert eventfd_count(old) == 0, "the old call fd was signalled after the swap"

        # The counter does move when the ring stops.
        fe.send(GET_VRING_BASE, struct.pack("<II", 0, 0))
        assert struct.unpack("<II", fe.recv(GET_VRING_BASE)) == (0, 2)
        assert queue0(tgt, "v0")["ring_stops"] == before["ring_stops"] + 1
    finally:
        fe.close()
        os.close(new)
