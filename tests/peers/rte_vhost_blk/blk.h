/* SPDX-License-Identifier: MIT */
/*
 * rte_vhost_blk's virtio-blk device (virtio 1.2 §5.2.6) over its disk: RAM
 * (--size) or a file (--file), with no DPDK in it. The poller calls
 * rvb_blk_request and rvb_blk_config; rvb_disk_open/close run before and
 * after it.
 */
#ifndef RTE_VHOST_BLK_BLK_H
#define RTE_VHOST_BLK_BLK_H

#include <stdint.h>

#include "../rte_vhost_disk.h"

/* The disk (rvd_disk_open's contract), 512-byte sectors. */
int rvb_disk_open(const char *path, unsigned long size_mb);
void rvb_disk_close(void);

/* struct virtio_blk_config (§5.2.4) for num_queues request queues, into buf
 * (at most len bytes); returns its size. */
uint32_t rvb_blk_config(void *buf, uint32_t len, uint16_t num_queues);

/* Runs the request and writes its status byte; returns the used length
 * (bytes written to the device-writable buffers), 0 if there is no header
 * or no status byte to answer with. */
uint32_t rvb_blk_request(struct rvd_chain *c);

#endif
