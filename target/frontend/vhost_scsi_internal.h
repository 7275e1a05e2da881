/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_FRONTEND_VHOST_SCSI_INTERNAL_H
#define STORLAB_FRONTEND_VHOST_SCSI_INTERNAL_H

/*
 * Between the controller (vhost_scsi.c, control thread), its request queues
 * (vhost_scsi_queue.c) and its controlq and eventq (vhost_scsi_ctrl.c), the
 * last two on reactors.
 *
 * LUNs. The controller's table vs->luns[target][lun] is written by the
 * control thread with release stores and read by reactors with acquire
 * loads, at the start of a request only. A LUN leaves the table before it
 * is freed, and between the two every running queue has run a barrier
 * (qe_queue_exec) that drops the bdev channel it had for it: so no reactor
 * holds a LUN that is gone, and a request in flight never touches its LUN
 * again after its start (what its completion needs is in its slot).
 */

#include <stdbool.h>
#include <stdint.h>

#include "env/env.h"
#include "scsi/scsi_dev.h"
#include "spec/virtio_scsi.h"
#include "target/bdev/bdev.h"
#include "target/frontend/queue_engine.h"
#include "target/frontend/vhost_ring.h"
#include "target/frontend/vhost_scsi.h"
#include "util/log_ratelimit.h"
#include "vhost/vhost.h"

/* Buffers one request chain may have: header, response and data segments. */
#define VHOST_SCSI_IOV_MAX 128
/* Requests one request queue holds at most (as vhost-blk's). */
#define VHOST_SCSI_MAX_INFLIGHT 1024
/* Controlq requests in flight at once (each a TMF waiting for commands). */
#define VHOST_SCSI_CTRL_SLOTS 16
/* Events waiting for an eventq buffer; one more is dropped (EVENTS_MISSED). */
#define VHOST_SCSI_EVENTS_PENDING 16
/* The controlq and eventq are polled this often (µs) rather than on every
 * reactor pass, which the request queues on the core would pay for (as
 * SPDK's vhost-scsi polls them on a timer); a kick to a sleeping reactor
 * runs them at once. */
#define VHOST_SCSI_MGMT_POLL_US 100
/* Buffers the first bytes of a response (up to its sense data) may span. */
#define VHOST_SCSI_RESP_IOV 8
/* Largest cdb_size / sense_size a driver may write (§5.6.4). */
#define VHOST_SCSI_CDB_MAX   255
#define VHOST_SCSI_SENSE_MAX 255
#define VHOST_SCSI_SLOTS     (VHOST_SCSI_MAX_TARGETS * VHOST_SCSI_MAX_LUNS)

struct vhost_scsi;

struct vhost_scsi_lun {
	struct scsi_lun sl; /* shared by every queue: UA state, props */
	struct bdev *bdev;
	struct bdev_watch watch; /* a new capacity (bdev_resize) */
	struct vhost_scsi *vs;
	uint32_t ws_blocks; /* blocks one bdev write of WRITE SAME's block carries */
	uint8_t target;
	uint8_t id;
};

struct vhost_scsi_tmf;
struct vhost_scsi_queue;

/* A request queue's slot: everything a command needs until it completes. */
struct vhost_scsi_io {
	struct bdev_io bio;
	struct vhost_scsi_queue *q;
	bool busy;
	uint16_t head;
	uint8_t target;
	uint8_t lun;
	uint64_t tag;
	bool desc_sense;	    /* the LUN's D_SENSE at the start */
	struct bdev_channel *ch;    /* the LUN's, on this queue's reactor */
	struct vhost_scsi_tmf *tmf; /* the TMF that ends it, or NULL */
	uint8_t tmf_response;	    /* VIRTIO_SCSI_S_ABORTED / _RESET */
	uint16_t step;		    /* bdev I/Os submitted so far */
	uint16_t nranges;	    /* UNMAP's ranges; WRITE SAME's mode */
	uint32_t resp_len;	    /* device-writable bytes before data-in */
	uint32_t data_len;	    /* bytes of its data buffer (in or out) */
	uint32_t in_len;	    /* data-in bytes available */
	uint32_t out_moved;	    /* data-out bytes the command takes */
	struct scsi_task task;
	struct iovec *data_iov; /* into iov[] */
	unsigned data_iovcnt;
	uint8_t nresp;
	struct iovec resp_iov[VHOST_SCSI_RESP_IOV];
	struct scsi_unmap_range ranges[SCSI_DEV_UNMAP_DESC_MAX];
	struct iovec iov[VHOST_SCSI_IOV_MAX];
};

/* One TMF in the controlq, handed to every request queue's reactor. */
struct vhost_scsi_tmf_part {
	struct reactor_event ev;
	struct vhost_scsi_tmf *tmf;
	struct vhost_scsi_queue *q;
};

struct vhost_scsi_tmf {
	struct vhost_scsi_queue *cq; /* the controlq */
	uint16_t head;
	uint32_t subtype;
	uint8_t target;
	uint8_t lun;
	bool whole_target;   /* I_T NEXUS RESET: every LUN of the target */
	bool query;	     /* QUERY TASK (SET): find, do not end */
	bool by_tag;	     /* ABORT TASK, QUERY TASK: the command `tag` only */
	bool reset;	     /* LUN / I_T NEXUS RESET: also reset the channels */
	uint8_t io_response; /* for the commands it ends */
	uint64_t tag;
	uint32_t pending; /* atomic: parts, commands and resets not over */
	uint32_t found;	  /* atomic: commands it matched */
	struct reactor_event done_ev;
	struct iovec iov[8];
	unsigned nout, nin;
	struct vhost_scsi_tmf_part parts[VHOST_MAX_QUEUES];
};

struct vhost_scsi_counters {
	uint64_t requests;
	uint64_t bytes_read;
	uint64_t bytes_written;
	uint64_t errors;
	uint64_t malformed;
	uint64_t resubmitted;
};

/* A LUN's channel on one request queue's reactor. */
struct vhost_scsi_qlun {
	const struct vhost_scsi_lun *lun;
	struct bdev_channel *ch;
};

struct vhost_scsi_queue {
	struct qe_queue qe;
	struct vhost_scsi *vs;
	struct reactor *home; /* where the placement runs it (fixed) */
	struct vhost_vring *vring;
	/* Set by the control thread while the queue is stopped. */
	uint32_t cdb_size;
	uint32_t sense_size;
	bool hotplug; /* VIRTIO_SCSI_F_HOTPLUG negotiated */

	/* Reactor-owned while running. */
	struct log_ratelimit log_limit;
	struct vhost_scsi_qlun qluns[VHOST_SCSI_SLOTS]; /* request queues */
	uint8_t data[SCSI_DEV_DATA_MAX];		/* emulated answers */
	struct iovec ev_iov[4];				/* eventq */
	struct virtio_scsi_event events[VHOST_SCSI_EVENTS_PENDING];
	unsigned nevents;
	bool events_missed;

	bool flush_on_drain; /* stopping: flush once the last command completed */

	/* Control thread: the answers lib/vhost waits for. */
	struct vhost_ring_ctl ctl;
	vhost_ring_done_fn flush_stopped;
	struct qe_exec flush_x;

	/* Written by the reactor with relaxed stores, read by anyone. */
	struct vhost_scsi_counters counters;
};

/* vhost_scsi.c: the LUN at (target, lun) now, or NULL; any thread. */
struct vhost_scsi_lun *vhost_scsi_lun_get(struct vhost_scsi *vs, unsigned target, unsigned lun);
/* Whether the target has a LUN; the LUNs it has, ascending (for REPORT
 * LUNS) in ids[VHOST_SCSI_MAX_LUNS]. Any thread. */
unsigned vhost_scsi_target_luns(struct vhost_scsi *vs, unsigned target, uint16_t *ids);

/* The queue of ring `ring` (0 the controlq, 1 the eventq, 2.. the request
 * queues), and how many request queues there are. */
struct vhost_scsi_queue *vhost_scsi_ring(struct vhost_scsi *vs, uint16_t ring);
uint16_t vhost_scsi_request_queue_count(const struct vhost_scsi *vs);

/* vhost_scsi_queue.c: the queue's kinds' data paths (on reactors) and the
 * plumbing every kind shares (control thread). */
extern const struct qe_ops vhost_scsi_request_ops;
/* Rejections and failures, rate-limited per queue (vhost_ring.h). */
#define vhost_scsi_queue_warn(q, ...)                                                   \
	vhost_ring_warn(&(q)->log_limit, "vhost-scsi", &(q)->qe, __VA_ARGS__)
/* Publishes a used entry, with the guest memory the device wrote (written
 * iovecs) and the used ring marked in the dirty log first if it is on. */
void vhost_scsi_push(struct vhost_scsi_queue *q, const struct iovec *written, unsigned n,
		     uint16_t head, uint32_t len);
/* A chain that cannot carry an answer goes back with used length 0. */
void vhost_scsi_push_malformed(struct vhost_scsi_queue *q, uint16_t head);
void vhost_scsi_queue_break(struct vhost_scsi_queue *q, int rc);
/* The qe_ops hooks every ring kind shares: notify the driver, kicks on or
 * off, kicks off when polling starts. */
void vhost_scsi_queue_notify(void *ctx);
void vhost_scsi_queue_set_interrupt(void *ctx, bool enabled);
void vhost_scsi_queue_started(void *ctx);
/* Control thread: start (ops: the ring kind's) and statistics; stop and
 * fd swaps are vhost_ring.h's. */
int vhost_scsi_queue_start(struct vhost_scsi_queue *q, const struct qe_ops *ops, size_t slot_size,
			   uint32_t nslots, struct vhost_vring *vring, struct reactor *r,
			   struct evloop *loop);
void vhost_scsi_queue_get_stats(const struct vhost_scsi_queue *q,
				struct vhost_scsi_queue_stats *stats);
/* Control thread: stops a request queue as vhost_ring_stop does, and first
 * flushes the LUNs with a volatile cache it wrote through once its last
 * command completed: what GET_VRING_BASE answers is quiesced and flushed. */
void vhost_scsi_queue_stop_flushed(struct vhost_scsi_queue *q, vhost_ring_done_fn stopped);
/* vhost_scsi_ctrl.c, on a request queue's reactor: the part of a TMF that
 * concerns its commands. */
void vhost_scsi_queue_tmf(struct vhost_scsi_queue *q, struct vhost_scsi_tmf *tmf);
/* On a request queue's reactor: drops the channel it has for lun. */
void vhost_scsi_queue_forget(struct vhost_scsi_queue *q, const struct vhost_scsi_lun *lun);

/* vhost_scsi_ctrl.c */
extern const struct qe_ops vhost_scsi_control_ops;
extern const struct qe_ops vhost_scsi_event_ops;
/* A TMF's part, a command or a reset is over (any reactor). */
void vhost_scsi_tmf_put(struct vhost_scsi_tmf *tmf);
/* On the eventq's reactor: queues an event for the next buffer (or counts
 * it missed). */
void vhost_scsi_event_queue(struct vhost_scsi_queue *q, const struct virtio_scsi_event *ev);

#endif
