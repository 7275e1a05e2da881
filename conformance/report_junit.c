/* SPDX-License-Identifier: MIT */
/*
 * junit.xml for CI systems: per suite, one <testsuite> of its spec verdicts,
 * then (when the run has any) one of its advisories ("virtio-blk
 * advisories") and one of its observations ("virtio-blk observations"); one
 * <testcase> per case, named "ID: title" so that a CI page leads with the
 * stable ID, with its level, spec, quote (and an advisory's severity) as
 * <properties> and its observations in <system-out>.
 *
 * Spec verdicts: FAIL is <failure>, ERROR <error>, N/A <skipped> (the
 * Jenkins/Surefire schema most CI readers accept). Advisories and
 * observations never fail a run, so they never use <failure> or <error>,
 * which Jenkins, GitLab, GitHub's and Azure's test views all count as a
 * failed test (and many CI set-ups as a failed job). An unmet advisory (or
 * one that could not run, or an observation that could not be made) is
 * <skipped> with a message that says so ("advisory not met (memory-safety):
 * ..."): the one non-passing outcome those tools show apart, by count and
 * message, without failing anything. A passed <testcase> would hide it.
 * Every string is escaped.
 */
#include "conformance/report.h"

static const char *const g_section_suffix[] = {
    [CONFORM_SECTION_SPEC] = "",
    [CONFORM_SECTION_ADVISORY] = " advisories",
    [CONFORM_SECTION_OBSERVATION] = " observations",
};

static void attr(FILE *f, const char *name, const char *value)
{
	fprintf(f, " %s=\"", name);
	conform_report_escape(f, value);
	fputc('"', f);
}

static void property(FILE *f, const char *name, const char *value)
{
	fputs("        <property", f);
	attr(f, "name", name);
	attr(f, "value", value);
	fputs("/>\n", f);
}

static void properties(FILE *f, const struct conform_case *c)
{
	fputs("      <properties>\n", f);
	property(f, "level", conform_level_name(c->level));
	if (c->level == CONFORM_ADVISORY)
		property(f, "severity", conform_severity_name(c->severity));
	property(f, "spec", c->spec);
	property(f, "quote", c->quote ? c->quote : "");
	fputs("      </properties>\n", f);
}

enum outcome {
	OUTCOME_PASS,
	OUTCOME_FAILURE,
	OUTCOME_ERROR,
	OUTCOME_SKIPPED,
};

static const char *const g_outcome_elem[] = {
    [OUTCOME_FAILURE] = "failure",
    [OUTCOME_ERROR] = "error",
    [OUTCOME_SKIPPED] = "skipped",
};

/* See the top of the file. */
static enum outcome outcome(const struct conform_result *r)
{
	if (r->verdict == CONFORM_PASS)
		return OUTCOME_PASS;
	if (conform_case_section(r->c) != CONFORM_SECTION_SPEC ||
	    r->verdict == CONFORM_NOT_APPLICABLE)
		return OUTCOME_SKIPPED;
	return r->verdict == CONFORM_FAIL ? OUTCOME_FAILURE : OUTCOME_ERROR;
}

/* A spec verdict's <failure>, <error> or <skipped>: the reason, then in the
 * body the spec, its sentence and the trace. */
static void spec_outcome(FILE *f, const struct conform_result *r, const char *elem)
{
	fprintf(f, "      <%s", elem);
	attr(f, "message", r->reason);
	if (r->verdict == CONFORM_NOT_APPLICABLE) {
		fputs("/>\n", f);
		return;
	}
	attr(f, "type", r->not_run ? "NOT-RUN" : conform_level_name(r->c->level));
	fputs(">", f);
	conform_report_escape(f, r->c->spec);
	fputs("\n", f);
	if (r->c->quote && r->c->quote[0]) {
		conform_report_escape(f, r->c->quote);
		fputs("\n", f);
	}
	conform_report_escape(f, r->trace);
	fprintf(f, "</%s>\n", elem);
}

/* An advisory's or observation's <skipped>: "advisory not met
 * (robustness): reason", "ERROR: reason". */
static void other_outcome(FILE *f, const struct conform_result *r)
{
	char message[2048];

	if (r->c->level == CONFORM_ADVISORY && r->verdict == CONFORM_FAIL)
		snprintf(message, sizeof(message), "%s (%s): %s", conform_result_label(r),
			 conform_severity_name(r->c->severity), r->reason);
	else
		snprintf(message, sizeof(message), "%s: %s", conform_result_label(r), r->reason);
	fprintf(f, "      <skipped");
	attr(f, "message", message);
	fputs("/>\n", f);
}

static void testcase(FILE *f, const struct conform_result *r)
{
	enum outcome out = outcome(r);
	bool spec = conform_case_section(r->c) == CONFORM_SECTION_SPEC;
	bool info = r->info && r->info[0];
	/* A <skipped> has no body: the trace of an advisory or observation
	 * that did not pass goes to <system-out>. */
	bool trace = !spec && out != OUTCOME_PASS && r->verdict != CONFORM_NOT_APPLICABLE;
	char name[1024];

	snprintf(name, sizeof(name), "%s: %s", r->c->id, r->c->title);
	fprintf(f, "    <testcase");
	attr(f, "classname", r->suite->name);
	attr(f, "name", name);
	fprintf(f, " time=\"%.3f\">\n", r->seconds);
	properties(f, r->c);
	if (out != OUTCOME_PASS && spec)
		spec_outcome(f, r, g_outcome_elem[out]);
	else if (out != OUTCOME_PASS)
		other_outcome(f, r);
	if (info || trace) {
		fputs("      <system-out>", f);
		if (info) {
			fputs("observed:\n", f);
			conform_report_escape(f, r->info);
			fputs("\n", f);
		}
		if (trace) {
			fputs("trace:\n", f);
			conform_report_escape(f, r->trace);
			fputs("\n", f);
		}
		fputs("</system-out>\n", f);
	}
	fprintf(f, "    </testcase>\n");
}

static bool in_suite(const struct conform_result *r, const struct conform_suite *suite,
		     const enum conform_section *section)
{
	return (!suite || r->suite == suite) &&
	       (!section || conform_case_section(r->c) == *section);
}

/* The counts of a <testsuite> (of suite's cases in section; NULL: all) or of
 * <testsuites>; seconds < 0: the sum of its cases'. */
static void counts(FILE *f, const struct conform_run *run, const struct conform_suite *suite,
		   const enum conform_section *section, double seconds)
{
	unsigned n[4] = {0}, tests = 0;
	double sum = 0;

	for (unsigned i = 0; i < run->nresults; i++) {
		if (!in_suite(&run->results[i], suite, section))
			continue;
		tests++;
		n[outcome(&run->results[i])]++;
		sum += run->results[i].seconds;
	}
	fprintf(f, " tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" time=\"%.3f\"",
		tests, n[OUTCOME_FAILURE], n[OUTCOME_ERROR], n[OUTCOME_SKIPPED],
		seconds >= 0 ? seconds : sum);
}

static void testsuite(FILE *f, const struct conform_run *run, const struct conform_suite *suite,
		      enum conform_section section)
{
	const struct conform_run_opts *o = &run->opts;
	char name[256];
	bool any = false;

	for (unsigned i = 0; i < run->nresults; i++)
		any |= in_suite(&run->results[i], suite, &section);
	/* The spec suite is always there, as before advisories existed; the
	 * others only when the run has cases of them. */
	if (!any && section != CONFORM_SECTION_SPEC)
		return;
	snprintf(name, sizeof(name), "%s%s", suite->name, g_section_suffix[section]);
	fprintf(f, "  <testsuite");
	attr(f, "name", name);
	counts(f, run, suite, &section, -1);
	fputs(">\n    <properties>\n      <property name=\"target\"", f);
	attr(f, "value", o->target ? o->target : o->socket_path);
	fputs("/>\n    </properties>\n", f);
	for (unsigned i = 0; i < run->nresults; i++)
		if (in_suite(&run->results[i], suite, &section))
			testcase(f, &run->results[i]);
	fprintf(f, "  </testsuite>\n");
}

int conform_report_junit(const struct conform_run *run, FILE *f)
{
	const struct conform_run_opts *o = &run->opts;

	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"storlab conform\"");
	counts(f, run, NULL, NULL, run->seconds);
	fputs(">\n", f);
	for (unsigned s = 0; s < o->nsuites; s++) {
		if (!conform_run_has_suite(run, o->suites[s]))
			continue;
		testsuite(f, run, o->suites[s], CONFORM_SECTION_SPEC);
		testsuite(f, run, o->suites[s], CONFORM_SECTION_ADVISORY);
		testsuite(f, run, o->suites[s], CONFORM_SECTION_OBSERVATION);
	}
	fprintf(f, "</testsuites>\n");
	return 0;
}
