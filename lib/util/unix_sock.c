/* SPDX-License-Identifier: MIT */
/* Unix stream sockets named by a path (unix_sock.h). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/deadline.h"
#include "util/unix_sock.h"

int util_unix_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

int util_unix_listen(const char *path, int backlog, int type_flags)
{
	struct sockaddr_un sa;
	struct stat st;
	int rc = util_unix_addr(path, &sa);
	int sock;

	if (rc)
		return rc;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		unlink(path);
	}
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | type_flags, 0);
	if (sock < 0)
		return -errno;
	if (bind(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		close(sock);
		return rc;
	}
	if (listen(sock, backlog) < 0) {
		rc = -errno;
		close(sock);
		unlink(path);
		return rc;
	}
	return sock;
}

void util_unix_put_fds(struct msghdr *mh, void *control, const int *fds, unsigned nfds)
{
	struct cmsghdr *c;

	memset(control, 0, CMSG_SPACE(sizeof(int) * nfds));
	mh->msg_control = control;
	mh->msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
	c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
}

bool util_unix_take_fds(struct msghdr *mh, int *fds, unsigned max, unsigned *nfds)
{
	bool lost = (mh->msg_flags & MSG_CTRUNC) != 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		const unsigned char *data = CMSG_DATA(c);
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, data + i * sizeof(int), sizeof(fd));
			if (*nfds < max) {
				fds[(*nfds)++] = fd;
			} else {
				close(fd);
				lost = true;
			}
		}
	}
	return lost;
}

ssize_t util_unix_recv(int sock, void *buf, size_t len, int *fds, unsigned max, unsigned *nfds,
		       bool *lost)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * UTIL_UNIX_MAX_FDS)];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr mh = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = control.buf,
	    .msg_controllen = sizeof(control.buf),
	};
	ssize_t n;

	do {
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	*lost |= util_unix_take_fds(&mh, fds, max, nfds);
	return n;
}

int util_unix_connect(const char *path, int64_t deadline)
{
	struct timespec pause = {.tv_nsec = 10 * 1000 * 1000};
	struct sockaddr_un sa;
	int sock, ret = util_unix_addr(path, &sa);

	if (ret < 0)
		return ret;
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	while (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		if ((ret != -ENOENT && ret != -ECONNREFUSED && ret != -EAGAIN && ret != -EINTR) ||
		    deadline_ms_left(deadline) == 0) {
			close(sock);
			return ret;
		}
		nanosleep(&pause, NULL);
	}
	return sock;
}
