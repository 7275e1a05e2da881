/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_MEM_MEM_H
#define STORLAB_MEM_MEM_H

/*
 * Guest memory tables: the regions a front-end shares with us (vhost-user
 * SET_MEM_TABLE / ADD_MEM_REG), mapped into our address space, and the
 * translations the data path needs:
 *   GPA -> HVA  descriptor addresses (virtio), PRPs (NVMe)
 *   UVA -> HVA  vhost-user vring addresses (front-end virtual addresses)
 *
 * Every translation takes a length and succeeds only if [addr, addr+len) lies
 * wholly inside ONE region (a range that straddles two regions is rejected,
 * even if they are adjacent: they are separate mappings here). That is what
 * keeps a malicious descriptor from reaching outside guest memory.
 *
 * Threading: a table is built on the control thread and then only read by
 * reactors. Changing a table while a reactor reads it is the caller's bug:
 * vhost stops the rings first.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* libvhost-user's VHOST_USER_MAX_RAM_SLOTS; also our GET_MAX_MEM_SLOTS. */
#define MEM_MAX_REGIONS 509

struct mem_region {
	uint64_t gpa;          /* guest physical address of the first byte */
	uint64_t size;         /* bytes */
	uint64_t uva;          /* front-end's user address of the first byte */
	uint64_t mmap_offset;  /* offset of the first byte in fd */
	void *hva;             /* our address of the first byte */
	void *map_base;        /* what mmap returned (hva - page rounding) */
	size_t map_size;
	int fd;                /* owned by the table; -1 if not mapped by us */
};

struct mem_table {
	uint32_t nregions;
	/* Sorted by gpa, no two overlapping in gpa or in uva. */
	struct mem_region regions[MEM_MAX_REGIONS];
};

void mem_table_init(struct mem_table *t);
/*
 * Maps size bytes of fd at mmap_offset (MAP_SHARED, read-write) and adds the
 * region; takes ownership of fd on success only. Rejects (-EINVAL, logged with
 * the reason) size 0, a gpa or uva range that wraps or overlaps an existing
 * region, and a full table (-ENOSPC). Returns 0 or a negative errno.
 */
int mem_table_add(struct mem_table *t, uint64_t gpa, uint64_t size, uint64_t uva,
		  uint64_t mmap_offset, int fd);
/* Adds a region that is already mapped at hva (tests, fuzzers, the initiator's
 * own memory). Not unmapped or closed by the table. */
int mem_table_add_mapped(struct mem_table *t, uint64_t gpa, uint64_t size, uint64_t uva,
			 void *hva);
/* Removes the region with exactly this gpa, size and uva (vhost-user REM_MEM_REG).
 * Returns 0 or -ENOENT. */
int mem_table_remove(struct mem_table *t, uint64_t gpa, uint64_t size, uint64_t uva);
/* Unmaps and closes everything; leaves an empty table. */
void mem_table_clear(struct mem_table *t);

/* NULL unless [gpa, gpa+len) is inside one region. len 0 is treated as 1. */
void *mem_gpa_to_hva(const struct mem_table *t, uint64_t gpa, uint64_t len);
void *mem_uva_to_hva(const struct mem_table *t, uint64_t uva, uint64_t len);
/* The region holding gpa, or NULL. */
const struct mem_region *mem_find_gpa(const struct mem_table *t, uint64_t gpa);
/* The guest address of hva when [hva, hva+len) is inside one region (a
 * device keeps only HVA iovecs, each inside one region): 0 and *gpa, or
 * -EFAULT. len 0 is treated as 1. Linear in the regions: for slow paths
 * (dirty logging), not per-descriptor translation. */
int mem_hva_to_gpa(const struct mem_table *t, const void *hva, uint64_t len, uint64_t *gpa);

/* A shared mapping of part of an fd: what mem_map_fd made. */
struct mem_map {
	void *addr;    /* the first byte asked for */
	void *base;    /* what mmap returned (addr - page rounding) */
	size_t len;    /* bytes mapped at base */
};
/*
 * Maps size bytes of fd from offset (MAP_SHARED, read-write; offset need not
 * be page aligned). Refuses, logged with spec (the section the mapping comes
 * from): size 0, a range that does not fit the address space, and a regular
 * file shorter than offset + size (touching a mapping past the end of its
 * file raises SIGBUS). fd stays the caller's. 0 or a negative errno.
 */
int mem_map_fd(int fd, uint64_t offset, uint64_t size, const char *spec, struct mem_map *m);
/* The same with the protection given (PROT_READ: an observer that must not
 * write guest memory, the recording proxy of lib/trace). */
int mem_map_fd_prot(int fd, uint64_t offset, uint64_t size, int prot, const char *spec,
		    struct mem_map *m);
/* Unmaps what mem_map_fd mapped; no-op on a zeroed map. */
void mem_unmap(struct mem_map *m);

#endif
