/* SPDX-License-Identifier: MIT */
/*
 * Get Features and Set Features (NVMe Base 2.1 §5.2.11, §5.2.26). See
 * nvmf_feat.h.
 */
#define LOG_COMPONENT "nvmf"

#include "nvmf/nvmf_feat.h"

#include <endian.h>
#include <stddef.h>
#include <string.h>

#include "nvmf/nvmf_admin.h"
#include "nvmf/nvmf_ctrlr.h"
#include "util/common.h"
#include "util/log.h"

/* Get Features CDW10 SEL 10:8 (Base §5.2.11 Figure 191) */
#define SEL_CURRENT 0
#define SEL_DEFAULT 1
#define SEL_SAVED   2
#define SEL_CAPS    3
/* Dword 0 for SEL 011b: bit 0 saveable, 1 namespace specific, 2 changeable */
#define CAPS_CHANGEABLE (1u << 2)
/* Set Features CDW10 SV (bit 31) */
#define SET_SV (1u << 31)
/* The AEC bits we keep: SMART / Health critical warnings 7:0 (never
 * raised here) and Namespace Attribute Notices. */
#define AEC_SUPPORTED (0xffu | NVMF_AEC_NS_ATTR)
/* Timestamp data (Base §5.2.26.1.11): 6 bytes of milliseconds, then the
 * attributes: Timestamp Origin 3:1 001b once the host set it. */
#define TS_LEN	      8
#define TS_MS_MASK    0xffffffffffffULL
#define TS_ORIGIN_SET (1u << 1)

void nvmf_feat_reset(struct nvmf_feats *f, const struct nvmf_ctrlr_props *props)
{
	memset(f, 0, sizeof(*f));
	f->nsqa = (uint16_t)(props->max_io_queues - 1);
	f->ncqa = f->nsqa;
	f->wce = props->volatile_write_cache;
}

bool nvmf_feat_wce(const struct nvmf_ctrlr *c)
{
	return __atomic_load_n(&c->feat.wce, __ATOMIC_RELAXED);
}

bool nvmf_feat_coalescing(const struct nvmf_ctrlr *c, uint16_t iv, unsigned *thr,
			  unsigned *delay_us)
{
	uint32_t v = __atomic_load_n(&c->feat.irq_coalescing, __ATOMIC_RELAXED);
	uint32_t cd =
	    iv < NVMF_MAX_VECTORS
		? __atomic_load_n(&c->feat.iv_cd[iv / 32], __ATOMIC_RELAXED) >> (iv % 32) & 1
		: 0;

	*thr = (v & 0xff) + 1;		   /* 0's based */
	*delay_us = (v >> 8 & 0xff) * 100; /* 100 µs units */
	/* THR 0 is reached at every completion, TIME 0 is "no delay". */
	return !cd && *thr > 1 && *delay_us;
}

static uint64_t now_ms(const struct nvmf_ctrlr *c)
{
	return c->now_ms ? c->now_ms(c->now_arg) : 0;
}

static void invalid_field(struct nvmf_ctrlr *c, struct nvmf_cpl *cpl, const char *why, uint32_t v)
{
	nvmf_admin_refuse(c, cpl, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD,
			  "NVMe Base 2.1 §5.2.26: %s (0x%x)", why, v);
}

/* One feature: present unless present() says no; either a dword of
 * struct nvmf_feats (field, the CDW11 bits kept: mask) or get/set. */
struct feat_ops {
	bool (*present)(const struct nvmf_ctrlr *c);
	size_t field;
	uint32_t mask;
	void (*get)(struct nvmf_ctrlr *c, const struct nvmf_feats *f, const struct nvme_sqe *sqe,
		    struct nvmf_cpl *cpl);
	void (*set)(struct nvmf_ctrlr *c, uint32_t cdw11, const struct nvme_sqe *sqe,
		    struct nvmf_cpl *cpl);
};

static uint32_t *feat_field(const struct nvmf_feats *f, const struct feat_ops *ops)
{
	return (uint32_t *)((uintptr_t)f + ops->field);
}

/* Volatile Write Cache (06h) exists only with a cache (Identify VWC). */
static bool has_vwc(const struct nvmf_ctrlr *c)
{
	return c->props->volatile_write_cache;
}

/* ---- Number of Queues (07h): Base §5.2.26.1.7 ---- */

static void get_num_queues(struct nvmf_ctrlr *c, const struct nvmf_feats *f,
			   const struct nvme_sqe *sqe, struct nvmf_cpl *cpl)
{
	(void)c;
	(void)sqe;
	cpl->cdw0 = (uint32_t)f->ncqa << 16 | f->nsqa;
}

static bool io_queues_exist(const struct nvmf_ctrlr *c)
{
	for (unsigned q = 1; q <= c->props->max_io_queues; q++)
		if (c->sq[q].ring || c->cq[q].ring)
			return true;
	return false;
}

static void set_num_queues(struct nvmf_ctrlr *c, uint32_t cdw11, const struct nvme_sqe *sqe,
			   struct nvmf_cpl *cpl)
{
	uint16_t nsqr = (uint16_t)cdw11, ncqr = (uint16_t)(cdw11 >> 16);
	uint16_t max = (uint16_t)(c->props->max_io_queues - 1);

	/* "A value of 65,535 is invalid": Invalid Field in Command. */
	if (nsqr == 0xffff || ncqr == 0xffff) {
		invalid_field(c, cpl, "Number of Queues asks for 65536 queues", cdw11);
		return;
	}
	/* "If a Set Features command is issued for this feature after
	 * creation of any I/O Submission and/or I/O Completion Queues, then
	 * the Set Features command shall abort with status code of Command
	 * Sequence Error." */
	if (io_queues_exist(c)) {
		nvmf_admin_refuse(c, cpl, NVME_SCT_GENERIC, NVME_SC_COMMAND_SEQUENCE_ERROR,
				  "NVMe Base 2.1 §5.2.26.1.7: Number of Queues set after I/O"
				  " queues were created");
		return;
	}
	c->feat.nsqa = MIN(nsqr, max);
	c->feat.ncqa = MIN(ncqr, max);
	get_num_queues(c, &c->feat, sqe, cpl);
}

/* ---- Interrupt Vector Configuration (09h) ---- */

static bool iv_ok(struct nvmf_ctrlr *c, uint32_t cdw11, struct nvmf_cpl *cpl)
{
	if ((cdw11 & 0xffff) < c->props->msix_vectors)
		return true;
	invalid_field(c, cpl, "Interrupt Vector Configuration of a vector we do not have",
		      cdw11 & 0xffff);
	return false;
}

static void get_iv_config(struct nvmf_ctrlr *c, const struct nvmf_feats *f,
			  const struct nvme_sqe *sqe, struct nvmf_cpl *cpl)
{
	uint32_t cdw11 = le32toh(sqe->cdw11), iv = cdw11 & 0xffff;

	if (iv_ok(c, cdw11, cpl))
		cpl->cdw0 = iv | (f->iv_cd[iv / 32] >> (iv % 32) & 1) << 16;
}

static void set_iv_config(struct nvmf_ctrlr *c, uint32_t cdw11, const struct nvme_sqe *sqe,
			  struct nvmf_cpl *cpl)
{
	uint32_t iv = cdw11 & 0xffff;

	(void)sqe;
	if (!iv_ok(c, cdw11, cpl))
		return;
	/* One store: the reactors read it (nvmf_feat_coalescing). */
	__atomic_store_n(&c->feat.iv_cd[iv / 32],
			 (c->feat.iv_cd[iv / 32] & ~(1u << (iv % 32))) | (cdw11 >> 16 & 1)
									     << (iv % 32),
			 __ATOMIC_RELAXED);
}

/* ---- Timestamp (0Eh): Base §5.2.26.1.11, 8 bytes of data ---- */

static void get_timestamp(struct nvmf_ctrlr *c, const struct nvmf_feats *f,
			  const struct nvme_sqe *sqe, struct nvmf_cpl *cpl)
{
	uint64_t ts = htole64(((f->ts_offset + now_ms(c)) & TS_MS_MASK) |
			      (uint64_t)(f->ts_set ? TS_ORIGIN_SET : 0) << 48);

	nvmf_admin_data(c, sqe, &ts, TS_LEN, true, cpl);
}

static void set_timestamp(struct nvmf_ctrlr *c, uint32_t cdw11, const struct nvme_sqe *sqe,
			  struct nvmf_cpl *cpl)
{
	uint64_t ts;

	(void)cdw11;
	if (nvmf_admin_data(c, sqe, &ts, TS_LEN, false, cpl))
		return;
	c->feat.ts_offset = (le64toh(ts) & TS_MS_MASK) - now_ms(c);
	c->feat.ts_set = true;
}

/* Interrupt Coalescing is kept and reported; we interrupt per completion,
 * which its limits allow (Base §5.2.26.1.8). */
static const struct feat_ops g_feat[256] = {
    [NVME_FEAT_ARBITRATION] = {.field = offsetof(struct nvmf_feats, arbitration),
			       .mask = 0xffffffff},
    [NVME_FEAT_VOLATILE_WC] = {.present = has_vwc,
			       .field = offsetof(struct nvmf_feats, wce),
			       .mask = 1},
    [NVME_FEAT_NUM_QUEUES] = {.get = get_num_queues, .set = set_num_queues},
    [NVME_FEAT_IRQ_COALESCING] = {.field = offsetof(struct nvmf_feats, irq_coalescing),
				  .mask = 0xffff},
    [NVME_FEAT_IRQ_VECTOR_CONFIG] = {.get = get_iv_config, .set = set_iv_config},
    [NVME_FEAT_ASYNC_EVENT_CONFIG] = {.field = offsetof(struct nvmf_feats, aec),
				      .mask = AEC_SUPPORTED},
    [NVME_FEAT_TIMESTAMP] = {.get = get_timestamp, .set = set_timestamp},
};

/* The feature the command names, or NULL (refused: Invalid Field in
 * Command, as for a feature the controller does not implement). */
static const struct feat_ops *feat_of(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe,
				      struct nvmf_cpl *cpl)
{
	uint8_t fid = (uint8_t)le32toh(sqe->cdw10);
	const struct feat_ops *ops = &g_feat[fid];

	if ((ops->get || ops->mask) && (!ops->present || ops->present(c)))
		return ops;
	invalid_field(c, cpl, "feature identifier not supported", fid);
	return NULL;
}

static void feat_get(struct nvmf_ctrlr *c, const struct feat_ops *ops, const struct nvmf_feats *f,
		     const struct nvme_sqe *sqe, struct nvmf_cpl *cpl)
{
	if (ops->get)
		ops->get(c, f, sqe, cpl);
	else
		cpl->cdw0 = *feat_field(f, ops);
}

void nvmf_feat_get(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe, struct nvmf_cpl *cpl)
{
	const struct feat_ops *ops = feat_of(c, sqe, cpl);
	unsigned sel = (le32toh(sqe->cdw10) >> 8) & 7;
	struct nvmf_feats dflt;

	if (!ops)
		return;
	switch (sel) {
	case SEL_CURRENT:
		feat_get(c, ops, &c->feat, sqe, cpl);
		return;
	case SEL_DEFAULT:
	case SEL_SAVED: /* nothing is saveable: the saved value is the default */
		nvmf_feat_reset(&dflt, c->props);
		feat_get(c, ops, &dflt, sqe, cpl);
		return;
	case SEL_CAPS:
		cpl->cdw0 = CAPS_CHANGEABLE;
		return;
	}
	invalid_field(c, cpl, "Get Features SEL is reserved", sel);
}

void nvmf_feat_set(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe, struct nvmf_cpl *cpl)
{
	const struct feat_ops *ops = feat_of(c, sqe, cpl);

	if (!ops)
		return;
	/* Base §5.2.26: SV set for a feature that is not saveable: Feature
	 * Identifier Not Saveable. */
	if (le32toh(sqe->cdw10) & SET_SV) {
		nvmf_admin_refuse(c, cpl, NVME_SCT_CMD_SPECIFIC, NVME_SC_FEATURE_NOT_SAVEABLE,
				  "NVMe Base 2.1 §5.2.26: Set Features SV for feature 0x%02x, which"
				  " is not saveable",
				  (uint8_t)le32toh(sqe->cdw10));
		return;
	}
	if (ops->set)
		ops->set(c, le32toh(sqe->cdw11), sqe, cpl);
	else
		__atomic_store_n(feat_field(&c->feat, ops), le32toh(sqe->cdw11) & ops->mask,
				 __ATOMIC_RELAXED);
}
