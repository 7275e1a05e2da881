/* SPDX-License-Identifier: MIT */
/*
 * The vfio-user codec's builders and its reply parser: what the builders
 * write is compared with messages written field by field from vfio-user.rst;
 * replies written field by field are parsed against the command they answer,
 * and the ones that do not answer it are refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/unit/vfio_user/bytes.h"
#include "tests/unit/vhost/test_util.h"
#include "vfio-user/vfio_user.h"

static struct vfio_user_caps g_local;
static struct bytes g_m;
static uint8_t g_out[8192];
static const int g_fds[2] = {50, 51};

static int setup(void **state)
{
	(void)state;
	log_start();
	vfio_user_caps_default(&g_local);
	g_local.max_msg_fds = 2;
	return 0;
}

/* The command we sent, as the codec sees it: built, then parsed back (as
 * the side it goes to). */
static void sent_cmd(enum vfio_user_side to, const uint8_t *buf, int len,
		     struct vfio_user_cmd *sent)
{
	struct vfio_user_msg msg;

	assert_true(len > 0);
	assert_int_equal(
	    vfio_user_msg_view(buf, len, NULL, 0, 0, to, vfio_user_max_msg_size(&g_local), &msg),
	    0);
	assert_int_equal(vfio_user_cmd_parse(&msg, &g_local, sent), 0);
}

/* Parses g_m as a reply received by side `at` to sent. */
static int reply_at(enum vfio_user_side at, unsigned nfds, const struct vfio_user_cmd *sent,
		    struct vfio_user_reply *r)
{
	struct vfio_user_msg msg;
	int ret;

	ret = vfio_user_msg_view(g_m.b, g_m.n, g_fds, nfds, g_local.max_msg_fds, at,
				 vfio_user_max_msg_size(&g_local), &msg);
	if (ret < 0)
		return ret;
	return vfio_user_reply_parse(&msg, sent, r);
}

static int reply(unsigned nfds, const struct vfio_user_cmd *sent, struct vfio_user_reply *r)
{
	return reply_at(VFIO_USER_CLIENT, nfds, sent, r);
}

static void test_version(void **state)
{
	struct vfio_user_caps caps;
	struct vfio_user_cmd sent;
	struct vfio_user_reply r;
	int n;

	(void)state;
	vfio_user_caps_default(&caps);
	caps.max_msg_fds = 16;
	n = vfio_user_build_version(g_out, sizeof(g_out), NULL, 1, 0, 1, &caps);
	/* Header and version pair as the spec lays them out. */
	put_hdr(&g_m, 1, 1, 0, 0);
	put16(&g_m, 0);
	put16(&g_m, 1);
	assert_true(n > 20);
	assert_int_equal(g_out[4] | g_out[5] << 8, n);
	assert_memory_equal(g_out, g_m.b, 4);
	assert_memory_equal(g_out + 8, g_m.b + 8, 12);
	assert_int_equal(g_out[n - 1], 0);
	sent_cmd(VFIO_USER_SERVER, g_out, n, &sent);
	assert_int_equal(sent.u.version.caps.max_msg_fds, 16);

	put_hdr(&g_m, 1, 1, 1, 0);
	put16(&g_m, 0);
	put16(&g_m, 0);
	put_str(&g_m, "{\"capabilities\":{\"max_msg_fds\":4,\"pgsizes\":2101248}}");
	done(&g_m);
	assert_int_equal(reply(0, &sent, &r), 0);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.u.version.minor, 0);
	assert_int_equal(r.u.version.caps.max_msg_fds, 4);
	assert_int_equal(r.u.version.caps.pgsizes, 4096 | (2 << 20));

	/* "The minor version in the reply must be equal to or less than the
	 * minor version proposed"; the major the same. */
	g_m.b[18] = 2;
	assert_int_equal(reply(0, &sent, &r), -EPROTO);
	g_m.b[18] = 0;
	g_m.b[16] = 1;
	assert_int_equal(reply(0, &sent, &r), -EPROTO);
	assert_true(log_has("a version the client did not propose"));
}

static void test_error_reply(void **state)
{
	struct vfio_user_cmd sent;
	struct vfio_user_reply r;
	struct vfio_user_hdr h;
	int n;

	(void)state;
	put_hdr(&g_m, 9, 13, 0, 0);
	done(&g_m);
	sent_cmd(VFIO_USER_SERVER, g_m.b, g_m.n, &sent);

	/* Built by the server: the header only, Error set. */
	memcpy(&h, g_m.b, sizeof(h));
	n = vfio_user_build_error(g_out, sizeof(g_out), &h, EBUSY);
	put_hdr(&g_m, 9, 13, 1 | 0x20, EBUSY);
	done(&g_m);
	assert_int_equal(n, 16);
	assert_memory_equal(g_out, g_m.b, 16);
	assert_int_equal(reply(0, &sent, &r), 0);
	assert_int_equal(r.error, EBUSY);

	/* "It may be zero even if the Error bit is set". */
	g_m.b[12] = 0;
	assert_int_equal(reply(0, &sent, &r), 0);
	assert_int_equal(r.error, EIO);

	/* "the reply message must only include the reply header" */
	put32(&g_m, 0);
	done(&g_m);
	assert_int_equal(reply(0, &sent, &r), -EPROTO);

	/* Another id, another command. */
	put_hdr(&g_m, 10, 13, 1, 0);
	done(&g_m);
	assert_int_equal(reply(0, &sent, &r), -EPROTO);
	put_hdr(&g_m, 9, 4, 1, 0);
	done(&g_m);
	assert_int_equal(reply(0, &sent, &r), -EPROTO);
	/* The empty reply of DEVICE_RESET, and one with a payload. */
	put_hdr(&g_m, 9, 13, 1, 0);
	done(&g_m);
	assert_int_equal(reply(0, &sent, &r), 0);
	put32(&g_m, 0);
	done(&g_m);
	assert_int_equal(reply(0, &sent, &r), -EPROTO);
}

static void test_dma_unmap_reply(void **state)
{
	struct vfio_user_dma_unmap u = {.argsz = 24, .address = 0x100000, .size = 0x1000};
	struct vfio_user_cmd sent;
	struct vfio_user_reply r;
	int n;

	(void)state;
	n = vfio_user_build_cmd(g_out, sizeof(g_out), 3, VFIO_USER_DMA_UNMAP, 0, &u, sizeof(u),
				NULL, 0);
	put_hdr(&g_m, 3, 3, 0, 0);
	put32(&g_m, 24);
	put32(&g_m, 0);
	put64(&g_m, 0x100000);
	put64(&g_m, 0x1000);
	done(&g_m);
	assert_int_equal(n, 40);
	assert_memory_equal(g_out, g_m.b, 40);
	sent_cmd(VFIO_USER_SERVER, g_out, n, &sent);

	/* "The server responds with the original DMA entry in the request." */
	g_m.b[8] = 1;
	assert_int_equal(reply(0, &sent, &r), 0);
	g_m.b[16 + 8] = 0x10;
	assert_int_equal(reply(0, &sent, &r), -EPROTO);
}

static void test_device_and_irq_info(void **state)
{
	struct vfio_user_device_info d = {.argsz = 16};
	struct vfio_irq_info i = {.argsz = 16, .index = 4};
	struct vfio_user_cmd sent;
	struct vfio_user_reply r;
	int n;

	(void)state;
	n = vfio_user_build_cmd(g_out, sizeof(g_out), 4, VFIO_USER_DEVICE_GET_INFO, 0, &d,
				sizeof(d), NULL, 0);
	sent_cmd(VFIO_USER_SERVER, g_out, n, &sent);
	put_hdr(&g_m, 4, 4, 1, 0);
	put32(&g_m, 16);
	put32(&g_m, 3); /* RESET | PCI */
	put32(&g_m, 9);
	put32(&g_m, 5);
	done(&g_m);
	assert_int_equal(reply(0, &sent, &r), 0);
	assert_int_equal(r.u.device_info.flags, 3);
	assert_int_equal(r.u.device_info.num_regions, 9);
	assert_int_equal(r.u.device_info.num_irqs, 5);
	/* Longer than the argsz asked. */
	put32(&g_m, 0);
	done(&g_m);
	assert_int_equal(reply(0, &sent, &r), -EPROTO);

	n = vfio_user_build_cmd(g_out, sizeof(g_out), 5, VFIO_USER_DEVICE_GET_IRQ_INFO, 0, &i,
				sizeof(i), NULL, 0);
	sent_cmd(VFIO_USER_SERVER, g_out, n, &sent);
	put_hdr(&g_m, 5, 7, 1, 0);
	put32(&g_m, 16);
	put32(&g_m, 1 | 8); /* EVENTFD | NORESIZE */
	put32(&g_m, 4);
	put32(&g_m, 32);
	done(&g_m);
	assert_int_equal(reply(0, &sent, &r), 0);
	assert_int_equal(r.u.irq_info.count, 32);
	g_m.b[16 + 8] = 3; /* another index */
	assert_int_equal(reply(0, &sent, &r), -EPROTO);
}

/* A region info reply to region 0 of BAR size 0x4000 with MMAP and a sparse
 * mmap capability of one area, written field by field. */
static void put_bar0_info(uint32_t argsz_field, bool with_caps, uint64_t area_off,
			  uint64_t area_size, uint32_t next)
{
	put_hdr(&g_m, 6, 5, 1, 0);
	put32(&g_m, argsz_field);
	put32(&g_m, 1 | 2 | 4 | (with_caps ? 8 : 0));
	put32(&g_m, 0);
	put32(&g_m, with_caps ? 32 : 0);
	put64(&g_m, 0x4000);
	put64(&g_m, 0x10000);
	if (with_caps) {
		put16(&g_m, 1); /* VFIO_REGION_INFO_CAP_SPARSE_MMAP */
		put16(&g_m, 1);
		put32(&g_m, next);
		put32(&g_m, 1); /* nr_areas */
		put32(&g_m, 0);
		put64(&g_m, area_off);
		put64(&g_m, area_size);
	}
	done(&g_m);
}

static void region_info_sent(uint32_t argsz, struct vfio_user_cmd *sent)
{
	struct vfio_region_info q = {.argsz = argsz, .index = 0};
	int n = vfio_user_build_cmd(g_out, sizeof(g_out), 6, VFIO_USER_DEVICE_GET_REGION_INFO, 0,
				    &q, sizeof(q), NULL, 0);

	sent_cmd(VFIO_USER_SERVER, g_out, n, sent);
}

static void test_region_info_build(void **state)
{
	struct vfio_region_sparse_mmap_area area = {.offset = 0x1000, .size = 0x3000};
	struct vfio_region_info info = {.flags = VFIO_REGION_INFO_FLAG_READ |
						 VFIO_REGION_INFO_FLAG_WRITE |
						 VFIO_REGION_INFO_FLAG_MMAP,
					.index = 0,
					.size = 0x4000,
					.offset = 0x10000};
	struct vfio_user_cmd sent;
	int n;

	(void)state;
	region_info_sent(128, &sent);
	n = vfio_user_build_region_info(g_out, sizeof(g_out), &sent.hdr, 128, &info, &area, 1);
	put_bar0_info(32 + 32, true, 0x1000, 0x3000, 0);
	assert_int_equal(n, g_m.n);
	assert_memory_equal(g_out, g_m.b, g_m.n);

	/* Asked for 32 only: the fixed part, its argsz saying 64, no
	 * capability offset (there is none in this reply). */
	n = vfio_user_build_region_info(g_out, sizeof(g_out), &sent.hdr, 32, &info, &area, 1);
	put_bar0_info(64, true, 0, 0, 0);
	g_m.n = 16 + 32;
	done(&g_m);
	g_m.b[16 + 12] = 0;
	assert_int_equal(n, g_m.n);
	assert_memory_equal(g_out, g_m.b, g_m.n);

	/* No areas: no capability. */
	n = vfio_user_build_region_info(g_out, sizeof(g_out), &sent.hdr, 128, &info, NULL, 0);
	put_bar0_info(32, false, 0, 0, 0);
	assert_int_equal(n, g_m.n);
	assert_memory_equal(g_out, g_m.b, g_m.n);

	/* Too small a buffer. */
	assert_int_equal(vfio_user_build_region_info(g_out, 40, &sent.hdr, 128, &info, &area, 1),
			 -ENOSPC);
}

static void test_region_info_reply(void **state)
{
	struct vfio_user_cmd sent;
	struct vfio_user_reply r;

	(void)state;
	region_info_sent(128, &sent);
	put_bar0_info(64, true, 0x1000, 0x3000, 0);
	assert_int_equal(reply(1, &sent, &r), 0);
	assert_int_equal(r.u.region_info.fd, 50);
	assert_int_equal(r.u.region_info.info.size, 0x4000);
	assert_int_equal(r.u.region_info.info.offset, 0x10000);
	assert_false(r.u.region_info.truncated);
	assert_int_equal(r.u.region_info.nr_areas, 1);
	assert_int_equal(r.u.region_info.areas[0].offset, 0x1000);
	assert_int_equal(r.u.region_info.areas[0].size, 0x3000);

	/* MMAP without its fd; an fd too many. */
	assert_int_equal(reply(0, &sent, &r), -EPROTO);
	assert_int_equal(reply(2, &sent, &r), -EPROTO);
	/* An area past the region. */
	put_bar0_info(64, true, 0x1000, 0x3001, 0);
	assert_int_equal(reply(1, &sent, &r), -EINVAL);
	assert_true(log_has("a sparse mmap area outside its region"));
	/* A chain that points back at itself. */
	put_bar0_info(64, true, 0x1000, 0x1000, 32);
	assert_int_equal(reply(1, &sent, &r), -EINVAL);
	assert_true(log_has("VFIO region capabilities"));
	/* A capability offset past the reply. */
	put_bar0_info(64, true, 0x1000, 0x1000, 0);
	g_m.b[16 + 12] = 60;
	assert_int_equal(reply(1, &sent, &r), -EINVAL);

	/* Asked for 32: the fixed part only, argsz saying what is needed. */
	region_info_sent(32, &sent);
	put_bar0_info(64, true, 0, 0, 0);
	g_m.n = 16 + 32;
	done(&g_m);
	assert_int_equal(reply(1, &sent, &r), 0);
	assert_true(r.u.region_info.truncated);
	assert_int_equal(r.u.region_info.info.argsz, 64);
	/* A reply longer than the argsz asked. */
	put_bar0_info(64, true, 0x1000, 0x1000, 0);
	assert_int_equal(reply(1, &sent, &r), -EPROTO);
}

static void test_region_access(void **state)
{
	struct vfio_user_region_access a = {.offset = 0x1c, .region = 0, .count = 4};
	const uint8_t data[4] = {1, 0, 0x46, 0};
	struct vfio_user_cmd sent;
	struct vfio_user_reply r;
	int n;

	(void)state;
	/* A write: the access, then its data. */
	n = vfio_user_build_cmd(g_out, sizeof(g_out), 20, VFIO_USER_REGION_WRITE,
				VFIO_USER_F_NO_REPLY, &a, sizeof(a), data, sizeof(data));
	put_hdr(&g_m, 20, 10, 0x10, 0);
	put64(&g_m, 0x1c);
	put32(&g_m, 0);
	put32(&g_m, 4);
	put32(&g_m, 0x00460001);
	done(&g_m);
	assert_int_equal(n, g_m.n);
	assert_memory_equal(g_out, g_m.b, g_m.n);
	sent_cmd(VFIO_USER_SERVER, g_out, n, &sent);
	/* Its reply: the access without data. */
	n = vfio_user_build_reply(g_out, sizeof(g_out), &sent.hdr, &a, sizeof(a), NULL, 0);
	put_hdr(&g_m, 20, 10, 1, 0);
	put64(&g_m, 0x1c);
	put32(&g_m, 0);
	put32(&g_m, 4);
	done(&g_m);
	assert_int_equal(n, g_m.n);
	assert_memory_equal(g_out, g_m.b, g_m.n);
	assert_int_equal(reply(0, &sent, &r), 0);

	/* A read's reply carries the count bytes read. */
	n = vfio_user_build_cmd(g_out, sizeof(g_out), 21, VFIO_USER_REGION_READ, 0, &a, sizeof(a),
				NULL, 0);
	sent_cmd(VFIO_USER_SERVER, g_out, n, &sent);
	put_hdr(&g_m, 21, 9, 1, 0);
	put64(&g_m, 0x1c);
	put32(&g_m, 0);
	put32(&g_m, 4);
	put32(&g_m, 0xdeadbeef);
	done(&g_m);
	assert_int_equal(reply(0, &sent, &r), 0);
	assert_memory_equal(r.u.data, "\xef\xbe\xad\xde", 4);
	/* Short of its count; another offset. */
	g_m.n -= 1;
	done(&g_m);
	assert_int_equal(reply(0, &sent, &r), -EPROTO);
	g_m.n += 1;
	done(&g_m);
	g_m.b[16] = 0x20;
	assert_int_equal(reply(0, &sent, &r), -EPROTO);
}

static void test_dma_access_replies(void **state)
{
	struct vfio_user_dma_access a = {.address = 0x100000, .count = 2};
	struct vfio_user_cmd sent;
	struct vfio_user_reply r;
	int n;

	(void)state;
	/* The server's DMA_READ; the client's reply with the data. */
	n = vfio_user_build_cmd(g_out, sizeof(g_out), 30, VFIO_USER_DMA_READ, 0, &a, sizeof(a),
				NULL, 0);
	sent_cmd(VFIO_USER_CLIENT, g_out, n, &sent);
	put_hdr(&g_m, 30, 11, 1, 0);
	put64(&g_m, 0x100000);
	put64(&g_m, 2);
	put8(&g_m, 0x5a);
	put8(&g_m, 0xa5);
	done(&g_m);
	assert_int_equal(reply_at(VFIO_USER_SERVER, 0, &sent, &r), 0);
	assert_memory_equal(r.u.data, "\x5a\xa5", 2);
	/* The client receives no reply to DMA_READ: it never sends one. */
	assert_int_equal(reply_at(VFIO_USER_CLIENT, 0, &sent, &r), -EPROTO);

	/* DMA_WRITE's reply: 12 bytes by the spec's table (count 4 bytes). */
	n = vfio_user_build_cmd(g_out, sizeof(g_out), 31, VFIO_USER_DMA_WRITE, 0, &a, sizeof(a),
				"\x01\x02", 2);
	sent_cmd(VFIO_USER_CLIENT, g_out, n, &sent);
	put_hdr(&g_m, 31, 12, 1, 0);
	put64(&g_m, 0x100000);
	put32(&g_m, 2);
	done(&g_m);
	assert_int_equal(reply_at(VFIO_USER_SERVER, 0, &sent, &r), 0);
	/* 16 bytes (count as wide as the request's) is taken too. */
	put32(&g_m, 0);
	done(&g_m);
	assert_int_equal(reply_at(VFIO_USER_SERVER, 0, &sent, &r), 0);
	/* 14 is neither. */
	g_m.n -= 2;
	done(&g_m);
	assert_int_equal(reply_at(VFIO_USER_SERVER, 0, &sent, &r), -EPROTO);
}

static void test_build_bounds(void **state)
{
	struct vfio_user_hdr h = {.msg_id = 1, .cmd = 13};

	(void)state;
	assert_int_equal(vfio_user_build(g_out, 15, &h, NULL, 0, NULL, 0), -ENOSPC);
	assert_int_equal(vfio_user_build(g_out, 16, &h, NULL, 0, NULL, 0), 16);
	assert_int_equal(vfio_user_build(g_out, 19, &h, "abcd", 4, NULL, 0), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_version, setup),
	    cmocka_unit_test_setup(test_error_reply, setup),
	    cmocka_unit_test_setup(test_dma_unmap_reply, setup),
	    cmocka_unit_test_setup(test_device_and_irq_info, setup),
	    cmocka_unit_test_setup(test_region_info_build, setup),
	    cmocka_unit_test_setup(test_region_info_reply, setup),
	    cmocka_unit_test_setup(test_region_access, setup),
	    cmocka_unit_test_setup(test_dma_access_replies, setup),
	    cmocka_unit_test_setup(test_build_bounds, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
