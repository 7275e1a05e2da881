/* SPDX-License-Identifier: MIT */
/*
 * bad_backend's message proxy (main.c has the command line).
 *
 * How it is built: our lib/vhost back-end runs on one end of a socketpair
 * (vhost_dev_create_on_fd); this file sits between it and the real front-end
 * and forwards every message both ways. The protocol switches act on that
 * stream (drop or alter a reply, answer a message itself), so lib/vhost
 * itself needs no test hooks. The data-path switches act in the device
 * (device.c); the switch table is switches.c.
 */
#define LOG_COMPONENT "bad_backend"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bad_backend.h"
#include "spec/vhost_user.h"
#include "spec/virtio.h"
#include "spec/virtio_blk.h"
#include "util/log.h"
#include "vhost/vhost.h"
#include "vhost/vhost_backend_internal.h"
#include "vhost/vhost_msg.h"

#define MSG_TIMEOUT_MS 2000
/* The virtio 1.1 config struct, as QEMU 7.2 knows it (no secure erase). */
#define CONFIG_SIZE_V11 offsetof(struct virtio_blk_config, max_secure_erase_sectors)

/* ---- the connection: front-end <-> us <-> lib/vhost ----------------------- */

#define MAX_KEPT_FDS 64

/* The connection's memory of what the front-end set, for the switches. */
struct conn_state {
	uint32_t vring_base[VHOST_MAX_QUEUES * 2]; /* last SET_VRING_BASE per index */
	int kept_fds[MAX_KEPT_FDS];		   /* keeps-stray-fds: dups */
	unsigned nkept;
};

/* Requests whose answer is a reply of their own, never a bare ack. */
static bool has_own_reply(uint32_t request)
{
	switch (request) {
	case VHOST_USER_GET_FEATURES:
	case VHOST_USER_GET_PROTOCOL_FEATURES:
	case VHOST_USER_GET_QUEUE_NUM:
	case VHOST_USER_GET_VRING_BASE:
	case VHOST_USER_GET_CONFIG:
	case VHOST_USER_GET_MAX_MEM_SLOTS:
	case VHOST_USER_GET_INFLIGHT_FD:
	case VHOST_USER_SET_LOG_BASE:
	case VHOST_USER_GET_STATUS:
		return true;
	default:
		return false;
	}
}

struct conn {
	int fe;		       /* the front-end's connection */
	int lib;	       /* our end of lib/vhost's socketpair */
	struct vhost_dev *dev; /* owns the other end */
	struct vhost_msg_rx rx;
	struct conn_state state;
	uint16_t nrings; /* the queues offered: vring indexes 0..nrings-1 */
};

/* Breaks one of lib/vhost's replies to REQ as the switches say; false: drop it. */
static bool reply_break(struct conn_state *s, const struct vhost_msg *req, struct vhost_msg *m)
{
	uint32_t r = m->hdr.request;

	/* drop-reply-ack: one request that no case's set-up asks an ack for. */
	if (BROKEN(DROP_REPLY_ACK) && r == VHOST_USER_SET_PROTOCOL_FEATURES &&
	    (req->hdr.flags & VHOST_USER_NEED_REPLY_MASK))
		return false;
	/* wrong-vring-base: only once the ring has moved, so that a ring never
	 * kicked still answers its SET_VRING_BASE value. */
	if (BROKEN(WRONG_VRING_BASE) && r == VHOST_USER_GET_VRING_BASE &&
	    m->payload.state.index < VHOST_MAX_QUEUES * 2 &&
	    m->payload.state.num != s->vring_base[m->payload.state.index])
		m->payload.state.num++;
	/* nack-as-ack: a bare ack always says success. */
	if (BROKEN(NACK_AS_ACK) && !has_own_reply(req->hdr.request) &&
	    (req->hdr.flags & VHOST_USER_NEED_REPLY_MASK) && m->hdr.size == sizeof(uint64_t))
		m->payload.u64 = 0;
	/* config-size-wrong: a non-empty answer always carries the whole struct. */
	if (BROKEN(CONFIG_SIZE_WRONG) && r == VHOST_USER_GET_CONFIG &&
	    m->hdr.size > VHOST_USER_CONFIG_HDR_SIZE) {
		m->payload.config.size = sizeof(struct virtio_blk_config);
		disk_get_config(NULL, m->payload.config.region, m->payload.config.offset,
				m->payload.config.size);
		m->hdr.size = VHOST_USER_CONFIG_HDR_SIZE + m->payload.config.size;
	}
	return true;
}

/* Forwards lib/vhost's replies to REQ to the front-end, breaking them as the
 * switches say. 0, or a negative errno to close the connection. */
static int conn_forward_replies(struct conn *c, const struct vhost_msg *req)
{
	struct vhost_msg m;
	int ret;

	while ((ret = vhost_msg_recv(c->lib, &m, 0)) == 0) {
		if (reply_break(&c->state, req, &m))
			ret = vhost_msg_send(c->fe, &m.hdr, &m.payload, m.fds, m.nfds,
					     MSG_TIMEOUT_MS);
		vhost_msg_close_fds(&m);
		if (ret)
			return ret;
	}
	return ret == -ETIMEDOUT || ret == -EAGAIN ? 0 : ret;
}

/* Answers M ourselves, instead of lib/vhost: SIZE bytes of P (0: empty). */
static int conn_answer(struct conn *c, struct vhost_msg *m, const union vhost_user_payload *p,
		       uint32_t size)
{
	struct vhost_user_hdr r = {.request = m->hdr.request,
				   .flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK,
				   .size = size};

	vhost_msg_close_fds(m);
	return vhost_msg_send(c->fe, &r, p, NULL, 0, MSG_TIMEOUT_MS);
}

/* One whole message from the front-end. */
static int conn_handle(struct conn *c, struct vhost_msg *m)
{
	uint32_t req = m->hdr.request;

	/* lax-header: version and reply flag made right before lib/vhost sees them. */
	if (BROKEN(LAX_HEADER))
		m->hdr.flags =
		    (m->hdr.flags & ~(uint32_t)(VHOST_USER_VERSION_MASK | VHOST_USER_REPLY_MASK)) |
		    VHOST_USER_VERSION;
	/* keeps-stray-fds: a copy of every fd, closed only when the front-end goes. */
	for (unsigned i = 0; BROKEN(KEEPS_STRAY_FDS) && i < m->nfds; i++) {
		if (c->state.nkept < MAX_KEPT_FDS)
			c->state.kept_fds[c->state.nkept++] = dup(m->fds[i]);
	}
	/* vring-base-any-index: a state {index, 0} for an index past the queues. */
	if (BROKEN(VRING_BASE_ANY_INDEX) && req == VHOST_USER_GET_VRING_BASE &&
	    m->hdr.size == sizeof(struct vhost_user_vring_state) &&
	    m->payload.state.index >= c->nrings)
		return conn_answer(
		    c, m, &(union vhost_user_payload){.state = {.index = m->payload.state.index}},
		    sizeof(struct vhost_user_vring_state));
	/* ack-unknown-request: "done" (0) for a request no one knows. */
	if (BROKEN(ACK_UNKNOWN_REQUEST) && !strcmp(vhost_msg_request_name(req), "unknown") &&
	    (m->hdr.flags & VHOST_USER_NEED_REPLY_MASK))
		return conn_answer(c, m, &(union vhost_user_payload){.u64 = 0}, sizeof(uint64_t));
	if (BROKEN(CONFIG_SIZE_STRICT) && req == VHOST_USER_GET_CONFIG &&
	    m->hdr.size >= VHOST_USER_CONFIG_HDR_SIZE && m->payload.config.size > CONFIG_SIZE_V11)
		return conn_answer(c, m, NULL, 0);
	if (req == VHOST_USER_SET_VRING_BASE &&
	    m->hdr.size >= sizeof(struct vhost_user_vring_state) &&
	    m->payload.state.index < VHOST_MAX_QUEUES * 2)
		c->state.vring_base[m->payload.state.index] = m->payload.state.num;
	if (req == VHOST_USER_SET_MEM_TABLE || req == VHOST_USER_ADD_MEM_REG ||
	    req == VHOST_USER_REM_MEM_REG || req == VHOST_USER_RESET_OWNER ||
	    req == VHOST_USER_RESET_DEVICE)
		disk_zombies_drop(); /* a stopped ring's memory is about to go */
	/* vhost_dev_handle_msg takes the fds. */
	if (vhost_dev_handle_msg(c->dev, &m->hdr, &m->payload, m->fds, m->nfds) < 0)
		return -EPROTO;
	m->nfds = 0;
	return conn_forward_replies(c, m);
}

static void conn_close(struct conn *c)
{
	if (c->fe < 0)
		return;
	vhost_dev_destroy(c->dev); /* stops the rings, closes its end */
	for (unsigned i = 0; i < c->state.nkept; i++) {
		if (c->state.kept_fds[i] >= 0)
			close(c->state.kept_fds[i]);
	}
	c->state.nkept = 0;
	c->dev = NULL;
	vhost_msg_rx_reset(&c->rx);
	close(c->lib);
	close(c->fe);
	c->fe = c->lib = -1;
	log_info("front-end gone");
}

static int conn_open(struct conn *c, int fe, uint16_t queues)
{
	const struct vhost_dev_opts opts = {
	    .max_queues = queues,
	    .protocol_features = VIRTIO_BIT(VHOST_USER_PROTOCOL_F_MQ) |
				 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) |
				 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG),
	    .ops = &g_disk_ops,
	};
	int sp[2], ret;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	ret = vhost_dev_create_on_fd(&opts, sp[0], &c->dev);
	if (ret) {
		close(sp[0]);
		close(sp[1]);
		return ret;
	}
	c->fe = fe;
	c->nrings = queues;
	c->lib = sp[1];
	vhost_msg_rx_reset(&c->rx);
	memset(&c->state, 0, sizeof(c->state));
	log_info("front-end connected");
	return 0;
}

/* The main loop: accept, proxy messages, run the rings in between. */
void proxy_serve(int lfd, uint16_t queues, volatile sig_atomic_t *stop)
{
	struct conn c = {.fe = -1, .lib = -1};

	while (!*stop) {
		struct pollfd p = {.fd = c.fe >= 0 ? c.fe : lfd, .events = POLLIN};
		unsigned busy = disk_poll();
		int ret = poll(&p, 1, busy ? 0 : 1);

		if (ret <= 0)
			continue;
		if (c.fe < 0) {
			int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

			if (fd >= 0 && conn_open(&c, fd, queues))
				close(fd);
			continue;
		}
		/* Whole messages only; a partial one waits for its next bytes. */
		for (;;) {
			ret = vhost_msg_rx_step(&c.rx, c.fe);
			if (ret == -EAGAIN)
				break;
			if (ret == 1) {
				ret = conn_handle(&c, &c.rx.msg);
				c.rx.msg.nfds = 0;
				vhost_msg_rx_reset(&c.rx);
				if (ret == 0)
					continue;
			}
			conn_close(&c);
			break;
		}
	}
	conn_close(&c);
}
