/* SPDX-License-Identifier: MIT */
/*
 * The virtio-scsi suite's toolbox: bring a device up and find a logical
 * unit, lay commands and task management functions out, run them, read
 * what the device answered, and check data patterns.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conformance/suite_virtio_scsi.h"
#include "spec/scsi.h"
#include "spec/vhost_user.h"
#include "util/common.h"
#include "vhost/vhost.h"

/* What the suite's driver side acknowledges where offered: no T10_PI (it
 * changes the request header, §5.6.6.1), no ring features (the virtio-blk
 * suite covers the rings). */
#define SCSI_DEV_FEATURES                                                                          \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES) |             \
	 VIRTIO_BIT(VIRTIO_SCSI_F_INOUT) | VIRTIO_BIT(VIRTIO_SCSI_F_HOTPLUG) |                     \
	 VIRTIO_BIT(VIRTIO_SCSI_F_CHANGE))
/* Unit attentions a fresh connection may meet before a command gets
 * through (power on, reset, LUN data changed: SAM-5 §5.14). */
#define SCSI_UA_RETRIES 4

/* conform_dev_opts.get_config: the whole §5.6.4 struct. */
static int scsi_get_config(struct vhost_fe *fe, void *config, uint32_t *len)
{
	int ret = vhost_fe_get_config(fe, 0, sizeof(struct virtio_scsi_config), config);

	if (ret == 0)
		*len = sizeof(struct virtio_scsi_config);
	return ret;
}

/* conform_dev_opts.max_queues: the controlq, the eventq and num_queues
 * request queues (§5.6.2, §5.6.4), no more than GET_QUEUE_NUM says when
 * the back-end answered it (queue_num 1: not asked). */
static uint16_t scsi_max_queues(uint64_t features, uint64_t queue_num, const void *config,
				uint32_t config_len)
{
	const struct virtio_scsi_config *cfg = config;
	uint64_t max = VHOST_MAX_QUEUES;

	(void)features;
	if (config_len >= sizeof(*cfg))
		max = MIN(max, (uint64_t)cfg->num_queues + 2);
	if (queue_num > 1)
		max = MIN(max, queue_num);
	return (uint16_t)max;
}

bool scsi_open(struct conform_ctx *ctx, struct scsi *s, uint16_t nreq, uint64_t drop_features,
	       enum conform_verdict *v)
{
	struct conform_dev_opts opts = {
	    .nqueues = (uint16_t)(nreq + 2),
	    .want_features = SCSI_DEV_FEATURES & ~drop_features,
	    .get_config = scsi_get_config,
	    .max_queues = scsi_max_queues,
	};
	struct timespec ts;
	int ret;

	memset(s, 0, sizeof(*s));
	s->ctx = s->io.ctx = ctx;
	/* Patterns differ from run to run: stale data never passes a check. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->seed = s->io.seed = (uint32_t)ts.tv_nsec ^ (uint32_t)getpid() * 2654435761u;
	ret = conform_dev_setup(ctx, &opts, &s->dev);
	if (ret == -ENOTSUP) {
		*v = conform_not_applicable(ctx, "the back-end has fewer than %u request queues",
					    nreq);
		return false;
	}
	if (ret) {
		*v = conform_error(ctx, "device set-up: %s", strerror(-ret));
		return false;
	}
	s->io.dev = s->dev;
	if (s->dev->config_len < sizeof(s->cfg)) {
		*v = conform_error(ctx, "no config space (VHOST_USER_PROTOCOL_F_CONFIG not "
					"offered): sense_size and cdb_size unknown");
		conform_dev_close(s->dev);
		s->dev = s->io.dev = NULL;
		return false;
	}
	memcpy(&s->cfg, s->dev->config, sizeof(s->cfg));
	return true;
}

bool scsi_has(const struct scsi *s, unsigned feature)
{
	return s->dev->features & VIRTIO_BIT(feature);
}

/* lib/scsi's builder of op, where it has one: the CDB's length, or -1. */
static int cdb_built(uint8_t *cdb, uint8_t op, uint64_t lba, uint32_t nblocks)
{
	switch (op) {
	case SCSI_OP_READ_10:
		return scsi_host_cdb_read_10(cdb, lba, nblocks, false);
	case SCSI_OP_WRITE_10:
		return scsi_host_cdb_write_10(cdb, lba, nblocks, false);
	case SCSI_OP_READ_16:
		return scsi_host_cdb_read_16(cdb, lba, nblocks, false);
	case SCSI_OP_WRITE_16:
		return scsi_host_cdb_write_16(cdb, lba, nblocks, false);
	case SCSI_OP_SYNCHRONIZE_CACHE_10:
		return scsi_host_cdb_sync_cache_10(cdb, lba, nblocks, false);
	case SCSI_OP_SYNCHRONIZE_CACHE_16:
		return scsi_host_cdb_sync_cache_16(cdb, lba, nblocks, false);
	case SCSI_OP_VERIFY_16:
		return scsi_host_cdb_verify_16(cdb, lba, nblocks, 0);
	case SCSI_OP_WRITE_SAME_16:
		return scsi_host_cdb_write_same_16(cdb, lba, nblocks, false, false);
	}
	return -1;
}

unsigned scsi_cdb_rw(uint8_t *cdb, uint8_t op, uint64_t lba, uint32_t nblocks)
{
	int n = cdb_built(cdb, op, lba, nblocks);

	if (n > 0)
		return (unsigned)n;
	/* The forms lib/scsi does not build, or fields a builder refuses. */
	memset(cdb, 0, SCSI_HOST_CDB_MAX);
	cdb[0] = op;
	switch (op) {
	case SCSI_OP_READ_6:
	case SCSI_OP_WRITE_6:
		/* SBC-4 §5.15 / §5.42: 21-bit LBA, 0 blocks means 256. */
		cdb[1] = (uint8_t)(lba >> 16 & 0x1f);
		scsi_put_be16(cdb + 2, (uint16_t)lba);
		cdb[4] = (uint8_t)nblocks;
		return 6;
	case SCSI_OP_READ_10:
	case SCSI_OP_WRITE_10:
	case SCSI_OP_VERIFY_10:
	case SCSI_OP_SYNCHRONIZE_CACHE_10:
	case SCSI_OP_WRITE_SAME_10:
		scsi_put_be32(cdb + 2, (uint32_t)lba);
		scsi_put_be16(cdb + 7, (uint16_t)nblocks);
		return 10;
	case SCSI_OP_READ_12:
	case SCSI_OP_WRITE_12:
	case SCSI_OP_VERIFY_12:
		scsi_put_be32(cdb + 2, (uint32_t)lba);
		scsi_put_be32(cdb + 6, nblocks);
		return 12;
	default: /* the 16-byte forms */
		scsi_put_be64(cdb + 2, lba);
		scsi_put_be32(cdb + 10, nblocks);
		return 16;
	}
}

bool scsi_cmd_init(struct scsi *s, struct scsi_cmd *c, const uint8_t *cdb, unsigned cdb_len,
		   uint32_t dout_len, uint32_t din_len)
{
	static uint64_t next_id = 1;

	memset(c, 0, sizeof(*c));
	c->req = blk_alloc(&s->io, sizeof(*c->req), &c->req_gpa);
	c->resp = blk_alloc(&s->io, sizeof(*c->resp), &c->resp_gpa);
	if (dout_len)
		c->dout = blk_alloc(&s->io, dout_len, &c->dout_gpa);
	if (din_len)
		c->din = blk_alloc(&s->io, din_len, &c->din_gpa);
	if (!c->req || !c->resp || (dout_len && !c->dout) || (din_len && !c->din) ||
	    cdb_len > sizeof(c->req->cdb))
		return false;
	scsi_host_virtio_lun_encode(c->req->lun, s->target, s->lun);
	c->req->id = next_id++;
	memcpy(c->req->cdb, cdb, cdb_len);
	c->resp->response = SCSI_RESP_UNSET;
	c->resp->status = SCSI_RESP_UNSET;
	c->dout_len = dout_len;
	c->din_len = din_len;
	return true;
}

void scsi_cmd_chain(const struct scsi_cmd *c, struct blk_chain *chain)
{
	blk_chain_init(chain);
	blk_chain_add(chain, c->req_gpa, sizeof(*c->req), false);
	if (c->dout_len)
		blk_chain_add(chain, c->dout_gpa, c->dout_len, false);
	blk_chain_add(chain, c->resp_gpa, sizeof(*c->resp), true);
	if (c->din_len)
		blk_chain_add(chain, c->din_gpa, c->din_len, true);
}

int scsi_cmd_run(struct scsi *s, uint16_t q, struct scsi_cmd *c)
{
	static struct blk_chain chain;

	scsi_cmd_chain(c, &chain);
	return blk_chain_run(&s->io, q, &chain, c, &c->used_len);
}

int scsi_do(struct scsi *s, struct scsi_cmd *c, const uint8_t *cdb, unsigned cdb_len,
	    const void *dout, uint32_t dout_len, void *din, uint32_t din_len)
{
	int ret;

	if (!scsi_cmd_init(s, c, cdb, cdb_len, dout_len, din_len))
		return -ENOMEM;
	if (dout_len && dout)
		memcpy(c->dout, dout, dout_len);
	ret = scsi_cmd_run(s, SCSI_Q_REQ, c);
	if (ret == 0 && din_len && din)
		memcpy(din, c->din, din_len);
	return ret;
}

bool scsi_sense_get(const struct scsi_cmd *c, struct scsi_host_sense *sense)
{
	uint32_t len = MIN(c->resp->sense_len, (uint32_t)sizeof(c->resp->sense));

	return len && scsi_host_parse_sense(c->resp->sense, len, sense) == 0;
}

uint32_t scsi_din_got(const struct scsi_cmd *c)
{
	return c->din_len - MIN(c->resp->resid, c->din_len);
}

static const char *response_name(uint8_t r)
{
	const char *name = scsi_host_virtio_response_name(r);

	if (r == SCSI_RESP_UNSET)
		return "response byte not written";
	return name ? name : "an undefined response";
}

const char *scsi_outcome(const struct scsi_cmd *c, char *buf, unsigned len)
{
	struct scsi_host_sense sn;
	uint8_t st = c->resp->status;
	const char *stn = st == SCSI_STATUS_GOOD	      ? "GOOD"
			  : st == SCSI_STATUS_CHECK_CONDITION ? "CHECK CONDITION"
							      : NULL;

	if (c->resp->response != VIRTIO_SCSI_S_OK) {
		snprintf(buf, len, "%s (response %u)", response_name(c->resp->response),
			 c->resp->response);
		return buf;
	}
	if (st == SCSI_STATUS_CHECK_CONDITION && scsi_sense_get(c, &sn))
		snprintf(buf, len, "OK/CHECK CONDITION, sense %x/%02x/%02x", sn.key, sn.asc,
			 sn.ascq);
	else if (stn)
		snprintf(buf, len, "OK/%s", stn);
	else
		snprintf(buf, len, "OK/status 0x%02x", st);
	return buf;
}

bool scsi_unsupported(const struct scsi_cmd *c)
{
	struct scsi_host_sense sn;

	return c->resp->response == VIRTIO_SCSI_S_OK &&
	       c->resp->status == SCSI_STATUS_CHECK_CONDITION && scsi_sense_get(c, &sn) &&
	       sn.key == SCSI_SK_ILLEGAL_REQUEST &&
	       SCSI_ASCQ(sn.asc, sn.ascq) == SCSI_ASC_INVALID_COMMAND_OPERATION_CODE;
}

bool scsi_good(struct scsi *s, const struct scsi_cmd *c, const char *what)
{
	char out[96];

	if (c->resp->response == VIRTIO_SCSI_S_OK && c->resp->status == SCSI_STATUS_GOOD)
		return true;
	conform_note(s->ctx, "%s: %s", what, scsi_outcome(c, out, sizeof(out)));
	return false;
}

enum conform_verdict scsi_expect_check(struct scsi *s, const struct scsi_cmd *c, const char *what,
				       uint8_t key, const uint16_t *asc, unsigned n)
{
	struct scsi_host_sense sn;
	char out[96];

	scsi_outcome(c, out, sizeof(out));
	if (c->resp->response != VIRTIO_SCSI_S_OK || c->resp->status != SCSI_STATUS_CHECK_CONDITION)
		return conform_fail(s->ctx, "%s: %s, not CHECK CONDITION", what, out);
	if (!scsi_sense_get(c, &sn))
		return conform_fail(s->ctx,
				    "%s: CHECK CONDITION without readable sense data "
				    "(sense_len %u)",
				    what, c->resp->sense_len);
	if (sn.key != key)
		return conform_fail(s->ctx, "%s: %s, not sense key 0x%x", what, out, key);
	for (unsigned i = 0; i < n; i++) {
		uint8_t want_ascq = (uint8_t)asc[i];

		if (sn.asc == asc[i] >> 8 && (want_ascq == 0xff || sn.ascq == want_ascq))
			return CONFORM_PASS;
	}
	return conform_fail(s->ctx, "%s: %s, not the additional sense code 0x%04x", what, out,
			    asc[0]);
}

/* A command on the LU that a unit attention may answer first (SAM-5
 * §5.14: reported once, then cleared): repeated until it gets through. */
static int do_past_ua(struct scsi *s, struct scsi_cmd *c, const uint8_t *cdb, unsigned cdb_len,
		      uint32_t din_len)
{
	struct scsi_host_sense sn;
	int ret = 0;

	for (int i = 0; i < SCSI_UA_RETRIES; i++) {
		ret = scsi_do(s, c, cdb, cdb_len, NULL, 0, NULL, din_len);
		if (ret || c->resp->response != VIRTIO_SCSI_S_OK ||
		    c->resp->status != SCSI_STATUS_CHECK_CONDITION || !scsi_sense_get(c, &sn) ||
		    sn.key != SCSI_SK_UNIT_ATTENTION)
			return ret;
		conform_note(s->ctx, "unit attention %02x/%02x: the command again", sn.asc,
			     sn.ascq);
	}
	return ret;
}

int scsi_report_luns(struct scsi *s, struct scsi_cmd *c, uint64_t *luns, size_t max, size_t *n)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	size_t total;
	int ret;

	scsi_host_cdb_report_luns(cdb, SCSI_REPORT_LUNS_ALL, 4096);
	ret = do_past_ua(s, c, cdb, 12, 4096);
	if (ret)
		return ret;
	if (!scsi_good(s, c, "REPORT LUNS"))
		return -EIO;
	return scsi_host_parse_report_luns(c->din, scsi_din_got(c), luns, max, n, &total);
}

/* SPC-5 §6.33: the first LUN of target 0's list that virtio-scsi can
 * address (SAM-5 §4.7.3: peripheral or flat). */
static bool find_lun(struct scsi *s, enum conform_verdict *v)
{
	uint64_t luns[64];
	struct scsi_cmd c;
	size_t n;
	int ret;

	s->target = 0;
	s->lun = 0;
	ret = scsi_report_luns(s, &c, luns, ARRAY_SIZE(luns), &n);
	if (ret) {
		*v = conform_error(s->ctx, "REPORT LUNS on target 0: %s: no LU to test",
				   strerror(-ret));
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (scsi_host_lun_decode(luns[i], &s->lun) == 0)
			return true;
	*v = conform_error(s->ctx, "target 0 reports no LUN: no LU to test");
	return false;
}

/* SBC-4 §5.21 / §5.20: the LU's size; READ CAPACITY(10) when (16) fails. */
static bool find_capacity(struct scsi *s, enum conform_verdict *v)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	struct scsi_host_capacity cap;
	struct scsi_cmd c;
	int ret;

	scsi_host_cdb_read_capacity_16(cdb, sizeof(struct scsi_read_capacity_16));
	ret = do_past_ua(s, &c, cdb, 16, sizeof(struct scsi_read_capacity_16));
	if (ret == 0 && scsi_good(s, &c, "READ CAPACITY(16)"))
		ret = scsi_host_parse_capacity_16(c.din, scsi_din_got(&c), &cap);
	else
		ret = -EIO;
	if (ret) {
		scsi_host_cdb_read_capacity_10(cdb);
		ret = do_past_ua(s, &c, cdb, 10, 8);
		if (ret || !scsi_good(s, &c, "READ CAPACITY(10)") ||
		    scsi_host_parse_capacity_10(c.din, scsi_din_got(&c), &cap)) {
			*v = conform_error(s->ctx, "the LU's capacity is unknown");
			return false;
		}
	}
	s->blocks = cap.num_blocks;
	s->block_len = cap.block_len;
	if (!IS_POW2(s->block_len) || s->block_len < 512 || s->block_len > 65536 ||
	    s->blocks < 1024) {
		*v = conform_error(s->ctx,
				   "LU %u: %llu blocks of %u bytes: the suite needs at least 1024 "
				   "blocks of a power of 2 from 512 to 65536 bytes",
				   s->lun, (unsigned long long)s->blocks, s->block_len);
		return false;
	}
	return true;
}

bool scsi_open_lun(struct conform_ctx *ctx, struct scsi *s, uint16_t nreq, uint64_t drop_features,
		   enum conform_verdict *v)
{
	uint8_t tur[6] = {SCSI_OP_TEST_UNIT_READY};
	struct scsi_cmd c;

	if (!scsi_open(ctx, s, nreq, drop_features, v))
		return false;
	if (!find_lun(s, v) || !find_capacity(s, v))
		goto err;
	/* What unit attentions the LU still holds are taken here. */
	if (do_past_ua(s, &c, tur, sizeof(tur), 0) == 0)
		return true;
	*v = conform_error(ctx, "TEST UNIT READY got no answer");
err:
	/* The back-end serves one front-end at a time: free it for the next. */
	conform_dev_close(s->dev);
	s->dev = s->io.dev = NULL;
	return false;
}

void scsi_pattern(const struct scsi *s, uint64_t lba, void *buf, uint32_t len)
{
	blk_pattern(&s->io, lba * (s->block_len / VIRTIO_BLK_SECTOR_SIZE), buf, len);
}

bool scsi_pattern_check(struct scsi *s, uint64_t lba, const void *buf, uint32_t len)
{
	return blk_pattern_check(&s->io, lba * (s->block_len / VIRTIO_BLK_SECTOR_SIZE), buf, len,
				 false);
}

bool scsi_write_pattern(struct scsi *s, uint64_t lba, uint32_t nblocks)
{
	uint8_t cdb[16];
	unsigned n = scsi_cdb_rw(cdb, SCSI_OP_WRITE_16, lba, nblocks);
	uint32_t len = nblocks * s->block_len;
	struct scsi_cmd c;

	if (!scsi_cmd_init(s, &c, cdb, n, len, 0))
		return false;
	scsi_pattern(s, lba, c.dout, len);
	return scsi_cmd_run(s, SCSI_Q_REQ, &c) == 0 && scsi_good(s, &c, "WRITE(16)");
}

bool scsi_read_check(struct scsi *s, uint64_t lba, uint32_t nblocks)
{
	uint8_t cdb[16];
	unsigned n = scsi_cdb_rw(cdb, SCSI_OP_READ_16, lba, nblocks);
	uint32_t len = nblocks * s->block_len;
	struct scsi_cmd c;

	/* A unit attention (after a reset) is not the data's fault. */
	return do_past_ua(s, &c, cdb, n, len) == 0 && scsi_good(s, &c, "READ(16)") &&
	       scsi_pattern_check(s, lba, c.din, len);
}

uint64_t scsi_scratch_lba(const struct scsi *s, unsigned slot)
{
	/* 128 areas of at least 8 blocks (scsi_open_lun: >= 1024 blocks). */
	return (uint64_t)(slot % 128) * (s->blocks / 128);
}

bool scsi_tmf_init(struct scsi *s, struct scsi_tmf *t, uint32_t subtype, uint64_t id)
{
	t->req = blk_alloc(&s->io, sizeof(*t->req), &t->req_gpa);
	t->resp = blk_alloc(&s->io, 1, &t->resp_gpa);
	if (!t->req || !t->resp)
		return false;
	t->req->type = VIRTIO_SCSI_T_TMF;
	t->req->subtype = subtype;
	scsi_host_virtio_lun_encode(t->req->lun, s->target, s->lun);
	t->req->id = id;
	*t->resp = SCSI_RESP_UNSET;
	return true;
}

int scsi_tmf_run(struct scsi *s, struct scsi_tmf *t)
{
	struct blk_chain chain;

	blk_chain_init(&chain);
	blk_chain_add(&chain, t->req_gpa, sizeof(*t->req), false);
	blk_chain_add(&chain, t->resp_gpa, 1, true);
	return blk_chain_run(&s->io, SCSI_Q_CTRL, &chain, t, NULL);
}

/* A write and read-back on the LU. 0, 1 (it did not work), or a negative
 * errno. */
static int follow_up(struct scsi *s)
{
	uint64_t lba = scsi_scratch_lba(s, 127);

	if (!scsi_write_pattern(s, lba, 1) || !scsi_read_check(s, lba, 1))
		return 1;
	return 0;
}

enum conform_verdict scsi_keeps_serving(struct scsi *s)
{
	struct conform_ctx *ctx = s->ctx;
	enum conform_verdict v;
	struct scsi fresh;
	int ret = follow_up(s);

	if (ret == 0)
		return conform_backend_alive(ctx)
			   ? CONFORM_PASS
			   : conform_fail(ctx, "the back-end no longer accepts connections");
	/* The back-end serves one front-end at a time: ours goes first. §2.1.2:
	 * a device may give up on a driver that broke the rules
	 * (DEVICE_NEEDS_RESET; over vhost-user it closes the connection). It
	 * must then serve a new one. */
	conform_dev_close(s->dev);
	s->dev = s->io.dev = NULL;
	if (!conform_backend_alive(ctx))
		return conform_fail(ctx, "the back-end no longer accepts connections");
	conform_note(ctx, "I/O after the malformed request failed: trying a new connection");
	if (!scsi_open_lun(ctx, &fresh, 1, 0, &v))
		return conform_fail(ctx, "the back-end does not serve a new connection");
	if (follow_up(&fresh) == 0)
		return CONFORM_PASS;
	return conform_fail(ctx, "I/O on a new connection failed");
}
