/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user-scsi request queues (virtio 1.2 §5.6.6.1) on the queue
 * engine: each chain is a command request header, data-out, the response
 * header, data-in. The CDB is decoded by lib/scsi; what moves data goes to
 * the LUN's bdev in place (zero copy), what is emulated is answered at
 * once. Also the plumbing every ring kind of the controller shares: start,
 * stop, fd swap, the dirty-logged push.
 */
#define LOG_COMPONENT "vhost-scsi"
#include "target/frontend/vhost_scsi_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "spec/scsi.h"
#include "util/common.h"
#include "util/iov.h"
#include "util/log.h"
#include "vhost/vhost_log.h"

/* The fixed part of the response header, before the sense bytes (§5.6.6.1). */
#define RESP_FIXED offsetof(struct virtio_scsi_cmd_resp, sense)
/* The command request header before its CDB (§5.6.6.1, no T10 PI). */
#define REQ_FIXED offsetof(struct virtio_scsi_cmd_req, cdb)
_Static_assert(SCSI_DEV_SENSE_MAX <= VIRTIO_SCSI_SENSE_DEFAULT, "our sense fits the response");

/* Dirty logging (vhost-user.rst "Migration"), as vhost-blk: what the
 * request wrote and the used entry are marked before the push makes the
 * completion visible, the used entry again after it (the front-end clears
 * the log while rings run). */
__attribute__((noinline, cold)) static void push_logged(struct vhost_scsi_queue *q,
							const struct iovec *written, unsigned n,
							uint16_t head, uint32_t len)
{
	struct vhost_vring *v = q->vring;

	vhost_vring_log_iov(v, written, n);
	vhost_vring_log_used_entry(v, v->vq.used_idx);
	virtq_dev_push(&v->vq, head, len);
	vhost_vring_log_used_entry(v, (uint16_t)(v->vq.used_idx - 1));
}

void vhost_scsi_push(struct vhost_scsi_queue *q, const struct iovec *written, unsigned n,
		     uint16_t head, uint32_t len)
{
	struct vhost_vring *v = q->vring;
	bool tracking = vhost_vring_tracking(v);

	/* "Inflight I/O tracking", "When supplying used buffers": head is the
	 * last batch before the used idx moves, unmarked after it, so that a
	 * crash between the two is repaired by the next start. */
	if (unlikely(tracking))
		vhost_vring_inflight_put_begin(v, head);
	if (vhost_vring_logging(v))
		push_logged(q, written, n, head, len);
	else
		virtq_dev_push(&v->vq, head, len);
	if (unlikely(tracking))
		vhost_vring_inflight_put_end(v, head);
	qe_completed(&q->qe);
}

void vhost_scsi_push_malformed(struct vhost_scsi_queue *q, uint16_t head)
{
	vhost_scsi_push(q, NULL, 0, head, 0);
	vhost_ring_stat_add(&q->counters.malformed, 1);
}

void vhost_scsi_queue_break(struct vhost_scsi_queue *q, int rc)
{
	log_err("%s queue %u: ring broken (%s): no more requests until the front-end resets it",
		q->qe.owner, q->qe.index, strerror(-rc));
	qe_queue_break(&q->qe);
}

/* ---- Flush before a stop ---- */

static void flush_done(struct bdev_io *bio, int status, void *arg)
{
	struct vhost_scsi_io *io = arg;

	if (status)
		vhost_scsi_queue_warn(io->q, "flush of bdev %s before the ring stops failed: %s",
				      bdev_channel_bdev(bio->ch)->name, strerror(-status));
	qe_slot_put(&io->q->qe, io);
}

/* The last command completed: each LUN with a volatile cache this queue
 * wrote through is flushed, one slot each, so the stop (which waits for
 * every slot) is answered once what the guest wrote is stable. */
static void flush_all(struct vhost_scsi_queue *q)
{
	q->flush_on_drain = false;
	for (unsigned i = 0; i < VHOST_SCSI_SLOTS && qe_slot_available(&q->qe); i++) {
		struct vhost_scsi_qlun *ql = &q->qluns[i];
		struct vhost_scsi_io *io;

		if (!ql->ch || !ql->lun->sl.props.write_cache)
			continue;
		io = qe_slot_next(&q->qe);
		qe_slot_take(&q->qe);
		io->bio = (struct bdev_io){.type = BDEV_IO_FLUSH, .cb = flush_done, .cb_arg = io};
		if (bdev_submit(ql->ch, &io->bio) != 0) {
			vhost_scsi_queue_warn(q, "bdev %s refused the flush before the ring stops",
					      ql->lun->bdev->name);
			qe_slot_put(&q->qe, io);
		}
	}
}

/* On the reactor, before the stop message: no new command from here on;
 * the flush follows the last one in flight. */
static void flush_arm(struct qe_queue *qe, void *arg)
{
	struct vhost_scsi_queue *q = arg;

	(void)qe;
	if (!q->qe.slots)
		return; /* never set up: nothing was written */
	q->flush_on_drain = true;
	if (q->qe.nfree == q->qe.nslots)
		flush_all(q);
}

static void flush_armed(void *arg)
{
	struct vhost_scsi_queue *q = arg;

	vhost_ring_stop(&q->ctl, &q->qe, q->vring, q->flush_stopped);
}

void vhost_scsi_queue_stop_flushed(struct vhost_scsi_queue *q, vhost_ring_done_fn stopped)
{
	q->flush_stopped = stopped;
	q->flush_x = (struct qe_exec){.fn = flush_arm, .done = flush_armed, .arg = q};
	qe_queue_exec(&q->qe, &q->flush_x);
}

/* ---- Answers ---- */

/* The answer's push while dirty logging: what it wrote (the response, and
 * xfer bytes of data-in) is marked. Kept off the answer's path, which has
 * no list to build otherwise. */
__attribute__((noinline, cold)) static void
answer_push_logged(struct vhost_scsi_queue *q, const struct vhost_scsi_io *io, uint32_t xfer)
{
	struct iovec written[VHOST_SCSI_RESP_IOV + VHOST_SCSI_IOV_MAX];
	unsigned n = io->nresp;

	memcpy(written, io->resp_iov, sizeof(io->resp_iov[0]) * io->nresp);
	if (xfer) {
		memcpy(written + n, io->data_iov, sizeof(*io->data_iov) * io->data_iovcnt);
		n += io->data_iovcnt;
	}
	vhost_scsi_push(q, written, n, io->head, io->resp_len + xfer);
}

/* The response header's fields, stored one by one where they go: a copy
 * of a header built on the stack would read back, 8 bytes at a time, what
 * was just stored 1 to 4 bytes at a time, which the CPU cannot forward
 * from its store buffer (a stall on every answer). */
static void resp_write(struct virtio_scsi_cmd_resp *r, uint32_t sense_len, uint32_t resid,
		       uint8_t status, uint8_t response, const uint8_t *sense)
{
	r->sense_len = sense_len;
	r->resid = resid;
	r->status_qualifier = 0;
	r->status = status;
	r->response = response;
	if (sense_len)
		memcpy(r->sense, sense, sense_len);
}

/*
 * The command is over: the response header (§5.6.6.1) goes into the chain,
 * the used entry back, the slot is free. xfer: data-in bytes written. A
 * command a TMF ended answers what the TMF says (§5.6.6.2: ABORTED or
 * RESET) and lets the TMF complete once it was the last.
 */
static void io_answer(struct vhost_scsi_queue *q, struct vhost_scsi_io *io, uint8_t response,
		      uint32_t xfer)
{
	struct vhost_scsi_tmf *tmf = io->tmf;
	uint32_t sense_len = 0, moved = 0;
	uint8_t status;

	if (tmf) {
		response = io->tmf_response;
		xfer = 0;
	}
	/* §5.6.6.1: sense_len is what was written, at most sense_size */
	if (response == VIRTIO_SCSI_S_OK && io->task.status == SCSI_STATUS_CHECK_CONDITION)
		sense_len = MIN((uint32_t)io->task.sense_len, q->sense_size);
	/* §5.6.6.1: "residual ... calculated as data_length -
	 * number_of_transferred_bytes": data-in written, or the data-out a
	 * command that succeeded took */
	if (response == VIRTIO_SCSI_S_OK && io->task.status == SCSI_STATUS_GOOD)
		moved = xfer + io->out_moved;
	status = response == VIRTIO_SCSI_S_OK ? io->task.status : 0;
	/* carve_response: one buffer holds all we write, the usual layout */
	if (likely(io->nresp == 1)) {
		resp_write(io->resp_iov[0].iov_base, sense_len,
			   io->data_len - MIN(moved, io->data_len), status, response, io->task.sense);
	} else {
		struct virtio_scsi_cmd_resp r;

		resp_write(&r, sense_len, io->data_len - MIN(moved, io->data_len), status,
			   response, io->task.sense);
		iov_copy_in(io->resp_iov, io->nresp, &r, RESP_FIXED + sense_len);
	}
	if (unlikely(vhost_vring_logging(q->vring)))
		answer_push_logged(q, io, xfer);
	else
		vhost_scsi_push(q, NULL, 0, io->head, io->resp_len + xfer);
	if (response != VIRTIO_SCSI_S_OK || status != SCSI_STATUS_GOOD)
		vhost_ring_stat_add(&q->counters.errors, 1);
	else if (io->task.op == SCSI_DEV_OP_READ)
		vhost_ring_stat_add(&q->counters.bytes_read, xfer);
	else if (io->task.op == SCSI_DEV_OP_WRITE)
		vhost_ring_stat_add(&q->counters.bytes_written, io->task.xfer_len);
	io->busy = false;
	io->tmf = NULL;
	qe_slot_put(&q->qe, io);
	if (unlikely(q->flush_on_drain) && q->qe.nfree == q->qe.nslots)
		flush_all(q);
	if (tmf)
		vhost_scsi_tmf_put(tmf);
}

static void io_check(struct vhost_scsi_queue *q, struct vhost_scsi_io *io, uint8_t key,
		     uint16_t asc)
{
	scsi_task_set_check(&io->task, io->desc_sense, key, asc);
	io_answer(q, io, VIRTIO_SCSI_S_OK, 0);
}

/* ---- bdev steps ---- */

static void io_done(struct bdev_io *bio, int status, void *arg);

static int io_submit(struct vhost_scsi_io *io, enum bdev_io_type type, uint64_t lba, uint64_t n,
		     struct iovec *iov, unsigned iovcnt)
{
	struct bdev_io *bio = &io->bio;

	bio->type = type;
	bio->offset_blocks = lba;
	bio->num_blocks = n;
	bio->iov = iov;
	bio->iovcnt = (int)iovcnt;
	bio->cb = io_done;
	bio->cb_arg = io;
	return bdev_submit(io->ch, bio);
}

/* WRITE SAME of a block that is not zeroes (or without a way to write
 * zeroes): the block written over and over, as many times per bdev write
 * as iovecs allow, all pointing at the one data-out block. */
static int ws_write_next(struct vhost_scsi_io *io)
{
	struct scsi_task *t = &io->task;
	uint32_t bs = (uint32_t)io->data_iov[0].iov_len;
	void *block = io->data_iov[0].iov_base;
	uint32_t n = MIN(t->num_blocks, (uint32_t)VHOST_SCSI_IOV_MAX - 1);
	uint64_t lba = t->lba;

	n = MIN(n, t->xfer_len); /* xfer_len: blocks one write may carry */
	for (uint32_t i = 0; i < n; i++)
		io->iov[i] = (struct iovec){.iov_base = block, .iov_len = bs};
	t->lba += n;
	t->num_blocks -= n;
	return io_submit(io, BDEV_IO_WRITE, lba, n, io->iov, n);
}

/* What WRITE SAME does with its block (enum: the step machine's mode). */
enum ws_mode {
	WS_UNMAP,
	WS_ZEROES,
	WS_WRITE,
};

/*
 * Submits the next bdev I/O of a command: its transfer and, for a FUA write
 * on a LUN with a volatile cache, a flush (SBC-4 §5.40: FUA, the write is
 * on the medium before GOOD); UNMAP's ranges one after another; WRITE
 * SAME's writes. 0: one submitted; 1: the command is done; or a negative
 * errno from bdev_submit.
 */
static int io_next(struct vhost_scsi_io *io)
{
	struct scsi_task *t = &io->task;
	uint16_t step = io->step++;

	switch (t->op) {
	case SCSI_DEV_OP_READ:
		return step == 0 ? io_submit(io, BDEV_IO_READ, t->lba, t->num_blocks, io->data_iov,
					     io->data_iovcnt)
				 : 1;
	case SCSI_DEV_OP_WRITE:
		if (step == 0)
			return io_submit(io, BDEV_IO_WRITE, t->lba, t->num_blocks, io->data_iov,
					 io->data_iovcnt);
		if (step == 1 && t->fua)
			return io_submit(io, BDEV_IO_FLUSH, 0, 0, NULL, 0);
		return 1;
	case SCSI_DEV_OP_FLUSH:
		return step == 0 ? io_submit(io, BDEV_IO_FLUSH, 0, 0, NULL, 0) : 1;
	case SCSI_DEV_OP_UNMAP:
		if (step < io->nranges)
			return io_submit(io, BDEV_IO_UNMAP, io->ranges[step].lba,
					 io->ranges[step].num_blocks, NULL, 0);
		return 1;
	case SCSI_DEV_OP_WRITE_SAME:
		if (io->nranges != WS_WRITE)
			return step == 0 ? io_submit(io,
						     io->nranges == WS_UNMAP ? BDEV_IO_UNMAP
									     : BDEV_IO_WRITE_ZEROES,
						     t->lba, t->num_blocks, NULL, 0)
					 : 1;
		return t->num_blocks ? ws_write_next(io) : 1;
	default:
		return 1;
	}
}

/* SBC-4 §4.17 / SPC-5 §4.4: what a failed medium access reports. */
static void io_failed(struct vhost_scsi_queue *q, struct vhost_scsi_io *io, int status)
{
	const struct bdev_io *bio = &io->bio;

	vhost_scsi_queue_warn(
	    q,
	    "target %u lun %u opcode 0x%02x: bdev %s I/O type %d of blocks %" PRIu64 "+%" PRIu64
	    " failed: %s",
	    io->target, io->lun, io->task.opcode, bdev_channel_bdev(io->ch)->name, (int)bio->type,
	    bio->offset_blocks, bio->num_blocks, strerror(-status));
	if (status == -ECANCELED) {
		/* taken back by a reset we did not order for it */
		io_answer(q, io, VIRTIO_SCSI_S_ABORTED, 0);
		return;
	}
	if (bio->type == BDEV_IO_READ)
		io_check(q, io, SCSI_SK_MEDIUM_ERROR, SCSI_ASC_UNRECOVERED_READ_ERROR);
	else if (bio->type == BDEV_IO_WRITE)
		io_check(q, io, SCSI_SK_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR);
	else
		io_check(q, io, SCSI_SK_HARDWARE_ERROR, SCSI_ASC_INTERNAL_TARGET_FAILURE);
}

static void io_done(struct bdev_io *bio, int status, void *arg)
{
	struct vhost_scsi_io *io = arg;
	struct vhost_scsi_queue *q = io->q;
	int rc;

	(void)bio;
	/* §5.6.6.2: a command a TMF selected ends with the TMF's response,
	 * whatever its I/O did. */
	if (io->tmf) {
		io_answer(q, io, VIRTIO_SCSI_S_OK, 0);
		return;
	}
	if (status == 0) {
		rc = io_next(io);
		if (rc == 0)
			return;
		if (rc == 1) {
			io_answer(q, io, VIRTIO_SCSI_S_OK,
				  io->task.op == SCSI_DEV_OP_READ ? io->task.xfer_len : 0);
			return;
		}
		status = rc;
	}
	io_failed(q, io, status);
}

/* ---- Starting a command ---- */

/* iov_skip, without a call when the first buffer is exactly what is
 * skipped (a header or response in a descriptor of its own: the usual
 * layout). */
static inline void skip(struct iovec **iov, unsigned *cnt, size_t n)
{
	if (likely(*cnt && (*iov)->iov_len == n)) {
		(*iov)++;
		(*cnt)--;
		return;
	}
	iov_skip(iov, cnt, n);
}

/* iov_truncate, without a call when the first buffer is the transfer (one
 * data buffer of the command's size: the usual layout). */
static inline void trim(struct iovec *iov, unsigned *cnt, size_t len)
{
	if (likely(*cnt && iov->iov_len == len && len)) {
		*cnt = 1;
		return;
	}
	iov_truncate(iov, cnt, len);
}

/* §5.6.6.1: the response header lies at the start of the writable part; its
 * first bytes (up to the sense data we write) are kept in resp_iov, and the
 * data-in buffer follows at resp_len. false if the chain cannot hold it. */
static bool carve_response(struct vhost_scsi_queue *q, struct vhost_scsi_io *io, struct iovec *in,
			   unsigned nin, uint32_t in_len)
{
	size_t want = MIN((size_t)io->resp_len, RESP_FIXED + SCSI_DEV_SENSE_MAX);
	size_t got = 0;

	io->nresp = 0;
	for (unsigned i = 0; i < nin && got < want; i++) {
		if (io->nresp == VHOST_SCSI_RESP_IOV) {
			vhost_scsi_queue_warn(q,
					      "chain %u: virtio 1.2 §2.6.4: a response header over "
					      "more than %d buffers is not supported",
					      io->head, VHOST_SCSI_RESP_IOV);
			return false;
		}
		io->resp_iov[io->nresp] = in[i];
		io->resp_iov[io->nresp].iov_len = MIN(in[i].iov_len, want - got);
		got += io->resp_iov[io->nresp++].iov_len;
	}
	io->in_len = in_len - io->resp_len;
	return true;
}

/* The LUN field (§5.6.6.1): "first byte set to 1, second byte set to
 * target, third and fourth byte representing a single level LUN structure,
 * followed by four zero bytes". false: no such target (BAD_TARGET); *lun
 * VHOST_SCSI_MAX_LUNS when the target has no LUN at that address. *found:
 * the LUN, or NULL. */
static bool decode_lun(struct vhost_scsi_queue *q, const uint8_t f[8], uint8_t *target,
		       uint8_t *lun, struct vhost_scsi_lun **found)
{
	static const uint8_t zero[6];
	unsigned id;

	*found = NULL;
	/* §5.6.6.1: "0xC1, 0x01 and six zero bytes" addresses the REPORT LUNS
	 * well-known logical unit, which the device "SHOULD implement". The
	 * form names no target: it answers for the lowest-numbered target, as
	 * a LUN that target does not have (scsi_dev_exec: REPORT LUNS and
	 * REQUEST SENSE answer; INQUIRY says no logical unit is connected). */
	if (f[0] == VIRTIO_SCSI_WLUN_REPORT_LUNS_0 && f[1] == VIRTIO_SCSI_WLUN_REPORT_LUNS_1 &&
	    memcmp(f + 2, zero, sizeof(zero)) == 0) {
		for (id = 0; id < VHOST_SCSI_MAX_TARGETS; id++) {
			if (vhost_scsi_target_luns(q->vs, (uint8_t)id, NULL) == 0)
				continue;
			*target = (uint8_t)id;
			*lun = VHOST_SCSI_MAX_LUNS;
			return true;
		}
		return false;
	}
	if (f[0] != VIRTIO_SCSI_LUN_FIRST || f[1] >= VHOST_SCSI_MAX_TARGETS)
		return false;
	/* SAM-5 §4.7: peripheral (00b, bus 0) or flat space (01b) addressing */
	if ((f[2] & 0xc0) == 0x00 && f[2] == 0)
		id = f[3];
	else if ((f[2] & 0xc0) == VIRTIO_SCSI_LUN_FLAT)
		id = (unsigned)(f[2] & 0x3f) << 8 | f[3];
	else
		id = VHOST_SCSI_MAX_LUNS;
	if (memcmp(f + 4, zero, 4) != 0)
		id = VHOST_SCSI_MAX_LUNS;
	if (id < VHOST_SCSI_MAX_LUNS)
		*found = vhost_scsi_lun_get(q->vs, f[1], id);
	/* A LUN there says its target is; else the target is looked up */
	if (!*found && vhost_scsi_target_luns(q->vs, f[1], NULL) == 0)
		return false;
	*target = f[1];
	*lun = (uint8_t)MIN(id, (unsigned)VHOST_SCSI_MAX_LUNS);
	return true;
}

/* The LUN's channel on this reactor, got on first use. */
static struct bdev_channel *lun_channel(struct vhost_scsi_queue *q,
					const struct vhost_scsi_lun *lun)
{
	struct vhost_scsi_qlun *ql = &q->qluns[lun->target * VHOST_SCSI_MAX_LUNS + lun->id];

	if (ql->lun != lun) {
		if (ql->ch)
			bdev_channel_put(ql->ch);
		ql->ch = bdev_channel_get(lun->bdev);
		ql->lun = ql->ch ? lun : NULL;
	}
	return ql->ch;
}

void vhost_scsi_queue_forget(struct vhost_scsi_queue *q, const struct vhost_scsi_lun *lun)
{
	struct vhost_scsi_qlun *ql = &q->qluns[lun->target * VHOST_SCSI_MAX_LUNS + lun->id];

	if (ql->lun == lun) {
		bdev_channel_put(ql->ch);
		*ql = (struct vhost_scsi_qlun){0};
	}
}

static bool all_zero(const struct iovec *iov, unsigned cnt, size_t len)
{
	for (unsigned i = 0; i < cnt && len; i++) {
		const uint8_t *p = iov[i].iov_base;
		size_t n = MIN(iov[i].iov_len, len);

		for (size_t j = 0; j < n; j++) {
			if (p[j])
				return false;
		}
		len -= n;
	}
	return true;
}

/* WRITE SAME (SBC-4 §5.44): unmap when asked and unmapped blocks read as
 * the zeroes written; write zeroes when the block is zeroes; else write the
 * block, which must then sit in one buffer. false: answered. */
static bool prepare_write_same(struct vhost_scsi_queue *q, struct vhost_scsi_io *io,
			       const struct vhost_scsi_lun *lun)
{
	struct scsi_task *t = &io->task;
	bool zero = t->ws_ndob || all_zero(io->data_iov, io->data_iovcnt, t->xfer_len);

	if (zero && t->ws_unmap && lun->sl.props.unmap_zeroes) {
		io->nranges = WS_UNMAP;
	} else if (zero && lun->sl.props.write_zeroes) {
		io->nranges = WS_ZEROES;
	} else if (!t->ws_ndob && io->data_iov[0].iov_len >= t->xfer_len) {
		io->nranges = WS_WRITE;
		io->data_iov[0].iov_len = t->xfer_len;
		t->xfer_len = lun->ws_blocks; /* blocks one bdev write may carry */
	} else {
		vhost_scsi_queue_warn(q,
				      "chain %u: WRITE SAME of a block split over buffers, or NDOB "
				      "on a bdev that cannot write zeroes: not supported",
				      io->head);
		io_check(q, io, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
		return false;
	}
	return true;
}

/* Moves the data the decoded command needs into place: checks the buffer
 * sizes (§5.6.6.1.1: OVERRUN if the CDB asks for more than the buffers
 * have), trims the data iovecs to the transfer, fetches UNMAP's parameter
 * list. false: answered. */
static bool prepare_data(struct vhost_scsi_queue *q, struct vhost_scsi_io *io,
			 const struct vhost_scsi_lun *lun, uint32_t out_len)
{
	struct scsi_task *t = &io->task;
	bool in = t->op == SCSI_DEV_OP_READ;
	uint32_t have = in ? io->in_len : out_len;

	if (t->op == SCSI_DEV_OP_FLUSH)
		return true;
	if (have < t->xfer_len) {
		vhost_scsi_queue_warn(
		    q,
		    "chain %u opcode 0x%02x: virtio 1.2 §5.6.6.1.1: the CDB moves %u "
		    "bytes, the %s buffer has %u: OVERRUN",
		    io->head, t->opcode, t->xfer_len, in ? "data-in" : "data-out", have);
		io_answer(q, io, VIRTIO_SCSI_S_OVERRUN, 0);
		return false;
	}
	io->data_len = have;
	io->out_moved = in ? 0 : t->xfer_len;
	trim(io->data_iov, &io->data_iovcnt, t->xfer_len);
	if (t->op == SCSI_DEV_OP_UNMAP) {
		uint8_t param[sizeof(struct scsi_unmap_header) +
			      sizeof(struct scsi_unmap_desc) * (SCSI_DEV_UNMAP_DESC_MAX + 1)];
		size_t len = iov_copy_out(io->data_iov, io->data_iovcnt, 0, param, sizeof(param));
		int n = scsi_dev_unmap_parse(&lun->sl, param, len, io->ranges, t);

		if (n < 0) {
			io_answer(q, io, VIRTIO_SCSI_S_OK, 0);
			return false;
		}
		io->nranges = (uint16_t)n;
	} else if (t->op == SCSI_DEV_OP_WRITE_SAME) {
		return prepare_write_same(q, io, lun);
	}
	return true;
}

static void io_start(struct vhost_scsi_queue *q, struct vhost_scsi_io *io,
		     const struct virtq_chain *chain)
{
	uint8_t hdr[REQ_FIXED + VHOST_SCSI_CDB_MAX];
	const struct virtio_scsi_cmd_req *req = (const struct virtio_scsi_cmd_req *)hdr;
	struct iovec *out = io->iov, *in = io->iov + chain->nout;
	unsigned nout = chain->nout, nin = chain->nin;
	uint32_t req_len = REQ_FIXED + q->cdb_size, out_len;
	struct vhost_scsi_lun *lun = NULL;
	uint16_t ids[VHOST_SCSI_MAX_LUNS];
	struct scsi_lun_list list;
	int rc;

	io->head = chain->head;
	io->busy = true;
	io->tmf = NULL;
	io->step = 0;
	io->data_len = 0;
	io->out_moved = 0;
	io->desc_sense = false;
	io->resp_len = RESP_FIXED + q->sense_size;
	/* What io_answer reads of a command answered before its CDB is
	 * decoded; scsi_dev_exec sets the whole task. */
	io->task.op = SCSI_DEV_OP_DONE;
	io->task.opcode = 0;
	io->task.status = SCSI_STATUS_GOOD;
	vhost_ring_stat_add(&q->counters.requests, 1);
	/* §5.6.6.1: the device-writable part starts with the response header;
	 * a chain without room for it cannot be answered. */
	if (chain->in_len < io->resp_len || !carve_response(q, io, in, nin, chain->in_len)) {
		vhost_scsi_queue_warn(
		    q,
		    "chain %u: virtio 1.2 §5.6.6.1: %u writable bytes, the response "
		    "header is %u",
		    chain->head, chain->in_len, io->resp_len);
		io->busy = false;
		vhost_scsi_push_malformed(q, chain->head);
		qe_slot_put(&q->qe, io);
		return;
	}
	skip(&in, &nin, io->resp_len);
	if (chain->out_len < req_len) {
		vhost_scsi_queue_warn(
		    q,
		    "chain %u: virtio 1.2 §5.6.6.1.1: %u readable bytes, the request "
		    "header is %u: FAILURE",
		    chain->head, chain->out_len, req_len);
		io_answer(q, io, VIRTIO_SCSI_S_FAILURE, 0);
		return;
	}
	/* The default CDB size, in one buffer (the usual case): a copy of known
	 * size is a few moves, of any size a call. */
	if (likely(out[0].iov_len >= req_len && q->cdb_size == VIRTIO_SCSI_CDB_DEFAULT))
		memcpy(hdr, out[0].iov_base, REQ_FIXED + VIRTIO_SCSI_CDB_DEFAULT);
	else if (out[0].iov_len >= req_len)
		memcpy(hdr, out[0].iov_base, req_len);
	else
		iov_copy_out(out, nout, 0, hdr, req_len);
	skip(&out, &nout, req_len);
	out_len = chain->out_len - req_len;
	/* §5.6.6.1.1: "if neither dataout nor datain is empty, and the
	 * VIRTIO_SCSI_F_INOUT feature has not been negotiated, the request will
	 * be immediately returned with a response equal to
	 * VIRTIO_SCSI_S_FAILURE." (We do not offer INOUT.) */
	if (out_len && io->in_len) {
		vhost_scsi_queue_warn(
		    q,
		    "chain %u: virtio 1.2 §5.6.6.1.1: data-out and data-in without "
		    "VIRTIO_SCSI_F_INOUT: FAILURE",
		    chain->head);
		io_answer(q, io, VIRTIO_SCSI_S_FAILURE, 0);
		return;
	}
	io->tag = req->id;
	/* §5.6.6.1.1: BAD_TARGET "if the request was never processed because
	 * the target indicated by lun does not exist" */
	if (!decode_lun(q, req->lun, &io->target, &io->lun, &lun)) {
		/* Not a fault: a driver's scan asks every target up to
		 * max_target (Linux does at each boot). */
		log_debug("%s: chain %u: virtio 1.2 §5.6.6.1.1: lun %02x %02x: no such target: "
			  "BAD_TARGET",
			  q->qe.owner, chain->head, req->lun[0], req->lun[1]);
		io_answer(q, io, VIRTIO_SCSI_S_BAD_TARGET, 0);
		return;
	}
	/* scsi_dev_exec: only REPORT LUNS reads the list */
	list.n =
	    req->cdb[0] == SCSI_OP_REPORT_LUNS ? vhost_scsi_target_luns(q->vs, io->target, ids) : 0;
	list.luns = ids;
	io->data_iov = out_len ? out : in;
	io->data_iovcnt = out_len ? nout : nin;
	io->data_len = out_len ? out_len : io->in_len;
	scsi_dev_exec(lun ? &lun->sl : NULL, &list, req->cdb, q->cdb_size, q->data, &io->task);
	if (lun) {
		io->desc_sense = lun->sl.props.descriptor_sense;
		/* FUA on a LUN without a volatile cache: every write is stable */
		io->task.fua = io->task.fua && lun->sl.props.write_cache;
	}
	if (io->task.op == SCSI_DEV_OP_DONE) {
		uint32_t xfer = io->task.xfer_len;

		/* §5.6.6.1.1: OVERRUN if the answer needs more than data-in has */
		if (xfer > io->in_len) {
			vhost_scsi_queue_warn(
			    q,
			    "chain %u opcode 0x%02x: virtio 1.2 §5.6.6.1.1: %u bytes "
			    "of data-in for %u: OVERRUN",
			    chain->head, io->task.opcode, io->in_len, xfer);
			io_answer(q, io, VIRTIO_SCSI_S_OVERRUN, 0);
			return;
		}
		io->data_iov = in;
		io->data_iovcnt = nin;
		io->data_len = io->in_len;
		iov_copy_in(in, nin, q->data, xfer);
		iov_truncate(io->data_iov, &io->data_iovcnt, xfer);
		io_answer(q, io, VIRTIO_SCSI_S_OK, xfer);
		return;
	}
	io->ch = lun_channel(q, lun);
	if (!io->ch) {
		vhost_scsi_queue_warn(q, "target %u lun %u: no channel to bdev %s: TARGET_FAILURE",
				      io->target, io->lun, lun->bdev->name);
		io_answer(q, io, VIRTIO_SCSI_S_TARGET_FAILURE, 0);
		return;
	}
	if (!prepare_data(q, io, lun, out_len))
		return;
	rc = io_next(io);
	if (rc == 1) {
		io_answer(q, io, VIRTIO_SCSI_S_OK, 0);
	} else if (rc < 0) {
		vhost_scsi_queue_warn(q, "chain %u opcode 0x%02x: bdev %s refused the I/O: %s",
				      chain->head, io->task.opcode, lun->bdev->name, strerror(-rc));
		io_check(q, io, SCSI_SK_HARDWARE_ERROR, SCSI_ASC_INTERNAL_TARGET_FAILURE);
	}
}

/* The engine's poll: up to budget chains, while a slot is free; then the
 * channels this batch submitted to run at once, so that a backend that
 * completes at once (null, malloc) is answered in the same iteration. */
static unsigned request_poll(void *ctx, unsigned budget)
{
	struct vhost_scsi_queue *q = ctx;
	struct bdev_channel *touched[QE_BATCH];
	unsigned n, ntouched = 0;
	struct virtq_chain chain;
	int rc;

	if (unlikely(q->flush_on_drain))
		return 0; /* stopping: vhost_scsi_queue_stop_flushed */
	for (n = 0; n < budget && qe_slot_available(&q->qe); n++) {
		struct vhost_scsi_io *io = qe_slot_next(&q->qe);

		chain.iov = io->iov;
		chain.max_iov = ARRAY_SIZE(io->iov);
		rc = vhost_ring_pop_counted(q->vring, &chain, &q->counters.resubmitted);
		if (likely(rc == 0)) {
			qe_slot_take(&q->qe);
			io->ch = NULL;
			io_start(q, io, &chain);
			if (io->busy && io->ch && ntouched < ARRAY_SIZE(touched) &&
			    (ntouched == 0 || touched[ntouched - 1] != io->ch))
				touched[ntouched++] = io->ch;
		} else if (rc == -EAGAIN) {
			break;
		} else if (rc == -EINVAL) {
			vhost_scsi_push_malformed(q, chain.head);
		} else {
			vhost_scsi_queue_break(q, rc);
			break;
		}
	}
	for (unsigned i = 0; i < ntouched; i++)
		bdev_channel_poll(touched[i]);
	return n;
}

/* ---- Engine hooks and plumbing ---- */

void vhost_scsi_queue_notify(void *ctx)
{
	struct vhost_scsi_queue *q = ctx;

	vhost_vring_notify(q->vring);
}

void vhost_scsi_queue_set_interrupt(void *ctx, bool enabled)
{
	struct vhost_scsi_queue *q = ctx;

	vhost_vring_set_kick(q->vring, enabled);
}

static void request_slot_init(void *ctx, void *slot)
{
	struct vhost_scsi_io *io = slot;

	io->q = ctx;
}

void vhost_scsi_queue_started(void *ctx)
{
	struct vhost_scsi_queue *q = ctx;

	q->flush_on_drain = false;
	/* A polling device wants no kicks; the engine arms them again if the
	 * reactor is about to sleep. */
	vhost_vring_set_kick(q->vring, false);
}

/* Every command completed: the channels this reactor got go. */
static void request_quiesced(void *ctx)
{
	struct vhost_scsi_queue *q = ctx;

	for (unsigned i = 0; i < VHOST_SCSI_SLOTS; i++) {
		if (q->qluns[i].ch)
			bdev_channel_put(q->qluns[i].ch);
		q->qluns[i] = (struct vhost_scsi_qlun){0};
	}
}

const struct qe_ops vhost_scsi_request_ops = {
    .name = "vhost-scsi",
    .slot_init = request_slot_init,
    .started = vhost_scsi_queue_started,
    .poll = request_poll,
    .notify = vhost_scsi_queue_notify,
    .set_interrupt = vhost_scsi_queue_set_interrupt,
    .quiesced = request_quiesced,
};

int vhost_scsi_queue_start(struct vhost_scsi_queue *q, const struct qe_ops *ops, size_t slot_size,
			   uint32_t nslots, struct vhost_vring *vring, struct reactor *r,
			   struct evloop *loop)
{
	q->vring = vring;
	q->qe.ops = ops;
	q->qe.ctx = q;
	q->qe.bdevs = NULL;
	q->qe.nbdevs = 0;
	q->qe.slot_size = slot_size;
	q->qe.nslots = MIN(nslots, (uint32_t)vring->vq.num);
	q->qe.wake_fd = vring->kick_fd;
	return qe_queue_start(&q->qe, r, loop);
}

void vhost_scsi_queue_get_stats(const struct vhost_scsi_queue *q,
				struct vhost_scsi_queue_stats *stats)
{
	struct qe_stats qs;

	qe_queue_get_stats(&q->qe, &qs);
	stats->started = qs.started;
	stats->broken = qs.broken;
	stats->core = qs.core;
	stats->inflight = qs.inflight;
	stats->ring_starts = qs.starts;
	stats->ring_stops = qs.stops;
	stats->requests = __atomic_load_n(&q->counters.requests, __ATOMIC_RELAXED);
	stats->bytes_read = __atomic_load_n(&q->counters.bytes_read, __ATOMIC_RELAXED);
	stats->bytes_written = __atomic_load_n(&q->counters.bytes_written, __ATOMIC_RELAXED);
	stats->errors = __atomic_load_n(&q->counters.errors, __ATOMIC_RELAXED);
	stats->malformed = __atomic_load_n(&q->counters.malformed, __ATOMIC_RELAXED);
	stats->resubmitted = __atomic_load_n(&q->counters.resubmitted, __ATOMIC_RELAXED);
}
