/* SPDX-License-Identifier: MIT */
/*
 * Requests that wait for the device without blocking anyone: the fake device
 * holds its answers to ring_stop (a ring draining slowly) until the test
 * gives them. The request is answered only then, nothing it changes is
 * touched before, and nothing else is handed in meanwhile; a device being
 * destroyed or disconnected meanwhile is torn down once the answers came.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "handler_harness.h"

/* Rings 0 (base 5) and 3 (base 7) running on the guest's memory. */
static void start_two_rings(struct h *h)
{
	ready_guest(h);
	start_ring(h, 0, 5);
	start_ring(h, 3, 7);
	assert_int_equal(started(h), 2);
}

/* vhost-user.rst "Ring states": GET_VRING_BASE is answered once the ring
 * stopped, with where it stopped. */
static void test_get_vring_base_waits_for_the_drain(void **state)
{
	struct h *h = *state;
	struct vhost_user_vring_state s = {.index = 0};
	struct vhost_msg msg;
	uint64_t v = 0;
	int fd = new_eventfd();

	start_two_rings(h);
	h->fake.defer = true;
	h->fake.consume_on_stop = 3;
	assert_int_equal(send_msg(h, VHOST_USER_GET_VRING_BASE, VHOST_USER_VERSION, &s, sizeof(s),
				  NULL, 0),
			 1);
	assert_string_equal(fake_take_events(&h->fake), "stop:0 ");
	expect_no_reply(h);
	assert_true(vhost_dev_busy(h->dev));
	/* Requests are handled in order: the next one is refused, its fd closed. */
	assert_int_equal(send_msg(h, VHOST_USER_SET_VRING_CALL, VHOST_USER_VERSION, &v, sizeof(v),
				  &fd, 1),
			 -EBUSY);
	assert_false(fd_open(fd));
	assert_true(log_has("handed in while the previous request is not answered"));

	assert_int_equal(fake_answer(&h->fake), 1);
	recv_reply(h, VHOST_USER_GET_VRING_BASE, &msg);
	assert_int_equal(msg.payload.state.index, 0);
	assert_int_equal(msg.payload.state.num, 8);
	assert_false(vhost_dev_busy(h->dev));
	assert_int_equal(started(h), 1);
	assert_string_equal(fake_take_events(&h->fake), "");
}

/* SET_MEM_TABLE: the table in use stays until every ring stopped; then the
 * new one goes in, the rings restart on it, and the ack comes last. */
static void test_mem_table_waits_for_every_ring(void **state)
{
	struct h *h = *state;
	const struct mem_table *old;
	struct guest_region g2;
	struct vhost_user_memory m = {.nregions = 1};
	int fd;

	start_two_rings(h);
	old = vhost_dev_mem(h->dev);
	guest_region_init(&g2, 0, GUEST_SIZE, GUEST_UVA);
	plant_desc0(&g2, 0, 0xbeef0);
	m.regions[0] = (struct vhost_user_mem_region){
	    .guest_phys_addr = g2.r.gpa, .memory_size = g2.r.size, .userspace_addr = g2.r.uva};
	fd = dup(g2.fd);
	h->fake.defer = true;
	assert_int_equal(send_msg(h, VHOST_USER_SET_MEM_TABLE,
				  VHOST_USER_VERSION | VHOST_USER_NEED_REPLY_MASK, &m, 8 + 32, &fd, 1),
			 1);
	assert_string_equal(fake_take_events(&h->fake), "stop:0 stop:3 ");
	expect_no_reply(h);
	assert_ptr_equal(vhost_dev_mem(h->dev), old);

	assert_int_equal(fake_answer(&h->fake), 2);
	assert_int_equal(recv_u64(h, VHOST_USER_SET_MEM_TABLE), 0);
	assert_ptr_not_equal(vhost_dev_mem(h->dev), old);
	assert_string_equal(fake_take_events(&h->fake), "start:0 start:3 ");
	assert_int_equal(h->fake.rings[0].desc0.addr, 0xbeef0);
	assert_int_equal(h->fake.rings[0].last_avail_idx, 5);
	guest_region_fini(&g2);
}

/* A refused table stops no ring. */
static void test_refused_mem_table_leaves_rings_running(void **state)
{
	struct h *h = *state;
	struct vhost_user_memory m = {.nregions = 2};

	start_two_rings(h);
	h->fake.defer = true;
	assert_int_equal(send_acked(h, VHOST_USER_SET_MEM_TABLE, &m, 8 + 64, NULL, 0), EINVAL);
	assert_string_equal(fake_take_events(&h->fake), "");
	assert_int_equal(started(h), 2);
	assert_int_equal(fake_answer(&h->fake), 0);
}

/* SET_VRING_ENABLE 0 is acked once the ring stopped. */
static void test_disable_acked_after_the_drain(void **state)
{
	struct h *h = *state;
	struct vhost_user_vring_state s = {.index = 3, .num = 0};

	start_two_rings(h);
	h->fake.defer = true;
	assert_int_equal(send_msg(h, VHOST_USER_SET_VRING_ENABLE,
				  VHOST_USER_VERSION | VHOST_USER_NEED_REPLY_MASK, &s, sizeof(s),
				  NULL, 0),
			 1);
	expect_no_reply(h);
	assert_int_equal(fake_answer(&h->fake), 1);
	assert_int_equal(recv_u64(h, VHOST_USER_SET_VRING_ENABLE), 0);
	assert_int_equal(started(h), 1);
}

/* Destroyed while a ring drains: the device is told it is disconnected, and
 * freed, once the drain is over (ASan checks nothing is touched after). */
static void test_destroy_while_draining(void **state)
{
	struct h *h = *state;
	struct vhost_user_vring_state s = {.index = 0};

	start_two_rings(h);
	h->fake.defer = true;
	assert_int_equal(send_msg(h, VHOST_USER_GET_VRING_BASE, VHOST_USER_VERSION, &s, sizeof(s),
				  NULL, 0),
			 1);
	vhost_dev_destroy(h->dev);
	h->dev = NULL;
	/* The request in hand is dropped; the other ring is asked to stop too. */
	assert_string_equal(fake_take_events(&h->fake), "stop:0 stop:3 ");
	assert_int_equal(fake_answer(&h->fake), 2);
	assert_string_equal(fake_take_events(&h->fake), "disconnected ");
}

static void on_shutdown(void *arg)
{
	(*(int *)arg)++;
}

/* vhost_dev_shutdown's callback comes once, after the last ring stopped. */
static void test_shutdown_callback(void **state)
{
	struct h *h = *state;
	int calls = 0;

	start_two_rings(h);
	h->fake.defer = true;
	vhost_dev_shutdown(h->dev, on_shutdown, &calls);
	assert_int_equal(calls, 0);
	assert_int_equal(fake_answer(&h->fake), 2);
	assert_int_equal(calls, 1);
	assert_string_equal(fake_take_events(&h->fake), "stop:0 stop:3 disconnected ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_get_vring_base_waits_for_the_drain, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_mem_table_waits_for_every_ring, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refused_mem_table_leaves_rings_running, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_disable_acked_after_the_drain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_destroy_while_draining, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_shutdown_callback, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
