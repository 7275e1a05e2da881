# SPDX-License-Identifier: MIT
"""storlab-tgt's vhost-user-scsi controllers (virtio 1.2 §5.6), driven byte
by byte by a raw front-end (vhost_scsi_fe.py): a controller with two
targets over malloc bdevs made with SPDK's RPC methods, the commands a
guest's sd driver starts with, a written pattern read back, UNMAP, sense
data for what is refused, a TMF while I/O is in flight (a delay bdev holds
it), hot-plug events on the eventq, and a LUN whose bdev grows."""

import os
import struct

from conftest import wait_for
from vhost_scsi_fe import (CHECK_CONDITION, EVENTQ, EVENTS_MISSED, EVT_RESET_REMOVED,
                           EVT_RESET_RESCAN,
                           GOOD, REQUESTQ, S_ABORTED, S_BAD_TARGET, S_FUNCTION_COMPLETE,
                           S_OK, S_RESET, SCSI_F_CHANGE, SCSI_F_HOTPLUG, SK_ILLEGAL_REQUEST,
                           SK_UNIT_ATTENTION, T_PARAM_CHANGE, T_TRANSPORT_RESET,
                           TMF_ABORT_TASK,
                           TMF_LUN_RESET, ScsiFrontend, cdb_inquiry, cdb_read16,
                           cdb_read_capacity16, cdb_report_luns, cdb_unmap, cdb_write10,
                           lun_field, unmap_param)

BLOCK = 512
MALLOC_MB = 4
BLOCKS = MALLOC_MB * 1024 * 1024 // BLOCK
HOLD_US = 1000000  # the delay bdev holds each I/O this long


def make_controller(tgt, name="scsi0", num_queues=1):
    """Controller NAME with Malloc0 as target 0 and Malloc1 as the first
    free target (1), as SPDK's rpc.py makes them."""
    tgt.malloc("Malloc0", MALLOC_MB, BLOCK)
    tgt.malloc("Malloc1", MALLOC_MB, BLOCK)
    tgt.rpc("vhost_create_scsi_controller", name, "--num-queues", num_queues)
    wait_for(lambda: os.path.exists(tgt.sock(name)), 10, "socket %s" % tgt.sock(name))
    assert tgt.rpc("vhost_scsi_controller_add_target", name, 0, "Malloc0") == 0
    assert tgt.rpc("vhost_scsi_controller_add_target", name, -1, "Malloc1") == 1
    return name


def connect(tgt, ctrl, features=0, nreq=1):
    fe = ScsiFrontend(tgt.sock(ctrl))
    fe.setup_scsi(nreq=nreq, features=features)
    return fe


def clear_power_on(fe, target):
    """SAM-5 §5.14: the first command reports the power-on unit attention
    (29h/00h), once; the next is GOOD."""
    r = fe.run(target, 0, b"\x00" * 6)
    assert r.response == S_OK and r.status == CHECK_CONDITION, r
    assert r.sense_key_asc() == (SK_UNIT_ATTENTION, 0x29, 0x00), r
    r = fe.run(target, 0, b"\x00" * 6)
    assert r.status == GOOD, r


def test_listing_is_spdk_shaped(tgt):
    ctrl = make_controller(tgt)
    info = tgt.rpc("vhost_get_controllers", "-n", ctrl)
    assert len(info) == 1
    scsi = info[0]["backend_specific"]["scsi"]
    assert [(t["scsi_dev_num"], t["target_name"], t["luns"]) for t in scsi] == [
        (0, "Target 0", [{"id": 0, "bdev_name": "Malloc0"}]),
        (1, "Target 1", [{"id": 0, "bdev_name": "Malloc1"}])]
    assert info[0]["ctrlr"] == ctrl and info[0]["socket"] == tgt.sock(ctrl)
    tgt.rpc_error("vhost_scsi_controller_add_target", ctrl, 0, "Malloc1", code=-17)
    tgt.rpc_error("vhost_scsi_controller_remove_target", ctrl, 5, code=-19)


def test_discovery_commands(tgt):
    ctrl = make_controller(tgt)
    fe = connect(tgt, ctrl)
    try:
        # INQUIRY does not report the unit attention (SAM-5 §5.14)
        r = fe.run(0, 0, cdb_inquiry(96), data_in=96)
        assert (r.response, r.status) == (S_OK, GOOD), r
        assert r.data[0] == 0x00 and r.data[8:16] == b"STORLAB ", r.data[:36]
        assert r.resid == 96 - 36, r
        clear_power_on(fe, 0)
        r = fe.run(0, 0, cdb_inquiry(255, evpd=True, page=0), data_in=255)
        assert r.data[4:4 + r.data[3]] == bytes([0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2])
        r = fe.run(0, 0, cdb_inquiry(255, evpd=True, page=0x80), data_in=255)
        assert r.data[4:4 + r.data[3]] == b"Malloc0"
        r = fe.run(0, 0, cdb_report_luns(4096), data_in=4096)
        assert r.status == GOOD and r.data[:16] == struct.pack(">I4x", 8) + bytes(8), r.data[:16]
        r = fe.run(0, 0, cdb_read_capacity16(), data_in=32)
        last, bs = struct.unpack_from(">QI", r.data)
        assert (last, bs) == (BLOCKS - 1, BLOCK)
        # a LUN the target does not have: INQUIRY says so, others are refused
        r = fe.run(0, 3, cdb_inquiry(36), data_in=36)
        assert r.status == GOOD and r.data[0] == 0x7F, r.data[:8]
        r = fe.run(0, 3, b"\x00" * 6)
        assert r.status == CHECK_CONDITION and r.sense_key_asc() == (SK_ILLEGAL_REQUEST,
                                                                      0x25, 0x00), r
        # a target that is not there: BAD_TARGET (§5.6.6.1.1)
        r = fe.run(6, 0, cdb_inquiry(36), data_in=36)
        assert r.response == S_BAD_TARGET, r
    finally:
        fe.close()


def test_data_unmap_and_sense(tgt):
    ctrl = make_controller(tgt)
    fe = connect(tgt, ctrl)
    try:
        clear_power_on(fe, 1)
        pattern = bytes((i * 7 + 3) & 0xFF for i in range(8 * BLOCK))
        r = fe.run(1, 0, cdb_write10(100, 8), data_out=pattern)
        assert (r.response, r.status, r.resid) == (S_OK, GOOD, 0), r
        r = fe.run(1, 0, cdb_read16(100, 8), data_in=8 * BLOCK)
        assert r.status == GOOD and r.data == pattern, "the pattern did not come back"
        # target 0 is another bdev: nothing there
        clear_power_on(fe, 0)
        r = fe.run(0, 0, cdb_read16(100, 8), data_in=8 * BLOCK)
        assert r.data == bytes(8 * BLOCK)
        param = unmap_param([(102, 4)])
        r = fe.run(1, 0, cdb_unmap(len(param)), data_out=param)
        assert (r.response, r.status) == (S_OK, GOOD), r
        r = fe.run(1, 0, cdb_read16(100, 8), data_in=8 * BLOCK)
        want = pattern[:2 * BLOCK] + bytes(4 * BLOCK) + pattern[6 * BLOCK:]
        assert r.data == want, "UNMAP did not zero blocks 102..105 alone"
        # an opcode we do not have: ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE
        r = fe.run(1, 0, bytes([0xC7]) + bytes(15))
        assert r.status == CHECK_CONDITION and r.sense_len == 18, r
        assert r.sense_key_asc() == (SK_ILLEGAL_REQUEST, 0x20, 0x00), r
        # past the last block: LOGICAL BLOCK ADDRESS OUT OF RANGE
        r = fe.run(1, 0, cdb_read16(BLOCKS - 1, 2), data_in=2 * BLOCK)
        assert r.sense_key_asc() == (SK_ILLEGAL_REQUEST, 0x21, 0x00), r
        # a data-in buffer shorter than the transfer: OVERRUN (§5.6.6.1.1)
        r = fe.run(1, 0, cdb_read16(0, 2), data_in=BLOCK)
        assert r.response == 1, r
    finally:
        fe.close()


def wait_inflight(tgt, ctrl, n):
    """Until request queue 0 (ring 2) holds N commands: the device took them
    before the TMF comes."""
    def held():
        q = tgt.rpc("vhost_get_controller_stats", "-n", ctrl)[0]["queues"][REQUESTQ]
        return q["inflight"] == n
    wait_for(held, 10, "%d commands in flight" % n)


def test_tmf_with_io_in_flight(tgt):
    ctrl = make_controller(tgt)
    tgt.malloc("Malloc2", MALLOC_MB, BLOCK)
    tgt.rpc("bdev_delay_create", "-b", "Malloc2", "-d", "Slow2", "-r", HOLD_US, "-t", HOLD_US,
            "-w", HOLD_US, "-n", HOLD_US)
    assert tgt.rpc("vhost_scsi_controller_add_target", ctrl, 2, "Slow2") == 2
    fe = connect(tgt, ctrl)
    try:
        clear_power_on(fe, 2)
        held = fe.command(2, 0, cdb_write10(0, 1), data_out=b"\x5a" * BLOCK)
        other = fe.command(2, 0, cdb_read16(8, 1), data_in=BLOCK)
        wait_inflight(tgt, ctrl, 2)
        # ABORT TASK of the write (its tag): it ends ABORTED before the TMF
        # completes (§5.6.6.2); the read is not touched
        head, resp = fe.tmf(TMF_ABORT_TASK, 2, 0, tag=held[1])
        fe.wait_head(0, head)
        assert fe.get(resp, 1)[0] == S_FUNCTION_COMPLETE
        assert held[0] in fe.used_order(REQUESTQ), "TMF completed before the aborted command"
        assert fe.result(held).response == S_ABORTED
        r = fe.result(other)
        assert (r.response, r.status) == (S_OK, GOOD), r
        # LOGICAL UNIT RESET: every command of the LUN ends RESET, then the
        # LUN reports the reset (SAM-5 §7.6: 29h/03h)
        cmds = [fe.command(2, 0, cdb_read16(i, 1), data_in=BLOCK) for i in range(3)]
        wait_inflight(tgt, ctrl, 3)
        head, resp = fe.tmf(TMF_LUN_RESET, 2, 0)
        fe.wait_head(0, head)
        assert fe.get(resp, 1)[0] == S_FUNCTION_COMPLETE
        assert [fe.result(c).response for c in cmds] == [S_RESET] * 3
        r = fe.run(2, 0, b"\x00" * 6)
        assert r.sense_key_asc() == (SK_UNIT_ATTENTION, 0x29, 0x03), r
    finally:
        fe.close()


def test_hotplug_events(tgt):
    ctrl = make_controller(tgt)
    tgt.malloc("Malloc3", MALLOC_MB, BLOCK)
    fe = connect(tgt, ctrl, features=SCSI_F_HOTPLUG)
    try:
        bufs = [fe.event_buffer() for _ in range(2)]
        assert tgt.rpc("vhost_scsi_controller_add_target", ctrl, 4, "Malloc3") == 4
        fe.wait_head(EVENTQ, bufs[0][0])
        assert fe.event(bufs[0][1]) == (T_TRANSPORT_RESET, lun_field(4, 0), EVT_RESET_RESCAN)
        clear_power_on(fe, 4)
        tgt.rpc("vhost_scsi_controller_remove_target", ctrl, 4)
        fe.wait_head(EVENTQ, bufs[1][0])
        assert fe.event(bufs[1][1]) == (T_TRANSPORT_RESET, lun_field(4, 0), EVT_RESET_REMOVED)
        r = fe.run(4, 0, cdb_inquiry(36), data_in=36)
        assert r.response == S_BAD_TARGET, r
        # the other targets serve on
        r = fe.run(1, 0, cdb_inquiry(36), data_in=36)
        assert r.status == GOOD, r
    finally:
        fe.close()


def test_events_missed_and_descriptor_sense(tgt):
    """§5.6.6.3.2: events past what the device holds without a buffer are
    dropped, and the next one it reports carries EVENTS_MISSED. A LUN made
    with descriptor_sense answers descriptor format sense data (SPC-5
    §4.4.2), its control mode page says D_SENSE."""
    ctrl = make_controller(tgt)
    tgt.malloc("Malloc3", MALLOC_MB, BLOCK)
    fe = connect(tgt, ctrl, features=SCSI_F_HOTPLUG)
    try:
        # 8 adds and 8 removes held (16), one more add dropped
        for lun in range(8):
            tgt.rpc("vhost_scsi_controller_add_lun", ctrl, 5, lun, "Malloc3")
        for lun in range(8):
            tgt.rpc("vhost_scsi_controller_remove_lun", ctrl, 5, lun)
        tgt.rpc("vhost_scsi_controller_add_lun", ctrl, 5, 0, "Malloc3", "--descriptor-sense")
        bufs = [fe.event_buffer() for _ in range(17)]
        fe.wait_head(EVENTQ, bufs[15][0])
        events = [fe.event(b[1]) for b in bufs[:16]]
        assert events[0] == (T_TRANSPORT_RESET | EVENTS_MISSED, lun_field(5, 0),
                             EVT_RESET_RESCAN), events[0]
        assert events[1:] == (
            [(T_TRANSPORT_RESET, lun_field(5, n), EVT_RESET_RESCAN) for n in range(1, 8)] +
            [(T_TRANSPORT_RESET, lun_field(5, n), EVT_RESET_REMOVED) for n in range(8)])
        # the dropped one is not delivered later
        assert bufs[16][0] not in fe.used_order(EVENTQ)
        r = fe.run(5, 0, bytes([0xC7]) + bytes(15))
        assert r.status == CHECK_CONDITION and r.sense[0] == 0x72 and r.sense_len == 8, r
        assert r.sense_key_asc() == (SK_UNIT_ATTENTION, 0x29, 0x00), r
        r = fe.run(5, 0, bytes([0xC7]) + bytes(15))
        assert r.sense_key_asc() == (SK_ILLEGAL_REQUEST, 0x20, 0x00), r
        r = fe.run(5, 0, bytes([0x1A, 0x08, 0x0A, 0, 255, 0]), data_in=255)
        assert r.status == GOOD and r.data[4] == 0x0A and r.data[6] & 0x04, r.data[:16]
    finally:
        fe.close()


def read_capacity(fe, target):
    """READ CAPACITY (16): (last LBA, block length)."""
    r = fe.run(target, 0, cdb_read_capacity16(), data_in=32)
    assert r.status == GOOD, r
    return struct.unpack(">QI", r.data[:12])


def test_resize_announces_capacity(tgt):
    """SPDK's bdev_null_resize grows a LUN's bdev while a driver has it:
    READ CAPACITY answers the new size, the next command reports CAPACITY
    DATA HAS CHANGED (2Ah/09h) as a unit attention, and with
    VIRTIO_SCSI_F_CHANGE a VIRTIO_SCSI_T_PARAM_CHANGE event carries the
    same ASC/ASCQ in reason (§5.6.6.3.3: ASC in bits 0-7, ASCQ in 8-15); a
    block past the old end is served. A bdev in use may not shrink."""
    tgt.rpc("bdev_null_create", "Null0", 4, BLOCK)
    tgt.rpc("vhost_create_scsi_controller", "scsi0")
    wait_for(lambda: os.path.exists(tgt.sock("scsi0")), 10, "socket")
    assert tgt.rpc("vhost_scsi_controller_add_target", "scsi0", 0, "Null0") == 0
    fe = connect(tgt, "scsi0", features=SCSI_F_CHANGE)
    try:
        head, buf = fe.event_buffer()
        clear_power_on(fe, 0)
        assert read_capacity(fe, 0) == (4 * 2048 - 1, BLOCK)
        tgt.rpc("bdev_null_resize", "Null0", 8)
        fe.wait_head(EVENTQ, head)
        assert fe.event(buf) == (T_PARAM_CHANGE, lun_field(0, 0), 0x2a | 0x09 << 8)
        r = fe.run(0, 0, cdb_read16(4 * 2048, 1), data_in=BLOCK)
        assert r.status == CHECK_CONDITION, r
        assert r.sense_key_asc() == (SK_UNIT_ATTENTION, 0x2a, 0x09), r
        assert read_capacity(fe, 0) == (8 * 2048 - 1, BLOCK)
        r = fe.run(0, 0, cdb_read16(8 * 2048 - 1, 1), data_in=BLOCK)
        assert r.status == GOOD, r
        r = fe.run(0, 0, cdb_read16(8 * 2048, 1), data_in=BLOCK)
        assert r.sense_key_asc() == (SK_ILLEGAL_REQUEST, 0x21, 0x00), r
        tgt.rpc_error("bdev_null_resize", "Null0", 2, code=-16, says="grow, not shrink")
        assert tgt.rpc("bdev_get_bdevs", "-b", "Null0")[0]["num_blocks"] == 8 * 2048
    finally:
        fe.close()
    # Not in use: it may shrink.
    tgt.rpc("vhost_scsi_controller_remove_target", "scsi0", 0)
    tgt.rpc("bdev_null_resize", "Null0", 2)
    assert tgt.rpc("bdev_get_bdevs", "-b", "Null0")[0]["num_blocks"] == 2 * 2048


def test_file_lun_rescan(tgt, tmp_path):
    """SPDK's bdev_uring_rescan (and its alias bdev_aio_rescan) reads the
    size of a file bdev's file again: a LUN over a file that grew answers
    the new capacity and reports the unit attention; data written past the
    old end reads back."""
    img = tmp_path / "lun.img"
    with open(img, "wb") as f:
        f.truncate(2 * 1024 * 1024)
    tgt.rpc("bdev_uring_create", img, "File0", BLOCK)
    tgt.rpc("vhost_create_scsi_controller", "scsi0")
    wait_for(lambda: os.path.exists(tgt.sock("scsi0")), 10, "socket")
    assert tgt.rpc("vhost_scsi_controller_add_target", "scsi0", 0, "File0") == 0
    fe = connect(tgt, "scsi0")
    try:
        clear_power_on(fe, 0)
        old = 2 * 2048
        assert read_capacity(fe, 0) == (old - 1, BLOCK)
        with open(img, "r+b") as f:
            f.truncate(3 * 1024 * 1024)
        tgt.rpc("bdev_aio_rescan", "File0")
        r = fe.run(0, 0, b"\x00" * 6)
        assert r.sense_key_asc() == (SK_UNIT_ATTENTION, 0x2a, 0x09), r
        assert read_capacity(fe, 0) == (3 * 2048 - 1, BLOCK)
        pattern = bytes(range(256)) * 2
        r = fe.run(0, 0, cdb_write10(old + 7, 1), data_out=pattern)
        assert r.status == GOOD, r
        r = fe.run(0, 0, cdb_read16(old + 7, 1), data_in=BLOCK)
        assert r.status == GOOD and r.data == pattern, r
        with open(img, "rb") as f:
            f.seek((old + 7) * BLOCK)
            assert f.read(BLOCK) == pattern
        # The file shrank under a LUN in use: the bdev keeps its size.
        with open(img, "r+b") as f:
            f.truncate(1024 * 1024)
        tgt.rpc_error("bdev_uring_rescan", "File0", code=-16, says="grow, not shrink")
        assert read_capacity(fe, 0) == (3 * 2048 - 1, BLOCK)
    finally:
        fe.close()
