/* SPDX-License-Identifier: MIT */
/*
 * The checks of the Identify data the host driver uses: the controller
 * writes these 4096 bytes, so each field that sizes something of ours is
 * bounds-checked before use.
 */
#define LOG_COMPONENT "nvme"

#include <endian.h>
#include <errno.h>
#include <string.h>

#include "nvme/nvme_host.h"
#include "util/log.h"

/* Identify strings are ASCII, space padded (Base §5.2.13.2.1): ours end
 * at the padding, and a byte outside printable ASCII becomes '?'. */
static void id_string(char *dst, const char *src, size_t n)
{
	size_t end = n;

	while (end > 0 && (src[end - 1] == ' ' || src[end - 1] == '\0'))
		end--;
	for (size_t i = 0; i < end; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[end] = '\0';
}

int nvme_identify_ctrl_check(const struct nvme_id_ctrl *id, uint64_t cap,
			     struct nvme_ctrlr_info *info)
{
	unsigned mpsmin = NVME_GET(cap, NVME_CAP_MPSMIN);

	/* Base §5.2.13.2.1 SQES/CQES: bits 3:0 the required (smallest) entry
	 * size, 7:4 the largest; we use 64 and 16 bytes */
	if ((id->sqes & 0xf) > NVME_SQES || (id->sqes >> 4) < NVME_SQES) {
		log_err("Identify Controller SQES %#x excludes 64-byte entries (Base §5.2.13.2.1)",
			id->sqes);
		return -EOPNOTSUPP;
	}
	if ((id->cqes & 0xf) > NVME_CQES || (id->cqes >> 4) < NVME_CQES) {
		log_err("Identify Controller CQES %#x excludes 16-byte entries (Base §5.2.13.2.1)",
			id->cqes);
		return -EOPNOTSUPP;
	}
	if (le32toh(id->nn) == 0) {
		log_err("Identify Controller NN is 0: no namespace may exist (Base §5.2.13.2.1)");
		return -EPROTO;
	}
	/* Base §5.2.13.2.1 MDTS: 2 ^ MDTS units of CAP.MPSMIN; 0 no limit */
	info->max_xfer = NVME_HOST_MAX_XFER;
	if (id->mdts) {
		if (id->mdts + 12u + mpsmin > 40) {
			log_err("Identify Controller MDTS %u is out of range (Base §5.2.13.2.1)",
				id->mdts);
			return -EPROTO;
		}
		if (NVME_MPS_BYTES(mpsmin) << id->mdts < info->max_xfer)
			info->max_xfer = NVME_MPS_BYTES(mpsmin) << id->mdts;
	}
	if (info->max_xfer < NVME_HOST_PAGE) {
		log_err("Identify Controller MDTS %u allows less than a page", id->mdts);
		return -EPROTO;
	}
	info->vid = le16toh(id->vid);
	info->nn = le32toh(id->nn);
	info->oncs = le16toh(id->oncs);
	info->vwc = id->vwc;
	info->sgls = le32toh(id->sgls);
	id_string(info->sn, id->sn, sizeof(id->sn));
	id_string(info->mn, id->mn, sizeof(id->mn));
	id_string(info->fr, id->fr, sizeof(id->fr));
	return 0;
}

int nvme_identify_ns_list_check(const uint32_t *list, uint32_t nn, uint32_t *nsid)
{
	uint32_t first = le32toh(list[0]), prev = 0;

	/* Base §5.2.13.2.2: NSIDs in increasing order, the rest of the list 0 */
	for (unsigned i = 0; i < NVME_IDENTIFY_NS_LIST_MAX; i++) {
		uint32_t id = le32toh(list[i]);

		if (id == 0)
			break;
		if (id <= prev || id > nn || id == NVME_NSID_ALL) {
			log_err("active namespace list entry %u is NSID %u after %u, NN %u "
				"(Base §5.2.13.2.2)",
				i, id, prev, nn);
			return -EPROTO;
		}
		prev = id;
	}
	*nsid = first;
	return 0;
}

int nvme_identify_ns_check(const struct nvme_id_ns *id, struct nvme_ctrlr_info *info)
{
	unsigned idx = NVME_NS_FLBAS_INDEX(id->flbas) | (id->flbas >> 5 & 3u) << 4;
	const struct nvme_lbaf *f;

	/* NVM CS §4.1.5.1: FLBAS names one of the NLBAF + 1 formats */
	if (idx > id->nlbaf || idx >= 64) {
		log_err("Identify Namespace FLBAS index %u past NLBAF %u (NVM CS §4.1.5.1)", idx,
			id->nlbaf);
		return -EPROTO;
	}
	f = &id->lbaf[idx];
	/* NVM CS §4.1.5.1 LBADS: a power of two, less than 9 not supported */
	if (f->lbads < 9 || f->lbads > 16) {
		log_err("Identify Namespace LBADS %u out of 9 .. 16 (NVM CS §4.1.5.1)", f->lbads);
		return f->lbads < 9 ? -EPROTO : -EOPNOTSUPP;
	}
	if (le16toh(f->ms)) {
		log_err("Identify Namespace format %u has %u metadata bytes: not supported", idx,
			le16toh(f->ms));
		return -EOPNOTSUPP;
	}
	if (le64toh(id->nsze) == 0 || le64toh(id->nsze) > UINT64_MAX >> f->lbads) {
		log_err("Identify Namespace NSZE %llu is out of range (NVM CS §4.1.5.1)",
			(unsigned long long)le64toh(id->nsze));
		return -EPROTO;
	}
	info->block_size = 1u << f->lbads;
	info->num_blocks = le64toh(id->nsze);
	return 0;
}
