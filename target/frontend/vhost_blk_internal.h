/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_FRONTEND_VHOST_BLK_INTERNAL_H
#define STORLAB_FRONTEND_VHOST_BLK_INTERNAL_H

/* Between the controller (vhost_blk.c, control thread) and its queues
 * (vhost_blk_queue.c, the data path on reactors). */

#include <stdbool.h>
#include <stdint.h>

#include "env/env.h"
#include "target/bdev/bdev.h"
#include "target/frontend/queue_engine.h"
#include "target/frontend/vhost_blk.h"
#include "target/frontend/vhost_blk_req.h"
#include "target/frontend/vhost_ring.h"
#include "util/log_ratelimit.h"
#include "vhost/vhost.h"

/* Requests one queue holds at most: the ring may be larger (up to 32768),
 * but no guest keeps more in flight per queue than this, and the rest simply
 * wait in the ring. Bounds memory at ~2.5 MiB per queue. */
#define VHOST_BLK_MAX_INFLIGHT 1024

struct vhost_blk_queue;

/* What the device advertises (virtio 1.2 §5.2.4), derived from the bdev's
 * limits, as every frontend reads them (bdev_get_limits). */
struct vhost_blk_advert {
	uint32_t blk_size;
	uint32_t seg_max;
	uint32_t size_max; /* 0: VIRTIO_BLK_F_SIZE_MAX not offered */
	uint32_t opt_io_size; /* in blocks; 0: none */
};
void vhost_blk_advert_from_limits(const struct bdev_limits *lim, struct vhost_blk_advert *a);

/* One request slot (the engine's, preallocated per queue): everything a
 * request needs lives here, so the I/O path never allocates. */
struct vhost_blk_io {
	struct bdev_io bio;
	struct vhost_blk_queue *q;
	uint16_t head;	   /* chain id to push back */
	uint16_t step;	   /* bdev I/Os submitted so far (segments, flush) */
	uint32_t used_len; /* device-writable bytes of the chain */
	struct vhost_blk_req req;
	struct iovec iov[VHOST_BLK_IOV_MAX];
};

/* vhost-user-blk's counters of one queue, beside the engine's. */
struct vhost_blk_counters {
	uint64_t requests[VHOST_BLK_STAT_COUNT];
	uint64_t bytes_read;
	uint64_t bytes_written;
	uint64_t errors;
	uint64_t malformed;
	uint64_t resubmitted;
};

struct vhost_blk_queue {
	struct qe_queue qe; /* the engine's part: placement, slots, poller */
	/* Set by the control thread while the queue is stopped. */
	struct bdev *bdev;
	struct vhost_vring *vring;
	struct vhost_blk_limits lim;
	/* FLUSH offered but not negotiated on a bdev with a volatile cache:
	 * every write must be stable when it completes (§5.2.6.2). */
	bool writethrough;

	/* Reactor-owned while running. */
	struct bdev_channel *ch;
	struct log_ratelimit log_limit; /* rejections the guest can repeat */

	/* Control thread: the answers lib/vhost waits for. */
	struct vhost_ring_ctl ctl;

	/* Written by the reactor with relaxed stores, read by anyone. */
	struct vhost_blk_counters counters;
};

/* Control thread. q's engine part (owner, index, bdevs) and the fields
 * above (bdev, lim, writethrough) must be set. Starts polling vring on
 * reactor r; stops are answered on loop. 0 or a negative errno. */
int vhost_blk_queue_start(struct vhost_blk_queue *q, struct vhost_vring *vring, struct reactor *r,
			  struct evloop *loop);
/* Control thread. Calls stopped(vring) once no reactor touches the ring and
 * every popped request was pushed back (possibly before returning). */
void vhost_blk_queue_stop(struct vhost_blk_queue *q, vhost_ring_done_fn stopped);
/* Control thread. The running queue's reactor takes the new fds (re-arming
 * its wake-up on the kick fd), then swapped(vring) is called. */
void vhost_blk_queue_swap_fds(struct vhost_blk_queue *q, int kick_fd, int call_fd,
			      vhost_ring_done_fn swapped);
void vhost_blk_queue_get_stats(const struct vhost_blk_queue *q,
			       struct vhost_blk_queue_stats *stats);

#endif
