/* SPDX-License-Identifier: MIT */
/*
 * Opening a vhost-user-blk device: the front-end's side of the set-up that
 * QEMU's vhost-user-blk does (vhost-user.rst "Starting and stopping rings"),
 * with our memfd as the only guest memory region.
 */
#define LOG_COMPONENT "initiator"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "initiator/internal.h"
#include "initiator/uri.h"
#include "spec/virtio.h"
#include "util/common.h"
#include "util/log.h"
#include "vhost/vhost_fe_setup.h"

/* The virtio features this driver understands (virtio 1.2 §5.2.3, §6). */
static const uint64_t g_driver_features = VIRTIO_BLK_DRIVER_FEATURES;

static void config_from_wire(struct storlab_blk_config *c, const struct virtio_blk_config *w)
{
	*c = (struct storlab_blk_config){
	    .capacity = w->capacity,
	    .size_max = w->size_max,
	    .seg_max = w->seg_max,
	    .cylinders = w->geometry.cylinders,
	    .heads = w->geometry.heads,
	    .sectors = w->geometry.sectors,
	    .blk_size = w->blk_size,
	    .physical_block_exp = w->topology.physical_block_exp,
	    .alignment_offset = w->topology.alignment_offset,
	    .min_io_size = w->topology.min_io_size,
	    .opt_io_size = w->topology.opt_io_size,
	    .writeback = w->writeback,
	    .num_queues = w->num_queues,
	    .max_discard_sectors = w->max_discard_sectors,
	    .max_discard_seg = w->max_discard_seg,
	    .discard_sector_alignment = w->discard_sector_alignment,
	    .max_write_zeroes_sectors = w->max_write_zeroes_sectors,
	    .max_write_zeroes_seg = w->max_write_zeroes_seg,
	    .write_zeroes_may_unmap = w->write_zeroes_may_unmap,
	    .max_secure_erase_sectors = w->max_secure_erase_sectors,
	    .max_secure_erase_seg = w->max_secure_erase_seg,
	    .secure_erase_sector_alignment = w->secure_erase_sector_alignment,
	};
}

/* The set-up's prepare(): enough queues, then empty rings for the features
 * just negotiated; the device's geometry for info. */
static int dev_prepare(void *arg, const struct vhost_fe_setup_state *st)
{
	struct storlab_dev *dev = arg;
	struct storlab_dev_info *info = &dev->info;
	int ret = 0;

	info->features_offered = st->features_offered;
	info->features_negotiated = st->features;
	info->protocol_features_offered = st->protocol_features_offered;
	info->protocol_features_negotiated = st->protocol_features;
	info->config_size = st->config_len;
	if (!st->config_len)
		log_warn("%s: no VHOST_USER_PROTOCOL_F_CONFIG: capacity unknown", dev->path);
	config_from_wire(&info->config, &dev->config);
	info->max_queues =
	    vhost_fe_blk_max_queues(st->features, st->queue_num, &dev->config, st->config_len);
	if (dev->opts.num_queues > info->max_queues) {
		log_err("%s: %u queues asked for, the device has %u", dev->path,
			dev->opts.num_queues, info->max_queues);
		return -ENOTSUP;
	}
	info->capacity = info->config.capacity << VIRTIO_BLK_SECTOR_SHIFT;
	info->block_size = (st->features & VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE)) &&
				   info->config.blk_size
			       ? info->config.blk_size
			       : VIRTIO_BLK_SECTOR_SIZE;
	info->read_only = st->features & VIRTIO_BIT(VIRTIO_BLK_F_RO);
	for (uint16_t i = 0; !ret && i < dev->opts.num_queues; i++) {
		struct storlab_queue *q = &dev->queues[i];

		ret = queue_reset(q, st->features);
		dev->rings[i] = (struct vhost_fe_setup_ring){
		    .vq = &q->vq, .kick_fd = q->kick_fd, .call_fd = q->call_fd};
	}
	return ret;
}

static int dev_connect(struct storlab_dev *dev)
{
	struct vhost_fe_region region = {
	    .gpa = 0,
	    .size = dev->mem.size,
	    .uva = (uintptr_t)dev->mem.base,
	    .mmap_offset = 0,
	    .fd = dev->mem.fd,
	};
	struct vhost_fe_setup_opts setup = {
	    /* The virtio features this driver understands (virtio 1.2 §5.2.3,
	     * §6); virtio 1.2 §6.1: we drive only non-legacy devices. */
	    .features = (g_driver_features | VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES)) &
			~dev->opts.features_disable,
	    .required_features = VIRTIO_BIT(VIRTIO_F_VERSION_1),
	    .protocol_features = VHOST_FE_PROTOCOL_FEATURES,
	    .regions = &region,
	    .nregions = 1,
	    .get_config = vhost_fe_get_blk_config,
	    .config = &dev->config,
	    .prepare = dev_prepare,
	    .arg = dev,
	    .rings = dev->rings,
	    .nrings = dev->opts.num_queues,
	};
	struct storlab_dev_info *info = &dev->info;
	struct vhost_fe_setup_state st;
	int ret;

	memset(info, 0, sizeof(*info));
	memset(&dev->config, 0, sizeof(dev->config));
	info->transport = "vhost-user-blk";
	info->path = dev->path;
	info->queue_size = dev->opts.queue_size;
	info->num_queues = dev->opts.num_queues;
	info->mem_size = dev->mem.size;
	ret = vhost_fe_connect(dev->path, dev->opts.timeout_ms, &dev->fe);
	if (ret) {
		dev->fe = NULL;
		log_info("%s: connect: %s", dev->path, strerror(-ret));
		return ret;
	}
	dev->sock_fd = vhost_fe_fd(dev->fe);
	ret = vhost_fe_setup(dev->fe, &setup, &st);
	if (ret) {
		log_err("%s: set-up failed: %s", dev->path, strerror(-ret));
		vhost_fe_close(dev->fe);
		dev->fe = NULL;
		dev->sock_fd = -1;
		return ret;
	}
	atomic_store(&dev->dead, false);
	return 0;
}

static int opts_fill(struct storlab_dev_opts *o, const struct storlab_dev_opts *in)
{
	if (in)
		*o = *in;
	else
		memset(o, 0, sizeof(*o));
	if (o->num_queues == 0)
		o->num_queues = 1;
	if (o->queue_size == 0)
		o->queue_size = STORLAB_DEFAULT_QUEUE_SIZE;
	if (o->mem_size == 0)
		o->mem_size = STORLAB_DEFAULT_MEM_SIZE;
	if (o->timeout_ms == 0)
		o->timeout_ms = STORLAB_DEFAULT_TIMEOUT_MS;
	o->mem_size = ALIGN_UP(o->mem_size, (uint64_t)GUESTMEM_PAGE);
	/* virtio 1.2 §2.7: a split queue's size is a power of 2, at most 32768. */
	if (!IS_POW2(o->queue_size) || o->queue_size > VIRTQ_MAX_SIZE) {
		log_err("queue size %u is not a power of 2 up to %u", o->queue_size,
			VIRTQ_MAX_SIZE);
		return -EINVAL;
	}
	if (o->num_queues > VHOST_MAX_QUEUES) {
		log_err("%u queues: at most %u", o->num_queues, VHOST_MAX_QUEUES);
		return -EINVAL;
	}
	return 0;
}

int storlab_dev_open(const char *uri, const struct storlab_dev_opts *opts,
		     struct storlab_dev **devp)
{
	struct initiator_uri parsed;
	struct storlab_dev *dev;
	int ret;

	ret = initiator_uri_parse(uri, &parsed);
	if (ret) {
		log_err("%s: not a device URI (vhost-user-blk:/path.sock): %s", uri,
			strerror(-ret));
		return ret;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->sock_fd = -1;
	ret = opts_fill(&dev->opts, opts);
	if (ret)
		goto err_free;
	dev->path = strdup(parsed.path);
	dev->queues = calloc(dev->opts.num_queues, sizeof(*dev->queues));
	dev->rings = calloc(dev->opts.num_queues, sizeof(*dev->rings));
	if (!dev->path || !dev->queues || !dev->rings) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = guestmem_init(&dev->mem, dev->opts.mem_size);
	if (ret)
		goto err_free;
	for (uint16_t i = 0; i < dev->opts.num_queues; i++) {
		ret = queue_create(dev, i, dev->opts.queue_size, &dev->queues[i]);
		if (ret) {
			log_err("%s: queue %u: %s", uri, i, strerror(-ret));
			goto err_queues;
		}
	}
	ret = dev_connect(dev);
	if (ret)
		goto err_queues;
	*devp = dev;
	return 0;

err_queues:
	for (uint16_t i = 0; i < dev->opts.num_queues; i++)
		if (dev->queues[i].dev)
			queue_destroy(&dev->queues[i]);
	guestmem_fini(&dev->mem);
err_free:
	free(dev->rings);
	free(dev->queues);
	free(dev->path);
	free(dev);
	return ret;
}

void storlab_dev_close(struct storlab_dev *dev)
{
	if (!dev)
		return;
	if (dev->fe)
		vhost_fe_close(dev->fe);
	for (uint16_t i = 0; i < dev->opts.num_queues; i++)
		queue_destroy(&dev->queues[i]);
	guestmem_fini(&dev->mem);
	free(dev->rings);
	free(dev->queues);
	free(dev->path);
	free(dev);
}

int storlab_dev_reconnect(struct storlab_dev *dev)
{
	for (uint16_t i = 0; i < dev->opts.num_queues; i++) {
		if (storlab_queue_inflight(&dev->queues[i])) {
			log_err("%s: reconnect with requests in flight on queue %u", dev->path, i);
			return -EBUSY;
		}
	}
	atomic_store(&dev->dead, true);
	if (dev->fe) {
		vhost_fe_close(dev->fe);
		dev->fe = NULL;
		dev->sock_fd = -1;
	}
	return dev_connect(dev);
}

bool storlab_dev_connected(const struct storlab_dev *dev)
{
	return !atomic_load(&dev->dead);
}

void storlab_dev_get_info(const struct storlab_dev *dev, struct storlab_dev_info *info)
{
	*info = dev->info;
}

bool dev_check_hangup(struct storlab_dev *dev)
{
	struct pollfd pfd = {.fd = dev->sock_fd, .events = POLLIN | POLLRDHUP};
	char byte;

	if (atomic_load(&dev->dead))
		return true;
	if (poll(&pfd, 1, 0) <= 0)
		return false;
	/* The back-end sends nothing unasked on this socket: readable means
	 * closed, unless a byte is really there. */
	if (!(pfd.revents & (POLLHUP | POLLERR | POLLRDHUP | POLLNVAL)) &&
	    recv(dev->sock_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) != 0)
		return false;
	if (!atomic_exchange(&dev->dead, true))
		log_notice("%s: the back-end closed the connection", dev->path);
	return true;
}
