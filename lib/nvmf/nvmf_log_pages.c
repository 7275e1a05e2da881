/* SPDX-License-Identifier: MIT */
/*
 * The log pages of NVMe Base 2.1 §5.1.12.1 our controller keeps, built
 * whole into a zeroed page; nvmf_log.c cuts the requested part out.
 */
#include "nvmf/nvmf_log_pages.h"

#include <endian.h>
#include <string.h>

#include "nvmf/nvmf_identify.h"
#include "nvmf/nvmf_io.h"

/* A 128-bit little-endian counter from a 64-bit value. */
static void put_u128(uint8_t *dst, uint64_t v)
{
	v = htole64(v);
	memcpy(dst, &v, sizeof(v));
}

static void put_u32(uint8_t *page, unsigned idx, uint32_t v)
{
	v = htole32(v);
	memcpy(page + 4 * idx, &v, sizeof(v));
}

void nvmf_log_build_supported(struct nvmf_log *log, const struct nvmf_log_src *src,
			      const struct nvmf_log_req *req, uint8_t *page)
{
	(void)log;
	(void)src;
	(void)req;
	for (unsigned lid = 0; lid < 256; lid++)
		if (nvmf_log_supported((uint8_t)lid))
			put_u32(page, lid, NVME_LOG_LSUPP);
}

/* Newest entry first; slots never written stay zero. */
void nvmf_log_build_error(struct nvmf_log *log, const struct nvmf_log_src *src,
			  const struct nvmf_log_req *req, uint8_t *page)
{
	(void)src;
	(void)req;
	for (unsigned i = 0; i < NVMF_ERROR_LOG_ENTRIES; i++) {
		unsigned slot =
		    (log->err_next + NVMF_ERROR_LOG_ENTRIES - 1 - i) % NVMF_ERROR_LOG_ENTRIES;

		memcpy(page + i * sizeof(log->err[0]), &log->err[slot], sizeof(log->err[0]));
	}
}

/* Data units are thousands of 512-byte units, rounded up. */
static uint64_t data_units(uint64_t bytes)
{
	return (bytes / 512 + 999) / 1000;
}

void nvmf_log_build_smart(struct nvmf_log *log, const struct nvmf_log_src *src,
			  const struct nvmf_log_req *req, uint8_t *page)
{
	struct nvme_smart_log *s = (struct nvme_smart_log *)page;
	const struct nvmf_smart_counters *c = src->smart;

	(void)req;
	/* A read-only namespace is media in read only mode to the host. */
	for (unsigned i = 0; i < src->nss->n; i++)
		if (src->nss->ns[i]->read_only)
			s->critical_warning |= NVME_SMART_CW_READ_ONLY;
	/* No temperature sensor (CTEMP 0) and no wear: all spare left. */
	s->avsp = 100;
	s->avspt = 10;
	put_u128(s->data_units_read, data_units(c->bytes_read));
	put_u128(s->data_units_written, data_units(c->bytes_written));
	put_u128(s->host_read_cmds, c->read_cmds);
	put_u128(s->host_write_cmds, c->write_cmds);
	put_u128(s->power_cycles, c->power_cycles);
	put_u128(s->power_on_hours, c->power_on_hours);
	put_u128(s->unsafe_shutdowns, c->unsafe_shutdowns);
	put_u128(s->media_errors, c->media_errors);
	put_u128(s->num_err_log_entries, log->err_count);
}

void nvmf_log_build_fw(struct nvmf_log *log, const struct nvmf_log_src *src,
		       const struct nvmf_log_req *req, uint8_t *page)
{
	struct nvme_fw_slot_log *fw = (struct nvme_fw_slot_log *)page;

	(void)log;
	(void)req;
	fw->afi = 1; /* slot 1 active, no next slot */
	nvmf_ascii_pad(fw->frs[0], sizeof(fw->frs[0]), src->ctrlr->fr);
}

void nvmf_log_build_changed_ns(struct nvmf_log *log, const struct nvmf_log_src *src,
			       const struct nvmf_log_req *req, uint8_t *page)
{
	(void)src;
	(void)req;
	if (log->changed_overflow)
		put_u32(page, 0, NVME_NSID_ALL);
	else
		for (unsigned i = 0; i < log->n_changed; i++)
			put_u32(page, i, log->changed[i]);
	log->n_changed = 0;
	log->changed_overflow = false;
}

void nvmf_log_build_effects(struct nvmf_log *log, const struct nvmf_log_src *src,
			    const struct nvmf_log_req *req, uint8_t *page)
{
	bool changes;

	(void)log;
	for (unsigned i = 0; i < src->n_admin_opcodes; i++)
		put_u32(page, src->admin_opcodes[i], NVME_CMD_EFFECTS_CSUPP);
	/* Base §5.1.12.1: the I/O part is that of the command set CSI names;
	 * we have the NVM one only, others are all zero. */
	if (req->csi != NVME_CSI_NVM)
		return;
	for (unsigned opc = 0; opc < 256; opc++)
		if (nvmf_io_supported((uint8_t)opc, src->nss, &changes))
			put_u32(page, 256 + opc,
				NVME_CMD_EFFECTS_CSUPP | (changes ? NVME_CMD_EFFECTS_LBCC : 0));
}
