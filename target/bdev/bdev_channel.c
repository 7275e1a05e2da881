/* SPDX-License-Identifier: MIT */
/*
 * Channels (one per bdev per reactor), the checks of bdev_submit, taking
 * I/O back (abort, reset), and the per-reactor I/O statistics.
 *
 * Each bdev has a slot per reactor; only that reactor reads or writes its
 * slot, so the I/O path takes no lock and shares no written cache line. The
 * control thread reads the counters racily (relaxed atomics, one writer
 * each) and the count of live channels, which is what keeps unregistering
 * away from a bdev that a reactor still uses.
 */
#define LOG_COMPONENT "bdev"
#include "util/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "env/env.h"
#include "target/bdev/bdev_internal.h"
#include "target/bdev/bdev_io_list.h"
#include "util/common.h"

#define CACHE_LINE 64

/* bdev_io.state */
enum {
	IO_IDLE,      /* not submitted, or completed */
	IO_INFLIGHT,  /* the backend has it */
	IO_CANCELLED, /* taken back: completes with -ECANCELED at the next poll */
};

/* One reactor's counters for one bdev; a cache line of its own. */
struct bdev_stat_slot {
	_Alignas(CACHE_LINE) _Atomic uint64_t ops[BDEV_IO_TYPE_COUNT];
	_Atomic uint64_t bytes[BDEV_IO_TYPE_COUNT];
	_Atomic uint64_t errors;
};

struct bdev_layer {
	struct bdev_stat_slot stats[ENV_MAX_REACTORS];
	struct bdev_channel *channels[ENV_MAX_REACTORS];
	_Atomic uint32_t live_channels;
	uint32_t supported; /* bit per bdev_io_type, fixed at registration */
};

struct bdev_channel {
	struct bdev *bdev;
	struct bdev_stat_slot *stat;
	struct poller *poller;
	struct poller_ops poller_ops;
	/* Copies of the bdev's fixed fields, so a submit reads one line. */
	const struct bdev_fn_table *fn;
	uint32_t block_size;
	uint32_t supported;
	uint32_t max_segments;
	uint32_t align_mask;	   /* required_alignment - 1 */
	uint64_t max_transfer;	   /* bytes */
	uint32_t inflight[2];	   /* submitted, not called back; per bdev_io.gen */
	uint8_t gen;		   /* of I/O submitted now: flips at a reset */
	bool polling;		   /* inside the backend's channel_poll */
	bool resetting;		   /* waits for generation gen ^ 1 to complete */
	/* Cancelled I/O to complete, a reset under way, or no reference left:
	 * channel_poll's slow path. Polled every reactor iteration, so the
	 * common case reads one flag rather than three conditions. */
	bool attention;
	uint32_t refs;
	unsigned slot;
	bdev_reset_cb reset_cb;
	void *reset_arg;
	struct bdev_io_list cancelled; /* taken back, to complete */
	_Alignas(CACHE_LINE) unsigned char ctx[];
};

int bdev_layer_create(struct bdev *bdev)
{
	struct bdev_layer *layer = aligned_alloc(CACHE_LINE, sizeof(*layer));

	if (!layer)
		return -ENOMEM;
	memset(layer, 0, sizeof(*layer));
	for (int t = 0; t < BDEV_IO_TYPE_COUNT; t++) {
		if (bdev->fn->io_type_supported(bdev, (enum bdev_io_type)t))
			layer->supported |= 1u << t;
	}
	bdev->layer = layer;
	return 0;
}

void bdev_layer_destroy(struct bdev *bdev)
{
	free(bdev->layer);
	bdev->layer = NULL;
}

bool bdev_layer_busy(const struct bdev *bdev)
{
	return atomic_load_explicit(&bdev->layer->live_channels, memory_order_acquire) != 0;
}

bool bdev_layer_supports(const struct bdev *bdev, enum bdev_io_type type)
{
	return bdev->layer->supported & (1u << type);
}

void bdev_get_io_stat(struct bdev *bdev, struct bdev_io_stat *stat)
{
	memset(stat, 0, sizeof(*stat));
	for (unsigned r = 0; r < ENV_MAX_REACTORS; r++) {
		struct bdev_stat_slot *s = &bdev->layer->stats[r];

		for (int t = 0; t < BDEV_IO_TYPE_COUNT; t++) {
			stat->ops[t] += atomic_load_explicit(&s->ops[t], memory_order_relaxed);
			stat->bytes[t] += atomic_load_explicit(&s->bytes[t], memory_order_relaxed);
		}
		stat->errors += atomic_load_explicit(&s->errors, memory_order_relaxed);
	}
}

/* The slot has one writer: a plain load and store, no locked instruction. */
static inline void stat_add(_Atomic uint64_t *counter, uint64_t n)
{
	atomic_store_explicit(counter, atomic_load_explicit(counter, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

static void channel_destroy(struct bdev_channel *ch)
{
	struct bdev_layer *layer = ch->bdev->layer;

	poller_unregister(&ch->poller);
	if (ch->fn->channel_destroy)
		ch->fn->channel_destroy(ch->bdev, ch->ctx);
	layer->channels[ch->slot] = NULL;
	free(ch);
	/* Last: once the count drops, the control thread may free the bdev. */
	atomic_fetch_sub_explicit(&layer->live_channels, 1, memory_order_release);
}

static uint32_t channel_inflight(const struct bdev_channel *ch)
{
	return ch->inflight[0] + ch->inflight[1];
}

/* What was taken back completes here, in the channel's poll: never inside
 * bdev_abort or bdev_channel_reset. */
static int channel_complete_cancelled(struct bdev_channel *ch)
{
	struct bdev_io *io;
	int rc = POLLER_IDLE;

	while ((io = bdev_io_list_pop(&ch->cancelled))) {
		bdev_io_complete(io, -ECANCELED);
		rc = POLLER_BUSY;
	}
	return rc;
}

/* Every I/O of the generation before the reset completed. */
static void channel_reset_done(struct bdev_channel *ch)
{
	ch->resetting = false;
	ch->reset_cb(ch->reset_arg);
}

/*
 * The channel's poller, and bdev_channel_poll(). The channel is destroyed
 * here, after the backend's poll returned, when its last put came while I/O
 * was in flight or from a callback inside this poll: destroying it there
 * would free the context the backend is still walking.
 */
/* Out of line: inlined, its registers would be saved on every poll. */
__attribute__((noinline, cold)) static int channel_poll_attended(struct bdev_channel *ch)
{
	int rc = POLLER_IDLE;

	ch->polling = true;
	if (!bdev_io_list_empty(&ch->cancelled))
		rc = channel_complete_cancelled(ch);
	rc |= ch->fn->channel_poll(ch->ctx);
	if (ch->resetting && ch->inflight[ch->gen ^ 1] == 0) {
		channel_reset_done(ch);
		rc = POLLER_BUSY;
	}
	ch->polling = false;
	if (ch->refs == 0 && channel_inflight(ch) == 0) {
		channel_destroy(ch);
		return rc;
	}
	/* A callback may have cancelled or reset again: keep attending. */
	ch->attention = ch->resetting || ch->refs == 0 || !bdev_io_list_empty(&ch->cancelled);
	return rc;
}

static int channel_poll(void *arg)
{
	struct bdev_channel *ch = arg;
	int rc;

	if (unlikely(ch->attention))
		return channel_poll_attended(ch);
	ch->polling = true;
	rc = ch->fn->channel_poll(ch->ctx);
	ch->polling = false;
	return rc;
}

int bdev_channel_poll(struct bdev_channel *ch)
{
	return channel_poll(ch);
}

static struct bdev_channel *channel_create(struct bdev *bdev, unsigned slot)
{
	const struct bdev_fn_table *fn = bdev->fn;
	size_t size = ALIGN_UP(sizeof(struct bdev_channel) + fn->ch_ctx_size, CACHE_LINE);
	struct bdev_channel *ch = aligned_alloc(CACHE_LINE, size);
	int wake_fd = -1;
	int rc;

	if (!ch) {
		log_err("bdev %s: no memory for a channel", bdev->name);
		return NULL;
	}
	memset(ch, 0, size);
	ch->bdev = bdev;
	ch->stat = &bdev->layer->stats[slot];
	ch->fn = fn;
	ch->block_size = bdev->block_size;
	ch->supported = bdev->layer->supported;
	{
		struct bdev_limits lim;

		bdev_get_limits(bdev, &lim);
		ch->max_segments = lim.max_segments;
		ch->max_transfer = bdev->max_transfer_bytes ? lim.max_transfer_bytes : UINT64_MAX;
		ch->align_mask = lim.required_alignment - 1;
	}
	ch->slot = slot;
	ch->refs = 1;
	if (fn->channel_create) {
		rc = fn->channel_create(bdev, ch->ctx);
		if (rc) {
			log_err("bdev %s: creating a %s channel failed: %s", bdev->name,
				fn->backend, strerror(-rc));
			free(ch);
			return NULL;
		}
	}
	if (fn->channel_wake_fd)
		wake_fd = fn->channel_wake_fd(ch->ctx);
	ch->poller_ops = (struct poller_ops){ .name = fn->backend, .poll = channel_poll };
	ch->poller = poller_register(&ch->poller_ops, ch, wake_fd, 0);
	if (!ch->poller) {
		log_err("bdev %s: cannot register the channel poller", bdev->name);
		if (fn->channel_destroy)
			fn->channel_destroy(bdev, ch->ctx);
		free(ch);
		return NULL;
	}
	atomic_fetch_add_explicit(&bdev->layer->live_channels, 1, memory_order_relaxed);
	bdev->layer->channels[slot] = ch;
	return ch;
}

struct bdev_channel *bdev_channel_get(struct bdev *bdev)
{
	struct reactor *r = reactor_self();
	struct bdev_channel *ch;
	unsigned slot;

	if (!r) {
		log_err("bdev %s: a channel can only be got on a reactor", bdev->name);
		return NULL;
	}
	slot = reactor_index(r);
	ch = bdev->layer->channels[slot];
	if (ch) {
		/* Also revives a channel whose destruction waits for I/O. */
		ch->refs++;
		return ch;
	}
	return channel_create(bdev, slot);
}

void bdev_channel_put(struct bdev_channel *ch)
{
	if (ch->refs == 0) {
		log_err("bdev %s: channel put more often than got", ch->bdev->name);
		return;
	}
	if (--ch->refs == 0 && channel_inflight(ch) == 0 && !ch->polling) {
		channel_destroy(ch);
		return;
	}
	if (ch->refs == 0)
		ch->attention = true; /* destroyed by its poll, once idle */
}

struct bdev *bdev_channel_bdev(const struct bdev_channel *ch)
{
	return ch->bdev;
}

void *bdev_channel_ctx(struct bdev_channel *ch)
{
	return ch->ctx;
}

/* The iov must describe exactly the transfer (no more, no less), within the
 * bdev's limits. */
static int check_iov(const struct bdev_channel *ch, const struct bdev_io *io, uint64_t expected)
{
	uint64_t total = 0;
	uintptr_t bits = 0;

	if (unlikely(!io->iov || io->iovcnt <= 0 || (uint32_t)io->iovcnt > ch->max_segments ||
		     expected > ch->max_transfer))
		return -EINVAL;
	for (int i = 0; i < io->iovcnt; i++) {
		/* Summing stops past expected, so total cannot wrap. */
		total += io->iov[i].iov_len;
		bits |= (uintptr_t)io->iov[i].iov_base | io->iov[i].iov_len;
		if (unlikely(total > expected))
			return -EINVAL;
	}
	return total == expected && !(bits & ch->align_mask) ? 0 : -EINVAL;
}

int bdev_submit(struct bdev_channel *ch, struct bdev_io *io)
{
	/* Not a copy in the channel: the size may grow (bdev_resize). */
	uint64_t num_blocks = bdev_num_blocks(ch->bdev);
	int rc;

	if (unlikely((unsigned)io->type >= BDEV_IO_TYPE_COUNT)) {
		log_debug("bdev %s: unknown I/O type %d", ch->bdev->name, (int)io->type);
		return -EINVAL;
	}
	if (unlikely(!(ch->supported & (1u << io->type)))) {
		log_debug("bdev %s: I/O type %d not supported", ch->bdev->name, (int)io->type);
		return -ENOTSUP;
	}
	if (unlikely(io->offset_blocks > num_blocks ||
		     io->num_blocks > num_blocks - io->offset_blocks)) {
		log_debug("bdev %s: blocks %" PRIu64 "+%" PRIu64 " past the end (%" PRIu64 ")",
			  ch->bdev->name, io->offset_blocks, io->num_blocks, num_blocks);
		return -ERANGE;
	}
	if (unlikely(io->num_blocks == 0 && io->type != BDEV_IO_FLUSH)) {
		log_debug("bdev %s: I/O of 0 blocks", ch->bdev->name);
		return -EINVAL;
	}
	if (io->type == BDEV_IO_READ || io->type == BDEV_IO_WRITE) {
		rc = check_iov(ch, io, io->num_blocks * ch->block_size);
		if (unlikely(rc)) {
			log_debug("bdev %s: iov does not hold %" PRIu64
				  " blocks within the bdev's limits",
				  ch->bdev->name, io->num_blocks);
			return rc;
		}
	}
	io->ch = ch;
	io->gen = ch->gen;
	io->state = IO_INFLIGHT;
	ch->inflight[io->gen]++;
	rc = ch->fn->submit(ch->ctx, io);
	if (unlikely(rc)) {
		ch->inflight[io->gen]--;
		io->state = IO_IDLE;
	}
	return rc;
}

void bdev_io_complete(struct bdev_io *io, int status)
{
	struct bdev_channel *ch = io->ch;
	struct bdev_stat_slot *s = ch->stat;

	/* Before the callback: it may reuse io or submit on this channel. */
	ch->inflight[io->gen]--;
	io->state = IO_IDLE;
	if (likely(status == 0)) {
		stat_add(&s->ops[io->type], 1);
		stat_add(&s->bytes[io->type], io->num_blocks * ch->block_size);
	} else {
		stat_add(&s->errors, 1);
	}
	io->cb(io, status, io->cb_arg);
}

int bdev_abort(struct bdev_channel *ch, struct bdev_io *io)
{
	if (io->ch != ch || io->state == IO_IDLE)
		return -ENOENT;
	if (io->state == IO_CANCELLED)
		return -EALREADY;
	if (!ch->fn->abort || ch->fn->abort(ch->ctx, io) != 0)
		return -EBUSY;
	io->state = IO_CANCELLED;
	bdev_io_list_push(&ch->cancelled, io);
	ch->attention = true;
	return 0;
}

int bdev_channel_reset(struct bdev_channel *ch, bdev_reset_cb cb, void *cb_arg)
{
	struct bdev_io_list taken = {0};
	struct bdev_io *io;

	if (ch->resetting)
		return -EBUSY;
	/* I/O from now on is of the other generation: the reset waits for
	 * this one only. The other is empty: the previous reset waited for it. */
	ch->resetting = true;
	ch->attention = true;
	ch->reset_cb = cb;
	ch->reset_arg = cb_arg;
	ch->gen ^= 1;
	if (ch->fn->abort_all)
		ch->fn->abort_all(ch->ctx, &taken);
	while ((io = bdev_io_list_pop(&taken))) {
		io->state = IO_CANCELLED;
		bdev_io_list_push(&ch->cancelled, io);
	}
	return 0;
}
