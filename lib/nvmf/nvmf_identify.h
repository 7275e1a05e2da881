/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_NVMF_IDENTIFY_H
#define STORLAB_NVMF_IDENTIFY_H

/*
 * The Identify command of the NVMe controller emulation (NVMe Base 2.1
 * §5.1.13, NVM Command Set 1.1 §4.1.5), as pure code over nvmf_props.h:
 * the admin dispatcher hands it the SQE and copies the 4096 bytes it
 * builds to the command's data pointer.
 *
 * CNS values answered, NVM Command Set only:
 *   00h Identify Namespace (NVM CS)        05h NVM Identify Namespace (CSI 0)
 *   01h Identify Controller                06h NVM Identify Controller (CSI 0)
 *   02h Active Namespace ID list           1Ch Identify I/O Command Set
 *   03h Namespace Identification Descriptor list
 * Any other CNS: Invalid Field in Command.
 *
 * Threads: any; reads props only (num_blocks atomically).
 */

#include <stddef.h>
#include <stdint.h>

#include "nvmf/nvmf_props.h"
#include "spec/nvme.h"
#include "util/log_ratelimit.h"

/* Identify Controller ACL + 1: Abort commands the admin dispatcher keeps
 * outstanding at most (Base §5.1.1: more complete with Abort Command
 * Limit Exceeded). */
#define NVMF_ABORT_LIMIT 4
/* Identify Controller RAB: a recommended arbitration burst of 2 ^ 6. */
#define NVMF_RAB 6
/* Power state 0's maximum power, in 0.01 W (Base Figure 329 MP). */
#define NVMF_PS0_MP_CW 2500

/* Base §5.1.13.2.1: SN, MN, FR (and the Firmware Slot log's revisions)
 * are ASCII padded with spaces, no NUL: src's first n bytes into dst[n]. */
void nvmf_ascii_pad(char *dst, size_t n, const char *src);

/* The active namespace of nsid, or NULL. */
const struct nvmf_ns_props *nvmf_ns_find(const struct nvmf_ns_list *nss, uint32_t nsid);

/*
 * Answers an Identify command: data (NVME_IDENTIFY_DATA_SIZE bytes) is
 * filled and the status (NVME_SCT_SC) returned; data is all zero unless
 * the status is success. A refusal logs a line naming the rule through rl.
 */
uint16_t nvmf_identify(const struct nvmf_ctrlr_props *ctrlr, const struct nvmf_ns_list *nss,
		       const struct nvme_sqe *sqe, uint8_t *data, struct log_ratelimit *rl);

/* The builders nvmf_identify() chooses from, each over a zeroed buffer. */
void nvmf_identify_ctrl(const struct nvmf_ctrlr_props *ctrlr, const struct nvmf_ns_list *nss,
			struct nvme_id_ctrl *id);
void nvmf_identify_ns(const struct nvmf_ns_props *ns, struct nvme_id_ns *id);
/* Active NSIDs above start, ascending, at most NVME_IDENTIFY_NS_LIST_MAX
 * little-endian dwords. */
void nvmf_identify_ns_list(const struct nvmf_ns_list *nss, uint32_t start, uint8_t *data);
/* The descriptors of ns's non-zero EUI64, NGUID and UUID, then its CSI. */
void nvmf_identify_ns_descs(const struct nvmf_ns_props *ns, uint8_t *data);

#endif
