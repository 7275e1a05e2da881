/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user front-end: one blocking call per message. Every reply is
 * checked (reply flag, same request, expected size, no fds) before its
 * payload is trusted; once REPLY_ACK is negotiated, messages without a reply
 * of their own ask for an ack ("VHOST_USER_PROTOCOL_F_REPLY_ACK").
 */
#define LOG_COMPONENT "vhost"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/common.h"
#include "util/log.h"
#include "vhost/vhost.h"
#include "vhost/vhost_msg.h"

struct vhost_fe {
	int sock;
	int timeout_ms;
	bool reply_ack; /* REPLY_ACK negotiated */
	vhost_fe_trace_fn trace;
	void *trace_arg;
};

static int sockaddr_of(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

static int fe_new(int sock, int timeout_ms, struct vhost_fe **out)
{
	struct vhost_fe *fe = calloc(1, sizeof(*fe));

	if (!fe) {
		close(sock);
		return -ENOMEM;
	}
	fe->sock = sock;
	fe->timeout_ms = timeout_ms;
	*out = fe;
	return 0;
}

int vhost_fe_connect(const char *path, int timeout_ms, struct vhost_fe **fe)
{
	struct sockaddr_un sa;
	int ret = sockaddr_of(path, &sa);
	int sock;

	if (ret)
		return ret;
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	/* A Unix connect waits for room in the listener's backlog for at most
	 * the send timeout. */
	if (timeout_ms >= 0) {
		struct timeval tv = {.tv_sec = timeout_ms / 1000,
				     .tv_usec = (timeout_ms % 1000) * 1000};

		setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = (errno == EAGAIN || errno == EINPROGRESS) ? -ETIMEDOUT : -errno;
		close(sock);
		return ret;
	}
	return fe_new(sock, timeout_ms, fe);
}

int vhost_fe_accept(const char *path, int timeout_ms, struct vhost_fe **fe)
{
	struct sockaddr_un sa;
	struct pollfd pfd = {.events = POLLIN};
	struct stat st;
	int ret = sockaddr_of(path, &sa);
	int lsock, sock;

	if (ret)
		return ret;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		unlink(path);
	}
	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lsock < 0)
		return -errno;
	if (bind(lsock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		close(lsock);
		return ret;
	}
	if (listen(lsock, 1) < 0) {
		ret = -errno;
		goto out;
	}
	pfd.fd = lsock;
	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret <= 0) {
		ret = ret == 0 ? -ETIMEDOUT : -errno;
		goto out;
	}
	sock = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	ret = sock < 0 ? -errno : fe_new(sock, timeout_ms, fe);
out:
	/* One back-end per call: the socket file goes with the listener. */
	close(lsock);
	unlink(path);
	return ret;
}

void vhost_fe_close(struct vhost_fe *fe)
{
	if (!fe)
		return;
	close(fe->sock);
	free(fe);
}

int vhost_fe_fd(const struct vhost_fe *fe)
{
	return fe->sock;
}

void vhost_fe_set_trace(struct vhost_fe *fe, vhost_fe_trace_fn cb, void *arg)
{
	fe->trace = cb;
	fe->trace_arg = arg;
}

/* Every message of the connection goes through these two, so that a trace
 * (conformance reports) sees exactly what was on the wire. */
static int fe_send(struct vhost_fe *fe, const struct vhost_user_hdr *hdr, const void *payload,
		   const int *fds, unsigned nfds)
{
	int ret = vhost_msg_send(fe->sock, hdr, payload, fds, nfds, fe->timeout_ms);

	if (ret == 0 && fe->trace)
		fe->trace(fe->trace_arg, true, hdr, payload, nfds);
	return ret;
}

static int fe_recv(struct vhost_fe *fe, struct vhost_msg *msg, int timeout_ms)
{
	int ret = vhost_msg_recv(fe->sock, msg, timeout_ms);

	if (ret == 0 && fe->trace)
		fe->trace(fe->trace_arg, false, &msg->hdr, &msg->payload, msg->nfds);
	return ret;
}

/* Receives the reply to request and checks its header; msg->hdr.size is
 * left for the caller to check. */
static int fe_recv_reply(struct vhost_fe *fe, uint32_t request, struct vhost_msg *msg)
{
	const char *name = vhost_msg_request_name(request);
	int ret = fe_recv(fe, msg, fe->timeout_ms);

	if (ret < 0) {
		log_warn("no reply to %s: %s", name, strerror(-ret));
		return ret;
	}
	if (msg->nfds) {
		log_warn("vhost-user.rst \"Communication\": reply to %s carries %u fds", name,
			 msg->nfds);
		vhost_msg_close_fds(msg);
		return -EPROTO;
	}
	if ((msg->hdr.flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION ||
	    !(msg->hdr.flags & VHOST_USER_REPLY_MASK) || msg->hdr.request != request) {
		log_warn("vhost-user.rst \"Header\": reply to %s has request %u flags 0x%x", name,
			 msg->hdr.request, msg->hdr.flags);
		return -EPROTO;
	}
	return 0;
}

static int bad_reply_size(uint32_t request, uint32_t size, uint32_t expected)
{
	log_warn("vhost-user.rst \"Front-end message types\": reply to %s has %u bytes, "
		 "expected %u",
		 vhost_msg_request_name(request), size, expected);
	return -EPROTO;
}

/*
 * Sends a request and waits for its answer: reply_size bytes into reply, or,
 * for a request without a reply of its own (reply NULL), the REPLY_ACK ack
 * once negotiated. A nack's value comes back negated.
 */
static int fe_call(struct vhost_fe *fe, uint32_t request, const void *payload, uint32_t size,
		   const int *fds, unsigned nfds, void *reply, uint32_t reply_size)
{
	struct vhost_user_hdr hdr = {.request = request, .flags = VHOST_USER_VERSION, .size = size};
	bool ack = !reply && fe->reply_ack;
	struct vhost_msg msg;
	int ret;

	if (ack) {
		hdr.flags |= VHOST_USER_NEED_REPLY_MASK;
		reply_size = sizeof(uint64_t);
	}
	ret = fe_send(fe, &hdr, payload, fds, nfds);
	if (ret < 0) {
		log_warn("cannot send %s: %s", vhost_msg_request_name(request), strerror(-ret));
		return ret;
	}
	if (!reply && !ack)
		return 0;
	ret = fe_recv_reply(fe, request, &msg);
	if (ret < 0)
		return ret;
	if (msg.hdr.size != reply_size)
		return bad_reply_size(request, msg.hdr.size, reply_size);
	if (!ack) {
		memcpy(reply, &msg.payload, reply_size);
		return 0;
	}
	if (msg.payload.u64 == 0)
		return 0;
	log_info("%s: back-end answered failure %llu", vhost_msg_request_name(request),
		 (unsigned long long)msg.payload.u64);
	/* Our back-end nacks with an errno; any other value is just "failed". */
	return msg.payload.u64 < 4096 ? -(int)msg.payload.u64 : -EIO;
}

static int fe_get_u64(struct vhost_fe *fe, uint32_t request, uint64_t *value)
{
	return fe_call(fe, request, NULL, 0, NULL, 0, value, sizeof(*value));
}

static int fe_set_u64(struct vhost_fe *fe, uint32_t request, uint64_t value)
{
	return fe_call(fe, request, &value, sizeof(value), NULL, 0, NULL, 0);
}

static int fe_set_state(struct vhost_fe *fe, uint32_t request, uint32_t index, uint32_t num)
{
	struct vhost_user_vring_state state = {.index = index, .num = num};

	return fe_call(fe, request, &state, sizeof(state), NULL, 0, NULL, 0);
}

int vhost_fe_get_features(struct vhost_fe *fe, uint64_t *features)
{
	return fe_get_u64(fe, VHOST_USER_GET_FEATURES, features);
}

int vhost_fe_set_features(struct vhost_fe *fe, uint64_t features)
{
	return fe_set_u64(fe, VHOST_USER_SET_FEATURES, features);
}

int vhost_fe_get_protocol_features(struct vhost_fe *fe, uint64_t *features)
{
	return fe_get_u64(fe, VHOST_USER_GET_PROTOCOL_FEATURES, features);
}

int vhost_fe_set_protocol_features(struct vhost_fe *fe, uint64_t features)
{
	int ret = fe_set_u64(fe, VHOST_USER_SET_PROTOCOL_FEATURES, features);

	if (ret == 0)
		fe->reply_ack = features & (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK);
	return ret;
}

int vhost_fe_set_owner(struct vhost_fe *fe)
{
	return fe_call(fe, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0, NULL, 0);
}

int vhost_fe_reset_owner(struct vhost_fe *fe)
{
	return fe_call(fe, VHOST_USER_RESET_OWNER, NULL, 0, NULL, 0, NULL, 0);
}

int vhost_fe_reset_device(struct vhost_fe *fe)
{
	return fe_call(fe, VHOST_USER_RESET_DEVICE, NULL, 0, NULL, 0, NULL, 0);
}

int vhost_fe_get_queue_num(struct vhost_fe *fe, uint64_t *num)
{
	return fe_get_u64(fe, VHOST_USER_GET_QUEUE_NUM, num);
}

int vhost_fe_get_max_mem_slots(struct vhost_fe *fe, uint64_t *slots)
{
	return fe_get_u64(fe, VHOST_USER_GET_MAX_MEM_SLOTS, slots);
}

static void region_to_wire(const struct vhost_fe_region *r, struct vhost_user_mem_region *w)
{
	w->guest_phys_addr = r->gpa;
	w->memory_size = r->size;
	w->userspace_addr = r->uva;
	w->mmap_offset = r->mmap_offset;
}

int vhost_fe_set_mem_table(struct vhost_fe *fe, const struct vhost_fe_region *regions, unsigned n)
{
	struct vhost_user_memory mem = {.nregions = n};
	int fds[VHOST_USER_MEM_BASELINE_NREGIONS];

	if (n > VHOST_USER_MEM_BASELINE_NREGIONS)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		region_to_wire(&regions[i], &mem.regions[i]);
		fds[i] = regions[i].fd;
	}
	/* "Memory regions description": only the regions in use are sent. */
	return fe_call(fe, VHOST_USER_SET_MEM_TABLE, &mem,
		       (uint32_t)(8 + n * sizeof(mem.regions[0])), fds, n, NULL, 0);
}

int vhost_fe_add_mem_reg(struct vhost_fe *fe, const struct vhost_fe_region *region)
{
	struct vhost_user_mem_reg reg = {0};

	region_to_wire(region, &reg.region);
	return fe_call(fe, VHOST_USER_ADD_MEM_REG, &reg, sizeof(reg), &region->fd, 1, NULL, 0);
}

int vhost_fe_rem_mem_reg(struct vhost_fe *fe, const struct vhost_fe_region *region)
{
	struct vhost_user_mem_reg reg = {0};

	/* "VHOST_USER_REM_MEM_REG": no fd SHOULD be passed. */
	region_to_wire(region, &reg.region);
	return fe_call(fe, VHOST_USER_REM_MEM_REG, &reg, sizeof(reg), NULL, 0, NULL, 0);
}

int vhost_fe_set_vring_num(struct vhost_fe *fe, uint32_t index, uint32_t num)
{
	return fe_set_state(fe, VHOST_USER_SET_VRING_NUM, index, num);
}

int vhost_fe_set_vring_addr(struct vhost_fe *fe, const struct vhost_user_vring_addr *addr)
{
	return fe_call(fe, VHOST_USER_SET_VRING_ADDR, addr, sizeof(*addr), NULL, 0, NULL, 0);
}

int vhost_fe_set_vring_base(struct vhost_fe *fe, uint32_t index, uint32_t base)
{
	return fe_set_state(fe, VHOST_USER_SET_VRING_BASE, index, base);
}

int vhost_fe_get_vring_base(struct vhost_fe *fe, uint32_t index, uint32_t *base)
{
	struct vhost_user_vring_state state = {.index = index};
	int ret = fe_call(fe, VHOST_USER_GET_VRING_BASE, &state, sizeof(state), NULL, 0, &state,
			  sizeof(state));

	if (ret)
		return ret;
	if (state.index != index) {
		log_warn("vhost-user.rst \"VHOST_USER_GET_VRING_BASE\": reply for vring %u, "
			 "asked %u",
			 state.index, index);
		return -EPROTO;
	}
	*base = state.num;
	return 0;
}

static int fe_set_vring_fd(struct vhost_fe *fe, uint32_t request, uint32_t index, int fd)
{
	uint64_t v = index & VHOST_USER_VRING_IDX_MASK;

	if (index > VHOST_USER_VRING_IDX_MASK)
		return -EINVAL;
	if (fd < 0)
		v |= VHOST_USER_VRING_NOFD_MASK;
	return fe_call(fe, request, &v, sizeof(v), &fd, fd < 0 ? 0 : 1, NULL, 0);
}

int vhost_fe_set_vring_kick(struct vhost_fe *fe, uint32_t index, int fd)
{
	return fe_set_vring_fd(fe, VHOST_USER_SET_VRING_KICK, index, fd);
}

int vhost_fe_set_vring_call(struct vhost_fe *fe, uint32_t index, int fd)
{
	return fe_set_vring_fd(fe, VHOST_USER_SET_VRING_CALL, index, fd);
}

int vhost_fe_set_vring_err(struct vhost_fe *fe, uint32_t index, int fd)
{
	return fe_set_vring_fd(fe, VHOST_USER_SET_VRING_ERR, index, fd);
}

int vhost_fe_set_vring_enable(struct vhost_fe *fe, uint32_t index, bool enable)
{
	return fe_set_state(fe, VHOST_USER_SET_VRING_ENABLE, index, enable);
}

int vhost_fe_get_config(struct vhost_fe *fe, uint32_t offset, uint32_t size, void *buf)
{
	struct vhost_user_config cfg = {.offset = offset, .size = size};
	uint32_t len = VHOST_USER_CONFIG_HDR_SIZE + size;
	struct vhost_user_hdr hdr = {
	    .request = VHOST_USER_GET_CONFIG, .flags = VHOST_USER_VERSION, .size = len};
	struct vhost_msg msg;
	int ret;

	if (size > VHOST_USER_MAX_CONFIG_SIZE)
		return -EINVAL;
	ret = fe_send(fe, &hdr, &cfg, NULL, 0);
	if (ret == 0)
		ret = fe_recv_reply(fe, VHOST_USER_GET_CONFIG, &msg);
	if (ret)
		return ret;
	/* "VHOST_USER_GET_CONFIG": an empty payload is the back-end's error. */
	if (msg.hdr.size == 0)
		return -EIO;
	if (msg.hdr.size != len)
		return bad_reply_size(VHOST_USER_GET_CONFIG, msg.hdr.size, len);
	memcpy(buf, msg.payload.config.region, size);
	return 0;
}

int vhost_fe_set_config(struct vhost_fe *fe, uint32_t offset, uint32_t size, const void *buf)
{
	struct vhost_user_config cfg = {
	    .offset = offset, .size = size, .flags = VHOST_USER_CONFIG_FLAG_WRITABLE};

	if (size > VHOST_USER_MAX_CONFIG_SIZE)
		return -EINVAL;
	memcpy(cfg.region, buf, size);
	return fe_call(fe, VHOST_USER_SET_CONFIG, &cfg, VHOST_USER_CONFIG_HDR_SIZE + size, NULL, 0,
		       NULL, 0);
}

int vhost_fe_send_raw(struct vhost_fe *fe, const struct vhost_user_hdr *hdr, const void *payload,
		      const int *fds, unsigned nfds)
{
	return fe_send(fe, hdr, payload, fds, nfds);
}

int vhost_fe_recv_raw(struct vhost_fe *fe, struct vhost_user_hdr *hdr, void *payload,
		      uint32_t max_payload, int timeout_ms)
{
	struct vhost_msg msg;
	int ret = fe_recv(fe, &msg, timeout_ms);

	if (ret < 0)
		return ret;
	/* No back-end reply carries fds: they are closed, not leaked. */
	vhost_msg_close_fds(&msg);
	*hdr = msg.hdr;
	if (max_payload)
		memcpy(payload, &msg.payload, MIN(msg.hdr.size, max_payload));
	return msg.hdr.size > max_payload ? -EMSGSIZE : 0;
}
