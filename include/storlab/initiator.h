/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_INITIATOR_H
#define STORLAB_INITIATOR_H

/*
 * libstorlab-initiator: a userspace initiator that plays the VM in front of
 * a virtual block device, through one API whatever the device and the
 * transport. libblkio is the model: opaque handles, I/O buffers that must
 * come from memory the library shares with the device, queues used by one
 * thread each, and completions reaped with a min, a max and a timeout.
 *
 * Transports. A device URI's scheme picks the transport:
 *   vhost-user-blk:/path/to/socket   a virtio-blk device behind a vhost-user
 *                                    back-end (storlab-tgt, SPDK, QEMU's
 *                                    storage daemon, ...)
 * What is specific to one kind of device (a virtio-blk config space, GET_ID)
 * is in a header of its own (storlab/virtio_blk.h); this one is neutral.
 *
 * Set-up. storlab_dev_open() creates one memfd as the memory the device and
 * the library share (the "guest memory"), connects, negotiates and starts
 * the queues. Rings and request headers live in that memory too.
 *
 * Errors are negative errnos. The library logs through lib/util/log.h
 * (component "initiator") and never exits or prints.
 *
 * Threading. Device calls (open, close, reconnect, info) are made by one
 * thread while no queue is in use. storlab_buf_alloc()/free() are thread
 * safe. Each queue is used by one thread at a time; different queues may be
 * used by different threads at once without locks.
 *
 * Disconnects. When the device goes away (its connection closes), the
 * first queue call that notices marks the device dead. Submissions then
 * return -ENOTCONN, and every request that was in flight completes (through
 * storlab_queue_reap) with STORLAB_STATUS_NOT_CONNECTED: whether the device
 * executed it is unknown. Busy polling notices a dead device within a few
 * thousand empty polls; a blocking reap at once. storlab_dev_reconnect()
 * then re-does the whole set-up on a new connection (same memory, same
 * buffers, same queue handles, empty queues).
 *
 * Except on a device that tracks its requests in flight
 * (storlab_dev_keeps_inflight(): a vhost-user back-end with
 * VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD, as QEMU uses it): then the requests
 * in flight at a disconnect are not failed. Reaping returns -ENOTCONN while
 * they wait; storlab_dev_reconnect() hands the device back what it tracked,
 * and they complete once the restarted device ran them again.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct storlab_dev;
struct storlab_queue;

/* Defaults used where an option is 0. */
#define STORLAB_DEFAULT_QUEUE_SIZE 256
#define STORLAB_DEFAULT_MEM_SIZE   (64ULL << 20)
#define STORLAB_DEFAULT_TIMEOUT_MS 5000
/* Most data buffers (iovecs) one request may carry, on any transport. */
#define STORLAB_MAX_SEGMENTS 64
/* The largest queue size every transport takes (a split virtqueue's,
 * virtio 1.2 §2.7). */
#define STORLAB_MAX_QUEUE_SIZE 32768

/* Guest-physical addresses handed to the back-end as one memory region. */
struct storlab_mem_range {
	uint64_t gpa, size;
};

#define STORLAB_MAX_MEM_RANGES 8

struct storlab_dev_opts {
	uint16_t num_queues; /* 0: 1 */
	uint16_t queue_size; /* entries, a power of 2; 0: STORLAB_DEFAULT_QUEUE_SIZE */
	uint64_t mem_size;   /* bytes of shared memory for rings and buffers;
			      * 0: STORLAB_DEFAULT_MEM_SIZE */
	int timeout_ms;	     /* bounds each set-up exchange; 0: default */
	/* Virtio features the driver may acknowledge, of those it knows
	 * (a replay acknowledges what its trace did); 0: all it knows. */
	uint64_t features_mask;
	/* NVMe transports: I/O data described by SGLs (NVMe Base 2.1 §4.3.2),
	 * not PRPs; the open fails -ENOTSUP if the controller has none. The
	 * other transports ignore it. */
	bool nvme_sgl;
	/* NVMe transports: each I/O queue's CQ raises MSI-X vector qid (an
	 * eventfd handed over with SET_IRQS; Create I/O CQ IEN 1), and a reap
	 * that has to wait sleeps on it instead of spinning;
	 * storlab_queue_fd() returns it. Others ignore it. */
	bool nvme_interrupts;
	/* The memory table: guest memory is handed to the back-end as these
	 * regions (ascending, apart, page-aligned, within mem_size), each at
	 * its own offset of the one shared file, and the pages between them
	 * are never used (a replay lays memory out as its trace, e.g. QEMU's
	 * hole below 1 MiB); nranges 0: one region of all of it. */
	struct storlab_mem_range ranges[STORLAB_MAX_MEM_RANGES];
	unsigned nranges;
};

/*
 * uri: "<scheme>:<address>", e.g. "vhost-user-blk:/path/to/socket". opts may
 * be NULL (all defaults). Returns 0 with *dev set, or -EINVAL (bad URI or
 * options), -EPROTONOSUPPORT (unknown scheme: the log line lists the known
 * ones), -ENAMETOOLONG (an address the transport cannot use), -ENOTSUP (the
 * device lacks what the transport needs, or the queues asked for),
 * -ECONNREFUSED/-ENOENT (nobody listens), -ETIMEDOUT, -EPROTO, -ENOMEM.
 */
int storlab_dev_open(const char *uri, const struct storlab_dev_opts *opts,
		     struct storlab_dev **dev);
/* Closes the connection and frees everything, buffers included. */
void storlab_dev_close(struct storlab_dev *dev);

/*
 * Connects again and re-does the whole set-up, e.g. after the target was
 * restarted. Every request must have been reaped first (-EBUSY otherwise),
 * unless the device keeps its requests in flight: then they stay queued and
 * complete after the reconnect (-ENOTSUP, and they fail as NOT_CONNECTED
 * from then on, if the device that answers can no longer resume them).
 * Returns 0 or what storlab_dev_open() returns; on failure the device stays
 * dead and the call may be retried.
 */
int storlab_dev_reconnect(struct storlab_dev *dev);
/* False once a disconnect was noticed, until a successful reconnect. */
bool storlab_dev_connected(const struct storlab_dev *dev);
/* Whether requests in flight at a disconnect survive it (see Disconnects). */
bool storlab_dev_keeps_inflight(const struct storlab_dev *dev);

/* The "<scheme>:<address form>" of the i-th transport linked in, NULL past
 * the last: "vhost-user-blk:/path/to/socket". For help texts. */
const char *storlab_transport_uri_form(unsigned i);

/* The device as the transport negotiated it. Limits are 0 where the device
 * states none. */
struct storlab_dev_info {
	const char *transport; /* the URI's scheme: "vhost-user-blk" */
	const char *address;   /* the rest of the URI: the socket path */
	uint64_t capacity;     /* bytes */
	uint32_t block_size;   /* bytes of the logical block */
	bool read_only;
	uint32_t max_transfer;	   /* bytes of one read or write */
	uint32_t max_segments;	   /* iovecs of one request: 1 to STORLAB_MAX_SEGMENTS */
	uint32_t max_segment_size; /* bytes of one iovec */
	uint64_t max_discard;	   /* bytes of one discard */
	uint64_t max_write_zeroes; /* bytes of one write-zeroes */
	uint16_t max_queues;	   /* what the device supports */
	uint16_t num_queues;	   /* what we set up */
	uint16_t queue_size;
	uint64_t mem_size;
};
/* Valid until the next reconnect or close. What the transport knows beyond
 * this is in its device's header (storlab_virtio_blk_get_info()). */
void storlab_dev_get_info(const struct storlab_dev *dev, struct storlab_dev_info *info);

/* ---- I/O buffers: requests may only point into memory from here. ---- */

/* align: a power of 2, 0 for 4096. Returns 0 with *buf set, -EINVAL or
 * -ENOMEM (the memory of opts.mem_size is used up). Thread safe. */
int storlab_buf_alloc(struct storlab_dev *dev, size_t len, size_t align, void **buf);
/* buf: what storlab_buf_alloc returned, or NULL. Thread safe. */
void storlab_buf_free(struct storlab_dev *dev, void *buf);

/* ---- Queues ---- */

/* index < info.num_queues, else NULL. The handle lives as long as dev. */
struct storlab_queue *storlab_dev_queue(struct storlab_dev *dev, unsigned index);

enum storlab_op {
	STORLAB_OP_READ,
	STORLAB_OP_WRITE,
	STORLAB_OP_FLUSH,
	STORLAB_OP_DISCARD,
	STORLAB_OP_WRITE_ZEROES,
	/* A command of the device's own (GET_ID, a malformed request for a
	 * test): cmd points at it, as the device's header says
	 * (storlab/virtio_blk.h: struct storlab_virtio_blk_cmd). */
	STORLAB_OP_DEVICE,
};

#define STORLAB_REQ_UNMAP 1u /* write-zeroes: the device may deallocate */

/* One request. Offsets and lengths are bytes, multiples of 512. */
struct storlab_req {
	enum storlab_op op;
	uint32_t flags;		 /* STORLAB_REQ_UNMAP, for write-zeroes */
	uint64_t offset;	 /* read, write, discard, write-zeroes */
	uint64_t len;		 /* discard, write-zeroes (read and write: the iovecs') */
	const struct iovec *iov; /* read, write: library memory */
	unsigned iovcnt;
	const void *cmd; /* STORLAB_OP_DEVICE */
	void *tag;	 /* given back with the completion */
};

/*
 * Queues one request and returns 0, or -EINVAL (offset or length not a
 * multiple of 512, too many segments, a flag or op the transport does not
 * know), -EFAULT (a buffer is not library memory), -EAGAIN (queue full:
 * reap first), -ENOTCONN (dead device). Requests become visible to the
 * device at storlab_queue_submit() or storlab_queue_reap(), so a batch
 * costs one notification at most (and none when the device polls).
 *
 * The library sends what it is asked to: it does not refuse a write to a
 * read-only device or a flush the device did not say it does; the device
 * answers.
 */
int storlab_queue_add(struct storlab_queue *q, const struct storlab_req *req);

/* Makes queued requests visible and notifies the device if it asks.
 * 0 or -ENOTCONN. */
int storlab_queue_submit(struct storlab_queue *q);

enum storlab_status {
	STORLAB_STATUS_OK,
	STORLAB_STATUS_ERROR,	      /* the device failed it, or answered nonsense */
	STORLAB_STATUS_UNSUPPORTED,   /* the device does not do this request */
	STORLAB_STATUS_NOT_CONNECTED, /* in flight at a disconnect: done or not, unknown */
};

struct storlab_completion {
	void *tag; /* as given at submission */
	/* The status as an errno: 0 (OK), -EIO (ERROR), -ENOTSUP
	 * (UNSUPPORTED), -ECONNRESET (NOT_CONNECTED), and -EPROTO for an
	 * ERROR that is an answer the transport cannot read. */
	int ret;
	uint8_t status; /* enum storlab_status */
	/* The transport's own status, for those who want it: the virtio-blk
	 * status byte (STORLAB_VIRTIO_BLK_S_NONE: none written). */
	uint16_t transport_status;
	uint32_t len; /* bytes the device says it wrote into the buffers */
};

/*
 * Submits what is queued, then reaps up to max completions into c[].
 *   min 0: never waits (busy polling: call it in a loop).
 *   min > 0: waits on the queue's event fd until min completions arrived
 *            or timeout_ms (-1: forever) passed.
 * Returns the number reaped (fewer than min only if the timeout expired),
 * -ETIMEDOUT if none arrived before the timeout, or -ENOTCONN once the
 * device is dead and every in-flight request was returned.
 */
int storlab_queue_reap(struct storlab_queue *q, struct storlab_completion *c, unsigned min,
		       unsigned max, int timeout_ms);

/* Requests submitted (or queued) and not yet reaped. */
unsigned storlab_queue_inflight(const struct storlab_queue *q);

/* The transport's name for c's status, as its spec spells it ("OK",
 * "IOERR", "UNSUPP", "NONE" for virtio-blk), for messages and reports. */
const char *storlab_queue_status_name(const struct storlab_queue *q,
				      const struct storlab_completion *c);

/*
 * Event-driven use: the fd becomes readable when the device signals a
 * completion, once notifications are enabled. Then call storlab_queue_reap()
 * with min 0; it clears the fd. The fd may also wake without a completion
 * (libvhost-user signals each call fd it is given): reap then returns 0.
 * Disabled by default (busy polling needs no notifications, and the device
 * is spared a signal per batch).
 */
int storlab_queue_fd(const struct storlab_queue *q);
void storlab_queue_set_fd_enabled(struct storlab_queue *q, bool enabled);

#endif
