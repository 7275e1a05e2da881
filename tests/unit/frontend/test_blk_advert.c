/* SPDX-License-Identifier: MIT */
/*
 * What vhost-user-blk advertises (virtio 1.2 §5.2.4: blk_size, seg_max,
 * size_max, opt_io_size) is derived from the bdev's limits, as every
 * frontend reads them (bdev_get_limits): a request the driver builds within
 * what was advertised never breaks them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "target/frontend/vhost_blk_internal.h"

/* A bdev without limits, as bdev_get_limits reports it. */
static struct bdev_limits unlimited(uint32_t block_size)
{
	return (struct bdev_limits){
	    .block_size = block_size,
	    .max_transfer_bytes = UINT32_MAX / block_size * block_size,
	    .max_segments = UINT32_MAX,
	    .required_alignment = 1,
	};
}

static void test_unlimited(void **state)
{
	struct bdev_limits lim = unlimited(4096);
	struct vhost_blk_advert a;

	(void)state;
	vhost_blk_advert_from_limits(&lim, &a);
	assert_int_equal(a.blk_size, 4096);
	/* The slot's descriptors, less header and status. */
	assert_int_equal(a.seg_max, VHOST_BLK_IOV_MAX - 2);
	assert_int_equal(a.size_max, 0);
	assert_int_equal(a.opt_io_size, 0);
}

static void test_segments_and_optimal_size(void **state)
{
	struct bdev_limits lim = unlimited(512);
	struct vhost_blk_advert a;

	(void)state;
	lim.max_segments = 32;
	lim.optimal_io_bytes = 128 * 1024;
	vhost_blk_advert_from_limits(&lim, &a);
	assert_int_equal(a.seg_max, 32);
	assert_int_equal(a.opt_io_size, 256);
	assert_int_equal(a.size_max, 0);
}

/* seg_max segments of size_max bytes fit one transfer. */
static void test_max_transfer(void **state)
{
	struct bdev_limits lim = unlimited(512);
	struct vhost_blk_advert a;

	(void)state;
	lim.max_transfer_bytes = 1024 * 1024;
	vhost_blk_advert_from_limits(&lim, &a);
	assert_int_equal(a.seg_max, VHOST_BLK_IOV_MAX - 2);
	assert_int_equal(a.size_max, 1024 * 1024 / (VHOST_BLK_IOV_MAX - 2) / 512 * 512);
	assert_true((uint64_t)a.seg_max * a.size_max <= lim.max_transfer_bytes);

	/* Small transfers: fewer segments of a page rather than tiny ones. */
	lim.max_transfer_bytes = 64 * 1024;
	vhost_blk_advert_from_limits(&lim, &a);
	assert_int_equal(a.seg_max, 16);
	assert_int_equal(a.size_max, 4096);

	/* Less than a page: one segment of all of it. */
	lim.max_transfer_bytes = 2048;
	vhost_blk_advert_from_limits(&lim, &a);
	assert_int_equal(a.seg_max, 1);
	assert_int_equal(a.size_max, 2048);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unlimited),
	    cmocka_unit_test(test_segments_and_optimal_size),
	    cmocka_unit_test(test_max_transfer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
