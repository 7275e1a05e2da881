/* SPDX-License-Identifier: MIT */
/* The initiator's guest memory: the memfd region and its page allocator. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "initiator/internal.h"
#include "util/log.h"

#define PAGES 16

static char g_last_log[256];

static void capture(enum log_level level, const char *component, const char *line, void *arg)
{
	(void)level;
	(void)component;
	(void)arg;
	snprintf(g_last_log, sizeof(g_last_log), "%s", line);
}

static int setup(void **state)
{
	static struct guestmem gm;

	if (guestmem_init(&gm, PAGES * GUESTMEM_PAGE))
		return -1;
	*state = &gm;
	return 0;
}

static int teardown(void **state)
{
	guestmem_fini(*state);
	return 0;
}

static void test_init_rejects(void **state)
{
	struct guestmem gm;

	(void)state;
	assert_int_equal(guestmem_init(&gm, 0), -EINVAL);
	assert_int_equal(guestmem_init(&gm, 1000), -EINVAL);
}

/* What we write through our mapping is in the memfd the back-end maps. */
static void test_shared_with_fd(void **state)
{
	struct guestmem *gm = *state;
	uint8_t *buf, back[4];

	assert_int_equal(guestmem_alloc(gm, 100, 0, (void **)&buf), 0);
	memcpy(buf, "abcd", 4);
	assert_int_equal(pread(gm->fd, back, 4, buf - gm->base), 4);
	assert_memory_equal(back, "abcd", 4);
	guestmem_free(gm, buf);
}

static void test_alloc_align_free(void **state)
{
	struct guestmem *gm = *state;
	void *a, *b, *c, *d;
	uint64_t gpa;

	assert_int_equal(guestmem_alloc(gm, 1, 0, &a), 0);
	assert_ptr_equal(a, gm->base);
	assert_int_equal(guestmem_alloc(gm, GUESTMEM_PAGE + 1, 0, &b), 0);
	assert_ptr_equal(b, gm->base + GUESTMEM_PAGE);
	/* 16 KiB alignment skips pages 3: lands on page 4. */
	assert_int_equal(guestmem_alloc(gm, 10, 4 * GUESTMEM_PAGE, &c), 0);
	assert_ptr_equal(c, gm->base + 4 * GUESTMEM_PAGE);
	assert_int_equal(guestmem_gpa(gm, c, 10, &gpa), 0);
	assert_int_equal(gpa, 4 * GUESTMEM_PAGE);
	/* The freed first page is found again. */
	guestmem_free(gm, a);
	assert_int_equal(guestmem_alloc(gm, 512, 0, &d), 0);
	assert_ptr_equal(d, gm->base);
	assert_int_equal(guestmem_alloc(gm, 1, 3, &a), -EINVAL); /* not a power of 2 */
	assert_int_equal(guestmem_alloc(gm, 0, 0, &a), -EINVAL);
	guestmem_free(gm, b);
	guestmem_free(gm, c);
	guestmem_free(gm, d);
	/* Everything is free again: the whole region fits. */
	assert_int_equal(guestmem_alloc(gm, PAGES * GUESTMEM_PAGE, 0, &a), 0);
	guestmem_free(gm, a);
}

static void test_exhaustion_and_bad_free(void **state)
{
	struct guestmem *gm = *state;
	void *a, *b;

	assert_int_equal(guestmem_alloc(gm, (PAGES - 1) * GUESTMEM_PAGE, 0, &a), 0);
	assert_int_equal(guestmem_alloc(gm, 2 * GUESTMEM_PAGE, 0, &b), -ENOMEM);
	assert_int_equal(guestmem_alloc(gm, GUESTMEM_PAGE, 0, &b), 0);
	assert_int_equal(guestmem_alloc(gm, 1, 0, &b), -ENOMEM);
	/* Freeing what was not allocated, twice, or from elsewhere is logged
	 * and ignored: the allocation state does not change. */
	log_set_sink(capture, NULL);
	guestmem_free(gm, (uint8_t *)a + GUESTMEM_PAGE);
	assert_non_null(strstr(g_last_log, "not allocated"));
	guestmem_free(gm, &b);
	assert_non_null(strstr(g_last_log, "not a buffer of this device"));
	g_last_log[0] = '\0';
	guestmem_free(gm, NULL);
	assert_string_equal(g_last_log, "");
	assert_int_equal(guestmem_alloc(gm, 1, 0, &b), -ENOMEM);
	assert_non_null(strstr(g_last_log, "exhausted"));
	guestmem_free(gm, a);
	g_last_log[0] = '\0';
	guestmem_free(gm, a);
	assert_non_null(strstr(g_last_log, "double free"));
	log_set_sink(NULL, NULL);
	assert_int_equal(guestmem_alloc(gm, (PAGES - 1) * GUESTMEM_PAGE, 0, &b), 0);
	assert_ptr_equal(a, b);
	guestmem_free(gm, b);
	guestmem_free(gm, gm->base + (PAGES - 1) * GUESTMEM_PAGE);
}

static void test_gpa_bounds(void **state)
{
	struct guestmem *gm = *state;
	uint64_t gpa = 77;
	uint8_t outside;

	assert_int_equal(guestmem_gpa(gm, gm->base, PAGES * GUESTMEM_PAGE, &gpa), 0);
	assert_int_equal(gpa, 0);
	assert_int_equal(guestmem_gpa(gm, gm->base + 1, PAGES * GUESTMEM_PAGE, &gpa), -EFAULT);
	assert_int_equal(guestmem_gpa(gm, gm->base + PAGES * GUESTMEM_PAGE, 1, &gpa), -EFAULT);
	assert_int_equal(guestmem_gpa(gm, &outside, 1, &gpa), -EFAULT);
	assert_int_equal(guestmem_gpa(gm, gm->base - 1, 2, &gpa), -EFAULT);
}

/* A memory table with a hole (pages 2-3) and a tail no region covers (page
 * 15): every page of the regions can be allocated, none outside them. */
static void test_reserve_holes(void **state)
{
	struct guestmem *gm = *state;
	const struct storlab_mem_range r[] = {{0, 2 * GUESTMEM_PAGE},
					      {4 * GUESTMEM_PAGE, 11 * GUESTMEM_PAGE}};
	void *p;
	unsigned n = 0;

	guestmem_reserve_holes(gm, r, 2);
	while (guestmem_alloc(gm, GUESTMEM_PAGE, 0, &p) == 0) {
		uint64_t gpa = (uint64_t)((uint8_t *)p - gm->base);

		assert_true(gpa < 2 * GUESTMEM_PAGE ||
			    (gpa >= 4 * GUESTMEM_PAGE && gpa < 15 * GUESTMEM_PAGE));
		n++;
	}
	assert_int_equal(n, 13);
	/* A run of two pages fits only inside one region. */
	guestmem_fini(gm);
	assert_int_equal(guestmem_init(gm, PAGES * GUESTMEM_PAGE), 0);
	guestmem_reserve_holes(gm, r, 2);
	assert_int_equal(guestmem_alloc(gm, GUESTMEM_PAGE, 0, &p), 0);
	assert_int_equal(guestmem_alloc(gm, 2 * GUESTMEM_PAGE, 0, &p), 0);
	assert_int_equal((uint8_t *)p - gm->base, 4 * GUESTMEM_PAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_rejects),
	    cmocka_unit_test_setup_teardown(test_shared_with_fd, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alloc_align_free, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exhaustion_and_bad_free, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gpa_bounds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reserve_holes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
