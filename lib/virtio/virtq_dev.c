/* SPDX-License-Identifier: MIT */
/*
 * Device side of a virtqueue: the target's hot path. Everything the driver
 * wrote is untrusted: each index, length and address is checked before use
 * and read exactly once, so a driver that rewrites the ring while we look
 * cannot make a check and a use see different values.
 */
#define LOG_COMPONENT "virtq"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "util/common.h"
#include "util/log.h"
#include "virtio/virtq.h"

static bool is_aligned(const void *p, uintptr_t align)
{
	return ((uintptr_t)p & (align - 1)) == 0;
}

int virtq_dev_init(struct virtq_dev *q, const struct virtq_dev_config *cfg)
{
	if (cfg->layout != VIRTQ_LAYOUT_SPLIT) {
		log_warn("virtqueue layout %d is not supported", (int)cfg->layout);
		return -EINVAL;
	}
	if (!IS_POW2(cfg->num) || cfg->num > VIRTQ_MAX_SIZE) {
		log_warn("virtio 1.2 §2.7: queue size %u is not a power of 2 up to %u", cfg->num,
			 VIRTQ_MAX_SIZE);
		return -EINVAL;
	}
	if (!cfg->desc || !cfg->avail || !cfg->used || !cfg->mem) {
		log_warn("virtqueue configuration lacks a ring part or a memory table");
		return -EINVAL;
	}
	if (!is_aligned(cfg->desc, VIRTQ_DESC_ALIGN) ||
	    !is_aligned(cfg->avail, VIRTQ_AVAIL_ALIGN) ||
	    !is_aligned(cfg->used, VIRTQ_USED_ALIGN)) {
		log_warn("virtio 1.2 §2.7.1: ring parts at %p/%p/%p are not aligned to %u/%u/%u",
			 cfg->desc, cfg->avail, cfg->used, VIRTQ_DESC_ALIGN, VIRTQ_AVAIL_ALIGN,
			 VIRTQ_USED_ALIGN);
		return -EINVAL;
	}
	*q = (struct virtq_dev){
		.layout = cfg->layout,
		.num = cfg->num,
		.last_avail_idx = cfg->last_avail_idx,
		.avail_idx_shadow = cfg->last_avail_idx,
		.event_idx = cfg->features & VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX),
		.indirect = cfg->features & VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC),
		.max_chain_len = cfg->max_chain_len ? cfg->max_chain_len : cfg->num,
		.desc = cfg->desc,
		.avail = cfg->avail,
		.used = cfg->used,
		.mem = cfg->mem,
	};
	/* The used ring may already hold entries (a reconnect after SET_VRING_BASE):
	 * continue from what the driver can see. */
	q->used_idx = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	q->signalled_used = q->used_idx;
	/* §2.7.7.2: with EVENT_IDX the device SHOULD NOT notify unless used_event
	 * is crossed. A fresh ring has signalled nothing, so the rule applies
	 * from its first entry. A resumed ring (entries already used, by us or
	 * by a back-end before a reconnect) may owe the driver a notification
	 * we cannot know about: its first decision notifies, as Linux vhost
	 * does, rather than risk a driver waiting forever. */
	q->signalled_used_valid = q->used_idx == 0;
	return 0;
}

/*
 * One private copy of a descriptor. The compiler barrier makes the copy real:
 * without it the compiler may read a field from shared memory again at its
 * use, after the driver changed it. memcpy because an indirect table need not
 * be 16-byte aligned (§2.7.5.3 asks for no alignment).
 */
/* A driver can repeat a bad chain at line rate: rate-limited per queue. */
#define vq_warn(q, ...) log_warn_ratelimited(&(q)->log_rl, "virtqueue", __VA_ARGS__)

static inline void desc_fetch(struct virtq_desc *d, const uint8_t *src)
{
	memcpy(d, src, sizeof(*d));
	__asm__ __volatile__("" ::: "memory");
}

/* Adds one non-empty buffer of chain c. */
static inline int chain_add_buf(struct virtq_dev *q, struct virtq_chain *c,
				const struct virtq_desc *d)
{
	uint32_t n = (uint32_t)c->nout + c->nin;
	void *hva;

	if (unlikely(n >= c->max_iov)) {
		vq_warn(q, "virtio 1.2 §2.7.4.1: chain %u has more than %u buffers", c->head,
			 c->max_iov);
		return -EINVAL;
	}
	/* Exactly 2^32 bytes would be allowed, but not representable in the
	 * uint32 totals; no driver sends that. */
	if (unlikely((uint64_t)c->out_len + c->in_len + d->len > UINT32_MAX)) {
		vq_warn(q, "virtio 1.2 §2.7.5.2: chain %u is longer than 2^32 bytes", c->head);
		return -EINVAL;
	}
	hva = mem_gpa_to_hva(q->mem, d->addr, d->len);
	if (unlikely(!hva)) {
		vq_warn(q, "virtio 1.2 §2.7.5: chain %u: buffer [0x%" PRIx64 ", +0x%x) is not inside "
			 "one guest memory region",
			 c->head, d->addr, d->len);
		return -EINVAL;
	}
	c->iov[n].iov_base = hva;
	c->iov[n].iov_len = d->len;
	if (d->flags & VIRTQ_DESC_F_WRITE) {
		c->nin++;
		c->in_len += d->len;
	} else {
		c->nout++;
		c->out_len += d->len;
	}
	return 0;
}

/* The indirect table descriptor d refers to, with its number of entries in
 * *entries; NULL (logged) if the driver may not use it. */
static const uint8_t *indirect_table(struct virtq_dev *q, const struct virtq_chain *c,
				     const struct virtq_desc *d, bool nested, uint32_t *entries)
{
	const uint8_t *table;

	if (unlikely(!q->indirect)) {
		vq_warn(q, "virtio 1.2 §2.7.5.3.1: chain %u uses an indirect table, "
			 "VIRTIO_F_INDIRECT_DESC was not negotiated",
			 c->head);
		return NULL;
	}
	if (unlikely(nested)) {
		vq_warn(q, "virtio 1.2 §2.7.5.3.1: chain %u has an indirect descriptor inside an "
			 "indirect table",
			 c->head);
		return NULL;
	}
	if (unlikely(d->flags & VIRTQ_DESC_F_NEXT)) {
		vq_warn(q, "virtio 1.2 §2.7.5.3.1: chain %u has a descriptor with both INDIRECT and "
			 "NEXT",
			 c->head);
		return NULL;
	}
	if (unlikely(d->len == 0 || d->len % sizeof(struct virtq_desc))) {
		vq_warn(q, "virtio 1.2 §2.7.5.3: chain %u: indirect table length %u is not a "
			 "non-zero multiple of 16",
			 c->head, d->len);
		return NULL;
	}
	table = mem_gpa_to_hva(q->mem, d->addr, d->len);
	if (unlikely(!table)) {
		vq_warn(q, "virtio 1.2 §2.7.5.3: chain %u: indirect table [0x%" PRIx64 ", +0x%x) is "
			 "not inside one guest memory region",
			 c->head, d->addr, d->len);
		return NULL;
	}
	*entries = d->len / sizeof(struct virtq_desc);
	return table;
}

/*
 * Walks the chain at c->head: zero or more descriptors of the ring's table,
 * possibly ending in one that refers to an indirect table (§2.7.5.3.2), whose
 * chain then starts at its entry 0. The walk is bounded by max_chain_len
 * buffers, which also ends any loop.
 */
static int split_walk(struct virtq_dev *q, struct virtq_chain *c)
{
	const uint8_t *table = (const uint8_t *)q->desc;
	uint32_t entries = q->num, idx = c->head, count = 0;
	bool in_indirect = false, writable = false;
	struct virtq_desc d;
	int rc;

	for (;;) {
		desc_fetch(&d, table + (size_t)idx * sizeof(d));
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			/* §2.7.5.3.2: its WRITE flag is ignored. */
			table = indirect_table(q, c, &d, in_indirect, &entries);
			if (!table)
				return -EINVAL;
			in_indirect = true;
			idx = 0;
			continue;
		}
		if (unlikely(++count > q->max_chain_len)) {
			vq_warn(q, "virtio 1.2 §2.7.5.2: chain %u is longer than %u descriptors "
				 "(a loop?)",
				 c->head, q->max_chain_len);
			return -EINVAL;
		}
		if (d.flags & VIRTQ_DESC_F_WRITE) {
			writable = true;
		} else if (unlikely(writable)) {
			vq_warn(q, "virtio 1.2 §2.7.4.2: chain %u has a device-readable descriptor "
				 "after a device-writable one",
				 c->head);
			return -EINVAL;
		}
		if (d.len) {
			rc = chain_add_buf(q, c, &d);
			if (rc)
				return rc;
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (unlikely(d.next >= entries)) {
			vq_warn(q, "virtio 1.2 §2.7.5: chain %u: next %u is outside a table of %u "
				 "descriptors",
				 c->head, d.next, entries);
			return -EINVAL;
		}
		idx = d.next;
	}
}

int virtq_dev_pop_head(struct virtq_dev *q, uint16_t head, struct virtq_chain *chain)
{
	if (unlikely(head >= q->num)) {
		vq_warn(q, "virtio 1.2 §2.7.6: head %u to run again, queue size %u", head, q->num);
		return -EIO;
	}
	chain->head = head;
	chain->nout = 0;
	chain->nin = 0;
	chain->out_len = 0;
	chain->in_len = 0;
	return split_walk(q, chain);
}

static int split_pop(struct virtq_dev *q, struct virtq_chain *c)
{
	const uint16_t *entry = &q->avail->ring[q->last_avail_idx & (q->num - 1)];
	uint16_t head;

	if (q->last_avail_idx == q->avail_idx_shadow) {
		/* §2.7.13.3.1: the driver's barrier before its idx store pairs with
		 * this acquire: ring entries up to idx are visible after it. */
		uint16_t idx = __atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE);

		/* Read before the branch on idx, though it is only used if idx
		 * moved: its address does not depend on idx, so both cache
		 * lines, which the driver has just written, are fetched at once
		 * rather than one after the other. After the acquire, it is
		 * never older than idx. */
		head = __atomic_load_n(entry, __ATOMIC_RELAXED);
		if (idx == q->last_avail_idx)
			return -EAGAIN;
		if (unlikely((uint16_t)(idx - q->last_avail_idx) > q->num)) {
			vq_warn(q, "virtio 1.2 §2.7: avail idx %u is more than %u entries ahead of "
				 "%u",
				 idx, q->num, q->last_avail_idx);
			return -EIO;
		}
		q->avail_idx_shadow = idx;
	} else {
		head = __atomic_load_n(entry, __ATOMIC_RELAXED);
	}
	if (unlikely(head >= q->num)) {
		vq_warn(q, "virtio 1.2 §2.7.6: avail ring entry %u holds head %u, queue size %u",
			 q->last_avail_idx, head, q->num);
		return -EIO;
	}
	q->last_avail_idx++;
	return virtq_dev_pop_head(q, head, c);
}

int virtq_dev_pop(struct virtq_dev *q, struct virtq_chain *chain)
{
	switch (q->layout) {
	case VIRTQ_LAYOUT_SPLIT:
		return split_pop(q, chain);
	}
	return -EINVAL; /* virtq_dev_init accepts no other layout */
}

static void split_push(struct virtq_dev *q, uint16_t head, uint32_t len)
{
	struct virtq_used_elem *e = &q->used->ring[q->used_idx & (q->num - 1)];

	e->id = head;
	e->len = len;
	q->used_idx++;
	/* §2.7.8.2: the element (len included) is visible before the idx. */
	__atomic_store_n(&q->used->idx, q->used_idx, __ATOMIC_RELEASE);
}

void virtq_dev_push(struct virtq_dev *q, uint16_t head, uint32_t len)
{
	switch (q->layout) {
	case VIRTQ_LAYOUT_SPLIT:
		split_push(q, head, len);
		break;
	}
}

static bool split_need_notify(struct virtq_dev *q)
{
	uint16_t old = q->signalled_used, new = q->used_idx, event;
	bool valid = q->signalled_used_valid;

	/* Nothing pushed since the last decision (or since init). */
	if (old == new)
		return false;
	q->signalled_used = new;
	q->signalled_used_valid = true;
	/* Our used idx store must be visible before we read the driver's wish:
	 * otherwise the driver may re-enable notifications after our read and
	 * then see no new entry, and both sides sleep. Store-load needs a full
	 * fence. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!q->event_idx) {
		/* §2.7.7.2: flags 0 MUST notify; NO_INTERRUPT SHOULD NOT. */
		return !(__atomic_load_n(&q->avail->flags, __ATOMIC_RELAXED) &
			 VIRTQ_AVAIL_F_NO_INTERRUPT);
	}
	/* §2.7.7.2 with EVENT_IDX: flags are ignored; notify if the entries
	 * pushed since the last decision passed used_event. On a resumed ring
	 * the first decision notifies (see virtq_dev_init). */
	if (!valid)
		return true;
	event = __atomic_load_n(virtq_used_event(q->avail, q->num), __ATOMIC_RELAXED);
	return virtq_need_event(event, new, old);
}

bool virtq_dev_need_notify(struct virtq_dev *q)
{
	switch (q->layout) {
	case VIRTQ_LAYOUT_SPLIT:
		return split_need_notify(q);
	}
	return false;
}

static void split_set_kick(struct virtq_dev *q, bool enabled)
{
	if (q->event_idx) {
		/* §2.7.10.2: flags stay 0; avail_event says where to kick. Disabling
		 * leaves it behind, so the driver kicks at most once more. */
		if (enabled)
			__atomic_store_n(virtq_avail_event(q->used, q->num), q->last_avail_idx,
					 __ATOMIC_RELAXED);
	} else {
		__atomic_store_n(&q->used->flags, enabled ? 0 : VIRTQ_USED_F_NO_NOTIFY,
				 __ATOMIC_RELAXED);
	}
	/* The caller's has_work check after enabling must not be ordered before
	 * the store above, or a chain made available in between is missed. */
	if (enabled)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void virtq_dev_set_kick(struct virtq_dev *q, bool enabled)
{
	switch (q->layout) {
	case VIRTQ_LAYOUT_SPLIT:
		split_set_kick(q, enabled);
		break;
	}
}

bool virtq_dev_has_work(const struct virtq_dev *q)
{
	switch (q->layout) {
	case VIRTQ_LAYOUT_SPLIT:
		return __atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE) != q->last_avail_idx;
	}
	return false;
}

uint16_t virtq_dev_last_avail_idx(const struct virtq_dev *q)
{
	return q->last_avail_idx;
}
