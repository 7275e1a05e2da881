/* SPDX-License-Identifier: MIT */
/*
 * The vfio-user server's connection: the listening socket, one client at a
 * time, the stream receiver (a header, then exactly the rest of msg_size,
 * with the SCM_RIGHTS fds that came along) and the replies it sends.
 * vfio_user_server_cmd.c acts on each whole message.
 */
#define LOG_COMPONENT "vfio-user"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/common.h"
#include "util/evloop.h"
#include "util/log.h"
#include "util/unix_sock.h"
#include "vfio-user/vfio_user_server_internal.h"

#define VFU_DEFAULT_MAX_MSG_FDS 16
/* How long a reply may wait for room in the socket before the client is
 * taken for stuck and dropped. */
#define VFU_SEND_TIMEOUT_MS 5000

static void on_conn(void *arg, uint32_t events);

/* Closes the fds of the message just handled that nobody took. */
static void rx_reset(struct vfio_user_server *s)
{
	for (unsigned i = 0; i < s->rx_nfds; i++)
		if (s->rx_fds[i] >= 0)
			close(s->rx_fds[i]);
	s->rx_nfds = 0;
	s->rx_fds_lost = false;
	s->rx_unsupported = false;
	s->rx_got = 0;
	s->rx_state = VFU_RX_HDR;
}

static void on_listen(void *arg, uint32_t events);

/* The client is gone and the device quiesced (or has no quiesce): forget
 * it. */
static void detach_done(void *arg)
{
	struct vfio_user_server *s = arg;

	s->opts.ops->detach(s->opts.dev);
	vfu_dma_clear(s);
	s->attached = false;
	s->detaching = false;
	log_notice("%s: client closed, device detached", s->path);
	if (s->listen_paused) {
		int ret = evloop_add_fd(s->opts.loop, s->listen_fd, EPOLLIN, on_listen, s);

		if (ret < 0)
			log_err("%s: cannot listen again: %s", s->path, strerror(-ret));
		s->listen_paused = ret < 0;
	}
}

/* quiesce: ask the device first (a client that left); destroy detaches at
 * once, its caller having stopped the device. */
static void conn_close_how(struct vfio_user_server *s, bool quiesce)
{
	int ret;

	if (s->conn_fd < 0)
		return;
	if (!s->paused)
		evloop_del_fd(s->opts.loop, s->conn_fd);
	s->paused = false;
	close(s->conn_fd);
	s->conn_fd = -1;
	rx_reset(s);
	s->versioned = false;
	if (!s->attached) {
		vfu_dma_clear(s);
		log_notice("%s: client closed", s->path);
		return;
	}
	s->detaching = true;
	if (!s->opts.ops->quiesce || !quiesce) {
		detach_done(s);
		return;
	}
	/* A client that connects now (a VMM reconnecting at once) is
	 * accepted when the detach is done. */
	s->listen_paused = evloop_del_fd(s->opts.loop, s->listen_fd) == 0;
	ret = s->opts.ops->quiesce(s->opts.dev, detach_done, s);
	if (ret < 0) {
		log_err("%s: device quiesce for detach failed (%s); detaching anyway", s->path,
			strerror(-ret));
		detach_done(s);
	}
}

void vfu_conn_close(struct vfio_user_server *s)
{
	conn_close_how(s, true);
}

void vfu_pause(struct vfio_user_server *s)
{
	evloop_del_fd(s->opts.loop, s->conn_fd);
	s->paused = true;
}

void vfu_unpause(struct vfio_user_server *s)
{
	int ret;

	s->paused = false;
	ret = evloop_add_fd(s->opts.loop, s->conn_fd, EPOLLIN, on_conn, s);
	if (ret < 0) {
		log_err("%s: cannot watch the client again: %s", s->path, strerror(-ret));
		s->paused = true; /* off the loop: conn_close must not delete it */
		vfu_conn_close(s);
	}
}

/* Waits for room in the socket (replies are written whole). */
static int send_wait(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int n = poll(&p, 1, VFU_SEND_TIMEOUT_MS);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	return n ? 0 : -ETIMEDOUT;
}

/* The message, and fd with its first byte unless -1. */
static int send_all(struct vfio_user_server *s, const uint8_t *buf, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	size_t done = 0;

	while (done < len) {
		struct iovec iov = {.iov_base = (void *)(buf + done), .iov_len = len - done};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n;
		int ret;

		/* The fds go with the first byte. */
		if (done == 0 && fd >= 0)
			util_unix_put_fds(&mh, control.buf, &fd, 1);
		n = sendmsg(s->conn_fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		ret = send_wait(s->conn_fd);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static bool wants_reply(const struct vfio_user_hdr *hdr)
{
	return !(hdr->flags & VFIO_USER_F_NO_REPLY);
}

void vfu_send(struct vfio_user_server *s, const struct vfio_user_hdr *hdr, int len, int fd)
{
	int ret = len;

	if (!wants_reply(hdr) || s->conn_fd < 0)
		return;
	if (len >= 0)
		ret = send_all(s, s->tx_buf, (size_t)len, fd);
	if (ret < 0) {
		log_warn("%s: reply not sent (%s); closing the connection", s->path,
			 strerror(-ret));
		vfu_conn_close(s);
	}
}

void vfu_send_reply(struct vfio_user_server *s, const struct vfio_user_hdr *hdr, const void *p1,
		    size_t l1, const void *p2, size_t l2, int fd)
{
	vfu_send(s, hdr, vfio_user_build_reply(s->tx_buf, s->max_msg_size, hdr, p1, l1, p2, l2),
		 fd);
}

void vfu_send_error(struct vfio_user_server *s, const struct vfio_user_hdr *hdr, int err)
{
	vfu_send(s, hdr, vfio_user_build_error(s->tx_buf, s->max_msg_size, hdr, err), -1);
}

/* One recvmsg into the receive buffer: bytes read, -EAGAIN, or -ECONNRESET
 * when the client closed. */
static int rx_read(struct vfio_user_server *s, uint32_t want)
{
	ssize_t n = util_unix_recv(s->conn_fd, s->rx_buf + s->rx_got, want - s->rx_got, s->rx_fds,
				   VFIO_USER_MAX_MSG_FDS_LIMIT, &s->rx_nfds, &s->rx_fds_lost);

	if (n < 0)
		return (int)n;
	if (n == 0) {
		if (s->rx_got || s->rx_state != VFU_RX_HDR)
			log_warn("%s: the client left in the middle of a message", s->path);
		return -ECONNRESET;
	}
	s->rx_got += (uint32_t)n;
	return 0;
}

/* VFU_RX_HDR: the 16-byte header, checked before anything more is read. */
static int rx_hdr(struct vfio_user_server *s)
{
	struct vfio_user_hdr h;
	int ret = rx_read(s, sizeof(h));

	if (ret < 0 || s->rx_got < sizeof(h))
		return ret;
	memcpy(&h, s->rx_buf, sizeof(h));
	ret = vfio_user_hdr_check(&h, VFIO_USER_SERVER, s->max_msg_size);
	if (ret == -EOPNOTSUPP) {
		/* Still framed: read it to its end and answer with an error. */
		s->rx_unsupported = true;
	} else if (ret < 0) {
		log_warn("%s: vfio-user.rst Header: the stream cannot be followed past this "
			 "header; closing the connection",
			 s->path);
		return ret;
	}
	s->rx_state = h.msg_size > sizeof(h) ? VFU_RX_PAYLOAD : VFU_RX_READY;
	return 0;
}

/* VFU_RX_PAYLOAD: exactly the rest of msg_size. */
static int rx_payload(struct vfio_user_server *s)
{
	uint32_t size;
	int ret;

	memcpy(&size, s->rx_buf + offsetof(struct vfio_user_hdr, msg_size), sizeof(size));
	ret = rx_read(s, size);
	if (ret < 0)
		return ret;
	if (s->rx_got == size)
		s->rx_state = VFU_RX_READY;
	return 0;
}

/* A whole message: checked, parsed, acted on, answered. */
static void rx_handle(struct vfio_user_server *s)
{
	struct vfio_user_hdr h;
	struct vfio_user_msg msg;
	struct vfio_user_cmd cmd;
	int ret;

	memcpy(&h, s->rx_buf, sizeof(h));
	if (vfu_refuse_before_version(s, &h))
		return;
	if (s->rx_unsupported) {
		vfu_send_error(s, &h, EOPNOTSUPP);
		return;
	}
	if (s->rx_fds_lost) {
		log_warn("%s: vfio-user.rst VFIO_USER_VERSION max_msg_fds: %s %u came with more "
			 "fds than this side takes (%u)",
			 s->path, vfio_user_cmd_name(h.cmd), h.msg_id, s->local.max_msg_fds);
		vfu_send_error(s, &h, EINVAL);
		return;
	}
	ret = vfio_user_msg_view(s->rx_buf, s->rx_got, s->rx_fds, s->rx_nfds, s->local.max_msg_fds,
				 VFIO_USER_SERVER, s->max_msg_size, &msg);
	if (ret == 0)
		ret = vfio_user_cmd_parse(&msg, &s->local, &cmd);
	if (ret == 0)
		ret = vfu_dispatch(s, &cmd);
	if (ret < 0)
		vfu_send_error(s, &h, -ret);
}

/* Runs the receiver until it has no more bytes, the client goes, or a
 * quiesce is out. */
static void on_conn(void *arg, uint32_t events)
{
	struct vfio_user_server *s = arg;
	int ret = 0;

	(void)events;
	while (s->conn_fd >= 0 && !s->paused) {
		switch (s->rx_state) {
		case VFU_RX_HDR:
			ret = rx_hdr(s);
			break;
		case VFU_RX_PAYLOAD:
			ret = rx_payload(s);
			break;
		case VFU_RX_READY:
			rx_handle(s);
			rx_reset(s);
			/* A refused VERSION or a failed send closed it. */
			continue;
		}
		if (ret == -EAGAIN)
			return;
		if (ret < 0) {
			if (ret != -ECONNRESET)
				log_warn("%s: connection dropped: %s", s->path, strerror(-ret));
			vfu_conn_close(s);
			return;
		}
	}
}

/* The spec serves one client a socket; a second one while the first is
 * attached is closed at once (one that comes while the first detaches
 * waits: the socket is not watched meanwhile). */
static void on_listen(void *arg, uint32_t events)
{
	struct vfio_user_server *s = arg;
	int fd, ret;

	(void)events;
	fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("%s: accept: %s", s->path, strerror(errno));
		return;
	}
	if (s->conn_fd >= 0 || s->detaching) {
		log_warn("%s: a second client while one is %s: closed (one client a server)",
			 s->path, s->detaching ? "detaching" : "attached");
		close(fd);
		return;
	}
	ret = evloop_add_fd(s->opts.loop, fd, EPOLLIN, on_conn, s);
	if (ret < 0) {
		log_err("%s: cannot watch the client: %s", s->path, strerror(-ret));
		close(fd);
		return;
	}
	s->conn_fd = fd;
	rx_reset(s);
	vfio_user_caps_default(&s->peer);
	s->local = s->ours;
	log_notice("%s: client connected", s->path);
}

static int server_alloc(const char *path, struct vfio_user_server *s)
{
	s->path = strdup(path);
	s->dma = malloc(sizeof(*s->dma));
	s->maps = calloc(s->local.max_dma_maps, sizeof(*s->maps));
	s->rx_buf = malloc(s->max_msg_size);
	s->tx_buf = malloc(s->max_msg_size);
	s->data = malloc(s->local.max_data_xfer_size);
	if (!s->path || !s->dma || !s->maps || !s->rx_buf || !s->tx_buf || !s->data)
		return -ENOMEM;
	mem_table_init(s->dma);
	return 0;
}

static void server_free(struct vfio_user_server *s)
{
	free(s->data);
	free(s->tx_buf);
	free(s->rx_buf);
	free(s->maps);
	free(s->dma);
	free(s->path);
	free(s);
}

static int opts_check(const struct vfio_user_server_opts *o)
{
	const struct vfio_user_dev_ops *ops = o->ops;

	if (!o->path || !o->loop || !ops || !ops->device_info || !ops->region_info ||
	    !ops->region_access || !ops->irq_info || !ops->set_irqs || !ops->attach ||
	    !ops->detach || (!ops->quiesce != !ops->resume))
		return -EINVAL;
	if (o->max_dma_maps > MEM_MAX_REGIONS || o->max_msg_fds > VFIO_USER_MAX_MSG_FDS_LIMIT ||
	    o->max_data_xfer_size > VFIO_USER_MAX_DATA_XFER_LIMIT)
		return -EINVAL;
	return 0;
}

int vfio_user_server_create(const struct vfio_user_server_opts *opts, struct vfio_user_server **srv)
{
	struct vfio_user_server *s;
	int ret = opts_check(opts);

	if (ret < 0)
		return ret;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->opts = *opts;
	s->opts.path = NULL; /* the caller's string; s->path is ours */
	s->listen_fd = -1;
	s->conn_fd = -1;
	vfio_user_caps_default(&s->ours);
	s->ours.max_dma_maps = opts->max_dma_maps ? opts->max_dma_maps : MEM_MAX_REGIONS;
	if (opts->max_data_xfer_size)
		s->ours.max_data_xfer_size = opts->max_data_xfer_size;
	s->ours.max_msg_fds = opts->max_msg_fds ? opts->max_msg_fds : VFU_DEFAULT_MAX_MSG_FDS;
	s->local = s->ours;
	s->max_msg_size = vfio_user_max_msg_size(&s->ours);
	ret = server_alloc(opts->path, s);
	if (ret < 0)
		goto fail;
	ret = util_unix_listen(s->path, 1, SOCK_NONBLOCK);
	if (ret < 0) {
		log_err("%s: cannot listen: %s", s->path, strerror(-ret));
		goto fail;
	}
	s->listen_fd = ret;
	ret = evloop_add_fd(s->opts.loop, s->listen_fd, EPOLLIN, on_listen, s);
	if (ret < 0)
		goto fail_listen;
	*srv = s;
	return 0;
fail_listen:
	close(s->listen_fd);
	unlink(s->path);
fail:
	server_free(s);
	return ret;
}

void vfio_user_server_destroy(struct vfio_user_server *s)
{
	if (!s)
		return;
	conn_close_how(s, false);
	if (!s->listen_paused)
		evloop_del_fd(s->opts.loop, s->listen_fd);
	close(s->listen_fd);
	unlink(s->path);
	mem_table_clear(s->dma);
	server_free(s);
}

const struct mem_table *vfio_user_server_dma(const struct vfio_user_server *s)
{
	return s->dma;
}

bool vfio_user_server_attached(const struct vfio_user_server *s)
{
	return s->attached;
}
