/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_INITIATOR_PATTERN_H
#define STORLAB_INITIATOR_PATTERN_H

/*
 * The data pattern of `storlab io verify`. Every 512-byte sector starts
 * with a stamp (magic, its own LBA, the pass's sequence number, the seed)
 * followed by bytes derived from all three. A sector read back therefore
 * says what went wrong: never written (no magic), written to the wrong place
 * (another LBA), a lost write (an older sequence number), or corrupted bytes.
 */

#include <stdint.h>

#define PATTERN_SECTOR 512u
#define PATTERN_MAGIC  0x3142414c524f5453ULL /* "STORLAB1" */

struct pattern_stamp {
	uint64_t magic;
	uint64_t lba;
	uint64_t seq;
	uint64_t seed;
};

enum pattern_fault {
	PATTERN_OK,
	PATTERN_NO_STAMP,   /* magic missing: never written, or zeroed */
	PATTERN_WRONG_LBA,  /* another sector's data */
	PATTERN_STALE_SEQ,  /* this sector, but from another pass */
	PATTERN_WRONG_SEED, /* this sector and pass, but another run */
	PATTERN_BAD_DATA,   /* the stamp is right, a byte after it is not */
};

struct pattern_mismatch {
	uint64_t lba; /* the sector read */
	enum pattern_fault fault;
	uint32_t byte; /* first differing byte within the sector */
	struct pattern_stamp expected;
	struct pattern_stamp found;
};

/* Stamps nsectors sectors starting at lba into buf (nsectors * 512 bytes). */
void pattern_fill(void *buf, uint64_t lba, uint32_t nsectors, uint64_t seq, uint64_t seed);

/* Checks nsectors sectors; returns how many are wrong and describes the
 * first max of them in mm[] (mm may be NULL when max is 0). */
uint32_t pattern_check(const void *buf, uint64_t lba, uint32_t nsectors, uint64_t seq,
		       uint64_t seed, struct pattern_mismatch *mm, uint32_t max);

/* "ok", "no-stamp", "wrong-lba", "stale-seq", "wrong-seed", "bad-data". */
const char *pattern_fault_name(enum pattern_fault fault);

#endif
