/* SPDX-License-Identifier: MIT */
/*
 * One case in a process of its own (conform.h "Isolation"): the case may
 * hang, crash, or leave connections and memory behind; its process ends and
 * takes all of that with it. The runner only reads the records the child
 * streams (runner_internal.h), within a deadline.
 */
#define LOG_COMPONENT "conform"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conformance/runner_internal.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"

/* What the runner keeps of a child's stream: the trace cap plus room for
 * record headers, the verdict and its reason. */
#define STREAM_MAX (CONFORM_TRACE_MAX + 64 * 1024)

#define TRACE_CUT "\n... (trace cut: the case sent more than the runner keeps)"

struct stream {
	char *buf;
	size_t len, cap;
	bool truncated;
};

static void __attribute__((noreturn))
child_main(const struct conform_ctx *tmpl, const struct conform_case *c, int out_fd)
{
	struct conform_ctx ctx = *tmpl;

	/* A Ctrl-C ends the case at once; the runner's handler (runner.h
	 * stop) is for the runner, which then starts no further case. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	ctx.out_fd = out_fd;
	conform_ctx_run_case(&ctx, c);
	/* _exit, not exit: the case owes no clean-up (conform.h), and the
	 * runner's atexit handlers and stdio buffers are not the child's. */
	_exit(0);
}

static int stream_read(int fd, struct stream *s)
{
	char tmp[16384];
	ssize_t n = read(fd, tmp, sizeof(tmp));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -errno;
	if (n == 0)
		return 0;
	if (s->len + n > STREAM_MAX) {
		/* Keep draining so the child never blocks on a full pipe. */
		s->truncated = true;
		return 1;
	}
	if (s->len + n > s->cap) {
		size_t cap = MAX(s->cap * 2, s->len + n);
		char *b = realloc(s->buf, cap);

		if (!b)
			return -ENOMEM;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, tmp, n);
	s->len += n;
	return 1;
}

/* Reads until EOF or the deadline; true if the deadline passed. */
static bool stream_collect(int fd, struct stream *s, int64_t deadline)
{
	for (;;) {
		int ret = deadline_wait_fd(fd, POLLIN, deadline);

		if (ret == -ETIMEDOUT)
			return true;
		ret = stream_read(fd, s);
		if (ret <= 0)
			return false;
	}
}

/* Reaps pid; kills it if it has not ended by the deadline (it closed its
 * end of the pipe, or handed it on, but goes on). */
static int reap(pid_t pid, int64_t deadline, bool *killed)
{
	int status;

	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR)
			return -errno;
		if (!*killed && deadline_ms_left(deadline) == 0) {
			kill(pid, SIGKILL);
			*killed = true;
		}
		nanosleep(&(struct timespec){.tv_nsec = 2 * 1000 * 1000}, NULL);
	}
}

/* Where the records' text goes. A trace record's 5-byte header becomes a
 * '\n', an observation's a '\n' in info and "\ninfo: " in the trace: with
 * 2 * s->len bytes for the trace and s->len for info, neither overflows. */
struct texts {
	char *trace, *info;
	size_t trace_len, info_len;
};

#define INFO_PREFIX "info: "

static void text_add(char *buf, size_t *len, const char *prefix, const char *p, uint32_t n)
{
	if (*len)
		buf[(*len)++] = '\n';
	memcpy(buf + *len, prefix, strlen(prefix));
	*len += strlen(prefix);
	memcpy(buf + *len, p, n);
	*len += n;
}

static void parse_records(const struct stream *s, struct conform_result *r, bool *have_result,
			  struct texts *t)
{
	size_t off = 0;

	while (off + 5 <= s->len) {
		uint8_t type = s->buf[off];
		uint32_t len;

		memcpy(&len, s->buf + off + 1, sizeof(len));
		if (len > s->len - off - 5)
			break; /* cut short by a crash or the cap */
		const char *p = s->buf + off + 5;

		if (type == CONFORM_REC_TRACE) {
			text_add(t->trace, &t->trace_len, "", p, len);
		} else if (type == CONFORM_REC_INFO) {
			text_add(t->trace, &t->trace_len, INFO_PREFIX, p, len);
			text_add(t->info, &t->info_len, "", p, len);
		} else if (type == CONFORM_REC_RESULT && len >= sizeof(uint32_t)) {
			uint32_t v;

			memcpy(&v, p, sizeof(v));
			r->verdict = v;
			free(r->reason);
			r->reason = conform_text_clean(p + sizeof(v), len - sizeof(v), false);
			*have_result = true;
		}
		off += 5 + len;
	}
}

static int set_error(struct conform_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int set_error(struct conform_result *r, const char *fmt, ...)
{
	va_list ap;
	char buf[256];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(r->reason);
	r->verdict = CONFORM_ERROR;
	r->reason = strdup(buf);
	return r->reason ? 0 : -ENOMEM;
}

int conform_child_run(const struct conform_ctx *tmpl, const struct conform_case *c, int deadline_ms,
		      struct conform_result *r)
{
	int64_t deadline = deadline_from_timeout(deadline_ms);
	struct stream s = {0};
	bool have_result = false, timed_out, killed = false;
	struct texts t = {0};
	int fds[2], status, ret;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL); /* nothing buffered is written twice */
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0) {
		close(fds[0]);
		child_main(tmpl, c, fds[1]);
	}
	close(fds[1]);
	timed_out = stream_collect(fds[0], &s, deadline);
	if (timed_out) {
		kill(pid, SIGKILL);
		killed = true;
	}
	close(fds[0]);
	status = reap(pid, deadline, &killed);

	t.trace = malloc(2 * s.len + sizeof(TRACE_CUT));
	t.info = malloc(s.len + 1);
	ret = -ENOMEM;
	if (!t.trace || !t.info)
		goto out;
	parse_records(&s, r, &have_result, &t);
	if (s.truncated) {
		memcpy(t.trace + t.trace_len, TRACE_CUT, sizeof(TRACE_CUT) - 1);
		t.trace_len += sizeof(TRACE_CUT) - 1;
	}
	r->trace = conform_text_clean(t.trace, t.trace_len, true);
	r->info = conform_text_clean(t.info, t.info_len, true);
	if (!r->trace || !r->info)
		goto out;
	if (timed_out)
		ret = set_error(r, "timed out: no verdict within %d ms (case process killed)",
				deadline_ms);
	else if (status >= 0 && WIFSIGNALED(status))
		ret = set_error(r, "case process died: signal %d (%s)", WTERMSIG(status),
				strsignal(WTERMSIG(status)));
	else if (!have_result)
		ret = set_error(r, "case process exited (status %d) without a verdict",
				status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	else if (!r->reason)
		ret = -ENOMEM;
	else
		ret = 0;
out:
	free(t.trace);
	free(t.info);
	free(s.buf);
	return ret;
}
