/* SPDX-License-Identifier: MIT */
/* `storlab conform --spawn-cmd` below the CLI (conformance/runner_spawn.c): a
 * shell command that serves {sock} is started and waited for, brought back by
 * the runner after a case took it down (the same restart as --spawn-tgt), and
 * stopped as a whole process group. The back-end is this very binary run as
 * `test_spawn serve PATH`: the fake back-end of the runner tests, in a
 * process of its own and a child of that (as a wrapper script's would be). */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conformance/runner_internal.h"
#include "fake_backend.h"
#include "util/deadline.h"

static char g_self[PATH_MAX];
static char g_pids[64]; /* the shells' pids, one a line, as the command writes them */
static char g_cmd[2 * PATH_MAX];

/* The pid the back-end's command wrote last: its process group. */
static pid_t last_pid(void)
{
	FILE *f = fopen(g_pids, "r");
	int pid = 0, p;

	assert_non_null(f);
	while (fscanf(f, "%d", &p) == 1)
		pid = p;
	fclose(f);
	assert_true(pid > 0);
	return pid;
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

static void test_start_stop(void **state)
{
	struct conform_spawn *sp;
	char sock[128];
	pid_t pid;

	(void)state;
	assert_int_equal(conform_spawn_cmd(g_cmd, NULL, 1000, &sp), 0);
	snprintf(sock, sizeof(sock), "%s", conform_spawn_socket(sp));
	assert_non_null(strstr(sock, "/tmp/storlab-conform-"));
	assert_true(serves(sock));
	assert_string_equal(conform_spawn_name(sp), "the --spawn-cmd back-end");
	assert_int_equal(conform_spawn_restarts(sp), 0);
	pid = last_pid();
	/* Ended by our SIGTERM: stopped as asked. */
	assert_int_equal(conform_spawn_stop(sp), 0);
	/* The whole group is gone (the serving child too), and so is the socket
	 * with its directory. */
	assert_int_equal(kill(-pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(access(sock, F_OK), -1);
	*strrchr(sock, '/') = 0;
	assert_int_equal(access(sock, F_OK), -1);
}

static void test_bad_commands(void **state)
{
	struct conform_spawn *sp = NULL;
	int64_t t0;

	(void)state;
	/* Without {sock} there is nowhere to connect. */
	assert_int_equal(conform_spawn_cmd("true", NULL, 1000, &sp), -EINVAL);
	/* A back-end that exits while starting is reported at once, not after
	 * the start-up wait. */
	t0 = deadline_now_ms();
	assert_int_equal(conform_spawn_cmd("exit 3 {sock}", NULL, 1000, &sp), -ECHILD);
	assert_true(deadline_now_ms() - t0 < 5000);
	assert_null(sp);
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

/* The runner brings the command back after the case that killed it, through
 * the restart --spawn-tgt uses too. */
static void test_restart_in_run(void **state)
{
	struct conform_spawn *sp;
	struct conform_run *run;
	pid_t first;
	char msg[256];

	(void)state;
	assert_int_equal(conform_spawn_cmd(g_cmd, NULL, 1000, &sp), 0);
	first = last_pid();
	struct conform_run_opts o = {
	    .transport = &g_conform_transport_vhost_user,
	    .socket_path = conform_spawn_socket(sp),
	    .target = "fake (--spawn-cmd)",
	    .reproduce = "--spawn-cmd fake",
	    .timeout_ms = 200,
	    .case_deadline_ms = 2000,
	    .suites = g_suites,
	    .nsuites = 1,
	    .restart = conform_spawn_restart,
	    .restart_arg = sp,
	};
	assert_int_equal(conform_run_execute(&o, &run, msg, sizeof(msg)), 0);
	assert_int_equal(run->results[0].verdict, CONFORM_FAIL);
	assert_non_null(strstr(run->results[0].reason, "stopped serving"));
	assert_int_equal(run->results[1].verdict, CONFORM_PASS);
	assert_int_equal(conform_spawn_restarts(sp), 1);
	assert_int_not_equal(last_pid(), first);
	assert_true(serves(conform_spawn_socket(sp)));
	conform_run_free(run);
	assert_int_equal(conform_spawn_stop(sp), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_start_stop),
	    cmocka_unit_test(test_bad_commands),
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
