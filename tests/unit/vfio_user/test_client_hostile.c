/* SPDX-License-Identifier: MIT */
/*
 * The vfio-user client against a hostile server ("Security
 * Considerations": "vfio-user clients should not trust servers"): each bad
 * reply is a negative errno and a log line citing the spec section, the
 * connection is given up where its stream can no longer be trusted, and
 * every fd that came with a refused message is closed (the teardown counts
 * them).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/eventfd.h>

#include <cmocka.h>

#include "tests/unit/vfio_user/client_peer.h"
#include "util/common.h"

static int g_fds_before;
static int g_efd = -1; /* an fd the server sends where none belongs */

static int setup(void **state)
{
	(void)state;
	log_start();
	g_fds_before = count_fds();
	g_efd = eventfd(0, EFD_CLOEXEC);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	peer_close();
	close(g_efd);
	assert_int_equal(count_fds(), g_fds_before);
	return 0;
}

/* "VFIO_USER_REGION_READ" Reply to the 4-byte read of region 0 at 0 that
 * read4() sends as id 5: offset, region, count, data (count given). */
static void put_read_reply(uint16_t id, uint16_t cmd, uint32_t count, unsigned data_bytes)
{
	put_hdr(&g_m, id, cmd, T_REPLY, 0);
	put64(&g_m, 0);
	put32(&g_m, 0);
	put32(&g_m, count);
	for (unsigned i = 0; i < data_bytes; i++)
		put8(&g_m, 0x11);
}

static int read4(void)
{
	uint64_t v;

	return vfio_user_client_reg_read(g_c, 0, 0, 4, &v);
}

/* The read fails with err, the spec section in the log, the connection
 * given up: later requests are refused at once. */
static void read_fails(int err, const char *log)
{
	assert_int_equal(read4(), err);
	assert_true(log_has(log));
	assert_true(vfio_user_client_broken(g_c));
	assert_int_equal(read4(), -ENOTCONN);
}

/* Replies to read4() that do not answer it, each with the line it logs. */
static const struct bad_reply {
	uint16_t id, cmd;
	uint32_t count;	     /* echoed */
	unsigned data_bytes; /* of the 4 asked */
	unsigned nfds;	     /* copies of g_efd sent with it */
	int err;
	const char *log;
} g_bad_replies[] = {
    /* "Header": the id "is echoed in the command's reply message". */
    {6, T_REGION_READ, 4, 4, 0, -EPROTO, "vfio-user.rst Header: reply 6"},
    {5, T_REGION_WRITE, 4, 0, 0, -EPROTO,
     "vfio-user.rst Header: reply 5 to VFIO_USER_REGION_WRITE"},
    /* Two of the four bytes asked for; another count echoed. */
    {5, T_REGION_READ, 4, 2, 0, -EPROTO, "not the payload size the section gives"},
    {5, T_REGION_READ, 2, 2, 0, -EPROTO, "not the payload size the section gives"},
    /* max_msg_fds (we proposed 1); more than the client takes at all; an fd
     * on a reply that carries none. */
    {5, T_REGION_READ, 4, 4, 2, -EPROTO, "more than the 1 negotiated"},
    {5, T_REGION_READ, 4, 4, 12, -EPROTO, "more than 8 fds came with one message"},
    {5, T_REGION_READ, 4, 4, 1, -EPROTO, "fds with a reply that carries none"},
};

static void test_bad_replies(void **state)
{
	int fds_open = count_fds();

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(g_bad_replies); i++) {
		const struct bad_reply *b = &g_bad_replies[i];

		log_start();
		peer_attach(NULL, 1000);
		put_read_reply(b->id, b->cmd, b->count, b->data_bytes);
		peer_queue(g_efd, b->nfds);
		read_fails(b->err, b->log);
		peer_close();
		assert_int_equal(count_fds(), fds_open);
	}
}

/* A header announcing more than the client receives: refused before the
 * payload is read. */
static void test_oversize(void **state)
{
	(void)state;
	peer_attach(NULL, 1000);
	put_hdr(&g_m, 5, T_REGION_READ, T_REPLY, 0);
	g_m.b[4] = 0;
	g_m.b[5] = 0;
	g_m.b[6] = 0x20; /* 2 MiB */
	g_m.b[7] = 0;
	peer_put(&g_m);
	read_fails(-EMSGSIZE, "vfio-user.rst Message sizes");
}

static void test_undersize(void **state)
{
	(void)state;
	peer_attach(NULL, 1000);
	put_hdr(&g_m, 5, T_REGION_READ, T_REPLY, 0);
	g_m.b[4] = 12;
	peer_put(&g_m);
	read_fails(-EBADMSG, "below the 16-byte header");
}

/* An error reply fails the request only; the next one goes through. */
static void test_error_reply(void **state)
{
	uint64_t v;

	(void)state;
	peer_attach(NULL, 1000);
	put_hdr(&g_m, 5, T_REGION_READ, T_REPLY | T_ERROR, EINVAL);
	peer_queue(-1, 0);
	put_read_reply(6, T_REGION_READ, 4, 4);
	peer_queue(-1, 0);
	assert_int_equal(read4(), -EINVAL);
	assert_false(vfio_user_client_broken(g_c));
	assert_int_equal(vfio_user_client_reg_read(g_c, 0, 0, 4, &v), 0);
	assert_int_equal(v, 0x11111111);

	/* With an fd it is refused, and the fd closed. */
	put_hdr(&g_m, 7, T_REGION_READ, T_REPLY | T_ERROR, EIO);
	peer_queue(g_efd, 1);
	read_fails(-EPROTO, "fds with an error reply");
}

/* "Server Disconnection": the socket closes halfway through a reply. */
static void test_close_mid_reply(void **state)
{
	(void)state;
	peer_attach(NULL, 1000);
	put_read_reply(5, T_REGION_READ, 4, 4);
	done(&g_m);
	assert_int_equal(write(g_srv, g_m.b, 20), 20);
	shutdown(g_srv, SHUT_WR);
	read_fails(-ECONNRESET, "in the middle of a message");
}

static void test_timeout(void **state)
{
	(void)state;
	peer_attach(NULL, 100);
	read_fails(-ETIMEDOUT, "vfio-user.rst Request Retry and Response Timeout");
}

/* A command of the client's going the wrong way. */
static void test_wrong_direction(void **state)
{
	(void)state;
	peer_attach(NULL, 1000);
	put_hdr(&g_m, 9, T_RESET, 0, 0);
	peer_queue(-1, 0);
	read_fails(-EPROTO, "vfio-user.rst Commands");
}

/* A command the spec does not list, and a DMA_READ the codec refuses: each
 * answered with an error reply; the awaited reply still counts. */
static void test_unknown_commands(void **state)
{
	(void)state;
	peer_attach(NULL, 1000);
	put_hdr(&g_m, 30, 99, 0, 0);
	put32(&g_m, 0);
	peer_queue(-1, 0);
	put_hdr(&g_m, 31, T_DMA_READ, 0, 0);
	put64(&g_m, 0);
	peer_queue(-1, 0); /* 8 bytes, short of the 16-byte structure */
	put_read_reply(5, T_REGION_READ, 4, 4);
	peer_queue(-1, 0);
	assert_int_equal(read4(), 0);
	peer_skip(1);
	put_hdr(&g_m, 30, 99, T_REPLY | T_ERROR, EOPNOTSUPP);
	peer_expect();
	put_hdr(&g_m, 31, T_DMA_READ, T_REPLY | T_ERROR, EINVAL);
	peer_expect();
	assert_true(log_has("the spec does not list"));
	assert_false(vfio_user_client_broken(g_c));
}

/* Attach against a set-up that goes wrong at region 1 (after VERSION,
 * DEVICE_GET_INFO and region 0 as in client_peer.h): queue_bad writes the
 * replies to region 1's info. */
static void attach_fails(void (*queue_bad)(void), int err, const char *log)
{
	int cli;

	peer_open(&cli);
	g_region_fd = memfd_create("region1", MFD_CLOEXEC);
	assert_int_equal(ftruncate(g_region_fd, 8192), 0);
	peer_version_reply(0, 0, 0, NULL);
	peer_device_info_reply(1, 2, 5);
	peer_region_hdr(2, 32, T_REGION_READABLE, 0, 0, 256, 0);
	peer_queue(-1, 0);
	queue_bad();
	assert_int_equal(vfio_user_client_attach(cli, 1000, &g_c), err);
	g_c = NULL;
	assert_true(log_has(log));
}

/* "VFIO region info cap sparse mmap": an area past the region's end. */
static void area_outside(void)
{
	peer_region_hdr(3, 64, 0xf, 1, 0, 8192, 0);
	peer_queue(g_region_fd, 1);
	peer_region_hdr(4, 64, 0xf, 1, 32, 8192, 0);
	peer_sparse_area(4096, 8192);
	peer_queue(g_region_fd, 1);
}

static void test_area_outside(void **state)
{
	(void)state;
	attach_fails(area_outside, -EINVAL, "a sparse mmap area outside its region");
}

/* "When this flag is set, the reply will include a file descriptor". */
static void mmap_without_fd(void)
{
	peer_region_hdr(3, 32, 0x7, 1, 0, 8192, 0);
	peer_queue(-1, 0);
}

static void test_mmap_without_fd(void **state)
{
	(void)state;
	attach_fails(mmap_without_fd, -EPROTO, "fds that do not match the MMAP flag");
}

/* "Message sizes": cut short again when asked with the argsz it gave. */
static void cut_twice(void)
{
	peer_region_hdr(3, 64, 0xf, 1, 0, 8192, 0);
	peer_queue(g_region_fd, 1);
	peer_region_hdr(4, 96, 0xf, 1, 0, 8192, 0);
	peer_queue(g_region_fd, 1);
}

static void test_cut_twice(void **state)
{
	(void)state;
	attach_fails(cut_twice, -EPROTO, "cut short again");
}

/* An argsz past every message the client receives. */
static void argsz_huge(void)
{
	peer_region_hdr(3, 0x40000000, 0xf, 1, 0, 8192, 0);
	peer_queue(g_region_fd, 1);
}

static void test_argsz_huge(void **state)
{
	(void)state;
	attach_fails(argsz_huge, -EMSGSIZE, "vfio-user.rst Message sizes: region 1");
}

static void test_too_many_regions(void **state)
{
	int cli;

	(void)state;
	peer_open(&cli);
	peer_version_reply(0, 0, 0, NULL);
	peer_device_info_reply(1, 1000, 5);
	assert_int_equal(vfio_user_client_attach(cli, 1000, &g_c), -EPROTO);
	g_c = NULL;
	assert_true(log_has("1000 regions"));
}

/* An area past the end of the memfd the server sent: mapped, its pages
 * would raise SIGBUS when the driver writes a doorbell. */
static void test_area_past_fd(void **state)
{
	void *addr;

	(void)state;
	peer_attach(NULL, 1000);
	assert_int_equal(ftruncate(g_region_fd, 4096), 0);
	assert_int_equal(vfio_user_client_region_map(g_c, 1, 0, &addr), -EINVAL);
	assert_true(log_has("ends past the file the server sent"));
	assert_false(vfio_user_client_broken(g_c));
}

#define HOSTILE(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    HOSTILE(test_bad_replies),	    HOSTILE(test_oversize),
	    HOSTILE(test_undersize),	    HOSTILE(test_error_reply),
	    HOSTILE(test_close_mid_reply),  HOSTILE(test_timeout),
	    HOSTILE(test_wrong_direction),  HOSTILE(test_unknown_commands),
	    HOSTILE(test_area_outside),	    HOSTILE(test_mmap_without_fd),
	    HOSTILE(test_cut_twice),	    HOSTILE(test_argsz_huge),
	    HOSTILE(test_too_many_regions), HOSTILE(test_area_past_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
