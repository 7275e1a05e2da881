/* SPDX-License-Identifier: MIT */
/* JSON-RPC methods of the framework area: the reactors, in SPDK's shape. */
#define LOG_COMPONENT "tgt"
#include "target/tgt.h"

#include <errno.h>
#include <unistd.h>

#include "util/common.h"

/*
 * SPDK's framework_get_reactors: tick_rate, and per reactor lcore, busy and
 * idle (ticks), in_interrupt and lw_threads (we have none: queues are
 * pollers). Ours: mode, sleeps, pollers.
 */
static json_t *reactor_json(unsigned index, enum env_mode mode)
{
	struct reactor *r = env_reactor_at(index);
	struct reactor_stats st;

	reactor_get_stats(r, &st);
	return json_pack("{s:i, s:I, s:I, s:b, s:s, s:I, s:i, s:[]}", "lcore", (int)reactor_core(r),
			 "busy", (json_int_t)st.busy_tsc, "idle", (json_int_t)st.idle_tsc,
			 "in_interrupt", mode == ENV_MODE_INTERRUPT, "mode", env_mode_name(mode),
			 "sleeps", (json_int_t)st.sleeps, "pollers", (int)st.pollers, "lw_threads");
}

static void rpc_get_reactors(struct rpc_request *req, json_t *params, void *ctx)
{
	struct tgt_app *app = ctx;
	json_t *reactors = json_array(), *result;

	/* No parameters: any field is unknown. */
	if (!tgt_rpc_decode(req, params, NULL, 0)) {
		json_decref(reactors);
		return;
	}
	for (unsigned i = 0; reactors && i < env_reactor_count(); i++)
		json_array_append_new(reactors, reactor_json(i, app->opts.mode));
	result = json_pack("{s:I, s:i, s:o*}", "tick_rate", (json_int_t)env_tsc_hz(), "pid",
			   (int)getpid(), "reactors", reactors);
	if (!result) {
		rpc_reply_errno(req, -ENOMEM, NULL);
		return;
	}
	rpc_reply_result(req, result);
}

static const struct rpc_method g_framework_methods[] = {
    {"framework_get_reactors", rpc_get_reactors, "reactors and their busy / idle ticks"},
};

int tgt_rpc_framework_register(struct tgt_app *app)
{
	return rpc_server_add_methods(app->rpc, g_framework_methods,
				      ARRAY_SIZE(g_framework_methods), app);
}
