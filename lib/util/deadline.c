/* SPDX-License-Identifier: MIT */
#include "util/deadline.h"

#include <errno.h>
#include <poll.h>
#include <time.h>

int64_t deadline_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t deadline_from_timeout(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : deadline_now_ms() + timeout_ms;
}

int deadline_ms_left(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - deadline_now_ms();
	return left > 0 ? (int)left : 0;
}

int deadline_wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int n;

	do {
		n = poll(&pfd, 1, deadline_ms_left(deadline));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == 0 ? -ETIMEDOUT : 0;
}
