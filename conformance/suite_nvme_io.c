/* SPDX-License-Identifier: MIT */
/*
 * NVMe suite: I/O commands of the NVM Command Set (NVME-IO): data written
 * is read back, and every malformed command gets the status the spec names.
 */
#include <endian.h>
#include <string.h>

#include "conformance/suite_nvme.h"

/* Writes a pattern to 8 blocks at LBA 16 and reads it back. */
enum conform_verdict nvme_io_write_read(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	uint64_t wbus, rbus, len;
	uint8_t *w, *r;
	enum conform_verdict v = nvme_iou_open(ctx, NULL, 24, &dev);

	if (v != CONFORM_PASS)
		return v;
	len = 8ull * dev->block_size;
	w = conform_nvme_buf(dev, len, 0, &wbus);
	r = conform_nvme_buf(dev, len, 0, &rbus);
	if (!w || !r)
		return nvme_iou_close(dev, conform_error(ctx, "no memory for 8 blocks"));
	nvme_iou_fill(w, len, nvme_iou_seed());
	v = nvme_iou_xfer(dev, NVME_NVM_WRITE, 16, 8, wbus, "Write of 8 blocks");
	if (v == CONFORM_PASS)
		v = nvme_iou_xfer(dev, NVME_NVM_READ, 16, 8, rbus, "Read of 8 blocks");
	if (v == CONFORM_PASS && memcmp(w, r, len))
		v = conform_fail(ctx, "the blocks read back differ from those written");
	return nvme_iou_close(dev, v);
}

/* The MDTS limit in bytes (0: none), CAP.MPSMIN being 4 KiB or less here. */
static uint64_t mdts_bytes(const struct conform_nvme *dev)
{
	uint8_t mdts = dev->id_ctrl->mdts;

	return mdts ? (uint64_t)4096 << mdts : 0;
}

/* Round trips at LBAs and sizes that cross page boundaries differently:
 * one block, a few, a page's worth, past one page, and a PRP list. */
enum conform_verdict nvme_io_sizes(struct conform_ctx *ctx)
{
	static const struct {
		uint64_t slba;
		uint32_t nlb;
	} g_io[] = {{0, 1}, {1, 1}, {7, 3}, {64, 8}, {100, 9}, {200, 17}, {1000, 64}};
	struct conform_nvme *dev;
	enum conform_verdict v = nvme_iou_open(ctx, NULL, 1064, &dev);
	uint32_t seed = nvme_iou_seed();
	unsigned done = 0;

	for (size_t i = 0; v == CONFORM_PASS && i < sizeof(g_io) / sizeof(g_io[0]); i++) {
		uint64_t len = (uint64_t)g_io[i].nlb * dev->block_size;

		if (mdts_bytes(dev) && len > mdts_bytes(dev))
			continue;
		conform_note(ctx, "%u blocks at LBA %llu", g_io[i].nlb,
			     (unsigned long long)g_io[i].slba);
		v = nvme_iou_round_trip(dev, g_io[i].slba, g_io[i].nlb, seed + (uint32_t)i);
		done++;
	}
	if (v == CONFORM_PASS && done < 2)
		v = conform_not_applicable(ctx, "MDTS allows fewer than two of the sizes");
	return nvme_iou_close(dev, v);
}

/* The last block of the namespace is as usable as any other. */
enum conform_verdict nvme_io_last_lba(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	enum conform_verdict v = nvme_iou_open(ctx, NULL, 2, &dev);

	if (v != CONFORM_PASS)
		return v;
	v = nvme_iou_round_trip(dev, dev->num_blocks - 1, 1, nvme_iou_seed());
	return nvme_iou_close(dev, v);
}

/* NLB is 0's based: NLB 0 moves exactly one block, not none, not two. */
enum conform_verdict nvme_io_nlb_zero(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	uint64_t abus, bbus, rbus, bs;
	uint8_t *a, *b, *r;
	enum conform_verdict v = nvme_iou_open(ctx, NULL, 34, &dev);

	if (v != CONFORM_PASS)
		return v;
	bs = dev->block_size;
	a = conform_nvme_buf(dev, 2 * bs, 0, &abus);
	b = conform_nvme_buf(dev, bs, 0, &bbus);
	r = conform_nvme_buf(dev, 2 * bs, 0, &rbus);
	if (!a || !b || !r)
		return nvme_iou_close(dev, conform_error(ctx, "no memory for 2 blocks of %llu bytes",
							 (unsigned long long)bs));
	nvme_iou_fill(a, 2 * bs, nvme_iou_seed());
	nvme_iou_fill(b, bs, nvme_iou_seed() ^ 0x5a5a5a5au);
	v = nvme_iou_xfer(dev, NVME_NVM_WRITE, 32, 2, abus, "Write of 2 blocks");
	if (v == CONFORM_PASS) {
		/* nlb 1 leaves the NLB field 0 */
		nvme_iou_rw(&sqe, NVME_NVM_WRITE, dev->nsid, 32, 1, bbus, 0);
		v = nvme_iou_run(dev, &dev->io[0], &sqe, NVME_IOU_OK, "Write with NLB 0", NULL);
	}
	if (v == CONFORM_PASS)
		v = nvme_iou_xfer(dev, NVME_NVM_READ, 32, 2, rbus, "Read of 2 blocks");
	if (v == CONFORM_PASS && memcmp(r, b, bs))
		v = conform_fail(ctx, "a Write with NLB 0 did not write its one block");
	if (v == CONFORM_PASS && memcmp(r + bs, a + bs, bs))
		v = conform_fail(ctx, "a Write with NLB 0 changed the block after its one block");
	return nvme_iou_close(dev, v);
}

/* Whether ONCS has bit, else N/A naming what. */
static enum conform_verdict need_oncs(struct conform_nvme *dev, uint16_t bit, const char *what)
{
	if (le16toh(dev->id_ctrl->oncs) & bit)
		return CONFORM_PASS;
	conform_nvme_close(dev);
	return conform_not_applicable(dev->ctx, "Identify Controller ONCS: no %s", what);
}

/* Writes a pattern to 4 blocks at slba into *w (its bus address *wbus). */
static enum conform_verdict write_pattern(struct conform_nvme *dev, uint64_t slba, uint8_t **w,
					  uint64_t *wbus)
{
	uint64_t len = 4ull * dev->block_size;

	*w = conform_nvme_buf(dev, len, 0, wbus);
	if (!*w)
		return conform_error(dev->ctx, "no memory for 4 blocks");
	nvme_iou_fill(*w, len, nvme_iou_seed());
	return nvme_iou_xfer(dev, NVME_NVM_WRITE, slba, 4, *wbus, "Write of 4 blocks");
}

/* Write Zeroes: the blocks then read as zeroes (NVM CS §3.2.8). */
enum conform_verdict nvme_io_write_zeroes(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	uint64_t wbus, rbus;
	uint8_t *w, *r;
	enum conform_verdict v = nvme_iou_open(ctx, NULL, 44, &dev);

	if (v != CONFORM_PASS)
		return v;
	v = need_oncs(dev, NVME_CTRL_ONCS_WRITE_ZEROES, "Write Zeroes");
	if (v != CONFORM_PASS)
		return v;
	v = write_pattern(dev, 40, &w, &wbus);
	r = conform_nvme_buf(dev, 4ull * dev->block_size, 0, &rbus);
	if (v == CONFORM_PASS && !r)
		v = conform_error(ctx, "no memory for 4 blocks");
	if (v == CONFORM_PASS) {
		nvme_iou_rw(&sqe, NVME_NVM_WRITE_ZEROES, dev->nsid, 40, 4, 0, 0);
		v = nvme_iou_run(dev, &dev->io[0], &sqe, NVME_IOU_OK, "Write Zeroes of 4 blocks",
				 NULL);
	}
	if (v == CONFORM_PASS) {
		memset(r, 0xa5, 4ull * dev->block_size);
		v = nvme_iou_xfer(dev, NVME_NVM_READ, 40, 4, rbus, "Read of 4 blocks");
	}
	if (v == CONFORM_PASS && !nvme_iou_all(r, 4ull * dev->block_size, 0))
		v = conform_fail(ctx, "blocks written with Write Zeroes read back non-zero");
	return nvme_iou_close(dev, v);
}

/* Dataset Management deallocate, then a Read: the bytes DLFEAT bits 2:0
 * promise (NVM CS §4.1.5.1: 001b zeroes, 010b FFh, 000b not reported). */
enum conform_verdict nvme_io_dsm_read(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_dsm_range *range;
	struct nvme_sqe sqe;
	uint64_t wbus, rbus, dbus, len;
	uint8_t *w, *r, dlfeat;
	enum conform_verdict v = nvme_iou_open(ctx, NULL, 52, &dev);

	if (v != CONFORM_PASS)
		return v;
	v = need_oncs(dev, NVME_CTRL_ONCS_DSM, "Dataset Management");
	if (v != CONFORM_PASS)
		return v;
	len = 4ull * dev->block_size;
	dlfeat = dev->id_ns->dlfeat & 7;
	v = write_pattern(dev, 48, &w, &wbus);
	r = conform_nvme_buf(dev, len, 0, &rbus);
	range = conform_nvme_buf(dev, sizeof(*range), 0, &dbus);
	if (v == CONFORM_PASS && (!r || !range))
		v = conform_error(ctx, "no memory for the range and 4 blocks");
	if (v == CONFORM_PASS) {
		*range = (struct nvme_dsm_range){.nlb = htole32(4), .slba = htole64(48)};
		sqe = (struct nvme_sqe){.opc = NVME_NVM_DSM,
					.nsid = htole32(dev->nsid),
					.dptr.prp.prp1 = htole64(dbus),
					.cdw11 = htole32(NVME_DSM_AD)};
		v = nvme_iou_run(dev, &dev->io[0], &sqe, NVME_IOU_OK,
				 "Dataset Management "
				 "deallocate of 4 blocks",
				 NULL);
	}
	if (v == CONFORM_PASS)
		v = nvme_iou_xfer(dev, NVME_NVM_READ, 48, 4, rbus, "Read of deallocated blocks");
	if (v == CONFORM_PASS && dlfeat == 1 && !nvme_iou_all(r, len, 0))
		v = conform_fail(ctx, "DLFEAT says deallocated blocks read as 00h; they do not");
	else if (v == CONFORM_PASS && dlfeat == 2 && !nvme_iou_all(r, len, 0xff))
		v = conform_fail(ctx, "DLFEAT says deallocated blocks read as FFh; they do not");
	else if (v == CONFORM_PASS && dlfeat != 1 && dlfeat != 2)
		conform_info(ctx, "DLFEAT %u: deallocated blocks read as %s", dlfeat,
			     memcmp(r, w, len) ? "other data than written" : "the data written");
	return nvme_iou_close(dev, v);
}

/* Writes 4 blocks at LBA 56 and Compares them with the data written,
 * changed in one byte when miss. */
static enum conform_verdict compare(struct conform_ctx *ctx, bool miss)
{
	struct conform_nvme *dev;
	uint64_t wbus, prp1, prp2;
	uint8_t *w;
	struct nvme_sqe sqe;
	enum conform_verdict v = nvme_iou_open(ctx, NULL, 60, &dev);

	if (v != CONFORM_PASS)
		return v;
	v = need_oncs(dev, NVME_CTRL_ONCS_COMPARE, "Compare");
	if (v != CONFORM_PASS)
		return v;
	v = write_pattern(dev, 56, &w, &wbus);
	if (v != CONFORM_PASS)
		return nvme_iou_close(dev, v);
	if (miss)
		w[3 * dev->block_size + 17] ^= 0x01;
	if (nvme_iou_prps(dev, wbus, 4ull * dev->block_size, &prp1, &prp2))
		return nvme_iou_close(dev, conform_error(ctx, "PRPs for 4 blocks"));
	nvme_iou_rw(&sqe, NVME_NVM_COMPARE, dev->nsid, 56, 4, prp1, prp2);
	v = nvme_iou_run(dev, &dev->io[0], &sqe,
			 miss ? NVME_SCT_SC(NVME_SCT_MEDIA, NVME_SC_COMPARE_FAILURE) : NVME_IOU_OK,
			 miss ? "Compare with one bit changed" : "Compare with the data written",
			 NULL);
	return nvme_iou_close(dev, v);
}

enum conform_verdict nvme_io_compare_match(struct conform_ctx *ctx)
{
	return compare(ctx, false);
}

enum conform_verdict nvme_io_compare_miss(struct conform_ctx *ctx)
{
	return compare(ctx, true);
}
