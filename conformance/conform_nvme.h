/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CONFORMANCE_CONFORM_NVME_H
#define STORLAB_CONFORMANCE_CONFORM_NVME_H

/*
 * An NVMe controller behind a vfio-user socket, driven by hand for the NVMe
 * suite's cases (nvme_dev.c). The case is the host: it owns the memory the
 * controller reaches by DMA (one memfd, DMA-mapped whole at bus address 0),
 * writes submission queue entries of its own making, well-formed or not,
 * rings the doorbells and reads the completion queue entries raw, checking
 * the phase tag only (NVMe Base 2.1 §4.2.4): what the entries say is the
 * case's to judge. Registers go through REGION_READ/WRITE of BAR0 (NVMe over
 * PCIe Transport 1.1 §3.1), doorbells through its mapped area when offered.
 *
 * Every register access, every entry submitted and every entry completed is
 * a line of the case's trace. Nothing of the controller is trusted: an entry
 * whose phase never flips is a timeout, an identifier out of range is
 * reported, never used as an index.
 */

#include <stdbool.h>
#include <stdint.h>

#include "conformance/conform.h"
#include "spec/nvme.h"

struct nvme_vfu;

/* I/O queue pairs a device may have (io[] below). */
#define CONFORM_NVME_MAX_IOQ 4

/* One queue pair the case drives: SQ and CQ of the same ID and size. */
struct conform_nvme_q {
	uint16_t qid;
	uint16_t size; /* entries of each ring */
	struct nvme_sqe *sq;
	volatile struct nvme_cqe *cq;
	uint64_t sq_bus, cq_bus;
	uint16_t sq_tail; /* where the next entry goes */
	uint16_t sq_head; /* as the last completion entry said */
	uint16_t cq_head; /* the next entry to read */
	uint8_t phase;	  /* the phase tag of a new entry */
	uint16_t next_cid;
};

/* How far conform_nvme_setup() brings the controller. */
enum conform_nvme_stage {
	/* Connected, memory DMA-mapped, CAP read; no register written. */
	CONFORM_NVME_CONNECTED,
	/* Reset (CC.EN 0, CSTS.RDY 0), admin queue set up, enabled (CSTS.RDY
	 * 1), Identify Controller and the first active namespace read. */
	CONFORM_NVME_ENABLED,
	/* ENABLED, and io_queues I/O queue pairs created. */
	CONFORM_NVME_IO,
};

struct conform_nvme_opts {
	enum conform_nvme_stage stage; /* 0: CONFORM_NVME_CONNECTED */
	uint64_t mem_size;	       /* 0: 16 MiB */
	uint16_t admin_size;	       /* admin queue entries; 0: 32 */
	uint16_t io_queues;	       /* CONFORM_NVME_IO: 0 means 1 */
	uint16_t io_size;	       /* I/O queue entries; 0: 64 */
};

struct conform_nvme {
	struct conform_ctx *ctx;
	struct nvme_vfu *vfu;
	uint8_t *mem; /* the DMA memory: bus address b is mem + b */
	uint64_t mem_size;
	int mem_fd;
	uint64_t mem_used; /* what conform_nvme_buf() handed out */
	uint64_t cap;	   /* CAP as read at set-up */
	uint32_t dstrd;	   /* CAP.DSTRD */
	int to_ms;	   /* CAP.TO in ms (at least the run's timeout) */
	struct conform_nvme_q admin;
	struct conform_nvme_q io[CONFORM_NVME_MAX_IOQ]; /* io[i] is qid i + 1 */
	uint16_t nio;
	/* From stage ENABLED on. */
	struct nvme_id_ctrl *id_ctrl;
	uint32_t nsid;	     /* the first active namespace, 0: none */
	struct nvme_id_ns *id_ns; /* of nsid */
	uint32_t block_size;
	uint64_t num_blocks;
};

/* Connects (a traced connection of the case), maps memory and brings the
 * controller to opts->stage. 0 with *dev, or a negative errno with the
 * reason in the trace (the case returns conform_error or conform_fail). */
int conform_nvme_setup(struct conform_ctx *ctx, const struct conform_nvme_opts *opts,
		       struct conform_nvme **dev);
/* Disconnects (no shutdown: a case that wants one does it) and frees. NULL
 * is fine. */
void conform_nvme_close(struct conform_nvme *dev);

/* len bytes of zeroed DMA memory aligned to align (0: 4 KiB), with its bus
 * address; NULL when exhausted. */
void *conform_nvme_buf(struct conform_nvme *dev, uint64_t len, uint64_t align, uint64_t *bus);
/* Where [bus, bus + len) is in this process; NULL outside the memory. */
void *conform_nvme_at(struct conform_nvme *dev, uint64_t bus, uint64_t len);

/* A 4- or 8-byte property (Base §3.1.4), host order; traced. */
int conform_nvme_reg_read(struct conform_nvme *dev, uint32_t off, unsigned width, uint64_t *val);
int conform_nvme_reg_write(struct conform_nvme *dev, uint32_t off, unsigned width, uint64_t val);
/* Polls CSTS until (CSTS & mask) == value or timeout_ms passes (< 0: CAP.TO):
 * 0 with *csts, -ETIMEDOUT with the last *csts, or the read's error. */
int conform_nvme_wait_csts(struct conform_nvme *dev, uint32_t mask, uint32_t value, int timeout_ms,
			   uint32_t *csts);

/* CC.EN 0 and CSTS.RDY 0 (Base §3.5.2), every queue forgotten. */
int conform_nvme_disable(struct conform_nvme *dev);
/* The admin queue's rings (new ones, emptied) in AQA/ASQ/ACQ, CC with the
 * NVM command set, 4 KiB pages, 64/16-byte entries and EN 1, then CSTS.RDY 1
 * (Base §3.5.1 steps 2-6). The controller must be disabled. */
int conform_nvme_enable(struct conform_nvme *dev);

/* Rings for queue pair qid of size entries (memory only; no command). */
int conform_nvme_q_init(struct conform_nvme *dev, uint16_t qid, uint16_t size,
			struct conform_nvme_q *q);
/* Create I/O Completion Queue (interrupts off) then Create I/O Submission
 * Queue for q (Base §5.2.1, §5.2.2): 0, -EIO when the controller failed one
 * (its status noted), or the wait's error. */
int conform_nvme_q_create(struct conform_nvme *dev, struct conform_nvme_q *q);

/*
 * Writes sqe at q's tail (no doorbell) and returns the CID it carries: a
 * zero sqe->cid is replaced by q's next CID, any other is kept (cases
 * about CID conflicts). Returns -ENOSPC when the ring is full.
 */
int conform_nvme_push(struct conform_nvme *dev, struct conform_nvme_q *q, struct nvme_sqe *sqe);
/* Writes q's SQ tail doorbell with its tail. */
int conform_nvme_ring(struct conform_nvme *dev, struct conform_nvme_q *q);
/* Waits up to timeout_ms (< 0: the run's timeout) for q's next completion
 * entry (phase tag), copies it to *cqe and writes q's CQ head doorbell. 0,
 * -ETIMEDOUT, or a register error. */
int conform_nvme_wait(struct conform_nvme *dev, struct conform_nvme_q *q, int timeout_ms,
		      struct nvme_cqe *cqe);
/* push + ring + wait, and the entry must answer the command (its CID and SQ
 * ID, else -EPROTO, noted). */
int conform_nvme_cmd(struct conform_nvme *dev, struct conform_nvme_q *q, struct nvme_sqe *sqe,
		     struct nvme_cqe *cqe);
/* conform_nvme_cmd on the admin queue. */
int conform_nvme_admin(struct conform_nvme *dev, struct nvme_sqe *sqe, struct nvme_cqe *cqe);

/* Identify with CNS cns (and CNTID 0, CSI csi) of nsid into a new 4 KiB
 * buffer: 0 with *data, -EIO with the status in *cqe (may be NULL), or the
 * wait's error. */
int conform_nvme_identify(struct conform_nvme *dev, uint8_t cns, uint32_t nsid, uint8_t csi,
			  void **data, struct nvme_cqe *cqe);

/* Status Code Type and Status Code of an entry, as NVME_SCT_SC(sct, sc). */
uint16_t conform_nvme_status(const struct nvme_cqe *cqe);
/* "SCT 0h SC 02h (Invalid Field in Command)" for traces and reasons. */
const char *conform_nvme_status_str(uint16_t status, char *buf, size_t len);
/* The verdict of an entry that must carry status want (NVME_SCT_SC): PASS,
 * or FAIL naming what came instead and what: "Create I/O SQ with QID 0". */
enum conform_verdict conform_nvme_expect(struct conform_ctx *ctx, const struct nvme_cqe *cqe,
					 uint16_t want, const char *what);

#endif
