# SPDX-License-Identifier: MIT
"""The rte_vhost_scsi peer itself (tests/peers/rte_vhost_scsi, docs/peers.md),
checked by hand-built virtio-scsi requests (virtio 1.2 §5.6.6) over the raw
Python front-end (vhost_user_fe.py): before our initiator, suite and guest
tests lean on it, it must answer as SPC-5 / SBC-4 say."""

import os
import struct
import time

from vhost_scsi_fe import (CHECK_CONDITION, CONTROLQ, EVENTQ, EVT_RESET_REMOVED,
                           EVT_RESET_RESCAN, GOOD, REQUESTQ, S_BAD_TARGET, S_FUNCTION_COMPLETE,
                           S_OK, S_RESET, SCSI_F_HOTPLUG, SK_ILLEGAL_REQUEST, T_TRANSPORT_RESET,
                           TMF_LUN_RESET, ScsiFrontend, cdb_inquiry, cdb_read16,
                           cdb_read_capacity16, cdb_report_luns, cdb_unmap, cdb_write10,
                           lun_field, unmap_param)
from vhost_user_fe import SET_VRING_CALL
from peers import rte_vhost_scsi_factory  # noqa: F401

ASC_INVALID_OPCODE, ASC_LBA_OUT_OF_RANGE, ASC_INVALID_FIELD_IN_CDB = 0x20, 0x21, 0x24
MiB = 1 << 20


def connect(sock, nreq=1, features=0):
    """A raw virtio-scsi driver (vhost_scsi_fe) on the peer, its rings set up
    as QEMU does: every ring is named (SET_VRING_CALL) before the first is
    complete. rte_vhost starts the device once the rings it has heard of are
    ready, and takes no more after that."""
    fe = ScsiFrontend(sock)
    fe.setup(nqueues=0, features=features)
    for q in range(REQUESTQ + nreq):
        fe.ring_init(q)
        fe.acked(SET_VRING_CALL, struct.pack("<Q", q), fds=[fe.queues[q]["call"]])
    for q in range(REQUESTQ + nreq):
        fe.setup_queue(q)
    fe.used_seen = {}
    fe.next_tag = 1
    return fe


def good(r):
    assert (r.response, r.status) == (S_OK, GOOD), r
    return r


def check_sense(r, key, asc, ascq=0):
    """CHECK CONDITION with fixed-format sense (SPC-5 §4.4.3) of key/asc/ascq."""
    assert (r.response, r.status) == (S_OK, CHECK_CONDITION), r
    assert r.sense[0] & 0x7F == 0x70, "not fixed-format sense: %r" % r
    assert r.sense_key_asc() == (key, asc, ascq), r


def inquiry(fe, target, alloc=255, evpd=False, page=0, lun=0):
    return fe.run(target, lun, cdb_inquiry(alloc, evpd, page), data_in=alloc)


def test_rvs_inquiry(rte_vhost_scsi_factory):
    p = rte_vhost_scsi_factory("0,size=16,serial=peer-lun0", "3,size=8,bs=4096")
    fe = connect(p.sock)
    try:
        r = good(inquiry(fe, 0, alloc=36))
        d = r.data
        # SPC-5 §6.7.2: a direct-access device (00h), response format 2.
        assert (d[0], d[3] & 0xF) == (0x00, 2), d.hex()
        assert (d[8:16], d[16:32]) == (b"DPDK    ", b"rte_vhost_scsi  "), d
        assert r.resid == 0, r
        pages = good(inquiry(fe, 0, evpd=True, page=0x00)).data
        assert list(pages[4:4 + pages[3]]) == [0x00, 0x80, 0x83, 0xB0, 0xB2], pages.hex()
        sn = good(inquiry(fe, 0, evpd=True, page=0x80)).data
        assert sn[4:4 + sn[3]] == b"peer-lun0", sn
        # READ CAPACITY (16) of target 3: 8 MiB in 4 KiB blocks.
        cap = good(fe.run(3, 0, cdb_read_capacity16(), data_in=32)).data
        assert struct.unpack(">QI", cap[:12]) == (8 * MiB // 4096 - 1, 4096), cap.hex()
        luns = good(fe.run(0, 0, cdb_report_luns(16), data_in=16)).data
        assert luns == struct.pack(">I", 8) + bytes(12), luns.hex()
        # No target 1: §5.6.6.1.1 BAD_TARGET; target 0 has no LUN 5: SPC-5
        # §6.7.2 peripheral qualifier 011b.
        assert inquiry(fe, 1).response == S_BAD_TARGET
        assert good(inquiry(fe, 0, alloc=36, lun=5)).data[0] == 0x7F
    finally:
        fe.close()


def test_rvs_pattern(rte_vhost_scsi_factory, workdir):
    img = workdir / "lun1.img"
    with open(img, "wb") as f:
        f.truncate(4 * MiB)
    p = rte_vhost_scsi_factory("0,size=16", "1,file=%s" % img, queues=2)
    fe = connect(p.sock, nreq=2)
    try:
        pat = os.urandom(8 * 512)
        for target, q in ((0, REQUESTQ), (1, REQUESTQ + 1)):
            # WRITE (10) at LBA 100, READ (16) back with a block more each side.
            good(fe.run(target, 0, cdb_write10(100, 8), data_out=pat, q=q))
            r = good(fe.run(target, 0, cdb_read16(99, 10), data_in=10 * 512, q=q))
            assert r.data == bytes(512) + pat + bytes(512), "target %d" % target
        good(fe.run(1, 0, bytes([0x35]) + bytes(9)))  # SYNCHRONIZE CACHE (10)
        with open(img, "rb") as f:
            f.seek(100 * 512)
            assert f.read(len(pat)) == pat, "the file under target 1 lacks the write"
        # UNMAP (SBC-4 §5.32) of LBA 102..103; LBPRZ: they read back zeroes.
        params = unmap_param([(102, 2)])
        good(fe.run(0, 0, cdb_unmap(len(params)), data_out=params))
        r = good(fe.run(0, 0, cdb_read16(100, 8), data_in=8 * 512))
        assert r.data == pat[:1024] + bytes(1024) + pat[2048:], "UNMAP did not zero 102-103"
    finally:
        fe.close()


def test_rvs_errors(rte_vhost_scsi_factory):
    p = rte_vhost_scsi_factory("0,size=16")
    fe = connect(p.sock)
    try:
        # SPC-5 §4.4.2: an opcode the LU does not have.
        check_sense(fe.run(0, 0, bytes([0xC5]) + bytes(5)), SK_ILLEGAL_REQUEST,
                    ASC_INVALID_OPCODE)
        # SBC-4 §4.5: the last block reads, the one after it does not.
        last = 16 * MiB // 512 - 1
        good(fe.run(0, 0, cdb_read16(last, 1), data_in=512))
        check_sense(fe.run(0, 0, cdb_read16(last, 2), data_in=1024), SK_ILLEGAL_REQUEST,
                    ASC_LBA_OUT_OF_RANGE)
        # SPC-5 §6.7.1: EVPD 0 with a page code; a VPD page it lacks.
        check_sense(inquiry(fe, 0, page=0x80), SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB)
        check_sense(inquiry(fe, 0, evpd=True, page=0xC7), SK_ILLEGAL_REQUEST,
                    ASC_INVALID_FIELD_IN_CDB)
        # The LU still serves after the errors.
        good(fe.run(0, 0, bytes(6)))
    finally:
        fe.close()


def test_rvs_lun_reset_cancels_held_command(rte_vhost_scsi_factory):
    """A LOGICAL UNIT RESET on the controlq overtakes a write held by
    --delay-us: the write completes with RESET (§5.6.6.1.1) and is not run.
    The peer takes a ring's requests every few microseconds; the TMF goes
    0.3 s after the write so that the write was taken first (queues have no
    order between them, §5.6.6.1), 1.7 s before the write is due."""
    p = rte_vhost_scsi_factory("0,size=16", delay_us=2000000)
    fe = connect(p.sock)
    try:
        held = fe.command(0, 0, cdb_write10(8, 1), data_out=b"\x5a" * 512)
        time.sleep(0.3)
        head, resp = fe.tmf(TMF_LUN_RESET, 0, 0)
        assert fe.wait_head(CONTROLQ, head) == 1
        assert fe.get(resp, 1)[0] == S_FUNCTION_COMPLETE
        assert fe.result(held).response == S_RESET
        r = good(fe.run(0, 0, cdb_read16(8, 1), data_in=512))
        assert r.data == bytes(512), "the cancelled write reached the disk"
    finally:
        fe.close()


def test_rvs_hotplug_event(rte_vhost_scsi_factory):
    p = rte_vhost_scsi_factory("0,size=16", "2,size=8,hotplug")
    fe = connect(p.sock, features=SCSI_F_HOTPLUG)
    try:
        assert inquiry(fe, 2).response == S_BAD_TARGET
        bufs = [fe.event_buffer() for _ in range(2)]
        p.hotplug(True)
        assert fe.wait_head(EVENTQ, bufs[0][0]) == 16
        # LUN 0 of target 2, peripheral device addressing (what Linux reads).
        assert fe.event(bufs[0][1]) == (T_TRANSPORT_RESET, lun_field(2, 0), EVT_RESET_RESCAN)
        good(inquiry(fe, 2))
        p.hotplug(False)
        assert fe.wait_head(EVENTQ, bufs[1][0]) == 16
        assert fe.event(bufs[1][1]) == (T_TRANSPORT_RESET, lun_field(2, 0), EVT_RESET_REMOVED)
        assert inquiry(fe, 2).response == S_BAD_TARGET
    finally:
        fe.close()
