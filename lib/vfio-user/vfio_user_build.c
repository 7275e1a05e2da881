/* SPDX-License-Identifier: MIT */
/*
 * vfio-user messages written into a caller's buffer (vfio-user.rst
 * "Header": msg_size counts the header; a reply echoes the command's id and
 * command; an error reply "must only include the reply header").
 */
#include <errno.h>
#include <string.h>

#include "util/common.h"
#include "vfio-user/vfio_user.h"

int vfio_user_build(void *buf, size_t cap, const struct vfio_user_hdr *hdr, const void *part1,
		    size_t len1, const void *part2, size_t len2)
{
	struct vfio_user_hdr h = *hdr;
	size_t total = sizeof(h) + len1 + len2;
	uint8_t *p = buf;

	if (total > cap || total > UINT32_MAX)
		return -ENOSPC;
	h.msg_size = total;
	memcpy(p, &h, sizeof(h));
	if (len1)
		memcpy(p + sizeof(h), part1, len1);
	if (len2)
		memcpy(p + sizeof(h) + len1, part2, len2);
	return total;
}

int vfio_user_build_cmd(void *buf, size_t cap, uint16_t msg_id, uint16_t cmd, uint32_t flags,
			const void *part1, size_t len1, const void *part2, size_t len2)
{
	struct vfio_user_hdr h = {
	    .msg_id = msg_id, .cmd = cmd, .flags = VFIO_USER_F_TYPE_COMMAND | flags};

	return vfio_user_build(buf, cap, &h, part1, len1, part2, len2);
}

int vfio_user_build_reply(void *buf, size_t cap, const struct vfio_user_hdr *cmd_hdr,
			  const void *part1, size_t len1, const void *part2, size_t len2)
{
	struct vfio_user_hdr h = {
	    .msg_id = cmd_hdr->msg_id, .cmd = cmd_hdr->cmd, .flags = VFIO_USER_F_TYPE_REPLY};

	return vfio_user_build(buf, cap, &h, part1, len1, part2, len2);
}

int vfio_user_build_error(void *buf, size_t cap, const struct vfio_user_hdr *cmd_hdr, int err)
{
	struct vfio_user_hdr h = {.msg_id = cmd_hdr->msg_id,
				  .cmd = cmd_hdr->cmd,
				  .flags = VFIO_USER_F_TYPE_REPLY | VFIO_USER_F_ERROR,
				  .error = err};

	return vfio_user_build(buf, cap, &h, NULL, 0, NULL, 0);
}

int vfio_user_build_version(void *buf, size_t cap, const struct vfio_user_hdr *cmd_hdr,
			    uint16_t msg_id, uint16_t major, uint16_t minor,
			    const struct vfio_user_caps *caps)
{
	struct vfio_user_version v = {.major = major, .minor = minor};
	char json[VFIO_USER_VERSION_DATA_MAX];
	int n = vfio_user_caps_build(caps, json, sizeof(json));

	if (n < 0)
		return n;
	if (cmd_hdr)
		return vfio_user_build_reply(buf, cap, cmd_hdr, &v, sizeof(v), json, n);
	return vfio_user_build_cmd(buf, cap, msg_id, VFIO_USER_VERSION, 0, &v, sizeof(v), json, n);
}

int vfio_user_build_region_info(void *buf, size_t cap, const struct vfio_user_hdr *cmd_hdr,
				uint32_t argsz, const struct vfio_region_info *info,
				const struct vfio_region_sparse_mmap_area *areas, uint32_t nr_areas)
{
	uint8_t caps[sizeof(struct vfio_region_info_cap_sparse_mmap) +
		     VFIO_USER_MAX_SPARSE_AREAS * sizeof(struct vfio_region_sparse_mmap_area)];
	struct vfio_region_info_cap_sparse_mmap sm = {
	    .header = {.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP,
		       .version = VFIO_USER_SPARSE_MMAP_VERSION},
	    .nr_areas = nr_areas};
	struct vfio_region_info r = *info;
	size_t caps_len = 0;

	if (nr_areas > VFIO_USER_MAX_SPARSE_AREAS)
		return -EINVAL;
	r.flags &= ~VFIO_REGION_INFO_FLAG_CAPS;
	r.cap_offset = 0;
	if (nr_areas) {
		caps_len = sizeof(sm) + nr_areas * sizeof(*areas);
		memcpy(caps, &sm, sizeof(sm));
		memcpy(caps + sizeof(sm), areas, nr_areas * sizeof(*areas));
		r.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		r.cap_offset = sizeof(r);
	}
	r.argsz = sizeof(r) + caps_len;
	/* "Message sizes": past the request's argsz, only the fixed part goes,
	 * its argsz saying how much the client must ask for. */
	if (r.argsz > argsz) {
		caps_len = 0;
		r.cap_offset = 0; /* as the kernel: no capability in this reply */
	}
	return vfio_user_build_reply(buf, cap, cmd_hdr, &r, sizeof(r), caps, caps_len);
}
