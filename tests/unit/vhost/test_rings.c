/* SPDX-License-Identifier: MIT */
/*
 * Memory tables and rings: SET_MEM_TABLE with 1 and 8 regions, ADD/REM_MEM_REG,
 * the ring start/stop rules ("Ring states") seen through a fake device,
 * GET_VRING_BASE, changes under running rings, resets, teardown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "handler_harness.h"

static void test_mem_table_1_and_8_regions(void **state)
{
	struct h *h = *state;
	struct guest_region g[VHOST_USER_MEM_BASELINE_NREGIONS + 1];
	const struct mem_table *t;
	struct vhost_dev_info info;
	uint8_t *p;

	send_u64(h, VHOST_USER_SET_PROTOCOL_FEATURES, PF(REPLY_ACK));
	for (unsigned i = 0; i < ARRAY_SIZE(g); i++) {
		guest_region_init(&g[i], 0x100000ULL * i, 0x10000, GUEST_UVA + 0x1000000ULL * i);
		memset(g[i].map, 0x11 * (i + 1), 0x10000);
	}
	set_mem_table(h, g, 1);
	vhost_dev_get_info(h->dev, &info);
	assert_int_equal(info.mem_regions, 1);
	p = mem_gpa_to_hva(vhost_dev_mem(h->dev), 0x10, 1);
	assert_non_null(p);
	assert_int_equal(*p, 0x11);

	set_mem_table(h, g, 8);
	t = vhost_dev_mem(h->dev);
	assert_int_equal(t->nregions, 8);
	for (unsigned i = 0; i < 8; i++) {
		p = mem_uva_to_hva(t, GUEST_UVA + 0x1000000ULL * i + 0xfff, 1);
		assert_non_null(p);
		assert_int_equal(*p, (uint8_t)(0x11 * (i + 1)));
		/* The back-end maps the memfd itself: writes show on both sides. */
		*p = 0x5a;
		assert_int_equal(g[i].map[0xfff], 0x5a);
	}
	/* Past the end of a region: nothing. */
	assert_null(mem_gpa_to_hva(t, 0x10000, 1));

	/* Nine regions cannot be described; overlapping ones are refused; the
	 * table in place stays. */
	{
		struct vhost_user_memory m = {.nregions = 9};

		assert_int_equal(send_acked(h, VHOST_USER_SET_MEM_TABLE, &m, sizeof(m), NULL, 0),
				 EINVAL);
		assert_true(log_has("9 regions, at most 8"));
	}
	g[1].r.gpa = 0x8000; /* overlaps region 0 */
	{
		struct vhost_user_memory m = {.nregions = 2};
		int fds[2] = {dup(g[0].fd), dup(g[1].fd)};

		for (unsigned i = 0; i < 2; i++)
			m.regions[i] = (struct vhost_user_mem_region){
			    .guest_phys_addr = g[i].r.gpa,
			    .memory_size = g[i].r.size,
			    .userspace_addr = g[i].r.uva,
			};
		assert_int_equal(send_acked(h, VHOST_USER_SET_MEM_TABLE, &m, 8 + 64, fds, 2),
				 EINVAL);
		assert_false(fd_open(fds[0]) || fd_open(fds[1]));
	}
	assert_int_equal(vhost_dev_mem(h->dev)->nregions, 8);
	for (unsigned i = 0; i < ARRAY_SIZE(g); i++)
		guest_region_fini(&g[i]);
}

static void test_add_rem_mem_reg(void **state)
{
	struct h *h = *state;
	struct guest_region g[2];
	struct vhost_user_mem_reg reg = {0};
	uint8_t *p;
	int fd;

	send_u64(h, VHOST_USER_SET_PROTOCOL_FEATURES, PF(REPLY_ACK) | PF(CONFIGURE_MEM_SLOTS));
	send_ok(h, VHOST_USER_GET_MAX_MEM_SLOTS, NULL, 0, NULL, 0);
	assert_int_equal(recv_u64(h, VHOST_USER_GET_MAX_MEM_SLOTS), MEM_MAX_REGIONS);
	for (unsigned i = 0; i < 2; i++) {
		guest_region_init(&g[i], 0x100000ULL * i, 0x10000, GUEST_UVA + 0x100000ULL * i);
		memset(g[i].map, 0x21 + i, 0x10000);
		reg.region = (struct vhost_user_mem_region){g[i].r.gpa, g[i].r.size, g[i].r.uva, 0};
		fd = dup(g[i].fd);
		assert_int_equal(send_acked(h, VHOST_USER_ADD_MEM_REG, &reg, sizeof(reg), &fd, 1),
				 0);
	}
	assert_int_equal(vhost_dev_mem(h->dev)->nregions, 2);
	p = mem_gpa_to_hva(vhost_dev_mem(h->dev), 0x100000 + 5, 1);
	assert_non_null(p);
	assert_int_equal(*p, 0x22);
	/* The same region again overlaps. */
	fd = dup(g[1].fd);
	assert_int_equal(send_acked(h, VHOST_USER_ADD_MEM_REG, &reg, sizeof(reg), &fd, 1), EINVAL);
	assert_false(fd_open(fd));
	/* Remove the first; the mmap offset does not matter. */
	reg.region = (struct vhost_user_mem_region){g[0].r.gpa, g[0].r.size, g[0].r.uva, 0x777};
	assert_int_equal(send_acked(h, VHOST_USER_REM_MEM_REG, &reg, sizeof(reg), NULL, 0), 0);
	assert_int_equal(vhost_dev_mem(h->dev)->nregions, 1);
	assert_null(mem_gpa_to_hva(vhost_dev_mem(h->dev), 5, 1));
	assert_int_equal(send_acked(h, VHOST_USER_REM_MEM_REG, &reg, sizeof(reg), NULL, 0), ENOENT);
	assert_true(log_has("\"VHOST_USER_REM_MEM_REG\": no region gpa 0x0"));
	for (unsigned i = 0; i < 2; i++)
		guest_region_fini(&g[i]);
}

static void test_ring_start_without_protocol_features(void **state)
{
	struct h *h = *state;
	struct vhost_msg msg;
	int kick = new_eventfd(), call = new_eventfd();

	ready_guest(h);
	configure_ring(h, 1, 7);
	assert_string_equal(fake_take_events(&h->fake), "connected features ");
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_CALL, 1, call), 0);
	assert_int_equal(started(h), 0);
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_KICK, 1, kick), 0);
	assert_string_equal(fake_take_events(&h->fake), "start:1 ");
	/* The device got the ring at the translated addresses, from base 7. */
	assert_int_equal(h->fake.rings[1].desc0.addr, 0x1001);
	assert_int_equal(h->fake.rings[1].last_avail_idx, 7);
	assert_int_equal(h->fake.rings[1].num, RING_NUM);
	assert_int_equal(h->fake.rings[1].kick_fd, kick);
	assert_int_equal(h->fake.rings[1].call_fd, call);

	/* GET_VRING_BASE stops it and returns where the device stopped. */
	h->fake.consume_on_stop = 5;
	send_state(h, VHOST_USER_GET_VRING_BASE, 1, 0);
	recv_reply(h, VHOST_USER_GET_VRING_BASE, &msg);
	assert_int_equal(msg.hdr.size, 8);
	assert_int_equal(msg.payload.state.index, 1);
	assert_int_equal(msg.payload.state.num, 12);
	assert_string_equal(fake_take_events(&h->fake), "stop:1 ");
	assert_int_equal(started(h), 0);
	assert_false(fd_open(kick)); /* the kick fd went with the ring */

	/* Only a new kick restarts it, from where it stopped: not a change of
	 * its configuration, nor new memory. */
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_NUM, 1, RING_NUM), 0);
	set_mem_table(h, &h->guest, 1);
	assert_string_equal(fake_take_events(&h->fake), "");
	kick = new_eventfd();
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_KICK, 1, kick), 0);
	assert_string_equal(fake_take_events(&h->fake), "start:1 ");
	assert_int_equal(h->fake.rings[1].last_avail_idx, 12);
	assert_int_equal(started(h), 1);
}

static void test_ring_enable(void **state)
{
	struct h *h = *state;

	negotiate(h, FAKE_FEATURES | F_PROTOCOL, PF(REPLY_ACK));
	make_guest(h);
	set_mem_table(h, &h->guest, 1);
	configure_ring(h, 0, 0);
	fake_take_events(&h->fake);
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_KICK, 0, -1), 0);
	assert_string_equal(fake_take_events(&h->fake), "");
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_ENABLE, 0, 1), 0);
	assert_string_equal(fake_take_events(&h->fake), "start:0 ");
	assert_int_equal(h->fake.rings[0].kick_fd, -1); /* NOFD: polled */
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_ENABLE, 0, 0), 0);
	assert_string_equal(fake_take_events(&h->fake), "stop:0 ");
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_ENABLE, 0, 1), 0);
	assert_string_equal(fake_take_events(&h->fake), "start:0 ");
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_ENABLE, 0, 2), EINVAL);
	assert_int_equal(started(h), 1);
}

static void test_ring_waits_for_memory(void **state)
{
	struct h *h = *state;

	negotiate(h, FAKE_FEATURES, PF(REPLY_ACK));
	make_guest(h);
	configure_ring(h, 2, 3);
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_KICK, 2, -1), 0);
	fake_take_events(&h->fake);
	assert_int_equal(started(h), 0);
	set_mem_table(h, &h->guest, 1);
	assert_string_equal(fake_take_events(&h->fake), "start:2 ");
	assert_int_equal(h->fake.rings[2].desc0.addr, 0x1002);
	assert_int_equal(h->fake.rings[2].last_avail_idx, 3);
}

static void test_mem_table_swap_while_running(void **state)
{
	struct h *h = *state;
	struct guest_region g2;

	ready_guest(h);
	start_ring(h, 0, 100);
	start_ring(h, 3, 200);

	/* The same layout in another memfd, with other contents. */
	guest_region_init(&g2, 0, GUEST_SIZE, GUEST_UVA);
	plant_desc0(&g2, 0, 0xbeef0);
	plant_desc0(&g2, 3, 0xbeef3);
	h->fake.consume_on_stop = 2;
	set_mem_table(h, &g2, 1);
	assert_string_equal(fake_take_events(&h->fake), "stop:0 stop:3 start:0 start:3 ");
	assert_int_equal(h->fake.rings[0].desc0.addr, 0xbeef0);
	assert_int_equal(h->fake.rings[3].desc0.addr, 0xbeef3);
	assert_int_equal(h->fake.rings[0].last_avail_idx, 102);
	assert_int_equal(h->fake.rings[3].last_avail_idx, 202);
	assert_int_equal(started(h), 2);

	/* A table without the rings' memory: they stay stopped. */
	g2.r.uva = GUEST_UVA + 0x100000000ULL;
	set_mem_table(h, &g2, 1);
	assert_string_equal(fake_take_events(&h->fake), "stop:0 stop:3 ");
	assert_int_equal(started(h), 0);
	assert_true(log_has("\"Memory access\": vring 0 descriptor table"));
	guest_region_fini(&g2);
}

static void test_vring_checks(void **state)
{
	struct h *h = *state;
	struct vhost_user_vring_addr a = ring_addr(0, GUEST_UVA);
	struct vhost_user_vring_addr bad;

	ready_guest(h);
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_NUM, 0, 0), EINVAL);
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_NUM, 0, 3), EINVAL);
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_NUM, 0, 65536), EINVAL);
	assert_true(log_has("virtio 1.2 §2.7: vring 0 size 65536"));
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_NUM, 0, 32768), 0);
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_NUM, 0, RING_NUM), 0);
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_BASE, 0, 0x10000), EINVAL);

	bad = a;
	bad.desc_user_addr += 8;
	assert_int_equal(send_acked(h, VHOST_USER_SET_VRING_ADDR, &bad, sizeof(bad), NULL, 0),
			 EINVAL);
	assert_true(log_has("virtio 1.2 §2.7.1"));
	bad = a;
	bad.used_user_addr += 2;
	assert_int_equal(send_acked(h, VHOST_USER_SET_VRING_ADDR, &bad, sizeof(bad), NULL, 0),
			 EINVAL);
	bad = a;
	bad.avail_user_addr = GUEST_UVA + GUEST_SIZE - 16; /* runs off the region */
	assert_int_equal(send_acked(h, VHOST_USER_SET_VRING_ADDR, &bad, sizeof(bad), NULL, 0),
			 EFAULT);
	assert_true(log_has("vring 0 available ring"));
	bad = a;
	bad.flags = 1u << VHOST_VRING_F_LOG;
	assert_int_equal(send_acked(h, VHOST_USER_SET_VRING_ADDR, &bad, sizeof(bad), NULL, 0),
			 ENOTSUP);
	assert_int_equal(send_acked(h, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0), 0);

	/* A ring that cannot start signals its error notifier. */
	{
		int err = new_eventfd();
		eventfd_t v = 0;

		assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_ERR, 0, dup(err)), 0);
		h->fake.ring_start_ret = -EIO;
		assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_KICK, 0, -1), EIO);
		assert_int_equal(eventfd_read(err, &v), 0);
		assert_int_equal(v, 1);
		assert_int_equal(started(h), 0);
		close(err);
	}
}

/* The driver is signalled on the ring's call fd, once per batch it asked
 * to hear about. It asks (virtio 1.2 §2.7.10, EVENT_IDX) to hear about the
 * next used entry of ring 0. */
static void check_notify(struct h *h, struct vhost_vring *vring, int call)
{
	uint8_t *ring = h->guest.map;
	uint16_t used_idx;
	eventfd_t v = 0;

	memcpy(&used_idx, ring + RING_USED_OFF + 2, sizeof(used_idx));
	memcpy(ring + RING_AVAIL_OFF + 4 + 2 * RING_NUM, &used_idx, sizeof(used_idx));

	/* One used entry; the driver did not suppress interrupts. */
	virtq_dev_push(&vring->vq, 0, 0);
	vhost_vring_notify(vring);
	assert_int_equal(eventfd_read(call, &v), 0);
	assert_int_equal(v, 1);
	/* Nothing new: no second signal. */
	vhost_vring_notify(vring);
	assert_int_equal(eventfd_read(call, &v), -1);
}

/* A running ring takes a new call fd without stopping (as QEMU sends one
 * whenever the guest masks a vector); the old one is closed only once the
 * device answered that it no longer uses it, and the ack waits for that. */
static void test_call_fd_swap_and_notify(void **state)
{
	struct h *h = *state;
	int call = new_eventfd(), call2 = new_eventfd();
	int mine, mine2;
	struct vhost_vring *vring;

	ready_guest(h);
	start_ring(h, 0, 0);
	mine = dup(call);
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_CALL, 0, mine), 0);
	assert_string_equal(fake_take_events(&h->fake), "swap:0 ");
	vring = h->fake.rings[0].vring;
	assert_non_null(vring);
	assert_int_equal(vring->call_fd, mine);
	check_notify(h, vring, call);

	/* The device takes its time: no ack, the old fd stays open. */
	h->fake.defer = true;
	mine2 = dup(call2);
	{
		uint64_t v = 0;

		assert_int_equal(send_msg(h, VHOST_USER_SET_VRING_CALL,
					  VHOST_USER_VERSION | VHOST_USER_NEED_REPLY_MASK, &v,
					  sizeof(v), &mine2, 1),
				 1);
	}
	expect_no_reply(h);
	assert_true(fd_open(mine));
	assert_int_equal(fake_answer(&h->fake), 1);
	assert_int_equal(recv_u64(h, VHOST_USER_SET_VRING_CALL), 0);
	assert_false(fd_open(mine));
	assert_string_equal(fake_take_events(&h->fake), "swap:0 ");
	assert_int_equal(vring->call_fd, mine2);
	check_notify(h, vring, call2);
	assert_int_equal(started(h), 1);
	close(call);
	close(call2);
}

/* A device that cannot swap fds gets its ring stopped, then restarted with
 * the new call fd. */
static void test_call_fd_without_swap(void **state)
{
	struct h *h = *state;
	int call = new_eventfd();
	struct vhost_vring *vring;

	ready_guest(h);
	start_ring(h, 0, 0);
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_CALL, 0, dup(call)), 0);
	assert_string_equal(fake_take_events(&h->fake), "stop:0 start:0 ");
	vring = h->fake.rings[0].vring;
	assert_non_null(vring);
	check_notify(h, vring, call);
	close(call);
}

static void test_reset_device(void **state)
{
	struct h *h = *state;
	int call = new_eventfd();
	struct vhost_dev_info info;
	struct vhost_msg msg;

	negotiate(h, FAKE_FEATURES, PF(REPLY_ACK) | PF(RESET_DEVICE));
	make_guest(h);
	set_mem_table(h, &h->guest, 1);
	configure_ring(h, 0, 9);
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_CALL, 0, call), 0);
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_KICK, 0, -1), 0);
	fake_take_events(&h->fake);
	assert_int_equal(send_acked(h, VHOST_USER_RESET_DEVICE, NULL, 0, NULL, 0), 0);
	assert_string_equal(fake_take_events(&h->fake), "stop:0 ");
	assert_false(fd_open(call));
	vhost_dev_get_info(h->dev, &info);
	assert_int_equal(info.rings_started, 0);
	assert_int_equal(info.features, 0);
	/* The connection's protocol features stay: acks still come. */
	assert_int_equal(info.protocol_features, PF(REPLY_ACK) | PF(RESET_DEVICE));
	/* The ring forgot its base. */
	send_state(h, VHOST_USER_GET_VRING_BASE, 0, 0);
	recv_reply(h, VHOST_USER_GET_VRING_BASE, &msg);
	assert_int_equal(msg.payload.state.num, 0);
	/* And it can be set up again. */
	send_u64(h, VHOST_USER_SET_FEATURES, FAKE_FEATURES);
	configure_ring(h, 0, 4);
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_KICK, 0, -1), 0);
	assert_string_equal(fake_take_events(&h->fake), "features start:0 ");
	assert_int_equal(h->fake.rings[0].last_avail_idx, 4);
}

static void test_reset_owner(void **state)
{
	struct h *h = *state;

	ready_guest(h);
	start_ring(h, 1, 0);
	assert_int_equal(send_acked(h, VHOST_USER_RESET_OWNER, NULL, 0, NULL, 0), 0);
	assert_string_equal(fake_take_events(&h->fake), "stop:1 ");
	assert_int_equal(started(h), 0);
}

static void test_destroy_stops_rings(void **state)
{
	struct h *h = *state;
	int call = new_eventfd(), kick = new_eventfd(), err = new_eventfd();

	ready_guest(h);
	configure_ring(h, 0, 0);
	configure_ring(h, 1, 0);
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_CALL, 0, call), 0);
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_ERR, 0, err), 0);
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_KICK, 0, kick), 0);
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_KICK, 1, -1), 0);
	fake_take_events(&h->fake);
	vhost_dev_destroy(h->dev);
	h->dev = NULL;
	assert_string_equal(fake_take_events(&h->fake), "stop:0 stop:1 disconnected ");
	assert_false(fd_open(call) || fd_open(kick) || fd_open(err));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_mem_table_1_and_8_regions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_add_rem_mem_reg, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ring_start_without_protocol_features, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_ring_enable, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ring_waits_for_memory, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mem_table_swap_while_running, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vring_checks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_fd_swap_and_notify, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_fd_without_swap, setup_no_swap, teardown),
	    cmocka_unit_test_setup_teardown(test_reset_device, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reset_owner, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_destroy_stops_rings, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
