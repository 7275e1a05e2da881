/* SPDX-License-Identifier: MIT */
/*
 * bad_scsi's request queues (virtio 1.2 §5.6.6.1): a command is the
 * request header, dataout, the response and datain; lib/scsi's scsi_dev
 * decodes the CDB and answers what it emulates, this file moves the data of
 * READ / WRITE / UNMAP / WRITE SAME to and from the LUN's RAM, and the
 * switches change what comes out.
 */
#include <string.h>

#include "bad_scsi.h"
#include "scsi/scsi_dev_internal.h"
#include "util/common.h"

#define HDR  sizeof(struct virtio_scsi_cmd_req)
#define RESP sizeof(struct virtio_scsi_cmd_resp)
/* The largest READ or WRITE the peer moves (the suite's are 1 MiB at most). */
#define MAX_DATA (4u << 20)

size_t iov_len(const struct iovec *iov, unsigned n)
{
	size_t len = 0;

	for (unsigned i = 0; i < n; i++)
		len += iov[i].iov_len;
	return len;
}

/* Copies len bytes between buf and the iovecs from byte off; to_iov says
 * which way. The bytes copied. */
static size_t iov_move(const struct iovec *iov, unsigned n, size_t off, uint8_t *buf, size_t len,
		       bool to_iov)
{
	size_t done = 0;

	for (unsigned i = 0; i < n && done < len; i++) {
		size_t k;

		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		k = MIN(iov[i].iov_len - off, len - done);
		if (to_iov)
			memcpy((uint8_t *)iov[i].iov_base + off, buf + done, k);
		else
			memcpy(buf + done, (uint8_t *)iov[i].iov_base + off, k);
		done += k;
		off = 0;
	}
	return done;
}

size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t off, void *buf, size_t len)
{
	return iov_move(iov, n, off, buf, len, false);
}

size_t buf_to_iov(const struct iovec *iov, unsigned n, size_t off, const void *buf, size_t len)
{
	return iov_move(iov, n, off, (uint8_t *)buf, len, true);
}

/* One command being served. */
struct cmd {
	uint16_t q;
	const struct iovec *out, *in; /* readable, writable buffers */
	unsigned nout, nin;
	size_t dout_len, din_len; /* past the header and the response */
	struct virtio_scsi_cmd_req req;
	struct virtio_scsi_cmd_resp resp;
	struct scsi_lun *lun;
	uint16_t lun_id;
	uint8_t *ram;
	size_t din_written;
};

static void check(struct cmd *c, uint8_t key, uint16_t asc)
{
	struct scsi_task t;

	scsi_task_set_check(&t, false, key, asc);
	c->resp.status = t.status;
	c->resp.sense_len = t.sense_len;
	memcpy(c->resp.sense, t.sense, t.sense_len);
}

static void good(struct cmd *c)
{
	c->resp.status = SCSI_STATUS_GOOD;
}

static void datain(struct cmd *c, const void *buf, size_t len)
{
	c->din_written = buf_to_iov(c->in, c->nin, RESP, buf, MIN(len, c->din_len));
	c->resp.resid = (uint32_t)(c->din_len - c->din_written);
}

/* READ of t's blocks into datain (§5.6.6.1.1: OVERRUN when it does not
 * fit). */
static void do_read(struct cmd *c, const struct scsi_task *t)
{
	uint32_t bs = c->lun->props.block_size;
	uint64_t lba = t->lba + (BROKEN(READ12_OFF_BY_ONE) && t->opcode == SCSI_OP_READ_12);
	size_t bytes = (size_t)t->num_blocks * bs;

	if (bytes > MAX_DATA) {
		check(c, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
		return;
	}
	if (c->din_len < bytes) {
		if (BROKEN(WRITES_READABLE) && !c->din_len)
			buf_to_iov(c->out, c->nout, HDR, c->ram + lba * bs, bytes);
		if ((BROKEN(OVERRUN_SILENT) && c->din_len) ||
		    (BROKEN(READ_NO_DATAIN_GOOD) && !c->din_len)) {
			datain(c, c->ram + lba * bs, bytes);
			c->resp.resid = 0;
			good(c);
			return;
		}
		c->resp.response = VIRTIO_SCSI_S_OVERRUN;
		return;
	}
	datain(c, c->ram + lba * bs, bytes);
	if (BROKEN(RESID_ZERO_ON_READS))
		c->resp.resid = 0;
	if (BROKEN(RESID_WHEN_FULL) && !c->resp.resid)
		c->resp.resid = bs;
	good(c);
}

static void ram_write(struct cmd *c, uint64_t lba, const uint8_t *src, uint32_t nblocks)
{
	uint32_t bs = c->lun->props.block_size;
	uint64_t last = scsi_lun_num_blocks(c->lun) - 1;

	for (uint32_t b = 0; b < nblocks; b++)
		if (!(BROKEN(LAST_BLOCK_UNWRITABLE) && lba + b == last))
			memcpy(c->ram + (lba + b) * bs, src + (size_t)b * bs, bs);
}

static void do_write(struct cmd *c, const struct scsi_task *t)
{
	static uint8_t buf[MAX_DATA];
	uint32_t bs = c->lun->props.block_size;
	size_t bytes = (size_t)t->num_blocks * bs;
	uint32_t n = t->num_blocks;

	if (bytes > MAX_DATA) {
		check(c, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
		return;
	}
	if (c->dout_len >= bytes)
		iov_to_buf(c->out, c->nout, HDR, buf, bytes);
	else if (BROKEN(READS_WRITABLE) && c->din_len >= bytes)
		iov_to_buf(c->in, c->nin, RESP, buf, bytes);
	else {
		c->resp.response = VIRTIO_SCSI_S_OVERRUN;
		return;
	}
	if (BROKEN(WRITE10_DROPS_LAST_BLOCK) && t->opcode == SCSI_OP_WRITE_10 && n > 1)
		n--;
	if (!(BROKEN(SECOND_QUEUE_DROPS_WRITES) && c->q == VIRTIO_SCSI_REQUESTQ_FIRST + 1))
		ram_write(c, t->lba, buf, n);
	good(c);
}

static void do_unmap(struct cmd *c, struct scsi_task *t)
{
	struct scsi_unmap_range r[SCSI_DEV_UNMAP_DESC_MAX];
	uint8_t param[8 + 16 * SCSI_DEV_UNMAP_DESC_MAX];
	uint32_t bs = c->lun->props.block_size;
	uint64_t blocks = scsi_lun_num_blocks(c->lun);
	size_t len = iov_to_buf(c->out, c->nout, HDR, param, MIN(sizeof(param), t->xfer_len));
	int n = scsi_dev_unmap_parse(c->lun, param, len, r, t);

	if (n < 0) {
		c->resp.status = t->status;
		c->resp.sense_len = t->sense_len;
		memcpy(c->resp.sense, t->sense, t->sense_len);
		return;
	}
	for (int i = 0; i < n; i++) {
		uint64_t lba = r[i].lba, end = lba + r[i].num_blocks;

		if (BROKEN(UNMAP_WIDE)) {
			lba = lba ? lba - 1 : 0;
			end = MIN(end + 1, blocks);
		}
		memset(c->ram + lba * bs, 0, (end - lba) * bs);
	}
	good(c);
}

static void do_write_same(struct cmd *c, const struct scsi_task *t)
{
	static uint8_t block[65536];
	uint32_t bs = c->lun->props.block_size;
	uint32_t n = BROKEN(WRITE_SAME_FIRST_ONLY) ? 1 : t->num_blocks;

	memset(block, 0, bs);
	if (!t->ws_ndob && iov_to_buf(c->out, c->nout, HDR, block, bs) < bs) {
		c->resp.response = VIRTIO_SCSI_S_OVERRUN;
		return;
	}
	for (uint32_t b = 0; b < n; b++)
		ram_write(c, t->lba + b, block, 1);
	good(c);
}

/* The LBA and block count of a READ / WRITE / VERIFY / UNMAP-less CDB. */
static void cdb_range(const uint8_t *cdb, uint64_t *lba, uint32_t *n)
{
	bool sixteen = cdb[0] >= 0x80 && cdb[0] < 0xa0;

	*lba = sixteen ? scsi_get_be64(cdb + 2) : scsi_get_be32(cdb + 2);
	*n = sixteen ? scsi_get_be32(cdb + 10) : scsi_get_be16(cdb + 7);
}

/* The switches that answer a command instead of scsi_dev; true if one did. */
static bool answered_broken(struct cmd *c)
{
	const uint8_t *cdb = c->req.cdb;
	uint64_t blocks = c->lun ? scsi_lun_num_blocks(c->lun) : 0, lba;
	uint32_t n, bs = c->lun ? c->lun->props.block_size : 512;
	static uint8_t zero[MAX_DATA];

	cdb_range(cdb, &lba, &n);
	switch (cdb[0]) {
	case 0x60:
		if (BROKEN(STATUS_NOT_SAM)) {
			c->resp.status = 0x01;
			return true;
		}
		if (BROKEN(UNKNOWN_OPCODE_INVALID_FIELD)) {
			check(c, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
			return true;
		}
		return false;
	case SCSI_OP_VARIABLE_LENGTH:
		if (BROKEN(LONG_CDB_GOOD))
			good(c);
		return BROKEN(LONG_CDB_GOOD);
	case SCSI_OP_TEST_UNIT_READY:
		if (BROKEN(TUR_NOT_READY))
			check(c, SCSI_SK_NOT_READY, SCSI_ASC_LOGICAL_UNIT_NOT_READY_STOPPED);
		return BROKEN(TUR_NOT_READY);
	case SCSI_OP_SYNCHRONIZE_CACHE_10:
	case SCSI_OP_SYNCHRONIZE_CACHE_16:
	case SCSI_OP_START_STOP_UNIT:
	case SCSI_OP_VERIFY_10:
		if (cdb[0] == SCSI_OP_VERIFY_10 && BROKEN(VERIFY_FAILS)) {
			check(c, SCSI_SK_MEDIUM_ERROR, SCSI_ASC_UNRECOVERED_READ_ERROR);
			return true;
		}
		if ((cdb[0] == SCSI_OP_START_STOP_UNIT && BROKEN(START_STOP_FAILS)) ||
		    (cdb[0] != SCSI_OP_START_STOP_UNIT && cdb[0] != SCSI_OP_VERIFY_10 &&
		     BROKEN(SYNC_CACHE_FAILS))) {
			check(c, SCSI_SK_HARDWARE_ERROR, SCSI_ASC_INTERNAL_TARGET_FAILURE);
			return true;
		}
		return false;
	case SCSI_OP_VERIFY_16:
		if (BROKEN(VERIFY_NO_RANGE_CHECK))
			good(c);
		return BROKEN(VERIFY_NO_RANGE_CHECK);
	case SCSI_OP_INQUIRY:
		if (BROKEN(INQUIRY_PAGE_NO_EVPD_OK) && !(cdb[1] & SCSI_INQ_EVPD) && cdb[2]) {
			c->req.cdb[2] = 0;
			return false;
		}
		return false;
	case SCSI_OP_SERVICE_ACTION_IN_16:
		if (BROKEN(SERVICE_ACTION_UNKNOWN_GOOD) && (cdb[1] & 0x1f) != 0x10) {
			datain(c, zero, scsi_get_be32(cdb + 10));
			good(c);
			return true;
		}
		return false;
	case SCSI_OP_READ_6:
	case SCSI_OP_WRITE_6:
		if (BROKEN(RW6_ZERO_IS_ZERO) && cdb[4] == 0) {
			good(c);
			return true;
		}
		return false;
	case SCSI_OP_READ_10:
		if (BROKEN(ZERO_LEN_READ_ERROR) && n == 0) {
			check(c, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
			return true;
		}
		if (BROKEN(READ_PAST_END_PARTIAL) && c->lun && lba < blocks && lba + n > blocks) {
			datain(c, c->ram + lba * bs, (blocks - lba) * bs);
			good(c);
			return true;
		}
		return false;
	case SCSI_OP_READ_16:
		if (BROKEN(RESPONSE_UNDEFINED) && c->lun && lba >= blocks) {
			c->resp.response = 0x20;
			return true;
		}
		if ((BROKEN(READ_AT_CAPACITY_ZEROES) && c->lun && lba == blocks) ||
		    (BROKEN(LBA_WRAPS) && lba + n < lba)) {
			datain(c, zero, (size_t)n * bs);
			good(c);
			return true;
		}
		return false;
	case SCSI_OP_WRITE_16:
		if (BROKEN(WRITE_PAST_END_PARTIAL) && c->lun && lba < blocks && lba + n > blocks) {
			static uint8_t inside[MAX_DATA];

			iov_to_buf(c->out, c->nout, HDR, inside, (blocks - lba) * bs);
			ram_write(c, lba, inside, (uint32_t)(blocks - lba));
			check(c, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
			return true;
		}
		return false;
	case SCSI_OP_UNMAP:
		if (BROKEN(UNMAP_PAST_END_OK)) {
			good(c);
			return true;
		}
		return false;
	}
	return false;
}

/* The switches that change what scsi_dev answered (data, of len bytes). */
static void answer_mangled(struct cmd *c, uint8_t *data, uint32_t *len)
{
	const uint8_t *cdb = c->req.cdb;
	bool evpd = cdb[1] & SCSI_INQ_EVPD;

	switch (cdb[0]) {
	case SCSI_OP_INQUIRY:
		if (!evpd && BROKEN(INQUIRY_FORMAT_1))
			data[3] = (uint8_t)((data[3] & 0xf0) | 1);
		if (!evpd && BROKEN(INQUIRY_ALLOC_IGNORED))
			*len = MAX(*len, 36u);
		if (evpd && cdb[2] == 0 && BROKEN(VPD_LIST_UNSORTED) && data[3] >= 3) {
			uint8_t x = data[5];

			data[5] = data[6];
			data[6] = x;
		}
		if (evpd && cdb[2] == SCSI_VPD_UNIT_SERIAL_NUMBER && BROKEN(VPD_PAGE_WRONG_CODE))
			data[1] = SCSI_VPD_UNIT_SERIAL_NUMBER + 1;
		return;
	case SCSI_OP_REPORT_LUNS:
		if (BROKEN(REPORT_LUNS_PHANTOM)) {
			uint32_t l = scsi_get_be32(data);

			scsi_lun_encode(200, data + 8 + l);
			scsi_put_be32(data, l + 8);
			*len = MIN(*len + 8, scsi_get_be32(cdb + 6));
		}
		if (BROKEN(REPORT_LUNS_SHORT_EMPTY) && scsi_get_be32(cdb + 6) == 16)
			scsi_put_be32(data, 0);
		return;
	case SCSI_OP_READ_CAPACITY_10:
		if (BROKEN(CAPACITY_10_OFF_BY_ONE))
			scsi_put_be32(data, scsi_get_be32(data) + 1);
		return;
	case SCSI_OP_MODE_SENSE_6:
		if (BROKEN(MODE_SENSE6_LENGTH_WRONG))
			data[0] = 200;
		return;
	case SCSI_OP_MODE_SENSE_10:
		if (BROKEN(MODE_SENSE10_WRONG_PAGE) && (cdb[2] & 0x3f) == SCSI_MODE_PAGE_CACHING)
			data[8 + scsi_get_be16(data + 6)] = SCSI_MODE_PAGE_CONTROL;
		return;
	case SCSI_OP_REQUEST_SENSE:
		if (BROKEN(REQUEST_SENSE_DEFERRED))
			data[0] = (uint8_t)((data[0] & 0x80) | ((data[0] & 0x7f) + 1));
		return;
	}
}

/* An unlisted VPD page, GOOD and empty (vpd-unknown-good). */
static bool vpd_unknown_good(struct cmd *c, const struct scsi_task *t)
{
	uint8_t page[4] = {0, c->req.cdb[2]};

	if (!BROKEN(VPD_UNKNOWN_GOOD) || c->req.cdb[0] != SCSI_OP_INQUIRY ||
	    !(c->req.cdb[1] & SCSI_INQ_EVPD) || t->status != SCSI_STATUS_CHECK_CONDITION)
		return false;
	datain(c, page, sizeof(page));
	good(c);
	return true;
}

static void execute(struct cmd *c)
{
	static uint8_t data[SCSI_DEV_DATA_MAX + 64];
	struct scsi_task t;

	if (answered_broken(c))
		return;
	scsi_dev_exec(c->lun, ctl_lun_list(), c->req.cdb, sizeof(c->req.cdb), data, &t);
	if (vpd_unknown_good(c, &t))
		return;
	switch (t.op) {
	case SCSI_DEV_OP_DONE:
		c->resp.status = t.status;
		if (t.status == SCSI_STATUS_CHECK_CONDITION) {
			c->resp.sense_len = t.sense_len;
			memcpy(c->resp.sense, t.sense, t.sense_len);
			return;
		}
		answer_mangled(c, data, &t.xfer_len);
		if (c->din_len < t.xfer_len && !BROKEN(INQUIRY_ALLOC_IGNORED)) {
			c->resp.response = VIRTIO_SCSI_S_OVERRUN;
			return;
		}
		datain(c, data, t.xfer_len);
		return;
	case SCSI_DEV_OP_READ:
		do_read(c, &t);
		return;
	case SCSI_DEV_OP_WRITE:
		do_write(c, &t);
		return;
	case SCSI_DEV_OP_FLUSH:
		good(c);
		return;
	case SCSI_DEV_OP_UNMAP:
		do_unmap(c, &t);
		return;
	case SCSI_DEV_OP_WRITE_SAME:
		do_write_same(c, &t);
		return;
	}
}

/* §5.6.6.1: the LU lun addresses: target 0's, or the REPORT LUNS
 * well-known LU (scsi_dev answers REPORT LUNS without a LU). false: the
 * target does not exist (BAD_TARGET). */
static bool address(struct cmd *c)
{
	const uint8_t *l = c->req.lun;

	if (l[0] == VIRTIO_SCSI_WLUN_REPORT_LUNS_0 && l[1] == VIRTIO_SCSI_WLUN_REPORT_LUNS_1)
		return !BROKEN(NO_REPORT_LUNS_WLUN);
	if (l[0] != VIRTIO_SCSI_LUN_FIRST || (l[1] != 0 && !BROKEN(BAD_TARGET_OK)))
		return false;
	c->lun_id = (uint16_t)((l[2] & 0x3f) << 8 | l[3]);
	if (l[1] == 0)
		c->lun = ctl_lun(c->lun_id);
	if (!c->lun && BROKEN(UNKNOWN_LUN_GOOD) && l[1] == 0)
		c->lun = ctl_lun(c->lun_id = 0);
	c->ram = c->lun ? ctl_lun_data(c->lun_id) : NULL;
	return true;
}

enum req_outcome request_serve(uint16_t q, const struct iovec *iov, unsigned nout, unsigned nin,
			       struct req_cancel *cancel, uint32_t *len)
{
	struct cmd c = {.q = q, .out = iov, .nout = nout, .in = iov + nout, .nin = nin};
	size_t out_len = iov_len(c.out, nout), in_len = iov_len(c.in, nin);

	*len = 0;
	if (out_len < HDR && BROKEN(SHORT_HEADER_STALLS))
		return REQ_HELD;
	iov_to_buf(c.out, nout, 0, &c.req, MIN(out_len, HDR));
	if (in_len < RESP) {
		/* Nowhere to put the response: used with nothing written. */
		if (BROKEN(NO_RESPONSE_WRITES_HEADER) && !in_len)
			buf_to_iov(c.out, nout, 0, &c.resp, 12);
		return REQ_USED;
	}
	c.dout_len = out_len > HDR ? out_len - HDR : 0;
	c.din_len = in_len - RESP;
	if (cancel && cancel->reset && BROKEN(RESET_ENDS_GOOD)) {
		/* Ended by the reset, answered as if it had run. */
		cancel->aborted++;
		c.resp.resid = (uint32_t)c.din_len;
		buf_to_iov(c.in, nin, 0, &c.resp, RESP);
		*len = RESP;
		return REQ_USED;
	}
	if (cancel && cancel->reset)
		c.resp.response = VIRTIO_SCSI_S_RESET;
	else if (cancel &&
		 (cancel->abort_all || (cancel->abort_one && (c.req.id == cancel->abort_id ||
							      BROKEN(ABORT_TASK_ENDS_ALL)))))
		c.resp.response = VIRTIO_SCSI_S_ABORTED;
	if (c.resp.response)
		cancel->aborted++;
	else if (out_len < HDR)
		c.resp.response = VIRTIO_SCSI_S_FAILURE;
	else if (!address(&c))
		c.resp.response = VIRTIO_SCSI_S_BAD_TARGET;
	/* §5.6.6.1.1: dataout and datain without INOUT: FAILURE. */
	else if (c.dout_len && c.din_len && !ctl_negotiated(VIRTIO_SCSI_F_INOUT) &&
		 !BROKEN(INOUT_ACCEPTED))
		c.resp.response = VIRTIO_SCSI_S_FAILURE;
	else if (c.req.task_attr != VIRTIO_SCSI_S_SIMPLE && BROKEN(ORDERED_REFUSED))
		c.resp.response = VIRTIO_SCSI_S_FAILURE;
	else
		execute(&c);
	if (c.resp.status == SCSI_STATUS_CHECK_CONDITION && BROKEN(SENSE_LEN_OVER))
		c.resp.sense_len = 200;
	if (c.resp.status == SCSI_STATUS_CHECK_CONDITION && BROKEN(SENSE_LEN_SHORT))
		c.resp.sense_len = MIN(c.resp.sense_len, 14u);
	buf_to_iov(c.in, nin, 0, &c.resp, RESP);
	*len = (uint32_t)(RESP + (c.din_written && BROKEN(USED_LEN_WHOLE_DATAIN) ? c.din_len
										 : c.din_written));
	return REQ_USED;
}
