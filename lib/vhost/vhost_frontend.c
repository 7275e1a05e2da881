/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user front-end: one blocking call per message. A back-end is not
 * trusted: every reply is read to its end (an oversized one up to a bound)
 * and checked (reply flag, version, same request, expected size, no fds)
 * before a byte of its payload is used; a wrong reply is logged with what
 * arrived and the connection closed, as vhost-user.rst "Communication" says
 * a front-end does. Once REPLY_ACK is negotiated, messages without a reply
 * of their own ask for an ack ("VHOST_USER_PROTOCOL_F_REPLY_ACK").
 */
#define LOG_COMPONENT "vhost"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/common.h"
#include "util/log.h"
#include "util/unix_sock.h"
#include "vhost/vhost.h"
#include "vhost/vhost_msg.h"

/* The most payload bytes read of a reply larger than any message, so that
 * the stream stays in step and the reply is reported: far past the largest
 * reply vhost-user.rst defines (GET_CONFIG, 12 + 256 bytes), and little
 * enough to arrive within one reply wait. A larger one is not read: the
 * connection is closed. */
#define FE_DRAIN_MAX (64u * 1024)

struct vhost_fe {
	int sock;
	int timeout_ms;
	bool reply_ack; /* REPLY_ACK negotiated */
	bool hung_up;	/* fe_hang_up: no more sends or receives */
	struct vhost_tap tap;
};

int vhost_fe_create_on_fd(int sock, int timeout_ms, struct vhost_fe **out)
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
	int ret = util_unix_addr(path, &sa);
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
	return vhost_fe_create_on_fd(sock, timeout_ms, fe);
}

int vhost_fe_accept(const char *path, int timeout_ms, struct vhost_fe **fe)
{
	struct pollfd pfd = {.events = POLLIN};
	int lsock = util_unix_listen(path, 1, 0);
	int ret, sock;

	if (lsock < 0)
		return lsock;
	pfd.fd = lsock;
	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret <= 0) {
		ret = ret == 0 ? -ETIMEDOUT : -errno;
		goto out;
	}
	sock = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	ret = sock < 0 ? -errno : vhost_fe_create_on_fd(sock, timeout_ms, fe);
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

void vhost_fe_set_tap(struct vhost_fe *fe, const struct vhost_tap *tap)
{
	fe->tap = tap ? *tap : (struct vhost_tap){0};
}

/* vhost-user.rst "Communication": a front-end that receives a wrong reply
 * closes the connection. Shut down, not closed: the handle stays the
 * caller's, and its next calls fail with -EPIPE / -ECONNRESET. */
static void fe_hang_up(struct vhost_fe *fe)
{
	shutdown(fe->sock, SHUT_RDWR);
	fe->hung_up = true;
}

/* What arrived of msg, for log lines. */
static void fe_describe(const struct vhost_msg *m, char *buf, size_t len)
{
	if (m->hdr_len < sizeof(m->hdr)) {
		snprintf(buf, len, "%u of the %zu header bytes", m->hdr_len, sizeof(m->hdr));
		return;
	}
	snprintf(buf, len, "%s (%u) flags 0x%x size %u with %u payload bytes and %u fds",
		 vhost_msg_request_name(m->hdr.request), m->hdr.request, m->hdr.flags,
		 m->hdr.size, m->payload_len, m->nfds);
}

/* A received message is in step with the stream when it was read to the
 * end its header announces. */
static bool fe_in_step(const struct vhost_msg *m)
{
	return m->hdr_len == sizeof(m->hdr) && m->payload_len == m->hdr.size;
}

/* Every message of the connection goes through these two, so that the tap
 * (conformance traces) sees exactly what was on the wire. */
static int fe_send(struct vhost_fe *fe, const struct vhost_user_hdr *hdr, const void *payload,
		   const int *fds, unsigned nfds)
{
	int ret;

	/* What is still queued on a connection we closed is not read. */
	if (fe->hung_up)
		return -EPIPE;
	ret = vhost_msg_send(fe->sock, hdr, payload, fds, nfds, fe->timeout_ms);
	if (ret == 0)
		vhost_tap_whole(&fe->tap, VHOST_TAP_FRONTEND, VHOST_TAP_SENT, hdr, payload,
				hdr->size, fds, nfds);
	return ret;
}

/*
 * Receives one message, whole or not: a payload past the codec's maximum is
 * read to its end (up to FE_DRAIN_MAX) and cut, so the stream stays in step.
 * msg holds what arrived. A message that cannot be read to its end (cut
 * short, or larger than FE_DRAIN_MAX) leaves the stream out of step: the
 * connection is closed.
 */
static int fe_recv(struct vhost_fe *fe, struct vhost_msg *msg, int timeout_ms)
{
	struct vhost_tap_msg t = {.dir = VHOST_TAP_RECEIVED, .side = VHOST_TAP_FRONTEND};
	char what[160];
	int ret;

	if (fe->hung_up) {
		memset(msg, 0, sizeof(*msg));
		return -ECONNRESET;
	}
	ret = vhost_msg_recv_drain(fe->sock, msg, FE_DRAIN_MAX, timeout_ms);
	if (msg->hdr_len == 0)
		return ret; /* nothing arrived */
	t.hdr = msg->hdr;
	t.hdr_len = msg->hdr_len;
	t.payload = &msg->payload;
	t.payload_len = MIN(msg->payload_len, (uint32_t)VHOST_USER_MAX_PAYLOAD);
	t.payload_wire = msg->payload_len;
	t.fds = msg->fds;
	t.nfds = msg->nfds;
	t.error = ret;
	vhost_tap_emit(&fe->tap, &t);
	if (ret < 0 && !fe_in_step(msg)) {
		fe_describe(msg, what, sizeof(what));
		log_warn("vhost-user.rst \"Communication\": a message cut short (%s): received %s; "
			 "closing the connection",
			 ret == -EMSGSIZE ? "too large to read" : strerror(-ret), what);
		fe_hang_up(fe);
	}
	return ret;
}

/* Logs a wrong reply to request with what arrived and why (a spec citation
 * first), and closes the connection. -EPROTO. */
static int __attribute__((format(printf, 4, 5)))
fe_reject(struct vhost_fe *fe, uint32_t request, struct vhost_msg *msg, const char *fmt, ...)
{
	char why[160], what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	fe_describe(msg, what, sizeof(what));
	log_warn("%s: wrong reply to %s: received %s; closing the connection "
		 "(vhost-user.rst \"Communication\")",
		 why, vhost_msg_request_name(request), what);
	vhost_msg_close_fds(msg);
	fe_hang_up(fe);
	return -EPROTO;
}

/*
 * Receives the reply to request and checks it: whole, reply flag, version,
 * same request, nfds fds, size bytes of payload. Only then may the caller
 * read msg->payload (and own its fds). GET_CONFIG's and GET_INFLIGHT_FD's
 * empty replies are the back-end's error answers (-EIO).
 */
static int fe_recv_reply(struct vhost_fe *fe, uint32_t request, uint32_t size, unsigned nfds,
			 struct vhost_msg *msg)
{
	int ret = fe_recv(fe, msg, fe->timeout_ms);
	uint32_t version = msg->hdr.flags & VHOST_USER_VERSION_MASK;

	if (ret < 0 && !fe_in_step(msg)) {
		if (msg->hdr_len == 0)
			log_warn("no reply to %s: %s", vhost_msg_request_name(request),
				 strerror(-ret));
		/* else fe_recv told what arrived, and closed the connection */
		return ret == -EMSGSIZE ? -EPROTO : ret;
	}
	if (ret == -EMSGSIZE)
		return fe_reject(fe, request, msg,
				 "vhost-user.rst \"Header\": a payload larger than any message (%zu "
				 "bytes)",
				 VHOST_USER_MAX_PAYLOAD);
	if (ret < 0)
		return fe_reject(fe, request, msg,
				 "vhost-user.rst \"Message Specification\": more than %d fds",
				 VHOST_USER_MAX_FDS);
	if (msg->hdr.request != request)
		return fe_reject(fe, request, msg, "vhost-user.rst \"Communication\": a reply to "
						   "another request");
	if (!(msg->hdr.flags & VHOST_USER_REPLY_MASK))
		return fe_reject(fe, request, msg, "vhost-user.rst \"Header\": no reply flag");
	if (version != VHOST_USER_VERSION)
		return fe_reject(fe, request, msg, "vhost-user.rst \"Header\": version %u, not %u",
				 version, VHOST_USER_VERSION);
	if (request == VHOST_USER_GET_CONFIG && msg->hdr.size == 0 && !msg->nfds)
		return -EIO; /* "VHOST_USER_GET_CONFIG": zero length indicates an error */
	/* "VHOST_USER_GET_INFLIGHT_FD": a back-end that cannot make the buffer
	 * answers with an empty payload, as ours, DPDK and libvhost-user do. */
	if (request == VHOST_USER_GET_INFLIGHT_FD && msg->hdr.size == 0 && !msg->nfds)
		return -EIO;
	if (msg->nfds != nfds)
		return fe_reject(fe, request, msg,
				 "vhost-user.rst \"Communication\": fds with a reply that carries "
				 "%s",
				 nfds ? "one" : "none");
	if (msg->hdr.size != size)
		return fe_reject(fe, request, msg,
				 "vhost-user.rst \"Front-end message types\": %u payload bytes, "
				 "expected %u",
				 msg->hdr.size, size);
	return 0;
}

/*
 * vhost-user.rst "Communication": the back-end sends replies to the
 * front-end's requests. A message that arrived while none was outstanding
 * answers a request that was not sent (a second reply, an ack nobody asked
 * for): a wrong reply. Looked for before each request, so that it is not
 * taken for that request's answer.
 */
static int fe_check_idle(struct vhost_fe *fe, uint32_t request)
{
	struct pollfd p = {.fd = fe->sock, .events = POLLIN};
	struct vhost_msg msg;

	if (fe->hung_up || poll(&p, 1, 0) != 1 || !(p.revents & POLLIN))
		return 0;
	fe_recv(fe, &msg, 0);
	/* The end of the stream, or nothing after all: the send will tell. */
	if (msg.hdr_len == 0)
		return 0;
	return fe_reject(fe, request, &msg,
			 "vhost-user.rst \"Communication\": a message with no request "
			 "outstanding, before %s",
			 vhost_msg_request_name(request));
}

/*
 * Sends a request and waits for its answer: reply_size bytes into reply
 * (zeroed first, so a failed call leaves no stale bytes), and with reply_fd
 * the one fd the reply carries; or, for a request without a reply of its
 * own (reply NULL), the REPLY_ACK ack once negotiated. A nack's value comes
 * back negated. reply must not overlap payload.
 */
static int fe_call_fd(struct vhost_fe *fe, uint32_t request, const void *payload, uint32_t size,
		      const int *fds, unsigned nfds, void *reply, uint32_t reply_size,
		      int *reply_fd)
{
	struct vhost_user_hdr hdr = {.request = request, .flags = VHOST_USER_VERSION, .size = size};
	bool ack = !reply && fe->reply_ack;
	struct vhost_msg msg;
	int ret;

	if (reply)
		memset(reply, 0, reply_size);
	if (ack) {
		hdr.flags |= VHOST_USER_NEED_REPLY_MASK;
		reply_size = sizeof(uint64_t);
	}
	ret = fe_check_idle(fe, request);
	if (ret < 0)
		return ret;
	ret = fe_send(fe, &hdr, payload, fds, nfds);
	if (ret < 0) {
		log_warn("cannot send %s: %s", vhost_msg_request_name(request), strerror(-ret));
		return ret;
	}
	if (!reply && !ack)
		return 0;
	ret = fe_recv_reply(fe, request, reply_size, reply_fd && !ack ? 1 : 0, &msg);
	if (ret < 0)
		return ret;
	if (!ack) {
		memcpy(reply, &msg.payload, reply_size);
		if (reply_fd)
			*reply_fd = msg.fds[0];
		return 0;
	}
	if (msg.payload.u64 == 0)
		return 0;
	log_info("%s: back-end answered failure %llu", vhost_msg_request_name(request),
		 (unsigned long long)msg.payload.u64);
	/* Our back-end nacks with an errno; any other value is just "failed". */
	return msg.payload.u64 < 4096 ? -(int)msg.payload.u64 : -EIO;
}

static int fe_call(struct vhost_fe *fe, uint32_t request, const void *payload, uint32_t size,
		   const int *fds, unsigned nfds, void *reply, uint32_t reply_size)
{
	return fe_call_fd(fe, request, payload, size, fds, nfds, reply, reply_size, NULL);
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
	struct vhost_user_vring_state req = {.index = index}, rep;
	int ret;

	*base = 0;
	ret = fe_call(fe, VHOST_USER_GET_VRING_BASE, &req, sizeof(req), NULL, 0, &rep, sizeof(rep));
	if (ret)
		return ret;
	if (rep.index != index) {
		log_warn("vhost-user.rst \"VHOST_USER_GET_VRING_BASE\": reply for vring %u, "
			 "asked %u; closing the connection (\"Communication\")",
			 rep.index, index);
		fe_hang_up(fe);
		return -EPROTO;
	}
	*base = rep.num;
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

int vhost_fe_get_inflight_fd(struct vhost_fe *fe, uint16_t num_queues, uint16_t queue_size,
			     struct vhost_user_inflight *desc, int *fd)
{
	struct vhost_user_inflight req = {.num_queues = num_queues, .queue_size = queue_size};

	*fd = -1;
	return fe_call_fd(fe, VHOST_USER_GET_INFLIGHT_FD, &req, sizeof(req), NULL, 0, desc,
			  sizeof(*desc), fd);
}

int vhost_fe_set_inflight_fd(struct vhost_fe *fe, const struct vhost_user_inflight *desc, int fd)
{
	return fe_call(fe, VHOST_USER_SET_INFLIGHT_FD, desc, sizeof(*desc), &fd, 1, NULL, 0);
}

int vhost_fe_get_config(struct vhost_fe *fe, uint32_t offset, uint32_t size, void *buf)
{
	struct vhost_user_config req = {.offset = offset, .size = size}, rep;
	uint32_t len = VHOST_USER_CONFIG_HDR_SIZE + size;
	int ret;

	if (size > VHOST_USER_MAX_CONFIG_SIZE)
		return -EINVAL;
	memset(buf, 0, size);
	ret = fe_call(fe, VHOST_USER_GET_CONFIG, &req, len, NULL, 0, &rep, len);
	if (ret == 0)
		memcpy(buf, rep.region, size);
	return ret;
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
	uint32_t n = MIN(MIN(msg.payload_len, max_payload), (uint32_t)VHOST_USER_MAX_PAYLOAD);

	/* No back-end reply this library reads carries fds: closed, not leaked. */
	vhost_msg_close_fds(&msg);
	*hdr = msg.hdr;
	if (max_payload) {
		memcpy(payload, &msg.payload, n);
		memset((uint8_t *)payload + n, 0, max_payload - n);
	}
	if (ret == 0 && msg.hdr.size > max_payload)
		return -EMSGSIZE;
	return ret;
}
