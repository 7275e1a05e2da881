/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_SPEC_VIRTIO_H
#define STORLAB_SPEC_VIRTIO_H

/*
 * Virtio core definitions: OASIS virtio 1.2, §2 (basic facilities) and §6
 * (reserved feature bits). All fields are little-endian on the wire; storlab
 * runs on little-endian hosts only (checked below), so plain integers are used.
 */

#include <stdint.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "storlab assumes a little-endian host");

/* §2.1 device status field */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* §6 reserved feature bits */
#define VIRTIO_F_NOTIFY_ON_EMPTY 24 /* legacy */
#define VIRTIO_F_ANY_LAYOUT 27      /* legacy */
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED 34
#define VIRTIO_F_IN_ORDER 35
#define VIRTIO_F_ORDER_PLATFORM 36
#define VIRTIO_F_SR_IOV 37
#define VIRTIO_F_NOTIFICATION_DATA 38
#define VIRTIO_F_NOTIF_CONFIG_DATA 39
#define VIRTIO_F_RING_RESET 40

#define VIRTIO_BIT(b) (1ULL << (b))

/* §2.7 split virtqueues: the queue size is a power of 2, at most 32768. */
#define VIRTQ_MAX_SIZE 32768

/* §2.7.5 the virtqueue descriptor table */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtio 1.2 §2.7.5");

/* §2.7.6 the virtqueue available ring; used_event follows ring[num]. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};
_Static_assert(sizeof(struct virtq_avail) == 4, "virtio 1.2 §2.7.6");

/* §2.7.8 the virtqueue used ring; avail_event follows ring[num]. */
#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtio 1.2 §2.7.8");

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};
_Static_assert(sizeof(struct virtq_used) == 4, "virtio 1.2 §2.7.8");

/* §2.7 alignment and size of each part of a split virtqueue (§2.7.1: the
 * driver aligns each part). The ring sizes include used_event/avail_event. */
#define VIRTQ_DESC_ALIGN 16
#define VIRTQ_AVAIL_ALIGN 2
#define VIRTQ_USED_ALIGN 4

static inline uint64_t virtq_desc_bytes(uint16_t num)
{
	return 16ULL * num;
}

static inline uint64_t virtq_avail_bytes(uint16_t num)
{
	return 6 + 2ULL * num;
}

static inline uint64_t virtq_used_bytes(uint16_t num)
{
	return 6 + 8ULL * num;
}

/* §2.7.2 legacy layout: the used ring starts at the next 4096-byte boundary. */
#define VIRTQ_LEGACY_USED_ALIGN 4096

/* §2.7.7 used_event sits after the available ring's num entries; §2.7.10
 * avail_event after the used ring's. Both exist only with EVENT_IDX. */
static inline uint16_t *virtq_used_event(struct virtq_avail *avail, uint16_t num)
{
	return &avail->ring[num];
}

static inline uint16_t *virtq_avail_event(struct virtq_used *used, uint16_t num)
{
	return (uint16_t *)&used->ring[num];
}

/* §2.7.10 with VIRTIO_RING_F_EVENT_IDX: notify if new_idx passed event_idx. */
static inline int virtq_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old_idx);
}

#endif
