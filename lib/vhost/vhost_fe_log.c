/* SPDX-License-Identifier: MIT */
/*
 * The front-end's side of the dirty log (vhost-user.rst "Migration"): the
 * log handed over in shared memory (VHOST_USER_PROTOCOL_F_LOG_SHMFD), and
 * logging turned on and off for the whole device and for each used ring.
 * Built on the raw calls of vhost_frontend.c, so that the one reply this
 * request has is read and judged here.
 */
#define LOG_COMPONENT "vhost"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "util/log.h"
#include "vhost/vhost.h"
#include "vhost/vhost_msg.h"

#define SPEC_LOG_BASE "vhost-user.rst \"VHOST_USER_SET_LOG_BASE\""

int vhost_fe_set_log_base(struct vhost_fe *fe, int fd, uint64_t size, uint64_t offset,
			  int timeout_ms)
{
	struct vhost_user_log log = {.mmap_size = size, .mmap_offset = offset};
	struct vhost_user_hdr hdr = {
	    .request = VHOST_USER_SET_LOG_BASE, .flags = VHOST_USER_VERSION, .size = sizeof(log)};
	struct vhost_user_hdr rep;
	uint64_t payload = 0;
	int ret;

	if (fd < 0 || size == 0)
		return -EINVAL;
	/* "Migration": "The log memory fd is provided in the ancillary data of
	 * VHOST_USER_SET_LOG_BASE message when the back-end has
	 * VHOST_USER_PROTOCOL_F_LOG_SHMFD". */
	ret = vhost_fe_send_raw(fe, &hdr, &log, &fd, 1);
	if (ret) {
		log_warn("cannot send %s: %s", vhost_msg_request_name(hdr.request), strerror(-ret));
		return ret;
	}
	/* "Communication": with LOG_SHMFD the request requires a reply. Its
	 * payload is "N/A" ("VHOST_USER_SET_LOG_BASE"): back-ends answer with
	 * none (DPDK, ours) or a u64 whose value means nothing (libvhost-user,
	 * qemu-storage-daemon 7.2, echoes the request's mmap_size), so, as
	 * QEMU's front-end, its content is not judged; another size is a
	 * wrong reply. */
	ret = vhost_fe_recv_raw(fe, &rep, &payload, sizeof(payload), timeout_ms);
	if (ret) {
		log_warn(SPEC_LOG_BASE ": no usable reply: %s", strerror(-ret));
		return ret == -EMSGSIZE ? -EPROTO : ret;
	}
	if (rep.request != VHOST_USER_SET_LOG_BASE || !(rep.flags & VHOST_USER_REPLY_MASK) ||
	    (rep.size != 0 && rep.size != sizeof(payload))) {
		/* "Communication": a front-end that receives a wrong reply
		 * closes the connection. */
		log_warn(SPEC_LOG_BASE ": wrong reply: request %u flags 0x%x size %u; closing the "
				       "connection (vhost-user.rst \"Communication\")",
			 rep.request, rep.flags, rep.size);
		shutdown(vhost_fe_fd(fe), SHUT_RDWR);
		return -EPROTO;
	}
	return 0;
}
