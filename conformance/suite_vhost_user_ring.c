/* SPDX-License-Identifier: MIT */
/*
 * vhost-user suite: rings (VHOST-RING, "Ring states") and vring indexes
 * against the queue count (VHOST-MQ, "Multiple queue support").
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "conformance/suite_vhost_user.h"
#include "util/common.h"
#include "vhost/vhost_msg.h"

/* GET_VRING_BASE of vring q answers want (why: the case's words for it). */
static enum conform_verdict base_is(struct conform_ctx *ctx, struct vu_conn *c, uint32_t q,
				    uint32_t want, const char *why)
{
	uint32_t base;
	int ret = vhost_fe_get_vring_base(c->fe, q, &base);

	if (ret < 0)
		return conform_fail(ctx, "VHOST_USER_GET_VRING_BASE of vring %u: %s", q,
				    strerror(-ret));
	if (base != want)
		return conform_fail(ctx, "vring %u base %u, %u expected %s", q, base, want, why);
	return CONFORM_PASS;
}

/* Set up in the order QEMU uses and started (kick, enable) with nothing
 * made available: GET_VRING_BASE returns the next index to process, the
 * base it was given. Whether each step is acknowledged with 0 is
 * VHOST-ACK-016's business; a refused step leaves nothing to check. */
enum conform_verdict vu_ring_setup_order(struct conform_ctx *ctx)
{
	struct vu_conn c;
	struct vu_mem m;

	if (vu_open_mem(ctx, VU_PF(REPLY_ACK), &c, &m) || vu_ring_setup(ctx, &c, &m, 0, 0, true))
		return CONFORM_ERROR;
	return base_is(ctx, &c, 0, 0, "with no request made available");
}

/* A ring never kicked is stopped; its base is what SET_VRING_BASE set. */
enum conform_verdict vu_ring_base_unstarted(struct conform_ctx *ctx)
{
	struct vu_conn c;
	struct vu_mem m;

	if (vu_open_mem(ctx, VU_PF(REPLY_ACK), &c, &m) ||
	    vu_ring_setup(ctx, &c, &m, 1, 1234, false))
		return CONFORM_ERROR;
	return base_is(ctx, &c, 1, 1234, "(set by SET_VRING_BASE)");
}

/* Stopped by GET_VRING_BASE, a ring starts again with a new base and kick
 * ("Ring states"), as QEMU does across a VM stop and continue. */
enum conform_verdict vu_ring_base_restart(struct conform_ctx *ctx)
{
	struct vu_conn c;
	struct vu_mem m;
	uint32_t base;
	int ret;

	if (vu_open_mem(ctx, VU_PF(REPLY_ACK), &c, &m) || vu_ring_setup(ctx, &c, &m, 0, 10, true))
		return CONFORM_ERROR;
	ret = vhost_fe_get_vring_base(c.fe, 0, &base);
	if (ret < 0 || base != 10)
		return conform_fail(ctx,
				    "first VHOST_USER_GET_VRING_BASE: %d base %u, 10 "
				    "expected",
				    ret, base);
	if (vu_ring_setup(ctx, &c, &m, 0, 20, true))
		return conform_fail(ctx, "the stopped ring could not be set up again");
	ret = vhost_fe_get_vring_base(c.fe, 0, &base);
	if (ret < 0 || base != 20)
		return conform_fail(ctx,
				    "second VHOST_USER_GET_VRING_BASE: %d base %u, 20 "
				    "expected",
				    ret, base);
	return CONFORM_PASS;
}

/* SET_VRING_NUM with a size a split ring cannot have (virtio 1.2 §2.7:
 * "Queue Size value is always a power of 2. The maximum Queue Size value is
 * 32768."). No sentence asks the back-end to check: an advisory. */
static enum conform_verdict bad_num(struct conform_ctx *ctx, uint32_t num)
{
	struct vhost_user_vring_state s = {.index = 0, .num = num};
	struct vu_conn c;

	if (vu_open(ctx, VU_PF(REPLY_ACK), &c))
		return CONFORM_ERROR;
	return vu_expect_refused(ctx, &c, VHOST_USER_SET_VRING_NUM, &s, sizeof(s), NULL, 0);
}

enum conform_verdict vu_ring_num_zero(struct conform_ctx *ctx)
{
	return bad_num(ctx, 0);
}

enum conform_verdict vu_ring_num_not_pow2(struct conform_ctx *ctx)
{
	return bad_num(ctx, 100);
}

enum conform_verdict vu_ring_num_too_big(struct conform_ctx *ctx)
{
	return bad_num(ctx, 65536);
}

/* SET_VRING_ADDR with a used ring outside every region ("Memory access":
 * user addresses map to the region containing them; none does). */
enum conform_verdict vu_ring_addr_outside(struct conform_ctx *ctx)
{
	struct vhost_user_vring_addr addr;
	struct vu_conn c;
	struct vu_mem m;

	if (vu_open_mem(ctx, VU_PF(REPLY_ACK), &c, &m))
		return CONFORM_ERROR;
	if (vhost_fe_set_vring_num(c.fe, 0, VU_RING_NUM))
		return conform_error(ctx, "set-up: VHOST_USER_SET_VRING_NUM failed");
	addr = vu_ring_addr(&m, 0);
	addr.used_user_addr = (uint64_t)(uintptr_t)m.base + m.size + 0x100000;
	return vu_expect_refused(ctx, &c, VHOST_USER_SET_VRING_ADDR, &addr, sizeof(addr), NULL, 0);
}

/* SET_VRING_ADDR with one part of the ring off the alignment virtio 1.2
 * §2.7 gives it (descriptor table 16, available ring 2, used ring 4 bytes),
 * each probe on a connection of its own. */
enum conform_verdict vu_ring_addr_unaligned(struct conform_ctx *ctx)
{
	static const struct {
		const char *part;
		uint64_t desc, avail, used; /* added to the aligned address */
	} probes[] = {
	    {"descriptor table", 8, 0, 0},
	    {"available ring", 0, 1, 0},
	    {"used ring", 0, 0, 2},
	};
	struct vhost_user_vring_addr addr;
	enum conform_verdict v;
	struct vu_conn c;
	struct vu_mem m;

	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if (vu_open_mem(ctx, VU_PF(REPLY_ACK), &c, &m))
			return CONFORM_ERROR;
		if (vhost_fe_set_vring_num(c.fe, 0, VU_RING_NUM))
			return conform_error(ctx, "set-up: VHOST_USER_SET_VRING_NUM failed");
		addr = vu_ring_addr(&m, 0);
		addr.desc_user_addr += probes[i].desc;
		addr.avail_user_addr += probes[i].avail;
		addr.used_user_addr += probes[i].used;
		conform_note(ctx, "the %s unaligned", probes[i].part);
		v = vu_request_refused(ctx, &c, VHOST_USER_SET_VRING_ADDR, &addr, sizeof(addr),
				       NULL, 0);
		if (v != CONFORM_PASS)
			return v;
		vu_close(&c);
	}
	return vu_expect_serving(ctx, &c);
}

/* ------------------------------------------------------------------ */
/* "Multiple queue support": a vring index >= GET_QUEUE_NUM (advisories: */
/* the spec tells the front-end to stay below it, not the back-end to   */
/* check)                                                               */
/* ------------------------------------------------------------------ */

/* Opens with MQ and REPLY_ACK and returns the queue count in *n. */
static int open_mq(struct conform_ctx *ctx, struct vu_conn *c, struct vu_mem *m, uint64_t *n)
{
	int ret;

	if (vu_open_mem(ctx, VU_PF(REPLY_ACK) | VU_PF(MQ), c, m))
		return -EIO;
	ret = vhost_fe_get_queue_num(c->fe, n);
	if (ret < 0) {
		conform_error(ctx, "set-up: VHOST_USER_GET_QUEUE_NUM: %s", strerror(-ret));
		return ret;
	}
	conform_note(ctx, "queue count %llu", (unsigned long long)*n);
	return 0;
}

/* request for vring index n (one past the last queue), with a payload
 * that would be valid for a real queue. */
static enum conform_verdict index_past_queues(struct conform_ctx *ctx, uint32_t request)
{
	struct vu_conn c;
	struct vu_mem m;
	uint64_t n;
	union {
		struct vhost_user_vring_state state;
		struct vhost_user_vring_addr addr;
		uint64_t u64;
	} p;
	uint32_t size;
	int fd = -1;

	if (open_mq(ctx, &c, &m, &n))
		return CONFORM_ERROR;
	memset(&p, 0, sizeof(p));
	switch (request) {
	case VHOST_USER_SET_VRING_ADDR:
		p.addr = vu_ring_addr(&m, 0);
		p.addr.index = (uint32_t)n;
		size = sizeof(p.addr);
		break;
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
		/* Bits 0-7 carry the index: a count of 256 leaves none past it. */
		if (n > VHOST_USER_VRING_IDX_MASK)
			return conform_not_applicable(ctx, "%llu queues: no index past them fits",
						      (unsigned long long)n);
		p.u64 = n;
		size = sizeof(p.u64);
		fd = eventfd(0, EFD_CLOEXEC);
		break;
	default:
		p.state.index = (uint32_t)n;
		p.state.num = request == VHOST_USER_SET_VRING_NUM      ? VU_RING_NUM
			      : request == VHOST_USER_SET_VRING_ENABLE ? 1
								       : 0;
		size = sizeof(p.state);
		break;
	}
	return vu_expect_refused(ctx, &c, request, &p, size, &fd, fd < 0 ? 0 : 1);
}

enum conform_verdict vu_mq_set_vring_num(struct conform_ctx *ctx)
{
	return index_past_queues(ctx, VHOST_USER_SET_VRING_NUM);
}

enum conform_verdict vu_mq_set_vring_addr(struct conform_ctx *ctx)
{
	return index_past_queues(ctx, VHOST_USER_SET_VRING_ADDR);
}

enum conform_verdict vu_mq_set_vring_base(struct conform_ctx *ctx)
{
	return index_past_queues(ctx, VHOST_USER_SET_VRING_BASE);
}

enum conform_verdict vu_mq_set_vring_kick(struct conform_ctx *ctx)
{
	return index_past_queues(ctx, VHOST_USER_SET_VRING_KICK);
}

enum conform_verdict vu_mq_set_vring_call(struct conform_ctx *ctx)
{
	return index_past_queues(ctx, VHOST_USER_SET_VRING_CALL);
}

enum conform_verdict vu_mq_set_vring_enable(struct conform_ctx *ctx)
{
	return index_past_queues(ctx, VHOST_USER_SET_VRING_ENABLE);
}

/* GET_VRING_BASE has a reply of its own and no failure value: the case
 * accepts anything but a vring state for the queue that does not exist
 * (an empty reply, another size, or a closed connection). */
enum conform_verdict vu_mq_get_vring_base(struct conform_ctx *ctx)
{
	struct vhost_user_vring_state s;
	struct vhost_user_hdr hdr;
	struct vu_conn c;
	struct vu_mem m;
	uint64_t n;
	int ret;

	if (open_mq(ctx, &c, &m, &n))
		return CONFORM_ERROR;
	s = (struct vhost_user_vring_state){.index = (uint32_t)n};
	ret = vu_send(&c, VHOST_USER_GET_VRING_BASE, VHOST_USER_VERSION, &s, sizeof(s), NULL, 0);
	if (ret == 0)
		ret = vu_recv(ctx, &c, &hdr, &s, sizeof(s));
	if (ret == -ETIMEDOUT)
		return conform_fail(ctx, "no reply and the connection stays open");
	if (ret == -ECONNRESET) {
		conform_note(ctx, "the back-end closed the connection");
		vu_close(&c);
	} else if (ret == 0 && hdr.size == sizeof(s)) {
		return conform_fail(ctx,
				    "a vring state (index %u num %u) for vring %llu of %llu "
				    "queues",
				    s.index, s.num, (unsigned long long)n, (unsigned long long)n);
	} else {
		conform_note(ctx, "reply of %u bytes", hdr.size);
	}
	return vu_expect_serving(ctx, &c);
}

/* "Multiple queue support": GET_QUEUE_NUM is "the max number of queues the
 * back-end supports". The last of them, vring n - 1, is set up and started
 * as QEMU starts a queue (NUM, ADDR, BASE, KICK, CALL, ENABLE), every step
 * acked 0, and GET_VRING_BASE then stops it at its base. */
enum conform_verdict vu_mq_last_queue_starts(struct conform_ctx *ctx)
{
	static const uint32_t requests[] = {VHOST_USER_SET_VRING_NUM,  VHOST_USER_SET_VRING_ADDR,
					    VHOST_USER_SET_VRING_BASE, VHOST_USER_SET_VRING_KICK,
					    VHOST_USER_SET_VRING_CALL, VHOST_USER_SET_VRING_ENABLE};
	struct vhost_fe_region r;
	struct vhost_user_vring_addr addr;
	struct vu_conn c;
	struct vu_mem m;
	uint64_t n;
	uint32_t q, base;
	int ret = 0;

	if (vu_open(ctx, VU_PF(REPLY_ACK) | VU_PF(MQ), &c))
		return CONFORM_ERROR;
	ret = vhost_fe_get_queue_num(c.fe, &n);
	if (ret < 0)
		return conform_error(ctx, "set-up: VHOST_USER_GET_QUEUE_NUM: %s", strerror(-ret));
	if (n == 0 || n > VHOST_USER_VRING_IDX_MASK + 1)
		return conform_not_applicable(ctx,
					      "a queue count of %llu: no last vring index "
					      "to start (VHOST-FEAT-003 judges it)",
					      (unsigned long long)n);
	q = (uint32_t)n - 1;
	conform_note(ctx, "queue count %llu: starting vring %u", (unsigned long long)n, q);
	if (vu_mem_create(ctx, &m, MAX(VU_MEM_SIZE, (uint64_t)n * 0x4000)))
		return CONFORM_ERROR;
	r = vu_mem_region(&m, 0);
	ret = vhost_fe_set_mem_table(c.fe, &r, 1);
	if (ret < 0)
		return conform_error(ctx, "set-up: VHOST_USER_SET_MEM_TABLE: %s", strerror(-ret));
	addr = vu_ring_addr(&m, q);
	for (unsigned i = 0; ret == 0 && i < ARRAY_SIZE(requests); i++) {
		int fd = -1;

		switch (requests[i]) {
		case VHOST_USER_SET_VRING_NUM:
			ret = vhost_fe_set_vring_num(c.fe, q, VU_RING_NUM);
			break;
		case VHOST_USER_SET_VRING_ADDR:
			ret = vhost_fe_set_vring_addr(c.fe, &addr);
			break;
		case VHOST_USER_SET_VRING_BASE:
			ret = vhost_fe_set_vring_base(c.fe, q, 0);
			break;
		case VHOST_USER_SET_VRING_KICK:
		case VHOST_USER_SET_VRING_CALL:
			fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			if (fd < 0)
				return conform_error(ctx, "eventfd: %s", strerror(errno));
			ret = requests[i] == VHOST_USER_SET_VRING_KICK
				  ? vhost_fe_set_vring_kick(c.fe, q, fd)
				  : vhost_fe_set_vring_call(c.fe, q, fd);
			close(fd);
			break;
		default:
			if (c.features & VU_F_PROTOCOL_FEATURES)
				ret = vhost_fe_set_vring_enable(c.fe, q, true);
			break;
		}
		if (ret < 0)
			return conform_fail(ctx, "%s of vring %u, the last of %llu queues: %s",
					    vhost_msg_request_name(requests[i]), q,
					    (unsigned long long)n, strerror(-ret));
	}
	ret = vhost_fe_get_vring_base(c.fe, q, &base);
	if (ret < 0)
		return conform_fail(ctx, "VHOST_USER_GET_VRING_BASE of vring %u: %s", q,
				    strerror(-ret));
	if (base != 0)
		return conform_fail(ctx,
				    "vring %u stopped at base %u; nothing was made available "
				    "since base 0",
				    q, base);
	return CONFORM_PASS;
}

/* "VHOST_USER_RESET_DEVICE": "reset all internal device state to the
 * initial state, ready to be reinitialized". A ring given base 1234 (never
 * kicked), then RESET_DEVICE and SET_FEATURES again: GET_VRING_BASE of that
 * ring answers 0, not the base from before the reset. */
enum conform_verdict vu_ring_base_after_reset(struct conform_ctx *ctx)
{
	struct vu_conn c;
	struct vu_mem m;
	int ret;

	if (vu_open_mem(ctx, VU_PF(REPLY_ACK) | VU_PF(RESET_DEVICE), &c, &m) ||
	    vu_ring_setup(ctx, &c, &m, 1, 1234, false))
		return CONFORM_ERROR;
	ret = vhost_fe_reset_device(c.fe);
	if (ret == 0)
		ret = vhost_fe_set_features(c.fe, c.features);
	if (ret == -EPIPE || ret == -ECONNRESET)
		return conform_not_applicable(ctx, "the back-end closed the connection on "
						   "RESET_DEVICE: no ring state to check");
	if (ret < 0)
		return conform_error(ctx, "RESET_DEVICE, then SET_FEATURES: %s", strerror(-ret));
	return base_is(ctx, &c, 1, 0, "after RESET_DEVICE (1234 before it)");
}
