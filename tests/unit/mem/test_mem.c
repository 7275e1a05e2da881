/* SPDX-License-Identifier: MIT */
/*
 * Guest memory tables over real memfds: what is accepted, what is rejected
 * (and why, in the log), and translations at every edge of a region.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "mem/mem.h"
#include "util/log.h"

static size_t g_page;
static char g_last_log[1024];

static void capture_log(enum log_level level, const char *component, const char *line, void *arg)
{
	(void)level;
	(void)arg;
	snprintf(g_last_log, sizeof(g_last_log), "%s: %s", component, line);
}

/* A memfd of npages pages; byte i of the file holds (i * 7 + seed) & 0xff. */
static int make_memfd(size_t npages, unsigned seed)
{
	size_t len = npages * g_page;
	uint8_t *buf = malloc(len);
	int fd = memfd_create("test_mem", MFD_CLOEXEC);

	assert_non_null(buf);
	assert_true(fd >= 0);
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + seed);
	assert_int_equal(pwrite(fd, buf, len, 0), (ssize_t)len);
	free(buf);
	return fd;
}

static uint8_t pattern(uint64_t file_off, unsigned seed)
{
	return (uint8_t)(file_off * 7 + seed);
}

static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static int setup(void **state)
{
	struct mem_table *t = malloc(sizeof(*t));

	assert_non_null(t);
	mem_table_init(t);
	g_last_log[0] = '\0';
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct mem_table *t = *state;

	mem_table_clear(t);
	free(t);
	return 0;
}

static void test_translate_edges(void **state)
{
	struct mem_table *t = *state;
	uint64_t gpa = 0x100000, uva = 0x7f0000000000ULL, size = 3 * g_page;
	int fd = make_memfd(3, 1);
	uint8_t *hva;

	assert_int_equal(mem_table_add(t, gpa, size, uva, 0, fd), 0);
	assert_int_equal(t->nregions, 1);
	hva = mem_gpa_to_hva(t, gpa, 1);
	assert_non_null(hva);
	/* The mapping shows the file's bytes, and writes go to the file. */
	assert_int_equal(hva[0], pattern(0, 1));
	assert_int_equal(hva[size - 1], pattern(size - 1, 1));
	hva[5] = 0xab;
	{
		uint8_t b;

		assert_int_equal(pread(fd, &b, 1, 5), 1);
		assert_int_equal(b, 0xab);
	}

	/* First byte, last byte, the whole region. */
	assert_ptr_equal(mem_gpa_to_hva(t, gpa, size), hva);
	assert_ptr_equal(mem_gpa_to_hva(t, gpa + size - 1, 1), hva + size - 1);
	assert_ptr_equal(mem_gpa_to_hva(t, gpa + 17, size - 17), hva + 17);
	/* len 0 is treated as 1: valid inside, not at one past the end. */
	assert_ptr_equal(mem_gpa_to_hva(t, gpa + size - 1, 0), hva + size - 1);
	assert_null(mem_gpa_to_hva(t, gpa + size, 0));
	/* One past the end, one byte too long, one byte below. */
	assert_null(mem_gpa_to_hva(t, gpa + size, 1));
	assert_null(mem_gpa_to_hva(t, gpa, size + 1));
	assert_null(mem_gpa_to_hva(t, gpa + size - 1, 2));
	assert_null(mem_gpa_to_hva(t, gpa - 1, 1));
	assert_null(mem_gpa_to_hva(t, gpa - 1, 2));
	/* Lengths that would wrap the address computation. */
	assert_null(mem_gpa_to_hva(t, gpa + 1, UINT64_MAX));
	assert_null(mem_gpa_to_hva(t, UINT64_MAX, UINT64_MAX));

	/* The same edges through the front-end's addresses. */
	assert_ptr_equal(mem_uva_to_hva(t, uva, size), hva);
	assert_ptr_equal(mem_uva_to_hva(t, uva + size - 1, 1), hva + size - 1);
	assert_null(mem_uva_to_hva(t, uva + size, 1));
	assert_null(mem_uva_to_hva(t, uva - 1, 1));
	assert_null(mem_uva_to_hva(t, uva + 1, size));

	assert_ptr_equal(mem_find_gpa(t, gpa + size - 1), &t->regions[0]);
	assert_null(mem_find_gpa(t, gpa + size));
	assert_null(mem_find_gpa(t, gpa - 1));
}

/* HVA -> GPA, the way back dirty logging takes, at every edge of two
 * regions that are adjacent in guest memory but not in ours. */
static void test_hva_to_gpa_edges(void **state)
{
	struct mem_table *t = *state;
	uint64_t size = 2 * g_page, a = 0x200000, b = a + size, gpa;
	uint8_t *ha, *hb;
	int rc;

	assert_int_equal(mem_table_add(t, a, size, 0x10000000, 0, make_memfd(2, 1)), 0);
	assert_int_equal(mem_table_add(t, b, size, 0x20000000, 0, make_memfd(2, 2)), 0);
	ha = mem_gpa_to_hva(t, a, 1);
	hb = mem_gpa_to_hva(t, b, 1);
	assert_non_null(ha);
	assert_non_null(hb);

	/* First byte, last byte, whole region, len 0 as 1. */
	assert_int_equal(mem_hva_to_gpa(t, ha, 1, &gpa), 0);
	assert_int_equal(gpa, a);
	assert_int_equal(mem_hva_to_gpa(t, ha + size - 1, 1, &gpa), 0);
	assert_int_equal(gpa, a + size - 1);
	assert_int_equal(mem_hva_to_gpa(t, ha, size, &gpa), 0);
	assert_int_equal(gpa, a);
	assert_int_equal(mem_hva_to_gpa(t, ha + size - 1, 0, &gpa), 0);
	assert_int_equal(gpa, a + size - 1);
	assert_int_equal(mem_hva_to_gpa(t, hb + size - 1, 1, &gpa), 0);
	assert_int_equal(gpa, b + size - 1);
	/* One past the end, one byte too long, one below: not ours, even
	 * though the next guest page belongs to the other region. */
	assert_int_equal(mem_hva_to_gpa(t, ha + size - 1, 2, &gpa), -EFAULT);
	assert_int_equal(mem_hva_to_gpa(t, ha, size + 1, &gpa), -EFAULT);
	/* The byte below is not region a's: unknown, or region b's last one
	 * when the kernel mapped b right below a. */
	rc = mem_hva_to_gpa(t, ha - 1, 1, &gpa);
	if (hb + size == ha) {
		assert_int_equal(rc, 0);
		assert_int_equal(gpa, b + size - 1);
	} else {
		assert_int_equal(rc, -EFAULT);
	}
	assert_int_equal(mem_hva_to_gpa(t, hb + 1, UINT64_MAX, &gpa), -EFAULT);
	/* Round trip from the middle of each. */
	assert_int_equal(mem_hva_to_gpa(t, mem_gpa_to_hva(t, b + 0x123, 8), 8, &gpa), 0);
	assert_int_equal(gpa, b + 0x123);
	assert_int_equal(mem_hva_to_gpa(t, &gpa, 1, &gpa), -EFAULT);
}

static void test_map_fd(void **state)
{
	int fd = make_memfd(2, 3);
	struct mem_map m;

	(void)state;
	/* An unaligned offset maps from the page below. */
	assert_int_equal(mem_map_fd(fd, 0x10, g_page, "test", &m), 0);
	assert_int_equal(((uint8_t *)m.addr)[0], pattern(0x10, 3));
	assert_int_equal(((uint8_t *)m.addr)[g_page - 1], pattern(0x10 + g_page - 1, 3));
	mem_unmap(&m);
	assert_null(m.base);
	/* Size 0 and a file too short are refused, with the caller's section. */
	assert_int_equal(mem_map_fd(fd, 0, 0, "test section", &m), -EINVAL);
	assert_non_null(strstr(g_last_log, "test section"));
	assert_int_equal(mem_map_fd(fd, 1, 2 * g_page, "test section", &m), -EINVAL);
	assert_non_null(strstr(g_last_log, "past the end"));
	assert_int_equal(mem_map_fd(fd, UINT64_MAX - 1, 2, "test section", &m), -EINVAL);
	assert_true(fd_is_open(fd));
	close(fd);
}

static void test_unaligned_mmap_offset(void **state)
{
	struct mem_table *t = *state;
	uint64_t off = g_page + 0x123;
	int fd = make_memfd(4, 9);
	const struct mem_region *r;
	uint8_t *hva;

	assert_int_equal(mem_table_add(t, 0x40000, 2 * g_page, 0x9000000, off, fd), 0);
	r = &t->regions[0];
	assert_int_equal((uintptr_t)r->map_base % g_page, 0);
	assert_int_equal((char *)r->hva - (char *)r->map_base, 0x123);
	assert_true(r->map_size >= 2 * g_page + 0x123);
	assert_int_equal(r->map_size % g_page, 0);
	/* gpa 0x40000 is file offset off: the delta is skipped, not lost. */
	hva = mem_gpa_to_hva(t, 0x40000, 2 * g_page);
	assert_ptr_equal(hva, r->hva);
	assert_int_equal(hva[0], pattern(off, 9));
	assert_int_equal(hva[2 * g_page - 1], pattern(off + 2 * g_page - 1, 9));
	assert_null(mem_gpa_to_hva(t, 0x40000 + 2 * g_page, 1));
}

static void test_adjacent_regions_straddle_rejected(void **state)
{
	struct mem_table *t = *state;
	uint64_t a = 0x200000, b = a + g_page;
	int fd_a = make_memfd(1, 3), fd_b = make_memfd(1, 200);
	uint8_t *ha, *hb;

	assert_int_equal(mem_table_add(t, a, g_page, 0x10000000, 0, fd_a), 0);
	assert_int_equal(mem_table_add(t, b, g_page, 0x10000000 + g_page, 0, fd_b), 0);
	ha = mem_gpa_to_hva(t, a + g_page - 1, 1);
	hb = mem_gpa_to_hva(t, b, 1);
	assert_non_null(ha);
	assert_non_null(hb);
	assert_int_equal(*ha, pattern(g_page - 1, 3));
	assert_int_equal(*hb, pattern(0, 200));
	/* Contiguous in gpa, separate mappings here: two bytes across the seam fail. */
	assert_null(mem_gpa_to_hva(t, a + g_page - 1, 2));
	assert_null(mem_gpa_to_hva(t, a, 2 * g_page));
	assert_null(mem_uva_to_hva(t, 0x10000000 + g_page - 1, 2));
}

static void test_sorted_and_binary_search(void **state)
{
	struct mem_table *t = *state;
	static uint8_t mem[5][64];
	const uint64_t gpas[5] = {0x5000, 0x1000, 0x9000, 0x3000, 0x7000};

	for (int i = 0; i < 5; i++)
		assert_int_equal(
		    mem_table_add_mapped(t, gpas[i], 64, 0x100000 + i * 0x1000, mem[i]), 0);
	assert_int_equal(t->nregions, 5);
	for (uint32_t i = 1; i < t->nregions; i++)
		assert_true(t->regions[i - 1].gpa < t->regions[i].gpa);
	for (int i = 0; i < 5; i++) {
		assert_ptr_equal(mem_gpa_to_hva(t, gpas[i], 64), mem[i]);
		assert_ptr_equal(mem_gpa_to_hva(t, gpas[i] + 63, 1), &mem[i][63]);
		assert_null(mem_gpa_to_hva(t, gpas[i] + 64, 1));
		assert_null(mem_gpa_to_hva(t, gpas[i] - 1, 1));
		assert_ptr_equal(mem_uva_to_hva(t, 0x100000 + i * 0x1000 + 10, 4), &mem[i][10]);
		assert_int_equal(t->regions[i].fd, -1);
	}
	assert_null(mem_gpa_to_hva(t, 0, 1));
	assert_null(mem_gpa_to_hva(t, UINT64_MAX, 1));
}

static void test_overlap_rejected(void **state)
{
	struct mem_table *t = *state;
	int fd = make_memfd(2, 0);
	int fd2 = make_memfd(2, 0);

	assert_int_equal(mem_table_add(t, 0x10000, 2 * g_page, 0x50000000, 0, fd), 0);

	/* gpa overlap by one byte at the end of the existing region. */
	assert_int_equal(mem_table_add(t, 0x10000 + 2 * g_page - 1, g_page, 0x60000000, 0, fd2),
			 -EINVAL);
	assert_non_null(strstr(g_last_log, "Memory regions description"));
	assert_non_null(strstr(g_last_log, "overlaps"));
	/* gpa overlap from below. */
	assert_int_equal(mem_table_add(t, 0x10000 - g_page, g_page + 1, 0x60000000, 0, fd2),
			 -EINVAL);
	/* A region that contains the existing one. */
	assert_int_equal(mem_table_add(t, 0, 0x100000, 0x60000000, 0, fd2), -EINVAL);
	/* uva overlap with disjoint gpa. */
	g_last_log[0] = '\0';
	assert_int_equal(mem_table_add(t, 0x900000, g_page, 0x50000000 + g_page, 0, fd2), -EINVAL);
	assert_non_null(strstr(g_last_log, "uva"));
	/* Rejected: the table did not take fd2 and has one region. */
	assert_true(fd_is_open(fd2));
	assert_int_equal(t->nregions, 1);
	/* Touching but not overlapping is fine. */
	assert_int_equal(
	    mem_table_add(t, 0x10000 + 2 * g_page, g_page, 0x50000000 + 2 * g_page, 0, fd2), 0);
	assert_int_equal(t->nregions, 2);
}

static void test_wrap_and_size_rejected(void **state)
{
	struct mem_table *t = *state;
	static uint8_t mem[64];
	int fd = make_memfd(1, 0);

	assert_int_equal(mem_table_add(t, 0x1000, 0, 0x1000, 0, fd), -EINVAL);
	assert_non_null(strstr(g_last_log, "memory_size 0"));
	assert_int_equal(mem_table_add(t, UINT64_MAX - 10, 0x1000, 0x1000, 0, fd), -EINVAL);
	assert_non_null(strstr(g_last_log, "wraps"));
	/* Ending exactly at 2^64: gpa + size overflows. */
	assert_int_equal(mem_table_add_mapped(t, UINT64_MAX - 63, 64, 0x1000, mem), -EINVAL);
	assert_int_equal(mem_table_add_mapped(t, 0x1000, 64, UINT64_MAX - 63, mem), -EINVAL);
	assert_int_equal(mem_table_add(t, 0x1000, g_page, 0x1000, UINT64_MAX - 10, fd), -EINVAL);
	assert_int_equal(mem_table_add(t, 0x1000, g_page, 0x1000, 0, -1), -EBADF);
	assert_int_equal(mem_table_add_mapped(t, 0x1000, 64, 0x1000, NULL), -EINVAL);
	assert_int_equal(t->nregions, 0);
	assert_true(fd_is_open(fd));
	/* The last representable byte is fine. */
	assert_int_equal(mem_table_add_mapped(t, UINT64_MAX - 64, 64, 0x1000, mem), 0);
	assert_ptr_equal(mem_gpa_to_hva(t, UINT64_MAX - 1, 1), &mem[63]);
	assert_null(mem_gpa_to_hva(t, UINT64_MAX, 1));
	close(fd);
}

static void test_mmap_failure_keeps_fd(void **state)
{
	struct mem_table *t = *state;
	int p[2];

	assert_int_equal(pipe(p), 0);
	/* A pipe cannot be mapped: the errno comes back, the fd stays the caller's. */
	assert_true(mem_table_add(t, 0x1000, g_page, 0x1000, 0, p[0]) < 0);
	assert_int_equal(t->nregions, 0);
	assert_true(fd_is_open(p[0]));
	close(p[0]);
	close(p[1]);
}

static void test_region_past_end_of_file_rejected(void **state)
{
	struct mem_table *t = *state;
	int fd = make_memfd(2, 0);

	/* Mapping past the end of the file would SIGBUS at the first access. */
	assert_int_equal(mem_table_add(t, 0x1000, 3 * g_page, 0x1000, 0, fd), -EINVAL);
	assert_int_equal(mem_table_add(t, 0x1000, 2 * g_page, 0x1000, 1, fd), -EINVAL);
	assert_non_null(strstr(g_last_log, "past the end"));
	assert_int_equal(t->nregions, 0);
	assert_true(fd_is_open(fd));
	/* Exactly up to the end is fine, and reads the file's bytes. */
	assert_int_equal(mem_table_add(t, 0x1000, g_page, 0x1000, g_page, fd), 0);
	assert_int_equal(*(uint8_t *)mem_gpa_to_hva(t, 0x1000 + g_page - 1, 1),
			 pattern(2 * g_page - 1, 0));
}

static void test_remove_and_clear(void **state)
{
	struct mem_table *t = *state;
	int fds[3];

	for (int i = 0; i < 3; i++) {
		fds[i] = make_memfd(1, (unsigned)i);
		assert_int_equal(
		    mem_table_add(t, 0x100000 * (i + 1), g_page, 0x1000000 * (i + 1), 0, fds[i]),
		    0);
	}
	/* Not an exact match: size, uva or gpa differ. */
	assert_int_equal(mem_table_remove(t, 0x200000, g_page * 2, 0x2000000), -ENOENT);
	assert_int_equal(mem_table_remove(t, 0x200000, g_page, 0x2000001), -ENOENT);
	assert_int_equal(mem_table_remove(t, 0x200001, g_page, 0x2000000), -ENOENT);
	assert_int_equal(t->nregions, 3);

	assert_int_equal(mem_table_remove(t, 0x200000, g_page, 0x2000000), 0);
	assert_int_equal(t->nregions, 2);
	assert_false(fd_is_open(fds[1]));
	assert_null(mem_gpa_to_hva(t, 0x200000, 1));
	assert_null(mem_uva_to_hva(t, 0x2000000, 1));
	assert_int_equal(*(uint8_t *)mem_gpa_to_hva(t, 0x300000 + 3, 1), pattern(3, 2));
	assert_int_equal(*(uint8_t *)mem_gpa_to_hva(t, 0x100000 + 3, 1), pattern(3, 0));
	assert_int_equal(t->regions[0].gpa, 0x100000);
	assert_int_equal(t->regions[1].gpa, 0x300000);

	mem_table_clear(t);
	assert_int_equal(t->nregions, 0);
	assert_false(fd_is_open(fds[0]));
	assert_false(fd_is_open(fds[2]));
	assert_null(mem_gpa_to_hva(t, 0x100000, 1));
}

static void test_full_table(void **state)
{
	struct mem_table *t = *state;
	static uint8_t mem[MEM_MAX_REGIONS + 1][16];

	/* Added in descending gpa order: each insert shifts the whole table. */
	for (int i = MEM_MAX_REGIONS - 1; i >= 0; i--)
		assert_int_equal(
		    mem_table_add_mapped(t, 0x10000 + i * 0x100, 16, 0x800000 + i * 0x100, mem[i]),
		    0);
	assert_int_equal(mem_table_add_mapped(t, 0x1000, 16, 0x1000, mem[MEM_MAX_REGIONS]),
			 -ENOSPC);
	assert_int_equal(t->nregions, MEM_MAX_REGIONS);
	for (int i = 0; i < MEM_MAX_REGIONS; i++)
		assert_ptr_equal(mem_gpa_to_hva(t, 0x10000 + i * 0x100 + 15, 1), &mem[i][15]);
	assert_null(mem_gpa_to_hva(t, 0x10000 + 16, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_translate_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unaligned_mmap_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adjacent_regions_straddle_rejected, setup,
					    teardown),
		cmocka_unit_test_setup_teardown(test_sorted_and_binary_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrap_and_size_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmap_failure_keeps_fd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_region_past_end_of_file_rejected, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_remove_and_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hva_to_gpa_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_fd, setup, teardown),
	};

	g_page = (size_t)sysconf(_SC_PAGESIZE);
	log_set_sink(capture_log, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
