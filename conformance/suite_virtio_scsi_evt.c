/* SPDX-License-Identifier: MIT */
/*
 * virtio-scsi suite: the eventq (virtio 1.2 §5.6.6.3). It fills the eventq,
 * drives what a device may report without being asked (a connection coming
 * up, a LOGICAL UNIT RESET, I/O), and judges every event that comes back.
 * The suite cannot add or remove a LUN on a vendor's device itself: where
 * the run has a hot-plug hook (conform_hotplug: `storlab conform
 * --hotplug-cmd`, --spawn-tgt's RPC) it has the back-end add and remove
 * LUN 0 of a target the device does not have, and judges the events of
 * that; without one those cases are N/A.
 */
#include <errno.h>
#include <string.h>

#include "conformance/suite_virtio_scsi.h"
#include "util/common.h"

#define EVT_BUFS 8
#define NO_HOOK	 "no hot-plug hook: give storlab conform --hotplug-cmd (--spawn-tgt has its own)"
/* Hot-plug operations with no event buffer posted (SCSI-EVT-006): more
 * events than a device holds for want of buffers, unless it holds them
 * all (then none is lost). */
#define EVT_LOSE_OPS 24
/* Bytes after each event buffer that the device must leave alone. */
#define EVT_GUARD 16

struct evt_buf {
	uint8_t *p;
	uint64_t gpa;
	uint32_t len;
};

/* Makes n buffers of len bytes available on the eventq (each followed by
 * EVT_GUARD bytes of 0xa5) and kicks. false when it could not. */
static bool evt_fill_n(struct scsi *s, struct evt_buf *b, unsigned n, uint32_t len)
{
	struct blk_chain chain;

	for (unsigned i = 0; i < n; i++) {
		b[i].p = blk_alloc(&s->io, len + EVT_GUARD, &b[i].gpa);
		if (!b[i].p)
			return false;
		b[i].len = len;
		memset(b[i].p, 0xa5, len + EVT_GUARD);
		blk_chain_init(&chain);
		blk_chain_add(&chain, b[i].gpa, len, true);
		if (blk_chain_add_to(&s->io, SCSI_Q_EVENT, &chain, &b[i]))
			return false;
	}
	conform_dev_kick(s->dev, SCSI_Q_EVENT);
	return true;
}

static bool evt_fill(struct scsi *s, struct evt_buf *b, uint32_t len)
{
	return evt_fill_n(s, b, EVT_BUFS, len);
}

/* What may make a device send events: I/O and a LOGICAL UNIT RESET. */
static void evt_provoke(struct scsi *s)
{
	struct scsi_tmf t;

	scsi_write_pattern(s, scsi_scratch_lba(s, 50), 1);
	if (scsi_tmf_init(s, &t, VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET, 0))
		scsi_tmf_run(s, &t);
	scsi_read_check(s, scsi_scratch_lba(s, 50), 1);
}

/* Calls judge on every event used so far (the last one waited for up to
 * the run's timeout, once); the first verdict other than PASS. */
static enum conform_verdict evt_each(struct scsi *s,
				     enum conform_verdict (*judge)(struct scsi *s,
								   const struct evt_buf *b,
								   uint32_t used_len))
{
	void *cookie;
	uint32_t len;
	int ret;

	while ((ret = conform_dev_wait_used(s->dev, SCSI_Q_EVENT, &cookie, &len)) == 0) {
		enum conform_verdict v = judge(s, cookie, len);

		if (v != CONFORM_PASS)
			return v;
	}
	if (ret != -ETIMEDOUT)
		return conform_error(s->ctx, "waiting for events: %s", strerror(-ret));
	return CONFORM_PASS;
}

static uint32_t evt_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A target the device does not have (INQUIRY to its LUN 0 is answered
 * BAD_TARGET), from max_target down, at most 255: where the hot-plug
 * cases add LUN 0. -1 when there is none. */
static int free_target(struct scsi *s)
{
	uint8_t inq[6] = {SCSI_OP_INQUIRY, 0, 0, 0, 36, 0};
	struct scsi_cmd c;

	for (int t = MIN(s->cfg.max_target, 255); t >= 0; t--) {
		if (!scsi_cmd_init(s, &c, inq, sizeof(inq), 0, 36))
			return -1;
		scsi_host_virtio_lun_encode(c.req->lun, (uint8_t)t, 0);
		if (scsi_cmd_run(s, SCSI_Q_REQ, &c))
			return -1;
		if (c.resp->response == VIRTIO_SCSI_S_BAD_TARGET)
			return t;
	}
	return -1;
}

/* Has the back-end add (add) or remove LUN 0 of target through the run's
 * hook: PASS, N/A without a hook, ERROR when it failed. */
static enum conform_verdict hotplug(struct scsi *s, bool add, int target)
{
	int ret = conform_hotplug(s->ctx, add, (unsigned)target, 0);

	if (ret == -ENOTSUP)
		return conform_not_applicable(s->ctx, NO_HOOK);
	if (ret)
		return conform_error(s->ctx, "the hot-plug hook failed: %s", strerror(-ret));
	return CONFORM_PASS;
}

/* The events used from now until none came for the run's timeout, at most
 * max, copied into ev (16 bytes each); how many. */
static unsigned evt_collect(struct scsi *s, uint8_t (*ev)[16], unsigned max)
{
	unsigned n = 0;
	void *cookie;
	uint32_t len;

	while (n < max && conform_dev_wait_used(s->dev, SCSI_Q_EVENT, &cookie, &len) == 0) {
		const struct evt_buf *b = cookie;

		memcpy(ev[n], b->p, MIN(b->len, 16u));
		conform_note(s->ctx, "event 0x%x lun %02x %02x %02x %02x reason %u", evt_u32(ev[n]),
			     ev[n][4], ev[n][5], ev[n][6], ev[n][7], evt_u32(ev[n] + 12));
		n++;
	}
	return n;
}

/* §5.6.6.3: a TRANSPORT_RESET for LUN 0 of target (single level, peripheral
 * or flat addressing) with reason. */
static bool evt_is(const uint8_t *e, int target, uint32_t reason)
{
	return (evt_u32(e) & ~VIRTIO_SCSI_T_EVENTS_MISSED) == VIRTIO_SCSI_T_TRANSPORT_RESET &&
	       evt_u32(e + 12) == reason && e[4] == VIRTIO_SCSI_LUN_FIRST && e[5] == target &&
	       (e[6] == 0 || e[6] == VIRTIO_SCSI_LUN_FLAT) && e[7] == 0;
}

static enum conform_verdict judge_no_hotplug(struct scsi *s, const struct evt_buf *b,
					     uint32_t used_len)
{
	uint32_t event = evt_u32(b->p) & ~VIRTIO_SCSI_T_EVENTS_MISSED;
	uint32_t reason = evt_u32(b->p + 12);

	(void)used_len;
	conform_note(s->ctx, "event 0x%x reason %u", evt_u32(b->p), reason);
	if (event == VIRTIO_SCSI_T_TRANSPORT_RESET && (reason == VIRTIO_SCSI_EVT_RESET_REMOVED ||
						       reason == VIRTIO_SCSI_EVT_RESET_RESCAN))
		return conform_fail(s->ctx, "TRANSPORT_RESET with reason %s without "
					    "VIRTIO_SCSI_F_HOTPLUG negotiated",
				    reason == VIRTIO_SCSI_EVT_RESET_REMOVED ? "REMOVED" : "RESCAN");
	return CONFORM_PASS;
}

SCSI_CASE(scsi_evt_no_hotplug_events)
{
	struct evt_buf b[EVT_BUFS];
	struct scsi s;

	int t;

	SCSI_OPEN_LUN(&s, 1, VIRTIO_BIT(VIRTIO_SCSI_F_HOTPLUG));
	if (!evt_fill(&s, b, sizeof(struct virtio_scsi_event)))
		return conform_error(ctx, "the eventq could not be filled");
	evt_provoke(&s);
	/* With a hot-plug hook, a LUN comes and goes too. */
	t = free_target(&s);
	if (t >= 0 && conform_hotplug(ctx, true, (unsigned)t, 0) == 0)
		conform_hotplug(ctx, false, (unsigned)t, 0);
	return evt_each(&s, judge_no_hotplug);
}

static enum conform_verdict judge_well_formed(struct scsi *s, const struct evt_buf *b,
					      uint32_t used_len)
{
	uint32_t event = evt_u32(b->p) & ~VIRTIO_SCSI_T_EVENTS_MISSED;
	uint32_t reason = evt_u32(b->p + 12);

	conform_note(s->ctx, "event 0x%x reason %u, used len %u", evt_u32(b->p), reason,
		     used_len);
	if (used_len > b->len)
		return conform_fail(s->ctx, "used len %u of a %u-byte event buffer", used_len,
				    b->len);
	if (event > VIRTIO_SCSI_T_PARAM_CHANGE)
		return conform_fail(s->ctx, "event type %u is none of §5.6.6.3's", event);
	if (event == VIRTIO_SCSI_T_TRANSPORT_RESET && reason > VIRTIO_SCSI_EVT_RESET_REMOVED)
		return conform_fail(s->ctx, "TRANSPORT_RESET with reason %u", reason);
	if (event != VIRTIO_SCSI_T_NO_EVENT && b->p[4] != VIRTIO_SCSI_LUN_FIRST)
		return conform_fail(s->ctx, "event %u: lun[0] is %u, not 1", event, b->p[4]);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_evt_well_formed)
{
	struct evt_buf b[EVT_BUFS];
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (!evt_fill(&s, b, sizeof(struct virtio_scsi_event)))
		return conform_error(ctx, "the eventq could not be filled");
	evt_provoke(&s);
	return evt_each(&s, judge_well_formed);
}

static enum conform_verdict judge_short(struct scsi *s, const struct evt_buf *b,
					uint32_t used_len)
{
	conform_note(s->ctx, "a short event buffer used, len %u", used_len);
	if (used_len > b->len)
		return conform_fail(s->ctx, "used len %u of a %u-byte buffer", used_len, b->len);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_evt_short_buffer)
{
	struct evt_buf b[EVT_BUFS];
	enum conform_verdict v;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	/* 4 bytes: the event field only (§5.6.6.3.1 binds the driver to 16). */
	if (!evt_fill(&s, b, 4))
		return conform_error(ctx, "the eventq could not be filled");
	evt_provoke(&s);
	v = evt_each(&s, judge_short);
	if (v != CONFORM_PASS)
		return v;
	for (unsigned i = 0; i < EVT_BUFS; i++)
		for (unsigned k = 0; k < EVT_GUARD; k++)
			if (b[i].p[b[i].len + k] != 0xa5)
				return conform_fail(ctx, "the device wrote past a %u-byte event "
							 "buffer",
						    b[i].len);
	return scsi_keeps_serving(&s);
}

/* Opens the LU with HOTPLUG acknowledged and finds the free target t the
 * hot-plug cases use; false with *v set when it cannot. */
static bool hotplug_open(struct conform_ctx *ctx, struct scsi *s, int *t, enum conform_verdict *v)
{
	if (!conform_can_hotplug(ctx)) {
		*v = conform_not_applicable(ctx, NO_HOOK);
		return false;
	}
	if (!scsi_open_lun(ctx, s, 1, 0, v))
		return false;
	if (!scsi_has(s, VIRTIO_SCSI_F_HOTPLUG)) {
		*v = conform_not_applicable(ctx, "VIRTIO_SCSI_F_HOTPLUG not negotiated");
		return false;
	}
	*t = free_target(s);
	if (*t < 0) {
		*v = conform_not_applicable(ctx,
					    "every target up to max_target %u answers: none to add",
					    s->cfg.max_target);
		return false;
	}
	return true;
}

/* The first of n events that is a TRANSPORT_RESET with reason for LUN 0 of
 * t; FAIL naming what came instead. */
static enum conform_verdict expect_event(struct scsi *s, uint8_t (*ev)[16], unsigned n, int t,
					 uint32_t reason, const char *what)
{
	for (unsigned i = 0; i < n; i++) {
		if (evt_is(ev[i], t, reason))
			return CONFORM_PASS;
	}
	return conform_fail(s->ctx,
			    "%s of LUN 0 of target %d: %u events (trace), none a TRANSPORT_RESET "
			    "with reason %u for it",
			    what, t, n, reason);
}

/* hotplug_open, event buffers posted, and LUN 0 of the free target *t
 * added; false with *v set when any of it did not happen. */
static bool hot_added(struct conform_ctx *ctx, struct scsi *s, struct evt_buf *b, int *t,
		      enum conform_verdict *v)
{
	if (!hotplug_open(ctx, s, t, v))
		return false;
	if (!evt_fill(s, b, sizeof(struct virtio_scsi_event))) {
		*v = conform_error(ctx, "the eventq could not be filled");
		return false;
	}
	*v = hotplug(s, true, *t);
	return *v == CONFORM_PASS;
}

SCSI_CASE(scsi_evt_hot_add)
{
	struct evt_buf b[EVT_BUFS];
	uint8_t ev[EVT_BUFS][16], inq[6] = {SCSI_OP_INQUIRY, 0, 0, 0, 36, 0};
	enum conform_verdict v;
	struct scsi_cmd c;
	struct scsi s;
	int t;

	if (!hot_added(ctx, &s, b, &t, &v))
		return v;
	v = expect_event(&s, ev, evt_collect(&s, ev, EVT_BUFS), t, VIRTIO_SCSI_EVT_RESET_RESCAN,
			 "a hot-add");
	/* The LUN announced answers INQUIRY as connected (SPC-5 §6.7.2). */
	if (v == CONFORM_PASS) {
		if (!scsi_cmd_init(&s, &c, inq, sizeof(inq), 0, 36))
			return conform_error(ctx, "out of guest memory");
		scsi_host_virtio_lun_encode(c.req->lun, (uint8_t)t, 0);
		if (scsi_cmd_run(&s, SCSI_Q_REQ, &c) || !scsi_good(&s, &c, "INQUIRY") ||
		    c.din[0] >> 5 != 0)
			v = conform_fail(ctx,
					 "LUN 0 of target %d, announced, does not answer "
					 "INQUIRY as a connected LU (trace)",
					 t);
	}
	hotplug(&s, false, t);
	return v;
}

SCSI_CASE(scsi_evt_hot_remove)
{
	static const uint16_t not_supported[] = {SCSI_ASC_LOGICAL_UNIT_NOT_SUPPORTED};
	uint8_t ev[EVT_BUFS][16], tur[6] = {SCSI_OP_TEST_UNIT_READY};
	struct evt_buf b[EVT_BUFS];
	enum conform_verdict v;
	struct scsi_cmd c;
	struct scsi s;
	int t;

	if (!hot_added(ctx, &s, b, &t, &v))
		return v;
	/* The hot-add's events are SCSI-EVT-004's to judge; the removal's
	 * come after them, in the buffers left. */
	evt_collect(&s, ev, EVT_BUFS);
	v = hotplug(&s, false, t);
	if (v != CONFORM_PASS)
		return v;
	v = expect_event(&s, ev, evt_collect(&s, ev, EVT_BUFS), t, VIRTIO_SCSI_EVT_RESET_REMOVED,
			 "a hot-remove");
	if (v != CONFORM_PASS)
		return v;
	/* §5.6.6.3: "LUN/target removed" maps to LOGICAL UNIT NOT SUPPORTED;
	 * a target with no LUN left is also one that does not exist. */
	if (!scsi_cmd_init(&s, &c, tur, sizeof(tur), 0, 0))
		return conform_error(ctx, "out of guest memory");
	scsi_host_virtio_lun_encode(c.req->lun, (uint8_t)t, 0);
	if (scsi_cmd_run(&s, SCSI_Q_REQ, &c))
		return conform_fail(ctx, "TEST UNIT READY to the removed LUN got no answer");
	if (c.resp->response == VIRTIO_SCSI_S_BAD_TARGET)
		return CONFORM_PASS;
	return scsi_expect_check(&s, &c, "TEST UNIT READY to the removed LUN",
				 SCSI_SK_ILLEGAL_REQUEST, not_supported, 1);
}

SCSI_CASE(scsi_evt_missed)
{
	static struct evt_buf b[EVT_LOSE_OPS + EVT_BUFS];
	static uint8_t ev[EVT_LOSE_OPS + EVT_BUFS][16];
	enum conform_verdict v = CONFORM_PASS;
	unsigned n, ours = 0;
	struct scsi s;
	int t;

	if (!hotplug_open(ctx, &s, &t, &v))
		return v;
	/* No buffer on the eventq: each event is held or lost. */
	for (unsigned i = 0; i < EVT_LOSE_OPS && v == CONFORM_PASS; i++)
		v = hotplug(&s, i % 2 == 0, t);
	if (v != CONFORM_PASS)
		return v;
	if (!evt_fill_n(&s, b, ARRAY_SIZE(b), sizeof(struct virtio_scsi_event)))
		return conform_error(ctx, "the eventq could not be filled");
	n = evt_collect(&s, ev, ARRAY_SIZE(ev));
	if (n == 0) {
		/* Nothing reported on the buffers alone: the next event must
		 * say what was lost. */
		v = hotplug(&s, true, t);
		n = evt_collect(&s, ev, ARRAY_SIZE(ev));
		hotplug(&s, false, t);
		if (v != CONFORM_PASS)
			return v;
	}
	for (unsigned i = 0; i < n; i++)
		ours += evt_is(ev[i], t, VIRTIO_SCSI_EVT_RESET_RESCAN) ||
			evt_is(ev[i], t, VIRTIO_SCSI_EVT_RESET_REMOVED);
	conform_note(ctx, "%u events after %u hot-plugs without buffers, %u of them theirs", n,
		     EVT_LOSE_OPS, ours);
	if (ours >= EVT_LOSE_OPS)
		return CONFORM_PASS; /* every one held: none lost */
	if (n == 0)
		return conform_fail(ctx, "%u hot-plug events lost, and no event says so",
				    EVT_LOSE_OPS);
	if (!(evt_u32(ev[0]) & VIRTIO_SCSI_T_EVENTS_MISSED))
		return conform_fail(ctx,
				    "%u of %u hot-plug events came; the first event after "
				    "the loss (0x%x) does not have bit 31 set",
				    ours, EVT_LOSE_OPS, evt_u32(ev[0]));
	return CONFORM_PASS;
}
