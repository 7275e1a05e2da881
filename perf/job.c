/* SPDX-License-Identifier: MIT */
/* The job's vocabulary: names of workloads and completion modes, CPU lists. */
#include "perf/perf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "env/env.h"
#include "util/common.h"

static const char *const g_rw_names[] = {
    [PERF_RW_RANDREAD] = "randread",
    [PERF_RW_RANDWRITE] = "randwrite",
    [PERF_RW_READ] = "read",
    [PERF_RW_WRITE] = "write",
    [PERF_RW_RW] = "rw",
    [PERF_RW_RANDRW] = "randrw",
};

static const char *const g_completion_names[] = {
    [PERF_COMPLETION_POLL] = "poll",
    [PERF_COMPLETION_EVENT] = "event",
};

static int name_lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], s) == 0)
			return (int)i;
	}
	return -EINVAL;
}

int perf_rw_parse(const char *s, enum perf_rw *rw)
{
	int i = name_lookup(g_rw_names, ARRAY_SIZE(g_rw_names), s);

	if (i < 0)
		return i;
	*rw = (enum perf_rw)i;
	return 0;
}

const char *perf_rw_name(enum perf_rw rw)
{
	return (unsigned)rw < ARRAY_SIZE(g_rw_names) ? g_rw_names[rw] : "unknown";
}

int perf_completion_parse(const char *s, enum perf_completion *c)
{
	int i = name_lookup(g_completion_names, ARRAY_SIZE(g_completion_names), s);

	if (i < 0)
		return i;
	*c = (enum perf_completion)i;
	return 0;
}

const char *perf_completion_name(enum perf_completion c)
{
	return (unsigned)c < ARRAY_SIZE(g_completion_names) ? g_completion_names[c] : "unknown";
}

int perf_cpus_parse(const char *s, struct perf_job *job)
{
	char list[256];
	uint64_t mask;

	/* lib/env parses core lists in brackets ("[0,2-3]"). */
	if (snprintf(list, sizeof(list), "[%s]", s) >= (int)sizeof(list) ||
	    env_parse_core_mask(list, &mask))
		return -EINVAL;
	job->ncpus = 0;
	for (unsigned cpu = 0; cpu < 64; cpu++) {
		if (mask & (1ULL << cpu))
			job->cpus[job->ncpus++] = cpu;
	}
	return 0;
}

bool perf_rw_writes(enum perf_rw rw)
{
	return rw != PERF_RW_READ && rw != PERF_RW_RANDREAD;
}

bool perf_rw_reads(enum perf_rw rw)
{
	return rw != PERF_RW_WRITE && rw != PERF_RW_RANDWRITE;
}

int perf_job_bs_format(const struct perf_job *job, char *buf, size_t len)
{
	if (job->bs_spec)
		return perf_bs_format(job->bs_spec, buf, len);
	return snprintf(buf, len, "%u", job->bs);
}

bool perf_job_writes(const struct perf_job *job)
{
	bool mixed = job->rw == PERF_RW_RW || job->rw == PERF_RW_RANDRW;

	return perf_rw_writes(job->rw) && !(mixed && job->rwmixread == 100);
}

bool perf_rw_random(enum perf_rw rw)
{
	return rw == PERF_RW_RANDREAD || rw == PERF_RW_RANDWRITE || rw == PERF_RW_RANDRW;
}
