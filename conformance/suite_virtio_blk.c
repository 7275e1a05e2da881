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
    {
	.id = "BLK-CFG-001",
	.title = "Padding bytes of the config space are zero",
	.spec = "virtio 1.2 §5.2.5.2",
	.level = CONFORM_MUST,
	.description = "The device initializes unused0 and unused1 to 0. unused1 is checked only "
		       "when the back-end answered GET_CONFIG with at least 60 bytes.",
	.protocol_features = P_CFG,
	.run = blk_cfg_padding,
    },
    {
	.id = "BLK-CFG-002",
	.title = "CONFIG_WCE is offered only together with FLUSH",
	.spec = "virtio 1.2 §5.2.5.2",
	.level = CONFORM_MUST,
	.description =
	    "A device that offers VIRTIO_BLK_F_CONFIG_WCE also offers VIRTIO_BLK_F_FLUSH.",
	.features = F(CONFIG_WCE),
	.run = blk_cfg_wce_needs_flush,
    },
    {
	.id = "BLK-CFG-003",
	.title = "FLUSH is offered",
	.spec = "virtio 1.2 §5.2.5.2",
	.level = CONFORM_SHOULD,
	.description = "Devices should always offer VIRTIO_BLK_F_FLUSH. A device without volatile "
		       "cache completes a flush at once; not offering the bit tells drivers "
		       "nothing is ever made durable by a flush.",
	.run = blk_cfg_offers_flush,
    },
    {
	.id = "BLK-CFG-004",
	.title = "writeback starts at 0 when CONFIG_WCE comes without FLUSH",
	.spec = "virtio 1.2 §5.2.5.2",
	.level = CONFORM_MUST,
	.description = "When VIRTIO_BLK_F_CONFIG_WCE is negotiated and VIRTIO_BLK_F_FLUSH is not, "
		       "the device initializes writeback to 0 (writethrough). The case "
		       "acknowledges every offered feature except FLUSH and reads writeback.",
	.features = F(CONFIG_WCE),
	.protocol_features = P_CFG,
	.run = blk_cfg_wce_writeback_init,
    },
    {
	.id = "BLK-CFG-005",
	.title = "Every one of num_queues queues serves I/O",
	.spec = "virtio 1.2 §5.2.4",
	.level = CONFORM_MUST,
	.description =
	    "With VIRTIO_BLK_F_MQ, num_queues is the number of request queues (not 0). The case "
	    "sets up that many (at most 64) and writes and reads back data on the last one.",
	.features = F(MQ),
	.protocol_features = P_CFG,
	.run = blk_cfg_mq_num_queues,
    },
    {
	.id = "BLK-CFG-006",
	.title = "writeback set through SET_CONFIG reads back",
	.spec = "virtio 1.2 §5.2.5",
	.level = CONFORM_SHOULD,
	.description =
	    "With VIRTIO_BLK_F_CONFIG_WCE negotiated, the cache mode can be read or set through "
	    "the writeback field; vhost-user's SET_CONFIG is how a front-end writes it. The case "
	    "flips writeback with a 1-byte SET_CONFIG and reads the whole struct back.",
	.features = F(CONFIG_WCE),
	.protocol_features = P_CFG,
	.run = blk_cfg_wce_set_writeback,
    },
    {
	.id = "BLK-CFG-007",
	.title = "num_queues is no more than VHOST_USER_GET_QUEUE_NUM",
	.spec = "virtio 1.2 §5.2.4; vhost-user.rst: Multiple queue support",
	.quote = "The field num_queues only exists if VIRTIO_BLK_F_MQ is set. This field "
		 "specifies the number of queues.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "With VIRTIO_BLK_F_MQ and VHOST_USER_PROTOCOL_F_MQ negotiated, the config space's "
	    "num_queues must not exceed the queues the back-end supports (GET_QUEUE_NUM, "
	    "\"the max number of queues the back-end supports\"): a driver that sets up "
	    "num_queues queues would meet a back-end that refuses the last ones. Fewer is a "
	    "choice. No sentence ties the two numbers, hence advisory.",
	.features = F(MQ),
	.protocol_features = P_CFG | VIRTIO_BIT(VHOST_USER_PROTOCOL_F_MQ),
	.run = blk_cfg_num_queues_vs_queue_num,
    },
    {
	.id = "BLK-CFG-008",
	.title = "blk_size is a power of 2 of at least 512",
	.spec = "virtio 1.2 §5.2.5",
	.quote = "If the VIRTIO_BLK_F_BLK_SIZE feature is negotiated, blk_size can be read to "
		 "determine the optimal sector size for the driver to use.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Drivers take blk_size as their logical block size: Linux refuses a device whose "
	    "blk_size is not a power of 2 between 512 and the page size (\"invalid block "
	    "size\"). The spec gives it no range in so many words, hence advisory; the case "
	    "checks a power of 2 of at least 512 bytes (a sector count, or a size in other "
	    "units, fails).",
	.features = F(BLK_SIZE),
	.protocol_features = P_CFG,
	.run = blk_cfg_blk_size,
    },

    /* ---- Reads and writes, §5.2.6 ---- */
    {
	.id = "BLK-RW-001",
	.title = "A write reads back",
	.spec = "virtio 1.2 §5.2.6",
	.level = CONFORM_MUST,
	.description = "VIRTIO_BLK_T_OUT writes data at sector * 512; VIRTIO_BLK_T_IN returns it. "
		       "4 KiB at an odd sector (a block boundary when blk_size > 512: alignment is "
		       "BLK-RW-012's subject), with a pattern that differs per run.",
	.protocol_features = P_CFG,
	.run = blk_rw_roundtrip,
    },
    {
	.id = "BLK-RW-002",
	.title = "A 256 KiB write reads back",
	.spec = "virtio 1.2 §5.2.6",
	.level = CONFORM_MUST,
	.description = "As BLK-RW-001 with 256 KiB in one data descriptor.",
	.protocol_features = P_CFG,
	.run = blk_rw_large,
    },
    {
	.id = "BLK-RW-003",
	.title = "The first block reads back",
	.spec = "virtio 1.2 §5.2.6",
	.level = CONFORM_MUST,
	.description =
	    "A write and read of one block (512 bytes, or blk_size when negotiated) at sector 0.",
	.protocol_features = P_CFG,
	.run = blk_rw_first_sector,
    },
    {
	.id = "BLK-RW-004",
	.title = "The last block reads back",
	.spec = "virtio 1.2 §5.2.6",
	.level = CONFORM_MUST,
	.description = "A write and read of the block that ends at capacity: every sector below "
		       "capacity is addressable.",
	.protocol_features = P_CFG,
	.run = blk_rw_last_sector,
    },
    {
	.id = "BLK-RW-005",
	.title = "A read one past the end fails with IOERR",
	.spec = "virtio 1.2 §5.2.6.1, §5.2.6",
	.level = CONFORM_SHOULD,
	.description =
	    "The driver must not read beyond capacity (§5.2.6.1); the spec leaves the device's "
	    "answer to §5.2.6, which names IOERR for driver errors. The case reads sector capacity "
	    "and expects IOERR, then checks the device keeps serving.",
	.protocol_features = P_CFG,
	.run = blk_rw_read_past_end,
    },
    {
	.id = "BLK-RW-006",
	.title = "A write one past the end fails with IOERR",
	.spec = "virtio 1.2 §5.2.6.1, §5.2.6",
	.level = CONFORM_SHOULD,
	.description = "As BLK-RW-005 with a write of sector capacity.",
	.protocol_features = P_CFG,
	.run = blk_rw_write_past_end,
    },
    {
	.id = "BLK-RW-007",
	.title = "A read straddling the end fails with IOERR",
	.spec = "virtio 1.2 §5.2.6.1, §5.2.6",
	.level = CONFORM_SHOULD,
	.description =
	    "Two blocks from the last one: half inside. The whole request fails with IOERR (a "
	    "partial read would need a partial status, which virtio-blk does not have).",
	.protocol_features = P_CFG,
	.run = blk_rw_read_straddle,
    },
    {
	.id = "BLK-RW-008",
	.title = "A write straddling the end fails with IOERR",
	.spec = "virtio 1.2 §5.2.6.1, §5.2.6",
	.level = CONFORM_SHOULD,
	.description = "As BLK-RW-007 with a write.",
	.protocol_features = P_CFG,
	.run = blk_rw_write_straddle,
    },
    {
	.id = "BLK-RW-009",
	.title = "A sector whose byte offset overflows 64 bits fails with IOERR",
	.spec = "virtio 1.2 §5.2.6.1, §5.2.6",
	.level = CONFORM_SHOULD,
	.description = "sector = 2^55 + 1: sector * 512 wraps to 512. A device that multiplies "
		       "before checking the range would read sector 1 and answer OK.",
	.protocol_features = P_CFG,
	.run = blk_rw_far_past_end,
    },
    {
	.id = "BLK-RW-010",
	.title = "A read with no data completes OK",
	.spec = "virtio 1.2 §5.2.6.1",
	.level = CONFORM_SHOULD,
	.description = "A header and a status byte only. Zero is a multiple of 512, so the request "
		       "breaks no rule of §5.2.6.1; it transfers nothing and should complete OK.",
	.protocol_features = P_CFG,
	.run = blk_rw_zero_length_read,
    },
    {
	.id = "BLK-RW-011",
	.title = "A write with no data completes OK",
	.spec = "virtio 1.2 §5.2.6.1",
	.level = CONFORM_SHOULD,
	.description = "As BLK-RW-010 with VIRTIO_BLK_T_OUT.",
	.protocol_features = P_CFG,
	.run = blk_rw_zero_length_write,
    },
    {
	.id = "BLK-RW-012",
	.title = "A 512-byte request not aligned to blk_size is served",
	.spec = "virtio 1.2 §5.2.5",
	.level = CONFORM_SHOULD,
	.description =
	    "blk_size is the optimal block size for performance; the protocol's unit stays 512 "
	    "bytes (§5.2.5 item 2). A device with blk_size > 512 should therefore serve a "
	    "one-sector write and read at an odd sector. Not applicable when blk_size is 512. "
	    "QEMU, SPDK and storlab-tgt answer IOERR (they take blk_size as the logical block "
	    "size, as Linux's driver does): a failure here is that choice, not data loss.",
	.features = F(BLK_SIZE),
	.protocol_features = P_CFG,
	.run = blk_rw_unaligned_blk_size,
    },
    {
	.id = "BLK-RW-013",
	.title = "A read of part of a sector is not reported as done",
	.spec = "virtio 1.2 §5.2.6.1, §5.2.6",
	.level = CONFORM_MUST,
	.description =
	    "The data of IN requests is whole sectors; the driver must not send 100 bytes. The "
	    "spec defines no answer; the case fails only an OK status (the device cannot have read "
	    "100 bytes of a sector) and checks that the device keeps serving.",
	.protocol_features = P_CFG,
	.run = blk_rw_partial_sector,
    },
    {
	.id = "BLK-RW-014",
	.title = "Data written before a FLUSH reads back after it",
	.spec = "virtio 1.2 §5.2.6.2",
	.level = CONFORM_MUST,
	.description =
	    "A write, then VIRTIO_BLK_T_FLUSH (sector 0, no data, §5.2.6.1) completes OK, and the "
	    "data reads back. Durability across a crash is not observable from here.",
	.features = F(FLUSH),
	.protocol_features = P_CFG,
	.run = blk_rw_flush_after_write,
    },
    {
	.id = "BLK-RW-015",
	.title = "FLUSH without VIRTIO_BLK_F_FLUSH is UNSUPP",
	.spec = "virtio 1.2 §5.2.6",
	.level = CONFORM_SHOULD,
	.description =
	    "A device that does not offer FLUSH does not support the request: UNSUPP, the status "
	    "§5.2.6 defines for unsupported requests. Not applicable when FLUSH is offered.",
	.protocol_features = P_CFG,
	.run = blk_rw_flush_unsupp,
    },
    {
	.id = "BLK-RW-016",
	.title = "An unknown request type is UNSUPP",
	.spec = "virtio 1.2 §5.2.6",
	.level = CONFORM_SHOULD,
	.description =
	    "Type 0xff is no request of the spec: the status is UNSUPP (§5.2.6), not IOERR or OK. "
	    "The spec describes the status values without a normative MUST, hence SHOULD.",
	.protocol_features = P_CFG,
	.run = blk_rw_unknown_type,
    },
    {
	.id = "BLK-RW-017",
	.title = "GET_LIFETIME without VIRTIO_BLK_F_LIFETIME is UNSUPP",
	.spec = "virtio 1.2 §5.2.6",
	.level = CONFORM_SHOULD,
	.description = "A device that does not offer the lifetime feature does not support the "
		       "request. Not applicable when VIRTIO_BLK_F_LIFETIME is offered.",
	.protocol_features = P_CFG,
	.run = blk_rw_lifetime_unsupp,
    },
    {
	.id = "BLK-RW-018",
	.title = "SECURE_ERASE without VIRTIO_BLK_F_SECURE_ERASE is UNSUPP",
	.spec = "virtio 1.2 §5.2.6",
	.level = CONFORM_SHOULD,
	.description = "As BLK-RW-017 for VIRTIO_BLK_T_SECURE_ERASE with one well-formed segment.",
	.protocol_features = P_CFG,
	.run = blk_rw_secure_erase_unsupp,
    },
    {
	.id = "BLK-RW-019",
	.title = "DISCARD is UNSUPP when the driver did not accept the feature",
	.spec = "virtio 1.2 §5.2.6, §2.2",
	.level = CONFORM_SHOULD,
	.description = "The case acknowledges every feature it knows but VIRTIO_BLK_F_DISCARD and "
		       "sends a well-formed discard. The request belongs to a feature this driver "
		       "did not accept, so the device does not support it here: UNSUPP (§5.2.6). "
		       "No sentence of the spec says so in as many words, hence SHOULD.",
	.protocol_features = P_CFG,
	.run = blk_rw_discard_unnegotiated,
    },
    {
	.id = "BLK-RW-020",
	.title = "WRITE_ZEROES is UNSUPP when the driver did not accept the feature",
	.spec = "virtio 1.2 §5.2.6, §2.2",
	.level = CONFORM_SHOULD,
	.description = "As BLK-RW-019 for VIRTIO_BLK_F_WRITE_ZEROES.",
	.protocol_features = P_CFG,
	.run = blk_rw_wz_unnegotiated,
    },
    {
	.id = "BLK-RW-021",
	.title = "A write to a read-only device fails and changes nothing",
	.spec = "virtio 1.2 §5.2.6.2",
	.level = CONFORM_MUST,
	.description = "With VIRTIO_BLK_F_RO offered, a write gets IOERR and no data is written: "
		       "the sectors read the same before and after.",
	.features = F(RO),
	.protocol_features = P_CFG,
	.run = blk_rw_read_only,
    },
    {
	.id = "BLK-RW-022",
	.title = "The used length never exceeds the device-writable bytes",
	.spec = "virtio 1.2 §2.7.8.1",
	.level = CONFORM_MUST,
	.description = "The device writes at least len bytes into the writable buffers before it "
		       "publishes len, so len cannot exceed them. Checked for IN, OUT and GET_ID.",
	.protocol_features = P_CFG,
	.run = blk_rw_used_len_bound,
    },
    {
	.id = "BLK-RW-023",
	.title = "The used length of a read covers the data and the status",
	.spec = "virtio 1.2 §2.7.8.2, §2.7.8.1",
	.level = CONFORM_SHOULD,
	.description = "The driver may not rely on writable bytes past len, so a read's len should "
		       "be its data length plus the status byte (4097 for 4 KiB). Legacy devices "
		       "were lax here (§5.2.6.3).",
	.protocol_features = P_CFG,
	.run = blk_rw_used_len_read,
    },
    {
	.id = "BLK-RW-024",
	.title = "A write to a read-only device fails even if the driver did not accept RO",
	.spec = "virtio 1.2 §5.2.6.2",
	.quote = "A device MUST set the status byte to VIRTIO_BLK_S_IOERR for a write request "
		 "if the VIRTIO_BLK_F_RO feature if offered, and MUST NOT write any data.",
	.level = CONFORM_MUST,
	.description =
	    "As BLK-RW-021, but the driver does not acknowledge VIRTIO_BLK_F_RO (it only SHOULD, "
	    "§5.2.5.1): the rule holds when the feature is offered, so the write still gets "
	    "IOERR and the sectors read the same before and after.",
	.features = F(RO),
	.protocol_features = P_CFG,
	.run = blk_rw_read_only_unacked,
    },

    /* ---- Descriptor layouts, §2.7.4 / §2.7.5 ---- */
    {
	.id = "BLK-LAY-001",
	.title = "Data split at odd points reads back",
	.spec = "virtio 1.2 §2.7.4.1",
	.level = CONFORM_MUST,
	.description = "The device must not assume a particular arrangement of descriptors. 8 KiB "
		       "written in descriptors of 1, 511, 7, 1000, 3, 64, 129, 2 ... bytes and "
		       "read back in another odd split.",
	.protocol_features = P_CFG,
	.run = blk_lay_odd_split,
    },
    {
	.id = "BLK-LAY-002",
	.title = "One-byte data descriptors",
	.spec = "virtio 1.2 §2.7.4.1",
	.level = CONFORM_MUST,
	.description = "A sector in one-byte descriptors and one for the rest, as many as seg_max "
		       "allows (256 without SEG_MAX), written and read back.",
	.protocol_features = P_CFG,
	.run = blk_lay_one_byte_descs,
    },
    {
	.id = "BLK-LAY-003",
	.title = "A header split over three descriptors",
	.spec = "virtio 1.2 §2.7.4.1",
	.level = CONFORM_MUST,
	.description = "The 16-byte header as 5 + 3 + 8 bytes, for a write and a read.",
	.protocol_features = P_CFG,
	.run = blk_lay_header_split,
    },
    {
	.id = "BLK-LAY-004",
	.title = "The status byte in the last data descriptor",
	.spec = "virtio 1.2 §2.7.4.1, §5.2.6",
	.level = CONFORM_MUST,
	.description = "A read whose data and status share one 4097-byte writable descriptor: the "
		       "status is the last writable byte, wherever the descriptors end.",
	.protocol_features = P_CFG,
	.run = blk_lay_status_shared_read,
    },
    {
	.id = "BLK-LAY-005",
	.title = "Header and data in one descriptor",
	.spec = "virtio 1.2 §2.7.4.1",
	.level = CONFORM_MUST,
	.description = "A write whose header and 4 KiB of data are one readable descriptor.",
	.protocol_features = P_CFG,
	.run = blk_lay_header_with_data,
    },
    {
	.id = "BLK-LAY-006",
	.title = "A read through an indirect table",
	.spec = "virtio 1.2 §2.7.5.3",
	.level = CONFORM_MUST,
	.description = "With VIRTIO_RING_F_INDIRECT_DESC the whole chain (header, split data, "
		       "status) is in an indirect table.",
	.features = RING(INDIRECT_DESC),
	.protocol_features = P_CFG,
	.run = blk_lay_indirect_read,
    },
    {
	.id = "BLK-LAY-007",
	.title = "A write through an indirect table",
	.spec = "virtio 1.2 §2.7.5.3",
	.level = CONFORM_MUST,
	.description = "As BLK-LAY-006 for a write, with the header split in the table.",
	.features = RING(INDIRECT_DESC),
	.protocol_features = P_CFG,
	.run = blk_lay_indirect_write,
    },
    {
	.id = "BLK-LAY-008",
	.title = "Direct descriptors followed by an indirect one",
	.spec = "virtio 1.2 §2.7.5.3.2",
	.level = CONFORM_MUST,
	.description =
	    "The device handles zero or more chained descriptors followed by one that refers to an "
	    "indirect table: the header direct, data and status in the table.",
	.features = RING(INDIRECT_DESC),
	.protocol_features = P_CFG,
	.run = blk_lay_indirect_after_direct,
    },
    {
	.id = "BLK-LAY-009",
	.title = "WRITE on an indirect descriptor is ignored",
	.spec = "virtio 1.2 §2.7.5.3.2",
	.level = CONFORM_MUST,
	.description = "The device ignores the write-only flag of a descriptor that refers to an "
		       "indirect table. The case sets it and expects the read to work as usual.",
	.features = RING(INDIRECT_DESC),
	.protocol_features = P_CFG,
	.run = blk_lay_indirect_write_flag,
    },
    {
	.id = "BLK-LAY-010",
	.title = "A request of seg_max data segments",
	.spec = "virtio 1.2 §5.2.4",
	.level = CONFORM_SHOULD,
	.description =
	    "seg_max is the most segments a request may have; the case reads it as data segments, "
	    "header and status apart, as Linux and QEMU do, and writes and reads seg_max sectors "
	    "in as many descriptors. The spec words no device requirement, hence SHOULD.",
	.features = F(SEG_MAX),
	.protocol_features = P_CFG,
	.run = blk_lay_seg_max,
    },
    {
	.id = "BLK-LAY-011",
	.title = "More than seg_max segments: served or refused, never harmful",
	.spec = "virtio 1.2 §2.7.4.1, §5.2.4",
	.level = CONFORM_MAY,
	.description =
	    "A device may limit the descriptors of a chain. With seg_max + 1 data segments it may "
	    "refuse; if it answers OK the data must read back, and it must keep serving.",
	.features = F(SEG_MAX),
	.protocol_features = P_CFG,
	.run = blk_lay_over_seg_max,
    },
    {
	.id = "BLK-LAY-012",
	.title = "A readable descriptor after a writable one does no harm",
	.spec = "virtio 1.2 §2.7.4.2",
	.level = CONFORM_MUST,
	.description =
	    "The driver places writable descriptors after readable ones. The spec leaves the "
	    "device's handling of a chain that does not open; the case checks only that the device "
	    "keeps serving (a follow-up write and read, and new connections).",
	.protocol_features = P_CFG,
	.run = blk_lay_readable_after_writable,
    },
    {
	.id = "BLK-LAY-013",
	.title = "A chain without a writable byte does no harm",
	.spec = "virtio 1.2 §5.2.6",
	.level = CONFORM_MUST,
	.description =
	    "A header alone: there is nowhere to put the status. The device keeps serving.",
	.protocol_features = P_CFG,
	.run = blk_lay_no_status,
    },
    {
	.id = "BLK-LAY-014",
	.title = "A header of 8 bytes does no harm",
	.spec = "virtio 1.2 §5.2.6",
	.level = CONFORM_MUST,
	.description = "The header is 16 device-readable bytes; with 8 the type is known but the "
		       "sector is not. The device keeps serving.",
	.protocol_features = P_CFG,
	.run = blk_lay_short_header,
    },
    {
	.id = "BLK-LAY-015",
	.title = "A zero-length descriptor among the data",
	.spec = "virtio 1.2 §2.7.5",
	.level = CONFORM_MUST,
	.description = "§2.7.5 sets no minimum descriptor length. Whatever the device answers, an "
		       "OK must come with the right data, and the device keeps serving.",
	.protocol_features = P_CFG,
	.run = blk_lay_zero_len_desc,
    },
    {
	.id = "BLK-LAY-017",
	.title = "A buffer that ends at the last byte of guest memory",
	.spec = "vhost-user.rst: Memory access; virtio 1.2 §2.7.5",
	.quote = "Guest addresses map to the vhost memory region containing that guest "
		 "address.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "A write and a read of one block whose data descriptor covers the last bytes of "
	    "the only memory region: both complete OK and the data reads back. Every byte maps "
	    "to the region, so the request is valid; a device that checks the end of a buffer "
	    "against the region's end off by one refuses it. No sentence makes a valid request "
	    "succeed, hence advisory.",
	.protocol_features = P_CFG,
	.run = blk_lay_buf_at_mem_end,
    },
    {
	.id = "BLK-LAY-018",
	.title = "A buffer that runs one byte past guest memory is not used",
	.spec = "vhost-user.rst: Memory access; virtio 1.2 §2.7.5",
	.quote = "Guest addresses map to the vhost memory region containing that guest "
		 "address.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "A write of one block whose data descriptor ends one byte past the only memory "
	    "region: that byte maps to no region. The device must not complete it OK (it "
	    "would have read memory that is not the guest's), and keeps serving. The spec "
	    "defines the mapping but no answer to an address outside it, hence advisory.",
	.protocol_features = P_CFG,
	.run = blk_lay_buf_past_mem_end,
    },
    {
	.id = "BLK-LAY-019",
	.title = "A chain that loops does no harm",
	.spec = "virtio 1.2 §2.7.5.2, §2.7.5.3.1",
	.quote = "Drivers MUST NOT add a descriptor chain longer than 2^32 bytes in total; this "
		 "implies that loops in the descriptor chain are forbidden!",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "A header, then two empty writable descriptors, each the next of the other: a walk "
	    "bounded by buffers or bytes never ends, only a bound on descriptors (the queue "
	    "size, §2.7.5.3.1) does. The sentence binds the driver, hence advisory: the device "
	    "must keep serving (a follow-up write and read, and new connections).",
	.protocol_features = P_CFG,
	.run = blk_lay_loop,
    },
    {
	.id = "BLK-LAY-020",
	.title = "An indirect table of 3.5 descriptors is not served",
	.spec = "virtio 1.2 §2.7.5.3",
	.quote = "struct indirect_descriptor_table { /* The actual descriptors (16 bytes each) "
		 "*/ struct virtq_desc desc[len / 16]; };",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "A read through an indirect table whose len is 56: three whole descriptors "
	    "(header, data, status) and 8 bytes more. A length that is not a whole number of "
	    "descriptors means driver and device disagree on the table; QEMU, libvhost-user "
	    "and Linux vhost refuse it, and so should a robust device rather than guess: the "
	    "read must not complete OK, and the device keeps serving. The layout gives the "
	    "table len / 16 entries and words no check, hence advisory.",
	.features = RING(INDIRECT_DESC),
	.protocol_features = P_CFG,
	.run = blk_lay_indirect_partial,
    },
    {
	.id = "BLK-LAY-021",
	.title = "A descriptor past the end of an indirect table is not used",
	.spec = "virtio 1.2 §2.7.5.3",
	.quote = "The first indirect descriptor is located at start of the indirect descriptor "
		 "table (index 0), additional indirect descriptors are chained by next.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "A read through an indirect table whose last entry (the status) has NEXT set and "
	    "next 3, with len 56 (half of entry 3 in the table) and then 48 (entry 3 wholly "
	    "after it). The memory after the table holds a well-formed descriptor of a 1-byte "
	    "buffer: a device that reads descriptors past the table's len bytes (rounding len "
	    "up, or checking next against one entry too many) uses it, and writes that buffer. "
	    "It must stay untouched. The table holds len / 16 entries, but no sentence words a "
	    "device check, hence advisory.",
	.features = RING(INDIRECT_DESC),
	.protocol_features = P_CFG,
	.run = blk_lay_desc_past_indirect,
    },
    {
	.id = "BLK-LAY-022",
	.title = "Device-readable buffers are never written",
	.spec = "virtio 1.2 §2.7.5.1",
	.quote = "A device MUST NOT write to a device-readable buffer, and a device SHOULD NOT "
		 "read a device-writable buffer (it MAY do so for debugging or diagnostic "
		 "purposes).",
	.level = CONFORM_MUST,
	.description =
	    "Three requests whose data is (partly) device-readable, filled with a marker: a "
	    "read whose data descriptor is readable, a read whose data ends in a readable "
	    "descriptor after a writable one (a chain §2.7.4.2 forbids the driver), and GET_ID "
	    "into a readable buffer. Whatever the device answers, the readable bytes must keep "
	    "the marker. A request left unanswered moves the next one to a new connection.",
	.protocol_features = P_CFG,
	.run = blk_lay_readable_not_written,
    },

    /* ---- GET_ID, DISCARD, WRITE_ZEROES, §5.2.6 ---- */
    {
	.id = "BLK-ID-001",
	.title = "GET_ID returns an ASCII id that ends",
	.spec = "virtio 1.2 §5.2.6, §2.7.8",
	.level = CONFORM_MUST,
	.description =
	    "The id is ASCII, up to 20 bytes, NUL-terminated when shorter than 20. The bytes "
	    "judged are those the used length says were written (less the status byte): the driver "
	    "may rely on no other (§2.7.8.2), so a device that writes the string and its NUL and "
	    "reports that length answers completely. Within them every byte after the first NUL is "
	    "NUL. Not applicable if the device answers UNSUPP.",
	.protocol_features = P_CFG,
	.run = blk_id_twenty,
    },
    {
	.id = "BLK-ID-002",
	.title = "GET_ID into split descriptors gives the same id",
	.spec = "virtio 1.2 §2.7.4.1",
	.level = CONFORM_MUST,
	.description = "The 20 bytes as 7 + 1 + 12 byte descriptors: the same id and used length.",
	.protocol_features = P_CFG,
	.run = blk_id_split,
    },
    {
	.id = "BLK-ID-004",
	.title = "GET_ID fills all 20 bytes, NUL-padded",
	.spec = "virtio 1.2 §5.2.6",
	.level = CONFORM_SHOULD,
	.description = "§5.2.6 calls the id a NUL-padded string of up to 20 bytes: the stricter "
		       "reading of BLK-ID-001, that the device writes all 20 bytes and pads with "
		       "NUL, whatever its used length. Drivers that do not look at the used length "
		       "(Linux copies 20 bytes) see stale memory otherwise.",
	.protocol_features = P_CFG,
	.run = blk_id_padded,
    },
    {
	.id = "BLK-ID-003",
	.title = "GET_ID into 8 bytes stays inside them",
	.spec = "virtio 1.2 §5.2.6.1, §2.7.8.1",
	.level = CONFORM_MUST,
	.description = "The driver gives 20 bytes; with 8 the spec defines no answer. The device "
		       "must not write past the buffer it was given and keeps serving.",
	.protocol_features = P_CFG,
	.run = blk_id_short_buffer,
    },
    {
	.id = "BLK-DWZ-001",
	.title = "WRITE_ZEROES: the range reads back as zeroes",
	.spec = "virtio 1.2 §5.2.6.2",
	.level = CONFORM_MUST,
	.description = "After a write zeroes completes, reads of its range return zeroes.",
	.features = F(WRITE_ZEROES),
	.protocol_features = P_CFG,
	.run = blk_dwz_wz_reads_zero,
    },
    {
	.id = "BLK-DWZ-002",
	.title = "WRITE_ZEROES with unmap: the range reads back as zeroes",
	.spec = "virtio 1.2 §5.2.6.2",
	.level = CONFORM_MUST,
	.description =
	    "With the unmap flag the device may deallocate, but reads still return zeroes.",
	.features = F(WRITE_ZEROES),
	.protocol_features = P_CFG,
	.run = blk_dwz_wz_unmap_reads_zero,
    },
    {
	.id = "BLK-DWZ-003",
	.title = "WRITE_ZEROES with two segments zeroes both and nothing between",
	.spec = "virtio 1.2 §5.2.6.2, §5.2.6",
	.level = CONFORM_MUST,
	.description = "Two segments with a gap: both read back as zeroes, the gap keeps its data. "
		       "Not applicable when max_write_zeroes_seg is 1.",
	.features = F(WRITE_ZEROES),
	.protocol_features = P_CFG,
	.run = blk_dwz_wz_multi_seg,
    },
    {
	.id = "BLK-DWZ-004",
	.title = "DISCARD of an aligned range completes OK",
	.spec = "virtio 1.2 §5.2.6",
	.level = CONFORM_SHOULD,
	.description =
	    "A one-segment discard aligned to discard_sector_alignment and blk_size. What the "
	    "range reads afterwards is undefined (§5.2.6.1), so only the status is checked.",
	.features = F(DISCARD),
	.protocol_features = P_CFG,
	.run = blk_dwz_discard_ok,
    },
    {
	.id = "BLK-DWZ-005",
	.title = "DISCARD with the unmap flag is UNSUPP",
	.spec = "virtio 1.2 §5.2.6.2",
	.level = CONFORM_MUST,
	.description = "The device sets UNSUPP for a discard whose unmap flag is set.",
	.features = F(DISCARD),
	.protocol_features = P_CFG,
	.run = blk_dwz_discard_unmap_flag,
    },
    {
	.id = "BLK-DWZ-006",
	.title = "DISCARD with an unknown flag is UNSUPP",
	.spec = "virtio 1.2 §5.2.6.2",
	.level = CONFORM_MUST,
	.description = "Flag bit 1 is reserved: UNSUPP.",
	.features = F(DISCARD),
	.protocol_features = P_CFG,
	.run = blk_dwz_discard_unknown_flag,
    },
    {
	.id = "BLK-DWZ-007",
	.title = "WRITE_ZEROES with an unknown flag is UNSUPP",
	.spec = "virtio 1.2 §5.2.6.2",
	.level = CONFORM_MUST,
	.description = "Flag bit 1 is reserved: UNSUPP.",
	.features = F(WRITE_ZEROES),
	.protocol_features = P_CFG,
	.run = blk_dwz_wz_unknown_flag,
    },
    {
	.id = "BLK-DWZ-008",
	.title = "DISCARD with more than max_discard_seg segments does no harm",
	.spec = "virtio 1.2 §5.2.6.1",
	.level = CONFORM_MUST,
	.description = "The driver must not send more than max_discard_seg segments; the answer is "
		       "undefined. The device keeps serving.",
	.features = F(DISCARD),
	.protocol_features = P_CFG,
	.run = blk_dwz_discard_too_many_seg,
    },
    {
	.id = "BLK-DWZ-009",
	.title = "WRITE_ZEROES with more than max_write_zeroes_seg segments does no harm",
	.spec = "virtio 1.2 §5.2.6.1",
	.level = CONFORM_MUST,
	.description = "As BLK-DWZ-008 for write zeroes.",
	.features = F(WRITE_ZEROES),
	.protocol_features = P_CFG,
	.run = blk_dwz_wz_too_many_seg,
    },
    {
	.id = "BLK-DWZ-010",
	.title = "WRITE_ZEROES past the end fails with IOERR",
	.spec = "virtio 1.2 §5.2.6.1, §5.2.6",
	.level = CONFORM_SHOULD,
	.description = "A segment starting at capacity: IOERR, as for reads and writes.",
	.features = F(WRITE_ZEROES),
	.protocol_features = P_CFG,
	.run = blk_dwz_wz_past_end,
    },
    {
	.id = "BLK-DWZ-011",
	.title = "WRITE_ZEROES data that is not whole segments does no harm",
	.spec = "virtio 1.2 §5.2.6.1",
	.level = CONFORM_MUST,
	.description = "The data of a write zeroes is a multiple of 16 bytes; with 10 the answer "
		       "is undefined. The device keeps serving.",
	.features = F(WRITE_ZEROES),
	.protocol_features = P_CFG,
	.run = blk_dwz_bad_seg_len,
    },
    {
	.id = "BLK-DWZ-013",
	.title = "WRITE_ZEROES on a read-only device fails and changes nothing",
	.spec = "virtio 1.2 §5.2.5, §5.2.6.2",
	.quote = "If the VIRTIO_BLK_F_RO feature is set by the device, any write requests will "
		 "fail.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "With VIRTIO_BLK_F_RO and VIRTIO_BLK_F_WRITE_ZEROES both offered, a write zeroes of "
	    "one block must not complete OK and the block must read the same before and after. "
	    "§5.2.6.2's MUST names \"a write request\" and §5.2.5 says write requests \"will "
	    "fail\" without a keyword; the weaker reading leaves write zeroes out, hence "
	    "advisory.",
	.features = F(RO) | F(WRITE_ZEROES),
	.protocol_features = P_CFG,
	.run = blk_dwz_wz_read_only,
    },

    /* ---- Queues and notifications ---- */
    {
	.id = "BLK-Q-001",
	.title = "A full ring of requests in flight",
	.spec = "virtio 1.2 §5.2.6, §2.7",
	.level = CONFORM_MUST,
	.description = "85 writes (255 of the 256 descriptors) made available at once, then 85 "
		       "reads: all complete OK, in any order, and the data reads back.",
	.protocol_features = P_CFG,
	.run = blk_q_many_inflight,
    },
    {
	.id = "BLK-Q-002",
	.title = "Data integrity with writes and reads on several queues at once",
	.spec = "virtio 1.2 §5.2.6, §5.2.4",
	.level = CONFORM_MUST,
	.description = "Four queues (two if that is all) each write 32 requests in flight "
		       "together; each range is then read back through another queue.",
	.features = F(MQ),
	.protocol_features = P_CFG,
	.run = blk_q_concurrent_integrity,
    },
    {
	.id = "BLK-Q-003",
	.title = "Failing requests on one queue do not disturb another",
	.spec = "virtio 1.2 §5.2.6",
	.level = CONFORM_MUST,
	.description =
	    "While queue 1 has writes in flight, queue 0 gets a read past the end and an unknown "
	    "type. Every request has its own status: queue 1's complete OK and read back.",
	.features = F(MQ),
	.protocol_features = P_CFG,
	.run = blk_q_independent,
    },
    {
	.id = "BLK-Q-004",
	.title = "A malformed chain on one queue leaves another queue serving",
	.spec = "virtio 1.2 §2.7.4.2, §2.1.2",
	.level = CONFORM_SHOULD,
	.description = "As BLK-Q-003 with a readable-after-writable chain on queue 0. The spec "
		       "lets a device give up on a driver that breaks the rules (needs reset), so "
		       "this is a SHOULD: a device with independent queues confines the damage to "
		       "the queue that got the bad chain.",
	.features = F(MQ),
	.protocol_features = P_CFG,
	.run = blk_q_malformed_other_queue,
    },
    {
	.id = "BLK-Q-005",
	.title = "EVENT_IDX: a notification when used_event is reached",
	.spec = "virtio 1.2 §2.7.7.2",
	.level = CONFORM_MUST,
	.description = "With VIRTIO_F_EVENT_IDX and used_event two entries ahead, the device must "
		       "notify when it writes the entry at used_event (the third request).",
	.features = RING(EVENT_IDX),
	.protocol_features = P_CFG,
	.run = blk_q_event_idx_notify,
    },
    {
	.id = "BLK-Q-006",
	.title = "EVENT_IDX: no notification before used_event",
	.spec = "virtio 1.2 §2.7.7.2",
	.level = CONFORM_SHOULD,
	.description = "Right after the ring starts, with used_event two entries ahead, the device "
		       "should not notify for the two entries before it (checked 100 ms after each "
		       "is used). Devices that notify unconditionally for their first used entry "
		       "(Linux vhost, libvhost-user) fail this one and pass BLK-Q-009.",
	.features = RING(EVENT_IDX),
	.protocol_features = P_CFG,
	.run = blk_q_event_idx_suppress,
    },
    {
	.id = "BLK-Q-007",
	.title = "No notification with VIRTQ_AVAIL_F_NO_INTERRUPT",
	.spec = "virtio 1.2 §2.7.7.2",
	.level = CONFORM_SHOULD,
	.description = "Without EVENT_IDX (not acknowledged), avail->flags 1 asks for no "
		       "notification: the device should not send one.",
	.protocol_features = P_CFG,
	.run = blk_q_no_interrupt_flag,
    },
    {
	.id = "BLK-Q-008",
	.title = "A notification with avail->flags 0",
	.spec = "virtio 1.2 §2.7.7.2",
	.level = CONFORM_MUST,
	.description = "Without EVENT_IDX, flags 0: the device must notify after a used entry.",
	.protocol_features = P_CFG,
	.run = blk_q_notify_flags0,
    },
    {
	.id = "BLK-Q-009",
	.title = "EVENT_IDX: no notification before used_event, ring running",
	.spec = "virtio 1.2 §2.7.7.2",
	.level = CONFORM_SHOULD,
	.description = "As BLK-Q-006 after one request went through, so that the device has "
		       "decided on a notification since the ring started.",
	.features = RING(EVENT_IDX),
	.protocol_features = P_CFG,
	.run = blk_q_event_idx_suppress_warm,
    },
    {
	.id = "BLK-Q-011",
	.title = "A used entry is written before the used index shows it",
	.spec = "virtio 1.2 §2.7.8.2",
	.quote = "The device MUST set len prior to updating the used idx.",
	.level = CONFORM_MUST,
	.description =
	    "8000 reads, one at a time, over a used ring whose free slots hold an id and a len "
	    "no device writes: the case spins on the used index and reads each entry the moment "
	    "the index shows it, so an entry published before its len and id were written is "
	    "seen with the marker. The window is the time between two stores of the device, so "
	    "a device that gets the order wrong is caught on some of its entries, not all.",
	.protocol_features = P_CFG,
	.run = blk_q_used_elem_before_idx,
    },
};

const struct conform_suite g_suite_virtio_blk = {
    .name = "virtio-blk",
    .description = "virtio-blk device requirements (OASIS virtio 1.2 §5.2, with the split "
		   "virtqueue rules of §2.7 that a block device exercises)",
    .cases = g_cases,
    .ncases = ARRAY_SIZE(g_cases),
};
