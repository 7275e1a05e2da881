/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the vhost-user suite: connections negotiated as QEMU does,
 * guest memory, raw requests, and the suite's readings of "refused"
 * (suite_vhost_user.h).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conformance/suite_vhost_user.h"
#include "spec/virtio.h"
#include "vhost/vhost_msg.h"

int vu_mem_create(struct conform_ctx *ctx, struct vu_mem *m, uint64_t size)
{
	int ret;

	m->fd = memfd_create("vu-guest", MFD_CLOEXEC);
	if (m->fd < 0)
		goto fail;
	if (ftruncate(m->fd, (off_t)size) < 0)
		goto fail;
	m->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (m->base == MAP_FAILED)
		goto fail;
	m->size = size;
	return 0;
fail:
	ret = -errno;
	conform_error(ctx, "guest memory of %llu bytes: %s", (unsigned long long)size,
		      strerror(errno));
	return ret;
}

struct vhost_fe_region vu_mem_region(const struct vu_mem *m, uint64_t gpa)
{
	return (struct vhost_fe_region){
	    .gpa = gpa, .size = m->size, .uva = (uint64_t)(uintptr_t)m->base, .fd = m->fd};
}

static int setup_failed(struct conform_ctx *ctx, const char *what, int ret)
{
	conform_error(ctx, "set-up: %s failed: %s", what, strerror(-ret));
	return ret < 0 ? ret : -EIO;
}

int vu_open(struct conform_ctx *ctx, uint64_t want_pf, struct vu_conn *c)
{
	uint64_t offered, pf = 0;
	int ret;

	memset(c, 0, sizeof(*c));
	ret = conform_connect(ctx, &c->fe);
	if (ret < 0)
		return setup_failed(ctx, "connect", ret);
	ret = vhost_fe_get_features(c->fe, &offered);
	if (ret < 0)
		return setup_failed(ctx, "VHOST_USER_GET_FEATURES", ret);
	if (offered & VU_F_PROTOCOL_FEATURES) {
		ret = vhost_fe_get_protocol_features(c->fe, &pf);
		if (ret < 0)
			return setup_failed(ctx, "VHOST_USER_GET_PROTOCOL_FEATURES", ret);
		c->pfeatures = pf & want_pf;
		ret = vhost_fe_set_protocol_features(c->fe, c->pfeatures);
		if (ret < 0)
			return setup_failed(ctx, "VHOST_USER_SET_PROTOCOL_FEATURES", ret);
	}
	ret = vhost_fe_set_owner(c->fe);
	if (ret < 0)
		return setup_failed(ctx, "VHOST_USER_SET_OWNER", ret);
	c->features = offered & (VIRTIO_BIT(VIRTIO_F_VERSION_1) | VU_F_PROTOCOL_FEATURES);
	ret = vhost_fe_set_features(c->fe, c->features);
	if (ret < 0)
		return setup_failed(ctx, "VHOST_USER_SET_FEATURES", ret);
	return 0;
}

int vu_open_mem(struct conform_ctx *ctx, uint64_t want_pf, struct vu_conn *c, struct vu_mem *m)
{
	struct vhost_fe_region r;
	int ret = vu_mem_create(ctx, m, VU_MEM_SIZE);

	if (ret == 0)
		ret = vu_open(ctx, want_pf, c);
	if (ret < 0)
		return ret;
	r = vu_mem_region(m, 0);
	ret = vhost_fe_set_mem_table(c->fe, &r, 1);
	if (ret < 0)
		return setup_failed(ctx, "VHOST_USER_SET_MEM_TABLE", ret);
	return 0;
}

void vu_close(struct vu_conn *c)
{
	vhost_fe_close(c->fe);
	c->fe = NULL;
}

struct vhost_user_vring_addr vu_ring_addr(const struct vu_mem *m, uint32_t q)
{
	uint64_t base = (uint64_t)(uintptr_t)m->base + q * 0x4000ULL;

	return (struct vhost_user_vring_addr){
	    .index = q,
	    .desc_user_addr = base + VU_RING_DESC,
	    .avail_user_addr = base + VU_RING_AVAIL,
	    .used_user_addr = base + VU_RING_USED,
	};
}

/* The idx fields of a split ring (virtio 1.2 §2.7.6, §2.7.8): the second
 * u16 of the available and of the used ring. */
static void ring_set_idx(const struct vu_mem *m, uint32_t q, uint16_t idx)
{
	uint8_t *ring = m->base + q * 0x4000ULL;

	memcpy(ring + VU_RING_AVAIL + 2, &idx, sizeof(idx));
	memcpy(ring + VU_RING_USED + 2, &idx, sizeof(idx));
}

static int ring_fd_step(struct conform_ctx *ctx, struct vu_conn *c, uint32_t request, uint32_t q)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int ret;

	if (fd < 0)
		return setup_failed(ctx, "eventfd", -errno);
	switch (request) {
	case VHOST_USER_SET_VRING_KICK:
		ret = vhost_fe_set_vring_kick(c->fe, q, fd);
		break;
	case VHOST_USER_SET_VRING_CALL:
		ret = vhost_fe_set_vring_call(c->fe, q, fd);
		break;
	default:
		ret = vhost_fe_set_vring_err(c->fe, q, fd);
		break;
	}
	/* The back-end has its own copy; ours is not needed by the case. */
	close(fd);
	return ret < 0 ? setup_failed(ctx, vhost_msg_request_name(request), ret) : 0;
}

int vu_ring_setup(struct conform_ctx *ctx, struct vu_conn *c, const struct vu_mem *m, uint32_t q,
		  uint16_t base, bool kick)
{
	struct vhost_user_vring_addr addr = vu_ring_addr(m, q);
	int ret;

	ring_set_idx(m, q, base);
	ret = vhost_fe_set_vring_num(c->fe, q, VU_RING_NUM);
	if (ret < 0)
		return setup_failed(ctx, "VHOST_USER_SET_VRING_NUM", ret);
	ret = vhost_fe_set_vring_addr(c->fe, &addr);
	if (ret < 0)
		return setup_failed(ctx, "VHOST_USER_SET_VRING_ADDR", ret);
	ret = vhost_fe_set_vring_base(c->fe, q, base);
	if (ret < 0)
		return setup_failed(ctx, "VHOST_USER_SET_VRING_BASE", ret);
	if (!kick)
		return 0;
	ret = ring_fd_step(ctx, c, VHOST_USER_SET_VRING_KICK, q);
	if (ret == 0)
		ret = ring_fd_step(ctx, c, VHOST_USER_SET_VRING_CALL, q);
	if (ret == 0)
		ret = ring_fd_step(ctx, c, VHOST_USER_SET_VRING_ERR, q);
	if (ret == 0 && (c->features & VU_F_PROTOCOL_FEATURES)) {
		ret = vhost_fe_set_vring_enable(c->fe, q, true);
		if (ret < 0)
			return setup_failed(ctx, "VHOST_USER_SET_VRING_ENABLE", ret);
	}
	return ret;
}

int vu_send(struct vu_conn *c, uint32_t request, uint32_t flags, const void *payload,
	    uint32_t size, const int *fds, unsigned nfds)
{
	struct vhost_user_hdr hdr = {.request = request, .flags = flags, .size = size};

	return vhost_fe_send_raw(c->fe, &hdr, payload, fds, nfds);
}

int vu_recv(struct conform_ctx *ctx, struct vu_conn *c, struct vhost_user_hdr *hdr, void *payload,
	    uint32_t max)
{
	int ret = vhost_fe_recv_raw(c->fe, hdr, payload, max, conform_timeout_ms(ctx));

	if (ret == -EPIPE || ret == -ECONNRESET)
		return -ECONNRESET;
	return ret;
}

const char *vu_answer_name(enum vu_answer a)
{
	static const char *const names[] = {
	    [VU_ACK] = "ack 0",
	    [VU_NACK] = "non-zero ack",
	    [VU_CLOSED] = "connection closed",
	    [VU_SILENT] = "no reply",
	    [VU_BAD_REPLY] = "malformed reply",
	};

	return names[a];
}

enum vu_answer vu_request_ack(struct conform_ctx *ctx, struct vu_conn *c, uint32_t request,
			      const void *payload, uint32_t size, const int *fds, unsigned nfds)
{
	struct vhost_user_hdr hdr;
	uint64_t value = 0;
	int ret = vu_send(c, request, VHOST_USER_VERSION | VHOST_USER_NEED_REPLY_MASK, payload,
			  size, fds, nfds);

	if (ret == -EPIPE || ret == -ECONNRESET)
		return VU_CLOSED;
	ret = vu_recv(ctx, c, &hdr, &value, sizeof(value));
	if (ret == -ECONNRESET)
		return VU_CLOSED;
	if (ret == -ETIMEDOUT)
		return VU_SILENT;
	if (ret < 0 || hdr.request != request || hdr.size != sizeof(value) ||
	    !(hdr.flags & VHOST_USER_REPLY_MASK)) {
		conform_note(ctx, "reply: request %u flags 0x%x size %u", hdr.request, hdr.flags,
			     hdr.size);
		return VU_BAD_REPLY;
	}
	conform_note(ctx, "ack value %llu", (unsigned long long)value);
	return value ? VU_NACK : VU_ACK;
}

enum conform_verdict vu_expect_answered(struct conform_ctx *ctx, uint32_t request,
					enum vu_answer a)
{
	const char *name = vhost_msg_request_name(request);

	switch (a) {
	case VU_ACK:
	case VU_NACK:
	case VU_CLOSED:
		return CONFORM_PASS;
	case VU_SILENT:
		return conform_fail(ctx, "%s with need_reply: no answer (\"REPLY_ACK\": the "
					 "back-end MUST respond)",
				    name);
	case VU_BAD_REPLY:
	default:
		return conform_fail(ctx, "%s with need_reply: the answer is not a u64 reply to it",
				    name);
	}
}

enum conform_verdict vu_expect_serving(struct conform_ctx *ctx, struct vu_conn *c)
{
	uint64_t features;
	int ret;

	if (c->fe) {
		ret = vhost_fe_get_features(c->fe, &features);
		if (ret < 0)
			return conform_fail(ctx,
					    "the connection stayed open but no longer answers "
					    "VHOST_USER_GET_FEATURES: %s",
					    strerror(-ret));
	}
	/* A back-end may serve one front-end at a time: the new connection
	 * comes after this one is gone. */
	vu_close(c);
	if (!conform_backend_alive(ctx))
		return conform_fail(ctx, "the back-end no longer accepts a new connection");
	return CONFORM_PASS;
}

enum conform_verdict vu_request_refused(struct conform_ctx *ctx, struct vu_conn *c,
					uint32_t request, const void *payload, uint32_t size,
					const int *fds, unsigned nfds)
{
	const char *name = vhost_msg_request_name(request);
	enum vu_answer a = vu_request_ack(ctx, c, request, payload, size, fds, nfds);

	switch (a) {
	case VU_NACK:
		return CONFORM_PASS;
	case VU_CLOSED:
		/* "Communication": a back-end may close on an error. */
		conform_note(ctx, "%s: the back-end closed the connection", name);
		vu_close(c);
		return CONFORM_PASS;
	case VU_ACK:
		return conform_fail(ctx, "%s was acknowledged with 0 (success)", name);
	default:
		return vu_expect_answered(ctx, request, a);
	}
}

enum conform_verdict vu_expect_refused(struct conform_ctx *ctx, struct vu_conn *c,
				       uint32_t request, const void *payload, uint32_t size,
				       const int *fds, unsigned nfds)
{
	enum conform_verdict v = vu_request_refused(ctx, c, request, payload, size, fds, nfds);

	return v == CONFORM_PASS ? vu_expect_serving(ctx, c) : v;
}

struct vhost_user_mem_region vu_region_wire(const struct vhost_fe_region *r)
{
	return (struct vhost_user_mem_region){.guest_phys_addr = r->gpa,
					      .memory_size = r->size,
					      .userspace_addr = r->uva,
					      .mmap_offset = r->mmap_offset};
}

uint32_t vu_table_payload(const struct vhost_fe_region *r, unsigned n,
			  struct vhost_user_memory *mem, int *fds)
{
	unsigned sent = n < VHOST_USER_MEM_BASELINE_NREGIONS ? n : VHOST_USER_MEM_BASELINE_NREGIONS;

	memset(mem, 0, sizeof(*mem));
	mem->nregions = n;
	for (unsigned i = 0; i < sent; i++) {
		mem->regions[i] = vu_region_wire(&r[i]);
		fds[i] = r[i].fd;
	}
	return (uint32_t)(8 + sent * sizeof(mem->regions[0]));
}

bool vu_fd_closed_by_peer(int read_fd, int timeout_ms)
{
	struct pollfd pfd = {.fd = read_fd, .events = POLLIN};
	int ret;

	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	/* POLLHUP alone: no data was written, every write end is gone. */
	return ret == 1 && (pfd.revents & POLLHUP);
}
