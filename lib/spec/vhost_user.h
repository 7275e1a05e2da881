/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_SPEC_VHOST_USER_H
#define STORLAB_SPEC_VHOST_USER_H

/*
 * vhost-user wire format: QEMU docs/interop/vhost-user.rst ("Message
 * specification", "Front-end message types", "Protocol features"). All
 * fields are little-endian; messages travel on a Unix stream socket with
 * file descriptors as SCM_RIGHTS ancillary data.
 */

#include <stdint.h>

/* "Header": request, flags, size of the payload that follows. */
struct vhost_user_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
};
_Static_assert(sizeof(struct vhost_user_hdr) == 12, "vhost-user.rst Header");

#define VHOST_USER_VERSION 0x1
#define VHOST_USER_VERSION_MASK 0x3
#define VHOST_USER_REPLY_MASK 0x4
#define VHOST_USER_NEED_REPLY_MASK 0x8

/* "Front-end message types" */
enum vhost_user_request {
	VHOST_USER_NONE = 0,
	VHOST_USER_GET_FEATURES = 1,
	VHOST_USER_SET_FEATURES = 2,
	VHOST_USER_SET_OWNER = 3,
	VHOST_USER_RESET_OWNER = 4,
	VHOST_USER_SET_MEM_TABLE = 5,
	VHOST_USER_SET_LOG_BASE = 6,
	VHOST_USER_SET_LOG_FD = 7,
	VHOST_USER_SET_VRING_NUM = 8,
	VHOST_USER_SET_VRING_ADDR = 9,
	VHOST_USER_SET_VRING_BASE = 10,
	VHOST_USER_GET_VRING_BASE = 11,
	VHOST_USER_SET_VRING_KICK = 12,
	VHOST_USER_SET_VRING_CALL = 13,
	VHOST_USER_SET_VRING_ERR = 14,
	VHOST_USER_GET_PROTOCOL_FEATURES = 15,
	VHOST_USER_SET_PROTOCOL_FEATURES = 16,
	VHOST_USER_GET_QUEUE_NUM = 17,
	VHOST_USER_SET_VRING_ENABLE = 18,
	VHOST_USER_SEND_RARP = 19,
	VHOST_USER_NET_SET_MTU = 20,
	VHOST_USER_SET_BACKEND_REQ_FD = 21,
	VHOST_USER_IOTLB_MSG = 22,
	VHOST_USER_SET_VRING_ENDIAN = 23,
	VHOST_USER_GET_CONFIG = 24,
	VHOST_USER_SET_CONFIG = 25,
	VHOST_USER_CREATE_CRYPTO_SESSION = 26,
	VHOST_USER_CLOSE_CRYPTO_SESSION = 27,
	VHOST_USER_POSTCOPY_ADVISE = 28,
	VHOST_USER_POSTCOPY_LISTEN = 29,
	VHOST_USER_POSTCOPY_END = 30,
	VHOST_USER_GET_INFLIGHT_FD = 31,
	VHOST_USER_SET_INFLIGHT_FD = 32,
	VHOST_USER_GPU_SET_SOCKET = 33,
	VHOST_USER_RESET_DEVICE = 34,
	VHOST_USER_VRING_KICK = 35,
	VHOST_USER_GET_MAX_MEM_SLOTS = 36,
	VHOST_USER_ADD_MEM_REG = 37,
	VHOST_USER_REM_MEM_REG = 38,
	VHOST_USER_SET_STATUS = 39,
	VHOST_USER_GET_STATUS = 40,
	VHOST_USER_GET_SHARED_OBJECT = 41,
	VHOST_USER_SET_DEVICE_STATE_FD = 42,
	VHOST_USER_CHECK_DEVICE_STATE = 43,
	VHOST_USER_REQUEST_MAX,
};

/* Virtio feature bit that says the protocol-features messages are supported
 * ("Protocol features"). */
#define VHOST_USER_F_PROTOCOL_FEATURES 30

/* "Migration": the back-end logs its writes into guest memory (the vhost
 * feature bit, as the kernel's vhost defines it). */
#define VHOST_F_LOG_ALL 26

/* "Protocol features" */
enum vhost_user_protocol_feature {
	VHOST_USER_PROTOCOL_F_MQ = 0,
	VHOST_USER_PROTOCOL_F_LOG_SHMFD = 1,
	VHOST_USER_PROTOCOL_F_RARP = 2,
	VHOST_USER_PROTOCOL_F_REPLY_ACK = 3,
	VHOST_USER_PROTOCOL_F_NET_MTU = 4,
	VHOST_USER_PROTOCOL_F_BACKEND_REQ = 5,
	VHOST_USER_PROTOCOL_F_CROSS_ENDIAN = 6,
	VHOST_USER_PROTOCOL_F_CRYPTO_SESSION = 7,
	VHOST_USER_PROTOCOL_F_PAGEFAULT = 8,
	VHOST_USER_PROTOCOL_F_CONFIG = 9,
	VHOST_USER_PROTOCOL_F_BACKEND_SEND_FD = 10,
	VHOST_USER_PROTOCOL_F_HOST_NOTIFIER = 11,
	VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD = 12,
	VHOST_USER_PROTOCOL_F_RESET_DEVICE = 13,
	VHOST_USER_PROTOCOL_F_INBAND_NOTIFICATIONS = 14,
	VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS = 15,
	VHOST_USER_PROTOCOL_F_STATUS = 16,
	VHOST_USER_PROTOCOL_F_XEN_MMAP = 17,
	VHOST_USER_PROTOCOL_F_SHARED_OBJECT = 18,
	VHOST_USER_PROTOCOL_F_DEVICE_STATE = 19,
};

/* "Memory regions description": SET_MEM_TABLE carries at most 8 regions,
 * each with one fd in the same order. */
#define VHOST_USER_MEM_BASELINE_NREGIONS 8
#define VHOST_USER_MAX_FDS 8

/* "A vring state description" */
struct vhost_user_vring_state {
	uint32_t index;
	uint32_t num;
};
_Static_assert(sizeof(struct vhost_user_vring_state) == 8, "vhost-user.rst vring state");

/* "A vring address description" */
#define VHOST_VRING_F_LOG 0

struct vhost_user_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc_user_addr;
	uint64_t used_user_addr;
	uint64_t avail_user_addr;
	uint64_t log_guest_addr;
};
_Static_assert(sizeof(struct vhost_user_vring_addr) == 40, "vhost-user.rst vring address");

/* "Memory region description" */
struct vhost_user_mem_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
};
_Static_assert(sizeof(struct vhost_user_mem_region) == 32, "vhost-user.rst memory region");

/* "Multiple Memory regions description" (SET_MEM_TABLE) */
struct vhost_user_memory {
	uint32_t nregions;
	uint32_t padding;
	struct vhost_user_mem_region regions[VHOST_USER_MEM_BASELINE_NREGIONS];
};
_Static_assert(sizeof(struct vhost_user_memory) == 8 + 8 * 32, "vhost-user.rst memory table");

/* "Single memory region description" (ADD_MEM_REG, REM_MEM_REG) */
struct vhost_user_mem_reg {
	uint64_t padding;
	struct vhost_user_mem_region region;
};
_Static_assert(sizeof(struct vhost_user_mem_reg) == 40, "vhost-user.rst single region");

/* "Log description" (SET_LOG_BASE) */
struct vhost_user_log {
	uint64_t mmap_size;
	uint64_t mmap_offset;
};
_Static_assert(sizeof(struct vhost_user_log) == 16, "vhost-user.rst log");

/* "Device config space" (GET_CONFIG, SET_CONFIG): header then payload. */
#define VHOST_USER_CONFIG_HDR_SIZE 12
#define VHOST_USER_MAX_CONFIG_SIZE 256
#define VHOST_USER_CONFIG_FLAG_WRITABLE 0x0
#define VHOST_USER_CONFIG_FLAG_MIGRATION 0x1

struct vhost_user_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t region[VHOST_USER_MAX_CONFIG_SIZE];
};
_Static_assert(sizeof(struct vhost_user_config) == 12 + 256, "vhost-user.rst config");

/* "Inflight description" (GET_INFLIGHT_FD, SET_INFLIGHT_FD); QEMU sends the
 * C struct with its tail padding: 24 bytes. */
struct vhost_user_inflight {
	uint64_t mmap_size;
	uint64_t mmap_offset;
	uint16_t num_queues;
	uint16_t queue_size;
	uint32_t padding;
};
_Static_assert(sizeof(struct vhost_user_inflight) == 24, "vhost-user.rst inflight");

/* "Inflight I/O tracking": the shared buffer holds one region per queue, one
 * after the other. A split queue's region is a header and one entry per
 * descriptor (QueueRegionSplit, DescStateSplit). */
#define VHOST_USER_INFLIGHT_VERSION 1

struct vhost_user_inflight_desc_split {
	uint8_t inflight; /* head descriptors only: 1 while the request runs */
	uint8_t padding[5];
	uint16_t next;	  /* the list of the last batch of used descriptors */
	uint64_t counter; /* the order in which heads were fetched */
};
_Static_assert(sizeof(struct vhost_user_inflight_desc_split) == 16, "vhost-user.rst DescStateSplit");

struct vhost_user_inflight_split {
	uint64_t features; /* 0 */
	uint16_t version;  /* VHOST_USER_INFLIGHT_VERSION; 0: not initialised */
	uint16_t desc_num; /* the queue size */
	uint16_t last_batch_head;
	uint16_t used_idx; /* the used ring's idx once the last batch is over */
	struct vhost_user_inflight_desc_split desc[];
};
_Static_assert(sizeof(struct vhost_user_inflight_split) == 16, "vhost-user.rst QueueRegionSplit");

/* SET_VRING_KICK/CALL/ERR payload: u64, bits 0-7 the vring index, bit 8 set
 * when no fd is passed (then the ring is polled / not signalled). */
#define VHOST_USER_VRING_IDX_MASK 0xffULL
#define VHOST_USER_VRING_NOFD_MASK (1ULL << 8)

/* Every payload this project handles fits in this union. */
union vhost_user_payload {
	uint64_t u64;
	struct vhost_user_vring_state state;
	struct vhost_user_vring_addr addr;
	struct vhost_user_memory memory;
	struct vhost_user_mem_reg mem_reg;
	struct vhost_user_log log;
	struct vhost_user_config config;
	struct vhost_user_inflight inflight;
};

/* Largest payload we accept; anything larger is a protocol error. The
 * biggest message is a config space access: 12 + 256 bytes (the union is
 * 272 with its alignment padding). */
#define VHOST_USER_MAX_PAYLOAD sizeof(struct vhost_user_config)
_Static_assert(VHOST_USER_MAX_PAYLOAD >= sizeof(struct vhost_user_memory) &&
		       VHOST_USER_MAX_PAYLOAD <= sizeof(union vhost_user_payload),
	       "the config space message is the largest payload");

#endif
