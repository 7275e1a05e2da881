/* SPDX-License-Identifier: MIT */
/*
 * Two reactors (unpinned) in each mode: messages, call_sync, pollers, timed
 * pollers, wake fds and sleeping, and the env lifecycle.
 *
 * cmocka asserts only on the test's thread: what runs on a reactor records
 * into a context that the test checks afterwards.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "env/env.h"
#include "util/common.h"

#define IDLE_SPINS 200

static uint64_t now_ms(void)
{
	return env_now_ns() / 1000000;
}

/* Waits (yielding the CPU to the reactors) until *v >= want, or 5 s. */
static uint64_t wait_for(_Atomic uint64_t *v, uint64_t want)
{
	uint64_t end = now_ms() + 5000;

	while (atomic_load(v) < want && now_ms() < end)
		usleep(200);
	return atomic_load(v);
}

/* Waits until reactor `index` went to sleep more than `sleeps` times, or 5 s. */
static uint64_t wait_for_sleeps(unsigned index, uint64_t sleeps)
{
	uint64_t end = now_ms() + 5000;
	struct reactor_stats stats;

	do {
		reactor_get_stats(env_reactor_at(index), &stats);
		if (stats.sleeps > sleeps)
			break;
		usleep(200);
	} while (now_ms() < end);
	return stats.sleeps;
}

static int start_env(enum env_mode mode)
{
	struct env_opts opts = {
		.core_mask = 0x3,
		.mode = mode,
		.adaptive_idle_spins = IDLE_SPINS,
		.no_pin = true,
	};

	if (env_init(&opts) != 0)
		return -1;
	return env_start();
}

static int setup_poll(void **state)
{
	*state = (void *)(uintptr_t)ENV_MODE_POLL;
	return start_env(ENV_MODE_POLL);
}

static int setup_interrupt(void **state)
{
	*state = (void *)(uintptr_t)ENV_MODE_INTERRUPT;
	return start_env(ENV_MODE_INTERRUPT);
}

static int setup_adaptive(void **state)
{
	*state = (void *)(uintptr_t)ENV_MODE_ADAPTIVE;
	return start_env(ENV_MODE_ADAPTIVE);
}

static int teardown(void **state)
{
	(void)state;
	env_stop();
	return 0;
}

static enum env_mode mode_of(void **state)
{
	return (enum env_mode)(uintptr_t)*state;
}

/* ---- Messages from many threads ---- */

#define SENDERS 4
#define MSGS_PER_SENDER 20000

struct msg_check {
	/* Per reactor, per sender: written only by that reactor. */
	uint64_t last[2][SENDERS];
	uint64_t out_of_order[2];
	uint64_t wrong_reactor;
	_Atomic uint64_t received;
};

static struct msg_check g_check;

struct msg {
	unsigned sender;
	unsigned target;
	uint64_t seq;
};

static struct msg g_msgs[SENDERS][MSGS_PER_SENDER];
/* reactor_post's events, one per message (the sender owns them). */
static struct reactor_event g_events[SENDERS][MSGS_PER_SENDER];

static void on_msg(void *arg)
{
	struct msg *m = arg;
	struct reactor *r = reactor_self();

	if (r != env_reactor_at(m->target)) {
		g_check.wrong_reactor++;
	} else {
		if (m->seq <= g_check.last[m->target][m->sender])
			g_check.out_of_order[m->target]++;
		g_check.last[m->target][m->sender] = m->seq;
	}
	atomic_fetch_add(&g_check.received, 1);
}

static void *sender_main(void *arg)
{
	unsigned sender = (unsigned)(uintptr_t)arg;

	for (unsigned i = 0; i < MSGS_PER_SENDER; i++) {
		struct msg *m = &g_msgs[sender][i];

		m->sender = sender;
		m->target = i % 2;
		/* Per reactor, a sender's messages carry increasing numbers. */
		m->seq = i + 1;
		while (reactor_send_msg(env_reactor_at(m->target), on_msg, m) == -EAGAIN)
			sched_yield();
	}
	return NULL;
}

/* Posting needs no room in the ring: it never fails while reactors run. */
static void *poster_main(void *arg)
{
	unsigned sender = (unsigned)(uintptr_t)arg;

	for (unsigned i = 0; i < MSGS_PER_SENDER; i++) {
		struct msg *m = &g_msgs[sender][i];
		struct reactor_event *ev = &g_events[sender][i];

		m->sender = sender;
		m->target = i % 2;
		m->seq = i + 1;
		ev->fn = on_msg;
		ev->arg = m;
		if (reactor_post(env_reactor_at(m->target), ev) != 0)
			abort();
	}
	return NULL;
}

/* Many senders, each a stream of messages to both reactors: every message
 * runs once, on its reactor, in the order its sender sent it. */
static void check_senders(void *(*sender)(void *))
{
	pthread_t threads[SENDERS];
	uint64_t total = SENDERS * MSGS_PER_SENDER;

	memset(&g_check, 0, sizeof(g_check));
	for (unsigned i = 0; i < SENDERS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, sender,
						(void *)(uintptr_t)i), 0);
	for (unsigned i = 0; i < SENDERS; i++)
		pthread_join(threads[i], NULL);
	assert_int_equal(wait_for(&g_check.received, total), total);
	/* Nothing arrives twice: the count stays. */
	usleep(10000);
	assert_int_equal(atomic_load(&g_check.received), total);
	assert_int_equal(g_check.wrong_reactor, 0);
	for (unsigned r = 0; r < 2; r++) {
		assert_int_equal(g_check.out_of_order[r], 0);
		for (unsigned s = 0; s < SENDERS; s++)
			assert_int_equal(g_check.last[r][s], MSGS_PER_SENDER - 1 + r);
	}
}

static void test_messages(void **state)
{
	(void)state;
	check_senders(sender_main);
}

static void test_posts(void **state)
{
	(void)state;
	check_senders(poster_main);
}

/* ---- call_sync ---- */

struct sync_ctx {
	struct reactor *ran_on;
	char thread_name[16];
	int value;
	int nested_rc;
};

static void sync_fn(void *arg)
{
	struct sync_ctx *c = arg;

	c->ran_on = reactor_self();
	pthread_getname_np(pthread_self(), c->thread_name, sizeof(c->thread_name));
	usleep(1000); /* the caller must really wait for this */
	c->value = 42;
}

static void nested_sync_fn(void *arg)
{
	struct sync_ctx *c = arg;

	c->nested_rc = reactor_call_sync(env_reactor_at(0), sync_fn, c);
}

static void test_call_sync(void **state)
{
	struct sync_ctx c = {0};

	(void)state;
	assert_null(reactor_self());
	for (unsigned i = 0; i < env_reactor_count(); i++) {
		memset(&c, 0, sizeof(c));
		assert_int_equal(reactor_call_sync(env_reactor_at(i), sync_fn, &c), 0);
		assert_int_equal(c.value, 42);
		assert_ptr_equal(c.ran_on, env_reactor_at(i));
		assert_string_equal(c.thread_name, i == 0 ? "reactor_0" : "reactor_1");
	}
	/* From a reactor it would block that reactor: refused. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(reactor_call_sync(env_reactor_at(1), nested_sync_fn, &c), 0);
	assert_int_equal(c.nested_rc, -EDEADLK);
	assert_int_equal(c.value, 0);
}

/* ---- Pollers ---- */

struct poll_ctx {
	struct poller *poller;
	const struct poller_ops *ops;
	int wake_fd;
	uint64_t period_us;
	/* poller_register_unwakeable, max_sleep_us = period_us */
	bool unwakeable;
	/* Stops itself after this many runs (0: never). */
	uint64_t max_runs;
	_Atomic uint64_t runs;
	_Atomic uint64_t work;      /* work items posted by the test */
	_Atomic uint64_t done;      /* work items the poller consumed */
	_Atomic uint64_t arm_on;    /* set_interrupt(true) calls */
	_Atomic uint64_t arm_off;   /* set_interrupt(false) calls */
	_Atomic int armed;
	uint64_t run_ns[64];
	struct reactor *ran_on;
	bool register_failed;
};

static int counting_poll(void *arg)
{
	struct poll_ctx *c = arg;
	uint64_t runs = atomic_fetch_add(&c->runs, 1) + 1;

	if (runs <= ARRAY_SIZE(c->run_ns))
		c->run_ns[runs - 1] = env_now_ns();
	c->ran_on = reactor_self();
	if (c->max_runs && runs >= c->max_runs) {
		poller_unregister(&c->poller);
		return POLLER_BUSY;
	}
	/* Busy until done, so that interrupt mode keeps running it. */
	return c->max_runs ? POLLER_BUSY : POLLER_IDLE;
}

/* A source of work that the test posts to: consumes it, returns BUSY if any. */
static int work_poll(void *arg)
{
	struct poll_ctx *c = arg;
	uint64_t work = atomic_load(&c->work);

	atomic_fetch_add(&c->runs, 1);
	if (atomic_load(&c->done) == work)
		return POLLER_IDLE;
	atomic_store(&c->done, work);
	return POLLER_BUSY;
}

static void work_set_interrupt(void *arg, bool enabled)
{
	struct poll_ctx *c = arg;

	atomic_fetch_add(enabled ? &c->arm_on : &c->arm_off, 1);
	atomic_store(&c->armed, enabled);
}

static const struct poller_ops g_counting_ops = {.name = "counting", .poll = counting_poll};
static const struct poller_ops g_work_ops = {
	.name = "work",
	.poll = work_poll,
	.set_interrupt = work_set_interrupt,
};

static void do_register(void *arg)
{
	struct poll_ctx *c = arg;

	c->poller = c->unwakeable ? poller_register_unwakeable(c->ops, c, c->period_us)
				  : poller_register(c->ops, c, c->wake_fd, c->period_us);
	c->register_failed = c->poller == NULL;
}

static void do_unregister(void *arg)
{
	struct poll_ctx *c = arg;

	poller_unregister(&c->poller);
}

static void register_on(unsigned index, struct poll_ctx *c)
{
	assert_int_equal(reactor_call_sync(env_reactor_at(index), do_register, c), 0);
	/* c->poller may already be NULL: a poller can unregister itself at once. */
	assert_false(c->register_failed);
}

static uint32_t pollers_on(unsigned index)
{
	struct reactor_stats stats;

	reactor_get_stats(env_reactor_at(index), &stats);
	return stats.pollers;
}

static void do_nothing(void *arg)
{
	(void)arg;
}

static void test_poller_unregisters_itself(void **state)
{
	struct poll_ctx c = {.ops = &g_counting_ops, .wake_fd = -1, .max_runs = 100};

	(void)state;
	assert_int_equal(pollers_on(1), 0);
	register_on(1, &c);
	assert_int_equal(wait_for(&c.runs, 100), 100);
	usleep(20000);
	/* A round trip orders the reactor's writes before the checks. */
	assert_int_equal(reactor_call_sync(env_reactor_at(1), do_nothing, NULL), 0);
	/* It ran exactly max_runs times, on its reactor, and is gone. */
	assert_int_equal(atomic_load(&c.runs), 100);
	assert_ptr_equal(c.ran_on, env_reactor_at(1));
	assert_null(c.poller);
	assert_int_equal(pollers_on(1), 0);
}

static void test_poller_register_off_reactor(void **state)
{
	(void)state;
	assert_null(poller_register(&g_counting_ops, NULL, -1, 0));
}

static void test_timed_poller(void **state)
{
	struct poll_ctx c = {.ops = &g_counting_ops, .wake_fd = -1, .period_us = 10000};
	uint64_t start = env_now_ns(), deadline = start + 10000000000ull, elapsed, runs;

	(void)state;
	register_on(0, &c);
	assert_int_equal(pollers_on(0), 1);
	/* A few periods, however long a loaded machine takes to give them. */
	while (atomic_load(&c.runs) < 4 && env_now_ns() < deadline)
		usleep(5000);
	assert_int_equal(reactor_call_sync(env_reactor_at(0), do_unregister, &c), 0);
	elapsed = env_now_ns() - start;
	runs = atomic_load(&c.runs);
	/* Scheduling may delay a run, never bring one forward: no more runs
	 * than periods elapsed, each at least a period after the last. */
	assert_in_range(runs, 4, elapsed / 10000000 + 1);
	assert_true(c.run_ns[0] - start >= 9000000);
	for (uint64_t i = 1; i < MIN(runs, ARRAY_SIZE(c.run_ns)); i++)
		assert_true(c.run_ns[i] - c.run_ns[i - 1] >= 9000000);
	assert_int_equal(pollers_on(0), 0);
}

/* A timed poller with a wake fd (a controller's management queue): a kick
 * while the reactor sleeps runs it at once, not a period later; in poll
 * mode (no sleeps, no kicks) it keeps to its period. */
static void test_timed_poller_kicked(void **state)
{
	struct poll_ctx c = {.ops = &g_counting_ops, .period_us = 60000000};
	uint64_t val = 1;

	c.wake_fd = eventfd(0, EFD_CLOEXEC);
	assert_true(c.wake_fd >= 0);
	register_on(0, &c);
	if (mode_of(state) != ENV_MODE_POLL)
		wait_for_sleeps(0, 0);
	assert_int_equal(atomic_load(&c.runs), 0);
	assert_int_equal(write(c.wake_fd, &val, sizeof(val)), sizeof(val));
	if (mode_of(state) == ENV_MODE_POLL) {
		usleep(50000);
		assert_int_equal(atomic_load(&c.runs), 0);
	} else {
		/* 5 s at most on a loaded machine; the period is a minute. */
		assert_int_equal(wait_for(&c.runs, 1), 1);
	}
	assert_int_equal(reactor_call_sync(env_reactor_at(0), do_unregister, &c), 0);
	close(c.wake_fd);
}

/* In poll mode the loop spins; in the others an idle reactor sleeps and
 * runs an idle poller rarely. */
static void test_idle_behaviour(void **state)
{
	struct poll_ctx c = {.ops = &g_counting_ops, .wake_fd = -1};
	struct reactor_stats before, after;
	uint64_t runs;

	register_on(1, &c);
	usleep(20000);
	reactor_get_stats(env_reactor_at(1), &before);
	atomic_store(&c.runs, 0);
	usleep(50000);
	runs = atomic_load(&c.runs);
	/* A sleep is accounted when the reactor wakes: wake it first. */
	assert_int_equal(reactor_call_sync(env_reactor_at(1), do_unregister, &c), 0);
	reactor_get_stats(env_reactor_at(1), &after);

	assert_true(after.busy_tsc + after.idle_tsc > before.busy_tsc + before.idle_tsc);
	if (mode_of(state) == ENV_MODE_POLL) {
		assert_int_equal(after.sleeps, 0);
		assert_true(runs > 1000);
	} else {
		/* Asleep through the window: the idle poller barely ran. */
		assert_true(before.sleeps > 0);
		assert_true(runs < 10);
	}
	/* The 50 ms with only an idle poller were counted as idle time. */
	assert_true(after.idle_tsc - before.idle_tsc >= env_tsc_hz() / 25);
}

/* An unwakeable poller (a doorbell page another process writes): work
 * posted with no kick is seen, in every mode, without a busy reactor; a
 * reactor that sleeps wakes every few milliseconds for it, not more. */
static void test_unwakeable_poller(void **state)
{
	struct poll_ctx c = {.ops = &g_work_ops, .unwakeable = true, .period_us = 2000};
	uint64_t runs;

	register_on(1, &c);
	if (mode_of(state) != ENV_MODE_POLL)
		wait_for_sleeps(1, 0);
	atomic_store(&c.work, 1);
	assert_int_equal(wait_for(&c.done, 1), 1);
	atomic_store(&c.runs, 0);
	usleep(50000);
	runs = atomic_load(&c.runs);
	assert_int_equal(reactor_call_sync(env_reactor_at(1), do_unregister, &c), 0);
	if (mode_of(state) == ENV_MODE_POLL) {
		assert_true(runs > 1000);
	} else {
		/* 50 ms asleep between looks of at most ~2 ms (whole ms): a
		 * few dozen wakes, each with its spins (adaptive), far fewer
		 * looks than a spinning loop's. */
		assert_in_range(runs, 1, 100 * (IDLE_SPINS + 2));
	}
}

/* A poller with a wake eventfd: the reactor sleeps, the fd is written, and
 * the poller runs and sees the work. */
static void test_wake_fd(void **state)
{
	struct poll_ctx c = {.ops = &g_work_ops};
	struct reactor_stats stats;
	uint64_t sleeps, val;

	c.wake_fd = eventfd(0, EFD_CLOEXEC);
	assert_true(c.wake_fd >= 0);
	register_on(0, &c);
	for (uint64_t round = 1; round <= 3; round++) {
		/* Let the reactor go to sleep (after the last round's wake, it
		 * went to sleep again: see below). */
		usleep(20000);
		reactor_get_stats(env_reactor_at(0), &stats);
		sleeps = stats.sleeps;
		if (mode_of(state) != ENV_MODE_POLL) {
			sleeps = wait_for_sleeps(0, 0);
			assert_true(sleeps > 0);
			assert_int_equal(atomic_load(&c.armed), 1);
		}
		atomic_store(&c.work, round);
		val = 1;
		assert_int_equal(write(c.wake_fd, &val, sizeof(val)), sizeof(val));
		assert_int_equal(wait_for(&c.done, round), round);
		if (mode_of(state) != ENV_MODE_POLL) {
			/* The reactor drained the counter, and goes back to sleep. */
			assert_true(wait_for_sleeps(0, sleeps) > sleeps);
			assert_int_equal(read(c.wake_fd, &val, sizeof(val)), -1);
			assert_int_equal(errno, EAGAIN);
		}
	}
	assert_int_equal(reactor_call_sync(env_reactor_at(0), do_unregister, &c), 0);
	switch (mode_of(state)) {
	case ENV_MODE_POLL:
		assert_int_equal(atomic_load(&c.arm_on), 0);
		assert_int_equal(atomic_load(&c.arm_off), 0);
		break;
	case ENV_MODE_INTERRUPT:
		/* Armed before every sleep (arming may be one-shot), never
		 * disarmed. */
		assert_true(atomic_load(&c.arm_on) >= 3);
		assert_int_equal(atomic_load(&c.arm_off), 0);
		break;
	case ENV_MODE_ADAPTIVE:
		/* Armed before each sleep, disarmed after it. */
		assert_true(atomic_load(&c.arm_on) >= 3);
		assert_in_range(atomic_load(&c.arm_on) - atomic_load(&c.arm_off), 0, 1);
		break;
	}
	close(c.wake_fd);
}

/* ---- Lifecycle (no fixture: it starts and stops env itself) ---- */

static void count_msg(void *arg)
{
	atomic_fetch_add((_Atomic uint64_t *)arg, 1);
}

static void test_lifecycle(void **state)
{
	struct env_opts opts = {.core_mask = 0x5, .mode = ENV_MODE_ADAPTIVE, .no_pin = true};
	_Atomic uint64_t count = 0;
	struct reactor *r;

	(void)state;
	assert_int_equal(env_start(), -EINVAL);
	assert_int_equal(env_init(&opts), 0);
	assert_int_equal(env_init(&opts), -EALREADY);
	assert_int_equal(env_reactor_count(), 2);
	assert_int_equal(reactor_core(env_reactor_at(0)), 0);
	assert_int_equal(reactor_core(env_reactor_at(1)), 2);
	assert_int_equal(reactor_index(env_reactor_at(1)), 1);
	assert_ptr_equal(env_reactor_by_core(2), env_reactor_at(1));
	assert_null(env_reactor_by_core(1));
	assert_null(env_reactor_at(2));
	/* Not running yet: a sync call would wait forever, a post never run. */
	assert_int_equal(reactor_call_sync(env_reactor_at(0), count_msg, &count), -ESRCH);
	assert_int_equal(reactor_post(env_reactor_at(0), &(struct reactor_event){.fn = count_msg}),
			 -ESRCH);
	/* Messages sent before start run once it starts. */
	assert_int_equal(reactor_send_msg(env_reactor_at(0), count_msg, &count), 0);
	assert_int_equal(env_start(), 0);
	assert_int_equal(env_start(), -EINVAL);
	assert_int_equal(wait_for(&count, 1), 1);
	/* Messages queued when env_stop is called still run. */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(reactor_send_msg(env_reactor_at(i % 2), count_msg, &count), 0);
	r = env_reactor_at(1);
	env_stop();
	assert_int_equal(atomic_load(&count), 1001);
	assert_int_equal(env_reactor_count(), 0);
	/* A stale pointer is refused, not used. */
	assert_int_equal(reactor_call_sync(r, count_msg, &count), -ESRCH);
	assert_int_equal(reactor_core(r), 2);

	/* Again, in another mode, with the default core mask. */
	opts = (struct env_opts){.mode = ENV_MODE_POLL, .no_pin = true};
	assert_int_equal(env_init(&opts), 0);
	assert_int_equal(env_reactor_count(), 1);
	assert_int_equal(env_start(), 0);
	assert_int_equal(reactor_call_sync(env_reactor_at(0), count_msg, &count), 0);
	assert_int_equal(atomic_load(&count), 1002);
	env_stop();
	env_stop(); /* harmless */
}

/* Pinned reactors need cores the process may use. */
static void test_pin_unavailable_core(void **state)
{
	struct env_opts opts = {.core_mask = 1ull << 63, .mode = ENV_MODE_POLL};
	cpu_set_t set;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	if (CPU_ISSET(63, &set))
		skip();
	assert_int_equal(env_init(&opts), -EINVAL);
	assert_int_equal(env_reactor_count(), 0);
}

static void test_tsc(void **state)
{
	uint64_t hz = env_tsc_hz(), t0 = env_tsc(), ns0 = env_now_ns(), t1, ns1;
	double measured;

	(void)state;
	assert_true(hz >= 1000000);
	usleep(20000);
	t1 = env_tsc();
	ns1 = env_now_ns();
	/* The tick rate agrees with the clock within 10 %. */
	measured = (double)(t1 - t0) * 1e9 / (double)(ns1 - ns0);
	assert_true(measured > hz * 0.9 && measured < hz * 1.1);
}

#define MODE_TESTS(setup)                                                        \
	cmocka_unit_test_setup_teardown(test_messages, setup, teardown),           \
	cmocka_unit_test_setup_teardown(test_posts, setup, teardown),              \
	cmocka_unit_test_setup_teardown(test_call_sync, setup, teardown),          \
	cmocka_unit_test_setup_teardown(test_poller_unregisters_itself, setup,     \
					teardown),                                 \
	cmocka_unit_test_setup_teardown(test_poller_register_off_reactor, setup,   \
					teardown),                                 \
	cmocka_unit_test_setup_teardown(test_timed_poller, setup, teardown),       \
	cmocka_unit_test_setup_teardown(test_timed_poller_kicked, setup, teardown), \
	cmocka_unit_test_setup_teardown(test_idle_behaviour, setup, teardown),     \
	cmocka_unit_test_setup_teardown(test_unwakeable_poller, setup, teardown),  \
	cmocka_unit_test_setup_teardown(test_wake_fd, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		MODE_TESTS(setup_poll),
		MODE_TESTS(setup_interrupt),
		MODE_TESTS(setup_adaptive),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_pin_unavailable_core),
		cmocka_unit_test(test_tsc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
