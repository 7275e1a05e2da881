/* SPDX-License-Identifier: MIT */
/*
 * storlab-tgt's lifecycle: reactors, the control thread's loop, signals, the
 * RPC server; and the clean shutdown that SIGINT / SIGTERM start.
 */
#define LOG_COMPONENT "tgt"
#include "target/tgt.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "target/bdev/bdev.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"

/* How long shutdown waits for the controllers' rings to drain: the one
 * bounded wait for reactors, at process exit (their in-flight I/O must
 * complete before their memory goes). */
#define TGT_SHUTDOWN_DRAIN_MS 30000

/* The method areas, in the order rpc_get_methods lists them. */
static int (*const g_rpc_areas[])(struct tgt_app *app) = {
    tgt_rpc_bdev_register,
    tgt_rpc_vhost_register,
    tgt_rpc_nvmf_register,
    tgt_rpc_framework_register,
};

static void shutdown_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
}

static void on_signal(void *arg, uint32_t events)
{
	struct tgt_app *app = arg;
	struct signalfd_siginfo si;

	(void)events;
	if (read(app->signal_fd, &si, sizeof(si)) != sizeof(si))
		return;
	log_notice("%s received: shutting down", strsignal((int)si.ssi_signo));
	evloop_stop(app->loop);
}

/* Signals are blocked before the reactor threads exist, so that every thread
 * inherits the mask and SIGINT / SIGTERM reach the signalfd only. */
static int signals_init(struct tgt_app *app)
{
	sigset_t set;
	int rc;

	shutdown_signals(&set);
	rc = pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (rc) {
		log_err("pthread_sigmask: %s", strerror(rc));
		return -rc;
	}
	/* A front-end or RPC client that goes away must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	app->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (app->signal_fd < 0) {
		rc = -errno;
		log_err("signalfd: %s", strerror(-rc));
		return rc;
	}
	return 0;
}

static int sock_dir_init(struct tgt_app *app, const char *dir)
{
	if (!realpath(dir ? dir : ".", app->sock_dir)) {
		int rc = -errno;

		log_err("socket directory %s: %s", dir ? dir : ".", strerror(-rc));
		return rc;
	}
	return 0;
}

static int env_up(struct tgt_app *app)
{
	struct env_opts eo = {
	    .core_mask = app->opts.core_mask,
	    .mode = app->opts.mode,
	};
	int rc = env_init(&eo);

	if (rc) {
		log_err("cannot set up reactors on cpumask 0x%" PRIx64 ": %s", eo.core_mask,
			strerror(-rc));
		return rc;
	}
	rc = env_start();
	if (rc) {
		log_err("cannot start reactors: %s", strerror(-rc));
		env_stop();
		return rc;
	}
	app->env_started = true;
	return 0;
}

static int rpc_up(struct tgt_app *app)
{
	int rc = rpc_server_create(app->loop, app->opts.rpc_path, &app->rpc);

	if (rc) {
		log_err("cannot listen on RPC socket %s: %s", app->opts.rpc_path, strerror(-rc));
		return rc;
	}
	for (size_t i = 0; i < ARRAY_SIZE(g_rpc_areas); i++) {
		rc = g_rpc_areas[i](app);
		if (rc) {
			log_err("cannot register RPC methods: %s", strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int tgt_app_start(struct tgt_app *app, const struct tgt_opts *opts)
{
	int rc;

	memset(app, 0, sizeof(*app));
	app->opts = *opts;
	app->signal_fd = -1;
	rc = sock_dir_init(app, opts->sock_dir);
	if (rc == 0)
		rc = signals_init(app);
	if (rc == 0)
		rc = evloop_create(&app->loop);
	if (rc == 0)
		rc = evloop_add_fd(app->loop, app->signal_fd, EPOLLIN, on_signal, app);
	if (rc == 0)
		rc = env_up(app);
	/* Last: a client that can connect finds everything ready. */
	if (rc == 0)
		rc = rpc_up(app);
	if (rc) {
		tgt_app_stop(app);
		return rc;
	}
	log_notice("storlab-tgt %s: %u reactors (%s mode), sockets in %s", TGT_VERSION,
		   env_reactor_count(), env_mode_name(opts->mode), app->sock_dir);
	log_notice("listening on RPC socket %s", opts->rpc_path);
	return 0;
}

int tgt_app_run(struct tgt_app *app)
{
	return evloop_run(app->loop);
}

/* Deletes every controller and runs the control loop until they are gone:
 * their rings drain on the reactors, which must still run; then the bdevs. */
static void ctrlrs_drain(struct tgt_app *app)
{
	int64_t deadline = deadline_from_timeout(TGT_SHUTDOWN_DRAIN_MS);
	int rc;

	tgt_ctrlr_delete_all(app);
	while (app->ctrlrs && deadline_ms_left(deadline) > 0) {
		rc = evloop_run_once(app->loop, deadline_ms_left(deadline));
		if (rc < 0) {
			log_err("control loop failed while controllers drained: %s",
				strerror(-rc));
			break;
		}
	}
	for (struct tgt_ctrlr *c = app->ctrlrs; c; c = c->next)
		log_err("%s: its rings did not drain within %d ms at shutdown", tgt_ctrlr_name(c),
			TGT_SHUTDOWN_DRAIN_MS);
}

void tgt_app_stop(struct tgt_app *app)
{
	/* No new requests while things go away. */
	if (app->rpc) {
		rpc_server_destroy(app->rpc);
		app->rpc = NULL;
	}
	free(app->create_methods);
	for (size_t i = 0; app->kinds && i < frontend_kind_count; i++)
		free(app->kinds[i].methods);
	free(app->kinds);
	app->create_methods = NULL;
	app->kinds = NULL;
	if (app->loop)
		ctrlrs_drain(app);
	nvmf_subsys_delete_all(&app->nvmf);
	bdev_unregister_all();
	if (app->env_started) {
		env_stop();
		app->env_started = false;
	}
	if (app->loop) {
		evloop_destroy(app->loop);
		app->loop = NULL;
	}
	if (app->signal_fd >= 0) {
		close(app->signal_fd);
		app->signal_fd = -1;
	}
}
