/* SPDX-License-Identifier: MIT */
/*
 * virtio-scsi suite: the eventq (virtio 1.2 §5.6.6.3). The suite cannot
 * add or remove a LUN on a vendor's device, so it fills the eventq, drives
 * what a device may report without being asked (a connection coming up, a
 * LOGICAL UNIT RESET, I/O), and judges every event that comes back.
 */
#include <errno.h>
#include <string.h>

#include "conformance/suite_virtio_scsi.h"
#include "util/common.h"

#define EVT_BUFS 8
/* Bytes after each event buffer that the device must leave alone. */
#define EVT_GUARD 16

struct evt_buf {
	uint8_t *p;
	uint64_t gpa;
	uint32_t len;
};

/* Makes EVT_BUFS buffers of len bytes available on the eventq (each
 * followed by EVT_GUARD bytes of 0xa5) and kicks. false when it could not. */
static bool evt_fill(struct scsi *s, struct evt_buf *b, uint32_t len)
{
	struct blk_chain chain;

	for (unsigned i = 0; i < EVT_BUFS; i++) {
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

	SCSI_OPEN_LUN(&s, 1, VIRTIO_BIT(VIRTIO_SCSI_F_HOTPLUG));
	if (!evt_fill(&s, b, sizeof(struct virtio_scsi_event)))
		return conform_error(ctx, "the eventq could not be filled");
	evt_provoke(&s);
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
