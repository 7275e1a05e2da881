/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_FRONTEND_VHOST_BLK_INTERNAL_H
#define STORLAB_FRONTEND_VHOST_BLK_INTERNAL_H

/* Between the controller (vhost_blk.c, control thread) and its queues
 * (vhost_blk_queue.c, the data path on reactors). */

#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>

#include "env/env.h"
#include "target/bdev/bdev.h"
#include "target/frontend/vhost_blk.h"
#include "target/frontend/vhost_blk_req.h"
#include "vhost/vhost.h"

/* Requests one queue holds at most: the ring may be larger (up to 32768),
 * but no guest keeps more in flight per queue than this, and the rest simply
 * wait in the ring. Bounds memory at ~2.5 MiB per queue. */
#define VHOST_BLK_MAX_INFLIGHT 1024

struct vhost_blk_queue;

/* One request slot: everything a request needs lives here, allocated when
 * the queue starts, so the I/O path never allocates. */
struct vhost_blk_io {
	struct bdev_io bio;
	struct vhost_blk_queue *q;
	uint16_t head;	   /* chain id to push back */
	uint16_t step;	   /* bdev I/Os submitted so far (segments, flush) */
	uint32_t used_len; /* device-writable bytes of the chain */
	struct vhost_blk_req req;
	struct iovec iov[VHOST_BLK_IOV_MAX];
};

struct vhost_blk_queue {
	/* Set by the control thread while the queue is stopped. */
	const char *ctrlr_name;
	uint16_t index;
	struct bdev *bdev;
	struct reactor *reactor;
	struct vhost_vring *vring;
	struct vhost_blk_limits lim;
	/* FLUSH offered but not negotiated on a bdev with a volatile cache:
	 * every write must be stable when it completes (§5.2.6.2). */
	bool writethrough;
	bool running; /* control thread's view: started and not stopped */
	sem_t stopped;
	int start_rc;

	/* Reactor-owned while running. */
	struct bdev_channel *ch;
	struct poller *poller;
	struct vhost_blk_io *ios;
	struct vhost_blk_io **free_ios;
	uint32_t nios;
	uint32_t nfree;
	uint32_t unnotified; /* used entries pushed since the last notify */
	bool stopping;
	struct log_ratelimit log_limit; /* rejections the guest can repeat */

	/* Written by the reactor with relaxed stores, read by anyone. */
	struct vhost_blk_queue_stats stats;
};

/* Control thread. Places q on reactor r and starts polling vring there.
 * q's control-thread fields (ctrlr_name, index, bdev, lim, writethrough)
 * must be set. Returns 0 or a negative errno (nothing left running). */
int vhost_blk_queue_start(struct vhost_blk_queue *q, struct vhost_vring *vring, struct reactor *r);
/* Control thread. Returns once no reactor touches the ring and every popped
 * request was pushed back. A no-op if q is not running. */
void vhost_blk_queue_stop(struct vhost_blk_queue *q);
void vhost_blk_queue_get_stats(const struct vhost_blk_queue *q,
			       struct vhost_blk_queue_stats *stats);

#endif
