/* SPDX-License-Identifier: MIT */
/*
 * NVMe suite: PRP data pointers (NVME-DPTR), Base 2.1 §4.3.1: a first
 * entry with an offset, PRP2 as the second page or as a list, lists that
 * chain, and entries the spec forbids (offsets where a page must start,
 * memory the host never mapped). Data moved through a pointer is compared
 * both ways; a refused pointer leaves the controller serving.
 */
#include <endian.h>
#include <string.h>

#include "conformance/suite_nvme.h"

#define PAGE		   4096u
#define PRP_OFFSET_INVALID NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_PRP_OFFSET_INVALID)

/* count pages of ours, each followed by an unused one so that no two are
 * adjacent in bus addresses. */
static bool pages(struct conform_nvme *dev, uint64_t *bus, unsigned count)
{
	uint64_t gap;

	for (unsigned i = 0; i < count; i++)
		if (!conform_nvme_buf(dev, PAGE, 0, &bus[i]) ||
		    !conform_nvme_buf(dev, PAGE, 0, &gap))
			return false;
	return true;
}

/* A controller with a namespace whose blocks tile a page, and n pages. */
static enum conform_verdict open_pages(struct conform_ctx *ctx, struct conform_nvme **dev,
				       uint64_t *bus, unsigned n)
{
	enum conform_verdict v = nvme_iou_open(ctx, NULL, 160, dev);

	if (v != CONFORM_PASS)
		return v;
	if (PAGE % (*dev)->block_size || !pages(*dev, bus, n))
		return nvme_iou_close(*dev, conform_error(ctx,
							  "blocks of %u bytes do not tile "
							  "%u pages",
							  (*dev)->block_size, n));
	return CONFORM_PASS;
}

static void prps(struct nvme_sqe *sqe, uint64_t prp1, uint64_t prp2)
{
	*sqe = (struct nvme_sqe){.dptr.prp.prp1 = htole64(prp1), .dptr.prp.prp2 = htole64(prp2)};
}

/* len bytes through PRP1 = a page + off and PRP2 = another page (not
 * adjacent) holding the rest, round-tripped at slba. */
static enum conform_verdict two_pages(struct conform_ctx *ctx, uint64_t off, uint64_t len,
				      uint64_t slba)
{
	struct conform_nvme *dev;
	struct nvme_sqe tmpl;
	uint64_t pg[2];
	enum conform_verdict v = open_pages(ctx, &dev, pg, 2);

	if (v != CONFORM_PASS)
		return v;
	prps(&tmpl, pg[0] + off, pg[1]);
	v = nvme_iou_layout_trip(
	    dev, &tmpl, slba, (uint32_t)(len / dev->block_size),
	    (struct nvme_iou_piece[]){{pg[0] + off, PAGE - off}, {pg[1], len - (PAGE - off)}}, 2);
	return nvme_iou_close(dev, v);
}

/* PRP1 with a dword-aligned offset (204h), a page's worth of blocks
 * crossing into PRP2's page. */
enum conform_verdict nvme_dptr_prp1_offset(struct conform_ctx *ctx)
{
	return two_pages(ctx, 0x204, PAGE, 128);
}

/* Two pages: PRP2 is the second page itself (Base 2.1 §4.1.1). */
enum conform_verdict nvme_dptr_prp2_page(struct conform_ctx *ctx)
{
	return two_pages(ctx, 0, 2 * PAGE, 136);
}

/* Five pages: PRP2 points to a list of four, in reverse bus order. */
enum conform_verdict nvme_dptr_prp_list(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_sqe tmpl;
	struct nvme_iou_piece p[5];
	uint64_t pg[6], *list;
	enum conform_verdict v = open_pages(ctx, &dev, pg, 6);

	if (v != CONFORM_PASS)
		return v;
	list = conform_nvme_at(dev, pg[5], PAGE);
	for (unsigned i = 0; i < 5; i++) {
		p[i] = (struct nvme_iou_piece){i ? pg[5 - i] : pg[0], PAGE};
		if (i)
			list[i - 1] = htole64(pg[5 - i]);
	}
	prps(&tmpl, pg[0], pg[5]);
	v = nvme_iou_layout_trip(dev, &tmpl, 144, 5 * PAGE / dev->block_size, p, 5);
	return nvme_iou_close(dev, v);
}

/* Base 2.1 §4.3.1: a list whose page runs out chains, its last entry
 * naming the next list page. The list starts 16 bytes before its page's
 * end (a PRP list pointer may have an offset), so its two entries are one
 * data page and the chain; the next list page names the other three.
 * Then the list just fills its page (two data entries, nothing more to
 * name): its last entry is data, not a chain. */
enum conform_verdict nvme_dptr_list_chain(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_sqe tmpl;
	struct nvme_iou_piece p[5];
	uint64_t pg[7], *a, *b;
	enum conform_verdict v = open_pages(ctx, &dev, pg, 7);

	if (v != CONFORM_PASS)
		return v;
	a = conform_nvme_at(dev, pg[5] + PAGE - 16, 16);
	b = conform_nvme_at(dev, pg[6], PAGE);
	for (unsigned i = 0; i < 5; i++)
		p[i] = (struct nvme_iou_piece){pg[i], PAGE};
	a[0] = htole64(pg[1]);
	a[1] = htole64(pg[6]);
	for (unsigned i = 0; i < 3; i++)
		b[i] = htole64(pg[2 + i]);
	prps(&tmpl, pg[0], pg[5] + PAGE - 16);
	v = nvme_iou_layout_trip(dev, &tmpl, 152, 5 * PAGE / dev->block_size, p, 5);
	if (v != CONFORM_PASS)
		return nvme_iou_close(dev, v);
	/* The same two entries as data pages: the list ends with its page
	 * and needs no more, so its last entry is data, not a chain. */
	a[1] = htole64(pg[2]);
	v = nvme_iou_layout_trip(dev, &tmpl, 152, 3 * PAGE / dev->block_size, p, 3);
	return nvme_iou_close(dev, v);
}

/* Sends a Read of npages pages with PRP1/PRP2 as given and judges its
 * status: one of wants[n], or (n 0) any status but success. */
static enum conform_verdict bad_read(struct conform_nvme *dev, uint64_t prp1, uint64_t prp2,
				     unsigned npages, const uint16_t *wants, unsigned n,
				     const char *what)
{
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	char st[96];
	enum conform_verdict v;
	int ret;

	nvme_iou_rw(&sqe, NVME_NVM_READ, dev->nsid, 0, npages * PAGE / dev->block_size, prp1, prp2);
	ret = conform_nvme_cmd(dev, &dev->io[0], &sqe, &cqe);
	if (ret)
		return nvme_iou_close(dev, conform_fail(dev->ctx, "%s: %s", what, strerror(-ret)));
	if (n)
		v = nvme_iou_expect_any(dev->ctx, &cqe, wants, n, what);
	else if (conform_nvme_status(&cqe) == NVME_IOU_OK)
		v = conform_fail(dev->ctx, "%s: completed successfully", what);
	else
		v = CONFORM_PASS;
	conform_note(dev->ctx, "%s: %s", what,
		     conform_nvme_status_str(conform_nvme_status(&cqe), st, sizeof(st)));
	return nvme_iou_close_alive(dev, v);
}

/* PRP1 offset 2: the controller reports PRP Offset Invalid, or goes on as
 * if bits 1:0 were clear, the block landing at the dword below. */
enum conform_verdict nvme_dptr_prp1_unaligned(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	uint64_t pg[2];
	uint8_t *w, *r;
	enum conform_verdict v = open_pages(ctx, &dev, pg, 2);
	int ret;

	if (v != CONFORM_PASS)
		return v;
	w = conform_nvme_at(dev, pg[0], PAGE);
	r = conform_nvme_at(dev, pg[1], PAGE);
	nvme_iou_fill(w, dev->block_size, nvme_iou_seed());
	v = nvme_iou_xfer(dev, NVME_NVM_WRITE, 8, 1, pg[0], "Write of a block");
	if (v != CONFORM_PASS)
		return nvme_iou_close(dev, v);
	nvme_iou_rw(&sqe, NVME_NVM_READ, dev->nsid, 8, 1, pg[1] + 2, 0);
	ret = conform_nvme_cmd(dev, &dev->io[0], &sqe, &cqe);
	if (ret)
		return nvme_iou_close(
		    dev, conform_fail(ctx, "Read with PRP1 offset 2: %s", strerror(-ret)));
	if (conform_nvme_status(&cqe) == NVME_IOU_OK) {
		if (memcmp(r, w, dev->block_size))
			v = conform_fail(ctx, "the Read with PRP1 offset 2 succeeded but the block "
					      "is not at offset 0 (as if bits 1:0 were clear)");
	} else {
		v = conform_nvme_expect(ctx, &cqe, PRP_OFFSET_INVALID, "Read with PRP1 offset 2");
	}
	if (v == CONFORM_PASS)
		conform_info(ctx, "PRP1 offset 2: %s",
			     conform_nvme_status(&cqe) ? "PRP Offset Invalid"
						       : "served as if bits 1:0 were clear");
	return nvme_iou_close_alive(dev, v);
}

/* A second page named with an offset: PRP Offset Invalid. */
enum conform_verdict nvme_dptr_prp2_offset(struct conform_ctx *ctx)
{
	static const uint16_t g_want[] = {PRP_OFFSET_INVALID};
	struct conform_nvme *dev;
	uint64_t pg[2];
	enum conform_verdict v = open_pages(ctx, &dev, pg, 2);

	if (v != CONFORM_PASS)
		return v;
	return bad_read(dev, pg[0], pg[1] + 0x100, 2, g_want, 1,
			"Read of two pages with PRP2 offset 100h");
}

/* A PRP list entry with an offset: PRP Offset Invalid. */
enum conform_verdict nvme_dptr_list_entry_offset(struct conform_ctx *ctx)
{
	static const uint16_t g_want[] = {PRP_OFFSET_INVALID};
	struct conform_nvme *dev;
	uint64_t pg[4], *list;
	enum conform_verdict v = open_pages(ctx, &dev, pg, 4);

	if (v != CONFORM_PASS)
		return v;
	list = conform_nvme_at(dev, pg[3], PAGE);
	list[0] = htole64(pg[1]);
	list[1] = htole64(pg[2] + 0x80);
	return bad_read(dev, pg[0], pg[3], 3, g_want, 1,
			"Read of three pages whose second list entry has offset 80h");
}

/* Data (list false) or a PRP list (list true) at a bus address the host
 * never mapped: the controller must fail the command, never complete it
 * as if it had moved the data. */
static enum conform_verdict unmapped(struct conform_ctx *ctx, bool list)
{
	struct conform_nvme *dev;
	uint64_t pg[1], out;
	enum conform_verdict v = open_pages(ctx, &dev, pg, 1);

	if (v != CONFORM_PASS)
		return v;
	out = dev->mem_size + (1ull << 20);
	return bad_read(dev, list ? pg[0] : out, list ? out : 0, list ? 3 : 1, NULL, 0,
			list ? "Read of three pages with the PRP list in unmapped memory"
			     : "Read of one page into unmapped memory");
}

enum conform_verdict nvme_dptr_prp_unmapped(struct conform_ctx *ctx)
{
	return unmapped(ctx, false);
}

enum conform_verdict nvme_dptr_list_unmapped(struct conform_ctx *ctx)
{
	return unmapped(ctx, true);
}
