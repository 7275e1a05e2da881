/* SPDX-License-Identifier: MIT */
/*
 * rte_vhost_blk's virtio-blk requests (virtio 1.2 §5.2.6) and its disk,
 * written from the spec and <linux/virtio_blk.h>, not from lib/spec (see
 * rte_vhost_blk.c for why).
 */
#include "blk.h"

#include <linux/virtio_blk.h>
#include <string.h>

#define SECTOR 512u
#define BLK_ID "rte_vhost_blk"

static struct rvd_disk g_disk;

int rvb_disk_open(const char *path, unsigned long size_mb)
{
	return rvd_disk_open(&g_disk, path, size_mb, SECTOR);
}

void rvb_disk_close(void)
{
	rvd_disk_close(&g_disk);
}

uint32_t rvb_blk_config(void *buf, uint32_t len, uint16_t num_queues)
{
	struct virtio_blk_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.capacity = g_disk.bytes / SECTOR;
	cfg.seg_max = RVD_SEG_MAX;
	cfg.blk_size = SECTOR;
	cfg.num_queues = num_queues;
	memcpy(buf, &cfg, len < sizeof(cfg) ? len : sizeof(cfg));
	return sizeof(cfg);
}

uint32_t rvb_blk_request(struct rvd_chain *c)
{
	struct virtio_blk_outhdr hdr;
	uint8_t status = VIRTIO_BLK_S_OK;
	size_t data_len, written = 0;

	if (c->out_len < sizeof(hdr) || c->in_len < 1)
		return 0;
	rvd_iov_copy(c->out, c->nout, 0, &hdr, sizeof(hdr), 0);
	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT: {
		int in = hdr.type == VIRTIO_BLK_T_IN;
		uint64_t off = hdr.sector * SECTOR;

		data_len = in ? c->in_len - 1 : c->out_len - sizeof(hdr);
		if (data_len % SECTOR || hdr.sector > g_disk.bytes / SECTOR ||
		    data_len > g_disk.bytes - off) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		if (in ? rvd_disk_rw(&g_disk, 1, off, c->in, c->nin, 0, data_len)
		       : rvd_disk_rw(&g_disk, 0, off, c->out, c->nout, sizeof(hdr), data_len))
			status = VIRTIO_BLK_S_IOERR;
		else if (in)
			written = data_len;
		break;
	}
	case VIRTIO_BLK_T_FLUSH:
		/* §5.2.6.2: writes completed before a completed flush are
		 * stable; RAM caches nothing. */
		if (rvd_disk_flush(&g_disk))
			status = VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_GET_ID: {
		/* §5.2.6: up to 20 bytes, NUL-padded, no NUL if all 20 are used. */
		char id[VIRTIO_BLK_ID_BYTES] = BLK_ID;

		written = c->in_len - 1 < sizeof(id) ? c->in_len - 1 : sizeof(id);
		rvd_iov_copy(c->in, c->nin, 0, id, written, 1);
		break;
	}
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	rvd_iov_copy(c->in, c->nin, c->in_len - 1, &status, 1, 1);
	return (uint32_t)written + 1;
}
