/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CLI_RPC_ARGS_H
#define STORLAB_CLI_RPC_ARGS_H

/*
 * `storlab rpc METHOD args...`: command-line arguments to JSON-RPC params the
 * way SPDK's rpc.py maps them, from one static table of methods.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum rpc_arg_type {
	RPC_ARG_STRING,
	RPC_ARG_INT,
	RPC_ARG_FLAG, /* an option without a value: true */
	RPC_ARG_MB,   /* a size in MiB, as a real number (rpc.py's total_size) */
};

struct rpc_arg {
	const char *short_opt; /* "-b", or NULL */
	const char *long_opt;  /* "--name", or NULL; both NULL: a positional */
	const char *key;       /* the params member */
	enum rpc_arg_type type;
	bool optional; /* positionals: may be left out */
	const char *help;
};

struct rpc_cmd {
	const char *method;
	const char *summary;
	const struct rpc_arg *args;
	size_t nargs;
	/* Turns what the arguments gave into what the method takes; may be NULL.
	 * Returns 0 or -EINVAL with a message in err. */
	int (*fixup)(json_t *params, char *err, size_t err_len);
};

/* The method's entry, or NULL if it has none (then params are raw JSON). */
const struct rpc_cmd *rpc_cmd_find(const char *method);
size_t rpc_cmd_count(void);
const struct rpc_cmd *rpc_cmd_at(size_t index);

/*
 * argv: the arguments after the method name, as rpc.py takes them, or one
 * JSON object (the params as they are). Returns 0 with *params set (NULL
 * when the method takes none and none were given; caller decrefs), or -EINVAL
 * with a message in err.
 */
int rpc_cmd_params(const struct rpc_cmd *cmd, int argc, char **argv, json_t **params, char *err,
		   size_t err_len);
/* For methods without an entry: no argument, or one JSON object or array. */
int rpc_raw_params(int argc, char **argv, json_t **params, char *err, size_t err_len);

void rpc_cmd_usage(const struct rpc_cmd *cmd, FILE *f);

#endif
