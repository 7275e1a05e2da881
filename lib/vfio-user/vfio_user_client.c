/* SPDX-License-Identifier: MIT */
/*
 * The client's life: connected, set up as "Connection Initiation" and
 * "Device Information" say (VERSION first, then DEVICE_GET_INFO and the
 * regions), the device's interrupts and reset, and closed.
 */
#define LOG_COMPONENT "vfio-user"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"
#include "util/unix_sock.h"
#include "vfio-user/vfio_user_client_internal.h"

/* VERSION: ours proposed, the server's capabilities kept. */
static int negotiate(struct vfio_user_client *c)
{
	struct vfio_user_reply r;
	int len = vfio_user_build_version(c->tx, c->tx_size, NULL, vfio_user_client_next_id(c),
					  VFIO_USER_MAJOR, VFIO_USER_MINOR, &c->local);
	int ret = vfio_user_client_request(c, len, NULL, 0, &r, NULL);

	if (ret < 0)
		return ret;
	c->server = r.u.version.caps;
	c->xfer_max = MIN(c->server.max_data_xfer_size, c->local.max_data_xfer_size);
	return 0;
}

static int device_info(struct vfio_user_client *c)
{
	struct vfio_user_device_info d = {.argsz = sizeof(d)};
	struct vfio_user_reply r;
	int len = vfio_user_build_cmd(c->tx, c->tx_size, vfio_user_client_next_id(c),
				      VFIO_USER_DEVICE_GET_INFO, 0, &d, sizeof(d), NULL, 0);
	int ret = vfio_user_client_request(c, len, NULL, 0, &r, NULL);

	if (ret < 0)
		return ret;
	if (r.u.device_info.num_regions > VFIO_USER_CLIENT_MAX_REGIONS) {
		log_warn("vfio-user.rst VFIO_USER_DEVICE_GET_INFO: %u regions, more than the %d "
			 "this client takes",
			 r.u.device_info.num_regions, VFIO_USER_CLIENT_MAX_REGIONS);
		return -EPROTO;
	}
	c->dev = r.u.device_info;
	return 0;
}

static int client_new(int sock, int timeout_ms, struct vfio_user_client **out)
{
	struct vfio_user_client *c = calloc(1, sizeof(*c));

	*out = c; /* closed by the caller on failure */
	if (!c) {
		close(sock);
		return -ENOMEM;
	}
	c->sock = sock;
	c->timeout_ms = timeout_ms;
	vfio_user_caps_default(&c->local);
	vfio_user_caps_default(&c->server); /* until VERSION says otherwise */
	c->xfer_max = c->local.max_data_xfer_size;
	c->rx_max = vfio_user_max_msg_size(&c->local);
	c->tx_size = c->rx_size = VFIO_USER_CLIENT_BUF_FIRST;
	c->tx = malloc(c->tx_size);
	c->rx = malloc(c->rx_size);
	c->dma = calloc(VFIO_USER_CLIENT_MAX_DMA, sizeof(*c->dma));
	if (!c->tx || !c->rx || !c->dma)
		return -ENOMEM;
	return 0;
}

int vfio_user_client_attach(int sock, int timeout_ms, struct vfio_user_client **out)
{
	struct vfio_user_client *c;
	int ret, fl = fcntl(sock, F_GETFL);

	if (fl < 0 || fcntl(sock, F_SETFL, fl | O_NONBLOCK) < 0) {
		ret = -errno;
		close(sock);
		return ret;
	}
	ret = client_new(sock, timeout_ms, &c);
	if (ret == 0)
		ret = negotiate(c);
	if (ret == 0)
		ret = device_info(c);
	if (ret == 0)
		ret = vfio_user_client_regions_init(c);
	if (ret < 0) {
		vfio_user_client_close(c);
		return ret;
	}
	*out = c;
	return 0;
}

int vfio_user_client_connect(const char *path, int timeout_ms, struct vfio_user_client **out)
{
	int sock = util_unix_connect(path, deadline_from_timeout(timeout_ms));

	if (sock < 0) {
		log_warn("vfio-user: connect to %s: %s", path, strerror(-sock));
		return sock;
	}
	return vfio_user_client_attach(sock, timeout_ms, out);
}

void vfio_user_client_close(struct vfio_user_client *c)
{
	if (!c)
		return;
	vfio_user_client_regions_fini(c);
	close(c->sock);
	free(c->dma);
	free(c->rx);
	free(c->tx);
	free(c);
}

bool vfio_user_client_broken(const struct vfio_user_client *c)
{
	return c->broken;
}

void vfio_user_client_set_tap(struct vfio_user_client *c, const struct vfio_user_client_tap *tap)
{
	c->tap = tap ? *tap : (struct vfio_user_client_tap){0};
}

int vfio_user_client_fd(const struct vfio_user_client *c)
{
	return c->sock;
}

const struct vfio_user_caps *vfio_user_client_server_caps(const struct vfio_user_client *c)
{
	return &c->server;
}

const struct vfio_user_device_info *vfio_user_client_device_info(const struct vfio_user_client *c)
{
	return &c->dev;
}

static int irq_index_ok(const struct vfio_user_client *c, uint32_t index)
{
	if (index < c->dev.num_irqs)
		return 0;
	log_warn("vfio-user.rst VFIO_USER_DEVICE_GET_INFO: IRQ index %u is past the device's "
		 "%u",
		 index, c->dev.num_irqs);
	return -ENOENT;
}

int vfio_user_client_irq_info(struct vfio_user_client *c, uint32_t index,
			      struct vfio_irq_info *info)
{
	struct vfio_irq_info q = {.argsz = sizeof(q), .index = index};
	struct vfio_user_reply r;
	int len, ret = irq_index_ok(c, index);

	if (ret < 0)
		return ret;
	len = vfio_user_build_cmd(c->tx, c->tx_size, vfio_user_client_next_id(c),
				  VFIO_USER_DEVICE_GET_IRQ_INFO, 0, &q, sizeof(q), NULL, 0);
	ret = vfio_user_client_request(c, len, NULL, 0, &r, NULL);
	if (ret == 0)
		*info = r.u.irq_info;
	return ret;
}

/* One SET_IRQS message: count vectors from start, with count fds or none. */
static int set_irqs_msg(struct vfio_user_client *c, uint32_t index, uint32_t start, uint32_t count,
			const int *fds)
{
	struct vfio_irq_set s = {
	    .argsz = sizeof(s),
	    .flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
	    .index = index,
	    .start = start,
	    .count = count,
	};
	struct vfio_user_reply r;
	int len = vfio_user_build_cmd(c->tx, c->tx_size, vfio_user_client_next_id(c),
				      VFIO_USER_DEVICE_SET_IRQS, 0, &s, sizeof(s), NULL, 0);

	return vfio_user_client_request(c, len, fds, fds ? count : 0, &r, NULL);
}

int vfio_user_client_set_irqs(struct vfio_user_client *c, uint32_t index, uint32_t start,
			      uint32_t count, const int *fds)
{
	uint32_t per = fds ? c->server.max_msg_fds : count;
	int ret = irq_index_ok(c, index);

	if (ret < 0)
		return ret;
	if (count == 0 || start + count < start) {
		log_warn("vfio-user.rst VFIO_USER_DEVICE_SET_IRQS: %u vectors from %u", count,
			 start);
		return -EINVAL;
	}
	if (per == 0) {
		log_warn("vfio-user.rst VFIO_USER_VERSION max_msg_fds: the server takes no fds, "
			 "so no eventfd can reach it");
		return -EOPNOTSUPP;
	}
	/* "max_msg_fds": at most that many fds a message; the vectors go in
	 * runs of that many. */
	for (uint32_t done = 0; done < count && ret == 0; done += per)
		ret = set_irqs_msg(c, index, start + done, MIN(per, count - done),
				   fds ? fds + done : NULL);
	return ret;
}

int vfio_user_client_reset(struct vfio_user_client *c)
{
	struct vfio_user_reply r;
	int len;

	if (!(c->dev.flags & VFIO_DEVICE_FLAGS_RESET)) {
		log_warn("vfio-user.rst VFIO_USER_DEVICE_GET_INFO: the device has no "
			 "VFIO_DEVICE_FLAGS_RESET");
		return -EOPNOTSUPP;
	}
	len = vfio_user_build_cmd(c->tx, c->tx_size, vfio_user_client_next_id(c),
				  VFIO_USER_DEVICE_RESET, 0, NULL, 0, NULL, 0);
	return vfio_user_client_request(c, len, NULL, 0, &r, NULL);
}
