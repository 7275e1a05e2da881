/* SPDX-License-Identifier: MIT */
/*
 * vfio-user headers: the command table and the checks every received
 * message passes before its payload is looked at (vfio-user.rst "Header",
 * "Commands").
 */
#define LOG_COMPONENT "vfio-user"

#include <errno.h>
#include <string.h>

#include "util/common.h"
#include "util/log.h"
#include "vfio-user/vfio_user.h"
#include "vfio-user/vfio_user_internal.h"

/* "Commands": each command's name and the side that sends it. */
static const struct vfio_user_cmd_desc g_cmds[VFIO_USER_MAX_COMMAND] = {
    [VFIO_USER_VERSION] = {"VFIO_USER_VERSION", VFIO_USER_CLIENT},
    [VFIO_USER_DMA_MAP] = {"VFIO_USER_DMA_MAP", VFIO_USER_CLIENT},
    [VFIO_USER_DMA_UNMAP] = {"VFIO_USER_DMA_UNMAP", VFIO_USER_CLIENT},
    [VFIO_USER_DEVICE_GET_INFO] = {"VFIO_USER_DEVICE_GET_INFO", VFIO_USER_CLIENT},
    [VFIO_USER_DEVICE_GET_REGION_INFO] = {"VFIO_USER_DEVICE_GET_REGION_INFO", VFIO_USER_CLIENT},
    [VFIO_USER_DEVICE_GET_REGION_IO_FDS] = {"VFIO_USER_DEVICE_GET_REGION_IO_FDS", VFIO_USER_CLIENT},
    [VFIO_USER_DEVICE_GET_IRQ_INFO] = {"VFIO_USER_DEVICE_GET_IRQ_INFO", VFIO_USER_CLIENT},
    [VFIO_USER_DEVICE_SET_IRQS] = {"VFIO_USER_DEVICE_SET_IRQS", VFIO_USER_CLIENT},
    [VFIO_USER_REGION_READ] = {"VFIO_USER_REGION_READ", VFIO_USER_CLIENT},
    [VFIO_USER_REGION_WRITE] = {"VFIO_USER_REGION_WRITE", VFIO_USER_CLIENT},
    [VFIO_USER_DMA_READ] = {"VFIO_USER_DMA_READ", VFIO_USER_SERVER},
    [VFIO_USER_DMA_WRITE] = {"VFIO_USER_DMA_WRITE", VFIO_USER_SERVER},
    [VFIO_USER_DEVICE_RESET] = {"VFIO_USER_DEVICE_RESET", VFIO_USER_CLIENT},
    [VFIO_USER_REGION_WRITE_MULTI] = {"VFIO_USER_REGION_WRITE_MULTI", VFIO_USER_CLIENT},
    [VFIO_USER_DEVICE_FEATURE] = {"VFIO_USER_DEVICE_FEATURE", VFIO_USER_CLIENT},
    [VFIO_USER_MIG_DATA_READ] = {"VFIO_USER_MIG_DATA_READ", VFIO_USER_CLIENT},
    [VFIO_USER_MIG_DATA_WRITE] = {"VFIO_USER_MIG_DATA_WRITE", VFIO_USER_CLIENT},
};

const struct vfio_user_cmd_desc *vfio_user_cmd_desc(uint16_t cmd)
{
	if (cmd >= ARRAY_SIZE(g_cmds) || !g_cmds[cmd].name)
		return NULL;
	return &g_cmds[cmd];
}

const char *vfio_user_cmd_name(uint16_t cmd)
{
	const struct vfio_user_cmd_desc *d = vfio_user_cmd_desc(cmd);

	return d ? d->name : "unknown";
}

/* The type, No_reply and Error bits against the message's kind. */
static int check_flags(const struct vfio_user_hdr *h)
{
	uint32_t type = h->flags & VFIO_USER_F_TYPE_MASK;

	if (type != VFIO_USER_F_TYPE_COMMAND && type != VFIO_USER_F_TYPE_REPLY) {
		log_warn("vfio-user.rst Header: message %u type %u is neither Command (0) nor "
			 "Reply (1)",
			 h->msg_id, type);
		return -EPROTO;
	}
	if (type == VFIO_USER_F_TYPE_COMMAND && (h->flags & VFIO_USER_F_ERROR)) {
		log_warn("vfio-user.rst Header: %s command %u has the Error bit, which only a "
			 "reply carries",
			 vfio_user_cmd_name(h->cmd), h->msg_id);
		return -EPROTO;
	}
	if (type == VFIO_USER_F_TYPE_REPLY && (h->flags & VFIO_USER_F_NO_REPLY)) {
		log_warn("vfio-user.rst Header: %s reply %u has the No_reply bit, which only a "
			 "command carries",
			 vfio_user_cmd_name(h->cmd), h->msg_id);
		return -EPROTO;
	}
	if (type == VFIO_USER_F_TYPE_REPLY && (h->flags & VFIO_USER_F_ERROR) &&
	    h->msg_size != sizeof(*h)) {
		log_warn("vfio-user.rst Header: error reply %u to %s has %u bytes; \"the reply "
			 "message must only include the reply header\"",
			 h->msg_id, vfio_user_cmd_name(h->cmd), h->msg_size);
		return -EPROTO;
	}
	return 0;
}

int vfio_user_hdr_check(const struct vfio_user_hdr *h, enum vfio_user_side side,
			uint32_t max_msg_size)
{
	const struct vfio_user_cmd_desc *d;
	bool is_cmd;
	int ret;

	if (h->msg_size < sizeof(*h)) {
		log_warn("vfio-user.rst Header: message %u size %u is below the 16-byte header it "
			 "includes",
			 h->msg_id, h->msg_size);
		return -EBADMSG;
	}
	if (h->msg_size > max_msg_size) {
		log_warn("vfio-user.rst Message sizes: message %u (%s) of %u bytes is past the %u "
			 "this side receives",
			 h->msg_id, vfio_user_cmd_name(h->cmd), h->msg_size, max_msg_size);
		return -EMSGSIZE;
	}
	ret = check_flags(h);
	if (ret < 0)
		return ret;
	d = vfio_user_cmd_desc(h->cmd);
	if (!d) {
		log_warn("vfio-user.rst Commands: message %u has command %u, which the spec does "
			 "not list",
			 h->msg_id, h->cmd);
		return -EOPNOTSUPP;
	}
	/* A command comes from the other side; a reply answers one of ours. */
	is_cmd = (h->flags & VFIO_USER_F_TYPE_MASK) == VFIO_USER_F_TYPE_COMMAND;
	if (is_cmd == (d->sender == side)) {
		log_warn("vfio-user.rst Commands: %s goes %s, so the %s does not receive it as a "
			 "%s",
			 d->name,
			 d->sender == VFIO_USER_CLIENT ? "client -> server" : "server -> client",
			 side == VFIO_USER_CLIENT ? "client" : "server",
			 is_cmd ? "command" : "reply");
		return -EPROTO;
	}
	return 0;
}

int vfio_user_msg_view(const void *buf, size_t len, const int *fds, unsigned nfds, unsigned max_fds,
		       enum vfio_user_side side, uint32_t max_msg_size, struct vfio_user_msg *msg)
{
	struct vfio_user_hdr *h = &msg->hdr;
	int ret;

	memset(msg, 0, sizeof(*msg));
	if (len < sizeof(*h)) {
		log_warn("vfio-user.rst Header: %zu bytes, short of the 16-byte header", len);
		return -EBADMSG;
	}
	memcpy(h, buf, sizeof(*h));
	ret = vfio_user_hdr_check(h, side, max_msg_size);
	if (ret < 0)
		return ret;
	if (len != h->msg_size) {
		log_warn("vfio-user.rst Header: message %u says %u bytes, %zu arrived", h->msg_id,
			 h->msg_size, len);
		return -EPROTO;
	}
	if (nfds > max_fds) {
		log_warn("vfio-user.rst VFIO_USER_VERSION max_msg_fds: message %u came with %u "
			 "fds, more than the %u negotiated",
			 h->msg_id, nfds, max_fds);
		return -EPROTO;
	}
	msg->payload = (const uint8_t *)buf + sizeof(*h);
	msg->len = h->msg_size - sizeof(*h);
	msg->fds = fds;
	msg->nfds = nfds;
	return 0;
}
