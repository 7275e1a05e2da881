/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_UTIL_EVLOOP_H
#define STORLAB_UTIL_EVLOOP_H

/*
 * A small epoll loop for control threads (sockets of vhost-user, JSON-RPC,
 * signals). Never used on the data path: reactors poll (lib/env).
 *
 * Threading: one loop belongs to one thread; every call but evloop_wake()
 * must come from that thread. evloop_wake() may be called from any thread.
 *
 * A callback may add or delete any fd, including its own: a deleted fd's
 * callback is not called again, even if it is ready in the same batch.
 */

#include <stdbool.h>
#include <stdint.h>

struct evloop;

/* events: EPOLLIN, EPOLLOUT, EPOLLHUP, EPOLLERR as returned by epoll. */
typedef void (*evloop_fd_cb)(void *arg, uint32_t events);
typedef void (*evloop_timer_cb)(void *arg);

int evloop_create(struct evloop **loop);
/* Deletes every registration; callbacks are not called. */
void evloop_destroy(struct evloop *loop);

/* events: EPOLLIN and/or EPOLLOUT. Returns 0, -EEXIST, or a negative errno. */
int evloop_add_fd(struct evloop *loop, int fd, uint32_t events, evloop_fd_cb cb, void *arg);
int evloop_mod_fd(struct evloop *loop, int fd, uint32_t events);
/* Returns 0 or -ENOENT. Does not close fd. */
int evloop_del_fd(struct evloop *loop, int fd);

/* A one-shot timer after timeout_ms; returns an id > 0 or a negative errno. */
int64_t evloop_add_timer(struct evloop *loop, uint64_t timeout_ms, evloop_timer_cb cb, void *arg);
/* Returns 0 or -ENOENT (already fired or unknown). */
int evloop_cancel_timer(struct evloop *loop, int64_t id);

/* Waits up to timeout_ms (-1: forever) and runs ready callbacks and due
 * timers once. Returns the number of callbacks run, or a negative errno
 * (-EINTR is not an error: it returns 0). */
int evloop_run_once(struct evloop *loop, int timeout_ms);
/* Runs until evloop_stop() (from a callback or another thread). */
int evloop_run(struct evloop *loop);
/* Thread safe. Makes evloop_run() return after the current batch. */
void evloop_stop(struct evloop *loop);
/* Thread safe. Makes a waiting evloop_run_once() return. */
void evloop_wake(struct evloop *loop);
/* Thread safe. Runs fn(arg) on the loop's thread at its next turn.
 * Returns 0 or -ENOMEM. */
int evloop_call(struct evloop *loop, void (*fn)(void *arg), void *arg);

/* A call in memory the poster owns: how reactors answer the control thread
 * (a stopped ring, a swapped fd), since it needs no allocation and cannot
 * fail. Fill fn and arg; the loop owns `next`. */
struct evloop_msg {
	struct evloop_msg *next;
	void (*fn)(void *arg);
	void *arg;
	bool owned; /* the loop's: freed after it ran (evloop_call) */
};
/* Thread safe. Runs msg->fn(msg->arg) on the loop's thread at its next
 * turn, in post order. msg must stay valid, and not be posted again, until
 * fn has been called; fn may free or post it again. evloop_post touches msg
 * only before it returns. A message still queued when the loop is
 * destroyed is dropped, fn not called. */
void evloop_post(struct evloop *loop, struct evloop_msg *msg);

#endif
