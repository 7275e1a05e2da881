/* SPDX-License-Identifier: MIT */
/* CDB builders and the UNMAP parameter list (lib/scsi/scsi_host_cdb.c):
 * each CDB compared byte for byte with the layout SPC-5 / SBC-4 give, and
 * every argument a field cannot hold refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "scsi/scsi_host.h"

static void expect_cdb(int len, const uint8_t *cdb, const uint8_t *want, int want_len)
{
	assert_int_equal(len, want_len);
	assert_memory_equal(cdb, want, (size_t)want_len);
	for (int i = want_len; i < SCSI_HOST_CDB_MAX; i++)
		assert_int_equal(cdb[i], 0);
}

static void test_inquiry_and_luns(void **state)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];

	(void)state;
	memset(cdb, 0xaa, sizeof(cdb));
	expect_cdb(scsi_host_cdb_inquiry(cdb, false, 0, 96), cdb,
		   (const uint8_t[]){0x12, 0, 0, 0, 96, 0}, 6);
	expect_cdb(scsi_host_cdb_inquiry(cdb, true, 0x83, 0x1234), cdb,
		   (const uint8_t[]){0x12, 1, 0x83, 0x12, 0x34, 0}, 6);
	/* SPC-5 §6.7.1: a page code without EVPD is invalid. */
	assert_int_equal(scsi_host_cdb_inquiry(cdb, false, 0x80, 96), -EINVAL);
	expect_cdb(scsi_host_cdb_report_luns(cdb, SCSI_REPORT_LUNS_ALL, 0x10008), cdb,
		   (const uint8_t[]){0xa0, 0, 0, 0, 0, 0, 0, 1, 0, 8, 0, 0}, 12);
	assert_int_equal(scsi_host_cdb_report_luns(cdb, 0, 15), -EINVAL);
	expect_cdb(scsi_host_cdb_test_unit_ready(cdb), cdb, (const uint8_t[]){0, 0, 0, 0, 0, 0}, 6);
	expect_cdb(scsi_host_cdb_request_sense(cdb, true, 252), cdb,
		   (const uint8_t[]){0x03, 1, 0, 0, 252, 0}, 6);
}

static void test_capacity(void **state)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];

	(void)state;
	expect_cdb(scsi_host_cdb_read_capacity_10(cdb), cdb,
		   (const uint8_t[]){0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 10);
	expect_cdb(scsi_host_cdb_read_capacity_16(cdb, 32), cdb,
		   (const uint8_t[]){0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0}, 16);
}

static void test_read_write(void **state)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];

	(void)state;
	expect_cdb(scsi_host_cdb_read_10(cdb, 0x01020304, 0x0506, false), cdb,
		   (const uint8_t[]){0x28, 0, 1, 2, 3, 4, 0, 5, 6, 0}, 10);
	expect_cdb(scsi_host_cdb_write_10(cdb, 7, 1, true), cdb,
		   (const uint8_t[]){0x2a, 0x08, 0, 0, 0, 7, 0, 0, 1, 0}, 10);
	/* READ(10) holds a 32-bit LBA and a 16-bit length. */
	assert_int_equal(scsi_host_cdb_read_10(cdb, 1ull << 32, 1, false), -EINVAL);
	assert_int_equal(scsi_host_cdb_write_10(cdb, 0, 65536, false), -EINVAL);
	expect_cdb(
	    scsi_host_cdb_read_16(cdb, 0x0102030405060708ull, 0x0a0b0c0d, true), cdb,
	    (const uint8_t[]){0x88, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x0a, 0x0b, 0x0c, 0x0d, 0, 0},
	    16);
	expect_cdb(scsi_host_cdb_write_16(cdb, UINT64_MAX, UINT32_MAX, false), cdb,
		   (const uint8_t[]){0x8a, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				     0xff, 0xff, 0xff, 0, 0},
		   16);
	expect_cdb(scsi_host_cdb_verify_16(cdb, 9, 2, 1), cdb,
		   (const uint8_t[]){0x8f, 0x02, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 2, 0, 0}, 16);
	/* SBC-4 §5.35: BYTCHK 10b is reserved. */
	assert_int_equal(scsi_host_cdb_verify_16(cdb, 0, 1, 2), -EINVAL);
	assert_int_equal(scsi_host_cdb_verify_16(cdb, 0, 1, 4), -EINVAL);
}

static void test_sync_unmap_write_same(void **state)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];

	(void)state;
	expect_cdb(scsi_host_cdb_sync_cache_10(cdb, 0, 0, true), cdb,
		   (const uint8_t[]){0x35, 0x02, 0, 0, 0, 0, 0, 0, 0, 0}, 10);
	expect_cdb(scsi_host_cdb_sync_cache_16(cdb, 0x100, 8, false), cdb,
		   (const uint8_t[]){0x91, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 8, 0, 0}, 16);
	expect_cdb(scsi_host_cdb_unmap(cdb, 24), cdb,
		   (const uint8_t[]){0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0}, 10);
	expect_cdb(scsi_host_cdb_write_same_16(cdb, 1, 2, true, false), cdb,
		   (const uint8_t[]){0x93, 0x08, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0}, 16);
	expect_cdb(scsi_host_cdb_write_same_16(cdb, 1, 2, true, true), cdb,
		   (const uint8_t[]){0x93, 0x09, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0}, 16);
}

static void test_mode_sense_start_stop(void **state)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];

	(void)state;
	expect_cdb(scsi_host_cdb_mode_sense_6(cdb, true, 0, SCSI_MODE_PAGE_CACHING, 0, 0xff), cdb,
		   (const uint8_t[]){0x1a, 0x08, 0x08, 0, 0xff, 0}, 6);
	expect_cdb(scsi_host_cdb_mode_sense_10(cdb, true, false, 2, SCSI_MODE_PAGE_ALL, 0xff, 512),
		   cdb, (const uint8_t[]){0x5a, 0x10, 0xbf, 0xff, 0, 0, 0, 2, 0, 0}, 10);
	assert_int_equal(scsi_host_cdb_mode_sense_6(cdb, false, 4, 0, 0, 4), -EINVAL);
	assert_int_equal(scsi_host_cdb_mode_sense_10(cdb, false, false, 0, 0x40, 0, 8), -EINVAL);
	expect_cdb(scsi_host_cdb_start_stop_unit(cdb, true, 0, true, true), cdb,
		   (const uint8_t[]){0x1b, 1, 0, 0, 0x03, 0}, 6);
	expect_cdb(scsi_host_cdb_start_stop_unit(cdb, false, 3, false, false), cdb,
		   (const uint8_t[]){0x1b, 0, 0, 0, 0x30, 0}, 6);
	assert_int_equal(scsi_host_cdb_start_stop_unit(cdb, false, 16, false, false), -EINVAL);
}

static void test_unmap_param(void **state)
{
	static const struct scsi_host_extent ext[2] = {{0x10, 8}, {0x0102030405060708ull, 0x100}};
	static const uint8_t want[40] = {
	    0, 38, 0, 32, 0, 0, 0, 0,				 /* header */
	    0, 0,  0, 0,  0, 0, 0, 0x10, 0, 0, 0, 8, 0, 0, 0, 0, /* extent 0 */
	    1, 2,  3, 4,  5, 6, 7, 8,	 0, 0, 1, 0, 0, 0, 0, 0, /* extent 1 */
	};
	uint8_t buf[64];

	(void)state;
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(scsi_host_unmap_param_build(buf, sizeof(buf), ext, 2), 40);
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(buf[40], 0xaa);
	assert_int_equal(scsi_host_unmap_param_build(buf, 39, ext, 2), -EINVAL);
	assert_int_equal(scsi_host_unmap_param_build(buf, sizeof(buf), ext, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_inquiry_and_luns),
	    cmocka_unit_test(test_capacity),
	    cmocka_unit_test(test_read_write),
	    cmocka_unit_test(test_sync_unmap_write_same),
	    cmocka_unit_test(test_mode_sense_start_stop),
	    cmocka_unit_test(test_unmap_param),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
