/* SPDX-License-Identifier: MIT */
/* ddmin: the units a failure needs are found, nothing more; the steps
 * repeat; an error from the test stops it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "emu/emu_shrink.h"

#define N 16

struct need {
	bool need[N]; /* fails when every one of these is kept */
	unsigned calls;
	int error_at; /* the call that answers an error; 0: none */
};

static int fails_with(void *ctx, const bool *keep)
{
	struct need *n = ctx;

	if (++n->calls == (unsigned)n->error_at)
		return -EIO;
	for (unsigned i = 0; i < N; i++)
		if (n->need[i] && !keep[i])
			return 0;
	return 1;
}

static void run(struct need *n, bool *keep)
{
	for (unsigned i = 0; i < N; i++)
		keep[i] = true;
	assert_true(emu_ddmin(N, fails_with, n, keep) > 0);
}

static void test_two_units_found(void **state)
{
	struct need n = {.need = {[3] = true, [11] = true}};
	bool keep[N];

	(void)state;
	run(&n, keep);
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(keep[i], i == 3 || i == 11);
}

static void test_one_unit_and_none(void **state)
{
	struct need one = {.need = {[15] = true}}, none = {0};
	bool keep[N];
	unsigned kept = 0;

	(void)state;
	run(&one, keep);
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(keep[i], i == 15);
	/* A failure that needs no unit: everything goes. */
	run(&none, keep);
	for (unsigned i = 0; i < N; i++)
		kept += keep[i];
	assert_int_equal(kept, 0);
}

static void test_same_answers_same_steps(void **state)
{
	struct need a = {.need = {[0] = true, [7] = true, [8] = true}};
	struct need b = a;
	bool ka[N], kb[N];

	(void)state;
	run(&a, ka);
	run(&b, kb);
	assert_int_equal(a.calls, b.calls);
	assert_memory_equal(ka, kb, sizeof(ka));
	assert_true(ka[0] && ka[7] && ka[8]);
}

static void test_error_stops(void **state)
{
	struct need n = {.need = {[2] = true}, .error_at = 3};
	bool keep[N];

	(void)state;
	for (unsigned i = 0; i < N; i++)
		keep[i] = true;
	assert_int_equal(emu_ddmin(N, fails_with, &n, keep), -EIO);
	assert_int_equal(n.calls, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_units_found),
	    cmocka_unit_test(test_one_unit_and_none),
	    cmocka_unit_test(test_same_answers_same_steps),
	    cmocka_unit_test(test_error_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
