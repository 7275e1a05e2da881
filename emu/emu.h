/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_EMU_EMU_H
#define STORLAB_EMU_EMU_H

/*
 * The VMM emulator's migration engine: one pre-copy migration of the
 * initiator's device, as `storlab migrate run` plays it (the CLI in
 * cli/migrate.c; docs/man/storlab-migrate.md).
 *
 *   1. The guest (emu_guest.h) runs verified I/O on the source back-end.
 *   2. Logging on (vhost-user.rst "Migration"): SET_LOG_BASE with a shared
 *      log, SET_FEATURES with VHOST_F_LOG_ALL, SET_VRING_ADDR with
 *      VHOST_VRING_F_LOG.
 *   3. Rounds: round 0 copies all guest memory to the destination's memfd,
 *      each later round the pages dirty since (the log's and the guest's),
 *      while I/O goes on; until the dirty pages are fewer than max_dirty or
 *      the rounds run out.
 *   4. Stop: GET_VRING_BASE on every ring (the switch clock starts), the
 *      final copy, the comparison of every page the back-end writes.
 *   5. Switch: the destination memory replaces the source's under the
 *      guest (same address), the destination back-end is set up with the
 *      returned bases, I/O goes on there; the clock stops at its first
 *      completion.
 *   6. Drain, read every acknowledged block back, check the invariants
 *      (emu_track.h) and that the source wrote nothing after its stop.
 */

#include <stdbool.h>
#include <stdint.h>

#include "emu/emu_plan.h"
#include "storlab/initiator.h"
#include "emu/emu_track.h"

#define EMU_MAX_QUEUES 64
/* Request queues and the rings before them (virtio-scsi's controlq and
 * eventq). */
#define EMU_MAX_RINGS (EMU_MAX_QUEUES + 2)

/*
 * A replay's schedule (emu_script.h): instead of the plan's durations, the
 * engine asks it how many requests each queue runs in each phase, and
 * whether the device migrates at all. The phases: warm-up (before logging
 * starts), pre-copy (one round: a trace does not show the VMM's rounds),
 * the requests left in flight at the stop, and the destination's.
 */
enum emu_phase {
	EMU_PHASE_WARMUP,
	EMU_PHASE_PRECOPY,
	EMU_PHASE_INFLIGHT,
	EMU_PHASE_POST,
	EMU_PHASES,
};

struct emu_schedule {
	bool migrate; /* false: I/O on one back-end, then the checks */
	uint32_t io[EMU_PHASES][EMU_MAX_QUEUES];
};

/*
 * A back-end crash a replay injects (--crash-matrix): once the front-end
 * sent its after_msg-th message (counted over all its connections, from
 * 1), kill(ctx) kills the back-end (SIGKILL) and starts it again; the step
 * that then fails is done again on a new connection (storlab_dev_reconnect:
 * requests in flight kept by VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD where
 * negotiated, failed otherwise), with the dirty log set up again if it was
 * on, and the run goes on.
 */
struct emu_crash {
	unsigned after_msg; /* the nth front-end message sent, counting from 1 */
	/* Or, where request is not 0: the nth message of this request (a point
	 * that a smaller trace still has, for --shrink). */
	uint32_t request;
	unsigned nth;
	int (*kill)(void *ctx);
	void *ctx;
};

struct emu_mig_opts {
	const char
	    *source; /* device URIs of one scheme: vhost-user-blk:/path, vhost-user-scsi:/path */
	const char *dest;
	unsigned queues, qd, queue_size;
	uint32_t bs;
	unsigned read_pct;
	unsigned dirty_rate; /* guest page writes per ms */
	unsigned rounds, round_ms;
	uint32_t max_dirty; /* pages: converged below this */
	bool stop_inflight;
	uint64_t seed;
	uint64_t mem_size;
	uint64_t features_mask;			/* storlab_dev_opts.features_mask */
	const struct storlab_mem_range *ranges; /* storlab_dev_opts.ranges; NULL: one */
	unsigned nranges;
	int io_timeout_ms;		     /* a request not completed by then is lost */
	const struct emu_schedule *schedule; /* NULL: the plan's durations */
	const struct emu_crash *crash;	     /* NULL: none */
};

struct emu_round {
	uint32_t copied;      /* pages copied at its start */
	uint32_t dirty_after; /* pages dirty at its end */
};

struct emu_mig_result {
	struct emu_plan plan;
	uint64_t features, protocol_features; /* acknowledged to the source */
	unsigned rounds_done;
	struct emu_round round[EMU_MAX_ROUNDS];
	bool converged;
	uint32_t final_copied;
	unsigned inflight_at_stop;
	unsigned nrings;		    /* every ring of the device, request queues last */
	uint16_t bases[EMU_MAX_RINGS];	    /* GET_VRING_BASE's answers, per ring */
	uint16_t published[EMU_MAX_QUEUES]; /* the source's used idx at the stop */
	bool switched;
	double switch_ms; /* < 0: no completion at the destination */
	struct emu_track track;
	unsigned fe_msgs;	/* messages the front-end sent */
	bool crashed;		/* the crash was injected */
	uint32_t crash_request; /* after this message (its request code) */
	unsigned crash_nth;	/* which of the messages of that request it was */
	unsigned reconnects;	/* steps done again after it */
	char error[256];	/* why it could not run */
};

/* Runs one migration. 0: it ran, r says what held (emu_mig_ok); a negative
 * errno: it could not run (r->error says why). r is to be finished with
 * emu_mig_result_fini() either way. */
int emu_mig_run(const struct emu_mig_opts *o, struct emu_mig_result *r);
void emu_mig_result_fini(struct emu_mig_result *r);
/* Every invariant held. */
bool emu_mig_ok(const struct emu_mig_result *r);

/* ---- several runs (emu_report.c) ---- */

struct emu_summary {
	unsigned runs, failed, not_run;
	uint64_t counts[EMU_V_COUNT];
	double switch_median_ms, switch_p99_ms; /* < 0: none measured */
};

/* Adds one run. values: room for every run's switch time. */
void emu_summary_add(struct emu_summary *s, const struct emu_mig_result *r, int ret,
		     double *values);
/* The median and p99 of n values (sorted in place): nearest rank. */
void emu_summary_finish(struct emu_summary *s, double *values, unsigned n);
double emu_percentile(const double *sorted, unsigned n, unsigned pct);

#endif
