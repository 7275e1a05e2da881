/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_PERF_REPORT_H
#define STORLAB_PERF_REPORT_H

/*
 * Results as data: fio's JSON layout (jobs[0].read.iops,
 * jobs[0].read.clat_ns.percentile["99.000000"], ...) so that tools that read
 * fio output read ours, and one table of the percentiles every report gives.
 * Request sizes appear in "job options" as fio names them ("bs" for one size
 * or a range, "bssplit" for weighted sizes); --verify adds jobs[0].verify
 * (docs/man/storlab.md).
 */

#include <jansson.h>
#include <stddef.h>

#include "perf/perf.h"

/* fio's default percentile list. */
extern const double g_perf_percentiles[];
extern const size_t g_perf_npercentiles;

/* Per direction: IOPS, bytes per second. */
double perf_iops(const struct perf_dir_stats *d, double seconds);
double perf_bw_bytes(const struct perf_dir_stats *d, double seconds);

/* --verify: blocks found wrong, during the run and in the read-back. */
uint64_t perf_verify_mismatches(const struct perf_verify_result *v);
/* The first of them: the run's before the read-back's (*in_run says
 * which), or NULL if none. */
const struct pattern_mismatch *perf_verify_first(const struct perf_verify_result *v, bool *in_run);

/* A new JSON object (caller decrefs), or NULL on allocation failure. */
json_t *perf_report_json(const struct perf_job *job, const struct perf_result *res);

/* The raw latency buckets of each direction, for --histogram-out:
 * {"sub_bucket_bits", "read": {"N", "buckets": [{"low_ns", "high_ns",
 * "count"}]}, "write": ...}, only buckets with a count, in order. Bounds are
 * inclusive. A new object (caller decrefs), or NULL on allocation failure. */
json_t *perf_histogram_json(const struct perf_result *res);

#endif
