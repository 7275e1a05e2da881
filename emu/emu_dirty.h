/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_EMU_EMU_DIRTY_H
#define STORLAB_EMU_EMU_DIRTY_H

/*
 * A set of dirty guest pages (4 KiB, vhost-user.rst "Migration": "Dirty
 * pages are of size 0x1000"), as a migration's rounds gather them: the
 * pages the back-end marked in the shared log, and those the guest wrote.
 * One bit per page. Pure: the unit tests drive it on plain buffers.
 */

#include <stdbool.h>
#include <stdint.h>

#define EMU_PAGE 0x1000ULL

struct emu_dirty {
	uint64_t *bits;
	uint32_t npages;
};

/* 0 or -ENOMEM. Empty. */
int emu_dirty_init(struct emu_dirty *d, uint32_t npages);
void emu_dirty_fini(struct emu_dirty *d);

/* Marks every page of [gpa, gpa + len); pages past the set are ignored. */
void emu_dirty_mark(struct emu_dirty *d, uint64_t gpa, uint64_t len);
void emu_dirty_mark_all(struct emu_dirty *d);
void emu_dirty_clear(struct emu_dirty *d);
bool emu_dirty_test(const struct emu_dirty *d, uint32_t page);
uint32_t emu_dirty_count(const struct emu_dirty *d);

/* Moves the set into into (an OR) and empties it. Same sizes. */
void emu_dirty_move(struct emu_dirty *d, struct emu_dirty *into);

/* Takes a vhost-user log of size bytes (page p is bit p % 8 of byte p / 8,
 * "Migration") into d, clearing each word of the log with an atomic
 * exchange: the back-end keeps marking it while rings run. Returns the
 * number of bits taken. */
uint32_t emu_dirty_take_log(struct emu_dirty *d, uint8_t *log, uint64_t size);
/* The bits set in the log, without taking them. */
uint32_t emu_dirty_log_count(const uint8_t *log, uint64_t size);

/* The first dirty page at or after from, or npages if none. */
uint32_t emu_dirty_next(const struct emu_dirty *d, uint32_t from);

/* Bytes of log that cover npages pages, rounded up to whole pages so that
 * it can be mapped. */
uint64_t emu_dirty_log_bytes(uint32_t npages);

#endif
