/* SPDX-License-Identifier: MIT */
/*
 * vfio-user suite: device reset (VFU-RST), vfio-user.rst
 * "VFIO_USER_DEVICE_RESET": answered, and the device found in its reset
 * state afterwards (an NVMe controller that was enabled: disabled again).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "conformance/suite_vfio_user.h"
#include "spec/nvme.h"

#define IOVA 0x100000ull

/* A connection after VERSION on a device that says it resets: 0, or the
 * verdict to return. */
static int open_resettable(struct conform_ctx *ctx, struct vfu_conn *c, enum conform_verdict *v)
{
	struct vfio_user_device_info dev;

	*v = CONFORM_ERROR;
	if (vfu_open_info(ctx, c, &dev))
		return -1;
	if (dev.flags & VFIO_DEVICE_FLAGS_RESET)
		return 0;
	*v = conform_not_applicable(ctx, "DEVICE_GET_INFO has no VFIO_DEVICE_FLAGS_RESET");
	return -1;
}

/* DEVICE_RESET: a reply without Error and without payload. */
static enum conform_verdict reset(struct vfu_conn *c)
{
	struct vfu_msg m;
	int ret = vfu_call(c, VFIO_USER_DEVICE_RESET, NULL, 0, NULL, 0, &m);

	if (ret < 0)
		return conform_fail(c->ctx, "DEVICE_RESET: no reply: %s", strerror(-ret));
	vfu_msg_fini(&m);
	if (vfu_reply_errno(&m) >= 0)
		return conform_fail(c->ctx, "DEVICE_RESET failed: error %d", vfu_reply_errno(&m));
	if (m.len)
		return conform_fail(c->ctx, "the DEVICE_RESET reply has %u payload bytes", m.len);
	return CONFORM_PASS;
}

enum conform_verdict vfu_rst_answered(struct conform_ctx *ctx)
{
	struct vfu_conn c;
	struct vfu_msg m;
	enum conform_verdict v;
	int ret;

	if (open_resettable(ctx, &c, &v))
		return v;
	ret = vfu_call(&c, VFIO_USER_DEVICE_RESET, NULL, 0, NULL, 0, &m);
	if (ret < 0)
		return conform_fail(ctx, "DEVICE_RESET: no reply: %s", strerror(-ret));
	vfu_msg_fini(&m);
	conform_note(ctx, "DEVICE_RESET %s", vfu_reply_errno(&m) < 0 ? "done" : "refused");
	return CONFORM_PASS;
}

enum conform_verdict vfu_rst_disables(struct conform_ctx *ctx)
{
	uint64_t cc, csts;
	struct vfu_conn c;
	enum conform_verdict v;
	void *mem;
	int ret;

	if (open_resettable(ctx, &c, &v))
		return v;
	v = vfu_nvme_setup(&c, IOVA, &mem);
	if (v != CONFORM_PASS)
		return v;
	v = reset(&c);
	if (v != CONFORM_PASS)
		return v;
	ret = vfu_reg_read(&c, VFIO_PCI_BAR0_REGION_INDEX, NVME_REG_CC, 4, &cc);
	if (ret == 0)
		ret = vfu_reg_read(&c, VFIO_PCI_BAR0_REGION_INDEX, NVME_REG_CSTS, 4, &csts);
	if (ret != 0)
		return conform_fail(ctx, "reading CC and CSTS after the reset: %s",
				    strerror(ret < 0 ? -ret : ret));
	if ((cc & 1) || (csts & 1))
		return conform_fail(ctx,
				    "after DEVICE_RESET the controller is still enabled: "
				    "CC 0x%llx CSTS 0x%llx",
				    (unsigned long long)cc, (unsigned long long)csts);
	return CONFORM_PASS;
}

/* Commands in flight when the reset comes (the admin SQ nearly full), and
 * how long the queues are watched after its reply. */
#define IN_FLIGHT 14
#define QUIET_US  500000

enum conform_verdict vfu_rst_during_io(struct conform_ctx *ctx)
{
	uint8_t before[VFU_NVME_DATA], *mem;
	unsigned posted = 0;
	struct vfu_conn c;
	enum conform_verdict v;

	if (open_resettable(ctx, &c, &v))
		return v;
	v = vfu_nvme_setup(&c, IOVA, (void **)&mem);
	if (v != CONFORM_PASS)
		return v;
	if (vfu_nvme_identify(&c, mem, IOVA, 0, IN_FLIGHT))
		return conform_error(ctx, "set-up: the SQ doorbell write failed");
	v = reset(&c);
	if (v != CONFORM_PASS)
		return v;
	for (unsigned i = 0; i < IN_FLIGHT; i++)
		posted += vfu_nvme_cqe_posted(mem, i, 0);
	conform_note(ctx, "%u of the %u Identify commands completed before the reset's reply",
		     posted, IN_FLIGHT);
	/* From the reply on, the device must leave the queues alone. */
	memcpy(before, mem, sizeof(before));
	usleep(QUIET_US);
	if (memcmp(before, mem, sizeof(before)))
		return conform_fail(ctx, "a completion was posted after the DEVICE_RESET reply");
	return vfu_expect_serving(&c);
}
