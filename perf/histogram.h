/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_PERF_HISTOGRAM_H
#define STORLAB_PERF_HISTOGRAM_H

/*
 * A log-linear latency histogram (as HdrHistogram and fio's clat buckets):
 * values below 2^HIST_SUB_BITS are counted exactly; above, each power of two
 * is split into 2^HIST_SUB_BITS equal buckets. A value reported for a bucket
 * (its midpoint) is within 1/2^(HIST_SUB_BITS+1) of any value counted in it:
 * 1/128 with 6 sub-bits. Recording is a few integer operations, no floating
 * point and no allocation, so it sits on the I/O path.
 *
 * Not thread safe: one histogram per thread, merged at the end.
 */

#include <stdint.h>

#define HIST_SUB_BITS 6
#define HIST_SUB      (1u << HIST_SUB_BITS)
/* Exact buckets for [0, HIST_SUB), then HIST_SUB for each power of two up to 2^63. */
#define HIST_BUCKETS ((64 - HIST_SUB_BITS + 1) * HIST_SUB)

struct histogram {
	uint64_t count;
	uint64_t min;
	uint64_t max;
	uint64_t sum; /* wraps after 2^64 ns in total, ~584 years */
	uint64_t buckets[HIST_BUCKETS];
};

void hist_init(struct histogram *h);

static inline unsigned hist_bucket(uint64_t v)
{
	unsigned shift;

	if (v < HIST_SUB)
		return (unsigned)v;
	shift = (unsigned)(63 - __builtin_clzll(v)) - HIST_SUB_BITS;
	return (shift + 1) * HIST_SUB + (unsigned)((v >> shift) - HIST_SUB);
}

static inline void hist_record(struct histogram *h, uint64_t v)
{
	h->buckets[hist_bucket(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/* The smallest and largest value counted in a bucket. */
uint64_t hist_bucket_low(unsigned bucket);
uint64_t hist_bucket_high(unsigned bucket);

/* Adds src's counts to dst. */
void hist_merge(struct histogram *dst, const struct histogram *src);

/* The value below or at which pct percent of the values lie (nearest rank),
 * reported as its bucket's midpoint clamped to [min, max]; 0 if empty.
 * pct in [0, 100]; 100 gives max. */
uint64_t hist_percentile(const struct histogram *h, double pct);
double hist_mean(const struct histogram *h);
/* From the bucket midpoints: within the same relative bound. */
double hist_stddev(const struct histogram *h);

#endif
