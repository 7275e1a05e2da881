/* SPDX-License-Identifier: MIT */
/*
 * NVMe suite: malformed I/O commands (NVME-IO): blocks past the namespace,
 * namespaces that are not there, opcodes nobody defined, transfers over
 * MDTS, reserved bits, and Flush's namespace rules (Base 2.1 §7.2). Each
 * gets the status the spec names, and the controller keeps serving.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "conformance/suite_nvme.h"
#include "util/common.h"

#define INVALID_NS    NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_NS_OR_FORMAT)
#define INVALID_FIELD NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD)
#define LBA_RANGE     NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_LBA_OUT_OF_RANGE)

/* Which NSID a bad command names. */
enum bad_nsid {
	BAD_NSID_ACTIVE,
	BAD_NSID_ZERO,
	BAD_NSID_PAST_NN, /* NN + 1 */
	BAD_NSID_INACTIVE,
	BAD_NSID_ALL, /* FFFFFFFFh */
};

/* Where a bad command's blocks start: an LBA, or from the namespace's end. */
enum bad_lba {
	BAD_LBA_AT,   /* slba as given */
	BAD_LBA_NSZE, /* NSZE: one past the last block */
	BAD_LBA_LAST, /* NSZE - 1 */
	BAD_LBA_MAX,  /* FFFFFFFF_FFFFFFFFh */
};

struct bad_io {
	uint8_t opc;
	enum bad_nsid nsid;
	enum bad_lba lba;
	uint64_t slba;
	uint32_t nlb;
	uint16_t want[2]; /* the statuses allowed (the second 0: one only) */
	const char *what;
};

static int bad_nsid_of(struct conform_nvme *dev, enum bad_nsid kind, uint32_t *nsid)
{
	uint32_t nn = le32toh(dev->id_ctrl->nn);

	switch (kind) {
	case BAD_NSID_ZERO:
		*nsid = 0;
		return 0;
	case BAD_NSID_PAST_NN:
		*nsid = nn + 1;
		return nn >= NVME_NSID_ALL - 1 ? -ENOENT : 0;
	case BAD_NSID_INACTIVE:
		return nvme_iou_inactive_nsid(dev, nsid);
	case BAD_NSID_ALL:
		*nsid = NVME_NSID_ALL;
		return 0;
	default:
		*nsid = dev->nsid;
		return 0;
	}
}

static uint64_t bad_slba_of(const struct conform_nvme *dev, const struct bad_io *b)
{
	switch (b->lba) {
	case BAD_LBA_NSZE:
		return dev->num_blocks;
	case BAD_LBA_LAST:
		return dev->num_blocks - 1;
	case BAD_LBA_MAX:
		return UINT64_MAX;
	default:
		return b->slba;
	}
}

/* Sends b (its data pointer a page of ours) and judges the status. */
static enum conform_verdict bad_io_run(struct conform_ctx *ctx, const struct bad_io *b)
{
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	uint64_t bus, len, prp1, prp2;
	uint32_t nsid;
	enum conform_verdict v = nvme_iou_open(ctx, NULL, 2, &dev);
	int ret;

	if (v != CONFORM_PASS)
		return v;
	ret = bad_nsid_of(dev, b->nsid, &nsid);
	if (ret == -ENOENT)
		return nvme_iou_close(dev, conform_not_applicable(ctx, "no such NSID to name"));
	if (ret)
		return nvme_iou_close(dev, conform_error(ctx, "Identify: %s", strerror(-ret)));
	len = MAX((uint64_t)b->nlb * dev->block_size, (uint64_t)4096);
	if (!conform_nvme_buf(dev, len, 0, &bus) || nvme_iou_prps(dev, bus, len, &prp1, &prp2))
		return nvme_iou_close(dev, conform_error(ctx, "no memory for %u blocks", b->nlb));
	nvme_iou_rw(&sqe, b->opc, nsid, bad_slba_of(dev, b), b->nlb, prp1, prp2);
	v = nvme_iou_run(dev, &dev->io[0], &sqe, b->want[0], b->what, &cqe);
	if (v == CONFORM_FAIL && b->want[1] && conform_nvme_status(&cqe) == b->want[1])
		v = CONFORM_PASS;
	return nvme_iou_close_alive(dev, v);
}

enum conform_verdict nvme_io_lba_past_end(struct conform_ctx *ctx)
{
	return bad_io_run(ctx, &(struct bad_io){NVME_NVM_READ,
						BAD_NSID_ACTIVE,
						BAD_LBA_NSZE,
						0,
						1,
						{LBA_RANGE},
						"Read of the block at NSZE"});
}

enum conform_verdict nvme_io_lba_range_end(struct conform_ctx *ctx)
{
	return bad_io_run(ctx, &(struct bad_io){NVME_NVM_WRITE,
						BAD_NSID_ACTIVE,
						BAD_LBA_LAST,
						0,
						2,
						{LBA_RANGE},
						"Write of the last block and the one after"});
}

enum conform_verdict nvme_io_lba_wrap(struct conform_ctx *ctx)
{
	return bad_io_run(ctx, &(struct bad_io){NVME_NVM_READ,
						BAD_NSID_ACTIVE,
						BAD_LBA_MAX,
						0,
						2,
						{LBA_RANGE},
						"Read of 2 blocks at LBA FFFFFFFF_FFFFFFFFh"});
}

enum conform_verdict nvme_io_nsid_zero(struct conform_ctx *ctx)
{
	return bad_io_run(
	    ctx,
	    &(struct bad_io){
		NVME_NVM_READ, BAD_NSID_ZERO, BAD_LBA_AT, 0, 1, {INVALID_NS}, "Read of NSID 0"});
}

enum conform_verdict nvme_io_nsid_invalid(struct conform_ctx *ctx)
{
	return bad_io_run(ctx, &(struct bad_io){NVME_NVM_READ,
						BAD_NSID_PAST_NN,
						BAD_LBA_AT,
						0,
						1,
						{INVALID_NS},
						"Read of NSID NN + 1"});
}

enum conform_verdict nvme_io_nsid_inactive(struct conform_ctx *ctx)
{
	return bad_io_run(ctx, &(struct bad_io){NVME_NVM_READ,
						BAD_NSID_INACTIVE,
						BAD_LBA_AT,
						0,
						1,
						{INVALID_NS},
						"Read of an inactive NSID"});
}

enum conform_verdict nvme_io_nsid_all_read(struct conform_ctx *ctx)
{
	return bad_io_run(ctx, &(struct bad_io){NVME_NVM_READ,
						BAD_NSID_ALL,
						BAD_LBA_AT,
						0,
						1,
						{INVALID_NS, INVALID_FIELD},
						"Read of NSID FFFFFFFFh"});
}

enum conform_verdict nvme_io_bad_opcode(struct conform_ctx *ctx)
{
	/* 70h: no I/O command of the NVM Command Set, not vendor specific */
	return bad_io_run(ctx,
			  &(struct bad_io){0x70,
					   BAD_NSID_ACTIVE,
					   BAD_LBA_AT,
					   0,
					   1,
					   {NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE)},
					   "I/O command with opcode 70h"});
}

enum conform_verdict nvme_io_flush(struct conform_ctx *ctx)
{
	return bad_io_run(ctx, &(struct bad_io){NVME_NVM_FLUSH,
						BAD_NSID_ACTIVE,
						BAD_LBA_AT,
						0,
						0,
						{NVME_IOU_OK},
						"Flush of the namespace"});
}

enum conform_verdict nvme_io_flush_nsid_zero(struct conform_ctx *ctx)
{
	return bad_io_run(
	    ctx,
	    &(struct bad_io){
		NVME_NVM_FLUSH, BAD_NSID_ZERO, BAD_LBA_AT, 0, 0, {INVALID_NS}, "Flush of NSID 0"});
}

/* Identify Controller VWC bits 2:1 (FB, Base 2.1 Figure 312) of a new
 * controller: PASS with *fb, or the verdict. */
static enum conform_verdict vwc_fb(struct conform_ctx *ctx, unsigned *fb, uint64_t *vs)
{
	struct conform_nvme *dev;
	enum conform_verdict v = nvme_iou_open(ctx, NULL, 1, &dev);
	int ret;

	if (v != CONFORM_PASS)
		return v;
	*fb = dev->id_ctrl->vwc >> 1 & 3;
	ret = conform_nvme_reg_read(dev, NVME_REG_VS, 4, vs);
	conform_nvme_close(dev);
	return ret ? conform_error(ctx, "read of VS: %s", strerror(-ret)) : CONFORM_PASS;
}

/* Base 2.1 §7.2: Flush of FFFFFFFFh applies to every namespace when FB
 * is 11b (want 3), is failed with Invalid Namespace or Format when 10b
 * (want 2). */
static enum conform_verdict flush_all(struct conform_ctx *ctx, unsigned want)
{
	uint64_t vs;
	unsigned fb;
	enum conform_verdict v = vwc_fb(ctx, &fb, &vs);

	if (v != CONFORM_PASS)
		return v;
	if (fb != want)
		return conform_not_applicable(ctx, "Identify Controller VWC FB is %u%ub", fb >> 1,
					      fb & 1);
	return bad_io_run(ctx,
			  &(struct bad_io){NVME_NVM_FLUSH,
					   BAD_NSID_ALL,
					   BAD_LBA_AT,
					   0,
					   0,
					   {want == 3 ? NVME_IOU_OK : INVALID_NS},
					   want == 3 ? "Flush of NSID FFFFFFFFh (VWC FB 11b)"
						     : "Flush of NSID FFFFFFFFh (VWC FB 10b)"});
}

enum conform_verdict nvme_io_flush_all(struct conform_ctx *ctx)
{
	return flush_all(ctx, 3);
}

enum conform_verdict nvme_io_flush_all_refused(struct conform_ctx *ctx)
{
	return flush_all(ctx, 2);
}

/* Base 2.1 Figure 312: FB 00b ("not indicated") is for controllers of
 * revision 1.3 and earlier only. */
enum conform_verdict nvme_io_vwc_fb(struct conform_ctx *ctx)
{
	uint64_t vs;
	unsigned fb;
	enum conform_verdict v = vwc_fb(ctx, &fb, &vs);

	if (v != CONFORM_PASS)
		return v;
	if (vs < NVME_VS(1, 4, 0))
		return conform_not_applicable(ctx, "VS %#llx: revision 1.3 or earlier",
					      (unsigned long long)vs);
	if (fb == 0)
		return conform_fail(ctx,
				    "VS %u.%u reports VWC FB 00b (Flush of NSID FFFFFFFFh "
				    "not indicated)",
				    (unsigned)(vs >> 16), (unsigned)(vs >> 8 & 0xff));
	return CONFORM_PASS;
}

/* A Read one page longer than MDTS allows: Invalid Field in Command (Base
 * 2.1 §5.1.13.2.1, MDTS). Its PRP list names one page again and again, so a
 * controller that ignores the limit writes nothing it should not. */
enum conform_verdict nvme_io_over_mdts(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	uint64_t page, list_bus, pages, *list;
	uint32_t nlb;
	enum conform_verdict v = nvme_iou_open(ctx, NULL, 1, &dev);

	if (v != CONFORM_PASS)
		return v;
	if (!dev->id_ctrl->mdts || dev->id_ctrl->mdts > 8)
		return nvme_iou_close(
		    dev, conform_not_applicable(ctx,
						"MDTS %u: no limit a case can pass in one "
						"PRP list page",
						dev->id_ctrl->mdts));
	pages = (1ull << dev->id_ctrl->mdts) + 1;
	nlb = (uint32_t)(pages * 4096 / dev->block_size);
	list = conform_nvme_buf(dev, pages * 8, 0, &list_bus);
	if (!list || !conform_nvme_buf(dev, 4096, 0, &page) || nlb > 65536 || nlb > dev->num_blocks)
		return nvme_iou_close(dev, conform_not_applicable(ctx,
								  "%llu pages do not fit "
								  "one command here",
								  (unsigned long long)pages));
	for (uint64_t i = 0; i < pages - 1; i++)
		list[i] = htole64(page);
	nvme_iou_rw(&sqe, NVME_NVM_READ, dev->nsid, 0, nlb, page, list_bus);
	v = nvme_iou_run(dev, &dev->io[0], &sqe, INVALID_FIELD, "Read one page over MDTS", NULL);
	return nvme_iou_close_alive(dev, v);
}

/* Bits a Read without protection information does not use set (CDW2,
 * CDW3, CDW12 bits 23:16): the controller ignores them (and reads the
 * right data) or refuses the command with Invalid Field in Command. */
enum conform_verdict nvme_io_reserved(struct conform_ctx *ctx)
{
	static const uint16_t g_ok[] = {NVME_IOU_OK, INVALID_FIELD};
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	uint64_t wbus, rbus, len;
	uint8_t *w, *r;
	enum conform_verdict v = nvme_iou_open(ctx, NULL, 72, &dev);
	int ret;

	if (v != CONFORM_PASS)
		return v;
	len = dev->block_size;
	w = conform_nvme_buf(dev, len, 0, &wbus);
	r = conform_nvme_buf(dev, len, 0, &rbus);
	if (!w || !r || len > 4096)
		return nvme_iou_close(dev, conform_error(ctx, "a block does not fit a page"));
	nvme_iou_fill(w, len, nvme_iou_seed());
	v = nvme_iou_xfer(dev, NVME_NVM_WRITE, 64, 1, wbus, "Write of a block");
	if (v != CONFORM_PASS)
		return nvme_iou_close(dev, v);
	nvme_iou_rw(&sqe, NVME_NVM_READ, dev->nsid, 64, 1, rbus, 0);
	sqe.cdw2 = htole32(0xa5a5a5a5);
	sqe.cdw3 = htole32(0x5a5a5a5a);
	sqe.cdw12 |= htole32(0x00ff0000);
	ret = conform_nvme_cmd(dev, &dev->io[0], &sqe, &cqe);
	if (ret)
		return nvme_iou_close(
		    dev, conform_fail(ctx, "Read with reserved bits set: %s", strerror(-ret)));
	v = nvme_iou_expect_any(ctx, &cqe, g_ok, 2, "Read with reserved bits set");
	if (v == CONFORM_PASS && conform_nvme_status(&cqe) == NVME_IOU_OK && memcmp(w, r, len))
		v = conform_fail(ctx, "the Read with reserved bits set succeeded with other data");
	if (v == CONFORM_PASS)
		conform_info(ctx, "reserved bits in a Read: %s",
			     conform_nvme_status(&cqe) ? "refused (Invalid Field in Command)"
						       : "ignored (the data read back)");
	return nvme_iou_close_alive(dev, v);
}
