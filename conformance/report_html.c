/* SPDX-License-Identifier: MIT */
/*
 * report.html: one file a vendor can mail around. Summary first, then every
 * case with its verdict, the spec it cites and what it checks; a case that
 * did not pass also shows its message trace and the command that runs it
 * again. Inline CSS, no script, no external asset; every string escaped.
 */
#include <stdlib.h>
#include <time.h>

#include "conformance/report.h"

static const char g_css[] =
    "body{font:14px/1.4 sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
    ".v{font-weight:bold;padding:1px 6px;border-radius:3px;color:#fff}"
    ".PASS{background:#2a7d2a}.FAIL{background:#b22}.NA{background:#888}.ERROR{background:#c70}"
    "details{border:1px solid #ddd;margin:4px 0;padding:4px 8px}"
    "summary{cursor:pointer}pre{background:#f6f6f6;padding:6px;overflow-x:auto;"
    "white-space:pre-wrap}code{background:#f0f0f0;padding:1px 4px}";

/* CSS class names cannot hold "/" */
static const char *verdict_class(enum conform_verdict v)
{
	return v == CONFORM_NOT_APPLICABLE ? "NA" : conform_verdict_name(v);
}

static void text(FILE *f, const char *s)
{
	conform_report_escape(f, s);
}

static void verdict_badge(FILE *f, enum conform_verdict v)
{
	fprintf(f, "<span class=\"v %s\">%s</span>", verdict_class(v), conform_verdict_name(v));
}

static void summary_table(FILE *f, const struct conform_run *run)
{
	const struct conform_run_opts *o = &run->opts;
	struct conform_tally t;

	fputs(
	    "<table><tr><th>suite</th><th>pass</th><th>fail</th><th>n/a</th><th>error</th></tr>\n",
	    f);
	for (unsigned s = 0; s <= o->nsuites; s++) {
		const struct conform_suite *suite = s < o->nsuites ? o->suites[s] : NULL;

		conform_run_tally(run, suite, &t);
		fputs(suite ? "<tr><td>" : "<tr><th>", f);
		text(f, suite ? suite->name : "total");
		fprintf(f, "%s<td>%u</td><td>%u</td><td>%u</td><td>%u</td></tr>\n",
			suite ? "</td>" : "</th>", t.pass, t.fail, t.not_applicable, t.error);
	}
	fputs("</table>\n", f);
}

static void case_entry(FILE *f, const struct conform_run *run, const struct conform_result *r)
{
	/* A case not run is said once, at the top: shut, not a wall of them. */
	bool bad = (r->verdict == CONFORM_FAIL || r->verdict == CONFORM_ERROR) && !r->not_run;

	fprintf(f, "<details id=\"");
	text(f, r->c->id);
	fprintf(f, "\"%s><summary>", bad ? " open" : "");
	verdict_badge(f, r->verdict);
	fputs(" <b>", f);
	text(f, r->c->id);
	fputs("</b> [", f);
	text(f, conform_level_name(r->c->level));
	fputs("] ", f);
	text(f, r->c->title);
	fputs("</summary>\n<p><i>", f);
	text(f, r->c->spec);
	fputs("</i></p>\n<p>", f);
	text(f, r->c->description ? r->c->description : "");
	fputs("</p>\n", f);
	if (r->reason[0]) {
		fputs("<p><b>Reason:</b> ", f);
		text(f, r->reason);
		fputs("</p>\n", f);
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

int conform_report_html(const struct conform_run *run, FILE *f)
{
	const char *target = run->opts.target ? run->opts.target : run->opts.socket_path;
	char names[2048], started[32];
	time_t when = run->started_unix;
	struct tm tm;

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
	verdict_badge(f, conform_run_exit_code(run) == 2   ? CONFORM_ERROR
			 : conform_run_exit_code(run) ? CONFORM_FAIL
						      : CONFORM_PASS);
	fputs(" (every applicable MUST case passed = PASS)</p>\n", f);
	if (run->stopped) {
		fputs("<p>Not run: ", f);
		text(f, run->stopped);
		fputs("</p>\n", f);
	}
	fputs("<p>Offered features: ", f);
	conform_feature_names(run->offered.features, 0, names, sizeof(names));
	text(f, names[0] ? names : "none");
	fputs("<br>Offered protocol features: ", f);
	conform_feature_names(0, run->offered.protocol_features, names, sizeof(names));
	text(f, names[0] ? names : "none");
	fputs("</p>\n<h2>Summary</h2>\n", f);
	summary_table(f, run);
	for (unsigned s = 0; s < run->opts.nsuites; s++) {
		const struct conform_suite *suite = run->opts.suites[s];

		fputs("<h2>", f);
		text(f, suite->name);
		fputs("</h2>\n<p>", f);
		text(f, suite->description ? suite->description : "");
		fputs("</p>\n", f);
		for (unsigned i = 0; i < run->nresults; i++)
			if (run->results[i].suite == suite)
				case_entry(f, run, &run->results[i]);
	}
	fputs("</body></html>\n", f);
	return 0;
}
