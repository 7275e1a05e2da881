/* SPDX-License-Identifier: MIT */
/*
 * Driver side of a virtqueue: the initiator plays the VM. The device under
 * test is not trusted either: used ids, the used idx and the descriptor table
 * (which the device must not write, §2.7.5.1) are checked before use, so a
 * broken device yields -EIO and a log line, never a stray memory access.
 */
#define LOG_COMPONENT "virtq"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "util/common.h"
#include "util/log.h"
#include "virtio/virtq.h"

static uint64_t split_used_offset(uint16_t num)
{
	return ALIGN_UP(virtq_desc_bytes(num) + virtq_avail_bytes(num), VIRTQ_LEGACY_USED_ALIGN);
}

size_t virtq_drv_ring_bytes(uint16_t num)
{
	return split_used_offset(num) + virtq_used_bytes(num);
}

int virtq_drv_init(struct virtq_drv *q, const struct virtq_drv_config *cfg)
{
	uint64_t used_off = split_used_offset(cfg->num);
	bool indirect = cfg->features & VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC);

	if (cfg->layout != VIRTQ_LAYOUT_SPLIT) {
		log_warn("virtqueue layout %d is not supported", (int)cfg->layout);
		return -EINVAL;
	}
	if (!IS_POW2(cfg->num) || cfg->num > VIRTQ_MAX_SIZE) {
		log_warn("virtio 1.2 §2.7: queue size %u is not a power of 2 up to %u", cfg->num,
			 VIRTQ_MAX_SIZE);
		return -EINVAL;
	}
	if (!cfg->ring || (uintptr_t)cfg->ring % VIRTQ_DESC_ALIGN ||
	    cfg->ring_gpa % VIRTQ_DESC_ALIGN) {
		log_warn("virtio 1.2 §2.7.1: ring at %p (gpa 0x%" PRIx64 ") is not 16-byte aligned",
			 cfg->ring, cfg->ring_gpa);
		return -EINVAL;
	}
	if (indirect && cfg->indirect_max && !cfg->indirect) {
		log_warn("indirect_max %u without indirect tables", cfg->indirect_max);
		return -EINVAL;
	}
	*q = (struct virtq_drv){
		.layout = cfg->layout,
		.num = cfg->num,
		.num_free = cfg->num,
		.last_reaped = cfg->num,
		.event_idx = cfg->features & VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX),
		.indirect_max = indirect ? cfg->indirect_max : 0,
		.desc = cfg->ring,
		.avail = (struct virtq_avail *)((char *)cfg->ring + virtq_desc_bytes(cfg->num)),
		.used = (struct virtq_used *)((char *)cfg->ring + used_off),
		.desc_gpa = cfg->ring_gpa,
		.avail_gpa = cfg->ring_gpa + virtq_desc_bytes(cfg->num),
		.used_gpa = cfg->ring_gpa + used_off,
		.indirect = cfg->indirect,
		.indirect_gpa = cfg->indirect_gpa,
		.desc_count = calloc(cfg->num, sizeof(*q->desc_count)),
		.cookies = calloc(cfg->num, sizeof(*q->cookies)),
	};
	if (!q->desc_count || !q->cookies) {
		virtq_drv_fini(q);
		return -ENOMEM;
	}
	/* The free list threads through next; the last link is never followed
	 * (num_free says when the list ends) but stays a valid index. */
	for (uint32_t i = 0; i < cfg->num; i++)
		q->desc[i].next = (uint16_t)((i + 1) & (cfg->num - 1));
	return 0;
}

void virtq_drv_fini(struct virtq_drv *q)
{
	free(q->desc_count);
	free(q->cookies);
	q->desc_count = NULL;
	q->cookies = NULL;
}

/* desc[idx].next, which holds our free list and chain links; -EIO if the
 * device overwrote it with an index outside the table. */
static int desc_next(const struct virtq_drv *q, uint16_t idx, uint16_t *next)
{
	uint16_t n = __atomic_load_n(&q->desc[idx].next, __ATOMIC_RELAXED);

	if (unlikely(n >= q->num)) {
		log_err("virtio 1.2 §2.7.5.1: descriptor %u links to %u, queue size %u: the "
			"device wrote the descriptor table",
			idx, n, q->num);
		return -EIO;
	}
	*next = n;
	return 0;
}

static void desc_fill(struct virtq_desc *d, const struct virtq_buf *b, bool writable, bool more)
{
	d->addr = b->addr;
	d->len = b->len;
	d->flags = (uint16_t)((writable ? VIRTQ_DESC_F_WRITE : 0) | (more ? VIRTQ_DESC_F_NEXT : 0));
}

/* §2.7.5.3: the whole chain goes into head's own table slot; one ring
 * descriptor refers to it. */
static void split_add_indirect(struct virtq_drv *q, uint16_t head, const struct virtq_buf *bufs,
			       uint32_t nout, uint32_t total)
{
	uint64_t slot = (uint64_t)head * q->indirect_max;
	struct virtq_desc *table = q->indirect + slot;

	for (uint32_t i = 0; i < total; i++) {
		desc_fill(&table[i], &bufs[i], i >= nout, i + 1 < total);
		table[i].next = (uint16_t)(i + 1 < total ? i + 1 : 0);
	}
	q->desc[head].addr = q->indirect_gpa + slot * sizeof(struct virtq_desc);
	q->desc[head].len = total * sizeof(struct virtq_desc);
	q->desc[head].flags = VIRTQ_DESC_F_INDIRECT;
}

/* Fills total descriptors taken from the free list, linked the way the free
 * list already links them; *last gets the final one. */
static int split_add_direct(struct virtq_drv *q, uint16_t head, const struct virtq_buf *bufs,
			    uint32_t nout, uint32_t total, uint16_t *last)
{
	uint16_t idx = head;
	int rc;

	for (uint32_t i = 0; i < total; i++) {
		desc_fill(&q->desc[idx], &bufs[i], i >= nout, i + 1 < total);
		if (i + 1 == total)
			break;
		rc = desc_next(q, idx, &idx);
		if (rc)
			return rc;
	}
	*last = idx;
	return 0;
}

/* The chain head..last, filled, leaves the free list for the avail ring. */
static inline __attribute__((always_inline)) int split_take(struct virtq_drv *q, uint16_t head,
							  uint16_t last, void *cookie)
{
	uint16_t need = q->desc_count[head];
	int rc;

	if (q->num_free > need && (rc = desc_next(q, last, &q->free_head)))
		return rc;
	q->num_free -= need;
	q->cookies[head] = cookie;
	/* §2.7.13.2: visible to the device only with the idx store of publish. */
	q->avail->ring[q->avail_idx & (q->num - 1)] = head;
	q->avail_idx++;
	return 0;
}

static int split_add(struct virtq_drv *q, const struct virtq_buf *bufs, uint32_t nout,
		     uint32_t total, void *cookie)
{
	bool indirect = q->indirect_max && total > 1 && total <= q->indirect_max;
	uint16_t need = indirect ? 1 : (uint16_t)total, head = q->free_head, last = head;
	int rc;

	/* §2.7.5.3.1: direct or indirect, no chain is longer than the queue. */
	if (total > q->num) {
		log_warn("virtio 1.2 §2.7.5.3.1: a chain of %u buffers is longer than the queue "
			 "size %u",
			 total, q->num);
		return -EINVAL;
	}
	if (need > q->num_free)
		return -ENOSPC;
	if (indirect)
		split_add_indirect(q, head, bufs, nout, total);
	else if ((rc = split_add_direct(q, head, bufs, nout, total, &last)))
		return rc;
	q->desc_count[head] = need;
	return split_take(q, head, last, cookie);
}

int virtq_drv_add(struct virtq_drv *q, const struct virtq_buf *bufs, uint16_t nout, uint16_t nin,
		  void *cookie)
{
	uint32_t total = (uint32_t)nout + nin;

	if (total == 0 || !bufs || !cookie) {
		log_warn("virtq_drv_add: a chain needs buffers and a cookie");
		return -EINVAL;
	}
	switch (q->layout) {
	case VIRTQ_LAYOUT_SPLIT:
		return split_add(q, bufs, nout, total, cookie);
	}
	return -EINVAL; /* virtq_drv_init accepts no other layout */
}

static bool split_publish(struct virtq_drv *q)
{
	uint16_t old = q->avail_published, new = q->avail_idx;

	if (old == new)
		return false;
	/* §2.7.13.3.1: descriptors and ring entries before the idx. */
	__atomic_store_n(&q->avail->idx, new, __ATOMIC_RELEASE);
	q->avail_published = new;
	/* §2.7.13.4.1: a barrier between the idx store and reading the device's
	 * wish, or both sides may miss each other's update. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (q->event_idx) {
		/* §2.7.10.1: kick if the chains just published passed avail_event. */
		uint16_t event = __atomic_load_n(virtq_avail_event(q->used, q->num),
						 __ATOMIC_RELAXED);

		return virtq_need_event(event, new, old);
	}
	/* §2.7.10.1: flags 0 MUST kick, NO_NOTIFY SHOULD NOT. */
	return !(__atomic_load_n(&q->used->flags, __ATOMIC_RELAXED) & VIRTQ_USED_F_NO_NOTIFY);
}

bool virtq_drv_publish(struct virtq_drv *q)
{
	switch (q->layout) {
	case VIRTQ_LAYOUT_SPLIT:
		return split_publish(q);
	}
	return false;
}

/* Returns the descriptors of the chain at head to the free list. */
static int split_free_chain(struct virtq_drv *q, uint16_t head)
{
	uint16_t tail = head;
	int rc;

	/* Find the tail first: a bad link must leave the list as it was. */
	for (uint16_t i = 1; i < q->desc_count[head]; i++) {
		rc = desc_next(q, tail, &tail);
		if (rc)
			return rc;
	}
	q->desc[tail].next = q->free_head;
	q->free_head = head;
	q->num_free += q->desc_count[head];
	return 0;
}

static int split_get_used(struct virtq_drv *q, void **cookie, uint32_t *len)
{
	/* §2.7.8.2: the device wrote the element before the idx; acquire pairs. */
	uint16_t idx = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	const struct virtq_used_elem *e;
	uint32_t id, used_len;
	int rc;

	if (idx == q->last_used_idx)
		return -EAGAIN;
	if (unlikely((uint16_t)(idx - q->last_used_idx) > q->num)) {
		log_err("virtio 1.2 §2.7.8: used idx %u is more than %u entries ahead of %u", idx,
			q->num, q->last_used_idx);
		return -EIO;
	}
	e = &q->used->ring[q->last_used_idx & (q->num - 1)];
	id = __atomic_load_n(&e->id, __ATOMIC_RELAXED);
	used_len = __atomic_load_n(&e->len, __ATOMIC_RELAXED);
	if (unlikely(id >= q->num || !q->cookies[id])) {
		log_err("virtio 1.2 §2.7.8: used entry %u returns id %u, which is not a chain the "
			"driver made available",
			q->last_used_idx, id);
		return -EIO;
	}
	rc = split_free_chain(q, (uint16_t)id);
	if (rc)
		return rc;
	q->last_reaped = (uint16_t)id;
	*cookie = q->cookies[id];
	*len = used_len;
	q->cookies[id] = NULL;
	q->last_used_idx++;
	return 0;
}

int virtq_drv_get_used(struct virtq_drv *q, void **cookie, uint32_t *len)
{
	switch (q->layout) {
	case VIRTQ_LAYOUT_SPLIT:
		return split_get_used(q, cookie, len);
	}
	return -EINVAL;
}

/* split_free_chain put the chain first in the free list, in its own order
 * and with its descriptors untouched: taking it back is taking as many
 * descriptors from the front of the list. */
static int split_readd(struct virtq_drv *q, void *cookie)
{
	uint16_t head = q->last_reaped, last = head;
	int rc;

	/* An add since the reap took head from the free list (its cookie set);
	 * only a reap frees a chain, and it moves last_reaped. */
	if (head >= q->num || q->free_head != head || q->cookies[head] || !cookie) {
		log_warn("virtq_drv_readd: only the chain just reaped, before any add");
		return -EINVAL;
	}
	for (uint16_t i = 1; i < q->desc_count[head]; i++) {
		rc = desc_next(q, last, &last);
		if (rc)
			return rc;
	}
	return split_take(q, head, last, cookie);
}

int virtq_drv_readd(struct virtq_drv *q, void *cookie)
{
	switch (q->layout) {
	case VIRTQ_LAYOUT_SPLIT:
		return split_readd(q, cookie);
	}
	return -EINVAL;
}

static bool split_enable_notify(struct virtq_drv *q, bool enabled)
{
	if (q->event_idx) {
		/* §2.7.7.1: flags stay 0 with EVENT_IDX. used_event one behind the
		 * entries reaped is passed already: no notification for 65535
		 * entries, until re-enabled. */
		uint16_t event = enabled ? q->last_used_idx : (uint16_t)(q->last_used_idx - 1);

		__atomic_store_n(virtq_used_event(q->avail, q->num), event, __ATOMIC_RELAXED);
	} else {
		__atomic_store_n(&q->avail->flags, enabled ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT,
				 __ATOMIC_RELAXED);
	}
	/* The store must be visible before we look at used->idx: an entry the
	 * device adds after our look then sees our wish and notifies. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE) != q->last_used_idx;
}

bool virtq_drv_enable_notify(struct virtq_drv *q, bool enabled)
{
	switch (q->layout) {
	case VIRTQ_LAYOUT_SPLIT:
		return split_enable_notify(q, enabled);
	}
	return false;
}
