/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_INITIATOR_VHOST_USER_BLK_H
#define STORLAB_INITIATOR_VHOST_USER_BLK_H

/*
 * The vhost-user-blk transport ("vhost-user-blk:/path/to/socket"): a
 * virtio-blk driver (virtio_blk_drv.h) on split virtqueues (vhost_user_blk_queue.c)
 * whose device is a vhost-user back-end (vhost_user_blk.c: connection and
 * lib/vhost's set-up sequence). Not part of the public API.
 */

#include <stdbool.h>
#include <stdint.h>

#include "initiator/internal.h"
#include "initiator/vhost_user_common.h"
#include "initiator/virtio_blk_drv.h"
#include "vhost/vhost_fe_setup.h"
#include "virtio/virtq.h"

extern const struct initiator_transport g_transport_vhost_user_blk;
/* vhost_user_blk_mig.c: what migrating a device needs (initiator/migrate.h). */
extern const struct initiator_mig_ops g_vub_mig_ops;

/* ---- the transport's device and queues ---- */

/* Header, discard/write-zeroes segment and status around the data buffers:
 * the descriptors of one chain, and of each head's indirect table. */
#define VUB_MAX_CHAIN (STORLAB_MAX_SEGMENTS + 3)

/* Per request, in guest memory: what the device reads before the data and
 * the status byte it writes after it (virtio 1.2 §5.2.6). */
struct vub_req_shared {
	struct virtio_blk_outhdr hdr;
	struct virtio_blk_discard_write_zeroes seg;
	uint8_t status;
	uint8_t pad[31];
};
_Static_assert(sizeof(struct vub_req_shared) == 64, "one cache line per request");

struct vub_req {
	void *tag;
	uint16_t next_free;
	bool inflight;
};

/* The transport's device (vhost_user_blk.c). */
struct vub_dev {
	struct storlab_dev *dev;
	struct vhost_fe *fe;
	int sock_fd;		  /* vhost_fe_fd(fe), polled for a hang-up; -1 without fe */
	struct vub_queue *queues; /* dev->opts.num_queues */
	struct vhost_fe_setup_ring *rings; /* dev->opts.num_queues, for the set-up */
	struct virtio_blk_config config;   /* as read at the last set-up */
	struct storlab_virtio_blk_info vb;
	/* The in-flight buffer (fd -1: none), kept across connections as QEMU
	 * keeps it, and the features its rings were set up with. */
	struct vhost_fe_inflight inflight;
	uint64_t features;
	struct vu_resume resume; /* vub_dev_resume() */
};

/* Ordered for the data path: what every request touches comes first and
 * fits the first three cache lines; what set-up, event mode and a
 * disconnect use comes last. Cache-line aligned: queues used by different
 * threads share no line. */
struct vub_queue {
	struct storlab_queue head; /* first: the public handle */
	uint16_t num;
	struct virtq_drv vq;
	struct vub_req_shared *shared; /* guest memory, num entries */
	uint64_t shared_gpa;	       /* its guest-physical address */
	struct vub_req *reqs;	       /* num entries */
	uint16_t free_head;	       /* list of free reqs through next_free */
	uint16_t nfree;
	int kick_fd;
	bool fd_enabled;
	bool dead;	     /* this queue saw the disconnect */
	uint32_t idle_polls; /* empty reaps since the last connection check */
	/* cold */
	struct vub_dev *vdev;
	uint16_t index;
	uint16_t reset_cursor; /* next req to fail with NOT_CONNECTED */
	int call_fd;
	void *ring;	/* guest memory, virtq_drv_ring_bytes(num) */
	void *indirect; /* guest memory, num * (STORLAB_MAX_SEGMENTS + 3) descs */
} __attribute__((aligned(64)));

/* vhost_user_blk_queue.c */
int vub_queue_create(struct vub_dev *vdev, struct storlab_dev *dev, uint16_t index, uint16_t num,
		     struct vub_queue *q);
void vub_queue_destroy(struct vub_queue *q);
/* Zeroes the ring and forgets every request (for a new connection). */
int vub_queue_reset(struct vub_queue *q, uint64_t features);
/* Keeps the ring and its requests for a new connection whose back-end runs
 * again what was in flight; returns the base to give it (the used idx). */
uint16_t vub_queue_resume(struct vub_queue *q);
int vub_queue_add(struct storlab_queue *q, const struct storlab_req *req);
int vub_queue_submit(struct storlab_queue *q);
int vub_queue_reap(struct storlab_queue *q, struct storlab_completion *c, unsigned min,
		   unsigned max, int timeout_ms);
unsigned vub_queue_inflight(const struct storlab_queue *q);
int vub_queue_fd(const struct storlab_queue *q);
void vub_queue_set_fd_enabled(struct storlab_queue *q, bool enabled);

/* vhost_user_blk.c. Connects again (to dev->address, which may have
 * changed) and sets the device up with every ring as it is: not reset, in
 * flight requests kept, ring i started at bases[i] (a migration's
 * destination). The destination must acknowledge the same features. */
int vub_dev_resume(struct vub_dev *vdev, const uint16_t *bases);

/* vhost_user_blk.c: the vhost-user socket, polled for a hang-up. */
int vub_dev_sock_fd(const struct vub_dev *vdev);
/* Checks the socket without blocking; marks the device dead and returns
 * true if the back-end went away. Any thread. */
bool vub_dev_check_hangup(struct vub_dev *vdev);

#endif
