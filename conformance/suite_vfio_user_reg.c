/* SPDX-License-Identifier: MIT */
/*
 * vfio-user suite: device regions (VFU-REG), vfio-user.rst
 * "VFIO_USER_DEVICE_GET_REGION_INFO", "Message sizes", "Read and Write
 * Operations", "VFIO_USER_REGION_READ" / "_WRITE": what the server says of
 * its regions, and accesses at the edges of them.
 */
#include <errno.h>
#include <string.h>

#include "conformance/suite_vfio_user.h"

#define IOVA 0x100000ull

/* GET_REGION_INFO of index asking argsz bytes: vfu_call's result, the
 * reply in *m (the caller finishes it). */
static int region_info(struct vfu_conn *c, uint32_t index, uint32_t argsz, struct vfu_msg *m)
{
	struct vfio_region_info req = {.argsz = argsz, .index = index};

	return vfu_call(c, VFIO_USER_DEVICE_GET_REGION_INFO, &req, sizeof(req), NULL, 0, m);
}

/* The size of region index as GET_REGION_INFO says: 0 with *size, or a
 * negative errno with the verdict set to ERROR. */
static int region_size(struct vfu_conn *c, uint32_t index, uint64_t *size)
{
	struct vfio_region_info info;
	struct vfu_msg m;
	int ret = region_info(c, index, sizeof(info), &m);

	if (ret == 0) {
		vfu_msg_fini(&m);
		ret = vfu_reply_errno(&m) >= 0 || m.len < sizeof(info) ? -EPROTO : 0;
	}
	if (ret < 0) {
		conform_error(c->ctx, "set-up: GET_REGION_INFO of region %u: %s", index,
			      strerror(-ret));
		return ret;
	}
	memcpy(&info, m.payload, sizeof(info));
	*size = info.size;
	return 0;
}

enum conform_verdict vfu_reg_info_argsz(struct conform_ctx *ctx)
{
	struct vfio_region_info info;
	struct vfu_conn c;
	struct vfu_msg m;
	int ret;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	ret = region_info(&c, VFIO_PCI_BAR0_REGION_INDEX, sizeof(info), &m);
	if (ret < 0)
		return conform_fail(ctx, "GET_REGION_INFO of BAR0: no reply: %s", strerror(-ret));
	vfu_msg_fini(&m);
	if (vfu_reply_errno(&m) >= 0)
		return conform_not_applicable(ctx, "the device has no BAR0 (error %d)",
					      vfu_reply_errno(&m));
	if (m.len > sizeof(info))
		return conform_fail(ctx, "asked at most %zu bytes, the reply has %u", sizeof(info),
				    m.len);
	if (m.len < sizeof(info))
		return conform_fail(ctx, "a reply of %u bytes, short of the region info's 32",
				    m.len);
	memcpy(&info, m.payload, sizeof(info));
	if (info.argsz < sizeof(info))
		return conform_fail(ctx, "the reply's argsz %u is below the 32 bytes it sent",
				    info.argsz);
	conform_note(ctx, "BAR0: argsz %u, flags 0x%x, size 0x%llx", info.argsz, info.flags,
		     (unsigned long long)info.size);
	return CONFORM_PASS;
}

enum conform_verdict vfu_reg_info_mmap_fd(struct conform_ctx *ctx)
{
	struct vfio_user_device_info dev;
	struct vfio_region_info info;
	unsigned mmapped = 0;
	struct vfu_conn c;
	struct vfu_msg m;
	int ret;

	if (vfu_open_info(ctx, &c, &dev))
		return CONFORM_ERROR;
	for (uint32_t i = 0; i < dev.num_regions; i++) {
		ret = region_info(&c, i, sizeof(info), &m);
		if (ret < 0)
			return conform_fail(ctx, "GET_REGION_INFO of region %u: no reply: %s", i,
					    strerror(-ret));
		vfu_msg_fini(&m);
		if (vfu_reply_errno(&m) >= 0 || m.len < sizeof(info))
			continue;
		memcpy(&info, m.payload, sizeof(info));
		if (!(info.flags & VFIO_REGION_INFO_FLAG_MMAP))
			continue;
		mmapped++;
		if (!m.nfds)
			return conform_fail(ctx, "region %u has the MMAP flag, its reply no fd", i);
	}
	if (!mmapped)
		return conform_not_applicable(ctx, "no region has the MMAP flag");
	return CONFORM_PASS;
}

enum conform_verdict vfu_reg_info_bad_index(struct conform_ctx *ctx)
{
	struct vfio_user_device_info dev;
	struct vfio_region_info req = {.argsz = sizeof(req)};
	struct vfu_conn c;

	if (vfu_open_info(ctx, &c, &dev))
		return CONFORM_ERROR;
	req.index = dev.num_regions;
	return vfu_expect_refused(&c, "GET_REGION_INFO of the index num_regions",
				  VFIO_USER_DEVICE_GET_REGION_INFO, &req, sizeof(req), NULL, 0);
}

enum conform_verdict vfu_reg_read_reply(struct conform_ctx *ctx)
{
	struct vfio_user_region_access a = {.region = VFIO_PCI_BAR0_REGION_INDEX, .count = 8};
	struct vfu_conn c;
	struct vfu_msg m;
	int ret;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	ret = vfu_call(&c, VFIO_USER_REGION_READ, &a, sizeof(a), NULL, 0, &m);
	if (ret < 0)
		return conform_fail(ctx, "REGION_READ of BAR0 0+8: no reply: %s", strerror(-ret));
	vfu_msg_fini(&m);
	if (vfu_reply_errno(&m) >= 0)
		return conform_fail(ctx, "REGION_READ of BAR0 0+8 (CAP) failed: error %d",
				    vfu_reply_errno(&m));
	if (m.len != sizeof(a) + a.count || memcmp(m.payload, &a, sizeof(a)))
		return conform_fail(ctx,
				    "the reply (%u payload bytes) is not offset 0, region 0, "
				    "count 8 and 8 bytes of data",
				    m.len);
	return CONFORM_PASS;
}

enum conform_verdict vfu_reg_past_end(struct conform_ctx *ctx)
{
	struct vfio_user_region_access a = {.region = VFIO_PCI_CONFIG_REGION_INDEX, .count = 4};
	struct vfu_conn c;
	uint64_t size;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	if (region_size(&c, VFIO_PCI_CONFIG_REGION_INDEX, &size))
		return CONFORM_ERROR;
	/* one byte past the end, the smallest overrun, of a region a server
	 * may serve from plain memory */
	a.offset = size - 3;
	return vfu_expect_refused(&c, "REGION_READ of 4 bytes 3 before config space's end",
				  VFIO_USER_REGION_READ, &a, sizeof(a), NULL, 0);
}

enum conform_verdict vfu_reg_bad_index(struct conform_ctx *ctx)
{
	struct vfio_user_region_access a = {.count = 4};
	struct vfio_user_device_info dev;
	struct vfu_conn c;

	if (vfu_open_info(ctx, &c, &dev))
		return CONFORM_ERROR;
	a.region = dev.num_regions;
	return vfu_expect_refused(&c, "REGION_READ of the region index num_regions",
				  VFIO_USER_REGION_READ, &a, sizeof(a), NULL, 0);
}

enum conform_verdict vfu_reg_past_xfer_max(struct conform_ctx *ctx)
{
	struct vfio_user_region_access a = {.region = VFIO_PCI_BAR0_REGION_INDEX};
	struct vfu_conn c;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	a.count = c.server.max_data_xfer_size + 1;
	return vfu_expect_refused(&c, "REGION_READ of one byte more than max_data_xfer_size",
				  VFIO_USER_REGION_READ, &a, sizeof(a), NULL, 0);
}

enum conform_verdict vfu_reg_write_short(struct conform_ctx *ctx)
{
	struct vfio_user_region_access a = {.region = VFIO_PCI_BAR0_REGION_INDEX, .count = 8};
	uint8_t buf[sizeof(a) + 4] = {0};
	struct vfu_conn c;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	memcpy(buf, &a, sizeof(a));
	return vfu_expect_refused(&c, "REGION_WRITE of count 8 with 4 bytes of data",
				  VFIO_USER_REGION_WRITE, buf, sizeof(buf), NULL, 0);
}

enum conform_verdict vfu_reg_zero_count(struct conform_ctx *ctx)
{
	struct vfio_user_region_access a = {.region = VFIO_PCI_BAR0_REGION_INDEX};
	struct vfu_conn c;
	struct vfu_msg m;
	int ret;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	ret = vfu_call(&c, VFIO_USER_REGION_READ, &a, sizeof(a), NULL, 0, &m);
	if (ret == 0) {
		vfu_msg_fini(&m);
		if (vfu_reply_errno(&m) >= 0)
			conform_info(ctx, "REGION_READ of count 0: refused with error %d",
				     vfu_reply_errno(&m));
		else
			conform_info(ctx, "REGION_READ of count 0: answered with %u payload bytes",
				     m.len);
	} else if (ret == -ECONNRESET) {
		conform_info(ctx, "REGION_READ of count 0: connection closed");
	} else {
		return conform_error(ctx, "REGION_READ of count 0: %s", strerror(-ret));
	}
	return vfu_expect_serving(&c);
}

/* PCI Local Bus 3.0 §6.2.5.1: a memory BAR's low 4 bits are its type; 64-bit
 * when bits 2:1 are 10b. */
#define PCI_BAR0      0x10
#define BAR_TYPE_MASK 0xfull
#define BAR_MEM_64    0x4u

enum conform_verdict vfu_reg_config_bar0(struct conform_ctx *ctx)
{
	const uint32_t cfg = VFIO_PCI_CONFIG_REGION_INDEX;
	uint64_t size, lo, hi = 0, old_lo, old_hi = 0, sized;
	struct vfu_conn c;
	int ret;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	if (region_size(&c, VFIO_PCI_BAR0_REGION_INDEX, &size))
		return CONFORM_ERROR;
	ret = vfu_reg_read(&c, cfg, PCI_BAR0, 4, &old_lo);
	if (ret == 0 && (old_lo & 0x6) == BAR_MEM_64)
		ret = vfu_reg_read(&c, cfg, PCI_BAR0 + 4, 4, &old_hi);
	/* Sizing as a guest's PCI code does: all ones, read back. */
	if (ret == 0)
		ret = vfu_reg_write(&c, cfg, PCI_BAR0, 4, 0xffffffff);
	if (ret == 0 && (old_lo & 0x6) == BAR_MEM_64)
		ret = vfu_reg_write(&c, cfg, PCI_BAR0 + 4, 4, 0xffffffff);
	if (ret == 0)
		ret = vfu_reg_read(&c, cfg, PCI_BAR0, 4, &lo);
	if (ret == 0 && (old_lo & 0x6) == BAR_MEM_64)
		ret = vfu_reg_read(&c, cfg, PCI_BAR0 + 4, 4, &hi);
	if (ret != 0)
		return conform_fail(ctx, "config space access to BAR0 failed: %s",
				    strerror(ret < 0 ? -ret : ret));
	vfu_reg_write(&c, cfg, PCI_BAR0, 4, old_lo);
	if ((old_lo & 0x6) == BAR_MEM_64)
		vfu_reg_write(&c, cfg, PCI_BAR0 + 4, 4, old_hi);
	sized = ~((hi << 32 | lo) & ~BAR_TYPE_MASK) + 1;
	if ((old_lo & 0x6) != BAR_MEM_64)
		sized &= 0xffffffffull;
	conform_note(ctx, "BAR0 reads 0x%llx after all ones: %llu bytes; the region: %llu",
		     (unsigned long long)(hi << 32 | lo), (unsigned long long)sized,
		     (unsigned long long)size);
	if (sized != size)
		return conform_fail(ctx,
				    "config space sizes BAR0 at %llu bytes, GET_REGION_INFO "
				    "at %llu",
				    (unsigned long long)sized, (unsigned long long)size);
	return CONFORM_PASS;
}

enum conform_verdict vfu_reg_write_mmapped(struct conform_ctx *ctx)
{
	struct vfu_conn c;
	enum conform_verdict v;
	void *mem;
	int ret;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	v = vfu_nvme_setup(&c, IOVA, &mem);
	if (v != CONFORM_PASS)
		return v;
	ret = vfu_nvme_identify(&c, mem, IOVA, 0, 1);
	if (ret != 0)
		return conform_fail(ctx,
				    "REGION_WRITE of the SQ 0 tail doorbell (BAR0 0x1000) "
				    "failed: %s",
				    strerror(ret < 0 ? -ret : ret));
	if (!vfu_nvme_cqe_posted(mem, 0, conform_timeout_ms(ctx)))
		return conform_fail(ctx, "the Identify whose doorbell REGION_WRITE rang was not "
					 "completed");
	return CONFORM_PASS;
}
