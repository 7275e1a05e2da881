/* SPDX-License-Identifier: MIT */
/*
 * Queue pairs of the host driver: the SQ ring we write, the CQ ring the
 * controller writes (NVMe Base 2.1 §3.3.1, §4.2.4 phase tag), command
 * slots indexed by CID, deadlines. Every CQE is checked against what we
 * submitted before it completes anything (Base §4.2.1 Figure 96).
 */
#define LOG_COMPONENT "nvme"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nvme/nvme_host.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"

enum nvme_req_state {
	REQ_FREE,
	REQ_BUSY,
	REQ_TIMED_OUT, /* the caller was told; waits for a late CQE or a reset */
};

int nvme_qpair_init(struct nvme_qpair *qp, struct nvme_ctrlr *c, uint16_t qid, uint16_t size,
		    int timeout_ms)
{
	const struct nvme_transport_ops *ops = c->ops;
	unsigned slots = size - 1u;
	size_t list_len = (size_t)nvme_prp_list_pages(c->info.max_xfer) * NVME_HOST_PAGE;

	memset(qp, 0, sizeof(*qp));
	if (size < 2 || size > NVME_HOST_PAGE)
		return -EINVAL;
	qp->ctrlr = c;
	qp->qid = qid;
	qp->size = size;
	qp->phase = 1;
	qp->timeout_ms = timeout_ms;
	qp->reqs = calloc(slots, sizeof(*qp->reqs));
	qp->free = calloc(slots, sizeof(*qp->free));
	if (!qp->reqs || !qp->free)
		goto fail;
	if (ops->dma_alloc(c->arg, ALIGN_UP(size * sizeof(struct nvme_sqe), NVME_HOST_PAGE),
			   &qp->sq_mem))
		goto fail;
	if (ops->dma_alloc(c->arg, ALIGN_UP(size * sizeof(struct nvme_cqe), NVME_HOST_PAGE),
			   &qp->cq_mem))
		goto fail;
	qp->sq = qp->sq_mem.va;
	qp->cq = qp->cq_mem.va;
	for (unsigned i = 0; i < slots; i++) {
		if (ops->dma_alloc(c->arg, list_len, &qp->reqs[i].prp_list))
			goto fail;
		qp->free[qp->nfree++] = (uint16_t)(slots - 1 - i);
	}
	return 0;
fail:
	nvme_qpair_fini(qp);
	return -ENOMEM;
}

/* Ends the command of cid; returns whether its callback ran (not for a
 * command that timed out before). */
static bool req_end(struct nvme_qpair *qp, uint16_t cid, const struct nvme_cpl *cpl)
{
	struct nvme_req *r = &qp->reqs[cid];
	enum nvme_req_state was = r->state;

	/* a slot that timed out goes back only now: the controller is done
	 * with its buffers */
	if (cpl->err != -ETIMEDOUT) {
		r->state = REQ_FREE;
		qp->free[qp->nfree++] = cid;
		qp->inflight--;
	} else {
		r->state = REQ_TIMED_OUT;
	}
	if (was != REQ_BUSY)
		return false;
	r->cb(r->arg, cpl);
	return true;
}

void nvme_qpair_fini(struct nvme_qpair *qp)
{
	const struct nvme_transport_ops *ops;
	unsigned slots = qp->size - 1u;

	if (!qp->ctrlr)
		return;
	ops = qp->ctrlr->ops;
	for (unsigned i = 0; qp->reqs && qp->free && i < slots; i++) {
		if (qp->reqs[i].state != REQ_FREE)
			req_end(qp, (uint16_t)i, &(struct nvme_cpl){.err = -ECANCELED});
		if (qp->reqs[i].prp_list.va)
			ops->dma_free(qp->ctrlr->arg, &qp->reqs[i].prp_list);
	}
	if (qp->sq_mem.va)
		ops->dma_free(qp->ctrlr->arg, &qp->sq_mem);
	if (qp->cq_mem.va)
		ops->dma_free(qp->ctrlr->arg, &qp->cq_mem);
	free(qp->reqs);
	free(qp->free);
	memset(qp, 0, sizeof(*qp));
}

static int qpair_take(struct nvme_qpair *qp, uint16_t *cid)
{
	/* Base §3.3.1.1: the SQ is full when the tail is one below the head */
	if (qp->nfree == 0 || (uint16_t)((qp->sq_tail + 1) % qp->size) == qp->sq_head)
		return -EBUSY;
	*cid = qp->free[--qp->nfree];
	return 0;
}

static int qpair_push(struct nvme_qpair *qp, struct nvme_sqe *sqe, uint16_t cid, nvme_cb_fn cb,
		      void *arg)
{
	struct nvme_ctrlr *c = qp->ctrlr;
	struct nvme_req *r = &qp->reqs[cid];
	int rc;

	sqe->cid = htole16(cid);
	qp->sq[qp->sq_tail] = *sqe;
	qp->sq_tail = (uint16_t)((qp->sq_tail + 1) % qp->size);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	rc = c->ops->doorbell(c->arg, (uint32_t)nvme_sq_tdbl(qp->qid, c->dstrd), qp->sq_tail);
	if (rc) {
		qp->sq_tail = (uint16_t)((qp->sq_tail + qp->size - 1) % qp->size);
		qp->free[qp->nfree++] = cid;
		return rc;
	}
	*r = (struct nvme_req){
	    .cb = cb,
	    .arg = arg,
	    .deadline_ms = qp->timeout_ms > 0 ? deadline_from_timeout(qp->timeout_ms) : -1,
	    .state = REQ_BUSY,
	    .prp_list = r->prp_list,
	};
	qp->inflight++;
	return 0;
}

int nvme_qpair_submit(struct nvme_qpair *qp, struct nvme_sqe *sqe, nvme_cb_fn cb, void *arg)
{
	uint16_t cid;
	int rc = qpair_take(qp, &cid);

	return rc ? rc : qpair_push(qp, sqe, cid, cb, arg);
}

/* Base §4.1.1 PSDT and the data pointer of sqe for iov, with the list
 * memory of slot r: SGLs on an I/O queue when the controller was brought
 * up with them (admin commands keep PRPs), else PRPs. */
static int qpair_dptr(struct nvme_qpair *qp, struct nvme_req *r, struct nvme_sqe *sqe,
		      const struct iovec *iov, const uint64_t *bus, unsigned iovcnt)
{
	const struct nvme_ctrlr *c = qp->ctrlr;
	uint64_t prp1 = 0, prp2 = 0;
	int rc = 0;

	if (iovcnt && qp->qid && c->opts.sgl) {
		sqe->flags = NVME_SET(NVME_SQE_PSDT, NVME_PSDT_SGL_MPTR);
		return nvme_sgl_build(iov, bus, iovcnt, c->info.sgls & NVME_CTRL_SGLS_SUPPORT_MASK,
				      &sqe->dptr.sgl1, r->prp_list.va, r->prp_list.bus,
				      (unsigned)(r->prp_list.len / sizeof(struct nvme_sgl_desc)));
	}
	if (iovcnt)
		rc = nvme_prp_build(iov, bus, iovcnt, &prp1, &prp2, r->prp_list.va, r->prp_list.bus,
				    (unsigned)(r->prp_list.len / sizeof(uint64_t)));
	sqe->flags = NVME_SET(NVME_SQE_PSDT, NVME_PSDT_PRP);
	sqe->dptr.prp.prp1 = htole64(prp1);
	sqe->dptr.prp.prp2 = htole64(prp2);
	return rc;
}

int nvme_qpair_submit_data(struct nvme_qpair *qp, struct nvme_sqe *sqe, const struct iovec *iov,
			   unsigned iovcnt, nvme_cb_fn cb, void *arg)
{
	struct nvme_ctrlr *c = qp->ctrlr;
	uint64_t bus[NVME_HOST_PRP_ENTS];
	uint16_t cid;
	int rc;

	if (iovcnt > NVME_HOST_PRP_ENTS)
		return -E2BIG;
	for (unsigned i = 0; i < iovcnt; i++) {
		rc = c->ops->dma_addr(c->arg, iov[i].iov_base, iov[i].iov_len, &bus[i]);
		if (rc)
			return rc;
	}
	rc = qpair_take(qp, &cid);
	if (rc)
		return rc;
	rc = qpair_dptr(qp, &qp->reqs[cid], sqe, iov, bus, iovcnt);
	if (rc) {
		qp->free[qp->nfree++] = cid;
		return rc;
	}
	return qpair_push(qp, sqe, cid, cb, arg);
}

int nvme_qpair_submit_rw(struct nvme_qpair *qp, uint8_t opc, uint32_t nsid, uint64_t slba,
			 uint32_t nlb, const struct iovec *iov, unsigned iovcnt, nvme_cb_fn cb,
			 void *arg)
{
	struct nvme_sqe sqe = {.opc = opc, .nsid = htole32(nsid)};

	if (nlb == 0 || nlb > NVME_IO_NLB_MASK + 1u || iovcnt == 0)
		return -EINVAL;
	/* NVM CS §3.2.4 / §3.2.6: CDW10/11 SLBA, CDW12 NLB 0's based */
	sqe.cdw10 = htole32((uint32_t)slba);
	sqe.cdw11 = htole32((uint32_t)(slba >> 32));
	sqe.cdw12 = htole32(nlb - 1);
	return nvme_qpair_submit_data(qp, &sqe, iov, iovcnt, cb, arg);
}

/* Base §4.2.1 Figure 96: a CQE of ours names this SQ, an SQ head inside
 * the ring and no further than our tail, and a CID we have outstanding. */
static int cqe_check(struct nvme_qpair *qp, uint16_t sqid, uint16_t sqhd, uint16_t cid)
{
	uint16_t used = (uint16_t)((qp->sq_tail + qp->size - qp->sq_head) % qp->size);
	uint16_t moved = (uint16_t)((sqhd + qp->size - qp->sq_head) % qp->size);

	if (sqid != qp->qid) {
		log_warn_ratelimited(&qp->rl, "cqe", "CQ %u: CQE names SQ %u, not %u (Base §4.2.1)",
				     qp->qid, sqid, qp->qid);
		return -EPROTO;
	}
	if (sqhd >= qp->size || moved > used) {
		log_warn_ratelimited(&qp->rl, "cqe",
				     "CQ %u: CQE SQ head %u outside %u .. tail %u (Base §4.2.1)",
				     qp->qid, sqhd, qp->sq_head, qp->sq_tail);
		return -EPROTO;
	}
	if (cid >= qp->size - 1u || qp->reqs[cid].state == REQ_FREE) {
		log_warn_ratelimited(
		    &qp->rl, "cqe", "CQ %u: CQE for CID %u, which is not outstanding (Base §4.2.1)",
		    qp->qid, cid);
		return -EPROTO;
	}
	return 0;
}

/* Ends the commands past their deadline; an I/O one gets an Abort
 * (Base §5.2.1), whose answer we only log. */
static void abort_done(void *arg, const struct nvme_cpl *cpl)
{
	(void)arg;
	if (cpl->err || cpl->status)
		log_notice("Abort: err %d status %#x", cpl->err, cpl->status);
}

static void qpair_expire(struct nvme_qpair *qp)
{
	int64_t now = deadline_now_ms();

	for (uint16_t cid = 0; cid < qp->size - 1u; cid++) {
		struct nvme_req *r = &qp->reqs[cid];
		struct nvme_sqe abort = {.opc = NVME_ADM_ABORT};

		if (r->state != REQ_BUSY || r->deadline_ms < 0 || now < r->deadline_ms)
			continue;
		log_warn("queue %u: command %u got no answer in %d ms", qp->qid, cid,
			 qp->timeout_ms);
		req_end(qp, cid, &(struct nvme_cpl){.err = -ETIMEDOUT});
		if (qp->qid == 0)
			continue;
		/* Base §5.2.1: CDW10 SQID 15:0, CID 31:16 */
		abort.cdw10 = htole32((uint32_t)cid << 16 | qp->qid);
		if (nvme_qpair_submit(&qp->ctrlr->admin, &abort, abort_done, NULL))
			log_warn("queue %u: no admin slot for the Abort of %u", qp->qid, cid);
	}
}

int nvme_qpair_poll(struct nvme_qpair *qp, unsigned max)
{
	struct nvme_ctrlr *c = qp->ctrlr;
	int done = 0, bad = 0;
	uint16_t head = qp->cq_head;

	for (unsigned n = 0; n < max; n++) {
		struct nvme_cqe e;
		uint16_t status;
		int rc;

		e = *(const struct nvme_cqe *)&qp->cq[qp->cq_head];
		status = le16toh(e.status);
		if (NVME_GET(status, NVME_STATUS_P) != qp->phase)
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		e = *(const struct nvme_cqe *)&qp->cq[qp->cq_head];
		status = le16toh(e.status);
		/* Base §4.2.4: the phase inverts on each pass through the ring */
		qp->cq_head = (uint16_t)((qp->cq_head + 1) % qp->size);
		if (qp->cq_head == 0)
			qp->phase ^= 1;
		rc = cqe_check(qp, le16toh(e.sqid), le16toh(e.sqhd), le16toh(e.cid));
		if (rc) {
			qp->bad_cqes++;
			bad = rc;
			continue;
		}
		qp->sq_head = le16toh(e.sqhd);
		done += req_end(qp, le16toh(e.cid),
				&(struct nvme_cpl){
				    .status = NVME_SCT_SC(NVME_GET(status, NVME_STATUS_SCT),
							  NVME_GET(status, NVME_STATUS_SC)),
				    .dnr = NVME_GET(status, NVME_STATUS_DNR),
				    .cdw0 = le32toh(e.cdw0),
				});
	}
	if (qp->cq_head != head)
		c->ops->doorbell(c->arg, (uint32_t)nvme_cq_hdbl(qp->qid, c->dstrd), qp->cq_head);
	if (qp->inflight)
		qpair_expire(qp);
	return bad ? bad : done;
}
