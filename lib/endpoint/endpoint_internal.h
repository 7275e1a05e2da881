/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_ENDPOINT_ENDPOINT_INTERNAL_H
#define STORLAB_ENDPOINT_ENDPOINT_INTERNAL_H

/* Inside lib/endpoint: the endpoint's state, which the kinds fill in
 * (endpoint.h struct endpoint_kind), and what they share. */

#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/un.h>

#include "endpoint/endpoint.h"
#include "rpc/rpc.h"

#define ENDPOINT_MAX_ARGS 16
#define ENDPOINT_SOCK_LEN sizeof(((struct sockaddr_un *)0)->sun_path)

struct endpoint {
	const struct endpoint_kind *kind;
	const struct endpoint_config *cfg;
	int start_ms;	    /* cfg's start timeout, or its default */
	char dir[PATH_MAX]; /* its own directory: sockets (and the log if own_dir) */
	bool own_dir;	    /* made under /tmp by us: removed at the end */
	char log[PATH_MAX];
	/* Set by the init of a kind that spawns: the socket whose accepting a
	 * connection says that a start is up, the JSON-RPC socket (kinds with
	 * rpc), and the program (argv[0] is looked up in PATH). */
	char sock[ENDPOINT_SOCK_LEN];
	char rpc_sock[ENDPOINT_SOCK_LEN];
	char *argv[ENDPOINT_MAX_ARGS + 1];
	unsigned argc;
	bool pin; /* run it on these cores only */
	cpu_set_t cpus;
	/* The process started (the leader of its group), 0 when none; once it
	 * exited and was reaped, reaped and its status. */
	pid_t pid;
	bool reaped;
	int status;
	unsigned restarts;
	struct rpc_client *rpc;
};

/* Copies the NULL-terminated args into ep->argv: 0, -E2BIG, -ENOMEM. */
int endpoint_argv_set(struct endpoint *ep, const char *const *args);
/* 0 when value is set, else -EINVAL with "no WHAT given" in err. */
int endpoint_need(const struct endpoint *ep, const void *value, const char *what, char *err,
		  size_t len);
/* DIR/NAME of ep's own directory into out (a socket's path: len bytes);
 * 0 or -ENAMETOOLONG with err. */
int endpoint_path(const struct endpoint *ep, const char *name, char *out, size_t len, char *err,
		  size_t err_len);
/* "SCHEME:PATH" into uri: 0 or -ENAMETOOLONG with err. */
int endpoint_uri_join(const struct endpoint *ep, const char *scheme, const char *path, char *uri,
		      size_t len, char *err, size_t err_len);
/* s with every token replaced by value (malloc'ed; NULL on ENOMEM). */
char *endpoint_subst(const char *s, const char *token, const char *value);

#endif
