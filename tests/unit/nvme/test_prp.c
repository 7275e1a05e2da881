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

static uint64_t g_list[3 * NVME_HOST_PRP_ENTS];

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

/* Base §4.3.1: a full list page's last entry points to the next page
 * when more entries follow; the entry it displaces opens that page. */
static void test_chained_list(void **state)
{
	const unsigned per = NVME_HOST_PRP_ENTS;
	uint64_t prp1, prp2;

	(void)state;
	/* 600 pages from offset 0x200: PRP1 and 600 entries over two pages */
	assert_int_equal(
	    build((size_t[]){600 * PG}, (uint64_t[]){0x10200}, 1, &prp1, &prp2, 2 * per), 0);
	assert_int_equal(prp1, 0x10200);
	assert_int_equal(prp2, LIST_BUS);
	for (unsigned i = 0; i < per - 1; i++)
		assert_int_equal(le64toh(g_list[i]), 0x11000 + i * PG);
	assert_int_equal(le64toh(g_list[per - 1]), LIST_BUS + PG);
	for (unsigned i = per - 1; i < 600; i++)
		assert_int_equal(le64toh(g_list[i + 1]), 0x11000 + i * PG);
	/* exactly one page of entries: no chain, the last slot is data */
	g_list[per] = 0;
	assert_int_equal(
	    build((size_t[]){per * PG}, (uint64_t[]){0x10200}, 1, &prp1, &prp2, 2 * per), 0);
	assert_int_equal(le64toh(g_list[per - 1]), 0x11000 + (per - 1) * PG);
	assert_int_equal(g_list[per], 0);
	/* two pages hold 2 * 512 - 1 entries, not one more */
	assert_int_equal(
	    build((size_t[]){(2 * per - 1) * PG}, (uint64_t[]){0x10200}, 1, &prp1, &prp2, 2 * per),
	    0);
	assert_int_equal(le64toh(g_list[2 * per - 1]), 0x11000 + (2 * per - 2) * PG);
	assert_int_equal(
	    build((size_t[]){2 * per * PG}, (uint64_t[]){0x10200}, 1, &prp1, &prp2, 2 * per),
	    -E2BIG);
}

static void test_list_pages(void **state)
{
	(void)state;
	assert_int_equal(nvme_prp_list_pages(0), 1);
	assert_int_equal(nvme_prp_list_pages(2u << 20), 1);	       /* 512 entries */
	assert_int_equal(nvme_prp_list_pages((2u << 20) + PG), 2);     /* 513 */
	assert_int_equal(nvme_prp_list_pages((4u << 20) - 2 * PG), 2); /* 1022 */
	assert_int_equal(nvme_prp_list_pages(4u << 20), 3);	       /* 1024 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_and_two_pages), cmocka_unit_test(test_list),
	    cmocka_unit_test(test_refused),	      cmocka_unit_test(test_chained_list),
	    cmocka_unit_test(test_list_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
