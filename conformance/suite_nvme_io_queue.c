/* SPDX-License-Identifier: MIT */
/*
 * NVMe suite: the queue mechanics I/O rides on (NVME-IO), Base 2.1 §3.3.1
 * and §4.2: completion entries name their command and queue, the phase
 * tag inverts on each pass, SQHD follows what was fetched, a full
 * submission queue is served whole, and two queues do not mix.
 */
#include <endian.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conformance/suite_nvme.h"

/* A Read of one block into a page at bus, with cid (0: the queue's next). */
static void read1(const struct conform_nvme *dev, struct nvme_sqe *sqe, uint64_t bus, uint16_t cid)
{
	nvme_iou_rw(sqe, NVME_NVM_READ, dev->nsid, 0, 1, bus, 0);
	sqe->cid = htole16(cid);
}

/* A controller whose I/O queue pair has size entries (0: the default),
 * with a page for Reads of one block at *bus: PASS, or the verdict. */
static enum conform_verdict open_q(struct conform_ctx *ctx, uint16_t size,
				   struct conform_nvme **dev, uint64_t *bus)
{
	enum conform_verdict v =
	    nvme_iou_open(ctx, &(struct conform_nvme_opts){.io_size = size}, 1, dev);

	if (v != CONFORM_PASS)
		return v;
	if (!conform_nvme_buf(*dev, 4096, 0, bus) || (*dev)->block_size > 4096)
		return nvme_iou_close(*dev, conform_error(ctx, "a block does not fit a page"));
	return CONFORM_PASS;
}

/* Pushes n Reads with CIDs first .. first + n - 1 on q and rings once. */
static int push_reads(struct conform_nvme *dev, struct conform_nvme_q *q, uint64_t bus,
		      uint16_t first, unsigned n)
{
	struct nvme_sqe sqe;
	int ret = 0;

	for (unsigned i = 0; ret >= 0 && i < n; i++) {
		read1(dev, &sqe, bus, (uint16_t)(first + i));
		ret = conform_nvme_push(dev, q, &sqe);
	}
	return ret < 0 ? ret : conform_nvme_ring(dev, q);
}

/* Three passes over an 8-entry queue pair, one command at a time, each
 * with a CID of its own: every entry answers its CID on SQ 1 (the check of
 * conform_nvme_cmd) and is found by its phase tag, which must invert on
 * each pass (conform_nvme_wait times out otherwise). With one command
 * outstanding, SQHD must then be the tail: the controller fetched it. */
static enum conform_verdict passes(struct conform_ctx *ctx, bool sqhd)
{
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	uint64_t bus;
	char what[64];
	enum conform_verdict v = open_q(ctx, 8, &dev, &bus);

	if (v != CONFORM_PASS)
		return v;
	for (uint16_t i = 0; v == CONFORM_PASS && i < 3 * 8; i++) {
		snprintf(what, sizeof(what), "Read %u (CID %#x, pass %u)", i, 0x1000u + i,
			 i / 8u + 1);
		read1(dev, &sqe, bus, (uint16_t)(0x1000u + i));
		v = nvme_iou_run(dev, &dev->io[0], &sqe, NVME_IOU_OK, what, &cqe);
		if (v == CONFORM_PASS && sqhd && le16toh(cqe.sqhd) != dev->io[0].sq_tail)
			v = conform_fail(ctx,
					 "%s: SQHD %u, the tail %u expected (the one "
					 "command was fetched)",
					 what, le16toh(cqe.sqhd), dev->io[0].sq_tail);
	}
	return nvme_iou_close(dev, v);
}

enum conform_verdict nvme_io_cqe_fields(struct conform_ctx *ctx)
{
	return passes(ctx, false);
}

enum conform_verdict nvme_io_sqhd(struct conform_ctx *ctx)
{
	return passes(ctx, true);
}

/* Waits for n entries on q, each of a CID in [first, first + n) not seen
 * before, each successful. */
static enum conform_verdict collect(struct conform_nvme *dev, struct conform_nvme_q *q,
				    uint16_t first, unsigned n)
{
	uint8_t seen[64] = {0};
	struct nvme_cqe cqe;
	char what[48];

	for (unsigned i = 0; i < n; i++) {
		int ret = conform_nvme_wait(dev, q, -1, &cqe);
		unsigned k = (uint16_t)(le16toh(cqe.cid) - first);
		enum conform_verdict v;

		if (ret)
			return conform_fail(dev->ctx, "entry %u of %u: %s", i + 1, n,
					    strerror(-ret));
		if (k >= n || k >= sizeof(seen) || seen[k]++ || le16toh(cqe.sqid) != q->qid)
			return conform_fail(dev->ctx,
					    "entry %u answers CID %#x of SQ %u: not one "
					    "of the %u commands, or answered twice",
					    i + 1, le16toh(cqe.cid), le16toh(cqe.sqid), n);
		snprintf(what, sizeof(what), "Read with CID %#x", le16toh(cqe.cid));
		v = conform_nvme_expect(dev->ctx, &cqe, NVME_IOU_OK, what);
		if (v != CONFORM_PASS)
			return v;
	}
	return CONFORM_PASS;
}

/* A 16-entry submission queue filled to its 15 usable entries (Base 2.1
 * §3.3.1.1: full when the tail is one below the head) under one doorbell:
 * all 15 complete, and the queue goes on serving after wrapping. */
enum conform_verdict nvme_io_sq_full(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	uint64_t bus;
	enum conform_verdict v = open_q(ctx, 16, &dev, &bus);

	if (v != CONFORM_PASS)
		return v;
	for (uint16_t round = 0; v == CONFORM_PASS && round < 2; round++) {
		uint16_t first = (uint16_t)(0x2000u + round * 0x100u);
		int ret = push_reads(dev, &dev->io[0], bus, first, 15);

		if (ret < 0)
			return nvme_iou_close(
			    dev, conform_error(ctx, "filling the queue: %s", strerror(-ret)));
		v = collect(dev, &dev->io[0], first, 15);
	}
	return nvme_iou_close(dev, v);
}

/* Polls q's completion slot i for phase tag 1 (the first pass) up to
 * timeout_ms: true when it came. */
static bool posted(const struct conform_nvme_q *q, uint16_t i, int timeout_ms)
{
	for (int t = 0; t <= timeout_ms; t++) {
		if ((le16toh(q->cq[i].status) & NVME_STATUS_P_MASK) == 1)
			return true;
		usleep(1000);
	}
	return false;
}

/* Base 2.1 §3.3.1.1: an 8-entry completion queue is full with 7 entries.
 * Seven Reads fill it; the host reads them without moving the CQ head
 * doorbell and submits seven more, which the controller must hold back
 * (no entry in slot 7, none over slot 0) until the doorbell frees the
 * slots; then all seven come. */
enum conform_verdict nvme_io_cq_full(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct conform_nvme_q *q;
	uint64_t bus;
	enum conform_verdict v = open_q(ctx, 8, &dev, &bus);
	int ret;

	if (v != CONFORM_PASS)
		return v;
	q = &dev->io[0];
	ret = push_reads(dev, q, bus, 0x3000, 7);
	if (ret < 0 || !posted(q, 6, conform_timeout_ms(ctx)))
		return nvme_iou_close(dev, conform_fail(ctx, "seven Reads did not fill the "
							     "completion queue"));
	/* the host saw the seven fetched (SQHD) but leaves the CQ head at 0 */
	q->sq_head = le16toh(q->cq[6].sqhd) < q->size ? le16toh(q->cq[6].sqhd) : 0;
	ret = push_reads(dev, q, bus, 0x3100, 7);
	if (ret < 0)
		return nvme_iou_close(dev,
				      conform_error(ctx, "seven more Reads: %s", strerror(-ret)));
	if (posted(q, 7, 300) || le16toh(q->cq[0].cid) != 0x3000u ||
	    (le16toh(q->cq[0].status) & NVME_STATUS_P_MASK) != 1)
		return nvme_iou_close(dev, conform_fail(ctx, "the controller posted into a full "
							     "completion queue"));
	conform_note(ctx, "the full completion queue held its 7 entries for 300 ms");
	/* consume the seven (their CIDs checked) and free their slots */
	for (uint16_t i = 0; i < 7; i++)
		if (le16toh(q->cq[i].cid) != 0x3000u + i)
			return nvme_iou_close(dev, conform_fail(ctx, "slot %u holds CID %#x", i,
								le16toh(q->cq[i].cid)));
	q->cq_head = 7;
	ret = conform_nvme_reg_write(dev, (uint32_t)nvme_cq_hdbl(q->qid, dev->dstrd), 4, 7);
	if (ret)
		return nvme_iou_close(dev,
				      conform_error(ctx, "CQ head doorbell: %s", strerror(-ret)));
	return nvme_iou_close(dev, collect(dev, q, 0x3100, 7));
}

/* Two I/O queue pairs: data written through SQ 1 is read back through
 * SQ 2, and each completion comes on its own queue's CQ with its SQ ID. */
enum conform_verdict nvme_io_two_queues(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	uint64_t wbus, rbus, len, prp1, prp2;
	uint8_t *w, *r;
	enum conform_verdict v =
	    nvme_iou_open(ctx, &(struct conform_nvme_opts){.io_queues = 2}, 88, &dev);

	if (v != CONFORM_PASS)
		return v;
	len = 8ull * dev->block_size;
	w = conform_nvme_buf(dev, len, 0, &wbus);
	r = conform_nvme_buf(dev, len, 0, &rbus);
	if (!w || !r || nvme_iou_prps(dev, rbus, len, &prp1, &prp2))
		return nvme_iou_close(dev, conform_error(ctx, "no memory for 8 blocks"));
	nvme_iou_fill(w, len, nvme_iou_seed());
	v = nvme_iou_xfer(dev, NVME_NVM_WRITE, 80, 8, wbus, "Write of 8 blocks on SQ 1");
	if (v == CONFORM_PASS) {
		nvme_iou_rw(&sqe, NVME_NVM_READ, dev->nsid, 80, 8, prp1, prp2);
		v = nvme_iou_run(dev, &dev->io[1], &sqe, NVME_IOU_OK, "Read of 8 blocks on SQ 2",
				 NULL);
	}
	if (v == CONFORM_PASS && memcmp(w, r, len))
		v = conform_fail(ctx, "blocks read through SQ 2 differ from those written "
				      "through SQ 1");
	return nvme_iou_close(dev, v);
}

/* Two Reads with the same CID under one doorbell (the host broke Base
 * 2.1's rule that a CID is unique among outstanding commands): whatever
 * the controller does, each gets one entry with that CID, successful or
 * Command ID Conflict, and the controller goes on. */
enum conform_verdict nvme_io_cid_conflict(struct conform_ctx *ctx)
{
	static const uint16_t g_ok[] = {NVME_IOU_OK,
					NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_CID_CONFLICT)};
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	struct nvme_cqe cqe[2];
	uint64_t bus;
	enum conform_verdict v = open_q(ctx, 0, &dev, &bus);
	int ret = 0;

	if (v != CONFORM_PASS)
		return v;
	for (int i = 0; ret >= 0 && i < 2; i++) {
		read1(dev, &sqe, bus, 0x77);
		ret = conform_nvme_push(dev, &dev->io[0], &sqe);
	}
	if (ret >= 0)
		ret = conform_nvme_ring(dev, &dev->io[0]);
	for (int i = 0; ret >= 0 && i < 2; i++) {
		ret = conform_nvme_wait(dev, &dev->io[0], -1, &cqe[i]);
		if (ret == 0 && le16toh(cqe[i].cid) != 0x77)
			return nvme_iou_close(dev, conform_fail(ctx,
								"an entry answers CID %#x, "
								"not the one sent (77h)",
								le16toh(cqe[i].cid)));
		if (ret == 0)
			v = nvme_iou_expect_any(ctx, &cqe[i], g_ok, 2, "Read with a duplicate CID");
		if (v != CONFORM_PASS)
			return nvme_iou_close(dev, v);
	}
	if (ret < 0)
		return nvme_iou_close(
		    dev, conform_fail(ctx, "two Reads with CID 77h: %s", strerror(-ret)));
	conform_info(ctx, "two outstanding commands with one CID: %s and %s",
		     conform_nvme_status(&cqe[0]) ? "Command ID Conflict" : "success",
		     conform_nvme_status(&cqe[1]) ? "Command ID Conflict" : "success");
	return nvme_iou_close_alive(dev, v);
}
