/* SPDX-License-Identifier: MIT */
/*
 * Identify and Get Log Page on the admin queue (NVMe Base 2.1 §5.1.13,
 * §5.1.12): the builders (nvmf_identify.h, nvmf_log.h) fill a page, which
 * goes to the command's PRPs; reading a log page with RAE cleared lets its
 * asynchronous event be reported again.
 */
#define LOG_COMPONENT "nvmf"
#include "nvmf/nvmf_admin_data.h"

#include <endian.h>

#include "nvmf/nvmf_ctrlr.h"
#include "nvmf/nvmf_identify.h"
#include "nvmf/nvmf_io.h"

/* What a failed builder said: its status, nothing moved. */
static enum nvmf_admin_action answer(struct nvmf_cpl *cpl, uint16_t status)
{
	cpl->status = status;
	return NVMF_ADMIN_DONE;
}

static bool success(uint16_t status)
{
	return status == NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS);
}

enum nvmf_admin_action nvmf_admin_identify(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe,
					   struct nvmf_admin_out *out)
{
	uint8_t data[NVME_IDENTIFY_DATA_SIZE];
	uint16_t status = nvmf_identify(c->props, nvmf_ctrlr_ns(c), sqe, data, &c->log_rl);

	if (!success(status))
		return answer(&out->cpl, status);
	nvmf_admin_data(c, sqe, data, sizeof(data), true, &out->cpl);
	return NVMF_ADMIN_DONE;
}

enum nvmf_admin_action nvmf_admin_get_log_page(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe,
					       struct nvmf_admin_out *out)
{
	struct nvmf_smart_counters smart = {0};
	uint8_t opcodes[256];
	struct nvmf_log_src src = {
	    .ctrlr = c->props,
	    .nss = nvmf_ctrlr_ns(c),
	    .smart = &smart,
	    .admin_opcodes = opcodes,
	    .n_admin_opcodes = nvmf_admin_opcodes(c, opcodes),
	};
	uint8_t page[NVMF_LOG_PAGE_MAX];
	struct nvmf_log_result res;
	uint16_t status;

	if (c->smart)
		c->smart(c->smart_arg, &smart);
	status = nvmf_get_log_page(&c->log, &src, sqe, page, &res, &c->log_rl);
	if (!success(status))
		return answer(&out->cpl, status);
	/* Base §5.1.13.2.1 MDTS: it bounds every command's data, Get Log
	 * Page's NUMD included. */
	if (nvmf_mdts_check(c->props->mdts, NVMF_IO_MPSMIN_BYTES, res.len, &status,
			    &c->log_rl))
		return answer(&out->cpl, status);
	if (nvmf_admin_data(c, sqe, page, res.xfer, true, &out->cpl))
		return NVMF_ADMIN_DONE;
	if (res.clear_event)
		nvmf_aen_log_read(c, (uint8_t)le32toh(sqe->cdw10));
	return NVMF_ADMIN_DONE;
}
