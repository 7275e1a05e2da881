/* SPDX-License-Identifier: MIT */
/*
 * NVM Command Set I/O decoding (NVM CS 1.1 §3, Flush: NVMe Base 2.1 §7.2)
 * and fused Compare and Write (Base §3.4.2). See nvmf_io.h for the
 * contract.
 */
#define LOG_COMPONENT "nvmf"

#include "nvmf/nvmf_io.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "nvmf/nvmf_io_status.h"
#include "nvmf/nvmf_prp.h"

struct opc_entry {
	const char *name;
	enum nvmf_io_op op;
	bool lba;    /* CDW10-12: SLBA, NLB, FUA */
	bool data;   /* moves NLB blocks through the data pointer */
	bool writes; /* changes logical block content */
};

static const struct opc_entry g_opc[256] = {
    [NVME_NVM_FLUSH] = {"Flush", NVMF_IO_FLUSH, false, false, false},
    [NVME_NVM_WRITE] = {"Write", NVMF_IO_WRITE, true, true, true},
    [NVME_NVM_READ] = {"Read", NVMF_IO_READ, true, true, false},
    [NVME_NVM_COMPARE] = {"Compare", NVMF_IO_COMPARE, true, true, false},
    [NVME_NVM_WRITE_ZEROES] = {"Write Zeroes", NVMF_IO_WRITE_ZEROES, true, false, true},
    [NVME_NVM_DSM] = {"Dataset Management", NVMF_IO_DSM, false, false, true},
};

bool nvmf_io_changes_data(uint8_t opc)
{
	return g_opc[opc].writes;
}

bool nvmf_io_supported(uint8_t opc, const struct nvmf_ns_list *nss, bool *changes_data)
{
	bool any = false;

	*changes_data = nvmf_io_changes_data(opc);
	if (opc != NVME_NVM_WRITE_ZEROES)
		return g_opc[opc].name != NULL;
	for (unsigned i = 0; i < nss->n; i++)
		any |= nss->ns[i]->write_zeroes;
	return any;
}

static void refuse(struct nvmf_io_task *t, struct log_ratelimit *rl, uint8_t sct, uint8_t sc,
		   const char *rule, const char *why)
{
	t->op = NVMF_IO_DONE;
	t->status = nvmf_refuse(rl, NVME_SCT_SC(sct, sc), "%s: opcode %02xh nsid 0x%x: %s", rule,
				t->opc, t->nsid, why);
}

/* Base §3.4.2: Compare and Write is the one fused operation; FUSE 11b is
 * reserved. */
static bool fuse_ok(struct nvmf_io_task *t, struct log_ratelimit *rl)
{
	const char *why = NULL;

	if (t->fuse == NVME_FUSE_FIRST && t->opc != NVME_NVM_COMPARE)
		why = "the first fused command must be a Compare";
	else if (t->fuse == NVME_FUSE_SECOND && t->opc != NVME_NVM_WRITE)
		why = "the second fused command must be a Write";
	else if (t->fuse > NVME_FUSE_SECOND)
		why = "FUSE 11b is reserved";
	if (why)
		refuse(t, rl, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, "NVMe Base 2.1 §3.4.2", why);
	return !why;
}

/* Base §7.2: Flush of NSID FFFFFFFFh flushes every attached namespace
 * (Identify VWC bits 2:1 say we take it); without a volatile write cache
 * a Flush has nothing to do and succeeds. */
static void decode_flush(const struct nvmf_ctrlr_props *ctrlr, const struct nvmf_ns_props *ns,
			 struct nvmf_io_task *t, struct log_ratelimit *rl)
{
	if (!ns && t->nsid != NVME_NSID_ALL) {
		refuse(t, rl, NVME_SCT_GENERIC, NVME_SC_INVALID_NS_OR_FORMAT, "NVMe Base 2.1 §7.2",
		       "no such active namespace");
		return;
	}
	if (ctrlr->volatile_write_cache)
		t->op = NVMF_IO_FLUSH;
}

/* NVM CS §3.2: SLBA + NLB must stay inside the namespace (NSZE). */
static bool lba_ok(const struct nvmf_ns_props *ns, uint64_t slba, uint64_t nlb)
{
	uint64_t nsze = __atomic_load_n(&ns->num_blocks, __ATOMIC_RELAXED);

	return slba <= nsze && nlb <= nsze - slba;
}

static void decode_lba(const struct nvmf_ctrlr_props *ctrlr, const struct nvmf_ns_props *ns,
		       const struct opc_entry *e, const struct nvme_sqe *sqe,
		       struct nvmf_io_task *t, struct log_ratelimit *rl)
{
	uint32_t cdw12 = le32toh(sqe->cdw12);

	t->slba = (uint64_t)le32toh(sqe->cdw11) << 32 | le32toh(sqe->cdw10);
	t->nlb = (cdw12 & NVME_IO_NLB_MASK) + 1; /* 0's based */
	t->fua = cdw12 & NVME_IO_FUA;
	if (!lba_ok(ns, t->slba, t->nlb)) {
		refuse(t, rl, NVME_SCT_GENERIC, NVME_SC_LBA_OUT_OF_RANGE, "NVM CS 1.1 §3.2",
		       "blocks past the namespace's size");
		return;
	}
	if (e->data) {
		t->len = (uint64_t)t->nlb * ns->block_size;
		if (nvmf_mdts_check(ctrlr->mdts, NVMF_IO_MPSMIN_BYTES, t->len, &t->status, rl))
			return; /* logged by the check */
	}
	/* NVM CS §3.2.8 Write Zeroes DEAC: deallocate only where deallocated
	 * blocks read as zeroes (DLFEAT says so then). */
	if (e->op == NVMF_IO_WRITE_ZEROES)
		t->deallocate = (cdw12 & NVME_IO_DEAC) && ns->deallocate && ns->dealloc_zeroes;
	t->op = e->op;
}

void nvmf_io_decode(const struct nvmf_ctrlr_props *ctrlr, const struct nvmf_ns_props *ns,
		    const struct nvme_sqe *sqe, struct nvmf_io_task *t, struct log_ratelimit *rl)
{
	const struct opc_entry *e = &g_opc[sqe->opc];
	bool deallocate;

	*t = (struct nvmf_io_task){
	    .op = NVMF_IO_DONE,
	    .opc = sqe->opc,
	    .fuse = NVME_GET(sqe->flags, NVME_SQE_FUSE),
	    .nsid = le32toh(sqe->nsid),
	    .status = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS),
	};
	if (!e->name) {
		refuse(t, rl, NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE, "NVM CS 1.1 §3",
		       "not an I/O command we serve");
		return;
	}
	if (!fuse_ok(t, rl))
		return;
	if (e->op == NVMF_IO_FLUSH) {
		decode_flush(ctrlr, ns, t, rl);
		return;
	}
	if (!ns) {
		refuse(t, rl, NVME_SCT_GENERIC, NVME_SC_INVALID_NS_OR_FORMAT,
		       "NVMe Base 2.1 §3.2.1", "no such active namespace");
		return;
	}
	if (e->op == NVMF_IO_WRITE_ZEROES && !ns->write_zeroes) {
		refuse(t, rl, NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE, "NVM CS 1.1 §3.2.8",
		       "the namespace has no Write Zeroes");
		return;
	}
	/* Dataset Management only writes when it deallocates (CDW11 AD);
	 * its other attributes are hints (NVM CS §3.2.3). */
	deallocate = le32toh(sqe->cdw11) & NVME_DSM_AD;
	if (e->writes && ns->read_only && (e->op != NVMF_IO_DSM || deallocate)) {
		refuse(t, rl, NVME_SCT_GENERIC, NVME_SC_NS_WRITE_PROTECTED,
		       "NVMe Base 2.1 §4.2.3.1", "the namespace is write protected");
		return;
	}
	if (e->lba) {
		decode_lba(ctrlr, ns, e, sqe, t, rl);
		return;
	}
	/* Dataset Management: deallocation is advisory, so a namespace that
	 * cannot deallocate completes it with nothing done. */
	if (deallocate && ns->deallocate) {
		t->op = NVMF_IO_DSM;
		t->nr_ranges = (le32toh(sqe->cdw10) & NVME_DSM_NR_MASK) + 1; /* 0's based */
		t->len = (uint64_t)t->nr_ranges * sizeof(struct nvme_dsm_range);
	}
}

int nvmf_dsm_parse(const struct nvmf_ns_props *ns, const uint8_t *data, size_t len,
		   struct nvmf_dsm_range *ranges, struct nvmf_io_task *t, struct log_ratelimit *rl)
{
	size_t n = len / sizeof(struct nvme_dsm_range);
	int out = 0;

	if (n > t->nr_ranges)
		n = t->nr_ranges;
	for (size_t i = 0; i < n; i++) {
		struct nvme_dsm_range r;

		memcpy(&r, data + i * sizeof(r), sizeof(r));
		r.slba = le64toh(r.slba);
		r.nlb = le32toh(r.nlb); /* a count, not 0's based */
		if (!r.nlb)
			continue; /* names no block */
		if (!lba_ok(ns, r.slba, r.nlb)) {
			refuse(t, rl, NVME_SCT_GENERIC, NVME_SC_LBA_OUT_OF_RANGE,
			       "NVM CS 1.1 §3.2.3", "a range past the namespace's size");
			return -EINVAL;
		}
		ranges[out++] = (struct nvmf_dsm_range){.slba = r.slba, .nlb = r.nlb};
	}
	return out;
}

void nvmf_io_fused_pair(struct nvmf_io_task *first, struct nvmf_io_task *second,
			struct log_ratelimit *rl)
{
	const uint16_t failed = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_ABORTED_FAILED_FUSED);
	bool first_ok = first->op != NVMF_IO_DONE || !first->status;
	bool second_ok = second->op != NVMF_IO_DONE || !second->status;

	if (first_ok && second_ok &&
	    (first->nsid != second->nsid || first->slba != second->slba ||
	     first->nlb != second->nlb)) {
		refuse(first, rl, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, "NVMe Base 2.1 §3.4.2",
		       "the fused Compare and Write name different blocks");
		first_ok = false;
	}
	if (!first_ok && second_ok) {
		second->op = NVMF_IO_DONE;
		second->status = failed;
	}
	if (first_ok && !second_ok) {
		first->op = NVMF_IO_DONE;
		first->status = failed;
	}
}

void nvmf_io_fused_missing(struct nvmf_io_task *t, struct log_ratelimit *rl)
{
	refuse(t, rl, NVME_SCT_GENERIC, NVME_SC_ABORTED_MISSING_FUSED, "NVMe Base 2.1 §3.4.2",
	       "the other half of the fused operation is not next in the queue");
}
