/* SPDX-License-Identifier: MIT */
/*
 * rte_vhost_blk's virtio-blk requests (virtio 1.2 §5.2.6) and its disk,
 * written from the spec and <linux/virtio_blk.h>, not from lib/spec (see
 * rte_vhost_blk.c for why).
 */
#include "blk.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_blk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECTOR 512u
#define BLK_ID "rte_vhost_blk"

static uint8_t *g_ram; /* --size: the disk in RAM */
static int g_fd = -1;  /* --file: the disk in a file */
static uint64_t g_bytes;

int rvb_disk_open(const char *path, unsigned long size_mb)
{
	struct stat st;

	if (!path) {
		g_bytes = (uint64_t)size_mb << 20;
		g_ram = calloc(1, g_bytes);
		if (!g_ram) {
			fprintf(stderr, "rte_vhost_blk: cannot allocate %lu MiB\n", size_mb);
			return -ENOMEM;
		}
		return 0;
	}
	g_fd = open(path, O_RDWR | O_CLOEXEC);
	if (g_fd < 0 || fstat(g_fd, &st)) {
		int err = errno;

		fprintf(stderr, "rte_vhost_blk: %s: %s\n", path, strerror(err));
		if (g_fd >= 0)
			close(g_fd);
		g_fd = -1;
		return -err;
	}
	g_bytes = (uint64_t)st.st_size / SECTOR * SECTOR;
	if (!g_bytes) {
		fprintf(stderr, "rte_vhost_blk: %s holds no whole sector\n", path);
		rvb_disk_close();
		return -EINVAL;
	}
	return 0;
}

void rvb_disk_close(void)
{
	free(g_ram);
	g_ram = NULL;
	if (g_fd >= 0)
		close(g_fd);
	g_fd = -1;
}

uint64_t rvb_disk_bytes(void)
{
	return g_bytes;
}

void rvb_iov_copy(const struct iovec *iov, unsigned n, size_t off, void *buf, size_t len,
		  int to_iov)
{
	uint8_t *p = buf;

	for (unsigned i = 0; i < n && len; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		size_t k = iov[i].iov_len - off;
		if (k > len)
			k = len;
		if (to_iov)
			memcpy((uint8_t *)iov[i].iov_base + off, p, k);
		else
			memcpy(p, (uint8_t *)iov[i].iov_base + off, k);
		p += k;
		len -= k;
		off = 0;
	}
}

/* The iovecs of bytes [off, off+len) of iov, into sub; returns their count. */
static unsigned iov_slice(const struct iovec *iov, unsigned n, size_t off, size_t len,
			  struct iovec *sub)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n && len; i++) {
		if (off >= iov[i].iov_len) {
			off -= iov[i].iov_len;
			continue;
		}
		sub[k].iov_base = (uint8_t *)iov[i].iov_base + off;
		sub[k].iov_len = iov[i].iov_len - off < len ? iov[i].iov_len - off : len;
		len -= sub[k].iov_len;
		off = 0;
		k++;
	}
	return k;
}

/* Moves len bytes between the disk at off and the iovecs (from their byte
 * skip on): in reads the disk. 0 or a negative errno. */
static int disk_rw(int in, uint64_t off, const struct iovec *iov, unsigned n, size_t skip,
		   size_t len)
{
	struct iovec sub[RVB_MAX_IOV];
	unsigned k, i = 0;

	if (g_ram) {
		rvb_iov_copy(iov, n, skip, g_ram + off, len, in);
		return 0;
	}
	k = iov_slice(iov, n, skip, len, sub);
	while (i < k) {
		ssize_t got = in ? preadv(g_fd, sub + i, (int)(k - i), (off_t)off)
				 : pwritev(g_fd, sub + i, (int)(k - i), (off_t)off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) /* 0: the file shrank under us */
			return got < 0 ? -errno : -EIO;
		off += (uint64_t)got;
		/* A short transfer: go on from where it stopped. */
		while (i < k && (size_t)got >= sub[i].iov_len)
			got -= (ssize_t)sub[i++].iov_len;
		if (i < k) {
			sub[i].iov_base = (uint8_t *)sub[i].iov_base + got;
			sub[i].iov_len -= (size_t)got;
		}
	}
	return 0;
}

uint32_t rvb_blk_request(struct rvb_chain *c)
{
	struct virtio_blk_outhdr hdr;
	uint8_t status = VIRTIO_BLK_S_OK;
	size_t data_len, written = 0;

	if (c->out_len < sizeof(hdr) || c->in_len < 1)
		return 0;
	rvb_iov_copy(c->out, c->nout, 0, &hdr, sizeof(hdr), 0);
	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT: {
		int in = hdr.type == VIRTIO_BLK_T_IN;
		uint64_t off = hdr.sector * SECTOR;

		data_len = in ? c->in_len - 1 : c->out_len - sizeof(hdr);
		if (data_len % SECTOR || hdr.sector > g_bytes / SECTOR ||
		    data_len > g_bytes - off) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		if (in ? disk_rw(1, off, c->in, c->nin, 0, data_len)
		       : disk_rw(0, off, c->out, c->nout, sizeof(hdr), data_len))
			status = VIRTIO_BLK_S_IOERR;
		else if (in)
			written = data_len;
		break;
	}
	case VIRTIO_BLK_T_FLUSH:
		/* §5.2.6.2: writes completed before a completed flush are
		 * stable; RAM caches nothing. */
		if (g_fd >= 0 && fdatasync(g_fd))
			status = VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_GET_ID: {
		/* §5.2.6: up to 20 bytes, NUL-padded, no NUL if all 20 are used. */
		char id[VIRTIO_BLK_ID_BYTES] = BLK_ID;

		written = c->in_len - 1 < sizeof(id) ? c->in_len - 1 : sizeof(id);
		rvb_iov_copy(c->in, c->nin, 0, id, written, 1);
		break;
	}
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	rvb_iov_copy(c->in, c->nin, c->in_len - 1, &status, 1, 1);
	return (uint32_t)written + 1;
}
