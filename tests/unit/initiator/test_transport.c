/* SPDX-License-Identifier: MIT */
/*
 * The transport plug: a URI's scheme picks the transport from the one list,
 * an unknown scheme is refused naming the known ones, the public queue
 * calls reach the transport's table, and virtio-blk's status bytes and
 * config space become the neutral completion and info. No device needed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "initiator/internal.h"
#include "initiator/vhost_user_blk.h"
#include "spec/virtio.h"
#include "util/common.h"
#include "util/log.h"

static char g_log[1024];

static void capture(enum log_level level, const char *component, const char *line, void *arg)
{
	(void)level;
	(void)component;
	(void)arg;
	snprintf(g_log, sizeof(g_log), "%s", line);
}

static int log_setup(void **state)
{
	(void)state;
	log_set_sink(capture, NULL);
	return 0;
}

static void test_scheme_picks_transport(void **state)
{
	const struct initiator_transport *tp;
	const char *address;

	(void)state;
	assert_int_equal(initiator_uri_parse("vhost-user-blk:/tmp/vhost.0", &tp, &address), 0);
	assert_ptr_equal(tp, &g_transport_vhost_user_blk);
	assert_string_equal(address, "/tmp/vhost.0");
	/* A relative path and a colon inside the address are the transport's. */
	assert_int_equal(initiator_uri_parse("vhost-user-blk:run/a:b.sock", &tp, &address), 0);
	assert_string_equal(address, "run/a:b.sock");
}

static void test_unknown_scheme(void **state)
{
	static const char *const unknown[] = {
	    "vhost-user-scs:/tmp/x",	    "vhost-user-bl:/tmp/x",  "vhost-user-blkx:/tmp/x",
	    "nvme-tcp://10.0.0.1:4420/nqn", "VHOST-USER-BLK:/tmp/x",
	};
	const struct initiator_transport *tp;
	const char *address;
	struct storlab_dev *dev = NULL;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
		g_log[0] = '\0';
		assert_int_equal(initiator_uri_parse(unknown[i], &tp, &address), -EPROTONOSUPPORT);
		/* The message names the known schemes. */
		assert_non_null(strstr(g_log, "unknown scheme"));
		assert_non_null(strstr(g_log, "known: vhost-user-blk:, vhost-user-scsi:"));
	}
	assert_int_equal(storlab_dev_open("nvme:/x", NULL, &dev), -EPROTONOSUPPORT);
	assert_null(dev);
}

static void test_not_a_uri(void **state)
{
	const struct initiator_transport *tp;
	const char *address;

	(void)state;
	assert_int_equal(initiator_uri_parse("/tmp/vhost.0", &tp, &address), -EINVAL);
	assert_int_equal(initiator_uri_parse(":/tmp/x", &tp, &address), -EINVAL);
	assert_int_equal(initiator_uri_parse("vhost-user-blk:", &tp, &address), -EINVAL);
}

/* Refusals of the vhost-user-blk transport before it connects. */
static void test_open_refusals(void **state)
{
	char uri[160] = "vhost-user-blk:/";
	struct storlab_dev_opts opts = {.queue_size = 100};
	struct storlab_dev *dev = NULL;

	(void)state;
	/* unix(7): no socket address holds a path this long. */
	memset(uri + 16, 'a', sizeof(uri) - 17);
	assert_int_equal(storlab_dev_open(uri, NULL, &dev), -ENAMETOOLONG);
	/* virtio 1.2 §2.7: a power of 2. */
	assert_int_equal(storlab_dev_open("vhost-user-blk:/nonexistent", &opts, &dev), -EINVAL);
	opts = (struct storlab_dev_opts){.num_queues = 65};
	assert_int_equal(storlab_dev_open("vhost-user-blk:/nonexistent", &opts, &dev), -EINVAL);
	assert_int_equal(storlab_dev_open("vhost-user-blk:/nonexistent/sock", NULL, &dev), -ENOENT);
	assert_null(dev);
}

/* Every transport linked in is whole: a scheme of its own and every op. */
static void test_list_is_whole(void **state)
{
	unsigned n = 0;

	(void)state;
	assert_true(g_initiator_ntransports > 0);
	for (unsigned i = 0; i < g_initiator_ntransports; i++) {
		const struct initiator_transport *tp = g_initiator_transports[i];
		size_t len = strlen(tp->scheme);

		assert_true(strncmp(tp->uri_form, tp->scheme, len) == 0 &&
			    tp->uri_form[len] == ':');
		assert_string_equal(storlab_transport_uri_form(i), tp->uri_form);
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(g_initiator_transports[j]->scheme, tp->scheme);
		assert_non_null(tp->open);
		assert_non_null(tp->close);
		assert_non_null(tp->reconnect);
		assert_non_null(tp->details);
		assert_non_null(tp->queue_add);
		assert_non_null(tp->queue_submit);
		assert_non_null(tp->queue_reap);
		assert_non_null(tp->queue_inflight);
		assert_non_null(tp->queue_fd);
		assert_non_null(tp->queue_set_fd_enabled);
		assert_non_null(tp->status_name);
		n++;
	}
	assert_null(storlab_transport_uri_form(n));
}

/* ---- the public queue calls reach the transport's table ---- */

static const char *g_called;

static int fake_add(struct storlab_queue *q, const struct storlab_req *req)
{
	(void)q;
	g_called = "add";
	return (int)req->offset;
}

static int fake_submit(struct storlab_queue *q)
{
	(void)q;
	g_called = "submit";
	return -ENOTCONN;
}

static int fake_reap(struct storlab_queue *q, struct storlab_completion *c, unsigned min,
		     unsigned max, int timeout_ms)
{
	(void)q;
	(void)min;
	(void)timeout_ms;
	g_called = "reap";
	c[0] = (struct storlab_completion){.transport_status = 0x1234};
	return (int)max;
}

static unsigned fake_inflight(const struct storlab_queue *q)
{
	(void)q;
	g_called = "inflight";
	return 3;
}

static int fake_fd(const struct storlab_queue *q)
{
	(void)q;
	g_called = "fd";
	return 42;
}

static void fake_set_fd_enabled(struct storlab_queue *q, bool enabled)
{
	(void)q;
	g_called = enabled ? "fd on" : "fd off";
}

static const char *fake_status_name(uint16_t status)
{
	return status == 0x1234 ? "FAKE" : "?";
}

static const struct initiator_transport g_fake = {
    .scheme = "fake",
    .queue_add = fake_add,
    .queue_submit = fake_submit,
    .queue_reap = fake_reap,
    .queue_inflight = fake_inflight,
    .queue_fd = fake_fd,
    .queue_set_fd_enabled = fake_set_fd_enabled,
    .status_name = fake_status_name,
};

static void test_queue_dispatch(void **state)
{
	struct storlab_dev dev = {.tp = &g_fake};
	struct storlab_completion c[2];
	struct storlab_queue q;

	(void)state;
	initiator_queue_init(&q, &dev);
	assert_ptr_equal(q.dev, &dev);
	assert_int_equal(storlab_queue_add(&q, &(struct storlab_req){.offset = 7}), 7);
	assert_string_equal(g_called, "add");
	assert_int_equal(storlab_queue_submit(&q), -ENOTCONN);
	assert_string_equal(g_called, "submit");
	assert_int_equal(storlab_queue_reap(&q, c, 0, 2, 0), 2);
	assert_string_equal(g_called, "reap");
	assert_string_equal(storlab_queue_status_name(&q, &c[0]), "FAKE");
	assert_int_equal(storlab_queue_inflight(&q), 3);
	assert_string_equal(g_called, "inflight");
	assert_int_equal(storlab_queue_fd(&q), 42);
	storlab_queue_set_fd_enabled(&q, true);
	assert_string_equal(g_called, "fd on");
}

/* ---- virtio-blk in neutral terms ---- */

static void test_virtio_status_mapping(void **state)
{
	static const struct {
		uint8_t byte;
		uint8_t status;
		int ret;
		const char *name;
	} cases[] = {
	    {STORLAB_VIRTIO_BLK_S_OK, STORLAB_STATUS_OK, 0, "OK"},
	    {STORLAB_VIRTIO_BLK_S_IOERR, STORLAB_STATUS_ERROR, -EIO, "IOERR"},
	    {STORLAB_VIRTIO_BLK_S_UNSUPP, STORLAB_STATUS_UNSUPPORTED, -ENOTSUP, "UNSUPP"},
	    /* §5.2.6 defines no other value: an answer we cannot read. */
	    {3, STORLAB_STATUS_ERROR, -EPROTO, "UNKNOWN"},
	    {STORLAB_VIRTIO_BLK_S_NONE, STORLAB_STATUS_ERROR, -EPROTO, "NONE"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct storlab_completion c;

		memset(&c, 0xa5, sizeof(c));
		virtio_blk_complete(&c, (void *)9, cases[i].byte, 513);
		assert_ptr_equal(c.tag, (void *)9);
		assert_int_equal(c.status, cases[i].status);
		assert_int_equal(c.ret, cases[i].ret);
		assert_int_equal(c.transport_status, cases[i].byte);
		assert_int_equal(c.len, 513);
		assert_string_equal(virtio_blk_status_name(c.transport_status), cases[i].name);
	}
}

/* virtio 1.2 §5.2.4: a config field counts only with its feature. */
static void test_virtio_limits(void **state)
{
	struct storlab_virtio_blk_info vb = {
	    .config = {.capacity = 2048,
		       .size_max = 65536 + 100,
		       .seg_max = 200,
		       .blk_size = 4096,
		       .max_discard_sectors = 64,
		       .max_write_zeroes_sectors = 128},
	};
	struct storlab_dev_info info;

	(void)state;
	memset(&info, 0, sizeof(info));
	virtio_blk_info_fill(&info, &vb);
	assert_int_equal(info.capacity, 2048 * 512);
	assert_int_equal(info.block_size, 512);
	assert_false(info.read_only);
	assert_int_equal(info.max_segment_size, 0);
	assert_int_equal(info.max_segments, STORLAB_MAX_SEGMENTS);
	assert_int_equal(info.max_transfer, 0);
	/* Without DISCARD / WRITE_ZEROES: what num_sectors holds, 4 KiB aligned. */
	assert_int_equal(info.max_discard, (uint64_t)(UINT32_MAX & ~7u) * 512);
	assert_int_equal(info.max_write_zeroes, (uint64_t)(UINT32_MAX & ~7u) * 512);

	vb.features_negotiated =
	    VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) |
	    VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) | VIRTIO_BIT(VIRTIO_BLK_F_RO) |
	    VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) | VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);
	virtio_blk_info_fill(&info, &vb);
	assert_int_equal(info.block_size, 4096);
	assert_true(info.read_only);
	assert_int_equal(info.max_segment_size, 65536); /* whole sectors */
	assert_int_equal(info.max_segments, STORLAB_MAX_SEGMENTS);
	assert_int_equal(info.max_discard, 64 * 512);
	assert_int_equal(info.max_write_zeroes, 128 * 512);
	vb.config.seg_max = 3;
	virtio_blk_info_fill(&info, &vb);
	assert_int_equal(info.max_segments, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scheme_picks_transport),
	    cmocka_unit_test(test_unknown_scheme),
	    cmocka_unit_test(test_not_a_uri),
	    cmocka_unit_test(test_open_refusals),
	    cmocka_unit_test(test_list_is_whole),
	    cmocka_unit_test(test_queue_dispatch),
	    cmocka_unit_test(test_virtio_status_mapping),
	    cmocka_unit_test(test_virtio_limits),
	};

	return cmocka_run_group_tests(tests, log_setup, NULL);
}
