/* SPDX-License-Identifier: MIT */
/*
 * Submission queue fetch and completion queue post (NVMe Base 2.1 §3.3,
 * §4.1, §4.2), doorbells and shadow doorbells. See nvmf_queue.h.
 */
#define LOG_COMPONENT "nvmf"

#include "nvmf/nvmf_queue.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

#include "nvmf/nvmf_ctrlr.h"
#include "util/log.h"

#define WHAT "nvmf queue"

/* Base §5.3.5: once Doorbell Buffer Config ran, the host writes doorbells
 * to the shadow buffer. We read it for I/O queues only: the Linux and SPDK
 * drivers never shadow the admin queue and keep writing its registers, and
 * with BAR0's doorbells in a sparse mmap we could not copy a register
 * write into the shadow (QEMU's way of serving both kinds of host). */
static uint32_t *shadow_of(const struct nvmf_ctrlr *c, uint16_t qid)
{
	return qid ? __atomic_load_n(&c->shadow_db, __ATOMIC_ACQUIRE) : NULL;
}

/* The doorbell word idx of queue qid, as the host last wrote it. */
static uint32_t db_get(const struct nvmf_ctrlr *c, uint16_t qid, unsigned idx)
{
	const uint32_t *shadow = shadow_of(c, qid);

	if (shadow)
		return le32toh(__atomic_load_n(&shadow[idx], __ATOMIC_ACQUIRE));
	return __atomic_load_n(&c->db[idx], __ATOMIC_ACQUIRE);
}

/* Base §5.3.5: the EventIdx says up to where we have seen the doorbell,
 * so a host writes the register again (our kick) once it passes it. */
static void eventidx_set(const struct nvmf_ctrlr *c, uint16_t qid, unsigned idx, uint32_t v)
{
	if (shadow_of(c, qid))
		__atomic_store_n(&c->eventidx[idx], htole32(v), __ATOMIC_RELEASE);
}

static void bad_doorbell(struct nvmf_ctrlr *c, uint16_t qid, const char *which, uint32_t v)
{
	log_warn_ratelimited(&c->log_rl, WHAT,
			     "NVMe Base 2.1 §5.2.2: %s doorbell of queue %u written with %u, not a"
			     " valid entry; Invalid Doorbell Write Value",
			     which, qid, v);
	nvmf_aen_raise(c, NVMF_AEN_INVALID_DB_VALUE);
}

static struct nvmf_sq *sq_get(struct nvmf_ctrlr *c, uint16_t sqid)
{
	struct nvmf_sq *sq = sqid <= c->props->max_io_queues ? &c->sq[sqid] : NULL;

	return sq && sq->ring ? sq : NULL;
}

int nvmf_sq_fetch(struct nvmf_ctrlr *c, uint16_t sqid, struct nvme_sqe *sqe)
{
	struct nvmf_sq *sq = sq_get(c, sqid);
	uint32_t tail;

	if (!sq || sq->draining)
		return -ENOENT;
	tail = db_get(c, sqid, 2u * sqid);
	/* PCIe Transport 1.1 SQyTDBL, Base §5.2.2: a tail past the queue's
	 * last entry is an Invalid Doorbell Write Value. */
	if (tail >= sq->size) {
		bad_doorbell(c, sqid, "submission queue tail", tail);
		return -EINVAL;
	}
	if (tail == sq->head) {
		eventidx_set(c, sqid, 2u * sqid, tail);
		return 0;
	}
	/* The doorbell load was an acquire: the entry it published is
	 * visible. Copy it once; decoding reads the copy only. */
	memcpy(sqe, &sq->ring[sq->head], sizeof(*sqe));
	sq->head = (uint16_t)((sq->head + 1u) % sq->size);
	return 1;
}

/* Takes the host's new CQ head: it may free entries we posted, no more
 * (Base §4.2.4 via CQyHDBL); anything else is an invalid value. */
static void cq_head_update(struct nvmf_ctrlr *c, uint16_t cqid, struct nvmf_cq *cq)
{
	uint32_t head = db_get(c, cqid, 2u * cqid + 1);
	unsigned posted = (cq->tail + cq->size - cq->head) % cq->size;

	if (head == cq->head)
		return;
	if (head >= cq->size || (head + cq->size - cq->head) % cq->size > posted) {
		bad_doorbell(c, cqid, "completion queue head", head);
		return;
	}
	cq->head = (uint16_t)head;
	eventidx_set(c, cqid, 2u * cqid + 1, head);
}

int nvmf_cq_post(struct nvmf_ctrlr *c, uint16_t sqid, const struct nvmf_cpl *cpl,
		 struct nvmf_irq *irq)
{
	struct nvmf_sq *sq = sq_get(c, sqid);
	struct nvmf_cq *cq = sq ? &c->cq[sq->cqid] : NULL;
	struct nvme_cqe *e;
	uint16_t status;

	irq->fire = false;
	if (!cq || !cq->ring)
		return -ENOENT;
	cq_head_update(c, sq->cqid, cq);
	/* Base §4.2.4 (Figure 99's rule): the queue is full when the tail is
	 * one behind the head; the completion waits. */
	if ((cq->tail + 1u) % cq->size == cq->head)
		return -EAGAIN;
	e = &cq->ring[cq->tail];
	e->cdw0 = htole32(cpl->cdw0);
	e->cdw1 = 0;
	e->sqhd = htole16(sq->head);
	e->sqid = htole16(sqid);
	e->cid = htole16(cpl->cid);
	/* Base §4.2.3: every error we return would fail again: Do Not Retry. */
	status = (uint16_t)(cpl->status << NVME_STATUS_SC_SHIFT | cq->phase);
	if (cpl->status)
		status |= NVME_SET(NVME_STATUS_DNR, 1);
	/* The phase tag publishes the entry: it is stored last. */
	__atomic_store_n((uint16_t *)(void *)((uint8_t *)e + offsetof(struct nvme_cqe, status)),
			 htole16(status), __ATOMIC_RELEASE);
	cq->tail = (uint16_t)((cq->tail + 1u) % cq->size);
	if (!cq->tail)
		cq->phase ^= 1;
	/* Base §3.1.4.3 INTMS masks vectors (the first 32 of them). */
	irq->vector = cq->iv;
	irq->fire = cq->ien &&
		    !(cq->iv < 32 && (__atomic_load_n(&c->intms, __ATOMIC_RELAXED) >> cq->iv & 1));
	return 0;
}

/* A new queue starts at entry 0: its doorbell (and shadow doorbell) too,
 * whatever an earlier queue of that id left there. */
static void db_zero(struct nvmf_ctrlr *c, uint16_t qid, unsigned idx)
{
	uint32_t *shadow = shadow_of(c, qid);

	__atomic_store_n(&c->db[idx], 0, __ATOMIC_RELAXED);
	if (shadow) {
		__atomic_store_n(&shadow[idx], 0, __ATOMIC_RELAXED);
		__atomic_store_n(&c->eventidx[idx], 0, __ATOMIC_RELAXED);
	}
}

int nvmf_queue_create_cq(struct nvmf_ctrlr *c, uint16_t qid, uint64_t gpa, uint16_t size, bool ien,
			 uint16_t iv)
{
	struct nvme_cqe *ring = c->dma.xlate(c->dma.arg, gpa, (uint64_t)size * sizeof(*ring));

	if (!ring)
		return -EFAULT;
	c->cq[qid] = (struct nvmf_cq){
	    .ring = ring, .gpa = gpa, .size = size, .phase = 1, .ien = ien, .iv = iv};
	db_zero(c, qid, 2u * qid + 1);
	return 0;
}

int nvmf_queue_create_sq(struct nvmf_ctrlr *c, uint16_t qid, uint64_t gpa, uint16_t size,
			 uint16_t cqid)
{
	struct nvme_sqe *ring = c->dma.xlate(c->dma.arg, gpa, (uint64_t)size * sizeof(*ring));

	if (!ring)
		return -EFAULT;
	c->sq[qid] = (struct nvmf_sq){.ring = ring, .gpa = gpa, .size = size, .cqid = cqid};
	c->cq[cqid].nsq++;
	db_zero(c, qid, 2u * qid);
	return 0;
}

void nvmf_queue_delete_sq(struct nvmf_ctrlr *c, uint16_t qid)
{
	c->cq[c->sq[qid].cqid].nsq--;
	c->sq[qid] = (struct nvmf_sq){0};
}

void nvmf_queue_delete_cq(struct nvmf_ctrlr *c, uint16_t qid)
{
	c->cq[qid] = (struct nvmf_cq){0};
}

void nvmf_queue_delete_all(struct nvmf_ctrlr *c)
{
	for (unsigned q = 0; q <= c->props->max_io_queues; q++) {
		c->sq[q] = (struct nvmf_sq){0};
		c->cq[q] = (struct nvmf_cq){0};
	}
	__atomic_store_n(&c->shadow_db, NULL, __ATOMIC_RELEASE);
	c->eventidx = NULL;
}
