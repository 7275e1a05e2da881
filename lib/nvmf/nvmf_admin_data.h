/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_NVMF_ADMIN_DATA_H
#define STORLAB_NVMF_ADMIN_DATA_H

/*
 * The admin commands that return a data structure built from the
 * controller's props and state: Identify (nvmf_identify.h) and Get Log Page
 * (nvmf_log.h, the controller's struct nvmf_log). For nvmf_admin.c's
 * dispatch table; both answer NVMF_ADMIN_DONE.
 *
 * Threading: the admin queue's thread.
 */

#include "nvmf/nvmf_admin.h"

enum nvmf_admin_action nvmf_admin_identify(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe,
					   struct nvmf_admin_out *out);
enum nvmf_admin_action nvmf_admin_get_log_page(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe,
					       struct nvmf_admin_out *out);

#endif
