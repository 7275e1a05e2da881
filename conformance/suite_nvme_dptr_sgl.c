/* SPDX-License-Identifier: MIT */
/*
 * NVMe suite: SGL data pointers (NVME-DPTR), Base 2.1 §4.3.2: a controller
 * that says it has none refuses them; one that has them moves data through
 * a data block, through segments that chain, and refuses descriptors of a
 * type it does not know and lists shorter than the transfer.
 */
#include <endian.h>
#include <string.h>

#include "conformance/suite_nvme.h"

#define PAGE	   4096u
#define DATA_BLOCK NVME_SGL_ID(NVME_SGL_TYPE_DATA_BLOCK, NVME_SGL_SUBTYPE_ADDRESS)

/* A controller with a namespace and 3 pages; N/A unless SGLS says SGLs
 * are supported (want true) or says they are not (want false). */
static enum conform_verdict open_sgl(struct conform_ctx *ctx, bool want, struct conform_nvme **dev,
				     uint64_t *pg)
{
	enum conform_verdict v = nvme_iou_open(ctx, NULL, 200, dev);
	uint32_t sgls;

	if (v != CONFORM_PASS)
		return v;
	sgls = le32toh((*dev)->id_ctrl->sgls) & NVME_CTRL_SGLS_SUPPORT_MASK;
	if (!sgls == want)
		return nvme_iou_close(*dev, conform_not_applicable(ctx,
								   "Identify Controller SGLS "
								   "bits 1:0 are %u",
								   sgls));
	for (unsigned i = 0; i < 3; i++)
		if (!conform_nvme_buf(*dev, PAGE, 0, &pg[i]))
			return nvme_iou_close(*dev, conform_error(ctx, "no memory for 3 pages"));
	if (PAGE % (*dev)->block_size)
		return nvme_iou_close(*dev, conform_error(ctx, "blocks do not tile a page"));
	return CONFORM_PASS;
}

static struct nvme_sgl_desc desc(uint8_t id, uint64_t addr, uint32_t len)
{
	return (struct nvme_sgl_desc){.addr = htole64(addr), .len = htole32(len), .id = id};
}

/* A command template whose SGL1 is d (PSDT 01b). */
static void sgl1(struct nvme_sqe *tmpl, struct nvme_sgl_desc d)
{
	*tmpl = (struct nvme_sqe){.flags = NVME_SET(NVME_SQE_PSDT, NVME_PSDT_SGL_MPTR)};
	tmpl->dptr.sgl1 = d;
}

/* A Read of one page through SGL1 = one descriptor (id, page 1, len) on a
 * controller with SGLs (sgls) or without: it must complete with want and
 * leave the controller serving. */
static enum conform_verdict sgl_refused(struct conform_ctx *ctx, bool sgls, uint8_t id,
					uint32_t len, uint16_t want, const char *what)
{
	struct conform_nvme *dev;
	struct nvme_sqe tmpl, sqe;
	uint64_t pg[3];
	enum conform_verdict v = open_sgl(ctx, sgls, &dev, pg);

	if (v != CONFORM_PASS)
		return v;
	sgl1(&tmpl, desc(id, pg[1], len));
	nvme_iou_rw(&sqe, NVME_NVM_READ, dev->nsid, 0, PAGE / dev->block_size, 0, 0);
	sqe.flags = tmpl.flags;
	sqe.dptr = tmpl.dptr;
	return nvme_iou_close_alive(dev, nvme_iou_run(dev, &dev->io[0], &sqe, want, what, NULL));
}

enum conform_verdict nvme_dptr_sgl_unsupported(struct conform_ctx *ctx)
{
	return sgl_refused(ctx, false, DATA_BLOCK, PAGE,
			   NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD),
			   "Read with an SGL (PSDT 01b) on a controller without SGLs");
}

/* One SGL Data Block descriptor in SGL1 for a page. */
enum conform_verdict nvme_dptr_sgl_block(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_sqe tmpl;
	uint64_t pg[3];
	enum conform_verdict v = open_sgl(ctx, true, &dev, pg);

	if (v != CONFORM_PASS)
		return v;
	sgl1(&tmpl, desc(DATA_BLOCK, pg[1], PAGE));
	v = nvme_iou_layout_trip(dev, &tmpl, 168, PAGE / dev->block_size,
				 (struct nvme_iou_piece[]){{pg[1], PAGE}}, 1);
	return nvme_iou_close(dev, v);
}

/* SGL1 a Segment descriptor: a segment of a data block and a Last Segment
 * descriptor, whose segment holds two more data blocks. The three pieces
 * are dword-aligned and sized (what SGLS 10b asks) and not page aligned. */
enum conform_verdict nvme_dptr_sgl_segments(struct conform_ctx *ctx)
{
	static const struct {
		unsigned page;
		uint32_t off, len;
	} g_piece[] = {{1, 0x100, 0x400}, {2, 0, 0x800}, {1, 0xa40, 0x400}};
	struct conform_nvme *dev;
	struct nvme_sqe tmpl;
	struct nvme_sgl_desc *seg;
	struct nvme_iou_piece p[3];
	uint64_t pg[3];
	enum conform_verdict v = open_sgl(ctx, true, &dev, pg);

	if (v != CONFORM_PASS)
		return v;
	/* page 0 holds both segments: 2 descriptors at 0, 2 at 100h */
	seg = conform_nvme_at(dev, pg[0], PAGE);
	for (unsigned i = 0; i < 3; i++)
		p[i] =
		    (struct nvme_iou_piece){pg[g_piece[i].page] + g_piece[i].off, g_piece[i].len};
	seg[0] = desc(DATA_BLOCK, p[0].bus, (uint32_t)p[0].len);
	seg[1] = desc(NVME_SGL_ID(NVME_SGL_TYPE_LAST_SEGMENT, NVME_SGL_SUBTYPE_ADDRESS),
		      pg[0] + 0x100, 2 * sizeof(*seg));
	seg[16] = desc(DATA_BLOCK, p[1].bus, (uint32_t)p[1].len);
	seg[17] = desc(DATA_BLOCK, p[2].bus, (uint32_t)p[2].len);
	sgl1(&tmpl, desc(NVME_SGL_ID(NVME_SGL_TYPE_SEGMENT, NVME_SGL_SUBTYPE_ADDRESS), pg[0],
			 2 * sizeof(*seg)));
	v = nvme_iou_layout_trip(dev, &tmpl, 176, PAGE / dev->block_size, p, 3);
	return nvme_iou_close(dev, v);
}

/* SGL1 of descriptor type 6h, which Base 2.1 Figure 115 reserves. */
enum conform_verdict nvme_dptr_sgl_bad_type(struct conform_ctx *ctx)
{
	return sgl_refused(ctx, true, NVME_SGL_ID(0x6, NVME_SGL_SUBTYPE_ADDRESS), PAGE,
			   NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SGL_DESC_TYPE_INVALID),
			   "Read with an SGL descriptor of type 6h");
}

/* An SGL of half a page for a transfer of a page. */
enum conform_verdict nvme_dptr_sgl_short(struct conform_ctx *ctx)
{
	return sgl_refused(ctx, true, DATA_BLOCK, PAGE / 2,
			   NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_DATA_SGL_LENGTH_INVALID),
			   "Read of a page through an SGL of half a page");
}
