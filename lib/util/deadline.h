/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_UTIL_DEADLINE_H
#define STORLAB_UTIL_DEADLINE_H

/*
 * Deadlines for blocking control-path calls (vhost-user front-end, RPC
 * client, initiator waits): an absolute CLOCK_MONOTONIC time in milliseconds,
 * or -1 for "no deadline".
 */

#include <stdint.h>

int64_t deadline_now_ms(void);
/* timeout_ms < 0: no deadline (-1). */
int64_t deadline_from_timeout(int timeout_ms);
/* Milliseconds left, as poll() wants them: -1 for no deadline, 0 once passed. */
int deadline_ms_left(int64_t deadline);
/* Waits until fd has one of events (POLLIN, POLLOUT) or the deadline passes,
 * retrying on EINTR. 0 when ready (or in error: the next call on fd says
 * which), -ETIMEDOUT, or a negative errno. */
int deadline_wait_fd(int fd, short events, int64_t deadline);

#endif
