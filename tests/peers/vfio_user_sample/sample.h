/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_PEERS_VFIO_USER_SAMPLE_H
#define STORLAB_TESTS_PEERS_VFIO_USER_SAMPLE_H

/*
 * The sample device on lib/vfio-user's server: a PCI device (1b36:0005,
 * QEMU's ID of a PCI test device) with
 *   region 0 (BAR0), 8 KiB, R/W/MMAP: page 0 registers, page 1 plain memory
 *     and the one sparse mmap area (what a doorbell page is to NVMe);
 *   region 7 (config space), 256 bytes: a type-0 header, BAR0 a 32-bit
 *     memory BAR of 8 KiB; only Command and BAR0 are writable;
 *   IRQ index 2 (MSI-X): 4 vectors, eventfds (TRIGGER only).
 * Registers (little-endian):
 *   0x00 ID       ro  SAMPLE_ID
 *   0x04 STATUS   ro  0, or the errno of the last command
 *   0x08 SRC      rw  DMA address
 *   0x10 DST      rw  DMA address
 *   0x18 LEN      rw  bytes to copy, or the MSI-X vector
 *   0x1c CMD      wo  SAMPLE_CMD_COPY: LEN bytes SRC -> DST through the DMA
 *                     table; SAMPLE_CMD_IRQ: signal vector LEN
 *   0x20 QUIESCES ro  how many times the server quiesced the device
 */

#include <stdint.h>

#include "util/evloop.h"
#include "vfio-user/vfio_user_server.h"

#define SAMPLE_ID	    0x53554656u
#define SAMPLE_BAR0_SIZE    8192u
#define SAMPLE_CFG_SIZE	    256u
#define SAMPLE_MSIX_VECTORS 4u

#define SAMPLE_REG_ID	    0x00
#define SAMPLE_REG_STATUS   0x04
#define SAMPLE_REG_SRC	    0x08
#define SAMPLE_REG_DST	    0x10
#define SAMPLE_REG_LEN	    0x18
#define SAMPLE_REG_CMD	    0x1c
#define SAMPLE_REG_QUIESCES 0x20
#define SAMPLE_REGS_END	    0x24

#define SAMPLE_CMD_COPY 1u
#define SAMPLE_CMD_IRQ	2u

struct sample {
	struct evloop *loop;
	struct vfio_user_server *srv;
	int bar_fd;   /* memfd behind BAR0 */
	uint8_t *bar; /* its mapping */
	uint8_t cfg[SAMPLE_CFG_SIZE];
	int irq_fds[SAMPLE_MSIX_VECTORS];
};

extern const struct vfio_user_dev_ops sample_ops;

/* The device in its reset state (BAR0's memfd made and mapped). */
int sample_init(struct sample *d, struct evloop *loop);
void sample_fini(struct sample *d);

#endif
