/* SPDX-License-Identifier: MIT */
/*
 * bad_backend's virtio-blk data-path switches, one line each: the switch, its name,
 * the conformance cases that must fail against it (and only they), the
 * requirement it breaks, and the bad_backend options it needs besides
 * (docs/peers.md).
 */
#include "bad_backend.h"

const struct brk_switch g_switches_blk[] = {
    {BRK_WRONG_STATUS, "wrong-status", "BLK-RW-005 BLK-RW-007 BLK-RW-009",
     "virtio 1.2 §5.2.6: a read past capacity gets OK", NULL},
    {BRK_WRITE_PAST_END_OK, "write-past-end-ok", "BLK-RW-006 BLK-RW-008",
     "virtio 1.2 §5.2.6: a write past capacity gets OK (nothing written)", NULL},
    {BRK_DROPS_LAST_BLOCK_WRITE, "drops-last-block-write", "BLK-RW-004",
     "virtio 1.2 §5.2.6: a write to the last block gets OK, is not done", NULL},
    {BRK_TRUNCATES_LARGE_WRITES, "truncates-large-writes", "BLK-RW-002",
     "virtio 1.2 §5.2.6: a write over 128 KiB gets OK, only 128 KiB done", NULL},
    {BRK_PARTIAL_READ_OK, "partial-read-ok", "BLK-RW-013",
     "virtio 1.2 §5.2.6.1: a read of part of a sector gets OK", NULL},
    {BRK_NO_DATA_IOERR, "no-data-ioerr", "BLK-RW-010 BLK-RW-011",
     "virtio 1.2 §5.2.6.1: a read or write of 0 bytes gets IOERR", NULL},
    {BRK_DROPS_FIRST_BLOCK_WRITE, "drops-first-block-write", "BLK-RW-003",
     "virtio 1.2 §5.2.6: a write to sector 0 gets OK, is not done", NULL},
    {BRK_REJECTS_ODD_LAYOUT, "rejects-odd-layout",
     "BLK-LAY-003 BLK-LAY-004 BLK-LAY-005 BLK-LAY-007",
     "virtio 1.2 §2.7.4.1: IOERR unless header, data and status are "
     "descriptors of their own",
     NULL},
    {BRK_NO_USED_LEN, "no-used-len", "BLK-RW-023 BLK-ID-001",
     "virtio 1.2 §2.7.8: used len is always 0", NULL},
    {BRK_USED_LEN_SHORT, "used-len-short", "BLK-RW-023",
     "virtio 1.2 §2.7.8: a read's used len leaves out the status byte", NULL},
    {BRK_USED_LEN_LONG, "used-len-long", "BLK-RW-022 BLK-RW-023",
     "virtio 1.2 §2.7.8.1: used len one more than the writable bytes", NULL},
    {BRK_FLUSH_UNSUPP, "flush-unsupp", "BLK-RW-014",
     "virtio 1.2 §5.2.6.2: FLUSH offered, answered UNSUPP", NULL},
    {BRK_NO_FLUSH, "no-flush", "BLK-CFG-003",
     "virtio 1.2 §5.2.5.2: FLUSH is not offered (a SHOULD)", NULL},
    {BRK_FLUSH_WITHOUT_FEATURE, "flush-without-feature", "BLK-CFG-003 BLK-RW-015",
     "virtio 1.2 §5.2.6: FLUSH not offered (implies no-flush), "
     "answered OK",
     NULL},
    {BRK_GET_ID_UNPADDED, "get-id-unpadded", "BLK-ID-004",
     "virtio 1.2 §5.2.6: a short GET_ID id and its NUL, no NUL padding", NULL},
    {BRK_GET_ID_OVERRUN, "get-id-overrun", "BLK-ID-003",
     "virtio 1.2 §2.7.8.1: GET_ID writes 20 bytes past a shorter buffer", NULL},
    {BRK_IGNORE_READONLY, "ignore-readonly", "BLK-RW-021",
     "virtio 1.2 §5.2.6.2: RO offered, writes accepted and done", NULL},
    {BRK_UNKNOWN_TYPE_OK, "unknown-type-ok", "BLK-RW-016 BLK-RW-017 BLK-RW-018",
     "virtio 1.2 §5.2.6: an unknown request type gets OK", NULL},
    {BRK_DWZ_WITHOUT_FEATURE, "dwz-without-feature", "BLK-RW-019 BLK-RW-020",
     "virtio 1.2 §2.2: DISCARD/WRITE_ZEROES done when not negotiated", NULL},
    {BRK_DISCARD_IGNORES_UNMAP_FLAG, "discard-ignores-unmap-flag", "BLK-DWZ-005",
     "virtio 1.2 §5.2.6.2: DISCARD with unmap set gets OK", NULL},
    {BRK_DWZ_IGNORES_FLAGS, "dwz-ignores-flags", "BLK-DWZ-006 BLK-DWZ-007",
     "virtio 1.2 §5.2.6.2: unknown DISCARD/WRITE_ZEROES flags get OK", NULL},
    {BRK_DISCARD_UNSUPP, "discard-unsupp", "BLK-DWZ-004",
     "virtio 1.2 §5.2.6: DISCARD offered, answered UNSUPP", NULL},
    {BRK_DWZ_PAST_END_OK, "dwz-past-end-ok", "BLK-DWZ-010",
     "virtio 1.2 §5.2.6: WRITE_ZEROES past capacity gets OK", NULL},
    {BRK_WRITE_ZEROES_NOOP, "write-zeroes-noop", "BLK-DWZ-001 BLK-DWZ-002",
     "virtio 1.2 §5.2.6.2: WRITE_ZEROES gets OK and zeroes nothing", NULL},
    {BRK_CONFIG_PADDING_DIRTY, "config-padding-dirty", "BLK-CFG-001",
     "virtio 1.2 §5.2.5.2: config padding bytes are not 0", NULL},
    {BRK_NO_EVENT_IDX_NOTIFY, "no-event-idx-notify", "BLK-Q-005",
     "virtio 1.2 §2.7.7.2: EVENT_IDX: once used_event is ahead, never "
     "notifies again",
     NULL},
    {BRK_NO_NOTIFY_WITHOUT_EVENT_IDX, "no-notify-without-event-idx", "BLK-Q-008",
     "virtio 1.2 §2.7.7.2: without EVENT_IDX, never notifies", NULL},
    {BRK_NOTIFY_ALWAYS, "notify-always", "BLK-Q-006 BLK-Q-007 BLK-Q-009",
     "virtio 1.2 §2.7.7.2: notifies after every batch, whatever the "
     "driver asked",
     NULL},
    {BRK_SERVES_FIRST_QUEUE_ONLY, "serves-first-queue-only",
     "BLK-CFG-005 BLK-Q-002 BLK-Q-003 BLK-Q-004",
     "virtio 1.2 §5.2.4: num_queues offered, only queue 0 served", NULL},
};

const unsigned g_switches_blk_count = sizeof(g_switches_blk) / sizeof(g_switches_blk[0]);
