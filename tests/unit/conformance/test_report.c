/* SPDX-License-Identifier: MIT */
/* Verdict aggregation and the exit code's rule; the reports' escaping of
 * strings a case (or a device) put in a reason or trace; report.json's shape. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exit_code), cmocka_unit_test(test_text_clean),
	    cmocka_unit_test(test_junit),     cmocka_unit_test(test_html),
	    cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
