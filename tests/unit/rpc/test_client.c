/* SPDX-License-Identifier: MIT */
/* The JSON-RPC client library against the server: calls, errors, asynchronous
 * answers, timeouts, and connections or servers that go away. */
#include "rpc_fixture.h"

/* ---- Through the client ---- */

static struct rpc_client *client_open_for(int timeout_ms)
{
	struct rpc_client *client;

	assert_int_equal(rpc_client_connect(g_fx.path, timeout_ms, &client), 0);
	return client;
}

static struct rpc_client *client_open(void)
{
	return client_open_for(2000);
}

static void test_call(void **state)
{
	struct rpc_client *client = client_open();
	json_t *result, *error, *params;

	(void)state;
	assert_int_equal(rpc_client_call(client, "add", json_pack("{s:i,s:i}", "a", 2, "b", 40),
					 &result, &error),
			 0);
	assert_null(error);
	assert_int_equal(json_integer_value(result), 42);
	json_decref(result);

	params = json_pack("[i,s,{s:b}]", 1, "x", "y", 1);
	json_incref(params);
	assert_int_equal(rpc_client_call(client, "echo", params, &result, &error), 0);
	assert_true(json_equal(result, params));
	json_decref(params);
	json_decref(result);

	/* No params: the handler gets NULL; no result: true. */
	assert_int_equal(rpc_client_call(client, "nothing", NULL, &result, &error), 0);
	assert_true(json_is_true(result));
	json_decref(result);
	rpc_client_close(client);
}

static void test_unknown_method(void **state)
{
	struct rpc_client *client = client_open();
	json_t *result, *error;

	(void)state;
	assert_int_equal(rpc_client_call(client, "no_such_method", NULL, &result, &error),
			 -EREMOTEIO);
	assert_null(result);
	assert_int_equal(json_integer_value(json_object_get(error, "code")),
			 RPC_ERR_METHOD_NOT_FOUND);
	assert_string_equal(json_string_value(json_object_get(error, "message")),
			    "Method not found");
	json_decref(error);
	rpc_client_close(client);
}

static void test_invalid_params(void **state)
{
	static const struct {
		const char *params;
		const char *message;
	} cases[] = {
		{"{\"a\":\"x\",\"b\":1}", "parameter 'a' must be an unsigned 32-bit integer"},
		{"{\"a\":1}", "missing required parameter 'b'"},
		{"{\"a\":1,\"b\":2,\"c\":3}", "unknown parameter 'c'"},
	};
	struct rpc_client *client = client_open();
	json_t *result, *error, *params;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		params = json_loads(cases[i].params, 0, NULL);
		assert_int_equal(rpc_client_call(client, "add", params, &result, &error),
				 -EREMOTEIO);
		assert_int_equal(json_integer_value(json_object_get(error, "code")),
				 RPC_ERR_INVALID_PARAMS);
		assert_string_equal(json_string_value(json_object_get(error, "message")),
				    cases[i].message);
		json_decref(error);
	}
	rpc_client_close(client);
}

static void test_reply_errno(void **state)
{
	struct rpc_client *client = client_open();
	json_t *result, *error;

	(void)state;
	assert_int_equal(rpc_client_call(client, "fail", NULL, &result, &error), -EREMOTEIO);
	assert_int_equal(json_integer_value(json_object_get(error, "code")), -ENOENT);
	assert_string_equal(json_string_value(json_object_get(error, "message")),
			    strerror(ENOENT));
	json_decref(error);
	rpc_client_close(client);
}

static void test_get_methods(void **state)
{
	struct rpc_client *client = client_open();
	json_t *result, *error, *want;

	(void)state;
	assert_int_equal(rpc_client_call(client, "rpc_get_methods", NULL, &result, &error), 0);
	want = json_pack("[s,s,s,s,s,s,s,s]", "rpc_get_methods", "echo", "add", "nothing", "fail",
			 "note", "later", "stash");
	assert_true(json_equal(result, want));
	json_decref(result);
	/* SPDK's optional parameter is accepted; unknown ones are not. */
	assert_int_equal(rpc_client_call(client, "rpc_get_methods",
					 json_pack("{s:b}", "current", 1), &result, &error),
			 0);
	assert_true(json_equal(result, want));
	json_decref(result);
	json_decref(want);
	assert_int_equal(rpc_client_call(client, "rpc_get_methods", json_pack("{s:i}", "x", 1),
					 &result, &error),
			 -EREMOTEIO);
	assert_int_equal(json_integer_value(json_object_get(error, "code")),
			 RPC_ERR_INVALID_PARAMS);
	json_decref(error);
	rpc_client_close(client);
}

static void test_async_reply(void **state)
{
	struct rpc_client *client = client_open();
	int fd = raw_connect(), fd2 = raw_connect();
	uint64_t start = now_ms();
	json_t *result, *error, *resp;

	(void)state;
	assert_int_equal(rpc_client_call(client, "later", json_pack("{s:i,s:s}", "ms", 50, "value",
								    "hello"),
					 &result, &error),
			 0);
	assert_string_equal(json_string_value(result), "hello");
	assert_true(now_ms() - start >= 50);
	json_decref(result);

	/* While one connection waits for its answer, another is served. */
	raw_send(fd, REQ("later", "{\"ms\":100}", "1"));
	raw_send(fd2, REQ("add", AB(1, 2), "2"));
	resp = raw_recv(fd2);
	assert_int_equal(json_integer_value(json_object_get(resp, "result")), 3);
	json_decref(resp);
	assert_int_equal(atomic_load(&g_async_done), 1);
	resp = raw_recv(fd);
	assert_string_equal(json_string_value(json_object_get(resp, "result")), "");
	json_decref(resp);
	close(fd);
	close(fd2);
	rpc_client_close(client);
}

static void wait_async(int want)
{
	uint64_t end = now_ms() + 2000;

	while (atomic_load(&g_async_done) < want && now_ms() < end)
		usleep(1000);
	assert_int_equal(atomic_load(&g_async_done), want);
}

static void test_disconnect_before_async_reply(void **state)
{
	struct rpc_client *client;
	json_t *result, *error, *resp;
	int fd = raw_connect();

	(void)state;
	raw_send(fd, REQ("later", "{\"ms\":30}", "1") "[" REQ("later", "{\"ms\":40}", "2") "]");
	usleep(5000);
	close(fd);
	/* Both answers are given to a connection that is gone, and dropped. */
	wait_async(2);

	/* A peer that only shut its sending side still gets its answers,
	 * then the server closes. */
	fd = raw_connect();
	raw_send(fd, REQ("later", "{\"ms\":30,\"value\":\"w\"}", "3"));
	shutdown(fd, SHUT_WR);
	resp = raw_recv(fd);
	assert_string_equal(json_string_value(json_object_get(resp, "result")), "w");
	json_decref(resp);
	assert_closed(fd);
	close(fd);

	/* The server is fine. */
	client = client_open();
	assert_int_equal(rpc_client_call(client, "nothing", NULL, &result, &error), 0);
	json_decref(result);
	rpc_client_close(client);
}

static void answer_stashed(void *arg)
{
	rpc_reply_result(g_stashed, json_string(arg));
	g_stashed = NULL;
}

/* A call that times out; its late answer is skipped by the next call. */
static void test_client_timeout(void **state)
{
	struct rpc_client *client;
	json_t *result, *error;
	uint64_t start;

	(void)state;
	assert_int_equal(rpc_client_connect(g_fx.path, 50, &client), 0);
	start = now_ms();
	assert_int_equal(rpc_client_call(client, "stash", NULL, &result, &error), -ETIMEDOUT);
	assert_true(now_ms() - start >= 50);
	assert_null(result);
	assert_null(error);
	run_on_loop(answer_stashed, "late");
	assert_int_equal(rpc_client_call(client, "echo", json_pack("[s]", "now"), &result, &error),
			 0);
	assert_string_equal(json_string_value(json_array_get(result, 0)), "now");
	json_decref(result);
	rpc_client_close(client);
}

/* The server goes away with a request still held: its answer is dropped. */
static void test_destroy_with_pending(void **state)
{
	struct rpc_client *client = client_open();
	json_t *result, *error;
	int fd = raw_connect();

	(void)state;
	raw_send(fd, "{\"jsonrpc\":\"2.0\",\"method\":\"stash\",\"id\":1}");
	while (!__atomic_load_n(&g_stashed, __ATOMIC_ACQUIRE))
		usleep(1000);
	run_on_loop(destroy_server, NULL);
	assert_closed(fd);
	assert_int_equal(rpc_client_call(client, "nothing", NULL, &result, &error), -ECONNRESET);
	run_on_loop(answer_stashed, "dropped");
	/* The socket file is gone. */
	assert_int_equal(access(g_fx.path, F_OK), -1);
	close(fd);
	rpc_client_close(client);
}

static void test_large_reply(void **state)
{
	size_t big = 4u << 20;
	char *text = malloc(big + 1);
	/* 8 MiB through the sockets and two JSON codecs: seconds under ASan on
	 * a loaded machine, and no timing is tested here. */
	struct rpc_client *client = client_open_for(60000);
	json_t *result, *error;

	(void)state;
	memset(text, 'y', big);
	text[big] = '\0';
	assert_int_equal(rpc_client_call(client, "echo", json_pack("[s]", text), &result, &error),
			 0);
	assert_string_equal(json_string_value(json_array_get(result, 0)), text);
	json_decref(result);
	free(text);
	rpc_client_close(client);
}

static void test_client_connect_timeout(void **state)
{
	struct rpc_client *client;
	char path[160];
	uint64_t start = now_ms();

	(void)state;
	snprintf(path, sizeof(path), "%s/nobody.sock", g_fx.dir);
	assert_int_equal(rpc_client_connect(path, 60, &client), -ENOENT);
	assert_true(now_ms() - start >= 60);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_call),
		T(test_unknown_method),
		T(test_invalid_params),
		T(test_reply_errno),
		T(test_get_methods),
		T(test_async_reply),
		T(test_disconnect_before_async_reply),
		T(test_client_timeout),
		T(test_destroy_with_pending),
		T(test_large_reply),
		T(test_client_connect_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
