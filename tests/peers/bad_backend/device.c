/* SPDX-License-Identifier: MIT */
/*
 * bad_backend's device: a RAM disk behind lib/virtio's device queue, with
 * the data-path switches (virtio 1.2 §5.2.6 requests, §2.7.7.2
 * notifications, §2.7.8 used lengths) and keeps-ring-running.
 */
#define LOG_COMPONENT "bad_backend"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bad_backend.h"
#include "spec/virtio.h"
#include "spec/virtio_blk.h"
#include "util/log.h"

#define SECTOR	VIRTIO_BLK_SECTOR_SIZE
#define SEG_MAX 128
#define MAX_IOV (SEG_MAX + 8)
#define BATCH	32
/* Exactly VIRTIO_BLK_ID_BYTES: a correct device writes no NUL after it. */
#define BLK_ID "storlab-bad-backend0"
/* get-id-unpadded: a shorter id, written with its NUL and nothing after. */
#define BLK_ID_SHORT "storlab-bad"
/* truncates-large-writes: what is kept of a larger write. */
#define LARGE_WRITE (128u << 10)

struct ring {
	struct vhost_vring *vring; /* NULL: not running */
	/* keeps-ring-running: the stopped ring's copy and a dup of its call fd */
	struct virtq_dev zombie;
	int zombie_call;
	bool zombie_live;
	bool quiet; /* no-event-idx-notify: used_event was seen ahead; never notify */
};

struct disk {
	uint8_t *data;
	uint64_t bytes;
	uint16_t queues;
	bool readonly;
	uint64_t features; /* negotiated */
	struct ring rings[VHOST_MAX_QUEUES];
};

static struct disk g_disk;

static bool negotiated(unsigned bit)
{
	return g_disk.features & VIRTIO_BIT(bit);
}

static void iov_copy(const struct iovec *iov, unsigned n, size_t off, void *buf, size_t len,
		     bool to_iov)
{
	uint8_t *p = buf;

	for (unsigned i = 0; i < n && len; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		size_t k = iov[i].iov_len - off < len ? iov[i].iov_len - off : len;
		if (to_iov)
			memcpy((uint8_t *)iov[i].iov_base + off, p, k);
		else
			memcpy(p, (uint8_t *)iov[i].iov_base + off, k);
		p += k;
		len -= k;
		off = 0;
	}
}

static bool range_ok(uint64_t sector, uint64_t bytes)
{
	uint64_t cap = g_disk.bytes / SECTOR;

	return sector <= cap && bytes <= (cap - sector) * SECTOR;
}

/* DISCARD / WRITE_ZEROES, one segment (max_*_seg is 1). */
static uint8_t blk_dwz(uint32_t type, const struct iovec *out, unsigned nout, uint32_t out_len)
{
	struct virtio_blk_discard_write_zeroes seg;
	uint32_t known = VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;
	uint64_t bytes;

	/* §2.2: a request of a feature the driver did not accept is unknown. */
	if (!negotiated(type == VIRTIO_BLK_T_DISCARD ? VIRTIO_BLK_F_DISCARD
						     : VIRTIO_BLK_F_WRITE_ZEROES) &&
	    !BROKEN(DWZ_WITHOUT_FEATURE))
		return VIRTIO_BLK_S_UNSUPP;
	if (out_len != sizeof(struct virtio_blk_outhdr) + sizeof(seg))
		return VIRTIO_BLK_S_IOERR;
	iov_copy(out, nout, sizeof(struct virtio_blk_outhdr), &seg, sizeof(seg), false);
	/* §5.2.6.2: UNSUPP for unknown flags, and for unmap on a discard. */
	if (BROKEN(DWZ_IGNORES_FLAGS))
		known = UINT32_MAX;
	if (seg.flags & ~known)
		return VIRTIO_BLK_S_UNSUPP;
	if (type == VIRTIO_BLK_T_DISCARD && (seg.flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) &&
	    !BROKEN(DISCARD_IGNORES_UNMAP_FLAG))
		return VIRTIO_BLK_S_UNSUPP;
	bytes = (uint64_t)seg.num_sectors * SECTOR;
	if (type == VIRTIO_BLK_T_DISCARD && BROKEN(DISCARD_UNSUPP))
		return VIRTIO_BLK_S_UNSUPP;
	if (g_disk.readonly)
		return VIRTIO_BLK_S_IOERR;
	if (!range_ok(seg.sector, bytes))
		return type == VIRTIO_BLK_T_WRITE_ZEROES && BROKEN(DWZ_PAST_END_OK)
			   ? VIRTIO_BLK_S_OK
			   : VIRTIO_BLK_S_IOERR;
	if (type == VIRTIO_BLK_T_WRITE_ZEROES && BROKEN(WRITE_ZEROES_NOOP))
		return VIRTIO_BLK_S_OK;
	memset(g_disk.data + seg.sector * SECTOR, 0, bytes);
	return VIRTIO_BLK_S_OK;
}

/* GET_ID into the device-writable bytes; returns how many were written. */
static uint32_t blk_get_id(const struct iovec *in, unsigned nin, uint32_t room)
{
	char id[VIRTIO_BLK_ID_BYTES] = BLK_ID;
	uint32_t n = VIRTIO_BLK_ID_BYTES;

	if (BROKEN(GET_ID_UNPADDED)) {
		/* Leaves bytes 12..19 as the driver had them. */
		memcpy(id, BLK_ID_SHORT, sizeof(BLK_ID_SHORT));
		n = sizeof(BLK_ID_SHORT);
	}
	if (BROKEN(GET_ID_OVERRUN) && nin && room < VIRTIO_BLK_ID_BYTES) {
		/* The whole id at the buffer's address, whatever its length. */
		memcpy(in[0].iov_base, id, VIRTIO_BLK_ID_BYTES);
		return in[0].iov_len < room ? in[0].iov_len : room;
	}
	n = room < n ? room : n;
	iov_copy(in, nin, 0, id, n, true);
	return n;
}

/* rejects-odd-layout: the layout a device that assumes its framing wants
 * (§2.7.4.1 forbids the assumption): header alone in the first descriptor,
 * the status byte alone in the last. */
static bool chain_odd(const struct virtq_chain *c)
{
	return c->iov[0].iov_len != sizeof(struct virtio_blk_outhdr) ||
	       c->iov[c->nout + c->nin - 1].iov_len != 1;
}

/* One request (virtio 1.2 §5.2.6); returns the used length. */
static uint32_t blk_request(const struct virtq_chain *c)
{
	const struct iovec *out = c->iov, *in = c->iov + c->nout;
	struct virtio_blk_outhdr hdr;
	uint8_t status = VIRTIO_BLK_S_OK;
	uint32_t data, written = 0;

	if (c->out_len < sizeof(hdr) || c->in_len < 1)
		return 0;
	iov_copy(out, c->nout, 0, &hdr, sizeof(hdr), false);
	if (BROKEN(REJECTS_ODD_LAYOUT) && chain_odd(c))
		hdr.type = UINT32_MAX; /* answered below as if it were unknown */
	if (BROKEN(NO_DATA_IOERR) &&
	    (hdr.type == VIRTIO_BLK_T_IN || hdr.type == VIRTIO_BLK_T_OUT) && c->in_len == 1 &&
	    c->out_len == sizeof(hdr))
		hdr.type = UINT32_MAX - 1;
	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
		data = c->in_len - 1;
		if (data % SECTOR) {
			status = BROKEN(PARTIAL_READ_OK) ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
			break;
		}
		if (!range_ok(hdr.sector, data)) {
			/* wrong-status: out of range only, so no other case fails. */
			status = BROKEN(WRONG_STATUS) ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
			break;
		}
		iov_copy(in, c->nin, 0, g_disk.data + hdr.sector * SECTOR, data, true);
		written = data;
		break;
	case VIRTIO_BLK_T_OUT:
		data = c->out_len - sizeof(hdr);
		if ((g_disk.readonly && !BROKEN(IGNORE_READONLY)) || data % SECTOR) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		if (!range_ok(hdr.sector, data)) {
			status = BROKEN(WRITE_PAST_END_OK) ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
			break;
		}
		if (BROKEN(DROPS_FIRST_BLOCK_WRITE) && hdr.sector == 0 && data)
			break;
		if (BROKEN(DROPS_LAST_BLOCK_WRITE) && hdr.sector * SECTOR + data == g_disk.bytes &&
		    data)
			break;
		if (BROKEN(TRUNCATES_LARGE_WRITES) && data > LARGE_WRITE)
			data = LARGE_WRITE;
		iov_copy(out, c->nout, sizeof(hdr), g_disk.data + hdr.sector * SECTOR, data, false);
		break;
	case VIRTIO_BLK_T_FLUSH:
		/* §2.2: without the feature, FLUSH is an unknown request. */
		if (BROKEN(FLUSH_UNSUPP) ||
		    (!negotiated(VIRTIO_BLK_F_FLUSH) && !BROKEN(FLUSH_WITHOUT_FEATURE)))
			status = VIRTIO_BLK_S_UNSUPP;
		break;
	case VIRTIO_BLK_T_GET_ID:
		written = blk_get_id(in, c->nin, c->in_len - 1);
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		status = blk_dwz(hdr.type, out, c->nout, c->out_len);
		break;
	case UINT32_MAX:     /* rejects-odd-layout */
	case UINT32_MAX - 1: /* no-data-ioerr */
		status = VIRTIO_BLK_S_IOERR;
		break;
	default:
		status = BROKEN(UNKNOWN_TYPE_OK) ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_UNSUPP;
		break;
	}
	iov_copy(in, c->nin, c->in_len - 1, &status, 1, true);
	if (BROKEN(NO_USED_LEN))
		return 0;
	if (BROKEN(USED_LEN_SHORT) && hdr.type == VIRTIO_BLK_T_IN)
		return written;
	if (BROKEN(USED_LEN_LONG))
		return c->in_len + 1;
	return written + 1;
}

/* §2.7.7.2, or the switch that breaks it. quiet: the ring's
 * no-event-idx-notify state. */
static bool ring_should_notify(struct virtq_dev *vq, bool *quiet)
{
	bool event_idx = negotiated(VIRTIO_RING_F_EVENT_IDX);

	if (BROKEN(NOTIFY_ALWAYS))
		return true;
	if (!event_idx && BROKEN(NO_NOTIFY_WITHOUT_EVENT_IDX))
		return false;
	if (event_idx && BROKEN(NO_EVENT_IDX_NOTIFY)) {
		/* Takes a used_event past the entries written so far for
		 * "interrupts off" and stops notifying until the ring restarts. A
		 * driver that only ever asks for the next entry never meets it. */
		uint16_t ev =
		    __atomic_load_n(virtq_used_event(vq->avail, vq->num), __ATOMIC_ACQUIRE);
		uint16_t ahead = ev - vq->used_idx;

		if (ahead && ahead < 0x8000)
			*quiet = true;
		if (*quiet) {
			(void)virtq_dev_need_notify(vq); /* keeps lib/virtio's record */
			return false;
		}
	}
	return virtq_dev_need_notify(vq);
}

/* Runs up to BATCH requests of one ring; returns how many. call_fd: the
 * eventfd to signal, or -1. */
static unsigned ring_run(struct virtq_dev *vq, int call_fd, bool *quiet)
{
	static struct iovec iov[MAX_IOV];
	unsigned n = 0;

	while (n < BATCH) {
		struct virtq_chain c = {.iov = iov, .max_iov = MAX_IOV};
		int ret = virtq_dev_pop(vq, &c);
		uint32_t len = 0;

		if (ret == -EAGAIN)
			break;
		if (ret == -EIO)
			return n; /* broken ring: logged by lib/virtio, nothing more to do */
		if (ret == 0)
			len = blk_request(&c);
		virtq_dev_push(vq, c.head, len);
		n++;
	}
	if (n && call_fd >= 0 && ring_should_notify(vq, quiet))
		(void)eventfd_write(call_fd, 1);
	return n;
}

unsigned disk_poll(void)
{
	unsigned busy = 0;

	for (unsigned i = 0; i < VHOST_MAX_QUEUES; i++) {
		struct ring *r = &g_disk.rings[i];

		if (r->vring && !(i > 0 && BROKEN(SERVES_FIRST_QUEUE_ONLY))) {
			unsigned n = ring_run(&r->vring->vq, r->vring->call_fd, &r->quiet);

			busy += n;
			/* Before sleeping: ask for a kick, then look once more (§2.7.10). */
			if (!n) {
				virtq_dev_set_kick(&r->vring->vq, true);
				if (virtq_dev_has_work(&r->vring->vq))
					busy++;
			}
		}
		if (r->zombie_live)
			busy += ring_run(&r->zombie, r->zombie_call, &r->quiet);
	}
	return busy;
}

static void zombie_drop(struct ring *r)
{
	r->zombie_live = false;
	if (r->zombie_call >= 0)
		close(r->zombie_call);
	r->zombie_call = -1;
}

void disk_zombies_drop(void)
{
	for (unsigned i = 0; i < VHOST_MAX_QUEUES; i++)
		zombie_drop(&g_disk.rings[i]);
}

static uint64_t dev_get_features(void *ctx)
{
	uint64_t f = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC) |
		     VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
		     VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_MQ) |
		     VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) | VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);

	(void)ctx;
	if (g_disk.readonly)
		f |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
	if (!BROKEN(NO_FLUSH) && !BROKEN(FLUSH_WITHOUT_FEATURE))
		f |= VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
	return f;
}

static int dev_set_features(void *ctx, uint64_t features)
{
	(void)ctx;
	g_disk.features = features;
	return 0;
}

int disk_get_config(void *ctx, uint8_t *buf, uint32_t offset, uint32_t len)
{
	struct virtio_blk_config cfg = {
	    .capacity = g_disk.bytes / SECTOR,
	    .seg_max = SEG_MAX,
	    .blk_size = SECTOR,
	    .num_queues = g_disk.queues,
	    .max_discard_sectors = UINT32_MAX,
	    .max_discard_seg = 1,
	    .discard_sector_alignment = 1,
	    .max_write_zeroes_sectors = UINT32_MAX,
	    .max_write_zeroes_seg = 1,
	    .write_zeroes_may_unmap = 1,
	};

	(void)ctx;
	if (BROKEN(CONFIG_PADDING_DIRTY)) {
		cfg.unused0 = 0xa5;
		memset(cfg.unused1, 0xa5, sizeof(cfg.unused1));
	}
	memset(buf, 0, len);
	if (offset < sizeof(cfg))
		memcpy(buf, (uint8_t *)&cfg + offset,
		       len < sizeof(cfg) - offset ? len : sizeof(cfg) - offset);
	return 0;
}

static int dev_ring_start(void *ctx, struct vhost_vring *vring)
{
	struct ring *r = &g_disk.rings[vring->index];

	(void)ctx;
	zombie_drop(r);
	r->quiet = false;
	r->vring = vring;
	return 0;
}

static void dev_ring_stop(void *ctx, struct vhost_vring *vring)
{
	struct ring *r = &g_disk.rings[vring->index];

	(void)ctx;
	if (BROKEN(KEEPS_RING_RUNNING)) {
		/* A dup: lib/vhost may close or replace its call fd meanwhile. */
		zombie_drop(r);
		r->zombie = vring->vq;
		r->zombie_call = vring->call_fd >= 0 ? dup(vring->call_fd) : -1;
		r->zombie_live = true;
	}
	r->vring = NULL;
}

static void dev_disconnected(void *ctx)
{
	(void)ctx;
	disk_zombies_drop();
	g_disk.features = 0;
}

const struct vhost_dev_ops g_disk_ops = {
    .get_features = dev_get_features,
    .set_features = dev_set_features,
    .get_config = disk_get_config,
    .ring_start = dev_ring_start,
    .ring_stop = dev_ring_stop,
    .disconnected = dev_disconnected,
};

int disk_init(const struct disk_opts *o)
{
	g_disk.bytes = o->bytes;
	g_disk.queues = o->queues;
	g_disk.readonly = o->readonly;
	for (unsigned i = 0; i < VHOST_MAX_QUEUES; i++)
		g_disk.rings[i].zombie_call = -1;
	g_disk.data = calloc(1, g_disk.bytes);
	return g_disk.data ? 0 : -ENOMEM;
}

void disk_fini(void)
{
	disk_zombies_drop();
	free(g_disk.data);
	g_disk.data = NULL;
}
