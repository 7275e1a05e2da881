/* SPDX-License-Identifier: MIT */
/*
 * The queue engine (queue_engine.h): placement, the per-queue poller, and
 * the start / stop / exec messages between the control thread and a
 * queue's reactor.
 */
#define LOG_COMPONENT "queue"
#include "target/frontend/queue_engine.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "util/log.h"

int qe_placement_init(struct qe_placement *p, uint64_t cpumask, const char *owner)
{
	memset(p, 0, sizeof(*p));
	if (cpumask == 0) {
		for (unsigned i = 0; i < env_reactor_count(); i++)
			cpumask |= 1ULL << reactor_core(env_reactor_at(i));
	}
	for (unsigned core = 0; core < 64; core++) {
		struct reactor *r;

		if (!(cpumask & (1ULL << core)))
			continue;
		r = env_reactor_by_core(core);
		if (!r) {
			log_err("%s: cpumask 0x%" PRIx64 ": core %u runs no reactor", owner, cpumask,
				core);
			return -EINVAL;
		}
		p->reactors[p->ncores++] = r;
	}
	if (p->ncores == 0) {
		log_err("%s: no reactor is running", owner);
		return -EINVAL;
	}
	p->cpumask = cpumask;
	return 0;
}

static void qe_quiesced(struct qe_queue *q);

/* One writer per field: a relaxed store is enough for racy readers. */
#define STAT_SET(q, field, v) __atomic_store_n(&(q)->stats.field, (v), __ATOMIC_RELAXED)
#define STAT_GET(q, field)    __atomic_load_n(&(q)->stats.field, __ATOMIC_RELAXED)

static int qe_poll(void *arg)
{
	struct qe_queue *q = arg;
	unsigned n = 0;
	uint32_t inflight;

	if (unlikely(q->stopping)) {
		if (q->nfree == q->nslots) {
			/* The last request completed: in the channel's poller,
			 * registered before ours, so it ran just before. */
			qe_quiesced(q);
			return POLLER_IDLE;
		}
	} else if (likely(!q->broken) && q->nfree) {
		n = q->ops->poll(q->ctx, QE_BATCH);
		/* Hand the batch to the backends now and take what they
		 * finished (a null bdev: all of it), so that it is completed
		 * and notified in this iteration rather than after a lap. */
		if (n) {
			for (unsigned i = 0; i < q->nbdevs; i++)
				bdev_channel_poll(q->ch[i]);
		}
	}
	qe_notify_pending(q);
	inflight = q->nslots - q->nfree;
	if (unlikely(inflight != q->stats.inflight))
		STAT_SET(q, inflight, inflight);
	return n ? POLLER_BUSY : POLLER_IDLE;
}

static void qe_set_interrupt(void *arg, bool enabled)
{
	struct qe_queue *q = arg;

	if (q->ops->set_interrupt)
		q->ops->set_interrupt(q->ctx, enabled);
}

static void qe_put_channels(struct qe_queue *q)
{
	for (unsigned i = 0; q->ch && i < q->nbdevs; i++) {
		if (q->ch[i])
			bdev_channel_put(q->ch[i]);
	}
	free(q->ch);
	q->ch = NULL;
}

static void qe_free_slots(struct qe_queue *q)
{
	free(q->slots);
	free(q->free_slots);
	q->slots = NULL;
	q->free_slots = NULL;
	q->nfree = 0;
}

void qe_queue_break(struct qe_queue *q)
{
	q->broken = true;
	STAT_SET(q, broken, true);
}

static struct poller *qe_register_poller(struct qe_queue *q, int wake_fd)
{
	q->poller_ops = (struct poller_ops){
	    .name = q->ops->name, .poll = qe_poll, .set_interrupt = qe_set_interrupt};
	if (q->ops->max_sleep_us && !q->ops->period_us)
		return poller_register_unwakeable(&q->poller_ops, q, q->ops->max_sleep_us);
	return poller_register(&q->poller_ops, q, wake_fd, q->ops->period_us);
}

/* On the reactor: slots are allocated here so that they sit on the
 * reactor's NUMA node. Returns 0 or a negative errno (nothing left). */
static int qe_setup(struct qe_queue *q)
{
	q->slots = calloc(q->nslots, q->slot_size);
	q->free_slots = calloc(q->nslots, sizeof(*q->free_slots));
	q->ch = calloc(q->nbdevs ? q->nbdevs : 1, sizeof(*q->ch));
	if (!q->slots || !q->free_slots || !q->ch)
		goto err;
	for (uint32_t i = 0; i < q->nslots; i++) {
		void *slot = q->slots + (size_t)(q->nslots - 1 - i) * q->slot_size;

		if (q->ops->slot_init)
			q->ops->slot_init(q->ctx, slot);
		q->free_slots[i] = slot;
	}
	q->nfree = q->nslots;
	for (unsigned i = 0; i < q->nbdevs; i++) {
		q->ch[i] = bdev_channel_get(q->bdevs[i]);
		if (!q->ch[i])
			goto err;
	}
	return 0;
err:
	qe_put_channels(q);
	qe_free_slots(q);
	return -ENOMEM;
}

static void qe_start_msg(void *arg)
{
	struct qe_queue *q = arg;

	q->unnotified = 0;
	q->stopping = false;
	q->broken = false;
	if (qe_setup(q) == 0) {
		if (q->ops->started)
			q->ops->started(q->ctx);
		/* A polling queue wants no notifications; poller_register arms
		 * them again if the reactor is about to sleep. */
		q->poller = qe_register_poller(q, q->wake_fd);
		if (q->poller)
			return;
		qe_put_channels(q);
		qe_free_slots(q);
	}
	log_err("%s queue %u: cannot start on core %u (no memory, or no bdev channel): it takes "
		"no requests until restarted",
		q->owner, q->index, reactor_core(reactor_self()));
	qe_queue_break(q);
}

int qe_queue_start(struct qe_queue *q, struct reactor *r, struct evloop *loop)
{
	int rc;

	if (q->running)
		return -EBUSY;
	q->reactor = r;
	q->loop = loop;
	q->start_ev = (struct reactor_event){.fn = qe_start_msg, .arg = q};
	STAT_SET(q, broken, false);
	STAT_SET(q, inflight, 0);
	rc = reactor_post(r, &q->start_ev);
	if (rc) {
		log_err("%s queue %u: cannot reach core %u: %s", q->owner, q->index,
			reactor_core(r), strerror(-rc));
		return rc;
	}
	q->running = true;
	STAT_SET(q, core, reactor_core(r));
	STAT_SET(q, started, true);
	STAT_SET(q, starts, q->stats.starts + 1);
	log_info("%s queue %u: started on core %u (%u slots)", q->owner, q->index,
		 reactor_core(r), q->nslots);
	return 0;
}

/* Control thread: the reactor let go of the queue. */
static void qe_stopped(void *arg)
{
	struct qe_queue *q = arg;
	qe_done_fn done = q->stopped;

	q->running = false;
	STAT_SET(q, started, false);
	STAT_SET(q, stops, q->stats.stops + 1);
	log_info("%s queue %u: stopped", q->owner, q->index);
	q->stopped = NULL;
	done(q->stopped_arg);
}

/*
 * The last step of a stop, on the reactor once every slot is back: from the
 * stop message, or from our poller (right after the channel's poller that
 * completed the last request). Not from a completion callback: the channel
 * is then still inside its poll and could not be put. The post is the last
 * thing that touches q here: the control thread may free it from then on.
 */
static void qe_quiesced(struct qe_queue *q)
{
	if (q->unnotified) {
		q->unnotified = 0;
		q->ops->notify(q->ctx);
	}
	if (q->ops->quiesced)
		q->ops->quiesced(q->ctx);
	poller_unregister(&q->poller);
	qe_put_channels(q);
	qe_free_slots(q);
	STAT_SET(q, inflight, 0);
	q->stopped_msg = (struct evloop_msg){.fn = qe_stopped, .arg = q};
	evloop_post(q->loop, &q->stopped_msg);
}

static void qe_stop_msg(void *arg)
{
	struct qe_queue *q = arg;

	q->stopping = true;
	/* Not started (a failed start), or nothing in flight: at once.
	 * Otherwise the poller does, once the last request completed. */
	if (!q->poller || q->nfree == q->nslots)
		qe_quiesced(q);
}

void qe_queue_stop(struct qe_queue *q, qe_done_fn done, void *arg)
{
	int rc;

	if (!q->running) {
		done(arg);
		return;
	}
	q->stopped = done;
	q->stopped_arg = arg;
	q->stop_ev = (struct reactor_event){.fn = qe_stop_msg, .arg = q};
	rc = reactor_post(q->reactor, &q->stop_ev);
	if (rc) {
		/* The reactors are gone (env_stop came first): nothing runs the
		 * queue any more, and its poller and channels went with them. */
		log_err("%s queue %u: cannot reach core %u to stop: %s", q->owner, q->index,
			reactor_core(q->reactor), strerror(-rc));
		qe_free_slots(q);
		free(q->ch);
		q->ch = NULL;
		qe_stopped(q);
	}
}

static void qe_exec_done(void *arg)
{
	struct qe_exec *x = arg;

	x->done(x->arg);
}

static void qe_exec_msg(void *arg)
{
	struct qe_exec *x = arg;

	x->fn(x->q, x->arg);
	x->msg = (struct evloop_msg){.fn = qe_exec_done, .arg = x};
	evloop_post(x->q->loop, &x->msg);
}

void qe_queue_exec(struct qe_queue *q, struct qe_exec *x)
{
	x->q = q;
	x->ev = (struct reactor_event){.fn = qe_exec_msg, .arg = x};
	if (reactor_post(q->reactor, &x->ev) != 0) {
		log_err("%s queue %u: cannot reach core %u", q->owner, q->index,
			reactor_core(q->reactor));
		x->done(x->arg);
	}
}

void qe_queue_set_wake_fd(struct qe_queue *q, int fd)
{
	struct poller *p;

	/* Not polling (a failed start): nothing to wake. */
	if (fd == q->wake_fd || !q->poller)
		return;
	p = qe_register_poller(q, fd);
	if (!p) {
		/* The old poller stays: requests in flight still complete, and
		 * a stop still finds them. */
		log_err("%s queue %u: cannot wake on the new kick fd: it takes no requests until "
			"restarted",
			q->owner, q->index);
		qe_queue_break(q);
		return;
	}
	poller_unregister(&q->poller);
	q->poller = p;
	q->wake_fd = fd;
}

void qe_queue_get_stats(const struct qe_queue *q, struct qe_stats *st)
{
	st->started = STAT_GET(q, started);
	st->broken = STAT_GET(q, broken);
	st->core = STAT_GET(q, core);
	st->inflight = STAT_GET(q, inflight);
	st->starts = STAT_GET(q, starts);
	st->stops = STAT_GET(q, stops);
}
