/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_VHOST_VHOST_MSG_H
#define STORLAB_VHOST_VHOST_MSG_H

/*
 * The vhost-user codec, shared by the back-end and the front-end (QEMU
 * docs/interop/vhost-user.rst, "Message Specification"): one message is a
 * 12-byte header, hdr.size bytes of payload, and up to VHOST_USER_MAX_FDS file
 * descriptors sent as SCM_RIGHTS with the first byte.
 *
 * Sockets are non-blocking; waits are done with poll() and bounded by a
 * timeout in milliseconds (-1: no bound).
 *
 * fd ownership: a received message owns its fds until the caller takes them
 * (sets the slot to -1) or calls vhost_msg_close_fds(). Every error path of
 * the receiver closes what it received, so nothing leaks.
 */

#include <stdint.h>

#include "spec/vhost_user.h"

struct vhost_msg {
	struct vhost_user_hdr hdr;
	union vhost_user_payload payload;
	int fds[VHOST_USER_MAX_FDS];
	unsigned nfds;
};

/* Receive states (STYLE.md: stream parsers are named states). */
enum vhost_msg_rx_state {
	VHOST_MSG_RX_HDR,     /* reading the 12 header bytes */
	VHOST_MSG_RX_PAYLOAD, /* reading hdr.size payload bytes */
	VHOST_MSG_RX_DONE,    /* rx.msg is whole; the caller takes it */
	VHOST_MSG_RX_ERROR,   /* the stream is unusable: close the connection */
};

struct vhost_msg_rx {
	enum vhost_msg_rx_state state;
	uint32_t got; /* bytes of the current part read so far */
	struct vhost_msg msg;
};

/* Starts a new message; closes the fds of one that was not taken. */
void vhost_msg_rx_reset(struct vhost_msg_rx *rx);

/*
 * Reads what the socket holds, without blocking.
 *   1            rx->msg is whole (state DONE); take it, then vhost_msg_rx_reset()
 *   -EAGAIN      more bytes are needed
 *   -ECONNRESET  the peer closed the connection
 *   -EMSGSIZE    hdr.size > VHOST_USER_MAX_PAYLOAD (logged)
 *   -EPROTO      more than VHOST_USER_MAX_FDS fds, or fds cut short (logged)
 *   other        a negative errno from recvmsg
 * On an error, the state is ERROR and the partial message's fds are closed.
 */
int vhost_msg_rx_step(struct vhost_msg_rx *rx, int sock);

/* Receives one whole message, waiting up to timeout_ms (-ETIMEDOUT). Same
 * errors as vhost_msg_rx_step. On success the caller owns msg->fds. */
int vhost_msg_recv(int sock, struct vhost_msg *msg, int timeout_ms);

/*
 * Sends hdr, hdr->size bytes of payload (may be NULL if size is 0) and nfds
 * fds (at most VHOST_USER_MAX_FDS; not closed), waiting up to timeout_ms for
 * room in the socket. EINTR-safe, no SIGPIPE: a gone peer is -EPIPE or
 * -ECONNRESET.
 */
int vhost_msg_send(int sock, const struct vhost_user_hdr *hdr, const void *payload, const int *fds,
		   unsigned nfds, int timeout_ms);

/* Closes every fd the message still owns. */
void vhost_msg_close_fds(struct vhost_msg *msg);

/* The request's name for log lines ("VHOST_USER_GET_FEATURES"), or "unknown". */
const char *vhost_msg_request_name(uint32_t request);

#endif
