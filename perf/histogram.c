/* SPDX-License-Identifier: MIT */
#include "perf/histogram.h"

#include <string.h>

void hist_init(struct histogram *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

uint64_t hist_bucket_low(unsigned bucket)
{
	unsigned shift;

	if (bucket < HIST_SUB)
		return bucket;
	shift = bucket / HIST_SUB - 1;
	return (uint64_t)(HIST_SUB + bucket % HIST_SUB) << shift;
}

uint64_t hist_bucket_high(unsigned bucket)
{
	if (bucket < HIST_SUB)
		return bucket;
	return hist_bucket_low(bucket) + ((1ULL << (bucket / HIST_SUB - 1)) - 1);
}

static uint64_t bucket_mid(unsigned bucket)
{
	uint64_t low = hist_bucket_low(bucket);

	return low + (hist_bucket_high(bucket) - low) / 2;
}

void hist_merge(struct histogram *dst, const struct histogram *src)
{
	for (unsigned i = 0; i < HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t hist_percentile(const struct histogram *h, double pct)
{
	uint64_t rank, seen = 0, v;
	double x;

	if (h->count == 0)
		return 0;
	if (pct >= 100)
		return h->max;
	x = pct / 100.0 * (double)h->count;
	rank = (uint64_t)x;
	if ((double)rank < x || rank == 0)
		rank++;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen < rank)
			continue;
		v = bucket_mid(i);
		return v < h->min ? h->min : v > h->max ? h->max : v;
	}
	return h->max;
}

double hist_mean(const struct histogram *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}

/* Newton's method, from above: the build links no libm. */
static double square_root(double x)
{
	double r = x > 1 ? x : 1;

	if (x <= 0)
		return 0;
	for (;;) {
		double next = 0.5 * (r + x / r);

		if (next >= r)
			return r;
		r = next;
	}
}

double hist_stddev(const struct histogram *h)
{
	double mean = hist_mean(h), acc = 0;

	if (h->count < 2)
		return 0.0;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		double d;

		if (!h->buckets[i])
			continue;
		d = (double)bucket_mid(i) - mean;
		acc += d * d * (double)h->buckets[i];
	}
	return square_root(acc / (double)(h->count - 1));
}
