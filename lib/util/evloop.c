/* SPDX-License-Identifier: MIT */
/*
 * The control-thread event loop: epoll for fds, a sorted list of one-shot
 * timers whose earliest deadline bounds the epoll timeout, and an eventfd
 * that other threads write to wake the loop (evloop_wake, evloop_stop,
 * evloop_call).
 */
#define LOG_COMPONENT "evloop"
#include "util/evloop.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <time.h>
#include <unistd.h>

#include "util/common.h"
#include "util/log.h"

#define EVLOOP_MAX_EVENTS 64

/*
 * One fd registration. epoll hands back a pointer to it, so a registration
 * deleted by a callback must outlive the batch that may still hold that
 * pointer: it is marked deleted and parked on the zombie list until the batch
 * is over.
 */
struct evloop_reg {
	LIST_ENTRY(evloop_reg) link;
	int fd;
	bool deleted;
	evloop_fd_cb cb;
	void *arg;
};

struct evloop_timer {
	TAILQ_ENTRY(evloop_timer) link;
	int64_t id;
	uint64_t deadline_ns;
	evloop_timer_cb cb;
	void *arg;
};

struct evloop {
	int epfd;
	int wake_fd;
	atomic_bool stop;
	bool in_batch;
	LIST_HEAD(, evloop_reg) regs;
	LIST_HEAD(, evloop_reg) zombies;
	/* Sorted by deadline, then id: timers due at once fire in add order. */
	TAILQ_HEAD(evloop_timer_list, evloop_timer) timers;
	int64_t next_timer_id;
	pthread_mutex_t calls_lock;
	/* evloop_post's FIFO, linked through evloop_msg.next. */
	struct evloop_msg *calls_head;
	struct evloop_msg **calls_tail;
};

static uint64_t evloop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int evloop_create(struct evloop **loopp)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	struct evloop *loop;
	int rc;

	loop = calloc(1, sizeof(*loop));
	if (!loop)
		return -ENOMEM;
	LIST_INIT(&loop->regs);
	LIST_INIT(&loop->zombies);
	TAILQ_INIT(&loop->timers);
	loop->calls_tail = &loop->calls_head;
	loop->next_timer_id = 1;
	pthread_mutex_init(&loop->calls_lock, NULL);

	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		rc = -errno;
		log_err("epoll_create1: %s", strerror(-rc));
		goto err_free;
	}
	loop->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loop->wake_fd < 0) {
		rc = -errno;
		log_err("eventfd: %s", strerror(-rc));
		goto err_epfd;
	}
	/* data.ptr NULL marks the wake eventfd among the registrations. */
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->wake_fd, &ev) < 0) {
		rc = -errno;
		log_err("epoll_ctl(wake fd): %s", strerror(-rc));
		goto err_wake;
	}
	*loopp = loop;
	return 0;

err_wake:
	close(loop->wake_fd);
err_epfd:
	close(loop->epfd);
err_free:
	pthread_mutex_destroy(&loop->calls_lock);
	free(loop);
	return rc;
}

static void evloop_free_zombies(struct evloop *loop)
{
	struct evloop_reg *reg;

	while ((reg = LIST_FIRST(&loop->zombies))) {
		LIST_REMOVE(reg, link);
		free(reg);
	}
}

void evloop_destroy(struct evloop *loop)
{
	struct evloop_timer *timer;
	struct evloop_msg *call;
	struct evloop_reg *reg;

	if (!loop)
		return;
	while ((reg = LIST_FIRST(&loop->regs))) {
		LIST_REMOVE(reg, link);
		free(reg);
	}
	evloop_free_zombies(loop);
	while ((timer = TAILQ_FIRST(&loop->timers))) {
		TAILQ_REMOVE(&loop->timers, timer, link);
		free(timer);
	}
	/* Calls that never ran are dropped: the header says callbacks are not
	 * called once the loop is destroyed. */
	while ((call = loop->calls_head)) {
		loop->calls_head = call->next;
		if (call->owned)
			free(call);
	}
	close(loop->wake_fd);
	close(loop->epfd);
	pthread_mutex_destroy(&loop->calls_lock);
	free(loop);
}

static struct evloop_reg *evloop_find(struct evloop *loop, int fd)
{
	struct evloop_reg *reg;

	LIST_FOREACH(reg, &loop->regs, link) {
		if (reg->fd == fd)
			return reg;
	}
	return NULL;
}

int evloop_add_fd(struct evloop *loop, int fd, uint32_t events, evloop_fd_cb cb, void *arg)
{
	struct epoll_event ev = {.events = events};
	struct evloop_reg *reg;
	int rc;

	if (fd < 0 || !cb)
		return -EINVAL;
	if (evloop_find(loop, fd))
		return -EEXIST;
	reg = calloc(1, sizeof(*reg));
	if (!reg)
		return -ENOMEM;
	reg->fd = fd;
	reg->cb = cb;
	reg->arg = arg;
	ev.data.ptr = reg;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		rc = -errno;
		log_err("epoll_ctl(ADD, fd %d): %s", fd, strerror(-rc));
		free(reg);
		return rc;
	}
	LIST_INSERT_HEAD(&loop->regs, reg, link);
	return 0;
}

int evloop_mod_fd(struct evloop *loop, int fd, uint32_t events)
{
	struct evloop_reg *reg = evloop_find(loop, fd);
	struct epoll_event ev = {.events = events};
	int rc;

	if (!reg)
		return -ENOENT;
	ev.data.ptr = reg;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0) {
		rc = -errno;
		log_err("epoll_ctl(MOD, fd %d): %s", fd, strerror(-rc));
		return rc;
	}
	return 0;
}

int evloop_del_fd(struct evloop *loop, int fd)
{
	struct evloop_reg *reg = evloop_find(loop, fd);

	if (!reg)
		return -ENOENT;
	/* The fd may already be closed by the caller (then epoll dropped it on
	 * its own); either way the registration is gone. */
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	LIST_REMOVE(reg, link);
	if (loop->in_batch) {
		reg->deleted = true;
		LIST_INSERT_HEAD(&loop->zombies, reg, link);
	} else {
		free(reg);
	}
	return 0;
}

int64_t evloop_add_timer(struct evloop *loop, uint64_t timeout_ms, evloop_timer_cb cb, void *arg)
{
	struct evloop_timer *timer, *pos;

	if (!cb)
		return -EINVAL;
	timer = calloc(1, sizeof(*timer));
	if (!timer)
		return -ENOMEM;
	timer->id = loop->next_timer_id++;
	timer->deadline_ns = evloop_now_ns() + timeout_ms * 1000000ull;
	timer->cb = cb;
	timer->arg = arg;
	/* Insert after every timer due no later: few timers, a list will do. */
	TAILQ_FOREACH_REVERSE(pos, &loop->timers, evloop_timer_list, link) {
		if (pos->deadline_ns <= timer->deadline_ns)
			break;
	}
	if (pos)
		TAILQ_INSERT_AFTER(&loop->timers, pos, timer, link);
	else
		TAILQ_INSERT_HEAD(&loop->timers, timer, link);
	return timer->id;
}

int evloop_cancel_timer(struct evloop *loop, int64_t id)
{
	struct evloop_timer *timer;

	TAILQ_FOREACH(timer, &loop->timers, link) {
		if (timer->id == id) {
			TAILQ_REMOVE(&loop->timers, timer, link);
			free(timer);
			return 0;
		}
	}
	return -ENOENT;
}

/* The epoll timeout: the caller's, shortened to the first timer's deadline
 * (rounded up, so a timer is never found not yet due after the wait). */
static int evloop_wait_ms(struct evloop *loop, int timeout_ms)
{
	struct evloop_timer *first = TAILQ_FIRST(&loop->timers);
	uint64_t now, wait_ms;

	if (!first)
		return timeout_ms;
	now = evloop_now_ns();
	if (first->deadline_ns <= now)
		return 0;
	wait_ms = (first->deadline_ns - now + 999999) / 1000000;
	if (timeout_ms >= 0 && (uint64_t)timeout_ms < wait_ms)
		return timeout_ms;
	return (int)MIN(wait_ms, (uint64_t)INT32_MAX);
}

static int evloop_run_calls(struct evloop *loop)
{
	struct evloop_msg *call, *next;
	uint64_t count;
	int n = 0;

	/* Reset the counter first: a call posted from now on writes it again. */
	if (read(loop->wake_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		log_warn("read(wake fd): %s", strerror(errno));
	pthread_mutex_lock(&loop->calls_lock);
	call = loop->calls_head;
	loop->calls_head = NULL;
	loop->calls_tail = &loop->calls_head;
	pthread_mutex_unlock(&loop->calls_lock);
	for (; call; call = next, n++) {
		bool owned = call->owned;

		/* fn may free msg or post it again. */
		next = call->next;
		call->fn(call->arg);
		if (owned)
			free(call);
	}
	return n;
}

/* Runs the timers due now. Timers added by these callbacks wait for the next
 * turn, even with a zero timeout, so a timer re-arming itself cannot starve
 * the fds. */
static int evloop_run_timers(struct evloop *loop)
{
	int64_t last_id = loop->next_timer_id;
	uint64_t now = evloop_now_ns();
	struct evloop_timer *timer;
	int n = 0;

	for (;;) {
		/* Callbacks may add or cancel timers: look again from the head. */
		TAILQ_FOREACH(timer, &loop->timers, link) {
			if (timer->deadline_ns > now || timer->id < last_id)
				break;
		}
		if (!timer || timer->deadline_ns > now)
			break;
		TAILQ_REMOVE(&loop->timers, timer, link);
		timer->cb(timer->arg);
		free(timer);
		n++;
	}
	return n;
}

int evloop_run_once(struct evloop *loop, int timeout_ms)
{
	struct epoll_event events[EVLOOP_MAX_EVENTS];
	struct evloop_reg *reg;
	int nev, n = 0;

	nev = epoll_wait(loop->epfd, events, EVLOOP_MAX_EVENTS, evloop_wait_ms(loop, timeout_ms));
	if (nev < 0) {
		if (errno == EINTR)
			return 0;
		log_err("epoll_wait: %s", strerror(errno));
		return -errno;
	}
	loop->in_batch = true;
	for (int i = 0; i < nev; i++) {
		reg = events[i].data.ptr;
		if (!reg) {
			n += evloop_run_calls(loop);
			continue;
		}
		if (reg->deleted)
			continue;
		reg->cb(reg->arg, events[i].events);
		n++;
	}
	n += evloop_run_timers(loop);
	loop->in_batch = false;
	evloop_free_zombies(loop);
	return n;
}

int evloop_run(struct evloop *loop)
{
	int rc;

	/* The stop request is consumed here, so the loop can be run again. */
	while (!atomic_exchange(&loop->stop, false)) {
		rc = evloop_run_once(loop, -1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void evloop_wake(struct evloop *loop)
{
	uint64_t one = 1;

	/* EAGAIN means the counter is already non-zero: the loop is woken. */
	if (write(loop->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("write(wake fd): %s", strerror(errno));
}

void evloop_stop(struct evloop *loop)
{
	atomic_store(&loop->stop, true);
	evloop_wake(loop);
}

void evloop_post(struct evloop *loop, struct evloop_msg *msg)
{
	msg->next = NULL;
	pthread_mutex_lock(&loop->calls_lock);
	*loop->calls_tail = msg;
	loop->calls_tail = &msg->next;
	pthread_mutex_unlock(&loop->calls_lock);
	evloop_wake(loop);
}

int evloop_call(struct evloop *loop, void (*fn)(void *arg), void *arg)
{
	struct evloop_msg *call = malloc(sizeof(*call));

	if (!call)
		return -ENOMEM;
	call->fn = fn;
	call->arg = arg;
	call->owned = true;
	evloop_post(loop, call);
	return 0;
}
