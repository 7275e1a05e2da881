/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_PERF_BS_H
#define STORLAB_PERF_BS_H

/*
 * The request sizes of a job, as fio users write them:
 *   --bs 4k            every request 4 KiB;
 *   --bs 4k-64k        fio's bsrange: each request a multiple of the minimum
 *                      up to the maximum, every multiple as likely;
 *   --bssplit 4k/70:64k/30
 *                      fio's bssplit: sizes with percent weights summing to
 *                      100; sizes given without a weight share what the
 *                      others leave, evenly.
 * Every size is a multiple of 512 bytes (virtio 1.2 §5.2.6: a request's
 * sector is in 512-byte units and its data whole sectors), and the sizes of
 * a split are multiples of its smallest: the job's offsets are multiples of
 * the minimum, which is also --verify's block.
 *
 * Parsing precomputes what the pick needs, so that choosing a size per
 * request is two multiplies and, for a split, one load from a 100-slot table
 * (a slot per percent): no division, no loop, no allocation.
 *
 * One size is written as util_parse_size() reads it ("4k", "0x1000"); this
 * file knows ranges and weights.
 */

#include <stddef.h>
#include <stdint.h>

#define PERF_BS_MAX	  (1u << 30) /* bytes, the largest request */
#define PERF_BS_MAX_SPLIT 64	     /* sizes in a --bssplit */
#define PERF_BS_SLOTS	  100	     /* a split's table: one slot per percent */

enum perf_bs_kind {
	PERF_BS_FIXED,
	PERF_BS_RANGE,
	PERF_BS_SPLIT,
};

struct perf_bs {
	enum perf_bs_kind kind;
	uint32_t min; /* bytes */
	uint32_t max;
	/* As given, weights resolved (PERF_BS_SPLIT). */
	unsigned nsizes;
	uint32_t size[PERF_BS_MAX_SPLIT];
	unsigned pct[PERF_BS_MAX_SPLIT];
	/* The pick, in multiples of min: slot i = (top 32 bits of r) *
	 * nslots >> 32, uniform in [0, nslots). FIXED: 1 slot, 1. RANGE:
	 * max / min slots, slot i is i + 1. SPLIT: 100 slots, slot[i]. */
	uint32_t nslots;
	uint32_t slot[PERF_BS_SLOTS];
};

/* "4k" or "4k-64k". 0, or -EINVAL for a size that is 0, not a multiple of
 * 512 or above PERF_BS_MAX, or a range whose maximum is below its minimum. */
int perf_bs_parse(const char *s, struct perf_bs *bs);
/* "4k/70:64k/30", "4k/50:8k:16k". 0, or -EINVAL also for weights above 100
 * in sum, weights all given that do not sum to 100, more than
 * PERF_BS_MAX_SPLIT sizes, or a size that is not a multiple of the smallest. */
int perf_bssplit_parse(const char *s, struct perf_bs *bs);
/* One size for every request; size as perf_bs_parse() takes it. */
int perf_bs_fixed(struct perf_bs *bs, uint32_t size);

/* What was asked, in bytes: "4096", "4096-65536", "4096/70:65536/30".
 * Returns what snprintf() would (the length, truncated or not). */
int perf_bs_format(const struct perf_bs *bs, char *buf, size_t len);

/* A request's size in multiples of bs->min (the caller needs both that and
 * the bytes, and a multiply is cheaper than a divide); r: a random 64-bit
 * number (pick_rng()). */
static inline uint32_t perf_bs_pick(const struct perf_bs *bs, uint64_t r)
{
	uint32_t i = (uint32_t)(((r >> 32) * bs->nslots) >> 32);

	return bs->kind == PERF_BS_SPLIT ? bs->slot[i] : i + 1;
}

#endif
