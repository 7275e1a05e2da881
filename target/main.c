/* SPDX-License-Identifier: MIT */
/* storlab-tgt: the command line. Exit 0 after a clean shutdown, 1 if it could
 * not start, 2 for a usage error. */
#define LOG_COMPONENT "tgt"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/tgt.h"
#include "util/log.h"

#define EXIT_USAGE 2

static const char g_usage[] =
    "Usage: storlab-tgt [OPTION]...\n"
    "The storlab reference target: polled vhost-user-blk and vhost-user-scsi\n"
    "controllers and NVMe controllers over vfio-user (nvmf_* methods, VFIOUSER),\n"
    "configured over JSON-RPC (SPDK method names; client: storlab rpc).\n"
    "\n"
    "  -m, --cpumask MASK         cores to run reactors on: 0x3, 3, [0,1] or [0-3]\n"
    "                             (default: core 0)\n"
    "  -S, --vhost-sock-dir DIR   directory of the controllers' vhost-user sockets\n"
    "                             (controller vhost.0 listens on DIR/vhost.0;\n"
    "                             default: the current directory)\n"
    "  -r, --rpc-socket PATH      JSON-RPC Unix socket (default " TGT_DEFAULT_RPC_SOCKET ")\n"
    "      --mode MODE            reactor mode: poll (busy polling), interrupt\n"
    "                             (sleep on eventfds) or adaptive (poll while busy,\n"
    "                             then sleep; default)\n"
    "  -L, --log-level LEVEL      err, warn, notice (default), info or debug\n"
    "      --strict               also log front-end protocol violations that the\n"
    "                             target tolerates, as findings\n"
    "  -h, --help                 show this help and exit\n"
    "      --version              show the version and exit\n"
    "\n"
    "SIGINT or SIGTERM shut it down cleanly: controllers are deleted (rings stopped\n"
    "and drained), sockets removed. Exit status: 0 after a clean shutdown, 1 if it\n"
    "could not start, 2 for a usage error. See docs/man/storlab-tgt.md.\n";

enum {
	OPT_MODE = 256,
	OPT_STRICT,
	OPT_VERSION,
};

static const struct option g_long_opts[] = {
    {"cpumask", required_argument, NULL, 'm'},
    {"vhost-sock-dir", required_argument, NULL, 'S'},
    {"rpc-socket", required_argument, NULL, 'r'},
    {"mode", required_argument, NULL, OPT_MODE},
    {"log-level", required_argument, NULL, 'L'},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "storlab-tgt: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'storlab-tgt --help' for more information.\n");
	return EXIT_USAGE;
}

/* Returns -1 to go on, or the exit status. */
static int parse_args(int argc, char **argv, struct tgt_opts *opts)
{
	enum log_level level;
	int c;

	while ((c = getopt_long(argc, argv, "m:S:r:L:h", g_long_opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (env_parse_core_mask(optarg, &opts->core_mask) != 0)
				return usage_error("invalid cpumask '%s'", optarg);
			break;
		case 'S':
			opts->sock_dir = optarg;
			break;
		case 'r':
			opts->rpc_path = optarg;
			break;
		case OPT_MODE:
			if (env_parse_mode(optarg, &opts->mode) != 0)
				return usage_error("invalid mode '%s' (poll, interrupt, adaptive)",
						   optarg);
			break;
		case 'L':
			if (log_level_parse(optarg, &level) != 0)
				return usage_error("invalid log level '%s' "
						   "(err, warn, notice, info, debug)",
						   optarg);
			log_set_level(level);
			break;
		case OPT_STRICT:
			opts->strict = true;
			break;
		case 'h':
			fputs(g_usage, stdout);
			return EXIT_SUCCESS;
		case OPT_VERSION:
			printf("storlab-tgt %s\n", TGT_VERSION);
			return EXIT_SUCCESS;
		default:
			/* getopt printed what was wrong. */
			fprintf(stderr, "Try 'storlab-tgt --help' for more information.\n");
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	return -1;
}

int main(int argc, char **argv)
{
	struct tgt_opts opts = {
	    .core_mask = 1,
	    .mode = ENV_MODE_ADAPTIVE,
	    .sock_dir = ".",
	    .rpc_path = TGT_DEFAULT_RPC_SOCKET,
	};
	struct tgt_app app;
	int rc = parse_args(argc, argv, &opts);

	if (rc >= 0)
		return rc;
	if (tgt_app_start(&app, &opts) != 0) {
		fprintf(stderr, "storlab-tgt: could not start (see the messages above)\n");
		return EXIT_FAILURE;
	}
	rc = tgt_app_run(&app);
	tgt_app_stop(&app);
	if (rc < 0) {
		log_err("control loop failed: %s", strerror(-rc));
		return EXIT_FAILURE;
	}
	log_notice("shut down");
	return EXIT_SUCCESS;
}
