/* SPDX-License-Identifier: MIT */
/* report.json (and `storlab conform --json`): the whole run, machine-readable.
 * Field meanings: docs/man/storlab-conform.md. */
#include <string.h>
#include <time.h>

#include "conformance/report.h"
#include "storlab/virtio_blk.h"
#include "util/common.h"

/* A verdict's key in each part of the report (runner.h conform_result_label
 * in words for machines): an unmet advisory is "not_met", never "fail". */
static const char *verdict_key(const struct conform_result *r)
{
	static const char *const keys[] = {
	    [CONFORM_PASS] = "pass",
	    [CONFORM_FAIL] = "fail",
	    [CONFORM_NOT_APPLICABLE] = "not_applicable",
	    [CONFORM_ERROR] = "error",
	};
	enum conform_section sec = conform_case_section(r->c);

	if (sec == CONFORM_SECTION_ADVISORY && r->verdict == CONFORM_PASS)
		return "met";
	if (sec == CONFORM_SECTION_ADVISORY && r->verdict == CONFORM_FAIL)
		return "not_met";
	if (sec == CONFORM_SECTION_OBSERVATION && r->verdict == CONFORM_PASS)
		return "observed";
	return (unsigned)r->verdict < ARRAY_SIZE(keys) ? keys[r->verdict] : "?";
}

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

static json_t *tally_json(const struct conform_tally *t, const char *pass, const char *fail)
{
	return json_pack("{s:i,s:i,s:i,s:i,s:i}", "total",
			 t->pass + t->fail + t->not_applicable + t->error, pass, t->pass, fail,
			 t->fail, "not_applicable", t->not_applicable, "error", t->error);
}

static json_t *spec_tally_json(const struct conform_run *run, const struct conform_suite *suite)
{
	struct conform_tally t;

	conform_run_tally(run, suite, &t);
	return tally_json(&t, "pass", "fail");
}

static json_t *advisory_tally_json(const struct conform_run *run, const struct conform_suite *suite)
{
	struct conform_tally t;

	conform_run_tally_advisories(run, suite, &t);
	return tally_json(&t, "met", "not_met");
}

/* Lines as an array: easier to read in a JSON viewer than one string full
 * of \n. NULL is no line. */
static json_t *lines_json(const char *s)
{
	json_t *a = json_array();

	while (s && *s) {
		size_t n = strcspn(s, "\n");

		json_array_append_new(a, json_stringn(s, n));
		s += n + (s[n] == '\n');
	}
	return a;
}

static json_t *case_json(const struct conform_result *r)
{
	json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:f,s:o,s:o}", "id", r->c->id,
			      "suite", r->suite->name, "title", r->c->title, "spec", r->c->spec,
			      "quote", r->c->quote ? r->c->quote : "", "level",
			      conform_level_name(r->c->level), "verdict", verdict_key(r), "reason",
			      r->reason, "not_run", r->not_run, "seconds", r->seconds, "notes",
			      lines_json(r->info), "trace", lines_json(r->trace));

	if (j && r->c->level == CONFORM_ADVISORY)
		json_object_set_new(j, "severity",
				    json_string(conform_severity_name(r->c->severity)));
	return j;
}

/* The severities whose unmet advisories fail the run (--fail-on). */
static json_t *fail_on_json(unsigned fail_on)
{
	json_t *a = json_array();

	for (unsigned s = CONFORM_SEV_MEMORY_SAFETY; s <= CONFORM_SEV_ROBUSTNESS; s++)
		if (fail_on & (1u << s))
			json_array_append_new(a, json_string(conform_severity_name(s)));
	return a;
}

json_t *conform_report_json(const struct conform_run *run)
{
	const struct conform_run_opts *o = &run->opts;
	json_t *suites = json_array(), *j;
	/* One array per part of the report (enum conform_section). */
	json_t *parts[] = {
	    [CONFORM_SECTION_SPEC] = json_array(),
	    [CONFORM_SECTION_ADVISORY] = json_array(),
	    [CONFORM_SECTION_OBSERVATION] = json_array(),
	};
	char started[32];
	struct tm tm;
	time_t when = run->started_unix;

	gmtime_r(&when, &tm);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (unsigned s = 0; s < o->nsuites; s++)
		if (conform_run_has_suite(run, o->suites[s]))
			json_array_append_new(
		    suites, json_pack("{s:s,s:s,s:o,s:o}", "name", o->suites[s]->name,
				      "description", o->suites[s]->description, "summary",
				      spec_tally_json(run, o->suites[s]), "advisory_summary",
				      advisory_tally_json(run, o->suites[s])));
	for (unsigned i = 0; i < run->nresults; i++)
		json_array_append_new(parts[conform_case_section(run->results[i].c)],
				      case_json(&run->results[i]));
	j = json_pack(
	    "{s:s,s:s,s:f,s:s,s:s,s:i,s:i,s:{s:o,s:o},s:i,s:o,s:o,s:o,s:o,s:o,s:o}", "tool",
	    "storlab conform", "started", started, "seconds", run->seconds, "target",
	    o->target ? o->target : o->socket_path, "socket", o->socket_path, "timeout_ms",
	    o->timeout_ms, "case_deadline_ms", o->case_deadline_ms, "offered", "features",
	    feature_group(run->offered.features, o->transport && o->transport->feature_name
						       ? o->transport->feature_name
						       : storlab_feature_name), "protocol_features",
	    feature_group(run->offered.protocol_features, storlab_protocol_feature_name),
	    "exit_code", conform_run_exit_code(run), "summary", spec_tally_json(run, NULL),
	    "advisory_summary", advisory_tally_json(run, NULL), "suites", suites, "cases",
	    parts[CONFORM_SECTION_SPEC], "advisories", parts[CONFORM_SECTION_ADVISORY],
	    "observations", parts[CONFORM_SECTION_OBSERVATION]);
	json_object_set_new(j, "stopped", run->stopped ? json_string(run->stopped) : json_null());
	json_object_set_new(j, "fail_on", fail_on_json(run->opts.fail_on));
	return j;
}
