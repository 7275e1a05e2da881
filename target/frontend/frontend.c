/* SPDX-License-Identifier: MIT */
/* What every frontend kind does the same way when it is created over RPC. */
#define LOG_COMPONENT "frontend"
#include "target/frontend/frontend.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/un.h>

#include "env/env.h"
#include "rpc/rpc.h"
#include "util/log.h"

void frontend_err_set(struct frontend_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

bool frontend_decode_params(json_t *params, const struct rpc_param *spec, size_t n,
			    struct frontend_err *err)
{
	if (rpc_decode_params(params, spec, n, err->msg, sizeof(err->msg)) == 0)
		return true;
	err->code = RPC_ERR_INVALID_PARAMS;
	return false;
}

uint64_t frontend_reactor_mask(void)
{
	uint64_t mask = 0;

	for (unsigned i = 0; i < env_reactor_count(); i++)
		mask |= 1ULL << reactor_core(env_reactor_at(i));
	return mask;
}

bool frontend_parse_cpumask(const char *text, uint64_t *mask, struct frontend_err *err)
{
	uint64_t all = frontend_reactor_mask();

	if (!text) {
		*mask = all;
		return true;
	}
	if (env_parse_core_mask(text, mask) != 0) {
		frontend_err_set(err, RPC_ERR_INVALID_PARAMS,
				 "cpumask: '%s' is not a core mask (0x3, 3, [0,1], [0-3])", text);
		return false;
	}
	if (*mask & ~all) {
		frontend_err_set(err, RPC_ERR_INVALID_PARAMS,
				 "cpumask: %s has cores that run no reactor (reactors: 0x%" PRIx64
				 ")",
				 text, all);
		return false;
	}
	return true;
}

json_t *frontend_json_cpumask(uint64_t mask)
{
	char text[24];

	snprintf(text, sizeof(text), "0x%" PRIx64, mask);
	return json_string(text);
}

int frontend_socket_path(const struct frontend_env *env, const char *name, char *path,
			 size_t size)
{
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path);

	if ((size_t)snprintf(path, size, "%s/%s", env->sock_dir, name) >= (size < max ? size : max)) {
		log_err("%s: socket path %s/%s is longer than a Unix socket allows", name,
			env->sock_dir, name);
		return -ENAMETOOLONG;
	}
	return 0;
}
