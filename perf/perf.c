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
#include "storlab/initiator.h"
#include "util/common.h"
#include "util/log.h"

#define PERF_MEM_SLACK	   (16ULL << 20) /* rings and request headers */
#define PERF_EVENT_WAIT_MS 100		 /* event mode: how often the stop flag is seen */
#define PERF_DRAIN_MS	   5000
#define PERF_TICK_MS	   100
#define PERF_WAIT_NS	   100000L /* set-up: how often a thread looks for the start */

static const char *const g_rw_names[] = {
    [PERF_RW_RANDREAD] = "randread",
    [PERF_RW_RANDWRITE] = "randwrite",
    [PERF_RW_READ] = "read",
    [PERF_RW_WRITE] = "write",
};

static const char *const g_completion_names[] = {
    [PERF_COMPLETION_POLL] = "poll",
    [PERF_COMPLETION_EVENT] = "event",
};

static int name_lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(names[i], s) == 0)
			return (int)i;
	}
	return -EINVAL;
}

int perf_rw_parse(const char *s, enum perf_rw *rw)
{
	int i = name_lookup(g_rw_names, ARRAY_SIZE(g_rw_names), s);

	if (i < 0)
		return i;
	*rw = (enum perf_rw)i;
	return 0;
}

const char *perf_rw_name(enum perf_rw rw)
{
	return (unsigned)rw < ARRAY_SIZE(g_rw_names) ? g_rw_names[rw] : "unknown";
}

int perf_completion_parse(const char *s, enum perf_completion *c)
{
	int i = name_lookup(g_completion_names, ARRAY_SIZE(g_completion_names), s);

	if (i < 0)
		return i;
	*c = (enum perf_completion)i;
	return 0;
}

const char *perf_completion_name(enum perf_completion c)
{
	return (unsigned)c < ARRAY_SIZE(g_completion_names) ? g_completion_names[c] : "unknown";
}

int perf_cpus_parse(const char *s, struct perf_job *job)
{
	char list[256];
	uint64_t mask;

	/* lib/env parses core lists in brackets ("[0,2-3]"). */
	if (snprintf(list, sizeof(list), "[%s]", s) >= (int)sizeof(list) ||
	    env_parse_core_mask(list, &mask))
		return -EINVAL;
	job->ncpus = 0;
	for (unsigned cpu = 0; cpu < 64; cpu++) {
		if (mask & (1ULL << cpu))
			job->cpus[job->ncpus++] = cpu;
	}
	return 0;
}

/* ---- the engine ---- */

enum perf_state {
	PERF_SETUP,
	PERF_RUNNING,
	PERF_STOPPED,
};

struct perf_io {
	uint64_t start_tsc;
	struct iovec iov;
};

struct perf_queue {
	struct storlab_queue *q;
	struct perf_io *ios;		  /* iodepth */
	struct storlab_completion *comps; /* iodepth */
	uint64_t cursor;		  /* sequential: the next block */
};

struct perf_ctx;

struct perf_thread {
	struct perf_ctx *ctx;
	unsigned cpu;
	pthread_t thread;
	struct perf_queue *queues;
	unsigned nqueues;
	uint64_t rng;
	struct perf_dir_stats stats;
	struct rusage ru_start;
	struct rusage ru_end;
	int err;
};

struct perf_ctx {
	const struct perf_job *job;
	struct storlab_dev *dev;
	bool write;
	bool random;
	uint64_t offset;  /* of the range */
	uint64_t nblocks; /* bs-sized blocks in the range */
	_Atomic int state;
	atomic_uint ready; /* threads set up and waiting for RUNNING */
	atomic_bool failed;
	struct perf_queue *queues; /* job->queues */
	struct perf_thread *threads;
	unsigned nthreads;
	uint8_t *bufs;	     /* queues * iodepth * bs */
	uint64_t ns_per_tsc; /* 32.32 fixed point */
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

/* xorshift64*: a few cycles, good enough to spread offsets. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static uint64_t next_offset(struct perf_thread *t, struct perf_queue *pq)
{
	struct perf_ctx *ctx = t->ctx;
	uint64_t block;

	if (ctx->random) {
		block = rng_next(&t->rng) % ctx->nblocks;
	} else {
		block = pq->cursor;
		pq->cursor = pq->cursor + 1 == ctx->nblocks ? 0 : pq->cursor + 1;
	}
	return ctx->offset + block * ctx->job->bs;
}

static int io_submit(struct perf_thread *t, struct perf_queue *pq, struct perf_io *io, uint64_t now)
{
	uint64_t off = next_offset(t, pq);

	io->start_tsc = now;
	if (t->ctx->write)
		return storlab_queue_write(pq->q, off, &io->iov, 1, io);
	return storlab_queue_read(pq->q, off, &io->iov, 1, io);
}

/* Reaps what is there and puts as many requests back; returns how many. */
static int queue_poll(struct perf_thread *t, struct perf_queue *pq)
{
	uint32_t depth = t->ctx->job->iodepth;
	int n = storlab_queue_reap(pq->q, pq->comps, 0, depth, 0);
	uint64_t now;

	if (n <= 0) {
		if (n < 0)
			t->err = n;
		return 0;
	}
	now = env_tsc();
	for (int i = 0; i < n; i++) {
		struct perf_io *io = pq->comps[i].tag;
		int ret;

		if (pq->comps[i].ret == -ECONNRESET) {
			/* Never completed: no latency to count. */
			t->err = -ECONNRESET;
			continue;
		}
		hist_record(&t->stats.clat, tsc_to_ns(t->ctx, now - io->start_tsc));
		t->stats.ios++;
		t->stats.bytes += io->iov.iov_len;
		if (pq->comps[i].ret)
			t->stats.errors++;
		ret = io_submit(t, pq, io, now);
		if (ret)
			t->err = ret;
	}
	/* One publish (and at most one kick) for the whole batch. */
	storlab_queue_submit(pq->q);
	return n;
}

static void event_wait(struct perf_thread *t)
{
	struct pollfd pfd[PERF_MAX_QUEUES];

	for (unsigned i = 0; i < t->nqueues; i++)
		pfd[i] = (struct pollfd){.fd = storlab_queue_fd(t->queues[i].q), .events = POLLIN};
	poll(pfd, t->nqueues, PERF_EVENT_WAIT_MS);
}

static void thread_drain(struct perf_thread *t)
{
	for (unsigned i = 0; i < t->nqueues; i++) {
		struct perf_queue *pq = &t->queues[i];

		while (storlab_queue_inflight(pq->q)) {
			if (storlab_queue_reap(pq->q, pq->comps, 1, t->ctx->job->iodepth,
					       PERF_DRAIN_MS) < 0)
				break;
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

static void *thread_main(void *arg)
{
	struct perf_thread *t = arg;
	struct perf_ctx *ctx = t->ctx;
	bool event = ctx->job->completion == PERF_COMPLETION_EVENT;
	uint64_t now;

	t->err = thread_pin(t->cpu);
	if (t->err)
		log_err("cannot pin a thread to CPU %u: %s", t->cpu, strerror(-t->err));
	for (unsigned i = 0; i < t->nqueues; i++)
		storlab_queue_set_fd_enabled(t->queues[i].q, event);
	atomic_fetch_add(&ctx->ready, 1);
	while (atomic_load(&ctx->state) == PERF_SETUP)
		nanosleep(&(struct timespec){0, PERF_WAIT_NS}, NULL);
	if (t->err || atomic_load(&ctx->state) != PERF_RUNNING)
		goto out;
	getrusage(RUSAGE_THREAD, &t->ru_start);
	now = env_tsc();
	for (unsigned i = 0; i < t->nqueues && !t->err; i++) {
		for (uint32_t d = 0; d < ctx->job->iodepth && !t->err; d++)
			t->err = io_submit(t, &t->queues[i], &t->queues[i].ios[d], now);
		storlab_queue_submit(t->queues[i].q);
	}
	while (!t->err && atomic_load_explicit(&ctx->state, memory_order_relaxed) == PERF_RUNNING) {
		int busy = 0;

		for (unsigned i = 0; i < t->nqueues; i++)
			busy += queue_poll(t, &t->queues[i]);
		if (!busy && event)
			event_wait(t);
	}
	getrusage(RUSAGE_THREAD, &t->ru_end);
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
	}
	free(ctx->queues);
	if (ctx->threads) {
		for (unsigned i = 0; i < ctx->nthreads; i++)
			free(ctx->threads[i].queues);
	}
	free(ctx->threads);
	if (ctx->dev) {
		storlab_buf_free(ctx->dev, ctx->bufs);
		storlab_dev_close(ctx->dev);
	}
}

/* Buffers and request contexts for every queue, before the clock starts. */
static int ctx_queues_setup(struct perf_ctx *ctx)
{
	const struct perf_job *job = ctx->job;
	size_t per_queue = (size_t)job->iodepth * job->bs;
	int ret;

	ret = storlab_buf_alloc(ctx->dev, per_queue * job->queues, 0, (void **)&ctx->bufs);
	if (ret)
		return ret;
	if (ctx->write) {
		uint64_t s = job->seed | 1;

		/* Not zeroes: some back-ends treat those specially. */
		for (size_t i = 0; i + 8 <= per_queue * job->queues; i += 8) {
			uint64_t v = rng_next(&s);

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
		if (!pq->ios || !pq->comps)
			return -ENOMEM;
		/* Sequential workloads: each queue starts in its own part. */
		pq->cursor = ctx->nblocks * i / job->queues;
		for (uint32_t d = 0; d < job->iodepth; d++)
			pq->ios[d].iov = (struct iovec){
			    ctx->bufs + per_queue * i + (size_t)d * job->bs, job->bs};
	}
	return 0;
}

/* Queue i goes to thread i mod nthreads. */
static int ctx_threads_setup(struct perf_ctx *ctx)
{
	const struct perf_job *job = ctx->job;

	ctx->ns_per_tsc = (1000000000ULL << 32) / env_tsc_hz();
	ctx->nthreads = job->ncpus ? job->ncpus : 1;
	ctx->threads = calloc(ctx->nthreads, sizeof(*ctx->threads));
	if (!ctx->threads)
		return -ENOMEM;
	for (unsigned i = 0; i < ctx->nthreads; i++) {
		struct perf_thread *t = &ctx->threads[i];

		t->ctx = ctx;
		t->cpu = job->ncpus ? job->cpus[i] : (unsigned)MAX(sched_getcpu(), 0);
		t->rng = (job->seed ^ (0x9e3779b97f4a7c15ULL * (i + 1))) | 1;
		hist_init(&t->stats.clat);
		t->queues = calloc(job->queues, sizeof(*t->queues));
		if (!t->queues)
			return -ENOMEM;
		for (unsigned q = i; q < job->queues; q += ctx->nthreads)
			t->queues[t->nqueues++] = ctx->queues[q];
	}
	return 0;
}

static int job_check(const struct perf_job *job)
{
	if (job->bs == 0 || job->bs % 512 || job->iodepth == 0 || job->queues == 0 ||
	    job->queues > PERF_MAX_QUEUES || job->seconds <= 0 || job->offset % 512 ||
	    job->ncpus > PERF_MAX_CPUS) {
		log_err("bad job: bs %u iodepth %u queues %u time %.1f offset %llu", job->bs,
			job->iodepth, job->queues, job->seconds, (unsigned long long)job->offset);
		return -EINVAL;
	}
	if (job->ncpus > job->queues) {
		log_err("%u CPUs but %u queues: every thread needs a queue", job->ncpus,
			job->queues);
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
	    .mem_size = (uint64_t)job->queues * job->iodepth * job->bs + PERF_MEM_SLACK,
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
	if (job->offset + size > info.capacity || size < job->bs) {
		log_err("range %llu+%llu does not fit the device (%llu bytes) or one block",
			(unsigned long long)job->offset, (unsigned long long)size,
			(unsigned long long)info.capacity);
		return -EINVAL;
	}
	ctx->offset = job->offset;
	ctx->nblocks = size / job->bs;
	return 0;
}

static double rusage_s(const struct timeval *a, const struct timeval *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_usec - a->tv_usec) / 1e6;
}

static void collect(struct perf_ctx *ctx, struct perf_result *res)
{
	struct perf_dir_stats *dir = ctx->write ? &res->write : &res->read;

	for (unsigned i = 0; i < ctx->nthreads; i++) {
		struct perf_thread *t = &ctx->threads[i];

		dir->ios += t->stats.ios;
		dir->bytes += t->stats.bytes;
		dir->errors += t->stats.errors;
		hist_merge(&dir->clat, &t->stats.clat);
		res->usr_cpu +=
		    100 * rusage_s(&t->ru_start.ru_utime, &t->ru_end.ru_utime) / res->seconds;
		res->sys_cpu +=
		    100 * rusage_s(&t->ru_start.ru_stime, &t->ru_end.ru_stime) / res->seconds;
	}
	res->threads = ctx->nthreads;
}

/* Starts the threads once all are set up, lets them run for job->seconds
 * (less if one fails); returns the measured window in seconds. */
static double run_window(struct perf_ctx *ctx)
{
	uint64_t start, end, deadline;
	struct timespec tick = {0, PERF_TICK_MS * 1000000L};

	while (atomic_load(&ctx->ready) < ctx->nthreads)
		nanosleep(&(struct timespec){0, PERF_WAIT_NS}, NULL);
	start = now_ns();
	atomic_store(&ctx->state, PERF_RUNNING);
	deadline = start + (uint64_t)(ctx->job->seconds * 1e9);
	while (now_ns() < deadline && !atomic_load(&ctx->failed)) {
		uint64_t left = deadline - now_ns();

		if (left < (uint64_t)tick.tv_nsec)
			tick.tv_nsec = (long)left;
		nanosleep(&tick, NULL);
	}
	atomic_store(&ctx->state, PERF_STOPPED);
	end = now_ns();
	return (double)(end - start) / 1e9;
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
	if (ret)
		return ret;
	ctx.write = job->rw == PERF_RW_WRITE || job->rw == PERF_RW_RANDWRITE;
	ctx.random = job->rw == PERF_RW_RANDREAD || job->rw == PERF_RW_RANDWRITE;
	ret = ctx_open(&ctx, res);
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
	if (!ret)
		collect(&ctx, res);
out:
	ctx_free(&ctx);
	return ret;
}
