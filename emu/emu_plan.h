/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_EMU_EMU_PLAN_H
#define STORLAB_EMU_EMU_PLAN_H

/*
 * A migration's decisions, all drawn from one seed, so that a seed printed
 * by one run and given back to another repeats every decision: how long the
 * guest runs before logging starts, each round's length, how long I/O goes
 * on at the destination, and the stream of the guest's own choices (which
 * block, read or write, which page it dirties). What the machine's timing
 * decides (how many pages a round finds dirty, hence when it converges) is
 * reported, not planned. Pure.
 */

#include <stdint.h>

#define EMU_MAX_ROUNDS 64

/* splitmix64: a small generator whose whole state is the seed. */
struct emu_rng {
	uint64_t state;
};

void emu_rng_seed(struct emu_rng *r, uint64_t seed);
uint64_t emu_rng_next(struct emu_rng *r);
/* Uniform in [lo, hi] (lo <= hi). */
uint32_t emu_rng_range(struct emu_rng *r, uint32_t lo, uint32_t hi);

struct emu_plan_opts {
	unsigned rounds;   /* most pre-copy rounds, 1..EMU_MAX_ROUNDS */
	unsigned round_ms; /* a round's mean length */
};

struct emu_plan {
	uint64_t seed;
	unsigned warmup_ms; /* guest I/O before logging starts */
	unsigned rounds;
	unsigned round_ms[EMU_MAX_ROUNDS];
	unsigned post_ms;    /* guest I/O at the destination before the drain */
	uint64_t guest_seed; /* the guest's own stream (struct emu_rng) */
};

/* The decisions of seed. -EINVAL for options out of range. */
int emu_plan_make(uint64_t seed, const struct emu_plan_opts *o, struct emu_plan *p);

#endif
