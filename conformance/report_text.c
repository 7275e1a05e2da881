/* SPDX-License-Identifier: MIT */
/* The summary for people at the end of `storlab conform`: the spec verdicts,
 * then the advisories and the observations, each in a part of its own. */
#include <string.h>

#include "conformance/report.h"

/* Where wrapped text (quotes, observations) ends. */
#define WRAP_COLUMNS 100
#define INDENT	     "        "

/* prefix, the line at s and suffix from column strlen(INDENT), wrapped at
 * spaces (runs of them fold into one; a word longer than a line stays
 * whole). Returns what follows the line's '\n'. */
static const char *wrapped(FILE *f, const char *prefix, const char *s, const char *suffix)
{
	size_t col = strlen(INDENT) + strlen(prefix);
	bool first = true;

	fprintf(f, INDENT "%s", prefix);
	for (;;) {
		size_t word;

		s += strspn(s, " ");
		if (!*s || *s == '\n')
			break;
		word = strcspn(s, " \n");
		if (!first && col + 1 + word > WRAP_COLUMNS) {
			fputs("\n" INDENT, f);
			col = strlen(INDENT);
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		fwrite(s, 1, word, f);
		col += word;
		s += word;
		first = false;
	}
	fprintf(f, "%s\n", suffix);
	return *s ? s + 1 : s;
}

static void quote(FILE *f, const struct conform_case *c)
{
	if (c->quote && c->quote[0])
		wrapped(f, "\"", c->quote, "\"");
}

static void tally_table(FILE *f, const struct conform_run *run, const char *const cols[4],
			void (*tally)(const struct conform_run *, const struct conform_suite *,
				      struct conform_tally *))
{
	const struct conform_run_opts *o = &run->opts;
	struct conform_tally t;

	fprintf(f, "%-14s %8s %8s %8s %8s\n", "suite", cols[0], cols[1], cols[2], cols[3]);
	for (unsigned s = 0; s <= o->nsuites; s++) {
		const struct conform_suite *suite = s < o->nsuites ? o->suites[s] : NULL;

		if (suite && !conform_run_has_suite(run, suite))
			continue;
		tally(run, suite, &t);
		fprintf(f, "%-14s %8u %8u %8u %8u\n", suite ? suite->name : "total", t.pass, t.fail,
			t.not_applicable, t.error);
	}
}

/* Cases not run are one line of the summary ("stopped:"), not one each. */
static bool not_passed(const struct conform_result *r)
{
	return (r->verdict == CONFORM_FAIL || r->verdict == CONFORM_ERROR) && !r->not_run;
}

/* The cases of section that failed or errored, under heading: each with
 * its verdict in words, level (an advisory: severity), spec, reason and
 * quote. */
static void not_passed_list(FILE *f, const struct conform_run *run, enum conform_section section,
			    const char *heading)
{
	bool any = false;

	for (unsigned i = 0; i < run->nresults; i++) {
		const struct conform_result *r = &run->results[i];

		if (conform_case_section(r->c) != section || !not_passed(r))
			continue;
		if (!any)
			fprintf(f, "\n%s\n", heading);
		any = true;
		if (section == CONFORM_SECTION_ADVISORY)
			fprintf(f, "  %-16s %-13s", conform_result_label(r),
				conform_severity_name(r->c->severity));
		else
			fprintf(f, "  %-5s %-6s", conform_result_label(r),
				conform_level_name(r->c->level));
		fprintf(f, " %-16s %s\n" INDENT "%s\n", r->c->id, r->c->spec, r->reason);
		quote(f, r->c);
	}
}

static void advisories(FILE *f, const struct conform_run *run)
{
	static const char *const cols[4] = {"met", "not met", "n/a", "error"};

	if (!conform_run_count(run, CONFORM_SECTION_ADVISORY))
		return;
	fprintf(f, "\nadvisories: no sentence of the spec requires these, a robust back-end "
		   "meets them;\nnever counted with the verdicts above, never a failure of the "
		   "run\n");
	tally_table(f, run, cols, conform_run_tally_advisories);
	not_passed_list(f, run, CONFORM_SECTION_ADVISORY, "advisories not met:");
}

/* Every observation of the run, under the case that made it; an observation
 * case that could not observe says why, unless it was not run (the
 * "stopped:" line says that once for all). */
static void observations(FILE *f, const struct conform_run *run)
{
	bool any = false;

	for (unsigned i = 0; i < run->nresults; i++) {
		const struct conform_result *r = &run->results[i];
		bool info_case = conform_case_section(r->c) == CONFORM_SECTION_OBSERVATION;
		const char *s = r->info ? r->info : "";

		/* A case not run observed nothing: the "stopped:" line says why. */
		if ((!s[0] && !info_case) || r->not_run)
			continue;
		if (!any)
			fprintf(f, "\nobservations: what the back-end did where the spec leaves it "
				   "open (no verdict)\n");
		any = true;
		fprintf(f, "  %-16s %s\n", r->c->id, r->c->title);
		if (info_case && r->verdict != CONFORM_PASS)
			wrapped(f, "not observed: ", r->reason, "");
		while (*s)
			s = wrapped(f, "", s, "");
	}
}

void conform_report_summary(const struct conform_run *run, FILE *f)
{
	static const char *const cols[4] = {"pass", "fail", "n/a", "error"};

	tally_table(f, run, cols, conform_run_tally);
	not_passed_list(f, run, CONFORM_SECTION_SPEC, "not passed:");
	advisories(f, run);
	observations(f, run);
	if (run->stopped)
		fprintf(f, "\nstopped: %s\n", run->stopped);
	fprintf(f, "\nresult: %s (%.1f s)\n",
		conform_run_exit_code(run) == 2 ? "INCOMPLETE: the run could not be done"
		: conform_run_exit_code(run)
		    ? (run->opts.fail_on ? "FAIL: a MUST requirement or a --fail-on advisory is "
					   "broken or untested"
					 : "FAIL: a MUST requirement is broken or untested")
						: "PASS: every applicable MUST case passed",
		run->seconds);
}
