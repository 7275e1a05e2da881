/* SPDX-License-Identifier: MIT */
/*
 * The initiator's guest memory: one memfd shared with the back-end, and a
 * page allocator over it for rings, request headers and I/O buffers.
 *
 * First fit over a page bitmap. Allocations happen at set-up time (perf and
 * verify allocate their buffers once), never per request, so a linear scan
 * is cheap enough and keeps the allocator obviously correct.
 */
#define LOG_COMPONENT "initiator"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "initiator/internal.h"
#include "util/common.h"
#include "util/log.h"

static bool page_used(const struct guestmem *gm, uint32_t page)
{
	return gm->used[page / 64] & (1ULL << (page % 64));
}

static void pages_mark(struct guestmem *gm, uint32_t first, uint32_t n, bool used)
{
	for (uint32_t p = first; p < first + n; p++) {
		if (used)
			gm->used[p / 64] |= 1ULL << (p % 64);
		else
			gm->used[p / 64] &= ~(1ULL << (p % 64));
	}
}

int guestmem_init(struct guestmem *gm, uint64_t size)
{
	int ret;

	memset(gm, 0, sizeof(*gm));
	gm->fd = -1;
	if (size == 0 || size % GUESTMEM_PAGE || size / GUESTMEM_PAGE > UINT32_MAX) {
		log_err("guest memory size %llu is not a non-zero multiple of %u",
			(unsigned long long)size, GUESTMEM_PAGE);
		return -EINVAL;
	}
	gm->size = size;
	gm->npages = (uint32_t)(size / GUESTMEM_PAGE);
	gm->used = calloc((gm->npages + 63) / 64, sizeof(*gm->used));
	gm->run = calloc(gm->npages, sizeof(*gm->run));
	if (!gm->used || !gm->run) {
		ret = -ENOMEM;
		goto err_free;
	}
	gm->fd = memfd_create("storlab-guest", MFD_CLOEXEC);
	if (gm->fd < 0) {
		ret = -errno;
		log_err("memfd_create: %s", strerror(errno));
		goto err_free;
	}
	if (ftruncate(gm->fd, (off_t)size) < 0) {
		ret = -errno;
		log_err("ftruncate guest memory to %llu: %s", (unsigned long long)size,
			strerror(errno));
		goto err_close;
	}
	gm->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, gm->fd, 0);
	if (gm->base == MAP_FAILED) {
		ret = -errno;
		gm->base = NULL;
		log_err("mmap guest memory: %s", strerror(errno));
		goto err_close;
	}
	pthread_mutex_init(&gm->lock, NULL);
	return 0;

err_close:
	close(gm->fd);
	gm->fd = -1;
err_free:
	free(gm->run);
	free(gm->used);
	gm->run = NULL;
	gm->used = NULL;
	return ret;
}

void guestmem_reserve_holes(struct guestmem *gm, const struct storlab_mem_range *r, unsigned n)
{
	uint64_t from = 0;

	for (unsigned i = 0; i <= n; i++) {
		uint64_t to = i < n ? r[i].gpa : gm->size;

		if (to > from)
			pages_mark(gm, (uint32_t)(from / GUESTMEM_PAGE),
				   (uint32_t)((to - from) / GUESTMEM_PAGE), true);
		if (i < n)
			from = r[i].gpa + r[i].size;
	}
}

void guestmem_fini(struct guestmem *gm)
{
	if (!gm->base)
		return;
	munmap(gm->base, gm->size);
	close(gm->fd);
	pthread_mutex_destroy(&gm->lock);
	free(gm->run);
	free(gm->used);
	memset(gm, 0, sizeof(*gm));
	gm->fd = -1;
}

/* The first page, a multiple of step, that starts n free pages, or npages
 * if there is none. */
static uint32_t find_run(const struct guestmem *gm, uint32_t n, uint32_t step)
{
	uint32_t start = 0;

	while (start + n <= gm->npages) {
		uint32_t p;

		for (p = start; p < start + n && !page_used(gm, p); p++)
			;
		if (p == start + n)
			return start;
		/* Restart past the used page, at the next aligned page. */
		start = ALIGN_UP(p + 1, step);
	}
	return gm->npages;
}

int guestmem_alloc(struct guestmem *gm, size_t len, size_t align, void **buf)
{
	uint32_t n, step, first;

	if (align == 0)
		align = GUESTMEM_PAGE;
	if (len == 0 || !IS_POW2(align) || len > gm->size || align > gm->size)
		return -EINVAL;
	n = (uint32_t)((len + GUESTMEM_PAGE - 1) / GUESTMEM_PAGE);
	step = (uint32_t)MAX(align / GUESTMEM_PAGE, 1);

	pthread_mutex_lock(&gm->lock);
	first = find_run(gm, n, step);
	if (first < gm->npages) {
		pages_mark(gm, first, n, true);
		gm->run[first] = n;
	}
	pthread_mutex_unlock(&gm->lock);
	if (first >= gm->npages) {
		log_warn("guest memory exhausted: no %zu bytes free (raise the memory size)", len);
		return -ENOMEM;
	}
	*buf = gm->base + (uint64_t)first * GUESTMEM_PAGE;
	return 0;
}

void guestmem_free(struct guestmem *gm, void *buf)
{
	uint64_t gpa;
	uint32_t first;

	if (!buf)
		return;
	if (guestmem_gpa(gm, buf, 1, &gpa) != 0 || gpa % GUESTMEM_PAGE) {
		log_err("free of %p: not a buffer of this device", buf);
		return;
	}
	first = (uint32_t)(gpa / GUESTMEM_PAGE);
	pthread_mutex_lock(&gm->lock);
	if (gm->run[first] == 0) {
		pthread_mutex_unlock(&gm->lock);
		log_err("free of %p: not allocated (double free?)", buf);
		return;
	}
	pages_mark(gm, first, gm->run[first], false);
	gm->run[first] = 0;
	pthread_mutex_unlock(&gm->lock);
}

int storlab_buf_alloc(struct storlab_dev *dev, size_t len, size_t align, void **buf)
{
	return guestmem_alloc(&dev->mem, len, align, buf);
}

void storlab_buf_free(struct storlab_dev *dev, void *buf)
{
	guestmem_free(&dev->mem, buf);
}
