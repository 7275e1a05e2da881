/* SPDX-License-Identifier: MIT */
/* storlab rpc: a JSON-RPC client in the manner of SPDK's scripts/rpc.py. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/rpc_args.h"
#include "rpc/rpc.h"

#define RPC_DEFAULT_SOCKET    "/var/tmp/storlab.sock"
#define RPC_DEFAULT_TIMEOUT_S 60.0

static void rpc_usage(FILE *f)
{
	fprintf(f, "usage: storlab rpc [-s SOCKET] [-t SECONDS] METHOD [args...]\n"
		   "       storlab rpc [-s SOCKET] METHOD '{\"json\": \"params\"}'\n"
		   "       storlab rpc METHOD --help\n\n"
		   "  -s SOCKET   the server's Unix socket (default " RPC_DEFAULT_SOCKET ")\n"
		   "  -t SECONDS  how long to wait for the answer (default 60)\n\n"
		   "Methods with argument parsing (others take their params as one JSON "
		   "argument):\n");
	for (size_t i = 0; i < rpc_cmd_count(); i++)
		fprintf(f, "  %-28s %s\n", rpc_cmd_at(i)->method, rpc_cmd_at(i)->summary);
	fprintf(f, "\nThe result is printed as JSON indented by 2 (a string result as is);\n"
		   "an error goes to stderr with its code and message, exit code 1.\n");
}

/* rpc.py's print_json: JSON indented by 2, a bare string without quotes. */
static void print_result(json_t *result)
{
	char *text;

	if (json_is_string(result)) {
		printf("%s\n", json_string_value(result));
		return;
	}
	text = json_dumps(result, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	if (text)
		printf("%s\n", text);
	free(text);
}

static void print_error(const char *method, json_t *error)
{
	json_t *code = json_object_get(error, "code");
	json_t *msg = json_object_get(error, "message");
	char *text = json_dumps(error, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	fprintf(stderr, "storlab rpc: %s: error %lld: %s\n", method,
		(long long)json_integer_value(code),
		json_is_string(msg) ? json_string_value(msg) : "(no message)");
	if (text && json_object_get(error, "data"))
		fprintf(stderr, "%s\n", text);
	free(text);
}

int cli_rpc(int argc, char **argv)
{
	const char *sock = RPC_DEFAULT_SOCKET, *method;
	double timeout = RPC_DEFAULT_TIMEOUT_S;
	const struct rpc_cmd *cmd;
	struct rpc_client *client;
	json_t *params = NULL, *result = NULL, *error = NULL;
	char err[256];
	int i = 1, ret;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			rpc_usage(stdout);
			return CLI_EXIT_OK;
		}
		if (i + 1 >= argc)
			return cli_usage_error("rpc", "%s needs a value", argv[i]);
		if (strcmp(argv[i], "-s") == 0)
			sock = argv[++i];
		else if (strcmp(argv[i], "-t") == 0) {
			if (util_parse_seconds(argv[++i], &timeout) || timeout <= 0)
				return cli_usage_error("rpc", "bad timeout '%s'", argv[i]);
		} else
			return cli_usage_error("rpc", "unknown option '%s'", argv[i]);
	}
	if (i >= argc)
		return cli_usage_error("rpc", "no METHOD given");
	method = argv[i++];
	cmd = rpc_cmd_find(method);
	if (i < argc && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
		if (cmd)
			rpc_cmd_usage(cmd, stdout);
		else
			printf("usage: storlab rpc [-s SOCKET] %s ['{json params}']\n", method);
		return CLI_EXIT_OK;
	}
	ret = cmd ? rpc_cmd_params(cmd, argc - i, argv + i, &params, err, sizeof(err))
		  : rpc_raw_params(argc - i, argv + i, &params, err, sizeof(err));
	if (ret)
		return cli_usage_error("rpc", "%s: %s", method, err);

	ret = rpc_client_connect(sock, (int)(timeout * 1000), &client);
	if (ret) {
		json_decref(params);
		fprintf(stderr, "storlab rpc: cannot connect to %s: %s\n", sock, strerror(-ret));
		return CLI_EXIT_USAGE;
	}
	ret = rpc_client_call(client, method, params, &result, &error);
	rpc_client_close(client);
	if (ret == -EREMOTEIO) {
		print_error(method, error);
		json_decref(error);
		return CLI_EXIT_FAIL;
	}
	if (ret) {
		fprintf(stderr, "storlab rpc: %s: %s\n", method, strerror(-ret));
		return CLI_EXIT_USAGE;
	}
	print_result(result);
	json_decref(result);
	return CLI_EXIT_OK;
}
