/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_VIRTIO_BLK_H
#define STORLAB_VIRTIO_BLK_H

/*
 * libstorlab-initiator, what is virtio-blk's own (virtio 1.2 §5.2), for code
 * that is about virtio-blk on purpose (storlab io info's virtio section,
 * storlab io get-id, tests of error statuses). Everything else speaks the
 * neutral API of storlab/initiator.h. The calls here answer -ENOTTY on a
 * device that is not a virtio-blk device.
 */

#include <stdint.h>
#include <sys/uio.h>

#include "storlab/initiator.h"

/* The status byte (virtio 1.2 §5.2.6), a completion's transport_status,
 * and our value for "none written". */
#define STORLAB_VIRTIO_BLK_S_OK	    0
#define STORLAB_VIRTIO_BLK_S_IOERR  1
#define STORLAB_VIRTIO_BLK_S_UNSUPP 2
#define STORLAB_VIRTIO_BLK_S_NONE   0xff

/* Bytes GET_ID returns (virtio 1.2 §5.2.6). */
#define STORLAB_VIRTIO_BLK_ID_BYTES 20

/* The virtio-blk config space (virtio 1.2 §5.2.4), host order. A field is
 * meaningful only if its feature was negotiated. */
struct storlab_blk_config {
	uint64_t capacity; /* 512-byte sectors */
	uint32_t size_max;
	uint32_t seg_max;
	uint16_t cylinders;
	uint8_t heads;
	uint8_t sectors;
	uint32_t blk_size;
	uint8_t physical_block_exp;
	uint8_t alignment_offset;
	uint16_t min_io_size;
	uint32_t opt_io_size;
	uint8_t writeback;
	uint16_t num_queues;
	uint32_t max_discard_sectors;
	uint32_t max_discard_seg;
	uint32_t discard_sector_alignment;
	uint32_t max_write_zeroes_sectors;
	uint32_t max_write_zeroes_seg;
	uint8_t write_zeroes_may_unmap;
	uint32_t max_secure_erase_sectors;
	uint32_t max_secure_erase_seg;
	uint32_t secure_erase_sector_alignment;
};

struct storlab_virtio_blk_info {
	uint64_t features_offered;    /* virtio features, GET_FEATURES */
	uint64_t features_negotiated; /* what we acknowledged */
	/* vhost-user protocol features ("Protocol features"). */
	uint64_t protocol_features_offered;
	uint64_t protocol_features_negotiated;
	uint32_t config_size; /* config bytes read (0: no CONFIG) */
	struct storlab_blk_config config;
};
/* 0, or -ENOTTY. */
int storlab_virtio_blk_get_info(const struct storlab_dev *dev,
				struct storlab_virtio_blk_info *info);

/* Names for reports: NULL for bits we do not know. */
const char *storlab_feature_name(unsigned bit);
const char *storlab_protocol_feature_name(unsigned bit);

/*
 * A request of any type, for STORLAB_OP_DEVICE (struct storlab_req's cmd):
 * a header with this type, ioprio and sector, then out[] (device-readable),
 * in[] (device-writable) and the status byte (virtio 1.2 §5.2.6). Buffers
 * must be library memory. Only for a virtio-blk device's queues
 * (storlab_virtio_blk_get_info() answers 0): another transport reads cmd
 * as a command of its own device.
 */
struct storlab_virtio_blk_cmd {
	uint32_t type;
	uint32_t ioprio;
	uint64_t sector;
	const struct iovec *out;
	unsigned nout;
	const struct iovec *in;
	unsigned nin;
};

/* Queues GET_ID into buf (STORLAB_VIRTIO_BLK_ID_BYTES of library memory),
 * as storlab_queue_add() does. */
int storlab_virtio_blk_get_id(struct storlab_queue *q, void *buf, void *tag);

#endif
