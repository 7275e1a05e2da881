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
#include "vhost/vhost.h"

/* The virtio features this driver understands (virtio 1.2 §5.2.3, §6). */
static const uint64_t g_driver_features = VIRTIO_BLK_DRIVER_FEATURES;

static const uint64_t g_driver_protocol_features = VIRTIO_BIT(VHOST_USER_PROTOCOL_F_MQ) |
						   VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) |
						   VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG);

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

static int dev_read_config(struct storlab_dev *dev)
{
	struct virtio_blk_config w;
	int ret = vhost_fe_get_blk_config(dev->fe, &w, &dev->info.config_size);

	if (ret) {
		log_err("%s: cannot read the config space: %s", dev->path, strerror(-ret));
		return ret;
	}
	config_from_wire(&dev->info.config, &w);
	return 0;
}

static int dev_negotiate(struct storlab_dev *dev)
{
	struct storlab_dev_info *info = &dev->info;
	uint64_t features, queue_num = 1;
	int ret;

	ret = vhost_fe_get_features(dev->fe, &info->features_offered);
	if (ret)
		return ret;
	features = info->features_offered & g_driver_features & ~dev->opts.features_disable;
	if (!(features & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
		/* virtio 1.2 §6.1: we drive only non-legacy devices. */
		log_err("%s: the device does not offer VIRTIO_F_VERSION_1 (features 0x%llx)",
			dev->path, (unsigned long long)info->features_offered);
		return -ENOTSUP;
	}
	if (info->features_offered & VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES)) {
		features |= VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES);
		ret = vhost_fe_get_protocol_features(dev->fe, &info->protocol_features_offered);
		if (ret)
			return ret;
		info->protocol_features_negotiated =
		    info->protocol_features_offered & g_driver_protocol_features;
		ret = vhost_fe_set_protocol_features(dev->fe, info->protocol_features_negotiated);
		if (ret)
			return ret;
	}
	if (info->protocol_features_negotiated & VIRTIO_BIT(VHOST_USER_PROTOCOL_F_MQ)) {
		ret = vhost_fe_get_queue_num(dev->fe, &queue_num);
		if (ret)
			return ret;
	}
	ret = vhost_fe_set_owner(dev->fe);
	if (ret)
		return ret;
	if (info->protocol_features_negotiated & VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG)) {
		ret = dev_read_config(dev);
		if (ret)
			return ret;
	} else {
		log_warn("%s: no VHOST_USER_PROTOCOL_F_CONFIG: capacity unknown", dev->path);
	}
	info->features_negotiated = features;
	info->max_queues = (uint16_t)MIN(queue_num, VHOST_MAX_QUEUES);
	/* §5.2.4: num_queues is valid only with VIRTIO_BLK_F_MQ. */
	if ((features & VIRTIO_BIT(VIRTIO_BLK_F_MQ)) && info->config_size) {
		if (info->config.num_queues == 0)
			log_warn(
			    "%s: virtio 1.2 §5.2.4: VIRTIO_BLK_F_MQ with num_queues 0; using 1",
			    dev->path);
		info->max_queues = MIN(info->max_queues, MAX(info->config.num_queues, 1));
	} else if (!(features & VIRTIO_BIT(VIRTIO_BLK_F_MQ))) {
		info->max_queues = 1;
	}
	if (dev->opts.num_queues > info->max_queues) {
		log_err("%s: %u queues asked for, the device has %u", dev->path,
			dev->opts.num_queues, info->max_queues);
		return -ENOTSUP;
	}
	info->capacity = info->config.capacity << VIRTIO_BLK_SECTOR_SHIFT;
	info->block_size = (features & VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE)) && info->config.blk_size
			       ? info->config.blk_size
			       : VIRTIO_BLK_SECTOR_SIZE;
	info->read_only = features & VIRTIO_BIT(VIRTIO_BLK_F_RO);
	return vhost_fe_set_features(dev->fe, features);
}

static int dev_start_queue(struct storlab_dev *dev, struct storlab_queue *q)
{
	struct vhost_user_vring_addr addr = {.index = q->index};
	int ret;

	ret = queue_reset(q, dev->info.features_negotiated);
	if (ret)
		return ret;
	/* vring addresses are front-end virtual addresses (vhost-user.rst
	 * "A vring address description"); ours is our mapping of the memfd. */
	addr.desc_user_addr = (uintptr_t)q->vq.desc;
	addr.avail_user_addr = (uintptr_t)q->vq.avail;
	addr.used_user_addr = (uintptr_t)q->vq.used;
	ret = vhost_fe_set_vring_num(dev->fe, q->index, q->num);
	if (!ret)
		ret = vhost_fe_set_vring_base(dev->fe, q->index, 0);
	if (!ret)
		ret = vhost_fe_set_vring_addr(dev->fe, &addr);
	if (!ret)
		ret = vhost_fe_set_vring_kick(dev->fe, q->index, q->kick_fd);
	if (!ret)
		ret = vhost_fe_set_vring_call(dev->fe, q->index, q->call_fd);
	if (ret)
		log_err("%s: setting up queue %u: %s", dev->path, q->index, strerror(-ret));
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
	struct storlab_dev_info *info = &dev->info;
	int ret;

	memset(info, 0, sizeof(*info));
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
	ret = dev_negotiate(dev);
	if (!ret)
		ret = vhost_fe_set_mem_table(dev->fe, &region, 1);
	for (uint16_t i = 0; !ret && i < dev->opts.num_queues; i++)
		ret = dev_start_queue(dev, &dev->queues[i]);
	/* With VHOST_USER_F_PROTOCOL_FEATURES the rings start disabled
	 * (vhost-user.rst "Ring states"). */
	for (uint16_t i = 0; !ret && i < dev->opts.num_queues; i++) {
		if (info->features_negotiated & VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES))
			ret = vhost_fe_set_vring_enable(dev->fe, i, true);
	}
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
	if (!dev->path || !dev->queues) {
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
