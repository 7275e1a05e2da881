/* SPDX-License-Identifier: MIT */
/* What every JSON-RPC method area of storlab-tgt shares. */
#include "target/tgt.h"

#include <stdarg.h>
#include <stdio.h>

bool tgt_rpc_decode(struct rpc_request *req, json_t *params, const struct rpc_param *spec, size_t n)
{
	char err[256];

	if (rpc_decode_params(params, spec, n, err, sizeof(err)) == 0)
		return true;
	rpc_reply_error(req, RPC_ERR_INVALID_PARAMS, "%s", err);
	return false;
}

void tgt_rpc_reply_errno(struct rpc_request *req, int err, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rpc_reply_errno(req, err, msg);
}
