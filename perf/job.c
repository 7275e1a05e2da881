/* SPDX-License-Identifier: MIT */
/* The job's vocabulary: its options as users write them, names of workloads
 * and completion modes, CPU lists. */
#include "perf/perf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "env/env.h"
#include "perf/bs.h"
#include "util/common.h"
#include "util/parse.h"

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

void perf_job_defaults(struct perf_job *job)
{
	*job = (struct perf_job){
	    .rw = PERF_RW_RANDREAD,
	    .bs = 4096,
	    .iodepth = 32,
	    .queues = 1,
	    .seconds = 10,
	    .completion = PERF_COMPLETION_POLL,
	    .seed = 1,
	    .rwmixread = 50,
	};
}

static int bool_parse(const char *s, bool *out)
{
	if (strcmp(s, "true") != 0 && strcmp(s, "false") != 0)
		return -EINVAL;
	*out = s[0] == 't';
	return 0;
}

/* Sizes: one of bs and bssplit, once. */
static int bs_set(struct perf_job *job, struct perf_bs *bs, bool split, const char *s)
{
	int ret;

	if (job->bs_spec)
		return -EEXIST;
	ret = split ? perf_bssplit_parse(s, bs) : perf_bs_parse(s, bs);
	if (ret)
		return ret;
	job->bs_spec = bs;
	job->bs = bs->min;
	return 0;
}

static int seconds_set(const char *s, double *out, bool zero_ok)
{
	return util_parse_seconds(s, out) || (*out <= 0 && !zero_ok) ? -EINVAL : 0;
}

int perf_job_set(struct perf_job *job, struct perf_bs *bs, const char *name, const char *text)
{
	uint64_t v;

	if (!strcmp(name, "rw"))
		return perf_rw_parse(text, &job->rw);
	if (!strcmp(name, "bs") || !strcmp(name, "bssplit"))
		return bs_set(job, bs, strcmp(name, "bssplit") == 0, text);
	if (!strcmp(name, "time"))
		return seconds_set(text, &job->seconds, false);
	if (!strcmp(name, "ramp"))
		return seconds_set(text, &job->ramp, true);
	if (!strcmp(name, "cpus"))
		return perf_cpus_parse(text, job);
	if (!strcmp(name, "completion"))
		return perf_completion_parse(text, &job->completion);
	if (!strcmp(name, "offset"))
		return util_parse_size(text, &job->offset);
	if (!strcmp(name, "size"))
		return util_parse_size(text, &job->size);
	if (!strcmp(name, "seed"))
		return util_parse_uint(text, 0, UINT64_MAX, &job->seed);
	if (!strcmp(name, "rate-iops"))
		return util_parse_uint(text, 1, UINT64_MAX, &job->rate_iops);
	if (!strcmp(name, "verify"))
		return bool_parse(text, &job->verify);
	/* Fields narrower than 64 bits: set only once the value is known good. */
	if (!strcmp(name, "iodepth")) {
		if (util_parse_uint(text, 1, 32768, &v))
			return -EINVAL;
		job->iodepth = (uint32_t)v;
	} else if (!strcmp(name, "queues")) {
		if (util_parse_uint(text, 1, PERF_MAX_QUEUES, &v))
			return -EINVAL;
		job->queues = (uint16_t)v;
	} else if (!strcmp(name, "rwmixread")) {
		if (util_parse_uint(text, 0, 100, &v))
			return -EINVAL;
		job->rwmixread = (unsigned)v;
	} else {
		return -ENOENT;
	}
	return 0;
}
