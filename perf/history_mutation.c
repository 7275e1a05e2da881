/* SPDX-License-Identifier: MIT */
/* The mutation runs of the history (perf/history.h): what ci/mutants measured
 * of the conformance suites' catch rate, night after night. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "perf/history_internal.h"

const char g_hist_mutation_schema[] =
    "CREATE TABLE mutation_runs (id INTEGER PRIMARY KEY, time TEXT NOT NULL,"
    " git_rev TEXT NOT NULL, machine TEXT NOT NULL, source TEXT NOT NULL, goal REAL NOT NULL);"
    "CREATE TABLE mutants (run_id INTEGER NOT NULL REFERENCES mutation_runs(id)"
    " ON DELETE CASCADE, name TEXT NOT NULL, area TEXT NOT NULL, verdict TEXT NOT NULL,"
    " caught_by TEXT NOT NULL);";

static bool verdict_known(const char *v)
{
	return v && (strcmp(v, "caught") == 0 || strcmp(v, "missed") == 0 ||
		     strcmp(v, "equivalent") == 0);
}

static int insert_mutants(struct perf_history *h, int64_t id, const struct perf_history_mutant *m,
			  size_t n, char *err)
{
	const char *sql = "INSERT INTO mutants (run_id, name, area, verdict, caught_by)"
			  " VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt *st;
	int ret = 0;

	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
		return hist_db_fail(h, err, "insert mutants");
	for (size_t i = 0; !ret && i < n; i++) {
		const char *texts[] = {m[i].name, m[i].area, m[i].verdict, m[i].caught_by};

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		for (int c = 0; c < 4; c++)
			sqlite3_bind_text(st, c + 2, texts[c] ? texts[c] : "", -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			ret = hist_db_fail(h, err, "insert mutants");
	}
	sqlite3_finalize(st);
	return ret;
}

struct mutation_args {
	const struct perf_history_meta *meta;
	double goal;
	const struct perf_history_mutant *mutants;
	size_t n;
	int64_t *id;
};

static int record_body(struct perf_history *h, void *arg, char *err)
{
	const struct mutation_args *a = arg;
	const char *cols[] = {a->meta->time, a->meta->git_rev, a->meta->machine, a->meta->source};

	return hist_insert(h,
			   "INSERT INTO mutation_runs (time, git_rev, machine, source, goal)"
			   " VALUES (?, ?, ?, ?, ?)",
			   cols, 4, &a->goal, a->id, err)
		   ?: insert_mutants(h, *a->id, a->mutants, a->n, err);
}

int perf_history_record_mutation(struct perf_history *h, const struct perf_history_meta *meta,
				 double goal, const struct perf_history_mutant *mutants, size_t n,
				 int64_t *id, char *err)
{
	struct mutation_args a = {meta, goal, mutants, n, id};

	if (n == 0)
		return hist_fail(err, -EINVAL, "%s: nothing to record: no mutant", h->path);
	for (size_t i = 0; i < n; i++) {
		if (!mutants[i].name || !verdict_known(mutants[i].verdict))
			return hist_fail(err, -EINVAL,
					 "%s: mutant %s: verdict '%s' is none of caught, missed, "
					 "equivalent",
					 h->path, mutants[i].name ?: "(no name)",
					 mutants[i].verdict ?: "");
	}
	return hist_transaction(h, record_body, &a, err);
}

static int mutation_row(sqlite3_stmt *st, void *elem)
{
	struct perf_history_mutation *r = elem;
	size_t counted;

	r->id = sqlite3_column_int64(st, 0);
	r->time = hist_column_dup(st, 1);
	r->git_rev = hist_column_dup(st, 2);
	r->machine = hist_column_dup(st, 3);
	r->source = hist_column_dup(st, 4);
	r->goal = sqlite3_column_double(st, 5);
	r->total = (size_t)sqlite3_column_int64(st, 6);
	r->equivalent = (size_t)sqlite3_column_int64(st, 7);
	r->caught = (size_t)sqlite3_column_int64(st, 8);
	r->missed = hist_column_dup(st, 9);
	counted = r->total - r->equivalent;
	r->score = counted ? 100.0 * (double)r->caught / (double)counted : 100.0;
	return r->time && r->git_rev && r->machine && r->source && r->missed ? 0 : -ENOMEM;
}

static void mutations_free(void *rows, size_t n)
{
	perf_history_mutations_free(rows, n);
}

int perf_history_mutations(struct perf_history *h, size_t last, struct perf_history_mutation **out,
			   size_t *n, char *err)
{
	/* The newest `last`, then put oldest first. */
	return hist_list(
	    h,
	    "SELECT * FROM (SELECT r.id, r.time, r.git_rev, r.machine, r.source, r.goal,"
	    " (SELECT count(*) FROM mutants WHERE run_id = r.id),"
	    " (SELECT count(*) FROM mutants WHERE run_id = r.id AND verdict ="
	    " 'equivalent'),"
	    " (SELECT count(*) FROM mutants WHERE run_id = r.id AND verdict = 'caught'),"
	    " (SELECT group_concat(name, ', ') FROM mutants WHERE run_id = r.id"
	    "  AND verdict = 'missed')"
	    " FROM mutation_runs r ORDER BY r.id DESC LIMIT ?) ORDER BY id",
	    last, sizeof(**out), mutation_row, mutations_free, (void **)out, n, err);
}

void perf_history_mutations_free(struct perf_history_mutation *runs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(runs[i].time);
		free(runs[i].git_rev);
		free(runs[i].machine);
		free(runs[i].source);
		free(runs[i].missed);
	}
	free(runs);
}
