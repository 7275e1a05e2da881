/* SPDX-License-Identifier: MIT */
/*
 * vhost-user suite: malformed requests (VHOST-MSG): bad header flags, payloads
 * one byte short or long, unknown request types, missing and extra fds.
 *
 * vhost-user.rst defines each request's payload and fds but not the answer
 * to a malformed one: those cases are advisories, and end by checking that
 * the back-end still serves. Unknown request types with need_reply are the
 * exception: REPLY_ACK gives the answer (VHOST-MSG-013..015).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "conformance/suite_vhost_user.h"
#include "spec/virtio.h"
#include "vhost/vhost_msg.h"

/* ------------------------------------------------------------------ */
/* "Header": flags a request cannot carry                               */
/* ------------------------------------------------------------------ */

/* GET_FEATURES with the given flags. The spec defines no answer to it; the
 * case requires that it is not answered as a valid request, and that a new
 * connection is served. Silence and a closed connection both pass. */
static enum conform_verdict bad_flags(struct conform_ctx *ctx, uint32_t flags)
{
	struct vhost_user_hdr hdr;
	uint64_t v;
	struct vu_conn c;
	int ret;

	if (vu_open(ctx, 0, &c))
		return CONFORM_ERROR;
	ret = vu_send(&c, VHOST_USER_GET_FEATURES, flags, NULL, 0, NULL, 0);
	if (ret == 0)
		ret = vu_recv(ctx, &c, &hdr, &v, sizeof(v));
	if (ret == 0 || ret == -EMSGSIZE)
		return conform_fail(ctx, "GET_FEATURES with flags 0x%x was answered (request %u "
					 "flags 0x%x size %u)",
				    flags, hdr.request, hdr.flags, hdr.size);
	conform_note(ctx, "%s", ret == -ETIMEDOUT ? "no answer" : "connection closed");
	vu_close(&c);
	return vu_expect_serving(ctx, &c);
}

enum conform_verdict vu_msg_version_0(struct conform_ctx *ctx)
{
	return bad_flags(ctx, 0x0);
}

enum conform_verdict vu_msg_version_2(struct conform_ctx *ctx)
{
	return bad_flags(ctx, 0x2);
}

enum conform_verdict vu_msg_version_3(struct conform_ctx *ctx)
{
	return bad_flags(ctx, 0x3);
}

enum conform_verdict vu_msg_reply_flag(struct conform_ctx *ctx)
{
	return bad_flags(ctx, VHOST_USER_VERSION | VHOST_USER_REPLY_MASK);
}

/* ------------------------------------------------------------------ */
/* Payloads of the wrong size ("Front-end message types")               */
/* ------------------------------------------------------------------ */

/*
 * A valid payload of request, sent with delta bytes more (or fewer) than its
 * size, with need_reply; fds as the request takes them. Must be refused.
 */
static enum conform_verdict wrong_size(struct conform_ctx *ctx, uint32_t request, int delta)
{
	uint8_t buf[512] = {0};
	struct vu_conn c;
	struct vu_mem m;
	uint32_t size;
	int fd = -1;

	if (vu_open_mem(ctx, VU_PF(REPLY_ACK) | VU_PF(CONFIGURE_MEM_SLOTS), &c, &m))
		return CONFORM_ERROR;
	switch (request) {
	case VHOST_USER_SET_FEATURES:
		memcpy(buf, &c.features, sizeof(c.features));
		size = sizeof(c.features);
		break;
	case VHOST_USER_SET_VRING_NUM: {
		struct vhost_user_vring_state s = {.index = 0, .num = VU_RING_NUM};

		memcpy(buf, &s, sizeof(s));
		size = sizeof(s);
		break;
	}
	case VHOST_USER_SET_VRING_ADDR: {
		struct vhost_user_vring_addr a = vu_ring_addr(&m, 0);

		if (vhost_fe_set_vring_num(c.fe, 0, VU_RING_NUM))
			return conform_error(ctx, "set-up: VHOST_USER_SET_VRING_NUM failed");
		memcpy(buf, &a, sizeof(a));
		size = sizeof(a);
		break;
	}
	case VHOST_USER_SET_MEM_TABLE: {
		struct vhost_user_memory mem = {.nregions = 1};
		struct vhost_fe_region r = vu_mem_region(&m, 0);

		mem.regions[0] = vu_region_wire(&r);
		memcpy(buf, &mem, sizeof(mem));
		size = 8 + sizeof(mem.regions[0]);
		fd = m.fd;
		break;
	}
	case VHOST_USER_ADD_MEM_REG:
	default: {
		struct vhost_user_mem_reg reg = {0};
		struct vhost_fe_region r = vu_mem_region(&m, 16 * VU_MEM_SIZE);

		if (!(c.pfeatures & VU_PF(CONFIGURE_MEM_SLOTS)))
			return conform_not_applicable(ctx, "CONFIGURE_MEM_SLOTS not offered");
		reg.region = vu_region_wire(&r);
		reg.region.userspace_addr++;
		memcpy(buf, &reg, sizeof(reg));
		size = sizeof(reg);
		fd = m.fd;
		break;
	}
	}
	conform_note(ctx, "%s with %u payload bytes instead of %u", vhost_msg_request_name(request),
		     size + delta, size);
	return vu_expect_refused(ctx, &c, request, buf, (uint32_t)((int)size + delta), &fd,
				 fd < 0 ? 0 : 1);
}

enum conform_verdict vu_msg_short_set_features(struct conform_ctx *ctx)
{
	return wrong_size(ctx, VHOST_USER_SET_FEATURES, -1);
}

enum conform_verdict vu_msg_long_set_features(struct conform_ctx *ctx)
{
	return wrong_size(ctx, VHOST_USER_SET_FEATURES, 1);
}

enum conform_verdict vu_msg_short_vring_num(struct conform_ctx *ctx)
{
	return wrong_size(ctx, VHOST_USER_SET_VRING_NUM, -1);
}

enum conform_verdict vu_msg_long_vring_num(struct conform_ctx *ctx)
{
	return wrong_size(ctx, VHOST_USER_SET_VRING_NUM, 1);
}

enum conform_verdict vu_msg_short_vring_addr(struct conform_ctx *ctx)
{
	return wrong_size(ctx, VHOST_USER_SET_VRING_ADDR, -1);
}

enum conform_verdict vu_msg_long_vring_addr(struct conform_ctx *ctx)
{
	return wrong_size(ctx, VHOST_USER_SET_VRING_ADDR, 1);
}

enum conform_verdict vu_msg_short_mem_table(struct conform_ctx *ctx)
{
	return wrong_size(ctx, VHOST_USER_SET_MEM_TABLE, -1);
}

enum conform_verdict vu_msg_short_add_mem_reg(struct conform_ctx *ctx)
{
	return wrong_size(ctx, VHOST_USER_ADD_MEM_REG, -1);
}

/* ------------------------------------------------------------------ */
/* Unknown request types and an oversized payload                       */
/* ------------------------------------------------------------------ */

/* "REPLY_ACK": need_reply may be set on "any command", and the back-end
 * MUST respond; a request it does not know is not done, so the answer
 * should say failure (or the back-end closes, "Communication"). */
static enum conform_verdict unknown_request(struct conform_ctx *ctx, uint32_t request)
{
	uint64_t v = 0;
	struct vu_conn c;

	if (vu_open(ctx, VU_PF(REPLY_ACK), &c))
		return CONFORM_ERROR;
	return vu_request_refused(ctx, &c, request, &v, sizeof(v), NULL, 0);
}

enum conform_verdict vu_msg_unknown_0(struct conform_ctx *ctx)
{
	return unknown_request(ctx, VHOST_USER_NONE);
}

enum conform_verdict vu_msg_unknown_max(struct conform_ctx *ctx)
{
	return unknown_request(ctx, 200);
}

enum conform_verdict vu_msg_unknown_huge(struct conform_ctx *ctx)
{
	return unknown_request(ctx, 0xffffffffu);
}

/* SET_FEATURES with 4 KiB of payload: more than any request carries. */
enum conform_verdict vu_msg_oversized(struct conform_ctx *ctx)
{
	static uint8_t big[4096];
	struct vu_conn c;

	if (vu_open(ctx, VU_PF(REPLY_ACK), &c))
		return CONFORM_ERROR;
	memcpy(big, &c.features, sizeof(c.features));
	return vu_expect_refused(ctx, &c, VHOST_USER_SET_FEATURES, big, sizeof(big), NULL, 0);
}

/* ------------------------------------------------------------------ */
/* "Communication": fds missing or extra                                */
/* ------------------------------------------------------------------ */

/* SET_VRING_KICK/CALL for ring 0 without the invalid-FD flag and without
 * an fd. */
static enum conform_verdict ring_fd_missing(struct conform_ctx *ctx, uint32_t request)
{
	uint64_t v = 0;
	struct vu_conn c;
	struct vu_mem m;

	if (vu_open_mem(ctx, VU_PF(REPLY_ACK), &c, &m) || vu_ring_setup(ctx, &c, &m, 0, 0, false))
		return CONFORM_ERROR;
	return vu_expect_refused(ctx, &c, request, &v, sizeof(v), NULL, 0);
}

enum conform_verdict vu_msg_kick_missing_fd(struct conform_ctx *ctx)
{
	return ring_fd_missing(ctx, VHOST_USER_SET_VRING_KICK);
}

enum conform_verdict vu_msg_call_missing_fd(struct conform_ctx *ctx)
{
	return ring_fd_missing(ctx, VHOST_USER_SET_VRING_CALL);
}

/* A one-region SET_MEM_TABLE or ADD_MEM_REG with nfds fds (extra: a pipe). */
static enum conform_verdict region_fds(struct conform_ctx *ctx, uint32_t request, unsigned nfds)
{
	struct vu_conn c;
	struct vu_mem m;
	struct vhost_fe_region r;
	union {
		struct vhost_user_memory mem;
		struct vhost_user_mem_reg reg;
	} p;
	struct vhost_user_mem_region w;
	int fds[2], pfd[2];
	uint32_t size;

	if (vu_mem_create(ctx, &m, VU_MEM_SIZE) ||
	    vu_open(ctx, VU_PF(REPLY_ACK) | VU_PF(CONFIGURE_MEM_SLOTS), &c))
		return CONFORM_ERROR;
	if (request == VHOST_USER_ADD_MEM_REG && !(c.pfeatures & VU_PF(CONFIGURE_MEM_SLOTS)))
		return conform_not_applicable(ctx, "CONFIGURE_MEM_SLOTS not offered");
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return conform_error(ctx, "pipe: %s", strerror(errno));
	r = vu_mem_region(&m, 0);
	w = vu_region_wire(&r);
	memset(&p, 0, sizeof(p));
	if (request == VHOST_USER_SET_MEM_TABLE) {
		p.mem.nregions = 1;
		p.mem.regions[0] = w;
		size = 8 + sizeof(w);
	} else {
		p.reg.region = w;
		size = sizeof(p.reg);
	}
	fds[0] = m.fd;
	fds[1] = pfd[1];
	return vu_expect_refused(ctx, &c, request, &p, size, fds, nfds);
}

enum conform_verdict vu_msg_mem_table_missing_fd(struct conform_ctx *ctx)
{
	return region_fds(ctx, VHOST_USER_SET_MEM_TABLE, 0);
}

enum conform_verdict vu_msg_add_mem_reg_missing_fd(struct conform_ctx *ctx)
{
	return region_fds(ctx, VHOST_USER_ADD_MEM_REG, 0);
}

enum conform_verdict vu_msg_mem_table_extra_fd(struct conform_ctx *ctx)
{
	return region_fds(ctx, VHOST_USER_SET_MEM_TABLE, 2);
}

/* request (valid payload v) with a pipe's write end it has no use for: the
 * back-end answers (either way) and does not keep the fd. */
static enum conform_verdict fd_not_kept(struct conform_ctx *ctx, uint32_t request, uint64_t v,
					bool state)
{
	struct vhost_user_vring_state s = {.index = 0, .num = VU_RING_NUM};
	struct vu_conn c;
	enum vu_answer a;
	int p[2];

	if (vu_open(ctx, VU_PF(REPLY_ACK), &c))
		return CONFORM_ERROR;
	if (pipe2(p, O_CLOEXEC) < 0)
		return conform_error(ctx, "pipe: %s", strerror(errno));
	a = state ? vu_request_ack(ctx, &c, request, &s, sizeof(s), &p[1], 1)
		  : vu_request_ack(ctx, &c, request, &v, sizeof(v), &p[1], 1);
	close(p[1]);
	conform_note(ctx, "%s with an fd: %s", vhost_msg_request_name(request), vu_answer_name(a));
	if (a == VU_SILENT || a == VU_BAD_REPLY)
		return conform_fail(ctx, "%s: %s", vhost_msg_request_name(request),
				    vu_answer_name(a));
	if (a == VU_CLOSED)
		vu_close(&c);
	if (!vu_fd_closed_by_peer(p[0], conform_timeout_ms(ctx)))
		return conform_fail(ctx, "the back-end keeps the fd it had no use for open");
	return vu_expect_serving(ctx, &c);
}

enum conform_verdict vu_msg_extra_fd_closed(struct conform_ctx *ctx)
{
	return fd_not_kept(ctx, VHOST_USER_SET_VRING_NUM, 0, true);
}

enum conform_verdict vu_msg_nofd_with_fd_closed(struct conform_ctx *ctx)
{
	return fd_not_kept(ctx, VHOST_USER_SET_VRING_CALL, VHOST_USER_VRING_NOFD_MASK, false);
}
