/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_INITIATOR_H
#define STORLAB_INITIATOR_H

/*
 * libstorlab-initiator: a userspace virtio-blk driver that plays the VM in
 * front of a vhost-user-blk back-end (our storlab-tgt, SPDK, QEMU's
 * storage daemon, ...). libblkio is the model: opaque handles, I/O buffers
 * that must come from memory the library shares with the device, queues used
 * by one thread each, and completions reaped with a min, a max and a timeout.
 *
 * Set-up. storlab_dev_open() connects to the URI, creates one memfd as guest
 * memory (one region: guest-physical address 0 is the first byte of the
 * memfd), negotiates features, reads the config space and starts the
 * queues. The rings and the request headers live in that memory too.
 *
 * Errors are negative errnos. The library logs through lib/util/log.h
 * (component "initiator") and never exits or prints.
 *
 * Threading. Device calls (open, close, reconnect, info) are made by one
 * thread while no queue is in use. storlab_buf_alloc()/free() are thread
 * safe. Each queue is used by one thread at a time; different queues may be
 * used by different threads at once without locks.
 *
 * Disconnects. When the back-end goes away (its socket closes), the first
 * queue call that notices marks the device dead. Submissions then return
 * -ENOTCONN, and every request that was in flight completes (through
 * storlab_queue_reap) with ret -ECONNRESET and status STORLAB_STATUS_NONE:
 * whether the device executed it is unknown. Busy polling notices a dead
 * back-end within a few thousand empty polls; a blocking reap at once.
 * storlab_dev_reconnect() then re-does the whole set-up on a new connection
 * (same memory, same buffers, same queue handles, empty rings).
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
/* Most data buffers (iovecs) one request may carry. */
#define STORLAB_MAX_SEGMENTS 64
/* Bytes GET_ID returns (virtio 1.2 §5.2.6). */
#define STORLAB_ID_BYTES 20

struct storlab_dev_opts {
	uint16_t num_queues; /* 0: 1 */
	uint16_t queue_size; /* a power of 2; 0: STORLAB_DEFAULT_QUEUE_SIZE */
	uint64_t mem_size;   /* bytes of guest memory for rings and buffers;
			      * 0: STORLAB_DEFAULT_MEM_SIZE */
	int timeout_ms;	     /* bounds each vhost-user reply wait; 0: default */
	/* Virtio feature bits never to acknowledge, even if both sides support
	 * them (e.g. 1 << VIRTIO_RING_F_EVENT_IDX), for tests and comparisons. */
	uint64_t features_disable;
};

/*
 * uri: "vhost-user-blk:/path/to/socket". opts may be NULL (all defaults).
 * Returns 0 with *dev set, or -EINVAL (bad URI or options), -EPROTONOSUPPORT
 * (unknown scheme), -ENOTSUP (the device lacks VERSION_1 or the queues asked
 * for), -ECONNREFUSED/-ENOENT (nobody listens), -ETIMEDOUT, -EPROTO, -ENOMEM.
 */
int storlab_dev_open(const char *uri, const struct storlab_dev_opts *opts,
		     struct storlab_dev **dev);
/* Closes the connection and frees everything, buffers included. */
void storlab_dev_close(struct storlab_dev *dev);

/*
 * Connects again and re-does the whole set-up, e.g. after the target was
 * restarted. Every request must have been reaped first (-EBUSY otherwise).
 * Returns 0 or what storlab_dev_open() returns; on failure the device stays
 * dead and the call may be retried.
 */
int storlab_dev_reconnect(struct storlab_dev *dev);
/* False once a disconnect was noticed, until a successful reconnect. */
bool storlab_dev_connected(const struct storlab_dev *dev);

/* The virtio-blk config space (virtio 1.2 §5.2.4), host order. A field is
 * meaningful only if its feature was negotiated. */
struct storlab_blk_config {
	uint64_t capacity; /* 512-byte sectors */
	uint32_t size_max;
	uint32_t seg_max;
	uint16_t cylinders;
	uint8_t heads;
	uint8_t sectors;
	uint32_t blk_size;
	uint8_t physical_block_exp;
	uint8_t alignment_offset;
	uint16_t min_io_size;
	uint32_t opt_io_size;
	uint8_t writeback;
	uint16_t num_queues;
	uint32_t max_discard_sectors;
	uint32_t max_discard_seg;
	uint32_t discard_sector_alignment;
	uint32_t max_write_zeroes_sectors;
	uint32_t max_write_zeroes_seg;
	uint8_t write_zeroes_may_unmap;
	uint32_t max_secure_erase_sectors;
	uint32_t max_secure_erase_seg;
	uint32_t secure_erase_sector_alignment;
};

struct storlab_dev_info {
	const char *transport;		    /* "vhost-user-blk" */
	const char *path;		    /* socket path */
	uint64_t capacity;		    /* bytes */
	uint32_t block_size;		    /* blk_size if negotiated, else 512 */
	bool read_only;			    /* VIRTIO_BLK_F_RO negotiated */
	uint64_t features_offered;	    /* virtio features, GET_FEATURES */
	uint64_t features_negotiated;	    /* what we acknowledged */
	uint64_t protocol_features_offered; /* vhost-user protocol features */
	uint64_t protocol_features_negotiated;
	uint16_t max_queues; /* what the device supports */
	uint16_t num_queues; /* what we set up */
	uint16_t queue_size;
	uint64_t mem_size;
	uint32_t config_size; /* config bytes read (0: no CONFIG) */
	struct storlab_blk_config config;
};
/* Valid until the next reconnect or close. */
void storlab_dev_get_info(const struct storlab_dev *dev, struct storlab_dev_info *info);

/* Names for reports: NULL for bits we do not know. */
const char *storlab_feature_name(unsigned bit);
const char *storlab_protocol_feature_name(unsigned bit);

/* ---- I/O buffers: requests may only point into memory from here. ---- */

/* align: a power of 2, 0 for 4096. Returns 0 with *buf set, -EINVAL or
 * -ENOMEM (the memory of opts.mem_size is used up). Thread safe. */
int storlab_buf_alloc(struct storlab_dev *dev, size_t len, size_t align, void **buf);
/* buf: what storlab_buf_alloc returned, or NULL. Thread safe. */
void storlab_buf_free(struct storlab_dev *dev, void *buf);

/* ---- Queues ---- */

/* index < info.num_queues, else NULL. The handle lives as long as dev. */
struct storlab_queue *storlab_dev_queue(struct storlab_dev *dev, unsigned index);

/* The status byte (virtio 1.2 §5.2.6) and our value for "none written". */
#define STORLAB_STATUS_OK     0
#define STORLAB_STATUS_IOERR  1
#define STORLAB_STATUS_UNSUPP 2
#define STORLAB_STATUS_NONE   0xff
/* "OK", "IOERR", "UNSUPP", "NONE", or "UNKNOWN". */
const char *storlab_status_name(uint8_t status);

struct storlab_completion {
	void *tag; /* as given at submission */
	/* 0 (OK), -EIO (IOERR), -ENOTSUP (UNSUPP), -EPROTO (any other status
	 * byte, or none written), -ECONNRESET (in flight at a disconnect). */
	int ret;
	uint8_t status; /* the byte the device wrote, STORLAB_STATUS_NONE if none */
	uint32_t len;	/* the used length the device reported */
};

/*
 * Submissions. Each queues one request and returns 0, or -EINVAL (offset or
 * length not a multiple of 512, too many segments), -EFAULT (a buffer is not
 * library memory), -EAGAIN (queue full: reap first), -ENOTCONN (dead
 * back-end). Requests become visible to the device at storlab_queue_submit()
 * or storlab_queue_reap(), so a batch costs one notification at most (and
 * none when the device polls: the ring says whether to kick).
 *
 * The library sends what it is asked to: it does not refuse a write to a
 * read-only device or a flush without VIRTIO_BLK_F_FLUSH; the device answers.
 * Offsets and lengths are in bytes.
 */
int storlab_queue_read(struct storlab_queue *q, uint64_t offset, const struct iovec *iov,
		       unsigned iovcnt, void *tag);
int storlab_queue_write(struct storlab_queue *q, uint64_t offset, const struct iovec *iov,
			unsigned iovcnt, void *tag);
int storlab_queue_flush(struct storlab_queue *q, void *tag);
int storlab_queue_discard(struct storlab_queue *q, uint64_t offset, uint64_t len, void *tag);
#define STORLAB_REQ_UNMAP 1u /* write-zeroes: the device may deallocate */
int storlab_queue_write_zeroes(struct storlab_queue *q, uint64_t offset, uint64_t len,
			       uint32_t flags, void *tag);
/* buf: STORLAB_ID_BYTES of library memory. */
int storlab_queue_get_id(struct storlab_queue *q, void *buf, void *tag);

/* Any request, for error-status tests: a header with this type, ioprio and
 * sector, then out[] (device-readable), in[] (device-writable) and the
 * status byte. Buffers must be library memory. */
struct storlab_raw_req {
	uint32_t type;
	uint32_t ioprio;
	uint64_t sector;
	const struct iovec *out;
	unsigned nout;
	const struct iovec *in;
	unsigned nin;
};
int storlab_queue_raw(struct storlab_queue *q, const struct storlab_raw_req *req, void *tag);

/* Makes queued requests visible and notifies the device if its ring asks.
 * 0 or -ENOTCONN. */
int storlab_queue_submit(struct storlab_queue *q);

/*
 * Submits what is queued, then reaps up to max completions into c[].
 *   min 0: never waits (busy polling: call it in a loop).
 *   min > 0: waits on the queue's call eventfd until min completions arrived
 *            or timeout_ms (-1: forever) passed.
 * Returns the number reaped (fewer than min only if the timeout expired),
 * -ETIMEDOUT if none arrived before the timeout, or -ENOTCONN once the
 * device is dead and every in-flight request was returned.
 */
int storlab_queue_reap(struct storlab_queue *q, struct storlab_completion *c, unsigned min,
		       unsigned max, int timeout_ms);

/* Requests submitted (or queued) and not yet reaped. */
unsigned storlab_queue_inflight(const struct storlab_queue *q);

/*
 * Event-driven use: the fd becomes readable when the device signals a
 * completion, once notifications are enabled. Then call storlab_queue_reap()
 * with min 0; it clears the fd. The fd may also wake without a completion
 * (libvhost-user signals each call fd it is given): reap then returns 0.
 * Disabled by default (busy polling needs no notifications, and the device
 * is spared an eventfd write per batch).
 */
int storlab_queue_fd(const struct storlab_queue *q);
void storlab_queue_set_fd_enabled(struct storlab_queue *q, bool enabled);

#endif
