/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_RPC_RPC_H
#define STORLAB_RPC_RPC_H

/*
 * JSON-RPC 2.0 over a Unix stream socket, as SPDK serves it: requests are
 * JSON objects sent back to back (whitespace between them allowed, no other
 * framing); each gets one response object. Batches (arrays) are answered as
 * the spec says. Method names and parameters follow SPDK's where the concept
 * is the same, so rpc.py-style scripts work.
 *
 * Server: runs on the control thread's evloop. A method handler gets the
 * request and answers it with rpc_reply_result() or rpc_reply_error(),
 * either before returning or later (asynchronously, still on the control
 * thread). A client that disconnects before the answer is fine: the answer
 * is dropped.
 *
 * Client: blocking calls, used by `storlab rpc` and tests.
 */

#include <jansson.h>
#include <stddef.h>

#include "util/evloop.h"

/* JSON-RPC 2.0 §5.1 error codes */
#define RPC_ERR_PARSE -32700
#define RPC_ERR_INVALID_REQUEST -32600
#define RPC_ERR_METHOD_NOT_FOUND -32601
#define RPC_ERR_INVALID_PARAMS -32602
#define RPC_ERR_INTERNAL -32603

/* A request (or batch) larger than this is a parse error, and the server
 * closes the connection. */
#define RPC_MAX_REQUEST_SIZE (16u * 1024 * 1024)

struct rpc_server;
struct rpc_request;

/* params is NULL when the request had none; borrowed for the call (a handler
 * that answers later keeps what it needs, e.g. with json_incref). */
typedef void (*rpc_method_fn)(struct rpc_request *req, json_t *params, void *ctx);

struct rpc_method {
	const char *name;
	rpc_method_fn fn;
	const char *summary; /* one line, for rpc_get_methods and --help */
};

int rpc_server_create(struct evloop *loop, const char *path, struct rpc_server **srv);
/* Methods are an explicit static table (STYLE.md); the table must outlive the
 * server. A server has the built-in rpc_get_methods. */
int rpc_server_add_methods(struct rpc_server *srv, const struct rpc_method *methods, size_t n,
			   void *ctx);
/* Closes every connection (pending requests are dropped), removes the socket. */
void rpc_server_destroy(struct rpc_server *srv);

/* Exactly one of these per request; it frees req. result is stolen (NULL
 * means true, as SPDK answers methods that return nothing). */
void rpc_reply_result(struct rpc_request *req, json_t *result);
void rpc_reply_error(struct rpc_request *req, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A negative errno as an SPDK-style error (code = errno value negated,
 * message = strerror or msg). */
void rpc_reply_errno(struct rpc_request *req, int err, const char *msg);

/*
 * Parameter decoding shared by handlers: fields by name and type, required or
 * optional. Unknown fields and wrong types are an error (message names the
 * field); the caller answers RPC_ERR_INVALID_PARAMS with it.
 */
enum rpc_param_type {
	RPC_PARAM_STRING,  /* const char ** (borrowed from params) */
	RPC_PARAM_U64,     /* uint64_t * */
	RPC_PARAM_U32,     /* uint32_t * */
	RPC_PARAM_BOOL,    /* bool * */
};
struct rpc_param {
	const char *name;
	enum rpc_param_type type;
	void *out;
	int required;
};
/* Returns 0, or -EINVAL with a message in err (err_size bytes). */
int rpc_decode_params(json_t *params, const struct rpc_param *spec, size_t n, char *err,
		      size_t err_size);

struct rpc_client;

/* timeout_ms bounds the connect (retried while nothing listens on path yet,
 * as when a target is still starting) and the wait for each response; a
 * negative value waits forever. */
int rpc_client_connect(const char *path, int timeout_ms, struct rpc_client **client);
void rpc_client_close(struct rpc_client *client);
/* Sends one request (params stolen, may be NULL; ids count up from 1) and
 * waits for its response. A response with a null id and an error (the
 * server could not read the request) counts as this request's.
 * Returns 0 with *result set (caller decrefs), -EREMOTEIO with *error set to
 * the error object (caller decrefs), or a negative errno for transport
 * failures (-ETIMEDOUT, -ECONNRESET, -EPROTO). */
int rpc_client_call(struct rpc_client *client, const char *method, json_t *params,
		    json_t **result, json_t **error);

#endif
