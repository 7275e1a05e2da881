/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_NVME_H
#define STORLAB_NVME_H

/*
 * libstorlab-initiator, what is NVMe's own (NVMe Base 2.1, NVM Command Set
 * 1.1), for code that is about NVMe on purpose (storlab io info's NVMe
 * section, tests of NVMe statuses, raw commands). Everything else speaks
 * the neutral API of storlab/initiator.h. The calls here answer -ENOTTY on
 * a device that is not an NVMe controller.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "storlab/initiator.h"

/*
 * A completion's transport_status: the CQE's status field without the
 * phase tag, (SCT << 8) | SC (Base §4.2.3), or one of ours for a command
 * the controller never answered.
 */
#define STORLAB_NVME_STATUS(sct, sc) ((uint16_t)((sct) << 8 | (sc)))
#define STORLAB_NVME_S_TIMEOUT	     0xffff /* no answer in time */
#define STORLAB_NVME_S_CANCELED	     0xfffe /* the queue went first */

struct storlab_nvme_info {
	uint32_t vs; /* VS register */
	uint16_t vid;
	char sn[21], mn[41], fr[9]; /* Identify Controller, padding dropped */
	uint32_t nn;
	uint16_t oncs;
	uint8_t vwc;
	uint64_t max_transfer;	/* bytes: MDTS (4 MiB at most) */
	uint16_t max_io_queues; /* Number of Queues allocated */
	uint16_t io_queue_entries;
	bool doorbells_mapped; /* else each doorbell is a message */
	uint32_t sgls;	       /* Identify Controller SGLS (Base §4.3.2 support) */
	bool sgl;	       /* I/O data goes as SGLs (storlab_dev_opts.nvme_sgl) */
	bool interrupts;       /* I/O CQs interrupt (storlab_dev_opts.nvme_interrupts) */
	/* the namespace I/O goes to: the first active one */
	uint32_t nsid;
	uint32_t block_size;
	uint64_t num_blocks;
};
/* 0, or -ENOTTY. */
int storlab_nvme_get_info(const struct storlab_dev *dev, struct storlab_nvme_info *info);

/* An I/O command of any opcode, for STORLAB_OP_DEVICE (struct
 * storlab_req's cmd): the data buffer (library memory, PRP rules of Base
 * §4.3.1: pieces meet at page boundaries) goes in PRP1/PRP2. */
struct storlab_nvme_cmd {
	uint8_t opc;
	uint32_t nsid;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
	const struct iovec *iov;
	unsigned iovcnt;
};

/*
 * An admin command (Base §5) of cmd's opcode, NSID and CDW10-15 on the
 * controller's admin queue, waited for (the device's timeout_ms): what the
 * controller returns (at most 4096 bytes, one page of PRP1) is copied to
 * cmd's iov, which may be any memory; commands that send data to the
 * controller are not for this call. From the thread that opened dev while
 * no queue is in use. 0 with *status (STORLAB_NVME_STATUS(), the
 * controller's verdict: 0 is success) and *cdw0 (the completion's Dword
 * 0); or -ENOTTY (not an NVMe controller), -EINVAL (iov longer than 4096),
 * -ENOTCONN (the connection is gone), -ETIMEDOUT, -EPROTO, -ENOMEM.
 */
int storlab_nvme_admin(struct storlab_dev *dev, const struct storlab_nvme_cmd *cmd,
		       uint16_t *status, uint32_t *cdw0);
/* The Base §4.2.3 name of a status, "UNKNOWN" for one not listed. */
const char *storlab_nvme_status_name(uint16_t status);

#endif
