/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_UNIT_VHOST_TEST_UTIL_H
#define STORLAB_TESTS_UNIT_VHOST_TEST_UTIL_H

/* Helpers shared by the vhost unit tests (each test file is its own binary,
 * so these are static inline). Include after <cmocka.h>. */

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "util/log.h"

/* Open fds of this process: equal before and after a test, or it leaked. */
static inline int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the DIR's own fd */
}

/* The log lines of the library, kept so tests can check that a refusal
 * names the spec section it enforces. */
static pthread_mutex_t g_log_lock = PTHREAD_MUTEX_INITIALIZER;
static char g_log[16384];

static inline void log_capture(enum log_level level, const char *component, const char *line,
			       void *arg)
{
	size_t len;

	(void)level;
	(void)component;
	(void)arg;
	pthread_mutex_lock(&g_log_lock);
	len = strlen(g_log);
	if (len + strlen(line) + 2 >= sizeof(g_log))
		len = 0; /* keep the newest lines */
	snprintf(g_log + len, sizeof(g_log) - len, "%s\n", line);
	pthread_mutex_unlock(&g_log_lock);
}

static inline void log_start(void)
{
	pthread_mutex_lock(&g_log_lock);
	g_log[0] = 0;
	pthread_mutex_unlock(&g_log_lock);
	log_set_level(LOG_LEVEL_INFO);
	log_set_sink(log_capture, NULL);
}

/* Whether a line logged since log_start() contains text. */
static inline bool log_has(const char *text)
{
	bool found;

	pthread_mutex_lock(&g_log_lock);
	found = strstr(g_log, text) != NULL;
	pthread_mutex_unlock(&g_log_lock);
	return found;
}

/* Sends raw bytes with nfds copies of fd (more than the codec allows). */
static inline void send_raw_fds(int sock, const void *buf, size_t len, int fd, unsigned nfds)
{
	char control[CMSG_SPACE(sizeof(int) * 16)];
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;
	int fds[16];

	assert_true(nfds <= 16);
	for (unsigned i = 0; i < nfds; i++)
		fds[i] = fd;
	memset(control, 0, sizeof(control));
	mh.msg_control = control;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	assert_int_equal(sendmsg(sock, &mh, 0), (ssize_t)len);
}

#endif
