/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk suite: how a request is laid out in descriptors. §2.7.4.1: the
 * device must not assume any particular arrangement, so every well-formed
 * layout must give the same result; §2.7.5.3: indirect tables; and chains
 * the driver must not make (§2.7.4.2, §5.2.6), which the device must
 * survive.
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

static int layout_run(struct blk *b, const struct layout *l, uint32_t type, uint64_t sector,
		      uint32_t len, uint8_t **data)
{
	static struct blk_chain chain;
	struct blk_chain *c = &chain;
	uint8_t *status;
	int ret;

	if (!layout_chain(b, l, type, sector, len, c, data, &status))
		return -ENOMEM;
	if (type == VIRTIO_BLK_T_OUT)
		blk_pattern(b, sector, *data, len);
	conform_note(b->ctx, "type %u, %u bytes in %u descriptors%s", type, len, c->n,
		     l->indirect ? " (indirect)" : "");
	ret = blk_chain_run(b, 0, c, c, NULL);
	return ret ? ret : *status;
}

/*
 * A write laid out as w, then a read laid out as r; both must complete OK
 * and the data read must be the data written.
 */
static enum conform_verdict layout_pair(struct blk *b, const struct layout *w,
					const struct layout *r, unsigned slot, uint32_t len)
{
	struct conform_ctx *ctx = b->ctx;
	uint64_t sector;
	uint8_t *data;
	int st;

	if ((w->indirect || r->indirect) && !blk_has(b, VIRTIO_RING_F_INDIRECT_DESC))
		return conform_not_applicable(ctx, "VIRTIO_RING_F_INDIRECT_DESC not negotiated");
	sector = blk_scratch_sector(b, slot);
	st = layout_run(b, w, VIRTIO_BLK_T_OUT, sector, len, &data);
	if (st != VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "the write: %s", blk_status_name(st));
	st = layout_run(b, r, VIRTIO_BLK_T_IN, sector, len, &data);
	if (st != VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "the read: %s", blk_status_name(st));
	if (!blk_pattern_check(b, sector, data, len, false))
		return conform_fail(ctx, "the data read differs from the data written");
	return CONFORM_PASS;
}

static const uint32_t g_odd[] = {1, 511, 7, 1000, 3, 64, 129, 2};
static const uint32_t g_hdr3[] = {5, 3, 8};
static const struct layout g_plain = {0};

BLK_CASE(blk_lay_odd_split)
{
	struct blk b;
	const struct layout odd = {.data_split = g_odd, .data_nsplit = ARRAY_SIZE(g_odd)};
	const uint32_t other[] = {333, 4, 1, 1500};
	const struct layout odd2 = {.data_split = other, .data_nsplit = ARRAY_SIZE(other)};

	BLK_OPEN(&b, 1, 0);
	return layout_pair(&b, &odd, &odd2, 20, 8192);
}

BLK_CASE(blk_lay_one_byte_descs)
{
	static uint32_t sizes[256];
	const struct layout l = {.data_split = sizes};
	struct layout lay = l;
	uint32_t n = 256;
	enum conform_verdict v;
	struct blk b;

	if (!blk_open_qsize(ctx, &b, 1, 0, false, BLK_LONG_QUEUE_SIZE, &v))
		return v;
	/* One-byte descriptors and one for the rest of the sector, within
	 * seg_max (data segments) when the device announces one. */
	if (blk_has(&b, VIRTIO_BLK_F_SEG_MAX) && b.cfg.seg_max >= 2)
		n = MIN(n, b.cfg.seg_max);
	for (uint32_t i = 0; i < n; i++)
		sizes[i] = i + 1 < n ? 1 : b.unit;
	lay.data_nsplit = n;
	return layout_pair(&b, &lay, &lay, 21, b.unit);
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
	const struct layout l = {.indirect = true, .data_split = g_odd, .data_nsplit = 3};

	BLK_OPEN(&b, 1, 0);
	return layout_pair(&b, &g_plain, &l, 25, 4096);
}

BLK_CASE(blk_lay_indirect_write)
{
	struct blk b;
	const struct layout l = {.indirect = true, .hdr_split = g_hdr3, .hdr_nsplit = 3};

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
	if (!blk_write_pattern(&b, 0, sector, 4096))
		return conform_fail(ctx, "the write before the read failed");
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
	st = layout_run(&b, &l512, VIRTIO_BLK_T_OUT, sector, len, &data);
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
	st = layout_run(&b, &l512, VIRTIO_BLK_T_IN, sector, len, &data);
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

/* ---- Chains the driver must not make: only "keeps serving" is checked ---- */

enum malformed {
	MAL_READABLE_AFTER_WRITABLE, /* §2.7.4.2 */
	MAL_NO_STATUS,		     /* §5.2.6: no device-writable byte */
	MAL_SHORT_HEADER,	     /* §5.2.6: 8 of the 16 header bytes */
	MAL_ZERO_LEN_DESC,	     /* a zero-length data descriptor */
};

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
		blk_chain_add(c, r->hdr_gpa, 8, false);
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

static enum conform_verdict malformed_run(struct conform_ctx *ctx, enum malformed kind,
					  unsigned slot)
{
	static struct blk_chain chain;
	struct blk_chain *c = &chain;
	struct blk_req r;
	uint64_t sector;
	struct blk b;
	int ret;

	BLK_OPEN(&b, 1, 0);
	sector = blk_scratch_sector(&b, slot);
	if (!blk_req_init(&b, &r, VIRTIO_BLK_T_IN, sector, b.unit))
		return conform_error(ctx, "out of guest memory");
	if (kind == MAL_ZERO_LEN_DESC && !blk_write_pattern(&b, 0, sector, b.unit))
		return conform_fail(ctx, "the write before the read failed");
	malformed_chain(&r, kind, c);
	ret = blk_chain_add_to(&b, 0, c, &r);
	if (ret)
		return conform_error(ctx, "adding the chain: %s", strerror(-ret));
	conform_dev_kick(b.dev, 0);
	if (kind == MAL_ZERO_LEN_DESC) {
		/* Not forbidden by §2.7.5; if the device says OK, the data must
		 * be right. */
		ret = blk_wait_cookie(&b, 0, &r, NULL);
		conform_note(ctx, "the read with a zero-length descriptor: %s",
			     ret ? strerror(-ret) : blk_status_name(*r.status));
		if (!ret && *r.status == VIRTIO_BLK_S_OK &&
		    !blk_pattern_check(&b, sector, r.data, b.unit, false))
			return conform_fail(ctx, "status OK but the data read is wrong");
	}
	/* The follow-up waits for its own entry: the malformed chain may come
	 * back first (len 0) or never. */
	return blk_keeps_serving(&b, 0);
}

BLK_CASE(blk_lay_readable_after_writable)
{
	return malformed_run(ctx, MAL_READABLE_AFTER_WRITABLE, 31);
}
BLK_CASE(blk_lay_no_status)
{
	return malformed_run(ctx, MAL_NO_STATUS, 32);
}
BLK_CASE(blk_lay_short_header)
{
	return malformed_run(ctx, MAL_SHORT_HEADER, 33);
}
BLK_CASE(blk_lay_zero_len_desc)
{
	return malformed_run(ctx, MAL_ZERO_LEN_DESC, 34);
}
