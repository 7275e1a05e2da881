/* SPDX-License-Identifier: MIT */
/*
 * vhost-user-blk as a frontend kind (frontend.h): SPDK's
 * vhost_create_blk_controller parameters, and its entries in
 * vhost_get_controllers (SPDK's shape, plus num_queues and connected) and
 * vhost_get_controller_stats (ours).
 */
#define LOG_COMPONENT "vhost-blk"
#include <errno.h>
#include <string.h>
#include <sys/un.h>

#include "rpc/rpc.h"
#include "target/frontend/frontend.h"
#include "target/frontend/vhost_blk.h"
#include "util/common.h"

#define KIND "vhost_user_blk"

struct create_params {
	const char *ctrlr;
	const char *dev_name;
	const char *cpumask;
	const char *transport;
	bool readonly;
	bool packed_ring;
	bool packed_ring_recovery;
	uint32_t num_queues;
};

static bool check_params(const struct create_params *p, struct frontend_err *err)
{
	if (p->transport && strcmp(p->transport, KIND) != 0) {
		frontend_err_set(err, RPC_ERR_INVALID_PARAMS,
				 "transport: '%s' is not supported (" KIND " is)", p->transport);
		return false;
	}
	if (p->packed_ring) {
		frontend_err_set(err, RPC_ERR_INVALID_PARAMS,
				 "packed_ring: packed ring not supported yet");
		return false;
	}
	if (p->num_queues == 0 || p->num_queues > VHOST_MAX_QUEUES) {
		frontend_err_set(err, RPC_ERR_INVALID_PARAMS, "num_queues: %u is not in 1..%d",
				 p->num_queues, VHOST_MAX_QUEUES);
		return false;
	}
	return true;
}

static int plug_create(const struct frontend_env *env, json_t *params, void **ctx,
		       struct frontend_err *err)
{
	struct create_params p = {.num_queues = VHOST_BLK_DEFAULT_QUEUES};
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
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct vhost_blk_opts opts = {0};
	struct vhost_blk *vb;
	int rc;

	if (!frontend_decode_params(params, spec, ARRAY_SIZE(spec), err) ||
	    !check_params(&p, err) || !frontend_parse_cpumask(p.cpumask, &opts.cpumask, err))
		return -EINVAL;
	rc = frontend_socket_path(env, p.ctrlr, path, sizeof(path));
	if (rc) {
		frontend_err_set(err, rc, "cannot create controller %s: %s", p.ctrlr,
				 strerror(-rc));
		return rc;
	}
	opts.name = p.ctrlr;
	opts.socket_path = path;
	opts.bdev_name = p.dev_name;
	opts.readonly = p.readonly;
	opts.num_queues = (uint16_t)p.num_queues;
	opts.loop = env->loop;
	opts.strict = env->strict;
	rc = vhost_blk_create(&opts, &vb);
	if (rc == -ENODEV)
		frontend_err_set(err, rc, "dev_name: no bdev named %s", p.dev_name);
	else if (rc)
		frontend_err_set(err, rc, "cannot create controller %s: %s", p.ctrlr,
				 strerror(-rc));
	else
		*ctx = vb;
	return rc;
}

static void plug_destroy(void *ctx, frontend_done_fn done, void *arg)
{
	vhost_blk_destroy(ctx, done, arg);
}

static const char *plug_name(const void *ctx)
{
	return vhost_blk_name(ctx);
}

static json_t *plug_info_json(const void *ctx)
{
	struct vhost_blk_info info;

	vhost_blk_get_info(ctx, &info);
	return json_pack("{s:s, s:o, s:i, s:i, s:s, s:i, s:b, s:{s:{s:b, s:s, s:s}}}", "ctrlr",
			 info.name, "cpumask", frontend_json_cpumask(info.cpumask),
			 "delay_base_us", 0, "iops_threshold", 0, "socket", info.socket_path,
			 "num_queues", (int)info.num_queues, "connected", info.dev.connected,
			 "backend_specific", "block", "readonly", info.readonly, "bdev",
			 info.bdev_name, "transport", KIND);
}

static json_t *plug_stats_json(const void *ctx)
{
	struct vhost_blk_info info;

	vhost_blk_get_info(ctx, &info);
	return json_pack("{s:s, s:s, s:b}", "ctrlr", info.name, "bdev", info.bdev_name,
			 "connected", info.dev.connected);
}

static uint16_t plug_queue_count(const void *ctx)
{
	struct vhost_blk_info info;

	vhost_blk_get_info(ctx, &info);
	return info.num_queues;
}

static json_t *plug_queue_stats_json(const void *ctx, uint16_t i)
{
	struct vhost_blk_queue_stats st;
	json_t *requests = json_object();

	vhost_blk_get_queue_stats(ctx, i, &st);
	for (int t = 0; requests && t < VHOST_BLK_STAT_COUNT; t++)
		json_object_set_new(requests, vhost_blk_stat_type_name(t),
				    json_integer((json_int_t)st.requests[t]));
	return json_pack("{s:i, s:i, s:b, s:b, s:o*, s:I, s:I, s:I, s:I, s:I, s:i, s:I, s:I}",
			 "queue", (int)i, "core", (int)st.core, "started", st.started, "broken",
			 st.broken, "requests", requests, "bytes_read", (json_int_t)st.bytes_read,
			 "bytes_written", (json_int_t)st.bytes_written, "errors",
			 (json_int_t)st.errors, "malformed", (json_int_t)st.malformed,
			 "resubmitted", (json_int_t)st.resubmitted, "inflight", (int)st.inflight,
			 "ring_starts", (json_int_t)st.ring_starts, "ring_stops",
			 (json_int_t)st.ring_stops);
}

const struct frontend_ops vhost_blk_frontend = {
    .kind = KIND,
    .family = FRONTEND_FAMILY_VHOST,
    .create_method = "vhost_create_blk_controller",
    .create_summary = "create a vhost-user-blk controller {ctrlr, dev_name, cpumask?, "
		      "readonly?, packed_ring?, num_queues?}",
    .name_param = "ctrlr",
    .create = plug_create,
    .destroy = plug_destroy,
    .name = plug_name,
    .info_json = plug_info_json,
    .stats_json = plug_stats_json,
    .queue_count = plug_queue_count,
    .queue_stats_json = plug_queue_stats_json,
};
