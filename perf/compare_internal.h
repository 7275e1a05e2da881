/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_PERF_COMPARE_INTERNAL_H
#define STORLAB_PERF_COMPARE_INTERNAL_H

/* What compare.c (run sets) and compare_verdict.c (verdicts) share. */

/* Writes the message into err (PERF_CMP_ERR_LEN bytes) and returns ret. */
int perf_cmp_fail(char *err, int ret, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
