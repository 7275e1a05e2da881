/* SPDX-License-Identifier: MIT */
/*
 * vhost-user suite: the ring rules that only I/O shows ("Ring states",
 * "Suspended device state", VHOST_USER_GET_VRING_BASE, SET_VRING_BASE and
 * SET_VRING_ENABLE), on a device brought up by conform_dev with virtio-blk
 * requests.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conformance/suite_vhost_user.h"
#include "spec/virtio_blk.h"
#include "util/common.h"
#include "util/deadline.h"

int vu_io_add(struct conform_dev *dev, uint16_t q, uint32_t type, uint64_t sector,
		   uint32_t len, const void *data, uint64_t data_gpa, void *cookie,
		   uint8_t **status)
{
	struct virtio_blk_outhdr *hdr;
	struct virtq_buf bufs[3];
	bool in = type == VIRTIO_BLK_T_IN;
	uint8_t *st;

	hdr = conform_dev_buf(dev, sizeof(*hdr), &bufs[0].addr);
	st = conform_dev_buf(dev, 1, &bufs[2].addr);
	if (!hdr || !st || (!data && !conform_dev_buf(dev, len, &data_gpa)))
		return -ENOMEM;
	hdr->type = type;
	hdr->sector = sector;
	*st = VU_STATUS_NONE;
	if (status)
		*status = st;
	bufs[0].len = sizeof(*hdr);
	bufs[1].addr = data_gpa;
	bufs[1].len = len;
	bufs[2].len = 1;
	/* virtio 1.2 §5.2.6: header out, data in (reads) or out (writes),
	 * status in. */
	return virtq_drv_add(&dev->vq[q], bufs, in ? 1 : 2, in ? 2 : 1, cookie);
}

int vu_io_read(struct conform_dev *dev, uint16_t q, uint64_t sector, void *cookie)
{
	return vu_io_add(dev, q, VIRTIO_BLK_T_IN, sector, VIRTIO_BLK_SECTOR_SIZE, NULL, 0, cookie,
		       NULL);
}

uint32_t vu_io_bytes(const struct conform_dev *dev)
{
	const struct virtio_blk_config *cfg = (const struct virtio_blk_config *)dev->config;
	uint32_t bs = cfg->blk_size;

	if ((dev->features & VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE)) && IS_POW2(bs) && bs > 4096 &&
	    bs <= (1u << 20))
		return bs;
	return 4096;
}

/* Waits for n used entries on q: 0, or the first error (noted). */
static int wait_n(struct conform_ctx *ctx, struct conform_dev *dev, uint16_t q, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		void *cookie;
		uint32_t len;
		int ret = conform_dev_wait_used(dev, q, &cookie, &len);

		if (ret < 0) {
			conform_note(ctx, "request %u of %u not completed: %s", i + 1, n,
				     strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* Brings a one-queue device up, completes n reads, and stops the ring
 * with GET_VRING_BASE into *base. */
static enum conform_verdict io_then_base(struct conform_ctx *ctx, struct conform_dev **devp,
					 unsigned n, uint32_t *base)
{
	struct conform_dev_opts o = {.nqueues = 1};
	struct conform_dev *dev;
	int ret = conform_dev_setup(ctx, &o, &dev);

	if (ret < 0)
		return conform_error(ctx, "device set-up: %s", strerror(-ret));
	*devp = dev;
	for (unsigned i = 0; i < n; i++) {
		ret = vu_io_read(dev, 0, i, (void *)(uintptr_t)(i + 1));
		if (ret < 0)
			return conform_error(ctx, "adding read %u: %s", i, strerror(-ret));
	}
	conform_dev_kick(dev, 0);
	if (wait_n(ctx, dev, 0, n))
		return conform_error(ctx, "the reads before GET_VRING_BASE did not complete");
	ret = vhost_fe_get_vring_base(dev->fe, 0, base);
	if (ret < 0)
		return conform_fail(ctx, "VHOST_USER_GET_VRING_BASE: %s", strerror(-ret));
	conform_note(ctx, "vring base %u after %u requests", *base, n);
	return CONFORM_PASS;
}

enum conform_verdict vu_io_base_after_io(struct conform_ctx *ctx)
{
	struct conform_dev *dev;
	uint32_t base;
	enum conform_verdict v = io_then_base(ctx, &dev, 5, &base);

	if (v == CONFORM_PASS && base != 5)
		return conform_fail(ctx, "vring base %u after 5 requests were consumed", base);
	return v;
}

/* After GET_VRING_BASE stopped the ring, a sixth read is made available,
 * with a kick or without, and no used entry may come. */
static enum conform_verdict used_after_stop(struct conform_ctx *ctx, bool kick)
{
	struct conform_dev *dev;
	uint32_t base, len;
	void *cookie;
	enum conform_verdict v = io_then_base(ctx, &dev, 5, &base);
	int ret;

	if (v != CONFORM_PASS)
		return v;
	ret = vu_io_read(dev, 0, 5, (void *)(uintptr_t)6);
	if (ret < 0)
		return conform_error(ctx, "adding the sixth read: %s", strerror(-ret));
	if (kick)
		conform_dev_kick(dev, 0);
	else
		virtq_drv_publish(&dev->vq[0]);
	ret = conform_dev_wait_used(dev, 0, &cookie, &len);
	if (ret == 0)
		return conform_fail(ctx, "a request made available after GET_VRING_BASE%s was "
					 "processed: the ring was not stopped",
				    kick ? " and kicked" : "");
	if (ret != -ETIMEDOUT)
		conform_note(ctx, "waiting for used entries: %s", strerror(-ret));
	return CONFORM_PASS;
}

/* "Ring states": "While a ring is stopped, the back-end must not process
 * the ring at all". No kick: whether a kick on the old kick fd starts the
 * ring again is open (VHOST-RING-011), a back-end that looks at the ring
 * without one is processing it. */
enum conform_verdict vu_io_stopped_after_base(struct conform_ctx *ctx)
{
	return used_after_stop(ctx, false);
}

/* VHOST-RING-011 (advisory): the same with a kick on the kick fd given
 * before GET_VRING_BASE. "The back-end must start a ring upon receiving a
 * kick" can be read to cover that fd too; QEMU sends SET_VRING_KICK again to
 * restart a ring, and a back-end that lets a late kick restart it serves
 * requests a front-end that stopped it (to migrate) no longer tracks. */
enum conform_verdict vu_io_kick_after_base(struct conform_ctx *ctx)
{
	return used_after_stop(ctx, true);
}

static uint16_t used_idx(const struct conform_dev *dev, uint16_t q)
{
	return __atomic_load_n(&dev->vq[q].used->idx, __ATOMIC_ACQUIRE);
}

/*
 * Watches the used index of q for ms: 0 if it stayed at idx, else the
 * milliseconds after which it moved (at least 1), with the new value in
 * *moved.
 */
static int64_t used_moves(const struct conform_dev *dev, uint16_t q, uint16_t idx, int ms,
			  uint16_t *moved)
{
	int64_t start = deadline_now_ms(), deadline = deadline_from_timeout(ms);

	for (;;) {
		*moved = used_idx(dev, q);
		if (*moved != idx)
			return MAX(deadline_now_ms() - start, 1);
		if (deadline_ms_left(deadline) == 0)
			return 0;
		usleep(500);
	}
}

/*
 * GET_VRING_BASE with requests in flight: a full ring (1024 entries) of
 * 1 MiB requests, all on one buffer, keeps a back-end busy for many
 * milliseconds. GET_VRING_BASE is sent as soon as the first of them is
 * used, so it arrives while the back-end is at work; one that finished
 * everything before the request could be sent is tried again, up to
 * INFLIGHT_TRIES times. Where the reply lands in the back-end's work is a
 * race, so the whole is done INFLIGHT_ROUNDS times.
 */
#define INFLIGHT_QSIZE 1024
#define INFLIGHT_BYTES (1u << 20)
#define INFLIGHT_TRIES 3
#define INFLIGHT_ROUNDS 3
/* How long the used index is watched when every consumed request was used
 * by the reply: only a ring that still runs could move it, and a full ring
 * of work shows that at once. */
#define INFLIGHT_QUIET_MS 50

struct inflight {
	unsigned n;	      /* requests made available */
	uint16_t at_send;     /* used index when GET_VRING_BASE was sent */
	uint16_t at_reply;    /* ... when its reply came */
	uint32_t base;	      /* the reply */
};

/* One attempt: a device, the ring filled and kicked, GET_VRING_BASE once
 * the first request is used. Writes (reads on a read-only device) of
 * INFLIGHT_BYTES at sector 0. */
static enum conform_verdict inflight_try(struct conform_ctx *ctx, struct conform_dev **devp,
					 struct inflight *t)
{
	struct conform_dev_opts o = {
	    .nqueues = 1, .queue_size = INFLIGHT_QSIZE, .mem_size = 8u << 20};
	const struct virtio_blk_config *cfg;
	struct conform_dev *dev;
	uint32_t type = VIRTIO_BLK_T_OUT, len = INFLIGHT_BYTES;
	uint64_t data_gpa;
	void *data;
	int ret = conform_dev_setup(ctx, &o, &dev);

	if (ret < 0)
		return conform_error(ctx, "device set-up: %s", strerror(-ret));
	*devp = dev;
	cfg = (const struct virtio_blk_config *)dev->config;
	if (dev->features & VIRTIO_BIT(VIRTIO_BLK_F_RO))
		type = VIRTIO_BLK_T_IN;
	/* Within the device (a capacity of at least 8 sectors, in 4 KiB). */
	if (dev->config_len && cfg->capacity < INFLIGHT_BYTES / VIRTIO_BLK_SECTOR_SIZE)
		len = (uint32_t)(cfg->capacity / 8 * 4096);
	data = conform_dev_buf(dev, len, &data_gpa);
	if (!data || !len)
		return conform_error(ctx, "no room for a request of %u bytes", len);
	for (t->n = 0;; t->n++) {
		ret = vu_io_add(dev, 0, type, 0, len, data, data_gpa, (void *)(uintptr_t)(t->n + 1),
			      NULL);
		if (ret == -ENOSPC)
			break;
		if (ret < 0)
			return conform_error(ctx, "adding request %u: %s", t->n, strerror(-ret));
	}
	conform_dev_kick(dev, 0);
	/* Sent once the back-end is at work: it has used a first request. */
	if (!used_moves(dev, 0, 0, conform_timeout_ms(ctx), &t->at_send))
		return conform_fail(ctx, "none of %u requests made available was used", t->n);
	ret = vhost_fe_get_vring_base(dev->fe, 0, &t->base);
	t->at_reply = used_idx(dev, 0);
	if (ret < 0)
		return conform_fail(ctx, "VHOST_USER_GET_VRING_BASE: %s", strerror(-ret));
	conform_note(ctx,
		     "%u %s of %u KiB made available; GET_VRING_BASE sent with %u in flight "
		     "(%u used); reply: base %u, used index %u (%u consumed and not used)",
		     t->n, type == VIRTIO_BLK_T_OUT ? "writes" : "reads", len >> 10,
		     t->n - t->at_send, t->at_send, t->base, t->at_reply,
		     (uint16_t)(t->base - t->at_reply));
	return CONFORM_PASS;
}

/* One round: attempts until GET_VRING_BASE met requests in flight, then
 * the base and the used index after the reply are judged. */
static enum conform_verdict inflight_round(struct conform_ctx *ctx)
{
	struct conform_dev *dev = NULL;
	enum conform_verdict v;
	struct inflight t;
	uint16_t later;
	int64_t after;
	int watch;

	for (int attempt = 1;; attempt++) {
		v = inflight_try(ctx, &dev, &t);
		if (v != CONFORM_PASS || t.n != t.at_send)
			break;
		conform_dev_close(dev);
		dev = NULL;
		if (attempt == INFLIGHT_TRIES)
			return conform_error(ctx, "the back-end had used all %u requests before "
						  "GET_VRING_BASE was sent, %d times: none "
						  "was in flight",
					     t.n, attempt);
	}
	if (v != CONFORM_PASS)
		return v;
	if (t.base > t.n)
		return conform_fail(ctx, "vring base %u: only %u requests were made available",
				    t.base, t.n);
	if ((uint16_t)(t.base - t.at_reply) > t.n)
		return conform_fail(ctx,
				    "vring base %u is behind the used index %u: a request "
				    "was used that the base does not count",
				    t.base, t.at_reply);
	/* Requests consumed and not used at the reply may still come back late:
	 * watched for a reply timeout. Otherwise only a ring that still runs
	 * could move the index. */
	watch = t.base != t.at_reply ? conform_timeout_ms(ctx) : INFLIGHT_QUIET_MS;
	after = used_moves(dev, 0, t.at_reply, watch, &later);
	if (after)
		return conform_fail(ctx,
				    "the used index moved from %u to %u %lld ms after "
				    "GET_VRING_BASE's reply: the stopped ring was written",
				    t.at_reply, later, (long long)after);
	conform_note(ctx, "the used index stayed at %u for %d ms", t.at_reply, watch);
	/* The back-end serves one front-end at a time: free it for the next round. */
	conform_dev_close(dev);
	return CONFORM_PASS;
}

/* "Ring states": GET_VRING_BASE stops the ring, and a stopped ring is not
 * processed at all; "Suspended device state": with every ring stopped the
 * device writes no guest memory. Whether the back-end finished the requests
 * it had consumed before it replied, or dropped them, the reply is the last
 * word on the ring: the used index must not move after it. */
enum conform_verdict vu_io_base_with_requests_in_flight(struct conform_ctx *ctx)
{
	for (int round = 1; round <= INFLIGHT_ROUNDS; round++) {
		enum conform_verdict v = inflight_round(ctx);

		if (v != CONFORM_PASS)
			return v;
	}
	return CONFORM_PASS;
}

/* One request of type on q with len bytes of data (in, or out from data),
 * run to its end: its status, or a negative errno (noted). */
static int run_req(struct conform_ctx *ctx, struct conform_dev *dev, uint16_t q, uint32_t type,
		   uint64_t sector, uint8_t *data, uint32_t len)
{
	uint64_t gpa;
	uint8_t *buf = conform_dev_buf(dev, len, &gpa), *status;
	int ret;

	if (!buf)
		return -ENOMEM;
	if (type == VIRTIO_BLK_T_OUT)
		memcpy(buf, data, len);
	ret = vu_io_add(dev, q, type, sector, len, buf, gpa, buf, &status);
	if (ret < 0)
		return ret;
	conform_dev_kick(dev, q);
	ret = wait_n(ctx, dev, q, 1);
	if (ret < 0)
		return ret;
	if (type == VIRTIO_BLK_T_IN)
		memcpy(data, buf, len);
	return *status;
}

/* Bytes that differ from run to run, so stale data never matches. */
static void fill_pattern(uint8_t *p, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

/* "Ring states": a started and disabled ring is processed "without causing
 * any side effects". A write made available after SET_VRING_ENABLE 0 must
 * not reach the disk: a new connection reads the data written before. The
 * data is one unit (io_bytes) at the second unit of the device. */
enum conform_verdict vu_io_disabled_ring_no_effect(struct conform_ctx *ctx)
{
	static uint8_t before[1u << 20], later[1u << 20], got[1u << 20];
	struct conform_dev_opts o = {.nqueues = 1};
	struct conform_dev *dev;
	uint8_t *status, *buf;
	uint64_t gpa, sector;
	uint32_t len, bytes;
	void *cookie;
	int ret = conform_dev_setup(ctx, &o, &dev);

	if (ret < 0)
		return conform_error(ctx, "device set-up: %s", strerror(-ret));
	if (dev->features & VIRTIO_BIT(VIRTIO_BLK_F_RO))
		return conform_not_applicable(ctx, "the device is read-only: no write has an effect");
	bytes = vu_io_bytes(dev);
	sector = bytes / VIRTIO_BLK_SECTOR_SIZE;
	fill_pattern(before, bytes, (uint32_t)deadline_now_ms());
	fill_pattern(later, bytes, (uint32_t)deadline_now_ms() ^ 0x5a5a5a5au);
	ret = run_req(ctx, dev, 0, VIRTIO_BLK_T_OUT, sector, before, bytes);
	if (ret != VIRTIO_BLK_S_OK)
		return conform_error(ctx, "the write before SET_VRING_ENABLE 0: %d", ret);
	ret = vhost_fe_set_vring_enable(dev->fe, 0, false);
	if (ret < 0)
		return conform_fail(ctx, "VHOST_USER_SET_VRING_ENABLE 0 of a started ring: %s",
				    strerror(-ret));
	buf = conform_dev_buf(dev, bytes, &gpa);
	if (!buf)
		return conform_error(ctx, "out of guest memory");
	memcpy(buf, later, bytes);
	ret = vu_io_add(dev, 0, VIRTIO_BLK_T_OUT, sector, bytes, buf, gpa, buf, &status);
	if (ret < 0)
		return conform_error(ctx, "adding the write: %s", strerror(-ret));
	conform_dev_kick(dev, 0);
	ret = conform_dev_wait_used(dev, 0, &cookie, &len);
	conform_note(ctx, "the write made available on the disabled ring: %s", ret ? strerror(-ret)
		     : *status == VIRTIO_BLK_S_OK ? "used, status OK" : "used, status not OK");
	/* The back-end serves one front-end at a time: ours goes first. */
	conform_dev_close(dev);
	ret = conform_dev_setup(ctx, &o, &dev);
	if (ret < 0)
		return conform_error(ctx, "a second device set-up: %s", strerror(-ret));
	ret = run_req(ctx, dev, 0, VIRTIO_BLK_T_IN, sector, got, bytes);
	if (ret != VIRTIO_BLK_S_OK)
		return conform_error(ctx, "reading the data back: %d", ret);
	if (!memcmp(got, later, bytes))
		return conform_fail(ctx, "the write made available on the disabled ring was "
					 "done: the data reads as it wrote");
	if (memcmp(got, before, bytes))
		return conform_fail(ctx, "the data changed while the ring was disabled");
	return CONFORM_PASS;
}

/* The index both sides of a split ring start from (vhost-user.rst
 * "VHOST_USER_SET_VRING_BASE"; the used index is read from memory). */
#define WRAP_BASE 65535
#define WRAP_READS 4

/* Starts ring q of a device set up with no_start at index base: the
 * driver side's indexes and the rings' idx fields, then SET_VRING_BASE and
 * SET_VRING_ADDR again (QEMU's order: a back-end may read the used index
 * when it gets the addresses), the kick and ENABLE. 0, or the failing
 * request's negative errno (noted). */
static int ring_start_at(struct conform_ctx *ctx, struct conform_dev *dev, uint16_t q,
			 uint16_t base)
{
	struct virtq_drv *vq = &dev->vq[q];
	struct vhost_user_vring_addr addr = {
	    .index = q,
	    .desc_user_addr = (uintptr_t)vq->desc,
	    .avail_user_addr = (uintptr_t)vq->avail,
	    .used_user_addr = (uintptr_t)vq->used,
	};
	int ret;

	vq->avail_idx = vq->avail_published = vq->last_used_idx = base;
	__atomic_store_n(&vq->avail->idx, base, __ATOMIC_RELEASE);
	__atomic_store_n(&vq->used->idx, base, __ATOMIC_RELEASE);
	ret = vhost_fe_set_vring_base(dev->fe, q, base);
	if (ret < 0) {
		conform_note(ctx, "VHOST_USER_SET_VRING_BASE %u: %s", base, strerror(-ret));
		return ret;
	}
	ret = vhost_fe_set_vring_addr(dev->fe, &addr);
	if (!ret)
		ret = vhost_fe_set_vring_kick(dev->fe, q, dev->kick_fd[q]);
	if (!ret && (dev->features & VU_F_PROTOCOL_FEATURES))
		ret = vhost_fe_set_vring_enable(dev->fe, q, true);
	if (ret < 0)
		conform_note(ctx, "starting the ring: %s", strerror(-ret));
	return ret;
}

/* virtio 1.2 §2.7.13.3: idx "wraps naturally at 65536". A ring started at
 * 65535 serves requests (reads of the first unit) across the wrap, and
 * GET_VRING_BASE counts on past it. */
enum conform_verdict vu_io_index_wrap(struct conform_ctx *ctx)
{
	struct conform_dev_opts o = {.nqueues = 1, .no_start = true};
	uint8_t *status[WRAP_READS];
	struct conform_dev *dev;
	uint32_t base;
	int ret = conform_dev_setup(ctx, &o, &dev);

	if (ret < 0)
		return conform_error(ctx, "device set-up: %s", strerror(-ret));
	if (ring_start_at(ctx, dev, 0, WRAP_BASE))
		return conform_fail(ctx, "a ring at base %u could not be started", WRAP_BASE);
	for (unsigned i = 0; i < WRAP_READS; i++) {
		ret = vu_io_add(dev, 0, VIRTIO_BLK_T_IN, 0, vu_io_bytes(dev), NULL, 0,
			      (void *)(uintptr_t)(i + 1), &status[i]);
		if (ret < 0)
			return conform_error(ctx, "adding read %u: %s", i, strerror(-ret));
	}
	conform_dev_kick(dev, 0);
	if (wait_n(ctx, dev, 0, WRAP_READS))
		return conform_fail(ctx, "reads made available at indexes %u to %u did not all "
					 "complete",
				    WRAP_BASE, (uint16_t)(WRAP_BASE + WRAP_READS - 1));
	for (unsigned i = 0; i < WRAP_READS; i++)
		if (*status[i] != VIRTIO_BLK_S_OK)
			return conform_fail(ctx, "the read at avail index %u: status %u",
					    (uint16_t)(WRAP_BASE + i), *status[i]);
	ret = vhost_fe_get_vring_base(dev->fe, 0, &base);
	if (ret < 0)
		return conform_fail(ctx, "VHOST_USER_GET_VRING_BASE: %s", strerror(-ret));
	conform_note(ctx, "vring base %u after %u reads from %u", base, WRAP_READS, WRAP_BASE);
	if (base != (uint16_t)(WRAP_BASE + WRAP_READS))
		return conform_fail(ctx, "vring base %u, %u expected", base,
				    (uint16_t)(WRAP_BASE + WRAP_READS));
	return CONFORM_PASS;
}

/* One request of type on q with its data in one descriptor at gpa, run to
 * its end: its status, or a negative errno (noted). */
static int run_at(struct conform_ctx *ctx, struct conform_dev *dev, uint32_t type, uint64_t sector,
		  uint64_t gpa, uint32_t len)
{
	uint8_t *data = conform_dev_at(dev, gpa, len), *status;
	int ret = vu_io_add(dev, 0, type, sector, len, data, gpa, data, &status);

	if (ret < 0)
		return ret;
	conform_dev_kick(dev, 0);
	ret = wait_n(ctx, dev, 0, 1);
	return ret < 0 ? ret : *status;
}

/* A write of a pattern from the buffer at guest address from, read back
 * into the buffer at guest address to (both one unit, at the device's
 * second unit): PASS when the data arrives there. */
static enum conform_verdict write_read_at(struct conform_ctx *ctx, struct conform_dev *dev,
					  uint64_t from, uint64_t to)
{
	uint32_t bytes = vu_io_bytes(dev);
	uint64_t sector = bytes / VIRTIO_BLK_SECTOR_SIZE;
	uint8_t *src = conform_dev_at(dev, from, bytes), *dst = conform_dev_at(dev, to, bytes);
	int ret;

	if (!src || !dst)
		return conform_error(ctx, "no buffer of %u bytes at 0x%llx or 0x%llx", bytes,
				     (unsigned long long)from, (unsigned long long)to);
	if (dev->features & VIRTIO_BIT(VIRTIO_BLK_F_RO))
		return conform_not_applicable(ctx, "the device is read-only: nothing to write");
	fill_pattern(src, bytes, (uint32_t)deadline_now_ms());
	memset(dst, 0, bytes);
	conform_note(ctx, "write from guest address 0x%llx, read into 0x%llx (%u bytes)",
		     (unsigned long long)from, (unsigned long long)to, bytes);
	ret = run_at(ctx, dev, VIRTIO_BLK_T_OUT, sector, from, bytes);
	if (ret != VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "the write from the buffer at guest address 0x%llx: %s",
				    (unsigned long long)from,
				    ret < 0 ? strerror(-ret) : "status not OK");
	ret = run_at(ctx, dev, VIRTIO_BLK_T_IN, sector, to, bytes);
	if (ret != VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "the read into the buffer at guest address 0x%llx: %s",
				    (unsigned long long)to,
				    ret < 0 ? strerror(-ret) : "status not OK");
	if (memcmp(src, dst, bytes))
		return conform_fail(ctx,
				    "the data read into guest address 0x%llx is not what was "
				    "written from 0x%llx: the back-end used other memory",
				    (unsigned long long)to, (unsigned long long)from);
	return CONFORM_PASS;
}

#define MIB (1ULL << 20)

/* "Memory access": guest addresses map to the region that contains them.
 * Three regions of one memfd, sent out of guest-address order, two of them
 * at guest addresses that are not their offsets in the fd: a write from the
 * first byte of one reads back into the first byte of the other. */
enum conform_verdict vu_io_regions(struct conform_ctx *ctx)
{
	static const struct conform_dev_region regions[] = {
	    {.off = 5 * MIB, .size = MIB, .gpa = 64 * MIB},
	    {.off = 4 * MIB, .size = MIB, .gpa = 32 * MIB},
	    {.off = 0, .size = 4 * MIB, .gpa = 0},
	};
	struct conform_dev_opts o = {
	    .nqueues = 1, .mem_size = 6 * MIB, .regions = regions, .nregions = 3};
	struct conform_dev *dev;
	enum conform_verdict v;
	int ret = conform_dev_setup(ctx, &o, &dev);

	if (ret < 0)
		return conform_error(ctx, "device set-up with three regions: %s", strerror(-ret));
	v = write_read_at(ctx, dev, 64 * MIB, 32 * MIB);
	conform_dev_close(dev);
	return v;
}

/* "Memory region description": the region starts at its mmap offset in the
 * fd, which need not be page-aligned. A back-end may refuse such a table
 * (VHOST-MEM-007); once it took it, data read into the first byte of that
 * region lands there. */
enum conform_verdict vu_io_unaligned_region(struct conform_ctx *ctx)
{
	static const struct conform_dev_region regions[] = {
	    {.off = 0, .size = 4 * MIB, .gpa = 0},
	    {.off = 4 * MIB + 0x800, .size = MIB, .gpa = 16 * MIB},
	};
	struct conform_dev_opts o = {
	    .nqueues = 1, .mem_size = 6 * MIB, .regions = regions, .nregions = 2};
	struct conform_dev *dev;
	enum conform_verdict v;
	uint64_t from;
	int ret = conform_dev_setup(ctx, &o, &dev);

	if (ret < 0)
		return conform_not_applicable(ctx,
					      "the device could not be set up with a region "
					      "at mmap offset 0x%llx (%s): a back-end may "
					      "refuse one (VHOST-MEM-007)",
					      (unsigned long long)regions[1].off, strerror(-ret));
	if (!conform_dev_buf(dev, vu_io_bytes(dev), &from))
		return conform_error(ctx, "out of guest memory");
	v = write_read_at(ctx, dev, from, 16 * MIB);
	conform_dev_close(dev);
	return v;
}

#define NO_PF_READS 3

/* "Ring states": without VHOST_USER_F_PROTOCOL_FEATURES in SET_FEATURES the
 * back-end "must enable all rings immediately", and "must start a ring upon
 * receiving a kick": reads on a ring that was kicked, and never got a
 * SET_VRING_ENABLE (a front-end without the feature has none to send), are
 * served. */
enum conform_verdict vu_io_no_protocol_features(struct conform_ctx *ctx)
{
	struct conform_dev_opts o = {
	    .nqueues = 1, .want_features = CONFORM_DEV_FEATURES & ~VU_F_PROTOCOL_FEATURES};
	struct conform_dev *dev;
	int ret = conform_dev_setup(ctx, &o, &dev);

	if (ret < 0)
		return conform_error(ctx,
				     "device set-up without VHOST_USER_F_PROTOCOL_FEATURES: %s",
				     strerror(-ret));
	for (unsigned i = 0; i < NO_PF_READS; i++) {
		ret = vu_io_read(dev, 0, i, (void *)(uintptr_t)(i + 1));
		if (ret < 0)
			return conform_error(ctx, "adding read %u: %s", i, strerror(-ret));
	}
	conform_dev_kick(dev, 0);
	if (wait_n(ctx, dev, 0, NO_PF_READS))
		return conform_fail(ctx, "reads on a ring kicked after SET_FEATURES without "
					 "VHOST_USER_F_PROTOCOL_FEATURES were not all served: the "
					 "ring was not enabled");
	conform_dev_close(dev);
	return CONFORM_PASS;
}

/* A read of one unit at the device's first unit into the buffer at data /
 * gpa, on the running ring 0: its status, or a negative errno (noted). */
static int read_into(struct conform_ctx *ctx, struct conform_dev *dev, void *data, uint64_t gpa)
{
	uint8_t *status;
	int ret = vu_io_add(dev, 0, VIRTIO_BLK_T_IN, 0, vu_io_bytes(dev), data, gpa, data, &status);

	if (ret < 0)
		return ret;
	conform_dev_kick(dev, 0);
	ret = wait_n(ctx, dev, 0, 1);
	return ret < 0 ? ret : *status;
}

/* "Ring states": the back-end "must support changing some configuration
 * aspects on the fly". QEMU's memory hot-plug is one: a new SET_MEM_TABLE
 * (the old region and one more) while the ring runs. Reads before and
 * after it complete, one of them into the new region, with the same data. */
enum conform_verdict vu_io_mem_table_while_running(struct conform_ctx *ctx)
{
	struct conform_dev_opts o = {.nqueues = 1};
	struct vhost_fe_region r[2];
	struct conform_dev *dev;
	uint64_t gpa;
	struct vu_mem m;
	uint32_t bytes;
	uint8_t *before;
	int ret = conform_dev_setup(ctx, &o, &dev);

	if (ret < 0)
		return conform_error(ctx, "device set-up: %s", strerror(-ret));
	bytes = vu_io_bytes(dev);
	before = conform_dev_buf(dev, bytes, &gpa);
	if (!before || vu_mem_create(ctx, &m, VU_MEM_SIZE))
		return conform_error(ctx, "out of guest memory");
	ret = read_into(ctx, dev, before, gpa);
	if (ret != VIRTIO_BLK_S_OK)
		return conform_error(ctx, "the read before the new table: %d", ret);
	r[0] = (struct vhost_fe_region){
	    .gpa = 0, .size = dev->mem_size, .uva = (uintptr_t)dev->mem, .fd = dev->mem_fd};
	r[1] = vu_mem_region(&m, 64 * MIB);
	conform_note(ctx, "SET_MEM_TABLE: the device's region and one at 64 MiB, ring 0 running");
	ret = vhost_fe_set_mem_table(dev->fe, r, 2);
	if (ret < 0)
		return conform_fail(ctx,
				    "a new table (the old region and one more) while the ring "
				    "runs: %s",
				    strerror(-ret));
	ret = read_into(ctx, dev, m.base, 64 * MIB);
	if (ret != VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "a read into the new region on the running ring: %s",
				    ret < 0 ? strerror(-ret) : "status not OK");
	if (memcmp(m.base, before, bytes))
		return conform_fail(ctx, "the read into the new region brought other data than the "
					 "same read before the new table");
	conform_dev_close(dev);
	return CONFORM_PASS;
}

/* Reads in flight when GET_VRING_BASE drains the ring: a first half made
 * available, and once the device used one of them, the second half, right
 * before GET_VRING_BASE. With EVENT_IDX, used_event at the last of them. */
#define DRAIN_READS 64
#define DRAIN_TRIES 5

/* Waits up to ms for q's used index to leave 0, polling without a pause (a
 * device that completes within microseconds must not be missed). */
static bool first_used(const struct conform_dev *dev, uint16_t q, int ms)
{
	int64_t deadline = deadline_from_timeout(ms);

	while (used_idx(dev, q) == 0) {
		if (deadline_ms_left(deadline) == 0)
			return false;
	}
	return true;
}

static int drain_add(struct conform_dev *dev, unsigned from, unsigned to)
{
	for (unsigned i = from; i < to; i++) {
		int ret = vu_io_add(dev, 0, VIRTIO_BLK_T_IN, 0, vu_io_bytes(dev), NULL, 0,
				  (void *)(uintptr_t)(i + 1), NULL);

		if (ret < 0)
			return ret;
	}
	conform_dev_kick(dev, 0);
	return 0;
}

/* One attempt: *judged false when it found nothing to judge (not every
 * read consumed and used by the reply). */
static enum conform_verdict drain_try(struct conform_ctx *ctx, bool *judged)
{
	struct conform_dev_opts o = {.nqueues = 1};
	struct pollfd pfd = {.events = POLLIN};
	struct conform_dev *dev;
	uint16_t at_reply;
	uint32_t base;
	uint64_t v;
	int ret = conform_dev_setup(ctx, &o, &dev);

	*judged = false;
	if (ret < 0)
		return conform_error(ctx, "device set-up: %s", strerror(-ret));
	if (!(dev->features & VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX)))
		return conform_error(ctx, "VIRTIO_RING_F_EVENT_IDX offered but not negotiated");
	/* §2.7.7.2: only the used entry at index DRAIN_READS - 1 asks for a
	 * notification. */
	__atomic_store_n(virtq_used_event(dev->vq[0].avail, dev->vq[0].num),
			 (uint16_t)(DRAIN_READS - 1), __ATOMIC_RELEASE);
	while (read(dev->call_fd[0], &v, sizeof(v)) == sizeof(v))
		;
	ret = drain_add(dev, 0, DRAIN_READS / 2);
	if (ret < 0)
		return conform_error(ctx, "adding the first reads: %s", strerror(-ret));
	if (!first_used(dev, 0, conform_timeout_ms(ctx)))
		return conform_fail(ctx, "none of %u reads made available was used",
				    DRAIN_READS / 2);
	ret = drain_add(dev, DRAIN_READS / 2, DRAIN_READS);
	if (ret < 0)
		return conform_error(ctx, "adding the second reads: %s", strerror(-ret));
	ret = vhost_fe_get_vring_base(dev->fe, 0, &base);
	at_reply = used_idx(dev, 0);
	if (ret < 0)
		return conform_fail(ctx, "VHOST_USER_GET_VRING_BASE: %s", strerror(-ret));
	conform_note(ctx,
		     "GET_VRING_BASE sent right after the second %u reads; reply: base %u, "
		     "used index %u",
		     DRAIN_READS / 2, base, at_reply);
	if (base != DRAIN_READS || at_reply != DRAIN_READS) {
		conform_dev_close(dev);
		return CONFORM_PASS;
	}
	*judged = true;
	pfd.fd = dev->call_fd[0];
	ret = poll(&pfd, 1, conform_timeout_ms(ctx));
	conform_dev_close(dev);
	if (ret != 1)
		return conform_fail(ctx,
				    "the read at used index %u (used_event) was used by "
				    "GET_VRING_BASE's reply, and no notification came",
				    DRAIN_READS - 1);
	return CONFORM_PASS;
}

/* virtio 1.2 §2.7.7.2 with EVENT_IDX: the device MUST notify when it writes
 * the used entry at used_event, also while GET_VRING_BASE drains the ring
 * ("Ring states"): the reads in flight then are used on the way to the
 * reply, the last of them at used_event. */
enum conform_verdict vu_io_drain_notified(struct conform_ctx *ctx)
{
	for (int attempt = 1; attempt <= DRAIN_TRIES; attempt++) {
		bool judged;
		enum conform_verdict v = drain_try(ctx, &judged);

		if (v != CONFORM_PASS || judged)
			return v;
	}
	return conform_not_applicable(ctx,
				      "%d times, the reads were not all consumed and used by "
				      "GET_VRING_BASE's reply: nothing to judge",
				      DRAIN_TRIES);
}
