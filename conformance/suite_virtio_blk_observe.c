/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk suite: observations (CONFORM_INFO), what a back-end does where
 * the specs allow more than one behaviour. They record it with
 * conform_info() and give no verdict.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "conformance/suite_virtio_blk.h"
#include "spec/vhost_user.h"

/* A read of one 512-byte sector: header, data, status. */
struct obs_read {
	struct virtio_blk_outhdr *hdr;
	uint8_t *data, *status;
	struct virtq_buf bufs[3];
};

static int obs_read_add(struct conform_dev *dev, struct obs_read *r)
{
	r->hdr = conform_dev_buf(dev, sizeof(*r->hdr), &r->bufs[0].addr);
	r->data = conform_dev_buf(dev, VIRTIO_BLK_SECTOR_SIZE, &r->bufs[1].addr);
	r->status = conform_dev_buf(dev, 1, &r->bufs[2].addr);
	if (!r->hdr || !r->data || !r->status)
		return -ENOMEM;
	*r->hdr = (struct virtio_blk_outhdr){.type = VIRTIO_BLK_T_IN, .sector = 0};
	*r->status = BLK_STATUS_UNSET;
	r->bufs[0].len = sizeof(*r->hdr);
	r->bufs[1].len = VIRTIO_BLK_SECTOR_SIZE;
	r->bufs[2].len = 1;
	return virtq_drv_add(&dev->vq[0], r->bufs, 1, 2, r);
}

/* SET_VRING_KICK, then (vhost-user.rst "Ring states": rings start disabled
 * with VHOST_USER_F_PROTOCOL_FEATURES) SET_VRING_ENABLE 1. */
static int obs_ring_start(struct conform_dev *dev)
{
	int ret = vhost_fe_set_vring_kick(dev->fe, 0, dev->kick_fd[0]);

	if (!ret && (dev->features & VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES)))
		ret = vhost_fe_set_vring_enable(dev->fe, 0, true);
	return ret;
}

/* The read used within the timeout (also without a notification): 0,
 * -ETIMEDOUT, or another negative errno. */
static int obs_wait(struct conform_dev *dev)
{
	uint32_t len;
	void *cookie;
	int ret = conform_dev_wait_used(dev, 0, &cookie, &len);

	if (ret == -ETIMEDOUT && virtq_drv_get_used(&dev->vq[0], &cookie, &len) == 0)
		ret = 0;
	return ret;
}

static enum conform_verdict obs_error(struct conform_ctx *ctx, struct conform_dev *dev,
				      const char *what, int ret)
{
	conform_dev_close(dev);
	return conform_error(ctx, "%s: %s", what, strerror(-ret));
}

/*
 * vhost-user.rst "Ring states": "The back-end must start a ring upon
 * receiving a kick (that is, detecting that file descriptor is readable) on
 * the descriptor specified by VHOST_USER_SET_VRING_KICK ...". Back-ends read
 * it two ways: the ring starts with the SET_VRING_KICK message (a polling
 * back-end such as storlab-tgt then looks at it at once), or with the first
 * write to that file descriptor. A front-end that kicks after publishing
 * (virtio 1.2 §2.7.13.4) works with both; one that reconnects to a back-end
 * while requests wait in the ring finds out which it has. The read is in the
 * ring before it starts, so that a back-end that polls from the start sees
 * it whatever its timing.
 */
BLK_CASE(blk_q_before_first_kick)
{
	const struct conform_dev_opts opts = {.nqueues = 1, .no_start = true};
	const uint64_t one = 1;
	struct conform_dev *dev;
	struct obs_read r;
	int ret = conform_dev_setup(ctx, &opts, &dev);

	if (ret)
		return conform_error(ctx, "device set-up: %s", strerror(-ret));
	ret = obs_read_add(dev, &r);
	if (ret)
		return obs_error(ctx, dev, "adding a read", ret);
	/* Published (§2.7.13.3), not notified: the kick fd is never written
	 * before the back-end has had the timeout to take the read. */
	virtq_drv_publish(&dev->vq[0]);
	conform_note(ctx, "read of sector 0 published on queue 0 before the ring starts");
	ret = obs_ring_start(dev);
	if (ret)
		return obs_error(ctx, dev, "starting the ring", ret);
	ret = obs_wait(dev);
	if (ret == 0) {
		conform_info(ctx,
			     "the back-end processed a request published before the first kick "
			     "(status %s): it looks at a ring from VHOST_USER_SET_VRING_KICK on",
			     blk_status_name(*r.status));
		conform_dev_close(dev);
		return CONFORM_PASS;
	}
	if (ret != -ETIMEDOUT)
		return obs_error(ctx, dev, "waiting for the read before any kick", ret);
	conform_note(ctx, "not used within %d ms: writing the kick fd", conform_timeout_ms(ctx));
	if (write(dev->kick_fd[0], &one, sizeof(one)) != sizeof(one))
		return obs_error(ctx, dev, "kick", -errno);
	ret = obs_wait(dev);
	if (ret)
		return obs_error(ctx, dev, "the read was not used after the kick either", ret);
	conform_info(ctx,
		     "the back-end left a request published before the first kick alone for %d ms "
		     "and processed it after the kick (status %s): it starts a ring on the first "
		     "kick",
		     conform_timeout_ms(ctx), blk_status_name(*r.status));
	conform_dev_close(dev);
	return CONFORM_PASS;
}
