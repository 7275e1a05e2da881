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
#include <sys/un.h>
#include <unistd.h>

#include "conformance/runner_internal.h"
#include "spec/vhost_user.h"
#include "util/common.h"
#include "util/log.h"
#include "vhost/vhost_msg.h"

/* Payload bytes shown per message: enough for the fixed-size requests and
 * the head of a memory table. */
#define TRACE_PAYLOAD_BYTES 32

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

static void trace_line(struct conform_ctx *ctx, const char *line)
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
	trace_line(ctx, line);
}

/* Up to len bytes of p as " xx xx ...", as many as fit in buf. */
static int trace_hex(char *buf, size_t size, const void *p, unsigned len)
{
	const uint8_t *b = p;
	int n = 0;

	for (unsigned i = 0; i < len && n < (int)size - 4; i++)
		n += snprintf(buf + n, size - n, " %02x", b[i]);
	return n;
}

/* Why a received message is not whole: what the front-end's receiver saw. */
static const char *trace_cut_reason(const struct vhost_tap_msg *m)
{
	switch (m->error) {
	case -ECONNRESET:
		return "the connection was closed";
	case -ETIMEDOUT:
		return "no more bytes came";
	case -EMSGSIZE:
		return m->payload_wire == m->hdr.size ? "larger than any message, read and dropped"
						      : "larger than any message, not read";
	case -EPROTO:
		return "more fds than a message may carry, closed";
	default:
		return strerror(-m->error);
	}
}

/* The message tap of the case's connections (vhost_tap.h): one line per
 * message, with the first payload bytes that went over the wire. */
static void trace_msg(void *arg, const struct vhost_tap_msg *m)
{
	struct conform_ctx *ctx = arg;
	const char *dir = m->dir == VHOST_TAP_SENT ? "->" : "<-";
	unsigned shown = MIN(m->payload_len, TRACE_PAYLOAD_BYTES);
	char line[384];
	int n;

	if (m->hdr_len < sizeof(m->hdr)) {
		n = snprintf(line, sizeof(line), "%s %u of the %zu header bytes |", dir, m->hdr_len,
			     sizeof(m->hdr));
		n += trace_hex(line + n, sizeof(line) - n, &m->hdr, m->hdr_len);
		snprintf(line + n, sizeof(line) - n, " [%s]", trace_cut_reason(m));
		trace_line(ctx, line);
		return;
	}
	n = snprintf(line, sizeof(line), "%s %s (%u) flags=0x%x size=%u fds=%u", dir,
		     vhost_msg_request_name(m->hdr.request), m->hdr.request, m->hdr.flags,
		     m->hdr.size, m->nfds);
	if (shown && m->payload) {
		n += snprintf(line + n, sizeof(line) - n, " |");
		n += trace_hex(line + n, sizeof(line) - n, m->payload, shown);
		if (shown < m->hdr.size)
			n += snprintf(line + n, sizeof(line) - n, " ...");
	}
	if (m->error)
		snprintf(line + n, sizeof(line) - n, " [%u of %u payload bytes arrived: %s]",
			 m->payload_wire, m->hdr.size, trace_cut_reason(m));
	trace_line(ctx, line);
}

/* In the case's process, library log lines (the front-end's "no reply to
 * ...") belong to the trace, not to the runner's terminal. */
static void trace_log_sink(enum log_level level, const char *component, const char *line, void *arg)
{
	char buf[CONFORM_REC_MAX];

	(void)level;
	snprintf(buf, sizeof(buf), "log %s: %s", component, line);
	trace_line(arg, buf);
}

const char *conform_socket_path(const struct conform_ctx *ctx)
{
	return ctx->socket_path;
}

int conform_timeout_ms(const struct conform_ctx *ctx)
{
	return ctx->timeout_ms;
}

uint64_t conform_offered_features(const struct conform_ctx *ctx)
{
	return ctx->offered_features;
}

uint64_t conform_offered_protocol_features(const struct conform_ctx *ctx)
{
	return ctx->offered_protocol_features;
}

int conform_connect(struct conform_ctx *ctx, struct vhost_fe **fe)
{
	int ret = vhost_fe_connect(ctx->socket_path, ctx->timeout_ms, fe);

	if (ret) {
		conform_note(ctx, "connect %s: %s", ctx->socket_path, strerror(-ret));
		return ret;
	}
	conform_note(ctx, "connected to %s", ctx->socket_path);
	vhost_fe_set_tap(*fe, &(struct vhost_tap){.fn = trace_msg, .arg = ctx});
	if (ctx->nconns < CONFORM_MAX_CONNS)
		ctx->conn_fds[ctx->nconns++] = vhost_fe_fd(*fe);
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

int conform_probe(const char *path, int timeout_ms, uint64_t *features, uint64_t *protocol_features)
{
	struct vhost_fe *fe;
	int ret = vhost_fe_connect(path, timeout_ms, &fe);

	if (ret)
		return ret;
	*protocol_features = 0;
	ret = vhost_fe_get_features(fe, features);
	if (ret == 0 && (*features & (1ull << VHOST_USER_F_PROTOCOL_FEATURES)))
		ret = vhost_fe_get_protocol_features(fe, protocol_features);
	vhost_fe_close(fe);
	return ret;
}

/* True if fd is still a socket connected to the back-end under test (the
 * case may have closed it and the number been reused). */
static bool is_backend_conn(const struct conform_ctx *ctx, int fd)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);

	if (getpeername(fd, (struct sockaddr *)&sa, &len) < 0 || sa.sun_family != AF_UNIX ||
	    len <= offsetof(struct sockaddr_un, sun_path))
		return false;
	return strncmp(sa.sun_path, ctx->socket_path,
		       len - offsetof(struct sockaddr_un, sun_path)) == 0;
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
		if (is_backend_conn(ctx, ctx->conn_fds[i])) {
			shutdown(ctx->conn_fds[i], SHUT_RDWR);
			conform_note(ctx, "hung up the case's connection %u first", i + 1);
		}
	}
	ctx->nconns = 0;
}

bool conform_backend_alive(struct conform_ctx *ctx)
{
	uint64_t f, pf;
	int ret;

	hang_up_case_conns(ctx);
	ret = conform_probe(ctx->socket_path, ctx->timeout_ms, &f, &pf);

	if (ret)
		conform_note(ctx, "back-end not serving: new connection + GET_FEATURES: %s",
			     strerror(-ret));
	else
		conform_note(ctx, "back-end still serving (GET_FEATURES on a new connection)");
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
		trace_line(ctx, line);
	}
	log_set_sink(NULL, NULL);
	wire = v;
	conform_rec_write(ctx->out_fd, CONFORM_REC_RESULT, &wire, sizeof(wire), ctx->reason,
			  strlen(ctx->reason));
}
