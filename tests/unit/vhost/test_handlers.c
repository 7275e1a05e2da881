/* SPDX-License-Identifier: MIT */
/*
 * The checks every message gets before its handler (header, payload size,
 * fds, vring index, protocol-feature gates), REPLY_ACK, and the answers of
 * the device-level handlers: features, config, status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "handler_harness.h"

static void test_features(void **state)
{
	struct h *h = *state;
	struct vhost_dev_info info;

	negotiate(h, FAKE_FEATURES | F_PROTOCOL, PF(REPLY_ACK));
	assert_int_equal(h->fake.acked, FAKE_FEATURES); /* bit 30 is ours, not the device's */
	vhost_dev_get_info(h->dev, &info);
	assert_int_equal(info.features, FAKE_FEATURES | F_PROTOCOL);
	assert_int_equal(info.protocol_features, PF(REPLY_ACK));

	/* A bit that was not offered: nack, nothing changes. */
	assert_int_equal(send_acked(h, VHOST_USER_SET_FEATURES,
				    &(uint64_t){VIRTIO_BIT(VIRTIO_F_RING_PACKED)}, 8, NULL, 0),
			 EINVAL);
	assert_true(log_has("were not offered"));
	assert_int_equal(send_acked(h, VHOST_USER_SET_PROTOCOL_FEATURES,
				    &(uint64_t){PF(REPLY_ACK) | PF(LOG_SHMFD)}, 8, NULL, 0),
			 EINVAL);
	vhost_dev_get_info(h->dev, &info);
	assert_int_equal(info.features, FAKE_FEATURES | F_PROTOCOL);
	assert_int_equal(info.protocol_features, PF(REPLY_ACK));
	assert_int_equal(h->fake.acked, FAKE_FEATURES);
}

static void test_reply_ack_off_and_on(void **state)
{
	struct h *h = *state;

	/* Not negotiated: NEED_REPLY is ignored, and strict mode says so. */
	send_u64(h, VHOST_USER_SET_PROTOCOL_FEATURES, PF(MQ));
	assert_int_equal(send_msg(h, VHOST_USER_SET_OWNER,
				  VHOST_USER_VERSION | VHOST_USER_NEED_REPLY_MASK, NULL, 0, NULL,
				  0),
			 0);
	expect_no_reply(h);
	assert_true(log_has("finding: vhost-user.rst \"VHOST_USER_PROTOCOL_F_REPLY_ACK\""));
	/* Messages with replies of their own answer either way. */
	send_ok(h, VHOST_USER_GET_QUEUE_NUM, NULL, 0, NULL, 0);
	assert_int_equal(recv_u64(h, VHOST_USER_GET_QUEUE_NUM), MAX_QUEUES);

	send_u64(h, VHOST_USER_SET_PROTOCOL_FEATURES, PF(MQ) | PF(REPLY_ACK));
	assert_int_equal(send_acked(h, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0), 0);
	/* Without NEED_REPLY there is still no reply. */
	send_ok(h, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0);
	expect_no_reply(h);
	/* A message with its own reply gets no extra ack. */
	assert_int_equal(send_msg(h, VHOST_USER_GET_QUEUE_NUM,
				  VHOST_USER_VERSION | VHOST_USER_NEED_REPLY_MASK, NULL, 0, NULL,
				  0),
			 0);
	assert_int_equal(recv_u64(h, VHOST_USER_GET_QUEUE_NUM), MAX_QUEUES);
	expect_no_reply(h);
}

static void test_malformed_header_closes(void **state)
{
	struct h *h = *state;
	int efd = new_eventfd();

	assert_int_equal(send_msg(h, VHOST_USER_SET_OWNER, 2, NULL, 0, &efd, 1), -EPROTO);
	assert_false(fd_open(efd));
	assert_true(log_has("vhost-user.rst \"Header\": VHOST_USER_SET_OWNER has version 2"));
	assert_int_equal(send_msg(h, VHOST_USER_SET_OWNER, 0, NULL, 0, NULL, 0), -EPROTO);
	efd = new_eventfd();
	assert_int_equal(send_msg(h, VHOST_USER_GET_FEATURES,
				  VHOST_USER_VERSION | VHOST_USER_REPLY_MASK, NULL, 0, &efd, 1),
			 -EPROTO);
	assert_false(fd_open(efd));
	assert_true(log_has("has the reply flag"));
	assert_int_equal(send_msg(h, VHOST_USER_SET_CONFIG, VHOST_USER_VERSION, NULL,
				  VHOST_USER_MAX_PAYLOAD + 1, NULL, 0),
			 -EMSGSIZE);
	expect_no_reply(h);
}

static void test_unknown_requests(void **state)
{
	struct h *h = *state;
	const uint32_t unknown[] = {VHOST_USER_NONE, VHOST_USER_REQUEST_MAX, 1000, 0xffffffff};
	int efd;

	send_u64(h, VHOST_USER_SET_PROTOCOL_FEATURES, PF(REPLY_ACK));
	for (unsigned i = 0; i < ARRAY_SIZE(unknown); i++) {
		efd = new_eventfd();
		assert_int_equal(send_acked(h, unknown[i], "abcd", 4, &efd, 1), ENOTSUP);
		assert_false(fd_open(efd));
		/* Without NEED_REPLY: nothing, and the connection stays. */
		assert_int_equal(send_msg(h, unknown[i], VHOST_USER_VERSION, NULL, 0, NULL, 0), 0);
		expect_no_reply(h);
	}
	assert_true(log_has("vhost-user.rst \"Front-end message types\": unknown request 1000"));
	/* Known but not implemented: answered, fds closed. */
	efd = new_eventfd();
	assert_int_equal(send_acked(h, VHOST_USER_SET_LOG_FD, NULL, 0, &efd, 1), ENOTSUP);
	assert_false(fd_open(efd));
	assert_true(log_has("VHOST_USER_SET_LOG_FD not supported"));
	/* Unsupported requests whose reply the spec mandates answer a failure. */
	send_ok(h, VHOST_USER_IOTLB_MSG, "0123456789abcdef", 16, NULL, 0);
	assert_int_not_equal(recv_u64(h, VHOST_USER_IOTLB_MSG), 0);
	send_ok(h, VHOST_USER_POSTCOPY_END, NULL, 0, NULL, 0);
	assert_int_not_equal(recv_u64(h, VHOST_USER_POSTCOPY_END), 0);
}

static void test_payload_sizes(void **state)
{
	static const struct {
		uint32_t request;
		uint32_t size;
		bool exact;
		bool own_reply;
	} cases[] = {
	    {VHOST_USER_GET_FEATURES, 0, true, true},
	    {VHOST_USER_SET_FEATURES, 8, true, false},
	    {VHOST_USER_SET_OWNER, 0, true, false},
	    {VHOST_USER_RESET_OWNER, 0, true, false},
	    {VHOST_USER_SET_MEM_TABLE, 8, false, false},
	    {VHOST_USER_SET_VRING_NUM, 8, true, false},
	    {VHOST_USER_SET_VRING_ADDR, 40, true, false},
	    {VHOST_USER_SET_VRING_BASE, 8, true, false},
	    {VHOST_USER_GET_VRING_BASE, 8, true, true},
	    {VHOST_USER_SET_VRING_KICK, 8, true, false},
	    {VHOST_USER_SET_VRING_CALL, 8, true, false},
	    {VHOST_USER_SET_VRING_ERR, 8, true, false},
	    {VHOST_USER_GET_PROTOCOL_FEATURES, 0, true, true},
	    {VHOST_USER_SET_PROTOCOL_FEATURES, 8, true, false},
	    {VHOST_USER_GET_QUEUE_NUM, 0, true, true},
	    {VHOST_USER_SET_VRING_ENABLE, 8, true, false},
	    {VHOST_USER_GET_CONFIG, 12, false, true},
	    {VHOST_USER_SET_CONFIG, 12, false, false},
	    {VHOST_USER_RESET_DEVICE, 0, true, false},
	    {VHOST_USER_GET_MAX_MEM_SLOTS, 0, true, true},
	    {VHOST_USER_ADD_MEM_REG, 40, true, false},
	    {VHOST_USER_REM_MEM_REG, 40, true, false},
	    {VHOST_USER_SET_STATUS, 8, true, false},
	    {VHOST_USER_GET_STATUS, 0, true, true},
	};
	struct h *h = *state;
	uint8_t payload[64] = {0};

	send_u64(h, VHOST_USER_SET_PROTOCOL_FEATURES, ALL_PF);
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t sizes[2] = {cases[i].size - 1, cases[i].size + 1};

		for (unsigned s = 0; s < 2; s++) {
			uint32_t flags = VHOST_USER_VERSION | VHOST_USER_NEED_REPLY_MASK;
			int efd = new_eventfd();
			unsigned nfds = cases[i].request == VHOST_USER_ADD_MEM_REG;

			if ((s == 0 && cases[i].size == 0) || (s == 1 && !cases[i].exact)) {
				close(efd);
				continue;
			}
			assert_int_equal(
			    send_msg(h, cases[i].request, flags, payload, sizes[s], &efd, nfds), 0);
			if (cases[i].own_reply)
				expect_empty_reply(h, cases[i].request);
			else
				assert_int_equal(recv_u64(h, cases[i].request), EINVAL);
			expect_no_reply(h);
			if (nfds)
				assert_false(fd_open(efd));
			else
				close(efd);
		}
	}
	assert_true(log_has("\"Front-end message types\": VHOST_USER_SET_VRING_ADDR payload size "
			    "41, expected 40"));
	assert_true(log_has("VHOST_USER_SET_MEM_TABLE payload size 7, expected at least 8"));
}

static void test_fd_counts(void **state)
{
	struct h *h = *state;
	struct vhost_user_mem_reg reg = {
	    .region = {.guest_phys_addr = 0, .memory_size = 4096, .userspace_addr = GUEST_UVA}};
	struct vhost_user_memory m = {.nregions = 1, .regions[0] = reg.region};
	int fds[2];

	send_u64(h, VHOST_USER_SET_PROTOCOL_FEATURES, ALL_PF);
	make_guest(h);
	/* An fd where none belongs. */
	fds[0] = new_eventfd();
	assert_int_equal(send_acked(h, VHOST_USER_SET_FEATURES, &(uint64_t){0}, 8, fds, 1), EINVAL);
	assert_false(fd_open(fds[0]));
	assert_true(log_has("VHOST_USER_SET_FEATURES carries 1 fds, expected 0 to 0"));
	/* ADD_MEM_REG: exactly one. */
	assert_int_equal(send_acked(h, VHOST_USER_ADD_MEM_REG, &reg, sizeof(reg), NULL, 0), EINVAL);
	fds[0] = dup(h->guest.fd);
	fds[1] = dup(h->guest.fd);
	assert_int_equal(send_acked(h, VHOST_USER_ADD_MEM_REG, &reg, sizeof(reg), fds, 2), EINVAL);
	assert_false(fd_open(fds[0]));
	assert_false(fd_open(fds[1]));
	/* SET_MEM_TABLE: one per region. */
	fds[0] = dup(h->guest.fd);
	fds[1] = dup(h->guest.fd);
	assert_int_equal(send_acked(h, VHOST_USER_SET_MEM_TABLE, &m, 8 + 32, fds, 2), EINVAL);
	assert_true(log_has("1 regions but 2 fds"));
	assert_int_equal(send_acked(h, VHOST_USER_SET_MEM_TABLE, &m, 8 + 32, NULL, 0), EINVAL);
	/* Kick/call/err: an fd, or NOFD and none. */
	assert_int_equal(send_acked(h, VHOST_USER_SET_VRING_KICK, &(uint64_t){0}, 8, NULL, 0),
			 EINVAL);
	fds[0] = new_eventfd();
	assert_int_equal(send_acked(h, VHOST_USER_SET_VRING_CALL,
				    &(uint64_t){VHOST_USER_VRING_NOFD_MASK}, 8, fds, 1),
			 EINVAL);
	assert_false(fd_open(fds[0]));
	assert_true(log_has("invalid-FD flag set but 1 fds"));
	fds[0] = new_eventfd();
	fds[1] = new_eventfd();
	assert_int_equal(send_acked(h, VHOST_USER_SET_VRING_ERR, &(uint64_t){0}, 8, fds, 2),
			 EINVAL);
	assert_false(fd_open(fds[0]) || fd_open(fds[1]));
	/* More fds than a message can carry: all closed, the connection is
	 * to be dropped. */
	{
		int many[VHOST_USER_MAX_FDS + 1];

		for (unsigned i = 0; i < ARRAY_SIZE(many); i++)
			many[i] = new_eventfd();
		assert_int_equal(send_msg(h, VHOST_USER_SET_OWNER, VHOST_USER_VERSION, NULL, 0,
					  many, ARRAY_SIZE(many)),
				 -EPROTO);
		for (unsigned i = 0; i < ARRAY_SIZE(many); i++)
			assert_false(fd_open(many[i]));
	}
	/* A good ADD_MEM_REG keeps its fd; REM_MEM_REG closes one it gets. */
	fds[0] = dup(h->guest.fd);
	assert_int_equal(send_acked(h, VHOST_USER_ADD_MEM_REG, &reg, sizeof(reg), fds, 1), 0);
	assert_true(fd_open(fds[0]));
	fds[1] = new_eventfd();
	assert_int_equal(send_acked(h, VHOST_USER_REM_MEM_REG, &reg, sizeof(reg), &fds[1], 1), 0);
	assert_false(fd_open(fds[1]));
	/* The table's fd went with the region. */
	assert_false(fd_open(fds[0]));
}

static void test_vring_index(void **state)
{
	struct h *h = *state;
	int efd = new_eventfd();

	send_u64(h, VHOST_USER_SET_PROTOCOL_FEATURES, PF(REPLY_ACK));
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_NUM, MAX_QUEUES, 8), EINVAL);
	assert_true(log_has("\"Multiple queue support\": VHOST_USER_SET_VRING_NUM vring index 4, "
			    "the back-end has 4 queues"));
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_KICK, 255, efd), EINVAL);
	assert_false(fd_open(efd));
	send_state(h, VHOST_USER_GET_VRING_BASE, 99, 0);
	expect_empty_reply(h, VHOST_USER_GET_VRING_BASE);
	/* The last valid index works. */
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_NUM, MAX_QUEUES - 1, 8), 0);
}

static void test_protocol_feature_gates(void **state)
{
	struct h *h = *state;
	struct vhost_user_config cfg = {.size = 8};

	send_u64(h, VHOST_USER_SET_PROTOCOL_FEATURES, PF(REPLY_ACK));
	send_ok(h, VHOST_USER_GET_CONFIG, &cfg, 12 + 8, NULL, 0);
	expect_empty_reply(h, VHOST_USER_GET_CONFIG);
	assert_true(log_has("\"VHOST_USER_GET_CONFIG\": only valid once protocol features 0x200"));
	send_ok(h, VHOST_USER_GET_QUEUE_NUM, NULL, 0, NULL, 0);
	expect_empty_reply(h, VHOST_USER_GET_QUEUE_NUM);
	assert_int_equal(send_acked(h, VHOST_USER_RESET_DEVICE, NULL, 0, NULL, 0), ENOTSUP);
	assert_int_equal(send_acked(h, VHOST_USER_SET_STATUS, &(uint64_t){1}, 8, NULL, 0), ENOTSUP);
	send_ok(h, VHOST_USER_GET_MAX_MEM_SLOTS, NULL, 0, NULL, 0);
	expect_empty_reply(h, VHOST_USER_GET_MAX_MEM_SLOTS);
}

static void test_get_config(void **state)
{
	struct h *h = *state;
	struct vhost_user_config cfg = {0};
	struct vhost_msg msg;

	send_u64(h, VHOST_USER_SET_PROTOCOL_FEATURES, PF(REPLY_ACK) | PF(CONFIG));
	/* QEMU asks the struct size. */
	cfg.size = FAKE_CONFIG_LEN;
	send_ok(h, VHOST_USER_GET_CONFIG, &cfg, 12 + FAKE_CONFIG_LEN, NULL, 0);
	recv_reply(h, VHOST_USER_GET_CONFIG, &msg);
	assert_int_equal(msg.hdr.size, 12 + FAKE_CONFIG_LEN);
	assert_int_equal(msg.payload.config.size, FAKE_CONFIG_LEN);
	assert_memory_equal(msg.payload.config.region, h->fake.config, FAKE_CONFIG_LEN);
	/* SPDK asks 256: the bytes that exist, then zeros. */
	cfg.size = 256;
	send_ok(h, VHOST_USER_GET_CONFIG, &cfg, 12 + 256, NULL, 0);
	recv_reply(h, VHOST_USER_GET_CONFIG, &msg);
	assert_int_equal(msg.hdr.size, 12 + 256);
	assert_memory_equal(msg.payload.config.region, h->fake.config, FAKE_CONFIG_LEN);
	for (unsigned i = FAKE_CONFIG_LEN; i < 256; i++)
		assert_int_equal(msg.payload.config.region[i], 0);
	/* An offset. */
	cfg.offset = 8;
	cfg.size = 8;
	send_ok(h, VHOST_USER_GET_CONFIG, &cfg, 12 + 8, NULL, 0);
	recv_reply(h, VHOST_USER_GET_CONFIG, &msg);
	assert_int_equal(msg.hdr.size, 20);
	assert_memory_equal(msg.payload.config.region, h->fake.config + 8, 8);
	/* Errors answer an empty payload ("VHOST_USER_GET_CONFIG"). */
	cfg.offset = 250;
	cfg.size = 8;
	send_ok(h, VHOST_USER_GET_CONFIG, &cfg, 12 + 8, NULL, 0);
	expect_empty_reply(h, VHOST_USER_GET_CONFIG);
	assert_true(log_has("\"Virtio device config space\": offset 250 size 8"));
	cfg.offset = 0;
	cfg.size = 9;
	send_ok(h, VHOST_USER_GET_CONFIG, &cfg, 12 + 8, NULL, 0);
	expect_empty_reply(h, VHOST_USER_GET_CONFIG);
	assert_true(log_has("payload size 20 does not match config size 9"));
}

static void test_set_config(void **state)
{
	struct h *h = *state;
	struct vhost_user_config cfg = {.offset = 4, .size = 3, .region = {7, 8, 9}};

	send_u64(h, VHOST_USER_SET_PROTOCOL_FEATURES, PF(REPLY_ACK) | PF(CONFIG));
	assert_int_equal(send_acked(h, VHOST_USER_SET_CONFIG, &cfg, 15, NULL, 0), 0);
	assert_int_equal(h->fake.written_offset, 4);
	assert_int_equal(h->fake.written_len, 3);
	assert_memory_equal(h->fake.written, ((uint8_t[]){7, 8, 9}), 3);
	cfg.flags = VHOST_USER_CONFIG_FLAG_MIGRATION;
	assert_int_equal(send_acked(h, VHOST_USER_SET_CONFIG, &cfg, 15, NULL, 0), 0);
	assert_int_equal(h->fake.written_flags, VHOST_USER_CONFIG_FLAG_MIGRATION);
	cfg.flags = 2;
	assert_int_equal(send_acked(h, VHOST_USER_SET_CONFIG, &cfg, 15, NULL, 0), EINVAL);
}

static void test_set_config_read_only(void **state)
{
	struct h *h = *state;
	struct vhost_user_config cfg = {.offset = 0, .size = 1};

	send_u64(h, VHOST_USER_SET_PROTOCOL_FEATURES, PF(REPLY_ACK) | PF(CONFIG));
	assert_int_equal(send_acked(h, VHOST_USER_SET_CONFIG, &cfg, 13, NULL, 0), EPERM);
	assert_true(log_has("read-only"));
}

static void test_status(void **state)
{
	struct h *h = *state;

	send_u64(h, VHOST_USER_SET_PROTOCOL_FEATURES, PF(REPLY_ACK) | PF(STATUS));
	assert_int_equal(send_acked(h, VHOST_USER_SET_STATUS, &(uint64_t){0x0f}, 8, NULL, 0), 0);
	send_ok(h, VHOST_USER_GET_STATUS, NULL, 0, NULL, 0);
	assert_int_equal(recv_u64(h, VHOST_USER_GET_STATUS), 0x0f);
	assert_int_equal(send_acked(h, VHOST_USER_SET_STATUS, &(uint64_t){0x100}, 8, NULL, 0),
			 EINVAL);
	send_ok(h, VHOST_USER_GET_STATUS, NULL, 0, NULL, 0);
	assert_int_equal(recv_u64(h, VHOST_USER_GET_STATUS), 0x0f);
}

static void test_strict_findings(void **state)
{
	struct h *h = *state;

	send_ok(h, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0);
	send_ok(h, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0);
	assert_true(log_has("finding: vhost-user.rst \"VHOST_USER_SET_OWNER\": sent twice"));
	send_state(h, VHOST_USER_SET_VRING_ENABLE, 0, 1);
	assert_true(log_has("finding: vhost-user.rst \"VHOST_USER_SET_VRING_ENABLE\""));
	assert_int_equal(
	    send_msg(h, VHOST_USER_SET_OWNER, VHOST_USER_VERSION | 0x100, NULL, 0, NULL, 0), 0);
	assert_true(log_has("undefined flag bits 0x100"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_features, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reply_ack_off_and_on, setup_strict, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_header_closes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_requests, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_payload_sizes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fd_counts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vring_index, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_protocol_feature_gates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_get_config, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_set_config, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_set_config_read_only, setup_read_only_config,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_status, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_strict_findings, setup_strict, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
