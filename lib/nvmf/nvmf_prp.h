/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_NVMF_PRP_H
#define STORLAB_NVMF_PRP_H

/*
 * The data pointer walker of the NVMe controller emulation: turns a
 * command's PRP entries (PRP1, PRP2 and PRP lists) or SGL (SGL1 and the
 * segments it points to) into iovecs that point into guest memory
 * (zero-copy), checking each rule of NVMe Base 2.1 §4.3 on the way.
 *
 * Every refusal returns a negative errno, sets *status to the (SCT, SC)
 * pair (NVME_SCT_SC in spec/nvme.h) the controller puts in the completion
 * queue entry, and logs a line naming the spec section (rate limited:
 * the guest decides how often this happens).
 *
 * Guest memory is read through a translation callback, never directly: a
 * PRP list or SGL segment is read only after the callback said the whole
 * range lies inside one DMA mapping, and each entry is read once.
 *
 * Threading: a struct nvmf_dma belongs to one queue and is used by the
 * thread that polls it.
 */

#include <stdint.h>
#include <sys/uio.h>

#include "spec/nvme.h"
#include "util/log_ratelimit.h"

/* Our address of [gpa, gpa + len), or NULL unless the whole range lies
 * inside one DMA mapping. len is never 0. */
typedef void *(*nvmf_dma_xlate_fn)(void *arg, uint64_t gpa, uint64_t len);

struct nvmf_dma {
	nvmf_dma_xlate_fn xlate;
	void *arg;
	uint64_t page_size; /* CC.MPS in bytes: NVME_MPS_BYTES(mps) */
	/* Identify Controller SGLS bits 1:0: 0 (SGLs not supported),
	 * NVME_CTRL_SGLS_BYTE or NVME_CTRL_SGLS_DWORD. */
	uint32_t sgls;
	struct log_ratelimit log_rl;
};

/* Where the walker puts what it found. iov[0 .. max) is the caller's;
 * cnt is set on success. Pieces that follow each other in our address
 * space share one iovec. */
struct nvmf_iov {
	struct iovec *iov;
	unsigned max;
	unsigned cnt;
};

/* The most SGL descriptors one command may make us examine (segments and
 * zero-length blocks included): a chain of segments could otherwise loop. */
#define NVMF_SGL_MAX_DESCS 1024

/*
 * The data of one command, len bytes, as described by sqe's DPTR:
 * CDW0.PSDT selects PRPs or an SGL (Base §4.1.1 Figure 91). len 0 takes
 * nothing from the command. Returns 0 (out->cnt iovecs holding exactly len
 * bytes), or a negative errno with *status:
 *   -EINVAL  the command breaks a rule of Base §4.3 (status says which);
 *   -EFAULT  an address outside the DMA mappings (Data Transfer Error);
 *   -ENOBUFS more iovecs than out->max, or more than NVMF_SGL_MAX_DESCS
 *            descriptors (Internal Error: our limit, not the host's fault;
 *            size out->max from MDTS: MDTS / page size + 1 covers PRPs).
 * The admin queue's caller must refuse PSDT != 0 itself (Base §4.1.1:
 * PRPs for all admin commands over PCIe).
 */
int nvmf_dptr_map(struct nvmf_dma *dma, const struct nvme_sqe *sqe, uint64_t len,
		  struct nvmf_iov *out, uint16_t *status);

/* The same for PRP1/PRP2 and SGL1 given on their own. */
int nvmf_prp_map(struct nvmf_dma *dma, uint64_t prp1, uint64_t prp2, uint64_t len,
		 struct nvmf_iov *out, uint16_t *status);
int nvmf_sgl_map(struct nvmf_dma *dma, const struct nvme_sgl_desc *sgl1, uint64_t len,
		 struct nvmf_iov *out, uint16_t *status);

/*
 * Base §5.2.13.2.1 (MDTS): the largest transfer is 2 ^ mdts units of the
 * minimum memory page size (CAP.MPSMIN, in bytes); mdts 0 means no limit.
 * Returns 0, or -EINVAL with *status Invalid Field in Command for a
 * longer len (the status Base §5.2.13.2.1 names for a command over MDTS),
 * logged through rl (the guest decides how often that happens).
 */
int nvmf_mdts_check(uint8_t mdts, uint64_t mpsmin_bytes, uint64_t len, uint16_t *status,
		    struct log_ratelimit *rl);

#endif
