/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_EMU_EMU_GUEST_H
#define STORLAB_EMU_EMU_GUEST_H

/*
 * The guest of a migration run: the initiator's device with verified I/O
 * on every queue, driven by one thread between the engine's steps.
 *
 * Blocks. The guest works on a set of blocks (slots) of bs bytes each, one
 * request at most in flight per block, so every read has one right answer:
 * the pattern (initiator/pattern.h) of the block's last acknowledged write,
 * whose generation the stamp carries (a stale or lost write reads as an
 * older generation). Read buffers are poisoned before each read, so a
 * completion whose data never reached the guest's memory shows too.
 *
 * Dirty tracking. Every page the driver or the guest writes is marked in
 * the guest's dirty set (the engine copies it with the back-end's log): the
 * request's slot and indirect table, the descriptor table and available
 * ring, a write's data, a read's poisoned buffer, and the pages the guest
 * dirties besides at dirty_rate pages per millisecond. The used rings are
 * never marked: only the back-end writes them.
 *
 * Observation. Before each reap the guest reads the used ring itself and
 * feeds every entry and the used index to the record (emu_track.h), then
 * lets the driver reap exactly those entries.
 */

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "emu/emu_dirty.h"
#include "emu/emu_track.h"
#include "storlab/initiator.h"

struct emu_guest_opts {
	struct storlab_dev *dev; /* opened by initiator_mig_open() */
	unsigned queues, qd;
	uint32_t bs;	       /* a multiple of 512 */
	unsigned read_pct;     /* reads among requests to written blocks */
	unsigned dirty_rate;   /* guest page writes per ms outside I/O */
	uint32_t nslots;       /* blocks; 0: queues * qd * 2 */
	uint64_t rng_seed;     /* the guest's choices (emu_plan.guest_seed) */
	uint64_t pattern_seed; /* stamped into the data */
};

struct emu_guest;

/* CLOCK_MONOTONIC in nanoseconds: the switch-time clock. */
static inline int64_t emu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int emu_guest_create(const struct emu_guest_opts *o, struct emu_track *t, struct emu_dirty *dirty,
		     struct emu_guest **g);
void emu_guest_destroy(struct emu_guest *g);

/* Runs I/O on every queue for ms milliseconds. 0, or -ENOTCONN once every
 * queue is dead. */
int emu_guest_run(struct emu_guest *g, unsigned ms);
/* Runs exactly n[q] more requests on each queue q and reaps until none is
 * in flight, or timeout_ms passed (what is left in flight is then the
 * drain's to judge): a replay's I/O between two messages of its trace. 0,
 * or -ENOTCONN once every queue is dead. */
int emu_guest_run_count(struct emu_guest *g, const uint32_t *n, int timeout_ms);
/* Fills every queue to its depth and makes it visible, without reaping:
 * the stop then finds requests in flight (--stop-inflight). */
void emu_guest_fill(struct emu_guest *g);
/* The same with at most n[q] requests on queue q (a replay's count). */
void emu_guest_fill_count(struct emu_guest *g, const uint32_t *n);
unsigned emu_guest_inflight(const struct emu_guest *g);
/* From now on the time of the next completion is kept (the destination's
 * first). */
void emu_guest_watch_first(struct emu_guest *g);
/* The CLOCK_MONOTONIC ns of the completion watched for; 0: none yet. */
int64_t emu_guest_first_ns(const struct emu_guest *g);
/* Stops submitting and reaps until nothing is in flight or timeout_ms. */
void emu_guest_drain(struct emu_guest *g, int timeout_ms);
/* Reads every block with an acknowledged write and checks it; then
 * drains. */
void emu_guest_readback(struct emu_guest *g, int timeout_ms);

/* A command on the device's control ring while I/O is in flight, where it
 * has one: virtio-scsi's QUERY TASK SET on the controlq (ends no command),
 * so that the device writes a response and a used entry there. A failure
 * is an io-error violation. */
void emu_guest_control(struct emu_guest *g);

/* After a reconnect: the used rings are read from where they stand now
 * (a ring set up again starts over). */
void emu_guest_rings_resync(struct emu_guest *g);

/* Marks the pages the back-end writes: used rings, request slots, data
 * buffers. */
void emu_guest_device_pages(const struct emu_guest *g, struct emu_dirty *set);
/* What the page at gpa holds, for a violation's text. */
void emu_guest_page_name(const struct emu_guest *g, uint64_t gpa, char *buf, unsigned len);

#endif
