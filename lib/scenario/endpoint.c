/* SPDX-License-Identifier: MIT */
/* Spawning and stopping the scenario's back-ends (endpoint.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LOG_COMPONENT "scenario"
#include "scenario/endpoint.h"
#include "util/log.h"

#define SC_STOP_WAIT_MS 10000
#define SC_POLL_MS	50

extern char **environ;

static int path_join(char *out, size_t len, const char *dir, const char *name)
{
	int n = snprintf(out, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int sc_ep_init(struct sc_ep *ep, const struct sc_endpoint *def,
	       const struct scenario_run_opts *opts, const char *workdir)
{
	char name[PATH_MAX];
	int ret;

	memset(ep, 0, sizeof(*ep));
	ep->def = def;
	ep->opts = opts;
	snprintf(name, sizeof(name), "%s.log", def->name);
	ret = path_join(ep->log, sizeof(ep->log), workdir, name);
	switch (def->type) {
	case SC_EP_TGT:
		ret = ret ?: path_join(ep->dir, sizeof(ep->dir), workdir, def->name);
		ret = ret ?: path_join(ep->rpc_sock, sizeof(ep->rpc_sock), ep->dir, "rpc.sock");
		if (!ret && mkdir(ep->dir, 0700) && errno != EEXIST)
			ret = -errno;
		break;
	case SC_EP_QSD:
		snprintf(name, sizeof(name), "%s.sock", def->name);
		ret = ret ?: path_join(ep->sock, sizeof(ep->sock), workdir, name);
		break;
	case SC_EP_SOCKET:
		if (snprintf(ep->sock, sizeof(ep->sock), "%s", def->path) >= (int)sizeof(ep->sock))
			ret = -ENAMETOOLONG;
		break;
	}
	return ret;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static int spawn(struct sc_ep *ep, char *const argv[], char *err, size_t err_len)
{
	posix_spawn_file_actions_t fa;
	int ret;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, ep->log, O_WRONLY | O_CREAT | O_APPEND,
					 0600);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	ret = posix_spawnp(&ep->pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (ret) {
		ep->pid = 0;
		snprintf(err, err_len, "endpoint '%s': cannot run %s: %s", ep->def->name, argv[0],
			 strerror(ret));
		return -ret;
	}
	return 0;
}

/* qemu-storage-daemon has no option for its cores: it inherits ours, set
 * around the spawn (the engine runs steps on one thread). */
static int spawn_pinned(struct sc_ep *ep, char *const argv[], const char *mask, char *err,
			size_t err_len)
{
	unsigned long long bits;
	cpu_set_t old, set;
	char *end;
	int ret;

	if (!mask)
		return spawn(ep, argv, err, err_len);
	bits = strtoull(mask, &end, 0);
	if (*end || !bits) {
		snprintf(err, err_len, "endpoint '%s': bad cpumask '%s'", ep->def->name, mask);
		return -EINVAL;
	}
	CPU_ZERO(&set);
	for (unsigned i = 0; i < 64; i++)
		if (bits >> i & 1)
			CPU_SET(i, &set);
	if (sched_getaffinity(0, sizeof(old), &old) || sched_setaffinity(0, sizeof(set), &set)) {
		ret = -errno;
		snprintf(err, err_len, "endpoint '%s': cpumask %s: %s", ep->def->name, mask,
			 strerror(-ret));
		return ret;
	}
	ret = spawn(ep, argv, err, err_len);
	sched_setaffinity(0, sizeof(old), &old);
	return ret;
}

/* Waits for path to appear while the process lives. */
static int wait_ready(struct sc_ep *ep, const char *path, char *err, size_t err_len)
{
	int timeout = ep->opts->start_timeout_ms ? ep->opts->start_timeout_ms : 20000, status;
	struct stat st;

	for (int waited = 0; stat(path, &st) != 0; waited += SC_POLL_MS) {
		if (waitpid(ep->pid, &status, WNOHANG) == ep->pid) {
			ep->pid = 0;
			snprintf(err, err_len, "endpoint '%s' exited while starting (log: %s)",
				 ep->def->name, ep->log);
			return -ECHILD;
		}
		if (waited >= timeout) {
			snprintf(err, err_len, "endpoint '%s': %s did not appear (log: %s)",
				 ep->def->name, path, ep->log);
			sc_ep_stop(ep);
			return -ETIMEDOUT;
		}
		sleep_ms(SC_POLL_MS);
	}
	return 0;
}

static int setup_calls(struct sc_ep *ep, char *err, size_t err_len)
{
	for (unsigned i = 0; i < ep->def->rpc_count; i++) {
		const struct sc_rpc *r = &ep->def->rpc[i];
		json_t *result = NULL, *error = NULL;
		int ret = sc_ep_call(ep, r->method, json_incref(r->params), &result, &error);
		json_t *msg = json_object_get(error, "message");

		if (ret)
			snprintf(err, err_len, "endpoint '%s' set-up (line %u): %s: %s",
				 ep->def->name, r->line, r->method,
				 json_is_string(msg) ? json_string_value(msg) : strerror(-ret));
		json_decref(result);
		json_decref(error);
		if (ret)
			return ret;
	}
	return 0;
}

int sc_ep_start(struct sc_ep *ep, char *err, size_t err_len)
{
	const struct sc_endpoint *d = ep->def;
	char exp[PATH_MAX + 128];
	int ret;

	switch (d->type) {
	case SC_EP_TGT: {
		char *argv[] = {(char *)ep->opts->tgt_path,
				"-m",
				d->cpumask ?: "0x1",
				"-S",
				ep->dir,
				"-r",
				ep->rpc_sock,
				"--mode",
				d->mode ?: "adaptive",
				NULL};

		unlink(ep->rpc_sock);
		ret = spawn(ep, argv, err, err_len);
		ret = ret ?: wait_ready(ep, ep->rpc_sock, err, err_len);
		return ret ?: setup_calls(ep, err, err_len);
	}
	case SC_EP_QSD: {
		char *argv[] = {(char *)(ep->opts->qsd_path ?: "qemu-storage-daemon"),
				"--blockdev",
				d->blockdev,
				"--export",
				exp,
				NULL};

		snprintf(exp, sizeof(exp),
			 "type=vhost-user-blk,id=e0,node-name=d0,addr.type=unix,addr.path=%s,"
			 "writable=on,num-queues=%s",
			 ep->sock, d->num_queues ?: "1");
		unlink(ep->sock);
		ret = spawn_pinned(ep, argv, d->cpumask, err, err_len);
		return ret ?: wait_ready(ep, ep->sock, err, err_len);
	}
	case SC_EP_SOCKET:
		return 0;
	}
	return -EINVAL;
}

int sc_ep_stop(struct sc_ep *ep)
{
	int status = 0;

	sc_ep_disconnect(ep);
	if (ep->pid <= 0)
		return -1;
	kill(ep->pid, SIGTERM);
	/* One that isolate paused handles the SIGTERM only once continued. */
	kill(ep->pid, SIGCONT);
	for (int waited = 0; waitpid(ep->pid, &status, WNOHANG) != ep->pid; waited += SC_POLL_MS) {
		if (waited >= SC_STOP_WAIT_MS) {
			log_msg(LOG_LEVEL_WARN, LOG_COMPONENT,
				"endpoint '%s' ignored SIGTERM; killing", ep->def->name);
			kill(ep->pid, SIGKILL);
			waitpid(ep->pid, &status, 0);
			ep->pid = 0;
			return -1;
		}
		sleep_ms(SC_POLL_MS);
	}
	ep->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void sc_ep_pause(struct sc_ep *ep, bool pause)
{
	if (ep->pid > 0)
		kill(ep->pid, pause ? SIGSTOP : SIGCONT);
}

void sc_ep_disconnect(struct sc_ep *ep)
{
	if (ep->rpc)
		rpc_client_close(ep->rpc);
	ep->rpc = NULL;
}

int sc_ep_call(struct sc_ep *ep, const char *method, json_t *params, json_t **result,
	       json_t **error)
{
	int timeout = ep->opts->rpc_timeout_ms ? ep->opts->rpc_timeout_ms : 60000, ret;

	*result = *error = NULL;
	if (ep->def->type != SC_EP_TGT) {
		json_decref(params);
		return -EOPNOTSUPP;
	}
	if (!ep->rpc) {
		ret = rpc_client_connect(ep->rpc_sock, timeout, &ep->rpc);
		if (ret) {
			json_decref(params);
			return ret;
		}
	}
	ret = rpc_client_call(ep->rpc, method, params, result, error);
	if (ret && ret != -EREMOTEIO)
		sc_ep_disconnect(ep); /* a transport error: the next call reconnects */
	return ret;
}

int sc_ep_uri(const struct sc_ep *ep, const char *controller, char *uri, size_t len)
{
	int n = ep->def->type == SC_EP_TGT
		    ? snprintf(uri, len, "vhost-user-blk:%s/%s", ep->dir, controller)
		    : snprintf(uri, len, "vhost-user-blk:%s", ep->sock);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}
