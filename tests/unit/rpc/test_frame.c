/* SPDX-License-Identifier: MIT */
/* Cutting a byte stream into JSON values. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rpc/frame.h"

#define MAX_VALUES 8

struct cut {
	char values[MAX_VALUES][128];
	int n;
};

/* Feeds text in pieces of `step` bytes, as a stream would arrive, dropping
 * consumed bytes like the server does; collects the values found. */
static int feed(const char *text, size_t step, size_t max, struct cut *out)
{
	char buf[1024];
	size_t len = 0, total = strlen(text), fed = 0, start, end, used;
	struct rpc_frame f;
	int rc;

	memset(out, 0, sizeof(*out));
	rpc_frame_init(&f, max);
	while (fed < total) {
		size_t n = total - fed < step ? total - fed : step;

		memcpy(buf + len, text + fed, n);
		len += n;
		fed += n;
		while ((rc = rpc_frame_next(&f, buf, len, &start, &end)) == 1) {
			assert_true(out->n < MAX_VALUES);
			assert_true(end > start && end <= len);
			memcpy(out->values[out->n], buf + start, end - start);
			out->values[out->n++][end - start] = '\0';
		}
		if (rc < 0)
			return rc;
		used = rpc_frame_consumed(&f);
		memmove(buf, buf + used, len - used);
		len -= used;
		rpc_frame_shift(&f, used);
	}
	return 0;
}

static void check_all_steps(const char *text, const char *const *want, int nwant)
{
	struct cut cut;

	for (size_t step = 1; step <= strlen(text); step++) {
		assert_int_equal(feed(text, step, 1024, &cut), 0);
		assert_int_equal(cut.n, nwant);
		for (int i = 0; i < nwant; i++)
			assert_string_equal(cut.values[i], want[i]);
	}
}

static void test_back_to_back_objects(void **state)
{
	static const char *const want[] = {"{\"a\":1}", "{\"b\":[2,{\"c\":3}]}", "[4]"};

	(void)state;
	check_all_steps("{\"a\":1}{\"b\":[2,{\"c\":3}]}\r\n\t [4] ", want, 3);
}

/* Brackets and quotes inside strings do not count; escapes do not end them. */
static void test_strings(void **state)
{
	static const char *const want[] = {
		"{\"s\":\"}]{[\\\"\\\\\",\"t\":\"\\u007d\"}",
		"\"top\\\"level\"",
	};

	(void)state;
	check_all_steps("{\"s\":\"}]{[\\\"\\\\\",\"t\":\"\\u007d\"}\"top\\\"level\"", want, 2);
}

/* A bare number or literal ends at whitespace or where a value begins. */
static void test_scalars(void **state)
{
	static const char *const want[] = {"1", "true", "-2.5e3", "{}", "null", "\"x\""};

	(void)state;
	check_all_steps("1 true\n-2.5e3{}null\"x\" ", want, 6);
}

/* An unfinished value yields nothing, however it is split. */
static void test_incomplete(void **state)
{
	(void)state;
	check_all_steps("{\"a\":[1,2,{\"b\":\"}\"}]", NULL, 0);
	check_all_steps("  \n ", NULL, 0);
}

/* Malformed input is still cut (json_loadb rejects it later). */
static void test_garbage_is_cut(void **state)
{
	static const char *const want[] = {"{]", "abc"};

	(void)state;
	check_all_steps("{] abc ", want, 2);
}

static void test_max_size(void **state)
{
	struct cut cut;

	(void)state;
	/* Exactly max bytes pass, one more fails, whatever the split. */
	for (size_t step = 1; step <= 12; step++) {
		assert_int_equal(feed("{\"a\":\"123\"}", step, 11, &cut), 0);
		assert_int_equal(cut.n, 1);
		assert_int_equal(feed("{\"a\":\"1234\"}", step, 11, &cut), -EMSGSIZE);
		assert_int_equal(cut.n, 0);
	}
	/* Whitespace between values does not count against the limit. */
	assert_int_equal(feed("                    {}", 1, 2, &cut), 0);
	assert_int_equal(cut.n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_back_to_back_objects),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_garbage_is_cut),
		cmocka_unit_test(test_max_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
