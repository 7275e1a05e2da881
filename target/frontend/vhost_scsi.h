/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_FRONTEND_VHOST_SCSI_H
#define STORLAB_FRONTEND_VHOST_SCSI_H

/*
 * vhost-user-scsi controllers: one vhost-user back-end (lib/vhost) serving
 * a virtio-scsi host (virtio 1.2 §5.6) with up to VHOST_SCSI_MAX_TARGETS
 * targets of up to VHOST_SCSI_MAX_LUNS logical units, each a bdev emulated
 * as a SCSI disk (lib/scsi). Targets and LUNs come and go while the guest
 * runs (hot-plug events on the eventq, unit attentions).
 *
 * Rings: 0 the controlq (task management, asynchronous notification), 1
 * the eventq, 2.. the request queues. Each runs on the queue engine, on the
 * reactors of the controller's cpumask (ring i on the (i mod n)-th core).
 *
 * Threads. Everything here runs on the control thread (the one running
 * opts.loop), with the reactors running.
 */

#include <stdbool.h>
#include <stdint.h>

#include "target/frontend/frontend.h"
#include "util/evloop.h"
#include "vhost/vhost.h"

#define VHOST_SCSI_DEFAULT_QUEUES 4 /* request queues */
#define VHOST_SCSI_MAX_TARGETS	  8
#define VHOST_SCSI_MAX_LUNS	  8 /* per target */

struct vhost_scsi;

/* The kind's plug (vhost_scsi_plug.c), listed in frontend_kinds.c. */
extern const struct frontend_ops vhost_scsi_frontend;

struct vhost_scsi_opts {
	const char *name;	 /* controller name (copied) */
	const char *socket_path; /* listened on; a stale socket file is replaced */
	uint64_t cpumask;	 /* cores of running reactors; 0 = every reactor */
	/* request queues: 1 .. VHOST_MAX_QUEUES - 2; 0 = VHOST_SCSI_DEFAULT_QUEUES */
	uint16_t num_queues;
	struct evloop *loop; /* the control thread's loop */
	bool strict;	     /* report front-end protocol violations (lib/vhost) */
};

/* Returns 0, or -EINVAL (bad options: logged), -ENOMEM, or what lib/vhost
 * returned for the socket. Nothing is left behind on failure. The
 * controller starts with no target. */
int vhost_scsi_create(const struct vhost_scsi_opts *opts, struct vhost_scsi **vs);
/* Stops every queue (once its in-flight I/O completed), closes the
 * connection and the socket, closes every LUN's bdev, frees vs; then calls
 * done(arg) (may be NULL) on the control thread, exactly once, possibly
 * before returning. */
void vhost_scsi_destroy(struct vhost_scsi *vs, frontend_done_fn done, void *arg);
const char *vhost_scsi_name(const struct vhost_scsi *vs);

/*
 * Makes bdev_name LUN `lun` of target `target` (the target appears with its
 * first LUN). descriptor_sense: its control mode page's D_SENSE, sense data
 * in descriptor format (SPC-5 §4.4.1); else fixed format. The other LUNs
 * of the target get REPORTED LUNS DATA HAS CHANGED (SPC-5 §6.33), the
 * driver a RESCAN event if it negotiated VIRTIO_SCSI_F_HOTPLUG (§5.6.6.3).
 * 0, or -EINVAL (numbers out of range), -EEXIST (taken), -ENODEV (no such
 * bdev), or bdev_open's error, with why in err.
 */
int vhost_scsi_add_lun(struct vhost_scsi *vs, unsigned target, unsigned lun, const char *bdev_name,
		       bool descriptor_sense, struct frontend_err *err);
/* The lowest target number without LUNs, or -ENOSPC. */
int vhost_scsi_free_target(const struct vhost_scsi *vs);
/*
 * Removes LUN `lun` of `target` (lun < 0: every LUN of it, the target goes):
 * no new command reaches it; commands in flight complete; then its bdev is
 * closed, the driver gets a REMOVED event (with VIRTIO_SCSI_F_HOTPLUG), and
 * done(arg) is called on the control thread. -ENODEV (nothing there,
 * nothing called) or 0.
 */
int vhost_scsi_remove(struct vhost_scsi *vs, unsigned target, int lun, frontend_done_fn done,
		      void *arg);

/* One LUN of the listing (vhost_scsi_get_lun). */
struct vhost_scsi_lun_info {
	bool present;
	const char *bdev_name;
};
void vhost_scsi_get_lun(const struct vhost_scsi *vs, unsigned target, unsigned lun,
			struct vhost_scsi_lun_info *info);

struct vhost_scsi_info {
	const char *name;
	const char *socket_path;
	uint64_t cpumask;
	uint16_t num_queues; /* request queues */
	uint64_t features;   /* offered virtio features */
	struct vhost_dev_info dev;
};
void vhost_scsi_get_info(const struct vhost_scsi *vs, struct vhost_scsi_info *info);

/* Cumulative over the controller's life. Queue 0 is the controlq, 1 the
 * eventq, 2.. the request queues. */
struct vhost_scsi_queue_stats {
	bool started;
	bool broken;
	unsigned core;
	uint64_t requests;	/* commands, TMFs, or events delivered */
	uint64_t bytes_read;	/* of successful READs */
	uint64_t bytes_written; /* of successful WRITEs */
	uint64_t errors;	/* answered with CHECK CONDITION or a response other than OK */
	uint64_t malformed;	/* chains pushed back unanswered (used length 0) */
	uint64_t resubmitted;	/* requests a crashed back-end left in flight, run
				 * again from the in-flight region */
	uint32_t inflight;
	uint64_t ring_starts;
	uint64_t ring_stops;
};
void vhost_scsi_get_queue_stats(const struct vhost_scsi *vs, uint16_t queue,
				struct vhost_scsi_queue_stats *stats);

#endif
