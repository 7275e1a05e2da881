/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_PERF_COMPARE_H
#define STORLAB_PERF_COMPARE_H

/*
 * `storlab perf compare`: is NEW worse than BASE, beyond the noise?
 *
 * A run set is what one file holds: one `storlab perf --output-format json`
 * result, an array of them (repeated runs), {"runs": [...], "peer": [...]}
 * (each run paired with a run of a peer taken at the same time), or the
 * results of scripts/bench ({"rounds": [...], "summary": ...}, whose first
 * target is the subject and the others its peers), or the results of
 * scenario runs (`storlab scenario run --results`: {"scenario", "endpoints",
 * "thresholds", "steps": [...]}, or {"scenarios": [...]} of several). In a
 * scenario's results, the io perf steps are grouped by workload (rw, bs,
 * iodepth, queues, rwmixread) into points ("perf-qd-sweep randread 4k qd32
 * q1"); the repeats of a point are its runs; the scenario's first endpoint is
 * the subject, every other endpoint that ran the point a peer, its i-th run
 * paired with the subject's i-th. It becomes a list of
 * series: one labelled metric ("read iops", "qd32 read p99") and its value
 * in each run. With a peer, each run's value is also divided by the peer's
 * of the same run ("read iops [vs peer]"): a machine that is slower today is
 * slower for both, so the ratio keeps what the absolute figure loses.
 *
 * Per series: medians of each side, change = (new - base) / base, and
 * noise = max(threshold of the metric (the command line's, else the one the
 * scenario declares for the series, else the default), PERF_CMP_NOISE_K * sqrt(madN^2 +
 * madB^2) / |base|) with MAD scaled to estimate sigma (perf/stats.h). The
 * verdict is "regressed" if the change is worse than the noise, "improved" if
 * better, else "within noise". With one run on each side there is no spread
 * and the thresholds alone decide.
 *
 * Errors come back as a negative errno and a sentence in err (which names the
 * file, the run and the field): the CLI prints it, a library does not.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "perf/stats.h"

#define PERF_CMP_NOISE_K 3.0 /* sigmas of the combined spread that are still noise */
#define PERF_CMP_ERR_LEN 256

enum perf_cmp_metric {
	PERF_CMP_IOPS,
	PERF_CMP_BW,
	PERF_CMP_MEAN, /* completion latency */
	PERF_CMP_P50,
	PERF_CMP_P99,
	PERF_CMP_P999,
	PERF_CMP_NMETRICS,
};

enum perf_cmp_verdict {
	PERF_CMP_WITHIN_NOISE,
	PERF_CMP_REGRESSED,
	PERF_CMP_IMPROVED,
};

/* One labelled metric and its value in each run. */
struct perf_cmp_series {
	char *label;
	enum perf_cmp_metric metric;
	double *v;
	size_t n;
	double threshold_pct; /* declared by the scenario that made it; < 0: none */
	/* A peer's own figure ("read iops [qsd]"): judged and shown, but not
	 * counted in the verdict (the peer is not what is under test; the ratio
	 * to it is). */
	bool peer;
};

/* The workload fields that must match between the sides. */
#define PERF_CMP_WORKLOAD_FIELDS 6
extern const char *const g_perf_cmp_workload_fields[PERF_CMP_WORKLOAD_FIELDS];

struct perf_cmp_set {
	struct perf_cmp_series *series;
	size_t nseries;
	size_t nruns;
	/* rw, bs, iodepth, queues as written in the file; NULL if it does not say. */
	char *workload[PERF_CMP_WORKLOAD_FIELDS];
};

/* Percent, per metric; given: set by perf_cmp_threshold_parse() (the command
 * line), which then wins over what a scenario declares. */
struct perf_cmp_thresholds {
	double pct[PERF_CMP_NMETRICS];
	bool given[PERF_CMP_NMETRICS];
};

struct perf_cmp_row {
	const char *label; /* points into the NEW set */
	enum perf_cmp_metric metric;
	bool spread; /* false: one run on each side, the threshold alone decided */
	struct stats_summary base, new;
	double change_pct; /* signed: (new - base) / base */
	double noise_pct;
	double threshold_pct;
	enum perf_cmp_verdict verdict;
	bool counted; /* false for a peer's own figure (perf_cmp_series.peer) */
};

struct perf_cmp_report {
	struct perf_cmp_row *rows;
	size_t nrows;
	size_t nregressed; /* counted rows only */
	size_t nimproved;
	bool spread; /* some row had runs to measure a spread from */
};

/* "iops", "bw", "mean", "p50", "p99", "p99.9". */
const char *perf_cmp_metric_name(enum perf_cmp_metric m);
bool perf_cmp_higher_is_better(enum perf_cmp_metric m);
/* The metric of a name perf_cmp_metric_name() gives. 0 or -EINVAL. */
int perf_cmp_metric_parse(const char *name, enum perf_cmp_metric *m);
const char *perf_cmp_verdict_name(enum perf_cmp_verdict v);

/* v for people: big figures (IOPS, ns) whole, ratios with their decimals. */
void perf_cmp_format_value(char *buf, size_t len, double v);

/* Defaults: iops 5, bw 5, mean 5, p50 5, p99 10, p99.9 15. */
void perf_cmp_thresholds_default(struct perf_cmp_thresholds *t);
/* "METRIC=PCT", PCT >= 0, e.g. "p99=12.5". 0 or -EINVAL. */
int perf_cmp_threshold_parse(struct perf_cmp_thresholds *t, const char *arg);

/* Adds a copy of v[0..n) as a series. 0, -EINVAL (n == 0, or n differs from
 * the set's other series) or -ENOMEM. */
int perf_cmp_set_add(struct perf_cmp_set *set, const char *label, enum perf_cmp_metric metric,
		     const double *v, size_t n);
/* From parsed JSON (any of the layouts above); what names the source in err. */
int perf_cmp_set_from_json(struct perf_cmp_set *set, json_t *root, const char *what, char *err);
/* From a file: also -ENOENT and friends (open), -EINVAL (not JSON, no layout). */
int perf_cmp_set_load(struct perf_cmp_set *set, const char *path, char *err);
void perf_cmp_set_free(struct perf_cmp_set *set);

/*
 * The sides must have the same workload fields (where both say) and the same
 * series labels: else -EINVAL naming the field or the series. -ENOMEM.
 * rep is valid until perf_cmp_report_free() and while nw lives.
 */
int perf_cmp_compare(const struct perf_cmp_set *nw, const struct perf_cmp_set *base,
		     const struct perf_cmp_thresholds *t, struct perf_cmp_report *rep, char *err);
void perf_cmp_report_free(struct perf_cmp_report *rep);

/* The report as JSON (caller decrefs), or NULL on allocation failure. */
json_t *perf_cmp_report_json(const struct perf_cmp_report *rep);

#endif
