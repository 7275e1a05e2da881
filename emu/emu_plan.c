/* SPDX-License-Identifier: MIT */
/* A migration's decisions from its seed (emu_plan.h). */
#include "emu/emu_plan.h"

#include <errno.h>
#include <string.h>

void emu_rng_seed(struct emu_rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t emu_rng_next(struct emu_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t emu_rng_range(struct emu_rng *r, uint32_t lo, uint32_t hi)
{
	uint64_t span = (uint64_t)hi - lo + 1;

	return lo + (uint32_t)(emu_rng_next(r) % span);
}

int emu_plan_make(uint64_t seed, const struct emu_plan_opts *o, struct emu_plan *p)
{
	struct emu_rng r;

	if (o->rounds < 1 || o->rounds > EMU_MAX_ROUNDS || o->round_ms < 2)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	emu_rng_seed(&r, seed);
	p->seed = seed;
	p->warmup_ms = emu_rng_range(&r, 10, 50);
	p->rounds = o->rounds;
	/* Rounds of half to one and a half times the mean: the stop falls at
	 * a different moment of the guest's I/O in each run. */
	for (unsigned i = 0; i < o->rounds; i++)
		p->round_ms[i] = emu_rng_range(&r, o->round_ms / 2, o->round_ms + o->round_ms / 2);
	p->post_ms = emu_rng_range(&r, 20, 80);
	p->guest_seed = emu_rng_next(&r);
	return 0;
}
