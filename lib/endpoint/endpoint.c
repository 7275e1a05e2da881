/* SPDX-License-Identifier: MIT */
/*
 * Starting, watching, stopping and restarting an endpoint (endpoint.h): the
 * part that is the same for every kind. What differs, the kinds say
 * (kind_*.c): the program, the socket that says it is up, what makes it
 * serve, and how its devices are named.
 */
#define LOG_COMPONENT "endpoint"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "endpoint/endpoint_internal.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/fs.h"
#include "util/log.h"

#define START_TIMEOUT_MS 20000
#define RPC_TIMEOUT_MS	 60000
#define STOP_MS		 10000
/* How often a starting endpoint's socket is tried, and the most one try of
 * the caller's ready hook may take. */
#define POLL_MS	     20
#define READY_MS     2000
#define REAP_POLL_MS 5

extern char **environ;

static void sleep_ms(unsigned ms)
{
	nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L}, NULL);
}

int endpoint_argv_set(struct endpoint *ep, const char *const *args)
{
	for (ep->argc = 0; args[ep->argc]; ep->argc++) {
		if (ep->argc >= ENDPOINT_MAX_ARGS)
			return -E2BIG;
		ep->argv[ep->argc] = strdup(args[ep->argc]);
		if (!ep->argv[ep->argc])
			return -ENOMEM;
	}
	return 0;
}

int endpoint_need(const struct endpoint *ep, const void *value, const char *what, char *err,
		  size_t len)
{
	if (value)
		return 0;
	snprintf(err, len, "endpoint '%s': no %s given", ep->cfg->name, what);
	return -EINVAL;
}

int endpoint_path(const struct endpoint *ep, const char *name, char *out, size_t len, char *err,
		  size_t err_len)
{
	int n = snprintf(out, len, "%s/%s", ep->dir, name);

	if (n >= 0 && (size_t)n < len)
		return 0;
	snprintf(err, err_len, "endpoint '%s': %s/%s is too long for a socket's path",
		 ep->cfg->name, ep->dir, name);
	return -ENAMETOOLONG;
}

int endpoint_uri_join(const struct endpoint *ep, const char *scheme, const char *path, char *uri,
		      size_t len, char *err, size_t err_len)
{
	int n = snprintf(uri, len, "%s:%s", scheme, path);

	if (n >= 0 && (size_t)n < len)
		return 0;
	snprintf(err, err_len, "endpoint '%s': its URI is longer than %zu bytes", ep->cfg->name,
		 len);
	return -ENAMETOOLONG;
}

void endpoint_status_text(int status, char *buf, size_t len)
{
	if (status < 0)
		snprintf(buf, len, "not started");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "status 0x%x", status);
}

/* ---- the directory ---- */

static int make_dir(struct endpoint *ep, char *err, size_t err_len)
{
	const struct endpoint_config *cfg = ep->cfg;
	int n;

	if (!cfg->dir) {
		snprintf(ep->dir, sizeof(ep->dir), "/tmp/storlab-ep-XXXXXX");
		if (!mkdtemp(ep->dir))
			goto fail;
		ep->own_dir = true;
		n = snprintf(ep->log, sizeof(ep->log), "%s/%s.log", ep->dir, cfg->name);
	} else {
		n = snprintf(ep->dir, sizeof(ep->dir), "%s/%s", cfg->dir, cfg->name);
		if (n < 0 || (size_t)n >= sizeof(ep->dir))
			goto too_long;
		if (mkdir(ep->dir, 0700) < 0 && errno != EEXIST)
			goto fail;
		n = snprintf(ep->log, sizeof(ep->log), "%s/%s.log", cfg->dir, cfg->name);
	}
	if (cfg->log)
		n = snprintf(ep->log, sizeof(ep->log), "%s", cfg->log);
	if (n >= 0 && (size_t)n < sizeof(ep->log))
		return 0;
too_long:
	snprintf(err, err_len, "endpoint '%s': its paths are too long", cfg->name);
	return -ENAMETOOLONG;
fail:
	n = -errno;
	snprintf(err, err_len, "endpoint '%s': cannot create %s: %s", cfg->name, ep->dir,
		 strerror(-n));
	return n;
}

/* ---- processes ---- */

/* What a shell leaves behind when it exits must come to us, so that a stop
 * can reap the whole group and know it is gone (a zombie of init's would
 * still count as a member). */
static void become_subreaper(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		log_warn("cannot become a subreaper: %s; a stopped endpoint's processes may "
			 "outlive it",
			 strerror(errno));
}

/* Runs ep's argv in a group of its own, on its cores (a program without an
 * option for them inherits ours, set around the spawn: one thread at a
 * time per endpoint, and the callers start endpoints from one thread). */
static int spawn(struct endpoint *ep, char *err, size_t err_len)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	cpu_set_t old;
	int ret;

	become_subreaper();
	if (ep->pin && (sched_getaffinity(0, sizeof(old), &old) < 0 ||
			sched_setaffinity(0, sizeof(ep->cpus), &ep->cpus) < 0)) {
		ret = -errno;
		snprintf(err, err_len, "endpoint '%s': cannot run on cpumask %s: %s", ep->cfg->name,
			 ep->cfg->cpumask, strerror(-ret));
		return ret;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, ep->log, O_WRONLY | O_CREAT | O_APPEND,
					 0644);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	ret = -posix_spawnp(&ep->pid, ep->argv[0], &fa, &attr, ep->argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (ep->pin)
		sched_setaffinity(0, sizeof(old), &old);
	ep->reaped = false;
	if (ret) {
		ep->pid = 0;
		snprintf(err, err_len, "endpoint '%s': cannot run %s: %s", ep->cfg->name,
			 ep->argv[0], strerror(-ret));
	}
	return ret;
}

bool endpoint_exited(struct endpoint *ep, int *status)
{
	if (ep->pid && !ep->reaped && waitpid(ep->pid, &ep->status, WNOHANG) == ep->pid)
		ep->reaped = true;
	if (ep->pid && ep->reaped && status)
		*status = ep->status;
	return ep->pid && ep->reaped;
}

/*
 * Signals the whole group and reaps it within a deadline (SIGKILL when it
 * passes), so that no old instance holds the socket or the image when the
 * next one starts. The group keeps the leader's id even after the leader
 * was reaped (a shell's children stay in it). Returns the leader's wait
 * status, or -1 when nothing was started.
 */
static int halt(struct endpoint *ep, int sig)
{
	int64_t deadline = deadline_from_timeout(STOP_MS);
	int status = -1;

	if (!ep->pid)
		return -1;
	kill(-ep->pid, sig);
	/* One that was paused handles the SIGTERM only once continued. */
	kill(-ep->pid, SIGCONT);
	for (;;) {
		int st;
		pid_t w = waitpid(-ep->pid, &st, WNOHANG);

		if (w == ep->pid) {
			ep->reaped = true;
			ep->status = st;
		}
		if (w > 0 || (w < 0 && errno == EINTR))
			continue; /* there may be more at once */
		if (w < 0)
			break; /* ECHILD: all of the group reaped */
		if (deadline_ms_left(deadline) == 0) {
			if (sig == SIGKILL) {
				log_err("endpoint '%s' (group %d) survives SIGKILL; leaving it",
					ep->cfg->name, (int)ep->pid);
				break;
			}
			log_warn("endpoint '%s' did not stop within %d ms: killing it",
				 ep->cfg->name, STOP_MS);
			sig = SIGKILL;
			kill(-ep->pid, sig);
			deadline = deadline_from_timeout(STOP_MS);
		}
		sleep_ms(REAP_POLL_MS);
	}
	if (ep->reaped)
		status = ep->status;
	ep->pid = 0;
	ep->reaped = false;
	/* A killed endpoint leaves its socket files behind. */
	unlink(ep->sock);
	if (ep->rpc_sock[0])
		unlink(ep->rpc_sock);
	return status;
}

/* Whether something listens on path: a connection is accepted or queued. */
static bool accepts(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	/* EAGAIN: its backlog is full, which only a listening socket has. */
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EAGAIN;
	close(fd);
	return ok;
}

static int exited_early(struct endpoint *ep, char *err, size_t err_len)
{
	char how[64];

	endpoint_status_text(ep->status, how, sizeof(how));
	snprintf(err, err_len, "endpoint '%s' exited while starting (%s); its log: %s",
		 ep->cfg->name, how, ep->log);
	return -ECHILD;
}

/* Up: its socket accepts, and it has not exited meanwhile. A socket file
 * may exist before it listens. */
static int wait_up(struct endpoint *ep, int64_t deadline, char *err, size_t err_len)
{
	while (!accepts(ep->sock)) {
		if (endpoint_exited(ep, NULL))
			return exited_early(ep, err, err_len);
		if (deadline_ms_left(deadline) == 0) {
			snprintf(err, err_len,
				 "endpoint '%s': %s does not accept connections after %d ms; its "
				 "log: %s",
				 ep->cfg->name, ep->sock, ep->start_ms, ep->log);
			return -ETIMEDOUT;
		}
		sleep_ms(POLL_MS);
	}
	return 0;
}

/* The caller's hook (a protocol probe): a back-end may accept before it
 * reads (rte_vhost 22.11 reads a connection made in its first second only
 * after that second). */
static int wait_ready(struct endpoint *ep, int64_t deadline, char *err, size_t err_len)
{
	const struct endpoint_config *cfg = ep->cfg;
	int ret;

	while (cfg->ready &&
	       (ret = cfg->ready(cfg->ready_arg, ep, MIN(READY_MS, deadline_ms_left(deadline))))) {
		if (endpoint_exited(ep, NULL))
			return exited_early(ep, err, err_len);
		if (deadline_ms_left(deadline) == 0) {
			snprintf(err, err_len,
				 "endpoint '%s' is not ready after %d ms: %s; its log: %s",
				 cfg->name, ep->start_ms, strerror(-ret), ep->log);
			return -ETIMEDOUT;
		}
		sleep_ms(POLL_MS);
	}
	return 0;
}

int endpoint_start(struct endpoint *ep, char *err, size_t err_len)
{
	int64_t deadline = deadline_from_timeout(ep->start_ms);
	int ret;

	if (!ep->kind->spawns)
		return 0; /* nothing to start: it is there or not */
	if (ep->pid) {
		snprintf(err, err_len, "endpoint '%s' is running already", ep->cfg->name);
		return -EBUSY;
	}
	unlink(ep->sock);
	if (ep->rpc_sock[0])
		unlink(ep->rpc_sock);
	ret = spawn(ep, err, err_len);
	if (!ret)
		ret = wait_up(ep, deadline, err, err_len);
	if (!ret && ep->kind->setup)
		ret = ep->kind->setup(ep, err, err_len);
	if (!ret)
		ret = wait_ready(ep, deadline, err, err_len);
	if (ret) {
		endpoint_rpc_close(ep);
		halt(ep, SIGKILL);
	}
	return ret;
}

int endpoint_stop(struct endpoint *ep)
{
	int status;

	endpoint_rpc_close(ep);
	status = halt(ep, SIGTERM);
	/* Ended by the SIGTERM we sent (a shell does not catch it): stopped as
	 * asked. */
	if (status > 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
		status = 0;
	return status;
}

int endpoint_restart(struct endpoint *ep, char *err, size_t err_len)
{
	int status;
	char how[64] = "";

	if (!ep->kind->spawns) {
		snprintf(err, err_len,
			 "endpoint '%s' (%s) was not started here: it cannot be "
			 "restarted",
			 ep->cfg->name, ep->kind->name);
		return -EOPNOTSUPP;
	}
	/* Gone or not serving: either way it is not the endpoint we started
	 * any more. */
	if (endpoint_exited(ep, &status))
		endpoint_status_text(status, how, sizeof(how));
	endpoint_rpc_close(ep);
	halt(ep, SIGKILL);
	ep->restarts++;
	log_notice("restarting endpoint '%s' (restart %u; %s)", ep->cfg->name, ep->restarts,
		   how[0] ? how : "it stopped serving");
	return endpoint_start(ep, err, err_len);
}

int endpoint_restart_logged(void *ep)
{
	char err[1024];
	int ret = endpoint_restart(ep, err, sizeof(err));

	if (ret)
		log_err("%s", err);
	return ret;
}

void endpoint_pause(struct endpoint *ep, bool pause)
{
	if (ep->pid)
		kill(-ep->pid, pause ? SIGSTOP : SIGCONT);
}

/* ---- the rest of the API ---- */

int endpoint_create(const struct endpoint_kind *kind, const struct endpoint_config *cfg,
		    struct endpoint **out, char *err, size_t err_len)
{
	struct endpoint *ep = calloc(1, sizeof(*ep));
	int ret;

	if (!ep)
		return -ENOMEM;
	ep->kind = kind;
	ep->cfg = cfg;
	ep->start_ms = cfg->start_timeout_ms > 0 ? cfg->start_timeout_ms : START_TIMEOUT_MS;
	ret = kind->spawns ? make_dir(ep, err, err_len) : 0;
	if (!ret)
		ret = kind->init(ep, err, err_len);
	if (ret) {
		endpoint_destroy(ep);
		return ret;
	}
	*out = ep;
	return 0;
}

void endpoint_destroy(struct endpoint *ep)
{
	if (!ep)
		return;
	endpoint_stop(ep);
	if (ep->own_dir)
		util_remove_tree(ep->dir);
	for (unsigned i = 0; i < ep->argc; i++)
		free(ep->argv[i]);
	free(ep);
}

int endpoint_uri(struct endpoint *ep, const char *device, char *uri, size_t len, char *err,
		 size_t err_len)
{
	return ep->kind->uri(ep, device, uri, len, err, err_len);
}

int endpoint_rpc_call(struct endpoint *ep, const char *method, json_t *params, json_t **result,
		      json_t **error)
{
	int timeout = ep->cfg->rpc_timeout_ms > 0 ? ep->cfg->rpc_timeout_ms : RPC_TIMEOUT_MS;
	int ret;

	*result = *error = NULL;
	/* Nothing would answer: say so now, not after the connect's wait. */
	ret = !ep->kind->rpc ? -EOPNOTSUPP : !ep->pid || endpoint_exited(ep, NULL) ? -ENOTCONN : 0;
	if (ret) {
		json_decref(params);
		return ret;
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
		endpoint_rpc_close(ep); /* a transport error: the next call reconnects */
	return ret;
}

void endpoint_rpc_close(struct endpoint *ep)
{
	if (ep->rpc)
		rpc_client_close(ep->rpc);
	ep->rpc = NULL;
}

const char *endpoint_name(const struct endpoint *ep)
{
	return ep->cfg->name;
}

const struct endpoint_kind *endpoint_kind(const struct endpoint *ep)
{
	return ep->kind;
}

const char *endpoint_log(const struct endpoint *ep)
{
	return ep->kind->spawns ? ep->log : "";
}

unsigned endpoint_restarts(const struct endpoint *ep)
{
	return ep->restarts;
}
