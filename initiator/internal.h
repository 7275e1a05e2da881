/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_INITIATOR_INTERNAL_H
#define STORLAB_INITIATOR_INTERNAL_H

/*
 * What the files of the initiator share: the device (dev.c: connection and
 * set-up), its guest memory (guestmem.c), and the queues (queue.c: requests
 * and completions). Not part of the public API.
 */

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "spec/virtio_blk.h"
#include "storlab/initiator.h"
#include "virtio/virtq.h"

/* ---- guest memory: one memfd, gpa 0 = its first byte ---- */

#define GUESTMEM_PAGE 4096u

struct guestmem {
	int fd;
	uint8_t *base;
	uint64_t size;
	uint32_t npages;
	pthread_mutex_t lock;
	uint64_t *used; /* bitmap, one bit per page */
	uint32_t *run;	/* pages of the allocation starting at that page, else 0 */
};

int guestmem_init(struct guestmem *gm, uint64_t size);
void guestmem_fini(struct guestmem *gm);
int guestmem_alloc(struct guestmem *gm, size_t len, size_t align, void **buf);
void guestmem_free(struct guestmem *gm, void *buf);
/* The gpa of [ptr, ptr+len) if it lies inside the memory, else -EFAULT. */
static inline int guestmem_gpa(const struct guestmem *gm, const void *ptr, uint64_t len,
			       uint64_t *gpa)
{
	uintptr_t p = (uintptr_t)ptr, b = (uintptr_t)gm->base;

	if (p < b || len > gm->size || p - b > gm->size - len)
		return -EFAULT;
	*gpa = p - b;
	return 0;
}

/* ---- queues ---- */

/* Per request, in guest memory: what the device reads before the data and
 * the status byte it writes after it (virtio 1.2 §5.2.6). */
struct req_shared {
	struct virtio_blk_outhdr hdr;
	struct virtio_blk_discard_write_zeroes seg;
	uint8_t status;
	uint8_t pad[31];
};
_Static_assert(sizeof(struct req_shared) == 64, "one cache line per request");

struct req {
	void *tag;
	uint16_t next_free;
	bool inflight;
};

struct storlab_queue {
	struct storlab_dev *dev;
	uint16_t index;
	uint16_t num;
	struct virtq_drv vq;
	void *ring;		   /* guest memory, virtq_drv_ring_bytes(num) */
	void *indirect;		   /* guest memory, num * (STORLAB_MAX_SEGMENTS + 2) descs */
	struct req_shared *shared; /* guest memory, num entries */
	uint64_t shared_gpa;	   /* its guest-physical address */
	struct req *reqs;	   /* num entries */
	uint16_t free_head;	   /* list of free reqs through next_free */
	uint16_t nfree;
	int kick_fd;
	int call_fd;
	bool fd_enabled;
	bool dead;	       /* this queue saw the disconnect */
	uint16_t reset_cursor; /* next req to fail with -ECONNRESET */
	uint32_t idle_polls;   /* empty reaps since the last connection check */
};

int queue_create(struct storlab_dev *dev, uint16_t index, uint16_t num, struct storlab_queue *q);
void queue_destroy(struct storlab_queue *q);
/* Zeroes the ring and forgets every request (for a new connection). */
int queue_reset(struct storlab_queue *q, uint64_t features);

/* ---- device ---- */

struct vhost_fe;
struct vhost_fe_setup_ring;

struct storlab_dev {
	char *path;
	struct storlab_dev_opts opts;
	struct vhost_fe *fe;
	int sock_fd; /* vhost_fe_fd(fe), polled for a hang-up */
	atomic_bool dead;
	struct guestmem mem;
	struct storlab_dev_info info;
	struct storlab_queue *queues; /* opts.num_queues */
	struct vhost_fe_setup_ring *rings; /* opts.num_queues, for the set-up */
	struct virtio_blk_config config;   /* as read at the last set-up */
};

/* Checks the vhost-user socket without blocking; marks the device dead and
 * returns true if the back-end went away. Any thread. */
bool dev_check_hangup(struct storlab_dev *dev);

#endif
