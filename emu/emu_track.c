/* SPDX-License-Identifier: MIT */
/* The requests of a migration run and their invariants (emu_track.h). */
#include "emu/emu_track.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storlab/initiator.h"

static const char *const g_vkind_names[EMU_V_COUNT] = {
    [EMU_V_LOST] = "lost",
    [EMU_V_DUPLICATE] = "duplicate",
    [EMU_V_STALE_DATA] = "stale-data",
    [EMU_V_STALE_PAGE] = "stale-page",
    [EMU_V_INDEX_REGRESSION] = "index-regression",
    [EMU_V_LATE_WRITE] = "late-write",
    [EMU_V_IO_ERROR] = "io-error",
};

const char *emu_vkind_name(enum emu_vkind k)
{
	return k < EMU_V_COUNT ? g_vkind_names[k] : "?";
}

int emu_track_init(struct emu_track *t, uint16_t nqueues, uint16_t num)
{
	size_t heads = (size_t)nqueues * num;

	memset(t, 0, sizeof(*t));
	t->nqueues = nqueues;
	t->num = num;
	t->inflight = calloc(heads, sizeof(*t->inflight));
	t->last = calloc(heads, sizeof(*t->last));
	t->floor = calloc(nqueues, sizeof(*t->floor));
	t->regressed = calloc(nqueues, sizeof(*t->regressed));
	t->floor_seen = calloc(nqueues, sizeof(*t->floor_seen));
	if (!t->inflight || !t->last || !t->floor || !t->regressed || !t->floor_seen) {
		emu_track_fini(t);
		return -ENOMEM;
	}
	return 0;
}

void emu_track_fini(struct emu_track *t)
{
	free(t->reqs);
	free(t->inflight);
	free(t->last);
	free(t->floor);
	free(t->floor_seen);
	free(t->regressed);
	memset(t, 0, sizeof(*t));
}

void emu_track_violation(struct emu_track *t, const struct emu_violation *v)
{
	t->counts[v->kind]++;
	if (t->nv < EMU_MAX_REPORTED)
		t->v[t->nv++] = *v;
}

int emu_track_reserve(struct emu_track *t)
{
	uint32_t cap;
	struct emu_req *n;

	if (t->nreqs < t->cap)
		return 0;
	cap = t->cap ? t->cap * 2 : 4096;
	n = realloc(t->reqs, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	t->reqs = n;
	t->cap = cap;
	return 0;
}

uint32_t emu_track_submit(struct emu_track *t, const struct emu_req *r)
{
	size_t h = (size_t)r->queue * t->num + r->head;
	uint32_t index = t->nreqs++;

	t->reqs[index] = *r;
	t->inflight[h] = index + 1;
	t->last[h] = index + 1;
	return index;
}

static struct emu_violation req_violation(const struct emu_track *t, enum emu_vkind kind,
					  uint32_t index)
{
	const struct emu_req *r = &t->reqs[index];

	return (struct emu_violation){.kind = kind, .req = index, .queue = r->queue};
}

void emu_track_used(struct emu_track *t, uint16_t queue, uint16_t head)
{
	size_t h = (size_t)queue * t->num + (head % t->num);
	struct emu_violation v;

	if (head < t->num && t->inflight[h]) {
		t->inflight[h] = 0;
		return;
	}
	/* virtio 1.2 §2.7.8: a used entry gives back a chain the driver made
	 * available; one for a head not in flight is a completion again of
	 * the request last on it (or of none). */
	if (head < t->num && t->last[h]) {
		v = req_violation(t, EMU_V_DUPLICATE, t->last[h] - 1);
		snprintf(v.detail, sizeof(v.detail), "used entry for head %u, not in flight", head);
	} else {
		v = (struct emu_violation){
		    .kind = EMU_V_DUPLICATE, .req = EMU_NO_REQ, .queue = queue};
		snprintf(v.detail, sizeof(v.detail), "used entry for head %u, never made available",
			 head);
	}
	emu_track_violation(t, &v);
}

uint32_t emu_track_on_head(const struct emu_track *t, uint16_t queue, uint16_t head)
{
	return head < t->num ? t->inflight[(size_t)queue * t->num + head] : 0;
}

bool emu_track_readded(struct emu_track *t, uint32_t index, uint16_t head)
{
	struct emu_req *r = &t->reqs[index];
	size_t h = (size_t)r->queue * t->num + head;

	if (head >= t->num || r->completions || t->inflight[(size_t)r->queue * t->num + r->head])
		return false;
	r->head = head;
	t->inflight[h] = index + 1;
	t->last[h] = index + 1;
	return true;
}

void emu_track_set_floor(struct emu_track *t, const uint16_t *floor)
{
	memcpy(t->floor, floor, t->nqueues * sizeof(*floor));
	memset(t->floor_seen, 0, t->nqueues * sizeof(*t->floor_seen));
	t->floor_set = true;
}

void emu_track_used_idx(struct emu_track *t, uint16_t queue, uint16_t idx)
{
	struct emu_violation v = {
	    .kind = EMU_V_INDEX_REGRESSION, .req = EMU_NO_REQ, .queue = queue};

	/* Indices are free-running 16-bit counters (§2.7.8): behind means a
	 * negative difference, which tells only within half the index space.
	 * So the floor follows the index: each look compares with the last
	 * one (at most a ring apart), not with the source's, which the
	 * destination may pass by more than 32768 in a long run. */
	if (!t->floor_set || t->regressed[queue])
		return;
	if ((int16_t)(idx - t->floor[queue]) >= 0) {
		t->floor[queue] = idx;
		t->floor_seen[queue] = true;
		return;
	}
	t->regressed[queue] = true;
	v.index_seen = idx;
	v.index_floor = t->floor[queue];
	snprintf(v.detail, sizeof(v.detail), "used idx %u below %u, %s", idx, t->floor[queue],
		 t->floor_seen[queue] ? "seen before at the destination"
				      : "published by the source");
	emu_track_violation(t, &v);
}

void emu_track_used_rewritten(struct emu_track *t, uint16_t queue, uint16_t pos, uint16_t read,
			      uint32_t id)
{
	struct emu_violation v = {
	    .kind = EMU_V_INDEX_REGRESSION, .req = EMU_NO_REQ, .queue = queue};

	if (t->regressed[queue])
		return;
	t->regressed[queue] = true;
	v.index_seen = pos;
	v.index_floor = read;
	snprintf(v.detail, sizeof(v.detail),
		 "used entry at index %u written again (head %u) after the driver read up to %u: "
		 "the device's used index went back",
		 pos, id, read);
	emu_track_violation(t, &v);
}

void emu_track_complete(struct emu_track *t, uint32_t index, int ret)
{
	struct emu_req *r = &t->reqs[index];
	struct emu_violation v;

	r->completions++;
	r->ret = ret;
	if (r->completions == 2) {
		v = req_violation(t, EMU_V_DUPLICATE, index);
		snprintf(v.detail, sizeof(v.detail), "completed twice");
		emu_track_violation(t, &v);
	}
}

void emu_track_finish(struct emu_track *t)
{
	for (uint32_t i = 0; i < t->nreqs; i++) {
		const struct emu_req *r = &t->reqs[i];
		struct emu_violation v;

		if (r->completions && r->ret != -ECONNRESET)
			continue;
		v = req_violation(t, EMU_V_LOST, i);
		snprintf(v.detail, sizeof(v.detail), "%s",
			 r->completions ? "completed as not connected: the device never answered"
					: "never completed");
		emu_track_violation(t, &v);
	}
}
