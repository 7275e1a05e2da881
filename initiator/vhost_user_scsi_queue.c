/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user-scsi transport's request queues: neutral requests as
 * virtio-scsi commands to the selected LUN (virtio 1.2 §5.6.6.1) and
 * STORLAB_OP_DEVICE's CDBs, on one split virtqueue each; used entries
 * reaped into neutral completions, a UNIT ATTENTION on a neutral request
 * added again once; a disconnect turned into NOT_CONNECTED completions.
 */
#define LOG_COMPONENT "initiator"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "initiator/vhost_user_common.h"
#include "initiator/vhost_user_scsi.h"
#include "scsi/scsi_host.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"

/* Empty busy polls between two checks of the vhost-user socket. */
#define QUEUE_IDLE_CHECK 4096

static uint64_t shared_gpa(const struct vus_queue *q, uint16_t id, size_t field)
{
	return q->shared_gpa + (uint64_t)id * sizeof(struct vus_req_shared) + field;
}

static void reqs_reset(struct vus_queue *q)
{
	for (uint16_t i = 0; i < q->num; i++) {
		q->reqs[i].slot = i;
		q->reqs[i].inflight = false;
		q->reqs[i].next_free = (uint16_t)(i + 1);
	}
	q->free_head = 0;
	q->nfree = q->num;
}

int vus_queue_create(struct vus_dev *vdev, struct storlab_dev *dev, uint16_t index, uint16_t num,
		     struct vus_queue *q)
{
	struct vu_queue_mem m = {.kick_fd = -1, .call_fd = -1};
	int ret;

	memset(q, 0, sizeof(*q));
	initiator_queue_init(&q->head, dev);
	q->vdev = vdev;
	q->index = index;
	q->num = num;
	q->reqs = calloc(num, sizeof(*q->reqs));
	ret =
	    q->reqs ? vu_queue_mem_alloc(dev, num, VUS_MAX_CHAIN, sizeof(*q->shared), &m) : -ENOMEM;
	q->mem = m;
	q->shared = m.shared;
	if (ret) {
		vus_queue_destroy(q);
		return ret;
	}
	guestmem_gpa(&dev->mem, q->shared, 1, &q->shared_gpa);
	reqs_reset(q);
	return 0;
}

void vus_queue_destroy(struct vus_queue *q)
{
	if (q->vq.num)
		virtq_drv_fini(&q->vq);
	if (q->head.dev)
		vu_queue_mem_free(q->head.dev, &q->mem);
	free(q->reqs);
	memset(q, 0, sizeof(*q));
}

int vus_queue_reset(struct vus_queue *q, uint64_t features)
{
	int ret = vu_ring_init(q->head.dev, &q->vq, q->mem.ring, q->num, q->mem.indirect,
			       VUS_MAX_CHAIN, features);

	if (ret)
		return ret;
	reqs_reset(q);
	q->dead = false;
	q->reset_cursor = 0;
	q->idle_polls = 0;
	vu_eventfd_drain(q->mem.call_fd);
	vu_eventfd_drain(q->mem.kick_fd);
	virtq_drv_enable_notify(&q->vq, q->fd_enabled);
	return 0;
}

uint16_t vus_queue_resume(struct vus_queue *q)
{
	q->dead = false;
	q->reset_cursor = 0;
	q->idle_polls = 0;
	vu_eventfd_drain(q->mem.call_fd);
	vu_eventfd_drain(q->mem.kick_fd);
	return __atomic_load_n(&q->vq.used->idx, __ATOMIC_ACQUIRE);
}

static struct vus_queue *queue_of(struct storlab_queue *head)
{
	return container_of(head, struct vus_queue, head);
}

static const struct vus_queue *queue_of_const(const struct storlab_queue *head)
{
	return container_of(head, const struct vus_queue, head);
}

int vus_queue_fd(const struct storlab_queue *head)
{
	return queue_of_const(head)->mem.call_fd;
}

unsigned vus_queue_inflight(const struct storlab_queue *head)
{
	const struct vus_queue *q = queue_of_const(head);

	return (unsigned)(q->num - q->nfree);
}

__attribute__((noinline, cold)) static void queue_died(struct vus_queue *q)
{
	q->dead = true;
	q->reset_cursor = 0;
	log_info("queue %u: back-end gone, %u request(s) %s", q->index,
		 vus_queue_inflight(&q->head),
		 atomic_load(&q->head.dev->keeps_inflight) ? "stay in flight for the reconnect"
							   : "complete with ECONNRESET");
}

/* Asked on every add and reap: a load or two inline, the rest cold. */
static inline bool queue_is_dead(struct vus_queue *q)
{
	if (unlikely(!q->dead && atomic_load_explicit(&q->head.dev->dead, memory_order_relaxed)))
		queue_died(q);
	return q->dead;
}

/* Dead, and nothing more to hand back until a reconnect: every request was
 * failed, or those left are kept for the restarted device to run. */
static bool queue_drained_dead(const struct vus_queue *q)
{
	return q->dead &&
	       (vus_queue_inflight(&q->head) == 0 || atomic_load(&q->head.dev->keeps_inflight));
}

static void queue_mark_dead(struct vus_queue *q)
{
	atomic_store(&q->head.dev->dead, true);
	queue_is_dead(q);
}

/* ---- submission ---- */

/* What one command carries besides its header and response. */
struct cmd {
	const uint8_t *cdb;
	unsigned cdb_len;
	const uint8_t *lun; /* the LUN field, 8 bytes */
	uint8_t task_attr;
	uint64_t id;
	bool unmap_param; /* the slot's UNMAP parameter list is data-out */
	bool zero_block;  /* the device's zero block is data-out */
	const struct iovec *out;
	unsigned nout;
	const struct iovec *in;
	unsigned nin;
};

/* §5.6.6.1: lun, id, task_attr, prio, crn, cdb and data-out are
 * device-readable; the response, then data-in, device-writable. Its one
 * caller, vus_queue_add(), has checked that the queue lives and has a free
 * slot, and that a STORLAB_OP_DEVICE CDB fits. */
static int queue_add(struct vus_queue *q, const struct cmd *c, const struct vus_req *r_init)
{
	struct vus_dev *vdev = q->vdev;
	struct virtq_buf bufs[VUS_MAX_CHAIN];
	struct vus_req *r;
	struct vus_req_shared *s;
	unsigned n = 0, readable;
	uint16_t id;
	uint64_t zgpa = 0, bytes = 0;
	int ret;

	if (c->nout + c->nin > STORLAB_MAX_SEGMENTS)
		return -EINVAL;
	id = q->free_head;
	r = &q->reqs[id];
	s = &q->shared[id];
	bufs[n++] = (struct virtq_buf){shared_gpa(q, id, offsetof(struct vus_req_shared, req)),
					  sizeof(s->req)};
	if (c->unmap_param)
		bufs[n++] = (struct virtq_buf){
		    shared_gpa(q, id, offsetof(struct vus_req_shared, unmap)), sizeof(s->unmap)};
	if (c->zero_block) {
		if (guestmem_gpa(&q->head.dev->mem, vdev->zero_block, vdev->zero_len, &zgpa))
			return -EFAULT;
		bufs[n++] = (struct virtq_buf){zgpa, vdev->zero_len};
	}
	ret = vu_add_iovs(&q->head.dev->mem, bufs, &n, c->out, c->nout, &bytes);
	if (ret)
		return ret;
	readable = n;
	bufs[n++] = (struct virtq_buf){shared_gpa(q, id, offsetof(struct vus_req_shared, resp)),
					  sizeof(s->resp)};
	ret = vu_add_iovs(&q->head.dev->mem, bufs, &n, c->in, c->nin, &bytes);
	if (ret)
		return ret;

	/* Field by field: the header is in the line the device reads. */
	memcpy(s->req.lun, c->lun, sizeof(s->req.lun));
	s->req.id = c->id ? c->id : (uint64_t)q->index << 32 | id;
	s->req.task_attr = c->task_attr;
	s->req.prio = 0;
	s->req.crn = 0;
	/* A neutral command's CDB (16 bytes) was built in place; the rest of
	 * the CDB field is zero. */
	if (likely(c->cdb == s->req.cdb && c->cdb_len == SCSI_HOST_CDB_MAX)) {
		memset(s->req.cdb + SCSI_HOST_CDB_MAX, 0, sizeof(s->req.cdb) - SCSI_HOST_CDB_MAX);
	} else {
		memmove(s->req.cdb, c->cdb, c->cdb_len);
		memset(s->req.cdb + c->cdb_len, 0, sizeof(s->req.cdb) - c->cdb_len);
	}
	memset(&s->resp, 0, offsetof(struct virtio_scsi_cmd_resp, sense));
	s->resp.response = 0xff; /* none written, until the device does */
	ret = virtq_drv_add(&q->vq, bufs, (uint16_t)readable, (uint16_t)(n - readable), r);
	if (ret == -EIO)
		queue_mark_dead(q); /* the ring is broken (logged by virtq) */
	if (ret)
		return ret == -ENOSPC ? -EAGAIN : ret;
	q->free_head = r->next_free;
	q->nfree--;
	r->tag = r_init->tag;
	r->result = r_init->result;
	r->neutral = r_init->neutral;
	r->retried = false;
	r->inflight = true;
	return 0;
}

/* Blocks of a byte range of the selected LUN: whole blocks only. Shifts
 * for the block sizes LUNs have (powers of two): the divisions would cost
 * more than the rest of a request's CDB. Inline: out of line, its call
 * cost as much as its work. */
static inline __attribute__((always_inline)) int to_blocks(const struct storlab_scsi_lun *lun,
							   uint64_t offset, uint64_t len,
							   uint64_t *lba, uint32_t *nblocks)
{
	uint32_t bl = lun->block_len;
	unsigned shift;

	if (likely(bl && (bl & (bl - 1)) == 0)) {
		shift = (unsigned)__builtin_ctz(bl);
		if ((offset | len) & (bl - 1) || len >> shift > UINT32_MAX)
			return -EINVAL;
		*lba = offset >> shift;
		*nblocks = (uint32_t)(len >> shift);
		return 0;
	}
	if (!bl || offset % bl || len % bl || len / bl > UINT32_MAX)
		return -EINVAL;
	*lba = offset / bl;
	*nblocks = (uint32_t)(len / bl);
	return 0;
}

static uint64_t iov_bytes(const struct iovec *iov, unsigned n)
{
	uint64_t b = 0;

	for (unsigned i = 0; i < n; i++)
		b += iov[i].iov_len;
	return b;
}

/* A neutral op as its SBC-4 command (storlab/virtio_scsi.h), the CDB built
 * in place, in the header of the slot the command will take. */
static int neutral_cmd(struct vus_queue *q, const struct storlab_req *req, struct cmd *c)
{
	uint8_t *cdb = q->shared[q->free_head].req.cdb;
	/* One load: a table is never changed once published. */
	const struct vus_luns *t = vus_luns_get(q->vdev);
	const struct storlab_scsi_lun *lun = &t->lun[t->selected];
	struct scsi_host_extent ext;
	uint64_t lba;
	uint32_t nblocks;
	int len;

	if (unlikely(!t->present))
		return -ENODEV;
	c->lun = t->neutral_lun;
	switch (req->op) {
	case STORLAB_OP_READ:
	case STORLAB_OP_WRITE:
		if (to_blocks(lun, req->offset, iov_bytes(req->iov, req->iovcnt), &lba, &nblocks))
			return -EINVAL;
		if (req->op == STORLAB_OP_READ) {
			len = scsi_host_cdb_read_16(cdb, lba, nblocks, false);
			c->in = req->iov;
			c->nin = req->iovcnt;
		} else {
			len = scsi_host_cdb_write_16(cdb, lba, nblocks, false);
			c->out = req->iov;
			c->nout = req->iovcnt;
		}
		break;
	case STORLAB_OP_FLUSH:
		/* SBC-4 §5.27: LBA 0 and NUMBER OF LOGICAL BLOCKS 0: all. */
		len = scsi_host_cdb_sync_cache_16(cdb, 0, 0, false);
		break;
	case STORLAB_OP_DISCARD:
		if (to_blocks(lun, req->offset, req->len, &ext.lba, &ext.nblocks) || !ext.nblocks)
			return -EINVAL;
		len = scsi_host_unmap_param_build(q->shared[q->free_head].unmap,
						  sizeof(q->shared[0].unmap), &ext, 1);
		if (len < 0)
			return len;
		len = scsi_host_cdb_unmap(cdb, (uint16_t)len);
		c->unmap_param = true;
		break;
	case STORLAB_OP_WRITE_ZEROES:
		/* SBC-4 §5.46: NUMBER OF LOGICAL BLOCKS 0 would mean "to the
		 * end of the medium". */
		if (to_blocks(lun, req->offset, req->len, &lba, &nblocks) || !nblocks ||
		    !q->vdev->zero_block)
			return -EINVAL;
		len = scsi_host_cdb_write_same_16(cdb, lba, nblocks, req->flags & STORLAB_REQ_UNMAP,
						  false);
		c->zero_block = true;
		break;
	default:
		return -EINVAL;
	}
	c->cdb = cdb;
	c->cdb_len = (unsigned)len;
	return 0;
}

int vus_queue_add(struct storlab_queue *head, const struct storlab_req *req)
{
	struct vus_queue *q = queue_of(head);
	const struct storlab_virtio_scsi_cmd *dc;
	struct vus_req init = {.tag = req->tag};
	uint8_t lun[8];
	struct cmd c = {0};
	int ret;

	if (req->flags & ~(req->op == STORLAB_OP_WRITE_ZEROES ? STORLAB_REQ_UNMAP : 0))
		return -EINVAL;
	if (queue_is_dead(q))
		return -ENOTCONN;
	if (q->nfree == 0)
		return -EAGAIN;
	if (req->op == STORLAB_OP_DEVICE) {
		dc = req->cmd;
		if (!dc || !dc->cdb || !dc->cdb_len || dc->cdb_len > VIRTIO_SCSI_CDB_DEFAULT ||
		    scsi_host_virtio_lun_encode(lun, dc->target, dc->lun))
			return -EINVAL;
		c = (struct cmd){.cdb = dc->cdb,
				 .cdb_len = dc->cdb_len,
				 .lun = lun,
				 .task_attr = dc->task_attr,
				 .id = dc->id,
				 .out = dc->out,
				 .nout = dc->nout,
				 .in = dc->in,
				 .nin = dc->nin};
		init.result = dc->result;
		return queue_add(q, &c, &init);
	}
	ret = neutral_cmd(q, req, &c);
	if (ret)
		return ret;
	init.neutral = true;
	return queue_add(q, &c, &init);
}

int vus_queue_submit(struct storlab_queue *head)
{
	struct vus_queue *q = queue_of(head);

	if (queue_is_dead(q))
		return -ENOTCONN;
	if (q->vq.avail_idx != q->vq.avail_published && virtq_drv_publish(&q->vq))
		vu_eventfd_signal(q->mem.kick_fd);
	return 0;
}

/* ---- completion ---- */

static void req_release(struct vus_queue *q, struct vus_req *r)
{
	r->inflight = false;
	r->next_free = q->free_head;
	q->free_head = r->slot;
	q->nfree++;
}

static unsigned reap_reset(struct vus_queue *q, struct storlab_completion *c, unsigned max)
{
	unsigned n = 0;

	for (; q->reset_cursor < q->num && n < max; q->reset_cursor++) {
		struct vus_req *r = &q->reqs[q->reset_cursor];

		if (!r->inflight)
			continue;
		c[n++] = (struct storlab_completion){.tag = r->tag,
						     .ret = -ECONNRESET,
						     .status = STORLAB_STATUS_NOT_CONNECTED,
						     .transport_status =
							 STORLAB_VIRTIO_SCSI_RESPONSE_NONE << 12};
		req_release(q, r);
	}
	return n;
}

static void result_copy(struct storlab_virtio_scsi_result *res,
			const struct virtio_scsi_cmd_resp *resp, uint8_t response)
{
	res->response = response;
	res->status = resp->status;
	res->status_qualifier = resp->status_qualifier;
	res->resid = resp->resid;
	res->sense_len = resp->sense_len;
	memcpy(res->sense, resp->sense, MIN(sizeof(res->sense), sizeof(resp->sense)));
}

/* One used chain: a completion, or (a first UNIT ATTENTION on a neutral
 * request) the same chain added again. Returns whether c was filled. */
static bool reap_one(struct vus_queue *q, struct vus_req *r, uint32_t len,
		     struct storlab_completion *c)
{
	struct virtio_scsi_cmd_resp *resp = &q->shared[r->slot].resp;
	bool ua;

	virtio_scsi_complete(c, r->tag, resp, len, &ua);
	/* SAM-5 §5.14: a unit attention condition is reported once and then
	 * cleared; the command it displaced is sent again, as Linux does. */
	if (ua && r->neutral && !r->retried) {
		resp->response = 0xff;
		if (virtq_drv_readd(&q->vq, r) == 0) {
			r->retried = true;
			return false;
		}
	}
	if (r->result)
		result_copy(r->result, resp, STORLAB_VIRTIO_SCSI_TS_RESPONSE(c->transport_status));
	req_release(q, r);
	return true;
}

static unsigned reap_used(struct vus_queue *q, struct storlab_completion *c, unsigned max)
{
	unsigned n = 0;
	bool readded = false;

	/* Kept requests stay; what the device completed before it went is in
	 * the ring, ours to read. */
	if (queue_is_dead(q) && !atomic_load(&q->head.dev->keeps_inflight))
		return reap_reset(q, c, max);
	while (n < max) {
		void *cookie;
		uint32_t len;
		int ret = virtq_drv_get_used(&q->vq, &cookie, &len);

		if (ret == -EAGAIN)
			break;
		if (ret) {
			/* The device broke the ring (logged by virtq): nothing in
			 * flight can be resumed in it. */
			atomic_store(&q->head.dev->keeps_inflight, false);
			queue_mark_dead(q);
			return n + reap_reset(q, c + n, max - n);
		}
		if (reap_one(q, cookie, len, &c[n]))
			n++;
		else
			readded = true;
	}
	if (readded && virtq_drv_publish(&q->vq))
		vu_eventfd_signal(q->mem.kick_fd);
	return n;
}

static int queue_wait(struct vus_queue *q, int64_t deadline)
{
	bool hangup;
	int ret = vu_ring_wait(&q->vq, q->mem.call_fd, q->vdev->sock_fd, q->fd_enabled, deadline,
			       &hangup);

	if (hangup && vus_dev_check_hangup(q->vdev))
		queue_is_dead(q);
	return ret;
}

int vus_queue_reap(struct storlab_queue *head, struct storlab_completion *c, unsigned min,
		   unsigned max, int timeout_ms)
{
	struct vus_queue *q = queue_of(head);
	int64_t deadline = min > 0 ? deadline_from_timeout(timeout_ms) : -1;
	unsigned n = 0;
	int ret = 0;

	if (min > max)
		return -EINVAL;
	vus_queue_submit(head); /* -ENOTCONN: the loop hands back what was in flight */
	if (q->fd_enabled)
		vu_eventfd_drain(q->mem.call_fd);
	for (;;) {
		n += reap_used(q, c + n, max - n);
		if (n >= max || (n >= min && n > 0))
			break;
		if (queue_drained_dead(q))
			break;
		if (min == 0) {
			/* Look at the socket now and then, at once in event
			 * mode: nothing else notices a back-end that died. */
			if (!q->dead && (q->fd_enabled || ++q->idle_polls >= QUEUE_IDLE_CHECK)) {
				q->idle_polls = 0;
				if (vus_dev_check_hangup(q->vdev))
					queue_is_dead(q);
			}
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
		if (q->fd_enabled && !q->dead && virtq_drv_enable_notify(&q->vq, true))
			vu_eventfd_signal(q->mem.call_fd);
		return (int)n;
	}
	if (queue_drained_dead(q))
		return -ENOTCONN;
	return ret;
}

void vus_queue_set_fd_enabled(struct storlab_queue *head, bool enabled)
{
	struct vus_queue *q = queue_of(head);

	q->fd_enabled = enabled;
	if (q->vq.num && virtq_drv_enable_notify(&q->vq, enabled) && enabled)
		vu_eventfd_signal(q->mem.call_fd);
}
