/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_FRONTEND_QUEUE_ENGINE_H
#define STORLAB_FRONTEND_QUEUE_ENGINE_H

/*
 * The queue engine: what every target frontend does with "a queue it polls
 * and completes into", whatever the queue is (a vhost-user-blk or -scsi
 * virtqueue, an NVMe SQ/CQ pair). The frontend knows its wire format; the
 * engine knows reactors:
 *
 *   placement  queue i of a controller runs on the (i mod n)-th core of the
 *              controller's cpumask (struct qe_placement);
 *   start      by a message to that reactor, which allocates the queue's
 *              request slots there (its NUMA node), gets its bdev channels
 *              and registers its poller; the control thread does not wait;
 *   poll       one poller per queue: the frontend's poll takes a bounded
 *              batch of new requests and submits them; the engine then runs
 *              the bdev channels at once, so that a backend that finishes
 *              at once (null) is answered in the same reactor iteration, and
 *              notifies the other side once per batch of completions;
 *   stop       by a message: the queue takes no new request, and once every
 *              slot is back (each request taken was completed into the
 *              queue) the poller goes and the stop is answered on the
 *              control thread;
 *   exec       runs a function on the queue's reactor between two polls and
 *              answers on the control thread (a notifier fd swapped in).
 *
 * No lock, no allocation and no syscall per request: slots are
 * preallocated, and the frontend's poll and notify are called once per
 * batch. The only cross-thread traffic is control messages, which live in
 * the queue (reactor_post / evloop_post cannot fail).
 *
 * Threads. qe_placement_*, qe_queue_start/stop/exec/get_stats: the control
 * thread. struct qe_ops and the inline helpers below: the queue's reactor.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "env/env.h"
#include "target/bdev/bdev.h"
#include "util/evloop.h"

/* Requests the frontend's poll takes per call at most, so one queue cannot
 * starve the others of its reactor. */
#define QE_BATCH 32

/* ---- Placement ---- */

struct qe_placement {
	uint64_t cpumask; /* the cores, each running a reactor */
	unsigned ncores;
	struct reactor *reactors[ENV_MAX_REACTORS];
};

/* The cores of cpumask (0: every reactor's). Returns 0, or -EINVAL (logged,
 * naming owner) if a core runs no reactor or none is left. */
int qe_placement_init(struct qe_placement *p, uint64_t cpumask, const char *owner);

static inline struct reactor *qe_placement_reactor(const struct qe_placement *p, unsigned queue)
{
	return p->reactors[queue % p->ncores];
}

/* ---- Queues ---- */

struct qe_queue;

/* What a frontend plugs into the engine: all on the queue's reactor. */
struct qe_ops {
	const char *name; /* of the poller, for log lines */
	/* Once per slot when the queue starts (back pointers...). May be NULL. */
	void (*slot_init)(void *ctx, void *slot);
	/* The queue was started: slots and channels are there, polling begins
	 * (e.g. turn kicks off and cache the channel). May be NULL. */
	void (*started)(void *ctx);
	/* Takes up to `budget` new requests from the queue, while a slot is
	 * free (qe_slot_next / qe_slot_take), and starts them; returns how
	 * many it took. A queue found broken is reported with qe_queue_break. */
	unsigned (*poll)(void *ctx, unsigned budget);
	/* Tells the other side about what was completed into the queue since
	 * the last call (virtio: the call eventfd, if the driver wants it; NVMe:
	 * the CQ's interrupt). Once per poll that completed anything. */
	void (*notify)(void *ctx);
	/* The other side's notifications on or off, as poller_ops.set_interrupt
	 * (e.g. a virtqueue's kick suppression). May be NULL. */
	void (*set_interrupt)(void *ctx, bool enabled);
	/* The queue stopped: every slot is back. Releases what the frontend
	 * took on the reactor beside the engine's (bdev channels it gets
	 * itself, for bdevs that come and go while the queue runs), before
	 * the stop is answered. Also after a start that failed. May be NULL. */
	void (*quiesced)(void *ctx);
	/* 0: polled on every pass of the reactor, as a request queue must be.
	 * Else at most every period_us, and at once when a kick wakes the
	 * sleeping reactor: for queues too rare to be worth a look each pass
	 * (a controller's management queues), whose idle polls would cost the
	 * request queues on the same core. */
	unsigned period_us;
	/* With period_us 0, for a queue whose requests wake nobody (a
	 * doorbell in memory the host maps): polled on every pass, and a
	 * sleeping reactor wakes at least every max_sleep_us to look at it
	 * (poller_register_unwakeable). 0: the queue's kick fd wakes it. */
	unsigned max_sleep_us;
};

/* Racy snapshot for statistics. */
struct qe_stats {
	bool started;	     /* running on its reactor now */
	bool broken;	     /* takes no new requests until restarted */
	unsigned core;	     /* its reactor's core */
	uint32_t inflight;   /* taken and not completed yet */
	uint64_t starts;     /* times started (cumulative) */
	uint64_t stops;	     /* times stopped, every request completed */
};

typedef void (*qe_done_fn)(void *arg);

/* A function to run on a queue's reactor (qe_queue_exec). */
struct qe_exec {
	void (*fn)(struct qe_queue *q, void *arg); /* on the reactor */
	qe_done_fn done;			   /* then on the control thread */
	void *arg;
	/* The engine's. */
	struct qe_queue *q;
	struct reactor_event ev;
	struct evloop_msg msg;
};

struct qe_queue {
	/* Set by the frontend before qe_queue_start, while stopped. */
	const struct qe_ops *ops;
	void *ctx;
	const char *owner; /* controller name, for log lines */
	uint16_t index;
	struct bdev *const *bdevs; /* a channel to each, while running */
	unsigned nbdevs;
	size_t slot_size; /* bytes of one request slot */
	uint32_t nslots;
	int wake_fd; /* an eventfd that wakes the reactor (a kick), or -1 */

	/* Reactor-owned while running (the inline helpers use them). */
	void **free_slots;
	uint32_t nfree;
	uint32_t unnotified; /* completions since the last notify */
	bool stopping;
	bool broken;
	struct bdev_channel **ch;
	struct poller *poller;
	struct poller_ops poller_ops;
	uint8_t *slots;

	/* Control thread. */
	struct reactor *reactor;
	struct evloop *loop;
	bool running; /* started, and the stop not answered yet */
	qe_done_fn stopped;
	void *stopped_arg;
	struct reactor_event start_ev;
	struct reactor_event stop_ev;
	struct evloop_msg stopped_msg;

	/* Written with relaxed stores (one writer each: the reactor for broken
	 * and inflight, the control thread for the rest), read by anyone. */
	struct qe_stats stats;
};

/* Control thread. Runs q on reactor r from now on (its reactor sets it up
 * at its next turn; a failure there is logged and leaves the queue broken).
 * Stops are answered on loop. Returns 0, -EBUSY (running), or -ESRCH (r is
 * not running). */
int qe_queue_start(struct qe_queue *q, struct reactor *r, struct evloop *loop);
/* Control thread. The queue takes no new request; once every request it
 * took was completed, its poller and channels go and done(arg) is called on
 * the control thread: exactly once, possibly before returning (q was not
 * running). q must stay valid until then. */
void qe_queue_stop(struct qe_queue *q, qe_done_fn done, void *arg);
/* Control thread. Runs x->fn(q, x->arg) on the queue's reactor between two
 * polls, then x->done(x->arg) on the control thread (inline if the reactors
 * are gone). x must stay valid until done; q must be running. */
void qe_queue_exec(struct qe_queue *q, struct qe_exec *x);
void qe_queue_get_stats(const struct qe_queue *q, struct qe_stats *stats);

/* ---- On the queue's reactor ---- */

/* The queue is unusable until restarted (logged by the frontend): it takes
 * no more requests; those in flight still complete. */
void qe_queue_break(struct qe_queue *q);
/* From an exec'd function: wake the reactor on fd from now on (a new kick
 * eventfd, or -1). A failure is logged and breaks the queue. */
void qe_queue_set_wake_fd(struct qe_queue *q, int fd);

static inline bool qe_slot_available(const struct qe_queue *q)
{
	return q->nfree != 0;
}

/* The slot the next request will take (its buffers may be filled before
 * the request is known to exist); qe_slot_take() takes it. */
static inline void *qe_slot_next(const struct qe_queue *q)
{
	return q->free_slots[q->nfree - 1];
}

static inline void qe_slot_take(struct qe_queue *q)
{
	q->nfree--;
}

/* The request in slot is over: its slot is free again. */
static inline void qe_slot_put(struct qe_queue *q, void *slot)
{
	q->free_slots[q->nfree++] = slot;
}

/* Something was completed into the queue (a used entry, a CQE): the other
 * side is notified at the end of this batch. */
static inline void qe_completed(struct qe_queue *q)
{
	q->unnotified++;
}

/* Notifies the other side of what was completed since the last time, now:
 * qe_poll does at the end of each batch; a completion made outside the
 * poll (a message) on a queue with a period calls it itself. */
static inline void qe_notify_pending(struct qe_queue *q)
{
	if (q->unnotified) {
		q->unnotified = 0;
		q->ops->notify(q->ctx);
	}
}

static inline struct bdev_channel *qe_channel(const struct qe_queue *q, unsigned i)
{
	return q->ch[i];
}

#endif
