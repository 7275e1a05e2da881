/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk suite: every case, the sentence it enforces and how it reads
 * the spec (OASIS virtio 1.2 cs01). The checks live in suite_virtio_blk_*.c,
 * one file per area; docs/conformance/audit-virtio-blk.md records why each
 * case has its level.
 *
 * A case is MUST, SHOULD or MAY only when its quote, a sentence of the spec
 * about the device, carries that keyword. Much of §5.2.6 only defines the
 * requests (what a read returns, which status means what) and says nothing
 * with a keyword; a sentence that forbids something to the driver ("A driver
 * MUST NOT submit a request which would cause a read or write beyond
 * capacity") says nothing of the device either. Those cases are advisories,
 * with the nearest text as their quote and a severity: what a device that
 * fails them puts at risk. Where the spec reads two ways, the description
 * says which reading the case takes, and it grades by the weaker one.
 */
#include "conformance/suite_virtio_blk.h"
#include "spec/vhost_user.h"
#include "util/common.h"

#define F(bit)	  VIRTIO_BIT(VIRTIO_BLK_F_##bit)
#define RING(bit) VIRTIO_BIT(VIRTIO_RING_F_##bit)
/* Every case reads capacity from the config space. */
#define P_CFG VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG)

/* Sentences several cases quote (markup dropped, as the PDF reads). */
static const char q_flush_offer[] = "Devices SHOULD always offer VIRTIO_BLK_F_FLUSH, and MUST offer "
				    "it if they offer VIRTIO_BLK_F_CONFIG_WCE.";
static const char q_in_out[] =
    "VIRTIO_BLK_T_IN requests populate data with the contents of sectors read from the block "
    "device (in multiples of 512 bytes). VIRTIO_BLK_T_OUT requests write the contents of data to "
    "the block device (in multiples of 512 bytes).";
static const char q_status[] =
    "The final status byte is written by the device: either VIRTIO_BLK_S_OK for success, "
    "VIRTIO_BLK_S_IOERR for device or driver error or VIRTIO_BLK_S_UNSUPP for a request "
    "unsupported by device";
static const char q_features[] =
    "Each virtio device offers all the features it understands. During device initialization, "
    "the driver reads this and tells the device the subset that it accepts.";
static const char q_framing[] =
    "The device MUST NOT make assumptions about the particular arrangement of descriptors.";
static const char q_indirect[] =
    "The device MUST handle the case of zero or more normal chained descriptors followed by a "
    "single descriptor with flags&VIRTQ_DESC_F_INDIRECT.";
static const char q_needs_reset[] =
    "The device SHOULD set DEVICE_NEEDS_RESET when it enters an error state that a reset is needed.";
static const char q_id[] = "The device ID string is a NUL-padded ASCII string up to 20 bytes long. "
			   "If the string is 20 bytes long then there is no NUL terminator.";
static const char q_wz_zeroes[] =
    "After a write zeroes command is completed, reads of the specified ranges of sectors MUST "
    "return zeroes.";
static const char q_dwz_flags[] = "The device MUST set the status byte to VIRTIO_BLK_S_UNSUPP for "
				  "discard, secure erase and write zeroes commands if any unknown "
				  "flag is set.";
static const char q_event_idx_quiet[] = "Otherwise the device SHOULD NOT send a notification.";
static const char q_requests[] = "The driver queues requests to the virtqueues, and they are used "
				 "by the device (not necessarily in order).";

static const struct conform_case g_cases[] = {
    /* ---- Configuration, §5.2.4 / §5.2.5 ---- */
    {
	.id = "BLK-CFG-001",
	.title = "Padding bytes of the config space are zero",
	.spec = "virtio 1.2 §5.2.5.2",
	.quote = "The device MUST initialize padding bytes unused0 and unused1 to 0.",
	.level = CONFORM_MUST,
	.description = "unused0 and unused1 read 0 after feature negotiation. unused1 is checked "
		       "only when the back-end answered GET_CONFIG with at least 60 bytes.",
	.protocol_features = P_CFG,
	.run = blk_cfg_padding,
    },
    {
	.id = "BLK-CFG-002",
	.title = "CONFIG_WCE is offered only together with FLUSH",
	.spec = "virtio 1.2 §5.2.5.2",
	.quote = q_flush_offer,
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
	.quote = q_flush_offer,
	.level = CONFORM_SHOULD,
	.description = "The device offers VIRTIO_BLK_F_FLUSH. A device without volatile cache "
		       "completes a flush at once; not offering the bit tells drivers nothing is "
		       "ever made durable by a flush.",
	.run = blk_cfg_offers_flush,
    },
    {
	.id = "BLK-CFG-004",
	.title = "writeback starts at 0 when CONFIG_WCE comes without FLUSH",
	.spec = "virtio 1.2 §5.2.5.2",
	.quote = "If VIRTIO_BLK_F_CONFIG_WCE is negotiated but VIRTIO_BLK_F_FLUSH is not, the "
		 "device MUST initialize writeback to 0.",
	.level = CONFORM_MUST,
	.description = "The case acknowledges every offered feature except FLUSH and reads "
		       "writeback: 0 (writethrough).",
	.features = F(CONFIG_WCE),
	.protocol_features = P_CFG,
	.run = blk_cfg_wce_writeback_init,
    },
    {
	.id = "BLK-CFG-005",
	.title = "Every one of num_queues queues serves I/O",
	.spec = "virtio 1.2 §5.2.4",
	.quote = "The field num_queues only exists if VIRTIO_BLK_F_MQ is set. This field specifies "
		 "the number of queues.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "With VIRTIO_BLK_F_MQ, num_queues is not 0 and every one of that many queues serves "
	    "I/O: the case sets them all up (at most 64) and writes and reads back data on the "
	    "last one. No sentence requires it with a keyword (§5.2.4 defines the field); a "
	    "driver that uses the queues the device announced hangs on one it does not serve.",
	.features = F(MQ),
	.protocol_features = P_CFG,
	.run = blk_cfg_mq_num_queues,
    },
    {
	.id = "BLK-CFG-006",
	.title = "writeback set through SET_CONFIG reads back",
	.spec = "virtio 1.2 §5.2.5",
	.quote = "If the VIRTIO_BLK_F_CONFIG_WCE feature is negotiated, the cache mode can be read "
		 "or set through the writeback field.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "With VIRTIO_BLK_F_CONFIG_WCE negotiated, a 1-byte SET_CONFIG (vhost-user's way to "
	    "write the field) flips writeback and the whole struct then reads the new value. No "
	    "sentence requires it with a keyword (\"can be read or set\"; the driver MAY write it, "
	    "§5.2.6.1). A device that ignores a switch to writethrough (0) keeps completing writes "
	    "from a volatile cache while the driver counts them stable.",
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
	    "size\"). §5.2.5 defines blk_size as the optimal sector size without a keyword and "
	    "gives it no range, hence advisory; the case checks a power of 2 of at least 512 "
	    "bytes (a sector count, or a size in other units, fails).",
	.features = F(BLK_SIZE),
	.protocol_features = P_CFG,
	.run = blk_cfg_blk_size,
    },

    /* ---- Reads and writes, §5.2.6 ---- */
    {
	.id = "BLK-RW-001",
	.title = "A write reads back",
	.spec = "virtio 1.2 §5.2.6",
	.quote = q_in_out,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "VIRTIO_BLK_T_OUT writes data at sector * 512; VIRTIO_BLK_T_IN returns it. "
		       "4 KiB at an odd sector (a block boundary when blk_size > 512: alignment is "
		       "BLK-RW-012's subject), with a pattern that differs per run. §5.2.6 "
		       "defines the requests but states no device requirement with a keyword, so "
		       "this is an advisory; a device that fails it loses or misplaces data.",
	.protocol_features = P_CFG,
	.run = blk_rw_roundtrip,
    },
    {
	.id = "BLK-RW-002",
	.title = "A 256 KiB write reads back",
	.spec = "virtio 1.2 §5.2.6",
	.quote = q_in_out,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "As BLK-RW-001 with 256 KiB in one data descriptor: §5.2.6 defines "
		       "VIRTIO_BLK_T_OUT and VIRTIO_BLK_T_IN, whatever their size, without a "
		       "keyword; a device that splits or truncates a large transfer loses data.",
	.protocol_features = P_CFG,
	.run = blk_rw_large,
    },
    {
	.id = "BLK-RW-003",
	.title = "The first block reads back",
	.spec = "virtio 1.2 §5.2.6",
	.quote = q_in_out,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "As BLK-RW-001 for one block (512 bytes, or blk_size when negotiated) at "
		       "sector 0: §5.2.6 defines reads and writes of every sector, the first too, "
		       "without a keyword; a device that reserves or shifts the first block "
		       "misplaces the partition table.",
	.protocol_features = P_CFG,
	.run = blk_rw_first_sector,
    },
    {
	.id = "BLK-RW-004",
	.title = "The last block reads back",
	.spec = "virtio 1.2 §5.2.6",
	.quote = q_in_out,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "As BLK-RW-001 for the block that ends at capacity: every sector below "
		       "capacity is addressable. §5.2.4 defines capacity, and §5.2.6 the requests, "
		       "without a keyword; a device that stops short of its capacity loses the "
		       "data written at the end of the disk.",
	.protocol_features = P_CFG,
	.run = blk_rw_last_sector,
    },
    {
	.id = "BLK-RW-005",
	.title = "A read one past the end fails with IOERR",
	.spec = "virtio 1.2 §5.2.6, §5.2.6.1",
	.quote = q_status,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "The case reads sector capacity and expects IOERR, then checks that the device keeps "
	    "serving (or gives up on the connection and serves a new one, §2.1.2). §5.2.6.1 "
	    "forbids the request to the driver and the spec says nothing of the device's answer; "
	    "§5.2.6 names IOERR for a driver error. A device that answers OK hands the driver "
	    "data that is no sector of the disk.",
	.protocol_features = P_CFG,
	.run = blk_rw_read_past_end,
    },
    {
	.id = "BLK-RW-006",
	.title = "A write one past the end fails with IOERR",
	.spec = "virtio 1.2 §5.2.6, §5.2.6.1",
	.quote = q_status,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "As BLK-RW-005 with a write of sector capacity: §5.2.6.1 binds the driver "
		       "(no request beyond capacity) and the spec says nothing of the device's "
		       "answer. An OK tells the driver its data was stored where no sector is.",
	.protocol_features = P_CFG,
	.run = blk_rw_write_past_end,
    },
    {
	.id = "BLK-RW-007",
	.title = "A read straddling the end fails with IOERR",
	.spec = "virtio 1.2 §5.2.6, §5.2.6.1",
	.quote = q_status,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "As BLK-RW-005 for two blocks from the last one, half inside: the whole request fails "
	    "with IOERR (a partial read would need a partial status, which virtio-blk does not "
	    "have). §5.2.6.1 binds the driver (no request beyond capacity), and the spec says "
	    "nothing of a device's answer to one that straddles it.",
	.protocol_features = P_CFG,
	.run = blk_rw_read_straddle,
    },
    {
	.id = "BLK-RW-008",
	.title = "A write straddling the end fails with IOERR",
	.spec = "virtio 1.2 §5.2.6, §5.2.6.1",
	.quote = q_status,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "As BLK-RW-007 with a write, which §5.2.6.1 forbids the driver as well and "
		       "the spec says nothing of the device's answer to: an OK tells the driver "
		       "that data past the end was stored.",
	.protocol_features = P_CFG,
	.run = blk_rw_write_straddle,
    },
    {
	.id = "BLK-RW-009",
	.title = "A sector whose byte offset overflows 64 bits fails with IOERR",
	.spec = "virtio 1.2 §5.2.6, §5.2.6.1",
	.quote = q_status,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "As BLK-RW-005 with sector = 2^55 + 1: sector * 512 wraps to 512. §5.2.6.1 "
		       "binds the driver (no request beyond capacity) and says nothing of the "
		       "device; a device that multiplies before checking the range reads sector 1 "
		       "and answers OK.",
	.protocol_features = P_CFG,
	.run = blk_rw_far_past_end,
    },
    {
	.id = "BLK-RW-010",
	.title = "A read with no data completes OK",
	.spec = "virtio 1.2 §5.2.6, §5.2.6.1",
	.quote = q_in_out,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "A header and a status byte only. Zero is a multiple of 512, so the request breaks no "
	    "rule of §5.2.6.1 (the data of a read or write is whole sectors); it transfers "
	    "nothing and completes OK. No sentence requires the device to answer OK; IOERR would "
	    "report a driver error where there is none.",
	.protocol_features = P_CFG,
	.run = blk_rw_zero_length_read,
    },
    {
	.id = "BLK-RW-011",
	.title = "A write with no data completes OK",
	.spec = "virtio 1.2 §5.2.6, §5.2.6.1",
	.quote = q_in_out,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "As BLK-RW-010 with VIRTIO_BLK_T_OUT: no sentence requires the device to "
		       "answer OK to a write of no data; IOERR would report a driver error where "
		       "there is none.",
	.protocol_features = P_CFG,
	.run = blk_rw_zero_length_write,
    },
    {
	.id = "BLK-RW-012",
	.title = "A 512-byte request not aligned to blk_size is served",
	.spec = "virtio 1.2 §5.2.5",
	.quote = "This does not affect the units used in the protocol (always 512 bytes), but "
		 "awareness of the correct value can affect performance.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "blk_size is the optimal block size for performance; the protocol's unit stays 512 "
	    "bytes. A device with blk_size > 512 serves a one-sector write and read at an odd "
	    "sector. Not applicable when blk_size is 512. No sentence requires it with a keyword. "
	    "QEMU, SPDK and storlab-tgt answer IOERR (they take blk_size as the logical block "
	    "size, as Linux's driver does): a failure here is that choice, not data loss.",
	.features = F(BLK_SIZE),
	.protocol_features = P_CFG,
	.run = blk_rw_unaligned_blk_size,
    },
    {
	.id = "BLK-RW-013",
	.title = "A read of part of a sector is not reported as done",
	.spec = "virtio 1.2 §5.2.6, §5.2.6.1",
	.quote = q_status,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "A read of 100 bytes, which the driver must not send: §5.2.6.1 binds the driver "
	    "(whole sectors) and says nothing of the device's answer. The case fails only an OK "
	    "status (the quote names "
	    "IOERR for a driver error) and checks that the device keeps serving (or gives up on "
	    "the connection and serves a new one, §2.1.2). An OK tells the driver it has a "
	    "sector's data where it has a fragment.",
	.protocol_features = P_CFG,
	.run = blk_rw_partial_sector,
    },
    {
	.id = "BLK-RW-014",
	.title = "Data written before a FLUSH reads back after it",
	.spec = "virtio 1.2 §5.2.6.2",
	.quote =
	    "If the device is backed by persistent storage, the device MUST ensure that stable "
	    "writes are committed to it, before reporting completion of the write",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "A write, then VIRTIO_BLK_T_FLUSH (sector 0, no data, §5.2.6.1) completes OK, and the "
	    "data reads back. The quoted MUST is about persistent storage across a crash, which a "
	    "front-end cannot observe; no sentence requires the flush to answer OK. A device that "
	    "offers FLUSH and fails it leaves a driver no way to make its writes stable.",
	.features = F(FLUSH),
	.protocol_features = P_CFG,
	.run = blk_rw_flush_after_write,
    },
    {
	.id = "BLK-RW-015",
	.title = "FLUSH without VIRTIO_BLK_F_FLUSH is UNSUPP",
	.spec = "virtio 1.2 §5.2.6",
	.quote = q_status,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "A device that does not offer FLUSH answers a flush with UNSUPP, the status §5.2.6 "
	    "defines for a request unsupported by the device. Not applicable when FLUSH is "
	    "offered. No sentence requires it with a keyword; an OK tells the driver a flush was "
	    "done that the device has no notion of.",
	.protocol_features = P_CFG,
	.run = blk_rw_flush_unsupp,
    },
    {
	.id = "BLK-RW-016",
	.title = "An unknown request type is UNSUPP",
	.spec = "virtio 1.2 §5.2.6",
	.quote = q_status,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Type 0xff is no request of the spec: the status is UNSUPP, not IOERR or OK. "
	    "§5.2.6 defines the status values without a keyword; an OK tells a driver "
	    "that a request it does not know was done.",
	.protocol_features = P_CFG,
	.run = blk_rw_unknown_type,
    },
    {
	.id = "BLK-RW-017",
	.title = "GET_LIFETIME without VIRTIO_BLK_F_LIFETIME is UNSUPP",
	.spec = "virtio 1.2 §5.2.6",
	.quote = q_status,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "As BLK-RW-016 for VIRTIO_BLK_T_GET_LIFETIME on a device that does not offer "
		       "the lifetime feature: §5.2.6 defines UNSUPP, \"a request unsupported by "
		       "device\", without a keyword. Not applicable when VIRTIO_BLK_F_LIFETIME is "
		       "offered.",
	.protocol_features = P_CFG,
	.run = blk_rw_lifetime_unsupp,
    },
    {
	.id = "BLK-RW-018",
	.title = "SECURE_ERASE without VIRTIO_BLK_F_SECURE_ERASE is UNSUPP",
	.spec = "virtio 1.2 §5.2.6",
	.quote = q_status,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "As BLK-RW-017 for VIRTIO_BLK_T_SECURE_ERASE with one well-formed segment: "
		       "UNSUPP is defined without a keyword; an OK tells the driver data was "
		       "erased that may still be there.",
	.protocol_features = P_CFG,
	.run = blk_rw_secure_erase_unsupp,
    },
    {
	.id = "BLK-RW-019",
	.title = "DISCARD is UNSUPP when the driver did not accept the feature",
	.spec = "virtio 1.2 §2.2, §5.2.6",
	.quote = q_features,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "The case acknowledges every feature it knows but VIRTIO_BLK_F_DISCARD and sends a "
	    "well-formed discard; it expects UNSUPP. No sentence of the spec tells the device to "
	    "refuse a command of a feature the driver did not accept: serving it is no deviation. "
	    "A device that refuses it keeps the protocol to what was negotiated, so a driver "
	    "cannot come to depend on a command it never agreed to.",
	.protocol_features = P_CFG,
	.run = blk_rw_discard_unnegotiated,
    },
    {
	.id = "BLK-RW-020",
	.title = "WRITE_ZEROES is UNSUPP when the driver did not accept the feature",
	.spec = "virtio 1.2 §2.2, §5.2.6",
	.quote = q_features,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "As BLK-RW-019 for VIRTIO_BLK_F_WRITE_ZEROES: no sentence tells the device "
		       "to refuse a command of a feature the driver did not accept.",
	.protocol_features = P_CFG,
	.run = blk_rw_wz_unnegotiated,
    },
    {
	.id = "BLK-RW-021",
	.title = "A write to a read-only device fails and changes nothing",
	.spec = "virtio 1.2 §5.2.6.2",
	.quote = "A device MUST set the status byte to VIRTIO_BLK_S_IOERR for a write request if "
		 "the VIRTIO_BLK_F_RO feature if offered, and MUST NOT write any data.",
	.level = CONFORM_MUST,
	.description = "With VIRTIO_BLK_F_RO offered, a write gets IOERR and no data is written: "
		       "the sectors read the same before and after.",
	.features = F(RO),
	.protocol_features = P_CFG,
	.run = blk_rw_read_only,
    },
    {
	.id = "BLK-RW-022",
	.title = "The used length never counts bytes the device did not write",
	.spec = "virtio 1.2 §2.7.8.2",
	.quote = "The device MUST write at least len bytes to descriptor, beginning at the first "
		 "device-writable buffer, prior to updating the used idx.",
	.level = CONFORM_MUST,
	.description =
	    "For IN, OUT and GET_ID, each run twice with the writable bytes filled with 0x00 and "
	    "then 0xff, so that the bytes the device wrote show: len never exceeds the writable "
	    "bytes, nor the bytes written. The spec reads two ways, as a prefix of len bytes "
	    "from the first writable byte or as a count (§2.7.8 calls len \"the total of bytes "
	    "written\"); the case takes the count, the weaker: a device that writes a short id "
	    "and the status byte and counts just those passes. len may be an underestimate.",
	.protocol_features = P_CFG,
	.run = blk_rw_used_len_bound,
    },
    {
	.id = "BLK-RW-023",
	.title = "The used length of a read covers the data and the status",
	.spec = "virtio 1.2 §2.7.8.2, §2.7.8.3",
	.quote = "This is why len is permitted to be an underestimate: that's preferable to the "
		 "driver believing that uninitialized memory has been overwritten when it has not.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "A read of 4 KiB gets used length 4097, its data and the status byte. len may be an "
	    "underestimate (quoted), so no sentence requires it; but a driver that keeps to "
	    "§2.7.8.3 (it makes no assumptions about bytes past len) cannot use data or a status "
	    "that len leaves out. Legacy devices were lax here (§5.2.6.3).",
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
	.quote = q_framing,
	.level = CONFORM_MUST,
	.description =
	    "8 KiB written in descriptors of 1, 511, 7, 1000, 3, 64, 129, 2 ... bytes and read "
	    "back in another odd split give what the ordinary layout (header, data, status in a "
	    "descriptor each) gives. Every layout case runs the ordinary layout first: when that "
	    "fails too, it reports an error, not a verdict on the arrangement; and it keeps its "
	    "chain within seg_max (every descriptor counted) and size_max, since §2.7.4.1 lets "
	    "a device limit the descriptors of a chain (not applicable otherwise).",
	.protocol_features = P_CFG,
	.run = blk_lay_odd_split,
    },
    {
	.id = "BLK-LAY-002",
	.title = "One-byte data descriptors",
	.spec = "virtio 1.2 §2.7.4.1",
	.quote = q_framing,
	.level = CONFORM_MUST,
	.description =
	    "A block's data in one-byte descriptors and one for the rest, written and read back "
	    "(as BLK-LAY-001): 64 data descriptors, or seg_max less 2 when that is fewer (header "
	    "and status counted in seg_max, so that a device that counts them is not failed "
	    "here; seg_max itself is BLK-LAY-010's subject).",
	.protocol_features = P_CFG,
	.run = blk_lay_one_byte_descs,
    },
    {
	.id = "BLK-LAY-003",
	.title = "A header split over three descriptors",
	.spec = "virtio 1.2 §2.7.4.1",
	.quote = q_framing,
	.level = CONFORM_MUST,
	.description = "The 16-byte header as 5 + 3 + 8 bytes, for a write and a read (as "
		       "BLK-LAY-001).",
	.protocol_features = P_CFG,
	.run = blk_lay_header_split,
    },
    {
	.id = "BLK-LAY-004",
	.title = "The status byte in the last data descriptor",
	.spec = "virtio 1.2 §2.7.4.1",
	.quote = q_framing,
	.level = CONFORM_MUST,
	.description = "A read whose data and status share one 4097-byte writable descriptor: the "
		       "status is the last writable byte (§5.2.6), wherever the descriptors end.",
	.protocol_features = P_CFG,
	.run = blk_lay_status_shared_read,
    },
    {
	.id = "BLK-LAY-005",
	.title = "Header and data in one descriptor",
	.spec = "virtio 1.2 §2.7.4.1",
	.quote = q_framing,
	.level = CONFORM_MUST,
	.description = "A write whose header and 4 KiB of data are one readable descriptor (as "
		       "BLK-LAY-001).",
	.protocol_features = P_CFG,
	.run = blk_lay_header_with_data,
    },
    {
	.id = "BLK-LAY-006",
	.title = "A read through an indirect table",
	.spec = "virtio 1.2 §2.7.5.3.2",
	.quote = q_indirect,
	.level = CONFORM_MUST,
	.description = "With VIRTIO_RING_F_INDIRECT_DESC, a read whose whole chain (header, data, "
		       "status in a descriptor each) is in an indirect table: zero direct "
		       "descriptors followed by one indirect. The table holds the ordinary "
		       "layout, so that only indirection is tested.",
	.features = RING(INDIRECT_DESC),
	.protocol_features = P_CFG,
	.run = blk_lay_indirect_read,
    },
    {
	.id = "BLK-LAY-007",
	.title = "A write through an indirect table",
	.spec = "virtio 1.2 §2.7.5.3.2",
	.quote = q_indirect,
	.level = CONFORM_MUST,
	.description = "As BLK-LAY-006 for a write, with a plain header in the table (a split "
		       "header is BLK-LAY-003's subject).",
	.features = RING(INDIRECT_DESC),
	.protocol_features = P_CFG,
	.run = blk_lay_indirect_write,
    },
    {
	.id = "BLK-LAY-008",
	.title = "Direct descriptors followed by an indirect one",
	.spec = "virtio 1.2 §2.7.5.3.2",
	.quote = q_indirect,
	.level = CONFORM_MUST,
	.description = "A read with the header in a direct descriptor, chained to one that refers "
		       "to an indirect table with the data and status.",
	.features = RING(INDIRECT_DESC),
	.protocol_features = P_CFG,
	.run = blk_lay_indirect_after_direct,
    },
    {
	.id = "BLK-LAY-009",
	.title = "WRITE on an indirect descriptor is ignored",
	.spec = "virtio 1.2 §2.7.5.3.2",
	.quote = "The device MUST ignore the write-only flag (flags&VIRTQ_DESC_F_WRITE) in the "
		 "descriptor that refers to an indirect table.",
	.level = CONFORM_MUST,
	.description = "A read through an indirect table whose descriptor has WRITE set works as "
		       "usual.",
	.features = RING(INDIRECT_DESC),
	.protocol_features = P_CFG,
	.run = blk_lay_indirect_write_flag,
    },
    {
	.id = "BLK-LAY-010",
	.title = "A request of seg_max data segments",
	.spec = "virtio 1.2 §5.2.3",
	.quote = "VIRTIO_BLK_F_SEG_MAX (2): Maximum number of segments in a request is in seg_max.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "The case reads seg_max as data segments, header and status apart, as Linux and QEMU "
	    "do, and writes and reads seg_max blocks in as many descriptors. The spec does not "
	    "say what a segment is, nor requires anything of the device here; a device that "
	    "counts header and status refuses the largest requests Linux sends.",
	.features = F(SEG_MAX),
	.protocol_features = P_CFG,
	.run = blk_lay_seg_max,
    },
    {
	.id = "BLK-LAY-011",
	.title = "More than seg_max segments: served or refused, never harmful",
	.spec = "virtio 1.2 §2.7.4.1, §5.2.3",
	.quote = "The device MAY have a reasonable limit of descriptors it will allow in a chain.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "seg_max + 1 data segments: the device may refuse the chain (the quoted MAY). If it "
	    "answers OK the data reads back, and it keeps serving either way. No sentence says "
	    "how a device refuses; one that answers OK and drops segments loses data.",
	.features = F(SEG_MAX),
	.protocol_features = P_CFG,
	.run = blk_lay_over_seg_max,
    },
    {
	.id = "BLK-LAY-012",
	.title = "A readable descriptor after a writable one is not written",
	.spec = "virtio 1.2 §2.7.5.1",
	.quote = "A device MUST NOT write to a device-readable buffer",
	.level = CONFORM_MUST,
	.description =
	    "A read whose data is a writable half then a readable half (§2.7.4.2 forbids the "
	    "order to the driver; the spec gives the device no answer). Whatever the device does "
	    "with the chain, it writes neither the readable half nor the header. Whether it keeps "
	    "serving is BLK-LAY-016.",
	.protocol_features = P_CFG,
	.run = blk_lay_readable_after_writable,
    },
    {
	.id = "BLK-LAY-013",
	.title = "A chain without a writable byte does no harm",
	.spec = "virtio 1.2 §2.1.2, §5.2.6",
	.quote = q_needs_reset,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "A header alone: there is nowhere to put the status, and the spec gives the device no "
	    "answer. The device keeps serving, or gives up on the connection and serves a new "
	    "one (the quoted §2.1.2, as vhost-user can show it). No sentence requires it; a "
	    "device that stops serving lets one bad request take the disk away.",
	.protocol_features = P_CFG,
	.run = blk_lay_no_status,
    },
    {
	.id = "BLK-LAY-014",
	.title = "A header of 8 bytes is not completed from memory past it",
	.spec = "virtio 1.2 §2.7.5, §5.2.6",
	.quote = "The descriptor table refers to the buffers the driver is using for the device.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "A read whose header descriptor has 8 bytes, followed by a data buffer and the "
	    "status: the type is known, the sector is in no buffer. The 8 bytes after the "
	    "descriptor hold a valid sector all the same. The device does not answer OK (it could "
	    "only have taken the sector from memory the driver did not give it, or made it up) "
	    "and keeps serving. No sentence forbids a device to read past a buffer; one that "
	    "does reads guest memory that is not its to read.",
	.protocol_features = P_CFG,
	.run = blk_lay_short_header,
    },
    {
	.id = "BLK-LAY-015",
	.title = "A zero-length descriptor among the data",
	.spec = "virtio 1.2 §2.7.4.1, §2.7.5",
	.quote = q_framing,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "A read whose data has a zero-length descriptor in the middle. §2.7.5 does not say "
	    "whether a descriptor may have length 0: if it may, it is an arrangement the quoted "
	    "MUST covers; QEMU refuses it as an error. The case takes the weaker reading, under "
	    "which no sentence requires it to be served: the device may refuse the chain, but an "
	    "OK comes with the right data, and it keeps serving.",
	.protocol_features = P_CFG,
	.run = blk_lay_zero_len_desc,
    },
    {
	.id = "BLK-LAY-016",
	.title = "A readable descriptor after a writable one: the device keeps serving",
	.spec = "virtio 1.2 §2.1.2, §2.7.4.2",
	.quote = q_needs_reset,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "BLK-LAY-012's chain, which §2.7.4.2 forbids to the driver: the device keeps "
	    "serving, or gives up on the connection and serves a new one (the quoted §2.1.2, as "
	    "vhost-user can show it). No sentence requires it; a device that stops serving lets "
	    "one bad request take the disk away. Split from BLK-LAY-012, which checks the "
	    "sentence that binds the device.",
	.protocol_features = P_CFG,
	.run = blk_lay_bad_order_serving,
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
	    "would have read memory that is not the guest's), and keeps serving. vhost-user.rst "
	    "defines the mapping and says nothing of a buffer that reaches past every region, "
	    "hence advisory.",
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
	    "read must not complete OK, and the device keeps serving. §2.7.5.3 defines the table "
	    "as len / 16 descriptors and says nothing of a len that is not a multiple of 16, "
	    "hence advisory.",
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
    {
	.id = "BLK-LAY-023",
	.title = "A nested indirect table is not followed",
	.spec = "virtio 1.2 §2.7.5.3.1",
	.quote = "The driver MUST NOT set the VIRTQ_DESC_F_INDIRECT flag within an indirect "
		 "descriptor (ie. only one table per descriptor).",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Advisory: the ring's descriptor refers to a table of one entry, itself INDIRECT, "
	    "referring to the table of a read. The quoted sentence is the driver's; no sentence "
	    "says what a device does with such a chain. One that follows tables inside tables "
	    "walks as deep as a driver nests them; the read must not be served OK, and the device "
	    "must keep serving (§2.1.2 lets it give up on the queue).",
	.features = RING(INDIRECT_DESC),
	.protocol_features = P_CFG,
	.run = blk_lay_nested_indirect,
    },
    {
	.id = "BLK-LAY-024",
	.title = "An available entry past the descriptor table is not used",
	.spec = "virtio 1.2 §2.7.6, §2.7.6.1",
	.quote = "The driver places the index of the head of the descriptor chain into the next "
		 "ring entry of the available ring.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "Advisory: a read is made available under the index Queue Size, which names no "
	    "descriptor. No sentence says what a device does with it (it may give up on the "
	    "queue, §2.1.2); one that takes it reads a descriptor past the table, which is not "
	    "the driver's, and may write where it points. No used entry may carry an id of "
	    "Queue Size or more.",
	.protocol_features = P_CFG,
	.run = blk_lay_head_past_table,
    },

    /* ---- GET_ID, DISCARD, WRITE_ZEROES, §5.2.6 ---- */
    {
	.id = "BLK-ID-001",
	.title = "GET_ID returns an ASCII id",
	.spec = "virtio 1.2 §5.2.6",
	.quote = q_id,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "GET_ID into 20 bytes filled with 0xff: the bytes before the first NUL (all 20 when "
	    "there is none) are ASCII. Judged over the 20 bytes the driver reads, whatever the "
	    "used length: §2.7.8.2 lets it be an underestimate (a len that counts bytes not "
	    "written is BLK-RW-022's subject). §5.2.6 defines the id without a keyword; a driver "
	    "shows garbage as the disk's serial otherwise. Not applicable if the device answers "
	    "UNSUPP.",
	.protocol_features = P_CFG,
	.run = blk_id_twenty,
    },
    {
	.id = "BLK-ID-002",
	.title = "GET_ID into split descriptors gives the same id",
	.spec = "virtio 1.2 §2.7.4.1",
	.quote = q_framing,
	.level = CONFORM_MUST,
	.description =
	    "The 20 bytes as descriptors of 7, 1 and 12 bytes, each in a place of its own in "
	    "memory, hold the same bytes as one 20-byte descriptor (the used length may differ: "
	    "it may be an underestimate). Not applicable if the device answers UNSUPP; an error "
	    "if the 20-byte GET_ID fails.",
	.protocol_features = P_CFG,
	.run = blk_id_split,
    },
    {
	.id = "BLK-ID-004",
	.title = "GET_ID fills all 20 bytes, NUL-padded",
	.spec = "virtio 1.2 §5.2.6",
	.quote = q_id,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "As BLK-ID-001, for the padding: every byte after the id's first NUL is NUL, "
	    "whatever the used length. §5.2.6 calls the id NUL-padded, without a keyword; a "
	    "driver that copies the 20 bytes (Linux does) shows what its buffer held before.",
	.protocol_features = P_CFG,
	.run = blk_id_padded,
    },
    {
	.id = "BLK-ID-003",
	.title = "GET_ID into 8 bytes stays inside them",
	.spec = "virtio 1.2 §5.2.6, §5.2.6.1",
	.quote = "VIRTIO_BLK_T_GET_ID requests fetch the device ID string from the device into "
		 "data.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "§5.2.6.1 has the driver give 20 bytes; with 8 the spec gives the device no answer. "
	    "The device writes nothing past the 8-byte buffer and keeps serving. No sentence "
	    "forbids a device to write guest memory outside the buffers of a chain (§2.7.5.1 "
	    "covers device-readable ones); one that does corrupts whatever the guest keeps "
	    "there.",
	.protocol_features = P_CFG,
	.run = blk_id_short_buffer,
    },
    {
	.id = "BLK-DWZ-001",
	.title = "WRITE_ZEROES: the range reads back as zeroes",
	.spec = "virtio 1.2 §5.2.6.2",
	.quote = q_wz_zeroes,
	.level = CONFORM_MUST,
	.description =
	    "A one-segment write zeroes over written data; once it completed OK, reads of its "
	    "range return zeroes. The case reads \"completed\" as completed OK: after IOERR the "
	    "range is indeterminate (§5.2.6), and after UNSUPP nothing was done, so either "
	    "makes the case not applicable.",
	.features = F(WRITE_ZEROES),
	.protocol_features = P_CFG,
	.run = blk_dwz_wz_reads_zero,
    },
    {
	.id = "BLK-DWZ-002",
	.title = "WRITE_ZEROES with unmap: the range reads back as zeroes",
	.spec = "virtio 1.2 §5.2.6.2",
	.quote = "After a write zeroes command is completed, reads of the specified ranges of "
		 "sectors MUST return zeroes. This is true independent of whether unmap was set "
		 "or clear.",
	.level = CONFORM_MUST,
	.description = "As BLK-DWZ-001 with the unmap flag: the device may deallocate, but reads "
		       "still return zeroes.",
	.features = F(WRITE_ZEROES),
	.protocol_features = P_CFG,
	.run = blk_dwz_wz_unmap_reads_zero,
    },
    {
	.id = "BLK-DWZ-003",
	.title = "WRITE_ZEROES with two segments zeroes both",
	.spec = "virtio 1.2 §5.2.6.2",
	.quote = q_wz_zeroes,
	.level = CONFORM_MUST,
	.description = "As BLK-DWZ-001 with two segments and a gap between them: both read back "
		       "as zeroes (the gap is BLK-DWZ-012's). Not applicable when "
		       "max_write_zeroes_seg is 1.",
	.features = F(WRITE_ZEROES),
	.protocol_features = P_CFG,
	.run = blk_dwz_wz_multi_seg,
    },
    {
	.id = "BLK-DWZ-004",
	.title = "DISCARD of an aligned range completes OK",
	.spec = "virtio 1.2 §5.2.3",
	.quote = "VIRTIO_BLK_F_DISCARD (13): Device can support discard command, maximum discard "
		 "sectors size in max_discard_sectors and maximum discard segment number in "
		 "max_discard_seg.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "A one-segment discard aligned to discard_sector_alignment and blk_size completes "
	    "OK. What the range reads afterwards is undefined (§5.2.6.1), so only the status is "
	    "checked. No sentence requires a device that offers discard to complete one; a "
	    "driver that negotiated it gets errors for every discard otherwise.",
	.features = F(DISCARD),
	.protocol_features = P_CFG,
	.run = blk_dwz_discard_ok,
    },
    {
	.id = "BLK-DWZ-005",
	.title = "DISCARD with the unmap flag is UNSUPP",
	.spec = "virtio 1.2 §5.2.6.2",
	.quote = "Furthermore, the device MUST set the status byte to VIRTIO_BLK_S_UNSUPP for "
		 "discard commands if the unmap flag is set.",
	.level = CONFORM_MUST,
	.description = "A discard whose unmap flag is set gets UNSUPP.",
	.features = F(DISCARD),
	.protocol_features = P_CFG,
	.run = blk_dwz_discard_unmap_flag,
    },
    {
	.id = "BLK-DWZ-006",
	.title = "DISCARD with an unknown flag is UNSUPP",
	.spec = "virtio 1.2 §5.2.6.2",
	.quote = q_dwz_flags,
	.level = CONFORM_MUST,
	.description = "A discard with flag bit 1 (reserved) gets UNSUPP.",
	.features = F(DISCARD),
	.protocol_features = P_CFG,
	.run = blk_dwz_discard_unknown_flag,
    },
    {
	.id = "BLK-DWZ-007",
	.title = "WRITE_ZEROES with an unknown flag is UNSUPP",
	.spec = "virtio 1.2 §5.2.6.2",
	.quote = q_dwz_flags,
	.level = CONFORM_MUST,
	.description = "A write zeroes with flag bit 1 (reserved) gets UNSUPP.",
	.features = F(WRITE_ZEROES),
	.protocol_features = P_CFG,
	.run = blk_dwz_wz_unknown_flag,
    },
    {
	.id = "BLK-DWZ-008",
	.title = "DISCARD with more than max_discard_seg segments does no harm",
	.spec = "virtio 1.2 §2.1.2, §5.2.6.1",
	.quote = q_needs_reset,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "§5.2.6.1 forbids the request to the driver and the spec gives the device no answer. "
	    "The device keeps serving, or gives up on the connection and serves a new one (the "
	    "quoted §2.1.2, as vhost-user can show it). No sentence requires it; a device that "
	    "stops serving lets one bad request take the disk away.",
	.features = F(DISCARD),
	.protocol_features = P_CFG,
	.run = blk_dwz_discard_too_many_seg,
    },
    {
	.id = "BLK-DWZ-009",
	.title = "WRITE_ZEROES with more than max_write_zeroes_seg segments does no harm",
	.spec = "virtio 1.2 §2.1.2, §5.2.6.1",
	.quote = q_needs_reset,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "As BLK-DWZ-008 for write zeroes: §5.2.6.1 binds the driver (at most "
		       "max_write_zeroes_seg segments) and the spec gives the device no answer; a "
		       "device that stops serving lets one bad request take the disk away.",
	.features = F(WRITE_ZEROES),
	.protocol_features = P_CFG,
	.run = blk_dwz_wz_too_many_seg,
    },
    {
	.id = "BLK-DWZ-010",
	.title = "WRITE_ZEROES past the end fails with IOERR",
	.spec = "virtio 1.2 §5.2.6, §5.2.6.1",
	.quote = q_status,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "A segment starting at capacity gets IOERR and the device keeps serving, as "
		       "BLK-RW-006 for writes: §5.2.6.1 binds the driver (no request beyond "
		       "capacity) and the spec says nothing of the device's answer. An OK tells "
		       "the driver zeroes were written where no sector is.",
	.features = F(WRITE_ZEROES),
	.protocol_features = P_CFG,
	.run = blk_dwz_wz_past_end,
    },
    {
	.id = "BLK-DWZ-011",
	.title = "WRITE_ZEROES data that is not whole segments does no harm",
	.spec = "virtio 1.2 §2.1.2, §5.2.6.1",
	.quote = q_needs_reset,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "As BLK-DWZ-008 for a write zeroes with 10 bytes of data: §5.2.6.1 binds the "
		       "driver (data a multiple of the segment size) and the spec gives the device "
		       "no answer; a device that stops serving lets one bad request take the disk "
		       "away.",
	.features = F(WRITE_ZEROES),
	.protocol_features = P_CFG,
	.run = blk_dwz_bad_seg_len,
    },
    {
	.id = "BLK-DWZ-012",
	.title = "WRITE_ZEROES with two segments leaves the sectors between them",
	.spec = "virtio 1.2 §5.2.6.2",
	.quote = q_wz_zeroes,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "BLK-DWZ-003's request: the sectors after each segment keep their data. The quoted "
	    "MUST speaks of the specified ranges only; no sentence says the others are left "
	    "alone, but a device that zeroes them loses data. Split from BLK-DWZ-003.",
	.features = F(WRITE_ZEROES),
	.protocol_features = P_CFG,
	.run = blk_dwz_wz_gap_kept,
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
	.spec = "virtio 1.2 §2.7, §5.2.6",
	.quote = "Queue Size corresponds to the maximum number of buffers in the virtqueue",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "85 writes (255 of the 256 descriptors) made available at once, then 85 reads: all "
	    "complete OK, in any order, and the data reads back. No sentence requires a device to "
	    "take a full ring with a keyword; one that stops serving then hangs every driver that "
	    "queues deeply.",
	.protocol_features = P_CFG,
	.run = blk_q_many_inflight,
    },
    {
	.id = "BLK-Q-002",
	.title = "Data integrity with writes and reads on several queues at once",
	.spec = "virtio 1.2 §5.2.6, §5.2.4",
	.quote = q_requests,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "Four queues (two if that is all) each write 32 requests in flight together; each "
	    "range is then read back through another queue. No sentence requires it with a "
	    "keyword (§5.2.6 defines the requests); a device that mixes up queues loses data.",
	.features = F(MQ),
	.protocol_features = P_CFG,
	.run = blk_q_concurrent_integrity,
    },
    {
	.id = "BLK-Q-003",
	.title = "Failing requests on one queue do not disturb another",
	.spec = "virtio 1.2 §5.2.6",
	.quote = q_requests,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "While queue 1 has writes in flight, queue 0 gets a read past the end and an unknown "
	    "type: queue 1's requests complete OK and read back. No sentence requires it with a "
	    "keyword; a device where one request's error spills over fails good requests.",
	.features = F(MQ),
	.protocol_features = P_CFG,
	.run = blk_q_independent,
    },
    {
	.id = "BLK-Q-004",
	.title = "A malformed chain on one queue leaves another queue serving",
	.spec = "virtio 1.2 §2.1.2, §2.7.4.2",
	.quote = q_needs_reset,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "As BLK-Q-003 with a readable-after-writable chain on queue 0. The spec lets a "
	    "device give up on a driver that breaks the rules (needs reset, quoted), and no "
	    "sentence requires more; a device with independent queues confines the damage to "
	    "the queue that got the bad chain.",
	.features = F(MQ),
	.protocol_features = P_CFG,
	.run = blk_q_malformed_other_queue,
    },
    {
	.id = "BLK-Q-005",
	.title = "EVENT_IDX: a notification when used_event is reached",
	.spec = "virtio 1.2 §2.7.7.2",
	.quote = "If the idx field in the used ring (which determined where that descriptor index "
		 "was placed) was equal to used_event, the device MUST send a notification.",
	.level = CONFORM_MUST,
	.description = "With VIRTIO_F_EVENT_IDX and used_event two entries ahead, the device "
		       "notifies when it writes the entry at used_event (the third request). A "
		       "request that does not complete is an error, not a verdict.",
	.features = RING(EVENT_IDX),
	.protocol_features = P_CFG,
	.run = blk_q_event_idx_notify,
    },
    {
	.id = "BLK-Q-006",
	.title = "EVENT_IDX: no notification before used_event",
	.spec = "virtio 1.2 §2.7.7.2",
	.quote = q_event_idx_quiet,
	.level = CONFORM_SHOULD,
	.description = "Right after the ring starts, with used_event two entries ahead, the device "
		       "does not notify for the two entries before it (checked 100 ms after each "
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
	.quote = "If flags is 1, the device SHOULD NOT send a notification.",
	.level = CONFORM_SHOULD,
	.description = "Without EVENT_IDX (not acknowledged), avail->flags 1 asks for no "
		       "notification: the device sends none.",
	.protocol_features = P_CFG,
	.run = blk_q_no_interrupt_flag,
    },
    {
	.id = "BLK-Q-008",
	.title = "A notification with avail->flags 0",
	.spec = "virtio 1.2 §2.7.7.2",
	.quote = "If flags is 0, the device MUST send a notification.",
	.level = CONFORM_MUST,
	.description = "Without EVENT_IDX, flags 0: the device notifies after a used entry.",
	.protocol_features = P_CFG,
	.run = blk_q_notify_flags0,
    },
    {
	.id = "BLK-Q-009",
	.title = "EVENT_IDX: no notification before used_event, ring running",
	.spec = "virtio 1.2 §2.7.7.2",
	.quote = q_event_idx_quiet,
	.level = CONFORM_SHOULD,
	.description = "As BLK-Q-006 after one request went through, so that the device has "
		       "decided on a notification since the ring started.",
	.features = RING(EVENT_IDX),
	.protocol_features = P_CFG,
	.run = blk_q_event_idx_suppress_warm,
    },
    {
	.id = "BLK-Q-010",
	.title = "Observed: a request published before the first kick",
	.spec = "vhost-user.rst: Ring states",
	.quote = "The back-end must start a ring upon receiving a kick (that is, detecting that "
		 "file descriptor is readable) on the descriptor specified by "
		 "VHOST_USER_SET_VRING_KICK or receiving the in-band message "
		 "VHOST_USER_VRING_KICK if negotiated, and stop a ring upon receiving "
		 "VHOST_USER_GET_VRING_BASE.",
	.level = CONFORM_INFO,
	.description = "An observation, no verdict. Read word for word, a ring starts when its "
		       "kick fd first becomes readable (and a stopped ring is not processed); "
		       "polling back-ends commonly take the SET_VRING_KICK message as the start "
		       "and look at the ring at once. A front-end that publishes, then kicks "
		       "(virtio 1.2 §2.7.13.4) works with both; one that reconnects while "
		       "requests wait in the ring finds out which it has. The case publishes a "
		       "read, then starts the ring (SET_VRING_KICK, SET_VRING_ENABLE) without "
		       "writing the kick fd, and records whether the back-end processes the read "
		       "within the reply timeout, or only after a kick.",
	.run = blk_q_before_first_kick,
    },
    {
	.id = "BLK-Q-011",
	.title = "A used entry is written before the used index shows it",
	.spec = "virtio 1.2 §2.7.8.2",
	.quote = "The device MUST set len prior to updating the used idx.",
	.level = CONFORM_MUST,
	.description =
	    "Up to 8000 reads (at least 1500, within 2 s), one at a time, over a used ring whose free slots hold an id and a len "
	    "no device writes: the case spins on the used index and reads each entry the moment "
	    "the index shows it, so an entry published before its len and id were written is "
	    "seen with the marker. The window is the time between two stores of the device, so "
	    "a device that gets the order wrong is caught on some of its entries, not all.",
	.protocol_features = P_CFG,
	.run = blk_q_used_elem_before_idx,
    },
    {
	.id = "BLK-Q-012",
	.title = "A full available ring of indirect requests",
	.spec = "virtio 1.2 §2.7, §2.7.5.3",
	.quote = "Queue Size corresponds to the maximum number of buffers in the virtqueue",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "256 writes, each through an indirect table (one ring descriptor each), made "
	    "available at once: every entry of a 256-entry available ring, its index Queue Size "
	    "ahead of the device's; then 256 reads the same way. All complete OK and the data "
	    "reads back. BLK-Q-001 fills the descriptors, this the available ring, as Linux does "
	    "with indirect descriptors. No sentence requires a device to take a full ring with a "
	    "keyword; one that takes it for a broken ring hangs every driver that queues deeply.",
	.features = RING(INDIRECT_DESC),
	.protocol_features = P_CFG,
	.run = blk_q_full_avail_ring,
    },
};

const struct conform_suite g_suite_virtio_blk = {
    .name = "virtio-blk",
    .description = "virtio-blk device requirements (OASIS virtio 1.2 §5.2, with the split "
		   "virtqueue rules of §2.7 that a block device exercises)",
    .cases = g_cases,
    .ncases = ARRAY_SIZE(g_cases),
    .transport = &g_conform_transport_vhost_user,
};
