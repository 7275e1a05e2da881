/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CONFORMANCE_SUITE_NVME_H
#define STORLAB_CONFORMANCE_SUITE_NVME_H

/*
 * Inside the NVMe suite (NVMe Base 2.1, NVMe over PCIe Transport 1.1, NVM
 * Command Set 1.1, against a controller behind vfio-user): the case
 * functions the table in suite_nvme.c lists, one file per area
 * (suite_nvme_<area>.c), all driving the controller through
 * conform_nvme.h.
 */

#include "conformance/conform.h"
#include "conformance/conform_nvme.h"

/* suite_nvme_reg.c: controller properties */
enum conform_verdict nvme_reg_cap_vs(struct conform_ctx *ctx);

/* suite_nvme_io.c: NVM command set I/O */
enum conform_verdict nvme_io_write_read(struct conform_ctx *ctx);

#endif
