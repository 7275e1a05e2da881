/* SPDX-License-Identifier: MIT */
/*
 * The bdev layer itself, over a mock backend that counts its channels and
 * can hold I/O, fail submits or complete with an error: registry, open and
 * close, channel reference counting and deferred destruction, the checks of
 * bdev_submit, statistics and the JSON views.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

#include "mock_bdev.h"

static uint32_t pollers_on(unsigned reactor)
{
	struct reactor_stats st;

	reactor_get_stats(env_reactor_at(reactor), &st);
	return st.pollers;
}

static void test_register_lookup(void **state)
{
	char long_name[80];
	struct bdev *a, *b;

	(void)state;
	assert_int_equal(mock_create("m0", MOCK_BLOCKS, MOCK_BS, NULL), 0);
	assert_int_equal(mock_create("m1", 8, 512, "01234567-89ab-4def-8123-456789abcdef"), 0);
	a = bdev_get_by_name("m0");
	b = bdev_get_by_name("m1");
	assert_non_null(a);
	assert_non_null(b);
	assert_null(bdev_get_by_name("m2"));
	assert_int_equal(a->num_blocks, MOCK_BLOCKS);
	assert_int_equal(a->block_size, MOCK_BS);
	/* Registration order. */
	assert_ptr_equal(bdev_first(), a);
	assert_ptr_equal(bdev_next(a), b);
	assert_null(bdev_next(b));

	/* A generated uuid is RFC 4122 version 4; a given one is kept. */
	assert_int_equal(strlen(a->uuid), 36);
	assert_int_equal(a->uuid[8], '-');
	assert_int_equal(a->uuid[14], '4');
	assert_non_null(strchr("89ab", a->uuid[19]));
	assert_string_equal(b->uuid, "01234567-89ab-4def-8123-456789abcdef");

	assert_int_equal(mock_create("m0", 5, 512, NULL), -EEXIST);
	assert_ptr_equal(bdev_get_by_name("m0"), a);
	assert_int_equal(a->num_blocks, MOCK_BLOCKS);

	assert_int_equal(mock_create("bad", 10, 1000, NULL), -EINVAL);
	assert_int_equal(mock_create("bad", 10, 256, NULL), -EINVAL);
	assert_int_equal(mock_create("bad", 10, 1u << 17, NULL), -EINVAL);
	assert_int_equal(mock_create("bad", 0, 512, NULL), -EINVAL);
	assert_int_equal(mock_create("", 10, 512, NULL), -EINVAL);
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(mock_create(long_name, 10, 512, NULL), -EINVAL);
	assert_null(bdev_get_by_name("bad"));

	assert_int_equal(bdev_unregister("nope"), -ENOENT);
	assert_int_equal(bdev_unregister("m0"), 0);
	assert_int_equal(atomic_load(&g_mock.destructs), 1);
	assert_null(bdev_get_by_name("m0"));
	assert_ptr_equal(bdev_first(), b);
}

static void test_open_close(void **state)
{
	struct bdev *a, *b;

	(void)state;
	assert_int_equal(mock_create("m0", MOCK_BLOCKS, MOCK_BS, NULL), 0);
	assert_int_equal(mock_create("m1", MOCK_BLOCKS, MOCK_BS, NULL), 0);
	a = bdev_get_by_name("m0");
	b = bdev_get_by_name("m1");
	assert_int_equal(bdev_open(a), 0);
	assert_int_equal(bdev_open(a), 0);
	assert_int_equal(bdev_unregister("m0"), -EBUSY);
	bdev_close(a);
	assert_int_equal(bdev_unregister("m0"), -EBUSY);
	bdev_close(a);
	bdev_close(a); /* one too many: logged, no wrap-around */
	assert_int_equal(a->open_count, 0);

	/* Shutdown leaves what is still open. */
	assert_int_equal(bdev_open(b), 0);
	bdev_unregister_all();
	assert_null(bdev_get_by_name("m0"));
	assert_ptr_equal(bdev_get_by_name("m1"), b);
	assert_int_equal(atomic_load(&g_mock.destructs), 1);
	bdev_close(b);
}

static void test_channel_refcount(void **state)
{
	uint32_t p0 = pollers_on(0), p1 = pollers_on(1);
	struct bdev_channel *c0, *c0b, *c1;
	struct bdev *bdev;

	(void)state;
	assert_int_equal(mock_create("m0", MOCK_BLOCKS, MOCK_BS, NULL), 0);
	bdev = bdev_get_by_name("m0");
	/* Not on a reactor: no channel. */
	assert_null(bdev_channel_get(bdev));

	c0 = ut_channel_get(0, bdev);
	c0b = ut_channel_get(0, bdev);
	c1 = ut_channel_get(1, bdev);
	assert_non_null(c0);
	assert_ptr_equal(c0, c0b);
	assert_non_null(c1);
	assert_ptr_not_equal(c0, c1);
	assert_ptr_equal(bdev_channel_bdev(c0), bdev);
	assert_non_null(bdev_channel_ctx(c0));
	assert_int_equal(atomic_load(&g_mock.creates), 2);
	assert_int_equal(pollers_on(0), p0 + 1);
	assert_int_equal(pollers_on(1), p1 + 1);
	assert_int_equal(bdev_unregister("m0"), -EBUSY);

	ut_channel_put(0, c0);
	assert_int_equal(atomic_load(&g_mock.destroys), 0);
	ut_channel_put(0, c0);
	assert_int_equal(atomic_load(&g_mock.destroys), 1);
	assert_int_equal(pollers_on(0), p0);
	assert_int_equal(bdev_unregister("m0"), -EBUSY);
	ut_channel_put(1, c1);
	assert_int_equal(atomic_load(&g_mock.destroys), 2);
	assert_int_equal(pollers_on(1), p1);
	assert_int_equal(bdev_unregister("m0"), 0);
}

static void test_channel_create_fails(void **state)
{
	uint32_t p0 = pollers_on(0);
	struct bdev *bdev;

	(void)state;
	assert_int_equal(mock_create("m0", MOCK_BLOCKS, MOCK_BS, NULL), 0);
	bdev = bdev_get_by_name("m0");
	atomic_store(&g_mock.fail_create, 1);
	assert_null(ut_channel_get(0, bdev));
	assert_int_equal(pollers_on(0), p0);
	assert_int_equal(bdev_unregister("m0"), 0);
}

static void test_submit_checks(void **state)
{
	static uint8_t buf[3 * MOCK_BS];
	struct bdev_channel *ch;
	struct ut_io ios[13];
	struct bdev *bdev;

	(void)state;
	assert_int_equal(mock_create("m0", MOCK_BLOCKS, MOCK_BS, NULL), 0);
	bdev = bdev_get_by_name("m0");
	ch = ut_channel_get(0, bdev);
	assert_non_null(ch);

	ut_io_prep(&ios[0], BDEV_IO_READ, MOCK_BLOCKS, 1, buf, MOCK_BS);
	ut_io_prep(&ios[1], BDEV_IO_READ, MOCK_BLOCKS - 1, 2, buf, 2 * MOCK_BS);
	ut_io_prep(&ios[2], BDEV_IO_WRITE, UINT64_MAX, 2, buf, 2 * MOCK_BS);
	ut_io_prep(&ios[3], BDEV_IO_FLUSH, 1, UINT64_MAX, NULL, 0);
	ut_io_prep(&ios[4], BDEV_IO_READ, 0, 2, buf, 2 * MOCK_BS - 1);
	ut_io_prep(&ios[5], BDEV_IO_WRITE, 0, 2, buf, 3 * MOCK_BS);
	ut_io_prep(&ios[6], BDEV_IO_READ, 0, 1, buf, MOCK_BS);
	ios[6].io.iovcnt = 0;
	ut_io_prep(&ios[7], BDEV_IO_READ, 0, 0, buf, 0);
	ut_io_prep(&ios[8], BDEV_IO_UNMAP, 0, 1, NULL, 0);
	ut_io_prep(&ios[9], (enum bdev_io_type)99, 0, 1, NULL, 0);
	/* Two iovs adding up exactly: accepted. */
	ut_io_prep(&ios[10], BDEV_IO_WRITE, MOCK_BLOCKS - 2, 2, buf, 100);
	ios[10].iov[1] = (struct iovec){ buf + 100, 2 * MOCK_BS - 100 };
	ios[10].io.iovcnt = 2;
	/* A flush of the whole device has no range. */
	ut_io_prep(&ios[11], BDEV_IO_FLUSH, 0, 0, NULL, 0);
	ut_io_prep(&ios[12], BDEV_IO_WRITE_ZEROES, 0, MOCK_BLOCKS, NULL, 0);
	ut_submit(0, ch, ios, 13);
	ut_wait(0, ios, 13);
	assert_int_equal(ios[0].submit_rc, -ERANGE);
	assert_int_equal(ios[1].submit_rc, -ERANGE);
	assert_int_equal(ios[2].submit_rc, -ERANGE);
	assert_int_equal(ios[3].submit_rc, -ERANGE);
	assert_int_equal(ios[4].submit_rc, -EINVAL);
	assert_int_equal(ios[5].submit_rc, -EINVAL);
	assert_int_equal(ios[6].submit_rc, -EINVAL);
	assert_int_equal(ios[7].submit_rc, -EINVAL);
	assert_int_equal(ios[8].submit_rc, -ENOTSUP);
	assert_int_equal(ios[9].submit_rc, -EINVAL);
	for (int i = 10; i < 13; i++) {
		assert_int_equal(ios[i].submit_rc, 0);
		assert_int_equal(ios[i].status, 0);
	}

	/* A backend's refusal reaches the caller, with no callback. */
	atomic_store(&g_mock.submit_rc, -ENOMEM);
	ut_io_prep(&ios[0], BDEV_IO_READ, 0, 1, buf, MOCK_BS);
	ut_submit(0, ch, ios, 1);
	ut_wait(0, ios, 1);
	assert_int_equal(ios[0].submit_rc, -ENOMEM);

	/* Nothing is left counted in flight: the last put destroys at once. */
	ut_channel_put(0, ch);
	assert_int_equal(atomic_load(&g_mock.destroys), 1);
}

struct ut_watch {
	struct bdev_watch w;
	unsigned calls;
	uint64_t seen; /* the size the last call saw */
};

static void ut_resized(struct bdev_watch *w, struct bdev *bdev)
{
	struct ut_watch *u = (struct ut_watch *)w;

	u->calls++;
	u->seen = bdev_num_blocks(bdev);
}

static void test_resize(void **state)
{
	static uint8_t buf[MOCK_BS];
	struct ut_watch a = {.w.resized = ut_resized}, b = {.w.resized = ut_resized};
	struct bdev_channel *ch;
	struct ut_io io;
	struct bdev *bdev;

	(void)state;
	assert_int_equal(mock_create("m0", MOCK_BLOCKS, MOCK_BS, NULL), 0);
	bdev = bdev_get_by_name("m0");
	assert_int_equal(bdev_open(bdev), 0);
	bdev_watch_add(bdev, &a.w);
	bdev_watch_add(bdev, &b.w);
	ch = ut_channel_get(0, bdev);
	assert_non_null(ch);

	/* Open: it grows, every watch sees the new size, and a channel made
	 * before serves the new blocks. */
	assert_int_equal(bdev_resize(bdev, 2 * MOCK_BLOCKS), 0);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.seen, 2 * MOCK_BLOCKS);
	assert_int_equal(b.calls, 1);
	ut_io_prep(&io, BDEV_IO_READ, 2 * MOCK_BLOCKS - 1, 1, buf, MOCK_BS);
	ut_submit(0, ch, &io, 1);
	ut_wait(0, &io, 1);
	assert_int_equal(io.submit_rc, 0);
	ut_io_prep(&io, BDEV_IO_READ, 2 * MOCK_BLOCKS, 1, buf, MOCK_BS);
	ut_submit(0, ch, &io, 1);
	ut_wait(0, &io, 1);
	assert_int_equal(io.submit_rc, -ERANGE);

	/* Open: no shrink (I/O in flight could reach past the end); the same
	 * size tells nobody; an unusable size is refused. */
	assert_int_equal(bdev_resize(bdev, MOCK_BLOCKS), -EBUSY);
	assert_int_equal(bdev_num_blocks(bdev), 2 * MOCK_BLOCKS);
	assert_int_equal(bdev_resize(bdev, 2 * MOCK_BLOCKS), 0);
	assert_int_equal(bdev_resize(bdev, 0), -EINVAL);
	assert_int_equal(a.calls, 1);

	/* A removed watch is not called; closed, the bdev may shrink. */
	bdev_watch_remove(bdev, &a.w);
	ut_channel_put(0, ch);
	bdev_close(bdev);
	assert_int_equal(bdev_resize(bdev, MOCK_BLOCKS / 2), 0);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 2);
	assert_int_equal(b.seen, MOCK_BLOCKS / 2);
	bdev_watch_remove(bdev, &b.w);
	assert_null(bdev->watches);
}

static void test_destroy_waits_for_io(void **state)
{
	static uint8_t buf[MOCK_BS];
	struct bdev_channel *ch, *again;
	struct ut_io ios[3];
	struct bdev *bdev;

	(void)state;
	assert_int_equal(mock_create("m0", MOCK_BLOCKS, MOCK_BS, NULL), 0);
	bdev = bdev_get_by_name("m0");
	ch = ut_channel_get(0, bdev);
	atomic_store(&g_mock.hold, 1);
	for (int i = 0; i < 3; i++)
		ut_io_prep(&ios[i], BDEV_IO_READ, (uint64_t)i, 1, buf, MOCK_BS);
	ut_submit(0, ch, ios, 3);

	/* The last put with I/O in flight keeps the channel... */
	ut_channel_put(0, ch);
	ut_run(0, ut_noop_fn, NULL);
	assert_int_equal(atomic_load(&g_mock.destroys), 0);
	assert_int_equal(bdev_unregister("m0"), -EBUSY);
	/* ...which a get revives... */
	again = ut_channel_get(0, bdev);
	assert_ptr_equal(again, ch);
	mock_release(0);
	ut_wait(0, ios, 3);
	assert_int_equal(atomic_load(&g_mock.destroys), 0);

	/* ...and which goes once its I/O completed. */
	atomic_store(&g_mock.hold, 1);
	ut_io_prep(&ios[0], BDEV_IO_WRITE, 0, 1, buf, MOCK_BS);
	ut_submit(0, ch, ios, 1);
	ut_channel_put(0, ch);
	assert_int_equal(atomic_load(&g_mock.destroys), 0);
	mock_release(0);
	ut_wait(0, ios, 1);
	assert_int_equal(atomic_load(&g_mock.destroys), 1);
	assert_int_equal(bdev_unregister("m0"), 0);
}

/* Completion callback that drops the channel: the put comes from inside the
 * channel's own poll, while the backend still walks its list. */
static void put_in_cb(struct bdev_io *io, int status, void *cb_arg)
{
	struct ut_io *u = cb_arg;

	bdev_channel_put(io->ch);
	u->status = status;
	atomic_fetch_add(&u->calls, 1);
}

static void test_put_inside_callback(void **state)
{
	static uint8_t buf[MOCK_BS];
	struct bdev_channel *ch;
	struct ut_io ios[2];
	struct bdev *bdev;

	(void)state;
	assert_int_equal(mock_create("m0", MOCK_BLOCKS, MOCK_BS, NULL), 0);
	bdev = bdev_get_by_name("m0");
	ch = ut_channel_get(0, bdev);
	assert_ptr_equal(ut_channel_get(0, bdev), ch);
	for (int i = 0; i < 2; i++) {
		ut_io_prep(&ios[i], BDEV_IO_READ, (uint64_t)i, 1, buf, MOCK_BS);
		ios[i].io.cb = put_in_cb;
	}
	ut_submit(0, ch, ios, 2);
	ut_wait(0, ios, 2);
	assert_int_equal(atomic_load(&g_mock.destroys), 1);
	assert_int_equal(bdev_unregister("m0"), 0);
}

struct poll_now {
	struct ut_batch batch;
	int calls_after_submit;
	int poll_rc;
	int calls_after_poll;
};

/* Submits and polls in one message, as the vhost-blk poller does. */
static void submit_then_poll(void *arg)
{
	struct poll_now *p = arg;

	ut_submit_fn(&p->batch);
	p->calls_after_submit = atomic_load(&p->batch.ios[0].calls);
	p->poll_rc = bdev_channel_poll(p->batch.ch);
	p->calls_after_poll = atomic_load(&p->batch.ios[0].calls);
}

/* bdev_channel_poll completes what the backend finished at once, without
 * waiting for the channel's poller; still nothing inside bdev_submit. */
static void test_channel_poll_now(void **state)
{
	static uint8_t buf[MOCK_BS];
	struct ut_io io;
	struct poll_now p = {.batch = {.ios = &io, .n = 1}};
	struct bdev *bdev;

	(void)state;
	assert_int_equal(mock_create("m0", MOCK_BLOCKS, MOCK_BS, NULL), 0);
	bdev = bdev_get_by_name("m0");
	p.batch.ch = ut_channel_get(0, bdev);
	ut_io_prep(&io, BDEV_IO_READ, 1, 1, buf, MOCK_BS);
	ut_run(0, submit_then_poll, &p);
	assert_int_equal(io.submit_rc, 0);
	assert_int_equal(p.calls_after_submit, 0);
	assert_int_equal(p.poll_rc, POLLER_BUSY);
	assert_int_equal(p.calls_after_poll, 1);
	ut_wait(0, &io, 1);
	ut_channel_put(0, p.batch.ch);
	assert_int_equal(bdev_unregister("m0"), 0);
}

static uint64_t json_u64(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	assert_non_null(v);
	assert_true(json_is_integer(v));
	return (uint64_t)json_integer_value(v);
}

static void test_stats(void **state)
{
	static uint8_t buf[2 * MOCK_BS];
	struct bdev_channel *c0, *c1;
	struct bdev_io_stat st;
	struct ut_io ios[5];
	struct bdev *bdev;
	json_t *j;

	(void)state;
	assert_int_equal(mock_create("m0", MOCK_BLOCKS, MOCK_BS, NULL), 0);
	bdev = bdev_get_by_name("m0");
	c0 = ut_channel_get(0, bdev);
	c1 = ut_channel_get(1, bdev);
	ut_io_prep(&ios[0], BDEV_IO_READ, 0, 2, buf, 2 * MOCK_BS);
	ut_io_prep(&ios[1], BDEV_IO_READ, 4, 1, buf, MOCK_BS);
	ut_io_prep(&ios[2], BDEV_IO_WRITE, 4, 2, buf, 2 * MOCK_BS);
	ut_io_prep(&ios[3], BDEV_IO_FLUSH, 0, 0, NULL, 0);
	ut_io_prep(&ios[4], BDEV_IO_WRITE_ZEROES, 10, 7, NULL, 0);
	ut_submit(0, c0, ios, 5);
	ut_wait(0, ios, 5);
	/* The other reactor's counters add up, and failed I/O counts apart. */
	ut_io_prep(&ios[0], BDEV_IO_WRITE, 0, 1, buf, MOCK_BS);
	ut_submit(1, c1, ios, 1);
	ut_wait(1, ios, 1);
	atomic_store(&g_mock.status, -EIO);
	ut_io_prep(&ios[0], BDEV_IO_READ, 0, 1, buf, MOCK_BS);
	ut_submit(1, c1, ios, 1);
	ut_wait(1, ios, 1);
	assert_int_equal(ios[0].status, -EIO);

	bdev_get_io_stat(bdev, &st);
	assert_int_equal(st.ops[BDEV_IO_READ], 2);
	assert_int_equal(st.bytes[BDEV_IO_READ], 3 * MOCK_BS);
	assert_int_equal(st.ops[BDEV_IO_WRITE], 2);
	assert_int_equal(st.bytes[BDEV_IO_WRITE], 3 * MOCK_BS);
	assert_int_equal(st.ops[BDEV_IO_FLUSH], 1);
	assert_int_equal(st.ops[BDEV_IO_WRITE_ZEROES], 1);
	assert_int_equal(st.bytes[BDEV_IO_WRITE_ZEROES], 7 * MOCK_BS);
	assert_int_equal(st.ops[BDEV_IO_UNMAP], 0);
	assert_int_equal(st.errors, 1);

	j = bdev_io_stat_to_json(bdev);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "m0");
	assert_int_equal(json_u64(j, "num_read_ops"), 2);
	assert_int_equal(json_u64(j, "bytes_read"), 3 * MOCK_BS);
	assert_int_equal(json_u64(j, "num_write_ops"), 2);
	assert_int_equal(json_u64(j, "bytes_written"), 3 * MOCK_BS);
	assert_int_equal(json_u64(j, "num_unmap_ops"), 0);
	assert_int_equal(json_u64(j, "bytes_unmapped"), 0);
	assert_int_equal(json_u64(j, "num_write_zeroes_ops"), 1);
	assert_int_equal(json_u64(j, "bytes_zeroed"), 7 * MOCK_BS);
	assert_int_equal(json_u64(j, "num_flush_ops"), 1);
	assert_int_equal(json_u64(j, "num_io_errors"), 1);
	json_decref(j);

	ut_channel_put(0, c0);
	ut_channel_put(1, c1);
}

static void test_bdev_json(void **state)
{
	struct bdev *bdev;
	json_t *j, *types;

	(void)state;
	assert_int_equal(mock_create("m0", MOCK_BLOCKS, MOCK_BS, NULL), 0);
	bdev = bdev_get_by_name("m0");
	j = bdev_to_json(bdev);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "m0");
	assert_string_equal(json_string_value(json_object_get(j, "product_name")), "Mock disk");
	assert_string_equal(json_string_value(json_object_get(j, "uuid")), bdev->uuid);
	assert_int_equal(json_u64(j, "block_size"), MOCK_BS);
	assert_int_equal(json_u64(j, "num_blocks"), MOCK_BLOCKS);
	assert_true(json_is_array(json_object_get(j, "aliases")));
	assert_int_equal(json_array_size(json_object_get(j, "aliases")), 0);
	assert_true(json_is_false(json_object_get(j, "claimed")));
	types = json_object_get(j, "supported_io_types");
	assert_true(json_is_true(json_object_get(types, "read")));
	assert_true(json_is_true(json_object_get(types, "write")));
	assert_true(json_is_true(json_object_get(types, "flush")));
	assert_true(json_is_true(json_object_get(types, "write_zeroes")));
	assert_true(json_is_false(json_object_get(types, "unmap")));
	assert_int_equal(json_u64(json_object_get(json_object_get(j, "driver_specific"), "mock"),
				  "answer"),
			 42);
	json_decref(j);

	assert_int_equal(bdev_open(bdev), 0);
	j = bdev_to_json(bdev);
	assert_true(json_is_true(json_object_get(j, "claimed")));
	json_decref(j);
	bdev_close(bdev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_lookup, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_open_close, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_channel_refcount, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_channel_create_fails, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_submit_checks, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_resize, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_waits_for_io, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_put_inside_callback, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_channel_poll_now, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_stats, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_bdev_json, test_setup, test_teardown),
	};

	return cmocka_run_group_tests_name("bdev_layer", tests, setup, teardown);
}
