/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/evloop.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int setup(void **state)
{
	struct evloop *loop;

	if (evloop_create(&loop) != 0)
		return -1;
	*state = loop;
	return 0;
}

static int teardown(void **state)
{
	evloop_destroy(*state);
	return 0;
}

/* ---- fds ---- */

struct pipe_ctx {
	struct evloop *loop;
	int fds[2];
	int calls;
	uint32_t events;
	char data[16];
	struct pipe_ctx *victim; /* deleted by this one's callback */
};

static void pipe_open(struct pipe_ctx *p, struct evloop *loop)
{
	memset(p, 0, sizeof(*p));
	p->loop = loop;
	assert_int_equal(pipe(p->fds), 0);
}

static void pipe_close(struct pipe_ctx *p)
{
	close(p->fds[0]);
	close(p->fds[1]);
}

static void on_readable(void *arg, uint32_t events)
{
	struct pipe_ctx *p = arg;
	ssize_t n;

	p->calls++;
	p->events = events;
	n = read(p->fds[0], p->data, sizeof(p->data) - 1);
	if (n > 0)
		p->data[n] = '\0';
	if (p->victim)
		evloop_del_fd(p->loop, p->victim->fds[0]);
}

static void test_fd_readable(void **state)
{
	struct evloop *loop = *state;
	struct pipe_ctx p;

	pipe_open(&p, loop);
	assert_int_equal(evloop_add_fd(loop, p.fds[0], EPOLLIN, on_readable, &p), 0);
	assert_int_equal(evloop_add_fd(loop, p.fds[0], EPOLLIN, on_readable, &p), -EEXIST);
	/* Nothing to read: the wait times out and runs nothing. */
	assert_int_equal(evloop_run_once(loop, 10), 0);
	assert_int_equal(p.calls, 0);

	assert_int_equal(write(p.fds[1], "hello", 5), 5);
	assert_int_equal(evloop_run_once(loop, 1000), 1);
	assert_int_equal(p.calls, 1);
	assert_true(p.events & EPOLLIN);
	assert_string_equal(p.data, "hello");

	assert_int_equal(evloop_del_fd(loop, p.fds[0]), 0);
	assert_int_equal(evloop_del_fd(loop, p.fds[0]), -ENOENT);
	assert_int_equal(write(p.fds[1], "x", 1), 1);
	assert_int_equal(evloop_run_once(loop, 10), 0);
	assert_int_equal(p.calls, 1);
	pipe_close(&p);
}

static void on_writable(void *arg, uint32_t events)
{
	struct pipe_ctx *p = arg;

	p->calls++;
	p->events = events;
}

static void test_fd_mod(void **state)
{
	struct evloop *loop = *state;
	struct pipe_ctx p;

	pipe_open(&p, loop);
	assert_int_equal(evloop_mod_fd(loop, p.fds[1], EPOLLOUT), -ENOENT);
	/* The write end: registered for input it never fires; for output it does. */
	assert_int_equal(evloop_add_fd(loop, p.fds[1], EPOLLIN, on_writable, &p), 0);
	assert_int_equal(evloop_run_once(loop, 10), 0);
	assert_int_equal(evloop_mod_fd(loop, p.fds[1], EPOLLOUT), 0);
	assert_int_equal(evloop_run_once(loop, 1000), 1);
	assert_int_equal(p.calls, 1);
	assert_true(p.events & EPOLLOUT);
	assert_int_equal(evloop_del_fd(loop, p.fds[1]), 0);
	pipe_close(&p);
}

/* Two ready fds whose callbacks delete each other: whichever runs first,
 * the other's pending event of the same batch must not be delivered. */
static void test_delete_in_callback(void **state)
{
	struct evloop *loop = *state;
	struct pipe_ctx a, b;

	pipe_open(&a, loop);
	pipe_open(&b, loop);
	a.victim = &b;
	b.victim = &a;
	assert_int_equal(evloop_add_fd(loop, a.fds[0], EPOLLIN, on_readable, &a), 0);
	assert_int_equal(evloop_add_fd(loop, b.fds[0], EPOLLIN, on_readable, &b), 0);
	assert_int_equal(write(a.fds[1], "a", 1), 1);
	assert_int_equal(write(b.fds[1], "b", 1), 1);
	assert_int_equal(evloop_run_once(loop, 1000), 1);
	assert_int_equal(a.calls + b.calls, 1);
	/* The survivor is still registered, the victim is gone. */
	if (a.calls) {
		assert_int_equal(evloop_del_fd(loop, b.fds[0]), -ENOENT);
		assert_int_equal(evloop_del_fd(loop, a.fds[0]), 0);
	} else {
		assert_int_equal(evloop_del_fd(loop, a.fds[0]), -ENOENT);
		assert_int_equal(evloop_del_fd(loop, b.fds[0]), 0);
	}
	pipe_close(&a);
	pipe_close(&b);
}

static void on_readable_del_self(void *arg, uint32_t events)
{
	struct pipe_ctx *p = arg;

	on_readable(arg, events);
	assert_int_equal(evloop_del_fd(p->loop, p->fds[0]), 0);
}

static void test_delete_self_in_callback(void **state)
{
	struct evloop *loop = *state;
	struct pipe_ctx p;

	pipe_open(&p, loop);
	assert_int_equal(evloop_add_fd(loop, p.fds[0], EPOLLIN, on_readable_del_self, &p), 0);
	assert_int_equal(write(p.fds[1], "ab", 2), 2);
	assert_int_equal(evloop_run_once(loop, 1000), 1);
	assert_int_equal(write(p.fds[1], "c", 1), 1);
	assert_int_equal(evloop_run_once(loop, 10), 0);
	assert_int_equal(p.calls, 1);
	/* The fd can be registered again once deleted. */
	assert_int_equal(evloop_add_fd(loop, p.fds[0], EPOLLIN, on_readable, &p), 0);
	assert_int_equal(evloop_run_once(loop, 1000), 1);
	assert_int_equal(p.calls, 2);
	assert_string_equal(p.data, "c");
	assert_int_equal(evloop_del_fd(loop, p.fds[0]), 0);
	pipe_close(&p);
}

/* ---- timers ---- */

struct timer_log {
	struct evloop *loop;
	int order[8];
	uint64_t at[8];
	int n;
	int64_t rearm_id;
};

struct timer_arg {
	struct timer_log *log;
	int tag;
};

static void on_timer(void *arg)
{
	struct timer_arg *t = arg;

	t->log->at[t->log->n] = now_ms();
	t->log->order[t->log->n++] = t->tag;
}

static void run_until(struct evloop *loop, int *counter, int want, uint64_t limit_ms)
{
	uint64_t end = now_ms() + limit_ms;

	while (*counter < want && now_ms() < end)
		assert_true(evloop_run_once(loop, 100) >= 0);
}

static void test_timers_order_and_cancel(void **state)
{
	struct evloop *loop = *state;
	struct timer_log log = {.loop = loop};
	struct timer_arg args[4] = {{&log, 30}, {&log, 10}, {&log, 20}, {&log, 15}};
	uint64_t start = now_ms();
	int64_t ids[4];

	for (int i = 0; i < 4; i++) {
		ids[i] = evloop_add_timer(loop, (uint64_t)args[i].tag, on_timer, &args[i]);
		assert_true(ids[i] > 0);
	}
	assert_int_equal(evloop_cancel_timer(loop, ids[3]), 0);
	assert_int_equal(evloop_cancel_timer(loop, ids[3]), -ENOENT);
	run_until(loop, &log.n, 3, 2000);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.order[0], 10);
	assert_int_equal(log.order[1], 20);
	assert_int_equal(log.order[2], 30);
	for (int i = 0; i < 3; i++)
		assert_true(log.at[i] - start >= (uint64_t)log.order[i]);
	/* Fired timers are gone. */
	assert_int_equal(evloop_cancel_timer(loop, ids[0]), -ENOENT);
	assert_int_equal(evloop_run_once(loop, 40), 0);
	assert_int_equal(log.n, 3);
}

static void on_timer_rearm(void *arg)
{
	struct timer_arg *t = arg;

	on_timer(arg);
	if (t->log->n < 3)
		t->log->rearm_id = evloop_add_timer(t->log->loop, 0, on_timer_rearm, arg);
}

/* A timer that re-arms itself with a zero timeout runs once per turn, so it
 * cannot keep the loop from its fds. */
static void test_timer_rearm_next_turn(void **state)
{
	struct evloop *loop = *state;
	struct timer_log log = {.loop = loop};
	struct timer_arg arg = {&log, 1};

	assert_true(evloop_add_timer(loop, 0, on_timer_rearm, &arg) > 0);
	assert_int_equal(evloop_run_once(loop, 1000), 1);
	assert_int_equal(log.n, 1);
	assert_int_equal(evloop_run_once(loop, 1000), 1);
	assert_int_equal(log.n, 2);
	assert_int_equal(evloop_run_once(loop, 1000), 1);
	assert_int_equal(log.n, 3);
	assert_int_equal(evloop_run_once(loop, 10), 0);
}

/* ---- other threads ---- */

#define CALLS 1000

struct call_ctx {
	struct evloop *loop;
	pthread_t loop_thread;
	int seen[CALLS];
	int n;
	int wrong_thread;
	int send_errors;
};

struct call_arg {
	struct call_ctx *ctx;
	int value;
};

static void on_call(void *arg)
{
	struct call_arg *c = arg;

	if (!pthread_equal(pthread_self(), c->ctx->loop_thread))
		c->ctx->wrong_thread++;
	c->ctx->seen[c->ctx->n++] = c->value;
}

static struct call_arg g_call_args[CALLS];
static struct evloop_msg g_call_msgs[CALLS];

static void *caller_thread(void *arg)
{
	struct call_ctx *ctx = arg;

	for (int i = 0; i < CALLS; i++) {
		g_call_args[i].ctx = ctx;
		g_call_args[i].value = i;
		if (evloop_call(ctx->loop, on_call, &g_call_args[i]) != 0)
			ctx->send_errors++;
		if (i % 100 == 0)
			usleep(100);
	}
	return NULL;
}

/* The same with messages the caller owns. */
static void *poster_thread(void *arg)
{
	struct call_ctx *ctx = arg;

	for (int i = 0; i < CALLS; i++) {
		g_call_args[i].ctx = ctx;
		g_call_args[i].value = i;
		g_call_msgs[i] = (struct evloop_msg){.fn = on_call, .arg = &g_call_args[i]};
		evloop_post(ctx->loop, &g_call_msgs[i]);
		if (i % 100 == 0)
			usleep(100);
	}
	return NULL;
}

/* Every call runs once, on the loop's thread, in the order it was made. */
static void check_calls_from_thread(struct evloop *loop, void *(*caller)(void *))
{
	struct call_ctx ctx = {.loop = loop, .loop_thread = pthread_self()};
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, caller, &ctx), 0);
	run_until(ctx.loop, &ctx.n, CALLS, 5000);
	pthread_join(t, NULL);
	assert_int_equal(ctx.send_errors, 0);
	assert_int_equal(ctx.n, CALLS);
	assert_int_equal(ctx.wrong_thread, 0);
	for (int i = 0; i < CALLS; i++)
		assert_int_equal(ctx.seen[i], i);
}

static void test_call_from_thread(void **state)
{
	check_calls_from_thread(*state, caller_thread);
}

static void test_post_from_thread(void **state)
{
	check_calls_from_thread(*state, poster_thread);
}

static void *stopper_thread(void *arg)
{
	usleep(20000);
	evloop_stop(arg);
	return NULL;
}

static void test_stop_from_thread(void **state)
{
	struct evloop *loop = *state;
	uint64_t start = now_ms();
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, stopper_thread, loop), 0);
	assert_int_equal(evloop_run(loop), 0);
	pthread_join(t, NULL);
	assert_true(now_ms() - start >= 20);
	/* The stop was consumed: the loop runs again (and stops again). */
	assert_int_equal(pthread_create(&t, NULL, stopper_thread, loop), 0);
	assert_int_equal(evloop_run(loop), 0);
	pthread_join(t, NULL);
}

static void stop_from_timer(void *arg)
{
	evloop_stop(arg);
}

static void test_stop_from_callback(void **state)
{
	struct evloop *loop = *state;

	assert_true(evloop_add_timer(loop, 5, stop_from_timer, loop) > 0);
	assert_int_equal(evloop_run(loop), 0);
}

static void *waker_thread(void *arg)
{
	usleep(20000);
	evloop_wake(arg);
	return NULL;
}

static void test_wake(void **state)
{
	struct evloop *loop = *state;
	uint64_t start = now_ms();
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, waker_thread, loop), 0);
	/* A wake runs no callback, but ends the wait well before 10 s. */
	assert_int_equal(evloop_run_once(loop, 10000), 0);
	pthread_join(t, NULL);
	assert_true(now_ms() - start < 5000);
}

static void never_called(void *arg)
{
	(*(int *)arg)++;
}

/* Destroy drops what is still registered or queued, without calling it. */
static void test_destroy_with_pending(void **state)
{
	struct evloop *loop;
	struct pipe_ctx p;
	int called = 0;

	(void)state;
	assert_int_equal(evloop_create(&loop), 0);
	pipe_open(&p, loop);
	assert_int_equal(evloop_add_fd(loop, p.fds[0], EPOLLIN, on_readable, &p), 0);
	assert_true(evloop_add_timer(loop, 0, never_called, &called) > 0);
	assert_int_equal(evloop_call(loop, never_called, &called), 0);
	evloop_post(loop, &(struct evloop_msg){.fn = never_called, .arg = &called});
	evloop_destroy(loop);
	assert_int_equal(called, 0);
	assert_int_equal(p.calls, 0);
	pipe_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fd_readable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_mod, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_in_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_self_in_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timers_order_and_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_rearm_next_turn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_call_from_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_post_from_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_from_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wake, setup, teardown),
		cmocka_unit_test(test_destroy_with_pending),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
