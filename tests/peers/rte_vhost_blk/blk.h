/* SPDX-License-Identifier: MIT */
/*
 * rte_vhost_blk's virtio-blk device (virtio 1.2 §5.2.6) over its disk: RAM
 * (--size) or a file (--file), with no DPDK in it. One thread (the poller)
 * calls rvb_blk_request; rvb_disk_open/close run before and after it.
 */
#ifndef RTE_VHOST_BLK_BLK_H
#define RTE_VHOST_BLK_BLK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define RVB_SEG_MAX 128 /* data segments per request we advertise */
#define RVB_MAX_IOV (RVB_SEG_MAX + 8)

/* A request's buffers in host memory: the driver-readable ones (out) before
 * the device-writable ones (in), as the chain lists them. */
struct rvb_chain {
	struct iovec out[RVB_MAX_IOV];
	struct iovec in[RVB_MAX_IOV];
	unsigned nout, nin;
	size_t out_len, in_len;
};

/* The disk: size_mb of zeroed RAM when path is NULL, else the file at path
 * (its size, rounded down to a sector), read and written with pread/pwrite
 * so that what was written outlives this process. 0 or a negative errno. */
int rvb_disk_open(const char *path, unsigned long size_mb);
void rvb_disk_close(void);
uint64_t rvb_disk_bytes(void);

/* Copies between a flat buffer and bytes [off, off+len) of an iovec array. */
void rvb_iov_copy(const struct iovec *iov, unsigned n, size_t off, void *buf, size_t len,
		  int to_iov);

/* Runs the request and writes its status byte; returns the used length
 * (bytes written to the device-writable buffers), 0 if there is no header
 * or no status byte to answer with. */
uint32_t rvb_blk_request(struct rvb_chain *c);

#endif
