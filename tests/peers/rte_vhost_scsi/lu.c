/* SPDX-License-Identifier: MIT */
/*
 * rte_vhost_scsi's logical unit (lu.h): SPC-5 and SBC-4 commands over a
 * disk. Every error is CHECK CONDITION with fixed-format sense data (SPC-5
 * §4.4.3), as SPDK and DPDK's examples/vhost_scsi give; descriptor format
 * is not offered (REQUEST SENSE with DESC=1 is refused).
 */
#include "lu.h"

#include <linux/virtio_scsi.h>
#include <stdio.h>
#include <string.h>

/* SPC-5 / SBC-4 operation codes. */
enum {
	OP_TEST_UNIT_READY = 0x00,
	OP_REQUEST_SENSE = 0x03,
	OP_INQUIRY = 0x12,
	OP_MODE_SENSE_6 = 0x1a,
	OP_READ_CAPACITY_10 = 0x25,
	OP_READ_10 = 0x28,
	OP_WRITE_10 = 0x2a,
	OP_SYNCHRONIZE_CACHE_10 = 0x35,
	OP_UNMAP = 0x42,
	OP_MODE_SENSE_10 = 0x5a,
	OP_READ_16 = 0x88,
	OP_WRITE_16 = 0x8a,
	OP_SYNCHRONIZE_CACHE_16 = 0x91,
	OP_SERVICE_ACTION_IN_16 = 0x9e,
	OP_REPORT_LUNS = 0xa0,
};
#define SA_READ_CAPACITY_16 0x10

/* SAM-5 status codes, SPC-5 sense keys and ASC/ASCQ (as one 16-bit value). */
#define ST_GOOD		   0x00
#define ST_CHECK_CONDITION 0x02
#define KEY_NO_SENSE	   0x0
#define KEY_MEDIUM_ERROR   0x3
#define KEY_ILLEGAL_REQ	   0x5
#define ASC_NONE			0x0000
#define ASC_WRITE_ERROR			0x0c00
#define ASC_UNRECOVERED_READ_ERROR	0x1100
#define ASC_PARAM_LIST_LENGTH_ERROR	0x1a00
#define ASC_INVALID_OPCODE		0x2000
#define ASC_LBA_OUT_OF_RANGE		0x2100
#define ASC_INVALID_FIELD_IN_CDB	0x2400
#define ASC_LU_NOT_SUPPORTED		0x2500
#define ASC_INVALID_FIELD_IN_PARAM_LIST 0x2600
#define ASC_SAVING_PARAMS_UNSUPPORTED	0x3900

#define VENDOR	 "DPDK    "
#define PRODUCT	 "rte_vhost_scsi  "
#define REVISION "0001"

/* What this LU advertises in the Block Limits VPD page (SBC-4 §6.6.4). */
#define MAX_XFER_BYTES	 (RVD_SEG_MAX * 4096u) /* a chain of 4 KiB pages */
#define MAX_UNMAP_BLOCKS 65536u
#define MAX_UNMAP_DESCS	 16u

#define MODE_CACHING  0x08
#define MODE_ALL      0x3f
#define DATA_MAX      512 /* the longest parameter data built here */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

int rvs_lu_open(struct rvs_lu *lu, const char *path, unsigned long size_mb, uint32_t bs,
		const char *serial, uint8_t target)
{
	int ret = rvd_disk_open(&lu->disk, path, size_mb, bs);

	if (ret)
		return ret;
	lu->bs = bs;
	lu->blocks = lu->disk.bytes / bs;
	lu->target = target;
	snprintf(lu->serial, sizeof(lu->serial), "%s", serial);
	return 0;
}

void rvs_lu_close(struct rvs_lu *lu)
{
	rvd_disk_close(&lu->disk);
}

/* SPC-5 §4.4.3 fixed-format sense data, current error. */
static void sense_fill(uint8_t *s, uint8_t key, uint16_t asc)
{
	memset(s, 0, RVS_SENSE_LEN);
	s[0] = 0x70;
	s[2] = key;
	s[7] = RVS_SENSE_LEN - 8; /* additional sense length */
	s[12] = (uint8_t)(asc >> 8);
	s[13] = (uint8_t)asc;
}

static void check(struct rvs_cmd *cmd, uint8_t key, uint16_t asc)
{
	cmd->status = ST_CHECK_CONDITION;
	sense_fill(cmd->sense, key, asc);
	cmd->sense_len = RVS_SENSE_LEN;
}

/* Parameter data of n bytes for a CDB whose allocation length is alloc:
 * what fits in both goes to datain (SPC-5 §4.2.5.6: the allocation length
 * truncates, it is not an error). */
static void data_in(struct rvs_cmd *cmd, const void *data, uint32_t n, uint32_t alloc)
{
	uint32_t k = n < alloc ? n : alloc;

	if (k > cmd->in_len)
		k = (uint32_t)cmd->in_len;
	rvd_iov_copy(cmd->c->in, cmd->c->nin, cmd->in_off, (void *)data, k, 1);
	cmd->in_written = k;
}

/* ---- INQUIRY (SPC-5 §6.7) ----------------------------------------------- */

static uint32_t inquiry_std(const struct rvs_lu *lu, uint8_t *d)
{
	/* Peripheral qualifier 000b, device type 00h (SBC); or 011b/1Fh where
	 * the target has no LU (SPC-5 §6.7.2, Table 149). */
	d[0] = lu ? 0x00 : 0x7f;
	d[2] = 0x06; /* VERSION: SPC-4, what Linux needs for READ CAPACITY(16) and VPD */
	d[3] = 0x02; /* RESPONSE DATA FORMAT 2 */
	d[4] = 36 - 5;
	d[7] = 0x02; /* CMDQUE */
	memcpy(d + 8, VENDOR, 8);
	memcpy(d + 16, PRODUCT, 16);
	memcpy(d + 32, REVISION, 4);
	return 36;
}

/* A designation descriptor (SPC-5 §7.7.6.1) at d: code set, association LU,
 * its type; returns its length. */
static uint32_t designator(uint8_t *d, uint8_t code_set, uint8_t type, const void *id,
			   uint8_t len)
{
	d[0] = code_set;
	d[1] = type;
	d[3] = len;
	memcpy(d + 4, id, len);
	return 4u + len;
}

static uint32_t vpd_device_id(const struct rvs_lu *lu, uint8_t *d)
{
	uint8_t naa[8], t10[8 + RVS_SERIAL_MAX];
	uint64_t h = 1469598103934665603ull; /* FNV-1a of the serial */
	uint32_t n = 4, sl = (uint32_t)strlen(lu->serial);

	for (const char *s = lu->serial; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	/* NAA 3h, locally assigned (SPC-5 §7.7.6.6.2): 60 bits of our own. */
	put_be64(naa, (3ull << 60) | ((uint64_t)lu->target << 52) | (h & ((1ull << 52) - 1)));
	n += designator(d + n, 0x01, 0x03, naa, sizeof(naa));
	/* T10 vendor ID based (SPC-5 §7.7.6.4): vendor, then the serial. */
	memcpy(t10, VENDOR, 8);
	memcpy(t10 + 8, lu->serial, sl);
	n += designator(d + n, 0x02, 0x01, t10, (uint8_t)(8 + sl));
	return n;
}

static uint32_t vpd_page(const struct rvs_lu *lu, uint8_t page, uint8_t *d)
{
	static const uint8_t supported[] = {0x00, 0x80, 0x83, 0xb0, 0xb2};
	uint32_t n;

	d[1] = page;
	switch (page) {
	case 0x00: /* SPC-5 §7.7.16 Supported VPD Pages */
		memcpy(d + 4, supported, sizeof(supported));
		n = 4 + sizeof(supported);
		break;
	case 0x80: /* SPC-5 §7.7.19 Unit Serial Number */
		n = 4 + (uint32_t)strlen(lu->serial);
		memcpy(d + 4, lu->serial, n - 4);
		break;
	case 0x83: /* SPC-5 §7.7.6 Device Identification */
		n = vpd_device_id(lu, d);
		break;
	case 0xb0: /* SBC-4 §6.6.4 Block Limits */
		put_be32(d + 8, MAX_XFER_BYTES / lu->bs); /* MAXIMUM TRANSFER LENGTH */
		put_be32(d + 20, MAX_UNMAP_BLOCKS);	  /* MAXIMUM UNMAP LBA COUNT */
		put_be32(d + 24, MAX_UNMAP_DESCS);	  /* ... BLOCK DESCRIPTOR COUNT */
		put_be32(d + 28, 1);			  /* OPTIMAL UNMAP GRANULARITY */
		n = 64;
		break;
	case 0xb2: /* SBC-4 §6.6.6 Logical Block Provisioning */
		/* LBPU: UNMAP works; LBPRZ 001b: an unmapped block reads as
		 * zeroes (RAM is cleared, a file gets a hole or zeroes). */
		d[5] = 0x80 | 0x04;
		d[6] = 0x02; /* PROVISIONING TYPE: thin */
		n = 8;
		break;
	default:
		return 0;
	}
	put_be16(d + 2, (uint16_t)(n - 4));
	return n;
}

static void cmd_inquiry(const struct rvs_lu *lu, struct rvs_cmd *cmd)
{
	uint8_t d[DATA_MAX] = {0};
	const uint8_t *cdb = cmd->cdb;
	uint32_t n;

	if (cdb[1] & 0x02) /* CMDDT, obsolete: SPC-5 §6.7.1 */
		return check(cmd, KEY_ILLEGAL_REQ, ASC_INVALID_FIELD_IN_CDB);
	if (!(cdb[1] & 0x01)) {
		/* SPC-5 §6.7.1: EVPD 0 with a PAGE CODE other than 0 */
		if (cdb[2])
			return check(cmd, KEY_ILLEGAL_REQ, ASC_INVALID_FIELD_IN_CDB);
		n = inquiry_std(lu, d);
	} else {
		if (!lu)
			return check(cmd, KEY_ILLEGAL_REQ, ASC_LU_NOT_SUPPORTED);
		n = vpd_page(lu, cdb[2], d);
		if (!n) /* a page we do not have: SPC-5 §6.7.1 */
			return check(cmd, KEY_ILLEGAL_REQ, ASC_INVALID_FIELD_IN_CDB);
	}
	data_in(cmd, d, n, be16(cdb + 3));
}

/* ---- the rest of SPC-5 ------------------------------------------------- */

static void cmd_report_luns(struct rvs_cmd *cmd)
{
	uint8_t d[16] = {0};
	uint32_t alloc = be32(cmd->cdb + 6);

	/* SPC-5 §6.33: SELECT REPORT 00h..02h; an allocation length under 16
	 * is an INVALID FIELD IN CDB. One LU: LUN 0 (eight zero bytes). */
	if (cmd->cdb[2] > 0x02 || alloc < 16)
		return check(cmd, KEY_ILLEGAL_REQ, ASC_INVALID_FIELD_IN_CDB);
	put_be32(d, cmd->cdb[2] == 0x01 ? 0 : 8); /* 01h: well known LUs only */
	data_in(cmd, d, cmd->cdb[2] == 0x01 ? 8 : 16, alloc);
}

static void cmd_request_sense(const struct rvs_lu *lu, struct rvs_cmd *cmd)
{
	uint8_t s[RVS_SENSE_LEN];

	/* SPC-5 §6.39: DESC 1 asks for descriptor format, which this LU does
	 * not have. Sense goes with every CHECK CONDITION (autosense), so
	 * nothing is pending: NO SENSE, or LU NOT SUPPORTED without a LU. */
	if (cmd->cdb[1] & 0x01)
		return check(cmd, KEY_ILLEGAL_REQ, ASC_INVALID_FIELD_IN_CDB);
	if (lu)
		sense_fill(s, KEY_NO_SENSE, ASC_NONE);
	else
		sense_fill(s, KEY_ILLEGAL_REQ, ASC_LU_NOT_SUPPORTED);
	data_in(cmd, s, sizeof(s), cmd->cdb[4]);
}

/* The caching mode page (SBC-4 §6.5.5): WCE set for a file (written
 * through the page cache: SYNCHRONIZE CACHE makes it stable), clear for
 * RAM. PC 01b (changeable values) reports nothing changeable. */
static uint32_t mode_caching(const struct rvs_lu *lu, uint8_t pc, uint8_t *d)
{
	d[0] = MODE_CACHING;
	d[1] = 0x12;
	if (pc != 1 && lu->disk.fd >= 0)
		d[2] = 0x04; /* WCE */
	return 20;
}

static void cmd_mode_sense(const struct rvs_lu *lu, struct rvs_cmd *cmd)
{
	const uint8_t *cdb = cmd->cdb;
	bool ten = cdb[0] == OP_MODE_SENSE_10, dbd = cdb[1] & 0x08;
	uint8_t d[DATA_MAX] = {0}, pc = cdb[2] >> 6, page = cdb[2] & 0x3f;
	uint32_t hdr = ten ? 8 : 4, n = hdr;

	/* SPC-5 §6.14: saved values are not kept (SAVING PARAMETERS NOT
	 * SUPPORTED); only the caching page and all pages, no subpages. */
	if (pc == 3)
		return check(cmd, KEY_ILLEGAL_REQ, ASC_SAVING_PARAMS_UNSUPPORTED);
	if ((page != MODE_CACHING && page != MODE_ALL) || cdb[3])
		return check(cmd, KEY_ILLEGAL_REQ, ASC_INVALID_FIELD_IN_CDB);
	if (!dbd) {
		/* SBC-4 §6.5.2: a short block descriptor; NUMBER OF BLOCKS
		 * FFFFFFh when the capacity does not fit. */
		uint8_t *b = d + n;

		put_be32(b, lu->blocks > 0xffffffffu ? 0xffffffffu : (uint32_t)lu->blocks);
		put_be32(b + 4, lu->bs);
		n += 8;
	}
	n += mode_caching(lu, pc, d + n);
	/* SBC-4 §6.5.1: DPOFUA in the device-specific parameter. */
	if (ten) {
		put_be16(d, (uint16_t)(n - 2));
		d[3] = 0x10;
		d[7] = dbd ? 0 : 8;
		data_in(cmd, d, n, be16(cdb + 7));
	} else {
		d[0] = (uint8_t)(n - 1);
		d[2] = 0x10;
		d[3] = dbd ? 0 : 8;
		data_in(cmd, d, n, cdb[4]);
	}
}

/* ---- SBC-4 ----------------------------------------------------------------- */

static void cmd_read_capacity(const struct rvs_lu *lu, struct rvs_cmd *cmd)
{
	uint8_t d[32] = {0};
	uint64_t last = lu->blocks - 1;

	if (cmd->cdb[0] == OP_READ_CAPACITY_10) {
		/* SBC-4 §5.20: FFFFFFFFh says "use READ CAPACITY (16)". */
		put_be32(d, last > 0xffffffffu ? 0xffffffffu : (uint32_t)last);
		put_be32(d + 4, lu->bs);
		return data_in(cmd, d, 8, 8);
	}
	/* SBC-4 §5.21: LBPME (UNMAP works) and LBPRZ, as VPD B2h says. */
	put_be64(d, last);
	put_be32(d + 8, lu->bs);
	d[14] = 0x80 | 0x40;
	data_in(cmd, d, sizeof(d), be32(cmd->cdb + 10));
}

/* A range of blocks inside the LU (SBC-4 §4.5: else LBA OUT OF RANGE). */
static bool range_ok(const struct rvs_lu *lu, struct rvs_cmd *cmd, uint64_t lba, uint64_t n)
{
	if (lba > lu->blocks || n > lu->blocks - lba) {
		check(cmd, KEY_ILLEGAL_REQ, ASC_LBA_OUT_OF_RANGE);
		return false;
	}
	return true;
}

static void cmd_rw(struct rvs_lu *lu, struct rvs_cmd *cmd, bool write, uint64_t lba, uint32_t n)
{
	uint64_t bytes = (uint64_t)n * lu->bs;
	int err;

	if (!range_ok(lu, cmd, lba, n) || !n) /* SBC-4 §5.15: 0 blocks is no error */
		return;
	err = write ? rvd_disk_rw(&lu->disk, 0, lba * lu->bs, cmd->c->out, cmd->c->nout,
				  cmd->out_off, bytes)
		    : rvd_disk_rw(&lu->disk, 1, lba * lu->bs, cmd->c->in, cmd->c->nin,
				  cmd->in_off, bytes);
	/* FUA (byte 1 bit 3): the write is stable before GOOD. */
	if (!err && write && (cmd->cdb[1] & 0x08))
		err = rvd_disk_flush(&lu->disk);
	if (err) {
		fprintf(stderr, "rte_vhost_scsi: target %u: %s of %u blocks at %llu: %s\n",
			lu->target, write ? "write" : "read", n, (unsigned long long)lba,
			strerror(-err));
		return check(cmd, KEY_MEDIUM_ERROR,
			     write ? ASC_WRITE_ERROR : ASC_UNRECOVERED_READ_ERROR);
	}
	if (!write)
		cmd->in_written = (uint32_t)bytes;
}

static void cmd_sync(struct rvs_lu *lu, struct rvs_cmd *cmd, uint64_t lba, uint32_t n)
{
	/* SBC-4 §5.26: NUMBER OF LOGICAL BLOCKS 0 means "to the end". */
	if (range_ok(lu, cmd, lba, n) && rvd_disk_flush(&lu->disk))
		check(cmd, KEY_MEDIUM_ERROR, ASC_WRITE_ERROR);
}

/* SBC-4 §5.32 UNMAP: its parameter list (§5.32.2) from dataout. */
static void cmd_unmap(struct rvs_lu *lu, struct rvs_cmd *cmd)
{
	uint8_t p[8 + 16 * MAX_UNMAP_DESCS];
	uint32_t len = be16(cmd->cdb + 7), ndesc;

	if (cmd->cdb[1] & 0x01) /* ANCHOR: no anchored state here */
		return check(cmd, KEY_ILLEGAL_REQ, ASC_INVALID_FIELD_IN_CDB);
	if (!len)
		return;
	if (len < 8)
		return check(cmd, KEY_ILLEGAL_REQ, ASC_PARAM_LIST_LENGTH_ERROR);
	memset(p, 0, sizeof(p));
	rvd_iov_copy(cmd->c->out, cmd->c->nout, cmd->out_off, p, len < sizeof(p) ? len : sizeof(p),
		     0);
	ndesc = be16(p + 2) / 16;
	if (ndesc > MAX_UNMAP_DESCS || 8 + 16 * ndesc > len)
		return check(cmd, KEY_ILLEGAL_REQ, ASC_INVALID_FIELD_IN_PARAM_LIST);
	/* Every descriptor is checked before any block is unmapped. */
	for (uint32_t i = 0; i < ndesc; i++) {
		const uint8_t *de = p + 8 + 16 * i;

		if (be32(de + 8) > MAX_UNMAP_BLOCKS)
			return check(cmd, KEY_ILLEGAL_REQ, ASC_INVALID_FIELD_IN_PARAM_LIST);
		if (!range_ok(lu, cmd, be64(de), be32(de + 8)))
			return;
	}
	for (uint32_t i = 0; i < ndesc; i++) {
		const uint8_t *de = p + 8 + 16 * i;

		if (rvd_disk_discard(&lu->disk, be64(de) * lu->bs, (uint64_t)be32(de + 8) * lu->bs))
			return check(cmd, KEY_MEDIUM_ERROR, ASC_WRITE_ERROR);
	}
}

/* ---- dispatch ---------------------------------------------------------- */

/* The bytes the CDB moves (its transfer, parameter list or allocation
 * length) and their direction: virtio 1.2 §5.6.6.1.1 answers OVERRUN when
 * that is more than the buffers hold. 0 for a CDB this LU does not know. */
static uint64_t cdb_xfer(const struct rvs_lu *lu, const uint8_t *cdb, bool *write)
{
	uint32_t bs = lu ? lu->bs : 512;

	*write = false;
	switch (cdb[0]) {
	case OP_INQUIRY:
		return be16(cdb + 3);
	case OP_REQUEST_SENSE:
	case OP_MODE_SENSE_6:
		return cdb[4];
	case OP_MODE_SENSE_10:
		return be16(cdb + 7);
	case OP_READ_CAPACITY_10:
		return 8;
	case OP_SERVICE_ACTION_IN_16:
		return (cdb[1] & 0x1f) == SA_READ_CAPACITY_16 ? be32(cdb + 10) : 0;
	case OP_REPORT_LUNS:
		return be32(cdb + 6);
	case OP_READ_10:
		return (uint64_t)be16(cdb + 7) * bs;
	case OP_READ_16:
		return (uint64_t)be32(cdb + 10) * bs;
	case OP_WRITE_10:
		*write = true;
		return (uint64_t)be16(cdb + 7) * bs;
	case OP_WRITE_16:
		*write = true;
		return (uint64_t)be32(cdb + 10) * bs;
	case OP_UNMAP:
		*write = true;
		return be16(cdb + 7);
	default:
		return 0;
	}
}

static void lu_dispatch(struct rvs_lu *lu, struct rvs_cmd *cmd)
{
	const uint8_t *cdb = cmd->cdb;

	switch (cdb[0]) {
	case OP_INQUIRY:
		return cmd_inquiry(lu, cmd);
	case OP_REPORT_LUNS:
		return cmd_report_luns(cmd);
	case OP_REQUEST_SENSE:
		return cmd_request_sense(lu, cmd);
	default:
		break;
	}
	/* SPC-5 §4.6.4 (SAM-5 §4.7.5): other commands to a LUN the target
	 * does not have. */
	if (!lu)
		return check(cmd, KEY_ILLEGAL_REQ, ASC_LU_NOT_SUPPORTED);
	switch (cdb[0]) {
	case OP_TEST_UNIT_READY:
		return;
	case OP_MODE_SENSE_6:
	case OP_MODE_SENSE_10:
		return cmd_mode_sense(lu, cmd);
	case OP_READ_CAPACITY_10:
		return cmd_read_capacity(lu, cmd);
	case OP_SERVICE_ACTION_IN_16:
		if ((cdb[1] & 0x1f) != SA_READ_CAPACITY_16)
			return check(cmd, KEY_ILLEGAL_REQ, ASC_INVALID_FIELD_IN_CDB);
		return cmd_read_capacity(lu, cmd);
	case OP_READ_10:
	case OP_WRITE_10:
		return cmd_rw(lu, cmd, cdb[0] == OP_WRITE_10, be32(cdb + 2), be16(cdb + 7));
	case OP_READ_16:
	case OP_WRITE_16:
		return cmd_rw(lu, cmd, cdb[0] == OP_WRITE_16, be64(cdb + 2), be32(cdb + 10));
	case OP_SYNCHRONIZE_CACHE_10:
		return cmd_sync(lu, cmd, be32(cdb + 2), be16(cdb + 7));
	case OP_SYNCHRONIZE_CACHE_16:
		return cmd_sync(lu, cmd, be64(cdb + 2), be32(cdb + 10));
	case OP_UNMAP:
		return cmd_unmap(lu, cmd);
	default:
		/* SPC-5 §4.4.2 (Table 50): an opcode the LU does not have. */
		return check(cmd, KEY_ILLEGAL_REQ, ASC_INVALID_OPCODE);
	}
}

void rvs_lu_exec(struct rvs_lu *lu, struct rvs_cmd *cmd)
{
	bool write;
	uint64_t xfer = cdb_xfer(lu, cmd->cdb, &write);

	cmd->response = VIRTIO_SCSI_S_OK;
	cmd->status = ST_GOOD;
	cmd->sense_len = 0;
	cmd->in_written = 0;
	if (xfer > (write ? cmd->out_len : cmd->in_len)) {
		cmd->response = VIRTIO_SCSI_S_OVERRUN;
		cmd->residual = (uint32_t)(write ? cmd->out_len : cmd->in_len);
		return;
	}
	lu_dispatch(lu, cmd);
	/* §5.6.6.1: residual = data length - bytes transferred. */
	if (write)
		cmd->residual = cmd->status == ST_GOOD ? (uint32_t)(cmd->out_len - xfer)
						       : (uint32_t)cmd->out_len;
	else
		cmd->residual = (uint32_t)(cmd->in_len - cmd->in_written);
}
