/* SPDX-License-Identifier: MIT */
/*
 * lib/endpoint: every kind started, waited for, watched, restarted and
 * stopped as a whole process group, against stand-ins played by this very
 * binary:
 *   test_endpoint serve PATH [DELAY_MS]   listens on PATH (after DELAY_MS)
 *                                         in a child of its own, accepts
 *                                         and hangs up until killed
 *   test_endpoint -m MASK -S DIR ...      storlab-tgt: its command line, and
 *                                         the JSON-RPC methods the kind uses
 *   test_endpoint --blockdev B --export E qemu-storage-daemon: serves the
 *                                         export's addr.path
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "endpoint/endpoint.h"
#include "tests/unit/endpoint/pidfile.h"
#include "rpc/rpc.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/evloop.h"

static char g_self[PATH_MAX];
static char g_dir[64];	      /* each test's DIR for endpoint_config.dir */
static char g_pids[PATH_MAX]; /* the shells' pids, one a line, as commands write them */

/* ---- the stand-ins ---- */

static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0)
		exit(3);
	return fd;
}

/* Serves in a child, so that the group has two processes, as a wrapper
 * script's would; the parent waits for it. */
static int serve(const char *path, int delay_ms)
{
	int fd;
	pid_t pid;

	nanosleep(&(struct timespec){delay_ms / 1000, (delay_ms % 1000) * 1000000L}, NULL);
	fd = listen_on(path);
	pid = fork();
	if (pid == 0) {
		for (;;) {
			int c = accept(fd, NULL, NULL);

			if (c >= 0)
				close(c);
		}
	}
	waitpid(pid, NULL, 0);
	return 0;
}

static const char *arg_after(int argc, char **argv, const char *opt)
{
	for (int i = 0; i + 1 < argc; i++)
		if (strcmp(argv[i], opt) == 0)
			return argv[i + 1];
	return NULL;
}

static char g_tgt_dir[PATH_MAX];
static char g_ctrlr[64];
/* The subsystem a listener was added to, and where it listens. */
static char g_nqn[64], g_traddr[PATH_MAX];

/* Records each set-up call (method and params, one a line) where the test
 * reads them: DIR/calls. */
static void tgt_record(struct rpc_request *req, json_t *params, void *ctx)
{
	const char *method = ctx;
	char path[PATH_MAX + 8], *p = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
	FILE *f;

	snprintf(path, sizeof(path), "%s/calls", g_tgt_dir);
	f = fopen(path, "a");
	fprintf(f, "%s %s\n", method, p ? p : "null");
	fclose(f);
	free(p);
	if (strcmp(method, "vhost_create_blk_controller") == 0)
		snprintf(g_ctrlr, sizeof(g_ctrlr), "%s",
			 json_string_value(json_object_get(params, "ctrlr")));
	if (json_object_get(params, "fail"))
		rpc_reply_error(req, -17, "refused as asked");
	else
		rpc_reply_result(req, NULL);
}

static void tgt_create(struct rpc_request *req, json_t *params, void *ctx)
{
	(void)ctx;
	tgt_record(req, params, "vhost_create_blk_controller");
}

static void tgt_bdev(struct rpc_request *req, json_t *params, void *ctx)
{
	(void)ctx;
	tgt_record(req, params, "bdev_malloc_create");
}

static void tgt_get(struct rpc_request *req, json_t *params, void *ctx)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	char sock[PATH_MAX + 64];

	(void)ctx;
	if (!name || strcmp(name, g_ctrlr) != 0) {
		rpc_reply_error(req, -19, "no controller named %s", name ? name : "?");
		return;
	}
	snprintf(sock, sizeof(sock), "%s/%s", g_tgt_dir, name);
	rpc_reply_result(req, json_pack("[{s:s, s:s, s:{s:{s:s}}}]", "ctrlr", name, "socket", sock,
					"backend_specific", "block", "bdev", "M0"));
}

static void tgt_listen(struct rpc_request *req, json_t *params, void *ctx)
{
	json_t *addr = json_object_get(params, "listen_address");

	(void)ctx;
	snprintf(g_nqn, sizeof(g_nqn), "%s", json_string_value(json_object_get(params, "nqn")));
	snprintf(g_traddr, sizeof(g_traddr), "%s",
		 json_string_value(json_object_get(addr, "traddr")));
	tgt_record(req, params, "nvmf_subsystem_add_listener");
}

/* As storlab-tgt answers it (the keys the endpoint reads). */
static void tgt_subsystems(struct rpc_request *req, json_t *params, void *ctx)
{
	(void)params;
	(void)ctx;
	if (!g_nqn[0]) {
		rpc_reply_result(req, json_array());
		return;
	}
	rpc_reply_result(req, json_pack("[{s:s, s:[{s:s, s:s}]}]", "nqn", g_nqn, "listen_addresses",
					"trtype", "VFIOUSER", "traddr", g_traddr));
}

static const struct rpc_method g_tgt_methods[] = {
    {"bdev_malloc_create", tgt_bdev, ""},	 {"vhost_create_blk_controller", tgt_create, ""},
    {"vhost_get_controllers", tgt_get, ""},	 {"nvmf_subsystem_add_listener", tgt_listen, ""},
    {"nvmf_get_subsystems", tgt_subsystems, ""},
};

static int fake_tgt(int argc, char **argv)
{
	const char *rpc = arg_after(argc, argv, "-r"), *dir = arg_after(argc, argv, "-S");
	char path[PATH_MAX + 8];
	struct evloop *loop;
	struct rpc_server *srv;
	FILE *f;

	snprintf(g_tgt_dir, sizeof(g_tgt_dir), "%s", dir);
	/* The command line it was given, for the test to check. */
	snprintf(path, sizeof(path), "%s/argv", dir);
	f = fopen(path, "w");
	for (int i = 1; i < argc; i++)
		fprintf(f, "%s%s", argv[i], i + 1 < argc ? " " : "\n");
	fclose(f);
	if (evloop_create(&loop) || rpc_server_create(loop, rpc, &srv) ||
	    rpc_server_add_methods(srv, g_tgt_methods, ARRAY_SIZE(g_tgt_methods), NULL))
		return 3;
	return evloop_run(loop);
}

static int fake_qsd(int argc, char **argv)
{
	const char *exp = arg_after(argc, argv, "--export"), *p = strstr(exp, "addr.path=");
	char path[PATH_MAX];

	if (!p || !arg_after(argc, argv, "--blockdev"))
		return 3;
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(p + 10, ","), p + 10);
	return serve(path, 0);
}

/* ---- helpers ---- */

static int setup(void **state)
{
	(void)state;
	snprintf(g_dir, sizeof(g_dir), "/tmp/sl-ut-ep-XXXXXX");
	assert_non_null(mkdtemp(g_dir));
	snprintf(g_pids, sizeof(g_pids), "%s/pids", g_dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
	return system(cmd);
}

static pid_t last_pid(void)
{
	return pidfile_last(g_pids);
}

static int count_lines(const char *path, const char *needle)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

static bool group_gone(pid_t pgid)
{
	return kill(-pgid, 0) == -1 && errno == ESRCH;
}

static char g_cmd[3 * PATH_MAX];

/* A shell that writes its pid, says hello in the log, then runs the
 * stand-in server (not exec'd: the shell stays, as a wrapper script's). */
static const struct endpoint_config *command_cfg(struct endpoint_config *cfg, int delay_ms)
{
	snprintf(g_cmd, sizeof(g_cmd), "echo $$ >> %s; echo hello; '%s' serve {sock} %d", g_pids,
		 g_self, delay_ms);
	*cfg = (struct endpoint_config){
	    .name = "cmd",
	    .dir = g_dir,
	    .command = g_cmd,
	    .scheme = "vhost-user-blk",
	    .start_timeout_ms = 5000,
	};
	return cfg;
}

/* ---- the tests ---- */

static void test_command_start_stop(void **state)
{
	struct endpoint_config cfg;
	struct endpoint *ep;
	char err[512], uri[256], log[PATH_MAX + 16];
	pid_t pgid;

	(void)state;
	assert_int_equal(
	    endpoint_create(&g_endpoint_command, command_cfg(&cfg, 300), &ep, err, sizeof(err)), 0);
	/* Ready only once its socket accepts: the server listens 300 ms in. */
	assert_int_equal(endpoint_start(ep, err, sizeof(err)), 0);
	assert_int_equal(endpoint_uri(ep, NULL, uri, sizeof(uri), err, sizeof(err)), 0);
	snprintf(log, sizeof(log), "vhost-user-blk:%s/cmd/cmd.sock", g_dir);
	assert_string_equal(uri, log);
	snprintf(log, sizeof(log), "%s/cmd.log", g_dir);
	assert_string_equal(endpoint_log(ep), log);
	assert_int_equal(count_lines(log, "hello"), 1);
	assert_false(endpoint_exited(ep, NULL));
	pgid = last_pid();
	/* Stopped as asked (our SIGTERM): 0; the shell and its server are both
	 * gone, and so is the socket. */
	assert_int_equal(endpoint_stop(ep), 0);
	assert_true(group_gone(pgid));
	assert_int_equal(access(strchr(uri, ':') + 1, F_OK), -1);
	/* Stopping again: nothing runs. */
	assert_int_equal(endpoint_stop(ep), -1);
	endpoint_destroy(ep);
}

static void test_command_bad(void **state)
{
	struct endpoint_config cfg;
	struct endpoint *ep = NULL;
	char err[512];
	int64_t t0;

	(void)state;
	/* Without {sock} there is nowhere to connect. */
	command_cfg(&cfg, 0);
	cfg.command = "true";
	assert_int_equal(endpoint_create(&g_endpoint_command, &cfg, &ep, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "{sock}"));
	assert_null(ep);
	/* One that exits while starting is reported at once, with its log. */
	cfg.command = "echo no luck; exit 3 # {sock}";
	assert_int_equal(endpoint_create(&g_endpoint_command, &cfg, &ep, err, sizeof(err)), 0);
	t0 = deadline_now_ms();
	assert_int_equal(endpoint_start(ep, err, sizeof(err)), -ECHILD);
	assert_true(deadline_now_ms() - t0 < 3000);
	assert_non_null(strstr(err, "exited while starting (exit 3)"));
	assert_non_null(strstr(err, "cmd.log"));
	assert_int_equal(count_lines(endpoint_log(ep), "no luck"), 1);
	/* One that never serves: the start timeout, then it is killed. */
	snprintf(g_cmd, sizeof(g_cmd), "echo $$ >> %s; sleep 60 # {sock}", g_pids);
	cfg.command = g_cmd;
	cfg.start_timeout_ms = 300;
	endpoint_destroy(ep);
	assert_int_equal(endpoint_create(&g_endpoint_command, &cfg, &ep, err, sizeof(err)), 0);
	assert_int_equal(endpoint_start(ep, err, sizeof(err)), -ETIMEDOUT);
	assert_non_null(strstr(err, "does not accept connections after 300 ms"));
	assert_true(group_gone(last_pid()));
	endpoint_destroy(ep);
}

static int g_ready_calls;

/* Not ready for its first two asks, as a back-end that accepts before it
 * answers. */
static int ready_third_time(void *arg, struct endpoint *ep, int timeout_ms)
{
	(void)arg;
	(void)ep;
	assert_true(timeout_ms > 0);
	return ++g_ready_calls < 3 ? -ECONNRESET : 0;
}

static void test_ready_hook_and_restart(void **state)
{
	struct endpoint_config cfg;
	struct endpoint *ep;
	char err[512];
	pid_t first;
	int status;

	(void)state;
	command_cfg(&cfg, 0);
	cfg.ready = ready_third_time;
	assert_int_equal(endpoint_create(&g_endpoint_command, &cfg, &ep, err, sizeof(err)), 0);
	assert_int_equal(endpoint_start(ep, err, sizeof(err)), 0);
	assert_int_equal(g_ready_calls, 3);
	first = last_pid();
	/* It dies (its whole group, as a crash of a wrapped server would):
	 * exit detection says how, and a restart brings up a new one. */
	kill(-first, SIGKILL);
	for (int i = 0; i < 200 && !endpoint_exited(ep, &status); i++)
		nanosleep(&(struct timespec){0, 10 * 1000000L}, NULL);
	assert_true(endpoint_exited(ep, &status));
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	g_ready_calls = 2;
	assert_int_equal(endpoint_restart(ep, err, sizeof(err)), 0);
	assert_int_equal(endpoint_restarts(ep), 1);
	assert_int_not_equal(last_pid(), first);
	assert_false(endpoint_exited(ep, NULL));
	/* A restart of one that still runs kills it first. */
	first = last_pid();
	g_ready_calls = 2;
	assert_int_equal(endpoint_restart(ep, err, sizeof(err)), 0);
	assert_true(group_gone(first));
	/* The log holds every instance. */
	assert_int_equal(count_lines(endpoint_log(ep), "hello"), 3);
	endpoint_destroy(ep);
	assert_true(group_gone(last_pid()));
}

static char proc_state(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	p = strrchr(buf, ')');
	return p[2];
}

static void test_pause(void **state)
{
	struct endpoint_config cfg;
	struct endpoint *ep;
	char err[512];
	pid_t pid;

	(void)state;
	assert_int_equal(
	    endpoint_create(&g_endpoint_command, command_cfg(&cfg, 0), &ep, err, sizeof(err)), 0);
	assert_int_equal(endpoint_start(ep, err, sizeof(err)), 0);
	pid = last_pid();
	endpoint_pause(ep, true);
	for (int i = 0; i < 200 && proc_state(pid) != 'T'; i++)
		nanosleep(&(struct timespec){0, 5 * 1000000L}, NULL);
	assert_int_equal(proc_state(pid), 'T');
	/* A paused one still stops at once: it is continued to take the
	 * SIGTERM. */
	assert_int_equal(endpoint_stop(ep), 0);
	assert_true(group_gone(pid));
	endpoint_destroy(ep);
}

static void test_tgt(void **state)
{
	json_t *p1 = json_pack("{s:s}", "name", "M0");
	json_t *p2 = json_pack("{s:s, s:s}", "ctrlr", "vhost.3", "dev_name", "M0");
	const struct endpoint_call calls[] = {
	    {.method = "bdev_malloc_create", .params = p1, .line = 4},
	    {.method = "vhost_create_blk_controller", .params = p2, .line = 5},
	};
	struct endpoint_config cfg = {
	    .name = "tgt",
	    .dir = g_dir,
	    .bin = g_self,
	    .cpumask = "0x2",
	    .setup = calls,
	    .nsetup = 2,
	};
	struct endpoint *ep;
	json_t *result, *error;
	char err[512], uri[256], want[PATH_MAX + 64], path[PATH_MAX];

	(void)state;
	assert_int_equal(endpoint_create(&g_endpoint_tgt, &cfg, &ep, err, sizeof(err)), 0);
	assert_int_equal(endpoint_start(ep, err, sizeof(err)), 0);
	/* Its command line: our cores and directory, the default mode. */
	snprintf(path, sizeof(path), "%s/tgt/argv", g_dir);
	snprintf(want, sizeof(want), "-m 0x2 -S %s/tgt -r %s/tgt/rpc.sock --mode adaptive", g_dir,
		 g_dir);
	assert_int_equal(count_lines(path, want), 1);
	/* The set-up calls, in order, with their params. */
	snprintf(path, sizeof(path), "%s/tgt/calls", g_dir);
	assert_int_equal(count_lines(path, "bdev_malloc_create {\"name\":\"M0\"}"), 1);
	assert_int_equal(count_lines(path, "vhost_create_blk_controller"), 1);
	/* A controller's URI as the target reports it; one it does not know
	 * is its error. */
	assert_int_equal(endpoint_uri(ep, "vhost.3", uri, sizeof(uri), err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "vhost-user-blk:%s/tgt/vhost.3", g_dir);
	assert_string_equal(uri, want);
	assert_int_equal(endpoint_uri(ep, "vhost.9", uri, sizeof(uri), err, sizeof(err)),
			 -EREMOTEIO);
	assert_non_null(strstr(err, "no controller named vhost.9"));
	/* Its RPC for steps; after a close, the next call connects again. */
	endpoint_rpc_close(ep);
	assert_int_equal(endpoint_rpc_call(ep, "bdev_malloc_create", json_pack("{s:b}", "fail", 1),
					   &result, &error),
			 -EREMOTEIO);
	assert_int_equal(json_integer_value(json_object_get(error, "code")), -17);
	json_decref(error);
	/* A set-up call that fails stops the start, naming its line. */
	json_object_set_new(p2, "fail", json_true());
	endpoint_stop(ep);
	assert_int_equal(endpoint_start(ep, err, sizeof(err)), -EREMOTEIO);
	assert_non_null(strstr(err, "set-up (line 5): vhost_create_blk_controller: refused"));
	assert_int_equal(endpoint_stop(ep), -1);
	endpoint_destroy(ep);
	json_decref(p1);
	json_decref(p2);
}

/* NVMe over vfio-user: the listener's directory given as {dir}, the device
 * named by its subsystem's NQN; a vhost controller named like an NQN is
 * still found. */
static void test_tgt_nvme(void **state)
{
	json_t *p1 = json_pack("{s:s, s:{s:s, s:s}}", "nqn", "nqn.2016-06.io.x:n0",
			       "listen_address", "trtype", "VFIOUSER", "traddr", "{dir}");
	json_t *p2 = json_pack("{s:s, s:s}", "ctrlr", "nqn.2016-06.io.x:b0", "dev_name", "M0");
	const struct endpoint_call calls[] = {
	    {.method = "nvmf_subsystem_add_listener", .params = p1},
	    {.method = "vhost_create_blk_controller", .params = p2},
	};
	struct endpoint_config cfg = {
	    .name = "nvme", .dir = g_dir, .bin = g_self, .setup = calls, .nsetup = 2};
	struct endpoint *ep;
	char err[512], uri[256], want[PATH_MAX + 64], path[PATH_MAX];

	(void)state;
	assert_int_equal(endpoint_create(&g_endpoint_tgt, &cfg, &ep, err, sizeof(err)), 0);
	assert_int_equal(endpoint_start(ep, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/nvme/calls", g_dir);
	snprintf(want, sizeof(want),
		 "nvmf_subsystem_add_listener {\"listen_address\":{\"traddr\":\"%s/nvme\","
		 "\"trtype\":\"VFIOUSER\"},\"nqn\":\"nqn.2016-06.io.x:n0\"}",
		 g_dir);
	assert_int_equal(count_lines(path, want), 1);
	assert_int_equal(
	    endpoint_uri(ep, "nqn.2016-06.io.x:n0", uri, sizeof(uri), err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "nvme-vfio-user:%s/nvme/cntrl", g_dir);
	assert_string_equal(uri, want);
	assert_int_equal(
	    endpoint_uri(ep, "nqn.2016-06.io.x:b0", uri, sizeof(uri), err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "vhost-user-blk:%s/nvme/nqn.2016-06.io.x:b0", g_dir);
	assert_string_equal(uri, want);
	assert_int_equal(
	    endpoint_uri(ep, "nqn.2016-06.io.x:n9", uri, sizeof(uri), err, sizeof(err)),
	    -EREMOTEIO);
	assert_non_null(strstr(err, "no controller named nqn.2016-06.io.x:n9"));
	/* The caller's params keep {dir}: a restart sends the same. */
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(p1, "listen_address"), "traddr")),
	    "{dir}");
	endpoint_destroy(ep);
	json_decref(p1);
	json_decref(p2);
}

static void test_qsd_and_socket(void **state)
{
	struct endpoint_config cfg = {
	    .name = "qsd",
	    .dir = g_dir,
	    .bin = g_self,
	    .blockdev = "driver=null-co,node-name=d0",
	    .cpumask = "0x1",
	};
	struct endpoint_config sock = {.name = "dut", .path = "/x/y.sock", .scheme = "s"};
	struct endpoint *ep;
	char err[512], uri[256], want[PATH_MAX + 64];

	(void)state;
	assert_int_equal(endpoint_create(&g_endpoint_qsd, &cfg, &ep, err, sizeof(err)), 0);
	assert_int_equal(endpoint_start(ep, err, sizeof(err)), 0);
	assert_int_equal(endpoint_uri(ep, NULL, uri, sizeof(uri), err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "vhost-user-blk:%s/qsd/qsd.sock", g_dir);
	assert_string_equal(uri, want);
	/* No RPC: it is not storlab's. */
	assert_int_equal(endpoint_rpc_call(ep, "x", NULL, &(json_t *){0}, &(json_t *){0}),
			 -EOPNOTSUPP);
	endpoint_destroy(ep);
	cfg.cpumask = "cores";
	assert_int_equal(endpoint_create(&g_endpoint_qsd, &cfg, &ep, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bad cpumask 'cores'"));

	/* An existing socket: nothing to start, stop or restart. */
	assert_int_equal(
	    endpoint_create(endpoint_kind_find("socket"), &sock, &ep, err, sizeof(err)), 0);
	assert_int_equal(endpoint_start(ep, err, sizeof(err)), 0);
	assert_int_equal(endpoint_uri(ep, NULL, uri, sizeof(uri), err, sizeof(err)), 0);
	assert_string_equal(uri, "s:/x/y.sock");
	assert_int_equal(endpoint_restart(ep, err, sizeof(err)), -EOPNOTSUPP);
	assert_string_equal(endpoint_log(ep), "");
	assert_int_equal(endpoint_stop(ep), -1);
	endpoint_destroy(ep);
	assert_null(endpoint_kind_find("spdk"));
}

/* Without a directory it makes its own under /tmp and removes it. */
static void test_own_dir(void **state)
{
	struct endpoint_config cfg;
	struct endpoint *ep;
	char err[512], uri[256], *dir;

	(void)state;
	command_cfg(&cfg, 0);
	cfg.dir = NULL;
	assert_int_equal(endpoint_create(&g_endpoint_command, &cfg, &ep, err, sizeof(err)), 0);
	assert_int_equal(endpoint_start(ep, err, sizeof(err)), 0);
	assert_int_equal(endpoint_uri(ep, NULL, uri, sizeof(uri), err, sizeof(err)), 0);
	dir = strchr(uri, ':') + 1;
	assert_non_null(strstr(dir, "/tmp/storlab-ep-"));
	*strrchr(dir, '/') = 0;
	assert_int_equal(access(dir, F_OK), 0);
	endpoint_destroy(ep);
	assert_int_equal(access(dir, F_OK), -1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_command_start_stop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_command_bad, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ready_hook_and_restart, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pause, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tgt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tgt_nvme, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_qsd_and_socket, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_own_dir, setup, teardown),
	};

	if (argc >= 3 && strcmp(argv[1], "serve") == 0)
		return serve(argv[2], argc > 3 ? atoi(argv[3]) : 0);
	if (argc >= 2 && strcmp(argv[1], "-m") == 0)
		return fake_tgt(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "--blockdev") == 0)
		return fake_qsd(argc, argv);
	if (!realpath(argv[0], g_self))
		return 1;
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
