/* SPDX-License-Identifier: MIT */
/*
 * The case API of conform.h (except conform_dev_*): connections whose every
 * message lands in the case's trace, verdicts with their reasons, notes, and
 * the "is the back-end still serving" check. Runs in the case's child
 * process; what it records is streamed to the runner (runner_internal.h).
 */
#define LOG_COMPONENT "conform"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conformance/runner_internal.h"
#include "util/common.h"
#include "util/log.h"

int conform_rec_write(int fd, uint8_t type, const void *a, uint32_t alen, const void *b,
		      uint32_t blen)
{
	uint32_t len = alen + blen;
	struct iovec iov[4] = {
	    {.iov_base = &type, .iov_len = 1},
	    {.iov_base = &len, .iov_len = sizeof(len)},
	    {.iov_base = (void *)a, .iov_len = alen},
	    {.iov_base = (void *)b, .iov_len = blen},
	};
	unsigned i = 0;

	while (i < ARRAY_SIZE(iov)) {
		ssize_t n = writev(fd, iov + i, ARRAY_SIZE(iov) - i);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (; i < ARRAY_SIZE(iov) && (size_t)n >= iov[i].iov_len; i++)
			n -= iov[i].iov_len;
		if (i < ARRAY_SIZE(iov)) {
			iov[i].iov_base = (char *)iov[i].iov_base + n;
			iov[i].iov_len -= n;
		}
	}
	return 0;
}

void conform_ctx_trace_line(struct conform_ctx *ctx, const char *line)
{
	uint32_t len = strnlen(line, CONFORM_REC_MAX);

	if (ctx->out_fd < 0)
		return;
	if (ctx->trace_bytes + len > CONFORM_TRACE_MAX) {
		ctx->trace_dropped++;
		return;
	}
	ctx->trace_bytes += len;
	conform_rec_write(ctx->out_fd, CONFORM_REC_TRACE, line, len, NULL, 0);
}

static void trace_vprintf(struct conform_ctx *ctx, const char *prefix, const char *fmt, va_list ap)
{
	char line[CONFORM_REC_MAX];
	int n = snprintf(line, sizeof(line), "%s", prefix);

	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	conform_ctx_trace_line(ctx, line);
}

/* In the case's process, library log lines (the front-end's "no reply to
 * ...") belong to the trace, not to the runner's terminal. */
static void trace_log_sink(enum log_level level, const char *component, const char *line, void *arg)
{
	char buf[CONFORM_REC_MAX];

	(void)level;
	snprintf(buf, sizeof(buf), "log %s: %s", component, line);
	conform_ctx_trace_line(arg, buf);
}

int conform_timeout_ms(const struct conform_ctx *ctx)
{
	return ctx->timeout_ms;
}

bool conform_can_hotplug(const struct conform_ctx *ctx)
{
	return ctx->hotplug != NULL;
}

int conform_hotplug(struct conform_ctx *ctx, bool add, unsigned target, unsigned lun)
{
	char err[256] = "";
	int ret;

	if (!ctx->hotplug)
		return -ENOTSUP;
	conform_note(ctx, "hot-plug: %s LUN %u of target %u", add ? "add" : "remove", lun, target);
	ret = ctx->hotplug(ctx->hotplug_arg, add, target, lun, err, sizeof(err));
	if (ret)
		conform_note(ctx, "hot-plug failed: %s", err[0] ? err : strerror(-ret));
	return ret;
}

void conform_ctx_track(struct conform_ctx *ctx, int fd)
{
	struct stat st;

	if (ctx->nconns < CONFORM_MAX_CONNS && fstat(fd, &st) == 0)
		ctx->conns[ctx->nconns++] = (struct conform_conn){fd, st.st_dev, st.st_ino};
}

int conform_ctx_connect(struct conform_ctx *ctx, void **conn)
{
	int fd, ret = ctx->transport->connect(ctx->address, ctx->timeout_ms, conn, &fd);

	if (ret) {
		conform_note(ctx, "connect %s: %s", ctx->address, strerror(-ret));
		return ret;
	}
	conform_note(ctx, "connected to %s", ctx->address);
	ctx->transport->trace(*conn, ctx);
	conform_ctx_track(ctx, fd);
	return 0;
}

static enum conform_verdict set_verdict(struct conform_ctx *ctx, enum conform_verdict v,
					const char *fmt, va_list ap)
{
	/* The first reason is the one that explains the verdict; a helper that
	 * fails again on the way out does not overwrite it. */
	if (!ctx->verdict_set) {
		vsnprintf(ctx->reason, sizeof(ctx->reason), fmt, ap);
		ctx->verdict = v;
		ctx->verdict_set = true;
	}
	return v;
}

#define DEFINE_VERDICT_FN(fn, verdict)                                                             \
	enum conform_verdict fn(struct conform_ctx *ctx, const char *fmt, ...)                     \
	{                                                                                          \
		va_list ap;                                                                        \
		enum conform_verdict v;                                                            \
                                                                                                   \
		va_start(ap, fmt);                                                                 \
		v = set_verdict(ctx, verdict, fmt, ap);                                            \
		va_end(ap);                                                                        \
		return v;                                                                          \
	}

DEFINE_VERDICT_FN(conform_fail, CONFORM_FAIL)
DEFINE_VERDICT_FN(conform_error, CONFORM_ERROR)
DEFINE_VERDICT_FN(conform_not_applicable, CONFORM_NOT_APPLICABLE)

void conform_note(struct conform_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	trace_vprintf(ctx, "note: ", fmt, ap);
	va_end(ap);
}

/* True if fd is still the socket the case connected (the case may have
 * closed it and the number been reused): a socket's inode is its own while
 * it is open. */
static bool is_case_conn(const struct conform_conn *c)
{
	struct stat st;

	return fstat(c->fd, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == c->dev &&
	       st.st_ino == c->ino;
}

/*
 * A vhost-user back-end serves one front-end at a time (vhost-user.rst
 * "Introduction": one front-end, one back-end per socket): a second
 * connection waits until the first goes. So before asking on a new
 * connection, hang up the case's own (shutdown, not close: the case still
 * owns the handles, whose calls now fail with -EPIPE/-ECONNRESET).
 */
static void hang_up_case_conns(struct conform_ctx *ctx)
{
	for (unsigned i = 0; i < ctx->nconns; i++) {
		if (is_case_conn(&ctx->conns[i])) {
			shutdown(ctx->conns[i].fd, SHUT_RDWR);
			conform_note(ctx, "hung up the case's connection %u first", i + 1);
		}
	}
	ctx->nconns = 0;
}

bool conform_backend_alive(struct conform_ctx *ctx)
{
	struct conform_offer offer;
	int ret;

	hang_up_case_conns(ctx);
	ret = ctx->transport->probe(ctx->address, ctx->timeout_ms, &offer);

	if (ret)
		conform_note(ctx, "back-end not serving: the probe on a new connection (%s): %s",
			     ctx->transport->probe_what, strerror(-ret));
	else
		conform_note(ctx, "back-end still serving: the probe on a new connection (%s) "
				  "was answered",
			     ctx->transport->probe_what);
	return ret == 0;
}

void conform_ctx_run_case(struct conform_ctx *ctx, const struct conform_case *c)
{
	enum conform_verdict v;
	uint32_t wire;

	log_set_sink(trace_log_sink, ctx);
	v = c->run(ctx);
	if (v != CONFORM_PASS && v != CONFORM_FAIL && v != CONFORM_NOT_APPLICABLE &&
	    v != CONFORM_ERROR) {
		ctx->verdict_set = false;
		v = conform_error(ctx, "case returned an unknown verdict %d", (int)v);
	}
	/* A case that returns FAIL without conform_fail() still needs a reason,
	 * and a PASS clears one left by a helper that was recovered from. */
	if (v == CONFORM_PASS)
		ctx->reason[0] = 0;
	else if (!ctx->verdict_set)
		snprintf(ctx->reason, sizeof(ctx->reason), "%s", "(the case gave no reason)");
	if (ctx->trace_dropped) {
		char line[96];

		snprintf(line, sizeof(line), "... %u more trace lines dropped (trace cap %u bytes)",
			 ctx->trace_dropped, CONFORM_TRACE_MAX);
		ctx->trace_bytes = 0;
		conform_ctx_trace_line(ctx, line);
	}
	log_set_sink(NULL, NULL);
	wire = v;
	conform_rec_write(ctx->out_fd, CONFORM_REC_RESULT, &wire, sizeof(wire), ctx->reason,
			  strlen(ctx->reason));
}
