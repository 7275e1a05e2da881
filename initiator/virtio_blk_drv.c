/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk, whatever transport carries it: the config space as the
 * neutral info's limits, the status byte's names, and the calls of
 * storlab/virtio_blk.h.
 */
#include <errno.h>

#include "initiator/internal.h"
#include "initiator/virtio_blk_drv.h"
#include "spec/virtio.h"
#include "util/common.h"

void virtio_blk_config_from_wire(struct storlab_blk_config *c, const struct virtio_blk_config *w)
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

/* Sectors of one discard or write-zeroes segment: the config's limit if its
 * feature was negotiated, else what the 32-bit num_sectors holds (§5.2.6),
 * kept a multiple of 8 (4 KiB). */
static uint64_t range_max(bool negotiated, uint32_t sectors)
{
	return (negotiated && sectors ? sectors : (UINT32_MAX & ~7u)) *
	       (uint64_t)VIRTIO_BLK_SECTOR_SIZE;
}

void virtio_blk_info_fill(struct storlab_dev_info *info, const struct storlab_virtio_blk_info *vb)
{
	const struct storlab_blk_config *c = &vb->config;
	uint64_t f = vb->features_negotiated;

	/* virtio 1.2 §5.2.4: a field counts only if its feature was negotiated. */
	info->capacity = c->capacity << VIRTIO_BLK_SECTOR_SHIFT;
	info->block_size = (f & VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE)) && c->blk_size
			       ? c->blk_size
			       : VIRTIO_BLK_SECTOR_SIZE;
	info->read_only = f & VIRTIO_BIT(VIRTIO_BLK_F_RO);
	/* size_max bounds one segment, seg_max their number; no limit on a
	 * whole request beyond what those two make. */
	info->max_segment_size =
	    (f & VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX)) && c->size_max >= VIRTIO_BLK_SECTOR_SIZE
		? c->size_max / VIRTIO_BLK_SECTOR_SIZE * VIRTIO_BLK_SECTOR_SIZE
		: 0;
	info->max_segments = (f & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX)) && c->seg_max
				 ? MIN(c->seg_max, (uint32_t)STORLAB_MAX_SEGMENTS)
				 : STORLAB_MAX_SEGMENTS;
	info->max_transfer = 0;
	info->max_discard = range_max(f & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD), c->max_discard_sectors);
	info->max_write_zeroes =
	    range_max(f & VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES), c->max_write_zeroes_sectors);
}

const char *virtio_blk_status_name(uint16_t status)
{
	/* §5.2.6's names, and ours for a byte the device never wrote. */
	static const char *const names[] = {
	    [STORLAB_VIRTIO_BLK_S_OK] = "OK",
	    [STORLAB_VIRTIO_BLK_S_IOERR] = "IOERR",
	    [STORLAB_VIRTIO_BLK_S_UNSUPP] = "UNSUPP",
	};

	if (status < ARRAY_SIZE(names))
		return names[status];
	return status == STORLAB_VIRTIO_BLK_S_NONE ? "NONE" : "UNKNOWN";
}

void virtio_blk_status_map(uint8_t status, struct storlab_completion *c)
{
	switch (status) {
	case STORLAB_VIRTIO_BLK_S_IOERR:
		c->ret = -EIO;
		c->status = STORLAB_STATUS_ERROR;
		break;
	case STORLAB_VIRTIO_BLK_S_UNSUPP:
		c->ret = -ENOTSUP;
		c->status = STORLAB_STATUS_UNSUPPORTED;
		break;
	default: /* none written, or a value §5.2.6 does not define */
		c->ret = -EPROTO;
		c->status = STORLAB_STATUS_ERROR;
		break;
	}
}

int storlab_virtio_blk_get_info(const struct storlab_dev *dev, struct storlab_virtio_blk_info *info)
{
	if (dev->tp->kind != INITIATOR_DEV_VIRTIO_BLK)
		return -ENOTTY;
	*info = *(const struct storlab_virtio_blk_info *)dev->tp->details(dev->ctx);
	return 0;
}

int storlab_virtio_blk_get_id(struct storlab_queue *q, void *buf, void *tag)
{
	struct iovec iov = {buf, STORLAB_VIRTIO_BLK_ID_BYTES};
	/* §5.2.6.1: "The length of data MUST be 20 bytes for
	 * VIRTIO_BLK_T_GET_ID requests." */
	struct storlab_virtio_blk_cmd cmd = {.type = VIRTIO_BLK_T_GET_ID, .in = &iov, .nin = 1};
	struct storlab_req req = {.op = STORLAB_OP_DEVICE, .cmd = &cmd, .tag = tag};

	if (q->tp->kind != INITIATOR_DEV_VIRTIO_BLK)
		return -ENOTTY;
	return storlab_queue_add(q, &req);
}
