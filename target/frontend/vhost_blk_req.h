/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_FRONTEND_VHOST_BLK_REQ_H
#define STORLAB_FRONTEND_VHOST_BLK_REQ_H

/*
 * virtio-blk request parsing and validation (virtio 1.2 §5.2.6), as pure
 * functions over the iovecs of one popped descriptor chain: no sockets, no
 * reactors, no bdev. The data path (vhost_blk_queue.c) and the unit tests
 * call the same code.
 *
 * A chain is iov[0 .. nout) device-readable, then iov[nout .. nout + nin)
 * device-writable (lib/virtio). The header is the first 16 readable bytes
 * and may span descriptors; it is copied out once, so the guest cannot
 * change it after it was checked. The status is the last writable byte and
 * may share its descriptor with data: that byte is trimmed off the data.
 * Discard / write-zeroes segments are copied out and checked too. Data of
 * reads and writes stays in place (zero copy): the data iovecs point into
 * the caller's iov array, which the parser trims in place.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "spec/virtio_blk.h"

/* Descriptors one request may use (seg_max = this - 2: header and status). */
#define VHOST_BLK_IOV_MAX 128
/* Segments one discard / write-zeroes request may carry (max_*_seg). */
#define VHOST_BLK_MAX_DWZ_SEG 16

/* What a request is checked against: the bdev's geometry and the features
 * the driver negotiated. */
struct vhost_blk_limits {
	uint32_t block_size; /* bytes, a multiple of 512 */
	uint64_t num_blocks;
	bool readonly;	   /* VIRTIO_BLK_F_RO offered */
	bool flush;	   /* VIRTIO_BLK_F_FLUSH offered */
	bool discard;	   /* VIRTIO_BLK_F_DISCARD negotiated */
	bool write_zeroes; /* VIRTIO_BLK_F_WRITE_ZEROES negotiated */
	uint32_t max_discard_sectors;
	uint32_t max_write_zeroes_sectors;
};

enum vhost_blk_op {
	VHOST_BLK_OP_NONE, /* nothing to execute: answer status at once */
	VHOST_BLK_OP_READ,
	VHOST_BLK_OP_WRITE,
	VHOST_BLK_OP_FLUSH,
	VHOST_BLK_OP_GET_ID,
	VHOST_BLK_OP_DISCARD,
	VHOST_BLK_OP_WRITE_ZEROES,
};

/* One range of a discard / write-zeroes request, in bdev blocks. */
struct vhost_blk_seg {
	uint64_t offset_blocks;
	uint64_t num_blocks;
};

struct vhost_blk_req {
	uint32_t type; /* the header's type (for stats), or UINT32_MAX */
	enum vhost_blk_op op;
	/* VIRTIO_BLK_S_OK: execute op; anything else: answer it now (op NONE). */
	uint8_t status;
	/* Where the status goes; NULL if the chain has no writable byte (the
	 * request cannot be answered: the caller treats the chain as malformed). */
	uint8_t *status_ptr;
	/* READ / WRITE / GET_ID: data in place, inside the caller's iov array. */
	struct iovec *data_iov;
	int data_iovcnt;
	uint32_t data_len;
	/* READ / WRITE */
	uint64_t offset_blocks;
	uint64_t num_blocks;
	/* DISCARD / WRITE_ZEROES: non-empty segments, already checked. */
	uint16_t nseg;
	struct vhost_blk_seg segs[VHOST_BLK_MAX_DWZ_SEG];
	/* Why a request was refused (a static string citing the spec), or NULL. */
	const char *reject;
};

/*
 * Parses and checks one chain. Always fills *req: either status OK with an
 * op to execute, or a non-OK status (with req->reject saying why) to answer
 * without touching the bdev. Trims iov[] in place (header, status byte).
 */
void vhost_blk_req_parse(const struct vhost_blk_limits *lim, struct iovec *iov, unsigned nout,
			 unsigned nin, struct vhost_blk_req *req);

/* Writes the GET_ID answer (§5.2.6: up to 20 bytes, NUL padded, no NUL if
 * 20 long) for `name` into the data iovecs (which hold at least 20 bytes). */
void vhost_blk_req_fill_id(const struct vhost_blk_req *req, const char *name);

#endif
