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
#include "spec/vhost_user.h"
#include "util/common.h"
#include "vhost/vhost.h"

/* What the suite's driver side acknowledges where offered: no T10_PI (it
 * changes the request header, §5.6.6.1), no ring features (the virtio-blk
 * suite covers the rings). */
#define SCSI_DEV_FEATURES                                                                         \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES) |            \
	 VIRTIO_BIT(VIRTIO_SCSI_F_INOUT) | VIRTIO_BIT(VIRTIO_SCSI_F_HOTPLUG) |                    \
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

void scsi_lun_set(uint8_t lun[8], uint8_t target, uint16_t l)
{
	memset(lun, 0, 8);
	lun[0] = VIRTIO_SCSI_LUN_FIRST;
	lun[1] = target;
	lun[2] = (uint8_t)(l < 256 ? 0 : VIRTIO_SCSI_LUN_FLAT | l >> 8);
	lun[3] = (uint8_t)l;
}

void scsi_put_be(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> 8 * (bytes - 1 - i));
}

uint64_t scsi_get_be(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

unsigned scsi_cdb_rw(uint8_t *cdb, uint8_t op, uint64_t lba, uint32_t nblocks)
{
	memset(cdb, 0, 16);
	cdb[0] = op;
	switch (op) {
	case SCSI_OP_READ_6:
	case SCSI_OP_WRITE_6:
		/* SBC-4 §5.15 / §5.42: 21-bit LBA, 0 blocks means 256. */
		scsi_put_be(cdb + 1, lba & 0x1fffff, 3);
		cdb[4] = (uint8_t)nblocks;
		return 6;
	case SCSI_OP_READ_10:
	case SCSI_OP_WRITE_10:
	case SCSI_OP_VERIFY_10:
	case SCSI_OP_SYNCHRONIZE_CACHE_10:
	case SCSI_OP_WRITE_SAME_10:
		scsi_put_be(cdb + 2, lba, 4);
		scsi_put_be(cdb + 7, nblocks, 2);
		return 10;
	case SCSI_OP_READ_12:
	case SCSI_OP_WRITE_12:
	case SCSI_OP_VERIFY_12:
		scsi_put_be(cdb + 2, lba, 4);
		scsi_put_be(cdb + 6, nblocks, 4);
		return 12;
	default: /* the 16-byte forms */
		scsi_put_be(cdb + 2, lba, 8);
		scsi_put_be(cdb + 10, nblocks, 4);
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
	scsi_lun_set(c->req->lun, s->target, s->lun);
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

bool scsi_sense_get(const struct scsi_cmd *c, struct scsi_sense *sense)
{
	uint32_t len = MIN(c->resp->sense_len, (uint32_t)sizeof(c->resp->sense));
	const uint8_t *p = c->resp->sense;

	if (len < 1)
		return false;
	sense->response_code = p[0] & 0x7f;
	switch (sense->response_code) {
	case SCSI_SENSE_FIXED_CURRENT:
	case SCSI_SENSE_FIXED_DEFERRED:
		/* SPC-5 §4.4.3: ASC and ASCQ are bytes 12 and 13. */
		if (len < offsetof(struct scsi_sense_fixed, fru))
			return false;
		sense->key = p[2] & 0x0f;
		sense->asc = p[12];
		sense->ascq = p[13];
		return true;
	case SCSI_SENSE_DESC_CURRENT:
	case SCSI_SENSE_DESC_DEFERRED:
		/* SPC-5 §4.4.2: key, ASC, ASCQ in bytes 1 to 3. */
		if (len < offsetof(struct scsi_sense_desc, flags))
			return false;
		sense->key = p[1] & 0x0f;
		sense->asc = p[2];
		sense->ascq = p[3];
		return true;
	}
	return false;
}

static const char *response_name(uint8_t r)
{
	static const char *const names[] = {
	    [VIRTIO_SCSI_S_OK] = "OK",
	    [VIRTIO_SCSI_S_OVERRUN] = "OVERRUN",
	    [VIRTIO_SCSI_S_ABORTED] = "ABORTED",
	    [VIRTIO_SCSI_S_BAD_TARGET] = "BAD_TARGET",
	    [VIRTIO_SCSI_S_RESET] = "RESET",
	    [VIRTIO_SCSI_S_BUSY] = "BUSY",
	    [VIRTIO_SCSI_S_TRANSPORT_FAILURE] = "TRANSPORT_FAILURE",
	    [VIRTIO_SCSI_S_TARGET_FAILURE] = "TARGET_FAILURE",
	    [VIRTIO_SCSI_S_NEXUS_FAILURE] = "NEXUS_FAILURE",
	    [VIRTIO_SCSI_S_FAILURE] = "FAILURE",
	    [VIRTIO_SCSI_S_FUNCTION_SUCCEEDED] = "FUNCTION_SUCCEEDED",
	    [VIRTIO_SCSI_S_FUNCTION_REJECTED] = "FUNCTION_REJECTED",
	    [VIRTIO_SCSI_S_INCORRECT_LUN] = "INCORRECT_LUN",
	};

	if (r == SCSI_RESP_UNSET)
		return "response byte not written";
	return r < ARRAY_SIZE(names) && names[r] ? names[r] : "an undefined response";
}

const char *scsi_outcome(const struct scsi_cmd *c, char *buf, unsigned len)
{
	struct scsi_sense sn;
	uint8_t st = c->resp->status;
	const char *stn = st == SCSI_STATUS_GOOD		? "GOOD"
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
	struct scsi_sense sn;
	char out[96];

	scsi_outcome(c, out, sizeof(out));
	if (c->resp->response != VIRTIO_SCSI_S_OK ||
	    c->resp->status != SCSI_STATUS_CHECK_CONDITION)
		return conform_fail(s->ctx, "%s: %s, not CHECK CONDITION", what, out);
	if (!scsi_sense_get(c, &sn))
		return conform_fail(s->ctx, "%s: CHECK CONDITION without readable sense data "
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
	struct scsi_sense sn;
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

/* SPC-5 §6.33: the first LUN of target 0's list. */
static bool find_lun(struct scsi *s, enum conform_verdict *v)
{
	uint8_t cdb[12] = {SCSI_OP_REPORT_LUNS};
	struct scsi_cmd c;
	uint32_t len;
	const uint8_t *e;
	int ret;

	scsi_put_be(cdb + 6, 4096, 4);
	s->target = 0;
	s->lun = 0;
	ret = do_past_ua(s, &c, cdb, sizeof(cdb), 4096);
	if (ret) {
		*v = conform_error(s->ctx, "REPORT LUNS on target 0: %s", strerror(-ret));
		return false;
	}
	if (!scsi_good(s, &c, "REPORT LUNS on target 0")) {
		*v = conform_error(s->ctx, "REPORT LUNS on target 0 failed: no LU to test");
		return false;
	}
	len = (uint32_t)scsi_get_be(c.din, 4);
	if (len < 8) {
		*v = conform_error(s->ctx, "target 0 reports no LUN: no LU to test");
		return false;
	}
	e = c.din + sizeof(struct scsi_report_luns_header);
	/* SAM-5 §4.7.3: peripheral (00b) or flat (01b) addressing. */
	s->lun = (uint16_t)((e[0] & 0xc0) == VIRTIO_SCSI_LUN_FLAT ? (e[0] & 0x3f) << 8 | e[1]
								   : e[1]);
	return true;
}

/* SBC-4 §5.21 / §5.20: the LU's size; READ CAPACITY(10) when (16) fails. */
static bool find_capacity(struct scsi *s, enum conform_verdict *v)
{
	uint8_t cdb16[16] = {SCSI_OP_SERVICE_ACTION_IN_16, SCSI_SAI_READ_CAPACITY_16};
	uint8_t cdb10[10] = {SCSI_OP_READ_CAPACITY_10};
	struct scsi_cmd c;
	int ret;

	scsi_put_be(cdb16 + 10, sizeof(struct scsi_read_capacity_16), 4);
	ret = do_past_ua(s, &c, cdb16, sizeof(cdb16), sizeof(struct scsi_read_capacity_16));
	if (ret == 0 && scsi_good(s, &c, "READ CAPACITY(16)")) {
		s->blocks = scsi_get_be(c.din, 8) + 1;
		s->block_len = (uint32_t)scsi_get_be(c.din + 8, 4);
	} else {
		ret = do_past_ua(s, &c, cdb10, sizeof(cdb10), 8);
		if (ret || !scsi_good(s, &c, "READ CAPACITY(10)")) {
			*v = conform_error(s->ctx, "the LU's capacity is unknown");
			return false;
		}
		s->blocks = scsi_get_be(c.din, 4) + 1;
		s->block_len = (uint32_t)scsi_get_be(c.din + 4, 4);
	}
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

	return scsi_do(s, &c, cdb, n, NULL, 0, NULL, len) == 0 && scsi_good(s, &c, "READ(16)") &&
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
	scsi_lun_set(t->req->lun, s->target, s->lun);
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
