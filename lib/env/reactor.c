/* SPDX-License-Identifier: MIT */
/*
 * One reactor: its loop, its pollers, its message ring, and its sleep.
 *
 * The loop runs a batch of messages, then every poller (timed pollers when
 * due). In poll mode it never makes a syscall. In interrupt and adaptive
 * modes an idle reactor sleeps in epoll on its pollers' wake fds and its
 * message eventfd; senders write that eventfd only when the reactor says it
 * may be asleep (the `sleeping` flag, checked Dekker-style on both sides).
 */
#define LOG_COMPONENT "env"
#include "env/reactor_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <unistd.h>

#include "env/msg_ring.h"
#include "util/common.h"
#include "util/log.h"

/* Messages run per iteration, so that a flood of them cannot starve pollers. */
#define REACTOR_MSG_BATCH 128
#define REACTOR_MAX_EVENTS 32

struct poller {
	TAILQ_ENTRY(poller) link;
	const struct poller_ops *ops;
	void *arg;
	int wake_fd;
	uint64_t period_tsc; /* 0: runs every iteration */
	uint64_t next_tsc;
	/* An untimed poller whose source wakes nobody: the longest the
	 * reactor may sleep (0: no bound). */
	uint64_t max_sleep_tsc;
	/* Unregistered: skipped, and freed after the iteration (it may be the
	 * poller whose poll() is running). */
	bool dead;
	struct reactor *reactor;
};

TAILQ_HEAD(poller_list, poller);

struct reactor {
	struct msg_ring ring;
	/* Written by senders and the reactor: a line of its own. */
	alignas(64) atomic_bool sleeping;
	atomic_bool stop;
	atomic_bool running;
	/* reactor_post's events, newest first (a Treiber stack). */
	_Atomic(struct reactor_event *) events;

	alignas(64) unsigned index;
	unsigned core;
	enum env_mode mode;
	uint32_t idle_spins;
	int msg_fd;
	int epfd;
	/* set_interrupt(true) was called on every poller (always so in
	 * interrupt mode); pollers registered meanwhile are armed too. */
	bool armed;
	unsigned dead_pollers;
	struct poller_list pollers;
	struct poller_list timed;

	_Atomic uint64_t busy_tsc;
	_Atomic uint64_t idle_tsc;
	_Atomic uint64_t sleeps;
	_Atomic uint32_t npollers;
};

static __thread struct reactor *t_self;

/* Stats have one writer, the reactor: a plain add is enough, and cheaper
 * than a locked one. */
static void stat_add(_Atomic uint64_t *stat, uint64_t n)
{
	atomic_store_explicit(stat, atomic_load_explicit(stat, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

static uint64_t us_to_tsc(uint64_t us)
{
	return (uint64_t)((unsigned __int128)us * env_tsc_hz() / 1000000u);
}

int env_reactor_create(unsigned index, unsigned core, const struct env_opts *opts,
		       struct reactor **rp)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct reactor *r;
	int rc;

	r = aligned_alloc(64, ALIGN_UP(sizeof(*r), 64));
	if (!r)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	msg_ring_init(&r->ring);
	r->index = index;
	r->core = core;
	r->mode = opts->mode;
	r->idle_spins = opts->adaptive_idle_spins ? opts->adaptive_idle_spins :
						    ENV_DEFAULT_IDLE_SPINS;
	r->armed = opts->mode == ENV_MODE_INTERRUPT;
	TAILQ_INIT(&r->pollers);
	TAILQ_INIT(&r->timed);

	r->msg_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->msg_fd < 0) {
		rc = -errno;
		log_err("reactor %u: eventfd: %s", core, strerror(-rc));
		goto err_free;
	}
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epfd < 0) {
		rc = -errno;
		log_err("reactor %u: epoll_create1: %s", core, strerror(-rc));
		goto err_msg_fd;
	}
	ev.data.ptr = NULL; /* the message fd; a poller's wake fd carries its poller */
	if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->msg_fd, &ev) < 0) {
		rc = -errno;
		log_err("reactor %u: epoll_ctl: %s", core, strerror(-rc));
		goto err_epfd;
	}
	*rp = r;
	return 0;

err_epfd:
	close(r->epfd);
err_msg_fd:
	close(r->msg_fd);
err_free:
	free(r);
	return rc;
}

static void free_pollers(struct poller_list *list, bool only_dead)
{
	struct poller *p, *next;

	for (p = TAILQ_FIRST(list); p; p = next) {
		next = TAILQ_NEXT(p, link);
		if (only_dead && !p->dead)
			continue;
		TAILQ_REMOVE(list, p, link);
		free(p);
	}
}

static void reactor_sweep(struct reactor *r)
{
	free_pollers(&r->pollers, true);
	free_pollers(&r->timed, true);
	r->dead_pollers = 0;
}

void env_reactor_destroy(struct reactor *r)
{
	uint32_t left = atomic_load(&r->npollers);

	if (left)
		log_warn("reactor %u: %u pollers still registered at env_stop", r->core, left);
	free_pollers(&r->pollers, false);
	free_pollers(&r->timed, false);
	close(r->epfd);
	close(r->msg_fd);
	free(r);
}

void env_reactor_set_running(struct reactor *r, bool running)
{
	atomic_store(&r->running, running);
}

/* Reads and discards an eventfd's counter; it is non-blocking. */
static void drain_eventfd(int fd)
{
	uint64_t count;

	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		log_warn("read(eventfd %d): %s", fd, strerror(errno));
}

static void wake_eventfd(int fd)
{
	uint64_t one = 1;

	/* EAGAIN: the counter is at its maximum, the reader will wake anyway. */
	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("write(eventfd %d): %s", fd, strerror(errno));
}

void env_reactor_request_stop(struct reactor *r)
{
	atomic_store(&r->stop, true);
	wake_eventfd(r->msg_fd);
}

/* ---- Messages ---- */

int reactor_send_msg(struct reactor *r, reactor_msg_fn fn, void *arg)
{
	int rc = msg_ring_put(&r->ring, fn, arg);

	if (rc)
		return rc;
	/* Pairs with the fence in reactor_sleep(): either the reactor sees the
	 * message before it sleeps, or we see it sleeping and wake it. */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&r->sleeping, memory_order_relaxed))
		wake_eventfd(r->msg_fd);
	return 0;
}

struct sync_call {
	reactor_msg_fn fn;
	void *arg;
	sem_t done;
};

static void sync_call_run(void *arg)
{
	struct sync_call *call = arg;

	call->fn(call->arg);
	sem_post(&call->done);
}

int reactor_call_sync(struct reactor *r, reactor_msg_fn fn, void *arg)
{
	struct sync_call call = {.fn = fn, .arg = arg};
	int rc;

	if (t_self) {
		log_err("reactor_call_sync from reactor %u: it would block a reactor",
			t_self->core);
		return -EDEADLK;
	}
	if (!atomic_load(&r->running)) {
		log_err("reactor_call_sync: reactor %u is not running", r->core);
		return -ESRCH;
	}
	sem_init(&call.done, 0, 0);
	rc = reactor_send_msg(r, sync_call_run, &call);
	if (rc == 0) {
		while (sem_wait(&call.done) < 0 && errno == EINTR)
			;
	}
	sem_destroy(&call.done);
	return rc;
}

int reactor_post(struct reactor *r, struct reactor_event *ev)
{
	struct reactor_event *head;

	if (!atomic_load(&r->running))
		return -ESRCH;
	head = atomic_load_explicit(&r->events, memory_order_relaxed);
	do {
		ev->next = head;
	} while (!atomic_compare_exchange_weak_explicit(&r->events, &head, ev, memory_order_release,
							memory_order_relaxed));
	/* As in reactor_send_msg: pairs with the fence in reactor_sleep(). */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&r->sleeping, memory_order_relaxed))
		wake_eventfd(r->msg_fd);
	return 0;
}

/* Takes every posted event at once (so a pop never races a push: no ABA),
 * and runs them oldest first. Events they post wait for the next call. Out
 * of line: reactor_run_events' check runs every iteration, this rarely. */
__attribute__((noinline)) static unsigned reactor_take_events(struct reactor *r)
{
	struct reactor_event *ev, *next, *fifo = NULL;
	unsigned n = 0;

	ev = atomic_exchange_explicit(&r->events, NULL, memory_order_acquire);
	for (; ev; ev = next) {
		next = ev->next;
		ev->next = fifo;
		fifo = ev;
	}
	for (ev = fifo; ev; ev = next, n++) {
		next = ev->next;
		ev->fn(ev->arg);
	}
	return n;
}

static inline unsigned reactor_run_events(struct reactor *r)
{
	if (likely(!atomic_load_explicit(&r->events, memory_order_relaxed)))
		return 0;
	return reactor_take_events(r);
}

static unsigned reactor_run_msgs(struct reactor *r)
{
	reactor_msg_fn fn;
	unsigned n;
	void *arg;

	for (n = 0; n < REACTOR_MSG_BATCH; n++) {
		if (!msg_ring_get(&r->ring, &fn, &arg))
			break;
		fn(arg);
	}
	return n;
}

/* ---- Pollers ---- */

static struct poller *poller_add(const struct poller_ops *ops, void *arg, int wake_fd,
				 uint64_t period_us, uint64_t max_sleep_us)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct reactor *r = t_self;
	struct poller *p;
	int flags;

	if (!ops || !ops->poll) {
		log_err("poller_register: no poll function");
		return NULL;
	}
	if (!r) {
		log_err("poller_register(%s): not on a reactor thread", ops->name);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->ops = ops;
	p->arg = arg;
	p->wake_fd = wake_fd;
	p->reactor = r;
	ev.data.ptr = p;
	if (wake_fd >= 0) {
		/* The reactor drains the fd after epoll reported it; a blocking
		 * read would hang the reactor if someone else drained it first. */
		flags = fcntl(wake_fd, F_GETFL);
		if (flags < 0 || fcntl(wake_fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
		    epoll_ctl(r->epfd, EPOLL_CTL_ADD, wake_fd, &ev) < 0) {
			log_err("poller_register(%s): wake fd %d: %s", ops->name, wake_fd,
				strerror(errno));
			free(p);
			return NULL;
		}
	}
	if (period_us) {
		p->period_tsc = us_to_tsc(period_us);
		p->next_tsc = env_tsc() + p->period_tsc;
		TAILQ_INSERT_TAIL(&r->timed, p, link);
	} else {
		p->max_sleep_tsc = max_sleep_us ? us_to_tsc(max_sleep_us) : 0;
		TAILQ_INSERT_TAIL(&r->pollers, p, link);
	}
	if (r->armed && ops->set_interrupt)
		ops->set_interrupt(arg, true);
	atomic_store_explicit(&r->npollers, atomic_load(&r->npollers) + 1, memory_order_relaxed);
	return p;
}

struct poller *poller_register(const struct poller_ops *ops, void *arg, int wake_fd,
			       uint64_t period_us)
{
	return poller_add(ops, arg, wake_fd, period_us, 0);
}

struct poller *poller_register_unwakeable(const struct poller_ops *ops, void *arg,
					  uint64_t max_sleep_us)
{
	return poller_add(ops, arg, -1, 0, max_sleep_us);
}

void poller_unregister(struct poller **pp)
{
	struct poller *p = *pp;
	struct reactor *r;

	if (!p)
		return;
	r = p->reactor;
	if (r != t_self) {
		log_err("poller_unregister(%s): not on its reactor %u", p->ops->name, r->core);
		return;
	}
	*pp = NULL;
	if (p->wake_fd >= 0)
		epoll_ctl(r->epfd, EPOLL_CTL_DEL, p->wake_fd, NULL);
	p->dead = true;
	r->dead_pollers++;
	atomic_store_explicit(&r->npollers, atomic_load(&r->npollers) - 1, memory_order_relaxed);
}

static bool reactor_run_pollers(struct reactor *r, uint64_t now)
{
	bool busy = false;
	struct poller *p;

	/* Pollers registered by a poll() are appended and may run at once. */
	TAILQ_FOREACH(p, &r->pollers, link) {
		if (likely(!p->dead))
			busy |= p->ops->poll(p->arg) == POLLER_BUSY;
	}
	TAILQ_FOREACH(p, &r->timed, link) {
		if (p->dead || now < p->next_tsc)
			continue;
		/* From the time it really runs (`now` is the iteration's start),
		 * so that runs are never closer than the period. */
		p->next_tsc = env_tsc() + p->period_tsc;
		busy |= p->ops->poll(p->arg) == POLLER_BUSY;
	}
	return busy;
}

/* One iteration: messages, then pollers. True if anything did work. */
static bool reactor_iterate(struct reactor *r, uint64_t now)
{
	bool busy = reactor_run_msgs(r) + reactor_run_events(r) > 0;

	busy |= reactor_run_pollers(r, now);
	if (unlikely(r->dead_pollers))
		reactor_sweep(r);
	return busy;
}

static void reactor_arm(struct reactor *r, bool enabled)
{
	struct poller_list *lists[] = {&r->pollers, &r->timed};
	struct poller *p;

	r->armed = enabled;
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		TAILQ_FOREACH(p, lists[i], link) {
			if (!p->dead && p->ops->set_interrupt)
				p->ops->set_interrupt(p->arg, enabled);
		}
	}
}

/* Milliseconds until the first timed poller is due, or an unwakeable one
 * must be looked at again (rounded up), or -1. */
static int reactor_timeout_ms(struct reactor *r, uint64_t now)
{
	uint64_t first = UINT64_MAX, ms;
	struct poller *p;

	TAILQ_FOREACH(p, &r->timed, link) {
		if (!p->dead)
			first = MIN(first, p->next_tsc);
	}
	TAILQ_FOREACH(p, &r->pollers, link) {
		if (!p->dead && p->max_sleep_tsc)
			first = MIN(first, now + p->max_sleep_tsc);
	}
	if (first == UINT64_MAX)
		return -1;
	if (first <= now)
		return 0;
	ms = (uint64_t)(((unsigned __int128)(first - now) * 1000 + env_tsc_hz() - 1) /
			env_tsc_hz());
	return (int)MIN(ms, (uint64_t)INT32_MAX);
}

static void reactor_sleep(struct reactor *r, uint64_t now)
{
	struct epoll_event events[REACTOR_MAX_EVENTS];
	int timeout = reactor_timeout_ms(r, now);
	int n;

	atomic_store_explicit(&r->sleeping, true, memory_order_relaxed);
	/* Pairs with the fence in reactor_send_msg(). */
	atomic_thread_fence(memory_order_seq_cst);
	if (!msg_ring_empty(&r->ring) || atomic_load_explicit(&r->events, memory_order_relaxed) ||
	    atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		atomic_store_explicit(&r->sleeping, false, memory_order_relaxed);
		return;
	}
	stat_add(&r->sleeps, 1);
	n = epoll_wait(r->epfd, events, REACTOR_MAX_EVENTS, timeout);
	atomic_store_explicit(&r->sleeping, false, memory_order_relaxed);
	if (n < 0 && errno != EINTR)
		log_err("reactor %u: epoll_wait: %s", r->core, strerror(errno));
	for (int i = 0; i < n; i++) {
		struct poller *p = events[i].data.ptr;

		if (!p) {
			drain_eventfd(r->msg_fd);
			continue;
		}
		drain_eventfd(p->wake_fd);
		/* A timed poller with a wake fd was kicked: it runs now. */
		p->next_tsc = 0;
	}
}

/*
 * The loop found nothing to do: arm every poller, poll once more so that
 * work which raced with the arming is seen, and sleep only if that found
 * nothing. Arming is done before every sleep, in interrupt mode too, because
 * some sources arm for one event only (a virtqueue with EVENT_IDX asks for a
 * kick at one avail index, virtio 1.2 §2.7.10). Adaptive mode disarms on the
 * way out, to poll without notifications. Returns true if work was found.
 */
static bool reactor_idle(struct reactor *r, uint64_t now)
{
	bool busy;

	reactor_arm(r, true);
	busy = reactor_iterate(r, now);
	if (!busy)
		reactor_sleep(r, now);
	if (r->mode == ENV_MODE_ADAPTIVE)
		reactor_arm(r, false);
	return busy;
}

static void reactor_loop(struct reactor *r)
{
	uint64_t last = env_tsc(), now;
	uint32_t idle_iterations = 0;
	bool busy;

	while (likely(!atomic_load_explicit(&r->stop, memory_order_relaxed))) {
		busy = reactor_iterate(r, last);
		if (busy || r->mode == ENV_MODE_POLL) {
			idle_iterations = 0;
		} else if (r->mode == ENV_MODE_INTERRUPT || ++idle_iterations >= r->idle_spins) {
			idle_iterations = 0;
			busy = reactor_idle(r, last);
		}
		now = env_tsc();
		stat_add(busy ? &r->busy_tsc : &r->idle_tsc, now - last);
		last = now;
	}
}

void *env_reactor_main(void *arg)
{
	struct reactor *r = arg;

	t_self = r;
	reactor_loop(r);
	/* Messages sent before env_stop() still run (they may carry memory
	 * to free); the ring is empty once a batch comes back short. */
	while (reactor_run_msgs(r) == REACTOR_MSG_BATCH)
		;
	reactor_run_events(r);
	reactor_sweep(r);
	t_self = NULL;
	return NULL;
}

/* ---- Accessors ---- */

struct reactor *reactor_self(void)
{
	return t_self;
}

unsigned reactor_core(const struct reactor *r)
{
	return r->core;
}

unsigned reactor_index(const struct reactor *r)
{
	return r->index;
}

void reactor_get_stats(const struct reactor *r, struct reactor_stats *stats)
{
	stats->busy_tsc = atomic_load_explicit(&r->busy_tsc, memory_order_relaxed);
	stats->idle_tsc = atomic_load_explicit(&r->idle_tsc, memory_order_relaxed);
	stats->sleeps = atomic_load_explicit(&r->sleeps, memory_order_relaxed);
	stats->pollers = atomic_load_explicit(&r->npollers, memory_order_relaxed);
}
