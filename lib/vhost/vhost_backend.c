/* SPDX-License-Identifier: MIT */
/*
 * The back-end's connection: listening (server mode) or connecting and
 * reconnecting (client mode), the receive loop on the control thread's
 * evloop, and the teardown that every way of losing the front-end goes
 * through: stop the rings, tell the device, unmap memory, close fds, wait
 * for the next front-end. Stopping rings is asked of the device and
 * answered later; vhost_dev_progress() moves on whatever waited for it.
 */
#define LOG_COMPONENT "vhost"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/log.h"
#include "vhost/vhost_backend_internal.h"

#define DEFAULT_RECONNECT_MS 1000
#define RX_BATCH	     64

static int check_opts(const struct vhost_dev_opts *opts)
{
	const struct vhost_dev_ops *ops = opts->ops;

	if (!ops || !ops->get_features || !ops->set_features || !ops->get_config ||
	    !ops->ring_start || !ops->ring_stop) {
		log_err("vhost_dev: ops lack a mandatory callback");
		return -EINVAL;
	}
	if (opts->max_queues == 0 || opts->max_queues > VHOST_MAX_QUEUES) {
		log_err("vhost_dev: max_queues %u not in 1..%d", opts->max_queues,
			VHOST_MAX_QUEUES);
		return -EINVAL;
	}
	return 0;
}

static int dev_alloc(const struct vhost_dev_opts *opts, struct vhost_dev **out)
{
	struct vhost_dev *dev;
	int ret = check_opts(opts);

	if (ret)
		return ret;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->mem = malloc(sizeof(*dev->mem));
	if (!dev->mem) {
		free(dev);
		return -ENOMEM;
	}
	mem_table_init(dev->mem);
	dev->opts = *opts;
	dev->opts.socket_path = NULL; /* the caller's string; we keep a copy */
	dev->listen_fd = -1;
	dev->conn_fd = -1;
	vhost_msg_rx_reset(&dev->rx);
	vhost_rings_init(dev);
	*out = dev;
	return 0;
}

static void dev_free(struct vhost_dev *dev)
{
	free(dev->mem);
	free(dev->socket_path);
	free(dev);
}

static void on_conn(void *arg, uint32_t events);
static void conn_wait_next(struct vhost_dev *dev);

void vhost_dev_conn_close(struct vhost_dev *dev)
{
	if (dev->conn_fd < 0)
		return;
	log_notice("%s: front-end disconnected", dev->socket_path);
	vhost_msg_drop(dev);
	if (dev->opts.loop && !dev->rx_paused)
		evloop_del_fd(dev->opts.loop, dev->conn_fd);
	dev->rx_paused = false;
	close(dev->conn_fd);
	dev->conn_fd = -1;
	dev->closing = true;
}

/* Every ring stopped after the front-end went: forget the connection and
 * every state that came with it, and wait for the next one. */
static void conn_finish(struct vhost_dev *dev)
{
	vhost_rings_forget(dev);
	if (dev->opts.ops->disconnected)
		dev->opts.ops->disconnected(dev->opts.ctx);
	mem_table_clear(dev->mem);
	vhost_mem_unstage(dev);
	vhost_log_drop(dev);
	vhost_log_unstage(dev);
	vhost_inflight_drop(dev);
	vhost_inflight_unstage(dev);
	dev->owner = false;
	dev->features = 0;
	dev->protocol_features = 0;
	dev->status = 0;
	vhost_msg_rx_reset(&dev->rx);
	dev->closing = false;
	if (!dev->shut)
		conn_wait_next(dev);
}

/* The request that paused reading was answered: read again (the loop is
 * level-triggered, so what arrived meanwhile is seen at its next turn). */
static void conn_resume(struct vhost_dev *dev)
{
	int ret = evloop_add_fd(dev->opts.loop, dev->conn_fd, EPOLLIN, on_conn, dev);

	dev->rx_paused = false;
	if (ret < 0) {
		log_err("%s: cannot watch the connection again: %s", dev->socket_path,
			strerror(-ret));
		/* Not on the loop: nothing to delete. */
		dev->rx_paused = true;
		vhost_dev_conn_close(dev);
	}
}

/* What waits for nothing any more, once the device answered every stop and
 * swap: the shutdown's callback, or the free that destroy asked for. */
static void shutdown_complete(struct vhost_dev *dev)
{
	void (*done)(void *arg) = dev->shutdown_done;
	void *arg = dev->shutdown_arg;

	dev->shutdown_done = NULL;
	dev->shut_completed = true;
	if (dev->free_when_idle)
		dev_free(dev);
	if (done)
		done(arg);
}

void vhost_dev_progress(struct vhost_dev *dev)
{
	/* A device answering inline re-enters here: the loop below goes on. */
	if (dev->progressing)
		return;
	dev->progressing = true;
	for (;;) {
		/* A connection going away stops every ring at once. */
		if (dev->closing)
			vhost_rings_stop(dev, UINT64_MAX);
		if (dev->ring_ops)
			break;
		if (vhost_dev_busy(dev))
			vhost_msg_step(dev);
		else if (dev->closing)
			conn_finish(dev);
		else
			break;
	}
	dev->progressing = false;
	if (dev->ring_ops || vhost_dev_busy(dev) || dev->closing)
		return;
	if (dev->rx_paused) {
		conn_resume(dev);
		if (dev->closing) {
			vhost_dev_progress(dev);
			return;
		}
	}
	if (dev->shut && !dev->shut_completed && dev->conn_fd < 0)
		shutdown_complete(dev);
}

static void conn_attach(struct vhost_dev *dev, int fd)
{
	int ret = evloop_add_fd(dev->opts.loop, fd, EPOLLIN, on_conn, dev);

	if (ret < 0) {
		log_err("%s: cannot watch the connection: %s", dev->socket_path, strerror(-ret));
		close(fd);
		conn_wait_next(dev);
		return;
	}
	dev->conn_fd = fd;
	dev->conn_broken = false;
	log_notice("%s: front-end connected", dev->socket_path);
	if (dev->opts.ops->connected)
		dev->opts.ops->connected(dev->opts.ctx);
}

/* Reads and handles the whole messages the socket holds, a bounded batch at
 * a time: the loop is level-triggered, so a busy front-end does not starve
 * the other devices of this control thread. A request that waits for its
 * rings to stop pauses reading until it is answered (vhost_dev_progress). */
static void on_conn(void *arg, uint32_t events)
{
	struct vhost_dev *dev = arg;
	int ret = 0;

	(void)events; /* a hang-up shows as end of stream once the data is read */
	for (unsigned n = 0; n < RX_BATCH && ret >= 0; n++) {
		ret = vhost_msg_rx_step(&dev->rx, dev->conn_fd);
		if (ret == -EAGAIN)
			return;
		if (ret < 0)
			break;
		/* vhost_dev_handle_msg owns the fds from here on. */
		ret = vhost_dev_handle_msg(dev, &dev->rx.msg.hdr, &dev->rx.msg.payload,
					   dev->rx.msg.fds, dev->rx.msg.nfds);
		dev->rx.msg.nfds = 0;
		vhost_msg_rx_reset(&dev->rx);
		if (ret > 0) {
			evloop_del_fd(dev->opts.loop, dev->conn_fd);
			dev->rx_paused = true;
			return;
		}
	}
	if (ret < 0) {
		vhost_dev_conn_close(dev);
		vhost_dev_progress(dev);
	}
}

static void on_listen(void *arg, uint32_t events)
{
	struct vhost_dev *dev = arg;
	int fd;

	(void)events;
	fd = accept4(dev->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			log_warn("%s: accept: %s", dev->socket_path, strerror(errno));
		return;
	}
	/* One front-end at a time: the next waits in the backlog until this
	 * one is gone, so a reconnecting front-end is never turned away. */
	evloop_del_fd(dev->opts.loop, dev->listen_fd);
	dev->listening = false;
	conn_attach(dev, fd);
}

static int sockaddr_of(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		log_err("%s: socket path longer than %zu bytes", path, sizeof(sa->sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa->sun_path, path);
	return 0;
}

static void dev_connect(struct vhost_dev *dev);

static void on_reconnect(void *arg)
{
	struct vhost_dev *dev = arg;

	dev->reconnect_timer = 0;
	dev_connect(dev);
}

/* After a connection is gone: listen again, or retry connecting later. */
static void conn_wait_next(struct vhost_dev *dev)
{
	int64_t id;
	int ret;

	if (!dev->opts.loop)
		return;
	if (!dev->opts.client) {
		ret = evloop_add_fd(dev->opts.loop, dev->listen_fd, EPOLLIN, on_listen, dev);
		if (ret < 0)
			log_err("%s: cannot listen again: %s", dev->socket_path, strerror(-ret));
		dev->listening = ret == 0;
		return;
	}
	id = evloop_add_timer(
	    dev->opts.loop, dev->opts.reconnect_ms ? dev->opts.reconnect_ms : DEFAULT_RECONNECT_MS,
	    on_reconnect, dev);
	if (id < 0)
		log_err("%s: cannot schedule a reconnection: %s", dev->socket_path,
			strerror((int)-id));
	dev->reconnect_timer = id > 0 ? id : 0;
}

/* Client mode: one attempt to reach the front-end. */
static void dev_connect(struct vhost_dev *dev)
{
	struct sockaddr_un sa;
	int fd;

	if (sockaddr_of(dev->socket_path, &sa) < 0)
		return;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_err("%s: socket: %s", dev->socket_path, strerror(errno));
		conn_wait_next(dev);
		return;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		log_debug("%s: connect: %s; retrying", dev->socket_path, strerror(errno));
		close(fd);
		conn_wait_next(dev);
		return;
	}
	conn_attach(dev, fd);
}

static int dev_listen(struct vhost_dev *dev)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd;
	int ret = sockaddr_of(dev->socket_path, &sa);

	if (ret)
		return ret;
	/* A socket file left by a previous run is stale; anything else at that
	 * path is not ours to remove. */
	if (lstat(dev->socket_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_err("%s: exists and is not a socket", dev->socket_path);
			return -EEXIST;
		}
		unlink(dev->socket_path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		goto err_close;
	}
	if (listen(fd, 1) < 0) {
		ret = -errno;
		goto err_unlink;
	}
	ret = evloop_add_fd(dev->opts.loop, fd, EPOLLIN, on_listen, dev);
	if (ret < 0)
		goto err_unlink;
	dev->listen_fd = fd;
	dev->listening = true;
	return 0;

err_unlink:
	unlink(dev->socket_path);
err_close:
	close(fd);
	log_err("%s: cannot listen: %s", dev->socket_path, strerror(-ret));
	return ret;
}

int vhost_dev_create(const struct vhost_dev_opts *opts, struct vhost_dev **out)
{
	struct vhost_dev *dev;
	int ret;

	if (!opts->socket_path || !opts->loop) {
		log_err("vhost_dev: socket_path and loop are required");
		return -EINVAL;
	}
	ret = dev_alloc(opts, &dev);
	if (ret)
		return ret;
	dev->socket_path = strdup(opts->socket_path);
	if (!dev->socket_path) {
		dev_free(dev);
		return -ENOMEM;
	}
	if (opts->client) {
		dev_connect(dev);
	} else {
		ret = dev_listen(dev);
		if (ret) {
			dev_free(dev);
			return ret;
		}
	}
	*out = dev;
	return 0;
}

int vhost_dev_create_on_fd(const struct vhost_dev_opts *opts, int conn_fd, struct vhost_dev **out)
{
	struct vhost_dev *dev;
	int ret = dev_alloc(opts, &dev);

	if (ret)
		return ret;
	dev->opts.loop = NULL;
	dev->conn_fd = conn_fd;
	if (dev->opts.ops->connected)
		dev->opts.ops->connected(dev->opts.ctx);
	*out = dev;
	return 0;
}

void vhost_dev_shutdown(struct vhost_dev *dev, void (*done)(void *arg), void *arg)
{
	dev->shut = true;
	dev->shutdown_done = done;
	dev->shutdown_arg = arg;
	if (dev->reconnect_timer) {
		evloop_cancel_timer(dev->opts.loop, dev->reconnect_timer);
		dev->reconnect_timer = 0;
	}
	if (dev->listen_fd >= 0) {
		if (dev->listening)
			evloop_del_fd(dev->opts.loop, dev->listen_fd);
		close(dev->listen_fd);
		unlink(dev->socket_path);
		dev->listen_fd = -1;
		dev->listening = false;
	}
	vhost_dev_conn_close(dev);
	/* Last: it may complete the shutdown, and free dev. */
	vhost_dev_progress(dev);
}

void vhost_dev_destroy(struct vhost_dev *dev)
{
	if (!dev)
		return;
	if (dev->shut_completed) {
		dev_free(dev);
		return;
	}
	dev->free_when_idle = true;
	if (!dev->shut)
		vhost_dev_shutdown(dev, NULL, NULL);
}

void vhost_dev_get_info(const struct vhost_dev *dev, struct vhost_dev_info *info)
{
	info->connected = dev->conn_fd >= 0;
	info->features = dev->features;
	info->protocol_features = dev->protocol_features;
	info->mem_regions = dev->mem->nregions;
	info->rings_started = vhost_rings_started(dev);
}

const struct mem_table *vhost_dev_mem(const struct vhost_dev *dev)
{
	return dev->mem;
}
