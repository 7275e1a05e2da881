/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_SCENARIO_ENDPOINT_H
#define STORLAB_SCENARIO_ENDPOINT_H

/* The engine's endpoints: processes it spawns (storlab-tgt,
 * qemu-storage-daemon) or a socket given to it, and the RPC connection. */

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "rpc/rpc.h"
#include "scenario/scenario.h"

struct sc_ep {
	const struct sc_endpoint *def;
	const struct scenario_run_opts *opts;
	char dir[PATH_MAX];	 /* tgt: its socket directory (-S) */
	char rpc_sock[PATH_MAX]; /* tgt */
	char sock[PATH_MAX];	 /* qsd, socket: the vhost-user socket */
	char log[PATH_MAX];	 /* spawned: stdout and stderr */
	pid_t pid;		 /* 0: not running (or not ours) */
	struct rpc_client *rpc;
};

/* Sets paths under workdir; nothing starts. */
int sc_ep_init(struct sc_ep *ep, const struct sc_endpoint *def,
	       const struct scenario_run_opts *opts, const char *workdir);
/* Spawns the process and waits until its socket is there; for storlab-tgt,
 * then makes the set-up rpc calls. 0 or a negative errno with err set. */
int sc_ep_start(struct sc_ep *ep, char *err, size_t err_len);
/* SIGTERM, then SIGKILL after a while; closes the RPC connection. Returns the
 * exit status (0 clean), -1 if killed or not ours. */
int sc_ep_stop(struct sc_ep *ep);
/* SIGSTOP (pause) or SIGCONT a spawned endpoint; nothing for a socket. */
void sc_ep_pause(struct sc_ep *ep, bool pause);
/* Drops our connections to the endpoint (the RPC one). */
void sc_ep_disconnect(struct sc_ep *ep);
/* One call: 0 with *result, -EREMOTEIO with *error, or another negative errno. */
int sc_ep_call(struct sc_ep *ep, const char *method, json_t *params, json_t **result,
	       json_t **error);
/* "vhost-user-blk:/path" of the device (controller: for storlab-tgt). */
int sc_ep_uri(const struct sc_ep *ep, const char *controller, char *uri, size_t len);

#endif
