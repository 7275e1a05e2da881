/* SPDX-License-Identifier: MIT */
/* Median and MAD (perf/stats.h) on sets whose answers are known by hand. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perf/stats.h"

#define EPS 1e-9

static void test_median(void **state)
{
	const double odd[] = {5, 1, 3};
	const double even[] = {4, 1, 3, 2};
	const double one[] = {42};
	const double dup[] = {7, 7, 7, 1, 100};
	double m;

	(void)state;
	assert_int_equal(stats_median(odd, 3, &m), 0);
	assert_float_equal(m, 3, EPS);
	assert_int_equal(stats_median(even, 4, &m), 0);
	assert_float_equal(m, 2.5, EPS); /* the mean of the middle two */
	assert_int_equal(stats_median(one, 1, &m), 0);
	assert_float_equal(m, 42, EPS);
	assert_int_equal(stats_median(dup, 5, &m), 0);
	assert_float_equal(m, 7, EPS);
	/* The input is left as it was. */
	assert_float_equal(odd[0], 5, EPS);
	assert_float_equal(even[0], 4, EPS);
}

static void test_mad(void **state)
{
	/* Deviations from the median 3: 2 1 0 1 2 -> median 1. */
	const double a[] = {1, 2, 3, 4, 5};
	/* Median 2.5; deviations 1.5 .5 .5 1.5 -> 1. */
	const double even[] = {1, 2, 3, 4};
	/* An outlier moves neither: median 2, deviations 1 0 0 1 998 -> 1. */
	const double outlier[] = {1, 2, 2, 3, 1000};
	const double one[] = {42};
	double mad;

	(void)state;
	assert_int_equal(stats_mad(a, 5, &mad), 0);
	assert_float_equal(mad, STATS_MAD_SIGMA, EPS);
	assert_int_equal(stats_mad(even, 4, &mad), 0);
	assert_float_equal(mad, STATS_MAD_SIGMA, EPS);
	assert_int_equal(stats_mad(outlier, 5, &mad), 0);
	assert_float_equal(mad, STATS_MAD_SIGMA, EPS);
	assert_int_equal(stats_mad(one, 1, &mad), 0);
	assert_float_equal(mad, 0, EPS);
}

static void test_summary_and_errors(void **state)
{
	const double v[] = {10, 30, 20, 40};
	const double nan_in[] = {1, __builtin_nan(""), 3};
	struct stats_summary s;
	double m;

	(void)state;
	assert_int_equal(stats_summarize(v, 4, &s), 0);
	assert_int_equal(s.n, 4);
	assert_float_equal(s.median, 25, EPS);
	assert_float_equal(s.min, 10, EPS);
	assert_float_equal(s.max, 40, EPS);
	assert_float_equal(s.mad, 10 * STATS_MAD_SIGMA, EPS);
	assert_int_equal(stats_median(v, 0, &m), -EINVAL);
	assert_int_equal(stats_median(nan_in, 3, &m), -EINVAL);
}

static void test_sqrt(void **state)
{
	(void)state;
	assert_float_equal(stats_sqrt(0), 0, EPS);
	assert_float_equal(stats_sqrt(-4), 0, EPS);
	assert_float_equal(stats_sqrt(4), 2, EPS);
	assert_float_equal(stats_sqrt(2), 1.41421356237309505, 1e-15);
	assert_float_equal(stats_sqrt(0.0009), 0.03, 1e-15);
	assert_float_equal(stats_sqrt(1e12), 1e6, 1e-6);
	assert_true(stats_sqrt(__builtin_inf()) > 1e308);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_median),
	    cmocka_unit_test(test_mad),
	    cmocka_unit_test(test_summary_and_errors),
	    cmocka_unit_test(test_sqrt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
