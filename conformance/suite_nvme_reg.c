/* SPDX-License-Identifier: MIT */
/*
 * NVMe suite: controller properties (NVME-REG), Base §3.1.4 and NVMe over
 * PCIe Transport §3.1: what the controller reports and how its registers
 * answer the host's writes.
 */
#include <endian.h>
#include <stdio.h>
#include <string.h>

#include "conformance/suite_nvme.h"
#include "util/common.h"

/* CAP's fields and VS, as a vendor wants them in the report. */
enum conform_verdict nvme_reg_cap_vs(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	uint64_t vs;
	uint64_t cap;
	int ret = conform_nvme_setup(ctx, &(struct conform_nvme_opts){0}, &dev);

	if (ret)
		return conform_error(ctx, "connect and map memory: %s", strerror(-ret));
	cap = dev->cap;
	ret = conform_nvme_reg_read(dev, NVME_REG_VS, 4, &vs);
	conform_nvme_close(dev);
	if (ret)
		return conform_error(ctx, "read of VS: %s", strerror(-ret));
	conform_info(ctx,
		     "VS %u.%u.%u; CAP: MQES %llu entries, CQR %llu, TO %llu ms, DSTRD %llu, "
		     "CSS %#llx, MPSMIN %llu, MPSMAX %llu",
		     (unsigned)(vs >> 16), (unsigned)(vs >> 8 & 0xff), (unsigned)(vs & 0xff),
		     (unsigned long long)NVME_GET(cap, NVME_CAP_MQES) + 1,
		     (unsigned long long)NVME_GET(cap, NVME_CAP_CQR),
		     (unsigned long long)NVME_GET(cap, NVME_CAP_TO) * 500,
		     (unsigned long long)NVME_GET(cap, NVME_CAP_DSTRD),
		     (unsigned long long)NVME_GET(cap, NVME_CAP_CSS),
		     (unsigned long long)NVME_GET(cap, NVME_CAP_MPSMIN),
		     (unsigned long long)NVME_GET(cap, NVME_CAP_MPSMAX));
	return CONFORM_PASS;
}

/* CAP as set-up read it, with the controller connected only. */
static enum conform_verdict cap_check(struct conform_ctx *ctx,
				      bool (*ok)(uint64_t cap, char *why, size_t len))
{
	struct conform_nvme *dev;
	char why[160] = "";
	bool good;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_CONNECTED, &dev))
		return conform_error(ctx, "connect and map memory failed");
	good = ok(dev->cap, why, sizeof(why));
	conform_nvme_close(dev);
	return good ? CONFORM_PASS : conform_fail(ctx, "%s", why);
}

static bool mqes_ok(uint64_t cap, char *why, size_t len)
{
	snprintf(why, len, "CAP.MQES is 0: queues of one entry, which cannot hold a command");
	return NVME_GET(cap, NVME_CAP_MQES) >= 1;
}

enum conform_verdict nvme_reg_cap_mqes(struct conform_ctx *ctx)
{
	return cap_check(ctx, mqes_ok);
}

static bool to_ok(uint64_t cap, char *why, size_t len)
{
	snprintf(why, len, "CAP.TO is 0: a host may give up on CSTS.RDY at once");
	return NVME_GET(cap, NVME_CAP_TO) != 0;
}

enum conform_verdict nvme_reg_cap_to(struct conform_ctx *ctx)
{
	return cap_check(ctx, to_ok);
}

static bool css_ok(uint64_t cap, char *why, size_t len)
{
	unsigned css = (unsigned)NVME_GET(cap, NVME_CAP_CSS);

	snprintf(why, len,
		 "CAP.CSS %#x offers neither the NVM Command Set (bit 0) nor I/O "
		 "Command Sets (bit 6)",
		 css);
	return css & (NVME_CAP_CSS_NVM | NVME_CAP_CSS_IOCS);
}

enum conform_verdict nvme_reg_cap_css(struct conform_ctx *ctx)
{
	return cap_check(ctx, css_ok);
}

static bool mps_ok(uint64_t cap, char *why, size_t len)
{
	snprintf(why, len, "CAP.MPSMIN %llu is above CAP.MPSMAX %llu: no page size to select",
		 (unsigned long long)NVME_GET(cap, NVME_CAP_MPSMIN),
		 (unsigned long long)NVME_GET(cap, NVME_CAP_MPSMAX));
	return NVME_GET(cap, NVME_CAP_MPSMIN) <= NVME_GET(cap, NVME_CAP_MPSMAX);
}

enum conform_verdict nvme_reg_cap_mps(struct conform_ctx *ctx)
{
	return cap_check(ctx, mps_ok);
}

/* Writes the complement of a read-only property and reads it again. */
static int ro_write(struct conform_nvme *dev, uint32_t off, unsigned width, bool *kept)
{
	uint64_t before, after;
	int ret = conform_nvme_reg_read(dev, off, width, &before);

	if (ret == 0)
		ret = conform_nvme_reg_write(dev, off, width, ~before);
	if (ret == 0)
		ret = conform_nvme_reg_read(dev, off, width, &after);
	*kept = ret == 0 && after == before;
	return ret;
}

enum conform_verdict nvme_reg_ro_ignored(struct conform_ctx *ctx)
{
	static const struct {
		uint32_t off;
		unsigned width;
		const char *name;
	} ro[] = {{NVME_REG_CAP, 8, "CAP"}, {NVME_REG_VS, 4, "VS"}};
	struct conform_nvme *dev;
	bool kept = true;
	int ret = 0;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_CONNECTED, &dev))
		return conform_error(ctx, "connect and map memory failed");
	for (unsigned i = 0; i < ARRAY_SIZE(ro) && ret == 0 && kept; i++) {
		ret = ro_write(dev, ro[i].off, ro[i].width, &kept);
		if (ret == 0 && !kept)
			conform_note(ctx, "%s changed after a write", ro[i].name);
	}
	conform_nvme_close(dev);
	if (ret)
		return conform_error(ctx, "property access: %s", strerror(-ret));
	return kept ? CONFORM_PASS : conform_fail(ctx, "a read-only property took a write");
}

/* Base §3.1.4.5 CC.CRIME: read-only 0 unless CAP.CRMS is 11b. */
enum conform_verdict nvme_reg_crime_ro(struct conform_ctx *ctx)
{
	const uint32_t crime = NVME_SET(NVME_CC_CRIME, 1);
	struct conform_nvme *dev;
	uint64_t cc;
	int ret;

	if (nvme_ctrl_open_disabled(ctx, &dev))
		return conform_error(ctx, "connect and reset failed");
	if (NVME_GET(dev->cap, NVME_CAP_CRMS) == 3) {
		conform_nvme_close(dev);
		return conform_not_applicable(ctx, "CAP.CRMS is 11b: CC.CRIME is read-write");
	}
	ret = conform_nvme_reg_write(dev, NVME_REG_CC, 4, nvme_cc_default() | crime);
	if (ret == 0)
		ret = conform_nvme_reg_read(dev, NVME_REG_CC, 4, &cc);
	conform_nvme_close(dev);
	if (ret)
		return conform_error(ctx, "CC access: %s", strerror(-ret));
	if (cc & crime)
		return conform_fail(ctx, "CC reads %#llx: CRIME is 1 while CAP.CRMS is not 11b",
				    (unsigned long long)cc);
	return CONFORM_PASS;
}

enum conform_verdict nvme_reg_vs_ver(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	uint64_t vs;
	uint32_t ver;
	int ret;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	ret = conform_nvme_reg_read(dev, NVME_REG_VS, 4, &vs);
	ver = le32toh(dev->id_ctrl->ver);
	conform_nvme_close(dev);
	if (ret)
		return conform_error(ctx, "read of VS: %s", strerror(-ret));
	if (ver != vs)
		return conform_fail(ctx, "Identify Controller VER %#x differs from VS %#llx", ver,
				    (unsigned long long)vs);
	return CONFORM_PASS;
}

/* AQA, ASQ and ACQ read back what the host wrote while disabled. */
enum conform_verdict nvme_reg_admin_props(struct conform_ctx *ctx)
{
	const uint64_t want[] = {nvme_aqa_of(8) & 0x0fff0fff, 0x7000, 0x9000};
	const uint32_t off[] = {NVME_REG_AQA, NVME_REG_ASQ, NVME_REG_ACQ};
	struct conform_nvme *dev;
	uint64_t got;
	int ret = 0;

	if (nvme_ctrl_open_disabled(ctx, &dev))
		return conform_error(ctx, "connect and reset failed");
	for (unsigned i = 0; i < ARRAY_SIZE(off) && ret == 0; i++) {
		ret = conform_nvme_reg_write(dev, off[i], i ? 8 : 4, want[i]);
		if (ret == 0)
			ret = conform_nvme_reg_read(dev, off[i], i ? 8 : 4, &got);
		if (ret == 0 && got != want[i]) {
			conform_nvme_close(dev);
			return conform_fail(ctx, "property %#x reads %#llx after %#llx was written",
					    off[i], (unsigned long long)got,
					    (unsigned long long)want[i]);
		}
	}
	conform_nvme_close(dev);
	return ret ? conform_error(ctx, "property access: %s", strerror(-ret)) : CONFORM_PASS;
}

/* Base §5.1.2 (Asynchronous Event Request) Dword 0: type 2:0, info 15:8. */
#define AEN_TYPE(cdw0) ((cdw0)&0x7u)
#define AEN_INFO(cdw0) (((cdw0) >> 8) & 0xffu)
#define AEN_TYPE_ERROR 0x0
/* How long a case waits for an event the controller may not send. */
#define AEN_WAIT_MS 1000

/*
 * An Asynchronous Event Request outstanding, then a doorbell written as a
 * property write (the path a controller sees every write of): at off with
 * value. The controller may report the error (type Error, information
 * info) or ignore the write; either way it must go on serving.
 */
static enum conform_verdict bad_doorbell(struct conform_ctx *ctx, bool existing_queue, uint8_t info)
{
	struct nvme_sqe aer = {.opc = NVME_ADM_ASYNC_EVENT_REQUEST};
	struct conform_nvme *dev;
	struct nvme_cqe cqe;
	uint32_t off, value;
	void *id;
	int cid, ret;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_IO, &dev))
		return conform_error(ctx, "controller bring-up failed");
	off = (uint32_t)nvme_sq_tdbl(existing_queue ? 1 : (uint16_t)(dev->nio + 1), dev->dstrd);
	value = existing_queue ? dev->io[0].size + 3u : 1u;
	cid = conform_nvme_push(dev, &dev->admin, &aer);
	ret = cid < 0 ? cid : conform_nvme_ring(dev, &dev->admin);
	if (ret == 0)
		ret = conform_nvme_reg_write(dev, off, 4, value);
	if (ret) {
		conform_nvme_close(dev);
		return conform_error(ctx, "AER or doorbell write: %s", strerror(-ret));
	}
	ret = conform_nvme_wait(dev, &dev->admin, AEN_WAIT_MS, &cqe);
	if (ret == 0 && (le16toh(cqe.cid) != cid || conform_nvme_status(&cqe) != NVME_ST_OK ||
			 AEN_TYPE(le32toh(cqe.cdw0)) != AEN_TYPE_ERROR ||
			 AEN_INFO(le32toh(cqe.cdw0)) != info)) {
		conform_nvme_close(dev);
		return conform_fail(ctx,
				    "the completion after the doorbell write is not an Error "
				    "event with information %02xh",
				    info);
	}
	conform_info(ctx, "doorbell %#x <- %u: %s", off, value,
		     ret == 0 ? "reported by an asynchronous event" : "no event within 1 s");
	ret = conform_nvme_identify(dev, NVME_IDENTIFY_CTRL, 0, 0, &id, NULL);
	conform_nvme_close(dev);
	if (ret)
		return conform_fail(ctx, "Identify after the doorbell write: %s", strerror(-ret));
	return nvme_ctrl_serving(ctx) ? CONFORM_PASS
				      : conform_fail(ctx, "the controller stopped serving");
}

enum conform_verdict nvme_reg_db_no_queue(struct conform_ctx *ctx)
{
	return bad_doorbell(ctx, false, 0x00);
}

enum conform_verdict nvme_reg_db_bad_value(struct conform_ctx *ctx)
{
	return bad_doorbell(ctx, true, 0x01);
}
