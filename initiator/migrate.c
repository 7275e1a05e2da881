/* SPDX-License-Identifier: MIT */
/*
 * The device side of a migration for the VMM emulator (migrate.h), on the
 * vhost-user-blk transport: the messages a VMM sends its back-end when it
 * migrates (vhost-user.rst "Migration", "Ring states"), and the move of the
 * driver onto another back-end and another copy of its memory.
 */
#define LOG_COMPONENT "initiator"

#include "initiator/migrate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "initiator/vhost_user_blk.h"
#include "util/log.h"

static struct vub_dev *mig_vdev(const struct storlab_dev *dev)
{
	return dev->tp == &g_transport_vhost_user_blk ? dev->ctx : NULL;
}

static struct vub_queue *mig_queue(const struct storlab_dev *dev, unsigned index)
{
	return &mig_vdev(dev)->queues[index];
}

int initiator_mig_open(const char *uri, const struct storlab_dev_opts *opts,
		       const struct vhost_tap *tap, struct storlab_dev **dev)
{
	int ret = initiator_dev_open(uri, opts, true, tap, dev);

	if (ret == 0 && !mig_vdev(*dev)) {
		log_err("%s: migration is done for vhost-user-blk devices only", uri);
		storlab_dev_close(*dev);
		*dev = NULL;
		return -ENOTSUP;
	}
	return ret;
}

void initiator_mig_features(const struct storlab_dev *dev, uint64_t *features,
			    uint64_t *protocol_features)
{
	const struct vub_dev *vdev = mig_vdev(dev);

	*features = vdev->vb.features_negotiated;
	*protocol_features = vdev->vb.protocol_features_negotiated;
}

void initiator_mig_mem(const struct storlab_dev *dev, int *fd, uint8_t **base, uint64_t *size)
{
	*fd = dev->mem.fd;
	*base = dev->mem.base;
	*size = dev->mem.size;
}

void initiator_mig_ring(const struct storlab_dev *dev, unsigned index, struct initiator_mig_ring *r)
{
	const struct vub_queue *q = mig_queue(dev, index);

	*r = (struct initiator_mig_ring){
	    .num = q->num,
	    .desc_gpa = q->vq.desc_gpa,
	    .desc_len = virtq_desc_bytes(q->num),
	    .avail_gpa = q->vq.avail_gpa,
	    .avail_len = virtq_avail_bytes(q->num),
	    .used_gpa = q->vq.used_gpa,
	    .used_len = virtq_used_bytes(q->num),
	    .slots_gpa = q->shared_gpa,
	    .slot_len = sizeof(struct vub_req_shared),
	    .indirect_len = VUB_MAX_CHAIN * sizeof(struct virtq_desc),
	};
	guestmem_gpa(&dev->mem, q->indirect, 1, &r->indirect_gpa);
}

void initiator_mig_next(const struct storlab_queue *head, uint16_t *id, uint16_t *desc_head)
{
	const struct vub_queue *q = container_of(head, const struct vub_queue, head);

	*id = q->free_head;
	*desc_head = q->vq.free_head;
}

uint16_t initiator_mig_used_idx(const struct storlab_dev *dev, unsigned index)
{
	return __atomic_load_n(&mig_queue(dev, index)->vq.used->idx, __ATOMIC_ACQUIRE);
}

uint16_t initiator_mig_last_used(const struct storlab_dev *dev, unsigned index)
{
	return mig_queue(dev, index)->vq.last_used_idx;
}

int initiator_mig_log_start(struct storlab_dev *dev, int log_fd, uint64_t log_size)
{
	struct vub_dev *vdev = mig_vdev(dev);
	uint64_t features = vdev->vb.features_negotiated | (1ULL << VHOST_F_LOG_ALL);
	int ret;

	/* "Migration": a back-end that can log declares VHOST_F_LOG_ALL; the
	 * log's fd travels with SET_LOG_BASE under LOG_SHMFD. */
	if (!(vdev->vb.features_offered & (1ULL << VHOST_F_LOG_ALL)) ||
	    !(vdev->vb.protocol_features_negotiated & (1ULL << VHOST_USER_PROTOCOL_F_LOG_SHMFD))) {
		log_err("%s: the back-end offers no dirty log (VHOST_F_LOG_ALL and "
			"VHOST_USER_PROTOCOL_F_LOG_SHMFD, vhost-user.rst \"Migration\")",
			dev->address);
		return -ENOTSUP;
	}
	ret = vhost_fe_set_log_base(vdev->fe, log_fd, log_size, 0, dev->opts.timeout_ms);
	if (ret)
		return ret;
	/* "To start/stop logging of data/used ring writes, the front-end may
	 * send messages VHOST_USER_SET_FEATURES with VHOST_F_LOG_ALL and
	 * VHOST_USER_SET_VRING_ADDR with VHOST_VRING_F_LOG". */
	ret = vhost_fe_set_features(vdev->fe, features);
	if (ret) {
		log_err("%s: SET_FEATURES with VHOST_F_LOG_ALL: %s", dev->address, strerror(-ret));
		return ret;
	}
	for (uint16_t i = 0; i < dev->opts.num_queues; i++) {
		const struct virtq_drv *vq = &vdev->queues[i].vq;
		struct vhost_user_vring_addr addr = {
		    .index = i,
		    .flags = 1u << VHOST_VRING_F_LOG,
		    .desc_user_addr = (uintptr_t)vq->desc,
		    .used_user_addr = (uintptr_t)vq->used,
		    .avail_user_addr = (uintptr_t)vq->avail,
		    /* "the write to first byte of the used ring is logged at
		     * this offset from log start" */
		    .log_guest_addr = vq->used_gpa,
		};

		ret = vhost_fe_set_vring_addr(vdev->fe, &addr);
		if (ret) {
			log_err("%s: SET_VRING_ADDR %u with VHOST_VRING_F_LOG: %s", dev->address, i,
				strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int initiator_mig_stop(struct storlab_dev *dev, uint16_t *bases)
{
	struct vub_dev *vdev = mig_vdev(dev);

	for (uint16_t i = 0; i < dev->opts.num_queues; i++) {
		uint32_t base;
		int ret = vhost_fe_get_vring_base(vdev->fe, i, &base);

		if (ret) {
			log_err("%s: GET_VRING_BASE %u: %s", dev->address, i, strerror(-ret));
			return ret;
		}
		/* "For a split virtqueue, returns only the 16-bit next
		 * descriptor index to process in the Available Ring". */
		bases[i] = (uint16_t)base;
	}
	return 0;
}

int initiator_mig_move_memory(struct storlab_dev *dev, int fd)
{
	struct guestmem *gm = &dev->mem;
	void *p = mmap(gm->base, gm->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);

	if (p == MAP_FAILED) {
		int ret = -errno;

		log_err("mmap of the new guest memory over the old: %s", strerror(errno));
		return ret;
	}
	close(gm->fd);
	gm->fd = fd;
	return 0;
}

int initiator_mig_resume(struct storlab_dev *dev, const char *address, const uint16_t *bases)
{
	char *a = strdup(address);

	if (!a)
		return -ENOMEM;
	free(dev->address);
	dev->address = a;
	return vub_dev_resume(mig_vdev(dev), bases);
}
