/* SPDX-License-Identifier: MIT */
/* storlab perf history mutants / record-mutants: the conformance suites'
 * measured catch rate (ci/mutants) in the history, run after run. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/perf_history.h"

/* The cases that caught one mutant, as text. */
#define CAUGHT_LEN 4096

static int mutants_error(const char *err)
{
	fprintf(stderr, "storlab perf history: %s\n", err);
	return CLI_EXIT_USAGE;
}

static json_t *run_json(const struct perf_history_mutation *r)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:f, s:f, s:s}", "id",
			 (json_int_t)r->id, "time", r->time, "git_rev", r->git_rev, "machine",
			 r->machine, "source", r->source, "total", (json_int_t)r->total,
			 "equivalent", (json_int_t)r->equivalent, "caught", (json_int_t)r->caught,
			 "missed", (json_int_t)(r->total - r->equivalent - r->caught), "score",
			 r->score, "goal", r->goal, "missed_mutants", r->missed);
}

int history_mutants_list(struct perf_history *h, const char *db, size_t last, bool json)
{
	struct perf_history_mutation *runs;
	char err[PERF_HISTORY_ERR_LEN];
	json_t *arr;
	size_t n;
	int ret = perf_history_mutations(h, last, &runs, &n, err);

	if (ret)
		return mutants_error(err);
	if (json) {
		arr = json_array();
		for (size_t i = 0; arr && i < n; i++)
			json_array_append_new(arr, run_json(&runs[i]));
		perf_history_mutations_free(runs, n);
		return cli_print_json("perf history",
				      json_pack("{s:s, s:o?}", "db", db, "runs", arr));
	}
	printf("%s: %zu mutation run(s)\n", db, n);
	if (n)
		printf("%5s  %-20s  %-12s  %-16s  %7s  %6s  %6s  %s\n", "run", "time", "git rev",
		       "machine", "caught", "equiv", "score", "missed");
	for (size_t i = 0; i < n; i++) {
		const struct perf_history_mutation *r = &runs[i];
		char caught[32];

		snprintf(caught, sizeof(caught), "%zu/%zu", r->caught, r->total - r->equivalent);
		printf("%5" PRId64 "  %-20s  %-12.12s  %-16.16s  %7s  %6zu  %5.1f%%%s  %s\n", r->id,
		       r->time, r->git_rev, r->machine, caught, r->equivalent, r->score,
		       r->score >= r->goal ? " " : "!", r->missed);
	}
	if (n)
		printf("(! below the goal of that run)\n");
	perf_history_mutations_free(runs, n);
	return CLI_EXIT_OK;
}

/* "BLK-RW-021 (ro), VHOST-RING-013 (rw,4k)" from ci/mutants' caught_by list. */
static void caught_text(json_t *by, char *buf, size_t len)
{
	size_t i, off = 0;
	json_t *c;

	buf[0] = '\0';
	json_array_foreach(by, i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		const char *cfg = json_string_value(json_object_get(c, "config"));

		if (id && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s (%s)", off ? ", " : "",
						id, cfg ?: "?");
	}
}

int history_mutants_record(struct perf_history *h, const char *db, struct perf_history_meta *meta,
			   bool json, const char *path)
{
	char err[PERF_HISTORY_ERR_LEN], host[256] = "";
	struct perf_history_mutant *m;
	char *by;
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr), *list, *mj;
	size_t n = 0, i;
	int64_t id;
	int ret;

	if (!root) {
		snprintf(err, sizeof(err), "%s:%d: %s", path, jerr.line, jerr.text);
		return mutants_error(err);
	}
	list = json_object_get(root, "mutants");
	if (!json_is_array(list) ||
	    !json_is_number(json_object_get(json_object_get(root, "summary"), "goal"))) {
		json_decref(root);
		snprintf(err, sizeof(err),
			 "%s: not a ci/mutants results file (no mutants, no goal)", path);
		return mutants_error(err);
	}
	n = json_array_size(list);
	m = calloc(n ? n : 1, sizeof(*m));
	by = calloc(n ? n : 1, CAUGHT_LEN);
	if (!m || !by) {
		free(m);
		free(by);
		json_decref(root);
		return mutants_error("out of memory");
	}
	n = 0;
	json_array_foreach(list, i, mj) {
		const char *verdict = json_string_value(json_object_get(mj, "verdict"));

		/* A mutant that no longer applied or built was not measured. */
		if (verdict && strcmp(verdict, "broken") == 0)
			continue;
		caught_text(json_object_get(mj, "caught_by"), by + n * CAUGHT_LEN, CAUGHT_LEN);
		m[n] = (struct perf_history_mutant){
		    .name = json_string_value(json_object_get(mj, "name")),
		    .area = json_string_value(json_object_get(mj, "area")),
		    .verdict = verdict,
		    .caught_by = by + n * CAUGHT_LEN,
		};
		n++;
	}
	meta->time = meta->time ?: json_string_value(json_object_get(root, "time"));
	meta->git_rev = meta->git_rev ?: json_string_value(json_object_get(root, "git_rev"));
	if (!meta->machine && gethostname(host, sizeof(host) - 1) == 0)
		meta->machine = host;
	meta->source = path;
	ret = perf_history_record_mutation(
	    h, meta, json_number_value(json_object_get(json_object_get(root, "summary"), "goal")),
	    m, n, &id, err);
	free(m);
	free(by);
	json_decref(root);
	if (ret)
		return mutants_error(err);
	if (json)
		return cli_print_json("perf history",
				      json_pack("{s:s, s:I, s:I}", "db", db, "id", (json_int_t)id,
						"mutants", (json_int_t)n));
	printf("%s: recorded mutation run %" PRId64 " (%zu mutants from %s)\n", db, id, n, path);
	return CLI_EXIT_OK;
}
