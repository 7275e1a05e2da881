/* SPDX-License-Identifier: MIT */
/* A migration's decisions from its seed: the same seed, the same
 * decisions; another seed, others; every one within its range. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "emu/emu.h"
#include "emu/emu_plan.h"

static void test_same_seed_same_plan(void **state)
{
	struct emu_plan_opts o = {.rounds = 6, .round_ms = 20};
	struct emu_plan a, b, c;

	(void)state;
	assert_int_equal(emu_plan_make(12345, &o, &a), 0);
	assert_int_equal(emu_plan_make(12345, &o, &b), 0);
	assert_int_equal(emu_plan_make(12346, &o, &c), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_memory_not_equal(a.round_ms, c.round_ms, sizeof(a.round_ms));
	assert_int_not_equal(a.guest_seed, c.guest_seed);
	assert_int_equal(a.seed, 12345);
	assert_int_equal(a.rounds, 6);
	for (unsigned i = 0; i < a.rounds; i++) {
		assert_in_range(a.round_ms[i], 10, 30);
	}
	assert_in_range(a.warmup_ms, 10, 50);
	assert_in_range(a.post_ms, 20, 80);
	/* Past the rounds asked for, nothing is planned. */
	assert_int_equal(a.round_ms[6], 0);
}

static void test_guest_stream_repeats(void **state)
{
	struct emu_rng a, b;

	(void)state;
	emu_rng_seed(&a, 7);
	emu_rng_seed(&b, 7);
	for (unsigned i = 0; i < 1000; i++) {
		uint32_t x = emu_rng_range(&a, 3, 9);

		assert_int_equal(x, emu_rng_range(&b, 3, 9));
		assert_in_range(x, 3, 9);
	}
	assert_int_equal(emu_rng_range(&a, 5, 5), 5);
}

static void test_bad_options(void **state)
{
	struct emu_plan p;

	(void)state;
	assert_int_equal(emu_plan_make(1, &(struct emu_plan_opts){.rounds = 0, .round_ms = 20}, &p),
			 -EINVAL);
	assert_int_equal(emu_plan_make(1, &(struct emu_plan_opts){EMU_MAX_ROUNDS + 1, 20}, &p),
			 -EINVAL);
	assert_int_equal(emu_plan_make(1, &(struct emu_plan_opts){.rounds = 1, .round_ms = 1}, &p),
			 -EINVAL);
}

static void test_percentiles(void **state)
{
	double v[100];

	(void)state;
	for (unsigned i = 0; i < 100; i++)
		v[i] = i + 1;
	/* Nearest rank. */
	assert_true(emu_percentile(v, 100, 50) == 50);
	assert_true(emu_percentile(v, 100, 99) == 99);
	assert_true(emu_percentile(v, 20, 50) == 10);
	assert_true(emu_percentile(v, 20, 99) == 20);
	assert_true(emu_percentile(v, 1, 99) == 1);
	assert_true(emu_percentile(v, 0, 50) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_seed_same_plan),
	    cmocka_unit_test(test_guest_stream_repeats),
	    cmocka_unit_test(test_bad_options),
	    cmocka_unit_test(test_percentiles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
