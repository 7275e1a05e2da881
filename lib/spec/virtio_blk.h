/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_SPEC_VIRTIO_BLK_H
#define STORLAB_SPEC_VIRTIO_BLK_H

/* Virtio block device: OASIS virtio 1.2, §5.2. Little-endian fields. */

#include <stdint.h>

#include "spec/virtio.h"

#define VIRTIO_ID_BLOCK 2

/* §5.2.3 feature bits */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_GEOMETRY 4
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_TOPOLOGY 10
#define VIRTIO_BLK_F_CONFIG_WCE 11
#define VIRTIO_BLK_F_MQ 12
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14
#define VIRTIO_BLK_F_LIFETIME 15
#define VIRTIO_BLK_F_SECURE_ERASE 16

/* Not the spec's: the features storlab's virtio-blk driver side (the
 * initiator, the conformance runner's device) understands and acknowledges
 * when they are offered (§5.2.3 and §6; VIRTIO_BIT is in spec/virtio.h). */
#define VIRTIO_BLK_DRIVER_FEATURES                                                        \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC) |       \
	 VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) |        \
	 VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_GEOMETRY) |           \
	 VIRTIO_BIT(VIRTIO_BLK_F_RO) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |                \
	 VIRTIO_BIT(VIRTIO_BLK_F_FLUSH) | VIRTIO_BIT(VIRTIO_BLK_F_TOPOLOGY) |             \
	 VIRTIO_BIT(VIRTIO_BLK_F_CONFIG_WCE) | VIRTIO_BIT(VIRTIO_BLK_F_MQ) |              \
	 VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) | VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES))

/* §5.2.4 device configuration layout */
struct virtio_blk_config {
	uint64_t capacity; /* in 512-byte sectors */
	uint32_t size_max;
	uint32_t seg_max;
	struct {
		uint16_t cylinders;
		uint8_t heads;
		uint8_t sectors;
	} geometry;
	uint32_t blk_size;
	struct {
		uint8_t physical_block_exp;
		uint8_t alignment_offset;
		uint16_t min_io_size;
		uint32_t opt_io_size;
	} topology;
	uint8_t writeback;
	uint8_t unused0;
	uint16_t num_queues;
	uint32_t max_discard_sectors;
	uint32_t max_discard_seg;
	uint32_t discard_sector_alignment;
	uint32_t max_write_zeroes_sectors;
	uint32_t max_write_zeroes_seg;
	uint8_t write_zeroes_may_unmap;
	uint8_t unused1[3];
	uint32_t max_secure_erase_sectors;
	uint32_t max_secure_erase_seg;
	uint32_t secure_erase_sector_alignment;
} __attribute__((packed));
_Static_assert(sizeof(struct virtio_blk_config) == 72, "virtio 1.2 §5.2.4");

#define VIRTIO_BLK_SECTOR_SIZE 512
#define VIRTIO_BLK_SECTOR_SHIFT 9

/* §5.2.6 device operation: request header, request types, status */
struct virtio_blk_outhdr {
	uint32_t type;
	uint32_t reserved; /* ioprio in legacy drivers */
	uint64_t sector;
};
_Static_assert(sizeof(struct virtio_blk_outhdr) == 16, "virtio 1.2 §5.2.6");

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_GET_LIFETIME 10
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_T_SECURE_ERASE 14

#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

/* §5.2.6: GET_ID returns up to 20 bytes, NUL-padded, not NUL-terminated if 20. */
#define VIRTIO_BLK_ID_BYTES 20

/* §5.2.6 discard / write zeroes / secure erase segment */
#define VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP 1

struct virtio_blk_discard_write_zeroes {
	uint64_t sector;
	uint32_t num_sectors;
	uint32_t flags;
};
_Static_assert(sizeof(struct virtio_blk_discard_write_zeroes) == 16, "virtio 1.2 §5.2.6");

#endif
