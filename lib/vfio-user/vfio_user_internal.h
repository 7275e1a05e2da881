/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_VFIO_USER_VFIO_USER_INTERNAL_H
#define STORLAB_VFIO_USER_VFIO_USER_INTERNAL_H

/* What the codec's files share; not for users of lib/vfio-user. */

#include <stdint.h>

#include "vfio-user/vfio_user.h"

/* One row of the spec's "Commands" table. */
struct vfio_user_cmd_desc {
	const char *name;
	enum vfio_user_side sender;
};

/* The row of a listed command, or NULL. */
const struct vfio_user_cmd_desc *vfio_user_cmd_desc(uint16_t cmd);

/* Parses a VERSION payload (command or reply): major, minor and the
 * optional NUL-terminated JSON. */
int vfio_user_version_parse(const struct vfio_user_msg *msg, uint16_t *major, uint16_t *minor,
			    struct vfio_user_caps *caps);

#endif
