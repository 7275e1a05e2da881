/* SPDX-License-Identifier: MIT */
/*
 * `storlab conform --spawn-tgt`: our own storlab-tgt as the back-end under
 * test, so that `make check` runs the suites without a wrapper script, and
 * brought back when a case takes it down. Set up over JSON-RPC like a user
 * would (SPDK method names): a malloc bdev and one vhost-user-blk controller.
 */
#define LOG_COMPONENT "conform"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conformance/runner.h"
#include "rpc/rpc.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"

#define TGT_CTRLR  "vhost.0"
#define TGT_BDEV   "Malloc0"
#define TGT_BLOCKS 65536 /* 32 MiB of 512-byte blocks */
#define TGT_QUEUES 2
#define STOP_MS	   10000

struct conform_tgt {
	char bin[4096];
	char dir[64];
	char log[4096];
	bool own_log;
	char rpc[128];
	char sock[128];
	int timeout_ms;
	pid_t pid;
	unsigned restarts;
};

extern char **environ;

static int spawn(struct conform_tgt *t)
{
	char sockdir[96];
	char *argv[] = {t->bin, "-m",	"0x1",	  "-S",	      sockdir,
			"-r",	t->rpc, "--mode", "adaptive", NULL};
	posix_spawn_file_actions_t fa;
	int ret;

	snprintf(sockdir, sizeof(sockdir), "%s/s", t->dir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, t->log, O_WRONLY | O_CREAT | O_APPEND,
					 0644);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	ret = -posix_spawn(&t->pid, t->bin, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (ret) {
		log_err("cannot start %s: %s", t->bin, strerror(-ret));
		t->pid = 0;
	}
	return ret;
}

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

/* The target listens on its RPC socket once it is up; a target that exits
 * while starting must not cost the whole timeout. */
static int connect_rpc(struct conform_tgt *t, struct rpc_client **c)
{
	int64_t deadline = deadline_from_timeout(t->timeout_ms);

	for (;;) {
		int status, ret = rpc_client_connect(t->rpc, 200, c);

		if (ret == 0)
			return 0;
		if (waitpid(t->pid, &status, WNOHANG) == t->pid) {
			log_err("storlab-tgt exited while starting (status 0x%x); see %s", status,
				t->log);
			t->pid = 0;
			return -ECHILD;
		}
		if (deadline_ms_left(deadline) == 0)
			return -ETIMEDOUT;
	}
}

static int configure(struct conform_tgt *t)
{
	struct rpc_client *c;
	int ret = connect_rpc(t, &c);

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
	return ret;
}

/* SIGTERM (or SIGKILL), then reap within a deadline. The status, or -1. */
static int halt(struct conform_tgt *t, int sig)
{
	int64_t deadline = deadline_from_timeout(STOP_MS);
	int status = -1;

	if (!t->pid)
		return -1;
	kill(t->pid, sig);
	for (;;) {
		pid_t w = waitpid(t->pid, &status, WNOHANG);

		if (w == t->pid || (w < 0 && errno != EINTR))
			break;
		if (deadline_ms_left(deadline) == 0 && sig != SIGKILL) {
			log_warn("storlab-tgt did not stop within %d ms: killing it", STOP_MS);
			kill(t->pid, SIGKILL);
			sig = SIGKILL;
			deadline = deadline_from_timeout(STOP_MS);
		}
		nanosleep(&(struct timespec){.tv_nsec = 5 * 1000 * 1000}, NULL);
	}
	t->pid = 0;
	/* A killed target leaves its socket files behind. */
	unlink(t->sock);
	unlink(t->rpc);
	return status;
}

static int start(struct conform_tgt *t)
{
	int ret = spawn(t);

	if (ret == 0)
		ret = configure(t);
	if (ret == 0 && access(t->sock, F_OK) < 0)
		ret = -errno;
	if (ret)
		halt(t, SIGKILL);
	return ret;
}

int conform_tgt_start(const char *tgt_bin, const char *log_path, int timeout_ms,
		      struct conform_tgt **out)
{
	struct conform_tgt *t = calloc(1, sizeof(*t));
	char sockdir[96];
	int ret;

	if (!t)
		return -ENOMEM;
	snprintf(t->bin, sizeof(t->bin), "%s", tgt_bin);
	snprintf(t->dir, sizeof(t->dir), "/tmp/storlab-conform-XXXXXX");
	if (!mkdtemp(t->dir)) {
		ret = -errno;
		free(t);
		return ret;
	}
	snprintf(sockdir, sizeof(sockdir), "%s/s", t->dir);
	mkdir(sockdir, 0700);
	t->own_log = !log_path;
	snprintf(t->log, sizeof(t->log), "%s", log_path ? log_path : "");
	if (!log_path)
		snprintf(t->log, sizeof(t->log), "%s/storlab-tgt.log", t->dir);
	snprintf(t->rpc, sizeof(t->rpc), "%s/rpc.sock", t->dir);
	snprintf(t->sock, sizeof(t->sock), "%s/" TGT_CTRLR, sockdir);
	t->timeout_ms = MAX(timeout_ms, 10000);
	ret = start(t);
	if (ret) {
		conform_tgt_stop(t);
		return ret;
	}
	*out = t;
	return 0;
}

const char *conform_tgt_socket(const struct conform_tgt *t)
{
	return t->sock;
}

const char *conform_tgt_log(const struct conform_tgt *t)
{
	return t->log;
}

unsigned conform_tgt_restarts(const struct conform_tgt *t)
{
	return t->restarts;
}

int conform_tgt_restart(void *arg)
{
	struct conform_tgt *t = arg;

	/* Gone or not serving: either way it is not the target we configured
	 * any more. */
	halt(t, SIGKILL);
	t->restarts++;
	log_notice("restarting storlab-tgt (restart %u)", t->restarts);
	return start(t);
}

int conform_tgt_stop(struct conform_tgt *t)
{
	char sockdir[96];
	int status;

	if (!t)
		return 0;
	status = halt(t, SIGTERM);
	if (t->own_log)
		unlink(t->log);
	snprintf(sockdir, sizeof(sockdir), "%s/s", t->dir);
	rmdir(sockdir);
	rmdir(t->dir);
	free(t);
	return status;
}
