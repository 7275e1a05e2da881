/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TRACE_TRACE_PROXY_H
#define STORLAB_TRACE_TRACE_PROXY_H

/*
 * The recording proxy behind `storlab migrate record`: it listens where a
 * front-end (QEMU) expects its back-end, connects to the real back-end once
 * per front-end connection, and forwards every byte and every fd unchanged
 * in both directions, as they arrive (a message it cannot make sense of is
 * forwarded all the same). Each message is reported, once it went through,
 * through a vhost_tap (vhost_tap.h) that writes it to a trace, with the
 * proxy's role on the connection it came from: RECEIVED as back-end for
 * what the front-end sent, RECEIVED as front-end for what the back-end
 * sent.
 *
 * Besides messages it records the rings' state where they stop and start
 * (GET_VRING_BASE answered, SET_VRING_BASE, SET_VRING_KICK, SET_VRING_ENABLE
 * 1): the avail and used indices, read from guest memory that it maps
 * read-only from the SET_MEM_TABLE / ADD_MEM_REG fds, and the ring's
 * addresses. Markers say when a connection opened and closed.
 *
 * Not recorded: the back-end request channel (its socket goes from the
 * front-end to the back-end in SET_BACKEND_REQ_FD, forwarded like any fd;
 * the two then talk on it directly).
 *
 * Single-threaded: trace_proxy_run() polls every socket itself and returns
 * when it is done. A send that finds no room waits at most
 * TRACE_PROXY_SEND_MS, after which that connection pair is closed.
 */

#include <signal.h>

#include "trace/trace.h"

#define TRACE_PROXY_SEND_MS	  5000
#define TRACE_PROXY_MAX_CONNS	  16
#define TRACE_PROXY_MAX_UPSTREAMS 8

struct trace_proxy_opts {
	const char *listen_path; /* created (a stale socket file replaced), removed at the end */
	/* The back-ends' sockets: the Nth front-end connection goes to the
	 * Nth (a migration's source and destination, each on its own
	 * back-end), the later ones to the last. */
	const char *upstream_paths[TRACE_PROXY_MAX_UPSTREAMS];
	unsigned nupstreams;
	struct trace_writer *trace;
	/* Stop once this many front-end connections came and went (0: no
	 * limit). */
	unsigned count_connections;
	/* Stop after this long (-1: no limit), closing what is open. */
	int timeout_ms;
	/* Set (by a signal handler) to stop; may be NULL. */
	volatile sig_atomic_t *stop;
};

/* 0 once done (the count reached, the time over), -EINTR when stopped by
 * *stop, or a negative errno when the listening socket could not be made
 * (logged). The trace holds what went through either way. */
int trace_proxy_run(const struct trace_proxy_opts *opts);

#endif
