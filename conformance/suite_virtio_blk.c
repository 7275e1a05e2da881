/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk suite: every case, its requirement and how it reads the
 * spec (OASIS virtio 1.2 cs01). The checks live in suite_virtio_blk_*.c,
 * one file per area.
 *
 * Levels follow the spec's words. Where the spec forbids the driver
 * something and says nothing of the device (a request past capacity, data
 * that is not whole sectors, a malformed chain), a case that sends it
 * checks only what the spec does define: §5.2.6 names IOERR as the status
 * for a driver error (SHOULD), and a device must go on serving (MUST, or
 * give up the connection and serve a new one, §2.1.2).
 */
#include "conformance/suite_virtio_blk.h"
#include "spec/vhost_user.h"
#include "util/common.h"

#define F(bit)	  VIRTIO_BIT(VIRTIO_BLK_F_##bit)
#define RING(bit) VIRTIO_BIT(VIRTIO_RING_F_##bit)
/* Every case reads capacity from the config space. */
#define P_CFG VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG)

static const struct conform_case g_cases[] = {
    /* ---- Configuration, §5.2.4 / §5.2.5 ---- */
    {"BLK-CFG-001", "Padding bytes of the config space are zero", "virtio 1.2 §5.2.5.2",
     CONFORM_MUST,
     "The device initializes unused0 and unused1 to 0. unused1 is checked only when the "
     "back-end answered GET_CONFIG with at least 60 bytes.",
     0, P_CFG, blk_cfg_padding},
    {"BLK-CFG-002", "CONFIG_WCE is offered only together with FLUSH", "virtio 1.2 §5.2.5.2",
     CONFORM_MUST, "A device that offers VIRTIO_BLK_F_CONFIG_WCE also offers VIRTIO_BLK_F_FLUSH.",
     F(CONFIG_WCE), 0, blk_cfg_wce_needs_flush},
    {"BLK-CFG-003", "FLUSH is offered", "virtio 1.2 §5.2.5.2", CONFORM_SHOULD,
     "Devices should always offer VIRTIO_BLK_F_FLUSH. A device without volatile cache "
     "completes a flush at once; not offering the bit tells drivers nothing is ever made "
     "durable by a flush.",
     0, 0, blk_cfg_offers_flush},
    {"BLK-CFG-004", "writeback starts at 0 when CONFIG_WCE comes without FLUSH",
     "virtio 1.2 §5.2.5.2", CONFORM_MUST,
     "When VIRTIO_BLK_F_CONFIG_WCE is negotiated and VIRTIO_BLK_F_FLUSH is not, the device "
     "initializes writeback to 0 (writethrough). The case acknowledges every offered "
     "feature except FLUSH and reads writeback.",
     F(CONFIG_WCE), P_CFG, blk_cfg_wce_writeback_init},
    {"BLK-CFG-005", "Every one of num_queues queues serves I/O", "virtio 1.2 §5.2.4", CONFORM_MUST,
     "With VIRTIO_BLK_F_MQ, num_queues is the number of request queues (not 0). The case sets "
     "up that many (at most 64) and writes and reads back data on the last one.",
     F(MQ), P_CFG, blk_cfg_mq_num_queues},
    {"BLK-CFG-006", "writeback set through SET_CONFIG reads back", "virtio 1.2 §5.2.5",
     CONFORM_SHOULD,
     "With VIRTIO_BLK_F_CONFIG_WCE negotiated, the cache mode can be read or set through the "
     "writeback field; vhost-user's SET_CONFIG is how a front-end writes it. The case flips "
     "writeback with a 1-byte SET_CONFIG and reads the whole struct back.",
     F(CONFIG_WCE), P_CFG, blk_cfg_wce_set_writeback},

    /* ---- Reads and writes, §5.2.6 ---- */
    {"BLK-RW-001", "A write reads back", "virtio 1.2 §5.2.6", CONFORM_MUST,
     "VIRTIO_BLK_T_OUT writes data at sector * 512; VIRTIO_BLK_T_IN returns it. 4 KiB at an "
     "odd sector (a block boundary when blk_size > 512: alignment is BLK-RW-012's subject), "
     "with a pattern that differs per run.",
     0, P_CFG, blk_rw_roundtrip},
    {"BLK-RW-002", "A 256 KiB write reads back", "virtio 1.2 §5.2.6", CONFORM_MUST,
     "As BLK-RW-001 with 256 KiB in one data descriptor.", 0, P_CFG, blk_rw_large},
    {"BLK-RW-003", "The first block reads back", "virtio 1.2 §5.2.6", CONFORM_MUST,
     "A write and read of one block (512 bytes, or blk_size when negotiated) at sector 0.", 0,
     P_CFG, blk_rw_first_sector},
    {"BLK-RW-004", "The last block reads back", "virtio 1.2 §5.2.6", CONFORM_MUST,
     "A write and read of the block that ends at capacity: every sector below capacity is "
     "addressable.",
     0, P_CFG, blk_rw_last_sector},
    {"BLK-RW-005", "A read one past the end fails with IOERR", "virtio 1.2 §5.2.6.1, §5.2.6",
     CONFORM_SHOULD,
     "The driver must not read beyond capacity (§5.2.6.1); the spec leaves the device's "
     "answer to §5.2.6, which names IOERR for driver errors. The case reads sector capacity "
     "and expects IOERR, then checks the device keeps serving.",
     0, P_CFG, blk_rw_read_past_end},
    {"BLK-RW-006", "A write one past the end fails with IOERR", "virtio 1.2 §5.2.6.1, §5.2.6",
     CONFORM_SHOULD, "As BLK-RW-005 with a write of sector capacity.", 0, P_CFG,
     blk_rw_write_past_end},
    {"BLK-RW-007", "A read straddling the end fails with IOERR", "virtio 1.2 §5.2.6.1, §5.2.6",
     CONFORM_SHOULD,
     "Two blocks from the last one: half inside. The whole request fails with IOERR (a "
     "partial read would need a partial status, which virtio-blk does not have).",
     0, P_CFG, blk_rw_read_straddle},
    {"BLK-RW-008", "A write straddling the end fails with IOERR", "virtio 1.2 §5.2.6.1, §5.2.6",
     CONFORM_SHOULD, "As BLK-RW-007 with a write.", 0, P_CFG, blk_rw_write_straddle},
    {"BLK-RW-009", "A sector whose byte offset overflows 64 bits fails with IOERR",
     "virtio 1.2 §5.2.6.1, §5.2.6", CONFORM_SHOULD,
     "sector = 2^55 + 1: sector * 512 wraps to 512. A device that multiplies before checking "
     "the range would read sector 1 and answer OK.",
     0, P_CFG, blk_rw_far_past_end},
    {"BLK-RW-010", "A read with no data completes OK", "virtio 1.2 §5.2.6.1", CONFORM_SHOULD,
     "A header and a status byte only. Zero is a multiple of 512, so the request breaks no "
     "rule of §5.2.6.1; it transfers nothing and should complete OK.",
     0, P_CFG, blk_rw_zero_length_read},
    {"BLK-RW-011", "A write with no data completes OK", "virtio 1.2 §5.2.6.1", CONFORM_SHOULD,
     "As BLK-RW-010 with VIRTIO_BLK_T_OUT.", 0, P_CFG, blk_rw_zero_length_write},
    {"BLK-RW-012", "A 512-byte request not aligned to blk_size is served", "virtio 1.2 §5.2.5",
     CONFORM_SHOULD,
     "blk_size is the optimal block size for performance; the protocol's unit stays 512 "
     "bytes (§5.2.5 item 2). A device with blk_size > 512 should therefore serve a "
     "one-sector write and read at an odd sector. Not applicable when blk_size is 512. "
     "QEMU, SPDK and storlab-tgt answer IOERR (they take blk_size as the logical block "
     "size, as Linux's driver does): a failure here is that choice, not data loss.",
     F(BLK_SIZE), P_CFG, blk_rw_unaligned_blk_size},
    {"BLK-RW-013", "A read of part of a sector is not reported as done",
     "virtio 1.2 §5.2.6.1, §5.2.6", CONFORM_MUST,
     "The data of IN requests is whole sectors; the driver must not send 100 bytes. The spec "
     "defines no answer; the case fails only an OK status (the device cannot have read 100 "
     "bytes of a sector) and checks that the device keeps serving.",
     0, P_CFG, blk_rw_partial_sector},
    {"BLK-RW-014", "Data written before a FLUSH reads back after it", "virtio 1.2 §5.2.6.2",
     CONFORM_MUST,
     "A write, then VIRTIO_BLK_T_FLUSH (sector 0, no data, §5.2.6.1) completes OK, and the "
     "data reads back. Durability across a crash is not observable from here.",
     F(FLUSH), P_CFG, blk_rw_flush_after_write},
    {"BLK-RW-015", "FLUSH without VIRTIO_BLK_F_FLUSH is UNSUPP", "virtio 1.2 §5.2.6",
     CONFORM_SHOULD,
     "A device that does not offer FLUSH does not support the request: UNSUPP, the status "
     "§5.2.6 defines for unsupported requests. Not applicable when FLUSH is offered.",
     0, P_CFG, blk_rw_flush_unsupp},
    {"BLK-RW-016", "An unknown request type is UNSUPP", "virtio 1.2 §5.2.6", CONFORM_SHOULD,
     "Type 0xff is no request of the spec: the status is UNSUPP (§5.2.6), not IOERR or OK. "
     "The spec describes the status values without a normative MUST, hence SHOULD.",
     0, P_CFG, blk_rw_unknown_type},
    {"BLK-RW-017", "GET_LIFETIME without VIRTIO_BLK_F_LIFETIME is UNSUPP", "virtio 1.2 §5.2.6",
     CONFORM_SHOULD,
     "A device that does not offer the lifetime feature does not support the request. Not "
     "applicable when VIRTIO_BLK_F_LIFETIME is offered.",
     0, P_CFG, blk_rw_lifetime_unsupp},
    {"BLK-RW-018", "SECURE_ERASE without VIRTIO_BLK_F_SECURE_ERASE is UNSUPP", "virtio 1.2 §5.2.6",
     CONFORM_SHOULD, "As BLK-RW-017 for VIRTIO_BLK_T_SECURE_ERASE with one well-formed segment.", 0,
     P_CFG, blk_rw_secure_erase_unsupp},
    {"BLK-RW-019", "DISCARD is UNSUPP when the driver did not accept the feature",
     "virtio 1.2 §5.2.6, §2.2", CONFORM_SHOULD,
     "The case acknowledges every feature it knows but VIRTIO_BLK_F_DISCARD and sends a "
     "well-formed discard. The request belongs to a feature this driver did not accept, so "
     "the device does not support it here: UNSUPP (§5.2.6). No sentence of the spec says so "
     "in as many words, hence SHOULD.",
     0, P_CFG, blk_rw_discard_unnegotiated},
    {"BLK-RW-020", "WRITE_ZEROES is UNSUPP when the driver did not accept the feature",
     "virtio 1.2 §5.2.6, §2.2", CONFORM_SHOULD, "As BLK-RW-019 for VIRTIO_BLK_F_WRITE_ZEROES.", 0,
     P_CFG, blk_rw_wz_unnegotiated},
    {"BLK-RW-021", "A write to a read-only device fails and changes nothing", "virtio 1.2 §5.2.6.2",
     CONFORM_MUST,
     "With VIRTIO_BLK_F_RO offered, a write gets IOERR and no data is written: the sectors "
     "read the same before and after.",
     F(RO), P_CFG, blk_rw_read_only},
    {"BLK-RW-022", "The used length never exceeds the device-writable bytes", "virtio 1.2 §2.7.8.1",
     CONFORM_MUST,
     "The device writes at least len bytes into the writable buffers before it publishes "
     "len, so len cannot exceed them. Checked for IN, OUT and GET_ID.",
     0, P_CFG, blk_rw_used_len_bound},
    {"BLK-RW-023", "The used length of a read covers the data and the status",
     "virtio 1.2 §2.7.8.2, §2.7.8.1", CONFORM_SHOULD,
     "The driver may not rely on writable bytes past len, so a read's len should be its data "
     "length plus the status byte (4097 for 4 KiB). Legacy devices were lax here (§5.2.6.3).",
     0, P_CFG, blk_rw_used_len_read},

    /* ---- Descriptor layouts, §2.7.4 / §2.7.5 ---- */
    {"BLK-LAY-001", "Data split at odd points reads back", "virtio 1.2 §2.7.4.1", CONFORM_MUST,
     "The device must not assume a particular arrangement of descriptors. 8 KiB written in "
     "descriptors of 1, 511, 7, 1000, 3, 64, 129, 2 ... bytes and read back in another odd "
     "split.",
     0, P_CFG, blk_lay_odd_split},
    {"BLK-LAY-002", "One-byte data descriptors", "virtio 1.2 §2.7.4.1", CONFORM_MUST,
     "A sector in one-byte descriptors and one for the rest, as many as seg_max allows (256 "
     "without SEG_MAX), written and read back.",
     0, P_CFG, blk_lay_one_byte_descs},
    {"BLK-LAY-003", "A header split over three descriptors", "virtio 1.2 §2.7.4.1", CONFORM_MUST,
     "The 16-byte header as 5 + 3 + 8 bytes, for a write and a read.", 0, P_CFG,
     blk_lay_header_split},
    {"BLK-LAY-004", "The status byte in the last data descriptor", "virtio 1.2 §2.7.4.1, §5.2.6",
     CONFORM_MUST,
     "A read whose data and status share one 4097-byte writable descriptor: the status is the "
     "last writable byte, wherever the descriptors end.",
     0, P_CFG, blk_lay_status_shared_read},
    {"BLK-LAY-005", "Header and data in one descriptor", "virtio 1.2 §2.7.4.1", CONFORM_MUST,
     "A write whose header and 4 KiB of data are one readable descriptor.", 0, P_CFG,
     blk_lay_header_with_data},
    {"BLK-LAY-006", "A read through an indirect table", "virtio 1.2 §2.7.5.3", CONFORM_MUST,
     "With VIRTIO_RING_F_INDIRECT_DESC the whole chain (header, split data, status) is in an "
     "indirect table.",
     RING(INDIRECT_DESC), P_CFG, blk_lay_indirect_read},
    {"BLK-LAY-007", "A write through an indirect table", "virtio 1.2 §2.7.5.3", CONFORM_MUST,
     "As BLK-LAY-006 for a write, with the header split in the table.", RING(INDIRECT_DESC), P_CFG,
     blk_lay_indirect_write},
    {"BLK-LAY-008", "Direct descriptors followed by an indirect one", "virtio 1.2 §2.7.5.3.2",
     CONFORM_MUST,
     "The device handles zero or more chained descriptors followed by one that refers to an "
     "indirect table: the header direct, data and status in the table.",
     RING(INDIRECT_DESC), P_CFG, blk_lay_indirect_after_direct},
    {"BLK-LAY-009", "WRITE on an indirect descriptor is ignored", "virtio 1.2 §2.7.5.3.2",
     CONFORM_MUST,
     "The device ignores the write-only flag of a descriptor that refers to an indirect "
     "table. The case sets it and expects the read to work as usual.",
     RING(INDIRECT_DESC), P_CFG, blk_lay_indirect_write_flag},
    {"BLK-LAY-010", "A request of seg_max data segments", "virtio 1.2 §5.2.4", CONFORM_SHOULD,
     "seg_max is the most segments a request may have; the case reads it as data segments, "
     "header and status apart, as Linux and QEMU do, and writes and reads seg_max sectors in "
     "as many descriptors. The spec words no device requirement, hence SHOULD.",
     F(SEG_MAX), P_CFG, blk_lay_seg_max},
    {"BLK-LAY-011", "More than seg_max segments: served or refused, never harmful",
     "virtio 1.2 §2.7.4.1, §5.2.4", CONFORM_MAY,
     "A device may limit the descriptors of a chain. With seg_max + 1 data segments it may "
     "refuse; if it answers OK the data must read back, and it must keep serving.",
     F(SEG_MAX), P_CFG, blk_lay_over_seg_max},
    {"BLK-LAY-012", "A readable descriptor after a writable one does no harm",
     "virtio 1.2 §2.7.4.2", CONFORM_MUST,
     "The driver places writable descriptors after readable ones. The spec leaves the "
     "device's handling of a chain that does not open; the case checks only that the device "
     "keeps serving (a follow-up write and read, and new connections).",
     0, P_CFG, blk_lay_readable_after_writable},
    {"BLK-LAY-013", "A chain without a writable byte does no harm", "virtio 1.2 §5.2.6",
     CONFORM_MUST, "A header alone: there is nowhere to put the status. The device keeps serving.",
     0, P_CFG, blk_lay_no_status},
    {"BLK-LAY-014", "A header of 8 bytes does no harm", "virtio 1.2 §5.2.6", CONFORM_MUST,
     "The header is 16 device-readable bytes; with 8 the type is known but the sector is not. "
     "The device keeps serving.",
     0, P_CFG, blk_lay_short_header},
    {"BLK-LAY-015", "A zero-length descriptor among the data", "virtio 1.2 §2.7.5", CONFORM_MUST,
     "§2.7.5 sets no minimum descriptor length. Whatever the device answers, an OK must come "
     "with the right data, and the device keeps serving.",
     0, P_CFG, blk_lay_zero_len_desc},

    /* ---- GET_ID, DISCARD, WRITE_ZEROES, §5.2.6 ---- */
    {"BLK-ID-001", "GET_ID returns an ASCII id that ends", "virtio 1.2 §5.2.6, §2.7.8",
     CONFORM_MUST,
     "The id is ASCII, up to 20 bytes, NUL-terminated when shorter than 20. The bytes judged "
     "are those the used length says were written (less the status byte): the driver may "
     "rely on no other (§2.7.8.2), so a device that writes the string and its NUL and "
     "reports that length answers completely. Within them every byte after the first NUL is "
     "NUL. Not applicable if the device answers UNSUPP.",
     0, P_CFG, blk_id_twenty},
    {"BLK-ID-002", "GET_ID into split descriptors gives the same id", "virtio 1.2 §2.7.4.1",
     CONFORM_MUST, "The 20 bytes as 7 + 1 + 12 byte descriptors: the same id and used length.", 0,
     P_CFG, blk_id_split},
    {"BLK-ID-004", "GET_ID fills all 20 bytes, NUL-padded", "virtio 1.2 §5.2.6", CONFORM_SHOULD,
     "§5.2.6 calls the id a NUL-padded string of up to 20 bytes: the stricter reading of "
     "BLK-ID-001, that the device writes all 20 bytes and pads with NUL, whatever its used "
     "length. Drivers that do not look at the used length (Linux copies 20 bytes) see stale "
     "memory otherwise.",
     0, P_CFG, blk_id_padded},
    {"BLK-ID-003", "GET_ID into 8 bytes stays inside them", "virtio 1.2 §5.2.6.1, §2.7.8.1",
     CONFORM_MUST,
     "The driver gives 20 bytes; with 8 the spec defines no answer. The device must not "
     "write past the buffer it was given and keeps serving.",
     0, P_CFG, blk_id_short_buffer},
    {"BLK-DWZ-001", "WRITE_ZEROES: the range reads back as zeroes", "virtio 1.2 §5.2.6.2",
     CONFORM_MUST, "After a write zeroes completes, reads of its range return zeroes.",
     F(WRITE_ZEROES), P_CFG, blk_dwz_wz_reads_zero},
    {"BLK-DWZ-002", "WRITE_ZEROES with unmap: the range reads back as zeroes",
     "virtio 1.2 §5.2.6.2", CONFORM_MUST,
     "With the unmap flag the device may deallocate, but reads still return zeroes.",
     F(WRITE_ZEROES), P_CFG, blk_dwz_wz_unmap_reads_zero},
    {"BLK-DWZ-003", "WRITE_ZEROES with two segments zeroes both and nothing between",
     "virtio 1.2 §5.2.6.2, §5.2.6", CONFORM_MUST,
     "Two segments with a gap: both read back as zeroes, the gap keeps its data. Not "
     "applicable when max_write_zeroes_seg is 1.",
     F(WRITE_ZEROES), P_CFG, blk_dwz_wz_multi_seg},
    {"BLK-DWZ-004", "DISCARD of an aligned range completes OK", "virtio 1.2 §5.2.6", CONFORM_SHOULD,
     "A one-segment discard aligned to discard_sector_alignment and blk_size. What the range "
     "reads afterwards is undefined (§5.2.6.1), so only the status is checked.",
     F(DISCARD), P_CFG, blk_dwz_discard_ok},
    {"BLK-DWZ-005", "DISCARD with the unmap flag is UNSUPP", "virtio 1.2 §5.2.6.2", CONFORM_MUST,
     "The device sets UNSUPP for a discard whose unmap flag is set.", F(DISCARD), P_CFG,
     blk_dwz_discard_unmap_flag},
    {"BLK-DWZ-006", "DISCARD with an unknown flag is UNSUPP", "virtio 1.2 §5.2.6.2", CONFORM_MUST,
     "Flag bit 1 is reserved: UNSUPP.", F(DISCARD), P_CFG, blk_dwz_discard_unknown_flag},
    {"BLK-DWZ-007", "WRITE_ZEROES with an unknown flag is UNSUPP", "virtio 1.2 §5.2.6.2",
     CONFORM_MUST, "Flag bit 1 is reserved: UNSUPP.", F(WRITE_ZEROES), P_CFG,
     blk_dwz_wz_unknown_flag},
    {"BLK-DWZ-008", "DISCARD with more than max_discard_seg segments does no harm",
     "virtio 1.2 §5.2.6.1", CONFORM_MUST,
     "The driver must not send more than max_discard_seg segments; the answer is undefined. "
     "The device keeps serving.",
     F(DISCARD), P_CFG, blk_dwz_discard_too_many_seg},
    {"BLK-DWZ-009", "WRITE_ZEROES with more than max_write_zeroes_seg segments does no harm",
     "virtio 1.2 §5.2.6.1", CONFORM_MUST, "As BLK-DWZ-008 for write zeroes.", F(WRITE_ZEROES),
     P_CFG, blk_dwz_wz_too_many_seg},
    {"BLK-DWZ-010", "WRITE_ZEROES past the end fails with IOERR", "virtio 1.2 §5.2.6.1, §5.2.6",
     CONFORM_SHOULD, "A segment starting at capacity: IOERR, as for reads and writes.",
     F(WRITE_ZEROES), P_CFG, blk_dwz_wz_past_end},
    {"BLK-DWZ-011", "WRITE_ZEROES data that is not whole segments does no harm",
     "virtio 1.2 §5.2.6.1", CONFORM_MUST,
     "The data of a write zeroes is a multiple of 16 bytes; with 10 the answer is undefined. "
     "The device keeps serving.",
     F(WRITE_ZEROES), P_CFG, blk_dwz_bad_seg_len},

    /* ---- Queues and notifications ---- */
    {"BLK-Q-001", "A full ring of requests in flight", "virtio 1.2 §5.2.6, §2.7", CONFORM_MUST,
     "85 writes (255 of the 256 descriptors) made available at once, then 85 reads: all "
     "complete OK, in any order, and the data reads back.",
     0, P_CFG, blk_q_many_inflight},
    {"BLK-Q-002", "Data integrity with writes and reads on several queues at once",
     "virtio 1.2 §5.2.6, §5.2.4", CONFORM_MUST,
     "Four queues (two if that is all) each write 32 requests in flight together; each range "
     "is then read back through another queue.",
     F(MQ), P_CFG, blk_q_concurrent_integrity},
    {"BLK-Q-003", "Failing requests on one queue do not disturb another", "virtio 1.2 §5.2.6",
     CONFORM_MUST,
     "While queue 1 has writes in flight, queue 0 gets a read past the end and an unknown "
     "type. Every request has its own status: queue 1's complete OK and read back.",
     F(MQ), P_CFG, blk_q_independent},
    {"BLK-Q-004", "A malformed chain on one queue leaves another queue serving",
     "virtio 1.2 §2.7.4.2, §2.1.2", CONFORM_SHOULD,
     "As BLK-Q-003 with a readable-after-writable chain on queue 0. The spec lets a device "
     "give up on a driver that breaks the rules (needs reset), so this is a SHOULD: a device "
     "with independent queues confines the damage to the queue that got the bad chain.",
     F(MQ), P_CFG, blk_q_malformed_other_queue},
    {"BLK-Q-005", "EVENT_IDX: a notification when used_event is reached", "virtio 1.2 §2.7.7.2",
     CONFORM_MUST,
     "With VIRTIO_F_EVENT_IDX and used_event two entries ahead, the device must notify when "
     "it writes the entry at used_event (the third request).",
     RING(EVENT_IDX), P_CFG, blk_q_event_idx_notify},
    {"BLK-Q-006", "EVENT_IDX: no notification before used_event", "virtio 1.2 §2.7.7.2",
     CONFORM_SHOULD,
     "Right after the ring starts, with used_event two entries ahead, the device should not "
     "notify for the two entries before it (checked 100 ms after each is used). Devices that "
     "notify unconditionally for their first used entry (Linux vhost, libvhost-user) fail "
     "this one and pass BLK-Q-009.",
     RING(EVENT_IDX), P_CFG, blk_q_event_idx_suppress},
    {"BLK-Q-007", "No notification with VIRTQ_AVAIL_F_NO_INTERRUPT", "virtio 1.2 §2.7.7.2",
     CONFORM_SHOULD,
     "Without EVENT_IDX (not acknowledged), avail->flags 1 asks for no notification: the "
     "device should not send one.",
     0, P_CFG, blk_q_no_interrupt_flag},
    {"BLK-Q-008", "A notification with avail->flags 0", "virtio 1.2 §2.7.7.2", CONFORM_MUST,
     "Without EVENT_IDX, flags 0: the device must notify after a used entry.", 0, P_CFG,
     blk_q_notify_flags0},
    {"BLK-Q-009", "EVENT_IDX: no notification before used_event, ring running",
     "virtio 1.2 §2.7.7.2", CONFORM_SHOULD,
     "As BLK-Q-006 after one request went through, so that the device has decided on a "
     "notification since the ring started.",
     RING(EVENT_IDX), P_CFG, blk_q_event_idx_suppress_warm},
};

const struct conform_suite g_suite_virtio_blk = {
    .name = "virtio-blk",
    .description = "virtio-blk device requirements (OASIS virtio 1.2 §5.2, with the split "
		   "virtqueue rules of §2.7 that a block device exercises)",
    .cases = g_cases,
    .ncases = ARRAY_SIZE(g_cases),
};
