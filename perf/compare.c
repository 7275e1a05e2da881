/* SPDX-License-Identifier: MIT */
/* storlab perf compare: the metrics, and the run sets read from the files
 * (perf results, bench results, scenario results); the verdicts are
 * compare_verdict.c's. */
#include "perf/compare.h"
#include "perf/compare_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const g_dir_names[NDIRS] = {"read", "write"};

const char *const g_perf_cmp_workload_fields[PERF_CMP_WORKLOAD_FIELDS] = {
    "rw", "bs", "bssplit", "iodepth", "queues", "rwmixread",
};

static const struct {
	const char *name;
	bool higher_is_better;
	double default_pct;
	/* bench's key for it (scripts/bench keeps three), or NULL. */
	const char *bench_key;
} g_metrics[PERF_CMP_NMETRICS] = {
    [PERF_CMP_IOPS] = {"iops", true, 5, "iops"},
    [PERF_CMP_BW] = {"bw", true, 5, NULL},
    [PERF_CMP_MEAN] = {"mean", false, 5, "mean_ns"},
    [PERF_CMP_P50] = {"p50", false, 5, NULL},
    /* Tails move more from run to run than the middle does. */
    [PERF_CMP_P99] = {"p99", false, 10, "p99_ns"},
    [PERF_CMP_P999] = {"p99.9", false, 15, NULL},
};

int perf_cmp_fail(char *err, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, PERF_CMP_ERR_LEN, fmt, ap);
	va_end(ap);
	return ret;
}

const char *perf_cmp_metric_name(enum perf_cmp_metric m)
{
	return m < PERF_CMP_NMETRICS ? g_metrics[m].name : "?";
}

bool perf_cmp_higher_is_better(enum perf_cmp_metric m)
{
	return m < PERF_CMP_NMETRICS && g_metrics[m].higher_is_better;
}

const char *perf_cmp_verdict_name(enum perf_cmp_verdict v)
{
	switch (v) {
	case PERF_CMP_REGRESSED:
		return "regressed";
	case PERF_CMP_IMPROVED:
		return "improved";
	case PERF_CMP_WITHIN_NOISE:
		break;
	}
	return "within noise";
}

void perf_cmp_format_value(char *buf, size_t len, double v)
{
	snprintf(buf, len, (v >= 1000 || v <= -1000) ? "%.0f" : "%.4g", v);
}

void perf_cmp_thresholds_default(struct perf_cmp_thresholds *t)
{
	for (size_t m = 0; m < PERF_CMP_NMETRICS; m++) {
		t->pct[m] = g_metrics[m].default_pct;
		t->given[m] = false;
	}
}

/* The metric named by the first len bytes of name, or PERF_CMP_NMETRICS. */
static enum perf_cmp_metric metric_by_name(const char *name, size_t len)
{
	for (size_t m = 0; m < PERF_CMP_NMETRICS; m++)
		if (strlen(g_metrics[m].name) == len && strncmp(g_metrics[m].name, name, len) == 0)
			return (enum perf_cmp_metric)m;
	return PERF_CMP_NMETRICS;
}

int perf_cmp_metric_parse(const char *name, enum perf_cmp_metric *m)
{
	*m = name ? metric_by_name(name, strlen(name)) : PERF_CMP_NMETRICS;
	return *m == PERF_CMP_NMETRICS ? -EINVAL : 0;
}

int perf_cmp_threshold_parse(struct perf_cmp_thresholds *t, const char *arg)
{
	const char *eq = strchr(arg, '=');
	enum perf_cmp_metric m;
	char *end;
	double pct;

	if (!eq || !eq[1])
		return -EINVAL;
	pct = strtod(eq + 1, &end);
	if (*end == '%')
		end++;
	/* !(pct >= 0) also refuses NaN. */
	m = metric_by_name(arg, (size_t)(eq - arg));
	if (*end || !(pct >= 0) || pct > 1e6 || m == PERF_CMP_NMETRICS)
		return -EINVAL;
	t->pct[m] = pct;
	t->given[m] = true;
	return 0;
}

/* ---- run sets ---- */

int perf_cmp_set_add(struct perf_cmp_set *set, const char *label, enum perf_cmp_metric metric,
		     const double *v, size_t n)
{
	struct perf_cmp_series *grown, *s;

	if (n == 0 || metric >= PERF_CMP_NMETRICS || (set->nseries && n != set->nruns))
		return -EINVAL;
	grown = realloc(set->series, (set->nseries + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	set->series = grown;
	s = &grown[set->nseries];
	s->label = strdup(label);
	s->v = malloc(n * sizeof(*v));
	if (!s->label || !s->v) {
		free(s->label);
		free(s->v);
		return -ENOMEM;
	}
	memcpy(s->v, v, n * sizeof(*v));
	s->n = n;
	s->metric = metric;
	s->threshold_pct = -1;
	s->peer = false;
	set->nseries++;
	set->nruns = n;
	return 0;
}

void perf_cmp_set_free(struct perf_cmp_set *set)
{
	for (size_t i = 0; i < set->nseries; i++) {
		free(set->series[i].label);
		free(set->series[i].v);
	}
	free(set->series);
	for (size_t i = 0; i < PERF_CMP_WORKLOAD_FIELDS; i++)
		free(set->workload[i]);
	memset(set, 0, sizeof(*set));
}

/* A workload field as text: fio writes job options as strings, bench as numbers. */
static char *json_text(json_t *v)
{
	char buf[64];

	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_integer(v))
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, sizeof(buf), "%g", json_real_value(v));
	else
		return NULL;
	return strdup(buf);
}

/* Takes the workload fields from obj (run 0), or checks them against run 0's. */
static int workload_take(struct perf_cmp_set *set, json_t *obj, bool first, const char *what,
			 char *err)
{
	for (size_t i = 0; i < PERF_CMP_WORKLOAD_FIELDS; i++) {
		json_t *j = json_object_get(obj, g_perf_cmp_workload_fields[i]);
		char *v = j ? json_text(j) : NULL;

		if (j && !v)
			return perf_cmp_fail(err, -EINVAL,
					     "%s: workload field %s is not a string or number",
					     what, g_perf_cmp_workload_fields[i]);
		if (first) {
			set->workload[i] = v;
			continue;
		}
		/* Runs of one set are repeats of one workload: else medians mix apples. */
		if ((v == NULL) != (set->workload[i] == NULL) ||
		    (v && strcmp(v, set->workload[i]) != 0)) {
			perf_cmp_fail(err, -EINVAL, "%s: %s is %s, run 0 has %s", what,
				      g_perf_cmp_workload_fields[i], v ? v : "(absent)",
				      set->workload[i] ? set->workload[i] : "(absent)");
			free(v);
			return -EINVAL;
		}
		free(v);
	}
	return 0;
}

static int number_at(json_t *obj, const char *key, double *out, const char *what, char *err)
{
	json_t *j = json_object_get(obj, key);

	if (!json_is_number(j))
		return perf_cmp_fail(err, -EINVAL, "%s: no number %s", what, key);
	*out = json_number_value(j);
	return 0;
}

/* One direction of a `storlab perf` result (fio's layout, perf/report.h). */
static int perf_dir_take(json_t *d, struct run_values *rv, int dir, const char *what, char *err)
{
	static const char *const pct_keys[] = {[PERF_CMP_P50] = "50.000000",
					       [PERF_CMP_P99] = "99.000000",
					       [PERF_CMP_P999] = "99.900000"};
	json_t *clat = json_object_get(d, "clat_ns");
	json_t *pct = json_object_get(clat, "percentile");
	double *v = rv->v[dir];
	int ret;

	ret = number_at(d, "iops", &v[PERF_CMP_IOPS], what, err);
	if (!ret)
		ret = number_at(d, "bw_bytes", &v[PERF_CMP_BW], what, err);
	if (!ret)
		ret = number_at(clat, "mean", &v[PERF_CMP_MEAN], what, err);
	for (size_t m = PERF_CMP_P50; !ret && m <= PERF_CMP_P999; m++)
		ret = number_at(pct, pct_keys[m], &v[m], what, err);
	if (ret)
		return ret;
	for (size_t m = 0; m < PERF_CMP_NMETRICS; m++)
		rv->have[dir][m] = true;
	return 0;
}

static int perf_result_take(struct perf_cmp_set *set, json_t *r, size_t idx, size_t nruns,
			    struct run_values *rv, char *err)
{
	json_t *job = json_object_get(r, "jobs");
	char what[64];
	json_int_t ios;
	int ret;

	snprintf(what, sizeof(what), nruns > 1 ? "run %zu" : "result", idx);
	job = json_array_get(job, 0);
	if (!json_is_object(job))
		return perf_cmp_fail(err, -EINVAL,
				     "%s: no jobs[0] (not a storlab perf JSON result)", what);
	if (json_array_size(json_object_get(r, "jobs")) != 1)
		return perf_cmp_fail(err, -EINVAL, "%s: %zu jobs, compare takes one", what,
				     json_array_size(json_object_get(r, "jobs")));
	ret = workload_take(set, json_object_get(job, "job options"), idx == 0, what, err);
	for (int dir = 0; !ret && dir < NDIRS; dir++) {
		json_t *d = json_object_get(job, g_dir_names[dir]);

		ios = json_integer_value(json_object_get(d, "total_ios"));
		/* A direction the workload did not exercise has no figures to compare. */
		if (ios > 0)
			ret = perf_dir_take(d, rv, dir, what, err);
	}
	return ret;
}

/* A run set from an array of `storlab perf` results. */
int perf_cmp_runs_take(struct perf_cmp_set *set, json_t *arr, struct run_values **out, char *err)
{
	size_t n = json_array_size(arr);
	struct run_values *rv;
	int ret = 0;

	if (n == 0)
		return perf_cmp_fail(err, -EINVAL, "no runs");
	rv = calloc(n, sizeof(*rv));
	if (!rv)
		return -ENOMEM;
	for (size_t i = 0; !ret && i < n; i++)
		ret = perf_result_take(set, json_array_get(arr, i), i, n, &rv[i], err);
	if (ret) {
		free(rv);
		return ret;
	}
	*out = rv;
	return 0;
}

/* Adds a series per metric run 0 has; every other run must have it too. */
int perf_cmp_add_run_series(struct perf_cmp_set *set, const struct run_values *rv, size_t n,
			    const char *prefix, const char *suffix, char *err)
{
	char label[128];
	double *v;
	int ret = 0;

	/* perf_cmp_set_add's rule, said where it breaks. */
	if (set->nseries && n != set->nruns)
		return perf_cmp_fail(err, -EINVAL,
				     "%s%zu run(s), other points %zu: one run per round each",
				     prefix, n, set->nruns);
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (int dir = 0; !ret && dir < NDIRS; dir++) {
		for (int m = 0; !ret && m < PERF_CMP_NMETRICS; m++) {
			if (!rv[0].have[dir][m])
				continue;
			snprintf(label, sizeof(label), "%s%s %s%s", prefix, g_dir_names[dir],
				 g_metrics[m].name, suffix);
			for (size_t i = 0; !ret && i < n; i++) {
				if (!rv[i].have[dir][m])
					ret = perf_cmp_fail(
					    err, -EINVAL, "run %zu has no %s, run 0 has", i, label);
				v[i] = rv[i].v[dir][m];
			}
			if (!ret)
				ret = perf_cmp_set_add(set, label, (enum perf_cmp_metric)m, v, n);
		}
	}
	free(v);
	return ret;
}

/* subject / peer, run by run: what both saw of the machine cancels out. */
static void ratios(const struct run_values *subj, const struct run_values *peer,
		   struct run_values *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (int dir = 0; dir < NDIRS; dir++) {
			for (int m = 0; m < PERF_CMP_NMETRICS; m++) {
				out[i].have[dir][m] = subj[i].have[dir][m] &&
						      peer[i].have[dir][m] &&
						      peer[i].v[dir][m] != 0;
				out[i].v[dir][m] =
				    out[i].have[dir][m] ? subj[i].v[dir][m] / peer[i].v[dir][m] : 0;
			}
		}
	}
}

/* The subject's ratios to ref, run by run: "[vs REF]". */
int perf_cmp_add_ratio_series(struct perf_cmp_set *set, const struct run_values *subj,
			      const struct run_values *ref, size_t n, const char *prefix,
			      const char *ref_name, char *err)
{
	struct run_values *r = calloc(n, sizeof(*r));
	char suffix[96];
	int ret;

	if (!r)
		return -ENOMEM;
	ratios(subj, ref, r, n);
	snprintf(suffix, sizeof(suffix), " [vs %s]", ref_name);
	ret = perf_cmp_add_run_series(set, r, n, prefix, suffix, err);
	free(r);
	return ret;
}

/* Series of a peer ("[PEER]", not counted), and of the subject's ratios to it. */
int perf_cmp_add_peer_series(struct perf_cmp_set *set, const struct run_values *subj,
			     const struct run_values *peer, size_t n, const char *prefix,
			     const char *peer_name, char *err)
{
	size_t first = set->nseries;
	char suffix[96];
	int ret;

	snprintf(suffix, sizeof(suffix), " [%s]", peer_name);
	ret = perf_cmp_add_run_series(set, peer, n, prefix, suffix, err);
	if (ret)
		return ret;
	for (size_t i = first; i < set->nseries; i++)
		set->series[i].peer = true;
	return perf_cmp_add_ratio_series(set, subj, peer, n, prefix, peer_name, err);
}

/* An array of results: repeated runs, no peer. */
static int perf_pair_take_array(struct perf_cmp_set *set, json_t *arr, char *err)
{
	struct run_values *rs = NULL;
	int ret = perf_cmp_runs_take(set, arr, &rs, err);

	if (!ret)
		ret = perf_cmp_add_run_series(set, rs, json_array_size(arr), "", "", err);
	free(rs);
	return ret;
}

/* {"runs": [...], "peer": [...]}: peer[i] ran alongside runs[i]. */
static int perf_pair_take(struct perf_cmp_set *set, json_t *root, char *err)
{
	json_t *runs = json_object_get(root, "runs"), *peer = json_object_get(root, "peer");
	struct perf_cmp_set peer_set = {0};
	struct run_values *rs = NULL, *rp = NULL;
	size_t n = json_array_size(runs);
	int ret;

	if (!json_is_array(runs))
		return perf_cmp_fail(err, -EINVAL, "\"runs\" is not an array");
	if (peer && (!json_is_array(peer) || json_array_size(peer) != n))
		return perf_cmp_fail(err, -EINVAL, "\"peer\" is not an array of %zu runs", n);
	ret = perf_cmp_runs_take(set, runs, &rs, err);
	/* The peer runs the same workload; its own fields only need to agree among themselves. */
	if (!ret && peer)
		ret = perf_cmp_runs_take(&peer_set, peer, &rp, err);
	if (!ret)
		ret = perf_cmp_add_run_series(set, rs, n, "", "", err);
	if (!ret && peer)
		ret = perf_cmp_add_peer_series(set, rs, rp, n, "", "peer", err);
	perf_cmp_set_free(&peer_set);
	free(rs);
	free(rp);
	return ret;
}

/* scripts/bench: rounds[i][target][qd] = {iops, mean_ns, p99_ns}, all reads. */
static int bench_target_take(json_t *rounds, const char *target, const char *qd,
			     struct run_values *rv, char *err)
{
	size_t n = json_array_size(rounds);
	char what[160];

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object_get(json_object_get(json_array_get(rounds, i), target), qd);

		snprintf(what, sizeof(what), "round %zu, %s, qd %s", i, target, qd);
		if (!json_is_object(o))
			return perf_cmp_fail(err, -EINVAL, "%s: missing", what);
		for (int m = 0; m < PERF_CMP_NMETRICS; m++) {
			if (!g_metrics[m].bench_key)
				continue;
			if (number_at(o, g_metrics[m].bench_key, &rv[i].v[0][m], what, err))
				return -EINVAL;
			rv[i].have[0][m] = true;
		}
	}
	return 0;
}

static int bench_take(struct perf_cmp_set *set, json_t *root, char *err)
{
	json_t *rounds = json_object_get(root, "rounds");
	json_t *targets = json_object_get(root, "summary"), *qds;
	size_t n = json_array_size(rounds);
	struct run_values *subj, *peer;
	const char *subject = NULL, *t, *qd;
	char prefix[64];
	json_t *unused;
	int ret;

	if (n == 0 || !json_is_object(targets))
		return perf_cmp_fail(err, -EINVAL, "bench results without rounds or summary");
	ret = workload_take(set, json_object_get(root, "workload"), true, "workload", err);
	if (ret)
		return ret;
	/* summary lists the targets in scripts/bench's order: the subject first. */
	json_object_foreach(targets, t, unused) {
		subject = t;
		break;
	}
	qds = json_object_get(targets, subject);
	subj = calloc(n, sizeof(*subj));
	peer = calloc(n, sizeof(*peer));
	if (!subj || !peer) {
		ret = -ENOMEM;
		goto out;
	}
	json_object_foreach(qds, qd, unused) {
		snprintf(prefix, sizeof(prefix), "qd%s ", qd);
		ret = bench_target_take(rounds, subject, qd, subj, err);
		if (!ret)
			ret = perf_cmp_add_run_series(set, subj, n, prefix, "", err);
		json_object_foreach(targets, t, unused) {
			if (ret || t == subject)
				continue;
			ret = bench_target_take(rounds, t, qd, peer, err);
			if (!ret)
				ret = perf_cmp_add_peer_series(set, subj, peer, n, prefix, t, err);
		}
		if (ret)
			break;
	}
out:
	free(subj);
	free(peer);
	return ret;
}

int perf_cmp_set_from_json(struct perf_cmp_set *set, json_t *root, const char *what, char *err)
{
	char inner[PERF_CMP_ERR_LEN] = "";
	json_t *one;
	int ret;

	memset(set, 0, sizeof(*set));
	if (json_is_array(root)) {
		ret = perf_pair_take_array(set, root, inner);
	} else if (json_object_get(root, "rounds")) {
		ret = bench_take(set, root, inner);
	} else if (json_object_get(root, "steps") || json_object_get(root, "scenarios")) {
		ret = perf_cmp_scenarios_take(set, root, inner);
	} else if (json_object_get(root, "runs")) {
		ret = perf_pair_take(set, root, inner);
	} else {
		/* One result is a set of one run. */
		one = json_pack("[O]", root);
		ret = one ? perf_pair_take_array(set, one, inner) : -ENOMEM;
		json_decref(one);
	}
	if (ret) {
		perf_cmp_set_free(set);
		if (ret == -ENOMEM)
			snprintf(inner, sizeof(inner), "out of memory");
		return perf_cmp_fail(err, ret, "%s: %s", what, inner);
	}
	return 0;
}

int perf_cmp_set_load(struct perf_cmp_set *set, const char *path, char *err)
{
	json_error_t jerr;
	json_t *root;
	FILE *f = fopen(path, "r");
	int ret;

	memset(set, 0, sizeof(*set));
	if (!f) {
		ret = -errno;
		return perf_cmp_fail(err, ret, "%s: %s", path, strerror(-ret));
	}
	root = json_loadf(f, 0, &jerr);
	fclose(f);
	if (!root)
		return perf_cmp_fail(err, -EINVAL, "%s:%d: not JSON: %s", path, jerr.line,
				     jerr.text);
	ret = perf_cmp_set_from_json(set, root, path, err);
	json_decref(root);
	return ret;
}
