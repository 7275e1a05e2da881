/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TARGET_BDEV_H
#define STORLAB_TARGET_BDEV_H

/*
 * The block-device layer: named block devices, each served by a backend
 * (null, malloc, file/io_uring, ...), and an asynchronous I/O API.
 *
 * Threads. bdevs are created, looked up, opened and deleted on the control
 * thread. I/O is submitted on reactors through channels: a channel binds one
 * bdev to one reactor (its own io_uring, its own completion list), so the
 * I/O path takes no lock. bdev_channel_get() on a reactor returns that
 * reactor's channel (created on first use, reference counted) and registers
 * the backend's completion poller on it.
 *
 * The async contract (as SPDK's): bdev_submit() returns 0 and later calls
 * io->cb exactly once, on the same reactor, from a poller (never from inside
 * bdev_submit); or it returns a negative errno and never calls it.
 *
 * A poller (or message) that submitted I/O must return POLLER_BUSY: backends
 * hand work to the kernel or complete it from their own poller in the next
 * round, and null and malloc have no wake fd, so in interrupt and adaptive
 * modes a reactor that went to sleep right after a submit would strand it.
 *
 * Memory. struct bdev_io is owned by the caller (embed it in your request):
 * no allocation on the I/O path. iov points at the caller's buffers, which
 * must stay valid until the callback; they are used in place (zero copy).
 *
 * Taking I/O back (SCSI task management, NVMe Abort, a controller reset):
 * bdev_abort() asks for one I/O, bdev_channel_reset() for everything a
 * channel carries. Both keep the contract: an I/O taken back completes once,
 * with -ECANCELED, from the channel's poller; one the backend could not
 * take back completes with its own status; nothing calls back inside them.
 *
 * Limits. What a bdev takes in one READ / WRITE (bytes, iovecs, buffer
 * alignment) and its preferred size: every frontend reads them with
 * bdev_get_limits() and derives what it advertises from them;
 * bdev_submit() refuses what breaks them.
 *
 * Channel lifetime. A channel outlives its last bdev_channel_put() while I/O
 * it carries is in flight (their callbacks still run) or while its own
 * poller is running; it is destroyed on its reactor as soon as neither
 * holds. Until then the bdev cannot be unregistered (-EBUSY).
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <jansson.h>

enum bdev_io_type {
	BDEV_IO_READ,
	BDEV_IO_WRITE,
	BDEV_IO_FLUSH,
	BDEV_IO_UNMAP,        /* discard: contents become undefined (zeroes for ours) */
	BDEV_IO_WRITE_ZEROES, /* contents become zeroes */
	BDEV_IO_TYPE_COUNT,
};

struct bdev;
struct bdev_channel;
struct bdev_io;
struct bdev_io_list;

typedef void (*bdev_io_cb)(struct bdev_io *io, int status, void *cb_arg);

/* Room backends may use inside each bdev_io (an io_uring user_data link...). */
#define BDEV_IO_DRIVER_CTX 64

struct bdev_io {
	enum bdev_io_type type;
	uint64_t offset_blocks;
	uint64_t num_blocks;
	struct iovec *iov;      /* READ/WRITE only */
	int iovcnt;
	bdev_io_cb cb;          /* status: 0 or a negative errno */
	void *cb_arg;
	struct bdev_channel *ch;
	struct bdev_io *next;   /* backends' completion lists */
	/* The layer's: in flight or not, and since which reset. */
	uint8_t state;
	uint8_t gen;
	uint64_t driver_ctx[BDEV_IO_DRIVER_CTX / 8];
};

/* A backend: one const table, nothing else to plug in (STYLE.md). */
struct bdev_fn_table {
	const char *backend;    /* "null", "malloc", "uring" */
	/* On the channel's reactor. Returns 0 and completes io later through
	 * bdev_io_complete(), or a negative errno (then no callback). */
	int (*submit)(void *ch_ctx, struct bdev_io *io);
	bool (*io_type_supported)(struct bdev *bdev, enum bdev_io_type type);
	/* Per-reactor context, ch_ctx_size bytes, zeroed. On the reactor.
	 * channel_create and channel_destroy may be NULL (nothing to set up). */
	size_t ch_ctx_size;
	int (*channel_create)(struct bdev *bdev, void *ch_ctx);
	void (*channel_destroy)(struct bdev *bdev, void *ch_ctx);
	/* Completes finished I/O; POLLER_BUSY / POLLER_IDLE. On the reactor. */
	int (*channel_poll)(void *ch_ctx);
	/* May be NULL (nothing can be taken back). Takes io, in flight on this
	 * channel, back before it reaches the medium: 0 (the backend forgets
	 * it; the layer completes it with -ECANCELED), or -EBUSY (too late: it
	 * completes as usual). On the reactor. */
	int (*abort)(void *ch_ctx, struct bdev_io *io);
	/* May be NULL. The same for every I/O it can still take back: moves
	 * them to *taken (a struct bdev_io_list, bdev_io_list.h). */
	void (*abort_all)(void *ch_ctx, struct bdev_io_list *taken);
	/* An eventfd that becomes readable when channel_poll has work (interrupt
	 * mode), or -1. */
	int (*channel_wake_fd)(void *ch_ctx);
	/* Frees backend state once no channel and no user is left. */
	void (*destruct)(struct bdev *bdev);
	/* Adds backend-specific fields to bdev_get_bdevs output (may be NULL). */
	void (*dump_info_json)(struct bdev *bdev, json_t *driver_specific);
};

struct bdev_watch;

struct bdev {
	char name[64];
	char uuid[37];
	char product_name[32];
	uint32_t block_size;
	uint64_t num_blocks; /* may grow while open (bdev_resize): read it atomically */
	/* Limits (bdev_get_limits reads them): 0 means none, except the
	 * alignment, whose "any" is 1. Set by the backend before registering. */
	uint32_t max_transfer_bytes; /* of one READ / WRITE */
	uint32_t max_segments;	     /* iovecs of one READ / WRITE */
	uint32_t required_alignment; /* every buffer's address and length */
	uint32_t optimal_io_bytes;   /* the size I/O is best split at */
	bool write_cache;
	const struct bdev_fn_table *fn;
	void *ctx;              /* the backend's */
	/* Owned by the bdev layer: */
	uint32_t open_count;
	struct bdev_watch *watches;
	struct bdev *next;
	struct bdev_layer *layer; /* channels and I/O statistics (bdev_channel.c) */
};

/* What one READ / WRITE may be, as every frontend reads it: no zeroes here
 * ("no limit" reads as the largest value), sizes in bytes. */
struct bdev_limits {
	uint32_t block_size;
	uint32_t max_transfer_bytes; /* a multiple of block_size */
	uint32_t max_segments;
	uint32_t required_alignment; /* a power of two; 1 = any */
	uint32_t optimal_io_bytes;   /* 0: no preference */
};

/* I/O that completed on a bdev since it was registered, indexed by type.
 * Successful I/O counts in ops and bytes (num_blocks * block_size, for every
 * type), failed I/O in errors only. */
struct bdev_io_stat {
	uint64_t ops[BDEV_IO_TYPE_COUNT];
	uint64_t bytes[BDEV_IO_TYPE_COUNT];
	uint64_t errors;
};

/* ---- Control thread ---- */

/* Registers a backend-filled bdev. -EEXIST if the name is taken. Generates a
 * uuid if empty. */
int bdev_register(struct bdev *bdev);
/* Unregisters and destructs; -EBUSY while open, -ENOENT if unknown. */
int bdev_unregister(const char *name);
struct bdev *bdev_get_by_name(const char *name);
/* Iteration: first, then next (NULL at the end). */
struct bdev *bdev_first(void);
struct bdev *bdev_next(struct bdev *bdev);
/* Users (controllers) open a bdev so it cannot be deleted under them. */
int bdev_open(struct bdev *bdev);
void bdev_close(struct bdev *bdev);

/* A user that follows the bdev's size (a SCSI LUN announces a new
 * capacity): resized runs on the control thread once the new size is in
 * place. Added while the user has the bdev open, removed before it closes. */
struct bdev_watch {
	void (*resized)(struct bdev_watch *w, struct bdev *bdev);
	struct bdev_watch *next;
};
void bdev_watch_add(struct bdev *bdev, struct bdev_watch *w);
void bdev_watch_remove(struct bdev *bdev, struct bdev_watch *w);

/* Gives the bdev num_blocks blocks (a backend that can change its size
 * calls it, once it can serve them). Growing is always allowed; shrinking
 * only while nobody has it open (-EBUSY), since a user's I/O could reach
 * past the new end (the rule of SPDK's spdk_bdev_notify_blockcnt_change).
 * Channels check ranges against the new size from their next submission;
 * then every watch is told. -EINVAL for an unusable size. */
int bdev_resize(struct bdev *bdev, uint64_t num_blocks);
/* The size of bdev, from any thread. */
static inline uint64_t bdev_num_blocks(const struct bdev *bdev)
{
	return __atomic_load_n(&bdev->num_blocks, __ATOMIC_RELAXED);
}
/* The bdev_get_bdevs JSON object of one bdev (SPDK's field names). */
json_t *bdev_to_json(struct bdev *bdev);
/* Unregisters every bdev that is not open (shutdown). */
void bdev_unregister_all(void);
/* Any thread: the bdev's limits are fixed at registration. */
void bdev_get_limits(const struct bdev *bdev, struct bdev_limits *lim);
/* The sum over every reactor; a racy snapshot (counters move while read). */
void bdev_get_io_stat(struct bdev *bdev, struct bdev_io_stat *stat);
/* One entry of SPDK's bdev_get_iostat "bdevs" array: name, bytes_read,
 * num_read_ops, bytes_written, num_write_ops, bytes_unmapped, num_unmap_ops,
 * and ours: bytes_zeroed, num_write_zeroes_ops, num_flush_ops, num_io_errors. */
json_t *bdev_io_stat_to_json(struct bdev *bdev);

/* ---- Reactor threads ---- */

/* Gets (creating if needed) the calling reactor's channel to bdev. NULL on
 * error (logged). Put with bdev_channel_put() on the same reactor. The
 * caller's user must hold the bdev open (bdev_open) while it has channels. */
struct bdev_channel *bdev_channel_get(struct bdev *bdev);
void bdev_channel_put(struct bdev_channel *ch);
struct bdev *bdev_channel_bdev(const struct bdev_channel *ch);

/* Fill io's type, offset_blocks, num_blocks, iov/iovcnt, cb, cb_arg, then
 * submit. Checks range (-ERANGE past the end), iov length == num_blocks *
 * block_size, the bdev's limits (-EINVAL) and support (-ENOTSUP) before the
 * backend sees it. num_blocks 0 is -EINVAL except for FLUSH (a flush of the
 * whole device). */
int bdev_submit(struct bdev_channel *ch, struct bdev_io *io);

/* Takes back io, in flight on ch (SCSI ABORT TASK, NVMe Abort). Returns 0:
 * io completes with -ECANCELED, later, from the channel's poller; -EBUSY:
 * too late, it completes with its own status; -EALREADY: already taken
 * back; -ENOENT: io is not in flight on ch. Never calls back inside. */
int bdev_abort(struct bdev_channel *ch, struct bdev_io *io);

typedef void (*bdev_reset_cb)(void *cb_arg);
/* Resets ch (SCSI LUN reset, NVMe controller reset): every I/O submitted on
 * ch before the call completes, those the backend can still take back with
 * -ECANCELED, the rest with their own status; then cb(cb_arg) is called
 * once, from the channel's poller (never inside this call). I/O submitted
 * after the call is not waited for. Returns 0, or -EBUSY (a reset of ch is
 * under way; no callback). As after a submit, the caller's poller must
 * return POLLER_BUSY. */
int bdev_channel_reset(struct bdev_channel *ch, bdev_reset_cb cb, void *cb_arg);

/* Runs the channel's poll now, as its poller would: hands what was submitted
 * to the backend and calls back what finished. For a user that just
 * submitted a batch, so its completions need not wait for the channel's
 * poller in the next reactor iteration. On the channel's reactor, never from
 * an I/O callback; the callbacks run inside it (still never inside
 * bdev_submit). POLLER_BUSY / POLLER_IDLE. */
int bdev_channel_poll(struct bdev_channel *ch);

/* Backends: called on the channel's reactor from channel_poll. */
void bdev_io_complete(struct bdev_io *io, int status);
void *bdev_channel_ctx(struct bdev_channel *ch);

/* ---- Backends (explicit list, no self-registration) ---- */

/* Each returns 0 or a negative errno (logged); -EEXIST for a taken name.
 * block_size: a power of two in [512, 65536].
 * null: writes are discarded and reads do not touch the buffers (as SPDK's
 * null bdev: they are not zeroed). */
int bdev_null_create(const char *name, uint64_t num_blocks, uint32_t block_size);
/* SPDK's bdev_null_resize: the null bdev name gets num_blocks blocks
 * (bdev_resize's rules). -ENODEV: no such bdev; -EINVAL: not a null bdev
 * or an unusable size; -EBUSY: a shrink while open. */
int bdev_null_resize(const char *name, uint64_t num_blocks);
int bdev_malloc_create(const char *name, uint64_t num_blocks, uint32_t block_size);
/* filename: a regular file or block device; block_size 0 = the device's
 * logical block size (512 for a regular file). A regular file's size is
 * rounded down to whole blocks. Any buffer alignment works: aligned buffers
 * use O_DIRECT, others the page cache (bdev_uring.c says how). */
int bdev_uring_create(const char *name, const char *filename, uint32_t block_size);
/* SPDK's bdev_uring_rescan / bdev_aio_rescan: the size of the file or
 * device behind uring bdev name, read again (bdev_resize's rules; the same
 * errors as bdev_null_resize). */
int bdev_uring_rescan(const char *name);

/* Latencies of a delay bdev, in microseconds: reads wait avg_read_us, every
 * other type avg_write_us; one I/O in a hundred waits the p99 of its kind. */
struct bdev_delay_opts {
	uint64_t avg_read_us;
	uint64_t p99_read_us;
	uint64_t avg_write_us;
	uint64_t p99_write_us;
};
/* A bdev on top of base_name (held open while it exists) that holds each
 * I/O for its latency before passing it on (bdev_delay.c). -ENODEV if there
 * is no such base. */
int bdev_delay_create(const char *name, const char *base_name, const struct bdev_delay_opts *o);

#endif
