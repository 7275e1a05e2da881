/* SPDX-License-Identifier: MIT */
/* `storlab conform --spawn-cmd` below the CLI: a shell command that serves
 * {sock}, run by lib/endpoint with the vhost-user transport's probe as its
 * ready hook, brought back by the runner (through endpoint_restart) after a
 * case took it down, and stopped as a whole process group. The back-end is
 * this very binary run as `test_spawn serve PATH`: the fake back-end of the
 * runner tests, in a process of its own and a child of that (as a wrapper
 * script's would be). lib/endpoint's own tests are tests/unit/endpoint. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conformance/runner_internal.h"
#include "endpoint/endpoint.h"
#include "tests/unit/endpoint/pidfile.h"
#include "fake_backend.h"
#include "util/deadline.h"

static char g_self[PATH_MAX];
static char g_pids[64]; /* the shells' pids, one a line, as the command writes them */
static char g_cmd[2 * PATH_MAX];

static pid_t last_pid(void)
{
	return pidfile_last(g_pids);
}

static bool serves(const char *sock)
{
	struct conform_offer offer;

	return g_conform_transport_vhost_user.probe(sock, 500, &offer) == 0 &&
	       offer.features == FAKE_FEATURES;
}

static int setup(void **state)
{
	(void)state;
	snprintf(g_pids, sizeof(g_pids), "/tmp/sl-ut-spawn-%d.pids", getpid());
	/* The shell writes its pid and execs the back-end, which forks the
	 * process that serves: two processes in the group. */
	snprintf(g_cmd, sizeof(g_cmd), "echo $$ >> %s && exec '%s' serve {sock}", g_pids, g_self);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(g_pids);
	return 0;
}

/* Takes the back-end's whole group down, as a crash would. */
static enum conform_verdict case_kill(struct conform_ctx *ctx)
{
	(void)ctx;
	kill(-last_pid(), SIGKILL);
	return CONFORM_PASS;
}

static enum conform_verdict case_pass(struct conform_ctx *ctx)
{
	struct vhost_fe *fe;
	uint64_t f;

	if (conform_connect(ctx, &fe) || vhost_fe_get_features(fe, &f))
		return conform_fail(ctx, "not served");
	return CONFORM_PASS;
}

static const struct conform_case g_cases[] = {
    {.id = "S-KILL",
     .title = "t",
     .spec = "s",
     .level = CONFORM_MUST,
     .description = "d",
     .run = case_kill},
    {.id = "S-AFTER",
     .title = "t",
     .spec = "s",
     .level = CONFORM_MUST,
     .description = "d",
     .run = case_pass},
};
static const struct conform_suite g_suite = {"s", "suite s", g_cases, 2,
					     &g_conform_transport_vhost_user};
static const struct conform_suite *const g_suites[] = {&g_suite};

static int probe(void *arg, struct endpoint *ep, int timeout_ms)
{
	struct conform_offer offer;
	const char *address;
	char uri[256], err[256];

	(void)arg;
	assert_int_equal(endpoint_uri(ep, NULL, uri, sizeof(uri), err, sizeof(err)), 0);
	assert_ptr_equal(conform_transport_for_uri(uri, &address), &g_conform_transport_vhost_user);
	return g_conform_transport_vhost_user.probe(address, timeout_ms, &offer);
}

static int restart(void *arg)
{
	char err[256];

	return endpoint_restart(arg, err, sizeof(err));
}

/* The runner brings the command back after the case that killed it, through
 * the restart --spawn-tgt uses too. */
static void test_restart_in_run(void **state)
{
	const struct endpoint_config cfg = {
	    .name = "backend",
	    .command = g_cmd,
	    .scheme = "vhost-user-blk",
	    .start_timeout_ms = 10000,
	    .ready = probe,
	};
	struct endpoint *ep;
	struct conform_run *run;
	pid_t first;
	char msg[256], uri[256];
	const char *sock;

	(void)state;
	assert_int_equal(endpoint_create(&g_endpoint_command, &cfg, &ep, msg, sizeof(msg)), 0);
	assert_int_equal(endpoint_start(ep, msg, sizeof(msg)), 0);
	assert_int_equal(endpoint_uri(ep, NULL, uri, sizeof(uri), msg, sizeof(msg)), 0);
	first = last_pid();
	sock = strchr(uri, ':') + 1;
	assert_true(serves(sock));
	struct conform_run_opts o = {
	    .transport = &g_conform_transport_vhost_user,
	    .socket_path = sock,
	    .target = "fake (--spawn-cmd)",
	    .reproduce = "--spawn-cmd fake",
	    .timeout_ms = 200,
	    .case_deadline_ms = 2000,
	    .suites = g_suites,
	    .nsuites = 1,
	    .restart = restart,
	    .restart_arg = ep,
	};
	assert_int_equal(conform_run_execute(&o, &run, msg, sizeof(msg)), 0);
	assert_int_equal(run->results[0].verdict, CONFORM_FAIL);
	assert_non_null(strstr(run->results[0].reason, "stopped serving"));
	assert_int_equal(run->results[1].verdict, CONFORM_PASS);
	assert_int_equal(endpoint_restarts(ep), 1);
	assert_int_not_equal(last_pid(), first);
	assert_true(serves(sock));
	conform_run_free(run);
	/* Ended by our SIGTERM: stopped as asked; the group and the socket go. */
	first = last_pid();
	assert_int_equal(endpoint_stop(ep), 0);
	assert_int_equal(kill(-first, 0), -1);
	assert_int_equal(access(sock, F_OK), -1);
	endpoint_destroy(ep);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_restart_in_run),
	};

	/* As the back-end: serve until killed. */
	if (argc == 3 && strcmp(argv[1], "serve") == 0) {
		waitpid(fake_backend_start(argv[2]), NULL, 0);
		return 0;
	}
	if (!realpath(argv[0], g_self))
		return 1;
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
