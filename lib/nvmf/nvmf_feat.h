/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_NVMF_FEAT_H
#define STORLAB_NVMF_FEAT_H

/*
 * Get Features and Set Features of the NVMe controller emulation (NVMe
 * Base 2.1 §5.2.11, §5.2.26): Arbitration, Volatile Write Cache (when the
 * controller has one), Number of Queues, Interrupt Coalescing, Interrupt
 * Vector Configuration, Asynchronous Event Configuration and Timestamp.
 * No feature is saveable (Set Features SV is refused with Feature
 * Identifier Not Saveable; Get Features SEL "saved" answers the default),
 * none is namespace specific, all are changeable.
 *
 * Threading: the admin queue's thread; the I/O side reads wce and the AEC
 * with relaxed atomic loads.
 */

#include <stdbool.h>
#include <stdint.h>

#include "nvmf/nvmf_queue.h"

struct nvmf_ctrlr;
struct nvmf_ctrlr_props;

/* The most MSI-X vectors the Interrupt Vector Configuration tracks. */
#define NVMF_MAX_VECTORS 2048

/* Base §5.2.26.1.5 Asynchronous Event Configuration bits we act on */
#define NVMF_AEC_NS_ATTR (1u << 8)

struct nvmf_feats {
	uint32_t arbitration;	 /* CDW11 as set: AB 2:0, LPW, MPW, HPW */
	uint32_t irq_coalescing; /* THR 7:0, TIME 15:8 */
	uint32_t aec;		 /* Asynchronous Event Configuration */
	uint32_t wce;		 /* volatile write cache enabled: bit 0 */
	uint16_t nsqa;		 /* I/O SQs allocated, 0's based */
	uint16_t ncqa;
	/* Timestamp: the host's milliseconds minus ours when it set it. */
	uint64_t ts_offset;
	bool ts_set;
	uint32_t iv_cd[NVMF_MAX_VECTORS / 32]; /* Coalescing Disable, a bit per vector */
};

/* The defaults after a controller reset (Base §3.7.2: features go back to
 * their defaults). */
void nvmf_feat_reset(struct nvmf_feats *f, const struct nvmf_ctrlr_props *props);

/* Get / Set Features: fills cpl (status, Dword 0); the Timestamp moves its
 * 8 bytes through the command's PRPs. */
void nvmf_feat_get(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe, struct nvmf_cpl *cpl);
void nvmf_feat_set(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe, struct nvmf_cpl *cpl);

/* Interrupt Coalescing (Feature 08h, Base 2.1 §5.1.25.2.2) as it applies
 * to MSI-X vector iv of an I/O CQ (the Admin CQ is never coalesced): how
 * many completions to aggregate before an interrupt (THR + 1) in *thr, and
 * the longest an interrupt may wait for them (TIME in 100 µs units) in
 * *delay_us. False when the vector interrupts at every completion: THR 0
 * or TIME 0 (the reset value is both), or Coalescing Disable set for it
 * (Feature 09h, §5.1.25.2.3). Any thread. */
bool nvmf_feat_coalescing(const struct nvmf_ctrlr *c, uint16_t iv, unsigned *thr,
			  unsigned *delay_us);

/* Whether the host enabled the volatile write cache (for Flush). */
bool nvmf_feat_wce(const struct nvmf_ctrlr *c);

#endif
