/* SPDX-License-Identifier: MIT */
/* --verify's bookkeeping against a fake device: a byte array that applies
 * writes when (and in the order) a test says, as a device with requests in
 * flight may. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "perf/pick.h"
#include "perf/verify.h"

#define BLK	4096u
#define NBLK	16u
#define OFFSET	(1u << 20) /* the range starts 1 MiB into the device */
#define SECTORS (BLK / PATTERN_SECTOR)
#define MAX_REQ 4u /* blocks */
#define LBA(b)	(OFFSET / PATTERN_SECTOR + (uint64_t)(b)*SECTORS)

struct fake {
	struct perf_verify v;
	uint8_t disk[NBLK * BLK]; /* the range */
	struct perf_verify_stats st;
	uint64_t tsc; /* the clock the test advances */
};

/* A write in flight: its data, stamped at submission. */
struct wreq {
	uint64_t b;
	uint32_t n;
	uint8_t buf[MAX_REQ * BLK];
};

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(perf_verify_init(&f->v, OFFSET, NBLK, BLK, 0x5eed), 0);
	f->tsc = 100;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;

	perf_verify_fini(&f->v);
	free(f);
	return 0;
}

static uint64_t tick(struct fake *f)
{
	return f->tsc += 10;
}

static void w_submit(struct fake *f, struct wreq *w, uint64_t b, uint32_t n)
{
	w->b = b;
	w->n = n;
	tick(f);
	perf_verify_write_start(&f->v, w->buf, b, n);
}

/* The device does the write (to the blocks given: a part of it, or all). */
static void w_apply(struct fake *f, const struct wreq *w, uint64_t b, uint32_t n)
{
	memcpy(f->disk + b * BLK, w->buf + (b - w->b) * BLK, (size_t)n * BLK);
}

static void w_done(struct fake *f, const struct wreq *w, bool ok)
{
	perf_verify_write_done(&f->v, w->b, w->n, ok, tick(f));
}

static void write_now(struct fake *f, uint64_t b, uint32_t n)
{
	struct wreq w;

	w_submit(f, &w, b, n);
	w_apply(f, &w, b, n);
	w_done(f, &w, true);
}

/* A read submitted at start, its data taken from the disk now, completed now. */
static void read_at(struct fake *f, uint64_t b, uint32_t n, uint64_t start)
{
	uint8_t buf[MAX_REQ * BLK];

	memcpy(buf, f->disk + b * BLK, (size_t)n * BLK);
	perf_verify_read_done(&f->v, buf, b, n, start, tick(f), &f->st);
}

static void read_now(struct fake *f, uint64_t b, uint32_t n)
{
	read_at(f, b, n, tick(f));
}

static void test_clean(void **state)
{
	struct fake *f = *state;
	uint64_t written, unknown;

	write_now(f, 3, 1);
	write_now(f, 4, 4);
	write_now(f, 3, 2); /* block 3 at generation 2 now */
	read_now(f, 3, 1);
	read_now(f, 4, 4);
	assert_int_equal(f->st.checked, 5);
	assert_int_equal(f->st.mismatches, 0);
	assert_false(f->st.have_first);
	perf_verify_count(&f->v, &written, &unknown);
	assert_int_equal(written, 5);
	assert_int_equal(unknown, 0);
}

/* A byte changed on the medium is found, and said where. */
static void test_corrupted_read(void **state)
{
	struct fake *f = *state;

	write_now(f, 2, 4);
	f->disk[3 * BLK + 2 * PATTERN_SECTOR + 100] ^= 0x40;
	read_now(f, 2, 4);
	assert_int_equal(f->st.checked, 4);
	assert_int_equal(f->st.mismatches, 1);
	assert_true(f->st.have_first);
	assert_int_equal(f->st.first.lba, LBA(3) + 2);
	assert_int_equal(f->st.first.fault, PATTERN_BAD_DATA);
	assert_int_equal(f->st.first.byte, 100);
}

/* A write the device said it did and did not: the older generation is there. */
static void test_lost_write(void **state)
{
	struct fake *f = *state;
	struct wreq w;

	write_now(f, 7, 1);
	w_submit(f, &w, 7, 1);
	w_done(f, &w, true); /* never applied */
	read_now(f, 7, 1);
	assert_int_equal(f->st.mismatches, 1);
	assert_int_equal(f->st.first.fault, PATTERN_STALE_SEQ);
	assert_int_equal(f->st.first.expected.seq, 2);
	assert_int_equal(f->st.first.found.seq, 1);
	/* And a block written in another place: the wrong LBA. */
	memcpy(f->disk + 8 * BLK, f->disk + 7 * BLK, BLK);
	write_now(f, 9, 1);
	memcpy(f->disk + 9 * BLK, f->disk + 7 * BLK, BLK);
	read_now(f, 9, 1);
	assert_int_equal(f->st.mismatches, 2);
}

/* Two writes in flight to one block may land in either order and tear even
 * a sector (no atomic unit): the block is unknown, not a mismatch, until a
 * write of its own makes it known again. */
static void test_overlapping_writes(void **state)
{
	struct fake *f = *state;
	struct wreq a, b;

	w_submit(f, &a, 5, 2);
	w_submit(f, &b, 5, 1);
	w_apply(f, &b, 5, 1);
	w_apply(f, &a, 5, 2); /* the older one lands last */
	w_done(f, &b, true);
	w_done(f, &a, true);
	read_now(f, 5, 2);
	/* Block 6 had only a's write: known; block 5 not. */
	assert_int_equal(f->st.checked, 1);
	assert_int_equal(f->st.mismatches, 0);

	/* Torn inside a sector: 64 bytes of one, the rest of the other. */
	w_submit(f, &a, 10, 1);
	w_submit(f, &b, 10, 1);
	memcpy(f->disk + 10 * BLK, a.buf, 64);
	memcpy(f->disk + 10 * BLK + 64, b.buf + 64, BLK - 64);
	w_done(f, &a, true);
	w_done(f, &b, true);
	read_now(f, 10, 1);
	assert_int_equal(f->st.checked, 1);
	assert_int_equal(f->st.mismatches, 0);

	/* A write of its own makes the block known again, and checked. */
	write_now(f, 10, 1);
	read_now(f, 10, 1);
	assert_int_equal(f->st.checked, 2);
	assert_int_equal(f->st.mismatches, 0);
	f->disk[10 * BLK + 100] ^= 0xff;
	read_now(f, 10, 1);
	assert_int_equal(f->st.checked, 3);
	assert_int_equal(f->st.mismatches, 1);
}

/* A read that a write overlapped may see either: it is not checked. */
static void test_read_overlapping_write(void **state)
{
	struct fake *f = *state;
	uint64_t start;
	struct wreq w;

	write_now(f, 1, 1);
	/* Submitted while the write is in flight, completed after it. */
	w_submit(f, &w, 1, 1);
	start = tick(f);
	memset(f->disk + BLK, 0xee, 64); /* half-written, as the read saw it */
	w_apply(f, &w, 1, 1);
	w_done(f, &w, true);
	memset(f->disk + BLK, 0xee, 64);
	read_at(f, 1, 1, start);
	/* Submitted before a write that was submitted and done before it completed. */
	start = tick(f);
	w_submit(f, &w, 1, 1);
	w_done(f, &w, true); /* the read's data: the old generation */
	read_at(f, 1, 1, start);
	/* Completed while a write is in flight. */
	w_submit(f, &w, 1, 1);
	read_now(f, 1, 1);
	w_done(f, &w, true);
	assert_int_equal(f->st.checked, 0);
	/* Never written in this run: nothing is known. */
	read_now(f, 12, 4);
	assert_int_equal(f->st.checked, 0);
}

/* A failed write leaves the block unknown until a write succeeds on it. */
static void test_failed_write(void **state)
{
	struct fake *f = *state;
	struct wreq w;

	write_now(f, 6, 1);
	w_submit(f, &w, 6, 1);
	w_done(f, &w, false);
	memset(f->disk + 6 * BLK, 0, BLK);
	read_now(f, 6, 1);
	perf_verify_read_done(&f->v, f->disk + 6 * BLK, 6, 1, UINT64_MAX, tick(f), &f->st);
	assert_int_equal(f->st.checked, 0);
	write_now(f, 6, 1);
	read_now(f, 6, 1);
	assert_int_equal(f->st.checked, 1);
	assert_int_equal(f->st.mismatches, 0);
}

/* The read-back (start UINT64_MAX) checks every known block, and data
 * another run stamped (another seed) does not pass for this run's. */
static void test_readback_and_seed(void **state)
{
	struct fake *f = *state;
	struct perf_verify other;
	struct wreq w;

	write_now(f, 0, 4);
	w_submit(f, &w, 4, 1);
	w_done(f, &w, true);
	perf_verify_read_done(&f->v, f->disk, 0, 4, UINT64_MAX, tick(f), &f->st);
	assert_int_equal(f->st.checked, 4);
	assert_int_equal(f->st.mismatches, 0);
	/* The same generations from a run with another seed. */
	assert_int_equal(perf_verify_init(&other, OFFSET, NBLK, BLK, 0xbad), 0);
	perf_verify_write_start(&other, w.buf, 4, 1);
	w_apply(f, &w, 4, 1);
	perf_verify_read_done(&f->v, f->disk + 4 * BLK, 4, 1, UINT64_MAX, tick(f), &f->st);
	perf_verify_fini(&other);
	assert_int_equal(f->st.mismatches, 1);
	assert_int_equal(f->st.first.fault, PATTERN_WRONG_SEED);
}

static void test_merge_and_limits(void **state)
{
	struct perf_verify_stats a = {.checked = 3,
				      .mismatches = 1,
				      .have_first = true,
				      .first_tsc = 50,
				      .first = {.lba = 7}};
	struct perf_verify_stats b = {.checked = 2,
				      .mismatches = 1,
				      .errors = 1,
				      .have_first = true,
				      .first_tsc = 20,
				      .first = {.lba = 9}};
	struct perf_verify_stats sum = {0};
	struct perf_verify v;

	(void)state;
	perf_verify_stats_merge(&sum, &a);
	perf_verify_stats_merge(&sum, &b);
	assert_int_equal(sum.checked, 5);
	assert_int_equal(sum.mismatches, 2);
	assert_int_equal(sum.errors, 1);
	assert_int_equal(sum.first.lba, 9); /* found earlier */
	assert_int_equal(perf_verify_init(&v, 0, PERF_VERIFY_MAX_BLOCKS + 1, 512, 1), -EINVAL);
}

/* Several threads write and read a few blocks at once through a device that
 * moves one sector at a time, so that writes in flight together tear and
 * reads see half-done writes; the clock is one counter every thread draws
 * from, as the TSC is. Nothing may be found wrong, and reads must have been
 * checked. */
#define MT_THREADS 4
#define MT_BLOCKS  4
#define MT_BLK	   1024
#define MT_OPS	   20000

struct mt {
	struct perf_verify v;
	uint8_t disk[MT_BLOCKS * MT_BLK];
	pthread_mutex_t lock; /* one sector moves at a time */
	atomic_uint_fast64_t clock;
	struct perf_verify_stats st[MT_THREADS];
};

struct mt_arg {
	struct mt *m;
	unsigned id;
};

static void mt_move(struct mt *m, uint8_t *buf, uint64_t b, uint32_t n, bool write)
{
	for (uint32_t s = 0; s < n * MT_BLK / PATTERN_SECTOR; s++) {
		uint8_t *d = m->disk + b * MT_BLK + s * PATTERN_SECTOR;

		pthread_mutex_lock(&m->lock);
		memcpy(write ? d : buf + s * PATTERN_SECTOR, write ? buf + s * PATTERN_SECTOR : d,
		       PATTERN_SECTOR);
		pthread_mutex_unlock(&m->lock);
	}
}

static void *mt_main(void *p)
{
	struct mt_arg *a = p;
	struct mt *m = a->m;
	uint64_t rng = a->id + 1;
	uint8_t buf[2 * MT_BLK];

	for (unsigned i = 0; i < MT_OPS; i++) {
		bool write = pick_rng(&rng) >> 63;
		uint32_t n = 1 + (uint32_t)(pick_rng(&rng) >> 63);
		uint64_t b = pick_below(pick_rng(&rng), MT_BLOCKS - n + 1);
		uint64_t start = atomic_fetch_add(&m->clock, 1);

		if (write) {
			perf_verify_write_start(&m->v, buf, b, n);
			mt_move(m, buf, b, n, true);
			perf_verify_write_done(&m->v, b, n, true, atomic_fetch_add(&m->clock, 1));
		} else {
			mt_move(m, buf, b, n, false);
			perf_verify_read_done(&m->v, buf, b, n, start,
					      atomic_fetch_add(&m->clock, 1), &m->st[a->id]);
		}
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct mt *m = calloc(1, sizeof(*m));
	uint64_t written, unknown;
	struct mt_arg args[MT_THREADS];
	pthread_t th[MT_THREADS];
	struct perf_verify_stats sum = {0};

	(void)state;
	assert_non_null(m);
	assert_int_equal(perf_verify_init(&m->v, 0, MT_BLOCKS, MT_BLK, 77), 0);
	pthread_mutex_init(&m->lock, NULL);
	atomic_init(&m->clock, 1);
	for (unsigned i = 0; i < MT_THREADS; i++) {
		args[i] = (struct mt_arg){m, i};
		assert_int_equal(pthread_create(&th[i], NULL, mt_main, &args[i]), 0);
	}
	for (unsigned i = 0; i < MT_THREADS; i++) {
		pthread_join(th[i], NULL);
		perf_verify_stats_merge(&sum, &m->st[i]);
	}
	/* The read-back: everything is quiet now. */
	perf_verify_read_done(&m->v, m->disk, 0, MT_BLOCKS, UINT64_MAX, 0, &sum);
	if (sum.mismatches)
		fail_msg("%llu mismatches, the first at lba %llu (%s)",
			 (unsigned long long)sum.mismatches, (unsigned long long)sum.first.lba,
			 pattern_fault_name(sum.first.fault));
	perf_verify_count(&m->v, &written, &unknown);
	assert_int_equal(written, MT_BLOCKS);
	assert_true(sum.checked > MT_BLOCKS - unknown);
	pthread_mutex_destroy(&m->lock);
	perf_verify_fini(&m->v);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_clean, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupted_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lost_write, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overlapping_writes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_overlapping_write, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_write, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readback_and_seed, setup, teardown),
	    cmocka_unit_test(test_merge_and_limits),
	    cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
