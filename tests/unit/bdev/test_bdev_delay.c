/* SPDX-License-Identifier: MIT */
/*
 * The delay bdev beyond the common backend suite (test_bdev_backends.c):
 * it holds each I/O at least its latency, on a reactor that may sleep
 * meanwhile (interrupt mode: its timer must wake it); what it still holds
 * can be taken back before the base saw it; it keeps its base open and goes
 * before it at shutdown.
 */
#include <errno.h>

#include "bdev_ut.h"

#define BS 512
#define BLOCKS 64
#define HOLD_US 50000

static int setup(void **state)
{
	const struct bdev_delay_opts lat = {
	    .avg_read_us = HOLD_US,
	    .p99_read_us = HOLD_US,
	    .avg_write_us = HOLD_US,
	    .p99_write_us = HOLD_US,
	};

	(void)state;
	/* Interrupt mode: nothing polls unless a wake fd fires. */
	if (ut_env_start(ENV_MODE_INTERRUPT))
		return -1;
	if (bdev_malloc_create("base0", BLOCKS, BS) || bdev_delay_create("slow0", "base0", &lat))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	bdev_unregister_all();
	env_stop();
	return bdev_first() == NULL ? 0 : -1;
}

static struct bdev_io_stat base_stat(void)
{
	struct bdev_io_stat st;

	bdev_get_io_stat(bdev_get_by_name("base0"), &st);
	return st;
}

/* Data goes through to the base, each I/O no sooner than its latency. */
static void test_holds_then_passes_on(void **state)
{
	static uint8_t out[4 * BS], in[4 * BS];
	struct bdev_channel *ch = ut_channel_get(0, bdev_get_by_name("slow0"));
	uint64_t t0;

	(void)state;
	ut_fill(out, sizeof(out), 7);
	t0 = env_now_ns();
	assert_int_equal(ut_io_run(0, ch, BDEV_IO_WRITE, 4, 4, out, sizeof(out)), 0);
	assert_true(env_now_ns() - t0 >= HOLD_US * 1000ull);
	t0 = env_now_ns();
	assert_int_equal(ut_io_run(0, ch, BDEV_IO_READ, 4, 4, in, sizeof(in)), 0);
	assert_true(env_now_ns() - t0 >= HOLD_US * 1000ull);
	assert_memory_equal(in, out, sizeof(in));
	assert_int_equal(base_stat().ops[BDEV_IO_WRITE], 1);
	ut_channel_put(0, ch);
}

struct take_back {
	struct bdev_channel *ch;
	struct ut_io *u;
	int rc;
};

static void abort_fn(void *arg)
{
	struct take_back *t = arg;

	t->rc = bdev_abort(t->ch, &t->u->io);
}

struct reset_ctx {
	struct bdev_channel *ch;
	int rc;
	_Atomic int calls;
};

static void reset_done(void *arg)
{
	struct reset_ctx *r = arg;

	atomic_fetch_add(&r->calls, 1);
}

static void reset_fn(void *arg)
{
	struct reset_ctx *r = arg;

	r->rc = bdev_channel_reset(r->ch, reset_done, r);
}

/* Held I/O is taken back with nothing done: the base never sees it. */
static void test_take_back_while_held(void **state)
{
	static uint8_t buf[2][BS];
	struct bdev_channel *ch = ut_channel_get(0, bdev_get_by_name("slow0"));
	struct ut_io ios[2];
	struct take_back t = {.ch = ch, .u = &ios[0]};
	struct reset_ctx r = {.ch = ch};
	struct bdev_io_stat before = base_stat();

	(void)state;
	for (int i = 0; i < 2; i++)
		ut_io_prep(&ios[i], BDEV_IO_WRITE, (uint64_t)i, 1, buf[i], BS);
	ut_submit(0, ch, ios, 2);
	ut_run(0, abort_fn, &t);
	assert_int_equal(t.rc, 0);
	ut_wait(0, &ios[0], 1);
	assert_int_equal(ios[0].status, -ECANCELED);

	ut_run(0, reset_fn, &r);
	assert_int_equal(r.rc, 0);
	ut_wait(0, &ios[1], 1);
	assert_int_equal(ios[1].status, -ECANCELED);
	while (atomic_load(&r.calls) == 0)
		usleep(100);
	assert_int_equal(base_stat().ops[BDEV_IO_WRITE], before.ops[BDEV_IO_WRITE]);
	ut_channel_put(0, ch);
}

/* The base is open while the delay bdev exists; shutdown frees both. */
static void test_base_kept_open(void **state)
{
	(void)state;
	assert_int_equal(bdev_unregister("base0"), -EBUSY);
	assert_int_equal(bdev_delay_create("slow1", "nobase", &(struct bdev_delay_opts){0}),
			 -ENODEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_holds_then_passes_on, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_take_back_while_held, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_base_kept_open, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
