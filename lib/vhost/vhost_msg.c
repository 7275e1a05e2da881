/* SPDX-License-Identifier: MIT */
/* The vhost-user codec: whole messages with their fds over a Unix stream socket. */
#define LOG_COMPONENT "vhost"

#include "vhost/vhost_msg.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"
#include "util/unix_sock.h"

static const char *const g_request_names[VHOST_USER_REQUEST_MAX] = {
    [VHOST_USER_GET_FEATURES] = "VHOST_USER_GET_FEATURES",
    [VHOST_USER_SET_FEATURES] = "VHOST_USER_SET_FEATURES",
    [VHOST_USER_SET_OWNER] = "VHOST_USER_SET_OWNER",
    [VHOST_USER_RESET_OWNER] = "VHOST_USER_RESET_OWNER",
    [VHOST_USER_SET_MEM_TABLE] = "VHOST_USER_SET_MEM_TABLE",
    [VHOST_USER_SET_LOG_BASE] = "VHOST_USER_SET_LOG_BASE",
    [VHOST_USER_SET_LOG_FD] = "VHOST_USER_SET_LOG_FD",
    [VHOST_USER_SET_VRING_NUM] = "VHOST_USER_SET_VRING_NUM",
    [VHOST_USER_SET_VRING_ADDR] = "VHOST_USER_SET_VRING_ADDR",
    [VHOST_USER_SET_VRING_BASE] = "VHOST_USER_SET_VRING_BASE",
    [VHOST_USER_GET_VRING_BASE] = "VHOST_USER_GET_VRING_BASE",
    [VHOST_USER_SET_VRING_KICK] = "VHOST_USER_SET_VRING_KICK",
    [VHOST_USER_SET_VRING_CALL] = "VHOST_USER_SET_VRING_CALL",
    [VHOST_USER_SET_VRING_ERR] = "VHOST_USER_SET_VRING_ERR",
    [VHOST_USER_GET_PROTOCOL_FEATURES] = "VHOST_USER_GET_PROTOCOL_FEATURES",
    [VHOST_USER_SET_PROTOCOL_FEATURES] = "VHOST_USER_SET_PROTOCOL_FEATURES",
    [VHOST_USER_GET_QUEUE_NUM] = "VHOST_USER_GET_QUEUE_NUM",
    [VHOST_USER_SET_VRING_ENABLE] = "VHOST_USER_SET_VRING_ENABLE",
    [VHOST_USER_SEND_RARP] = "VHOST_USER_SEND_RARP",
    [VHOST_USER_NET_SET_MTU] = "VHOST_USER_NET_SET_MTU",
    [VHOST_USER_SET_BACKEND_REQ_FD] = "VHOST_USER_SET_BACKEND_REQ_FD",
    [VHOST_USER_IOTLB_MSG] = "VHOST_USER_IOTLB_MSG",
    [VHOST_USER_SET_VRING_ENDIAN] = "VHOST_USER_SET_VRING_ENDIAN",
    [VHOST_USER_GET_CONFIG] = "VHOST_USER_GET_CONFIG",
    [VHOST_USER_SET_CONFIG] = "VHOST_USER_SET_CONFIG",
    [VHOST_USER_CREATE_CRYPTO_SESSION] = "VHOST_USER_CREATE_CRYPTO_SESSION",
    [VHOST_USER_CLOSE_CRYPTO_SESSION] = "VHOST_USER_CLOSE_CRYPTO_SESSION",
    [VHOST_USER_POSTCOPY_ADVISE] = "VHOST_USER_POSTCOPY_ADVISE",
    [VHOST_USER_POSTCOPY_LISTEN] = "VHOST_USER_POSTCOPY_LISTEN",
    [VHOST_USER_POSTCOPY_END] = "VHOST_USER_POSTCOPY_END",
    [VHOST_USER_GET_INFLIGHT_FD] = "VHOST_USER_GET_INFLIGHT_FD",
    [VHOST_USER_SET_INFLIGHT_FD] = "VHOST_USER_SET_INFLIGHT_FD",
    [VHOST_USER_GPU_SET_SOCKET] = "VHOST_USER_GPU_SET_SOCKET",
    [VHOST_USER_RESET_DEVICE] = "VHOST_USER_RESET_DEVICE",
    [VHOST_USER_VRING_KICK] = "VHOST_USER_VRING_KICK",
    [VHOST_USER_GET_MAX_MEM_SLOTS] = "VHOST_USER_GET_MAX_MEM_SLOTS",
    [VHOST_USER_ADD_MEM_REG] = "VHOST_USER_ADD_MEM_REG",
    [VHOST_USER_REM_MEM_REG] = "VHOST_USER_REM_MEM_REG",
    [VHOST_USER_SET_STATUS] = "VHOST_USER_SET_STATUS",
    [VHOST_USER_GET_STATUS] = "VHOST_USER_GET_STATUS",
    [VHOST_USER_GET_SHARED_OBJECT] = "VHOST_USER_GET_SHARED_OBJECT",
    [VHOST_USER_SET_DEVICE_STATE_FD] = "VHOST_USER_SET_DEVICE_STATE_FD",
    [VHOST_USER_CHECK_DEVICE_STATE] = "VHOST_USER_CHECK_DEVICE_STATE",
};

const char *vhost_msg_request_name(uint32_t request)
{
	if (request < ARRAY_SIZE(g_request_names) && g_request_names[request])
		return g_request_names[request];
	return "unknown";
}

int vhost_msg_request_code(const char *name, uint32_t *request)
{
	static const char prefix[] = "VHOST_USER_";

	if (strncmp(name, prefix, sizeof(prefix) - 1) == 0)
		name += sizeof(prefix) - 1;
	for (uint32_t i = 0; i < ARRAY_SIZE(g_request_names); i++)
		if (g_request_names[i] && !strcmp(g_request_names[i] + sizeof(prefix) - 1, name)) {
			*request = i;
			return 0;
		}
	return -ENOENT;
}

/* Room for exactly VHOST_USER_MAX_FDS descriptors: a sender that passes more
 * makes the kernel cut the control data short (MSG_CTRUNC) and close the rest. */
union fd_control {
	char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_FDS)];
	struct cmsghdr align;
};

void vhost_msg_close_fds(struct vhost_msg *msg)
{
	for (unsigned i = 0; i < msg->nfds; i++) {
		if (msg->fds[i] >= 0)
			close(msg->fds[i]);
		msg->fds[i] = -1;
	}
	msg->nfds = 0;
}

void vhost_msg_rx_reset(struct vhost_msg_rx *rx)
{
	vhost_msg_close_fds(&rx->msg);
	rx->state = VHOST_MSG_RX_HDR;
	rx->got = 0;
	rx->fds_dropped = false;
}

/* One recvmsg into buf (util_unix_recv). Returns bytes read, or a
 * negative errno. More fds than a message may carry are noted, and the
 * message refused once it is read to its end. */
static int rx_read(struct vhost_msg_rx *rx, int sock, void *buf, size_t len)
{
	struct vhost_msg *msg = &rx->msg;
	bool too_many = false;
	ssize_t n = util_unix_recv(sock, buf, len, msg->fds, VHOST_USER_MAX_FDS, &msg->nfds,
				   &too_many);

	if (too_many && !rx->fds_dropped)
		log_warn("vhost-user.rst \"Message Specification\": more than %d fds with one "
			 "message",
			 VHOST_USER_MAX_FDS);
	rx->fds_dropped |= too_many;
	if (n < 0)
		return (int)n;
	if (n == 0) {
		if (rx->state != VHOST_MSG_RX_HDR || rx->got != 0)
			log_info("peer closed the connection in the middle of a message");
		return -ECONNRESET;
	}
	return (int)n;
}

/* n more bytes of the current part arrived: what the message records. */
static void rx_count(struct vhost_msg_rx *rx, int n)
{
	rx->got += (uint32_t)n;
	if (rx->state == VHOST_MSG_RX_HDR)
		rx->msg.hdr_len = rx->got;
	else
		rx->msg.payload_len = rx->got;
}

static int rx_fail(struct vhost_msg_rx *rx, int err)
{
	if (err == -EAGAIN)
		return err;
	vhost_msg_close_fds(&rx->msg);
	rx->state = VHOST_MSG_RX_ERROR;
	return err;
}

/* VHOST_MSG_RX_HDR: the header, then decide whether a payload follows. */
static int rx_hdr(struct vhost_msg_rx *rx, int sock)
{
	struct vhost_msg *msg = &rx->msg;
	int n = rx_read(rx, sock, (char *)&msg->hdr + rx->got, sizeof(msg->hdr) - rx->got);

	if (n < 0)
		return rx_fail(rx, n);
	rx_count(rx, n);
	if (rx->got < sizeof(msg->hdr))
		return -EAGAIN;
	if (msg->hdr.size > VHOST_USER_MAX_PAYLOAD) {
		bool drain = rx->drain_max && msg->hdr.size <= rx->drain_max;

		log_warn("vhost-user.rst \"Header\": %s payload size %u exceeds the largest "
			 "payload (%zu)%s",
			 vhost_msg_request_name(msg->hdr.request), msg->hdr.size,
			 VHOST_USER_MAX_PAYLOAD, drain ? "; read to its end and dropped" : "");
		if (!drain)
			return rx_fail(rx, -EMSGSIZE);
	}
	rx->got = 0;
	rx->state = msg->hdr.size ? VHOST_MSG_RX_PAYLOAD : VHOST_MSG_RX_DONE;
	return 0;
}

/* VHOST_MSG_RX_PAYLOAD: the payload bytes that fit; the union is zero past
 * them. */
static int rx_payload(struct vhost_msg_rx *rx, int sock)
{
	struct vhost_msg *msg = &rx->msg;
	uint32_t kept = MIN(msg->hdr.size, (uint32_t)VHOST_USER_MAX_PAYLOAD);
	int n = rx_read(rx, sock, (char *)&msg->payload + rx->got, kept - rx->got);

	if (n < 0)
		return rx_fail(rx, n);
	rx_count(rx, n);
	if (rx->got < kept)
		return -EAGAIN;
	rx->state = msg->hdr.size > kept ? VHOST_MSG_RX_DRAIN : VHOST_MSG_RX_DONE;
	return 0;
}

/* VHOST_MSG_RX_DRAIN: the rest of an oversized payload, read and dropped. */
static int rx_drain(struct vhost_msg_rx *rx, int sock)
{
	uint8_t scrap[4096];
	int n = rx_read(rx, sock, scrap, MIN(sizeof(scrap), (size_t)(rx->msg.hdr.size - rx->got)));

	if (n < 0)
		return rx_fail(rx, n);
	rx_count(rx, n);
	if (rx->got < rx->msg.hdr.size)
		return -EAGAIN;
	rx->state = VHOST_MSG_RX_DONE;
	return 0;
}

/* VHOST_MSG_RX_DONE: the message was read to its end; refused if it carried
 * more than it may. */
static int rx_done(struct vhost_msg_rx *rx)
{
	if (rx->fds_dropped)
		return rx_fail(rx, -EPROTO);
	if (rx->msg.hdr.size > VHOST_USER_MAX_PAYLOAD)
		return rx_fail(rx, -EMSGSIZE);
	return 1;
}

int vhost_msg_rx_step(struct vhost_msg_rx *rx, int sock)
{
	int ret;

	for (;;) {
		switch (rx->state) {
		case VHOST_MSG_RX_HDR:
			if (rx->got == 0) {
				/* A new message: no stale payload bytes, counts or fds. */
				memset(&rx->msg, 0, sizeof(rx->msg));
				for (unsigned i = 0; i < VHOST_USER_MAX_FDS; i++)
					rx->msg.fds[i] = -1;
				rx->fds_dropped = false;
			}
			ret = rx_hdr(rx, sock);
			break;
		case VHOST_MSG_RX_PAYLOAD:
			ret = rx_payload(rx, sock);
			break;
		case VHOST_MSG_RX_DRAIN:
			ret = rx_drain(rx, sock);
			break;
		case VHOST_MSG_RX_DONE:
			return rx_done(rx);
		case VHOST_MSG_RX_ERROR:
		default:
			return -EPROTO;
		}
		if (ret < 0)
			return ret;
	}
}

int vhost_msg_recv_drain(int sock, struct vhost_msg *msg, uint32_t drain_max, int timeout_ms)
{
	int64_t deadline = deadline_from_timeout(timeout_ms);
	struct vhost_msg_rx rx = {.state = VHOST_MSG_RX_HDR, .drain_max = drain_max};
	int ret;

	for (;;) {
		ret = vhost_msg_rx_step(&rx, sock);
		if (ret != -EAGAIN)
			break;
		ret = deadline_wait_fd(sock, POLLIN, deadline);
		if (ret < 0) {
			vhost_msg_rx_reset(&rx); /* closes the fds of the partial message */
			break;
		}
	}
	/* What arrived, whole or not; the fds only with a whole message. */
	*msg = rx.msg;
	return ret == 1 ? 0 : ret;
}

int vhost_msg_recv(int sock, struct vhost_msg *msg, int timeout_ms)
{
	return vhost_msg_recv_drain(sock, msg, 0, timeout_ms);
}

int vhost_msg_send(int sock, const struct vhost_user_hdr *hdr, const void *payload, const int *fds,
		   unsigned nfds, int timeout_ms)
{
	int64_t deadline = deadline_from_timeout(timeout_ms);
	union fd_control control;
	struct iovec iov[2] = {
	    {.iov_base = (void *)hdr, .iov_len = sizeof(*hdr)},
	    {.iov_base = (void *)payload, .iov_len = hdr->size},
	};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = hdr->size ? 2 : 1};
	size_t left = sizeof(*hdr) + hdr->size;

	if (nfds > VHOST_USER_MAX_FDS || (hdr->size && !payload))
		return -EINVAL;
	if (nfds)
		util_unix_put_fds(&mh, control.buf, fds, nfds);
	while (left) {
		ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			int ret;

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -errno;
			ret = deadline_wait_fd(sock, POLLOUT, deadline);
			if (ret < 0)
				return ret;
			continue;
		}
		/* The fds went with the first byte; the rest is plain data. */
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
		left -= (size_t)n;
		while (n > 0 && mh.msg_iovlen) {
			size_t step = MIN((size_t)n, mh.msg_iov->iov_len);

			mh.msg_iov->iov_base = (char *)mh.msg_iov->iov_base + step;
			mh.msg_iov->iov_len -= step;
			n -= (ssize_t)step;
			if (mh.msg_iov->iov_len == 0) {
				mh.msg_iov++;
				mh.msg_iovlen--;
			}
		}
	}
	return 0;
}
