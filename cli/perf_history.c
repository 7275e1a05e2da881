/* SPDX-License-Identifier: MIT */
/* storlab perf history: the SQLite history of perf runs (perf/history.h):
 * record a run set, list the runs, show one metric's trend; and the mutation
 * runs of ci/mutants (perf_history_mutants.c). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/perf_history.h"
#include "perf/compare.h"
#include "perf/history.h"

#define HISTORY_DEFAULT_DB "bench/nightly/history.db"
#define HISTORY_MAX_HINTS  20

enum {
	OPT_DB = 256,
	OPT_JSON,
	OPT_LAST,
	OPT_GIT_REV,
	OPT_MACHINE,
	OPT_SCENARIO,
	OPT_VERDICT,
	OPT_TIME,
};

static const struct option g_history_options[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"json", no_argument, NULL, OPT_JSON},
    {"last", required_argument, NULL, OPT_LAST},
    {"git-rev", required_argument, NULL, OPT_GIT_REV},
    {"machine", required_argument, NULL, OPT_MACHINE},
    {"scenario", required_argument, NULL, OPT_SCENARIO},
    {"verdict", required_argument, NULL, OPT_VERDICT},
    {"time", required_argument, NULL, OPT_TIME},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct history_args {
	const char *db;
	bool json;
	uint64_t last;
	struct perf_history_meta meta;
};

static void history_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: storlab perf history [--db FILE] list [--last N] [--json]\n"
	    "       storlab perf history [--db FILE] show METRIC [--last N] [--json]\n"
	    "       storlab perf history [--db FILE] record RUNSET.json [--git-rev REV]\n"
	    "                            [--machine NAME] [--scenario NAME] [--verdict TEXT]\n"
	    "                            [--time ISO8601]\n"
	    "       storlab perf history [--db FILE] mutants [--last N] [--json]\n"
	    "       storlab perf history [--db FILE] record-mutants RESULTS.json [--git-rev REV]\n"
	    "                            [--machine NAME] [--time ISO8601]\n\n"
	    "The history of perf runs in one SQLite file (default %s).\n"
	    "  list    the runs, oldest first: time, revision, machine, scenario, verdict\n"
	    "  show    one metric (a label of `storlab perf compare`, e.g. \"perf-qd-sweep\n"
	    "          randread 4k qd32 q1 read iops\"): its median per run, a sparkline,\n"
	    "          the change from run to run\n"
	    "  record  adds a run set (any file `storlab perf compare` reads) as one run\n"
	    "  mutants         the mutation runs: mutants caught, the score, the missed ones\n"
	    "  record-mutants  adds the results of ci/mutants as one mutation run\n"
	    "  --last N  only the newest N runs\n\n"
	    "Exit 0: done; 2: bad arguments, no such history or metric, or it could not run.\n",
	    HISTORY_DEFAULT_DB);
}

static int history_error(const char *err)
{
	fprintf(stderr, "storlab perf history: %s\n", err);
	return CLI_EXIT_USAGE;
}

/* ---- list ---- */

static int list_print(const struct history_args *a, const struct perf_history_run *runs, size_t n)
{
	json_t *arr;

	if (a->json) {
		arr = json_array();
		for (size_t i = 0; arr && i < n; i++) {
			const struct perf_history_run *r = &runs[i];

			json_array_append_new(
			    arr,
			    json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "id",
				      (json_int_t)r->id, "time", r->time, "git_rev", r->git_rev,
				      "machine", r->machine, "scenario", r->scenario, "verdict",
				      r->verdict, "source", r->source, "metrics",
				      (json_int_t)r->nseries, "repeats", (json_int_t)r->nrepeats));
		}
		return cli_print_json("perf history",
				      json_pack("{s:s, s:o?}", "db", a->db, "runs", arr));
	}
	printf("%s: %zu run(s)\n", a->db, n);
	if (n)
		printf("%5s  %-20s  %-12s  %-16s  %-32s %7s %7s  %s\n", "id", "time", "git rev",
		       "machine", "scenario", "metrics", "repeats", "verdict");
	for (size_t i = 0; i < n; i++) {
		const struct perf_history_run *r = &runs[i];

		printf("%5" PRId64 "  %-20s  %-12.12s  %-16.16s  %-32.32s %7zu %7zu  %s\n", r->id,
		       r->time, r->git_rev, r->machine, r->scenario, r->nseries, r->nrepeats,
		       r->verdict);
	}
	return CLI_EXIT_OK;
}

static int history_list(struct perf_history *h, const struct history_args *a)
{
	struct perf_history_run *runs;
	char err[PERF_HISTORY_ERR_LEN];
	size_t n;
	int ret = perf_history_list(h, a->last, &runs, &n, err);

	if (ret)
		return history_error(err);
	ret = list_print(a, runs, n);
	perf_history_runs_free(runs, n);
	return ret;
}

/* ---- show ---- */

/* One of eight heights for v in [lo, hi]: the terminal's trend line. */
static const char *spark(double v, double lo, double hi)
{
	static const char *const bars[] = {"\u2581", "\u2582", "\u2583", "\u2584",
					   "\u2585", "\u2586", "\u2587", "\u2588"};
	int i = hi > lo ? (int)((v - lo) / (hi - lo) * 7 + 0.5) : 3;

	return bars[i < 0 ? 0 : i > 7 ? 7 : i];
}

static const char *num(char *buf, size_t len, double v)
{
	perf_cmp_format_value(buf, len, v);
	return buf;
}

static void show_table(const char *label, const struct perf_history_point *p, size_t n)
{
	double lo = p[0].s.median, hi = p[0].s.median;
	char b1[32], b2[32], b3[32];

	for (size_t i = 1; i < n; i++) {
		lo = p[i].s.median < lo ? p[i].s.median : lo;
		hi = p[i].s.median > hi ? p[i].s.median : hi;
	}
	printf("%s (%s is better), %zu run(s)\ntrend: ", label,
	       perf_cmp_higher_is_better(p[0].metric) ? "higher" : "lower", n);
	for (size_t i = 0; i < n; i++)
		fputs(spark(p[i].s.median, lo, hi), stdout);
	printf("  (lowest %s, highest %s)\n\n", num(b1, sizeof(b1), lo), num(b2, sizeof(b2), hi));
	printf("%5s  %-20s  %-12s  %14s  %14s  %14s  %7s  %8s\n", "run", "time", "git rev",
	       "median", "min", "max", "repeats", "change");
	for (size_t i = 0; i < n; i++) {
		char change[16] = "";

		if (i && p[i - 1].s.median != 0)
			snprintf(change, sizeof(change), "%+.2f%%",
				 100 * (p[i].s.median - p[i - 1].s.median) / p[i - 1].s.median);
		printf("%5" PRId64 "  %-20s  %-12.12s  %14s  %14s  %14s  %7zu  %8s  %s\n",
		       p[i].run_id, p[i].time, p[i].git_rev, num(b1, sizeof(b1), p[i].s.median),
		       num(b2, sizeof(b2), p[i].s.min), num(b3, sizeof(b3), p[i].s.max), p[i].s.n,
		       change, spark(p[i].s.median, lo, hi));
	}
}

static int show_json(const char *label, const struct perf_history_point *p, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < n; i++)
		json_array_append_new(
		    arr, json_pack("{s:I, s:s, s:s, s:f, s:f, s:f, s:f, s:I}", "run_id",
				   (json_int_t)p[i].run_id, "time", p[i].time, "git_rev",
				   p[i].git_rev, "median", p[i].s.median, "mad", p[i].s.mad, "min",
				   p[i].s.min, "max", p[i].s.max, "repeats", (json_int_t)p[i].s.n));
	return cli_print_json("perf history",
			      json_pack("{s:s, s:s, s:s, s:o?}", "metric", label, "kind",
					perf_cmp_metric_name(p[0].metric), "better",
					perf_cmp_higher_is_better(p[0].metric) ? "higher" : "lower",
					"runs", arr));
}

/* An unknown metric: say which recorded ones contain what was asked. */
static void show_hints(struct perf_history *h, const char *label)
{
	char err[PERF_HISTORY_ERR_LEN], **labels;
	size_t n;

	if (perf_history_labels(h, label, &labels, &n, err))
		return;
	if (n)
		fprintf(stderr, "metrics containing '%s':\n", label);
	for (size_t i = 0; i < n && i < HISTORY_MAX_HINTS; i++)
		fprintf(stderr, "  %s\n", labels[i]);
	if (n > HISTORY_MAX_HINTS)
		fprintf(stderr, "  ... and %zu more\n", n - HISTORY_MAX_HINTS);
	perf_history_labels_free(labels, n);
}

static int history_show(struct perf_history *h, const struct history_args *a, const char *label)
{
	struct perf_history_point *pts;
	char err[PERF_HISTORY_ERR_LEN];
	size_t n;
	int ret = perf_history_series(h, label, a->last, &pts, &n, err);

	if (ret) {
		history_error(err);
		if (ret == -ENOENT)
			show_hints(h, label);
		return CLI_EXIT_USAGE;
	}
	if (a->json) {
		ret = show_json(label, pts, n);
	} else {
		show_table(label, pts, n);
		ret = CLI_EXIT_OK;
	}
	perf_history_points_free(pts, n);
	return ret;
}

/* ---- record ---- */

/* The scenario(s) a results file names: "a" or "a,b"; "" for other layouts. */
static void scenario_names(json_t *root, char *buf, size_t len)
{
	json_t *list = json_object_get(root, "scenarios"), *sc;
	size_t i, off = 0;

	buf[0] = '\0';
	if (!list) {
		snprintf(buf, len, "%s",
			 json_string_value(json_object_get(root, "scenario")) ?: "");
		return;
	}
	json_array_foreach(list, i, sc) {
		const char *name = json_string_value(json_object_get(sc, "scenario"));

		if (name && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "", name);
	}
}

static int history_record(struct perf_history *h, struct history_args *a, const char *path)
{
	char err[PERF_CMP_ERR_LEN > PERF_HISTORY_ERR_LEN ? PERF_CMP_ERR_LEN : PERF_HISTORY_ERR_LEN];
	char host[256] = "", names[512];
	struct perf_cmp_set set;
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	int64_t id;
	int ret;

	if (!root) {
		snprintf(err, sizeof(err), "%s:%d: %s", path, jerr.line, jerr.text);
		return history_error(err);
	}
	ret = perf_cmp_set_from_json(&set, root, path, err);
	if (!ret) {
		scenario_names(root, names, sizeof(names));
		if (!a->meta.scenario)
			a->meta.scenario = names;
		if (!a->meta.machine && gethostname(host, sizeof(host) - 1) == 0)
			a->meta.machine = host;
		a->meta.source = path;
		ret = perf_history_record(h, &a->meta, &set, &id, err);
	}
	json_decref(root);
	if (ret) {
		perf_cmp_set_free(&set);
		return history_error(err);
	}
	if (a->json)
		ret = cli_print_json("perf history",
				     json_pack("{s:s, s:I, s:I, s:I}", "db", a->db, "id",
					       (json_int_t)id, "metrics", (json_int_t)set.nseries,
					       "repeats", (json_int_t)set.nruns));
	else
		printf("%s: recorded run %" PRId64 " (%zu metrics x %zu repeats from %s)\n", a->db,
		       id, set.nseries, set.nruns, path);
	perf_cmp_set_free(&set);
	return ret;
}

int cli_perf_history(int argc, char **argv)
{
	struct history_args a = {.db = HISTORY_DEFAULT_DB};
	char err[PERF_HISTORY_ERR_LEN];
	struct perf_history *h;
	const char *cmd;
	int opt, ret, nargs;
	bool record;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", g_history_options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			history_usage(stdout);
			return CLI_EXIT_OK;
		case OPT_DB:
			a.db = optarg;
			break;
		case OPT_JSON:
			a.json = true;
			break;
		case OPT_LAST:
			if (util_parse_uint(optarg, 1, 1000000, &a.last))
				return cli_usage_error("perf history", "bad --last '%s'", optarg);
			break;
		case OPT_GIT_REV:
			a.meta.git_rev = optarg;
			break;
		case OPT_MACHINE:
			a.meta.machine = optarg;
			break;
		case OPT_SCENARIO:
			a.meta.scenario = optarg;
			break;
		case OPT_VERDICT:
			a.meta.verdict = optarg;
			break;
		case OPT_TIME:
			a.meta.time = optarg;
			break;
		default:
			return cli_usage_error("perf history", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	cmd = optind < argc ? argv[optind] : "list";
	nargs = argc - optind - (optind < argc);
	record = strcmp(cmd, "record") == 0 || strcmp(cmd, "record-mutants") == 0;
	if (strcmp(cmd, "list") == 0 || strcmp(cmd, "mutants") == 0 ? nargs != 0
	    : strcmp(cmd, "show") == 0 || record		    ? nargs != 1
								    : true)
		return cli_usage_error("perf history",
				       "expected list, show METRIC, record RUNSET.json, mutants or "
				       "record-mutants RESULTS.json");
	ret = perf_history_open(a.db, record, &h, err);
	if (ret)
		return history_error(err);
	if (strcmp(cmd, "list") == 0)
		ret = history_list(h, &a);
	else if (strcmp(cmd, "show") == 0)
		ret = history_show(h, &a, argv[optind + 1]);
	else if (strcmp(cmd, "mutants") == 0)
		ret = history_mutants_list(h, a.db, a.last, a.json);
	else if (strcmp(cmd, "record-mutants") == 0)
		ret = history_mutants_record(h, a.db, &a.meta, a.json, argv[optind + 1]);
	else
		ret = history_record(h, &a, argv[optind + 1]);
	perf_history_close(h);
	return ret;
}
