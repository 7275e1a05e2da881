/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user-blk transport's device: a connection to the back-end's
 * socket, lib/vhost's front-end set-up (vhost_fe_setup.h) with the shared
 * memory as the only guest memory region, and the transport's ops table.
 */
#define LOG_COMPONENT "initiator"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "initiator/vhost_user_blk.h"
#include "initiator/vhost_user_common.h"
#include "spec/virtio.h"
#include "util/common.h"
#include "util/log.h"
#include "vhost/vhost_fe_setup.h"

int vub_dev_sock_fd(const struct vub_dev *vdev)
{
	return vdev->sock_fd;
}

bool vub_dev_check_hangup(struct vub_dev *vdev)
{
	return vu_check_hangup(vdev->dev, vdev->sock_fd);
}

static bool requests_kept(const struct vub_dev *vdev)
{
	for (uint16_t i = 0; i < vdev->dev->opts.num_queues; i++)
		if (vub_queue_inflight(&vdev->queues[i].head))
			return true;
	return false;
}

/*
 * The rings of the new connection: kept with their requests after a
 * back-end crash (vu_keep_decide), else started empty; a device that
 * migrates resumes at the bases it was given.
 */
static int vub_rings_prepare(struct vub_dev *vdev, const struct vhost_fe_setup_state *st)
{
	struct storlab_dev *dev = vdev->dev;
	bool keep;
	int ret = 0;

	/* A device that moves to another back-end (vub_dev_resume) keeps its
	 * driver: the rings, and the features they were laid out for, stay as
	 * they are, at the bases the source's GET_VRING_BASE gave; the
	 * destination gets an in-flight buffer of its own. */
	if (vdev->resume.bases && !vu_resume_features_ok(dev, &vdev->resume, st->features))
		return -ENOTSUP;
	ret = vu_keep_decide(dev, st, &vdev->inflight, vdev->features,
			     !vdev->resume.bases && requests_kept(vdev), &keep);
	if (ret)
		return ret;
	vdev->features = st->features;
	for (uint16_t i = 0; !ret && i < dev->opts.num_queues; i++) {
		struct vub_queue *q = &vdev->queues[i];
		uint16_t base = 0;

		if (vdev->resume.bases)
			base = vdev->resume.bases[i];
		else if (keep)
			base = vub_queue_resume(q);
		else
			ret = vub_queue_reset(q, st->features);
		vdev->rings[i] = (struct vhost_fe_setup_ring){
		    .vq = &q->vq, .kick_fd = q->kick_fd, .call_fd = q->call_fd, .base = base};
	}
	return ret;
}

/* The set-up's prepare(): what was negotiated into info, enough queues,
 * then the rings for the features just negotiated. */
static int vub_prepare(void *arg, const struct vhost_fe_setup_state *st)
{
	struct vub_dev *vdev = arg;
	struct storlab_dev *dev = vdev->dev;
	struct storlab_dev_info *info = &dev->info;
	struct storlab_virtio_blk_info *vb = &vdev->vb;

	vb->features_offered = st->features_offered;
	vb->features_negotiated = st->features;
	vb->protocol_features_offered = st->protocol_features_offered;
	vb->protocol_features_negotiated = st->protocol_features;
	vb->config_size = st->config_len;
	if (!st->config_len)
		log_warn("%s: no VHOST_USER_PROTOCOL_F_CONFIG: capacity unknown", dev->address);
	virtio_blk_config_from_wire(&vb->config, &vdev->config);
	virtio_blk_info_fill(info, vb);
	info->max_queues =
	    vhost_fe_blk_max_queues(st->features, st->queue_num, &vdev->config, st->config_len);
	if (dev->opts.num_queues > info->max_queues) {
		log_err("%s: %u queues asked for, the device has %u", dev->address,
			dev->opts.num_queues, info->max_queues);
		return -ENOTSUP;
	}
	return vub_rings_prepare(vdev, st);
}

static int vub_connect(struct vub_dev *vdev)
{
	struct storlab_dev *dev = vdev->dev;
	struct vhost_fe_region regions[STORLAB_MAX_MEM_RANGES];
	struct vhost_fe_setup_opts setup = {
	    /* The virtio features this driver understands (virtio 1.2 §5.2.3,
	     * §6); §6.1: it drives only non-legacy devices. */
	    .features = (VIRTIO_BLK_DRIVER_FEATURES | VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES)) &
			(dev->opts.features_mask ? dev->opts.features_mask : ~0ULL),
	    .required_features = VIRTIO_BIT(VIRTIO_F_VERSION_1),
	    /* In-flight tracking too: requests survive a back-end's crash; the
	     * dirty log for a device that migrates. */
	    .protocol_features = VHOST_FE_PROTOCOL_FEATURES |
				 (1ULL << VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD) |
				 (dev->migratable ? 1ULL << VHOST_USER_PROTOCOL_F_LOG_SHMFD : 0),
	    .inflight = &vdev->inflight,
	    .get_config = vhost_fe_get_blk_config,
	    .config = &vdev->config,
	    .prepare = vub_prepare,
	    .arg = vdev,
	    .rings = vdev->rings,
	    .nrings = dev->opts.num_queues,
	};
	struct vhost_fe_setup_state st;
	int ret;

	memset(&vdev->vb, 0, sizeof(vdev->vb));
	memset(&vdev->config, 0, sizeof(vdev->config));
	vdev->sock_fd = -1;
	ret = vu_connect(dev, dev->address, g_transport_vhost_user_blk.scheme, &setup, regions,
			 &vdev->fe, &st);
	if (ret)
		return ret;
	vdev->sock_fd = vhost_fe_fd(vdev->fe);
	vu_keeps_inflight_update(dev, &vdev->inflight, &st);
	atomic_store(&dev->dead, false);
	return 0;
}

static void vub_close(void *ctx)
{
	struct vub_dev *vdev = ctx;

	if (vdev->fe)
		vhost_fe_close(vdev->fe);
	if (vdev->inflight.fd >= 0)
		close(vdev->inflight.fd);
	/* A queue not created (open failed before it) is all zeroes. */
	for (uint16_t i = 0; vdev->queues && i < vdev->dev->opts.num_queues; i++)
		if (vdev->queues[i].vdev)
			vub_queue_destroy(&vdev->queues[i]);
	free(vdev->queues);
	free(vdev->rings);
	free(vdev);
}

static int vub_open(struct storlab_dev *dev, void **ctx)
{
	const struct storlab_dev_opts *o = &dev->opts;
	struct vub_dev *vdev;
	int ret;

	/* A Unix socket address (unix(7)); a longer path cannot be reached. */
	if (strlen(dev->address) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		log_err("%s: a socket path is shorter than %zu bytes", dev->address,
			sizeof(((struct sockaddr_un *)0)->sun_path));
		return -ENAMETOOLONG;
	}
	/* virtio 1.2 §2.7: a split queue's size is a power of 2, at most 32768. */
	if (!IS_POW2(o->queue_size) || o->queue_size > VIRTQ_MAX_SIZE) {
		log_err("queue size %u is not a power of 2 up to %u", o->queue_size,
			VIRTQ_MAX_SIZE);
		return -EINVAL;
	}
	vdev = calloc(1, sizeof(*vdev));
	if (!vdev)
		return -ENOMEM;
	vdev->dev = dev;
	vdev->sock_fd = -1;
	vdev->inflight.fd = -1;
	vdev->queues =
	    aligned_alloc(_Alignof(struct vub_queue), o->num_queues * sizeof(*vdev->queues));
	if (vdev->queues)
		memset(vdev->queues, 0, o->num_queues * sizeof(*vdev->queues));
	vdev->rings = calloc(o->num_queues, sizeof(*vdev->rings));
	if (!vdev->queues || !vdev->rings) {
		ret = -ENOMEM;
		goto err;
	}
	for (uint16_t i = 0; i < o->num_queues; i++) {
		ret = vub_queue_create(vdev, dev, i, o->queue_size, &vdev->queues[i]);
		if (ret) {
			log_err("%s: queue %u: %s", dev->address, i, strerror(-ret));
			goto err;
		}
		dev->queues[i] = &vdev->queues[i].head;
	}
	ret = vub_connect(vdev);
	if (ret)
		goto err;
	*ctx = vdev;
	return 0;
err:
	vub_close(vdev);
	return ret;
}

static int vub_reconnect(void *ctx)
{
	struct vub_dev *vdev = ctx;

	if (vdev->fe) {
		vhost_fe_close(vdev->fe);
		vdev->fe = NULL;
		vdev->sock_fd = -1;
	}
	return vub_connect(vdev);
}

int vub_dev_resume(struct vub_dev *vdev, const uint16_t *bases)
{
	return vu_resume(&vdev->resume, bases, vdev->vb.features_negotiated, vub_reconnect, vdev);
}

static const void *vub_details(const void *ctx)
{
	return &((const struct vub_dev *)ctx)->vb;
}

const struct initiator_transport g_transport_vhost_user_blk = {
    .scheme = "vhost-user-blk",
    .uri_form = "vhost-user-blk:/path/to/socket",
    .kind = INITIATOR_DEV_VIRTIO_BLK,
    .open = vub_open,
    .close = vub_close,
    .reconnect = vub_reconnect,
    .details = vub_details,
    .queue_add = vub_queue_add,
    .queue_submit = vub_queue_submit,
    .queue_reap = vub_queue_reap,
    .queue_inflight = vub_queue_inflight,
    .queue_fd = vub_queue_fd,
    .queue_set_fd_enabled = vub_queue_set_fd_enabled,
    .status_name = virtio_blk_status_name,
    .mig = &g_vub_mig_ops,
};
