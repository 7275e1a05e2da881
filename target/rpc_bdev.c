/* SPDX-License-Identifier: MIT */
/*
 * JSON-RPC methods of the bdev area, with SPDK's names and parameters:
 * create / delete per backend (null, malloc, uring, and aio as an alias of
 * uring; delay on top of another bdev), bdev_get_bdevs, bdev_get_iostat.
 * Creates answer the bdev's name.
 */
#define LOG_COMPONENT "tgt"
#include "target/tgt.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "target/bdev/bdev.h"
#include "util/common.h"
#include "util/parse.h"

/* What bdev_check_geometry() enforces, checked here too so that the answer
 * names the field instead of pointing at the log. */
#define RPC_MIN_BLOCK_SIZE 512u
#define RPC_MAX_BLOCK_SIZE 65536u
/* SPDK gives sizes in MiB (a multiple of any block size above). */
#define RPC_MIB (1ull << 20)

static bool check_block_size(struct rpc_request *req, uint32_t block_size)
{
	if (IS_POW2(block_size) && block_size >= RPC_MIN_BLOCK_SIZE &&
	    block_size <= RPC_MAX_BLOCK_SIZE)
		return true;
	rpc_reply_error(req, RPC_ERR_INVALID_PARAMS,
			"block_size: %u is not a power of two from %u to %u", block_size,
			RPC_MIN_BLOCK_SIZE, RPC_MAX_BLOCK_SIZE);
	return false;
}

static bool check_geometry(struct rpc_request *req, uint64_t num_blocks, uint32_t block_size)
{
	if (!check_block_size(req, block_size))
		return false;
	if (num_blocks == 0 || num_blocks > UINT64_MAX / block_size) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS,
				"num_blocks: %" PRIu64 " blocks is not a usable size", num_blocks);
		return false;
	}
	return true;
}

static bool check_name(struct rpc_request *req, const char *name)
{
	size_t len = strlen(name);

	if (len > 0 && len < sizeof(((struct bdev *)0)->name))
		return true;
	rpc_reply_error(req, RPC_ERR_INVALID_PARAMS, "name: must be 1 to %zu characters",
			sizeof(((struct bdev *)0)->name) - 1);
	return false;
}

static void reply_created(struct rpc_request *req, int rc, const char *name)
{
	if (rc == -EEXIST)
		tgt_rpc_reply_errno(req, rc, "name: bdev %s already exists", name);
	else if (rc)
		tgt_rpc_reply_errno(req, rc, "cannot create bdev %s: %s", name, strerror(-rc));
	else
		rpc_reply_result(req, json_string(name));
}

/* Bdev `name` if it belongs to backend (a method of one backend must not
 * change another backend's bdev); else NULL, answered. */
static struct bdev *backend_bdev(struct rpc_request *req, const char *name, const char *backend)
{
	struct bdev *bdev = bdev_get_by_name(name);

	if (!bdev) {
		tgt_rpc_reply_errno(req, -ENODEV, "name: no bdev named %s", name);
		return NULL;
	}
	if (strcmp(bdev->fn->backend, backend) != 0) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS, "name: bdev %s is a %s bdev, not %s",
				name, bdev->fn->backend, backend);
		return NULL;
	}
	return bdev;
}

/* Answers a resize (bdev_resize's errors). */
static void reply_resized(struct rpc_request *req, int rc, const char *name)
{
	if (rc == -EBUSY)
		tgt_rpc_reply_errno(req, rc, "bdev %s is in use: it may grow, not shrink", name);
	else if (rc)
		tgt_rpc_reply_errno(req, rc, "cannot resize bdev %s: %s", name, strerror(-rc));
	else
		rpc_reply_result(req, json_true());
}

/* Deletes bdev `name` if it belongs to backend. */
static void delete_bdev(struct rpc_request *req, json_t *params, const char *backend)
{
	const char *name = NULL;
	const struct rpc_param spec[] = {
	    {"name", RPC_PARAM_STRING, &name, 1},
	};
	int rc;

	if (!tgt_rpc_decode(req, params, spec, ARRAY_SIZE(spec)) ||
	    !backend_bdev(req, name, backend))
		return;
	rc = bdev_unregister(name);
	if (rc == -EBUSY)
		tgt_rpc_reply_errno(req, rc,
				    "bdev %s is in use by a controller (or a bdev on top of it): "
				    "delete that first",
				    name);
	else if (rc)
		tgt_rpc_reply_errno(req, rc, "cannot delete bdev %s: %s", name, strerror(-rc));
	else
		rpc_reply_result(req, NULL);
}

static void rpc_null_create(struct rpc_request *req, json_t *params, void *ctx)
{
	const char *name = NULL;
	uint64_t num_blocks = 0;
	uint32_t block_size = 0;
	const struct rpc_param spec[] = {
	    {"name", RPC_PARAM_STRING, &name, 1},
	    {"num_blocks", RPC_PARAM_U64, &num_blocks, 1},
	    {"block_size", RPC_PARAM_U32, &block_size, 1},
	};

	(void)ctx;
	if (!tgt_rpc_decode(req, params, spec, ARRAY_SIZE(spec)) || !check_name(req, name) ||
	    !check_geometry(req, num_blocks, block_size))
		return;
	reply_created(req, bdev_null_create(name, num_blocks, block_size), name);
}

static void rpc_null_delete(struct rpc_request *req, json_t *params, void *ctx)
{
	(void)ctx;
	delete_bdev(req, params, "null");
}

/* SPDK's bdev_null_resize: {name, new_size} with the size in MiB; true. */
static void rpc_null_resize(struct rpc_request *req, json_t *params, void *ctx)
{
	const char *name = NULL;
	uint64_t new_size = 0;
	const struct rpc_param spec[] = {
	    {"name", RPC_PARAM_STRING, &name, 1},
	    {"new_size", RPC_PARAM_U64, &new_size, 1},
	};
	struct bdev *bdev;

	(void)ctx;
	if (!tgt_rpc_decode(req, params, spec, ARRAY_SIZE(spec)))
		return;
	bdev = backend_bdev(req, name, "null");
	if (!bdev)
		return;
	if (new_size == 0 || new_size > UINT64_MAX / RPC_MIB) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS,
				"new_size: %" PRIu64 " MiB is not a usable size", new_size);
		return;
	}
	reply_resized(req, bdev_null_resize(name, new_size * RPC_MIB / bdev->block_size), name);
}

/* An optional uuid parameter, checked (answered if it is not one). */
static bool check_uuid(struct rpc_request *req, const char *uuid)
{
	if (!uuid || util_parse_uuid(uuid, NULL) == 0)
		return true;
	rpc_reply_error(req, RPC_ERR_INVALID_PARAMS,
			"uuid: '%s' is not of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", uuid);
	return false;
}

/* bdev_register generated a uuid; the caller's, if any, replaces it. */
static void set_uuid(int rc, const char *name, const char *uuid)
{
	if (rc == 0 && uuid)
		snprintf(bdev_get_by_name(name)->uuid, sizeof(((struct bdev *)0)->uuid), "%s",
			 uuid);
}

/* SPDK names an unnamed malloc bdev MallocN, N counting up. */
static void next_malloc_name(struct tgt_app *app, char *name, size_t size)
{
	do
		snprintf(name, size, "Malloc%u", app->malloc_seq++);
	while (bdev_get_by_name(name));
}

static void rpc_malloc_create(struct rpc_request *req, json_t *params, void *ctx)
{
	struct tgt_app *app = ctx;
	const char *name = NULL, *uuid = NULL;
	char auto_name[32];
	uint64_t num_blocks = 0;
	uint32_t block_size = 0;
	const struct rpc_param spec[] = {
	    {"name", RPC_PARAM_STRING, &name, 0},
	    {"num_blocks", RPC_PARAM_U64, &num_blocks, 1},
	    {"block_size", RPC_PARAM_U32, &block_size, 1},
	    {"uuid", RPC_PARAM_STRING, &uuid, 0},
	};
	int rc;

	if (!tgt_rpc_decode(req, params, spec, ARRAY_SIZE(spec)) ||
	    (name && !check_name(req, name)) || !check_geometry(req, num_blocks, block_size) ||
	    !check_uuid(req, uuid))
		return;
	if (!name) {
		next_malloc_name(app, auto_name, sizeof(auto_name));
		name = auto_name;
	}
	rc = bdev_malloc_create(name, num_blocks, block_size);
	set_uuid(rc, name, uuid);
	reply_created(req, rc, name);
}

static void rpc_malloc_delete(struct rpc_request *req, json_t *params, void *ctx)
{
	(void)ctx;
	delete_bdev(req, params, "malloc");
}

/* bdev_uring_create and SPDK's bdev_aio_create: the same file backend. */
static void rpc_uring_create(struct rpc_request *req, json_t *params, void *ctx)
{
	const char *name = NULL, *filename = NULL;
	uint32_t block_size = 0;
	const struct rpc_param spec[] = {
	    {"name", RPC_PARAM_STRING, &name, 1},
	    {"filename", RPC_PARAM_STRING, &filename, 1},
	    {"block_size", RPC_PARAM_U32, &block_size, 0},
	};

	(void)ctx;
	if (!tgt_rpc_decode(req, params, spec, ARRAY_SIZE(spec)) || !check_name(req, name) ||
	    (block_size && !check_block_size(req, block_size)))
		return;
	reply_created(req, bdev_uring_create(name, filename, block_size), name);
}

static void rpc_uring_delete(struct rpc_request *req, json_t *params, void *ctx)
{
	(void)ctx;
	delete_bdev(req, params, "uring");
}

/* SPDK's bdev_uring_rescan (and bdev_aio_rescan): {name}; true. */
static void rpc_uring_rescan(struct rpc_request *req, json_t *params, void *ctx)
{
	const char *name = NULL;
	const struct rpc_param spec[] = {
	    {"name", RPC_PARAM_STRING, &name, 1},
	};

	(void)ctx;
	if (!tgt_rpc_decode(req, params, spec, ARRAY_SIZE(spec)) ||
	    !backend_bdev(req, name, "uring"))
		return;
	reply_resized(req, bdev_uring_rescan(name), name);
}

/* A latency to hold I/O for: at most an hour, so that nanoseconds fit. */
#define RPC_MAX_LATENCY_US (3600ull * 1000 * 1000)

/* SPDK's latency parameters: an average and a p99 no smaller than it. */
static bool check_latency(struct rpc_request *req, const char *avg_name, uint64_t avg,
			  const char *p99_name, uint64_t p99)
{
	if (avg > RPC_MAX_LATENCY_US || p99 > RPC_MAX_LATENCY_US) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS, "%s: %" PRIu64 " us is more than an hour",
				avg > RPC_MAX_LATENCY_US ? avg_name : p99_name,
				avg > RPC_MAX_LATENCY_US ? avg : p99);
		return false;
	}
	if (p99 < avg) {
		rpc_reply_error(req, RPC_ERR_INVALID_PARAMS,
				"%s: %" PRIu64 " us is less than %s (%" PRIu64 " us)", p99_name, p99,
				avg_name, avg);
		return false;
	}
	return true;
}

static void rpc_delay_create(struct rpc_request *req, json_t *params, void *ctx)
{
	const char *name = NULL, *base = NULL, *uuid = NULL;
	struct bdev_delay_opts o = {0};
	const struct rpc_param spec[] = {
	    {"base_bdev_name", RPC_PARAM_STRING, &base, 1},
	    {"name", RPC_PARAM_STRING, &name, 1},
	    {"avg_read_latency", RPC_PARAM_U64, &o.avg_read_us, 1},
	    {"p99_read_latency", RPC_PARAM_U64, &o.p99_read_us, 1},
	    {"avg_write_latency", RPC_PARAM_U64, &o.avg_write_us, 1},
	    {"p99_write_latency", RPC_PARAM_U64, &o.p99_write_us, 1},
	    {"uuid", RPC_PARAM_STRING, &uuid, 0},
	};
	int rc;

	(void)ctx;
	if (!tgt_rpc_decode(req, params, spec, ARRAY_SIZE(spec)) || !check_name(req, name) ||
	    !check_latency(req, "avg_read_latency", o.avg_read_us, "p99_read_latency",
			   o.p99_read_us) ||
	    !check_latency(req, "avg_write_latency", o.avg_write_us, "p99_write_latency",
			   o.p99_write_us) ||
	    !check_uuid(req, uuid))
		return;
	rc = bdev_delay_create(name, base, &o);
	if (rc == -ENODEV) {
		tgt_rpc_reply_errno(req, rc, "base_bdev_name: no bdev named %s", base);
		return;
	}
	set_uuid(rc, name, uuid);
	reply_created(req, rc, name);
}

static void rpc_delay_delete(struct rpc_request *req, json_t *params, void *ctx)
{
	(void)ctx;
	delete_bdev(req, params, "delay");
}

/* Runs fn over bdev `name`, or over every bdev if name is NULL, collecting
 * what it returns into an array. NULL (answered) if name is unknown. */
static json_t *collect(struct rpc_request *req, const char *name, json_t *(*fn)(struct bdev *))
{
	json_t *array = json_array();
	struct bdev *bdev;

	if (!array) {
		rpc_reply_errno(req, -ENOMEM, NULL);
		return NULL;
	}
	if (name) {
		bdev = bdev_get_by_name(name);
		if (!bdev) {
			json_decref(array);
			tgt_rpc_reply_errno(req, -ENODEV, "name: no bdev named %s", name);
			return NULL;
		}
		json_array_append_new(array, fn(bdev));
		return array;
	}
	for (bdev = bdev_first(); bdev; bdev = bdev_next(bdev))
		json_array_append_new(array, fn(bdev));
	return array;
}

static void rpc_get_bdevs(struct rpc_request *req, json_t *params, void *ctx)
{
	const char *name = NULL;
	uint32_t timeout = 0;
	/* SPDK's timeout waits for a bdev to appear; ours appear synchronously,
	 * so it is accepted and has nothing to wait for. */
	const struct rpc_param spec[] = {
	    {"name", RPC_PARAM_STRING, &name, 0},
	    {"timeout", RPC_PARAM_U32, &timeout, 0},
	};
	json_t *array;

	(void)ctx;
	if (!tgt_rpc_decode(req, params, spec, ARRAY_SIZE(spec)))
		return;
	array = collect(req, name, bdev_to_json);
	if (array)
		rpc_reply_result(req, array);
}

static void rpc_get_iostat(struct rpc_request *req, json_t *params, void *ctx)
{
	const char *name = NULL;
	const struct rpc_param spec[] = {
	    {"name", RPC_PARAM_STRING, &name, 0},
	};
	json_t *array, *result;

	(void)ctx;
	if (!tgt_rpc_decode(req, params, spec, ARRAY_SIZE(spec)))
		return;
	array = collect(req, name, bdev_io_stat_to_json);
	if (!array)
		return;
	result = json_pack("{s:I, s:I, s:o}", "tick_rate", (json_int_t)env_tsc_hz(), "ticks",
			   (json_int_t)env_tsc(), "bdevs", array);
	if (!result) {
		rpc_reply_errno(req, -ENOMEM, NULL);
		return;
	}
	rpc_reply_result(req, result);
}

static const struct rpc_method g_bdev_methods[] = {
    {"bdev_null_create", rpc_null_create, "create a null bdev {name, num_blocks, block_size}"},
    {"bdev_null_delete", rpc_null_delete, "delete a null bdev {name}"},
    {"bdev_null_resize", rpc_null_resize, "resize a null bdev {name, new_size (MiB)}"},
    {"bdev_malloc_create", rpc_malloc_create,
     "create a RAM bdev {name?, num_blocks, block_size, uuid?}"},
    {"bdev_malloc_delete", rpc_malloc_delete, "delete a malloc bdev {name}"},
    {"bdev_uring_create", rpc_uring_create,
     "create an io_uring file bdev {name, filename, block_size?}"},
    {"bdev_uring_delete", rpc_uring_delete, "delete a uring bdev {name}"},
    {"bdev_uring_rescan", rpc_uring_rescan, "read the size of a uring bdev's file again {name}"},
    {"bdev_aio_create", rpc_uring_create,
     "SPDK alias of bdev_uring_create {name, filename, block_size?}"},
    {"bdev_aio_delete", rpc_uring_delete, "SPDK alias of bdev_uring_delete {name}"},
    {"bdev_aio_rescan", rpc_uring_rescan, "SPDK alias of bdev_uring_rescan {name}"},
    {"bdev_delay_create", rpc_delay_create,
     "a bdev holding I/O of another for a latency {base_bdev_name, name, avg_read_latency, "
     "p99_read_latency, avg_write_latency, p99_write_latency (us), uuid?}"},
    {"bdev_delay_delete", rpc_delay_delete, "delete a delay bdev {name}"},
    {"bdev_get_bdevs", rpc_get_bdevs, "list bdevs {name?}"},
    {"bdev_get_iostat", rpc_get_iostat, "I/O statistics of bdevs {name?}"},
};

int tgt_rpc_bdev_register(struct tgt_app *app)
{
	return rpc_server_add_methods(app->rpc, g_bdev_methods, ARRAY_SIZE(g_bdev_methods), app);
}
