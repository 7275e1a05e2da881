/* SPDX-License-Identifier: MIT */
/* The SQLite history of perf runs (perf/history.h). */
#include "perf/history_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char g_schema[] =
    "CREATE TABLE runs (id INTEGER PRIMARY KEY, time TEXT NOT NULL, git_rev TEXT NOT NULL,"
    " machine TEXT NOT NULL, scenario TEXT NOT NULL, verdict TEXT NOT NULL,"
    " source TEXT NOT NULL);"
    "CREATE TABLE vals (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " label TEXT NOT NULL, kind TEXT NOT NULL, idx INTEGER NOT NULL, value REAL NOT NULL);"
    "CREATE INDEX vals_label ON vals (label, run_id);";

int hist_fail(char *err, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, PERF_HISTORY_ERR_LEN, fmt, ap);
	va_end(ap);
	return ret;
}

int hist_db_fail(struct perf_history *h, char *err, const char *what)
{
	return hist_fail(err, -EIO, "%s: %s: %s", h->path, what, sqlite3_errmsg(h->db));
}

int hist_exec(struct perf_history *h, const char *sql, char *err)
{
	return sqlite3_exec(h->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0
								       : hist_db_fail(h, err, sql);
}

/* The first column of a one-row query as an integer. */
static int query_int(struct perf_history *h, const char *sql, int64_t *out, char *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
		return hist_db_fail(h, err, sql);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : hist_db_fail(h, err, sql);
}

/* A new file gets the schema, an older one what it lacks; an existing one
 * must be ours, not newer. */
static int schema_check(struct perf_history *h, char *err)
{
	int64_t version, tables;
	int ret = query_int(h, "PRAGMA user_version", &version, err);

	ret = ret ?: query_int(h, "SELECT count(*) FROM sqlite_master", &tables, err);
	if (ret)
		return ret;
	if (version > PERF_HISTORY_SCHEMA)
		return hist_fail(err, -EPROTO,
				 "%s: history schema %lld was written by a newer storlab (this one "
				 "knows %d)",
				 h->path, (long long)version, PERF_HISTORY_SCHEMA);
	if (version == PERF_HISTORY_SCHEMA)
		return 0;
	if (version == 0 && tables)
		return hist_fail(err, -EINVAL, "%s: an SQLite file, but not a perf history",
				 h->path);
	/* An older history gets what later versions added; its rows stay. */
	ret = hist_exec(h, "BEGIN", err);
	if (!ret && version < 1)
		ret = hist_exec(h, g_schema, err);
	if (!ret && version < 2)
		ret = hist_exec(h, g_hist_mutation_schema, err);
	ret = ret ?: hist_exec(h, "PRAGMA user_version = " HIST_STR(PERF_HISTORY_SCHEMA), err);
	if (ret) {
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		return ret;
	}
	return hist_exec(h, "COMMIT", err);
}

int perf_history_open(const char *path, bool create, struct perf_history **out, char *err)
{
	struct perf_history *h;
	struct stat st;
	int ret;

	*out = NULL;
	if (!create && stat(path, &st) != 0)
		return hist_fail(err, -errno, "%s: %s", path, strerror(errno));
	h = calloc(1, sizeof(*h));
	if (!h || !(h->path = strdup(path))) {
		free(h);
		return hist_fail(err, -ENOMEM, "%s: out of memory", path);
	}
	if (sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0),
			    NULL) != SQLITE_OK) {
		ret = hist_db_fail(h, err, "open");
		perf_history_close(h);
		return ret;
	}
	sqlite3_busy_timeout(h->db, 10000);
	ret = hist_exec(h, "PRAGMA foreign_keys = ON", err);
	ret = ret ?: schema_check(h, err);
	if (ret) {
		perf_history_close(h);
		return ret;
	}
	*out = h;
	return 0;
}

void perf_history_close(struct perf_history *h)
{
	if (!h)
		return;
	sqlite3_close(h->db);
	free(h->path);
	free(h);
}

int hist_insert(struct perf_history *h, const char *sql, const char *const *cols, int ncols,
		const double *real, int64_t *id, char *err)
{
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	sqlite3_stmt *st;
	int rc;

	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
		return hist_db_fail(h, err, sql);
	for (int i = 0; i < ncols; i++)
		sqlite3_bind_text(st, i + 1,
				  cols[i]  ? cols[i]
				  : i == 0 ? now
					   : "",
				  -1, SQLITE_TRANSIENT);
	if (real)
		sqlite3_bind_double(st, ncols + 1, *real);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return hist_db_fail(h, err, sql);
	*id = sqlite3_last_insert_rowid(h->db);
	return 0;
}

static int insert_run(struct perf_history *h, const struct perf_history_meta *m, int64_t *id,
		      char *err)
{
	const char *cols[] = {m->time, m->git_rev, m->machine, m->scenario, m->verdict, m->source};

	return hist_insert(h,
			   "INSERT INTO runs (time, git_rev, machine, scenario, verdict, source)"
			   " VALUES (?, ?, ?, ?, ?, ?)",
			   cols, 6, NULL, id, err);
}

static int insert_values(struct perf_history *h, int64_t id, const struct perf_cmp_set *set,
			 char *err)
{
	const char *sql =
	    "INSERT INTO vals (run_id, label, kind, idx, value) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt *st;
	int ret = 0;

	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
		return hist_db_fail(h, err, "insert values");
	for (size_t i = 0; !ret && i < set->nseries; i++) {
		const struct perf_cmp_series *s = &set->series[i];

		for (size_t j = 0; !ret && j < s->n; j++) {
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_text(st, 2, s->label, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, perf_cmp_metric_name(s->metric), -1,
					  SQLITE_STATIC);
			sqlite3_bind_int64(st, 4, (sqlite3_int64)j);
			sqlite3_bind_double(st, 5, s->v[j]);
			if (sqlite3_step(st) != SQLITE_DONE)
				ret = hist_db_fail(h, err, "insert values");
		}
	}
	sqlite3_finalize(st);
	return ret;
}

int hist_transaction(struct perf_history *h,
		     int (*body)(struct perf_history *h, void *arg, char *err), void *arg,
		     char *err)
{
	int ret = hist_exec(h, "BEGIN IMMEDIATE", err);

	if (ret)
		return ret;
	ret = body(h, arg, err);
	if (ret) {
		sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
		return ret;
	}
	return hist_exec(h, "COMMIT", err);
}

struct record_args {
	const struct perf_history_meta *meta;
	const struct perf_cmp_set *set;
	int64_t *id;
};

static int record_body(struct perf_history *h, void *arg, char *err)
{
	struct record_args *a = arg;

	return insert_run(h, a->meta, a->id, err) ?: insert_values(h, *a->id, a->set, err);
}

int perf_history_record(struct perf_history *h, const struct perf_history_meta *meta,
			const struct perf_cmp_set *set, int64_t *id, char *err)
{
	struct record_args a = {meta, set, id};

	if (set->nseries == 0)
		return hist_fail(err, -EINVAL, "%s: nothing to record: no metric in the run set",
				 h->path);
	/* One transaction: a run is in the history whole or not at all. */
	return hist_transaction(h, record_body, &a, err);
}

char *hist_column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return strdup(t ? (const char *)t : "");
}

int hist_grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	void *g;

	if (n < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 16;
	g = realloc(*arr, *cap * elem);
	if (!g)
		return -ENOMEM;
	*arr = g;
	return 0;
}

int hist_list(struct perf_history *h, const char *sql, size_t last, size_t elem,
	      int (*row)(sqlite3_stmt *st, void *elem), void (*free_rows)(void *rows, size_t n),
	      void **out, size_t *n, char *err)
{
	size_t cap = 0, cnt = 0;
	sqlite3_stmt *st;
	void *rows = NULL;
	int rc = SQLITE_DONE, ret = 0;

	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
		return hist_db_fail(h, err, sql);
	sqlite3_bind_int64(st, 1, last ? (sqlite3_int64)last : -1);
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = hist_grow(&rows, &cap, cnt, elem);
		if (ret)
			break;
		memset((char *)rows + cnt * elem, 0, elem);
		ret = row(st, (char *)rows + cnt++ * elem);
	}
	if (!ret && rc != SQLITE_DONE)
		ret = hist_db_fail(h, err, sql);
	sqlite3_finalize(st);
	if (ret) {
		free_rows(rows, cnt);
		return ret == -ENOMEM ? hist_fail(err, ret, "out of memory") : ret;
	}
	*out = rows;
	*n = cnt;
	return 0;
}

static int run_row(sqlite3_stmt *st, void *elem)
{
	struct perf_history_run *r = elem;

	r->id = sqlite3_column_int64(st, 0);
	r->time = hist_column_dup(st, 1);
	r->git_rev = hist_column_dup(st, 2);
	r->machine = hist_column_dup(st, 3);
	r->scenario = hist_column_dup(st, 4);
	r->verdict = hist_column_dup(st, 5);
	r->source = hist_column_dup(st, 6);
	r->nseries = (size_t)sqlite3_column_int64(st, 7);
	r->nrepeats = (size_t)sqlite3_column_int64(st, 8);
	return r->time && r->git_rev && r->machine && r->scenario && r->verdict && r->source
		   ? 0
		   : -ENOMEM;
}

static void runs_free(void *rows, size_t n)
{
	perf_history_runs_free(rows, n);
}

int perf_history_list(struct perf_history *h, size_t last, struct perf_history_run **out, size_t *n,
		      char *err)
{
	/* The newest `last`, then put oldest first. */
	return hist_list(h,
			 "SELECT * FROM (SELECT r.id, r.time, r.git_rev, r.machine, r.scenario,"
			 " r.verdict, r.source,"
			 " (SELECT count(DISTINCT label) FROM vals WHERE run_id = r.id),"
			 " (SELECT max(idx) + 1 FROM vals WHERE run_id = r.id)"
			 " FROM runs r ORDER BY r.id DESC LIMIT ?) ORDER BY id",
			 last, sizeof(**out), run_row, runs_free, (void **)out, n, err);
}

void perf_history_runs_free(struct perf_history_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(runs[i].time);
		free(runs[i].git_rev);
		free(runs[i].machine);
		free(runs[i].scenario);
		free(runs[i].verdict);
		free(runs[i].source);
	}
	free(runs);
}

/* A point's summary, once its run's values are all read. */
static int point_close(struct perf_history_point *p, double *v, size_t nv)
{
	return nv ? stats_summarize(v, nv, &p->s) : 0;
}

int perf_history_series(struct perf_history *h, const char *label, size_t last,
			struct perf_history_point **out, size_t *n, char *err)
{
	const char *sql =
	    "SELECT v.run_id, r.time, r.git_rev, v.value, v.kind FROM vals v JOIN runs r ON r.id ="
	    " v.run_id"
	    " WHERE v.label = ?1 AND v.run_id IN (SELECT DISTINCT run_id FROM vals WHERE label ="
	    " ?1 ORDER BY run_id DESC LIMIT ?2) ORDER BY v.run_id, v.idx";
	struct perf_history_point *pts = NULL, *p = NULL;
	size_t cap = 0, cnt = 0, vcap = 0, nv = 0;
	double *v = NULL;
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, ret = 0;

	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
		return hist_db_fail(h, err, "read a series");
	sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, last ? (sqlite3_int64)last : -1);
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		if (!p || p->run_id != id) {
			ret = p ? point_close(p, v, nv) : 0;
			ret = ret ?: hist_grow((void **)&pts, &cap, cnt, sizeof(*pts));
			if (ret)
				break;
			p = &pts[cnt++];
			memset(p, 0, sizeof(*p));
			p->run_id = id;
			p->time = hist_column_dup(st, 1);
			p->git_rev = hist_column_dup(st, 2);
			if (perf_cmp_metric_parse((const char *)sqlite3_column_text(st, 4),
						  &p->metric))
				p->metric = PERF_CMP_IOPS; /* a kind this storlab does not know */
			nv = 0;
			if (!p->time || !p->git_rev)
				ret = -ENOMEM;
		}
		ret = ret ?: hist_grow((void **)&v, &vcap, nv, sizeof(*v));
		if (!ret)
			v[nv++] = sqlite3_column_double(st, 3);
	}
	if (!ret && rc != SQLITE_DONE)
		ret = hist_db_fail(h, err, "read a series");
	if (!ret && p)
		ret = point_close(p, v, nv);
	sqlite3_finalize(st);
	free(v);
	if (!ret && cnt == 0)
		ret = hist_fail(err, -ENOENT, "%s: no run has %s", h->path, label);
	if (ret) {
		perf_history_points_free(pts, cnt);
		return ret == -ENOMEM ? hist_fail(err, ret, "out of memory") : ret;
	}
	*out = pts;
	*n = cnt;
	return 0;
}

void perf_history_points_free(struct perf_history_point *pts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(pts[i].time);
		free(pts[i].git_rev);
	}
	free(pts);
}

int perf_history_labels(struct perf_history *h, const char *part, char ***out, size_t *n, char *err)
{
	const char *sql =
	    "SELECT DISTINCT label FROM vals WHERE instr(label, ?) > 0 ORDER BY label";
	size_t cap = 0, cnt = 0;
	char **labels = NULL;
	sqlite3_stmt *st;
	int rc = SQLITE_DONE, ret = 0;

	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
		return hist_db_fail(h, err, "list metrics");
	sqlite3_bind_text(st, 1, part ? part : "", -1, SQLITE_STATIC);
	while (!ret && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret = hist_grow((void **)&labels, &cap, cnt, sizeof(*labels));
		if (!ret && !(labels[cnt++] = hist_column_dup(st, 0)))
			ret = -ENOMEM;
	}
	if (!ret && rc != SQLITE_DONE)
		ret = hist_db_fail(h, err, "list metrics");
	sqlite3_finalize(st);
	if (ret) {
		perf_history_labels_free(labels, cnt);
		return ret == -ENOMEM ? hist_fail(err, ret, "out of memory") : ret;
	}
	*out = labels;
	*n = cnt;
	return 0;
}

void perf_history_labels_free(char **labels, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(labels[i]);
	free(labels);
}
