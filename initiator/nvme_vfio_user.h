/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_INITIATOR_NVME_VFIO_USER_H
#define STORLAB_INITIATOR_NVME_VFIO_USER_H

/*
 * The nvme-vfio-user transport: an NVMe controller behind a vfio-user
 * socket (storlab-tgt's vfio-user NVMe frontend, SPDK's nvmf vfio-user
 * transport), driven by lib/nvme over lib/nvme's vfio-user transport with
 * the device's shared memory as DMA memory. One I/O queue pair per queue;
 * polled (queue_fd is -1); requests go to the first active namespace.
 */

#include "initiator/internal.h"
#include "nvme/nvme_host.h"
#include "nvme/nvme_vfio_user.h"
#include "storlab/nvme.h"

struct nvu_dev;

/* A request slot of a queue: its tag until the controller answers. */
struct nvu_req {
	struct nvu_queue *q;
	void *tag;
	uint32_t len;
	uint16_t next_free;
};

struct nvu_queue {
	struct storlab_queue head;
	struct nvu_dev *ndev;
	uint16_t qid;
	bool up; /* qp created on the controller */
	struct nvme_qpair qp;
	struct nvu_req *reqs;
	uint16_t nreqs, free_head, nfree;
	/* completions the callbacks made, waiting for reap: a ring of nreqs */
	struct storlab_completion *done;
	uint16_t done_head, ndone;
	/* a Dataset Management range per slot, DMA memory */
	struct nvme_dsm_range *dsm;
	unsigned idle_polls; /* empty polls since the last check of the controller */
	int efd;	     /* MSI-X vector qid's eventfd; -1: polled */
};

struct nvu_dev {
	struct storlab_dev *dev;
	struct nvme_vfu *vfu;
	struct nvme_ctrlr ctrlr;
	bool ctrlr_up;
	struct nvu_queue *queues;
	struct storlab_nvme_info nv;
};

/* nvme_vfio_user_queue.c */
int nvu_queue_init(struct nvu_dev *nd, uint16_t qid, struct nvu_queue *q);
void nvu_queue_fini(struct nvu_queue *q);
int nvu_queue_add(struct storlab_queue *head, const struct storlab_req *req);
int nvu_queue_submit(struct storlab_queue *head);
int nvu_queue_reap(struct storlab_queue *head, struct storlab_completion *c, unsigned min,
		   unsigned max, int timeout_ms);
unsigned nvu_queue_inflight(const struct storlab_queue *head);
int nvu_queue_fd(const struct storlab_queue *head);
void nvu_queue_set_fd_enabled(struct storlab_queue *head, bool enabled);

extern const struct initiator_transport g_transport_nvme_vfio_user;

#endif
