/* SPDX-License-Identifier: MIT */
/* The suites linked into `storlab conform`, in the order they run
 * (STYLE.md: one explicit list, no self-registration). Protocol first: a
 * back-end that breaks vhost-user is reported there before its data path. */
#include "conformance/conform.h"
#include "util/common.h"

const struct conform_suite *const g_conform_suites[] = {
    &g_suite_vhost_user,
    &g_suite_virtio_blk,
    &g_suite_virtio_scsi,
    &g_suite_nvme,
    &g_suite_vfio_user,
};
const unsigned g_conform_nsuites = ARRAY_SIZE(g_conform_suites);
