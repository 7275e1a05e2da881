/* SPDX-License-Identifier: MIT */
/*
 * A back-end the runner starts, brings back when a case takes it down, and
 * stops at the end: `storlab conform --spawn-tgt` (our own storlab-tgt, so
 * that `make check` runs the suites without a wrapper script) and
 * `--spawn-cmd` (any back-end, from a shell command: qemu-storage-daemon, a
 * vendor's daemon). The two differ only in how one instance is launched and
 * made to serve (struct spawn_kind); starting, restarting and stopping are
 * the same code for both.
 */
#define LOG_COMPONENT "conform"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conformance/runner_internal.h"
#include "rpc/rpc.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"

#define TGT_CTRLR  "vhost.0"
#define TGT_BDEV   "Malloc0"
#define TGT_BLOCKS 65536 /* 32 MiB of 512-byte blocks */
#define TGT_QUEUES 2
#define CMD_SOCK   "backend.sock"
#define SOCK_TOKEN "{sock}"
#define STOP_MS	   10000
/* How often a starting back-end's socket is tried, and how long one try
 * waits for GET_FEATURES to be answered. */
#define POLL_MS	 20
#define PROBE_MS 2000

struct conform_spawn;

/* What differs between the back-ends we can spawn. */
struct spawn_kind {
	const char *name; /* in log lines and messages */
	/* Starts one instance (sets t->pid) and returns once it serves t->sock:
	 * 0, or a negative errno with what is left of it for halt() to stop. */
	int (*launch)(struct conform_spawn *t);
	/* Run it in a process group of its own and signal the group: a shell
	 * command need not exec its back-end (a pipeline, `cd d && qsd ...`), and
	 * a restart must not leave the old back-end holding the image or port.
	 * Our own target stays in ours, so a Ctrl-C reaches it too. */
	bool own_group;
};

struct conform_spawn {
	const struct spawn_kind *kind;
	char *cmd; /* --spawn-cmd, with {sock} substituted */
	char bin[4096];
	char dir[64];
	char log[4096];
	bool own_log;
	char rpc[128];
	char sock[108]; /* fits sockaddr_un.sun_path */
	int timeout_ms;
	pid_t pid;
	unsigned restarts;
};

extern char **environ;

/* stdin from /dev/null, stdout and stderr appended to the log (kept across
 * restarts, so the log shows every instance). */
static int spawn_argv(struct conform_spawn *t, const char *path, char *const argv[])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int ret;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, t->log, O_WRONLY | O_CREAT | O_APPEND,
					 0644);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	if (t->kind->own_group) {
		posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
		posix_spawnattr_setpgroup(&attr, 0);
	}
	ret = -posix_spawn(&t->pid, path, &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (ret) {
		log_err("cannot start %s: %s", path, strerror(-ret));
		t->pid = 0;
	}
	return ret;
}

/* A back-end that exits while starting must not cost the whole timeout. */
static bool exited_early(struct conform_spawn *t)
{
	int status;

	if (waitpid(t->pid, &status, WNOHANG) != t->pid)
		return false;
	log_err("%s exited while starting (status 0x%x); see %s", t->kind->name, status, t->log);
	/* A shell may leave children in its group (`qsd & exit`): halt() still
	 * needs the group's id to stop them. A lone process is gone. */
	if (!t->kind->own_group)
		t->pid = 0;
	return true;
}

/* ---- storlab-tgt: set up over JSON-RPC like a user would (SPDK method
 * names): a malloc bdev and one vhost-user-blk controller ---- */

static int rpc_call(struct rpc_client *c, const char *method, json_t *params)
{
	json_t *result = NULL, *error = NULL;
	int ret = rpc_client_call(c, method, params, &result, &error);

	if (ret == -EREMOTEIO) {
		json_t *m = json_object_get(error, "message");

		log_err("storlab-tgt: %s: %s", method,
			json_is_string(m) ? json_string_value(m) : "?");
	}
	json_decref(result);
	json_decref(error);
	return ret;
}

/* The target listens on its RPC socket once it is up. */
static int connect_rpc(struct conform_spawn *t, struct rpc_client **c)
{
	int64_t deadline = deadline_from_timeout(t->timeout_ms);

	for (;;) {
		int ret = rpc_client_connect(t->rpc, 200, c);

		if (ret == 0)
			return 0;
		if (exited_early(t))
			return -ECHILD;
		if (deadline_ms_left(deadline) == 0)
			return -ETIMEDOUT;
	}
}

static int tgt_launch(struct conform_spawn *t)
{
	char sockdir[96];
	char *argv[] = {t->bin, "-m",	"0x1",	  "-S",	      sockdir,
			"-r",	t->rpc, "--mode", "adaptive", NULL};
	struct rpc_client *c;
	int ret;

	snprintf(sockdir, sizeof(sockdir), "%s/s", t->dir);
	ret = spawn_argv(t, t->bin, argv);
	if (ret == 0)
		ret = connect_rpc(t, &c);
	if (ret)
		return ret;
	ret = rpc_call(c, "bdev_malloc_create",
		       json_pack("{s:s,s:i,s:i}", "name", TGT_BDEV, "num_blocks", TGT_BLOCKS,
				 "block_size", 512));
	if (ret == 0)
		ret = rpc_call(c, "vhost_create_blk_controller",
			       json_pack("{s:s,s:s,s:s,s:i}", "ctrlr", TGT_CTRLR, "dev_name",
					 TGT_BDEV, "cpumask", "0x1", "num_queues", TGT_QUEUES));
	rpc_client_close(c);
	if (ret == 0 && access(t->sock, F_OK) < 0)
		ret = -errno;
	return ret;
}

static const struct spawn_kind g_kind_tgt = {
    .name = "storlab-tgt",
    .launch = tgt_launch,
    .own_group = false,
};

/* ---- --spawn-cmd: a shell command that serves {sock} ---- */

static int cmd_launch(struct conform_spawn *t)
{
	char *argv[] = {"sh", "-c", t->cmd, NULL};
	int64_t deadline = deadline_from_timeout(t->timeout_ms);
	int ret = spawn_argv(t, "/bin/sh", argv);
	struct conform_offer offer;

	/* Serving means answering, as the runner's checks after each case
	 * define it: a socket may exist before it listens, and a back-end may
	 * accept before it reads (rte_vhost 22.11 reads a connection made in
	 * its first second only after that second). No probe before the
	 * socket exists: each failed one logs. */
	while (ret == 0 &&
	       (access(t->sock, F_OK) < 0 ||
		g_conform_transport_vhost_user.probe(t->sock, PROBE_MS, &offer) != 0)) {
		if (exited_early(t))
			return -ECHILD;
		if (deadline_ms_left(deadline) == 0) {
			log_err("%s does not answer GET_FEATURES on %s within %d ms; see %s",
				t->kind->name, t->sock, t->timeout_ms, t->log);
			return -ETIMEDOUT;
		}
		nanosleep(&(struct timespec){.tv_nsec = POLL_MS * 1000000L}, NULL);
	}
	return ret;
}

static const struct spawn_kind g_kind_cmd = {
    .name = "the --spawn-cmd back-end",
    .launch = cmd_launch,
    .own_group = true,
};

/* cmd with every {sock} replaced by sock (malloc'ed; NULL on ENOMEM). */
static char *subst_sock(const char *cmd, const char *sock)
{
	size_t n = 0, tok = strlen(SOCK_TOKEN);
	char *out, *o;

	for (const char *p = cmd; (p = strstr(p, SOCK_TOKEN)); p += tok)
		n++;
	out = malloc(strlen(cmd) + n * strlen(sock) + 1);
	if (!out)
		return NULL;
	o = out;
	for (const char *p = cmd;;) {
		const char *q = strstr(p, SOCK_TOKEN);
		size_t len = q ? (size_t)(q - p) : strlen(p);

		memcpy(o, p, len);
		o += len;
		if (!q)
			break;
		o = stpcpy(o, sock);
		p = q + tok;
	}
	*o = 0;
	return out;
}

/* ---- common to both kinds ---- */

/* SIGTERM (or SIGKILL), then reap within a deadline: the one process of
 * storlab-tgt, every process of a --spawn-cmd group (we are their
 * subreaper, see conform_spawn_cmd), so that no old back-end holds the
 * socket or the image when the next one starts. The status of the process we
 * started, or -1. */
static int halt(struct conform_spawn *t, int sig)
{
	int64_t deadline = deadline_from_timeout(STOP_MS);
	pid_t who = t->kind->own_group ? -t->pid : t->pid;
	int status = -1;

	if (!t->pid)
		return -1;
	kill(who, sig);
	for (;;) {
		int st;
		pid_t w = waitpid(who, &st, WNOHANG);

		if (w == t->pid)
			status = st;
		if (w > 0 && who > 0)
			break;
		if (w > 0)
			continue; /* one of the group: there may be more at once */
		if (w < 0 && errno != EINTR)
			break; /* ECHILD: all reaped */
		if (deadline_ms_left(deadline) == 0 && sig != SIGKILL) {
			log_warn("%s did not stop within %d ms: killing it", t->kind->name,
				 STOP_MS);
			kill(who, SIGKILL);
			sig = SIGKILL;
			deadline = deadline_from_timeout(STOP_MS);
		}
		nanosleep(&(struct timespec){.tv_nsec = 5 * 1000 * 1000}, NULL);
	}
	t->pid = 0;
	/* A killed back-end leaves its socket files behind. */
	unlink(t->sock);
	if (t->rpc[0])
		unlink(t->rpc);
	return status;
}

static int start(struct conform_spawn *t)
{
	int ret = t->kind->launch(t);

	if (ret)
		halt(t, SIGKILL);
	return ret;
}

/* The private directory, the log and the timeout; the kind fills in the
 * rest, then start() runs it. */
static int spawn_new(const struct spawn_kind *kind, const char *log_name, const char *log_path,
		     int timeout_ms, struct conform_spawn **out)
{
	struct conform_spawn *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->kind = kind;
	snprintf(t->dir, sizeof(t->dir), "/tmp/storlab-conform-XXXXXX");
	if (!mkdtemp(t->dir)) {
		int ret = -errno;

		free(t);
		return ret;
	}
	t->own_log = !log_path;
	if (log_path)
		snprintf(t->log, sizeof(t->log), "%s", log_path);
	else
		snprintf(t->log, sizeof(t->log), "%s/%s", t->dir, log_name);
	t->timeout_ms = MAX(timeout_ms, 10000);
	*out = t;
	return 0;
}

static int spawn_first(struct conform_spawn *t, struct conform_spawn **out)
{
	int ret = start(t);

	if (ret) {
		conform_spawn_stop(t);
		return ret;
	}
	*out = t;
	return 0;
}

int conform_spawn_tgt(const char *tgt_bin, const char *log_path, int timeout_ms,
		      struct conform_spawn **out)
{
	struct conform_spawn *t;
	char sockdir[96];
	int ret = spawn_new(&g_kind_tgt, "storlab-tgt.log", log_path, timeout_ms, &t);

	if (ret)
		return ret;
	snprintf(t->bin, sizeof(t->bin), "%s", tgt_bin);
	snprintf(sockdir, sizeof(sockdir), "%s/s", t->dir);
	mkdir(sockdir, 0700);
	snprintf(t->rpc, sizeof(t->rpc), "%s/rpc.sock", t->dir);
	snprintf(t->sock, sizeof(t->sock), "%s/" TGT_CTRLR, sockdir);
	return spawn_first(t, out);
}

int conform_spawn_cmd(const char *cmd, const char *log_path, int timeout_ms,
		      struct conform_spawn **out)
{
	struct conform_spawn *t;
	int ret;

	/* Without {sock} we would not know where to connect. */
	if (!strstr(cmd, SOCK_TOKEN)) {
		log_err("--spawn-cmd: the command has no " SOCK_TOKEN);
		return -EINVAL;
	}
	/* The shell need not wait for what it starts: what it leaves behind
	 * must come to us, not to init, so that halt() can reap the whole group
	 * and know it is gone (a zombie of init's would still count). */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		log_warn("cannot become a subreaper: %s; a stopped back-end's processes may "
			 "outlive it",
			 strerror(errno));
	ret = spawn_new(&g_kind_cmd, "backend.log", log_path, timeout_ms, &t);
	if (ret)
		return ret;
	snprintf(t->sock, sizeof(t->sock), "%s/" CMD_SOCK, t->dir);
	t->cmd = subst_sock(cmd, t->sock);
	if (!t->cmd) {
		conform_spawn_stop(t);
		return -ENOMEM;
	}
	return spawn_first(t, out);
}

const char *conform_spawn_socket(const struct conform_spawn *t)
{
	return t->sock;
}

const char *conform_spawn_log(const struct conform_spawn *t)
{
	return t->log;
}

const char *conform_spawn_name(const struct conform_spawn *t)
{
	return t->kind->name;
}

unsigned conform_spawn_restarts(const struct conform_spawn *t)
{
	return t->restarts;
}

int conform_spawn_restart(void *arg)
{
	struct conform_spawn *t = arg;

	/* Gone or not serving: either way it is not the back-end we started
	 * any more. */
	halt(t, SIGKILL);
	t->restarts++;
	log_notice("restarting %s (restart %u)", t->kind->name, t->restarts);
	return start(t);
}

int conform_spawn_stop(struct conform_spawn *t)
{
	char sockdir[96];
	int status;

	if (!t)
		return 0;
	status = halt(t, SIGTERM);
	/* Ended by the SIGTERM we sent (a shell does not catch it): stopped as
	 * asked, not a failure worth a warning. */
	if (status > 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
		status = 0;
	if (t->own_log)
		unlink(t->log);
	snprintf(sockdir, sizeof(sockdir), "%s/s", t->dir);
	rmdir(sockdir);
	rmdir(t->dir);
	free(t->cmd);
	free(t);
	return status;
}
