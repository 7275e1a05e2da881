/* SPDX-License-Identifier: MIT */
/*
 * The vfio-user codec receiving commands: each built field by field from
 * the tables of vfio-user.rst, parsed as the server (or, for DMA_READ and
 * DMA_WRITE, the client) would; then the malformed ones, each refused with
 * its errno and a log line naming the spec.
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
static const int g_fds[8] = {40, 41, 42, 43, 44, 45, 46, 47}; /* the codec never touches them */

static int setup(void **state)
{
	(void)state;
	log_start();
	vfio_user_caps_default(&g_local);
	g_local.max_msg_fds = 4;
	return 0;
}

static int parse_as(enum vfio_user_side side, unsigned nfds, struct vfio_user_cmd *cmd)
{
	struct vfio_user_msg msg;
	int ret;

	ret = vfio_user_msg_view(g_m.b, g_m.n, g_fds, nfds, g_local.max_msg_fds, side,
				 vfio_user_max_msg_size(&g_local), &msg);
	if (ret < 0)
		return ret;
	return vfio_user_cmd_parse(&msg, &g_local, cmd);
}

static int parse(unsigned nfds, struct vfio_user_cmd *cmd)
{
	return parse_as(VFIO_USER_SERVER, nfds, cmd);
}

static void test_version(void **state)
{
	struct vfio_user_cmd c;

	(void)state;
	put_hdr(&g_m, 7, 1, 0, 0);
	put16(&g_m, 0);
	put16(&g_m, 1);
	put_str(&g_m, "{\"capabilities\":{\"max_msg_fds\":8,\"max_data_xfer_size\":65536,"
		      "\"pgsizes\":4096,\"migration\":{\"pgsize\":4096}}}");
	done(&g_m);
	assert_int_equal(parse(0, &c), 0);
	assert_int_equal(c.hdr.msg_id, 7);
	assert_int_equal(c.hdr.cmd, VFIO_USER_VERSION);
	assert_int_equal(c.u.version.major, 0);
	assert_int_equal(c.u.version.minor, 1);
	assert_int_equal(c.u.version.caps.max_msg_fds, 8);
	assert_int_equal(c.u.version.caps.max_data_xfer_size, 65536);
	assert_int_equal(c.u.version.caps.pgsizes, 4096);
	assert_int_equal(c.u.version.caps.migr_pgsize, 4096);
	/* Absent: the spec's default. */
	assert_int_equal(c.u.version.caps.max_dma_maps, 65535);

	/* "version data ... Optional.": every capability at its default. */
	put_hdr(&g_m, 8, 1, 0, 0);
	put16(&g_m, 0);
	put16(&g_m, 1);
	done(&g_m);
	assert_int_equal(parse(0, &c), 0);
	assert_int_equal(c.u.version.caps.max_msg_fds, 1);
	assert_int_equal(c.u.version.caps.max_data_xfer_size, 1048576);

	/* Bad JSON in the payload is refused. */
	put_hdr(&g_m, 9, 1, 0, 0);
	put16(&g_m, 0);
	put16(&g_m, 1);
	put_str(&g_m, "{\"capabilities\":");
	done(&g_m);
	assert_int_equal(parse(0, &c), -EINVAL);
	assert_true(log_has("vfio-user.rst VFIO_USER_VERSION"));
}

static void put_dma_map(uint32_t argsz, uint32_t flags, uint64_t offset, uint64_t addr,
			uint64_t size)
{
	put_hdr(&g_m, 3, 2, 0, 0);
	put32(&g_m, argsz);
	put32(&g_m, flags);
	put64(&g_m, offset);
	put64(&g_m, addr);
	put64(&g_m, size);
	done(&g_m);
}

static void test_dma_map(void **state)
{
	struct vfio_user_cmd c;

	(void)state;
	put_dma_map(32, 3, 0x2000, 0x100000, 0x200000);
	assert_int_equal(parse(1, &c), 0);
	assert_int_equal(c.u.dma_map.fd, 40);
	assert_int_equal(c.u.dma_map.map.flags, 3);
	assert_int_equal(c.u.dma_map.map.offset, 0x2000);
	assert_int_equal(c.u.dma_map.map.address, 0x100000);
	assert_int_equal(c.u.dma_map.map.size, 0x200000);

	/* Not mappable: no fd, offset zero, reached by DMA_READ/WRITE. */
	put_dma_map(32, 1, 0, 0x100000, 0x1000);
	assert_int_equal(parse(0, &c), 0);
	assert_int_equal(c.u.dma_map.fd, -1);
}

static void test_dma_map_bad(void **state)
{
	struct vfio_user_cmd c;

	(void)state;
	/* Two fds for one region. */
	put_dma_map(32, 3, 0, 0x100000, 0x1000);
	assert_int_equal(parse(2, &c), -EINVAL);
	/* An offset into an fd that did not come. */
	put_dma_map(32, 3, 0x1000, 0x100000, 0x1000);
	assert_int_equal(parse(0, &c), -EINVAL);
	assert_true(log_has("zero if the region is not mappable"));
	/* argsz not the structure's; unknown flags; empty, unaligned,
	 * wrapping ranges. */
	put_dma_map(24, 3, 0, 0x100000, 0x1000);
	assert_int_equal(parse(1, &c), -EINVAL);
	put_dma_map(32, 4, 0, 0x100000, 0x1000);
	assert_int_equal(parse(1, &c), -EINVAL);
	put_dma_map(32, 3, 0, 0x100000, 0);
	assert_int_equal(parse(1, &c), -EINVAL);
	put_dma_map(32, 3, 0, 0x100200, 0x1000);
	assert_int_equal(parse(1, &c), -EINVAL);
	put_dma_map(32, 3, 0, 0xfffffffffffff000ull, 0x2000);
	assert_int_equal(parse(1, &c), -EINVAL);
	/* A payload of the wrong size. */
	put_dma_map(32, 3, 0, 0x100000, 0x1000);
	put32(&g_m, 0);
	done(&g_m);
	assert_int_equal(parse(1, &c), -EINVAL);
}

static void put_dma_unmap(uint32_t argsz, uint32_t flags, uint64_t addr, uint64_t size)
{
	put_hdr(&g_m, 4, 3, 0, 0);
	put32(&g_m, argsz);
	put32(&g_m, flags);
	put64(&g_m, addr);
	put64(&g_m, size);
	done(&g_m);
}

static void test_dma_unmap(void **state)
{
	struct vfio_user_cmd c;

	(void)state;
	put_dma_unmap(24, 0, 0x100000, 0x200000);
	assert_int_equal(parse(0, &c), 0);
	assert_int_equal(c.u.dma_unmap.address, 0x100000);
	assert_int_equal(c.u.dma_unmap.size, 0x200000);
	/* The kernel's FLAG_ALL (what QEMU's client sends), address and size 0. */
	put_dma_unmap(24, 2, 0, 0);
	assert_int_equal(parse(0, &c), 0);
	assert_int_equal(c.u.dma_unmap.flags, 2);
	put_dma_unmap(24, 2, 0x1000, 0);
	assert_int_equal(parse(0, &c), -EINVAL);
	/* The dirty bitmap variant is not part of this spec version. */
	put_dma_unmap(24 + 16, 1, 0x100000, 0x1000);
	put64(&g_m, 4096);
	put64(&g_m, 8);
	done(&g_m);
	assert_int_equal(parse(0, &c), -EINVAL); /* and not 24 bytes */
	put_dma_unmap(40, 1, 0x100000, 0x1000);
	assert_int_equal(parse(0, &c), -EOPNOTSUPP);
	assert_true(log_has("flags is unused in this version"));
	/* argsz below the 24-byte reply; an fd; an empty range. */
	put_dma_unmap(8, 0, 0x100000, 0x1000);
	assert_int_equal(parse(0, &c), -EINVAL);
	put_dma_unmap(24, 0, 0x100000, 0x1000);
	assert_int_equal(parse(1, &c), -EINVAL);
	put_dma_unmap(24, 0, 0x100000, 0);
	assert_int_equal(parse(0, &c), -EINVAL);
}

static void test_device_info(void **state)
{
	struct vfio_user_cmd c;

	(void)state;
	put_hdr(&g_m, 5, 4, 0, 0);
	put32(&g_m, 16);
	put32(&g_m, 0);
	put32(&g_m, 0);
	put32(&g_m, 0);
	done(&g_m);
	assert_int_equal(parse(0, &c), 0);
	assert_int_equal(c.u.device_info.argsz, 16);
	/* "all other fields must be zero" */
	g_m.b[16 + 8] = 9;
	assert_int_equal(parse(0, &c), -EINVAL);
}

static void put_region_info(uint32_t argsz, uint32_t index)
{
	put_region_info_request(&g_m, 6, argsz, index);
	done(&g_m);
}

static void test_region_info(void **state)
{
	struct vfio_user_cmd c;

	(void)state;
	put_region_info(128, 2);
	assert_int_equal(parse(0, &c), 0);
	assert_int_equal(c.u.region_info.argsz, 128);
	assert_int_equal(c.u.region_info.index, 2);
	/* argsz below the 32-byte struct vfio_region_info of the reply. */
	put_region_info(16, 2);
	assert_int_equal(parse(0, &c), -EINVAL);
	assert_true(log_has("argsz 16 is below its 32-byte reply"));
}

static void test_irq_info(void **state)
{
	struct vfio_user_cmd c;

	(void)state;
	put_hdr(&g_m, 7, 7, 0, 0);
	put32(&g_m, 16);
	put32(&g_m, 0);
	put32(&g_m, 4); /* VFIO_PCI_MSIX_IRQ_INDEX */
	put32(&g_m, 0);
	done(&g_m);
	assert_int_equal(parse(0, &c), 0);
	assert_int_equal(c.u.irq_info.index, 4);
}

static void put_set_irqs(uint32_t argsz, uint32_t flags, uint32_t index, uint32_t start,
			 uint32_t count)
{
	put_hdr(&g_m, 8, 8, 0, 0);
	put32(&g_m, argsz);
	put32(&g_m, flags);
	put32(&g_m, index);
	put32(&g_m, start);
	put32(&g_m, count);
	done(&g_m);
}

static void test_set_irqs(void **state)
{
	struct vfio_user_cmd c;

	(void)state;
	/* DATA_EVENTFD | ACTION_TRIGGER, two vectors, two eventfds. */
	put_set_irqs(20, (1 << 2) | (1 << 5), 4, 0, 2);
	assert_int_equal(parse(2, &c), 0);
	assert_int_equal(c.u.set_irqs.index, 4);
	assert_int_equal(c.u.set_irqs.count, 2);
	assert_int_equal(c.u.set_irqs.nfds, 2);
	assert_int_equal(c.u.set_irqs.fds[1], 41);
	/* No fds: "this de-assigns the specified previously configured
	 * interrupts". */
	assert_int_equal(parse(0, &c), 0);
	assert_int_equal(c.u.set_irqs.nfds, 0);
	/* DATA_BOOL | ACTION_MASK, three booleans. */
	put_set_irqs(23, (1 << 1) | (1 << 3), 4, 1, 3);
	put8(&g_m, 1);
	put8(&g_m, 0);
	put8(&g_m, 1);
	done(&g_m);
	assert_int_equal(parse(0, &c), 0);
	assert_int_equal(c.u.set_irqs.start, 1);
	assert_int_equal(c.u.set_irqs.bools[0], 1);
	assert_int_equal(c.u.set_irqs.bools[1], 0);
	assert_int_equal(c.u.set_irqs.bools[2], 1);
	/* DATA_NONE with count 0: disable every interrupt of the index. */
	put_set_irqs(20, (1 << 0) | (1 << 5), 4, 0, 0);
	assert_int_equal(parse(0, &c), 0);
}

static void test_set_irqs_bad(void **state)
{
	struct vfio_user_cmd c;

	(void)state;
	/* One eventfd for two vectors. */
	put_set_irqs(20, (1 << 2) | (1 << 5), 4, 0, 2);
	assert_int_equal(parse(1, &c), -EINVAL);
	/* Three booleans announced, two sent (argsz matching the payload). */
	put_set_irqs(22, (1 << 1) | (1 << 3), 4, 0, 3);
	put8(&g_m, 1);
	put8(&g_m, 1);
	done(&g_m);
	assert_int_equal(parse(0, &c), -EINVAL);
	assert_true(log_has("VFIO_USER_DEVICE_SET_IRQS: 2 data bytes for count 3"));
	/* argsz not the payload size. */
	put_set_irqs(24, (1 << 0) | (1 << 5), 4, 0, 1);
	assert_int_equal(parse(0, &c), -EINVAL);
	/* Two DATA flags; no ACTION flag; an unknown bit. */
	put_set_irqs(20, (1 << 0) | (1 << 1) | (1 << 5), 4, 0, 1);
	assert_int_equal(parse(0, &c), -EINVAL);
	put_set_irqs(20, (1 << 0), 4, 0, 1);
	assert_int_equal(parse(0, &c), -EINVAL);
	put_set_irqs(20, (1 << 0) | (1 << 5) | (1 << 6), 4, 0, 1);
	assert_int_equal(parse(0, &c), -EINVAL);
	/* Eventfds with DATA_NONE; a wrapping range. */
	put_set_irqs(20, (1 << 0) | (1 << 5), 4, 0, 1);
	assert_int_equal(parse(1, &c), -EINVAL);
	put_set_irqs(20, (1 << 0) | (1 << 5), 4, 0xffffffff, 2);
	assert_int_equal(parse(0, &c), -EINVAL);
}

static void put_region_access(uint16_t cmd, uint64_t offset, uint32_t region, uint32_t count)
{
	put_hdr(&g_m, 9, cmd, 0, 0);
	put64(&g_m, offset);
	put32(&g_m, region);
	put32(&g_m, count);
	done(&g_m);
}

static void test_region_rw(void **state)
{
	struct vfio_user_cmd c;

	(void)state;
	put_region_access(9, 0x1c, 0, 4);
	assert_int_equal(parse(0, &c), 0);
	assert_int_equal(c.u.region.offset, 0x1c);
	assert_int_equal(c.u.region.region, 0);
	assert_int_equal(c.u.region.count, 4);
	assert_null(c.u.region.data);

	put_region_access(10, 0x14, 0, 4);
	put32(&g_m, 0x00460001);
	done(&g_m);
	assert_int_equal(parse(0, &c), 0);
	assert_int_equal(c.u.region.count, 4);
	assert_memory_equal(c.u.region.data, "\x01\x00\x46\x00", 4);

	/* A write whose data is short of its count. */
	put_region_access(10, 0x14, 0, 8);
	put32(&g_m, 1);
	done(&g_m);
	assert_int_equal(parse(0, &c), -EINVAL);
	/* A read past max_data_xfer_size. */
	put_region_access(9, 0, 0, g_local.max_data_xfer_size + 1);
	assert_int_equal(parse(0, &c), -E2BIG);
	assert_true(log_has("max_data_xfer_size"));
	/* A read with data after it. */
	put_region_access(9, 0, 0, 4);
	put32(&g_m, 1);
	done(&g_m);
	assert_int_equal(parse(0, &c), -EINVAL);
}

static void test_dma_rw_at_client(void **state)
{
	struct vfio_user_cmd c;

	(void)state;
	put_hdr(&g_m, 10, 11, 0, 0);
	put64(&g_m, 0x100000);
	put64(&g_m, 64);
	done(&g_m);
	assert_int_equal(parse_as(VFIO_USER_CLIENT, 0, &c), 0);
	assert_int_equal(c.u.dma.address, 0x100000);
	assert_int_equal(c.u.dma.count, 64);
	/* The server never receives DMA_READ as a command. */
	assert_int_equal(parse_as(VFIO_USER_SERVER, 0, &c), -EPROTO);

	put_hdr(&g_m, 11, 12, 0, 0);
	put64(&g_m, 0x100010);
	put64(&g_m, 3);
	put8(&g_m, 0xaa);
	put8(&g_m, 0xbb);
	put8(&g_m, 0xcc);
	done(&g_m);
	assert_int_equal(parse_as(VFIO_USER_CLIENT, 0, &c), 0);
	assert_int_equal(c.u.dma.count, 3);
	assert_memory_equal(c.u.dma.data, "\xaa\xbb\xcc", 3);
	g_m.n--;
	done(&g_m);
	assert_int_equal(parse_as(VFIO_USER_CLIENT, 0, &c), -EINVAL);
}

static void test_reset(void **state)
{
	struct vfio_user_cmd c;

	(void)state;
	put_hdr(&g_m, 12, 13, 0, 0);
	done(&g_m);
	assert_int_equal(parse(0, &c), 0);
	assert_int_equal(c.hdr.cmd, VFIO_USER_DEVICE_RESET);
	/* "Neither the request or reply have a payload." */
	put32(&g_m, 0);
	done(&g_m);
	assert_int_equal(parse(0, &c), -EINVAL);
}

static void test_header_bad(void **state)
{
	struct vfio_user_cmd c;

	(void)state;
	/* A short header. */
	put_hdr(&g_m, 1, 13, 0, 0);
	g_m.n = 10;
	assert_int_equal(parse(0, &c), -EBADMSG);
	assert_true(log_has("short of the 16-byte header"));
	/* A size below the header it includes. */
	put_hdr(&g_m, 1, 13, 0, 0);
	g_m.b[4] = 8;
	assert_int_equal(parse(0, &c), -EBADMSG);
	/* A size past what this side receives. */
	put_region_access(10, 0, 0, 0);
	g_m.b[4] = 0xff;
	g_m.b[5] = 0xff;
	g_m.b[6] = 0xff;
	assert_int_equal(parse(0, &c), -EMSGSIZE);
	/* Fewer bytes than msg_size says. */
	put_region_access(9, 0, 0, 4);
	g_m.n -= 2;
	assert_int_equal(parse(0, &c), -EPROTO);
	/* Command 14 (unassigned) and 99: not in "Commands". */
	put_hdr(&g_m, 1, 14, 0, 0);
	done(&g_m);
	assert_int_equal(parse(0, &c), -EOPNOTSUPP);
	put_hdr(&g_m, 1, 99, 0, 0);
	done(&g_m);
	assert_int_equal(parse(0, &c), -EOPNOTSUPP);
	/* Listed, but not parsed here. */
	put_hdr(&g_m, 1, 16, 0, 0);
	done(&g_m);
	assert_int_equal(parse(0, &c), -EOPNOTSUPP);
	/* The reply flag on a client command reaching the server. */
	put_region_access(9, 0, 0, 4);
	g_m.b[8] = 1;
	assert_int_equal(parse(0, &c), -EPROTO);
	/* A type that is neither command nor reply. */
	g_m.b[8] = 2;
	assert_int_equal(parse(0, &c), -EPROTO);
	/* The Error bit on a command. */
	g_m.b[8] = 0x20;
	assert_int_equal(parse(0, &c), -EPROTO);
	assert_true(log_has("has the Error bit"));
	/* No_reply on a command is fine. */
	g_m.b[8] = 0x10;
	assert_int_equal(parse(0, &c), 0);
	assert_int_equal(c.hdr.flags, 0x10);
	/* More fds than max_msg_fds. */
	put_set_irqs(20, (1 << 2) | (1 << 5), 4, 0, 5);
	assert_int_equal(parse_as(VFIO_USER_SERVER, 5, &c), -EPROTO);
}

/* A stream reader checks the header before it reads the payload. */
static void test_hdr_check(void **state)
{
	struct vfio_user_hdr h = {.msg_id = 1, .cmd = VFIO_USER_REGION_WRITE, .msg_size = 16 + 20};
	uint32_t max = vfio_user_max_msg_size(&g_local);

	(void)state;
	assert_int_equal(vfio_user_hdr_check(&h, VFIO_USER_SERVER, max), 0);
	/* The client never receives REGION_WRITE as a command. */
	assert_int_equal(vfio_user_hdr_check(&h, VFIO_USER_CLIENT, max), -EPROTO);
	h.msg_size = max + 1;
	assert_int_equal(vfio_user_hdr_check(&h, VFIO_USER_SERVER, max), -EMSGSIZE);
	h.msg_size = 15;
	assert_int_equal(vfio_user_hdr_check(&h, VFIO_USER_SERVER, max), -EBADMSG);
	h.msg_size = 16;
	h.cmd = 0;
	assert_int_equal(vfio_user_hdr_check(&h, VFIO_USER_SERVER, max), -EOPNOTSUPP);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(vfio_user_cmd_name(2), "VFIO_USER_DMA_MAP");
	assert_string_equal(vfio_user_cmd_name(14), "unknown");
	assert_string_equal(vfio_user_cmd_name(0xffff), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_version, setup),
	    cmocka_unit_test_setup(test_dma_map, setup),
	    cmocka_unit_test_setup(test_dma_map_bad, setup),
	    cmocka_unit_test_setup(test_dma_unmap, setup),
	    cmocka_unit_test_setup(test_device_info, setup),
	    cmocka_unit_test_setup(test_region_info, setup),
	    cmocka_unit_test_setup(test_irq_info, setup),
	    cmocka_unit_test_setup(test_set_irqs, setup),
	    cmocka_unit_test_setup(test_set_irqs_bad, setup),
	    cmocka_unit_test_setup(test_region_rw, setup),
	    cmocka_unit_test_setup(test_dma_rw_at_client, setup),
	    cmocka_unit_test_setup(test_reset, setup),
	    cmocka_unit_test_setup(test_header_bad, setup),
	    cmocka_unit_test_setup(test_hdr_check, setup),
	    cmocka_unit_test_setup(test_names, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
