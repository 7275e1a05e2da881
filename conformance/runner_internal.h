/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CONFORMANCE_RUNNER_INTERNAL_H
#define STORLAB_CONFORMANCE_RUNNER_INTERNAL_H

/*
 * Inside the runner (internal to conformance/): the case context and the
 * records a case's child process streams to the runner over a pipe.
 *
 * A record is one byte of type, a 32-bit length in host order (both ends are
 * the same process image) and that many bytes. The child streams trace lines
 * as they happen, so a case that crashes or hangs still leaves the trace up
 * to that point; its verdict comes last, as a RESULT record.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conformance/conform.h"
#include "conformance/runner.h"

enum conform_rec_type {
	CONFORM_REC_TRACE = 'T',  /* one trace line, no newline */
	CONFORM_REC_INFO = 'I',	  /* one observation (conform_info), no newline */
	CONFORM_REC_RESULT = 'R', /* uint32 verdict, then the reason's bytes */
};

/* One record is at most this long (longer trace lines are cut). */
#define CONFORM_REC_MAX 4096
/* What a case may send in all (trace lines and observations): past it,
 * they are dropped and one last line says how many. */
#define CONFORM_TRACE_MAX (256u * 1024)

#define CONFORM_MAX_CONNS 32

struct conform_ctx {
	const char *socket_path;
	int timeout_ms;
	uint64_t offered_features;
	uint64_t offered_protocol_features;
	int out_fd; /* the pipe to the runner; -1: trace nowhere */
	/* Sockets of the connections conform_connect() made (the case owns
	 * them; conform_backend_alive() hangs them up). */
	int conn_fds[CONFORM_MAX_CONNS];
	unsigned nconns;
	size_t trace_bytes;
	unsigned trace_dropped;
	char reason[1024];
	enum conform_verdict verdict; /* last one set through conform_fail() & co */
	bool verdict_set;
};

/* Child side: runs the case with ctx writing to out_fd, sends the RESULT
 * record. Returns nothing: the caller _exit()s. */
void conform_ctx_run_case(struct conform_ctx *ctx, const struct conform_case *c);

/* One connection that asks GET_FEATURES and, when VHOST_USER_F_PROTOCOL_FEATURES
 * is offered, GET_PROTOCOL_FEATURES (protocol features 0 otherwise).
 * 0 or a negative errno. */
int conform_probe(const char *path, int timeout_ms, uint64_t *features,
		  uint64_t *protocol_features);

/* Writes one record, retrying short writes; 0 or a negative errno. */
int conform_rec_write(int fd, uint8_t type, const void *a, uint32_t alen, const void *b,
		      uint32_t blen);

/* runner_result.c: len bytes of s as valid UTF-8 without control characters
 * (malloc'ed; NULL on ENOMEM). */
char *conform_text_clean(const char *s, size_t len, bool keep_newlines);

/* runner_child.c: runs c in a child process with a copy of tmpl writing to a
 * pipe, killing it after deadline_ms; fills r's verdict, reason and trace.
 * 0 or a negative errno (the child could not be started). */
int conform_child_run(const struct conform_ctx *tmpl, const struct conform_case *c, int deadline_ms,
		      struct conform_result *r);

#endif
