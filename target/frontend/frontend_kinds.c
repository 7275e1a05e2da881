/* SPDX-License-Identifier: MIT */
/* The frontend kinds storlab-tgt serves: one line per kind (STYLE.md: an
 * explicit list, no self-registration). */
#include "target/frontend/frontend.h"
#include "target/frontend/vhost_blk.h"
#include "target/frontend/vhost_scsi.h"
#include "util/common.h"

const struct frontend_ops *const frontend_kinds[] = {
    &vhost_blk_frontend,
    &vhost_scsi_frontend,
};

const size_t frontend_kind_count = ARRAY_SIZE(frontend_kinds);
