/* SPDX-License-Identifier: MIT */
/* perf/history.h against a temporary SQLite file: record, list, a metric's
 * series in run order with its medians, mutation runs and their scores, an
 * older schema brought up to date and a newer one refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "perf/history.h"

#define EPS 1e-9

static char g_path[64];

static int setup(void **state)
{
	int fd;

	(void)state;
	snprintf(g_path, sizeof(g_path), "/tmp/storlab-ut-history-XXXXXX");
	fd = mkstemp(g_path);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(g_path); /* open(create) makes it */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(g_path);
	return 0;
}

/* A set of one metric with three repeats scaled by k, and a second metric. */
static void make_set(struct perf_cmp_set *set, double k)
{
	const double iops[3] = {100 * k, 120 * k, 110 * k}, p99[3] = {9, 7, 8};

	memset(set, 0, sizeof(*set));
	assert_int_equal(perf_cmp_set_add(set, "read iops", PERF_CMP_IOPS, iops, 3), 0);
	assert_int_equal(perf_cmp_set_add(set, "read p99", PERF_CMP_P99, p99, 3), 0);
}

static void record(struct perf_history *h, double k, const char *rev, int64_t *id)
{
	struct perf_history_meta meta = {.time = "2026-11-23T10:00:00Z",
					 .git_rev = rev,
					 .machine = "m1",
					 .scenario = "s",
					 .verdict = "ok"};
	char err[PERF_HISTORY_ERR_LEN];
	struct perf_cmp_set set;

	make_set(&set, k);
	assert_int_equal(perf_history_record(h, &meta, &set, id, err), 0);
	perf_cmp_set_free(&set);
}

static void test_missing(void **state)
{
	char err[PERF_HISTORY_ERR_LEN];
	struct perf_history *h;

	(void)state;
	assert_int_equal(perf_history_open(g_path, false, &h, err), -ENOENT);
	assert_null(h);
}

static void test_record_list(void **state)
{
	char err[PERF_HISTORY_ERR_LEN];
	struct perf_history_run *runs;
	struct perf_history *h;
	int64_t id1, id2, id3;
	size_t n;

	(void)state;
	assert_int_equal(perf_history_open(g_path, true, &h, err), 0);
	record(h, 1, "aaa", &id1);
	record(h, 2, "bbb", &id2);
	perf_history_close(h);
	/* Reopened without create: the runs are there. */
	assert_int_equal(perf_history_open(g_path, false, &h, err), 0);
	record(h, 3, "ccc", &id3);
	assert_true(id1 < id2 && id2 < id3);
	assert_int_equal(perf_history_list(h, 0, &runs, &n, err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(runs[0].id, id1);
	assert_string_equal(runs[0].git_rev, "aaa");
	assert_string_equal(runs[2].git_rev, "ccc");
	assert_string_equal(runs[1].machine, "m1");
	assert_string_equal(runs[1].source, "");
	assert_int_equal(runs[1].nseries, 2);
	assert_int_equal(runs[1].nrepeats, 3);
	perf_history_runs_free(runs, n);
	/* --last 2: the newest two, oldest first. */
	assert_int_equal(perf_history_list(h, 2, &runs, &n, err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(runs[0].id, id2);
	assert_int_equal(runs[1].id, id3);
	perf_history_runs_free(runs, n);
	perf_history_close(h);
}

static void test_series(void **state)
{
	char err[PERF_HISTORY_ERR_LEN], **labels;
	struct perf_history_point *p;
	struct perf_history *h;
	int64_t id[3];
	size_t n;

	(void)state;
	assert_int_equal(perf_history_open(g_path, true, &h, err), 0);
	for (int i = 0; i < 3; i++)
		record(h, i + 1, "r", &id[i]);
	assert_int_equal(perf_history_series(h, "read iops", 0, &p, &n, err), 0);
	assert_int_equal(n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(p[i].run_id, id[i]);
		assert_int_equal(p[i].metric, PERF_CMP_IOPS);
		/* The median of {100, 120, 110} * k, and its extremes. */
		assert_float_equal(p[i].s.median, 110.0 * (i + 1), EPS);
		assert_float_equal(p[i].s.min, 100.0 * (i + 1), EPS);
		assert_float_equal(p[i].s.max, 120.0 * (i + 1), EPS);
		assert_int_equal(p[i].s.n, 3);
	}
	perf_history_points_free(p, n);
	assert_int_equal(perf_history_series(h, "read iops", 1, &p, &n, err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].run_id, id[2]);
	perf_history_points_free(p, n);
	assert_int_equal(perf_history_series(h, "read p99", 0, &p, &n, err), 0);
	assert_int_equal(p[0].metric, PERF_CMP_P99);
	assert_float_equal(p[0].s.median, 8, EPS);
	perf_history_points_free(p, n);
	assert_int_equal(perf_history_series(h, "write iops", 0, &p, &n, err), -ENOENT);
	assert_non_null(strstr(err, "no run has write iops"));
	assert_int_equal(perf_history_labels(h, "p9", &labels, &n, err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(labels[0], "read p99");
	perf_history_labels_free(labels, n);
	perf_history_close(h);
}

static void test_empty_set(void **state)
{
	struct perf_history_meta meta = {0};
	char err[PERF_HISTORY_ERR_LEN];
	struct perf_cmp_set set = {0};
	struct perf_history_run *runs;
	struct perf_history *h;
	int64_t id;
	size_t n;

	(void)state;
	assert_int_equal(perf_history_open(g_path, true, &h, err), 0);
	assert_int_equal(perf_history_record(h, &meta, &set, &id, err), -EINVAL);
	assert_int_equal(perf_history_list(h, 0, &runs, &n, err), 0);
	assert_int_equal(n, 0);
	perf_history_runs_free(runs, n);
	perf_history_close(h);
}

static void set_user_version(int v)
{
	char sql[64];
	sqlite3 *db;

	assert_int_equal(sqlite3_open(g_path, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_newer_schema(void **state)
{
	char err[PERF_HISTORY_ERR_LEN];
	struct perf_history *h;
	int64_t id;

	(void)state;
	assert_int_equal(perf_history_open(g_path, true, &h, err), 0);
	record(h, 1, "r", &id);
	perf_history_close(h);
	set_user_version(PERF_HISTORY_SCHEMA + 1);
	assert_int_equal(perf_history_open(g_path, false, &h, err), -EPROTO);
	assert_null(h);
	assert_non_null(strstr(err, "newer storlab"));
}

static void test_not_ours(void **state)
{
	char err[PERF_HISTORY_ERR_LEN];
	struct perf_history *h;
	sqlite3 *db;

	(void)state;
	assert_int_equal(sqlite3_open(g_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(perf_history_open(g_path, false, &h, err), -EINVAL);
	assert_non_null(strstr(err, "not a perf history"));
}

static void record_mutation(struct perf_history *h, const char *rev, bool catch_b, int64_t *id)
{
	const struct perf_history_mutant m[] = {
	    {"cfg-a", "config space", "caught", "BLK-RW-021 (ro)"},
	    {"walk-b", "descriptor walking", catch_b ? "caught" : "missed", ""},
	    {"mq-c", "multiqueue", "missed", ""},
	    {"mq-d", "multiqueue", "equivalent", ""},
	};
	struct perf_history_meta meta = {.time = "2026-11-23T10:00:00Z", .git_rev = rev};
	char err[PERF_HISTORY_ERR_LEN];

	assert_int_equal(perf_history_record_mutation(h, &meta, 95, m, 4, id, err), 0);
}

/* The score counts the caught among the mutants that are not equivalent. */
static void test_mutations(void **state)
{
	const struct perf_history_mutant bad = {"x", "multiqueue", "flaky", ""};
	struct perf_history_meta meta = {0};
	char err[PERF_HISTORY_ERR_LEN];
	struct perf_history_mutation *r;
	struct perf_history_run *runs;
	struct perf_history *h;
	int64_t id[3];
	size_t n;

	(void)state;
	assert_int_equal(perf_history_open(g_path, true, &h, err), 0);
	assert_int_equal(perf_history_mutations(h, 0, &r, &n, err), 0);
	assert_int_equal(n, 0);
	perf_history_mutations_free(r, n);
	record_mutation(h, "r1", false, &id[0]);
	record_mutation(h, "r2", true, &id[1]);
	record_mutation(h, "r3", true, &id[2]);
	assert_int_equal(perf_history_mutations(h, 2, &r, &n, err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].id, id[1]);
	assert_string_equal(r[0].git_rev, "r2");
	assert_int_equal(r[0].total, 4);
	assert_int_equal(r[0].equivalent, 1);
	assert_int_equal(r[0].caught, 2);
	assert_float_equal(r[0].score, 200.0 / 3, EPS);
	assert_float_equal(r[0].goal, 95, EPS);
	assert_string_equal(r[0].missed, "mq-c");
	perf_history_mutations_free(r, n);
	assert_int_equal(perf_history_mutations(h, 0, &r, &n, err), 0);
	assert_int_equal(n, 3);
	assert_float_equal(r[0].score, 100.0 / 3, EPS);
	assert_non_null(strstr(r[0].missed, "walk-b"));
	assert_non_null(strstr(r[0].missed, "mq-c"));
	perf_history_mutations_free(r, n);
	/* An unknown verdict, or nothing, is refused and records nothing. */
	assert_int_equal(perf_history_record_mutation(h, &meta, 95, &bad, 1, &id[0], err), -EINVAL);
	assert_non_null(strstr(err, "flaky"));
	assert_int_equal(perf_history_record_mutation(h, &meta, 95, &bad, 0, &id[0], err), -EINVAL);
	assert_int_equal(perf_history_mutations(h, 0, &r, &n, err), 0);
	assert_int_equal(n, 3);
	perf_history_mutations_free(r, n);
	/* Perf runs and mutation runs are apart. */
	assert_int_equal(perf_history_list(h, 0, &runs, &n, err), 0);
	assert_int_equal(n, 0);
	perf_history_runs_free(runs, n);
	perf_history_close(h);
}

/* A file of schema 1 (before mutation runs) is brought up to date on open:
 * its perf runs stay, and mutation runs can be recorded. */
static void test_schema_1_upgraded(void **state)
{
	char err[PERF_HISTORY_ERR_LEN];
	struct perf_history_mutation *m;
	struct perf_history_run *runs;
	struct perf_history *h;
	sqlite3 *db;
	int64_t id;
	size_t n;

	(void)state;
	assert_int_equal(perf_history_open(g_path, true, &h, err), 0);
	record(h, 1, "old", &id);
	perf_history_close(h);
	assert_int_equal(sqlite3_open(g_path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "DROP TABLE mutants; DROP TABLE mutation_runs", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	set_user_version(1);
	assert_int_equal(perf_history_open(g_path, false, &h, err), 0);
	assert_int_equal(perf_history_list(h, 0, &runs, &n, err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(runs[0].git_rev, "old");
	perf_history_runs_free(runs, n);
	record_mutation(h, "new", true, &id);
	assert_int_equal(perf_history_mutations(h, 0, &m, &n, err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].git_rev, "new");
	perf_history_mutations_free(m, n);
	perf_history_close(h);
	/* Reopened, it is version 2 and stays so. */
	assert_int_equal(sqlite3_open(g_path, &db), SQLITE_OK);
	{
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), PERF_HISTORY_SCHEMA);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_record_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_series, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_set, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_newer_schema, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_ours, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mutations, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_schema_1_upgraded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
