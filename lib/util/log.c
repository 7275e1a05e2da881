/* SPDX-License-Identifier: MIT */
#include "util/log.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const g_level_names[] = {
	[LOG_LEVEL_ERR] = "err",
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_NOTICE] = "notice",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

/* -1: not yet read from the environment. */
static _Atomic int g_level = -1;
static _Atomic(log_sink_fn) g_sink;
static void *_Atomic g_sink_arg;

int log_level_parse(const char *name, enum log_level *level)
{
	for (unsigned i = 0; i < sizeof(g_level_names) / sizeof(g_level_names[0]); i++) {
		if (strcmp(name, g_level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

void log_set_level(enum log_level level)
{
	atomic_store(&g_level, (int)level);
}

enum log_level log_get_level(void)
{
	int level = atomic_load_explicit(&g_level, memory_order_relaxed);
	enum log_level parsed = LOG_LEVEL_NOTICE;
	const char *env;

	if (level >= 0)
		return (enum log_level)level;
	env = getenv("STORLAB_LOG_LEVEL");
	if (env && log_level_parse(env, &parsed) != 0)
		parsed = LOG_LEVEL_NOTICE;
	atomic_store(&g_level, (int)parsed);
	return parsed;
}

void log_set_sink(log_sink_fn sink, void *arg)
{
	atomic_store(&g_sink_arg, arg);
	atomic_store(&g_sink, sink);
}

void log_vmsg(enum log_level level, const char *component, const char *fmt, va_list ap)
{
	char line[1024];
	log_sink_fn sink;
	struct timespec ts;
	struct tm tm;

	if (level > log_get_level())
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	sink = atomic_load(&g_sink);
	if (sink) {
		sink(level, component, line, atomic_load(&g_sink_arg));
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%06ld %-6s %s: %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
		ts.tv_nsec / 1000, g_level_names[level], component, line);
}

void log_msg(enum log_level level, const char *component, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, component, fmt, ap);
	va_end(ap);
}

bool log_ratelimit_allow(struct log_ratelimit *rl, const char *component, const char *what)
{
	struct timespec ts;
	int64_t now;

	/* Only error paths get here: the coarse clock (vDSO) is plenty. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (now - rl->window_start_ns >= 1000000000) {
		if (rl->dropped)
			log_msg(LOG_LEVEL_WARN, component, "%s: %u more messages suppressed", what,
				rl->dropped);
		rl->window_start_ns = now;
		rl->lines = 0;
		rl->dropped = 0;
	}
	if (rl->lines >= LOG_RATELIMIT_LINES) {
		rl->dropped++;
		return false;
	}
	rl->lines++;
	return true;
}
