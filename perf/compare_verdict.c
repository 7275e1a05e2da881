/* SPDX-License-Identifier: MIT */
/* storlab perf compare: the verdict per metric between two run sets, and the
 * report of it (perf/compare.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perf/compare.h"
#include "perf/compare_internal.h"

/* ---- the comparison ---- */

static const char *workload_or_absent(const struct perf_cmp_set *s, size_t i)
{
	return s->workload[i] ? s->workload[i] : "(absent)";
}

static const struct perf_cmp_series *series_find(const struct perf_cmp_set *s, const char *label)
{
	for (size_t i = 0; i < s->nseries; i++)
		if (strcmp(s->series[i].label, label) == 0)
			return &s->series[i];
	return NULL;
}

/* The sides measured the same thing: same workload, same series. */
static int sides_match(const struct perf_cmp_set *nw, const struct perf_cmp_set *base, char *err)
{
	for (size_t i = 0; i < PERF_CMP_WORKLOAD_FIELDS; i++) {
		if (nw->workload[i] && base->workload[i] &&
		    strcmp(nw->workload[i], base->workload[i]) == 0)
			continue;
		if (!nw->workload[i] && !base->workload[i])
			continue;
		return perf_cmp_fail(err, -EINVAL,
				     "workloads differ: %s is %s in NEW, %s in BASELINE",
				     g_perf_cmp_workload_fields[i], workload_or_absent(nw, i),
				     workload_or_absent(base, i));
	}
	if (nw->nseries == 0)
		return perf_cmp_fail(err, -EINVAL, "nothing to compare: no metric in NEW");
	for (size_t i = 0; i < nw->nseries; i++)
		if (!series_find(base, nw->series[i].label))
			return perf_cmp_fail(err, -EINVAL, "%s is in NEW, not in BASELINE",
					     nw->series[i].label);
	for (size_t i = 0; i < base->nseries; i++)
		if (!series_find(nw, base->series[i].label))
			return perf_cmp_fail(err, -EINVAL, "%s is in BASELINE, not in NEW",
					     base->series[i].label);
	return 0;
}

static double abs_d(double x)
{
	return x < 0 ? -x : x;
}

static int row_judge(struct perf_cmp_row *row, const struct perf_cmp_series *n,
		     const struct perf_cmp_series *b, double threshold_pct, char *err)
{
	double spread, worse;
	int ret;

	ret = stats_summarize(n->v, n->n, &row->new);
	if (!ret)
		ret = stats_summarize(b->v, b->n, &row->base);
	if (ret)
		return perf_cmp_fail(err, ret, "%s: %s", n->label,
				     ret == -ENOMEM ? "out of memory" : "not a number in the runs");
	if (row->base.median == 0)
		return perf_cmp_fail(
		    err, -EINVAL, "%s: the baseline median is 0: no change to measure", n->label);
	row->label = n->label;
	row->metric = n->metric;
	row->threshold_pct = threshold_pct;
	row->spread = n->n > 1 || b->n > 1;
	row->change_pct = 100 * (row->new.median - row->base.median) / abs_d(row->base.median);
	/* Each side's sigma, relative to the baseline; the difference of two
	 * independent figures spreads as the root of the sum of squares. */
	spread = 100 * PERF_CMP_NOISE_K *
		 stats_sqrt(row->new.mad * row->new.mad + row->base.mad * row->base.mad) /
		 abs_d(row->base.median);
	row->noise_pct = spread > threshold_pct ? spread : threshold_pct;
	worse = perf_cmp_higher_is_better(row->metric) ? -row->change_pct : row->change_pct;
	if (worse > row->noise_pct)
		row->verdict = PERF_CMP_REGRESSED;
	else if (-worse > row->noise_pct)
		row->verdict = PERF_CMP_IMPROVED;
	else
		row->verdict = PERF_CMP_WITHIN_NOISE;
	return 0;
}

int perf_cmp_compare(const struct perf_cmp_set *nw, const struct perf_cmp_set *base,
		     const struct perf_cmp_thresholds *t, struct perf_cmp_report *rep, char *err)
{
	int ret;

	memset(rep, 0, sizeof(*rep));
	ret = sides_match(nw, base, err);
	if (ret)
		return ret;
	rep->rows = calloc(nw->nseries, sizeof(*rep->rows));
	if (!rep->rows)
		return perf_cmp_fail(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < nw->nseries; i++) {
		const struct perf_cmp_series *n = &nw->series[i];
		struct perf_cmp_row *row = &rep->rows[i];

		/* The command line, else what the scenario declared, else the default. */
		double pct = !t->given[n->metric] && n->threshold_pct >= 0 ? n->threshold_pct
									   : t->pct[n->metric];

		ret = row_judge(row, n, series_find(base, n->label), pct, err);
		if (ret) {
			perf_cmp_report_free(rep);
			return ret;
		}
		row->counted = !n->peer;
		rep->nrows++;
		rep->spread |= row->spread;
		rep->nregressed += row->counted && row->verdict == PERF_CMP_REGRESSED;
		rep->nimproved += row->counted && row->verdict == PERF_CMP_IMPROVED;
	}
	return 0;
}

void perf_cmp_report_free(struct perf_cmp_report *rep)
{
	free(rep->rows);
	memset(rep, 0, sizeof(*rep));
}

static json_t *side_json(const struct stats_summary *s)
{
	return json_pack("{s:f, s:f, s:f, s:f, s:I}", "median", s->median, "mad", s->mad, "min",
			 s->min, "max", s->max, "runs", (json_int_t)s->n);
}

json_t *perf_cmp_report_json(const struct perf_cmp_report *rep)
{
	json_t *rows = json_array();

	for (size_t i = 0; rows && i < rep->nrows; i++) {
		const struct perf_cmp_row *r = &rep->rows[i];
		json_t *o = json_pack(
		    "{s:s, s:s, s:s, s:o, s:o, s:f, s:f, s:f, s:b, s:s, s:b}", "metric", r->label,
		    "kind", perf_cmp_metric_name(r->metric), "better",
		    perf_cmp_higher_is_better(r->metric) ? "higher" : "lower", "base",
		    side_json(&r->base), "new", side_json(&r->new), "change_pct", r->change_pct,
		    "noise_pct", r->noise_pct, "threshold_pct", r->threshold_pct, "spread",
		    r->spread, "verdict", perf_cmp_verdict_name(r->verdict), "counted", r->counted);

		if (!o || json_array_append_new(rows, o)) {
			json_decref(rows);
			return NULL;
		}
	}
	return json_pack("{s:o, s:I, s:I, s:b, s:b}", "metrics", rows, "regressed",
			 (json_int_t)rep->nregressed, "improved", (json_int_t)rep->nimproved,
			 "spread", rep->spread, "ok", rep->nregressed == 0);
}
