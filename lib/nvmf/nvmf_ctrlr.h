/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_NVMF_CTRLR_H
#define STORLAB_NVMF_CTRLR_H

/*
 * The NVMe PCIe controller core: the register model of BAR0 (NVMe Base
 * 2.1 §3.1.4 "Controller Properties", NVMe over PCIe Transport 1.1 §3.1),
 * the enable, reset and shutdown transitions (Base §3.5, §3.6, §3.7), the
 * queues (nvmf_queue.h), the admin commands (nvmf_admin.h) and features
 * (nvmf_feat.h). Pure code: no bdev, thread, socket or clock of its own.
 *
 * The frontend (vfio-user today) calls nvmf_ctrlr_read()/write() for each
 * REGION_READ/REGION_WRITE of BAR0 on its control thread. The doorbells
 * live in an array the frontend provides (a sparse mmap area of BAR0, so
 * the host writes them without a message); a REGION_WRITE to a doorbell
 * lands in the same array.
 *
 * Reset and shutdown are asynchronous: the write that starts one returns
 * NVMF_CTRLR_EV_RESET or NVMF_CTRLR_EV_SHUTDOWN; the frontend stops
 * fetching, completes or takes back what is in flight, then calls
 * nvmf_ctrlr_reset_done() or nvmf_ctrlr_shutdown_done(). Until then CSTS
 * says the transition is under way (RDY still 1, SHST 01b).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvmf/nvmf_admin_aer.h"
#include "nvmf/nvmf_feat.h"
#include "nvmf/nvmf_log.h"
#include "nvmf/nvmf_props.h"
#include "nvmf/nvmf_prp.h"
#include "nvmf/nvmf_queue.h"

/* The version this controller reports (VS, and Identify VER). */
#define NVMF_CTRLR_VS NVME_VS_2_1
/* CAP.TO, in 500 ms units: how long the host waits for RDY. */
#define NVMF_CTRLR_TO 20
/* CAP.MPSMAX: pages up to 64 KiB. */
#define NVMF_CTRLR_MPSMAX 4
/* What Identify Controller says of this core (the builder fills them in):
 * SQES/CQES required = maximum = 64/16 bytes; ONCS: Get Features SEL and
 * Set Features SV are decoded, Timestamp exists; OAES: Namespace Attribute
 * Notices are sent; ACL is NVMF_ACL (nvmf_admin.h); AERL, VWC and OACS
 * bit 8 come from the props. */
#define NVMF_CTRLR_SQES (NVME_SQES << 4 | NVME_SQES)
#define NVMF_CTRLR_CQES (NVME_CQES << 4 | NVME_CQES)
#define NVMF_CTRLR_ONCS (NVME_CTRL_ONCS_FEATURES_SEL | NVME_CTRL_ONCS_TIMESTAMP)
#define NVMF_CTRLR_OAES NVME_CTRL_OAES_NS_ATTR

struct nvmf_ctrlr_params {
	const struct nvmf_ctrlr_props *props;
	const struct nvmf_ns_list *ns; /* NULL: none yet */
	/* NVMF_DB_WORDS(props->max_io_queues) words, zeroed, the caller's,
	 * alive until nvmf_ctrlr_fini(). */
	uint32_t *db;
	/* Guest memory, as in nvmf_prp.h. */
	nvmf_dma_xlate_fn xlate;
	void *xlate_arg;
	/* Milliseconds of a monotonic clock (the Timestamp feature). */
	uint64_t (*now_ms)(void *arg);
	void *now_arg;
	/* The SMART / Health counters, summed over the I/O queues when the
	 * host reads the page; NULL: all zero. */
	void (*smart)(void *arg, struct nvmf_smart_counters *out);
	void *smart_arg;
};

/* Pending transitions: the frontend drains, then calls the _done(). */
#define NVMF_PENDING_RESET    (1u << 0)
#define NVMF_PENDING_SHUTDOWN (1u << 1)

/* The fields are lib/nvmf's; a frontend uses the functions. */
struct nvmf_ctrlr {
	const struct nvmf_ctrlr_props *props;
	const struct nvmf_ns_list *ns; /* atomic, see nvmf_ctrlr_ns_swap() */
	uint32_t *db;
	struct nvmf_dma dma; /* rings and admin data: PRPs, CC.MPS pages */
	uint64_t (*now_ms)(void *arg);
	void *now_arg;
	void (*smart)(void *arg, struct nvmf_smart_counters *out);
	void *smart_arg;
	struct nvmf_log log; /* Error Information, Changed Namespace List */
	/* properties */
	uint64_t cap;
	uint32_t cc;
	uint32_t csts;
	uint32_t aqa;
	uint32_t intms; /* vectors 31:0 masked */
	uint64_t asq;
	uint64_t acq;
	unsigned pending; /* NVMF_PENDING_* */
	/* queue y at [y], 0 the admin queue */
	struct nvmf_sq *sq;
	struct nvmf_cq *cq;
	/* Doorbell Buffer Config: NULL when off */
	uint32_t *shadow_db;
	uint32_t *eventidx;
	uint64_t shadow_gpa, eventidx_gpa;
	struct nvmf_feats feat;
	struct nvmf_aer aer;
	unsigned aborts; /* Abort commands handed to the frontend */
	struct log_ratelimit log_rl;
};

/* Builds a disabled controller; 0, -EINVAL (props out of range) or -ENOMEM. */
int nvmf_ctrlr_init(struct nvmf_ctrlr *c, const struct nvmf_ctrlr_params *p);
void nvmf_ctrlr_fini(struct nvmf_ctrlr *c);

/* BAR0's size: the properties and the doorbells, a power of two. */
uint64_t nvmf_ctrlr_bar0_size(const struct nvmf_ctrlr *c);

/* What a register write asks of the frontend (bits of the return value). */
#define NVMF_CTRLR_EV_ENABLE   (1u << 0) /* the admin queue is live: poll it */
#define NVMF_CTRLR_EV_RESET    (1u << 1) /* drain, then nvmf_ctrlr_reset_done() */
#define NVMF_CTRLR_EV_SHUTDOWN (1u << 2) /* drain, then nvmf_ctrlr_shutdown_done() */
#define NVMF_CTRLR_EV_FATAL    (1u << 3) /* CSTS.CFS set: the enable failed */
#define NVMF_CTRLR_EV_DOORBELL (1u << 4) /* a doorbell was written: poll */

/*
 * A read or write of size bytes at BAR0 offset off, buf little-endian.
 * Properties take aligned 4-byte accesses, and 8-byte ones at CAP, ASQ and
 * ACQ; doorbells 4-byte writes. Returns -EINVAL for any other access
 * (nothing changed); a write returns NVMF_CTRLR_EV_* bits (>= 0).
 */
int nvmf_ctrlr_read(struct nvmf_ctrlr *c, uint64_t off, void *buf, size_t size);
int nvmf_ctrlr_write(struct nvmf_ctrlr *c, uint64_t off, const void *buf, size_t size);

/* The frontend drained after NVMF_CTRLR_EV_RESET: the queues are gone, the
 * features back to their defaults, CSTS.RDY 0. If the host already wrote
 * CC.EN 1 again, the enable runs now: returns NVMF_CTRLR_EV_* bits. */
int nvmf_ctrlr_reset_done(struct nvmf_ctrlr *c);
/* The frontend drained after NVMF_CTRLR_EV_SHUTDOWN: CSTS.SHST 10b. */
void nvmf_ctrlr_shutdown_done(struct nvmf_ctrlr *c);

/*
 * The host changed its DMA mappings (vfio-user DMA_MAP / DMA_UNMAP), with
 * every queue stopped: translates again every ring and doorbell buffer,
 * which were translated once, at creation. Returns 0; or -EFAULT when one
 * is no longer inside a mapping (the host unmapped memory in use), and
 * then the controller is in fatal state (Base §3.1.4.6 CSTS.CFS: its
 * queues must not be polled until the host resets it).
 */
int nvmf_ctrlr_remap(struct nvmf_ctrlr *c);

/* CSTS.RDY: the queues may be polled. */
bool nvmf_ctrlr_ready(const struct nvmf_ctrlr *c);

/*
 * Namespace attach/detach on a running controller: makes list the active
 * namespaces (readers on reactors see the old or the new list whole) and
 * raises Namespace Attribute Changed if the controller is enabled. Returns the old list, which the
 * caller frees once no reactor can still hold it. The Changed Namespace
 * List log is built by the log page code from the two lists.
 */
const struct nvmf_ns_list *nvmf_ctrlr_ns_swap(struct nvmf_ctrlr *c,
					      const struct nvmf_ns_list *list);
const struct nvmf_ns_list *nvmf_ctrlr_ns(const struct nvmf_ctrlr *c);

#endif
