/* SPDX-License-Identifier: MIT */
/*
 * vhost-user suite: the ring rules that only I/O shows ("Ring states",
 * VHOST_USER_GET_VRING_BASE), on a device brought up by conform_dev with
 * virtio-blk reads as the requests.
 */
#include <errno.h>
#include <string.h>

#include "conformance/suite_vhost_user.h"
#include "spec/virtio_blk.h"

int vu_io_read(struct conform_dev *dev, uint16_t q, uint64_t sector, void *cookie)
{
	struct virtio_blk_outhdr *hdr;
	struct virtq_buf bufs[3];

	hdr = conform_dev_buf(dev, sizeof(*hdr), &bufs[0].addr);
	if (!hdr || !conform_dev_buf(dev, VIRTIO_BLK_SECTOR_SIZE, &bufs[1].addr) ||
	    !conform_dev_buf(dev, 1, &bufs[2].addr))
		return -ENOMEM;
	hdr->type = VIRTIO_BLK_T_IN;
	hdr->sector = sector;
	bufs[0].len = sizeof(*hdr);
	bufs[1].len = VIRTIO_BLK_SECTOR_SIZE;
	bufs[2].len = 1;
	/* virtio 1.2 §5.2.6: header out; data and status in. */
	return virtq_drv_add(&dev->vq[q], bufs, 1, 2, cookie);
}

/* Brings a one-queue device up, completes n reads, and stops the ring
 * with GET_VRING_BASE into *base. */
static enum conform_verdict io_then_base(struct conform_ctx *ctx, struct conform_dev **devp,
					 unsigned n, uint32_t *base)
{
	struct conform_dev_opts o = {.nqueues = 1};
	struct conform_dev *dev;
	void *cookie;
	uint32_t len;
	int ret = conform_dev_setup(ctx, &o, &dev);

	if (ret < 0)
		return conform_error(ctx, "device set-up: %s", strerror(-ret));
	*devp = dev;
	for (unsigned i = 0; i < n; i++) {
		ret = vu_io_read(dev, 0, i, (void *)(uintptr_t)(i + 1));
		if (ret < 0)
			return conform_error(ctx, "adding read %u: %s", i, strerror(-ret));
	}
	conform_dev_kick(dev, 0);
	for (unsigned i = 0; i < n; i++) {
		ret = conform_dev_wait_used(dev, 0, &cookie, &len);
		if (ret < 0)
			return conform_error(ctx, "read %u of %u not completed: %s", i, n,
					     strerror(-ret));
	}
	ret = vhost_fe_get_vring_base(dev->fe, 0, base);
	if (ret < 0)
		return conform_fail(ctx, "VHOST_USER_GET_VRING_BASE: %s", strerror(-ret));
	conform_note(ctx, "vring base %u after %u requests", *base, n);
	return CONFORM_PASS;
}

enum conform_verdict vu_io_base_after_io(struct conform_ctx *ctx)
{
	struct conform_dev *dev;
	uint32_t base;
	enum conform_verdict v = io_then_base(ctx, &dev, 5, &base);

	if (v == CONFORM_PASS && base != 5)
		return conform_fail(ctx, "vring base %u after 5 requests were consumed", base);
	return v;
}

enum conform_verdict vu_io_stopped_after_base(struct conform_ctx *ctx)
{
	struct conform_dev *dev;
	uint32_t base, len;
	void *cookie;
	enum conform_verdict v = io_then_base(ctx, &dev, 5, &base);
	int ret;

	if (v != CONFORM_PASS)
		return v;
	ret = vu_io_read(dev, 0, 5, (void *)(uintptr_t)6);
	if (ret < 0)
		return conform_error(ctx, "adding the sixth read: %s", strerror(-ret));
	conform_dev_kick(dev, 0);
	ret = conform_dev_wait_used(dev, 0, &cookie, &len);
	if (ret == 0)
		return conform_fail(ctx, "a request made available after GET_VRING_BASE was "
					 "processed: the ring was not stopped");
	if (ret != -ETIMEDOUT)
		conform_note(ctx, "waiting for used entries: %s", strerror(-ret));
	return CONFORM_PASS;
}
