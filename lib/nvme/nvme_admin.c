/* SPDX-License-Identifier: MIT */
/*
 * The admin commands the host driver sends (NVMe Base 2.1 §5): the
 * synchronous runner, the Identify / Set Features steps of initialization
 * (§3.5.1 steps 7-9) and I/O queue pair creation and deletion (the PCIe
 * admin commands of §5.3).
 */
#define LOG_COMPONENT "nvme"

#include <endian.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "nvme/nvme_host.h"
#include "util/common.h"
#include "util/log.h"

struct sync_wait {
	bool done;
	struct nvme_cpl cpl;
};

static void sync_done(void *arg, const struct nvme_cpl *cpl)
{
	struct sync_wait *w = arg;

	w->cpl = *cpl;
	w->done = true;
}

int nvme_admin_run(struct nvme_ctrlr *c, struct nvme_sqe *sqe, const struct nvme_dma_buf *data,
		   struct nvme_cpl *cpl)
{
	struct sync_wait w = {0};
	bool proto = false;
	int rc;

	if (data)
		sqe->dptr.prp.prp1 = htole64(data->bus);
	rc = nvme_qpair_submit(&c->admin, sqe, sync_done, &w);
	if (rc)
		return rc;
	/* the slot outlives a timeout (nvme_qpair.c), so w is never written
	 * after the callback ran once */
	while (!w.done) {
		rc = nvme_qpair_poll(&c->admin, c->admin.size);
		if (rc == -EPROTO)
			proto = true;
		else if (rc == 0)
			usleep(50);
	}
	if (w.cpl.err)
		return proto && w.cpl.err == -ETIMEDOUT ? -EPROTO : w.cpl.err;
	*cpl = w.cpl;
	return 0;
}

int nvme_admin_sync(struct nvme_ctrlr *c, struct nvme_sqe *sqe, const struct nvme_dma_buf *data,
		    uint32_t *cdw0)
{
	struct nvme_cpl cpl;
	uint8_t opc = sqe->opc;
	int rc;

	rc = nvme_admin_run(c, sqe, data, &cpl);
	if (rc)
		return rc;
	if (cpl.status) {
		log_err("admin opcode %#x: status SCT %#x SC %#x", opc, NVME_SCT_OF(cpl.status),
			NVME_SC_OF(cpl.status));
		return -EIO;
	}
	if (cdw0)
		*cdw0 = cpl.cdw0;
	return 0;
}

/* Base §5.2.13 Identify: CDW10 CNS 7:0, the namespace in NSID. */
static int identify(struct nvme_ctrlr *c, uint8_t cns, uint32_t nsid)
{
	struct nvme_sqe sqe = {.opc = NVME_ADM_IDENTIFY, .nsid = htole32(nsid)};

	memset(c->idbuf.va, 0, NVME_IDENTIFY_DATA_SIZE);
	sqe.cdw10 = htole32(cns);
	return nvme_admin_sync(c, &sqe, &c->idbuf, NULL);
}

/* Base §5.2.26.1.7 Number of Queues: CDW11 NSQR 15:0, NCQR 31:16, both 0's
 * based; the answer's Dword 0 has what was allocated in the same form. */
static int set_num_queues(struct nvme_ctrlr *c)
{
	uint16_t want = MAX(c->opts.io_queues, 1);
	struct nvme_sqe sqe = {.opc = NVME_ADM_SET_FEATURES};
	uint32_t cdw0 = 0;
	int rc;

	sqe.cdw10 = htole32(NVME_FEAT_NUM_QUEUES);
	sqe.cdw11 = htole32((uint32_t)(want - 1) << 16 | (want - 1u));
	rc = nvme_admin_sync(c, &sqe, NULL, &cdw0);
	if (rc)
		return rc;
	c->info.max_io_queues = (uint16_t)MIN((cdw0 & 0xffff) + 1u, (cdw0 >> 16) + 1u);
	c->info.io_queues = MIN(want, c->info.max_io_queues);
	c->info.io_queue_size =
	    (uint16_t)MIN(c->opts.io_queue_size, NVME_GET(c->cap, NVME_CAP_MQES) + 1);
	return 0;
}

/* Base §5.2.13.2.1 SGLS bits 1:0 00b: no SGLs for the NVM command set. */
static int sgl_check(const struct nvme_ctrlr *c)
{
	if (!c->opts.sgl || (c->info.sgls & NVME_CTRL_SGLS_SUPPORT_MASK))
		return 0;
	log_err("SGLs asked for, but Identify Controller SGLS %#x says the controller has none "
		"(Base §5.2.13.2.1)",
		c->info.sgls);
	return -EOPNOTSUPP;
}

int nvme_admin_setup(struct nvme_ctrlr *c)
{
	int rc;

	rc = identify(c, NVME_IDENTIFY_CTRL, 0);
	if (!rc)
		rc = nvme_identify_ctrl_check(c->idbuf.va, c->cap, &c->info);
	if (!rc)
		rc = sgl_check(c);
	if (!rc)
		rc = identify(c, NVME_IDENTIFY_ACTIVE_NS_LIST, 0);
	if (!rc)
		rc = nvme_identify_ns_list_check(c->idbuf.va, c->info.nn, &c->info.nsid);
	if (!rc && c->info.nsid)
		rc = identify(c, NVME_IDENTIFY_NS, c->info.nsid);
	if (!rc && c->info.nsid)
		rc = nvme_identify_ns_check(c->idbuf.va, &c->info);
	if (!rc)
		rc = set_num_queues(c);
	return rc;
}

static int queue_cmd(struct nvme_ctrlr *c, uint8_t opc, uint16_t qid, uint16_t size, uint32_t cdw11,
		     uint64_t prp1)
{
	struct nvme_sqe sqe = {.opc = opc};

	/* Base §5.3.1 / §5.3.2: CDW10 QID 15:0, QSIZE 31:16 (0's based) */
	sqe.cdw10 = htole32((size ? (uint32_t)(size - 1) << 16 : 0) | qid);
	sqe.cdw11 = htole32(cdw11);
	sqe.dptr.prp.prp1 = htole64(prp1);
	return nvme_admin_sync(c, &sqe, NULL, NULL);
}

int nvme_ctrlr_qpair_create(struct nvme_ctrlr *c, uint16_t qid, struct nvme_qpair *qp)
{
	int rc;

	if (qid == 0 || qid > c->info.io_queues)
		return -EINVAL;
	rc = nvme_qpair_init(qp, c, qid, c->info.io_queue_size, c->opts.io_timeout_ms);
	if (rc)
		return rc;
	/* IV 31:16 the queue's own vector; IEN 1 only when asked */
	rc = queue_cmd(c, NVME_ADM_CREATE_CQ, qid, qp->size,
		       (uint32_t)qid << 16 | NVME_CREATE_Q_PC |
			   (c->opts.interrupts ? NVME_CREATE_CQ_IEN : 0),
		       qp->cq_mem.bus);
	if (rc)
		goto fail;
	rc = queue_cmd(c, NVME_ADM_CREATE_SQ, qid, qp->size, (uint32_t)qid << 16 | NVME_CREATE_Q_PC,
		       qp->sq_mem.bus);
	if (rc) {
		queue_cmd(c, NVME_ADM_DELETE_CQ, qid, 0, 0, 0);
		goto fail;
	}
	return 0;
fail:
	nvme_qpair_fini(qp);
	return rc;
}

void nvme_ctrlr_qpair_destroy(struct nvme_ctrlr *c, struct nvme_qpair *qp)
{
	/* Base §5.3.3, §5.3.4: the SQ goes first, its CQ once no SQ posts there */
	if (queue_cmd(c, NVME_ADM_DELETE_SQ, qp->qid, 0, 0, 0) == 0)
		queue_cmd(c, NVME_ADM_DELETE_CQ, qp->qid, 0, 0, 0);
	nvme_qpair_fini(qp);
}
