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

#include "env/env.h"
#include "nvmf/nvmf_feat.h"
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
	bool busy;	      /* taken, not completed */
	bool writes;	      /* counted in q->writes */
	struct nvu_io *fused; /* the other half of a fused pair under way */
	struct iovec iov[];
};

/* ---- The fused gate (Base §3.4.2) ----
 *
 * "The commands shall be executed in sequence as an atomic unit. The
 * controller shall behave as if no other operations have been executed
 * between these two commands." A read beside the pair sees the blocks
 * before it or after it, as any read beside a write (§3.4.1: no order
 * between commands); only a command that changes data could come between
 * the Compare and the Write. So a pair takes the controller's gate, which
 * keeps every queue of the controller from starting such a command, and
 * starts once every one already started completed; the gate opens when
 * the Write completed. That holds for the commands of this controller; a
 * bdev written through another controller or frontend as well is not
 * covered. A command counts itself in its queue's writes before it looks
 * at the gate, the pair takes the gate before it looks at the counts: one
 * of the two sees the other (sequentially consistent). */

static bool write_enter(struct nvu_ioq *q)
{
	__atomic_add_fetch(&q->writes, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&q->v->fused_sqid, __ATOMIC_SEQ_CST))
		return true;
	__atomic_sub_fetch(&q->writes, 1, __ATOMIC_SEQ_CST);
	return false;
}

/* Takes the gate for q's waiting pair (or has it already); whether no command
 * that changes data is under way any more. */
static bool gate_take(struct nvu_ioq *q)
{
	struct nvme_vfu *v = q->v;
	uint16_t holder = 0;

	if (!__atomic_compare_exchange_n(&v->fused_sqid, &holder, q->sqid, false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST) &&
	    holder != q->sqid)
		return false;
	for (uint32_t i = 1; i <= v->props.max_io_queues; i++)
		if (__atomic_load_n(&v->ioq[i].writes, __ATOMIC_SEQ_CST))
			return false;
	return true;
}

static void gate_release(struct nvu_ioq *q)
{
	uint16_t me = q->sqid;

	__atomic_compare_exchange_n(&q->v->fused_sqid, &me, 0, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
}

void nvu_irq_fire(struct nvme_vfu *v, uint16_t iv)
{
	int fd = __atomic_load_n(&v->irq_fds[iv], __ATOMIC_ACQUIRE);

	if (fd >= 0)
		eventfd_write(fd, 1);
}

/* A completion posted asks for an interrupt (IEN, vector unmasked). */
static void irq_want(struct nvu_ioq *q, const struct nvmf_irq *irq)
{
	if (irq->fire) {
		q->irq = *irq;
		q->irq_npend++;
	}
}

static void irq_fire(struct nvu_ioq *q)
{
	q->irq.fire = false;
	q->irq_npend = 0;
	q->irq_due_ns = 0;
	nvu_count(&q->cnt.interrupts, 1);
	nvu_irq_fire(q->v, q->irq.vector);
}

/* Interrupt Coalescing (Base 2.1 §5.1.25.2.2): the vector fires once THR +
 * 1 completions wait, or once the first of them waited TIME x 100 us,
 * whichever comes first (the poll looks at the time). Counted per SQ: SQs
 * sharing a CQ each count their own, so the host may get more interrupts
 * than it asked for, which a "recommended minimum" allows. */
static void irq_maybe_fire(struct nvu_ioq *q)
{
	unsigned thr, delay_us;
	uint64_t now;

	if (!q->irq.fire)
		return;
	if (!nvmf_feat_coalescing(&q->v->ctrlr, q->irq.vector, &thr, &delay_us) ||
	    q->irq_npend >= thr) {
		irq_fire(q);
		return;
	}
	now = env_now_ns();
	if (!q->irq_due_ns)
		q->irq_due_ns = now + (uint64_t)delay_us * 1000;
	else if (now >= q->irq_due_ns)
		irq_fire(q);
}

/* cpl is in the CQ. */
static void ioq_posted(struct nvu_ioq *q, const struct nvmf_cpl *cpl, const struct nvmf_irq *irq)
{
	qe_completed(&q->qe);
	nvu_count_cpl(&q->cnt, cpl->status);
	irq_want(q, irq);
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
	ioq_posted(q, cpl, &irq);
}

/* Posts what waited for room; false while some still waits. */
static bool ioq_post_held(struct nvu_ioq *q)
{
	uint32_t done = 0;

	while (done < q->nheld) {
		struct nvmf_irq irq = {0};

		if (nvmf_cq_post(&q->v->ctrlr, q->sqid, &q->held[done], &irq) == -EAGAIN)
			break;
		ioq_posted(q, &q->held[done], &irq);
		done++;
	}
	memmove(q->held, q->held + done, (q->nheld - done) * sizeof(*q->held));
	q->nheld -= done;
	return q->nheld == 0;
}

static void io_finish(struct nvu_io *r)
{
	struct nvu_ioq *q = r->q;

	if (r->writes) {
		r->writes = false;
		__atomic_sub_fetch(&q->writes, 1, __ATOMIC_SEQ_CST);
	}
	r->busy = false;
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
static void fused_end(struct nvu_io *cmp, struct nvu_io *w);

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
	else if (r->fused)
		fused_end(r->fused, r);
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

/* The fused pair is over: both complete, the Compare first, and the gate
 * opens. */
static void fused_end(struct nvu_io *cmp, struct nvu_io *w)
{
	cmp->fused = w->fused = NULL;
	cmp->q->fused_busy = false;
	io_finish(cmp);
	io_finish(w);
	gate_release(cmp->q);
}

/* The Compare r is over, r->cpl.status says how. A fused one's Write runs
 * only if it matched, else is aborted (Base §3.4.2: "If the first command
 * in the sequence failed, then the second command in the sequence shall
 * be aborted"); a failed Write leaves the Compare's status as it is. */
static void cmp_end(struct nvu_io *r)
{
	struct nvu_io *w = r->fused;
	int rc;

	if (!w) {
		io_finish(r);
		return;
	}
	if (r->cpl.status) {
		w->cpl.status = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_ABORTED_FAILED_FUSED);
		fused_end(r, w);
		return;
	}
	rc = io_submit(w, w->bdev, BDEV_IO_WRITE, w->io.offset_blocks, w->io.num_blocks,
		       (int)w->iovcnt);
	if (rc == 0)
		return; /* io_done() ends the pair */
	w->cpl.status = status_of(rc);
	fused_end(r, w);
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
	cmp_end(r);
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
		cmp_end(r);
		return;
	}
	if (!q->cmp_buf)
		q->cmp_buf = aligned_alloc(NVMF_IO_MPSMIN_BYTES, size);
	if (!q->cmp_buf) {
		r->cpl.status = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INTERNAL);
		cmp_end(r);
		return;
	}
	if (nvmf_dptr_map(&q->dma, sqe, t->len, &out, &r->cpl.status) < 0) {
		cmp_end(r);
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
		cmp_end(r);
	}
}

static const struct nvmf_ns_props *sqe_ns(struct nvu_ioq *q, const struct nvme_sqe *sqe,
					  unsigned *bdev)
{
	const struct nvmf_ns_props *ns = nvmf_ns_find(nvmf_ctrlr_ns(&q->v->ctrlr), sqe->nsid);

	*bdev = ns ? q->v->bdev_of_nsid[ns->nsid] : 0;
	return ns;
}

static const uint16_t g_abort_requested = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_ABORT_REQUESTED);

/* Starts a fused Compare and Write (the gate is q's): both decoded and
 * checked together, the Write's data pointer mapped, then the Compare;
 * cmp_end() goes on. */
static void fused_start(struct nvu_ioq *q, struct nvu_io *cmp, struct nvu_io *w)
{
	struct nvmf_iov out = {.iov = w->iov, .max = q->v->niov};
	const struct nvmf_ns_props *ns;
	struct nvmf_io_task t, tw;
	unsigned b;

	cmp->cpl = (struct nvmf_cpl){.cid = q->stash[0].cid};
	w->cpl = (struct nvmf_cpl){.cid = q->stash[1].cid};
	ns = sqe_ns(q, &q->stash[0], &b);
	nvmf_io_decode(&q->v->props, ns, &q->stash[0], &t, &q->dma.log_rl);
	nvmf_io_decode(&q->v->props, sqe_ns(q, &q->stash[1], &w->bdev), &q->stash[1], &tw,
		       &q->dma.log_rl);
	for (unsigned i = 0; i < 2; i++) {
		struct nvmf_io_task *ti = i ? &tw : &t;

		if (q->stash_aborted[i]) {
			ti->op = NVMF_IO_DONE;
			ti->status = g_abort_requested;
		}
	}
	nvmf_io_fused_pair(&t, &tw, &q->dma.log_rl);
	cmp->fused = w;
	w->fused = cmp;
	if (t.op == NVMF_IO_DONE) {
		cmp->cpl.status = t.status;
		w->cpl.status = tw.status;
		fused_end(cmp, w);
		return;
	}
	if (nvmf_dptr_map(&q->dma, &q->stash[1], tw.len, &out, &w->cpl.status) < 0) {
		cmp->cpl.status = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_ABORTED_FAILED_FUSED);
		fused_end(cmp, w);
		return;
	}
	w->iovcnt = out.cnt;
	w->io.offset_blocks = tw.slba;
	w->io.num_blocks = tw.nlb;
	cmp_start(q, cmp, &q->stash[0], &t, b);
}

/* Starts one command; what it needs of a bdev goes to the channel of its
 * namespace's bdev. aborted: an Abort took it back before it started. */
static void io_start(struct nvu_ioq *q, struct nvu_io *r, const struct nvme_sqe *sqe, bool aborted)
{
	struct nvme_vfu *v = q->v;
	struct nvmf_io_task t;
	struct nvmf_iov out = {.iov = r->iov, .max = v->niov};
	unsigned b;
	const struct nvmf_ns_props *ns = sqe_ns(q, sqe, &b);
	enum bdev_io_type type;
	int rc = -EINVAL; /* an op this switch does not know */

	r->cpl = (struct nvmf_cpl){.cid = sqe->cid};
	nvmf_io_decode(&v->props, ns, sqe, &t, &q->dma.log_rl);
	/* A fused command started alone: its other half is not next to it
	 * in the queue (Base §3.4.2). */
	if (t.op != NVMF_IO_DONE && t.fuse != NVME_FUSE_NONE)
		nvmf_io_fused_missing(&t, &q->dma.log_rl);
	if (aborted) {
		t.op = NVMF_IO_DONE;
		t.status = g_abort_requested;
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

static uint8_t sqe_fuse(const struct nvme_sqe *sqe)
{
	return NVME_GET(sqe->flags, NVME_SQE_FUSE);
}

/* Base §3.4.2: a first fused command and the second right after it. */
static bool stash_is_pair(const struct nvu_ioq *q)
{
	return q->nstash == 2 && sqe_fuse(&q->stash[0]) == NVME_FUSE_FIRST &&
	       sqe_fuse(&q->stash[1]) == NVME_FUSE_SECOND;
}

/* Whether the stash's head has what it needs to start (taking it). */
static bool stash_ready(struct nvu_ioq *q)
{
	const struct nvme_sqe *sqe = &q->stash[0];

	if (stash_is_pair(q))
		return q->qe.nfree >= 2 && !q->cmp_busy && !q->fused_busy && gate_take(q);
	if (!qe_slot_available(&q->qe))
		return false;
	if (sqe_fuse(sqe) != NVME_FUSE_NONE || q->stash_aborted[0])
		return true; /* answered without I/O */
	if (sqe->opc == NVME_NVM_COMPARE)
		return !q->cmp_busy;
	if (!nvmf_io_changes_data(sqe->opc))
		return true;
	q->entered = write_enter(q); /* stash_start() hands it to the slot */
	return q->entered;
}

static struct nvu_io *slot_take(struct nvu_ioq *q)
{
	struct nvu_io *r = qe_slot_next(&q->qe);

	qe_slot_take(&q->qe);
	r->busy = true;
	return r;
}

/* A first fused command at the stash's head gets the SQE after it (Base
 * §3.4.2: the host rings the doorbell once for both, so a first one at the
 * tail is missing its second). */
static void stash_pair_up(struct nvu_ioq *q)
{
	if (q->nstash == 1 && sqe_fuse(&q->stash[0]) == NVME_FUSE_FIRST &&
	    nvmf_sq_fetch(&q->v->ctrlr, q->sqid, &q->stash[1]) == 1)
		q->nstash = 2;
}

static bool stash_fetch(struct nvu_ioq *q)
{
	if (nvmf_sq_fetch(&q->v->ctrlr, q->sqid, &q->stash[0]) <= 0)
		return false;
	q->nstash = 1;
	stash_pair_up(q);
	return true;
}

/* Starts the stash's head (stash_ready() said so); how many commands. */
static unsigned stash_start(struct nvu_ioq *q)
{
	struct nvme_sqe sqe = q->stash[0];
	bool aborted = q->stash_aborted[0];
	struct nvu_io *r;

	if (stash_is_pair(q)) {
		struct nvu_io *cmp = slot_take(q);

		q->nstash = 0;
		q->fused_busy = true;
		nvu_count(&q->cnt.commands, 2);
		fused_start(q, cmp, slot_take(q)); /* reads the stash */
		q->stash_aborted[0] = q->stash_aborted[1] = false;
		return 2;
	}
	r = slot_take(q);
	r->writes = q->entered;
	q->entered = false;
	q->stash[0] = q->stash[1];
	q->stash_aborted[0] = q->stash_aborted[1];
	q->stash_aborted[1] = false;
	q->nstash--;
	nvu_count(&q->cnt.commands, 1);
	stash_pair_up(q);
	io_start(q, r, &sqe, aborted);
	return 1;
}

static unsigned ioq_poll(void *ctx, unsigned budget)
{
	struct nvu_ioq *q = ctx;
	unsigned n = 0;

	if (q->irq_due_ns)
		irq_maybe_fire(q); /* coalesced completions whose time is up */
	/* Nothing new is fetched while completions wait for CQ room: the
	 * host sees them in order. */
	if (!ioq_post_held(q))
		return 0;
	while (n < budget) {
		if (!q->nstash && (!qe_slot_available(&q->qe) || !stash_fetch(q)))
			break;
		if (!stash_ready(q))
			break;
		n += stash_start(q);
	}
	return n;
}

void nvu_ioq_forget(struct nvu_ioq *q)
{
	q->nstash = 0;
	q->stash_aborted[0] = q->stash_aborted[1] = false;
	gate_release(q);
}

bool nvu_ioq_abort(struct nvu_ioq *q, uint16_t cid)
{
	for (unsigned i = 0; i < q->nstash; i++) {
		if (q->stash[i].cid == cid && !q->stash_aborted[i]) {
			q->stash_aborted[i] = true;
			return true;
		}
	}
	for (uint32_t i = 0; q->qe.slots && i < q->qe.nslots; i++) {
		struct nvu_io *r = (struct nvu_io *)(q->qe.slots + i * q->qe.slot_size);

		/* bdev_abort() knows whether r->io is in flight on its
		 * channel (-ENOENT if not). */
		if (r->busy && r->cpl.cid == cid && r->io.ch && bdev_abort(r->io.ch, &r->io) == 0)
			return true;
	}
	return false;
}

static void ioq_notify(void *ctx)
{
	irq_maybe_fire(ctx);
}

/* Every request is back (the queue stops or pauses): a coalesced
 * interrupt fires now rather than never. */
static void ioq_quiesced(void *ctx)
{
	struct nvu_ioq *q = ctx;

	if (q->irq.fire)
		irq_fire(q);
}

static void ioq_slot_init(void *ctx, void *slot)
{
	struct nvu_io *r = slot;

	r->q = ctx;
}

void nvu_ioq_ops_init(struct qe_ops *ops, unsigned max_sleep_us)
{
	*ops = (struct qe_ops){
	    .name = "nvme-vfu-sq",
	    .slot_init = ioq_slot_init,
	    .poll = ioq_poll,
	    .notify = ioq_notify,
	    .quiesced = ioq_quiesced,
	    .max_sleep_us = max_sleep_us,
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
	q->irq_npend = 0;
	q->irq_due_ns = 0;
	q->qe.nbdevs = v->nbdevs; /* the namespaces of the moment */
	rc = qe_queue_start(&q->qe, qe_placement_reactor(&v->place, cqid), v->loop);
	if (rc == 0)
		q->running = true;
	return rc;
}
