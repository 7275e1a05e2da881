/* SPDX-License-Identifier: MIT */
/*
 * NVMe suite: Get Features and Set Features (NVME-ADM-FEAT), Base §5.1.11
 * and §5.1.25: Number of Queues and its limits, values a Set Features
 * stores and a Get Features returns, and a feature that does not exist.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "conformance/suite_nvme.h"
#include "util/common.h"

/* Number of Queues CDW11: NSQR 15:0, NCQR 31:16, 0's based. */
#define NQ_65536 0xffffffffu
/* Arbitration Burst (Arbitration CDW11 2:0). */
#define ARB_AB_MASK 0x7u
/* Interrupt Coalescing: threshold 5, time 2 (100 us units). */
#define IRQ_COALESCING 0x0205u
/* Timestamp data: 48 bits of milliseconds, Timestamp Origin in 3:1 of
 * byte 6 (001b: set by a host). */
#define TS_LEN	      8
#define TS_MS_MASK    0xffffffffffffULL
#define TS_ORIGIN(ts) ((unsigned)((ts) >> 49) & 0x7u)
#define TS_SLACK_MS   60000u

/* Set Features fid to cdw11 (must succeed), then Get Features (current)
 * must answer want in Dword 0 (masked by mask). */
static enum conform_verdict round_trip(struct conform_ctx *ctx, struct conform_nvme *dev,
				       uint8_t fid, uint32_t cdw11, uint32_t mask)
{
	struct nvme_cqe cqe;
	enum conform_verdict v;
	int ret = nvme_adm_set_feat(dev, fid, cdw11, &cqe);

	if (ret)
		return conform_fail(ctx, "Set Features %02xh: %s", fid, strerror(-ret));
	v = conform_nvme_expect(ctx, &cqe, NVME_ST_OK, "Set Features");
	if (v != CONFORM_PASS)
		return v;
	ret = nvme_adm_get_feat(dev, fid, &cqe);
	if (ret)
		return conform_fail(ctx, "Get Features %02xh: %s", fid, strerror(-ret));
	v = conform_nvme_expect(ctx, &cqe, NVME_ST_OK, "Get Features");
	if (v == CONFORM_PASS && (le32toh(cqe.cdw0) & mask) != (cdw11 & mask))
		return conform_fail(ctx, "feature %02xh set to %#x reads %#x", fid, cdw11 & mask,
				    le32toh(cqe.cdw0) & mask);
	return v;
}

/* A controller at stage, then round_trip() of each of n values. */
static enum conform_verdict round_trips(struct conform_ctx *ctx, uint8_t fid,
					const uint32_t *values, unsigned n, uint32_t mask)
{
	struct conform_nvme *dev;
	enum conform_verdict v = CONFORM_PASS;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	for (unsigned i = 0; i < n && v == CONFORM_PASS; i++)
		v = round_trip(ctx, dev, fid, values[i], mask);
	conform_nvme_close(dev);
	return v;
}

static struct nvme_sqe nq_65535(struct conform_nvme *dev)
{
	(void)dev;
	return (struct nvme_sqe){.opc = NVME_ADM_SET_FEATURES,
				 .cdw10 = htole32(NVME_FEAT_NUM_QUEUES),
				 .cdw11 = htole32(NQ_65536)};
}

enum conform_verdict nvme_feat_nq_65535(struct conform_ctx *ctx)
{
	return nvme_adm_one(ctx, CONFORM_NVME_ENABLED, nq_65535, NVME_ST_GEN(INVALID_FIELD),
			    "Set Features Number of Queues with NSQR and NCQR 65535");
}

static struct nvme_sqe nq_one(struct conform_nvme *dev)
{
	(void)dev;
	return (struct nvme_sqe){.opc = NVME_ADM_SET_FEATURES,
				 .cdw10 = htole32(NVME_FEAT_NUM_QUEUES)};
}

enum conform_verdict nvme_feat_nq_after_create(struct conform_ctx *ctx)
{
	return nvme_adm_one(ctx, CONFORM_NVME_IO, nq_one, NVME_ST_GEN(COMMAND_SEQUENCE_ERROR),
			    "Set Features Number of Queues after I/O queues were created");
}

/* Set Features Number of Queues (one of each) answers the allocation in
 * Dword 0, at least one of each, and Get Features answers the same. */
enum conform_verdict nvme_feat_nq_get(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_sqe sqe = nq_one(NULL);
	struct nvme_cqe set, get;
	int ret;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	ret = conform_nvme_admin(dev, &sqe, &set);
	if (ret == 0)
		ret = nvme_adm_get_feat(dev, NVME_FEAT_NUM_QUEUES, &get);
	conform_nvme_close(dev);
	if (ret)
		return conform_fail(ctx, "Set or Get Features Number of Queues: %s",
				    strerror(-ret));
	if (conform_nvme_status(&set) != NVME_ST_OK)
		return conform_nvme_expect(ctx, &set, NVME_ST_OK, "Set Features Number of Queues");
	if (conform_nvme_status(&get) != NVME_ST_OK)
		return conform_nvme_expect(ctx, &get, NVME_ST_OK, "Get Features Number of Queues");
	if (set.cdw0 != get.cdw0)
		return conform_fail(ctx, "Set Features answered %#x, Get Features %#x",
				    le32toh(set.cdw0), le32toh(get.cdw0));
	return CONFORM_PASS;
}

enum conform_verdict nvme_feat_arbitration(struct conform_ctx *ctx)
{
	static const uint32_t ab[] = {2, 7};

	return round_trips(ctx, NVME_FEAT_ARBITRATION, ab, ARRAY_SIZE(ab), ARB_AB_MASK);
}

enum conform_verdict nvme_feat_irq_coalescing(struct conform_ctx *ctx)
{
	static const uint32_t v[] = {IRQ_COALESCING, 0};

	return round_trips(ctx, NVME_FEAT_IRQ_COALESCING, v, ARRAY_SIZE(v), 0xffff);
}

/* A round trip that applies only when Identify Controller says so. */
static enum conform_verdict round_trips_if(struct conform_ctx *ctx, uint8_t fid, bool has,
					   const uint32_t *values, unsigned n, uint32_t mask)
{
	return has ? round_trips(ctx, fid, values, n, mask)
		   : conform_not_applicable(ctx,
					    "Identify Controller does not report feature "
					    "%02xh",
					    fid);
}

/* What Identify Controller says, for the cases that need a field of it. */
static int id_ctrl(struct conform_ctx *ctx, struct nvme_id_ctrl *id)
{
	struct conform_nvme *dev;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return -EIO;
	*id = *dev->id_ctrl;
	conform_nvme_close(dev);
	return 0;
}

enum conform_verdict nvme_feat_vwc(struct conform_ctx *ctx)
{
	static const uint32_t wce[] = {0, 1};
	struct nvme_id_ctrl id;

	if (id_ctrl(ctx, &id))
		return conform_error(ctx, "controller bring-up failed");
	return round_trips_if(ctx, NVME_FEAT_VOLATILE_WC, id.vwc & NVME_CTRL_VWC_PRESENT, wce,
			      ARRAY_SIZE(wce), 1);
}

enum conform_verdict nvme_feat_aec(struct conform_ctx *ctx)
{
	static const uint32_t aec[] = {NVME_CTRL_OAES_NS_ATTR, 0};
	struct nvme_id_ctrl id;

	if (id_ctrl(ctx, &id))
		return conform_error(ctx, "controller bring-up failed");
	return round_trips_if(ctx, NVME_FEAT_ASYNC_EVENT_CONFIG,
			      le32toh(id.oaes) & NVME_CTRL_OAES_NS_ATTR, aec, ARRAY_SIZE(aec),
			      NVME_CTRL_OAES_NS_ATTR);
}

/* Timestamp (0Eh) with its 8 bytes of data, in (set) or out. */
static int timestamp(struct conform_nvme *dev, bool set, uint64_t *ts, struct nvme_cqe *cqe)
{
	uint64_t bus;
	uint64_t *buf = conform_nvme_buf(dev, TS_LEN, 0, &bus);
	struct nvme_sqe sqe = {
	    .opc = set ? NVME_ADM_SET_FEATURES : NVME_ADM_GET_FEATURES,
	    .dptr.prp.prp1 = htole64(bus),
	    .cdw10 = htole32(NVME_FEAT_TIMESTAMP),
	};
	int ret;

	if (!buf)
		return -ENOMEM;
	*buf = htole64(*ts);
	ret = conform_nvme_admin(dev, &sqe, cqe);
	*ts = le64toh(*buf);
	return ret;
}

/* Set a timestamp, read it back: at least that, not far past it, origin
 * 001b. */
enum conform_verdict nvme_feat_timestamp(struct conform_ctx *ctx)
{
	const uint64_t t0 = 0x0123456789aULL;
	struct conform_nvme *dev;
	struct nvme_cqe cqe;
	enum conform_verdict v;
	uint64_t ts = t0;
	int ret;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	if (!(le16toh(dev->id_ctrl->oncs) & NVME_CTRL_ONCS_TIMESTAMP)) {
		conform_nvme_close(dev);
		return conform_not_applicable(ctx, "ONCS bit 6 (Timestamp) is clear");
	}
	ret = timestamp(dev, true, &ts, &cqe);
	v = ret ? CONFORM_FAIL : conform_nvme_expect(ctx, &cqe, NVME_ST_OK, "Set Timestamp");
	if (v == CONFORM_PASS) {
		ts = 0;
		ret = timestamp(dev, false, &ts, &cqe);
		v = ret ? CONFORM_FAIL
			: conform_nvme_expect(ctx, &cqe, NVME_ST_OK, "Get Timestamp");
	}
	conform_nvme_close(dev);
	if (ret)
		return conform_fail(ctx, "Timestamp: %s", strerror(-ret));
	if (v != CONFORM_PASS)
		return v;
	if ((ts & TS_MS_MASK) < t0 || (ts & TS_MS_MASK) > t0 + TS_SLACK_MS || TS_ORIGIN(ts) != 1)
		return conform_fail(ctx, "Timestamp %#llx set, %#llx read (origin %u)",
				    (unsigned long long)t0, (unsigned long long)ts, TS_ORIGIN(ts));
	return CONFORM_PASS;
}

static struct nvme_sqe fid0(struct conform_nvme *dev)
{
	(void)dev;
	return (struct nvme_sqe){.opc = NVME_ADM_GET_FEATURES};
}

enum conform_verdict nvme_feat_bad_fid(struct conform_ctx *ctx)
{
	return nvme_adm_one(ctx, CONFORM_NVME_ENABLED, fid0, NVME_ST_GEN(INVALID_FIELD),
			    "Get Features of FID 00h (reserved)");
}
