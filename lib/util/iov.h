/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_UTIL_IOV_H
#define STORLAB_UTIL_IOV_H

/* Copies between flat buffers and scattered ones (struct iovec arrays), as
 * a device reads a request header and writes a response that the driver
 * may have split over any number of buffers (virtio 1.2 §2.6.4: no
 * assumption about framing). */

#include <stddef.h>
#include <sys/uio.h>

/* Copies up to len bytes at byte offset off of iov[0 .. cnt) into dst.
 * Returns the bytes copied (fewer if the iovecs end first). */
size_t iov_copy_out(const struct iovec *iov, unsigned cnt, size_t off, void *dst, size_t len);
/* Copies up to len bytes of src into iov[0 .. cnt) from its start. Returns
 * the bytes copied. */
size_t iov_copy_in(const struct iovec *iov, unsigned cnt, const void *src, size_t len);
/* The bytes iov[0 .. cnt) hold. */
size_t iov_length(const struct iovec *iov, unsigned cnt);
/* Drops the first n bytes of iov[0 .. *cnt) in place: *iov advances past
 * the iovecs used up (and empty ones after them, so that what is left
 * starts with a byte) and the first left is shortened. Returns the bytes
 * dropped (fewer than n if the iovecs end first). */
size_t iov_skip(struct iovec **iov, unsigned *cnt, size_t n);
/* Cuts iov[0 .. *cnt) to len bytes in place (the last iovec shortened,
 * *cnt lowered). Returns the bytes kept. */
size_t iov_truncate(struct iovec *iov, unsigned *cnt, size_t len);

#endif
