/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user-blk data path: one poller per request queue, on the reactor
 * the controller placed the queue on. It pops chains in bounded batches,
 * parses them (vhost_blk_req.c), hands data iovecs to the bdev in place, and
 * pushes each request back when the bdev completed it. The driver is
 * notified once per batch of used entries, whether they were pushed by the
 * poller (rejections) or by bdev completions. Those run in the bdev channel's
 * poller, registered before ours, so ours runs right after them; and after a
 * batch of submits the poller polls the channel itself, so a backend that
 * finishes at once (null) is answered in the same reactor iteration.
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

/* Chains popped per poll at most, so one queue cannot starve the others. */
#define VHOST_BLK_BATCH 32

/* Stats have one writer, the queue's reactor: a relaxed store of the new
 * value is enough for racy readers, and cheaper than a locked add. */
static void stat_add(uint64_t *counter, uint64_t n)
{
	__atomic_store_n(counter, *counter + n, __ATOMIC_RELAXED);
}

static void stat_set_inflight(struct vhost_blk_queue *q, uint32_t n)
{
	__atomic_store_n(&q->stats.inflight, n, __ATOMIC_RELAXED);
}

static void queue_warn(struct vhost_blk_queue *q, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Rejections and failures are the guest's doing or the backend's, and both
 * can repeat at line rate: rate-limited per queue. */
static void queue_warn(struct vhost_blk_queue *q, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!log_ratelimit_allow(&q->log_limit, LOG_COMPONENT, q->ctrlr_name))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_warn("%s queue %u: %s", q->ctrlr_name, q->index, line);
}

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

/* A chain that cannot carry an answer: give it back untouched (used length
 * 0) so that the driver can reclaim its descriptors, and go on. */
static void push_malformed(struct vhost_blk_queue *q, uint16_t head)
{
	virtq_dev_push(&q->vring->vq, head, 0);
	q->unnotified++;
	stat_add(&q->stats.malformed, 1);
}

static void io_answer(struct vhost_blk_queue *q, struct vhost_blk_io *io, uint8_t status)
{
	*io->req.status_ptr = status;
	/* §2.7.8: len counts the device-writable bytes; the status is the last
	 * of them, so the whole writable part is reported, as QEMU does. */
	virtq_dev_push(&q->vring->vq, io->head, io->used_len);
	q->unnotified++;
	if (status != VIRTIO_BLK_S_OK)
		stat_add(&q->stats.errors, 1);
	else if (io->req.op == VHOST_BLK_OP_READ)
		stat_add(&q->stats.bytes_read, io->req.data_len);
	else if (io->req.op == VHOST_BLK_OP_WRITE)
		stat_add(&q->stats.bytes_written, io->req.data_len);
	q->free_ios[q->nfree++] = io;
}

static void notify_flush(struct vhost_blk_queue *q)
{
	if (q->unnotified) {
		q->unnotified = 0;
		vhost_vring_notify(q->vring);
	}
}

/* The last step of a stop, on the reactor once nothing is in flight: from
 * the stop message, or from our poller, which runs in every reactor
 * iteration and so right after the bdev poller that completed the last
 * request. Not from a completion callback: the channel is then still inside
 * its poll, and could not be destroyed before the control thread goes on to
 * close the bdev. The control thread frees q's request slots as soon as the
 * semaphore is posted, so the post is the last thing that touches q. */
static void queue_quiesced(struct vhost_blk_queue *q)
{
	notify_flush(q);
	poller_unregister(&q->poller);
	bdev_channel_put(q->ch);
	q->ch = NULL;
	sem_post(&q->stopped);
}

static void io_complete(struct vhost_blk_queue *q, struct vhost_blk_io *io, uint8_t status)
{
	io_answer(q, io, status);
	stat_set_inflight(q, q->stats.inflight - 1);
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
	io_complete(q, io, status == 0 ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR);
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
		q->free_ios[q->nfree++] = io;
		return;
	}
	stat_add(&q->stats.requests[stat_type(req->type)], 1);
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
		return;
	}
	stat_set_inflight(q, q->stats.inflight + 1);
}

/* lib/virtio logged the reason: the ring is unusable until the front-end
 * resets it. Requests in flight still complete; every other queue and
 * controller goes on. */
static void queue_break(struct vhost_blk_queue *q, int rc)
{
	log_err("%s queue %u: ring broken (%s): no more requests until the front-end resets it",
		q->ctrlr_name, q->index, strerror(-rc));
	__atomic_store_n(&q->stats.broken, true, __ATOMIC_RELAXED);
}

static int queue_poll(void *arg)
{
	struct vhost_blk_queue *q = arg;
	struct virtq_chain chain;
	unsigned n = 0;
	int rc;

	if (unlikely(q->stopping)) {
		if (q->stats.inflight == 0) {
			queue_quiesced(q);
			return POLLER_IDLE;
		}
	} else if (likely(!q->stats.broken)) {
		for (; n < VHOST_BLK_BATCH && q->nfree > 0; n++) {
			struct vhost_blk_io *io = q->free_ios[q->nfree - 1];

			chain.iov = io->iov;
			chain.max_iov = ARRAY_SIZE(io->iov);
			rc = virtq_dev_pop(&q->vring->vq, &chain);
			if (likely(rc == 0)) {
				q->nfree--;
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
		/* Hand the batch to the backend now and take what it finished
		 * (a null bdev: all of it), so that it is pushed and notified
		 * in this iteration rather than after a lap of the reactor. */
		if (n)
			bdev_channel_poll(q->ch);
	}
	notify_flush(q);
	return n ? POLLER_BUSY : POLLER_IDLE;
}

static void queue_set_interrupt(void *arg, bool enabled)
{
	struct vhost_blk_queue *q = arg;

	virtq_dev_set_kick(&q->vring->vq, enabled);
}

static const struct poller_ops g_queue_poller_ops = {
    .name = "vhost-blk",
    .poll = queue_poll,
    .set_interrupt = queue_set_interrupt,
};

static void queue_free_slots(struct vhost_blk_queue *q)
{
	free(q->ios);
	free(q->free_ios);
	q->ios = NULL;
	q->free_ios = NULL;
}

/* On the reactor: the slots are allocated here so that they sit on the
 * reactor's NUMA node. */
static void queue_start_msg(void *arg)
{
	struct vhost_blk_queue *q = arg;

	q->nios = MIN((uint32_t)q->vring->vq.num, (uint32_t)VHOST_BLK_MAX_INFLIGHT);
	q->ios = calloc(q->nios, sizeof(*q->ios));
	q->free_ios = calloc(q->nios, sizeof(*q->free_ios));
	if (!q->ios || !q->free_ios) {
		q->start_rc = -ENOMEM;
		goto err_free;
	}
	for (uint32_t i = 0; i < q->nios; i++) {
		q->ios[i].q = q;
		q->free_ios[i] = &q->ios[q->nios - 1 - i];
	}
	q->nfree = q->nios;
	q->unnotified = 0;
	q->stopping = false;
	q->ch = bdev_channel_get(q->bdev);
	if (!q->ch) {
		q->start_rc = -EIO;
		goto err_free;
	}
	/* A polling device wants no kicks; poller_register arms them again if
	 * the reactor is about to sleep. */
	virtq_dev_set_kick(&q->vring->vq, false);
	q->poller = poller_register(&g_queue_poller_ops, q, q->vring->kick_fd, 0);
	if (!q->poller) {
		q->start_rc = -ENOMEM;
		goto err_put;
	}
	q->start_rc = 0;
	return;

err_put:
	bdev_channel_put(q->ch);
	q->ch = NULL;
err_free:
	queue_free_slots(q);
}

int vhost_blk_queue_start(struct vhost_blk_queue *q, struct vhost_vring *vring, struct reactor *r)
{
	int rc;

	if (q->running)
		return -EBUSY;
	q->vring = vring;
	q->reactor = r;
	q->start_rc = -EIO;
	rc = reactor_call_sync(r, queue_start_msg, q);
	if (rc == 0)
		rc = q->start_rc;
	if (rc) {
		log_err("%s queue %u: cannot start on core %u: %s", q->ctrlr_name, q->index,
			reactor_core(r), strerror(-rc));
		return rc;
	}
	sem_init(&q->stopped, 0, 0);
	q->running = true;
	q->stats.core = reactor_core(r);
	q->stats.started = true;
	q->stats.broken = false;
	log_info("%s queue %u: started on core %u (%u entries)", q->ctrlr_name, q->index,
		 reactor_core(r), vring->vq.num);
	return 0;
}

static void queue_stop_msg(void *arg)
{
	struct vhost_blk_queue *q = arg;

	q->stopping = true;
	if (q->stats.inflight == 0)
		queue_quiesced(q);
	/* Otherwise the poller does, once the last request completed. */
}

void vhost_blk_queue_stop(struct vhost_blk_queue *q)
{
	int rc;

	if (!q->running)
		return;
	rc = reactor_call_sync(q->reactor, queue_stop_msg, q);
	if (rc) {
		/* The reactors are gone (env_stop came first): nothing runs the
		 * ring any more, but its poller and channel went with them. */
		log_err("%s queue %u: cannot reach core %u to stop: %s", q->ctrlr_name, q->index,
			reactor_core(q->reactor), strerror(-rc));
	} else {
		while (sem_wait(&q->stopped) < 0 && errno == EINTR)
			;
	}
	sem_destroy(&q->stopped);
	queue_free_slots(q);
	q->running = false;
	q->stats.started = false;
	log_info("%s queue %u: stopped", q->ctrlr_name, q->index);
}

void vhost_blk_queue_get_stats(const struct vhost_blk_queue *q, struct vhost_blk_queue_stats *stats)
{
	stats->started = q->stats.started;
	stats->broken = __atomic_load_n(&q->stats.broken, __ATOMIC_RELAXED);
	stats->core = q->stats.core;
	for (int i = 0; i < VHOST_BLK_STAT_COUNT; i++)
		stats->requests[i] = __atomic_load_n(&q->stats.requests[i], __ATOMIC_RELAXED);
	stats->bytes_read = __atomic_load_n(&q->stats.bytes_read, __ATOMIC_RELAXED);
	stats->bytes_written = __atomic_load_n(&q->stats.bytes_written, __ATOMIC_RELAXED);
	stats->errors = __atomic_load_n(&q->stats.errors, __ATOMIC_RELAXED);
	stats->malformed = __atomic_load_n(&q->stats.malformed, __ATOMIC_RELAXED);
	stats->inflight = __atomic_load_n(&q->stats.inflight, __ATOMIC_RELAXED);
}
