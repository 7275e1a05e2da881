/* SPDX-License-Identifier: MIT */
/* Sizes and numbers (lib/util/parse.c), and the CLI's time arguments
 * (cli/args.c, compiled in: the CLI is not an archive). Device URIs are
 * test_transport.c's. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cli/args.c"

static void test_sizes(void **state)
{
	static const struct {
		const char *text;
		uint64_t value;
	} ok[] = {
	    {"0", 0},
	    {"512", 512},
	    {"4k", 4096},
	    {"4K", 4096},
	    {"4KiB", 4096},
	    {"1M", 1 << 20},
	    {"1m", 1 << 20},
	    {"64MiB", 64 << 20},
	    {"1G", 1ULL << 30},
	    {"2T", 2ULL << 40},
	    {"0x1000", 4096},
	    {"010", 10},
	    {"16777216", 16777216},
	};
	static const char *const bad[] = {
	    "", "k", "-1", " 1", "1x", "1.5M", "4kk", "99999999999T", "18446744073709551616",
	};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		v = 12345;
		assert_int_equal(util_parse_size(ok[i].text, &v), 0);
		assert_int_equal(v, ok[i].value);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		v = 12345;
		assert_int_equal(util_parse_size(bad[i], &v), -EINVAL);
		assert_int_equal(v, 12345);
	}
}

static void test_uints_and_seconds(void **state)
{
	uint64_t v;
	double s;

	(void)state;
	assert_int_equal(util_parse_uint("32", 1, 64, &v), 0);
	assert_int_equal(v, 32);
	assert_int_equal(util_parse_uint("0x10", 1, 64, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(util_parse_uint("0", 1, 64, &v), -EINVAL);
	assert_int_equal(util_parse_uint("65", 1, 64, &v), -EINVAL);
	assert_int_equal(util_parse_uint("4k", 1, 1 << 20, &v), -EINVAL);
	assert_int_equal(util_parse_seconds("5", &s), 0);
	assert_true(s == 5);
	assert_int_equal(util_parse_seconds("0.5", &s), 0);
	assert_true(s == 0.5);
	assert_int_equal(util_parse_seconds("250ms", &s), 0);
	assert_true(s == 0.25);
	assert_int_equal(util_parse_seconds("2s", &s), 0);
	assert_true(s == 2);
	assert_int_equal(util_parse_seconds("-1", &s), -EINVAL);
	assert_int_equal(util_parse_seconds("1h", &s), -EINVAL);
	assert_int_equal(util_parse_seconds("nan", &s), -EINVAL);
}

static void test_format_bytes(void **state)
{
	char buf[32];

	(void)state;
	cli_format_bytes(512, buf, sizeof(buf));
	assert_string_equal(buf, "512 B");
	cli_format_bytes(64 << 20, buf, sizeof(buf));
	assert_string_equal(buf, "64.0 MiB");
	cli_format_bytes(1536, buf, sizeof(buf));
	assert_string_equal(buf, "1.5 KiB");
}

static void test_hex_and_uuid(void **state)
{
	uint8_t b[16];

	(void)state;
	assert_int_equal(util_parse_hex("00aBfF7e", b, 4), 0);
	assert_memory_equal(b, "\x00\xab\xff\x7e", 4);
	assert_int_equal(util_parse_hex("00aBfF7", b, 4), -EINVAL);   /* short */
	assert_int_equal(util_parse_hex("00aBfF7e0", b, 4), -EINVAL); /* long */
	assert_int_equal(util_parse_hex("00aBfG7e", b, 4), -EINVAL);
	assert_int_equal(util_parse_uuid("0f8fad5b-d9cb-469f-a165-70867728950E", b), 0);
	assert_memory_equal(b,
			    "\x0f\x8f\xad\x5b\xd9\xcb\x46\x9f\xa1\x65\x70\x86\x77\x28\x95"
			    "\x0e",
			    16);
	assert_int_equal(util_parse_uuid("0f8fad5b-d9cb-469f-a165-70867728950e", NULL), 0);
	assert_int_equal(util_parse_uuid("0f8fad5bd9cb-469f-a165-70867728950e0", NULL), -EINVAL);
	assert_int_equal(util_parse_uuid("0f8fad5b-d9cb-469f-a165-70867728950", NULL), -EINVAL);
	assert_int_equal(util_parse_uuid("0f8fad5b-d9cb-469f-a165-70867728950x", NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_uints_and_seconds),
	    cmocka_unit_test(test_format_bytes),
	    cmocka_unit_test(test_hex_and_uuid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
