/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_ENV_ENV_H
#define STORLAB_ENV_ENV_H

/*
 * Reactors: one polled thread per core of the core mask, each running its
 * pollers in a loop. Data-path state lives on one reactor and is touched only
 * by it; other threads talk to a reactor with messages (a lock-free
 * multi-producer ring per reactor).
 *
 * Modes (per process):
 *   poll       pollers run back to back, forever (lowest latency; perf runs)
 *   interrupt  the reactor sleeps in epoll on its pollers' wake fds and
 *              message eventfd, and runs pollers when woken
 *   adaptive   poll while any poller is busy; after a quiet spell, arm every
 *              poller's notifications and sleep as in interrupt mode
 *
 * Lifecycle: env_init() once, from the main thread; env_start() launches the
 * reactor threads; env_stop() asks them to stop, joins them, and is called
 * once all pollers have been unregistered. Messages already queued when
 * env_stop() is called still run. A reactor pointer stays valid (not
 * running: reactor_call_sync gives -ESRCH) until the next env_init().
 * env_init() may be called again after env_stop() (tests do).
 */

#include <stdbool.h>
#include <stdint.h>

#define ENV_MAX_REACTORS 64
#define ENV_DEFAULT_IDLE_SPINS 10000

enum env_mode {
	ENV_MODE_POLL,
	ENV_MODE_INTERRUPT,
	ENV_MODE_ADAPTIVE,
};

struct env_opts {
	/* Cores to run reactors on, bit N = core N (e.g. 0x3). 0 means core 0. */
	uint64_t core_mask;
	enum env_mode mode;
	/* adaptive: idle loop iterations before sleeping; 0 = default
	 * (ENV_DEFAULT_IDLE_SPINS). */
	uint32_t adaptive_idle_spins;
	/* Pin each reactor to its core (default true); tests may turn it off. */
	bool no_pin;
};

/* Parses "0x3", "3", "[0,1]" or "[0-3]" into a mask (SPDK's -m: hex with
 * or without 0x, or a bracketed list of cores and ranges). An empty mask is
 * an error. Returns 0 or -EINVAL. */
int env_parse_core_mask(const char *text, uint64_t *mask);
/* Parses "poll", "interrupt", "adaptive". Returns 0 or -EINVAL. */
int env_parse_mode(const char *text, enum env_mode *mode);
const char *env_mode_name(enum env_mode mode);

int env_init(const struct env_opts *opts);
int env_start(void);
void env_stop(void);

struct reactor;

unsigned env_reactor_count(void);
/* index 0 .. env_reactor_count()-1, in core order. */
struct reactor *env_reactor_at(unsigned index);
/* The reactor running on `core`, or NULL. */
struct reactor *env_reactor_by_core(unsigned core);
/* The reactor of the calling thread, or NULL on any other thread. */
struct reactor *reactor_self(void);
unsigned reactor_core(const struct reactor *r);
unsigned reactor_index(const struct reactor *r);

/* ---- Pollers: registered and unregistered on their reactor's thread. ---- */

enum poller_status {
	POLLER_IDLE = 0,
	POLLER_BUSY = 1,
};

struct poller;

struct poller_ops {
	const char *name;
	/* Does a bounded batch of work; returns POLLER_BUSY or POLLER_IDLE. */
	int (*poll)(void *arg);
	/* Interrupt/adaptive modes: turn the source's notifications on before the
	 * reactor sleeps (true) and off when it resumes polling (false), e.g. a
	 * virtqueue clears VRING_USED_F_NO_NOTIFY. After arming, the reactor calls
	 * poll() once more before it sleeps, so work that raced in is not lost.
	 * Called with true before EVERY sleep (arming may be one-shot: EVENT_IDX
	 * asks for one kick at one index); with false only in adaptive mode.
	 * May be NULL if the source needs no arming. */
	void (*set_interrupt)(void *arg, bool enabled);
};

/*
 * Registers a poller on the calling reactor. wake_fd (an eventfd, e.g. a
 * virtqueue kick fd; -1 for none) wakes a sleeping reactor; the reactor makes
 * it non-blocking, and reads and discards its counter. An fd wakes one poller
 * only. period_us > 0 makes a timed poller that runs at
 * most every period_us (stats, timeouts, and sources too rare to poll on
 * every pass, such as a controller's management queues), and at once when
 * its wake_fd woke the sleeping reactor.
 * Returns NULL on error (logged).
 */
struct poller *poller_register(const struct poller_ops *ops, void *arg, int wake_fd,
			       uint64_t period_us);
/*
 * A poller for a source that cannot wake a sleeping reactor (memory another
 * process writes, such as an NVMe doorbell page it maps): polled on every
 * pass like an untimed one, and a reactor that sleeps (interrupt, adaptive)
 * wakes at least every max_sleep_us (rounded up to the sleep's millisecond)
 * to look at it. Returns NULL on error (logged).
 */
struct poller *poller_register_unwakeable(const struct poller_ops *ops, void *arg,
					  uint64_t max_sleep_us);
/* On the poller's reactor. Sets *p to NULL. Safe to call from inside poll(). */
void poller_unregister(struct poller **p);

/* ---- Messages between threads. ---- */

typedef void (*reactor_msg_fn)(void *arg);

/* Any thread. Runs fn(arg) on r's thread, in order per sender. Never blocks;
 * returns 0 or -EAGAIN if r's ring is full. */
int reactor_send_msg(struct reactor *r, reactor_msg_fn fn, void *arg);
/* Not on a reactor thread (-EDEADLK there), and only while the reactors run
 * (-ESRCH otherwise). Runs fn(arg) on r and waits until it returned.
 * Returns 0, or a negative errno if the message could not be sent. For tests
 * and start-up only: the control path never waits on a reactor (a ring being
 * drained would stall every other device), it posts and is answered. */
int reactor_call_sync(struct reactor *r, reactor_msg_fn fn, void *arg);

/* A message in memory the sender owns: it needs no room in r's ring, so
 * posting cannot fail for lack of it (the control path's messages: start,
 * stop, swap an fd). Fill fn and arg; the reactor owns `next`. */
struct reactor_event {
	struct reactor_event *next;
	reactor_msg_fn fn;
	void *arg;
};
/* Any thread. Runs ev->fn(ev->arg) on r's thread between two iterations, in
 * post order (across every sender). ev must stay valid, and not be posted
 * again, until fn has been called; fn may reuse or free it. Lock-free.
 * Returns 0, or -ESRCH if r is not running (nothing will run fn). Posting
 * must be over before env_stop(): an event that races with it may be lost. */
int reactor_post(struct reactor *r, struct reactor_event *ev);

/* ---- Statistics, for framework_get_reactors. ---- */

/* Times are in ticks of env_tsc() (the CPU's time-stamp counter on x86,
 * nanoseconds elsewhere); env_tsc_hz() ticks make a second. An iteration's
 * time is busy if a message ran or a poller returned POLLER_BUSY. */
struct reactor_stats {
	uint64_t busy_tsc;   /* time in loop iterations that did work */
	uint64_t idle_tsc;   /* time in iterations that did none, or asleep */
	uint64_t sleeps;     /* times the reactor went to sleep */
	uint32_t pollers;    /* pollers registered now */
};
/* Any thread; a racy snapshot is fine. */
void reactor_get_stats(const struct reactor *r, struct reactor_stats *stats);

/* Monotonic time. */
uint64_t env_now_ns(void);
/* A cheap monotonic tick counter (no syscall), and its ticks per second
 * (measured once per process, the first time it is asked for). */
uint64_t env_tsc(void);
uint64_t env_tsc_hz(void);

#endif
