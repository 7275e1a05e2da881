/* SPDX-License-Identifier: MIT */
/*
 * What migrating a vhost-user-scsi device needs of its transport
 * (initiator/migrate.h): rings 0 and 1 are the controlq and the eventq
 * (virtio 1.2 §5.6.2), the request queues follow; the device writes the
 * controlq's and eventq's used rings, a TMF's response and the event
 * buffers besides what it writes for requests.
 */
#include "initiator/migrate.h"
#include "initiator/vhost_user_scsi.h"
#include "util/common.h"

static struct vhost_fe *vus_mig_fe(const void *ctx)
{
	return ((const struct vus_dev *)ctx)->fe;
}

static void vus_mig_features(const void *ctx, uint64_t *offered, uint64_t *features,
			     uint64_t *protocol_features)
{
	const struct vus_dev *vdev = ctx;

	*offered = vdev->vs.features_offered;
	*features = vdev->vs.features_negotiated;
	*protocol_features = vdev->vs.protocol_features_negotiated;
}

static const struct virtq_drv *vus_mig_vring(const void *ctx, unsigned ring)
{
	const struct vus_dev *vdev = ctx;

	if (ring == VIRTIO_SCSI_CONTROLQ)
		return &vdev->ctl.vq;
	if (ring == VIRTIO_SCSI_EVENTQ)
		return &vdev->evt.vq;
	return &vdev->queues[ring - VIRTIO_SCSI_REQUESTQ_FIRST].vq;
}

static void vus_mig_slots(const void *ctx, unsigned index, struct initiator_mig_ring *r)
{
	const struct vus_dev *vdev = ctx;
	const struct vus_queue *q = &vdev->queues[index];

	r->slots_gpa = q->shared_gpa;
	r->slot_len = sizeof(struct vus_req_shared);
	r->indirect_len = VUS_MAX_CHAIN * sizeof(struct virtq_desc);
	guestmem_gpa(&vdev->dev->mem, q->mem.indirect, 1, &r->indirect_gpa);
}

static void vus_mig_next(const struct storlab_queue *head, uint16_t *id, uint16_t *desc_head)
{
	const struct vus_queue *q = container_of(head, const struct vus_queue, head);

	*id = q->free_head;
	*desc_head = q->vq.free_head;
}

static unsigned vus_mig_areas(const void *ctx, struct initiator_mig_area *a)
{
	const struct vus_dev *vdev = ctx;
	const struct virtq_drv *c = &vdev->ctl.vq, *e = &vdev->evt.vq;
	uint64_t tmf = 0;

	_Static_assert(INITIATOR_MIG_MAX_AREAS >= 6, "room for the six areas");
	guestmem_gpa(&vdev->dev->mem, vdev->ctl.shared, 1, &tmf);
	a[0] = (struct initiator_mig_area){c->used_gpa, virtq_used_bytes(c->num),
					   "controlq used ring", .device = true};
	a[1] = (struct initiator_mig_area){e->used_gpa, virtq_used_bytes(e->num),
					   "eventq used ring", .device = true};
	/* §5.6.6.2: the request is the driver's, the response the device's. */
	a[2] = (struct initiator_mig_area){
	    tmf, sizeof(struct virtio_scsi_ctrl_tmf_req) + sizeof(struct virtio_scsi_ctrl_tmf_resp),
	    "controlq TMF request and response", .device = true, .driver = true};
	a[3] = (struct initiator_mig_area){0, VUS_EVENTS * sizeof(struct virtio_scsi_event),
					   "eventq event buffers", .device = true};
	guestmem_gpa(&vdev->dev->mem, vdev->evt.shared, 1, &a[3].gpa);
	a[4] = (struct initiator_mig_area){c->desc_gpa, virtq_desc_bytes(c->num),
					   "controlq descriptors", .driver = true};
	a[5] = (struct initiator_mig_area){c->avail_gpa, virtq_avail_bytes(c->num),
					   "controlq available ring", .driver = true};
	return 6;
}

static uint16_t vus_mig_cookie_id(const void *ctx, unsigned index, const void *cookie)
{
	const struct vus_dev *vdev = ctx;

	return (uint16_t)((const struct vus_req *)cookie - vdev->queues[index].reqs);
}

static int vus_mig_resume(void *ctx, const uint16_t *bases)
{
	return vus_dev_resume(ctx, bases);
}

const struct initiator_mig_ops g_vus_mig_ops = {
    .first_queue_ring = VIRTIO_SCSI_REQUESTQ_FIRST,
    .fe = vus_mig_fe,
    .features = vus_mig_features,
    .vring = vus_mig_vring,
    .slots = vus_mig_slots,
    .next = vus_mig_next,
    .cookie_id = vus_mig_cookie_id,
    .areas = vus_mig_areas,
    .resume = vus_mig_resume,
};
