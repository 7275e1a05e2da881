/* SPDX-License-Identifier: MIT */
/* From a trace to a replay's script, and a trace minus removable units
 * (emu_script.h). */
#define LOG_COMPONENT "emu"

#include "emu/emu_script.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/emu_dirty.h"
#include "util/common.h"
#include "util/log.h"
#include "vhost/vhost_msg.h"

/* The connections a script reads: the first (the source) and the second
 * (the destination of a migration). */
#define SLOTS 2

/* Where things are in a trace: record indices, -1 for none. */
struct scan {
	uint32_t conn[SLOTS];
	unsigned nconn;
	int start[SLOTS][EMU_MAX_QUEUES]; /* SET_VRING_ENABLE 1, else SET_VRING_KICK */
	int stop[SLOTS][EMU_MAX_QUEUES];  /* GET_VRING_BASE answered */
	int get_base[EMU_MAX_QUEUES];	  /* the source's GET_VRING_BASE before its stop */
	int log_base;			  /* the source's SET_LOG_BASE */
	int last[SLOTS];		  /* the connection's last record */
};

static bool is_fe_msg(const struct trace_rec *r)
{
	return r->type == TRACE_REC_MSG && r->hdr_len == sizeof(r->hdr) && trace_rec_to_backend(r);
}

static bool is_reply_to(const struct trace_rec *r, const struct trace_rec *req)
{
	return r->type == TRACE_REC_MSG && !trace_rec_to_backend(r) && r->conn == req->conn &&
	       r->hdr.request == req->hdr.request && (r->hdr.flags & VHOST_USER_REPLY_MASK);
}

static uint32_t payload_u32(const struct trace_rec *r, unsigned off)
{
	uint32_t v = 0;

	if (r->payload_len >= off + 4)
		memcpy(&v, r->payload + off, 4);
	return v;
}

static uint64_t payload_u64(const struct trace_rec *r)
{
	uint64_t v = 0;

	if (r->payload_len >= 8)
		memcpy(&v, r->payload, 8);
	return v;
}

/* The ring a message is about ("A vring state description", "Vring
 * descriptor index for split virtqueues"); false for other messages. */
static bool msg_ring(const struct trace_rec *r, uint32_t *ring)
{
	switch (r->hdr.request) {
	case VHOST_USER_SET_VRING_NUM:
	case VHOST_USER_SET_VRING_ADDR:
	case VHOST_USER_SET_VRING_BASE:
	case VHOST_USER_GET_VRING_BASE:
	case VHOST_USER_SET_VRING_ENABLE:
		*ring = payload_u32(r, 0);
		return r->payload_len >= 4;
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR:
		*ring = (uint32_t)(payload_u64(r) & VHOST_USER_VRING_IDX_MASK);
		return r->payload_len >= 8;
	default:
		return false;
	}
}

static int slot_of(const struct scan *sc, uint32_t conn)
{
	for (unsigned i = 0; i < sc->nconn; i++)
		if (sc->conn[i] == conn)
			return (int)i;
	return -1;
}

/* A ring starts at SET_VRING_ENABLE 1, or at SET_VRING_KICK where no enable
 * follows (no VHOST_USER_F_PROTOCOL_FEATURES: "the ring starts directly in
 * the enabled state", vhost-user.rst "Ring states"); it stops when
 * GET_VRING_BASE is answered. A connection's last run of a ring counts: a
 * start after a stop begins a new run (QEMU's firmware drives the device,
 * then the guest's driver resets and starts it again). */
static void scan_ring_state(const struct emu_trace *t, struct scan *sc, int slot, int i)
{
	const struct trace_ring *r = &t->recs[i].ring;
	int *start, *stop;

	if (r->index >= EMU_MAX_QUEUES)
		return;
	start = &sc->start[slot][r->index];
	stop = &sc->stop[slot][r->index];
	if ((r->point == TRACE_RING_ENABLED || r->point == TRACE_RING_KICK) && *stop >= 0) {
		*start = i;
		*stop = -1;
	} else if (r->point == TRACE_RING_ENABLED &&
		   (*start < 0 || t->recs[*start].ring.point == TRACE_RING_KICK) && *stop < 0)
		*start = i;
	else if (r->point == TRACE_RING_KICK && *start < 0)
		*start = i;
	else if (r->point == TRACE_RING_STOPPED && *start >= 0 && *stop < 0)
		*stop = i;
}

static void scan_trace(const struct emu_trace *t, struct scan *sc)
{
	memset(sc, 0, sizeof(*sc));
	memset(sc->start, -1, sizeof(sc->start));
	memset(sc->stop, -1, sizeof(sc->stop));
	memset(sc->get_base, -1, sizeof(sc->get_base));
	sc->log_base = -1;
	sc->last[0] = sc->last[1] = -1;
	for (unsigned i = 0; i < t->n; i++)
		if (is_fe_msg(&t->recs[i]) && slot_of(sc, t->recs[i].conn) < 0 && sc->nconn < SLOTS)
			sc->conn[sc->nconn++] = t->recs[i].conn;
	for (unsigned i = 0; i < t->n; i++) {
		const struct trace_rec *r = &t->recs[i];
		int slot = slot_of(sc, r->conn);
		uint32_t q;

		if (slot < 0)
			continue;
		sc->last[slot] = (int)i;
		if (r->type == TRACE_REC_RING)
			scan_ring_state(t, sc, slot, (int)i);
		if (slot != 0 || !is_fe_msg(r))
			continue;
		if (r->hdr.request == VHOST_USER_SET_LOG_BASE && sc->log_base < 0)
			sc->log_base = (int)i;
		if (r->hdr.request == VHOST_USER_GET_VRING_BASE && msg_ring(r, &q) &&
		    q < EMU_MAX_QUEUES && sc->stop[0][q] < 0)
			sc->get_base[q] = (int)i;
	}
}

/* ---- the script ---- */

static const struct trace_ring *ring_at(const struct emu_trace *t, int i)
{
	return &t->recs[i].ring;
}

static uint64_t time_at(const struct emu_trace *t, int i)
{
	return t->recs[i].time_ns;
}

/* A ring's requests between its start and stop: made available, and of
 * those still in flight at the stop (avail_idx and used_idx are free
 * running 16-bit counters, virtio 1.2 §2.7.6, §2.7.8). */
static void ring_counts(const struct emu_trace *t, int start, int stop, uint32_t *done,
			uint32_t *inflight)
{
	const struct trace_ring *s = ring_at(t, start), *p = ring_at(t, stop);
	uint16_t total = (uint16_t)(p->avail_idx - s->avail_idx);
	uint16_t in = (uint16_t)(p->avail_idx - p->used_idx);

	*inflight = MIN(in, total);
	*done = total - *inflight;
}

static uint32_t scale(uint32_t n, uint64_t part, uint64_t whole)
{
	if (!whole)
		return 0;
	if (part > whole)
		return (uint32_t)MIN((uint64_t)n * (part / whole), (uint64_t)UINT16_MAX);
	return (uint32_t)((uint64_t)n * part / whole);
}

/* The trace's regions as the replay's memory table, if the initiator can
 * lay them out: ascending and apart, on pages (QEMU's are). */
static void script_ranges(struct emu_script *s)
{
	uint64_t end = 0;

	s->nranges = 0;
	if (s->nregions > STORLAB_MAX_MEM_RANGES)
		return;
	for (unsigned i = 0; i < s->nregions; i++) {
		const struct storlab_mem_range *r = &s->ranges[i];

		if (r->size == 0 || r->gpa % EMU_PAGE || r->size % EMU_PAGE || r->gpa < end)
			return;
		end = r->gpa + r->size;
	}
	s->nranges = s->nregions;
}

static void script_setup(const struct emu_trace *t, const struct scan *sc, struct emu_script *s)
{
	bool table = false;

	for (unsigned i = 0; i < t->n; i++) {
		const struct trace_rec *r = &t->recs[i];
		uint32_t q;

		if (!is_fe_msg(r) || r->conn != sc->conn[0])
			continue;
		s->fe_msgs++;
		switch (r->hdr.request) {
		case VHOST_USER_SET_FEATURES:
			/* Those the rings' last run started with (the first
			 * where no ring started). */
			if (!s->features || (int)i < sc->start[0][0])
				s->features = payload_u64(r) & ~(1ULL << VHOST_F_LOG_ALL);
			break;
		case VHOST_USER_SET_PROTOCOL_FEATURES:
			s->protocol_features = payload_u64(r);
			break;
		case VHOST_USER_SET_MEM_TABLE:
		case VHOST_USER_ADD_MEM_REG:
			if (table)
				break;
			table = r->hdr.request == VHOST_USER_SET_MEM_TABLE;
			for (unsigned f = 0; f < r->nfds; f++) {
				if (r->fds[f].kind != TRACE_FD_MEM)
					continue;
				if (s->nregions < STORLAB_MAX_MEM_RANGES)
					s->ranges[s->nregions] = (struct storlab_mem_range){
					    .gpa = r->fds[f].gpa, .size = r->fds[f].size};
				s->nregions++;
				s->mem_size = MAX(s->mem_size, r->fds[f].gpa + r->fds[f].size);
			}
			break;
		case VHOST_USER_SET_VRING_NUM:
			if (!msg_ring(r, &q) || q >= EMU_MAX_QUEUES)
				break;
			s->queues = (uint16_t)MAX(s->queues, q + 1);
			if (!s->ring_size[q])
				s->ring_size[q] = (uint16_t)payload_u32(r, 4);
			if (q == 0)
				s->queue_size = (uint16_t)payload_u32(r, 4);
			break;
		default:
			break;
		}
	}
	for (unsigned i = 0; i < t->n; i++)
		if (is_fe_msg(&t->recs[i]) && t->recs[i].conn != sc->conn[0])
			s->fe_msgs++;
}

/* The source's requests of ring q, and its rate for the destination's. */
static void script_source_ring(const struct emu_trace *t, const struct scan *sc,
			       struct emu_script *s, unsigned q, uint32_t *done)
{
	int a = sc->start[0][q], b = sc->stop[0][q];
	uint32_t in, warm;

	ring_counts(t, a, b, done, &in);
	warm = *done;
	if (sc->log_base > a && sc->log_base < b)
		warm = scale(*done, time_at(t, sc->log_base) - time_at(t, a),
			     time_at(t, b) - time_at(t, a));
	s->sched.io[EMU_PHASE_WARMUP][q] = warm;
	s->sched.io[EMU_PHASE_PRECOPY][q] = *done - warm;
	s->sched.io[EMU_PHASE_INFLIGHT][q] = in;
	s->max_inflight = (uint16_t)MAX(s->max_inflight, in);
	s->counted = true;
}

static void script_dest_ring(const struct emu_trace *t, const struct scan *sc, struct emu_script *s,
			     unsigned q, uint32_t done)
{
	int a = sc->start[1][q], b = sc->stop[1][q];
	uint32_t in;

	if (a < 0)
		return;
	if (b >= 0) {
		ring_counts(t, a, b, &s->sched.io[EMU_PHASE_POST][q], &in);
		s->sched.io[EMU_PHASE_POST][q] += in;
		return;
	}
	if (sc->start[0][q] < 0 || sc->stop[0][q] < 0 || time_at(t, sc->last[1]) < time_at(t, a))
		return;
	/* Never stopped: at the source's rate for as long as it lasted. */
	s->sched.io[EMU_PHASE_POST][q] =
	    scale(done, time_at(t, sc->last[1]) - time_at(t, a),
		  time_at(t, sc->stop[0][q]) - time_at(t, sc->start[0][q]));
}

int emu_script_make(const struct emu_trace *t, struct emu_script *s, char *why, unsigned len)
{
	struct scan sc;
	bool stopped = false;

	memset(s, 0, sizeof(*s));
	scan_trace(t, &sc);
	if (!sc.nconn) {
		snprintf(why, len, "no message from a front-end");
		return -EINVAL;
	}
	s->conns = sc.nconn;
	script_setup(t, &sc, s);
	script_ranges(s);
	if (!s->mem_size || !s->queues || !s->queue_size) {
		snprintf(why, len, "the first connection sets up no %s",
			 !s->mem_size ? "memory table" : "ring");
		return -EINVAL;
	}
	for (unsigned q = 0; q < s->queues; q++) {
		uint32_t done = 0;

		if (sc.start[0][q] >= 0 && sc.stop[0][q] >= 0) {
			script_source_ring(t, &sc, s, q, &done);
			stopped = true;
		}
		if (sc.nconn > 1)
			script_dest_ring(t, &sc, s, q, done);
	}
	/* A migration: a second connection after the first, or a logged
	 * connection whose rings were stopped ("Migration"). */
	s->sched.migrate = sc.nconn > 1 || (sc.log_base >= 0 && stopped);
	return 0;
}

/* ---- units ---- */

static bool ring_named(const struct emu_trace *t, uint16_t q)
{
	for (unsigned i = 0; i < t->n; i++) {
		uint32_t r;

		if (is_fe_msg(&t->recs[i]) && msg_ring(&t->recs[i], &r) && r == q)
			return true;
	}
	return false;
}

/* A front-end message the replay's set-up does not take anything from: a
 * query whose answer the script does not use, or a SET_VRING_CALL for a
 * ring that already had one on the connection. */
static bool msg_removable(const struct emu_trace *t, unsigned i)
{
	const struct trace_rec *r = &t->recs[i];
	uint32_t q, p;

	switch (r->hdr.request) {
	case VHOST_USER_GET_CONFIG:
	case VHOST_USER_GET_QUEUE_NUM:
	case VHOST_USER_GET_MAX_MEM_SLOTS:
	case VHOST_USER_GET_STATUS:
		return true;
	case VHOST_USER_SET_VRING_CALL:
		if (!msg_ring(r, &q))
			return false;
		for (unsigned j = 0; j < i; j++)
			if (is_fe_msg(&t->recs[j]) && t->recs[j].conn == r->conn &&
			    t->recs[j].hdr.request == VHOST_USER_SET_VRING_CALL &&
			    msg_ring(&t->recs[j], &p) && p == q)
				return true;
		return false;
	default:
		return false;
	}
}

/* A ring's requests at the source come in this many units at most, so
 * that a shrink can keep a part of them. */
#define SRC_CHUNKS 8

static void unit_add(struct emu_unit *units, unsigned max, unsigned *n, struct emu_unit u)
{
	if (*n < max)
		units[*n] = u;
	(*n)++;
}

unsigned emu_script_units(const struct emu_trace *t, const struct emu_script *s,
			  struct emu_unit *units, unsigned max)
{
	unsigned n = 0;
	bool dest_timed = false;
	struct scan sc;

	scan_trace(t, &sc);
	for (uint16_t q = 1; q < s->queues; q++)
		if (ring_named(t, q))
			unit_add(units, max, &n,
				 (struct emu_unit){.kind = EMU_UNIT_RING, .ring = q});
	for (uint16_t q = 0; q < s->queues; q++) {
		const struct emu_schedule *h = &s->sched;

		uint32_t left = h->io[EMU_PHASE_WARMUP][q] + h->io[EMU_PHASE_PRECOPY][q];
		uint32_t chunk = (left + SRC_CHUNKS - 1) / SRC_CHUNKS;

		for (; left; left -= MIN(left, chunk))
			unit_add(units, max, &n,
				 (struct emu_unit){.kind = EMU_UNIT_SRC_IO,
						   .ring = q,
						   .count = MIN(left, chunk)});
		if (h->io[EMU_PHASE_INFLIGHT][q])
			unit_add(units, max, &n,
				 (struct emu_unit){.kind = EMU_UNIT_INFLIGHT, .ring = q});
		if (h->io[EMU_PHASE_POST][q] && sc.start[1][q] >= 0 && sc.stop[1][q] < 0)
			dest_timed = true;
	}
	if (dest_timed)
		unit_add(units, max, &n, (struct emu_unit){.kind = EMU_UNIT_DEST_IO});
	for (unsigned i = 0; i < t->n; i++)
		if (is_fe_msg(&t->recs[i]) && msg_removable(t, i))
			unit_add(units, max, &n, (struct emu_unit){.kind = EMU_UNIT_MSG, .rec = i});
	return MIN(n, max);
}

void emu_unit_name(const struct emu_unit *u, const struct emu_trace *t, char *buf, unsigned len)
{
	switch (u->kind) {
	case EMU_UNIT_RING:
		snprintf(buf, len, "ring %u", u->ring);
		break;
	case EMU_UNIT_SRC_IO:
		snprintf(buf, len, "%u of ring %u's requests at the source", u->count, u->ring);
		break;
	case EMU_UNIT_INFLIGHT:
		snprintf(buf, len, "ring %u's requests in flight at the stop", u->ring);
		break;
	case EMU_UNIT_DEST_IO:
		snprintf(buf, len, "the destination's requests");
		break;
	case EMU_UNIT_MSG:
		snprintf(buf, len, "record %u %s", u->rec + 1,
			 vhost_msg_request_name(t->recs[u->rec].hdr.request));
		break;
	}
}

/* ---- a trace without some units ---- */

struct shift {
	int from; /* records from here on (the source's GET_VRING_BASE) */
	uint16_t avail, used, base;
};

static void drop_with_reply(const struct emu_trace *t, unsigned i, bool *drop)
{
	drop[i] = true;
	for (unsigned j = i + 1; j < t->n; j++) {
		if (t->recs[j].conn != t->recs[i].conn)
			continue;
		if (is_reply_to(&t->recs[j], &t->recs[i]))
			drop[j] = true;
		if (t->recs[j].type == TRACE_REC_MSG)
			return;
	}
}

static void drop_ring(const struct emu_trace *t, uint16_t q, bool *drop)
{
	for (unsigned i = 0; i < t->n; i++) {
		const struct trace_rec *r = &t->recs[i];
		uint32_t idx;

		if (r->type == TRACE_REC_RING && r->ring.index == q)
			drop[i] = true;
		else if (is_fe_msg(r) && msg_ring(r, &idx) && idx == q)
			drop_with_reply(t, i, drop);
	}
}

/* What removing a ring's source batch or its in-flight requests moves
 * back, from its stop on. */
static void shift_add(const struct emu_trace *t, const struct scan *sc, const struct emu_unit *u,
		      struct shift *sh)
{
	int a = sc->start[0][u->ring], b = sc->stop[0][u->ring];
	const struct trace_ring *p;
	uint32_t done, in;

	if (a < 0 || b < 0)
		return;
	p = ring_at(t, b);
	ring_counts(t, a, b, &done, &in);
	sh->from = sc->get_base[u->ring] >= 0 ? sc->get_base[u->ring] : b;
	if (u->kind == EMU_UNIT_SRC_IO) {
		sh->avail += (uint16_t)MIN(u->count, done);
		sh->used += (uint16_t)MIN(u->count, done);
		sh->base += (uint16_t)MIN(u->count, done);
	} else {
		sh->avail += (uint16_t)in;
		sh->base += (uint16_t)MIN(in, (uint16_t)(p->base - p->used_idx));
	}
}

/* The record as it is written out: ring states and the ring indices of
 * GET_VRING_BASE's answer and SET_VRING_BASE moved back. payload: room for
 * a copy of the payload when one changes. */
static void shift_apply(const struct shift *shifts, unsigned i, struct trace_rec *r,
			uint8_t *payload)
{
	uint32_t q, num;

	if (r->type == TRACE_REC_RING && r->ring.index < EMU_MAX_QUEUES) {
		const struct shift *sh = &shifts[r->ring.index];

		if (sh->from < 0 || (int)i < sh->from)
			return;
		r->ring.avail_idx = (uint16_t)(r->ring.avail_idx - sh->avail);
		r->ring.used_idx = (uint16_t)(r->ring.used_idx - sh->used);
		r->ring.base = (uint16_t)(r->ring.base - sh->base);
		return;
	}
	if (r->type != TRACE_REC_MSG || r->hdr_len != sizeof(r->hdr) || r->payload_len < 8 ||
	    (r->hdr.request != VHOST_USER_GET_VRING_BASE &&
	     r->hdr.request != VHOST_USER_SET_VRING_BASE) ||
	    !msg_ring(r, &q) || q >= EMU_MAX_QUEUES || shifts[q].from < 0 ||
	    (int)i < shifts[q].from)
		return;
	/* The question (GET_VRING_BASE's num is unused) is left as it was. */
	if (r->hdr.request == VHOST_USER_GET_VRING_BASE && trace_rec_to_backend(r))
		return;
	memcpy(payload, r->payload, r->payload_len);
	num = (uint16_t)(payload_u32(r, 4) - shifts[q].base);
	memcpy(payload + 4, &num, 4);
	r->payload = payload;
}

int emu_trace_without(const struct emu_trace *t, const struct emu_unit *units, unsigned n,
		      const bool *removed, struct emu_trace *out)
{
	struct shift shifts[EMU_MAX_QUEUES];
	bool *drop = calloc(t->n ? t->n : 1, sizeof(*drop));
	uint8_t *payload = malloc(TRACE_PAYLOAD_MAX);
	int clamp = -1, ret = 0;
	struct scan sc;

	*out = (struct emu_trace){0};
	if (!drop || !payload) {
		ret = -ENOMEM;
		goto out;
	}
	scan_trace(t, &sc);
	for (unsigned q = 0; q < EMU_MAX_QUEUES; q++)
		shifts[q] = (struct shift){.from = -1};
	for (unsigned u = 0; u < n; u++) {
		if (!removed[u])
			continue;
		if (units[u].kind == EMU_UNIT_RING)
			drop_ring(t, units[u].ring, drop);
		else if (units[u].kind == EMU_UNIT_MSG)
			drop_with_reply(t, units[u].rec, drop);
		else if (units[u].kind == EMU_UNIT_DEST_IO)
			for (unsigned q = 0; q < EMU_MAX_QUEUES; q++)
				clamp = MAX(clamp, sc.start[1][q]);
		else
			shift_add(t, &sc, &units[u], &shifts[units[u].ring]);
	}
	for (unsigned i = 0; i < t->n && !ret; i++) {
		struct trace_rec r = t->recs[i];

		if (drop[i])
			continue;
		shift_apply(shifts, i, &r, payload);
		/* The destination's time after its last start point is gone:
		 * at the source's rate, no requests. */
		if (clamp >= 0 && (int)i > clamp && slot_of(&sc, r.conn) == 1)
			r.time_ns = time_at(t, clamp);
		ret = emu_trace_append(out, &r);
	}
out:
	free(drop);
	free(payload);
	if (ret)
		emu_trace_free(out);
	return ret;
}

/* ---- files ---- */

int emu_trace_append(struct emu_trace *t, const struct trace_rec *rec)
{
	struct trace_rec *recs = realloc(t->recs, (t->n + 1) * sizeof(*recs));
	struct trace_rec *r;
	void *bytes = NULL;

	if (!recs)
		return -ENOMEM;
	t->recs = recs;
	r = &recs[t->n];
	*r = *rec;
	if (rec->payload_len || rec->text_len) {
		size_t len = rec->type == TRACE_REC_MARKER ? rec->text_len : rec->payload_len;

		bytes = malloc(len);
		if (!bytes)
			return -ENOMEM;
		memcpy(bytes,
		       rec->type == TRACE_REC_MARKER ? (const void *)rec->text
						     : (const void *)rec->payload,
		       len);
	}
	r->payload = rec->type == TRACE_REC_MARKER ? NULL : bytes;
	r->text = rec->type == TRACE_REC_MARKER ? bytes : NULL;
	t->n++;
	return 0;
}

void emu_trace_free(struct emu_trace *t)
{
	for (unsigned i = 0; i < t->n; i++) {
		free((void *)t->recs[i].payload);
		free((void *)t->recs[i].text);
	}
	free(t->recs);
	*t = (struct emu_trace){0};
}

int emu_trace_load(const char *path, struct emu_trace *t)
{
	struct trace_reader *rd;
	struct trace_rec rec;
	int ret;

	*t = (struct emu_trace){0};
	ret = trace_reader_open(path, &rd);
	if (ret)
		return ret;
	while ((ret = trace_reader_next(rd, &rec)) == 1) {
		ret = emu_trace_append(t, &rec);
		if (ret)
			break;
	}
	trace_reader_close(rd);
	if (ret)
		emu_trace_free(t);
	return ret;
}

int emu_trace_save(const struct emu_trace *t, const char *path)
{
	struct trace_writer *w = NULL;
	int ret = trace_writer_open(path, &w);

	for (unsigned i = 0; ret == 0 && i < t->n; i++)
		ret = trace_writer_put_wall(w, &t->recs[i]);
	if (!w)
		return ret;
	return trace_writer_close(w) ?: ret;
}
