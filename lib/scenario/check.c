/* SPDX-License-Identifier: MIT */
/* Checks after loading: what a schema cannot say (one kind per step,
 * references to endpoints, fields each endpoint type needs), each with the
 * position of the offending node. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/load_internal.h"
#include "util/parse.h"

static const char *const g_step_kinds[] = {
    [SC_STEP_RPC] = "rpc",	   [SC_STEP_IO] = "io",
    [SC_STEP_CONFORM] = "conform", [SC_STEP_DISCONNECT] = "disconnect",
    [SC_STEP_RESTART] = "restart", [SC_STEP_EXPECT] = "expect",
    [SC_STEP_SLEEP] = "sleep",	   [SC_STEP_MIGRATE] = "migrate",
    [SC_STEP_REPLAY] = "replay",
};

const char *sc_step_kind_name(enum sc_step_kind kind)
{
	return g_step_kinds[kind];
}

const char *sc_io_op_name(enum sc_io_op op)
{
	static const char *const names[] = {"info", "verify", "perf"};

	return names[op];
}

const char *sc_endpoint_type_name(enum sc_endpoint_type type)
{
	static const char *const names[] = {[SC_EP_TGT] = "storlab-tgt",
					    [SC_EP_QSD] = "qemu-storage-daemon",
					    [SC_EP_SOCKET] = "socket"};

	return names[type];
}

static const struct sc_endpoint *find_endpoint(const struct scenario *sc, const char *name)
{
	for (unsigned i = 0; i < sc->endpoints_count; i++)
		if (strcmp(sc->endpoints[i].name, name) == 0)
			return &sc->endpoints[i];
	return NULL;
}

static bool is_number(const char *s, bool sign)
{
	char *end;

	if (!s || !*s)
		return false;
	if (!sign && *s == '-')
		return false;
	(void)strtoll(s, &end, 10);
	return *end == '\0';
}

static int check_endpoint(struct sc_load *ld, unsigned i, yaml_node_t *node)
{
	const struct sc_endpoint *e = &ld->sc->endpoints[i];
	static const char *const need[] = {
	    [SC_EP_TGT] = NULL, [SC_EP_QSD] = "blockdev", [SC_EP_SOCKET] = "path"};
	const char *missing = need[e->type];

	for (unsigned j = 0; j < i; j++)
		if (strcmp(ld->sc->endpoints[j].name, e->name) == 0) {
			sc_errorf_node(ld, ydoc_get(&ld->doc, node, "name"),
				       "endpoint '%s' is defined twice", e->name);
			return -EINVAL;
		}
	if ((missing && !ydoc_get(&ld->doc, node, missing))) {
		sc_errorf_node(ld, node, "missing required key '%s' for a %s endpoint", missing,
			       e->type == SC_EP_QSD ? "qemu-storage-daemon" : "socket");
		return -EINVAL;
	}
	if (e->type != SC_EP_TGT && e->rpc_count) {
		sc_errorf_node(ld, ydoc_key(&ld->doc, node, "rpc"),
			       "'rpc' set-up calls need a storlab-tgt endpoint");
		return -EINVAL;
	}
	if (e->type == SC_EP_SOCKET && e->bin) {
		sc_errorf_node(ld, ydoc_key(&ld->doc, node, "bin"),
			       "'bin' needs an endpoint that runs a program, not a socket");
		return -EINVAL;
	}
	if (e->bin && !e->bin[0]) {
		sc_errorf_node(ld, ydoc_get(&ld->doc, node, "bin"),
			       "'bin' is empty: give the program's path (with -D if it is a "
			       "variable)");
		return -EINVAL;
	}
	if (e->num_queues && !is_number(e->num_queues, false)) {
		sc_errorf_node(ld, ydoc_get(&ld->doc, node, "num_queues"),
			       "expected a number for 'num_queues', got '%s'", e->num_queues);
		return -EINVAL;
	}
	return 0;
}

/* The endpoint a step names under key must exist; tgt endpoints need a
 * controller (under ctrl_key) for I/O. */
static int check_ref_key(struct sc_load *ld, yaml_node_t *body, const char *key, const char *name,
			 bool device, const char *ctrl_key, const char *controller)
{
	const struct sc_endpoint *e = find_endpoint(ld->sc, name);

	if (!e) {
		sc_errorf_node(ld, ydoc_get(&ld->doc, body, key), "undefined endpoint '%s'", name);
		return -EINVAL;
	}
	if (device && e->type == SC_EP_TGT && !controller) {
		sc_errorf_node(ld, body,
			       "missing required key '%s' (endpoint '%s' is a storlab-tgt)",
			       ctrl_key, name);
		return -EINVAL;
	}
	return 0;
}

static int check_ref(struct sc_load *ld, yaml_node_t *body, const char *name, bool device,
		     const char *controller)
{
	return check_ref_key(ld, body, "endpoint", name, device, "controller", controller);
}

static int check_rpc(struct sc_load *ld, const struct sc_rpc *r, yaml_node_t *body)
{
	if (r->expect_error && strcmp(r->expect_error, "any") != 0 &&
	    !is_number(r->expect_error, true)) {
		sc_errorf_node(ld, ydoc_get(&ld->doc, body, "expect_error"),
			       "expected 'any' or an error code for 'expect_error', got '%s'",
			       r->expect_error);
		return -EINVAL;
	}
	return 0;
}

/* A flag of an io step: absent, "true" or "false". */
static int check_bool(struct sc_load *ld, yaml_node_t *body, const char *key, const char *value)
{
	if (!value || !strcmp(value, "true") || !strcmp(value, "false"))
		return 0;
	sc_errorf_node(ld, ydoc_get(&ld->doc, body, key),
		       "bad value '%s' for '%s': expected true or false", value, key);
	return -EINVAL;
}

/* An io step's crash: a verify step's, a percent from 1 to 99. */
static int check_crash(struct sc_load *ld, yaml_node_t *body, const struct sc_io *io)
{
	uint64_t pct;

	if (!io->crash)
		return 0;
	if (io->op != SC_IO_VERIFY) {
		sc_errorf_node(ld, ydoc_get(&ld->doc, body, "crash"),
			       "'crash' is for op verify (the pattern checks what survived)");
		return -EINVAL;
	}
	if (util_parse_uint(io->crash, 1, 99, &pct)) {
		sc_errorf_node(ld, ydoc_get(&ld->doc, body, "crash"),
			       "bad value '%s' for 'crash': a percent of the first write phase, "
			       "1 to 99",
			       io->crash);
		return -EINVAL;
	}
	return 0;
}

/* A replay's crash_stride: a count from 1, sampling its crash matrix. */
static int check_stride(struct sc_load *ld, yaml_node_t *body, const struct sc_replay *p,
			bool matrix)
{
	uint64_t v;

	if (!p->crash_stride)
		return 0;
	if (util_parse_uint(p->crash_stride, 1, 1000000, &v)) {
		sc_errorf_node(ld, ydoc_get(&ld->doc, body, "crash_stride"),
			       "bad value '%s' for 'crash_stride': a count from 1", p->crash_stride);
		return -EINVAL;
	}
	if (!matrix) {
		sc_errorf_node(ld, body, "crash_stride samples a crash matrix: it needs "
					 "crash_matrix: true");
		return -EINVAL;
	}
	return 0;
}

/* A replay's crashes kill and restart its target: one the scenario
 * starts. */
static int check_replay(struct sc_load *ld, yaml_node_t *body, const struct sc_replay *p)
{
	bool matrix = p->crash_matrix && !strcmp(p->crash_matrix, "true");
	int ret = check_bool(ld, body, "crash_matrix", p->crash_matrix)
		      ?: check_stride(ld, body, p, matrix)
		      ?: check_ref_key(ld, body, "target", p->target, true, "target_controller",
				       p->target_controller);

	if (ret)
		return ret;
	if ((p->crash_after || matrix) &&
	    find_endpoint(ld->sc, p->target)->type == SC_EP_SOCKET) {
		sc_errorf_node(ld, body,
			       "crash_matrix and crash_after kill and restart '%s': a socket "
			       "endpoint is not spawned by the scenario",
			       p->target);
		return -EINVAL;
	}
	return 0;
}

static int check_step(struct sc_load *ld, struct sc_step *s, yaml_node_t *node)
{
	void *kinds[] = {
	    [SC_STEP_RPC] = s->rpc,	    [SC_STEP_IO] = s->io,
	    [SC_STEP_CONFORM] = s->conform, [SC_STEP_DISCONNECT] = s->disconnect,
	    [SC_STEP_RESTART] = s->restart, [SC_STEP_EXPECT] = s->expect,
	    [SC_STEP_SLEEP] = s->sleep,	    [SC_STEP_MIGRATE] = s->migrate,
	    [SC_STEP_REPLAY] = s->replay,
	};
	unsigned n = 0;
	yaml_node_t *body;

	for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (kinds[k]) {
			s->kind = (enum sc_step_kind)k;
			n++;
		}
	if (n != 1) {
		sc_errorf_node(ld, node,
			       "a step needs exactly one of rpc, io, conform, disconnect, restart, "
			       "expect, sleep, migrate, replay (found %u)",
			       n);
		return -EINVAL;
	}
	body = ydoc_get(&ld->doc, node, g_step_kinds[s->kind]);
	switch (s->kind) {
	case SC_STEP_RPC:
		if (!s->rpc->endpoint) {
			sc_errorf_node(ld, body, "missing required key 'endpoint'");
			return -EINVAL;
		}
		return check_ref(ld, body, s->rpc->endpoint, false, NULL)
			   ?: check_rpc(ld, s->rpc, body);
	case SC_STEP_IO:
		return check_bool(ld, body, "isolate", s->io->isolate) ?:
		       check_bool(ld, body, "verify", s->io->verify) ?:
		       check_crash(ld, body, s->io) ?:
		       check_ref(ld, body, s->io->endpoint, true, s->io->controller);
	case SC_STEP_CONFORM:
		return check_ref(ld, body, s->conform->endpoint, true, s->conform->controller);
	case SC_STEP_MIGRATE:
		/* One recording is one migration: two connections, the source's
		 * then the destination's. */
		if (s->migrate->record && s->migrate->count && strcmp(s->migrate->count, "1")) {
			sc_errorf_node(ld, body, "'record' records one migration: count must be 1");
			return -EINVAL;
		}
		return check_bool(ld, body, "stop_inflight", s->migrate->stop_inflight) ?:
		       check_ref_key(ld, body, "source", s->migrate->source, true,
				     "source_controller", s->migrate->source_controller) ?:
		       check_ref_key(ld, body, "dest", s->migrate->dest, true, "dest_controller",
				     s->migrate->dest_controller);
	case SC_STEP_REPLAY:
		return check_replay(ld, body, s->replay);
	case SC_STEP_DISCONNECT:
		return check_ref(ld, body, s->disconnect->endpoint, false, NULL);
	case SC_STEP_RESTART:
		if (check_ref(ld, body, s->restart->endpoint, false, NULL))
			return -EINVAL;
		if (find_endpoint(ld->sc, s->restart->endpoint)->type == SC_EP_SOCKET) {
			sc_errorf_node(ld, body,
				       "cannot restart '%s': a socket endpoint is not "
				       "spawned by the scenario",
				       s->restart->endpoint);
			return -EINVAL;
		}
		return 0;
	case SC_STEP_EXPECT:
		if (s->expect->status && strcmp(s->expect->status, "ok") != 0 &&
		    strcmp(s->expect->status, "fail") != 0) {
			sc_errorf_node(ld, ydoc_get(&ld->doc, body, "status"),
				       "bad value '%s' for 'status': expected one of ok, fail",
				       s->expect->status);
			return -EINVAL;
		}
		if (!s->expect->status && !s->expect->field) {
			sc_errorf_node(ld, body, "missing required key 'status' or 'field'");
			return -EINVAL;
		}
		if (s->expect->field && !s->expect->equals) {
			sc_errorf_node(ld, body, "missing required key 'equals'");
			return -EINVAL;
		}
		return 0;
	case SC_STEP_SLEEP:
		if (!is_number(s->sleep, false)) {
			sc_errorf_node(ld, body, "expected milliseconds for 'sleep', got '%s'",
				       s->sleep);
			return -EINVAL;
		}
		return 0;
	}
	return 0;
}

/* thresholds: {metric: percent}, each a number >= 0. */
static int check_thresholds(struct sc_load *ld)
{
	yaml_node_t *map = ydoc_get(&ld->doc, ld->doc.root, "thresholds"), *k, *v;
	json_t *val;

	if (!map)
		return 0;
	if (!json_is_object(ld->sc->thresholds)) {
		sc_errorf_node(ld, map, "expected a mapping of metric: percent for 'thresholds'");
		return -EINVAL;
	}
	for (unsigned i = 0; ydoc_pair(&ld->doc, map, i, &k, &v) == 0; i++) {
		val = json_object_get(ld->sc->thresholds, ydoc_scalar(k) ?: "");
		if (!ydoc_scalar(k) || !json_is_number(val) || !(json_number_value(val) >= 0)) {
			sc_errorf_node(ld, v, "expected a percent >= 0 for threshold '%s'",
				       ydoc_scalar(k) ?: "?");
			return -EINVAL;
		}
	}
	return 0;
}

int sc_check(struct sc_load *ld)
{
	yaml_node_t *eps = ydoc_get(&ld->doc, ld->doc.root, "endpoints");
	yaml_node_t *steps = ydoc_get(&ld->doc, ld->doc.root, "steps");
	int ret = 0;

	for (unsigned i = 0; i < ld->sc->endpoints_count && !ret; i++) {
		yaml_node_t *node = ydoc_item(&ld->doc, eps, i);

		ret = check_endpoint(ld, i, node);
		for (unsigned j = 0; j < ld->sc->endpoints[i].rpc_count && !ret; j++)
			ret = check_rpc(ld, &ld->sc->endpoints[i].rpc[j],
					ydoc_item(&ld->doc, ydoc_get(&ld->doc, node, "rpc"), j));
	}
	for (unsigned i = 0; i < ld->sc->steps_count && !ret; i++)
		ret = check_step(ld, &ld->sc->steps[i],
				 ydoc_item(&ld->doc, steps, ld->sc->steps[i].src));
	return ret ?: check_thresholds(ld);
}
