/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_UTIL_LOG_RATELIMIT_H
#define STORLAB_UTIL_LOG_RATELIMIT_H

/* The limiter state alone, for structs that embed one without pulling in
 * log.h (which sets a default LOG_COMPONENT). The calls are in log.h. */

#include <stdint.h>

/*
 * Rate limiting for lines a peer can trigger at will (a malicious guest's
 * descriptors, a front-end's messages): at most LOG_RATELIMIT_LINES a second
 * per limiter. Embed one limiter in the object the peer drives (a queue, a
 * connection); it is not thread safe, like that object.
 */
#define LOG_RATELIMIT_LINES 10

struct log_ratelimit {
	int64_t window_start_ns;
	uint32_t lines;
	uint32_t dropped;
};

#endif
