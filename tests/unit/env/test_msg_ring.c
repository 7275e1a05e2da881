/* SPDX-License-Identifier: MIT */
/* The reactor message ring on its own: bounds, order, many producers. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "env/msg_ring.h"

static void fn_a(void *arg)
{
	(void)arg;
}

static void fn_b(void *arg)
{
	(void)arg;
}

static int setup(void **state)
{
	struct msg_ring *ring = aligned_alloc(64, sizeof(*ring));

	if (!ring)
		return -1;
	msg_ring_init(ring);
	*state = ring;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void test_empty(void **state)
{
	struct msg_ring *ring = *state;
	reactor_msg_fn fn = fn_a;
	void *arg = ring;

	assert_true(msg_ring_empty(ring));
	assert_false(msg_ring_get(ring, &fn, &arg));
	/* Outputs untouched when there is nothing. */
	assert_ptr_equal(fn, fn_a);
	assert_ptr_equal(arg, ring);
}

static void test_full_then_drain_in_order(void **state)
{
	struct msg_ring *ring = *state;
	reactor_msg_fn fn;
	void *arg;

	/* Three laps, so that sequence numbers wrap past the capacity. */
	for (int lap = 0; lap < 3; lap++) {
		for (uintptr_t i = 0; i < MSG_RING_SIZE; i++) {
			reactor_msg_fn put = (i & 1) ? fn_b : fn_a;

			assert_int_equal(msg_ring_put(ring, put, (void *)(i + 1)), 0);
		}
		assert_int_equal(msg_ring_put(ring, fn_a, NULL), -EAGAIN);
		assert_false(msg_ring_empty(ring));
		for (uintptr_t i = 0; i < MSG_RING_SIZE; i++) {
			assert_true(msg_ring_get(ring, &fn, &arg));
			assert_ptr_equal(fn, (i & 1) ? fn_b : fn_a);
			assert_ptr_equal(arg, (void *)(i + 1));
		}
		assert_true(msg_ring_empty(ring));
		assert_false(msg_ring_get(ring, &fn, &arg));
	}
}

/* One slot freed makes room for exactly one more. */
static void test_room_after_get(void **state)
{
	struct msg_ring *ring = *state;
	reactor_msg_fn fn;
	void *arg;

	for (uintptr_t i = 0; i < MSG_RING_SIZE; i++)
		assert_int_equal(msg_ring_put(ring, fn_a, (void *)i), 0);
	assert_true(msg_ring_get(ring, &fn, &arg));
	assert_ptr_equal(arg, (void *)0);
	assert_int_equal(msg_ring_put(ring, fn_b, (void *)0x1234), 0);
	assert_int_equal(msg_ring_put(ring, fn_b, NULL), -EAGAIN);
	for (uintptr_t i = 1; i < MSG_RING_SIZE; i++) {
		assert_true(msg_ring_get(ring, &fn, &arg));
		assert_ptr_equal(arg, (void *)i);
	}
	assert_true(msg_ring_get(ring, &fn, &arg));
	assert_ptr_equal(fn, fn_b);
	assert_ptr_equal(arg, (void *)0x1234);
}

#define PRODUCERS 4
#define PER_PRODUCER 200000

struct producer {
	struct msg_ring *ring;
	uintptr_t id;
	unsigned long full;
};

static void *producer_main(void *arg)
{
	struct producer *p = arg;

	for (uintptr_t seq = 1; seq <= PER_PRODUCER; seq++) {
		while (msg_ring_put(p->ring, fn_a, (void *)(p->id << 32 | seq)) == -EAGAIN) {
			p->full++;
			sched_yield();
		}
	}
	return NULL;
}

/* Every message arrives exactly once, and each producer's in its order. */
static void test_many_producers(void **state)
{
	struct producer prod[PRODUCERS];
	uintptr_t last[PRODUCERS] = {0};
	pthread_t threads[PRODUCERS];
	unsigned long got = 0, bad = 0;
	reactor_msg_fn fn;
	void *arg;

	for (uintptr_t i = 0; i < PRODUCERS; i++) {
		prod[i] = (struct producer){.ring = *state, .id = i};
		assert_int_equal(pthread_create(&threads[i], NULL, producer_main, &prod[i]), 0);
	}
	while (got < (unsigned long)PRODUCERS * PER_PRODUCER) {
		if (!msg_ring_get(*state, &fn, &arg)) {
			sched_yield();
			continue;
		}
		uintptr_t id = (uintptr_t)arg >> 32, seq = (uintptr_t)arg & 0xffffffffu;

		if (id >= PRODUCERS || seq != last[id] + 1)
			bad++;
		else
			last[id] = seq;
		got++;
	}
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(threads[i], NULL);
	assert_int_equal(bad, 0);
	for (int i = 0; i < PRODUCERS; i++)
		assert_int_equal(last[i], PER_PRODUCER);
	assert_true(msg_ring_empty(*state));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_then_drain_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_room_after_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_producers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
