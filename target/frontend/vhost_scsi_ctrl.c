/* SPDX-License-Identifier: MIT */
/*
 * The controlq (virtio 1.2 §5.6.6.2: task management functions,
 * asynchronous notification) and the eventq (§5.6.6.3: hot-plug events) of
 * a vhost-user-scsi controller, each on the queue engine. A TMF is handed
 * to the reactor of every request queue (reactor_post), which ends the
 * commands it selects (vhost_scsi_queue_tmf); the TMF completes on the
 * controlq's reactor once the last of them completed.
 */
#define LOG_COMPONENT "vhost-scsi"
#include "target/frontend/vhost_scsi_internal.h"

#include <errno.h>
#include <string.h>

#include "util/common.h"
#include "util/iov.h"
#include "util/log.h"

/* ---- Task management, on a request queue's reactor ---- */

static void tmf_reset_done(void *arg)
{
	vhost_scsi_tmf_put(arg);
}

static bool tmf_matches(const struct vhost_scsi_tmf *tmf, const struct vhost_scsi_io *io)
{
	if (!io->busy || io->target != tmf->target)
		return false;
	if (tmf->whole_target)
		return true;
	return io->lun == tmf->lun && (!tmf->by_tag || io->tag == tmf->tag);
}

/*
 * §5.6.6.2: "the device MUST complete all active commands on a logical
 * unit or target (possibly with a VIRTIO_SCSI_S_RESET response code) upon
 * receiving a "logical unit reset" or "I_T nexus reset" TMF. Similarly, the
 * device MUST complete the selected commands (possibly with a
 * VIRTIO_SCSI_S_ABORTED response code) upon receiving an "abort task" or
 * "abort task set" TMF. Such effects MUST take place before the TMF itself
 * is successfully completed". Each command selected is marked, its I/O
 * taken back (bdev_abort; for resets bdev_channel_reset of the LUNs'
 * channels), and the TMF waits for its completion (vhost_scsi_tmf_put).
 */
void vhost_scsi_queue_tmf(struct vhost_scsi_queue *q, struct vhost_scsi_tmf *tmf)
{
	bool reset_done[VHOST_SCSI_SLOTS] = {false};

	if (!q->qe.slots)
		return; /* not running: nothing in flight */
	for (uint32_t i = 0; i < q->qe.nslots; i++) {
		struct vhost_scsi_io *io = (void *)(q->qe.slots + (size_t)i * q->qe.slot_size);
		unsigned slot;

		if (!tmf_matches(tmf, io) || io->tmf)
			continue;
		slot = io->target * VHOST_SCSI_MAX_LUNS + io->lun;
		__atomic_fetch_add(&tmf->found, 1, __ATOMIC_RELAXED);
		if (tmf->query)
			continue;
		io->tmf = tmf;
		io->tmf_response = tmf->io_response;
		__atomic_fetch_add(&tmf->pending, 1, __ATOMIC_ACQ_REL);
		if (!tmf->reset) {
			/* -EBUSY, -EALREADY, -ENOENT: it completes anyway */
			bdev_abort(io->ch, &io->bio);
		} else if (!reset_done[slot]) {
			reset_done[slot] = true;
			__atomic_fetch_add(&tmf->pending, 1, __ATOMIC_ACQ_REL);
			if (bdev_channel_reset(io->ch, tmf_reset_done, tmf) != 0)
				vhost_scsi_tmf_put(tmf);
		}
	}
}

/* ---- controlq ---- */

static void tmf_complete(void *arg)
{
	struct vhost_scsi_tmf *tmf = arg;
	struct vhost_scsi_queue *cq = tmf->cq;
	struct iovec *in = tmf->iov + tmf->nout;
	uint8_t response = VIRTIO_SCSI_S_FUNCTION_COMPLETE;

	/* SAM-5 §7.7 / §7.8: QUERY TASK (SET) answers FUNCTION SUCCEEDED when
	 * a command it asks about is there. */
	if (tmf->query && __atomic_load_n(&tmf->found, __ATOMIC_ACQUIRE))
		response = VIRTIO_SCSI_S_FUNCTION_SUCCEEDED;
	iov_copy_in(in, tmf->nin, &response, 1);
	vhost_scsi_push(cq, in, tmf->nin, tmf->head, 1);
	qe_slot_put(&cq->qe, tmf);
	/* The controlq's poll may be a period away (VHOST_SCSI_MGMT_POLL_US). */
	qe_notify_pending(&cq->qe);
}

void vhost_scsi_tmf_put(struct vhost_scsi_tmf *tmf)
{
	/* The last command's push happened before this release; the
	 * controlq's push of the TMF comes after the acquire (§5.6.6.2: "the
	 * device MUST use memory barriers appropriately"). */
	if (__atomic_sub_fetch(&tmf->pending, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	tmf->done_ev = (struct reactor_event){.fn = tmf_complete, .arg = tmf};
	if (reactor_post(tmf->cq->home, &tmf->done_ev) != 0)
		log_err("%s: controlq's reactor is gone: TMF not answered", tmf->cq->qe.owner);
}

static void tmf_part_msg(void *arg)
{
	struct vhost_scsi_tmf_part *part = arg;

	vhost_scsi_queue_tmf(part->q, part->tmf);
	vhost_scsi_tmf_put(part->tmf);
}

/* One byte of answer, now (no command to wait for). */
static void ctrl_answer(struct vhost_scsi_queue *cq, struct vhost_scsi_tmf *tmf, uint8_t response)
{
	struct iovec *in = tmf->iov + tmf->nout;

	iov_copy_in(in, tmf->nin, &response, 1);
	vhost_scsi_push(cq, in, tmf->nin, tmf->head, 1);
	if (response != VIRTIO_SCSI_S_FUNCTION_COMPLETE &&
	    response != VIRTIO_SCSI_S_FUNCTION_SUCCEEDED)
		vhost_ring_stat_add(&cq->counters.errors, 1);
	qe_slot_put(&cq->qe, tmf);
}

/* What the TMF does (§5.6.6.2, SAM-5 §7); false: not a function we
 * perform, answered FUNCTION REJECTED. */
static bool tmf_kind(struct vhost_scsi_tmf *tmf)
{
	tmf->whole_target = false;
	tmf->query = false;
	tmf->by_tag = false;
	tmf->reset = false;
	tmf->io_response = VIRTIO_SCSI_S_ABORTED;
	switch (tmf->subtype) {
	case VIRTIO_SCSI_T_TMF_ABORT_TASK:
		tmf->by_tag = true;
		return true;
	case VIRTIO_SCSI_T_TMF_ABORT_TASK_SET:
	/* SAM-5 §7.4: CLEAR TASK SET aborts every command of the task set;
	 * one initiator, so the same set as ABORT TASK SET. */
	case VIRTIO_SCSI_T_TMF_CLEAR_TASK_SET:
		return true;
	case VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET:
		tmf->reset = true;
		tmf->io_response = VIRTIO_SCSI_S_RESET;
		return true;
	case VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET:
		tmf->whole_target = true;
		tmf->reset = true;
		tmf->io_response = VIRTIO_SCSI_S_RESET;
		return true;
	case VIRTIO_SCSI_T_TMF_QUERY_TASK:
		tmf->by_tag = true;
		tmf->query = true;
		return true;
	case VIRTIO_SCSI_T_TMF_QUERY_TASK_SET:
		tmf->query = true;
		return true;
	default:
		/* CLEAR ACA: we never establish an ACA (SAM-5 §5.9.1.1) */
		return false;
	}
}

/* SAM-5 §7.5 / §7.6: a reset establishes a unit attention on the logical
 * units it reset (BUS DEVICE RESET FUNCTION OCCURRED, I_T NEXUS LOSS
 * OCCURRED). */
static void tmf_set_ua(struct vhost_scsi *vs, const struct vhost_scsi_tmf *tmf)
{
	uint16_t ids[VHOST_SCSI_MAX_LUNS];
	unsigned n;

	if (tmf->subtype == VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET) {
		struct vhost_scsi_lun *lun = vhost_scsi_lun_get(vs, tmf->target, tmf->lun);

		if (lun)
			scsi_lun_set_ua(&lun->sl, SCSI_UA_LUN_RESET);
		return;
	}
	n = vhost_scsi_target_luns(vs, tmf->target, ids);
	for (unsigned i = 0; i < n; i++) {
		struct vhost_scsi_lun *lun = vhost_scsi_lun_get(vs, tmf->target, ids[i]);

		if (lun)
			scsi_lun_set_ua(&lun->sl, SCSI_UA_NEXUS_LOSS);
	}
}

static void tmf_start(struct vhost_scsi_queue *cq, struct vhost_scsi_tmf *tmf,
		      const struct virtq_chain *chain)
{
	struct virtio_scsi_ctrl_tmf_req req;
	struct vhost_scsi *vs = cq->vs;
	uint16_t nrq = vhost_scsi_request_queue_count(vs);
	unsigned id;

	iov_copy_out(tmf->iov, chain->nout, 0, &req, sizeof(req));
	tmf->subtype = req.subtype;
	tmf->tag = req.id;
	/* §5.6.6.2: BAD_TARGET ("valid for all commands") for a target that
	 * is not there; the LUN of a function that addresses one must be. */
	if (req.lun[0] != VIRTIO_SCSI_LUN_FIRST || req.lun[1] >= VHOST_SCSI_MAX_TARGETS ||
	    vhost_scsi_target_luns(vs, req.lun[1], NULL) == 0) {
		vhost_scsi_queue_warn(cq,
				      "TMF %u: virtio 1.2 §5.6.6.2: lun %02x %02x: no such target: "
				      "BAD_TARGET",
				      req.subtype, req.lun[0], req.lun[1]);
		ctrl_answer(cq, tmf, VIRTIO_SCSI_S_BAD_TARGET);
		return;
	}
	tmf->target = req.lun[1];
	if (!tmf_kind(tmf)) {
		vhost_scsi_queue_warn(cq, "TMF %u: SAM-5 §7: not supported: FUNCTION REJECTED",
				      req.subtype);
		ctrl_answer(cq, tmf, VIRTIO_SCSI_S_FUNCTION_REJECTED);
		return;
	}
	id = req.lun[2] == 0 ? req.lun[3]
	     : (req.lun[2] & 0xc0) == VIRTIO_SCSI_LUN_FLAT
		 ? (unsigned)(req.lun[2] & 0x3f) << 8 | req.lun[3]
		 : VHOST_SCSI_MAX_LUNS;
	/* §5.6.6.2: "the single level LUN is ignored when the task management
	 * function addresses a whole I_T nexus" */
	if (!tmf->whole_target &&
	    (id >= VHOST_SCSI_MAX_LUNS || !vhost_scsi_lun_get(vs, tmf->target, id))) {
		vhost_scsi_queue_warn(cq,
				      "TMF %u: virtio 1.2 §5.6.6.2: target %u has no LUN %u: "
				      "INCORRECT_LUN",
				      req.subtype, tmf->target, id);
		ctrl_answer(cq, tmf, VIRTIO_SCSI_S_INCORRECT_LUN);
		return;
	}
	tmf->lun = (uint8_t)(tmf->whole_target ? 0 : id);
	if (tmf->reset)
		tmf_set_ua(vs, tmf);
	vhost_ring_stat_add(&cq->counters.requests, 1);
	/* One count for us while we post, one per request queue's part. */
	tmf->found = 0;
	tmf->pending = 1;
	for (uint16_t i = 0; i < nrq; i++) {
		struct vhost_scsi_tmf_part *p = &tmf->parts[i];

		p->tmf = tmf;
		p->q = vhost_scsi_ring(vs, (uint16_t)(VIRTIO_SCSI_REQUESTQ_FIRST + i));
		p->ev = (struct reactor_event){.fn = tmf_part_msg, .arg = p};
		__atomic_fetch_add(&tmf->pending, 1, __ATOMIC_RELAXED);
		if (reactor_post(p->q->home, &p->ev) != 0)
			vhost_scsi_tmf_put(tmf);
	}
	vhost_scsi_tmf_put(tmf);
}

/* §5.6.6.2: asynchronous notification query and subscription; we report
 * no event of those (event_actual 0), as a disk without media events. */
static void an_answer(struct vhost_scsi_queue *cq, struct vhost_scsi_tmf *tmf,
		      const struct virtq_chain *chain)
{
	struct virtio_scsi_ctrl_an_req req;
	struct virtio_scsi_ctrl_an_resp resp = {.event_actual = 0};
	struct iovec *in = tmf->iov + tmf->nout;

	iov_copy_out(tmf->iov, chain->nout, 0, &req, sizeof(req));
	resp.response = VIRTIO_SCSI_S_OK;
	if (req.lun[0] != VIRTIO_SCSI_LUN_FIRST || req.lun[1] >= VHOST_SCSI_MAX_TARGETS ||
	    vhost_scsi_target_luns(cq->vs, req.lun[1], NULL) == 0) {
		vhost_scsi_queue_warn(cq, "AN: virtio 1.2 §5.6.6.2: no target %u: BAD_TARGET",
				      req.lun[1]);
		resp.response = VIRTIO_SCSI_S_BAD_TARGET;
	}
	vhost_ring_stat_add(&cq->counters.requests, 1);
	iov_copy_in(in, tmf->nin, &resp, sizeof(resp));
	vhost_scsi_push(cq, in, tmf->nin, tmf->head, sizeof(resp));
	qe_slot_put(&cq->qe, tmf);
}

static void control_start(struct vhost_scsi_queue *cq, struct vhost_scsi_tmf *tmf,
			  const struct virtq_chain *chain)
{
	uint32_t type = 0;
	size_t need_out, need_in;

	tmf->head = chain->head;
	tmf->nout = chain->nout;
	tmf->nin = chain->nin;
	iov_copy_out(tmf->iov, chain->nout, 0, &type, sizeof(type));
	if (type == VIRTIO_SCSI_T_TMF) {
		need_out = sizeof(struct virtio_scsi_ctrl_tmf_req);
		need_in = sizeof(struct virtio_scsi_ctrl_tmf_resp);
	} else if (type == VIRTIO_SCSI_T_AN_QUERY || type == VIRTIO_SCSI_T_AN_SUBSCRIBE) {
		need_out = sizeof(struct virtio_scsi_ctrl_an_req);
		need_in = sizeof(struct virtio_scsi_ctrl_an_resp);
	} else {
		need_out = SIZE_MAX;
		need_in = 0;
	}
	/* §5.6.6.2: a request is its type's device-readable part, then its
	 * device-writable part; one we cannot read whole, or of a type we do
	 * not know, has no place for an answer. */
	if (chain->out_len < need_out || chain->in_len < need_in) {
		vhost_scsi_queue_warn(
		    cq,
		    "chain %u: virtio 1.2 §5.6.6.2: controlq request of type %u with "
		    "%u readable and %u writable bytes: pushed back unanswered",
		    chain->head, type, chain->out_len, chain->in_len);
		vhost_scsi_push_malformed(cq, chain->head);
		qe_slot_put(&cq->qe, tmf);
		return;
	}
	if (type == VIRTIO_SCSI_T_TMF)
		tmf_start(cq, tmf, chain);
	else
		an_answer(cq, tmf, chain);
}

static unsigned control_poll(void *ctx, unsigned budget)
{
	struct vhost_scsi_queue *cq = ctx;
	struct virtq_chain chain;
	unsigned n;
	int rc;

	for (n = 0; n < budget && qe_slot_available(&cq->qe); n++) {
		struct vhost_scsi_tmf *tmf = qe_slot_next(&cq->qe);

		chain.iov = tmf->iov;
		chain.max_iov = ARRAY_SIZE(tmf->iov);
		rc = vhost_ring_pop(cq->vring, &chain);
		if (rc == 0) {
			qe_slot_take(&cq->qe);
			control_start(cq, tmf, &chain);
		} else if (rc == -EAGAIN) {
			break;
		} else if (rc == -EINVAL) {
			vhost_scsi_push_malformed(cq, chain.head);
		} else {
			vhost_scsi_queue_break(cq, rc);
			break;
		}
	}
	return n;
}

static void control_slot_init(void *ctx, void *slot)
{
	struct vhost_scsi_tmf *tmf = slot;

	tmf->cq = ctx;
}

const struct qe_ops vhost_scsi_control_ops = {
    .name = "vhost-scsi-ctrl",
    .slot_init = control_slot_init,
    .started = vhost_scsi_queue_started,
    .poll = control_poll,
    .notify = vhost_scsi_queue_notify,
    .set_interrupt = vhost_scsi_queue_set_interrupt,
    .period_us = VHOST_SCSI_MGMT_POLL_US,
};

/* ---- eventq ---- */

void vhost_scsi_event_queue(struct vhost_scsi_queue *q, const struct virtio_scsi_event *ev)
{
	/* §5.6.6.3: "the device will not queue events to cope with an empty
	 * eventq, and will end up dropping events if it finds no buffer
	 * ready": we hold a few, then drop and say so. */
	if (q->nevents == VHOST_SCSI_EVENTS_PENDING) {
		q->events_missed = true;
		return;
	}
	q->events[q->nevents++] = *ev;
}

/* Delivers held events into the driver's buffers; after a drop, the next
 * event (or a NO_EVENT when none is held) carries EVENTS_MISSED
 * (§5.6.6.3.2: "The device MUST set bit 31 in event if events were lost due
 * to missing buffers, and it MAY use a VIRTIO_SCSI_T_NO_EVENT event to
 * report this."). */
static unsigned event_poll(void *ctx, unsigned budget)
{
	struct vhost_scsi_queue *q = ctx;
	struct virtq_chain chain;
	unsigned n = 0;
	int rc;

	while (n < budget && (q->nevents || q->events_missed)) {
		struct virtio_scsi_event ev = {.event = VIRTIO_SCSI_T_NO_EVENT};

		chain.iov = q->ev_iov;
		chain.max_iov = ARRAY_SIZE(q->ev_iov);
		rc = vhost_ring_pop(q->vring, &chain);
		if (rc == -EAGAIN)
			break;
		n++;
		if (rc == -EINVAL) {
			vhost_scsi_push_malformed(q, chain.head);
			continue;
		}
		if (rc) {
			vhost_scsi_queue_break(q, rc);
			break;
		}
		/* §5.6.6.3.1: buffers "MUST be device-writable ... and MUST be
		 * at least the size of struct virtio_scsi_event" */
		if (chain.nout || chain.in_len < sizeof(ev)) {
			vhost_scsi_queue_warn(
			    q,
			    "chain %u: virtio 1.2 §5.6.6.3.1: eventq buffer of %u "
			    "readable and %u writable bytes: pushed back unused",
			    chain.head, chain.out_len, chain.in_len);
			vhost_scsi_push_malformed(q, chain.head);
			continue;
		}
		if (q->nevents) {
			ev = q->events[0];
			memmove(q->events, q->events + 1, --q->nevents * sizeof(ev));
		}
		if (q->events_missed) {
			ev.event |= VIRTIO_SCSI_T_EVENTS_MISSED;
			q->events_missed = false;
		}
		iov_copy_in(chain.iov, chain.nin, &ev, sizeof(ev));
		vhost_scsi_push(q, chain.iov, chain.nin, chain.head, sizeof(ev));
		vhost_ring_stat_add(&q->counters.requests, 1);
	}
	return n;
}

const struct qe_ops vhost_scsi_event_ops = {
    .name = "vhost-scsi-event",
    .started = vhost_scsi_queue_started,
    .poll = event_poll,
    .notify = vhost_scsi_queue_notify,
    .set_interrupt = vhost_scsi_queue_set_interrupt,
    .period_us = VHOST_SCSI_MGMT_POLL_US,
};
