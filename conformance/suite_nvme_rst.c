/* SPDX-License-Identifier: MIT */
/*
 * NVMe suite: Controller Reset and shutdown (NVME-RST), Base §3.1.4.5
 * (CC.EN, CC.SHN), §3.6 and §3.7.2: what a reset clears, what it keeps,
 * data that survives it, and enables the controller must refuse or
 * survive.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "conformance/suite_nvme.h"
#include "util/common.h"

/* Where the data cases write, in blocks, and how many. */
#define RST_LBA	   40
#define RST_BLOCKS 1
/* How long a disabled controller is watched for work it must not do. */
#define IDLE_WATCH_MS 300

/* One block of I/O at lba on q from/to bus (Write or Read, NVM CS). */
static int block_io(struct conform_nvme *dev, struct conform_nvme_q *q, bool write, uint64_t lba,
		    uint64_t bus)
{
	struct nvme_sqe sqe = {
	    .opc = write ? NVME_NVM_WRITE : NVME_NVM_READ,
	    .nsid = htole32(dev->nsid),
	    .dptr.prp.prp1 = htole64(bus),
	    .cdw10 = htole32((uint32_t)lba),
	    .cdw11 = htole32((uint32_t)(lba >> 32)),
	};
	struct nvme_cqe cqe;
	int ret = conform_nvme_cmd(dev, q, &sqe, &cqe);

	if (ret)
		return ret;
	return conform_nvme_status(&cqe) == NVME_ST_OK ? 0 : -EIO;
}

/* A controller with an I/O queue pair and a namespace with one 4 KiB or
 * smaller block at RST_LBA: PASS with *dev, else the verdict (N/A, ERROR). */
static enum conform_verdict io_open(struct conform_ctx *ctx, struct conform_nvme **dev)
{
	if (nvme_ctrl_open(ctx, CONFORM_NVME_IO, dev))
		return conform_error(ctx, "controller bring-up failed");
	if (!(*dev)->nsid || (*dev)->num_blocks <= RST_LBA || (*dev)->block_size > 4096) {
		conform_nvme_close(*dev);
		return conform_not_applicable(ctx, "no active namespace with 4 KiB or smaller "
						   "blocks past LBA 40");
	}
	return CONFORM_PASS;
}

/* Re-enable after a reset, with a new I/O queue pair 1. */
static int reenable_io(struct conform_nvme *dev, struct conform_nvme_q *q)
{
	int ret = conform_nvme_enable(dev);

	if (ret == 0)
		ret = conform_nvme_q_init(dev, 1, 16, q);
	return ret ? ret : conform_nvme_q_create(dev, q);
}

/* Enables dev again with a new queue pair, reads RST_LBA into rbus and
 * compares it with w; closes dev. changed: the reason when it differs. */
static enum conform_verdict reads_back(struct conform_ctx *ctx, struct conform_nvme *dev,
				       const uint8_t *w, uint64_t rbus, const char *changed)
{
	struct conform_nvme_q q;
	const uint8_t *r = conform_nvme_at(dev, rbus, dev->block_size);
	int ret = reenable_io(dev, &q);

	if (ret == 0)
		ret = block_io(dev, &q, false, RST_LBA, rbus);
	if (ret == 0)
		ret = memcmp(w, r, dev->block_size) ? -EBADMSG : 0;
	conform_nvme_close(dev);
	if (ret == -EBADMSG)
		return conform_fail(ctx, "%s", changed);
	return ret ? conform_fail(ctx, "enable again and Read: %s", strerror(-ret)) : CONFORM_PASS;
}

/* Writes a pattern at RST_LBA, runs between(), re-enables and reads it
 * back: the verdict of the comparison. */
static enum conform_verdict data_across(struct conform_ctx *ctx,
					int (*between)(struct conform_nvme *dev))
{
	struct conform_nvme *dev;
	uint64_t wbus, rbus;
	uint8_t *w, *r;
	enum conform_verdict v = io_open(ctx, &dev);
	int ret;

	if (v != CONFORM_PASS)
		return v;
	w = conform_nvme_buf(dev, dev->block_size, 0, &wbus);
	r = conform_nvme_buf(dev, dev->block_size, 0, &rbus);
	for (uint32_t i = 0; w && i < dev->block_size; i++)
		w[i] = (uint8_t)(i * 13 + 5);
	ret = w && r ? block_io(dev, &dev->io[0], true, RST_LBA, wbus) : -ENOMEM;
	if (ret) {
		conform_nvme_close(dev);
		return conform_error(ctx, "Write before the reset: %s", strerror(-ret));
	}
	ret = between(dev);
	if (ret) {
		conform_nvme_close(dev);
		return conform_fail(ctx, "reset: %s", strerror(-ret));
	}
	return reads_back(ctx, dev, w, rbus,
			  "the block written before the reset reads back changed");
}

enum conform_verdict nvme_rst_data_kept(struct conform_ctx *ctx)
{
	return data_across(ctx, conform_nvme_disable);
}

/* CC.SHN 01b, CSTS.SHST 10b within CAP.TO. */
static int shutdown(struct conform_nvme *dev)
{
	uint64_t cc;
	uint32_t csts;
	int ret = conform_nvme_reg_read(dev, NVME_REG_CC, 4, &cc);

	if (ret == 0)
		ret = conform_nvme_reg_write(dev, NVME_REG_CC, 4,
					     (cc & ~NVME_SET(NVME_CC_SHN, NVME_CC_SHN_MASK)) |
						 NVME_SET(NVME_CC_SHN, NVME_CC_SHN_NORMAL));
	if (ret == 0)
		ret = conform_nvme_wait_csts(dev, NVME_SET(NVME_CSTS_SHST, NVME_CSTS_SHST_MASK),
					     NVME_SET(NVME_CSTS_SHST, NVME_CSTS_SHST_COMPLETE), -1,
					     &csts);
	return ret;
}

static int shutdown_reset(struct conform_nvme *dev)
{
	int ret = shutdown(dev);

	return ret ? ret : conform_nvme_disable(dev);
}

enum conform_verdict nvme_rst_shutdown_data(struct conform_ctx *ctx)
{
	return data_across(ctx, shutdown_reset);
}

/* A controller with I/O queues live, then step(): its wait must end
 * within CAP.TO (-ETIMEDOUT fails with late). */
static enum conform_verdict live_step(struct conform_ctx *ctx,
				      int (*step)(struct conform_nvme *dev), const char *late)
{
	struct conform_nvme *dev;
	int ret;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_IO, &dev))
		return conform_error(ctx, "controller bring-up failed");
	ret = step(dev);
	conform_nvme_close(dev);
	if (ret == -ETIMEDOUT)
		return conform_fail(ctx, "%s", late);
	return ret ? conform_error(ctx, "CC or CSTS access: %s", strerror(-ret)) : CONFORM_PASS;
}

enum conform_verdict nvme_rst_shutdown(struct conform_ctx *ctx)
{
	return live_step(ctx, shutdown, "CSTS.SHST did not become 10b within CAP.TO");
}

enum conform_verdict nvme_rst_rdy_clears(struct conform_ctx *ctx)
{
	return live_step(ctx, conform_nvme_disable,
			 "CSTS.RDY stayed 1 for CAP.TO after CC.EN 1 -> 0");
}

/* After a reset and an enable, I/O CQ 1 from before is gone: an SQ on it
 * is refused (Completion Queue Invalid) and SQ 1 cannot be deleted. */
enum conform_verdict nvme_rst_queues_deleted(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	enum conform_verdict v;
	int ret;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_IO, &dev))
		return conform_error(ctx, "controller bring-up failed");
	ret = conform_nvme_disable(dev);
	if (ret == 0)
		ret = conform_nvme_enable(dev);
	if (ret) {
		conform_nvme_close(dev);
		return conform_error(ctx, "reset and enable: %s", strerror(-ret));
	}
	sqe = nvme_adm_delete_sqe(true, 1);
	v = nvme_adm_check(ctx, dev, &sqe, NVME_ST_CMD(INVALID_QID),
			   "Delete I/O SQ 1 created before the reset");
	if (v == CONFORM_PASS) {
		sqe =
		    nvme_adm_create_sqe(true, 2, 1, dev->io[0].sq_bus, 1u << 16 | NVME_CREATE_Q_PC);
		v = nvme_adm_check(ctx, dev, &sqe, NVME_ST_CMD(CQ_INVALID),
				   "Create I/O SQ 2 on CQ 1 created before the reset");
	}
	conform_nvme_close(dev);
	return v;
}

/*
 * A Write pushed on the old I/O SQ 1 and its doorbell rung while the
 * controller is disabled: no completion comes, and once re-enabled the
 * block still holds what was written before.
 */
enum conform_verdict nvme_rst_disabled_idle(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_cqe cqe;
	uint64_t wbus, bbus, rbus;
	uint8_t *w, *b, *r;
	enum conform_verdict v = io_open(ctx, &dev);
	int ret;

	if (v != CONFORM_PASS)
		return v;
	w = conform_nvme_buf(dev, dev->block_size, 0, &wbus);
	b = conform_nvme_buf(dev, dev->block_size, 0, &bbus);
	r = conform_nvme_buf(dev, dev->block_size, 0, &rbus);
	if (w && b)
		memset(w, 0x5a, dev->block_size), memset(b, 0xa5, dev->block_size);
	ret = w && b && r ? block_io(dev, &dev->io[0], true, RST_LBA, wbus) : -ENOMEM;
	if (ret == 0)
		ret = conform_nvme_disable(dev);
	if (ret) {
		conform_nvme_close(dev);
		return conform_error(ctx, "Write and reset: %s", strerror(-ret));
	}
	ret = conform_nvme_push(dev, &dev->io[0],
				&(struct nvme_sqe){.opc = NVME_NVM_WRITE,
						   .nsid = htole32(dev->nsid),
						   .dptr.prp.prp1 = htole64(bbus),
						   .cdw10 = htole32(RST_LBA)});
	if (ret >= 0)
		ret = conform_nvme_ring(dev, &dev->io[0]);
	if (ret >= 0 && conform_nvme_wait(dev, &dev->io[0], IDLE_WATCH_MS, &cqe) == 0) {
		conform_nvme_close(dev);
		return conform_fail(ctx, "a disabled controller posted a completion entry");
	}
	return reads_back(ctx, dev, w, rbus, "a Write submitted while disabled changed the block");
}

enum conform_verdict nvme_rst_admin_props_kept(struct conform_ctx *ctx)
{
	const uint32_t off[] = {NVME_REG_AQA, NVME_REG_ASQ, NVME_REG_ACQ};
	uint64_t before[ARRAY_SIZE(off)], after;
	struct conform_nvme *dev;
	int ret = 0;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_ENABLED, &dev))
		return conform_error(ctx, "controller bring-up failed");
	for (unsigned i = 0; i < ARRAY_SIZE(off) && ret == 0; i++)
		ret = conform_nvme_reg_read(dev, off[i], i ? 8 : 4, &before[i]);
	if (ret == 0)
		ret = conform_nvme_disable(dev);
	for (unsigned i = 0; i < ARRAY_SIZE(off) && ret == 0; i++) {
		ret = conform_nvme_reg_read(dev, off[i], i ? 8 : 4, &after);
		if (ret == 0 && after != before[i]) {
			conform_nvme_close(dev);
			return conform_fail(ctx, "property %#x was %#llx, %#llx after the reset",
					    off[i], (unsigned long long)before[i],
					    (unsigned long long)after);
		}
	}
	conform_nvme_close(dev);
	return ret ? conform_error(ctx, "property access: %s", strerror(-ret)) : CONFORM_PASS;
}

/* Writes pushed and rung, CC.EN 0 at once: the reset completes, and the
 * controller comes back to serve admin and I/O commands. */
enum conform_verdict nvme_rst_in_flight(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct conform_nvme_q q;
	uint64_t bus;
	enum conform_verdict v = io_open(ctx, &dev);
	int ret;

	if (v != CONFORM_PASS)
		return v;
	ret = conform_nvme_buf(dev, dev->block_size, 0, &bus) ? 0 : -ENOMEM;
	for (unsigned i = 0; i < 16 && ret >= 0; i++)
		ret = conform_nvme_push(dev, &dev->io[0],
					&(struct nvme_sqe){.opc = NVME_NVM_WRITE,
							   .nsid = htole32(dev->nsid),
							   .dptr.prp.prp1 = htole64(bus),
							   .cdw10 = htole32(RST_LBA)});
	if (ret >= 0)
		ret = conform_nvme_ring(dev, &dev->io[0]);
	if (ret < 0) {
		conform_nvme_close(dev);
		return conform_error(ctx, "16 Writes: %s", strerror(-ret));
	}
	ret = conform_nvme_disable(dev);
	if (ret == 0)
		ret = reenable_io(dev, &q);
	if (ret == 0)
		ret = block_io(dev, &q, false, RST_LBA, bus);
	conform_nvme_close(dev);
	if (ret)
		return conform_fail(ctx, "reset with commands in flight, then Read: %s",
				    strerror(-ret));
	return CONFORM_PASS;
}

/*
 * An enable the host got wrong (args), then a reset and a correct enable:
 * whatever the controller did with the first (CSTS.CFS, never ready, or
 * ready), the second must bring it up.
 */
static enum conform_verdict bad_enable(struct conform_ctx *ctx, const struct nvme_enable_args *a)
{
	struct conform_nvme *dev;
	uint32_t csts = 0;
	void *id;
	int ret;

	if (nvme_ctrl_open_disabled(ctx, &dev))
		return conform_error(ctx, "connect and reset failed");
	ret = nvme_ctrl_enable_with(dev, a, &csts);
	conform_info(ctx, "the enable: %s (CSTS %#x)",
		     ret == 0	   ? "ready"
		     : ret == -EIO ? "refused with CSTS.CFS"
				   : strerror(-ret),
		     csts);
	ret = conform_nvme_disable(dev);
	if (ret == 0)
		ret = conform_nvme_enable(dev);
	if (ret == 0)
		ret = conform_nvme_identify(dev, NVME_IDENTIFY_CTRL, 0, 0, &id, NULL);
	conform_nvme_close(dev);
	if (ret)
		return conform_fail(ctx, "reset and a correct enable after it: %s", strerror(-ret));
	return CONFORM_PASS;
}

enum conform_verdict nvme_rst_bad_mps(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	uint64_t mpsmax;

	if (nvme_ctrl_open(ctx, CONFORM_NVME_CONNECTED, &dev))
		return conform_error(ctx, "connect and map memory failed");
	mpsmax = NVME_GET(dev->cap, NVME_CAP_MPSMAX);
	conform_nvme_close(dev);
	if (mpsmax == NVME_CC_MPS_MASK)
		return conform_not_applicable(ctx, "CAP.MPSMAX is the largest CC.MPS");
	return bad_enable(ctx, &(struct nvme_enable_args){.aqa = nvme_aqa_of(32),
							  .cc = nvme_cc_default() |
								NVME_SET(NVME_CC_MPS, mpsmax + 1)});
}

enum conform_verdict nvme_rst_bad_aqa(struct conform_ctx *ctx)
{
	return bad_enable(ctx, &(struct nvme_enable_args){.aqa = 0, .cc = nvme_cc_default()});
}

/* The admin SQ at bus address 0, a page-aligned address like any other. */
enum conform_verdict nvme_rst_asq_zero(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	uint32_t csts = 0;
	void *id;
	int ret;

	if (nvme_ctrl_open_disabled(ctx, &dev))
		return conform_error(ctx, "connect and reset failed");
	ret = nvme_ctrl_enable_with(dev,
				    &(struct nvme_enable_args){.aqa = nvme_aqa_of(32),
							       .cc = nvme_cc_default(),
							       .asq_at_zero = true},
				    &csts);
	if (ret == 0)
		ret = conform_nvme_identify(dev, NVME_IDENTIFY_CTRL, 0, 0, &id, NULL);
	conform_nvme_close(dev);
	if (ret)
		return conform_fail(ctx, "enable with ASQ 0h and Identify: %s (CSTS %#x)",
				    ret == -EIO ? "CSTS.CFS set" : strerror(-ret), csts);
	return CONFORM_PASS;
}
