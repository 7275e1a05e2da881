/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user-blk device model as a front-end sees it over the socket:
 * features (virtio 1.2 §5.2.3), configuration space (§5.2.4), queue count.
 * The control thread's loop runs in a thread of its own; the test thread
 * is the front-end (lib/vhost's vhost_fe).
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "env/env.h"
#include "spec/vhost_user.h"
#include "spec/virtio_blk.h"
#include "target/bdev/bdev.h"
#include "target/frontend/vhost_blk.h"
#include "util/log.h"

#define NUM_BLOCKS 1000

struct fixture {
	char dir[64];
	char path[128];
	struct evloop *loop;
	pthread_t loop_thread;
	struct vhost_blk_opts opts;
	struct vhost_blk *vb;
	int rc;
	sem_t done;
	struct vhost_fe *fe;
};

static void *loop_main(void *arg)
{
	struct fixture *f = arg;

	evloop_run(f->loop);
	return NULL;
}

/* Controllers live on the loop's thread (vhost_blk.h): run there, wait. */
static void on_loop(struct fixture *f, void (*fn)(void *arg))
{
	assert_int_equal(evloop_call(f->loop, fn, f), 0);
	while (sem_wait(&f->done) < 0 && errno == EINTR)
		;
}

static void create_on_loop(void *arg)
{
	struct fixture *f = arg;

	f->rc = vhost_blk_create(&f->opts, &f->vb);
	sem_post(&f->done);
}

static void destroyed(void *arg)
{
	struct fixture *f = arg;

	sem_post(&f->done);
}

/* Answered once the controller is gone (its rings drained). */
static void destroy_on_loop(void *arg)
{
	struct fixture *f = arg;

	vhost_blk_destroy(f->vb, destroyed, f);
}

static int setup_with(void **state, bool readonly, uint16_t num_queues)
{
	struct env_opts eo = {.core_mask = 1, .mode = ENV_MODE_ADAPTIVE, .no_pin = true};
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_blk_ctrlr.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/vhost.0", f->dir);
	sem_init(&f->done, 0, 0);
	assert_int_equal(env_init(&eo), 0);
	assert_int_equal(env_start(), 0);
	assert_int_equal(bdev_malloc_create("Malloc9", NUM_BLOCKS, 4096), 0);
	assert_int_equal(evloop_create(&f->loop), 0);
	assert_int_equal(pthread_create(&f->loop_thread, NULL, loop_main, f), 0);

	f->opts = (struct vhost_blk_opts){
	    .name = "vhost.0",
	    .socket_path = f->path,
	    .bdev_name = "Malloc9",
	    .readonly = readonly,
	    .num_queues = num_queues,
	    .loop = f->loop,
	};
	on_loop(f, create_on_loop);
	assert_int_equal(f->rc, 0);
	assert_int_equal(vhost_fe_connect(f->path, 2000, &f->fe), 0);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, false, 0);
}

static int setup_ro(void **state)
{
	return setup_with(state, true, 3);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vhost_fe_close(f->fe);
	on_loop(f, destroy_on_loop);
	/* The controller removed its socket file. */
	assert_int_equal(access(f->path, F_OK), -1);
	evloop_stop(f->loop);
	pthread_join(f->loop_thread, NULL);
	evloop_destroy(f->loop);
	assert_int_equal(bdev_unregister("Malloc9"), 0);
	env_stop();
	rmdir(f->dir);
	sem_destroy(&f->done);
	free(f);
	return 0;
}

static void negotiate_protocol(struct fixture *f)
{
	uint64_t pf = 0;

	assert_int_equal(vhost_fe_get_protocol_features(f->fe, &pf), 0);
	assert_true(pf & (1ULL << VHOST_USER_PROTOCOL_F_CONFIG));
	assert_true(pf & (1ULL << VHOST_USER_PROTOCOL_F_MQ));
	assert_int_equal(vhost_fe_set_protocol_features(f->fe, pf), 0);
}

static void test_features(void **state)
{
	struct fixture *f = *state;
	uint64_t features = 0;
	const int want[] = {
	    VIRTIO_F_VERSION_1,	       VIRTIO_RING_F_INDIRECT_DESC, VIRTIO_RING_F_EVENT_IDX,
	    VIRTIO_BLK_F_SEG_MAX,      VIRTIO_BLK_F_BLK_SIZE,	    VIRTIO_BLK_F_TOPOLOGY,
	    VIRTIO_BLK_F_MQ,	       VIRTIO_BLK_F_FLUSH,	    VIRTIO_BLK_F_DISCARD,
	    VIRTIO_BLK_F_WRITE_ZEROES,
	};
	const int not_offered[] = {
	    VIRTIO_BLK_F_RO,	   VIRTIO_BLK_F_SIZE_MAX, VIRTIO_BLK_F_CONFIG_WCE,
	    VIRTIO_BLK_F_GEOMETRY, VIRTIO_F_RING_PACKED,
	};

	assert_int_equal(vhost_fe_get_features(f->fe, &features), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (!(features & VIRTIO_BIT(want[i])))
			fail_msg("feature bit %d not offered", want[i]);
	}
	for (size_t i = 0; i < sizeof(not_offered) / sizeof(not_offered[0]); i++) {
		if (features & VIRTIO_BIT(not_offered[i]))
			fail_msg("feature bit %d offered", not_offered[i]);
	}
}

static void test_config_space(void **state)
{
	struct fixture *f = *state;
	uint8_t space[VHOST_USER_MAX_CONFIG_SIZE];
	struct virtio_blk_config cfg;
	uint32_t blk_size = 0;
	uint64_t nq = 0;

	negotiate_protocol(f);
	memset(space, 0xee, sizeof(space));
	assert_int_equal(vhost_fe_get_config(f->fe, 0, sizeof(space), space), 0);
	memcpy(&cfg, space, sizeof(cfg));
	assert_int_equal(cfg.capacity, NUM_BLOCKS * 8);
	assert_int_equal(cfg.blk_size, 4096);
	assert_int_equal(cfg.seg_max, 126);
	assert_int_equal(cfg.num_queues, VHOST_BLK_DEFAULT_QUEUES);
	assert_int_equal(cfg.topology.min_io_size, 1);
	assert_int_equal(cfg.max_discard_seg, 16);
	assert_int_equal(cfg.max_write_zeroes_seg, 16);
	/* Whole 4 KiB blocks: 8 sectors each. */
	assert_int_equal(cfg.discard_sector_alignment, 8);
	assert_int_equal(cfg.max_discard_sectors % 8, 0);
	assert_int_equal(cfg.max_write_zeroes_sectors % 8, 0);
	assert_int_equal(cfg.writeback, 0);
	for (size_t i = sizeof(cfg); i < sizeof(space); i++)
		assert_int_equal(space[i], 0);

	/* A window in the middle of the structure. */
	assert_int_equal(vhost_fe_get_config(f->fe, offsetof(struct virtio_blk_config, blk_size),
					     sizeof(blk_size), &blk_size),
			 0);
	assert_int_equal(blk_size, 4096);

	assert_int_equal(vhost_fe_get_queue_num(f->fe, &nq), 0);
	assert_int_equal(nq, VHOST_BLK_DEFAULT_QUEUES);
}

static void test_readonly(void **state)
{
	struct fixture *f = *state;
	struct virtio_blk_config cfg;
	struct vhost_blk_info info;
	uint64_t features = 0, nq = 0;

	assert_int_equal(vhost_fe_get_features(f->fe, &features), 0);
	assert_true(features & VIRTIO_BIT(VIRTIO_BLK_F_RO));
	/* Nothing that writes is offered on a read-only device. */
	assert_false(features & VIRTIO_BIT(VIRTIO_BLK_F_DISCARD));
	assert_false(features & VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES));

	negotiate_protocol(f);
	assert_int_equal(vhost_fe_get_config(f->fe, 0, sizeof(cfg), &cfg), 0);
	assert_int_equal(cfg.num_queues, 3);
	assert_int_equal(cfg.max_discard_seg, 0);
	assert_int_equal(vhost_fe_get_queue_num(f->fe, &nq), 0);
	assert_int_equal(nq, 3);

	vhost_blk_get_info(f->vb, &info);
	assert_string_equal(info.name, "vhost.0");
	assert_string_equal(info.bdev_name, "Malloc9");
	assert_string_equal(info.socket_path, f->path);
	assert_true(info.readonly);
	assert_int_equal(info.num_queues, 3);
	assert_int_equal(info.cpumask, 1);
}

/* While a controller holds the bdev, the bdev cannot be deleted. */
static void test_bdev_held(void **state)
{
	(void)state;
	assert_int_equal(bdev_unregister("Malloc9"), -EBUSY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_features, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_config_space, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readonly, setup_ro, teardown),
	    cmocka_unit_test_setup_teardown(test_bdev_held, setup, teardown),
	};

	log_set_level(LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
