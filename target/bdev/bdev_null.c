/* SPDX-License-Identifier: MIT */
/*
 * The null backend: the perf-benchmark bdev, so it does as little as
 * possible. Writes, unmaps and write-zeroes are discarded; reads succeed
 * without touching the buffers (like SPDK's null bdev, they keep whatever
 * they held: do not expect zeroes). Every I/O completes from the channel's
 * poller, in submission order; until then nothing happened, so any of it can
 * be taken back (abort, reset).
 */
#include <errno.h>
#include <stdlib.h>

#include "target/bdev/bdev_internal.h"
#include "target/bdev/bdev_io_list.h"

static int null_submit(void *ch_ctx, struct bdev_io *io)
{
	bdev_io_list_push(ch_ctx, io);
	return 0;
}

static int null_channel_poll(void *ch_ctx)
{
	return bdev_io_list_complete(ch_ctx);
}

static int null_abort(void *ch_ctx, struct bdev_io *io)
{
	return bdev_io_list_remove(ch_ctx, io) ? 0 : -EBUSY;
}

static void null_abort_all(void *ch_ctx, struct bdev_io_list *taken)
{
	bdev_io_list_move(taken, ch_ctx);
}

static void null_destruct(struct bdev *bdev)
{
	free(bdev);
}

static const struct bdev_fn_table g_null_fn = {
	.backend = "null",
	.submit = null_submit,
	.io_type_supported = bdev_io_type_supported_all,
	.ch_ctx_size = sizeof(struct bdev_io_list),
	.channel_poll = null_channel_poll,
	.abort = null_abort,
	.abort_all = null_abort_all,
	.destruct = null_destruct,
};

int bdev_null_create(const char *name, uint64_t num_blocks, uint32_t block_size)
{
	struct bdev *bdev = calloc(1, sizeof(*bdev));
	int rc;

	if (!bdev)
		return -ENOMEM;
	rc = bdev_init(bdev, name, "Null disk", num_blocks, block_size, &g_null_fn, NULL);
	if (rc == 0)
		rc = bdev_register(bdev);
	if (rc)
		free(bdev);
	return rc;
}

int bdev_null_resize(const char *name, uint64_t num_blocks)
{
	struct bdev *bdev = bdev_get_by_name(name);

	if (!bdev)
		return -ENODEV;
	/* A null bdev holds nothing, so any size serves at once. */
	if (bdev->fn != &g_null_fn)
		return -EINVAL;
	return bdev_resize(bdev, num_blocks);
}
