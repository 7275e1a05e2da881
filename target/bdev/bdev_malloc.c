/* SPDX-License-Identifier: MIT */
/*
 * The malloc backend: a RAM disk. One anonymous mapping of num_blocks *
 * block_size bytes (zeroed by the kernel, pages allocated on first touch).
 * Data is copied in submit; the completion still comes from the channel's
 * poller (the async contract forbids calling back inside bdev_submit). By
 * then the data has moved: nothing can be taken back (no abort).
 */
#define LOG_COMPONENT "bdev_malloc"
#include "util/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "target/bdev/bdev_internal.h"
#include "target/bdev/bdev_io_list.h"

struct malloc_bdev {
	struct bdev bdev;
	uint8_t *buf;
	size_t size;
};

struct malloc_channel {
	struct bdev_io_list done;
	uint8_t *buf;
	uint32_t block_size;
};

/* Copies between the iov and the disk at dev; bdev_submit checked the sizes. */
static void malloc_copy(const struct bdev_io *io, uint8_t *dev, bool to_dev)
{
	for (int i = 0; i < io->iovcnt; i++) {
		size_t len = io->iov[i].iov_len;

		if (to_dev)
			memcpy(dev, io->iov[i].iov_base, len);
		else
			memcpy(io->iov[i].iov_base, dev, len);
		dev += len;
	}
}

static int malloc_submit(void *ch_ctx, struct bdev_io *io)
{
	struct malloc_channel *ch = ch_ctx;
	uint8_t *dev = ch->buf + io->offset_blocks * ch->block_size;

	switch (io->type) {
	case BDEV_IO_READ:
		malloc_copy(io, dev, false);
		break;
	case BDEV_IO_WRITE:
		malloc_copy(io, dev, true);
		break;
	case BDEV_IO_UNMAP:
	case BDEV_IO_WRITE_ZEROES:
		memset(dev, 0, io->num_blocks * ch->block_size);
		break;
	default: /* FLUSH: RAM is as durable as it gets */
		break;
	}
	bdev_io_list_push(&ch->done, io);
	return 0;
}

static int malloc_channel_create(struct bdev *bdev, void *ch_ctx)
{
	struct malloc_bdev *mb = bdev->ctx;
	struct malloc_channel *ch = ch_ctx;

	ch->buf = mb->buf;
	ch->block_size = bdev->block_size;
	return 0;
}

static int malloc_channel_poll(void *ch_ctx)
{
	struct malloc_channel *ch = ch_ctx;

	return bdev_io_list_complete(&ch->done);
}

static void malloc_destruct(struct bdev *bdev)
{
	struct malloc_bdev *mb = bdev->ctx;

	munmap(mb->buf, mb->size);
	free(mb);
}

static const struct bdev_fn_table g_malloc_fn = {
	.backend = "malloc",
	.submit = malloc_submit,
	.io_type_supported = bdev_io_type_supported_all,
	.ch_ctx_size = sizeof(struct malloc_channel),
	.channel_create = malloc_channel_create,
	.channel_poll = malloc_channel_poll,
	.destruct = malloc_destruct,
};

int bdev_malloc_create(const char *name, uint64_t num_blocks, uint32_t block_size)
{
	struct malloc_bdev *mb;
	int rc;

	rc = bdev_check_geometry(name, num_blocks, block_size);
	if (rc)
		return rc;
	mb = calloc(1, sizeof(*mb));
	if (!mb)
		return -ENOMEM;
	mb->size = num_blocks * block_size;
	mb->buf = mmap(NULL, mb->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mb->buf == MAP_FAILED) {
		rc = -errno;
		log_err("bdev %s: cannot map %zu bytes: %s", name, mb->size, strerror(-rc));
		free(mb);
		return rc;
	}
	rc = bdev_init(&mb->bdev, name, "Malloc disk", num_blocks, block_size, &g_malloc_fn, mb);
	if (rc == 0)
		rc = bdev_register(&mb->bdev);
	if (rc) {
		munmap(mb->buf, mb->size);
		free(mb);
	}
	return rc;
}
