/* SPDX-License-Identifier: MIT */
/*
 * The in-flight buffer's layout and its reconnect procedure
 * (vhost_inflight.h): pure functions over memory, no sockets. Everything in
 * the buffer was last written by a back-end that may have crashed, or by a
 * front-end: every index read from it is bounded before it is used.
 */
#define LOG_COMPONENT "vhost"

#include "vhost/vhost_inflight.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "virtio/virtq.h"

#define SPEC "vhost-user.rst \"Inflight I/O tracking\""

uint64_t vhost_inflight_queue_bytes(uint16_t queue_size)
{
	uint64_t bytes = sizeof(struct vhost_user_inflight_split) +
			 (uint64_t)queue_size * sizeof(struct vhost_user_inflight_desc_split);

	return ALIGN_UP(bytes, (uint64_t)VHOST_INFLIGHT_ALIGN);
}

uint64_t vhost_inflight_bytes(uint16_t num_queues, uint16_t queue_size)
{
	return (uint64_t)num_queues * vhost_inflight_queue_bytes(queue_size);
}

struct vhost_user_inflight_split *vhost_inflight_queue(void *buf, uint16_t queue_size, uint16_t i)
{
	return (struct vhost_user_inflight_split *)((uint8_t *)buf +
						    i * vhost_inflight_queue_bytes(queue_size));
}

const char *vhost_inflight_check_desc(const struct vhost_user_inflight *d, uint16_t max_queues,
				      bool set)
{
	if (d->num_queues == 0 || d->num_queues > max_queues)
		return SPEC ": num queues is 0 or more than the back-end's queues";
	/* virtio 1.2 §2.7: a split ring has at most 32768 entries. */
	if (d->queue_size == 0 || d->queue_size > VIRTQ_MAX_SIZE)
		return SPEC ": queue size is 0 or more than a split ring's 32768 entries";
	if (!set)
		return NULL;
	if (d->mmap_size < vhost_inflight_bytes(d->num_queues, d->queue_size))
		return "vhost-user.rst \"Inflight description\": mmap size is smaller than "
		       "num queues regions of queue size descriptors";
	if (d->mmap_offset > UINT64_MAX - d->mmap_size)
		return "vhost-user.rst \"Inflight description\": mmap offset + mmap size is "
		       "past 2^64";
	return NULL;
}

const char *vhost_inflight_adopt(void *buf, uint16_t num_queues, uint16_t queue_size)
{
	for (uint16_t i = 0; i < num_queues; i++) {
		struct vhost_user_inflight_split *q = vhost_inflight_queue(buf, queue_size, i);

		if (q->version == 0) {
			/* "Zero value indicates an uninitialized buffer". */
			memset(q, 0, vhost_inflight_queue_bytes(queue_size));
			q->version = VHOST_USER_INFLIGHT_VERSION;
			q->desc_num = queue_size;
			continue;
		}
		if (q->version != VHOST_USER_INFLIGHT_VERSION)
			return SPEC ": a queue region's version is neither 0 nor 1";
		if (q->desc_num != queue_size)
			return SPEC ": a queue region's desc_num is not the queue size";
		if (q->last_batch_head >= queue_size)
			return SPEC ": a queue region's last_batch_head is past its descriptors";
	}
	return NULL;
}

static bool region_busy(const struct vhost_user_inflight_split *q, uint16_t num)
{
	for (uint16_t i = 0; i < num; i++)
		if (q->desc[i].inflight == 1)
			return true;
	return false;
}

/* "When reconnecting", step 1: used_idx lags the used ring's idx, so the
 * last batch's inflight flags may still be set: clear them, walking the list
 * from last_batch_head (bounded by the batch's size and the ring). */
static void recover_last_batch(struct vhost_user_inflight_split *q, uint16_t num, uint16_t used_idx)
{
	uint16_t batch = (uint16_t)(used_idx - q->used_idx);
	uint16_t head = q->last_batch_head;

	if (batch > num) {
		/* A region with nothing in flight is a new one (a migration's
		 * destination starts a ring far past 0): it only takes the
		 * ring's index. */
		if (region_busy(q, num))
			log_warn(SPEC ": used idx %u is %u entries past the region's used_idx "
				      "%u, more than a ring of %u: no batch to clear",
				 used_idx, batch, q->used_idx, num);
		batch = 0;
	}
	for (uint16_t n = 0; n < batch && head < num; n++) {
		q->desc[head].inflight = 0;
		head = q->desc[head].next;
	}
	__atomic_store_n(&q->used_idx, used_idx, __ATOMIC_RELEASE);
}

struct head_order {
	uint64_t counter;
	uint16_t head;
};

static int by_counter(const void *a, const void *b)
{
	const struct head_order *x = a, *y = b;

	return x->counter < y->counter ? -1 : x->counter > y->counter;
}

int vhost_inflight_recover(struct vhost_user_inflight_split *q, uint16_t entries, uint16_t num,
			   uint16_t used_idx, uint16_t *heads, uint64_t *next_counter)
{
	struct head_order *order = calloc(num, sizeof(*order));
	uint16_t n = 0, past = 0;
	uint64_t next = 0;

	if (!order)
		return -ENOMEM;
	if (q->used_idx != used_idx)
		recover_last_batch(q, num, used_idx);
	/* Step 2: the heads still in flight, by counter. Each counter is
	 * read once, into order[]: the sort sees values that do not move. The
	 * walk is bounded by the region as it was checked, not by its
	 * desc_num, which the front-end may have rewritten since. */
	for (uint32_t i = 0; i < entries; i++) {
		if (q->desc[i].inflight != 1)
			continue;
		if (i >= num) {
			past++;
			continue;
		}
		order[n] = (struct head_order){q->desc[i].counter, (uint16_t)i};
		if (order[n].counter >= next)
			next = order[n].counter + 1;
		n++;
	}
	if (past)
		log_warn(SPEC ": %u head(s) marked in flight at or past the ring's %u entries: "
			      "not run",
			 past, num);
	qsort(order, n, sizeof(*order), by_counter);
	for (uint16_t i = 0; i < n; i++)
		heads[i] = order[i].head;
	free(order);
	*next_counter = next;
	return n;
}
