/* SPDX-License-Identifier: MIT */
/* Core masks (SPDK's -m) and mode names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "env/env.h"
#include "util/common.h"
#include "util/log.h"

static char g_last_log[1024];
static int g_log_lines;

static void capture(enum log_level level, const char *component, const char *line, void *arg)
{
	(void)level;
	(void)arg;
	g_log_lines++;
	snprintf(g_last_log, sizeof(g_last_log), "%s: %s", component, line);
}

static int setup(void **state)
{
	(void)state;
	g_log_lines = 0;
	g_last_log[0] = '\0';
	log_set_sink(capture, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	log_set_sink(NULL, NULL);
	return 0;
}

static void test_core_mask_good(void **state)
{
	static const struct {
		const char *text;
		uint64_t mask;
	} cases[] = {
		{"0x3", 0x3},
		{"3", 0x3},
		{"0X10", 0x10},
		{"1", 0x1},
		{"aB", 0xab},
		{"0xffffffffffffffff", UINT64_MAX},
		{"8000000000000000", 1ull << 63},
		{"[0,1]", 0x3},
		{"[0-3]", 0xf},
		{"[0,2-3]", 0xd},
		{"[5]", 0x20},
		{"[63]", 1ull << 63},
		{"[1,1,0-1]", 0x3},
		{"[0-63]", UINT64_MAX},
	};
	uint64_t mask;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		mask = 0xdead;
		assert_int_equal(env_parse_core_mask(cases[i].text, &mask), 0);
		assert_int_equal(mask, cases[i].mask);
	}
	assert_int_equal(g_log_lines, 0);
}

static void test_core_mask_bad(void **state)
{
	static const char *const bad[] = {
		"",     "0x",   "0",     "0x0",   "00",  "g",    "0x1 ", " 1",
		"-1",   "[]",   "[1-0]", "[64]",  "[0,]", "[0",  "[0-]", "[-1]",
		"[a]",  "[0]x", "[0;1]", "1,2",   "0x10000000000000000",
		"11111111111111111",
	};
	uint64_t mask;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		mask = 0xdead;
		g_log_lines = 0;
		assert_int_equal(env_parse_core_mask(bad[i], &mask), -EINVAL);
		assert_int_equal(mask, 0xdead);
		/* The error says which text was wrong. */
		assert_int_equal(g_log_lines, 1);
		assert_non_null(strstr(g_last_log, "core mask"));
		assert_non_null(strstr(g_last_log, bad[i]));
	}
	assert_int_equal(env_parse_core_mask(NULL, &mask), -EINVAL);
}

static void test_modes(void **state)
{
	static const enum env_mode modes[] = {ENV_MODE_POLL, ENV_MODE_INTERRUPT,
					      ENV_MODE_ADAPTIVE};
	static const char *const bad[] = {"", "Poll", "polling", "intr", "adaptive "};
	enum env_mode mode;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		mode = (enum env_mode)-1;
		assert_int_equal(env_parse_mode(env_mode_name(modes[i]), &mode), 0);
		assert_int_equal(mode, modes[i]);
	}
	assert_string_equal(env_mode_name(ENV_MODE_POLL), "poll");
	assert_string_equal(env_mode_name(ENV_MODE_INTERRUPT), "interrupt");
	assert_string_equal(env_mode_name(ENV_MODE_ADAPTIVE), "adaptive");
	assert_string_equal(env_mode_name((enum env_mode)42), "unknown");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		mode = ENV_MODE_ADAPTIVE;
		assert_int_equal(env_parse_mode(bad[i], &mode), -EINVAL);
		assert_int_equal(mode, ENV_MODE_ADAPTIVE);
	}
	assert_int_equal(env_parse_mode(NULL, &mode), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_core_mask_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_core_mask_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
