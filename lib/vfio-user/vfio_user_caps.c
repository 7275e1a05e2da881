/* SPDX-License-Identifier: MIT */
/*
 * VFIO_USER_VERSION: the version pair and the capabilities JSON
 * (vfio-user.rst "VFIO_USER_VERSION", Request and Capabilities).
 */
#define LOG_COMPONENT "vfio-user"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "util/common.h"
#include "util/log.h"
#include "vfio-user/vfio_user.h"
#include "vfio-user/vfio_user_internal.h"

void vfio_user_caps_default(struct vfio_user_caps *caps)
{
	*caps = (struct vfio_user_caps){
	    .max_msg_fds = VFIO_USER_DEFAULT_MAX_MSG_FDS,
	    .max_data_xfer_size = VFIO_USER_DEFAULT_MAX_DATA_XFER_SIZE,
	    .max_dma_maps = VFIO_USER_DEFAULT_MAX_DMA_MAPS,
	    .pgsizes = VFIO_USER_DEFAULT_PGSIZES,
	};
}

uint32_t vfio_user_max_msg_size(const struct vfio_user_caps *caps)
{
	uint32_t xfer = sizeof(struct vfio_user_hdr) + sizeof(struct vfio_user_region_access) +
			MIN(caps->max_data_xfer_size, VFIO_USER_MAX_DATA_XFER_LIMIT);
	uint32_t version = sizeof(struct vfio_user_hdr) + sizeof(struct vfio_user_version) +
			   VFIO_USER_VERSION_DATA_MAX;

	return MAX(xfer, version);
}

/* A number field of capabilities within [min, max]; absent keeps *out. */
static int caps_number(json_t *obj, const char *key, uint64_t min, uint64_t max, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) < min || (uint64_t)json_integer_value(v) > max) {
		log_warn("vfio-user.rst VFIO_USER_VERSION Capabilities: %s is not a number in "
			 "[%llu, %llu]",
			 key, (unsigned long long)min, (unsigned long long)max);
		return -EINVAL;
	}
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* "migration": {"pgsize": a power of two, "max_bitmap_size": > 0}; either
 * may be absent, nothing else in it is read. */
static int caps_migration(json_t *c, struct vfio_user_caps *caps)
{
	json_t *m = json_object_get(c, "migration");
	uint64_t pgsize = 0, bitmap = 0;
	int ret;

	if (!m)
		return 0;
	if (!json_is_object(m)) {
		log_warn("vfio-user.rst VFIO_USER_VERSION Capabilities: migration is not an "
			 "object");
		return -EINVAL;
	}
	if ((ret = caps_number(m, "pgsize", 1, INT64_MAX, &pgsize)) < 0 ||
	    (ret = caps_number(m, "max_bitmap_size", 1, INT64_MAX, &bitmap)) < 0)
		return ret;
	if (pgsize && !IS_POW2(pgsize)) {
		log_warn("vfio-user.rst VFIO_USER_VERSION Capabilities: migration pgsize %llu is "
			 "not a page size",
			 (unsigned long long)pgsize);
		return -EINVAL;
	}
	caps->migr_pgsize = pgsize;
	caps->migr_max_bitmap_size = bitmap;
	return 0;
}

static int caps_from_json(json_t *root, struct vfio_user_caps *caps)
{
	uint64_t fds = caps->max_msg_fds, xfer = caps->max_data_xfer_size;
	uint64_t maps = caps->max_dma_maps, pgsizes = caps->pgsizes;
	json_t *c, *v;
	int ret;

	if (!json_is_object(root)) {
		log_warn("vfio-user.rst VFIO_USER_VERSION: version data is not a JSON object");
		return -EINVAL;
	}
	c = json_object_get(root, "capabilities");
	if (!c)
		return 0;
	if (!json_is_object(c)) {
		log_warn("vfio-user.rst VFIO_USER_VERSION: capabilities is not an object");
		return -EINVAL;
	}
	/* A peer that receives more than we ever send is held to our limit:
	 * the value only bounds what we send it. */
	v = json_object_get(c, "max_data_xfer_size");
	if (json_is_integer(v) && json_integer_value(v) > VFIO_USER_MAX_DATA_XFER_LIMIT)
		xfer = VFIO_USER_MAX_DATA_XFER_LIMIT;
	else if ((ret = caps_number(c, "max_data_xfer_size", 1, VFIO_USER_MAX_DATA_XFER_LIMIT,
				    &xfer)) < 0)
		return ret;
	if ((ret = caps_number(c, "max_msg_fds", 0, VFIO_USER_MAX_MSG_FDS_LIMIT, &fds)) < 0 ||
	    (ret = caps_number(c, "max_dma_maps", 1, UINT32_MAX, &maps)) < 0 ||
	    (ret = caps_number(c, "pgsizes", 1, INT64_MAX, &pgsizes)) < 0)
		return ret;
	v = json_object_get(c, "write_multiple");
	if (v && !json_is_boolean(v)) {
		log_warn("vfio-user.rst VFIO_USER_VERSION Capabilities: write_multiple is not a "
			 "boolean");
		return -EINVAL;
	}
	v = json_object_get(c, "twin_socket");
	if (v && !json_is_object(v)) {
		log_warn("vfio-user.rst VFIO_USER_VERSION Capabilities: twin_socket is not an "
			 "object");
		return -EINVAL;
	}
	ret = caps_migration(c, caps);
	if (ret < 0)
		return ret;
	caps->max_msg_fds = fds;
	caps->max_data_xfer_size = xfer;
	caps->max_dma_maps = maps;
	caps->pgsizes = pgsizes;
	caps->write_multiple = json_is_true(json_object_get(c, "write_multiple"));
	return 0;
}

int vfio_user_caps_parse(const char *data, size_t len, struct vfio_user_caps *caps)
{
	struct vfio_user_caps parsed;
	json_error_t err;
	json_t *root;
	int ret;

	if (len > VFIO_USER_VERSION_DATA_MAX) {
		log_warn("vfio-user.rst VFIO_USER_VERSION: %zu bytes of version data, past the %d "
			 "we read",
			 len, VFIO_USER_VERSION_DATA_MAX);
		return -EMSGSIZE;
	}
	if (len == 0 || strnlen(data, len) != len - 1) {
		log_warn("vfio-user.rst VFIO_USER_VERSION: version data must end in its one "
			 "terminating NUL");
		return -EINVAL;
	}
	root = json_loadb(data, len - 1, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		log_warn("vfio-user.rst VFIO_USER_VERSION: version data is not JSON: %s", err.text);
		return -EINVAL;
	}
	parsed = *caps;
	ret = caps_from_json(root, &parsed);
	json_decref(root);
	if (ret == 0)
		*caps = parsed;
	return ret;
}

int vfio_user_caps_build(const struct vfio_user_caps *caps, char *buf, size_t cap)
{
	json_t *root;
	size_t n;

	root = json_pack("{s:{s:I,s:I,s:I,s:I,s:b}}", "capabilities", "max_msg_fds",
			 (json_int_t)caps->max_msg_fds, "max_data_xfer_size",
			 (json_int_t)caps->max_data_xfer_size, "max_dma_maps",
			 (json_int_t)caps->max_dma_maps, "pgsizes", (json_int_t)caps->pgsizes,
			 "write_multiple", caps->write_multiple);
	if (!root)
		return -ENOMEM;
	if (caps->migr_pgsize &&
	    json_object_set_new(json_object_get(root, "capabilities"), "migration",
				json_pack("{s:I,s:I}", "pgsize", (json_int_t)caps->migr_pgsize,
					  "max_bitmap_size",
					  (json_int_t)caps->migr_max_bitmap_size)) < 0) {
		json_decref(root);
		return -ENOMEM;
	}
	n = json_dumpb(root, buf, cap, JSON_COMPACT);
	json_decref(root);
	if (n == 0)
		return -ENOMEM;
	if (n + 1 > cap)
		return -ENOSPC;
	buf[n] = 0;
	return n + 1;
}

int vfio_user_version_parse(const struct vfio_user_msg *msg, uint16_t *major, uint16_t *minor,
			    struct vfio_user_caps *caps)
{
	struct vfio_user_version v;

	if (msg->len < sizeof(v)) {
		log_warn("vfio-user.rst VFIO_USER_VERSION: %u payload bytes, short of the 4 of "
			 "major and minor",
			 msg->len);
		return -EINVAL;
	}
	memcpy(&v, msg->payload, sizeof(v));
	*major = v.major;
	*minor = v.minor;
	vfio_user_caps_default(caps);
	/* "version data ... Optional." */
	if (msg->len == sizeof(v))
		return 0;
	return vfio_user_caps_parse((const char *)msg->payload + sizeof(v), msg->len - sizeof(v),
				    caps);
}
