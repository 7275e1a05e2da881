/* SPDX-License-Identifier: MIT */
/* --verify's read-back: once every write completed, every block whose content is known. */
#define LOG_COMPONENT "perf"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env/env.h"
#include "perf/verify.h"
#include "storlab/initiator.h"
#include "util/log.h"

struct rb_req {
	uint64_t b; /* first block */
	uint32_t n; /* blocks */
	struct iovec iov;
};

struct rb_queue {
	struct storlab_queue *q;
	uint64_t cursor; /* the next block to look at */
	uint64_t end;
	struct rb_req *reqs;  /* depth */
	struct rb_req **free; /* depth, a stack of the idle ones */
	uint32_t nfree;
	struct storlab_completion *comps; /* depth */
};

static bool block_known(const struct perf_vblock *vb)
{
	return vb->lo != 0 && vb->nw == 0;
}

/* The next run of known blocks at or after the cursor, at most max long. */
static bool next_run(const struct perf_verify *v, struct rb_queue *rq, uint32_t max,
		     struct rb_req *req)
{
	while (rq->cursor < rq->end && !block_known(&v->blocks[rq->cursor]))
		rq->cursor++;
	if (rq->cursor == rq->end)
		return false;
	req->b = rq->cursor;
	req->n = 0;
	while (rq->cursor < rq->end && req->n < max && block_known(&v->blocks[rq->cursor])) {
		rq->cursor++;
		req->n++;
	}
	return true;
}

static int rb_fill(const struct perf_verify *v, struct rb_queue *rq, uint32_t max)
{
	while (rq->nfree) {
		struct rb_req *req = rq->free[rq->nfree - 1];
		int ret;

		if (!next_run(v, rq, max, req))
			break;
		req->iov.iov_len = (size_t)req->n * v->block;
		ret = storlab_queue_add(rq->q,
					&(struct storlab_req){
					    .op = STORLAB_OP_READ,
					    .offset = v->lba0 * PATTERN_SECTOR + req->b * v->block,
					    .iov = &req->iov,
					    .iovcnt = 1,
					    .tag = req,
					});
		if (ret)
			return ret;
		rq->nfree--;
	}
	return 0;
}

/* Reaps what is there and checks it; returns how many completed, or an error. */
static int rb_reap(struct perf_verify *v, struct rb_queue *rq, uint32_t depth,
		   struct perf_verify_stats *st)
{
	int n = storlab_queue_reap(rq->q, rq->comps, 0, depth, 0);

	for (int i = 0; i < n; i++) {
		struct rb_req *req = rq->comps[i].tag;

		if (rq->comps[i].ret) {
			if (!st->errors)
				log_err("--verify read-back: a read of %u blocks at block %llu "
					"failed: %s",
					req->n, (unsigned long long)req->b,
					storlab_queue_status_name(rq->q, &rq->comps[i]));
			st->errors++;
		} else {
			perf_verify_read_done(v, req->iov.iov_base, req->b, req->n, UINT64_MAX,
					      env_tsc(), st);
		}
		rq->free[rq->nfree++] = req;
	}
	return n;
}

static void rb_free(struct rb_queue *rqs, unsigned nqueues)
{
	for (unsigned i = 0; rqs && i < nqueues; i++) {
		free(rqs[i].reqs);
		free(rqs[i].free);
		free(rqs[i].comps);
	}
	free(rqs);
}

static int rb_setup(const struct perf_verify *v, struct rb_queue *rqs,
		    struct storlab_queue *const *queues, unsigned nqueues, uint32_t depth,
		    uint8_t *bufs, size_t slot)
{
	for (unsigned i = 0; i < nqueues; i++) {
		struct rb_queue *rq = &rqs[i];

		rq->q = queues[i];
		rq->cursor = v->nblocks * i / nqueues;
		rq->end = v->nblocks * (i + 1) / nqueues;
		rq->reqs = calloc(depth, sizeof(*rq->reqs));
		rq->free = calloc(depth, sizeof(*rq->free));
		rq->comps = calloc(depth, sizeof(*rq->comps));
		if (!rq->reqs || !rq->free || !rq->comps)
			return -ENOMEM;
		for (uint32_t d = 0; d < depth; d++) {
			rq->reqs[d].iov.iov_base = bufs + ((size_t)i * depth + d) * slot;
			rq->free[rq->nfree++] = &rq->reqs[d];
		}
	}
	return 0;
}

int perf_verify_readback(struct perf_verify *v, struct storlab_queue *const *queues,
			 unsigned nqueues, uint32_t depth, uint8_t *bufs, size_t slot,
			 int timeout_ms, struct perf_verify_stats *st)
{
	struct rb_queue *rqs = calloc(nqueues, sizeof(*rqs));
	uint64_t limit = env_tsc_hz() / 1000 * (uint64_t)timeout_ms, last = env_tsc();
	uint32_t max = (uint32_t)(slot / v->block);
	int ret = rqs ? rb_setup(v, rqs, queues, nqueues, depth, bufs, slot) : -ENOMEM;

	while (!ret) {
		bool pending = false;
		int done = 0;

		for (unsigned i = 0; i < nqueues && !ret; i++) {
			struct rb_queue *rq = &rqs[i];
			int n;

			ret = rb_fill(v, rq, max);
			n = ret ? 0 : rb_reap(v, rq, depth, st);
			if (n < 0)
				ret = n;
			done += n > 0 ? n : 0;
			pending |= rq->nfree < depth || rq->cursor < rq->end;
		}
		if (ret || !pending)
			break;
		if (done) {
			last = env_tsc();
		} else if (env_tsc() - last > limit) {
			log_err("--verify read-back: no read completed for %d ms", timeout_ms);
			ret = -ETIMEDOUT;
		}
	}
	/* On an error, reads may still be in flight: the caller closes the device. */
	rb_free(rqs, nqueues);
	return ret;
}
