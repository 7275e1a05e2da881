/* SPDX-License-Identifier: MIT */
/*
 * bad_backend's own walks of a chain, besides lib/virtio's, which hands the
 * device buffers only:
 *
 * - the chain's shape as the driver laid it out (which descriptor was
 *   indirect, had WRITE set, was empty, came in the wrong order, looped),
 *   read again from its descriptor tables, for the layout switches;
 * - a careless walk of the chains lib/virtio refuses (-EINVAL), as a device
 *   that gets one bound wrong would walk them, so that the device serves
 *   them; each leniency is one switch:
 *     uses-buffer-past-memory  a buffer that starts in a region and runs
 *                              past its end: the bytes past it come from
 *                              scratch memory here (a real device would
 *                              touch whatever is mapped there);
 *     uses-desc-past-table     an indirect descriptor's next may name the
 *                              entry right after the table's len bytes;
 *     serves-partial-table     an indirect table whose len is not a
 *                              multiple of 16: its whole entries are used;
 *     follows-nested-indirect  an indirect descriptor inside a table is
 *                              followed to its own table.
 *   A chain refused for any other reason, or that needed none of the
 *   leniencies asked for, stays refused;
 * - refuses-buffer-at-memory-end: a buffer that ends where its memory region
 *   ends, refused by a device that compares one byte too early.
 */
#include <errno.h>
#include <string.h>

#include "bad_backend.h"
#include "util/common.h"

/* Past the end of guest memory, for uses-buffer-past-memory. */
static uint8_t g_beyond[4096];

static unsigned lax_asked(void)
{
	return (BROKEN(USES_BUFFER_PAST_MEMORY) ? LAX_PAST_MEMORY : 0) |
	       (BROKEN(USES_DESC_PAST_TABLE) ? LAX_PAST_TABLE : 0) |
	       (BROKEN(SERVES_PARTIAL_TABLE) ? LAX_PARTIAL_TABLE : 0) |
	       (BROKEN(FOLLOWS_NESTED_INDIRECT) ? LAX_NESTED : 0);
}

/* Adds [base, +len) to c as a buffer of the given direction. */
static bool lax_iov(struct virtq_chain *c, void *base, size_t len, bool writable)
{
	uint16_t *count = writable ? &c->nin : &c->nout;
	uint32_t *bytes = writable ? &c->in_len : &c->out_len;

	if (c->nout + c->nin >= c->max_iov)
		return false;
	c->iov[c->nout + c->nin] = (struct iovec){.iov_base = base, .iov_len = len};
	++*count;
	*bytes += (uint32_t)len;
	return true;
}

/* Adds d's buffer to c; *used gets LAX_PAST_MEMORY if it needed it. */
static bool lax_buf(const struct virtq_dev *vq, struct virtq_chain *c, const struct virtq_desc *d,
		    unsigned asked, unsigned *used)
{
	bool w = d->flags & VIRTQ_DESC_F_WRITE;
	void *hva = mem_gpa_to_hva(vq->mem, d->addr, d->len);
	const struct mem_region *r;
	uint64_t inside;

	if (hva)
		return lax_iov(c, hva, d->len, w);
	r = mem_find_gpa(vq->mem, d->addr);
	if (!(asked & LAX_PAST_MEMORY) || !r)
		return false;
	inside = r->gpa + r->size - d->addr;
	if (d->len - inside > sizeof(g_beyond))
		return false;
	*used |= LAX_PAST_MEMORY;
	return lax_iov(c, (uint8_t *)r->hva + (d->addr - r->gpa), inside, w) &&
	       lax_iov(c, g_beyond, d->len - inside, w);
}

/* The table an indirect descriptor d refers to, with room for one entry
 * past it when LAX_PAST_TABLE is asked; NULL if refused. */
static const struct virtq_desc *lax_table(const struct virtq_dev *vq, const struct virtq_desc *d,
					  unsigned asked, unsigned *used, uint32_t *entries)
{
	uint32_t extra = (asked & LAX_PAST_TABLE) ? 1 : 0;

	if (!d->len || (d->flags & VIRTQ_DESC_F_NEXT))
		return NULL;
	if (d->len % sizeof(*d)) {
		if (!(asked & LAX_PARTIAL_TABLE))
			return NULL;
		*used |= LAX_PARTIAL_TABLE;
	}
	*entries = d->len / sizeof(*d);
	return mem_gpa_to_hva(vq->mem, d->addr, (*entries + extra) * sizeof(*d));
}

int walk_lax_pop(const struct virtq_dev *vq, struct virtq_chain *c)
{
	const struct virtq_desc *table = vq->desc;
	uint32_t entries = vq->num, idx = c->head;
	unsigned asked = lax_asked(), used = 0;
	bool indirect = false, writable = false;
	struct virtq_desc d;

	c->nout = c->nin = 0;
	c->out_len = c->in_len = 0;
	for (uint32_t steps = 0; asked && steps <= vq->max_chain_len; steps++) {
		memcpy(&d, &table[idx], sizeof(d));
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (indirect && !(asked & LAX_NESTED))
				return -EINVAL;
			if (indirect)
				used |= LAX_NESTED;
			table = lax_table(vq, &d, asked, &used, &entries);
			if (!table)
				return -EINVAL;
			indirect = true;
			idx = 0;
			continue;
		}
		if (d.flags & VIRTQ_DESC_F_WRITE)
			writable = true;
		else if (writable)
			return -EINVAL;
		if (d.len && !lax_buf(vq, c, &d, asked, &used))
			return -EINVAL;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return used ? 0 : -EINVAL;
		/* uses-desc-past-table: the entry right after the table. */
		if (d.next >= entries && !(indirect && (asked & LAX_PAST_TABLE) && d.next == entries))
			return -EINVAL;
		if (d.next >= entries)
			used |= LAX_PAST_TABLE;
		idx = d.next;
	}
	return -EINVAL;
}

bool walk_at_region_end(const struct virtq_dev *vq, const struct virtq_chain *c)
{
	const struct mem_table *t = vq->mem;

	if (!BROKEN(REFUSES_BUFFER_AT_MEMORY_END))
		return false;
	for (unsigned i = 0; i < (unsigned)c->nout + c->nin; i++) {
		const uint8_t *end = (const uint8_t *)c->iov[i].iov_base + c->iov[i].iov_len;

		for (uint32_t k = 0; k < t->nregions; k++)
			if (end == (const uint8_t *)t->regions[k].hva + t->regions[k].size)
				return true;
	}
	return false;
}

void walk_chain_shape(const struct virtq_dev *vq, uint16_t head, struct chain_shape *s)
{
	const uint8_t *table = (const uint8_t *)vq->desc;
	uint32_t entries = vq->num, idx = head, in = 0;
	bool writable = false, indirect = false;
	struct virtq_desc d;

	*s = (struct chain_shape){.in_before_empty = UINT32_MAX};
	for (uint32_t steps = 0; steps <= vq->max_chain_len; steps++) {
		/* memcpy: an indirect table need not be aligned (§2.7.5.3). */
		memcpy(&d, table + (size_t)idx * sizeof(d), sizeof(d));
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (indirect || !d.len || d.len % sizeof(d))
				return;
			table = mem_gpa_to_hva(vq->mem, d.addr, d.len);
			if (!table)
				return;
			s->head_indirect = steps == 0;
			s->head_write = steps == 0 && (d.flags & VIRTQ_DESC_F_WRITE);
			s->indirect_late = steps > 0;
			entries = d.len / sizeof(d);
			idx = 0;
			indirect = true;
			continue;
		}
		if (d.flags & VIRTQ_DESC_F_WRITE) {
			if (!d.len && s->in_before_empty == UINT32_MAX)
				s->in_before_empty = in;
			in += d.len;
			writable = true;
		} else if (writable) {
			s->bad_order = true;
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT) || d.next >= entries)
			return;
		idx = d.next;
	}
	s->loops = true;
}
