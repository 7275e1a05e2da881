/* SPDX-License-Identifier: MIT */
#include "target/frontend/vhost_blk_req.h"

#include <string.h>

#include "util/common.h"
#include "util/iov.h"

static void reject(struct vhost_blk_req *req, uint8_t status, const char *why)
{
	req->op = VHOST_BLK_OP_NONE;
	req->status = status;
	req->reject = why;
}

static void set_data(struct vhost_blk_req *req, struct iovec *iov, unsigned cnt, size_t len)
{
	req->data_iov = iov;
	req->data_iovcnt = (int)cnt;
	req->data_len = (uint32_t)len;
}

static uint64_t capacity_sectors(const struct vhost_blk_limits *lim)
{
	return lim->num_blocks * (lim->block_size >> VIRTIO_BLK_SECTOR_SHIFT);
}

/* Checks a sector range against the capacity and the block size and turns it
 * into blocks. Returns NULL or why it is refused (status IOERR). */
static const char *range_to_blocks(const struct vhost_blk_limits *lim, uint64_t sector,
				   uint64_t sectors, struct vhost_blk_seg *out)
{
	uint64_t capacity = capacity_sectors(lim);
	uint32_t spb = lim->block_size >> VIRTIO_BLK_SECTOR_SHIFT;

	if (sector > capacity || sectors > capacity - sector)
		return "virtio 1.2 §5.2.6.1: request reaches beyond capacity";
	if (sector % spb != 0 || sectors % spb != 0)
		return "virtio 1.2 §5.2.4: request not aligned to blk_size";
	out->offset_blocks = sector / spb;
	out->num_blocks = sectors / spb;
	return NULL;
}

static void parse_rw(const struct vhost_blk_limits *lim, uint64_t sector, struct iovec *data,
		     unsigned cnt, size_t len, enum vhost_blk_op op, struct vhost_blk_req *req)
{
	struct vhost_blk_seg range;
	const char *why;

	if (len % VIRTIO_BLK_SECTOR_SIZE != 0) {
		reject(req, VIRTIO_BLK_S_IOERR,
		       "virtio 1.2 §5.2.6.1: data length is not a multiple of 512");
		return;
	}
	why = range_to_blocks(lim, sector, len >> VIRTIO_BLK_SECTOR_SHIFT, &range);
	if (why) {
		reject(req, VIRTIO_BLK_S_IOERR, why);
		return;
	}
	set_data(req, data, cnt, len);
	req->offset_blocks = range.offset_blocks;
	req->num_blocks = range.num_blocks;
	/* An empty transfer is a valid request with nothing to do. */
	req->op = len ? op : VHOST_BLK_OP_NONE;
	req->status = VIRTIO_BLK_S_OK;
}

static void parse_dwz(const struct vhost_blk_limits *lim, struct iovec *data, unsigned cnt,
		      size_t len, bool discard, struct vhost_blk_req *req)
{
	struct virtio_blk_discard_write_zeroes raw[VHOST_BLK_MAX_DWZ_SEG];
	uint32_t max_sectors = discard ? lim->max_discard_sectors : lim->max_write_zeroes_sectors;
	size_t nraw = len / sizeof(raw[0]);
	const char *why;

	if ((discard && !lim->discard) || (!discard && !lim->write_zeroes)) {
		reject(req, VIRTIO_BLK_S_UNSUPP,
		       "virtio 1.2 §5.2.3: DISCARD / WRITE_ZEROES was not negotiated");
		return;
	}
	if (len == 0 || len % sizeof(raw[0]) != 0) {
		reject(req, VIRTIO_BLK_S_IOERR,
		       "virtio 1.2 §5.2.6.1: data is not a whole number of 16-byte segments");
		return;
	}
	if (nraw > VHOST_BLK_MAX_DWZ_SEG) {
		reject(req, VIRTIO_BLK_S_IOERR,
		       "virtio 1.2 §5.2.6.1: more segments than max_discard_seg / "
		       "max_write_zeroes_seg");
		return;
	}
	/* Copied out once: the guest cannot change a segment after its check. */
	iov_copy_out(data, cnt, 0, raw, len);

	/* §5.2.6.2 makes the flag checks absolute (MUST ... UNSUPP), so they win
	 * over the range checks of any segment. */
	for (size_t i = 0; i < nraw; i++) {
		if (raw[i].flags & ~(uint32_t)VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) {
			reject(req, VIRTIO_BLK_S_UNSUPP,
			       "virtio 1.2 §5.2.6.2: unknown segment flag");
			return;
		}
		if (discard && (raw[i].flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP)) {
			reject(req, VIRTIO_BLK_S_UNSUPP,
			       "virtio 1.2 §5.2.6.2: unmap flag set in a discard segment");
			return;
		}
	}
	req->nseg = 0;
	for (size_t i = 0; i < nraw; i++) {
		if (raw[i].num_sectors > max_sectors) {
			reject(req, VIRTIO_BLK_S_IOERR,
			       "virtio 1.2 §5.2.4: segment longer than max_discard_sectors / "
			       "max_write_zeroes_sectors");
			return;
		}
		why =
		    range_to_blocks(lim, raw[i].sector, raw[i].num_sectors, &req->segs[req->nseg]);
		if (why) {
			reject(req, VIRTIO_BLK_S_IOERR, why);
			return;
		}
		if (raw[i].num_sectors != 0)
			req->nseg++;
	}
	req->status = VIRTIO_BLK_S_OK;
	if (req->nseg == 0)
		req->op = VHOST_BLK_OP_NONE;
	else
		req->op = discard ? VHOST_BLK_OP_DISCARD : VHOST_BLK_OP_WRITE_ZEROES;
}

void vhost_blk_req_parse(const struct vhost_blk_limits *lim, struct iovec *iov, unsigned nout,
			 unsigned nin, struct vhost_blk_req *req)
{
	struct virtio_blk_outhdr hdr;
	struct iovec *out_data, *in_data = iov + nout;
	size_t out_len = iov_length(iov, nout);
	size_t in_len;

	req->type = UINT32_MAX;
	req->op = VHOST_BLK_OP_NONE;
	req->status = VIRTIO_BLK_S_IOERR;
	req->status_ptr = NULL;
	req->data_iov = NULL;
	req->data_iovcnt = 0;
	req->data_len = 0;
	req->nseg = 0;
	req->reject = NULL;

	/* §5.2.6: the status is the last byte the device writes; empty trailing
	 * descriptors carry nothing, so the last non-empty one holds it. */
	while (nin > 0 && iov[nout + nin - 1].iov_len == 0)
		nin--;
	if (nin == 0) {
		req->reject = "virtio 1.2 §5.2.6: no device-writable byte for the status";
		return;
	}
	req->status_ptr = (uint8_t *)iov[nout + nin - 1].iov_base + iov[nout + nin - 1].iov_len - 1;
	if (--iov[nout + nin - 1].iov_len == 0)
		nin--;
	in_len = iov_length(in_data, nin);

	if (out_len < sizeof(hdr)) {
		req->reject = "virtio 1.2 §5.2.6: request header is not 16 device-readable bytes";
		return;
	}
	iov_copy_out(iov, nout, 0, &hdr, sizeof(hdr));
	req->type = hdr.type;
	out_data = iov;
	iov_skip(&out_data, &nout, sizeof(hdr));
	out_len -= sizeof(hdr);

	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
		parse_rw(lim, hdr.sector, in_data, nin, in_len, VHOST_BLK_OP_READ, req);
		break;
	case VIRTIO_BLK_T_OUT:
		if (lim->readonly) {
			reject(
			    req, VIRTIO_BLK_S_IOERR,
			    "virtio 1.2 §5.2.6.2: write to a device that offers VIRTIO_BLK_F_RO");
			break;
		}
		parse_rw(lim, hdr.sector, out_data, nout, out_len, VHOST_BLK_OP_WRITE, req);
		break;
	case VIRTIO_BLK_T_FLUSH:
		if (!lim->flush) {
			reject(req, VIRTIO_BLK_S_UNSUPP,
			       "virtio 1.2 §5.2.3: FLUSH was not offered");
			break;
		}
		req->op = VHOST_BLK_OP_FLUSH;
		req->status = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_ID:
		if (in_len < VIRTIO_BLK_ID_BYTES) {
			reject(req, VIRTIO_BLK_S_IOERR,
			       "virtio 1.2 §5.2.6.1: GET_ID data is shorter than 20 bytes");
			break;
		}
		set_data(req, in_data, nin, in_len);
		req->op = VHOST_BLK_OP_GET_ID;
		req->status = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		parse_dwz(lim, out_data, nout, out_len, hdr.type == VIRTIO_BLK_T_DISCARD, req);
		break;
	default:
		reject(req, VIRTIO_BLK_S_UNSUPP, "virtio 1.2 §5.2.6: unsupported request type");
		break;
	}
}

void vhost_blk_req_fill_id(const struct vhost_blk_req *req, const char *name)
{
	char id[VIRTIO_BLK_ID_BYTES] = {0};

	/* §5.2.6: NUL padded, and no terminator when the string fills 20 bytes. */
	memcpy(id, name, strnlen(name, sizeof(id)));
	iov_copy_in(req->data_iov, req->data_iovcnt, id, sizeof(id));
}
