/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_VIRTIO_VIRTQ_H
#define STORLAB_VIRTIO_VIRTQ_H

/*
 * Virtqueues, both sides, over memory that the two sides share.
 *
 *   device side (struct virtq_dev): used by the target. Pops descriptor
 *     chains as iovecs translated through a mem_table, pushes used entries,
 *     decides when the driver must be notified.
 *   driver side (struct virtq_drv): used by the initiator. Adds chains of
 *     guest-physical buffers, decides when to kick, reaps used entries.
 *
 * Only the split layout (virtio 1.2 §2.7) exists today. The functions take
 * the layout from the queue, so the packed layout (§2.8) can be added behind
 * the same calls without touching frontends.
 *
 * Threading: a queue is used by one thread at a time (its reactor, or the
 * initiator's queue owner). No locks, only the barriers the spec requires.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "mem/mem.h"
#include "util/log_ratelimit.h"
#include "spec/virtio.h"

enum virtq_layout {
	VIRTQ_LAYOUT_SPLIT,
};

/* ------------------------------------------------------------------ */
/* Device side                                                         */
/* ------------------------------------------------------------------ */

struct virtq_dev_config {
	enum virtq_layout layout;
	uint16_t num;               /* queue size, a power of 2 (§2.7) */
	void *desc;                 /* HVA of the descriptor table */
	void *avail;                /* HVA of the available ring */
	void *used;                 /* HVA of the used ring */
	const struct mem_table *mem;/* translates descriptor addresses */
	uint64_t features;          /* negotiated virtio features */
	uint16_t last_avail_idx;    /* where to start (vhost-user SET_VRING_BASE) */
	/* Most descriptors one chain may hold, direct and indirect together
	 * (0 = num). A longer chain is malformed. */
	uint32_t max_chain_len;
};

struct virtq_dev {
	enum virtq_layout layout;
	uint16_t num;
	uint16_t last_avail_idx;  /* next available entry the device reads */
	uint16_t avail_idx_shadow;/* avail->idx as last read */
	uint16_t used_idx;        /* shadow of used->idx */
	uint16_t signalled_used;  /* used_idx at the last virtq_dev_need_notify() */
	bool signalled_used_valid;
	bool event_idx;
	bool indirect;
	uint32_t max_chain_len;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	const struct mem_table *mem;
	struct log_ratelimit log_rl; /* rejections of the driver's chains */
};

/*
 * One popped chain. The caller points iov at an array of max_iov entries
 * before the pop. Device-readable buffers come first: iov[0 .. nout), then
 * device-writable ones: iov[nout .. nout + nin) (§2.7.4.2: a device-readable
 * descriptor after a device-writable one makes the chain malformed).
 * A zero-length descriptor is accepted (§2.7.5 sets no minimum length; it
 * names no memory, so it is not translated) and produces no iovec. The
 * descriptor that refers to an indirect table is not a buffer either: it
 * counts neither in max_chain_len nor in max_iov.
 */
struct virtq_chain {
	uint16_t head;      /* the id to push back as used */
	uint16_t nout;
	uint16_t nin;
	uint16_t max_iov;
	uint32_t out_len;   /* bytes in iov[0 .. nout) */
	uint32_t in_len;    /* bytes in iov[nout .. nout + nin) */
	struct iovec *iov;
};

/* Returns 0, or -EINVAL (logged) for a bad configuration. */
int virtq_dev_init(struct virtq_dev *q, const struct virtq_dev_config *cfg);

/*
 * Pops the next available chain.
 *   0        chain filled in
 *   -EAGAIN  nothing available
 *   -EINVAL  the chain is malformed (loop, address outside guest memory,
 *            readable after writable, too long, more than max_iov buffers,
 *            bad indirect table...). chain->head is valid and the entry is
 *            consumed: the caller must push it back (len 0) and go on.
 *            Logged with the spec section.
 *   -EIO     the ring itself is broken (avail idx ran more than num ahead,
 *            head >= num): the queue cannot be used until reset. Logged.
 */
int virtq_dev_pop(struct virtq_dev *q, struct virtq_chain *chain);

/* The chain at head, walked and checked as virtq_dev_pop() does, without
 * reading the available ring: a head to run again after a back-end restart
 * (vhost-user "Inflight I/O tracking"). Same returns (-EIO: head >= num). */
int virtq_dev_pop_head(struct virtq_dev *q, uint16_t head, struct virtq_chain *chain);

/* Publishes one used entry: len = bytes written into device-writable buffers. */
void virtq_dev_push(struct virtq_dev *q, uint16_t head, uint32_t len);

/* After pushes: whether the driver wants a notification now (VRING_AVAIL_F_
 * NO_INTERRUPT, or used_event with EVENT_IDX, §2.7.7). Records the used index
 * it decided on: the next call only looks at entries pushed after this one,
 * so a call with no new pushes returns false. The caller must notify when it
 * returns true. */
bool virtq_dev_need_notify(struct virtq_dev *q);

/* Whether the driver should kick us (VRING_USED_F_NO_NOTIFY, or avail_event
 * with EVENT_IDX, §2.7.10). Polling devices turn kicks off; a reactor about
 * to sleep turns them on, then checks virtq_dev_has_work() once more (enabling
 * ends with a full barrier for that check). With EVENT_IDX, enabling asks for
 * a kick at the next chain made available after the ones already popped;
 * disabling just stops asking, so a reactor re-enables before each sleep. */
void virtq_dev_set_kick(struct virtq_dev *q, bool enabled);

/* True if the driver has made chains available that were not popped. */
bool virtq_dev_has_work(const struct virtq_dev *q);

/* The index vhost-user GET_VRING_BASE returns. */
uint16_t virtq_dev_last_avail_idx(const struct virtq_dev *q);

/* ------------------------------------------------------------------ */
/* Driver side                                                         */
/* ------------------------------------------------------------------ */

/* A buffer in guest-physical address space. */
struct virtq_buf {
	uint64_t addr;
	uint32_t len;
};

struct virtq_drv_config {
	enum virtq_layout layout;
	uint16_t num;        /* a power of 2 */
	void *ring;          /* HVA of virtq_drv_ring_bytes(num) zeroed bytes, 4 KiB aligned */
	uint64_t ring_gpa;   /* its guest-physical address */
	uint64_t features;   /* negotiated: EVENT_IDX and INDIRECT_DESC are used if set */
	/* Indirect tables: num * indirect_max descriptors at indirect/indirect_gpa,
	 * used for chains longer than 1 when INDIRECT_DESC was negotiated.
	 * indirect_max 0 disables indirect descriptors. */
	void *indirect;
	uint64_t indirect_gpa;
	uint16_t indirect_max;
};

struct virtq_drv {
	enum virtq_layout layout;
	uint16_t num;
	uint16_t free_head;      /* first free descriptor */
	uint16_t num_free;
	uint16_t avail_idx;      /* shadow of avail->idx (not yet published) */
	uint16_t avail_published;/* avail->idx last written */
	uint16_t last_used_idx;
	uint16_t last_reaped;    /* head virtq_drv_get_used() returned last, or num */
	bool event_idx;
	uint16_t indirect_max;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	struct virtq_desc *indirect;
	uint64_t indirect_gpa;
	uint16_t *desc_count;    /* descriptors held by each head (to free them) */
	void **cookies;          /* per head */
};

/* Bytes of shared memory a split ring of num entries needs: descriptor
 * table, available ring right after it, used ring at the next 4 KiB boundary
 * (§2.7 sizes and alignments; the 4 KiB used ring is §2.7.2's legacy layout,
 * which every device accepts). */
size_t virtq_drv_ring_bytes(uint16_t num);

/* Returns 0, -EINVAL or -ENOMEM. */
int virtq_drv_init(struct virtq_drv *q, const struct virtq_drv_config *cfg);
void virtq_drv_fini(struct virtq_drv *q);

/*
 * Adds one chain: bufs[0 .. nout) device-readable, then bufs[nout .. nout+nin)
 * device-writable. cookie (not NULL) is returned when the chain is used.
 * Not visible to the device until virtq_drv_publish(). Returns 0, or -ENOSPC
 * (no free descriptors), or -EINVAL (no buffers, no cookie, a chain longer
 * than num, even an indirect one: §2.7.5.3.1), or -EIO (the free list kept
 * in the descriptor table's next fields was overwritten: the device wrote the
 * table, §2.7.5.1; logged).
 */
int virtq_drv_add(struct virtq_drv *q, const struct virtq_buf *bufs, uint16_t nout,
		  uint16_t nin, void *cookie);
/* Makes added chains available (write barrier, avail->idx). Returns true if
 * the device wants a kick (§2.7.10: VRING_USED_F_NO_NOTIFY / avail_event). */
bool virtq_drv_publish(struct virtq_drv *q);

/* Reaps one used chain: 0 with *cookie and *len, -EAGAIN if none, -EIO if the
 * device returned an id it does not own or moved used->idx more than num
 * ahead (logged; the entry is not consumed). */
int virtq_drv_get_used(struct virtq_drv *q, void **cookie, uint32_t *len);
/* Adds again, as it was, the chain virtq_drv_get_used() just returned (a
 * request the device asks to be sent again), without its buffers: its
 * descriptors are still in the table. Only before any other add. Returns 0,
 * -EINVAL (not right after that chain's reap, or no cookie) or -EIO (the free
 * list was overwritten, as virtq_drv_add). */
int virtq_drv_readd(struct virtq_drv *q, void *cookie);

/* Ask for (true) or suppress (false) used-buffer notifications. With
 * EVENT_IDX, true asks for one at the next used entry after those reaped, and
 * only for that one: a caller re-enables before each sleep. Returns true if
 * used entries are already pending (the caller should reap before sleeping);
 * enabling ends with a full barrier so that this answer can be trusted. */
bool virtq_drv_enable_notify(struct virtq_drv *q, bool enabled);

#endif
