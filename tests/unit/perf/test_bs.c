/* SPDX-License-Identifier: MIT */
/* Request sizes: --bs ranges and --bssplit weights, parsed and picked. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "perf/bs.h"
#include "perf/pick.h"

#define DRAWS 200000u

static struct perf_bs parse_ok(const char *s, bool split)
{
	struct perf_bs bs;

	if (split)
		assert_int_equal(perf_bssplit_parse(s, &bs), 0);
	else
		assert_int_equal(perf_bs_parse(s, &bs), 0);
	return bs;
}

/* What parsing left: the kind, the bounds, and the text the report shows. */
static void assert_bs(const struct perf_bs *bs, enum perf_bs_kind kind, uint32_t min, uint32_t max,
		      const char *text)
{
	char buf[128];

	assert_int_equal(bs->kind, kind);
	assert_int_equal(bs->min, min);
	assert_int_equal(bs->max, max);
	perf_bs_format(bs, buf, sizeof(buf));
	assert_string_equal(buf, text);
}

/* counts[k]: picks of k multiples of the minimum, over DRAWS picks. */
static void pick_counts(const struct perf_bs *bs, uint64_t seed, uint64_t *counts, unsigned n)
{
	uint64_t rng = seed;

	memset(counts, 0, n * sizeof(*counts));
	for (unsigned i = 0; i < DRAWS; i++) {
		uint32_t k = perf_bs_pick(bs, pick_rng(&rng));

		assert_in_range(k, 1, n - 1);
		counts[k]++;
	}
}

static void test_fixed(void **state)
{
	struct perf_bs bs = parse_ok("4k", false);
	uint64_t rng = 7;

	(void)state;
	assert_bs(&bs, PERF_BS_FIXED, 4096, 4096, "4096");
	for (int i = 0; i < 1000; i++)
		assert_int_equal(perf_bs_pick(&bs, pick_rng(&rng)), 1);
	/* A range of one size is that size. */
	bs = parse_ok("8k-8k", false);
	assert_bs(&bs, PERF_BS_FIXED, 8192, 8192, "8192");
}

/* fio's bsrange: every multiple of the minimum up to the maximum, as likely. */
static void test_range_distribution(void **state)
{
	struct perf_bs bs = parse_ok("4k-64k", false);
	uint64_t counts[17];

	(void)state;
	assert_bs(&bs, PERF_BS_RANGE, 4096, 65536, "4096-65536");
	pick_counts(&bs, 99, counts, 17);
	/* 16 sizes, 12500 each; 5 standard deviations is under 600. */
	for (unsigned k = 1; k <= 16; k++)
		assert_in_range(counts[k], DRAWS / 16 - 600, DRAWS / 16 + 600);

	/* A maximum that is not a multiple: the multiples below it. */
	bs = parse_ok("1k-2560", false);
	assert_bs(&bs, PERF_BS_RANGE, 1024, 2560, "1024-2560");
	pick_counts(&bs, 3, counts, 3);
	assert_in_range(counts[1], DRAWS / 2 - 1200, DRAWS / 2 + 1200);
	assert_int_equal(counts[1] + counts[2], DRAWS);
}

/* fio's bssplit: the weights hold over many picks; missing ones share. */
static void test_split_weights(void **state)
{
	struct perf_bs bs = parse_ok("4k/70:64k/30", true);
	uint64_t counts[17];

	(void)state;
	assert_bs(&bs, PERF_BS_SPLIT, 4096, 65536, "4096/70:65536/30");
	pick_counts(&bs, 12345, counts, 17);
	/* 0.5% of the draws is over 4 standard deviations at 70/30. */
	assert_in_range(counts[1], DRAWS * 70 / 100 - DRAWS / 200, DRAWS * 70 / 100 + DRAWS / 200);
	assert_int_equal(counts[1] + counts[16], DRAWS);

	bs = parse_ok("4k/50:8k:16k", true);
	assert_bs(&bs, PERF_BS_SPLIT, 4096, 16384, "4096/50:8192/25:16384/25");
	pick_counts(&bs, 5, counts, 5);
	assert_in_range(counts[1], DRAWS / 2 - DRAWS / 200, DRAWS / 2 + DRAWS / 200);
	assert_in_range(counts[2], DRAWS / 4 - DRAWS / 200, DRAWS / 4 + DRAWS / 200);
	assert_in_range(counts[4], DRAWS / 4 - DRAWS / 200, DRAWS / 4 + DRAWS / 200);
	assert_int_equal(counts[3], 0);

	/* 100 over three: the first takes the odd percent, the sum stays 100. */
	bs = parse_ok("512:1k:2k", true);
	assert_bs(&bs, PERF_BS_SPLIT, 512, 2048, "512/34:1024/33:2048/33");
	/* A weight of 0 is never picked. */
	bs = parse_ok("4k/0:8k/100", true);
	pick_counts(&bs, 1, counts, 3);
	assert_int_equal(counts[2], DRAWS);
}

/* Same seed, same sizes; another seed, other sizes. */
static void test_determinism(void **state)
{
	struct perf_bs bs = parse_ok("512-64k", false);
	uint64_t a = 42, b = 42, c = 43;
	unsigned differ = 0;

	(void)state;
	for (int i = 0; i < 10000; i++) {
		uint32_t x = perf_bs_pick(&bs, pick_rng(&a));

		assert_int_equal(x, perf_bs_pick(&bs, pick_rng(&b)));
		differ += x != perf_bs_pick(&bs, pick_rng(&c));
	}
	assert_true(differ > 9000);
}

static void test_bad_specs(void **state)
{
	static const char *const bad_bs[] = {
	    "4k-2k", "3000", "0", "", "4k-", "-4k", "4k-3000", "2g", "1g-2g", "4k-64k-128k", "x",
	};
	static const char *const bad_split[] = {
	    "4k/60:8k/60", /* over 100 */
	    "4k/50:8k/40", /* all given, 90 */
	    "4k/101",	       "4k/x",	      "4k/", "4k/-1", "4k/50:", ":4k", "",
	    "3000/100",	       "4k/50:6k/50", /* 6k is not a multiple of 4k */
	    "4k/50:8k:16k/60",
	};
	char many[PERF_BS_MAX_SPLIT * 8 + 16] = "";
	struct perf_bs bs;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_bs) / sizeof(bad_bs[0]); i++) {
		if (perf_bs_parse(bad_bs[i], &bs) != -EINVAL)
			fail_msg("--bs '%s' was taken", bad_bs[i]);
	}
	for (size_t i = 0; i < sizeof(bad_split) / sizeof(bad_split[0]); i++) {
		if (perf_bssplit_parse(bad_split[i], &bs) != -EINVAL)
			fail_msg("--bssplit '%s' was taken", bad_split[i]);
	}
	/* One size more than the table holds. */
	for (unsigned i = 0; i <= PERF_BS_MAX_SPLIT; i++)
		strcat(many, i ? ":512" : "512");
	assert_int_equal(perf_bssplit_parse(many, &bs), -EINVAL);
	assert_int_equal(perf_bs_fixed(&bs, 4097), -EINVAL);
	assert_int_equal(perf_bs_fixed(&bs, 0), -EINVAL);
}

/* Offsets: below n, and spread over all of it. */
static void test_pick_below(void **state)
{
	uint64_t rng = 9, seen[10] = {0};

	(void)state;
	for (int i = 0; i < 100000; i++) {
		uint64_t v = pick_below(pick_rng(&rng), 10);

		assert_true(v < 10);
		seen[v]++;
	}
	for (int i = 0; i < 10; i++)
		assert_in_range(seen[i], 9000, 11000);
	assert_int_equal(pick_below(UINT64_MAX, 1), 0);
	assert_int_equal(pick_below(UINT64_MAX, 1ULL << 40), (1ULL << 40) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixed),	  cmocka_unit_test(test_range_distribution),
	    cmocka_unit_test(test_split_weights), cmocka_unit_test(test_determinism),
	    cmocka_unit_test(test_bad_specs),	  cmocka_unit_test(test_pick_below),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
