/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk suite: where a device's reach ends. Buffers at and past the end
 * of guest memory (vhost-user.rst "Memory access"), descriptors outside an
 * indirect table (virtio 1.2 §2.7.5.3), chains that loop (§2.7.5.2), and
 * device-readable buffers, which a device never writes (§2.7.5.1). These
 * are the walks a device gets wrong by one while ordinary I/O still works.
 */
#include <errno.h>
#include <string.h>

#include "conformance/suite_virtio_blk.h"
#include "util/common.h"

/* A byte the device has no reason to write: a buffer still full of it was
 * not written. */
#define CANARY 0x5a

/* ---- Buffers at the end of guest memory ---- */

/* A request whose data is the len bytes at gpa (anywhere, even partly
 * outside guest memory), header and status allocated as usual; the status
 * (BLK_STATUS_UNSET if the device did not write it) or a negative errno
 * (noted). */
static int run_at(struct blk *b, uint32_t type, uint64_t sector, uint64_t gpa, uint32_t len)
{
	struct blk_chain c;
	struct blk_req r;
	int ret;

	if (!blk_req_init(b, &r, type, sector, 0))
		return -ENOMEM;
	blk_chain_init(&c);
	blk_chain_add(&c, r.hdr_gpa, sizeof(*r.hdr), false);
	blk_chain_add(&c, gpa, len, type == VIRTIO_BLK_T_IN);
	blk_chain_add(&c, r.status_gpa, 1, true);
	ret = blk_chain_run(b, 0, &c, &r, NULL);
	return ret ? ret : *r.status;
}

/* The last unit of guest memory: conform_dev allocates from the start, so
 * a case's requests never reach it. */
static uint8_t *mem_end(struct blk *b, uint32_t len, uint64_t *gpa)
{
	*gpa = b->dev->mem_size - len;
	return (uint8_t *)b->dev->mem + *gpa;
}

BLK_CASE(blk_lay_buf_at_mem_end)
{
	uint64_t sector, gpa;
	uint8_t *data;
	struct blk b;
	int st;

	BLK_OPEN(&b, 1, 0);
	sector = blk_scratch_sector(&b, 40);
	data = mem_end(&b, b.unit, &gpa);
	blk_pattern(&b, sector, data, b.unit);
	conform_note(ctx, "data in the last %u bytes of guest memory, [0x%llx, 0x%llx)", b.unit,
		     (unsigned long long)gpa, (unsigned long long)b.dev->mem_size);
	st = run_at(&b, VIRTIO_BLK_T_OUT, sector, gpa, b.unit);
	if (st != VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "the write: %s", blk_status_name(st));
	memset(data, 0, b.unit);
	st = run_at(&b, VIRTIO_BLK_T_IN, sector, gpa, b.unit);
	if (st != VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "the read: %s", blk_status_name(st));
	if (!blk_pattern_check(&b, sector, data, b.unit, false))
		return conform_fail(ctx, "the data read differs from the data written");
	return CONFORM_PASS;
}

BLK_CASE(blk_lay_buf_past_mem_end)
{
	uint64_t sector, gpa;
	struct blk b;
	int st;

	BLK_OPEN(&b, 1, 0);
	sector = blk_scratch_sector(&b, 41);
	/* The unit's last byte is the first one past guest memory. */
	blk_pattern(&b, sector, mem_end(&b, b.unit - 1, &gpa), b.unit - 1);
	conform_note(ctx, "a write whose data [0x%llx, +%u) ends 1 byte past guest memory",
		     (unsigned long long)gpa, b.unit);
	st = run_at(&b, VIRTIO_BLK_T_OUT, sector, gpa, b.unit);
	conform_note(ctx, "the write: %s", blk_status_name(st));
	if (st == VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "a write with a byte outside guest memory completed OK");
	return blk_keeps_serving(&b, 0);
}

/* ---- Chains that loop ---- */

/* The ring index of element i of the chain last added to queue q. */
static uint16_t chain_desc(const struct virtq_drv *vq, unsigned i)
{
	uint16_t idx = vq->avail->ring[(uint16_t)(vq->avail_idx - 1) & (vq->num - 1)];

	while (i--)
		idx = vq->desc[idx].next;
	return idx;
}

BLK_CASE(blk_lay_loop)
{
	struct virtq_drv *vq;
	struct blk_chain c;
	struct blk_req r;
	struct blk b;
	int ret;

	BLK_OPEN_RO(&b, 1, 0);
	if (!blk_req_init(&b, &r, VIRTIO_BLK_T_IN, blk_scratch_sector(&b, 42), 0))
		return conform_error(ctx, "out of guest memory");
	/* A header, then two empty writable descriptors that point at each
	 * other: no bound on buffers or bytes ends the walk, only one on
	 * descriptors. */
	blk_chain_init(&c);
	blk_chain_add(&c, r.hdr_gpa, sizeof(*r.hdr), false);
	blk_chain_add(&c, r.status_gpa, 0, true);
	blk_chain_add(&c, r.status_gpa, 0, true);
	ret = blk_chain_add_to(&b, 0, &c, &r);
	if (ret)
		return conform_error(ctx, "adding the chain: %s", strerror(-ret));
	vq = &b.dev->vq[0];
	vq->desc[chain_desc(vq, 2)].flags |= VIRTQ_DESC_F_NEXT;
	vq->desc[chain_desc(vq, 2)].next = chain_desc(vq, 1);
	conform_note(ctx, "a header, then descriptors %u and %u, empty, each the next of the other",
		     chain_desc(vq, 1), chain_desc(vq, 2));
	conform_dev_kick(b.dev, 0);
	return blk_keeps_serving(&b, 0);
}

/* ---- Indirect tables ---- */

/* A read of one unit through an indirect table of 4 entries: header, data,
 * status, and a fourth that only a device reading past the table's len
 * bytes would find, its 1-byte buffer at extra. The len given on the ring
 * and the status entry's NEXT flag say how much of it is the driver's. */
struct table_read {
	struct blk_req r;
	struct virtq_desc *table;
	uint64_t gpa;
	uint8_t *extra;
};

static bool table_read_init(struct blk *b, struct table_read *t)
{
	uint64_t extra_gpa;

	t->table = blk_alloc(b, 4 * sizeof(*t->table), &t->gpa);
	t->extra = blk_alloc(b, 1, &extra_gpa);
	if (!t->table || !t->extra || !blk_req_init(b, &t->r, VIRTIO_BLK_T_IN, 0, b->unit))
		return false;
	*t->extra = BLK_STATUS_UNSET;
	t->table[0] = (struct virtq_desc){t->r.hdr_gpa, sizeof(*t->r.hdr), VIRTQ_DESC_F_NEXT, 1};
	t->table[1] = (struct virtq_desc){t->r.data_gpa, b->unit,
					  VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2};
	t->table[2] = (struct virtq_desc){t->r.status_gpa, 1, VIRTQ_DESC_F_WRITE, 0};
	t->table[3] = (struct virtq_desc){extra_gpa, 1, VIRTQ_DESC_F_WRITE, 0};
	return true;
}

/* Runs the read of t, the ring's descriptor referring to the len bytes at
 * gpa as its table (t's own, or one in front of it): the status
 * (BLK_STATUS_UNSET if the device did not write it), or a negative errno
 * (noted): -ETIMEDOUT, -ECONNRESET when no answer came. */
static int table_run(struct blk *b, struct table_read *t, uint64_t gpa, uint32_t len)
{
	int ret = blk_table_add_to(b, 0, gpa, len, &t->r);

	if (ret)
		return ret;
	conform_dev_kick(b->dev, 0);
	ret = blk_wait_cookie(b, 0, &t->r, NULL);
	return ret ? ret : *t->r.status;
}

/* The two indirect-table cases: past, the status entry goes on to entry 3
 * (not in the table), and its buffer must stay untouched (BLK-LAY-021);
 * otherwise a table of 3.5 entries must not be served OK (BLK-LAY-020). */
static enum conform_verdict table_case(struct conform_ctx *ctx, bool past)
{
	/* The table's bytes: 3.5 descriptors, then exactly 3. */
	static const uint32_t lens[] = {3 * 16 + 8, 3 * 16};
	struct table_read t;
	struct blk b;
	int st;

	BLK_OPEN_RO(&b, 1, 0);
	if (!blk_has(&b, VIRTIO_RING_F_INDIRECT_DESC))
		return conform_not_applicable(ctx, "VIRTIO_RING_F_INDIRECT_DESC not negotiated");
	for (size_t i = 0; i < (past ? ARRAY_SIZE(lens) : 1); i++) {
		if (!table_read_init(&b, &t))
			return conform_error(ctx, "out of guest memory");
		if (past) {
			t.table[2].flags |= VIRTQ_DESC_F_NEXT;
			t.table[2].next = 3;
		}
		st = table_run(&b, &t, t.gpa, lens[i]);
		conform_note(ctx, "a read through a table of %u bytes%s: %s, the buffer of the "
				  "descriptor after the table %s",
			     lens[i], past ? " whose last entry's next is 3" : "",
			     blk_status_name(st),
			     *t.extra == BLK_STATUS_UNSET ? "untouched" : "written");
		if (past && *t.extra != BLK_STATUS_UNSET)
			return conform_fail(ctx, "the device used a descriptor past the end of a "
						 "%u-byte indirect table: its buffer was written",
					    lens[i]);
		if (!past && st == VIRTIO_BLK_S_OK)
			return conform_fail(ctx, "a table of %u bytes (3.5 descriptors) was "
						 "served OK",
					    lens[i]);
		/* No answer: the queue is the follow-up's business. */
		if (st < 0)
			break;
	}
	return blk_keeps_serving(&b, 0);
}

BLK_CASE(blk_lay_indirect_partial)
{
	return table_case(ctx, false);
}

BLK_CASE(blk_lay_desc_past_indirect)
{
	return table_case(ctx, true);
}

/* ---- Device-readable buffers ---- */

enum readable_probe {
	RD_READ_INTO_READABLE,	/* a read whose data descriptor is device-readable */
	RD_READABLE_AFTER_WRITABLE, /* a unit of data writable, then one readable */
	RD_GET_ID_INTO_READABLE,	/* GET_ID with a device-readable id buffer */
};

/* Runs the probe; false (noted) if a device-readable byte was written. A
 * probe that gets no answer leaves b without a device (reopened by the
 * caller). */
static bool readable_probe(struct blk *b, enum readable_probe p, bool *answered)
{
	uint32_t type = p == RD_GET_ID_INTO_READABLE ? VIRTIO_BLK_T_GET_ID : VIRTIO_BLK_T_IN;
	/* Whole units on each side of the turn: a device that takes the
	 * readable part for data sees a request it can serve. */
	uint32_t keep = p == RD_READABLE_AFTER_WRITABLE ? b->unit : 0;
	uint32_t len = p == RD_GET_ID_INTO_READABLE ? VIRTIO_BLK_ID_BYTES : keep + b->unit;
	uint8_t *canary;
	struct blk_chain c;
	struct blk_req r;
	int ret;

	if (!blk_req_init(b, &r, type, blk_scratch_sector(b, 43), len))
		return false;
	blk_chain_init(&c);
	blk_chain_add(&c, r.hdr_gpa, sizeof(*r.hdr), false);
	if (keep)
		blk_chain_add(&c, r.data_gpa, keep, true);
	blk_chain_add(&c, r.data_gpa + keep, len - keep, false);
	blk_chain_add(&c, r.status_gpa, 1, true);
	canary = r.data + keep;
	memset(canary, CANARY, len - keep);
	ret = blk_chain_run(b, 0, &c, &r, NULL);
	*answered = ret == 0;
	conform_note(b->ctx, "probe %d: %s", p, ret ? strerror(-ret) : blk_status_name(*r.status));
	for (uint32_t i = 0; i < len - keep; i++) {
		if (canary[i] != CANARY) {
			conform_note(b->ctx,
				     "probe %d: byte %u of a device-readable buffer of %u bytes "
				     "reads 0x%02x",
				     p, i, len - keep, canary[i]);
			return false;
		}
	}
	return true;
}

BLK_CASE(blk_lay_readable_not_written)
{
	static const char *const what[] = {
	    [RD_READ_INTO_READABLE] = "a read whose data descriptor is device-readable",
	    [RD_READABLE_AFTER_WRITABLE] = "a read whose data ends in a device-readable "
					   "descriptor",
	    [RD_GET_ID_INTO_READABLE] = "GET_ID into a device-readable buffer",
	};
	struct blk b;

	BLK_OPEN_RO(&b, 1, 0);
	for (int p = 0; p < (int)ARRAY_SIZE(what); p++) {
		bool answered;

		conform_note(ctx, "probe %d: %s", p, what[p]);
		if (!readable_probe(&b, p, &answered))
			return conform_fail(ctx, "%s: the device wrote the device-readable buffer",
					    what[p]);
		/* Unanswered (the device may give up on a driver that broke
		 * the rules): the next probe gets a device of its own. */
		if (!answered && p + 1 < (int)ARRAY_SIZE(what)) {
			conform_dev_close(b.dev);
			BLK_OPEN_RO(&b, 1, 0);
		}
	}
	return CONFORM_PASS;
}

/* ---- Descriptors a driver must not make ---- */

/* §2.7.5.3.1: the driver "MUST NOT set the VIRTQ_DESC_F_INDIRECT flag
 * within an indirect descriptor". The ring's descriptor refers to a table
 * of one entry, itself indirect, referring to the read's table: a device
 * that follows tables inside tables serves a request laid out against the
 * rules. The read must not be served OK, and the device must keep serving. */
BLK_CASE(blk_lay_nested_indirect)
{
	struct virtq_desc *outer;
	struct table_read t;
	uint64_t outer_gpa;
	struct blk b;
	int st;

	BLK_OPEN_RO(&b, 1, 0);
	if (!blk_has(&b, VIRTIO_RING_F_INDIRECT_DESC))
		return conform_not_applicable(ctx, "VIRTIO_RING_F_INDIRECT_DESC not negotiated");
	if (!table_read_init(&b, &t) || !(outer = blk_alloc(&b, sizeof(*outer), &outer_gpa)))
		return conform_error(ctx, "out of guest memory");
	*outer = (struct virtq_desc){t.gpa, 3 * sizeof(*t.table), VIRTQ_DESC_F_INDIRECT, 0};
	st = table_run(&b, &t, outer_gpa, sizeof(*outer));
	conform_note(ctx, "a read through an indirect table inside an indirect table: %s",
		     blk_status_name(st));
	if (st == VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "the read was served OK: the device followed a nested "
					 "indirect table");
	return blk_keeps_serving(&b, 0);
}

/* §2.7.6: the driver puts "the head of the descriptor chain" in the
 * available ring; an entry naming descriptor Queue Size names none. A read
 * is made available under that index: the device must not use an entry
 * with it (the descriptor it would have read is past the table), whatever
 * else it does with the queue. */
BLK_CASE(blk_lay_head_past_table)
{
	struct virtq_drv *vq;
	struct blk_req r;
	struct blk b;
	uint16_t used, n;
	uint32_t len;
	void *cookie;
	int ret;

	BLK_OPEN_RO(&b, 1, 0);
	vq = &b.dev->vq[0];
	if (!blk_req_init(&b, &r, VIRTIO_BLK_T_IN, 0, b.unit))
		return conform_error(ctx, "out of guest memory");
	{
		struct blk_chain c;

		blk_req_chain(&r, &c);
		ret = blk_chain_add_to(&b, 0, &c, &r);
	}
	if (ret)
		return conform_error(ctx, "adding the read: %s", strerror(-ret));
	vq->avail->ring[(uint16_t)(vq->avail_idx - 1) & (vq->num - 1)] = vq->num;
	conform_note(ctx, "available ring entry %u holds head %u, the queue size",
		     (uint16_t)(vq->avail_idx - 1), vq->num);
	conform_dev_kick(b.dev, 0);
	ret = conform_dev_wait_used(b.dev, 0, &cookie, &len);
	used = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
	n = (uint16_t)(used - vq->last_used_idx);
	conform_note(ctx, "waiting for the used entry: %s; %u used entries written",
		     ret ? strerror(-ret) : "one came", n);
	for (uint16_t i = 0; i < n && i < vq->num; i++) {
		uint32_t id = vq->used->ring[(uint16_t)(vq->last_used_idx + i) & (vq->num - 1)].id;

		if (id >= vq->num)
			return conform_fail(ctx,
					    "the device used an entry with id %u, past the "
					    "descriptor table of %u: it read a descriptor that "
					    "is not the driver's",
					    id, vq->num);
	}
	return CONFORM_PASS;
}
