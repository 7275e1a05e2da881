/* SPDX-License-Identifier: MIT */
/*
 * NVMe suite: Create and Delete I/O Completion and Submission Queues
 * (NVME-ADM-Q), Base §5.2.1 - §5.2.4 and §3.1.4.5: every identifier, size
 * and pairing the controller must refuse, with the status it names, and a
 * queue pair deleted and created again.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "conformance/suite_nvme.h"

/* CDW11 of Create I/O SQ on cqid, physically contiguous. */
#define SQ_ON(cqid) ((uint32_t)(cqid) << 16 | NVME_CREATE_Q_PC)
/* A queue of this many entries (0's based), within any MQES >= 1. */
#define QSIZE0 1

/* Ring memory for a queue being created: 4 KiB, page aligned. */
static uint64_t ring(struct conform_nvme *dev)
{
	uint64_t bus = 0;

	conform_nvme_buf(dev, 4096, 0, &bus);
	return bus;
}

static struct nvme_sqe cq_qid0(struct conform_nvme *dev)
{
	return nvme_adm_create_sqe(false, 0, QSIZE0, ring(dev), NVME_CREATE_Q_PC);
}

enum conform_verdict nvme_adm_q_cq_qid0(struct conform_ctx *ctx)
{
	return nvme_adm_one(ctx, CONFORM_NVME_ENABLED, cq_qid0, NVME_ST_CMD(INVALID_QID),
			    "Create I/O CQ with QID 0");
}

/* The number of I/O CQs allocated (NCQA + 1 of Set Features Number of
 * Queues, Base §5.2.26.1.7) after asking for one SQ and one CQ: an
 * allocation below the controller's maximum, so that a QID checked against
 * the maximum instead shows; 0 when the controller does not answer. */
static uint32_t cqs_allocated(struct conform_nvme *dev)
{
	struct nvme_cqe cqe;

	if (nvme_adm_set_feat(dev, NVME_FEAT_NUM_QUEUES, 0, &cqe) ||
	    conform_nvme_status(&cqe) != NVME_ST_OK)
		return 0;
	return (le32toh(cqe.cdw0) >> 16) + 1;
}

static struct nvme_sqe cq_over(struct conform_nvme *dev)
{
	uint32_t n = cqs_allocated(dev);

	conform_note(dev->ctx, "%u I/O CQs allocated", n);
	return nvme_adm_create_sqe(false, (uint16_t)(n ? n + 1 : 0xffff), QSIZE0, ring(dev),
				   NVME_CREATE_Q_PC);
}

enum conform_verdict nvme_adm_q_cq_over(struct conform_ctx *ctx)
{
	return nvme_adm_one(ctx, CONFORM_NVME_ENABLED, cq_over, NVME_ST_CMD(INVALID_QID),
			    "Create I/O CQ with a QID above the Number of Queues allocated");
}

static struct nvme_sqe cq_in_use(struct conform_nvme *dev)
{
	return nvme_adm_create_sqe(false, 1, QSIZE0, ring(dev), NVME_CREATE_Q_PC);
}

enum conform_verdict nvme_adm_q_cq_in_use(struct conform_ctx *ctx)
{
	return nvme_adm_one(ctx, CONFORM_NVME_IO, cq_in_use, NVME_ST_CMD(INVALID_QID),
			    "Create I/O CQ 1 while CQ 1 exists");
}

static struct nvme_sqe cq_size0(struct conform_nvme *dev)
{
	return nvme_adm_create_sqe(false, 1, 0, ring(dev), NVME_CREATE_Q_PC);
}

enum conform_verdict nvme_adm_q_cq_size0(struct conform_ctx *ctx)
{
	return nvme_adm_one(ctx, CONFORM_NVME_ENABLED, cq_size0, NVME_ST_CMD(INVALID_QUEUE_SIZE),
			    "Create I/O CQ with QSIZE 0 (one entry)");
}

/* QSIZE one above CAP.MQES; N/A when MQES is the largest. */
static enum conform_verdict over_mqes(struct conform_ctx *ctx, bool sq)
{
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	enum conform_verdict v;
	uint64_t mqes;

	if (nvme_ctrl_open(ctx, sq ? CONFORM_NVME_IO : CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	mqes = NVME_GET(dev->cap, NVME_CAP_MQES);
	if (mqes == 0xffff) {
		conform_nvme_close(dev);
		return conform_not_applicable(ctx, "CAP.MQES allows 65536 entries");
	}
	sqe = nvme_adm_create_sqe(sq, 2, (uint16_t)(mqes + 1), ring(dev),
				  sq ? SQ_ON(1) : NVME_CREATE_Q_PC);
	v = nvme_adm_check(ctx, dev, &sqe, NVME_ST_CMD(INVALID_QUEUE_SIZE),
			   sq ? "Create I/O SQ with QSIZE above CAP.MQES"
			      : "Create I/O CQ with QSIZE above CAP.MQES");
	conform_nvme_close(dev);
	return v;
}

enum conform_verdict nvme_adm_q_cq_over_mqes(struct conform_ctx *ctx)
{
	return over_mqes(ctx, false);
}

enum conform_verdict nvme_adm_q_sq_over_mqes(struct conform_ctx *ctx)
{
	return over_mqes(ctx, true);
}

static struct nvme_sqe sq_no_cq(struct conform_nvme *dev)
{
	return nvme_adm_create_sqe(true, 2, QSIZE0, ring(dev), SQ_ON(2));
}

enum conform_verdict nvme_adm_q_sq_no_cq(struct conform_ctx *ctx)
{
	return nvme_adm_one(ctx, CONFORM_NVME_IO, sq_no_cq, NVME_ST_CMD(CQ_INVALID),
			    "Create I/O SQ 2 on CQ 2, which does not exist");
}

static struct nvme_sqe sq_admin_cq(struct conform_nvme *dev)
{
	return nvme_adm_create_sqe(true, 2, QSIZE0, ring(dev), SQ_ON(0));
}

enum conform_verdict nvme_adm_q_sq_admin_cq(struct conform_ctx *ctx)
{
	return nvme_adm_one(ctx, CONFORM_NVME_IO, sq_admin_cq, NVME_ST_CMD(CQ_INVALID),
			    "Create I/O SQ on the Admin CQ (CQID 0)");
}

static struct nvme_sqe sq_qid0(struct conform_nvme *dev)
{
	return nvme_adm_create_sqe(true, 0, QSIZE0, ring(dev), SQ_ON(1));
}

enum conform_verdict nvme_adm_q_sq_qid0(struct conform_ctx *ctx)
{
	return nvme_adm_one(ctx, CONFORM_NVME_IO, sq_qid0, NVME_ST_CMD(INVALID_QID),
			    "Create I/O SQ with QID 0");
}

static struct nvme_sqe del_cq1(struct conform_nvme *dev)
{
	(void)dev;
	return nvme_adm_delete_sqe(false, 1);
}

enum conform_verdict nvme_adm_q_del_cq_busy(struct conform_ctx *ctx)
{
	return nvme_adm_one(ctx, CONFORM_NVME_IO, del_cq1, NVME_ST_CMD(INVALID_QUEUE_DELETION),
			    "Delete I/O CQ 1 while SQ 1 is on it");
}

enum conform_verdict nvme_adm_q_del_cq_none(struct conform_ctx *ctx)
{
	return nvme_adm_one(ctx, CONFORM_NVME_ENABLED, del_cq1, NVME_ST_CMD(INVALID_QID),
			    "Delete I/O CQ 1, which does not exist");
}

static struct nvme_sqe del_sq1(struct conform_nvme *dev)
{
	(void)dev;
	return nvme_adm_delete_sqe(true, 1);
}

enum conform_verdict nvme_adm_q_del_sq_none(struct conform_ctx *ctx)
{
	return nvme_adm_one(ctx, CONFORM_NVME_ENABLED, del_sq1, NVME_ST_CMD(INVALID_QID),
			    "Delete I/O SQ 1, which does not exist");
}

static struct nvme_sqe del_sq0(struct conform_nvme *dev)
{
	(void)dev;
	return nvme_adm_delete_sqe(true, 0);
}

enum conform_verdict nvme_adm_q_del_sq_admin(struct conform_ctx *ctx)
{
	return nvme_adm_one(ctx, CONFORM_NVME_ENABLED, del_sq0, NVME_ST_CMD(INVALID_QID),
			    "Delete I/O SQ 0 (the Admin SQ)");
}

enum conform_verdict nvme_adm_q_pc0(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	enum conform_verdict v;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	if (!NVME_GET(dev->cap, NVME_CAP_CQR)) {
		conform_nvme_close(dev);
		return conform_not_applicable(ctx, "CAP.CQR is 0: queues need not be contiguous");
	}
	sqe = nvme_adm_create_sqe(false, 1, QSIZE0, ring(dev), 0);
	v = nvme_adm_check(ctx, dev, &sqe, NVME_ST_GEN(INVALID_FIELD),
			   "Create I/O CQ with PC 0 while CAP.CQR is 1");
	conform_nvme_close(dev);
	return v;
}

/* Delete SQ 1 and CQ 1, create them again (same QIDs, new rings), and a
 * Flush on the new pair completes. */
enum conform_verdict nvme_adm_q_recreate(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct conform_nvme_q q;
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	enum conform_verdict v;
	int ret;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_IO, &dev))
		return conform_error(ctx, "controller bring-up failed");
	if (!dev->nsid) {
		conform_nvme_close(dev);
		return conform_not_applicable(ctx, "no active namespace");
	}
	sqe = nvme_adm_delete_sqe(true, 1);
	v = nvme_adm_check(ctx, dev, &sqe, NVME_ST_OK, "Delete I/O SQ 1");
	if (v == CONFORM_PASS) {
		sqe = nvme_adm_delete_sqe(false, 1);
		v = nvme_adm_check(ctx, dev, &sqe, NVME_ST_OK, "Delete I/O CQ 1");
	}
	ret = v == CONFORM_PASS ? conform_nvme_q_init(dev, 1, 16, &q) : 0;
	if (v == CONFORM_PASS && ret == 0)
		ret = conform_nvme_q_create(dev, &q);
	if (v == CONFORM_PASS && ret == 0) {
		sqe = (struct nvme_sqe){.opc = NVME_NVM_FLUSH, .nsid = htole32(dev->nsid)};
		ret = conform_nvme_cmd(dev, &q, &sqe, &cqe);
		if (ret == 0)
			v = conform_nvme_expect(ctx, &cqe, NVME_ST_OK,
						"Flush on the new queue pair");
	}
	conform_nvme_close(dev);
	if (ret)
		return conform_fail(ctx, "queue pair 1 created again: %s", strerror(-ret));
	return v;
}

/* Base §3.1.4.5: an enable with CC.IOSQES and CC.IOCQES left 0, then
 * Create I/O CQ: Invalid Queue Size. */
enum conform_verdict nvme_adm_q_es_unset(struct conform_ctx *ctx)
{
	const uint32_t cc = NVME_SET(NVME_CC_CSS, NVME_CC_CSS_NVM);
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	enum conform_verdict v;
	uint32_t csts = 0;
	int ret;

	if (nvme_ctrl_open_disabled(ctx, &dev))
		return conform_error(ctx, "connect and reset failed");
	ret = nvme_ctrl_enable_with(
	    dev, &(struct nvme_enable_args){.aqa = nvme_aqa_of(32), .cc = cc}, &csts);
	if (ret) {
		conform_nvme_close(dev);
		return conform_error(ctx, "enable with CC %#x: %s (CSTS %#x)", cc, strerror(-ret),
				     csts);
	}
	sqe = nvme_adm_create_sqe(false, 1, QSIZE0, ring(dev), NVME_CREATE_Q_PC);
	v = nvme_adm_check(ctx, dev, &sqe, NVME_ST_CMD(INVALID_QUEUE_SIZE),
			   "Create I/O CQ with CC.IOCQES and CC.IOSQES not initialized");
	conform_nvme_close(dev);
	return v;
}
