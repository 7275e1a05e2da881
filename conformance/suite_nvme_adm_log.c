/* SPDX-License-Identifier: MIT */
/*
 * NVMe suite: Get Log Page (NVME-ADM-LOG), Base §5.1.12: the pages every
 * controller keeps, what they say, a page the controller does not have,
 * and the offset rules.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "conformance/suite_nvme.h"
#include "util/common.h"

#define SMART_LEN   512
#define FW_SLOT_LEN 512
#define ENTRY_LEN   64 /* an Error Information entry */
/* Firmware Slot Information: AFI at byte 0, FRS1..FRS7 of 8 bytes from 8. */
#define FW_AFI_SLOT(afi) ((afi)&0x7u)
#define FW_FRS_OFF(slot) (8u + 8u * ((slot)-1u))
/* Commands Supported and Effects: one dword per admin opcode from 0. */
#define CSE_LEN 4096
/* LIDs that Base 2.1 leaves reserved, tried in turn. */
static const uint8_t g_reserved_lids[] = {0x6f, 0x6e, 0x60};

/* A controller, one Get Log Page: 0 with the status noted in *cqe and the
 * data in *data, or a negative errno. */
static int log_read(struct conform_nvme *dev, const struct nvme_log_args *a, const uint8_t **data,
		    struct nvme_cqe *cqe)
{
	void *buf;
	int ret = nvme_adm_get_log(dev, a, &buf, cqe);

	*data = buf;
	return ret;
}

/* One Get Log Page that must succeed. */
static enum conform_verdict log_ok(struct conform_ctx *ctx, struct conform_nvme *dev,
				   const struct nvme_log_args *a, const uint8_t **data,
				   const char *what)
{
	struct nvme_cqe cqe;
	int ret = log_read(dev, a, data, &cqe);

	if (ret)
		return conform_fail(ctx, "%s: %s", what, strerror(-ret));
	return conform_nvme_expect(ctx, &cqe, NVME_ST_OK, what);
}

/* A controller, then log_ok() of a: the verdict; N/A with the reason
 * lacks() gives (NULL: none) for the controller's Identify data. */
static enum conform_verdict log_one(struct conform_ctx *ctx, const struct nvme_log_args *a,
				    const char *what,
				    const char *(*lacks)(const struct nvme_id_ctrl *id))
{
	struct conform_nvme *dev;
	const uint8_t *data;
	const char *why;
	enum conform_verdict v;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	why = lacks ? lacks(dev->id_ctrl) : NULL;
	v = why ? conform_not_applicable(ctx, "%s", why) : log_ok(ctx, dev, a, &data, what);
	conform_nvme_close(dev);
	return v;
}

enum conform_verdict nvme_log_error(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	const uint8_t *data;
	enum conform_verdict v;
	uint32_t len;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	len = MIN((dev->id_ctrl->elpe + 1u) * ENTRY_LEN, 4096u);
	v = log_ok(ctx, dev, &(struct nvme_log_args){.lid = NVME_LOG_ERROR, .len = len}, &data,
		   "Get Log Page Error Information (ELPE + 1 entries)");
	conform_nvme_close(dev);
	return v;
}

enum conform_verdict nvme_log_smart(struct conform_ctx *ctx)
{
	return log_one(
	    ctx,
	    &(struct nvme_log_args){.lid = NVME_LOG_SMART, .nsid = NVME_NSID_ALL, .len = SMART_LEN},
	    "Get Log Page SMART / Health Information of NSID FFFFFFFFh", NULL);
}

enum conform_verdict nvme_log_fw_slot(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	const uint8_t *data;
	enum conform_verdict v;
	unsigned slot;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	v = log_ok(ctx, dev, &(struct nvme_log_args){.lid = NVME_LOG_FW_SLOT, .len = FW_SLOT_LEN},
		   &data, "Get Log Page Firmware Slot Information");
	slot = v == CONFORM_PASS ? FW_AFI_SLOT(data[0]) : 0;
	if (v == CONFORM_PASS && slot == 0)
		v = conform_fail(ctx, "AFI %#x names no active slot", data[0]);
	if (v == CONFORM_PASS && memcmp(data + FW_FRS_OFF(slot), dev->id_ctrl->fr, 8))
		v = conform_fail(ctx, "slot %u's revision %.8s differs from Identify FR %.8s", slot,
				 (const char *)data + FW_FRS_OFF(slot), dev->id_ctrl->fr);
	conform_nvme_close(dev);
	return v;
}

static const char *lacks_ns_attr(const struct nvme_id_ctrl *id)
{
	return le32toh(id->oaes) & NVME_CTRL_OAES_NS_ATTR
		   ? NULL
		   : "OAES bit 8 (Namespace Attribute Notices) is clear";
}

enum conform_verdict nvme_log_changed_ns(struct conform_ctx *ctx)
{
	return log_one(ctx, &(struct nvme_log_args){.lid = NVME_LOG_CHANGED_NS, .len = 4096},
		       "Get Log Page Changed Namespace List", lacks_ns_attr);
}

/* The admin commands every I/O controller over PCIe has (Base §5). */
static const uint8_t g_mandatory_admin[] = {NVME_ADM_DELETE_SQ,	   NVME_ADM_CREATE_SQ,
					    NVME_ADM_GET_LOG_PAGE, NVME_ADM_DELETE_CQ,
					    NVME_ADM_CREATE_CQ,	   NVME_ADM_IDENTIFY,
					    NVME_ADM_ABORT,	   NVME_ADM_SET_FEATURES,
					    NVME_ADM_GET_FEATURES, NVME_ADM_ASYNC_EVENT_REQUEST};

enum conform_verdict nvme_log_effects(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	const uint8_t *data;
	enum conform_verdict v;
	uint32_t e;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	if (!(dev->id_ctrl->lpa & NVME_CTRL_LPA_CMD_EFFECTS)) {
		conform_nvme_close(dev);
		return conform_not_applicable(ctx, "LPA bit 1 (Commands Supported and Effects) is "
						   "clear");
	}
	v = log_ok(ctx, dev, &(struct nvme_log_args){.lid = NVME_LOG_CMD_EFFECTS, .len = CSE_LEN},
		   &data, "Get Log Page Commands Supported and Effects");
	for (unsigned i = 0; v == CONFORM_PASS && i < ARRAY_SIZE(g_mandatory_admin); i++) {
		memcpy(&e, data + 4u * g_mandatory_admin[i], sizeof(e));
		if (!(le32toh(e) & NVME_CMD_EFFECTS_CSUPP))
			v = conform_fail(ctx, "admin opcode %02xh is not marked supported",
					 g_mandatory_admin[i]);
	}
	conform_nvme_close(dev);
	return v;
}

/* A reserved LID the Supported Log Pages page (if any) does not list. */
static uint8_t unsupported_lid(struct conform_nvme *dev)
{
	const uint8_t *data;
	struct nvme_cqe cqe;
	uint32_t e;
	int ret = log_read(dev, &(struct nvme_log_args){.lid = NVME_LOG_SUPPORTED, .len = 1024},
			   &data, &cqe);

	for (unsigned i = 0; i < ARRAY_SIZE(g_reserved_lids); i++) {
		if (ret || conform_nvme_status(&cqe) != NVME_ST_OK)
			return g_reserved_lids[i];
		memcpy(&e, data + 4u * g_reserved_lids[i], sizeof(e));
		if (!(le32toh(e) & NVME_LOG_LSUPP))
			return g_reserved_lids[i];
	}
	return 0;
}

enum conform_verdict nvme_log_bad_lid(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	const uint8_t *data;
	struct nvme_cqe cqe;
	uint8_t lid;
	int ret;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	lid = unsupported_lid(dev);
	ret = lid ? log_read(dev, &(struct nvme_log_args){.lid = lid, .len = 512}, &data, &cqe) : 0;
	conform_nvme_close(dev);
	if (!lid)
		return conform_not_applicable(ctx, "every reserved LID tried is listed supported");
	if (ret)
		return conform_fail(ctx, "Get Log Page of LID %02xh: %s", lid, strerror(-ret));
	return conform_nvme_expect(ctx, &cqe, NVME_ST_CMD(INVALID_LOG_PAGE),
				   "Get Log Page of a reserved LID");
}

static struct nvme_sqe smart_past_end(struct conform_nvme *dev)
{
	uint64_t bus = 0;

	conform_nvme_buf(dev, 4096, 0, &bus);
	return (struct nvme_sqe){
	    .opc = NVME_ADM_GET_LOG_PAGE,
	    .nsid = htole32(NVME_NSID_ALL),
	    .dptr.prp.prp1 = htole64(bus),
	    .cdw10 = htole32(NVME_LOG_SMART), /* NUMD 0: one dword */
	    .cdw12 = htole32(4096),
	};
}

enum conform_verdict nvme_log_offset_past(struct conform_ctx *ctx)
{
	return nvme_adm_one(ctx, CONFORM_NVME_ENABLED, smart_past_end, NVME_ST_GEN(INVALID_FIELD),
			    "Get Log Page SMART / Health at offset 4096 (the page is 512 bytes)");
}

/* 64 bytes at offset 64 of Firmware Slot Information are the same bytes as
 * that part of the whole page. */
enum conform_verdict nvme_log_offset_part(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	const uint8_t *whole, *part;
	enum conform_verdict v;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	v = log_ok(ctx, dev, &(struct nvme_log_args){.lid = NVME_LOG_FW_SLOT, .len = FW_SLOT_LEN},
		   &whole, "Get Log Page Firmware Slot Information");
	if (v == CONFORM_PASS)
		v = log_ok(ctx, dev,
			   &(struct nvme_log_args){
			       .lid = NVME_LOG_FW_SLOT, .len = 64, .offset = FW_FRS_OFF(1)},
			   &part, "Get Log Page Firmware Slot Information at offset 8");
	if (v == CONFORM_PASS && memcmp(whole + FW_FRS_OFF(1), part, 64))
		v = conform_fail(ctx, "the part read at offset 8 differs from the whole page's");
	conform_nvme_close(dev);
	return v;
}

/* Base §5.1.12 LPOL: an offset with bits 1:0 set is refused (Invalid Field
 * in Command) or read as if they were clear. */
enum conform_verdict nvme_log_offset_unaligned(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	const uint8_t *aligned, *odd;
	struct nvme_cqe cqe;
	enum conform_verdict v;
	int ret;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	v = log_ok(ctx, dev,
		   &(struct nvme_log_args){.lid = NVME_LOG_FW_SLOT, .len = 64, .offset = 8},
		   &aligned, "Get Log Page Firmware Slot Information at offset 8");
	ret = v == CONFORM_PASS ? log_read(dev,
					   &(struct nvme_log_args){
					       .lid = NVME_LOG_FW_SLOT, .len = 64, .offset = 10},
					   &odd, &cqe)
				: 0;
	if (v == CONFORM_PASS && ret)
		v = conform_fail(ctx, "Get Log Page at offset 10: %s", strerror(-ret));
	if (v == CONFORM_PASS && conform_nvme_status(&cqe) == NVME_ST_OK &&
	    memcmp(aligned, odd, 64))
		v = conform_fail(ctx, "offset 10 was read neither as 8 nor refused");
	else if (v == CONFORM_PASS)
		v = nvme_expect_either(ctx, &cqe, NVME_ST_GEN(INVALID_FIELD), NVME_ST_OK,
				       "Get Log Page at offset 10 (bits 1:0 set)");
	conform_nvme_close(dev);
	return v;
}
