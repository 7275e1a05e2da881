/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_UTIL_UNIX_SOCK_H
#define STORLAB_UTIL_UNIX_SOCK_H

/* Unix stream sockets named by a path. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Fills *sa for path: 0, or -ENAMETOOLONG when it does not fit sun_path. */
int util_unix_addr(const char *path, struct sockaddr_un *sa);

/*
 * A socket listening at path (SOCK_CLOEXEC, plus type_flags such as
 * SOCK_NONBLOCK) with this backlog. A socket file already there (left by a
 * process that died) is replaced; any other file is refused with -EEXIST.
 * Returns the socket, or a negative errno (nothing left behind).
 */
int util_unix_listen(const char *path, int backlog, int type_flags);

/* A stream socket connected to path; a server not listening yet (no
 * socket file, connection refused) is waited for until deadline
 * (util/deadline.h). The socket, or a negative errno. */
int util_unix_connect(const char *path, int64_t deadline);

/* Attaches nfds (> 0) fds to mh as one SCM_RIGHTS message in control,
 * which has room for CMSG_SPACE(sizeof(int) * nfds) bytes and is suitably
 * aligned: they go with the first byte sendmsg sends. */
void util_unix_put_fds(struct msghdr *mh, void *control, const int *fds, unsigned nfds);

/*
 * Keeps the SCM_RIGHTS fds that came with one recvmsg (mh as recvmsg filled
 * it): appended to fds[*nfds ..] while fewer than max are kept, the rest
 * closed at once, so that every fd the kernel installed is either kept or
 * closed whatever else is wrong with the message. Returns true when fds were
 * lost: closed for want of room, or cut by the kernel (MSG_CTRUNC).
 */
bool util_unix_take_fds(struct msghdr *mh, int *fds, unsigned max, unsigned *nfds);

/* The most fds one message carries on Linux (SCM_MAX_FD). */
#define UTIL_UNIX_MAX_FDS 253

/*
 * One non-blocking recvmsg of at most len bytes into buf, retried on EINTR,
 * its fds kept as util_unix_take_fds() does (*lost |= whether any were
 * lost). Returns the bytes read, 0 when the peer closed, or a negative
 * errno (-EAGAIN: nothing to read yet).
 */
ssize_t util_unix_recv(int sock, void *buf, size_t len, int *fds, unsigned max, unsigned *nfds,
		       bool *lost);

#endif
