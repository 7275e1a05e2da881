# SPDX-License-Identifier: MIT
"""A minimal vhost-user front-end in Python (virtio-blk requests built in;
other devices build their chains with submit_chain), for tests that need to
control each message and each descriptor themselves (when a reply may come,
which fd the back-end holds): QEMU docs/interop/vhost-user.rst for the
messages, virtio 1.2 §2.7 (split virtqueues) and §5.2.6 (virtio-blk requests)
for the ring.

One memfd is guest memory (gpa 0 = its first byte; the "user address" we
give the back-end is UVA + gpa), mapped here too. Queue q's ring lives at
RING_BASE + q * RING_STRIDE; request buffers are carved after the rings.
Messages are sent with REPLY_ACK's NEED_REPLY where the test wants to know
when the back-end has applied them; reading the answer is the caller's
choice (send / recv), so a test can watch a reply that has not come yet.
"""

import array
import mmap
import os
import select
import socket
import struct
import time

# vhost-user.rst "Front-end message types"
GET_FEATURES, SET_FEATURES, SET_OWNER = 1, 2, 3
SET_MEM_TABLE, SET_LOG_BASE = 5, 6
SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE, GET_VRING_BASE = 8, 9, 10, 11
SET_VRING_KICK, SET_VRING_CALL = 12, 13
GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES = 15, 16
SET_VRING_ENABLE = 18
GET_INFLIGHT_FD, SET_INFLIGHT_FD = 31, 32

VERSION, REPLY, NEED_REPLY = 0x1, 0x4, 0x8
F_PROTOCOL_FEATURES = 1 << 30
PF_LOG_SHMFD, PF_REPLY_ACK = 1 << 1, 1 << 3
PF_INFLIGHT_SHMFD = 1 << 12
VIRTIO_F_VERSION_1 = 1 << 32
# "Migration": dirty logging (a vhost feature bit) and a ring's used-ring flag
F_LOG_ALL = 1 << 26
VRING_F_LOG = 1 << 0

# virtio 1.2 §2.7.5 descriptor flags, §5.2.6 request types and status
DESC_F_NEXT, DESC_F_WRITE = 1, 2
BLK_T_IN, BLK_T_OUT = 0, 1
BLK_S_OK = 0

MEM_SIZE = 8 << 20
UVA = 0x7F0000000000
RING_BASE = 0x10000
RING_STRIDE = 0x10000
DATA_BASE = 0x100000
QSIZE = 64


class Frontend:
    """One connection to a vhost-user-blk back-end, with queue 0..n-1 set up
    by setup()."""

    def __init__(self, path, timeout=10):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.memfd = os.memfd_create("guest", os.MFD_CLOEXEC)
        os.ftruncate(self.memfd, MEM_SIZE)
        self.mem = mmap.mmap(self.memfd, MEM_SIZE)
        self.next_data = DATA_BASE
        self.queues = {}

    def close(self):
        for q in self.queues.values():
            for fd in (q["kick"], q["call"]):
                os.close(fd)
        self.sock.close()
        self.mem.close()
        os.close(self.memfd)

    # -- messages --
    def send(self, request, payload=b"", fds=(), need_reply=False):
        flags = VERSION | (NEED_REPLY if need_reply else 0)
        hdr = struct.pack("<III", request, flags, len(payload))
        anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
        self.sock.sendmsg([hdr + payload], anc)

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("the back-end closed the connection")
            buf += chunk
        return buf

    def reply_pending(self):
        """True if a reply (or anything) is there to read now."""
        return bool(select.select([self.sock], [], [], 0)[0])

    def recv(self, request):
        """The reply to REQUEST: its payload."""
        req, flags, size = struct.unpack("<III", self._read(12))
        payload = self._read(size)
        assert req == request and flags & REPLY, (
            "expected a reply to %d, got request %d flags %#x" % (request, req, flags))
        return payload

    def recv_fds(self, request, maxfds=1):
        """The reply to REQUEST with the fds it carries: (payload, [fds])."""
        hdr, fds, _, _ = socket.recv_fds(self.sock, 12, maxfds)
        assert len(hdr) == 12, "a cut header: %r" % hdr
        req, flags, size = struct.unpack("<III", hdr)
        payload = self._read(size)
        assert req == request and flags & REPLY, (
            "expected a reply to %d, got request %d flags %#x" % (request, req, flags))
        return payload, fds

    def call(self, request, payload=b"", fds=()):
        """A request whose reply is mandatory (GET_*): its payload."""
        self.send(request, payload, fds)
        return self.recv(request)

    def acked(self, request, payload=b"", fds=()):
        """A request sent with NEED_REPLY (REPLY_ACK): checks the ack is 0."""
        self.send(request, payload, fds, need_reply=True)
        ack = struct.unpack("<Q", self.recv(request))[0]
        assert ack == 0, "request %d was refused: %d" % (request, ack)

    # -- set-up --
    def setup(self, nqueues=1, features=0, pfeatures=0, vring_flags=0, log_addr=0):
        """Negotiates VERSION_1 and PROTOCOL_FEATURES plus FEATURES,
        REPLY_ACK plus PFEATURES (each must be offered), maps guest memory
        and sets up NQUEUES rings with VRING_FLAGS and LOG_ADDR (their
        log_guest_addr)."""
        self.offered = struct.unpack("<Q", self.call(GET_FEATURES))[0]
        assert self.offered & VIRTIO_F_VERSION_1 and self.offered & F_PROTOCOL_FEATURES, \
            hex(self.offered)
        assert self.offered & features == features, hex(self.offered)
        self.offered_pf = struct.unpack("<Q", self.call(GET_PROTOCOL_FEATURES))[0]
        assert self.offered_pf & (PF_REPLY_ACK | pfeatures) == PF_REPLY_ACK | pfeatures, \
            hex(self.offered_pf)
        self.pfeatures = PF_REPLY_ACK | pfeatures
        self.send(SET_PROTOCOL_FEATURES, struct.pack("<Q", self.pfeatures))
        self.acked(SET_OWNER)
        self.acked(SET_FEATURES, struct.pack("<Q", VIRTIO_F_VERSION_1 | F_PROTOCOL_FEATURES |
                                             features))
        self.acked(SET_MEM_TABLE, struct.pack("<II", 1, 0) +
                   struct.pack("<QQQQ", 0, MEM_SIZE, UVA, 0), fds=[self.memfd])
        for q in range(nqueues):
            self.setup_queue(q, vring_flags, log_addr)

    def set_log_base(self, size, offset=0, fds=(), payload=None):
        """SET_LOG_BASE with LOG_SHMFD negotiated: a log of SIZE bytes at
        OFFSET of the fd in FDS (PAYLOAD overrides the 16-byte body). Its
        reply is mandatory ("Communication"), with no payload: returns it."""
        body = struct.pack("<QQ", size, offset) if payload is None else payload
        return self.call(SET_LOG_BASE, body, fds)

    def get_inflight(self, num_queues, queue_size, size=24):
        """GET_INFLIGHT_FD ("Inflight description": its first SIZE bytes
        sent): the reply's (mmap_size, mmap_offset, num_queues, queue_size)
        and fd, or (None, None) for the empty reply a refusal gets."""
        body = struct.pack("<QQHHI", 0, 0, num_queues, queue_size, 0)[:size]
        self.send(GET_INFLIGHT_FD, body)
        payload, fds = self.recv_fds(GET_INFLIGHT_FD)
        if not payload:
            assert not fds, fds
            return None, None
        assert len(payload) == 24 and len(fds) == 1, (payload, fds)
        return struct.unpack("<QQHH", payload[:20]), fds[0]

    def set_inflight(self, size, offset, num_queues, queue_size, fds=()):
        """SET_INFLIGHT_FD with NEED_REPLY: the ack's value (0: taken)."""
        body = struct.pack("<QQHHI", size, offset, num_queues, queue_size, 0)
        self.send(SET_INFLIGHT_FD, body, fds, need_reply=True)
        return struct.unpack("<Q", self.recv(SET_INFLIGHT_FD))[0]

    def ring_init(self, q):
        """Queue q's ring in guest memory and its eventfds, without a
        message: requests can be made available before the back-end knows
        the ring (setup_queue() tells it)."""
        base = RING_BASE + q * RING_STRIDE
        self.queues[q] = {"desc": base, "avail": base + 0x1000, "used": base + 0x2000,
                          "kick": os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC),
                          "call": os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC),
                          "next_desc": 0, "avail_idx": 0, "used_seen": 0}

    def setup_queue(self, q, vring_flags=0, log_addr=0, base=0):
        if q not in self.queues:
            self.ring_init(q)
        ring = self.queues[q]
        self.acked(SET_VRING_NUM, struct.pack("<II", q, QSIZE))
        self.acked(SET_VRING_BASE, struct.pack("<II", q, base))
        self.acked(SET_VRING_ADDR, struct.pack("<IIQQQQ", q, vring_flags, UVA + ring["desc"],
                                               UVA + ring["used"], UVA + ring["avail"],
                                               log_addr))
        self.acked(SET_VRING_CALL, struct.pack("<Q", q), fds=[ring["call"]])
        self.acked(SET_VRING_KICK, struct.pack("<Q", q), fds=[ring["kick"]])
        self.acked(SET_VRING_ENABLE, struct.pack("<II", q, 1))

    # -- guest memory --
    def alloc(self, n):
        gpa = self.next_data
        self.next_data += (n + 63) & ~63
        assert self.next_data <= MEM_SIZE, "guest memory used up"
        return gpa

    def put(self, gpa, data):
        self.mem[gpa:gpa + len(data)] = data

    def get(self, gpa, n):
        return bytes(self.mem[gpa:gpa + n])

    # -- requests --
    def submit(self, q, rtype, sector, data=None, length=0, at=None):
        """Makes one request available (not kicked): a write of DATA or a
        read of LENGTH bytes at SECTOR, its header, data and status at the
        guest addresses AT (default: the next free ones). Returns (head, data
        gpa, status gpa)."""
        n = len(data) if data is not None else length
        hdr, buf, status = at or (self.alloc(16), self.alloc(n), self.alloc(1))
        self.put(hdr, struct.pack("<IIQ", rtype, 0, sector))
        if data is not None:
            self.put(buf, data)
        self.put(status, b"\xff")
        head = self.submit_chain(q, [(hdr, 16, 0),
                                     (buf, n, DESC_F_WRITE if rtype == BLK_T_IN else 0),
                                     (status, 1, DESC_F_WRITE)])
        return head, buf, status

    def submit_chain(self, q, chain):
        """Makes a chain of (gpa, length, flags) descriptors available on
        queue q (not kicked), in the next free descriptors; returns its head."""
        ring = self.queues[q]
        head = ring["next_desc"]
        for i, (addr, length, flags) in enumerate(chain):
            d = (head + i) % QSIZE
            more = DESC_F_NEXT if i < len(chain) - 1 else 0
            self.put(ring["desc"] + 16 * d,
                     struct.pack("<QIHH", addr, length, flags | more, (d + 1) % QSIZE))
        ring["next_desc"] = (head + len(chain)) % QSIZE
        slot = ring["avail_idx"] % QSIZE
        self.put(ring["avail"] + 4 + 2 * slot, struct.pack("<H", head))
        # The entry before the index that publishes it (x86 keeps store order).
        ring["avail_idx"] = (ring["avail_idx"] + 1) & 0xFFFF
        self.put(ring["avail"] + 2, struct.pack("<H", ring["avail_idx"]))
        return head

    # The name scsi-tgt's tests gave the same helper (both branches added it).
    publish = submit_chain

    def kick(self, q):
        os.eventfd_write(self.queues[q]["kick"], 1)

    def used_idx(self, q):
        return struct.unpack("<H", self.get(self.queues[q]["used"] + 2, 2))[0]

    def wait_used(self, q, count, timeout=10):
        """Waits until the used index reached COUNT (mod 2^16)."""
        deadline = time.monotonic() + timeout
        while self.used_idx(q) != count & 0xFFFF:
            assert time.monotonic() < deadline, (
                "queue %d: used index %d, waited for %d" % (q, self.used_idx(q), count))
            time.sleep(0.001)

    def status(self, gpa):
        return self.get(gpa, 1)[0]


def eventfd_count(fd):
    """An eventfd's counter (reading resets it), 0 if it was not signalled."""
    try:
        return os.eventfd_read(fd)
    except BlockingIOError:
        return 0


def check_resubmit_in_counter_order(path):
    """vhost-user.rst "Inflight I/O tracking", "When reconnecting", on the
    wire against the back-end at PATH (one queue, INFLIGHT_SHMFD offered): a
    region of version 1 (one a back-end has used; 0 is an uninitialized
    buffer) that says three writes, heads 0, 3, 6, were in flight, taken in
    the order 6, 0, 3 (counters 10, 11, 12), handed over with the ring's
    base at its used idx (0). The back-end must use them first, in that
    order, each once, then take the avail ring's fourth entry, a read that
    finds the second write's data."""
    fe = Frontend(path)
    try:
        fe.setup(nqueues=0, pfeatures=PF_INFLIGHT_SHMFD)
        desc, fd = fe.get_inflight(1, QSIZE)
        fe.ring_init(0)
        writes = [fe.submit(0, BLK_T_OUT, 8 * i, bytes([0x41 + i]) * 512) for i in range(3)]
        heads = [w[0] for w in writes]
        assert heads == [0, 3, 6], heads
        with mmap.mmap(fd, desc[0]) as buf:
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
