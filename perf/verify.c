/* SPDX-License-Identifier: MIT */
/* --verify's table: per block the generations that may be on the medium. */
#define LOG_COMPONENT "perf"

#include "perf/verify.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

/* Held for a few loads and stores; two threads rarely want one block. */
static void block_lock(struct perf_vblock *vb)
{
	while (atomic_flag_test_and_set_explicit(&vb->lock, memory_order_acquire))
		;
}

static void block_unlock(struct perf_vblock *vb)
{
	atomic_flag_clear_explicit(&vb->lock, memory_order_release);
}

int perf_verify_init(struct perf_verify *v, uint64_t offset, uint64_t nblocks, uint32_t block,
		     uint64_t seed)
{
	if (nblocks > PERF_VERIFY_MAX_BLOCKS) {
		log_err("--verify: %llu blocks of %u bytes, the table takes %llu at most: "
			"narrow --size or raise the smallest --bs",
			(unsigned long long)nblocks, block,
			(unsigned long long)PERF_VERIFY_MAX_BLOCKS);
		return -EINVAL;
	}
	/* Zeroed: gen 0 (never written), lo 0 (unknown), every lock clear. */
	v->blocks = calloc(nblocks, sizeof(*v->blocks));
	if (!v->blocks)
		return -ENOMEM;
	v->nblocks = nblocks;
	v->block = block;
	v->lba0 = offset / PATTERN_SECTOR;
	v->seed = seed;
	return 0;
}

uint64_t perf_verify_seed(uint64_t job_seed)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return job_seed ^
	       (((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec) *
		0x9e3779b97f4a7c15ULL) ^
	       ((uint64_t)getpid() << 32);
}

void perf_verify_fini(struct perf_verify *v)
{
	free(v->blocks);
	v->blocks = NULL;
}

void perf_verify_write_start(struct perf_verify *v, void *buf, uint64_t b, uint32_t n)
{
	uint32_t sectors = v->block / PATTERN_SECTOR;
	uint8_t *p = buf;

	for (uint32_t i = 0; i < n; i++, p += v->block) {
		struct perf_vblock *vb = &v->blocks[b + i];
		uint64_t seq;

		block_lock(vb);
		seq = ++vb->gen;
		if (vb->nw++ == 0) {
			/* A new group: its first write is the oldest it may leave. */
			vb->lo = seq;
			vb->unknown = false;
		} else {
			/* Two writes to one block in flight together: nothing
			 * promises they land whole (virtio 1.2 §5.2.6 has no atomic
			 * unit; a RAM back-end copying both at once tears even a
			 * sector), so the block is unknown until a write of its own. */
			vb->unknown = true;
		}
		block_unlock(vb);
		pattern_fill(p, v->lba0 + (b + i) * sectors, sectors, seq, v->seed);
	}
}

void perf_verify_write_done(struct perf_verify *v, uint64_t b, uint32_t n, bool ok, uint64_t now)
{
	for (uint32_t i = 0; i < n; i++) {
		struct perf_vblock *vb = &v->blocks[b + i];

		block_lock(vb);
		vb->unknown |= !ok;
		vb->done_tsc = now;
		/* A failed write may have left anything (virtio 1.2 §5.2.6:
		 * VIRTIO_BLK_S_IOERR says nothing of the data). */
		if (--vb->nw == 0 && vb->unknown)
			vb->lo = 0;
		block_unlock(vb);
	}
}

static void mismatch_note(struct perf_verify_stats *st, const struct pattern_mismatch *mm,
			  uint64_t now)
{
	if (st->have_first)
		return;
	st->have_first = true;
	st->first_tsc = now;
	st->first = *mm;
}

static void block_check(const struct perf_verify *v, const uint8_t *p, uint64_t b, uint64_t gen,
			uint64_t now, struct perf_verify_stats *st)
{
	uint32_t sectors = v->block / PATTERN_SECTOR;
	uint64_t lba = v->lba0 + b * sectors;
	struct pattern_mismatch mm;

	st->checked++;
	if (pattern_check(p, lba, sectors, gen, v->seed, &mm, 1)) {
		mismatch_note(st, &mm, now);
		st->mismatches++;
	}
}

void perf_verify_read_done(struct perf_verify *v, const void *buf, uint64_t b, uint32_t n,
			   uint64_t start, uint64_t now, struct perf_verify_stats *st)
{
	const uint8_t *p = buf;

	for (uint32_t i = 0; i < n; i++, p += v->block) {
		struct perf_vblock *vb = &v->blocks[b + i];
		uint64_t gen;
		bool quiet;

		block_lock(vb);
		/* No write in flight now, none completed since the read was
		 * submitted: none overlapped it. */
		quiet = vb->nw == 0 && vb->lo != 0 && vb->done_tsc < start;
		gen = vb->lo;
		block_unlock(vb);
		if (quiet)
			block_check(v, p, b + i, gen, now, st);
	}
}

void perf_verify_count(const struct perf_verify *v, uint64_t *written, uint64_t *unknown)
{
	*written = *unknown = 0;
	for (uint64_t b = 0; b < v->nblocks; b++) {
		*written += v->blocks[b].gen != 0;
		*unknown += v->blocks[b].gen != 0 && v->blocks[b].lo == 0;
	}
}

void perf_verify_stats_merge(struct perf_verify_stats *dst, const struct perf_verify_stats *src)
{
	dst->checked += src->checked;
	dst->mismatches += src->mismatches;
	dst->errors += src->errors;
	if (src->have_first && (!dst->have_first || src->first_tsc < dst->first_tsc)) {
		dst->have_first = true;
		dst->first_tsc = src->first_tsc;
		dst->first = src->first;
	}
}
