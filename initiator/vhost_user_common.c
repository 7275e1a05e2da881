/* SPDX-License-Identifier: MIT */
/* What the vhost-user transports share (vhost_user_common.h). */
#define LOG_COMPONENT "initiator"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "initiator/vhost_user_common.h"
#include "util/deadline.h"
#include "util/log.h"

void vu_eventfd_drain(int fd)
{
	uint64_t v;

	/* Non-blocking: EAGAIN just means it was clear. */
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("eventfd read: %s", strerror(errno));
}

void vu_eventfd_signal(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0)
		log_warn("eventfd write: %s", strerror(errno));
}

int vu_connect(struct storlab_dev *dev, const char *path, const char *scheme,
	       struct vhost_fe_setup_opts *setup, struct vhost_fe_region *regions,
	       struct vhost_fe **fe, struct vhost_fe_setup_state *st)
{
	struct storlab_dev_info *info = &dev->info;
	int ret;

	/* Each range of the memory table at its own offset of the one file,
	 * as QEMU hands a memory backend's pieces over. */
	for (unsigned i = 0; i < dev->opts.nranges; i++)
		regions[i] = (struct vhost_fe_region){
		    .gpa = dev->opts.ranges[i].gpa,
		    .size = dev->opts.ranges[i].size,
		    .uva = (uintptr_t)dev->mem.base + dev->opts.ranges[i].gpa,
		    .mmap_offset = dev->opts.ranges[i].gpa,
		    .fd = dev->mem.fd,
		};
	setup->regions = regions;
	setup->nregions = dev->opts.nranges;
	memset(info, 0, sizeof(*info));
	info->transport = scheme;
	info->address = dev->address;
	info->queue_size = dev->opts.queue_size;
	info->num_queues = dev->opts.num_queues;
	info->mem_size = dev->mem.size;
	ret = vhost_fe_connect(path, dev->opts.timeout_ms, fe);
	if (ret) {
		*fe = NULL;
		log_info("%s: connect: %s", dev->address, strerror(-ret));
		return ret;
	}
	if (dev->tap.fn)
		vhost_fe_set_tap(*fe, &dev->tap);
	ret = vhost_fe_setup(*fe, setup, st);
	if (ret) {
		log_err("%s: set-up failed: %s", dev->address, strerror(-ret));
		vhost_fe_close(*fe);
		*fe = NULL;
	}
	return ret;
}

int vu_resume(struct vu_resume *r, const uint16_t *bases, uint64_t negotiated,
	      int (*reconnect)(void *ctx), void *ctx)
{
	int ret;

	r->bases = bases;
	if (negotiated)
		r->features = negotiated;
	ret = reconnect(ctx);
	r->bases = NULL;
	return ret;
}

bool vu_resume_features_ok(const struct storlab_dev *dev, const struct vu_resume *r, uint64_t acked)
{
	if (acked == r->features)
		return true;
	log_err("%s: the destination acknowledges features 0x%llx, the driver runs with 0x%llx: "
		"it cannot move there",
		dev->address, (unsigned long long)acked, (unsigned long long)r->features);
	return false;
}

int vu_keep_decide(struct storlab_dev *dev, const struct vhost_fe_setup_state *st,
		   struct vhost_fe_inflight *inflight, uint64_t ring_features, bool kept,
		   bool *keep)
{
	*keep = kept;
	if (kept && (!(st->protocol_features & (1ULL << VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD)) ||
		     st->features != ring_features || inflight->fd < 0)) {
		log_err("%s: requests in flight at the disconnect cannot be resumed: the back-end "
			"%s; they fail as not connected",
			dev->address,
			st->features != ring_features ? "negotiated other features"
						      : "no longer offers INFLIGHT_SHMFD");
		atomic_store(&dev->keeps_inflight, false);
		return -ENOTSUP;
	}
	if (!kept && inflight->fd >= 0) {
		close(inflight->fd);
		inflight->fd = -1;
	}
	return 0;
}

void vu_keeps_inflight_update(struct storlab_dev *dev, const struct vhost_fe_inflight *inflight,
			      const struct vhost_fe_setup_state *st)
{
	atomic_store(&dev->keeps_inflight,
		     inflight->fd >= 0 &&
			 (st->protocol_features & (1ULL << VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD)));
}

bool vu_check_hangup(struct storlab_dev *dev, int sock_fd)
{
	struct pollfd pfd = {.fd = sock_fd, .events = POLLIN | POLLRDHUP};
	char byte;

	if (atomic_load(&dev->dead))
		return true;
	if (sock_fd < 0 || poll(&pfd, 1, 0) <= 0)
		return false;
	/* The back-end sends nothing unasked on this socket: readable means
	 * closed, unless a byte is really there. */
	if (!(pfd.revents & (POLLHUP | POLLERR | POLLRDHUP | POLLNVAL)) &&
	    recv(sock_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) != 0)
		return false;
	if (!atomic_exchange(&dev->dead, true))
		log_notice("%s: the back-end closed the connection", dev->address);
	return true;
}

int vu_ring_init(struct storlab_dev *dev, struct virtq_drv *vq, void *ring, uint16_t num,
		 void *indirect, uint16_t indirect_max, uint64_t features)
{
	struct virtq_drv_config cfg = {
	    .layout = VIRTQ_LAYOUT_SPLIT,
	    .num = num,
	    .ring = ring,
	    .features = features,
	    .indirect = indirect,
	    .indirect_max = indirect ? indirect_max : 0,
	};
	int ret;

	if (vq->num)
		virtq_drv_fini(vq);
	memset(vq, 0, sizeof(*vq));
	memset(ring, 0, virtq_drv_ring_bytes(num));
	guestmem_gpa(&dev->mem, ring, 1, &cfg.ring_gpa);
	if (indirect)
		guestmem_gpa(&dev->mem, indirect, 1, &cfg.indirect_gpa);
	ret = virtq_drv_init(vq, &cfg);
	if (ret)
		memset(vq, 0, sizeof(*vq));
	return ret;
}

int vu_ring_wait(struct virtq_drv *vq, int call_fd, int sock_fd, bool fd_enabled, int64_t deadline,
		 bool *hangup)
{
	struct pollfd pfd[2] = {
	    {.fd = call_fd, .events = POLLIN},
	    {.fd = sock_fd, .events = POLLIN | POLLRDHUP},
	};
	int ret;

	*hangup = false;
	/* virtio 1.2 §2.7.10: ask for a notification, then look again, or an
	 * entry used in between would never wake us. */
	if (virtq_drv_enable_notify(vq, true))
		return 0;
	ret = poll(pfd, 2, deadline_ms_left(deadline));
	if (!fd_enabled)
		virtq_drv_enable_notify(vq, false);
	if (ret < 0)
		return errno == EINTR ? 0 : -errno;
	if (ret == 0)
		return -ETIMEDOUT;
	if (pfd[0].revents)
		vu_eventfd_drain(call_fd);
	*hangup = pfd[1].revents != 0;
	return 0;
}

int vu_queue_mem_alloc(struct storlab_dev *dev, uint16_t num, uint16_t chain_max, size_t slot_bytes,
		       struct vu_queue_mem *m)
{
	int ret;

	*m = (struct vu_queue_mem){.kick_fd = -1, .call_fd = -1};
	ret = guestmem_alloc(&dev->mem, virtq_drv_ring_bytes(num), 0, &m->ring);
	if (!ret)
		ret = guestmem_alloc(&dev->mem, (size_t)num * chain_max * sizeof(struct virtq_desc),
				     0, &m->indirect);
	if (!ret)
		ret = guestmem_alloc(&dev->mem, (size_t)num * slot_bytes, 0, &m->shared);
	if (ret)
		return ret;
	m->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	m->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (m->kick_fd < 0 || m->call_fd < 0) {
		ret = -errno;
		log_err("%s: eventfd: %s", dev->address, strerror(errno));
	}
	return ret;
}

void vu_queue_mem_free(struct storlab_dev *dev, struct vu_queue_mem *m)
{
	if (m->kick_fd >= 0)
		close(m->kick_fd);
	if (m->call_fd >= 0)
		close(m->call_fd);
	guestmem_free(&dev->mem, m->ring);
	guestmem_free(&dev->mem, m->indirect);
	guestmem_free(&dev->mem, m->shared);
	*m = (struct vu_queue_mem){.kick_fd = -1, .call_fd = -1};
}
