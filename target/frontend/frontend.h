/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_FRONTEND_FRONTEND_H
#define STORLAB_FRONTEND_FRONTEND_H

/*
 * The plug of a target frontend kind: one const ops table per kind
 * (vhost-user-blk today; vhost-user-scsi and NVMe next), listed in
 * frontend_kinds.c. storlab-tgt's controller registry and its RPC methods
 * (target/ctrlr.c, target/rpc_vhost.c) reach a controller only through its
 * kind's ops and an opaque context, so a new kind touches neither.
 *
 * Threads. Every op runs on the control thread (the one running env->loop),
 * with the reactors running. A kind's data path runs on reactors through the
 * queue engine (queue_engine.h); no op waits for a reactor.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/evloop.h"

/* What storlab-tgt gives every controller it creates. */
struct frontend_env {
	const char *sock_dir; /* absolute; where a controller's socket goes */
	struct evloop *loop;  /* the control thread's */
	bool strict;	      /* report front-end protocol violations too */
};

/* Why a create failed, as the RPC answers it. */
struct frontend_err {
	int code; /* RPC_ERR_INVALID_PARAMS (a parameter is wrong), or a negative errno */
	char msg[256];
};

typedef void (*frontend_done_fn)(void *arg);

/* The answer to a kind's method (struct frontend_method): result (stolen;
 * NULL means true, as SPDK answers) when err is NULL, else err. */
typedef void (*frontend_reply_fn)(void *arg, json_t *result, const struct frontend_err *err);

/*
 * A method a kind adds on its own controllers, beyond its family's
 * (vhost-user-scsi's vhost_scsi_controller_add_target). The caller found
 * the controller that params[name_param] names, of this kind, and calls
 * call(ctx, params, ...) with the whole params (the kind decodes them all,
 * name_param included). call answers reply(arg, ...) exactly once, on the
 * control thread, possibly before returning.
 */
struct frontend_method {
	const char *name;
	const char *summary;
	void (*call)(void *ctx, json_t *params, frontend_reply_fn reply, void *arg);
};

/* Which RPC family lists and deletes a kind's controllers. */
enum frontend_family {
	/* vhost_get_controllers, vhost_get_controller_stats, vhost_delete_controller */
	FRONTEND_FAMILY_VHOST,
};

struct frontend_ops {
	const char *kind; /* as SPDK prints it: "vhost_user_blk" */
	enum frontend_family family;
	/* SPDK's create method ("vhost_create_blk_controller"), its one-line
	 * help, and the parameter that names the controller ("ctrlr"). */
	const char *create_method;
	const char *create_summary;
	const char *name_param;
	/*
	 * Creates a controller from the create method's params (SPDK's
	 * names). params[name_param] was checked by the caller: a string that
	 * names no other controller and can be a file name. Returns 0 with
	 * *ctx, or a negative errno with err filled (nothing left behind).
	 */
	int (*create)(const struct frontend_env *env, json_t *params, void **ctx,
		      struct frontend_err *err);
	/*
	 * Stops the controller: no new connection, every queue stopped once
	 * its in-flight I/O completed (the control thread is not blocked
	 * meanwhile), sockets removed, bdevs closed, ctx freed. Then calls
	 * done(arg) on the control thread, exactly once, possibly before
	 * destroy returns.
	 */
	void (*destroy)(void *ctx, frontend_done_fn done, void *arg);
	const char *(*name)(const void *ctx);
	/* The controller's entry in its family's listing (vhost_get_controllers);
	 * NULL for lack of memory. */
	json_t *(*info_json)(const void *ctx);
	/* Its entry in vhost_get_controller_stats, except "queues". */
	json_t *(*stats_json)(const void *ctx);
	/* Per-queue hooks: how many queues, and one queue's entry of "queues". */
	uint16_t (*queue_count)(const void *ctx);
	json_t *(*queue_stats_json)(const void *ctx, uint16_t queue);
	/* The kind's own methods on its controllers (may be none). */
	const struct frontend_method *methods;
	size_t method_count;
};

/* frontend_kinds.c: every kind linked in, in the order RPC help lists them. */
extern const struct frontend_ops *const frontend_kinds[];
extern const size_t frontend_kind_count;

/* ---- Helpers every kind uses the same way (frontend.c) ---- */

/* Formats err. */
void frontend_err_set(struct frontend_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Decodes params against spec (lib/rpc); false with err filled
 * (RPC_ERR_INVALID_PARAMS, naming the field) if they do not fit. */
struct rpc_param;
bool frontend_decode_params(json_t *params, const struct rpc_param *spec, size_t n,
			    struct frontend_err *err);
/* The cores running reactors, as a mask. */
uint64_t frontend_reactor_mask(void);
/* SPDK's cpumask parameter (hex with or without 0x, or [0,1], [0-3]); NULL
 * means every reactor's core. Each core must run a reactor. false with err
 * filled if not. */
bool frontend_parse_cpumask(const char *text, uint64_t *mask, struct frontend_err *err);
/* "0x3" for a core mask. */
json_t *frontend_json_cpumask(uint64_t mask);
/* env->sock_dir/name into path (size bytes); -ENAMETOOLONG (logged) if it
 * does not fit a Unix socket address. */
int frontend_socket_path(const struct frontend_env *env, const char *name, char *path,
			 size_t size);

#endif
