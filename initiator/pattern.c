/* SPDX-License-Identifier: MIT */
#include "initiator/pattern.h"

#include <string.h>

#include "util/common.h"

#define PATTERN_WORDS ((PATTERN_SECTOR - sizeof(struct pattern_stamp)) / sizeof(uint64_t))

/* splitmix64: cheap, and every input bit reaches every output bit, so a
 * sector's bytes differ from those of any other LBA, pass or seed. */
static uint64_t mix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t sector_state(uint64_t lba, uint64_t seq, uint64_t seed)
{
	uint64_t s = seed;

	s = mix(&s) ^ lba;
	s = mix(&s) ^ seq;
	return mix(&s);
}

void pattern_fill(void *buf, uint64_t lba, uint32_t nsectors, uint64_t seq, uint64_t seed)
{
	uint8_t *p = buf;

	for (uint32_t i = 0; i < nsectors; i++, p += PATTERN_SECTOR) {
		struct pattern_stamp st = {PATTERN_MAGIC, lba + i, seq, seed};
		uint64_t state = sector_state(lba + i, seq, seed);
		uint64_t words[PATTERN_WORDS];

		for (size_t w = 0; w < PATTERN_WORDS; w++)
			words[w] = mix(&state);
		memcpy(p, &st, sizeof(st));
		memcpy(p + sizeof(st), words, sizeof(words));
	}
}

static enum pattern_fault stamp_fault(const struct pattern_stamp *exp,
				      const struct pattern_stamp *got)
{
	if (got->magic != exp->magic)
		return PATTERN_NO_STAMP;
	if (got->lba != exp->lba)
		return PATTERN_WRONG_LBA;
	if (got->seq != exp->seq)
		return PATTERN_STALE_SEQ;
	if (got->seed != exp->seed)
		return PATTERN_WRONG_SEED;
	return PATTERN_OK;
}

static uint32_t first_diff(const uint8_t *a, const uint8_t *b, uint32_t len)
{
	uint32_t i = 0;

	while (i < len && a[i] == b[i])
		i++;
	return i;
}

/* Checks one sector; 0 if it is right, else fills *mm. */
static int sector_check(const uint8_t *p, uint64_t lba, uint64_t seq, uint64_t seed,
			struct pattern_mismatch *mm)
{
	struct pattern_stamp exp = {PATTERN_MAGIC, lba, seq, seed}, got;
	uint64_t state = sector_state(lba, seq, seed);
	uint64_t words[PATTERN_WORDS];

	memcpy(&got, p, sizeof(got));
	mm->fault = stamp_fault(&exp, &got);
	if (mm->fault == PATTERN_OK) {
		for (size_t w = 0; w < PATTERN_WORDS; w++)
			words[w] = mix(&state);
		if (memcmp(p + sizeof(got), words, sizeof(words)) == 0)
			return 0;
		mm->fault = PATTERN_BAD_DATA;
		mm->byte = (uint32_t)sizeof(got) +
			   first_diff(p + sizeof(got), (const uint8_t *)words, sizeof(words));
	} else {
		mm->byte = first_diff(p, (const uint8_t *)&exp, sizeof(exp));
	}
	mm->lba = lba;
	mm->expected = exp;
	mm->found = got;
	return 1;
}

uint32_t pattern_check(const void *buf, uint64_t lba, uint32_t nsectors, uint64_t seq,
		       uint64_t seed, struct pattern_mismatch *mm, uint32_t max)
{
	const uint8_t *p = buf;
	uint32_t bad = 0;

	for (uint32_t i = 0; i < nsectors; i++, p += PATTERN_SECTOR) {
		struct pattern_mismatch one;

		if (!sector_check(p, lba + i, seq, seed, &one))
			continue;
		if (bad < max)
			mm[bad] = one;
		bad++;
	}
	return bad;
}

const char *pattern_fault_name(enum pattern_fault fault)
{
	static const char *const names[] = {
	    [PATTERN_OK] = "ok",
	    [PATTERN_NO_STAMP] = "no-stamp",
	    [PATTERN_WRONG_LBA] = "wrong-lba",
	    [PATTERN_STALE_SEQ] = "stale-seq",
	    [PATTERN_WRONG_SEED] = "wrong-seed",
	    [PATTERN_BAD_DATA] = "bad-data",
	};

	return (unsigned)fault < ARRAY_SIZE(names) ? names[fault] : "unknown";
}
