/* SPDX-License-Identifier: MIT */
/* Verdict aggregation and the exit code's rule; the reports' escaping of
 * strings a case (or a device) put in a reason or trace; report.json's shape;
 * advisories, observations and quotes in each report, apart from the spec
 * verdicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conformance/report.h"
#include "conformance/runner_internal.h"

static const char g_nasty[] = "<script>alert('x')</script> & \"q\" ]]> --> \x01\x1b[31m \xff\xfe "
			      "\xc3\xa9 \xed\xa0\x80 \xf0\x9f\x92\xa5";

#define CASE(i, lvl)                                                                               \
	{                                                                                          \
		.id = i, .title = "title <" i ">", .spec = "spec & sec", .level = lvl,             \
		.description = "desc \"" i "\""                                                    \
	}
static const struct conform_case g_cases[] = {
    CASE("C-1", CONFORM_MUST),
    CASE("C-2", CONFORM_SHOULD),
    CASE("C-3", CONFORM_MUST),
    CASE("C-4", CONFORM_MAY),
};
static const struct conform_suite g_suite = {"s<1>", "suite & co", g_cases, 4,
					     &g_conform_transport_vhost_user};
static const struct conform_suite *const g_suites[] = {&g_suite};

struct fixture {
	struct conform_run run;
	struct conform_result results[4];
	char reproduce[256];
};

static struct fixture *make_run(enum conform_verdict v1, enum conform_verdict v2,
				enum conform_verdict v3, enum conform_verdict v4)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	enum conform_verdict v[] = {v1, v2, v3, v4};

	assert_non_null(fx);
	fx->run.opts.socket_path = "/tmp/x.sock";
	fx->run.opts.target = "vhost-user-blk:/tmp/a b'<c>.sock";
	/* Shell-ready, as the CLI builds it (struct conform_run_opts). */
	snprintf(fx->reproduce, sizeof(fx->reproduce), "--target ");
	conform_shell_word(fx->reproduce, sizeof(fx->reproduce), fx->run.opts.target);
	fx->run.opts.reproduce = fx->reproduce;
	fx->run.opts.suites = g_suites;
	fx->run.opts.nsuites = 1;
	fx->run.results = fx->results;
	fx->run.nresults = 4;
	for (unsigned i = 0; i < 4; i++) {
		fx->results[i].suite = &g_suite;
		fx->results[i].c = &g_cases[i];
		fx->results[i].verdict = v[i];
		fx->results[i].reason = conform_text_clean(g_nasty, strlen(g_nasty), false);
		fx->results[i].trace = conform_text_clean("-> A\n<- B <x>", 13, true);
	}
	return fx;
}

static void free_run(struct fixture *fx)
{
	for (unsigned i = 0; i < 4; i++) {
		free(fx->results[i].reason);
		free(fx->results[i].trace);
	}
	free(fx);
}

static void test_exit_code(void **state)
{
	const enum conform_verdict P = CONFORM_PASS, F = CONFORM_FAIL, N = CONFORM_NOT_APPLICABLE,
				   E = CONFORM_ERROR;
	static const struct {
		enum conform_verdict v[4]; /* MUST, SHOULD, MUST, MAY */
		int code;
	} table[] = {
	    {{P, P, P, P}, 0}, {{P, F, P, F}, 0}, {{P, E, P, E}, 0}, {{N, P, N, P}, 0},
	    {{F, P, P, P}, 1}, {{P, P, E, P}, 1}, {{N, F, F, N}, 1},
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct fixture *fx =
		    make_run(table[i].v[0], table[i].v[1], table[i].v[2], table[i].v[3]);
		struct conform_tally t;

		assert_int_equal(conform_run_exit_code(&fx->run), table[i].code);
		conform_run_tally(&fx->run, NULL, &t);
		assert_int_equal(t.pass + t.fail + t.not_applicable + t.error, 4);
		free_run(fx);
	}
}

static void test_text_clean(void **state)
{
	char *s = conform_text_clean(g_nasty, strlen(g_nasty), false);

	(void)state;
	/* Control bytes and invalid UTF-8 (lone 0xff, a surrogate) become \xNN;
	 * valid multi-byte characters stay. */
	assert_non_null(strstr(s, "\\x01\\x1b[31m \\xff\\xfe \xc3\xa9 \\xed\\xa0\\x80 "
				  "\xf0\x9f\x92\xa5"));
	free(s);
	s = conform_text_clean("a\nb\tc", 5, false);
	assert_string_equal(s, "a\\x0ab\tc");
	free(s);
	s = conform_text_clean("a\nb\0c", 5, true);
	assert_string_equal(s, "a\nb\\x00c");
	free(s);
}

/* Globals, not locals: open_memstream() keeps their addresses until fclose,
 * and gcc's dangling-pointer analysis cannot see that it stops there. */
static char *g_doc;
static size_t g_doc_len;

static char *render(int (*writer)(const struct conform_run *, FILE *), struct fixture *fx)
{
	FILE *f = open_memstream(&g_doc, &g_doc_len);

	assert_non_null(f);
	assert_int_equal(writer(&fx->run, f), 0);
	fclose(f);
	return g_doc;
}

/* No raw markup from any string reaches the document. */
static void assert_escaped(const char *doc);

/* One case of each verdict, rendered by writer, checked for escaping. */
static char *render_mixed(int (*writer)(const struct conform_run *, FILE *), struct fixture **fx)
{
	char *doc;

	*fx = make_run(CONFORM_PASS, CONFORM_FAIL, CONFORM_ERROR, CONFORM_NOT_APPLICABLE);
	doc = render(writer, *fx);
	assert_escaped(doc);
	return doc;
}

static void assert_escaped(const char *doc)
{
	assert_null(strstr(doc, "<script>"));
	assert_null(strstr(doc, "]]>"));
	assert_null(strstr(doc, "\x01"));
	assert_null(strstr(doc, "\xff"));
	assert_null(strstr(doc, "title <C-1>"));
	assert_null(strstr(doc, "s<1>"));
	assert_non_null(strstr(doc, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
				    "&quot;q&quot; ]]&gt;"));
}

static void test_junit(void **state)
{
	struct fixture *fx;
	char *doc = render_mixed(conform_report_junit, &fx);

	(void)state;
	assert_non_null(strstr(doc, "<testsuite name=\"s&lt;1&gt;\" tests=\"4\" failures=\"1\" "
				    "errors=\"1\" skipped=\"1\""));
	assert_non_null(strstr(doc, "name=\"C-1: title &lt;C-1&gt;\""));
	assert_non_null(strstr(doc, "<failure message=\"&lt;script&gt;"));
	assert_non_null(strstr(doc, "<error message=\""));
	assert_non_null(strstr(doc, "<skipped message=\""));
	free(doc);
	free_run(fx);
}

static void test_html(void **state)
{
	struct fixture *fx;
	char *doc = render_mixed(conform_report_html, &fx);

	(void)state;
	/* Self-contained: no external reference of any kind. */
	assert_null(strstr(doc, "src="));
	assert_null(strstr(doc, "href="));
	assert_null(strstr(doc, "@import"));
	/* The failing case shows its trace and how to run it again, the URI
	 * shell-quoted, then HTML-escaped. */
	assert_non_null(strstr(doc, "&lt;- B &lt;x&gt;"));
	assert_non_null(strstr(doc, "storlab conform --target &#39;vhost-user-blk:/tmp/a "
				    "b&#39;\\&#39;&#39;&lt;c&gt;.sock&#39; --case C-2"));
	free(doc);
	free_run(fx);
}

static void test_json(void **state)
{
	struct fixture *fx =
	    make_run(CONFORM_PASS, CONFORM_FAIL, CONFORM_ERROR, CONFORM_NOT_APPLICABLE);
	json_t *j = conform_report_json(&fx->run), *c;

	(void)state;
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "exit_code")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"), "fail")),
			 1);
	c = json_array_get(json_object_get(j, "cases"), 1);
	assert_string_equal(json_string_value(json_object_get(c, "verdict")), "fail");
	assert_string_equal(json_string_value(json_object_get(c, "level")), "SHOULD");
	assert_int_equal(json_array_size(json_object_get(c, "trace")), 2);
	json_decref(j);
	free_run(fx);
}

/* ---- Advisories, observations and quotes: a run of each kind of case ---- */

#define QUOTE_MUST "The device MUST <answer> & go on."
#define QUOTE_ADV  "The back-end may refuse overlapping regions."
#define QUOTE_INFO "The back-end must start a ring upon receiving a kick."
#define NOTE_INFO  "the back-end processed it before the first kick"
#define NOTE_MUST  "the <device> answered 7 & went on"

static const struct conform_case g_mixed_cases[] = {
    {.id = "S-MUST", .title = "a must", .spec = "virtio 1.2 §1", .quote = QUOTE_MUST,
     .level = CONFORM_MUST},
    {.id = "S-ADV-MEM", .title = "overlap", .spec = "vhost-user.rst: Memory", .quote = QUOTE_ADV,
     .level = CONFORM_ADVISORY, .severity = CONFORM_SEV_MEMORY_SAFETY,
     .description = "no sentence requires it"},
    {.id = "S-ADV-ROB", .title = "robust", .spec = "vhost-user.rst: Ring", .quote = "",
     .level = CONFORM_ADVISORY, .severity = CONFORM_SEV_ROBUSTNESS,
     .description = "the spec is silent"},
    {.id = "S-INFO", .title = "first kick", .spec = "vhost-user.rst: Ring states",
     .quote = QUOTE_INFO, .level = CONFORM_INFO},
};
static const struct conform_suite g_mixed = {"mx", "mixed", g_mixed_cases, 4,
					     &g_conform_transport_vhost_user};
static const struct conform_suite *const g_mixed_suites[] = {&g_mixed};

struct mixed {
	struct conform_run run;
	struct conform_result results[4];
};

/* The MUST case passes (with an observation of its own), the memory-safety
 * advisory is not met, the robustness one errs, the observation is made:
 * every verdict a CI would read as red is an advisory's. */
static struct mixed *make_mixed(enum conform_verdict must, enum conform_verdict adv_mem)
{
	struct mixed *m = calloc(1, sizeof(*m));
	const enum conform_verdict v[] = {must, adv_mem, CONFORM_ERROR, CONFORM_PASS};
	const char *const reasons[] = {"", "accepted <overlap>", "timed out", ""};
	const char *const infos[] = {NOTE_MUST, "", "", NOTE_INFO "\nsecond line"};

	assert_non_null(m);
	m->run.opts.socket_path = "/tmp/x.sock";
	m->run.opts.reproduce = "--target x";
	m->run.opts.suites = g_mixed_suites;
	m->run.opts.nsuites = 1;
	m->run.results = m->results;
	m->run.nresults = 4;
	for (unsigned i = 0; i < 4; i++) {
		m->results[i] = (struct conform_result){
		    .suite = &g_mixed,
		    .c = &g_mixed_cases[i],
		    .verdict = v[i],
		    .reason = strdup(v[i] == CONFORM_PASS ? "" : reasons[i][0] ? reasons[i] : "r"),
		    .trace = strdup("-> A"),
		    .info = strdup(infos[i]),
		};
	}
	return m;
}

static void free_mixed(struct mixed *m)
{
	for (unsigned i = 0; i < 4; i++) {
		free(m->results[i].reason);
		free(m->results[i].trace);
		free(m->results[i].info);
	}
	free(m);
}

/* --fail-on: an advisory fails the run only when its severity is named;
 * the memory-safety one is not met and the robustness one errs. */
static void test_fail_on(void **state)
{
	static const struct {
		unsigned fail_on;
		int code;
	} table[] = {
	    {0, 0},
	    {1u << CONFORM_SEV_DATA_SAFETY, 0},
	    {1u << CONFORM_SEV_MEMORY_SAFETY, 1},
	    {1u << CONFORM_SEV_ROBUSTNESS, 1},
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct mixed *m = make_mixed(CONFORM_PASS, CONFORM_FAIL);

		m->run.opts.fail_on = table[i].fail_on;
		assert_int_equal(conform_run_exit_code(&m->run), table[i].code);
		free_mixed(m);
	}
	/* A met memory-safety advisory fails nothing, whatever fail_on says. */
	struct mixed *m = make_mixed(CONFORM_PASS, CONFORM_PASS);

	m->run.opts.fail_on = 1u << CONFORM_SEV_MEMORY_SAFETY;
	assert_int_equal(conform_run_exit_code(&m->run), 0);
	free_mixed(m);
}

static char *render_mixed_run(int (*writer)(const struct conform_run *, FILE *), struct mixed *m)
{
	FILE *f = open_memstream(&g_doc, &g_doc_len);

	assert_non_null(f);
	assert_int_equal(writer(&m->run, f), 0);
	fclose(f);
	return g_doc;
}

static int summary_writer(const struct conform_run *run, FILE *f)
{
	conform_report_summary(run, f);
	return 0;
}

/* A rendered report cut into its three parts (spec verdicts, advisories,
 * observations): part i runs from the first bounds[i][0] to the next
 * bounds[i][1] after it. */
struct parts {
	struct mixed *m;
	char *doc;
	char *part[3];
};

static void parts_render(struct parts *p, int (*writer)(const struct conform_run *, FILE *),
			 enum conform_verdict must, const char *const bounds[3][2])
{
	p->m = make_mixed(must, CONFORM_FAIL);
	p->doc = render_mixed_run(writer, p->m);
	for (unsigned i = 0; i < 3; i++) {
		const char *a = strstr(p->doc, bounds[i][0]), *b;

		assert_non_null(a);
		b = strstr(a + strlen(bounds[i][0]), bounds[i][1]);
		assert_non_null(b);
		p->part[i] = strndup(a, (size_t)(b - a));
	}
}

static void parts_free(struct parts *p)
{
	for (unsigned i = 0; i < 3; i++)
		free(p->part[i]);
	free(p->doc);
	free_mixed(p->m);
}

static void test_sections_tally(void **state)
{
	struct mixed *m = make_mixed(CONFORM_PASS, CONFORM_FAIL);
	struct conform_tally t;

	(void)state;
	/* Advisories never fail a run; the MUST case alone decides. */
	assert_int_equal(conform_run_exit_code(&m->run), 0);
	conform_run_tally(&m->run, NULL, &t);
	assert_int_equal(t.pass, 1);
	assert_int_equal(t.fail + t.error + t.not_applicable, 0);
	conform_run_tally_advisories(&m->run, &g_mixed, &t);
	assert_int_equal(t.pass, 0);
	assert_int_equal(t.fail, 1);
	assert_int_equal(t.error, 1);
	assert_int_equal(conform_run_count(&m->run, CONFORM_SECTION_OBSERVATION), 1);
	assert_string_equal(conform_result_label(&m->results[0]), "PASS");
	assert_string_equal(conform_result_label(&m->results[1]), "advisory not met");
	assert_string_equal(conform_result_label(&m->results[2]), "ERROR");
	assert_string_equal(conform_result_label(&m->results[3]), "observed");
	free_mixed(m);
	m = make_mixed(CONFORM_FAIL, CONFORM_PASS);
	assert_int_equal(conform_run_exit_code(&m->run), 1);
	assert_string_equal(conform_result_label(&m->results[0]), "FAIL");
	assert_string_equal(conform_result_label(&m->results[1]), "met");
	free_mixed(m);
}

static void test_junit_advisories_do_not_fail(void **state)
{
	static const char *const bounds[3][2] = {
	    {"<testsuite name=\"mx\"", "</testsuite>"},
	    {"<testsuite name=\"mx advisories\"", "</testsuite>"},
	    {"<testsuite name=\"mx observations\"", "</testsuite>"},
	};
	struct parts p;
	const char *spec, *adv, *obs;

	(void)state;
	parts_render(&p, conform_report_junit, CONFORM_FAIL, bounds);
	spec = p.part[0];
	adv = p.part[1];
	obs = p.part[2];
	/* The spec verdict: a <failure> with its sentence; CI goes red. */
	assert_non_null(strstr(spec, "tests=\"1\" failures=\"1\" errors=\"0\""));
	assert_non_null(strstr(spec, "<failure message=\"r\" type=\"MUST\">virtio 1.2 §1\n"
				     "The device MUST &lt;answer&gt; &amp; go on.\n"));
	/* Advisories: <skipped> that says "advisory not met", never a failure
	 * or an error, whatever their verdict. */
	assert_non_null(strstr(adv, "tests=\"2\" failures=\"0\" errors=\"0\" skipped=\"2\""));
	assert_null(strstr(adv, "<failure"));
	assert_null(strstr(adv, "<error"));
	assert_non_null(strstr(adv, "<skipped message=\"advisory not met (memory-safety): "
				    "accepted &lt;overlap&gt;\"/>"));
	assert_non_null(strstr(adv, "<skipped message=\"ERROR: timed out\"/>"));
	assert_non_null(strstr(adv, "<property name=\"severity\" value=\"memory-safety\"/>"));
	assert_non_null(strstr(adv, "<property name=\"quote\" value=\"" QUOTE_ADV "\"/>"));
	/* The observation passes, with what it observed. */
	assert_non_null(strstr(obs, "tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\""));
	assert_non_null(strstr(obs, "<system-out>observed:\n" NOTE_INFO "\nsecond line\n"));
	/* A spec case's own observation is with it. */
	assert_non_null(strstr(spec, "the &lt;device&gt; answered 7 &amp; went on"));
	/* The totals add every part up. */
	assert_non_null(strstr(p.doc, "<testsuites name=\"storlab conform\" tests=\"4\" "
				    "failures=\"1\" errors=\"0\" skipped=\"2\""));
	parts_free(&p);
}

static void test_json_sections(void **state)
{
	struct mixed *m = make_mixed(CONFORM_PASS, CONFORM_FAIL);
	json_t *j = conform_report_json(&m->run), *c;

	(void)state;
	assert_int_equal(json_integer_value(json_object_get(j, "exit_code")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "cases")), 1);
	assert_int_equal(json_array_size(json_object_get(j, "advisories")), 2);
	assert_int_equal(json_array_size(json_object_get(j, "observations")), 1);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(j, "summary"), "total")), 1);
	c = json_object_get(j, "advisory_summary");
	assert_int_equal(json_integer_value(json_object_get(c, "not_met")), 1);
	assert_int_equal(json_integer_value(json_object_get(c, "error")), 1);
	assert_null(json_object_get(c, "fail"));

	c = json_array_get(json_object_get(j, "cases"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "quote")), QUOTE_MUST);
	assert_null(json_object_get(c, "severity"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(c, "notes"), 0)),
			    NOTE_MUST);
	c = json_array_get(json_object_get(j, "advisories"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "verdict")), "not_met");
	assert_string_equal(json_string_value(json_object_get(c, "severity")), "memory-safety");
	assert_string_equal(json_string_value(json_object_get(c, "quote")), QUOTE_ADV);
	assert_string_equal(json_string_value(json_object_get(c, "level")), "ADVISORY");
	c = json_array_get(json_object_get(j, "observations"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "verdict")), "observed");
	assert_string_equal(json_string_value(json_object_get(c, "level")), "INFO");
	assert_int_equal(json_array_size(json_object_get(c, "notes")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(c, "notes"), 0)),
			    NOTE_INFO);
	json_decref(j);
	free_mixed(m);
}

/* STORLAB_SAMPLE_REPORT=path: this page is also written there, for the
 * system test that looks at it in a browser (tests/system/
 * test_report_browser.py): it has every section, advisories of two
 * severities included, which a run of the real suites need not have. */
static void write_sample(const char *doc)
{
	const char *path = getenv("STORLAB_SAMPLE_REPORT");
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(doc, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void test_html_sections(void **state)
{
	static const char *const bounds[3][2] = {
	    {"<table id=\"verdicts\">", "</table>"},
	    {"<section id=\"advisories\">", "</section>"},
	    {"<section id=\"observations\">", "</section>"},
	};
	struct parts p;
	const char *verdicts, *adv, *obs, *doc;

	(void)state;
	parts_render(&p, conform_report_html, CONFORM_PASS, bounds);
	doc = p.doc;
	write_sample(doc);
	verdicts = p.part[0];
	adv = p.part[1];
	obs = p.part[2];
	/* Spec verdicts count the MUST case only. */
	assert_non_null(strstr(verdicts, "<th>total</th><td>1</td><td>0</td><td>0</td><td>0</td>"));
	assert_non_null(strstr(adv, "<table id=\"advisory-summary\">"));
	assert_non_null(strstr(adv, "<th>total</th><td>0</td><td>1</td><td>0</td><td>1</td>"));
	assert_non_null(strstr(adv, "<span class=\"v NOTMET\">advisory not met</span> "
				    "<span class=\"sev memory-safety\">memory-safety</span>"));
	assert_non_null(strstr(adv, "<span class=\"sev robustness\">"));
	assert_non_null(strstr(adv, "<blockquote class=\"quote\">" QUOTE_ADV "</blockquote>"));
	assert_non_null(strstr(adv, "id=\"S-ADV-MEM\""));
	assert_null(strstr(adv, "FAIL"));
	assert_non_null(strstr(obs, "id=\"S-INFO\""));
	assert_non_null(strstr(obs, "<li>" NOTE_INFO "</li><li>second line</li>"));
	/* The MUST case's observation: listed here too, under its ID. */
	assert_non_null(strstr(obs, "<b>S-MUST</b>"));
	assert_non_null(strstr(obs, "<li>the &lt;device&gt; answered 7 &amp; went on</li>"));
	/* Each case has one entry (one id) in the page. */
	assert_null(strstr(strstr(doc, "id=\"S-MUST\"") + 1, "id=\"S-MUST\""));
	assert_non_null(strstr(doc, "<blockquote class=\"quote\">The device MUST &lt;answer&gt; "
				    "&amp; go on.</blockquote>"));
	parts_free(&p);
}

static void test_summary_sections(void **state)
{
	static const char *const bounds[3][2] = {
	    {"suite", "\nadvisories:"},
	    {"\nadvisories:", "\nobservations:"},
	    {"\nobservations:", "\nresult:"},
	};
	struct parts p;
	const char *spec, *adv, *obs;

	(void)state;
	parts_render(&p, summary_writer, CONFORM_FAIL, bounds);
	spec = p.part[0];
	adv = p.part[1];
	obs = p.part[2];
	/* The failing spec case with its sentence; no advisory among them. */
	assert_non_null(strstr(spec, "not passed:\n  FAIL  MUST   S-MUST"));
	assert_non_null(strstr(spec, "\"" QUOTE_MUST "\""));
	assert_null(strstr(spec, "S-ADV"));
	assert_non_null(strstr(spec, "total                 0        1        0        0\n"));
	/* Advisories: their own table, "advisory not met", never FAIL. */
	assert_non_null(strstr(adv, "total                 0        1        0        1\n"));
	assert_non_null(strstr(adv, "advisory not met memory-safety S-ADV-MEM"));
	assert_non_null(strstr(adv, "\"" QUOTE_ADV "\""));
	assert_non_null(strstr(adv, "ERROR            robustness    S-ADV-ROB"));
	assert_null(strstr(adv, "FAIL"));
	/* Observations: every case's, the observation case's lines in order. */
	assert_non_null(strstr(obs, "S-INFO           first kick\n        " NOTE_INFO
				    "\n        second line\n"));
	assert_non_null(strstr(obs, "S-MUST           a must\n        " NOTE_MUST "\n"));
	assert_non_null(strstr(p.doc, "result: FAIL"));
	parts_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exit_code),
	    cmocka_unit_test(test_text_clean),
	    cmocka_unit_test(test_junit),
	    cmocka_unit_test(test_html),
	    cmocka_unit_test(test_json),
	    cmocka_unit_test(test_sections_tally),
	    cmocka_unit_test(test_junit_advisories_do_not_fail),
	    cmocka_unit_test(test_json_sections),
	    cmocka_unit_test(test_html_sections),
	    cmocka_unit_test(test_summary_sections),
	    cmocka_unit_test(test_fail_on),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
