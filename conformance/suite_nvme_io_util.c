/* SPDX-License-Identifier: MIT */
/*
 * The toolbox of the NVMe suite's data-side areas (NVME-IO, NVME-DPTR,
 * NVME-AEN, NVME-FUSE, NVME-ABRT): bring a controller up with an I/O queue
 * and a namespace, lay I/O commands out, build PRPs for a buffer, run a
 * command and judge its status, and check data patterns.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conformance/suite_nvme.h"
#include "util/common.h"

#define PAGE 4096u

enum conform_verdict nvme_iou_open(struct conform_ctx *ctx, const struct conform_nvme_opts *opts,
				   uint64_t min_blocks, struct conform_nvme **dev)
{
	struct conform_nvme_opts o = opts ? *opts : (struct conform_nvme_opts){0};
	int ret;

	o.stage = CONFORM_NVME_IO;
	ret = conform_nvme_setup(ctx, &o, dev);
	if (ret)
		return conform_error(ctx, "controller bring-up: %s", strerror(-ret));
	if (!(*dev)->nsid || (*dev)->num_blocks < min_blocks) {
		conform_nvme_close(*dev);
		return conform_not_applicable(ctx, "no active namespace of %llu blocks or more",
					      (unsigned long long)min_blocks);
	}
	return CONFORM_PASS;
}

void nvme_iou_rw(struct nvme_sqe *sqe, uint8_t opc, uint32_t nsid, uint64_t slba, uint32_t nlb,
		 uint64_t prp1, uint64_t prp2)
{
	*sqe = (struct nvme_sqe){
	    .opc = opc,
	    .nsid = htole32(nsid),
	    .dptr.prp.prp1 = htole64(prp1),
	    .dptr.prp.prp2 = htole64(prp2),
	    .cdw10 = htole32((uint32_t)slba),
	    .cdw11 = htole32((uint32_t)(slba >> 32)),
	    /* NVM CS: NLB is 0's based */
	    .cdw12 = htole32(nlb ? (nlb - 1) & NVME_IO_NLB_MASK : 0),
	};
}

int nvme_iou_prps(struct conform_nvme *dev, uint64_t bus, uint64_t len, uint64_t *prp1,
		  uint64_t *prp2)
{
	uint64_t first = PAGE - (bus & (PAGE - 1));
	uint64_t left = len > first ? len - first : 0;
	uint64_t n = (left + PAGE - 1) / PAGE, list_bus;
	uint64_t *list;

	*prp1 = bus;
	*prp2 = 0;
	if (!left)
		return 0;
	if (n == 1) {
		*prp2 = bus + first;
		return 0;
	}
	/* one list page holds 512 entries: enough for what the cases move */
	if (n > PAGE / 8)
		return -E2BIG;
	list = conform_nvme_buf(dev, n * 8, 0, &list_bus);
	if (!list)
		return -ENOMEM;
	for (uint64_t i = 0; i < n; i++)
		list[i] = htole64(bus + first + i * PAGE);
	*prp2 = list_bus;
	return 0;
}

enum conform_verdict nvme_iou_run(struct conform_nvme *dev, struct conform_nvme_q *q,
				  struct nvme_sqe *sqe, uint16_t want, const char *what,
				  struct nvme_cqe *out)
{
	struct nvme_cqe cqe;
	int ret = conform_nvme_cmd(dev, q, sqe, &cqe);

	if (ret)
		return conform_fail(dev->ctx, "%s: %s", what, strerror(-ret));
	if (out)
		*out = cqe;
	return conform_nvme_expect(dev->ctx, &cqe, want, what);
}

enum conform_verdict nvme_iou_xfer(struct conform_nvme *dev, uint8_t opc, uint64_t slba,
				   uint32_t nlb, uint64_t bus, const char *what)
{
	struct nvme_sqe sqe;
	uint64_t prp1, prp2;
	int ret = nvme_iou_prps(dev, bus, (uint64_t)nlb * dev->block_size, &prp1, &prp2);

	if (ret)
		return conform_error(dev->ctx, "%s: PRPs for %u blocks: %s", what, nlb,
				     strerror(-ret));
	nvme_iou_rw(&sqe, opc, dev->nsid, slba, nlb, prp1, prp2);
	return nvme_iou_run(dev, &dev->io[0], &sqe, NVME_IOU_OK, what, NULL);
}

enum conform_verdict nvme_iou_expect_any(struct conform_ctx *ctx, const struct nvme_cqe *cqe,
					 const uint16_t *wants, unsigned n, const char *what)
{
	uint16_t got = conform_nvme_status(cqe);
	char a[96];

	for (unsigned i = 0; i < n; i++)
		if (got == wants[i])
			return CONFORM_PASS;
	return conform_fail(ctx, "%s: completed with %s, which is none of the %u statuses allowed",
			    what, conform_nvme_status_str(got, a, sizeof(a)), n);
}

enum conform_verdict nvme_iou_close(struct conform_nvme *dev, enum conform_verdict v)
{
	conform_nvme_close(dev);
	return v;
}

/* Probes after a close: a server that serves one client at a time may
 * refuse a new one while it still detaches the last (storlab-tgt does, for
 * a few ms), so the probe gets that long to be answered. */
#define ALIVE_TRIES    3
#define ALIVE_PAUSE_US 100000

enum conform_verdict nvme_iou_close_alive(struct conform_nvme *dev, enum conform_verdict v)
{
	struct conform_ctx *ctx = dev->ctx;
	bool alive = false;

	conform_nvme_close(dev);
	if (v != CONFORM_PASS)
		return v;
	for (int i = 0; !alive && i < ALIVE_TRIES; i++) {
		usleep(ALIVE_PAUSE_US);
		alive = conform_backend_alive(ctx);
	}
	if (!alive)
		return conform_fail(ctx, "the controller stopped serving after the command");
	return v;
}

uint32_t nvme_iou_seed(void)
{
	struct timespec ts;

	/* Patterns differ from run to run: stale data never passes a check. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_nsec ^ (uint32_t)getpid() * 2654435761u;
}

void nvme_iou_fill(void *buf, uint64_t len, uint32_t seed)
{
	uint8_t *p = buf;
	uint32_t x = seed | 1;

	for (uint64_t i = 0; i < len; i++) {
		/* xorshift32: no byte pattern repeats at a block's distance */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

bool nvme_iou_all(const void *buf, uint64_t len, uint8_t byte)
{
	const uint8_t *p = buf;

	for (uint64_t i = 0; i < len; i++)
		if (p[i] != byte)
			return false;
	return true;
}

enum conform_verdict nvme_iou_round_trip(struct conform_nvme *dev, uint64_t slba, uint32_t nlb,
					 uint32_t seed)
{
	uint64_t len = (uint64_t)nlb * dev->block_size, wbus, rbus;
	uint8_t *w = conform_nvme_buf(dev, len, 0, &wbus);
	uint8_t *r = conform_nvme_buf(dev, len, 0, &rbus);
	enum conform_verdict v;

	if (!w || !r)
		return conform_error(dev->ctx, "no memory for %u blocks", nlb);
	nvme_iou_fill(w, len, seed);
	v = nvme_iou_xfer(dev, NVME_NVM_WRITE, slba, nlb, wbus, "Write");
	if (v == CONFORM_PASS)
		v = nvme_iou_xfer(dev, NVME_NVM_READ, slba, nlb, rbus, "Read");
	if (v == CONFORM_PASS && memcmp(w, r, len))
		return conform_fail(dev->ctx,
				    "%u blocks at LBA %llu read back differ from those "
				    "written",
				    nlb, (unsigned long long)slba);
	return v;
}

int nvme_iou_inactive_nsid(struct conform_nvme *dev, uint32_t *nsid)
{
	uint32_t nn = le32toh(dev->id_ctrl->nn);
	uint32_t *list;
	void *data;
	unsigned i = 0;
	int ret = conform_nvme_identify(dev, NVME_IDENTIFY_ACTIVE_NS_LIST, 0, 0, &data, NULL);

	if (ret)
		return ret;
	list = data;
	/* Base §5.1.13.2.2: the active NSIDs in increasing order, then zeroes */
	for (uint32_t n = 1; n <= nn && n < NVME_NSID_ALL; n++) {
		while (i < NVME_IDENTIFY_NS_LIST_MAX && list[i] && le32toh(list[i]) < n)
			i++;
		if (i == NVME_IDENTIFY_NS_LIST_MAX || le32toh(list[i]) != n) {
			*nsid = n;
			return 0;
		}
	}
	return -ENOENT;
}

/* Copies between the contiguous buf and the pieces (gather when in). */
static void pieces_copy(struct conform_nvme *dev, uint8_t *buf, const struct nvme_iou_piece *p,
			unsigned n, bool in)
{
	for (unsigned i = 0; i < n; buf += p[i].len, i++) {
		uint8_t *at = conform_nvme_at(dev, p[i].bus, p[i].len);

		if (in)
			memcpy(buf, at, p[i].len);
		else
			memcpy(at, buf, p[i].len);
	}
}

/* tmpl as opc of nlb blocks at slba of dev->nsid, run on io[0]. */
static enum conform_verdict layout_run(struct conform_nvme *dev, const struct nvme_sqe *tmpl,
				       uint8_t opc, uint64_t slba, uint32_t nlb, const char *what)
{
	struct nvme_sqe sqe;

	nvme_iou_rw(&sqe, opc, dev->nsid, slba, nlb, 0, 0);
	sqe.flags = tmpl->flags;
	sqe.dptr = tmpl->dptr;
	return nvme_iou_run(dev, &dev->io[0], &sqe, NVME_IOU_OK, what, NULL);
}

enum conform_verdict nvme_iou_layout_trip(struct conform_nvme *dev, const struct nvme_sqe *tmpl,
					  uint64_t slba, uint32_t nlb,
					  const struct nvme_iou_piece *p, unsigned n)
{
	uint64_t len = (uint64_t)nlb * dev->block_size, sum = 0, wbus, rbus;
	uint8_t *w = conform_nvme_buf(dev, len, 0, &wbus);
	uint8_t *r = conform_nvme_buf(dev, len, 0, &rbus);
	enum conform_verdict v;

	for (unsigned i = 0; i < n; i++)
		sum += conform_nvme_at(dev, p[i].bus, p[i].len) ? p[i].len : len + 1;
	if (!w || !r || sum != len)
		return conform_error(dev->ctx, "the pieces do not hold %u blocks", nlb);
	nvme_iou_fill(w, len, nvme_iou_seed());
	pieces_copy(dev, w, p, n, false);
	v = layout_run(dev, tmpl, NVME_NVM_WRITE, slba, nlb, "Write through the data pointer");
	if (v == CONFORM_PASS)
		v = nvme_iou_xfer(dev, NVME_NVM_READ, slba, nlb, rbus, "Read with plain PRPs");
	if (v == CONFORM_PASS && memcmp(w, r, len))
		return conform_fail(dev->ctx, "the blocks written through the data pointer are not "
					      "the bytes of its pieces in order");
	for (unsigned i = 0; v == CONFORM_PASS && i < n; i++)
		memset(conform_nvme_at(dev, p[i].bus, p[i].len), 0, p[i].len);
	if (v == CONFORM_PASS)
		v = layout_run(dev, tmpl, NVME_NVM_READ, slba, nlb,
			       "Read through the data pointer");
	if (v != CONFORM_PASS)
		return v;
	pieces_copy(dev, r, p, n, true);
	if (memcmp(w, r, len))
		return conform_fail(dev->ctx, "a Read through the data pointer did not put the "
					      "blocks' bytes in its pieces in order");
	return CONFORM_PASS;
}
