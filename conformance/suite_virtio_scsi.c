/* SPDX-License-Identifier: MIT */
/*
 * The virtio-scsi suite: every case, the sentence it enforces and how it
 * reads the spec (OASIS virtio 1.2 cs01 §5.6, with the SCSI commands it
 * carries). The checks live in suite_virtio_scsi_*.c, one file per area;
 * docs/conformance/audit-virtio-scsi.md records why each case has its level.
 *
 * A case is MUST, SHOULD or MAY only when its quote, a sentence of virtio
 * 1.2 about the device, carries that keyword. What a SCSI command answers is
 * SPC-5's, SBC-4's and SAM-5's to say, and no text of those standards is at
 * hand to quote word for word (T10 publishes its drafts to members only):
 * those cases cite the section and are advisories, with a severity, until a
 * verified quote exists. virtio 1.2 itself only points at them ("The device
 * MUST write the status byte as the status code as defined in SAM."), which
 * requires the encoding of a status, not which status a command earns.
 */
#include "conformance/suite_virtio_scsi.h"
#include "spec/vhost_user.h"
#include "util/common.h"

#define F(bit) VIRTIO_BIT(VIRTIO_SCSI_F_##bit)
/* Every case reads the config space (sense_size, cdb_size, max_target). */
#define P_CFG VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG)

/* Sentences several cases quote (markup dropped, as the PDF reads). */
static const char q_reset[] = "On reset, the device MUST set sense_size to 96 and cdb_size to 32.";
static const char q_num_queues[] =
    "num_queues: is the total number of request virtqueues exposed by the device.";
static const char q_response[] = "The device MUST write the response byte as one of the following:";
static const char q_status[] =
    "The device MUST write the status byte as the status code as defined in SAM.";
static const char q_overrun[] =
    "VIRTIO_SCSI_S_OVERRUN: if the content of the CDB (such as the allocation length, parameter "
    "length or transfer size) requires more data than is available in the datain and dataout "
    "buffers.";
static const char q_residual[] =
    "residual indicates the residual size, calculated as \"data_length - "
    "number_of_transferred_bytes\", for read or write operations.";
static const char q_readable[] =
    "A device MUST NOT write to a device-readable buffer, and a device SHOULD NOT read a "
    "device-writable buffer (it MAY do so for debugging or diagnostic purposes).";
static const char q_sam[] = "All of these fields are defined in SAM and are always device-readable.";
static const char q_lu_reset[] =
    "For example, the device MUST complete all active commands on a logical unit or target "
    "(possibly with a VIRTIO_SCSI_S_RESET response code) upon receiving a \"logical unit "
    "reset\" or \"I_T nexus reset\" TMF. Similarly, the device MUST complete the selected "
    "commands (possibly with a VIRTIO_SCSI_S_ABORTED response code) upon receiving an \"abort "
    "task\" or \"abort task set\" TMF. Such effects MUST take place before the TMF itself is "
    "successfully completed";
static const char q_tmf_outcome[] =
    "The outcome of the task management function is written by the device in response.";
static const char q_hard_reset[] =
    "\"LUN hard reset\" maps to sense key UNIT ATTENTION, asc 0x29 (POWER ON, RESET OR BUS "
    "DEVICE RESET OCCURRED)";

/* The reason every SCSI-command advisory gives. */
#define NO_T10_TEXT                                                                               \
	" No sentence of virtio 1.2 requires it (§5.6 defers to SAM); the T10 section is cited "  \
	"without a quote, as no verified text of it is at hand."

/* A case of the SCSI command area: an advisory citing its T10 section. */
#define CDB_CASE(cid, ttl, sec, sev, desc, fn)                                                     \
	{                                                                                          \
	    .id = cid,                                                                             \
	    .title = ttl,                                                                          \
	    .spec = sec,                                                                           \
	    .level = CONFORM_ADVISORY,                                                             \
	    .severity = CONFORM_SEV_##sev,                                                         \
	    .description = desc NO_T10_TEXT,                                                       \
	    .protocol_features = P_CFG,                                                            \
	    .run = fn,                                                                             \
	}

static const struct conform_case g_cases[] = {
    /* ---- Configuration, §5.6.4 ---- */
    {
	.id = "SCSI-CFG-001",
	.title = "sense_size is 96 after reset",
	.spec = "virtio 1.2 §5.6.4.2",
	.quote = q_reset,
	.level = CONFORM_MUST,
	.description = "A front-end writes sense_size 48 (§5.6.4.1 lets it) and goes; the next "
		       "connection's device has just been reset: its sense_size reads 96.",
	.protocol_features = P_CFG,
	.run = scsi_cfg_sense_size,
    },
    {
	.id = "SCSI-CFG-002",
	.title = "cdb_size is 32 after reset",
	.spec = "virtio 1.2 §5.6.4.2",
	.quote = q_reset,
	.level = CONFORM_MUST,
	.description = "As SCSI-CFG-001 for cdb_size (16 written): 32.",
	.protocol_features = P_CFG,
	.run = scsi_cfg_cdb_size,
    },
    {
	.id = "SCSI-CFG-003",
	.title = "max_channel is 0",
	.spec = "virtio 1.2 §5.6.4",
	.quote = "max_channel SHOULD be zero.",
	.level = CONFORM_SHOULD,
	.description = "max_channel reads 0.",
	.protocol_features = P_CFG,
	.run = scsi_cfg_max_channel,
    },
    {
	.id = "SCSI-CFG-004",
	.title = "max_target is at most 255",
	.spec = "virtio 1.2 §5.6.4",
	.quote = "max_target SHOULD be less than or equal to 255.",
	.level = CONFORM_SHOULD,
	.description = "max_target reads 255 or less: the lun field has one byte for the target.",
	.protocol_features = P_CFG,
	.run = scsi_cfg_max_target,
    },
    {
	.id = "SCSI-CFG-005",
	.title = "max_lun is at most 16383",
	.spec = "virtio 1.2 §5.6.4",
	.quote = "max_lun SHOULD be less than or equal to 16383.",
	.level = CONFORM_SHOULD,
	.description = "max_lun reads 16383 or less: the flat LUN format's largest.",
	.protocol_features = P_CFG,
	.run = scsi_cfg_max_lun,
    },
    {
	.id = "SCSI-CFG-006",
	.title = "num_queues is at least 1",
	.spec = "virtio 1.2 §5.6.4",
	.quote = q_num_queues,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "num_queues is not 0. §5.6.4 defines the field without a keyword; a "
		       "device without a request queue serves no command.",
	.protocol_features = P_CFG,
	.run = scsi_cfg_num_queues,
    },
    {
	.id = "SCSI-CFG-007",
	.title = "Every one of num_queues request queues serves",
	.spec = "virtio 1.2 §5.6.4",
	.quote = q_num_queues,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "The case sets up num_queues request queues (at most 62) and runs TEST "
		       "UNIT READY on the last; a back-end with fewer vhost-user queues "
		       "(GET_QUEUE_NUM) than they need fails. §5.6.4 defines the field without a "
		       "keyword; a "
		       "driver that spreads commands over the queues the device announced hangs "
		       "on one it does not serve.",
	.protocol_features = P_CFG,
	.run = scsi_cfg_last_queue_serves,
    },
    {
	.id = "SCSI-CFG-008",
	.title = "event_info_size holds an event when HOTPLUG is offered",
	.spec = "virtio 1.2 §5.6.4, §5.6.6.3",
	.quote = "event_info_size: is the maximum size that the device will fill for buffers that "
		 "the driver places in the eventq.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "With VIRTIO_SCSI_F_HOTPLUG offered, event_info_size is at least the 16 "
		       "bytes of struct virtio_scsi_event. §5.6.4 defines the field without a "
		       "keyword; a driver that sizes its event buffers by it gets none the device "
		       "can report a hot-plug in.",
	.features = F(HOTPLUG),
	.protocol_features = P_CFG,
	.run = scsi_cfg_event_info_size,
    },

    /* ---- Request queues, §5.6.6.1 ---- */
    {
	.id = "SCSI-REQ-001",
	.title = "The response byte is one of §5.6.6.1's",
	.spec = "virtio 1.2 §5.6.6.1.1",
	.quote = q_response,
	.level = CONFORM_MUST,
	.description = "TEST UNIT READY, INQUIRY, an unknown opcode (60h) and a READ(16) past the "
		       "end each get a response byte of 0 to 9 (OK to FAILURE).",
	.protocol_features = P_CFG,
	.run = scsi_req_response_defined,
    },
    {
	.id = "SCSI-REQ-002",
	.title = "The status byte is a SAM status code",
	.spec = "virtio 1.2 §5.6.6.1.1; SAM-5 §5.3",
	.quote = q_status,
	.level = CONFORM_MUST,
	.description = "Of the commands of SCSI-REQ-001, each answered OK has a status of SAM-5's "
		       "list (GOOD, CHECK CONDITION, CONDITION MET, BUSY, RESERVATION CONFLICT, "
		       "TASK SET FULL, ACA ACTIVE, TASK ABORTED). Which status a command earns is "
		       "SPC-5's and SBC-4's matter (the SCSI-CDB advisories).",
	.protocol_features = P_CFG,
	.run = scsi_req_status_sam,
    },
    {
	.id = "SCSI-REQ-003",
	.title = "A target past max_target gets BAD_TARGET",
	.spec = "virtio 1.2 §5.6.6.1.1",
	.quote = "The device MUST write the response byte as one of the following: [...] "
		 "VIRTIO_SCSI_S_BAD_TARGET: if the request was never processed because the target "
		 "indicated by lun does not exist.",
	.level = CONFORM_MUST,
	.description =
	    "INQUIRY to target max_target + 1, which the device says it does not have, "
	    "is answered BAD_TARGET. N/A when max_target is 255. The case reads the list "
	    "as naming the one response for each condition; a target that does not "
	    "exist processes nothing, so no other response applies.",
	.protocol_features = P_CFG,
	.run = scsi_req_bad_target,
    },
    {
	.id = "SCSI-REQ-004",
	.title = "dataout and datain without INOUT get FAILURE",
	.spec = "virtio 1.2 §5.6.6.1.1",
	.quote = "The device MUST write the response byte as one of the following: [...] In "
		 "particular, if neither dataout nor datain is empty, and the VIRTIO_SCSI_F_INOUT "
		 "feature has not been negotiated, the request will be immediately returned with a "
		 "response equal to VIRTIO_SCSI_S_FAILURE.",
	.level = CONFORM_MUST,
	.description = "With VIRTIO_SCSI_F_INOUT not acknowledged, a WRITE(10) of one block with "
		       "a one-block datain as well is answered FAILURE.",
	.protocol_features = P_CFG,
	.run = scsi_req_inout_unnegotiated,
    },
    {
	.id = "SCSI-REQ-005",
	.title = "A datain too small for the CDB is reported",
	.spec = "virtio 1.2 §5.6.6.1.1",
	.quote = q_overrun,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "READ(10) of 8 blocks with a datain of 1, and standard INQUIRY of "
		       "ALLOCATION LENGTH 36 into 8 bytes: OVERRUN, or OK with a status other than "
		       "GOOD, or GOOD with a residual covering the missing bytes; and nothing "
		       "written past the buffer. The list of responses gives OVERRUN for "
		       "this but also OK for a completed command, so no sentence requires OVERRUN "
		       "alone; GOOD with no residual tells the driver it has data it never got.",
	.protocol_features = P_CFG,
	.run = scsi_req_overrun_reported,
    },
    {
	.id = "SCSI-REQ-006",
	.title = "sense_len is at most sense_size",
	.spec = "virtio 1.2 §5.6.4, §5.6.6.1",
	.quote = "sense_len indicates the number of bytes actually written to the sense buffer.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "An unknown opcode's CHECK CONDITION has a sense_len no larger than "
		       "sense_size (96). §5.6.6.1 defines sense_len without a keyword; a driver "
		       "that copies sense_len bytes out of a 96-byte buffer reads past it.",
	.protocol_features = P_CFG,
	.run = scsi_req_sense_len_bound,
    },
    {
	.id = "SCSI-REQ-007",
	.title = "A read that fills datain has residual 0",
	.spec = "virtio 1.2 §5.6.6.1",
	.quote = q_residual,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "READ(10) of 2 blocks into exactly 2 blocks of datain: GOOD, residual 0. "
		       "§5.6.6.1 defines residual without a keyword; a driver that trusts a "
		       "non-zero one discards data it got.",
	.protocol_features = P_CFG,
	.run = scsi_req_residual_zero,
    },
    {
	.id = "SCSI-REQ-008",
	.title = "A read shorter than datain has the rest as residual",
	.spec = "virtio 1.2 §5.6.6.1",
	.quote = q_residual,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "READ(10) of 1 block into a datain of 2 blocks: GOOD, residual one block "
		       "(data_length being the datain's size). §5.6.6.1 defines residual without a "
		       "keyword; a driver that takes a residual of 0 counts bytes never written.",
	.protocol_features = P_CFG,
	.run = scsi_req_residual_short,
    },
    {
	.id = "SCSI-REQ-009",
	.title = "A READ with a device-readable data buffer leaves it alone",
	.spec = "virtio 1.2 §2.7.5.1",
	.quote = q_readable,
	.level = CONFORM_MUST,
	.description = "READ(10) of a block that holds data, its data buffer device-readable (a "
		       "dataout, no datain): the buffer is not written. The device keeps serving.",
	.protocol_features = P_CFG,
	.run = scsi_req_read_into_readable,
    },
    {
	.id = "SCSI-REQ-010",
	.title = "A READ without datain does not complete GOOD",
	.spec = "virtio 1.2 §5.6.6.1.1",
	.quote = q_overrun,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "The READ(10) of SCSI-REQ-009: an error response or status, or GOOD with "
		       "the whole block as residual. No sentence requires one answer (OVERRUN "
		       "fits, and so does a CHECK CONDITION); GOOD claims data the driver never "
		       "got.",
	.protocol_features = P_CFG,
	.run = scsi_req_read_wrong_dir_status,
    },
    {
	.id = "SCSI-REQ-011",
	.title = "A WRITE with a device-writable data buffer does not reach the medium",
	.spec = "virtio 1.2 §2.7.5.1",
	.quote = q_readable,
	.level = CONFORM_SHOULD,
	.description = "WRITE(10) of one block whose data is device-writable (a datain, no "
		       "dataout), holding data the block did not: afterwards the block does not "
		       "hold it, else the device read a buffer that was its to write.",
	.protocol_features = P_CFG,
	.run = scsi_req_write_from_writable,
    },
    {
	.id = "SCSI-REQ-012",
	.title = "A CDB longer than cdb_size is refused",
	.spec = "virtio 1.2 §5.6.6.1; SPC-5 §4.2.5",
	.quote = "The CDB is included in cdb and its size, cdb_size, is taken from the "
		 "configuration space.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "A variable-length CDB (7Fh, READ(32)) whose ADDITIONAL CDB LENGTH says 256 "
		       "bytes, in the 32 of cdb: not GOOD, and the device keeps serving. §5.6.6.1 "
		       "says nothing of a CDB that claims more than cdb_size; a device that reads "
		       "on reads past the request header.",
	.protocol_features = P_CFG,
	.run = scsi_req_cdb_overlong,
    },
    {
	.id = "SCSI-REQ-013",
	.title = "A request header cut after its CDB",
	.spec = "virtio 1.2 §5.6.6.1",
	.quote = q_sam,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "TEST UNIT READY whose device-readable part ends after the 6 CDB bytes (26 "
		       "of the header's 51): any defined response, or none, and the device keeps "
		       "serving. §5.6.6.1 says nothing of a short header.",
	.protocol_features = P_CFG,
	.run = scsi_req_short_header,
    },
    {
	.id = "SCSI-REQ-014",
	.title = "A request with no device-writable part",
	.spec = "virtio 1.2 §5.6.6.1, §2.7.5.1",
	.quote = "sense and subsequent fields are always device-writable.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "A request of the header alone: the header is not written and the device "
		       "keeps serving. §5.6.6.1 says nothing of a request without room for its "
		       "response.",
	.protocol_features = P_CFG,
	.run = scsi_req_no_response_buffer,
    },
    {
	.id = "SCSI-REQ-015",
	.title = "ORDERED and HEAD OF QUEUE commands complete",
	.spec = "virtio 1.2 §5.6.6.1",
	.quote = "task_attr defines the task attribute as in the table above, but all task "
		 "attributes MAY be mapped to SIMPLE by the device.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "READ(10) with task_attr ORDERED, then HEAD: GOOD. The sentence lets the "
		       "device treat them as SIMPLE; no sentence requires it to complete them "
		       "(hence advisory), but a device that refuses them fails drivers that send "
		       "barriers.",
	.protocol_features = P_CFG,
	.run = scsi_req_task_attr,
    },
    {
	.id = "SCSI-REQ-016",
	.title = "The REPORT LUNS well-known logical unit answers",
	.spec = "virtio 1.2 §5.6.6.1",
	.quote = "The virtio-scsi device SHOULD implement the REPORT LUNS well-known logical unit.",
	.level = CONFORM_SHOULD,
	.description = "REPORT LUNS to lun C1 01 00 00 00 00 00 00: GOOD, with a LUN LIST LENGTH "
		       "that is a multiple of 8.",
	.protocol_features = P_CFG,
	.run = scsi_req_report_luns_wlun,
    },
    {
	.id = "SCSI-REQ-017",
	.title = "A LUN the target does not list is not supported",
	.spec = "virtio 1.2 §5.6.6.3; SPC-5 §4.5",
	.quote = "\"LUN/target removed\" maps to sense key ILLEGAL REQUEST, asc 0x25, ascq 0x00 "
		 "(LOGICAL UNIT NOT SUPPORTED)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "TEST UNIT READY to a LUN below 256 that REPORT LUNS does not list: CHECK "
	    "CONDITION, ILLEGAL REQUEST, LOGICAL UNIT NOT SUPPORTED (BAD_TARGET is taken "
	    "too, and noted). §5.6.6.3 states the mapping without a keyword; a device "
	    "that answers GOOD makes drivers attach a disk that is not there.",
	.protocol_features = P_CFG,
	.run = scsi_req_unknown_lun,
    },
    {
	.id = "SCSI-REQ-018",
	.title = "Request queues serve the same LU",
	.spec = "virtio 1.2 §5.6.6.1",
	.quote = "The driver queues requests to an arbitrary request queue, and they are used by "
		 "the device on that same queue.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "Data written on the second request queue reads back on the first. N/A "
		       "with one request queue. §5.6.6.1 states it without a keyword.",
	.protocol_features = P_CFG,
	.run = scsi_req_queues_independent,
    },
    {
	.id = "SCSI-REQ-019",
	.title = "The used length counts no data-in the device did not transfer",
	.spec = "virtio 1.2 §2.7.8.2, §5.6.6.1",
	.quote = "The device MUST write at least len bytes to descriptor, beginning at the first "
		 "device-writable buffer, prior to updating the used idx.",
	.level = CONFORM_MUST,
	.description = "READ(10) of 1 block into a datain of 2 blocks, and standard INQUIRY of "
		       "at most 36 bytes into a datain of 256: each GOOD, with a used length no "
		       "larger than the response header plus the datain bytes the residual says "
		       "were transferred. The header is counted whole although §5.6.6.1 has the "
		       "device write only sense_len bytes of its sense buffer: datain follows the "
		       "header, so a device that returns data cannot count the data without the "
		       "sense bytes before it. len may be an underestimate.",
	.protocol_features = P_CFG,
	.run = scsi_req_used_len,
    },

    /* ---- SCSI commands: SPC-5, SBC-4 ---- */
    CDB_CASE("SCSI-CDB-001", "Standard INQUIRY data", "SPC-5 §6.7.2", ROBUSTNESS,
	     "INQUIRY (EVPD 0) of 96 bytes: GOOD, at least 36 bytes (ADDITIONAL LENGTH >= 31), "
	     "all ADDITIONAL LENGTH announces transferred when that is less than 96, RESPONSE "
	     "DATA FORMAT 2, PERIPHERAL QUALIFIER 000b for the LUN REPORT LUNS listed.",
	     scsi_cdb_inquiry_std),
    CDB_CASE("SCSI-CDB-002", "INQUIRY transfers no more than ALLOCATION LENGTH",
	     "SPC-5 §4.2.5.6, §6.7.1", MEMORY_SAFETY,
	     "INQUIRY with ALLOCATION LENGTH 5 and a datain of 64: GOOD, bytes 5 and on "
	     "untouched, residual at least 59.",
	     scsi_cdb_inquiry_alloc_short),
    CDB_CASE("SCSI-CDB-003", "VPD page 00h lists the pages in ascending order", "SPC-5 §7.7.13",
	     ROBUSTNESS,
	     "INQUIRY of VPD page 00h: GOOD, PAGE CODE 00h, the list starting with 00h and "
	     "ascending.",
	     scsi_cdb_vpd_supported),
    CDB_CASE("SCSI-CDB-004", "Every VPD page listed answers with its code", "SPC-5 §7.7.1",
	     ROBUSTNESS,
	     "Each page page 00h lists (80h, 83h, B0h... as the LU has them) answers GOOD with "
	     "its own PAGE CODE.",
	     scsi_cdb_vpd_pages),
    CDB_CASE("SCSI-CDB-005", "INQUIRY with a page code but EVPD 0 is refused", "SPC-5 §6.7.1",
	     ROBUSTNESS,
	     "INQUIRY, EVPD 0, PAGE CODE 80h: CHECK CONDITION, ILLEGAL REQUEST, INVALID FIELD "
	     "IN CDB.",
	     scsi_cdb_inquiry_page_no_evpd),
    CDB_CASE("SCSI-CDB-006", "A VPD page not listed is refused", "SPC-5 §6.7.1", ROBUSTNESS,
	     "INQUIRY of a VPD page in B9h-BFh that page 00h does not list: CHECK CONDITION, "
	     "ILLEGAL REQUEST, INVALID FIELD IN CDB.",
	     scsi_cdb_vpd_unsupported),
    CDB_CASE("SCSI-CDB-007", "REPORT LUNS lists LUs that answer", "SPC-5 §6.33", ROBUSTNESS,
	     "REPORT LUNS on target 0: GOOD, LUN LIST LENGTH a multiple of 8, and a standard "
	     "INQUIRY to every LUN listed answers GOOD with PERIPHERAL QUALIFIER 000b.",
	     scsi_cdb_report_luns),
    CDB_CASE("SCSI-CDB-008", "REPORT LUNS with a short ALLOCATION LENGTH", "SPC-5 §6.33",
	     ROBUSTNESS,
	     "REPORT LUNS with ALLOCATION LENGTH 16: GOOD, and LUN LIST LENGTH still counts "
	     "every LUN, as REPORT LUNS with room for them all does.",
	     scsi_cdb_report_luns_short),
    CDB_CASE("SCSI-CDB-009", "TEST UNIT READY on a ready LU is GOOD", "SPC-5 §6.37", ROBUSTNESS,
	     "After the unit attentions of a new connection, TEST UNIT READY answers GOOD.",
	     scsi_cdb_test_unit_ready),
    CDB_CASE("SCSI-CDB-010", "READ CAPACITY (10) and (16) agree", "SBC-4 §5.20, §5.21", DATA_SAFETY,
	     "Both GOOD, the same block length, and the last LBA of (10) that of (16) (or "
	     "FFFFFFFFh when it does not fit).",
	     scsi_cdb_read_capacity),
    CDB_CASE("SCSI-CDB-011", "An unknown service action is refused", "SPC-5 §4.2.5.1", ROBUSTNESS,
	     "SERVICE ACTION IN(16) with service action 1Fh: CHECK CONDITION, ILLEGAL REQUEST, "
	     "INVALID FIELD IN CDB or INVALID COMMAND OPERATION CODE.",
	     scsi_cdb_read_capacity_sa_bad),
    CDB_CASE("SCSI-CDB-012", "WRITE(10) reads back with READ(10)", "SBC-4 §5.16, §5.43",
	     DATA_SAFETY, "8 blocks at an odd LBA, with a pattern that differs per run.",
	     scsi_cdb_rw10),
    CDB_CASE("SCSI-CDB-013", "WRITE(6) and READ(6) of TRANSFER LENGTH 0 move 256 blocks",
	     "SBC-4 §5.15, §5.42", DATA_SAFETY,
	     "A 6-byte CDB's TRANSFER LENGTH 0 means 256 blocks: written and read back so.",
	     scsi_cdb_rw6_256),
    CDB_CASE("SCSI-CDB-014", "WRITE(12) reads back with READ(12)", "SBC-4 §5.17, §5.44",
	     DATA_SAFETY, "5 blocks at an odd LBA.", scsi_cdb_rw12),
    CDB_CASE("SCSI-CDB-015", "The last two blocks read back with (16)", "SBC-4 §5.18, §5.45",
	     DATA_SAFETY, "WRITE(16) and READ(16) of the 2 blocks that end at the capacity.",
	     scsi_cdb_rw16_last),
    CDB_CASE("SCSI-CDB-016", "A READ at the capacity is out of range", "SBC-4 §5.18", DATA_SAFETY,
	     "READ(16) of the LBA one past the last: CHECK CONDITION, ILLEGAL REQUEST, LOGICAL "
	     "BLOCK ADDRESS OUT OF RANGE.",
	     scsi_cdb_read_past_end),
    CDB_CASE("SCSI-CDB-017", "A READ across the end is out of range", "SBC-4 §5.16", DATA_SAFETY,
	     "READ(10) of the last block and the one after: LOGICAL BLOCK ADDRESS OUT OF "
	     "RANGE, not a partial read.",
	     scsi_cdb_read_straddle),
    CDB_CASE("SCSI-CDB-018", "A WRITE across the end is out of range and writes nothing",
	     "SBC-4 §5.45", DATA_SAFETY,
	     "WRITE(16) of the last block and the one after: LOGICAL BLOCK ADDRESS OUT OF "
	     "RANGE, and the last block keeps its data.",
	     scsi_cdb_write_past_end),
    CDB_CASE("SCSI-CDB-019", "An LBA range that wraps 2^64 is out of range", "SBC-4 §5.18",
	     DATA_SAFETY,
	     "READ(16) of 2 blocks at LBA 2^64 - 1 (the range wraps to LBA 0): LOGICAL BLOCK "
	     "ADDRESS OUT OF RANGE.",
	     scsi_cdb_read_lba_wrap),
    CDB_CASE("SCSI-CDB-020", "A READ of 0 blocks is GOOD", "SBC-4 §5.16", ROBUSTNESS,
	     "READ(10) with TRANSFER LENGTH 0 and no datain: GOOD.", scsi_cdb_read_zero_len),
    CDB_CASE("SCSI-CDB-021", "SYNCHRONIZE CACHE (10) and (16) are GOOD", "SBC-4 §5.24, §5.25",
	     DATA_SAFETY,
	     "After a write, SYNCHRONIZE CACHE of the whole medium (NUMBER OF LOGICAL BLOCKS "
	     "0), both forms: GOOD.",
	     scsi_cdb_sync_cache),
    CDB_CASE("SCSI-CDB-022", "UNMAP leaves the blocks around it alone", "SBC-4 §5.32", DATA_SAFETY,
	     "With LBPU in VPD page B2h: UNMAP of 2 blocks inside 8 written ones is GOOD and "
	     "the 6 others read back. N/A without LBPU.",
	     scsi_cdb_unmap),
    CDB_CASE("SCSI-CDB-023", "UNMAP across the end is out of range", "SBC-4 §5.32", DATA_SAFETY,
	     "With LBPU: UNMAP of the last block and the one after: LOGICAL BLOCK ADDRESS OUT "
	     "OF RANGE.",
	     scsi_cdb_unmap_past_end),
    CDB_CASE("SCSI-CDB-024", "WRITE SAME (10) and (16) write the block to each LBA",
	     "SBC-4 §5.48, §5.49", DATA_SAFETY,
	     "WRITE SAME of one block to 4 LBAs, both forms: every one reads back the block "
	     "sent.",
	     scsi_cdb_write_same),
    CDB_CASE("SCSI-CDB-025", "MODE SENSE(6) of all pages is consistent", "SPC-5 §6.13, §7.5.5",
	     ROBUSTNESS,
	     "MODE SENSE(6), page 3Fh: GOOD, MODE DATA LENGTH covers the header and the block "
	     "descriptors, and is what was transferred (less one) when that is less than the "
	     "255 asked for.",
	     scsi_cdb_mode_sense6),
    CDB_CASE("SCSI-CDB-026", "MODE SENSE(10) returns the caching page",
	     "SPC-5 §6.14; SBC-4 "
	     "§6.5.5",
	     ROBUSTNESS,
	     "MODE SENSE(10) with DBD of page 08h: GOOD, no block descriptor, and the page "
	     "after the header is 08h.",
	     scsi_cdb_mode_sense10),
    CDB_CASE("SCSI-CDB-027", "REQUEST SENSE returns current sense data", "SPC-5 §6.39", ROBUSTNESS,
	     "REQUEST SENSE: GOOD, parameter data in fixed (70h) or descriptor (72h) format.",
	     scsi_cdb_request_sense),
    CDB_CASE("SCSI-CDB-028", "START STOP UNIT with START is GOOD", "SBC-4 §5.27", ROBUSTNESS,
	     "START STOP UNIT, START 1: GOOD, and the LU then reads and writes.",
	     scsi_cdb_start_stop),
    CDB_CASE("SCSI-CDB-029", "VERIFY(10) without data is GOOD", "SBC-4 §5.34", ROBUSTNESS,
	     "VERIFY(10) of 8 blocks, BYTCHK 0: GOOD.", scsi_cdb_verify),
    CDB_CASE("SCSI-CDB-030", "A VERIFY across the end is out of range", "SBC-4 §5.36", ROBUSTNESS,
	     "VERIFY(16) of the last block and the one after: LOGICAL BLOCK ADDRESS OUT OF "
	     "RANGE.",
	     scsi_cdb_verify_past_end),
    CDB_CASE("SCSI-CDB-031", "An unknown opcode is refused", "SPC-5 §4.2.5.1, §4.4", ROBUSTNESS,
	     "Opcode 60h (reserved): CHECK CONDITION, ILLEGAL REQUEST, INVALID COMMAND "
	     "OPERATION CODE.",
	     scsi_cdb_unknown_opcode),
    CDB_CASE("SCSI-CDB-032", "Sense data is in a format SPC-5 defines", "SPC-5 §4.4.2, §4.4.3",
	     ROBUSTNESS,
	     "The sense of SCSI-CDB-031's CHECK CONDITION: RESPONSE CODE 70h-73h, with ASC and "
	     "ASCQ inside sense_len, and sense_len covering the ADDITIONAL SENSE LENGTH (up to "
	     "sense_size).",
	     scsi_cdb_sense_format),

    /* ---- controlq, §5.6.6.2 ---- */
    {
	.id = "SCSI-TMF-001",
	.title = "LOGICAL UNIT RESET succeeds",
	.spec = "virtio 1.2 §5.6.6.2; SAM-5 §7.7",
	.quote = q_tmf_outcome,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "LOGICAL UNIT RESET with nothing in flight: FUNCTION COMPLETE (0) or "
		       "FUNCTION SUCCEEDED (10). §5.6.6.2 defines the response without a keyword; "
		       "Linux escalates a refused reset to resetting the whole host.",
	.protocol_features = P_CFG,
	.run = scsi_tmf_lu_reset_idle,
    },
    {
	.id = "SCSI-TMF-002",
	.title = "LOGICAL UNIT RESET completes what it reset first",
	.spec = "virtio 1.2 §5.6.6.2",
	.quote = q_lu_reset,
	.level = CONFORM_MUST,
	.description = "16 READs of 64 blocks are queued and kicked, then LOGICAL UNIT RESET. "
		       "Every READ completes with a defined response, and none completes with "
		       "RESET after the reset's own completion was seen. A READ completed after "
		       "the TMF with OK was not active yet, which the sentence allows.",
	.protocol_features = P_CFG,
	.run = scsi_tmf_lu_reset_inflight,
    },
    {
	.id = "SCSI-TMF-003",
	.title = "I_T NEXUS RESET completes what it reset first",
	.spec = "virtio 1.2 §5.6.6.2",
	.quote = q_lu_reset,
	.level = CONFORM_MUST,
	.description = "As SCSI-TMF-002 with I_T NEXUS RESET.",
	.protocol_features = P_CFG,
	.run = scsi_tmf_it_reset_inflight,
    },
    {
	.id = "SCSI-TMF-004",
	.title = "ABORT TASK completes what it aborted first",
	.spec = "virtio 1.2 §5.6.6.2",
	.quote = q_lu_reset,
	.level = CONFORM_MUST,
	.description = "As SCSI-TMF-002 with ABORT TASK of the 9th READ's id: none completes with "
		       "ABORTED after the TMF did.",
	.protocol_features = P_CFG,
	.run = scsi_tmf_abort_task_inflight,
    },
    {
	.id = "SCSI-TMF-005",
	.title = "ABORT TASK SET completes what it aborted first",
	.spec = "virtio 1.2 §5.6.6.2",
	.quote = q_lu_reset,
	.level = CONFORM_MUST,
	.description = "As SCSI-TMF-004 with ABORT TASK SET.",
	.protocol_features = P_CFG,
	.run = scsi_tmf_abort_task_set_inflight,
    },
    {
	.id = "SCSI-TMF-006",
	.title = "ABORT TASK of an unknown tag completes",
	.spec = "virtio 1.2 §5.6.6.2; SAM-5 §7.2",
	.quote = "The command-specific response values map 1-to-1 with those defined in SAM.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "ABORT TASK of an id no command has: FUNCTION COMPLETE (or SUCCEEDED). "
		       "§5.6.6.2 defers to SAM without a keyword; a driver's error handler aborts "
		       "commands that have just completed, and escalates a refusal.",
	.protocol_features = P_CFG,
	.run = scsi_tmf_abort_unknown_id,
    },
    {
	.id = "SCSI-TMF-007",
	.title = "A TMF for a target past max_target gets BAD_TARGET",
	.spec = "virtio 1.2 §5.6.6.2",
	.quote = q_tmf_outcome,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "LOGICAL UNIT RESET of target max_target + 1: BAD_TARGET, one of the "
		       "values \"valid for all commands\" of the controlq. No sentence requires it "
		       "with a keyword; N/A when max_target is 255.",
	.protocol_features = P_CFG,
	.run = scsi_tmf_bad_target,
    },
    {
	.id = "SCSI-TMF-008",
	.title = "An unknown TMF subtype does not succeed",
	.spec = "virtio 1.2 §5.6.6.2",
	.quote = q_tmf_outcome,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "TMF subtype 99: a response written, neither FUNCTION COMPLETE nor "
		       "SUCCEEDED (REJECTED fits), and the device keeps serving. §5.6.6.2 says "
		       "nothing of an unknown subtype.",
	.protocol_features = P_CFG,
	.run = scsi_tmf_unknown_subtype,
    },
    {
	.id = "SCSI-TMF-009",
	.title = "An unknown controlq request type",
	.spec = "virtio 1.2 §5.6.6.2",
	.quote = "The type identifies the remaining fields.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "A controlq request of type 7: not answered OK (a failure response, the "
		       "buffer left unwritten, or the connection closed), and the device keeps "
		       "serving. §5.6.6.2 says nothing of a type it does not define, nor where its "
		       "response would go.",
	.protocol_features = P_CFG,
	.run = scsi_tmf_unknown_type,
    },
    {
	.id = "SCSI-TMF-010",
	.title = "AN_QUERY is answered",
	.spec = "virtio 1.2 §5.6.6.2",
	.quote = "The driver writes the events it is interested in into event_requested; the "
		 "device responds by writing the events that it supports into event_actual.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "An asynchronous notification query for every event: a response written, "
		       "and with OK no event_actual bit that was not asked for. The sentence "
		       "states it without a keyword.",
	.protocol_features = P_CFG,
	.run = scsi_tmf_an_query,
    },
    {
	.id = "SCSI-TMF-011",
	.title = "A TMF request cut after its subtype",
	.spec = "virtio 1.2 §5.6.6.2",
	.quote = "All fields except response are filled by the driver.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "A TMF of 8 device-readable bytes (no lun, no id): it does not succeed, "
		       "and the device keeps serving. §5.6.6.2 says nothing of a short request.",
	.protocol_features = P_CFG,
	.run = scsi_tmf_short_request,
    },
    {
	.id = "SCSI-TMF-012",
	.title = "A LOGICAL UNIT RESET is reported once as a unit attention",
	.spec = "virtio 1.2 §5.6.6.3; SAM-5 §5.14",
	.quote = q_hard_reset,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "After LOGICAL UNIT RESET, the next TEST UNIT READY gets CHECK CONDITION, "
		       "UNIT ATTENTION, ASC 29h, and the one after it GOOD. §5.6.6.3 states the "
		       "mapping without a keyword; a driver learns of a reset it did not ask for "
		       "this way.",
	.protocol_features = P_CFG,
	.run = scsi_tmf_reset_unit_attention,
    },
    {
	.id = "SCSI-TMF-013",
	.title = "Data survives a LOGICAL UNIT RESET",
	.spec = "virtio 1.2 §5.6.6.2; SAM-5 §7.7",
	.quote = q_tmf_outcome,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "8 blocks written before LOGICAL UNIT RESET read back after it. No "
		       "sentence of virtio 1.2 requires it (a reset clears tasks, not the medium).",
	.protocol_features = P_CFG,
	.run = scsi_tmf_reset_keeps_data,
    },
    {
	.id = "SCSI-TMF-014",
	.title = "ABORT TASK ends no command but the one it names",
	.spec = "virtio 1.2 §5.6.6.2; SAM-5 §7.2",
	.quote = q_tmf_outcome,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description =
	    "The commands of SCSI-TMF-004 (ABORT TASK of the 9th READ's id): no "
	    "other READ ends ABORTED, and none answered OK with status GOOD has a "
	    "residual. SAM-5 has ABORT TASK end the one task it names; no sentence of "
	    "virtio 1.2 says so (§5.6.6.2 defers to SAM): a driver that retries only the "
	    "command it aborted loses the others.",
	.protocol_features = P_CFG,
	.run = scsi_tmf_abort_task_whole,
    },
    {
	.id = "SCSI-TMF-015",
	.title = "A command a reset ended does not claim GOOD",
	.spec = "virtio 1.2 §5.6.6.2; SAM-5 §7.7",
	.quote = q_lu_reset,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "The commands of SCSI-TMF-002 (LOGICAL UNIT RESET with 16 READs in "
		       "flight): none answered OK with status GOOD has a residual (each datain "
		       "holds exactly its 64 blocks). The sentence lets the device choose the "
		       "response of a command it completes (\"possibly\" RESET), so no sentence "
		       "forbids GOOD; a driver that trusts GOOD takes blocks never read for data.",
	.protocol_features = P_CFG,
	.run = scsi_tmf_lu_reset_whole,
    },

    /* ---- eventq, §5.6.6.3 ---- */
    {
	.id = "SCSI-EVT-001",
	.title = "No REMOVED or RESCAN event without HOTPLUG",
	.spec = "virtio 1.2 §5.6.6.3.2",
	.quote = "The device MUST NOT send VIRTIO_SCSI_T_TRANSPORT_RESET messages with reason set "
		 "to VIRTIO_SCSI_EVT_RESET_REMOVED or VIRTIO_SCSI_EVT_RESET_RESCAN unless "
		 "VIRTIO_SCSI_F_HOTPLUG was negotiated.",
	.level = CONFORM_MUST,
	.description =
	    "With VIRTIO_SCSI_F_HOTPLUG not acknowledged, 8 event buffers are made "
	    "available; I/O and a LOGICAL UNIT RESET follow; no event the device returns "
	    "is a TRANSPORT_RESET with reason REMOVED or RESCAN. The suite cannot add a "
	    "LUN to a vendor's device by itself: without a hot-plug hook this catches "
	    "a device that announces its LUNs unasked; with one (SCSI-EVT-004) a LUN "
	    "is added and removed too.",
	.protocol_features = P_CFG,
	.run = scsi_evt_no_hotplug_events,
    },
    {
	.id = "SCSI-EVT-002",
	.title = "Events are well formed",
	.spec = "virtio 1.2 §5.6.6.3",
	.quote =
	    "Buffers returned by the device on the eventq will be referred to as \"events\" in "
	    "the rest of this section.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "As SCSI-EVT-001 with every feature acknowledged: each event returned has "
		       "a used length within its buffer, a type of §5.6.6.3 (with or without "
		       "EVENTS_MISSED), a TRANSPORT_RESET reason of 0-2, and lun[0] 1. §5.6.6.3 "
		       "defines the events without a keyword.",
	.protocol_features = P_CFG,
	.run = scsi_evt_well_formed,
    },
    {
	.id = "SCSI-EVT-003",
	.title = "A short event buffer is not overrun",
	.spec = "virtio 1.2 §5.6.6.3",
	.quote = "When the device detects in the eventq a buffer that is shorter than what is "
		 "indicated in the configuration field, it MAY use it immediately and put this "
		 "dummy value in event.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "Event buffers of 4 bytes: the device uses them with at most 4 bytes, or "
		       "not at all, writes nothing past them, and keeps serving. The sentence "
		       "allows using them and does not require what it writes to fit: no "
		       "sentence requires it.",
	.protocol_features = P_CFG,
	.run = scsi_evt_short_buffer,
    },
    {
	.id = "SCSI-EVT-004",
	.title = "A hot-added LUN is announced with RESCAN",
	.spec = "virtio 1.2 §5.6.6.3",
	.quote = "VIRTIO_SCSI_EVT_RESET_RESCAN (\"rescan LUN/target\") is used if a target or "
		 "logical unit has just appeared on the device.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "With VIRTIO_SCSI_F_HOTPLUG acknowledged and event buffers posted, the "
		       "run's hot-plug hook adds LUN 0 of a target the device does not have "
		       "(BAD_TARGET, from max_target down): a TRANSPORT_RESET event with reason "
		       "RESCAN for lun 1, that target, LUN 0 comes within the timeout, and the LUN "
		       "then answers INQUIRY as connected. N/A without a hook (`storlab conform "
		       "--hotplug-cmd`; --spawn-tgt has one). The sentence states the reason "
		       "without a keyword; a driver that gets no event does not see the disk "
		       "until it rescans.",
	.features = F(HOTPLUG),
	.protocol_features = P_CFG,
	.run = scsi_evt_hot_add,
    },
    {
	.id = "SCSI-EVT-005",
	.title = "A hot-removed LUN is announced with REMOVED, and is gone",
	.spec = "virtio 1.2 §5.6.6.3",
	.quote = "VIRTIO_SCSI_EVT_RESET_REMOVED (\"LUN/target removed\") is used if the target "
		 "or logical unit is no longer able to receive commands.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "As SCSI-EVT-004, the LUN added and then removed: a TRANSPORT_RESET event "
		       "with reason REMOVED for it comes within the timeout, and TEST UNIT READY "
		       "to it then gets BAD_TARGET (its target has no LUN left) or CHECK "
		       "CONDITION, ILLEGAL REQUEST, LOGICAL UNIT NOT SUPPORTED (\"LUN/target "
		       "removed\" maps to it, §5.6.6.3). No sentence requires either with a "
		       "keyword; a driver that is not told keeps writing to a disk that is gone.",
	.features = F(HOTPLUG),
	.protocol_features = P_CFG,
	.run = scsi_evt_hot_remove,
    },
    {
	.id = "SCSI-EVT-006",
	.title = "Events lost for want of buffers are flagged",
	.spec = "virtio 1.2 §5.6.6.3.2",
	.quote = "The device MUST set bit 31 in event if events were lost due to missing "
		 "buffers, and it MAY use a VIRTIO_SCSI_T_NO_EVENT event to report this.",
	.level = CONFORM_MUST,
	.description = "With VIRTIO_SCSI_F_HOTPLUG acknowledged and no event buffer posted, the "
		       "hot-plug hook adds and removes LUN 0 of a free target 12 times (24 "
		       "events); then buffers for all of them are posted. Either all 24 events "
		       "come (the device held them: none lost), or the first event to come has "
		       "bit 31 (VIRTIO_SCSI_T_EVENTS_MISSED) set; when none comes, one more "
		       "hot-add provokes one, which must have it. N/A without a hook.",
	.features = F(HOTPLUG),
	.protocol_features = P_CFG,
	.run = scsi_evt_missed,
    },
};

const struct conform_suite g_suite_virtio_scsi = {
    .name = "virtio-scsi",
    .description = "virtio-scsi device requirements (OASIS virtio 1.2 §5.6), with the SCSI "
		   "commands it carries (SPC-5, SBC-4, SAM-5; advisories)",
    .cases = g_cases,
    .ncases = ARRAY_SIZE(g_cases),
    .transport = &g_conform_transport_vhost_user_scsi,
};
