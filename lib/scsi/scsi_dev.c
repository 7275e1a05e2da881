/* SPDX-License-Identifier: MIT */
/*
 * The command decoder of the target emulation (scsi_dev.h): unit
 * attentions, the logical unit's presence, then one decoder per command;
 * the data-moving commands of SBC-4 are checked here and handed to the
 * frontend, the others answered by scsi_dev_inquiry.c, scsi_dev_mode.c
 * and scsi_dev_sense.c.
 */
#include "scsi/scsi_dev_internal.h"
#include "util/common.h"

static bool desc_sense(const struct scsi_lun *lun)
{
	return lun->props.descriptor_sense;
}

/* SBC-4 §4.5: a command whose LBA and length reach past the last LBA is
 * terminated with ILLEGAL REQUEST / LOGICAL BLOCK ADDRESS OUT OF RANGE;
 * an LBA past the last one is, even with a length of 0. */
static bool check_range(const struct scsi_lun *lun, uint64_t lba, uint64_t n, struct scsi_task *t)
{
	uint64_t blocks = scsi_lun_num_blocks(lun);

	if (lba >= blocks || n > blocks - lba) {
		scsi_task_set_check(t, desc_sense(lun), SCSI_SK_ILLEGAL_REQUEST,
				    SCSI_ASC_LBA_OUT_OF_RANGE);
		return false;
	}
	return true;
}

/* SBC-4 §4.11: a write-protected logical unit terminates every command
 * that writes with DATA PROTECT / WRITE PROTECTED. */
static bool check_writable(const struct scsi_lun *lun, struct scsi_task *t)
{
	if (lun->props.read_only) {
		scsi_task_set_check(t, desc_sense(lun), SCSI_SK_DATA_PROTECT,
				    SCSI_ASC_WRITE_PROTECTED);
		return false;
	}
	return true;
}

static void done_good(struct scsi_task *t)
{
	t->op = SCSI_DEV_OP_DONE;
	t->status = SCSI_STATUS_GOOD;
	t->xfer_len = 0;
}

_Static_assert((SCSI_OP_READ_6 | 0x02) == SCSI_OP_WRITE_6 &&
		   (SCSI_OP_READ_10 | 0x02) == SCSI_OP_WRITE_10 &&
		   (SCSI_OP_READ_12 | 0x02) == SCSI_OP_WRITE_12 &&
		   (SCSI_OP_READ_16 | 0x02) == SCSI_OP_WRITE_16 && (SCSI_OP_READ_6 & 0x02) == 0,
	       "decode_rw: a WRITE is its READ with bit 1 set");

/* READ / WRITE (6), (10), (12), (16): SBC-4 §5.15..§5.18, §5.40..§5.43.
 * The data path: the CDB's group (its length) and the write bit pick the
 * fields, with no compare per operation code. */
static void decode_rw(const struct scsi_lun *lun, const uint8_t *cdb, struct scsi_task *t)
{
	/* Each WRITE operation code is its READ's with bit 1 set (0x08/0x0a,
	 * 0x28/0x2a, 0xa8/0xaa, 0x88/0x8a). */
	bool write = cdb[0] & 0x02;
	/* 6-byte CDBs (group 0) have no RDPROTECT / WRPROTECT nor FUA */
	bool six = (cdb[0] >> 5) == 0;
	uint64_t lba;
	uint32_t n;

	switch (cdb[0] >> 5) {
	case 0:
		lba = (uint32_t)(cdb[1] & 0x1f) << 16 | scsi_get_be16(cdb + 2);
		/* SBC-4 §5.15: "A TRANSFER LENGTH field set to zero specifies
		 * that 256 logical blocks shall be read." (§5.40 the same for
		 * WRITE(6)) */
		n = cdb[4] ? cdb[4] : 256;
		break;
	case 1:
		lba = scsi_get_be32(cdb + 2);
		n = scsi_get_be16(cdb + 7);
		break;
	case 5:
		lba = scsi_get_be32(cdb + 2);
		n = scsi_get_be32(cdb + 6);
		break;
	default:
		lba = scsi_get_be64(cdb + 2);
		n = scsi_get_be32(cdb + 10);
		break;
	}
	/* SBC-4 §5.16: RDPROTECT / WRPROTECT other than 000b on a logical unit
	 * without protection information is INVALID FIELD IN CDB. */
	if (!six && (cdb[1] & 0xe0)) {
		scsi_task_bad_field(t, lun);
		return;
	}
	if (!check_range(lun, lba, n, t))
		return;
	/* SBC-4 §6.6.4: "If a device server receives a request with a transfer
	 * length exceeding this value [MAXIMUM TRANSFER LENGTH], then the
	 * device server shall terminate the command with CHECK CONDITION
	 * status with the sense key set to ILLEGAL REQUEST and the additional
	 * sense code set to INVALID FIELD IN CDB." */
	if (n > lun->props.max_transfer_blocks) {
		scsi_task_bad_field(t, lun);
		return;
	}
	if (write && !check_writable(lun, t))
		return;
	/* SBC-4 §5.16: "A TRANSFER LENGTH field set to zero specifies that no
	 * logical blocks shall be read. This condition shall not be considered
	 * an error." */
	if (n == 0) {
		done_good(t);
		return;
	}
	t->op = write ? SCSI_DEV_OP_WRITE : SCSI_DEV_OP_READ;
	t->lba = lba;
	t->num_blocks = n;
	t->fua = !six && (cdb[1] & 0x08);
	t->xfer_len = n * lun->props.block_size;
}

/* VERIFY (10), (12), (16): SBC-4 §5.36..§5.38. BYTCHK 00b asks for the
 * medium to be checked with no data transferred: a medium error is all we
 * could find, and our bdevs report those on reads, so the range check is
 * the verification. BYTCHK 01b / 11b (compare with data-out) we do not do. */
static void decode_verify(const struct scsi_lun *lun, const uint8_t *cdb, struct scsi_task *t)
{
	uint64_t lba;
	uint32_t n;

	if (cdb[0] == SCSI_OP_VERIFY_16) {
		lba = scsi_get_be64(cdb + 2);
		n = scsi_get_be32(cdb + 10);
	} else if (cdb[0] == SCSI_OP_VERIFY_12) {
		lba = scsi_get_be32(cdb + 2);
		n = scsi_get_be32(cdb + 6);
	} else {
		lba = scsi_get_be32(cdb + 2);
		n = scsi_get_be16(cdb + 7);
	}
	/* VRPROTECT other than 000b, or BYTCHK we do not support: INVALID
	 * FIELD IN CDB (SBC-4 §5.36). */
	if ((cdb[1] & 0xe6) != 0) {
		scsi_task_bad_field(t, lun);
		return;
	}
	if (check_range(lun, lba, n, t))
		done_good(t);
}

/* SYNCHRONIZE CACHE (10), (16): SBC-4 §5.26, §5.27. NUMBER OF LOGICAL
 * BLOCKS 0: from LBA to the end. Without a volatile cache there is
 * nothing to do. */
static void decode_sync(const struct scsi_lun *lun, const uint8_t *cdb, struct scsi_task *t)
{
	bool ten = cdb[0] == SCSI_OP_SYNCHRONIZE_CACHE_10;
	uint64_t lba = ten ? scsi_get_be32(cdb + 2) : scsi_get_be64(cdb + 2);
	uint32_t n = ten ? scsi_get_be16(cdb + 7) : scsi_get_be32(cdb + 10);

	if (!check_range(lun, lba, n, t))
		return;
	if (!lun->props.write_cache) {
		done_good(t);
		return;
	}
	t->op = SCSI_DEV_OP_FLUSH;
	t->lba = lba;
	t->num_blocks = n;
	t->xfer_len = 0;
}

/* UNMAP: SBC-4 §5.32.1. The parameter list comes as data-out
 * (scsi_dev_unmap_parse). */
static void decode_unmap(const struct scsi_lun *lun, const uint8_t *cdb, struct scsi_task *t)
{
	uint16_t len = scsi_get_be16(cdb + 7);

	if (!check_writable(lun, t))
		return;
	/* SBC-4 §5.32.1: ANCHOR set while ANC_SUP is zero (page B2h) is
	 * INVALID FIELD IN CDB. */
	if (cdb[1] & 0x01) {
		scsi_task_bad_field(t, lun);
		return;
	}
	/* SBC-4 §5.32.1: "A PARAMETER LIST LENGTH field set to zero specifies
	 * that no data shall be sent. This shall not be considered an error." */
	if (len == 0) {
		done_good(t);
		return;
	}
	t->op = SCSI_DEV_OP_UNMAP;
	t->xfer_len = len;
}

int scsi_dev_unmap_parse(const struct scsi_lun *lun, const uint8_t *param, size_t len,
			 struct scsi_unmap_range *ranges, struct scsi_task *t)
{
	uint64_t blocks = scsi_lun_num_blocks(lun);
	uint16_t bd_len;
	unsigned nd, n = 0;

	/* SBC-4 §5.32.1: "If the PARAMETER LIST LENGTH field is set to a value
	 * greater than zero and less than eight, then the device server shall
	 * terminate the command with CHECK CONDITION status with the sense key
	 * set to ILLEGAL REQUEST and the additional sense code set to
	 * PARAMETER LIST LENGTH ERROR." */
	if (len < sizeof(struct scsi_unmap_header)) {
		scsi_task_set_check(t, desc_sense(lun), SCSI_SK_ILLEGAL_REQUEST,
				    SCSI_ASC_PARAMETER_LIST_LENGTH_ERROR);
		return -1;
	}
	bd_len = scsi_get_be16(param + 2);
	/* SBC-4 §5.32.2: descriptors that the parameter list length cuts off
	 * are not there; a partial one is ignored. */
	if (bd_len > len - sizeof(struct scsi_unmap_header))
		bd_len = (uint16_t)(len - sizeof(struct scsi_unmap_header));
	nd = bd_len / sizeof(struct scsi_unmap_desc);
	/* SBC-4 §5.32.2: more descriptors than MAXIMUM UNMAP BLOCK DESCRIPTOR
	 * COUNT (page B0h) is ILLEGAL REQUEST / INVALID FIELD IN PARAMETER
	 * LIST. */
	if (nd > SCSI_DEV_UNMAP_DESC_MAX)
		goto bad_param;
	for (unsigned i = 0; i < nd; i++) {
		const uint8_t *d = param + sizeof(struct scsi_unmap_header) + 16 * i;
		uint64_t lba = scsi_get_be64(d);
		uint32_t cnt = scsi_get_be32(d + 8);

		/* SBC-4 §5.32.2: a descriptor past the last LBA is LBA OUT OF
		 * RANGE; one longer than MAXIMUM UNMAP LBA COUNT is INVALID
		 * FIELD IN PARAMETER LIST; one of 0 blocks is not an error. */
		if (lba >= blocks || cnt > blocks - lba) {
			scsi_task_set_check(t, desc_sense(lun), SCSI_SK_ILLEGAL_REQUEST,
					    SCSI_ASC_LBA_OUT_OF_RANGE);
			return -1;
		}
		if (cnt > lun->props.max_unmap_blocks)
			goto bad_param;
		if (cnt == 0)
			continue;
		ranges[n].lba = lba;
		ranges[n].num_blocks = cnt;
		n++;
	}
	return (int)n;

bad_param:
	scsi_task_set_check(t, desc_sense(lun), SCSI_SK_ILLEGAL_REQUEST,
			    SCSI_ASC_INVALID_FIELD_IN_PARAMETER_LIST);
	return -1;
}

/* WRITE SAME (10), (16): SBC-4 §5.44, §5.45. */
static void decode_write_same(const struct scsi_lun *lun, const uint8_t *cdb, struct scsi_task *t)
{
	bool sixteen = cdb[0] == SCSI_OP_WRITE_SAME_16;
	uint64_t lba = sixteen ? scsi_get_be64(cdb + 2) : scsi_get_be32(cdb + 2);
	uint32_t n = sixteen ? scsi_get_be32(cdb + 10) : scsi_get_be16(cdb + 7);

	if (!check_writable(lun, t))
		return;
	/* WRPROTECT other than 000b (no protection information), ANCHOR
	 * (ANC_SUP 0), NDOB in the 10-byte CDB (a reserved bit there): INVALID
	 * FIELD IN CDB. WSNZ is one (page B0h): "If the WSNZ bit is set to one
	 * and the NUMBER OF LOGICAL BLOCKS field is set to zero, then the
	 * device server shall terminate the command with ... INVALID FIELD IN
	 * CDB" (SBC-4 §5.44); longer than MAXIMUM WRITE SAME LENGTH: the same
	 * (SBC-4 §6.6.4). */
	if ((cdb[1] & 0xf0) || (!sixteen && (cdb[1] & 0x01)) || n == 0 ||
	    n > lun->props.max_unmap_blocks) {
		scsi_task_bad_field(t, lun);
		return;
	}
	if (!check_range(lun, lba, n, t))
		return;
	t->op = SCSI_DEV_OP_WRITE_SAME;
	t->lba = lba;
	t->num_blocks = n;
	/* SBC-4 §5.44: UNMAP asks for the blocks to be unmapped if the data
	 * is zeroes and the LUN can (else they are written). */
	t->ws_unmap = (cdb[1] & 0x08) && lun->props.unmap;
	t->ws_ndob = sixteen && (cdb[1] & 0x01);
	t->xfer_len = t->ws_ndob ? 0 : lun->props.block_size;
}

/* SPC-5 §4.2.5.1: the CDB length follows from the operation code's group. */
static size_t cdb_length(uint8_t opcode)
{
	switch (opcode >> 5) {
	case 0:
		return 6;
	case 1:
	case 2:
		return 10;
	case 4:
		return 16;
	case 5:
		return 12;
	default:
		return 0;
	}
}

/* SAM-5 §5.14: every command but INQUIRY, REPORT LUNS and REQUEST SENSE
 * reports a pending unit attention instead of running. Returns true if t
 * was answered so. */
static bool report_ua(struct scsi_lun *lun, uint8_t opcode, struct scsi_task *t)
{
	uint16_t ua;

	/* None pending, the usual case: nothing to report or clear */
	if (likely(__atomic_load_n(&lun->ua, __ATOMIC_RELAXED) == 0))
		return false;
	switch (opcode) {
	case SCSI_OP_INQUIRY:
	case SCSI_OP_REQUEST_SENSE:
		return false;
	case SCSI_OP_REPORT_LUNS:
		/* SPC-5 §6.33: REPORT LUNS clears a REPORTED LUNS DATA HAS
		 * CHANGED unit attention on the I_T nexus it came through. */
		__atomic_fetch_and(&lun->ua, ~(uint32_t)SCSI_UA_LUNS_CHANGED, __ATOMIC_RELAXED);
		return false;
	default:
		break;
	}
	ua = scsi_lun_take_ua(lun);
	if (!ua)
		return false;
	scsi_task_set_check(t, desc_sense(lun), SCSI_SK_UNIT_ATTENTION, ua);
	return true;
}

/* SAM-5 §5.9: a LUN the target does not have still answers INQUIRY
 * (peripheral qualifier 011b), REPORT LUNS and REQUEST SENSE; any other
 * command is ILLEGAL REQUEST / LOGICAL UNIT NOT SUPPORTED. */
static void exec_absent(const struct scsi_lun_list *luns, const uint8_t *cdb, uint8_t *data,
			struct scsi_task *t)
{
	switch (cdb[0]) {
	case SCSI_OP_INQUIRY:
		scsi_dev_inquiry(NULL, cdb, data, t);
		return;
	case SCSI_OP_REPORT_LUNS:
		scsi_dev_report_luns(NULL, luns, cdb, data, t);
		return;
	case SCSI_OP_REQUEST_SENSE:
		scsi_dev_request_sense(NULL, cdb, data, t);
		return;
	default:
		scsi_task_set_check(t, false, SCSI_SK_ILLEGAL_REQUEST,
				    SCSI_ASC_LOGICAL_UNIT_NOT_SUPPORTED);
	}
}

void scsi_dev_exec(struct scsi_lun *lun, const struct scsi_lun_list *luns, const uint8_t *cdb,
		   size_t cdb_len, uint8_t *data, struct scsi_task *t)
{
	memset(t, 0, sizeof(*t));
	t->opcode = cdb_len ? cdb[0] : 0;
	/* SAM-5 §5.14: a pending unit attention comes before any check of the
	 * command, unknown operation codes included. */
	if (lun && cdb_len && report_ua(lun, cdb[0], t))
		return;
	/* SPC-5 §4.2.5.1: a CDB shorter than its operation code's group says
	 * cannot be decoded: INVALID COMMAND OPERATION CODE, as for a group we
	 * do not implement (3: variable length, 6 and 7: vendor specific). */
	if (cdb_len == 0 || cdb_length(cdb[0]) == 0 || cdb_len < cdb_length(cdb[0])) {
		scsi_task_set_check(t, lun && desc_sense(lun), SCSI_SK_ILLEGAL_REQUEST,
				    SCSI_ASC_INVALID_COMMAND_OPERATION_CODE);
		return;
	}
	if (!lun) {
		exec_absent(luns, cdb, data, t);
		return;
	}
	switch (cdb[0]) {
	case SCSI_OP_TEST_UNIT_READY:
	/* SBC-4 §5.25 START STOP UNIT: we have no medium to stop or eject; the
	 * unit stays ready, as SPDK's does. */
	case SCSI_OP_START_STOP_UNIT:
		done_good(t);
		return;
	case SCSI_OP_INQUIRY:
		scsi_dev_inquiry(lun, cdb, data, t);
		return;
	case SCSI_OP_REPORT_LUNS:
		scsi_dev_report_luns(lun, luns, cdb, data, t);
		return;
	case SCSI_OP_REQUEST_SENSE:
		scsi_dev_request_sense(lun, cdb, data, t);
		return;
	case SCSI_OP_MODE_SENSE_6:
	case SCSI_OP_MODE_SENSE_10:
		scsi_dev_mode_sense(lun, cdb, data, t);
		return;
	case SCSI_OP_READ_CAPACITY_10:
		scsi_dev_read_capacity(lun, cdb, data, t);
		return;
	case SCSI_OP_SERVICE_ACTION_IN_16:
		/* SPC-5 §4.2.5.1: a service action we do not implement is
		 * INVALID FIELD IN CDB. */
		if ((cdb[1] & 0x1f) == SCSI_SAI_READ_CAPACITY_16)
			scsi_dev_read_capacity(lun, cdb, data, t);
		else
			scsi_task_bad_field(t, lun);
		return;
	case SCSI_OP_READ_6:
	case SCSI_OP_READ_10:
	case SCSI_OP_READ_12:
	case SCSI_OP_READ_16:
	case SCSI_OP_WRITE_6:
	case SCSI_OP_WRITE_10:
	case SCSI_OP_WRITE_12:
	case SCSI_OP_WRITE_16:
		decode_rw(lun, cdb, t);
		return;
	case SCSI_OP_VERIFY_10:
	case SCSI_OP_VERIFY_12:
	case SCSI_OP_VERIFY_16:
		decode_verify(lun, cdb, t);
		return;
	case SCSI_OP_SYNCHRONIZE_CACHE_10:
	case SCSI_OP_SYNCHRONIZE_CACHE_16:
		decode_sync(lun, cdb, t);
		return;
	case SCSI_OP_UNMAP:
		if (!lun->props.unmap)
			break;
		decode_unmap(lun, cdb, t);
		return;
	case SCSI_OP_WRITE_SAME_10:
	case SCSI_OP_WRITE_SAME_16:
		decode_write_same(lun, cdb, t);
		return;
	default:
		break;
	}
	/* SPC-5 §4.2.5.1 / SAM-5 §5.4: an operation code the device server
	 * does not implement is ILLEGAL REQUEST / INVALID COMMAND OPERATION
	 * CODE. */
	scsi_task_set_check(t, desc_sense(lun), SCSI_SK_ILLEGAL_REQUEST,
			    SCSI_ASC_INVALID_COMMAND_OPERATION_CODE);
}
