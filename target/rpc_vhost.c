/* SPDX-License-Identifier: MIT */
/*
 * JSON-RPC methods of the vhost area, with SPDK's names, parameters and
 * output shapes (vhost_create_blk_controller answers true, as SPDK does),
 * plus our vhost_get_controller_stats and the num_queues parameter.
 */
#define LOG_COMPONENT "tgt"
#include "target/tgt.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "util/common.h"

/* The cores that run reactors. */
static uint64_t reactor_mask(void)
{
	uint64_t mask = 0;

	for (unsigned i = 0; i < env_reactor_count(); i++)
		mask |= 1ULL << reactor_core(env_reactor_at(i));
	return mask;
}

/* SPDK's cpumask parameter: a string, hex with or without 0x, or a list. */
static bool parse_cpumask(struct rpc_request *req, const char *text, uint64_t *mask)
{
	uint64_t all = reactor_mask();

	if (!text) {
		*mask = all;
		return true;
	}
	if (env_parse_core_mask(text, mask) != 0) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS,
				"cpumask: '%s' is not a core mask (0x3, 3, [0,1], [0-3])", text);
		return false;
	}
	if (*mask & ~all) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS,
				"cpumask: %s has cores that run no reactor (reactors: 0x%" PRIx64
				")",
				text, all);
		return false;
	}
	return true;
}

struct create_blk_params {
	const char *ctrlr;
	const char *dev_name;
	const char *cpumask;
	const char *transport;
	bool readonly;
	bool packed_ring;
	bool packed_ring_recovery;
	uint32_t num_queues;
};

static bool check_create_blk(struct rpc_request *req, const struct create_blk_params *p)
{
	const char *why = tgt_ctrlr_name_error(p->ctrlr);

	if (why) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS, "ctrlr: '%s' %s", p->ctrlr, why);
		return false;
	}
	if (p->transport && strcmp(p->transport, "vhost_user_blk") != 0) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS,
				"transport: '%s' is not supported (vhost_user_blk is)",
				p->transport);
		return false;
	}
	if (p->packed_ring) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS,
				"packed_ring: packed ring not supported yet");
		return false;
	}
	if (p->num_queues == 0 || p->num_queues > VHOST_MAX_QUEUES) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS, "num_queues: %u is not in 1..%d",
				p->num_queues, VHOST_MAX_QUEUES);
		return false;
	}
	return true;
}

static void rpc_create_blk(struct rpc_request *req, json_t *params, void *ctx)
{
	struct tgt_app *app = ctx;
	struct create_blk_params p = {.num_queues = VHOST_BLK_DEFAULT_QUEUES};
	const struct rpc_param spec[] = {
	    {"ctrlr", RPC_PARAM_STRING, &p.ctrlr, 1},
	    {"dev_name", RPC_PARAM_STRING, &p.dev_name, 1},
	    {"cpumask", RPC_PARAM_STRING, &p.cpumask, 0},
	    {"transport", RPC_PARAM_STRING, &p.transport, 0},
	    {"readonly", RPC_PARAM_BOOL, &p.readonly, 0},
	    {"packed_ring", RPC_PARAM_BOOL, &p.packed_ring, 0},
	    /* Only meaningful with packed_ring, which is refused. */
	    {"packed_ring_recovery", RPC_PARAM_BOOL, &p.packed_ring_recovery, 0},
	    {"num_queues", RPC_PARAM_U32, &p.num_queues, 0},
	};
	struct vhost_blk_opts opts = {0};
	int rc;

	if (!tgt_rpc_decode(req, params, spec, ARRAY_SIZE(spec)) || !check_create_blk(req, &p) ||
	    !parse_cpumask(req, p.cpumask, &opts.cpumask))
		return;
	if (tgt_ctrlr_find(app, p.ctrlr)) {
		tgt_rpc_reply_errno(req, -EEXIST, "ctrlr: controller %s already exists", p.ctrlr);
		return;
	}
	opts.name = p.ctrlr;
	opts.bdev_name = p.dev_name;
	opts.readonly = p.readonly;
	opts.num_queues = (uint16_t)p.num_queues;
	rc = tgt_ctrlr_create_blk(app, &opts);
	if (rc == -ENODEV)
		tgt_rpc_reply_errno(req, rc, "dev_name: no bdev named %s", p.dev_name);
	else if (rc)
		tgt_rpc_reply_errno(req, rc, "cannot create controller %s: %s", p.ctrlr,
				    strerror(-rc));
	else
		rpc_reply_result(req, NULL);
}

static void rpc_delete_ctrlr(struct rpc_request *req, json_t *params, void *ctx)
{
	struct tgt_app *app = ctx;
	const char *name = NULL;
	const struct rpc_param spec[] = {
	    {"ctrlr", RPC_PARAM_STRING, &name, 1},
	};

	if (!tgt_rpc_decode(req, params, spec, ARRAY_SIZE(spec)))
		return;
	if (tgt_ctrlr_delete(app, name) != 0)
		tgt_rpc_reply_errno(req, -ENODEV, "ctrlr: no controller named %s", name);
	else
		rpc_reply_result(req, NULL);
}

/* One entry of SPDK's vhost_get_controllers, plus num_queues and connected. */
static json_t *ctrlr_json(const struct tgt_ctrlr *c)
{
	struct vhost_blk_info info;

	vhost_blk_get_info(c->blk, &info);
	return json_pack("{s:s, s:o, s:i, s:i, s:s, s:i, s:b, s:{s:{s:b, s:s, s:s}}}", "ctrlr",
			 info.name, "cpumask", tgt_json_cpumask(info.cpumask), "delay_base_us", 0,
			 "iops_threshold", 0, "socket", info.socket_path, "num_queues",
			 (int)info.num_queues, "connected", info.dev.connected, "backend_specific",
			 "block", "readonly", info.readonly, "bdev", info.bdev_name, "transport",
			 "vhost_user_blk");
}

static json_t *queue_json(const struct tgt_ctrlr *c, uint16_t i)
{
	struct vhost_blk_queue_stats st;
	json_t *requests = json_object();

	vhost_blk_get_queue_stats(c->blk, i, &st);
	for (int t = 0; requests && t < VHOST_BLK_STAT_COUNT; t++)
		json_object_set_new(requests, vhost_blk_stat_type_name(t),
				    json_integer((json_int_t)st.requests[t]));
	return json_pack("{s:i, s:i, s:b, s:b, s:o*, s:I, s:I, s:I, s:I, s:i}", "queue", (int)i,
			 "core", (int)st.core, "started", st.started, "broken", st.broken,
			 "requests", requests, "bytes_read", (json_int_t)st.bytes_read,
			 "bytes_written", (json_int_t)st.bytes_written, "errors",
			 (json_int_t)st.errors, "malformed", (json_int_t)st.malformed, "inflight",
			 (int)st.inflight);
}

static json_t *ctrlr_stats_json(const struct tgt_ctrlr *c)
{
	struct vhost_blk_info info;
	json_t *queues = json_array();

	vhost_blk_get_info(c->blk, &info);
	for (uint16_t i = 0; queues && i < info.num_queues; i++)
		json_array_append_new(queues, queue_json(c, i));
	return json_pack("{s:s, s:s, s:b, s:o*}", "ctrlr", info.name, "bdev", info.bdev_name,
			 "connected", info.dev.connected, "queues", queues);
}

/* Runs fn over controller `name`, or every controller if NULL, and answers
 * the array of what it returned. */
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
		if (!c) {
			json_decref(array);
			tgt_rpc_reply_errno(req, -ENODEV, "no controller named %s", name);
			return;
		}
		json_array_append_new(array, fn(c));
	} else {
		for (c = app->ctrlrs; c; c = c->next)
			json_array_append_new(array, fn(c));
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
	get_ctrlrs_filtered(req, params, ctx, ctrlr_json);
}

static void rpc_get_ctrlr_stats(struct rpc_request *req, json_t *params, void *ctx)
{
	get_ctrlrs_filtered(req, params, ctx, ctrlr_stats_json);
}

static const struct rpc_method g_vhost_methods[] = {
    {"vhost_create_blk_controller", rpc_create_blk,
     "create a vhost-user-blk controller {ctrlr, dev_name, cpumask?, readonly?, "
     "packed_ring?, num_queues?}"},
    {"vhost_delete_controller", rpc_delete_ctrlr, "delete a controller {ctrlr}"},
    {"vhost_get_controllers", rpc_get_ctrlrs, "list controllers {name?}"},
    {"vhost_get_controller_stats", rpc_get_ctrlr_stats, "per-queue request statistics {name?}"},
};

int tgt_rpc_vhost_register(struct tgt_app *app)
{
	return rpc_server_add_methods(app->rpc, g_vhost_methods, ARRAY_SIZE(g_vhost_methods), app);
}
