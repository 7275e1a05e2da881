/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_NVME_HOST_H
#define STORLAB_NVME_HOST_H

/*
 * The NVMe host driver core: brings a controller up as NVMe Base 2.1
 * §3.5.1 "Memory-based Controller Initialization" says, runs its admin
 * queue, creates I/O queue pairs and submits commands with PRPs, over a
 * small transport interface (struct nvme_transport_ops) that a vfio-user
 * socket, a kernel VFIO device or a test's in-process controller fills.
 *
 * The controller is not trusted: every completion queue entry and every
 * Identify field the driver uses is checked; a refusal is a negative errno
 * and one log line citing the rule (rate limited where the controller can
 * repeat it at will).
 *
 * Threading: a controller's admin calls (init, queue creation, shutdown)
 * from one thread; an I/O queue pair from the one thread that polls it.
 * Abort commands a queue pair sends after a timeout go to the admin queue,
 * so a caller that polls I/O queue pairs on other threads sets
 * io_timeout_ms to 0 (no timeouts) or polls them on the admin thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "spec/nvme.h"
#include "util/log_ratelimit.h"

/* Memory the controller can reach: our address and its bus address. */
struct nvme_dma_buf {
	void *va;
	uint64_t bus;
	size_t len;
};

/*
 * What a transport gives the driver. Register offsets are BAR0 offsets;
 * values are in host byte order (the transport converts to the
 * little-endian wire). Each returns 0 or a negative errno.
 */
struct nvme_transport_ops {
	/* A 4- or 8-byte property read or write (NVMe PCIe Transport §3.1). */
	int (*reg_read)(void *arg, uint32_t off, void *val, size_t size);
	int (*reg_write)(void *arg, uint32_t off, const void *val, size_t size);
	/* A doorbell write (a mapped page, or a register write). */
	int (*doorbell)(void *arg, uint32_t off, uint32_t value);
	/* len bytes (a multiple of 4 KiB) of zeroed, 4 KiB aligned DMA memory. */
	int (*dma_alloc)(void *arg, size_t len, struct nvme_dma_buf *buf);
	void (*dma_free)(void *arg, struct nvme_dma_buf *buf);
	/* The bus address of [va, va + len), which the caller's DMA memory holds. */
	int (*dma_addr)(void *arg, const void *va, size_t len, uint64_t *bus);
};

/* How a command ended, for its callback. */
struct nvme_cpl {
	int err;	 /* 0: the controller completed it; -ETIMEDOUT; -ECANCELED */
	uint16_t status; /* NVME_SCT_SC(), err 0 only */
	bool dnr;	 /* Do Not Retry */
	uint32_t cdw0;
};

typedef void (*nvme_cb_fn)(void *arg, const struct nvme_cpl *cpl);

/* A command slot of a queue pair; cid is its index. */
struct nvme_req {
	nvme_cb_fn cb;
	void *arg;
	int64_t deadline_ms; /* -1: none */
	uint8_t state;	     /* enum nvme_req_state (nvme_qpair.c) */
	struct nvme_dma_buf prp_list; /* nvme_prp_list_pages(max_xfer) pages */
};

struct nvme_ctrlr;

struct nvme_qpair {
	struct nvme_ctrlr *ctrlr;
	uint16_t qid;
	uint16_t size; /* entries of each ring */
	struct nvme_dma_buf sq_mem, cq_mem;
	struct nvme_sqe *sq;
	volatile struct nvme_cqe *cq;
	uint16_t sq_tail;
	uint16_t sq_head; /* as the last CQE said */
	uint16_t cq_head;
	uint8_t phase;
	uint16_t inflight;     /* slots not free (timed-out ones included) */
	struct nvme_req *reqs; /* size - 1 */
	uint16_t *free;	       /* stack of free cids */
	uint16_t nfree;
	int timeout_ms; /* per command; 0: none */
	uint64_t bad_cqes;
	struct log_ratelimit rl;
};

struct nvme_ctrlr_opts {
	uint16_t io_queues;	/* I/O queue pairs wanted (granted may be fewer) */
	uint16_t io_queue_size; /* entries; capped by CAP.MQES */
	int admin_timeout_ms;	/* each admin command; 0: 5000 */
	int io_timeout_ms;	/* each I/O command; 0: none */
	/* I/O data as SGLs (Base §4.3.2), not PRPs; init fails -EOPNOTSUPP
	 * when Identify Controller SGLS says the controller has none. Admin
	 * commands keep PRPs (NVMe over PCIe). */
	bool sgl;
	/* I/O CQs created with IEN 1 and interrupt vector qid (Base §5.2.2
	 * Create I/O Completion Queue); the transport wires the vectors. */
	bool interrupts;
};

/* What the driver learned of the controller and its first namespace. */
struct nvme_ctrlr_info {
	uint32_t vs;
	uint16_t vid;
	char sn[21], mn[41], fr[9];
	uint32_t nn;
	uint64_t max_xfer;	/* bytes, from MDTS (NVME_HOST_MAX_XFER at most) */
	uint16_t io_queues;	/* of those asked for, granted by Number of Queues */
	uint16_t max_io_queues; /* what Number of Queues allocated */
	uint16_t io_queue_size;
	uint32_t nsid; /* the first active namespace, 0: none */
	uint32_t block_size;
	uint64_t num_blocks;
	uint16_t oncs;
	uint8_t vwc;
	uint32_t sgls; /* Identify Controller SGLS */
};

struct nvme_ctrlr {
	const struct nvme_transport_ops *ops;
	void *arg;
	struct nvme_ctrlr_opts opts;
	uint64_t cap;
	uint32_t dstrd;
	uint32_t to_ms; /* CAP.TO */
	struct nvme_qpair admin;
	struct nvme_dma_buf idbuf; /* Identify data */
	struct nvme_ctrlr_info info;
	struct log_ratelimit rl;
};

/* The host memory page size this driver uses (CC.MPS 0), the PRP list
 * entries of one list page (Base §4.3.1 chains pages for more), and the
 * longest transfer we issue when MDTS sets no limit. */
#define NVME_HOST_PAGE	   4096u
#define NVME_HOST_PRP_ENTS (NVME_HOST_PAGE / 8)
#define NVME_HOST_MAX_XFER (4u << 20)

/* ---- controller (nvme_ctrlr.c, nvme_ctrlr_init.c) ---- */

/*
 * Resets the controller and brings it up: admin queue, Identify
 * Controller, the active namespace list and the first namespace, Number
 * of Queues. 0 or a negative errno, nothing left behind:
 *   -ETIMEDOUT  CSTS.RDY did not follow CC.EN within CAP.TO, or a command
 *               got no answer;
 *   -EIO        CSTS.CFS, or an admin command failed;
 *   -EPROTO     the controller broke a rule (logged);
 *   -EOPNOTSUPP it lacks what we need (NVM command set, 4 KiB pages).
 */
int nvme_ctrlr_init(struct nvme_ctrlr *c, const struct nvme_transport_ops *ops, void *arg,
		    const struct nvme_ctrlr_opts *opts);
/* Normal shutdown (CC.SHN 01b, Base §3.6.1), then frees what init made.
 * The I/O queue pairs must be destroyed first. */
void nvme_ctrlr_fini(struct nvme_ctrlr *c);

/* Whether the controller is still there and well: CSTS read, CFS clear
 * (Base §3.1.4.6). 0, -EIO (CFS, logged), or the transport's error. From
 * any thread if the transport's reg_read may be called so. */
int nvme_ctrlr_check(struct nvme_ctrlr *c);

/* CC.EN 0 and CSTS.RDY 0 within CAP.TO (Base §3.5.2); 0 or -ETIMEDOUT. */
int nvme_ctrlr_disable(struct nvme_ctrlr *c);

/* Creates I/O queue pair qid (1 .. info.io_queues) of info.io_queue_size
 * entries: Create I/O CQ, then Create I/O SQ (Base §5.3.1, §5.3.2). */
int nvme_ctrlr_qpair_create(struct nvme_ctrlr *c, uint16_t qid, struct nvme_qpair *qp);
/* Deletes it (SQ, then CQ); commands still in flight end with -ECANCELED. */
void nvme_ctrlr_qpair_destroy(struct nvme_ctrlr *c, struct nvme_qpair *qp);

/*
 * Runs one admin command and waits for it (admin_timeout_ms): data, if
 * not NULL, is len bytes (<= 4096) of the Identify buffer's kind (PRP1).
 * 0 with *cdw0, -ETIMEDOUT, -EIO (an error status, logged), or -EPROTO.
 */
int nvme_admin_sync(struct nvme_ctrlr *c, struct nvme_sqe *sqe, const struct nvme_dma_buf *data,
		    uint32_t *cdw0);

/* The same, but a completion with an error status is the caller's to
 * judge (nothing logged): 0 with *cpl (err 0), or -ETIMEDOUT / -EPROTO /
 * the submit's error. */
int nvme_admin_run(struct nvme_ctrlr *c, struct nvme_sqe *sqe, const struct nvme_dma_buf *data,
		   struct nvme_cpl *cpl);

/* nvme_ctrlr_init()'s steps once CSTS.RDY is 1 (Base §3.5.1 steps 7-9):
 * Identify Controller, the first active namespace, Number of Queues. */
int nvme_admin_setup(struct nvme_ctrlr *c);

/* ---- Identify data checks (nvme_identify.c), pure ---- */

/* Base §5.2.13.2.1: SQES/CQES allow 64/16-byte entries, MDTS in range.
 * Fills info's controller fields; 0 or -EPROTO / -EOPNOTSUPP (logged). */
int nvme_identify_ctrl_check(const struct nvme_id_ctrl *id, uint64_t cap,
			     struct nvme_ctrlr_info *info);
/* Base §5.2.13.2.2: the first NSID of an active list (ascending, each in
 * 1 .. nn); 0 with *nsid (0: the list is empty) or -EPROTO. */
int nvme_identify_ns_list_check(const uint32_t *list, uint32_t nn, uint32_t *nsid);
/* NVM CS §4.1.5.1: FLBAS within NLBAF, LBADS 9 .. 16, no metadata, NSZE
 * >= 1. Fills info's block_size and num_blocks; 0, -EPROTO, -EOPNOTSUPP. */
int nvme_identify_ns_check(const struct nvme_id_ns *id, struct nvme_ctrlr_info *info);

/* ---- queue pairs (nvme_qpair.c) ---- */

/* Rings and slots of a queue of size entries (2 .. 4096), each slot with
 * the PRP list pages a transfer of c->info.max_xfer needs. 0, -ENOMEM. */
int nvme_qpair_init(struct nvme_qpair *qp, struct nvme_ctrlr *c, uint16_t qid, uint16_t size,
		    int timeout_ms);
/* Ends every command in flight with -ECANCELED and frees the memory. */
void nvme_qpair_fini(struct nvme_qpair *qp);

/*
 * Writes sqe (its cid set here) to the SQ and rings the tail doorbell.
 * cb is called exactly once from nvme_qpair_poll() if this returns 0;
 * never if it returns a negative errno (-EBUSY: no slot or the SQ is
 * full; -EIO: the doorbell write failed).
 */
int nvme_qpair_submit(struct nvme_qpair *qp, struct nvme_sqe *sqe, nvme_cb_fn cb, void *arg);

/* The same with a data buffer: iov (DMA memory, PRP rules: Base §4.3.1)
 * as PRP1/PRP2 and a PRP list, or as SGLs (any pieces; Base §4.3.2) on an
 * I/O queue of a controller brought up with opts.sgl; iovcnt 0: none. -EINVAL: iov breaks the
 * rules; -E2BIG: more than NVME_HOST_PRP_ENTS iovecs, or longer than
 * the slot's PRP list pages cover; -EFAULT: iov is not DMA memory. */
int nvme_qpair_submit_data(struct nvme_qpair *qp, struct nvme_sqe *sqe, const struct iovec *iov,
			   unsigned iovcnt, nvme_cb_fn cb, void *arg);
/* A Read or Write (NVM CS §3.2.4, §3.2.6) of nlb blocks at slba of nsid. */
int nvme_qpair_submit_rw(struct nvme_qpair *qp, uint8_t opc, uint32_t nsid, uint64_t slba,
			 uint32_t nlb, const struct iovec *iov, unsigned iovcnt, nvme_cb_fn cb,
			 void *arg);

/*
 * Consumes up to max new CQEs (phase tag, Base §4.2.4), calls their
 * callbacks, rings the CQ head doorbell, then ends commands past their
 * deadline with -ETIMEDOUT (an Abort goes to the controller for an I/O
 * command; the slot stays taken until the controller answers or the
 * queue is destroyed). Returns the callbacks called, or -EPROTO after a
 * CQE that breaks Base §4.2.1 (consumed, counted in bad_cqes, logged).
 */
int nvme_qpair_poll(struct nvme_qpair *qp, unsigned max);

/* ---- PRP lists (nvme_prp.c), pure ---- */

/*
 * Base §4.3.1: PRP1, PRP2 and the list entries (little-endian, in list,
 * at most list_max) for the bytes of iov, whose bus addresses are bus[]:
 * the first may start at any dword offset, the others at a page start;
 * all but the last end at a page end. list is contiguous pages at the
 * page-aligned list_bus; the last entry of a full page that more entries
 * follow points to the next page. 0, -EINVAL or -E2BIG.
 */
int nvme_prp_build(const struct iovec *iov, const uint64_t *bus, unsigned iovcnt, uint64_t *prp1,
		   uint64_t *prp2, uint64_t *list, uint64_t list_bus, unsigned list_max);
/* The PRP list pages (at least 1) a transfer of max_xfer bytes needs. */
unsigned nvme_prp_list_pages(uint64_t max_xfer);

/* ---- SGLs (nvme_sgl.c), pure ---- */

/*
 * Base §4.3.2: SGL1 for the bytes of iov, whose bus addresses are bus[]:
 * one Data Block descriptor for one iovec, else a Last Segment descriptor
 * naming list_bus (qword aligned), whose list (at most list_max entries)
 * gets a Data Block per iovec. sgls is Identify Controller SGLS bits 1:0
 * (NVME_CTRL_SGLS_DWORD: addresses and lengths dword multiples). 0,
 * -EINVAL or -E2BIG.
 */
int nvme_sgl_build(const struct iovec *iov, const uint64_t *bus, unsigned iovcnt, uint32_t sgls,
		   struct nvme_sgl_desc *sgl1, struct nvme_sgl_desc *list, uint64_t list_bus,
		   unsigned list_max);

#endif
