/* SPDX-License-Identifier: MIT */
/*
 * report.html: one file a vendor can mail around. Summary first (the spec
 * verdicts, then the advisories), then every case of each suite with its
 * verdict, the spec it cites, the sentence it enforces and what it checks; a
 * case that did not pass also shows its message trace and the command that
 * runs it again. Then the advisories, apart and with their severity, and the
 * observations (what the back-end did, no verdict). Inline CSS, no script,
 * no external asset; every string escaped.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conformance/report.h"

static const char g_css[] =
    "body{font:14px/1.4 sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
    ".v{font-weight:bold;padding:1px 6px;border-radius:3px;color:#fff}"
    ".PASS{background:#2a7d2a}.FAIL{background:#b22}.NA{background:#888}.ERROR{background:#c70}"
    ".MET{background:#2a7d2a}.NOTMET{background:#a66a00}.OBSERVED{background:#36c}"
    ".sev{padding:1px 6px;border-radius:3px;border:1px solid}"
    ".memory-safety{color:#900;border-color:#900}.data-safety{color:#a50;border-color:#a50}"
    ".robustness{color:#357;border-color:#357}"
    "blockquote{margin:4px 0 4px 1em;padding-left:8px;border-left:3px solid #bbb;color:#444}"
    "details{border:1px solid #ddd;margin:4px 0;padding:4px 8px}"
    "summary{cursor:pointer}pre{background:#f6f6f6;padding:6px;overflow-x:auto;"
    "white-space:pre-wrap}code{background:#f0f0f0;padding:1px 4px}";

static void text(FILE *f, const char *s)
{
	conform_report_escape(f, s);
}

/* CSS class names cannot hold "/" or spaces. */
static const char *result_class(const struct conform_result *r)
{
	if (r->verdict == CONFORM_NOT_APPLICABLE)
		return "NA";
	if (r->verdict == CONFORM_PASS)
		return conform_case_section(r->c) == CONFORM_SECTION_ADVISORY	   ? "MET"
		       : conform_case_section(r->c) == CONFORM_SECTION_OBSERVATION ? "OBSERVED"
										   : "PASS";
	if (r->verdict == CONFORM_FAIL && conform_case_section(r->c) == CONFORM_SECTION_ADVISORY)
		return "NOTMET";
	return conform_verdict_name(r->verdict);
}

static void badge(FILE *f, const char *cls, const char *label)
{
	fprintf(f, "<span class=\"v %s\">", cls);
	text(f, label);
	fputs("</span>", f);
}

static void severity_badge(FILE *f, enum conform_severity sev)
{
	fprintf(f, "<span class=\"sev %s\">%s</span>", conform_severity_name(sev),
		conform_severity_name(sev));
}

static void tally_table(FILE *f, const struct conform_run *run, const char *id,
			const char *const cols[4],
			void (*tally)(const struct conform_run *, const struct conform_suite *,
				      struct conform_tally *))
{
	const struct conform_run_opts *o = &run->opts;
	struct conform_tally t;

	fprintf(f, "<table id=\"%s\"><tr><th>suite</th>", id);
	for (unsigned c = 0; c < 4; c++)
		fprintf(f, "<th>%s</th>", cols[c]);
	fputs("</tr>\n", f);
	for (unsigned s = 0; s <= o->nsuites; s++) {
		const struct conform_suite *suite = s < o->nsuites ? o->suites[s] : NULL;

		if (suite && !conform_run_has_suite(run, suite))
			continue;
		tally(run, suite, &t);
		fputs(suite ? "<tr><td>" : "<tr><th>", f);
		text(f, suite ? suite->name : "total");
		fprintf(f, "%s<td>%u</td><td>%u</td><td>%u</td><td>%u</td></tr>\n",
			suite ? "</td>" : "</th>", t.pass, t.fail, t.not_applicable, t.error);
	}
	fputs("</table>\n", f);
}

/* Observations as a list, one item a line. */
static void notes(FILE *f, const char *s)
{
	fputs("<ul class=\"notes\">", f);
	while (*s) {
		size_t n = strcspn(s, "\n");
		char *line = strndup(s, n);

		fputs("<li>", f);
		text(f, line ? line : "");
		fputs("</li>", f);
		free(line);
		s += n + (s[n] == '\n');
	}
	fputs("</ul>\n", f);
}

static void case_entry(FILE *f, const struct conform_run *run, const struct conform_result *r)
{
	/* A case not run is said once, at the top: shut, not a wall of them. */
	bool bad = (r->verdict == CONFORM_FAIL || r->verdict == CONFORM_ERROR) && !r->not_run;

	fprintf(f, "<details id=\"");
	text(f, r->c->id);
	fprintf(f, "\"%s><summary>", bad ? " open" : "");
	badge(f, result_class(r), conform_result_label(r));
	if (r->c->level == CONFORM_ADVISORY) {
		fputs(" ", f);
		severity_badge(f, r->c->severity);
	}
	fputs(" <b>", f);
	text(f, r->c->id);
	fputs("</b> [", f);
	text(f, conform_level_name(r->c->level));
	fputs("] ", f);
	text(f, r->c->title);
	fputs("</summary>\n<p><i>", f);
	text(f, r->c->spec);
	fputs("</i></p>\n", f);
	if (r->c->quote && r->c->quote[0]) {
		fputs("<blockquote class=\"quote\">", f);
		text(f, r->c->quote);
		fputs("</blockquote>\n", f);
	}
	fputs("<p>", f);
	text(f, r->c->description ? r->c->description : "");
	fputs("</p>\n", f);
	if (r->reason[0]) {
		fputs("<p><b>Reason:</b> ", f);
		text(f, r->reason);
		fputs("</p>\n", f);
	}
	if (r->info && r->info[0]) {
		fputs("<p><b>Observed:</b></p>", f);
		notes(f, r->info);
	}
	fprintf(f, "<p>%.3f s</p>\n", r->seconds);
	if (bad) {
		char *cmd = conform_report_reproduce(run, r->c);

		fputs("<p>Reproduce: <code>", f);
		text(f, cmd ? cmd : "");
		fputs("</code></p>\n<pre>", f);
		text(f, r->trace);
		fputs("</pre>\n", f);
		free(cmd);
	}
	fputs("</details>\n", f);
}

/* Every case of section, under a heading per suite that has some. */
static void section_cases(FILE *f, const struct conform_run *run, enum conform_section section,
			  bool suite_description)
{
	for (unsigned s = 0; s < run->opts.nsuites; s++) {
		const struct conform_suite *suite = run->opts.suites[s];
		bool heading = false;

		for (unsigned i = 0; i < run->nresults; i++) {
			const struct conform_result *r = &run->results[i];

			if (r->suite != suite || conform_case_section(r->c) != section)
				continue;
			if (!heading) {
				fputs(section == CONFORM_SECTION_SPEC ? "<h2>" : "<h3>", f);
				text(f, suite->name);
				fputs(section == CONFORM_SECTION_SPEC ? "</h2>\n" : "</h3>\n", f);
				if (suite_description) {
					fputs("<p>", f);
					text(f, suite->description ? suite->description : "");
					fputs("</p>\n", f);
				}
				heading = true;
			}
			case_entry(f, run, r);
		}
	}
}

static void advisories(FILE *f, const struct conform_run *run)
{
	static const char *const cols[4] = {"met", "not met", "n/a", "error"};

	if (!conform_run_count(run, CONFORM_SECTION_ADVISORY))
		return;
	fputs("<section id=\"advisories\">\n<h2>Advisories</h2>\n<p>No sentence of the spec "
	      "requires these; a robust back-end meets them. They are never counted with the "
	      "verdicts above and never fail a run; the severity says what is at stake when one "
	      "is not met.</p>\n",
	      f);
	tally_table(f, run, "advisory-summary", cols, conform_run_tally_advisories);
	section_cases(f, run, CONFORM_SECTION_ADVISORY, false);
	fputs("</section>\n", f);
}

/* The observation cases, then what other cases observed (each listed
 * under its ID; its entry, with the id attribute, is above). */
static void observations(FILE *f, const struct conform_run *run)
{
	bool other = false;

	for (unsigned i = 0; i < run->nresults; i++)
		other |= conform_case_section(run->results[i].c) != CONFORM_SECTION_OBSERVATION &&
			 run->results[i].info && run->results[i].info[0];
	if (!other && !conform_run_count(run, CONFORM_SECTION_OBSERVATION))
		return;
	fputs("<section id=\"observations\">\n<h2>Observations</h2>\n<p>What the back-end did "
	      "where the spec leaves it open: no verdict.</p>\n",
	      f);
	section_cases(f, run, CONFORM_SECTION_OBSERVATION, false);
	for (unsigned i = 0; other && i < run->nresults; i++) {
		const struct conform_result *r = &run->results[i];

		if (conform_case_section(r->c) == CONFORM_SECTION_OBSERVATION || !r->info ||
		    !r->info[0])
			continue;
		fputs("<p><b>", f);
		text(f, r->c->id);
		fputs("</b> ", f);
		text(f, r->c->title);
		fputs("</p>\n", f);
		notes(f, r->info);
	}
	fputs("</section>\n", f);
}

int conform_report_html(const struct conform_run *run, FILE *f)
{
	static const char *const cols[4] = {"pass", "fail", "n/a", "error"};
	const char *target = run->opts.target ? run->opts.target : run->opts.socket_path;
	char names[2048], started[32];
	time_t when = run->started_unix;
	struct tm tm;
	int code;

	gmtime_r(&when, &tm);
	strftime(started, sizeof(started), "%Y-%m-%d %H:%M:%S UTC", &tm);
	fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		   "<title>storlab conform: ");
	text(f, target);
	fprintf(f,
		"</title><style>%s</style></head><body>\n<h1>storlab conform</h1>\n<p>Target "
		"<code>",
		g_css);
	text(f, target);
	fprintf(f, "</code>, %s, %.1f s. Result: ", started, run->seconds);
	code = conform_run_exit_code(run);
	badge(f,
	      code == 2 ? "ERROR"
	      : code	? "FAIL"
			: "PASS",
	      code == 2 ? "INCOMPLETE"
	      : code	? "FAIL"
			: "PASS");
	fputs(" (every applicable MUST case passed = PASS)</p>\n", f);
	if (run->stopped) {
		fputs("<p>Not run: ", f);
		text(f, run->stopped);
		fputs("</p>\n", f);
	}
	fputs("<p>Offered features: ", f);
	conform_feature_names(run->opts.transport, run->offered.features, 0, names, sizeof(names));
	text(f, names[0] ? names : "none");
	fputs("<br>Offered protocol features: ", f);
	conform_feature_names(NULL, 0, run->offered.protocol_features, names, sizeof(names));
	text(f, names[0] ? names : "none");
	fputs("</p>\n<h2>Summary</h2>\n", f);
	tally_table(f, run, "verdicts", cols, conform_run_tally);
	section_cases(f, run, CONFORM_SECTION_SPEC, true);
	advisories(f, run);
	observations(f, run);
	fputs("</body></html>\n", f);
	return 0;
}
