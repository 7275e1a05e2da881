/* SPDX-License-Identifier: MIT */
/*
 * SET_LOG_BASE: the dirty log a migrating front-end shares
 * (vhost-user.rst "Migration", "Log description"). The new log is checked
 * and mapped before any ring stops, so a refused one leaves the old log and
 * the rings on it alone; the dispatcher then stops every ring (a reactor may
 * be marking the old log), and the handler swaps the logs and unmaps the
 * old one; rings restart with the new one.
 */
#define LOG_COMPONENT "vhost"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "util/log.h"
#include "vhost/vhost_backend_internal.h"

#define LOG_SPEC "vhost-user.rst \"VHOST_USER_SET_LOG_BASE\""

static void log_unmap(struct vhost_log *log)
{
	mem_unmap(&log->map);
	memset(log, 0, sizeof(*log));
}

void vhost_log_unstage(struct vhost_dev *dev)
{
	log_unmap(&dev->staged_log);
}

void vhost_log_drop(struct vhost_dev *dev)
{
	log_unmap(&dev->log);
}

int vhost_log_check_used(struct vhost_dev *dev, const struct vhost_user_vring_addr *addr,
			 uint32_t num, uint64_t log_size)
{
	uint64_t bytes = vhost_ring_used_bytes(dev, num);
	bool fits = bytes - 1 <= UINT64_MAX - addr->log_guest_addr &&
		    vhost_log_covers(log_size, addr->log_guest_addr + bytes - 1);

	if (!fits) {
		vhost_warn(dev,
			   "vhost-user.rst \"Migration\": \"the bit offset of the last byte "
			   "of the ring must fall within the size supplied by VhostUserLog\": "
			   "vring %u used ring logged at 0x%" PRIx64 " (%" PRIu64
			   " bytes), log of %" PRIu64 " bytes",
			   addr->index, addr->log_guest_addr, bytes, log_size);
		return -ERANGE;
	}
	return 0;
}

/* "Migration": the log "should be large enough to cover all known guest
 * addresses", and each logged used ring must fit in it. */
static int check_log_size(struct vhost_dev *dev, uint64_t size)
{
	const struct mem_table *mem = dev->mem;

	for (uint32_t i = 0; i < mem->nregions; i++) {
		const struct mem_region *r = &mem->regions[i];

		if (!vhost_log_covers(size, r->gpa + r->size - 1)) {
			vhost_warn(dev,
				   "vhost-user.rst \"Migration\": a log of %" PRIu64
				   " bytes does not cover guest memory up to 0x%" PRIx64
				   " (\"large enough to cover all known guest addresses\")",
				   size, r->gpa + r->size - 1);
			return -EINVAL;
		}
	}
	for (uint16_t i = 0; i < dev->opts.max_queues; i++) {
		const struct vhost_ring *r = &dev->rings[i];

		if (r->addr_set && r->num && (r->addr.flags & (1u << VHOST_VRING_F_LOG)) &&
		    vhost_log_check_used(dev, &r->addr, r->num, size))
			return -EINVAL;
	}
	return 0;
}

int vhost_check_set_log_base(struct vhost_dev *dev, struct vhost_msg *msg)
{
	const struct vhost_user_log *l = &msg->payload.log;
	struct vhost_log log = {0};
	int ret;

	if (!(dev->protocol_features & (1ULL << VHOST_USER_PROTOCOL_F_LOG_SHMFD))) {
		/* Without LOG_SHMFD the log would be an address in the
		 * front-end's memory that we cannot reach. */
		log_notice("vhost-user.rst \"Front-end message types\": %s without "
			   "VHOST_USER_PROTOCOL_F_LOG_SHMFD negotiated: not supported",
			   vhost_msg_request_name(msg->hdr.request));
		return -ENOTSUP;
	}
	if (msg->hdr.size != sizeof(*l)) {
		vhost_warn(dev, "vhost-user.rst \"Log description\": payload size %u, expected %zu",
			   msg->hdr.size, sizeof(*l));
		return -EINVAL;
	}
	if (msg->nfds != 1) {
		vhost_warn(dev,
			   LOG_SPEC ": with LOG_SHMFD the log memory fd is in the ancillary "
				    "data: %u fds, expected 1",
			   msg->nfds);
		return -EINVAL;
	}
	if (l->mmap_size == 0) {
		vhost_warn(dev, "vhost-user.rst \"Log description\": log size 0");
		return -EINVAL;
	}
	ret = check_log_size(dev, l->mmap_size);
	if (ret)
		return ret;
	ret = mem_map_fd(msg->fds[0], l->mmap_offset, l->mmap_size, LOG_SPEC, &log.map);
	if (ret) {
		vhost_warn(
		    dev, LOG_SPEC ": log of %" PRIu64 " bytes at offset 0x%" PRIx64 " refused: %s",
		    l->mmap_size, l->mmap_offset, strerror(-ret));
		return ret;
	}
	log.bits = log.map.addr;
	log.size = l->mmap_size;
	vhost_log_unstage(dev);
	dev->staged_log = log;
	return 0;
}

/* Every ring is stopped: no reactor marks the old log any more. The fd is
 * closed by the dispatcher; the mapping outlives it. */
int vhost_h_set_log_base(struct vhost_dev *dev, struct vhost_msg *msg)
{
	(void)msg;
	vhost_log_drop(dev);
	dev->log = dev->staged_log;
	memset(&dev->staged_log, 0, sizeof(dev->staged_log));
	log_info("dirty log: %" PRIu64 " bytes (%" PRIu64 " pages of 0x%llx)", dev->log.size,
		 dev->log.size * 8, VHOST_LOG_PAGE);
	return 0;
}
