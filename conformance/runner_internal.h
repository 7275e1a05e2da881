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
#include <sys/types.h>

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
	const struct conform_transport *transport; /* of the case's suite */
	const char *address;			   /* the endpoint's, in its terms */
	int timeout_ms;
	struct conform_offer offered;
	/* conform_run_opts.hotplug */
	int (*hotplug)(void *arg, bool add, unsigned target, unsigned lun, char *err,
		       size_t err_len);
	void *hotplug_arg;
	int out_fd; /* the pipe to the runner; -1: trace nowhere */
	/* The connections conform_ctx_connect() made (the case owns them;
	 * conform_backend_alive() hangs them up). */
	struct conform_conn {
		int fd;
		dev_t dev; /* of fd's socket, to tell it from a later one */
		ino_t ino;
	} conns[CONFORM_MAX_CONNS];
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

/* A new connection to the endpoint through ctx's transport, traced: 0 with
 * *conn (the transport's handle; the case owns it), or a negative errno.
 * What a transport's typed connect for cases (conform_connect) calls. */
int conform_ctx_connect(struct conform_ctx *ctx, void **conn);
/* Registers fd, a connection the case made to the endpoint by other means,
 * to be hung up before conform_backend_alive() asks on a new one. */
void conform_ctx_track(struct conform_ctx *ctx, int fd);
/* One line of the case's trace (a transport's trace hook writes them). */
void conform_ctx_trace_line(struct conform_ctx *ctx, const char *line);

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
