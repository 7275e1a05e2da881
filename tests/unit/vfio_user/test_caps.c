/* SPDX-License-Identifier: MIT */
/*
 * The VFIO_USER_VERSION capabilities JSON (vfio-user.rst "VFIO_USER_VERSION",
 * Capabilities): fields read with the spec's defaults for the absent ones,
 * malformed, mistyped, out-of-bounds and oversized data refused, and what the
 * builder writes read back.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/vhost/test_util.h"
#include "vfio-user/vfio_user.h"

static int setup(void **state)
{
	(void)state;
	log_start();
	return 0;
}

/* Parses a C string, its NUL included. */
static int parse(const char *json, struct vfio_user_caps *caps)
{
	vfio_user_caps_default(caps);
	return vfio_user_caps_parse(json, strlen(json) + 1, caps);
}

static void test_fields(void **state)
{
	struct vfio_user_caps c;

	(void)state;
	assert_int_equal(parse("{\"capabilities\":{\"max_msg_fds\":16,\"max_data_xfer_size\":"
			       "131072,\"max_dma_maps\":512,\"pgsizes\":2101248,"
			       "\"write_multiple\":true,\"twin_socket\":{\"supported\":false}}}",
			       &c),
			 0);
	assert_int_equal(c.max_msg_fds, 16);
	assert_int_equal(c.max_data_xfer_size, 131072);
	assert_int_equal(c.max_dma_maps, 512);
	assert_int_equal(c.pgsizes, 2101248);
	assert_true(c.write_multiple);
}

static void test_missing_fields(void **state)
{
	struct vfio_user_caps c;

	(void)state;
	/* Each absent field: "the receiver must assume a value of 1", "a
	 * default value of 1048576 bytes", "a value of 65535", "only 4k
	 * pages". */
	assert_int_equal(parse("{}", &c), 0);
	assert_int_equal(c.max_msg_fds, 1);
	assert_int_equal(c.max_data_xfer_size, 1048576);
	assert_int_equal(c.max_dma_maps, 65535);
	assert_int_equal(c.pgsizes, 4096);
	assert_false(c.write_multiple);
	assert_int_equal(parse("{\"capabilities\":{\"max_msg_fds\":3}}", &c), 0);
	assert_int_equal(c.max_msg_fds, 3);
	assert_int_equal(c.max_data_xfer_size, 1048576);
	/* Fields we do not know are skipped. */
	assert_int_equal(parse("{\"capabilities\":{\"y\":[]},\"x\":1}", &c), 0);
	assert_int_equal(c.max_msg_fds, 1);
	assert_int_equal(c.migr_pgsize, 0);
	/* QEMU's client's migration object, either field absent. */
	assert_int_equal(parse("{\"capabilities\":{\"migration\":{\"pgsize\":4096}}}", &c), 0);
	assert_int_equal(c.migr_pgsize, 4096);
	assert_int_equal(c.migr_max_bitmap_size, 0);
	assert_int_equal(parse("{\"capabilities\":{\"migration\":{\"pgsize\":4096,"
			       "\"max_bitmap_size\":268435456}}}",
			       &c),
			 0);
	assert_int_equal(c.migr_max_bitmap_size, 268435456);
}

static void test_bad(void **state)
{
	static const char *const bad[] = {
	    "{\"capabilities\":",
	    "[1,2]",
	    "\"capabilities\"",
	    "{\"capabilities\":[]}",
	    "{\"capabilities\":{\"max_msg_fds\":\"8\"}}",
	    "{\"capabilities\":{\"max_msg_fds\":-1}}",
	    "{\"capabilities\":{\"max_msg_fds\":254}}",
	    "{\"capabilities\":{\"max_msg_fds\":1.5}}",
	    "{\"capabilities\":{\"max_data_xfer_size\":0}}",
	    "{\"capabilities\":{\"max_dma_maps\":4294967296}}",
	    "{\"capabilities\":{\"pgsizes\":0}}",
	    "{\"capabilities\":{\"write_multiple\":1}}",
	    "{\"capabilities\":{\"twin_socket\":true}}",
	    "{\"capabilities\":{\"max_msg_fds\":2,\"max_msg_fds\":3}}",
	    "{\"capabilities\":{\"migration\":[]}}",
	    "{\"capabilities\":{\"migration\":{\"pgsize\":3000}}}",
	    "{\"capabilities\":{\"migration\":{\"max_bitmap_size\":\"1\"}}}",
	};
	struct vfio_user_caps c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c.max_msg_fds = 77;
		assert_int_equal(vfio_user_caps_parse(bad[i], strlen(bad[i]) + 1, &c), -EINVAL);
		/* Nothing taken from a refused object. */
		assert_int_equal(c.max_msg_fds, 77);
	}
	assert_true(log_has("vfio-user.rst VFIO_USER_VERSION"));
}

static void test_framing(void **state)
{
	static char big[VFIO_USER_VERSION_DATA_MAX + 2];
	const char two[] = "{}\0{}";
	struct vfio_user_caps c;

	(void)state;
	vfio_user_caps_default(&c);
	/* No terminating NUL; bytes after it. */
	assert_int_equal(vfio_user_caps_parse("{}", 2, &c), -EINVAL);
	assert_int_equal(vfio_user_caps_parse(two, sizeof(two), &c), -EINVAL);
	assert_int_equal(vfio_user_caps_parse("", 0, &c), -EINVAL);
	/* Oversized: a valid object past our bound. */
	memset(big, ' ', sizeof(big));
	big[0] = '{';
	big[sizeof(big) - 2] = '}';
	big[sizeof(big) - 1] = 0;
	assert_int_equal(vfio_user_caps_parse(big, sizeof(big), &c), -EMSGSIZE);
	assert_int_equal(vfio_user_caps_parse(big + 2, VFIO_USER_VERSION_DATA_MAX, &c), -EINVAL);
	big[2] = '{';
	assert_int_equal(vfio_user_caps_parse(big + 2, VFIO_USER_VERSION_DATA_MAX, &c), 0);
}

static void test_clamp(void **state)
{
	struct vfio_user_caps c;

	(void)state;
	/* A peer that takes more than we ever send is held to our bound. */
	assert_int_equal(parse("{\"capabilities\":{\"max_data_xfer_size\":8589934592}}", &c), 0);
	assert_int_equal(c.max_data_xfer_size, VFIO_USER_MAX_DATA_XFER_LIMIT);
	assert_true(vfio_user_max_msg_size(&c) >= 32 + VFIO_USER_MAX_DATA_XFER_LIMIT);
}

static void test_build(void **state)
{
	struct vfio_user_caps in, out;
	char buf[512];
	int n;

	(void)state;
	vfio_user_caps_default(&in);
	in.max_msg_fds = 8;
	in.max_data_xfer_size = 65536;
	in.pgsizes = 4096 | (1 << 21);
	in.write_multiple = false;
	in.migr_pgsize = 4096;
	in.migr_max_bitmap_size = 1 << 20;
	n = vfio_user_caps_build(&in, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(buf[n - 1], 0);
	assert_int_equal((int)strlen(buf) + 1, n);
	assert_non_null(strstr(buf, "\"max_msg_fds\":8"));
	vfio_user_caps_default(&out);
	assert_int_equal(vfio_user_caps_parse(buf, n, &out), 0);
	assert_int_equal(out.max_msg_fds, 8);
	assert_int_equal(out.max_data_xfer_size, 65536);
	assert_int_equal(out.pgsizes, 4096 | (1 << 21));
	assert_int_equal(out.migr_pgsize, 4096);
	assert_int_equal(out.migr_max_bitmap_size, 1 << 20);
	assert_int_equal(vfio_user_caps_build(&in, buf, 20), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_fields, setup),
	    cmocka_unit_test_setup(test_missing_fields, setup),
	    cmocka_unit_test_setup(test_bad, setup),
	    cmocka_unit_test_setup(test_framing, setup),
	    cmocka_unit_test_setup(test_clamp, setup),
	    cmocka_unit_test_setup(test_build, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
