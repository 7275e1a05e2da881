/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_EMU_EMU_SCRIPT_H
#define STORLAB_EMU_EMU_SCRIPT_H

/*
 * From a recorded trace (lib/trace) to what a replay does (`storlab migrate
 * replay`, docs/man/storlab-migrate.md): the device's layout and
 * negotiation as the trace's first connection set them up, whether it
 * migrates, and how many requests each ring ran in each phase of the
 * engine (struct emu_schedule, emu.h).
 *
 * The counts come from the ring states the recorder took at each ring's
 * start and stop points (docs/trace-format.md, type 2): between its start
 * (SET_VRING_ENABLE 1, or SET_VRING_KICK without one) and its stop
 * (GET_VRING_BASE answered) the driver made avail_idx(stop) -
 * avail_idx(start) requests available, of which avail_idx - used_idx were
 * still in flight at the stop. Those completed are split between warm-up
 * and pre-copy at the time of SET_LOG_BASE, in proportion to the time each
 * took (the trace's time stamps). A destination ring that was never
 * stopped ran, at the source's rate, for the time its connection lasted.
 *
 * A smaller trace (for --shrink) is the trace minus a set of removable
 * units (struct emu_unit): a ring past the first with all its messages and
 * states, an eighth of a ring's requests at the source, its requests in flight at the
 * stop, the destination's requests, a GET_* query the replay's set-up does
 * not depend on, a SET_VRING_CALL that repeats one. emu_trace_without()
 * writes what is left as a trace that the same derivation reads back.
 *
 * Pure but for emu_trace_load / emu_trace_save (files).
 */

#include <stdbool.h>
#include <stdint.h>

#include "emu/emu.h"
#include "trace/trace.h"

/* A trace in memory: its records, each owning its payload and text. */
struct emu_trace {
	struct trace_rec *recs;
	unsigned n;
};

/* Reads every record of path. 0, or a negative errno (logged): a record
 * that does not decode refuses the whole trace. */
int emu_trace_load(const char *path, struct emu_trace *t);
/* Writes t to path (truncated), each record at its own time. */
int emu_trace_save(const struct emu_trace *t, const char *path);
void emu_trace_free(struct emu_trace *t);
/* Appends a copy of rec (its payload and text copied): 0 or -ENOMEM. */
int emu_trace_append(struct emu_trace *t, const struct trace_rec *rec);

struct emu_script {
	uint16_t queues;		    /* rings set up on the first connection */
	uint16_t queue_size;		    /* SET_VRING_NUM of ring 0 */
	uint16_t ring_size[EMU_MAX_QUEUES]; /* SET_VRING_NUM of each ring */
	uint64_t mem_size;		    /* the end of the highest memory region */
	unsigned nregions;		    /* of the first SET_MEM_TABLE (or ADD_MEM_REGs) */
	/* Their guest addresses, for the replay's memory table; nranges 0
	 * where they cannot be laid out again (more than the initiator takes,
	 * overlapping, off pages): then one region of mem_size. */
	struct storlab_mem_range ranges[STORLAB_MAX_MEM_RANGES];
	unsigned nranges;
	uint64_t features; /* SET_FEATURES of the first connection, LOG_ALL cleared */
	uint64_t protocol_features;
	unsigned conns;	  /* connections with front-end messages */
	unsigned fe_msgs; /* messages from the front-end */
	/* Ring states said how many requests ran; without them the replay
	 * chooses a count (its --requests). */
	bool counted;
	uint16_t max_inflight; /* the most requests in flight a ring state showed */
	struct emu_schedule sched;
};

/* The script of t. 0, or -EINVAL for a trace with no set-up to replay (no
 * memory table or no ring: `why` says, len bytes of room). */
int emu_script_make(const struct emu_trace *t, struct emu_script *s, char *why, unsigned len);

enum emu_unit_kind {
	EMU_UNIT_RING,	   /* ring index, past ring 0: its messages and states */
	EMU_UNIT_SRC_IO,   /* ring index: count of its requests at the source */
	EMU_UNIT_INFLIGHT, /* ring index: its requests in flight at the stop */
	EMU_UNIT_DEST_IO,  /* the destination's requests, every ring */
	EMU_UNIT_MSG,	   /* record rec (and its reply): a query or a repeat */
};

struct emu_unit {
	enum emu_unit_kind kind;
	uint16_t ring;
	unsigned rec;	/* EMU_UNIT_MSG */
	uint32_t count; /* EMU_UNIT_SRC_IO: a part of the ring's requests, up to an eighth */
};

/* The removable units of t (s its script), in the trace's order; at most
 * max. The count. */
unsigned emu_script_units(const struct emu_trace *t, const struct emu_script *s,
			  struct emu_unit *units, unsigned max);
/* "ring 1", "ring 0's requests at the source (96)", ...: for the steps. */
void emu_unit_name(const struct emu_unit *u, const struct emu_trace *t, char *buf, unsigned len);

/* out = t without the units where removed[i]: records dropped, ring states
 * and ring indices of the messages after a removed batch moved back by its
 * requests, the destination's records after its last start point moved to
 * that point's time. 0 or -ENOMEM. */
int emu_trace_without(const struct emu_trace *t, const struct emu_unit *units, unsigned n,
		      const bool *removed, struct emu_trace *out);

#endif
