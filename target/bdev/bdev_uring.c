/* SPDX-License-Identifier: MIT */
/*
 * The file backend: a regular file or a block device through io_uring.
 *
 * One ring per channel. submit() only prepares an SQE; the channel's poller
 * submits everything prepared since its last run in one io_uring_enter and
 * reaps completions, so a burst of requests costs one system call. When the
 * SQ is full, or as many requests are in the kernel as the CQ can hold (so
 * the CQ never overflows), requests wait on a list in submission order and
 * go out as room frees up: the caller never sees -EAGAIN.
 *
 * Zero copy: the caller's iov goes to the kernel as is. The file is opened
 * twice: with O_DIRECT where the file system allows it, and without. A
 * request whose every buffer address and length meets the file's O_DIRECT
 * alignment (statx STATX_DIOALIGN) uses the O_DIRECT fd; any other request
 * uses the buffered fd rather than being bounce-copied. The kernel keeps
 * the two coherent: an O_DIRECT read writes back dirty cached pages of its
 * range first, an O_DIRECT write invalidates them after.
 *
 * Aborts take back requests still waiting for room; one in the kernel
 * completes as it will.
 *
 * Short transfers: io_uring already retries partial buffered reads and
 * writes internally, so a short readv/writev means the file shrank under us
 * (a read at EOF inside the bdev) or the file system ran out of room. Such a
 * request fails with -EIO (logged); it is not resubmitted.
 *
 * Unmap and write-zeroes use fallocate: unmap punches a hole, write-zeroes
 * zeroes the range (FALLOC_FL_ZERO_RANGE), both with KEEP_SIZE, which block
 * devices accept too. If the file system refuses one way (-EOPNOTSUPP), the
 * request tries the next (the other fallocate mode, then writing zeroes from
 * a read-only zero mapping, 1 MiB per SQE), and the bdev remembers where to
 * start from then on. Unmapped blocks read as zeroes either way.
 */
#define LOG_COMPONENT "bdev_uring"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/fs.h>
#include <liburing.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env/env.h"
#include "target/bdev/bdev_internal.h"
#include "target/bdev/bdev_io_list.h"
#include "util/common.h"

#define URING_ENTRIES 512
#define URING_REAP_BATCH 64
#define ZERO_BUF_SIZE (1u << 20)
/* O_DIRECT alignment to assume when the kernel cannot tell (before 6.1). */
#define DIO_ALIGN_GUESS 4096u

/* The ways of zeroing a range, in the order each type tries them. */
enum zero_way {
	ZERO_PUNCH_HOLE,
	ZERO_RANGE,
	ZERO_WRITE,
	ZERO_WAY_COUNT,
};

enum zero_kind {
	ZERO_KIND_UNMAP,
	ZERO_KIND_WRITE_ZEROES,
	ZERO_KIND_COUNT,
};

static const enum zero_way g_zero_chain[ZERO_KIND_COUNT][ZERO_WAY_COUNT] = {
	[ZERO_KIND_UNMAP] = { ZERO_PUNCH_HOLE, ZERO_RANGE, ZERO_WRITE },
	[ZERO_KIND_WRITE_ZEROES] = { ZERO_RANGE, ZERO_PUNCH_HOLE, ZERO_WRITE },
};

static const int g_falloc_mode[] = {
	[ZERO_PUNCH_HOLE] = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
	[ZERO_RANGE] = FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
};

struct uring_bdev {
	struct bdev bdev;
	char filename[PATH_MAX];
	int fd;          /* buffered */
	int fd_direct;   /* O_DIRECT, or -1 */
	uint32_t dio_mem_align;
	uint32_t dio_len_align;
	bool is_blockdev;
	const void *zero_buf;
	/* Per zero_kind: the first step of g_zero_chain known not to be refused.
	 * Any reactor may move it forward; a stale read only costs a retry. */
	_Atomic uint8_t zero_start[ZERO_KIND_COUNT];
};

struct uring_channel {
	struct io_uring ring;
	struct uring_bdev *ub;
	struct bdev_io_list waiting; /* no room in the rings yet */
	unsigned inflight;           /* SQEs prepared, CQE not yet reaped */
	unsigned max_inflight;       /* the CQ's size */
	int efd;
};

/* Lives in bdev_io.driver_ctx. */
struct uring_io {
	uint64_t zeroed; /* ZERO_WRITE: bytes written so far */
	uint8_t step;    /* position in g_zero_chain */
};
_Static_assert(sizeof(struct uring_io) <= BDEV_IO_DRIVER_CTX, "uring_io must fit driver_ctx");

static inline struct uring_io *uring_io(struct bdev_io *io)
{
	return (struct uring_io *)io->driver_ctx;
}

static inline enum zero_kind zero_kind(const struct bdev_io *io)
{
	return io->type == BDEV_IO_UNMAP ? ZERO_KIND_UNMAP : ZERO_KIND_WRITE_ZEROES;
}

/* The O_DIRECT fd if every buffer meets its alignment, else the buffered one. */
static int uring_rw_fd(const struct uring_bdev *ub, const struct bdev_io *io)
{
	if (ub->fd_direct < 0)
		return ub->fd;
	for (int i = 0; i < io->iovcnt; i++) {
		if (((uintptr_t)io->iov[i].iov_base & (ub->dio_mem_align - 1)) ||
		    (io->iov[i].iov_len & (ub->dio_len_align - 1)))
			return ub->fd;
	}
	return ub->fd_direct;
}

static void uring_prep_zero(const struct uring_bdev *ub, struct io_uring_sqe *sqe,
			    struct bdev_io *io, uint64_t offset, uint64_t len)
{
	struct uring_io *u = uring_io(io);
	enum zero_way way = g_zero_chain[zero_kind(io)][u->step];

	if (way == ZERO_WRITE)
		io_uring_prep_write(sqe, ub->fd, ub->zero_buf, MIN(len - u->zeroed, ZERO_BUF_SIZE),
				    offset + u->zeroed);
	else
		io_uring_prep_fallocate(sqe, ub->fd, g_falloc_mode[way], (off_t)offset,
					(off_t)len);
}

/* Prepares io's next SQE; false if there is no room for it now. */
static bool uring_prep(struct uring_channel *ch, struct bdev_io *io)
{
	const struct uring_bdev *ub = ch->ub;
	uint64_t offset = io->offset_blocks * ub->bdev.block_size;
	struct io_uring_sqe *sqe;

	if (ch->inflight >= ch->max_inflight)
		return false;
	sqe = io_uring_get_sqe(&ch->ring);
	if (!sqe)
		return false;
	switch (io->type) {
	case BDEV_IO_READ:
		io_uring_prep_readv(sqe, uring_rw_fd(ub, io), io->iov, (unsigned)io->iovcnt,
				    offset);
		break;
	case BDEV_IO_WRITE:
		io_uring_prep_writev(sqe, uring_rw_fd(ub, io), io->iov, (unsigned)io->iovcnt,
				     offset);
		break;
	case BDEV_IO_FLUSH:
		io_uring_prep_fsync(sqe, ub->fd, IORING_FSYNC_DATASYNC);
		break;
	default:
		uring_prep_zero(ub, sqe, io, offset, io->num_blocks * ub->bdev.block_size);
		break;
	}
	io_uring_sqe_set_data(sqe, io);
	ch->inflight++;
	return true;
}

/* Queues behind earlier waiters, so requests go out in submission order. */
static void uring_queue(struct uring_channel *ch, struct bdev_io *io)
{
	if (!bdev_io_list_empty(&ch->waiting) || !uring_prep(ch, io))
		bdev_io_list_push(&ch->waiting, io);
}

static int uring_submit(void *ch_ctx, struct bdev_io *io)
{
	struct uring_channel *ch = ch_ctx;

	switch (io->type) {
	case BDEV_IO_UNMAP:
	case BDEV_IO_WRITE_ZEROES:
		uring_io(io)->zeroed = 0;
		uring_io(io)->step = atomic_load_explicit(&ch->ub->zero_start[zero_kind(io)],
							  memory_order_relaxed);
		break;
	default:
		break;
	}
	uring_queue(ch, io);
	return 0;
}

static void uring_zero_done(struct uring_channel *ch, struct bdev_io *io, int res)
{
	struct uring_bdev *ub = ch->ub;
	struct uring_io *u = uring_io(io);
	enum zero_kind kind = zero_kind(io);
	uint64_t len = io->num_blocks * ub->bdev.block_size;

	if (g_zero_chain[kind][u->step] != ZERO_WRITE) {
		if (res != -EOPNOTSUPP && res != -ENOSYS) {
			bdev_io_complete(io, res);
			return;
		}
		u->step++;
		if (atomic_load_explicit(&ub->zero_start[kind], memory_order_relaxed) < u->step) {
			atomic_store_explicit(&ub->zero_start[kind], u->step, memory_order_relaxed);
			log_info("bdev %s: fallocate mode refused for %s, trying the next way",
				 ub->bdev.name, kind == ZERO_KIND_UNMAP ? "unmap" : "write_zeroes");
		}
		uring_queue(ch, io);
		return;
	}
	if (res <= 0) {
		log_err("bdev %s: writing zeroes at byte %" PRIu64 ": %s", ub->bdev.name,
			io->offset_blocks * ub->bdev.block_size + u->zeroed,
			res ? strerror(-res) : "no progress");
		bdev_io_complete(io, res ? res : -EIO);
		return;
	}
	u->zeroed += (uint64_t)res;
	if (u->zeroed < len)
		uring_queue(ch, io);
	else
		bdev_io_complete(io, 0);
}

static void uring_complete(struct uring_channel *ch, struct bdev_io *io, int res)
{
	uint64_t len;

	switch (io->type) {
	case BDEV_IO_READ:
	case BDEV_IO_WRITE:
		len = io->num_blocks * ch->ub->bdev.block_size;
		if (res >= 0 && (uint64_t)res != len) {
			log_err("bdev %s: short %s at block %" PRIu64 ": %d of %" PRIu64 " bytes",
				ch->ub->bdev.name, io->type == BDEV_IO_READ ? "read" : "write",
				io->offset_blocks, res, len);
			res = -EIO;
		}
		bdev_io_complete(io, res < 0 ? res : 0);
		break;
	case BDEV_IO_FLUSH:
		bdev_io_complete(io, res);
		break;
	default:
		uring_zero_done(ch, io, res);
		break;
	}
}

static int uring_channel_poll(void *ch_ctx)
{
	struct uring_channel *ch = ch_ctx;
	struct io_uring_cqe *cqes[URING_REAP_BATCH];
	struct {
		struct bdev_io *io;
		int res;
	} done[URING_REAP_BATCH];
	struct bdev_io *io;
	unsigned n;
	int rc;
	bool busy = false;

	while ((io = bdev_io_list_pop(&ch->waiting))) {
		if (!uring_prep(ch, io)) {
			bdev_io_list_push_front(&ch->waiting, io);
			break;
		}
	}
	if (io_uring_sq_ready(&ch->ring)) {
		rc = io_uring_submit(&ch->ring);
		if (rc > 0)
			busy = true;
		else if (rc < 0 && rc != -EAGAIN && rc != -EBUSY && rc != -EINTR)
			log_err("bdev %s: io_uring_submit: %s", ch->ub->bdev.name, strerror(-rc));
	}
	/* Copy and release the CQEs before calling back: callbacks submit. */
	n = io_uring_peek_batch_cqe(&ch->ring, cqes, URING_REAP_BATCH);
	for (unsigned i = 0; i < n; i++) {
		done[i].io = io_uring_cqe_get_data(cqes[i]);
		done[i].res = cqes[i]->res;
	}
	io_uring_cq_advance(&ch->ring, n);
	ch->inflight -= n;
	for (unsigned i = 0; i < n; i++)
		uring_complete(ch, done[i].io, done[i].res);
	return busy || n ? POLLER_BUSY : POLLER_IDLE;
}

static int uring_abort(void *ch_ctx, struct bdev_io *io)
{
	struct uring_channel *ch = ch_ctx;

	return bdev_io_list_remove(&ch->waiting, io) ? 0 : -EBUSY;
}

static void uring_abort_all(void *ch_ctx, struct bdev_io_list *taken)
{
	struct uring_channel *ch = ch_ctx;

	bdev_io_list_move(taken, &ch->waiting);
}

static int uring_channel_create(struct bdev *bdev, void *ch_ctx)
{
	struct uring_channel *ch = ch_ctx;
	int rc;

	ch->ub = bdev->ctx;
	rc = io_uring_queue_init(URING_ENTRIES, &ch->ring, 0);
	if (rc) {
		log_err("bdev %s: io_uring_queue_init: %s", bdev->name, strerror(-rc));
		return rc;
	}
	ch->max_inflight = ch->ring.cq.ring_entries;
	ch->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ch->efd < 0) {
		rc = -errno;
		goto err_ring;
	}
	rc = io_uring_register_eventfd(&ch->ring, ch->efd);
	if (rc)
		goto err_efd;
	return 0;
err_efd:
	close(ch->efd);
err_ring:
	log_err("bdev %s: completion eventfd: %s", bdev->name, strerror(-rc));
	io_uring_queue_exit(&ch->ring);
	return rc;
}

/* The bdev layer destroys a channel only once nothing is in flight. */
static void uring_channel_destroy(struct bdev *bdev, void *ch_ctx)
{
	struct uring_channel *ch = ch_ctx;

	(void)bdev;
	io_uring_queue_exit(&ch->ring);
	close(ch->efd);
}

static int uring_channel_wake_fd(void *ch_ctx)
{
	struct uring_channel *ch = ch_ctx;

	return ch->efd;
}

static void uring_dump_info_json(struct bdev *bdev, json_t *driver_specific)
{
	struct uring_bdev *ub = bdev->ctx;
	json_t *info = json_pack("{s:s, s:b, s:b, s:I, s:I}", "filename", ub->filename,
				 "block_device", ub->is_blockdev, "o_direct", ub->fd_direct >= 0,
				 "dio_mem_align", (json_int_t)ub->dio_mem_align,
				 "dio_offset_align", (json_int_t)ub->dio_len_align);

	json_object_set_new(driver_specific, "uring", info);
}

static void uring_bdev_free(struct uring_bdev *ub)
{
	if (ub->zero_buf)
		munmap((void *)ub->zero_buf, ZERO_BUF_SIZE);
	if (ub->fd_direct >= 0)
		close(ub->fd_direct);
	if (ub->fd >= 0)
		close(ub->fd);
	free(ub);
}

static void uring_destruct(struct bdev *bdev)
{
	uring_bdev_free(bdev->ctx);
}

static const struct bdev_fn_table g_uring_fn = {
	.backend = "uring",
	.submit = uring_submit,
	.io_type_supported = bdev_io_type_supported_all,
	.ch_ctx_size = sizeof(struct uring_channel),
	.channel_create = uring_channel_create,
	.channel_destroy = uring_channel_destroy,
	.channel_poll = uring_channel_poll,
	.channel_wake_fd = uring_channel_wake_fd,
	.abort = uring_abort,
	.abort_all = uring_abort_all,
	.destruct = uring_destruct,
	.dump_info_json = uring_dump_info_json,
};

/*
 * Opens the O_DIRECT twin of ub->fd and learns its alignment; leaves
 * fd_direct at -1 (buffered I/O only) where O_DIRECT cannot serve whole
 * blocks. Reopening through /proc/self/fd gets the same inode even if the
 * path was replaced meanwhile.
 */
static void uring_open_direct(struct uring_bdev *ub, uint32_t logical_block_size)
{
	const char *name = ub->bdev.name;
	char path[64];
	struct statx stx;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", ub->fd);
	fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		log_notice("bdev %s: no O_DIRECT on %s (%s): buffered I/O only", name,
			   ub->filename, strerror(errno));
		return;
	}
	if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
	    (stx.stx_mask & STATX_DIOALIGN)) {
		ub->dio_mem_align = stx.stx_dio_mem_align;
		ub->dio_len_align = stx.stx_dio_offset_align;
	} else {
		ub->dio_mem_align = ub->is_blockdev ? logical_block_size : DIO_ALIGN_GUESS;
		ub->dio_len_align = ub->dio_mem_align;
	}
	if (ub->dio_len_align == 0 || !IS_POW2(ub->dio_len_align) ||
	    !IS_POW2(ub->dio_mem_align) || ub->bdev.block_size % ub->dio_len_align) {
		log_notice("bdev %s: O_DIRECT alignment %" PRIu32 "/%" PRIu32
			   " does not fit blocks of %" PRIu32 ": buffered I/O only",
			   name, ub->dio_mem_align, ub->dio_len_align, ub->bdev.block_size);
		close(fd);
		return;
	}
	ub->fd_direct = fd;
	log_info("bdev %s: O_DIRECT for buffers aligned to %" PRIu32 ", lengths to %" PRIu32,
		 name, ub->dio_mem_align, ub->dio_len_align);
}

/* Size and logical block size of the open file or block device. */
static int uring_probe(struct uring_bdev *ub, uint64_t *size, uint32_t *lbs)
{
	struct stat st;
	int ssz;

	if (fstat(ub->fd, &st))
		return -errno;
	if (S_ISREG(st.st_mode)) {
		*size = (uint64_t)st.st_size;
		*lbs = 512;
		return 0;
	}
	if (!S_ISBLK(st.st_mode)) {
		log_err("%s is neither a regular file nor a block device", ub->filename);
		return -EINVAL;
	}
	ub->is_blockdev = true;
	if (ioctl(ub->fd, BLKSSZGET, &ssz) || ioctl(ub->fd, BLKGETSIZE64, size))
		return -errno;
	if (ssz <= 0 || !IS_POW2((uint32_t)ssz))
		return -EINVAL;
	*lbs = (uint32_t)ssz;
	return 0;
}

int bdev_uring_rescan(const char *name)
{
	struct bdev *bdev = bdev_get_by_name(name);
	struct uring_bdev *ub;
	uint64_t size;
	uint32_t lbs;
	int rc;

	if (!bdev)
		return -ENODEV;
	if (bdev->fn != &g_uring_fn)
		return -EINVAL;
	ub = container_of(bdev, struct uring_bdev, bdev);
	rc = uring_probe(ub, &size, &lbs);
	if (rc) {
		log_err("bdev %s: cannot size %s: %s", name, ub->filename, strerror(-rc));
		return rc;
	}
	/* Whole blocks, as at creation; the file serves them as they are. */
	return bdev_resize(bdev, size / bdev->block_size);
}

int bdev_uring_create(const char *name, const char *filename, uint32_t block_size)
{
	struct uring_bdev *ub = calloc(1, sizeof(*ub));
	uint64_t size = 0;
	uint32_t lbs = 0;
	void *zero;
	int rc;

	if (!ub)
		return -ENOMEM;
	ub->fd_direct = -1;
	if ((size_t)snprintf(ub->filename, sizeof(ub->filename), "%s", filename) >=
	    sizeof(ub->filename)) {
		free(ub);
		return -ENAMETOOLONG;
	}
	ub->fd = open(filename, O_RDWR | O_CLOEXEC);
	if (ub->fd < 0) {
		rc = -errno;
		log_err("bdev %s: cannot open %s: %s", name, filename, strerror(-rc));
		goto err;
	}
	rc = uring_probe(ub, &size, &lbs);
	if (rc) {
		log_err("bdev %s: cannot size %s: %s", name, filename, strerror(-rc));
		goto err;
	}
	if (block_size == 0)
		block_size = lbs;
	if (block_size % lbs) {
		log_err("bdev %s: block size %" PRIu32 " is not a multiple of %s's %" PRIu32, name,
			block_size, filename, lbs);
		rc = -EINVAL;
		goto err;
	}
	if (size % block_size)
		log_notice("bdev %s: %s is %" PRIu64 " bytes; the last %" PRIu64
			   " are not a whole block and are not used",
			   name, filename, size, size % block_size);
	rc = bdev_init(&ub->bdev, name, "URING bdev", size / block_size, block_size, &g_uring_fn,
		       ub);
	if (rc)
		goto err;
	/* Page cache or device cache: writes need a flush to be durable. */
	ub->bdev.write_cache = true;
	/* readv(2): more than IOV_MAX segments is EINVAL. */
	ub->bdev.max_segments = IOV_MAX;
	uring_open_direct(ub, lbs);
	zero = mmap(NULL, ZERO_BUF_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (zero == MAP_FAILED) {
		rc = -errno;
		goto err;
	}
	ub->zero_buf = zero;
	rc = bdev_register(&ub->bdev);
	if (rc)
		goto err;
	return 0;
err:
	uring_bdev_free(ub);
	return rc;
}
