/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_UNIT_VHOST_HANDLER_HARNESS_H
#define STORLAB_TESTS_UNIT_VHOST_HANDLER_HARNESS_H

/*
 * Drives the back-end synchronously: a vhost_dev on one end of a socketpair,
 * messages handed to vhost_dev_handle_msg() one at a time, replies read from
 * the other end. Every test ends with the fd count it started with
 * (teardown). Shared by test_handlers.c and test_rings.c; include after
 * <cmocka.h>.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fake_dev.h"
#include "test_util.h"
#include "util/common.h"
#include "vhost/vhost_backend_internal.h"

#define PF(bit)	   (1ULL << VHOST_USER_PROTOCOL_F_##bit)
#define F_PROTOCOL (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)
#define ALL_PF                                                                                     \
	(PF(MQ) | PF(REPLY_ACK) | PF(CONFIG) | PF(CONFIGURE_MEM_SLOTS) | PF(RESET_DEVICE) |        \
	 PF(STATUS))
#define MAX_QUEUES 4
#define GUEST_UVA  0x7f0000000000ULL
#define GUEST_SIZE (4 * RING_STRIDE)

struct h {
	struct fake_dev fake;
	struct vhost_dev *dev;
	int peer; /* the front-end's end of the socketpair */
	int fds_before;
	struct guest_region guest;
	bool guest_made;
};

/* How the device under test is made. */
enum h_flags {
	H_STRICT = 1,	      /* strict mode: findings logged */
	H_NO_SET_CONFIG = 2,  /* a read-only config space */
	H_NO_SWAP = 4,	      /* a device that cannot swap a running ring's fds */
	H_LOGS = 8,	      /* a device that logs its writes (dirty logging) */
	H_TRACKS = 16,	      /* a device that tracks its requests in flight */
};

static inline int make_dev(struct h *h, unsigned flags)
{
	static struct vhost_dev_ops ops;
	struct vhost_dev_opts opts = {
	    .max_queues = MAX_QUEUES,
	    /* BACKEND_REQ is not implemented, LOG_SHMFD only for a device that
	     * logs its writes (H_LOGS), INFLIGHT_SHMFD for one that tracks
	     * (H_TRACKS): masked otherwise. */
	    .protocol_features = ALL_PF | PF(LOG_SHMFD) | PF(BACKEND_REQ) | PF(INFLIGHT_SHMFD),
	    .ops = &ops,
	    .ctx = &h->fake,
	    .strict = flags & H_STRICT,
	};
	int sv[2];

	ops = g_fake_ops;
	if (flags & H_NO_SET_CONFIG)
		ops.set_config = NULL;
	if (flags & H_NO_SWAP)
		ops.ring_swap_fds = NULL;
	ops.logs_writes = flags & H_LOGS;
	ops.tracks_inflight = flags & H_TRACKS;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	h->peer = sv[0];
	return vhost_dev_create_on_fd(&opts, sv[1], &h->dev);
}

static inline int setup_opts(void **state, unsigned flags)
{
	struct h *h = calloc(1, sizeof(*h));

	log_start();
	h->fds_before = count_fds();
	fake_init(&h->fake);
	if (make_dev(h, flags))
		return -1;
	*state = h;
	return 0;
}

static inline int setup(void **state)
{
	return setup_opts(state, 0);
}

static inline int setup_strict(void **state)
{
	return setup_opts(state, H_STRICT);
}

static inline int setup_read_only_config(void **state)
{
	return setup_opts(state, H_NO_SET_CONFIG);
}

static inline int setup_no_swap(void **state)
{
	return setup_opts(state, H_NO_SWAP);
}

static inline int teardown(void **state)
{
	struct h *h = *state;

	vhost_dev_destroy(h->dev);
	close(h->peer);
	if (h->guest_made)
		guest_region_fini(&h->guest);
	assert_int_equal(count_fds(), h->fds_before);
	free(h);
	return 0;
}

/* Hands one message to the back-end; fds are given away. */
static inline int send_msg(struct h *h, uint32_t request, uint32_t flags, const void *payload,
			   uint32_t size, int *fds, unsigned nfds)
{
	struct vhost_user_hdr hdr = {.request = request, .flags = flags, .size = size};

	return vhost_dev_handle_msg(h->dev, &hdr, payload, fds, nfds);
}

static inline void send_ok(struct h *h, uint32_t request, const void *payload, uint32_t size,
			   int *fds, unsigned nfds)
{
	assert_int_equal(send_msg(h, request, VHOST_USER_VERSION, payload, size, fds, nfds), 0);
}

static inline void send_u64(struct h *h, uint32_t request, uint64_t v)
{
	send_ok(h, request, &v, sizeof(v), NULL, 0);
}

static inline void send_state(struct h *h, uint32_t request, uint32_t index, uint32_t num)
{
	struct vhost_user_vring_state s = {.index = index, .num = num};

	send_ok(h, request, &s, sizeof(s), NULL, 0);
}

/* Reads the back-end's reply and checks its header. */
static inline void recv_reply(struct h *h, uint32_t request, struct vhost_msg *msg)
{
	assert_int_equal(vhost_msg_recv(h->peer, msg, 1000), 0);
	assert_int_equal(msg->hdr.request, request);
	assert_int_equal(msg->hdr.flags, VHOST_USER_VERSION | VHOST_USER_REPLY_MASK);
	assert_int_equal(msg->nfds, 0);
}

static inline uint64_t recv_u64(struct h *h, uint32_t request)
{
	struct vhost_msg msg;

	recv_reply(h, request, &msg);
	assert_int_equal(msg.hdr.size, 8);
	return msg.payload.u64;
}

/* A request sent with NEED_REPLY; returns the ack's value. */
static inline uint64_t send_acked(struct h *h, uint32_t request, const void *payload, uint32_t size,
				  int *fds, unsigned nfds)
{
	assert_int_equal(send_msg(h, request, VHOST_USER_VERSION | VHOST_USER_NEED_REPLY_MASK,
				  payload, size, fds, nfds),
			 0);
	return recv_u64(h, request);
}

static inline uint64_t send_state_acked(struct h *h, uint32_t request, uint32_t index, uint32_t num)
{
	struct vhost_user_vring_state s = {.index = index, .num = num};

	return send_acked(h, request, &s, sizeof(s), NULL, 0);
}

static inline void expect_no_reply(struct h *h)
{
	struct vhost_msg msg;

	assert_int_equal(vhost_msg_recv(h->peer, &msg, 0), -ETIMEDOUT);
}

static inline void expect_empty_reply(struct h *h, uint32_t request)
{
	struct vhost_msg msg;

	recv_reply(h, request, &msg);
	assert_int_equal(msg.hdr.size, 0);
}

static inline bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static inline int new_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	assert_true(fd >= 0);
	return fd;
}

/* GET/SET_FEATURES and GET/SET_PROTOCOL_FEATURES, then SET_OWNER. */
static inline void negotiate(struct h *h, uint64_t features, uint64_t protocol)
{
	send_ok(h, VHOST_USER_GET_FEATURES, NULL, 0, NULL, 0);
	assert_int_equal(recv_u64(h, VHOST_USER_GET_FEATURES), FAKE_FEATURES | F_PROTOCOL);
	send_ok(h, VHOST_USER_GET_PROTOCOL_FEATURES, NULL, 0, NULL, 0);
	assert_int_equal(recv_u64(h, VHOST_USER_GET_PROTOCOL_FEATURES), ALL_PF);
	send_u64(h, VHOST_USER_SET_PROTOCOL_FEATURES, protocol);
	send_ok(h, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0);
	send_u64(h, VHOST_USER_SET_FEATURES, features);
}

static inline void set_mem_table(struct h *h, struct guest_region *g, unsigned n)
{
	struct vhost_user_memory m = {.nregions = n};
	int fds[VHOST_USER_MEM_BASELINE_NREGIONS];

	for (unsigned i = 0; i < n; i++) {
		m.regions[i] = (struct vhost_user_mem_region){
		    .guest_phys_addr = g[i].r.gpa,
		    .memory_size = g[i].r.size,
		    .userspace_addr = g[i].r.uva,
		};
		fds[i] = dup(g[i].fd);
	}
	assert_int_equal(send_acked(h, VHOST_USER_SET_MEM_TABLE, &m, 8 + 32 * n, fds, n), 0);
}

/* One region holding every ring; ring i's desc[0] is marked 0x1000 + i. */
static inline void make_guest(struct h *h)
{
	guest_region_init(&h->guest, 0, GUEST_SIZE, GUEST_UVA);
	h->guest_made = true;
	for (uint32_t i = 0; i < MAX_QUEUES; i++)
		plant_desc0(&h->guest, i, 0x1000 + i);
}

/* NUM, BASE, ADDR for ring index (acked). */
static inline void configure_ring(struct h *h, uint32_t index, uint32_t base)
{
	struct vhost_user_vring_addr a = ring_addr(index, GUEST_UVA);

	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_NUM, index, RING_NUM), 0);
	assert_int_equal(send_state_acked(h, VHOST_USER_SET_VRING_BASE, index, base), 0);
	assert_int_equal(send_acked(h, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0), 0);
}

/* SET_VRING_KICK/CALL/ERR with an fd (given away), or NOFD for fd < 0. */
static inline uint64_t send_ring_fd(struct h *h, uint32_t request, uint32_t index, int fd)
{
	uint64_t v = index | (fd < 0 ? VHOST_USER_VRING_NOFD_MASK : 0);

	return send_acked(h, request, &v, sizeof(v), &fd, fd < 0 ? 0 : 1);
}

/* Features and REPLY_ACK negotiated, the guest's memory table set: rings
 * can start. */
static inline void ready_guest(struct h *h)
{
	negotiate(h, FAKE_FEATURES, PF(REPLY_ACK));
	make_guest(h);
	set_mem_table(h, &h->guest, 1);
}

/* Ring index configured at base and kicked without an fd (polled), once the
 * guest is ready: it starts. The fake's events so far are forgotten. */
static inline void start_ring(struct h *h, uint32_t index, uint32_t base)
{
	configure_ring(h, index, base);
	assert_int_equal(send_ring_fd(h, VHOST_USER_SET_VRING_KICK, index, -1), 0);
	fake_take_events(&h->fake);
}

static inline uint16_t started(struct h *h)
{
	struct vhost_dev_info info;

	vhost_dev_get_info(h->dev, &info);
	return info.rings_started;
}

#endif
