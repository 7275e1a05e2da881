/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_VFIO_USER_VFIO_USER_CLIENT_H
#define STORLAB_VFIO_USER_VFIO_USER_CLIENT_H

/*
 * The client side of vfio-user (QEMU docs/interop/vfio-user.rst): what a
 * VMM does to drive a device emulated by another process. Our initiator's
 * NVMe driver (lib/nvme) reaches its controller through it.
 *
 * Requests are synchronous: each is sent, then its reply awaited until the
 * client's timeout passes. While it waits, a VFIO_USER_DMA_READ or
 * DMA_WRITE command of the server is served from the client's own DMA
 * table (the ranges given to vfio_user_client_dma_map), bounds-checked; any
 * other command is refused with an error reply.
 *
 * Threads: one caller at a time per client, no locking inside. The data
 * path never touches the socket: it writes the doorbells through
 * vfio_user_client_region_map() and the memory it DMA-maps directly.
 *
 * Every reply is checked by the codec against its request
 * (vfio_user_reply_parse). Return codes:
 *   0            done
 *   -errno       the server failed the request with an error reply (errno
 *                as it sent it); the connection is still usable
 *   -EINVAL, -ERANGE, -EACCES, -EEXIST, -ENOENT, -ENOSPC, -EOPNOTSUPP, -ENOMEM
 *                refused before anything was sent (an argument, what the
 *                server said it supports, or a command the codec would
 *                refuse); the connection is still usable
 *   any, with vfio_user_client_broken() true: the connection failed
 *                (-ETIMEDOUT, -ECONNRESET the server closed it, -EPROTO /
 *                -EMSGSIZE / -EBADMSG it broke the protocol, -ENOTCONN an
 *                earlier failure); only vfio_user_client_close() is left.
 * Each failure logs one line citing the spec section that was broken.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfio-user/vfio_user.h"

struct vfio_user_client;

/* Bounds on what we take from a server. */
#define VFIO_USER_CLIENT_MAX_REGIONS 64
#define VFIO_USER_CLIENT_MAX_DMA     1024 /* DMA table entries */

/* A device region as the server described it. */
struct vfio_user_client_region {
	struct vfio_region_info info; /* flags VFIO_REGION_INFO_FLAG_*, size, offset */
	/* The areas the client may mmap, offsets from the region's start. A
	 * MMAP region without a sparse mmap capability is one area, whole. */
	uint32_t nr_areas;
	struct vfio_region_sparse_mmap_area areas[VFIO_USER_MAX_SPARSE_AREAS];
};

/*
 * Connects to the server's socket at path (retried while it does not
 * exist or refuses, until timeout_ms passes; < 0 waits for ever) and sets
 * the device up as a VMM does: VERSION (our capabilities proposed, the
 * server's kept), DEVICE_GET_INFO, DEVICE_GET_REGION_INFO of every region.
 * timeout_ms is also each later request's deadline. 0 and *out, or a
 * negative errno (nothing left open).
 */
int vfio_user_client_connect(const char *path, int timeout_ms, struct vfio_user_client **out);
/* The same over a connected stream socket, which the client owns from now
 * on (closed on failure too). */
int vfio_user_client_attach(int sock, int timeout_ms, struct vfio_user_client **out);
/* Unmaps what was mapped, closes the region fds and the socket, frees. The
 * DMA mappings end with the connection ("Client Disconnection"). */
void vfio_user_client_close(struct vfio_user_client *c);

bool vfio_user_client_broken(const struct vfio_user_client *c);
/* The connection's socket (the client's: for poll() and to tell it apart). */
int vfio_user_client_fd(const struct vfio_user_client *c);
/* What the server said in its VERSION reply (defaults for what it left out). */
const struct vfio_user_caps *vfio_user_client_server_caps(const struct vfio_user_client *c);
/* DEVICE_GET_INFO's reply: flags (VFIO_DEVICE_FLAGS_PCI, _RESET), num_regions,
 * num_irqs. */
const struct vfio_user_device_info *vfio_user_client_device_info(const struct vfio_user_client *c);
/* Region index, or NULL past num_regions. */
const struct vfio_user_client_region *vfio_user_client_region(const struct vfio_user_client *c,
							      uint32_t index);

/*
 * Maps area `area` of region `index` (MAP_SHARED of the region's fd at the
 * region's offset plus the area's, readable/writable as the region's flags
 * say) and returns its address; mapping it again returns the same address.
 * The mapping lasts until close. -ENOENT for an area the server did not
 * offer, -EINVAL if the offset is not page aligned or the area ends past the
 * file the server sent (its pages would raise SIGBUS), or mmap's errno.
 */
int vfio_user_client_region_map(struct vfio_user_client *c, uint32_t index, uint32_t area,
				void **addr);

/* REGION_READ / REGION_WRITE of len bytes at offset, split into messages
 * of at most max_data_xfer_size (the server's and ours). The range must lie
 * inside the region and the region allow the access. */
int vfio_user_client_region_read(struct vfio_user_client *c, uint32_t index, uint64_t offset,
				 void *buf, size_t len);
int vfio_user_client_region_write(struct vfio_user_client *c, uint32_t index, uint64_t offset,
				  const void *buf, size_t len);
/* A register access of width 1, 2, 4 or 8 bytes: one message. */
int vfio_user_client_reg_read(struct vfio_user_client *c, uint32_t index, uint64_t offset,
			      unsigned width, uint64_t *val);
int vfio_user_client_reg_write(struct vfio_user_client *c, uint32_t index, uint64_t offset,
			       unsigned width, uint64_t val);

/* DEVICE_GET_IRQ_INFO of IRQ index (VFIO_PCI_MSIX_IRQ_INDEX, ...). */
int vfio_user_client_irq_info(struct vfio_user_client *c, uint32_t index,
			      struct vfio_irq_info *info);
/* SET_IRQS with eventfds: vectors start .. start + count - 1 of IRQ index
 * signal fds[0 .. count - 1]; fds NULL de-assigns them. Split into messages
 * of at most the server's max_msg_fds fds (a failure leaves the runs before
 * it set). The fds stay the caller's. */
int vfio_user_client_set_irqs(struct vfio_user_client *c, uint32_t index, uint32_t start,
			      uint32_t count, const int *fds);
/*
 * The message tap (conformance traces): fn sees every whole message the
 * client sends (once it went) or receives (once it is read, before it is
 * checked), on the caller's thread, in the order of the wire: its header,
 * the payload's len bytes and how many fds came with it. What it is given
 * lives for the call only; it may not call back into the client. Messages
 * of vfio_user_client_connect's set-up come before a tap can be set.
 */
struct vfio_user_client_tap {
	void (*fn)(void *arg, bool sent, const struct vfio_user_hdr *hdr, const uint8_t *payload,
		   uint32_t len, unsigned nfds);
	void *arg;
};
/* Sets the tap (NULL: none). */
void vfio_user_client_set_tap(struct vfio_user_client *c, const struct vfio_user_client_tap *tap);

/* DEVICE_RESET; -EOPNOTSUPP unless the device info has VFIO_DEVICE_FLAGS_RESET. */
int vfio_user_client_reset(struct vfio_user_client *c);

/* Memory the device may reach at iova (DMA_MAP). */
struct vfio_user_client_dma {
	uint64_t iova, size; /* aligned to the server's smallest page size */
	uint32_t prot;	     /* VFIO_USER_DMA_MAP_F_READ | _F_WRITE: what the device may do */
	int fd;		     /* sent so the server maps it; -1: DMA_READ/WRITE only */
	uint64_t offset;     /* of iova in fd */
	void *vaddr;	     /* the caller's mapping of it: DMA_READ/WRITE are served here */
};

/* DMA_MAP: added to the server's table and ours. -EEXIST if it overlaps a
 * mapping, -ENOSPC past the server's max_dma_maps or ours. The fd and the
 * memory stay the caller's; the memory must stay mapped until unmapped. */
int vfio_user_client_dma_map(struct vfio_user_client *c, const struct vfio_user_client_dma *dma);
/* DMA_UNMAP of a mapping made with exactly this iova and size (-ENOENT
 * otherwise). */
int vfio_user_client_dma_unmap(struct vfio_user_client *c, uint64_t iova, uint64_t size);

#endif
