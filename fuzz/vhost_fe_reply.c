/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the front-end's reply parsing: arbitrary bytes as the back-end's
 * side of a socketpair, answering each front-end call. The input is a
 * sequence of records, one call each:
 *
 *   u8  call     which call, modulo 13: the u64 gets of g_u64_calls, then
 *                those of call()
 *   u8  how      bits 0-3: eventfds sent with the answer's first byte (at
 *                most 10, more than a message may carry); bit 4: the
 *                back-end shuts its side down after the answer
 *   u8  arg      the call's vring index, config size or protocol features
 *   u16 len      little-endian: the answer's length
 *   ... answer   len bytes (fewer if the input ends), written when the
 *                front-end's request has gone out (from the front-end's
 *                message tap), so the reply comes after its request
 *
 * The front-end waits 0 ms: what is not there has not arrived. Must not
 * crash, hang or leak an fd; a call that succeeds must have read a reply
 * that is the answer's first bytes, whole and right (the header and value
 * are checked against them); every message the tap reports must be
 * consistent (no more bytes kept than arrived).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz/fuzz_util.h"
#include "spec/virtio_blk.h"
#include "util/common.h"
#include "vhost/vhost.h"
#include "vhost/vhost_msg.h"

#define RECORD_HDR     5
#define MAX_ANSWER_FDS 10

/* The back-end's side and the answer it gives the next request. */
struct script {
	int sock;
	const uint8_t *answer;
	size_t len;
	unsigned nfds;
	bool hang_up;
	bool pending; /* not yet written */
};

static struct script g_s;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	return 0;
}

/* Writes the pending answer on the back-end's side, with its fds. */
static void answer(struct script *s)
{
	char control[CMSG_SPACE(sizeof(int) * MAX_ANSWER_FDS)];
	struct iovec iov = {.iov_base = (void *)s->answer, .iov_len = s->len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	int fds[MAX_ANSWER_FDS];

	if (!s->pending)
		return;
	s->pending = false;
	for (unsigned i = 0; i < s->nfds; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	if (s->nfds && s->len) {
		struct cmsghdr *c;

		memset(control, 0, sizeof(control));
		mh.msg_control = control;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * s->nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * s->nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * s->nfds);
	}
	/* A full socket takes what fits: the rest has not arrived. */
	if (s->len)
		(void)sendmsg(s->sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	for (unsigned i = 0; i < s->nfds; i++)
		close(fds[i]);
	if (s->hang_up)
		shutdown(s->sock, SHUT_WR);
}

/* The front-end's tap: answers each request once it went out, and checks
 * what the front-end reports of what it received. */
static void on_message(void *arg, const struct vhost_tap_msg *m)
{
	(void)arg;
	if (m->dir == VHOST_TAP_SENT) {
		answer(&g_s);
		return;
	}
	if (m->hdr_len == 0 || m->hdr_len > sizeof(m->hdr) ||
	    m->payload_len > VHOST_USER_MAX_PAYLOAD || m->payload_len > m->payload_wire ||
	    (m->hdr_len < sizeof(m->hdr) && m->payload_wire) ||
	    (m->error == 0 && m->payload_wire != m->hdr.size) || m->nfds > VHOST_USER_MAX_FDS)
		abort();
}

/* A call that succeeded read a reply that is the answer's first bytes:
 * request, reply flag and version 1, size bytes of payload, of which the
 * n at skip are out. */
static void check_reply(const struct script *s, uint32_t request, uint32_t size, size_t skip,
			const void *out, size_t n)
{
	struct vhost_user_hdr hdr;

	if (s->len < sizeof(hdr) + size || skip + n > size)
		abort();
	memcpy(&hdr, s->answer, sizeof(hdr));
	if (hdr.request != request || !(hdr.flags & VHOST_USER_REPLY_MASK) ||
	    (hdr.flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION || hdr.size != size ||
	    memcmp(s->answer + sizeof(hdr) + skip, out, n) != 0)
		abort();
}

/* The calls whose reply is a u64 of their own. */
static const struct {
	uint32_t request;
	int (*get)(struct vhost_fe *fe, uint64_t *value);
} g_u64_calls[] = {
    {VHOST_USER_GET_FEATURES, vhost_fe_get_features},
    {VHOST_USER_GET_PROTOCOL_FEATURES, vhost_fe_get_protocol_features},
    {VHOST_USER_GET_QUEUE_NUM, vhost_fe_get_queue_num},
    {VHOST_USER_GET_MAX_MEM_SLOTS, vhost_fe_get_max_mem_slots},
};

/* One front-end call; 0 or a negative errno. */
static int call(struct vhost_fe *fe, struct script *s, uint8_t which, uint8_t arg)
{
	struct vhost_user_hdr hdr = {.flags = VHOST_USER_VERSION};
	struct vhost_user_config cfg;
	struct virtio_blk_config blk;
	uint64_t v;
	uint32_t u, len;
	int ret, efd;

	which %= ARRAY_SIZE(g_u64_calls) + 9;
	if (which < ARRAY_SIZE(g_u64_calls)) {
		ret = g_u64_calls[which].get(fe, &v);
		if (ret == 0)
			check_reply(s, g_u64_calls[which].request, sizeof(v), 0, &v, sizeof(v));
		return ret;
	}
	switch (which - ARRAY_SIZE(g_u64_calls)) {
	case 0: {
		struct vhost_user_vring_state st = {.index = arg};

		ret = vhost_fe_get_vring_base(fe, arg, &u);
		st.num = u;
		if (ret == 0)
			check_reply(s, VHOST_USER_GET_VRING_BASE, sizeof(st), 0, &st, sizeof(st));
		return ret;
	}
	case 1:
		/* Sizes past the largest config space too (refused before sending). */
		len = arg + 1u;
		ret = vhost_fe_get_config(fe, 0, len, cfg.region);
		if (ret == 0)
			check_reply(s, VHOST_USER_GET_CONFIG, VHOST_USER_CONFIG_HDR_SIZE + len,
				    VHOST_USER_CONFIG_HDR_SIZE, cfg.region, len);
		return ret;
	case 2:
		return vhost_fe_get_blk_config(fe, &blk, &u);
	case 3:
		/* REPLY_ACK on (bit 0 of arg), so the next requests ask for acks. */
		return vhost_fe_set_protocol_features(
		    fe, (arg & 1) ? 1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK : 0);
	case 4:
		return vhost_fe_set_owner(fe);
	case 5:
		efd = eventfd(0, EFD_CLOEXEC);
		ret = vhost_fe_set_vring_call(fe, arg, efd);
		close(efd);
		return ret;
	case 6:
		/* A raw request and its answer, whatever it is. */
		hdr.request = arg;
		ret = vhost_fe_send_raw(fe, &hdr, NULL, NULL, 0);
		if (ret == 0)
			ret = vhost_fe_recv_raw(fe, &hdr, &cfg, sizeof(cfg), 0);
		return ret;
	case 7: {
		/* The one reply that carries an fd: the in-flight buffer's. */
		struct vhost_user_inflight d;

		ret = vhost_fe_get_inflight_fd(fe, 1, arg, &d, &efd);
		if (ret == 0) {
			check_reply(s, VHOST_USER_GET_INFLIGHT_FD, sizeof(d), 0, &d, sizeof(d));
			if (efd < 0 || s->nfds != 1)
				abort();
			close(efd);
		} else if (efd != -1) {
			abort();
		}
		return ret;
	}
	default:
		/* An answer to no request at all, found before the next one. */
		answer(s);
		return vhost_fe_recv_raw(fe, &hdr, &v, sizeof(v), 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fds_before = fuzz_open_fds();
	struct vhost_fe *fe;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
		return 0;
	if (vhost_fe_create_on_fd(sv[0], 0, &fe) < 0) {
		close(sv[1]);
		return 0;
	}
	vhost_fe_set_tap(fe, &(struct vhost_tap){.fn = on_message});
	g_s.sock = sv[1];
	while (size >= RECORD_HDR) {
		uint8_t which = data[0], how = data[1], arg = data[2];
		size_t len = (size_t)data[3] | (size_t)data[4] << 8;

		data += RECORD_HDR;
		size -= RECORD_HDR;
		g_s.answer = data;
		g_s.len = MIN(len, size);
		g_s.nfds = MIN(how & 0x0fu, (unsigned)MAX_ANSWER_FDS);
		g_s.hang_up = how & 0x10;
		g_s.pending = true;
		data += g_s.len;
		size -= g_s.len;
		call(fe, &g_s, which, arg);
		/* A call refused before sending leaves its answer unwritten. */
		g_s.pending = false;
	}
	vhost_fe_close(fe);
	close(sv[1]);
	if (fuzz_open_fds() != fds_before)
		abort(); /* an fd leaked */
	return 0;
}
