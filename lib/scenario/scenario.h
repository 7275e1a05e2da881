/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_SCENARIO_SCENARIO_H
#define STORLAB_SCENARIO_SCENARIO_H

/*
 * Scenario files (docs/scenarios.md): YAML, loaded with libcyaml against the
 * schema in load.c, then checked (references, variables) with the file
 * position of the offending node, then run step by step by engine.c.
 *
 * Errors are negative errnos with a message "FILE:LINE:COLUMN: what" in the
 * caller's buffer. This library never prints or exits; the engine reports
 * each step through a callback and runs I/O and conformance steps through
 * hooks the caller supplies (lib/ does not depend on initiator/ or perf/).
 *
 * Every scalar of the typed part is kept as a string so that ${name}
 * substitution works everywhere; the step that uses a value parses it.
 * Free-form values (rpc params, expected values) are JSON (jansson).
 */

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

enum sc_endpoint_type {
	SC_EP_TGT,    /* spawn storlab-tgt */
	SC_EP_QSD,    /* spawn qemu-storage-daemon with a vhost-user-blk export */
	SC_EP_SOCKET, /* an existing vhost-user-blk socket */
};

struct sc_rpc {
	char *endpoint; /* NULL in an endpoint's set-up list */
	char *method;
	json_t *params;	    /* NULL: none (filled from the document, not by cyaml) */
	char *expect_error; /* "any", or an error code ("-17"); NULL: must succeed */
	unsigned line;
};

struct sc_endpoint {
	char *name;
	enum sc_endpoint_type type;
	char *cpumask;	    /* tgt: -m (default 0x1); qsd: the cores it may run on (default all) */
	char *mode;	    /* tgt: --mode (default adaptive) */
	char *bin;	    /* tgt, qsd: the program (default: tgt beside storlab, qsd from PATH) */
	struct sc_rpc *rpc; /* tgt: set-up calls after each start */
	unsigned rpc_count;
	char *blockdev;	  /* qsd: --blockdev value (node-name must be d0) */
	char *num_queues; /* qsd */
	char *path;	  /* socket: the socket's path */
	char *scheme;	  /* socket: the URI scheme of what serves there */
	unsigned line;
};

enum sc_io_op {
	SC_IO_INFO,
	SC_IO_VERIFY,
	SC_IO_PERF,
};

struct sc_io {
	char *endpoint;
	char *controller; /* tgt endpoints: the vhost controller's name */
	enum sc_io_op op;
	/* As on the command line of `storlab io verify` / `storlab perf`;
	 * NULL: that command's default. */
	char *queues, *qd, *bs, *size, *offset, *passes, *seed;
	char *rw, *iodepth, *time, *cpus, *rwmixread, *bssplit;
	char *verify; /* perf: "true" stamps writes and checks reads (--verify) */
	/* "true": the scenario's other spawned endpoints are stopped (SIGSTOP)
	 * while this step runs, so that they take no CPU time from it. */
	char *isolate;
	/* verify: the percent (1-99) of the first write phase at which the
	 * endpoint is killed (SIGKILL) and restarted, the device reconnecting
	 * with its in-flight requests; NULL: no crash. */
	char *crash;
};

/* The string fields of an io step, for substitution and copies. */
#define SC_IO_NSTRINGS 18
void sc_io_strings(struct sc_io *io, char **out[SC_IO_NSTRINGS]);

struct sc_conform {
	char *endpoint;
	char *controller;
	char **suites;
	unsigned suites_count;
	char **cases;
	unsigned cases_count;
	json_t *params; /* per-case parameters, free-form */
};

struct sc_target {
	char *endpoint;
};

/* A migrate step: `storlab migrate run` from one device to another
 * (docs/man/storlab-migrate.md); the options as on its command line, NULL:
 * its default. stop_inflight: "true" or "false". */
struct sc_migrate {
	char *source, *source_controller;
	char *dest, *dest_controller;
	char *queues, *qd, *bs, *rw, *dirty_rate, *rounds, *round_ms, *max_dirty;
	char *stop_inflight, *seed, *count, *io_timeout;
	char *record; /* a trace file: the migration recorded through a proxy */
};

/* A replay step: `storlab migrate replay TRACE` against a device of an
 * endpoint (target, target_controller); with crash_matrix or crash_after
 * the endpoint is killed and restarted (it must be one the scenario
 * starts). The options as on its command line, NULL: its default;
 * crash_matrix: "true" or "false"; crash_stride samples it. */
struct sc_replay {
	char *trace, *target, *target_controller;
	char *crash_matrix, *crash_stride, *crash_after, *shrink, *shrink_runs;
	char *qd, *bs, *rw, *requests, *stop_inflight, *seed, *io_timeout;
};

struct sc_expect {
	char *status;	/* "ok" or "fail": how the previous step ended */
	char *field;	/* a path in the previous step's JSON result: "0.queues.1.core" */
	json_t *equals; /* the value the field must have */
};

enum sc_step_kind {
	SC_STEP_RPC,
	SC_STEP_IO,
	SC_STEP_CONFORM,
	SC_STEP_DISCONNECT,
	SC_STEP_RESTART,
	SC_STEP_EXPECT,
	SC_STEP_SLEEP,
	SC_STEP_MIGRATE,
	SC_STEP_REPLAY,
};

struct sc_step {
	char *name; /* optional, for the report */
	struct sc_rpc *rpc;
	struct sc_io *io;
	struct sc_conform *conform;
	struct sc_target *disconnect;
	struct sc_target *restart;
	struct sc_expect *expect;
	char *sleep; /* milliseconds */
	struct sc_migrate *migrate;
	struct sc_replay *replay;
	enum sc_step_kind kind; /* set by the loader */
	unsigned line;
	unsigned src;	/* its index in the file's steps (a matrix makes several of one) */
	json_t *matrix; /* {name: value} of this copy of a matrix step; NULL: none */
};

struct sc_var {
	char *name;
	char *value;
};

struct scenario {
	char *name;
	char *description;
	struct sc_endpoint *endpoints;
	unsigned endpoints_count;
	struct sc_step *steps;
	unsigned steps_count;
	struct sc_var *vars; /* from the document and -D, not by cyaml */
	unsigned nvars;
	/* {metric: percent}: the noise thresholds of `storlab perf compare` for
	 * this scenario's results; NULL: none declared. Numbers >= 0; the names
	 * are checked by whoever uses them (lib/ does not know perf's metrics). */
	json_t *thresholds;
	char *file; /* as given to the loader */
};

/* A -D name=value override. */
struct sc_define {
	const char *name;
	const char *value;
};

/*
 * Loads a scenario from memory. file names it in messages. Returns 0 with *sc
 * set (free with scenario_free), or -EINVAL (malformed: err says
 * "FILE:LINE:COLUMN: ..."), -ENOMEM.
 */
int scenario_load_data(const char *file, const char *data, size_t len, const struct sc_define *defs,
		       unsigned ndefs, struct scenario **sc, char *err, size_t err_len);
/* The same from a file; -errno of open/read with "FILE: strerror" in err. */
int scenario_load_file(const char *path, const struct sc_define *defs, unsigned ndefs,
		       struct scenario **sc, char *err, size_t err_len);
void scenario_free(struct scenario *sc);

const char *sc_step_kind_name(enum sc_step_kind kind);
const char *sc_io_op_name(enum sc_io_op op);
/* "storlab-tgt", "qemu-storage-daemon", "socket". */
const char *sc_endpoint_type_name(enum sc_endpoint_type type);

/*
 * Replaces ${name} in s with the variable's value ("$$" is a "$"). Returns 0
 * with *out (malloc'd), or -ENOENT with the unknown name in err, -EINVAL for
 * an unterminated "${".
 */
int sc_subst(const struct scenario *sc, const char *s, char **out, char *err, size_t err_len);

/* ---- the step engine (engine.c) ---- */

struct sc_run;

/* What an io or conform hook gets: the step, the device URI
 * ("vhost-user-blk:/path"), as the endpoint names it (lib/endpoint), and the
 * endpoint, to restart it (a conform case took it down, an io step's crash:
 * endpoint_restart: -EOPNOTSUPP for one the scenario did not start). It
 * fills *result (JSON, may stay NULL) and a one-line detail, and returns 0
 * (ok), 1 (the device answered wrong) or a negative errno (could not run). */
struct endpoint;
struct scenario_hooks {
	int (*io)(void *arg, const struct sc_io *io, const char *uri, struct endpoint *ep,
		  json_t **result, char *detail, size_t len);
	int (*conform)(void *arg, const struct sc_conform *c, const char *uri, struct endpoint *ep,
		       json_t **result, char *detail, size_t len);
	/* A migrate step gets the URIs of its source and destination devices. */
	int (*migrate)(void *arg, const struct sc_migrate *m, const char *source, const char *dest,
		       json_t **result, char *detail, size_t len);
	/* A replay step gets its target's URI and endpoint (for its kills). */
	int (*replay)(void *arg, const struct sc_replay *rp, const char *uri, struct endpoint *ep,
		      json_t **result, char *detail, size_t len);
	/* One call per step when it ended, with its result (borrowed, may be NULL). */
	void (*report)(void *arg, unsigned index, const struct sc_step *step, bool ok,
		       const char *detail, json_t *result);
	void *arg;
};

struct scenario_run_opts {
	const char *tgt_path; /* storlab-tgt binary */
	const char *qsd_path; /* qemu-storage-daemon; NULL: from PATH */
	const char *workdir;  /* sockets and logs; NULL: a new /tmp/storlab-sc-XXXXXX */
	int rpc_timeout_ms;   /* 0: 60 s */
	int start_timeout_ms; /* 0: 20 s */
	/* Non-zero (a signal handler sets it): no further step starts, the
	 * endpoints are stopped, and scenario_run() returns -EINTR. NULL: never. */
	volatile sig_atomic_t *stop;
};

/*
 * Starts the endpoints, runs the steps in order, stops the endpoints. Returns
 * 0 when every step passed, 1 when a step failed (the report named it), a
 * negative errno when the endpoints could not be set up (err says why), or
 * -EINTR when opts->stop was set (the step under way ran to its end).
 */
int scenario_run(const struct scenario *sc, const struct scenario_run_opts *opts,
		 const struct scenario_hooks *hooks, char *err, size_t err_len);

#endif
