/* SPDX-License-Identifier: MIT */
/*
 * lib/nvme's PRP builder on its own (NVMe Base 2.1 §4.3.1): which of PRP1,
 * PRP2 and the list entries a buffer becomes, and the buffers no PRP can
 * describe.
 */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "nvme/nvme_host.h"

#define PG	 4096ULL
#define LIST_BUS 0x900000ULL

static uint64_t g_list[NVME_HOST_PRP_ENTS];

/* iov's lengths matter only; their bus addresses are bus[]. */
static int build(const size_t *len, const uint64_t *bus, unsigned n, uint64_t *prp1, uint64_t *prp2,
		 unsigned list_max)
{
	struct iovec iov[8];

	for (unsigned i = 0; i < n; i++)
		iov[i] = (struct iovec){NULL, len[i]};
	return nvme_prp_build(iov, bus, n, prp1, prp2, g_list, LIST_BUS, list_max);
}

static void test_one_and_two_pages(void **state)
{
	uint64_t prp1, prp2;

	(void)state;
	/* inside one page, at an offset: PRP1 only */
	assert_int_equal(build((size_t[]){512}, (uint64_t[]){0x10200}, 1, &prp1, &prp2, 4), 0);
	assert_int_equal(prp1, 0x10200);
	assert_int_equal(prp2, 0);
	/* crossing into a second page: PRP2 is that page */
	assert_int_equal(build((size_t[]){PG}, (uint64_t[]){0x10200}, 1, &prp1, &prp2, 4), 0);
	assert_int_equal(prp2, 0x11000);
}

static void test_list(void **state)
{
	uint64_t prp1, prp2;

	(void)state;
	/* two pieces meeting at a page boundary, four pages after the first */
	assert_int_equal(build((size_t[]){PG - 0x200, 4 * PG}, (uint64_t[]){0x10200, 0x40000}, 2,
			       &prp1, &prp2, 8),
			 0);
	assert_int_equal(prp1, 0x10200);
	assert_int_equal(prp2, LIST_BUS);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(le64toh(g_list[i]), 0x40000 + i * PG);
}

static void test_refused(void **state)
{
	uint64_t prp1, prp2;

	(void)state;
	/* §4.3.1: a dword-aligned offset at most */
	assert_int_equal(build((size_t[]){512}, (uint64_t[]){0x10002}, 1, &prp1, &prp2, 4),
			 -EINVAL);
	/* a piece after the first must start a page */
	assert_int_equal(
	    build((size_t[]){PG, PG}, (uint64_t[]){0x10000, 0x20200}, 2, &prp1, &prp2, 4), -EINVAL);
	/* a piece before the last must end a page */
	assert_int_equal(
	    build((size_t[]){512, PG}, (uint64_t[]){0x10000, 0x20000}, 2, &prp1, &prp2, 4),
	    -EINVAL);
	assert_int_equal(build((size_t[]){0}, (uint64_t[]){0x10000}, 1, &prp1, &prp2, 4), -EINVAL);
	/* more pages than the list holds */
	assert_int_equal(build((size_t[]){6 * PG}, (uint64_t[]){0x10000}, 1, &prp1, &prp2, 4),
			 -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_and_two_pages),
	    cmocka_unit_test(test_list),
	    cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
