/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_VHOST_VHOST_LOG_H
#define STORLAB_VHOST_VHOST_LOG_H

/*
 * Dirty logging (vhost-user.rst "Migration"): while a front-end migrates,
 * every write the back-end makes into guest memory is marked in a bitmap the
 * front-end shares (SET_LOG_BASE), one bit per 4 KiB guest page:
 *
 *   page = addr / VHOST_LOG_PAGE;  log[page / 8] |= 1 << page % 8
 *
 * with atomic ORs, as the front-end reads and clears the log while rings run.
 *
 * Two levels:
 *   struct vhost_log     the bitmap and its bounds (pure arithmetic; the
 *                        unit tests drive it on a plain buffer).
 *   vhost_vring_log_*()  what a device calls on its reactor for the writes
 *                        it makes through one ring: guest buffers (HVA
 *                        iovecs, translated back to guest addresses) and the
 *                        used ring (offsets from the ring's log_guest_addr).
 *
 * A device that logs says so (struct vhost_dev_ops.logs_writes); only then
 * does lib/vhost offer VHOST_F_LOG_ALL and VHOST_USER_PROTOCOL_F_LOG_SHMFD.
 * lib/vhost sets vring->log and friends while the ring is stopped, so a
 * reactor reads them without locks. With logging off the data path pays one
 * predictable branch (vhost_vring_logging); the work is out of line.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "mem/mem.h"
#include "util/common.h"
#include "vhost/vhost.h"

/* vhost-user.rst "Migration": dirty pages are of size 0x1000. */
#define VHOST_LOG_PAGE 0x1000ULL

struct vhost_log {
	uint8_t *bits;	    /* byte 0 holds guest pages 0..7; NULL: no log */
	uint64_t size;	    /* bytes of bitmap */
	struct mem_map map; /* the front-end's fd, mapped (zero for a plain buffer) */
};

/* Marks every page of [gpa, gpa + len) (len 0: none) with atomic ORs.
 * Pages past the end of the log (or of the address space) are not marked:
 * returns 0 when all were, -ERANGE otherwise. Any thread. */
int vhost_log_mark(const struct vhost_log *log, uint64_t gpa, uint64_t len);
/* Whether a log of size bytes has a bit for the page of address last. */
bool vhost_log_covers(uint64_t size, uint64_t last);

/* ------------------------------------------------------------------ */
/* A ring's writes (reactor thread of the ring)                        */
/* ------------------------------------------------------------------ */

/* Whether the ring's writes must be logged: VHOST_F_LOG_ALL negotiated and
 * a log set. The one branch the data path pays when logging is off. */
static inline bool vhost_vring_logging(const struct vhost_vring *v)
{
	return unlikely(v->log != NULL);
}

/* The device wrote these guest buffers (HVA iovecs from a popped chain). */
void vhost_vring_log_iov(struct vhost_vring *v, const struct iovec *iov, unsigned cnt);
void vhost_vring_log_hva(struct vhost_vring *v, const void *hva, size_t len);
/* The device writes (or wrote) used ring entry used_idx (free-running) and
 * the used idx: marked when the ring's used ring is logged
 * (VHOST_VRING_F_LOG), at log_guest_addr + their offsets. */
void vhost_vring_log_used_entry(struct vhost_vring *v, uint16_t used_idx);

/* virtq_dev_set_kick, with its write of used->flags or avail_event logged. */
void vhost_vring_log_kick(struct vhost_vring *v);
static inline void vhost_vring_set_kick(struct vhost_vring *v, bool enabled)
{
	virtq_dev_set_kick(&v->vq, enabled);
	if (vhost_vring_logging(v))
		vhost_vring_log_kick(v);
}

#endif
