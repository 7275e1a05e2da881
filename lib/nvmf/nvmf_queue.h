/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_NVMF_QUEUE_H
#define STORLAB_NVMF_QUEUE_H

/*
 * The submission and completion queue rings of the NVMe controller
 * emulation (NVMe Base 2.1 §3.3, §4.1, §4.2): rings in guest memory,
 * physically contiguous (CAP.CQR is 1), reached through the controller's
 * translation callback once, when the queue is created. Doorbells are read
 * from the caller's doorbell array (BAR0's sparse mmap area) or, for I/O
 * queues once Doorbell Buffer Config ran, from the host's shadow doorbell
 * buffer (Base §5.3.5 "Doorbell Buffer Config"), where the EventIdx is
 * written back.
 *
 * Threading: an SQ, the CQ it posts to and the interrupt decision belong
 * to the thread that polls them (a reactor; the admin queue's thread for
 * queue 0). Queues are created and deleted on the admin queue's thread,
 * and the frontend stops polling a queue before it is deleted (Delete I/O
 * SQ hands it the drain, see nvmf_admin.h).
 *
 * The translated rings stay valid while the DMA mappings that hold them
 * do: the frontend resets the controller before it unmaps a range a queue
 * uses (vfio-user DMA_UNMAP of memory in use).
 */

#include <stdbool.h>
#include <stdint.h>

#include "spec/nvme.h"

struct nvmf_ctrlr;

struct nvmf_cq {
	struct nvme_cqe *ring; /* NULL: no such queue */
	uint64_t gpa;	       /* where the host put it (nvmf_ctrlr_remap) */
	uint16_t size;	       /* entries */
	uint16_t head;	       /* the last valid head the host wrote */
	uint16_t tail;	       /* the next entry we post */
	uint8_t phase;	       /* the phase tag of the next post */
	bool ien;	       /* interrupts enabled */
	uint16_t iv;	       /* MSI-X vector */
	uint16_t nsq;	       /* submission queues that post here */
};

struct nvmf_sq {
	const struct nvme_sqe *ring; /* NULL: no such queue */
	uint64_t gpa;
	uint16_t size;
	uint16_t head; /* the next entry we fetch */
	uint16_t cqid;
	bool draining; /* Delete I/O SQ seen: nothing more is fetched */
};

/* What the caller tells the host after a post: fire MSI-X vector `vector`
 * (the caller owns the eventfds) if `fire`. */
struct nvmf_irq {
	bool fire;
	uint16_t vector;
};

/* A completion as lib/nvmf hands it around: status is NVME_SCT_SC(). */
struct nvmf_cpl {
	uint16_t cid;
	uint16_t status;
	uint32_t cdw0;
};

/*
 * Takes the next command of SQ sqid: copies the 64-byte entry into *sqe
 * (the guest's copy is read once; decode only *sqe). Returns 1 (a
 * command), 0 (the queue is empty), -ENOENT (no such queue, or it is being
 * deleted) or -EINVAL (the tail doorbell holds a value past the queue's
 * end: the Invalid Doorbell Write Value event is raised, Base §5.2.2, and
 * the queue is not read until the host writes a valid tail).
 */
int nvmf_sq_fetch(struct nvmf_ctrlr *c, uint16_t sqid, struct nvme_sqe *sqe);

/*
 * Posts cpl for a command fetched from SQ sqid on that SQ's CQ, with the
 * SQ's head, sqid and the phase tag (Base §4.2.4), and says in *irq whether
 * to interrupt (IEN, and the vector not masked by INTMS). Returns 0,
 * -EAGAIN (the CQ is full: post again once the host moved its head),
 * -ENOENT (no such SQ or CQ).
 */
int nvmf_cq_post(struct nvmf_ctrlr *c, uint16_t sqid, const struct nvmf_cpl *cpl,
		 struct nvmf_irq *irq);

/* ---- for nvmf_ctrlr.c and nvmf_admin.c (admin queue's thread) ---- */

/* Creates a queue of size entries whose ring is at gpa; 0 or -EFAULT (the
 * ring is not inside one DMA mapping). The caller checked the fields. */
int nvmf_queue_create_cq(struct nvmf_ctrlr *c, uint16_t qid, uint64_t gpa, uint16_t size, bool ien,
			 uint16_t iv);
int nvmf_queue_create_sq(struct nvmf_ctrlr *c, uint16_t qid, uint64_t gpa, uint16_t size,
			 uint16_t cqid);
void nvmf_queue_delete_sq(struct nvmf_ctrlr *c, uint16_t qid);
void nvmf_queue_delete_cq(struct nvmf_ctrlr *c, uint16_t qid);
/* Deletes every queue and turns shadow doorbells off (controller reset). */
void nvmf_queue_delete_all(struct nvmf_ctrlr *c);

/* The words of the doorbell array of a controller with n I/O queue pairs
 * (CAP.DSTRD 0: one 32-bit word each, SQ y tail at 2y, CQ y head at 2y+1). */
#define NVMF_DB_WORDS(n) (2u * ((unsigned)(n) + 1))

#endif
