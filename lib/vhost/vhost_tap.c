/* SPDX-License-Identifier: MIT */
/* The message tap (vhost_tap.h): time stamp and call. */
#include "vhost/vhost_tap.h"

#include <time.h>

void vhost_tap_emit(const struct vhost_tap *tap, struct vhost_tap_msg *msg)
{
	struct timespec ts;

	if (!tap || !tap->fn)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	msg->time_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	tap->fn(tap->arg, msg);
}

void vhost_tap_whole(const struct vhost_tap *tap, enum vhost_tap_side side, enum vhost_tap_dir dir,
		     const struct vhost_user_hdr *hdr, const void *payload, uint32_t payload_len,
		     const int *fds, unsigned nfds)
{
	struct vhost_tap_msg msg = {
	    .dir = dir,
	    .side = side,
	    .hdr = *hdr,
	    .hdr_len = sizeof(*hdr),
	    .payload = payload,
	    .payload_len = payload_len,
	    .payload_wire = hdr->size,
	    .fds = fds,
	    .nfds = nfds,
	};

	if (tap && tap->fn)
		vhost_tap_emit(tap, &msg);
}
