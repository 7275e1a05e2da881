/* SPDX-License-Identifier: MIT */
/*
 * NVMe suite: fused operations (NVME-FUSE), Base 2.1 §3.4.2: Compare and
 * Write fused, both halves in one doorbell write; the Write only when the
 * Compare matched; a half without its other half aborted with Missing Fused
 * Command; fusing on a controller whose FUSES says it has none refused.
 */
#include <endian.h>
#include <string.h>

#include "conformance/suite_nvme.h"

#define SLBA 184
#define NLB  4

/* The blocks at SLBA hold a; b is other data; r reads them back. */
struct fz {
	struct conform_nvme *dev;
	uint8_t *a, *b, *r;
	uint64_t abus, bbus, rbus, len;
};

/* A controller (N/A unless FUSES bit 0 is supported, or want false and it
 * is not) with a written at SLBA. */
static enum conform_verdict fz_open(struct conform_ctx *ctx, bool want, struct fz *f)
{
	enum conform_verdict v = nvme_iou_open(ctx, NULL, SLBA + NLB, &f->dev);
	bool cw;

	if (v != CONFORM_PASS)
		return v;
	cw = le16toh(f->dev->id_ctrl->fuses) & NVME_CTRL_FUSES_COMPARE_WRITE;
	if (cw != want)
		return nvme_iou_close(f->dev, conform_not_applicable(ctx,
								     "Identify Controller "
								     "FUSES bit 0 is %u",
								     cw));
	f->len = (uint64_t)NLB * f->dev->block_size;
	f->a = conform_nvme_buf(f->dev, f->len, 0, &f->abus);
	f->b = conform_nvme_buf(f->dev, f->len, 0, &f->bbus);
	f->r = conform_nvme_buf(f->dev, f->len, 0, &f->rbus);
	if (!f->a || !f->b || !f->r)
		return nvme_iou_close(f->dev, conform_error(ctx, "no memory for the blocks"));
	nvme_iou_fill(f->a, f->len, nvme_iou_seed());
	nvme_iou_fill(f->b, f->len, nvme_iou_seed() ^ 0x3c3c3c3cu);
	v = nvme_iou_xfer(f->dev, NVME_NVM_WRITE, SLBA, NLB, f->abus, "Write of the blocks");
	return v == CONFORM_PASS ? v : nvme_iou_close(f->dev, v);
}

/* opc of the NLB blocks at SLBA with data at bus and FUSE fuse. */
static int fz_cmd(struct fz *f, struct nvme_sqe *sqe, uint8_t opc, uint64_t bus, unsigned fuse)
{
	uint64_t prp1, prp2;
	int ret = nvme_iou_prps(f->dev, bus, f->len, &prp1, &prp2);

	nvme_iou_rw(sqe, opc, f->dev->nsid, SLBA, NLB, prp1, prp2);
	sqe->flags = (uint8_t)NVME_SET(NVME_SQE_FUSE, fuse);
	return ret;
}

/* Submits s[0] and s[1] under one doorbell write (Base 2.1 §3.4.2) and
 * waits for both entries, c[i] answering s[i]. */
static enum conform_verdict fz_pair(struct fz *f, struct nvme_sqe *s, struct nvme_cqe *c)
{
	struct conform_nvme_q *q = &f->dev->io[0];
	int cid[2], ret = 0;

	for (int i = 0; i < 2; i++)
		cid[i] = conform_nvme_push(f->dev, q, &s[i]);
	if (cid[0] < 0 || cid[1] < 0 || conform_nvme_ring(f->dev, q))
		return conform_error(f->dev->ctx, "submitting the two commands");
	for (int i = 0; ret == 0 && i < 2; i++) {
		struct nvme_cqe e;

		ret = conform_nvme_wait(f->dev, q, -1, &e);
		if (ret == 0 && (le16toh(e.cid) == cid[0] || le16toh(e.cid) == cid[1]))
			c[le16toh(e.cid) == cid[1]] = e;
		else if (ret == 0)
			return conform_fail(f->dev->ctx,
					    "an entry answers CID %u, neither of the "
					    "two commands",
					    le16toh(e.cid));
	}
	if (ret)
		return conform_fail(f->dev->ctx, "the two commands did not both complete: %s",
				    strerror(-ret));
	return CONFORM_PASS;
}

/* Reads the blocks back: they must hold want (named what). */
static enum conform_verdict fz_check(struct fz *f, const uint8_t *want, const char *what)
{
	enum conform_verdict v =
	    nvme_iou_xfer(f->dev, NVME_NVM_READ, SLBA, NLB, f->rbus, "Read of the blocks");

	if (v == CONFORM_PASS && memcmp(f->r, want, f->len))
		return conform_fail(f->dev->ctx, "the blocks do not hold %s", what);
	return v;
}

/* A fused Compare (of cmp) and Write (of b): both statuses judged, then
 * the blocks must hold after. */
static enum conform_verdict compare_write(struct conform_ctx *ctx, bool match)
{
	struct nvme_sqe s[2];
	struct nvme_cqe c[2];
	struct fz f;
	enum conform_verdict v = fz_open(ctx, true, &f);

	if (v != CONFORM_PASS)
		return v;
	/* r holds what a mismatching Compare sends until the blocks are read back */
	memcpy(f.r, f.a, f.len);
	f.r[0] ^= 0x80;
	if (fz_cmd(&f, &s[0], NVME_NVM_COMPARE, match ? f.abus : f.rbus, NVME_FUSE_FIRST) ||
	    fz_cmd(&f, &s[1], NVME_NVM_WRITE, f.bbus, NVME_FUSE_SECOND))
		return nvme_iou_close(f.dev, conform_error(ctx, "PRPs for the blocks"));
	v = fz_pair(&f, s, c);
	if (v == CONFORM_PASS)
		v = conform_nvme_expect(
		    ctx, &c[0],
		    match ? NVME_IOU_OK : NVME_SCT_SC(NVME_SCT_MEDIA, NVME_SC_COMPARE_FAILURE),
		    "the fused Compare");
	if (v == CONFORM_PASS)
		v = conform_nvme_expect(
		    ctx, &c[1],
		    match ? NVME_IOU_OK
			  : NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_ABORTED_FAILED_FUSED),
		    "the fused Write");
	if (v == CONFORM_PASS)
		v = fz_check(&f, match ? f.b : f.a,
			     match ? "the data of the fused Write" : "their data before the pair");
	return nvme_iou_close(f.dev, v);
}

enum conform_verdict nvme_fuse_cw_match(struct conform_ctx *ctx)
{
	return compare_write(ctx, true);
}

enum conform_verdict nvme_fuse_cw_miss(struct conform_ctx *ctx)
{
	return compare_write(ctx, false);
}

/* One half of a pair next to a command that is not fused: the half is
 * aborted with Missing Fused Command, the other command is served, and the
 * Write (a lone second half) writes nothing. */
static enum conform_verdict lone_half(struct conform_ctx *ctx, bool first)
{
	struct nvme_sqe s[2];
	struct nvme_cqe c[2];
	struct fz f;
	unsigned half = first ? 0 : 1;
	enum conform_verdict v = fz_open(ctx, true, &f);

	if (v != CONFORM_PASS)
		return v;
	if (fz_cmd(&f, &s[half], first ? NVME_NVM_COMPARE : NVME_NVM_WRITE, first ? f.abus : f.bbus,
		   first ? NVME_FUSE_FIRST : NVME_FUSE_SECOND) ||
	    fz_cmd(&f, &s[!half], NVME_NVM_READ, f.rbus, NVME_FUSE_NONE))
		return nvme_iou_close(f.dev, conform_error(ctx, "PRPs for the blocks"));
	v = fz_pair(&f, s, c);
	if (v == CONFORM_PASS)
		v = conform_nvme_expect(
		    ctx, &c[half], NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_ABORTED_MISSING_FUSED),
		    first ? "a fused Compare followed by a plain Read"
			  : "a fused Write after a plain Read");
	if (v == CONFORM_PASS)
		v = conform_nvme_expect(ctx, &c[!half], NVME_IOU_OK, "the plain Read");
	if (v == CONFORM_PASS)
		v = fz_check(&f, f.a, "their data before the lone fused command");
	return nvme_iou_close_alive(f.dev, v);
}

enum conform_verdict nvme_fuse_missing_second(struct conform_ctx *ctx)
{
	return lone_half(ctx, true);
}

enum conform_verdict nvme_fuse_missing_first(struct conform_ctx *ctx)
{
	return lone_half(ctx, false);
}

/* FUSES bit 0 clear: a fused Compare and Write is refused, the first half
 * with Invalid Field in Command, and nothing is written. */
enum conform_verdict nvme_fuse_unsupported(struct conform_ctx *ctx)
{
	struct nvme_sqe s[2];
	struct nvme_cqe c[2];
	struct fz f;
	enum conform_verdict v = fz_open(ctx, false, &f);

	if (v != CONFORM_PASS)
		return v;
	if (fz_cmd(&f, &s[0], NVME_NVM_COMPARE, f.abus, NVME_FUSE_FIRST) ||
	    fz_cmd(&f, &s[1], NVME_NVM_WRITE, f.bbus, NVME_FUSE_SECOND))
		return nvme_iou_close(f.dev, conform_error(ctx, "PRPs for the blocks"));
	v = fz_pair(&f, s, c);
	if (v == CONFORM_PASS)
		v = conform_nvme_expect(ctx, &c[0],
					NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD),
					"a fused Compare on a controller without fused operations");
	if (v == CONFORM_PASS && conform_nvme_status(&c[1]) == NVME_IOU_OK)
		v = conform_fail(ctx, "the second half of an unsupported fused pair succeeded");
	if (v == CONFORM_PASS)
		v = fz_check(&f, f.a, "their data before the refused pair");
	return nvme_iou_close_alive(f.dev, v);
}
