/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_EMU_EMU_TRACK_H
#define STORLAB_EMU_EMU_TRACK_H

/*
 * The record of every request of a migration run and the invariants
 * checked on it: none lost, none completed twice, no used entry for a head
 * that is not in flight, no used index below what the source published.
 * Violations name the request (queue, request id, descriptor head, op,
 * LBA), the page or the index. Pure: fed by the guest (emu_guest.c), and
 * by the unit tests with synthetic records.
 */

#include <stdbool.h>
#include <stdint.h>

enum emu_vkind {
	EMU_V_LOST,		/* never completed, or only as "not connected" */
	EMU_V_DUPLICATE,	/* completed twice, or a used entry for a head not in flight */
	EMU_V_STALE_DATA,	/* read back other data than the last acknowledged write */
	EMU_V_STALE_PAGE,	/* a page the back-end wrote differs at the destination */
	EMU_V_INDEX_REGRESSION, /* a used index below what was published before */
	EMU_V_LATE_WRITE,	/* the source wrote guest memory after its rings stopped */
	EMU_V_IO_ERROR,		/* a request failed */
	EMU_V_COUNT,
};

/* "lost", "duplicate", "stale-data", "stale-page", "index-regression",
 * "late-write", "io-error". */
const char *emu_vkind_name(enum emu_vkind k);

#define EMU_NO_REQ UINT32_MAX

struct emu_req {
	uint16_t queue;
	uint16_t id;	/* the driver's request slot */
	uint16_t head;	/* the descriptor head */
	uint8_t op;	/* enum storlab_op: READ or WRITE */
	bool to_source; /* submitted before the switch */
	uint8_t completions;
	int ret;       /* of the last completion */
	uint32_t slot; /* the guest's block slot */
	uint64_t lba;
	uint32_t nsect;
	uint64_t gen; /* a write's generation; a read's expected one */
};

struct emu_violation {
	enum emu_vkind kind;
	uint32_t req; /* EMU_NO_REQ: none */
	uint16_t queue;
	uint64_t page; /* gpa of the page, stale-page and late-write */
	uint16_t index_seen, index_floor;
	char detail[160];
};

#define EMU_MAX_REPORTED 64

struct emu_track {
	struct emu_req *reqs;
	uint32_t nreqs, cap;
	uint16_t nqueues, num;
	uint32_t *inflight; /* [queue * num + head]: request + 1, 0: none */
	uint32_t *last;	    /* [queue * num + head]: the last request + 1 on it */
	/* per queue: the used index the source published, then the last one
	 * seen at the destination (floor_seen) */
	uint16_t *floor;
	bool *floor_seen;
	bool floor_set;
	bool *regressed; /* per queue: reported once */
	struct emu_violation v[EMU_MAX_REPORTED];
	uint32_t nv; /* reported in v[] */
	uint32_t counts[EMU_V_COUNT];
};

int emu_track_init(struct emu_track *t, uint16_t nqueues, uint16_t num);
void emu_track_fini(struct emu_track *t);

/* Makes room for one more record: 0 or -ENOMEM. */
int emu_track_reserve(struct emu_track *t);
/* Records a request the driver took, in the room reserved; its index names
 * it from then on (the completion's tag). */
uint32_t emu_track_submit(struct emu_track *t, const struct emu_req *r);
/* The index the next emu_track_submit() returns. */
static inline uint32_t emu_track_next(const struct emu_track *t)
{
	return t->nreqs;
}
/* A used entry for head on queue appeared in the used ring. */
void emu_track_used(struct emu_track *t, uint16_t queue, uint16_t head);
/* The used index of queue as seen now: a regression below the floor (the
 * source's published index, once set, then the last index seen) is a
 * violation. */
void emu_track_used_idx(struct emu_track *t, uint16_t queue, uint16_t idx);
/* The used entry at index pos of queue, read by the driver (which read up
 * to read), holds another entry now (head id): the device's used index went
 * back. An index-regression violation, once per queue. */
void emu_track_used_rewritten(struct emu_track *t, uint16_t queue, uint16_t pos, uint16_t read,
			      uint32_t id);
/* The request in flight on head of queue: its index + 1, 0: none. */
uint32_t emu_track_on_head(const struct emu_track *t, uint16_t queue, uint16_t head);
/* The driver has request index on head: if its chain came back and it is
 * not completed, it is in flight again there (the driver added it anew),
 * true. */
bool emu_track_readded(struct emu_track *t, uint32_t index, uint16_t head);
void emu_track_set_floor(struct emu_track *t, const uint16_t *floor);
/* The driver returned request index with ret. */
void emu_track_complete(struct emu_track *t, uint32_t index, int ret);
/* At the end: every request never completed is lost. */
void emu_track_finish(struct emu_track *t);

/* Adds a violation (counted always, described while room is left). */
void emu_track_violation(struct emu_track *t, const struct emu_violation *v);

#endif
