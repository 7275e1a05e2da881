/* SPDX-License-Identifier: MIT */
/*
 * vfio-user suite: interrupts (VFU-IRQ), vfio-user.rst
 * "VFIO_USER_DEVICE_GET_IRQ_INFO" and "VFIO_USER_DEVICE_SET_IRQS": the IRQ
 * info of MSI-X, SET_IRQS requests the IRQ index cannot take, and a
 * trigger the client asks for.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "conformance/suite_vfio_user.h"

/* GET_IRQ_INFO of index: the reply's errno (0 with *info), or a negative
 * errno of the call. */
static int irq_info(struct vfu_conn *c, uint32_t index, struct vfio_irq_info *info)
{
	struct vfio_irq_info req = {.argsz = sizeof(req), .index = index};
	struct vfu_msg m;
	int ret = vfu_call(c, VFIO_USER_DEVICE_GET_IRQ_INFO, &req, sizeof(req), NULL, 0, &m);

	if (ret < 0)
		return ret;
	vfu_msg_fini(&m);
	if (vfu_reply_errno(&m) >= 0)
		return vfu_reply_errno(&m) ?: EIO;
	if (m.len != sizeof(*info))
		return -EPROTO;
	memcpy(info, m.payload, sizeof(*info));
	return 0;
}

/* A connection after VERSION and MSI-X's IRQ info: 0, or the verdict to
 * return (N/A without MSI-X). */
static int open_msix(struct conform_ctx *ctx, struct vfu_conn *c, struct vfio_irq_info *msix,
		     enum conform_verdict *v)
{
	int ret;

	*v = CONFORM_ERROR;
	if (vfu_open(ctx, true, c))
		return -1;
	ret = irq_info(c, VFIO_PCI_MSIX_IRQ_INDEX, msix);
	if (ret == 0 && msix->count)
		return 0;
	*v = ret == 0 || ret > 0
		 ? conform_not_applicable(ctx, "the device has no MSI-X vector")
		 : conform_error(ctx, "set-up: GET_IRQ_INFO of MSI-X: %s", strerror(-ret));
	return -1;
}

/* SET_IRQS with flags for start..start + count - 1 of index, with data
 * (len bytes) and fds: must be refused. */
static enum conform_verdict set_refused(struct vfu_conn *c, const char *what, uint32_t flags,
					uint32_t index, uint32_t start, uint32_t count,
					const void *data, uint32_t len, const int *fds,
					unsigned nfds)
{
	uint8_t buf[sizeof(struct vfio_irq_set) + 8];
	struct vfio_irq_set set = {
	    .argsz = (uint32_t)sizeof(set) + len,
	    .flags = flags,
	    .index = index,
	    .start = start,
	    .count = count,
	};

	if (len > sizeof(buf) - sizeof(set))
		return conform_error(c->ctx, "%u bytes of data", len);
	memcpy(buf, &set, sizeof(set));
	if (len)
		memcpy(buf + sizeof(set), data, len);
	return vfu_expect_refused(c, what, VFIO_USER_DEVICE_SET_IRQS, buf,
				  (uint32_t)sizeof(set) + len, fds, nfds);
}

enum conform_verdict vfu_irq_info_msix(struct conform_ctx *ctx)
{
	struct vfio_user_device_info dev;
	struct vfio_irq_info info;
	struct vfu_conn c;
	int ret;

	if (vfu_open_info(ctx, &c, &dev))
		return CONFORM_ERROR;
	if (dev.num_irqs <= VFIO_PCI_MSIX_IRQ_INDEX)
		return conform_not_applicable(ctx, "%u IRQ indexes: no MSI-X", dev.num_irqs);
	ret = irq_info(&c, VFIO_PCI_MSIX_IRQ_INDEX, &info);
	if (ret == -EPROTO)
		return conform_fail(ctx, "the GET_IRQ_INFO reply is not the 16 bytes of "
					 "struct vfio_irq_info");
	if (ret < 0)
		return conform_fail(ctx, "GET_IRQ_INFO of MSI-X: no reply: %s", strerror(-ret));
	if (ret > 0)
		return conform_fail(ctx,
				    "GET_IRQ_INFO of MSI-X (index %u < num_irqs %u) failed: "
				    "error %d",
				    VFIO_PCI_MSIX_IRQ_INDEX, dev.num_irqs, ret);
	if (info.argsz != sizeof(info) || info.index != VFIO_PCI_MSIX_IRQ_INDEX)
		return conform_fail(ctx, "the reply says argsz %u index %u, not 16 and %u",
				    info.argsz, info.index, VFIO_PCI_MSIX_IRQ_INDEX);
	conform_note(ctx, "MSI-X: flags 0x%x, %u vectors", info.flags, info.count);
	return CONFORM_PASS;
}

enum conform_verdict vfu_irq_info_bad_index(struct conform_ctx *ctx)
{
	struct vfio_irq_info req = {.argsz = sizeof(req)};
	struct vfio_user_device_info dev;
	struct vfu_conn c;

	if (vfu_open_info(ctx, &c, &dev))
		return CONFORM_ERROR;
	req.index = dev.num_irqs;
	return vfu_expect_refused(&c, "GET_IRQ_INFO of the index num_irqs",
				  VFIO_USER_DEVICE_GET_IRQ_INFO, &req, sizeof(req), NULL, 0);
}

enum conform_verdict vfu_irq_past_count(struct conform_ctx *ctx)
{
	struct vfio_irq_info msix;
	struct vfu_conn c;
	enum conform_verdict v;

	if (open_msix(ctx, &c, &msix, &v))
		return v;
	return set_refused(&c, "SET_IRQS of the last MSI-X vector and one past it",
			   VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
			   VFIO_PCI_MSIX_IRQ_INDEX, msix.count - 1, 2, NULL, 0, NULL, 0);
}

enum conform_verdict vfu_irq_missing_fds(struct conform_ctx *ctx)
{
	struct vfio_irq_info msix;
	struct vfu_conn c;
	enum conform_verdict v;
	int efd;

	if (open_msix(ctx, &c, &msix, &v))
		return v;
	if (msix.count < 2)
		return conform_not_applicable(ctx, "one MSI-X vector");
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return conform_error(ctx, "eventfd: %s", strerror(errno));
	return set_refused(&c, "SET_IRQS of 2 eventfds with 1 fd sent",
			   VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
			   VFIO_PCI_MSIX_IRQ_INDEX, 0, 2, NULL, 0, &efd, 1);
}

enum conform_verdict vfu_irq_two_data_flags(struct conform_ctx *ctx)
{
	const uint8_t on = 1;
	struct vfio_irq_info msix;
	struct vfu_conn c;
	enum conform_verdict v;

	if (open_msix(ctx, &c, &msix, &v))
		return v;
	return set_refused(&c, "SET_IRQS with DATA_NONE and DATA_BOOL",
			   VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL |
			       VFIO_IRQ_SET_ACTION_TRIGGER,
			   VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &on, 1, NULL, 0);
}

enum conform_verdict vfu_irq_mask_not_maskable(struct conform_ctx *ctx)
{
	struct vfio_irq_info msix;
	struct vfu_conn c;
	enum conform_verdict v;

	if (open_msix(ctx, &c, &msix, &v))
		return v;
	if (msix.flags & VFIO_IRQ_INFO_MASKABLE)
		return conform_not_applicable(ctx, "MSI-X is maskable here");
	return set_refused(&c, "SET_IRQS ACTION_MASK of an index without MASKABLE",
			   VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
			   VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, NULL, 0, NULL, 0);
}

/* SET_IRQS without data of vector 0 of MSI-X: the reply's errno or the
 * call's. */
static int set_irqs(struct vfu_conn *c, uint32_t flags, const int *fd)
{
	struct vfio_irq_set set = {
	    .argsz = sizeof(set), .flags = flags, .index = VFIO_PCI_MSIX_IRQ_INDEX, .count = 1};
	struct vfu_msg m;
	int ret = vfu_call(c, VFIO_USER_DEVICE_SET_IRQS, &set, sizeof(set), fd, fd ? 1 : 0, &m);

	if (ret < 0)
		return ret;
	vfu_msg_fini(&m);
	return vfu_reply_errno(&m) < 0 ? 0 : vfu_reply_errno(&m) ?: EIO;
}

enum conform_verdict vfu_irq_client_trigger(struct conform_ctx *ctx)
{
	struct pollfd p = {.events = POLLIN};
	struct vfio_irq_info msix;
	struct vfu_conn c;
	enum conform_verdict v;
	int ret;

	if (open_msix(ctx, &c, &msix, &v))
		return v;
	if (!(msix.flags & VFIO_IRQ_INFO_EVENTFD))
		return conform_not_applicable(ctx, "MSI-X takes no eventfd");
	p.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p.fd < 0)
		return conform_error(ctx, "eventfd: %s", strerror(errno));
	ret = set_irqs(&c, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, &p.fd);
	if (ret != 0)
		return conform_error(ctx, "set-up: an eventfd for MSI-X vector 0: %s",
				     strerror(ret < 0 ? -ret : ret));
	ret = set_irqs(&c, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, NULL);
	if (ret != 0)
		return conform_fail(ctx, "SET_IRQS DATA_NONE | ACTION_TRIGGER of vector 0: %s",
				    strerror(ret < 0 ? -ret : ret));
	if (poll(&p, 1, conform_timeout_ms(ctx)) != 1)
		return conform_fail(ctx, "the trigger did not signal vector 0's eventfd");
	return CONFORM_PASS;
}
