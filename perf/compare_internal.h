/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_PERF_COMPARE_INTERNAL_H
#define STORLAB_PERF_COMPARE_INTERNAL_H

/* What compare.c (run sets), compare_scenario.c (scenario results) and
 * compare_verdict.c (verdicts) share. */

#include <stdbool.h>
#include <stddef.h>

#include "perf/compare.h"

#define NDIRS 2

/* One run's figures: v[dir][metric] where have[dir][metric]. */
struct run_values {
	double v[NDIRS][PERF_CMP_NMETRICS];
	bool have[NDIRS][PERF_CMP_NMETRICS];
};

/* Writes the message into err (PERF_CMP_ERR_LEN bytes) and returns ret. */
int perf_cmp_fail(char *err, int ret, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The figures of an array of `storlab perf` results (*out malloc'd, one per
 * run); their workload fields, which must agree, go to set. */
int perf_cmp_runs_take(struct perf_cmp_set *set, json_t *arr, struct run_values **out, char *err);
/* A series per metric run 0 has ("PREFIXread iopsSUFFIX"); every other run
 * must have it too. */
int perf_cmp_add_run_series(struct perf_cmp_set *set, const struct run_values *rv, size_t n,
			    const char *prefix, const char *suffix, char *err);
/* subj / ref run by run (the i-th runs were taken in the same round), as
 * "[vs REF_NAME]" series: counted in the verdict. */
int perf_cmp_add_ratio_series(struct perf_cmp_set *set, const struct run_values *subj,
			      const struct run_values *ref, size_t n, const char *prefix,
			      const char *ref_name, char *err);
/* A peer's own series ("[PEER_NAME]", shown, not counted) and the ratios. */
int perf_cmp_add_peer_series(struct perf_cmp_set *set, const struct run_values *subj,
			     const struct run_values *peer, size_t n, const char *prefix,
			     const char *peer_name, char *err);

/* Scenario results (compare_scenario.c): one scenario's, or {"scenarios": [...]}. */
int perf_cmp_scenarios_take(struct perf_cmp_set *set, json_t *root, char *err);

#endif
