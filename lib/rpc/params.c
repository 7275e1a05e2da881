/* SPDX-License-Identifier: MIT */
/* Method parameters by name and type, as SPDK's handlers decode them. */
#define LOG_COMPONENT "rpc"
#include "rpc/rpc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"

static const char *const g_type_names[] = {
	[RPC_PARAM_STRING] = "a string",
	[RPC_PARAM_U64] = "an unsigned 64-bit integer",
	[RPC_PARAM_U32] = "an unsigned 32-bit integer",
	[RPC_PARAM_BOOL] = "a boolean",
};

static bool param_type_ok(const json_t *value, enum rpc_param_type type)
{
	switch (type) {
	case RPC_PARAM_STRING:
		return json_is_string(value);
	case RPC_PARAM_U64:
		return json_is_integer(value) && json_integer_value(value) >= 0;
	case RPC_PARAM_U32:
		return json_is_integer(value) && json_integer_value(value) >= 0 &&
		       json_integer_value(value) <= UINT32_MAX;
	case RPC_PARAM_BOOL:
		return json_is_boolean(value);
	}
	return false;
}

static void param_store(const json_t *value, const struct rpc_param *p)
{
	switch (p->type) {
	case RPC_PARAM_STRING:
		*(const char **)p->out = json_string_value(value);
		break;
	case RPC_PARAM_U64:
		*(uint64_t *)p->out = (uint64_t)json_integer_value(value);
		break;
	case RPC_PARAM_U32:
		*(uint32_t *)p->out = (uint32_t)json_integer_value(value);
		break;
	case RPC_PARAM_BOOL:
		*(bool *)p->out = json_is_true(value);
		break;
	}
}

static const struct rpc_param *param_find(const struct rpc_param *spec, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(spec[i].name, key) == 0)
			return &spec[i];
	}
	return NULL;
}

/* Checks everything before storing anything, so outputs keep their
 * defaults when the params are refused. */
static int params_check(json_t *params, const struct rpc_param *spec, size_t n, char *err,
			size_t err_size)
{
	const struct rpc_param *p;
	const char *key;
	json_t *value;

	if (params && !json_is_object(params)) {
		snprintf(err, err_size, "params must be an object of named parameters");
		return -EINVAL;
	}
	if (params) {
		json_object_foreach(params, key, value) {
			p = param_find(spec, n, key);
			if (!p) {
				snprintf(err, err_size, "unknown parameter '%s'", key);
				return -EINVAL;
			}
			if (!param_type_ok(value, p->type)) {
				snprintf(err, err_size, "parameter '%s' must be %s", key,
					 g_type_names[p->type]);
				return -EINVAL;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (spec[i].required && !json_object_get(params, spec[i].name)) {
			snprintf(err, err_size, "missing required parameter '%s'", spec[i].name);
			return -EINVAL;
		}
	}
	return 0;
}

int rpc_decode_params(json_t *params, const struct rpc_param *spec, size_t n, char *err,
		      size_t err_size)
{
	char why[256];
	json_t *value;
	int rc;

	rc = params_check(params, spec, n, why, sizeof(why));
	if (rc) {
		log_warn("JSON-RPC 2.0 §5.1: invalid params: %s", why);
		if (err && err_size)
			snprintf(err, err_size, "%s", why);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		value = json_object_get(params, spec[i].name);
		if (value)
			param_store(value, &spec[i]);
	}
	return 0;
}
