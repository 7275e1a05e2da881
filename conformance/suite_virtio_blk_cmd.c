/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk suite: GET_ID, DISCARD and WRITE_ZEROES (virtio 1.2 §5.2.6).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conformance/suite_virtio_blk.h"
#include "util/common.h"

/* ---- GET_ID ---- */

/*
 * §5.2.6: "a NUL-padded ASCII string up to 20 bytes long", with no NUL when it
 * is 20 long. The cases judge the 20 bytes the driver gave, as drivers read
 * them, whatever the used length says: §2.7.8.2 lets len be an underestimate,
 * so a device that wrote a valid id and reported fewer bytes is right (a len
 * that counts bytes not written is BLK-RW-022's subject). Each buffer is
 * 0xff first, so bytes the device did not write show.
 */

/* Bytes after a GET_ID buffer, so that a device that writes past one does
 * not fill the next. */
#define ID_GUARD 32

static void id_note(struct conform_ctx *ctx, const char *what, const uint8_t *id)
{
	char hex[VIRTIO_BLK_ID_BYTES * 3 + 1];

	for (unsigned i = 0; i < VIRTIO_BLK_ID_BYTES; i++)
		snprintf(hex + 3 * i, 4, "%02x ", id[i]);
	conform_note(ctx, "%s: %s", what, hex);
}

/* The string: ASCII up to the first NUL (or all 20 bytes without one). */
static bool id_ascii(struct conform_ctx *ctx, const uint8_t *id)
{
	size_t len = strnlen((const char *)id, VIRTIO_BLK_ID_BYTES);

	for (size_t i = 0; i < len; i++) {
		if (id[i] > 0x7f) {
			conform_note(ctx, "byte %zu of the id is 0x%02x: not ASCII", i, id[i]);
			return false;
		}
	}
	conform_note(ctx, "device id \"%.*s\" (%zu bytes)", (int)len, (const char *)id, len);
	return true;
}

/* The padding: every byte after the first NUL is NUL. */
static bool id_padded(struct conform_ctx *ctx, const uint8_t *id)
{
	size_t len = strnlen((const char *)id, VIRTIO_BLK_ID_BYTES);

	for (size_t i = len; i < VIRTIO_BLK_ID_BYTES; i++) {
		if (id[i] != 0) {
			conform_note(ctx, "byte %zu is 0x%02x after the id's end at %zu", i, id[i],
				     len);
			return false;
		}
	}
	return true;
}

/* A GET_ID into 20 bytes of descriptors of the sizes split gives, each in a
 * place of its own; id: the 20 bytes, gathered. Status or negative errno. */
static int id_fetch(struct blk *b, const uint32_t *split, unsigned nsplit, uint8_t *id)
{
	uint8_t *piece[VIRTIO_BLK_ID_BYTES];
	uint32_t used = 0, off = 0;
	struct blk_chain c;
	struct blk_req r;
	int ret;

	if (!blk_req_init(b, &r, VIRTIO_BLK_T_GET_ID, 0, 0))
		return -ENOMEM;
	blk_chain_init(&c);
	blk_chain_add(&c, r.hdr_gpa, 16, false);
	for (unsigned i = 0; i < nsplit; i++) {
		uint64_t gpa;

		piece[i] = blk_alloc(b, split[i] + ID_GUARD, &gpa);
		if (!piece[i])
			return -ENOMEM;
		memset(piece[i], 0xff, split[i] + ID_GUARD);
		blk_chain_add(&c, gpa, split[i], true);
	}
	blk_chain_add(&c, r.status_gpa, 1, true);
	ret = blk_chain_run(b, 0, &c, &r, &used);
	for (unsigned i = 0; i < nsplit; off += split[i], i++)
		memcpy(id + off, piece[i], split[i]);
	conform_note(b->ctx, "GET_ID into %u descriptor(s): used len %u", nsplit, used);
	return ret ? ret : *r.status;
}

enum id_check {
	ID_ASCII,  /* ASCII up to the first NUL, or all 20 bytes */
	ID_SPLIT,  /* the same 20 bytes through split descriptors */
	ID_PADDED, /* NUL after the string's end */
};

static enum conform_verdict id_run(struct conform_ctx *ctx, enum id_check check)
{
	static const uint32_t whole[] = {VIRTIO_BLK_ID_BYTES}, split[] = {7, 1, 12};
	uint8_t id[VIRTIO_BLK_ID_BYTES], id2[VIRTIO_BLK_ID_BYTES];
	struct blk b;
	int st;

	BLK_OPEN_RO(&b, 1, 0);
	st = id_fetch(&b, whole, 1, id);
	if (st == VIRTIO_BLK_S_UNSUPP)
		return conform_not_applicable(ctx, "the device answers GET_ID with UNSUPP");
	if (st != VIRTIO_BLK_S_OK && check == ID_SPLIT)
		return conform_error(ctx, "GET_ID into one descriptor: %s", blk_status_name(st));
	if (st != VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "GET_ID: %s", blk_status_name(st));
	id_note(ctx, "the 20 bytes", id);
	if (check == ID_ASCII && !id_ascii(ctx, id))
		return conform_fail(ctx, "the id (the bytes before the first NUL) is not ASCII");
	if (check == ID_PADDED && !id_padded(ctx, id))
		return conform_fail(ctx, "the 20 bytes are not NUL-padded after the id");
	if (check != ID_SPLIT)
		return CONFORM_PASS;
	/* §2.7.4.1: the same answer whatever the descriptors. */
	st = id_fetch(&b, split, ARRAY_SIZE(split), id2);
	if (st != VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "GET_ID into split descriptors: %s", blk_status_name(st));
	id_note(ctx, "the 20 bytes through 7 + 1 + 12", id2);
	if (memcmp(id, id2, sizeof(id)) != 0)
		return conform_fail(ctx, "GET_ID into split descriptors returned other bytes");
	return CONFORM_PASS;
}

BLK_CASE(blk_id_twenty)
{
	return id_run(ctx, ID_ASCII);
}
BLK_CASE(blk_id_split)
{
	return id_run(ctx, ID_SPLIT);
}
BLK_CASE(blk_id_padded)
{
	return id_run(ctx, ID_PADDED);
}

BLK_CASE(blk_id_short_buffer)
{
	struct blk_chain c;
	struct blk_req r;
	struct blk b;
	int ret;

	BLK_OPEN_RO(&b, 1, 0);
	/* 8 bytes described, 64 allocated: the rest must stay untouched. */
	if (!blk_req_init(&b, &r, VIRTIO_BLK_T_GET_ID, 0, 64))
		return conform_error(ctx, "out of guest memory");
	memset(r.data, 0xee, 64);
	blk_chain_init(&c);
	blk_chain_add(&c, r.hdr_gpa, 16, false);
	blk_chain_add(&c, r.data_gpa, 8, true);
	blk_chain_add(&c, r.status_gpa, 1, true);
	ret = blk_chain_run(&b, 0, &c, &r, NULL);
	conform_note(ctx, "GET_ID into 8 bytes: %s",
		     ret ? strerror(-ret) : blk_status_name(*r.status));
	for (unsigned i = 8; i < 64; i++) {
		/* §2.7.8.1 / §2.7.5: the device writes only into the buffers
		 * the chain describes. */
		if (r.data[i] != 0xee)
			return conform_fail(ctx, "byte %u past the 8-byte buffer was overwritten",
					    i);
	}
	return blk_keeps_serving(&b, 0);
}

/* ---- DISCARD and WRITE_ZEROES ---- */

struct dwz {
	uint32_t type;
	unsigned feature;
	uint32_t flags;	    /* of every segment */
	uint8_t nseg;	    /* 0: one more than the device's maximum */
	bool gap;	    /* segments 8 sectors apart, 8 sectors each */
	bool past_end;	    /* one segment at capacity */
	uint8_t expect;	    /* the status a compliant device returns */
	bool zeroes;	    /* the ranges read back as zeroes afterwards */
	bool gap_kept;	    /* the sectors after each segment keep their data */
	bool keeps_serving; /* the driver broke a rule: only "keeps serving" */
};

static uint32_t dwz_max_seg(const struct blk *b, uint32_t type)
{
	return type == VIRTIO_BLK_T_DISCARD ? b->cfg.max_discard_seg : b->cfg.max_write_zeroes_seg;
}

static enum conform_verdict dwz_run(struct conform_ctx *ctx, const struct dwz *t)
{
	static struct virtio_blk_discard_write_zeroes segs[4096];
	uint32_t nseg = t->nseg, align;
	uint64_t base;
	struct blk b;
	int st;

	BLK_OPEN(&b, 1, 0);
	if (!blk_has(&b, t->feature))
		return conform_not_applicable(ctx, "feature bit %u not negotiated", t->feature);
	if (nseg == 0)
		nseg = dwz_max_seg(&b, t->type) + 1;
	if (nseg < 2 && t->gap)
		nseg = 2;
	if (nseg > ARRAY_SIZE(segs) || (t->gap && dwz_max_seg(&b, t->type) < nseg))
		return conform_not_applicable(ctx, "%u segments wanted, max_*_seg is %u", nseg,
					      dwz_max_seg(&b, t->type));
	/* §5.2.4: discard_sector_alignment; keep ranges aligned to it and to
	 * blk_size so that only the rule under test can be broken. */
	align = MAX(8u, t->type == VIRTIO_BLK_T_DISCARD ? b.cfg.discard_sector_alignment : 0);
	if (blk_has(&b, VIRTIO_BLK_F_BLK_SIZE))
		align = MAX(align, b.cfg.blk_size / VIRTIO_BLK_SECTOR_SIZE);
	base = blk_scratch_sector(&b, 40 + t->type) / align * align;
	for (uint32_t i = 0; i < nseg; i++)
		segs[i] = (struct virtio_blk_discard_write_zeroes){.sector = base + (uint64_t)i *
											2 * align,
								   .num_sectors = align,
								   .flags = t->flags};
	if (t->past_end)
		segs[0].sector = b.capacity;
	if ((t->zeroes || t->gap_kept) &&
	    !blk_write_pattern(&b, 0, base, nseg * 2 * align * VIRTIO_BLK_SECTOR_SIZE))
		return conform_error(ctx, "the write before the request failed");
	st = blk_do_dwz(&b, 0, t->type, segs, nseg);
	conform_note(ctx, "type %u, %u segment(s) of %u sectors from %llu, flags 0x%x: %s", t->type,
		     nseg, align, (unsigned long long)segs[0].sector, t->flags,
		     blk_status_name(st));
	if (t->keeps_serving)
		return blk_keeps_serving(&b, 0);
	/* §5.2.6.2 binds the reads after a write zeroes that completed OK:
	 * after UNSUPP none was done, after IOERR the segments are
	 * indeterminate (§5.2.6). Neither breaks the sentence; the case has
	 * nothing to judge. */
	if ((t->zeroes || t->gap_kept) && st != VIRTIO_BLK_S_OK)
		return conform_not_applicable(ctx,
					      "the write zeroes got %s: no completed write zeroes "
					      "to read after",
					      blk_status_name(st));
	if (st != t->expect)
		return conform_fail(ctx, "status %s, expected %s", blk_status_name(st),
				    blk_status_name(t->expect));
	for (uint32_t i = 0; i < nseg; i++) {
		uint64_t s = segs[i].sector;
		uint32_t bytes = align * VIRTIO_BLK_SECTOR_SIZE;

		/* §5.2.6.2: zeroes after WRITE_ZEROES, unmap or not. */
		if (t->zeroes && !blk_read_check(&b, 0, s, bytes, true))
			return conform_fail(ctx, "segment %u does not read back as zeroes", i);
		/* No sentence: a write zeroes that zeroes more loses data. */
		if (t->gap_kept && !blk_read_check(&b, 0, s + align, bytes, false))
			return conform_fail(ctx, "the sectors after segment %u changed", i);
	}
	if (st == VIRTIO_BLK_S_IOERR)
		return blk_keeps_serving(&b, 0);
	return CONFORM_PASS;
}

#define DIS   VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_F_DISCARD
#define WZ    VIRTIO_BLK_T_WRITE_ZEROES, VIRTIO_BLK_F_WRITE_ZEROES
#define UNMAP VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP
static const struct dwz g_dwz[] = {
    /* type, flags, nseg, gap, past_end, expect, zeroes, gap_kept, keeps_serving */
    {WZ, 0, 1, false, false, VIRTIO_BLK_S_OK, true, false, false},
    {WZ, UNMAP, 1, false, false, VIRTIO_BLK_S_OK, true, false, false},
    {WZ, 0, 2, true, false, VIRTIO_BLK_S_OK, true, false, false},
    {DIS, 0, 1, false, false, VIRTIO_BLK_S_OK, false, false, false},
    {DIS, UNMAP, 1, false, false, VIRTIO_BLK_S_UNSUPP, false, false, false},
    {DIS, 0x2, 1, false, false, VIRTIO_BLK_S_UNSUPP, false, false, false},
    {WZ, 0x2, 1, false, false, VIRTIO_BLK_S_UNSUPP, false, false, false},
    {DIS, 0, 0, false, false, 0, false, false, true},
    {WZ, 0, 0, false, false, 0, false, false, true},
    {WZ, 0, 1, false, true, VIRTIO_BLK_S_IOERR, false, false, false},
    {WZ, 0, 2, true, false, VIRTIO_BLK_S_OK, false, true, false},
};
#undef DIS
#undef WZ
#undef UNMAP

BLK_CASE(blk_dwz_wz_reads_zero)
{
	return dwz_run(ctx, &g_dwz[0]);
}
BLK_CASE(blk_dwz_wz_unmap_reads_zero)
{
	return dwz_run(ctx, &g_dwz[1]);
}
BLK_CASE(blk_dwz_wz_multi_seg)
{
	return dwz_run(ctx, &g_dwz[2]);
}
BLK_CASE(blk_dwz_discard_ok)
{
	return dwz_run(ctx, &g_dwz[3]);
}
BLK_CASE(blk_dwz_discard_unmap_flag)
{
	return dwz_run(ctx, &g_dwz[4]);
}
BLK_CASE(blk_dwz_discard_unknown_flag)
{
	return dwz_run(ctx, &g_dwz[5]);
}
BLK_CASE(blk_dwz_wz_unknown_flag)
{
	return dwz_run(ctx, &g_dwz[6]);
}
BLK_CASE(blk_dwz_discard_too_many_seg)
{
	return dwz_run(ctx, &g_dwz[7]);
}
BLK_CASE(blk_dwz_wz_too_many_seg)
{
	return dwz_run(ctx, &g_dwz[8]);
}
BLK_CASE(blk_dwz_wz_past_end)
{
	return dwz_run(ctx, &g_dwz[9]);
}
BLK_CASE(blk_dwz_wz_gap_kept)
{
	return dwz_run(ctx, &g_dwz[10]);
}

BLK_CASE(blk_dwz_bad_seg_len)
{
	struct virtio_blk_discard_write_zeroes seg = {.sector = 0, .num_sectors = 8};
	struct blk b;
	int st;

	BLK_OPEN(&b, 1, 0);
	if (!blk_has(&b, VIRTIO_BLK_F_WRITE_ZEROES))
		return conform_not_applicable(ctx, "VIRTIO_BLK_F_WRITE_ZEROES not negotiated");
	seg.sector = blk_scratch_sector(&b, 60);
	/* §5.2.6.1: a whole number of 16-byte segments; 10 bytes is not. */
	st = blk_do(&b, 0, VIRTIO_BLK_T_WRITE_ZEROES, 0, &seg, 10);
	conform_note(ctx, "WRITE_ZEROES with 10 bytes of data: %s", blk_status_name(st));
	return blk_keeps_serving(&b, 0);
}

/* WRITE_ZEROES on a device that offers VIRTIO_BLK_F_RO: §5.2.6.2's MUST
 * names "a write request"; the case reads write zeroes as one too. */
BLK_CASE(blk_dwz_wz_read_only)
{
	struct virtio_blk_discard_write_zeroes seg;
	uint8_t *before, *after;
	struct blk b;
	int st;

	BLK_OPEN_RO(&b, 1, 0);
	if (!blk_has(&b, VIRTIO_BLK_F_WRITE_ZEROES) || !b.ro)
		return conform_not_applicable(ctx, "VIRTIO_BLK_F_RO and VIRTIO_BLK_F_WRITE_ZEROES "
						   "are not both negotiated");
	seg = (struct virtio_blk_discard_write_zeroes){.sector = blk_scratch_sector(&b, 15),
						       .num_sectors = b.unit_sectors};
	before = blk_alloc(&b, b.unit, NULL);
	after = blk_alloc(&b, b.unit, NULL);
	if (!before || !after)
		return conform_error(ctx, "out of guest memory");
	st = blk_do(&b, 0, VIRTIO_BLK_T_IN, seg.sector, before, b.unit);
	if (st != VIRTIO_BLK_S_OK)
		return conform_error(ctx, "the read before: %s", blk_status_name(st));
	st = blk_do_dwz(&b, 0, VIRTIO_BLK_T_WRITE_ZEROES, &seg, 1);
	conform_note(ctx, "WRITE_ZEROES of %u sectors at %llu: %s", seg.num_sectors,
		     (unsigned long long)seg.sector, blk_status_name(st));
	if (st == VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "WRITE_ZEROES on a read-only device completed OK");
	st = blk_do(&b, 0, VIRTIO_BLK_T_IN, seg.sector, after, b.unit);
	if (st != VIRTIO_BLK_S_OK || memcmp(before, after, b.unit) != 0)
		return conform_fail(ctx, "the refused WRITE_ZEROES changed the data (read: %s)",
				    blk_status_name(st));
	return CONFORM_PASS;
}
