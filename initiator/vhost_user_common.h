/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_INITIATOR_VHOST_USER_COMMON_H
#define STORLAB_INITIATOR_VHOST_USER_COMMON_H

/*
 * What the vhost-user transports (vhost_user_blk*.c, vhost_user_scsi*.c)
 * share beyond lib/vhost's set-up: the connection with the shared memory
 * as the memory table, its hang-up check, a split ring in guest memory,
 * and the wait of a queue's owner on its call eventfd. Not part of the
 * public API.
 */

#include <stdbool.h>
#include <stdint.h>

#include "initiator/internal.h"
#include "vhost/vhost.h"
#include "vhost/vhost_fe_setup.h"
#include "virtio/virtq.h"

/* Clears an eventfd (non-blocking; nothing signalled is fine). */
void vu_eventfd_drain(int fd);
void vu_eventfd_signal(int fd);

/* Connects to path for dev and runs lib/vhost's set-up with setup, whose
 * memory table it fills (dev's shared memory, one region per
 * dev->opts.ranges, into regions); first fills what every transport's
 * neutral info starts with (transport scheme, address, queues, memory).
 * 0 with *fe connected and set up, or a negative errno (logged; *fe
 * NULL). */
int vu_connect(struct storlab_dev *dev, const char *path, const char *scheme,
	       struct vhost_fe_setup_opts *setup, struct vhost_fe_region *regions,
	       struct vhost_fe **fe, struct vhost_fe_setup_state *st);

/*
 * A device that moves to another back-end (a migration's destination)
 * keeps its driver: its rings as they are, started at the bases the
 * source's GET_VRING_BASE gave, and the features they were laid out for.
 * bases is set only while vu_resume() runs.
 */
struct vu_resume {
	const uint16_t *bases; /* per ring; NULL: not moving */
	uint64_t features;     /* what the driver runs with */
};
/* Runs reconnect(ctx) (the transport's, which reads r) as the move to
 * bases; negotiated: the features of the connection left (0 after a move
 * that failed in its set-up: the driver still runs with what it had). */
int vu_resume(struct vu_resume *r, const uint16_t *bases, uint64_t negotiated,
	      int (*reconnect)(void *ctx), void *ctx);
/* In the set-up of a move: the destination acknowledged the features the
 * driver runs with (logged when not). */
bool vu_resume_features_ok(const struct storlab_dev *dev, const struct vu_resume *r,
			   uint64_t acked);

/*
 * In a set-up's prepare(): whether the rings resume as they are (*keep).
 * Requests kept in flight across a disconnect (kept: the device tracked
 * them) stay in their rings, which resume with the base QEMU gives after a
 * back-end crash, the used idx ("Inflight I/O tracking"); that needs the
 * in-flight buffer (inflight, which the connection before negotiated)
 * negotiated again and the features the rings were laid out for
 * (ring_features). Otherwise every ring starts anew and the buffer is
 * given up: the set-up asks for a new one (QEMU does so when the VM
 * resets). 0, or -ENOTSUP when kept requests cannot resume (logged; they
 * then fail as not connected: dev->keeps_inflight cleared).
 */
int vu_keep_decide(struct storlab_dev *dev, const struct vhost_fe_setup_state *st,
		   struct vhost_fe_inflight *inflight, uint64_t ring_features, bool kept,
		   bool *keep);
/* After a set-up: whether the device keeps its requests in flight across a
 * disconnect (dev->keeps_inflight): it has an in-flight buffer and the
 * back-end negotiated INFLIGHT_SHMFD. */
void vu_keeps_inflight_update(struct storlab_dev *dev, const struct vhost_fe_inflight *inflight,
			      const struct vhost_fe_setup_state *st);

/* Checks sock_fd without blocking; marks dev dead and returns true if the
 * back-end went away. Any thread. */
bool vu_check_hangup(struct storlab_dev *dev, int sock_fd);

/* A split ring of num entries at ring (zeroed here) with an indirect table
 * of indirect_max descriptors a head (indirect NULL: none), for the
 * negotiated features. 0 or what virtq_drv_init() returns (vq zeroed). */
int vu_ring_init(struct storlab_dev *dev, struct virtq_drv *vq, void *ring, uint16_t num,
		 void *indirect, uint16_t indirect_max, uint64_t features);

/* A queue's memory: in dev's shared memory a ring of num entries, its
 * indirect tables (chain_max descriptors a head) and num * slot_bytes for
 * what each request's chain carries besides the data; and its kick and
 * call eventfds. 0 or a negative errno (logged); what was made is in the
 * struct for vu_queue_mem_free(), which takes a zeroed one too. */
struct vu_queue_mem {
	void *ring;
	void *indirect;
	void *shared;
	int kick_fd;
	int call_fd;
};
int vu_queue_mem_alloc(struct storlab_dev *dev, uint16_t num, uint16_t chain_max, size_t slot_bytes,
		       struct vu_queue_mem *m);
void vu_queue_mem_free(struct storlab_dev *dev, struct vu_queue_mem *m);

/* Appends iov[] to bufs[*n] as guest addresses, counting their bytes into
 * *bytes: -EINVAL (an iovec over 4 GiB, a descriptor's len) or -EFAULT (not
 * library memory). Inlined: it is on every request's path. */
static inline __attribute__((always_inline)) int vu_add_iovs(const struct guestmem *mem,
							     struct virtq_buf *bufs, unsigned *n,
							     const struct iovec *iov, unsigned cnt,
							     uint64_t *bytes)
{
	for (unsigned i = 0; i < cnt; i++) {
		uint64_t gpa;

		if (iov[i].iov_len > UINT32_MAX)
			return -EINVAL;
		if (guestmem_gpa(mem, iov[i].iov_base, iov[i].iov_len, &gpa))
			return -EFAULT;
		bufs[(*n)++] = (struct virtq_buf){.addr = gpa, .len = (uint32_t)iov[i].iov_len};
		*bytes += iov[i].iov_len;
	}
	return 0;
}

/* Sleeps on call_fd (and sock_fd, for a hang-up) until the deadline (-1:
 * none), notifications asked for meanwhile (kept on if fd_enabled).
 * Returns 0 when woken (or when entries were used meanwhile), -ETIMEDOUT,
 * or a negative errno; *hangup says the socket woke it. */
int vu_ring_wait(struct virtq_drv *vq, int call_fd, int sock_fd, bool fd_enabled, int64_t deadline,
		 bool *hangup);

#endif
