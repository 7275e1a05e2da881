/* SPDX-License-Identifier: MIT */
/*
 * Rings of the back-end: the per-ring messages, and the one rule that decides
 * when the device gets a ring (vhost-user.rst "Ring states"): a ring runs
 * while it has been kicked (SET_VRING_KICK, with an fd or NOFD for polling),
 * is enabled, has a size and addresses, and guest memory is mapped. Every
 * handler changes the ring's configuration (the dispatcher stopped the ring
 * first if the change is one a running ring must not see), then the
 * dispatcher calls vhost_rings_converge(), which starts or stops the ring so
 * that the rule holds.
 *
 * Stops and fd swaps are asked of the device and answered later
 * (vhost.h); ring_stopped() and ring_swapped() take the answer and call
 * vhost_dev_progress().
 */
#define LOG_COMPONENT "vhost"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/common.h"
#include "util/log.h"
#include "vhost/vhost_backend_internal.h"

void vhost_vring_notify(struct vhost_vring *vring)
{
	if (!virtq_dev_need_notify(&vring->vq))
		return;
	/* vhost-user.rst "Introduction": an 8-byte write signals eventfd and
	 * pipe alike. A full or gone notifier is the front-end's problem. */
	if (vring->call_fd >= 0)
		(void)eventfd_write(vring->call_fd, 1);
}

static bool ring_ready(const struct vhost_dev *dev, const struct vhost_ring *r)
{
	return r->kicked && r->enabled && r->num && r->addr_set && dev->mem->nregions > 0;
}

/* Bytes of each part of a split ring of num entries (virtio 1.2 §2.7): the
 * event fields after the rings exist only with VIRTIO_RING_F_EVENT_IDX. */
static void ring_part_sizes(uint64_t features, uint16_t num, uint64_t sizes[3])
{
	uint64_t no_event = (features & VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX)) ? 0 : sizeof(uint16_t);

	sizes[0] = virtq_desc_bytes(num);
	sizes[1] = virtq_avail_bytes(num) - no_event;
	sizes[2] = virtq_used_bytes(num) - no_event;
}

uint64_t vhost_ring_used_bytes(const struct vhost_dev *dev, uint32_t num)
{
	uint64_t sizes[3];

	ring_part_sizes(dev->features, (uint16_t)num, sizes);
	return sizes[2];
}

/* Translates the ring's front-end addresses into ours: desc, avail, used. */
static int ring_translate(struct vhost_dev *dev, const struct vhost_ring *r,
			  const struct vhost_user_vring_addr *addr, uint32_t num, void *hva[3])
{
	static const char *const part[3] = {"descriptor table", "available ring", "used ring"};
	const uint64_t uva[3] = {addr->desc_user_addr, addr->avail_user_addr, addr->used_user_addr};
	uint64_t sizes[3];

	ring_part_sizes(dev->features, (uint16_t)num, sizes);
	for (int i = 0; i < 3; i++) {
		hva[i] = mem_uva_to_hva(dev->mem, uva[i], sizes[i]);
		if (!hva[i]) {
			vhost_warn(dev, "vhost-user.rst \"Memory access\": vring %u %s at 0x%" PRIx64
				 " (%" PRIu64 " bytes) is not inside one memory region",
				 r->vring.index, part[i], uva[i], sizes[i]);
			return -EFAULT;
		}
	}
	return 0;
}

static int ring_start(struct vhost_dev *dev, struct vhost_ring *r)
{
	struct virtq_dev_config cfg = {
	    .layout = VIRTQ_LAYOUT_SPLIT,
	    .num = (uint16_t)r->num,
	    .mem = dev->mem,
	    .features = dev->features,
	    .last_avail_idx = r->base,
	};
	const char *logging;
	uint16_t resubmit = 0;
	void *hva[3];
	int ret;

	ret = ring_translate(dev, r, &r->addr, r->num, hva);
	if (ret == 0) {
		cfg.desc = hva[0];
		cfg.avail = hva[1];
		cfg.used = hva[2];
		ret = virtq_dev_init(&r->vring.vq, &cfg);
	}
	/* "Inflight I/O tracking": the front-end gives the base of a ring
	 * whose back-end crashed as its used idx (QEMU: GET_VRING_BASE failed,
	 * so the last avail idx is synced to the used idx); the heads still
	 * in flight were taken past it, and run again before the rest. The
	 * used idx is the one the checked ring read. */
	if (ret == 0)
		ret = vhost_inflight_ring_start(dev, r, r->vring.vq.used_idx, &resubmit);
	if (ret == 0 && resubmit) {
		cfg.last_avail_idx = (uint16_t)(r->base + resubmit);
		ret = virtq_dev_init(&r->vring.vq, &cfg);
	}
	if (ret == 0) {
		r->vring.kick_fd = r->kick_fd;
		r->vring.call_fd = r->call_fd;
		/* "Migration": the front-end starts and stops logging with
		 * VHOST_F_LOG_ALL, and the used ring's with VHOST_VRING_F_LOG;
		 * both change only while the ring is stopped. */
		r->vring.log = (dev->features & (1ULL << VHOST_F_LOG_ALL)) && dev->log.bits
				   ? &dev->log
				   : NULL;
		r->vring.log_used = r->addr.flags & (1u << VHOST_VRING_F_LOG);
		r->vring.log_used_gpa = r->addr.log_guest_addr;
		ret = dev->opts.ops->ring_start(dev->opts.ctx, &r->vring);
	}
	if (ret < 0) {
		vhost_warn(dev, "vring %u cannot start: %s", r->vring.index, strerror(-ret));
		/* SET_VRING_ERR's notifier exists to tell the front-end this. */
		if (r->err_fd >= 0)
			(void)eventfd_write(r->err_fd, 1);
		return ret;
	}
	r->started = true;
	/* Whether the ring logs: how a migration's dirty logging shows in our log. */
	logging = !r->vring.log ? "off" : r->vring.log_used ? "on, used ring too" : "on";
	log_debug("vring %u started: num %u base %u, dirty log %s", r->vring.index, r->num, r->base,
		  logging);
	return 0;
}

static struct vhost_ring *ring_of_vring(struct vhost_vring *vring)
{
	return (struct vhost_ring *)((char *)vring - offsetof(struct vhost_ring, vring));
}

/* The device's answer to ring_stop. */
static void ring_stopped(struct vhost_vring *vring)
{
	struct vhost_ring *r = ring_of_vring(vring);
	struct vhost_dev *dev = vring->dev;

	/* Where the device stopped is where it must resume ("Ring states").
	 * Heads of the resubmit list it did not take yet are still marked in
	 * flight: the next start adds them again ("Inflight I/O tracking"). */
	r->base = (uint16_t)(virtq_dev_last_avail_idx(&r->vring.vq) -
			     (r->vring.inflight.nresubmit - r->vring.inflight.resubmitted));
	r->started = false;
	r->stopping = false;
	dev->ring_ops--;
	log_debug("vring %u stopped at %u", r->vring.index, r->base);
	vhost_dev_progress(dev);
}

static void ring_stop(struct vhost_dev *dev, struct vhost_ring *r)
{
	r->stopping = true;
	dev->ring_ops++;
	dev->opts.ops->ring_stop(dev->opts.ctx, &r->vring, ring_stopped);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The device's answer to ring_swap_fds: the old fds are no longer used. */
static void ring_swapped(struct vhost_vring *vring)
{
	struct vhost_ring *r = ring_of_vring(vring);
	struct vhost_dev *dev = vring->dev;

	close_fd(&r->retired_kick_fd);
	close_fd(&r->retired_call_fd);
	dev->ring_ops--;
	vhost_dev_progress(dev);
}

/* A started ring takes new fds while it runs: the old one is retired and
 * closed once the device says its reactor let go of it. */
static void ring_swap(struct vhost_dev *dev, struct vhost_ring *r, int *slot, int *retired, int fd)
{
	*retired = *slot;
	*slot = fd;
	dev->ring_ops++;
	dev->opts.ops->ring_swap_fds(dev->opts.ctx, &r->vring, r->kick_fd, r->call_fd,
				     ring_swapped);
}

/* Starts or stops the ring so that it runs exactly when it is ready. */
static int ring_converge(struct vhost_dev *dev, struct vhost_ring *r)
{
	bool ready = ring_ready(dev, r);

	if (r->started && !ready && !r->stopping)
		ring_stop(dev, r);
	else if (!r->started && ready)
		return ring_start(dev, r);
	return 0;
}

static void ring_forget(struct vhost_ring *r)
{
	vhost_inflight_ring_forget(r);
	close_fd(&r->kick_fd);
	close_fd(&r->call_fd);
	close_fd(&r->err_fd);
	r->vring.kick_fd = -1;
	r->vring.call_fd = -1;
	r->num = 0;
	memset(&r->addr, 0, sizeof(r->addr));
	r->addr_set = false;
	r->base = 0;
	r->kicked = false;
	r->enabled = false;
}

void vhost_rings_init(struct vhost_dev *dev)
{
	for (uint16_t i = 0; i < VHOST_MAX_QUEUES; i++) {
		struct vhost_ring *r = &dev->rings[i];

		memset(r, 0, sizeof(*r));
		r->vring.index = i;
		r->vring.dev = dev;
		r->vring.kick_fd = -1;
		r->vring.call_fd = -1;
		r->kick_fd = -1;
		r->call_fd = -1;
		r->err_fd = -1;
		r->retired_kick_fd = -1;
		r->retired_call_fd = -1;
	}
}

void vhost_rings_forget(struct vhost_dev *dev)
{
	for (uint16_t i = 0; i < VHOST_MAX_QUEUES; i++)
		ring_forget(&dev->rings[i]);
}

uint64_t vhost_rings_started_mask(const struct vhost_dev *dev)
{
	uint64_t mask = 0;

	for (uint16_t i = 0; i < dev->opts.max_queues; i++) {
		if (dev->rings[i].started)
			mask |= 1ULL << i;
	}
	return mask;
}

unsigned vhost_rings_stop(struct vhost_dev *dev, uint64_t mask)
{
	unsigned n = 0;

	for (uint16_t i = 0; i < dev->opts.max_queues; i++) {
		struct vhost_ring *r = &dev->rings[i];

		if ((mask & (1ULL << i)) && r->started && !r->stopping) {
			ring_stop(dev, r);
			n++;
		}
	}
	return n;
}

int vhost_rings_converge(struct vhost_dev *dev, uint64_t mask, uint32_t index)
{
	int ret = 0;

	/* A ring that cannot start was logged; it waits for the next change. */
	for (uint16_t i = 0; i < dev->opts.max_queues; i++) {
		if (mask & (1ULL << i)) {
			int rc = ring_converge(dev, &dev->rings[i]);

			if (i == index)
				ret = rc;
		}
	}
	return ret;
}

uint16_t vhost_rings_started(const struct vhost_dev *dev)
{
	uint16_t n = 0;

	for (uint16_t i = 0; i < dev->opts.max_queues; i++)
		n += dev->rings[i].started;
	return n;
}

/* ------------------------------------------------------------------ */
/* Checks run before any ring stops, so that a refused request leaves   */
/* running rings alone; handlers run once the rings the request needs  */
/* stopped (the table in vhost_backend_msg.c says which). The          */
/* dispatcher checked sizes, fd counts and the index.                   */
/* ------------------------------------------------------------------ */

int vhost_check_set_vring_num(struct vhost_dev *dev, struct vhost_msg *msg)
{
	uint32_t num = msg->payload.state.num;

	if (!IS_POW2(num) || num > VIRTQ_MAX_SIZE) {
		vhost_warn(dev, "virtio 1.2 §2.7: vring %u size %u is not a power of 2 up to %u",
			   msg->payload.state.index, num, VIRTQ_MAX_SIZE);
		return -EINVAL;
	}
	return 0;
}

int vhost_h_set_vring_num(struct vhost_dev *dev, struct vhost_msg *msg)
{
	dev->rings[msg->payload.state.index].num = msg->payload.state.num;
	return 0;
}

int vhost_check_set_vring_addr(struct vhost_dev *dev, struct vhost_msg *msg)
{
	const struct vhost_user_vring_addr *addr = &msg->payload.addr;
	struct vhost_ring *r = &dev->rings[addr->index];
	uint32_t known = 0;
	void *hva[3];

	/* VHOST_VRING_F_LOG asks for the used ring's writes to be logged
	 * ("Migration"), which only a back-end offering VHOST_F_LOG_ALL does. */
	if (vhost_dev_offered_features(dev) & (1ULL << VHOST_F_LOG_ALL))
		known = 1u << VHOST_VRING_F_LOG;
	if (addr->flags & ~known) {
		vhost_warn(dev, "vhost-user.rst \"A vring address description\": vring %u flags "
			   "0x%x: only VHOST_VRING_F_LOG is defined, and only with VHOST_F_LOG_ALL "
			   "offered (%s)",
			   addr->index, addr->flags, known ? "it is" : "it is not");
		return -ENOTSUP;
	}
	if ((addr->flags & known) && dev->log.bits && r->num &&
	    vhost_log_check_used(dev, addr, r->num, dev->log.size))
		return -ERANGE;
	if (addr->desc_user_addr % VIRTQ_DESC_ALIGN || addr->avail_user_addr % VIRTQ_AVAIL_ALIGN ||
	    addr->used_user_addr % VIRTQ_USED_ALIGN) {
		vhost_warn(dev, "virtio 1.2 §2.7.1: vring %u addresses desc 0x%" PRIx64
			   " avail 0x%" PRIx64 " used 0x%" PRIx64 " break the %u/%u/%u alignment",
			   addr->index, addr->desc_user_addr, addr->avail_user_addr,
			   addr->used_user_addr, VIRTQ_DESC_ALIGN, VIRTQ_AVAIL_ALIGN,
			   VIRTQ_USED_ALIGN);
		return -EINVAL;
	}
	/* Refuse now what could never be translated; the ring translates
	 * again when it starts, against the memory table of that moment. */
	if (dev->mem->nregions && r->num && ring_translate(dev, r, addr, r->num, hva))
		return -EFAULT;
	return 0;
}

int vhost_h_set_vring_addr(struct vhost_dev *dev, struct vhost_msg *msg)
{
	struct vhost_ring *r = &dev->rings[msg->payload.addr.index];

	r->addr = msg->payload.addr;
	r->addr_set = true;
	return 0;
}

int vhost_check_set_vring_base(struct vhost_dev *dev, struct vhost_msg *msg)
{
	uint32_t base = msg->payload.state.num;

	if (base > UINT16_MAX) {
		vhost_warn(dev, "virtio 1.2 §2.7.6: vring %u base %u: a split ring index has 16 bits",
			   msg->payload.state.index, base);
		return -EINVAL;
	}
	return 0;
}

int vhost_h_set_vring_base(struct vhost_dev *dev, struct vhost_msg *msg)
{
	dev->rings[msg->payload.state.index].base = (uint16_t)msg->payload.state.num;
	return 0;
}

int vhost_h_get_vring_base(struct vhost_dev *dev, struct vhost_msg *msg)
{
	struct vhost_ring *r = &dev->rings[msg->payload.state.index];
	struct vhost_user_vring_state state;

	/* vhost-user.rst "Ring states": GET_VRING_BASE stops the ring (the
	 * dispatcher waited for that: every request the device took is in the
	 * used ring); only a new kick starts it again. */
	r->kicked = false;
	close_fd(&r->kick_fd);
	state.index = r->vring.index;
	state.num = r->base;
	vhost_dev_reply(dev, msg->hdr.request, &state, sizeof(state));
	return 0;
}

/*
 * SET_VRING_KICK/CALL/ERR payload: bits 0-7 the index, bit 8 NOFD. With NOFD
 * there is no fd, without it exactly one.
 */
int vhost_check_ring_fd(struct vhost_dev *dev, struct vhost_msg *msg)
{
	uint64_t v = msg->payload.u64;
	bool nofd = v & VHOST_USER_VRING_NOFD_MASK;
	const char *name = vhost_msg_request_name(msg->hdr.request);

	if (v & ~(VHOST_USER_VRING_IDX_MASK | VHOST_USER_VRING_NOFD_MASK))
		vhost_finding(dev, "vhost-user.rst \"%s\": undefined bits in 0x%" PRIx64, name, v);
	if (msg->nfds != (nofd ? 0u : 1u)) {
		vhost_warn(dev, "vhost-user.rst \"%s\": invalid-FD flag %s but %u fds", name,
			   nofd ? "set" : "clear", msg->nfds);
		return -EINVAL;
	}
	return 0;
}

/* Takes the fd the check allowed (or -1 for NOFD) out of msg. */
static int take_ring_fd(struct vhost_msg *msg)
{
	int fd = -1;

	if (msg->nfds) {
		fd = msg->fds[0];
		msg->fds[0] = -1;
	}
	return fd;
}

static struct vhost_ring *ring_of_u64(struct vhost_dev *dev, const struct vhost_msg *msg)
{
	return &dev->rings[msg->payload.u64 & VHOST_USER_VRING_IDX_MASK];
}

/* A new fd for slot (the ring's kick or call fd): swapped into the running
 * ring, or simply kept if the ring is stopped (the dispatcher stopped it if
 * the device cannot swap). */
static void ring_set_fd(struct vhost_dev *dev, struct vhost_ring *r, int *slot, int *retired,
			int fd)
{
	if (r->started) {
		ring_swap(dev, r, slot, retired, fd);
		return;
	}
	close_fd(slot);
	*slot = fd;
}

int vhost_h_set_vring_kick(struct vhost_dev *dev, struct vhost_msg *msg)
{
	struct vhost_ring *r = ring_of_u64(dev, msg);

	ring_set_fd(dev, r, &r->kick_fd, &r->retired_kick_fd, take_ring_fd(msg));
	/* "Ring states": the kick starts the ring (libvhost-user and DPDK
	 * take the message itself as the kick). Without
	 * VHOST_USER_F_PROTOCOL_FEATURES it starts enabled. */
	r->kicked = true;
	if (!(dev->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)))
		r->enabled = true;
	return 0;
}

int vhost_h_set_vring_call(struct vhost_dev *dev, struct vhost_msg *msg)
{
	struct vhost_ring *r = ring_of_u64(dev, msg);

	/* QEMU changes the call fd of running rings (interrupt masking). A
	 * reactor may be signalling the old fd right now: it is closed only
	 * once the device answered that its reactor uses the new one. */
	ring_set_fd(dev, r, &r->call_fd, &r->retired_call_fd, take_ring_fd(msg));
	return 0;
}

int vhost_h_set_vring_err(struct vhost_dev *dev, struct vhost_msg *msg)
{
	struct vhost_ring *r = ring_of_u64(dev, msg);

	/* Only the control thread signals it: no need to stop the ring. */
	close_fd(&r->err_fd);
	r->err_fd = take_ring_fd(msg);
	return 0;
}

int vhost_check_set_vring_enable(struct vhost_dev *dev, struct vhost_msg *msg)
{
	uint32_t enable = msg->payload.state.num;

	if (enable > 1) {
		vhost_warn(dev, "vhost-user.rst \"VHOST_USER_SET_VRING_ENABLE\": vring %u value %u "
			   "is neither 0 nor 1",
			   msg->payload.state.index, enable);
		return -EINVAL;
	}
	return 0;
}

int vhost_h_set_vring_enable(struct vhost_dev *dev, struct vhost_msg *msg)
{
	if (!(dev->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)))
		vhost_finding(dev, "vhost-user.rst \"VHOST_USER_SET_VRING_ENABLE\": sent without "
				   "VHOST_USER_F_PROTOCOL_FEATURES negotiated");
	/* Disabling a running ring stops it after this (vhost_rings_converge):
	 * the flag is ours, not the ring's. */
	dev->rings[msg->payload.state.index].enabled = msg->payload.state.num;
	return 0;
}
