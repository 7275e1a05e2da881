/* SPDX-License-Identifier: MIT */
/*
 * A vhost-user-blk controller: the virtio-blk device model (features and
 * configuration space, virtio 1.2 §5.2.3 / §5.2.4) behind one lib/vhost
 * back-end, whose request queues run on the queue engine (placed on the
 * reactors of the controller's cpumask). The data path is vhost_blk_queue.c.
 */
#define LOG_COMPONENT "vhost-blk"
#include "target/frontend/vhost_blk_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "spec/vhost_user.h"
#include "util/common.h"
#include "util/log.h"

_Static_assert(sizeof(struct virtio_blk_config) <= VHOST_USER_MAX_CONFIG_SIZE,
	       "the config space fits a vhost-user GET_CONFIG");

struct vhost_blk {
	char name[64];
	char *socket_path;
	struct bdev *bdev;
	/* The capacity the driver was given: the bdev's when created. The bdev
	 * may grow (bdev_resize), but a driver hears of a new capacity only
	 * through a configuration change notification, which needs the
	 * back-end request channel lib/vhost does not have
	 * (VHOST_USER_PROTOCOL_F_BACKEND_REQ), so config space and queues keep
	 * this one. */
	uint64_t num_blocks;
	struct vhost_dev *dev;
	struct evloop *loop;
	struct qe_placement placement;
	bool readonly;
	uint16_t num_queues;
	struct vhost_blk_advert adv;
	uint64_t offered;
	uint64_t negotiated;
	struct vhost_blk_queue *queues;
	frontend_done_fn destroyed; /* and its arg: vhost_blk_destroy's */
	void *destroyed_arg;
};

static bool bdev_supports(struct bdev *bdev, enum bdev_io_type type)
{
	return bdev->fn->io_type_supported(bdev, type);
}

void vhost_blk_advert_from_limits(const struct bdev_limits *lim, struct vhost_blk_advert *a)
{
	/* The data segments a chain may have: the slot's iovecs, less the
	 * header and the status. */
	uint32_t seg_max = MIN((uint32_t)VHOST_BLK_IOV_MAX - 2, lim->max_segments);
	/* A segment no smaller than a page or a block: what drivers expect. */
	uint32_t unit = MAX(lim->block_size, 4096u);

	a->blk_size = lim->block_size;
	a->opt_io_size = lim->optimal_io_bytes / lim->block_size;
	a->size_max = 0;
	if (lim->max_transfer_bytes < UINT32_MAX / lim->block_size * lim->block_size) {
		/* §5.2.3 has no maximum request size: seg_max segments of
		 * size_max each must fit one bdev transfer. Fewer, larger
		 * segments rather than segments smaller than a page. */
		if (lim->max_transfer_bytes / seg_max < unit)
			seg_max = MAX(1u, lim->max_transfer_bytes / unit);
		a->size_max = lim->max_transfer_bytes / seg_max / lim->block_size * lim->block_size;
	}
	a->seg_max = seg_max;
}

/* §5.2.3: what this device can do with this bdev. SIZE_MAX is offered when
 * the bdev limits a transfer; CONFIG_WCE is not (writeback cannot be
 * toggled: no SET_CONFIG), GEOMETRY has no meaning for us. */
static uint64_t offered_features(const struct vhost_blk *vb)
{
	uint64_t f = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC) |
		     VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
		     VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_TOPOLOGY) |
		     VIRTIO_BIT(VIRTIO_BLK_F_MQ);

	if (vb->adv.size_max)
		f |= VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX);
	/* §5.2.6.2: offering FLUSH promises that a flush makes writes stable;
	 * a backend without one (null, malloc) has nothing volatile to flush,
	 * and then, as SPDK does, we do not offer it. */
	if (bdev_supports(vb->bdev, BDEV_IO_FLUSH))
		f |= VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
	if (vb->readonly)
		return f | VIRTIO_BIT(VIRTIO_BLK_F_RO);
	if (bdev_supports(vb->bdev, BDEV_IO_UNMAP))
		f |= VIRTIO_BIT(VIRTIO_BLK_F_DISCARD);
	if (bdev_supports(vb->bdev, BDEV_IO_WRITE_ZEROES))
		f |= VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);
	return f;
}

static uint32_t sectors_per_block(const struct vhost_blk *vb)
{
	return vb->bdev->block_size >> VIRTIO_BLK_SECTOR_SHIFT;
}

/* The longest discard / write-zeroes segment: what num_sectors (32 bits)
 * can say, in whole blocks. */
static uint32_t max_dwz_sectors(const struct vhost_blk *vb)
{
	uint32_t spb = sectors_per_block(vb);

	return UINT32_MAX / spb * spb;
}

static uint64_t blk_get_features(void *ctx)
{
	struct vhost_blk *vb = ctx;

	return vb->offered;
}

static int blk_set_features(void *ctx, uint64_t features)
{
	struct vhost_blk *vb = ctx;

	/* lib/vhost refused bits we did not offer, and stopped the rings: each
	 * queue takes the new features when it starts again. */
	vb->negotiated = features;
	log_info("%s: features 0x%" PRIx64 " negotiated", vb->name, features);
	return 0;
}

static void fill_config(const struct vhost_blk *vb, struct virtio_blk_config *cfg)
{
	uint32_t spb = sectors_per_block(vb);

	memset(cfg, 0, sizeof(*cfg));
	cfg->capacity = vb->num_blocks * spb;
	cfg->size_max = vb->adv.size_max;
	cfg->seg_max = vb->adv.seg_max;
	cfg->blk_size = vb->adv.blk_size;
	/* Logical and physical blocks are the same size, I/O of one block is
	 * efficient; the optimal size is the bdev's (0: none suggested). */
	cfg->topology.physical_block_exp = 0;
	cfg->topology.alignment_offset = 0;
	cfg->topology.min_io_size = 1;
	cfg->topology.opt_io_size = vb->adv.opt_io_size;
	cfg->num_queues = vb->num_queues;
	if (vb->offered & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD)) {
		cfg->max_discard_sectors = max_dwz_sectors(vb);
		cfg->max_discard_seg = VHOST_BLK_MAX_DWZ_SEG;
		cfg->discard_sector_alignment = spb;
	}
	if (vb->offered & VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES)) {
		cfg->max_write_zeroes_sectors = max_dwz_sectors(vb);
		cfg->max_write_zeroes_seg = VHOST_BLK_MAX_DWZ_SEG;
		/* §5.2.6.2: we cannot tell whether the backend deallocates. */
		cfg->write_zeroes_may_unmap = 0;
	}
}

static int blk_get_config(void *ctx, uint8_t *buf, uint32_t offset, uint32_t len)
{
	struct vhost_blk *vb = ctx;
	struct virtio_blk_config cfg;

	fill_config(vb, &cfg);
	return vhost_ring_config_read(vb->name, &cfg, sizeof(cfg), buf, offset, len);
}

static void queue_limits(const struct vhost_blk *vb, struct vhost_blk_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->block_size = vb->bdev->block_size;
	lim->num_blocks = vb->num_blocks;
	lim->readonly = vb->readonly;
	lim->flush = vb->offered & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
	lim->discard = vb->negotiated & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD);
	lim->write_zeroes = vb->negotiated & VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);
	lim->max_discard_sectors = max_dwz_sectors(vb);
	lim->max_write_zeroes_sectors = max_dwz_sectors(vb);
}

static int blk_ring_start(void *ctx, struct vhost_vring *vring)
{
	struct vhost_blk *vb = ctx;
	struct vhost_blk_queue *q;

	if (vring->index >= vb->num_queues) {
		log_warn("%s: virtio 1.2 §5.2.2: queue %u but num_queues is %u", vb->name,
			 vring->index, vb->num_queues);
		return -EINVAL;
	}
	q = &vb->queues[vring->index];
	queue_limits(vb, &q->lim);
	/* §5.2.6.2, stable writes, case 1: FLUSH offered, neither FLUSH nor
	 * CONFIG_WCE negotiated: a completed write must already be stable. */
	q->writethrough = vb->bdev->write_cache && (vb->offered & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)) &&
			  !(vb->negotiated & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH));
	return vhost_blk_queue_start(q, vring, qe_placement_reactor(&vb->placement, vring->index),
				     vb->loop);
}

/* lib/vhost stops only rings that blk_ring_start accepted. */
static void blk_ring_stop(void *ctx, struct vhost_vring *vring, vhost_ring_done_fn stopped)
{
	struct vhost_blk *vb = ctx;

	vhost_blk_queue_stop(&vb->queues[vring->index], stopped);
}

static void blk_ring_swap_fds(void *ctx, struct vhost_vring *vring, int kick_fd, int call_fd,
			      vhost_ring_done_fn swapped)
{
	struct vhost_blk *vb = ctx;

	vhost_blk_queue_swap_fds(&vb->queues[vring->index], kick_fd, call_fd, swapped);
}

/* The next front-end negotiates afresh (lib/vhost logs the connection). */
static void blk_disconnected(void *ctx)
{
	struct vhost_blk *vb = ctx;

	vb->negotiated = 0;
}

static const struct vhost_dev_ops g_vhost_blk_ops = {
    /* Every write into guest memory is marked (vhost_blk_queue.c). */
    .logs_writes = true,
    /* Every request is marked in the in-flight buffer, and a restart runs
     * again what it lists (vhost_blk_queue.c). */
    .tracks_inflight = true,
    .get_features = blk_get_features,
    .set_features = blk_set_features,
    .get_config = blk_get_config,
    .set_config = NULL,
    .ring_start = blk_ring_start,
    .ring_stop = blk_ring_stop,
    .ring_swap_fds = blk_ring_swap_fds,
    .connected = NULL,
    .disconnected = blk_disconnected,
};

static int check_opts(const struct vhost_blk_opts *o)
{
	if (!o->name || !o->name[0] || strlen(o->name) >= sizeof(((struct vhost_blk *)0)->name)) {
		log_err("vhost-blk: name must be 1 to 63 characters");
		return -EINVAL;
	}
	if (!o->socket_path || !o->bdev_name || !o->loop) {
		log_err("%s: socket_path, bdev_name and loop are required", o->name);
		return -EINVAL;
	}
	if (o->num_queues > VHOST_MAX_QUEUES) {
		log_err("%s: num_queues %u is more than %d", o->name, o->num_queues,
			VHOST_MAX_QUEUES);
		return -EINVAL;
	}
	return 0;
}

static void queues_init(struct vhost_blk *vb)
{
	for (uint16_t i = 0; i < vb->num_queues; i++) {
		struct vhost_blk_queue *q = &vb->queues[i];

		q->qe.owner = vb->name;
		q->qe.index = i;
		q->qe.stats.core = reactor_core(qe_placement_reactor(&vb->placement, i));
		q->bdev = vb->bdev;
	}
}

int vhost_blk_create(const struct vhost_blk_opts *opts, struct vhost_blk **out)
{
	struct vhost_dev_opts dev_opts = {
	    .socket_path = opts->socket_path,
	    .ops = &g_vhost_blk_ops,
	    .loop = opts->loop,
	    .strict = opts->strict,
	    .protocol_features = (1ULL << VHOST_USER_PROTOCOL_F_MQ) |
				 (1ULL << VHOST_USER_PROTOCOL_F_LOG_SHMFD) |
				 (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) |
				 (1ULL << VHOST_USER_PROTOCOL_F_CONFIG) |
				 (1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS) |
				 (1ULL << VHOST_USER_PROTOCOL_F_RESET_DEVICE) |
				 (1ULL << VHOST_USER_PROTOCOL_F_STATUS) |
				 (1ULL << VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD),
	};
	struct vhost_blk *vb;
	int rc = check_opts(opts);

	if (rc)
		return rc;
	vb = calloc(1, sizeof(*vb));
	if (!vb)
		return -ENOMEM;
	snprintf(vb->name, sizeof(vb->name), "%s", opts->name);
	vb->readonly = opts->readonly;
	vb->loop = opts->loop;
	vb->num_queues = opts->num_queues ? opts->num_queues : VHOST_BLK_DEFAULT_QUEUES;
	vb->socket_path = strdup(opts->socket_path);
	vb->queues = calloc(vb->num_queues, sizeof(*vb->queues));
	if (!vb->socket_path || !vb->queues) {
		rc = -ENOMEM;
		goto err_free;
	}
	rc = qe_placement_init(&vb->placement, opts->cpumask, vb->name);
	if (rc)
		goto err_free;
	vb->bdev = bdev_get_by_name(opts->bdev_name);
	if (!vb->bdev) {
		log_err("%s: no bdev named %s", vb->name, opts->bdev_name);
		rc = -ENODEV;
		goto err_free;
	}
	rc = bdev_open(vb->bdev);
	if (rc) {
		log_err("%s: cannot open bdev %s: %s", vb->name, opts->bdev_name, strerror(-rc));
		goto err_free;
	}
	vb->num_blocks = bdev_num_blocks(vb->bdev);
	{
		struct bdev_limits lim;

		bdev_get_limits(vb->bdev, &lim);
		vhost_blk_advert_from_limits(&lim, &vb->adv);
	}
	vb->offered = offered_features(vb);
	queues_init(vb);
	dev_opts.max_queues = vb->num_queues;
	dev_opts.ctx = vb;
	rc = vhost_dev_create(&dev_opts, &vb->dev);
	if (rc) {
		log_err("%s: cannot serve %s: %s", vb->name, opts->socket_path, strerror(-rc));
		goto err_close;
	}
	log_notice("%s: vhost-user-blk on %s, bdev %s, %u queues on cpumask 0x%" PRIx64 "%s",
		   vb->name, vb->socket_path, vb->bdev->name, vb->num_queues, vb->placement.cpumask,
		   vb->readonly ? ", read-only" : "");
	*out = vb;
	return 0;

err_close:
	bdev_close(vb->bdev);
err_free:
	free(vb->queues);
	free(vb->socket_path);
	free(vb);
	return rc;
}

/* Every ring stopped: nothing runs on a reactor for vb any more. */
static void blk_shut(void *arg)
{
	struct vhost_blk *vb = arg;
	frontend_done_fn done = vb->destroyed;
	void *done_arg = vb->destroyed_arg;

	vhost_dev_destroy(vb->dev);
	bdev_close(vb->bdev);
	log_notice("%s: deleted", vb->name);
	free(vb->queues);
	free(vb->socket_path);
	free(vb);
	if (done)
		done(done_arg);
}

void vhost_blk_destroy(struct vhost_blk *vb, frontend_done_fn done, void *arg)
{
	vb->destroyed = done;
	vb->destroyed_arg = arg;
	vhost_dev_shutdown(vb->dev, blk_shut, vb);
}

const char *vhost_blk_name(const struct vhost_blk *vb)
{
	return vb->name;
}

void vhost_blk_get_info(const struct vhost_blk *vb, struct vhost_blk_info *info)
{
	info->name = vb->name;
	info->socket_path = vb->socket_path;
	info->bdev_name = vb->bdev->name;
	info->cpumask = vb->placement.cpumask;
	info->readonly = vb->readonly;
	info->num_queues = vb->num_queues;
	info->features = vb->offered;
	vhost_dev_get_info(vb->dev, &info->dev);
}

void vhost_blk_get_queue_stats(const struct vhost_blk *vb, uint16_t queue,
			       struct vhost_blk_queue_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	if (queue < vb->num_queues)
		vhost_blk_queue_get_stats(&vb->queues[queue], stats);
}

const char *vhost_blk_stat_type_name(enum vhost_blk_stat_type type)
{
	static const char *const names[] = {
	    [VHOST_BLK_STAT_READ] = "read",	  [VHOST_BLK_STAT_WRITE] = "write",
	    [VHOST_BLK_STAT_FLUSH] = "flush",	  [VHOST_BLK_STAT_GET_ID] = "get_id",
	    [VHOST_BLK_STAT_DISCARD] = "discard", [VHOST_BLK_STAT_WRITE_ZEROES] = "write_zeroes",
	    [VHOST_BLK_STAT_OTHER] = "other",
	};

	return (unsigned)type < ARRAY_SIZE(names) ? names[type] : "?";
}
