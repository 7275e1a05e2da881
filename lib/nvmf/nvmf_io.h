/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_NVMF_IO_H
#define STORLAB_NVMF_IO_H

/*
 * I/O command decoding of the NVMe controller emulation (NVM Command Set
 * 1.1 §3, NVMe Base 2.1 §7 for Flush), as pure code over nvmf_props.h:
 * nvmf_io_decode() checks one SQE against the controller and namespace
 * and says what the frontend must do (the frontend does the bdev I/O and
 * the data transfer with nvmf_dptr_map()):
 *
 *   NVMF_IO_DONE          answered: complete with t->status (a refusal, or
 *                         success for a command with nothing to do);
 *   NVMF_IO_READ          read nlb blocks from slba into the len bytes the
 *                         data pointer describes;
 *   NVMF_IO_WRITE         write them (fua: stable before completion);
 *   NVMF_IO_COMPARE       read them and compare with the len bytes of
 *                         data-out: a difference completes with Compare
 *                         Failure (SCT 2h, 85h);
 *   NVMF_IO_FLUSH         make the volatile write cache of nsid stable (of
 *                         every namespace if nsid is NVME_NSID_ALL);
 *   NVMF_IO_WRITE_ZEROES  zero nlb blocks from slba, deallocating them if
 *                         deallocate (no data transfer);
 *   NVMF_IO_DSM           fetch the len bytes of data-out (nr_ranges
 *                         16-byte ranges) and hand them to nvmf_dsm_parse(),
 *                         then deallocate each range.
 *
 * Fused operations (Base §3.4.2: Compare and Write only): t->fuse tells a
 * command's part. The dispatcher keeps a FIRST until the next SQE of the
 * same queue (fetched with it: one doorbell write covers both) and then:
 *   - that SQE is not a SECOND: the FIRST completes with Command Aborted
 *     due to Missing Fused Command (nvmf_io_fused_missing()), the SQE is
 *     processed on its own;
 *   - a SECOND without a FIRST before it: Missing Fused Command too;
 *   - a pair: nvmf_io_fused_pair() checks them together; then the Compare
 *     runs, and the Write only if it matched, atomically with it (no other
 *     write to those blocks in between); a Compare that fails or
 *     miscompares aborts the Write with Command Aborted due to Failed
 *     Fused Command (and a failed Write after a good Compare is the
 *     Write's own status).
 *
 * Every refusal logs a line citing the rule, rate limited by rl.
 * Threads: any; reads props only (num_blocks atomically).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvmf/nvmf_props.h"
#include "spec/nvme.h"
#include "util/log_ratelimit.h"

/* CAP.MPSMIN of our controller (4 KiB pages), the unit of MDTS. */
#define NVMF_IO_MPSMIN_BYTES NVME_MPS_BYTES(0)

enum nvmf_io_op {
	NVMF_IO_DONE,
	NVMF_IO_READ,
	NVMF_IO_WRITE,
	NVMF_IO_COMPARE,
	NVMF_IO_FLUSH,
	NVMF_IO_WRITE_ZEROES,
	NVMF_IO_DSM,
};

struct nvmf_io_task {
	enum nvmf_io_op op;
	uint8_t opc;
	uint8_t fuse; /* NVME_FUSE_* */
	uint32_t nsid;
	uint64_t slba;
	uint32_t nlb; /* blocks, not 0's based */
	uint64_t len; /* bytes the data pointer describes */
	bool fua;
	bool deallocate;    /* Write Zeroes: deallocate too */
	unsigned nr_ranges; /* Dataset Management */
	uint16_t status;    /* NVME_SCT_SC; success unless DONE says otherwise */
};

/* One Dataset Management range, checked against the namespace. */
struct nvmf_dsm_range {
	uint64_t slba;
	uint32_t nlb;
};

/*
 * Decodes one I/O SQE. ns: the active namespace of sqe->nsid, NULL if
 * there is none (NVME_NSID_ALL included). Always fills t.
 */
void nvmf_io_decode(const struct nvmf_ctrlr_props *ctrlr, const struct nvmf_ns_props *ns,
		    const struct nvme_sqe *sqe, struct nvmf_io_task *t, struct log_ratelimit *rl);

/*
 * A Dataset Management range list (NVM CS §3.2.3, Figure "Dataset
 * Management - Range Definition"): the len bytes of data-out fetched for
 * t, as nvmf_io_decode() answered NVMF_IO_DSM (t->nr_ranges ranges; fewer
 * if len is shorter). Returns how many ranges it put in
 * ranges[NVME_DSM_MAX_RANGES] (ranges of 0 blocks dropped unchecked), or -EINVAL
 * with t answered DONE, LBA Out of Range, for a range past the namespace.
 */
int nvmf_dsm_parse(const struct nvmf_ns_props *ns, const uint8_t *data, size_t len,
		   struct nvmf_dsm_range *ranges, struct nvmf_io_task *t, struct log_ratelimit *rl);

/* Checks a fused pair (both decoded; first has NVME_FUSE_FIRST, second
 * NVME_FUSE_SECOND): if either was refused, the other is answered with
 * Failed Fused Command; both must name the same namespace and blocks
 * (Base §3.4.2), else the Compare is refused (Invalid Field in Command)
 * and the Write answered Failed Fused Command. */
void nvmf_io_fused_pair(struct nvmf_io_task *first, struct nvmf_io_task *second,
			struct log_ratelimit *rl);

/* Answers t with Command Aborted due to Missing Fused Command. */
void nvmf_io_fused_missing(struct nvmf_io_task *t, struct log_ratelimit *rl);

/* Whether the controller serves I/O opcode opc with these namespaces
 * (Write Zeroes when one of them has it), and whether it may change
 * logical block content (Commands Supported and Effects, LBCC). */
bool nvmf_io_supported(uint8_t opc, const struct nvmf_ns_list *nss, bool *changes_data);
/* Whether I/O opcode opc may change logical block content (Write, Write
 * Zeroes, Dataset Management): what a fused Compare and Write must not
 * see run beside it (Base §3.4.2). */
bool nvmf_io_changes_data(uint8_t opc);

#endif
