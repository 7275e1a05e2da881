/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_PERF_PICK_H
#define STORLAB_PERF_PICK_H

/*
 * The per-request arithmetic of the engine: random numbers and offsets, the
 * read/write choice of a mixed workload and the due times of a paced queue
 * (request sizes are in bs.h). Pure and inline: it runs once per request, so
 * it has no division where a multiply will do, no floating point and no
 * system call.
 */

#include <stdbool.h>
#include <stdint.h>

/* xorshift64*: a few cycles, good enough to spread offsets. s must not be 0. */
static inline uint64_t pick_rng(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* A number in [0, n) from a random r: the high half of r * n (Lemire's
 * multiply-shift) instead of r % n, a 64-bit divide of tens of cycles. The
 * bias is below n / 2^64. */
static inline uint64_t pick_below(uint64_t r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)r * n) >> 64);
}

/* rwmixread percent (0..100) as a threshold on the top 32 bits of a random
 * number: a compare per request instead of a modulo. */
static inline uint64_t pick_mix_threshold(unsigned rwmixread)
{
	return ((uint64_t)rwmixread << 32) / 100;
}

static inline bool pick_mix_read(uint64_t r, uint64_t threshold)
{
	return (r >> 32) < threshold;
}

/* TSC ticks between two submissions on one of nqueues queues sharing a job
 * rate of rate IOPS (fio's rate_iops is per job too). At least 1. */
static inline uint64_t pick_pace_interval(uint64_t tsc_hz, uint64_t rate, unsigned nqueues)
{
	uint64_t i = rate ? tsc_hz * nqueues / rate : 0;

	return i ? i : 1;
}

/* The due time of the submission after one due at due, seen at now. A queue
 * that fell behind (the device was slower than the rate for a while) catches
 * up at most `slack` ticks in a burst, rather than flooding the device with
 * everything it missed. */
static inline uint64_t pick_pace_next(uint64_t due, uint64_t interval, uint64_t now, uint64_t slack)
{
	due += interval;
	if (now > slack && due < now - slack)
		due = now - slack;
	return due;
}

#endif
