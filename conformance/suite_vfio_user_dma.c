/* SPDX-License-Identifier: MIT */
/*
 * vfio-user suite: the client's memory (VFU-DMA), vfio-user.rst
 * "VFIO_USER_DMA_MAP", "VFIO_USER_DMA_UNMAP" and "Client Disconnection":
 * mappings with and without an fd, overlaps, unmaps that match no mapping,
 * the bound the server announced, and memory a device is using.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "conformance/suite_vfio_user.h"

#define IOVA 0x100000ull
#define SIZE 0x10000ull	  /* a mapping: 64 KiB */
#define FAR  (1ull << 40) /* nothing is mapped there */
#define PAGE 4096ull

/* A connection after VERSION with a memfd of 2 * SIZE (*fd, mapped at
 * *mem) and its first SIZE bytes mapped at IOVA. */
static int open_mapped(struct conform_ctx *ctx, struct vfu_conn *c, int *fd, void **mem)
{
	int ret;

	if (vfu_open(ctx, true, c))
		return -1;
	*fd = vfu_memfd(ctx, 2 * SIZE, mem);
	if (*fd < 0)
		return -1;
	ret = vfu_dma_map(c, IOVA, SIZE, *fd, 0);
	if (ret != 0) {
		conform_error(ctx, "set-up: DMA_MAP of 0x%llx+0x%llx with an fd: %s", IOVA, SIZE,
			      strerror(ret < 0 ? -ret : ret));
		return -1;
	}
	return 0;
}

enum conform_verdict vfu_dma_map_fd(struct conform_ctx *ctx)
{
	struct vfio_user_dma_map map = vfu_dma_map_req(IOVA, SIZE, 0);
	struct vfu_conn c;
	struct vfu_msg m;
	void *mem;
	int fd, ret;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	fd = vfu_memfd(ctx, SIZE, &mem);
	if (fd < 0)
		return CONFORM_ERROR;
	ret = vfu_call(&c, VFIO_USER_DMA_MAP, &map, sizeof(map), &fd, 1, &m);
	if (ret < 0)
		return conform_fail(ctx, "DMA_MAP with an fd: no reply: %s", strerror(-ret));
	vfu_msg_fini(&m);
	if (vfu_reply_errno(&m) >= 0)
		return conform_fail(ctx, "DMA_MAP of 64 KiB of a memfd at 0x%llx refused: error %d",
				    IOVA, vfu_reply_errno(&m));
	if (m.len)
		return conform_fail(ctx, "the DMA_MAP reply has %u payload bytes", m.len);
	return CONFORM_PASS;
}

/* DMA_MAP of [iova, iova + SIZE) with fd (-1: none) at offset: PASS when
 * carried out, FAIL naming what otherwise. */
static enum conform_verdict map_done(struct vfu_conn *c, uint64_t iova, int fd, uint64_t offset,
				     const char *what)
{
	int ret = vfu_dma_map(c, iova, SIZE, fd, offset);

	if (ret < 0)
		return conform_fail(c->ctx, "%s: no reply: %s", what, strerror(-ret));
	if (ret)
		return conform_fail(c->ctx, "%s of 0x%llx+0x%llx refused: error %d (%s)", what,
				    (unsigned long long)iova, SIZE, ret, strerror(ret));
	return CONFORM_PASS;
}

enum conform_verdict vfu_dma_map_no_fd(struct conform_ctx *ctx)
{
	struct vfu_conn c;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	return map_done(&c, IOVA, -1, 0, "DMA_MAP without an fd");
}

/* After IOVA..+SIZE is mapped with an fd: DMA_MAP of [iova, iova + SIZE)
 * (with the fd at offset when with_fd) must fail with EEXIST. */
static enum conform_verdict overlap(struct conform_ctx *ctx, uint64_t iova, bool with_fd,
				    uint64_t offset)
{
	struct vfu_conn c;
	void *mem;
	int fd, ret;

	if (open_mapped(ctx, &c, &fd, &mem))
		return CONFORM_ERROR;
	ret = vfu_dma_map(&c, iova, SIZE, with_fd ? fd : -1, with_fd ? offset : 0);
	if (ret < 0)
		return conform_fail(ctx, "the overlapping DMA_MAP: no reply: %s", strerror(-ret));
	if (ret != EEXIST)
		return conform_fail(ctx,
				    "DMA_MAP of 0x%llx+0x%llx over 0x%llx+0x%llx: %s, not "
				    "EEXIST",
				    (unsigned long long)iova, SIZE, IOVA, SIZE,
				    ret ? strerror(ret) : "accepted");
	return CONFORM_PASS;
}

enum conform_verdict vfu_dma_overlap_fd(struct conform_ctx *ctx)
{
	return overlap(ctx, IOVA + SIZE / 2, true, SIZE / 2);
}

enum conform_verdict vfu_dma_overlap_no_fd(struct conform_ctx *ctx)
{
	return overlap(ctx, IOVA - SIZE / 2, false, 0);
}

enum conform_verdict vfu_dma_same_again(struct conform_ctx *ctx)
{
	return overlap(ctx, IOVA, true, 0);
}

enum conform_verdict vfu_dma_adjacent(struct conform_ctx *ctx)
{
	struct vfu_conn c;
	void *mem;
	int fd;

	if (open_mapped(ctx, &c, &fd, &mem))
		return CONFORM_ERROR;
	return map_done(&c, IOVA + SIZE, fd, SIZE, "DMA_MAP right after a mapping");
}

enum conform_verdict vfu_dma_unmap_echo(struct conform_ctx *ctx)
{
	struct vfio_user_dma_unmap unmap = {.argsz = sizeof(unmap), .address = IOVA, .size = SIZE};
	struct vfu_conn c;
	struct vfu_msg m;
	void *mem;
	int fd, ret;

	if (open_mapped(ctx, &c, &fd, &mem))
		return CONFORM_ERROR;
	ret = vfu_call(&c, VFIO_USER_DMA_UNMAP, &unmap, sizeof(unmap), NULL, 0, &m);
	if (ret < 0)
		return conform_fail(ctx, "DMA_UNMAP of a mapping: no reply: %s", strerror(-ret));
	vfu_msg_fini(&m);
	if (vfu_reply_errno(&m) >= 0)
		return conform_fail(ctx, "DMA_UNMAP of exactly a mapping refused: error %d",
				    vfu_reply_errno(&m));
	if (m.len != sizeof(unmap) || memcmp(m.payload, &unmap, sizeof(unmap)))
		return conform_fail(ctx,
				    "the DMA_UNMAP reply's %u payload bytes are not the "
				    "24 of the request",
				    m.len);
	return CONFORM_PASS;
}

/* With IOVA..+SIZE mapped: DMA_UNMAP of [iova, iova + size) must be
 * refused. */
static enum conform_verdict unmap_refused(struct conform_ctx *ctx, uint64_t iova, uint64_t size,
					  const char *what)
{
	struct vfio_user_dma_unmap unmap = {.argsz = sizeof(unmap), .address = iova, .size = size};
	struct vfu_conn c;
	void *mem;
	int fd;

	if (open_mapped(ctx, &c, &fd, &mem))
		return CONFORM_ERROR;
	return vfu_expect_refused(&c, what, VFIO_USER_DMA_UNMAP, &unmap, sizeof(unmap), NULL, 0);
}

enum conform_verdict vfu_dma_unmap_unmapped(struct conform_ctx *ctx)
{
	return unmap_refused(ctx, FAR, PAGE, "DMA_UNMAP of a range never mapped");
}

enum conform_verdict vfu_dma_unmap_partial(struct conform_ctx *ctx)
{
	return unmap_refused(ctx, IOVA, PAGE, "DMA_UNMAP of the first page of a 64 KiB mapping");
}

enum conform_verdict vfu_dma_unmap_dirty_bitmap(struct conform_ctx *ctx)
{
	struct vfio_user_dma_unmap unmap = {.argsz = sizeof(unmap),
					    .flags = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP,
					    .address = IOVA,
					    .size = SIZE};
	struct vfu_conn c;
	struct vfu_msg m;
	void *mem;
	int fd, ret;

	if (open_mapped(ctx, &c, &fd, &mem))
		return CONFORM_ERROR;
	ret = vfu_call(&c, VFIO_USER_DMA_UNMAP, &unmap, sizeof(unmap), NULL, 0, &m);
	if (ret == 0) {
		vfu_msg_fini(&m);
		conform_note(ctx, "answered: %s", vfu_reply_errno(&m) >= 0 ? "refused" : "done");
	} else if (ret != -ECONNRESET) {
		return conform_fail(ctx,
				    "DMA_UNMAP with the dirty bitmap flag: neither a reply "
				    "nor a closed connection: %s",
				    strerror(-ret));
	}
	return vfu_expect_serving(&c);
}

enum conform_verdict vfu_dma_max_maps(struct conform_ctx *ctx)
{
	struct vfio_user_dma_map map = {
	    .argsz = sizeof(map), .flags = VFIO_USER_DMA_MAP_F_READ, .size = PAGE};
	struct vfu_conn c;
	uint32_t max;
	int ret;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	max = c.server.max_dma_maps;
	if (max > 4096)
		return conform_not_applicable(ctx, "max_dma_maps %u: too many to fill", max);
	conform_note(ctx, "the server takes %u mappings: %u DMA_MAP without an fd", max, max);
	for (uint32_t i = 0; i < max; i++) {
		ret = vfu_dma_map(&c, FAR + i * 2 * PAGE, PAGE, -1, 0);
		if (ret != 0)
			return conform_fail(ctx,
					    "mapping %u of the %u announced (max_dma_maps) "
					    "refused: %s",
					    i + 1, max, strerror(ret < 0 ? -ret : ret));
	}
	map.address = FAR + (uint64_t)max * 2 * PAGE;
	return vfu_expect_refused(&c, "a DMA_MAP past max_dma_maps", VFIO_USER_DMA_MAP, &map,
				  sizeof(map), NULL, 0);
}

enum conform_verdict vfu_dma_two_fds(struct conform_ctx *ctx)
{
	struct vfio_user_dma_map map = vfu_dma_map_req(IOVA, SIZE, 0);
	struct vfu_conn c;
	void *mem[2];
	int fds[2];

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	fds[0] = vfu_memfd(ctx, SIZE, &mem[0]);
	fds[1] = fds[0] < 0 ? -1 : vfu_memfd(ctx, SIZE, &mem[1]);
	if (fds[1] < 0)
		return CONFORM_ERROR;
	return vfu_expect_refused(&c, "DMA_MAP with two fds", VFIO_USER_DMA_MAP, &map, sizeof(map),
				  fds, 2);
}

enum conform_verdict vfu_dma_cleared_on_disconnect(struct conform_ctx *ctx)
{
	struct vfu_conn c;
	void *mem;
	int fd;

	if (open_mapped(ctx, &c, &fd, &mem))
		return CONFORM_ERROR;
	conform_note(ctx, "the client leaves and comes back");
	if (vfu_reopen(&c))
		return CONFORM_ERROR;
	/* EEXIST: the last client's mapping is still in the table. */
	return map_done(&c, IOVA, fd, 0, "the new client's DMA_MAP of the old client's window");
}

enum conform_verdict vfu_dma_unmap_in_use(struct conform_ctx *ctx)
{
	const uint8_t *data;
	struct vfu_conn c;
	enum conform_verdict v;
	uint8_t *mem;
	int ret;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	v = vfu_nvme_setup(&c, IOVA, (void **)&mem);
	if (v != CONFORM_PASS)
		return v;
	/* The controller uses the memory: one Identify completes. */
	ret = vfu_nvme_identify(&c, mem, IOVA, 0, 1);
	if (ret != 0 || !vfu_nvme_cqe_posted(mem, 0, conform_timeout_ms(ctx)))
		return conform_error(ctx, "set-up: the Identify before the unmap did not complete");
	memset(mem + VFU_NVME_CQ, 0, 16 * VFU_NVME_QUEUE_LEN);
	memset(mem + VFU_NVME_DATA, 0, PAGE);
	ret = vfu_dma_unmap(&c, IOVA, VFU_NVME_MEM_SIZE, 0);
	if (ret < 0)
		return conform_fail(ctx, "DMA_UNMAP of the queues' memory: no reply: %s",
				    strerror(-ret));
	if (ret)
		return conform_not_applicable(ctx,
					      "the server refused to unmap memory in use "
					      "(%s): it keeps using it",
					      strerror(ret));
	/* The reply came: from now on the memory is no longer the server's. A
	 * second Identify must not reach it, however the device reacts. */
	ret = vfu_nvme_identify(&c, mem, IOVA, 1, 1);
	conform_note(ctx, "the SQ doorbell after the unmap: %s",
		     ret == 0 ? "written" : strerror(ret < 0 ? -ret : ret));
	if (vfu_nvme_cqe_posted(mem, 1, 500))
		return conform_fail(ctx, "a completion was written into the unmapped memory after "
					 "the DMA_UNMAP reply");
	data = mem + VFU_NVME_DATA;
	for (unsigned i = 0; i < PAGE; i++)
		if (data[i])
			return conform_fail(ctx,
					    "Identify data was written into the unmapped memory "
					    "after the DMA_UNMAP reply (byte %u)",
					    i);
	return vfu_expect_serving(&c);
}
