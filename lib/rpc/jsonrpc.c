/* SPDX-License-Identifier: MIT */
/*
 * JSON-RPC 2.0 (https://www.jsonrpc.org/specification) on the server side:
 * request validation, method tables, batches, and the answers handlers give,
 * now or later.
 */
#define LOG_COMPONENT "rpc"
#include "rpc/rpc_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "util/log.h"

/*
 * JSON-RPC 2.0 §6: a batch is answered with one array of the responses, once
 * every request in it was answered; nothing at all if none has a response.
 * The batch holds a connection reference until then.
 */
struct rpc_batch {
	struct rpc_conn *conn;
	json_t *responses;
	unsigned pending;
};

struct rpc_request {
	struct rpc_conn *conn;   /* referenced */
	struct rpc_batch *batch; /* NULL outside a batch */
	json_t *id;              /* NULL for a notification (§4.1) */
};

json_t *rpc_error_response(json_t *id, int code, const char *message)
{
	return json_pack("{s:s, s:{s:i, s:s}, s:O}", "jsonrpc", "2.0", "error", "code", code,
			 "message", message, "id", id ? id : json_null());
}

/* A response goes into its batch, or straight out. Steals resp. */
static void deliver(struct rpc_conn *conn, struct rpc_batch *batch, json_t *resp)
{
	if (!resp)
		return;
	if (batch)
		json_array_append_new(batch->responses, resp);
	else
		rpc_conn_send(conn, resp);
}

static void batch_put(struct rpc_batch *batch)
{
	if (--batch->pending)
		return;
	if (json_array_size(batch->responses))
		rpc_conn_send(batch->conn, json_incref(batch->responses));
	json_decref(batch->responses);
	rpc_conn_put(batch->conn);
	free(batch);
}

/* Ends req with resp (stolen; NULL: no response, as for a notification). */
static void request_finish(struct rpc_request *req, json_t *resp)
{
	deliver(req->conn, req->batch, resp);
	if (req->batch)
		batch_put(req->batch);
	rpc_conn_put(req->conn);
	json_decref(req->id);
	free(req);
}

void rpc_reply_result(struct rpc_request *req, json_t *result)
{
	json_t *resp = NULL;

	if (!result)
		result = json_true();
	if (req->id)
		resp = json_pack("{s:s, s:o, s:O}", "jsonrpc", "2.0", "result", result, "id",
				 req->id);
	else
		json_decref(result);
	request_finish(req, resp);
}

void rpc_reply_error(struct rpc_request *req, int code, const char *fmt, ...)
{
	json_t *resp = NULL, *message;
	va_list ap;

	if (req->id) {
		va_start(ap, fmt);
		message = json_vsprintf(fmt, ap);
		va_end(ap);
		if (!message)
			message = json_string("error");
		resp = json_pack("{s:s, s:{s:i, s:o}, s:O}", "jsonrpc", "2.0", "error", "code",
				 code, "message", message, "id", req->id);
	}
	request_finish(req, resp);
}

void rpc_reply_errno(struct rpc_request *req, int err, const char *msg)
{
	int code = err < 0 ? err : -err;

	rpc_reply_error(req, code, "%s", msg ? msg : strerror(-code));
}

/* ---- Methods ---- */

static const struct rpc_method *method_find(struct rpc_server *srv, const char *name,
					    void **ctx)
{
	for (size_t t = 0; t < srv->ntables; t++) {
		for (size_t i = 0; i < srv->tables[t].n; i++) {
			if (strcmp(srv->tables[t].methods[i].name, name) == 0) {
				*ctx = srv->tables[t].ctx;
				return &srv->tables[t].methods[i];
			}
		}
	}
	return NULL;
}

int rpc_server_add_methods(struct rpc_server *srv, const struct rpc_method *methods, size_t n,
			   void *ctx)
{
	struct rpc_method_table *tables;
	void *other;

	for (size_t i = 0; i < n; i++) {
		if (!methods[i].name || !methods[i].fn) {
			log_err("method table entry %zu: no name or no function", i);
			return -EINVAL;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(methods[i].name, methods[j].name) == 0)
				goto duplicate;
		}
		if (method_find(srv, methods[i].name, &other))
			goto duplicate;
		continue;
duplicate:
		log_err("method %s: registered twice", methods[i].name);
		return -EEXIST;
	}
	tables = realloc(srv->tables, (srv->ntables + 1) * sizeof(*tables));
	if (!tables)
		return -ENOMEM;
	srv->tables = tables;
	srv->tables[srv->ntables++] = (struct rpc_method_table){methods, n, ctx};
	return 0;
}

/* SPDK's rpc_get_methods: the names of every method. Its parameters
 * ("current": methods allowed in the current state, "include_aliases") are
 * accepted; storlab has no states and no aliases. */
static void rpc_get_methods(struct rpc_request *req, json_t *params, void *ctx)
{
	struct rpc_server *srv = ctx;
	bool current = false, aliases = false;
	const struct rpc_param spec[] = {
		{"current", RPC_PARAM_BOOL, &current, 0},
		{"include_aliases", RPC_PARAM_BOOL, &aliases, 0},
	};
	char err[256];
	json_t *names;

	if (rpc_decode_params(params, spec, ARRAY_SIZE(spec), err, sizeof(err))) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS, "%s", err);
		return;
	}
	names = json_array();
	for (size_t t = 0; t < srv->ntables; t++) {
		for (size_t i = 0; i < srv->tables[t].n; i++)
			json_array_append_new(names, json_string(srv->tables[t].methods[i].name));
	}
	rpc_reply_result(req, names);
}

static const struct rpc_method g_builtin_methods[] = {
	{"rpc_get_methods", rpc_get_methods, "list the names of every method"},
};

int rpc_add_builtin_methods(struct rpc_server *srv)
{
	return rpc_server_add_methods(srv, g_builtin_methods, ARRAY_SIZE(g_builtin_methods), srv);
}

/* ---- Requests ---- */

/* §4: an id is a string, a number or null. */
static bool id_valid(const json_t *id)
{
	return json_is_string(id) || json_is_number(id) || json_is_null(id);
}

/*
 * Checks one request object (§4). Returns NULL if it is valid, or why not.
 * *id is the request's id if it has a valid one (so an invalid request with
 * a readable id gets that id back), else NULL.
 */
static const char *request_check(json_t *msg, json_t **id)
{
	json_t *version, *params;

	*id = NULL;
	if (!json_is_object(msg))
		return "§4: a request is an object";
	*id = json_object_get(msg, "id");
	if (*id && !id_valid(*id)) {
		*id = NULL;
		return "§4: id must be a string, a number or null";
	}
	version = json_object_get(msg, "jsonrpc");
	if (!json_is_string(version) || strcmp(json_string_value(version), "2.0") != 0)
		return "§4: jsonrpc must be exactly \"2.0\"";
	if (!json_is_string(json_object_get(msg, "method")))
		return "§4: method must be a string";
	params = json_object_get(msg, "params");
	if (params && !json_is_object(params) && !json_is_array(params))
		return "§4.2: params must be an object or an array";
	return NULL;
}

static void dispatch_one(struct rpc_server *srv, struct rpc_conn *conn, json_t *msg,
			 struct rpc_batch *batch)
{
	const struct rpc_method *method;
	struct rpc_request *req;
	const char *why, *name;
	json_t *id;
	void *ctx;

	why = request_check(msg, &id);
	if (why) {
		log_warn("JSON-RPC 2.0 %s: invalid request", why);
		deliver(conn, batch, rpc_error_response(id, RPC_ERR_INVALID_REQUEST,
							"Invalid Request"));
		return;
	}
	name = json_string_value(json_object_get(msg, "method"));
	method = method_find(srv, name, &ctx);
	if (!method) {
		log_info("JSON-RPC 2.0 §5.1: method %s not found", name);
		/* §4.1: a notification is never answered, not even with an error. */
		if (id)
			deliver(conn, batch, rpc_error_response(id, RPC_ERR_METHOD_NOT_FOUND,
								"Method not found"));
		return;
	}
	req = calloc(1, sizeof(*req));
	if (!req) {
		if (id)
			deliver(conn, batch, rpc_error_response(id, RPC_ERR_INTERNAL,
								"Internal error"));
		return;
	}
	req->conn = conn;
	rpc_conn_get(conn);
	req->batch = batch;
	if (batch)
		batch->pending++;
	req->id = json_incref(id);
	log_debug("%s", name);
	method->fn(req, json_object_get(msg, "params"), ctx);
}

static void dispatch_batch(struct rpc_server *srv, struct rpc_conn *conn, json_t *msg)
{
	struct rpc_batch *batch;
	json_t *elem;
	size_t i;

	if (json_array_size(msg) == 0) {
		log_warn("JSON-RPC 2.0 §6: an empty batch is an invalid request");
		rpc_conn_send(conn, rpc_error_response(NULL, RPC_ERR_INVALID_REQUEST,
						       "Invalid Request"));
		return;
	}
	batch = calloc(1, sizeof(*batch));
	if (!batch || !(batch->responses = json_array())) {
		free(batch);
		rpc_conn_send(conn, rpc_error_response(NULL, RPC_ERR_INTERNAL, "Internal error"));
		return;
	}
	batch->conn = conn;
	rpc_conn_get(conn);
	/* The dispatch loop's own count: no early send while handlers answer
	 * synchronously. */
	batch->pending = 1;
	json_array_foreach(msg, i, elem) {
		/* A handler may have closed the server (and its tables) under us. */
		if (rpc_conn_closed(conn))
			break;
		dispatch_one(srv, conn, elem, batch);
	}
	batch_put(batch);
}

void rpc_dispatch(struct rpc_server *srv, struct rpc_conn *conn, json_t *msg)
{
	if (json_is_array(msg))
		dispatch_batch(srv, conn, msg);
	else
		dispatch_one(srv, conn, msg, NULL);
}
