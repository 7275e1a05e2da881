/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_PERF_VERIFY_H
#define STORLAB_PERF_VERIFY_H

/*
 * `storlab perf --verify`: data checks inside a timed workload, as fio's
 * verify does them. Writes carry the stamped pattern of `storlab io verify`
 * (initiator/pattern.h): per sector its LBA, a generation and a seed of the
 * run. The range is cut into blocks of the job's smallest request size, and
 * a table keeps per block:
 *   gen  the generation of the last write submitted to it (0: none yet),
 *   nw   the writes to it in flight,
 *   lo   once nw is 0, the generation on the medium; 0: unknown (never
 *        written in this run, a write of the group failed, or writes to
 *        the block were in flight together: virtio 1.2 §5.2.6 orders no
 *        two requests in flight and promises no atomic unit, so they may
 *        land in any order and even tear a sector),
 *   done when the last write to it was seen complete (TSC).
 * A read is checked, block by block, only where no write was in flight at
 * any time during it: nw is 0 at its completion and done is before its
 * submission. That needs a TSC that runs in step on every core, which the
 * kernel checks at boot on x86 (it marks an unsynchronised one unstable).
 * When the window ends and every write has completed, the read-back
 * (perf_verify_readback) reads every block whose content is known and checks
 * it, outside the measured numbers.
 *
 * Threading: any number of threads may call the write and read hooks at
 * once; each block has its own spin lock, held for a few loads and stores.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "initiator/pattern.h"

struct storlab_queue;

/* The table is 32 bytes a block: 512 MiB at most. */
#define PERF_VERIFY_MAX_BLOCKS (1ULL << 24)

struct perf_vblock {
	uint64_t gen;
	uint64_t lo;
	uint64_t done_tsc;
	uint32_t nw;
	bool unknown; /* the current group leaves nothing known: a write failed,
		       * or writes overlapped */
	atomic_flag lock;
};

struct perf_verify {
	struct perf_vblock *blocks;
	uint64_t nblocks;
	uint32_t block; /* bytes, a multiple of 512 */
	uint64_t lba0;	/* the first block's, in 512-byte sectors */
	uint64_t seed;	/* in every stamp: data from another run does not match */
};

/* What checks found; one per thread, merged by perf_verify_stats_merge(). */
struct perf_verify_stats {
	uint64_t checked;    /* blocks compared with what was written */
	uint64_t mismatches; /* of those, blocks with a wrong sector */
	uint64_t errors;     /* read-back requests the device failed */
	bool have_first;
	uint64_t first_tsc; /* when the first mismatch was found */
	struct pattern_mismatch first;
};

/* The range starts at byte offset (a multiple of 512) and holds nblocks
 * blocks of block bytes. 0, -EINVAL (more than PERF_VERIFY_MAX_BLOCKS) or
 * -ENOMEM. */
int perf_verify_init(struct perf_verify *v, uint64_t offset, uint64_t nblocks, uint32_t block,
		     uint64_t seed);
void perf_verify_fini(struct perf_verify *v);
/* The stamps' seed for a run: the job's --seed, the time and the process,
 * so that data another run left (same seed, same generations) never passes
 * for this run's. */
uint64_t perf_verify_seed(uint64_t job_seed);

/* Before a write of blocks [b, b + n) is submitted: counts it in flight and
 * stamps buf (n blocks) with each block's new generation. */
void perf_verify_write_start(struct perf_verify *v, void *buf, uint64_t b, uint32_t n);
/* When it completed (ok: with status OK), seen at now (TSC). */
void perf_verify_write_done(struct perf_verify *v, uint64_t b, uint32_t n, bool ok, uint64_t now);
/* A read of [b, b + n), submitted at start (TSC), completed OK into buf:
 * checks the blocks no write overlapped. start UINT64_MAX: every write has
 * completed, check every block whose content is known. */
void perf_verify_read_done(struct perf_verify *v, const void *buf, uint64_t b, uint32_t n,
			   uint64_t start, uint64_t now, struct perf_verify_stats *st);

/* Blocks written in the run (a write submitted to them), and of those the
 * ones whose content is unknown (overlapping or failed writes): no check. */
void perf_verify_count(const struct perf_verify *v, uint64_t *written, uint64_t *unknown);
/* Adds src to dst; the first mismatch is the earlier one. */
void perf_verify_stats_merge(struct perf_verify_stats *dst, const struct perf_verify_stats *src);

/*
 * The read-back, once no write is in flight: reads every block whose content
 * is known, in runs of up to slot bytes, at depth requests in flight on each
 * of the nqueues queues (queue i reads the i-th nqueues-th of the range),
 * from the calling thread. bufs holds nqueues * depth slots of slot bytes
 * (library memory). 0, or what storlab_queue_reap() returns when the device
 * went away, or -ETIMEDOUT when no request completed for timeout_ms.
 */
int perf_verify_readback(struct perf_verify *v, struct storlab_queue *const *queues,
			 unsigned nqueues, uint32_t depth, uint8_t *bufs, size_t slot,
			 int timeout_ms, struct perf_verify_stats *st);

#endif
