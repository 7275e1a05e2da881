/* SPDX-License-Identifier: MIT */
/* The runner against a fake back-end: each case in its own process, verdicts
 * and traces coming back, hangs and crashes turned into ERROR within the
 * deadline, features not offered turned into N/A, and a back-end that goes
 * away (external: the rest is not run, said once; spawned: restarted). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "conformance/runner.h"
#include "fake_backend.h"
#include "util/deadline.h"

static char g_path[64];
static pid_t g_backend;

static enum conform_verdict case_pass(struct conform_ctx *ctx)
{
	struct vhost_fe *fe;
	uint64_t f;

	if (conform_connect(ctx, &fe))
		return conform_error(ctx, "connect");
	if (vhost_fe_get_features(fe, &f) || f != FAKE_FEATURES)
		return conform_fail(ctx, "features 0x%llx", (unsigned long long)f);
	return CONFORM_PASS;
}

static enum conform_verdict case_fail(struct conform_ctx *ctx)
{
	struct vhost_fe *fe;
	uint64_t f;

	conform_note(ctx, "asking for features");
	if (conform_connect(ctx, &fe))
		return conform_error(ctx, "connect");
	vhost_fe_get_features(fe, &f);
	conform_fail(ctx, "the <device> said 0x%llx & \"more\"", (unsigned long long)f);
	/* A second reason does not replace the first. */
	return conform_fail(ctx, "second reason");
}

static enum conform_verdict case_hang(struct conform_ctx *ctx)
{
	(void)ctx;
	for (;;)
		pause();
	return CONFORM_PASS;
}

static enum conform_verdict case_crash(struct conform_ctx *ctx)
{
	conform_note(ctx, "about to crash");
	abort();
}

static enum conform_verdict case_na_at_run(struct conform_ctx *ctx)
{
	return conform_not_applicable(ctx, "decided at run time");
}

static enum conform_verdict case_should_fail(struct conform_ctx *ctx)
{
	return conform_fail(ctx, "a SHOULD");
}

/* Takes the back-end down, as a device that crashes on bad input would. */
static enum conform_verdict case_kill_backend(struct conform_ctx *ctx)
{
	(void)ctx;
	kill(g_backend, SIGKILL);
	return CONFORM_PASS;
}

/* The fake back-end, like ours, serves one connection at a time: the check
 * must hang up the case's connection before asking on a new one. */
static enum conform_verdict case_alive_while_connected(struct conform_ctx *ctx)
{
	struct vhost_fe *fe;
	uint64_t f;

	if (conform_connect(ctx, &fe))
		return conform_error(ctx, "connect");
	if (!conform_backend_alive(ctx))
		return conform_fail(ctx, "not alive");
	if (vhost_fe_get_features(fe, &f) == 0)
		return conform_fail(ctx, "the case's connection still works");
	vhost_fe_close(fe);
	return CONFORM_PASS;
}

static enum conform_verdict case_spam(struct conform_ctx *ctx)
{
	for (int i = 0; i < 100000; i++)
		conform_note(ctx, "line %d of a case that says too much", i);
	return CONFORM_PASS;
}

#define CASE(i, lvl, fn, f)                                                                        \
	{                                                                                          \
		.id = i, .title = "t " i, .spec = "spec", .level = lvl, .description = "d",        \
		.features = f, .run = fn                                                           \
	}

static const struct conform_case g_cases_a[] = {
    CASE("A-PASS", CONFORM_MUST, case_pass, 0),
    CASE("A-FAIL", CONFORM_MUST, case_fail, 0),
    CASE("A-HANG", CONFORM_MUST, case_hang, 0),
    CASE("A-CRASH", CONFORM_MUST, case_crash, 0),
    CASE("A-NA", CONFORM_MUST, case_pass, 1ull << 55),
    CASE("A-NA2", CONFORM_MAY, case_na_at_run, 0),
    CASE("A-SHOULD", CONFORM_SHOULD, case_should_fail, 0),
    CASE("A-SPAM", CONFORM_MAY, case_spam, 0),
    CASE("A-ALIVE", CONFORM_MUST, case_alive_while_connected, 0),
};
static const struct conform_case g_cases_b[] = {
    CASE("B-KILL", CONFORM_MUST, case_kill_backend, 0),
    CASE("B-AFTER", CONFORM_MUST, case_pass, 0),
    CASE("B-NA", CONFORM_MUST, case_pass, 1ull << 55),
    CASE("B-AFTER2", CONFORM_SHOULD, case_pass, 0),
};
static const struct conform_suite g_suite_a = {"a", "suite a", g_cases_a, 9,
					       &g_conform_transport_vhost_user};
static const struct conform_suite g_suite_b = {"b", "suite b", g_cases_b, 4,
					       &g_conform_transport_vhost_user};
static const struct conform_suite *const g_suites[] = {&g_suite_a, &g_suite_b};

static struct conform_run_opts opts(const char *const *ids, unsigned n)
{
	return (struct conform_run_opts){
	    .transport = &g_conform_transport_vhost_user,
	    .socket_path = g_path,
	    .target = "vhost-user-blk:fake",
	    .reproduce = "--target vhost-user-blk:fake",
	    .timeout_ms = 200,
	    .case_deadline_ms = 500,
	    .suites = g_suites,
	    .nsuites = 2,
	    .case_ids = ids,
	    .ncase_ids = n,
	};
}

static const struct conform_result *result(const struct conform_run *run, const char *id)
{
	for (unsigned i = 0; i < run->nresults; i++)
		if (strcmp(run->results[i].c->id, id) == 0)
			return &run->results[i];
	fail_msg("no result for %s", id);
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	snprintf(g_path, sizeof(g_path), "/tmp/sl-ut-conform-%d.sock", getpid());
	g_backend = fake_backend_start(g_path);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_backend_stop(g_backend, g_path);
	return 0;
}

static void test_suite_a(void **state)
{
	struct conform_run_opts o = opts(NULL, 0);
	const char *const sel[] = {"a"};
	struct conform_run *run;
	const struct conform_result *r;
	int64_t t0 = deadline_now_ms();
	char msg[256];

	(void)state;
	o.suite_names = sel;
	o.nsuite_names = 1;
	assert_int_equal(conform_run_execute(&o, &run, msg, sizeof(msg)), 0);
	assert_int_equal(run->nresults, 9);
	assert_int_equal(run->offered.features, FAKE_FEATURES);
	assert_int_equal(run->offered.protocol_features, FAKE_PROTOCOL_FEATURES);

	r = result(run, "A-PASS");
	assert_int_equal(r->verdict, CONFORM_PASS);
	assert_string_equal(r->reason, "");
	assert_non_null(strstr(r->trace, "-> VHOST_USER_GET_FEATURES"));
	assert_non_null(strstr(r->trace, "<- VHOST_USER_GET_FEATURES"));

	r = result(run, "A-FAIL");
	assert_int_equal(r->verdict, CONFORM_FAIL);
	assert_string_equal(r->reason, "the <device> said 0x140000000 & \"more\"");
	assert_non_null(strstr(r->trace, "note: asking for features"));
	assert_non_null(strstr(r->trace, "<- VHOST_USER_GET_FEATURES (1) flags=0x5 size=8 fds=0 |"
					 " 00 00 00 40 01 00 00 00"));

	r = result(run, "A-HANG");
	assert_int_equal(r->verdict, CONFORM_ERROR);
	assert_non_null(strstr(r->reason, "timed out"));
	assert_true(r->seconds >= 0.5 && r->seconds < 3);

	r = result(run, "A-CRASH");
	assert_int_equal(r->verdict, CONFORM_ERROR);
	assert_non_null(strstr(r->reason, "signal 6"));
	/* The trace streamed before the crash is kept. */
	assert_non_null(strstr(r->trace, "note: about to crash"));

	r = result(run, "A-NA");
	assert_int_equal(r->verdict, CONFORM_NOT_APPLICABLE);
	assert_string_equal(r->reason, "not offered: feature bit 55");
	assert_string_equal(r->trace, "");

	r = result(run, "A-NA2");
	assert_int_equal(r->verdict, CONFORM_NOT_APPLICABLE);
	assert_string_equal(r->reason, "decided at run time");

	r = result(run, "A-SPAM");
	assert_int_equal(r->verdict, CONFORM_PASS);
	assert_true(strlen(r->trace) < 300 * 1024);
	assert_non_null(strstr(r->trace, "trace lines dropped"));

	r = result(run, "A-ALIVE");
	assert_int_equal(r->verdict, CONFORM_PASS);
	assert_non_null(strstr(r->trace, "hung up the case's connection 1 first"));

	/* MUST FAIL and ERROR: exit 1. */
	assert_int_equal(conform_run_exit_code(run), 1);
	assert_true(deadline_now_ms() - t0 < 10000);
	conform_run_free(run);
}

static void test_should_only(void **state)
{
	const char *const ids[] = {"A-PASS", "A-SHOULD", "A-NA"};
	struct conform_run_opts o = opts(ids, 3);
	struct conform_run *run;
	struct conform_tally t;
	char msg[256];

	(void)state;
	assert_int_equal(conform_run_execute(&o, &run, msg, sizeof(msg)), 0);
	assert_int_equal(run->nresults, 3);
	conform_run_tally(run, &g_suite_a, &t);
	assert_int_equal(t.pass, 1);
	assert_int_equal(t.fail, 1);
	assert_int_equal(t.not_applicable, 1);
	assert_int_equal(t.error, 0);
	/* A SHOULD failure is reported, not fatal; an N/A MUST is no failure. */
	assert_int_equal(conform_run_exit_code(run), 0);
	conform_run_free(run);
}

static void test_bad_selection(void **state)
{
	const char *const ids[] = {"A-PASS", "NO-SUCH"};
	struct conform_run_opts o = opts(ids, 2);
	struct conform_run *run = NULL;
	char msg[256];

	(void)state;
	assert_int_equal(conform_run_execute(&o, &run, msg, sizeof(msg)), -ENOENT);
	assert_null(run);
	assert_string_equal(msg, "no case 'NO-SUCH'");
}

static void test_unreachable(void **state)
{
	struct conform_run_opts o = opts(NULL, 0);
	struct conform_run *run = NULL;
	char msg[256];

	(void)state;
	o.socket_path = "/tmp/sl-ut-conform-nobody.sock";
	assert_true(conform_run_execute(&o, &run, msg, sizeof(msg)) < 0);
	assert_null(run);
	assert_non_null(strstr(msg, "does not answer"));
}

static unsigned g_progress_before, g_progress_after;

static void count_progress(void *arg, unsigned i, unsigned n, const struct conform_case *c,
			   const struct conform_result *r)
{
	(void)arg;
	(void)i;
	(void)n;
	(void)c;
	if (r)
		g_progress_after++;
	else
		g_progress_before++;
}

/* An external back-end that dies: the case that took it down fails, the
 * rest is not run, said once for the run (not once per case), and the run
 * could not be done (exit code 2). */
static void test_backend_gone_external(void **state)
{
	const char *const sel[] = {"b"};
	struct conform_run_opts o = opts(NULL, 0);
	struct conform_run *run;
	const struct conform_result *r;
	struct conform_tally t;
	char msg[256];

	(void)state;
	o.suite_names = sel;
	o.nsuite_names = 1;
	o.restart_hint = "use --spawn-cmd to restart it per case";
	o.progress = count_progress;
	assert_int_equal(conform_run_execute(&o, &run, msg, sizeof(msg)), 0);
	r = result(run, "B-KILL");
	assert_int_equal(r->verdict, CONFORM_FAIL);
	assert_non_null(strstr(r->reason, "stopped serving"));
	assert_false(r->not_run);
	r = result(run, "B-AFTER");
	assert_int_equal(r->verdict, CONFORM_ERROR);
	assert_true(r->not_run);
	assert_string_equal(r->reason, "not run: back-end gone after B-KILL");
	assert_string_equal(r->trace, "");
	assert_true(result(run, "B-AFTER2")->not_run);
	/* What is not offered is N/A, gone or not. */
	r = result(run, "B-NA");
	assert_int_equal(r->verdict, CONFORM_NOT_APPLICABLE);
	assert_false(r->not_run);
	assert_int_equal(run->not_run, 2);
	assert_string_equal(run->stopped,
			    "back-end gone after B-KILL, 2 cases not run: it was started outside "
			    "this run, so it cannot be restarted (use --spawn-cmd to restart it "
			    "per case)");
	/* Progress for the case that ran only. */
	assert_int_equal(g_progress_before, 1);
	assert_int_equal(g_progress_after, 1);
	/* Not run counts as an error in the tallies, and the run could not be
	 * done. */
	conform_run_tally(run, NULL, &t);
	assert_int_equal(t.fail, 1);
	assert_int_equal(t.error, 2);
	assert_int_equal(t.not_applicable, 1);
	assert_int_equal(conform_run_exit_code(run), 2);
	conform_run_free(run);
	waitpid(g_backend, NULL, 0);
	g_backend = fake_backend_start(g_path);
}

/* The last case that runs takes it down (what follows is N/A anyway):
 * every case got its verdict, nothing is "not run". */
static void test_backend_gone_last(void **state)
{
	const char *const ids[] = {"B-KILL", "B-NA"};
	struct conform_run_opts o = opts(ids, 2);
	struct conform_run *run;
	char msg[256];

	(void)state;
	assert_int_equal(conform_run_execute(&o, &run, msg, sizeof(msg)), 0);
	assert_int_equal(result(run, "B-KILL")->verdict, CONFORM_FAIL);
	assert_int_equal(result(run, "B-NA")->verdict, CONFORM_NOT_APPLICABLE);
	assert_int_equal(run->not_run, 0);
	assert_null(run->stopped);
	assert_int_equal(conform_run_exit_code(run), 1);
	conform_run_free(run);
	waitpid(g_backend, NULL, 0);
	g_backend = fake_backend_start(g_path);
}

static int g_restarts;

static int restart(void *arg)
{
	(void)arg;
	g_restarts++;
	waitpid(g_backend, NULL, 0);
	g_backend = fake_backend_start(g_path);
	return 0;
}

static void test_backend_restarted(void **state)
{
	const char *const sel[] = {"b"};
	struct conform_run_opts o = opts(NULL, 0);
	struct conform_run *run;
	char msg[256];

	(void)state;
	o.suite_names = sel;
	o.nsuite_names = 1;
	o.restart = restart;
	assert_int_equal(conform_run_execute(&o, &run, msg, sizeof(msg)), 0);
	assert_int_equal(g_restarts, 1);
	assert_int_equal(result(run, "B-KILL")->verdict, CONFORM_FAIL);
	assert_int_equal(result(run, "B-AFTER")->verdict, CONFORM_PASS);
	assert_int_equal(result(run, "B-AFTER2")->verdict, CONFORM_PASS);
	assert_null(run->stopped);
	conform_run_free(run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_suite_a),
	    cmocka_unit_test(test_should_only),
	    cmocka_unit_test(test_bad_selection),
	    cmocka_unit_test(test_unreachable),
	    cmocka_unit_test(test_backend_gone_external),
	    cmocka_unit_test(test_backend_gone_last),
	    cmocka_unit_test(test_backend_restarted),
	};

	/* The fake back-end and the cases write to sockets that may be gone. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
