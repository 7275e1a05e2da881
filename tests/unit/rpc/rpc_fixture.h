/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_RPC_FIXTURE_H
#define STORLAB_TESTS_RPC_FIXTURE_H

/*
 * Shared by the rpc tests: a JSON-RPC server with test methods on an evloop
 * in its own thread, and raw-socket helpers that send and read exact bytes.
 * cmocka asserts run on the test's thread only.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "rpc/rpc.h"
#include "util/common.h"
#include "util/log.h"

/* Request texts; every piece is JSON text. */
#define RPC_HEAD(m)        "{\"jsonrpc\":\"2.0\",\"method\":\"" m "\""
#define REQ(m, params, id) RPC_HEAD(m) ",\"params\":" params ",\"id\":" id "}"
#define NOTIFY(m, params)  RPC_HEAD(m) ",\"params\":" params "}"
#define AB(a, b)           "{\"a\":" #a ",\"b\":" #b "}"

struct fixture {
	char dir[64];
	char path[128];
	struct evloop *loop;
	struct rpc_server *srv;
	pthread_t thread;
};

static struct fixture g_fx;
static atomic_int g_notes;       /* "note" calls */
static atomic_int g_async_done;  /* "later" answers given */
static struct rpc_request *g_stashed; /* a "stash" request, answered by the test */

static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- Methods ---- */

static inline void m_echo(struct rpc_request *req, json_t *params, void *ctx)
{
	(void)ctx;
	rpc_reply_result(req, params ? json_incref(params) : json_null());
}

static inline void m_add(struct rpc_request *req, json_t *params, void *ctx)
{
	uint32_t a, b;
	const struct rpc_param spec[] = {
		{"a", RPC_PARAM_U32, &a, 1},
		{"b", RPC_PARAM_U32, &b, 1},
	};
	char err[128];

	(void)ctx;
	if (rpc_decode_params(params, spec, ARRAY_SIZE(spec), err, sizeof(err))) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS, "%s", err);
		return;
	}
	rpc_reply_result(req, json_integer((json_int_t)a + b));
}

static inline void m_nothing(struct rpc_request *req, json_t *params, void *ctx)
{
	(void)params;
	(void)ctx;
	rpc_reply_result(req, NULL);
}

static inline void m_fail(struct rpc_request *req, json_t *params, void *ctx)
{
	(void)params;
	(void)ctx;
	rpc_reply_errno(req, -ENOENT, NULL);
}

static inline void m_note(struct rpc_request *req, json_t *params, void *ctx)
{
	(void)params;
	(void)ctx;
	atomic_fetch_add(&g_notes, 1);
	rpc_reply_result(req, json_string("noted"));
}

struct later {
	struct rpc_request *req;
	char *value;
};

static inline void later_fire(void *arg)
{
	struct later *l = arg;

	rpc_reply_result(l->req, json_string(l->value));
	free(l->value);
	free(l);
	atomic_fetch_add(&g_async_done, 1);
}

/* Answers after params.ms milliseconds, from a timer. */
static inline void m_later(struct rpc_request *req, json_t *params, void *ctx)
{
	struct fixture *fx = ctx;
	const char *value = "";
	uint32_t ms = 0;
	const struct rpc_param spec[] = {
		{"ms", RPC_PARAM_U32, &ms, 1},
		{"value", RPC_PARAM_STRING, &value, 0},
	};
	struct later *l;
	char err[128];

	if (rpc_decode_params(params, spec, ARRAY_SIZE(spec), err, sizeof(err))) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS, "%s", err);
		return;
	}
	l = calloc(1, sizeof(*l));
	l->req = req;
	/* params are borrowed for the call only: keep a copy. */
	l->value = strdup(value);
	evloop_add_timer(fx->loop, ms, later_fire, l);
}

static inline void m_stash(struct rpc_request *req, json_t *params, void *ctx)
{
	(void)params;
	(void)ctx;
	__atomic_store_n(&g_stashed, req, __ATOMIC_RELEASE);
}

static const struct rpc_method g_methods[] = {
	{"echo", m_echo, "returns its params"},
	{"add", m_add, "a + b"},
	{"nothing", m_nothing, "returns nothing"},
	{"fail", m_fail, "fails with ENOENT"},
	{"note", m_note, "counts calls"},
	{"later", m_later, "answers after ms"},
	{"stash", m_stash, "answered by the test"},
};

/* ---- Fixture ---- */

static inline void *loop_main(void *arg)
{
	evloop_run(arg);
	return NULL;
}

struct on_loop {
	void (*fn)(void *arg);
	void *arg;
	sem_t done;
};

static inline void on_loop_run(void *arg)
{
	struct on_loop *c = arg;

	c->fn(c->arg);
	sem_post(&c->done);
}

/* Runs fn(arg) on the server's loop thread and waits for it. */
static inline void run_on_loop(void (*fn)(void *arg), void *arg)
{
	struct on_loop c = {.fn = fn, .arg = arg};

	sem_init(&c.done, 0, 0);
	assert_int_equal(evloop_call(g_fx.loop, on_loop_run, &c), 0);
	sem_wait(&c.done);
	sem_destroy(&c.done);
}

static inline int setup(void **state)
{
	(void)state;
	log_set_level(LOG_LEVEL_ERR);
	memset(&g_fx, 0, sizeof(g_fx));
	atomic_store(&g_notes, 0);
	atomic_store(&g_async_done, 0);
	g_stashed = NULL;
	snprintf(g_fx.dir, sizeof(g_fx.dir), "/tmp/storlab-rpc-XXXXXX");
	if (!mkdtemp(g_fx.dir))
		return -1;
	snprintf(g_fx.path, sizeof(g_fx.path), "%s/rpc.sock", g_fx.dir);
	if (evloop_create(&g_fx.loop) || rpc_server_create(g_fx.loop, g_fx.path, &g_fx.srv) ||
	    rpc_server_add_methods(g_fx.srv, g_methods, ARRAY_SIZE(g_methods), &g_fx))
		return -1;
	return pthread_create(&g_fx.thread, NULL, loop_main, g_fx.loop) ? -1 : 0;
}

static inline void destroy_server(void *arg)
{
	(void)arg;
	rpc_server_destroy(g_fx.srv);
	g_fx.srv = NULL;
}

static inline int teardown(void **state)
{
	(void)state;
	if (g_fx.srv)
		run_on_loop(destroy_server, NULL);
	evloop_stop(g_fx.loop);
	pthread_join(g_fx.thread, NULL);
	evloop_destroy(g_fx.loop);
	rmdir(g_fx.dir);
	return 0;
}

/* ---- Raw sockets ---- */

static inline void sun_fill(struct sockaddr_un *sun, const char *path)
{
	assert_true(strlen(path) < sizeof(sun->sun_path));
	memcpy(sun->sun_path, path, strlen(path) + 1);
}

static inline int raw_connect(void)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	sun_fill(&sun, g_fx.path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static inline void raw_send(int fd, const char *text)
{
	size_t len = strlen(text);

	assert_int_equal(send(fd, text, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Reads one response line (every response ends with "\n"). Returns NULL on
 * EOF, reset or after timeout_ms; *raw gets the line as sent. */
static inline json_t *raw_recv_line(int fd, char *raw, size_t raw_size, int timeout_ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	size_t len = 0;
	char c;

	while (len + 1 < raw_size) {
		if (poll(&pfd, 1, timeout_ms) != 1 || recv(fd, &c, 1, 0) != 1)
			return NULL;
		if (c == '\n') {
			raw[len] = '\0';
			return json_loads(raw, 0, NULL);
		}
		raw[len++] = c;
	}
	return NULL;
}

static inline json_t *raw_recv(int fd)
{
	static char line[65536];

	return raw_recv_line(fd, line, sizeof(line), 2000);
}

/* The server closed: recv sees the end (or a reset) within 2 s. */
static inline void assert_closed(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	char c;

	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_true(recv(fd, &c, 1, 0) <= 0);
}

/* Nothing more comes within ms. */
static inline void assert_silent(int fd, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	assert_int_equal(poll(&pfd, 1, ms), 0);
}

static inline void assert_error(json_t *resp, int code, const char *id_json)
{
	json_t *want_id = json_loads(id_json, JSON_DECODE_ANY, NULL);

	assert_non_null(resp);
	assert_string_equal(json_string_value(json_object_get(resp, "jsonrpc")), "2.0");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(resp, "error"),
							    "code")),
			 code);
	assert_true(json_is_string(json_object_get(json_object_get(resp, "error"), "message")));
	assert_null(json_object_get(resp, "result"));
	assert_true(json_equal(json_object_get(resp, "id"), want_id));
	json_decref(want_id);
}

#endif
