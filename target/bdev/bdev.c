/* SPDX-License-Identifier: MIT */
/*
 * The bdev registry (control thread only: no lock) and the JSON views of a
 * bdev: SPDK's bdev_get_bdevs and bdev_get_iostat shapes.
 */
#define LOG_COMPONENT "bdev"
#include "util/log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "target/bdev/bdev_internal.h"
#include "util/common.h"

/* In registration order, so listings are stable. */
static struct bdev *g_bdevs;

#define BDEV_MIN_BLOCK_SIZE 512u
#define BDEV_MAX_BLOCK_SIZE 65536u

int bdev_check_geometry(const char *name, uint64_t num_blocks, uint32_t block_size)
{
	/* A power of two lets every layer above turn bytes into blocks exactly. */
	if (!IS_POW2(block_size) || block_size < BDEV_MIN_BLOCK_SIZE ||
	    block_size > BDEV_MAX_BLOCK_SIZE) {
		log_err("bdev %s: block size %" PRIu32 " is not a power of two in [%u, %u]", name,
			block_size, BDEV_MIN_BLOCK_SIZE, BDEV_MAX_BLOCK_SIZE);
		return -EINVAL;
	}
	if (num_blocks == 0 || num_blocks > UINT64_MAX / block_size) {
		log_err("bdev %s: %" PRIu64 " blocks is not a usable size", name, num_blocks);
		return -EINVAL;
	}
	return 0;
}

int bdev_init(struct bdev *bdev, const char *name, const char *product_name,
	      uint64_t num_blocks, uint32_t block_size, const struct bdev_fn_table *fn, void *ctx)
{
	int len = snprintf(bdev->name, sizeof(bdev->name), "%s", name);

	if (len <= 0 || (size_t)len >= sizeof(bdev->name)) {
		log_err("bdev name '%s' is empty or longer than %zu bytes", name,
			sizeof(bdev->name) - 1);
		return -EINVAL;
	}
	snprintf(bdev->product_name, sizeof(bdev->product_name), "%s", product_name);
	bdev->num_blocks = num_blocks;
	bdev->block_size = block_size;
	bdev->required_alignment = 1;
	bdev->fn = fn;
	bdev->ctx = ctx;
	return bdev_check_geometry(name, num_blocks, block_size);
}

void bdev_get_limits(const struct bdev *bdev, struct bdev_limits *lim)
{
	lim->block_size = bdev->block_size;
	lim->max_transfer_bytes = bdev->max_transfer_bytes ? bdev->max_transfer_bytes : UINT32_MAX;
	/* Whole blocks: a frontend splitting at the limit splits at a block. */
	lim->max_transfer_bytes -= lim->max_transfer_bytes % bdev->block_size;
	lim->max_segments = bdev->max_segments ? bdev->max_segments : UINT32_MAX;
	lim->required_alignment = bdev->required_alignment ? bdev->required_alignment : 1;
	lim->optimal_io_bytes = bdev->optimal_io_bytes;
}

bool bdev_io_type_supported_all(struct bdev *bdev, enum bdev_io_type type)
{
	(void)bdev;
	(void)type;
	return true;
}

/* Limits every frontend can honour: at least one block per transfer, one
 * segment, an alignment that is a power of two no larger than a block. */
static int bdev_check_limits(const struct bdev *bdev)
{
	uint32_t align = bdev->required_alignment ? bdev->required_alignment : 1;

	if ((bdev->max_transfer_bytes && bdev->max_transfer_bytes < bdev->block_size) ||
	    !IS_POW2(align) || align > bdev->block_size) {
		log_err("bdev %s: limits (max transfer %" PRIu32 ", alignment %" PRIu32
			") do not allow one block of %" PRIu32,
			bdev->name, bdev->max_transfer_bytes, align, bdev->block_size);
		return -EINVAL;
	}
	return 0;
}

/* RFC 4122 §4.4: a random (version 4) UUID. */
static int uuid_generate(char out[37])
{
	uint8_t b[16];

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		return -errno;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
		 b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
		 b[14], b[15]);
	return 0;
}

struct bdev *bdev_get_by_name(const char *name)
{
	for (struct bdev *b = g_bdevs; b; b = b->next) {
		if (strcmp(b->name, name) == 0)
			return b;
	}
	return NULL;
}

int bdev_register(struct bdev *bdev)
{
	struct bdev **tail;
	int rc;

	if (!bdev->fn || !bdev->fn->submit || !bdev->fn->io_type_supported ||
	    !bdev->fn->channel_poll || !bdev->fn->destruct) {
		log_err("bdev %s: backend table is incomplete", bdev->name);
		return -EINVAL;
	}
	if (memchr(bdev->name, '\0', sizeof(bdev->name)) == NULL || bdev->name[0] == '\0') {
		log_err("bdev: name empty or not terminated");
		return -EINVAL;
	}
	rc = bdev_check_geometry(bdev->name, bdev->num_blocks, bdev->block_size);
	if (rc)
		return rc;
	rc = bdev_check_limits(bdev);
	if (rc)
		return rc;
	if (bdev_get_by_name(bdev->name)) {
		log_err("bdev %s: name already taken", bdev->name);
		return -EEXIST;
	}
	if (bdev->uuid[0] == '\0') {
		rc = uuid_generate(bdev->uuid);
		if (rc) {
			log_err("bdev %s: no random bytes for a uuid: %s", bdev->name,
				strerror(-rc));
			return rc;
		}
	}
	rc = bdev_layer_create(bdev);
	if (rc) {
		log_err("bdev %s: no memory for channel slots", bdev->name);
		return rc;
	}
	bdev->open_count = 0;
	bdev->next = NULL;
	for (tail = &g_bdevs; *tail; tail = &(*tail)->next)
		;
	*tail = bdev;
	log_info("bdev %s: registered (%s, %" PRIu64 " x %" PRIu32 " bytes)", bdev->name,
		 bdev->fn->backend, bdev->num_blocks, bdev->block_size);
	return 0;
}

/* Unlinks and frees b, which must be neither open nor used by a channel. */
static void bdev_destroy(struct bdev **link)
{
	struct bdev *b = *link;

	*link = b->next;
	log_info("bdev %s: unregistered", b->name);
	bdev_layer_destroy(b);
	b->fn->destruct(b);
}

static bool bdev_idle(const struct bdev *b)
{
	return b->open_count == 0 && !bdev_layer_busy(b);
}

static int bdev_check_idle(const struct bdev *b)
{
	if (b->open_count) {
		log_err("bdev %s: still open by %" PRIu32 " user(s)", b->name, b->open_count);
		return -EBUSY;
	}
	if (bdev_layer_busy(b)) {
		log_err("bdev %s: still has channels on reactors", b->name);
		return -EBUSY;
	}
	return 0;
}

int bdev_unregister(const char *name)
{
	struct bdev **link;
	int rc;

	for (link = &g_bdevs; *link; link = &(*link)->next) {
		if (strcmp((*link)->name, name) == 0)
			break;
	}
	if (!*link) {
		log_err("bdev %s: no such bdev", name);
		return -ENOENT;
	}
	rc = bdev_check_idle(*link);
	if (rc)
		return rc;
	bdev_destroy(link);
	return 0;
}

void bdev_unregister_all(void)
{
	bool progress = true;

	/* A bdev built on another (delay) holds it open: another pass frees
	 * the base once the bdev on top went. */
	while (progress) {
		progress = false;
		for (struct bdev **link = &g_bdevs; *link;) {
			if (bdev_idle(*link)) {
				bdev_destroy(link);
				progress = true;
			} else {
				link = &(*link)->next;
			}
		}
	}
	for (struct bdev *b = g_bdevs; b; b = b->next)
		bdev_check_idle(b);
}

struct bdev *bdev_first(void)
{
	return g_bdevs;
}

struct bdev *bdev_next(struct bdev *bdev)
{
	return bdev->next;
}

int bdev_open(struct bdev *bdev)
{
	bdev->open_count++;
	return 0;
}

void bdev_close(struct bdev *bdev)
{
	if (bdev->open_count == 0) {
		log_err("bdev %s: closed more often than opened", bdev->name);
		return;
	}
	bdev->open_count--;
}

void bdev_watch_add(struct bdev *bdev, struct bdev_watch *w)
{
	w->next = bdev->watches;
	bdev->watches = w;
}

void bdev_watch_remove(struct bdev *bdev, struct bdev_watch *w)
{
	for (struct bdev_watch **link = &bdev->watches; *link; link = &(*link)->next) {
		if (*link == w) {
			*link = w->next;
			return;
		}
	}
}

int bdev_resize(struct bdev *bdev, uint64_t num_blocks)
{
	uint64_t old = bdev->num_blocks;
	int rc = bdev_check_geometry(bdev->name, num_blocks, bdev->block_size);

	if (rc)
		return rc;
	if (num_blocks < old && bdev->open_count) {
		log_err("bdev %s: cannot shrink from %" PRIu64 " to %" PRIu64
			" blocks while %" PRIu32 " user(s) have it open",
			bdev->name, old, num_blocks, bdev->open_count);
		return -EBUSY;
	}
	__atomic_store_n(&bdev->num_blocks, num_blocks, __ATOMIC_RELEASE);
	log_notice("bdev %s: resized from %" PRIu64 " to %" PRIu64 " blocks", bdev->name, old,
		   num_blocks);
	if (num_blocks != old) {
		for (struct bdev_watch *w = bdev->watches; w; w = w->next)
			w->resized(w, bdev);
	}
	return 0;
}

/* SPDK's supported_io_types names, for our types. */
static const char *const g_io_type_names[BDEV_IO_TYPE_COUNT] = {
	[BDEV_IO_READ] = "read",
	[BDEV_IO_WRITE] = "write",
	[BDEV_IO_FLUSH] = "flush",
	[BDEV_IO_UNMAP] = "unmap",
	[BDEV_IO_WRITE_ZEROES] = "write_zeroes",
};

json_t *bdev_to_json(struct bdev *bdev)
{
	json_t *types = json_object();
	json_t *driver = json_object();
	json_t *obj;

	if (!types || !driver)
		goto err;
	for (int t = 0; t < BDEV_IO_TYPE_COUNT; t++) {
		if (json_object_set_new(types, g_io_type_names[t],
					json_boolean(bdev_layer_supports(bdev, t))))
			goto err;
	}
	if (bdev->fn->dump_info_json)
		bdev->fn->dump_info_json(bdev, driver);
	/* "o" steals types and driver, also when json_pack fails. */
	obj = json_pack("{s:s, s:[], s:s, s:I, s:I, s:s, s:b, s:b, s:I, s:b, s:o, s:o}",
			"name", bdev->name, "aliases", "product_name", bdev->product_name,
			"block_size", (json_int_t)bdev->block_size, "num_blocks",
			(json_int_t)bdev->num_blocks, "uuid", bdev->uuid, "claimed",
			bdev->open_count > 0, "zoned", 0, "required_alignment",
			(json_int_t)bdev->required_alignment, "write_cache", bdev->write_cache,
			"supported_io_types", types, "driver_specific", driver);
	if (!obj)
		log_err("bdev %s: no memory for its JSON", bdev->name);
	return obj;
err:
	json_decref(types);
	json_decref(driver);
	log_err("bdev %s: no memory for its JSON", bdev->name);
	return NULL;
}

json_t *bdev_io_stat_to_json(struct bdev *bdev)
{
	struct bdev_io_stat s;
	json_t *obj;

	bdev_get_io_stat(bdev, &s);
	obj = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "name",
			bdev->name, "bytes_read", (json_int_t)s.bytes[BDEV_IO_READ],
			"num_read_ops", (json_int_t)s.ops[BDEV_IO_READ], "bytes_written",
			(json_int_t)s.bytes[BDEV_IO_WRITE], "num_write_ops",
			(json_int_t)s.ops[BDEV_IO_WRITE], "bytes_unmapped",
			(json_int_t)s.bytes[BDEV_IO_UNMAP], "num_unmap_ops",
			(json_int_t)s.ops[BDEV_IO_UNMAP], "bytes_zeroed",
			(json_int_t)s.bytes[BDEV_IO_WRITE_ZEROES], "num_write_zeroes_ops",
			(json_int_t)s.ops[BDEV_IO_WRITE_ZEROES], "num_flush_ops",
			(json_int_t)s.ops[BDEV_IO_FLUSH], "num_io_errors", (json_int_t)s.errors);
	if (!obj)
		log_err("bdev %s: no memory for its JSON", bdev->name);
	return obj;
}
