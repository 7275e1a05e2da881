/* SPDX-License-Identifier: MIT */
/*
 * vhost-user-scsi as a frontend kind (frontend.h): SPDK's
 * vhost_create_scsi_controller, vhost_scsi_controller_add_target and
 * vhost_scsi_controller_remove_target with SPDK's parameters; ours beside
 * them for more than LUN 0 of a target (vhost_scsi_controller_add_lun,
 * vhost_scsi_controller_remove_lun); its entries in vhost_get_controllers
 * (SPDK's shape: backend_specific.scsi, one object per target) and
 * vhost_get_controller_stats.
 */
#define LOG_COMPONENT "vhost-scsi"
#include <errno.h>
#include <string.h>
#include <sys/un.h>

#include "rpc/rpc.h"
#include "target/frontend/frontend.h"
#include "target/frontend/vhost_scsi.h"
#include "util/common.h"

#define KIND "vhost_user_scsi"

static int plug_create(const struct frontend_env *env, json_t *params, void **ctx,
		       struct frontend_err *err)
{
	const char *ctrlr = NULL, *cpumask = NULL;
	bool delay = false;
	uint32_t num_queues = VHOST_SCSI_DEFAULT_QUEUES;
	const struct rpc_param spec[] = {
	    {"ctrlr", RPC_PARAM_STRING, &ctrlr, 1},
	    {"cpumask", RPC_PARAM_STRING, &cpumask, 0},
	    {"delay", RPC_PARAM_BOOL, &delay, 0},
	    /* ours: request queues */
	    {"num_queues", RPC_PARAM_U32, &num_queues, 0},
	};
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct vhost_scsi_opts opts = {0};
	struct vhost_scsi *vs;
	int rc;

	if (!frontend_decode_params(params, spec, ARRAY_SIZE(spec), err) ||
	    !frontend_parse_cpumask(cpumask, &opts.cpumask, err))
		return -EINVAL;
	/* SPDK's delay holds the controller until vhost_start_scsi_controller,
	 * which we do not have: we serve at once. */
	if (delay) {
		frontend_err_set(err, RPC_ERR_INVALID_PARAMS, "delay: not supported");
		return -EINVAL;
	}
	if (num_queues == 0 || num_queues > VHOST_MAX_QUEUES - 2) {
		frontend_err_set(err, RPC_ERR_INVALID_PARAMS, "num_queues: %u is not in 1..%d",
				 num_queues, VHOST_MAX_QUEUES - 2);
		return -EINVAL;
	}
	rc = frontend_socket_path(env, ctrlr, path, sizeof(path));
	if (rc) {
		frontend_err_set(err, rc, "cannot create controller %s: %s", ctrlr, strerror(-rc));
		return rc;
	}
	opts.name = ctrlr;
	opts.socket_path = path;
	opts.num_queues = (uint16_t)num_queues;
	opts.loop = env->loop;
	opts.strict = env->strict;
	rc = vhost_scsi_create(&opts, &vs);
	if (rc)
		frontend_err_set(err, rc, "cannot create controller %s: %s", ctrlr, strerror(-rc));
	else
		*ctx = vs;
	return rc;
}

static void plug_destroy(void *ctx, frontend_done_fn done, void *arg)
{
	vhost_scsi_destroy(ctx, done, arg);
}

static const char *plug_name(const void *ctx)
{
	return vhost_scsi_name(ctx);
}

/* SPDK's backend_specific.scsi: per target, its number (scsi_dev_num), its
 * place in the list (id), "Target N" and its LUNs. */
static json_t *targets_json(const struct vhost_scsi *vs)
{
	json_t *targets = json_array();
	int id = 0;

	for (unsigned t = 0; targets && t < VHOST_SCSI_MAX_TARGETS; t++) {
		json_t *luns = json_array();
		char name[32];

		for (unsigned l = 0; luns && l < VHOST_SCSI_MAX_LUNS; l++) {
			struct vhost_scsi_lun_info li;

			vhost_scsi_get_lun(vs, t, l, &li);
			if (li.present)
				json_array_append_new(luns, json_pack("{s:i, s:s}", "id", (int)l,
								      "bdev_name", li.bdev_name));
		}
		if (!luns || json_array_size(luns) == 0) {
			json_decref(luns);
			continue;
		}
		snprintf(name, sizeof(name), "Target %u", t);
		json_array_append_new(targets,
				      json_pack("{s:s, s:o, s:i, s:i}", "target_name", name, "luns",
						luns, "id", id++, "scsi_dev_num", (int)t));
	}
	return targets;
}

static json_t *plug_info_json(const void *ctx)
{
	struct vhost_scsi_info info;

	vhost_scsi_get_info(ctx, &info);
	return json_pack("{s:s, s:o, s:i, s:i, s:s, s:i, s:b, s:{s:o*}, s:s}", "ctrlr", info.name,
			 "cpumask", frontend_json_cpumask(info.cpumask), "delay_base_us", 0,
			 "iops_threshold", 0, "socket", info.socket_path, "num_queues",
			 (int)info.num_queues, "connected", info.dev.connected, "backend_specific",
			 "scsi", targets_json(ctx), "transport", KIND);
}

static json_t *plug_stats_json(const void *ctx)
{
	struct vhost_scsi_info info;

	vhost_scsi_get_info(ctx, &info);
	return json_pack("{s:s, s:b}", "ctrlr", info.name, "connected", info.dev.connected);
}

static uint16_t plug_queue_count(const void *ctx)
{
	struct vhost_scsi_info info;

	vhost_scsi_get_info(ctx, &info);
	return (uint16_t)(info.num_queues + 2);
}

static json_t *plug_queue_stats_json(const void *ctx, uint16_t i)
{
	static const char *const kinds[] = {"control", "event"};
	struct vhost_scsi_queue_stats st;

	vhost_scsi_get_queue_stats(ctx, i, &st);
	return json_pack("{s:i, s:s, s:i, s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:I, s:I}",
			 "queue", (int)i, "type", i < 2 ? kinds[i] : "request", "core",
			 (int)st.core, "started", st.started, "broken", st.broken, "requests",
			 (json_int_t)st.requests, "bytes_read", (json_int_t)st.bytes_read,
			 "bytes_written", (json_int_t)st.bytes_written, "errors",
			 (json_int_t)st.errors, "malformed", (json_int_t)st.malformed, "resubmitted",
			 (json_int_t)st.resubmitted, "inflight", (int)st.inflight, "ring_starts", (json_int_t)st.ring_starts, "ring_stops",
			 (json_int_t)st.ring_stops);
}

/* ---- Methods on a controller ---- */

static void reply_err(frontend_reply_fn reply, void *arg, int code, const char *what)
{
	struct frontend_err err;

	frontend_err_set(&err, code, "%s", what);
	reply(arg, NULL, &err);
}

static void add(struct vhost_scsi *vs, int target, uint32_t lun, const char *bdev_name,
		bool descriptor_sense, frontend_reply_fn reply, void *arg)
{
	struct frontend_err err = {0};

	if (target < 0)
		target = vhost_scsi_free_target(vs);
	if (target < 0) {
		reply_err(reply, arg, -ENOSPC, "no free target number");
		return;
	}
	if (vhost_scsi_add_lun(vs, (unsigned)target, lun, bdev_name, descriptor_sense, &err) != 0)
		reply(arg, NULL, &err);
	else
		reply(arg, json_integer(target), NULL);
}

/* SPDK: {ctrlr, scsi_target_num, bdev_name}, scsi_target_num -1 for the
 * first free one; answers the target number; the bdev is its LUN 0. */
static void m_add_target(void *ctx, json_t *params, frontend_reply_fn reply, void *arg)
{
	const char *ctrlr = NULL, *bdev_name = NULL;
	uint32_t target = 0;
	const struct rpc_param spec[] = {
	    {"ctrlr", RPC_PARAM_STRING, &ctrlr, 1},
	    {"scsi_target_num", RPC_PARAM_U32, &target, 1},
	    {"bdev_name", RPC_PARAM_STRING, &bdev_name, 1},
	};
	json_t *num = json_object_get(params, "scsi_target_num");
	bool first_free = json_is_integer(num) && json_integer_value(num) == -1;
	json_t *p = json_copy(params);
	struct frontend_err err = {0};

	if (!p) {
		reply_err(reply, arg, -ENOMEM, "no memory");
		return;
	}
	if (first_free)
		json_object_set_new(p, "scsi_target_num", json_integer(0));
	if (!frontend_decode_params(p, spec, ARRAY_SIZE(spec), &err)) {
		json_decref(p);
		reply(arg, NULL, &err);
		return;
	}
	add(ctx, first_free ? -1 : (int)MIN(target, (uint32_t)INT32_MAX), 0, bdev_name, false,
	    reply, arg);
	json_decref(p);
}

/* Ours: {ctrlr, scsi_target_num, lun, bdev_name, descriptor_sense?}: one
 * more LUN; descriptor_sense sets its D_SENSE (we take no MODE SELECT). */
static void m_add_lun(void *ctx, json_t *params, frontend_reply_fn reply, void *arg)
{
	const char *ctrlr = NULL, *bdev_name = NULL;
	uint32_t target = 0, lun = 0;
	bool desc = false;
	const struct rpc_param spec[] = {
	    {"ctrlr", RPC_PARAM_STRING, &ctrlr, 1},
	    {"scsi_target_num", RPC_PARAM_U32, &target, 1},
	    {"lun", RPC_PARAM_U32, &lun, 1},
	    {"bdev_name", RPC_PARAM_STRING, &bdev_name, 1},
	    {"descriptor_sense", RPC_PARAM_BOOL, &desc, 0},
	};
	struct frontend_err err = {0};

	if (!frontend_decode_params(params, spec, ARRAY_SIZE(spec), &err)) {
		reply(arg, NULL, &err);
		return;
	}
	add(ctx, (int)MIN(target, (uint32_t)INT32_MAX), lun, bdev_name, desc, reply, arg);
}

struct pending_reply {
	frontend_reply_fn reply;
	void *arg;
};

static void removed(void *arg)
{
	struct pending_reply *p = arg;

	p->reply(p->arg, NULL, NULL);
	free(p);
}

static void remove_lun(struct vhost_scsi *vs, uint32_t target, int lun, frontend_reply_fn reply,
		       void *arg)
{
	struct pending_reply *p = malloc(sizeof(*p));
	char what[96];
	int rc;

	if (!p) {
		reply_err(reply, arg, -ENOMEM, "no memory");
		return;
	}
	*p = (struct pending_reply){reply, arg};
	rc = vhost_scsi_remove(vs, target, lun, removed, p);
	if (rc) {
		free(p);
		if (lun < 0)
			snprintf(what, sizeof(what), "scsi_target_num: no target %u", target);
		else
			snprintf(what, sizeof(what), "no LUN %d on target %u", lun, target);
		reply_err(reply, arg, rc, what);
	}
}

/* SPDK: {ctrlr, scsi_target_num}; answered once its commands completed. */
static void m_remove_target(void *ctx, json_t *params, frontend_reply_fn reply, void *arg)
{
	const char *ctrlr = NULL;
	uint32_t target = 0;
	const struct rpc_param spec[] = {
	    {"ctrlr", RPC_PARAM_STRING, &ctrlr, 1},
	    {"scsi_target_num", RPC_PARAM_U32, &target, 1},
	};
	struct frontend_err err = {0};

	if (!frontend_decode_params(params, spec, ARRAY_SIZE(spec), &err))
		reply(arg, NULL, &err);
	else
		remove_lun(ctx, target, -1, reply, arg);
}

static void m_remove_lun(void *ctx, json_t *params, frontend_reply_fn reply, void *arg)
{
	const char *ctrlr = NULL;
	uint32_t target = 0, lun = 0;
	const struct rpc_param spec[] = {
	    {"ctrlr", RPC_PARAM_STRING, &ctrlr, 1},
	    {"scsi_target_num", RPC_PARAM_U32, &target, 1},
	    {"lun", RPC_PARAM_U32, &lun, 1},
	};
	struct frontend_err err = {0};

	if (!frontend_decode_params(params, spec, ARRAY_SIZE(spec), &err))
		reply(arg, NULL, &err);
	else
		remove_lun(ctx, target, (int)MIN(lun, (uint32_t)VHOST_SCSI_MAX_LUNS), reply, arg);
}

static const struct frontend_method g_methods[] = {
    {"vhost_scsi_controller_add_target",
     "add a target with bdev_name as its LUN 0 {ctrlr, scsi_target_num (-1: first free), "
     "bdev_name}; answers the target number",
     m_add_target},
    {"vhost_scsi_controller_remove_target",
     "remove a target and its LUNs {ctrlr, scsi_target_num}; answered once its commands "
     "completed",
     m_remove_target},
    {"vhost_scsi_controller_add_lun",
     "add a LUN to a target (storlab) {ctrlr, scsi_target_num, lun, bdev_name, "
     "descriptor_sense?}",
     m_add_lun},
    {"vhost_scsi_controller_remove_lun",
     "remove one LUN of a target (storlab) {ctrlr, scsi_target_num, lun}", m_remove_lun},
};

const struct frontend_ops vhost_scsi_frontend = {
    .kind = KIND,
    .family = FRONTEND_FAMILY_VHOST,
    .create_method = "vhost_create_scsi_controller",
    .create_summary = "create a vhost-user-scsi controller {ctrlr, cpumask?, num_queues?}",
    .name_param = "ctrlr",
    .create = plug_create,
    .destroy = plug_destroy,
    .name = plug_name,
    .info_json = plug_info_json,
    .stats_json = plug_stats_json,
    .queue_count = plug_queue_count,
    .queue_stats_json = plug_queue_stats_json,
    .methods = g_methods,
    .method_count = ARRAY_SIZE(g_methods),
};
