# SPDX-License-Identifier: MIT
"""lib/vfio-user's server against raw messages packed by hand.

Every message is written here with struct.pack from the tables of QEMU's
docs/interop/vfio-user.rst (and <linux/vfio.h> for region and IRQ info), never
through our codec, as libvfio-user's own tests do; fds go as SCM_RIGHTS
(socket.send_fds): a memfd for DMA_MAP, an eventfd for SET_IRQS. The server
is tests/peers/vfio_user_sample (sample.h has its registers), one process for
the module; each test attaches its own client and leaves no state behind.
"""

import errno
import json
import mmap
import os
import socket
import struct
import tempfile
import time
from pathlib import Path

import pytest

from conftest import tail, wait_for
from peers import Peer

MAX_DMA_MAPS = 4
MAX_XFER = 65536

# "Header": id, command, size, flags, error.
HDR = struct.Struct("<HHIII")
F_REPLY, F_NO_REPLY, F_ERROR = 0x1, 0x10, 0x20
VERSION, DMA_MAP, DMA_UNMAP, GET_INFO, GET_REGION_INFO = 1, 2, 3, 4, 5
GET_IRQ_INFO, SET_IRQS, REGION_READ, REGION_WRITE, DEVICE_RESET = 7, 8, 9, 10, 13
# <linux/vfio.h>
DEVICE_FLAGS_RESET, DEVICE_FLAGS_PCI = 1, 2
PCI_NUM_REGIONS, PCI_NUM_IRQS, BAR0, CONFIG, MSIX = 9, 5, 0, 7, 2
REGION_READ_F, REGION_WRITE_F, REGION_MMAP_F, REGION_CAPS_F = 1, 2, 4, 8
CAP_SPARSE_MMAP = 1
IRQ_INFO_EVENTFD, IRQ_INFO_NORESIZE = 1, 8
DATA_NONE, DATA_BOOL, DATA_EVENTFD = 1, 2, 4
ACTION_MASK, ACTION_TRIGGER = 8, 32
UNMAP_FLAG_ALL = 2
# The sample device (tests/peers/vfio_user_sample/sample.h).
SAMPLE_ID = 0x53554656
REG_ID, REG_STATUS, REG_SRC, REG_CMD, REG_QUIESCES = 0x00, 0x04, 0x08, 0x1c, 0x20
CMD_COPY, CMD_IRQ = 1, 2
PAGE = 4096
IOVA = 0x100000


class Closed(Exception):
    """The server closed the connection."""


class Client:
    """One vfio-user client connection speaking raw bytes."""

    def __init__(self, server):
        self.server = server
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(5)
        self.sock.connect(server.sock)
        self.msg_id = 0

    def send(self, cmd, payload=b"", fds=(), flags=0, size=None):
        self.msg_id = (self.msg_id + 1) & 0xffff
        size = 16 + len(payload) if size is None else size
        data = HDR.pack(self.msg_id, cmd, size, flags, 0) + payload
        if fds:
            socket.send_fds(self.sock, [data], list(fds))
        else:
            self.sock.sendall(data)

    def _read(self, n, fds):
        buf = b""
        while len(buf) < n:
            chunk, got, _, _ = socket.recv_fds(self.sock, n - len(buf), 4)
            fds.extend(got)
            if not chunk:
                raise Closed()
            buf += chunk
        return buf

    def recv(self):
        """(header tuple, payload, fds) of the next message."""
        fds = []
        hdr = HDR.unpack(self._read(16, fds))
        payload = self._read(hdr[2] - 16, fds) if hdr[2] > 16 else b""
        return hdr, payload, fds

    def call(self, cmd, payload=b"", fds=(), flags=0, size=None):
        """Sends a command; returns (errno or 0, payload, fds) of its reply."""
        self.send(cmd, payload, fds, flags, size)
        (msg_id, rcmd, size, rflags, err), data, rfds = self.recv()
        assert (msg_id, rcmd) == (self.msg_id, cmd), "reply to another command"
        assert rflags & 0xf == F_REPLY, "not a reply: flags 0x%x" % rflags
        if rflags & F_ERROR:
            assert size == 16 and not rfds, "an error reply is the header only"
            return err, data, rfds
        return 0, data, rfds

    def ok(self, cmd, payload=b"", fds=()):
        err, data, rfds = self.call(cmd, payload, fds)
        assert err == 0, "%d: %s failed: %s" % (cmd, payload.hex(), os.strerror(err))
        return data, rfds

    def closed(self):
        """True when the server closed the connection (EOF)."""
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def version(self, major=0, minor=0, caps=None):
        data = struct.pack("<HH", major, minor)
        if caps is not None:
            data += json.dumps({"capabilities": caps}).encode() + b"\0"
        return self.call(VERSION, data)

    def close(self):
        """Closes and waits until the server has dropped us too."""
        self.sock.close()
        self.server.wait_idle()

    # Device helpers.
    def read(self, region, offset, count):
        data, _ = self.ok(REGION_READ, struct.pack("<QII", offset, region, count))
        assert data[:16] == struct.pack("<QII", offset, region, count)
        assert len(data) == 16 + count
        return data[16:]

    def write(self, region, offset, data):
        reply, _ = self.ok(REGION_WRITE, struct.pack("<QII", offset, region, len(data)) + data)
        assert reply == struct.pack("<QII", offset, region, len(data))

    def reg(self, offset, width=4):
        return int.from_bytes(self.read(BAR0, offset, width), "little")

    def command(self, src, dst, length, cmd):
        """SRC, DST, LEN and CMD in one write; returns STATUS."""
        self.write(BAR0, REG_SRC, struct.pack("<QQII", src, dst, length, cmd))
        return self.reg(REG_STATUS)

    def dma_map(self, iova, size, fd=None, offset=0, flags=3):
        fds = () if fd is None else (fd,)
        return self.call(DMA_MAP, struct.pack("<IIQQQ", 32, flags, offset, iova, size), fds)[0]

    def dma_unmap(self, iova, size, flags=0):
        req = struct.pack("<IIQQ", 24, flags, iova, size)
        err, data, _ = self.call(DMA_UNMAP, req)
        if not err:
            assert data == req, "DMA_UNMAP: \"responds with the original DMA entry\""
        return err

    def set_irqs(self, flags, index, start, count, data=b"", fds=()):
        payload = struct.pack("<IIIII", 20 + len(data), flags, index, start, count) + data
        return self.call(SET_IRQS, payload, fds)[0]


class Server(Peer):
    def connections(self):
        log = self.log
        return log.count("client connected"), log.count("client closed")

    def wait_idle(self):
        wait_for(lambda: self.connections()[0] == self.connections()[1], 10,
                 "the server to drop its client")

    def attach(self, **caps):
        c = Client(self)
        err, data, _ = c.version(caps=caps or {"max_msg_fds": 8})
        assert err == 0, "VERSION refused: %s" % os.strerror(err)
        return c, data


@pytest.fixture(scope="module")
def srv():
    with tempfile.TemporaryDirectory(prefix="vfu-", dir="/tmp") as d:
        s = Server("vfio_user_sample", Path(d), ["--max-dma-maps", MAX_DMA_MAPS,
                                                 "--max-data-xfer", MAX_XFER], "vfu")
        try:
            yield s
            s.stop()
        finally:
            s.close()


def memfd(size, pattern=None):
    fd = os.memfd_create("vfu-test-dma")
    os.ftruncate(fd, size)
    if pattern:
        os.pwrite(fd, pattern, 0)
    return fd


def test_version_negotiated(srv):
    c = Client(srv)
    err, data, fds = c.version(minor=7, caps={"max_msg_fds": 8, "max_dma_maps": 100,
                                              "pgsizes": 4096 | 65536})
    assert err == 0 and not fds
    major, minor = struct.unpack_from("<HH", data)
    assert (major, minor) == (0, 0), "the major proposed, a minor no higher"
    assert data.endswith(b"\0")
    caps = json.loads(data[4:-1])["capabilities"]
    assert caps["max_dma_maps"] == MAX_DMA_MAPS
    assert caps["max_data_xfer_size"] == MAX_XFER
    assert caps["pgsizes"] == 4096, "a subset of what was proposed"
    assert caps["max_msg_fds"] >= 1
    c.close()


@pytest.mark.parametrize("major,caps", [(1, {}), (0, {"pgsizes": 65536})])
def test_version_refused_closes(srv, major, caps):
    c = Client(srv)
    err, _, _ = c.version(major=major, caps=caps)
    assert err == errno.EINVAL
    assert c.closed()
    c.close()


def test_version_missing(srv):
    c = Client(srv)
    err, _, _ = c.call(GET_INFO, struct.pack("<IIII", 16, 0, 0, 0))
    assert err == errno.EINVAL
    assert c.closed(), "nothing is served before VERSION"
    c.close()
    assert "before VERSION" in srv.log


def test_version_repeated(srv):
    c, _ = srv.attach()
    err, _, _ = c.version()
    assert err == errno.EINVAL
    data, _ = c.ok(GET_INFO, struct.pack("<IIII", 16, 0, 0, 0))
    assert len(data) == 16, "the connection goes on"
    c.close()


def test_device_info(srv):
    c, _ = srv.attach()
    data, _ = c.ok(GET_INFO, struct.pack("<IIII", 16, 0, 0, 0))
    assert struct.unpack("<IIII", data) == (16, DEVICE_FLAGS_PCI | DEVICE_FLAGS_RESET,
                                            PCI_NUM_REGIONS, PCI_NUM_IRQS)
    data, _ = c.ok(GET_IRQ_INFO, struct.pack("<IIII", 16, 0, MSIX, 0))
    assert struct.unpack("<IIII", data) == (16, IRQ_INFO_EVENTFD | IRQ_INFO_NORESIZE, MSIX, 4)
    assert c.call(GET_IRQ_INFO, struct.pack("<IIII", 16, 0, PCI_NUM_IRQS, 0))[0] == errno.EINVAL
    c.close()


def region_info(c, index, argsz):
    err, data, fds = c.call(GET_REGION_INFO, struct.pack("<IIIIQQ", argsz, 0, index, 0, 0, 0))
    assert err == 0
    return struct.unpack_from("<IIIIQQ", data), data, fds


def test_region_info_and_mmap(srv):
    c, _ = srv.attach()
    # Too small for the capability: argsz says what is needed.
    (argsz, flags, index, cap_off, size, off), data, fds = region_info(c, BAR0, 32)
    assert len(data) == 32 and argsz == 32 + 16 + 16
    assert flags & (REGION_READ_F | REGION_WRITE_F | REGION_MMAP_F) == 7 and size == 8192
    assert len(fds) == 1, "MMAP: \"the reply will include a file descriptor\""
    os.close(fds[0])
    (argsz, flags, index, cap_off, size, off), data, fds = region_info(c, BAR0, argsz)
    assert flags & REGION_CAPS_F and cap_off == 32 and len(data) == argsz
    assert struct.unpack_from("<HHIII", data, cap_off) == (CAP_SPARSE_MMAP, 1, 0, 1, 0)
    area_off, area_size = struct.unpack_from("<QQ", data, cap_off + 16)
    assert (area_off, area_size) == (PAGE, PAGE)
    # The sparse area through the fd and through REGION_READ/WRITE: one memory.
    with mmap.mmap(fds[0], area_size, offset=off + area_off) as m:
        os.close(fds[0])
        m[0:16] = b"client-via-mmap!"
        assert c.read(BAR0, PAGE, 16) == b"client-via-mmap!"
        c.write(BAR0, PAGE + 100, b"server-side")
        assert m[100:111] == b"server-side"
    # The config space: no fd, a type-0 header with an 8 KiB BAR0.
    (_, flags, _, _, size, _), _, fds = region_info(c, CONFIG, 32)
    assert (flags, size, fds) == (REGION_READ_F | REGION_WRITE_F, 256, [])
    cfg = c.read(CONFIG, 0, 256)
    assert struct.unpack_from("<HH", cfg, 0) == (0x1b36, 0x0005)
    assert cfg[0x0e] == 0, "header type 0"
    c.write(CONFIG, 0x10, b"\xff\xff\xff\xff")
    assert c.read(CONFIG, 0x10, 4) == struct.pack("<I", (~(8192 - 1)) & 0xffffffff)
    c.close()


def test_region_access_bounds(srv):
    c, _ = srv.attach()
    for width in (1, 2, 4, 8):
        assert c.read(BAR0, REG_ID, width) == struct.pack("<Q", SAMPLE_ID)[:width]
    assert c.read(BAR0, 8192, 0) == b"", "an empty access at the end is inside"

    def read_err(region, offset, count):
        return c.call(REGION_READ, struct.pack("<QII", offset, region, count))[0]

    assert read_err(BAR0, 8190, 4) == errno.EINVAL, "past the end"
    assert read_err(BAR0, 1 << 63, 1) == errno.EINVAL
    assert read_err(1, 0, 4) == errno.EINVAL, "region 1 is empty"
    assert read_err(PCI_NUM_REGIONS, 0, 4) == errno.EINVAL, "no such region"
    assert read_err(BAR0, 0, MAX_XFER + 1) == errno.E2BIG, "past max_data_xfer_size"
    # A write's payload must be exactly count bytes.
    err, _, _ = c.call(REGION_WRITE, struct.pack("<QII", REG_SRC, BAR0, 8) + b"\0" * 4)
    assert err == errno.EINVAL
    # Registers the sample keeps read-only stay.
    c.write(BAR0, REG_ID, b"\0\0\0\0")
    assert c.reg(REG_ID) == SAMPLE_ID
    c.close()


def test_dma_copy_through_mapping(srv):
    c, _ = srv.attach()
    pattern = bytes((i * 7 + 3) & 0xff for i in range(PAGE))
    fd = memfd(2 * PAGE, pattern)
    quiesces = c.reg(REG_QUIESCES)
    assert c.dma_map(IOVA, 2 * PAGE, fd) == 0
    assert c.reg(REG_QUIESCES) == quiesces + 1, "the table changed under a quiesce"
    assert c.command(IOVA, IOVA + PAGE, PAGE, CMD_COPY) == 0
    assert os.pread(fd, PAGE, PAGE) == pattern, "the device copied through the mapping"
    # Past the mapping: the device's translation refuses it.
    assert c.command(IOVA, IOVA + PAGE + 1, PAGE, CMD_COPY) == errno.EFAULT
    # A window without an fd is recorded, not mapped, and needs no quiesce.
    assert c.dma_map(0x200000, PAGE) == 0
    assert c.reg(REG_QUIESCES) == quiesces + 1
    assert c.command(0x200000, IOVA, 16, CMD_COPY) == errno.EFAULT
    assert c.dma_unmap(IOVA, 2 * PAGE) == 0
    assert c.reg(REG_QUIESCES) == quiesces + 2
    assert c.command(IOVA, IOVA + PAGE, 16, CMD_COPY) == errno.EFAULT, "unmapped"
    os.close(fd)
    c.close()


def test_dma_overlap_and_unknown_unmap(srv):
    c, _ = srv.attach()
    fd = memfd(4 * PAGE)
    assert c.dma_map(IOVA, 2 * PAGE, fd) == 0
    assert c.dma_map(IOVA + PAGE, 2 * PAGE, fd) == errno.EEXIST
    assert c.dma_map(IOVA - PAGE, 2 * PAGE) == errno.EEXIST, "without an fd too"
    assert c.dma_map(IOVA + 2 * PAGE, PAGE, fd, offset=2 * PAGE) == 0, "adjacent is fine"
    assert c.dma_unmap(IOVA, PAGE) == errno.ENOENT, "only an exact mapping"
    assert c.dma_unmap(0x900000, PAGE) == errno.ENOENT
    assert c.dma_map(IOVA + 0x10, PAGE) == errno.EINVAL, "not page aligned"
    assert c.dma_unmap(IOVA, 2 * PAGE) == 0
    assert c.dma_unmap(IOVA, 2 * PAGE) == errno.ENOENT, "already gone"
    os.close(fd)
    c.close()


def test_dma_max_maps_and_unmap_all(srv):
    c, _ = srv.attach()
    fd = memfd(PAGE)
    assert c.dma_map(0, PAGE, fd) == 0
    for i in range(1, MAX_DMA_MAPS):
        assert c.dma_map(i * 0x10000, PAGE) == 0
    assert c.dma_map(0x900000, PAGE) == errno.ENOSPC, "max_dma_maps"
    assert c.dma_unmap(0, 0, UNMAP_FLAG_ALL) == 0
    assert c.command(0, 0x10, 16, CMD_COPY) == errno.EFAULT, "all unmapped"
    assert c.dma_map(0x900000, PAGE, fd) == 0, "room again"
    os.close(fd)
    c.close()


def test_set_irqs_eventfd(srv):
    c, _ = srv.attach()
    efd = os.eventfd(0, os.EFD_NONBLOCK)
    assert c.set_irqs(DATA_EVENTFD | ACTION_TRIGGER, MSIX, 1, 1, fds=(efd,)) == 0
    assert c.command(0, 0, 1, CMD_IRQ) == 0
    assert os.eventfd_read(efd) == 1, "the device signalled vector 1"
    # The client triggers it itself: DATA_NONE and DATA_BOOL.
    assert c.set_irqs(DATA_NONE | ACTION_TRIGGER, MSIX, 1, 1) == 0
    assert c.set_irqs(DATA_BOOL | ACTION_TRIGGER, MSIX, 0, 2, b"\0\1") == 0
    assert os.eventfd_read(efd) == 2
    assert c.command(0, 0, 0, CMD_IRQ) == errno.ENOENT, "vector 0 has no eventfd"
    # What the index does not support, and ranges outside it.
    assert c.set_irqs(DATA_NONE | ACTION_MASK, MSIX, 0, 1) == errno.EINVAL, "not MASKABLE"
    assert c.set_irqs(DATA_NONE | ACTION_TRIGGER, MSIX, 3, 2) == errno.EINVAL
    assert c.set_irqs(DATA_NONE | ACTION_TRIGGER, 0, 0, 1) == errno.EINVAL, "INTx has none"
    assert c.set_irqs(DATA_NONE | ACTION_TRIGGER, PCI_NUM_IRQS, 0, 0) == errno.EINVAL
    # Missing fds: two eventfds announced, one sent.
    assert c.set_irqs(DATA_EVENTFD | ACTION_TRIGGER, MSIX, 0, 2, fds=(efd,)) == errno.EINVAL
    # count 0 with DATA_NONE disables the index.
    assert c.set_irqs(DATA_NONE | ACTION_TRIGGER, MSIX, 0, 0) == 0
    assert c.command(0, 0, 1, CMD_IRQ) == errno.ENOENT
    os.close(efd)
    c.close()


def test_reset(srv):
    c, _ = srv.attach()
    c.write(BAR0, REG_SRC, struct.pack("<Q", 0x1234))
    assert c.ok(DEVICE_RESET) == (b"", [])
    assert c.reg(REG_SRC, 8) == 0
    c.close()


@pytest.mark.parametrize("what,hdr", [
    ("size below the header", HDR.pack(1, GET_INFO, 8, 0, 0)),
    ("size past what the server takes", HDR.pack(1, REGION_WRITE, 1 << 24, 0, 0)),
    ("a reply sent to the server", HDR.pack(1, GET_INFO, 16, F_REPLY, 0)),
    ("a server -> client command", HDR.pack(1, 11, 32, 0, 0)),
])
def test_malformed_header_closes(srv, what, hdr):
    c, _ = srv.attach()
    before = srv.log.count("vfio-user.rst")
    c.sock.sendall(hdr)
    assert c.closed(), what
    c.close()
    assert srv.log.count("vfio-user.rst") > before, "a log line cites the spec"


def test_malformed_payload_answered(srv):
    c, _ = srv.attach()
    # Command 14 is not assigned: answered, the stream still framed.
    assert c.call(14, b"\0" * 8)[0] == errno.EOPNOTSUPP
    assert c.call(GET_INFO, struct.pack("<II", 16, 0))[0] == errno.EINVAL, "short payload"
    assert c.call(GET_INFO, struct.pack("<IIII", 8, 0, 0, 0))[0] == errno.EINVAL, "argsz"
    # A DMA_MAP with an offset but no fd, and one with two fds.
    assert c.dma_map(IOVA, PAGE, offset=PAGE) == errno.EINVAL
    a, b = memfd(PAGE), memfd(PAGE)
    err, _, _ = c.call(DMA_MAP, struct.pack("<IIQQQ", 32, 3, 0, IOVA, PAGE), (a, b))
    assert err == errno.EINVAL
    # An fd with a command that carries none.
    assert c.call(GET_INFO, struct.pack("<IIII", 16, 0, 0, 0), (a,))[0] == errno.EINVAL
    os.close(a)
    os.close(b)
    # No_reply: nothing comes back, the next command is answered.
    c.send(DEVICE_RESET, flags=F_NO_REPLY)
    data, _ = c.ok(GET_INFO, struct.pack("<IIII", 16, 0, 0, 0))
    assert len(data) == 16
    c.close()


def test_one_client_at_a_time_and_reattach(srv):
    c, _ = srv.attach()
    fd = memfd(2 * PAGE, b"x" * PAGE)
    efd = os.eventfd(0, os.EFD_NONBLOCK)
    assert c.dma_map(IOVA, 2 * PAGE, fd) == 0
    assert c.set_irqs(DATA_EVENTFD | ACTION_TRIGGER, MSIX, 0, 1, fds=(efd,)) == 0
    second = Client(srv)
    assert second.closed(), "a second client is refused while one is attached"
    second.sock.close()
    assert "a second client" in srv.log
    assert c.command(IOVA, IOVA + PAGE, 16, CMD_COPY) == 0, "the first one still served"
    c.close()
    # The next client finds nothing of the last one's.
    c, _ = srv.attach()
    assert c.command(IOVA, IOVA + PAGE, 16, CMD_COPY) == errno.EFAULT, "DMA table cleared"
    assert c.command(0, 0, 0, CMD_IRQ) == errno.ENOENT, "eventfds forgotten"
    # A client that leaves in the middle of a message.
    c.sock.sendall(HDR.pack(1, GET_INFO, 32, 0, 0) + b"\0" * 4)
    c.close()
    c, _ = srv.attach()
    c.close()
    os.close(fd)
    os.close(efd)
    assert srv.bg.alive(), tail(srv.log)
