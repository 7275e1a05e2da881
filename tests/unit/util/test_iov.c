/* SPDX-License-Identifier: MIT */
/* Copies between flat and scattered buffers (lib/util/iov.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/iov.h"

static void test_copy_out(void **state)
{
	uint8_t a[3] = {1, 2, 3}, b[2] = {4, 5}, c[4] = {6, 7, 8, 9}, out[8];
	struct iovec iov[] = {{a, 3}, {b, 2}, {c, 4}};

	(void)state;
	memset(out, 0, sizeof(out));
	assert_int_equal(iov_copy_out(iov, 3, 2, out, 5), 5);
	assert_memory_equal(out, "\x03\x04\x05\x06\x07", 5);
	/* Past the end: a short copy. */
	assert_int_equal(iov_copy_out(iov, 3, 7, out, 8), 2);
	assert_memory_equal(out, "\x08\x09", 2);
	assert_int_equal(iov_copy_out(iov, 3, 9, out, 8), 0);
}

static void test_copy_in_and_length(void **state)
{
	uint8_t a[2], b[3];
	struct iovec iov[] = {{a, 2}, {b, 3}};

	(void)state;
	assert_int_equal(iov_length(iov, 2), 5);
	assert_int_equal(iov_copy_in(iov, 2, "\x01\x02\x03\x04\x05\x06", 6), 5);
	assert_memory_equal(a, "\x01\x02", 2);
	assert_memory_equal(b, "\x03\x04\x05", 3);
	assert_int_equal(iov_copy_in(iov, 2, "\x09", 1), 1);
	assert_int_equal(a[0], 9);
	assert_int_equal(a[1], 2);
}

static void test_skip(void **state)
{
	uint8_t a[3], b[4];
	struct iovec iov[] = {{a, 3}, {b, 0}, {b, 4}};
	struct iovec *p = iov;
	unsigned cnt = 3;

	(void)state;
	/* a whole iovec and the empty one after it go */
	assert_int_equal(iov_skip(&p, &cnt, 3), 3);
	assert_ptr_equal(p, &iov[2]);
	assert_int_equal(cnt, 1);
	/* part of one: it is shortened */
	assert_int_equal(iov_skip(&p, &cnt, 1), 1);
	assert_ptr_equal(p->iov_base, b + 1);
	assert_int_equal(p->iov_len, 3);
	/* more than there is */
	assert_int_equal(iov_skip(&p, &cnt, 10), 3);
	assert_int_equal(cnt, 0);
}

static void test_truncate(void **state)
{
	uint8_t a[3], b[4];
	struct iovec iov[] = {{a, 3}, {b, 4}};
	unsigned cnt = 2;

	(void)state;
	assert_int_equal(iov_truncate(iov, &cnt, 5), 5);
	assert_int_equal(cnt, 2);
	assert_int_equal(iov[1].iov_len, 2);
	assert_int_equal(iov_truncate(iov, &cnt, 3), 3);
	assert_int_equal(cnt, 1);
	assert_int_equal(iov_truncate(iov, &cnt, 0), 0);
	assert_int_equal(cnt, 0);
	/* longer than there is: all kept */
	iov[0].iov_len = 3;
	cnt = 1;
	assert_int_equal(iov_truncate(iov, &cnt, 9), 3);
	assert_int_equal(cnt, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_copy_out),
	    cmocka_unit_test(test_copy_in_and_length),
	    cmocka_unit_test(test_skip),
	    cmocka_unit_test(test_truncate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
