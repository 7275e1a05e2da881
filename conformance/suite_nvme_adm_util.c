/* SPDX-License-Identifier: MIT */
/*
 * NVMe suite: what the register, reset and admin cases share (NVME-REG,
 * NVME-RST, NVME-ADM-*): bringing a controller up for a case, one admin
 * command whose status is the verdict, and the few admin commands several
 * areas send (Get/Set Features, Get Log Page, Create I/O queues).
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "conformance/suite_nvme.h"
#include "util/deadline.h"

int nvme_ctrl_open(struct conform_ctx *ctx, enum conform_nvme_stage stage,
		   struct conform_nvme **dev)
{
	int ret = conform_nvme_setup(ctx, &(struct conform_nvme_opts){.stage = stage}, dev);

	if (ret)
		conform_note(ctx, "controller bring-up: %s", strerror(-ret));
	return ret;
}

int nvme_ctrl_open_disabled(struct conform_ctx *ctx, struct conform_nvme **dev)
{
	int ret = nvme_ctrl_open(ctx, CONFORM_NVME_CONNECTED, dev);

	if (ret)
		return ret;
	ret = conform_nvme_disable(*dev);
	if (ret) {
		conform_note(ctx, "reset (CC.EN 0): %s", strerror(-ret));
		conform_nvme_close(*dev);
	}
	return ret;
}

enum conform_verdict nvme_adm_check(struct conform_ctx *ctx, struct conform_nvme *dev,
				    struct nvme_sqe *sqe, uint16_t want, const char *what)
{
	struct nvme_cqe cqe;
	int ret = conform_nvme_admin(dev, sqe, &cqe);

	if (ret)
		return conform_fail(ctx, "%s: %s", what, strerror(-ret));
	return conform_nvme_expect(ctx, &cqe, want, what);
}

enum conform_verdict nvme_adm_one(struct conform_ctx *ctx, enum conform_nvme_stage stage,
				  struct nvme_sqe (*make)(struct conform_nvme *dev), uint16_t want,
				  const char *what)
{
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	enum conform_verdict v;

	if (nvme_ctrl_open(ctx, stage, &dev))
		return conform_error(ctx, "controller bring-up failed");
	sqe = make(dev);
	v = nvme_adm_check(ctx, dev, &sqe, want, what);
	conform_nvme_close(dev);
	if (v == CONFORM_PASS && !nvme_ctrl_serving(ctx))
		return conform_fail(ctx, "the controller stopped serving after: %s", what);
	return v;
}

/* How often a new connection is tried while the endpoint is still busy
 * letting the case's connection go. */
#define SERVING_RETRY_MS 50

bool nvme_ctrl_serving(struct conform_ctx *ctx)
{
	int64_t deadline = deadline_from_timeout(conform_timeout_ms(ctx));

	while (!conform_backend_alive(ctx)) {
		if (deadline_ms_left(deadline) == 0)
			return false;
		usleep(SERVING_RETRY_MS * 1000);
	}
	return true;
}

int nvme_adm_get_feat(struct conform_nvme *dev, uint8_t fid, struct nvme_cqe *cqe)
{
	struct nvme_sqe sqe = {.opc = NVME_ADM_GET_FEATURES, .cdw10 = htole32(fid)};

	return conform_nvme_admin(dev, &sqe, cqe);
}

int nvme_adm_set_feat(struct conform_nvme *dev, uint8_t fid, uint32_t cdw11, struct nvme_cqe *cqe)
{
	struct nvme_sqe sqe = {
	    .opc = NVME_ADM_SET_FEATURES,
	    .cdw10 = htole32(fid),
	    .cdw11 = htole32(cdw11),
	};

	return conform_nvme_admin(dev, &sqe, cqe);
}

int nvme_adm_get_log(struct conform_nvme *dev, const struct nvme_log_args *a, void **data,
		     struct nvme_cqe *cqe)
{
	uint64_t bus;
	uint32_t numd = a->len / 4 - 1;
	void *buf = conform_nvme_buf(dev, a->len, 0, &bus);
	struct nvme_sqe sqe = {
	    .opc = NVME_ADM_GET_LOG_PAGE,
	    .nsid = htole32(a->nsid),
	    .dptr.prp.prp1 = htole64(bus),
	    .cdw10 = htole32((numd & 0xffff) << NVME_LOG_NUMDL_SHIFT | a->lid),
	    .cdw11 = htole32(numd >> 16),
	    .cdw12 = htole32((uint32_t)a->offset),
	    .cdw13 = htole32((uint32_t)(a->offset >> 32)),
	};

	if (!buf || a->len < 4 || a->len > 4096)
		return -EINVAL;
	*data = buf;
	return conform_nvme_admin(dev, &sqe, cqe);
}

struct nvme_sqe nvme_adm_create_sqe(bool sq, uint16_t qid, uint16_t qsize0, uint64_t bus,
				    uint32_t cdw11)
{
	return (struct nvme_sqe){
	    .opc = sq ? NVME_ADM_CREATE_SQ : NVME_ADM_CREATE_CQ,
	    .dptr.prp.prp1 = htole64(bus),
	    .cdw10 = htole32((uint32_t)qsize0 << 16 | qid),
	    .cdw11 = htole32(cdw11),
	};
}

struct nvme_sqe nvme_adm_delete_sqe(bool sq, uint16_t qid)
{
	return (struct nvme_sqe){
	    .opc = sq ? NVME_ADM_DELETE_SQ : NVME_ADM_DELETE_CQ,
	    .cdw10 = htole32(qid),
	};
}

enum conform_verdict nvme_expect_either(struct conform_ctx *ctx, const struct nvme_cqe *cqe,
					uint16_t a, uint16_t b, const char *what)
{
	return conform_nvme_status(cqe) == b ? CONFORM_PASS
					     : conform_nvme_expect(ctx, cqe, a, what);
}

/* Polls CSTS up to CAP.TO: 0 at RDY 1, -EIO at CFS 1, -ETIMEDOUT. */
static int nvme_ctrl_wait_ready(struct conform_nvme *dev, uint32_t *csts)
{
	int64_t deadline = deadline_from_timeout(dev->to_ms);
	uint64_t v;
	int ret;

	for (;;) {
		ret = conform_nvme_reg_read(dev, NVME_REG_CSTS, 4, &v);
		*csts = (uint32_t)v;
		if (ret)
			return ret;
		if (NVME_GET(v, NVME_CSTS_CFS))
			return -EIO;
		if (NVME_GET(v, NVME_CSTS_RDY))
			return 0;
		if (deadline_ms_left(deadline) == 0)
			return -ETIMEDOUT;
		usleep(1000);
	}
}

int nvme_ctrl_enable_with(struct conform_nvme *dev, const struct nvme_enable_args *a,
			  uint32_t *csts)
{
	struct conform_nvme_q *q = &dev->admin;
	int ret = conform_nvme_q_init(dev, 0, q->size, q);
	uint64_t asq = a->asq_at_zero ? 0 : q->sq_bus;

	if (ret)
		return ret;
	if (a->asq_at_zero)
		q->sq = conform_nvme_at(dev, 0, (uint64_t)q->size * sizeof(*q->sq));
	if ((ret = conform_nvme_reg_write(dev, NVME_REG_AQA, 4, a->aqa)) ||
	    (ret = conform_nvme_reg_write(dev, NVME_REG_ASQ, 8, asq)) ||
	    (ret = conform_nvme_reg_write(dev, NVME_REG_ACQ, 8, q->cq_bus)) ||
	    (ret = conform_nvme_reg_write(dev, NVME_REG_CC, 4, a->cc)) ||
	    (ret = conform_nvme_reg_write(dev, NVME_REG_CC, 4, a->cc | NVME_SET(NVME_CC_EN, 1))))
		return ret;
	return nvme_ctrl_wait_ready(dev, csts);
}

uint32_t nvme_cc_default(void)
{
	return NVME_SET(NVME_CC_CSS, NVME_CC_CSS_NVM) | NVME_SET(NVME_CC_IOSQES, NVME_SQES) |
	       NVME_SET(NVME_CC_IOCQES, NVME_CQES);
}

uint32_t nvme_aqa_of(uint16_t entries)
{
	return NVME_SET(NVME_AQA_ASQS, entries - 1u) | NVME_SET(NVME_AQA_ACQS, entries - 1u);
}
