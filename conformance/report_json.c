/* SPDX-License-Identifier: MIT */
/* report.json (and `storlab conform --json`): the whole run, machine-readable.
 * Field meanings: docs/man/storlab-conform.md. */
#include <string.h>
#include <time.h>

#include "conformance/report.h"
#include "storlab/initiator.h"

static const char *const g_verdict_keys[] = {
    [CONFORM_PASS] = "pass",
    [CONFORM_FAIL] = "fail",
    [CONFORM_NOT_APPLICABLE] = "not_applicable",
    [CONFORM_ERROR] = "error",
};

static json_t *feature_group(uint64_t bits, const char *(*name_of)(unsigned))
{
	char hex[24];
	json_t *names = json_array();

	for (unsigned b = 0; b < 64; b++) {
		const char *n;
		char buf[16];

		if (!(bits & (1ull << b)))
			continue;
		n = name_of(b);
		if (!n) {
			snprintf(buf, sizeof(buf), "bit %u", b);
			n = buf;
		}
		json_array_append_new(names, json_string(n));
	}
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)bits);
	return json_pack("{s:s,s:o}", "bits", hex, "names", names);
}

static json_t *tally_json(const struct conform_tally *t)
{
	return json_pack("{s:i,s:i,s:i,s:i,s:i}", "total",
			 t->pass + t->fail + t->not_applicable + t->error, "pass", t->pass, "fail",
			 t->fail, "not_applicable", t->not_applicable, "error", t->error);
}

/* The trace as an array of lines: easier to read in a JSON viewer than one
 * string full of \n. */
static json_t *trace_json(const char *trace)
{
	json_t *a = json_array();

	while (*trace) {
		size_t n = strcspn(trace, "\n");

		json_array_append_new(a, json_stringn(trace, n));
		trace += n + (trace[n] == '\n');
	}
	return a;
}

static json_t *case_json(const struct conform_result *r)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:f,s:o}", "id", r->c->id, "suite",
			 r->suite->name, "title", r->c->title, "spec", r->c->spec, "level",
			 conform_level_name(r->c->level), "verdict", g_verdict_keys[r->verdict],
			 "reason", r->reason, "not_run", r->not_run, "seconds", r->seconds, "trace",
			 trace_json(r->trace));
}

json_t *conform_report_json(const struct conform_run *run)
{
	const struct conform_run_opts *o = &run->opts;
	json_t *suites = json_array(), *cases = json_array(), *j;
	struct conform_tally t;
	char started[32];
	struct tm tm;
	time_t when = run->started_unix;

	gmtime_r(&when, &tm);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (unsigned s = 0; s < o->nsuites; s++) {
		conform_run_tally(run, o->suites[s], &t);
		json_array_append_new(suites, json_pack("{s:s,s:s,s:o}", "name", o->suites[s]->name,
							"description", o->suites[s]->description,
							"summary", tally_json(&t)));
	}
	for (unsigned i = 0; i < run->nresults; i++)
		json_array_append_new(cases, case_json(&run->results[i]));
	conform_run_tally(run, NULL, &t);
	j = json_pack(
	    "{s:s,s:s,s:f,s:s,s:s,s:i,s:i,s:{s:o,s:o},s:i,s:o,s:o,s:o}", "tool", "storlab conform",
	    "started", started, "seconds", run->seconds, "target",
	    o->target ? o->target : o->socket_path, "socket", o->socket_path, "timeout_ms",
	    o->timeout_ms, "case_deadline_ms", o->case_deadline_ms, "offered", "features",
	    feature_group(run->offered.features, storlab_feature_name), "protocol_features",
	    feature_group(run->offered.protocol_features, storlab_protocol_feature_name),
	    "exit_code", conform_run_exit_code(run), "summary", tally_json(&t), "suites", suites,
	    "cases", cases);
	json_object_set_new(j, "stopped", run->stopped ? json_string(run->stopped) : json_null());
	return j;
}
