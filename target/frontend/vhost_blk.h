/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_FRONTEND_VHOST_BLK_H
#define STORLAB_FRONTEND_VHOST_BLK_H

/*
 * vhost-user-blk controllers: one vhost-user back-end (lib/vhost) serving one
 * bdev as a virtio-blk device (virtio 1.2 §5.2).
 *
 * Threads. Controllers are created, queried and destroyed on the control
 * thread (the one running opts.loop), with the reactors (lib/env) running.
 * Each request queue runs on one reactor of the controller's cpumask: queue
 * i on the (i mod n)-th core of the mask, so one device can use several
 * cores. The control thread never touches the data path; it messages a
 * queue's reactor to start it and waits until it is quiet to stop it.
 */

#include <stdbool.h>
#include <stdint.h>

#include "target/frontend/frontend.h"
#include "util/evloop.h"
#include "vhost/vhost.h"

#define VHOST_BLK_DEFAULT_QUEUES 16

struct vhost_blk;

/* The kind's plug (vhost_blk_plug.c), listed in frontend_kinds.c. */
extern const struct frontend_ops vhost_blk_frontend;

struct vhost_blk_opts {
	const char *name;	 /* controller name (copied) */
	const char *socket_path; /* listened on; a stale socket file is replaced */
	const char *bdev_name;	 /* opened for the controller's life */
	uint64_t cpumask;	 /* cores of running reactors; 0 = every reactor */
	bool readonly;		 /* VIRTIO_BLK_F_RO: writes fail with IOERR */
	uint16_t num_queues;	 /* 1 .. VHOST_MAX_QUEUES; 0 = VHOST_BLK_DEFAULT_QUEUES */
	struct evloop *loop;	 /* the control thread's loop */
	bool strict;		 /* report front-end protocol violations (lib/vhost) */
};

/*
 * Returns 0, or -ENODEV (no bdev of that name), -EINVAL (bad options:
 * logged, naming the field), -ENOMEM, or what lib/vhost returned for the
 * socket. Nothing is left behind on failure.
 */
int vhost_blk_create(const struct vhost_blk_opts *opts, struct vhost_blk **vb);
/* Stops every queue (once its in-flight I/O completed), closes the
 * connection and the socket, removes the socket file, closes the bdev, frees
 * vb; then calls done(arg) (may be NULL) on the control thread, exactly
 * once, possibly before returning. */
void vhost_blk_destroy(struct vhost_blk *vb, frontend_done_fn done, void *arg);

struct vhost_blk_info {
	const char *name;
	const char *socket_path;
	const char *bdev_name;
	uint64_t cpumask;
	bool readonly;
	uint16_t num_queues;
	uint64_t features; /* offered virtio features */
	struct vhost_dev_info dev;
};
void vhost_blk_get_info(const struct vhost_blk *vb, struct vhost_blk_info *info);
const char *vhost_blk_name(const struct vhost_blk *vb);

/* Requests counted by their header's type. */
enum vhost_blk_stat_type {
	VHOST_BLK_STAT_READ,
	VHOST_BLK_STAT_WRITE,
	VHOST_BLK_STAT_FLUSH,
	VHOST_BLK_STAT_GET_ID,
	VHOST_BLK_STAT_DISCARD,
	VHOST_BLK_STAT_WRITE_ZEROES,
	VHOST_BLK_STAT_OTHER, /* unsupported types, and headers too short to read */
	VHOST_BLK_STAT_COUNT,
};
const char *vhost_blk_stat_type_name(enum vhost_blk_stat_type type);

/* Cumulative over the controller's life (across reconnections). */
struct vhost_blk_queue_stats {
	bool started;  /* running on a reactor now */
	bool broken;   /* ring unusable until the front-end resets it */
	unsigned core; /* the reactor's core */
	uint64_t requests[VHOST_BLK_STAT_COUNT];
	uint64_t bytes_read;	/* of successful reads */
	uint64_t bytes_written; /* of successful writes */
	uint64_t errors;	/* answered with a status other than OK */
	uint64_t malformed;	/* chains pushed back unanswered (used length 0);
				 * not counted in requests */
	uint64_t resubmitted;	/* requests a crashed back-end left in flight, run
				 * again after the reconnect (in-flight tracking) */
	uint32_t inflight;	/* submitted to the bdev and not completed */
	uint64_t ring_starts;	/* times the ring was started on a reactor */
	uint64_t ring_stops;	/* times it was stopped (drained) */
};
/* A racy snapshot of a queue < num_queues (counters move while read). */
void vhost_blk_get_queue_stats(const struct vhost_blk *vb, uint16_t queue,
			       struct vhost_blk_queue_stats *stats);

#endif
