/* SPDX-License-Identifier: MIT */
/*
 * In-flight tracking in the back-end's handlers (vhost-user.rst "Inflight
 * I/O tracking", "VHOST_USER_GET_INFLIGHT_FD", "VHOST_USER_SET_INFLIGHT_FD"):
 * what is offered to which device, how GET and SET are answered and
 * refused, and what a ring that starts on a buffer is given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "handler_harness.h"
#include "vhost/vhost_inflight.h"

#define NQ 2

static int setup_tracks(void **state)
{
	return setup_opts(state, H_TRACKS);
}

static void negotiate_inflight(struct h *h)
{
	send_ok(h, VHOST_USER_GET_PROTOCOL_FEATURES, NULL, 0, NULL, 0);
	assert_int_equal(recv_u64(h, VHOST_USER_GET_PROTOCOL_FEATURES),
			 ALL_PF | PF(INFLIGHT_SHMFD));
	send_u64(h, VHOST_USER_SET_PROTOCOL_FEATURES,
		 PF(REPLY_ACK) | PF(INFLIGHT_SHMFD) | PF(RESET_DEVICE));
	send_ok(h, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0);
	/* Without F_PROTOCOL_FEATURES a kicked ring starts enabled. */
	send_u64(h, VHOST_USER_SET_FEATURES, FAKE_FEATURES);
	make_guest(h);
	set_mem_table(h, &h->guest, 1);
}

/* GET_INFLIGHT_FD: the reply's description and fd (-1 and an empty reply's
 * zeroes for a refusal). */
static int get_inflight(struct h *h, uint16_t nq, uint16_t qs, struct vhost_user_inflight *d)
{
	struct vhost_user_inflight req = {.num_queues = nq, .queue_size = qs};
	struct vhost_msg msg;

	send_ok(h, VHOST_USER_GET_INFLIGHT_FD, &req, sizeof(req), NULL, 0);
	assert_int_equal(vhost_msg_recv(h->peer, &msg, 1000), 0);
	assert_int_equal(msg.hdr.request, VHOST_USER_GET_INFLIGHT_FD);
	assert_int_equal(msg.hdr.flags, VHOST_USER_VERSION | VHOST_USER_REPLY_MASK);
	memset(d, 0, sizeof(*d));
	if (msg.hdr.size == 0) {
		assert_int_equal(msg.nfds, 0);
		return -1;
	}
	assert_int_equal(msg.hdr.size, sizeof(*d));
	assert_int_equal(msg.nfds, 1);
	*d = msg.payload.inflight;
	return msg.fds[0];
}

static uint64_t set_inflight(struct h *h, uint64_t size, uint64_t offset, uint16_t nq, uint16_t qs,
			     int fd)
{
	struct vhost_user_inflight d = {
	    .mmap_size = size, .mmap_offset = offset, .num_queues = nq, .queue_size = qs};

	return send_acked(h, VHOST_USER_SET_INFLIGHT_FD, &d, sizeof(d), &fd, fd < 0 ? 0 : 1);
}

static void *map_fd(int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/* A device that does not track gets no INFLIGHT_SHMFD, and both requests are
 * refused as unsupported (an ack only when asked for). */
static void test_not_offered_without_tracking_device(void **state)
{
	struct h *h = *state;
	struct vhost_user_inflight d = {.num_queues = 1, .queue_size = RING_NUM};
	int fd = memfd_create("inflight", MFD_CLOEXEC);

	ready_guest(h);
	assert_int_equal(send_acked(h, VHOST_USER_GET_INFLIGHT_FD, &d, sizeof(d), NULL, 0),
			 ENOTSUP);
	assert_true(log_has("only valid once VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD is negotiated"));
	send_ok(h, VHOST_USER_GET_INFLIGHT_FD, &d, sizeof(d), NULL, 0);
	expect_no_reply(h);
	assert_int_equal(send_acked(h, VHOST_USER_SET_INFLIGHT_FD, &d, sizeof(d), &fd, 1), ENOTSUP);
	assert_null(h->dev->inflight.map.addr);
}

static void test_get_inflight_fd(void **state)
{
	struct h *h = *state;
	struct vhost_user_inflight d;
	uint8_t *buf;
	int fd;

	negotiate_inflight(h);
	fd = get_inflight(h, NQ, RING_NUM, &d);
	assert_true(fd >= 0);
	assert_int_equal(d.mmap_size, vhost_inflight_bytes(NQ, RING_NUM));
	assert_int_equal(d.mmap_offset, 0);
	assert_int_equal(d.num_queues, NQ);
	assert_int_equal(d.queue_size, RING_NUM);
	/* Zeroed, each region initialised. */
	buf = map_fd(fd, d.mmap_size);
	for (uint16_t i = 0; i < NQ; i++) {
		struct vhost_user_inflight_split *q = vhost_inflight_queue(buf, RING_NUM, i);

		assert_int_equal(q->version, VHOST_USER_INFLIGHT_VERSION);
		assert_int_equal(q->desc_num, RING_NUM);
		for (uint16_t j = 0; j < RING_NUM; j++)
			assert_int_equal(q->desc[j].inflight, 0);
	}
	munmap(buf, d.mmap_size);
	close(fd);
	/* The back-end keeps nothing: tracking starts with SET_INFLIGHT_FD. */
	assert_null(h->dev->inflight.map.addr);

	/* Refused with the empty reply, each with its section. */
	assert_int_equal(get_inflight(h, 0, RING_NUM, &d), -1);
	assert_true(log_has("num queues is 0"));
	assert_int_equal(get_inflight(h, MAX_QUEUES + 1, RING_NUM, &d), -1);
	assert_true(log_has("the back-end has 4 queues"));
	assert_int_equal(get_inflight(h, 1, 0, &d), -1);
	assert_true(log_has("queue size is 0"));
	/* The description without its tail padding is taken too. */
	send_ok(h, VHOST_USER_GET_INFLIGHT_FD,
		&(struct vhost_user_inflight){.num_queues = 1, .queue_size = 4}, 20, NULL, 0);
	{
		struct vhost_msg msg;

		assert_int_equal(vhost_msg_recv(h->peer, &msg, 1000), 0);
		assert_int_equal(msg.hdr.size, sizeof(d));
		assert_int_equal(msg.nfds, 1);
		assert_int_equal(msg.payload.inflight.mmap_size, 128);
		close(msg.fds[0]);
	}
	send_ok(h, VHOST_USER_GET_INFLIGHT_FD, &d, 19, NULL, 0);
	expect_empty_reply(h, VHOST_USER_GET_INFLIGHT_FD);
	assert_true(log_has("payload size 19"));
}

static void test_set_inflight_fd(void **state)
{
	struct h *h = *state;
	uint64_t size = vhost_inflight_bytes(NQ, RING_NUM);
	struct vhost_user_inflight d;
	struct vhost_user_inflight_split *q;
	void *addr;
	uint8_t *buf;
	int fd;

	negotiate_inflight(h);
	fd = get_inflight(h, NQ, RING_NUM, &d);
	assert_int_equal(set_inflight(h, size, 0, NQ, RING_NUM, dup(fd)), 0);
	addr = h->dev->inflight.map.addr;
	assert_non_null(addr);
	assert_int_equal(h->dev->inflight.num_queues, NQ);

	/* Refused, each with its section; the buffer in use stays. */
	assert_int_equal(set_inflight(h, size, 0, NQ, RING_NUM, -1), EINVAL);
	assert_true(log_has("0 fds, expected 1"));
	assert_int_equal(set_inflight(h, size - 1, 0, NQ, RING_NUM, dup(fd)), EINVAL);
	assert_true(log_has("mmap size is smaller"));
	assert_int_equal(set_inflight(h, size, UINT64_MAX - size + 2, NQ, RING_NUM, dup(fd)),
			 EINVAL);
	assert_true(log_has("past 2^64"));
	assert_int_equal(set_inflight(h, size, 64, NQ, RING_NUM, dup(fd)), EINVAL);
	assert_true(log_has("runs past the end of the fd"));
	assert_int_equal(set_inflight(h, size, 0, MAX_QUEUES + 1, RING_NUM, dup(fd)), EINVAL);
	assert_true(log_has("more than the back-end's queues"));
	/* A region a restarted back-end could not read right. */
	buf = map_fd(fd, size);
	q = vhost_inflight_queue(buf, RING_NUM, 1);
	q->desc_num = RING_NUM / 2;
	assert_int_equal(set_inflight(h, size, 0, NQ, RING_NUM, dup(fd)), EINVAL);
	assert_true(log_has("desc_num is not the queue size"));
	q->desc_num = RING_NUM;
	/* A ring already larger than the buffer's queue size. */
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_NUM, 1, RING_NUM), 0);
	assert_int_equal(set_inflight(h, vhost_inflight_bytes(NQ, 128), 0, NQ, 128, dup(fd)),
			 EINVAL);
	assert_true(log_has("vring 1 has 256 entries, the buffer's queue size is 128"));
	assert_ptr_equal(h->dev->inflight.map.addr, addr);

	/* RESET_DEVICE drops it ("QEMU should retrieve a new one when vm
	 * reset"). */
	assert_int_equal(send_acked(h, VHOST_USER_RESET_DEVICE, NULL, 0, NULL, 0), 0);
	assert_null(h->dev->inflight.map.addr);
	munmap(buf, size);
	close(fd);
}

/* A ring starts on its queue's region, after "When reconnecting": the heads
 * left in flight are given to the device in counter order, and the ring
 * resumes past them from the base (the used idx, as QEMU gives it). */
static void test_ring_start_resubmits(void **state)
{
	struct h *h = *state;
	uint64_t size = vhost_inflight_bytes(NQ, RING_NUM);
	struct vhost_user_inflight d;
	struct vhost_user_inflight_split *q;
	struct vhost_vring *v;
	uint8_t *buf;
	uint16_t base = 40;
	int fd;

	negotiate_inflight(h);
	fd = get_inflight(h, NQ, RING_NUM, &d);
	buf = map_fd(fd, size);
	/* The last back-end had used 40 entries and left heads 9 and 3 in
	 * flight, 3 taken first. */
	q = vhost_inflight_queue(buf, RING_NUM, 1);
	q->used_idx = base;
	q->desc[9] = (struct vhost_user_inflight_desc_split){.inflight = 1, .counter = 77};
	q->desc[3] = (struct vhost_user_inflight_desc_split){.inflight = 1, .counter = 76};
	((struct virtq_used *)(h->guest.map + RING_STRIDE + RING_USED_OFF))->idx = base;
	assert_int_equal(set_inflight(h, size, 0, NQ, RING_NUM, dup(fd)), 0);
	start_ring(h, 0, 0);
	start_ring(h, 1, base);
	assert_int_equal(started(h), 2);
	/* Ring 0: nothing was in flight. */
	v = h->fake.rings[0].vring;
	assert_ptr_equal(v->inflight.region,
			 vhost_inflight_queue(h->dev->inflight.map.addr, RING_NUM, 0));
	assert_int_equal(v->inflight.nresubmit, 0);
	assert_int_equal(h->fake.rings[0].last_avail_idx, 0);
	/* Ring 1: two to run again, then the avail ring from base + 2. */
	v = h->fake.rings[1].vring;
	assert_int_equal(v->inflight.nresubmit, 2);
	assert_int_equal(v->inflight.resubmit[0], 3);
	assert_int_equal(v->inflight.resubmit[1], 9);
	assert_int_equal(v->inflight.counter, 78);
	assert_int_equal(h->fake.rings[1].last_avail_idx, base + 2);
	assert_true(log_has("vring 1: 2 request(s) in flight at the last disconnect run again"));

	/* Stopped before the device took the second: the base GET_VRING_BASE
	 * gives leaves it for the next start, which runs it again. */
	v->inflight.resubmitted = 1;
	{
		struct vhost_user_vring_state s = {.index = 1};
		struct vhost_msg msg;

		send_ok(h, VHOST_USER_GET_VRING_BASE, &s, sizeof(s), NULL, 0);
		recv_reply(h, VHOST_USER_GET_VRING_BASE, &msg);
		assert_int_equal(msg.payload.state.num, base + 1);
	}
	q->desc[3].inflight = 0; /* the device completed the first */
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_BASE, 1, base + 1), 0);
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_KICK, 1, -1), 0);
	v = h->fake.rings[1].vring;
	assert_int_equal(v->inflight.nresubmit, 1);
	assert_int_equal(v->inflight.resubmit[0], 9);
	assert_int_equal(h->fake.rings[1].last_avail_idx, base + 2);
	munmap(buf, size);
	close(fd);
}

/* A ring with no region in the buffer does not start. */
static void test_ring_without_region(void **state)
{
	struct h *h = *state;
	struct vhost_user_inflight d;
	int fd;

	negotiate_inflight(h);
	fd = get_inflight(h, 1, RING_NUM, &d);
	assert_int_equal(set_inflight(h, d.mmap_size, 0, 1, RING_NUM, fd), 0);
	start_ring(h, 0, 0);
	configure_ring(h, 1, 0);
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_KICK, 1, -1), EINVAL);
	assert_true(log_has("vring 1 of 256 entries has no region in a buffer of 1 queues"));
	assert_int_equal(started(h), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_not_offered_without_tracking_device, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_get_inflight_fd, setup_tracks, teardown),
	    cmocka_unit_test_setup_teardown(test_set_inflight_fd, setup_tracks, teardown),
	    cmocka_unit_test_setup_teardown(test_ring_start_resubmits, setup_tracks, teardown),
	    cmocka_unit_test_setup_teardown(test_ring_without_region, setup_tracks, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
