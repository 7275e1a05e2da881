/* SPDX-License-Identifier: MIT */
/*
 * lib/nvme's vfio-user transport (nvme_vfio_user.h): BAR0 through
 * lib/vfio-user's client, doorbells through the mapped sparse area, the
 * caller's shared memory as DMA memory.
 */
#define LOG_COMPONENT "nvme"

#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "nvme/nvme_vfio_user.h"
#include "util/log.h"
#include "vfio-user/vfio_user_client.h"

/* BAR0 must hold the properties and the doorbells of the admin queue at
 * least (NVMe PCIe Transport §3.1: doorbells from 1000h). */
#define BAR0_MIN (NVME_DB_BASE + 8)

struct nvme_vfu {
	struct vfio_user_client *client;
	/* one request at a time on the socket (vfio_user_client.h): register
	 * accesses may come from the admin thread and from queue threads (a
	 * doorbell without the mapping, a queue's idle check of CSTS) */
	pthread_mutex_t lock;
	struct nvme_vfu_mem mem;
	bool dma_mapped;
	/* the mapped area holding the doorbells: BAR0 [db_off, db_off + db_len) */
	volatile uint8_t *db;
	uint64_t db_off, db_len;
};

/* The sparse mmap area of BAR0 that holds every doorbell from 1000h on
 * (vfio-user.rst "VFIO_USER_DEVICE_GET_REGION_INFO": sparse mmap areas). */
static void doorbells_map(struct nvme_vfu *t, const struct vfio_user_client_region *r)
{
	if (!(r->info.flags & VFIO_REGION_INFO_FLAG_MMAP))
		return;
	for (uint32_t i = 0; i < r->nr_areas; i++) {
		const struct vfio_region_sparse_mmap_area *a = &r->areas[i];
		void *addr;

		if (a->offset > NVME_DB_BASE || a->offset + a->size < BAR0_MIN)
			continue;
		if (vfio_user_client_region_map(t->client, VFIO_PCI_BAR0_REGION_INDEX, i, &addr))
			continue;
		t->db = addr;
		t->db_off = a->offset;
		t->db_len = a->size;
		return;
	}
	log_info("BAR0 offers no mapping of the doorbells: each is a REGION_WRITE");
}

int nvme_vfu_attach(struct vfio_user_client *client, const struct nvme_vfu_mem *mem,
		    struct nvme_vfu **out)
{
	const struct vfio_user_client_region *bar0;
	struct nvme_vfu *t = calloc(1, sizeof(*t));
	int rc;

	if (!t) {
		vfio_user_client_close(client);
		return -ENOMEM;
	}
	pthread_mutex_init(&t->lock, NULL);
	t->mem = *mem;
	t->client = client;
	bar0 = vfio_user_client_region(t->client, VFIO_PCI_BAR0_REGION_INDEX);
	if (!bar0 || bar0->info.size < BAR0_MIN ||
	    (bar0->info.flags & (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)) !=
		(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)) {
		log_err("no readable and writable BAR0 of %u bytes at least "
			"(NVMe PCIe Transport §3.1)",
			BAR0_MIN);
		rc = -ENOTSUP;
		goto fail;
	}
	doorbells_map(t, bar0);
	rc = vfio_user_client_dma_map(
	    t->client, &(struct vfio_user_client_dma){
			   .iova = 0,
			   .size = mem->size,
			   .prot = VFIO_USER_DMA_MAP_F_READ | VFIO_USER_DMA_MAP_F_WRITE,
			   .fd = mem->fd,
			   .offset = 0,
			   .vaddr = mem->base,
		       });
	if (rc) {
		log_err("DMA_MAP of %llu bytes: %s", (unsigned long long)mem->size,
			strerror(-rc));
		goto fail;
	}
	t->dma_mapped = true;
	*out = t;
	return 0;
fail:
	nvme_vfu_close(t);
	return rc;
}

int nvme_vfu_open(const char *path, int timeout_ms, const struct nvme_vfu_mem *mem,
		  struct nvme_vfu **out)
{
	struct vfio_user_client *client;
	int rc = vfio_user_client_connect(path, timeout_ms, &client);

	if (rc)
		return rc;
	rc = nvme_vfu_attach(client, mem, out);
	if (rc)
		log_err("%s: %s", path, strerror(-rc));
	return rc;
}

void nvme_vfu_close(struct nvme_vfu *t)
{
	if (!t)
		return;
	if (t->client)
		vfio_user_client_close(t->client);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

struct vfio_user_client *nvme_vfu_client(const struct nvme_vfu *t)
{
	return t->client;
}

bool nvme_vfu_broken(const struct nvme_vfu *t)
{
	return vfio_user_client_broken(t->client);
}

bool nvme_vfu_doorbells_mapped(const struct nvme_vfu *t)
{
	return t->db != NULL;
}

static int vfu_reg_read(void *arg, uint32_t off, void *val, size_t size)
{
	struct nvme_vfu *t = arg;
	uint64_t v = 0;
	int rc;

	pthread_mutex_lock(&t->lock);
	rc = vfio_user_client_reg_read(t->client, VFIO_PCI_BAR0_REGION_INDEX, off, (unsigned)size,
				       &v);
	pthread_mutex_unlock(&t->lock);
	if (rc)
		return rc;
	/* the client hands over the register's bytes, little-endian */
	v = le64toh(v);
	if (size == 8)
		*(uint64_t *)val = v;
	else
		*(uint32_t *)val = (uint32_t)v;
	return 0;
}

static int vfu_reg_write(void *arg, uint32_t off, const void *val, size_t size)
{
	struct nvme_vfu *t = arg;
	uint64_t v = size == 8 ? *(const uint64_t *)val : *(const uint32_t *)val;
	int rc;

	pthread_mutex_lock(&t->lock);
	rc = vfio_user_client_reg_write(t->client, VFIO_PCI_BAR0_REGION_INDEX, off, (unsigned)size,
					htole64(v));
	pthread_mutex_unlock(&t->lock);
	return rc;
}

static int vfu_doorbell(void *arg, uint32_t off, uint32_t value)
{
	struct nvme_vfu *t = arg;

	if (t->db && off >= t->db_off && off + 4 <= t->db_off + t->db_len) {
		/* the mapping is the device's memory: little-endian, one store */
		__atomic_store_n((volatile uint32_t *)(t->db + (off - t->db_off)), htole32(value),
				 __ATOMIC_RELEASE);
		return 0;
	}
	return vfu_reg_write(arg, off, &value, sizeof(value));
}

static int vfu_dma_alloc(void *arg, size_t len, struct nvme_dma_buf *buf)
{
	struct nvme_vfu *t = arg;
	void *va;
	int rc = t->mem.alloc(t->mem.arg, len, NVME_HOST_PAGE, &va);

	if (rc)
		return rc;
	memset(va, 0, len);
	*buf = (struct nvme_dma_buf){
	    .va = va, .bus = (uint64_t)((uint8_t *)va - t->mem.base), .len = len};
	return 0;
}

static void vfu_dma_free(void *arg, struct nvme_dma_buf *buf)
{
	struct nvme_vfu *t = arg;

	t->mem.free(t->mem.arg, buf->va);
	buf->va = NULL;
}

static int vfu_dma_addr(void *arg, const void *va, size_t len, uint64_t *bus)
{
	struct nvme_vfu *t = arg;
	uintptr_t p = (uintptr_t)va, b = (uintptr_t)t->mem.base;

	if (p < b || len > t->mem.size || p - b > t->mem.size - len)
		return -EFAULT;
	*bus = p - b;
	return 0;
}

const struct nvme_transport_ops g_nvme_vfu_ops = {
    .reg_read = vfu_reg_read,
    .reg_write = vfu_reg_write,
    .doorbell = vfu_doorbell,
    .dma_alloc = vfu_dma_alloc,
    .dma_free = vfu_dma_free,
    .dma_addr = vfu_dma_addr,
};
