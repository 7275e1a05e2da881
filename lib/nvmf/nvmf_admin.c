/* SPDX-License-Identifier: MIT */
/*
 * The admin command dispatcher (NVMe Base 2.1 §5) and the queue
 * management commands (§5.3). See nvmf_admin.h.
 */
#define LOG_COMPONENT "nvmf"

#include "nvmf/nvmf_admin.h"

#include <endian.h>
#include <errno.h>
#include <stdarg.h>

#include "nvmf/nvmf_admin_data.h"
#include "nvmf/nvmf_ctrlr.h"
#include "util/iov.h"
#include "util/log.h"

#define WHAT "nvmf admin"

/* The iovecs an admin data buffer may need: 64 KiB in 4 KiB pages, and
 * one more for an unaligned start. */
#define ADMIN_DATA_IOV 17

void nvmf_admin_refuse(struct nvmf_ctrlr *c, struct nvmf_cpl *cpl, uint8_t sct, uint8_t sc,
		       const char *fmt, ...)
{
	va_list ap;

	cpl->status = NVME_SCT_SC(sct, sc);
	if (log_ratelimit_allow(&c->log_rl, LOG_COMPONENT, WHAT)) {
		va_start(ap, fmt);
		log_vmsg(LOG_LEVEL_WARN, LOG_COMPONENT, fmt, ap);
		va_end(ap);
	}
}

int nvmf_admin_data(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe, void *buf, uint32_t len,
		    bool to_host, struct nvmf_cpl *cpl)
{
	struct iovec iov[ADMIN_DATA_IOV];
	struct nvmf_iov out = {.iov = iov, .max = ADMIN_DATA_IOV};
	int rc = nvmf_prp_map(&c->dma, le64toh(sqe->dptr.prp.prp1), le64toh(sqe->dptr.prp.prp2),
			      len, &out, &cpl->status);

	if (rc)
		return rc;
	if (to_host)
		iov_copy_in(iov, out.cnt, buf, len);
	else
		iov_copy_out(iov, out.cnt, 0, buf, len);
	return 0;
}

/* ---- Create and Delete I/O queues: Base §5.3.1 - §5.3.4 ---- */

/* CDW10 of the queue commands: QID 15:0, QSIZE 31:16 (0's based). */
#define QID(sqe)   ((uint16_t)le32toh((sqe)->cdw10))
#define QSIZE(sqe) ((uint16_t)(le32toh((sqe)->cdw10) >> 16))

/* The fields Create I/O CQ and SQ share: the size within CAP.MQES, a
 * contiguous ring (CAP.CQR), the entry size CC selects, a page-aligned
 * PRP1. Returns true if all hold, else refuses. */
static bool create_q_ok(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe, bool sq,
			struct nvmf_cpl *cpl)
{
	uint32_t cdw11 = le32toh(sqe->cdw11);
	unsigned es = sq ? NVME_GET(c->cc, NVME_CC_IOSQES) : NVME_GET(c->cc, NVME_CC_IOCQES);
	const char *what = sq ? "Create I/O Submission Queue" : "Create I/O Completion Queue";

	/* "A value of 0h ... is invalid"; more than CAP.MQES: Invalid Queue
	 * Size. */
	if (!QSIZE(sqe) || QSIZE(sqe) > c->props->mqes) {
		nvmf_admin_refuse(c, cpl, NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_QUEUE_SIZE,
				  "NVMe Base 2.1 §5.3: %s QSIZE %u is 0 or over CAP.MQES %u", what,
				  QSIZE(sqe), c->props->mqes);
		return false;
	}
	/* CAP.CQR 1: "the controller requires ... physically contiguous";
	 * PC cleared is Invalid Field in Command. */
	if (!(cdw11 & NVME_CREATE_Q_PC)) {
		nvmf_admin_refuse(c, cpl, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD,
				  "NVMe Base 2.1 §5.3: %s with PC 0 while CAP.CQR is 1", what);
		return false;
	}
	/* §3.1.4.5: a queue created before CC.IOCQES and CC.IOSQES are
	 * initialized "shall" be refused with Invalid Queue Size; another
	 * size than the one Identify SQES/CQES allow is an invalid field. */
	if (!NVME_GET(c->cc, NVME_CC_IOSQES) || !NVME_GET(c->cc, NVME_CC_IOCQES)) {
		nvmf_admin_refuse(c, cpl, NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_QUEUE_SIZE,
				  "NVMe Base 2.1 §3.1.4.5: %s before CC.IOCQES and CC.IOSQES are "
				  "initialized",
				  what);
		return false;
	}
	if (es != (sq ? NVME_SQES : NVME_CQES)) {
		nvmf_admin_refuse(c, cpl, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD,
				  "NVMe Base 2.1 §3.1.4.5: %s while CC.IO%sQES is %u", what,
				  sq ? "S" : "C", es);
		return false;
	}
	if (le64toh(sqe->dptr.prp.prp1) & (c->dma.page_size - 1)) {
		nvmf_admin_refuse(c, cpl, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD,
				  "NVMe Base 2.1 §5.3: %s PRP1 is not memory page aligned", what);
		return false;
	}
	return true;
}

/* Base §5.3.1, §5.3.2: a QID of 0, over the Number of Queues allocated,
 * or in use is an Invalid Queue Identifier. */
static bool create_qid_ok(struct nvmf_ctrlr *c, uint16_t qid, bool sq, struct nvmf_cpl *cpl)
{
	unsigned allocated = (sq ? c->feat.nsqa : c->feat.ncqa) + 1u;
	bool used = qid <= c->props->max_io_queues &&
		    (sq ? c->sq[qid].ring != NULL : c->cq[qid].ring != NULL);

	if (qid && qid <= allocated && !used)
		return true;
	nvmf_admin_refuse(
	    c, cpl, NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_QID,
	    "NVMe Base 2.1 §5.3.%u: %s queue %u is 0, in use or over the %u allocated", sq ? 2 : 1,
	    sq ? "submission" : "completion", qid, allocated);
	return false;
}

/* The ring is not inside one DMA mapping. */
static enum nvmf_admin_action create_q_fault(struct nvmf_ctrlr *c, const char *what,
					     struct nvmf_admin_out *out)
{
	nvmf_admin_refuse(c, &out->cpl, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD,
			  "NVMe Base 2.1 §5.3: %s ring is outside the DMA mappings", what);
	return NVMF_ADMIN_DONE;
}

static enum nvmf_admin_action create_cq(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe,
					struct nvmf_admin_out *out)
{
	uint32_t cdw11 = le32toh(sqe->cdw11);
	uint16_t qid = QID(sqe), iv = (uint16_t)(cdw11 >> 16);
	bool ien = cdw11 & NVME_CREATE_CQ_IEN;

	if (!create_qid_ok(c, qid, false, &out->cpl) || !create_q_ok(c, sqe, false, &out->cpl))
		return NVMF_ADMIN_DONE;
	/* Base §5.3.1: a vector the controller does not have. */
	if (ien && iv >= c->props->msix_vectors) {
		nvmf_admin_refuse(
		    c, &out->cpl, NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_INTERRUPT_VECTOR,
		    "NVMe Base 2.1 §5.3.1: interrupt vector %u of %u", iv, c->props->msix_vectors);
		return NVMF_ADMIN_DONE;
	}
	if (nvmf_queue_create_cq(c, qid, le64toh(sqe->dptr.prp.prp1), QSIZE(sqe) + 1u, ien, iv))
		return create_q_fault(c, "Create I/O Completion Queue", out);
	return NVMF_ADMIN_DONE;
}

static enum nvmf_admin_action create_sq(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe,
					struct nvmf_admin_out *out)
{
	uint16_t qid = QID(sqe), cqid = (uint16_t)(le32toh(sqe->cdw11) >> 16);

	if (!create_qid_ok(c, qid, true, &out->cpl))
		return NVMF_ADMIN_DONE;
	/* Base §5.3.2: the admin CQ or one not created: Completion Queue
	 * Invalid. */
	if (!cqid || cqid > c->props->max_io_queues || !c->cq[cqid].ring) {
		nvmf_admin_refuse(c, &out->cpl, NVME_SCT_CMD_SPECIFIC, NVME_SC_CQ_INVALID,
				  "NVMe Base 2.1 §5.3.2: completion queue %u does not exist", cqid);
		return NVMF_ADMIN_DONE;
	}
	if (!create_q_ok(c, sqe, true, &out->cpl))
		return NVMF_ADMIN_DONE;
	if (nvmf_queue_create_sq(c, qid, le64toh(sqe->dptr.prp.prp1), QSIZE(sqe) + 1u, cqid))
		return create_q_fault(c, "Create I/O Submission Queue", out);
	return NVMF_ADMIN_DONE;
}

static enum nvmf_admin_action delete_sq(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe,
					struct nvmf_admin_out *out)
{
	uint16_t qid = QID(sqe);

	/* Base §5.3.4: the admin queue or one that does not exist: Invalid
	 * Queue Identifier. */
	if (!qid || qid > c->props->max_io_queues || !c->sq[qid].ring || c->sq[qid].draining) {
		nvmf_admin_refuse(c, &out->cpl, NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_QID,
				  "NVMe Base 2.1 §5.3.4: submission queue %u does not exist", qid);
		return NVMF_ADMIN_DONE;
	}
	c->sq[qid].draining = true;
	out->sqid = qid;
	return NVMF_ADMIN_DRAIN_SQ;
}

void nvmf_admin_delete_sq_done(struct nvmf_ctrlr *c, uint16_t sqid, struct nvmf_cpl *cpl)
{
	nvmf_queue_delete_sq(c, sqid);
	cpl->status = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS);
	cpl->cdw0 = 0;
}

static enum nvmf_admin_action delete_cq(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe,
					struct nvmf_admin_out *out)
{
	uint16_t qid = QID(sqe);

	if (!qid || qid > c->props->max_io_queues || !c->cq[qid].ring) {
		nvmf_admin_refuse(c, &out->cpl, NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_QID,
				  "NVMe Base 2.1 §5.3.3: completion queue %u does not exist", qid);
		return NVMF_ADMIN_DONE;
	}
	/* Base §5.3.3: "the host shall delete all associated Submission
	 * Queues prior to deleting a Completion Queue"; else Invalid Queue
	 * Deletion. */
	if (c->cq[qid].nsq) {
		nvmf_admin_refuse(c, &out->cpl, NVME_SCT_CMD_SPECIFIC,
				  NVME_SC_INVALID_QUEUE_DELETION,
				  "NVMe Base 2.1 §5.3.3: completion queue %u still has %u"
				  " submission queues",
				  qid, c->cq[qid].nsq);
		return NVMF_ADMIN_DONE;
	}
	nvmf_queue_delete_cq(c, qid);
	return NVMF_ADMIN_DONE;
}

/* ---- Abort: Base §5.2.1 ---- */

static enum nvmf_admin_action abort_cmd(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe,
					struct nvmf_admin_out *out)
{
	uint32_t cdw10 = le32toh(sqe->cdw10);
	uint16_t sqid = (uint16_t)cdw10, cid = (uint16_t)(cdw10 >> 16);

	/* Admin commands answer at once (an AER is not taken back), and a
	 * queue that does not exist holds nothing: "not aborted" (Dword 0
	 * bit 0 set), which the spec allows for any command. */
	if (!sqid || sqid > c->props->max_io_queues || !c->sq[sqid].ring) {
		out->cpl.cdw0 = 1;
		return NVMF_ADMIN_DONE;
	}
	if (c->aborts > NVMF_ACL) {
		nvmf_admin_refuse(c, &out->cpl, NVME_SCT_CMD_SPECIFIC, NVME_SC_ABORT_LIMIT_EXCEEDED,
				  "NVMe Base 2.1 §5.2.1: more than ACL + 1 (%u) Abort commands",
				  NVMF_ACL + 1);
		return NVMF_ADMIN_DONE;
	}
	c->aborts++;
	out->sqid = sqid;
	out->cid = cid;
	return NVMF_ADMIN_ABORT;
}

void nvmf_admin_abort_done(struct nvmf_ctrlr *c, bool aborted, struct nvmf_cpl *cpl)
{
	if (c->aborts)
		c->aborts--;
	cpl->status = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS);
	cpl->cdw0 = aborted ? 0 : 1;
}

/* ---- Doorbell Buffer Config: Base §5.3.5 ---- */

static enum nvmf_admin_action dbbuf_config(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe,
					   struct nvmf_admin_out *out)
{
	uint64_t shadow_gpa = le64toh(sqe->dptr.prp.prp1), ei_gpa = le64toh(sqe->dptr.prp.prp2);
	uint64_t len = NVMF_DB_WORDS(c->props->max_io_queues) * 4ULL;
	uint32_t *shadow, *ei;

	/* Base §5.3.5: each buffer is one memory page, page aligned; ours
	 * must also hold every doorbell. */
	if (!shadow_gpa || !ei_gpa || (shadow_gpa | ei_gpa) & (c->dma.page_size - 1) ||
	    len > c->dma.page_size) {
		nvmf_admin_refuse(c, &out->cpl, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD,
				  "NVMe Base 2.1 §5.3.5: shadow doorbell or EventIdx buffer is 0"
				  " or not page aligned, or the page holds too few doorbells");
		return NVMF_ADMIN_DONE;
	}
	shadow = c->dma.xlate(c->dma.arg, shadow_gpa, len);
	ei = c->dma.xlate(c->dma.arg, ei_gpa, len);
	if (!shadow || !ei) {
		nvmf_admin_refuse(c, &out->cpl, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD,
				  "NVMe Base 2.1 §5.3.5: a doorbell buffer is outside the DMA"
				  " mappings");
		return NVMF_ADMIN_DONE;
	}
	/* Queues that exist keep their place: the shadow starts from the
	 * registers' values. */
	for (unsigned i = 2; i < NVMF_DB_WORDS(c->props->max_io_queues); i++) {
		uint32_t v = htole32(__atomic_load_n(&c->db[i], __ATOMIC_ACQUIRE));

		__atomic_store_n(&shadow[i], v, __ATOMIC_RELAXED);
		__atomic_store_n(&ei[i], v, __ATOMIC_RELAXED);
	}
	c->eventidx = ei;
	c->shadow_gpa = shadow_gpa;
	c->eventidx_gpa = ei_gpa;
	__atomic_store_n(&c->shadow_db, shadow, __ATOMIC_RELEASE);
	return NVMF_ADMIN_DONE;
}

/* ---- the others ---- */

static enum nvmf_admin_action get_features(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe,
					   struct nvmf_admin_out *out)
{
	nvmf_feat_get(c, sqe, &out->cpl);
	return NVMF_ADMIN_DONE;
}

static enum nvmf_admin_action set_features(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe,
					   struct nvmf_admin_out *out)
{
	nvmf_feat_set(c, sqe, &out->cpl);
	return NVMF_ADMIN_DONE;
}

static enum nvmf_admin_action async_event(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe,
					  struct nvmf_admin_out *out)
{
	return nvmf_aer_hold(c, sqe, &out->cpl) ? NVMF_ADMIN_HELD : NVMF_ADMIN_DONE;
}

struct admin_cmd {
	const char *name;
	enum nvmf_admin_action (*exec)(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe,
				       struct nvmf_admin_out *out);
};

static const struct admin_cmd g_admin[256] = {
    [NVME_ADM_DELETE_SQ] = {"Delete I/O Submission Queue", delete_sq},
    [NVME_ADM_CREATE_SQ] = {"Create I/O Submission Queue", create_sq},
    [NVME_ADM_GET_LOG_PAGE] = {"Get Log Page", nvmf_admin_get_log_page},
    [NVME_ADM_DELETE_CQ] = {"Delete I/O Completion Queue", delete_cq},
    [NVME_ADM_CREATE_CQ] = {"Create I/O Completion Queue", create_cq},
    [NVME_ADM_IDENTIFY] = {"Identify", nvmf_admin_identify},
    [NVME_ADM_ABORT] = {"Abort", abort_cmd},
    [NVME_ADM_SET_FEATURES] = {"Set Features", set_features},
    [NVME_ADM_GET_FEATURES] = {"Get Features", get_features},
    [NVME_ADM_ASYNC_EVENT_REQUEST] = {"Asynchronous Event Request", async_event},
    [NVME_ADM_DOORBELL_BUFFER_CFG] = {"Doorbell Buffer Config", dbbuf_config},
};

/* Base §5.3.5: Doorbell Buffer Config exists where OACS bit 8 says. */
static bool served(const struct nvmf_ctrlr *c, uint8_t opc)
{
	return g_admin[opc].exec &&
	       (opc != NVME_ADM_DOORBELL_BUFFER_CFG || c->props->doorbell_buffer_config);
}

unsigned nvmf_admin_opcodes(const struct nvmf_ctrlr *c, uint8_t *ops)
{
	unsigned n = 0;

	for (unsigned opc = 0; opc < 256; opc++) {
		if (served(c, (uint8_t)opc))
			ops[n++] = (uint8_t)opc;
	}
	return n;
}

enum nvmf_admin_action nvmf_admin_exec(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe,
				       struct nvmf_admin_out *out)
{
	const struct admin_cmd *cmd = &g_admin[sqe->opc];

	*out = (struct nvmf_admin_out){
	    .cpl = {.cid = le16toh(sqe->cid),
		    .status = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS)},
	};
	if (!served(c, sqe->opc)) {
		nvmf_admin_refuse(c, &out->cpl, NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE,
				  "NVMe Base 2.1 §5: admin opcode 0x%02x is not supported",
				  sqe->opc);
		return NVMF_ADMIN_DONE;
	}
	/* Base §4.1.1 Figure 91: PRPs for admin commands over PCIe; admin
	 * commands are not fused (Identify Controller FUSES is for NVM). */
	if (NVME_GET(sqe->flags, NVME_SQE_PSDT) != NVME_PSDT_PRP ||
	    NVME_GET(sqe->flags, NVME_SQE_FUSE) != NVME_FUSE_NONE) {
		nvmf_admin_refuse(c, &out->cpl, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD,
				  "NVMe Base 2.1 §4.1.1: %s with PSDT %u or FUSE %u on the admin"
				  " queue",
				  cmd->name, NVME_GET(sqe->flags, NVME_SQE_PSDT),
				  NVME_GET(sqe->flags, NVME_SQE_FUSE));
		return NVMF_ADMIN_DONE;
	}
	return cmd->exec(c, sqe, out);
}
