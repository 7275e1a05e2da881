/* SPDX-License-Identifier: MIT */
/*
 * The dirty log's bit arithmetic (vhost-user.rst "Migration": page = addr /
 * 0x1000, log[page / 8] |= 1 << page % 8) at page and byte edges and at the
 * log's end, and a ring's marks of buffers (HVA back to GPA) and of its used
 * ring (offsets from log_guest_addr).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "spec/virtio.h"
#include "vhost/vhost_log.h"

#define LOG_BYTES 4

static uint8_t g_bits[LOG_BYTES + 1]; /* one guard byte past the log */
static struct vhost_log g_log = {.bits = g_bits, .size = LOG_BYTES};

static int setup(void **state)
{
	(void)state;
	memset(g_bits, 0, sizeof(g_bits));
	return 0;
}

/* The pages marked, as a 32-bit mask of the 4-byte log. */
static uint32_t marked(void)
{
	return (uint32_t)g_bits[0] | (uint32_t)g_bits[1] << 8 | (uint32_t)g_bits[2] << 16 |
	       (uint32_t)g_bits[3] << 24;
}

static void test_page_edges(void **state)
{
	(void)state;
	/* The first and last byte of page 0. */
	assert_int_equal(vhost_log_mark(&g_log, 0, 1), 0);
	assert_int_equal(marked(), 0x1);
	assert_int_equal(vhost_log_mark(&g_log, 0xfff, 1), 0);
	assert_int_equal(marked(), 0x1);
	/* Two bytes across the 0/1 page boundary mark both. */
	assert_int_equal(vhost_log_mark(&g_log, 0xfff, 2), 0);
	assert_int_equal(marked(), 0x3);
	/* A whole page from its first byte marks only it. */
	assert_int_equal(vhost_log_mark(&g_log, 0x3000, 0x1000), 0);
	assert_int_equal(marked(), 0xb);
	/* Length 0 marks nothing. */
	assert_int_equal(vhost_log_mark(&g_log, 0x5000, 0), 0);
	assert_int_equal(marked(), 0xb);
}

static void test_byte_edges(void **state)
{
	(void)state;
	/* Page 7 is bit 7 of byte 0, page 8 bit 0 of byte 1. */
	assert_int_equal(vhost_log_mark(&g_log, 7 * 0x1000 + 0xfff, 2), 0);
	assert_int_equal(g_bits[0], 0x80);
	assert_int_equal(g_bits[1], 0x01);
	/* A range over 10 pages from page 6: bits 6..15. */
	memset(g_bits, 0, sizeof(g_bits));
	assert_int_equal(vhost_log_mark(&g_log, 6 * 0x1000 + 0x10, 9 * 0x1000 + 1), 0);
	assert_int_equal(marked(), 0xffc0);
	/* Marks accumulate: ORs, never stores. */
	assert_int_equal(vhost_log_mark(&g_log, 0, 1), 0);
	assert_int_equal(marked(), 0xffc1);
}

static void test_log_end(void **state)
{
	uint64_t last_page = LOG_BYTES * 8 - 1;

	(void)state;
	/* The last page the log holds. */
	assert_int_equal(vhost_log_mark(&g_log, last_page * 0x1000 + 0xfff, 1), 0);
	assert_int_equal(marked(), 0x80000000u);
	/* One page past: refused, nothing written past the log. */
	assert_int_equal(vhost_log_mark(&g_log, (last_page + 1) * 0x1000, 1), -ERANGE);
	assert_int_equal(g_bits[LOG_BYTES], 0);
	/* A range that straddles the end marks what fits. */
	assert_int_equal(vhost_log_mark(&g_log, (last_page - 1) * 0x1000, 0x3000), -ERANGE);
	assert_int_equal(marked(), 0xc0000000u);
	assert_int_equal(g_bits[LOG_BYTES], 0);
	/* Ranges that would wrap the address space. */
	assert_int_equal(vhost_log_mark(&g_log, UINT64_MAX, 1), -ERANGE);
	assert_int_equal(vhost_log_mark(&g_log, UINT64_MAX - 0x10, UINT64_MAX), -ERANGE);
	assert_int_equal(g_bits[LOG_BYTES], 0);

	assert_true(vhost_log_covers(LOG_BYTES, last_page * 0x1000 + 0xfff));
	assert_false(vhost_log_covers(LOG_BYTES, (last_page + 1) * 0x1000));
	assert_false(vhost_log_covers(0, 0));
	assert_true(vhost_log_covers(UINT64_MAX, UINT64_MAX));
}

/* A ring over one region of guest memory at gpa 0x10000 (pages 16..19). */
#define RING_NUM 8
#define GPA	 0x10000ULL

struct ring_fixture {
	struct mem_table mem;
	uint8_t *guest;
	struct vhost_vring v;
};

static int ring_setup(void **state)
{
	struct ring_fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	setup(NULL);
	f->guest = aligned_alloc(4096, 4 * 4096);
	assert_non_null(f->guest);
	mem_table_init(&f->mem);
	assert_int_equal(mem_table_add_mapped(&f->mem, GPA, 4 * 4096, 0x7000000, f->guest), 0);
	f->v.vq.mem = &f->mem;
	f->v.vq.num = RING_NUM;
	f->v.vq.used = (struct virtq_used *)f->guest;
	f->v.log = &g_log;
	*state = f;
	return 0;
}

static int ring_teardown(void **state)
{
	struct ring_fixture *f = *state;

	free(f->guest);
	free(f);
	return 0;
}

static void test_ring_buffers(void **state)
{
	struct ring_fixture *f = *state;
	struct iovec iov[2] = {
	    {.iov_base = f->guest + 0xff0, .iov_len = 0x20}, /* pages 16 and 17 */
	    {.iov_base = f->guest + 0x3000, .iov_len = 1},   /* page 19 */
	};

	assert_true(vhost_vring_logging(&f->v));
	vhost_vring_log_iov(&f->v, iov, 2);
	assert_int_equal(marked(), (1u << 16) | (1u << 17) | (1u << 19));
	/* A buffer outside guest memory is not marked (and logged). */
	vhost_vring_log_hva(&f->v, &f->v, 1);
	assert_int_equal(marked(), (1u << 16) | (1u << 17) | (1u << 19));
}

static void test_ring_used(void **state)
{
	struct ring_fixture *f = *state;
	/* Used ring logged at a guest address whose entry 5 sits in the page
	 * after the idx: 0x2ffc + 4 + 5 * 8 crosses into page 3. */
	uint64_t base = 0x2ff0;

	/* Without VHOST_VRING_F_LOG the used ring is not marked. */
	vhost_vring_log_used_entry(&f->v, 5);
	assert_int_equal(marked(), 0);

	f->v.log_used = true;
	f->v.log_used_gpa = base;
	vhost_vring_log_used_entry(&f->v, 5 + RING_NUM); /* free-running: slot 5 */
	/* idx at base + 2 (page 2), entry 5 at base + 4 + 40 = 0x301c (page 3). */
	assert_int_equal(marked(), (1u << 2) | (1u << 3));

	/* Without EVENT_IDX the kick flag is used->flags at base (page 2);
	 * with it, avail_event after the num entries: base + 4 + 64 (page 3). */
	memset(g_bits, 0, sizeof(g_bits));
	vhost_vring_log_kick(&f->v);
	assert_int_equal(marked(), 1u << 2);
	memset(g_bits, 0, sizeof(g_bits));
	f->v.vq.event_idx = true;
	vhost_vring_log_kick(&f->v);
	assert_int_equal(marked(), 1u << 3);

	/* A used ring logged past the log's end: nothing written past it. */
	memset(g_bits, 0, sizeof(g_bits));
	f->v.log_used_gpa = LOG_BYTES * 8 * 0x1000ULL;
	vhost_vring_log_used_entry(&f->v, 0);
	assert_int_equal(marked(), 0);
	assert_int_equal(g_bits[LOG_BYTES], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_page_edges, setup),
	    cmocka_unit_test_setup(test_byte_edges, setup),
	    cmocka_unit_test_setup(test_log_end, setup),
	    cmocka_unit_test_setup_teardown(test_ring_buffers, ring_setup, ring_teardown),
	    cmocka_unit_test_setup_teardown(test_ring_used, ring_setup, ring_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
