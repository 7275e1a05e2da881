/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define LOG_COMPONENT "test"
#include "util/log.h"

struct captured {
	int lines;
	enum log_level level;
	char component[32];
	char line[2048];
};

static void capture(enum log_level level, const char *component, const char *line, void *arg)
{
	struct captured *c = arg;

	c->lines++;
	c->level = level;
	snprintf(c->component, sizeof(c->component), "%s", component);
	snprintf(c->line, sizeof(c->line), "%s", line);
}

static int teardown(void **state)
{
	(void)state;
	log_set_sink(NULL, NULL);
	log_set_level(LOG_LEVEL_NOTICE);
	return 0;
}

static void test_level_parse(void **state)
{
	static const struct {
		const char *name;
		enum log_level level;
	} cases[] = {
		{"err", LOG_LEVEL_ERR},       {"warn", LOG_LEVEL_WARN},
		{"notice", LOG_LEVEL_NOTICE}, {"info", LOG_LEVEL_INFO},
		{"debug", LOG_LEVEL_DEBUG},
	};
	static const char *const bad[] = {"", "ERR", "warning", "debug ", "5"};
	enum log_level level;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		level = LOG_LEVEL_ERR + LOG_LEVEL_DEBUG - cases[i].level; /* anything else */
		assert_int_equal(log_level_parse(cases[i].name, &level), 0);
		assert_int_equal(level, cases[i].level);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		level = LOG_LEVEL_INFO;
		assert_int_equal(log_level_parse(bad[i], &level), -EINVAL);
		assert_int_equal(level, LOG_LEVEL_INFO);
	}
}

static void test_sink_gets_whole_line(void **state)
{
	struct captured c = {0};

	(void)state;
	log_set_level(LOG_LEVEL_INFO);
	log_set_sink(capture, &c);
	log_warn("virtio 1.2 §%s: descriptor %u out of range", "2.7.5.3.1", 7u);
	assert_int_equal(c.lines, 1);
	assert_int_equal(c.level, LOG_LEVEL_WARN);
	assert_string_equal(c.component, "test");
	assert_string_equal(c.line, "virtio 1.2 §2.7.5.3.1: descriptor 7 out of range");
	log_msg(LOG_LEVEL_INFO, "other", "n=%d", 42);
	assert_int_equal(c.lines, 2);
	assert_string_equal(c.component, "other");
	assert_string_equal(c.line, "n=42");
}

static void test_level_filters(void **state)
{
	struct captured c = {0};

	(void)state;
	log_set_sink(capture, &c);
	log_set_level(LOG_LEVEL_WARN);
	assert_int_equal(log_get_level(), LOG_LEVEL_WARN);
	log_info("dropped");
	log_notice("dropped");
	log_debug("dropped");
	assert_int_equal(c.lines, 0);
	log_err("kept %d", 1);
	log_warn("kept %d", 2);
	assert_int_equal(c.lines, 2);
	assert_string_equal(c.line, "kept 2");
	log_set_level(LOG_LEVEL_DEBUG);
	log_debug("now %s", "kept");
	assert_int_equal(c.lines, 3);
	assert_int_equal(c.level, LOG_LEVEL_DEBUG);
	assert_string_equal(c.line, "now kept");
}

/* A peer repeating a bad message gets LOG_RATELIMIT_LINES lines a second,
 * then one line counting what was dropped when the next window opens. */
static void test_ratelimit(void **state)
{
	struct log_ratelimit rl = {0};
	struct captured c = {0};

	(void)state;
	log_set_sink(capture, &c);
	for (int i = 0; i < 3 * LOG_RATELIMIT_LINES; i++)
		log_warn_ratelimited(&rl, "queue 7", "bad chain %d", i);
	assert_int_equal(c.lines, LOG_RATELIMIT_LINES);
	assert_string_equal(c.line, "bad chain 9");
	/* A second later (moved back rather than slept). */
	rl.window_start_ns -= 1000000000;
	log_warn_ratelimited(&rl, "queue 7", "bad chain %d", 99);
	assert_int_equal(c.lines, LOG_RATELIMIT_LINES + 2);
	assert_string_equal(c.line, "bad chain 99");
	assert_int_equal(rl.lines, 1);
	assert_int_equal(rl.dropped, 0);
}

static void test_ratelimit_reports_drops(void **state)
{
	struct log_ratelimit rl = {0};
	struct captured c = {0};

	(void)state;
	for (int i = 0; i < LOG_RATELIMIT_LINES + 5; i++)
		assert_int_equal(log_ratelimit_allow(&rl, "test", "queue 7"), i < LOG_RATELIMIT_LINES);
	log_set_sink(capture, &c);
	rl.window_start_ns -= 1000000000;
	assert_true(log_ratelimit_allow(&rl, "test", "queue 7"));
	assert_int_equal(c.lines, 1);
	assert_string_equal(c.line, "queue 7: 5 more messages suppressed");
}

/* A message longer than the line buffer is cut, not overflowed. */
static void test_long_line_truncated(void **state)
{
	struct captured c = {0};
	char big[1500];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_set_sink(capture, &c);
	log_err("%s", big);
	assert_int_equal(c.lines, 1);
	assert_true(strlen(c.line) > 0 && strlen(c.line) < sizeof(big) - 1);
	assert_int_equal(strspn(c.line, "x"), strlen(c.line));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_level_parse, teardown),
		cmocka_unit_test_teardown(test_sink_gets_whole_line, teardown),
		cmocka_unit_test_teardown(test_level_filters, teardown),
		cmocka_unit_test_teardown(test_long_line_truncated, teardown),
		cmocka_unit_test_teardown(test_ratelimit, teardown),
		cmocka_unit_test_teardown(test_ratelimit_reports_drops, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
