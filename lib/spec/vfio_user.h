/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_SPEC_VFIO_USER_H
#define STORLAB_SPEC_VFIO_USER_H

/*
 * vfio-user wire format: QEMU docs/interop/vfio-user.rst ("Protocol
 * Specification"), written from its tables; the region and IRQ structures
 * are the kernel's, from <linux/vfio.h>, as the spec says they are ("The VFIO
 * region info structure is defined in <linux/vfio.h>"). All data is in the
 * host's endianness ("Protocol Specification"); messages travel on a Unix
 * stream socket with file descriptors as SCM_RIGHTS ancillary data.
 *
 * The static asserts check every offset against the spec's tables, so a
 * kernel header that ever disagreed with the spec would stop the build.
 */

#include <stddef.h>
#include <stdint.h>

#include <linux/vfio.h>

/* "Header": 16 bytes before every command and reply. */
struct vfio_user_hdr {
	uint16_t msg_id;
	uint16_t cmd;
	uint32_t msg_size; /* the whole message, header included */
	uint32_t flags;
	uint32_t error; /* a reply's errno when VFIO_USER_F_ERROR is set */
};
_Static_assert(sizeof(struct vfio_user_hdr) == 16, "vfio-user.rst Header");
_Static_assert(offsetof(struct vfio_user_hdr, cmd) == 2, "vfio-user.rst Header: Command");
_Static_assert(offsetof(struct vfio_user_hdr, msg_size) == 4, "vfio-user.rst Header: Message size");
_Static_assert(offsetof(struct vfio_user_hdr, flags) == 8, "vfio-user.rst Header: Flags");
_Static_assert(offsetof(struct vfio_user_hdr, error) == 12, "vfio-user.rst Header: Error");

/* "Header", Flags: bits 0-3 type, bit 4 No_reply, bit 5 Error. */
#define VFIO_USER_F_TYPE_MASK	 0xfu
#define VFIO_USER_F_TYPE_COMMAND 0x0u
#define VFIO_USER_F_TYPE_REPLY	 0x1u
#define VFIO_USER_F_NO_REPLY	 (1u << 4)
#define VFIO_USER_F_ERROR	 (1u << 5)

/* "Commands" table (14 is not assigned). */
enum vfio_user_command {
	VFIO_USER_VERSION = 1,
	VFIO_USER_DMA_MAP = 2,
	VFIO_USER_DMA_UNMAP = 3,
	VFIO_USER_DEVICE_GET_INFO = 4,
	VFIO_USER_DEVICE_GET_REGION_INFO = 5,
	VFIO_USER_DEVICE_GET_REGION_IO_FDS = 6,
	VFIO_USER_DEVICE_GET_IRQ_INFO = 7,
	VFIO_USER_DEVICE_SET_IRQS = 8,
	VFIO_USER_REGION_READ = 9,
	VFIO_USER_REGION_WRITE = 10,
	VFIO_USER_DMA_READ = 11,
	VFIO_USER_DMA_WRITE = 12,
	VFIO_USER_DEVICE_RESET = 13,
	VFIO_USER_REGION_WRITE_MULTI = 15,
	VFIO_USER_DEVICE_FEATURE = 16,
	VFIO_USER_MIG_DATA_READ = 17,
	VFIO_USER_MIG_DATA_WRITE = 18,
	VFIO_USER_MAX_COMMAND,
};

/* "VFIO_USER_VERSION", Request and Reply: version major and minor, then an
 * optional NUL-terminated JSON object ("version data"). */
struct vfio_user_version {
	uint16_t major;
	uint16_t minor;
	char data[];
};
_Static_assert(sizeof(struct vfio_user_version) == 4, "vfio-user.rst VFIO_USER_VERSION");
_Static_assert(offsetof(struct vfio_user_version, data) == 4, "vfio-user.rst version data");

/* The version this codec proposes. The spec names no number; QEMU's client
 * (hw/vfio-user/protocol.h) proposes 0.0, and a server answers with the
 * proposed major and at most the proposed minor. */
#define VFIO_USER_MAJOR 0
#define VFIO_USER_MINOR 0

/* "VFIO_USER_VERSION", Capabilities: the defaults when a field is absent. */
#define VFIO_USER_DEFAULT_MAX_MSG_FDS	     1
#define VFIO_USER_DEFAULT_MAX_DATA_XFER_SIZE 1048576u
#define VFIO_USER_DEFAULT_MAX_DMA_MAPS	     65535u
#define VFIO_USER_DEFAULT_PGSIZES	     4096u

/* "VFIO_USER_DMA_MAP", Request: 32 bytes. */
struct vfio_user_dma_map {
	uint32_t argsz;
	uint32_t flags;
	uint64_t offset; /* in the fd sent with the message, 0 without one */
	uint64_t address;
	uint64_t size;
};
_Static_assert(sizeof(struct vfio_user_dma_map) == 32, "vfio-user.rst VFIO_USER_DMA_MAP");
_Static_assert(offsetof(struct vfio_user_dma_map, offset) == 8, "vfio-user.rst DMA_MAP offset");
_Static_assert(offsetof(struct vfio_user_dma_map, address) == 16, "vfio-user.rst DMA_MAP address");
_Static_assert(offsetof(struct vfio_user_dma_map, size) == 24, "vfio-user.rst DMA_MAP size");

#define VFIO_USER_DMA_MAP_F_READ  (1u << 0)
#define VFIO_USER_DMA_MAP_F_WRITE (1u << 1)

/* "VFIO_USER_DMA_UNMAP", Request and Reply: 24 bytes. The spec leaves flags
 * unused; the flag values are the kernel's (<linux/vfio.h>
 * VFIO_DMA_UNMAP_FLAG_*), of which QEMU's client sends FLAG_ALL. */
struct vfio_user_dma_unmap {
	uint32_t argsz;
	uint32_t flags;
	uint64_t address;
	uint64_t size;
};
_Static_assert(sizeof(struct vfio_user_dma_unmap) == 24, "vfio-user.rst VFIO_USER_DMA_UNMAP");
_Static_assert(offsetof(struct vfio_user_dma_unmap, address) == 8, "vfio-user.rst DMA_UNMAP addr");
_Static_assert(offsetof(struct vfio_user_dma_unmap, size) == 16, "vfio-user.rst DMA_UNMAP size");

/* "VFIO_USER_DEVICE_GET_INFO", Request and Reply: 16 bytes ("16 bytes
 * today"); the kernel's struct vfio_device_info has grown past it, so the
 * spec's table is written out here. Flags: VFIO_DEVICE_FLAGS_RESET, _PCI. */
struct vfio_user_device_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t num_regions;
	uint32_t num_irqs;
};
_Static_assert(sizeof(struct vfio_user_device_info) == 16, "vfio-user.rst DEVICE_GET_INFO");
_Static_assert(offsetof(struct vfio_user_device_info, num_regions) == 8,
	       "vfio-user.rst DEVICE_GET_INFO num_regions");
_Static_assert(offsetof(struct vfio_user_device_info, num_irqs) == 12,
	       "vfio-user.rst DEVICE_GET_INFO num_irqs");

/* "VFIO_USER_DEVICE_GET_REGION_INFO": struct vfio_region_info, followed in a
 * reply by its capability chain (struct vfio_info_cap_header, offsets from
 * the start of the region info), e.g. the sparse mmap capability. */
_Static_assert(sizeof(struct vfio_region_info) == 32, "vfio-user.rst DEVICE_GET_REGION_INFO");
_Static_assert(offsetof(struct vfio_region_info, index) == 8, "vfio-user.rst region info index");
_Static_assert(offsetof(struct vfio_region_info, cap_offset) == 12,
	       "vfio-user.rst region info cap_offset");
_Static_assert(offsetof(struct vfio_region_info, size) == 16, "vfio-user.rst region info size");
_Static_assert(offsetof(struct vfio_region_info, offset) == 24, "vfio-user.rst region info offset");
_Static_assert(sizeof(struct vfio_info_cap_header) == 8, "vfio-user.rst VFIO cap header format");
_Static_assert(offsetof(struct vfio_info_cap_header, version) == 2, "vfio-user.rst cap version");
_Static_assert(offsetof(struct vfio_info_cap_header, next) == 4, "vfio-user.rst cap next");
_Static_assert(sizeof(struct vfio_region_info_cap_sparse_mmap) == 16,
	       "vfio-user.rst VFIO region info cap sparse mmap");
_Static_assert(offsetof(struct vfio_region_info_cap_sparse_mmap, nr_areas) == 8,
	       "vfio-user.rst sparse mmap nr_areas (after the cap header)");
_Static_assert(sizeof(struct vfio_region_sparse_mmap_area) == 16,
	       "vfio-user.rst sparse mmap area: offset, size");
/* "VFIO sparse mmap cap header": version 0x1. */
#define VFIO_USER_SPARSE_MMAP_VERSION 1

/* "VFIO_USER_DEVICE_GET_IRQ_INFO": struct vfio_irq_info, 16 bytes. */
_Static_assert(sizeof(struct vfio_irq_info) == 16, "vfio-user.rst DEVICE_GET_IRQ_INFO");
_Static_assert(offsetof(struct vfio_irq_info, index) == 8, "vfio-user.rst irq info index");
_Static_assert(offsetof(struct vfio_irq_info, count) == 12, "vfio-user.rst irq info count");

/* "VFIO_USER_DEVICE_SET_IRQS": struct vfio_irq_set, 20 bytes, then with
 * VFIO_IRQ_SET_DATA_BOOL one byte per sub-index; with _DATA_EVENTFD the fds
 * come as ancillary data, not in the payload. */
_Static_assert(sizeof(struct vfio_irq_set) == 20, "vfio-user.rst DEVICE_SET_IRQS");
_Static_assert(offsetof(struct vfio_irq_set, index) == 8, "vfio-user.rst irq set index");
_Static_assert(offsetof(struct vfio_irq_set, start) == 12, "vfio-user.rst irq set start");
_Static_assert(offsetof(struct vfio_irq_set, count) == 16, "vfio-user.rst irq set count");
_Static_assert(offsetof(struct vfio_irq_set, data) == 20, "vfio-user.rst irq set data");

/* "VFIO_USER_REGION_READ" / "VFIO_USER_REGION_WRITE": 16 bytes, then count
 * bytes of data (a write's request, a read's reply). */
struct vfio_user_region_access {
	uint64_t offset;
	uint32_t region;
	uint32_t count;
	uint8_t data[];
};
_Static_assert(sizeof(struct vfio_user_region_access) == 16, "vfio-user.rst REGION_READ");
_Static_assert(offsetof(struct vfio_user_region_access, region) == 8, "vfio-user.rst region");
_Static_assert(offsetof(struct vfio_user_region_access, count) == 12, "vfio-user.rst count");

/* "VFIO_USER_DMA_READ" / "VFIO_USER_DMA_WRITE": 16 bytes, then count bytes
 * of data (a write's request, a read's reply). */
struct vfio_user_dma_access {
	uint64_t address;
	uint64_t count;
	uint8_t data[];
};
_Static_assert(sizeof(struct vfio_user_dma_access) == 16, "vfio-user.rst DMA_READ");
_Static_assert(offsetof(struct vfio_user_dma_access, count) == 8, "vfio-user.rst DMA_READ count");

/* "VFIO_USER_DMA_WRITE", Reply: the spec's table gives count 4 bytes here
 * (8 in every other access message), so the reply is 12 bytes. */
struct vfio_user_dma_write_reply {
	uint64_t address;
	uint32_t count;
} __attribute__((packed));
_Static_assert(sizeof(struct vfio_user_dma_write_reply) == 12, "vfio-user.rst DMA_WRITE Reply");

#endif
