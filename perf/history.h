/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_PERF_HISTORY_H
#define STORLAB_PERF_HISTORY_H

/*
 * The history of perf runs (`storlab perf history`, ci/nightly): one SQLite
 * file. A run is one run set (perf/compare.h: series of a labelled metric and
 * its value in each repeat) with when, which revision, which machine, which
 * scenario and its verdict; every value is a row, so a metric's trend is a
 * query and the medians are computed here, with the same statistics as
 * `storlab perf compare`.
 *
 * It also keeps the mutation runs of ci/mutants (tests/mutants/README.md):
 * when, which revision, the goal, and each mutant's verdict, so that the
 * suites' measured catch rate has a trend too.
 *
 * Schema (version PERF_HISTORY_SCHEMA, kept in SQLite's user_version):
 *   runs(id, time, git_rev, machine, scenario, verdict, source)
 *   vals(run_id -> runs.id, label, kind, idx, value)  -- idx: the repeat
 *   mutation_runs(id, time, git_rev, machine, source, goal)      -- since 2
 *   mutants(run_id -> mutation_runs.id, name, area, verdict, caught_by)
 * An older file is brought up to this version when opened (its rows stay); a
 * file with a newer version is refused (-EPROTO): an older storlab must not
 * write rows a newer one would misread. This module is the only writer.
 *
 * Not thread-safe: one handle per thread. Errors: a negative errno and a
 * sentence in err (PERF_HISTORY_ERR_LEN bytes) naming the file.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perf/compare.h"
#include "perf/stats.h"

#define PERF_HISTORY_SCHEMA  2
#define PERF_HISTORY_ERR_LEN 256

struct perf_history;

/* What a recorded run says about itself; NULL fields are stored empty. */
struct perf_history_meta {
	const char *time; /* ISO 8601 UTC, "2026-11-23T18:00:00Z"; NULL: now */
	const char *git_rev;
	const char *machine;
	const char *scenario;
	const char *verdict; /* "ok", "regressed", "no baseline", ... */
	const char *source;  /* the run set file */
};

struct perf_history_run {
	int64_t id;
	char *time, *git_rev, *machine, *scenario, *verdict, *source;
	size_t nseries;	 /* labelled metrics */
	size_t nrepeats; /* values per metric */
};

/* One run's values of one metric. */
struct perf_history_point {
	int64_t run_id;
	char *time, *git_rev;
	enum perf_cmp_metric metric; /* the kind of the metric */
	struct stats_summary s;
};

/*
 * Opens path; create: makes the file and the schema if missing. 0, -ENOENT
 * (missing, !create), -EPROTO (newer schema), -EINVAL (not a history file),
 * -EIO (SQLite said no; err says what).
 */
int perf_history_open(const char *path, bool create, struct perf_history **h, char *err);
void perf_history_close(struct perf_history *h);

/* Every series of set as one run, in one transaction. *id: the new run's. */
int perf_history_record(struct perf_history *h, const struct perf_history_meta *meta,
			const struct perf_cmp_set *set, int64_t *id, char *err);

/* The last `last` runs (0: all), oldest first. Free with perf_history_runs_free. */
int perf_history_list(struct perf_history *h, size_t last, struct perf_history_run **runs,
		      size_t *n, char *err);
void perf_history_runs_free(struct perf_history_run *runs, size_t n);

/* label's values in each of the last `last` runs that have it (0: all), oldest
 * first, summarized per run. -ENOENT when no run has it. */
int perf_history_series(struct perf_history *h, const char *label, size_t last,
			struct perf_history_point **pts, size_t *n, char *err);
void perf_history_points_free(struct perf_history_point *pts, size_t n);

/* One mutant of a mutation run, as ci/mutants reported it. */
struct perf_history_mutant {
	const char *name;
	const char *area;
	const char *verdict;   /* "caught", "missed" or "equivalent" */
	const char *caught_by; /* the cases, "BLK-RW-021 (ro), ..."; "" when not caught */
};

/* A mutation run as read back, with its score computed. */
struct perf_history_mutation {
	int64_t id;
	char *time, *git_rev, *machine, *source;
	double goal;	   /* percent */
	size_t total;	   /* mutants */
	size_t equivalent; /* of them, equivalent: not counted */
	size_t caught;	   /* of the others */
	double score;	   /* 100 * caught / (total - equivalent); 100 when none counts */
	char *missed;	   /* the names of the missed ones, ", "-separated */
};

/* One mutation run (meta: time, git_rev, machine, source; the others are not
 * stored), in one transaction. -EINVAL for no mutant or an unknown verdict. */
int perf_history_record_mutation(struct perf_history *h, const struct perf_history_meta *meta,
				 double goal, const struct perf_history_mutant *mutants, size_t n,
				 int64_t *id, char *err);
/* The last `last` mutation runs (0: all), oldest first. */
int perf_history_mutations(struct perf_history *h, size_t last, struct perf_history_mutation **runs,
			   size_t *n, char *err);
void perf_history_mutations_free(struct perf_history_mutation *runs, size_t n);

/* The labels recorded that contain `part` (NULL: all), sorted. */
int perf_history_labels(struct perf_history *h, const char *part, char ***labels, size_t *n,
			char *err);
void perf_history_labels_free(char **labels, size_t n);

#endif
