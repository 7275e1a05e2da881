/* SPDX-License-Identifier: MIT */
/*
 * lib/nvme's SGL builder on its own (NVMe Base 2.1 §4.3.2): the SGL1 and
 * the Data Block list a buffer becomes, and the pieces a dword-granular
 * controller cannot take.
 */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "nvme/nvme_host.h"

#define LIST_BUS 0x900000ULL

static struct nvme_sgl_desc g_list[4];

static int build(const size_t *len, const uint64_t *bus, unsigned n, uint32_t sgls,
		 struct nvme_sgl_desc *sgl1)
{
	struct iovec iov[8];

	for (unsigned i = 0; i < n; i++)
		iov[i] = (struct iovec){NULL, len[i]};
	return nvme_sgl_build(iov, bus, n, sgls, sgl1, g_list, LIST_BUS, 4);
}

static void assert_desc(const struct nvme_sgl_desc *d, uint8_t type, uint64_t addr, uint32_t len)
{
	assert_int_equal(d->id, type << 4);
	assert_int_equal(le64toh(d->addr), addr);
	assert_int_equal(le32toh(d->len), len);
}

static void test_one_data_block(void **state)
{
	struct nvme_sgl_desc sgl1;

	(void)state;
	/* any byte offset and length, where SGLS is 01b */
	assert_int_equal(
	    build((size_t[]){12345}, (uint64_t[]){0x10003}, 1, NVME_CTRL_SGLS_BYTE, &sgl1), 0);
	assert_desc(&sgl1, NVME_SGL_TYPE_DATA_BLOCK, 0x10003, 12345);
}

static void test_last_segment(void **state)
{
	struct nvme_sgl_desc sgl1;

	(void)state;
	/* pieces PRPs could not describe: mid-page ends and starts */
	assert_int_equal(build((size_t[]){512, 1024, 4096}, (uint64_t[]){0x10200, 0x30600, 0x50000},
			       3, NVME_CTRL_SGLS_DWORD, &sgl1),
			 0);
	assert_desc(&sgl1, NVME_SGL_TYPE_LAST_SEGMENT, LIST_BUS, 3 * 16);
	assert_desc(&g_list[0], NVME_SGL_TYPE_DATA_BLOCK, 0x10200, 512);
	assert_desc(&g_list[1], NVME_SGL_TYPE_DATA_BLOCK, 0x30600, 1024);
	assert_desc(&g_list[2], NVME_SGL_TYPE_DATA_BLOCK, 0x50000, 4096);
}

static void test_refused(void **state)
{
	struct nvme_sgl_desc sgl1;

	(void)state;
	/* SGLS 10b: dword granularity of address and length */
	assert_int_equal(
	    build((size_t[]){512}, (uint64_t[]){0x10002}, 1, NVME_CTRL_SGLS_DWORD, &sgl1), -EINVAL);
	assert_int_equal(
	    build((size_t[]){510}, (uint64_t[]){0x10000}, 1, NVME_CTRL_SGLS_DWORD, &sgl1), -EINVAL);
	assert_int_equal(build((size_t[]){0}, (uint64_t[]){0x10000}, 1, NVME_CTRL_SGLS_BYTE, &sgl1),
			 -EINVAL);
	/* more Data Blocks than the segment holds */
	assert_int_equal(build((size_t[]){8, 8, 8, 8, 8}, (uint64_t[]){0, 8, 16, 24, 32}, 5,
			       NVME_CTRL_SGLS_BYTE, &sgl1),
			 -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_data_block),
	    cmocka_unit_test(test_last_segment),
	    cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
