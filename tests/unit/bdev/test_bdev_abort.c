/* SPDX-License-Identifier: MIT */
/*
 * What the next devices need of the bdev contract, over the mock backend:
 * taking I/O back (bdev_abort for SCSI ABORT TASK and NVMe Abort,
 * bdev_channel_reset for LUN and controller resets), each I/O completing
 * exactly once and never inside the call; and the per-bdev limits every
 * frontend reads with bdev_get_limits and bdev_submit enforces.
 */
#include "mock_bdev.h"

struct abort_msg {
	struct bdev_channel *ch;
	struct bdev_io *io;
	int rc;
	int again_rc; /* a second abort, before the channel polled again */
};

static void abort_fn(void *arg)
{
	struct abort_msg *m = arg;

	/* A callback run inside bdev_abort would count as one inside submit. */
	atomic_store(&g_ut_in_submit, 1);
	m->rc = bdev_abort(m->ch, m->io);
	m->again_rc = bdev_abort(m->ch, m->io);
	atomic_store(&g_ut_in_submit, 0);
}

static int ut_abort(unsigned reactor, struct bdev_channel *ch, struct ut_io *u, int *again_rc)
{
	struct abort_msg m = {.ch = ch, .io = &u->io};

	ut_run(reactor, abort_fn, &m);
	if (again_rc)
		*again_rc = m.again_rc;
	return m.rc;
}

struct reset_msg {
	struct bdev_channel *ch;
	struct ut_io *watch; /* its calls when the reset called back */
	unsigned nwatch;
	int rc;
	_Atomic int calls;
	int watched_calls;
};

static void reset_cb(void *arg)
{
	struct reset_msg *m = arg;

	m->watched_calls = 0;
	if (atomic_load(&g_ut_in_submit))
		atomic_fetch_add(&g_ut_cb_in_submit, 1);
	for (unsigned i = 0; i < m->nwatch; i++)
		m->watched_calls += atomic_load(&m->watch[i].calls);
	atomic_fetch_add(&m->calls, 1);
}

static void reset_fn(void *arg)
{
	struct reset_msg *m = arg;

	atomic_store(&g_ut_in_submit, 1);
	m->rc = bdev_channel_reset(m->ch, reset_cb, m);
	atomic_store(&g_ut_in_submit, 0);
}

static int ut_reset(unsigned reactor, struct reset_msg *m)
{
	ut_run(reactor, reset_fn, m);
	return m->rc;
}

/* Waits until the reset called back `calls` times in all, or 10 s. */
static void wait_reset(struct reset_msg *m, int calls)
{
	uint64_t end = env_now_ns() + UT_TIMEOUT_NS;

	while (atomic_load(&m->calls) < calls && env_now_ns() < end)
		usleep(50);
}

static struct bdev_channel *mock_channel(void)
{
	assert_int_equal(mock_create("m0", MOCK_BLOCKS, MOCK_BS, NULL), 0);
	return ut_channel_get(0, bdev_get_by_name("m0"));
}

static void put_and_delete(struct bdev_channel *ch)
{
	ut_channel_put(0, ch);
	assert_int_equal(bdev_unregister("m0"), 0);
}

static void test_abort(void **state)
{
	static uint8_t buf[2][MOCK_BS];
	struct bdev_channel *ch = mock_channel();
	struct ut_io ios[2], never;
	int again;

	(void)state;
	atomic_store(&g_mock.hold, 1);
	for (int i = 0; i < 2; i++)
		ut_io_prep(&ios[i], BDEV_IO_READ, (uint64_t)i, 1, buf[i], MOCK_BS);
	ut_submit(0, ch, ios, 2);
	assert_int_equal(ut_abort(0, ch, &ios[0], &again), 0);
	assert_int_equal(again, -EALREADY);
	ut_io_prep(&never, BDEV_IO_READ, 0, 1, buf[0], MOCK_BS);
	assert_int_equal(ut_abort(0, ch, &never, NULL), -ENOENT);
	/* The aborted one completes, once, while the mock still holds I/O. */
	ut_wait(0, &ios[0], 1);
	assert_int_equal(ios[0].status, -ECANCELED);
	assert_int_equal(atomic_load(&ios[1].calls), 0);
	mock_release(0);
	ut_wait(0, ios, 2);
	assert_int_equal(ios[1].status, 0);
	/* Completed: nothing left to abort. */
	assert_int_equal(ut_abort(0, ch, &ios[1], NULL), -ENOENT);
	put_and_delete(ch);
}

/* Too late: the I/O completes with its own status, once. */
static void test_abort_refused(void **state)
{
	static uint8_t buf[MOCK_BS];
	struct bdev_channel *ch = mock_channel();
	struct ut_io io;
	int again;

	(void)state;
	atomic_store(&g_mock.hold, 1);
	atomic_store(&g_mock.refuse_abort, 1);
	ut_io_prep(&io, BDEV_IO_WRITE, 3, 1, buf, MOCK_BS);
	ut_submit(0, ch, &io, 1);
	assert_int_equal(ut_abort(0, ch, &io, &again), -EBUSY);
	assert_int_equal(again, -EBUSY);
	mock_release(0);
	ut_wait(0, &io, 1);
	assert_int_equal(io.status, 0);
	put_and_delete(ch);
}

/* A reset takes back what it can; it calls back after every I/O did. */
static void test_reset(void **state)
{
	static uint8_t buf[3][MOCK_BS];
	struct bdev_channel *ch = mock_channel();
	struct ut_io ios[3];
	struct reset_msg m = {.ch = ch, .watch = ios, .nwatch = 3};

	(void)state;
	atomic_store(&g_mock.hold, 1);
	for (int i = 0; i < 3; i++)
		ut_io_prep(&ios[i], BDEV_IO_READ, (uint64_t)i, 1, buf[i], MOCK_BS);
	ut_submit(0, ch, ios, 3);
	assert_int_equal(ut_reset(0, &m), 0);
	wait_reset(&m, 1);
	/* Also checks that nothing called back inside bdev_channel_reset. */
	ut_wait(0, ios, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ios[i].status, -ECANCELED);
	assert_int_equal(atomic_load(&m.calls), 1);
	assert_int_equal(m.watched_calls, 3);
	/* Nothing in flight: the reset calls back at the next poll. */
	assert_int_equal(ut_reset(0, &m), 0);
	wait_reset(&m, 2);
	assert_int_equal(atomic_load(&m.calls), 2);
	put_and_delete(ch);
}

/* What the backend cannot take back, the reset waits for; I/O submitted
 * after the reset is not waited for; one reset at a time. */
static void test_reset_waits_for_earlier_io(void **state)
{
	static uint8_t buf[2][MOCK_BS];
	struct bdev_channel *ch = mock_channel();
	struct ut_io before, after;
	struct reset_msg m = {.ch = ch, .watch = &before, .nwatch = 1};
	struct reset_msg again = {.ch = ch};

	(void)state;
	atomic_store(&g_mock.hold, 1);
	atomic_store(&g_mock.refuse_abort, 1);
	ut_io_prep(&before, BDEV_IO_WRITE, 1, 1, buf[0], MOCK_BS);
	ut_submit(0, ch, &before, 1);
	assert_int_equal(ut_reset(0, &m), 0);
	ut_io_prep(&after, BDEV_IO_WRITE, 2, 1, buf[1], MOCK_BS);
	ut_submit(0, ch, &after, 1);
	assert_int_equal(ut_reset(0, &again), -EBUSY);
	ut_run(0, ut_noop_fn, NULL);
	assert_int_equal(atomic_load(&m.calls), 0);

	/* The earlier write completes (its own status); the later one is held. */
	atomic_store(&g_mock.hold_offset, 2);
	mock_release(0);
	wait_reset(&m, 1);
	ut_wait(0, &before, 1);
	assert_int_equal(before.status, 0);
	assert_int_equal(atomic_load(&m.calls), 1);
	assert_int_equal(m.watched_calls, 1);
	assert_int_equal(atomic_load(&after.calls), 0);
	assert_int_equal(atomic_load(&again.calls), 0);

	atomic_store(&g_mock.hold_offset, -1);
	ut_run(0, ut_noop_fn, NULL);
	ut_wait(0, &after, 1);
	assert_int_equal(after.status, 0);
	put_and_delete(ch);
}

struct submit_abort {
	struct ut_batch batch;
	int abort_rc;
};

/* Submits one I/O and aborts it in the same message: before any poll. */
static void submit_abort_fn(void *arg)
{
	struct submit_abort *m = arg;

	ut_submit_fn(&m->batch);
	atomic_store(&g_ut_in_submit, 1);
	m->abort_rc = bdev_abort(m->batch.ch, &m->batch.ios[0].io);
	atomic_store(&g_ut_in_submit, 0);
}

/* null has done nothing before its poll: it gives the I/O back. malloc
 * moved the data in submit: too late. */
static void test_backends_take_back(void **state)
{
	static uint8_t buf[512];
	const char *names[] = {"null0", "malloc0"};
	const int want[] = {0, -EBUSY};
	const int status[] = {-ECANCELED, 0};

	(void)state;
	assert_int_equal(bdev_null_create("null0", 16, 512), 0);
	assert_int_equal(bdev_malloc_create("malloc0", 16, 512), 0);
	for (int i = 0; i < 2; i++) {
		struct ut_io io;
		struct submit_abort m = {.batch = {.ios = &io, .n = 1}};

		m.batch.ch = ut_channel_get(0, bdev_get_by_name(names[i]));
		ut_io_prep(&io, BDEV_IO_WRITE, 1, 1, buf, sizeof(buf));
		ut_run(0, submit_abort_fn, &m);
		assert_int_equal(io.submit_rc, 0);
		assert_int_equal(m.abort_rc, want[i]);
		ut_wait(0, &io, 1);
		assert_int_equal(io.status, status[i]);
		ut_channel_put(0, m.batch.ch);
	}
}

static void test_limits(void **state)
{
	static uint8_t buf[4 * MOCK_BS] __attribute__((aligned(MOCK_BS)));
	const struct mock_limits ml = {.max_transfer_bytes = 2 * MOCK_BS + 100,
				       .max_segments = 2,
				       .required_alignment = 512,
				       .optimal_io_bytes = MOCK_BS};
	struct bdev_limits lim;
	struct bdev_channel *ch;
	struct ut_io ios[5];
	struct bdev *bdev;

	(void)state;
	/* None set: the largest values, alignment 1. */
	assert_int_equal(mock_create("m1", MOCK_BLOCKS, MOCK_BS, NULL), 0);
	bdev_get_limits(bdev_get_by_name("m1"), &lim);
	assert_int_equal(lim.block_size, MOCK_BS);
	assert_int_equal(lim.max_transfer_bytes, UINT32_MAX / MOCK_BS * MOCK_BS);
	assert_int_equal(lim.max_segments, UINT32_MAX);
	assert_int_equal(lim.required_alignment, 1);
	assert_int_equal(lim.optimal_io_bytes, 0);
	assert_int_equal(bdev_unregister("m1"), 0);

	/* Limits that do not allow one block are refused. */
	assert_int_equal(mock_create_limited("m2", MOCK_BLOCKS, MOCK_BS, NULL,
					     &(struct mock_limits){.max_transfer_bytes = 512}),
			 -EINVAL);
	assert_int_equal(mock_create_limited("m2", MOCK_BLOCKS, MOCK_BS, NULL,
					     &(struct mock_limits){.required_alignment = 24}),
			 -EINVAL);

	assert_int_equal(mock_create_limited("m0", MOCK_BLOCKS, MOCK_BS, NULL, &ml), 0);
	bdev = bdev_get_by_name("m0");
	bdev_get_limits(bdev, &lim);
	/* Rounded down to whole blocks. */
	assert_int_equal(lim.max_transfer_bytes, 2 * MOCK_BS);
	assert_int_equal(lim.max_segments, 2);
	assert_int_equal(lim.required_alignment, 512);
	assert_int_equal(lim.optimal_io_bytes, MOCK_BS);

	ch = ut_channel_get(0, bdev);
	/* Within every limit. */
	ut_io_prep(&ios[0], BDEV_IO_WRITE, 0, 2, buf, 512);
	ios[0].iov[1] = (struct iovec){buf + 1024, 2 * MOCK_BS - 512};
	ios[0].io.iovcnt = 2;
	/* Three segments. */
	ut_io_prep(&ios[1], BDEV_IO_WRITE, 0, 1, buf, 1024);
	ios[1].iov[1] = (struct iovec){buf + 1024, 1024};
	ios[1].iov[2] = (struct iovec){buf + 2048, MOCK_BS - 2048};
	ios[1].io.iovcnt = 3;
	/* Three blocks in one transfer. */
	ut_io_prep(&ios[2], BDEV_IO_READ, 0, 3, buf, 3 * MOCK_BS);
	/* A buffer off the alignment, then a length off it. */
	ut_io_prep(&ios[3], BDEV_IO_READ, 0, 1, buf + 8, MOCK_BS);
	ut_io_prep(&ios[4], BDEV_IO_READ, 0, 1, buf, 100);
	ios[4].iov[1] = (struct iovec){buf + 512, MOCK_BS - 100};
	ios[4].io.iovcnt = 2;
	ut_submit(0, ch, ios, 5);
	ut_wait(0, ios, 5);
	assert_int_equal(ios[0].submit_rc, 0);
	assert_int_equal(ios[0].status, 0);
	for (int i = 1; i < 5; i++)
		assert_int_equal(ios[i].submit_rc, -EINVAL);
	ut_channel_put(0, ch);
	assert_int_equal(bdev_unregister("m0"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_abort, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_abort_refused, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_reset, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_reset_waits_for_earlier_io, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_backends_take_back, test_setup,
						test_teardown),
		cmocka_unit_test_setup_teardown(test_limits, test_setup, test_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
