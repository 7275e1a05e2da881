/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_SCENARIO_ENDPOINT_H
#define STORLAB_SCENARIO_ENDPOINT_H

/* A scenario's endpoint as lib/endpoint runs it: the file's definition
 * turned into an endpoint of the kind its type names. */

#include "endpoint/endpoint.h"
#include "scenario/scenario.h"

/* What an existing socket serves unless the file says (docs/scenarios.md). */
#define SC_DEFAULT_SCHEME "vhost-user-blk"

struct sc_ep {
	const struct sc_endpoint *def;
	struct endpoint_config cfg;
	struct endpoint_call *setup; /* [def->rpc_count] */
	struct endpoint *ep;
};

/* Creates the endpoint (nothing starts) with its files under workdir. 0 or
 * a negative errno with err set. */
int sc_ep_init(struct sc_ep *e, const struct sc_endpoint *def, const struct scenario_run_opts *opts,
	       const char *workdir, char *err, size_t err_len);
/* Stops it if running and frees it; a zeroed e is fine. */
void sc_ep_fini(struct sc_ep *e);

#endif
