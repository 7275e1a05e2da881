/* SPDX-License-Identifier: MIT */
/* fds passed on Unix sockets (lib/util/unix_sock.h). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/unix_sock.h"

/* Sends one byte with n fds (copies of fd) over sv[0]; receives it on sv[1]
 * into fds[] with room for max. Returns what util_unix_take_fds said. */
static bool pass_fds(int fd, unsigned n, int *fds, unsigned max, unsigned *nfds)
{
	int sv[2], out[4];
	char control[CMSG_SPACE(sizeof(int) * 4)] __attribute__((aligned(8)));
	char rx_control[CMSG_SPACE(sizeof(int) * 4)] __attribute__((aligned(8)));
	char byte = 'x';
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	bool lost;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	for (unsigned i = 0; i < n; i++)
		out[i] = fd;
	util_unix_put_fds(&mh, control, out, n);
	assert_int_equal(sendmsg(sv[0], &mh, 0), 1);
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = rx_control;
	mh.msg_controllen = sizeof(rx_control);
	assert_int_equal(recvmsg(sv[1], &mh, MSG_CMSG_CLOEXEC), 1);
	lost = util_unix_take_fds(&mh, fds, max, nfds);
	close(sv[0]);
	close(sv[1]);
	return lost;
}

static int open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

static void test_take_all(void **state)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), fds[4] = {-1, -1, -1, -1};
	unsigned nfds = 1; /* appended after what is there */

	(void)state;
	assert_false(pass_fds(fd, 3, fds, 4, &nfds));
	assert_int_equal(nfds, 4);
	for (unsigned i = 1; i < 4; i++) {
		assert_true(fds[i] >= 0);
		assert_int_not_equal(fds[i], fd);
		close(fds[i]);
	}
	close(fd);
}

/* Past max, fds are closed at once and the loss is reported. */
static void test_too_many_closed(void **state)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), fds[2];
	int before = open_fds();
	unsigned nfds = 0;

	(void)state;
	assert_true(pass_fds(fd, 4, fds, 2, &nfds));
	assert_int_equal(nfds, 2);
	assert_int_equal(open_fds(), before + 2);
	close(fds[0]);
	close(fds[1]);
	assert_int_equal(open_fds(), before);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_take_all),
	    cmocka_unit_test(test_too_many_closed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
