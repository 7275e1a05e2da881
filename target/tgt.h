/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TARGET_TGT_H
#define STORLAB_TARGET_TGT_H

/*
 * storlab-tgt: the daemon around the frontends and the bdev layer. Between
 * target/main.c (command line) and the "target" component: the application
 * lifecycle (app.c), the controller registry (ctrlr.c) and the JSON-RPC
 * method tables, one per area (rpc_bdev.c, rpc_vhost.c, rpc_nvmf.c,
 * rpc_framework.c), and the NVMe subsystem registry (nvmf_subsys.h).
 *
 * Everything here runs on the control thread (the main thread, running
 * app->loop); reactors are reached only through the frontends.
 */

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "env/env.h"
#include "rpc/rpc.h"
#include "target/frontend/frontend.h"
#include "target/nvmf_subsys.h"
#include "util/evloop.h"

#define TGT_VERSION	       "0.1.0"
#define TGT_DEFAULT_RPC_SOCKET "/var/tmp/storlab.sock"

struct tgt_opts {
	uint64_t core_mask;
	enum env_mode mode;
	const char *sock_dir; /* where controllers' sockets go */
	const char *rpc_path;
	bool strict;
};

/* A controller of any frontend kind: its kind's ops and its context. */
struct tgt_ctrlr {
	const struct frontend_ops *ops;
	void *ctx;
	/* Being destroyed: no longer listed, but its name (and socket) stays
	 * taken until the destroy completed. */
	bool deleting;
	frontend_done_fn deleted; /* and its arg: called once it is gone */
	void *deleted_arg;
	struct tgt_app *app;
	struct tgt_ctrlr *next;
};

struct tgt_kind_method;

/* A kind's create method: the RPC context of its handler. */
struct tgt_kind {
	struct tgt_app *app;
	const struct frontend_ops *ops;
	/* One per ops->methods[], registered with the RPC server. */
	struct tgt_kind_method *methods;
};

struct tgt_app {
	struct tgt_opts opts;
	char sock_dir[PATH_MAX];
	struct evloop *loop;
	struct rpc_server *rpc;
	int signal_fd;
	struct tgt_ctrlr *ctrlrs; /* in creation order */
	/* One per entry of frontend_kinds[], registered with the RPC server. */
	struct tgt_kind *kinds;
	struct rpc_method *create_methods;
	struct nvmf_tgt nvmf;	  /* NVMe subsystems and transports (rpc_nvmf.c) */
	unsigned malloc_seq;	  /* next N tried for an unnamed MallocN */
	bool env_started;
};

/* ---- app.c ---- */

/* Starts reactors, the control loop, signal handling and the RPC server.
 * Returns 0, or a negative errno with everything started undone (logged). */
int tgt_app_start(struct tgt_app *app, const struct tgt_opts *opts);
/* Runs the control loop until SIGINT / SIGTERM. */
int tgt_app_run(struct tgt_app *app);
/* Deletes every controller (stopping and draining its rings, while the
 * control loop keeps running), every bdev, the sockets, and stops the
 * reactors. */
void tgt_app_stop(struct tgt_app *app);

/* ---- ctrlr.c ---- */

/* Checks a controller name: 1..63 characters, no '/', not "." or "..":
 * it becomes a file name in the socket directory. NULL or why not. */
const char *tgt_ctrlr_name_error(const char *name);
/* Creates a controller of kind ops from its create method's params, after
 * checking the name they give (params[ops->name_param]). Returns 0, or a
 * negative errno with err filled: the answer to the RPC. */
int tgt_ctrlr_create(struct tgt_app *app, const struct frontend_ops *ops, json_t *params,
		     struct frontend_err *err);
/* A controller that is not being deleted, or NULL. */
struct tgt_ctrlr *tgt_ctrlr_find(struct tgt_app *app, const char *name);
const char *tgt_ctrlr_name(const struct tgt_ctrlr *c);
/* Starts deleting controller `name`: returns -ENODEV, or 0 and calls
 * done(arg) once it is gone (its queues drained; the control loop keeps
 * serving meanwhile), possibly before returning. */
int tgt_ctrlr_delete(struct tgt_app *app, const char *name, frontend_done_fn done, void *arg);
/* Starts deleting every controller; app->ctrlrs is NULL once all are gone. */
void tgt_ctrlr_delete_all(struct tgt_app *app);

/* ---- JSON-RPC method areas: each adds its static table. ---- */

int tgt_rpc_bdev_register(struct tgt_app *app);
int tgt_rpc_vhost_register(struct tgt_app *app);
int tgt_rpc_framework_register(struct tgt_app *app);
int tgt_rpc_nvmf_register(struct tgt_app *app);

/* Shared by the areas: decodes params against spec, answering
 * RPC_ERR_INVALID_PARAMS (naming the field) and returning false on error. */
bool tgt_rpc_decode(struct rpc_request *req, json_t *params, const struct rpc_param *spec,
		    size_t n);
/* rpc_reply_errno with a formatted message (name the object and the field). */
void tgt_rpc_reply_errno(struct rpc_request *req, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
