/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user-blk data path on the queue engine (queue_engine.h): the
 * engine's poller asks us for a bounded batch; we pop chains, parse them
 * (vhost_blk_req.c), hand data iovecs to the bdev in place, and push each
 * request back when the bdev completed it. The driver is notified once per
 * batch of used entries (the engine calls blk_notify), whether they were
 * pushed by our poll (rejections) or by bdev completions.
 *
 * No locks, no allocation and no syscall per request: the only syscall is
 * the call eventfd write per batch, and only when virtq_dev_need_notify()
 * says the driver wants it (lib/vhost).
 */
#define LOG_COMPONENT "vhost-blk"
#include "target/frontend/vhost_blk_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "util/log.h"
#include "vhost/vhost_inflight.h"
#include "vhost/vhost_log.h"

/* Rejections and failures, rate-limited per queue (vhost_ring.h). */
#define queue_warn(q, ...) vhost_ring_warn(&(q)->log_limit, LOG_COMPONENT, &(q)->qe, __VA_ARGS__)

static enum vhost_blk_stat_type stat_type(uint32_t type)
{
	switch (type) {
	case VIRTIO_BLK_T_IN:
		return VHOST_BLK_STAT_READ;
	case VIRTIO_BLK_T_OUT:
		return VHOST_BLK_STAT_WRITE;
	case VIRTIO_BLK_T_FLUSH:
		return VHOST_BLK_STAT_FLUSH;
	case VIRTIO_BLK_T_GET_ID:
		return VHOST_BLK_STAT_GET_ID;
	case VIRTIO_BLK_T_DISCARD:
		return VHOST_BLK_STAT_DISCARD;
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return VHOST_BLK_STAT_WRITE_ZEROES;
	default:
		return VHOST_BLK_STAT_OTHER;
	}
}

/*
 * Dirty logging (vhost-user.rst "Migration"): every byte the request put in
 * guest memory (read or GET_ID data, the status byte; io NULL: none) and,
 * if the used ring is logged, the used entry and idx. All of it is marked
 * before the push makes the completion visible, so a driver never sees a
 * completion whose writes are not in the log. The used entry and idx are
 * marked again after the push: the front-end reads and clears the log while
 * rings run, and a mark cleared between our mark and our store would leave
 * the store unlogged. Out of line: the path with logging off pays only the
 * branch in queue_push.
 */
__attribute__((noinline, cold)) static void queue_push_logged(struct vhost_blk_queue *q,
							      const struct vhost_blk_io *io,
							      uint16_t head, uint32_t len)
{
	struct vhost_vring *v = q->vring;

	if (io) {
		if (io->req.op == VHOST_BLK_OP_READ || io->req.op == VHOST_BLK_OP_GET_ID)
			vhost_vring_log_iov(v, io->req.data_iov, (unsigned)io->req.data_iovcnt);
		vhost_vring_log_hva(v, io->req.status_ptr, 1);
	}
	vhost_vring_log_used_entry(v, v->vq.used_idx);
	virtq_dev_push(&v->vq, head, len);
	vhost_vring_log_used_entry(v, (uint16_t)(v->vq.used_idx - 1));
}

/*
 * A push with logging or in-flight tracking on. Tracking ("Inflight I/O
 * tracking", "When supplying used buffers"): head becomes the last batch
 * before the used idx moves, and is unmarked after it, so that a crash
 * between the two is repaired by the next start ("When reconnecting").
 */
__attribute__((noinline)) static void queue_push_slow(struct vhost_blk_queue *q,
						      const struct vhost_blk_io *io, uint16_t head,
						      uint32_t len)
{
	struct vhost_vring *v = q->vring;

	if (vhost_vring_tracking(v))
		vhost_vring_inflight_put_begin(v, head);
	if (vhost_vring_logging(v))
		queue_push_logged(q, io, head, len);
	else
		virtq_dev_push(&v->vq, head, len);
	if (vhost_vring_tracking(v))
		vhost_vring_inflight_put_end(v, head);
}

/* Publishes a used entry; io: the request that wrote into the chain. With
 * neither logging nor tracking the data path pays one predictable branch. */
static void queue_push(struct vhost_blk_queue *q, const struct vhost_blk_io *io, uint16_t head,
		       uint32_t len)
{
	struct vhost_vring *v = q->vring;

	if (unlikely((v->log != NULL) | (v->inflight.region != NULL))) {
		queue_push_slow(q, io, head, len);
		return;
	}
	virtq_dev_push(&v->vq, head, len);
}

/* A chain that cannot carry an answer: give it back untouched (used length
 * 0) so that the driver can reclaim its descriptors, and go on. */
static void push_malformed(struct vhost_blk_queue *q, uint16_t head)
{
	queue_push(q, NULL, head, 0);
	qe_completed(&q->qe);
	vhost_ring_stat_add(&q->counters.malformed, 1);
}

/* The request is over: its status and used entry go back, its slot is free. */
static void io_answer(struct vhost_blk_queue *q, struct vhost_blk_io *io, uint8_t status)
{
	*io->req.status_ptr = status;
	/* §2.7.8: len counts the device-writable bytes; the status is the last
	 * of them, so the whole writable part is reported, as QEMU does. */
	queue_push(q, io, io->head, io->used_len);
	qe_completed(&q->qe);
	if (status != VIRTIO_BLK_S_OK)
		vhost_ring_stat_add(&q->counters.errors, 1);
	else if (io->req.op == VHOST_BLK_OP_READ)
		vhost_ring_stat_add(&q->counters.bytes_read, io->req.data_len);
	else if (io->req.op == VHOST_BLK_OP_WRITE)
		vhost_ring_stat_add(&q->counters.bytes_written, io->req.data_len);
	qe_slot_put(&q->qe, io);
}

static void io_done(struct bdev_io *bio, int status, void *arg);

static int io_submit(struct vhost_blk_queue *q, struct vhost_blk_io *io, enum bdev_io_type type,
		     uint64_t offset_blocks, uint64_t num_blocks)
{
	struct bdev_io *bio = &io->bio;

	bio->type = type;
	bio->offset_blocks = offset_blocks;
	bio->num_blocks = num_blocks;
	bio->iov = io->req.data_iov;
	bio->iovcnt = io->req.data_iovcnt;
	bio->cb = io_done;
	bio->cb_arg = io;
	return bdev_submit(q->ch, bio);
}

/*
 * Submits the next bdev I/O of a request: its transfer, then (for a write
 * that must be stable) a flush, or its segments one after another (one
 * bdev_io per request is all a slot holds). Returns 0 if one was submitted,
 * 1 if the request is done, or a negative errno from bdev_submit.
 */
static int io_next(struct vhost_blk_queue *q, struct vhost_blk_io *io)
{
	const struct vhost_blk_req *req = &io->req;
	uint16_t step = io->step++;

	switch (req->op) {
	case VHOST_BLK_OP_READ:
		if (step == 0)
			return io_submit(q, io, BDEV_IO_READ, req->offset_blocks, req->num_blocks);
		return 1;
	case VHOST_BLK_OP_WRITE:
		if (step == 0)
			return io_submit(q, io, BDEV_IO_WRITE, req->offset_blocks, req->num_blocks);
		if (step == 1 && q->writethrough)
			return io_submit(q, io, BDEV_IO_FLUSH, 0, 0);
		return 1;
	case VHOST_BLK_OP_FLUSH:
		if (step == 0)
			return io_submit(q, io, BDEV_IO_FLUSH, 0, 0);
		return 1;
	case VHOST_BLK_OP_DISCARD:
	case VHOST_BLK_OP_WRITE_ZEROES:
		if (step < req->nseg)
			return io_submit(q, io,
					 req->op == VHOST_BLK_OP_DISCARD ? BDEV_IO_UNMAP
									 : BDEV_IO_WRITE_ZEROES,
					 req->segs[step].offset_blocks, req->segs[step].num_blocks);
		return 1;
	default:
		return 1;
	}
}

static void io_done(struct bdev_io *bio, int status, void *arg)
{
	struct vhost_blk_io *io = arg;
	struct vhost_blk_queue *q = io->q;
	int rc;

	if (likely(status == 0)) {
		rc = io_next(q, io);
		if (rc == 0)
			return;
		if (rc < 0)
			status = rc;
	}
	if (unlikely(status != 0))
		queue_warn(q,
			   "request type %u: bdev %s I/O type %d of blocks %" PRIu64 "+%" PRIu64
			   " failed: %s",
			   io->req.type, q->bdev->name, (int)bio->type, bio->offset_blocks,
			   bio->num_blocks, strerror(-status));
	io_answer(q, io, status == 0 ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR);
}

static void io_start(struct vhost_blk_queue *q, struct vhost_blk_io *io,
		     const struct virtq_chain *chain)
{
	struct vhost_blk_req *req = &io->req;
	int rc;

	vhost_blk_req_parse(&q->lim, chain->iov, chain->nout, chain->nin, req);
	if (unlikely(!req->status_ptr)) {
		queue_warn(q, "chain %u: %s", chain->head, req->reject);
		push_malformed(q, chain->head);
		qe_slot_put(&q->qe, io);
		return;
	}
	vhost_ring_stat_add(&q->counters.requests[stat_type(req->type)], 1);
	io->head = chain->head;
	io->used_len = chain->in_len;
	if (unlikely(req->status != VIRTIO_BLK_S_OK)) {
		queue_warn(q, "chain %u type %u: %s", chain->head, req->type, req->reject);
		io_answer(q, io, req->status);
		return;
	}
	switch (req->op) {
	case VHOST_BLK_OP_NONE:
		io_answer(q, io, VIRTIO_BLK_S_OK);
		return;
	case VHOST_BLK_OP_GET_ID:
		vhost_blk_req_fill_id(req, q->bdev->name);
		io_answer(q, io, VIRTIO_BLK_S_OK);
		return;
	default:
		break;
	}
	io->step = 0;
	rc = io_next(q, io);
	if (unlikely(rc != 0)) {
		queue_warn(q, "chain %u type %u: bdev %s refused the I/O: %s", chain->head,
			   req->type, q->bdev->name, strerror(-rc));
		io_answer(q, io, VIRTIO_BLK_S_IOERR);
	}
}

/* lib/virtio logged the reason: the ring is unusable until the front-end
 * resets it. Requests in flight still complete; every other queue and
 * controller goes on. */
static void queue_break(struct vhost_blk_queue *q, int rc)
{
	log_err("%s queue %u: ring broken (%s): no more requests until the front-end resets it",
		q->qe.owner, q->qe.index, strerror(-rc));
	qe_queue_break(&q->qe);
}

/* The engine's poll: up to budget chains, while a slot is free. */
static unsigned blk_poll(void *ctx, unsigned budget)
{
	struct vhost_blk_queue *q = ctx;
	struct virtq_chain chain;
	unsigned n;
	int rc;

	for (n = 0; n < budget && qe_slot_available(&q->qe); n++) {
		struct vhost_blk_io *io = qe_slot_next(&q->qe);

		chain.iov = io->iov;
		chain.max_iov = ARRAY_SIZE(io->iov);
		rc = vhost_ring_pop_counted(q->vring, &chain, &q->counters.resubmitted);
		if (likely(rc == 0)) {
			qe_slot_take(&q->qe);
			io_start(q, io, &chain);
		} else if (rc == -EAGAIN) {
			break;
		} else if (rc == -EINVAL) {
			push_malformed(q, chain.head);
		} else {
			queue_break(q, rc);
			break;
		}
	}
	return n;
}

static void blk_notify(void *ctx)
{
	struct vhost_blk_queue *q = ctx;

	vhost_vring_notify(q->vring);
}

static void blk_set_interrupt(void *ctx, bool enabled)
{
	struct vhost_blk_queue *q = ctx;

	vhost_vring_set_kick(q->vring, enabled);
}

static void blk_slot_init(void *ctx, void *slot)
{
	struct vhost_blk_io *io = slot;

	io->q = ctx;
}

static void blk_started(void *ctx)
{
	struct vhost_blk_queue *q = ctx;

	q->ch = qe_channel(&q->qe, 0);
	/* A polling device wants no kicks; the engine arms them again if the
	 * reactor is about to sleep. */
	vhost_vring_set_kick(q->vring, false);
}

static const struct qe_ops g_blk_queue_ops = {
    .name = "vhost-blk",
    .slot_init = blk_slot_init,
    .started = blk_started,
    .poll = blk_poll,
    .notify = blk_notify,
    .set_interrupt = blk_set_interrupt,
};

int vhost_blk_queue_start(struct vhost_blk_queue *q, struct vhost_vring *vring, struct reactor *r,
			  struct evloop *loop)
{
	q->vring = vring;
	q->qe.ops = &g_blk_queue_ops;
	q->qe.ctx = q;
	q->qe.bdevs = &q->bdev;
	q->qe.nbdevs = 1;
	q->qe.slot_size = sizeof(struct vhost_blk_io);
	q->qe.nslots = MIN((uint32_t)vring->vq.num, (uint32_t)VHOST_BLK_MAX_INFLIGHT);
	q->qe.wake_fd = vring->kick_fd;
	return qe_queue_start(&q->qe, r, loop);
}

void vhost_blk_queue_stop(struct vhost_blk_queue *q, vhost_ring_done_fn stopped)
{
	vhost_ring_stop(&q->ctl, &q->qe, q->vring, stopped);
}

void vhost_blk_queue_swap_fds(struct vhost_blk_queue *q, int kick_fd, int call_fd,
			      vhost_ring_done_fn swapped)
{
	vhost_ring_swap_fds(&q->ctl, &q->qe, q->vring, kick_fd, call_fd, swapped);
}

void vhost_blk_queue_get_stats(const struct vhost_blk_queue *q, struct vhost_blk_queue_stats *stats)
{
	struct qe_stats qs;

	qe_queue_get_stats(&q->qe, &qs);
	stats->started = qs.started;
	stats->broken = qs.broken;
	stats->core = qs.core;
	stats->inflight = qs.inflight;
	stats->ring_starts = qs.starts;
	stats->ring_stops = qs.stops;
	for (int i = 0; i < VHOST_BLK_STAT_COUNT; i++)
		stats->requests[i] = __atomic_load_n(&q->counters.requests[i], __ATOMIC_RELAXED);
	stats->bytes_read = __atomic_load_n(&q->counters.bytes_read, __ATOMIC_RELAXED);
	stats->bytes_written = __atomic_load_n(&q->counters.bytes_written, __ATOMIC_RELAXED);
	stats->errors = __atomic_load_n(&q->counters.errors, __ATOMIC_RELAXED);
	stats->malformed = __atomic_load_n(&q->counters.malformed, __ATOMIC_RELAXED);
	stats->resubmitted = __atomic_load_n(&q->counters.resubmitted, __ATOMIC_RELAXED);
}
