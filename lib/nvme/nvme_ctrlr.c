/* SPDX-License-Identifier: MIT */
/*
 * The controller registers as the host drives them: reset, enable and
 * shutdown with their CAP.TO deadlines (NVMe Base 2.1 §3.5.1, §3.5.2,
 * §3.6.1), and the initialization sequence of §3.5.1 "Memory-based
 * Controller Initialization" around the admin commands of nvme_admin.c.
 */
#define LOG_COMPONENT "nvme"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "nvme/nvme_host.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"

#define ADMIN_QUEUE_SIZE   32
#define DEFAULT_QUEUE_SIZE 128
#define DEFAULT_ADMIN_MS   5000

static int reg_read32(struct nvme_ctrlr *c, uint32_t off, uint32_t *v)
{
	return c->ops->reg_read(c->arg, off, v, sizeof(*v));
}

static int reg_write32(struct nvme_ctrlr *c, uint32_t off, uint32_t v)
{
	return c->ops->reg_write(c->arg, off, &v, sizeof(v));
}

static int reg_write64(struct nvme_ctrlr *c, uint32_t off, uint64_t v)
{
	return c->ops->reg_write(c->arg, off, &v, sizeof(v));
}

/* Waits until CSTS masked by mask equals want (not 0), or for RDY 0 (want
 * 0), for at most CAP.TO. */
static int csts_wait(struct nvme_ctrlr *c, uint32_t mask, uint32_t want, const char *what)
{
	int64_t deadline = deadline_from_timeout((int)c->to_ms);
	uint32_t csts;
	int rc;

	for (;;) {
		rc = reg_read32(c, NVME_REG_CSTS, &csts);
		if (rc)
			return rc;
		/* a disable may see CFS (resetting is how the host recovers from
		 * it), an enable or shutdown may not */
		if (NVME_GET(csts, NVME_CSTS_CFS) && want) {
			log_err("%s: CSTS.CFS is set, the controller failed (Base §3.1.4.6)", what);
			return -EIO;
		}
		if ((csts & mask) == want)
			return 0;
		if (deadline_ms_left(deadline) == 0) {
			log_err("%s: CSTS %#x after CAP.TO (%u ms) (Base §3.1.4.1)", what, csts,
				c->to_ms);
			return -ETIMEDOUT;
		}
		usleep(1000);
	}
}

int nvme_ctrlr_check(struct nvme_ctrlr *c)
{
	uint32_t csts;
	int rc = reg_read32(c, NVME_REG_CSTS, &csts);

	if (rc)
		return rc;
	if (NVME_GET(csts, NVME_CSTS_CFS)) {
		log_err("CSTS.CFS is set: the controller failed (Base §3.1.4.6)");
		return -EIO;
	}
	return 0;
}

int nvme_ctrlr_disable(struct nvme_ctrlr *c)
{
	uint32_t cc;
	int rc = reg_read32(c, NVME_REG_CC, &cc);

	if (rc)
		return rc;
	if (NVME_GET(cc, NVME_CC_EN)) {
		rc = reg_write32(c, NVME_REG_CC, cc & ~NVME_SET(NVME_CC_EN, 1));
		if (rc)
			return rc;
	}
	/* Base §3.5.2: the host waits for CSTS.RDY 0 before it enables again */
	return csts_wait(c, NVME_SET(NVME_CSTS_RDY, 1), 0, "disable");
}

/* Base §3.1.4.1: what CAP says we need to drive the controller at all. */
static int cap_check(struct nvme_ctrlr *c)
{
	uint64_t cap = c->cap;

	if (!(NVME_GET(cap, NVME_CAP_CSS) & NVME_CAP_CSS_NVM)) {
		log_err("CAP.CSS %#llx lacks the NVM Command Set (Base §3.1.4.1)",
			(unsigned long long)NVME_GET(cap, NVME_CAP_CSS));
		return -EOPNOTSUPP;
	}
	if (NVME_GET(cap, NVME_CAP_MPSMIN) > 0 ||
	    NVME_GET(cap, NVME_CAP_MPSMAX) < NVME_GET(cap, NVME_CAP_MPSMIN)) {
		log_err("CAP.MPSMIN %llu / MPSMAX %llu exclude 4 KiB pages (Base §3.1.4.1)",
			(unsigned long long)NVME_GET(cap, NVME_CAP_MPSMIN),
			(unsigned long long)NVME_GET(cap, NVME_CAP_MPSMAX));
		return -EOPNOTSUPP;
	}
	if (NVME_GET(cap, NVME_CAP_MQES) < 1) {
		log_err("CAP.MQES is 0: a queue needs 2 entries at least (Base §3.1.4.1)");
		return -EPROTO;
	}
	c->dstrd = (uint32_t)NVME_GET(cap, NVME_CAP_DSTRD);
	/* CAP.TO in 500 ms units; 0 would be no time at all */
	c->to_ms = MAX(1u, (uint32_t)NVME_GET(cap, NVME_CAP_TO)) * 500u;
	return 0;
}

/* Base §3.5.1 steps 3-6: admin queue attributes and addresses, then CC
 * with the command set, page size and entry sizes, and EN. */
static int ctrlr_enable(struct nvme_ctrlr *c)
{
	struct nvme_qpair *aq = &c->admin;
	uint32_t cc = NVME_SET(NVME_CC_CSS, NVME_CC_CSS_NVM) | NVME_SET(NVME_CC_MPS, 0) |
		      NVME_SET(NVME_CC_IOSQES, NVME_SQES) | NVME_SET(NVME_CC_IOCQES, NVME_CQES);
	int rc;

	rc = reg_write32(c, NVME_REG_AQA,
			 NVME_SET(NVME_AQA_ASQS, aq->size - 1u) |
			     NVME_SET(NVME_AQA_ACQS, aq->size - 1u));
	if (!rc)
		rc = reg_write64(c, NVME_REG_ASQ, aq->sq_mem.bus);
	if (!rc)
		rc = reg_write64(c, NVME_REG_ACQ, aq->cq_mem.bus);
	if (!rc)
		rc = reg_write32(c, NVME_REG_CC, cc);
	if (!rc)
		rc = reg_write32(c, NVME_REG_CC, cc | NVME_SET(NVME_CC_EN, 1));
	if (rc)
		return rc;
	return csts_wait(c, NVME_SET(NVME_CSTS_RDY, 1), NVME_SET(NVME_CSTS_RDY, 1), "enable");
}

int nvme_ctrlr_init(struct nvme_ctrlr *c, const struct nvme_transport_ops *ops, void *arg,
		    const struct nvme_ctrlr_opts *opts)
{
	uint16_t aqsize;
	int rc;

	memset(c, 0, sizeof(*c));
	c->ops = ops;
	c->arg = arg;
	c->opts = *opts;
	if (!c->opts.admin_timeout_ms)
		c->opts.admin_timeout_ms = DEFAULT_ADMIN_MS;
	if (!c->opts.io_queue_size)
		c->opts.io_queue_size = DEFAULT_QUEUE_SIZE;
	rc = ops->reg_read(arg, NVME_REG_CAP, &c->cap, sizeof(c->cap));
	if (!rc)
		rc = reg_read32(c, NVME_REG_VS, &c->info.vs);
	if (!rc)
		rc = cap_check(c);
	if (!rc)
		rc = nvme_ctrlr_disable(c);
	if (rc)
		return rc;
	aqsize = (uint16_t)MIN(ADMIN_QUEUE_SIZE, NVME_GET(c->cap, NVME_CAP_MQES) + 1);
	rc = nvme_qpair_init(&c->admin, c, 0, aqsize, c->opts.admin_timeout_ms);
	if (rc)
		return rc;
	rc = ops->dma_alloc(arg, NVME_IDENTIFY_DATA_SIZE, &c->idbuf);
	if (rc)
		goto fail_admin;
	rc = ctrlr_enable(c);
	if (!rc)
		rc = nvme_admin_setup(c);
	if (rc)
		goto fail_enabled;
	return 0;
fail_enabled:
	nvme_ctrlr_disable(c);
	ops->dma_free(arg, &c->idbuf);
fail_admin:
	nvme_qpair_fini(&c->admin);
	return rc;
}

void nvme_ctrlr_fini(struct nvme_ctrlr *c)
{
	uint32_t cc;

	/* Base §3.6.1: normal shutdown, CC.SHN 01b, then CSTS.SHST 10b */
	if (reg_read32(c, NVME_REG_CC, &cc) == 0 &&
	    reg_write32(c, NVME_REG_CC,
			(cc & ~NVME_SET(NVME_CC_SHN, NVME_CC_SHN_MASK)) |
			    NVME_SET(NVME_CC_SHN, NVME_CC_SHN_NORMAL)) == 0)
		csts_wait(c, NVME_SET(NVME_CSTS_SHST, NVME_CSTS_SHST_MASK),
			  NVME_SET(NVME_CSTS_SHST, NVME_CSTS_SHST_COMPLETE), "shutdown");
	nvme_qpair_fini(&c->admin);
	c->ops->dma_free(c->arg, &c->idbuf);
}
