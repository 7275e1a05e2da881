/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_UNIT_BDEV_UT_H
#define STORLAB_TESTS_UNIT_BDEV_UT_H

/*
 * Shared by the bdev unit tests: a real env of two unpinned reactors, and
 * I/O that runs on a reactor through reactor_call_sync. cmocka asserts only
 * on the test's thread, so what runs on a reactor records into struct
 * ut_io, which the test checks afterwards.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "env/env.h"
#include "target/bdev/bdev.h"

#define UT_MAX_IOV 8
#define UT_TIMEOUT_NS (10ull * 1000 * 1000 * 1000)

/* Set on the reactor around every submit the tests make. A callback that
 * finds it set ran inside bdev_submit, which the async contract forbids. */
static _Atomic int g_ut_in_submit;
static _Atomic int g_ut_cb_in_submit;

struct ut_io {
	struct bdev_io io;
	struct iovec iov[UT_MAX_IOV];
	int submit_rc;
	int status;
	_Atomic int calls;
};

static inline int ut_env_start(enum env_mode mode)
{
	struct env_opts opts = {
		.core_mask = 0x3,
		.mode = mode,
		.adaptive_idle_spins = 100,
		.no_pin = true,
	};

	if (env_init(&opts))
		return -1;
	return env_start();
}

static inline void ut_run(unsigned reactor, reactor_msg_fn fn, void *arg)
{
	assert_int_equal(reactor_call_sync(env_reactor_at(reactor), fn, arg), 0);
}

struct ut_chan_msg {
	struct bdev *bdev;
	struct bdev_channel *ch;
};

static inline void ut_channel_get_fn(void *arg)
{
	struct ut_chan_msg *m = arg;

	m->ch = bdev_channel_get(m->bdev);
}

static inline void ut_channel_put_fn(void *arg)
{
	struct ut_chan_msg *m = arg;

	bdev_channel_put(m->ch);
}

static inline struct bdev_channel *ut_channel_get(unsigned reactor, struct bdev *bdev)
{
	struct ut_chan_msg m = { .bdev = bdev };

	ut_run(reactor, ut_channel_get_fn, &m);
	return m.ch;
}

static inline void ut_channel_put(unsigned reactor, struct bdev_channel *ch)
{
	struct ut_chan_msg m = { .ch = ch };

	ut_run(reactor, ut_channel_put_fn, &m);
}

static inline void ut_io_cb(struct bdev_io *io, int status, void *cb_arg)
{
	struct ut_io *u = cb_arg;

	(void)io;
	if (atomic_load(&g_ut_in_submit))
		atomic_fetch_add(&g_ut_cb_in_submit, 1);
	u->status = status;
	atomic_fetch_add(&u->calls, 1);
}

/* An I/O over one buffer (buf may be NULL for the types without data). */
static inline void ut_io_prep(struct ut_io *u, enum bdev_io_type type, uint64_t offset_blocks,
			      uint64_t num_blocks, void *buf, size_t len)
{
	memset(u, 0, sizeof(*u));
	u->io.type = type;
	u->io.offset_blocks = offset_blocks;
	u->io.num_blocks = num_blocks;
	u->iov[0].iov_base = buf;
	u->iov[0].iov_len = len;
	u->io.iov = u->iov;
	u->io.iovcnt = buf ? 1 : 0;
	u->io.cb = ut_io_cb;
	u->io.cb_arg = u;
}

struct ut_batch {
	struct bdev_channel *ch;
	struct ut_io *ios;
	unsigned n;
};

static inline void ut_submit_fn(void *arg)
{
	struct ut_batch *b = arg;

	atomic_store(&g_ut_in_submit, 1);
	for (unsigned i = 0; i < b->n; i++)
		b->ios[i].submit_rc = bdev_submit(b->ch, &b->ios[i].io);
	atomic_store(&g_ut_in_submit, 0);
}

/* Submits n prepared I/Os in one message: all are in flight before any can
 * complete, since completions come only from the channel's poller. */
static inline void ut_submit(unsigned reactor, struct bdev_channel *ch, struct ut_io *ios,
			     unsigned n)
{
	struct ut_batch b = { .ch = ch, .ios = ios, .n = n };

	ut_run(reactor, ut_submit_fn, &b);
}

static inline void ut_noop_fn(void *arg)
{
	(void)arg;
}

/*
 * Waits for the callback of every I/O whose submit succeeded, lets the
 * reactor run a few more rounds (a second callback would show up there),
 * then checks: each accepted I/O called back exactly once, each rejected one
 * never, and no callback ran inside bdev_submit.
 */
static inline void ut_wait(unsigned reactor, struct ut_io *ios, unsigned n)
{
	uint64_t end = env_now_ns() + UT_TIMEOUT_NS;

	for (unsigned i = 0; i < n; i++) {
		if (ios[i].submit_rc)
			continue;
		while (atomic_load(&ios[i].calls) == 0 && env_now_ns() < end)
			usleep(50);
	}
	for (int round = 0; round < 3; round++)
		ut_run(reactor, ut_noop_fn, NULL);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(atomic_load(&ios[i].calls), ios[i].submit_rc ? 0 : 1);
	assert_int_equal(atomic_load(&g_ut_cb_in_submit), 0);
}

/* One I/O start to finish: the submit error, else the completion status. */
static inline int ut_io_run(unsigned reactor, struct bdev_channel *ch, enum bdev_io_type type,
			    uint64_t offset_blocks, uint64_t num_blocks, void *buf, size_t len)
{
	struct ut_io u;

	ut_io_prep(&u, type, offset_blocks, num_blocks, buf, len);
	ut_submit(reactor, ch, &u, 1);
	ut_wait(reactor, &u, 1);
	return u.submit_rc ? u.submit_rc : u.status;
}

/* A pseudo-random pattern (xorshift32): different seeds give different
 * bytes, so a block read from the wrong place does not compare equal. */
static inline void ut_fill(void *buf, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 0x9e3779b9u;
	uint8_t *p = buf;

	if (!x)
		x = 1; /* xorshift's one fixed point */

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

static inline bool ut_is_zero(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		if (p[i])
			return false;
	}
	return true;
}

#endif
