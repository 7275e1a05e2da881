/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CLI_H
#define STORLAB_CLI_H

/* The `storlab` command: main.c dispatches to one file per subcommand. */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/parse.h"

#define STORLAB_VERSION "0.1.0"

/* Exit codes (docs/man/storlab.md). */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAIL = 1,	    /* the device answered wrong: mismatch, error status */
	CLI_EXIT_USAGE = 2,	    /* bad arguments, or the command could not run */
	CLI_EXIT_INTERRUPTED = 130, /* stopped by Ctrl-C or SIGTERM: 128 + SIGINT, as shells say */
};

int cli_io(int argc, char **argv);
int cli_rpc(int argc, char **argv);
int cli_perf(int argc, char **argv);
/* perf_compare.c: `storlab perf compare ...`, argv[0] being "compare". */
int cli_perf_compare(int argc, char **argv);
/* perf_history.c: `storlab perf history ...`, argv[0] being "history". */
int cli_perf_history(int argc, char **argv);
int cli_conform(int argc, char **argv);
int cli_scenario(int argc, char **argv);
/* nvme.c: `storlab nvme` admin commands (identify, id-ns, get-log, get-feature). */
int cli_nvme(int argc, char **argv);
/* migrate.c: the `storlab migrate` dispatcher. */
int cli_migrate(int argc, char **argv);
/* `storlab migrate run` with argv (argv[0] "run", then its options), for a
 * scenario step: nothing printed but usage errors; *report gets the JSON
 * document --output json prints (or NULL). Its exit code. */
struct json_t;
int cli_migrate_report(int argc, char **argv, struct json_t **report);
/* migrate_run.c / migrate_record.c / migrate_show.c: `storlab migrate
 * run|record|show ...`, argv[0] being the subcommand. */
int cli_migrate_run(int argc, char **argv);
int cli_migrate_record(int argc, char **argv);
int cli_migrate_show(int argc, char **argv);
int cli_migrate_replay(int argc, char **argv);
/* migrate_run.c, shared with replay: one migration's JSON object and its
 * table lines (docs/man/storlab-migrate.md), and a back-end started with
 * /bin/sh -c cmd ({sock} its socket) through lib/endpoint: 0 and its
 * vhost-user-blk URI, or an error printed with what. */
struct emu_mig_result;
struct endpoint;
struct endpoint_config;
/* --rw: write, read, rw or rw:PCT into the percentage of reads. */
int cli_migrate_parse_rw(const char *s, unsigned *read_pct);
/* The options run and replay share (--bs, --rw, --io-timeout, --output),
 * by long name: 0, or a usage error (printed). */
struct cli_migrate_shared {
	uint32_t bs;
	unsigned read_pct;
	int io_timeout_ms;
	bool json;
};
#define CLI_MIGRATE_SHARED_DEFAULTS                                                                \
	{                                                                                          \
		.bs = 4096, .read_pct = 50, .io_timeout_ms = 3000                                  \
	}
int cli_migrate_shared_opt(const char *cmd, const char *name, const char *arg,
			   struct cli_migrate_shared *sh);
struct json_t *cli_migrate_run_json(const struct emu_mig_result *r, int ret);
void cli_migrate_run_table(const struct emu_mig_result *r, int ret);
/* Starts a back-end with /bin/sh -c cmd ({sock}: its socket), serving
 * devices of scheme; uri gets its device URI. */
int cli_migrate_spawn(const char *what, const char *cmd, const char *scheme,
		      struct endpoint_config *cfg, struct endpoint **ep, char *uri, size_t len);
/* migrate_crash.c: `storlab migrate replay --crash-matrix`: the replay of
 * base, once as it is, then once per front-end message with the spawned
 * back-end ep killed after it; with stride > 1 only after messages 1,
 * 1+stride, ... and the last (--crash-stride). The exit code. */
struct emu_mig_opts;
int cli_migrate_crash_matrix(const struct emu_mig_opts *base, struct endpoint *ep,
			     unsigned stride, bool json, struct json_t **report);
/* `storlab migrate replay` with the JSON document handed to the caller
 * (report) instead of printed; ep: the back-end's endpoint, which
 * --crash-matrix and --crash-after kill (without --spawn-cmd). Its exit
 * code. */
int cli_migrate_replay_report(int argc, char **argv, struct endpoint *ep, struct json_t **report);
/* A recorder in the background (cli/migrate_record_bg.c): `storlab migrate
 * record` on a thread, writing out; the Nth front-end connection to its
 * socket (cli_recorder_socket) goes to the Nth upstream; it ends after
 * `connections` came and went, or at finish (which waits a while for
 * them first). 0 or a negative errno. */
struct cli_recorder;
int cli_recorder_start(const char *out, const char *const *upstreams, unsigned n,
		       unsigned connections, struct cli_recorder **rec);
const char *cli_recorder_socket(const struct cli_recorder *rec);
int cli_recorder_finish(struct cli_recorder *rec);
/* A crash (emu.h) that kills the spawned back-end ep and starts it again. */
struct emu_crash;
void cli_migrate_crash_init(struct emu_crash *c, struct endpoint *ep);

/* ---- args.c: argument parsing shared by the subcommands ---- */

/* Sizes, whole numbers and seconds: util_parse_size(), util_parse_uint(),
 * util_parse_seconds() (util/parse.h). */
/* "1.5 MiB" style, for people. */
void cli_format_bytes(uint64_t bytes, char *buf, unsigned len);

/* Reports a usage error ("storlab <cmd>: <message>") and returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints root (taken; NULL means it could not be built) on stdout as JSON
 * indented by 2, in key order, and a newline. CLI_EXIT_OK, or
 * CLI_EXIT_USAGE after a message naming cmd. */
struct json_t;
int cli_print_json(const char *cmd, struct json_t *root);

/* Ctrl-C, SIGTERM and SIGHUP set the flag returned (from then on) instead of
 * ending the process, so that a long command can stop what it started and
 * exit CLI_EXIT_INTERRUPTED. */
volatile sig_atomic_t *cli_catch_interrupts(void);

#endif
