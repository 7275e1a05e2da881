/* SPDX-License-Identifier: MIT */
/*
 * NVMe suite: Identify and the admin opcodes (NVME-ADM-ID, NVME-ADM-OPC),
 * Base §5.1.13 and §5: each CNS with the NSIDs it takes and those it
 * refuses, the active namespace list's order and start, and an opcode the
 * controller does not have.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "conformance/suite_nvme.h"
#include "util/common.h"

/* A reserved CNS value (Base §5.1.13.1 lists none this high). */
#define CNS_RESERVED 0xff
/* A reserved admin opcode (Base §5 Figure "Opcodes for Admin Commands"). */
#define OPC_RESERVED 0x03
/* NVM Command Set: 64-byte SQ and 16-byte CQ entries, as log2. */
#define SQES_NVM 6
#define CQES_NVM 4

static struct nvme_sqe id_sqe(struct conform_nvme *dev, uint8_t cns, uint32_t nsid)
{
	uint64_t bus = 0;

	conform_nvme_buf(dev, NVME_IDENTIFY_DATA_SIZE, 0, &bus);
	return (struct nvme_sqe){
	    .opc = NVME_ADM_IDENTIFY,
	    .nsid = htole32(nsid),
	    .dptr.prp.prp1 = htole64(bus),
	    .cdw10 = htole32(cns),
	};
}

/* An Identify that must end with want. */
static enum conform_verdict id_expect(struct conform_ctx *ctx, uint8_t cns, uint32_t nsid,
				      uint16_t want, const char *what)
{
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	enum conform_verdict v;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	sqe = id_sqe(dev, cns, nsid);
	v = nvme_adm_check(ctx, dev, &sqe, want, what);
	conform_nvme_close(dev);
	return v;
}

enum conform_verdict nvme_adm_id_ctrl(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	uint8_t sqes, cqes;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up (Identify Controller) failed");
	sqes = dev->id_ctrl->sqes;
	cqes = dev->id_ctrl->cqes;
	conform_nvme_close(dev);
	if ((sqes & 0xf) > SQES_NVM || sqes >> 4 < SQES_NVM || (cqes & 0xf) > CQES_NVM ||
	    cqes >> 4 < CQES_NVM)
		return conform_fail(ctx,
				    "SQES %#x / CQES %#x do not admit 64-byte SQ and "
				    "16-byte CQ entries",
				    sqes, cqes);
	return CONFORM_PASS;
}

enum conform_verdict nvme_adm_id_bad_cns(struct conform_ctx *ctx)
{
	return id_expect(ctx, CNS_RESERVED, 0, NVME_ST_GEN(INVALID_FIELD), "Identify CNS FFh");
}

enum conform_verdict nvme_adm_id_ns_zero(struct conform_ctx *ctx)
{
	return id_expect(ctx, NVME_IDENTIFY_NS, 0, NVME_ST_GEN(INVALID_NS_OR_FORMAT),
			 "Identify Namespace of NSID 0");
}

/* NN + 1: not a valid NSID (N/A when NN leaves no room below FFFFFFFEh). */
static int nsid_over(struct conform_ctx *ctx, uint32_t *nsid)
{
	struct conform_nvme *dev;
	uint32_t nn;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return -EIO;
	nn = le32toh(dev->id_ctrl->nn);
	conform_nvme_close(dev);
	*nsid = nn + 1;
	return nn >= NVME_NSID_ALL - 2 ? -ENOTSUP : 0;
}

enum conform_verdict nvme_adm_id_ns_over_nn(struct conform_ctx *ctx)
{
	uint32_t nsid;
	int ret = nsid_over(ctx, &nsid);

	if (ret)
		return ret == -ENOTSUP ? conform_not_applicable(ctx, "NN leaves no invalid NSID")
				       : conform_error(ctx, "controller bring-up failed");
	return id_expect(ctx, NVME_IDENTIFY_NS, nsid, NVME_ST_GEN(INVALID_NS_OR_FORMAT),
			 "Identify Namespace of NSID NN + 1");
}

enum conform_verdict nvme_adm_id_descs_inactive(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	uint32_t nsid;
	int ret = nsid_over(ctx, &nsid);

	if (ret)
		return ret == -ENOTSUP ? conform_not_applicable(ctx, "NN leaves no invalid NSID")
				       : conform_error(ctx, "controller bring-up failed");
	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	sqe = id_sqe(dev, NVME_IDENTIFY_NS_DESC_LIST, nsid);
	ret = conform_nvme_admin(dev, &sqe, &cqe);
	conform_nvme_close(dev);
	if (ret)
		return conform_fail(ctx, "Identify CNS 03h: %s", strerror(-ret));
	return nvme_expect_either(ctx, &cqe, NVME_ST_GEN(INVALID_NS_OR_FORMAT),
				  NVME_ST_GEN(INVALID_FIELD), "Identify CNS 03h of NSID NN + 1");
}

/* The active namespace list from start: 0 with *list. */
static int ns_list(struct conform_nvme *dev, uint32_t start, const uint32_t **list)
{
	void *data;
	int ret = conform_nvme_identify(dev, NVME_IDENTIFY_ACTIVE_NS_LIST, start, 0, &data, NULL);

	*list = data;
	return ret;
}

enum conform_verdict nvme_adm_id_list_order(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	const uint32_t *list;
	uint32_t nn, prev = 0, id;
	int ret;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	nn = le32toh(dev->id_ctrl->nn);
	ret = ns_list(dev, 0, &list);
	for (unsigned i = 0; ret == 0 && i < NVME_IDENTIFY_NS_LIST_MAX; i++) {
		id = le32toh(list[i]);
		if (id == 0)
			break;
		if (id <= prev || id > nn) {
			conform_nvme_close(dev);
			return conform_fail(ctx,
					    "entry %u is NSID %u after %u (NN %u): not an "
					    "increasing list of valid NSIDs",
					    i, id, prev, nn);
		}
		prev = id;
	}
	conform_nvme_close(dev);
	return ret ? conform_fail(ctx, "Identify CNS 02h: %s", strerror(-ret)) : CONFORM_PASS;
}

enum conform_verdict nvme_adm_id_list_start(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	const uint32_t *list;
	uint32_t start, first;
	int ret;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	start = dev->nsid;
	if (!start) {
		conform_nvme_close(dev);
		return conform_not_applicable(ctx, "no active namespace");
	}
	ret = ns_list(dev, start, &list);
	first = ret ? 0 : le32toh(list[0]);
	conform_nvme_close(dev);
	if (ret)
		return conform_fail(ctx, "Identify CNS 02h from NSID %u: %s", start,
				    strerror(-ret));
	if (first != 0 && first <= start)
		return conform_fail(ctx, "the list from NSID %u starts with NSID %u", start, first);
	return CONFORM_PASS;
}

enum conform_verdict nvme_adm_id_list_bad_nsid(struct conform_ctx *ctx)
{
	enum conform_verdict v =
	    id_expect(ctx, NVME_IDENTIFY_ACTIVE_NS_LIST, NVME_NSID_ALL,
		      NVME_ST_GEN(INVALID_NS_OR_FORMAT), "Identify CNS 02h from NSID FFFFFFFFh");

	if (v != CONFORM_PASS)
		return v;
	return id_expect(ctx, NVME_IDENTIFY_ACTIVE_NS_LIST, NVME_NSID_ALL - 1,
			 NVME_ST_GEN(INVALID_NS_OR_FORMAT), "Identify CNS 02h from NSID FFFFFFFEh");
}

/* Whether id is in the active list's first page. */
static bool listed(uint32_t id, const uint32_t *list)
{
	for (unsigned i = 0; i < NVME_IDENTIFY_NS_LIST_MAX && list[i]; i++)
		if (le32toh(list[i]) == id)
			return true;
	return false;
}

/* An NSID in 1..NN the active list does not have, 0 if none: NN itself
 * when the list names every active NSID (it does not fill its page) and
 * NN is not one, so that an NN above the NSIDs the controller takes shows;
 * else the first. */
static uint32_t inactive_nsid(uint32_t nn, const uint32_t *list)
{
	unsigned i = 0;

	if (nn && nn < NVME_NSID_ALL - 1 && !list[NVME_IDENTIFY_NS_LIST_MAX - 1] &&
	    !listed(nn, list))
		return nn;
	for (uint32_t id = 1; id <= nn && id < NVME_NSID_ALL - 1; id++) {
		while (i < NVME_IDENTIFY_NS_LIST_MAX && list[i] && le32toh(list[i]) < id)
			i++;
		if (i == NVME_IDENTIFY_NS_LIST_MAX || le32toh(list[i]) != id)
			return id;
	}
	return 0;
}

enum conform_verdict nvme_adm_id_ns_inactive(struct conform_ctx *ctx)
{
	static const uint8_t zero[NVME_IDENTIFY_DATA_SIZE];
	struct conform_nvme *dev;
	const uint32_t *list;
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	uint32_t nsid = 0;
	uint8_t *data;
	int ret;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	ret = ns_list(dev, 0, &list);
	if (ret == 0)
		nsid = inactive_nsid(le32toh(dev->id_ctrl->nn), list);
	if (ret || !nsid) {
		conform_nvme_close(dev);
		return ret ? conform_fail(ctx, "Identify CNS 02h: %s", strerror(-ret))
			   : conform_not_applicable(ctx, "every NSID from 1 to NN is active");
	}
	/* filled, so that a structure never transferred does not pass */
	sqe = id_sqe(dev, NVME_IDENTIFY_NS, nsid);
	data = conform_nvme_at(dev, le64toh(sqe.dptr.prp.prp1), NVME_IDENTIFY_DATA_SIZE);
	memset(data, 0xee, NVME_IDENTIFY_DATA_SIZE);
	ret = conform_nvme_admin(dev, &sqe, &cqe);
	if (ret == 0 && conform_nvme_status(&cqe) == NVME_ST_OK && memcmp(data, zero, sizeof(zero)))
		ret = -EBADMSG;
	conform_nvme_close(dev);
	if (ret == -EBADMSG)
		return conform_fail(ctx, "Identify Namespace of inactive NSID %u is not all zero",
				    nsid);
	if (ret)
		return conform_fail(ctx, "Identify of inactive NSID %u: %s", nsid, strerror(-ret));
	return conform_nvme_expect(ctx, &cqe, NVME_ST_OK, "Identify Namespace of an inactive NSID");
}

/* Base §5.1.13.2.3 descriptor lengths by NIDT (EUI-64, NGUID, UUID, CSI). */
static const uint8_t g_nidl[] = {
    [NVME_NIDT_EUI64] = 8, [NVME_NIDT_NGUID] = 16, [NVME_NIDT_UUID] = 16, [NVME_NIDT_CSI] = 1};

/* The descriptor list: each known type with its length, inside the 4 KiB. */
static bool descs_ok(struct conform_ctx *ctx, const uint8_t *d)
{
	unsigned at = 0, n = 0;

	while (at + sizeof(struct nvme_ns_id_desc) <= NVME_IDENTIFY_DATA_SIZE && d[at]) {
		const struct nvme_ns_id_desc *h = (const void *)(d + at);

		if (h->nidt >= ARRAY_SIZE(g_nidl) || !g_nidl[h->nidt] ||
		    h->nidl != g_nidl[h->nidt]) {
			conform_note(ctx, "descriptor at %u: NIDT %u with NIDL %u", at, h->nidt,
				     h->nidl);
			return false;
		}
		at += sizeof(*h) + h->nidl;
		n++;
	}
	conform_note(ctx, "%u descriptors", n);
	return n > 0 && at <= NVME_IDENTIFY_DATA_SIZE;
}

enum conform_verdict nvme_adm_id_descs(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	void *data;
	bool ok;
	int ret;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	if (!dev->nsid) {
		conform_nvme_close(dev);
		return conform_not_applicable(ctx, "no active namespace");
	}
	ret = conform_nvme_identify(dev, NVME_IDENTIFY_NS_DESC_LIST, dev->nsid, 0, &data, NULL);
	ok = ret == 0 && descs_ok(ctx, data);
	conform_nvme_close(dev);
	if (ret)
		return conform_fail(ctx, "Identify CNS 03h of an active NSID: %s", strerror(-ret));
	return ok ? CONFORM_PASS
		  : conform_fail(ctx, "the Namespace Identification Descriptor list is malformed "
				      "or empty");
}

static struct nvme_sqe reserved_opcode(struct conform_nvme *dev)
{
	(void)dev;
	return (struct nvme_sqe){.opc = OPC_RESERVED};
}

enum conform_verdict nvme_adm_bad_opcode(struct conform_ctx *ctx)
{
	return nvme_adm_one(ctx, CONFORM_NVME_ENABLED, reserved_opcode, NVME_ST_GEN(INVALID_OPCODE),
			    "admin opcode 03h (reserved)");
}
