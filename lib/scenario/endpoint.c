/* SPDX-License-Identifier: MIT */
/* A scenario's endpoint definition as a lib/endpoint configuration
 * (endpoint.h): the type names the kind, the keys are its options. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/endpoint.h"

int sc_ep_init(struct sc_ep *e, const struct sc_endpoint *def, const struct scenario_run_opts *opts,
	       const char *workdir, char *err, size_t err_len)
{
	const struct endpoint_kind *kind = endpoint_kind_find(sc_endpoint_type_name(def->type));

	memset(e, 0, sizeof(*e));
	e->def = def;
	e->setup = calloc(def->rpc_count ? def->rpc_count : 1, sizeof(*e->setup));
	if (!e->setup) {
		snprintf(err, err_len, "endpoint '%s': out of memory", def->name);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < def->rpc_count; i++)
		e->setup[i] = (struct endpoint_call){def->rpc[i].method, def->rpc[i].params,
						     def->rpc[i].line};
	e->cfg = (struct endpoint_config){
	    .name = def->name,
	    .dir = workdir,
	    .start_timeout_ms = opts->start_timeout_ms,
	    .rpc_timeout_ms = opts->rpc_timeout_ms,
	    .bin = def->bin ?: (def->type == SC_EP_TGT ? opts->tgt_path : opts->qsd_path),
	    .cpumask = def->cpumask,
	    .mode = def->mode,
	    .setup = e->setup,
	    .nsetup = def->rpc_count,
	    .blockdev = def->blockdev,
	    .num_queues = def->num_queues,
	    .path = def->path,
	    .scheme = def->scheme ?: SC_DEFAULT_SCHEME,
	};
	return endpoint_create(kind, &e->cfg, &e->ep, err, err_len);
}

void sc_ep_fini(struct sc_ep *e)
{
	endpoint_destroy(e->ep);
	free(e->setup);
	memset(e, 0, sizeof(*e));
}
