/* SPDX-License-Identifier: MIT */
/* The guest of a migration run: verified I/O, dirty tracking, used-ring
 * observation (emu_guest.h). */
#define LOG_COMPONENT "emu"

#include "emu/emu_guest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/emu_plan.h"
#include "initiator/migrate.h"
#include "initiator/pattern.h"
#include "spec/virtio.h"
#include "spec/virtio_scsi.h"
#include "storlab/virtio_scsi.h"
#include "util/common.h"
#include "util/log.h"

/* Pages the guest dirties outside I/O (--dirty-rate), chosen among these. */
#define SCRATCH_PAGES 256
/* Used entries before the scan position compared on each look. */
#define ENTRIES_CHECKED 8
/* What a read buffer holds before the device writes it: no stamp. */
#define POISON 0xee

struct slot {
	uint64_t lba;
	uint64_t acked; /* generation of the last acknowledged write; 0: none */
	uint64_t next;	/* the last generation written */
	bool busy;
	uint8_t *buf;
	uint64_t buf_gpa;
};

struct emu_guest {
	struct emu_guest_opts o;
	struct emu_track *t;
	struct emu_dirty *dirty;
	struct emu_rng rng;
	uint8_t *base; /* guest memory */
	struct initiator_mig_ring ring[64];
	/* What the device writes besides the queues' rings and slots. */
	struct initiator_mig_area areas[INITIATOR_MIG_MAX_AREAS];
	unsigned nareas;
	uint16_t *scan; /* per queue: used entries observed */
	/* Per queue, by slot: the used entries observed, as read (seen_num
	 * apart), and how many of the latest positions before scan they hold
	 * (at most the ring's size; 0 after a resync). */
	struct virtq_used_elem *seen;
	unsigned seen_num;
	uint16_t *nseen;
	/* The requests whose chain came back in this pass over a queue (the
	 * used entries read before and after the driver's reap). */
	uint32_t *returned;
	unsigned nreturned;
	struct slot *slots;
	uint32_t readback_cursor;
	bool readback;
	uint8_t *scratch;
	uint64_t scratch_gpa;
	double dirty_debt; /* guest page writes owed to dirty_rate */
	bool watch_first;
	int64_t first_ns;
	/* A replay's counts (emu_guest_run_count): requests each queue may
	 * still add; unbounded when not budgeted. */
	bool budgeted;
	uint32_t budget[64];
	struct storlab_completion *c; /* one reap's worth */
};

static uint64_t gpa_of(const struct emu_guest *g, const void *p)
{
	return (uint64_t)((const uint8_t *)p - g->base);
}

int emu_guest_create(const struct emu_guest_opts *o, struct emu_track *t, struct emu_dirty *dirty,
		     struct emu_guest **out)
{
	struct emu_guest *g = calloc(1, sizeof(*g));
	struct storlab_dev_info info;
	uint64_t size;
	int fd, ret;

	if (!g)
		return -ENOMEM;
	if (o->queues == 0 || o->queues > ARRAY_SIZE(g->ring) || o->qd == 0 ||
	    o->bs % PATTERN_SECTOR || o->bs == 0) {
		free(g);
		return -EINVAL;
	}
	g->o = *o;
	g->t = t;
	g->dirty = dirty;
	emu_rng_seed(&g->rng, o->rng_seed);
	initiator_mig_mem(o->dev, &fd, &g->base, &size);
	storlab_dev_get_info(o->dev, &info);
	if (!g->o.nslots)
		g->o.nslots = MAX(o->queues * o->qd * 2, 8u);
	if ((uint64_t)g->o.nslots * o->bs > info.capacity) {
		log_err("%u blocks of %u bytes do not fit the device's %llu bytes", g->o.nslots,
			o->bs, (unsigned long long)info.capacity);
		ret = -EINVAL;
		goto err;
	}
	for (unsigned i = 0; i < o->queues; i++)
		initiator_mig_ring(o->dev, i, &g->ring[i]);
	g->nareas = initiator_mig_areas(o->dev, g->areas);
	for (unsigned i = 0; i < o->queues; i++)
		g->seen_num = MAX(g->seen_num, (unsigned)g->ring[i].num);
	g->scan = calloc(o->queues, sizeof(*g->scan));
	g->seen = calloc((size_t)o->queues * g->seen_num, sizeof(*g->seen));
	g->nseen = calloc(o->queues, sizeof(*g->nseen));
	g->returned = calloc(2 * (size_t)g->seen_num, sizeof(*g->returned));
	g->slots = calloc(g->o.nslots, sizeof(*g->slots));
	g->c = calloc(g->ring[0].num, sizeof(*g->c));
	if (!g->scan || !g->seen || !g->nseen || !g->returned || !g->slots || !g->c) {
		ret = -ENOMEM;
		goto err;
	}
	for (uint32_t i = 0; i < g->o.nslots; i++) {
		struct slot *s = &g->slots[i];

		ret = storlab_buf_alloc(o->dev, o->bs, 0, (void **)&s->buf);
		if (ret)
			goto err;
		s->buf_gpa = gpa_of(g, s->buf);
		s->lba = (uint64_t)i * (o->bs / PATTERN_SECTOR);
	}
	ret = storlab_buf_alloc(o->dev, SCRATCH_PAGES * EMU_PAGE, 0, (void **)&g->scratch);
	if (ret)
		goto err;
	g->scratch_gpa = gpa_of(g, g->scratch);
	/* The guest observes from where the rings stand: a driver that
	 * issued requests of its own at set-up (virtio-scsi's scan) has
	 * used entries already. */
	emu_guest_rings_resync(g);
	*out = g;
	return 0;
err:
	emu_guest_destroy(g);
	return ret;
}

void emu_guest_destroy(struct emu_guest *g)
{
	if (!g)
		return;
	for (uint32_t i = 0; g->slots && i < g->o.nslots; i++)
		storlab_buf_free(g->o.dev, g->slots[i].buf);
	storlab_buf_free(g->o.dev, g->scratch);
	free(g->slots);
	free(g->scan);
	free(g->seen);
	free(g->nseen);
	free(g->returned);
	free(g->c);
	free(g);
}

/* ---- submission ---- */

/* The pages the driver writes to add a request with this id and head. */
static void mark_driver_writes(struct emu_guest *g, unsigned qi, uint16_t id, uint16_t head)
{
	const struct initiator_mig_ring *r = &g->ring[qi];

	emu_dirty_mark(g->dirty, r->slots_gpa + (uint64_t)id * r->slot_len, r->slot_len);
	emu_dirty_mark(g->dirty, r->indirect_gpa + (uint64_t)head * r->indirect_len,
		       r->indirect_len);
	emu_dirty_mark(g->dirty, r->desc_gpa, r->desc_len);
	emu_dirty_mark(g->dirty, r->avail_gpa, r->avail_len);
}

/* An idle block: random among all when running, the next written one in
 * the read-back. */
static struct slot *slot_pick(struct emu_guest *g)
{
	uint32_t n = g->o.nslots;

	if (g->readback) {
		for (; g->readback_cursor < n; g->readback_cursor++) {
			struct slot *s = &g->slots[g->readback_cursor];

			if (!s->busy && s->acked && s->acked == s->next) {
				g->readback_cursor++;
				return s;
			}
		}
		return NULL;
	}
	for (uint32_t tries = 0, i = emu_rng_range(&g->rng, 0, n - 1); tries < n;
	     tries++, i = (i + 1) % n)
		if (!g->slots[i].busy)
			return &g->slots[i];
	return NULL;
}

/* Adds one request on queue qi; false when there is nothing to add. */
static bool submit_one(struct emu_guest *g, unsigned qi, struct storlab_queue *q)
{
	struct slot *s = slot_pick(g);
	struct emu_req r = {.queue = (uint16_t)qi, .to_source = !g->t->floor_set};
	struct iovec iov;
	struct storlab_req req = {.iov = &iov, .iovcnt = 1};

	if (!s)
		return false;
	r.slot = (uint32_t)(s - g->slots);
	r.lba = s->lba;
	r.nsect = g->o.bs / PATTERN_SECTOR;
	if (g->readback ||
	    (s->acked && s->acked == s->next && emu_rng_range(&g->rng, 0, 99) < g->o.read_pct)) {
		r.op = STORLAB_OP_READ;
		r.gen = s->acked;
		memset(s->buf, POISON, g->o.bs);
	} else {
		r.op = STORLAB_OP_WRITE;
		r.gen = ++s->next;
		pattern_fill(s->buf, s->lba, r.nsect, r.gen, g->o.pattern_seed);
	}
	emu_dirty_mark(g->dirty, s->buf_gpa, g->o.bs);
	initiator_mig_next(q, &r.id, &r.head);
	mark_driver_writes(g, qi, r.id, r.head);
	if (emu_track_reserve(g->t))
		return false;
	iov = (struct iovec){.iov_base = s->buf, .iov_len = g->o.bs};
	req.op = r.op;
	req.offset = s->lba * PATTERN_SECTOR;
	req.tag = (void *)(uintptr_t)(emu_track_next(g->t) + 1);
	if (storlab_queue_add(q, &req))
		return false;
	emu_track_submit(g->t, &r);
	s->busy = true;
	return true;
}

static void queue_fill(struct emu_guest *g, unsigned qi)
{
	struct storlab_queue *q = storlab_dev_queue(g->o.dev, qi);

	while (storlab_queue_inflight(q) < g->o.qd && (!g->budgeted || g->budget[qi]) &&
	       submit_one(g, qi, q))
		if (g->budgeted)
			g->budget[qi]--;
	storlab_queue_submit(q);
}

void emu_guest_fill(struct emu_guest *g)
{
	for (unsigned i = 0; i < g->o.queues; i++)
		queue_fill(g, i);
}

void emu_guest_fill_count(struct emu_guest *g, const uint32_t *n)
{
	g->budgeted = true;
	memcpy(g->budget, n, sizeof(*n) * g->o.queues);
	emu_guest_fill(g);
	g->budgeted = false;
}

unsigned emu_guest_inflight(const struct emu_guest *g)
{
	unsigned n = 0;

	for (unsigned i = 0; i < g->o.queues; i++)
		n += storlab_queue_inflight(storlab_dev_queue(g->o.dev, i));
	return n;
}

/* ---- completion ---- */

static void check_read(struct emu_guest *g, uint32_t index, const struct slot *s)
{
	const struct emu_req *r = &g->t->reqs[index];
	struct pattern_mismatch mm;
	struct emu_violation v = {.kind = EMU_V_STALE_DATA, .req = index, .queue = r->queue};

	if (!pattern_check(s->buf, r->lba, r->nsect, r->gen, g->o.pattern_seed, &mm, 1))
		return;
	snprintf(v.detail, sizeof(v.detail), "%sLBA %llu: %s (generation %llu, expected %llu)",
		 g->readback ? "read-back " : "", (unsigned long long)mm.lba,
		 pattern_fault_name(mm.fault), (unsigned long long)mm.found.seq,
		 (unsigned long long)r->gen);
	emu_track_violation(g->t, &v);
}

static void complete(struct emu_guest *g, const struct storlab_completion *c)
{
	uint32_t index = (uint32_t)((uintptr_t)c->tag - 1);
	struct emu_req *r = &g->t->reqs[index];
	struct slot *s = &g->slots[r->slot];

	emu_track_complete(g->t, index, c->ret);
	if (r->completions > 1)
		return;
	if (g->watch_first && !g->first_ns && c->ret != -ECONNRESET)
		g->first_ns = emu_now_ns();
	s->busy = false;
	if (c->ret == -ECONNRESET)
		return; /* lost: emu_track_finish() says so */
	if (c->ret) {
		struct emu_violation v = {.kind = EMU_V_IO_ERROR, .req = index, .queue = r->queue};

		snprintf(v.detail, sizeof(v.detail), "status %s",
			 storlab_queue_status_name(storlab_dev_queue(g->o.dev, r->queue), c));
		emu_track_violation(g->t, &v);
		return;
	}
	if (r->op == STORLAB_OP_WRITE)
		s->acked = r->gen;
	else
		check_read(g, index, s);
}

/* Feeds the used entries from the last one observed up to idx. */
static void observe_entries(struct emu_guest *g, unsigned qi, uint16_t idx)
{
	const struct initiator_mig_ring *r = &g->ring[qi];
	const struct virtq_used *used = (const void *)(g->base + r->used_gpa);

	for (; g->scan[qi] != idx; g->scan[qi]++) {
		unsigned slot = g->scan[qi] & (r->num - 1);
		uint32_t back;
		struct virtq_used_elem *was = &g->seen[qi * g->seen_num + slot];

		was->id = __atomic_load_n(&used->ring[slot].id, __ATOMIC_RELAXED);
		was->len = __atomic_load_n(&used->ring[slot].len, __ATOMIC_RELAXED);
		if (g->nseen[qi] < r->num)
			g->nseen[qi]++;
		back = emu_track_on_head(g->t, (uint16_t)qi, (uint16_t)was->id);
		if (back && g->nreturned < 2 * g->seen_num)
			g->returned[g->nreturned++] = back - 1;
		emu_track_used(g->t, (uint16_t)qi, (uint16_t)was->id);
	}
}

/* The used entries read last must stay as they were: the device writes
 * the used ring only at the positions of requests it has not yet used,
 * [scan, avail idx) (virtio 1.2 §2.7.8), so an entry changed at a
 * position before scan, outside those slots, was written again by a
 * device whose used index went back. This sees the regression whether or
 * not the driver looked at used->idx while it was behind. */
static void check_entries_kept(struct emu_guest *g, unsigned qi)
{
	const struct initiator_mig_ring *r = &g->ring[qi];
	const struct virtq_used *used = (const void *)(g->base + r->used_gpa);
	const struct virtq_avail *avail = (const void *)(g->base + r->avail_gpa);
	uint16_t outstanding =
	    (uint16_t)(__atomic_load_n(&avail->idx, __ATOMIC_RELAXED) - g->scan[qi]);
	unsigned behind = MIN((unsigned)g->nseen[qi], ENTRIES_CHECKED);

	if (outstanding >= r->num)
		return;
	behind = MIN(behind, (unsigned)(r->num - outstanding));
	for (unsigned k = 1; k <= behind; k++) {
		uint16_t pos = (uint16_t)(g->scan[qi] - k);
		unsigned slot = pos & (r->num - 1);
		const struct virtq_used_elem *was = &g->seen[qi * g->seen_num + slot];
		uint32_t id = __atomic_load_n(&used->ring[slot].id, __ATOMIC_RELAXED);
		uint32_t len = __atomic_load_n(&used->ring[slot].len, __ATOMIC_RELAXED);

		if (id != was->id || len != was->len) {
			emu_track_used_rewritten(g->t, (uint16_t)qi, pos, g->scan[qi], id);
			return;
		}
	}
}

/* The used ring's new entries, read before the driver reaps them; the
 * count the driver may reap so that it takes these first. */
static unsigned observe_used(struct emu_guest *g, unsigned qi)
{
	uint16_t idx = initiator_mig_used_idx(g->o.dev, qi);
	uint16_t n = (uint16_t)(idx - g->scan[qi]);

	emu_track_used_idx(g->t, (uint16_t)qi, idx);
	check_entries_kept(g, qi);
	/* Behind (a regression, reported above) or more than a ring ahead:
	 * not entries to read. The driver judges them. */
	if (n > g->ring[qi].num)
		return g->ring[qi].num;
	observe_entries(g, qi, idx);
	return n;
}

/* After the reap: a request whose chain came back and that the driver did
 * not complete was added again (virtio-scsi retries a command a UNIT
 * ATTENTION displaced, SAM-5 §5.14), on a head of the driver's choosing:
 * in flight there now. The entries read before and after the reap are
 * all the driver took, so none of the re-added chains can have come back
 * yet. */
static void follow_readds(struct emu_guest *g, unsigned qi)
{
	for (unsigned i = 0; i < g->nreturned; i++) {
		const struct emu_req *r = &g->t->reqs[g->returned[i]];
		uint16_t head;

		if (r->completions || !initiator_mig_req_head(g->o.dev, qi, r->id, &head))
			continue;
		/* The driver wrote the chain again, and reset the response. */
		mark_driver_writes(g, qi, r->id, head);
		emu_track_readded(g->t, g->returned[i], head);
	}
	g->nreturned = 0;
}

/* One pass over queue qi: observe, reap, refill. Reaped completions. */
static int queue_poll(struct emu_guest *g, unsigned qi, bool refill)
{
	struct storlab_queue *q = storlab_dev_queue(g->o.dev, qi);
	unsigned max = MAX(observe_used(g, qi), 1u);
	int n = storlab_queue_reap(q, g->c, 0, max, 0);
	uint16_t reaped = initiator_mig_last_used(g->o.dev, qi);

	/* What the device published between our look and the driver's reap:
	 * the driver took it, so it is in the ring to be read. */
	if ((uint16_t)(reaped - g->scan[qi]) <= g->ring[qi].num)
		observe_entries(g, qi, reaped);
	/* A dead queue hands back its requests first; then -ENOTCONN. */
	for (int i = 0; i < n; i++)
		complete(g, &g->c[i]);
	follow_readds(g, qi);
	/* The guest's reads of the ring rewrite used_event (avail ring). */
	emu_dirty_mark(g->dirty, g->ring[qi].avail_gpa, g->ring[qi].avail_len);
	if (refill && n >= 0)
		queue_fill(g, qi);
	return n;
}

/* The guest's own page writes, dirty_rate per millisecond since the last. */
static void guest_dirty_pages(struct emu_guest *g, double ms)
{
	g->dirty_debt += ms * g->o.dirty_rate;
	for (; g->dirty_debt >= 1; g->dirty_debt -= 1) {
		uint32_t p = emu_rng_range(&g->rng, 0, SCRATCH_PAGES - 1);
		uint64_t *w = (uint64_t *)(g->scratch + p * EMU_PAGE);

		*w = emu_rng_next(&g->rng);
		emu_dirty_mark(g->dirty, g->scratch_gpa + p * EMU_PAGE, 8);
	}
}

int emu_guest_run(struct emu_guest *g, unsigned ms)
{
	int64_t start = emu_now_ns(), last = start, end = start + (int64_t)ms * 1000000;

	for (;;) {
		int64_t now = emu_now_ns();
		unsigned dead = 0;

		guest_dirty_pages(g, (double)(now - last) / 1e6);
		last = now;
		for (unsigned i = 0; i < g->o.queues; i++)
			dead += queue_poll(g, i, true) == -ENOTCONN;
		if (dead == g->o.queues)
			return -ENOTCONN;
		if (now >= end)
			return 0;
	}
}

static bool budget_left(const struct emu_guest *g)
{
	for (unsigned i = 0; i < g->o.queues; i++)
		if (g->budget[i])
			return true;
	return false;
}

int emu_guest_run_count(struct emu_guest *g, const uint32_t *n, int timeout_ms)
{
	int64_t deadline = emu_now_ns() + (int64_t)timeout_ms * 1000000;
	int ret = 0;

	g->budgeted = true;
	memcpy(g->budget, n, sizeof(*n) * g->o.queues);
	while ((budget_left(g) || emu_guest_inflight(g)) && emu_now_ns() < deadline) {
		unsigned dead = 0;

		for (unsigned i = 0; i < g->o.queues; i++)
			dead += queue_poll(g, i, true) == -ENOTCONN;
		if (dead == g->o.queues) {
			ret = -ENOTCONN;
			break;
		}
	}
	g->budgeted = false;
	return ret;
}

void emu_guest_watch_first(struct emu_guest *g)
{
	g->watch_first = true;
	g->first_ns = 0;
}

int64_t emu_guest_first_ns(const struct emu_guest *g)
{
	return g->first_ns;
}

void emu_guest_drain(struct emu_guest *g, int timeout_ms)
{
	int64_t deadline = emu_now_ns() + (int64_t)timeout_ms * 1000000;

	while (emu_guest_inflight(g) && emu_now_ns() < deadline)
		for (unsigned i = 0; i < g->o.queues; i++)
			queue_poll(g, i, false);
}

void emu_guest_readback(struct emu_guest *g, int timeout_ms)
{
	int64_t deadline = emu_now_ns() + (int64_t)timeout_ms * 1000000;

	g->readback = true;
	g->readback_cursor = 0;
	while (g->readback_cursor < g->o.nslots && emu_now_ns() < deadline) {
		unsigned dead = 0;

		for (unsigned i = 0; i < g->o.queues; i++)
			dead += queue_poll(g, i, true) == -ENOTCONN;
		if (dead == g->o.queues)
			break;
	}
	emu_guest_drain(g, timeout_ms);
}

void emu_guest_rings_resync(struct emu_guest *g)
{
	for (unsigned i = 0; i < g->o.queues; i++)
		g->scan[i] = initiator_mig_used_idx(g->o.dev, i);
	memset(g->nseen, 0, g->o.queues * sizeof(*g->nseen));
}

/* ---- the device's own commands ---- */

void emu_guest_control(struct emu_guest *g)
{
	struct storlab_virtio_scsi_info *vs = malloc(sizeof(*vs));
	const struct storlab_scsi_lun *lun;
	struct emu_violation v = {.kind = EMU_V_IO_ERROR, .req = EMU_NO_REQ};
	uint8_t response = 0xff;
	int ret;

	if (!vs || storlab_virtio_scsi_get_info(g->o.dev, vs)) {
		free(vs);
		return;
	}
	lun = &vs->luns[vs->selected];
	for (unsigned i = 0; i < g->nareas; i++)
		if (g->areas[i].driver)
			emu_dirty_mark(g->dirty, g->areas[i].gpa, g->areas[i].len);
	/* SAM-5 §7.8: asks about the commands in flight, ends none. */
	ret = storlab_virtio_scsi_tmf(g->o.dev, VIRTIO_SCSI_T_TMF_QUERY_TASK_SET, lun->target,
				      lun->lun, 0, &response);
	if (ret == -ENOTCONN)
		snprintf(v.detail, sizeof(v.detail), "QUERY TASK SET: the back-end went away");
	else if (ret)
		snprintf(v.detail, sizeof(v.detail), "QUERY TASK SET: %s", strerror(-ret));
	else if (response != VIRTIO_SCSI_S_FUNCTION_COMPLETE &&
		 response != VIRTIO_SCSI_S_FUNCTION_SUCCEEDED)
		snprintf(v.detail, sizeof(v.detail), "QUERY TASK SET answered %u", response);
	if (v.detail[0] && ret != -ENOTCONN)
		emu_track_violation(g->t, &v);
	free(vs);
}

/* ---- the back-end's pages ---- */

void emu_guest_device_pages(const struct emu_guest *g, struct emu_dirty *set)
{
	for (unsigned i = 0; i < g->o.queues; i++) {
		const struct initiator_mig_ring *r = &g->ring[i];

		emu_dirty_mark(set, r->used_gpa, r->used_len);
		emu_dirty_mark(set, r->slots_gpa, (uint64_t)r->num * r->slot_len);
	}
	for (uint32_t i = 0; i < g->o.nslots; i++)
		emu_dirty_mark(set, g->slots[i].buf_gpa, g->o.bs);
	for (unsigned i = 0; i < g->nareas; i++)
		if (g->areas[i].device)
			emu_dirty_mark(set, g->areas[i].gpa, g->areas[i].len);
}

static bool within(uint64_t gpa, uint64_t start, uint64_t len)
{
	return gpa + EMU_PAGE > start && gpa < start + len;
}

void emu_guest_page_name(const struct emu_guest *g, uint64_t gpa, char *buf, unsigned len)
{
	for (unsigned i = 0; i < g->o.queues; i++) {
		const struct initiator_mig_ring *r = &g->ring[i];

		if (within(gpa, r->used_gpa, r->used_len)) {
			snprintf(buf, len, "queue %u used ring", i);
			return;
		}
		if (within(gpa, r->slots_gpa, (uint64_t)r->num * r->slot_len)) {
			snprintf(buf, len, "queue %u request slots (status bytes)", i);
			return;
		}
	}
	for (unsigned i = 0; i < g->nareas; i++) {
		if (within(gpa, g->areas[i].gpa, g->areas[i].len)) {
			snprintf(buf, len, "%s", g->areas[i].name);
			return;
		}
	}
	for (uint32_t i = 0; i < g->o.nslots; i++) {
		if (within(gpa, g->slots[i].buf_gpa, g->o.bs)) {
			snprintf(buf, len, "data buffer of LBA %llu",
				 (unsigned long long)g->slots[i].lba);
			return;
		}
	}
	snprintf(buf, len, "guest page");
}
