/* SPDX-License-Identifier: MIT */
/* conform_info() through the runner: observations come back from the case's
 * process apart from the trace (and in it, where they happened), whatever
 * the verdict, also from a case that then crashes; an advisory that is not
 * met and an observation never fail the run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conformance/runner.h"
#include "fake_backend.h"

static enum conform_verdict case_observe(struct conform_ctx *ctx)
{
	conform_note(ctx, "before");
	conform_info(ctx, "the back-end did %s", "this");
	conform_note(ctx, "between");
	conform_info(ctx, "and then \x01that");
	return CONFORM_PASS;
}

static enum conform_verdict case_observe_then_fail(struct conform_ctx *ctx)
{
	conform_info(ctx, "it answered %d", 7);
	return conform_fail(ctx, "but wrongly");
}

static enum conform_verdict case_observe_then_crash(struct conform_ctx *ctx)
{
	conform_info(ctx, "seen before the crash");
	abort();
}

static enum conform_verdict case_plain(struct conform_ctx *ctx)
{
	conform_note(ctx, "nothing observed");
	return CONFORM_PASS;
}

static const struct conform_case g_cases[] = {
    {.id = "I-OBS", .title = "t", .spec = "s", .level = CONFORM_INFO, .run = case_observe},
    {.id = "I-ADV", .title = "t", .spec = "s", .level = CONFORM_ADVISORY,
     .severity = CONFORM_SEV_ROBUSTNESS, .run = case_observe_then_fail},
    {.id = "I-CRASH", .title = "t", .spec = "s", .level = CONFORM_INFO,
     .run = case_observe_then_crash},
    {.id = "I-PLAIN", .title = "t", .spec = "s", .level = CONFORM_MUST, .run = case_plain},
};
static const struct conform_suite g_suite = {"i", "info", g_cases, 4,
					     &g_conform_transport_vhost_user};
static const struct conform_suite *const g_suites[] = {&g_suite};

static void test_info_comes_back(void **state)
{
	char path[64];
	pid_t backend;
	struct conform_run_opts o = {
	    .transport = &g_conform_transport_vhost_user,
	    .socket_path = path,
	    .timeout_ms = 200,
	    .case_deadline_ms = 2000,
	    .suites = g_suites,
	    .nsuites = 1,
	};
	struct conform_run *run;
	const struct conform_result *r;
	char msg[256];

	(void)state;
	snprintf(path, sizeof(path), "/tmp/sl-ut-info-%d.sock", getpid());
	backend = fake_backend_start(path);
	assert_int_equal(conform_run_execute(&o, &run, msg, sizeof(msg)), 0);
	fake_backend_stop(backend, path);
	assert_int_equal(run->nresults, 4);

	r = &run->results[0];
	assert_int_equal(r->verdict, CONFORM_PASS);
	/* Cleaned as the trace is: a control byte becomes \xNN. */
	assert_string_equal(r->info, "the back-end did this\nand then \\x01that");
	assert_non_null(strstr(r->trace, "note: before\ninfo: the back-end did this\n"
					 "note: between\ninfo: and then \\x01that"));
	assert_string_equal(conform_result_label(r), "observed");

	r = &run->results[1];
	assert_int_equal(r->verdict, CONFORM_FAIL);
	assert_string_equal(r->reason, "but wrongly");
	assert_string_equal(r->info, "it answered 7");
	assert_string_equal(conform_result_label(r), "advisory not met");

	r = &run->results[2];
	assert_int_equal(r->verdict, CONFORM_ERROR);
	assert_string_equal(r->info, "seen before the crash");

	r = &run->results[3];
	assert_string_equal(r->info, "");
	assert_null(strstr(r->trace, "info:"));

	/* Neither the unmet advisory nor the observation that could not be
	 * made fails the run; the MUST case passed. */
	assert_int_equal(conform_run_exit_code(run), 0);
	conform_run_free(run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_info_comes_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
