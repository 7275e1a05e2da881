/* SPDX-License-Identifier: MIT */
/*
 * virtio-scsi suite: the request queues (virtio 1.2 §5.6.6.1): what the
 * response, status, sense_len and residual fields say, requests the device
 * must refuse (a missing target, bidirectional data without INOUT), and
 * requests laid out wrongly (data in the wrong direction, cut headers,
 * CDBs longer than cdb_size).
 */
#include <errno.h>
#include <string.h>

#include "conformance/suite_virtio_scsi.h"
#include "util/common.h"

/* §5.6.6.1.1: the response values of a command request. */
static bool response_defined(uint8_t r)
{
	return r <= VIRTIO_SCSI_S_FAILURE;
}

/* SAM-5 §5.3 status codes (spec/scsi.h). */
static bool status_sam(uint8_t st)
{
	switch (st) {
	case SCSI_STATUS_GOOD:
	case SCSI_STATUS_CHECK_CONDITION:
	case SCSI_STATUS_CONDITION_MET:
	case SCSI_STATUS_BUSY:
	case SCSI_STATUS_RESERVATION_CONFLICT:
	case SCSI_STATUS_TASK_SET_FULL:
	case SCSI_STATUS_ACA_ACTIVE:
	case SCSI_STATUS_TASK_ABORTED:
		return true;
	}
	return false;
}

/* The commands the response and status cases look at: a success, a
 * standard INQUIRY, an unknown opcode (SPC-5 reserves 60h-7Eh), a read past
 * the end. Their results in c[4]; false (noted) when one got no answer. */
static bool run_mix(struct scsi *s, struct scsi_cmd c[4])
{
	uint8_t tur[6] = {SCSI_OP_TEST_UNIT_READY};
	uint8_t inq[6] = {SCSI_OP_INQUIRY, 0, 0, 0, 96};
	uint8_t unknown[10] = {0x60};
	uint8_t past[16];

	scsi_cdb_rw(past, SCSI_OP_READ_16, s->blocks, 1);
	return scsi_do(s, &c[0], tur, sizeof(tur), NULL, 0, NULL, 0) == 0 &&
	       scsi_do(s, &c[1], inq, sizeof(inq), NULL, 0, NULL, 96) == 0 &&
	       scsi_do(s, &c[2], unknown, sizeof(unknown), NULL, 0, NULL, 0) == 0 &&
	       scsi_do(s, &c[3], past, sizeof(past), NULL, 0, NULL, s->block_len) == 0;
}

static const char *const g_mix_names[] = {"TEST UNIT READY", "INQUIRY", "opcode 60h",
					  "READ(16) past the end"};

SCSI_CASE(scsi_req_response_defined)
{
	struct scsi_cmd c[4];
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (!run_mix(&s, c))
		return conform_fail(ctx, "a command got no answer (trace)");
	for (unsigned i = 0; i < ARRAY_SIZE(c); i++)
		if (!response_defined(c[i].resp->response))
			return conform_fail(ctx, "%s: response byte 0x%02x is none of §5.6.6.1's",
					    g_mix_names[i], c[i].resp->response);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_req_status_sam)
{
	struct scsi_cmd c[4];
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (!run_mix(&s, c))
		return conform_fail(ctx, "a command got no answer (trace)");
	for (unsigned i = 0; i < ARRAY_SIZE(c); i++)
		if (c[i].resp->response == VIRTIO_SCSI_S_OK && !status_sam(c[i].resp->status))
			return conform_fail(ctx, "%s: response OK with status 0x%02x, no SAM "
						 "status code",
					    g_mix_names[i], c[i].resp->status);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_req_bad_target)
{
	uint8_t inq[6] = {SCSI_OP_INQUIRY, 0, 0, 0, 36};
	struct scsi_cmd c;
	struct scsi s;
	char out[96];

	SCSI_OPEN_LUN(&s, 1, 0);
	/* A target past max_target is one the device says it does not have
	 * (§5.6.4: scanning stops there). */
	if (s.cfg.max_target >= 255)
		return conform_not_applicable(ctx, "max_target is %u: every target number may "
						   "exist",
					      s.cfg.max_target);
	if (!scsi_cmd_init(&s, &c, inq, sizeof(inq), 0, 36))
		return conform_error(ctx, "out of guest memory");
	scsi_host_virtio_lun_encode(c.req->lun, (uint8_t)(s.cfg.max_target + 1), 0);
	if (scsi_cmd_run(&s, SCSI_Q_REQ, &c))
		return conform_fail(ctx, "INQUIRY to target %u got no answer",
				    s.cfg.max_target + 1);
	if (c.resp->response != VIRTIO_SCSI_S_BAD_TARGET)
		return conform_fail(ctx, "INQUIRY to target %u (max_target %u): %s, not "
					 "BAD_TARGET",
				    s.cfg.max_target + 1, s.cfg.max_target,
				    scsi_outcome(&c, out, sizeof(out)));
	return CONFORM_PASS;
}

SCSI_CASE(scsi_req_inout_unnegotiated)
{
	uint64_t lba;
	uint8_t cdb[16];
	unsigned n;
	struct scsi_cmd c;
	struct scsi s;
	char out[96];

	SCSI_OPEN_LUN(&s, 1, VIRTIO_BIT(VIRTIO_SCSI_F_INOUT));
	lba = scsi_scratch_lba(&s, 1);
	n = scsi_cdb_rw(cdb, SCSI_OP_WRITE_10, lba, 1);
	/* Both dataout and datain, INOUT not negotiated. */
	if (!scsi_cmd_init(&s, &c, cdb, n, s.block_len, s.block_len))
		return conform_error(ctx, "out of guest memory");
	scsi_pattern(&s, lba, c.dout, s.block_len);
	if (scsi_cmd_run(&s, SCSI_Q_REQ, &c))
		return conform_fail(ctx, "the bidirectional request got no answer");
	if (c.resp->response != VIRTIO_SCSI_S_FAILURE)
		return conform_fail(ctx, "WRITE(10) with dataout and datain, INOUT not negotiated: "
					 "%s, not FAILURE",
				    scsi_outcome(&c, out, sizeof(out)));
	return CONFORM_PASS;
}

/* One command of SCSI-REQ-005 whose CDB asks for missing bytes more than
 * its datain of din_len has room for. */
static enum conform_verdict overrun_reported(struct scsi *s, const uint8_t *cdb, unsigned n,
					     uint32_t din_len, uint32_t missing, const char *what)
{
	struct scsi_cmd c;
	uint8_t *guard;
	char out[96];

	/* Guard bytes right after the datain in memory. */
	if (!scsi_cmd_init(s, &c, cdb, n, 0, din_len) || !(guard = blk_alloc(&s->io, 64, NULL)))
		return conform_error(s->ctx, "out of guest memory");
	memset(guard, 0xa5, 64);
	if (scsi_cmd_run(s, SCSI_Q_REQ, &c))
		return conform_fail(s->ctx, "%s got no answer", what);
	for (unsigned i = 0; i < 64; i++)
		if (guard[i] != 0xa5)
			return conform_fail(s->ctx, "%s: the device wrote past the datain buffer",
					    what);
	scsi_outcome(&c, out, sizeof(out));
	if (c.resp->response == VIRTIO_SCSI_S_OVERRUN)
		return CONFORM_PASS;
	if (c.resp->response == VIRTIO_SCSI_S_OK && c.resp->status != SCSI_STATUS_GOOD)
		return CONFORM_PASS;
	if (c.resp->response == VIRTIO_SCSI_S_OK && c.resp->resid >= missing)
		return CONFORM_PASS;
	if (c.resp->response == VIRTIO_SCSI_S_OK)
		return conform_fail(
		    s->ctx, "%s: %s with residual %u: the missing %u bytes are not reported", what,
		    out, c.resp->resid, missing);
	return conform_fail(s->ctx, "%s: %s", what, out);
}

SCSI_CASE(scsi_req_overrun_reported)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	enum conform_verdict v;
	unsigned n;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	/* Room for 1 of the 8 blocks (the bdev path)... */
	n = scsi_cdb_rw(cdb, SCSI_OP_READ_10, scsi_scratch_lba(&s, 2), 8);
	v = overrun_reported(&s, cdb, n, s.block_len, 7 * s.block_len,
			     "READ(10) of 8 blocks into 1 block's datain");
	if (v != CONFORM_PASS)
		return v;
	/* ... and for 8 of the 36 bytes of standard INQUIRY data (an emulated
	 * answer; SPC-5 §6.7.2: 36 bytes at least). */
	scsi_host_cdb_inquiry(cdb, false, 0, 36);
	return overrun_reported(&s, cdb, 6, 8, 28,
				"INQUIRY of ALLOCATION LENGTH 36 into an 8-byte datain");
}

SCSI_CASE(scsi_req_sense_len_bound)
{
	uint8_t unknown[10] = {0x60};
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (scsi_do(&s, &c, unknown, sizeof(unknown), NULL, 0, NULL, 0))
		return conform_fail(ctx, "opcode 60h got no answer");
	if (c.resp->response == VIRTIO_SCSI_S_OK &&
	    c.resp->sense_len > VIRTIO_SCSI_SENSE_DEFAULT)
		return conform_fail(ctx, "sense_len %u with sense_size %u", c.resp->sense_len,
				    VIRTIO_SCSI_SENSE_DEFAULT);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_req_residual_zero)
{
	uint8_t cdb[16];
	unsigned n;
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	n = scsi_cdb_rw(cdb, SCSI_OP_READ_10, scsi_scratch_lba(&s, 3), 2);
	if (scsi_do(&s, &c, cdb, n, NULL, 0, NULL, 2 * s.block_len))
		return conform_fail(ctx, "READ(10) got no answer");
	if (!scsi_good(&s, &c, "READ(10) of 2 blocks"))
		return conform_fail(ctx, "READ(10) of 2 blocks failed (trace)");
	if (c.resp->resid != 0)
		return conform_fail(ctx, "READ(10) of 2 blocks into 2 blocks: residual %u",
				    c.resp->resid);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_req_residual_short)
{
	uint8_t cdb[16];
	unsigned n;
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	n = scsi_cdb_rw(cdb, SCSI_OP_READ_10, scsi_scratch_lba(&s, 3), 1);
	if (scsi_do(&s, &c, cdb, n, NULL, 0, NULL, 2 * s.block_len))
		return conform_fail(ctx, "READ(10) got no answer");
	if (!scsi_good(&s, &c, "READ(10) of 1 block"))
		return conform_fail(ctx, "READ(10) of 1 block failed (trace)");
	if (c.resp->resid != s.block_len)
		return conform_fail(ctx, "READ(10) of 1 block into a datain of 2: residual %u, "
					 "not %u",
				    c.resp->resid, s.block_len);
	return CONFORM_PASS;
}

/* A READ(10) of 1 block at lba whose data buffer is device-readable (a
 * dataout, no datain), filled with 0x5a. 0 or a negative errno. */
static int read_wrong_way(struct scsi *s, struct scsi_cmd *c, uint64_t lba)
{
	uint8_t cdb[16];
	unsigned n = scsi_cdb_rw(cdb, SCSI_OP_READ_10, lba, 1);

	if (!scsi_cmd_init(s, c, cdb, n, s->block_len, 0))
		return -ENOMEM;
	memset(c->dout, 0x5a, s->block_len);
	return scsi_cmd_run(s, SCSI_Q_REQ, c);
}

SCSI_CASE(scsi_req_read_into_readable)
{
	uint64_t lba;
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	lba = scsi_scratch_lba(&s, 4);
	/* Data the device would copy if it took the buffer as datain. */
	if (!scsi_write_pattern(&s, lba, 1))
		return conform_error(ctx, "the pattern could not be written (trace)");
	if (read_wrong_way(&s, &c, lba))
		return conform_fail(ctx, "the READ(10) got no answer");
	for (uint32_t i = 0; i < s.block_len; i++)
		if (c.dout[i] != 0x5a)
			return conform_fail(ctx, "the device wrote byte %u of a device-readable "
						 "buffer",
					    i);
	return scsi_keeps_serving(&s);
}

SCSI_CASE(scsi_req_read_wrong_dir_status)
{
	struct scsi_cmd c;
	struct scsi s;
	char out[96];

	SCSI_OPEN_LUN(&s, 1, 0);
	if (read_wrong_way(&s, &c, scsi_scratch_lba(&s, 4)))
		return conform_fail(ctx, "the READ(10) got no answer");
	/* Nothing could be transferred: an error, or GOOD with all of it
	 * residual. */
	if (c.resp->response == VIRTIO_SCSI_S_OK && c.resp->status == SCSI_STATUS_GOOD &&
	    c.resp->resid < s.block_len)
		return conform_fail(ctx, "READ(10) without a datain buffer: %s, residual %u",
				    scsi_outcome(&c, out, sizeof(out)), c.resp->resid);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_req_write_from_writable)
{
	uint8_t cdb[16];
	uint64_t lba;
	unsigned n;
	struct scsi_cmd c, r;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	lba = scsi_scratch_lba(&s, 5);
	if (!scsi_write_pattern(&s, lba, 1))
		return conform_error(ctx, "the pattern could not be written (trace)");
	/* WRITE(10) whose data is device-writable (a datain), holding the
	 * pattern of the next block: it reaches the medium only if the device
	 * reads a buffer that is its to write. */
	n = scsi_cdb_rw(cdb, SCSI_OP_WRITE_10, lba, 1);
	if (!scsi_cmd_init(&s, &c, cdb, n, 0, s.block_len))
		return conform_error(ctx, "out of guest memory");
	scsi_pattern(&s, lba + 1, c.din, s.block_len);
	if (scsi_cmd_run(&s, SCSI_Q_REQ, &c))
		return conform_fail(ctx, "the WRITE(10) got no answer");
	n = scsi_cdb_rw(cdb, SCSI_OP_READ_16, lba, 1);
	if (scsi_do(&s, &r, cdb, n, NULL, 0, NULL, s.block_len) ||
	    !scsi_good(&s, &r, "READ(16) after"))
		return conform_error(ctx, "the block could not be read back (trace)");
	if (blk_pattern_check(&s.io, (lba + 1) * (s.block_len / VIRTIO_BLK_SECTOR_SIZE), r.din,
			      s.block_len, false))
		return conform_fail(ctx, "the medium holds what was in the device-writable "
					 "buffer: the device read it");
	return CONFORM_PASS;
}

SCSI_CASE(scsi_req_cdb_overlong)
{
	/* SPC-5 §4.2.5: a variable length CDB (7Fh) whose ADDITIONAL CDB
	 * LENGTH (byte 7) says 8 + 248 bytes, far past cdb_size (32). */
	uint8_t cdb[32] = {SCSI_OP_VARIABLE_LENGTH, 0, 0, 0, 0, 0, 0, 248};
	struct scsi_cmd c;
	struct scsi s;
	char out[96];

	SCSI_OPEN_LUN(&s, 1, 0);
	cdb[9] = 0x09; /* service action READ(32) */
	if (scsi_do(&s, &c, cdb, sizeof(cdb), NULL, 0, NULL, s.block_len))
		return conform_fail(ctx, "the over-long CDB got no answer");
	if (c.resp->response == VIRTIO_SCSI_S_OK && c.resp->status == SCSI_STATUS_GOOD)
		return conform_fail(ctx, "a CDB of 256 bytes in a 32-byte cdb: %s",
				    scsi_outcome(&c, out, sizeof(out)));
	return scsi_keeps_serving(&s);
}

SCSI_CASE(scsi_req_short_header)
{
	uint8_t tur[6] = {SCSI_OP_TEST_UNIT_READY};
	struct blk_chain chain;
	struct scsi_cmd c;
	struct scsi s;
	int ret;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (!scsi_cmd_init(&s, &c, tur, sizeof(tur), 0, 0))
		return conform_error(ctx, "out of guest memory");
	/* The header up to the 6 bytes of its CDB: 26 of its 51 bytes. */
	scsi_cmd_chain(&c, &chain);
	chain.seg[0].len = offsetof(struct virtio_scsi_cmd_req, cdb) + sizeof(tur);
	ret = blk_chain_run(&s.io, SCSI_Q_REQ, &chain, &c, &c.used_len);
	if (ret == 0 && c.resp->response != SCSI_RESP_UNSET &&
	    !response_defined(c.resp->response))
		return conform_fail(ctx, "response byte 0x%02x to a cut header",
				    c.resp->response);
	if (ret && ret != -ECONNRESET && ret != -EPIPE)
		return conform_fail(ctx, "a header of 26 bytes got no answer: %s",
				    strerror(-ret));
	return scsi_keeps_serving(&s);
}

SCSI_CASE(scsi_req_no_response_buffer)
{
	uint8_t tur[6] = {SCSI_OP_TEST_UNIT_READY};
	struct virtio_scsi_cmd_req copy;
	struct blk_chain chain;
	struct scsi_cmd c;
	struct scsi s;
	int ret;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (!scsi_cmd_init(&s, &c, tur, sizeof(tur), 0, 0))
		return conform_error(ctx, "out of guest memory");
	memcpy(&copy, c.req, sizeof(copy));
	/* Only the device-readable header: nowhere to write a response. */
	blk_chain_init(&chain);
	blk_chain_add(&chain, c.req_gpa, sizeof(*c.req), false);
	ret = blk_chain_run(&s.io, SCSI_Q_REQ, &chain, &c, &c.used_len);
	if (memcmp(&copy, c.req, sizeof(copy)))
		return conform_fail(ctx, "the device wrote into the device-readable header");
	if (ret && ret != -ETIMEDOUT && ret != -ECONNRESET && ret != -EPIPE)
		return conform_error(ctx, "waiting for the request: %s", strerror(-ret));
	return scsi_keeps_serving(&s);
}

SCSI_CASE(scsi_req_task_attr)
{
	static const uint8_t attrs[] = {VIRTIO_SCSI_S_ORDERED, VIRTIO_SCSI_S_HEAD};
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	struct scsi_cmd c;
	struct scsi s;
	char out[96];
	unsigned n;

	SCSI_OPEN_LUN(&s, 1, 0);
	n = scsi_cdb_rw(cdb, SCSI_OP_READ_10, scsi_scratch_lba(&s, 8), 1);
	for (unsigned i = 0; i < ARRAY_SIZE(attrs); i++) {
		if (!scsi_cmd_init(&s, &c, cdb, n, 0, s.block_len))
			return conform_error(ctx, "out of guest memory");
		c.req->task_attr = attrs[i];
		if (scsi_cmd_run(&s, SCSI_Q_REQ, &c))
			return conform_fail(ctx, "READ(10) with task_attr %u got no answer",
					    attrs[i]);
		if (c.resp->response != VIRTIO_SCSI_S_OK || c.resp->status != SCSI_STATUS_GOOD)
			return conform_fail(ctx, "READ(10) with task_attr %u: %s", attrs[i],
					    scsi_outcome(&c, out, sizeof(out)));
	}
	return CONFORM_PASS;
}

SCSI_CASE(scsi_req_report_luns_wlun)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	size_t n, total;
	struct scsi_cmd c;
	struct scsi s;
	uint64_t lun;
	char out[96];

	SCSI_OPEN_LUN(&s, 1, 0);
	scsi_host_cdb_report_luns(cdb, SCSI_REPORT_LUNS_ALL, 4096);
	if (!scsi_cmd_init(&s, &c, cdb, 12, 0, 4096))
		return conform_error(ctx, "out of guest memory");
	/* §5.6.6.1: 0xC1, 0x01 and six zero bytes. */
	memset(c.req->lun, 0, 8);
	c.req->lun[0] = VIRTIO_SCSI_WLUN_REPORT_LUNS_0;
	c.req->lun[1] = VIRTIO_SCSI_WLUN_REPORT_LUNS_1;
	if (scsi_cmd_run(&s, SCSI_Q_REQ, &c))
		return conform_fail(ctx, "REPORT LUNS to the well-known LU got no answer");
	if (c.resp->response != VIRTIO_SCSI_S_OK || c.resp->status != SCSI_STATUS_GOOD)
		return conform_fail(ctx, "REPORT LUNS to the well-known LU: %s",
				    scsi_outcome(&c, out, sizeof(out)));
	if (scsi_host_parse_report_luns(c.din, scsi_din_got(&c), &lun, 1, &n, &total))
		return conform_fail(ctx, "the REPORT LUNS data is malformed (trace)");
	return CONFORM_PASS;
}

/* A LUN number below 256 that target 0's REPORT LUNS does not list;
 * -1 when there is none or the list could not be read. */
static int unlisted_lun(struct scsi *s)
{
	bool listed[256] = {false};
	uint64_t luns[256];
	struct scsi_cmd c;
	uint16_t l;
	size_t n;

	if (scsi_report_luns(s, &c, luns, ARRAY_SIZE(luns), &n))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (scsi_host_lun_decode(luns[i], &l) == 0 && l < 256)
			listed[l] = true;
	for (int l = 0; l < 256; l++)
		if (!listed[l])
			return l;
	return -1;
}

SCSI_CASE(scsi_req_unknown_lun)
{
	static const uint16_t not_supported[] = {SCSI_ASC_LOGICAL_UNIT_NOT_SUPPORTED};
	uint8_t tur[6] = {SCSI_OP_TEST_UNIT_READY};
	struct scsi_cmd c;
	struct scsi s;
	int l;

	SCSI_OPEN_LUN(&s, 1, 0);
	l = unlisted_lun(&s);
	if (l < 0)
		return conform_error(ctx, "no LUN below 256 is free, or REPORT LUNS failed");
	if (!scsi_cmd_init(&s, &c, tur, sizeof(tur), 0, 0))
		return conform_error(ctx, "out of guest memory");
	scsi_host_virtio_lun_encode(c.req->lun, s.target, (uint16_t)l);
	if (scsi_cmd_run(&s, SCSI_Q_REQ, &c))
		return conform_fail(ctx, "TEST UNIT READY to LUN %d got no answer", l);
	if (c.resp->response == VIRTIO_SCSI_S_BAD_TARGET) {
		conform_info(ctx, "a LUN that target 0 does not have: BAD_TARGET");
		return CONFORM_PASS;
	}
	return scsi_expect_check(&s, &c, "TEST UNIT READY to an unlisted LUN",
				 SCSI_SK_ILLEGAL_REQUEST, not_supported, 1);
}

SCSI_CASE(scsi_req_queues_independent)
{
	uint8_t cdb[16];
	uint64_t lba;
	unsigned n;
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 2, 0);
	lba = scsi_scratch_lba(&s, 6);
	/* Written on the second request queue, read back on the first. */
	n = scsi_cdb_rw(cdb, SCSI_OP_WRITE_16, lba, 4);
	if (!scsi_cmd_init(&s, &c, cdb, n, 4 * s.block_len, 0))
		return conform_error(ctx, "out of guest memory");
	scsi_pattern(&s, lba, c.dout, 4 * s.block_len);
	if (scsi_cmd_run(&s, SCSI_Q_REQ + 1, &c))
		return conform_fail(ctx, "the second request queue does not answer");
	if (!scsi_good(&s, &c, "WRITE(16) on the second request queue"))
		return conform_fail(ctx, "WRITE(16) on the second request queue failed (trace)");
	if (!scsi_read_check(&s, lba, 4))
		return conform_fail(ctx, "the data written on the second request queue does not "
					 "read back on the first");
	return CONFORM_PASS;
}

/* One command for SCSI-REQ-019: its used length counts no more than the
 * response header and the data-in the residual says was transferred. */
static enum conform_verdict used_len_bounded(struct scsi *s, const uint8_t *cdb, unsigned n,
					     uint32_t din_len, const char *what)
{
	struct scsi_cmd c;
	uint32_t most;

	if (scsi_do(s, &c, cdb, n, NULL, 0, NULL, din_len))
		return conform_fail(s->ctx, "%s got no answer", what);
	if (!scsi_good(s, &c, what))
		return conform_fail(s->ctx, "%s failed (trace)", what);
	most = (uint32_t)sizeof(*c.resp) + scsi_din_got(&c);
	if (c.used_len > most)
		return conform_fail(s->ctx,
				    "%s: used length %u, but the response header is %zu bytes and "
				    "the residual says %u bytes of data-in were transferred",
				    what, c.used_len, sizeof(*c.resp), scsi_din_got(&c));
	return CONFORM_PASS;
}

SCSI_CASE(scsi_req_used_len)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	enum conform_verdict v;
	unsigned n;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	/* A READ into twice the room it needs: the bdev path. */
	n = scsi_cdb_rw(cdb, SCSI_OP_READ_10, scsi_scratch_lba(&s, 3), 1);
	v = used_len_bounded(&s, cdb, n, 2 * s.block_len, "READ(10) of 1 block into 2");
	if (v != CONFORM_PASS)
		return v;
	/* An emulated answer shorter than its datain: standard INQUIRY of at
	 * most 36 bytes (ALLOCATION LENGTH 36) into 256. */
	scsi_host_cdb_inquiry(cdb, false, 0, 36);
	return used_len_bounded(&s, cdb, 6, 256, "INQUIRY of 36 bytes into 256");
}
