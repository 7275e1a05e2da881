/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_INITIATOR_VERIFY_H
#define STORLAB_INITIATOR_VERIFY_H

/*
 * The engine of `storlab io verify`: each pass writes the stamped pattern
 * (pattern.h) over a range, across several queues at a given depth, then
 * reads it all back and checks it. Block k of the range goes to queue
 * k mod queues, in both phases. One thread per queue.
 *
 * With a reconnect timeout, a back-end that goes away during a pass (a
 * target restart) is waited for, reconnected, and the pass is redone from
 * its write phase. On a device that keeps its requests in flight across
 * the reconnect (storlab_dev_keeps_inflight) the phase goes on instead, and
 * the requests in flight at the disconnect must complete after it: each is
 * counted (resubmitted), and one that does not complete within the
 * reconnect timeout of the phase's end is counted lost and stops the run.
 */

#include <stdbool.h>
#include <stdint.h>

#include "initiator/pattern.h"
#include "storlab/initiator.h"

#define VERIFY_MAX_QUEUES 64
#define VERIFY_MAX_REPORT 16

enum verify_phase {
	VERIFY_WRITE,
	VERIFY_READ,
};

struct verify_progress {
	unsigned pass; /* 1-based */
	unsigned passes;
	enum verify_phase phase;
	uint64_t bytes_done; /* in this phase */
	uint64_t bytes_total;
};

struct verify_opts {
	struct storlab_dev *dev; /* opened with at least `queues` queues */
	unsigned queues;
	unsigned qd;	 /* requests in flight per queue */
	uint32_t bs;	 /* bytes per request, a multiple of 512 */
	uint64_t offset; /* the range, multiples of 512 */
	uint64_t length;
	uint64_t seed;
	unsigned passes;
	double reconnect_timeout; /* seconds; 0: a disconnect fails the run */
	int io_timeout_ms;	  /* a request slower than this fails the run */
	/* Optional, called from the thread that called verify_run(). */
	void (*progress)(const struct verify_progress *p, void *arg);
	void (*reconnected)(double seconds, void *arg);
	void *arg;
};

struct verify_queue_stats {
	uint64_t requests;
	uint64_t bytes;
};

struct verify_result {
	uint64_t bytes_written;
	uint64_t bytes_read;
	uint64_t bad_sectors;
	uint64_t io_errors;		/* requests completed with a non-OK status */
	int first_error;		/* its negative errno */
	const char *first_error_status; /* the transport's name for its status */
	uint64_t first_error_offset;
	unsigned reconnects;
	/* Requests in flight at a disconnect that completed after the
	 * reconnect (the device ran them again), and those that never did. */
	uint64_t resubmitted;
	uint64_t lost;
	unsigned nreported; /* mismatches[0 .. nreported) */
	struct pattern_mismatch mismatches[VERIFY_MAX_REPORT];
	struct verify_queue_stats queue[VERIFY_MAX_QUEUES];
	double seconds;
};

/*
 * Returns 0 when every pass ran (the result says whether data matched), or a
 * negative errno when the run could not go on: -EINVAL (options), -ENOMEM
 * (buffers), -ECONNRESET (disconnect, no reconnect asked for), -ETIMEDOUT (no
 * reconnect within the timeout, or a request timed out), -ENODATA (requests
 * in flight at a disconnect never completed after the reconnect: lost).
 */
int verify_run(const struct verify_opts *opts, struct verify_result *res);

#endif
