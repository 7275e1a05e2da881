/* SPDX-License-Identifier: MIT */
/*
 * The I/O queues of the vfio-user NVMe controller: each I/O SQ is a queue
 * of the queue engine on a reactor. Its poll fetches SQEs (nvmf_sq_fetch),
 * decodes them (nvmf_io_decode), maps the data pointer into the slot's
 * iovecs (nvmf_dptr_map, zero copy) and submits to the namespace's bdev;
 * the completion posts the CQE (nvmf_cq_post) and the batch's notify fires
 * the MSI-X vector once.
 */
#define LOG_COMPONENT "nvme-vfu"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>

#include "nvmf/nvmf_identify.h"
#include "nvmf/nvmf_io.h"
#include "nvmf/nvmf_io_status.h"
#include "target/frontend/nvme_vfio_user_internal.h"
#include "util/common.h"
#include "util/iov.h"
#include "util/log.h"

/* One command in flight: a slot of the engine. */
struct nvu_io {
	struct bdev_io io;
	struct nvu_ioq *q;
	struct nvmf_cpl cpl;
	/* A command of several bdev I/Os, one after the other: Dataset
	 * Management (its namespace and bdev, the range list's iovecs, the
	 * next range) and a Flush of every namespace (the next bdev). */
	const struct nvmf_ns_props *ns;
	unsigned bdev;
	unsigned iovcnt;
	uint16_t next, count;
	struct iovec iov[];
};

void nvu_irq_fire(struct nvme_vfu *v, uint16_t iv)
{
	int fd = __atomic_load_n(&v->irq_fds[iv], __ATOMIC_ACQUIRE);

	if (fd >= 0)
		eventfd_write(fd, 1);
}

/* Posts cpl on the SQ's CQ; keeps it while the CQ is full (Base §4.2.4:
 * the host frees entries by moving the CQ head doorbell). */
static void ioq_post(struct nvu_ioq *q, const struct nvmf_cpl *cpl)
{
	struct nvmf_irq irq = {0};
	int rc = nvmf_cq_post(&q->v->ctrlr, q->sqid, cpl, &irq);

	if (rc == -EAGAIN && q->nheld < q->qe.nslots) {
		q->held[q->nheld++] = *cpl;
		return;
	}
	if (rc < 0) {
		log_warn_ratelimited(&q->dma.log_rl, "cq post",
				     "SQ %u: completion of command %u dropped: %d", q->sqid,
				     cpl->cid, rc);
		return;
	}
	qe_completed(&q->qe);
	if (irq.fire)
		q->irq = irq;
}

/* Posts what waited for room; false while some still waits. */
static bool ioq_post_held(struct nvu_ioq *q)
{
	uint32_t done = 0;

	while (done < q->nheld) {
		struct nvmf_irq irq = {0};

		if (nvmf_cq_post(&q->v->ctrlr, q->sqid, &q->held[done], &irq) == -EAGAIN)
			break;
		qe_completed(&q->qe);
		if (irq.fire)
			q->irq = irq;
		done++;
	}
	memmove(q->held, q->held + done, (q->nheld - done) * sizeof(*q->held));
	q->nheld -= done;
	return q->nheld == 0;
}

static void io_finish(struct nvu_io *r)
{
	struct nvu_ioq *q = r->q;

	ioq_post(q, &r->cpl);
	qe_slot_put(&q->qe, r);
}

/* NVM CS §3.2 and Base §4.2.3: a bdev error as an NVMe status. */
static uint16_t status_of(int status)
{
	switch (status) {
	case 0:
		return NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS);
	case -ERANGE:
		return NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_LBA_OUT_OF_RANGE);
	case -ECANCELED:
		return NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_ABORT_REQUESTED);
	default:
		return NVME_SCT_SC(NVME_SCT_MEDIA, NVME_SC_WRITE_FAULT);
	}
}

static void dsm_continue(struct nvu_io *r);
static void flush_continue(struct nvu_io *r);
static void cmp_done(struct nvu_io *r, int status);

static void io_done(struct bdev_io *io, int status, void *arg)
{
	struct nvu_io *r = arg;

	if (io->iov == &r->q->cmp_iov) {
		cmp_done(r, status);
		return;
	}
	if (status)
		r->cpl.status = status_of(status);
	if (io->type == BDEV_IO_UNMAP && !status)
		dsm_continue(r);
	else if (io->type == BDEV_IO_FLUSH && !status)
		flush_continue(r);
	else
		io_finish(r);
}

static int io_submit(struct nvu_io *r, unsigned bdev, enum bdev_io_type type, uint64_t slba,
		     uint32_t nlb, int iovcnt)
{
	r->io.type = type;
	r->io.offset_blocks = slba;
	r->io.num_blocks = nlb;
	r->io.iov = r->iov;
	r->io.iovcnt = iovcnt;
	r->io.cb = io_done;
	r->io.cb_arg = r;
	return bdev_submit(qe_channel(&r->q->qe, bdev), &r->io);
}

/* NVM CS §3.2.3 range i of r's list, read from the host's buffer and
 * checked against the namespace: 1 (in *out), 0 (no block) or -EINVAL
 * (status set: LBA Out of Range). */
static int dsm_range(struct nvu_io *r, unsigned i, struct nvmf_dsm_range *out)
{
	struct nvmf_io_task t = {.nr_ranges = 1};
	uint8_t raw[sizeof(struct nvme_dsm_range)];
	int rc;

	iov_copy_out(r->iov, r->iovcnt, i * sizeof(raw), raw, sizeof(raw));
	rc = nvmf_dsm_parse(r->ns, raw, sizeof(raw), out, &t, &r->q->dma.log_rl);
	if (rc < 0)
		r->cpl.status = t.status;
	return rc;
}

/* Deallocates the next range (one bdev UNMAP at a time: a slot has one
 * bdev_io), or completes the command after the last. */
static void dsm_continue(struct nvu_io *r)
{
	struct nvmf_dsm_range range;
	int rc = 0;

	while (r->next < r->count && rc == 0)
		rc = dsm_range(r, r->next++, &range);
	if (rc > 0) {
		rc = io_submit(r, r->bdev, BDEV_IO_UNMAP, range.slba, range.nlb, 0);
		if (rc == 0)
			return; /* io_done() continues */
		r->cpl.status = status_of(rc);
	}
	io_finish(r);
}

/* Flushes the next bdev (of one namespace, or of every one for NSID
 * FFFFFFFFh, Base §7.2), or completes the command after the last. */
static void flush_continue(struct nvu_io *r)
{
	int rc;

	if (r->next == r->count) {
		io_finish(r);
		return;
	}
	rc = io_submit(r, r->next++, BDEV_IO_FLUSH, 0, 0, 0);
	if (rc < 0) {
		r->cpl.status = status_of(rc);
		io_finish(r);
	}
}

/* Every range is checked before any is deallocated (NVM CS §3.2.3: a
 * range past the namespace fails the command); each is read again when
 * its turn comes, and checked again, so a host that changes its list
 * meanwhile harms only itself. */
static void dsm_start(struct nvu_ioq *q, struct nvu_io *r, const struct nvme_sqe *sqe,
		      const struct nvmf_io_task *t, const struct nvmf_ns_props *ns, unsigned b)
{
	struct nvmf_iov out = {.iov = r->iov, .max = q->v->niov};
	struct nvmf_dsm_range range;

	if (nvmf_dptr_map(&q->dma, sqe, t->len, &out, &r->cpl.status) < 0) {
		io_finish(r);
		return;
	}
	r->ns = ns;
	r->bdev = b;
	r->iovcnt = out.cnt;
	r->next = 0;
	r->count = (uint16_t)t->nr_ranges;
	for (unsigned i = 0; i < t->nr_ranges; i++) {
		if (dsm_range(r, i, &range) < 0) {
			io_finish(r);
			return;
		}
	}
	dsm_continue(r);
}

/* NVM CS §3.2.1: the blocks read equal the data-out, or the command
 * completes with Compare Failure. */
static void cmp_done(struct nvu_io *r, int status)
{
	struct nvu_ioq *q = r->q;
	size_t off = 0;

	q->cmp_busy = false;
	if (status)
		r->cpl.status = status_of(status);
	for (unsigned i = 0; !status && i < r->iovcnt; i++) {
		if (memcmp(r->iov[i].iov_base, q->cmp_buf + off, r->iov[i].iov_len) != 0) {
			r->cpl.status = NVME_SCT_SC(NVME_SCT_MEDIA, NVME_SC_COMPARE_FAILURE);
			break;
		}
		off += r->iov[i].iov_len;
	}
	io_finish(r);
}

static void cmp_start(struct nvu_ioq *q, struct nvu_io *r, const struct nvme_sqe *sqe,
		      const struct nvmf_io_task *t, unsigned b)
{
	size_t size = (size_t)(q->v->niov - 1) * NVMF_IO_MPSMIN_BYTES;
	struct nvmf_iov out = {.iov = r->iov, .max = q->v->niov};
	int rc;

	if (t->len > size) {
		r->cpl.status = nvmf_refuse(
		    &q->dma.log_rl, NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INTERNAL),
		    "NVM CS §3.2.1: Compare of %" PRIu64 " bytes, past %zu", t->len, size);
		io_finish(r);
		return;
	}
	if (!q->cmp_buf)
		q->cmp_buf = aligned_alloc(NVMF_IO_MPSMIN_BYTES, size);
	if (!q->cmp_buf) {
		r->cpl.status = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INTERNAL);
		io_finish(r);
		return;
	}
	if (nvmf_dptr_map(&q->dma, sqe, t->len, &out, &r->cpl.status) < 0) {
		io_finish(r);
		return;
	}
	r->iovcnt = out.cnt;
	q->cmp_iov = (struct iovec){.iov_base = q->cmp_buf, .iov_len = t->len};
	r->io = (struct bdev_io){.type = BDEV_IO_READ,
				 .offset_blocks = t->slba,
				 .num_blocks = t->nlb,
				 .iov = &q->cmp_iov,
				 .iovcnt = 1,
				 .cb = io_done,
				 .cb_arg = r};
	q->cmp_busy = true;
	rc = bdev_submit(qe_channel(&q->qe, b), &r->io);
	if (rc < 0) {
		q->cmp_busy = false;
		r->cpl.status = status_of(rc);
		io_finish(r);
	}
}

/* Starts one decoded command; what it needs of a bdev goes to the channel
 * of its namespace's bdev. */
static void io_start(struct nvu_ioq *q, struct nvu_io *r, const struct nvme_sqe *sqe)
{
	struct nvme_vfu *v = q->v;
	const struct nvmf_ns_props *ns = nvmf_ns_find(nvmf_ctrlr_ns(&v->ctrlr), sqe->nsid);
	struct nvmf_io_task t;
	struct nvmf_iov out = {.iov = r->iov, .max = v->niov};
	unsigned b = ns ? v->bdev_of_nsid[ns->nsid] : 0;
	enum bdev_io_type type;
	int rc = -EINVAL; /* an op this switch does not know */

	r->cpl = (struct nvmf_cpl){.cid = sqe->cid};
	nvmf_io_decode(&v->props, ns, sqe, &t, &q->dma.log_rl);
	if (t.op != NVMF_IO_DONE && t.fuse != NVME_FUSE_NONE) {
		/* Neither part runs alone: the Write only after a matching
		 * Compare, atomically with it (Base §3.4.2). */
		t.op = NVMF_IO_DONE;
		t.status =
		    nvmf_refuse(&q->dma.log_rl, NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INTERNAL),
				"Base §3.4.2: fused Compare and Write not served yet");
	}
	switch (t.op) {
	case NVMF_IO_DONE:
		r->cpl.status = t.status;
		io_finish(r);
		return;
	case NVMF_IO_READ:
	case NVMF_IO_WRITE:
		type = t.op == NVMF_IO_READ ? BDEV_IO_READ : BDEV_IO_WRITE;
		if (nvmf_dptr_map(&q->dma, sqe, t.len, &out, &r->cpl.status) < 0) {
			io_finish(r);
			return;
		}
		rc = io_submit(r, b, type, t.slba, t.nlb, (int)out.cnt);
		break;
	case NVMF_IO_WRITE_ZEROES:
		/* NVM CS §3.2.8: DEAC is a hint; the blocks read as zeroes
		 * either way. */
		rc = io_submit(r, b, BDEV_IO_WRITE_ZEROES, t.slba, t.nlb, 0);
		break;
	case NVMF_IO_FLUSH:
		r->next = (uint16_t)b;
		r->count = (uint16_t)(ns ? b + 1 : v->nbdevs);
		flush_continue(r);
		return;
	case NVMF_IO_DSM:
		dsm_start(q, r, sqe, &t, ns, b);
		return;
	case NVMF_IO_COMPARE:
		cmp_start(q, r, sqe, &t, b);
		return;
	}
	if (rc < 0) {
		r->cpl.status = status_of(rc);
		io_finish(r);
	}
}

static unsigned ioq_poll(void *ctx, unsigned budget)
{
	struct nvu_ioq *q = ctx;
	unsigned n = 0;

	/* Nothing new is fetched while completions wait for CQ room: the
	 * host sees them in order. */
	if (!ioq_post_held(q))
		return 0;
	if (q->stashed) {
		if (q->cmp_busy)
			return 0;
		struct nvu_io *r = qe_slot_next(&q->qe);

		q->stashed = false;
		qe_slot_take(&q->qe);
		io_start(q, r, &q->stash);
		n++;
	}
	while (n < budget && qe_slot_available(&q->qe)) {
		struct nvu_io *r = qe_slot_next(&q->qe);
		struct nvme_sqe sqe;
		int rc = nvmf_sq_fetch(&q->v->ctrlr, q->sqid, &sqe);

		if (rc <= 0)
			break;
		if (sqe.opc == NVME_NVM_COMPARE && q->cmp_busy) {
			q->stash = sqe;
			q->stashed = true;
			break;
		}
		qe_slot_take(&q->qe);
		io_start(q, r, &sqe);
		n++;
	}
	return n;
}

static void ioq_notify(void *ctx)
{
	struct nvu_ioq *q = ctx;

	if (q->irq.fire) {
		q->irq.fire = false;
		nvu_irq_fire(q->v, q->irq.vector);
	}
}

static void ioq_slot_init(void *ctx, void *slot)
{
	struct nvu_io *r = slot;

	r->q = ctx;
}

void nvu_ioq_ops_init(struct qe_ops *ops, unsigned period_us)
{
	*ops = (struct qe_ops){
	    .name = "nvme-vfu-sq",
	    .slot_init = ioq_slot_init,
	    .poll = ioq_poll,
	    .notify = ioq_notify,
	    .period_us = period_us,
	};
}

int nvu_ioq_init(struct nvme_vfu *v, struct nvu_ioq *q, uint16_t sqid)
{
	uint32_t depth = (uint32_t)v->props.mqes + 1;

	q->v = v;
	q->sqid = sqid;
	q->held = calloc(depth, sizeof(*q->held));
	if (!q->held)
		return -ENOMEM;
	q->qe.ops = &v->ioq_ops;
	q->qe.ctx = q;
	q->qe.owner = v->props.subnqn;
	q->qe.index = sqid;
	q->qe.bdevs = v->bdevs;
	q->qe.slot_size = sizeof(struct nvu_io) + v->niov * sizeof(struct iovec);
	q->qe.nslots = depth;
	q->qe.wake_fd = -1;
	return 0;
}

void nvu_ioq_fini(struct nvu_ioq *q)
{
	free(q->cmp_buf);
	free(q->held);
}

int nvu_ioq_start(struct nvu_ioq *q)
{
	struct nvme_vfu *v = q->v;
	uint16_t cqid = v->ctrlr.sq[q->sqid].cqid;
	int rc;

	/* The controller's page size and SGL support, for this queue's
	 * reactor alone (nvmf_prp.h: one nvmf_dma per queue). */
	q->dma = (struct nvmf_dma){.xlate = v->ctrlr.dma.xlate,
				   .arg = v->ctrlr.dma.arg,
				   .page_size = v->ctrlr.dma.page_size,
				   .sgls = v->props.sgls};
	q->nheld = 0;
	q->irq.fire = false;
	q->qe.nbdevs = v->nbdevs; /* the namespaces of the moment */
	rc = qe_queue_start(&q->qe, qe_placement_reactor(&v->place, cqid), v->loop);
	if (rc == 0)
		q->running = true;
	return rc;
}
