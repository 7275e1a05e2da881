/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user codec over a socketpair: whole messages with fds, partial
 * reads, oversized and fd-stuffed messages, peers that go away, timeouts.
 * Every case checks that no fd is leaked.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"
#include "vhost/vhost_msg.h"

struct pair {
	int a, b;
	int fds_before;
};

static int setup(void **state)
{
	static struct pair p;
	int sv[2];

	log_start();
	p.fds_before = count_fds();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	p.a = sv[0];
	p.b = sv[1];
	*state = &p;
	return 0;
}

static int teardown(void **state)
{
	struct pair *p = *state;

	if (p->a >= 0)
		close(p->a);
	if (p->b >= 0)
		close(p->b);
	assert_int_equal(count_fds(), p->fds_before);
	return 0;
}

static void test_roundtrip_with_fds(void **state)
{
	struct pair *p = *state;
	struct vhost_user_hdr hdr = {
	    .request = VHOST_USER_SET_MEM_TABLE, .flags = VHOST_USER_VERSION, .size = 40};
	uint8_t payload[40];
	int efd[3];
	struct vhost_msg msg;
	uint64_t v;

	for (unsigned i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 3 + 1);
	for (int i = 0; i < 3; i++)
		efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_int_equal(vhost_msg_send(p->a, &hdr, payload, efd, 3, 1000), 0);
	assert_int_equal(vhost_msg_recv(p->b, &msg, 1000), 0);
	assert_int_equal(msg.hdr.request, VHOST_USER_SET_MEM_TABLE);
	assert_int_equal(msg.hdr.flags, VHOST_USER_VERSION);
	assert_int_equal(msg.hdr.size, 40);
	assert_memory_equal(&msg.payload, payload, sizeof(payload));
	assert_int_equal(msg.nfds, 3);
	/* Each received fd is the same eventfd as the one sent, in order. */
	for (int i = 0; i < 3; i++) {
		assert_true(msg.fds[i] >= 0);
		assert_int_equal(fcntl(msg.fds[i], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
		assert_int_equal(eventfd_write(msg.fds[i], (eventfd_t)(i + 10)), 0);
		assert_int_equal(eventfd_read(efd[i], &v), 0);
		assert_int_equal(v, i + 10);
	}
	vhost_msg_close_fds(&msg);
	for (int i = 0; i < 3; i++)
		close(efd[i]);
}

/* The header and the payload trickle in; the fds came with the first byte. */
static void test_partial_reads(void **state)
{
	struct pair *p = *state;
	struct {
		struct vhost_user_hdr hdr;
		uint64_t u64;
	} __attribute__((packed)) wire = {
	    .hdr = {.request = VHOST_USER_SET_VRING_KICK, .flags = 1, .size = 8},
	    .u64 = 0x1234,
	};
	const uint8_t *bytes = (const uint8_t *)&wire;
	struct vhost_msg_rx rx = {0};
	int efd = eventfd(0, EFD_CLOEXEC);

	vhost_msg_rx_reset(&rx);
	assert_int_equal(vhost_msg_rx_step(&rx, p->b), -EAGAIN);
	send_raw_fds(p->a, bytes, 5, efd, 1);
	assert_int_equal(vhost_msg_rx_step(&rx, p->b), -EAGAIN);
	assert_int_equal(rx.state, VHOST_MSG_RX_HDR);
	assert_int_equal(write(p->a, bytes + 5, 10), 10);
	assert_int_equal(vhost_msg_rx_step(&rx, p->b), -EAGAIN);
	assert_int_equal(rx.state, VHOST_MSG_RX_PAYLOAD);
	assert_int_equal(write(p->a, bytes + 15, 5), 5);
	assert_int_equal(vhost_msg_rx_step(&rx, p->b), 1);
	assert_int_equal(rx.msg.hdr.request, VHOST_USER_SET_VRING_KICK);
	assert_int_equal(rx.msg.payload.u64, 0x1234);
	assert_int_equal(rx.msg.nfds, 1);
	/* Not taken: reset closes it. */
	vhost_msg_rx_reset(&rx);
	assert_int_equal(rx.msg.nfds, 0);
	close(efd);
}

static void test_zero_payload_and_two_messages(void **state)
{
	struct pair *p = *state;
	struct vhost_user_hdr h1 = {.request = VHOST_USER_GET_FEATURES, .flags = 1};
	struct vhost_user_hdr h2 = {.request = VHOST_USER_SET_FEATURES, .flags = 1, .size = 8};
	uint64_t f = 0xabcdef;
	struct vhost_msg msg;

	assert_int_equal(vhost_msg_send(p->a, &h1, NULL, NULL, 0, 1000), 0);
	assert_int_equal(vhost_msg_send(p->a, &h2, &f, NULL, 0, 1000), 0);
	assert_int_equal(vhost_msg_recv(p->b, &msg, 1000), 0);
	assert_int_equal(msg.hdr.request, VHOST_USER_GET_FEATURES);
	assert_int_equal(msg.hdr.size, 0);
	assert_int_equal(msg.payload.u64, 0);
	assert_int_equal(vhost_msg_recv(p->b, &msg, 1000), 0);
	assert_int_equal(msg.hdr.request, VHOST_USER_SET_FEATURES);
	assert_int_equal(msg.payload.u64, 0xabcdef);
	assert_int_equal(msg.nfds, 0);
}

static void test_oversized_payload(void **state)
{
	struct pair *p = *state;
	struct vhost_user_hdr hdr = {
	    .request = VHOST_USER_SET_CONFIG, .flags = 1, .size = VHOST_USER_MAX_PAYLOAD + 1};
	int efd = eventfd(0, EFD_CLOEXEC);
	struct vhost_msg msg;

	send_raw_fds(p->a, &hdr, sizeof(hdr), efd, 2);
	close(efd);
	assert_int_equal(vhost_msg_recv(p->b, &msg, 1000), -EMSGSIZE);
	assert_true(log_has("vhost-user.rst \"Header\""));
	/* The two received fds were closed: teardown counts. */
}

static void test_too_many_fds(void **state)
{
	struct pair *p = *state;
	struct vhost_user_hdr hdr = {.request = VHOST_USER_SET_MEM_TABLE, .flags = 1};
	int efd = eventfd(0, EFD_CLOEXEC);
	struct vhost_msg msg;

	send_raw_fds(p->a, &hdr, sizeof(hdr), efd, VHOST_USER_MAX_FDS + 1);
	close(efd);
	assert_int_equal(vhost_msg_recv(p->b, &msg, 1000), -EPROTO);
	assert_true(log_has("more than 8 fds"));
}

/* More fds than a message may carry: refused once the message is read to
 * its end, so the next message is read whole. */
static void test_too_many_fds_read_to_end(void **state)
{
	struct pair *p = *state;
	struct vhost_user_hdr hdr = {.request = VHOST_USER_SET_FEATURES, .flags = 1, .size = 8};
	uint8_t wire[sizeof(hdr) + 8] = {0};
	uint64_t f = 0x77;
	int efd = eventfd(0, EFD_CLOEXEC);
	struct vhost_msg msg;

	memcpy(wire, &hdr, sizeof(hdr));
	send_raw_fds(p->a, wire, sizeof(wire), efd, VHOST_USER_MAX_FDS + 1);
	close(efd);
	assert_int_equal(vhost_msg_send(p->a, &hdr, &f, NULL, 0, 1000), 0);
	assert_int_equal(vhost_msg_recv(p->b, &msg, 1000), -EPROTO);
	assert_int_equal(msg.hdr_len, sizeof(hdr));
	assert_int_equal(msg.payload_len, 8);
	assert_int_equal(msg.nfds, 0);
	assert_int_equal(vhost_msg_recv(p->b, &msg, 1000), 0);
	assert_int_equal(msg.payload.u64, 0x77);
}

/* A draining receiver reads an oversized payload to its end, keeps what
 * the codec holds, and says how much arrived; the stream stays in step.
 * Past drain_max the payload is not read. */
static void test_drain_oversized(void **state)
{
	struct pair *p = *state;
	struct vhost_user_hdr hdr = {.request = VHOST_USER_GET_CONFIG, .flags = 5, .size = 300};
	static uint8_t payload[300];
	uint64_t f = 0x99;
	struct vhost_msg msg;

	for (unsigned i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i + 1);
	assert_int_equal(vhost_msg_send(p->a, &hdr, payload, NULL, 0, 1000), 0);
	hdr = (struct vhost_user_hdr){.request = VHOST_USER_GET_FEATURES, .flags = 5, .size = 8};
	assert_int_equal(vhost_msg_send(p->a, &hdr, &f, NULL, 0, 1000), 0);
	assert_int_equal(vhost_msg_recv_drain(p->b, &msg, 4096, 1000), -EMSGSIZE);
	assert_int_equal(msg.hdr.size, 300);
	assert_int_equal(msg.payload_len, 300);
	assert_memory_equal(&msg.payload, payload, VHOST_USER_MAX_PAYLOAD);
	assert_int_equal(vhost_msg_recv_drain(p->b, &msg, 4096, 1000), 0);
	assert_int_equal(msg.payload.u64, 0x99);
	/* Past the bound: the header only. */
	hdr.size = 5000;
	assert_int_equal(send(p->a, &hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	assert_int_equal(vhost_msg_recv_drain(p->b, &msg, 4096, 1000), -EMSGSIZE);
	assert_int_equal(msg.hdr.size, 5000);
	assert_int_equal(msg.payload_len, 0);
}

static void test_exactly_max_fds(void **state)
{
	struct pair *p = *state;
	struct vhost_user_hdr hdr = {.request = VHOST_USER_SET_MEM_TABLE, .flags = 1};
	int efd = eventfd(0, EFD_CLOEXEC);
	struct vhost_msg msg;

	send_raw_fds(p->a, &hdr, sizeof(hdr), efd, VHOST_USER_MAX_FDS);
	close(efd);
	assert_int_equal(vhost_msg_recv(p->b, &msg, 1000), 0);
	assert_int_equal(msg.nfds, VHOST_USER_MAX_FDS);
	vhost_msg_close_fds(&msg);
}

/* The peer sends a header with an fd and half the payload, then dies. */
static void test_eof_mid_message(void **state)
{
	struct pair *p = *state;
	struct vhost_user_hdr hdr = {.request = VHOST_USER_SET_FEATURES, .flags = 1, .size = 8};
	int efd = eventfd(0, EFD_CLOEXEC);
	struct vhost_msg msg;

	send_raw_fds(p->a, &hdr, sizeof(hdr), efd, 1);
	close(efd);
	assert_int_equal(write(p->a, "abcd", 4), 4);
	close(p->a);
	p->a = -1;
	assert_int_equal(vhost_msg_recv(p->b, &msg, 1000), -ECONNRESET);
	/* What arrived, and nothing else. */
	assert_int_equal(msg.hdr_len, sizeof(hdr));
	assert_int_equal(msg.hdr.size, 8);
	assert_int_equal(msg.payload_len, 4);
	assert_memory_equal(&msg.payload, "abcd\0\0\0\0", 8);
	assert_int_equal(msg.nfds, 0);
}

/* Five bytes of a header, then the peer is gone: the header past them
 * reads as zero. */
static void test_eof_mid_header(void **state)
{
	struct pair *p = *state;
	struct vhost_user_hdr hdr = {.request = VHOST_USER_SET_FEATURES, .flags = 1, .size = 8};
	struct vhost_msg msg;

	assert_int_equal(write(p->a, &hdr, 5), 5);
	close(p->a);
	p->a = -1;
	assert_int_equal(vhost_msg_recv(p->b, &msg, 1000), -ECONNRESET);
	assert_int_equal(msg.hdr_len, 5);
	assert_int_equal(msg.hdr.request, VHOST_USER_SET_FEATURES);
	assert_int_equal(msg.hdr.flags, 1);
	assert_int_equal(msg.hdr.size, 0);
}

static void test_eof_between_messages(void **state)
{
	struct pair *p = *state;
	struct vhost_msg msg;

	close(p->a);
	p->a = -1;
	assert_int_equal(vhost_msg_recv(p->b, &msg, 1000), -ECONNRESET);
}

static void test_recv_timeout(void **state)
{
	struct pair *p = *state;
	struct vhost_user_hdr hdr = {.request = VHOST_USER_SET_FEATURES, .flags = 1, .size = 8};
	int efd = eventfd(0, EFD_CLOEXEC);
	struct vhost_msg msg;

	/* A header with an fd, the payload never comes. */
	send_raw_fds(p->a, &hdr, sizeof(hdr), efd, 1);
	close(efd);
	assert_int_equal(vhost_msg_recv(p->b, &msg, 30), -ETIMEDOUT);
}

static void test_send_to_gone_peer(void **state)
{
	struct pair *p = *state;
	struct vhost_user_hdr hdr = {.request = VHOST_USER_GET_FEATURES, .flags = 1};
	int ret;

	close(p->b);
	p->b = -1;
	/* MSG_NOSIGNAL: an error, not a SIGPIPE that would kill the test. */
	ret = vhost_msg_send(p->a, &hdr, NULL, NULL, 0, 1000);
	assert_true(ret == -EPIPE || ret == -ECONNRESET);
}

static void test_send_bad_args(void **state)
{
	struct pair *p = *state;
	struct vhost_user_hdr hdr = {.request = VHOST_USER_SET_FEATURES, .flags = 1, .size = 8};
	int fds[VHOST_USER_MAX_FDS + 1] = {0};

	assert_int_equal(vhost_msg_send(p->a, &hdr, NULL, NULL, 0, 1000), -EINVAL);
	hdr.size = 0;
	assert_int_equal(vhost_msg_send(p->a, &hdr, NULL, fds, VHOST_USER_MAX_FDS + 1, 1000),
			 -EINVAL);
}

/* A reader that never reads: the sender waits, then gives up. */
static void test_send_timeout_when_full(void **state)
{
	struct pair *p = *state;
	struct vhost_user_hdr hdr = {
	    .request = VHOST_USER_SET_CONFIG, .flags = 1, .size = VHOST_USER_MAX_PAYLOAD};
	static uint8_t payload[VHOST_USER_MAX_PAYLOAD];
	int sndbuf = 4096;
	int ret = 0;
	int sent = 0;

	setsockopt(p->a, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	while (ret == 0 && sent < 100000) {
		ret = vhost_msg_send(p->a, &hdr, payload, NULL, 0, 20);
		sent++;
	}
	assert_int_equal(ret, -ETIMEDOUT);
	assert_true(sent > 1);
}

static void test_request_names(void **state)
{
	(void)state;
	assert_string_equal(vhost_msg_request_name(VHOST_USER_GET_VRING_BASE),
			    "VHOST_USER_GET_VRING_BASE");
	assert_string_equal(vhost_msg_request_name(VHOST_USER_CHECK_DEVICE_STATE),
			    "VHOST_USER_CHECK_DEVICE_STATE");
	assert_string_equal(vhost_msg_request_name(0), "unknown");
	assert_string_equal(vhost_msg_request_name(VHOST_USER_REQUEST_MAX), "unknown");
	assert_string_equal(vhost_msg_request_name(0xffffffff), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_roundtrip_with_fds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_partial_reads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_zero_payload_and_two_messages, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_oversized_payload, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many_fds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many_fds_read_to_end, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_drain_oversized, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exactly_max_fds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_eof_mid_message, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_eof_mid_header, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_eof_between_messages, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_recv_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_send_to_gone_peer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_send_bad_args, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_send_timeout_when_full, setup, teardown),
	    cmocka_unit_test(test_request_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
