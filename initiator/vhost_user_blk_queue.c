/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user-blk transport's queues: neutral requests as virtio-blk
 * chains on one split virtqueue (virtio 1.2 §5.2.6), published in batches;
 * used entries reaped into neutral completions; a disconnect turned into
 * NOT_CONNECTED completions.
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

#include "initiator/vhost_user_blk.h"
#include "initiator/vhost_user_common.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"

/* Empty busy polls between two checks of the vhost-user socket. */
#define QUEUE_IDLE_CHECK 4096

static uint64_t shared_gpa(const struct vub_queue *q, uint16_t id, size_t field)
{
	return q->shared_gpa + (uint64_t)id * sizeof(struct vub_req_shared) + field;
}

static void reqs_reset(struct vub_queue *q)
{
	for (uint16_t i = 0; i < q->num; i++) {
		q->reqs[i].inflight = false;
		q->reqs[i].tag = NULL;
		q->reqs[i].next_free = (uint16_t)(i + 1);
	}
	q->free_head = 0;
	q->nfree = q->num;
}

int vub_queue_create(struct vub_dev *vdev, struct storlab_dev *dev, uint16_t index, uint16_t num,
		     struct vub_queue *q)
{
	struct vu_queue_mem m = {.kick_fd = -1, .call_fd = -1};
	int ret;

	memset(q, 0, sizeof(*q));
	initiator_queue_init(&q->head, dev);
	q->vdev = vdev;
	q->index = index;
	q->num = num;
	q->reqs = calloc(num, sizeof(*q->reqs));
	ret = -ENOMEM;
	if (q->reqs)
		ret = vu_queue_mem_alloc(dev, num, VUB_MAX_CHAIN, sizeof(*q->shared), &m);
	q->ring = m.ring;
	q->indirect = m.indirect;
	q->shared = m.shared;
	q->kick_fd = m.kick_fd;
	q->call_fd = m.call_fd;
	if (ret) {
		vub_queue_destroy(q);
		return ret;
	}
	guestmem_gpa(&dev->mem, q->shared, 1, &q->shared_gpa);
	reqs_reset(q);
	return 0;
}

void vub_queue_destroy(struct vub_queue *q)
{
	struct vu_queue_mem m = {q->ring, q->indirect, q->shared, q->kick_fd, q->call_fd};

	if (q->vq.num)
		virtq_drv_fini(&q->vq);
	if (q->head.dev)
		vu_queue_mem_free(q->head.dev, &m);
	free(q->reqs);
	memset(q, 0, sizeof(*q));
	q->kick_fd = -1;
	q->call_fd = -1;
}

int vub_queue_reset(struct vub_queue *q, uint64_t features)
{
	int ret = vu_ring_init(q->head.dev, &q->vq, q->ring, q->num, q->indirect, VUB_MAX_CHAIN,
			       features);

	if (ret) {
		log_err("queue %u: virtq_drv_init: %s", q->index, strerror(-ret));
		return ret;
	}
	reqs_reset(q);
	q->dead = false;
	q->reset_cursor = 0;
	q->idle_polls = 0;
	vu_eventfd_drain(q->call_fd);
	vu_eventfd_drain(q->kick_fd);
	virtq_drv_enable_notify(&q->vq, q->fd_enabled);
	return 0;
}

uint16_t vub_queue_resume(struct vub_queue *q)
{
	q->dead = false;
	q->reset_cursor = 0;
	q->idle_polls = 0;
	vu_eventfd_drain(q->call_fd);
	vu_eventfd_drain(q->kick_fd);
	return __atomic_load_n(&q->vq.used->idx, __ATOMIC_ACQUIRE);
}

static struct vub_queue *vub_queue_of(struct storlab_queue *head)
{
	return container_of(head, struct vub_queue, head);
}

static const struct vub_queue *vub_queue_of_const(const struct storlab_queue *head)
{
	return container_of(head, const struct vub_queue, head);
}

int vub_queue_fd(const struct storlab_queue *head)
{
	return vub_queue_of_const(head)->call_fd;
}

static unsigned queue_inflight(const struct vub_queue *q)
{
	return (unsigned)(q->num - q->nfree);
}

unsigned vub_queue_inflight(const struct storlab_queue *head)
{
	return queue_inflight(vub_queue_of_const(head));
}

static void queue_mark_dead(struct vub_queue *q)
{
	if (q->dead)
		return;
	q->dead = true;
	q->reset_cursor = 0;
	atomic_store(&q->head.dev->dead, true);
	if (atomic_load(&q->head.dev->keeps_inflight))
		log_info("queue %u: back-end gone, %u request(s) stay in flight for the reconnect",
			 q->index, queue_inflight(q));
	else
		log_info("queue %u: back-end gone, %u request(s) complete with ECONNRESET",
			 q->index, queue_inflight(q));
}

/* Dead, and nothing more to hand back until a reconnect: every request was
 * failed, or those left are kept for the restarted device to run. */
static bool queue_drained_dead(const struct vub_queue *q)
{
	return q->dead && (queue_inflight(q) == 0 || atomic_load(&q->head.dev->keeps_inflight));
}

static bool queue_is_dead(struct vub_queue *q)
{
	if (unlikely(!q->dead && atomic_load_explicit(&q->head.dev->dead, memory_order_relaxed)))
		queue_mark_dead(q);
	return q->dead;
}

/* ---- submission ---- */

/* What goes into one chain (virtio 1.2 §5.2.6: header and data the device
 * reads first, then what it writes, then the status byte). */
struct chain {
	struct virtio_blk_outhdr hdr;
	const struct virtio_blk_discard_write_zeroes *seg; /* discard, write-zeroes */
	const struct iovec *out;			   /* device-readable data */
	unsigned nout;
	const struct iovec *in; /* device-writable data */
	unsigned nin;
	bool sectors; /* the data must be whole sectors */
};

/*
 * Adds one chain for tag. Inlined into its one caller, vub_queue_add():
 * an out-of-line call here cost a twentieth of a request's instructions.
 */
static inline __attribute__((always_inline)) int queue_add(struct vub_queue *q,
							   const struct chain *c, void *tag)
{
	struct virtq_buf bufs[VUB_MAX_CHAIN];
	unsigned n = 0, readable;
	uint64_t bytes = 0;
	uint16_t id;
	int ret;

	if (queue_is_dead(q))
		return -ENOTCONN;
	if (c->nout + c->nin > STORLAB_MAX_SEGMENTS)
		return -EINVAL;
	if (q->nfree == 0)
		return -EAGAIN;
	id = q->free_head;
	bufs[n++] = (struct virtq_buf){shared_gpa(q, id, offsetof(struct vub_req_shared, hdr)),
				       sizeof(c->hdr)};
	if (c->seg)
		bufs[n++] = (struct virtq_buf){
		    shared_gpa(q, id, offsetof(struct vub_req_shared, seg)), sizeof(*c->seg)};
	ret = vu_add_iovs(&q->head.dev->mem, bufs, &n, c->out, c->nout, &bytes);
	if (ret)
		return ret;
	readable = n;
	ret = vu_add_iovs(&q->head.dev->mem, bufs, &n, c->in, c->nin, &bytes);
	if (ret)
		return ret;
	/* §5.2.6.1: "The length of data MUST be a multiple of 512 bytes for
	 * VIRTIO_BLK_T_IN and VIRTIO_BLK_T_OUT requests." */
	if (c->sectors && bytes % VIRTIO_BLK_SECTOR_SIZE)
		return -EINVAL;
	bufs[n++] =
	    (struct virtq_buf){shared_gpa(q, id, offsetof(struct vub_req_shared, status)), 1};

	q->shared[id].hdr = c->hdr;
	if (c->seg)
		q->shared[id].seg = *c->seg;
	q->shared[id].status = STORLAB_VIRTIO_BLK_S_NONE;
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

/* A discard or write-zeroes: one segment of the range (§5.2.6: sectors in
 * 512-byte units, num_sectors in 32 bits). */
static int range_seg(const struct storlab_req *req, struct virtio_blk_discard_write_zeroes *seg)
{
	if (req->offset % VIRTIO_BLK_SECTOR_SIZE || req->len % VIRTIO_BLK_SECTOR_SIZE ||
	    (req->len >> VIRTIO_BLK_SECTOR_SHIFT) > UINT32_MAX)
		return -EINVAL;
	*seg = (struct virtio_blk_discard_write_zeroes){
	    .sector = req->offset >> VIRTIO_BLK_SECTOR_SHIFT,
	    .num_sectors = (uint32_t)(req->len >> VIRTIO_BLK_SECTOR_SHIFT),
	    /* "unmap is only used in write zeroes commands" */
	    .flags = req->flags & STORLAB_REQ_UNMAP ? VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP : 0,
	};
	return 0;
}

/* The request as a virtio-blk header, a segment or data buffers: one call
 * of queue_add() below, which the compiler inlines. */
int vub_queue_add(struct storlab_queue *head, const struct storlab_req *req)
{
	struct vub_queue *q = vub_queue_of(head);
	/* §5.2.6: the sector "is unused and set to 0 for commands other than
	 * read or write". */
	struct chain c = {.hdr = {0, 0, 0}};
	const struct storlab_virtio_blk_cmd *cmd;
	struct virtio_blk_discard_write_zeroes seg;

	/* STORLAB_REQ_UNMAP is write-zeroes' only; no other op takes a flag. */
	if (unlikely(req->flags & ~(req->op == STORLAB_OP_WRITE_ZEROES ? STORLAB_REQ_UNMAP : 0)))
		return -EINVAL;
	switch (req->op) {
	case STORLAB_OP_READ:
	case STORLAB_OP_WRITE:
		if (req->offset % VIRTIO_BLK_SECTOR_SIZE)
			return -EINVAL;
		c.hdr.sector = req->offset >> VIRTIO_BLK_SECTOR_SHIFT;
		c.sectors = true;
		if (req->op == STORLAB_OP_READ) {
			c.hdr.type = VIRTIO_BLK_T_IN;
			c.in = req->iov;
			c.nin = req->iovcnt;
		} else {
			c.hdr.type = VIRTIO_BLK_T_OUT;
			c.out = req->iov;
			c.nout = req->iovcnt;
		}
		break;
	case STORLAB_OP_FLUSH:
		/* §5.2.6.1: "A driver MUST set sector to 0 for a
		 * VIRTIO_BLK_T_FLUSH request." */
		c.hdr.type = VIRTIO_BLK_T_FLUSH;
		break;
	case STORLAB_OP_DISCARD:
	case STORLAB_OP_WRITE_ZEROES:
		if (range_seg(req, &seg))
			return -EINVAL;
		c.seg = &seg;
		c.hdr.type = req->op == STORLAB_OP_DISCARD ? VIRTIO_BLK_T_DISCARD
							   : VIRTIO_BLK_T_WRITE_ZEROES;
		break;
	case STORLAB_OP_DEVICE:
		cmd = req->cmd;
		c = (struct chain){.hdr = {cmd->type, cmd->ioprio, cmd->sector},
				   .out = cmd->out,
				   .nout = cmd->nout,
				   .in = cmd->in,
				   .nin = cmd->nin};
		break;
	default:
		return -EINVAL;
	}
	return queue_add(q, &c, req->tag);
}

static int queue_submit(struct vub_queue *q)
{
	if (queue_is_dead(q))
		return -ENOTCONN;
	/* Without EVENT_IDX, publish() says "kick" whenever the device has not
	 * suppressed notifications, even if nothing new was added. */
	if (q->vq.avail_idx == q->vq.avail_published)
		return 0;
	if (virtq_drv_publish(&q->vq))
		vu_eventfd_signal(q->kick_fd);
	return 0;
}

/* ---- completion ---- */

static void req_release(struct vub_queue *q, struct vub_req *r)
{
	r->inflight = false;
	r->next_free = q->free_head;
	q->free_head = (uint16_t)(r - q->reqs);
	q->nfree++;
}

/* After a disconnect: hands back what was in flight, NOT_CONNECTED each. */
static unsigned reap_reset(struct vub_queue *q, struct storlab_completion *c, unsigned max)
{
	unsigned n = 0;

	for (; q->reset_cursor < q->num && n < max; q->reset_cursor++) {
		struct vub_req *r = &q->reqs[q->reset_cursor];

		if (!r->inflight)
			continue;
		c[n++] = (struct storlab_completion){.tag = r->tag,
						     .ret = -ECONNRESET,
						     .status = STORLAB_STATUS_NOT_CONNECTED,
						     .transport_status = STORLAB_VIRTIO_BLK_S_NONE};
		req_release(q, r);
	}
	return n;
}

static unsigned reap_used(struct vub_queue *q, struct storlab_completion *c, unsigned max)
{
	unsigned n = 0;

	/* Kept requests stay; what the device completed before it went is
	 * in the ring, ours to read. */
	if (queue_is_dead(q) && !atomic_load(&q->head.dev->keeps_inflight))
		return reap_reset(q, c, max);
	while (n < max) {
		void *cookie;
		uint32_t len;
		struct vub_req *r;
		int ret = virtq_drv_get_used(&q->vq, &cookie, &len);

		if (ret == -EAGAIN)
			break;
		if (ret) {
			/* The device broke the ring (logged by virtq): the queue
			 * cannot be trusted any more, as after a disconnect, and
			 * nothing in flight can be resumed in it. */
			atomic_store(&q->head.dev->keeps_inflight, false);
			queue_mark_dead(q);
			return n + reap_reset(q, c + n, max - n);
		}
		r = cookie;
		virtio_blk_complete(&c[n++], r->tag, q->shared[r - q->reqs].status, len);
		req_release(q, r);
	}
	return n;
}

/* Sleeps on the call eventfd (and the socket, for a hang-up) until the
 * deadline (-1: none). Returns 0 when woken, -ETIMEDOUT. */
static int queue_wait(struct vub_queue *q, int64_t deadline)
{
	bool hangup;
	int ret = vu_ring_wait(&q->vq, q->call_fd, vub_dev_sock_fd(q->vdev), q->fd_enabled,
			       deadline, &hangup);

	if (hangup && vub_dev_check_hangup(q->vdev))
		queue_mark_dead(q);
	return ret;
}

/* An empty poll: look at the socket now and then (or at once in event mode,
 * where nothing else would ever notice that the back-end died). */
static void queue_idle(struct vub_queue *q)
{
	if (!q->fd_enabled && ++q->idle_polls < QUEUE_IDLE_CHECK)
		return;
	q->idle_polls = 0;
	if (vub_dev_check_hangup(q->vdev))
		queue_mark_dead(q);
}

int vub_queue_submit(struct storlab_queue *head)
{
	return queue_submit(vub_queue_of(head));
}

int vub_queue_reap(struct storlab_queue *head, struct storlab_completion *c, unsigned min,
		   unsigned max, int timeout_ms)
{
	struct vub_queue *q = vub_queue_of(head);
	/* Only a wait (min > 0) needs the deadline: a busy poll reads no clock. */
	int64_t deadline = min > 0 ? deadline_from_timeout(timeout_ms) : -1;
	unsigned n = 0;
	int ret = 0;

	if (min > max)
		return -EINVAL;
	queue_submit(q); /* -ENOTCONN: the loop below hands back what was in flight */
	if (q->fd_enabled)
		vu_eventfd_drain(q->call_fd);
	for (;;) {
		n += reap_used(q, c + n, max - n);
		if (n >= max || (n >= min && n > 0))
			break;
		if (queue_drained_dead(q))
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
			vu_eventfd_signal(q->call_fd);
		return (int)n;
	}
	if (queue_drained_dead(q))
		return -ENOTCONN;
	return ret == -ETIMEDOUT ? -ETIMEDOUT : (ret < 0 ? ret : 0);
}

void vub_queue_set_fd_enabled(struct storlab_queue *head, bool enabled)
{
	struct vub_queue *q = vub_queue_of(head);

	q->fd_enabled = enabled;
	if (q->vq.num && virtq_drv_enable_notify(&q->vq, enabled) && enabled)
		vu_eventfd_signal(q->call_fd);
}
