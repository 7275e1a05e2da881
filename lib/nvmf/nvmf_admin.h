/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_NVMF_ADMIN_H
#define STORLAB_NVMF_ADMIN_H

/*
 * The admin command set of the NVMe controller emulation (NVMe Base 2.1
 * §5): one dispatcher for the commands fetched from the admin queue.
 * Commands are decoded from the fetched copy of the entry only. Admin
 * commands use PRPs (Base §4.1.1: PSDT 00b over PCIe) and are not fused.
 *
 * Some commands need the frontend, which the dispatcher's answer says:
 *   NVMF_ADMIN_DONE     out->cpl is the answer: post it on the admin CQ.
 *   NVMF_ADMIN_HELD     an Asynchronous Event Request is kept; the answer
 *                       comes from nvmf_aen_poll() (nvmf_admin_aer.h).
 *   NVMF_ADMIN_ABORT    Abort of command out->cid of I/O SQ out->sqid:
 *                       the frontend takes it back if it still can (it
 *                       completes that command with Command Abort
 *                       Requested itself), then calls
 *                       nvmf_admin_abort_done() for the Abort's answer.
 *   NVMF_ADMIN_DRAIN_SQ Delete I/O SQ out->sqid: nothing more is fetched
 *                       from it; the frontend completes or takes back its
 *                       commands (Base §5.3.4: they are aborted or
 *                       completed before the deletion completes), then
 *                       calls nvmf_admin_delete_sq_done().
 *
 * Every refusal carries the status the spec names and logs (rate limited)
 * a line citing the section.
 *
 * Threading: the admin queue's thread.
 */

#include <stdbool.h>
#include <stdint.h>

#include "nvmf/nvmf_queue.h"

struct nvmf_ctrlr;

/* Identify Controller ACL (0's based): Abort commands handed to the
 * frontend at once, at most. */
#define NVMF_ACL 3

enum nvmf_admin_action {
	NVMF_ADMIN_DONE,
	NVMF_ADMIN_HELD,
	NVMF_ADMIN_ABORT,
	NVMF_ADMIN_DRAIN_SQ,
};

struct nvmf_admin_out {
	struct nvmf_cpl cpl; /* cid always set; the rest for NVMF_ADMIN_DONE */
	uint16_t sqid;	     /* NVMF_ADMIN_ABORT, NVMF_ADMIN_DRAIN_SQ */
	uint16_t cid;	     /* NVMF_ADMIN_ABORT: the command to take back */
};

enum nvmf_admin_action nvmf_admin_exec(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe,
				       struct nvmf_admin_out *out);

/* The admin opcodes this controller serves, ascending, into ops (256
 * bytes): their count (Commands Supported and Effects). */
unsigned nvmf_admin_opcodes(const struct nvmf_ctrlr *c, uint8_t *ops);

/* The Abort's answer (cpl as nvmf_admin_exec() left it): Dword 0 bit 0
 * is 0 if the command was taken back, 1 if not (Base §5.2.1). */
void nvmf_admin_abort_done(struct nvmf_ctrlr *c, bool aborted, struct nvmf_cpl *cpl);
/* The frontend drained SQ sqid: it is deleted; cpl is the answer. */
void nvmf_admin_delete_sq_done(struct nvmf_ctrlr *c, uint16_t sqid, struct nvmf_cpl *cpl);

/*
 * Moves len bytes between buf and the command's data buffer (PRP1/PRP2):
 * to the host if to_host. Returns 0, or a negative errno with cpl->status
 * set (nvmf_prp.h). For the feature and data builder code.
 */
int nvmf_admin_data(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe, void *buf, uint32_t len,
		    bool to_host, struct nvmf_cpl *cpl);

/* Refuses a command: cpl->status (sct, sc) and a rate-limited log line. */
void nvmf_admin_refuse(struct nvmf_ctrlr *c, struct nvmf_cpl *cpl, uint8_t sct, uint8_t sc,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
