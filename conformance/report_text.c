/* SPDX-License-Identifier: MIT */
/* The summary for people at the end of `storlab conform`. */
#include "conformance/report.h"

void conform_report_summary(const struct conform_run *run, FILE *f)
{
	const struct conform_run_opts *o = &run->opts;
	struct conform_tally t;
	bool any = false;

	fprintf(f, "%-14s %6s %6s %6s %6s\n", "suite", "pass", "fail", "n/a", "error");
	for (unsigned s = 0; s <= o->nsuites; s++) {
		const struct conform_suite *suite = s < o->nsuites ? o->suites[s] : NULL;

		conform_run_tally(run, suite, &t);
		fprintf(f, "%-14s %6u %6u %6u %6u\n", suite ? suite->name : "total", t.pass, t.fail,
			t.not_applicable, t.error);
	}
	for (unsigned i = 0; i < run->nresults; i++) {
		const struct conform_result *r = &run->results[i];

		/* Cases not run are one line below, not one each. */
		if ((r->verdict != CONFORM_FAIL && r->verdict != CONFORM_ERROR) || r->not_run)
			continue;
		if (!any)
			fprintf(f, "\nnot passed:\n");
		any = true;
		fprintf(f, "  %-5s %-6s %-16s %s\n        %s\n", conform_verdict_name(r->verdict),
			conform_level_name(r->c->level), r->c->id, r->c->spec, r->reason);
	}
	if (run->stopped)
		fprintf(f, "\nstopped: %s\n", run->stopped);
	fprintf(f, "\nresult: %s (%.1f s)\n",
		conform_run_exit_code(run) == 2 ? "INCOMPLETE: the run could not be done"
		: conform_run_exit_code(run)	? "FAIL: a MUST requirement is broken or untested"
						: "PASS: every applicable MUST case passed",
		run->seconds);
}
