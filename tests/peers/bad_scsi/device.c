/* SPDX-License-Identifier: MIT */
/*
 * bad_scsi's controller: its LUNs (RAM, lib/scsi's scsi_lun), its config
 * space (virtio 1.2 §5.6.4), the rings lib/vhost hands it, the controlq's
 * task management functions and queries (§5.6.6.2) and the eventq
 * (§5.6.6.3). request.c serves the request queues.
 *
 * A TMF acts on every request queue first: what is available there is
 * taken and answered (RESET for a reset, ABORTED for what an abort names,
 * the rest run), and only then is the TMF answered (§5.6.6.2: "Such
 * effects MUST take place before the TMF itself is successfully
 * completed"); tmf-completes-first does it the other way round.
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bad_scsi.h"
#include "scsi/scsi_host.h"
#include "util/common.h"
#include "util/deadline.h"
#include "vhost/vhost_log.h"

#define MAX_LUNS 8
#define MAX_IOV	 1024
/* Chains a request queue serves a poll (one with --slow-us). */
#define BATCH 64
/* tmf-completes-first: how long after the TMF's answer its effect comes. */
#define LATE_MS 100
/* Events waiting for an eventq buffer. */
#define MAX_EVENTS 8

static struct {
	struct ctl_opts o;
	struct scsi_lun luns[MAX_LUNS];
	uint16_t lun_ids[MAX_LUNS];
	struct scsi_lun_list list;
	uint8_t *ram[MAX_LUNS];
	uint64_t features;
	struct vhost_vring *rings[VHOST_MAX_QUEUES];
	struct virtio_scsi_event events[MAX_EVENTS];
	unsigned nevents;
	bool announced; /* the RESCAN of this connection was queued */
	/* tmf-completes-first: the effect of a TMF already answered, due at
	 * late_at; the request queues wait for it. */
	struct req_cancel late;
	int64_t late_at;
} g_ctl;

bool ctl_negotiated(unsigned feature)
{
	return g_ctl.features & VIRTIO_BIT(feature);
}

struct scsi_lun *ctl_lun(uint16_t lun)
{
	return lun < g_ctl.o.luns ? &g_ctl.luns[lun] : NULL;
}

uint8_t *ctl_lun_data(uint16_t lun)
{
	return g_ctl.ram[lun];
}

const struct scsi_lun_list *ctl_lun_list(void)
{
	return &g_ctl.list;
}

int ctl_init(const struct ctl_opts *o)
{
	struct scsi_lun_props p = {
	    .block_size = 512,
	    .num_blocks = o->bytes / 512,
	    .max_transfer_blocks = 8192,
	    .max_unmap_blocks = 8192,
	    .unmap = true,
	    .unmap_zeroes = true,
	    .write_zeroes = true,
	    .vendor = "STORLAB",
	    .product = "bad_scsi",
	    .revision = "1",
	    .serial = "BADSCSI0",
	    .naa = 0x5000000000000001ull,
	};

	if (!o->luns || o->luns > MAX_LUNS || !o->queues || o->queues + 2 > VHOST_MAX_QUEUES)
		return -EINVAL;
	g_ctl.o = *o;
	for (uint16_t i = 0; i < o->luns; i++) {
		/* Anonymous pages: reset-loses-data drops them in no time. */
		g_ctl.ram[i] = mmap(NULL, o->bytes, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (g_ctl.ram[i] == MAP_FAILED) {
			g_ctl.ram[i] = NULL;
			return -ENOMEM;
		}
		p.naa++;
		scsi_lun_init(&g_ctl.luns[i], &p);
		g_ctl.lun_ids[i] = i;
	}
	g_ctl.list = (struct scsi_lun_list){.luns = g_ctl.lun_ids, .n = o->luns};
	return 0;
}

void ctl_fini(void)
{
	for (unsigned i = 0; i < MAX_LUNS; i++)
		if (g_ctl.ram[i])
			munmap(g_ctl.ram[i], g_ctl.o.bytes);
}

static void event_queue(uint32_t event, uint16_t lun, uint32_t reason)
{
	struct virtio_scsi_event *e;

	if (g_ctl.nevents == MAX_EVENTS) {
		/* §5.6.6.3.2: lost events are reported with bit 31. */
		g_ctl.events[MAX_EVENTS - 1].event |= VIRTIO_SCSI_T_EVENTS_MISSED;
		return;
	}
	e = &g_ctl.events[g_ctl.nevents++];
	*e = (struct virtio_scsi_event){.event = event, .reason = reason};
	scsi_host_virtio_lun_encode(e->lun, 0, lun);
}

static void ring_push(struct vhost_vring *v, uint16_t head, uint32_t len)
{
	virtq_dev_push(&v->vq, head, len);
	vhost_vring_notify(v);
}

/* Pops what is available on request queue v (at most max chains) and
 * serves it; how many. cancel: a TMF's effect on them. */
static unsigned requests_run(struct vhost_vring *v, unsigned max, struct req_cancel *cancel)
{
	static struct iovec iov[MAX_IOV];
	unsigned n = 0;

	while (n < max) {
		struct virtq_chain c = {.iov = iov, .max_iov = MAX_IOV};
		int ret = virtq_dev_pop(&v->vq, &c);
		uint32_t len = 0;

		if (ret == -EAGAIN || ret == -EIO)
			break;
		n++;
		if (ret == 0 && request_serve(v->index, iov, c.nout, c.nin, cancel, &len) == REQ_HELD)
			continue;
		ring_push(v, c.head, len);
	}
	return n;
}

/* A TMF's effect on every request queue. */
static void requests_cancel(struct req_cancel *cancel)
{
	for (unsigned q = VIRTIO_SCSI_REQUESTQ_FIRST; q < VHOST_MAX_QUEUES; q++)
		if (g_ctl.rings[q])
			requests_run(g_ctl.rings[q], UINT32_MAX, cancel);
}

/* A reset of the LU (or the nexus): unit attention, data kept (SAM-5 §7.7). */
static void lun_reset(uint32_t ua)
{
	for (uint16_t i = 0; i < g_ctl.o.luns; i++) {
		if (!BROKEN(RESET_NO_UNIT_ATTENTION))
			scsi_lun_set_ua(&g_ctl.luns[i], ua);
		if (BROKEN(RESET_LOSES_DATA))
			madvise(g_ctl.ram[i], g_ctl.o.bytes, MADV_DONTNEED);
	}
	event_queue(VIRTIO_SCSI_T_TRANSPORT_RESET, 0,
		    BROKEN(EVENT_BAD_REASON) ? 7 : VIRTIO_SCSI_EVT_RESET_HARD);
}

/* §5.6.6.2 task management: the response, with the effect on commands
 * done (and, unless tmf-completes-first, before the answer). */
static uint8_t tmf(const struct virtio_scsi_ctrl_tmf_req *r, bool *effect_after,
		   struct req_cancel *cancel)
{
	*effect_after = BROKEN(TMF_COMPLETES_FIRST);
	if (r->lun[0] != VIRTIO_SCSI_LUN_FIRST || r->lun[1] != 0)
		return BROKEN(TMF_BAD_TARGET_COMPLETE) ? VIRTIO_SCSI_S_FUNCTION_COMPLETE
						       : VIRTIO_SCSI_S_BAD_TARGET;
	switch (r->subtype) {
	case VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET:
	case VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET:
		if (BROKEN(LU_RESET_REJECTED) &&
		    r->subtype == VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET)
			return VIRTIO_SCSI_S_FUNCTION_REJECTED;
		cancel->reset = true;
		lun_reset(r->subtype == VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET ? SCSI_UA_NEXUS_LOSS
									    : SCSI_UA_LUN_RESET);
		return VIRTIO_SCSI_S_FUNCTION_COMPLETE;
	case VIRTIO_SCSI_T_TMF_ABORT_TASK:
		cancel->abort_one = true;
		cancel->abort_id = r->id;
		return VIRTIO_SCSI_S_FUNCTION_COMPLETE;
	case VIRTIO_SCSI_T_TMF_ABORT_TASK_SET:
	case VIRTIO_SCSI_T_TMF_CLEAR_TASK_SET:
		cancel->abort_all = true;
		return VIRTIO_SCSI_S_FUNCTION_COMPLETE;
	case VIRTIO_SCSI_T_TMF_CLEAR_ACA:
	case VIRTIO_SCSI_T_TMF_QUERY_TASK:
	case VIRTIO_SCSI_T_TMF_QUERY_TASK_SET:
		return VIRTIO_SCSI_S_FUNCTION_COMPLETE;
	}
	return BROKEN(TMF_UNKNOWN_SUBTYPE_OK) ? VIRTIO_SCSI_S_FUNCTION_COMPLETE
					      : VIRTIO_SCSI_S_FUNCTION_REJECTED;
}

/* One controlq request; the used length. */
static uint32_t ctrl_serve(const struct virtq_chain *c)
{
	const struct iovec *out = c->iov, *in = c->iov + c->nout;
	size_t out_len = iov_len(out, c->nout), in_len = iov_len(in, c->nin);
	union {
		struct virtio_scsi_ctrl_tmf_req tmf;
		struct virtio_scsi_ctrl_an_req an;
		uint32_t type;
	} r = {0};
	struct virtio_scsi_ctrl_an_resp an = {0};
	struct req_cancel cancel = {0};
	bool after = false;
	uint8_t resp;

	if (out_len < sizeof(r.type) || !in_len)
		return 0;
	iov_to_buf(out, c->nout, 0, &r, MIN(out_len, sizeof(r)));
	switch (r.type) {
	case VIRTIO_SCSI_T_TMF:
		if (out_len < sizeof(r.tmf))
			resp = BROKEN(TMF_SHORT_SUCCEEDS) ? VIRTIO_SCSI_S_FUNCTION_COMPLETE
							  : VIRTIO_SCSI_S_FAILURE;
		else
			resp = tmf(&r.tmf, &after, &cancel);
		if (after) {
			g_ctl.late = cancel;
			g_ctl.late_at = deadline_now_ms() + LATE_MS;
		} else {
			requests_cancel(&cancel);
		}
		if (cancel.abort_one && !cancel.aborted && BROKEN(ABORT_UNKNOWN_REJECTED))
			resp = VIRTIO_SCSI_S_FUNCTION_REJECTED;
		return (uint32_t)buf_to_iov(in, c->nin, 0, &resp, 1);
	case VIRTIO_SCSI_T_AN_QUERY:
	case VIRTIO_SCSI_T_AN_SUBSCRIBE:
		/* No asynchronous events to report (§5.6.6.2: event_actual is
		 * what the device supports). */
		an.event_actual = BROKEN(AN_QUERY_EXTRA_EVENTS) ? UINT32_MAX : 0;
		an.response = out_len < sizeof(r.an) ? VIRTIO_SCSI_S_FAILURE : VIRTIO_SCSI_S_OK;
		return (uint32_t)buf_to_iov(in, c->nin, 0, &an, sizeof(an));
	}
	resp = BROKEN(CTRL_UNKNOWN_TYPE_OK) ? VIRTIO_SCSI_S_OK : VIRTIO_SCSI_S_FAILURE;
	return (uint32_t)buf_to_iov(in, c->nin, 0, &resp, 1);
}

static unsigned ctrl_run(struct vhost_vring *v)
{
	static struct iovec iov[MAX_IOV];
	unsigned n = 0;

	for (;;) {
		struct virtq_chain c = {.iov = iov, .max_iov = MAX_IOV};
		int ret = virtq_dev_pop(&v->vq, &c);

		if (ret == -EAGAIN || ret == -EIO)
			return n;
		n++;
		ring_push(v, c.head, ret ? 0 : ctrl_serve(&c));
	}
}

/* The first event waiting goes into the next eventq buffer. A buffer too
 * short for an event (§5.6.6.3: the device MAY use it with NO_EVENT) gets
 * NO_EVENT, and the event waits on. */
static unsigned events_run(struct vhost_vring *v)
{
	static struct iovec iov[MAX_IOV];
	unsigned n = 0;

	/* §5.6.6.3: a RESCAN of LUN 0 when the driver first gives buffers,
	 * only with HOTPLUG (§5.6.6.3.2). */
	if (!g_ctl.announced && (ctl_negotiated(VIRTIO_SCSI_F_HOTPLUG) ||
				 BROKEN(RESCAN_WITHOUT_HOTPLUG))) {
		g_ctl.announced = true;
		event_queue(VIRTIO_SCSI_T_TRANSPORT_RESET, 0, VIRTIO_SCSI_EVT_RESET_RESCAN);
	}
	while (g_ctl.nevents) {
		struct virtq_chain c = {.iov = iov, .max_iov = MAX_IOV};
		int ret = virtq_dev_pop(&v->vq, &c);
		const struct iovec *in = iov + c.nout;
		uint32_t len = 0;

		if (ret == -EAGAIN || ret == -EIO)
			break;
		n++;
		if (ret == 0 && iov_len(in, c.nin) >= sizeof(g_ctl.events[0])) {
			len = (uint32_t)buf_to_iov(in, c.nin, 0, &g_ctl.events[0],
						   sizeof(g_ctl.events[0]));
			memmove(g_ctl.events, g_ctl.events + 1,
				--g_ctl.nevents * sizeof(g_ctl.events[0]));
		} else if (ret == 0 && BROKEN(EVENT_OVERRUNS_SHORT_BUFFER) && c.nin) {
			memcpy(in[0].iov_base, &g_ctl.events[0], sizeof(g_ctl.events[0]));
			len = sizeof(g_ctl.events[0]);
		} else if (ret == 0) {
			uint32_t none = VIRTIO_SCSI_T_NO_EVENT;

			len = (uint32_t)buf_to_iov(in, c.nin, 0, &none, sizeof(none));
		}
		ring_push(v, c.head, len);
	}
	return n;
}

/* --slow-us: each chain a request queue served takes that long, so that
 * a TMF finds the next ones still waiting. */
static unsigned slow(unsigned n)
{
	if (n && g_ctl.o.slow_us)
		usleep(g_ctl.o.slow_us);
	return n;
}

unsigned ctl_poll(void)
{
	unsigned busy = 0;

	if (g_ctl.late_at && deadline_now_ms() >= g_ctl.late_at) {
		requests_cancel(&g_ctl.late);
		g_ctl.late_at = 0;
	}

	for (unsigned q = 0; q < VHOST_MAX_QUEUES; q++) {
		struct vhost_vring *v = g_ctl.rings[q];

		if (!v)
			continue;
		if (q == VIRTIO_SCSI_CONTROLQ)
			busy += ctrl_run(v);
		else if (q == VIRTIO_SCSI_EVENTQ)
			busy += events_run(v);
		else if (!g_ctl.late_at && !(BROKEN(LAST_QUEUE_DEAD) &&
					     q == VIRTIO_SCSI_REQUESTQ_FIRST + g_ctl.o.queues - 1u))
			busy += slow(requests_run(v, g_ctl.o.slow_us ? 1 : BATCH, NULL));
		vhost_vring_set_kick(v, true);
	}
	return busy;
}

static uint64_t ctl_get_features(void *ctx)
{
	(void)ctx;
	return VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_SCSI_F_HOTPLUG);
}

static int ctl_set_features(void *ctx, uint64_t features)
{
	(void)ctx;
	g_ctl.features = features;
	return 0;
}

/* §5.6.4, as §5.6.4.2 wants it after reset (sense_size 96, cdb_size 32),
 * one target (0) of o.luns LUNs. */
static int ctl_get_config(void *ctx, uint8_t *buf, uint32_t offset, uint32_t len)
{
	struct virtio_scsi_config cfg = {
	    .num_queues = BROKEN(NUM_QUEUES_0) ? 0 : g_ctl.o.queues,
	    .seg_max = 128,
	    .max_sectors = 8192,
	    .cmd_per_lun = 128,
	    .event_info_size = BROKEN(EVENT_INFO_SIZE_0) ? 0 : sizeof(struct virtio_scsi_event),
	    .sense_size = BROKEN(SENSE_SIZE_64) ? 64 : VIRTIO_SCSI_SENSE_DEFAULT,
	    .cdb_size = BROKEN(CDB_SIZE_16) ? 16 : VIRTIO_SCSI_CDB_DEFAULT,
	    .max_channel = BROKEN(MAX_CHANNEL_1) ? 1 : 0,
	    .max_target = BROKEN(MAX_TARGET_256) ? 256 : 0,
	    .max_lun = BROKEN(MAX_LUN_16384) ? VIRTIO_SCSI_LUN_MAX + 1 : g_ctl.o.luns - 1u,
	};

	(void)ctx;
	memset(buf, 0, len);
	if (offset < sizeof(cfg))
		memcpy(buf, (uint8_t *)&cfg + offset, MIN(len, sizeof(cfg) - offset));
	return 0;
}

static int ctl_ring_start(void *ctx, struct vhost_vring *vring)
{
	(void)ctx;
	g_ctl.rings[vring->index] = vring;
	return 0;
}

static void ctl_ring_stop(void *ctx, struct vhost_vring *vring, vhost_ring_done_fn stopped)
{
	(void)ctx;
	g_ctl.rings[vring->index] = NULL;
	stopped(vring);
}

/* A new front-end: the device after reset, its LUNs as they were. */
static void ctl_connected(void *ctx)
{
	(void)ctx;
	g_ctl.nevents = 0;
	g_ctl.announced = false;
	g_ctl.late_at = 0;
}

static const struct vhost_dev_ops g_ops = {
    .get_features = ctl_get_features,
    .set_features = ctl_set_features,
    .get_config = ctl_get_config,
    .ring_start = ctl_ring_start,
    .ring_stop = ctl_ring_stop,
    .connected = ctl_connected,
};

const struct vhost_dev_ops *ctl_ops(void)
{
	return &g_ops;
}
