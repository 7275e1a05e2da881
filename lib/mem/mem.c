/* SPDX-License-Identifier: MIT */
#define LOG_COMPONENT "mem"

#include "mem/mem.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/common.h"
#include "util/log.h"

/* The vhost-user.rst section every region comes from; named in rejections. */
#define REGION_SPEC "vhost-user.rst \"Memory regions description\""

void mem_table_init(struct mem_table *t)
{
	t->nregions = 0;
}

static bool ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	/* Both ranges are known not to wrap, so end = start + size is exact. */
	return a < b + b_size && b < a + a_size;
}

/*
 * Checks a new region against the table before anything is mapped, so that a
 * rejected region costs no mmap. Every range [x, x + size) must be
 * representable: a region that wraps around the address space would let a
 * translation compute an end below its start.
 */
static int region_check(const struct mem_table *t, uint64_t gpa, uint64_t size, uint64_t uva)
{
	if (size == 0) {
		log_warn(REGION_SPEC ": region at gpa 0x%" PRIx64 " has memory_size 0", gpa);
		return -EINVAL;
	}
	if (size > UINT64_MAX - gpa) {
		log_warn(REGION_SPEC ": gpa 0x%" PRIx64 " + size 0x%" PRIx64 " wraps", gpa, size);
		return -EINVAL;
	}
	if (size > UINT64_MAX - uva) {
		log_warn(REGION_SPEC ": uva 0x%" PRIx64 " + size 0x%" PRIx64 " wraps", uva, size);
		return -EINVAL;
	}
	if (t->nregions >= MEM_MAX_REGIONS) {
		log_warn(REGION_SPEC ": table full (%u regions)", MEM_MAX_REGIONS);
		return -ENOSPC;
	}
	for (uint32_t i = 0; i < t->nregions; i++) {
		const struct mem_region *r = &t->regions[i];

		if (ranges_overlap(gpa, size, r->gpa, r->size)) {
			log_warn(REGION_SPEC ": gpa [0x%" PRIx64 ", +0x%" PRIx64
					     ") overlaps region "
					     "[0x%" PRIx64 ", +0x%" PRIx64 ")",
				 gpa, size, r->gpa, r->size);
			return -EINVAL;
		}
		if (ranges_overlap(uva, size, r->uva, r->size)) {
			log_warn(REGION_SPEC ": uva [0x%" PRIx64 ", +0x%" PRIx64
					     ") overlaps region "
					     "[0x%" PRIx64 ", +0x%" PRIx64 ")",
				 uva, size, r->uva, r->size);
			return -EINVAL;
		}
	}
	return 0;
}

/* Inserts a checked region, keeping the table sorted by gpa. */
static void region_insert(struct mem_table *t, const struct mem_region *r)
{
	uint32_t pos = 0;

	while (pos < t->nregions && t->regions[pos].gpa < r->gpa)
		pos++;
	memmove(&t->regions[pos + 1], &t->regions[pos],
		(t->nregions - pos) * sizeof(t->regions[0]));
	t->regions[pos] = *r;
	t->nregions++;
}

/*
 * A mapping that runs past the end of its file raises SIGBUS on the first
 * access, which would kill the target (and every other tenant's device) the
 * moment a ring is read. Refuse such a mapping up front. Only regular files
 * (memfd, tmpfs, hugetlbfs) have a meaningful size here.
 */
static int check_file_size(int fd, uint64_t offset, uint64_t size, const char *spec)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		log_warn("%s: fstat of fd %d: %s", spec, fd, strerror(errno));
		return -EBADF;
	}
	if (S_ISREG(st.st_mode) && offset + size > (uint64_t)st.st_size) {
		log_warn("%s: mmap_offset 0x%" PRIx64 " + size 0x%" PRIx64
			 " runs past the end of the fd (0x%" PRIx64 " bytes)",
			 spec, offset, size, (uint64_t)st.st_size);
		return -EINVAL;
	}
	return 0;
}

int mem_map_fd_prot(int fd, uint64_t offset, uint64_t size, int prot, const char *spec,
		    struct mem_map *m)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t map_offset, delta;
	size_t len;
	void *base;
	int rc;

	if (size == 0) {
		log_warn("%s: size 0", spec);
		return -EINVAL;
	}
	/*
	 * mmap wants a page-aligned file offset; the front-end's offset need not
	 * be one (QEMU sends the offset of the RAM block inside its file). Map
	 * from the page below and skip delta bytes.
	 */
	map_offset = offset & ~(page - 1);
	delta = offset - map_offset;
	if (size > SIZE_MAX - delta - page || size > UINT64_MAX - offset ||
	    map_offset > (uint64_t)INT64_MAX) {
		log_warn("%s: mmap_offset 0x%" PRIx64 " + size 0x%" PRIx64
			 " does not fit the address space",
			 spec, offset, size);
		return -EINVAL;
	}
	rc = check_file_size(fd, offset, size, spec);
	if (rc)
		return rc;
	len = ALIGN_UP(size + delta, page);
	/* MAP_NORESERVE: guest RAM is mostly untouched; do not charge it all now. */
	base = mmap(NULL, len, prot, MAP_SHARED | MAP_NORESERVE, fd, (off_t)map_offset);
	if (base == MAP_FAILED) {
		rc = -errno;
		log_warn("%s: mmap of fd %d, offset 0x%" PRIx64 ", 0x%zx bytes: %s", spec, fd,
			 map_offset, len, strerror(-rc));
		return rc;
	}
	m->base = base;
	m->len = len;
	m->addr = (char *)base + delta;
	return 0;
}

int mem_map_fd(int fd, uint64_t offset, uint64_t size, const char *spec, struct mem_map *m)
{
	return mem_map_fd_prot(fd, offset, size, PROT_READ | PROT_WRITE, spec, m);
}

void mem_unmap(struct mem_map *m)
{
	if (m->base)
		munmap(m->base, m->len);
	*m = (struct mem_map){0};
}

int mem_table_add(struct mem_table *t, uint64_t gpa, uint64_t size, uint64_t uva,
		  uint64_t mmap_offset, int fd)
{
	struct mem_map map;
	struct mem_region r;
	int rc;

	if (fd < 0) {
		log_warn(REGION_SPEC ": region at gpa 0x%" PRIx64 " has no fd", gpa);
		return -EBADF;
	}
	rc = region_check(t, gpa, size, uva);
	if (rc)
		return rc;
	rc = mem_map_fd(fd, mmap_offset, size, REGION_SPEC, &map);
	if (rc)
		return rc;
	r = (struct mem_region){
		.gpa = gpa,
		.size = size,
		.uva = uva,
		.mmap_offset = mmap_offset,
		.hva = map.addr,
		.map_base = map.base,
		.map_size = map.len,
		.fd = fd,
	};
	region_insert(t, &r);
	log_debug("region gpa 0x%" PRIx64 " size 0x%" PRIx64 " uva 0x%" PRIx64 " at %p", gpa, size,
		  uva, r.hva);
	return 0;
}

int mem_table_add_mapped(struct mem_table *t, uint64_t gpa, uint64_t size, uint64_t uva, void *hva)
{
	struct mem_region r;
	int rc;

	rc = region_check(t, gpa, size, uva);
	if (rc)
		return rc;
	if (!hva || size - 1 > UINTPTR_MAX - (uintptr_t)hva) {
		log_warn("mapped region at gpa 0x%" PRIx64 ": host range at %p wraps", gpa, hva);
		return -EINVAL;
	}
	r = (struct mem_region){
		.gpa = gpa,
		.size = size,
		.uva = uva,
		.hva = hva,
		.fd = -1,
	};
	region_insert(t, &r);
	return 0;
}

static void region_release(struct mem_region *r)
{
	if (r->fd < 0)
		return;
	munmap(r->map_base, r->map_size);
	close(r->fd);
}

int mem_table_remove(struct mem_table *t, uint64_t gpa, uint64_t size, uint64_t uva)
{
	for (uint32_t i = 0; i < t->nregions; i++) {
		struct mem_region *r = &t->regions[i];

		if (r->gpa != gpa || r->size != size || r->uva != uva)
			continue;
		region_release(r);
		memmove(r, r + 1, (t->nregions - i - 1) * sizeof(*r));
		t->nregions--;
		return 0;
	}
	log_warn(REGION_SPEC ": no region gpa 0x%" PRIx64 " size 0x%" PRIx64 " uva 0x%" PRIx64
			     " to remove",
		 gpa, size, uva);
	return -ENOENT;
}

void mem_table_clear(struct mem_table *t)
{
	for (uint32_t i = 0; i < t->nregions; i++)
		region_release(&t->regions[i]);
	t->nregions = 0;
}

/*
 * The last region whose gpa is <= gpa, by binary search over the sorted
 * table; NULL if gpa is below every region. Reads only: several reactors
 * translate through one table at once.
 */
static const struct mem_region *region_floor(const struct mem_table *t, uint64_t gpa)
{
	uint32_t lo = 0, hi = t->nregions;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t->regions[mid].gpa <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &t->regions[lo - 1] : NULL;
}

/* Whether [start + off, start + off + len) fits in a region of size bytes that
 * holds start + off; written so that nothing can overflow. */
static bool range_inside(uint64_t off, uint64_t len, uint64_t size)
{
	return off < size && len <= size - off;
}

const struct mem_region *mem_find_gpa(const struct mem_table *t, uint64_t gpa)
{
	const struct mem_region *r = region_floor(t, gpa);

	return r && gpa - r->gpa < r->size ? r : NULL;
}

void *mem_gpa_to_hva(const struct mem_table *t, uint64_t gpa, uint64_t len)
{
	const struct mem_region *r = region_floor(t, gpa);

	if (unlikely(!r || !range_inside(gpa - r->gpa, len ? len : 1, r->size)))
		return NULL;
	return (char *)r->hva + (gpa - r->gpa);
}

/* Linear: uva translations happen when rings are set up, not per I/O, and the
 * table is sorted by gpa only. */
void *mem_uva_to_hva(const struct mem_table *t, uint64_t uva, uint64_t len)
{
	for (uint32_t i = 0; i < t->nregions; i++) {
		const struct mem_region *r = &t->regions[i];

		if (uva >= r->uva && range_inside(uva - r->uva, len ? len : 1, r->size))
			return (char *)r->hva + (uva - r->uva);
	}
	return NULL;
}

/* Linear, like the uva lookup: the table is sorted by gpa, and only dirty
 * logging asks, for the pages a request wrote. */
int mem_hva_to_gpa(const struct mem_table *t, const void *hva, uint64_t len, uint64_t *gpa)
{
	uintptr_t p = (uintptr_t)hva;

	for (uint32_t i = 0; i < t->nregions; i++) {
		const struct mem_region *r = &t->regions[i];
		uintptr_t start = (uintptr_t)r->hva;

		if (p >= start && range_inside(p - start, len ? len : 1, r->size)) {
			*gpa = r->gpa + (p - start);
			return 0;
		}
	}
	return -EFAULT;
}
