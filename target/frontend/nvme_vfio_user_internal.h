/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_FRONTEND_NVME_VFIO_USER_INTERNAL_H
#define STORLAB_FRONTEND_NVME_VFIO_USER_INTERNAL_H

/* Shared by nvme_vfio_user*.c: the device (nvme_vfio_user.c), its PCI
 * config space (nvme_vfio_user_pci.c) and its I/O queues
 * (nvme_vfio_user_queue.c). */

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "nvmf/nvmf_admin.h"
#include "nvmf/nvmf_ctrlr.h"
#include "target/frontend/nvme_vfio_user.h"
#include "target/frontend/queue_engine.h"
#include "vfio-user/vfio_user_server.h"

/* PCI config space: the type-0 header and our capabilities (256 bytes). */
#define NVU_CFG_SIZE 256u
/* BAR4: the MSI-X table (16 bytes a vector) and, a page further on, the PBA
 * (PCI Local Bus 3.0 §6.8.2: both in a memory BAR). */
#define NVU_MSIX_PBA_OFF 0x8000u
#define NVU_MSIX_MAX	 2048u /* Table Size is 11 bits, 0's based */
#define NVU_BAR4_SIZE	 0x10000u

struct nvu_io;
struct nvme_vfu;

/* A drain of the I/O queues that waits for the one under way. */
struct nvu_drain {
	void (*then)(struct nvme_vfu *v);
	bool pause;
};

/* One I/O submission queue and the engine queue polling it. */
struct nvu_ioq {
	struct qe_queue qe;
	struct nvme_vfu *v;
	uint16_t sqid;
	bool running; /* started on its reactor, no stop answered yet */
	bool paused;  /* stopped by a quiesce: restarted by resume */
	struct nvmf_dma dma;
	/* Completions waiting for room in a full CQ (reactor). */
	struct nvmf_cpl *held;
	uint32_t nheld;
	struct nvmf_irq irq; /* the vector to fire at the end of the batch */
	struct nvme_vfu_counters cnt;
	/* Interrupt coalescing: completions that wait for an interrupt, and
	 * when it is due at the latest (0: none waits). */
	unsigned irq_npend;
	uint64_t irq_due_ns;
	/* Compare: one at a time, read into cmp_buf (MDTS bytes, made on
	 * first use). */
	uint8_t *cmp_buf;
	struct iovec cmp_iov;
	bool cmp_busy;
	/* Fetched and not started: a command waiting for what it needs (a
	 * free slot, cmp_buf, the fused gate), or a fused pair; nothing after
	 * it is fetched meanwhile. aborted: taken back by an Abort before it
	 * started; entered: the head was counted in writes (stash_ready),
	 * which its slot takes over in the same poll. */
	struct nvme_sqe stash[2];
	bool stash_aborted[2];
	unsigned nstash;
	bool entered;
	bool fused_busy; /* a fused pair under way (it holds the gate) */
	/* Commands that change data started and not completed (atomic: the
	 * fused gate of another reactor reads it). */
	uint32_t writes;
	bool deleting;		    /* Delete I/O SQ: its stop is out */
	struct nvmf_cpl delete_cpl; /* answered once drained */
};

/* An Abort under way on the reactor of the queue it names (Base §5.1.1). */
struct nvu_abort {
	struct nvme_vfu *v;
	struct qe_exec x;
	struct nvmf_cpl cpl; /* the Abort's */
	uint16_t cid;	     /* the command to take back */
	bool aborted;
	bool busy;
};

struct nvme_vfu {
	struct evloop *loop;
	struct vfio_user_server *srv;
	struct nvmf_ctrlr ctrlr;
	struct nvmf_ctrlr_props props;
	/* Two lists: the controller's and, during an update, the next one
	 * (nvmf_ctrlr_ns_swap compares them). */
	const struct nvmf_ns_props *ns_ptrs[2][NVMF_MAX_NS];
	struct nvmf_ns_list ns[2];
	unsigned ns_cur;
	void (*ns_done)(void *arg);
	void *ns_arg;
	struct bdev *bdevs[NVMF_MAX_NS];       /* the queues' channels go to */
	struct bdev *bdevs_next[NVMF_MAX_NS];  /* staged by an update */
	uint8_t bdev_of_nsid[NVMF_MAX_NS + 1]; /* index into bdevs */
	unsigned nbdevs;
	unsigned niov; /* iovecs of one command: MDTS / page + 1 */
	struct qe_placement place;
	/* BAR0 as a memfd: properties, then the doorbells (the host maps
	 * those; nvmf_ctrlr reads them in place). */
	int bar_fd;
	uint8_t *bar;
	uint64_t bar_size;
	uint8_t cfg[NVU_CFG_SIZE];
	uint8_t *bar4; /* MSI-X table and PBA, plain memory */
	int *irq_fds;  /* per MSI-X vector, -1 none; read by reactors */
	/* Replaced while I/O queues ran: closed once none runs. */
	int *stale_fds;
	unsigned nstale, stale_cap;
	struct nvu_ioq *ioq; /* by SQ id, [0] unused */
	struct nvme_vfu_counters admin_cnt;
	uint64_t enables; /* CC.EN 0 to 1: the admin queue's starts */
	/* The SQ whose fused Compare and Write holds back every command that
	 * changes data, 0 if none (atomic; nvme_vfio_user_queue.c). */
	uint16_t fused_sqid;
	/* nvmf_admin_exec() hands out ACL + 1 Aborts at most (nvmf_admin.h). */
	struct nvu_abort aborts[NVMF_ACL + 1];
	struct qe_ops ioq_ops;
	int64_t timer;
	/* Stopping the I/O queues: how many stops are out, and what next;
	 * drains asked for meanwhile wait their turn. */
	unsigned stops;
	void (*drained)(struct nvme_vfu *v);
	struct nvu_drain waiting[8];
	unsigned nwaiting;
	bool next_scheduled; /* drain_next() is on the loop */
	void (*quiesce_done)(void *arg);
	void *quiesce_arg;
	bool quiesced;
	void (*destroyed)(void *arg);
	void *destroyed_arg;
};

/* One more of counter *c, whose writer is the caller's thread (relaxed: a
 * statistics reader may be on another). */
static inline void nvu_count(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

/* Counts a posted completion of status status. */
static inline void nvu_count_cpl(struct nvme_vfu_counters *cnt, uint16_t status)
{
	nvu_count(&cnt->completions, 1);
	if (status)
		nvu_count(&cnt->errors, 1);
}

/* nvme_vfio_user_pci.c */
void nvu_pci_reset(struct nvme_vfu *v);
void nvu_pci_write(struct nvme_vfu *v, uint64_t off, const uint8_t *buf, uint32_t count);

/* nvme_vfio_user_queue.c (control thread) */
/* The I/O queues' engine ops: polled on every pass; a sleeping reactor
 * wakes every max_sleep_us to look at them if not 0. */
void nvu_ioq_ops_init(struct qe_ops *ops, unsigned max_sleep_us);
int nvu_ioq_init(struct nvme_vfu *v, struct nvu_ioq *q, uint16_t sqid);
void nvu_ioq_fini(struct nvu_ioq *q);
/* Starts I/O SQ q on the reactor of its CQ (SQs sharing a CQ share it). */
int nvu_ioq_start(struct nvu_ioq *q);
/* The queue is gone (deleted, reset): forgets what it fetched and had not
 * started. After its stop was answered. */
void nvu_ioq_forget(struct nvu_ioq *q);
/* On q's reactor: takes back command cid of q if it has not reached the
 * medium yet (Base §5.1.1); it then completes with Command Abort Requested.
 * Whether it did. */
bool nvu_ioq_abort(struct nvu_ioq *q, uint16_t cid);
/* Fires MSI-X vector iv (any thread). */
void nvu_irq_fire(struct nvme_vfu *v, uint16_t iv);

#endif
