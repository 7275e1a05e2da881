/* SPDX-License-Identifier: MIT */
/*
 * The JSON-RPC server's transport: a listening Unix socket and non-blocking
 * connections on the evloop. Bytes in are cut into JSON values (frame.c)
 * and handed to jsonrpc.c; responses are buffered out, with EPOLLOUT armed
 * while some are left. While output is pending the connection reads no more
 * input, so a client that does not read its answers cannot grow our memory.
 */
#define LOG_COMPONENT "rpc"
#include "rpc/rpc_internal.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "rpc/frame.h"
#include "util/common.h"
#include "util/log.h"

#define RPC_READ_CHUNK 65536
#define RPC_LISTEN_BACKLOG 64

struct rpc_conn {
	LIST_ENTRY(rpc_conn) link;
	struct rpc_server *srv; /* NULL once closed */
	struct evloop *loop;
	int fd;
	unsigned refs;
	bool closed;
	/* No more input will be read (the peer shut its side, or its input was
	 * not JSON): close once every answer owed has been sent. */
	bool draining;
	/* Inside this connection's event callback, which holds a reference. */
	bool busy;
	uint32_t events;
	char *in;
	size_t in_len, in_cap;
	struct rpc_frame frame;
	char *out;
	size_t out_off, out_len, out_cap;
};

int rpc_sockaddr(const char *path, struct sockaddr_un *sun)
{
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(sun->sun_path)) {
		log_err("socket path '%s': must be 1 to %zu bytes", path,
			sizeof(sun->sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, len);
	return 0;
}

/* ---- Connections ---- */

void rpc_conn_get(struct rpc_conn *conn)
{
	conn->refs++;
}

static void conn_close(struct rpc_conn *conn)
{
	if (conn->closed)
		return;
	conn->closed = true;
	evloop_del_fd(conn->loop, conn->fd);
	close(conn->fd);
	LIST_REMOVE(conn, link);
	conn->srv = NULL;
	rpc_conn_put(conn);
}

/* A draining connection closes once nothing is owed: no output left and no
 * reference but the open one (and the running callback's). */
static void conn_check_drained(struct rpc_conn *conn)
{
	if (!conn->closed && conn->draining && conn->out_len == conn->out_off &&
	    conn->refs == 1u + conn->busy)
		conn_close(conn);
}

void rpc_conn_put(struct rpc_conn *conn)
{
	if (--conn->refs == 0) {
		free(conn->in);
		free(conn->out);
		free(conn);
		return;
	}
	conn_check_drained(conn);
}

bool rpc_conn_closed(const struct rpc_conn *conn)
{
	return conn->closed;
}

static void conn_set_events(struct rpc_conn *conn)
{
	uint32_t events = 0;

	if (conn->out_off < conn->out_len)
		events = EPOLLOUT;
	else if (!conn->draining)
		events = EPOLLIN;
	if (events != conn->events && evloop_mod_fd(conn->loop, conn->fd, events) == 0)
		conn->events = events;
}

static void conn_flush(struct rpc_conn *conn)
{
	ssize_t n;

	while (conn->out_off < conn->out_len) {
		n = send(conn->fd, conn->out + conn->out_off, conn->out_len - conn->out_off,
			 MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			log_info("connection fd %d: send: %s; closing", conn->fd, strerror(errno));
			conn_close(conn);
			return;
		}
		conn->out_off += (size_t)n;
	}
	if (conn->out_off == conn->out_len)
		conn->out_off = conn->out_len = 0;
}

/* Makes room for `more` bytes after `len` in a buffer; 0 or -ENOMEM. */
static int buf_reserve(char **buf, size_t *cap, size_t len, size_t more)
{
	size_t want = *cap ? *cap : 4096;
	char *p;

	if (*cap - len >= more)
		return 0;
	while (want - len < more)
		want *= 2;
	p = realloc(*buf, want);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = want;
	return 0;
}

void rpc_conn_send(struct rpc_conn *conn, json_t *resp)
{
	size_t size;

	if (conn->closed || !resp)
		goto out;
	size = json_dumpb(resp, NULL, 0, JSON_COMPACT);
	if (size == 0) {
		log_err("connection fd %d: cannot encode a response", conn->fd);
		goto out;
	}
	if (conn->out_off) {
		memmove(conn->out, conn->out + conn->out_off, conn->out_len - conn->out_off);
		conn->out_len -= conn->out_off;
		conn->out_off = 0;
	}
	if (buf_reserve(&conn->out, &conn->out_cap, conn->out_len, size + 1)) {
		log_err("connection fd %d: no memory for a %zu-byte response; closing", conn->fd,
			size);
		conn_close(conn);
		goto out;
	}
	json_dumpb(resp, conn->out + conn->out_len, size, JSON_COMPACT);
	conn->out_len += size;
	conn->out[conn->out_len++] = '\n';
	conn_flush(conn);
	if (!conn->closed)
		conn_set_events(conn);
out:
	json_decref(resp);
}

/* Input that is not JSON: the stream cannot be resynchronised, so answer
 * once (JSON-RPC 2.0 §5.1, -32700, id null) and close after the answers. */
static void conn_fail(struct rpc_conn *conn, const char *why)
{
	log_warn("connection fd %d: JSON-RPC 2.0 §5.1: parse error (%s); closing", conn->fd, why);
	rpc_conn_send(conn, rpc_error_response(NULL, RPC_ERR_PARSE, "Parse error"));
	conn->draining = true;
}

/* Answers every complete value in the input buffer, then drops its bytes. */
static void conn_process(struct rpc_conn *conn)
{
	size_t start, end, used;
	json_error_t err;
	json_t *msg;
	int rc;

	while (!conn->closed && !conn->draining) {
		rc = rpc_frame_next(&conn->frame, conn->in, conn->in_len, &start, &end);
		if (rc == 0)
			break;
		if (rc < 0) {
			conn_fail(conn, "request larger than RPC_MAX_REQUEST_SIZE");
			return;
		}
		msg = json_loadb(conn->in + start, end - start, JSON_DECODE_ANY, &err);
		if (!msg) {
			conn_fail(conn, err.text);
			return;
		}
		rpc_dispatch(conn->srv, conn, msg);
		json_decref(msg);
	}
	used = rpc_frame_consumed(&conn->frame);
	memmove(conn->in, conn->in + used, conn->in_len - used);
	conn->in_len -= used;
	rpc_frame_shift(&conn->frame, used);
}

static void conn_read(struct rpc_conn *conn, uint32_t events)
{
	ssize_t n;

	if (buf_reserve(&conn->in, &conn->in_cap, conn->in_len, RPC_READ_CHUNK)) {
		log_err("connection fd %d: no memory for input; closing", conn->fd);
		conn_close(conn);
		return;
	}
	n = read(conn->fd, conn->in + conn->in_len, conn->in_cap - conn->in_len);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		log_info("connection fd %d: read: %s; closing", conn->fd, strerror(errno));
		conn_close(conn);
		return;
	}
	if (n == 0) {
		/* A peer that only shut its sending side still reads its answers;
		 * one that is gone (HUP) gets none. */
		if (events & (EPOLLHUP | EPOLLERR))
			conn_close(conn);
		else
			conn->draining = true;
		return;
	}
	conn->in_len += (size_t)n;
	conn_process(conn);
}

static void conn_event(void *arg, uint32_t events)
{
	struct rpc_conn *conn = arg;

	rpc_conn_get(conn);
	conn->busy = true;
	if (events & EPOLLOUT)
		conn_flush(conn);
	if (!conn->closed && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		conn_read(conn, events);
	if (!conn->closed)
		conn_set_events(conn);
	conn->busy = false;
	rpc_conn_put(conn);
}

static void server_accept(void *arg, uint32_t events)
{
	struct rpc_server *srv = arg;
	struct rpc_conn *conn;
	int fd;

	(void)events;
	for (;;) {
		fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("%s: accept: %s", srv->path, strerror(errno));
			return;
		}
		conn = calloc(1, sizeof(*conn));
		if (!conn || evloop_add_fd(srv->loop, fd, EPOLLIN, conn_event, conn) != 0) {
			log_err("%s: cannot take a connection", srv->path);
			free(conn);
			close(fd);
			continue;
		}
		conn->srv = srv;
		conn->loop = srv->loop;
		conn->fd = fd;
		conn->refs = 1;
		conn->events = EPOLLIN;
		rpc_frame_init(&conn->frame, RPC_MAX_REQUEST_SIZE);
		LIST_INSERT_HEAD(&srv->conns, conn, link);
	}
}

/* ---- Server ---- */

/* A socket file left by a dead server is removed; a live server's, or any
 * other kind of file, is left alone. */
static int server_clear_path(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		log_err("%s exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (rc == 0) {
		log_err("%s: another server is listening there", path);
		return -EADDRINUSE;
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	log_info("%s: removed a stale socket", path);
	return 0;
}

static int server_listen(struct rpc_server *srv)
{
	struct sockaddr_un sun;
	int rc;

	rc = rpc_sockaddr(srv->path, &sun);
	if (rc)
		return rc;
	rc = server_clear_path(srv->path, &sun);
	if (rc)
		return rc;
	srv->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->listen_fd < 0)
		return -errno;
	if (bind(srv->listen_fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(srv->listen_fd, RPC_LISTEN_BACKLOG) < 0) {
		rc = -errno;
		log_err("%s: %s", srv->path, strerror(-rc));
		goto err_close;
	}
	rc = evloop_add_fd(srv->loop, srv->listen_fd, EPOLLIN, server_accept, srv);
	if (rc)
		goto err_unlink;
	return 0;

err_unlink:
	unlink(srv->path);
err_close:
	close(srv->listen_fd);
	return rc;
}

int rpc_server_create(struct evloop *loop, const char *path, struct rpc_server **srvp)
{
	struct rpc_server *srv;
	int rc;

	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->loop = loop;
	srv->listen_fd = -1;
	LIST_INIT(&srv->conns);
	srv->path = strdup(path);
	if (!srv->path) {
		rc = -ENOMEM;
		goto err_free;
	}
	rc = rpc_add_builtin_methods(srv);
	if (rc)
		goto err_free;
	rc = server_listen(srv);
	if (rc)
		goto err_free;
	log_info("listening on %s", path);
	*srvp = srv;
	return 0;

err_free:
	free(srv->tables);
	free(srv->path);
	free(srv);
	return rc;
}

void rpc_server_destroy(struct rpc_server *srv)
{
	struct rpc_conn *conn;

	if (!srv)
		return;
	while ((conn = LIST_FIRST(&srv->conns)))
		conn_close(conn);
	evloop_del_fd(srv->loop, srv->listen_fd);
	close(srv->listen_fd);
	unlink(srv->path);
	free(srv->tables);
	free(srv->path);
	free(srv);
}
