/* SPDX-License-Identifier: MIT */
/*
 * The NVMe controller's register model: BAR0 property reads and writes,
 * CC.EN and CC.SHN transitions. See nvmf_ctrlr.h for the contract.
 */
#define LOG_COMPONENT "nvmf"

#include "nvmf/nvmf_ctrlr.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define WHAT "nvmf controller"

/* A controller created without namespaces has this list. */
static const struct nvmf_ns_list g_no_ns;

int nvmf_ctrlr_init(struct nvmf_ctrlr *c, const struct nvmf_ctrlr_params *p)
{
	const struct nvmf_ctrlr_props *props = p->props;
	unsigned n = props->max_io_queues + 1u;

	/* CAP.MQES is 0's based and a queue has at least two entries (Base
	 * §3.1.4.1); vectors are counted by the Interrupt Vector feature. */
	if (!props->mqes || !props->msix_vectors || props->msix_vectors > NVMF_MAX_VECTORS ||
	    !props->max_io_queues)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->sq = calloc(n, sizeof(*c->sq));
	c->cq = calloc(n, sizeof(*c->cq));
	if (!c->sq || !c->cq) {
		nvmf_ctrlr_fini(c);
		return -ENOMEM;
	}
	c->props = props;
	c->ns = p->ns ? p->ns : &g_no_ns;
	c->db = p->db;
	c->dma = (struct nvmf_dma){.xlate = p->xlate, .arg = p->xlate_arg, .page_size = 4096};
	c->now_ms = p->now_ms;
	c->now_arg = p->now_arg;
	c->smart = p->smart;
	c->smart_arg = p->smart_arg;
	nvmf_log_init(&c->log);
	/* Base §3.1.4.1: CQR 1 (queues must be physically contiguous), no
	 * weighted round robin, the NVM command set, DSTRD 0 (the doorbell
	 * array packs 4-byte doorbells), pages of 4 KiB to 64 KiB. */
	c->cap = NVME_SET(NVME_CAP_MQES, props->mqes) | NVME_SET(NVME_CAP_CQR, 1) |
		 NVME_SET(NVME_CAP_TO, NVMF_CTRLR_TO) | NVME_SET(NVME_CAP_CSS, NVME_CAP_CSS_NVM) |
		 NVME_SET(NVME_CAP_MPSMAX, NVMF_CTRLR_MPSMAX);
	nvmf_feat_reset(&c->feat, props);
	return 0;
}

void nvmf_ctrlr_fini(struct nvmf_ctrlr *c)
{
	free(c->sq);
	free(c->cq);
	c->sq = NULL;
	c->cq = NULL;
}

uint64_t nvmf_ctrlr_bar0_size(const struct nvmf_ctrlr *c)
{
	uint64_t end = nvme_cq_hdbl(c->props->max_io_queues, 0) + 4;
	uint64_t size = 0x2000;

	while (size < end)
		size <<= 1;
	return size;
}

bool nvmf_ctrlr_ready(const struct nvmf_ctrlr *c)
{
	return NVME_GET(__atomic_load_n(&c->csts, __ATOMIC_ACQUIRE), NVME_CSTS_RDY);
}

/* ring (len bytes at gpa) translated again; NULL (no such queue to the
 * fetch and the post) and *ok false when it is outside the mappings now. */
static void *remap(struct nvmf_ctrlr *c, const void *ring, uint64_t gpa, uint64_t len, bool *ok)
{
	void *hva;

	if (!ring)
		return NULL;
	hva = c->dma.xlate(c->dma.arg, gpa, len);
	*ok &= hva != NULL;
	return hva;
}

int nvmf_ctrlr_remap(struct nvmf_ctrlr *c)
{
	uint64_t db_len = NVMF_DB_WORDS(c->props->max_io_queues) * 4ULL;
	void *shadow, *ei;
	bool ok = true;

	for (unsigned q = 0; q <= c->props->max_io_queues; q++) {
		struct nvmf_sq *sq = &c->sq[q];
		struct nvmf_cq *cq = &c->cq[q];

		sq->ring = remap(c, sq->ring, sq->gpa, (uint64_t)sq->size * sizeof(*sq->ring), &ok);
		cq->ring = remap(c, cq->ring, cq->gpa, (uint64_t)cq->size * sizeof(*cq->ring), &ok);
	}
	shadow = remap(c, c->shadow_db, c->shadow_gpa, db_len, &ok);
	ei = remap(c, c->eventidx, c->eventidx_gpa, db_len, &ok);
	c->eventidx = shadow && ei ? ei : NULL;
	__atomic_store_n(&c->shadow_db, shadow && ei ? shadow : NULL, __ATOMIC_RELEASE);
	if (ok)
		return 0;
	log_warn_ratelimited(&c->log_rl, WHAT,
			     "NVMe Base 2.1 §3.1.4.6: the host unmapped memory a queue or doorbell"
			     " buffer is in; CSTS.CFS set until it resets the controller");
	c->csts |= NVME_SET(NVME_CSTS_CFS, 1);
	return -EFAULT;
}

/* ---- CC.EN 0 -> 1: Base §3.5.1 (controller initialization) ---- */

/* The enable failed: Base §3.1.4.6 CSTS.CFS. */
static int enable_fail(struct nvmf_ctrlr *c, const char *why)
{
	log_warn_ratelimited(&c->log_rl, WHAT,
			     "NVMe Base 2.1 §3.5.1: enable refused, %s; CSTS.CFS set", why);
	c->csts |= NVME_SET(NVME_CSTS_CFS, 1);
	return NVMF_CTRLR_EV_FATAL;
}

static int enable(struct nvmf_ctrlr *c)
{
	unsigned css = NVME_GET(c->cc, NVME_CC_CSS), mps = NVME_GET(c->cc, NVME_CC_MPS);
	unsigned asqs = NVME_GET(c->aqa, NVME_AQA_ASQS), acqs = NVME_GET(c->aqa, NVME_AQA_ACQS);
	uint64_t page = NVME_MPS_BYTES(mps);

	/* Base §3.1.4.5 CC.CSS: a command set CAP.CSS does not offer. */
	if (css != NVME_CC_CSS_NVM)
		return enable_fail(c, "CC.CSS selects a command set CAP.CSS does not offer");
	/* Base §3.1.4.5 CC.MPS: within CAP.MPSMIN .. CAP.MPSMAX. */
	if (mps < NVME_GET(c->cap, NVME_CAP_MPSMIN) || mps > NVME_GET(c->cap, NVME_CAP_MPSMAX))
		return enable_fail(c, "CC.MPS is outside CAP.MPSMIN..MPSMAX");
	/* Base §3.1.4.8 AQA: "The minimum size of the Admin ... Queue is two
	 * entries"; §3.1.4.9/10 ASQ, ACQ are memory page aligned (address 0
	 * is one like any other: whether memory is there is the mapping's to
	 * say). */
	if (!asqs || !acqs)
		return enable_fail(c, "AQA gives an admin queue of one entry");
	if ((c->asq | c->acq) & (page - 1))
		return enable_fail(c, "ASQ or ACQ is not memory page aligned");
	c->dma.page_size = page;
	if (nvmf_queue_create_cq(c, 0, c->acq, acqs + 1, true, 0) ||
	    nvmf_queue_create_sq(c, 0, c->asq, asqs + 1, 0)) {
		nvmf_queue_delete_all(c);
		return enable_fail(c, "the admin queues are outside the DMA mappings");
	}
	__atomic_store_n(&c->csts, c->csts | NVME_SET(NVME_CSTS_RDY, 1), __ATOMIC_RELEASE);
	return NVMF_CTRLR_EV_ENABLE;
}

/* ---- reset and shutdown: Base §3.7.2, §3.6 ---- */

/* Everything a Controller Reset puts back (Base §3.7.2): the queues, the
 * features, events, CSTS; CC, AQA, ASQ and ACQ keep what the host wrote. */
static void reset_state(struct nvmf_ctrlr *c)
{
	nvmf_queue_delete_all(c);
	nvmf_feat_reset(&c->feat, c->props);
	nvmf_aer_reset(&c->aer);
	c->aborts = 0;
	c->intms = 0;
	c->pending = 0;
	__atomic_store_n(&c->csts, 0, __ATOMIC_RELEASE);
}

int nvmf_ctrlr_reset_done(struct nvmf_ctrlr *c)
{
	if (!(c->pending & NVMF_PENDING_RESET))
		return 0;
	reset_state(c);
	return NVME_GET(c->cc, NVME_CC_EN) ? enable(c) : 0;
}

void nvmf_ctrlr_shutdown_done(struct nvmf_ctrlr *c)
{
	if (!(c->pending & NVMF_PENDING_SHUTDOWN))
		return;
	c->pending &= ~NVMF_PENDING_SHUTDOWN;
	c->csts = (c->csts & ~NVME_SET(NVME_CSTS_SHST, NVME_CSTS_SHST_MASK)) |
		  NVME_SET(NVME_CSTS_SHST, NVME_CSTS_SHST_COMPLETE);
}

/* Whether the controller has live queues a transition must drain. */
static bool live(const struct nvmf_ctrlr *c)
{
	return NVME_GET(c->csts, NVME_CSTS_RDY);
}

static int write_cc(struct nvmf_ctrlr *c, uint32_t v)
{
	uint32_t old = c->cc;
	unsigned shn = NVME_GET(v, NVME_CC_SHN);
	int ev = 0;

	/* Base §3.1.4.5: CRIME is RO and cleared unless CAP.CRMS is 11b, which
	 * ours never is (CSTS.RDY follows CC.EN without a ready mode). */
	v &= ~NVME_SET(NVME_CC_CRIME, 1);
	c->cc = v;
	if (c->pending & NVMF_PENDING_RESET)
		return 0; /* nvmf_ctrlr_reset_done() looks at CC.EN */
	if (NVME_GET(old, NVME_CC_EN) && !NVME_GET(v, NVME_CC_EN)) {
		/* Base §3.7.2: CC.EN 1 -> 0 is a Controller Reset. */
		if (!live(c)) {
			reset_state(c);
			return 0;
		}
		c->pending |= NVMF_PENDING_RESET;
		return NVMF_CTRLR_EV_RESET;
	}
	/* Base §3.6.1: CC.SHN 01b or 10b starts a shutdown; CSTS.SHST says
	 * 01b until it is complete (10b). */
	if (shn && !NVME_GET(old, NVME_CC_SHN)) {
		c->csts &= ~NVME_SET(NVME_CSTS_SHST, NVME_CSTS_SHST_MASK);
		if (live(c)) {
			c->csts |= NVME_SET(NVME_CSTS_SHST, NVME_CSTS_SHST_OCCURRING);
			c->pending |= NVMF_PENDING_SHUTDOWN;
			ev |= NVMF_CTRLR_EV_SHUTDOWN;
		} else {
			c->csts |= NVME_SET(NVME_CSTS_SHST, NVME_CSTS_SHST_COMPLETE);
		}
	} else if (!shn && !(c->pending & NVMF_PENDING_SHUTDOWN)) {
		c->csts &= ~NVME_SET(NVME_CSTS_SHST, NVME_CSTS_SHST_MASK);
	}
	/* A failed enable leaves CFS set until the host resets (EN 0). */
	if (!NVME_GET(old, NVME_CC_EN) && NVME_GET(v, NVME_CC_EN) && !c->pending &&
	    !NVME_GET(c->csts, NVME_CSTS_CFS))
		ev |= enable(c);
	return ev;
}

/* ---- BAR0 access ---- */

static uint64_t get_prop64(const struct nvmf_ctrlr *c, uint64_t off)
{
	switch (off) {
	case NVME_REG_CAP:
		return c->cap;
	case NVME_REG_ASQ:
		return c->asq;
	case NVME_REG_ACQ:
		return c->acq;
	}
	return 0;
}

/* The property dword at off (4-aligned, below the doorbells). */
static uint32_t get_prop32(const struct nvmf_ctrlr *c, uint64_t off)
{
	switch (off) {
	case NVME_REG_VS:
		return NVMF_CTRLR_VS;
	case NVME_REG_INTMS:
	case NVME_REG_INTMC:
		return c->intms;
	case NVME_REG_CC:
		return c->cc;
	case NVME_REG_CSTS:
		return __atomic_load_n(&c->csts, __ATOMIC_ACQUIRE);
	case NVME_REG_AQA:
		return c->aqa;
	}
	if (off < NVME_REG_VS || (off >= NVME_REG_ASQ && off < NVME_REG_CMBLOC))
		return (uint32_t)(get_prop64(c, off & ~7ULL) >> (off & 4 ? 32 : 0));
	return 0; /* NSSR (CAP.NSSRS 0), CMB, PMR and reserved space */
}

static bool is_prop64(uint64_t off)
{
	return off == NVME_REG_CAP || off == NVME_REG_ASQ || off == NVME_REG_ACQ;
}

/* An access the model takes: aligned, 4 bytes, or 8 at a 64-bit property
 * (Base §3.1.4: properties are accessed in their size, or as dwords);
 * logs any other. */
static bool access_ok(struct nvmf_ctrlr *c, const char *op, uint64_t off, size_t size)
{
	if (off < nvmf_ctrlr_bar0_size(c) && !(off & (size - 1)) &&
	    (size == 4 || (size == 8 && is_prop64(off))))
		return true;
	log_warn_ratelimited(&c->log_rl, WHAT,
			     "NVMe Base 2.1 §3.1.4: BAR0 %s of %zu bytes at 0x%" PRIx64 " refused",
			     op, size, off);
	return false;
}

int nvmf_ctrlr_read(struct nvmf_ctrlr *c, uint64_t off, void *buf, size_t size)
{
	uint64_t v;

	if (!access_ok(c, "read", off, size))
		return -EINVAL;
	/* Doorbells are write-only (PCIe Transport §3.1.2.1): they read 0. */
	v = off >= NVME_DB_BASE ? 0 : size == 8 ? get_prop64(c, off) : get_prop32(c, off);
	v = htole64(v);
	memcpy(buf, &v, size);
	return 0;
}

/* A doorbell write (the host's REGION_WRITE, not the mmap): into the
 * array; a doorbell of a queue that does not exist raises Invalid Doorbell
 * Register (Base §5.2.2). */
static int write_db(struct nvmf_ctrlr *c, uint64_t off, uint32_t v)
{
	unsigned idx = (unsigned)((off - NVME_DB_BASE) / 4);
	unsigned qid = idx / 2;

	if (idx >= NVMF_DB_WORDS(c->props->max_io_queues) ||
	    !(idx & 1 ? c->cq[qid].ring != NULL : c->sq[qid].ring != NULL)) {
		log_warn_ratelimited(&c->log_rl, WHAT,
				     "NVMe Base 2.1 §5.2.2: doorbell at 0x%" PRIx64
				     " of a queue that does not exist",
				     off);
		if (live(c))
			nvmf_aen_raise(c, NVMF_AEN_INVALID_DB_REG);
		return 0;
	}
	__atomic_store_n(&c->db[idx], v, __ATOMIC_RELEASE);
	return NVMF_CTRLR_EV_DOORBELL;
}

/* The 32-bit writable properties; everything else is read-only or
 * reserved and ignores writes. */
static int write_prop32(struct nvmf_ctrlr *c, uint64_t off, uint32_t v)
{
	switch (off) {
	case NVME_REG_INTMS: /* Base §3.1.4.3: 1 bits mask vectors */
		__atomic_fetch_or(&c->intms, v, __ATOMIC_RELAXED);
		return 0;
	case NVME_REG_INTMC: /* Base §3.1.4.4: 1 bits unmask them */
		__atomic_fetch_and(&c->intms, ~v, __ATOMIC_RELAXED);
		return 0;
	case NVME_REG_CC:
		return write_cc(c, v);
	case NVME_REG_AQA:
		c->aqa = v & (NVME_SET(NVME_AQA_ASQS, NVME_AQA_ASQS_MASK) |
			      NVME_SET(NVME_AQA_ACQS, NVME_AQA_ACQS_MASK));
		return 0;
	case NVME_REG_ASQ:
	case NVME_REG_ASQ + 4:
	case NVME_REG_ACQ:
	case NVME_REG_ACQ + 4: {
		uint64_t *q = off < NVME_REG_ACQ ? &c->asq : &c->acq;
		unsigned shift = off & 4 ? 32 : 0;

		*q = (*q & ~(0xffffffffULL << shift)) | (uint64_t)v << shift;
		/* bits 11:0 are reserved */
		*q &= ~0xfffULL;
		return 0;
	}
	}
	return 0;
}

int nvmf_ctrlr_write(struct nvmf_ctrlr *c, uint64_t off, const void *buf, size_t size)
{
	uint64_t v = 0;
	int ev;

	if (!access_ok(c, "write", off, size))
		return -EINVAL;
	memcpy(&v, buf, size);
	v = le64toh(v);
	if (off >= NVME_DB_BASE)
		return write_db(c, off, (uint32_t)v);
	/* Base §3.1.4.9/10: ASQ and ACQ may change only while disabled. */
	if ((off & ~7ULL) == NVME_REG_ASQ || (off & ~7ULL) == NVME_REG_ACQ || off == NVME_REG_AQA) {
		if (NVME_GET(c->cc, NVME_CC_EN))
			return 0;
	}
	ev = write_prop32(c, off, (uint32_t)v);
	if (size == 8)
		ev |= write_prop32(c, off + 4, (uint32_t)(v >> 32));
	return ev;
}

/* ---- namespaces ---- */

/* Notes in the Changed Namespace List what differs from old to new: an
 * NSID present in one list only, or backed by other props. */
static void note_changed(struct nvmf_log *log, const struct nvmf_ns_list *old,
			 const struct nvmf_ns_list *new)
{
	unsigned i = 0, j = 0;

	while (i < old->n || j < new->n) {
		uint32_t a = i < old->n ? old->ns[i]->nsid : UINT32_MAX;
		uint32_t b = j < new->n ? new->ns[j]->nsid : UINT32_MAX;

		if (a == b) {
			if (old->ns[i] != new->ns[j])
				nvmf_log_ns_changed(log, a);
			i++;
			j++;
		} else if (a < b) {
			nvmf_log_ns_changed(log, a);
			i++;
		} else {
			nvmf_log_ns_changed(log, b);
			j++;
		}
	}
}

const struct nvmf_ns_list *nvmf_ctrlr_ns_swap(struct nvmf_ctrlr *c, const struct nvmf_ns_list *list)
{
	const struct nvmf_ns_list *old = __atomic_exchange_n(&c->ns, list, __ATOMIC_ACQ_REL);

	/* Base §5.2.2: Namespace Attribute Changed tells the host to read
	 * the Changed Namespace List log; a disabled controller has no one
	 * to tell (the host identifies afresh after enabling). */
	if (nvmf_ctrlr_ready(c)) {
		note_changed(&c->log, old, list);
		nvmf_aen_raise(c, NVMF_AEN_NS_ATTR_CHANGED);
	}
	return old;
}

const struct nvmf_ns_list *nvmf_ctrlr_ns(const struct nvmf_ctrlr *c)
{
	return __atomic_load_n(&c->ns, __ATOMIC_ACQUIRE);
}
