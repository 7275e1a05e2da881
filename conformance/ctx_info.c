/* SPDX-License-Identifier: MIT */
/*
 * conform_info(): a case's observation, streamed to the runner as a record
 * of its own (runner_internal.h) so that it reaches the reports' Observations
 * section apart from the trace; the runner also puts it in the trace, where
 * it happened. Runs in the case's child process.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conformance/runner_internal.h"

void conform_info(struct conform_ctx *ctx, const char *fmt, ...)
{
	char line[CONFORM_REC_MAX];
	va_list ap;
	uint32_t len;

	if (ctx->out_fd < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	len = strlen(line);
	/* Counted with the trace: the runner keeps CONFORM_TRACE_MAX of both. */
	if (ctx->trace_bytes + len > CONFORM_TRACE_MAX) {
		ctx->trace_dropped++;
		return;
	}
	ctx->trace_bytes += len;
	conform_rec_write(ctx->out_fd, CONFORM_REC_INFO, line, len, NULL, 0);
}
