/* SPDX-License-Identifier: MIT */
/* rpc_decode_params: names, types, required fields, messages. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rpc/rpc.h"
#include "util/common.h"
#include "util/log.h"

struct out {
	const char *name;
	uint64_t size;
	uint32_t block;
	bool ro;
};

#define SPEC(o)                                                     \
	{                                                           \
		{"name", RPC_PARAM_STRING, &(o)->name, 1},          \
		{"size", RPC_PARAM_U64, &(o)->size, 1},             \
		{"block_size", RPC_PARAM_U32, &(o)->block, 0},      \
		{"read_only", RPC_PARAM_BOOL, &(o)->ro, 0},         \
	}

static int decode(const char *text, struct out *o, char *err, size_t err_size)
{
	const struct rpc_param spec[] = SPEC(o);
	json_t *params = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
	int rc;

	*o = (struct out){.name = "default", .size = 1, .block = 512, .ro = false};
	rc = rpc_decode_params(params, spec, ARRAY_SIZE(spec), err, err_size);
	/* Borrowed strings live as long as params: copy what the test checks. */
	if (rc == 0 && o->name && strcmp(o->name, "default") != 0)
		o->name = strcmp(o->name, "Malloc0") == 0 ? "Malloc0" : "other";
	json_decref(params);
	return rc;
}

static int quiet(void **state)
{
	(void)state;
	log_set_level(LOG_LEVEL_ERR);
	return 0;
}

static void test_all_fields(void **state)
{
	char err[128] = "";
	struct out o;

	(void)state;
	assert_int_equal(decode("{\"name\":\"Malloc0\",\"size\":18446744073709551,"
				"\"block_size\":4096,\"read_only\":true}",
				&o, err, sizeof(err)),
			 0);
	assert_string_equal(o.name, "Malloc0");
	assert_int_equal(o.size, 18446744073709551ull);
	assert_int_equal(o.block, 4096);
	assert_true(o.ro);
	assert_string_equal(err, "");
}

static void test_optional_keep_defaults(void **state)
{
	char err[128];
	struct out o;

	(void)state;
	assert_int_equal(decode("{\"size\":0,\"name\":\"Malloc0\"}", &o, err, sizeof(err)), 0);
	assert_int_equal(o.size, 0);
	assert_int_equal(o.block, 512);
	assert_false(o.ro);
}

#define U64 "an unsigned 64-bit integer"

static void test_errors(void **state)
{
	static const struct {
		const char *params;
		const char *message;
	} cases[] = {
		{NULL, "missing required parameter 'name'"},
		{"{\"name\":\"x\"}", "missing required parameter 'size'"},
		{"{\"name\":\"x\",\"size\":1,\"colour\":1}", "unknown parameter 'colour'"},
		{"{\"name\":7,\"size\":1}", "parameter 'name' must be a string"},
		{"{\"name\":\"x\",\"size\":-1}", "parameter 'size' must be " U64},
		{"{\"name\":\"x\",\"size\":1.5}", "parameter 'size' must be " U64},
		{"{\"name\":\"x\",\"size\":1,\"block_size\":4294967296}",
		 "parameter 'block_size' must be an unsigned 32-bit integer"},
		{"{\"name\":\"x\",\"size\":1,\"read_only\":1}",
		 "parameter 'read_only' must be a boolean"},
		{"[\"x\",1]", "params must be an object of named parameters"},
	};
	char err[128];
	struct out o;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		err[0] = '\0';
		assert_int_equal(decode(cases[i].params, &o, err, sizeof(err)), -EINVAL);
		assert_string_equal(err, cases[i].message);
		/* Nothing was stored. */
		assert_string_equal(o.name, "default");
		assert_int_equal(o.size, 1);
		assert_int_equal(o.block, 512);
	}
}

static void test_u32_bounds_and_small_err(void **state)
{
	char err[8];
	struct out o;

	(void)state;
	assert_int_equal(decode("{\"name\":\"x\",\"size\":1,\"block_size\":4294967295}", &o, err,
				sizeof(err)),
			 0);
	assert_int_equal(o.block, UINT32_MAX);
	/* A short buffer gets a cut, terminated message. */
	assert_int_equal(decode("{}", &o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "missing");
	assert_int_equal(decode("{}", &o, NULL, 0), -EINVAL);
}

/* No spec: only absent or empty params pass. */
static void test_no_params_wanted(void **state)
{
	json_t *empty = json_object(), *one = json_pack("{s:i}", "x", 1);
	char err[64];

	(void)state;
	assert_int_equal(rpc_decode_params(NULL, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(rpc_decode_params(empty, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(rpc_decode_params(one, NULL, 0, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown parameter 'x'");
	json_decref(empty);
	json_decref(one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_fields),
		cmocka_unit_test(test_optional_keep_defaults),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_u32_bounds_and_small_err),
		cmocka_unit_test(test_no_params_wanted),
	};

	return cmocka_run_group_tests(tests, quiet, NULL);
}
