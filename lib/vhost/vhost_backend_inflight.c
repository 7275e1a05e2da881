/* SPDX-License-Identifier: MIT */
/*
 * GET_INFLIGHT_FD and SET_INFLIGHT_FD (vhost-user.rst "Inflight I/O
 * tracking"): the buffer in which the back-end records the requests it took
 * and has not completed, kept by the front-end across a back-end's crash.
 *
 * GET_INFLIGHT_FD makes a new buffer (a memfd, zeroed, each queue's region
 * initialised) and hands it over; the back-end keeps nothing: it tracks in
 * the buffer SET_INFLIGHT_FD gives, which is what QEMU sends after GET on
 * every start, and after a reconnect without GET. SET_INFLIGHT_FD is staged
 * like SET_LOG_BASE: checked and mapped before any ring stops (a refused
 * one leaves the rings alone), then every ring stops (a reactor may be
 * marking the old buffer) and the buffers are swapped. A ring that starts
 * gets its queue's region (vhost_inflight_ring_start), after the
 * reconnect procedure ran on it.
 */
#define LOG_COMPONENT "vhost"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/log.h"
#include "vhost/vhost_backend_internal.h"
#include "vhost/vhost_inflight.h"

#define GET_SPEC "vhost-user.rst \"VHOST_USER_GET_INFLIGHT_FD\""
#define SET_SPEC "vhost-user.rst \"VHOST_USER_SET_INFLIGHT_FD\""

/* Without the feature the request is unknown to the front-end's contract:
 * refused as unsupported, as before the back-end offered it. */
static int negotiated(const struct vhost_dev *dev, const struct vhost_msg *msg)
{
	if (dev->protocol_features & (1ULL << VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD))
		return 0;
	log_notice("vhost-user.rst \"%s\": only valid once "
		   "VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD is negotiated: not supported",
		   vhost_msg_request_name(msg->hdr.request));
	return -ENOTSUP;
}

/* "Inflight description": 8 + 8 + 2 + 2 bytes; QEMU, DPDK and libvhost-user
 * send the C struct with its 4 bytes of tail padding. Either is taken. */
static bool desc_size_ok(struct vhost_dev *dev, const struct vhost_msg *msg)
{
	if (msg->hdr.size >= offsetof(struct vhost_user_inflight, padding) &&
	    msg->hdr.size <= sizeof(struct vhost_user_inflight))
		return true;
	vhost_warn(dev,
		   "vhost-user.rst \"Inflight description\": %s payload size %u, expected "
		   "%zu or %zu",
		   vhost_msg_request_name(msg->hdr.request), msg->hdr.size,
		   offsetof(struct vhost_user_inflight, padding),
		   sizeof(struct vhost_user_inflight));
	return false;
}

static void inflight_unmap(struct vhost_inflight_buf *b)
{
	mem_unmap(&b->map);
	memset(b, 0, sizeof(*b));
}

void vhost_inflight_unstage(struct vhost_dev *dev)
{
	inflight_unmap(&dev->staged_inflight);
}

void vhost_inflight_drop(struct vhost_dev *dev)
{
	inflight_unmap(&dev->inflight);
}

/* A new buffer of size bytes, zeroed, each region initialised: the fd, or
 * a negative errno (logged). */
static int inflight_create(struct vhost_dev *dev, const struct vhost_user_inflight *d,
			   uint64_t size)
{
	struct mem_map map = {0};
	const char *why;
	int fd, ret;

	fd = memfd_create("vhost-inflight", MFD_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto err;
	}
	if (ftruncate(fd, (off_t)size) < 0) {
		ret = -errno;
		goto err_close;
	}
	ret = mem_map_fd(fd, 0, size, GET_SPEC, &map);
	if (ret)
		goto err_close;
	/* A new memfd reads as zeroes: adopting it initialises every region. */
	why = vhost_inflight_adopt(map.addr, d->num_queues, d->queue_size);
	mem_unmap(&map);
	if (why) {
		ret = -EINVAL;
		goto err_close;
	}
	return fd;

err_close:
	close(fd);
err:
	vhost_warn(dev, GET_SPEC ": cannot make a buffer of %" PRIu64 " bytes: %s", size,
		   strerror(-ret));
	return ret;
}

int vhost_h_get_inflight_fd(struct vhost_dev *dev, struct vhost_msg *msg)
{
	struct vhost_user_inflight d = msg->payload.inflight;
	const char *why;
	uint64_t size;
	int fd;

	int ret = negotiated(dev, msg);

	if (ret)
		return ret;
	if (!desc_size_ok(dev, msg))
		return -EINVAL;
	why = vhost_inflight_check_desc(&d, dev->opts.max_queues, false);
	if (why) {
		vhost_warn(dev, "%s: %u queues of %u entries (the back-end has %u queues)", why,
			   d.num_queues, d.queue_size, dev->opts.max_queues);
		return -EINVAL;
	}
	size = vhost_inflight_bytes(d.num_queues, d.queue_size);
	fd = inflight_create(dev, &d, size);
	if (fd < 0)
		return fd;
	d.mmap_size = size;
	d.mmap_offset = 0;
	d.padding = 0;
	vhost_dev_reply_fds(dev, msg->hdr.request, &d, sizeof(d), &fd, 1);
	close(fd);
	log_info("in-flight buffer: %" PRIu64 " bytes for %u queues of %u entries", size,
		 d.num_queues, d.queue_size);
	return 0;
}

/* Rings already sized beyond the buffer's queue size would write past their
 * region once started. */
static int check_rings_fit(struct vhost_dev *dev, const struct vhost_user_inflight *d)
{
	for (uint16_t i = 0; i < dev->opts.max_queues; i++) {
		if (dev->rings[i].num > d->queue_size) {
			vhost_warn(dev,
				   SET_SPEC ": vring %u has %u entries, the buffer's queue "
					    "size is %u",
				   i, dev->rings[i].num, d->queue_size);
			return -EINVAL;
		}
	}
	return 0;
}

int vhost_check_set_inflight_fd(struct vhost_dev *dev, struct vhost_msg *msg)
{
	struct vhost_user_inflight d = msg->payload.inflight;
	struct vhost_inflight_buf b = {0};
	const char *why;
	int ret = negotiated(dev, msg);

	if (ret)
		return ret;
	if (!desc_size_ok(dev, msg))
		return -EINVAL;
	if (msg->nfds != 1) {
		vhost_warn(dev,
			   SET_SPEC ": the buffer's fd is in the ancillary data: %u fds, "
				    "expected 1",
			   msg->nfds);
		return -EINVAL;
	}
	why = vhost_inflight_check_desc(&d, dev->opts.max_queues, true);
	if (why) {
		vhost_warn(dev,
			   "%s: mmap size %" PRIu64 " offset 0x%" PRIx64 ", %u queues of %u "
			   "entries (the back-end has %u queues)",
			   why, d.mmap_size, d.mmap_offset, d.num_queues, d.queue_size,
			   dev->opts.max_queues);
		return -EINVAL;
	}
	ret = check_rings_fit(dev, &d);
	if (ret)
		return ret;
	ret = mem_map_fd(msg->fds[0], d.mmap_offset, d.mmap_size, SET_SPEC, &b.map);
	if (ret) {
		vhost_warn(dev,
			   SET_SPEC ": buffer of %" PRIu64 " bytes at offset 0x%" PRIx64
				    " refused: %s",
			   d.mmap_size, d.mmap_offset, strerror(-ret));
		return ret;
	}
	why = vhost_inflight_adopt(b.map.addr, d.num_queues, d.queue_size);
	if (why) {
		vhost_warn(dev, "%s", why);
		mem_unmap(&b.map);
		return -EINVAL;
	}
	b.num_queues = d.num_queues;
	b.queue_size = d.queue_size;
	vhost_inflight_unstage(dev);
	dev->staged_inflight = b;
	return 0;
}

/* Every ring is stopped: no reactor marks the old buffer any more. The fd
 * is closed by the dispatcher; the mapping outlives it. */
int vhost_h_set_inflight_fd(struct vhost_dev *dev, struct vhost_msg *msg)
{
	(void)msg;
	vhost_inflight_drop(dev);
	dev->inflight = dev->staged_inflight;
	memset(&dev->staged_inflight, 0, sizeof(dev->staged_inflight));
	log_info("in-flight buffer set: %u queues of %u entries", dev->inflight.num_queues,
		 dev->inflight.queue_size);
	return 0;
}

void vhost_inflight_ring_forget(struct vhost_ring *r)
{
	free(r->resubmit);
	r->resubmit = NULL;
	memset(&r->vring.inflight, 0, sizeof(r->vring.inflight));
}

int vhost_inflight_ring_start(struct vhost_dev *dev, struct vhost_ring *r, uint16_t used_idx,
			      uint16_t *resubmit)
{
	struct vhost_vring_inflight *in = &r->vring.inflight;
	uint16_t index = r->vring.index;
	int n;

	vhost_inflight_ring_forget(r);
	*resubmit = 0;
	if (!dev->opts.ops->tracks_inflight || !dev->inflight.map.addr)
		return 0;
	if (index >= dev->inflight.num_queues || r->num > dev->inflight.queue_size) {
		vhost_warn(dev,
			   "vhost-user.rst \"Inflight I/O tracking\": vring %u of %u entries "
			   "has no region in a buffer of %u queues of %u entries",
			   index, r->num, dev->inflight.num_queues, dev->inflight.queue_size);
		return -EINVAL;
	}
	r->resubmit = calloc(r->num, sizeof(*r->resubmit));
	if (!r->resubmit)
		return -ENOMEM;
	in->region = vhost_inflight_queue(dev->inflight.map.addr, dev->inflight.queue_size, index);
	n = vhost_inflight_recover(in->region, dev->inflight.queue_size, (uint16_t)r->num, used_idx,
				   r->resubmit, &in->counter);
	if (n < 0) {
		vhost_inflight_ring_forget(r);
		return n;
	}
	in->resubmit = r->resubmit;
	in->nresubmit = (uint16_t)n;
	if (n)
		log_notice("vring %u: %d request(s) in flight at the last disconnect run again",
			   index, n);
	*resubmit = (uint16_t)n;
	return 0;
}
