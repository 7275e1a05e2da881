/* SPDX-License-Identifier: MIT */
/* What migrating a vhost-user-blk device needs of its transport
 * (initiator/migrate.h): its rings are the request queues, nothing else. */
#include "initiator/migrate.h"
#include "initiator/vhost_user_blk.h"
#include "util/common.h"

static struct vhost_fe *vub_mig_fe(const void *ctx)
{
	return ((const struct vub_dev *)ctx)->fe;
}

static void vub_mig_features(const void *ctx, uint64_t *offered, uint64_t *features,
			     uint64_t *protocol_features)
{
	const struct vub_dev *vdev = ctx;

	*offered = vdev->vb.features_offered;
	*features = vdev->vb.features_negotiated;
	*protocol_features = vdev->vb.protocol_features_negotiated;
}

static const struct virtq_drv *vub_mig_vring(const void *ctx, unsigned ring)
{
	return &((const struct vub_dev *)ctx)->queues[ring].vq;
}

static void vub_mig_slots(const void *ctx, unsigned index, struct initiator_mig_ring *r)
{
	const struct vub_dev *vdev = ctx;
	const struct vub_queue *q = &vdev->queues[index];

	r->slots_gpa = q->shared_gpa;
	r->slot_len = sizeof(struct vub_req_shared);
	r->indirect_len = VUB_MAX_CHAIN * sizeof(struct virtq_desc);
	guestmem_gpa(&vdev->dev->mem, q->indirect, 1, &r->indirect_gpa);
}

static void vub_mig_next(const struct storlab_queue *head, uint16_t *id, uint16_t *desc_head)
{
	const struct vub_queue *q = container_of(head, const struct vub_queue, head);

	*id = q->free_head;
	*desc_head = q->vq.free_head;
}

static uint16_t vub_mig_cookie_id(const void *ctx, unsigned index, const void *cookie)
{
	const struct vub_dev *vdev = ctx;

	return (uint16_t)((const struct vub_req *)cookie - vdev->queues[index].reqs);
}

static int vub_mig_resume(void *ctx, const uint16_t *bases)
{
	return vub_dev_resume(ctx, bases);
}

const struct initiator_mig_ops g_vub_mig_ops = {
    .first_queue_ring = 0,
    .fe = vub_mig_fe,
    .features = vub_mig_features,
    .vring = vub_mig_vring,
    .slots = vub_mig_slots,
    .next = vub_mig_next,
    .cookie_id = vub_mig_cookie_id,
    .resume = vub_mig_resume,
};
