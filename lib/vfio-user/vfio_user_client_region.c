/* SPDX-License-Identifier: MIT */
/*
 * The device's regions as the client sees them: described by
 * VFIO_USER_DEVICE_GET_REGION_INFO (asked again with the argsz the server
 * says when the first reply was cut, "Message sizes"), their sparse areas
 * mapped from the fd that came with the info ("Sparse Regions"), and
 * reached through VFIO_USER_REGION_READ / REGION_WRITE elsewhere.
 */
#define LOG_COMPONENT "vfio-user"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/common.h"
#include "util/log.h"
#include "vfio-user/vfio_user_client_internal.h"

/* One GET_REGION_INFO of argsz bytes; *fd gets the fd that came (or -1). */
static int region_ask(struct vfio_user_client *c, uint32_t index, uint32_t argsz,
		      struct vfio_user_reply *r, int *fd)
{
	struct vfio_region_info q = {.argsz = argsz, .index = index};
	int len = vfio_user_build_cmd(c->tx, c->tx_size, vfio_user_client_next_id(c),
				      VFIO_USER_DEVICE_GET_REGION_INFO, 0, &q, sizeof(q), NULL, 0);

	return vfio_user_client_request(c, len, NULL, 0, r, fd);
}

static int region_info(struct vfio_user_client *c, uint32_t index,
		       struct vfio_user_client_region_state *rs)
{
	struct vfio_region_info *info = &rs->pub.info;
	struct vfio_user_reply r;
	uint32_t argsz = sizeof(*info);
	int ret = region_ask(c, index, argsz, &r, &rs->fd);

	if (ret == 0 && r.u.region_info.truncated) {
		argsz = r.u.region_info.info.argsz;
		if (rs->fd >= 0)
			close(rs->fd); /* the next reply brings it again */
		rs->fd = -1;
		if (argsz > c->rx_max - sizeof(struct vfio_user_hdr)) {
			log_warn("vfio-user.rst Message sizes: region %u info needs %u bytes, past "
				 "the messages this client receives",
				 index, argsz);
			return -EMSGSIZE;
		}
		ret = region_ask(c, index, argsz, &r, &rs->fd);
		if (ret == 0 && r.u.region_info.truncated) {
			log_warn("vfio-user.rst Message sizes: region %u info cut short again at "
				 "the argsz the server asked for",
				 index);
			return -EPROTO;
		}
	}
	if (ret < 0)
		return ret;
	*info = r.u.region_info.info;
	if (!(info->flags & VFIO_REGION_INFO_FLAG_MMAP))
		return 0; /* sparse areas without MMAP: nothing may be mapped */
	rs->pub.nr_areas = r.u.region_info.nr_areas;
	memcpy(rs->pub.areas, r.u.region_info.areas, sizeof(rs->pub.areas));
	/* Without a sparse mmap capability the whole region maps. */
	if (rs->pub.nr_areas == 0 && info->size) {
		rs->pub.areas[0] = (struct vfio_region_sparse_mmap_area){.size = info->size};
		rs->pub.nr_areas = 1;
	}
	return 0;
}

int vfio_user_client_regions_init(struct vfio_user_client *c)
{
	c->regions = calloc(c->dev.num_regions ? c->dev.num_regions : 1, sizeof(*c->regions));
	if (!c->regions)
		return -ENOMEM;
	for (uint32_t i = 0; i < c->dev.num_regions; i++)
		c->regions[i].fd = -1;
	for (uint32_t i = 0; i < c->dev.num_regions; i++) {
		int ret = region_info(c, i, &c->regions[i]);

		if (ret < 0)
			return ret;
	}
	return 0;
}

void vfio_user_client_regions_fini(struct vfio_user_client *c)
{
	if (!c->regions)
		return;
	for (uint32_t i = 0; i < c->dev.num_regions; i++) {
		struct vfio_user_client_region_state *rs = &c->regions[i];

		for (uint32_t a = 0; a < rs->pub.nr_areas; a++)
			if (rs->maps[a])
				munmap(rs->maps[a], rs->pub.areas[a].size);
		if (rs->fd >= 0)
			close(rs->fd);
	}
	free(c->regions);
	c->regions = NULL;
}

const struct vfio_user_client_region *vfio_user_client_region(const struct vfio_user_client *c,
							      uint32_t index)
{
	return index < c->dev.num_regions ? &c->regions[index].pub : NULL;
}

/* A file (a memfd) must hold the mapped range: a page past its end would
 * raise SIGBUS in the driver that touches it. Other kinds of fd are taken
 * as they are. A server that shrinks the file later still can. */
static int fd_covers(int fd, uint64_t off, uint64_t size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode) && (off > (uint64_t)st.st_size || size > st.st_size - off))
		return -EINVAL;
	return 0;
}

int vfio_user_client_region_map(struct vfio_user_client *c, uint32_t index, uint32_t area,
				void **addr)
{
	struct vfio_user_client_region_state *rs;
	const struct vfio_region_sparse_mmap_area *a;
	long page = sysconf(_SC_PAGESIZE);
	uint64_t off;
	int ret, prot = 0;
	void *p;

	if (index >= c->dev.num_regions || area >= c->regions[index].pub.nr_areas) {
		log_warn("vfio-user.rst Sparse Regions: region %u area %u is not one the server "
			 "offered to map",
			 index, area);
		return -ENOENT;
	}
	rs = &c->regions[index];
	if (rs->maps[area]) {
		*addr = rs->maps[area];
		return 0;
	}
	a = &rs->pub.areas[area];
	off = rs->pub.info.offset + a->offset;
	if (off < a->offset || off % (uint64_t)page || off > (uint64_t)INT64_MAX) {
		log_warn("vfio-user.rst VFIO_USER_DEVICE_GET_REGION_INFO: region %u area %u at fd "
			 "offset 0x%llx is not page aligned",
			 index, area, (unsigned long long)off);
		return -EINVAL;
	}
	ret = fd_covers(rs->fd, off, a->size);
	if (ret < 0) {
		log_warn("vfio-user.rst Sparse Regions: region %u area %u (0x%llx at 0x%llx) ends "
			 "past the file the server sent",
			 index, area, (unsigned long long)a->size, (unsigned long long)off);
		return ret;
	}
	if (rs->pub.info.flags & VFIO_REGION_INFO_FLAG_READ)
		prot |= PROT_READ;
	if (rs->pub.info.flags & VFIO_REGION_INFO_FLAG_WRITE)
		prot |= PROT_WRITE;
	p = mmap(NULL, a->size, prot, MAP_SHARED, rs->fd, (off_t)off);
	if (p == MAP_FAILED) {
		ret = -errno;

		log_warn("vfio-user: mmap of region %u area %u (0x%llx bytes at 0x%llx): %s", index,
			 area, (unsigned long long)a->size, (unsigned long long)off,
			 strerror(-ret));
		return ret;
	}
	rs->maps[area] = p;
	*addr = p;
	return 0;
}

/* A range inside region index that its flags let us access with flag. */
static int access_check(const struct vfio_user_client *c, uint32_t index, uint64_t offset,
			size_t len, uint32_t flag)
{
	const struct vfio_region_info *info;

	if (index >= c->dev.num_regions) {
		log_warn("vfio-user.rst VFIO_USER_DEVICE_GET_INFO: region %u is past the device's "
			 "%u",
			 index, c->dev.num_regions);
		return -ENOENT;
	}
	info = &c->regions[index].pub.info;
	if (!(info->flags & flag)) {
		log_warn("vfio-user.rst VFIO_USER_DEVICE_GET_REGION_INFO: region %u is not %s",
			 index, flag == VFIO_REGION_INFO_FLAG_READ ? "readable" : "writable");
		return -EACCES;
	}
	if (offset > info->size || len > info->size - offset) {
		log_warn("vfio-user.rst Read and Write Operations: 0x%llx + %zu is outside region "
			 "%u of 0x%llx bytes",
			 (unsigned long long)offset, len, index, (unsigned long long)info->size);
		return -ERANGE;
	}
	return 0;
}

/* One REGION_READ (out) or REGION_WRITE (in) of count bytes at offset. */
static int region_msg(struct vfio_user_client *c, uint16_t cmd, uint32_t index, uint64_t offset,
		      uint32_t count, const void *in, void *out)
{
	struct vfio_user_region_access a = {.offset = offset, .region = index, .count = count};
	struct vfio_user_reply r;
	int n, ret = vfio_user_client_tx_reserve(c, sizeof(struct vfio_user_hdr) + sizeof(a) +
							(in ? count : 0));

	if (ret < 0)
		return ret;
	n = vfio_user_build_cmd(c->tx, c->tx_size, vfio_user_client_next_id(c), cmd, 0, &a,
				sizeof(a), in, in ? count : 0);
	ret = vfio_user_client_request(c, n, NULL, 0, &r, NULL);
	if (ret == 0 && out)
		memcpy(out, r.u.data, count);
	return ret;
}

/* "The count field must not exceed the value of max_data_xfer_size of the
 * peer": each message moves at most xfer_max bytes. */
int vfio_user_client_region_read(struct vfio_user_client *c, uint32_t index, uint64_t offset,
				 void *buf, size_t len)
{
	int ret = access_check(c, index, offset, len, VFIO_REGION_INFO_FLAG_READ);

	for (size_t done = 0; done < len && ret == 0; done += c->xfer_max)
		ret = region_msg(c, VFIO_USER_REGION_READ, index, offset + done,
				 MIN(len - done, c->xfer_max), NULL, (uint8_t *)buf + done);
	return ret;
}

int vfio_user_client_region_write(struct vfio_user_client *c, uint32_t index, uint64_t offset,
				  const void *buf, size_t len)
{
	int ret = access_check(c, index, offset, len, VFIO_REGION_INFO_FLAG_WRITE);

	for (size_t done = 0; done < len && ret == 0; done += c->xfer_max)
		ret = region_msg(c, VFIO_USER_REGION_WRITE, index, offset + done,
				 MIN(len - done, c->xfer_max), (const uint8_t *)buf + done, NULL);
	return ret;
}

static int width_ok(unsigned width)
{
	if (width == 1 || width == 2 || width == 4 || width == 8)
		return 0;
	log_warn("vfio-user: a register access of %u bytes; 1, 2, 4 or 8 are", width);
	return -EINVAL;
}

/* The host's byte order ("Protocol Specification"): the low bytes of val. */
int vfio_user_client_reg_read(struct vfio_user_client *c, uint32_t index, uint64_t offset,
			      unsigned width, uint64_t *val)
{
	uint8_t b[8] = {0};
	int ret = width_ok(width);

	if (ret == 0)
		ret = vfio_user_client_region_read(c, index, offset, b, width);
	if (ret == 0)
		memcpy(val, b, sizeof(*val));
	return ret;
}

int vfio_user_client_reg_write(struct vfio_user_client *c, uint32_t index, uint64_t offset,
			       unsigned width, uint64_t val)
{
	int ret = width_ok(width);

	return ret < 0 ? ret : vfio_user_client_region_write(c, index, offset, &val, width);
}
