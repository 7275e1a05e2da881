/* SPDX-License-Identifier: MIT */
/*
 * What the recording proxy follows to write ring states (trace_watch.h):
 * the indices read from guest memory it maps read-only, at the points the
 * trace format names; rings whose memory is not there, or that no message
 * set up, are written with their valid bits clear, never read out of
 * bounds.
 */
#include <errno.h>
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

#include "trace/trace_watch.h"

#define MEM_SIZE (1u << 20)
#define UVA	 0x7f0000000000ull
#define AVAIL	 0x1000u /* guest offsets of ring 0's parts */
#define USED	 0x2000u

struct guest {
	int fd;
	uint8_t *mem; /* our writable view */
	struct trace_watch *w;
};

static int guest_setup(void **state)
{
	struct guest *g = calloc(1, sizeof(*g));

	g->fd = memfd_create("guest", MFD_CLOEXEC);
	assert_int_equal(ftruncate(g->fd, MEM_SIZE), 0);
	g->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
	assert_true(g->mem != MAP_FAILED);
	g->w = malloc(sizeof(*g->w));
	trace_watch_init(g->w);
	*state = g;
	return 0;
}

static int guest_teardown(void **state)
{
	struct guest *g = *state;

	trace_watch_fini(g->w);
	free(g->w);
	munmap(g->mem, MEM_SIZE);
	close(g->fd);
	free(g);
	return 0;
}

/* The permissions /proc/self/maps gives the mapping that starts at base. */
static const char *map_perms(const void *base)
{
	static char perms[5];
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	perms[0] = 0;
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long start;

		if (sscanf(line, "%lx-%*x %4s", &start, perms) == 2 && start == (unsigned long)base)
			break;
		perms[0] = 0;
	}
	if (f)
		fclose(f);
	return perms;
}

static bool fe_msg(struct guest *g, uint32_t request, const void *payload, uint32_t len,
		   unsigned nfds, struct trace_ring *ring)
{
	struct vhost_user_hdr hdr = {.request = request, .flags = 1, .size = len};

	return trace_watch_msg(g->w, true, &hdr, payload, len, &g->fd, nfds, ring);
}

static void mem_table(struct guest *g, uint64_t size)
{
	struct vhost_user_memory m = {.nregions = 1, .regions = {{0, size, UVA, 0}}};

	assert_false(fe_msg(g, VHOST_USER_SET_MEM_TABLE, &m, 8 + 32, 1, NULL));
}

static void ring_addr(struct guest *g, uint32_t index, uint64_t avail, uint64_t used)
{
	struct vhost_user_vring_addr a = {.index = index,
					  .desc_user_addr = UVA,
					  .avail_user_addr = avail,
					  .used_user_addr = used};

	assert_false(fe_msg(g, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), 0, NULL));
}

static void put16(struct guest *g, uint32_t off, uint16_t v)
{
	memcpy(g->mem + off, &v, sizeof(v));
}

/* The points, and the indices as guest memory holds them at each. */
static void test_points_read_memory(void **state)
{
	struct guest *g = *state;
	struct vhost_user_vring_state num = {0, 256}, base = {0, 7}, on = {0, 1}, off = {0, 0};
	uint64_t kick = 0;
	struct vhost_user_hdr reply = {.request = VHOST_USER_GET_VRING_BASE, .flags = 5, .size = 8};
	struct vhost_user_vring_state answer = {0, 9};
	struct trace_ring r;

	mem_table(g, MEM_SIZE);
	ring_addr(g, 0, UVA + AVAIL, UVA + USED);
	assert_false(fe_msg(g, VHOST_USER_SET_VRING_NUM, &num, 8, 0, NULL));
	put16(g, AVAIL + 2, 7);
	put16(g, USED + 2, 7);
	assert_true(fe_msg(g, VHOST_USER_SET_VRING_BASE, &base, 8, 0, &r));
	assert_int_equal(r.point, TRACE_RING_BASE);
	assert_int_equal(r.valid, TRACE_RING_VALID_ALL);
	assert_int_equal(r.base, 7);
	assert_int_equal(r.num, 256);
	assert_int_equal(r.avail, UVA + AVAIL);
	assert_true(fe_msg(g, VHOST_USER_SET_VRING_KICK, &kick, 8, 1, &r));
	assert_int_equal(r.point, TRACE_RING_KICK);
	assert_true(fe_msg(g, VHOST_USER_SET_VRING_ENABLE, &on, 8, 0, &r));
	assert_int_equal(r.point, TRACE_RING_ENABLED);
	/* Disabling is no start point. */
	assert_false(fe_msg(g, VHOST_USER_SET_VRING_ENABLE, &off, 8, 0, &r));

	/* The back-end worked: the answer to GET_VRING_BASE is a stop point
	 * with what memory holds then. */
	put16(g, AVAIL + 2, 9);
	put16(g, USED + 2, 9);
	assert_true(trace_watch_msg(g->w, false, &reply, &answer, 8, NULL, 0, &r));
	assert_int_equal(r.point, TRACE_RING_STOPPED);
	assert_int_equal(r.base, 9);
	assert_int_equal(r.avail_idx, 9);
	assert_int_equal(r.used_idx, 9);
	/* The request itself (no reply flag) is none. */
	reply.flags = 1;
	assert_false(trace_watch_msg(g->w, false, &reply, &answer, 8, NULL, 0, &r));
	/* The mapping is read-only and shared: the proxy cannot write guest
	 * memory, and sees the guest's writes. */
	assert_int_equal(g->w->nmaps, 1);
	assert_string_equal(map_perms(g->w->maps[0].map.base), "r--s");
}

/* An index field at the region's last two bytes is read; one byte further
 * out, or a ring outside guest memory, is not (valid bits clear). */
static void test_region_edges(void **state)
{
	struct guest *g = *state;
	struct vhost_user_vring_state base = {1, 0};
	struct trace_ring r;

	mem_table(g, MEM_SIZE);
	put16(g, MEM_SIZE - 2, 0xbeef);
	ring_addr(g, 1, UVA + MEM_SIZE - 4, UVA + MEM_SIZE - 3);
	assert_true(fe_msg(g, VHOST_USER_SET_VRING_BASE, &base, 8, 0, &r));
	assert_int_equal(r.valid & (TRACE_RING_AVAIL_IDX | TRACE_RING_USED_IDX),
			 TRACE_RING_AVAIL_IDX);
	assert_int_equal(r.avail_idx, 0xbeef);
	assert_int_equal(r.used_idx, 0);

	ring_addr(g, 1, UVA - 0x1000, UINT64_MAX - 1);
	assert_true(fe_msg(g, VHOST_USER_SET_VRING_BASE, &base, 8, 0, &r));
	assert_int_equal(r.valid & (TRACE_RING_AVAIL_IDX | TRACE_RING_USED_IDX), 0);
}

/* Before any memory table, or after its region went (REM_MEM_REG), the
 * indices are not read; a ring index past 255 names no ring. */
static void test_no_memory(void **state)
{
	struct guest *g = *state;
	struct vhost_user_vring_state base = {0, 3}, big = {256, 1};
	struct vhost_user_mem_reg reg = {.region = {0, MEM_SIZE, UVA, 0}};
	struct trace_ring r;

	ring_addr(g, 0, UVA + AVAIL, UVA + USED);
	assert_true(fe_msg(g, VHOST_USER_SET_VRING_BASE, &base, 8, 0, &r));
	assert_int_equal(r.valid, TRACE_RING_ADDRS);

	assert_false(fe_msg(g, VHOST_USER_ADD_MEM_REG, &reg, sizeof(reg), 1, NULL));
	assert_true(fe_msg(g, VHOST_USER_SET_VRING_BASE, &base, 8, 0, &r));
	assert_true(r.valid & TRACE_RING_USED_IDX);
	assert_false(fe_msg(g, VHOST_USER_REM_MEM_REG, &reg, sizeof(reg), 0, NULL));
	assert_int_equal(g->w->nmaps, 0);
	assert_true(fe_msg(g, VHOST_USER_SET_VRING_BASE, &base, 8, 0, &r));
	assert_int_equal(r.valid, TRACE_RING_ADDRS);

	assert_false(fe_msg(g, VHOST_USER_SET_VRING_BASE, &big, 8, 0, &r));
	assert_false(fe_msg(g, VHOST_USER_SET_VRING_ENABLE, &big, 8, 0, &r));
}

/* A table whose region does not fit its fd is not mapped (logged), and the
 * proxy goes on. */
static void test_region_past_fd(void **state)
{
	struct guest *g = *state;
	struct vhost_user_vring_state base = {0, 0};
	struct trace_ring r;

	mem_table(g, 2 * (uint64_t)MEM_SIZE);
	assert_int_equal(g->w->nmaps, 0);
	ring_addr(g, 0, UVA + AVAIL, UVA + USED);
	assert_true(fe_msg(g, VHOST_USER_SET_VRING_BASE, &base, 8, 0, &r));
	assert_int_equal(r.valid, TRACE_RING_ADDRS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_points_read_memory, guest_setup, guest_teardown),
	    cmocka_unit_test_setup_teardown(test_region_edges, guest_setup, guest_teardown),
	    cmocka_unit_test_setup_teardown(test_no_memory, guest_setup, guest_teardown),
	    cmocka_unit_test_setup_teardown(test_region_past_fd, guest_setup, guest_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
