/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_UNIT_CONFORMANCE_FAKE_BACKEND_H
#define STORLAB_TESTS_UNIT_CONFORMANCE_FAKE_BACKEND_H

/*
 * A minimal vhost-user back-end in a child process, for runner tests: it
 * answers GET_FEATURES and GET_PROTOCOL_FEATURES on one connection after
 * another and ignores everything else. A process (not a thread) so that a
 * case can kill it, as a crashing device would go. Include after <cmocka.h>.
 */

#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spec/vhost_user.h"
#include "vhost/vhost_msg.h"

#define FAKE_FEATURES	       ((1ull << 32) | (1ull << VHOST_USER_F_PROTOCOL_FEATURES))
#define FAKE_PROTOCOL_FEATURES (1ull << VHOST_USER_PROTOCOL_F_MQ)

static void fake_serve(int conn)
{
	struct vhost_msg msg;

	while (vhost_msg_recv(conn, &msg, -1) == 0) {
		struct vhost_user_hdr hdr = {.request = msg.hdr.request,
					     .flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK,
					     .size = 8};
		uint64_t v = msg.hdr.request == VHOST_USER_GET_FEATURES ? FAKE_FEATURES
									: FAKE_PROTOCOL_FEATURES;

		vhost_msg_close_fds(&msg);
		if (msg.hdr.request == VHOST_USER_GET_FEATURES ||
		    msg.hdr.request == VHOST_USER_GET_PROTOCOL_FEATURES)
			vhost_msg_send(conn, &hdr, &v, NULL, 0, 1000);
	}
}

/* Listens on path; returns the server's pid. */
static inline pid_t fake_backend_start(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int lsock = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t pid;

	assert_true(lsock >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	assert_int_equal(bind(lsock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lsock, 16), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;) {
			int conn = accept(lsock, NULL, NULL);

			if (conn >= 0) {
				fake_serve(conn);
				close(conn);
			}
		}
	}
	close(lsock);
	return pid;
}

static inline void fake_backend_stop(pid_t pid, const char *path)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(path);
}

#endif
