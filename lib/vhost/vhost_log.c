/* SPDX-License-Identifier: MIT */
/*
 * The dirty log's bit arithmetic, and the marks a device makes for the
 * writes of one ring (vhost_log.h). Everything here runs only while logging
 * is on; callers reach it through the inline checks of vhost_log.h.
 */
#define LOG_COMPONENT "vhost"

#include "vhost/vhost_log.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>

#include "spec/virtio.h"
#include "util/log.h"

bool vhost_log_covers(uint64_t size, uint64_t last)
{
	return last / VHOST_LOG_PAGE / 8 < size;
}

int vhost_log_mark(const struct vhost_log *log, uint64_t gpa, uint64_t len)
{
	uint64_t first, last;

	if (len == 0)
		return 0;
	first = gpa / VHOST_LOG_PAGE;
	/* A range that wraps is marked up to the top of the address space. */
	last = (len - 1 > UINT64_MAX - gpa ? UINT64_MAX : gpa + len - 1) / VHOST_LOG_PAGE;
	for (uint64_t page = first; page <= last; page++) {
		if (page / 8 >= log->size)
			return -ERANGE;
		/* vhost-user.rst "Migration": "Use atomic operations, as the log
		 * may be concurrently manipulated." Relaxed: the release store
		 * of the used idx orders the marks before the completion. */
		__atomic_fetch_or(&log->bits[page / 8], (uint8_t)(1u << (page % 8)),
				  __ATOMIC_RELAXED);
	}
	return 0;
}

/* A write the log cannot hold is still the front-end's problem to know of:
 * logged, rate-limited per ring, never written out of bounds. */
static void mark_gpa(struct vhost_vring *v, uint64_t gpa, uint64_t len, const char *what)
{
	if (vhost_log_mark(v->log, gpa, len) < 0)
		log_warn_ratelimited(&v->log_rl, "dirty log",
				     "vhost-user.rst \"Migration\": vring %u %s at 0x%" PRIx64
				     " (+%" PRIu64 ") lies past the log's %" PRIu64
				     " bytes: not marked",
				     v->index, what, gpa, len, v->log->size);
}

void vhost_vring_log_hva(struct vhost_vring *v, const void *hva, size_t len)
{
	uint64_t gpa;

	if (len == 0)
		return;
	if (mem_hva_to_gpa(v->vq.mem, hva, len, &gpa) < 0) {
		/* Cannot happen for buffers lib/virtio translated: said loudly. */
		log_warn_ratelimited(
		    &v->log_rl, "dirty log",
		    "vring %u: buffer %p (+%zu) is not in guest memory: not marked", v->index, hva,
		    len);
		return;
	}
	mark_gpa(v, gpa, len, "buffer");
}

void vhost_vring_log_iov(struct vhost_vring *v, const struct iovec *iov, unsigned cnt)
{
	for (unsigned i = 0; i < cnt; i++)
		vhost_vring_log_hva(v, iov[i].iov_base, iov[i].iov_len);
}

/* vhost-user.rst "Migration": "the write to first byte of the used ring is
 * logged at this offset from log start" (log_guest_addr). */
static void mark_used(struct vhost_vring *v, uint64_t offset, uint64_t len)
{
	if (v->log_used)
		mark_gpa(v, v->log_used_gpa + offset, len, "used ring");
}

void vhost_vring_log_used_entry(struct vhost_vring *v, uint16_t used_idx)
{
	uint16_t slot = used_idx & (uint16_t)(v->vq.num - 1);

	mark_used(v, offsetof(struct virtq_used, ring) + slot * sizeof(struct virtq_used_elem),
		  sizeof(struct virtq_used_elem));
	mark_used(v, offsetof(struct virtq_used, idx), sizeof(uint16_t));
}

void vhost_vring_log_kick(struct vhost_vring *v)
{
	/* virtio 1.2 §2.7.10: with EVENT_IDX the device writes avail_event,
	 * after the ring's num elements; else used->flags. */
	if (v->vq.event_idx)
		mark_used(v,
			  (uint64_t)((char *)virtq_avail_event(v->vq.used, v->vq.num) -
				     (char *)v->vq.used),
			  sizeof(uint16_t));
	else
		mark_used(v, offsetof(struct virtq_used, flags), sizeof(uint16_t));
}
