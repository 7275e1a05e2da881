# SPDX-License-Identifier: MIT
"""A raw vfio-user client and a minimal NVMe host driver, for the system
tests of storlab-tgt's vfio-user NVMe controller. Written from the specs
(QEMU docs/interop/vfio-user.rst for the messages, Linux <linux/vfio.h> for
the structures it reuses, NVMe Base 2.1 and NVMe over PCIe Transport 1.1 for
the registers, queues and commands), not from storlab's C code, so that the
two sides cannot agree on a layout the specs do not have."""

import json
import mmap
import os
import socket
import struct
import time

# vfio-user.rst "Header": msg_id u16, command u16, msg_size u32, flags u32,
# error u32; flags 3:0 type (0 command, 1 reply), bit 4 No_reply, bit 5 Error.
HDR = struct.Struct("<HHIII")
VERSION, DMA_MAP, DMA_UNMAP, DEVICE_GET_INFO, GET_REGION_INFO = 1, 2, 3, 4, 5
GET_IRQ_INFO, SET_IRQS, REGION_READ, REGION_WRITE, DEVICE_RESET = 7, 8, 9, 10, 13
FLAG_REPLY, FLAG_ERROR = 0x1, 0x20

# <linux/vfio.h>: region and IRQ indexes of a PCI device, IRQ set flags.
BAR0, BAR4, CONFIG = 0, 4, 7
MSIX = 2
IRQ_DATA_NONE, IRQ_DATA_EVENTFD, IRQ_ACTION_TRIGGER = 1 << 0, 1 << 2, 1 << 5
DMA_READ_WRITE = 0x3
REGION_INFO_FLAG_MMAP = 1 << 2
REGION_INFO_FLAG_CAPS = 1 << 3
CAP_SPARSE_MMAP = 1

# NVMe Base 2.1 §3.1.4: controller properties.
CAP, VS, INTMS, CC, CSTS, AQA, ASQ, ACQ = 0x00, 0x08, 0x0C, 0x14, 0x1C, 0x24, 0x28, 0x30
DB_BASE = 0x1000  # NVMe over PCIe 1.1 §3.1.2, CAP.DSTRD 0: 4-byte strides
CC_EN, CC_IOSQES, CC_IOCQES = 1, 6 << 16, 4 << 20
CC_SHN_NORMAL = 1 << 14
CSTS_RDY, CSTS_CFS, CSTS_SHST_MASK, CSTS_SHST_DONE = 1, 2, 3 << 2, 2 << 2

# Admin and NVM opcodes (Base §5 Figure 142, NVM CS §3).
ADM_DELETE_SQ, ADM_CREATE_SQ, ADM_GET_LOG_PAGE, ADM_DELETE_CQ = 0, 1, 2, 4
ADM_CREATE_CQ, ADM_IDENTIFY, ADM_SET_FEATURES, ADM_ASYNC_EVENT = 5, 6, 0x09, 0x0C
ADM_ABORT = 0x08
FEAT_AEC = 0x0B  # Asynchronous Event Configuration
LOG_CHANGED_NS = 0x04  # Base §5.1.12.1.5
NVM_FLUSH, NVM_WRITE, NVM_READ, NVM_COMPARE, NVM_WRITE_ZEROES, NVM_DSM = 0, 1, 2, 5, 8, 9
FUSE_FIRST, FUSE_SECOND = 1, 2  # Base §4.1.1 Figure 91, CDW0 FUSE
DSM_AD = 1 << 2  # NVM CS §3.2.3 CDW11: deallocate

PAGE = 4096


class VfioUserError(Exception):
    def __init__(self, cmd, errno_):
        super().__init__("vfio-user command %d: error %d (%s)" % (cmd, errno_,
                                                                  os.strerror(errno_)))
        self.errno = errno_


class VfioUserClient:
    """One connection; each request waits for its reply."""

    def __init__(self, path, timeout=5.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.msg_id = 0
        caps = {"capabilities": {"max_msg_fds": 8, "max_data_xfer_size": 1 << 20,
                                 "pgsizes": PAGE}}
        data = json.dumps(caps).encode() + b"\0"
        self.request(VERSION, struct.pack("<HH", 0, 0) + data)

    def close(self):
        self.sock.close()

    def _recv_exact(self, n, fds):
        buf = b""
        while len(buf) < n:
            msg, got, _flags, _addr = socket.recv_fds(self.sock, n - len(buf), 4)
            if not msg:
                raise ConnectionError("server closed the connection")
            buf += msg
            fds.extend(got)
        return buf

    def request(self, cmd, payload=b"", fds=()):
        """Sends a command; returns (reply payload, fds that came with it)."""
        self.msg_id = (self.msg_id + 1) & 0xFFFF
        hdr = HDR.pack(self.msg_id, cmd, HDR.size + len(payload), 0, 0)
        if fds:
            socket.send_fds(self.sock, [hdr + payload], list(fds))
        else:
            self.sock.sendall(hdr + payload)
        got = []
        rid, rcmd, size, flags, err = HDR.unpack(self._recv_exact(HDR.size, got))
        body = self._recv_exact(size - HDR.size, got) if size > HDR.size else b""
        assert (rid, rcmd) == (self.msg_id, cmd), "reply to another command"
        assert flags & 0xF == FLAG_REPLY
        if flags & FLAG_ERROR:
            for fd in got:
                os.close(fd)
            raise VfioUserError(cmd, err)
        return body, got

    # ---- commands ----

    def device_info(self):
        body, _ = self.request(DEVICE_GET_INFO, struct.pack("<IIII", 16, 0, 0, 0))
        _argsz, flags, nregions, nirqs = struct.unpack("<IIII", body[:16])
        return flags, nregions, nirqs

    def region_info(self, index, argsz=256):
        """(flags, size, offset, sparse areas [(offset, size)], fd or None)"""
        body, fds = self.request(GET_REGION_INFO,
                                 struct.pack("<IIIIQQ", argsz, 0, index, 0, 0, 0))
        _argsz, flags, _index, cap_off, size, offset = struct.unpack("<IIIIQQ", body[:32])
        areas = []
        while flags & REGION_INFO_FLAG_CAPS and cap_off:
            cid, _ver, nxt = struct.unpack_from("<HHI", body, cap_off)
            if cid == CAP_SPARSE_MMAP:
                (n,) = struct.unpack_from("<I", body, cap_off + 8)
                for i in range(n):
                    areas.append(struct.unpack_from("<QQ", body, cap_off + 16 + 16 * i))
            cap_off = nxt
        return flags, size, offset, areas, (fds[0] if fds else None)

    def irq_info(self, index):
        body, _ = self.request(GET_IRQ_INFO, struct.pack("<IIII", 16, 0, index, 0))
        _argsz, flags, _index, count = struct.unpack("<IIII", body[:16])
        return flags, count

    def set_irq_eventfds(self, index, start, fds):
        self.request(SET_IRQS, struct.pack("<IIIII", 20, IRQ_DATA_EVENTFD | IRQ_ACTION_TRIGGER,
                                           index, start, len(fds)), fds)

    def read(self, region, offset, count):
        body, _ = self.request(REGION_READ, struct.pack("<QII", offset, region, count))
        return body[16:16 + count]

    def write(self, region, offset, data):
        self.request(REGION_WRITE, struct.pack("<QII", offset, region, len(data)) + data)

    def dma_map(self, fd, offset, iova, size):
        self.request(DMA_MAP, struct.pack("<IIQQQ", 32, DMA_READ_WRITE, offset, iova, size),
                     [fd])

    def dma_unmap(self, iova, size):
        self.request(DMA_UNMAP, struct.pack("<IIQQ", 24, 0, iova, size))

    def reset(self):
        self.request(DEVICE_RESET)


class GuestMem:
    """A memfd the test shares with the device by DMA_MAP at iova."""

    def __init__(self, size=1 << 20, iova=1 << 30):
        self.fd = os.memfd_create("nvme-test-mem")
        os.ftruncate(self.fd, size)
        self.map = mmap.mmap(self.fd, size)
        self.size, self.iova = size, iova

    def close(self):
        self.map.close()
        os.close(self.fd)


class Queue:
    def __init__(self, qid, sq_off, cq_off, entries, cq_entries=None):
        self.qid, self.sq_off, self.cq_off, self.entries = qid, sq_off, cq_off, entries
        self.cq_entries = cq_entries or entries
        self.tail = self.head = 0
        self.phase = 1


class NvmeDriver:
    """The host side of one controller, enough to test it: enable, admin
    commands, one I/O queue pair, Read and Write through PRP1/PRP2."""

    def __init__(self, path, mem_size=1 << 20):
        self.vfu = VfioUserClient(path)
        self.mem = GuestMem(mem_size)
        self.vfu.dma_map(self.mem.fd, 0, self.mem.iova, self.mem.size)
        _flags, size, offset, areas, fd = self.vfu.region_info(BAR0)
        assert fd is not None and areas, "BAR0 offers its doorbells for mmap"
        self.db_off, db_size = areas[0]
        self.db = mmap.mmap(fd, db_size, offset=offset + self.db_off)
        os.close(fd)
        self.bar0_size = size
        self.cid = 0
        self.admin = None
        self.io = None

    def close(self):
        self.db.close()
        self.vfu.close()
        self.mem.close()

    # ---- registers ----
    def reg32(self, off):
        return struct.unpack("<I", self.vfu.read(BAR0, off, 4))[0]

    def reg64(self, off):
        return struct.unpack("<Q", self.vfu.read(BAR0, off, 8))[0]

    def set32(self, off, v):
        self.vfu.write(BAR0, off, struct.pack("<I", v))

    def set64(self, off, v):
        self.vfu.write(BAR0, off, struct.pack("<Q", v))

    def wait_csts(self, mask, value, timeout=5.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            csts = self.reg32(CSTS)
            if csts & mask == value:
                return csts
            time.sleep(0.005)
        raise TimeoutError("CSTS %#x never had %#x under mask %#x" % (csts, value, mask))

    def enable(self, entries=16):
        """Base §3.5.1: AQA, ASQ, ACQ, then CC.EN 1 and wait for CSTS.RDY."""
        self.admin = Queue(0, 0, PAGE, entries)
        self.mem.map[0:2 * PAGE] = bytes(2 * PAGE)
        self.set32(AQA, (entries - 1) << 16 | (entries - 1))
        self.set64(ASQ, self.mem.iova)
        self.set64(ACQ, self.mem.iova + PAGE)
        self.set32(CC, CC_EN | CC_IOSQES | CC_IOCQES)
        self.wait_csts(CSTS_RDY, CSTS_RDY)

    def disable(self):
        self.set32(CC, 0)
        self.wait_csts(CSTS_RDY, 0)
        self.admin = self.io = None

    def shutdown(self):
        self.set32(CC, self.reg32(CC) | CC_SHN_NORMAL)
        return self.wait_csts(CSTS_SHST_MASK, CSTS_SHST_DONE)

    # ---- queues ----
    def _doorbell(self, qid, cq, value):
        off = DB_BASE + (2 * qid + (1 if cq else 0)) * 4 - self.db_off
        struct.pack_into("<I", self.db, off, value)

    def submit(self, q, opc, nsid=0, prp1=0, prp2=0, cdw10=0, cdw11=0, cdw12=0, fuse=0,
               ring=True):
        """Puts one SQE in q and, if ring, moves the tail doorbell past it
        (a later submit's doorbell covers it otherwise)."""
        self.cid = (self.cid + 1) & 0xFFFF
        sqe = struct.pack("<BBHIIIQQQIIIIII", opc, fuse, self.cid, nsid, 0, 0, 0, prp1, prp2,
                          cdw10, cdw11, cdw12, 0, 0, 0)
        off = q.sq_off + q.tail * 64
        self.mem.map[off:off + 64] = sqe
        q.tail = (q.tail + 1) % q.entries
        if ring:
            self._doorbell(q.qid, False, q.tail)
        return self.cid

    def reap(self, q, timeout=5.0):
        """The next CQE by its phase tag (Base §4.2.4): (cid, status, dw0)."""
        end = time.monotonic() + timeout
        off = q.cq_off + q.head * 16
        while True:
            dw0, _dw1, _sqhd, _sqid, cid, status = struct.unpack_from("<IIHHHH", self.mem.map,
                                                                      off)
            if status & 1 == q.phase:
                break
            if time.monotonic() > end:
                raise TimeoutError("no completion on CQ %d" % q.qid)
            time.sleep(0.001)
        q.head = (q.head + 1) % q.cq_entries
        if q.head == 0:
            q.phase ^= 1
        self._doorbell(q.qid, True, q.head)
        return cid, status >> 1 & 0x7FF, dw0

    def cmd(self, q, opc, **kw):
        cid = self.submit(q, opc, **kw)
        rcid, status, dw0 = self.reap(q)
        assert rcid == cid
        return status, dw0

    def admin_cmd(self, opc, **kw):
        return self.cmd(self.admin, opc, **kw)

    ID_OFF = 8 * PAGE

    def identify(self, cns, nsid=0):
        """Base §5.1.13: (status, the 4096 bytes)."""
        self.mem.map[self.ID_OFF:self.ID_OFF + PAGE] = bytes(PAGE)
        st, _ = self.admin_cmd(ADM_IDENTIFY, nsid=nsid, prp1=self.mem.iova + self.ID_OFF,
                               cdw10=cns)
        return st, bytes(self.mem.map[self.ID_OFF:self.ID_OFF + PAGE])

    def get_log_page(self, lid, length):
        """Base §5.1.12: NUMDL/NUMDU count dwords, 0's based."""
        numd = length // 4 - 1
        self.mem.map[self.ID_OFF:self.ID_OFF + PAGE] = bytes(PAGE)
        st, _ = self.admin_cmd(ADM_GET_LOG_PAGE, nsid=0xFFFFFFFF,
                               prp1=self.mem.iova + self.ID_OFF,
                               cdw10=lid | (numd & 0xFFFF) << 16, cdw11=numd >> 16)
        return st, bytes(self.mem.map[self.ID_OFF:self.ID_OFF + length])

    def create_io_queues(self, entries=16, vector=1, cq_entries=None):
        sq_off, cq_off = 2 * PAGE, 3 * PAGE
        self.mem.map[sq_off:sq_off + 2 * PAGE] = bytes(2 * PAGE)
        q = Queue(1, sq_off, cq_off, entries, cq_entries)
        st, _ = self.admin_cmd(ADM_CREATE_CQ, prp1=self.mem.iova + cq_off,
                               cdw10=(q.cq_entries - 1) << 16 | 1, cdw11=vector << 16 | 0x3)
        assert st == 0, "Create I/O CQ: status %#x" % st
        st, _ = self.admin_cmd(ADM_CREATE_SQ, prp1=self.mem.iova + sq_off,
                               cdw10=(entries - 1) << 16 | 1, cdw11=1 << 16 | 0x1)
        assert st == 0, "Create I/O SQ: status %#x" % st
        self.io = q
        return q

    def delete_io_queues(self):
        assert self.admin_cmd(ADM_DELETE_SQ, cdw10=1)[0] == 0
        assert self.admin_cmd(ADM_DELETE_CQ, cdw10=1)[0] == 0
        self.io = None

    # ---- data ----
    DATA_OFF = 16 * PAGE

    def rw(self, opc, slba, nblocks, block_size, nsid=1):
        length = nblocks * block_size
        assert length <= 2 * PAGE, "PRP1 and PRP2 cover two pages here"
        prp1 = self.mem.iova + self.DATA_OFF
        prp2 = prp1 + PAGE if length > PAGE else 0
        return self.cmd(self.io, opc, nsid=nsid, prp1=prp1, prp2=prp2, cdw10=slba & 0xFFFFFFFF,
                        cdw11=slba >> 32, cdw12=nblocks - 1)[0]

    def deallocate(self, ranges, nsid=1):
        """Dataset Management with AD: ranges [(slba, nlb)]; its status."""
        buf = b"".join(struct.pack("<IIQ", 0, nlb, slba) for slba, nlb in ranges)
        self.mem.map[self.DATA_OFF:self.DATA_OFF + len(buf)] = buf
        return self.cmd(self.io, NVM_DSM, nsid=nsid, prp1=self.mem.iova + self.DATA_OFF,
                        cdw10=len(ranges) - 1, cdw11=DSM_AD)[0]

    def compare(self, slba, data, block_size, nsid=1):
        self.mem.map[self.DATA_OFF:self.DATA_OFF + len(data)] = data
        return self.rw(NVM_COMPARE, slba, len(data) // block_size, block_size, nsid)

    def write(self, slba, data, block_size, nsid=1):
        self.mem.map[self.DATA_OFF:self.DATA_OFF + len(data)] = data
        return self.rw(NVM_WRITE, slba, len(data) // block_size, block_size, nsid)

    def compare_and_write(self, slba, expect, data, block_size, nsid=1):
        """A fused Compare and Write (Base §3.4.2: next to each other in the
        SQ, one doorbell write for both): {cid: status} and the two cids."""
        n = len(data)
        assert len(expect) == n <= PAGE
        buf = self.mem.iova + self.DATA_OFF
        self.mem.map[self.DATA_OFF:self.DATA_OFF + n] = expect
        self.mem.map[self.DATA_OFF + PAGE:self.DATA_OFF + PAGE + n] = data
        lba = dict(nsid=nsid, cdw10=slba & 0xFFFFFFFF, cdw11=slba >> 32,
                   cdw12=n // block_size - 1)
        first = self.submit(self.io, NVM_COMPARE, prp1=buf, fuse=FUSE_FIRST, ring=False, **lba)
        second = self.submit(self.io, NVM_WRITE, prp1=buf + PAGE, fuse=FUSE_SECOND, **lba)
        done = dict((cid, st) for cid, st, _ in (self.reap(self.io), self.reap(self.io)))
        return done, first, second

    def read(self, slba, nblocks, block_size, nsid=1):
        self.mem.map[self.DATA_OFF:self.DATA_OFF + nblocks * block_size] = \
            b"\xee" * (nblocks * block_size)
        st = self.rw(NVM_READ, slba, nblocks, block_size, nsid)
        return st, bytes(self.mem.map[self.DATA_OFF:self.DATA_OFF + nblocks * block_size])
