/* SPDX-License-Identifier: MIT */
/* `storlab migrate record`: the recording proxy (lib/trace/trace_proxy.h)
 * writing a trace file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "trace/trace_proxy.h"

static void record_usage(FILE *f)
{
	fprintf(
	    f, "usage: storlab migrate record --listen A.sock --upstream B.sock [--upstream C...]\n"
	       "                              --out TRACE [--count-connections N] [--timeout S]\n\n"
	       "Listens on A.sock for a vhost-user front-end (QEMU), connects to the back-end\n"
	       "at B.sock for each front-end that connects, and forwards every message and fd\n"
	       "unchanged both ways while writing each to TRACE (pcap, link-layer type 147,\n"
	       "docs/trace-format.md), with the rings' state at their stop and start points.\n\n"
	       "  --listen PATH            the socket the front-end connects to (created)\n"
	       "  --upstream PATH          the back-end's socket; again for each front-end\n"
	       "                           connection in turn (a migration's source, then its\n"
	       "                           destination on another back-end); later\n"
	       "                           connections go to the last\n"
	       "  --out FILE               the trace to write\n"
	       "  --count-connections N    stop once N front-end connections came and went\n"
	       "  --timeout S              stop after S seconds\n\n"
	       "Without a limit it records until Ctrl-C or SIGTERM (exit 130, the trace whole).\n"
	       "exit codes: 0 done, 2 could not run. See docs/man/storlab-migrate-record.md\n");
}

int cli_migrate_record(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"upstream", required_argument, NULL, 'u'},
	    {"out", required_argument, NULL, 'o'},
	    {"count-connections", required_argument, NULL, 'n'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct trace_proxy_opts po = {.timeout_ms = -1};
	const char *out = NULL;
	uint64_t count = 0;
	double seconds;
	int c, rc, wrc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			po.listen_path = optarg;
			break;
		case 'u':
			if (po.nupstreams == TRACE_PROXY_MAX_UPSTREAMS)
				return cli_usage_error("migrate record", "at most %d --upstream",
						       TRACE_PROXY_MAX_UPSTREAMS);
			po.upstream_paths[po.nupstreams++] = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'n':
			if (util_parse_uint(optarg, 1, 1000000, &count))
				return cli_usage_error("migrate record",
						       "bad --count-connections '%s'", optarg);
			po.count_connections = (unsigned)count;
			break;
		case 't':
			if (util_parse_seconds(optarg, &seconds) || seconds <= 0 ||
			    seconds > 86400 * 7)
				return cli_usage_error("migrate record",
						       "bad --timeout '%s' (seconds)", optarg);
			po.timeout_ms = (int)(seconds * 1000);
			break;
		case 'h':
			record_usage(stdout);
			return CLI_EXIT_OK;
		default:
			return cli_usage_error("migrate record", "unknown option '%s' (see --help)",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("migrate record", "unexpected argument '%s'", argv[optind]);
	if (!po.listen_path || !po.nupstreams || !out)
		return cli_usage_error("migrate record",
				       "--listen, --upstream and --out are needed");
	if (trace_writer_open(out, &po.trace))
		return CLI_EXIT_USAGE;
	po.stop = cli_catch_interrupts();
	rc = trace_proxy_run(&po);
	wrc = trace_writer_close(po.trace);
	if (rc == -EINTR)
		return CLI_EXIT_INTERRUPTED;
	return rc || wrc ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}
