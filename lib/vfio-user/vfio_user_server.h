/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_VFIO_USER_VFIO_USER_SERVER_H
#define STORLAB_VFIO_USER_VFIO_USER_SERVER_H

/*
 * The server side of vfio-user (QEMU docs/interop/vfio-user.rst): a
 * listening socket at a path, one client at a time, every client command
 * read, checked with the codec (vfio_user.h), answered, and handed to a
 * device through struct vfio_user_dev_ops. The server knows no device: an
 * emulated NVMe controller and the sample device of tests/peers plug in the
 * same way.
 *
 * What the server does itself, so no device repeats it:
 *   - VERSION first, negotiation of max_msg_fds, max_data_xfer_size,
 *     pgsizes and max_dma_maps ("VFIO_USER_VERSION");
 *   - the DMA table: DMA_MAP with an fd mapped into a struct mem_table
 *     (gpa = the client's DMA address), DMA_MAP without an fd recorded as
 *     not mappable, overlaps refused with EEXIST, DMA_UNMAP of exactly a
 *     mapping or all of them, max_dma_maps;
 *   - bounds: region and IRQ indexes, region offsets, access sizes and the
 *     region's READ/WRITE flags, the IRQ range and the actions an IRQ
 *     index's flags allow, before the device is called.
 * A message the codec refuses is answered with an error reply carrying its
 * errno; a header that leaves the stream unframed (size below 16 or past
 * what we receive, a message that is no command) closes the connection.
 * Either way one log line cites the spec section and the server goes on
 * listening for the next client.
 *
 * Threading: everything runs on the thread of opts.loop (the control
 * thread), device callbacks included. Only the DMA table is read elsewhere
 * (reactors), and it changes only between quiesce() and resume().
 */

#include <stdbool.h>
#include <stdint.h>

#include "mem/mem.h"
#include "vfio-user/vfio_user.h"

struct evloop;
struct vfio_user_server;

/* What a device says of one region ("VFIO_USER_DEVICE_GET_REGION_INFO"). */
struct vfio_user_region {
	uint32_t flags; /* VFIO_REGION_INFO_FLAG_READ, _WRITE, _MMAP */
	uint64_t size;	/* 0: no region at this index */
	/* _MMAP: the fd the client maps (still the device's; the server sends
	 * a copy with each reply) and the offset of the region in it. */
	int fd;
	uint64_t fd_offset;
	/* The parts the client may map (offsets from the region's start);
	 * none with _MMAP means the whole region. */
	uint32_t nr_areas;
	struct vfio_region_sparse_mmap_area areas[VFIO_USER_MAX_SPARSE_AREAS];
};

/* One checked "VFIO_USER_DEVICE_SET_IRQS": index < num_irqs, start + count
 * within the index's count, and the action allowed by its flags (MASK and
 * UNMASK only when VFIO_IRQ_INFO_MASKABLE, eventfds only with
 * VFIO_IRQ_INFO_EVENTFD). count 0 comes only with DATA_NONE: "disables all
 * interrupts of the index". */
struct vfio_user_irq_set {
	uint32_t index, start, count;
	uint32_t action;      /* VFIO_IRQ_SET_ACTION_TRIGGER, _MASK or _UNMASK */
	uint32_t data;	      /* VFIO_IRQ_SET_DATA_NONE, _BOOL or _EVENTFD */
	const uint8_t *bools; /* DATA_BOOL: count bytes */
	/* DATA_EVENTFD: count eventfds for start.., or none (nfds 0): "this
	 * de-assigns the specified previously configured interrupts". The
	 * device keeps an fd by taking it: fds[i] = -1. The rest the server
	 * closes after the call. */
	int *fds;
	unsigned nfds;
};

/*
 * A device. Every callback runs on the loop's thread; dev is opts.dev.
 * Return values are 0 or a negative errno, which the client gets as the
 * reply's error.
 */
struct vfio_user_dev_ops {
	/* VFIO_DEVICE_FLAGS_PCI (| _RESET), the number of regions and IRQ
	 * indexes (VFIO_PCI_NUM_REGIONS, VFIO_PCI_NUM_IRQS for PCI). */
	void (*device_info)(void *dev, uint32_t *flags, uint32_t *num_regions, uint32_t *num_irqs);
	/* Region index (< num_regions). A PCI device answers its config space
	 * at VFIO_PCI_CONFIG_REGION_INDEX itself. */
	void (*region_info)(void *dev, uint32_t index, struct vfio_user_region *r);
	/* count bytes at offset of region index, inside the region and allowed
	 * by its flags (checked); count > 0. */
	int (*region_access)(void *dev, uint32_t index, uint64_t offset, void *buf, uint32_t count,
			     bool write);
	/* IRQ index (< num_irqs): its VFIO_IRQ_INFO_* flags and count. */
	void (*irq_info)(void *dev, uint32_t index, uint32_t *flags, uint32_t *count);
	int (*set_irqs)(void *dev, struct vfio_user_irq_set *set);
	/* "VFIO_USER_DEVICE_RESET"; NULL if the device has no reset. DMA
	 * mappings stay (they are the client's, not the device's). */
	int (*reset)(void *dev);
	/* A client negotiated its version: the device starts from its reset
	 * state with no eventfds. */
	void (*attach)(void *dev);
	/* The client is gone: forget its eventfds and state. Called while the
	 * device is quiesced (if it has quiesce), before the DMA table is
	 * cleared; the data path stays stopped until the next attach (no
	 * resume follows). */
	void (*detach)(void *dev);
	/*
	 * Stops every reader of the DMA table (reactors) before the server
	 * changes it. Returns 0 and calls done(arg) exactly once, on the
	 * loop's thread, when no reader is left (possibly before it returns);
	 * or a negative errno and never calls it. While it is out the server
	 * reads no message. NULL: the device has no data path off the loop's
	 * thread, the table changes at once.
	 */
	int (*quiesce)(void *dev, void (*done)(void *arg), void *arg);
	/* The change is made: readers may run again. */
	void (*resume)(void *dev);
};

struct vfio_user_server_opts {
	const char *path;    /* the socket; a stale socket file is replaced */
	struct evloop *loop; /* the control thread's */
	const struct vfio_user_dev_ops *ops;
	void *dev;
	uint32_t max_dma_maps;	     /* 0: MEM_MAX_REGIONS (also the most) */
	uint32_t max_data_xfer_size; /* 0: the spec's default, 1 MiB */
	uint32_t max_msg_fds;	     /* 0: 16 */
};

/* Listens at opts->path. 0 or a negative errno (nothing left behind). */
int vfio_user_server_create(const struct vfio_user_server_opts *opts,
			    struct vfio_user_server **srv);
/* Closes the client (detaching the device) and the socket, removes the
 * socket file. Not while a quiesce is out: the device completes it first. */
void vfio_user_server_destroy(struct vfio_user_server *srv);

/* The DMA table: the client's mappable DMA regions at their DMA addresses
 * (mem_gpa_to_hva). Stable between quiesce and resume, empty without a
 * client. */
const struct mem_table *vfio_user_server_dma(const struct vfio_user_server *srv);
/* A client has negotiated its version and is attached. */
bool vfio_user_server_attached(const struct vfio_user_server *srv);

#endif
