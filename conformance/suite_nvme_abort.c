/* SPDX-License-Identifier: MIT */
/*
 * NVMe suite: the Abort command (NVME-ABRT), Base 2.1 §5.1.1: an Abort of
 * nothing says it aborted nothing (Dword 0 bit 0, IANP), ACL + 1 Aborts may
 * be outstanding, and an Abort of a queued command either takes it back
 * (Command Abort Requested) or lets it finish, and says which.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "conformance/suite_nvme.h"

/* Base 2.1 Figure 144: Dword 0 bit 0, Immediate Abort Not Performed */
#define IANP 1u

static void abort_sqe(struct nvme_sqe *sqe, uint16_t sqid, uint16_t cid)
{
	*sqe =
	    (struct nvme_sqe){.opc = NVME_ADM_ABORT, .cdw10 = htole32((uint32_t)cid << 16 | sqid)};
}

/* Abort of a CID nothing on SQ 1 carries: success, IANP set. */
enum conform_verdict nvme_abrt_not_found(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	enum conform_verdict v = nvme_iou_open(ctx, NULL, 1, &dev);

	if (v != CONFORM_PASS)
		return v;
	abort_sqe(&sqe, 1, 0xbeef);
	v = nvme_iou_run(dev, &dev->admin, &sqe, NVME_IOU_OK, "Abort of CID BEEFh of SQ 1", &cqe);
	if (v == CONFORM_PASS && !(le32toh(cqe.cdw0) & IANP))
		v = conform_fail(ctx,
				 "the Abort of a command that is not outstanding says it was "
				 "aborted (Dword 0 %#x, IANP clear)",
				 le32toh(cqe.cdw0));
	return nvme_iou_close(dev, v);
}

/* ACL + 1 Aborts under one doorbell: none is refused with Abort Command
 * Limit Exceeded, every one completes. */
enum conform_verdict nvme_abrt_limit(struct conform_ctx *ctx)
{
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	unsigned n;
	int ret = 0;
	enum conform_verdict v =
	    nvme_iou_open(ctx, &(struct conform_nvme_opts){.admin_size = 64}, 1, &dev);

	if (v != CONFORM_PASS)
		return v;
	n = dev->id_ctrl->acl + 1u;
	if (n >= dev->admin.size)
		return nvme_iou_close(dev, conform_not_applicable(ctx,
								  "ACL %u: more Aborts than "
								  "the admin queue holds",
								  dev->id_ctrl->acl));
	for (unsigned i = 0; ret >= 0 && i < n; i++) {
		abort_sqe(&sqe, 1, (uint16_t)(0xbe00 + i));
		ret = conform_nvme_push(dev, &dev->admin, &sqe);
	}
	if (ret >= 0)
		ret = conform_nvme_ring(dev, &dev->admin);
	for (unsigned i = 0; ret >= 0 && v == CONFORM_PASS && i < n; i++) {
		ret = conform_nvme_wait(dev, &dev->admin, -1, &cqe);
		if (ret == 0)
			v = conform_nvme_expect(ctx, &cqe, NVME_IOU_OK,
						"one of ACL + 1 outstanding Aborts");
	}
	if (ret < 0)
		v = conform_fail(ctx, "%u Aborts: %s", n, strerror(-ret));
	return nvme_iou_close_alive(dev, v);
}

/* Waits for the n Reads of SQ 1 (CIDs from 1): the last one's status in
 * *last; the others must succeed. */
static enum conform_verdict reads_done(struct conform_nvme *dev, unsigned n, uint16_t *last)
{
	struct nvme_cqe cqe;

	for (unsigned i = 0; i < n; i++) {
		int ret = conform_nvme_wait(dev, &dev->io[0], -1, &cqe);

		if (ret)
			return conform_fail(dev->ctx, "Read %u of %u: %s", i + 1, n,
					    strerror(-ret));
		if (le16toh(cqe.cid) == n)
			*last = conform_nvme_status(&cqe);
		else if (conform_nvme_status(&cqe) != NVME_IOU_OK)
			return conform_nvme_expect(dev->ctx, &cqe, NVME_IOU_OK,
						   "a Read the Abort did not name");
	}
	return CONFORM_PASS;
}

/* A full I/O queue of Reads, then an Abort of the last: it completes
 * normally (IANP set) or with Command Abort Requested, and the Abort's
 * IANP agrees with what happened. */
enum conform_verdict nvme_abrt_queued(struct conform_ctx *ctx)
{
	const uint16_t aborted = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_ABORT_REQUESTED);
	struct conform_nvme *dev;
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	uint64_t bus;
	uint16_t last = 0xffff;
	unsigned n;
	int ret = 0;
	enum conform_verdict v = nvme_iou_open(ctx, NULL, 8, &dev);

	if (v != CONFORM_PASS)
		return v;
	n = dev->io[0].size - 1u;
	if (!conform_nvme_buf(dev, 4096, 0, &bus) || dev->block_size > 512)
		return nvme_iou_close(dev, conform_not_applicable(ctx, "blocks over 512 bytes"));
	for (unsigned i = 1; ret >= 0 && i <= n; i++) {
		nvme_iou_rw(&sqe, NVME_NVM_READ, dev->nsid, 0, 8, bus, 0);
		sqe.cid = htole16((uint16_t)i);
		ret = conform_nvme_push(dev, &dev->io[0], &sqe);
	}
	abort_sqe(&sqe, 1, (uint16_t)n);
	if (ret >= 0)
		ret = conform_nvme_push(dev, &dev->admin, &sqe);
	if (ret >= 0)
		ret = conform_nvme_ring(dev, &dev->io[0]);
	if (ret >= 0)
		ret = conform_nvme_ring(dev, &dev->admin);
	if (ret < 0)
		return nvme_iou_close(dev, conform_error(ctx, "submitting: %s", strerror(-ret)));
	ret = conform_nvme_wait(dev, &dev->admin, -1, &cqe);
	if (ret)
		return nvme_iou_close(dev, conform_fail(ctx, "the Abort: %s", strerror(-ret)));
	v = conform_nvme_expect(ctx, &cqe, NVME_IOU_OK, "the Abort of a queued Read");
	if (v == CONFORM_PASS)
		v = reads_done(dev, n, &last);
	if (v == CONFORM_PASS && last != NVME_IOU_OK && last != aborted)
		v = conform_fail(ctx,
				 "the Read the Abort named completed with %#x: neither "
				 "success nor Command Abort Requested",
				 last);
	if (v == CONFORM_PASS && !(le32toh(cqe.cdw0) & IANP) && last != aborted)
		v = conform_fail(ctx,
				 "the Abort says it aborted the Read (IANP clear), which then "
				 "completed with %#x",
				 last);
	if (v == CONFORM_PASS)
		conform_info(ctx, "an Abort of a queued Read: IANP %u, the Read %s",
			     le32toh(cqe.cdw0) & IANP,
			     last == aborted ? "aborted (Command Abort Requested)" : "completed");
	return nvme_iou_close_alive(dev, v);
}
