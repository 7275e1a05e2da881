/* SPDX-License-Identifier: MIT */
/*
 * vhost-user suite: the ring rules that only I/O shows ("Ring states",
 * VHOST_USER_GET_VRING_BASE), on a device brought up by conform_dev with
 * virtio-blk reads as the requests.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "conformance/suite_vhost_user.h"
#include "spec/virtio_blk.h"

/* A read of len bytes at sector, the data in one descriptor. */
static int add_read(struct conform_dev *dev, uint16_t q, uint64_t sector, uint32_t len,
		    void *cookie)
{
	struct virtio_blk_outhdr *hdr;
	struct virtq_buf bufs[3];

	hdr = conform_dev_buf(dev, sizeof(*hdr), &bufs[0].addr);
	if (!hdr || !conform_dev_buf(dev, len, &bufs[1].addr) ||
	    !conform_dev_buf(dev, 1, &bufs[2].addr))
		return -ENOMEM;
	hdr->type = VIRTIO_BLK_T_IN;
	hdr->sector = sector;
	bufs[0].len = sizeof(*hdr);
	bufs[1].len = len;
	bufs[2].len = 1;
	/* virtio 1.2 §5.2.6: header out; data and status in. */
	return virtq_drv_add(&dev->vq[q], bufs, 1, 2, cookie);
}

int vu_io_read(struct conform_dev *dev, uint16_t q, uint64_t sector, void *cookie)
{
	return add_read(dev, q, sector, VIRTIO_BLK_SECTOR_SIZE, cookie);
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

/* After GET_VRING_BASE stopped the ring, a sixth read is made available,
 * with a kick or without, and no used entry may come. */
static enum conform_verdict used_after_stop(struct conform_ctx *ctx, bool kick)
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
	if (kick)
		conform_dev_kick(dev, 0);
	else
		virtq_drv_publish(&dev->vq[0]);
	ret = conform_dev_wait_used(dev, 0, &cookie, &len);
	if (ret == 0)
		return conform_fail(ctx, "a request made available after GET_VRING_BASE%s was "
					 "processed: the ring was not stopped",
				    kick ? " and kicked" : "");
	if (ret != -ETIMEDOUT)
		conform_note(ctx, "waiting for used entries: %s", strerror(-ret));
	return CONFORM_PASS;
}

/* "Ring states": "While a ring is stopped, the back-end must not process
 * the ring at all". No kick: whether a kick on the old kick fd starts the
 * ring again is open (VHOST-RING-011), a back-end that looks at the ring
 * without one is processing it. */
enum conform_verdict vu_io_stopped_after_base(struct conform_ctx *ctx)
{
	return used_after_stop(ctx, false);
}

/* VHOST-RING-011 (advisory): the same with a kick on the kick fd given
 * before GET_VRING_BASE. "The back-end must start a ring upon receiving a
 * kick" can be read to cover that fd too; QEMU sends SET_VRING_KICK again to
 * restart a ring, and a back-end that lets a late kick restart it serves
 * requests a front-end that stopped it (to migrate) no longer tracks. */
enum conform_verdict vu_io_kick_after_base(struct conform_ctx *ctx)
{
	return used_after_stop(ctx, true);
}

/* Large reads, as many as the ring holds: some may still be in flight when
 * GET_VRING_BASE arrives. */
#define INFLIGHT_READS	   64
#define INFLIGHT_READ_SIZE (128u << 10)

/* "Suspended device state": with its one ring stopped by GET_VRING_BASE
 * the device is suspended and "must: not write to any guest memory
 * regions": after the reply, no used entry may appear. Whether
 * the back-end finished the requests it had consumed before it replied, or
 * dropped them, the reply is the last word on the ring. */
enum conform_verdict vu_io_base_with_requests_in_flight(struct conform_ctx *ctx)
{
	struct conform_dev_opts o = {.nqueues = 1, .mem_size = 32u << 20};
	struct timespec wait = {.tv_sec = conform_timeout_ms(ctx) / 1000,
				.tv_nsec = conform_timeout_ms(ctx) % 1000 * 1000000L};
	struct conform_dev *dev;
	uint16_t used, later;
	uint32_t base;
	unsigned n;
	int ret = conform_dev_setup(ctx, &o, &dev);

	if (ret < 0)
		return conform_error(ctx, "device set-up: %s", strerror(-ret));
	for (n = 0; n < INFLIGHT_READS; n++) {
		ret = add_read(dev, 0, 0, INFLIGHT_READ_SIZE, (void *)(uintptr_t)(n + 1));
		if (ret == -ENOSPC || ret == -ENOMEM)
			break;
		if (ret < 0)
			return conform_error(ctx, "adding read %u: %s", n, strerror(-ret));
	}
	conform_dev_kick(dev, 0);
	ret = vhost_fe_get_vring_base(dev->fe, 0, &base);
	used = __atomic_load_n(&dev->vq[0].used->idx, __ATOMIC_ACQUIRE);
	if (ret < 0)
		return conform_fail(ctx, "VHOST_USER_GET_VRING_BASE: %s", strerror(-ret));
	conform_note(ctx,
		     "%u reads of %u KiB made available; at the reply: vring base %u, "
		     "used index %u",
		     n, INFLIGHT_READ_SIZE >> 10, base, used);
	if (base > n)
		return conform_fail(ctx, "vring base %u: only %u requests were made available",
				    base, n);
	if ((uint16_t)(base - used) > n)
		return conform_fail(ctx,
				    "vring base %u is behind the used index %u: a request "
				    "was used that the base does not count",
				    base, used);
	nanosleep(&wait, NULL);
	later = __atomic_load_n(&dev->vq[0].used->idx, __ATOMIC_ACQUIRE);
	if (later != used)
		return conform_fail(ctx,
				    "the used index moved from %u to %u after "
				    "GET_VRING_BASE's reply: the stopped ring was written",
				    used, later);
	return CONFORM_PASS;
}
