/* SPDX-License-Identifier: MIT */
/*
 * Identify (NVMe Base 2.1 §5.1.13) data of the emulated controller and its
 * namespaces. See nvmf_identify.h for the contract.
 */
#define LOG_COMPONENT "nvmf"

#include "nvmf/nvmf_identify.h"

#include <endian.h>
#include <string.h>

#include "nvmf/nvmf_io_status.h"
#include "nvmf/nvmf_log.h"
#include "util/common.h"

const struct nvmf_ns_props *nvmf_ns_find(const struct nvmf_ns_list *nss, uint32_t nsid)
{
	for (unsigned i = 0; i < nss->n; i++)
		if (nss->ns[i]->nsid == nsid)
			return nss->ns[i];
	return NULL;
}

void nvmf_ascii_pad(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n);

	memcpy(dst, src, len);
	memset(dst + len, ' ', n - len);
}

void nvmf_identify_ctrl(const struct nvmf_ctrlr_props *ctrlr, const struct nvmf_ns_list *nss,
			struct nvme_id_ctrl *id)
{
	/* Timestamp: the feature is served (nvmf_feat.c, Base §5.1.25.1.11). */
	uint16_t oncs = NVME_CTRL_ONCS_COMPARE | NVME_CTRL_ONCS_DSM | NVME_CTRL_ONCS_TIMESTAMP;

	/* ONCS is one for the controller: Write Zeroes when some namespace
	 * has it (the decoder refuses it on the others, Invalid Opcode). */
	for (unsigned i = 0; i < nss->n; i++)
		if (nss->ns[i]->write_zeroes)
			oncs |= NVME_CTRL_ONCS_WRITE_ZEROES;

	id->vid = htole16(ctrlr->vid);
	id->ssvid = htole16(ctrlr->ssvid);
	nvmf_ascii_pad(id->sn, sizeof(id->sn), ctrlr->sn);
	nvmf_ascii_pad(id->mn, sizeof(id->mn), ctrlr->mn);
	nvmf_ascii_pad(id->fr, sizeof(id->fr), ctrlr->fr);
	id->rab = NVMF_RAB;
	/* IEEE OUI: props has none to report; left 0. */
	id->mdts = ctrlr->mdts;
	id->cntlid = htole16(ctrlr->cntlid);
	id->ver = htole32(NVME_VS_2_1);
	id->oaes = htole32(NVME_CTRL_OAES_NS_ATTR);
	id->cntrltype = NVME_CTRL_CNTRLTYPE_IO;
	id->oacs = htole16(ctrlr->doorbell_buffer_config ? NVME_CTRL_OACS_DBBUF : 0);
	id->acl = NVMF_ABORT_LIMIT - 1;
	id->aerl = ctrlr->aerl;
	/* One firmware slot, read-only: the FR above is all it holds. */
	id->frmw = NVME_CTRL_FRMW_SLOT1_RO | 1u << NVME_CTRL_FRMW_SLOTS_SHIFT;
	id->lpa = NVME_CTRL_LPA_CMD_EFFECTS | NVME_CTRL_LPA_EXTENDED;
	id->elpe = NVMF_ERROR_LOG_ENTRIES - 1;
	id->npss = 0;
	id->sqes = NVME_SQES << 4 | NVME_SQES;
	id->cqes = NVME_CQES << 4 | NVME_CQES;
	/* MAXCMD is for NVMe over Fabrics (Base §5.1.13.2.1); 0 over PCIe. */
	id->nn = htole32(nvmf_ctrlr_nn(ctrlr));
	id->oncs = htole16(oncs);
	id->fuses = htole16(NVME_CTRL_FUSES_COMPARE_WRITE);
	/* VWC FB 11b whether a cache is present or not: Flush of NSID
	 * FFFFFFFFh is served (00b is for controllers of revision 1.3 and
	 * earlier only, Figure 312). */
	id->vwc = NVME_CTRL_VWC_FLUSH_ALL;
	if (ctrlr->volatile_write_cache)
		id->vwc |= NVME_CTRL_VWC_PRESENT;
	id->sgls = htole32(ctrlr->sgls);
	/* SUBNQN: UTF-8, NUL padded (the buffer came zeroed) */
	memcpy(id->subnqn, ctrlr->subnqn, strnlen(ctrlr->subnqn, NVMF_NQN_MAX));
	id->psd[0].mp = htole16(NVMF_PS0_MP_CW);
}

void nvmf_identify_ns(const struct nvmf_ns_props *ns, struct nvme_id_ns *id)
{
	uint64_t nsze = __atomic_load_n(&ns->num_blocks, __ATOMIC_RELAXED);
	uint64_t eui64 = htobe64(ns->eui64);

	/* No thin provisioning: every block is allocated capacity. */
	id->nsze = htole64(nsze);
	id->ncap = htole64(nsze);
	id->nuse = htole64(nsze);
	id->nlbaf = 0;
	id->flbas = 0;
	id->lbaf[0].lbads = (uint8_t)__builtin_ctz(ns->block_size);
	/* NVM CS §4.1.5.1 DLFEAT: deallocated blocks read as zeroes, and
	 * then Write Zeroes may deallocate (DEAC) too. */
	if (ns->deallocate && ns->dealloc_zeroes)
		id->dlfeat = NVME_NS_DLFEAT_READ_ZEROES | NVME_NS_DLFEAT_WZ_DEALLOC;
	if (ns->optimal_io_blocks <= UINT16_MAX)
		id->noiob = htole16((uint16_t)ns->optimal_io_blocks);
	if (ns->read_only)
		id->nsattr = NVME_NS_NSATTR_WP;
	memcpy(id->nguid, ns->nguid, sizeof(id->nguid));
	memcpy(id->eui64, &eui64, sizeof(id->eui64));
}

void nvmf_identify_ns_list(const struct nvmf_ns_list *nss, uint32_t start, uint8_t *data)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nss->n && n < NVME_IDENTIFY_NS_LIST_MAX; i++) {
		uint32_t nsid = htole32(nss->ns[i]->nsid);

		if (nss->ns[i]->nsid > start)
			memcpy(data + 4 * n++, &nsid, sizeof(nsid));
	}
}

static const uint8_t g_zero16[16];

/* Appends one descriptor at *at, unless its identifier is all zero. */
static void desc_add(uint8_t *data, size_t *at, uint8_t nidt, const void *nid, uint8_t nidl)
{
	struct nvme_ns_id_desc h = {.nidt = nidt, .nidl = nidl};

	if (nidt != NVME_NIDT_CSI && !memcmp(nid, g_zero16, nidl))
		return;
	memcpy(data + *at, &h, sizeof(h));
	memcpy(data + *at + sizeof(h), nid, nidl);
	*at += sizeof(h) + nidl;
}

void nvmf_identify_ns_descs(const struct nvmf_ns_props *ns, uint8_t *data)
{
	uint64_t eui64 = htobe64(ns->eui64);
	uint8_t csi = NVME_CSI_NVM;
	size_t at = 0;

	desc_add(data, &at, NVME_NIDT_EUI64, &eui64, sizeof(eui64));
	desc_add(data, &at, NVME_NIDT_NGUID, ns->nguid, sizeof(ns->nguid));
	desc_add(data, &at, NVME_NIDT_UUID, ns->uuid, sizeof(ns->uuid));
	desc_add(data, &at, NVME_NIDT_CSI, &csi, sizeof(csi));
}

/* ---- The CNS table ---- */

/* How a CNS reads CDW1 NSID (Base §5.1.13.1, Figure "CNS values"). */
enum nsid_use {
	NSID_UNUSED,	 /* ignored */
	NSID_NS,	 /* valid; an inactive one gets a zero-filled structure */
	NSID_NS_ACTIVE,	 /* must be active */
	NSID_LIST_START, /* any but FFFFFFFEh and FFFFFFFFh */
};

struct identify_req {
	const struct nvmf_ctrlr_props *ctrlr;
	const struct nvmf_ns_list *nss;
	const struct nvmf_ns_props *ns; /* NSID_NS*: NULL if inactive */
	uint32_t nsid;
	uint8_t *data;
};

struct cns_entry {
	const char *name;
	enum nsid_use nsid;
	bool csi_nvm; /* CDW11 CSI must be 00h (NVM) */
	/* NULL: an all-zero structure is the answer (NVM without PI). */
	void (*build)(const struct identify_req *r);
};

static void build_ctrl(const struct identify_req *r)
{
	nvmf_identify_ctrl(r->ctrlr, r->nss, (struct nvme_id_ctrl *)r->data);
}

static void build_ns(const struct identify_req *r)
{
	if (r->ns)
		nvmf_identify_ns(r->ns, (struct nvme_id_ns *)r->data);
}

static void build_ns_list(const struct identify_req *r)
{
	nvmf_identify_ns_list(r->nss, r->nsid, r->data);
}

static void build_ns_descs(const struct identify_req *r)
{
	nvmf_identify_ns_descs(r->ns, r->data);
}

/* Base §5.1.13.2: combination 0 is the NVM Command Set alone. */
static void build_iocs(const struct identify_req *r)
{
	uint64_t v = htole64(NVME_IOCS_VECTOR_NVM);

	memcpy(r->data, &v, sizeof(v));
}

static const struct cns_entry g_cns[256] = {
    [NVME_IDENTIFY_NS] = {"Identify Namespace", NSID_NS, false, build_ns},
    [NVME_IDENTIFY_CTRL] = {"Identify Controller", NSID_UNUSED, false, build_ctrl},
    [NVME_IDENTIFY_ACTIVE_NS_LIST] = {"Active Namespace ID list", NSID_LIST_START, false,
				      build_ns_list},
    [NVME_IDENTIFY_NS_DESC_LIST] = {"Namespace Identification Descriptor list", NSID_NS_ACTIVE,
				    false, build_ns_descs},
    /* NVM CS §4.1.5: without protection information both NVM specific
     * structures are all zero (no ELBAF, no size limits reported). */
    [NVME_IDENTIFY_CSI_NS] = {"I/O Command Set specific Identify Namespace", NSID_NS, true, NULL},
    [NVME_IDENTIFY_CSI_CTRL] = {"I/O Command Set specific Identify Controller", NSID_UNUSED, true,
				NULL},
    [NVME_IDENTIFY_IOCS] = {"Identify I/O Command Set data structure", NSID_UNUSED, false,
			    build_iocs},
};

/* Base §3.2.1 (namespaces): NSIDs 1 .. NN are valid, active when
 * attached. CNS 00h/05h of a valid inactive NSID return zeroes (Base
 * §5.1.13.1); FFFFFFFFh asks for capabilities common to all namespaces,
 * which only controllers with Namespace Management report. */
static uint16_t check_nsid(const struct cns_entry *e, struct identify_req *r,
			   struct log_ratelimit *rl)
{
	const uint16_t invalid = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_NS_OR_FORMAT);

	switch (e->nsid) {
	case NSID_UNUSED:
		return 0;
	case NSID_LIST_START:
		if (r->nsid >= NVME_NSID_ALL - 1)
			return nvmf_refuse(rl, invalid,
					   "NVMe Base 2.1 §5.1.13: %s from NSID 0x%x refused",
					   e->name, r->nsid);
		return 0;
	case NSID_NS:
	case NSID_NS_ACTIVE:
		break;
	}
	if (r->nsid == 0 || r->nsid > nvmf_ctrlr_nn(r->ctrlr))
		return nvmf_refuse(rl, invalid, "NVMe Base 2.1 §5.1.13: %s of invalid NSID 0x%x",
				   e->name, r->nsid);
	r->ns = nvmf_ns_find(r->nss, r->nsid);
	/* a valid NSID that is not active names nothing to describe: the
	 * field, not the namespace, is wrong (Base §3.2.1.5) */
	if (!r->ns && e->nsid == NSID_NS_ACTIVE)
		return nvmf_refuse(rl, NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD),
				   "NVMe Base 2.1 §5.1.13: %s of inactive NSID %u", e->name,
				   r->nsid);
	return 0;
}

uint16_t nvmf_identify(const struct nvmf_ctrlr_props *ctrlr, const struct nvmf_ns_list *nss,
		       const struct nvme_sqe *sqe, uint8_t *data, struct log_ratelimit *rl)
{
	uint8_t cns = le32toh(sqe->cdw10) & NVME_IDENTIFY_CNS_MASK;
	uint8_t csi = (uint8_t)(le32toh(sqe->cdw11) >> NVME_IDENTIFY_CSI_SHIFT);
	const struct cns_entry *e = &g_cns[cns];
	struct identify_req r = {
	    .ctrlr = ctrlr, .nss = nss, .nsid = le32toh(sqe->nsid), .data = data};
	uint16_t status;

	memset(data, 0, NVME_IDENTIFY_DATA_SIZE);
	if (!e->name)
		return nvmf_refuse(rl, NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD),
				   "NVMe Base 2.1 §5.1.13: Identify CNS %02xh not supported", cns);
	if (e->csi_nvm && csi != NVME_CSI_NVM)
		return nvmf_refuse(rl, NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD),
				   "NVMe Base 2.1 §5.1.13: %s for CSI %02xh: only NVM (00h)",
				   e->name, csi);
	status = check_nsid(e, &r, rl);
	if (status)
		return status;
	if (e->build)
		e->build(&r);
	return NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS);
}
