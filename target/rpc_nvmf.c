/* SPDX-License-Identifier: MIT */
/*
 * JSON-RPC methods of the nvmf area, with SPDK's names, parameters and
 * answers: nvmf_create_transport / nvmf_get_transports,
 * nvmf_create_subsystem / nvmf_delete_subsystem / nvmf_get_subsystems,
 * nvmf_subsystem_add_ns (answers the nsid) / nvmf_subsystem_remove_ns,
 * nvmf_subsystem_add_listener / nvmf_subsystem_remove_listener (a
 * vfio-user NVMe controller at DIR/cntrl, nvmf_listener.c), nvmf_get_stats.
 */
#define LOG_COMPONENT "tgt"
#include "target/tgt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "env/env.h"
#include "target/bdev/bdev.h"
#include "target/frontend/nvme_vfio_user.h"
#include "util/common.h"
#include "util/log.h"
#include "util/parse.h"

/* SPDK's defaults for a subsystem. */
#define DEFAULT_SN	     "00000000000000000000"
#define DEFAULT_MN	     "storlab Controller"
#define DEFAULT_MIN_CNTLID   1
#define DEFAULT_MAX_CNTLID   0xffef /* NVMe Base 2.1 §5.1.13.2.1: FFF0h and up are reserved */

/* SPDK's defaults for the VFIOUSER transport. */
#define VFIOUSER_QUEUE_DEPTH 256
#define VFIOUSER_AQ_DEPTH    32
#define VFIOUSER_IO_QPAIRS   127
#define VFIOUSER_IO_SIZE     (128u * 1024)

static struct nvmf_tgt *tgt_of(void *ctx)
{
	return &((struct tgt_app *)ctx)->nvmf;
}

/* ---- Transports ---- */

static bool check_range(struct rpc_request *req, const char *name, uint32_t v, uint32_t min,
			uint32_t max)
{
	if (v >= min && v <= max)
		return true;
	rpc_reply_error(req, RPC_ERR_INVALID_PARAMS, "%s: %u is not from %u to %u", name, v, min,
			max);
	return false;
}

static void rpc_create_transport(struct rpc_request *req, json_t *params, void *ctx)
{
	struct nvmf_tgt *tgt = tgt_of(ctx);
	const char *trtype = NULL;
	uint32_t depth = VFIOUSER_QUEUE_DEPTH, aq_depth = VFIOUSER_AQ_DEPTH;
	uint32_t qpairs = VFIOUSER_IO_QPAIRS, io_size = VFIOUSER_IO_SIZE;
	const struct rpc_param spec[] = {
	    {"trtype", RPC_PARAM_STRING, &trtype, 1},
	    {"max_queue_depth", RPC_PARAM_U32, &depth, 0},
	    {"max_aq_depth", RPC_PARAM_U32, &aq_depth, 0},
	    {"max_io_qpairs_per_ctrlr", RPC_PARAM_U32, &qpairs, 0},
	    {"max_io_size", RPC_PARAM_U32, &io_size, 0},
	};

	if (!tgt_rpc_decode(req, params, spec, ARRAY_SIZE(spec)))
		return;
	if (strcasecmp(trtype, "VFIOUSER") != 0) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS,
				"trtype: %s is not a transport of storlab-tgt (VFIOUSER)", trtype);
		return;
	}
	if (tgt->vfiouser_created) {
		tgt_rpc_reply_errno(req, -EEXIST, "trtype: transport VFIOUSER already exists");
		return;
	}
	/* CAP.MQES and AQA.ASQS/ACQS are 0's based: 16 and 12 bits (NVMe Base
	 * 2.1 §3.1.4.1, §3.1.4.9). */
	if (!check_range(req, "max_queue_depth", depth, 2, 65536) ||
	    !check_range(req, "max_aq_depth", aq_depth, 2, 4096) ||
	    !check_range(req, "max_io_qpairs_per_ctrlr", qpairs, 1, 65535) ||
	    !check_range(req, "max_io_size", io_size, 4096, 1u << 30))
		return;
	if (io_size % 4096) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS,
				"max_io_size: %u is not a multiple of 4096", io_size);
		return;
	}
	tgt->vfiouser = (struct nvmf_transport_opts){
	    .trtype = "VFIOUSER",
	    .max_queue_depth = depth,
	    .max_aq_depth = aq_depth,
	    .max_io_qpairs_per_ctrlr = qpairs,
	    .max_io_size = io_size,
	};
	tgt->vfiouser_created = true;
	rpc_reply_result(req, NULL);
}

static void rpc_get_transports(struct rpc_request *req, json_t *params, void *ctx)
{
	struct nvmf_tgt *tgt = tgt_of(ctx);
	const struct nvmf_transport_opts *t = &tgt->vfiouser;
	json_t *out;

	if (!tgt_rpc_decode(req, params, NULL, 0))
		return;
	out = json_array();
	if (out && tgt->vfiouser_created)
		json_array_append_new(
		    out, json_pack("{s:s, s:I, s:I, s:I, s:I}", "trtype", t->trtype,
				   "max_queue_depth", (json_int_t)t->max_queue_depth, "max_aq_depth",
				   (json_int_t)t->max_aq_depth, "max_io_qpairs_per_ctrlr",
				   (json_int_t)t->max_io_qpairs_per_ctrlr, "max_io_size",
				   (json_int_t)t->max_io_size));
	rpc_reply_result(req, out);
}

/* ---- Subsystems ---- */

/* Identify Controller SN and MN (NVMe Base 2.1 §5.1.13.2.1): printable ASCII. */
static bool check_ascii(struct rpc_request *req, const char *name, const char *v, size_t max)
{
	size_t len = strlen(v);

	if (len == 0 || len > max) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS, "%s: must be 1 to %zu characters",
				name, max);
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (v[i] < 0x20 || v[i] > 0x7e) {
			rpc_reply_error(req, RPC_ERR_INVALID_PARAMS,
					"%s: must be printable ASCII (NVMe Base 2.1 §5.1.13.2.1)",
					name);
			return false;
		}
	}
	return true;
}

static void rpc_create_subsystem(struct rpc_request *req, json_t *params, void *ctx)
{
	struct nvmf_tgt *tgt = tgt_of(ctx);
	const char *nqn = NULL, *sn = DEFAULT_SN, *mn = DEFAULT_MN, *why;
	bool any_host = false;
	uint32_t max_ns = NVMF_MAX_NS, min_cntlid = DEFAULT_MIN_CNTLID;
	uint32_t max_cntlid = DEFAULT_MAX_CNTLID;
	const struct rpc_param spec[] = {
	    {"nqn", RPC_PARAM_STRING, &nqn, 1},
	    {"serial_number", RPC_PARAM_STRING, &sn, 0},
	    {"model_number", RPC_PARAM_STRING, &mn, 0},
	    {"allow_any_host", RPC_PARAM_BOOL, &any_host, 0},
	    {"max_namespaces", RPC_PARAM_U32, &max_ns, 0},
	    {"min_cntlid", RPC_PARAM_U32, &min_cntlid, 0},
	    {"max_cntlid", RPC_PARAM_U32, &max_cntlid, 0},
	};
	struct nvmf_subsys *s;

	if (!tgt_rpc_decode(req, params, spec, ARRAY_SIZE(spec)))
		return;
	why = nvmf_nqn_error(nqn);
	if (why) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS, "nqn: '%s' %s", nqn, why);
		return;
	}
	if (strcmp(nqn, NVMF_DISCOVERY_NQN) == 0) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS,
				"nqn: %s is the discovery subsystem's (NVMe Base 2.1 §4.7)", nqn);
		return;
	}
	if (nvmf_subsys_find(tgt, nqn)) {
		tgt_rpc_reply_errno(req, -EEXIST, "nqn: subsystem %s already exists", nqn);
		return;
	}
	if (max_ns == 0) /* SPDK's "no limit": ours is NVMF_MAX_NS */
		max_ns = NVMF_MAX_NS;
	if (!check_ascii(req, "serial_number", sn, NVMF_SN_LEN) ||
	    !check_ascii(req, "model_number", mn, NVMF_MN_LEN) ||
	    !check_range(req, "max_namespaces", max_ns, 1, NVMF_MAX_NS) ||
	    !check_range(req, "min_cntlid", min_cntlid, 1, DEFAULT_MAX_CNTLID) ||
	    !check_range(req, "max_cntlid", max_cntlid, min_cntlid, DEFAULT_MAX_CNTLID))
		return;
	s = calloc(1, sizeof(*s));
	if (!s) {
		tgt_rpc_reply_errno(req, -ENOMEM, "nqn: cannot create subsystem %s", nqn);
		return;
	}
	snprintf(s->nqn, sizeof(s->nqn), "%s", nqn);
	snprintf(s->sn, sizeof(s->sn), "%s", sn);
	snprintf(s->mn, sizeof(s->mn), "%s", mn);
	s->allow_any_host = any_host;
	s->max_namespaces = max_ns;
	s->min_cntlid = (uint16_t)min_cntlid;
	s->max_cntlid = (uint16_t)max_cntlid;
	nvmf_subsys_add(tgt, s);
	log_info("NVMe subsystem %s created", nqn);
	rpc_reply_result(req, NULL);
}

/* The subsystem nqn names; NULL (answered) if none. */
static struct nvmf_subsys *subsys_of(struct rpc_request *req, struct nvmf_tgt *tgt,
				     const char *nqn)
{
	struct nvmf_subsys *s = nvmf_subsys_find(tgt, nqn);

	if (!s)
		tgt_rpc_reply_errno(req, -ENODEV, "nqn: no subsystem %s", nqn);
	return s;
}

/* Decodes params against spec, whose "nqn" goes to *nqn, and finds that
 * subsystem; NULL (answered) if either fails. */
static struct nvmf_subsys *decode_subsys(struct rpc_request *req, json_t *params, void *ctx,
					 const struct rpc_param *spec, size_t n, const char **nqn)
{
	if (!tgt_rpc_decode(req, params, spec, n))
		return NULL;
	return subsys_of(req, tgt_of(ctx), *nqn);
}

/* Answers req with true once its controllers are gone. */
static void reply_done(void *arg)
{
	rpc_reply_result(arg, NULL);
}

static void rpc_delete_subsystem(struct rpc_request *req, json_t *params, void *ctx)
{
	const char *nqn = NULL;
	const struct rpc_param spec[] = {
	    {"nqn", RPC_PARAM_STRING, &nqn, 1},
	};
	struct nvmf_subsys *s = decode_subsys(req, params, ctx, spec, ARRAY_SIZE(spec), &nqn);

	if (s)
		nvmf_subsys_delete(tgt_of(ctx), s, reply_done, req);
}

static void rpc_get_subsystems(struct rpc_request *req, json_t *params, void *ctx)
{
	struct nvmf_tgt *tgt = tgt_of(ctx);
	json_t *out;

	if (!tgt_rpc_decode(req, params, NULL, 0))
		return;
	out = json_array();
	for (struct nvmf_subsys *s = tgt->subsystems; out && s; s = s->next)
		json_array_append_new(out, nvmf_subsys_json(s));
	rpc_reply_result(req, out);
}

/* ---- Namespaces ---- */

/* The "namespace" object's fields into props; false (answered) if one is
 * wrong. */
static bool decode_ns(struct rpc_request *req, json_t *obj, const char **bdev_name,
		      struct nvmf_ns_props *props)
{
	const char *nguid = NULL, *eui64 = NULL, *uuid = NULL;
	uint8_t eui[8];
	const struct rpc_param spec[] = {
	    {"bdev_name", RPC_PARAM_STRING, bdev_name, 1},
	    {"nsid", RPC_PARAM_U32, &props->nsid, 0},
	    {"nguid", RPC_PARAM_STRING, &nguid, 0},
	    {"eui64", RPC_PARAM_STRING, &eui64, 0},
	    {"uuid", RPC_PARAM_STRING, &uuid, 0},
	};

	if (!json_is_object(obj)) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS, "namespace: an object is required");
		return false;
	}
	if (!tgt_rpc_decode(req, obj, spec, ARRAY_SIZE(spec)))
		return false;
	if (nguid && util_parse_hex(nguid, props->nguid, 16)) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS, "namespace.nguid: 32 hex digits");
		return false;
	}
	if (eui64 && util_parse_hex(eui64, eui, 8)) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS, "namespace.eui64: 16 hex digits");
		return false;
	}
	for (size_t i = 0; eui64 && i < 8; i++)
		props->eui64 = props->eui64 << 8 | eui[i];
	if (uuid && util_parse_uuid(uuid, props->uuid)) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS,
				"namespace.uuid: a UUID (8-4-4-4-12 hex digits)");
		return false;
	}
	return true;
}

/* What the namespace's bdev says of it; the UUID defaults to the bdev's,
 * as SPDK's does. */
static void ns_props_from_bdev(struct nvmf_ns_props *p, const struct bdev *bdev)
{
	static const uint8_t zero[16];

	if (memcmp(p->uuid, zero, 16) == 0)
		util_parse_uuid(bdev->uuid, p->uuid);
	p->write_zeroes = bdev->fn->io_type_supported((struct bdev *)bdev, BDEV_IO_WRITE_ZEROES);
	p->deallocate = bdev->fn->io_type_supported((struct bdev *)bdev, BDEV_IO_UNMAP);
	p->optimal_io_blocks = bdev->optimal_io_bytes / bdev->block_size;
}

/* Namespaces change while no controller of s drains its queues (for a
 * reset, a shutdown, a DMA change or the last namespace change). */
static bool ns_change_allowed(struct rpc_request *req, const struct nvmf_subsys *s)
{
	if (!nvmf_listeners_busy(s))
		return true;
	tgt_rpc_reply_errno(req, -EBUSY, "nqn: a controller of %s is draining its queues; retry",
			    s->nqn);
	return false;
}

static void rpc_add_ns(struct rpc_request *req, json_t *params, void *ctx)
{
	const char *nqn = NULL, *bdev_name = NULL, *why;
	const struct rpc_param spec[] = {
	    {"nqn", RPC_PARAM_STRING, &nqn, 1},
	};
	json_t *rest = json_is_object(params) ? json_copy(params) : NULL;
	json_t *ns_obj = json_object_get(params, "namespace");
	struct nvmf_ns_props props = {0};
	struct nvmf_subsys *s;
	struct bdev *bdev;
	int rc;

	if (rest)
		json_object_del(rest, "namespace");
	s = decode_subsys(req, rest, ctx, spec, ARRAY_SIZE(spec), &nqn);
	if (!s || !ns_change_allowed(req, s) || !decode_ns(req, ns_obj, &bdev_name, &props))
		goto out;
	bdev = bdev_get_by_name(bdev_name);
	if (!bdev) {
		tgt_rpc_reply_errno(req, -ENODEV, "namespace.bdev_name: no bdev named %s",
				    bdev_name);
		goto out;
	}
	ns_props_from_bdev(&props, bdev);
	why = nvmf_subsys_ns_conflict(s, bdev, &props);
	if (why) {
		tgt_rpc_reply_errno(req, -EEXIST, "namespace: bdev %s in %s: %s", bdev_name, nqn,
				    why);
		goto out;
	}
	rc = nvmf_subsys_add_ns(s, bdev, &props);
	if (rc == -EEXIST)
		tgt_rpc_reply_errno(req, rc, "namespace.nsid: %s already has namespace %u", nqn,
				    props.nsid);
	else if (rc == -ERANGE)
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS,
				"namespace.nsid: %u is past max_namespaces (%u) of %s", props.nsid,
				s->max_namespaces, nqn);
	else if (rc == -ENOSPC)
		tgt_rpc_reply_errno(req, rc, "nqn: %s has its %u namespaces", nqn,
				    s->max_namespaces);
	else if (rc < 0)
		tgt_rpc_reply_errno(req, rc, "cannot add bdev %s to %s: %s", bdev_name, nqn,
				    strerror(-rc));
	else
		rpc_reply_result(req, json_integer(rc));
	/* The controllers see it once their queues drained (it is new: no
	 * I/O can be using it). */
	if (rc > 0)
		nvmf_listeners_ns_update(s, NULL, NULL);
out:
	json_decref(rest);
}

struct ns_removal {
	struct rpc_request *req;
	struct nvmf_ns *ns;
};

static void ns_removed(void *arg)
{
	struct ns_removal *r = arg;

	nvmf_ns_free(r->ns);
	rpc_reply_result(r->req, NULL);
	free(r);
}

static void rpc_remove_ns(struct rpc_request *req, json_t *params, void *ctx)
{
	struct ns_removal *r;
	const char *nqn = NULL;
	uint32_t nsid = 0;
	const struct rpc_param spec[] = {
	    {"nqn", RPC_PARAM_STRING, &nqn, 1},
	    {"nsid", RPC_PARAM_U32, &nsid, 1},
	};
	struct nvmf_subsys *s = decode_subsys(req, params, ctx, spec, ARRAY_SIZE(spec), &nqn);

	if (!s || !ns_change_allowed(req, s))
		return;
	r = malloc(sizeof(*r));
	if (!r) {
		tgt_rpc_reply_errno(req, -ENOMEM, "out of memory");
		return;
	}
	r->req = req;
	r->ns = nvmf_subsys_take_ns(s, nsid);
	if (!r->ns) {
		free(r);
		tgt_rpc_reply_errno(req, -ENOENT, "nsid: %s has no namespace %u", nqn, nsid);
		return;
	}
	/* Its bdev closes once no controller's I/O can reach it. */
	nvmf_listeners_ns_update(s, ns_removed, r);
}

/* ---- Listeners ---- */

/* The "listen_address" object; false (answered) if it is wrong. */
static bool decode_listen_address(struct rpc_request *req, json_t *obj, const char **traddr,
				  const char **trsvcid, const char **adrfam)
{
	const char *trtype = NULL;
	const struct rpc_param spec[] = {
	    {"trtype", RPC_PARAM_STRING, &trtype, 1},
	    {"traddr", RPC_PARAM_STRING, traddr, 1},
	    {"trsvcid", RPC_PARAM_STRING, trsvcid, 0},
	    {"adrfam", RPC_PARAM_STRING, adrfam, 0},
	};

	if (!json_is_object(obj)) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS,
				"listen_address: an object is required");
		return false;
	}
	if (!tgt_rpc_decode(req, obj, spec, ARRAY_SIZE(spec)))
		return false;
	if (strcasecmp(trtype, "VFIOUSER") != 0) {
		rpc_reply_error(
		    req, RPC_ERR_INVALID_PARAMS,
		    "listen_address.trtype: %s is not a transport of storlab-tgt (VFIOUSER)",
		    trtype);
		return false;
	}
	return true;
}

/* Decodes {nqn, listen_address} and finds the subsystem; NULL (answered)
 * if something is wrong. */
static struct nvmf_subsys *decode_listener(struct rpc_request *req, json_t *params, void *ctx,
					   const char **traddr, const char **trsvcid,
					   const char **adrfam)
{
	const char *nqn = NULL;
	const struct rpc_param spec[] = {
	    {"nqn", RPC_PARAM_STRING, &nqn, 1},
	};
	json_t *rest = json_is_object(params) ? json_copy(params) : NULL;
	json_t *addr = json_object_get(params, "listen_address");
	struct nvmf_subsys *s;

	if (rest)
		json_object_del(rest, "listen_address");
	s = decode_subsys(req, rest, ctx, spec, ARRAY_SIZE(spec), &nqn);
	json_decref(rest);
	if (s && !decode_listen_address(req, addr, traddr, trsvcid, adrfam))
		return NULL;
	return s;
}

static void rpc_add_listener(struct rpc_request *req, json_t *params, void *ctx)
{
	struct nvmf_tgt *tgt = tgt_of(ctx);
	const char *traddr = NULL, *trsvcid = "0", *adrfam = "IPv4";
	struct nvmf_subsys *s = decode_listener(req, params, ctx, &traddr, &trsvcid, &adrfam);
	int rc;

	if (!s)
		return;
	if (!tgt->vfiouser_created) {
		tgt_rpc_reply_errno(req, -ENODEV,
				    "listen_address.trtype: create transport VFIOUSER first");
		return;
	}
	rc = nvmf_listener_add(tgt, s, traddr, trsvcid, adrfam);
	if (rc == -EEXIST)
		tgt_rpc_reply_errno(req, rc, "listen_address.traddr: %s listens at %s already",
				    s->nqn, traddr);
	else if (rc < 0)
		tgt_rpc_reply_errno(req, rc, "listen_address.traddr: cannot listen at %s/cntrl: %s",
				    traddr, strerror(-rc));
	else
		rpc_reply_result(req, NULL);
}

static void rpc_remove_listener(struct rpc_request *req, json_t *params, void *ctx)
{
	const char *traddr = NULL, *trsvcid = NULL, *adrfam = NULL;
	struct nvmf_subsys *s = decode_listener(req, params, ctx, &traddr, &trsvcid, &adrfam);
	int rc;

	if (!s)
		return;
	rc = nvmf_listener_remove(s, traddr, reply_done, req);
	if (rc < 0)
		tgt_rpc_reply_errno(req, rc, "listen_address.traddr: %s does not listen at %s",
				    s->nqn, traddr);
}

/* ---- Statistics ---- */

/* One poll group of nvmf_get_stats: the I/O queues of a reactor, or the
 * admin queues (the control thread's). */
struct stats_group {
	uint64_t admin_qpairs, io_qpairs; /* ever started */
	uint64_t current_admin_qpairs, current_io_qpairs;
	uint64_t pending;
	struct nvme_vfu_counters c;
};

/* groups[0]: the control thread; groups[1 + i]: reactor i. */
static void stats_add(const struct nvme_vfu_qstats *st, void *arg)
{
	struct stats_group *groups = arg;
	struct reactor *r = st->qid ? env_reactor_by_core(st->core) : NULL;
	struct stats_group *g = &groups[r ? 1 + reactor_index(r) : 0];

	if (st->qid) {
		g->io_qpairs += st->starts;
		g->current_io_qpairs += st->current;
	} else {
		g->admin_qpairs += st->starts;
		g->current_admin_qpairs += st->current;
	}
	g->pending += st->inflight;
	g->c.commands += st->c.commands;
	g->c.completions += st->c.completions;
	g->c.errors += st->c.errors;
	g->c.interrupts += st->c.interrupts;
}

/* SPDK's poll group object; its VFIOUSER transport entry has SPDK's
 * poll_reqs (commands taken from the SQs) and ours: completions, errors
 * (completions with a status other than success), interrupts. */
static json_t *stats_group_json(const char *name, const struct stats_group *g, bool vfiouser)
{
	json_t *transports = json_array();

	if (transports && vfiouser)
		json_array_append_new(transports,
				      json_pack("{s:s, s:I, s:I, s:I, s:I}", "trtype", "VFIOUSER",
						"poll_reqs", (json_int_t)g->c.commands,
						"completions", (json_int_t)g->c.completions,
						"errors", (json_int_t)g->c.errors, "interrupts",
						(json_int_t)g->c.interrupts));
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o*}", "name", name, "admin_qpairs",
			 (json_int_t)g->admin_qpairs, "io_qpairs", (json_int_t)g->io_qpairs,
			 "current_admin_qpairs", (json_int_t)g->current_admin_qpairs,
			 "current_io_qpairs", (json_int_t)g->current_io_qpairs, "pending_bdev_io",
			 (json_int_t)g->pending, "completed_nvme_io", (json_int_t)g->c.completions,
			 "transports", transports);
}

static void rpc_get_stats(struct rpc_request *req, json_t *params, void *ctx)
{
	struct nvmf_tgt *tgt = tgt_of(ctx);
	struct stats_group groups[1 + ENV_MAX_REACTORS] = {0};
	unsigned n = env_reactor_count();
	json_t *pg, *out;
	char name[40];

	if (!tgt_rpc_decode(req, params, NULL, 0))
		return;
	for (struct nvmf_subsys *s = tgt->subsystems; s; s = s->next)
		for (struct nvmf_listener *l = s->listeners; l; l = l->next)
			if (l->ctrlr)
				nvme_vfu_get_qstats(l->ctrlr, stats_add, groups);
	pg = json_array();
	for (unsigned i = 0; pg && i <= n; i++) {
		if (i)
			snprintf(name, sizeof(name), "nvmf_tgt_poll_group_%03u", i - 1);
		json_array_append_new(pg, stats_group_json(i ? name : "app_thread", &groups[i],
							   tgt->vfiouser_created));
	}
	out = json_pack("{s:I, s:o*}", "tick_rate", (json_int_t)env_tsc_hz(), "poll_groups", pg);
	rpc_reply_result(req, out);
}

static const struct rpc_method g_nvmf_methods[] = {
    {"nvmf_create_transport", rpc_create_transport,
     "create an NVMe-oF transport (VFIOUSER) with its queue limits"},
    {"nvmf_get_transports", rpc_get_transports, "list transports and their options"},
    {"nvmf_create_subsystem", rpc_create_subsystem,
     "create an NVM subsystem (NQN, serial and model number)"},
    {"nvmf_delete_subsystem", rpc_delete_subsystem, "delete a subsystem and its namespaces"},
    {"nvmf_get_subsystems", rpc_get_subsystems, "list subsystems and their namespaces"},
    {"nvmf_subsystem_add_ns", rpc_add_ns,
     "add a namespace over a bdev to a subsystem; answers its NSID"},
    {"nvmf_subsystem_remove_ns", rpc_remove_ns, "remove a namespace from a subsystem"},
    {"nvmf_get_stats", rpc_get_stats, "I/O statistics per poll group (reactor)"},
    {"nvmf_subsystem_add_listener", rpc_add_listener,
     "serve a subsystem as a vfio-user NVMe controller at traddr/cntrl"},
    {"nvmf_subsystem_remove_listener", rpc_remove_listener,
     "stop a subsystem's controller at traddr (drained, socket removed)"},
};

int tgt_rpc_nvmf_register(struct tgt_app *app)
{
	app->nvmf.loop = app->loop;
	app->nvmf.reactors_sleep = app->opts.mode != ENV_MODE_POLL;
	return rpc_server_add_methods(app->rpc, g_nvmf_methods, ARRAY_SIZE(g_nvmf_methods), app);
}
