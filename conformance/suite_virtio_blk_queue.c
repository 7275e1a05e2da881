/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk suite: several requests and queues at once (virtio 1.2 §5.2.6:
 * requests are used not necessarily in order; §5.2.4 num_queues) and
 * used-buffer notifications (§2.7.7).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conformance/suite_virtio_blk.h"
#include "util/common.h"
#include "util/deadline.h"

#define Q_REQ_BYTES 4096
/* How long a device has to send a notification it decided not to send. */
#define Q_QUIET_MS 100

/* n writes (or reads) of Q_REQ_BYTES, one per request, on queue q from
 * sector, each in an indirect table (one ring descriptor) or not; all in
 * flight before any is waited for. */
static bool q_submit_as(struct blk *b, uint16_t q, uint32_t type, uint64_t sector, unsigned n,
			struct blk_req *reqs, bool indirect)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t s = sector + (uint64_t)i * (Q_REQ_BYTES / VIRTIO_BLK_SECTOR_SIZE);
		struct blk_chain c;

		if (!blk_req_init(b, &reqs[i], type, s, Q_REQ_BYTES))
			return false;
		if (type == VIRTIO_BLK_T_OUT)
			blk_pattern(b, s, reqs[i].data, Q_REQ_BYTES);
		blk_req_chain(&reqs[i], &c);
		c.indirect = indirect;
		if (blk_chain_add_to(b, q, &c, &reqs[i]))
			return false;
	}
	conform_dev_kick(b->dev, q);
	return true;
}

static bool q_submit(struct blk *b, uint16_t q, uint32_t type, uint64_t sector, unsigned n,
		     struct blk_req *reqs)
{
	return q_submit_as(b, q, type, sector, n, reqs, false);
}

/* Waits for n requests on q (cookies: their struct blk_req), in any order; checks their status
 * and, for reads, the data. */
static bool q_complete(struct blk *b, uint16_t q, unsigned n)
{
	for (unsigned done = 0; done < n; done++) {
		struct blk_req *r;
		uint32_t len;
		void *cookie;
		int ret = conform_dev_wait_used(b->dev, q, &cookie, &len);

		if (ret) {
			conform_note(b->ctx, "queue %u: %u of %u requests back: %s", q, done, n,
				     strerror(-ret));
			return false;
		}
		r = cookie;
		if (*r->status != VIRTIO_BLK_S_OK) {
			conform_note(b->ctx, "queue %u: request at sector %llu: %s", q,
				     (unsigned long long)r->hdr->sector,
				     blk_status_name(*r->status));
			return false;
		}
		if (r->hdr->type == VIRTIO_BLK_T_IN &&
		    !blk_pattern_check(b, r->hdr->sector, r->data, Q_REQ_BYTES, false))
			return false;
	}
	return true;
}

/* Three descriptors a request: a full ring of BLK_QUEUE_SIZE entries. */
#define Q_FULL (BLK_QUEUE_SIZE / 3)

BLK_CASE(blk_q_many_inflight)
{
	static struct blk_req reqs[Q_FULL];
	uint64_t sector;
	struct blk b;

	BLK_OPEN(&b, 1, 0);
	sector = blk_scratch_sector(&b, 70);
	if (!q_submit(&b, 0, VIRTIO_BLK_T_OUT, sector, Q_FULL, reqs) || !q_complete(&b, 0, Q_FULL))
		return conform_fail(ctx, "%u writes in flight did not all complete OK", Q_FULL);
	if (!q_submit(&b, 0, VIRTIO_BLK_T_IN, sector, Q_FULL, reqs) || !q_complete(&b, 0, Q_FULL))
		return conform_fail(ctx, "%u reads in flight did not all return the data", Q_FULL);
	return CONFORM_PASS;
}

/* 2 when the device offers more than one queue, else 1. */
static uint16_t q_count(struct conform_ctx *ctx)
{
	return (conform_offered_features(ctx) & VIRTIO_BIT(VIRTIO_BLK_F_MQ)) ? 2 : 1;
}

BLK_CASE(blk_q_concurrent_integrity)
{
	static struct blk_req w[4][32], r[4][32];
	uint16_t nq = 4;
	struct blk b;
	enum conform_verdict v = CONFORM_ERROR;

	if (q_count(ctx) < 2)
		return conform_not_applicable(ctx, "VIRTIO_BLK_F_MQ not offered");
	/* Four queues if the device has them, else two. */
	if (!blk_open(ctx, &b, nq, 0, false, &v)) {
		if (v != CONFORM_NOT_APPLICABLE)
			return v;
		nq = 2;
		BLK_OPEN(&b, nq, 0);
	}
	/* Queue i writes its own range; all queues' writes are in flight at
	 * once, then each range is read back through another queue. */
	for (uint16_t q = 0; q < nq; q++)
		if (!q_submit(&b, q, VIRTIO_BLK_T_OUT, blk_scratch_sector(&b, 80 + q), 32, w[q]))
			return conform_error(ctx, "submitting on queue %u", q);
	for (uint16_t q = 0; q < nq; q++)
		if (!q_complete(&b, q, 32))
			return conform_fail(ctx, "the writes on queue %u did not all complete OK",
					    q);
	for (uint16_t q = 0; q < nq; q++)
		if (!q_submit(&b, (uint16_t)((q + 1) % nq), VIRTIO_BLK_T_IN,
			      blk_scratch_sector(&b, 80 + q), 32, r[q]))
			return conform_error(ctx, "submitting reads");
	for (uint16_t q = 0; q < nq; q++)
		if (!q_complete(&b, (uint16_t)((q + 1) % nq), 32))
			return conform_fail(ctx,
					    "the range written on queue %u did not read back "
					    "on queue %u",
					    q, (q + 1) % nq);
	return CONFORM_PASS;
}

/*
 * Queue 1 has writes in flight while queue 0 gets requests that fail
 * (defined errors: past the end, IOERR; an unknown type, UNSUPP) or, with
 * malformed, a chain the driver must not make (§2.7.4.2). Queue 1's
 * requests must all complete OK and read back.
 */
static enum conform_verdict q_isolation(struct conform_ctx *ctx, bool malformed)
{
	static struct blk_req w[16];
	struct blk_req bad[2];
	struct blk_chain c;
	uint64_t sector;
	struct blk b;

	if (q_count(ctx) < 2)
		return conform_not_applicable(ctx, "VIRTIO_BLK_F_MQ not offered");
	BLK_OPEN(&b, 2, 0);
	sector = blk_scratch_sector(&b, malformed ? 90 : 91);
	if (!q_submit(&b, 1, VIRTIO_BLK_T_OUT, sector, 16, w))
		return conform_error(ctx, "submitting on queue 1");
	if (!blk_req_init(&b, &bad[0], VIRTIO_BLK_T_IN, b.capacity, b.unit) ||
	    !blk_req_init(&b, &bad[1], malformed ? VIRTIO_BLK_T_IN : 0xff, 0, b.unit))
		return conform_error(ctx, "out of guest memory");
	blk_req_chain(&bad[0], &c);
	if (malformed) {
		blk_chain_init(&c);
		blk_chain_add(&c, bad[1].hdr_gpa, 16, false);
		blk_chain_add(&c, bad[1].data_gpa, b.unit / 2, true);
		blk_chain_add(&c, bad[1].data_gpa + b.unit / 2, b.unit / 2, false);
		blk_chain_add(&c, bad[1].status_gpa, 1, true);
	}
	if (blk_chain_add_to(&b, 0, &c, &bad[0]))
		return conform_error(ctx, "adding to queue 0");
	if (!malformed) {
		blk_req_chain(&bad[1], &c);
		if (blk_chain_add_to(&b, 0, &c, &bad[1]))
			return conform_error(ctx, "adding to queue 0");
	}
	conform_dev_kick(b.dev, 0);
	if (!q_complete(&b, 1, 16))
		return conform_fail(ctx, "queue 1's writes did not all complete OK");
	if (!q_submit(&b, 1, VIRTIO_BLK_T_IN, sector, 16, w) || !q_complete(&b, 1, 16))
		return conform_fail(ctx, "queue 1's data did not read back");
	return CONFORM_PASS;
}

BLK_CASE(blk_q_independent)
{
	return q_isolation(ctx, false);
}
BLK_CASE(blk_q_malformed_other_queue)
{
	return q_isolation(ctx, true);
}

/* ---- Used-buffer notifications, §2.7.7 ---- */

static void call_clear(struct blk *b)
{
	uint64_t v;

	if (read(b->dev->call_fd[0], &v, sizeof(v)) < 0 && errno != EAGAIN)
		conform_note(b->ctx, "call eventfd read: %s", strerror(errno));
}

/* Whether the call eventfd fires within ms. */
static bool call_fired(struct blk *b, int ms)
{
	struct pollfd p = {.fd = b->dev->call_fd[0], .events = POLLIN};

	return poll(&p, 1, ms) == 1;
}

/* Starts from a quiet call eventfd. §2.7.7.2 rules notifications after used
 * entries only; one sent with no entry used (libvhost-user signals each new
 * call fd, against lost wake-ups after a reconnect) is not counted. */
static void call_settle(struct blk *b)
{
	call_clear(b);
	if (call_fired(b, Q_QUIET_MS))
		conform_note(b->ctx, "a notification with no used entry (not counted)");
	call_clear(b);
}

/* Submits one read and busy-polls the used ring for it (no wish for a
 * notification is changed). 0 or a negative errno. */
static int poll_one(struct blk *b, struct blk_req *r)
{
	int64_t deadline = deadline_from_timeout(conform_timeout_ms(b->ctx));
	struct virtq_drv *vq = &b->dev->vq[0];
	struct blk_chain c;
	int ret;

	if (!blk_req_init(b, r, VIRTIO_BLK_T_IN, blk_scratch_sector(b, 95), b->unit))
		return -ENOMEM;
	blk_req_chain(r, &c);
	ret = blk_chain_add_to(b, 0, &c, r);
	if (ret)
		return ret;
	conform_dev_kick(b->dev, 0);
	for (;;) {
		void *cookie;
		uint32_t len;

		ret = virtq_drv_get_used(vq, &cookie, &len);
		if (ret != -EAGAIN)
			return ret;
		if (deadline_ms_left(deadline) == 0)
			return -ETIMEDOUT;
		usleep(100);
	}
}

/*
 * With EVENT_IDX: used_event = (entries already used) + 2, so the device
 * must notify for the third request from now (§2.7.7.2: MUST when the idx it
 * wrote at equals used_event) and should not for the first two. warm: one
 * request goes through first, so the device has made a notification
 * decision since the ring started.
 */
static enum conform_verdict event_idx_run(struct conform_ctx *ctx, bool check_quiet, bool warm)
{
	struct virtq_drv *vq;
	struct blk_req r;
	struct blk b;

	BLK_OPEN_RO(&b, 1, 0);
	if (!blk_has(&b, VIRTIO_RING_F_EVENT_IDX))
		return conform_not_applicable(ctx, "VIRTIO_RING_F_EVENT_IDX not negotiated");
	vq = &b.dev->vq[0];
	/* A request that does not complete leaves nothing to judge: an error. */
	if (warm && poll_one(&b, &r))
		return conform_error(ctx, "the first request failed");
	__atomic_store_n(virtq_used_event(vq->avail, vq->num), (uint16_t)(vq->last_used_idx + 2),
			 __ATOMIC_SEQ_CST);
	call_settle(&b);
	for (int i = 0; i < 3; i++) {
		int ret = poll_one(&b, &r);
		bool fired;

		if (ret)
			return conform_error(ctx, "request %d: %s", i, strerror(-ret));
		fired = call_fired(&b, i < 2 ? Q_QUIET_MS : conform_timeout_ms(ctx));
		conform_note(ctx, "request %d used; used_event %u: %s", i,
			     *virtq_used_event(vq->avail, vq->num), fired ? "notified" : "quiet");
		if (i < 2 && fired && check_quiet)
			return conform_fail(ctx, "notified for used entry %d before used_event", i);
		if (i == 2 && !fired && !check_quiet)
			return conform_fail(ctx, "no notification for the entry at used_event");
		call_clear(&b);
	}
	return CONFORM_PASS;
}

BLK_CASE(blk_q_event_idx_notify)
{
	return event_idx_run(ctx, false, false);
}
BLK_CASE(blk_q_event_idx_suppress)
{
	return event_idx_run(ctx, true, false);
}
BLK_CASE(blk_q_event_idx_suppress_warm)
{
	return event_idx_run(ctx, true, true);
}

/* Without EVENT_IDX: avail->flags NO_INTERRUPT (§2.7.7.2: SHOULD NOT notify)
 * or 0 (MUST notify). */
static enum conform_verdict flags_run(struct conform_ctx *ctx, bool no_interrupt)
{
	struct virtq_drv *vq;
	struct blk_req r;
	struct blk b;
	bool fired;
	int ret;

	BLK_OPEN_RO(&b, 1, VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX));
	vq = &b.dev->vq[0];
	__atomic_store_n(&vq->avail->flags, no_interrupt ? VIRTQ_AVAIL_F_NO_INTERRUPT : 0,
			 __ATOMIC_SEQ_CST);
	call_settle(&b);
	ret = poll_one(&b, &r);
	if (ret)
		return conform_error(ctx, "the request: %s", strerror(-ret));
	fired = call_fired(&b, no_interrupt ? Q_QUIET_MS : conform_timeout_ms(ctx));
	conform_note(ctx, "flags %u: %s", no_interrupt, fired ? "notified" : "quiet");
	if (no_interrupt && fired)
		return conform_fail(ctx, "notified although VIRTQ_AVAIL_F_NO_INTERRUPT was set");
	if (!no_interrupt && !fired)
		return conform_fail(ctx, "no notification with avail->flags 0");
	return CONFORM_PASS;
}

BLK_CASE(blk_q_no_interrupt_flag)
{
	return flags_run(ctx, true);
}
BLK_CASE(blk_q_notify_flags0)
{
	return flags_run(ctx, false);
}

/* ---- The used ring, §2.7.8.2 ---- */

/* Requests of the used-ring order case, one at a time: up to Q_ORDER_REQS,
 * or as many as Q_ORDER_BUDGET_MS allows but at least Q_ORDER_MIN_REQS (a
 * slow machine, an ASan build), so that the case stays well inside its
 * deadline and still makes several laps of the used ring. */
#define Q_ORDER_REQS	  8000
#define Q_ORDER_MIN_REQS  1500
#define Q_ORDER_BUDGET_MS 2000
/* An id and a len no device writes for a 512-byte read of a 256-entry ring. */
#define POISON_ID  0xffffffffu
#define POISON_LEN 0xdeadbeefu

static void elem_poison(struct virtq_used_elem *e)
{
	__atomic_store_n(&e->id, POISON_ID, __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, POISON_LEN, __ATOMIC_RELAXED);
}

/*
 * §2.7.8.2: "The device MUST set len prior to updating the used idx." Every
 * slot of the used ring holds a poisoned id and len until the device writes
 * it (the driver poisons a slot again once it has reaped it), and the case
 * reads each entry as soon as the used index shows it, spinning: a device
 * that publishes the index before the element is caught with the poison.
 */
BLK_CASE(blk_q_used_elem_before_idx)
{
	int64_t deadline = deadline_from_timeout(conform_timeout_ms(ctx));
	int64_t budget = deadline_from_timeout(Q_ORDER_BUDGET_MS);
	unsigned n;

	struct virtq_drv *vq;
	struct blk_chain c;
	struct blk_req r;
	struct blk b;

	BLK_OPEN_RO(&b, 1, 0);
	vq = &b.dev->vq[0];
	for (uint16_t i = 0; i < vq->num; i++)
		elem_poison(&vq->used->ring[i]);
	/* The case spins on the index: no notifications needed. */
	virtq_drv_enable_notify(vq, false);
	if (!blk_req_init(&b, &r, VIRTIO_BLK_T_IN, blk_scratch_sector(&b, 96), b.unit))
		return conform_error(ctx, "out of guest memory");
	blk_req_chain(&r, &c);
	for (n = 0; n < Q_ORDER_REQS; n++) {
		struct virtq_used_elem *e = &vq->used->ring[vq->last_used_idx & (vq->num - 1)];
		void *cookie;
		uint32_t len;
		int ret = blk_chain_add_to(&b, 0, &c, &r);

		if (ret)
			return conform_error(ctx, "adding request %u: %s", n, strerror(-ret));
		conform_dev_kick(b.dev, 0);
		while (__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) == vq->last_used_idx) {
			if (deadline_ms_left(deadline) == 0)
				return conform_fail(ctx, "request %u of %u was not used", n + 1,
						    Q_ORDER_REQS);
		}
		/* Read right after the index, before anything else. */
		if (__atomic_load_n(&e->len, __ATOMIC_RELAXED) == POISON_LEN ||
		    __atomic_load_n(&e->id, __ATOMIC_RELAXED) == POISON_ID)
			return conform_fail(
			    ctx,
			    "request %u of %u: the used index showed its entry before "
			    "the device wrote its id and len",
			    n + 1, Q_ORDER_REQS);
		/* Then the element must arrive. */
		while (__atomic_load_n(&e->len, __ATOMIC_ACQUIRE) == POISON_LEN ||
		       __atomic_load_n(&e->id, __ATOMIC_ACQUIRE) == POISON_ID) {
			if (deadline_ms_left(deadline) == 0)
				return conform_fail(ctx,
						    "request %u: the used index moved but its "
						    "entry was never written",
						    n + 1);
		}
		ret = virtq_drv_get_used(vq, &cookie, &len);
		if (ret)
			return conform_fail(ctx, "request %u: %s", n + 1, strerror(-ret));
		elem_poison(e);
		deadline = deadline_from_timeout(conform_timeout_ms(ctx));
		if (n + 1 >= Q_ORDER_MIN_REQS && deadline_ms_left(budget) == 0) {
			n++;
			break;
		}
	}
	conform_note(ctx, "%u requests, each entry read as soon as the used index showed it", n);
	return CONFORM_PASS;
}

/* §2.7: "Queue Size corresponds to the maximum number of buffers in the
 * virtqueue". With indirect tables a request takes one ring descriptor, so
 * a driver (Linux does) makes Queue Size requests available at once: every
 * entry of the available ring, the index Queue Size ahead of the device. */
BLK_CASE(blk_q_full_avail_ring)
{
	static struct blk_req reqs[BLK_QUEUE_SIZE];
	uint64_t sector;
	struct blk b;

	BLK_OPEN(&b, 1, 0);
	if (!blk_has(&b, VIRTIO_RING_F_INDIRECT_DESC))
		return conform_not_applicable(ctx, "VIRTIO_RING_F_INDIRECT_DESC not negotiated");
	sector = blk_scratch_sector(&b, 70);
	if (!q_submit_as(&b, 0, VIRTIO_BLK_T_OUT, sector, BLK_QUEUE_SIZE, reqs, true) ||
	    !q_complete(&b, 0, BLK_QUEUE_SIZE))
		return conform_fail(ctx,
				    "%u writes, each through an indirect table, made available "
				    "at once (the whole available ring) did not all complete OK",
				    BLK_QUEUE_SIZE);
	if (!q_submit_as(&b, 0, VIRTIO_BLK_T_IN, sector, BLK_QUEUE_SIZE, reqs, true) ||
	    !q_complete(&b, 0, BLK_QUEUE_SIZE))
		return conform_fail(ctx,
				    "%u reads over the whole available ring did not all return "
				    "the data",
				    BLK_QUEUE_SIZE);
	return CONFORM_PASS;
}
