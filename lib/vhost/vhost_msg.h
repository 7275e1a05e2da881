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
 *
 * What arrived: the receiver counts the header and payload bytes of each
 * message as they come (hdr_len, payload_len), so that a message cut short
 * or larger than the codec holds is reported as it was, never with bytes
 * that did not arrive: the header past hdr_len and the payload past what
 * arrived (or past VHOST_USER_MAX_PAYLOAD) read as zero.
 */

#include <stdbool.h>
#include <stdint.h>

#include "spec/vhost_user.h"

struct vhost_msg {
	struct vhost_user_hdr hdr;
	union vhost_user_payload payload;
	int fds[VHOST_USER_MAX_FDS];
	unsigned nfds;
	/* Received messages: the header bytes that arrived (12 once whole) and
	 * the payload bytes that arrived (hdr.size once whole; the first
	 * VHOST_USER_MAX_PAYLOAD of them are in payload). */
	uint32_t hdr_len;
	uint32_t payload_len;
};

/* Receive states (STYLE.md: stream parsers are named states). */
enum vhost_msg_rx_state {
	VHOST_MSG_RX_HDR,     /* reading the 12 header bytes */
	VHOST_MSG_RX_PAYLOAD, /* reading payload bytes into msg.payload */
	VHOST_MSG_RX_DRAIN,   /* reading and dropping the payload bytes past
			       * VHOST_USER_MAX_PAYLOAD (drain_max set) */
	VHOST_MSG_RX_DONE,    /* rx.msg is whole; the caller takes it */
	VHOST_MSG_RX_ERROR,   /* the stream is unusable: close the connection */
};

struct vhost_msg_rx {
	enum vhost_msg_rx_state state;
	uint32_t got; /* bytes of the current part read so far */
	/* Set by the owner. 0: a payload larger than VHOST_USER_MAX_PAYLOAD is
	 * refused at its header (a back-end closes such a connection). Else a
	 * payload of up to drain_max bytes is read to its end, its first
	 * VHOST_USER_MAX_PAYLOAD bytes kept, so the stream stays in step and
	 * the message can be reported (a front-end facing a back-end it does
	 * not trust). */
	uint32_t drain_max;
	/* The kernel gave more fds than a message may carry: they were closed
	 * and the message is refused once it is read to its end. */
	bool fds_dropped;
	struct vhost_msg msg;
};

/* Starts a new message; closes the fds of one that was not taken. */
void vhost_msg_rx_reset(struct vhost_msg_rx *rx);

/*
 * Reads what the socket holds, without blocking.
 *   1            rx->msg is whole (state DONE); take it, then vhost_msg_rx_reset()
 *   -EAGAIN      more bytes are needed
 *   -ECONNRESET  the peer closed the connection
 *   -EMSGSIZE    hdr.size > VHOST_USER_MAX_PAYLOAD (logged). With drain_max
 *                and hdr.size <= drain_max, returned once the payload was
 *                read to its end (payload_len == hdr.size: the stream is in
 *                step); past drain_max, at the header (nothing of the
 *                payload read: the stream is out of step).
 *   -EPROTO      more than VHOST_USER_MAX_FDS fds, or fds cut short (logged),
 *                returned once the message was read to its end
 *   other        a negative errno from recvmsg
 * On an error, the state is ERROR and the message's fds are closed; rx->msg
 * still holds what arrived (hdr_len, payload_len).
 */
int vhost_msg_rx_step(struct vhost_msg_rx *rx, int sock);

/* Receives one whole message, waiting up to timeout_ms (-ETIMEDOUT). Same
 * errors as vhost_msg_rx_step. On success the caller owns msg->fds. *msg is
 * written in every case: after an error it holds what arrived (nothing:
 * hdr_len 0) and no fds. */
int vhost_msg_recv(int sock, struct vhost_msg *msg, int timeout_ms);
/* The same, with rx.drain_max = drain_max (a receiver that drains). */
int vhost_msg_recv_drain(int sock, struct vhost_msg *msg, uint32_t drain_max, int timeout_ms);

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
/* The request named "VHOST_USER_GET_VRING_BASE" or "GET_VRING_BASE": 0 with
 * *request set, or -ENOENT. */
int vhost_msg_request_code(const char *name, uint32_t *request);

#endif
