/* SPDX-License-Identifier: MIT */
/*
 * vhost-user suite: connections (VHOST-CONN). A front-end goes away at each
 * stage of bring-up, or in the middle of a message; the next front-end must
 * be served from scratch ("Communication": reconnection is optional in the
 * protocol, so these cases are SHOULD; a back-end listening on a socket that
 * stops serving after one front-end cannot be used across a VM reboot).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "conformance/suite_vhost_user.h"

/* A new front-end brings a ring up from scratch and reads its base back. */
static enum conform_verdict fresh_bringup(struct conform_ctx *ctx)
{
	struct vu_conn c;
	struct vu_mem m;
	uint32_t base;
	int ret;

	if (vu_open_mem(ctx, VU_PF(REPLY_ACK), &c, &m))
		return conform_fail(ctx, "the new front-end could not negotiate or set memory");
	if (vu_ring_setup(ctx, &c, &m, 0, 7, true))
		return conform_fail(ctx, "the new front-end could not set up ring 0");
	ret = vhost_fe_get_vring_base(c.fe, 0, &base);
	if (ret < 0)
		return conform_fail(ctx, "VHOST_USER_GET_VRING_BASE: %s", strerror(-ret));
	if (base != 7)
		return conform_fail(ctx, "vring base %u on the new connection, 7 expected", base);
	return CONFORM_PASS;
}

/* The first front-end goes as far as stage (0 features, 1 memory, 2 rings
 * started) and closes; the next one must be served. */
static enum conform_verdict gone_after(struct conform_ctx *ctx, int stage)
{
	struct vu_conn c;
	struct vu_mem m;

	if (stage == 0 ? vu_open(ctx, VU_PF(REPLY_ACK), &c)
		       : vu_open_mem(ctx, VU_PF(REPLY_ACK), &c, &m))
		return CONFORM_ERROR;
	if (stage >= 2 && (vu_ring_setup(ctx, &c, &m, 0, 0, true) ||
			   vu_ring_setup(ctx, &c, &m, 1, 0, true)))
		return CONFORM_ERROR;
	vu_close(&c);
	return fresh_bringup(ctx);
}

enum conform_verdict vu_conn_after_features(struct conform_ctx *ctx)
{
	return gone_after(ctx, 0);
}

enum conform_verdict vu_conn_after_mem_table(struct conform_ctx *ctx)
{
	return gone_after(ctx, 1);
}

enum conform_verdict vu_conn_after_rings(struct conform_ctx *ctx)
{
	return gone_after(ctx, 2);
}

/* Writes the first len bytes of a message and closes the connection. */
static enum conform_verdict cut_message(struct conform_ctx *ctx, size_t len)
{
	struct {
		struct vhost_user_hdr hdr;
		uint64_t features;
	} __attribute__((packed)) msg = {
	    .hdr = {.request = VHOST_USER_SET_FEATURES, .flags = VHOST_USER_VERSION, .size = 8}};
	struct vu_conn c;

	if (vu_open(ctx, 0, &c))
		return CONFORM_ERROR;
	msg.features = c.features;
	if (write(vhost_fe_fd(c.fe), &msg, len) != (ssize_t)len)
		return conform_error(ctx, "write: %s", strerror(errno));
	vu_close(&c);
	return fresh_bringup(ctx);
}

enum conform_verdict vu_conn_truncated_header(struct conform_ctx *ctx)
{
	return cut_message(ctx, 6);
}

enum conform_verdict vu_conn_truncated_payload(struct conform_ctx *ctx)
{
	return cut_message(ctx, sizeof(struct vhost_user_hdr) + 3);
}

/* Two queues with 32 reads each made available and kicked; the front-end
 * closes without waiting for any of them. */
enum conform_verdict vu_conn_io_in_flight(struct conform_ctx *ctx)
{
	struct conform_dev_opts o = {.nqueues = 2};
	struct conform_dev *dev;
	int ret = conform_dev_setup(ctx, &o, &dev);

	if (ret < 0)
		return conform_error(ctx, "device set-up: %s", strerror(-ret));
	for (uint16_t q = 0; q < 2; q++) {
		for (unsigned i = 0; i < 32; i++) {
			ret = vu_io_read(dev, q, i, (void *)(uintptr_t)(i + 1));
			if (ret < 0)
				return conform_error(ctx, "adding a read: %s", strerror(-ret));
		}
		conform_dev_kick(dev, q);
	}
	vhost_fe_close(dev->fe);
	dev->fe = NULL;
	return fresh_bringup(ctx);
}
