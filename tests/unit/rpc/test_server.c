/* SPDX-License-Identifier: MIT */
/* The JSON-RPC server driven with exact bytes over raw sockets: framing,
 * JSON-RPC 2.0 validation, notifications, batches, limits, socket files. */
#include "rpc_fixture.h"

static void test_add_methods_duplicate(void **state)
{
	static const struct rpc_method dup[] = {{"fresh", m_echo, ""}, {"echo", m_echo, ""}};
	static const struct rpc_method twice[] = {{"x", m_echo, ""}, {"x", m_echo, ""}};
	static const struct rpc_method noname[] = {{NULL, m_echo, ""}};

	(void)state;
	/* The loop thread owns the server, but these fail before touching it. */
	assert_int_equal(rpc_server_add_methods(g_fx.srv, dup, ARRAY_SIZE(dup), NULL), -EEXIST);
	assert_int_equal(rpc_server_add_methods(g_fx.srv, twice, ARRAY_SIZE(twice), NULL),
			 -EEXIST);
	assert_int_equal(rpc_server_add_methods(g_fx.srv, noname, 1, NULL), -EINVAL);
}

/* ---- Raw bytes ---- */

static void test_parse_error_closes(void **state)
{
	int fd = raw_connect();
	char line[256];
	json_t *resp;

	(void)state;
	/* JSON-RPC 2.0 §7's example of invalid JSON. */
	raw_send(fd, "{\"jsonrpc\": \"2.0\", \"method\": \"foobar, \"params\": \"bar\", \"baz]");
	resp = raw_recv_line(fd, line, sizeof(line), 2000);
	assert_error(resp, RPC_ERR_PARSE, "null");
	/* Compact JSON on one line. */
	assert_string_equal(line,
			    "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"Parse "
			    "error\"},\"id\":null}");
	json_decref(resp);
	assert_closed(fd);
	close(fd);
}

static void test_invalid_requests(void **state)
{
	static const struct {
		const char *request;
		const char *id;
	} cases[] = {
		{"{\"jsonrpc\": \"2.0\", \"method\": 1, \"params\": \"bar\"}", "null"},
		{"{\"jsonrpc\":\"1.0\",\"method\":\"echo\",\"id\":7}", "7"},
		{"{\"method\":\"echo\",\"id\":\"a\"}", "\"a\""},
		{"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":\"x\",\"id\":1}", "1"},
		{"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":null,\"id\":1}", "1"},
		{"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":{}}", "null"},
		{"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":[1]}", "null"},
		{"{\"jsonrpc\":\"2.0\"}", "null"},
		{"1 ", "null"},
		{"\"text\"", "null"},
		{"[]", "null"},
	};
	json_t *resp;
	int fd = raw_connect();

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		raw_send(fd, cases[i].request);
		resp = raw_recv(fd);
		assert_error(resp, RPC_ERR_INVALID_REQUEST, cases[i].id);
		json_decref(resp);
	}
	/* Valid JSON that is not a request leaves the connection usable. */
	raw_send(fd, REQ("add", AB(1, 1), "9"));
	resp = raw_recv(fd);
	assert_int_equal(json_integer_value(json_object_get(resp, "result")), 2);
	assert_int_equal(json_integer_value(json_object_get(resp, "id")), 9);
	json_decref(resp);
	close(fd);
}

static void test_notifications(void **state)
{
	int fd = raw_connect();
	json_t *resp;

	(void)state;
	/* §4.1: no answer, not even for a method that does not exist. */
	raw_send(fd, "{\"jsonrpc\":\"2.0\",\"method\":\"note\"}"
		     "{\"jsonrpc\":\"2.0\",\"method\":\"note\",\"params\":[1]}"
		     "{\"jsonrpc\":\"2.0\",\"method\":\"no_such\"}"
		     "{\"jsonrpc\":\"2.0\",\"method\":\"add\",\"params\":{\"a\":\"bad\"}}"
		     "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[5],\"id\":null}");
	/* An id of null is not a notification: it is answered. */
	resp = raw_recv(fd);
	assert_non_null(resp);
	assert_true(json_is_null(json_object_get(resp, "id")));
	assert_int_equal(json_integer_value(json_array_get(json_object_get(resp, "result"), 0)), 5);
	json_decref(resp);
	assert_silent(fd, 50);
	assert_int_equal(atomic_load(&g_notes), 2);
	close(fd);
}

/* Finds the response with this id (JSON text) in a batch answer. */
static json_t *batch_find(json_t *responses, const char *id_json)
{
	json_t *id = json_loads(id_json, JSON_DECODE_ANY, NULL), *elem, *found = NULL;
	size_t i;

	json_array_foreach(responses, i, elem) {
		if (json_equal(json_object_get(elem, "id"), id))
			found = elem;
	}
	json_decref(id);
	assert_non_null(found);
	return found;
}

static void test_batch(void **state)
{
	int fd = raw_connect();
	json_t *resp, *result;

	(void)state;
	/* §7's batch example, with an asynchronous member. */
	raw_send(fd, "[" REQ("add", AB(1, 2), "\"1\"") ","
		     NOTIFY("note", "[7]") ","
		     REQ("later", "{\"ms\":30,\"value\":\"v\"}", "\"9\"") ","
		     REQ("add", AB(42, 23), "\"2\"") ","
		     "{\"foo\":\"boo\"},"
		     REQ("foo.get", "{\"name\":\"myself\"}", "\"5\"") "]");
	resp = raw_recv(fd);
	assert_true(json_is_array(resp));
	assert_int_equal(json_array_size(resp), 5);
	result = json_object_get(batch_find(resp, "\"1\""), "result");
	assert_int_equal(json_integer_value(result), 3);
	result = json_object_get(batch_find(resp, "\"2\""), "result");
	assert_int_equal(json_integer_value(result), 65);
	assert_string_equal(json_string_value(json_object_get(batch_find(resp, "\"9\""), "result")),
			    "v");
	assert_error(batch_find(resp, "null"), RPC_ERR_INVALID_REQUEST, "null");
	assert_error(batch_find(resp, "\"5\""), RPC_ERR_METHOD_NOT_FOUND, "\"5\"");
	json_decref(resp);
	assert_int_equal(atomic_load(&g_notes), 1);

	/* §6: invalid members each get an error, in one array. */
	raw_send(fd, "[1,2,3]");
	resp = raw_recv(fd);
	assert_int_equal(json_array_size(resp), 3);
	for (size_t i = 0; i < 3; i++)
		assert_error(json_array_get(resp, i), RPC_ERR_INVALID_REQUEST, "null");
	json_decref(resp);

	/* A batch of notifications gets no answer at all. */
	raw_send(fd, "[" RPC_HEAD("note") "}," RPC_HEAD("note") "}]");
	assert_silent(fd, 50);
	assert_int_equal(atomic_load(&g_notes), 3);
	close(fd);
}

static void test_two_requests_one_write(void **state)
{
	int fd = raw_connect();
	json_t *resp;

	(void)state;
	raw_send(fd, REQ("add", AB(1, 1), "1") REQ("add", AB(2, 2), "2") "\n \t"
		     REQ("add", AB(3, 3), "3"));
	for (int i = 1; i <= 3; i++) {
		resp = raw_recv(fd);
		assert_int_equal(json_integer_value(json_object_get(resp, "id")), i);
		assert_int_equal(json_integer_value(json_object_get(resp, "result")), 2 * i);
		json_decref(resp);
	}
	close(fd);
}

static void test_split_byte_by_byte(void **state)
{
	static const char request[] =
		"{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{\"s\":\"a}\\\"{[\\\\\","
		"\"n\":-12.5e3,\"t\":true,\"u\":\"\\u00e9\"},\"id\":\"x\"}";
	json_t *resp, *want;
	int fd = raw_connect();
	char byte[2] = "";

	(void)state;
	for (size_t i = 0; i < strlen(request); i++) {
		byte[0] = request[i];
		raw_send(fd, byte);
		/* Let the server read each byte on its own. */
		if (i % 4 == 0)
			usleep(300);
	}
	resp = raw_recv(fd);
	want = json_pack("{s:s,s:f,s:b,s:s}", "s", "a}\"{[\\", "n", -12.5e3, "t", 1, "u",
			 "\xc3\xa9");
	assert_true(json_equal(json_object_get(resp, "result"), want));
	assert_string_equal(json_string_value(json_object_get(resp, "id")), "x");
	json_decref(want);
	json_decref(resp);
	close(fd);
}

/* Writes size bytes of one never-ending string value. */
static void *oversize_writer(void *arg)
{
	int fd = *(int *)arg;
	size_t chunk = 1 << 20, sent = 0, total = RPC_MAX_REQUEST_SIZE + chunk;
	char *buf = malloc(chunk);
	ssize_t n;

	memset(buf, 'x', chunk);
	memcpy(buf, "{\"a\":\"", 6);
	while (sent < total) {
		n = send(fd, buf, chunk, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		sent += (size_t)n;
		buf[0] = 'x';
		memset(buf, 'x', 6);
	}
	free(buf);
	return NULL;
}

static void test_request_too_large(void **state)
{
	int fd = raw_connect();
	char line[256];
	pthread_t t;
	json_t *resp;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, oversize_writer, &fd), 0);
	/* 16 MiB go through the server first: slow under sanitizers. */
	resp = raw_recv_line(fd, line, sizeof(line), 60000);
	pthread_join(t, NULL);
	assert_error(resp, RPC_ERR_PARSE, "null");
	json_decref(resp);
	assert_closed(fd);
	close(fd);
}

/* ---- Socket files ---- */

struct create_try {
	const char *path;
	int rc;
};

/* On the loop thread, which owns the evloop: creates a server at path and
 * destroys it again if that worked. */
static void create_and_destroy(void *arg)
{
	struct create_try *c = arg;
	struct rpc_server *srv;

	c->rc = rpc_server_create(g_fx.loop, c->path, &srv);
	if (c->rc == 0)
		rpc_server_destroy(srv);
}

static int try_create(const char *path)
{
	struct create_try c = {.path = path};

	run_on_loop(create_and_destroy, &c);
	return c.rc;
}

static void test_socket_path(void **state)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char path[160];
	int fd;

	(void)state;
	/* A live server's socket is not taken over. */
	assert_int_equal(try_create(g_fx.path), -EADDRINUSE);
	assert_int_equal(access(g_fx.path, F_OK), 0);

	/* A stale socket file (its server died) is replaced, and removed at
	 * destroy. */
	snprintf(path, sizeof(path), "%s/stale.sock", g_fx.dir);
	sun_fill(&sun, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(try_create(path), 0);
	assert_int_equal(access(path, F_OK), -1);

	/* Any other file is left alone. */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(try_create(path), -EEXIST);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);

	memset(path, 'p', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(try_create(path), -ENAMETOOLONG);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_add_methods_duplicate),
		T(test_parse_error_closes),
		T(test_invalid_requests),
		T(test_notifications),
		T(test_batch),
		T(test_two_requests_one_write),
		T(test_split_byte_by_byte),
		T(test_request_too_large),
		T(test_socket_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
