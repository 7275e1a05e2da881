/* SPDX-License-Identifier: MIT */
/*
 * bad_backend's hostile replies (switches_vhost.c, the group "replies a
 * front-end must survive"): lib/vhost's reply, sent as a back-end that a
 * front-end must not trust would send it: larger than any message, cut
 * short, for another request, with another version, as garbage, with an
 * fd, or twice. Each acts only in the state its target cases create, so
 * the set-up of every other case is answered right.
 */
#define LOG_COMPONENT "bad_backend"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bad_backend.h"
#include "proxy.h"
#include "spec/vhost_user.h"
#include "spec/virtio.h"
#include "spec/virtio_blk.h"
#include "util/common.h"

/* config-reply-oversize: the payload bytes of its answer, past the 268 a
 * message may hold. */
#define OVERSIZE_PAYLOAD 320

/* Writes len bytes to the front-end as they are: whatever they say of
 * themselves. */
static int send_bytes(int fe, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		struct pollfd pfd = {.fd = fe, .events = POLLOUT};
		ssize_t n = send(fe, p, len, MSG_NOSIGNAL);

		if (n >= 0) {
			p += n;
			len -= (size_t)n;
		} else if (errno != EINTR && errno != EAGAIN) {
			return -errno;
		} else if (errno == EAGAIN && poll(&pfd, 1, MSG_TIMEOUT_MS) != 1) {
			return -ETIMEDOUT;
		}
	}
	return 0;
}

/* m's header and the first len bytes of its payload (or zeros past it),
 * with the header's size set to size. */
static int send_as(int fe, const struct vhost_msg *m, uint32_t size, uint32_t len)
{
	uint8_t buf[sizeof(m->hdr) + OVERSIZE_PAYLOAD] = {0};
	struct vhost_user_hdr hdr = m->hdr;

	hdr.size = size;
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), &m->payload, MIN(len, m->hdr.size));
	return send_bytes(fe, buf, sizeof(hdr) + len);
}

/* Sent (1), or the error that ends the connection. */
static int sent(int ret)
{
	return ret < 0 ? ret : 1;
}

/* The GET_CONFIG of the capacity alone (offset 0, 8 bytes: VHOST-CFG-001,
 * and the capacity reads of VHOST-CFG-006 and -007). */
static bool capacity_read(const struct vhost_msg *m)
{
	return m->hdr.request == VHOST_USER_GET_CONFIG &&
	       m->hdr.size == VHOST_USER_CONFIG_HDR_SIZE + sizeof(uint64_t) &&
	       m->payload.config.offset == 0 && m->payload.config.size == sizeof(uint64_t);
}

/* The vring state of a ring never kicked (VHOST-RING-002's). */
static bool unkicked_ring_state(const struct conn_state *s, const struct vhost_msg *m)
{
	uint32_t i = m->payload.state.index;

	return m->hdr.request == VHOST_USER_GET_VRING_BASE &&
	       m->hdr.size == sizeof(struct vhost_user_vring_state) && i < NRINGS &&
	       !s->ever_kicked[i];
}

int proxy_reply_hostile(int fe, const struct conn_state *s, const struct vhost_msg *m)
{
	uint32_t r = m->hdr.request, size = m->hdr.size;
	bool u64 = size == sizeof(uint64_t);
	struct vhost_user_hdr h = m->hdr;
	int ret;

	/* config-reply-oversize: more than asked, and more than any message. */
	if (BROKEN(CONFIG_REPLY_OVERSIZE) && capacity_read(m))
		return sent(send_as(fe, m, OVERSIZE_PAYLOAD, OVERSIZE_PAYLOAD));
	/* vring-base-reply-cut: half the state, then the connection closed. */
	if (BROKEN(VRING_BASE_REPLY_CUT) && unkicked_ring_state(s, m)) {
		ret = send_as(fe, m, size, size / 2);
		return ret < 0 ? ret : -ECONNABORTED;
	}
	/* status-reply-stall: half the u64, then nothing more. */
	if (BROKEN(STATUS_REPLY_STALL) && r == VHOST_USER_GET_STATUS && u64)
		return sent(send_as(fe, m, size, size / 2));
	/* max-slots-wrong-request: the answer under another request's name. */
	if (BROKEN(MAX_SLOTS_WRONG_REQUEST) && r == VHOST_USER_GET_MAX_MEM_SLOTS && u64) {
		h.request = VHOST_USER_GET_FEATURES;
		return sent(vhost_msg_send(fe, &h, &m->payload, NULL, 0, MSG_TIMEOUT_MS));
	}
	/* max-slots-reply-garbage: twenty bytes of 0xff instead. */
	if (BROKEN(MAX_SLOTS_REPLY_GARBAGE) && r == VHOST_USER_GET_MAX_MEM_SLOTS) {
		uint8_t junk[20];

		memset(junk, 0xff, sizeof(junk));
		return sent(send_bytes(fe, junk, sizeof(junk)));
	}
	/* pf-reply-bad-version: version 2 once protocol features are set (the
	 * probe and every set-up ask before). */
	if (BROKEN(PF_REPLY_BAD_VERSION) && r == VHOST_USER_GET_PROTOCOL_FEATURES && s->pf_set) {
		h.flags = (h.flags & ~(uint32_t)VHOST_USER_VERSION_MASK) | 2;
		return sent(vhost_msg_send(fe, &h, &m->payload, NULL, 0, MSG_TIMEOUT_MS));
	}
	/* queue-num-reply-fd: an fd with the queue count, where queue-num-zero
	 * acts (after SET_FEATURES without VIRTIO_BLK_F_MQ). */
	if (BROKEN(QUEUE_NUM_REPLY_FD) && r == VHOST_USER_GET_QUEUE_NUM && u64 && s->features_sets &&
	    !(s->features & VIRTIO_BIT(VIRTIO_BLK_F_MQ))) {
		int fd = eventfd(0, EFD_CLOEXEC);

		if (fd < 0)
			return -errno;
		ret = vhost_msg_send(fe, &h, &m->payload, &fd, 1, MSG_TIMEOUT_MS);
		close(fd);
		return sent(ret);
	}
	/* reset-owner-two-acks: the ack, and the same again in one write, so
	 * that the second is there before the front-end's next request. */
	if (BROKEN(RESET_OWNER_TWO_ACKS) && r == VHOST_USER_RESET_OWNER && u64) {
		uint8_t two[2 * (sizeof(h) + sizeof(uint64_t))];

		memcpy(two, &h, sizeof(h));
		memcpy(two + sizeof(h), &m->payload.u64, sizeof(uint64_t));
		memcpy(two + sizeof(two) / 2, two, sizeof(two) / 2);
		return sent(send_bytes(fe, two, sizeof(two)));
	}
	return 0;
}
