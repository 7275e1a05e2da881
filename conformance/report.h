/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CONFORMANCE_REPORT_H
#define STORLAB_CONFORMANCE_REPORT_H

/*
 * Reports of a conformance run (conformance/runner.h). Each writer gets a
 * stream or a path from the caller and returns 0 or a negative errno; none
 * prints on its own. Strings in a run are already valid UTF-8 without
 * control characters (the runner cleans them); each writer escapes for its
 * own format.
 */

#include <jansson.h>
#include <stdio.h>

#include "conformance/runner.h"

/* report.json's content: run info, target, offered features, every case
 * (id, suite, title, spec, level, verdict, reason, duration, trace). */
json_t *conform_report_json(const struct conform_run *run);
/* JUnit XML: one testsuite per suite, one testcase per case named "ID: title". */
int conform_report_junit(const struct conform_run *run, FILE *f);
/* One self-contained HTML page (inline CSS, no external assets). */
int conform_report_html(const struct conform_run *run, FILE *f);
/* The end-of-run table for people: per suite pass / fail / n/a / error, then
 * every case that did not pass, with its reason. */
void conform_report_summary(const struct conform_run *run, FILE *f);

/* Writes dir/report.json, dir/junit.xml and dir/report.html (creating dir). */
int conform_report_write_dir(const struct conform_run *run, const char *dir);

/* report_common.c: s with & < > " ' as character references (XML and HTML). */
void conform_report_escape(FILE *f, const char *s);
/* Appends word to the string in buf (len bytes in all), single-quoted for a
 * POSIX shell when it holds anything but the characters of plain paths and
 * URIs. */
void conform_shell_word(char *buf, size_t len, const char *word);
/* The command that runs one case again: "storlab conform <reproduce> --case ID",
 * unescaped (the caller escapes for its format). */
char *conform_report_reproduce(const struct conform_run *run, const struct conform_case *c);

#endif
