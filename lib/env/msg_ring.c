/* SPDX-License-Identifier: MIT */
#include "env/msg_ring.h"

#include <errno.h>

#define MSG_RING_MASK (MSG_RING_SIZE - 1)
_Static_assert((MSG_RING_SIZE & MSG_RING_MASK) == 0, "ring size must be a power of two");

void msg_ring_init(struct msg_ring *ring)
{
	atomic_init(&ring->enq, 0);
	ring->deq = 0;
	for (uint64_t i = 0; i < MSG_RING_SIZE; i++)
		atomic_init(&ring->slots[i].seq, i);
}

int msg_ring_put(struct msg_ring *ring, reactor_msg_fn fn, void *arg)
{
	uint64_t pos = atomic_load_explicit(&ring->enq, memory_order_relaxed);
	struct msg_slot *slot;
	int64_t dif;

	for (;;) {
		slot = &ring->slots[pos & MSG_RING_MASK];
		dif = (int64_t)(atomic_load_explicit(&slot->seq, memory_order_acquire) - pos);
		if (dif == 0) {
			/* The slot is free for this lap: claim the position. */
			if (atomic_compare_exchange_weak_explicit(&ring->enq, &pos, pos + 1,
								  memory_order_relaxed,
								  memory_order_relaxed))
				break;
		} else if (dif < 0) {
			/* The consumer has not released this slot of the last lap. */
			return -EAGAIN;
		} else {
			/* Another producer took pos: retry at the new end. */
			pos = atomic_load_explicit(&ring->enq, memory_order_relaxed);
		}
	}
	slot->fn = fn;
	slot->arg = arg;
	atomic_store_explicit(&slot->seq, pos + 1, memory_order_release);
	return 0;
}

bool msg_ring_get(struct msg_ring *ring, reactor_msg_fn *fn, void **arg)
{
	struct msg_slot *slot = &ring->slots[ring->deq & MSG_RING_MASK];

	if (atomic_load_explicit(&slot->seq, memory_order_acquire) != ring->deq + 1)
		return false;
	*fn = slot->fn;
	*arg = slot->arg;
	atomic_store_explicit(&slot->seq, ring->deq + MSG_RING_SIZE, memory_order_release);
	ring->deq++;
	return true;
}

bool msg_ring_empty(struct msg_ring *ring)
{
	struct msg_slot *slot = &ring->slots[ring->deq & MSG_RING_MASK];

	return atomic_load_explicit(&slot->seq, memory_order_acquire) != ring->deq + 1;
}
