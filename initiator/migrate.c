/* SPDX-License-Identifier: MIT */
/*
 * The device side of a migration for the VMM emulator (migrate.h), the same
 * for every vhost-user transport that fills struct initiator_mig_ops: the
 * messages a VMM sends its back-end when it migrates (vhost-user.rst
 * "Migration", "Ring states"), and the move of the driver onto another
 * back-end and another copy of its memory.
 */
#define LOG_COMPONENT "initiator"

#include "initiator/migrate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "initiator/internal.h"
#include "spec/virtio.h"
#include "util/log.h"
#include "vhost/vhost.h"
#include "virtio/virtq.h"

static const struct initiator_mig_ops *mig_ops(const struct storlab_dev *dev)
{
	return dev->tp->mig;
}

static const struct virtq_drv *mig_vring(const struct storlab_dev *dev, unsigned ring)
{
	return mig_ops(dev)->vring(dev->ctx, ring);
}

int initiator_mig_open(const char *uri, const struct storlab_dev_opts *opts,
		       const struct vhost_tap *tap, struct storlab_dev **dev)
{
	int ret = initiator_dev_open(uri, opts, true, tap, dev);

	if (ret == 0 && !mig_ops(*dev)) {
		log_err("%s: a %s device cannot be migrated (vhost-user-blk and "
			"vhost-user-scsi can)",
			uri, (*dev)->tp->scheme);
		storlab_dev_close(*dev);
		*dev = NULL;
		return -ENOTSUP;
	}
	return ret;
}

void initiator_mig_features(const struct storlab_dev *dev, uint64_t *features,
			    uint64_t *protocol_features)
{
	uint64_t offered;

	mig_ops(dev)->features(dev->ctx, &offered, features, protocol_features);
}

unsigned initiator_mig_nrings(const struct storlab_dev *dev)
{
	return mig_ops(dev)->first_queue_ring + dev->opts.num_queues;
}

unsigned initiator_mig_queue_ring(const struct storlab_dev *dev, unsigned index)
{
	return mig_ops(dev)->first_queue_ring + index;
}

void initiator_mig_mem(const struct storlab_dev *dev, int *fd, uint8_t **base, uint64_t *size)
{
	*fd = dev->mem.fd;
	*base = dev->mem.base;
	*size = dev->mem.size;
}

void initiator_mig_ring(const struct storlab_dev *dev, unsigned index, struct initiator_mig_ring *r)
{
	const struct virtq_drv *vq = mig_vring(dev, initiator_mig_queue_ring(dev, index));

	*r = (struct initiator_mig_ring){
	    .num = vq->num,
	    .desc_gpa = vq->desc_gpa,
	    .desc_len = virtq_desc_bytes(vq->num),
	    .avail_gpa = vq->avail_gpa,
	    .avail_len = virtq_avail_bytes(vq->num),
	    .used_gpa = vq->used_gpa,
	    .used_len = virtq_used_bytes(vq->num),
	};
	mig_ops(dev)->slots(dev->ctx, index, r);
}

void initiator_mig_next(const struct storlab_queue *q, uint16_t *id, uint16_t *head)
{
	q->tp->mig->next(q, id, head);
}

bool initiator_mig_req_head(const struct storlab_dev *dev, unsigned index, uint16_t id,
			    uint16_t *head)
{
	const struct virtq_drv *vq = mig_vring(dev, initiator_mig_queue_ring(dev, index));

	/* Rare (a retry) and off the data path: a walk over the heads. */
	for (uint16_t h = 0; h < vq->num; h++) {
		if (vq->cookies[h] &&
		    mig_ops(dev)->cookie_id(dev->ctx, index, vq->cookies[h]) == id) {
			*head = h;
			return true;
		}
	}
	return false;
}

uint16_t initiator_mig_ring_used_idx(const struct storlab_dev *dev, unsigned ring)
{
	return __atomic_load_n(&mig_vring(dev, ring)->used->idx, __ATOMIC_ACQUIRE);
}

uint16_t initiator_mig_used_idx(const struct storlab_dev *dev, unsigned index)
{
	return initiator_mig_ring_used_idx(dev, initiator_mig_queue_ring(dev, index));
}

uint16_t initiator_mig_last_used(const struct storlab_dev *dev, unsigned index)
{
	return mig_vring(dev, initiator_mig_queue_ring(dev, index))->last_used_idx;
}

unsigned initiator_mig_areas(const struct storlab_dev *dev, struct initiator_mig_area *a)
{
	return mig_ops(dev)->areas ? mig_ops(dev)->areas(dev->ctx, a) : 0;
}

int initiator_mig_log_start(struct storlab_dev *dev, int log_fd, uint64_t log_size)
{
	const struct initiator_mig_ops *ops = mig_ops(dev);
	struct vhost_fe *fe = ops->fe(dev->ctx);
	uint64_t offered, features, protocol;
	int ret;

	ops->features(dev->ctx, &offered, &features, &protocol);
	features |= 1ULL << VHOST_F_LOG_ALL;
	/* "Migration": a back-end that can log declares VHOST_F_LOG_ALL; the
	 * log's fd travels with SET_LOG_BASE under LOG_SHMFD. */
	if (!(offered & (1ULL << VHOST_F_LOG_ALL)) ||
	    !(protocol & (1ULL << VHOST_USER_PROTOCOL_F_LOG_SHMFD))) {
		log_err("%s: the back-end offers no dirty log (VHOST_F_LOG_ALL and "
			"VHOST_USER_PROTOCOL_F_LOG_SHMFD, vhost-user.rst \"Migration\")",
			dev->address);
		return -ENOTSUP;
	}
	ret = vhost_fe_set_log_base(fe, log_fd, log_size, 0, dev->opts.timeout_ms);
	if (ret)
		return ret;
	/* "To start/stop logging of data/used ring writes, the front-end may
	 * send messages VHOST_USER_SET_FEATURES with VHOST_F_LOG_ALL and
	 * VHOST_USER_SET_VRING_ADDR with VHOST_VRING_F_LOG". */
	ret = vhost_fe_set_features(fe, features);
	if (ret) {
		log_err("%s: SET_FEATURES with VHOST_F_LOG_ALL: %s", dev->address, strerror(-ret));
		return ret;
	}
	/* Every ring: a controlq's or eventq's used ring is the device's to
	 * write too. */
	for (unsigned i = 0; i < initiator_mig_nrings(dev); i++) {
		const struct virtq_drv *vq = mig_vring(dev, i);
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

		ret = vhost_fe_set_vring_addr(fe, &addr);
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
	struct vhost_fe *fe = mig_ops(dev)->fe(dev->ctx);

	/* "Suspended device state": every ring, or the device may still
	 * write through the ones left running (a TMF's response, an event). */
	for (unsigned i = 0; i < initiator_mig_nrings(dev); i++) {
		uint32_t base;
		int ret = vhost_fe_get_vring_base(fe, i, &base);

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
	return mig_ops(dev)->resume(dev->ctx, bases);
}
