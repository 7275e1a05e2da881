/* SPDX-License-Identifier: MIT */
#include "perf/report.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "util/common.h"

const double g_perf_percentiles[] = {
    1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99,
};
const size_t g_perf_npercentiles = ARRAY_SIZE(g_perf_percentiles);

double perf_iops(const struct perf_dir_stats *d, double seconds)
{
	return seconds > 0 ? (double)d->ios / seconds : 0;
}

double perf_bw_bytes(const struct perf_dir_stats *d, double seconds)
{
	return seconds > 0 ? (double)d->bytes / seconds : 0;
}

static json_t *clat_json(const struct histogram *h)
{
	json_t *pct = json_object();
	char key[32];

	for (size_t i = 0; i < g_perf_npercentiles; i++) {
		snprintf(key, sizeof(key), "%f", g_perf_percentiles[i]);
		json_object_set_new(
		    pct, key, json_integer((json_int_t)hist_percentile(h, g_perf_percentiles[i])));
	}
	return json_pack("{s:I, s:I, s:f, s:f, s:I, s:o}", "min",
			 (json_int_t)(h->count ? h->min : 0), "max", (json_int_t)h->max, "mean",
			 hist_mean(h), "stddev", hist_stddev(h), "N", (json_int_t)h->count,
			 "percentile", pct);
}

static json_t *series_json(const uint64_t *v, unsigned n)
{
	json_t *a = json_array();

	for (unsigned i = 0; v && i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

/* fio's per-direction object: bw in KiB/s, runtime in ms. Ours added: the
 * per-second series (fio logs those to files instead). */
static json_t *dir_json(const struct perf_dir_stats *d, const struct perf_result *res)
{
	double seconds = res->seconds, bw = perf_bw_bytes(d, seconds);

	return json_pack("{s:I, s:I, s:I, s:I, s:f, s:I, s:I, s:I, s:o, s:o, s:o}", "io_bytes",
			 (json_int_t)d->bytes, "io_kbytes", (json_int_t)(d->bytes >> 10),
			 "bw_bytes", (json_int_t)bw, "bw", (json_int_t)(bw / 1024), "iops",
			 perf_iops(d, seconds), "runtime", (json_int_t)(seconds * 1000),
			 "total_ios", (json_int_t)d->ios, "errors", (json_int_t)d->errors,
			 "clat_ns", clat_json(&d->clat), "iops_series",
			 series_json(d->ios_series, res->series_len), "bw_bytes_series",
			 series_json(d->bytes_series, res->series_len));
}

/* fio's names: "bs" for one size or a range, "bssplit" for weighted sizes. */
static void bs_options_json(json_t *o, const struct perf_job *job)
{
	bool split = job->bs_spec && job->bs_spec->kind == PERF_BS_SPLIT;
	char text[PERF_BS_MAX_SPLIT * 24];

	perf_job_bs_format(job, text, sizeof(text));
	json_object_set_new(o, split ? "bssplit" : "bs", json_string(text));
}

static json_t *job_options_json(const struct perf_job *job)
{
	json_t *o = json_object();
	char cpus[PERF_MAX_CPUS * 4] = "";
	size_t used = 0;

	for (unsigned i = 0; i < job->ncpus && used < sizeof(cpus); i++)
		used += (size_t)snprintf(cpus + used, sizeof(cpus) - used, "%s%u", i ? "," : "",
					 job->cpus[i]);
	/* fio writes job options as strings. */
	json_object_set_new(o, "filename", json_string(job->uri));
	json_object_set_new(o, "rw", json_string(perf_rw_name(job->rw)));
	bs_options_json(o, job);
	json_object_set_new(o, "iodepth", json_sprintf("%u", job->iodepth));
	json_object_set_new(o, "queues", json_sprintf("%u", job->queues));
	json_object_set_new(o, "cpus", json_string(cpus));
	json_object_set_new(o, "completion", json_string(perf_completion_name(job->completion)));
	json_object_set_new(o, "runtime", json_sprintf("%g", job->seconds));
	json_object_set_new(o, "ramp_time", json_sprintf("%g", job->ramp));
	if (job->rw == PERF_RW_RW || job->rw == PERF_RW_RANDRW)
		json_object_set_new(o, "rwmixread", json_sprintf("%u", job->rwmixread));
	if (job->rate_iops)
		json_object_set_new(o, "rate_iops",
				    json_sprintf("%llu", (unsigned long long)job->rate_iops));
	if (job->verify)
		json_object_set_new(o, "verify", json_string("pattern"));
	return o;
}

uint64_t perf_verify_mismatches(const struct perf_verify_result *v)
{
	return v->run.mismatches + v->readback.mismatches;
}

const struct pattern_mismatch *perf_verify_first(const struct perf_verify_result *v, bool *in_run)
{
	*in_run = v->run.have_first;
	if (v->run.have_first)
		return &v->run.first;
	return v->readback.have_first ? &v->readback.first : NULL;
}

/* The first mismatch of --verify: the sector, what was wrong, the
 * generation expected, and the stamp found there (null without one: its
 * fields would be whatever bytes were there). Seeds use all 64 bits: hex. */
static json_t *mismatch_json(const struct pattern_mismatch *m, bool in_run)
{
	json_t *found = json_null();

	if (m->fault != PATTERN_NO_STAMP)
		found = json_pack("{s:I, s:I, s:o}", "lba", (json_int_t)m->found.lba, "seq",
				  (json_int_t)m->found.seq, "seed",
				  json_sprintf("0x%016" PRIx64, m->found.seed));
	return json_pack("{s:s, s:I, s:s, s:i, s:I, s:o}", "phase", in_run ? "run" : "readback",
			 "lba", (json_int_t)m->lba, "fault", pattern_fault_name(m->fault), "byte",
			 (int)m->byte, "expected_seq", (json_int_t)m->expected.seq, "found", found);
}

static json_t *verify_json(const struct perf_verify_result *v)
{
	bool in_run;
	const struct pattern_mismatch *first = perf_verify_first(v, &in_run);
	json_t *j = json_pack(
	    "{s:o, s:I, s:I, s:I, s:I, s:I, s:I}", "seed", json_sprintf("0x%016" PRIx64, v->seed),
	    "blocks_written", (json_int_t)v->written, "blocks_unknown", (json_int_t)v->unknown,
	    "blocks_checked", (json_int_t)(v->run.checked + v->readback.checked), "checked_in_run",
	    (json_int_t)v->run.checked, "mismatches", (json_int_t)perf_verify_mismatches(v),
	    "errors", (json_int_t)v->readback.errors);

	if (j && first)
		json_object_set_new(j, "first_mismatch", mismatch_json(first, in_run));
	return j;
}

json_t *perf_report_json(const struct perf_job *job, const struct perf_result *res)
{
	json_t *j =
	    json_pack("{s:s, s:i, s:f, s:o, s:o, s:o, s:f, s:f, s:f, s:i}", "jobname", "perf",
		      "error", 0, "elapsed", res->seconds, "job options", job_options_json(job),
		      "read", dir_json(&res->read, res), "write", dir_json(&res->write, res),
		      "usr_cpu", res->usr_cpu, "sys_cpu", res->sys_cpu, "cpu_ns_per_io",
		      res->cpu_ns_per_io, "threads", (int)res->threads);

	if (j && job->verify)
		json_object_set_new(j, "verify", verify_json(&res->verify));
	return json_pack("{s:I, s:[o]}", "timestamp", (json_int_t)time(NULL), "jobs", j);
}

/* The buckets that counted something: a histogram is ~3700 buckets, most empty. */
static json_t *buckets_json(const struct histogram *h)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		if (h->buckets[i])
			json_array_append_new(a,
					      json_pack("{s:I, s:I, s:I}", "low_ns",
							(json_int_t)hist_bucket_low(i), "high_ns",
							(json_int_t)hist_bucket_high(i), "count",
							(json_int_t)h->buckets[i]));
	}
	return a;
}

json_t *perf_histogram_json(const struct perf_result *res)
{
	return json_pack(
	    "{s:i, s:{s:I, s:o}, s:{s:I, s:o}}", "sub_bucket_bits", HIST_SUB_BITS, "read", "N",
	    (json_int_t)res->read.clat.count, "buckets", buckets_json(&res->read.clat), "write",
	    "N", (json_int_t)res->write.clat.count, "buckets", buckets_json(&res->write.clat));
}
