/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CLI_PERF_HISTORY_H
#define STORLAB_CLI_PERF_HISTORY_H

/* `storlab perf history`'s commands on mutation runs (perf_history_mutants.c),
 * dispatched from cli_perf_history (perf_history.c). Each returns a CLI_EXIT_*
 * code after printing its result or its error. */

#include <stdbool.h>
#include <stddef.h>

#include "perf/history.h"

/* mutants: the mutation runs with their scores, oldest first. */
int history_mutants_list(struct perf_history *h, const char *db, size_t last, bool json);
/* record-mutants FILE: ci/mutants' results as one run; meta's NULL time and
 * git_rev are the file's, machine this host. */
int history_mutants_record(struct perf_history *h, const char *db, struct perf_history_meta *meta,
			   bool json, const char *path);

#endif
