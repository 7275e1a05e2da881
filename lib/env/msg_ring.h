/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_ENV_MSG_RING_H
#define STORLAB_ENV_MSG_RING_H

/*
 * The message ring of a reactor (internal to lib/env): bounded, lock-free,
 * many producers, one consumer. Each slot carries a sequence number (Dmitry
 * Vyukov's bounded queue): a producer claims a position with one CAS and
 * publishes the slot by storing position + 1 in its sequence; the consumer
 * releases it by storing position + capacity. Messages of one producer come
 * out in the order they went in.
 */

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "env/env.h"

#define MSG_RING_SIZE 4096u

struct msg_slot {
	_Atomic uint64_t seq;
	reactor_msg_fn fn;
	void *arg;
};

struct msg_ring {
	/* Producers and the consumer each get their own cache line. */
	alignas(64) _Atomic uint64_t enq;
	alignas(64) uint64_t deq;
	alignas(64) struct msg_slot slots[MSG_RING_SIZE];
};

void msg_ring_init(struct msg_ring *ring);
/* Any thread. Returns 0 or -EAGAIN if the ring is full. */
int msg_ring_put(struct msg_ring *ring, reactor_msg_fn fn, void *arg);
/* The consumer only. Returns false if no published message is there. */
bool msg_ring_get(struct msg_ring *ring, reactor_msg_fn *fn, void **arg);
/* The consumer only (it reads the consumer's position). */
bool msg_ring_empty(struct msg_ring *ring);

#endif
