/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk requests on one virtqueue: building chains (virtio 1.2 §5.2.6),
 * publishing them in batches, reaping used entries, and turning a disconnect
 * into -ECONNRESET completions.
 *
 * The data path makes no allocation and no system call of its own in
 * polling mode: a kick is written only when the ring asks for one, and the
 * socket is checked for a hang-up once every QUEUE_IDLE_CHECK empty polls.
 */
#define LOG_COMPONENT "initiator"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "initiator/internal.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"

/* Empty busy polls between two checks of the vhost-user socket. */
#define QUEUE_IDLE_CHECK 4096
/* Header, discard/write-zeroes segment and status around the data buffers. */
#define QUEUE_MAX_CHAIN (STORLAB_MAX_SEGMENTS + 3)

static uint64_t shared_gpa(const struct storlab_queue *q, uint16_t id, size_t field)
{
	return q->shared_gpa + (uint64_t)id * sizeof(struct req_shared) + field;
}

static void reqs_reset(struct storlab_queue *q)
{
	for (uint16_t i = 0; i < q->num; i++) {
		q->reqs[i].inflight = false;
		q->reqs[i].tag = NULL;
		q->reqs[i].next_free = (uint16_t)(i + 1);
	}
	q->free_head = 0;
	q->nfree = q->num;
}

static size_t indirect_bytes(uint16_t num)
{
	return (size_t)num * QUEUE_MAX_CHAIN * sizeof(struct virtq_desc);
}

int queue_create(struct storlab_dev *dev, uint16_t index, uint16_t num, struct storlab_queue *q)
{
	int ret;

	memset(q, 0, sizeof(*q));
	q->dev = dev;
	q->index = index;
	q->num = num;
	q->kick_fd = -1;
	q->call_fd = -1;
	q->reqs = calloc(num, sizeof(*q->reqs));
	if (!q->reqs)
		return -ENOMEM;
	ret = guestmem_alloc(&dev->mem, virtq_drv_ring_bytes(num), 0, &q->ring);
	if (ret)
		goto err;
	ret = guestmem_alloc(&dev->mem, indirect_bytes(num), 0, &q->indirect);
	if (ret)
		goto err;
	ret = guestmem_alloc(&dev->mem, (size_t)num * sizeof(*q->shared), 0, (void **)&q->shared);
	if (ret)
		goto err;
	guestmem_gpa(&dev->mem, q->shared, 1, &q->shared_gpa);
	q->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->kick_fd < 0 || q->call_fd < 0) {
		ret = -errno;
		log_err("queue %u: eventfd: %s", index, strerror(errno));
		goto err;
	}
	reqs_reset(q);
	return 0;
err:
	queue_destroy(q);
	return ret;
}

void queue_destroy(struct storlab_queue *q)
{
	if (q->vq.num)
		virtq_drv_fini(&q->vq);
	if (q->kick_fd >= 0)
		close(q->kick_fd);
	if (q->call_fd >= 0)
		close(q->call_fd);
	if (q->dev) {
		guestmem_free(&q->dev->mem, q->ring);
		guestmem_free(&q->dev->mem, q->indirect);
		guestmem_free(&q->dev->mem, q->shared);
	}
	free(q->reqs);
	memset(q, 0, sizeof(*q));
	q->kick_fd = -1;
	q->call_fd = -1;
}

static void eventfd_clear(int fd)
{
	uint64_t v;

	/* Non-blocking: EAGAIN just means it was clear. */
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("eventfd read: %s", strerror(errno));
}

static void eventfd_signal(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0)
		log_warn("eventfd write: %s", strerror(errno));
}

int queue_reset(struct storlab_queue *q, uint64_t features)
{
	struct virtq_drv_config cfg = {
	    .layout = VIRTQ_LAYOUT_SPLIT,
	    .num = q->num,
	    .ring = q->ring,
	    .features = features,
	    .indirect = q->indirect,
	    .indirect_max = QUEUE_MAX_CHAIN,
	};
	int ret;

	if (q->vq.num)
		virtq_drv_fini(&q->vq);
	memset(&q->vq, 0, sizeof(q->vq));
	memset(q->ring, 0, virtq_drv_ring_bytes(q->num));
	guestmem_gpa(&q->dev->mem, q->ring, 1, &cfg.ring_gpa);
	guestmem_gpa(&q->dev->mem, q->indirect, 1, &cfg.indirect_gpa);
	ret = virtq_drv_init(&q->vq, &cfg);
	if (ret) {
		log_err("queue %u: virtq_drv_init: %s", q->index, strerror(-ret));
		memset(&q->vq, 0, sizeof(q->vq));
		return ret;
	}
	reqs_reset(q);
	q->dead = false;
	q->reset_cursor = 0;
	q->idle_polls = 0;
	eventfd_clear(q->call_fd);
	eventfd_clear(q->kick_fd);
	virtq_drv_enable_notify(&q->vq, q->fd_enabled);
	return 0;
}

struct storlab_queue *storlab_dev_queue(struct storlab_dev *dev, unsigned index)
{
	if (index >= dev->opts.num_queues)
		return NULL;
	return &dev->queues[index];
}

int storlab_queue_fd(const struct storlab_queue *q)
{
	return q->call_fd;
}

unsigned storlab_queue_inflight(const struct storlab_queue *q)
{
	return (unsigned)(q->num - q->nfree);
}

static void queue_mark_dead(struct storlab_queue *q)
{
	if (q->dead)
		return;
	q->dead = true;
	q->reset_cursor = 0;
	atomic_store(&q->dev->dead, true);
	log_info("queue %u: back-end gone, %u request(s) complete with ECONNRESET", q->index,
		 storlab_queue_inflight(q));
}

static bool queue_is_dead(struct storlab_queue *q)
{
	if (unlikely(!q->dead && atomic_load_explicit(&q->dev->dead, memory_order_relaxed)))
		queue_mark_dead(q);
	return q->dead;
}

/* ---- submission ---- */

static int add_iovs(struct storlab_queue *q, struct virtq_buf *bufs, unsigned *n,
		    const struct iovec *iov, unsigned cnt)
{
	for (unsigned i = 0; i < cnt; i++) {
		uint64_t gpa;

		if (iov[i].iov_len > UINT32_MAX)
			return -EINVAL;
		if (guestmem_gpa(&q->dev->mem, iov[i].iov_base, iov[i].iov_len, &gpa))
			return -EFAULT;
		bufs[(*n)++] = (struct virtq_buf){.addr = gpa, .len = (uint32_t)iov[i].iov_len};
	}
	return 0;
}

/*
 * One request: the header, the segment of a discard or write-zeroes (seg),
 * out[] device-readable, in[] device-writable, then the status byte
 * (virtio 1.2 §5.2.6: header and data the device reads come first).
 */
static int queue_add(struct storlab_queue *q, const struct virtio_blk_outhdr *hdr,
		     const struct virtio_blk_discard_write_zeroes *seg, const struct iovec *out,
		     unsigned nout, const struct iovec *in, unsigned nin, void *tag)
{
	struct virtq_buf bufs[QUEUE_MAX_CHAIN];
	unsigned n = 0, readable;
	uint16_t id;
	int ret;

	if (queue_is_dead(q))
		return -ENOTCONN;
	if (nout + nin > STORLAB_MAX_SEGMENTS)
		return -EINVAL;
	if (q->nfree == 0)
		return -EAGAIN;
	id = q->free_head;
	bufs[n++] =
	    (struct virtq_buf){shared_gpa(q, id, offsetof(struct req_shared, hdr)), sizeof(*hdr)};
	if (seg)
		bufs[n++] = (struct virtq_buf){shared_gpa(q, id, offsetof(struct req_shared, seg)),
					       sizeof(*seg)};
	ret = add_iovs(q, bufs, &n, out, nout);
	if (ret)
		return ret;
	readable = n;
	ret = add_iovs(q, bufs, &n, in, nin);
	if (ret)
		return ret;
	bufs[n++] = (struct virtq_buf){shared_gpa(q, id, offsetof(struct req_shared, status)), 1};

	q->shared[id].hdr = *hdr;
	if (seg)
		q->shared[id].seg = *seg;
	q->shared[id].status = STORLAB_STATUS_NONE;
	ret =
	    virtq_drv_add(&q->vq, bufs, (uint16_t)readable, (uint16_t)(n - readable), &q->reqs[id]);
	if (ret == -EIO)
		queue_mark_dead(q); /* the ring is broken (logged by virtq) */
	if (ret)
		return ret == -ENOSPC ? -EAGAIN : ret;
	q->free_head = q->reqs[id].next_free;
	q->nfree--;
	q->reqs[id].tag = tag;
	q->reqs[id].inflight = true;
	return 0;
}

static int iov_check(const struct iovec *iov, unsigned iovcnt, uint64_t offset)
{
	uint64_t total = 0;

	if (offset % VIRTIO_BLK_SECTOR_SIZE)
		return -EINVAL;
	for (unsigned i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	/* §5.2.6.1: the data of IN and OUT requests is a multiple of 512 bytes. */
	return total % VIRTIO_BLK_SECTOR_SIZE ? -EINVAL : 0;
}

int storlab_queue_read(struct storlab_queue *q, uint64_t offset, const struct iovec *iov,
		       unsigned iovcnt, void *tag)
{
	struct virtio_blk_outhdr hdr = {VIRTIO_BLK_T_IN, 0, offset >> VIRTIO_BLK_SECTOR_SHIFT};
	int ret = iov_check(iov, iovcnt, offset);

	return ret ? ret : queue_add(q, &hdr, NULL, NULL, 0, iov, iovcnt, tag);
}

int storlab_queue_write(struct storlab_queue *q, uint64_t offset, const struct iovec *iov,
			unsigned iovcnt, void *tag)
{
	struct virtio_blk_outhdr hdr = {VIRTIO_BLK_T_OUT, 0, offset >> VIRTIO_BLK_SECTOR_SHIFT};
	int ret = iov_check(iov, iovcnt, offset);

	return ret ? ret : queue_add(q, &hdr, NULL, iov, iovcnt, NULL, 0, tag);
}

int storlab_queue_flush(struct storlab_queue *q, void *tag)
{
	struct virtio_blk_outhdr hdr = {VIRTIO_BLK_T_FLUSH, 0, 0};

	return queue_add(q, &hdr, NULL, NULL, 0, NULL, 0, tag);
}

static int queue_add_range(struct storlab_queue *q, uint32_t type, uint64_t offset, uint64_t len,
			   uint32_t flags, void *tag)
{
	struct virtio_blk_outhdr hdr = {type, 0, 0};
	struct virtio_blk_discard_write_zeroes seg = {
	    .sector = offset >> VIRTIO_BLK_SECTOR_SHIFT,
	    .num_sectors = (uint32_t)(len >> VIRTIO_BLK_SECTOR_SHIFT),
	    .flags = flags,
	};

	if (offset % VIRTIO_BLK_SECTOR_SIZE || len % VIRTIO_BLK_SECTOR_SIZE ||
	    (len >> VIRTIO_BLK_SECTOR_SHIFT) > UINT32_MAX)
		return -EINVAL;
	return queue_add(q, &hdr, &seg, NULL, 0, NULL, 0, tag);
}

int storlab_queue_discard(struct storlab_queue *q, uint64_t offset, uint64_t len, void *tag)
{
	return queue_add_range(q, VIRTIO_BLK_T_DISCARD, offset, len, 0, tag);
}

int storlab_queue_write_zeroes(struct storlab_queue *q, uint64_t offset, uint64_t len,
			       uint32_t flags, void *tag)
{
	if (flags & ~STORLAB_REQ_UNMAP)
		return -EINVAL;
	return queue_add_range(q, VIRTIO_BLK_T_WRITE_ZEROES, offset, len,
			       flags & STORLAB_REQ_UNMAP ? VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP : 0,
			       tag);
}

int storlab_queue_get_id(struct storlab_queue *q, void *buf, void *tag)
{
	struct virtio_blk_outhdr hdr = {VIRTIO_BLK_T_GET_ID, 0, 0};
	struct iovec iov = {buf, STORLAB_ID_BYTES};

	return queue_add(q, &hdr, NULL, NULL, 0, &iov, 1, tag);
}

int storlab_queue_raw(struct storlab_queue *q, const struct storlab_raw_req *req, void *tag)
{
	struct virtio_blk_outhdr hdr = {req->type, req->ioprio, req->sector};

	return queue_add(q, &hdr, NULL, req->out, req->nout, req->in, req->nin, tag);
}

int storlab_queue_submit(struct storlab_queue *q)
{
	if (queue_is_dead(q))
		return -ENOTCONN;
	/* Without EVENT_IDX, publish() says "kick" whenever the device has not
	 * suppressed notifications, even if nothing new was added. */
	if (q->vq.avail_idx == q->vq.avail_published)
		return 0;
	if (virtq_drv_publish(&q->vq))
		eventfd_signal(q->kick_fd);
	return 0;
}

/* ---- completion ---- */

static int status_to_errno(uint8_t status)
{
	switch (status) {
	case VIRTIO_BLK_S_OK:
		return 0;
	case VIRTIO_BLK_S_IOERR:
		return -EIO;
	case VIRTIO_BLK_S_UNSUPP:
		return -ENOTSUP;
	default:
		return -EPROTO;
	}
}

const char *storlab_status_name(uint8_t status)
{
	static const char *const names[] = {
	    [VIRTIO_BLK_S_OK] = "OK",
	    [VIRTIO_BLK_S_IOERR] = "IOERR",
	    [VIRTIO_BLK_S_UNSUPP] = "UNSUPP",
	};

	if (status < ARRAY_SIZE(names))
		return names[status];
	return status == STORLAB_STATUS_NONE ? "NONE" : "UNKNOWN";
}

static void req_release(struct storlab_queue *q, struct req *r)
{
	r->inflight = false;
	r->next_free = q->free_head;
	q->free_head = (uint16_t)(r - q->reqs);
	q->nfree++;
}

/* After a disconnect: hands back what was in flight, -ECONNRESET each. */
static unsigned reap_reset(struct storlab_queue *q, struct storlab_completion *c, unsigned max)
{
	unsigned n = 0;

	for (; q->reset_cursor < q->num && n < max; q->reset_cursor++) {
		struct req *r = &q->reqs[q->reset_cursor];

		if (!r->inflight)
			continue;
		c[n++] = (struct storlab_completion){
		    .tag = r->tag, .ret = -ECONNRESET, .status = STORLAB_STATUS_NONE};
		req_release(q, r);
	}
	return n;
}

static unsigned reap_used(struct storlab_queue *q, struct storlab_completion *c, unsigned max)
{
	unsigned n = 0;

	if (queue_is_dead(q))
		return reap_reset(q, c, max);
	while (n < max) {
		void *cookie;
		uint32_t len;
		struct req *r;
		uint8_t status;
		int ret = virtq_drv_get_used(&q->vq, &cookie, &len);

		if (ret == -EAGAIN)
			break;
		if (ret) {
			/* The device broke the ring (logged by virtq): the queue
			 * cannot be trusted any more, as after a disconnect. */
			queue_mark_dead(q);
			return n + reap_reset(q, c + n, max - n);
		}
		r = cookie;
		status = q->shared[r - q->reqs].status;
		c[n++] = (struct storlab_completion){
		    .tag = r->tag, .ret = status_to_errno(status), .status = status, .len = len};
		req_release(q, r);
	}
	return n;
}

/* Sleeps on the call eventfd (and the socket, for a hang-up) until the
 * deadline (-1: none). Returns 0 when woken, -ETIMEDOUT. */
static int queue_wait(struct storlab_queue *q, int64_t deadline)
{
	struct pollfd pfd[2] = {
	    {.fd = q->call_fd, .events = POLLIN},
	    {.fd = q->dev->sock_fd, .events = POLLIN | POLLRDHUP},
	};
	int ret;

	/* virtio 1.2 §2.7.10: ask for a notification, then look again, or an
	 * entry used in between would never wake us. */
	if (virtq_drv_enable_notify(&q->vq, true))
		return 0;
	ret = poll(pfd, 2, deadline_ms_left(deadline));
	if (!q->fd_enabled)
		virtq_drv_enable_notify(&q->vq, false);
	if (ret < 0)
		return errno == EINTR ? 0 : -errno;
	if (ret == 0)
		return -ETIMEDOUT;
	if (pfd[0].revents)
		eventfd_clear(q->call_fd);
	if (pfd[1].revents && dev_check_hangup(q->dev))
		queue_mark_dead(q);
	return 0;
}

/* An empty poll: look at the socket now and then (or at once in event mode,
 * where nothing else would ever notice that the back-end died). */
static void queue_idle(struct storlab_queue *q)
{
	if (!q->fd_enabled && ++q->idle_polls < QUEUE_IDLE_CHECK)
		return;
	q->idle_polls = 0;
	if (dev_check_hangup(q->dev))
		queue_mark_dead(q);
}

int storlab_queue_reap(struct storlab_queue *q, struct storlab_completion *c, unsigned min,
		       unsigned max, int timeout_ms)
{
	/* Only a wait (min > 0) needs the deadline: a busy poll reads no clock. */
	int64_t deadline = min > 0 ? deadline_from_timeout(timeout_ms) : -1;
	unsigned n = 0;
	int ret = 0;

	if (min > max)
		return -EINVAL;
	storlab_queue_submit(q); /* -ENOTCONN: the loop below hands back what was in flight */
	if (q->fd_enabled)
		eventfd_clear(q->call_fd);
	for (;;) {
		n += reap_used(q, c + n, max - n);
		if (n >= max || (n >= min && n > 0))
			break;
		if (q->dead && storlab_queue_inflight(q) == 0)
			break;
		if (min == 0) {
			/* Nothing used: break, unless the back-end turns out to
			 * be gone and the in-flight requests are to be failed. */
			if (!q->dead)
				queue_idle(q);
			if (!q->dead)
				break;
			continue;
		}
		ret = queue_wait(q, deadline);
		if (ret)
			break;
	}
	if (n > 0) {
		q->idle_polls = 0;
		/* Re-arm: if entries were used meanwhile the device will not
		 * signal again for them, so signal ourselves. */
		if (q->fd_enabled && !q->dead && virtq_drv_enable_notify(&q->vq, true))
			eventfd_signal(q->call_fd);
		return (int)n;
	}
	if (q->dead && storlab_queue_inflight(q) == 0)
		return -ENOTCONN;
	return ret == -ETIMEDOUT ? -ETIMEDOUT : (ret < 0 ? ret : 0);
}

void storlab_queue_set_fd_enabled(struct storlab_queue *q, bool enabled)
{
	q->fd_enabled = enabled;
	if (q->vq.num && virtq_drv_enable_notify(&q->vq, enabled) && enabled)
		eventfd_signal(q->call_fd);
}
