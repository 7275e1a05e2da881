/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_NVMF_LOG_PAGES_H
#define STORLAB_NVMF_LOG_PAGES_H

/* Inside lib/nvmf: the page builders nvmf_log.c's table calls, each over a
 * zeroed page of the size the table gives. */

#include <stdbool.h>
#include <stdint.h>

#include "nvmf/nvmf_log.h"

bool nvmf_log_supported(uint8_t lid);

void nvmf_log_build_supported(struct nvmf_log *log, const struct nvmf_log_src *src,
			      const struct nvmf_log_req *req, uint8_t *page);
void nvmf_log_build_error(struct nvmf_log *log, const struct nvmf_log_src *src,
			  const struct nvmf_log_req *req, uint8_t *page);
void nvmf_log_build_smart(struct nvmf_log *log, const struct nvmf_log_src *src,
			  const struct nvmf_log_req *req, uint8_t *page);
void nvmf_log_build_fw(struct nvmf_log *log, const struct nvmf_log_src *src,
		       const struct nvmf_log_req *req, uint8_t *page);
/* Empties the list: it names changes since the last read. */
void nvmf_log_build_changed_ns(struct nvmf_log *log, const struct nvmf_log_src *src,
			       const struct nvmf_log_req *req, uint8_t *page);
void nvmf_log_build_effects(struct nvmf_log *log, const struct nvmf_log_src *src,
			    const struct nvmf_log_req *req, uint8_t *page);

#endif
