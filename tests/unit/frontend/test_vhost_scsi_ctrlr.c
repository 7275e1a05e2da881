/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user-scsi device model as a front-end sees it over the socket:
 * features (virtio 1.2 §5.6.3), configuration space (§5.6.4) and what the
 * driver may write of it (§5.6.4.1), queue count. The control thread's loop
 * runs in a thread of its own; the test thread is the front-end (lib/vhost's
 * vhost_fe) and asks the loop to change LUNs.
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
#include "spec/virtio_scsi.h"
#include "target/bdev/bdev.h"
#include "target/frontend/vhost_scsi.h"
#include "util/log.h"

struct fixture {
	char dir[64];
	char path[128];
	struct evloop *loop;
	pthread_t thread;
	struct vhost_scsi *vs;
	int rc;
	sem_t sem;
	struct vhost_fe *fe;
};

static void *loop_thread(void *arg)
{
	struct fixture *f = arg;

	evloop_run(f->loop);
	return NULL;
}

static void signal_done(void *arg)
{
	struct fixture *f = arg;

	sem_post(&f->sem);
}

/* Runs fn(f) on the loop's thread; fn posts the semaphore when done. */
static void on_control_thread(struct fixture *f, void (*fn)(void *arg))
{
	assert_int_equal(evloop_call(f->loop, fn, f), 0);
	while (sem_wait(&f->sem) < 0 && errno == EINTR)
		;
}

static void create_ctrlr(void *arg)
{
	struct fixture *f = arg;
	struct vhost_scsi_opts o = {
	    .name = "scsi.0", .socket_path = f->path, .num_queues = 3, .loop = f->loop};
	struct frontend_err err;

	f->rc = vhost_scsi_create(&o, &f->vs);
	if (f->rc == 0)
		f->rc = vhost_scsi_add_lun(f->vs, 0, 0, "Malloc5", false, &err);
	sem_post(&f->sem);
}

static void add_big_lun(void *arg)
{
	struct fixture *f = arg;
	struct frontend_err err;

	f->rc = vhost_scsi_add_lun(f->vs, 2, 1, "Malloc6", false, &err);
	sem_post(&f->sem);
}

static void destroy_ctrlr(void *arg)
{
	struct fixture *f = arg;

	vhost_scsi_destroy(f->vs, signal_done, f);
}

static int setup(void **state)
{
	struct env_opts eo = {.core_mask = 1, .mode = ENV_MODE_ADAPTIVE, .no_pin = true};
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_scsi_ctrlr.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/scsi.0", f->dir);
	sem_init(&f->sem, 0, 0);
	assert_int_equal(env_init(&eo), 0);
	assert_int_equal(env_start(), 0);
	assert_int_equal(bdev_malloc_create("Malloc5", 1000, 4096), 0);
	assert_int_equal(bdev_malloc_create("Malloc6", 1000, 512), 0);
	assert_int_equal(evloop_create(&f->loop), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, loop_thread, f), 0);
	on_control_thread(f, create_ctrlr);
	assert_int_equal(f->rc, 0);
	assert_int_equal(vhost_fe_connect(f->path, 2000, &f->fe), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vhost_fe_close(f->fe);
	on_control_thread(f, destroy_ctrlr);
	assert_int_equal(access(f->path, F_OK), -1);
	evloop_stop(f->loop);
	pthread_join(f->thread, NULL);
	evloop_destroy(f->loop);
	/* the controller closed its LUNs' bdevs */
	assert_int_equal(bdev_unregister("Malloc5"), 0);
	assert_int_equal(bdev_unregister("Malloc6"), 0);
	env_stop();
	rmdir(f->dir);
	sem_destroy(&f->sem);
	free(f);
	return 0;
}

static void use_config(struct fixture *f)
{
	uint64_t pf = 0;

	assert_int_equal(vhost_fe_get_protocol_features(f->fe, &pf), 0);
	assert_true(pf & (1ULL << VHOST_USER_PROTOCOL_F_CONFIG));
	assert_int_equal(vhost_fe_set_protocol_features(f->fe, pf), 0);
}

static void test_features_and_queues(void **state)
{
	struct fixture *f = *state;
	uint64_t features = 0, nq = 0;

	assert_int_equal(vhost_fe_get_features(f->fe, &features), 0);
	assert_true(features & VIRTIO_BIT(VIRTIO_F_VERSION_1));
	assert_true(features & VIRTIO_BIT(VIRTIO_SCSI_F_HOTPLUG));
	/* CHANGE for QEMU 7.2, which acks it unoffered (vhost_scsi.c) */
	assert_true(features & VIRTIO_BIT(VIRTIO_SCSI_F_CHANGE));
	/* no bidirectional commands, no PI */
	assert_false(features & VIRTIO_BIT(VIRTIO_SCSI_F_INOUT));
	assert_false(features & VIRTIO_BIT(VIRTIO_SCSI_F_T10_PI));
	use_config(f);
	assert_int_equal(vhost_fe_get_queue_num(f->fe, &nq), 0);
	/* §5.6.2: controlq, eventq and the request queues */
	assert_int_equal(nq, 3 + 2);
}

static void test_config_space(void **state)
{
	struct fixture *f = *state;
	uint8_t space[VHOST_USER_MAX_CONFIG_SIZE];
	struct virtio_scsi_config cfg;

	use_config(f);
	memset(space, 0xee, sizeof(space));
	assert_int_equal(vhost_fe_get_config(f->fe, 0, sizeof(space), space), 0);
	memcpy(&cfg, space, sizeof(cfg));
	assert_int_equal(cfg.num_queues, 3);
	/* §5.6.4.2: the defaults */
	assert_int_equal(cfg.sense_size, 96);
	assert_int_equal(cfg.cdb_size, 32);
	assert_int_equal(cfg.max_channel, 0);
	assert_int_equal(cfg.max_target, VHOST_SCSI_MAX_TARGETS - 1);
	assert_int_equal(cfg.max_lun, VHOST_SCSI_MAX_LUNS - 1);
	assert_int_equal(cfg.event_info_size, sizeof(struct virtio_scsi_event));
	assert_int_equal(cfg.seg_max, 126);
	assert_true(cfg.max_sectors > 0);
	for (size_t i = sizeof(cfg); i < sizeof(space); i++)
		assert_int_equal(space[i], 0);
}

/* §5.6.4.1: the driver may write sense_size and cdb_size, nothing else. */
static void test_config_writes(void **state)
{
	struct fixture *f = *state;
	uint32_t v = 64, got = 0;

	use_config(f);
	assert_int_equal(vhost_fe_set_config(f->fe, offsetof(struct virtio_scsi_config, cdb_size),
					     sizeof(v), &v),
			 0);
	assert_int_equal(vhost_fe_get_config(f->fe, offsetof(struct virtio_scsi_config, cdb_size),
					     sizeof(got), &got),
			 0);
	assert_int_equal(got, 64);
	/* num_queues is the device's */
	assert_int_not_equal(vhost_fe_set_config(f->fe,
						 offsetof(struct virtio_scsi_config, num_queues),
						 sizeof(v), &v),
			     0);
}

/* A second LUN with a smaller transfer limit bounds what the config says;
 * an unknown bdev is refused. */
static void test_add_lun(void **state)
{
	struct fixture *f = *state;
	struct vhost_scsi_lun_info li;

	on_control_thread(f, add_big_lun);
	assert_int_equal(f->rc, 0);
	vhost_scsi_get_lun(f->vs, 2, 1, &li);
	assert_true(li.present);
	assert_string_equal(li.bdev_name, "Malloc6");
	vhost_scsi_get_lun(f->vs, 2, 0, &li);
	assert_false(li.present);
	/* a held bdev cannot be deleted */
	assert_int_equal(bdev_unregister("Malloc6"), -EBUSY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_features_and_queues, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_config_space, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_config_writes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_add_lun, setup, teardown),
	};

	log_set_level(LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
