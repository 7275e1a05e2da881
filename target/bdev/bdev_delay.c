/* SPDX-License-Identifier: MIT */
/*
 * The delay backend: a bdev on top of another that holds every I/O for a
 * latency before passing it on, as SPDK's delay bdev does (same RPC and
 * parameters), for tests that need a slow device and for users who want to
 * see how their stack copes with one.
 *
 * Reads wait the average read latency, every other type the average write
 * latency; one I/O in a hundred, drawn at random, waits the p99 latency of
 * its kind instead. The wait happens before the base sees the I/O, so an
 * I/O still waiting can be taken back (abort, reset) with nothing done;
 * one passed on completes as the base completes it.
 *
 * No sleeping on a reactor: held I/O sits on one FIFO per latency (each
 * FIFO is in deadline order, since its latency is constant) and the
 * channel's poller passes on what is due. A timerfd armed for the earliest
 * deadline is the channel's wake fd, so a reactor may sleep meanwhile.
 * Passing an I/O on takes a bdev_io of the channel's pool; when the pool is
 * empty, due I/O waits for the next completion.
 */
#define LOG_COMPONENT "bdev_delay"
#include "util/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "env/env.h"
#include "target/bdev/bdev_internal.h"
#include "target/bdev/bdev_io_list.h"
#include "util/common.h"

/* I/O passed on to the base at once, per channel. */
#define DELAY_POOL 256
/* One I/O in this many waits the p99 latency. */
#define DELAY_P99_ONE_IN 100

enum delay_class {
	DELAY_READ_AVG,
	DELAY_READ_P99,
	DELAY_WRITE_AVG,
	DELAY_WRITE_P99,
	DELAY_CLASS_COUNT,
};

struct delay_bdev {
	struct bdev bdev;
	struct bdev *base;
	uint64_t latency_us[DELAY_CLASS_COUNT];
};

/* Lives in bdev_io.driver_ctx of the delay bdev's I/O. */
struct delay_io {
	uint64_t due_ns;
	struct bdev_io *base_io; /* while the base has it */
};
_Static_assert(sizeof(struct delay_io) <= BDEV_IO_DRIVER_CTX, "delay_io must fit driver_ctx");

struct delay_channel {
	struct delay_bdev *db;
	struct bdev_channel *base_ch;
	struct bdev_io_list held[DELAY_CLASS_COUNT];
	int timer_fd;
	uint64_t armed_ns; /* the timer's deadline, 0 if disarmed */
	uint32_t rng;	   /* xorshift32 state: which I/O waits the p99 */
	uint32_t nfree;
	struct bdev_io *free_ios[DELAY_POOL];
	struct bdev_io pool[DELAY_POOL];
};

static struct delay_io *delay_io(struct bdev_io *io)
{
	return (struct delay_io *)io->driver_ctx;
}

static enum delay_class delay_class_of(struct delay_channel *ch, const struct bdev_io *io)
{
	bool p99;

	ch->rng ^= ch->rng << 13;
	ch->rng ^= ch->rng >> 17;
	ch->rng ^= ch->rng << 5;
	p99 = ch->rng % DELAY_P99_ONE_IN == 0;
	if (io->type == BDEV_IO_READ)
		return p99 ? DELAY_READ_P99 : DELAY_READ_AVG;
	return p99 ? DELAY_WRITE_P99 : DELAY_WRITE_AVG;
}

static int delay_submit(void *ch_ctx, struct bdev_io *io)
{
	struct delay_channel *ch = ch_ctx;
	enum delay_class c = delay_class_of(ch, io);

	delay_io(io)->due_ns = env_now_ns() + ch->db->latency_us[c] * 1000;
	delay_io(io)->base_io = NULL;
	bdev_io_list_push(&ch->held[c], io);
	return 0;
}

static void delay_base_done(struct bdev_io *base_io, int status, void *cb_arg)
{
	struct bdev_io *io = cb_arg;
	struct delay_channel *ch = bdev_channel_ctx(io->ch);

	ch->free_ios[ch->nfree++] = base_io;
	bdev_io_complete(io, status);
}

/* io is due: to the base, on a bdev_io of the pool. */
static void delay_pass_on(struct delay_channel *ch, struct bdev_io *io)
{
	struct bdev_io *b = ch->free_ios[--ch->nfree];
	int rc;

	b->type = io->type;
	b->offset_blocks = io->offset_blocks;
	b->num_blocks = io->num_blocks;
	b->iov = io->iov;
	b->iovcnt = io->iovcnt;
	b->cb = delay_base_done;
	b->cb_arg = io;
	delay_io(io)->base_io = b;
	rc = bdev_submit(ch->base_ch, b);
	if (rc) {
		/* From our poll, not inside our submit: the contract holds. */
		ch->free_ios[ch->nfree++] = b;
		bdev_io_complete(io, rc);
	}
}

/* The timer wakes a sleeping reactor at the earliest deadline; re-armed only
 * when that changes (at most once per I/O). */
static void delay_arm(struct delay_channel *ch)
{
	uint64_t first = UINT64_MAX;
	struct itimerspec its = {0};

	for (int c = 0; c < DELAY_CLASS_COUNT; c++) {
		if (ch->held[c].head)
			first = MIN(first, delay_io(ch->held[c].head)->due_ns);
	}
	if (first == UINT64_MAX)
		first = 0;
	if (first == ch->armed_ns)
		return;
	ch->armed_ns = first;
	its.it_value.tv_sec = (time_t)(first / 1000000000u);
	its.it_value.tv_nsec = (long)(first % 1000000000u);
	if (timerfd_settime(ch->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		log_warn("bdev %s: timerfd_settime: %s", ch->db->bdev.name, strerror(errno));
}

static int delay_channel_poll(void *ch_ctx)
{
	struct delay_channel *ch = ch_ctx;
	uint64_t now = env_now_ns();
	int busy = POLLER_IDLE;

	for (int c = 0; c < DELAY_CLASS_COUNT; c++) {
		struct bdev_io *io;

		while (ch->nfree && (io = ch->held[c].head) && delay_io(io)->due_ns <= now) {
			bdev_io_list_pop(&ch->held[c]);
			delay_pass_on(ch, io);
			busy = POLLER_BUSY;
		}
	}
	delay_arm(ch);
	return busy;
}

/* Only I/O still waiting can be taken back: the base may have started the
 * rest. */
static int delay_abort(void *ch_ctx, struct bdev_io *io)
{
	struct delay_channel *ch = ch_ctx;

	for (int c = 0; c < DELAY_CLASS_COUNT; c++) {
		if (bdev_io_list_remove(&ch->held[c], io))
			return 0;
	}
	return -EBUSY;
}

static void delay_abort_all(void *ch_ctx, struct bdev_io_list *taken)
{
	struct delay_channel *ch = ch_ctx;

	for (int c = 0; c < DELAY_CLASS_COUNT; c++)
		bdev_io_list_move(taken, &ch->held[c]);
}

static bool delay_io_type_supported(struct bdev *bdev, enum bdev_io_type type)
{
	struct delay_bdev *db = bdev->ctx;

	return db->base->fn->io_type_supported(db->base, type);
}

/* On the reactor: the base's channel of this reactor comes with ours. */
static int delay_channel_create(struct bdev *bdev, void *ch_ctx)
{
	struct delay_channel *ch = ch_ctx;

	ch->db = bdev->ctx;
	ch->rng = (uint32_t)(env_now_ns() | 1);
	for (uint32_t i = 0; i < DELAY_POOL; i++)
		ch->free_ios[i] = &ch->pool[i];
	ch->nfree = DELAY_POOL;
	ch->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (ch->timer_fd < 0) {
		int rc = -errno;

		log_err("bdev %s: timerfd_create: %s", bdev->name, strerror(-rc));
		return rc;
	}
	ch->base_ch = bdev_channel_get(ch->db->base);
	if (!ch->base_ch) {
		close(ch->timer_fd);
		return -ENOMEM;
	}
	return 0;
}

/* The layer destroys a channel only once nothing is in flight: every pool
 * I/O is back, and the base's channel has nothing of ours. */
static void delay_channel_destroy(struct bdev *bdev, void *ch_ctx)
{
	struct delay_channel *ch = ch_ctx;

	(void)bdev;
	bdev_channel_put(ch->base_ch);
	close(ch->timer_fd);
}

static int delay_channel_wake_fd(void *ch_ctx)
{
	struct delay_channel *ch = ch_ctx;

	return ch->timer_fd;
}

static void delay_dump_info_json(struct bdev *bdev, json_t *driver_specific)
{
	struct delay_bdev *db = bdev->ctx;

	json_object_set_new(driver_specific, "delay",
			    json_pack("{s:s, s:I, s:I, s:I, s:I}", "base_bdev_name", db->base->name,
				      "avg_read_latency", (json_int_t)db->latency_us[DELAY_READ_AVG],
				      "p99_read_latency", (json_int_t)db->latency_us[DELAY_READ_P99],
				      "avg_write_latency",
				      (json_int_t)db->latency_us[DELAY_WRITE_AVG],
				      "p99_write_latency",
				      (json_int_t)db->latency_us[DELAY_WRITE_P99]));
}

static void delay_destruct(struct bdev *bdev)
{
	struct delay_bdev *db = bdev->ctx;

	bdev_close(db->base);
	free(db);
}

static const struct bdev_fn_table g_delay_fn = {
	.backend = "delay",
	.submit = delay_submit,
	.io_type_supported = delay_io_type_supported,
	.ch_ctx_size = sizeof(struct delay_channel),
	.channel_create = delay_channel_create,
	.channel_destroy = delay_channel_destroy,
	.channel_poll = delay_channel_poll,
	.channel_wake_fd = delay_channel_wake_fd,
	.abort = delay_abort,
	.abort_all = delay_abort_all,
	.destruct = delay_destruct,
	.dump_info_json = delay_dump_info_json,
};

int bdev_delay_create(const char *name, const char *base_name, const struct bdev_delay_opts *o)
{
	struct bdev *base = bdev_get_by_name(base_name);
	struct delay_bdev *db;
	int rc;

	if (!base) {
		log_err("bdev %s: no base bdev named %s", name, base_name);
		return -ENODEV;
	}
	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	db->base = base;
	db->latency_us[DELAY_READ_AVG] = o->avg_read_us;
	db->latency_us[DELAY_READ_P99] = o->p99_read_us;
	db->latency_us[DELAY_WRITE_AVG] = o->avg_write_us;
	db->latency_us[DELAY_WRITE_P99] = o->p99_write_us;
	rc = bdev_init(&db->bdev, name, "Delay disk", base->num_blocks, base->block_size,
		       &g_delay_fn, db);
	if (rc)
		goto err;
	/* What the base takes, the delay bdev takes. */
	db->bdev.max_transfer_bytes = base->max_transfer_bytes;
	db->bdev.max_segments = base->max_segments;
	db->bdev.required_alignment = base->required_alignment;
	db->bdev.optimal_io_bytes = base->optimal_io_bytes;
	db->bdev.write_cache = base->write_cache;
	bdev_open(base);
	rc = bdev_register(&db->bdev);
	if (rc) {
		bdev_close(base);
		goto err;
	}
	log_info("bdev %s: delays %s by %" PRIu64 "/%" PRIu64 " us (reads), %" PRIu64 "/%" PRIu64
		 " us (writes)",
		 name, base_name, o->avg_read_us, o->p99_read_us, o->avg_write_us, o->p99_write_us);
	return 0;
err:
	free(db);
	return rc;
}
