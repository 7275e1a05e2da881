/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TRACE_TRACE_WATCH_H
#define STORLAB_TRACE_TRACE_WATCH_H

/*
 * What the recording proxy follows of one connection to read ring state:
 * guest memory (mapped read-only from the fds of SET_MEM_TABLE and
 * ADD_MEM_REG) and each ring's size, addresses and base. It only reads
 * guest memory and never changes what is forwarded; a region it cannot map
 * leaves the indices of the rings in it unread (their valid bits clear).
 */

#include <stdbool.h>

#include "mem/mem.h"
#include "trace/trace.h"

/* SET_VRING_* carry the ring index in 8 bits. */
#define TRACE_WATCH_RINGS 256

struct trace_watch_ring {
	uint32_t valid; /* TRACE_RING_ADDRS, TRACE_RING_NUM */
	uint32_t num;
	uint32_t base;
	uint64_t desc, avail, used;
};

struct trace_watch {
	struct mem_table mem; /* regions mapped read-only, at maps[i] */
	struct {
		uint64_t gpa, size, uva;
		struct mem_map map;
	} maps[MEM_MAX_REGIONS];
	uint32_t nmaps;
	struct trace_watch_ring rings[TRACE_WATCH_RINGS];
};

void trace_watch_init(struct trace_watch *w);
/* Unmaps everything. */
void trace_watch_fini(struct trace_watch *w);

/*
 * Follows a whole message that went through (error 0) from the front-end
 * (to_backend) or the back-end, with its fds (still open; not taken). If it
 * is a stop or start point, *ring is that ring's state and it returns true.
 */
bool trace_watch_msg(struct trace_watch *w, bool to_backend, const struct vhost_user_hdr *hdr,
		     const void *payload, uint32_t payload_len, const int *fds, unsigned nfds,
		     struct trace_ring *ring);

#endif
