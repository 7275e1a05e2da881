/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_UTIL_FS_H
#define STORLAB_UTIL_FS_H

/* Files and directories. */

/* Removes dir and everything below it, not following links; what cannot
 * be removed stays (best effort: a temporary directory's clean-up). */
void util_remove_tree(const char *dir);

#endif
