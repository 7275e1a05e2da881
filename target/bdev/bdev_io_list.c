/* SPDX-License-Identifier: MIT */
#include "target/bdev/bdev_io_list.h"

#include "env/env.h"

int bdev_io_list_complete(struct bdev_io_list *l)
{
	struct bdev_io *io = l->head;
	struct bdev_io *next;

	if (!io)
		return POLLER_IDLE;
	/* Detach the batch first: callbacks may submit, which pushes to l. */
	l->head = NULL;
	l->tail = NULL;
	for (; io; io = next) {
		next = io->next;
		bdev_io_complete(io, 0);
	}
	return POLLER_BUSY;
}

bool bdev_io_list_remove(struct bdev_io_list *l, struct bdev_io *io)
{
	struct bdev_io *prev = NULL;

	for (struct bdev_io *cur = l->head; cur; prev = cur, cur = cur->next) {
		if (cur != io)
			continue;
		if (prev)
			prev->next = cur->next;
		else
			l->head = cur->next;
		if (l->tail == cur)
			l->tail = prev;
		return true;
	}
	return false;
}
