# SPDX-License-Identifier: MIT
"""The rte_vhost_scsi peer itself (tests/peers/rte_vhost_scsi, docs/peers.md),
checked by hand-built virtio-scsi requests (virtio 1.2 §5.6.6) over the raw
Python front-end (vhost_user_fe.py): before our initiator, suite and guest
tests lean on it, it must answer as SPC-5 / SBC-4 say."""

import os
import struct
import time

from vhost_user_fe import DESC_F_WRITE, SET_VRING_CALL, Frontend
from peers import rte_vhost_scsi_factory  # noqa: F401

# virtio 1.2 §5.6.2 queues, §5.6.3 features, §5.6.6 layouts and values
CONTROLQ, EVENTQ, REQ0 = 0, 1, 2
F_HOTPLUG = 1 << 1
REQ_LEN, RESP_LEN = 8 + 8 + 3 + 32, 4 + 4 + 2 + 1 + 1 + 96
S_OK, S_BAD_TARGET, S_RESET = 0, 3, 4
T_TMF, TMF_LOGICAL_UNIT_RESET, S_FUNCTION_COMPLETE = 0, 5, 0
T_TRANSPORT_RESET, EVT_RESET_RESCAN, EVT_RESET_REMOVED = 1, 1, 2
# SAM-5 status, SPC-5 sense key / ASC
GOOD, CHECK_CONDITION = 0x00, 0x02
ILLEGAL_REQUEST = 0x5
ASC_INVALID_OPCODE, ASC_LBA_OUT_OF_RANGE, ASC_INVALID_FIELD_IN_CDB = 0x20, 0x21, 0x24

MiB = 1 << 20


def lun(target, lu=0):
    """§5.6.6.1: 1, target, single level LUN (flat space), four zeroes."""
    return bytes([1, target, 0x40 | (lu >> 8), lu & 0xFF, 0, 0, 0, 0])


class ScsiFe(Frontend):
    """The raw front-end with virtio-scsi requests on top."""

    def start(self, nreq=1, features=0):
        """Sets up controlq, eventq and NREQ request queues. Every ring is
        known to the back-end (a SET_VRING_CALL, as QEMU sends them first)
        before the first is complete: rte_vhost starts the device once the
        rings it knows of are ready, and does not take more after that."""
        self.setup(nqueues=0, features=features)
        for q in range(2 + nreq):
            self.ring_init(q)
            self.acked(SET_VRING_CALL, struct.pack("<Q", q), fds=[self.queues[q]["call"]])
        for q in range(2 + nreq):
            self.setup_queue(q)
        self.tag = 0

    def _wait(self, q, head):
        ring = self.queues[q]
        ring["used_seen"] += 1
        self.kick(q)
        self.wait_used(q, ring["used_seen"])
        slot = (ring["used_seen"] - 1) % 64
        uid, ulen = struct.unpack("<II", self.get(ring["used"] + 4 + 8 * slot, 8))
        assert uid == head, "used id %d, expected head %d" % (uid, head)
        return ulen

    def cmd(self, target, cdb, data_out=None, data_in=0, lu=0, q=REQ0, kick=True):
        """One SCSI command: a dict with response, status, sense, resid,
        data (datain), used (the used length); kick=False: a function that
        waits for it and returns that dict."""
        self.tag += 1
        req, resp = self.alloc(REQ_LEN), self.alloc(RESP_LEN)
        self.put(req, lun(target, lu) + struct.pack("<QBBB", self.tag, 0, 0, 0) +
                 bytes(cdb).ljust(32, b"\0"))
        self.put(resp, b"\xee" * RESP_LEN)
        chain = [(req, REQ_LEN, 0)]
        if data_out:
            buf = self.alloc(len(data_out))
            self.put(buf, data_out)
            chain.append((buf, len(data_out), 0))
        chain.append((resp, RESP_LEN, DESC_F_WRITE))
        if data_in:
            buf = self.alloc(data_in)
            chain.append((buf, data_in, DESC_F_WRITE))
        head = self.submit_chain(q, chain)
        done = lambda: self._result(q, head, resp, buf if data_in else None, data_in)  # noqa
        return done() if kick else done

    def _result(self, q, head, resp, buf, data_in):
        used = self._wait(q, head)
        sense_len, resid, _, status, response = struct.unpack("<IIHBB", self.get(resp, 12))
        return {"response": response, "status": status, "resid": resid, "used": used,
                "sense": self.get(resp + 12, min(sense_len, 96)),
                "data": self.get(buf, data_in) if buf else b""}


def good(r):
    assert (r["response"], r["status"]) == (S_OK, GOOD), r
    return r


def check_sense(r, key, asc, ascq=0):
    """CHECK CONDITION with fixed-format sense (SPC-5 §4.4.3) of key/asc/ascq."""
    assert (r["response"], r["status"]) == (S_OK, CHECK_CONDITION), r
    s = r["sense"]
    assert len(s) >= 14 and s[0] & 0x7F == 0x70, "not fixed-format sense: %s" % s.hex()
    assert (s[2] & 0xF, s[12], s[13]) == (key, asc, ascq), s.hex()


def inquiry(fe, target, evpd=0, page=0, alloc=255, lu=0):
    return fe.cmd(target, [0x12, evpd, page, alloc >> 8, alloc & 0xFF, 0], data_in=alloc, lu=lu)


def rw16(op, lba, blocks):
    return [op, 0] + list(lba.to_bytes(8, "big")) + list(blocks.to_bytes(4, "big")) + [0, 0]


def test_rvs_inquiry(rte_vhost_scsi_factory):
    p = rte_vhost_scsi_factory("0,size=16,serial=peer-lun0", "3,size=8,bs=4096")
    fe = ScsiFe(p.sock)
    try:
        fe.start()
        r = good(inquiry(fe, 0, alloc=36))
        d = r["data"]
        # SPC-5 §6.7.2: a direct-access device (00h), response format 2.
        assert (d[0], d[3] & 0xF) == (0x00, 2), d.hex()
        assert (d[8:16], d[16:32]) == (b"DPDK    ", b"rte_vhost_scsi  "), d
        assert r["used"] == RESP_LEN + 36 and r["resid"] == 0, r
        pages = good(inquiry(fe, 0, evpd=1, page=0x00))["data"]
        assert list(pages[4:4 + pages[3]]) == [0x00, 0x80, 0x83, 0xB0, 0xB2], pages.hex()
        sn = good(inquiry(fe, 0, evpd=1, page=0x80))["data"]
        assert sn[4:4 + sn[3]] == b"peer-lun0", sn
        # READ CAPACITY (16) of target 3: 8 MiB in 4 KiB blocks.
        cap = good(fe.cmd(3, [0x9E, 0x10] + [0] * 8 + [0, 0, 0, 32, 0, 0], data_in=32))["data"]
        assert struct.unpack(">QI", cap[:12]) == (8 * MiB // 4096 - 1, 4096), cap.hex()
        luns = good(fe.cmd(0, [0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0], data_in=16))["data"]
        assert luns == struct.pack(">I", 8) + bytes(12), luns.hex()
        # No target 1: §5.6.6.1.1 BAD_TARGET; target 0 has no LUN 5: SPC-5
        # §6.7.2 peripheral qualifier 011b.
        assert inquiry(fe, 1)["response"] == S_BAD_TARGET
        assert good(inquiry(fe, 0, lu=5, alloc=36))["data"][0] == 0x7F
    finally:
        fe.close()


def test_rvs_pattern(rte_vhost_scsi_factory, workdir):
    img = workdir / "lun1.img"
    with open(img, "wb") as f:
        f.truncate(4 * MiB)
    p = rte_vhost_scsi_factory("0,size=16", "1,file=%s" % img, queues=2)
    fe = ScsiFe(p.sock)
    try:
        fe.start(nreq=2)
        pat = os.urandom(8 * 512)
        for target, q in ((0, REQ0), (1, REQ0 + 1)):
            # WRITE (10) at LBA 100, READ (16) back one block more each side.
            good(fe.cmd(target, [0x2A, 0, 0, 0, 0, 100, 0, 0, 8, 0], data_out=pat, q=q))
            r = good(fe.cmd(target, rw16(0x88, 99, 10), data_in=10 * 512, q=q))
            assert r["data"] == bytes(512) + pat + bytes(512), "target %d" % target
        good(fe.cmd(1, [0x35] + [0] * 9))  # SYNCHRONIZE CACHE (10)
        with open(img, "rb") as f:
            f.seek(100 * 512)
            assert f.read(len(pat)) == pat, "the file under target 1 lacks the write"
        # UNMAP (SBC-4 §5.32) of LBA 102..103; LBPRZ: they read back zeroes.
        params = struct.pack(">HH4xQI4x", 22, 16, 102, 2)
        good(fe.cmd(0, [0x42, 0, 0, 0, 0, 0, 0, 0, len(params), 0], data_out=params))
        r = good(fe.cmd(0, rw16(0x88, 100, 8), data_in=8 * 512))
        assert r["data"] == pat[:1024] + bytes(1024) + pat[2048:], "UNMAP did not zero 102-103"
    finally:
        fe.close()


def test_rvs_errors(rte_vhost_scsi_factory):
    p = rte_vhost_scsi_factory("0,size=16")
    fe = ScsiFe(p.sock)
    try:
        fe.start()
        # SPC-5 §4.4.2: an opcode the LU does not have.
        check_sense(fe.cmd(0, [0xC5, 0, 0, 0, 0, 0]), ILLEGAL_REQUEST, ASC_INVALID_OPCODE)
        # SBC-4 §4.5: the last block reads, the one after it does not.
        last = 16 * MiB // 512 - 1
        good(fe.cmd(0, rw16(0x88, last, 1), data_in=512))
        check_sense(fe.cmd(0, rw16(0x88, last, 2), data_in=1024), ILLEGAL_REQUEST,
                    ASC_LBA_OUT_OF_RANGE)
        # SPC-5 §6.7.1: EVPD 0 with a page code; a VPD page it lacks.
        check_sense(inquiry(fe, 0, evpd=0, page=0x80), ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB)
        check_sense(inquiry(fe, 0, evpd=1, page=0xC7), ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB)
        # The LU still serves after the errors.
        good(fe.cmd(0, [0x00] * 6))
    finally:
        fe.close()


def test_rvs_lun_reset_cancels_held_command(rte_vhost_scsi_factory):
    """A LOGICAL UNIT RESET on the controlq overtakes a write held by
    --delay-us: the write completes with RESET (§5.6.6.1.1) and is not run.
    The peer takes a ring's requests every few microseconds; the TMF goes
    0.3 s after the write so that the write was taken first (queues have no
    order between them, §5.6.6.1), 1.7 s before the write is due."""
    p = rte_vhost_scsi_factory("0,size=16", delay_us=2000000)
    fe = ScsiFe(p.sock)
    try:
        fe.start()
        later = fe.cmd(0, [0x2A, 0, 0, 0, 0, 8, 0, 0, 1, 0], data_out=b"\x5a" * 512,
                       kick=False)
        fe.kick(REQ0)
        time.sleep(0.3)
        req, resp = fe.alloc(8 + 8 + 8), fe.alloc(1)
        fe.put(req, struct.pack("<II", T_TMF, TMF_LOGICAL_UNIT_RESET) + lun(0) + bytes(8))
        fe.put(resp, b"\xff")
        head = fe.submit_chain(CONTROLQ, [(req, 24, 0), (resp, 1, DESC_F_WRITE)])
        assert fe._wait(CONTROLQ, head) == 1
        assert fe.get(resp, 1)[0] == S_FUNCTION_COMPLETE
        assert later()["response"] == S_RESET
        r = good(fe.cmd(0, rw16(0x88, 8, 1), data_in=512))
        assert r["data"] == bytes(512), "the cancelled write reached the disk"
    finally:
        fe.close()


def test_rvs_hotplug_event(rte_vhost_scsi_factory):
    p = rte_vhost_scsi_factory("0,size=16", "2,size=8,hotplug")
    fe = ScsiFe(p.sock)
    try:
        fe.start(features=F_HOTPLUG)
        assert inquiry(fe, 2)["response"] == S_BAD_TARGET
        ev = fe.alloc(16)
        head = fe.submit_chain(EVENTQ, [(ev, 16, DESC_F_WRITE)])
        fe.kick(EVENTQ)
        p.hotplug(True)
        assert fe._wait(EVENTQ, head) == 16
        event, elun, reason = struct.unpack("<I8sI", fe.get(ev, 16))
        # LUN 0 of target 2, peripheral device addressing (what Linux reads).
        assert (event, elun, reason) == (T_TRANSPORT_RESET, bytes([1, 2]) + bytes(6),
                                         EVT_RESET_RESCAN)
        good(inquiry(fe, 2))
        head = fe.submit_chain(EVENTQ, [(ev, 16, DESC_F_WRITE)])
        p.hotplug(False)
        assert fe._wait(EVENTQ, head) == 16
        assert struct.unpack("<I8sI", fe.get(ev, 16))[2] == EVT_RESET_REMOVED
        assert inquiry(fe, 2)["response"] == S_BAD_TARGET
    finally:
        fe.close()
