/* SPDX-License-Identifier: MIT */
#define LOG_COMPONENT "verify"

#include "initiator/verify.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/common.h"
#include "util/log.h"

#define VERIFY_PROGRESS_MS 200
#define VERIFY_RETRY_MS	   100

struct verify_ctx {
	const struct verify_opts *o;
	struct verify_result *res;
	uint64_t nblocks;
	uint64_t seq;
	enum verify_phase phase;
	atomic_uint_fast64_t bytes_done; /* completed in this phase (progress) */
	atomic_uint_fast64_t bytes_ok;	 /* of which with an OK status */
	atomic_uint_fast64_t resubmitted; /* kept requests completed */
	pthread_mutex_t lock;		 /* the fields below, and res's error fields */
	pthread_cond_t cond;
	unsigned finished; /* workers done with the phase */
	bool disconnected;
	int fatal;
};

struct verify_worker {
	struct verify_ctx *ctx;
	unsigned index;
	struct storlab_queue *q;
	uint8_t *bufs;	      /* qd * bs, library memory */
	uint64_t *slot_block; /* the block each slot carries */
	bool *slot_kept;      /* in flight at the last reconnect, not completed yet */
	uint32_t nkept;
	uint32_t *free_slots;
	uint32_t nfree;
	uint64_t next; /* the next block of the phase */
	struct storlab_completion *comps; /* qd */
	pthread_t thread;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void block_range(const struct verify_ctx *ctx, uint64_t block, uint64_t *off, uint32_t *len)
{
	uint64_t start = block * ctx->o->bs;

	*off = ctx->o->offset + start;
	*len = (uint32_t)MIN((uint64_t)ctx->o->bs, ctx->o->length - start);
}

static void ctx_fail(struct verify_ctx *ctx, int err)
{
	pthread_mutex_lock(&ctx->lock);
	if (err == -ENOTCONN || err == -ECONNRESET)
		ctx->disconnected = true;
	else if (!ctx->fatal)
		ctx->fatal = err;
	pthread_mutex_unlock(&ctx->lock);
}

static int worker_submit(struct verify_worker *w, uint32_t slot, uint64_t block)
{
	struct verify_ctx *ctx = w->ctx;
	uint8_t *buf = w->bufs + (size_t)slot * ctx->o->bs;
	struct storlab_req req = {.iovcnt = 1, .tag = (void *)(uintptr_t)slot};
	struct iovec iov;
	uint32_t len;

	block_range(ctx, block, &req.offset, &len);
	iov = (struct iovec){buf, len};
	req.iov = &iov;
	w->slot_block[slot] = block;
	if (ctx->phase == VERIFY_READ) {
		/* The slot may still hold what it wrote for this very block: a
		 * device that never fills the buffer must not pass. */
		memset(buf, 0, len);
		req.op = STORLAB_OP_READ;
	} else {
		pattern_fill(buf, req.offset / PATTERN_SECTOR, len / PATTERN_SECTOR, ctx->seq,
			     ctx->o->seed);
		req.op = STORLAB_OP_WRITE;
	}
	return storlab_queue_add(w->q, &req);
}

static void record_mismatches(struct verify_ctx *ctx, const uint8_t *buf, uint64_t off,
			      uint32_t len)
{
	struct pattern_mismatch mm[VERIFY_MAX_REPORT];
	struct verify_result *res = ctx->res;
	uint32_t bad, keep;

	bad = pattern_check(buf, off / PATTERN_SECTOR, len / PATTERN_SECTOR, ctx->seq, ctx->o->seed,
			    mm, VERIFY_MAX_REPORT);
	if (likely(bad == 0))
		return;
	pthread_mutex_lock(&ctx->lock);
	res->bad_sectors += bad;
	keep = MIN(bad, (uint32_t)(VERIFY_MAX_REPORT - res->nreported));
	memcpy(&res->mismatches[res->nreported], mm, keep * sizeof(mm[0]));
	res->nreported += keep;
	pthread_mutex_unlock(&ctx->lock);
}

static void record_error(struct verify_worker *w, const struct storlab_completion *c, uint64_t off)
{
	struct verify_ctx *ctx = w->ctx;
	struct verify_result *res = ctx->res;

	pthread_mutex_lock(&ctx->lock);
	if (res->io_errors++ == 0) {
		res->first_error = c->ret;
		res->first_error_status = storlab_queue_status_name(w->q, c);
		res->first_error_offset = off;
	}
	pthread_mutex_unlock(&ctx->lock);
}

/* Returns false once the run must stop submitting (disconnect). */
static bool worker_complete(struct verify_worker *w, const struct storlab_completion *c)
{
	struct verify_ctx *ctx = w->ctx;
	uint32_t slot = (uint32_t)(uintptr_t)c->tag, len;
	struct verify_queue_stats *st = &ctx->res->queue[w->index];
	uint64_t off;

	w->free_slots[w->nfree++] = slot;
	block_range(ctx, w->slot_block[slot], &off, &len);
	if (w->slot_kept[slot]) {
		w->slot_kept[slot] = false;
		w->nkept--;
		atomic_fetch_add_explicit(&ctx->resubmitted, 1, memory_order_relaxed);
	}
	if (c->ret == -ECONNRESET) {
		ctx_fail(ctx, c->ret);
		return false;
	}
	if (c->ret)
		record_error(w, c, off);
	else
		atomic_fetch_add_explicit(&ctx->bytes_ok, len, memory_order_relaxed);
	if (!c->ret && ctx->phase == VERIFY_READ)
		record_mismatches(ctx, w->bufs + (size_t)slot * ctx->o->bs, off, len);
	st->requests++;
	st->bytes += len;
	atomic_fetch_add_explicit(&ctx->bytes_done, len, memory_order_relaxed);
	return true;
}

/* How long a reap may wait: the request timeout, and while requests of
 * the last disconnect are outstanding no longer than the reconnect timeout
 * (they may have been lost). */
static int worker_reap_timeout(const struct verify_worker *w)
{
	const struct verify_opts *o = w->ctx->o;
	int kept_ms = (int)MIN(o->reconnect_timeout * 1000, (double)INT32_MAX);

	if (!w->nkept || (o->io_timeout_ms >= 0 && o->io_timeout_ms <= kept_ms))
		return o->io_timeout_ms;
	return kept_ms;
}

/* A reap timed out: say which requests did not come back. */
static int worker_timed_out(struct verify_worker *w, int timeout_ms)
{
	struct verify_ctx *ctx = w->ctx;

	if (!w->nkept) {
		log_err("queue %u: no completion within %d ms", w->index, timeout_ms);
		return -ETIMEDOUT;
	}
	log_err("queue %u: %u request(s) in flight at the disconnect did not complete within "
		"%d ms of the reconnect: the back-end lost them (vhost-user.rst \"Inflight I/O "
		"tracking\": a restarted back-end resubmits what it tracked)",
		w->index, w->nkept, timeout_ms);
	pthread_mutex_lock(&ctx->lock);
	ctx->res->lost += w->nkept;
	pthread_mutex_unlock(&ctx->lock);
	return -ENODATA;
}

static void *worker_main(void *arg)
{
	struct verify_worker *w = arg;
	struct verify_ctx *ctx = w->ctx;
	bool go = true;

	while (true) {
		int n, timeout_ms;

		while (go && w->nfree && w->next < ctx->nblocks) {
			uint32_t slot = w->free_slots[--w->nfree];
			int ret = worker_submit(w, slot, w->next);

			if (ret) {
				w->free_slots[w->nfree++] = slot;
				ctx_fail(ctx, ret);
				go = false;
				break;
			}
			w->next += ctx->o->queues;
		}
		if (storlab_queue_inflight(w->q) == 0)
			break;
		timeout_ms = worker_reap_timeout(w);
		n = storlab_queue_reap(w->q, w->comps, 1, ctx->o->qd, timeout_ms);
		if (n < 0) {
			if (n == -ETIMEDOUT)
				n = worker_timed_out(w, timeout_ms);
			ctx_fail(ctx, n);
			break;
		}
		for (int i = 0; i < n; i++)
			go = worker_complete(w, &w->comps[i]) && go;
	}
	pthread_mutex_lock(&ctx->lock);
	ctx->finished++;
	pthread_cond_signal(&ctx->cond);
	pthread_mutex_unlock(&ctx->lock);
	return NULL;
}

static void report_progress(struct verify_ctx *ctx, unsigned pass)
{
	struct verify_progress p = {
	    .pass = pass,
	    .passes = ctx->o->passes,
	    .phase = ctx->phase,
	    .bytes_done = atomic_load(&ctx->bytes_done),
	    .bytes_total = ctx->o->length,
	};

	if (ctx->o->progress)
		ctx->o->progress(&p, ctx->o->arg);
}

/* One phase on every queue, from its start or (resume) from where a
 * disconnect stopped it; 0, -ECONNRESET (disconnect) or a fatal errno. */
static int run_phase(struct verify_ctx *ctx, struct verify_worker *workers, enum verify_phase phase,
		     unsigned pass, bool resume)
{
	unsigned started = 0;
	int ret = 0;

	ctx->phase = phase;
	ctx->finished = 0;
	ctx->disconnected = false;
	if (!resume) {
		atomic_store(&ctx->bytes_done, 0);
		for (unsigned i = 0; i < ctx->o->queues; i++)
			workers[i].next = i;
	}
	atomic_store(&ctx->bytes_ok, 0);
	for (; started < ctx->o->queues; started++) {
		ret =
		    -pthread_create(&workers[started].thread, NULL, worker_main, &workers[started]);
		if (ret)
			break;
	}
	pthread_mutex_lock(&ctx->lock);
	while (ctx->finished < started) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += VERIFY_PROGRESS_MS * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&ctx->cond, &ctx->lock, &ts);
		pthread_mutex_unlock(&ctx->lock);
		report_progress(ctx, pass);
		pthread_mutex_lock(&ctx->lock);
	}
	pthread_mutex_unlock(&ctx->lock);
	for (unsigned i = 0; i < started; i++)
		pthread_join(workers[i].thread, NULL);
	if (ret) {
		log_err("pthread_create: %s", strerror(-ret));
		return ret;
	}
	/* Bytes the device accepted: a failed write wrote nothing we count. */
	if (phase == VERIFY_WRITE)
		ctx->res->bytes_written += atomic_load(&ctx->bytes_ok);
	else
		ctx->res->bytes_read += atomic_load(&ctx->bytes_ok);
	if (ctx->fatal)
		return ctx->fatal;
	return ctx->disconnected ? -ECONNRESET : 0;
}

static int reconnect(struct verify_ctx *ctx)
{
	const struct verify_opts *o = ctx->o;
	double start = now_s();
	struct timespec pause = {0, VERIFY_RETRY_MS * 1000000L};
	int ret;

	log_info("back-end gone; reconnecting for up to %.1f s", o->reconnect_timeout);
	while ((ret = storlab_dev_reconnect(o->dev)) != 0) {
		if (ret == -EBUSY || now_s() - start >= o->reconnect_timeout) {
			log_err("no reconnect within %.1f s: %s", o->reconnect_timeout,
				strerror(-ret));
			return ret == -EBUSY ? ret : -ETIMEDOUT;
		}
		nanosleep(&pause, NULL);
	}
	ctx->res->reconnects++;
	if (o->reconnected)
		o->reconnected(now_s() - start, o->arg);
	return 0;
}

/* After a reconnect that kept requests in flight: marks them, so that their
 * completions are counted and their absence noticed. Whether any were. */
static bool mark_kept(struct verify_ctx *ctx, struct verify_worker *workers)
{
	bool any = false;

	for (unsigned i = 0; i < ctx->o->queues; i++) {
		struct verify_worker *w = &workers[i];

		memset(w->slot_kept, 1, ctx->o->qd * sizeof(*w->slot_kept));
		for (uint32_t f = 0; f < w->nfree; f++)
			w->slot_kept[w->free_slots[f]] = false;
		w->nkept = ctx->o->qd - w->nfree;
		any |= w->nkept > 0;
	}
	return any;
}

static int run_pass(struct verify_ctx *ctx, struct verify_worker *workers, unsigned pass)
{
	enum verify_phase phase = VERIFY_WRITE;
	bool resume = false;
	int ret;

	ctx->seq = pass;
	for (;;) {
		ret = run_phase(ctx, workers, phase, pass, resume);
		if (!ret && phase == VERIFY_WRITE) {
			phase = VERIFY_READ;
			resume = false;
			continue;
		}
		if (ret != -ECONNRESET || ctx->o->reconnect_timeout <= 0)
			return ret;
		ret = reconnect(ctx);
		if (ret)
			return ret;
		/* The device runs again what was in flight: the phase goes on.
		 * Otherwise the restarted back-end may have lost what this pass
		 * wrote: redo it from the write phase. */
		resume = storlab_dev_keeps_inflight(ctx->o->dev) && mark_kept(ctx, workers);
		if (!resume)
			phase = VERIFY_WRITE;
	}
}

static void workers_free(struct verify_ctx *ctx, struct verify_worker *workers)
{
	for (unsigned i = 0; i < ctx->o->queues; i++) {
		storlab_buf_free(ctx->o->dev, workers[i].bufs);
		free(workers[i].slot_block);
		free(workers[i].slot_kept);
		free(workers[i].free_slots);
		free(workers[i].comps);
	}
	free(workers);
}

static int workers_alloc(struct verify_ctx *ctx, struct verify_worker **out)
{
	const struct verify_opts *o = ctx->o;
	struct verify_worker *workers = calloc(o->queues, sizeof(*workers));
	int ret = 0;

	if (!workers)
		return -ENOMEM;
	for (unsigned i = 0; i < o->queues && !ret; i++) {
		struct verify_worker *w = &workers[i];

		w->ctx = ctx;
		w->index = i;
		w->q = storlab_dev_queue(o->dev, i);
		w->slot_block = calloc(o->qd, sizeof(*w->slot_block));
		w->slot_kept = calloc(o->qd, sizeof(*w->slot_kept));
		w->free_slots = calloc(o->qd, sizeof(*w->free_slots));
		w->comps = calloc(o->qd, sizeof(*w->comps));
		if (!w->slot_block || !w->slot_kept || !w->free_slots || !w->comps) {
			ret = -ENOMEM;
			break;
		}
		for (uint32_t s = 0; s < o->qd; s++)
			w->free_slots[w->nfree++] = s;
		ret = storlab_buf_alloc(o->dev, (size_t)o->qd * o->bs, 0, (void **)&w->bufs);
	}
	if (ret) {
		workers_free(ctx, workers);
		return ret;
	}
	*out = workers;
	return 0;
}

static int opts_check(const struct verify_opts *o)
{
	if (o->queues == 0 || o->queues > VERIFY_MAX_QUEUES ||
	    !storlab_dev_queue(o->dev, o->queues - 1))
		return -EINVAL;
	if (o->qd == 0 || o->bs == 0 || o->bs % PATTERN_SECTOR || o->passes == 0)
		return -EINVAL;
	if (o->length == 0 || o->length % PATTERN_SECTOR || o->offset % PATTERN_SECTOR)
		return -EINVAL;
	return 0;
}

int verify_run(const struct verify_opts *o, struct verify_result *res)
{
	struct verify_ctx ctx = {.o = o, .res = res};
	struct verify_worker *workers;
	double start = now_s();
	int ret;

	memset(res, 0, sizeof(*res));
	ret = opts_check(o);
	if (ret) {
		log_err("bad options: queues %u qd %u bs %u length %llu offset %llu passes %u",
			o->queues, o->qd, o->bs, (unsigned long long)o->length,
			(unsigned long long)o->offset, o->passes);
		return ret;
	}
	ctx.nblocks = (o->length + o->bs - 1) / o->bs;
	ret = workers_alloc(&ctx, &workers);
	if (ret)
		return ret;
	pthread_mutex_init(&ctx.lock, NULL);
	pthread_cond_init(&ctx.cond, NULL);
	for (unsigned pass = 1; pass <= o->passes && !ret; pass++)
		ret = run_pass(&ctx, workers, pass);
	pthread_cond_destroy(&ctx.cond);
	pthread_mutex_destroy(&ctx.lock);
	workers_free(&ctx, workers);
	res->resubmitted = atomic_load(&ctx.resubmitted);
	res->seconds = now_s() - start;
	return ret;
}
