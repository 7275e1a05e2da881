/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user-scsi transport's eventq (virtio 1.2 §5.6.6.3): the buffers
 * kept posted, the events the device writes into them decoded, each buffer
 * added again, and what an event asks of the driver done as Linux's
 * virtio_scsi does it: a LUN that appeared is scanned, one that went is
 * dropped from the LUN table, a capacity change is read again, and events
 * missed mean a scan of every target.
 */
#define LOG_COMPONENT "initiator"

#include <errno.h>

#include "initiator/vhost_user_common.h"
#include "initiator/vhost_user_scsi.h"
#include "scsi/scsi_host.h"
#include "util/log.h"

/* §5.6.6.3: one event buffer, device-writable. */
static int evtq_add(struct vus_dev *vdev, struct virtio_scsi_event *ev)
{
	struct virtq_buf b = {.len = sizeof(*ev)};

	guestmem_gpa(&vdev->dev->mem, ev, sizeof(*ev), &b.addr);
	return virtq_drv_add(&vdev->evt.vq, &b, 0, 1, ev);
}

static void evtq_kick(struct vus_dev *vdev)
{
	if (virtq_drv_publish(&vdev->evt.vq))
		vu_eventfd_signal(vdev->evt.kick_fd);
}

int vus_evtq_post(struct vus_dev *vdev)
{
	struct virtio_scsi_event *ev = vdev->evt.shared;

	for (unsigned i = 0; i < VUS_EVENTS; i++) {
		int ret = evtq_add(vdev, &ev[i]);

		if (ret)
			return ret;
	}
	evtq_kick(vdev);
	return 0;
}

void vus_event_decode(const struct virtio_scsi_event *ev, uint32_t len, struct vus_event *out)
{
	uint32_t type;

	*out = (struct vus_event){.kind = VUS_EVENT_MALFORMED};
	if (len < sizeof(*ev))
		return;
	out->event = ev->event;
	out->reason = ev->reason;
	out->missed = ev->event & VIRTIO_SCSI_T_EVENTS_MISSED;
	type = ev->event & ~VIRTIO_SCSI_T_EVENTS_MISSED;
	if (type == VIRTIO_SCSI_T_NO_EVENT) {
		out->kind = VUS_EVENT_NONE;
		return;
	}
	/* §5.6.6.3.1, §5.6.6.3.3: both name a LUN in the form of §5.6.6.1. */
	if ((type != VIRTIO_SCSI_T_TRANSPORT_RESET && type != VIRTIO_SCSI_T_PARAM_CHANGE) ||
	    scsi_host_virtio_lun_decode(ev->lun, &out->target, &out->lun))
		return;
	if (type == VIRTIO_SCSI_T_TRANSPORT_RESET) {
		out->kind = ev->reason == VIRTIO_SCSI_EVT_RESET_RESCAN	  ? VUS_EVENT_RESCAN
			    : ev->reason == VIRTIO_SCSI_EVT_RESET_REMOVED ? VUS_EVENT_REMOVED
			    : ev->reason == VIRTIO_SCSI_EVT_RESET_HARD	  ? VUS_EVENT_IGNORED
									  : VUS_EVENT_MALFORMED;
		return;
	}
	/* §5.6.6.3.3: the ASC in bits 0-7 of reason, the ASCQ in bits 8-15. */
	out->kind =
	    SCSI_ASCQ(ev->reason & 0xff, (ev->reason >> 8) & 0xff) == SCSI_ASC_CAPACITY_DATA_CHANGED
		? VUS_EVENT_CAPACITY
		: VUS_EVENT_IGNORED;
}

const char *vus_event_kind_name(enum vus_event_kind kind)
{
	static const char *const names[] = {
	    [VUS_EVENT_NONE] = "no event",
	    [VUS_EVENT_RESCAN] = "transport reset, rescan",
	    [VUS_EVENT_REMOVED] = "transport reset, removed",
	    [VUS_EVENT_CAPACITY] = "parameter change, capacity data has changed",
	    [VUS_EVENT_IGNORED] = "nothing to do",
	    [VUS_EVENT_MALFORMED] = "malformed",
	};

	return kind < ARRAY_SIZE(names) ? names[kind] : "?";
}

/* REMOVED: the LUN leaves the table (Linux removes its scsi_device). */
static int luns_remove(struct vus_dev *vdev, uint8_t target, uint16_t lun)
{
	struct vus_luns *t = vus_luns_copy(vdev);
	unsigned k = 0;

	if (!t)
		return -ENOMEM;
	for (unsigned i = 0; i < t->nluns; i++)
		if (t->lun[i].target != target || t->lun[i].lun != lun)
			t->lun[k++] = t->lun[i];
	t->nluns = k;
	vus_luns_locate_selected(t);
	if (!t->present)
		log_info("%s: the LUN of neutral requests, %u:%u, is gone: they fail with ENODEV",
			 vdev->dev->address, t->sel_target, t->sel_lun);
	vus_luns_publish(vdev, t);
	return 0;
}

static int event_act(struct vus_dev *vdev, struct storlab_queue *q, const struct vus_event *e)
{
	const char *addr = vdev->dev->address;

	log_info("%s: event %#x on LUN %u:%u, reason %#x: %s%s", addr, e->event, e->target, e->lun,
		 e->reason, vus_event_kind_name(e->kind),
		 e->missed ? "; events were missed: every target is scanned again" : "");
	/* §5.6.6.3: EVENTS_MISSED, the driver "SHOULD poll the logical units
	 * for unit attention conditions": a scan of every target sees what the
	 * missed events said, this one's included. */
	if (e->missed)
		return vus_rescan(vdev, q, -1);
	switch (e->kind) {
	case VUS_EVENT_RESCAN:
		return vus_rescan(vdev, q, e->target);
	case VUS_EVENT_REMOVED:
		return luns_remove(vdev, e->target, e->lun);
	case VUS_EVENT_CAPACITY:
		return vus_rescan_capacity(vdev, q, e->target, e->lun);
	default:
		return 0;
	}
}

int storlab_virtio_scsi_poll_events(struct storlab_dev *dev, struct storlab_queue *q)
{
	struct vus_dev *vdev;
	int n = 0, ret = 0;

	if (dev->tp != &g_transport_vhost_user_scsi)
		return -ENOTTY;
	vdev = dev->ctx;
	if (!q || q->dev != dev || storlab_queue_inflight(q))
		return -EBUSY;
	pthread_mutex_lock(&vdev->evt.lock);
	/* At most a ring's worth a call: each buffer goes back before its
	 * event is acted on, so a device that keeps answering would otherwise
	 * hold the caller here for ever. */
	for (unsigned i = 0; i < VUS_EVENTS && !ret; i++) {
		struct virtio_scsi_event *ev, copy;
		struct vus_event e;
		uint32_t len;
		void *cookie;

		if (atomic_load(&dev->dead)) {
			ret = -ENOTCONN;
			break;
		}
		ret = virtq_drv_get_used(&vdev->evt.vq, &cookie, &len);
		if (ret == -EAGAIN) {
			ret = 0;
			break;
		}
		if (ret)
			break; /* the device broke the ring (logged by virtq) */
		ev = cookie;
		copy = *ev;
		/* §5.6.6.3: the buffer goes back before the event is acted on,
		 * so that the device has it for the next. */
		ret = evtq_add(vdev, ev);
		if (ret)
			break;
		evtq_kick(vdev);
		vus_event_decode(&copy, len, &e);
		if (e.kind == VUS_EVENT_MALFORMED)
			log_warn("%s: eventq: %u bytes, event %#x, reason %#x: not an event "
				 "§5.6.6.3 has",
				 dev->address, len, copy.event, copy.reason);
		if (e.kind != VUS_EVENT_MALFORMED || e.missed)
			ret = event_act(vdev, q, &e);
		n++;
	}
	pthread_mutex_unlock(&vdev->evt.lock);
	return ret ? ret : n;
}
