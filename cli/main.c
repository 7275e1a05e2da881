/* SPDX-License-Identifier: MIT */
/* storlab: a thin dispatcher over the subcommands (one file each). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/common.h"
#include "util/log.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} g_commands[] = {
    {"io", cli_io, "I/O to a virtio-blk device: info, read, write, verify, ..."},
    {"nvme", cli_nvme, "admin commands to an NVMe controller: identify, id-ns, get-log, ..."},
    {"perf", cli_perf, "measure IOPS, bandwidth and latency of a device"},
    {"conform", cli_conform, "run the conformance suites against a vhost-user-blk back-end"},
    {"rpc", cli_rpc, "call a JSON-RPC method of storlab-tgt (SPDK rpc.py style)"},
    {"scenario", cli_scenario, "run a scenario file: endpoints, rpc, I/O, expectations"},
    {"migrate", cli_migrate, "live migration: play the VMM, record a conversation, show a trace"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: storlab [--log-level LEVEL] <command> [args...]\n"
		   "       storlab <command> --help\n"
		   "       storlab --version\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(g_commands); i++)
		fprintf(f, "  %-9s %s\n", g_commands[i].name, g_commands[i].summary);
	fprintf(f, "\noptions:\n"
		   "  --log-level LEVEL  err, warn, notice (default), info, debug\n"
		   "                     (also STORLAB_LOG_LEVEL)\n"
		   "\nexit codes: 0 ok, 1 failure (mismatch, error status), 2 usage error or\n"
		   "could not run. See storlab(1): docs/man/storlab.md\n");
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return CLI_EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("storlab %s\n", STORLAB_VERSION);
			return CLI_EXIT_OK;
		} else if (strcmp(argv[i], "--log-level") == 0 && i + 1 < argc) {
			enum log_level level;

			if (log_level_parse(argv[++i], &level)) {
				fprintf(stderr, "storlab: unknown log level '%s'\n", argv[i]);
				return CLI_EXIT_USAGE;
			}
			log_set_level(level);
		} else {
			fprintf(stderr, "storlab: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	for (size_t c = 0; c < ARRAY_SIZE(g_commands); c++) {
		if (strcmp(argv[i], g_commands[c].name) == 0)
			return g_commands[c].fn(argc - i, argv + i);
	}
	fprintf(stderr, "storlab: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
