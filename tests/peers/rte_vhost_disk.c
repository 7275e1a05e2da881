/* SPDX-License-Identifier: MIT */
/*
 * The rte_vhost peers' disk and iovec helpers (rte_vhost_disk.h).
 */
#include "rte_vhost_disk.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void rvd_iov_copy(const struct iovec *iov, unsigned n, size_t off, void *buf, size_t len,
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

int rvd_disk_open(struct rvd_disk *d, const char *path, unsigned long size_mb, unsigned align)
{
	struct stat st;

	d->ram = NULL;
	d->fd = -1;
	if (!path) {
		d->bytes = (uint64_t)size_mb << 20;
		d->ram = calloc(1, d->bytes);
		if (!d->ram) {
			fprintf(stderr, "%s: cannot allocate %lu MiB\n",
				program_invocation_short_name, size_mb);
			return -ENOMEM;
		}
		return 0;
	}
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0 || fstat(d->fd, &st)) {
		int err = errno;

		fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, path,
			strerror(err));
		rvd_disk_close(d);
		return -err;
	}
	d->bytes = (uint64_t)st.st_size / align * align;
	if (!d->bytes) {
		fprintf(stderr, "%s: %s holds no whole block of %u bytes\n",
			program_invocation_short_name, path, align);
		rvd_disk_close(d);
		return -EINVAL;
	}
	return 0;
}

void rvd_disk_close(struct rvd_disk *d)
{
	free(d->ram);
	d->ram = NULL;
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

int rvd_disk_rw(struct rvd_disk *d, int in, uint64_t off, const struct iovec *iov, unsigned n,
		size_t skip, size_t len)
{
	struct iovec sub[RVD_MAX_IOV];
	unsigned k, i = 0;

	if (d->ram) {
		rvd_iov_copy(iov, n, skip, d->ram + off, len, in);
		return 0;
	}
	k = iov_slice(iov, n, skip, len, sub);
	while (i < k) {
		ssize_t got = in ? preadv(d->fd, sub + i, (int)(k - i), (off_t)off)
				 : pwritev(d->fd, sub + i, (int)(k - i), (off_t)off);

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

int rvd_disk_flush(struct rvd_disk *d)
{
	if (d->fd >= 0 && fdatasync(d->fd))
		return -errno;
	return 0;
}

int rvd_disk_discard(struct rvd_disk *d, uint64_t off, uint64_t len)
{
	static const uint8_t zero[64 << 10];

	if (d->ram) {
		memset(d->ram + off, 0, len);
		return 0;
	}
	if (!fallocate(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len))
		return 0;
	/* No holes here (EOPNOTSUPP): zeroes written read the same. */
	while (len) {
		size_t k = len < sizeof(zero) ? len : sizeof(zero);
		ssize_t got = pwrite(d->fd, zero, k, (off_t)off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got < 0 ? -errno : -EIO;
		off += (uint64_t)got;
		len -= (uint64_t)got;
	}
	return 0;
}
