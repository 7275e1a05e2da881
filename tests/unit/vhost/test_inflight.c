/* SPDX-License-Identifier: MIT */
/*
 * The in-flight buffer's arithmetic (vhost_inflight.[ch], vhost-user.rst
 * "Inflight I/O tracking"): sizes and offsets at their edges, the checks of
 * a description, adopting a buffer, and the reconnect procedure after a
 * back-end killed between any two of the data path's stores.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "test_util.h"
#include "vhost/vhost_inflight.h"

#define DESC  sizeof(struct vhost_user_inflight_desc_split)
#define QHEAD sizeof(struct vhost_user_inflight_split)

static void test_sizes(void **state)
{
	(void)state;
	/* 16 bytes of header and 16 per descriptor, each region on 64 bytes. */
	assert_int_equal(vhost_inflight_queue_bytes(1), 64);
	assert_int_equal(vhost_inflight_queue_bytes(2), 64);
	assert_int_equal(vhost_inflight_queue_bytes(3), 64);
	assert_int_equal(vhost_inflight_queue_bytes(4), 128);
	assert_int_equal(vhost_inflight_queue_bytes(128), 2112);
	assert_int_equal(vhost_inflight_queue_bytes(256), 4160);
	/* The largest split ring: 16 + 32768 * 16, aligned. */
	assert_int_equal(vhost_inflight_queue_bytes(32768), 524352);
	for (uint32_t n = 1; n <= 32768; n = n * 3 + 1) {
		uint64_t b = vhost_inflight_queue_bytes((uint16_t)n);

		assert_int_equal(b % VHOST_INFLIGHT_ALIGN, 0);
		assert_true(b >= QHEAD + n * DESC && b < QHEAD + n * DESC + VHOST_INFLIGHT_ALIGN);
	}
	assert_int_equal(vhost_inflight_bytes(0, 256), 0);
	assert_int_equal(vhost_inflight_bytes(2, 256), 2 * 4160);
	assert_int_equal(vhost_inflight_bytes(64, 32768), 64ULL * 524352);
}

static void test_queue_offsets(void **state)
{
	uint8_t *buf = (uint8_t *)0x100000;

	(void)state;
	assert_ptr_equal(vhost_inflight_queue(buf, 256, 0), buf);
	assert_ptr_equal(vhost_inflight_queue(buf, 256, 1), buf + 4160);
	assert_ptr_equal(vhost_inflight_queue(buf, 3, 5), buf + 5 * 64);
	assert_ptr_equal(vhost_inflight_queue(buf, 32768, 63), buf + 63ULL * 524352);
}

static struct vhost_user_inflight desc(uint64_t size, uint64_t offset, uint16_t nq, uint16_t qs)
{
	return (struct vhost_user_inflight){
	    .mmap_size = size, .mmap_offset = offset, .num_queues = nq, .queue_size = qs};
}

static void test_check_desc(void **state)
{
	struct vhost_user_inflight d;
	const char *why;

	(void)state;
	/* GET_INFLIGHT_FD's request: only the queue count and size matter. */
	assert_null(vhost_inflight_check_desc(
	    &(struct vhost_user_inflight){.num_queues = 1, .queue_size = 1}, 1, false));
	assert_null(vhost_inflight_check_desc(
	    &(struct vhost_user_inflight){.num_queues = 4, .queue_size = 32768}, 4, false));
	why = vhost_inflight_check_desc(&(struct vhost_user_inflight){.queue_size = 256}, 4, false);
	assert_non_null(why);
	assert_non_null(strstr(why, "num queues is 0"));
	why = vhost_inflight_check_desc(
	    &(struct vhost_user_inflight){.num_queues = 5, .queue_size = 256}, 4, false);
	assert_non_null(strstr(why, "more than the back-end's queues"));
	why = vhost_inflight_check_desc(&(struct vhost_user_inflight){.num_queues = 1}, 4, false);
	assert_non_null(strstr(why, "queue size is 0"));
	why = vhost_inflight_check_desc(
	    &(struct vhost_user_inflight){.num_queues = 1, .queue_size = 32769}, 4, false);
	assert_non_null(strstr(why, "32768 entries"));
	assert_non_null(strstr(why, "\"Inflight I/O tracking\""));

	/* SET_INFLIGHT_FD: the size must hold the layout, to the byte. */
	d = desc(2 * 4160, 0, 2, 256);
	assert_null(vhost_inflight_check_desc(&d, 4, true));
	d.mmap_size--;
	why = vhost_inflight_check_desc(&d, 4, true);
	assert_non_null(strstr(why, "mmap size is smaller"));
	assert_non_null(strstr(why, "\"Inflight description\""));
	d = desc(0, 0, 1, 1);
	assert_non_null(vhost_inflight_check_desc(&d, 4, true));
	/* A larger buffer is fine; an offset + size past 2^64 is not. */
	d = desc(1 << 20, 4096, 1, 256);
	assert_null(vhost_inflight_check_desc(&d, 4, true));
	d = desc(4160, UINT64_MAX - 4160, 1, 256);
	assert_null(vhost_inflight_check_desc(&d, 4, true));
	d.mmap_offset++;
	why = vhost_inflight_check_desc(&d, 4, true);
	assert_non_null(strstr(why, "past 2^64"));
	/* The queue checks come first for SET too. */
	d = desc(1 << 20, 0, 0, 256);
	assert_non_null(strstr(vhost_inflight_check_desc(&d, 4, true), "num queues is 0"));
}

static void *zbuf(uint16_t nq, uint16_t qs)
{
	void *b = calloc(1, vhost_inflight_bytes(nq, qs));

	assert_non_null(b);
	return b;
}

static void test_adopt(void **state)
{
	void *buf = zbuf(3, 8);
	struct vhost_user_inflight_split *q1 = vhost_inflight_queue(buf, 8, 1);

	(void)state;
	/* Uninitialised: each region gets version 1 and desc_num. */
	assert_null(vhost_inflight_adopt(buf, 3, 8));
	for (uint16_t i = 0; i < 3; i++) {
		struct vhost_user_inflight_split *q = vhost_inflight_queue(buf, 8, i);

		assert_int_equal(q->version, VHOST_USER_INFLIGHT_VERSION);
		assert_int_equal(q->desc_num, 8);
		assert_int_equal(q->last_batch_head, 0);
		assert_int_equal(q->used_idx, 0);
	}
	/* A used one is taken as it is (its marks are what a restart needs). */
	q1->desc[3].inflight = 1;
	q1->desc[3].counter = 42;
	q1->used_idx = 17;
	assert_null(vhost_inflight_adopt(buf, 3, 8));
	assert_int_equal(q1->desc[3].inflight, 1);
	assert_int_equal(q1->desc[3].counter, 42);
	assert_int_equal(q1->used_idx, 17);
	/* What a restarted back-end cannot read right is refused. */
	q1->desc_num = 16;
	assert_non_null(strstr(vhost_inflight_adopt(buf, 3, 8), "desc_num"));
	q1->desc_num = 8;
	q1->version = 2;
	assert_non_null(strstr(vhost_inflight_adopt(buf, 3, 8), "version"));
	q1->version = 1;
	q1->last_batch_head = 8;
	assert_non_null(strstr(vhost_inflight_adopt(buf, 3, 8), "last_batch_head"));
	q1->last_batch_head = 7;
	assert_null(vhost_inflight_adopt(buf, 3, 8));
	free(buf);
}

/* A ring on a region: just what the data-path helpers touch. */
struct ring {
	struct vhost_vring v;
	void *buf;
	uint16_t heads[8];
	uint64_t next;
};

static void ring_init(struct ring *r)
{
	memset(r, 0, sizeof(*r));
	r->buf = zbuf(1, 8);
	assert_null(vhost_inflight_adopt(r->buf, 1, 8));
	r->v.inflight.region = vhost_inflight_queue(r->buf, 8, 0);
	r->v.vq.num = 8;
}

/* The device's push, stopped after `steps` of its three stores (3: whole). */
static void complete(struct ring *r, uint16_t head, int steps)
{
	vhost_vring_inflight_put_begin(&r->v, head);
	if (steps < 2)
		return;
	r->v.vq.used_idx++;
	if (steps < 3)
		return;
	vhost_vring_inflight_put_end(&r->v, head);
}

static int recover(struct ring *r)
{
	return vhost_inflight_recover(r->v.inflight.region, 8, 8, r->v.vq.used_idx, r->heads,
				      &r->next);
}

static void test_recover_in_order(void **state)
{
	struct ring r;

	(void)state;
	ring_init(&r);
	assert_true(vhost_vring_tracking(&r.v));
	vhost_vring_inflight_get(&r.v, 5);
	vhost_vring_inflight_get(&r.v, 2);
	vhost_vring_inflight_get(&r.v, 7);
	complete(&r, 2, 3);
	/* Killed now: 5 and 7 are in flight, in the order they were taken. */
	assert_int_equal(recover(&r), 2);
	assert_int_equal(r.heads[0], 5);
	assert_int_equal(r.heads[1], 7);
	assert_int_equal(r.next, 3);
	free(r.buf);
}

static void test_recover_crash_points(void **state)
{
	(void)state;
	/* Killed after the batch list store, before the idx moved: the head is
	 * still in flight (the driver never saw it complete). */
	for (int steps = 1; steps <= 3; steps++) {
		struct ring r;
		int n;

		ring_init(&r);
		vhost_vring_inflight_get(&r.v, 1);
		vhost_vring_inflight_get(&r.v, 4);
		complete(&r, 4, 3);
		vhost_vring_inflight_get(&r.v, 6);
		complete(&r, 1, steps);
		n = recover(&r);
		/* steps 2: the idx moved, the mark stayed: "When reconnecting"
		 * clears the last batch (head 1) from used_idx's lag. */
		assert_int_equal(n, steps == 1 ? 2 : 1);
		assert_int_equal(r.heads[0], steps == 1 ? 1 : 6);
		if (steps == 1)
			assert_int_equal(r.heads[1], 6);
		assert_int_equal(r.v.inflight.region->used_idx, r.v.vq.used_idx);
		assert_int_equal(r.v.inflight.region->desc[1].inflight, steps == 1);
		assert_int_equal(r.next, 3);
		free(r.buf);
	}
}

static void test_recover_counter_order_and_bounds(void **state)
{
	struct ring r;
	struct vhost_user_inflight_split *q;

	(void)state;
	ring_init(&r);
	q = r.v.inflight.region;
	/* Out-of-order completions left these, taken in this counter order. */
	q->desc[0] = (struct vhost_user_inflight_desc_split){.inflight = 1, .counter = 907};
	q->desc[3] = (struct vhost_user_inflight_desc_split){.inflight = 1, .counter = 12};
	q->desc[6] = (struct vhost_user_inflight_desc_split){.inflight = 1, .counter = 500};
	/* Only 1 means in flight. */
	q->desc[7] = (struct vhost_user_inflight_desc_split){.inflight = 2, .counter = 1};
	assert_int_equal(vhost_inflight_recover(q, 8, 8, 0, r.heads, &r.next), 3);
	assert_int_equal(r.heads[0], 3);
	assert_int_equal(r.heads[1], 6);
	assert_int_equal(r.heads[2], 0);
	assert_int_equal(r.next, 908);
	/* A ring smaller than the region: heads past it are not run. */
	log_start();
	assert_int_equal(vhost_inflight_recover(q, 8, 4, 0, r.heads, &r.next), 2);
	assert_int_equal(r.heads[0], 3);
	assert_int_equal(r.heads[1], 0);
	assert_true(log_has("past the ring's 4 entries"));
	/* A used idx too far from used_idx is no batch: nothing is cleared. */
	assert_int_equal(vhost_inflight_recover(q, 8, 8, 9, r.heads, &r.next), 3);
	assert_true(log_has("no batch to clear"));
	assert_int_equal(q->used_idx, 9);
	/* A new region (nothing in flight) on a ring far past 0, as at a
	 * migration's destination: it takes the ring's index, no warning. */
	memset(q->desc, 0, 8 * sizeof(q->desc[0]));
	q->used_idx = 0;
	log_start();
	assert_int_equal(vhost_inflight_recover(q, 8, 8, 206, r.heads, &r.next), 0);
	assert_false(log_has("no batch to clear"));
	assert_int_equal(q->used_idx, 206);
	q->desc[0] = (struct vhost_user_inflight_desc_split){.inflight = 1, .counter = 907};
	q->desc[3] = (struct vhost_user_inflight_desc_split){.inflight = 1, .counter = 12};
	q->desc[6] = (struct vhost_user_inflight_desc_split){.inflight = 1, .counter = 500};
	/* A batch list that leaves the region stops there. */
	q->used_idx = 7;
	q->last_batch_head = 0;
	q->desc[0].next = 100;
	assert_int_equal(vhost_inflight_recover(q, 8, 8, 9, r.heads, &r.next), 2);
	assert_int_equal(q->desc[0].inflight, 0);
	/* desc_num rewritten by the front-end after SET_INFLIGHT_FD: the walk
	 * stays inside the region it was checked with (ASan sees a read past
	 * the buffer). */
	q->desc_num = 65535;
	assert_int_equal(vhost_inflight_recover(q, 8, 8, 9, r.heads, &r.next), 2);
	free(r.buf);
}

static void test_resubmit_list(void **state)
{
	struct vhost_vring v = {0};
	const uint16_t heads[] = {4, 1};
	uint16_t head = 99;

	(void)state;
	assert_false(vhost_vring_inflight_resubmit(&v, &head));
	v.inflight.resubmit = heads;
	v.inflight.nresubmit = 2;
	assert_true(vhost_vring_inflight_resubmit(&v, &head));
	assert_int_equal(head, 4);
	assert_true(vhost_vring_inflight_resubmit(&v, &head));
	assert_int_equal(head, 1);
	assert_false(vhost_vring_inflight_resubmit(&v, &head));
	assert_int_equal(v.inflight.resubmitted, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_queue_offsets),
	    cmocka_unit_test(test_check_desc),
	    cmocka_unit_test(test_adopt),
	    cmocka_unit_test(test_recover_in_order),
	    cmocka_unit_test(test_recover_crash_points),
	    cmocka_unit_test(test_recover_counter_order_and_bounds),
	    cmocka_unit_test(test_resubmit_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
