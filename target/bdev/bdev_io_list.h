/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TARGET_BDEV_IO_LIST_H
#define STORLAB_TARGET_BDEV_IO_LIST_H

/*
 * A FIFO of bdev_io linked through io->next, for backends: the completions
 * that null and malloc defer from submit to their poller (the async contract
 * forbids calling back inside bdev_submit), and the requests uring keeps
 * while its rings are full. A zeroed list is empty. One reactor only.
 */

#include <stdbool.h>
#include <stddef.h>

#include "target/bdev/bdev.h"

struct bdev_io_list {
	struct bdev_io *head;
	struct bdev_io *tail;
};

static inline bool bdev_io_list_empty(const struct bdev_io_list *l)
{
	return l->head == NULL;
}

static inline void bdev_io_list_push(struct bdev_io_list *l, struct bdev_io *io)
{
	io->next = NULL;
	if (l->tail)
		l->tail->next = io;
	else
		l->head = io;
	l->tail = io;
}

/* Puts io back at the head (a request that still found no room). */
static inline void bdev_io_list_push_front(struct bdev_io_list *l, struct bdev_io *io)
{
	io->next = l->head;
	l->head = io;
	if (!l->tail)
		l->tail = io;
}

static inline struct bdev_io *bdev_io_list_pop(struct bdev_io_list *l)
{
	struct bdev_io *io = l->head;

	if (io) {
		l->head = io->next;
		if (!l->head)
			l->tail = NULL;
	}
	return io;
}

/* Takes io out of l; false if it was not there. O(n): for aborts. */
bool bdev_io_list_remove(struct bdev_io_list *l, struct bdev_io *io);

/* Appends every I/O of src to dst, in order; src is left empty. */
static inline void bdev_io_list_move(struct bdev_io_list *dst, struct bdev_io_list *src)
{
	if (!src->head)
		return;
	if (dst->tail)
		dst->tail->next = src->head;
	else
		dst->head = src->head;
	dst->tail = src->tail;
	src->head = NULL;
	src->tail = NULL;
}

/*
 * Completes with status 0 every I/O queued before the call. I/O that the
 * callbacks submit waits for the next call, so one call is a bounded batch.
 * Returns POLLER_BUSY if it completed any, else POLLER_IDLE: a channel_poll.
 */
int bdev_io_list_complete(struct bdev_io_list *l);

#endif
