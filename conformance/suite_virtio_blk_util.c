/* SPDX-License-Identifier: MIT */
/*
 * The virtio-blk suite's toolbox: bring a device up, lay requests out as
 * descriptor chains of any shape, run them, and check data patterns.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conformance/suite_virtio_blk.h"
#include "util/common.h"

bool blk_open(struct conform_ctx *ctx, struct blk *b, uint16_t nqueues, uint64_t drop_features,
	      bool ro_ok, enum conform_verdict *v)
{
	return blk_open_qsize(ctx, b, nqueues, drop_features, ro_ok, BLK_QUEUE_SIZE, v);
}

bool blk_open_qsize(struct conform_ctx *ctx, struct blk *b, uint16_t nqueues,
		    uint64_t drop_features, bool ro_ok, uint16_t queue_size,
		    enum conform_verdict *v)
{
	struct conform_dev_opts opts = {.nqueues = nqueues,
					.want_features = CONFORM_DEV_FEATURES & ~drop_features};
	struct timespec ts;
	int ret;

	memset(b, 0, sizeof(*b));
	b->ctx = ctx;
	/* Patterns differ from run to run: stale data never passes a check. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	b->seed = (uint32_t)ts.tv_nsec ^ (uint32_t)getpid() * 2654435761u;
	opts.queue_size = queue_size;
	ret = conform_dev_setup(ctx, &opts, &b->dev);
	if (ret == -ENOTSUP) {
		*v = conform_not_applicable(ctx, "the back-end has fewer than %u queues", nqueues);
		return false;
	}
	if (ret) {
		*v = conform_error(ctx, "device set-up: %s", strerror(-ret));
		return false;
	}
	if (!b->dev->config_len) {
		*v = conform_error(ctx, "no config space (VHOST_USER_PROTOCOL_F_CONFIG not "
					"offered): capacity unknown");
		goto err;
	}
	memcpy(&b->cfg, b->dev->config, MIN(sizeof(b->cfg), b->dev->config_len));
	b->ro = blk_has(b, VIRTIO_BLK_F_RO);
	b->unit = VIRTIO_BLK_SECTOR_SIZE;
	if (blk_has(b, VIRTIO_BLK_F_BLK_SIZE) && b->cfg.blk_size > b->unit &&
	    IS_POW2(b->cfg.blk_size) && b->cfg.blk_size <= 65536)
		b->unit = b->cfg.blk_size;
	b->unit_sectors = b->unit / VIRTIO_BLK_SECTOR_SIZE;
	if (b->ro && !ro_ok) {
		*v = conform_not_applicable(ctx, "the device is read-only (VIRTIO_BLK_F_RO) and "
						 "the case writes");
		goto err;
	}
	b->capacity = b->cfg.capacity;
	if (b->capacity < 1024) {
		*v = conform_error(ctx, "capacity %llu sectors: the suite needs at least 1024",
				   (unsigned long long)b->capacity);
		goto err;
	}
	return true;
err:
	/* The back-end serves one front-end at a time: free it for the next. */
	conform_dev_close(b->dev);
	b->dev = NULL;
	return false;
}

bool blk_has(const struct blk *b, unsigned feature)
{
	return b->dev->features & VIRTIO_BIT(feature);
}

void *blk_alloc(struct blk *b, uint32_t len, uint64_t *gpa)
{
	void *p = conform_dev_buf(b->dev, len, gpa);

	if (!p)
		conform_note(b->ctx, "guest memory exhausted (%u bytes wanted)", len);
	return p;
}

void blk_chain_init(struct blk_chain *c)
{
	c->n = 0;
	c->indirect = false;
}

void blk_chain_add(struct blk_chain *c, uint64_t gpa, uint32_t len, bool writable)
{
	if (c->n < BLK_MAX_SEGS)
		c->seg[c->n++] = (struct blk_seg){.gpa = gpa, .len = len, .writable = writable};
	else
		c->n++; /* blk_chain_add_to refuses the chain */
}

void blk_chain_add_split(struct blk_chain *c, uint64_t gpa, uint32_t len, bool writable,
			 const uint32_t *sizes, unsigned nsizes)
{
	uint32_t off = 0;

	for (unsigned i = 0; off < len; i++) {
		uint32_t n = MIN(sizes[i % nsizes], len - off);

		blk_chain_add(c, gpa + off, n, writable);
		off += n;
	}
}

int blk_table_add_to(struct blk *b, uint16_t q, uint64_t gpa, uint32_t len, void *cookie)
{
	struct virtq_drv *vq = &b->dev->vq[q];
	struct virtq_buf buf = {.addr = gpa, .len = len};
	uint16_t head;
	int ret = virtq_drv_add(vq, &buf, 1, 0, cookie);

	if (ret)
		return ret;
	head = vq->avail->ring[(uint16_t)(vq->avail_idx - 1) & (vq->num - 1)];
	vq->desc[head].flags = VIRTQ_DESC_F_INDIRECT;
	return 0;
}

/* §2.7.5.3: the chain as an indirect table in guest memory, referred to by
 * one ring descriptor. */
static int chain_add_indirect(struct blk *b, uint16_t q, const struct blk_chain *c, void *cookie)
{
	struct virtq_desc *table;
	uint64_t gpa;

	table = blk_alloc(b, c->n * (uint32_t)sizeof(*table), &gpa);
	if (!table)
		return -ENOMEM;
	for (unsigned i = 0; i < c->n; i++) {
		table[i] = (struct virtq_desc){
		    .addr = c->seg[i].gpa,
		    .len = c->seg[i].len,
		    .flags = (uint16_t)((c->seg[i].writable ? VIRTQ_DESC_F_WRITE : 0) |
					(i + 1 < c->n ? VIRTQ_DESC_F_NEXT : 0)),
		    .next = (uint16_t)(i + 1 < c->n ? i + 1 : 0),
		};
	}
	return blk_table_add_to(b, q, gpa, c->n * (uint32_t)sizeof(*table), cookie);
}

int blk_chain_add_to(struct blk *b, uint16_t q, const struct blk_chain *c, void *cookie)
{
	struct virtq_drv *vq = &b->dev->vq[q];
	struct virtq_buf bufs[BLK_MAX_SEGS];
	uint16_t idx;
	int ret;

	if (c->n == 0 || c->n > BLK_MAX_SEGS)
		return -EINVAL;
	if (c->indirect)
		return chain_add_indirect(b, q, c, cookie);
	for (unsigned i = 0; i < c->n; i++)
		bufs[i] = (struct virtq_buf){.addr = c->seg[i].gpa, .len = c->seg[i].len};
	/* The driver side lays out readable-then-writable chains only; add
	 * them all as readable, then set each descriptor's direction as the
	 * case asked (the chain is not published yet). */
	ret = virtq_drv_add(vq, bufs, (uint16_t)c->n, 0, cookie);
	if (ret)
		return ret;
	idx = vq->avail->ring[(uint16_t)(vq->avail_idx - 1) & (vq->num - 1)];
	for (unsigned i = 0; i < c->n; i++) {
		struct virtq_desc *d = &vq->desc[idx];

		d->flags = (uint16_t)((c->seg[i].writable ? VIRTQ_DESC_F_WRITE : 0) |
				      (i + 1 < c->n ? VIRTQ_DESC_F_NEXT : 0));
		idx = d->next;
	}
	return 0;
}

int blk_wait_cookie(struct blk *b, uint16_t q, void *cookie, uint32_t *used_len)
{
	for (;;) {
		void *got;
		uint32_t len;
		int ret = conform_dev_wait_used(b->dev, q, &got, &len);

		if (ret) {
			conform_note(b->ctx, "queue %u: waiting for a used entry: %s", q,
				     strerror(-ret));
			return ret;
		}
		if (got == cookie) {
			if (used_len)
				*used_len = len;
			return 0;
		}
		conform_note(b->ctx, "queue %u: an earlier chain was used (len %u)", q, len);
	}
}

int blk_chain_run(struct blk *b, uint16_t q, const struct blk_chain *c, void *cookie,
		  uint32_t *used_len)
{
	int ret = blk_chain_add_to(b, q, c, cookie);

	if (ret) {
		conform_note(b->ctx, "adding a chain of %u descriptors: %s", c->n, strerror(-ret));
		return ret;
	}
	conform_dev_kick(b->dev, q);
	return blk_wait_cookie(b, q, cookie, used_len);
}

bool blk_req_init(struct blk *b, struct blk_req *r, uint32_t type, uint64_t sector,
		  uint32_t data_len)
{
	memset(r, 0, sizeof(*r));
	r->hdr = blk_alloc(b, sizeof(*r->hdr), &r->hdr_gpa);
	r->status = blk_alloc(b, 1, &r->status_gpa);
	if (data_len)
		r->data = blk_alloc(b, data_len, &r->data_gpa);
	if (!r->hdr || !r->status || (data_len && !r->data))
		return false;
	*r->hdr = (struct virtio_blk_outhdr){.type = type, .sector = sector};
	*r->status = BLK_STATUS_UNSET;
	r->data_len = data_len;
	r->data_writable = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	return true;
}

void blk_req_chain(const struct blk_req *r, struct blk_chain *c)
{
	blk_chain_init(c);
	blk_chain_add(c, r->hdr_gpa, sizeof(*r->hdr), false);
	if (r->data_len)
		blk_chain_add(c, r->data_gpa, r->data_len, r->data_writable);
	blk_chain_add(c, r->status_gpa, 1, true);
}

int blk_req_run(struct blk *b, uint16_t q, struct blk_req *r)
{
	struct blk_chain c;
	int ret;

	blk_req_chain(r, &c);
	ret = blk_chain_run(b, q, &c, r, &r->used_len);
	return ret ? ret : *r->status;
}

int blk_do(struct blk *b, uint16_t q, uint32_t type, uint64_t sector, void *buf, uint32_t len)
{
	struct blk_req r;
	int ret;

	if (!blk_req_init(b, &r, type, sector, len))
		return -ENOMEM;
	if (len && buf && !r.data_writable)
		memcpy(r.data, buf, len);
	ret = blk_req_run(b, q, &r);
	if (ret >= 0 && len && buf && r.data_writable)
		memcpy(buf, r.data, len);
	return ret;
}

int blk_do_dwz(struct blk *b, uint16_t q, uint32_t type,
	       const struct virtio_blk_discard_write_zeroes *segs, unsigned nseg)
{
	return blk_do(b, q, type, 0, (void *)segs, nseg * (uint32_t)sizeof(*segs));
}

void blk_pattern(const struct blk *b, uint64_t sector, void *buf, uint32_t len)
{
	uint8_t *p = buf;

	for (uint32_t i = 0; i < len; i++) {
		uint64_t x = (sector + i / VIRTIO_BLK_SECTOR_SIZE) * 0x9e3779b97f4a7c15ull ^
			     (i % VIRTIO_BLK_SECTOR_SIZE) * 0xff51afd7ed558ccdull ^ b->seed;

		p[i] = (uint8_t)(x ^ x >> 29 ^ x >> 47);
	}
}

bool blk_pattern_check(struct blk *b, uint64_t sector, const void *buf, uint32_t len, bool zero)
{
	static uint8_t want[1 << 20];
	const uint8_t *p = buf;

	if (len > sizeof(want))
		return false;
	if (zero)
		memset(want, 0, len);
	else
		blk_pattern(b, sector, want, len);
	for (uint32_t i = 0; i < len; i++) {
		if (p[i] != want[i]) {
			conform_note(b->ctx,
				     "data differs at sector %llu byte %u: read 0x%02x, expected "
				     "0x%02x",
				     (unsigned long long)(sector + i / VIRTIO_BLK_SECTOR_SIZE),
				     i % VIRTIO_BLK_SECTOR_SIZE, p[i], want[i]);
			return false;
		}
	}
	return true;
}

bool blk_write_pattern(struct blk *b, uint16_t q, uint64_t sector, uint32_t len)
{
	struct blk_req r;
	int ret;

	if (!blk_req_init(b, &r, VIRTIO_BLK_T_OUT, sector, len))
		return false;
	blk_pattern(b, sector, r.data, len);
	ret = blk_req_run(b, q, &r);
	if (ret != VIRTIO_BLK_S_OK)
		conform_note(b->ctx, "write of %u bytes at sector %llu: %s", len,
			     (unsigned long long)sector, blk_status_name(ret));
	return ret == VIRTIO_BLK_S_OK;
}

bool blk_read_check(struct blk *b, uint16_t q, uint64_t sector, uint32_t len, bool zero)
{
	struct blk_req r;
	int ret;

	if (!blk_req_init(b, &r, VIRTIO_BLK_T_IN, sector, len))
		return false;
	ret = blk_req_run(b, q, &r);
	if (ret != VIRTIO_BLK_S_OK) {
		conform_note(b->ctx, "read of %u bytes at sector %llu: %s", len,
			     (unsigned long long)sector, blk_status_name(ret));
		return false;
	}
	return blk_pattern_check(b, sector, r.data, len, zero);
}

const char *blk_status_name(int status)
{
	static char other[32];

	switch (status) {
	case VIRTIO_BLK_S_OK:
		return "OK";
	case VIRTIO_BLK_S_IOERR:
		return "IOERR";
	case VIRTIO_BLK_S_UNSUPP:
		return "UNSUPP";
	case BLK_STATUS_UNSET:
		return "status byte not written";
	}
	if (status < 0)
		return strerror(-status);
	snprintf(other, sizeof(other), "status %d", status);
	return other;
}

uint64_t blk_scratch_sector(const struct blk *b, unsigned slot)
{
	/* 128 areas of at least 8 sectors (blk_open: capacity >= 1024). */
	uint64_t s = (uint64_t)(slot % 128) * (b->capacity / 128);

	return s / b->unit_sectors * b->unit_sectors;
}

/* The follow-up of blk_keeps_serving: a write and read-back, or on a
 * read-only device a read. A status, or a negative errno. */
static int follow_up(struct blk *b, uint16_t q, uint64_t sector, uint8_t *buf)
{
	int ret;

	if (b->ro)
		return blk_do(b, q, VIRTIO_BLK_T_IN, sector, buf, 4096);
	blk_pattern(b, sector, buf, 4096);
	ret = blk_do(b, q, VIRTIO_BLK_T_OUT, sector, buf, 4096);
	if (ret != VIRTIO_BLK_S_OK)
		return ret;
	ret = blk_do(b, q, VIRTIO_BLK_T_IN, sector, buf, 4096);
	if (ret == VIRTIO_BLK_S_OK && !blk_pattern_check(b, sector, buf, 4096, false))
		return VIRTIO_BLK_S_IOERR;
	return ret;
}

enum conform_verdict blk_keeps_serving(struct blk *b, uint16_t q)
{
	uint64_t sector = blk_scratch_sector(b, 127);
	uint8_t *buf = blk_alloc(b, 4096, NULL);
	enum conform_verdict v;
	struct blk fresh;
	int ret;

	if (!buf)
		return conform_error(b->ctx, "out of guest memory");
	ret = follow_up(b, q, sector, buf);
	if (ret >= 0 && ret != VIRTIO_BLK_S_OK)
		return conform_fail(b->ctx, "I/O after the malformed request: %s",
				    blk_status_name(ret));
	if (ret < 0 && ret != -ECONNRESET && ret != -EPIPE)
		return conform_fail(b->ctx, "I/O after the malformed request: %s",
				    blk_status_name(ret));
	/* The back-end serves one front-end at a time: ours goes first. */
	conform_dev_close(b->dev);
	b->dev = NULL;
	if (!conform_backend_alive(b->ctx))
		return conform_fail(b->ctx, "the back-end no longer accepts connections");
	if (ret == VIRTIO_BLK_S_OK)
		return CONFORM_PASS;
	/* §2.1.2: a device may give up on a driver that broke the rules
	 * (DEVICE_NEEDS_RESET; over vhost-user it closes the connection). It
	 * must then serve a new one. */
	conform_note(b->ctx, "the back-end closed the connection: trying a new one");
	if (!blk_open(b->ctx, &fresh, 1, 0, true, &v))
		return conform_fail(b->ctx, "the back-end does not serve a new connection");
	buf = blk_alloc(&fresh, 4096, NULL);
	ret = buf ? follow_up(&fresh, 0, sector, buf) : -ENOMEM;
	if (ret == VIRTIO_BLK_S_OK)
		return CONFORM_PASS;
	return conform_fail(b->ctx, "I/O on a new connection failed: %s", blk_status_name(ret));
}
