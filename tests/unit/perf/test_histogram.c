/* SPDX-License-Identifier: MIT */
/* The latency histogram: bucket bounds, relative error, percentiles on
 * known distributions, merge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "perf/histogram.h"

static uint64_t rng_state = 0x1234567;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static struct histogram *hist_new(void)
{
	struct histogram *h = malloc(sizeof(*h));

	assert_non_null(h);
	hist_init(h);
	return h;
}

static void test_small_values_exact(void **state)
{
	struct histogram *h = hist_new();

	(void)state;
	for (uint64_t v = 0; v < HIST_SUB; v++) {
		assert_int_equal(hist_bucket(v), v);
		assert_int_equal(hist_bucket_low((unsigned)v), v);
		assert_int_equal(hist_bucket_high((unsigned)v), v);
	}
	for (uint64_t v = 1; v <= 10; v++)
		hist_record(h, v);
	assert_int_equal(hist_percentile(h, 50), 5);
	assert_int_equal(hist_percentile(h, 10), 1);
	assert_int_equal(hist_percentile(h, 100), 10);
	free(h);
}

/* Every value lies in its bucket, buckets tile the range without gaps, and
 * the midpoint is within 1/128 of the value. */
static void test_bucket_bounds_and_error(void **state)
{
	(void)state;
	for (unsigned b = 0; b + 1 < HIST_BUCKETS; b++)
		assert_int_equal(hist_bucket_high(b) + 1, hist_bucket_low(b + 1));
	assert_int_equal(hist_bucket(UINT64_MAX), HIST_BUCKETS - 1);
	assert_int_equal(hist_bucket_high(HIST_BUCKETS - 1), UINT64_MAX);
	for (int i = 0; i < 200000; i++) {
		uint64_t v = rnd() >> (rnd() % 64);
		unsigned b = hist_bucket(v);
		uint64_t lo = hist_bucket_low(b), hi = hist_bucket_high(b);
		uint64_t mid = lo + (hi - lo) / 2;
		double err = v ? (double)(mid > v ? mid - v : v - mid) / (double)v : 0;

		assert_true(lo <= v && v <= hi);
		assert_true(err <= 1.0 / 128);
	}
}

/* 1..100000 once each: the p-th percentile is p * 1000, within the bound. */
static void test_percentiles_uniform(void **state)
{
	static const double pcts[] = {1, 10, 50, 90, 99, 99.9};
	struct histogram *h = hist_new();

	(void)state;
	for (uint64_t v = 1; v <= 100000; v++)
		hist_record(h, v);
	assert_int_equal(h->count, 100000);
	assert_int_equal(h->min, 1);
	assert_int_equal(h->max, 100000);
	assert_true(hist_mean(h) == 50000.5);
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		double want = pcts[i] * 1000, got = (double)hist_percentile(h, pcts[i]);

		assert_true(got >= want * (1 - 1.0 / 128) && got <= want * (1 + 1.0 / 128));
	}
	assert_int_equal(hist_percentile(h, 100), 100000);
	/* uniform: stddev = n / sqrt(12) = 28867.5 */
	assert_true(hist_stddev(h) > 28867.5 * 0.99 && hist_stddev(h) < 28867.5 * 1.01);
	free(h);
}

/* 90% at 1 us and 10% at 1 ms: the tail shows up exactly where it starts. */
static void test_percentiles_bimodal(void **state)
{
	struct histogram *h = hist_new();

	(void)state;
	for (int i = 0; i < 9000; i++)
		hist_record(h, 1000);
	for (int i = 0; i < 1000; i++)
		hist_record(h, 1000000);
	assert_in_range(hist_percentile(h, 50), 1000 - 8, 1000 + 8);
	assert_in_range(hist_percentile(h, 90), 1000 - 8, 1000 + 8);
	assert_in_range(hist_percentile(h, 90.01), 1000000 - 7813, 1000000 + 7813);
	assert_in_range(hist_percentile(h, 99.9), 1000000 - 7813, 1000000 + 7813);
	assert_int_equal(hist_percentile(h, 100), 1000000);
	assert_true(hist_mean(h) == (9000.0 * 1000 + 1000.0 * 1000000) / 10000);
	free(h);
}

static void test_empty(void **state)
{
	struct histogram *h = hist_new();

	(void)state;
	assert_int_equal(hist_percentile(h, 50), 0);
	assert_true(hist_mean(h) == 0);
	assert_true(hist_stddev(h) == 0);
	free(h);
}

/* Two halves merged are the whole. */
static void test_merge(void **state)
{
	struct histogram *a = hist_new(), *b = hist_new(), *all = hist_new();

	(void)state;
	for (int i = 0; i < 50000; i++) {
		uint64_t v = rnd() % 10000000;

		hist_record(i % 2 ? a : b, v);
		hist_record(all, v);
	}
	hist_record(b, 3); /* b holds the minimum */
	hist_record(all, 3);
	hist_merge(a, b);
	assert_int_equal(a->count, all->count);
	assert_int_equal(a->sum, all->sum);
	assert_int_equal(a->min, 3);
	assert_int_equal(a->max, all->max);
	assert_memory_equal(a->buckets, all->buckets, sizeof(a->buckets));
	assert_int_equal(hist_percentile(a, 99), hist_percentile(all, 99));
	free(a);
	free(b);
	free(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_small_values_exact),
	    cmocka_unit_test(test_bucket_bounds_and_error),
	    cmocka_unit_test(test_percentiles_uniform),
	    cmocka_unit_test(test_percentiles_bimodal),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
