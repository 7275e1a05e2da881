/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_PERF_HISTORY_INTERNAL_H
#define STORLAB_PERF_HISTORY_INTERNAL_H

/* Between the parts of the history (perf/history.h): the perf runs
 * (history.c, which also opens the file and keeps its schema) and the
 * mutation runs (history_mutation.c). */

#include <sqlite3.h>

#include "perf/history.h"

#define HIST_STR_(x) #x
#define HIST_STR(x)  HIST_STR_(x)

struct perf_history {
	sqlite3 *db;
	char *path;
};

/* The tables schema version 2 added (the mutation runs). */
extern const char g_hist_mutation_schema[];

/* err gets the message (PERF_HISTORY_ERR_LEN bytes); returns ret. */
int hist_fail(char *err, int ret, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* -EIO with what failed and SQLite's message. */
int hist_db_fail(struct perf_history *h, char *err, const char *what);
int hist_exec(struct perf_history *h, const char *sql, char *err);
/* A text column as a new string ("" for NULL); NULL when out of memory. */
char *hist_column_dup(sqlite3_stmt *st, int col);
/* An INSERT of text parameters (NULL: ""; cols[0] NULL: now, as ISO 8601
 * UTC) and, if real, one real after them. *id: the new row's. */
int hist_insert(struct perf_history *h, const char *sql, const char *const *cols, int ncols,
		const double *real, int64_t *id, char *err);
/* Grows *arr (of size elem) to hold one more than n; 0 or -ENOMEM. */
int hist_grow(void **arr, size_t *cap, size_t n, size_t elem);

#endif
