/* SPDX-License-Identifier: MIT */
/*
 * bad_backend's device: a RAM disk behind lib/virtio's device queue, with
 * the data-path switches (virtio 1.2 §5.2.6 requests, §2.7.4 / §2.7.5
 * descriptor layouts, §2.7.7.2 notifications, §2.7.8 used lengths, §5.2.5
 * the writeback field) and keeps-ring-running.
 */
#define LOG_COMPONENT "bad_backend"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bad_backend.h"
#include "vhost/vhost_inflight.h"
#include "spec/virtio.h"
#include "spec/virtio_blk.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"
#include "vhost/vhost_log.h"

#define SECTOR	VIRTIO_BLK_SECTOR_SIZE
#define SEG_MAX 128
#define MAX_IOV (SEG_MAX + 8)
#define BATCH	32
/* max_discard_seg and max_write_zeroes_seg (virtio 1.2 §5.2.4). */
#define DWZ_SEG_MAX 8
/* Not a status: the device holds the chain, never uses it, and its ring
 * stops (the *-stalls switches). */
#define S_HOLD 0xff
/* full-ring-stalls: the request pool. */
#define POOL 64
/* short-scatter-list: scatter entries besides one per sector. */
#define SCATTER_SPARE 32
/* unaligned-4k-write-rounded: the sectors of the fast path's pages. */
#define PAGE_SECTORS 8
/* Exactly VIRTIO_BLK_ID_BYTES: a correct device writes no NUL after it. */
#define BLK_ID "storlab-bad-backend0"
/* get-id-unpadded: a shorter id, written with its NUL and nothing after. */
#define BLK_ID_SHORT "storlab-bad"
/* completes-after-base: how long after a stop the requests in hand are
 * used, long enough for a front-end to read the used index after the reply
 * on a loaded machine. */
#define LATE_MS 50
/* used-idx-first: entries a ring uses right before it turns wrong, and how
 * long each entry then lags its index. */
#define USED_IDX_FIRST_AFTER  1000
#define USED_IDX_FIRST_GAP_US 1000
/* truncates-large-writes: what is kept of a larger write. */
#define LARGE_WRITE (128u << 10)

struct ring {
	struct vhost_vring *vring; /* NULL: not running */
	/* keeps-ring-running: the stopped ring's copy and a dup of its call fd */
	struct virtq_dev zombie;
	int zombie_call;
	bool zombie_live;
	int64_t zombie_since; /* when the ring stopped (ms) */
	bool quiet;	      /* no-event-idx-notify: used_event was seen ahead; never notify */
	bool wedged;	      /* a *-stalls switch held a chain: nothing served until restart */
	/* completes-after-base: the chains done in the last run, used in the
	 * next one (after a stop, by the zombie) */
	struct {
		uint16_t head;
		uint32_t len;
	} late[BATCH];
	unsigned nlate;
	unsigned pushed;      /* used entries since the ring started */
	bool started_in_conn; /* used-regress: started on this connection before */
};

struct disk {
	bool logs_writes; /* --logs-writes: offers and keeps the dirty log */
	unsigned conns;	  /* front-end connections so far */
	uint8_t *data;
	bool mapped; /* data is --file's mapping */
	uint64_t bytes;
	uint16_t queues;
	bool readonly;
	uint32_t block_size;
	uint8_t writeback; /* virtio 1.2 §5.2.4, with CONFIG_WCE */
	uint64_t features; /* negotiated */
	struct ring rings[VHOST_MAX_QUEUES];
	uint32_t slow_us; /* --slow-us */
};

static struct disk g_disk;

static bool negotiated(unsigned bit)
{
	return g_disk.features & VIRTIO_BIT(bit);
}

/* completes-after-base, early-vring-base: requests are used a poll late,
 * and those in hand at a stop after the stop was answered. */
static bool uses_late(void)
{
	return BROKEN(COMPLETES_AFTER_BASE) || BROKEN(EARLY_VRING_BASE);
}

/* The ring whose writes are to be logged, if vq is that ring's (not a
 * stopped ring's zombie) and the front-end asked for a log. */
static struct vhost_vring *ring_logging(const struct ring *r, const struct virtq_dev *vq)
{
	return r->vring && vq == &r->vring->vq && vhost_vring_logging(r->vring) ? r->vring : NULL;
}

/* A position in a list of buffers: buffer i, byte off of it. */
struct iov_cur {
	const struct iovec *iov;
	unsigned n, i;
	size_t off;
};

/* The next piece, at most max bytes, in one buffer; false at the end. */
static bool iov_next(struct iov_cur *c, size_t max, uint8_t **p, size_t *k)
{
	while (c->i < c->n && c->off >= c->iov[c->i].iov_len) {
		c->off -= c->iov[c->i].iov_len;
		c->i++;
	}
	if (c->i == c->n || !max)
		return false;
	*p = (uint8_t *)c->iov[c->i].iov_base + c->off;
	*k = MIN(c->iov[c->i].iov_len - c->off, max);
	c->off += *k;
	return true;
}

static void iov_copy(const struct iovec *iov, unsigned n, size_t off, void *buf, size_t len,
		     bool to_iov)
{
	struct iov_cur cur = {.iov = iov, .n = n, .off = off};
	uint8_t *b = buf, *p;
	size_t k;

	for (; iov_next(&cur, len, &p, &k); b += k, len -= k) {
		if (to_iov)
			memcpy(p, b, k);
		else
			memcpy(b, p, k);
	}
}

/* A request's data as the driver split it: len bytes from byte off of
 * iov. Returns the bytes of its first max buffers; *count: how many
 * buffers hold data. */
static uint32_t data_bufs(const struct iovec *iov, unsigned n, size_t off, uint32_t len,
			  unsigned max, unsigned *count)
{
	struct iov_cur cur = {.iov = iov, .n = n, .off = off};
	uint32_t bytes = 0;
	uint8_t *p;
	size_t k;

	*count = 0;
	for (; iov_next(&cur, len, &p, &k); len -= (uint32_t)k) {
		if (++*count <= max)
			bytes += (uint32_t)k;
	}
	return bytes;
}

/* The data bytes of a read or write that the device moves: all of them,
 * unless a scatter-list switch drops some. *status: IOERR when it refuses
 * the request. */
static uint32_t data_moved(const struct iovec *iov, unsigned n, size_t off, uint32_t len,
			   uint8_t *status)
{
	unsigned count, max = UINT32_MAX;
	uint32_t moved;

	if (BROKEN(SHORT_SCATTER_LIST))
		max = len / SECTOR + SCATTER_SPARE;
	if (BROKEN(OVER_SEG_MAX_TRUNCATED))
		max = MIN(max, SEG_MAX);
	moved = data_bufs(iov, n, off, len, max, &count);
	/* seg-max-counts-header: seg_max - 2 data buffers, for header and status. */
	if (BROKEN(SEG_MAX_COUNTS_HEADER) && count > SEG_MAX - 2)
		*status = VIRTIO_BLK_S_IOERR;
	return moved;
}

/* cuts-buffers-at-sectors: a buffer that starts inside a sector and runs
 * past its end is written up to that end only. */
static void write_cut(const struct iovec *iov, unsigned n, size_t off, uint8_t *dst, uint32_t len)
{
	struct iov_cur cur = {.iov = iov, .n = n, .off = off};
	uint32_t pos = 0;
	uint8_t *p;
	size_t k;

	for (; iov_next(&cur, len - pos, &p, &k); pos += (uint32_t)k) {
		size_t keep = k;

		if (pos % SECTOR && pos / SECTOR != (pos + k - 1) / SECTOR)
			keep = SECTOR - pos % SECTOR;
		memcpy(dst + pos, p, keep);
	}
}

static bool range_ok(uint64_t sector, uint64_t bytes)
{
	uint64_t cap = g_disk.bytes / SECTOR;

	return sector <= cap && bytes <= (cap - sector) * SECTOR;
}

/* One DISCARD / WRITE_ZEROES segment's status, before any is done. */
static uint8_t dwz_check(uint32_t type, const struct virtio_blk_discard_write_zeroes *seg)
{
	uint32_t known =
	    BROKEN(DWZ_IGNORES_FLAGS) ? UINT32_MAX : VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;

	/* §5.2.6.2: UNSUPP for unknown flags, and for unmap on a discard. */
	if (seg->flags & ~known)
		return VIRTIO_BLK_S_UNSUPP;
	if (type == VIRTIO_BLK_T_DISCARD && (seg->flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) &&
	    !BROKEN(DISCARD_IGNORES_UNMAP_FLAG))
		return VIRTIO_BLK_S_UNSUPP;
	if (type == VIRTIO_BLK_T_DISCARD && BROKEN(DISCARD_UNSUPP))
		return VIRTIO_BLK_S_UNSUPP;
	/* readonly-zeroes: RO taken as a rule for VIRTIO_BLK_T_OUT only. */
	if (g_disk.readonly && !(BROKEN(READONLY_ZEROES) && type == VIRTIO_BLK_T_WRITE_ZEROES))
		return VIRTIO_BLK_S_IOERR;
	if (!range_ok(seg->sector, (uint64_t)seg->num_sectors * SECTOR))
		return type == VIRTIO_BLK_T_WRITE_ZEROES && BROKEN(DWZ_PAST_END_OK)
			   ? VIRTIO_BLK_S_OK
			   : VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

/* DISCARD / WRITE_ZEROES: up to DWZ_SEG_MAX segments, all checked before
 * any is done. */
static uint8_t blk_dwz(uint32_t type, const struct iovec *out, unsigned nout, uint32_t out_len)
{
	static struct virtio_blk_discard_write_zeroes segs[DWZ_SEG_MAX];
	uint32_t bytes = out_len - sizeof(struct virtio_blk_outhdr);
	unsigned nseg = bytes / sizeof(segs[0]);
	uint8_t status;

	/* §2.2: a request of a feature the driver did not accept is unknown. */
	if (!negotiated(type == VIRTIO_BLK_T_DISCARD ? VIRTIO_BLK_F_DISCARD
						     : VIRTIO_BLK_F_WRITE_ZEROES) &&
	    !BROKEN(DWZ_WITHOUT_FEATURE))
		return VIRTIO_BLK_S_UNSUPP;
	/* §5.2.6.1: whole segments, 1 to max_*_seg of them; else a driver
	 * error (IOERR, §5.2.6), or a stall under the switches. */
	if (bytes % sizeof(segs[0]))
		return BROKEN(PARTIAL_SEGMENT_STALLS) ? S_HOLD : VIRTIO_BLK_S_IOERR;
	if (nseg > DWZ_SEG_MAX)
		return BROKEN(TOO_MANY_SEGS_STALLS) ? S_HOLD : VIRTIO_BLK_S_IOERR;
	if (!nseg)
		return VIRTIO_BLK_S_IOERR;
	iov_copy(out, nout, sizeof(struct virtio_blk_outhdr), segs, bytes, false);
	for (unsigned i = 0; i < nseg; i++) {
		status = dwz_check(type, &segs[i]);
		if (status != VIRTIO_BLK_S_OK)
			return status;
	}
	if (type == VIRTIO_BLK_T_WRITE_ZEROES && BROKEN(WRITE_ZEROES_NOOP))
		return VIRTIO_BLK_S_OK;
	if (type == VIRTIO_BLK_T_WRITE_ZEROES && BROKEN(WZ_FIRST_SEGMENT_ONLY))
		nseg = 1;
	/* wz-zeroes-span: one range from the first segment to the end of the
	 * last (the suites send them in order, so it lies on the disk). */
	if (type == VIRTIO_BLK_T_WRITE_ZEROES && BROKEN(WZ_ZEROES_SPAN) && nseg > 1 &&
	    segs[nseg - 1].sector > segs[0].sector) {
		segs[0].num_sectors =
		    (uint32_t)(segs[nseg - 1].sector + segs[nseg - 1].num_sectors - segs[0].sector);
		nseg = 1;
	}
	for (unsigned i = 0; i < nseg; i++) {
		uint64_t len = (uint64_t)segs[i].num_sectors * SECTOR;

		/* Out of range only under dwz-past-end-ok: OK, nothing done. */
		if (range_ok(segs[i].sector, len))
			memset(g_disk.data + segs[i].sector * SECTOR, 0, len);
	}
	return VIRTIO_BLK_S_OK;
}

/* GET_ID into the device-writable bytes; returns how many were written. */
static uint32_t blk_get_id(const struct iovec *in, unsigned nin, uint32_t room)
{
	char id[VIRTIO_BLK_ID_BYTES] = BLK_ID;
	uint32_t n = VIRTIO_BLK_ID_BYTES;

	if (BROKEN(GET_ID_UNWRITTEN))
		return 0;
	if (BROKEN(GET_ID_UNPADDED) || BROKEN(GET_ID_LEN_COUNTS_UNWRITTEN)) {
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
	/* get-id-first-buffer-only: the rest of a split buffer is not written. */
	if (BROKEN(GET_ID_FIRST_BUFFER_ONLY) && nin)
		n = MIN(n, (uint32_t)in[0].iov_len);
	iov_copy(in, nin, 0, id, n, true);
	/* get-id-len-counts-unwritten: the used length counts them all. */
	return BROKEN(GET_ID_LEN_COUNTS_UNWRITTEN) ? room : n;
}

/* rejects-odd-layout: the layout a device that assumes its framing wants
 * (§2.7.4.1 forbids the assumption): header alone in the first descriptor,
 * the status byte alone in the last. */
static bool chain_odd(const struct virtq_chain *c)
{
	return c->iov[0].iov_len != sizeof(struct virtio_blk_outhdr) ||
	       c->iov[c->nout + c->nin - 1].iov_len != 1;
}

/* rejects-unaligned-to-block: a request that does not start and end on a
 * blk_size boundary (§5.2.5: blk_size is only the optimal unit). */
static bool block_unaligned(uint64_t sector, uint32_t bytes)
{
	return BROKEN(REJECTS_UNALIGNED_TO_BLOCK) &&
	       ((sector * SECTOR) % g_disk.block_size || bytes % g_disk.block_size);
}

/* VIRTIO_BLK_T_IN (§5.2.6): the status; *written: the data bytes. */
static uint8_t blk_read(const struct virtq_chain *c, const struct chain_shape *s, uint64_t sector,
			uint32_t *written)
{
	const size_t hdr = sizeof(struct virtio_blk_outhdr);
	uint32_t data = c->in_len - 1, moved;
	uint8_t status = VIRTIO_BLK_S_OK;

	/* writes-readable-buffers: the read's data goes wherever data
	 * descriptors are, readable ones after the header included. */
	if (BROKEN(WRITES_READABLE_BUFFERS) && c->out_len > hdr &&
	    range_ok(sector, c->out_len - hdr))
		iov_copy(c->iov, c->nout, hdr, g_disk.data + sector * SECTOR, c->out_len - hdr,
			 true);

	if (data % SECTOR)
		return BROKEN(PARTIAL_READ_OK) ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
	/* wrong-status: out of range only, so no other case fails. */
	if (!range_ok(sector, data))
		return BROKEN(WRONG_STATUS) ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
	if (block_unaligned(sector, data))
		return VIRTIO_BLK_S_IOERR;
	moved = data_moved(c->iov + c->nout, c->nin, 0, data, &status);
	if (status != VIRTIO_BLK_S_OK)
		return status;
	if (BROKEN(INDIRECT_READ_UNFILLED) && (s->head_indirect || s->indirect_late))
		moved = 0;
	if (BROKEN(ZERO_LEN_ENDS_DATA))
		moved = MIN(moved, s->in_before_empty);
	iov_copy(c->iov + c->nout, c->nin, 0, g_disk.data + sector * SECTOR, moved, true);
	*written = data;
	return VIRTIO_BLK_S_OK;
}

/* VIRTIO_BLK_T_OUT (§5.2.6, §5.2.6.2 for RO): the status. */
static uint8_t blk_write(const struct virtq_chain *c, const struct chain_shape *s, uint64_t sector)
{
	const size_t hdr = sizeof(struct virtio_blk_outhdr);
	uint32_t data = c->out_len - hdr, moved;
	uint8_t status = VIRTIO_BLK_S_OK, *dst;
	/* readonly-if-negotiated: RO enforced only when the driver accepted it. */
	bool ro = g_disk.readonly && !BROKEN(IGNORE_READONLY) &&
		  !(BROKEN(READONLY_IF_NEGOTIATED) && !negotiated(VIRTIO_BLK_F_RO));

	if (ro || data % SECTOR)
		return VIRTIO_BLK_S_IOERR;
	if (!range_ok(sector, data))
		return BROKEN(WRITE_PAST_END_OK) ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
	if (block_unaligned(sector, data))
		return VIRTIO_BLK_S_IOERR;
	if (BROKEN(DROPS_FIRST_BLOCK_WRITE) && sector == 0 && data)
		return VIRTIO_BLK_S_OK;
	if (BROKEN(INDIRECT_WRITE_DROPPED) && (s->head_indirect || s->indirect_late))
		return VIRTIO_BLK_S_OK;
	if (BROKEN(DROPS_LAST_BLOCK_WRITE) && sector * SECTOR + data == g_disk.bytes && data)
		return VIRTIO_BLK_S_OK;
	if (BROKEN(TRUNCATES_LARGE_WRITES) && data > LARGE_WRITE)
		data = LARGE_WRITE;
	/* unaligned-4k-write-rounded: a fast path for whole pages that loses
	 * the sector's place in its page. */
	if (BROKEN(UNALIGNED_4K_WRITE_ROUNDED) && data && data % (PAGE_SECTORS * SECTOR) == 0)
		sector -= sector % PAGE_SECTORS;
	moved = data_moved(c->iov, c->nout, hdr, data, &status);
	if (status != VIRTIO_BLK_S_OK)
		return status;
	dst = g_disk.data + sector * SECTOR;
	if (BROKEN(CUTS_BUFFERS_AT_SECTORS))
		write_cut(c->iov, c->nout, hdr, dst, moved);
	else
		iov_copy(c->iov, c->nout, hdr, dst, moved, false);
	return VIRTIO_BLK_S_OK;
}

/* One request (virtio 1.2 §5.2.6): *used, its used length; false when the
 * device holds it (S_HOLD: the ring stops). */
static bool blk_request(const struct virtq_chain *c, const struct chain_shape *s, uint32_t *used)
{
	const struct iovec *out = c->iov, *in = c->iov + c->nout;
	struct virtio_blk_outhdr hdr;
	uint8_t status = VIRTIO_BLK_S_OK;
	uint32_t written = 0;

	*used = 0;
	/* §5.2.6: no status byte, or no whole header: nothing to answer, used
	 * len 0; no-status-stalls and short-header-stalls hold the chain. */
	if (c->in_len < 1)
		return !BROKEN(NO_STATUS_STALLS);
	if (c->out_len < sizeof(hdr) && (!c->nout || !BROKEN(SHORT_HEADER_OVERREAD)))
		return !BROKEN(SHORT_HEADER_STALLS);
	/* indirect-at-head-only: the table taken as a readable buffer leaves
	 * the chain without a writable byte. */
	if (BROKEN(INDIRECT_AT_HEAD_ONLY) && s->indirect_late)
		return true;
	iov_copy(out, c->nout, 0, &hdr, sizeof(hdr), false);
	/* short-header-overread: a short header's other bytes from the memory
	 * after its buffer; only a read is served that way. */
	if (c->out_len < sizeof(hdr)) {
		memcpy(&hdr, out[0].iov_base, sizeof(hdr));
		if (hdr.type != VIRTIO_BLK_T_IN)
			hdr.type = UINT32_MAX - 1;
	}
	/* rejects-odd-layout: not the framing it assumes; honours-indirect-
	 * write-flag: the table's buffers all taken as writable, no header. */
	if ((BROKEN(REJECTS_ODD_LAYOUT) && chain_odd(c)) ||
	    (BROKEN(HONOURS_INDIRECT_WRITE_FLAG) && s->head_write))
		hdr.type = UINT32_MAX; /* answered below as if it were unknown */
	if (BROKEN(NO_DATA_IOERR) &&
	    (hdr.type == VIRTIO_BLK_T_IN || hdr.type == VIRTIO_BLK_T_OUT) && c->in_len == 1 &&
	    c->out_len == sizeof(hdr))
		hdr.type = UINT32_MAX - 1;
	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
		status = blk_read(c, s, hdr.sector, &written);
		break;
	case VIRTIO_BLK_T_OUT:
		status = blk_write(c, s, hdr.sector);
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
	case UINT32_MAX:     /* rejects-odd-layout, honours-indirect-write-flag */
	case UINT32_MAX - 1: /* no-data-ioerr, short-header-overread */
		status = VIRTIO_BLK_S_IOERR;
		break;
	default:
		status = BROKEN(UNKNOWN_TYPE_OK) ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_UNSUPP;
		break;
	}
	if (status == S_HOLD)
		return false;
	iov_copy(in, c->nin, c->in_len - 1, &status, 1, true);
	if (BROKEN(NO_USED_LEN))
		*used = 0;
	else if (BROKEN(USED_LEN_SHORT) && hdr.type == VIRTIO_BLK_T_IN)
		*used = written;
	else if (BROKEN(USED_LEN_LONG))
		*used = c->in_len + 1;
	else
		*used = written + 1;
	return true;
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

/*
 * bad-order-writes-readable: a read whose chain has a readable descriptor
 * after a writable one (lib/virtio refuses it), served as by a device that
 * ignores WRITE: the sector's data into every buffer after the header, OK
 * into the last byte. Direct chains only; returns the used length.
 */
static uint32_t bad_order_fill(const struct virtq_dev *vq, uint16_t head)
{
	struct virtio_blk_outhdr hdr;
	struct virtq_desc d = vq->desc[head];
	uint8_t *p = mem_gpa_to_hva(vq->mem, d.addr, d.len);
	uint64_t pos;
	uint32_t used = 0;

	if (!p || d.len != sizeof(hdr))
		return 0;
	memcpy(&hdr, p, sizeof(hdr));
	if (hdr.type != VIRTIO_BLK_T_IN || hdr.sector >= g_disk.bytes / SECTOR)
		return 0;
	pos = hdr.sector * SECTOR;
	for (uint32_t steps = 0;
	     (d.flags & VIRTQ_DESC_F_NEXT) && d.next < vq->num && steps < vq->num; steps++) {
		d = vq->desc[d.next];
		p = mem_gpa_to_hva(vq->mem, d.addr, d.len);
		if (!p || !d.len)
			return used;
		if (!(d.flags & VIRTQ_DESC_F_NEXT)) {
			p[d.len - 1] = VIRTIO_BLK_S_OK;
			return used + d.len;
		}
		memcpy(p, g_disk.data + pos, MIN((uint64_t)d.len, g_disk.bytes - pos));
		pos = MIN(pos + d.len, g_disk.bytes);
		used += d.len;
	}
	return used;
}

/* full-ring-stalls: with more than POOL chains waiting, the pool runs dry
 * and is never refilled: POOL are served, then the ring stops. */
static bool pool_runs_dry(const struct virtq_dev *vq)
{
	uint16_t avail;

	if (!BROKEN(FULL_RING_STALLS))
		return false;
	avail = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	return (uint16_t)(avail - vq->last_avail_idx) > POOL;
}

/* Publishes one used entry. used-idx-first: past the first USED_IDX_FIRST_AFTER
 * entries of a ring (a fast path for busy rings), the index goes first and
 * the entry a while after (§2.7.8.2 asks the opposite). */
/* lose-inflight: the running ring whose requests are tracked in the
 * in-flight buffer (lib/vhost's helpers, as storlab-tgt marks them), or
 * NULL: vq is a zombie, or nothing is tracked. */
static struct vhost_vring *tracked(const struct ring *r, const struct virtq_dev *vq)
{
	return r->vring && vq == &r->vring->vq && vhost_vring_tracking(r->vring) ? r->vring : NULL;
}

static void ring_push(struct ring *r, struct virtq_dev *vq, uint16_t head, uint32_t len)
{
	struct virtq_used_elem *e = &vq->used->ring[vq->used_idx & (vq->num - 1)];
	struct vhost_vring *log = ring_logging(r, vq);
	struct vhost_vring *tv = tracked(r, vq);

	/* vhost-user.rst "Migration": the used ring's writes are marked too
	 * (VHOST_VRING_F_LOG); no-used-log leaves them out. */
	if (log && !BROKEN(NO_USED_LOG))
		vhost_vring_log_used_entry(log, vq->used_idx);
	if (tv) {
		vhost_vring_inflight_put_begin(tv, head);
		virtq_dev_push(vq, head, len);
		vhost_vring_inflight_put_end(tv, head);
		return;
	}
	if (!BROKEN(USED_IDX_FIRST) || r->pushed++ < USED_IDX_FIRST_AFTER) {
		virtq_dev_push(vq, head, len);
		return;
	}
	__atomic_store_n(&vq->used->idx, ++vq->used_idx, __ATOMIC_RELEASE);
	usleep(USED_IDX_FIRST_GAP_US);
	__atomic_store_n(&e->id, head, __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, len, __ATOMIC_RELAXED);
}

/* completes-after-base: uses the chains r's last run did, on vq (the ring,
 * or the zombie of a ring stopped meanwhile); how many. */
static unsigned late_push(struct ring *r, struct virtq_dev *vq)
{
	unsigned n = r->nlate;

	for (unsigned i = 0; i < n; i++)
		ring_push(r, vq, r->late[i].head, r->late[i].len);
	r->nlate = 0;
	return n;
}

/* stalls-at-index-wrap: indexes compared as plain numbers: once avail->idx
 * wrapped past 65535 it looks behind, and the ring looks empty. */
static bool wrapped_out_of_sight(const struct virtq_dev *vq)
{
	return BROKEN(STALLS_AT_INDEX_WRAP) &&
	       __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) < vq->last_avail_idx;
}

/* Serves the chain virtq_dev_pop answered ret (0 or -EINVAL) for: *len, its
 * used length; false when the device holds it (a *-stalls switch). */
static bool chain_serve(struct virtq_dev *vq, struct virtq_chain *c, int ret, uint32_t *len)
{
	struct chain_shape s;

	*len = 0;
	walk_chain_shape(vq, c->head, &s);
	if (ret == -EINVAL) {
		if ((s.bad_order && BROKEN(BAD_ORDER_STALLS)) || (s.loops && BROKEN(LOOP_STALLS)))
			return false;
		if (s.bad_order && BROKEN(BAD_ORDER_WRITES_READABLE)) {
			*len = bad_order_fill(vq, c->head);
			return true;
		}
		/* A careless walk may take it for well-formed (walk.c). */
		return walk_lax_pop(vq, c) ? true : blk_request(c, &s, len);
	}
	/* refuses-buffer-at-memory-end: used len 0, as lib/virtio refuses. */
	if (walk_at_region_end(vq, c))
		return true;
	return blk_request(c, &s, len);
}

/* head-past-table-used: an available entry whose head is past the table
 * is used (id as given, len 0), as by a device that checks head > num. */
static bool head_past_table_used(struct ring *r, struct virtq_dev *vq)
{
	uint16_t head = vq->avail->ring[vq->last_avail_idx & (vq->num - 1)];

	if (!BROKEN(HEAD_PAST_TABLE_USED) || head < vq->num)
		return false;
	vq->last_avail_idx++;
	ring_push(r, vq, head, 0);
	return true;
}

/* full-avail-ring-broken: every entry of the available ring waiting (the
 * index Queue Size ahead) is taken for a broken ring, as by a device that
 * compares with >= where §2.7 allows Queue Size. */
static bool avail_ring_full(const struct virtq_dev *vq)
{
	uint16_t avail = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);

	return BROKEN(FULL_AVAIL_RING_BROKEN) && (uint16_t)(avail - vq->last_avail_idx) == vq->num;
}

static void ring_notify(struct ring *r, struct virtq_dev *vq, int call_fd, unsigned n)
{
	if (n && call_fd >= 0 && ring_should_notify(vq, &r->quiet))
		(void)eventfd_write(call_fd, 1);
}

/* Runs up to BATCH requests (POOL when the pool runs dry) of r's ring vq;
 * returns how many were done. call_fd: the eventfd to signal, or -1.
 * hold: what the last run left to use late stays in hand (early-vring-base). */
static unsigned ring_run(struct ring *r, struct virtq_dev *vq, int call_fd, bool hold)
{
	static struct iovec iov[MAX_IOV];
	bool stop = pool_runs_dry(vq);
	unsigned used = hold ? 0 : late_push(r, vq), n = 0, limit = stop ? POOL : BATCH;

	if (avail_ring_full(vq)) {
		r->wedged = true;
		return used;
	}

	/* --slow-us: one chain a poll, so that a stop finds chains still
	 * available (dev_ring_stop drains them); with lose-inflight the wait is
	 * between the pop and the push instead, so that a kill finds one in
	 * flight. */
	if (g_disk.slow_us) {
		limit = 1;
		if (!tracked(r, vq))
			usleep(g_disk.slow_us);
	}

	while (n < limit && !wrapped_out_of_sight(vq)) {
		struct virtq_chain c = {.iov = iov, .max_iov = MAX_IOV};
		int ret = virtq_dev_pop(vq, &c);
		uint32_t len;

		if (ret == -EAGAIN)
			break;
		if (ret == -EIO && head_past_table_used(r, vq)) {
			used++;
			continue;
		}
		if (ret == -EIO)
			break; /* broken ring: logged by lib/virtio, nothing more to do */
		/* lose-inflight: marked as a tracking device does; on a restart
		 * lib/vhost resumes past it, and the resubmit list it gives is
		 * never read: what was in flight is lost. */
		if (tracked(r, vq)) {
			vhost_vring_inflight_get(r->vring, c.head);
			if (g_disk.slow_us)
				usleep(g_disk.slow_us);
		}
		/* A held chain is never used; the ring stops (a *-stalls switch). */
		if (!chain_serve(vq, &c, ret, &len)) {
			stop = true;
			break;
		}
		/* "Migration": every write into the chain's buffers is marked. */
		if (ring_logging(r, vq))
			vhost_vring_log_iov(r->vring, c.iov + c.nout, c.nin);
		n++;
		if (uses_late() && r->nlate < ARRAY_SIZE(r->late)) {
			r->late[r->nlate].head = c.head;
			r->late[r->nlate++].len = len;
			continue;
		}
		ring_push(r, vq, c.head, len);
		used++;
	}
	if (stop)
		r->wedged = true;
	ring_notify(r, vq, call_fd, used);
	return n + used;
}

/* A stopped ring's memory is about to go, or the ring starts again: its
 * zombie, and what it had left to use, are forgotten. */
static void zombie_drop(struct ring *r)
{
	r->zombie_live = false;
	r->nlate = 0;
	if (r->zombie_call >= 0)
		close(r->zombie_call);
	r->zombie_call = -1;
}

unsigned disk_poll(void)
{
	unsigned busy = 0;

	for (unsigned i = 0; i < VHOST_MAX_QUEUES; i++) {
		struct ring *r = &g_disk.rings[i];

		if (r->vring && !r->wedged && !(i > 0 && BROKEN(SERVES_FIRST_QUEUE_ONLY))) {
			unsigned n = ring_run(r, &r->vring->vq, r->vring->call_fd, false);

			busy += n;
			/* Before sleeping: ask for a kick, then look once more (§2.7.10). */
			if (!n && !r->wedged) {
				if (BROKEN(NO_USED_LOG))
					virtq_dev_set_kick(&r->vring->vq, true);
				else
					vhost_vring_set_kick(r->vring, true);
				if (virtq_dev_has_work(&r->vring->vq))
					busy++;
			}
		}
		/* completes-after-base: the zombie only uses what was done, a
		 * while after the stop (its I/O was still on its way). */
		if (r->zombie_live && uses_late() &&
		    deadline_now_ms() - r->zombie_since >= LATE_MS) {
			unsigned n = late_push(r, &r->zombie);

			ring_notify(r, &r->zombie, r->zombie_call, n);
			zombie_drop(r);
			busy += n;
		} else if (r->zombie_live && !uses_late()) {
			busy += ring_run(r, &r->zombie, r->zombie_call, false);
		}
	}
	return busy;
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
	bool flush =
	    !BROKEN(NO_FLUSH) && !BROKEN(FLUSH_WITHOUT_FEATURE) && !BROKEN(WCE_WITHOUT_FLUSH);

	(void)ctx;
	if (g_disk.readonly)
		f |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
	if (flush)
		f |= VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
	/* §5.2.5.2: CONFIG_WCE only together with FLUSH. */
	if (flush || BROKEN(WCE_WITHOUT_FLUSH))
		f |= VIRTIO_BIT(VIRTIO_BLK_F_CONFIG_WCE);
	return f;
}

static int dev_set_features(void *ctx, uint64_t features)
{
	(void)ctx;
	g_disk.features = features;
	/* §5.2.5.2: with CONFIG_WCE and without FLUSH, writeback starts at 0;
	 * with FLUSH this disk starts in writeback mode, as §5.2.5 has it for a
	 * device without CONFIG_WCE. */
	g_disk.writeback = negotiated(VIRTIO_BLK_F_FLUSH) || BROKEN(WCE_WRITEBACK_ON);
	return 0;
}

/* §5.2.5: with CONFIG_WCE the driver sets the cache mode through writeback
 * (0 writethrough, 1 writeback); every other field is read-only (§5.2.4). */
static int dev_set_config(void *ctx, const uint8_t *buf, uint32_t offset, uint32_t len,
			  uint32_t flags)
{
	(void)ctx;
	(void)flags;
	if (!negotiated(VIRTIO_BLK_F_CONFIG_WCE) ||
	    offset != offsetof(struct virtio_blk_config, writeback) || len != 1 || buf[0] > 1)
		return -EPERM;
	if (!BROKEN(WCE_SET_IGNORED))
		g_disk.writeback = buf[0];
	return 0;
}

int disk_get_config(void *ctx, uint8_t *buf, uint32_t offset, uint32_t len)
{
	struct virtio_blk_config cfg = {
	    .capacity = g_disk.bytes / SECTOR,
	    .seg_max = SEG_MAX,
	    .blk_size = g_disk.block_size,
	    .writeback = g_disk.writeback,
	    .num_queues = g_disk.queues,
	    .max_discard_sectors = UINT32_MAX,
	    .max_discard_seg = DWZ_SEG_MAX,
	    .discard_sector_alignment = g_disk.block_size / SECTOR,
	    .max_write_zeroes_sectors = UINT32_MAX,
	    .max_write_zeroes_seg = DWZ_SEG_MAX,
	    .write_zeroes_may_unmap = 1,
	};

	(void)ctx;
	if (BROKEN(CONFIG_PADDING_DIRTY)) {
		cfg.unused0 = 0xa5;
		memset(cfg.unused1, 0xa5, sizeof(cfg.unused1));
	}
	/* num-queues-plus-one: one queue more than the rings it serves. */
	if (BROKEN(NUM_QUEUES_PLUS_ONE))
		cfg.num_queues++;
	/* blk-size-in-sectors: the block size counted in 512-byte sectors. */
	if (BROKEN(BLK_SIZE_IN_SECTORS))
		cfg.blk_size /= SECTOR;
	/* config-ignores-offset: every read starts at the struct's first byte. */
	if (BROKEN(CONFIG_IGNORES_OFFSET))
		offset = 0;
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
	r->wedged = false;
	r->pushed = 0;
	r->vring = vring;
	/* used-regress: on a later connection, the first start takes the used
	 * index from a stale count of the device's own, half the one in guest
	 * memory (SET_VRING_BASE: the device "is supposed to read the next
	 * index in the Used Ring from the respective vring structure"). */
	if (BROKEN(USED_REGRESS) && g_disk.conns > 1 && !r->started_in_conn)
		vring->vq.used_idx /= 2;
	r->started_in_conn = true;
	return 0;
}

static void dev_ring_stop(void *ctx, struct vhost_vring *vring, vhost_ring_done_fn stopped)
{
	struct ring *r = &g_disk.rings[vring->index];
	unsigned late;

	(void)ctx;
	/* early-vring-base: what is available is taken in hand (done, not yet
	 * used) on the way to the answer, and used only after it. */
	if (BROKEN(EARLY_VRING_BASE) && !r->wedged)
		ring_run(r, &vring->vq, vring->call_fd, true);
	late = r->nlate;
	/* keeps-ring-running, completes-after-base (its requests done and not
	 * yet used go on to the zombie). */
	if (BROKEN(KEEPS_RING_RUNNING) || (uses_late() && late)) {
		/* A dup: lib/vhost may close or replace its call fd meanwhile. */
		zombie_drop(r);
		r->nlate = late;
		r->zombie_since = deadline_now_ms();
		r->zombie = vring->vq;
		r->zombie_call = vring->call_fd >= 0 ? dup(vring->call_fd) : -1;
		r->zombie_live = true;
	}
	/* --slow-us: what is still available is served and used on the way to
	 * the stop, notified as always (§2.7.7.2); drain-unnotified: the
	 * driver is not told. */
	while (g_disk.slow_us && !r->wedged &&
	       ring_run(r, &vring->vq, BROKEN(DRAIN_UNNOTIFIED) ? -1 : vring->call_fd, false))
		;
	r->vring = NULL;
	stopped(vring);
}

static void dev_connected(void *ctx)
{
	(void)ctx;
	g_disk.conns++;
	for (unsigned i = 0; i < VHOST_MAX_QUEUES; i++)
		g_disk.rings[i].started_in_conn = false;
}

static void dev_disconnected(void *ctx)
{
	(void)ctx;
	disk_zombies_drop();
	g_disk.features = 0;
	g_disk.writeback = 0;
}

static struct vhost_dev_ops g_disk_ops = {
    .get_features = dev_get_features,
    .set_features = dev_set_features,
    .get_config = disk_get_config,
    .set_config = dev_set_config,
    .ring_start = dev_ring_start,
    .ring_stop = dev_ring_stop,
    .connected = dev_connected,
    .disconnected = dev_disconnected,
};

const struct vhost_dev_ops *disk_ops(void)
{
	/* --logs-writes: VHOST_F_LOG_ALL and LOG_SHMFD offered (and the writes
	 * marked); lose-inflight: INFLIGHT_SHMFD offered (and its buffer
	 * marked). */
	g_disk_ops.logs_writes = g_disk.logs_writes;
	g_disk_ops.tracks_inflight = BROKEN(LOSE_INFLIGHT);
	return &g_disk_ops;
}

/* --file: extended to the disk's size if shorter, mapped shared. */
static int disk_map_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	struct stat st;
	void *p;
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) ||
	    ((uint64_t)st.st_size < g_disk.bytes && ftruncate(fd, (off_t)g_disk.bytes))) {
		ret = -errno;
		goto out;
	}
	p = mmap(NULL, g_disk.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		ret = -errno;
	else
		g_disk.data = p;
out:
	close(fd);
	return ret;
}

int disk_init(const struct disk_opts *o)
{
	g_disk.bytes = o->bytes;
	g_disk.queues = o->queues;
	g_disk.readonly = o->readonly;
	g_disk.block_size = o->block_size;
	g_disk.slow_us = o->slow_us;
	g_disk.logs_writes = o->logs_writes;
	for (unsigned i = 0; i < VHOST_MAX_QUEUES; i++)
		g_disk.rings[i].zombie_call = -1;
	g_disk.mapped = o->file != NULL;
	if (!o->file) {
		g_disk.data = calloc(1, g_disk.bytes);
		return g_disk.data ? 0 : -ENOMEM;
	}
	return disk_map_file(o->file);
}

void disk_fini(void)
{
	disk_zombies_drop();
	if (g_disk.mapped && g_disk.data)
		munmap(g_disk.data, g_disk.bytes);
	else
		free(g_disk.data);
	g_disk.data = NULL;
}
