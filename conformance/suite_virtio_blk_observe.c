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

/*
 * vhost-user.rst "Ring states": "The back-end must start a ring upon
 * receiving a kick (that is, detecting that file descriptor is readable) on
 * the descriptor specified by VHOST_USER_SET_VRING_KICK ...". Back-ends read
 * it two ways: the ring starts with the SET_VRING_KICK message (a polling
 * back-end such as storlab-tgt then looks at it at once), or with the first
 * write to that file descriptor. A front-end that kicks after publishing
 * (virtio 1.2 §2.7.13.4) works with both, so this only records which.
 */
BLK_CASE(blk_q_before_first_kick)
{
	const uint64_t one = 1;
	struct blk_chain chain;
	struct blk_req r;
	struct blk b;
	void *cookie;
	uint32_t len;
	int ret;

	BLK_OPEN_RO(&b, 1, 0);
	if (!blk_req_init(&b, &r, VIRTIO_BLK_T_IN, 0, b.unit)) {
		conform_dev_close(b.dev);
		return conform_error(ctx, "out of guest memory for one read");
	}
	blk_req_chain(&r, &chain);
	ret = blk_chain_add_to(&b, 0, &chain, &r);
	if (ret) {
		conform_dev_close(b.dev);
		return conform_error(ctx, "cannot add the read: %s", strerror(-ret));
	}
	/* Published (§2.7.13.3), not notified: no write to the kick fd yet. */
	virtq_drv_publish(&b.dev->vq[0]);
	conform_note(ctx, "read of sector 0 published on queue 0, the kick fd not written");
	ret = conform_dev_wait_used(b.dev, 0, &cookie, &len);
	/* A last look: an entry used without a notification still counts. */
	if (ret == -ETIMEDOUT)
		ret = virtq_drv_get_used(&b.dev->vq[0], &cookie, &len);
	if (ret == 0) {
		conform_info(ctx,
			     "the back-end processed a request published before the first kick "
			     "(status %s): it takes the ring as started before any kick",
			     blk_status_name(*r.status));
		conform_dev_close(b.dev);
		return CONFORM_PASS;
	}
	if (ret != -EAGAIN && ret != -ETIMEDOUT) {
		conform_dev_close(b.dev);
		return conform_error(ctx, "waiting for the read before any kick: %s",
				     strerror(-ret));
	}
	conform_note(ctx, "not used within %d ms: writing the kick fd", conform_timeout_ms(ctx));
	if (write(b.dev->kick_fd[0], &one, sizeof(one)) != sizeof(one)) {
		ret = -errno;
		conform_dev_close(b.dev);
		return conform_error(ctx, "kick: %s", strerror(-ret));
	}
	ret = blk_wait_cookie(&b, 0, &r, &len);
	if (ret) {
		conform_dev_close(b.dev);
		return conform_error(ctx, "the read was not used after the kick either (%s): "
					  "nothing to observe",
				     strerror(-ret));
	}
	conform_info(ctx,
		     "the back-end left a request published before the first kick alone for %d ms "
		     "and processed it after the kick (status %s): it starts the ring on the "
		     "first kick",
		     conform_timeout_ms(ctx), blk_status_name(*r.status));
	conform_dev_close(b.dev);
	return CONFORM_PASS;
}
