/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_VHOST_VHOST_INFLIGHT_H
#define STORLAB_VHOST_VHOST_INFLIGHT_H

/*
 * In-flight I/O tracking (vhost-user.rst "Inflight I/O tracking"): the
 * back-end records in a buffer the front-end keeps which requests it took
 * and has not completed, so that a back-end restarted after a crash runs
 * them again. Split queues only (the layout of lib/spec/vhost_user.h).
 *
 * Two levels:
 *   layout      the buffer's arithmetic and checks, pure functions that the
 *               unit tests drive on plain memory: sizes, one queue's region,
 *               a description's checks, the reconnect procedure.
 *   data path   what a device calls on its ring's reactor: mark a head when
 *               it is popped, and around the push of its used element.
 *
 * The order of the stores is the spec's, each one a release store, so that
 * a back-end killed between any two leaves a buffer the next one reads
 * right: a head is marked (counter, then inflight) before the device acts
 * on it; a completed head is put on the last batch list before the used
 * ring's idx moves, and unmarked only after it (then used_idx follows), so
 * that "When reconnecting" can tell the last batch apart.
 *
 * A device that tracks says so (struct vhost_dev_ops.tracks_inflight); only
 * then does lib/vhost offer VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD. lib/vhost
 * sets vring->inflight while the ring is stopped; with no buffer set the
 * data path pays one predictable branch (vhost_vring_tracking).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/vhost_user.h"
#include "util/common.h"
#include "vhost/vhost.h"

/* Each queue's region starts on a cache line, as DPDK and libvhost-user lay
 * the buffer out, so a back-end restarted as either finds the same layout. */
#define VHOST_INFLIGHT_ALIGN 64

/* Bytes of one split queue's region of queue_size entries, aligned. */
uint64_t vhost_inflight_queue_bytes(uint16_t queue_size);
/* Bytes of the buffer for num_queues such queues. */
uint64_t vhost_inflight_bytes(uint16_t num_queues, uint16_t queue_size);
/* Queue i's region inside a buffer laid out for queue_size entries. */
struct vhost_user_inflight_split *vhost_inflight_queue(void *buf, uint16_t queue_size, uint16_t i);

/*
 * Checks a description (GET_INFLIGHT_FD's request: size 0 for it; or
 * SET_INFLIGHT_FD's) against a back-end of max_queues queues: NULL, or why
 * it is refused (a static string citing the spec). A queue count or a queue
 * size of 0 or above what the rings can have is refused; for SET (set
 * true), so is a size smaller than the layout needs and an offset + size
 * past 2^64.
 */
const char *vhost_inflight_check_desc(const struct vhost_user_inflight *d, uint16_t max_queues,
				      bool set);

/*
 * Makes each of the buffer's regions one that the data path may use: an
 * uninitialised one (version 0) gets version 1, desc_num and nothing in
 * flight; a version 1 one must have desc_num == queue_size and a
 * last_batch_head inside it. NULL or why it is refused.
 */
const char *vhost_inflight_adopt(void *buf, uint16_t num_queues, uint16_t queue_size);

/*
 * "When reconnecting", for a ring of num entries in a region of entries
 * descriptors (the queue size SET_INFLIGHT_FD was checked with; num <=
 * entries) whose
 * used ring's idx is used_idx: the last batch, if its idx store went out and
 * its unmarking did not, is unmarked (and used_idx set); then the heads
 * still in flight are written to heads[] (num entries) in counter order.
 * Returns how many (or -ENOMEM), and in *next_counter the counter the
 * next head gets (above every one in flight). Heads marked at or past num
 * are not run and not counted (logged once). Control thread, ring stopped.
 */
int vhost_inflight_recover(struct vhost_user_inflight_split *q, uint16_t entries, uint16_t num,
			   uint16_t used_idx, uint16_t *heads, uint64_t *next_counter);

/* ------------------------------------------------------------------ */
/* Data path (the ring's reactor)                                      */
/* ------------------------------------------------------------------ */

/* Whether the ring's requests are tracked: the one branch the data path
 * pays when they are not. */
static inline bool vhost_vring_tracking(const struct vhost_vring *v)
{
	return unlikely(v->inflight.region != NULL);
}

/* "When receiving available buffers": head was popped from the avail ring
 * (a head taken from the resubmit list is still marked, with its counter). */
static inline void vhost_vring_inflight_get(struct vhost_vring *v, uint16_t head)
{
	struct vhost_user_inflight_desc_split *d = &v->inflight.region->desc[head];

	__atomic_store_n(&d->counter, v->inflight.counter++, __ATOMIC_RELEASE);
	__atomic_store_n(&d->inflight, 1, __ATOMIC_RELEASE);
}

/* "When supplying used buffers", before the used ring's idx moves: head
 * becomes the last batch (of one). */
static inline void vhost_vring_inflight_put_begin(struct vhost_vring *v, uint16_t head)
{
	struct vhost_user_inflight_split *q = v->inflight.region;

	__atomic_store_n(&q->desc[head].next, q->last_batch_head, __ATOMIC_RELEASE);
	__atomic_store_n(&q->last_batch_head, head, __ATOMIC_RELEASE);
}

/* ... and after it: head is no longer in flight, and used_idx says the
 * batch is over. */
static inline void vhost_vring_inflight_put_end(struct vhost_vring *v, uint16_t head)
{
	struct vhost_user_inflight_split *q = v->inflight.region;

	__atomic_store_n(&q->desc[head].inflight, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&q->used_idx, v->vq.used_idx, __ATOMIC_RELEASE);
}

/* The next head to run again before the avail ring is read (in counter
 * order): true with *head, false once there is none left. */
static inline bool vhost_vring_inflight_resubmit(struct vhost_vring *v, uint16_t *head)
{
	struct vhost_vring_inflight *in = &v->inflight;

	if (likely(in->resubmitted == in->nresubmit))
		return false;
	*head = in->resubmit[in->resubmitted++];
	return true;
}

#endif
