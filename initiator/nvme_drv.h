/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_INITIATOR_NVME_DRV_H
#define STORLAB_INITIATOR_NVME_DRV_H

/* NVMe, whatever transport carries it (nvme_drv.c): the driver's view as
 * storlab/nvme.h's info and the neutral info, and completions. */

#include "nvme/nvme_host.h"
#include "storlab/initiator.h"
#include "storlab/nvme.h"

void nvme_drv_info_fill(const struct nvme_ctrlr *c, struct storlab_nvme_info *nv,
			struct storlab_dev_info *info);
/* A neutral completion of tag from how the command ended. */
void nvme_drv_complete(struct storlab_completion *c, void *tag, uint32_t len,
		       const struct nvme_cpl *cpl);
const char *nvme_drv_status_name(uint16_t status);
/* The SQE of cmd (little-endian, no data pointer yet). */
void nvme_drv_sqe(const struct storlab_nvme_cmd *cmd, struct nvme_sqe *sqe);
/* storlab_nvme_admin() on controller c, whatever transport carries it. */
int nvme_drv_admin(struct nvme_ctrlr *c, const struct storlab_nvme_cmd *cmd, uint16_t *status,
		   uint32_t *cdw0);

#endif
