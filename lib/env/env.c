/* SPDX-License-Identifier: MIT */
/*
 * The process side of lib/env: options, the set of reactors, their threads,
 * and time. Plain pthreads, not DPDK's EAL: EAL's global state, hugepages and
 * conflicts with ASan (and with many env instances in one test process) cost
 * more than they give to a loop of pollers.
 */
#define LOG_COMPONENT "env"
#include "env/env.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "env/reactor_internal.h"
#include "util/common.h"
#include "util/log.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

static struct {
	bool initialized;
	bool started;
	bool pin;
	unsigned count;
	struct reactor *reactors[ENV_MAX_REACTORS];
	pthread_t threads[ENV_MAX_REACTORS];
} g_env;

/*
 * The reactors of the last env_stop(): joined, no longer running, and kept
 * until the next env_init(), so that a pointer someone still holds (a queue
 * stopped after env_stop) meets -ESRCH in reactor_call_sync, not freed memory.
 */
static struct {
	unsigned count;
	struct reactor *reactors[ENV_MAX_REACTORS];
} g_retired;

static const char *const g_mode_names[] = {
	[ENV_MODE_POLL] = "poll",
	[ENV_MODE_INTERRUPT] = "interrupt",
	[ENV_MODE_ADAPTIVE] = "adaptive",
};

/* ---- Parsing ---- */

/* "[0,2-3]": decimal cores and inclusive ranges, below 64. */
static int parse_core_list(const char *text, uint64_t *mask)
{
	const char *p = text + 1;
	unsigned long first, last;
	uint64_t bits = 0;
	char *end;

	for (;;) {
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		first = strtoul(p, &end, 10);
		p = end;
		last = first;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -EINVAL;
			last = strtoul(p, &end, 10);
			p = end;
		}
		if (first > last || last >= 64)
			return -EINVAL;
		for (unsigned long c = first; c <= last; c++)
			bits |= 1ull << c;
		if (*p == ',') {
			p++;
			continue;
		}
		if (p[0] == ']' && p[1] == '\0')
			break;
		return -EINVAL;
	}
	*mask = bits;
	return 0;
}

/* "0x3" or "3": hex, at most 64 bits. */
static int parse_core_hex(const char *text, uint64_t *mask)
{
	const char *p = text;
	size_t len;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	len = strlen(p);
	if (len == 0 || len > 16)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)p[i]))
			return -EINVAL;
	}
	*mask = strtoull(p, NULL, 16);
	return 0;
}

int env_parse_core_mask(const char *text, uint64_t *mask)
{
	uint64_t bits = 0;
	int rc;

	if (!text)
		return -EINVAL;
	rc = text[0] == '[' ? parse_core_list(text, &bits) : parse_core_hex(text, &bits);
	if (rc == 0 && bits == 0)
		rc = -EINVAL;
	if (rc) {
		log_err("core mask '%s': expected hex (0x3, 3) or a list ([0,2-3]) of cores < 64, "
			"not empty",
			text);
		return rc;
	}
	*mask = bits;
	return 0;
}

int env_parse_mode(const char *text, enum env_mode *mode)
{
	for (size_t i = 0; i < ARRAY_SIZE(g_mode_names); i++) {
		if (text && strcmp(text, g_mode_names[i]) == 0) {
			*mode = (enum env_mode)i;
			return 0;
		}
	}
	log_err("mode '%s': expected poll, interrupt or adaptive", text ? text : "(null)");
	return -EINVAL;
}

const char *env_mode_name(enum env_mode mode)
{
	if ((unsigned)mode >= ARRAY_SIZE(g_mode_names))
		return "unknown";
	return g_mode_names[mode];
}

/* ---- Lifecycle ---- */

static void env_free_reactors(void)
{
	for (unsigned i = 0; i < g_env.count; i++)
		env_reactor_destroy(g_env.reactors[i]);
	memset(&g_env, 0, sizeof(g_env));
}

static void env_free_retired(void)
{
	for (unsigned i = 0; i < g_retired.count; i++)
		env_reactor_destroy(g_retired.reactors[i]);
	g_retired.count = 0;
}

/* Pinned reactors need cores this process may run on. */
static int env_check_cores(uint64_t mask)
{
	cpu_set_t allowed;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0) {
		log_err("sched_getaffinity: %s", strerror(errno));
		return -errno;
	}
	for (unsigned core = 0; core < 64; core++) {
		if ((mask & (1ull << core)) && !CPU_ISSET(core, &allowed)) {
			log_err("core %u is not available to this process (core mask 0x%llx)", core,
				(unsigned long long)mask);
			return -EINVAL;
		}
	}
	return 0;
}

int env_init(const struct env_opts *opts)
{
	uint64_t mask = opts->core_mask ? opts->core_mask : 1;
	int rc;

	if (g_env.initialized) {
		log_err("env_init: already initialized");
		return -EALREADY;
	}
	if ((unsigned)opts->mode >= ARRAY_SIZE(g_mode_names)) {
		log_err("env_init: unknown mode %d", (int)opts->mode);
		return -EINVAL;
	}
	if (!opts->no_pin) {
		rc = env_check_cores(mask);
		if (rc)
			return rc;
	}
	env_free_retired();
	/* Measure the tick rate now rather than on a reactor's first timed poller. */
	env_tsc_hz();
	for (unsigned core = 0; core < 64; core++) {
		if (!(mask & (1ull << core)))
			continue;
		rc = env_reactor_create(g_env.count, core, opts, &g_env.reactors[g_env.count]);
		if (rc) {
			env_free_reactors();
			return rc;
		}
		g_env.count++;
	}
	g_env.pin = !opts->no_pin;
	g_env.initialized = true;
	log_info("%u reactors, %s mode", g_env.count, env_mode_name(opts->mode));
	return 0;
}

static void env_join(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		env_reactor_request_stop(g_env.reactors[i]);
	for (unsigned i = 0; i < n; i++) {
		pthread_join(g_env.threads[i], NULL);
		env_reactor_set_running(g_env.reactors[i], false);
	}
}

static int env_start_one(unsigned i)
{
	struct reactor *r = g_env.reactors[i];
	unsigned core = reactor_core(r);
	pthread_attr_t attr;
	char name[16];
	cpu_set_t set;
	int rc;

	pthread_attr_init(&attr);
	if (g_env.pin) {
		CPU_ZERO(&set);
		CPU_SET(core, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	/* Running before the thread exists: call_sync may queue at once. */
	env_reactor_set_running(r, true);
	rc = -pthread_create(&g_env.threads[i], &attr, env_reactor_main, r);
	pthread_attr_destroy(&attr);
	if (rc) {
		env_reactor_set_running(r, false);
		log_err("reactor %u: pthread_create: %s", core, strerror(-rc));
		return rc;
	}
	snprintf(name, sizeof(name), "reactor_%u", core);
	pthread_setname_np(g_env.threads[i], name);
	return 0;
}

int env_start(void)
{
	int rc;

	if (!g_env.initialized || g_env.started) {
		log_err("env_start: %s", g_env.started ? "already started" : "env_init first");
		return -EINVAL;
	}
	for (unsigned i = 0; i < g_env.count; i++) {
		rc = env_start_one(i);
		if (rc) {
			env_join(i);
			return rc;
		}
	}
	g_env.started = true;
	return 0;
}

void env_stop(void)
{
	if (!g_env.initialized)
		return;
	if (g_env.started)
		env_join(g_env.count);
	env_free_retired();
	g_retired.count = g_env.count;
	memcpy(g_retired.reactors, g_env.reactors, sizeof(g_env.reactors));
	memset(&g_env, 0, sizeof(g_env));
}

/* ---- Lookups ---- */

unsigned env_reactor_count(void)
{
	return g_env.count;
}

struct reactor *env_reactor_at(unsigned index)
{
	return index < g_env.count ? g_env.reactors[index] : NULL;
}

struct reactor *env_reactor_by_core(unsigned core)
{
	for (unsigned i = 0; i < g_env.count; i++) {
		if (reactor_core(g_env.reactors[i]) == core)
			return g_env.reactors[i];
	}
	return NULL;
}

/* ---- Time ---- */

uint64_t env_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__) || defined(__i386__)
static uint64_t g_tsc_hz;
static pthread_once_t g_tsc_once = PTHREAD_ONCE_INIT;

uint64_t env_tsc(void)
{
	return __rdtsc();
}

/* The TSC rate against the monotonic clock over 10 ms (constant_tsc is
 * assumed, as SPDK does). */
static void tsc_calibrate(void)
{
	struct timespec pause = {.tv_nsec = 10 * 1000 * 1000};
	uint64_t ns0, ns1, tsc0, tsc1;

	ns0 = env_now_ns();
	tsc0 = env_tsc();
	nanosleep(&pause, NULL);
	ns1 = env_now_ns();
	tsc1 = env_tsc();
	g_tsc_hz = (uint64_t)((unsigned __int128)(tsc1 - tsc0) * 1000000000u / (ns1 - ns0));
}

uint64_t env_tsc_hz(void)
{
	pthread_once(&g_tsc_once, tsc_calibrate);
	return g_tsc_hz;
}
#else
uint64_t env_tsc(void)
{
	return env_now_ns();
}

uint64_t env_tsc_hz(void)
{
	return 1000000000u;
}
#endif
