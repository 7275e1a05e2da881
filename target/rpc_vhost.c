/* SPDX-License-Identifier: MIT */
/*
 * JSON-RPC methods of the vhost area, with SPDK's names, parameters and
 * output shapes: each frontend kind's create method (vhost_create_blk_controller
 * answers true, as SPDK does), vhost_delete_controller,
 * vhost_get_controllers, and our vhost_get_controller_stats; and each kind's
 * own methods on its controllers (vhost_scsi_controller_add_target).
 * Controllers are reached only through their kind's ops (frontend.h).
 */
#define LOG_COMPONENT "tgt"
#include "target/tgt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"

static void rpc_create(struct rpc_request *req, json_t *params, void *ctx)
{
	struct tgt_kind *kind = ctx;
	struct frontend_err err = {0};

	if (tgt_ctrlr_create(kind->app, kind->ops, params, &err) != 0)
		rpc_reply_error(req, err.code, "%s", err.msg);
	else
		rpc_reply_result(req, NULL);
}

/* A kind's method: its RPC entry and what it runs on. */
struct tgt_kind_method {
	struct rpc_method rpc;
	struct tgt_kind *kind;
	const struct frontend_method *fm;
};

static void kind_method_reply(void *arg, json_t *result, const struct frontend_err *err)
{
	if (err)
		rpc_reply_error(arg, err->code, "%s", err->msg);
	else
		rpc_reply_result(arg, result);
}

/* The controller params[name_param] names, if it is of this kind; then the
 * kind decodes the params and answers. */
static void rpc_kind_method(struct rpc_request *req, json_t *params, void *ctx)
{
	struct tgt_kind_method *m = ctx;
	const char *param = m->kind->ops->name_param;
	json_t *v = json_object_get(params, param);
	struct tgt_ctrlr *c;

	if (!json_is_string(v)) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS, "%s: a string is required", param);
		return;
	}
	c = tgt_ctrlr_find(m->kind->app, json_string_value(v));
	if (!c || c->ops != m->kind->ops) {
		tgt_rpc_reply_errno(req, -ENODEV, "%s: no %s controller named %s", param,
				    m->kind->ops->kind, json_string_value(v));
		return;
	}
	m->fm->call(c->ctx, params, kind_method_reply, req);
}

static int register_kind_methods(struct tgt_kind *kind)
{
	const struct frontend_ops *ops = kind->ops;
	int rc;

	if (ops->method_count == 0)
		return 0;
	kind->methods = calloc(ops->method_count, sizeof(*kind->methods));
	if (!kind->methods)
		return -ENOMEM;
	for (size_t j = 0; j < ops->method_count; j++) {
		struct tgt_kind_method *m = &kind->methods[j];

		*m = (struct tgt_kind_method){
		    .rpc = {.name = ops->methods[j].name,
			    .fn = rpc_kind_method,
			    .summary = ops->methods[j].summary},
		    .kind = kind,
		    .fm = &ops->methods[j],
		};
		rc = rpc_server_add_methods(kind->app->rpc, &m->rpc, 1, m);
		if (rc)
			return rc;
	}
	return 0;
}

/* Answered once the controller is gone: its rings drained. */
static void ctrlr_deleted(void *arg)
{
	rpc_reply_result(arg, NULL);
}

static void rpc_delete_ctrlr(struct rpc_request *req, json_t *params, void *ctx)
{
	struct tgt_app *app = ctx;
	const char *name = NULL;
	const struct rpc_param spec[] = {
	    {"ctrlr", RPC_PARAM_STRING, &name, 1},
	};
	struct tgt_ctrlr *c;

	if (!tgt_rpc_decode(req, params, spec, ARRAY_SIZE(spec)))
		return;
	c = tgt_ctrlr_find(app, name);
	if (!c || c->ops->family != FRONTEND_FAMILY_VHOST ||
	    tgt_ctrlr_delete(app, name, ctrlr_deleted, req) != 0)
		tgt_rpc_reply_errno(req, -ENODEV, "ctrlr: no controller named %s", name);
}

static json_t *ctrlr_info_json(const struct tgt_ctrlr *c)
{
	return c->ops->info_json(c->ctx);
}

static json_t *ctrlr_stats_json(const struct tgt_ctrlr *c)
{
	json_t *obj = c->ops->stats_json(c->ctx);
	json_t *queues = json_array();
	uint16_t n = c->ops->queue_count(c->ctx);

	for (uint16_t i = 0; queues && i < n; i++)
		json_array_append_new(queues, c->ops->queue_stats_json(c->ctx, i));
	if (!obj || !queues || json_object_set_new(obj, "queues", queues) != 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* Runs fn over controller `name`, or every vhost controller if NULL, and
 * answers the array of what it returned. */
static void reply_ctrlrs(struct rpc_request *req, struct tgt_app *app, const char *name,
			 json_t *(*fn)(const struct tgt_ctrlr *c))
{
	json_t *array = json_array();
	struct tgt_ctrlr *c;

	if (!array) {
		rpc_reply_errno(req, -ENOMEM, NULL);
		return;
	}
	if (name) {
		c = tgt_ctrlr_find(app, name);
		if (!c || c->ops->family != FRONTEND_FAMILY_VHOST) {
			json_decref(array);
			tgt_rpc_reply_errno(req, -ENODEV, "no controller named %s", name);
			return;
		}
		json_array_append_new(array, fn(c));
	} else {
		for (c = app->ctrlrs; c; c = c->next) {
			if (!c->deleting && c->ops->family == FRONTEND_FAMILY_VHOST)
				json_array_append_new(array, fn(c));
		}
	}
	rpc_reply_result(req, array);
}

/* Both listing methods take SPDK's optional {name} filter. */
static void get_ctrlrs_filtered(struct rpc_request *req, json_t *params, void *ctx,
				json_t *(*to_json)(const struct tgt_ctrlr *))
{
	const char *name = NULL;
	const struct rpc_param spec[] = {
	    {"name", RPC_PARAM_STRING, &name, 0},
	};

	if (tgt_rpc_decode(req, params, spec, ARRAY_SIZE(spec)))
		reply_ctrlrs(req, ctx, name, to_json);
}

static void rpc_get_ctrlrs(struct rpc_request *req, json_t *params, void *ctx)
{
	get_ctrlrs_filtered(req, params, ctx, ctrlr_info_json);
}

static void rpc_get_ctrlr_stats(struct rpc_request *req, json_t *params, void *ctx)
{
	get_ctrlrs_filtered(req, params, ctx, ctrlr_stats_json);
}

static const struct rpc_method g_vhost_methods[] = {
    {"vhost_delete_controller", rpc_delete_ctrlr,
     "delete a controller {ctrlr}; answered once its queues drained"},
    {"vhost_get_controllers", rpc_get_ctrlrs, "list controllers {name?}"},
    {"vhost_get_controller_stats", rpc_get_ctrlr_stats, "per-queue request statistics {name?}"},
};

/* Each kind's create method and own methods first, then the methods over
 * every kind. */
int tgt_rpc_vhost_register(struct tgt_app *app)
{
	int rc;

	app->kinds = calloc(frontend_kind_count, sizeof(*app->kinds));
	app->create_methods = calloc(frontend_kind_count, sizeof(*app->create_methods));
	if (!app->kinds || !app->create_methods)
		return -ENOMEM;
	for (size_t i = 0; i < frontend_kind_count; i++) {
		const struct frontend_ops *ops = frontend_kinds[i];

		app->kinds[i] = (struct tgt_kind){.app = app, .ops = ops};
		app->create_methods[i] = (struct rpc_method){
		    .name = ops->create_method, .fn = rpc_create, .summary = ops->create_summary};
		rc = rpc_server_add_methods(app->rpc, &app->create_methods[i], 1, &app->kinds[i]);
		if (rc == 0)
			rc = register_kind_methods(&app->kinds[i]);
		if (rc)
			return rc;
	}
	return rpc_server_add_methods(app->rpc, g_vhost_methods, ARRAY_SIZE(g_vhost_methods), app);
}
