/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_RPC_RPC_INTERNAL_H
#define STORLAB_RPC_RPC_INTERNAL_H

/* Between server.c (sockets, connections, bytes) and jsonrpc.c (requests,
 * methods, responses). Everything runs on the server's evloop thread. */

#include <stdbool.h>
#include <sys/queue.h>
#include <sys/un.h>

#include "rpc/rpc.h"

struct rpc_conn;

struct rpc_method_table {
	const struct rpc_method *methods;
	size_t n;
	void *ctx;
};

struct rpc_server {
	struct evloop *loop;
	char *path;
	int listen_fd;
	LIST_HEAD(, rpc_conn) conns;
	struct rpc_method_table *tables;
	size_t ntables;
};

/*
 * A connection is reference counted: one reference while it is open, one per
 * request or batch still waiting for its answer. Once closed (peer gone, bad
 * input, server destroyed) answers to it are dropped; it is freed with the
 * last reference.
 */
void rpc_conn_get(struct rpc_conn *conn);
void rpc_conn_put(struct rpc_conn *conn);
/* Queues resp (stolen) as compact JSON and "\n"; dropped if closed. */
void rpc_conn_send(struct rpc_conn *conn, json_t *resp);
bool rpc_conn_closed(const struct rpc_conn *conn);

/* Fills sun for a Unix socket path; 0 or -ENAMETOOLONG (logged). */
int rpc_sockaddr(const char *path, struct sockaddr_un *sun);

/* Registers the built-in methods; from rpc_server_create. */
int rpc_add_builtin_methods(struct rpc_server *srv);
/* Answers one parsed value (a request or a batch) from conn. */
void rpc_dispatch(struct rpc_server *srv, struct rpc_conn *conn, json_t *msg);
/* An error response with a null id: for input no request could be read from. */
json_t *rpc_error_response(json_t *id, int code, const char *message);

#endif
