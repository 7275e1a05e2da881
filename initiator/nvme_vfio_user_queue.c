/* SPDX-License-Identifier: MIT */
/*
 * The nvme-vfio-user transport's queues: neutral requests as NVM command
 * set commands on one I/O queue pair (NVM CS §3.2), their completions
 * collected by lib/nvme's callbacks and handed out by reap.
 *
 * The data path sends no message: doorbells go through the mapping and
 * completions are read from memory. So a reap that finds nothing looks at
 * the controller (CSTS, one message) once every QUEUE_IDLE_CHECK empty
 * polls: a connection that is gone, or CSTS.CFS, makes the device dead and
 * what was in flight completes NOT_CONNECTED.
 */
#define LOG_COMPONENT "initiator"

#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "initiator/nvme_drv.h"
#include "initiator/nvme_vfio_user.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"

/* Empty polls between two checks of the controller. */
#define QUEUE_IDLE_CHECK 4096
/* The longest sleep on a queue's interrupt between two looks. */
#define QUEUE_SLEEP_MS 100

int nvu_queue_init(struct nvu_dev *nd, uint16_t qid, struct nvu_queue *q)
{
	struct storlab_dev *dev = nd->dev;
	uint16_t n = dev->opts.queue_size;
	void *dsm;

	memset(q, 0, sizeof(*q));
	q->efd = -1;
	initiator_queue_init(&q->head, dev);
	q->ndev = nd;
	q->qid = qid;
	q->nreqs = n;
	q->reqs = calloc(n, sizeof(*q->reqs));
	q->done = calloc(n, sizeof(*q->done));
	if (dev->opts.nvme_interrupts)
		q->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!q->reqs || !q->done || (dev->opts.nvme_interrupts && q->efd < 0) ||
	    guestmem_alloc(&dev->mem, n * sizeof(*q->dsm), GUESTMEM_PAGE, &dsm)) {
		nvu_queue_fini(q);
		return -ENOMEM;
	}
	q->dsm = dsm;
	for (uint16_t i = 0; i < n; i++)
		q->reqs[i] = (struct nvu_req){.q = q, .next_free = (uint16_t)(i + 1)};
	q->nfree = n;
	return 0;
}

void nvu_queue_fini(struct nvu_queue *q)
{
	if (q->dsm)
		guestmem_free(&q->head.dev->mem, q->dsm);
	if (q->efd >= 0)
		close(q->efd);
	free(q->reqs);
	free(q->done);
	memset(q, 0, sizeof(*q));
	q->efd = -1;
}

static struct nvu_queue *nvu_queue_of(struct storlab_queue *head)
{
	return container_of(head, struct nvu_queue, head);
}

static const struct nvu_queue *nvu_queue_of_const(const struct storlab_queue *head)
{
	return container_of(head, const struct nvu_queue, head);
}

/* lib/nvme's callback: the completion waits in the ring for reap. */
static void nvu_done(void *arg, const struct nvme_cpl *cpl)
{
	struct nvu_req *r = arg;
	struct nvu_queue *q = r->q;
	uint16_t slot = (uint16_t)((q->done_head + q->ndone) % q->nreqs);

	nvme_drv_complete(&q->done[slot], r->tag, r->len, cpl);
	if (cpl->err == -ECANCELED && atomic_load(&q->head.dev->dead))
		q->done[slot] =
		    (struct storlab_completion){.tag = r->tag,
						.ret = -ECONNRESET,
						.status = STORLAB_STATUS_NOT_CONNECTED,
						.transport_status = STORLAB_NVME_S_CANCELED};
	q->ndone++;
	r->next_free = q->free_head;
	q->free_head = (uint16_t)(r - q->reqs);
	q->nfree++;
}

static uint64_t iov_bytes(const struct iovec *iov, unsigned n)
{
	uint64_t len = 0;

	for (unsigned i = 0; i < n; i++)
		len += iov[i].iov_len;
	return len;
}

/* NVM CS §3.2.3, §3.2.4, §3.2.6, §3.2.8 and Base §7.2: the command of a
 * neutral request, its data in *iov. */
static int req_to_sqe(const struct nvu_queue *q, uint16_t slot, const struct storlab_req *req,
		      struct nvme_sqe *sqe, struct iovec *dsm_iov, const struct iovec **iov,
		      unsigned *iovcnt)
{
	const struct storlab_nvme_info *nv = &q->ndev->nv;
	const struct storlab_nvme_cmd *cmd;
	uint64_t len = req->len, slba, nlb;

	*sqe = (struct nvme_sqe){.nsid = htole32(nv->nsid)};
	*iov = NULL;
	*iovcnt = 0;
	if (req->flags & ~(req->op == STORLAB_OP_WRITE_ZEROES ? STORLAB_REQ_UNMAP : 0))
		return -EINVAL;
	switch (req->op) {
	case STORLAB_OP_READ:
	case STORLAB_OP_WRITE:
		len = iov_bytes(req->iov, req->iovcnt);
		sqe->opc = req->op == STORLAB_OP_READ ? NVME_NVM_READ : NVME_NVM_WRITE;
		*iov = req->iov;
		*iovcnt = req->iovcnt;
		break;
	case STORLAB_OP_FLUSH:
		sqe->opc = NVME_NVM_FLUSH;
		return 0;
	case STORLAB_OP_WRITE_ZEROES:
		sqe->opc = NVME_NVM_WRITE_ZEROES;
		break;
	case STORLAB_OP_DISCARD:
		sqe->opc = NVME_NVM_DSM;
		break;
	case STORLAB_OP_DEVICE:
		cmd = req->cmd;
		nvme_drv_sqe(cmd, sqe);
		*iov = cmd->iov;
		*iovcnt = cmd->iovcnt;
		return 0;
	default:
		return -EINVAL;
	}
	if (req->offset % nv->block_size || len % nv->block_size || len == 0)
		return -EINVAL;
	slba = req->offset / nv->block_size;
	nlb = len / nv->block_size;
	if (sqe->opc == NVME_NVM_DSM) {
		/* one range, NLB not 0's based; CDW10 NR 0 (one), CDW11 AD */
		if (nlb > UINT32_MAX)
			return -EINVAL;
		q->dsm[slot] =
		    (struct nvme_dsm_range){.nlb = htole32((uint32_t)nlb), .slba = htole64(slba)};
		sqe->cdw11 = htole32(NVME_DSM_AD);
		*dsm_iov = (struct iovec){&q->dsm[slot], sizeof(q->dsm[slot])};
		*iov = dsm_iov;
		*iovcnt = 1;
		return 0;
	}
	if (nlb > NVME_IO_NLB_MASK + 1u)
		return -EINVAL;
	sqe->cdw10 = htole32((uint32_t)slba);
	sqe->cdw11 = htole32((uint32_t)(slba >> 32));
	sqe->cdw12 =
	    htole32((uint32_t)(nlb - 1) | (req->flags & STORLAB_REQ_UNMAP ? NVME_IO_DEAC : 0));
	return 0;
}

int nvu_queue_add(struct storlab_queue *head, const struct storlab_req *req)
{
	struct nvu_queue *q = nvu_queue_of(head);
	const struct iovec *iov;
	struct iovec dsm_iov;
	struct nvme_sqe sqe;
	unsigned iovcnt;
	uint16_t slot;
	int ret;

	if (atomic_load_explicit(&head->dev->dead, memory_order_relaxed) || !q->up)
		return -ENOTCONN;
	if (q->nfree == 0)
		return -EAGAIN;
	slot = q->free_head;
	ret = req_to_sqe(q, slot, req, &sqe, &dsm_iov, &iov, &iovcnt);
	if (ret)
		return ret;
	if (iovcnt > STORLAB_MAX_SEGMENTS)
		return -EINVAL;
	ret = nvme_qpair_submit_data(&q->qp, &sqe, iov, iovcnt, nvu_done, &q->reqs[slot]);
	switch (ret) {
	case 0:
		break;
	case -EBUSY:
		return -EAGAIN;
	case -EINVAL:
	case -E2BIG:
		return -EINVAL;
	case -EFAULT:
		return -EFAULT;
	default:
		/* the doorbell did not reach the controller: the connection is gone */
		atomic_store(&head->dev->dead, true);
		return -ENOTCONN;
	}
	q->free_head = q->reqs[slot].next_free;
	q->nfree--;
	q->reqs[slot].tag = req->tag;
	q->reqs[slot].len = req->op == STORLAB_OP_READ ? (uint32_t)iov_bytes(iov, iovcnt) : 0;
	return 0;
}

int nvu_queue_submit(struct storlab_queue *head)
{
	/* each add rang its doorbell already */
	return atomic_load(&head->dev->dead) ? -ENOTCONN : 0;
}

static unsigned done_pop(struct nvu_queue *q, struct storlab_completion *c, unsigned max)
{
	unsigned n = 0;

	for (; n < max && q->ndone; n++, q->ndone--) {
		c[n] = q->done[q->done_head];
		q->done_head = (uint16_t)((q->done_head + 1) % q->nreqs);
	}
	return n;
}

/* The device is gone: the queue pair's memory is ours again and each
 * request in flight completes NOT_CONNECTED (nvu_done). */
static void queue_fail(struct nvu_queue *q)
{
	if (!q->up)
		return;
	log_info("queue %u: controller gone, %u request(s) complete with ECONNRESET", q->qid,
		 (unsigned)(q->nreqs - q->nfree));
	q->up = false;
	nvme_qpair_fini(&q->qp);
}

/* An empty poll: now and then, ask whether the controller is still there. */
static void queue_idle(struct nvu_queue *q)
{
	struct storlab_dev *dev = q->head.dev;

	if (++q->idle_polls < QUEUE_IDLE_CHECK)
		return;
	q->idle_polls = 0;
	if (!atomic_load(&dev->dead) && nvme_ctrlr_check(&q->ndev->ctrlr) != 0)
		atomic_store(&dev->dead, true);
}

/* Nothing to reap yet: sleep on the queue's vector until it fires (a CQE
 * posted since the last poll left the eventfd readable) or QUEUE_SLEEP_MS
 * passed, so dead-controller checks still run; polled, yield. */
static void queue_wait(struct nvu_queue *q, int64_t deadline)
{
	struct pollfd p = {.fd = q->efd, .events = POLLIN};
	int left = deadline_ms_left(deadline);
	uint64_t n;

	if (q->efd < 0) {
		sched_yield();
		return;
	}
	if (poll(&p, 1, left < 0 || left > QUEUE_SLEEP_MS ? QUEUE_SLEEP_MS : left) == 1)
		(void)!read(q->efd, &n, sizeof(n)); /* re-armed: the count is not needed */
}

int nvu_queue_reap(struct storlab_queue *head, struct storlab_completion *c, unsigned min,
		   unsigned max, int timeout_ms)
{
	struct nvu_queue *q = nvu_queue_of(head);
	int64_t deadline = min > 0 ? deadline_from_timeout(timeout_ms) : -1;
	unsigned n = 0;

	if (min > max)
		return -EINVAL;
	for (;;) {
		n += done_pop(q, c + n, max - n);
		if (n >= max || (n >= min && n > 0))
			break;
		if (atomic_load_explicit(&head->dev->dead, memory_order_relaxed))
			queue_fail(q);
		if (q->up && nvme_qpair_poll(&q->qp, q->qp.size) == 0 && !q->ndone)
			queue_idle(q);
		if (q->ndone)
			continue;
		if (!q->up || min == 0 || deadline_ms_left(deadline) == 0)
			break;
		queue_wait(q, deadline);
	}
	if (n > 0) {
		q->idle_polls = 0;
		return (int)n;
	}
	if (!q->up)
		return -ENOTCONN;
	return min > 0 ? -ETIMEDOUT : 0;
}

unsigned nvu_queue_inflight(const struct storlab_queue *head)
{
	const struct nvu_queue *q = nvu_queue_of_const(head);

	return (unsigned)(q->nreqs - q->nfree);
}

int nvu_queue_fd(const struct storlab_queue *head)
{
	return nvu_queue_of_const(head)->efd; /* -1: polled */
}

void nvu_queue_set_fd_enabled(struct storlab_queue *head, bool enabled)
{
	(void)head;
	(void)enabled;
}
