/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_NVME_VFIO_USER_H
#define STORLAB_NVME_VFIO_USER_H

/*
 * lib/nvme's transport over vfio-user (QEMU docs/interop/vfio-user.rst):
 * an NVMe controller behind a vfio-user socket, as a VMM reaches it. BAR0
 * (NVMe PCIe Transport §3.1) is read and written by REGION_READ /
 * REGION_WRITE; the doorbells go through the sparse mmap area of BAR0 that
 * covers them when the server offers one, else by REGION_WRITE. The DMA
 * memory is the caller's: one shared file DMA-mapped whole, bus address =
 * offset in the file (as a VM's guest-physical address), allocated by the
 * caller's allocator. Polled: no interrupt is set up.
 *
 * Threads: the ops may be called from any thread; register accesses (and
 * doorbells without the mapping) take turns on the socket under a lock.
 */

#include <stddef.h>
#include <stdint.h>

#include "nvme/nvme_host.h"

/* The caller's shared memory: base maps [0, size) of fd. */
struct nvme_vfu_mem {
	int fd;
	uint8_t *base;
	uint64_t size;
	/* buf inside [base, base + size), 4 KiB aligned at least */
	int (*alloc)(void *arg, size_t len, size_t align, void **buf);
	void (*free)(void *arg, void *buf);
	void *arg;
};

struct nvme_vfu;
struct vfio_user_client;

/* Connects (timeout_ms bounds the connect and every request), checks BAR0,
 * maps the doorbells if offered, DMA-maps mem. 0 with *out, or a negative
 * errno with nothing left open. */
int nvme_vfu_open(const char *path, int timeout_ms, const struct nvme_vfu_mem *mem,
		  struct nvme_vfu **out);
/* The same over a client already connected (and set up: vfio_user_client.h),
 * which the transport owns from now on (closed on failure too). */
int nvme_vfu_attach(struct vfio_user_client *client, const struct nvme_vfu_mem *mem,
		    struct nvme_vfu **out);
void nvme_vfu_close(struct nvme_vfu *t);
/* The connection, for what the ops do not cover (DMA_UNMAP, SET_IRQS). */
struct vfio_user_client *nvme_vfu_client(const struct nvme_vfu *t);
/* The connection failed (the server went away or broke the protocol). */
bool nvme_vfu_broken(const struct nvme_vfu *t);
/* Whether the doorbells are mapped (else each is a REGION_WRITE). */
bool nvme_vfu_doorbells_mapped(const struct nvme_vfu *t);

/* The ops; their arg is the struct nvme_vfu. */
extern const struct nvme_transport_ops g_nvme_vfu_ops;

#endif
