/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TARGET_BDEV_INTERNAL_H
#define STORLAB_TARGET_BDEV_INTERNAL_H

/* Shared by the files of target/bdev only; not part of the bdev contract. */

#include <stdbool.h>
#include <stdint.h>

#include "target/bdev/bdev.h"

/*
 * Fills the fields every backend sets the same way, and checks them:
 * a name that fits struct bdev (non-empty), a block size that is a power of
 * two in [512, 64 KiB], and at least one block. Returns 0 or -EINVAL (logged).
 */
int bdev_init(struct bdev *bdev, const char *name, const char *product_name,
	      uint64_t num_blocks, uint32_t block_size, const struct bdev_fn_table *fn, void *ctx);
/* The geometry check of bdev_init, for backends that size resources first. */
int bdev_check_geometry(const char *name, uint64_t num_blocks, uint32_t block_size);
/* An io_type_supported for backends that serve every type. */
bool bdev_io_type_supported_all(struct bdev *bdev, enum bdev_io_type type);

/* bdev_channel.c: per-bdev channel slots and statistics. Control thread. */
int bdev_layer_create(struct bdev *bdev);
void bdev_layer_destroy(struct bdev *bdev);
/* True while any channel of bdev exists (maybe waiting for in-flight I/O). */
bool bdev_layer_busy(const struct bdev *bdev);
bool bdev_layer_supports(const struct bdev *bdev, enum bdev_io_type type);

#endif
