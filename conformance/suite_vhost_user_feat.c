/* SPDX-License-Identifier: MIT */
/*
 * vhost-user suite: feature negotiation (VHOST-FEAT), ownership
 * (VHOST-OWNER) and REPLY_ACK on every request that takes it (VHOST-ACK).
 * Table-driven: one function per shape, one row per request.
 */
#include <errno.h>
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

/* "REPLY_ACK": need_reply on a request with a reply of its own changes
 * nothing: one reply, the features, and no second message after it. */
enum conform_verdict vu_feat_need_reply_on_get(struct conform_ctx *ctx)
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

/* "VHOST_USER_RESET_OWNER": deprecated; ignore it or disable all rings,
 * and go on serving the connection. */
enum conform_verdict vu_owner_reset_owner(struct conform_ctx *ctx)
{
	struct vu_conn c;
	struct vu_mem m;
	enum vu_answer a;

	if (vu_open_mem(ctx, VU_PF(REPLY_ACK), &c, &m))
		return CONFORM_ERROR;
	if (vu_ring_setup(ctx, &c, &m, 0, 0, true))
		return CONFORM_ERROR;
	a = vu_request_ack(ctx, &c, VHOST_USER_RESET_OWNER, NULL, 0, NULL, 0);
	if (a == VU_SILENT || a == VU_BAD_REPLY || a == VU_CLOSED)
		return conform_fail(ctx, "VHOST_USER_RESET_OWNER: %s", vu_answer_name(a));
	conform_note(ctx, "VHOST_USER_RESET_OWNER: %s", vu_answer_name(a));
	return vu_expect_serving(ctx, &c);
}

/* ------------------------------------------------------------------ */
/* "REPLY_ACK": a valid request with need_reply is acknowledged with 0  */
/* ------------------------------------------------------------------ */

/* The front-end API has no SET_STATUS: sent raw, status 0 (virtio 1.2
 * §2.1: reset), the ack mapped as vhost_fe calls map it. */
static int set_status_zero(struct conform_ctx *ctx, struct vu_conn *c)
{
	uint64_t status = 0;

	switch (vu_request_ack(ctx, c, VHOST_USER_SET_STATUS, &status, sizeof(status), NULL, 0)) {
	case VU_ACK:
		return 0;
	case VU_NACK:
		return -EIO;
	case VU_SILENT:
		return -ETIMEDOUT;
	case VU_CLOSED:
		return -ECONNRESET;
	case VU_BAD_REPLY:
	default:
		return -EPROTO;
	}
}

/* Sends a valid instance of request on c (REPLY_ACK negotiated, so the
 * vhost_fe call waits for the ack and returns its value negated). */
/* The ACK cases make their request unlike any other case's set-up, so that
 * a back-end that answers only this request wrong is told apart (the proof,
 * docs/peers.md): a table of two regions, each half of the memory; a ring of
 * ACK_RING_NUM entries whose parts sit ACK_RING_SHIFT bytes into their pages
 * (virtio 1.2 §2.7: 16-, 2- and 4-byte alignment is all a split ring needs). */
#define ACK_RING_NUM   128
#define ACK_RING_SHIFT 64

static int set_two_regions(struct vu_conn *c, const struct vu_mem *m)
{
	struct vhost_fe_region r[2];

	for (unsigned i = 0; i < 2; i++)
		r[i] = (struct vhost_fe_region){.gpa = i * (1ULL << 30),
						.size = m->size / 2,
						.uva = (uint64_t)(uintptr_t)m->base +
						       i * (m->size / 2),
						.mmap_offset = i * (m->size / 2),
						.fd = m->fd};
	return vhost_fe_set_mem_table(c->fe, r, 2);
}

static int send_valid(struct conform_ctx *ctx, struct vu_conn *c, struct vu_mem *m,
		      uint32_t request)
{
	struct vhost_user_vring_addr addr = vu_ring_addr(m, 0);
	struct vhost_fe_region r = vu_mem_region(m, 0);
	int fd, ret;

	addr.desc_user_addr += ACK_RING_SHIFT;
	addr.avail_user_addr += ACK_RING_SHIFT;
	addr.used_user_addr += ACK_RING_SHIFT;

	switch (request) {
	case VHOST_USER_SET_OWNER:
		return vhost_fe_set_owner(c->fe);
	case VHOST_USER_SET_FEATURES:
		return vhost_fe_set_features(c->fe, c->features);
	case VHOST_USER_SET_PROTOCOL_FEATURES:
		return vhost_fe_set_protocol_features(c->fe, c->pfeatures);
	case VHOST_USER_SET_MEM_TABLE:
		return set_two_regions(c, m);
	case VHOST_USER_SET_VRING_NUM:
		return vhost_fe_set_vring_num(c->fe, 0, VU_RING_NUM);
	case VHOST_USER_SET_VRING_ADDR:
		if (vhost_fe_set_mem_table(c->fe, &r, 1) ||
		    vhost_fe_set_vring_num(c->fe, 0, ACK_RING_NUM))
			return conform_error(ctx, "set-up of the ring failed"), -EIO;
		return vhost_fe_set_vring_addr(c->fe, &addr);
	case VHOST_USER_SET_VRING_BASE:
		return vhost_fe_set_vring_base(c->fe, 0, 0);
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR:
		fd = eventfd(0, EFD_CLOEXEC);
		if (fd < 0)
			return conform_error(ctx, "eventfd: %s", strerror(errno)), -EIO;
		ret = request == VHOST_USER_SET_VRING_KICK   ? vhost_fe_set_vring_kick(c->fe, 0, fd)
		      : request == VHOST_USER_SET_VRING_CALL ? vhost_fe_set_vring_call(c->fe, 0, fd)
							     : vhost_fe_set_vring_err(c->fe, 0, fd);
		close(fd);
		return ret;
	case VHOST_USER_SET_VRING_ENABLE:
		return vhost_fe_set_vring_enable(c->fe, 0, false);
	case VHOST_USER_ADD_MEM_REG:
		return vhost_fe_add_mem_reg(c->fe, &r);
	case VHOST_USER_REM_MEM_REG:
		if (vhost_fe_add_mem_reg(c->fe, &r))
			return conform_error(ctx, "set-up: VHOST_USER_ADD_MEM_REG failed"), -EIO;
		return vhost_fe_rem_mem_reg(c->fe, &r);
	case VHOST_USER_SET_STATUS:
		return set_status_zero(ctx, c);
	case VHOST_USER_RESET_DEVICE:
	default:
		return vhost_fe_reset_device(c->fe);
	}
}

static enum conform_verdict acked_zero(struct conform_ctx *ctx, uint32_t request, uint64_t pf)
{
	const char *name = vhost_msg_request_name(request);
	struct vu_conn c;
	struct vu_mem m;
	int ret;

	if (vu_mem_create(ctx, &m, VU_MEM_SIZE) || vu_open(ctx, VU_PF(REPLY_ACK) | pf, &c))
		return CONFORM_ERROR;
	ret = send_valid(ctx, &c, &m, request);
	if (ret == -ETIMEDOUT)
		return conform_fail(ctx, "%s with need_reply: no ack (\"REPLY_ACK\": MUST respond)",
				    name);
	if (ret == -EPROTO)
		return conform_fail(ctx, "%s with need_reply: the answer is not a u64 ack", name);
	if (ret < 0)
		return conform_fail(ctx, "%s (valid) failed: %s", name, strerror(-ret));
	return CONFORM_PASS;
}

/* One row per request that has no reply of its own. */
#define ACK_CASE(fn, req, pf)                                                                      \
	enum conform_verdict fn(struct conform_ctx *ctx)                                           \
	{                                                                                          \
		return acked_zero(ctx, req, pf);                                                   \
	}

ACK_CASE(vu_ack_set_owner, VHOST_USER_SET_OWNER, 0)
ACK_CASE(vu_ack_set_features, VHOST_USER_SET_FEATURES, 0)
ACK_CASE(vu_ack_set_protocol_features, VHOST_USER_SET_PROTOCOL_FEATURES, 0)
ACK_CASE(vu_ack_set_mem_table, VHOST_USER_SET_MEM_TABLE, 0)
ACK_CASE(vu_ack_set_vring_num, VHOST_USER_SET_VRING_NUM, 0)
ACK_CASE(vu_ack_set_vring_addr, VHOST_USER_SET_VRING_ADDR, 0)
ACK_CASE(vu_ack_set_vring_base, VHOST_USER_SET_VRING_BASE, 0)
ACK_CASE(vu_ack_set_vring_kick, VHOST_USER_SET_VRING_KICK, 0)
ACK_CASE(vu_ack_set_vring_call, VHOST_USER_SET_VRING_CALL, 0)
ACK_CASE(vu_ack_set_vring_err, VHOST_USER_SET_VRING_ERR, 0)
ACK_CASE(vu_ack_set_vring_enable, VHOST_USER_SET_VRING_ENABLE, 0)
ACK_CASE(vu_ack_add_mem_reg, VHOST_USER_ADD_MEM_REG, VU_PF(CONFIGURE_MEM_SLOTS))
ACK_CASE(vu_ack_rem_mem_reg, VHOST_USER_REM_MEM_REG, VU_PF(CONFIGURE_MEM_SLOTS))
ACK_CASE(vu_ack_set_status, VHOST_USER_SET_STATUS, VU_PF(STATUS))
ACK_CASE(vu_ack_reset_device, VHOST_USER_RESET_DEVICE, VU_PF(RESET_DEVICE))
