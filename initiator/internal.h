/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_INITIATOR_INTERNAL_H
#define STORLAB_INITIATOR_INTERNAL_H

/*
 * What the transports of the initiator plug into: the ops table each one
 * fills (struct initiator_transport), the one list of them
 * (transports.c), the device and queue heads the public API dispatches on
 * (dev.c), and the shared memory every transport hands its device
 * (guestmem.c). Not part of the public API.
 */

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "storlab/initiator.h"
#include "vhost/vhost_tap.h"

/* ---- shared ("guest") memory: one memfd, gpa 0 = its first byte ---- */

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
/* Marks used, for good, every page outside the ranges (no region of the
 * memory table covers it: a buffer there has no guest address). */
struct storlab_mem_range;
void guestmem_reserve_holes(struct guestmem *gm, const struct storlab_mem_range *r, unsigned n);
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

/* ---- transports ---- */

struct initiator_mig_ops;

/* What a transport's device is, i.e. which device header applies to it. */
enum initiator_dev_kind {
	INITIATOR_DEV_VIRTIO_BLK,  /* storlab/virtio_blk.h */
	INITIATOR_DEV_VIRTIO_SCSI, /* storlab/virtio_scsi.h */
	INITIATOR_DEV_NVME,	   /* storlab/nvme.h */
};

/*
 * A transport: a const table, one per URI scheme, listed in transports.c.
 * Device calls come from one thread while no queue is in use; queue calls
 * from the one thread that uses the queue, and must not block unless the
 * public contract says so (reap with min > 0).
 */
struct initiator_transport {
	const char *scheme;   /* the URI's scheme: "vhost-user-blk" */
	const char *uri_form; /* for help texts: "vhost-user-blk:/path/to/socket" */
	enum initiator_dev_kind kind;

	/* Connects to dev->info.address and sets the device up, with dev->opts
	 * (defaults filled in) and dev->mem ready: creates the transport's
	 * context (*ctx), a queue per dev->opts.num_queues in dev->queues[],
	 * and fills dev->info. 0, or a negative errno (the public contract of
	 * storlab_dev_open()) with nothing left behind. */
	int (*open)(struct storlab_dev *dev, void **ctx);
	/* Closes the connection; frees the context and the queues. */
	void (*close)(void *ctx);
	/* Connects again and re-does the set-up on the same queues; no request
	 * is in flight unless dev->keeps_inflight, and then those stay in
	 * flight and complete once the device ran them. Fills dev->info anew.
	 * 0 or a negative errno. */
	int (*reconnect)(void *ctx);
	/* The device's own description for its header: a struct
	 * storlab_virtio_blk_info for INITIATOR_DEV_VIRTIO_BLK, a struct
	 * storlab_virtio_scsi_info for INITIATOR_DEV_VIRTIO_SCSI, a struct
	 * storlab_nvme_info for INITIATOR_DEV_NVME. */
	const void *(*details)(const void *ctx);

	/* The public storlab_queue_* calls, on this transport's queues. */
	int (*queue_add)(struct storlab_queue *q, const struct storlab_req *req);
	int (*queue_submit)(struct storlab_queue *q);
	int (*queue_reap)(struct storlab_queue *q, struct storlab_completion *c, unsigned min,
			  unsigned max, int timeout_ms);
	unsigned (*queue_inflight)(const struct storlab_queue *q);
	int (*queue_fd)(const struct storlab_queue *q);
	void (*queue_set_fd_enabled)(struct storlab_queue *q, bool enabled);
	/* The spec's name for a completion's transport_status. */
	const char *(*status_name)(uint16_t transport_status);
	/* What the migration emulator needs (initiator/migrate.h); NULL: a
	 * device of this transport cannot be migrated. */
	const struct initiator_mig_ops *mig;
};

/* The transports linked in (transports.c), in the order help texts list them. */
extern const struct initiator_transport *const g_initiator_transports[];
extern const unsigned g_initiator_ntransports;

/*
 * Splits "scheme:address" and finds the scheme's transport. 0 with *tp and
 * *address (pointing into uri) set, -EINVAL (no scheme or an empty
 * address), or -EPROTONOSUPPORT (no such transport; logged with the list of
 * known schemes).
 */
int initiator_uri_parse(const char *uri, const struct initiator_transport **tp,
			const char **address);

/*
 * Every transport's queue starts with this head (initiator_queue_init()):
 * a public call finds the transport's op through it, one indirect call per
 * request or per batch. The head shares the queue's first cache line with
 * what the op touches next; add is tp->queue_add copied there, so that a
 * request reads no line of the transport's table either.
 */
struct storlab_queue {
	int (*add)(struct storlab_queue *q, const struct storlab_req *req);
	const struct initiator_transport *tp;
	struct storlab_dev *dev;
};

struct storlab_dev {
	/* Set by a transport when it notices the connection is gone, read by
	 * its queues on every call: first, on the line of mem's base and size,
	 * which every request reads too. */
	atomic_bool dead;
	/* Set by a transport whose device tracks the requests in flight
	 * (vhost-user INFLIGHT_SHMFD): those of a disconnect are not failed
	 * but stay for storlab_dev_reconnect(), after which the device runs
	 * them. Cleared when that is no longer possible. */
	atomic_bool keeps_inflight;
	struct guestmem mem;
	const struct initiator_transport *tp;
	void *ctx; /* the transport's */
	struct storlab_dev_opts opts;
	char *address;
	struct storlab_dev_info info;
	struct storlab_queue **queues; /* opts.num_queues, the transport's */
	/* Opened by the migration emulator (initiator/migrate.h): the
	 * transport also negotiates what a front-end needs to migrate the
	 * device (a shared dirty log). */
	bool migratable;
	/* The migration emulator's tap on every connection the device opens
	 * (fn NULL: none): a replay counts the front-end's messages. */
	struct vhost_tap tap;
};

/* storlab_dev_open(), for a device that may be migrated (migratable), with
 * tap (NULL: none) on each of its connections. */
int initiator_dev_open(const char *uri, const struct storlab_dev_opts *opts, bool migratable,
		       const struct vhost_tap *tap, struct storlab_dev **dev);

/* Fills the head of a transport's queue of dev. */
static inline void initiator_queue_init(struct storlab_queue *q, struct storlab_dev *dev)
{
	*q = (struct storlab_queue){.add = dev->tp->queue_add, .tp = dev->tp, .dev = dev};
}

#endif
