/* SPDX-License-Identifier: MIT */
/*
 * What the rte_vhost peers (rte_vhost_blk, rte_vhost_scsi) share below the
 * device model and above nothing: a request's buffers as host iovecs, and a
 * disk in RAM or in a file. No DPDK in here. The disk functions run on the
 * peer's poller thread only (open/close before and after it).
 */
#ifndef RTE_VHOST_DISK_H
#define RTE_VHOST_DISK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define RVD_SEG_MAX 128 /* data segments per request the peers advertise */
#define RVD_MAX_IOV (RVD_SEG_MAX + 8)

/* A request's buffers in host memory: the driver-readable ones (out) before
 * the device-writable ones (in), as the chain lists them. */
struct rvd_chain {
	struct iovec out[RVD_MAX_IOV];
	struct iovec in[RVD_MAX_IOV];
	unsigned nout, nin;
	size_t out_len, in_len;
};

/* Copies between a flat buffer and bytes [off, off+len) of an iovec array
 * (to_iov: into the iovecs); bytes past the array's end are not copied. */
void rvd_iov_copy(const struct iovec *iov, unsigned n, size_t off, void *buf, size_t len,
		  int to_iov);

/* A disk: size_mb of zeroed RAM when opened without a path, else the file at
 * path (its size rounded down to a multiple of align), read and written with
 * preadv/pwritev so that what was written outlives the process. */
struct rvd_disk {
	uint8_t *ram;
	int fd;
	uint64_t bytes;
};

/* 0 or a negative errno (logged, naming the path). */
int rvd_disk_open(struct rvd_disk *d, const char *path, unsigned long size_mb, unsigned align);
void rvd_disk_close(struct rvd_disk *d);

/* Moves len bytes between the disk at off and the iovecs, from their byte
 * skip on (in: the disk is read). The caller checked the range. 0 or a
 * negative errno. */
int rvd_disk_rw(struct rvd_disk *d, int in, uint64_t off, const struct iovec *iov, unsigned n,
		size_t skip, size_t len);

/* Makes completed writes stable (fdatasync; RAM caches nothing). */
int rvd_disk_flush(struct rvd_disk *d);

/* Deallocates [off, off+len): it reads as zeroes afterwards (a hole punched
 * in the file, or written zeroes where the file system cannot punch). */
int rvd_disk_discard(struct rvd_disk *d, uint64_t off, uint64_t len);

#endif
