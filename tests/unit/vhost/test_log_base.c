/* SPDX-License-Identifier: MIT */
/*
 * Dirty logging in the back-end's handlers (vhost-user.rst "Migration",
 * "VHOST_USER_SET_LOG_BASE"): what is offered to which device, how
 * SET_LOG_BASE is answered and refused, and what a started ring is given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "handler_harness.h"

#define F_LOG_ALL (1ULL << VHOST_F_LOG_ALL)
#define LOG_BYTES 4096

static int setup_logs(void **state)
{
	return setup_opts(state, H_LOGS);
}

static int new_log_fd(size_t size)
{
	int fd = memfd_create("log", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	return fd;
}

/* SET_LOG_BASE with LOG_SHMFD negotiated: the reply is mandatory and
 * header-only, taken or refused. */
static void set_log_base(struct h *h, uint64_t size, uint64_t offset, int fd)
{
	struct vhost_user_log l = {.mmap_size = size, .mmap_offset = offset};

	send_ok(h, VHOST_USER_SET_LOG_BASE, &l, sizeof(l), &fd, fd < 0 ? 0 : 1);
	expect_empty_reply(h, VHOST_USER_SET_LOG_BASE);
}

/* A device that does not log gets neither feature, nor F_LOG rings. */
static void test_not_offered_without_logging_device(void **state)
{
	struct h *h = *state;
	struct vhost_user_vring_addr a = ring_addr(0, GUEST_UVA);
	struct vhost_user_log l = {.mmap_size = LOG_BYTES};
	int fd = new_log_fd(LOG_BYTES);

	ready_guest(h);
	send_ok(h, VHOST_USER_GET_FEATURES, NULL, 0, NULL, 0);
	assert_false(recv_u64(h, VHOST_USER_GET_FEATURES) & F_LOG_ALL);
	a.flags = 1u << VHOST_VRING_F_LOG;
	assert_int_equal(send_acked(h, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0), ENOTSUP);
	assert_true(log_has("only with VHOST_F_LOG_ALL offered (it is not)"));
	/* SET_LOG_BASE is refused as before: a nack only when asked for. */
	assert_int_equal(send_acked(h, VHOST_USER_SET_LOG_BASE, &l, sizeof(l), &fd, 1), ENOTSUP);
	assert_true(log_has("without VHOST_USER_PROTOCOL_F_LOG_SHMFD negotiated"));
	assert_null(h->dev->log.bits);
}

static void negotiate_logging(struct h *h, uint64_t features)
{
	send_ok(h, VHOST_USER_GET_FEATURES, NULL, 0, NULL, 0);
	assert_int_equal(recv_u64(h, VHOST_USER_GET_FEATURES),
			 FAKE_FEATURES | F_PROTOCOL | F_LOG_ALL);
	send_ok(h, VHOST_USER_GET_PROTOCOL_FEATURES, NULL, 0, NULL, 0);
	assert_int_equal(recv_u64(h, VHOST_USER_GET_PROTOCOL_FEATURES), ALL_PF | PF(LOG_SHMFD));
	send_u64(h, VHOST_USER_SET_PROTOCOL_FEATURES,
		 PF(REPLY_ACK) | PF(LOG_SHMFD) | PF(RESET_DEVICE));
	send_ok(h, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0);
	assert_int_equal(send_acked(h, VHOST_USER_SET_FEATURES, &features, 8, NULL, 0), 0);
	make_guest(h);
	set_mem_table(h, &h->guest, 1);
}

static void test_set_log_base(void **state)
{
	struct h *h = *state;
	uint8_t *bits;

	negotiate_logging(h, FAKE_FEATURES | F_PROTOCOL | F_LOG_ALL);
	/* VHOST_F_LOG_ALL is the library's, not the device's. */
	assert_int_equal(h->fake.acked, FAKE_FEATURES);

	set_log_base(h, LOG_BYTES, 0, new_log_fd(LOG_BYTES));
	assert_non_null(h->dev->log.bits);
	assert_int_equal(h->dev->log.size, LOG_BYTES);
	bits = h->dev->log.bits;

	/* Refused, each with its section; the log in use stays. */
	set_log_base(h, 0, 0, new_log_fd(LOG_BYTES));
	assert_true(log_has("\"Log description\": log size 0"));
	set_log_base(h, LOG_BYTES, 0, -1);
	assert_true(log_has("0 fds, expected 1"));
	set_log_base(h, LOG_BYTES, 1, new_log_fd(LOG_BYTES));
	assert_true(log_has("runs past the end of the fd"));
	/* 64 pages of guest memory need 8 bytes of log. */
	set_log_base(h, 7, 0, new_log_fd(LOG_BYTES));
	assert_true(log_has("does not cover guest memory"));
	assert_ptr_equal(h->dev->log.bits, bits);

	/* A new one replaces it (at an offset of its fd). */
	set_log_base(h, 8, 100, new_log_fd(LOG_BYTES));
	assert_int_equal(h->dev->log.size, 8);

	/* RESET_DEVICE drops it. */
	assert_int_equal(send_acked(h, VHOST_USER_RESET_DEVICE, NULL, 0, NULL, 0), 0);
	assert_null(h->dev->log.bits);
}

/* A started ring gets the log with LOG_ALL negotiated, its used ring's
 * too with F_LOG; a used ring past the log's end is refused. */
static void test_ring_gets_log(void **state)
{
	struct h *h = *state;
	struct vhost_user_vring_addr a = ring_addr(0, GUEST_UVA);
	uint64_t last_page = LOG_BYTES * 8 - 1;
	struct vhost_vring *v;

	negotiate_logging(h, FAKE_FEATURES | F_PROTOCOL | F_LOG_ALL);
	set_log_base(h, LOG_BYTES, 0, new_log_fd(LOG_BYTES));
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_NUM, 0, RING_NUM), 0);
	a.flags = 1u << VHOST_VRING_F_LOG;
	/* "the bit offset of the last byte of the ring must fall within the
	 * size supplied by VhostUserLog". */
	a.log_guest_addr = (last_page + 1) * 0x1000 - virtq_used_bytes(RING_NUM) + 1;
	assert_int_equal(send_acked(h, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0), ERANGE);
	assert_true(log_has("the bit offset of the last byte of the ring must fall within"));
	a.log_guest_addr = (last_page + 1) * 0x1000 - virtq_used_bytes(RING_NUM);
	assert_int_equal(send_acked(h, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0), 0);
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_ENABLE, 0, 1), 0);
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_KICK, 0, -1), 0);
	assert_int_equal(started(h), 1);
	v = h->fake.rings[0].vring;
	assert_ptr_equal(v->log, &h->dev->log);
	assert_true(v->log_used);
	assert_int_equal(v->log_used_gpa, a.log_guest_addr);

	/* LOG_ALL off (SET_FEATURES stops and restarts the ring): no log. */
	assert_int_equal(send_acked(h, VHOST_USER_SET_FEATURES,
				    &(uint64_t){FAKE_FEATURES | F_PROTOCOL}, 8, NULL, 0),
			 0);
	assert_int_equal(started(h), 1);
	assert_null(h->fake.rings[0].vring->log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_not_offered_without_logging_device, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_set_log_base, setup_logs, teardown),
	    cmocka_unit_test_setup_teardown(test_ring_gets_log, setup_logs, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
