/* SPDX-License-Identifier: MIT */
/* One pre-copy migration of the initiator's device (emu.h). */
#define LOG_COMPONENT "emu"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "emu/emu.h"
#include "emu/emu_dirty.h"
#include "emu/emu_guest.h"
#include "initiator/migrate.h"
#include "util/common.h"
#include "util/log.h"
#include "vhost/vhost_tap.h"

/* What one run holds open. */
struct mig {
	const struct emu_mig_opts *o;
	struct emu_mig_result *r;
	struct storlab_dev *dev;
	struct emu_guest *guest;
	struct emu_dirty guest_dirty; /* the guest's writes since the last copy */
	struct emu_dirty todo;	      /* what the next copy takes */
	uint64_t size;
	uint32_t npages;
	uint8_t *src; /* our view of the source's memory (the memfd the guest started on) */
	uint8_t *dst; /* the destination's memory */
	int dst_fd;
	uint8_t *log;
	uint64_t log_size;
	int log_fd;
	uint8_t *snapshot; /* the back-end's pages at the switch, to see late writes */
	struct emu_dirty device_pages;
	unsigned sent[64]; /* front-end messages sent, per request code */
	bool logging;	   /* the source's dirty log is on */
	/* The used idx at the stop of the rings before the request queues
	 * (controlq, eventq), which the guest does not watch as it runs. */
	uint16_t other_used[EMU_MAX_RINGS - EMU_MAX_QUEUES];
	bool recovered; /* the injected crash was recovered from */
};

static int __attribute__((format(printf, 3, 4))) fail(struct mig *m, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->r->error, sizeof(m->r->error), fmt, ap);
	va_end(ap);
	return ret;
}

/* A shared memory file of size bytes, mapped. */
static int memfd_map(const char *name, uint64_t size, int *fd, uint8_t **map)
{
	int ret;

	*fd = memfd_create(name, MFD_CLOEXEC);
	if (*fd < 0)
		return -errno;
	if (ftruncate(*fd, (off_t)size) < 0)
		goto err;
	*map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (*map != MAP_FAILED)
		return 0;
err:
	ret = -errno;
	close(*fd);
	*fd = -1;
	*map = NULL;
	return ret;
}

static const char *uri_address(const char *uri)
{
	const char *colon = strchr(uri, ':');

	return colon ? colon + 1 : uri;
}

/* Counts the front-end's messages; injects the crash after the one asked.
 * The kill blocks until the back-end is back: the tap runs on this (the
 * engine's) thread, and a VMM too waits for its back-end to return. */
static void mig_tap(void *arg, const struct vhost_tap_msg *msg)
{
	struct mig *m = arg;
	const struct emu_crash *c = m->o->crash;

	uint32_t code = msg->hdr.request;
	unsigned nth;

	if (msg->dir != VHOST_TAP_SENT || msg->side != VHOST_TAP_FRONTEND)
		return;
	m->r->fe_msgs++;
	nth = code < ARRAY_SIZE(m->sent) ? ++m->sent[code] : 0;
	if (!c || m->r->crashed)
		return;
	if (c->request ? code == c->request && nth == c->nth : m->r->fe_msgs == c->after_msg) {
		m->r->crashed = true;
		m->r->crash_request = code;
		m->r->crash_nth = nth;
		c->kill(c->ctx);
	}
}

/* A step failed with ret: when it is the injected crash's doing (once),
 * the device connects again to the restarted back-end: true to do the
 * step again. */
static bool crash_recover(struct mig *m, int ret)
{
	if (!ret || !m->r->crashed || m->recovered || !m->dev)
		return false;
	m->recovered = true;
	m->r->reconnects++;
	/* What the driver may not keep (no in-flight tracking) fails now. */
	emu_guest_drain(m->guest, 100);
	if (storlab_dev_reconnect(m->dev))
		return false;
	emu_guest_rings_resync(m->guest);
	if (!m->logging)
		return true;
	/* The dead back-end's writes since the last copy are unknown: all
	 * memory is copied again; logging starts over on the connection. */
	emu_dirty_mark_all(&m->guest_dirty);
	return initiator_mig_log_start(m->dev, m->log_fd, m->log_size) == 0;
}

static int mig_open(struct mig *m)
{
	const struct emu_mig_opts *o = m->o;
	struct storlab_dev_opts dopts = {.num_queues = (uint16_t)o->queues,
					 .queue_size = (uint16_t)o->queue_size,
					 .mem_size = o->mem_size,
					 .features_mask = o->features_mask,
					 .nranges = o->ranges ? o->nranges : 0};
	struct emu_guest_opts g = {.queues = o->queues,
				   .qd = o->qd,
				   .bs = o->bs,
				   .read_pct = o->read_pct,
				   .dirty_rate = o->dirty_rate,
				   .rng_seed = m->r->plan.guest_seed,
				   .pattern_seed = o->seed};
	uint8_t *base;
	int fd, ret;

	const struct vhost_tap tap = {.fn = mig_tap, .arg = m};

	for (unsigned i = 0; i < dopts.nranges && i < STORLAB_MAX_MEM_RANGES; i++)
		dopts.ranges[i] = o->ranges[i];

	ret = initiator_mig_open(o->source, &dopts, &tap, &m->dev);
	/* A crash in the first set-up: once more on the restarted back-end. */
	if (ret && m->r->crashed && !m->recovered) {
		m->recovered = true;
		m->r->reconnects++;
		ret = initiator_mig_open(o->source, &dopts, &tap, &m->dev);
	}
	if (ret)
		return fail(m, ret, "%s: cannot open the device: %s", o->source, strerror(-ret));
	initiator_mig_features(m->dev, &m->r->features, &m->r->protocol_features);
	initiator_mig_mem(m->dev, &fd, &base, &m->size);
	m->npages = (uint32_t)(m->size / EMU_PAGE);
	m->src = mmap(NULL, m->size, PROT_READ, MAP_SHARED, fd, 0);
	if (m->src == MAP_FAILED) {
		m->src = NULL;
		return fail(m, -errno, "mmap of the guest memory: %s", strerror(errno));
	}
	if (emu_dirty_init(&m->guest_dirty, m->npages) || emu_dirty_init(&m->todo, m->npages) ||
	    emu_dirty_init(&m->device_pages, m->npages))
		return fail(m, -ENOMEM, "out of memory");
	ret = emu_track_init(&m->r->track, (uint16_t)o->queues, (uint16_t)o->queue_size);
	if (ret)
		return fail(m, ret, "out of memory");
	g.dev = m->dev;
	ret = emu_guest_create(&g, &m->r->track, &m->guest_dirty, &m->guest);
	if (ret)
		return fail(m, ret, "the guest's buffers: %s", strerror(-ret));
	m->log_size = emu_dirty_log_bytes(m->npages);
	ret = memfd_map("storlab-dirty-log", m->log_size, &m->log_fd, &m->log);
	ret = ret ?: memfd_map("storlab-guest-dest", m->size, &m->dst_fd, &m->dst);
	if (ret)
		return fail(m, ret, "memfd: %s", strerror(-ret));
	return 0;
}

static void mig_close(struct mig *m)
{
	emu_guest_destroy(m->guest);
	storlab_dev_close(m->dev);
	if (m->src)
		munmap(m->src, m->size);
	if (m->dst)
		munmap(m->dst, m->size);
	if (m->log)
		munmap(m->log, m->log_size);
	if (m->dst_fd >= 0)
		close(m->dst_fd);
	if (m->log_fd >= 0)
		close(m->log_fd);
	free(m->snapshot);
	emu_dirty_fini(&m->guest_dirty);
	emu_dirty_fini(&m->todo);
	emu_dirty_fini(&m->device_pages);
}

/* Copies what is dirty (the back-end's log and the guest's writes) to the
 * destination; the number of pages. */
static uint32_t copy_dirty(struct mig *m)
{
	uint32_t n = 0;

	emu_dirty_take_log(&m->todo, m->log, m->log_size);
	emu_dirty_move(&m->guest_dirty, &m->todo);
	for (uint32_t p = emu_dirty_next(&m->todo, 0); p < m->npages;
	     p = emu_dirty_next(&m->todo, p + 1), n++)
		memcpy(m->dst + p * EMU_PAGE, m->src + p * EMU_PAGE, EMU_PAGE);
	emu_dirty_clear(&m->todo);
	return n;
}

static uint32_t dirty_pending(const struct mig *m)
{
	return emu_dirty_count(&m->guest_dirty) + emu_dirty_log_count(m->log, m->log_size);
}

/* The guest's I/O of a phase: the schedule's counts, or the plan's ms. */
static int guest_io(struct mig *m, enum emu_phase phase, unsigned ms)
{
	const struct emu_schedule *s = m->o->schedule;
	int ret;

	if (!s)
		return emu_guest_run(m->guest, ms);
	ret = emu_guest_run_count(m->guest, s->io[phase], m->o->io_timeout_ms);
	if (crash_recover(m, ret))
		ret = emu_guest_run_count(m->guest, s->io[phase], m->o->io_timeout_ms);
	return ret;
}

/* Pre-copy rounds until convergence or the last round. */
static int precopy(struct mig *m)
{
	struct emu_mig_result *r = m->r;
	int ret;

	emu_dirty_mark_all(&m->todo);
	if (m->o->schedule) {
		/* A trace shows no rounds (the VMM copies memory without a
		 * message): its pre-copy I/O runs in one. */
		r->round[0].copied = copy_dirty(m);
		ret = guest_io(m, EMU_PHASE_PRECOPY, 0);
		r->round[0].dirty_after = dirty_pending(m);
		r->rounds_done = 1;
		return ret ? fail(m, ret, "the source went away during pre-copy") : 0;
	}
	for (r->rounds_done = 0; r->rounds_done < r->plan.rounds;) {
		struct emu_round *round = &r->round[r->rounds_done++];

		round->copied = copy_dirty(m);
		ret = emu_guest_run(m->guest, r->plan.round_ms[r->rounds_done - 1]);
		/* While logging is on: the controlq's pages are written too. */
		if (!ret)
			emu_guest_control(m->guest);
		round->dirty_after = dirty_pending(m);
		if (ret)
			return fail(m, ret, "the source went away during round %u", r->rounds_done);
		if (round->dirty_after < m->o->max_dirty) {
			r->converged = true;
			break;
		}
	}
	return 0;
}

/* After the final copy: every page the back-end writes must be equal at
 * both ends; a difference is a write the log missed. */
static void compare_device_pages(struct mig *m)
{
	uint8_t *snap;
	uint32_t n = emu_dirty_count(&m->device_pages), i = 0;

	m->snapshot = malloc((size_t)n * EMU_PAGE);
	snap = m->snapshot;
	for (uint32_t p = emu_dirty_next(&m->device_pages, 0); p < m->npages;
	     p = emu_dirty_next(&m->device_pages, p + 1), i++) {
		const uint8_t *s = m->src + p * EMU_PAGE, *d = m->dst + p * EMU_PAGE;

		if (snap)
			memcpy(snap + (size_t)i * EMU_PAGE, s, EMU_PAGE);
		if (memcmp(s, d, EMU_PAGE)) {
			struct emu_violation v = {
			    .kind = EMU_V_STALE_PAGE, .req = EMU_NO_REQ, .page = p * EMU_PAGE};
			char what[48];

			emu_guest_page_name(m->guest, v.page, what, sizeof(what));
			snprintf(v.detail, sizeof(v.detail),
				 "%s: written by the back-end, not logged (\"Migration\")", what);
			emu_track_violation(&m->r->track, &v);
		}
	}
}

/* At the end: the source's pages must be as they were at its stop
 * ("Suspended device state": not write to any guest memory regions). */
static void check_late_writes(struct mig *m)
{
	uint32_t i = 0;

	if (!m->snapshot)
		return;
	for (uint32_t p = emu_dirty_next(&m->device_pages, 0); p < m->npages;
	     p = emu_dirty_next(&m->device_pages, p + 1), i++) {
		struct emu_violation v = {
		    .kind = EMU_V_LATE_WRITE, .req = EMU_NO_REQ, .page = p * EMU_PAGE};
		char what[48];

		if (!memcmp(m->src + p * EMU_PAGE, m->snapshot + (size_t)i * EMU_PAGE, EMU_PAGE))
			continue;
		emu_guest_page_name(m->guest, v.page, what, sizeof(what));
		snprintf(v.detail, sizeof(v.detail),
			 "%s: the source wrote it after GET_VRING_BASE (suspended device)", what);
		emu_track_violation(&m->r->track, &v);
	}
}

/* At the end: the rings besides the request queues (a controlq, an
 * eventq) kept their used idx across the switch (virtio 1.2 §2.7.8: it
 * only goes on). */
static void check_other_rings(struct mig *m)
{
	/* A crash recovered from sets the rings up anew: nothing to compare. */
	for (unsigned i = 0;
	     m->r->switched && !m->recovered && i < initiator_mig_queue_ring(m->dev, 0); i++) {
		uint16_t idx = initiator_mig_ring_used_idx(m->dev, i);
		struct emu_violation v = {.kind = EMU_V_INDEX_REGRESSION,
					  .req = EMU_NO_REQ,
					  .index_seen = idx,
					  .index_floor = m->other_used[i]};

		if ((int16_t)(idx - m->other_used[i]) >= 0)
			continue;
		snprintf(v.detail, sizeof(v.detail),
			 "ring %u: used idx %u below %u, published by "
			 "the source",
			 i, idx, m->other_used[i]);
		emu_track_violation(&m->r->track, &v);
	}
}

/* Stop, final copy, switch to the destination. */
static int stop_and_switch(struct mig *m)
{
	struct emu_mig_result *r = m->r;
	int64_t t0, first, checked;
	int fd, ret;

	if (m->o->schedule)
		emu_guest_fill_count(m->guest, m->o->schedule->io[EMU_PHASE_INFLIGHT]);
	else if (m->o->stop_inflight)
		emu_guest_fill(m->guest);
	r->inflight_at_stop = emu_guest_inflight(m->guest);
	t0 = emu_now_ns();
	ret = initiator_mig_stop(m->dev, r->bases);
	if (crash_recover(m, ret))
		ret = initiator_mig_stop(m->dev, r->bases);
	if (ret)
		return fail(m, ret, "GET_VRING_BASE: %s", strerror(-ret));
	r->nrings = initiator_mig_nrings(m->dev);
	r->final_copied = copy_dirty(m);
	for (unsigned i = 0; i < m->o->queues; i++)
		r->published[i] = initiator_mig_used_idx(m->dev, i);
	for (unsigned i = 0; i < initiator_mig_queue_ring(m->dev, 0); i++)
		m->other_used[i] = initiator_mig_ring_used_idx(m->dev, i);
	emu_track_set_floor(&r->track, r->published);
	/* The check is the emulator's, not the migration's: off the clock. */
	checked = emu_now_ns();
	emu_guest_device_pages(m->guest, &m->device_pages);
	compare_device_pages(m);
	t0 += emu_now_ns() - checked;
	fd = dup(m->dst_fd);
	if (fd < 0)
		return fail(m, -errno, "dup: %s", strerror(errno));
	ret = initiator_mig_move_memory(m->dev, fd);
	if (ret) {
		close(fd);
		return fail(m, ret, "cannot move the guest onto the destination memory");
	}
	m->logging = false;
	ret = initiator_mig_resume(m->dev, uri_address(m->o->dest), r->bases);
	/* A crash in the destination's set-up: set it up again, restarted. */
	if (ret && r->crashed && !m->recovered) {
		m->recovered = true;
		r->reconnects++;
		ret = initiator_mig_resume(m->dev, uri_address(m->o->dest), r->bases);
	}
	if (ret)
		return fail(m, ret, "%s: cannot set the destination up: %s", m->o->dest,
			    strerror(-ret));
	r->switched = true;
	emu_guest_watch_first(m->guest);
	ret = guest_io(m, EMU_PHASE_POST, r->plan.post_ms);
	first = emu_guest_first_ns(m->guest);
	/* Requests still in flight from the source may be the first to
	 * complete: the clock stops at whatever completes first. */
	while (!first && ret == 0 && emu_now_ns() - t0 < (int64_t)m->o->io_timeout_ms * 1000000) {
		ret = emu_guest_run(m->guest, 1);
		first = emu_guest_first_ns(m->guest);
	}
	r->switch_ms = first ? (double)(first - t0) / 1e6 : -1;
	return 0;
}

int emu_mig_run(const struct emu_mig_opts *o, struct emu_mig_result *r)
{
	struct emu_plan_opts po = {.rounds = o->rounds, .round_ms = o->round_ms};
	struct mig m = {.o = o, .r = r, .dst_fd = -1, .log_fd = -1};
	int ret;

	memset(r, 0, sizeof(*r));
	r->switch_ms = -1;
	if (o->queues == 0 || o->queues > EMU_MAX_QUEUES)
		return fail(&m, -EINVAL, "queues: 1 to %u", EMU_MAX_QUEUES);
	/* The driver moves as it is: the destination is a device of its kind. */
	if (uri_address(o->source) - o->source != uri_address(o->dest) - o->dest ||
	    strncmp(o->source, o->dest, (size_t)(uri_address(o->source) - o->source)))
		return fail(&m, -EPROTONOSUPPORT,
			    "source and destination: URIs of one scheme (vhost-user-blk: or "
			    "vhost-user-scsi:)");
	ret = emu_plan_make(o->seed, &po, &r->plan);
	if (ret)
		return fail(&m, ret, "rounds: 1 to %u", EMU_MAX_ROUNDS);
	ret = mig_open(&m);
	if (ret)
		goto out;
	ret = guest_io(&m, EMU_PHASE_WARMUP, r->plan.warmup_ms);
	if (ret) {
		ret = fail(&m, ret, "the source went away");
		goto out;
	}
	if (o->schedule && !o->schedule->migrate)
		goto check;
	ret = initiator_mig_log_start(m.dev, m.log_fd, m.log_size);
	if (crash_recover(&m, ret))
		ret = initiator_mig_log_start(m.dev, m.log_fd, m.log_size);
	m.logging = ret == 0;
	if (ret) {
		ret =
		    fail(&m, ret, "%s: cannot start dirty logging: %s", o->source, strerror(-ret));
		goto out;
	}
	ret = precopy(&m);
	ret = ret ?: stop_and_switch(&m);
	if (ret)
		goto out;
check:
	emu_guest_drain(m.guest, o->io_timeout_ms);
	emu_guest_readback(m.guest, o->io_timeout_ms);
	check_late_writes(&m);
	check_other_rings(&m);
	emu_track_finish(&r->track);
out:
	mig_close(&m);
	return ret;
}

void emu_mig_result_fini(struct emu_mig_result *r)
{
	emu_track_fini(&r->track);
}

bool emu_mig_ok(const struct emu_mig_result *r)
{
	for (unsigned k = 0; k < EMU_V_COUNT; k++)
		if (r->track.counts[k])
			return false;
	return true;
}
