/* SPDX-License-Identifier: MIT */
/*
 * Get Log Page (NVMe Base 2.1 §5.1.12): the command's fields, the page
 * table and the rules on offset and length. The pages themselves are built
 * in nvmf_log_pages.c. See nvmf_log.h for the contract.
 */
#define LOG_COMPONENT "nvmf"

#include "nvmf/nvmf_log.h"

#include <endian.h>
#include <inttypes.h>
#include <string.h>

#include "nvmf/nvmf_io_status.h"
#include "nvmf/nvmf_log_pages.h"
#include "util/common.h"

void nvmf_log_init(struct nvmf_log *log)
{
	memset(log, 0, sizeof(*log));
}

uint64_t nvmf_log_error_record(struct nvmf_log *log, const struct nvmf_error_info *e)
{
	struct nvme_error_log *ent = &log->err[log->err_next];

	memset(ent, 0, sizeof(*ent));
	ent->error_count = htole64(++log->err_count);
	ent->sqid = htole16(e->sqid);
	ent->cid = htole16(e->cid);
	/* Base §5.1.12.1 Error Information: the completion's status field,
	 * bits 15:1 as in the CQE (the phase tag bit 0 left clear) */
	ent->status = htole16((uint16_t)(NVME_SC_OF(e->status) << NVME_STATUS_SC_SHIFT |
					 NVME_SCT_OF(e->status) << NVME_STATUS_SCT_SHIFT));
	ent->pel = htole16(e->pel);
	ent->lba = htole64(e->lba);
	ent->nsid = htole32(e->nsid);
	ent->csi = NVME_CSI_NVM;
	ent->opc = e->opc;
	log->err_next = (log->err_next + 1) % NVMF_ERROR_LOG_ENTRIES;
	return log->err_count;
}

void nvmf_log_ns_changed(struct nvmf_log *log, uint32_t nsid)
{
	unsigned at = 0;

	if (log->changed_overflow)
		return;
	while (at < log->n_changed && log->changed[at] < nsid)
		at++;
	if (at < log->n_changed && log->changed[at] == nsid)
		return;
	if (log->n_changed == NVME_CHANGED_NS_MAX) {
		log->changed_overflow = true;
		return;
	}
	memmove(&log->changed[at + 1], &log->changed[at],
		(log->n_changed - at) * sizeof(log->changed[0]));
	log->changed[at] = nsid;
	log->n_changed++;
}

void nvmf_log_req_decode(const struct nvme_sqe *sqe, struct nvmf_log_req *req)
{
	uint32_t cdw10 = le32toh(sqe->cdw10);
	uint32_t cdw14 = le32toh(sqe->cdw14);
	uint64_t numd = (uint64_t)(le32toh(sqe->cdw11) & NVME_LOG_NUMDU_MASK) << 16 |
			cdw10 >> NVME_LOG_NUMDL_SHIFT;

	req->lid = (uint8_t)cdw10;
	req->lsp = (cdw10 >> NVME_LOG_LSP_SHIFT) & NVME_LOG_LSP_MASK;
	req->rae = cdw10 & NVME_LOG_RAE;
	req->nsid = le32toh(sqe->nsid);
	req->len = (numd + 1) * 4; /* NUMD is 0's based */
	req->offset = (uint64_t)le32toh(sqe->cdw13) << 32 | le32toh(sqe->cdw12);
	req->ot = cdw14 & NVME_LOG_OT;
	req->csi = (uint8_t)(cdw14 >> NVME_LOG_CSI_SHIFT);
}

struct lid_entry {
	const char *name;
	uint32_t size;
	bool event;  /* RAE applies: the page clears an asynchronous event */
	bool global; /* NSID must be 0h or FFFFFFFFh */
	void (*build)(struct nvmf_log *log, const struct nvmf_log_src *src,
		      const struct nvmf_log_req *req, uint8_t *page);
};

static const struct lid_entry g_lids[256] = {
    [NVME_LOG_SUPPORTED] = {"Supported Log Pages", 1024, false, false, nvmf_log_build_supported},
    [NVME_LOG_ERROR] = {"Error Information", NVMF_ERROR_LOG_ENTRIES * 64, true, false,
			nvmf_log_build_error},
    /* Base §5.1.12.1 SMART / Health: with LPA bit 0 clear the page is
     * the controller's; a namespace's NSID is refused. */
    [NVME_LOG_SMART] = {"SMART / Health Information", 512, true, true, nvmf_log_build_smart},
    [NVME_LOG_FW_SLOT] = {"Firmware Slot Information", 512, false, false, nvmf_log_build_fw},
    [NVME_LOG_CHANGED_NS] = {"Changed Namespace List", NVME_CHANGED_NS_MAX * 4, true, false,
			     nvmf_log_build_changed_ns},
    [NVME_LOG_CMD_EFFECTS] = {"Commands Supported and Effects", 4096, false, false,
			      nvmf_log_build_effects},
};

bool nvmf_log_supported(uint8_t lid)
{
	return g_lids[lid].name != NULL;
}

static uint16_t invalid_field(struct log_ratelimit *rl, const char *name, const char *what,
			      uint64_t value)
{
	return nvmf_refuse(rl, NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD),
			   "NVMe Base 2.1 §5.1.12: Get Log Page %s: %s 0x%" PRIx64, name, what,
			   value);
}

uint16_t nvmf_get_log_page(struct nvmf_log *log, const struct nvmf_log_src *src,
			   const struct nvme_sqe *sqe, uint8_t *buf, struct nvmf_log_result *res,
			   struct log_ratelimit *rl)
{
	uint8_t page[NVMF_LOG_PAGE_MAX] = {0};
	struct nvmf_log_req req;
	const struct lid_entry *e;

	nvmf_log_req_decode(sqe, &req);
	e = &g_lids[req.lid];
	*res = (struct nvmf_log_result){.len = req.len};
	if (!e->name)
		return nvmf_refuse(rl, NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_LOG_PAGE),
				   "NVMe Base 2.1 §5.1.12: log page %02xh not supported", req.lid);
	/* Supported Log Pages says no page takes an index (LSUPP IOS clear) */
	if (req.ot)
		return invalid_field(rl, e->name, "index offset", req.offset);
	if (req.offset & 3)
		return invalid_field(rl, e->name, "offset not dword aligned", req.offset);
	if (req.offset >= e->size)
		return invalid_field(rl, e->name, "offset past the page", req.offset);
	if (e->global && req.nsid != 0 && req.nsid != NVME_NSID_ALL)
		return invalid_field(rl, e->name, "page is not per namespace, NSID", req.nsid);

	e->build(log, src, &req, page);
	res->xfer = (uint32_t)MIN(req.len, e->size - req.offset);
	memcpy(buf, page + req.offset, res->xfer);
	res->clear_event = e->event && !req.rae;
	return NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS);
}
