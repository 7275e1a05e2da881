/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk suite: how a request is laid out in descriptors. §2.7.4.1: the
 * device must not assume any particular arrangement, so every well-formed
 * layout gives the result of the ordinary one (header, data, status in a
 * descriptor each), which each such case runs first as its control;
 * §2.7.5.3: indirect tables; and chains the driver must not make (§2.7.4.2,
 * §5.2.6), where only §2.7.5.1 binds the device (it writes no
 * device-readable buffer) and the rest is advisory.
 */
#include <errno.h>
#include <string.h>

#include "conformance/suite_virtio_blk.h"
#include "util/common.h"

/* Which parts of a request get which descriptor sizes. */
struct layout {
	const uint32_t *hdr_split; /* NULL: one descriptor */
	unsigned hdr_nsplit;
	const uint32_t *data_split;
	unsigned data_nsplit;
	bool status_with_data; /* reads: status in the last data descriptor */
	bool hdr_with_data;    /* writes: header and data in one descriptor */
	bool indirect;
};

/* Header, data and status in a descriptor each: the control of every case. */
static const struct layout g_plain = {0};

/*
 * Builds a request of type at sector with len bytes of data laid out as l
 * says. The header, data and status are contiguous in guest memory, so any
 * split is just a different set of descriptors over the same bytes.
 */
static bool layout_chain(struct blk *b, const struct layout *l, uint32_t type, uint64_t sector,
			 uint32_t len, struct blk_chain *c, uint8_t **data, uint8_t **status)
{
	bool rd = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	uint64_t gpa;
	uint8_t *mem = blk_alloc(b, 16 + len + 1, &gpa);

	if (!mem)
		return false;
	*(struct virtio_blk_outhdr *)mem =
	    (struct virtio_blk_outhdr){.type = type, .sector = sector};
	*data = mem + 16;
	*status = mem + 16 + len;
	**status = BLK_STATUS_UNSET;
	blk_chain_init(c);
	c->indirect = l->indirect;
	if (l->hdr_with_data && !rd) {
		blk_chain_add_split(c, gpa, 16 + len, false, l->data_split, l->data_nsplit);
	} else {
		if (l->hdr_split)
			blk_chain_add_split(c, gpa, 16, false, l->hdr_split, l->hdr_nsplit);
		else
			blk_chain_add(c, gpa, 16, false);
		if (len && l->data_split)
			blk_chain_add_split(c, gpa + 16, len + (l->status_with_data && rd), rd,
					    l->data_split, l->data_nsplit);
		else if (len)
			blk_chain_add(c, gpa + 16, len + (l->status_with_data && rd), rd);
	}
	if (!(l->status_with_data && rd && len))
		blk_chain_add(c, gpa + 16 + len, 1, true);
	return true;
}

/* A layout's status when the write and read completed OK but the data read
 * is not the data written (not a virtio status: those fit in a byte). */
#define LAY_DATA_DIFFERS 0x100

/*
 * Whether chain c stays inside the limits the device announced: seg_max
 * counted over every descriptor (the stricter of its two readings, so that a
 * device that counts header and status is not failed here; BLK-LAY-010 takes
 * the other) and size_max for each descriptor. §2.7.4.1 lets a device limit
 * the descriptors of a chain; a layout case keeps below that limit, or it
 * would judge the limit instead of the arrangement.
 */
static bool chain_within_limits(const struct blk *b, const struct blk_chain *c)
{
	/* A limit of 0 limits nothing (qemu-storage-daemon offers SIZE_MAX
	 * with size_max 0). */
	if (blk_has(b, VIRTIO_BLK_F_SEG_MAX) && b->cfg.seg_max && c->n > b->cfg.seg_max)
		return false;
	for (unsigned i = 0; blk_has(b, VIRTIO_BLK_F_SIZE_MAX) && b->cfg.size_max && i < c->n; i++)
		if (c->seg[i].len > b->cfg.size_max)
			return false;
	return true;
}

/* Runs a request laid out as l; its status or a negative errno. strict:
 * -E2BIG, and nothing sent, when the chain is outside the device's limits. */
static int layout_run(struct blk *b, const struct layout *l, uint32_t type, uint64_t sector,
		      uint32_t len, bool strict, uint8_t **data)
{
	static struct blk_chain chain;
	struct blk_chain *c = &chain;
	uint8_t *status;
	int ret;

	if (!layout_chain(b, l, type, sector, len, c, data, &status))
		return -ENOMEM;
	if (strict && !chain_within_limits(b, c)) {
		conform_note(b->ctx, "%u descriptors (seg_max %u, size_max %u): past the device's limits",
			     c->n, b->cfg.seg_max, b->cfg.size_max);
		return -E2BIG;
	}
	if (type == VIRTIO_BLK_T_OUT)
		blk_pattern(b, sector, *data, len);
	conform_note(b->ctx, "type %u, %u bytes in %u descriptors%s", type, len, c->n,
		     l->indirect ? " (indirect)" : "");
	ret = blk_chain_run(b, 0, c, c, NULL);
	return ret ? ret : *status;
}

/* A write laid out as w, then a read laid out as r, at sector: OK when both
 * completed OK and the data read is the data written, LAY_DATA_DIFFERS, or
 * the first other status (or negative errno) with *step naming the request. */
static int pair_run(struct blk *b, const struct layout *w, const struct layout *r,
		    uint64_t sector, uint32_t len, const char **step)
{
	uint8_t *data;
	int st;

	*step = "write";
	st = layout_run(b, w, VIRTIO_BLK_T_OUT, sector, len, true, &data);
	if (st != VIRTIO_BLK_S_OK)
		return st;
	*step = "read";
	st = layout_run(b, r, VIRTIO_BLK_T_IN, sector, len, true, &data);
	if (st != VIRTIO_BLK_S_OK)
		return st;
	return blk_pattern_check(b, sector, data, len, false) ? VIRTIO_BLK_S_OK : LAY_DATA_DIFFERS;
}

/*
 * §2.7.4.1: a write laid out as w, then a read laid out as r, must give what
 * the ordinary layout gives. The ordinary layout runs first with other data
 * (its control): when it fails too, the arrangement is not what the device
 * got wrong, and the case reports an error instead of a verdict.
 */
static enum conform_verdict layout_pair(struct blk *b, const struct layout *w,
					const struct layout *r, unsigned slot, uint32_t len)
{
	struct conform_ctx *ctx = b->ctx;
	uint32_t seed = b->seed;
	const char *step;
	uint64_t sector;
	int st;

	if ((w->indirect || r->indirect) && !blk_has(b, VIRTIO_RING_F_INDIRECT_DESC))
		return conform_not_applicable(ctx, "VIRTIO_RING_F_INDIRECT_DESC not negotiated");
	sector = blk_scratch_sector(b, slot);
	b->seed = seed ^ 0x5bd1e995u;
	st = pair_run(b, &g_plain, &g_plain, sector, len, &step);
	b->seed = seed;
	if (st == -E2BIG)
		return conform_not_applicable(ctx, "the ordinary layout is past seg_max or size_max");
	if (st != VIRTIO_BLK_S_OK)
		return conform_error(ctx,
				     "the ordinary layout fails too (%s: %s): the arrangement is not "
				     "the cause",
				     step, st == LAY_DATA_DIFFERS ? "data differs" : blk_status_name(st));
	st = pair_run(b, w, r, sector, len, &step);
	if (st == -E2BIG)
		return conform_not_applicable(ctx, "this layout is past seg_max or size_max");
	if (st == LAY_DATA_DIFFERS)
		return conform_fail(ctx, "the data read differs from the data written");
	if (st != VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "the %s: %s (the ordinary layout: OK)", step,
				    blk_status_name(st));
	return CONFORM_PASS;
}

static const uint32_t g_odd[] = {1, 511, 7, 1000, 3, 64, 129, 2};
static const uint32_t g_hdr3[] = {5, 3, 8};

BLK_CASE(blk_lay_odd_split)
{
	struct blk b;
	const struct layout odd = {.data_split = g_odd, .data_nsplit = ARRAY_SIZE(g_odd)};
	const uint32_t other[] = {333, 4, 1, 1500};
	const struct layout odd2 = {.data_split = other, .data_nsplit = ARRAY_SIZE(other)};

	BLK_OPEN(&b, 1, 0);
	return layout_pair(&b, &odd, &odd2, 20, 8192);
}

/* BLK-LAY-002's data descriptors without SEG_MAX: far below the IOV_MAX-based
 * limits §2.7.4 calls large-but-reasonable, and more than a device that
 * sizes its scatter list by the sector count (plus some) can hold. */
#define LAY_ONE_BYTE_DESCS 64

BLK_CASE(blk_lay_one_byte_descs)
{
	static uint32_t sizes[LAY_ONE_BYTE_DESCS];
	struct layout l = {.data_split = sizes};
	uint32_t n = LAY_ONE_BYTE_DESCS;
	struct blk b;

	BLK_OPEN(&b, 1, 0);
	/* One-byte descriptors and one for the rest of the block, with header
	 * and status within seg_max however the device counts it: the count
	 * is BLK-LAY-010's and BLK-LAY-011's subject, the size this case's. */
	if (blk_has(&b, VIRTIO_BLK_F_SEG_MAX) && b.cfg.seg_max)
		n = MIN(n, b.cfg.seg_max > 2 ? b.cfg.seg_max - 2 : 0);
	if (n < 2)
		return conform_not_applicable(ctx, "seg_max %u leaves no room to split the data",
					      b.cfg.seg_max);
	for (uint32_t i = 0; i < n; i++)
		sizes[i] = i + 1 < n ? 1 : b.unit;
	l.data_nsplit = n;
	return layout_pair(&b, &l, &l, 21, b.unit);
}

BLK_CASE(blk_lay_header_split)
{
	struct blk b;
	const struct layout l = {.hdr_split = g_hdr3, .hdr_nsplit = ARRAY_SIZE(g_hdr3)};

	BLK_OPEN(&b, 1, 0);
	return layout_pair(&b, &l, &l, 22, 4096);
}

BLK_CASE(blk_lay_status_shared_read)
{
	struct blk b;
	const struct layout l = {.status_with_data = true};

	BLK_OPEN(&b, 1, 0);
	return layout_pair(&b, &g_plain, &l, 23, 4096);
}

BLK_CASE(blk_lay_header_with_data)
{
	struct blk b;
	const uint32_t one[] = {16 + 4096};
	const struct layout l = {.hdr_with_data = true, .data_split = one, .data_nsplit = 1};

	BLK_OPEN(&b, 1, 0);
	return layout_pair(&b, &l, &g_plain, 24, 4096);
}

BLK_CASE(blk_lay_indirect_read)
{
	struct blk b;
	/* The ordinary layout in the table: indirection alone (odd splits are
	 * BLK-LAY-001's and BLK-LAY-003's subject). */
	const struct layout l = {.indirect = true};

	BLK_OPEN(&b, 1, 0);
	return layout_pair(&b, &g_plain, &l, 25, 4096);
}

BLK_CASE(blk_lay_indirect_write)
{
	struct blk b;
	/* As BLK-LAY-006: a plain header in the table, so that a device that
	 * wants the header in one descriptor fails BLK-LAY-003, not this. */
	const struct layout l = {.indirect = true};

	BLK_OPEN(&b, 1, 0);
	return layout_pair(&b, &l, &g_plain, 26, 4096);
}

/*
 * A chain whose head is a direct descriptor (the header) and whose next
 * descriptor refers to an indirect table with the data and status.
 * flip_write sets WRITE on the indirect descriptor instead (and makes it
 * the head), which the device must ignore.
 */
static enum conform_verdict indirect_tail(struct conform_ctx *ctx, bool direct_head,
					  bool flip_write)
{
	struct virtq_desc *table;
	struct virtq_drv *vq;
	struct blk_req r;
	struct virtq_buf bufs[2];
	uint64_t sector, tgpa;
	uint16_t head, idx;
	struct blk b;
	int ret;

	BLK_OPEN(&b, 1, 0);
	if (!blk_has(&b, VIRTIO_RING_F_INDIRECT_DESC))
		return conform_not_applicable(ctx, "VIRTIO_RING_F_INDIRECT_DESC not negotiated");
	sector = blk_scratch_sector(&b, direct_head ? 27 : 28);
	/* The control: the data written and read back in the ordinary layout. */
	if (!blk_write_pattern(&b, 0, sector, 4096) || !blk_read_check(&b, 0, sector, 4096, false))
		return conform_error(ctx, "a write and read in the ordinary layout fail: the "
					  "indirect table is not the cause");
	table = blk_alloc(&b, 3 * sizeof(*table), &tgpa);
	if (!table || !blk_req_init(&b, &r, VIRTIO_BLK_T_IN, sector, 4096))
		return conform_error(ctx, "out of guest memory");
	vq = &b.dev->vq[0];
	/* Entries of the table: [header,] data, status. */
	idx = 0;
	if (!direct_head)
		table[idx++] = (struct virtq_desc){r.hdr_gpa, 16, VIRTQ_DESC_F_NEXT, (uint16_t)idx};
	table[idx] = (struct virtq_desc){r.data_gpa, 4096, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
					 (uint16_t)(idx + 1)};
	idx++;
	table[idx] = (struct virtq_desc){r.status_gpa, 1, VIRTQ_DESC_F_WRITE, 0};
	idx++;
	bufs[0] = (struct virtq_buf){r.hdr_gpa, 16};
	bufs[1] = (struct virtq_buf){tgpa, idx * (uint32_t)sizeof(*table)};
	ret = virtq_drv_add(vq, direct_head ? bufs : bufs + 1, 1, direct_head ? 1 : 0, &r);
	if (ret)
		return conform_error(ctx, "adding the chain: %s", strerror(-ret));
	head = vq->avail->ring[(uint16_t)(vq->avail_idx - 1) & (vq->num - 1)];
	idx = direct_head ? vq->desc[head].next : head;
	if (direct_head)
		vq->desc[head].flags = VIRTQ_DESC_F_NEXT;
	/* §2.7.5.3.2: the device ignores WRITE on a descriptor that refers to
	 * an indirect table. */
	vq->desc[idx].flags =
	    (uint16_t)(VIRTQ_DESC_F_INDIRECT | (flip_write ? VIRTQ_DESC_F_WRITE : 0));
	conform_note(ctx, "%s%s",
		     direct_head ? "header direct, then an indirect table" : "an indirect table",
		     flip_write ? " whose descriptor has WRITE set" : "");
	conform_dev_kick(b.dev, 0);
	ret = blk_wait_cookie(&b, 0, &r, NULL);
	if (ret)
		return conform_fail(ctx, "no answer: %s", strerror(-ret));
	if (*r.status != VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "status %s, expected OK", blk_status_name(*r.status));
	if (!blk_pattern_check(&b, sector, r.data, 4096, false))
		return conform_fail(ctx, "the data read differs from the data written");
	return CONFORM_PASS;
}

BLK_CASE(blk_lay_indirect_after_direct)
{
	return indirect_tail(ctx, true, false);
}
BLK_CASE(blk_lay_indirect_write_flag)
{
	return indirect_tail(ctx, false, true);
}

/* seg_max as Linux reads it: data segments, header and status apart. */
static uint32_t seg_max_of(const struct blk *b)
{
	return blk_has(b, VIRTIO_BLK_F_SEG_MAX) ? b->cfg.seg_max : 0;
}

static enum conform_verdict segs_run(struct conform_ctx *ctx, bool over)
{
	uint32_t segs, len, seg_len[1];
	enum conform_verdict v;
	struct layout l512 = {.data_split = seg_len, .data_nsplit = 1};
	uint64_t sector;
	uint8_t *data;
	struct blk b;
	int st;

	if (!blk_open_qsize(ctx, &b, 1, 0, false, BLK_LONG_QUEUE_SIZE, &v))
		return v;
	segs = seg_max_of(&b) + (over ? 1 : 0);
	if (!seg_max_of(&b))
		return conform_not_applicable(ctx, "VIRTIO_BLK_F_SEG_MAX not negotiated");
	if (segs + 2 > BLK_LONG_QUEUE_SIZE || segs > BLK_MAX_SEGS - 2)
		return conform_not_applicable(ctx,
					      "seg_max %u: more descriptors than a 1024-entry "
					      "ring holds",
					      seg_max_of(&b));
	/* One unit (a sector, or blk_size) per segment. */
	seg_len[0] = b.unit;
	len = segs * b.unit;
	sector = blk_scratch_sector(&b, over ? 30 : 29);
	st = layout_run(&b, &l512, VIRTIO_BLK_T_OUT, sector, len, false, &data);
	conform_note(ctx, "a write in %u data segments (seg_max %u): %s", segs, seg_max_of(&b),
		     blk_status_name(st));
	if (over) {
		/* §2.7.4.1: a device MAY limit the descriptors of a chain. */
		if (st == VIRTIO_BLK_S_OK && !blk_read_check(&b, 0, sector, len, false))
			return conform_fail(ctx, "the device took the write but the data does not "
						 "read back");
		return blk_keeps_serving(&b, 0);
	}
	if (st != VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "%u data segments: %s", segs, blk_status_name(st));
	st = layout_run(&b, &l512, VIRTIO_BLK_T_IN, sector, len, false, &data);
	if (st != VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "the read in %u segments: %s", segs, blk_status_name(st));
	if (!blk_pattern_check(&b, sector, data, len, false))
		return conform_fail(ctx, "the data read differs from the data written");
	return CONFORM_PASS;
}

BLK_CASE(blk_lay_seg_max)
{
	return segs_run(ctx, false);
}
BLK_CASE(blk_lay_over_seg_max)
{
	return segs_run(ctx, true);
}

/*
 * ---- Chains the driver must not make ----
 *
 * A readable descriptor after a writable one (§2.7.4.2), no writable byte, a
 * header of 8 bytes (§5.2.6), and a zero-length data descriptor (which §2.7.5
 * neither allows nor forbids). The spec gives the device no answer for
 * them; what still binds it is §2.7.5.1 (BLK-LAY-012: no write to a
 * device-readable buffer). Answering sensibly and serving on (or giving up on
 * the driver and serving a new one, §2.1.2) is what a robust device does:
 * the other cases here are advisories.
 */

enum malformed {
	MAL_READABLE_AFTER_WRITABLE, /* §2.7.4.2 */
	MAL_NO_STATUS,		     /* §5.2.6: no device-writable byte */
	MAL_SHORT_HEADER,	     /* §5.2.6: 8 of the 16 header bytes */
	MAL_ZERO_LEN_DESC,	     /* a zero-length data descriptor */
};

/* What the data buffer holds before the device answers: bytes it did not
 * write show. */
#define MAL_MARK 0x5a

/* Builds the malformed chain kind for a read of r (data_len bytes). */
static void malformed_chain(const struct blk_req *r, enum malformed kind, struct blk_chain *c)
{
	blk_chain_init(c);
	switch (kind) {
	case MAL_READABLE_AFTER_WRITABLE:
		blk_chain_add(c, r->hdr_gpa, 16, false);
		blk_chain_add(c, r->data_gpa, r->data_len / 2, true);
		blk_chain_add(c, r->data_gpa + r->data_len / 2, r->data_len / 2, false);
		blk_chain_add(c, r->status_gpa, 1, true);
		break;
	case MAL_NO_STATUS:
		blk_chain_add(c, r->hdr_gpa, 16, false);
		break;
	case MAL_SHORT_HEADER:
		/* The header's other 8 bytes (the sector) follow in memory, in
		 * no descriptor: a device that reads 16 bytes from the first
		 * descriptor's address finds a valid read there. */
		blk_chain_add(c, r->hdr_gpa, 8, false);
		blk_chain_add(c, r->data_gpa, r->data_len, true);
		blk_chain_add(c, r->status_gpa, 1, true);
		break;
	case MAL_ZERO_LEN_DESC:
		blk_chain_add(c, r->hdr_gpa, 16, false);
		blk_chain_add(c, r->data_gpa, r->data_len / 2, true);
		blk_chain_add(c, r->data_gpa + r->data_len / 2, 0, true);
		blk_chain_add(c, r->data_gpa + r->data_len / 2, r->data_len / 2, true);
		blk_chain_add(c, r->status_gpa, 1, true);
		break;
	}
}

/*
 * Opens a device, writes the pattern at slot's sector, then makes chain kind
 * for a read of it available and kicks. false with *v (the case's verdict)
 * when that cannot be done.
 */
static bool malformed_send(struct conform_ctx *ctx, struct blk *b, enum malformed kind,
			   unsigned slot, struct blk_req *r, enum conform_verdict *v)
{
	static struct blk_chain chain;
	uint64_t sector;
	int ret;

	if (!blk_open(ctx, b, 1, 0, false, v))
		return false;
	sector = blk_scratch_sector(b, slot);
	if (!blk_write_pattern(b, 0, sector, b->unit) ||
	    !blk_req_init(b, r, VIRTIO_BLK_T_IN, sector, b->unit)) {
		*v = conform_error(ctx, "the write before the malformed chain failed");
		return false;
	}
	memset(r->data, MAL_MARK, b->unit);
	malformed_chain(r, kind, &chain);
	ret = blk_chain_add_to(b, 0, &chain, r);
	if (ret) {
		*v = conform_error(ctx, "adding the chain: %s", strerror(-ret));
		return false;
	}
	conform_dev_kick(b->dev, 0);
	return true;
}

/* The malformed chain's status, or a negative errno: -ETIMEDOUT when it
 * was not used in time (a device may hold a chain it cannot serve). */
static int malformed_answer(struct blk *b, struct blk_req *r)
{
	int ret = blk_wait_cookie(b, 0, r, NULL);

	conform_note(b->ctx, "the malformed chain: %s",
		     ret ? strerror(-ret) : blk_status_name(*r->status));
	return ret ? ret : *r->status;
}

BLK_CASE(blk_lay_readable_after_writable)
{
	struct virtio_blk_outhdr hdr;
	enum conform_verdict v;
	struct blk_req r;
	uint32_t half;
	struct blk b;

	if (!malformed_send(ctx, &b, MAL_READABLE_AFTER_WRITABLE, 31, &r, &v))
		return v;
	hdr = (struct virtio_blk_outhdr){.type = VIRTIO_BLK_T_IN,
					 .sector = blk_scratch_sector(&b, 31)};
	half = b.unit / 2;
	(void)malformed_answer(&b, &r);
	/* §2.7.5.1: header and second half of the data are device-readable. */
	if (memcmp(r.hdr, &hdr, sizeof(hdr)) != 0)
		return conform_fail(ctx, "the device wrote into the header, a device-readable "
					 "buffer");
	for (uint32_t i = half; i < b.unit; i++)
		if (r.data[i] != MAL_MARK)
			return conform_fail(ctx,
					    "the device wrote into the device-readable data "
					    "descriptor after the writable one (its byte %u is "
					    "0x%02x)",
					    i - half, r.data[i]);
	return CONFORM_PASS;
}

/* Sends chain kind; then only "the device keeps serving" is checked. The
 * follow-up waits for its own entry: the malformed chain may come back
 * first (len 0) or never. */
static enum conform_verdict malformed_serving(struct conform_ctx *ctx, enum malformed kind,
					      unsigned slot)
{
	enum conform_verdict v;
	struct blk_req r;
	struct blk b;

	if (!malformed_send(ctx, &b, kind, slot, &r, &v))
		return v;
	return blk_keeps_serving(&b, 0);
}

BLK_CASE(blk_lay_bad_order_serving)
{
	return malformed_serving(ctx, MAL_READABLE_AFTER_WRITABLE, 35);
}

BLK_CASE(blk_lay_no_status)
{
	return malformed_serving(ctx, MAL_NO_STATUS, 32);
}

BLK_CASE(blk_lay_short_header)
{
	enum conform_verdict v;
	struct blk_req r;
	uint8_t *want;
	struct blk b;

	if (!malformed_send(ctx, &b, MAL_SHORT_HEADER, 33, &r, &v))
		return v;
	want = blk_alloc(&b, b.unit, NULL);
	if (!want)
		return conform_error(ctx, "out of guest memory");
	if (malformed_answer(&b, &r) == VIRTIO_BLK_S_OK) {
		/* The sector is in no buffer the driver gave: OK means the
		 * device read it from memory past the 8-byte descriptor (the
		 * data then is that sector's) or made one up. */
		blk_pattern(&b, blk_scratch_sector(&b, 33), want, b.unit);
		return conform_fail(ctx, "OK for a request with 8 header bytes: %s",
				    memcmp(r.data, want, b.unit) == 0
					? "the data is that of the sector whose number lies in "
					  "the 8 bytes after the descriptor"
					: "a sector the request does not carry");
	}
	return blk_keeps_serving(&b, 0);
}

BLK_CASE(blk_lay_zero_len_desc)
{
	enum conform_verdict v;
	struct blk_req r;
	struct blk b;

	if (!malformed_send(ctx, &b, MAL_ZERO_LEN_DESC, 34, &r, &v))
		return v;
	/* The device may refuse the chain; an OK must come with the data. */
	if (malformed_answer(&b, &r) == VIRTIO_BLK_S_OK &&
	    !blk_pattern_check(&b, blk_scratch_sector(&b, 34), r.data, b.unit, false))
		return conform_fail(ctx, "OK, but the data read is wrong");
	return blk_keeps_serving(&b, 0);
}
