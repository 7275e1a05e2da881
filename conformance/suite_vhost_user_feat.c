/* SPDX-License-Identifier: MIT */
/*
 * vhost-user suite: feature negotiation (VHOST-FEAT), ownership
 * (VHOST-OWNER) and REPLY_ACK on every request that takes it (VHOST-ACK).
 * Table-driven: one function per shape, one row per request.
 *
 * "VHOST_USER_PROTOCOL_F_REPLY_ACK": with need_reply "the back-end MUST
 * respond with a Payload VhostUserMsg indicating success or failure". A
 * valid request answered with failure still got its answer: the VHOST-ACK
 * cases judge that an answer comes; whether valid requests succeed is the
 * advisory VHOST-ACK-016 (no sentence makes a back-end accept them all).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "conformance/suite_vhost_user.h"
#include "vhost/vhost_msg.h"

/* ------------------------------------------------------------------ */
/* "Communication": requests with a u64 reply of their own              */
/* ------------------------------------------------------------------ */

/* Sends request (no payload) and checks the reply's header: same request,
 * version 1, reply flag ("Header": needs to be sent on each reply), u64. */
static enum conform_verdict u64_reply(struct conform_ctx *ctx, uint32_t request, uint64_t pf,
				      uint64_t *value)
{
	const char *name = vhost_msg_request_name(request);
	struct vhost_user_hdr hdr;
	struct vu_conn c;
	int ret;

	if (vu_open(ctx, pf, &c))
		return CONFORM_ERROR;
	ret = vu_send(&c, request, VHOST_USER_VERSION, NULL, 0, NULL, 0);
	if (ret == 0)
		ret = vu_recv(ctx, &c, &hdr, value, sizeof(*value));
	if (ret == -EMSGSIZE)
		return conform_fail(ctx, "%s: reply of %u bytes, a u64 expected", name, hdr.size);
	if (ret < 0)
		return conform_fail(ctx, "%s: no reply: %s", name, strerror(-ret));
	if (hdr.request != request)
		return conform_fail(ctx, "%s: reply carries request %u", name, hdr.request);
	if ((hdr.flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION)
		return conform_fail(ctx, "%s: reply version %u", name,
				    hdr.flags & VHOST_USER_VERSION_MASK);
	if (!(hdr.flags & VHOST_USER_REPLY_MASK))
		return conform_fail(ctx, "%s: reply flag (bit 2) not set", name);
	if (hdr.size != sizeof(uint64_t))
		return conform_fail(ctx, "%s: reply of %u bytes, a u64 expected", name, hdr.size);
	conform_note(ctx, "%s = 0x%llx", name, (unsigned long long)*value);
	return CONFORM_PASS;
}

enum conform_verdict vu_feat_get_features(struct conform_ctx *ctx)
{
	uint64_t v;

	return u64_reply(ctx, VHOST_USER_GET_FEATURES, 0, &v);
}

enum conform_verdict vu_feat_get_protocol_features(struct conform_ctx *ctx)
{
	uint64_t v;

	return u64_reply(ctx, VHOST_USER_GET_PROTOCOL_FEATURES, 0, &v);
}

/* The same reply after SET_PROTOCOL_FEATURES (0 here) as on the runner's
 * probe, which asked before any: "the protocol feature bitmask from the
 * underlying vhost implementation" read as what it implements. */
enum conform_verdict vu_feat_pf_same_bits(struct conform_ctx *ctx)
{
	uint64_t v;
	enum conform_verdict r = u64_reply(ctx, VHOST_USER_GET_PROTOCOL_FEATURES, 0, &v);

	if (r == CONFORM_PASS && v != conform_offered_protocol_features(ctx))
		return conform_fail(ctx, "protocol features 0x%llx differ from the probe's 0x%llx",
				    (unsigned long long)v,
				    (unsigned long long)conform_offered_protocol_features(ctx));
	return r;
}

enum conform_verdict vu_feat_get_queue_num(struct conform_ctx *ctx)
{
	uint64_t v;
	enum conform_verdict r = u64_reply(ctx, VHOST_USER_GET_QUEUE_NUM, VU_PF(MQ), &v);

	if (r == CONFORM_PASS && v == 0)
		return conform_fail(ctx, "VHOST_USER_GET_QUEUE_NUM answered 0 queues");
	return r;
}

enum conform_verdict vu_feat_get_max_mem_slots(struct conform_ctx *ctx)
{
	uint64_t v;
	enum conform_verdict r =
	    u64_reply(ctx, VHOST_USER_GET_MAX_MEM_SLOTS, VU_PF(CONFIGURE_MEM_SLOTS), &v);

	if (r == CONFORM_PASS && v == 0)
		return conform_fail(ctx, "VHOST_USER_GET_MAX_MEM_SLOTS answered 0 slots");
	return r;
}

enum conform_verdict vu_feat_get_status(struct conform_ctx *ctx)
{
	uint64_t v;

	return u64_reply(ctx, VHOST_USER_GET_STATUS, VU_PF(STATUS), &v);
}

/* The Note under VHOST_USER_GET_PROTOCOL_FEATURES: answered before any
 * SET_FEATURES; the very first messages of a connection. */
enum conform_verdict vu_feat_pf_before_set_features(struct conform_ctx *ctx)
{
	struct vhost_fe *fe;
	uint64_t f, pf;
	int ret = conform_connect(ctx, &fe);

	if (ret < 0)
		return conform_error(ctx, "connect: %s", strerror(-ret));
	ret = vhost_fe_get_features(fe, &f);
	if (ret < 0)
		return conform_fail(ctx, "VHOST_USER_GET_FEATURES: %s", strerror(-ret));
	if (!(f & VU_F_PROTOCOL_FEATURES))
		return conform_not_applicable(ctx, "VHOST_USER_F_PROTOCOL_FEATURES not offered");
	ret = vhost_fe_get_protocol_features(fe, &pf);
	if (ret < 0)
		return conform_fail(ctx,
				    "VHOST_USER_GET_PROTOCOL_FEATURES before "
				    "VHOST_USER_SET_FEATURES: %s",
				    strerror(-ret));
	ret = vhost_fe_set_protocol_features(fe, pf & VU_PF(REPLY_ACK));
	if (ret < 0)
		return conform_fail(ctx,
				    "VHOST_USER_SET_PROTOCOL_FEATURES before "
				    "VHOST_USER_SET_FEATURES: %s",
				    strerror(-ret));
	return CONFORM_PASS;
}

/* Sets the protocol features (request SET_PROTOCOL_FEATURES) or features
 * offered plus one bit that was not offered, with need_reply. */
static enum conform_verdict unoffered_bit(struct conform_ctx *ctx, uint32_t request)
{
	bool proto = request == VHOST_USER_SET_PROTOCOL_FEATURES;
	uint64_t offered =
	    proto ? conform_offered_protocol_features(ctx) : conform_offered_features(ctx);
	uint64_t v = offered;
	struct vu_conn c;

	for (unsigned bit = proto ? 20 : 63; bit > 0; bit--) {
		/* The highest bit not offered: undefined for both bitmasks. */
		if (!(offered & (1ULL << bit))) {
			v |= 1ULL << bit;
			break;
		}
	}
	if (v == offered)
		return conform_not_applicable(ctx, "every bit is offered");
	if (vu_open(ctx, VU_PF(REPLY_ACK), &c))
		return CONFORM_ERROR;
	conform_note(ctx, "offered 0x%llx, setting 0x%llx", (unsigned long long)offered,
		     (unsigned long long)v);
	return vu_expect_refused(ctx, &c, request, &v, sizeof(v), NULL, 0);
}

enum conform_verdict vu_feat_unoffered_features(struct conform_ctx *ctx)
{
	return unoffered_bit(ctx, VHOST_USER_SET_FEATURES);
}

enum conform_verdict vu_feat_unoffered_protocol_features(struct conform_ctx *ctx)
{
	return unoffered_bit(ctx, VHOST_USER_SET_PROTOCOL_FEATURES);
}

/* VHOST-FEAT-009: "REPLY_ACK" lets need_reply be set on any command, and
 * then "the back-end MUST respond": GET_FEATURES, which has a reply of its
 * own, gets a u64 reply to it whatever its value, or the connection is
 * closed, as in VHOST-ACK-001..015. */
enum conform_verdict vu_feat_need_reply_on_get(struct conform_ctx *ctx)
{
	struct vu_conn c;

	if (vu_open(ctx, VU_PF(REPLY_ACK), &c))
		return CONFORM_ERROR;
	return vu_expect_answered(
	    ctx, VHOST_USER_GET_FEATURES,
	    vu_request_ack(ctx, &c, VHOST_USER_GET_FEATURES, NULL, 0, NULL, 0));
}

/* VHOST-FEAT-011 (advisory): need_reply on a request with a reply of its
 * own "brings no behavioural change": one reply, the features, and no second
 * message after it. */
enum conform_verdict vu_feat_need_reply_no_change(struct conform_ctx *ctx)
{
	struct vhost_user_hdr hdr;
	uint64_t v = 0;
	struct vu_conn c;
	int ret;

	if (vu_open(ctx, VU_PF(REPLY_ACK), &c))
		return CONFORM_ERROR;
	ret = vu_send(&c, VHOST_USER_GET_FEATURES, VHOST_USER_VERSION | VHOST_USER_NEED_REPLY_MASK,
		      NULL, 0, NULL, 0);
	if (ret == 0)
		ret = vu_recv(ctx, &c, &hdr, &v, sizeof(v));
	if (ret < 0)
		return conform_fail(ctx, "no reply: %s", strerror(-ret));
	if (hdr.request != VHOST_USER_GET_FEATURES || hdr.size != sizeof(v) ||
	    v != conform_offered_features(ctx))
		return conform_fail(ctx,
				    "reply request %u size %u value 0x%llx, the features "
				    "0x%llx expected",
				    hdr.request, hdr.size, (unsigned long long)v,
				    (unsigned long long)conform_offered_features(ctx));
	ret = vu_recv(ctx, &c, &hdr, &v, sizeof(v));
	if (ret != -ETIMEDOUT)
		return conform_fail(ctx, "a second message (or close) followed the reply: %d", ret);
	return CONFORM_PASS;
}

/* "VHOST_USER_RESET_OWNER": deprecated; "it is recommended that back-ends
 * either ignore this message, or use it to disable all rings". Either way
 * the connection goes on: it answers GET_FEATURES. */
enum conform_verdict vu_owner_reset_owner(struct conform_ctx *ctx)
{
	struct vu_conn c;
	struct vu_mem m;
	enum vu_answer a;
	uint64_t features;
	int ret;

	if (vu_open_mem(ctx, VU_PF(REPLY_ACK), &c, &m))
		return CONFORM_ERROR;
	if (vu_ring_setup(ctx, &c, &m, 0, 0, true))
		return CONFORM_ERROR;
	a = vu_request_ack(ctx, &c, VHOST_USER_RESET_OWNER, NULL, 0, NULL, 0);
	if (a == VU_SILENT || a == VU_BAD_REPLY || a == VU_CLOSED)
		return conform_fail(ctx, "VHOST_USER_RESET_OWNER: %s", vu_answer_name(a));
	conform_note(ctx, "VHOST_USER_RESET_OWNER: %s", vu_answer_name(a));
	ret = vhost_fe_get_features(c.fe, &features);
	if (ret < 0)
		return conform_fail(ctx, "after VHOST_USER_RESET_OWNER the connection no longer "
					 "answers VHOST_USER_GET_FEATURES: %s",
				    strerror(-ret));
	return CONFORM_PASS;
}

/* ------------------------------------------------------------------ */
/* "REPLY_ACK": a valid request with need_reply gets an answer          */
/* ------------------------------------------------------------------ */

/* The ACK cases make their request unlike any other case's set-up, so that
 * a back-end that answers only this request wrong is told apart (the proof,
 * docs/peers.md): a table of two regions, each half of the memory; a ring of
 * ACK_RING_NUM entries whose parts sit ACK_RING_SHIFT bytes into their pages
 * (virtio 1.2 §2.7: 16-, 2- and 4-byte alignment is all a split ring needs). */
#define ACK_RING_NUM   128
#define ACK_RING_SHIFT 64

/* The requests without a reply of their own, in VHOST-ACK-001..015 order. */
static const uint32_t g_ack_requests[] = {
    VHOST_USER_SET_OWNER,      VHOST_USER_SET_FEATURES,     VHOST_USER_SET_PROTOCOL_FEATURES,
    VHOST_USER_SET_MEM_TABLE,  VHOST_USER_SET_VRING_NUM,    VHOST_USER_SET_VRING_ADDR,
    VHOST_USER_SET_VRING_BASE, VHOST_USER_SET_VRING_KICK,   VHOST_USER_SET_VRING_CALL,
    VHOST_USER_SET_VRING_ERR,  VHOST_USER_SET_VRING_ENABLE, VHOST_USER_ADD_MEM_REG,
    VHOST_USER_REM_MEM_REG,    VHOST_USER_SET_STATUS,       VHOST_USER_RESET_DEVICE,
};

/* The protocol feature a request needs besides REPLY_ACK. */
static uint64_t ack_request_pf(uint32_t request)
{
	switch (request) {
	case VHOST_USER_ADD_MEM_REG:
	case VHOST_USER_REM_MEM_REG:
		return VU_PF(CONFIGURE_MEM_SLOTS);
	case VHOST_USER_SET_STATUS:
		return VU_PF(STATUS);
	case VHOST_USER_RESET_DEVICE:
		return VU_PF(RESET_DEVICE);
	default:
		return 0;
	}
}

/*
 * Sets up on c what a valid instance of request needs, sends it with
 * need_reply and puts the answer in *a: 0, or a negative errno when the
 * set-up was refused (conform_error recorded). Sent raw, so that a failure
 * value is told apart from silence whatever its number.
 */
static int ack_valid_request(struct conform_ctx *ctx, struct vu_conn *c, const struct vu_mem *m,
			     uint32_t request, enum vu_answer *a)
{
	struct vhost_fe_region r[2] = {vu_mem_region(m, 0)};
	union {
		uint64_t u64;
		struct vhost_user_vring_state state;
		struct vhost_user_vring_addr addr;
		struct vhost_user_memory mem;
		struct vhost_user_mem_reg reg;
	} p;
	int fds[VHOST_USER_MEM_BASELINE_NREGIONS];
	uint32_t size = 0;
	unsigned nfds = 0;
	int efd = -1;

	memset(&p, 0, sizeof(p));
	switch (request) {
	case VHOST_USER_SET_FEATURES:
	case VHOST_USER_SET_PROTOCOL_FEATURES:
		/* The bits already negotiated, sent a second time. */
		p.u64 = request == VHOST_USER_SET_FEATURES ? c->features : c->pfeatures;
		size = sizeof(p.u64);
		break;
	case VHOST_USER_SET_STATUS:
		/* Status 0: reset (virtio 1.2 §2.1). */
		size = sizeof(p.u64);
		break;
	case VHOST_USER_SET_MEM_TABLE:
		for (unsigned i = 0; i < 2; i++)
			r[i] = (struct vhost_fe_region){.gpa = i * (1ULL << 30),
							.size = m->size / 2,
							.uva = (uint64_t)(uintptr_t)m->base +
							       i * (m->size / 2),
							.mmap_offset = i * (m->size / 2),
							.fd = m->fd};
		size = vu_table_payload(r, 2, &p.mem, fds);
		nfds = 2;
		break;
	case VHOST_USER_SET_VRING_NUM:
		p.state.num = VU_RING_NUM;
		size = sizeof(p.state);
		break;
	case VHOST_USER_SET_VRING_BASE:
	case VHOST_USER_SET_VRING_ENABLE:
		/* Base 0; enable 0. */
		size = sizeof(p.state);
		break;
	case VHOST_USER_SET_VRING_ADDR:
		if (vhost_fe_set_mem_table(c->fe, r, 1) ||
		    vhost_fe_set_vring_num(c->fe, 0, ACK_RING_NUM))
			return conform_error(ctx, "set-up of the ring failed"), -EIO;
		p.addr = vu_ring_addr(m, 0);
		p.addr.desc_user_addr += ACK_RING_SHIFT;
		p.addr.avail_user_addr += ACK_RING_SHIFT;
		p.addr.used_user_addr += ACK_RING_SHIFT;
		size = sizeof(p.addr);
		break;
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR:
		/* Vring 0 in bits 0-7, an eventfd. */
		efd = eventfd(0, EFD_CLOEXEC);
		if (efd < 0)
			return conform_error(ctx, "eventfd: %s", strerror(errno)), -EIO;
		fds[nfds++] = efd;
		size = sizeof(p.u64);
		break;
	case VHOST_USER_REM_MEM_REG:
		if (vhost_fe_add_mem_reg(c->fe, r))
			return conform_error(ctx, "set-up: VHOST_USER_ADD_MEM_REG failed"), -EIO;
		p.reg.region = vu_region_wire(r);
		size = sizeof(p.reg);
		break;
	case VHOST_USER_ADD_MEM_REG:
		p.reg.region = vu_region_wire(r);
		size = sizeof(p.reg);
		fds[nfds++] = m->fd;
		break;
	case VHOST_USER_SET_OWNER:
	case VHOST_USER_RESET_DEVICE:
	default:
		break;
	}
	*a = vu_request_ack(ctx, c, request, &p, size, fds, nfds);
	/* The back-end has its own copy. */
	if (efd >= 0)
		close(efd);
	return 0;
}

/* A new connection with what request needs negotiated, and the answer to a
 * valid instance of it: 0, or a negative errno (conform_error recorded). */
static int ack_answer(struct conform_ctx *ctx, uint32_t request, enum vu_answer *a)
{
	struct vu_conn c;
	struct vu_mem m;
	int ret;

	if (vu_mem_create(ctx, &m, VU_MEM_SIZE) ||
	    vu_open(ctx, VU_PF(REPLY_ACK) | ack_request_pf(request), &c))
		return -EIO;
	ret = ack_valid_request(ctx, &c, &m, request, a);
	vu_close(&c);
	return ret;
}

/* VHOST-ACK-001..015: an answer comes. Failure (a non-zero ack) is an
 * answer, and so is a closed connection ("Communication": a back-end may
 * close on an error it detects). */
static enum conform_verdict answered(struct conform_ctx *ctx, uint32_t request)
{
	enum vu_answer a;

	if (ack_answer(ctx, request, &a))
		return CONFORM_ERROR;
	if (a == VU_NACK || a == VU_CLOSED)
		conform_note(ctx, "%s (valid): %s; an answer all the same (VHOST-ACK-016 reports "
				  "valid requests that fail)",
			     vhost_msg_request_name(request), vu_answer_name(a));
	return vu_expect_answered(ctx, request, a);
}

/* One row per request that has no reply of its own. */
#define ACK_CASE(fn, req)                                                                          \
	enum conform_verdict fn(struct conform_ctx *ctx)                                           \
	{                                                                                          \
		return answered(ctx, req);                                                         \
	}

ACK_CASE(vu_ack_set_owner, VHOST_USER_SET_OWNER)
ACK_CASE(vu_ack_set_features, VHOST_USER_SET_FEATURES)
ACK_CASE(vu_ack_set_protocol_features, VHOST_USER_SET_PROTOCOL_FEATURES)
ACK_CASE(vu_ack_set_mem_table, VHOST_USER_SET_MEM_TABLE)
ACK_CASE(vu_ack_set_vring_num, VHOST_USER_SET_VRING_NUM)
ACK_CASE(vu_ack_set_vring_addr, VHOST_USER_SET_VRING_ADDR)
ACK_CASE(vu_ack_set_vring_base, VHOST_USER_SET_VRING_BASE)
ACK_CASE(vu_ack_set_vring_kick, VHOST_USER_SET_VRING_KICK)
ACK_CASE(vu_ack_set_vring_call, VHOST_USER_SET_VRING_CALL)
ACK_CASE(vu_ack_set_vring_err, VHOST_USER_SET_VRING_ERR)
ACK_CASE(vu_ack_set_vring_enable, VHOST_USER_SET_VRING_ENABLE)
ACK_CASE(vu_ack_add_mem_reg, VHOST_USER_ADD_MEM_REG)
ACK_CASE(vu_ack_rem_mem_reg, VHOST_USER_REM_MEM_REG)
ACK_CASE(vu_ack_set_status, VHOST_USER_SET_STATUS)
ACK_CASE(vu_ack_reset_device, VHOST_USER_RESET_DEVICE)

/* VHOST-ACK-016 (advisory): each valid request of VHOST-ACK-001..015 whose
 * protocol feature is offered succeeds, i.e. is acknowledged with 0. */
enum conform_verdict vu_ack_all_valid_zero(struct conform_ctx *ctx)
{
	uint64_t offered = conform_offered_protocol_features(ctx);
	char refused[512] = "";
	unsigned n = 0, bad = 0;
	size_t used = 0;

	for (unsigned i = 0; i < sizeof(g_ack_requests) / sizeof(g_ack_requests[0]); i++) {
		uint32_t request = g_ack_requests[i];
		enum vu_answer a;

		if ((offered & ack_request_pf(request)) != ack_request_pf(request))
			continue;
		if (ack_answer(ctx, request, &a))
			return CONFORM_ERROR;
		n++;
		if (a == VU_ACK)
			continue;
		bad++;
		if (used < sizeof(refused))
			used += (size_t)snprintf(refused + used, sizeof(refused) - used, "%s%s: %s",
						 used ? ", " : "", vhost_msg_request_name(request),
						 vu_answer_name(a));
	}
	if (bad)
		return conform_fail(ctx, "%u of %u valid requests not acknowledged with 0: %s", bad,
				    n, refused);
	return CONFORM_PASS;
}
