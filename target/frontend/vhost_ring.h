/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_FRONTEND_VHOST_RING_H
#define STORLAB_FRONTEND_VHOST_RING_H

/*
 * What every vhost-user kind (vhost-user-blk, -scsi) does the same way with
 * a lib/vhost ring that runs on the queue engine: answer ring_stop once the
 * queue drained, swap a running ring's notifiers on its reactor
 * (struct vhost_dev_ops), and serve GET_CONFIG windows of its config space.
 * The kind keeps its own qe_ops (its data path); this is the control
 * plumbing around it.
 *
 * Threads: the control thread, except where said.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "target/frontend/queue_engine.h"
#include "util/log_ratelimit.h"
#include "vhost/vhost.h"
#include "vhost/vhost_inflight.h"

/* The control thread's side of one ring: the answers lib/vhost waits for. */
struct vhost_ring_ctl {
	struct qe_queue *qe;
	struct vhost_vring *vring;
	vhost_ring_done_fn stopped;
	struct qe_exec swap;
	int swap_kick_fd, swap_call_fd;
	vhost_ring_done_fn swapped;
};

/* ring_stop: stops qe (which runs vring); stopped(vring) once every request
 * it took completed, possibly before returning. */
void vhost_ring_stop(struct vhost_ring_ctl *c, struct qe_queue *qe, struct vhost_vring *vring,
		     vhost_ring_done_fn stopped);
/* ring_swap_fds: the queue's reactor takes the new fds (its wake-up re-armed
 * on the kick fd) between two polls; then swapped(vring). */
void vhost_ring_swap_fds(struct vhost_ring_ctl *c, struct qe_queue *qe, struct vhost_vring *vring,
			 int kick_fd, int call_fd, vhost_ring_done_fn swapped);

/* On the queue's reactor. Counters have one writer, the queue's reactor: a
 * relaxed store of the new value is enough for racy readers, and cheaper
 * than a locked add. */
static inline void vhost_ring_stat_add(uint64_t *counter, uint64_t n)
{
	__atomic_store_n(counter, *counter + n, __ATOMIC_RELAXED);
}

/*
 * On the queue's reactor: the next chain of v with in-flight tracking on
 * (vhost_vring_tracking): first the heads a crashed back-end left in
 * flight, in counter order ("Inflight I/O tracking", "When reconnecting":
 * resubmit them; *resubmitted set), then the avail ring, each head marked
 * before it is acted on ("When receiving available buffers"). A malformed
 * chain is marked too: its push unmarks it. virtq_dev_pop()'s returns.
 */
int vhost_ring_pop_tracked(struct vhost_vring *v, struct virtq_chain *chain, bool *resubmitted);

/* On the queue's reactor: the next chain of v, tracked where a buffer is
 * set; untracked, one predictable branch more than virtq_dev_pop(). */
static inline int vhost_ring_pop(struct vhost_vring *v, struct virtq_chain *chain)
{
	bool resubmitted;

	if (vhost_vring_tracking(v))
		return vhost_ring_pop_tracked(v, chain, &resubmitted);
	return virtq_dev_pop(&v->vq, chain);
}

/* On a request queue's reactor: vhost_ring_pop(), the heads run again from
 * the in-flight region counted in *resubmitted (a stats counter, see
 * vhost_ring_stat_add). The tracked pop is out of line, the rest inline. */
int vhost_ring_pop_counting(struct vhost_vring *v, struct virtq_chain *chain,
			    uint64_t *resubmitted);
static inline int vhost_ring_pop_counted(struct vhost_vring *v, struct virtq_chain *chain,
					 uint64_t *resubmitted)
{
	if (vhost_vring_tracking(v))
		return vhost_ring_pop_counting(v, chain, resubmitted);
	return virtq_dev_pop(&v->vq, chain);
}

/* On the queue's reactor. A rejection or failure (the guest's doing or the
 * backend's, both can repeat at line rate): a warning of component naming
 * the queue, rate-limited by rl, the queue's own. */
void vhost_ring_warn(struct log_ratelimit *rl, const char *component, const struct qe_queue *qe,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* GET_CONFIG of len bytes at offset of a config space whose first size
 * bytes are cfg: any window of the 256-byte space, bytes past cfg read as
 * zero (SPDK's front-end asks for 256, QEMU for the structure's size).
 * -EINVAL (logged, naming owner) for a window past it. */
int vhost_ring_config_read(const char *owner, const void *cfg, size_t size, uint8_t *buf,
			   uint32_t offset, uint32_t len);

#endif
