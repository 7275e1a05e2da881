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
/* Runs body in one transaction (BEGIN IMMEDIATE, ROLLBACK when it fails):
 * a run is in the history whole or not at all. body's result. */
int hist_transaction(struct perf_history *h,
		     int (*body)(struct perf_history *h, void *arg, char *err), void *arg,
		     char *err);
/* The rows of sql, whose one parameter is how many (last; 0: all), each
 * filled by row() (0, or -ENOMEM) into a new zeroed element of elem bytes
 * of *out; on failure free_rows frees those made so far. */
int hist_list(struct perf_history *h, const char *sql, size_t last, size_t elem,
	      int (*row)(sqlite3_stmt *st, void *elem), void (*free_rows)(void *rows, size_t n),
	      void **out, size_t *n, char *err);
/* Grows *arr (of size elem) to hold one more than n; 0 or -ENOMEM. */
int hist_grow(void **arr, size_t *cap, size_t n, size_t elem);

#endif
