/* SPDX-License-Identifier: MIT */
/*
 * The NVMe controller a case drives by hand (conform_nvme.h): the memory,
 * the registers, the rings and the bring-up steps of NVMe Base 2.1 §3.5.1.
 * Queue entries are written and read raw; the phase tag (Base §4.2.4) is
 * the only thing read before a case judges an entry.
 */
#define LOG_COMPONENT "conform"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conformance/conform_nvme.h"
#include "conformance/conform_vfio_user.h"
#include "conformance/memfd.h"
#include "nvme/nvme_host.h"
#include "nvme/nvme_vfio_user.h"
#include "storlab/nvme.h"
#include "util/common.h"
#include "util/deadline.h"

#define NVME_PAGE	     4096u
#define DEFAULT_MEM	     (16ull << 20)
#define DEFAULT_ADMIN_SIZE   32
#define DEFAULT_IO_SIZE	     64
/* Base §3.1.4.1: CAP.TO is in 500 ms units. */
#define CAP_TO_UNIT_MS 500

void *conform_nvme_buf(struct conform_nvme *dev, uint64_t len, uint64_t align, uint64_t *bus)
{
	uint64_t at;

	align = align ? align : NVME_PAGE;
	at = ALIGN_UP(dev->mem_used, align);
	len = MAX(len, 1u);
	if (at > dev->mem_size || len > dev->mem_size - at)
		return NULL;
	dev->mem_used = at + len;
	memset(dev->mem + at, 0, len);
	*bus = at;
	return dev->mem + at;
}

void *conform_nvme_at(struct conform_nvme *dev, uint64_t bus, uint64_t len)
{
	if (bus > dev->mem_size || len > dev->mem_size - bus)
		return NULL;
	return dev->mem + bus;
}

int conform_nvme_reg_read(struct conform_nvme *dev, uint32_t off, unsigned width, uint64_t *val)
{
	uint64_t v = 0;
	int ret = g_nvme_vfu_ops.reg_read(dev->vfu, off, &v, width);

	if (ret)
		conform_note(dev->ctx, "read of BAR0 %#x (%u bytes): %s", off, width, strerror(-ret));
	else if (width == 4)
		v = (uint32_t)v;
	*val = v;
	return ret;
}

int conform_nvme_reg_write(struct conform_nvme *dev, uint32_t off, unsigned width, uint64_t val)
{
	uint32_t v32 = (uint32_t)val;
	int ret = g_nvme_vfu_ops.reg_write(dev->vfu, off, width == 8 ? (void *)&val : (void *)&v32,
					   width);

	conform_note(dev->ctx, "BAR0 %#x <- %#llx (%u bytes)%s%s", off, (unsigned long long)val,
		     width, ret ? ": " : "", ret ? strerror(-ret) : "");
	return ret;
}

/* Polls CSTS until done(csts) or the deadline. */
static int csts_poll(struct conform_nvme *dev, uint32_t mask, uint32_t value, bool any,
		     int timeout_ms, uint32_t *csts)
{
	int64_t deadline = deadline_from_timeout(timeout_ms < 0 ? dev->to_ms : timeout_ms);
	uint64_t v = 0;
	int ret;

	for (;;) {
		ret = g_nvme_vfu_ops.reg_read(dev->vfu, NVME_REG_CSTS, &v, 4);
		*csts = (uint32_t)v;
		if (ret)
			return ret;
		if (any ? (*csts & mask) != 0 : (*csts & mask) == value)
			return 0;
		if (deadline_ms_left(deadline) == 0) {
			conform_note(dev->ctx, "CSTS %#x after %d ms: (CSTS & %#x) %s %#x did not come",
				     *csts, timeout_ms < 0 ? dev->to_ms : timeout_ms, mask,
				     any ? "!=" : "==", any ? 0 : value);
			return -ETIMEDOUT;
		}
		usleep(1000);
	}
}

int conform_nvme_wait_csts(struct conform_nvme *dev, uint32_t mask, uint32_t value, int timeout_ms,
			   uint32_t *csts)
{
	return csts_poll(dev, mask, value, false, timeout_ms, csts);
}

static void q_reset(struct conform_nvme_q *q)
{
	memset(q->sq, 0, (size_t)q->size * sizeof(*q->sq));
	memset((void *)q->cq, 0, (size_t)q->size * sizeof(*q->cq));
	q->sq_tail = 0;
	q->sq_head = 0;
	q->cq_head = 0;
	q->phase = 1;
	q->next_cid = 1;
}

int conform_nvme_q_init(struct conform_nvme *dev, uint16_t qid, uint16_t size,
			struct conform_nvme_q *q)
{
	*q = (struct conform_nvme_q){.qid = qid, .size = size};
	q->sq = conform_nvme_buf(dev, (uint64_t)size * sizeof(*q->sq), 0, &q->sq_bus);
	q->cq = conform_nvme_buf(dev, (uint64_t)size * sizeof(*q->cq), 0, &q->cq_bus);
	if (!q->sq || !q->cq || size < 2)
		return -ENOMEM;
	q_reset(q);
	return 0;
}

int conform_nvme_disable(struct conform_nvme *dev)
{
	uint64_t cc;
	uint32_t csts;
	int ret = conform_nvme_reg_read(dev, NVME_REG_CC, 4, &cc);

	if (ret)
		return ret;
	if (cc & NVME_SET(NVME_CC_EN, 1)) {
		ret = conform_nvme_reg_write(dev, NVME_REG_CC, 4, cc & ~NVME_SET(NVME_CC_EN, 1));
		if (ret)
			return ret;
	}
	dev->nio = 0;
	return conform_nvme_wait_csts(dev, NVME_SET(NVME_CSTS_RDY, 1), 0, -1, &csts);
}

int conform_nvme_enable(struct conform_nvme *dev)
{
	struct conform_nvme_q *a = &dev->admin;
	uint32_t cc = NVME_SET(NVME_CC_CSS, NVME_CC_CSS_NVM) | NVME_SET(NVME_CC_MPS, 0) |
		      NVME_SET(NVME_CC_IOSQES, NVME_SQES) | NVME_SET(NVME_CC_IOCQES, NVME_CQES);
	uint32_t aqa = NVME_SET(NVME_AQA_ASQS, a->size - 1u) | NVME_SET(NVME_AQA_ACQS, a->size - 1u);
	uint32_t csts;
	int ret;

	q_reset(a);
	if ((ret = conform_nvme_reg_write(dev, NVME_REG_AQA, 4, aqa)) ||
	    (ret = conform_nvme_reg_write(dev, NVME_REG_ASQ, 8, a->sq_bus)) ||
	    (ret = conform_nvme_reg_write(dev, NVME_REG_ACQ, 8, a->cq_bus)) ||
	    (ret = conform_nvme_reg_write(dev, NVME_REG_CC, 4, cc)) ||
	    (ret = conform_nvme_reg_write(dev, NVME_REG_CC, 4, cc | NVME_SET(NVME_CC_EN, 1))))
		return ret;
	/* RDY, or CFS for an enable the controller refused (Base §3.1.4.6) */
	ret = csts_poll(dev, NVME_SET(NVME_CSTS_RDY, 1) | NVME_SET(NVME_CSTS_CFS, 1), 0, true, -1,
			&csts);
	if (ret)
		return ret;
	if (csts & NVME_SET(NVME_CSTS_CFS, 1)) {
		conform_note(dev->ctx, "enable failed: CSTS.CFS set (CSTS %#x)", csts);
		return -EIO;
	}
	conform_note(dev->ctx, "controller enabled: CSTS %#x", csts);
	return 0;
}

static void trace_sqe(struct conform_nvme *dev, const struct conform_nvme_q *q,
		      const struct nvme_sqe *e)
{
	conform_note(dev->ctx,
		     "SQ%u[%u] <- opc %02xh flags %02xh cid %u nsid %#x prp1 %#llx prp2 %#llx "
		     "cdw10 %#x cdw11 %#x cdw12 %#x cdw13 %#x",
		     q->qid, q->sq_tail, e->opc, e->flags, le16toh(e->cid), le32toh(e->nsid),
		     (unsigned long long)le64toh(e->dptr.prp.prp1),
		     (unsigned long long)le64toh(e->dptr.prp.prp2), le32toh(e->cdw10),
		     le32toh(e->cdw11), le32toh(e->cdw12), le32toh(e->cdw13));
}

int conform_nvme_push(struct conform_nvme *dev, struct conform_nvme_q *q, struct nvme_sqe *sqe)
{
	uint16_t next = (uint16_t)((q->sq_tail + 1) % q->size);
	uint16_t cid;

	/* Base §3.3.1.1: full when the tail is one below the head */
	if (next == q->sq_head)
		return -ENOSPC;
	if (sqe->cid == 0) {
		sqe->cid = htole16(q->next_cid);
		q->next_cid = (uint16_t)(q->next_cid + 1 ? q->next_cid + 1 : 1);
	}
	cid = le16toh(sqe->cid);
	trace_sqe(dev, q, sqe);
	q->sq[q->sq_tail] = *sqe;
	q->sq_tail = next;
	return cid;
}

int conform_nvme_ring(struct conform_nvme *dev, struct conform_nvme_q *q)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return g_nvme_vfu_ops.doorbell(dev->vfu, (uint32_t)nvme_sq_tdbl(q->qid, dev->dstrd),
				       q->sq_tail);
}

uint16_t conform_nvme_status(const struct nvme_cqe *cqe)
{
	uint16_t s = le16toh(cqe->status);

	return NVME_SCT_SC(NVME_GET(s, NVME_STATUS_SCT), NVME_GET(s, NVME_STATUS_SC));
}

const char *conform_nvme_status_str(uint16_t status, char *buf, size_t len)
{
	snprintf(buf, len, "SCT %xh SC %02xh (%s)", NVME_SCT_OF(status), NVME_SC_OF(status),
		 storlab_nvme_status_name(status));
	return buf;
}

int conform_nvme_wait(struct conform_nvme *dev, struct conform_nvme_q *q, int timeout_ms,
		      struct nvme_cqe *cqe)
{
	int64_t deadline = deadline_from_timeout(timeout_ms < 0 ? conform_timeout_ms(dev->ctx)
								: timeout_ms);
	volatile struct nvme_cqe *e = &q->cq[q->cq_head];
	char st[96];

	while ((le16toh(e->status) & NVME_STATUS_P_MASK) != q->phase) {
		if (deadline_ms_left(deadline) == 0) {
			conform_note(dev->ctx, "CQ%u[%u]: no entry came", q->qid, q->cq_head);
			return -ETIMEDOUT;
		}
		usleep(50);
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	*cqe = *(const struct nvme_cqe *)e;
	conform_note(dev->ctx, "CQ%u[%u] -> cid %u sqid %u sqhd %u cdw0 %#x status %#x: %s", q->qid,
		     q->cq_head, le16toh(cqe->cid), le16toh(cqe->sqid), le16toh(cqe->sqhd),
		     le32toh(cqe->cdw0), le16toh(cqe->status),
		     conform_nvme_status_str(conform_nvme_status(cqe), st, sizeof(st)));
	if (le16toh(cqe->sqhd) < q->size)
		q->sq_head = le16toh(cqe->sqhd);
	if (++q->cq_head == q->size) {
		q->cq_head = 0;
		q->phase ^= 1;
	}
	return g_nvme_vfu_ops.doorbell(dev->vfu, (uint32_t)nvme_cq_hdbl(q->qid, dev->dstrd),
				       q->cq_head);
}

int conform_nvme_cmd(struct conform_nvme *dev, struct conform_nvme_q *q, struct nvme_sqe *sqe,
		     struct nvme_cqe *cqe)
{
	int cid = conform_nvme_push(dev, q, sqe);
	int ret;

	if (cid < 0)
		return cid;
	ret = conform_nvme_ring(dev, q);
	if (ret == 0)
		ret = conform_nvme_wait(dev, q, -1, cqe);
	if (ret)
		return ret;
	if (le16toh(cqe->cid) != cid || le16toh(cqe->sqid) != q->qid) {
		conform_note(dev->ctx, "the entry answers cid %u of SQ %u, not cid %d of SQ %u",
			     le16toh(cqe->cid), le16toh(cqe->sqid), cid, q->qid);
		return -EPROTO;
	}
	return 0;
}

int conform_nvme_admin(struct conform_nvme *dev, struct nvme_sqe *sqe, struct nvme_cqe *cqe)
{
	return conform_nvme_cmd(dev, &dev->admin, sqe, cqe);
}

int conform_nvme_identify(struct conform_nvme *dev, uint8_t cns, uint32_t nsid, uint8_t csi,
			  void **data, struct nvme_cqe *cqe)
{
	struct nvme_cqe local;
	uint64_t bus;
	void *buf = conform_nvme_buf(dev, NVME_IDENTIFY_DATA_SIZE, 0, &bus);
	struct nvme_sqe sqe = {
	    .opc = NVME_ADM_IDENTIFY,
	    .nsid = htole32(nsid),
	    .dptr.prp.prp1 = htole64(bus),
	    .cdw10 = htole32(cns),
	    .cdw11 = htole32((uint32_t)csi << NVME_IDENTIFY_CSI_SHIFT),
	};
	int ret;

	cqe = cqe ? cqe : &local;
	if (!buf)
		return -ENOMEM;
	ret = conform_nvme_admin(dev, &sqe, cqe);
	if (ret)
		return ret;
	if (conform_nvme_status(cqe) != NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS))
		return -EIO;
	*data = buf;
	return 0;
}

enum conform_verdict conform_nvme_expect(struct conform_ctx *ctx, const struct nvme_cqe *cqe,
					 uint16_t want, const char *what)
{
	uint16_t got = conform_nvme_status(cqe);
	char a[96], b[96];

	if (got == want)
		return CONFORM_PASS;
	return conform_fail(ctx, "%s: completed with %s, %s expected", what,
			    conform_nvme_status_str(got, a, sizeof(a)),
			    conform_nvme_status_str(want, b, sizeof(b)));
}

/* Create I/O CQ or SQ qid (Base §5.2.1, §5.2.2), physically contiguous. */
static int create_one(struct conform_nvme *dev, struct conform_nvme_q *q, bool sq)
{
	struct nvme_sqe sqe = {
	    .opc = sq ? NVME_ADM_CREATE_SQ : NVME_ADM_CREATE_CQ,
	    .dptr.prp.prp1 = htole64(sq ? q->sq_bus : q->cq_bus),
	    .cdw10 = htole32((uint32_t)(q->size - 1u) << 16 | q->qid),
	    .cdw11 = htole32(sq ? (uint32_t)q->qid << 16 | NVME_CREATE_Q_PC : NVME_CREATE_Q_PC),
	};
	struct nvme_cqe cqe;
	char st[96];
	int ret = conform_nvme_admin(dev, &sqe, &cqe);

	if (ret)
		return ret;
	if (conform_nvme_status(&cqe) != NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS)) {
		conform_note(dev->ctx, "Create I/O %s %u failed: %s", sq ? "SQ" : "CQ", q->qid,
			     conform_nvme_status_str(conform_nvme_status(&cqe), st, sizeof(st)));
		return -EIO;
	}
	return 0;
}

int conform_nvme_q_create(struct conform_nvme *dev, struct conform_nvme_q *q)
{
	int ret = create_one(dev, q, false);

	return ret ? ret : create_one(dev, q, true);
}

/* Identify Controller, the active namespace list and the first namespace. */
static int dev_identify(struct conform_nvme *dev)
{
	struct nvme_ctrlr_info info = {0};
	uint32_t *list;
	void *data;
	int ret = conform_nvme_identify(dev, NVME_IDENTIFY_CTRL, 0, 0, &data, NULL);

	if (ret)
		return ret;
	dev->id_ctrl = data;
	ret = conform_nvme_identify(dev, NVME_IDENTIFY_ACTIVE_NS_LIST, 0, 0, &data, NULL);
	if (ret)
		return ret;
	list = data;
	ret = nvme_identify_ns_list_check(list, le32toh(dev->id_ctrl->nn), &dev->nsid);
	if (ret || dev->nsid == 0)
		return ret;
	ret = conform_nvme_identify(dev, NVME_IDENTIFY_NS, dev->nsid, 0, &data, NULL);
	if (ret)
		return ret;
	dev->id_ns = data;
	ret = nvme_identify_ns_check(dev->id_ns, &info);
	dev->block_size = info.block_size;
	dev->num_blocks = info.num_blocks;
	return ret;
}

static int dev_bringup(struct conform_nvme *dev, const struct conform_nvme_opts *o)
{
	uint16_t n = o->io_queues ? o->io_queues : 1;
	int ret = conform_nvme_disable(dev);

	if (ret)
		return ret;
	ret = conform_nvme_enable(dev);
	if (ret == 0)
		ret = dev_identify(dev);
	if (ret || o->stage < CONFORM_NVME_IO)
		return ret;
	if (n > CONFORM_NVME_MAX_IOQ)
		return -EINVAL;
	for (uint16_t i = 0; i < n; i++) {
		ret = conform_nvme_q_init(dev, (uint16_t)(i + 1), o->io_size ? o->io_size
									   : DEFAULT_IO_SIZE,
					  &dev->io[i]);
		if (ret == 0)
			ret = conform_nvme_q_create(dev, &dev->io[i]);
		if (ret)
			return ret;
		dev->nio = (uint16_t)(i + 1);
	}
	return 0;
}

/* lib/nvme's transport allocates nothing of ours: the case hands out its
 * memory itself (conform_nvme_buf). */
static int no_alloc(void *arg, size_t len, size_t align, void **buf)
{
	(void)arg, (void)len, (void)align, (void)buf;
	return -ENOMEM;
}

static void no_free(void *arg, void *buf)
{
	(void)arg, (void)buf;
}

int conform_nvme_setup(struct conform_ctx *ctx, const struct conform_nvme_opts *opts,
		       struct conform_nvme **out)
{
	struct conform_nvme_opts o = *opts;
	struct conform_nvme *dev = calloc(1, sizeof(*dev));
	struct vfio_user_client *client;
	uint64_t to;
	int ret;

	if (!dev)
		return -ENOMEM;
	dev->ctx = ctx;
	dev->mem_fd = -1;
	/* Bus address 0 is left unused, as no real host hands it out. */
	dev->mem_used = NVME_PAGE;
	ret = conform_memfd_map(o.mem_size ? o.mem_size : DEFAULT_MEM, &dev->mem_fd,
				(void **)&dev->mem);
	if (ret)
		goto fail;
	dev->mem_size = o.mem_size ? o.mem_size : DEFAULT_MEM;
	ret = conform_vfu_connect(ctx, &client);
	if (ret)
		goto fail;
	ret = nvme_vfu_attach(client,
			      &(struct nvme_vfu_mem){.fd = dev->mem_fd,
						     .base = dev->mem,
						     .size = dev->mem_size,
						     .alloc = no_alloc,
						     .free = no_free},
			      &dev->vfu);
	if (ret) {
		conform_note(ctx, "BAR0 or DMA_MAP of the memory: %s", strerror(-ret));
		goto fail;
	}
	ret = conform_nvme_reg_read(dev, NVME_REG_CAP, 8, &dev->cap);
	if (ret)
		goto fail;
	dev->dstrd = (uint32_t)NVME_GET(dev->cap, NVME_CAP_DSTRD);
	to = NVME_GET(dev->cap, NVME_CAP_TO) * CAP_TO_UNIT_MS;
	dev->to_ms = (int)MAX(to, (uint64_t)conform_timeout_ms(ctx));
	conform_note(ctx, "CAP %#llx", (unsigned long long)dev->cap);
	ret = conform_nvme_q_init(dev, 0, o.admin_size ? o.admin_size : DEFAULT_ADMIN_SIZE,
				  &dev->admin);
	if (ret == 0 && o.stage >= CONFORM_NVME_ENABLED)
		ret = dev_bringup(dev, &o);
	if (ret) {
		conform_note(ctx, "controller set-up: %s", strerror(-ret));
		goto fail;
	}
	*out = dev;
	return 0;
fail:
	conform_nvme_close(dev);
	return ret;
}

void conform_nvme_close(struct conform_nvme *dev)
{
	if (!dev)
		return;
	nvme_vfu_close(dev->vfu);
	if (dev->mem)
		munmap(dev->mem, dev->mem_size);
	if (dev->mem_fd >= 0)
		close(dev->mem_fd);
	free(dev);
}
