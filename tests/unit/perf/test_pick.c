/* SPDX-License-Identifier: MIT */
/* The engine's per-request arithmetic: mix choice and rate pacing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "perf/pick.h"

/* rwmixread 0 and 100 are exact; in between, the share of reads over many
 * draws is within a fraction of a percent of what was asked. */
static void test_mix_proportions(void **state)
{
	static const unsigned mixes[] = {0, 1, 30, 50, 70, 99, 100};
	const unsigned draws = 200000;

	(void)state;
	for (size_t m = 0; m < sizeof(mixes) / sizeof(mixes[0]); m++) {
		uint64_t th = pick_mix_threshold(mixes[m]), rng = 12345, reads = 0;

		for (unsigned i = 0; i < draws; i++)
			reads += pick_mix_read(pick_rng(&rng), th);
		if (mixes[m] == 0)
			assert_int_equal(reads, 0);
		else if (mixes[m] == 100)
			assert_int_equal(reads, draws);
		else /* 0.5% of the draws: ~5 standard deviations at 50/50 */
			assert_in_range(reads, (uint64_t)mixes[m] * draws / 100 - draws / 200,
					(uint64_t)mixes[m] * draws / 100 + draws / 200);
	}
}

static void test_pace_interval(void **state)
{
	(void)state;
	/* 1 GHz, 1000 IOPS over 4 queues: each queue every 4 ms. */
	assert_int_equal(pick_pace_interval(1000000000ULL, 1000, 4), 4000000);
	assert_int_equal(pick_pace_interval(3000000000ULL, 1000000, 1), 3000);
	/* Faster than the clock ticks: never 0, which would mean "unpaced". */
	assert_int_equal(pick_pace_interval(1000, 1000000, 1), 1);
	assert_int_equal(pick_pace_interval(1000, 0, 1), 1);
}

static void test_pace_next(void **state)
{
	uint64_t due = 1000, submitted = 0;

	(void)state;
	/* On time: the due times step by the interval, whatever now is. */
	assert_int_equal(pick_pace_next(1000, 100, 1000, 400), 1100);
	assert_int_equal(pick_pace_next(1000, 100, 1050, 400), 1100);
	/* Behind by less than the slack: catch up in a burst. */
	assert_int_equal(pick_pace_next(1000, 100, 1300, 400), 1100);
	/* Behind by more: the backlog is dropped down to the slack. */
	assert_int_equal(pick_pace_next(1000, 100, 5000, 400), 4600);
	/* now below the slack (start of the clock): no wrap. */
	assert_int_equal(pick_pace_next(0, 100, 50, 400), 100);
	/* A loop that submits whenever due over 10000 ticks at interval 100
	 * submits 100 times, whatever the polling granularity. */
	for (uint64_t now = 1000; now < 11000; now += 7) {
		while (due <= now) {
			submitted++;
			due = pick_pace_next(due, 100, now, 800);
		}
	}
	assert_in_range(submitted, 99, 101);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mix_proportions),
	    cmocka_unit_test(test_pace_interval),
	    cmocka_unit_test(test_pace_next),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
