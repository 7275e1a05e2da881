/* SPDX-License-Identifier: MIT */
/*
 * The front-end's set-up sequence (vhost_fe_setup.h) against our back-end
 * on a real socket, with a fake device behind it: the messages in their
 * order, what the back-end ends up with (features, rings started or not),
 * the callers' options (a feature subset, rings left unstarted, a required
 * feature missing, prepare() refusing), and virtio-blk's queue count.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_dev.h"
#include "spec/virtio_blk.h"
#include "test_util.h"
#include "util/evloop.h"
#include "vhost/vhost_fe_setup.h"

#define PF(bit)	   (1ULL << VHOST_USER_PROTOCOL_F_##bit)
#define F_PROTOCOL (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)
#define OUR_PF	   (PF(MQ) | PF(REPLY_ACK) | PF(CONFIG) | PF(CONFIGURE_MEM_SLOTS))
#define TIMEOUT_MS 2000
#define NRINGS	   2
#define MAX_SENT   64

struct t {
	struct fake_dev fake;
	struct evloop *loop;
	struct vhost_dev *dev;
	pthread_t thread;
	char dir[64];
	char path[96];
	int fds_before;
	struct guest_region guest;
	struct vhost_fe *fe;
	uint32_t sent[MAX_SENT]; /* requests the front-end sent, in order */
	unsigned nsent;
	struct virtq_drv vq[NRINGS];
	struct vhost_fe_setup_ring rings[NRINGS];
	struct virtio_blk_config config;
	char note[256];
	int prepare_ret;
	unsigned prepared; /* prepare() calls */
	uint64_t prepared_features;
};

static void *loop_main(void *arg)
{
	evloop_run(arg);
	return NULL;
}

static void on_msg(void *arg, const struct vhost_tap_msg *m)
{
	struct t *t = arg;

	if (m->dir == VHOST_TAP_SENT && t->nsent < MAX_SENT)
		t->sent[t->nsent++] = m->hdr.request;
}

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	struct vhost_dev_opts opts = {
	    .max_queues = NRINGS,
	    .protocol_features = OUR_PF,
	    .ops = &g_fake_ops,
	};

	log_start();
	t->fds_before = count_fds();
	fake_init(&t->fake);
	snprintf(t->dir, sizeof(t->dir), "/tmp/storlab-fe-setup-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/sock", t->dir);
	/* The rings' addresses are the front-end's own: map at the real uva. */
	guest_region_init(&t->guest, 0, NRINGS * RING_STRIDE, 0);
	t->guest.r.uva = (uintptr_t)t->guest.map;
	opts.socket_path = t->path;
	opts.ctx = &t->fake;
	assert_int_equal(evloop_create(&t->loop), 0);
	opts.loop = t->loop;
	assert_int_equal(vhost_dev_create(&opts, &t->dev), 0);
	assert_int_equal(pthread_create(&t->thread, NULL, loop_main, t->loop), 0);
	assert_int_equal(vhost_fe_connect(t->path, TIMEOUT_MS, &t->fe), 0);
	vhost_fe_set_tap(t->fe, &(struct vhost_tap){.fn = on_msg, .arg = t});
	for (unsigned i = 0; i < NRINGS; i++) {
		t->rings[i].vq = &t->vq[i];
		t->rings[i].kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		t->rings[i].call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	}
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	vhost_fe_close(t->fe);
	evloop_stop(t->loop);
	pthread_join(t->thread, NULL);
	vhost_dev_destroy(t->dev);
	evloop_destroy(t->loop);
	for (unsigned i = 0; i < NRINGS; i++) {
		virtq_drv_fini(&t->vq[i]);
		close(t->rings[i].kick_fd);
		close(t->rings[i].call_fd);
	}
	guest_region_fini(&t->guest);
	assert_int_equal(rmdir(t->dir), 0);
	assert_int_equal(count_fds(), t->fds_before);
	free(t);
	return 0;
}

/* prepare(): split rings in the guest region, for the features negotiated. */
static int prepare(void *arg, const struct vhost_fe_setup_state *st)
{
	struct t *t = arg;

	t->prepared++;
	t->prepared_features = st->features;
	if (t->prepare_ret)
		return t->prepare_ret;
	for (unsigned i = 0; i < NRINGS; i++) {
		struct virtq_drv_config cfg = {
		    .layout = VIRTQ_LAYOUT_SPLIT,
		    .num = RING_NUM,
		    .ring = t->guest.map + i * RING_STRIDE,
		    .ring_gpa = i * RING_STRIDE,
		    .features = st->features,
		};

		assert_int_equal(virtq_drv_init(&t->vq[i], &cfg), 0);
	}
	return 0;
}

static void note(void *arg, const char *line)
{
	struct t *t = arg;

	snprintf(t->note, sizeof(t->note), "%s", line);
}

static struct vhost_fe_setup_opts opts_of(struct t *t)
{
	return (struct vhost_fe_setup_opts){
	    .features = FAKE_FEATURES | F_PROTOCOL,
	    .required_features = VIRTIO_BIT(VIRTIO_F_VERSION_1),
	    .protocol_features = VHOST_FE_PROTOCOL_FEATURES,
	    .regions = &t->guest.r,
	    .nregions = 1,
	    .get_config = vhost_fe_get_blk_config,
	    .config = &t->config,
	    .prepare = prepare,
	    .arg = t,
	    .rings = t->rings,
	    .nrings = NRINGS,
	    .note = note,
	};
}

static void expect_sent(const struct t *t, const uint32_t *want, unsigned n)
{
	for (unsigned i = 0; i < n && i < t->nsent; i++) {
		if (t->sent[i] != want[i])
			fail_msg("message %u is request %u, expected %u", i, t->sent[i], want[i]);
	}
	assert_int_equal(t->nsent, n);
}

/* Waits until the fake device's events are exactly want. */
static void expect_events(struct t *t, const char *want)
{
	char seen[4096] = "";

	for (int i = 0; i < TIMEOUT_MS / 5 && strcmp(seen, want) != 0; i++) {
		strncat(seen, fake_take_events(&t->fake), sizeof(seen) - strlen(seen) - 1);
		if (strcmp(seen, want) != 0)
			usleep(5000);
	}
	assert_string_equal(seen, want);
}

static void test_full_sequence(void **state)
{
	static const uint32_t want[] = {
	    VHOST_USER_SET_OWNER,
	    VHOST_USER_GET_FEATURES,
	    VHOST_USER_GET_PROTOCOL_FEATURES,
	    VHOST_USER_SET_PROTOCOL_FEATURES,
	    VHOST_USER_GET_QUEUE_NUM,
	    VHOST_USER_SET_FEATURES,
	    VHOST_USER_SET_MEM_TABLE,
	    VHOST_USER_GET_CONFIG,
	    VHOST_USER_SET_VRING_NUM,
	    VHOST_USER_SET_VRING_ADDR,
	    VHOST_USER_SET_VRING_BASE,
	    VHOST_USER_SET_VRING_CALL,
	    VHOST_USER_SET_VRING_KICK,
	    VHOST_USER_SET_VRING_NUM,
	    VHOST_USER_SET_VRING_ADDR,
	    VHOST_USER_SET_VRING_BASE,
	    VHOST_USER_SET_VRING_CALL,
	    VHOST_USER_SET_VRING_KICK,
	    VHOST_USER_SET_VRING_ENABLE,
	    VHOST_USER_SET_VRING_ENABLE,
	};
	struct t *t = *state;
	struct vhost_fe_setup_opts o = opts_of(t);
	struct vhost_fe_setup_state st;

	assert_int_equal(vhost_fe_setup(t->fe, &o, &st), 0);
	expect_sent(t, want, sizeof(want) / sizeof(want[0]));
	assert_int_equal(st.features_offered, FAKE_FEATURES | F_PROTOCOL);
	assert_int_equal(st.features, FAKE_FEATURES | F_PROTOCOL);
	assert_int_equal(st.protocol_features_offered, OUR_PF);
	/* CONFIGURE_MEM_SLOTS is offered, not asked for. */
	assert_int_equal(st.protocol_features, PF(MQ) | PF(REPLY_ACK) | PF(CONFIG));
	assert_int_equal(st.queue_num, NRINGS);
	/* The fake knows 60 bytes and reads zeroes past them. */
	assert_int_equal(st.config_len, sizeof(struct virtio_blk_config));
	assert_memory_equal(&t->config, t->fake.config, FAKE_CONFIG_LEN);
	assert_int_equal(t->prepared, 1);
	assert_int_equal(t->prepared_features, FAKE_FEATURES | F_PROTOCOL);
	/* The device sees its own bits only; both rings run, where we put them. */
	expect_events(t, "connected features start:0 start:1 ");
	assert_int_equal(t->fake.acked, FAKE_FEATURES);
	for (unsigned i = 0; i < NRINGS; i++) {
		assert_int_equal(t->fake.rings[i].num, RING_NUM);
		assert_int_equal(t->fake.rings[i].last_avail_idx, 0);
	}
	assert_non_null(strstr(t->note, "acknowledged 0x"));
}

/* A conformance case's variant: EVENT_IDX left out, no protocol features,
 * rings set up but not started. */
static void test_subset_not_started(void **state)
{
	static const uint32_t want[] = {
	    VHOST_USER_SET_OWNER,      VHOST_USER_GET_FEATURES,	  VHOST_USER_SET_FEATURES,
	    VHOST_USER_SET_MEM_TABLE,  VHOST_USER_SET_VRING_NUM,  VHOST_USER_SET_VRING_ADDR,
	    VHOST_USER_SET_VRING_BASE, VHOST_USER_SET_VRING_CALL, VHOST_USER_SET_VRING_NUM,
	    VHOST_USER_SET_VRING_ADDR, VHOST_USER_SET_VRING_BASE, VHOST_USER_SET_VRING_CALL,
	};
	struct t *t = *state;
	struct vhost_fe_setup_opts o = opts_of(t);
	struct vhost_fe_setup_state st;
	uint64_t features = FAKE_FEATURES & ~VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX);

	o.features = features;
	o.no_start = true;
	/* One ring without MQ: GET_QUEUE_NUM is not asked. */
	assert_int_equal(vhost_fe_setup(t->fe, &o, &st), 0);
	expect_sent(t, want, sizeof(want) / sizeof(want[0]));
	assert_int_equal(st.features, features);
	assert_int_equal(st.protocol_features, 0);
	assert_int_equal(st.queue_num, 1);
	assert_int_equal(st.config_len, 0);
	assert_false(t->vq[0].event_idx);
	/* No kick fd: nothing started. */
	expect_events(t, "connected features ");
	assert_int_equal(t->fake.acked, features);

	/* The case starts ring 0 itself, as no_start promises it may. */
	assert_int_equal(vhost_fe_set_vring_kick(t->fe, 0, t->rings[0].kick_fd), 0);
	expect_events(t, "start:0 ");
}

static void test_required_feature_missing(void **state)
{
	static const uint32_t want[] = {VHOST_USER_SET_OWNER, VHOST_USER_GET_FEATURES};
	struct t *t = *state;
	struct vhost_fe_setup_opts o = opts_of(t);
	struct vhost_fe_setup_state st;

	o.required_features |= VIRTIO_BIT(VIRTIO_F_RING_PACKED);
	assert_int_equal(vhost_fe_setup(t->fe, &o, &st), -ENOTSUP);
	expect_sent(t, want, sizeof(want) / sizeof(want[0]));
	assert_int_equal(t->prepared, 0);
	assert_true(log_has("does not offer features 0x"));
}

/* prepare() refusing (too few queues, say) ends the set-up before any ring
 * message. */
static void test_prepare_refuses(void **state)
{
	struct t *t = *state;
	struct vhost_fe_setup_opts o = opts_of(t);
	struct vhost_fe_setup_state st;

	t->prepare_ret = -ENOTSUP;
	assert_int_equal(vhost_fe_setup(t->fe, &o, &st), -ENOTSUP);
	assert_int_equal(t->prepared, 1);
	assert_int_equal(t->sent[t->nsent - 1], VHOST_USER_GET_CONFIG);
	expect_events(t, "connected features ");
}

/* A back-end that nacks a message: the set-up stops there with its errno. */
static void test_nack_stops(void **state)
{
	struct t *t = *state;
	struct vhost_fe_setup_opts o = opts_of(t);
	struct vhost_fe_setup_state st;

	t->fake.ring_start_ret = -EIO;
	assert_int_equal(vhost_fe_setup(t->fe, &o, &st), -EIO);
	/* Ring 0 fails to start at its SET_VRING_ENABLE: ring 1 gets none. */
	assert_int_equal(t->sent[t->nsent - 1], VHOST_USER_SET_VRING_ENABLE);
	assert_int_equal(t->sent[t->nsent - 2], VHOST_USER_SET_VRING_KICK);
	assert_true(log_has("set-up: VHOST_USER_SET_VRING_ENABLE"));
}

static void test_blk_max_queues(void **state)
{
	struct virtio_blk_config cfg = {.num_queues = 4};
	uint64_t mq = VIRTIO_BIT(VIRTIO_BLK_F_MQ);

	(void)state;
	/* §5.2.2: one queue without VIRTIO_BLK_F_MQ, whatever else says. */
	assert_int_equal(vhost_fe_blk_max_queues(0, 8, &cfg, sizeof(cfg)), 1);
	assert_int_equal(vhost_fe_blk_max_queues(0, 0, &cfg, sizeof(cfg)), 0);
	/* With it, the smaller of GET_QUEUE_NUM and num_queues. */
	assert_int_equal(vhost_fe_blk_max_queues(mq, 8, &cfg, sizeof(cfg)), 4);
	assert_int_equal(vhost_fe_blk_max_queues(mq, 2, &cfg, sizeof(cfg)), 2);
	/* No config read: GET_QUEUE_NUM alone, within VHOST_MAX_QUEUES. */
	assert_int_equal(vhost_fe_blk_max_queues(mq, 8, &cfg, 0), 8);
	assert_int_equal(vhost_fe_blk_max_queues(mq, 1000, &cfg, 0), VHOST_MAX_QUEUES);
	/* num_queues 0 with MQ is taken as 1, and said. */
	log_start();
	cfg.num_queues = 0;
	assert_int_equal(vhost_fe_blk_max_queues(mq, 8, &cfg, sizeof(cfg)), 1);
	assert_true(log_has("§5.2.4"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_full_sequence, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_subset_not_started, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_required_feature_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prepare_refuses, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nack_stops, setup, teardown),
	    cmocka_unit_test(test_blk_max_queues),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
