/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_ENDPOINT_ENDPOINT_H
#define STORLAB_ENDPOINT_ENDPOINT_H

/*
 * Endpoints: what a test talks to, by kind (storlab-tgt, qemu-storage-daemon,
 * any command that serves a socket, an existing socket), started, watched,
 * stopped and restarted one way for `storlab conform --spawn-*` and for
 * scenario files.
 *
 * Starting a kind that runs a program: the program runs in a process group
 * of its own (a shell command need not exec its server, and a stop must not
 * leave part of it holding the socket or the image), with stdin /dev/null
 * and stdout and stderr appended to the endpoint's log (kept across
 * restarts, so the log shows every instance). endpoint_start() returns once
 * the endpoint is ready: its socket accepts a connection, the kind's set-up
 * is done (storlab-tgt: its JSON-RPC calls), and the caller's ready hook,
 * if any, passes (a protocol probe). One that exits while starting is
 * -ECHILD at once, not after the start timeout.
 *
 * Stopping signals the whole group (SIGCONT too, for one that was paused),
 * SIGKILL after a deadline, and reaps all of it: the first start makes the
 * calling process a child subreaper (prctl), so that what a shell leaves
 * behind comes to us, not to init.
 *
 * A library: it never prints or exits. Errors come back as a negative errno
 * with a message in the caller's buffer; warnings go to the logger. The
 * calling process reaps only the pids and groups it started here. One thread
 * at a time per endpoint.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct endpoint;

/* One JSON-RPC call made after each start (storlab-tgt's set-up). */
struct endpoint_call {
	const char *method;
	json_t *params; /* borrowed; NULL: none */
	unsigned line;	/* where the caller's file defines it, for messages; 0: none */
};

struct endpoint_config {
	/* A name for files and messages: letters, digits, '-', '_', '.'. */
	const char *name;
	/* A kind that spawns puts its files into DIR/NAME/ (created; DIR must
	 * exist) and its log into DIR/NAME.log. NULL: a fresh directory under
	 * /tmp, holding the log too, removed by endpoint_destroy(). */
	const char *dir;
	const char *log;      /* the log, instead of the above */
	int start_timeout_ms; /* <= 0: 20000 */
	int rpc_timeout_ms;   /* <= 0: 60000 */
	/* Ready only once this also returns 0 (tried again until the start
	 * timeout; a negative errno: not yet), e.g. a protocol probe of
	 * endpoint_uri(). NULL: ready when the kind says so. */
	int (*ready)(void *arg, struct endpoint *ep, int timeout_ms);
	void *ready_arg;

	/* Per kind; each reads its own (the defaults in brackets). */
	/* storlab-tgt [the one beside the running program, else from PATH],
	 * qemu-storage-daemon [from PATH] */
	const char *bin;
	/* storlab-tgt: -m [0x1]; qemu-storage-daemon: the cores it may run on [all] */
	const char *cpumask;
	const char *mode;		   /* storlab-tgt: --mode [adaptive] */
	const struct endpoint_call *setup; /* storlab-tgt: calls after each start */
	unsigned nsetup;
	const char *blockdev;	/* qemu-storage-daemon: --blockdev, node-name d0 (required) */
	const char *num_queues; /* qemu-storage-daemon [1] */
	const char *command;	/* command: for /bin/sh -c, every "{sock}" its socket (required) */
	const char *path;	/* socket: the existing socket (required) */
	const char *scheme;	/* command, socket: what it serves, as a URI scheme (required) */
};

/*
 * A kind: how one kind of endpoint is brought up and named. One const table
 * per kind (lib/endpoint/kind_*.c), listed in lib/endpoint/kinds.c. The
 * functions get the endpoint's private part (endpoint_internal.h).
 */
struct endpoint_kind {
	const char *name; /* "storlab-tgt", as scenario files and messages name it */
	/* It runs a program (started, stopped, restarted, paused, with a
	 * directory and a log); false: it is there or not (an existing socket). */
	bool spawns;
	/* Checks the configuration and prepares what each start uses: the
	 * program's argv and the socket that says it is up. Once, from
	 * endpoint_create(). 0 or a negative errno with err. */
	int (*init)(struct endpoint *ep, char *err, size_t len);
	/* After each start, once the socket accepts: what makes it serve
	 * (storlab-tgt: the set-up calls). NULL: nothing. */
	int (*setup)(struct endpoint *ep, char *err, size_t len);
	/* The URI of one of its devices ("vhost-user-blk:/path"); device names
	 * it where the endpoint serves several (storlab-tgt: a controller;
	 * NULL for the others). 0, or a negative errno with err. */
	int (*uri)(struct endpoint *ep, const char *device, char *uri, size_t len, char *err,
		   size_t err_len);
	bool rpc; /* it answers storlab's JSON-RPC (endpoint_rpc_call) */
};

extern const struct endpoint_kind g_endpoint_tgt, g_endpoint_qsd, g_endpoint_command,
    g_endpoint_socket;
/* Every kind, and the one named name (NULL: none). */
extern const struct endpoint_kind *const g_endpoint_kinds[];
extern const unsigned g_endpoint_nkinds;
const struct endpoint_kind *endpoint_kind_find(const char *name);

/* Nothing starts. cfg and what it points to must outlive the endpoint. 0 or
 * a negative errno with err. */
int endpoint_create(const struct endpoint_kind *kind, const struct endpoint_config *cfg,
		    struct endpoint **ep, char *err, size_t err_len);
/* Stops it if running, removes a directory it made; NULL is fine. */
void endpoint_destroy(struct endpoint *ep);

/* Starts it and waits until it is ready (above). On failure what was
 * started is killed; err says why and where its log is. */
int endpoint_start(struct endpoint *ep, char *err, size_t err_len);
/* SIGTERM to the group (SIGKILL after 10 s), reaped as a whole; closes the
 * RPC connection. The wait status of the process started (0 also when our
 * SIGTERM ended it; as it ended, when it had exited already), or -1 when
 * none was started. */
int endpoint_stop(struct endpoint *ep);
/* For one that went away or stopped serving: kills what is left of it
 * (SIGKILL), starts it again, counts a restart. -EOPNOTSUPP for a kind
 * that runs no program. */
int endpoint_restart(struct endpoint *ep, char *err, size_t err_len);
/* endpoint_restart() for a callback that takes a void * (the conformance
 * runner's restart): the error goes to the logger. */
int endpoint_restart_logged(void *ep);
/* SIGSTOP (pause) or SIGCONT the group; nothing for a kind that runs none. */
void endpoint_pause(struct endpoint *ep, bool pause);
/* True when the process started has exited (it is reaped then; *status its
 * wait status, may be NULL). */
bool endpoint_exited(struct endpoint *ep, int *status);

/* The URI of a device of it (struct endpoint_kind.uri). */
int endpoint_uri(struct endpoint *ep, const char *device, char *uri, size_t len, char *err,
		 size_t err_len);
/* One JSON-RPC call (params stolen): 0 with *result, -EREMOTEIO with
 * *error, -EOPNOTSUPP for a kind without RPC, -ENOTCONN when it does not
 * run, or another negative errno (the next call connects again). */
int endpoint_rpc_call(struct endpoint *ep, const char *method, json_t *params, json_t **result,
		      json_t **error);
/* Closes our RPC connection (a later call makes a new one). */
void endpoint_rpc_close(struct endpoint *ep);

const char *endpoint_name(const struct endpoint *ep);
const struct endpoint_kind *endpoint_kind(const struct endpoint *ep);
const char *endpoint_log(const struct endpoint *ep); /* "" for a kind that runs none */
unsigned endpoint_restarts(const struct endpoint *ep);
/* A wait status as words: "exit 3", "signal 9 (Killed)". */
void endpoint_status_text(int status, char *buf, size_t len);

#endif
