/* SPDX-License-Identifier: MIT */
/* The dirty page set of a migration's rounds (emu_dirty.h). */
#include "emu/emu_dirty.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"

static size_t words(uint32_t npages)
{
	return ((size_t)npages + 63) / 64;
}

int emu_dirty_init(struct emu_dirty *d, uint32_t npages)
{
	d->npages = npages;
	d->bits = calloc(words(npages) ? words(npages) : 1, sizeof(*d->bits));
	return d->bits ? 0 : -ENOMEM;
}

void emu_dirty_fini(struct emu_dirty *d)
{
	free(d->bits);
	d->bits = NULL;
	d->npages = 0;
}

void emu_dirty_mark(struct emu_dirty *d, uint64_t gpa, uint64_t len)
{
	uint64_t first = gpa / EMU_PAGE, last;

	if (len == 0 || first >= d->npages)
		return;
	last = (gpa + len - 1) / EMU_PAGE;
	if (gpa + len - 1 < gpa || last >= d->npages)
		last = d->npages - 1;
	for (uint64_t p = first; p <= last; p++)
		d->bits[p / 64] |= 1ULL << (p % 64);
}

void emu_dirty_mark_all(struct emu_dirty *d)
{
	emu_dirty_mark(d, 0, (uint64_t)d->npages * EMU_PAGE);
}

void emu_dirty_clear(struct emu_dirty *d)
{
	memset(d->bits, 0, words(d->npages) * sizeof(*d->bits));
}

bool emu_dirty_test(const struct emu_dirty *d, uint32_t page)
{
	return page < d->npages && (d->bits[page / 64] >> (page % 64)) & 1;
}

uint32_t emu_dirty_count(const struct emu_dirty *d)
{
	uint32_t n = 0;

	for (size_t i = 0; i < words(d->npages); i++)
		n += (uint32_t)__builtin_popcountll(d->bits[i]);
	return n;
}

void emu_dirty_move(struct emu_dirty *d, struct emu_dirty *into)
{
	for (size_t i = 0; i < words(MIN(d->npages, into->npages)); i++) {
		into->bits[i] |= d->bits[i];
		d->bits[i] = 0;
	}
}

uint32_t emu_dirty_take_log(struct emu_dirty *d, uint8_t *log, uint64_t size)
{
	uint32_t n = 0;

	for (uint64_t off = 0; off < size; off++) {
		/* Byte-wise: the back-end's atomic ORs are on bytes or wider
		 * words, and an exchange of one byte never tears either. */
		uint8_t b = __atomic_exchange_n(&log[off], 0, __ATOMIC_ACQ_REL);

		for (unsigned bit = 0; b && bit < 8; bit++) {
			if (!(b & (1u << bit)))
				continue;
			n++;
			emu_dirty_mark(d, (off * 8 + bit) * EMU_PAGE, 1);
		}
	}
	return n;
}

uint32_t emu_dirty_log_count(const uint8_t *log, uint64_t size)
{
	uint32_t n = 0;

	for (uint64_t off = 0; off < size; off++)
		n += (uint32_t)__builtin_popcount(__atomic_load_n(&log[off], __ATOMIC_RELAXED));
	return n;
}

uint32_t emu_dirty_next(const struct emu_dirty *d, uint32_t from)
{
	while (from < d->npages) {
		uint64_t w = d->bits[from / 64] >> (from % 64);

		if (w)
			return MIN(from + (uint32_t)__builtin_ctzll(w), d->npages);
		from = (from / 64 + 1) * 64;
	}
	return d->npages;
}

uint64_t emu_dirty_log_bytes(uint32_t npages)
{
	return ALIGN_UP(((uint64_t)npages + 7) / 8, EMU_PAGE);
}
