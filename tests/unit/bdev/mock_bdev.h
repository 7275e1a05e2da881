/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_UNIT_BDEV_MOCK_BDEV_H
#define STORLAB_TESTS_UNIT_BDEV_MOCK_BDEV_H

/*
 * A mock backend for the bdev layer's tests: it counts its channels, can
 * hold I/O (all of it, or the I/O at one block), fail submits, complete with
 * an error, and take back what it holds (or refuse to).
 */

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

#include "bdev_ut.h"
#include "target/bdev/bdev_internal.h"
#include "target/bdev/bdev_io_list.h"

#define MOCK_BLOCKS 100
#define MOCK_BS 4096

/* Written by the test thread, read on reactors. */
static struct {
	_Atomic int creates;
	_Atomic int destroys;
	_Atomic int destroys_with_io; /* must stay 0 */
	_Atomic int destructs;
	_Atomic int fail_create;
	_Atomic int submit_rc;
	_Atomic int hold;      /* keep I/O in flight until cleared */
	_Atomic int status;    /* completion status */
	_Atomic int64_t hold_offset; /* while not holding: keep I/O at this block (-1: none) */
	_Atomic int refuse_abort;    /* too late for any abort */
} g_mock;

static int mock_submit(void *ch_ctx, struct bdev_io *io)
{
	int rc = atomic_load(&g_mock.submit_rc);

	if (rc)
		return rc;
	bdev_io_list_push(ch_ctx, io);
	return 0;
}

static bool mock_io_type_supported(struct bdev *bdev, enum bdev_io_type type)
{
	(void)bdev;
	return type != BDEV_IO_UNMAP;
}

static int mock_channel_create(struct bdev *bdev, void *ch_ctx)
{
	(void)bdev;
	(void)ch_ctx;
	if (atomic_load(&g_mock.fail_create))
		return -ENOMEM;
	atomic_fetch_add(&g_mock.creates, 1);
	return 0;
}

static void mock_channel_destroy(struct bdev *bdev, void *ch_ctx)
{
	struct bdev_io_list *l = ch_ctx;

	(void)bdev;
	if (!bdev_io_list_empty(l))
		atomic_fetch_add(&g_mock.destroys_with_io, 1);
	atomic_fetch_add(&g_mock.destroys, 1);
}

static int mock_channel_poll(void *ch_ctx)
{
	struct bdev_io_list *l = ch_ctx;
	struct bdev_io_list kept = {0};
	struct bdev_io *io;
	int busy = POLLER_IDLE;

	if (atomic_load(&g_mock.hold))
		return POLLER_IDLE;
	while ((io = bdev_io_list_pop(l))) {
		if ((int64_t)io->offset_blocks == atomic_load(&g_mock.hold_offset)) {
			bdev_io_list_push(&kept, io);
			continue;
		}
		bdev_io_complete(io, atomic_load(&g_mock.status));
		busy = POLLER_BUSY;
	}
	bdev_io_list_move(l, &kept);
	return busy;
}

static int mock_abort(void *ch_ctx, struct bdev_io *io)
{
	if (atomic_load(&g_mock.refuse_abort))
		return -EBUSY;
	return bdev_io_list_remove(ch_ctx, io) ? 0 : -EBUSY;
}

static void mock_abort_all(void *ch_ctx, struct bdev_io_list *taken)
{
	if (!atomic_load(&g_mock.refuse_abort))
		bdev_io_list_move(taken, ch_ctx);
}

static void mock_destruct(struct bdev *bdev)
{
	atomic_fetch_add(&g_mock.destructs, 1);
	free(bdev);
}

static void mock_dump_info_json(struct bdev *bdev, json_t *driver_specific)
{
	(void)bdev;
	json_object_set_new(driver_specific, "mock", json_pack("{s:i}", "answer", 42));
}

static const struct bdev_fn_table g_mock_fn = {
	.backend = "mock",
	.submit = mock_submit,
	.io_type_supported = mock_io_type_supported,
	.ch_ctx_size = sizeof(struct bdev_io_list),
	.channel_create = mock_channel_create,
	.channel_destroy = mock_channel_destroy,
	.channel_poll = mock_channel_poll,
	.abort = mock_abort,
	.abort_all = mock_abort_all,
	.destruct = mock_destruct,
	.dump_info_json = mock_dump_info_json,
};

/* Limits to register a mock bdev with (all 0: none). */
struct mock_limits {
	uint32_t max_transfer_bytes;
	uint32_t max_segments;
	uint32_t required_alignment;
	uint32_t optimal_io_bytes;
};

static int mock_create_limited(const char *name, uint64_t num_blocks, uint32_t block_size,
			       const char *uuid, const struct mock_limits *lim)
{
	struct bdev *bdev = calloc(1, sizeof(*bdev));
	int rc;

	assert_non_null(bdev);
	if (uuid)
		snprintf(bdev->uuid, sizeof(bdev->uuid), "%s", uuid);
	rc = bdev_init(bdev, name, "Mock disk", num_blocks, block_size, &g_mock_fn, NULL);
	if (lim) {
		bdev->max_transfer_bytes = lim->max_transfer_bytes;
		bdev->max_segments = lim->max_segments;
		bdev->required_alignment = lim->required_alignment;
		bdev->optimal_io_bytes = lim->optimal_io_bytes;
	}
	if (rc == 0)
		rc = bdev_register(bdev);
	if (rc)
		free(bdev);
	return rc;
}

static int mock_create(const char *name, uint64_t num_blocks, uint32_t block_size,
		       const char *uuid)
{
	return mock_create_limited(name, num_blocks, block_size, uuid, NULL);
}

static int setup(void **state)
{
	(void)state;
	return ut_env_start(ENV_MODE_ADAPTIVE);
}

static int teardown(void **state)
{
	(void)state;
	env_stop();
	return 0;
}

/* Every test starts from an empty registry and a well-behaved mock. */
static int test_setup(void **state)
{
	(void)state;
	memset(&g_mock, 0, sizeof(g_mock));
	atomic_store(&g_mock.hold_offset, -1);
	return bdev_first() == NULL ? 0 : -1;
}

static int test_teardown(void **state)
{
	(void)state;
	if (atomic_load(&g_mock.destroys_with_io))
		return -1;
	bdev_unregister_all();
	return bdev_first() == NULL ? 0 : -1;
}

/* The mock has no wake fd: a message wakes a reactor that went to sleep
 * while the mock held its I/O. */
static void mock_release(unsigned reactor)
{
	atomic_store(&g_mock.hold, 0);
	ut_run(reactor, ut_noop_fn, NULL);
}

#endif
