/* SPDX-License-Identifier: MIT */
/* The blocking JSON-RPC client of `storlab rpc` and the tests. */
#define LOG_COMPONENT "rpc"
#include "rpc/rpc_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rpc/frame.h"
#include "util/deadline.h"
#include "util/log.h"

/* Responses (bdev lists, stats) can be larger than any request. */
#define RPC_CLIENT_MAX_RESPONSE (256u * 1024 * 1024)
#define RPC_CLIENT_CHUNK 65536
#define RPC_CONNECT_RETRY_MS 10

struct rpc_client {
	int fd;
	int timeout_ms;
	json_int_t next_id;
	char *buf;
	size_t len, cap;
	struct rpc_frame frame;
};

int rpc_client_connect(const char *path, int timeout_ms, struct rpc_client **clientp)
{
	int64_t deadline = deadline_from_timeout(timeout_ms);
	struct rpc_client *client;
	struct sockaddr_un sun;
	int fd, rc;

	rc = rpc_sockaddr(path, &sun);
	if (rc)
		return rc;
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			break;
		rc = -errno;
		close(fd);
		/* Nothing listens yet (a target still starting): retry. A full
		 * backlog (EAGAIN) clears up as the server accepts. */
		if ((rc != -ENOENT && rc != -ECONNREFUSED && rc != -EAGAIN) ||
		    deadline_ms_left(deadline) == 0) {
			log_err("connect %s: %s", path, strerror(-rc));
			return rc == -EAGAIN ? -ETIMEDOUT : rc;
		}
		usleep(RPC_CONNECT_RETRY_MS * 1000);
	}
	client = calloc(1, sizeof(*client));
	if (!client) {
		close(fd);
		return -ENOMEM;
	}
	client->fd = fd;
	client->timeout_ms = timeout_ms;
	client->next_id = 1;
	rpc_frame_init(&client->frame, RPC_CLIENT_MAX_RESPONSE);
	*clientp = client;
	return 0;
}

void rpc_client_close(struct rpc_client *client)
{
	if (!client)
		return;
	close(client->fd);
	free(client->buf);
	free(client);
}

static int client_send(struct rpc_client *client, const char *data, size_t len, int64_t deadline)
{
	size_t off = 0;
	ssize_t n;
	int rc;

	while (off < len) {
		n = send(client->fd, data + off, len - off, MSG_NOSIGNAL);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return errno == EPIPE ? -ECONNRESET : -errno;
		rc = deadline_wait_fd(client->fd, POLLOUT, deadline);
		if (rc)
			return rc;
	}
	return 0;
}

/* Reads until one whole JSON value is in; returns it, or a transport error. */
static int client_recv(struct rpc_client *client, int64_t deadline, json_t **value)
{
	size_t start, end, used;
	json_error_t err;
	ssize_t n;
	char *p;
	int rc;

	for (;;) {
		rc = rpc_frame_next(&client->frame, client->buf, client->len, &start, &end);
		if (rc < 0) {
			log_err("response larger than %u bytes", RPC_CLIENT_MAX_RESPONSE);
			return -EPROTO;
		}
		if (rc == 1)
			break;
		if (client->cap - client->len < RPC_CLIENT_CHUNK) {
			p = realloc(client->buf, client->cap + RPC_CLIENT_CHUNK * 4);
			if (!p)
				return -ENOMEM;
			client->buf = p;
			client->cap += RPC_CLIENT_CHUNK * 4;
		}
		n = recv(client->fd, client->buf + client->len, client->cap - client->len, 0);
		if (n > 0) {
			client->len += (size_t)n;
		} else if (n == 0) {
			return -ECONNRESET;
		} else if (errno == EAGAIN) {
			rc = deadline_wait_fd(client->fd, POLLIN, deadline);
			if (rc)
				return rc;
		} else if (errno != EINTR) {
			return -errno;
		}
	}
	*value = json_loadb(client->buf + start, end - start, JSON_DECODE_ANY, &err);
	used = rpc_frame_consumed(&client->frame);
	memmove(client->buf, client->buf + used, client->len - used);
	client->len -= used;
	rpc_frame_shift(&client->frame, used);
	if (!*value) {
		log_err("response is not JSON: %s", err.text);
		return -EPROTO;
	}
	return 0;
}

/*
 * Matches a response to request `id`: 1 it is the answer, 0 it is an answer
 * to an earlier request that timed out (skip it), -EPROTO anything else.
 */
static int response_match(json_t *resp, json_int_t id)
{
	json_t *rid = json_object_get(resp, "id");
	json_t *version = json_object_get(resp, "jsonrpc");

	if (!json_is_object(resp) || !json_is_string(version) ||
	    strcmp(json_string_value(version), "2.0") != 0) {
		log_err("JSON-RPC 2.0 §5: a response is an object with jsonrpc \"2.0\"");
		return -EPROTO;
	}
	if (json_is_integer(rid) && json_integer_value(rid) == id)
		return 1;
	if (json_is_integer(rid) && json_integer_value(rid) < id)
		return 0;
	/* §5: id null when the server could not read the request's id. */
	if (json_is_null(rid) && json_object_get(resp, "error"))
		return 1;
	log_err("JSON-RPC 2.0 §5: response id does not match request %lld", (long long)id);
	return -EPROTO;
}

int rpc_client_call(struct rpc_client *client, const char *method, json_t *params,
		    json_t **result, json_t **error)
{
	int64_t deadline = deadline_from_timeout(client->timeout_ms);
	json_int_t id = client->next_id++;
	json_t *req, *resp, *member;
	char *text;
	int rc;

	*result = NULL;
	*error = NULL;
	req = json_pack("{s:s, s:s, s:I}", "jsonrpc", "2.0", "method", method, "id", id);
	if (!req) {
		json_decref(params);
		return -EINVAL;
	}
	if (params && json_object_set_new(req, "params", params) < 0) {
		json_decref(req);
		return -EINVAL;
	}
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!text)
		return -ENOMEM;
	rc = client_send(client, text, strlen(text), deadline);
	free(text);
	if (rc == 0)
		rc = client_send(client, "\n", 1, deadline);
	while (rc == 0) {
		rc = client_recv(client, deadline, &resp);
		if (rc)
			break;
		rc = response_match(resp, id);
		if (rc == 1) {
			rc = 0;
			break;
		}
		json_decref(resp);
	}
	if (rc)
		return rc;
	if ((member = json_object_get(resp, "result"))) {
		*result = json_incref(member);
	} else if ((member = json_object_get(resp, "error"))) {
		*error = json_incref(member);
		rc = -EREMOTEIO;
	} else {
		log_err("JSON-RPC 2.0 §5: a response has a result or an error");
		rc = -EPROTO;
	}
	json_decref(resp);
	return rc;
}
