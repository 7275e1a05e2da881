/* SPDX-License-Identifier: MIT */
/*
 * The client's socket: a command sent, its reply received (a state machine
 * over the header and the payload, fds kept or closed as they come), the
 * server's own commands served while the reply is awaited ("Command
 * Concurrency": "unrelated messages sent from the server to the client can
 * appear in between a client to server request/reply").
 */
#define LOG_COMPONENT "vfio-user"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"
#include "util/unix_sock.h"
#include "vfio-user/vfio_user_client_internal.h"

union client_control {
	char buf[CMSG_SPACE(sizeof(int) * VFIO_USER_MAX_MSG_FDS_LIMIT)];
	struct cmsghdr align;
};

/* *buf holds at least need bytes. */
static int buf_grow(uint8_t **buf, uint32_t *size, size_t need)
{
	uint8_t *p;

	if (need <= *size)
		return 0;
	p = realloc(*buf, need);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*size = (uint32_t)need;
	return 0;
}

int vfio_user_client_tx_reserve(struct vfio_user_client *c, size_t need)
{
	return buf_grow(&c->tx, &c->tx_size, need);
}

uint16_t vfio_user_client_next_id(struct vfio_user_client *c)
{
	return c->next_id++;
}

/* The message of len bytes at msg (its header first) to the tap, if any. */
static void tap(struct vfio_user_client *c, bool sent, const uint8_t *msg, size_t len,
		unsigned nfds)
{
	struct vfio_user_hdr h;

	if (!c->tap.fn)
		return;
	memcpy(&h, msg, sizeof(h));
	c->tap.fn(c->tap.arg, sent, &h, msg + sizeof(h), (uint32_t)(len - sizeof(h)), nfds);
}

int vfio_user_client_send(struct vfio_user_client *c, size_t len, const int *fds, unsigned nfds,
			  int64_t deadline)
{
	union client_control control;
	size_t done = 0;

	while (done < len) {
		struct iovec iov = {.iov_base = c->tx + done, .iov_len = len - done};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n;
		int ret;

		/* The fds go with the first byte. */
		if (done == 0 && nfds)
			util_unix_put_fds(&mh, control.buf, fds, nfds);
		n = sendmsg(c->sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0) {
			done += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		ret = deadline_wait_fd(c->sock, POLLOUT, deadline);
		if (ret < 0)
			return ret;
	}
	tap(c, true, c->tx, len, nfds);
	return 0;
}

static void rx_close_fds(struct vfio_user_client *c)
{
	for (unsigned i = 0; i < c->rx_nfds; i++)
		if (c->rx_fds[i] >= 0)
			close(c->rx_fds[i]);
	c->rx_nfds = 0;
}

/* One recvmsg into the message buffer; every fd that came is kept or
 * closed. Bytes read, -EAGAIN, or -ECONNRESET when the server closed. */
static int rx_read(struct vfio_user_client *c, uint32_t want)
{
	ssize_t n = util_unix_recv(c->sock, c->rx + c->rx_got, want - c->rx_got, c->rx_fds,
				   VFIO_USER_CLIENT_RX_FDS, &c->rx_nfds, &c->rx_fds_lost);

	if (n < 0)
		return (int)n;
	if (n == 0) {
		log_warn("vfio-user.rst Server Disconnection: the server closed the socket%s",
			 c->rx_state == VFIO_USER_CLIENT_RX_HDR && c->rx_got == 0
			     ? ""
			     : " in the middle of a message");
		return -ECONNRESET;
	}
	c->rx_got += (uint32_t)n;
	return 0;
}

/* VFIO_USER_CLIENT_RX_HDR: the 16 bytes, checked before the payload is
 * read. A command the spec does not list is read to its end, then refused. */
static int rx_hdr(struct vfio_user_client *c)
{
	struct vfio_user_hdr h;
	int ret = rx_read(c, sizeof(h));

	if (ret < 0 || c->rx_got < sizeof(h))
		return ret < 0 ? ret : -EAGAIN;
	memcpy(&h, c->rx, sizeof(h));
	c->rx_hdr_ret = vfio_user_hdr_check(&h, VFIO_USER_CLIENT, c->rx_max);
	if (c->rx_hdr_ret < 0 && c->rx_hdr_ret != -EOPNOTSUPP)
		return c->rx_hdr_ret;
	if (buf_grow(&c->rx, &c->rx_size, h.msg_size) < 0)
		return -ENOMEM;
	c->rx_state =
	    h.msg_size > sizeof(h) ? VFIO_USER_CLIENT_RX_PAYLOAD : VFIO_USER_CLIENT_RX_DONE;
	return 0;
}

/* VFIO_USER_CLIENT_RX_PAYLOAD: up to the header's msg_size. */
static int rx_payload(struct vfio_user_client *c)
{
	struct vfio_user_hdr h;
	int ret;

	memcpy(&h, c->rx, sizeof(h));
	ret = rx_read(c, h.msg_size);
	if (ret < 0 || c->rx_got < h.msg_size)
		return ret < 0 ? ret : -EAGAIN;
	c->rx_state = VFIO_USER_CLIENT_RX_DONE;
	return 0;
}

/* One whole message into c->rx and c->rx_fds, before deadline. */
static int rx_message(struct vfio_user_client *c, int64_t deadline)
{
	int ret = 0;

	c->rx_state = VFIO_USER_CLIENT_RX_HDR;
	c->rx_got = 0;
	c->rx_fds_lost = false;
	while (c->rx_state != VFIO_USER_CLIENT_RX_DONE) {
		if (c->rx_state == VFIO_USER_CLIENT_RX_HDR)
			ret = rx_hdr(c);
		else
			ret = rx_payload(c);
		if (ret == -EAGAIN)
			ret = deadline_wait_fd(c->sock, POLLIN, deadline);
		if (ret < 0)
			return ret;
	}
	tap(c, false, c->rx, c->rx_got, c->rx_nfds);
	if (c->rx_fds_lost) {
		log_warn("vfio-user.rst VFIO_USER_VERSION max_msg_fds: more than %d fds came "
			 "with one message",
			 VFIO_USER_CLIENT_RX_FDS);
		return -EPROTO;
	}
	return 0;
}

/* The connection is of no more use: the caller can only close it. The
 * reason was logged where it was found; a timeout is logged here. */
static int broken(struct vfio_user_client *c, const struct vfio_user_cmd *sent, int ret)
{
	rx_close_fds(c);
	c->broken = true;
	if (ret == -ETIMEDOUT)
		log_warn("vfio-user.rst Request Retry and Response Timeout: no reply to %s %u "
			 "within %d ms",
			 vfio_user_cmd_name(sent->hdr.cmd), sent->hdr.msg_id, c->timeout_ms);
	return ret;
}

/* A command of the server: served, or refused if the spec does not list
 * it. Whatever it carried is closed. */
static int rx_command(struct vfio_user_client *c, const struct vfio_user_hdr *h,
		      const struct vfio_user_msg *msg)
{
	int ret;

	if (c->rx_hdr_ret == -EOPNOTSUPP)
		ret = vfio_user_client_refuse(c, h, EOPNOTSUPP);
	else
		ret = vfio_user_client_serve(c, msg);
	rx_close_fds(c);
	return ret;
}

/* The command in c->tx as the server will parse it: what its reply is
 * checked against. Refused here, it is never sent. */
static int sent_view(struct vfio_user_client *c, int len, const int *fds, unsigned nfds,
		     struct vfio_user_cmd *sent)
{
	struct vfio_user_msg msg;

	if (len < 0 ||
	    vfio_user_msg_view(c->tx, (size_t)len, fds, nfds, c->server.max_msg_fds,
			       VFIO_USER_SERVER, vfio_user_max_msg_size(&c->server), &msg) < 0 ||
	    vfio_user_cmd_parse(&msg, &c->server, sent) < 0)
		return -EINVAL;
	return 0;
}

/* Reads messages until the reply to sent, serving the server's commands
 * on the way. */
static int await_reply(struct vfio_user_client *c, const struct vfio_user_cmd *sent,
		       int64_t deadline, struct vfio_user_reply *r)
{
	struct vfio_user_msg msg;
	struct vfio_user_hdr h;
	int ret;

	for (;;) {
		ret = rx_message(c, deadline);
		if (ret < 0)
			return ret;
		memcpy(&h, c->rx, sizeof(h));
		if (c->rx_hdr_ret == 0) {
			ret = vfio_user_msg_view(c->rx, c->rx_got, c->rx_fds, c->rx_nfds,
						 c->local.max_msg_fds, VFIO_USER_CLIENT, c->rx_max,
						 &msg);
			if (ret < 0)
				return ret;
		}
		if ((h.flags & VFIO_USER_F_TYPE_MASK) != VFIO_USER_F_TYPE_COMMAND)
			break;
		ret = rx_command(c, &h, &msg);
		if (ret < 0)
			return ret;
	}
	if (c->rx_hdr_ret < 0)
		return -EPROTO; /* a reply to an unlisted command: logged */
	return vfio_user_reply_parse(&msg, sent, r);
}

int vfio_user_client_request(struct vfio_user_client *c, int len, const int *fds, unsigned nfds,
			     struct vfio_user_reply *r, int *fd_out)
{
	struct vfio_user_cmd sent;
	int64_t deadline;
	int ret;

	if (c->broken)
		return -ENOTCONN;
	ret = sent_view(c, len, fds, nfds, &sent);
	if (ret < 0)
		return ret;
	deadline = deadline_from_timeout(c->timeout_ms);
	ret = vfio_user_client_send(c, (size_t)len, fds, nfds, deadline);
	if (ret < 0 && ret != -ETIMEDOUT)
		log_warn("vfio-user.rst Server Disconnection: sending %s %u: %s",
			 vfio_user_cmd_name(sent.hdr.cmd), sent.hdr.msg_id, strerror(-ret));
	if (ret == 0)
		ret = await_reply(c, &sent, deadline, r);
	if (ret < 0)
		return broken(c, &sent, ret);
	if (fd_out && !r->error && c->rx_nfds) {
		*fd_out = c->rx_fds[0];
		c->rx_fds[0] = -1;
	} else if (fd_out) {
		*fd_out = -1;
	}
	rx_close_fds(c);
	return r->error ? -r->error : 0;
}
