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

static void area(const struct vus_dev *vdev, struct initiator_mig_area *a, const void *p,
		 uint64_t len, const char *name)
{
	a->len = len;
	a->name = name;
	guestmem_gpa(&vdev->dev->mem, p, len, &a->gpa);
}

static unsigned vus_mig_areas(const void *ctx, struct initiator_mig_area *a)
{
	const struct vus_dev *vdev = ctx;

	_Static_assert(INITIATOR_MIG_MAX_AREAS >= 4, "room for the four areas");
	area(vdev, &a[0], vdev->ctl.vq.used, virtq_used_bytes(VUS_CTL_QUEUE_SIZE),
	     "controlq used ring");
	area(vdev, &a[1], vdev->evt.vq.used, virtq_used_bytes(VUS_CTL_QUEUE_SIZE),
	     "eventq used ring");
	area(vdev, &a[2], vdev->ctl.shared,
	     sizeof(struct virtio_scsi_ctrl_tmf_req) + sizeof(struct virtio_scsi_ctrl_tmf_resp),
	     "controlq TMF request and response");
	area(vdev, &a[3], vdev->evt.shared, VUS_EVENTS * sizeof(struct virtio_scsi_event),
	     "eventq event buffers");
	return 4;
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
