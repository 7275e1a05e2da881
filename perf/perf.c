/* SPDX-License-Identifier: MIT */
#define LOG_COMPONENT "perf"

#include "perf/perf.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "env/env.h"
#include "perf/pick.h"
#include "storlab/initiator.h"
#include "util/common.h"
#include "util/log.h"

#define PERF_MEM_SLACK	   (16ULL << 20) /* rings and request headers */
#define PERF_EVENT_WAIT_MS 100		 /* event mode: how often the stop flag is seen */
#define PERF_DRAIN_MS	   5000
#define PERF_TICK_MS	   100
#define PERF_WAIT_NS	   100000L /* set-up: how often a thread looks for the start */

enum perf_state {
	PERF_SETUP,
	PERF_RAMP, /* running, not measured */
	PERF_RUNNING,
	PERF_STOPPED,
};

struct perf_io {
	uint64_t start_tsc;
	struct iovec iov;
	enum perf_dir dir;
	uint32_t nblk;	/* of the job's smallest size (ctx->bs.min) */
	uint64_t block; /* the first, from the start of the range */
};

/* A completion of the batch being handled, counted after the publish. */
struct perf_done {
	uint64_t ticks; /* its latency */
	uint32_t bytes;
	enum perf_dir dir;
	bool error; /* a status other than OK */
};

struct perf_queue {
	struct storlab_queue *q;
	struct perf_io *ios;		  /* iodepth */
	struct storlab_completion *comps; /* iodepth */
	struct perf_done *done;		  /* iodepth */
	uint64_t cursor;		  /* sequential: the next block */
	/* Offsets, sizes and directions: a queue's sequence of requests
	 * follows from --seed alone, whatever the order of completions. */
	uint64_t rng;
	/* --rate-iops: requests waiting for their due time, and that time (TSC). */
	struct perf_io **parked; /* iodepth */
	uint32_t nparked;
	uint64_t due;
};

/* Counters at the end of one second of the measured window. */
struct perf_snap {
	uint64_t ios[2];
	uint64_t bytes[2];
};

struct perf_ctx;

struct perf_thread {
	struct perf_ctx *ctx;
	unsigned cpu;
	pthread_t thread;
	struct perf_queue *queues;
	unsigned nqueues;
	struct perf_dir_stats stats[2];	 /* by enum perf_dir; series unused */
	struct perf_verify_stats vstats; /* --verify: of this thread's reads */
	/* The per-second series: snaps[sec] is filled when second sec ends. */
	struct perf_snap *snaps; /* ctx->nslots */
	unsigned sec;
	uint64_t sec_end_tsc;	  /* UINT64_MAX: not measuring, or the last slot */
	_Atomic uint64_t live[2]; /* stats[].ios for the progress line, once a batch */
	struct rusage ru_start;
	struct rusage ru_end;
	int err;
};

struct perf_ctx {
	const struct perf_job *job;
	struct storlab_dev *dev;
	bool mixed;		/* the direction is chosen per request */
	enum perf_dir dir;	/* if not */
	uint32_t iodepth;	/* job->iodepth, read on every poll */
	uint64_t mix_threshold; /* pick_mix_threshold(rwmixread) */
	bool random;
	struct perf_bs bs; /* job->bs_spec, or job->bs as the one size */
	uint64_t offset;   /* of the range */
	uint64_t nblocks;  /* blocks of bs.min bytes in the range */
	bool verify;
	struct perf_verify verify_tab;
	_Atomic int state;
	atomic_uint ready; /* threads set up and waiting for RAMP or RUNNING */
	atomic_bool failed;
	struct perf_queue *queues; /* job->queues */
	struct perf_thread *threads;
	unsigned nthreads;
	uint8_t *bufs;	     /* queues * iodepth * bs.max */
	uint64_t ns_per_tsc; /* 32.32 fixed point */
	uint64_t tsc_hz;
	uint64_t pace_interval; /* --rate-iops: ticks between submissions on a queue; 0: off */
	unsigned nslots;	/* of each thread's snaps: the window's seconds, rounded up, + 1 */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Latencies are timed with the TSC (as fio's default clocksource on x86):
 * at queue depth 1 one clock read is part of every measured round trip, and
 * clock_gettime() (a vDSO call around a fenced rdtsc) costs more than a bare
 * rdtsc. ns_per_tsc turns ticks into nanoseconds with one multiply. */
static uint64_t tsc_to_ns(const struct perf_ctx *ctx, uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * ctx->ns_per_tsc) >> 32);
}

/* Where the request goes and how long it is, in blocks of bs.min. A random
 * request lies wholly in the range; a sequential one that would not fit
 * starts again at the range's start. */
static void io_place(struct perf_ctx *ctx, struct perf_queue *pq, struct perf_io *io)
{
	uint32_t n = ctx->bs.kind == PERF_BS_FIXED ? 1 : perf_bs_pick(&ctx->bs, pick_rng(&pq->rng));

	if (ctx->random) {
		io->block = pick_below(pick_rng(&pq->rng), ctx->nblocks - n + 1);
	} else {
		if (pq->cursor + n > ctx->nblocks)
			pq->cursor = 0;
		io->block = pq->cursor;
		pq->cursor += n;
	}
	io->nblk = n;
	io->iov.iov_len = (size_t)n * ctx->bs.min;
}

static int io_submit(struct perf_thread *t, struct perf_queue *pq, struct perf_io *io, uint64_t now)
{
	struct perf_ctx *ctx = t->ctx;
	struct storlab_req req = {.op = STORLAB_OP_READ, .iov = &io->iov, .iovcnt = 1, .tag = io};

	io_place(ctx, pq, io);
	req.offset = ctx->offset + io->block * ctx->bs.min;
	io->start_tsc = now;
	io->dir = ctx->dir;
	if (ctx->mixed)
		io->dir = pick_mix_read(pick_rng(&pq->rng), ctx->mix_threshold) ? PERF_DIR_READ
										: PERF_DIR_WRITE;
	if (io->dir == PERF_DIR_WRITE) {
		if (unlikely(ctx->verify))
			perf_verify_write_start(&ctx->verify_tab, io->iov.iov_base, io->block,
						io->nblk);
		req.op = STORLAB_OP_WRITE;
	}
	return storlab_queue_add(pq->q, &req);
}

/* --verify: a write leaves its generations; a read is checked where no
 * write overlapped it. */
static void io_verify_done(struct perf_thread *t, const struct storlab_completion *c, uint64_t now)
{
	struct perf_io *io = c->tag;
	struct perf_verify *v = &t->ctx->verify_tab;

	if (io->dir == PERF_DIR_WRITE)
		perf_verify_write_done(v, io->block, io->nblk, c->ret == 0, now);
	else if (c->ret == 0)
		perf_verify_read_done(v, io->iov.iov_base, io->block, io->nblk, io->start_tsc, now,
				      &t->vstats);
}

static void snap_take(const struct perf_thread *t, struct perf_snap *s)
{
	for (unsigned d = 0; d < 2; d++) {
		s->ios[d] = t->stats[d].ios;
		s->bytes[d] = t->stats[d].bytes;
	}
}

/* Closes the seconds that ended by now. Seconds with no completion (event
 * mode, a stalled device) are closed late, with the same counts. */
static void thread_tick(struct perf_thread *t, uint64_t now)
{
	unsigned last = t->ctx->nslots - 1;

	while (now >= t->sec_end_tsc && t->sec < last) {
		snap_take(t, &t->snaps[t->sec++]);
		t->sec_end_tsc += t->ctx->tsc_hz;
	}
	if (t->sec == last)
		t->sec_end_tsc = UINT64_MAX;
}

/* --rate-iops: submits the parked requests that are due. The due times come
 * from the TSC the loop reads anyway; nothing sleeps. */
static void queue_pace(struct perf_thread *t, struct perf_queue *pq, uint64_t now)
{
	uint64_t interval = t->ctx->pace_interval;
	bool sent = false;

	while (pq->nparked && pq->due <= now) {
		int ret = io_submit(t, pq, pq->parked[--pq->nparked], now);

		if (ret)
			t->err = ret;
		pq->due = pick_pace_next(pq->due, interval, now, interval * t->ctx->iodepth);
		sent = true;
	}
	if (sent)
		storlab_queue_submit(pq->q);
}

/* Counts a batch of completions, once their requests went back. */
static void queue_count(struct perf_thread *t, const struct perf_done *done, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct perf_dir_stats *d = &t->stats[done[i].dir];

		hist_record(&d->clat, tsc_to_ns(t->ctx, done[i].ticks));
		d->ios++;
		d->bytes += done[i].bytes;
		d->errors += done[i].error;
	}
}

/* Reaps what is there, puts as many requests back (or parks them when
 * paced), publishes them, and only then counts what completed: at queue
 * depth 1 whatever runs before the publish is on every round trip. Returns
 * how many were reaped. */
static int queue_poll(struct perf_thread *t, struct perf_queue *pq)
{
	struct perf_ctx *ctx = t->ctx;
	bool paced = ctx->pace_interval;
	int n = storlab_queue_reap(pq->q, pq->comps, 0, ctx->iodepth, 0);
	unsigned ndone = 0;
	uint64_t now;

	if (n <= 0) {
		if (n < 0)
			t->err = n;
		if (paced && pq->nparked)
			queue_pace(t, pq, env_tsc());
		return 0;
	}
	now = env_tsc();
	if (now >= t->sec_end_tsc)
		thread_tick(t, now);
	for (int i = 0; i < n; i++) {
		struct perf_io *io = pq->comps[i].tag;
		int ret = pq->comps[i].ret;

		/* Before the buffer is reused. */
		if (unlikely(ctx->verify))
			io_verify_done(t, &pq->comps[i], now);
		if (ret == -ECONNRESET) {
			/* Never completed: no latency to count. */
			t->err = ret;
			continue;
		}
		pq->done[ndone++] = (struct perf_done){.ticks = now - io->start_tsc,
						       .bytes = (uint32_t)io->iov.iov_len,
						       .dir = io->dir,
						       .error = ret != 0};
		if (paced) {
			pq->parked[pq->nparked++] = io;
			continue;
		}
		ret = io_submit(t, pq, io, now);
		if (ret)
			t->err = ret;
	}
	if (paced)
		queue_pace(t, pq, now);
	else /* One publish (and at most one kick) for the whole batch. */
		storlab_queue_submit(pq->q);
	queue_count(t, pq->done, ndone);
	atomic_store_explicit(&t->live[PERF_DIR_READ], t->stats[PERF_DIR_READ].ios,
			      memory_order_relaxed);
	atomic_store_explicit(&t->live[PERF_DIR_WRITE], t->stats[PERF_DIR_WRITE].ios,
			      memory_order_relaxed);
	return n;
}

/* The measured window starts: what the ramp counted is dropped. */
static void thread_window_start(struct perf_thread *t)
{
	for (unsigned d = 0; d < 2; d++) {
		t->stats[d].ios = t->stats[d].bytes = t->stats[d].errors = 0;
		hist_init(&t->stats[d].clat);
	}
	getrusage(RUSAGE_THREAD, &t->ru_start);
	t->sec = 0;
	t->sec_end_tsc = env_tsc() + t->ctx->tsc_hz;
	if (t->ctx->nslots == 1)
		t->sec_end_tsc = UINT64_MAX;
}

static void event_wait(struct perf_thread *t)
{
	struct pollfd pfd[PERF_MAX_QUEUES];

	for (unsigned i = 0; i < t->nqueues; i++)
		pfd[i] = (struct pollfd){.fd = storlab_queue_fd(t->queues[i].q), .events = POLLIN};
	poll(pfd, t->nqueues, PERF_EVENT_WAIT_MS);
}

/* Waits for what is in flight; --verify still books each completion. */
static void thread_drain(struct perf_thread *t)
{
	for (unsigned i = 0; i < t->nqueues; i++) {
		struct perf_queue *pq = &t->queues[i];

		while (storlab_queue_inflight(pq->q)) {
			int n =
			    storlab_queue_reap(pq->q, pq->comps, 1, t->ctx->iodepth, PERF_DRAIN_MS);
			uint64_t now = env_tsc();

			if (n < 0)
				break;
			for (int c = 0; c < n && t->ctx->verify; c++)
				io_verify_done(t, &pq->comps[c], now);
		}
	}
}

static int thread_pin(unsigned cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void thread_submit_all(struct perf_thread *t)
{
	uint64_t now = env_tsc();

	for (unsigned i = 0; i < t->nqueues && !t->err; i++) {
		struct perf_queue *pq = &t->queues[i];

		if (t->ctx->pace_interval) {
			/* Paced: all start parked, the first due at once. */
			for (uint32_t d = 0; d < t->ctx->iodepth; d++)
				pq->parked[pq->nparked++] = &pq->ios[d];
			pq->due = now;
			queue_pace(t, pq, now);
			continue;
		}
		for (uint32_t d = 0; d < t->ctx->iodepth && !t->err; d++)
			t->err = io_submit(t, pq, &pq->ios[d], now);
		storlab_queue_submit(pq->q);
	}
}

static bool thread_parked(const struct perf_thread *t)
{
	for (unsigned i = 0; i < t->nqueues; i++) {
		if (t->queues[i].nparked)
			return true;
	}
	return false;
}

static void *thread_main(void *arg)
{
	struct perf_thread *t = arg;
	struct perf_ctx *ctx = t->ctx;
	bool event = ctx->job->completion == PERF_COMPLETION_EVENT;
	int seen = PERF_RAMP;

	t->err = thread_pin(t->cpu);
	if (t->err)
		log_err("cannot pin a thread to CPU %u: %s", t->cpu, strerror(-t->err));
	for (unsigned i = 0; i < t->nqueues; i++)
		storlab_queue_set_fd_enabled(t->queues[i].q, event);
	t->sec_end_tsc = UINT64_MAX;
	atomic_fetch_add(&ctx->ready, 1);
	while (atomic_load(&ctx->state) == PERF_SETUP)
		nanosleep(&(struct timespec){0, PERF_WAIT_NS}, NULL);
	if (t->err || atomic_load(&ctx->state) == PERF_STOPPED)
		goto out;
	thread_submit_all(t);
	while (!t->err) {
		int state = atomic_load_explicit(&ctx->state, memory_order_relaxed);
		int busy = 0;

		if (state != seen) {
			if (state == PERF_STOPPED)
				break;
			thread_window_start(t); /* RAMP to RUNNING */
			seen = state;
		}
		for (unsigned i = 0; i < t->nqueues; i++)
			busy += queue_poll(t, &t->queues[i]);
		/* Parked requests are due on the TSC: no sleeping through them. */
		if (!busy && event && !thread_parked(t))
			event_wait(t);
	}
	getrusage(RUSAGE_THREAD, &t->ru_end);
	/* The seconds not closed yet (the last, partial one) hold the totals. */
	for (unsigned s = t->sec; s < ctx->nslots; s++)
		snap_take(t, &t->snaps[s]);
out:
	if (t->err)
		atomic_store(&ctx->failed, true);
	thread_drain(t);
	return NULL;
}

static void ctx_free(struct perf_ctx *ctx)
{
	for (unsigned i = 0; ctx->queues && i < ctx->job->queues; i++) {
		free(ctx->queues[i].ios);
		free(ctx->queues[i].comps);
		free(ctx->queues[i].done);
		free(ctx->queues[i].parked);
	}
	free(ctx->queues);
	if (ctx->threads) {
		for (unsigned i = 0; i < ctx->nthreads; i++) {
			free(ctx->threads[i].queues);
			free(ctx->threads[i].snaps);
		}
	}
	free(ctx->threads);
	perf_verify_fini(&ctx->verify_tab);
	if (ctx->dev) {
		storlab_buf_free(ctx->dev, ctx->bufs);
		storlab_dev_close(ctx->dev);
	}
}

/* Buffers and request contexts for every queue, before the clock starts. */
static int ctx_queues_setup(struct perf_ctx *ctx)
{
	const struct perf_job *job = ctx->job;
	size_t per_queue = (size_t)job->iodepth * ctx->bs.max;
	int ret;

	ret = storlab_buf_alloc(ctx->dev, per_queue * job->queues, 0, (void **)&ctx->bufs);
	if (ret)
		return ret;
	if (perf_rw_writes(job->rw) && !ctx->verify) {
		uint64_t s = job->seed | 1;

		/* Not zeroes: some back-ends treat those specially. (--verify
		 * stamps each write instead.) */
		for (size_t i = 0; i + 8 <= per_queue * job->queues; i += 8) {
			uint64_t v = pick_rng(&s);

			memcpy(ctx->bufs + i, &v, 8);
		}
	}
	ctx->queues = calloc(job->queues, sizeof(*ctx->queues));
	if (!ctx->queues)
		return -ENOMEM;
	for (unsigned i = 0; i < job->queues; i++) {
		struct perf_queue *pq = &ctx->queues[i];

		pq->q = storlab_dev_queue(ctx->dev, i);
		pq->ios = calloc(job->iodepth, sizeof(*pq->ios));
		pq->comps = calloc(job->iodepth, sizeof(*pq->comps));
		pq->done = calloc(job->iodepth, sizeof(*pq->done));
		pq->parked = calloc(job->iodepth, sizeof(*pq->parked));
		if (!pq->ios || !pq->comps || !pq->done || !pq->parked)
			return -ENOMEM;
		/* Sequential workloads: each queue starts in its own part. */
		pq->cursor = ctx->nblocks * i / job->queues;
		pq->rng = (job->seed ^ (0x9e3779b97f4a7c15ULL * (i + 1))) | 1;
		for (uint32_t d = 0; d < job->iodepth; d++)
			pq->ios[d].iov = (struct iovec){
			    ctx->bufs + per_queue * i + (size_t)d * ctx->bs.max, ctx->bs.max};
	}
	return 0;
}

/* Queue i goes to thread i mod nthreads. */
static int ctx_threads_setup(struct perf_ctx *ctx)
{
	const struct perf_job *job = ctx->job;
	unsigned whole = (unsigned)job->seconds;

	ctx->tsc_hz = env_tsc_hz();
	ctx->ns_per_tsc = (1000000000ULL << 32) / ctx->tsc_hz;
	if (job->rate_iops)
		ctx->pace_interval = pick_pace_interval(ctx->tsc_hz, job->rate_iops, job->queues);
	/* A slot per second begun, and one for a window that runs a little long. */
	ctx->nslots = whole + ((double)whole < job->seconds) + 1;
	ctx->nthreads = job->ncpus ? job->ncpus : 1;
	ctx->threads = calloc(ctx->nthreads, sizeof(*ctx->threads));
	if (!ctx->threads)
		return -ENOMEM;
	for (unsigned i = 0; i < ctx->nthreads; i++) {
		struct perf_thread *t = &ctx->threads[i];

		t->ctx = ctx;
		t->cpu = job->ncpus ? job->cpus[i] : (unsigned)MAX(sched_getcpu(), 0);
		hist_init(&t->stats[PERF_DIR_READ].clat);
		hist_init(&t->stats[PERF_DIR_WRITE].clat);
		t->queues = calloc(job->queues, sizeof(*t->queues));
		t->snaps = calloc(ctx->nslots, sizeof(*t->snaps));
		if (!t->queues || !t->snaps)
			return -ENOMEM;
		for (unsigned q = i; q < job->queues; q += ctx->nthreads)
			t->queues[t->nqueues++] = ctx->queues[q];
	}
	return 0;
}

static int job_check(const struct perf_job *job)
{
	if (job->iodepth == 0 || job->queues == 0 || job->queues > PERF_MAX_QUEUES ||
	    job->seconds <= 0 || job->offset % 512 || job->ncpus > PERF_MAX_CPUS ||
	    job->rwmixread > 100 || job->ramp < 0) {
		log_err("bad job: iodepth %u queues %u time %.1f offset %llu", job->iodepth,
			job->queues, job->seconds, (unsigned long long)job->offset);
		return -EINVAL;
	}
	if (job->ncpus > job->queues) {
		log_err("%u CPUs but %u queues: every thread needs a queue", job->ncpus,
			job->queues);
		return -EINVAL;
	}
	/* fio reads back what an earlier job wrote; here the writes must be
	 * in the same run, or nothing is known to check. */
	if (job->verify && !perf_job_writes(job)) {
		log_err("--verify needs a workload that writes");
		return -EINVAL;
	}
	return 0;
}

/* The one size of job->bs, or job->bs_spec. */
static int ctx_bs_setup(struct perf_ctx *ctx)
{
	const struct perf_job *job = ctx->job;

	if (job->bs_spec) {
		ctx->bs = *job->bs_spec;
		return 0;
	}
	if (perf_bs_fixed(&ctx->bs, job->bs)) {
		log_err("bad job: bs %u is not a multiple of 512 up to 1 GiB", job->bs);
		return -EINVAL;
	}
	return 0;
}

static int ctx_open(struct perf_ctx *ctx, struct perf_result *res)
{
	const struct perf_job *job = ctx->job;
	struct storlab_dev_opts opts = {
	    .num_queues = job->queues,
	    .queue_size = STORLAB_DEFAULT_QUEUE_SIZE,
	    .mem_size = (uint64_t)job->queues * job->iodepth * ctx->bs.max + PERF_MEM_SLACK,
	};
	struct storlab_dev_info info;
	uint64_t size;
	int ret;

	while (opts.queue_size < job->iodepth)
		opts.queue_size *= 2;
	ret = storlab_dev_open(job->uri, &opts, &ctx->dev);
	if (ret)
		return ret;
	storlab_dev_get_info(ctx->dev, &info);
	res->capacity = info.capacity;
	size = job->size		     ? job->size
	       : info.capacity > job->offset ? info.capacity - job->offset
					     : 0;
	if (job->offset + size > info.capacity || size < ctx->bs.max) {
		log_err("range %llu+%llu does not fit the device (%llu bytes) or the largest "
			"request (%u)",
			(unsigned long long)job->offset, (unsigned long long)size,
			(unsigned long long)info.capacity, ctx->bs.max);
		return -EINVAL;
	}
	ctx->offset = job->offset;
	ctx->nblocks = size / ctx->bs.min;
	return 0;
}

static double rusage_s(const struct timeval *a, const struct timeval *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_usec - a->tv_usec) / 1e6;
}

/* Thread t's count of direction d in second s of its series; the last
 * second takes what is left, so the series sums to the totals exactly. */
static void series_add(struct perf_dir_stats *dir, const struct perf_thread *t, enum perf_dir d,
		       unsigned len)
{
	for (unsigned s = 0; s < len; s++) {
		const struct perf_snap *end = s + 1 == len ? NULL : &t->snaps[s];
		uint64_t ios = end ? end->ios[d] : t->stats[d].ios;
		uint64_t bytes = end ? end->bytes[d] : t->stats[d].bytes;

		if (s) {
			ios -= t->snaps[s - 1].ios[d];
			bytes -= t->snaps[s - 1].bytes[d];
		}
		dir->ios_series[s] += ios;
		dir->bytes_series[s] += bytes;
	}
}

static int collect(struct perf_ctx *ctx, struct perf_result *res)
{
	struct perf_dir_stats *dirs[2] = {&res->read, &res->write};
	unsigned whole = (unsigned)res->seconds;
	double cpu_s = 0;

	/* The window as measured, in seconds begun; the slots bound it. */
	res->series_len = MIN(whole + ((double)whole < res->seconds), ctx->nslots);
	res->series_len = MAX(res->series_len, 1u);
	for (unsigned d = 0; d < 2; d++) {
		dirs[d]->ios_series = calloc(res->series_len, sizeof(uint64_t));
		dirs[d]->bytes_series = calloc(res->series_len, sizeof(uint64_t));
		if (!dirs[d]->ios_series || !dirs[d]->bytes_series)
			return -ENOMEM;
	}
	for (unsigned i = 0; i < ctx->nthreads; i++) {
		struct perf_thread *t = &ctx->threads[i];
		double usr = rusage_s(&t->ru_start.ru_utime, &t->ru_end.ru_utime);
		double sys = rusage_s(&t->ru_start.ru_stime, &t->ru_end.ru_stime);

		for (unsigned d = 0; d < 2; d++) {
			dirs[d]->ios += t->stats[d].ios;
			dirs[d]->bytes += t->stats[d].bytes;
			dirs[d]->errors += t->stats[d].errors;
			hist_merge(&dirs[d]->clat, &t->stats[d].clat);
			series_add(dirs[d], t, (enum perf_dir)d, res->series_len);
		}
		perf_verify_stats_merge(&res->verify.run, &t->vstats);
		res->usr_cpu += 100 * usr / res->seconds;
		res->sys_cpu += 100 * sys / res->seconds;
		cpu_s += usr + sys;
	}
	if (res->read.ios + res->write.ios)
		res->cpu_ns_per_io = cpu_s * 1e9 / (double)(res->read.ios + res->write.ios);
	res->threads = ctx->nthreads;
	return 0;
}

static void progress_report(struct perf_ctx *ctx, uint64_t start, uint64_t phase, bool ramping)
{
	uint64_t now = now_ns();
	struct perf_progress p = {.elapsed = (double)(now - start) / 1e9,
				  .phase_elapsed = (double)(now - phase) / 1e9,
				  .ramping = ramping};

	for (unsigned i = 0; i < ctx->nthreads; i++) {
		for (unsigned d = 0; d < 2; d++)
			p.ios[d] +=
			    atomic_load_explicit(&ctx->threads[i].live[d], memory_order_relaxed);
	}
	ctx->job->progress(ctx->job->progress_arg, &p);
}

/* Starts the threads once all are set up, lets them ramp for job->ramp
 * seconds and run for job->seconds (less if one fails or job->stop is set);
 * returns the measured window in seconds. */
static double run_window(struct perf_ctx *ctx)
{
	const struct perf_job *job = ctx->job;
	uint64_t start, mstart, end, deadline, next_progress;
	bool ramping = job->ramp > 0;

	while (atomic_load(&ctx->ready) < ctx->nthreads)
		nanosleep(&(struct timespec){0, PERF_WAIT_NS}, NULL);
	start = mstart = now_ns();
	atomic_store(&ctx->state, ramping ? PERF_RAMP : PERF_RUNNING);
	deadline = start + (uint64_t)((job->ramp + job->seconds) * 1e9);
	next_progress = start + PERF_PROGRESS_MS * 1000000ULL;
	for (;;) {
		uint64_t now = now_ns(), left = deadline > now ? deadline - now : 0;

		if (!left || atomic_load(&ctx->failed) || (job->stop && *job->stop))
			break;
		/* Before the phase may change: the counts are still of this one. */
		if (job->progress && now >= next_progress) {
			progress_report(ctx, start, mstart, ramping);
			next_progress += PERF_PROGRESS_MS * 1000000ULL;
		}
		if (ramping && now >= start + (uint64_t)(job->ramp * 1e9)) {
			/* The window is job->seconds from here, whatever the ramp overran. */
			ramping = false;
			atomic_store(&ctx->state, PERF_RUNNING);
			mstart = now;
			deadline = mstart + (uint64_t)(job->seconds * 1e9);
		}
		nanosleep(&(struct timespec){0, (long)MIN(left, PERF_TICK_MS * 1000000ULL)}, NULL);
	}
	atomic_store(&ctx->state, PERF_STOPPED);
	end = now_ns();
	return (double)(end - mstart) / 1e9;
}

/* --verify, once every thread drained: every block the run left known is
 * read back and checked, from this thread, outside the measured numbers. */
static int verify_readback(struct perf_ctx *ctx, struct perf_result *res)
{
	struct storlab_queue *qs[PERF_MAX_QUEUES];

	for (unsigned i = 0; i < ctx->job->queues; i++)
		qs[i] = ctx->queues[i].q;
	perf_verify_count(&ctx->verify_tab, &res->verify.written, &res->verify.unknown);
	return perf_verify_readback(&ctx->verify_tab, qs, ctx->job->queues, ctx->job->iodepth,
				    ctx->bufs, ctx->bs.max, PERF_DRAIN_MS, &res->verify.readback);
}

void perf_result_fini(struct perf_result *res)
{
	free(res->read.ios_series);
	free(res->read.bytes_series);
	free(res->write.ios_series);
	free(res->write.bytes_series);
	res->read.ios_series = res->read.bytes_series = NULL;
	res->write.ios_series = res->write.bytes_series = NULL;
}

int perf_run(const struct perf_job *job, struct perf_result *res)
{
	struct perf_ctx ctx = {.job = job};
	unsigned started = 0;
	int ret;

	memset(res, 0, sizeof(*res));
	hist_init(&res->read.clat);
	hist_init(&res->write.clat);
	ret = job_check(job);
	if (!ret)
		ret = ctx_bs_setup(&ctx);
	if (ret)
		return ret;
	ctx.verify = job->verify;
	ctx.iodepth = job->iodepth;
	ctx.mixed = job->rw == PERF_RW_RW || job->rw == PERF_RW_RANDRW;
	ctx.mix_threshold = pick_mix_threshold(job->rwmixread);
	ctx.dir = perf_rw_writes(job->rw) ? PERF_DIR_WRITE : PERF_DIR_READ;
	ctx.random = perf_rw_random(job->rw);
	ret = ctx_open(&ctx, res);
	if (!ret && ctx.verify) {
		res->verify.seed = perf_verify_seed(job->seed);
		ret = perf_verify_init(&ctx.verify_tab, ctx.offset, ctx.nblocks, ctx.bs.min,
				       res->verify.seed);
	}
	if (!ret)
		ret = ctx_queues_setup(&ctx);
	if (!ret)
		ret = ctx_threads_setup(&ctx);
	if (ret)
		goto out;
	for (; started < ctx.nthreads; started++) {
		ret = -pthread_create(&ctx.threads[started].thread, NULL, thread_main,
				      &ctx.threads[started]);
		if (ret)
			break;
	}
	if (ret) {
		/* The started threads wait for the start: send them home. */
		log_err("pthread_create: %s", strerror(-ret));
		atomic_store(&ctx.state, PERF_STOPPED);
	} else {
		res->seconds = run_window(&ctx);
	}
	for (unsigned i = 0; i < started; i++) {
		pthread_join(ctx.threads[i].thread, NULL);
		if (!ret && ctx.threads[i].err)
			ret = ctx.threads[i].err;
	}
	if (!ret && ctx.verify)
		ret = verify_readback(&ctx, res);
	if (!ret)
		ret = collect(&ctx, res);
	if (ret)
		perf_result_fini(res);
out:
	ctx_free(&ctx);
	return ret;
}
