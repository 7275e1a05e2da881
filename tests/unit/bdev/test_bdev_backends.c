/* SPDX-License-Identifier: MIT */
/*
 * The same suite over each backend (null, malloc, uring on a temporary
 * file, delay over a malloc bdev), each a cmocka group whose state says
 * which backend it runs:
 * create and lookup, data written then read back, unmap and write-zeroes,
 * flush, rejected requests, 256 I/Os in flight, two reactors, and deletion
 * while in use. Null keeps no data; its reads must leave the buffers alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "bdev_ut.h"

#define NUM_BLOCKS 1024
#define BS 4096
#define NAME "ut0"
#define IN_FLIGHT 256

struct backend {
	const char *name;
	bool keeps_data;
	char path[256]; /* uring: the backing file */
};

static struct backend g_null = { .name = "null" };
static struct backend g_malloc = { .name = "malloc", .keeps_data = true };
static struct backend g_uring = { .name = "uring", .keeps_data = true };
static struct backend g_delay = { .name = "delay", .keeps_data = true };

#define DELAY_BASE "ut0_base"

static int create(struct backend *b, const char *name)
{
	/* Short enough for 256 I/Os in flight, long enough to be held. */
	const struct bdev_delay_opts lat = {
		.avg_read_us = 200, .p99_read_us = 2000, .avg_write_us = 300, .p99_write_us = 3000,
	};
	int rc;

	if (strcmp(b->name, "null") == 0)
		return bdev_null_create(name, NUM_BLOCKS, BS);
	if (strcmp(b->name, "malloc") == 0)
		return bdev_malloc_create(name, NUM_BLOCKS, BS);
	if (strcmp(b->name, "delay") == 0) {
		rc = bdev_malloc_create(DELAY_BASE, NUM_BLOCKS, BS);
		return rc ? rc : bdev_delay_create(name, DELAY_BASE, &lat);
	}
	return bdev_uring_create(name, b->path, BS);
}

static int group_setup(struct backend *b, void **state)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	*state = b;
	if (strcmp(b->name, "uring") == 0) {
		snprintf(b->path, sizeof(b->path), "%s/bdev_ut_XXXXXX", dir ? dir : "/tmp");
		fd = mkstemp(b->path);
		if (fd < 0 || ftruncate(fd, (off_t)NUM_BLOCKS * BS) || close(fd))
			return -1;
	}
	if (ut_env_start(ENV_MODE_ADAPTIVE))
		return -1;
	return create(b, NAME);
}

static int setup_null(void **state)
{
	return group_setup(&g_null, state);
}

static int setup_malloc(void **state)
{
	return group_setup(&g_malloc, state);
}

static int setup_uring(void **state)
{
	return group_setup(&g_uring, state);
}

static int setup_delay(void **state)
{
	return group_setup(&g_delay, state);
}

static int group_teardown(void **state)
{
	struct backend *b = *state;
	int rc = bdev_unregister(NAME);

	if (rc == 0 && b == &g_delay)
		rc = bdev_unregister(DELAY_BASE);
	env_stop();
	if (b->path[0])
		unlink(b->path);
	return rc;
}

static struct bdev *the_bdev(void)
{
	struct bdev *bdev = bdev_get_by_name(NAME);

	assert_non_null(bdev);
	return bdev;
}

static void test_lookup_and_duplicate(void **state)
{
	struct backend *b = *state;
	struct bdev *bdev = the_bdev();
	json_t *j, *driver;

	assert_int_equal(bdev->num_blocks, NUM_BLOCKS);
	assert_int_equal(bdev->block_size, BS);
	assert_string_equal(bdev->fn->backend, b->name);
	assert_int_equal(create(b, NAME), -EEXIST);
	assert_ptr_equal(bdev_get_by_name(NAME), bdev);

	j = bdev_to_json(bdev);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "name")), NAME);
	assert_int_equal(json_integer_value(json_object_get(j, "num_blocks")), NUM_BLOCKS);
	driver = json_object_get(j, "driver_specific");
	assert_true(json_is_object(driver));
	if (strcmp(b->name, "uring") == 0)
		assert_string_equal(json_string_value(json_object_get(
					    json_object_get(driver, "uring"), "filename")),
				    b->path);
	json_decref(j);
}

/* Written with three iovs of uneven sizes, read back with two others. */
static void test_write_read(void **state)
{
	struct backend *b = *state;
	struct bdev_channel *ch = ut_channel_get(0, the_bdev());
	size_t len = 8 * BS;
	uint8_t *pattern = malloc(len), *got = malloc(len);
	struct ut_io u;

	assert_non_null(ch);
	ut_fill(pattern, len, 1);
	ut_io_prep(&u, BDEV_IO_WRITE, 5, 8, pattern, 1000);
	u.iov[1] = (struct iovec){ pattern + 1000, len - 4000 };
	u.iov[2] = (struct iovec){ pattern + len - 3000, 3000 };
	u.io.iovcnt = 3;
	ut_submit(0, ch, &u, 1);
	ut_wait(0, &u, 1);
	assert_int_equal(u.submit_rc, 0);
	assert_int_equal(u.status, 0);

	memset(got, 0x5a, len);
	ut_io_prep(&u, BDEV_IO_READ, 5, 8, got, 3 * BS + 7);
	u.iov[1] = (struct iovec){ got + 3 * BS + 7, 5 * BS - 7 };
	u.io.iovcnt = 2;
	ut_submit(0, ch, &u, 1);
	ut_wait(0, &u, 1);
	assert_int_equal(u.submit_rc, 0);
	assert_int_equal(u.status, 0);
	if (b->keeps_data) {
		assert_memory_equal(got, pattern, len);
	} else {
		/* Null: the read left the buffer as it was. */
		memset(pattern, 0x5a, len);
		assert_memory_equal(got, pattern, len);
	}
	ut_channel_put(0, ch);
	free(pattern);
	free(got);
}

static void test_unmap_write_zeroes(void **state)
{
	struct backend *b = *state;
	struct bdev_channel *ch = ut_channel_get(0, the_bdev());
	size_t len = 16 * BS;
	uint8_t *pattern = malloc(len), *got = malloc(len);

	ut_fill(pattern, len, 2);
	assert_int_equal(ut_io_run(0, ch, BDEV_IO_WRITE, 100, 16, pattern, len), 0);
	assert_int_equal(ut_io_run(0, ch, BDEV_IO_UNMAP, 102, 4, NULL, 0), 0);
	assert_int_equal(ut_io_run(0, ch, BDEV_IO_WRITE_ZEROES, 109, 3, NULL, 0), 0);
	assert_int_equal(ut_io_run(0, ch, BDEV_IO_READ, 100, 16, got, len), 0);
	if (b->keeps_data) {
		memset(pattern + 2 * BS, 0, 4 * BS);
		memset(pattern + 9 * BS, 0, 3 * BS);
		assert_memory_equal(got, pattern, len);
		assert_true(ut_is_zero(got + 2 * BS, 4 * BS));
	}
	ut_channel_put(0, ch);
	free(pattern);
	free(got);
}

static void test_flush(void **state)
{
	struct bdev_channel *ch = ut_channel_get(0, the_bdev());
	uint8_t *buf = malloc(BS);

	(void)state;
	ut_fill(buf, BS, 3);
	assert_int_equal(ut_io_run(0, ch, BDEV_IO_WRITE, 0, 1, buf, BS), 0);
	assert_int_equal(ut_io_run(0, ch, BDEV_IO_FLUSH, 0, 0, NULL, 0), 0);
	assert_int_equal(ut_io_run(0, ch, BDEV_IO_FLUSH, 0, NUM_BLOCKS, NULL, 0), 0);
	ut_channel_put(0, ch);
	free(buf);
}

static void test_bad_requests(void **state)
{
	struct bdev_channel *ch = ut_channel_get(0, the_bdev());
	uint8_t *buf = malloc(2 * BS);

	(void)state;
	assert_int_equal(ut_io_run(0, ch, BDEV_IO_READ, NUM_BLOCKS, 1, buf, BS), -ERANGE);
	assert_int_equal(ut_io_run(0, ch, BDEV_IO_WRITE, NUM_BLOCKS - 1, 2, buf, 2 * BS), -ERANGE);
	assert_int_equal(ut_io_run(0, ch, BDEV_IO_UNMAP, 1, NUM_BLOCKS, NULL, 0), -ERANGE);
	assert_int_equal(ut_io_run(0, ch, BDEV_IO_READ, 0, 2, buf, BS), -EINVAL);
	assert_int_equal(ut_io_run(0, ch, BDEV_IO_WRITE, 0, 1, buf, 2 * BS), -EINVAL);
	ut_channel_put(0, ch);
	free(buf);
}

struct many {
	struct ut_io ios[IN_FLIGHT];
	uint8_t data[IN_FLIGHT][BS];
	uint8_t got[IN_FLIGHT][BS];
};

static void test_many_in_flight(void **state)
{
	struct backend *b = *state;
	struct bdev_channel *ch = ut_channel_get(0, the_bdev());
	struct many *m = malloc(sizeof(*m));
	struct bdev_io_stat before, after;

	bdev_get_io_stat(the_bdev(), &before);
	/* Scattered blocks, each with its own pattern. */
	for (unsigned i = 0; i < IN_FLIGHT; i++) {
		ut_fill(m->data[i], BS, 1000 + i);
		ut_io_prep(&m->ios[i], BDEV_IO_WRITE, (i * 7) % NUM_BLOCKS, 1, m->data[i], BS);
	}
	ut_submit(0, ch, m->ios, IN_FLIGHT);
	ut_wait(0, m->ios, IN_FLIGHT);
	for (unsigned i = 0; i < IN_FLIGHT; i++) {
		assert_int_equal(m->ios[i].submit_rc, 0);
		assert_int_equal(m->ios[i].status, 0);
		ut_io_prep(&m->ios[i], BDEV_IO_READ, (i * 7) % NUM_BLOCKS, 1, m->got[i], BS);
	}
	ut_submit(0, ch, m->ios, IN_FLIGHT);
	ut_wait(0, m->ios, IN_FLIGHT);
	for (unsigned i = 0; i < IN_FLIGHT; i++) {
		assert_int_equal(m->ios[i].status, 0);
		if (b->keeps_data)
			assert_memory_equal(m->got[i], m->data[i], BS);
	}
	bdev_get_io_stat(the_bdev(), &after);
	assert_int_equal(after.ops[BDEV_IO_WRITE] - before.ops[BDEV_IO_WRITE], IN_FLIGHT);
	assert_int_equal(after.ops[BDEV_IO_READ] - before.ops[BDEV_IO_READ], IN_FLIGHT);
	assert_int_equal(after.bytes[BDEV_IO_READ] - before.bytes[BDEV_IO_READ],
			 (uint64_t)IN_FLIGHT * BS);
	ut_channel_put(0, ch);
	free(m);
}

/* Written through reactor 1's channel, read through reactor 0's. */
static void test_two_reactors(void **state)
{
	struct backend *b = *state;
	struct bdev_channel *c0 = ut_channel_get(0, the_bdev());
	struct bdev_channel *c1 = ut_channel_get(1, the_bdev());
	uint8_t *pattern = malloc(4 * BS), *got = calloc(1, 4 * BS);

	assert_ptr_not_equal(c0, c1);
	ut_fill(pattern, 4 * BS, 4);
	assert_int_equal(ut_io_run(1, c1, BDEV_IO_WRITE, 500, 4, pattern, 4 * BS), 0);
	assert_int_equal(ut_io_run(0, c0, BDEV_IO_READ, 500, 4, got, 4 * BS), 0);
	if (b->keeps_data)
		assert_memory_equal(got, pattern, 4 * BS);
	ut_channel_put(0, c0);
	ut_channel_put(1, c1);
	free(pattern);
	free(got);
}

static void test_delete_busy(void **state)
{
	struct bdev *bdev = the_bdev();
	struct bdev_channel *ch;

	(void)state;
	assert_int_equal(bdev_open(bdev), 0);
	assert_int_equal(bdev_unregister(NAME), -EBUSY);
	ch = ut_channel_get(0, bdev);
	assert_int_equal(bdev_unregister(NAME), -EBUSY);
	bdev_close(bdev);
	assert_int_equal(bdev_unregister(NAME), -EBUSY);
	ut_channel_put(0, ch);
	assert_ptr_equal(bdev_get_by_name(NAME), bdev);
	/* Now it would go: the group teardown checks that it does. */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_and_duplicate),
		cmocka_unit_test(test_write_read),
		cmocka_unit_test(test_unmap_write_zeroes),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_many_in_flight),
		cmocka_unit_test(test_two_reactors),
		cmocka_unit_test(test_delete_busy),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("bdev_null", tests, setup_null, group_teardown);
	failed += cmocka_run_group_tests_name("bdev_malloc", tests, setup_malloc, group_teardown);
	failed += cmocka_run_group_tests_name("bdev_uring", tests, setup_uring, group_teardown);
	failed += cmocka_run_group_tests_name("bdev_delay", tests, setup_delay, group_teardown);
	return failed;
}
