/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the virtio-blk request parser (target/frontend/vhost_blk_req.c) with
 * chains a guest could build: the input is cut into descriptors, readable
 * ones first, then writable ones, and parsed against limits also taken from
 * the input. Besides not crashing, the result must keep the parser's
 * promises: an accepted read or write lies inside the device and its data
 * iovecs inside the chain's; a refusal says why; the status byte is the last
 * writable byte of the chain.
 *
 * Input: [limits: 8 bytes][nout][nin][descriptor lengths: 2 bytes each][bytes]
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "target/frontend/vhost_blk_req.h"
#include "util/log.h"

#define MAX_DESC 32

static bool inside(const struct iovec *outer, unsigned n, const struct iovec *in)
{
	const char *b = in->iov_base;

	for (unsigned i = 0; i < n; i++) {
		const char *ob = outer[i].iov_base;

		if (b >= ob && b + in->iov_len <= ob + outer[i].iov_len)
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iovec iov[MAX_DESC], orig[MAX_DESC];
	struct vhost_blk_limits lim;
	struct vhost_blk_req req;
	unsigned nout, nin, n;
	uint8_t *mem;
	size_t off, used = 0;

	log_set_level(LOG_LEVEL_ERR);
	if (size < 10)
		return 0;
	lim = (struct vhost_blk_limits){
	    .block_size = 512u << (data[0] % 4),
	    .num_blocks = ((uint64_t)data[1] << 8 | data[2]) + 1,
	    .readonly = data[3] & 1,
	    .flush = data[3] & 2,
	    .discard = data[3] & 4,
	    .write_zeroes = data[3] & 8,
	    .max_discard_sectors = (uint32_t)data[4] << 4,
	    .max_write_zeroes_sectors = (uint32_t)data[5] << 4,
	};
	nout = data[8] % (MAX_DESC / 2);
	nin = data[9] % (MAX_DESC / 2);
	n = nout + nin;
	off = 10 + 2 * n;
	if (size < off)
		return 0;
	mem = malloc(size - off + 1);
	if (!mem)
		return 0;
	memcpy(mem, data + off, size - off);
	/* Each descriptor takes the next len bytes of what is left; the
	 * last ones may be empty, as zero-length descriptors can be. */
	for (unsigned i = 0; i < n; i++) {
		size_t len = (size_t)(data[10 + 2 * i] | data[11 + 2 * i] << 8);

		len = len < size - off - used ? len : size - off - used;
		iov[i] = (struct iovec){.iov_base = mem + used, .iov_len = len};
		used += len;
	}
	memcpy(orig, iov, sizeof(iov[0]) * n);
	vhost_blk_req_parse(&lim, iov, nout, nin, &req);

	if (req.status != VIRTIO_BLK_S_OK && !req.reject)
		abort();
	if (req.status_ptr) {
		/* The last writable byte of the chain. */
		const struct iovec *last = NULL;

		for (unsigned i = n; i-- > nout;) {
			if (orig[i].iov_len) {
				last = &orig[i];
				break;
			}
		}
		if (!last || req.status_ptr != (uint8_t *)last->iov_base + last->iov_len - 1)
			abort();
	}
	if (req.status == VIRTIO_BLK_S_OK &&
	    (req.op == VHOST_BLK_OP_READ || req.op == VHOST_BLK_OP_WRITE)) {
		uint64_t bytes = 0;

		if (req.offset_blocks > lim.num_blocks ||
		    req.num_blocks > lim.num_blocks - req.offset_blocks)
			abort();
		for (int i = 0; i < req.data_iovcnt; i++) {
			if (!inside(orig, n, &req.data_iov[i]))
				abort();
			bytes += req.data_iov[i].iov_len;
		}
		if (bytes != req.num_blocks * lim.block_size || bytes != req.data_len)
			abort();
		if (req.op == VHOST_BLK_OP_WRITE && lim.readonly)
			abort();
	}
	if (req.status == VIRTIO_BLK_S_OK &&
	    (req.op == VHOST_BLK_OP_DISCARD || req.op == VHOST_BLK_OP_WRITE_ZEROES)) {
		for (unsigned i = 0; i < req.nseg; i++) {
			if (req.segs[i].offset_blocks > lim.num_blocks ||
			    req.segs[i].num_blocks > lim.num_blocks - req.segs[i].offset_blocks)
				abort();
		}
	}
	free(mem);
	return 0;
}
