/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_VHOST_VHOST_TAP_H
#define STORLAB_VHOST_VHOST_TAP_H

/*
 * The message tap: one hook that sees every vhost-user message an endpoint
 * of lib/vhost sends or receives, with what went over the wire. The
 * front-end (vhost_fe_set_tap) and the back-end (vhost_dev_opts.tap) take the
 * same struct vhost_tap; a program that moves messages with the codec itself
 * (a recording proxy) reports them through vhost_tap_emit(). Conformance
 * traces are built on it, and so are migration recordings.
 *
 * Contract of the hook:
 *   - Thread: it runs on the thread that sent or received the message, right
 *     after the fact: the back-end's control thread (its evloop), the
 *     caller's thread for a front-end. Calls for one endpoint come one at a
 *     time, in the order of the wire.
 *   - What it is given lives for the call only: msg, msg->payload and
 *     msg->fds are the endpoint's and are gone or reused when the hook
 *     returns. Copy what is to be kept; dup() an fd to keep it.
 *   - It may not: close, read or write the fds it is given, call back into
 *     the endpoint that called it (no send or receive on that connection,
 *     no close or destroy), or block for long (a back-end's control thread
 *     serves other devices and its RPC in between). It must not fail: it
 *     returns nothing, and the endpoint goes on whatever it does.
 *     A front-end's tap runs on its caller's thread, which only that
 *     front-end uses: there it may block (the crash matrix kills and
 *     restarts the back-end from its tap, between two messages).
 *   - A message is reported once it went whole (sent) or once the receiver
 *     is done with it (received): whole, or cut short / oversized, with
 *     error saying which. A message nothing of which arrived is not
 *     reported; a send that failed is not reported (the endpoint logs it).
 *   - The back-end reports the messages it handles and the replies it sends;
 *     a message its receiver refuses at the header (a payload larger than
 *     any, more than VHOST_USER_MAX_FDS fds) ends the connection unreported.
 */

#include <stdint.h>

#include "spec/vhost_user.h"

enum vhost_tap_dir {
	VHOST_TAP_SENT,
	VHOST_TAP_RECEIVED,
};

/* The role of the endpoint that reports the message on that connection. A
 * proxy reports each of its two connections with the role it plays there. */
enum vhost_tap_side {
	VHOST_TAP_FRONTEND,
	VHOST_TAP_BACKEND,
};

struct vhost_tap_msg {
	uint64_t time_ns; /* CLOCK_MONOTONIC, when the message was reported */
	enum vhost_tap_dir dir;
	enum vhost_tap_side side;
	/* The header as it went over the wire; zero past hdr_len. */
	struct vhost_user_hdr hdr;
	uint32_t hdr_len; /* 12, or fewer if the message was cut short there */
	/* payload_len bytes of payload, as they went over the wire (NULL when
	 * payload_len is 0). */
	const void *payload;
	uint32_t payload_len;
	/* Payload bytes that went over the wire: hdr.size for a whole message;
	 * more than payload_len when a receiver dropped the tail of an
	 * oversized one, fewer than hdr.size when it was cut short. */
	uint32_t payload_wire;
	/* The fds that came or went with it (valid during the call). */
	const int *fds;
	unsigned nfds;
	/* 0: a whole message. Else the receiver's negative errno:
	 * -ECONNRESET / -ETIMEDOUT cut short by a close / by the wait's end,
	 * -EMSGSIZE larger than the codec holds, -EPROTO more fds than a
	 * message may carry. */
	int error;
};

typedef void (*vhost_tap_fn)(void *arg, const struct vhost_tap_msg *msg);

/* A hook and its argument; fn NULL: no tap. */
struct vhost_tap {
	vhost_tap_fn fn;
	void *arg;
};

/* Stamps msg->time_ns and calls the tap, if there is one. */
void vhost_tap_emit(const struct vhost_tap *tap, struct vhost_tap_msg *msg);

/* Reports a whole message: hdr, payload_len bytes of payload (hdr->size for
 * a sent one; what the receiver holds of a received one), fds. */
void vhost_tap_whole(const struct vhost_tap *tap, enum vhost_tap_side side, enum vhost_tap_dir dir,
		     const struct vhost_user_hdr *hdr, const void *payload, uint32_t payload_len,
		     const int *fds, unsigned nfds);

#endif
