/* SPDX-License-Identifier: MIT */
/*
 * junit.xml for CI systems: one <testsuite> per suite, one <testcase> per
 * case, named "ID: title" so that a CI page leads with the stable ID.
 * FAIL is <failure>, ERROR <error>, N/A <skipped> (the Jenkins/Surefire
 * schema most CI readers accept). Every string is escaped.
 */
#include "conformance/report.h"

static void attr(FILE *f, const char *name, const char *value)
{
	fprintf(f, " %s=\"", name);
	conform_report_escape(f, value);
	fputc('"', f);
}

static void testcase(FILE *f, const struct conform_result *r)
{
	static const char *const elem[] = {
	    [CONFORM_FAIL] = "failure",
	    [CONFORM_ERROR] = "error",
	    [CONFORM_NOT_APPLICABLE] = "skipped",
	};
	char name[1024];

	snprintf(name, sizeof(name), "%s: %s", r->c->id, r->c->title);
	fprintf(f, "    <testcase");
	attr(f, "classname", r->suite->name);
	attr(f, "name", name);
	fprintf(f, " time=\"%.3f\">\n", r->seconds);
	if (r->verdict != CONFORM_PASS) {
		fprintf(f, "      <%s", elem[r->verdict]);
		attr(f, "message", r->reason);
		if (r->verdict != CONFORM_NOT_APPLICABLE) {
			attr(f, "type", r->not_run ? "NOT-RUN" : conform_level_name(r->c->level));
			fputs(">", f);
			conform_report_escape(f, r->c->spec);
			fputs("\n", f);
			conform_report_escape(f, r->trace);
			fprintf(f, "</%s>\n", elem[r->verdict]);
		} else {
			fputs("/>\n", f);
		}
	}
	fprintf(f, "    </testcase>\n");
}

static void counts(FILE *f, const struct conform_tally *t, double seconds)
{
	fprintf(f, " tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" time=\"%.3f\"",
		t->pass + t->fail + t->not_applicable + t->error, t->fail, t->error,
		t->not_applicable, seconds);
}

int conform_report_junit(const struct conform_run *run, FILE *f)
{
	const struct conform_run_opts *o = &run->opts;
	struct conform_tally t;

	conform_run_tally(run, NULL, &t);
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"storlab conform\"");
	counts(f, &t, run->seconds);
	fputs(">\n", f);
	for (unsigned s = 0; s < o->nsuites; s++) {
		double seconds = 0;

		conform_run_tally(run, o->suites[s], &t);
		for (unsigned i = 0; i < run->nresults; i++)
			if (run->results[i].suite == o->suites[s])
				seconds += run->results[i].seconds;
		fprintf(f, "  <testsuite");
		attr(f, "name", o->suites[s]->name);
		counts(f, &t, seconds);
		fputs(">\n    <properties>\n      <property name=\"target\"", f);
		attr(f, "value", o->target ? o->target : o->socket_path);
		fputs("/>\n    </properties>\n", f);
		for (unsigned i = 0; i < run->nresults; i++)
			if (run->results[i].suite == o->suites[s])
				testcase(f, &run->results[i]);
		fprintf(f, "  </testsuite>\n");
	}
	fprintf(f, "</testsuites>\n");
	return 0;
}
