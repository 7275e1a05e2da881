/* SPDX-License-Identifier: MIT */
/*
 * NVMe, whatever transport carries it: the controller and namespace as the
 * neutral info's limits, the statuses' names, and storlab/nvme.h's calls.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "initiator/internal.h"
#include "initiator/nvme_drv.h"
#include "util/common.h"
#include "util/log.h"

void nvme_drv_info_fill(const struct nvme_ctrlr *c, struct storlab_nvme_info *nv,
			struct storlab_dev_info *info)
{
	const struct nvme_ctrlr_info *ci = &c->info;

	*nv = (struct storlab_nvme_info){
	    .vs = ci->vs,
	    .vid = ci->vid,
	    .nn = ci->nn,
	    .oncs = ci->oncs,
	    .vwc = ci->vwc,
	    .sgls = ci->sgls,
	    .sgl = c->opts.sgl,
	    .interrupts = c->opts.interrupts,
	    .max_transfer = ci->max_xfer,
	    .max_io_queues = ci->max_io_queues,
	    .io_queue_entries = ci->io_queue_size,
	    .nsid = ci->nsid,
	    .block_size = ci->block_size,
	    .num_blocks = ci->num_blocks,
	};
	memcpy(nv->sn, ci->sn, sizeof(nv->sn));
	memcpy(nv->mn, ci->mn, sizeof(nv->mn));
	memcpy(nv->fr, ci->fr, sizeof(nv->fr));
	info->capacity = ci->num_blocks * ci->block_size;
	info->block_size = ci->block_size;
	/* NVM CS §3.2.4: NLB is 16 bits; MDTS bounds the bytes */
	info->max_transfer = (uint32_t)MIN(ci->max_xfer, (uint64_t)ci->block_size << 16);
	info->max_segments = STORLAB_MAX_SEGMENTS;
	info->max_segment_size = 0;
	/* one Dataset Management range, one Write Zeroes: NLB's 32 / 16 bits */
	info->max_discard =
	    ci->oncs & NVME_CTRL_ONCS_DSM ? (uint64_t)UINT32_MAX * ci->block_size : 0;
	info->max_write_zeroes =
	    ci->oncs & NVME_CTRL_ONCS_WRITE_ZEROES ? (uint64_t)ci->block_size << 16 : 0;
	info->max_queues = ci->max_io_queues;
	info->queue_size = (uint16_t)(ci->io_queue_size - 1);
}

void nvme_drv_complete(struct storlab_completion *c, void *tag, uint32_t len,
		       const struct nvme_cpl *cpl)
{
	*c = (struct storlab_completion){.tag = tag, .transport_status = cpl->status};
	if (cpl->err) {
		c->transport_status =
		    cpl->err == -ETIMEDOUT ? STORLAB_NVME_S_TIMEOUT : STORLAB_NVME_S_CANCELED;
		c->ret = -EIO;
		c->status = STORLAB_STATUS_ERROR;
		return;
	}
	switch (cpl->status) {
	case NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS):
		c->len = len;
		break;
	/* Base §4.2.3.1: the controller does not do this command */
	case NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE):
		c->ret = -ENOTSUP;
		c->status = STORLAB_STATUS_UNSUPPORTED;
		break;
	default:
		c->ret = -EIO;
		c->status = STORLAB_STATUS_ERROR;
		break;
	}
}

const char *nvme_drv_status_name(uint16_t status)
{
	/* Base §4.2.3's names of the statuses a block device mostly sees */
	static const struct {
		uint16_t status;
		const char *name;
	} names[] = {
	    {NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS), "Successful Completion"},
	    {NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE), "Invalid Command Opcode"},
	    {NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD), "Invalid Field in Command"},
	    {NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_DATA_TRANSFER_ERROR), "Data Transfer Error"},
	    {NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INTERNAL), "Internal Error"},
	    {NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_ABORT_REQUESTED), "Command Abort Requested"},
	    {NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_ABORTED_SQ_DELETION),
	     "Command Aborted due to SQ Deletion"},
	    {NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_ABORTED_FAILED_FUSED),
	     "Command Aborted due to Failed Fused Command"},
	    {NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_ABORTED_MISSING_FUSED),
	     "Command Aborted due to Missing Fused Command"},
	    {NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_CID_CONFLICT), "Command ID Conflict"},
	    {NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_NS_OR_FORMAT),
	     "Invalid Namespace or Format"},
	    {NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_PRP_OFFSET_INVALID), "PRP Offset Invalid"},
	    {NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_NS_WRITE_PROTECTED),
	     "Namespace is Write Protected"},
	    {NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_LBA_OUT_OF_RANGE), "LBA Out of Range"},
	    {NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_CAPACITY_EXCEEDED), "Capacity Exceeded"},
	    {NVME_SCT_SC(NVME_SCT_MEDIA, NVME_SC_WRITE_FAULT), "Write Fault"},
	    {NVME_SCT_SC(NVME_SCT_MEDIA, NVME_SC_UNRECOVERED_READ), "Unrecovered Read Error"},
	    {NVME_SCT_SC(NVME_SCT_MEDIA, NVME_SC_COMPARE_FAILURE), "Compare Failure"},
	    /* command specific (SCT 1h): queues, logs, features, limits */
	    {NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_CQ_INVALID), "Completion Queue Invalid"},
	    {NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_QID), "Invalid Queue Identifier"},
	    {NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_QUEUE_SIZE), "Invalid Queue Size"},
	    {NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_ABORT_LIMIT_EXCEEDED),
	     "Abort Command Limit Exceeded"},
	    {NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_AER_LIMIT_EXCEEDED),
	     "Asynchronous Event Request Limit Exceeded"},
	    {NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_INTERRUPT_VECTOR),
	     "Invalid Interrupt Vector"},
	    {NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_LOG_PAGE), "Invalid Log Page"},
	    {NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_QUEUE_DELETION),
	     "Invalid Queue Deletion"},
	    {NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_FEATURE_NOT_SAVEABLE),
	     "Feature Identifier Not Saveable"},
	    {NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_FEATURE_NOT_CHANGEABLE),
	     "Feature Not Changeable"},
	    {NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_FEATURE_NOT_NS_SPECIFIC),
	     "Feature Not Namespace Specific"},
	    {STORLAB_NVME_S_TIMEOUT, "TIMEOUT"},
	    {STORLAB_NVME_S_CANCELED, "CANCELED"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].status == status)
			return names[i].name;
	return "UNKNOWN";
}

const char *storlab_nvme_status_name(uint16_t status)
{
	return nvme_drv_status_name(status);
}

void nvme_drv_sqe(const struct storlab_nvme_cmd *cmd, struct nvme_sqe *sqe)
{
	*sqe = (struct nvme_sqe){
	    .opc = cmd->opc,
	    .nsid = htole32(cmd->nsid),
	    .cdw10 = htole32(cmd->cdw10),
	    .cdw11 = htole32(cmd->cdw11),
	    .cdw12 = htole32(cmd->cdw12),
	    .cdw13 = htole32(cmd->cdw13),
	    .cdw14 = htole32(cmd->cdw14),
	    .cdw15 = htole32(cmd->cdw15),
	};
}

int nvme_drv_admin(struct nvme_ctrlr *c, const struct storlab_nvme_cmd *cmd, uint16_t *status,
		   uint32_t *cdw0)
{
	struct nvme_sqe sqe;
	struct nvme_dma_buf buf;
	struct nvme_cpl cpl;
	size_t len = 0, off = 0;
	int ret;

	nvme_drv_sqe(cmd, &sqe);
	for (unsigned i = 0; i < cmd->iovcnt; i++)
		len += cmd->iov[i].iov_len;
	/* one page behind PRP1 (Base §4.3.1), so no PRP list to build */
	if (len > NVME_HOST_PAGE) {
		log_err("admin opcode %#x: %zu bytes of data, at most %u here", cmd->opc, len,
			NVME_HOST_PAGE);
		return -EINVAL;
	}
	ret = c->ops->dma_alloc(c->arg, NVME_HOST_PAGE, &buf);
	if (ret)
		return ret;
	ret = nvme_admin_run(c, &sqe, &buf, &cpl);
	if (!ret) {
		for (unsigned i = 0; i < cmd->iovcnt; i++) {
			memcpy(cmd->iov[i].iov_base, (const uint8_t *)buf.va + off,
			       cmd->iov[i].iov_len);
			off += cmd->iov[i].iov_len;
		}
		*status = cpl.status;
		*cdw0 = cpl.cdw0;
	}
	c->ops->dma_free(c->arg, &buf);
	return ret;
}

int storlab_nvme_get_info(const struct storlab_dev *dev, struct storlab_nvme_info *info)
{
	if (dev->tp->kind != INITIATOR_DEV_NVME)
		return -ENOTTY;
	*info = *(const struct storlab_nvme_info *)dev->tp->details(dev->ctx);
	return 0;
}
