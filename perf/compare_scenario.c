/* SPDX-License-Identifier: MIT */
/*
 * perf compare on scenario results (`storlab scenario run --results`,
 * docs/scenarios.md): the perf steps grouped into points (a workload on one
 * kind of device), each point's runs by endpoint; the first endpoint of the
 * scenario that ran a point is its subject, the others its peers, paired
 * run by run. A point on a device kind other than vhost-user-blk is also
 * set against the same workload on vhost-user-blk, so that a scenario
 * measuring both kinds in one run keeps their ratio ("[vs tgt]").
 */
#include "perf/compare_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The reference kind: its points keep the labels they had before scenarios
 * measured other kinds, so that baselines and histories still match. */
#define REF_SCHEME    "vhost-user-blk"
#define SCHEME_PREFIX "vhost-user-"

/* The device kind a perf step ran on, from the URI storlab perf reports as
 * its filename: "" for vhost-user-blk (or a result that names none), else
 * the scheme without "vhost-user-" ("scsi"). */
static void step_kind(json_t *step, char *kind, size_t len)
{
	json_t *job = json_array_get(json_object_get(json_object_get(step, "result"), "jobs"), 0);
	const char *uri =
	    json_string_value(json_object_get(json_object_get(job, "job options"), "filename"));
	const char *colon = uri ? strchr(uri, ':') : NULL;
	size_t n = colon ? (size_t)(colon - uri) : 0;

	kind[0] = '\0';
	if (!colon || (n == strlen(REF_SCHEME) && strncmp(uri, REF_SCHEME, n) == 0))
		return;
	if (n > strlen(SCHEME_PREFIX) && strncmp(uri, SCHEME_PREFIX, strlen(SCHEME_PREFIX)) == 0) {
		uri += strlen(SCHEME_PREFIX);
		n -= strlen(SCHEME_PREFIX);
	}
	snprintf(kind, len, "%.*s", (int)n, uri);
}

/* "randread 4k qd32 q1", "randrw 4k qd32 q1 mix70": the workload of a point. */
static int workload_key(json_t *params, char *key, size_t len)
{
	const char *rw = json_string_value(json_object_get(params, "rw"));
	json_int_t bs = json_integer_value(json_object_get(params, "bs"));
	const char *spec = json_string_value(json_object_get(params, "bs_spec"));
	json_t *mix = json_object_get(params, "rwmixread");
	char size[512];

	if (!rw || bs <= 0)
		return -EINVAL;
	/* A range or split ("4096-65536", "4096/70:65536/30") as it was given. */
	if (spec)
		snprintf(size, sizeof(size), "%s", spec);
	else if (bs % 1024)
		snprintf(size, sizeof(size), "%" JSON_INTEGER_FORMAT, bs);
	else
		snprintf(size, sizeof(size), "%" JSON_INTEGER_FORMAT "k", bs / 1024);
	snprintf(key, len, "%s %s qd%" JSON_INTEGER_FORMAT " q%" JSON_INTEGER_FORMAT, rw, size,
		 json_integer_value(json_object_get(params, "iodepth")),
		 json_integer_value(json_object_get(params, "queues")));
	if (mix)
		snprintf(key + strlen(key), len - strlen(key), " mix%" JSON_INTEGER_FORMAT,
			 json_integer_value(mix));
	return 0;
}

/* The runs of one endpoint at one point: they must repeat one workload. */
static int endpoint_runs_take(json_t *runs, struct run_values **rv, const char *where, char *err)
{
	struct perf_cmp_set tmp = {0};
	char inner[PERF_CMP_ERR_LEN];
	int ret = perf_cmp_runs_take(&tmp, runs, rv, inner);

	perf_cmp_set_free(&tmp);
	return ret ? perf_cmp_fail(err, ret, "%s: %s", where, inner) : 0;
}

/* The first of the scenario's endpoints that ran the point (byep:
 * {endpoint: [results]}), or NULL. */
static const char *point_subject(json_t *endpoints, json_t *byep)
{
	json_t *e;
	size_t i;

	json_array_foreach(endpoints, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));

		if (name && json_object_get(byep, name))
			return name;
	}
	return NULL;
}

/* A point on another kind than vhost-user-blk: the subject's runs over the
 * runs of the vhost-user-blk point's subject in the same rounds. */
static int ref_take(struct perf_cmp_set *set, const char *prefix, const struct run_values *rs,
		    size_t n, json_t *ref_byep, json_t *endpoints, char *err)
{
	const char *ref = point_subject(endpoints, ref_byep);
	json_t *runs = ref ? json_object_get(ref_byep, ref) : NULL;
	char where[PERF_CMP_ERR_LEN];
	struct run_values *rr;
	int ret;

	if (!runs)
		return 0; /* the scenario did not measure vhost-user-blk there */
	if (json_array_size(runs) != n)
		return perf_cmp_fail(err, -EINVAL,
				     "%s%zu run(s), %zu on %s's vhost-user-blk: cannot pair them",
				     prefix, n, json_array_size(runs), ref);
	snprintf(where, sizeof(where), "%son %s's vhost-user-blk", prefix, ref);
	ret = endpoint_runs_take(runs, &rr, where, err);
	if (ret)
		return ret;
	ret = perf_cmp_add_ratio_series(set, rs, rr, n, prefix, ref, err);
	free(rr);
	return ret;
}

/* One point: {"runs": {endpoint: [results]}, "ref": the vhost-user-blk
 * point's key, for another kind}: the subject's series, then each peer's,
 * then the ratio to vhost-user-blk. */
static int point_take(struct perf_cmp_set *set, const char *prefix, json_t *point, json_t *points,
		      json_t *endpoints, char *err)
{
	json_t *byep = json_object_get(point, "runs"), *runs;
	const char *subject = point_subject(endpoints, byep), *ep;
	const char *ref_key = json_string_value(json_object_get(point, "ref"));
	json_t *ref = ref_key ? json_object_get(points, ref_key) : NULL;
	json_t *subj = subject ? json_object_get(byep, subject) : NULL;
	size_t n = json_array_size(subj);
	struct run_values *rs = NULL, *rp;
	char where[PERF_CMP_ERR_LEN];
	int ret;

	if (!subj)
		return perf_cmp_fail(err, -EINVAL, "%sno run on an endpoint the scenario lists",
				     prefix);
	snprintf(where, sizeof(where), "%son %s", prefix, subject);
	ret = endpoint_runs_take(subj, &rs, where, err);
	ret = ret ?: perf_cmp_add_run_series(set, rs, n, prefix, "", err);
	json_object_foreach(byep, ep, runs) {
		if (ret || strcmp(ep, subject) == 0)
			continue;
		if (json_array_size(runs) != n) {
			ret = perf_cmp_fail(err, -EINVAL,
					    "%s%zu run(s) on %s, %zu on %s: cannot pair them",
					    prefix, n, subject, json_array_size(runs), ep);
			break;
		}
		snprintf(where, sizeof(where), "%son %s", prefix, ep);
		ret = endpoint_runs_take(runs, &rp, where, err);
		if (!ret)
			ret = perf_cmp_add_peer_series(set, rs, rp, n, prefix, ep, err);
		if (!ret)
			free(rp);
	}
	if (!ret && ref)
		ret = ref_take(set, prefix, rs, n, json_object_get(ref, "runs"), endpoints, err);
	free(rs);
	return ret;
}

/* The point a step belongs to, made on first sight: {"runs": {}, "ref"}. */
static json_t *point_of(json_t *points, json_t *step, size_t i, char *err)
{
	char work[600], kind[32], key[640];
	json_t *point;

	if (workload_key(json_object_get(step, "params"), work, sizeof(work))) {
		perf_cmp_fail(err, -EINVAL, "step %zu: no endpoint or workload params", i + 1);
		return NULL;
	}
	step_kind(step, kind, sizeof(kind));
	snprintf(key, sizeof(key), "%s%s%s", work, kind[0] ? " " : "", kind);
	point = json_object_get(points, key);
	if (point)
		return point;
	point =
	    kind[0] ? json_pack("{s:{}, s:s}", "runs", "ref", work) : json_pack("{s:{}}", "runs");
	if (!point || json_object_set_new(points, key, point)) {
		perf_cmp_fail(err, -ENOMEM, "out of memory");
		return NULL;
	}
	return point;
}

/* Groups the io perf steps by point, then by endpoint, in the order they ran. */
static int points_group(json_t *steps, json_t *points, char *err)
{
	json_t *step;
	size_t i;

	json_array_foreach(steps, i, step) {
		const char *op = json_string_value(json_object_get(step, "op"));
		const char *ep = json_string_value(json_object_get(step, "endpoint"));
		json_t *result = json_object_get(step, "result"), *point, *byep, *runs;

		if (!op || strcmp(op, "perf") != 0)
			continue;
		if (!json_is_true(json_object_get(step, "ok")) || !json_is_object(result))
			return perf_cmp_fail(err, -EINVAL,
					     "step %zu failed: its run has no figures", i + 1);
		if (!ep)
			return perf_cmp_fail(err, -EINVAL,
					     "step %zu: no endpoint or workload params", i + 1);
		point = point_of(points, step, i, err);
		if (!point)
			return -EINVAL;
		byep = json_object_get(point, "runs");
		runs = json_object_get(byep, ep);
		if (!runs && json_object_set_new(byep, ep, runs = json_array()))
			return -ENOMEM;
		if (json_array_append(runs, result))
			return -ENOMEM;
	}
	return 0;
}

/* The scenario's thresholds on the series it added (from first on). */
static void thresholds_take(struct perf_cmp_set *set, size_t first, json_t *thresholds)
{
	enum perf_cmp_metric m;
	const char *name;
	json_t *v;

	json_object_foreach(thresholds, name, v) {
		if (perf_cmp_metric_parse(name, &m))
			continue;
		for (size_t i = first; i < set->nseries && json_is_number(v); i++)
			if (set->series[i].metric == m)
				set->series[i].threshold_pct = json_number_value(v);
	}
}

static int scenario_take(struct perf_cmp_set *set, json_t *sc, char *err)
{
	const char *name = json_string_value(json_object_get(sc, "scenario"));
	json_t *steps = json_object_get(sc, "steps"), *points = json_object(), *point;
	json_t *endpoints = json_object_get(sc, "endpoints");
	size_t first = set->nseries;
	char prefix[160];
	const char *key;
	int ret;

	if (!points)
		return -ENOMEM;
	if (!name || json_array_size(endpoints) == 0 || !json_is_array(steps))
		ret = perf_cmp_fail(err, -EINVAL,
				    "scenario results without scenario, endpoints or steps");
	else
		ret = points_group(steps, points, err);
	json_object_foreach(points, key, point) {
		snprintf(prefix, sizeof(prefix), "%s %s ", name, key);
		ret = ret ?: point_take(set, prefix, point, points, endpoints, err);
	}
	if (!ret && set->nseries == first)
		ret = perf_cmp_fail(err, -EINVAL, "scenario %s: no io perf step", name);
	if (!ret)
		thresholds_take(set, first, json_object_get(sc, "thresholds"));
	json_decref(points);
	return ret;
}

int perf_cmp_scenarios_take(struct perf_cmp_set *set, json_t *root, char *err)
{
	json_t *list = json_object_get(root, "scenarios"), *sc;
	size_t i;
	int ret = 0;

	if (!list)
		return scenario_take(set, root, err);
	if (!json_is_array(list) || json_array_size(list) == 0)
		return perf_cmp_fail(err, -EINVAL,
				     "\"scenarios\" is not an array of scenario results");
	json_array_foreach(list, i, sc) {
		ret = scenario_take(set, sc, err);
		if (ret)
			break;
	}
	return ret;
}
