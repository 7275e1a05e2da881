/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_NVMF_ADMIN_AER_H
#define STORLAB_NVMF_ADMIN_AER_H

/*
 * Asynchronous events of the NVMe controller emulation (NVMe Base 2.1
 * §5.2.2 Asynchronous Event Request): the host's
 * Asynchronous Event Request commands are held (at most AERL + 1) and
 * completed when an event is raised; an event raised while none is held
 * waits for the next one. After an event of a type is reported, that type
 * is not reported again until the host reads its log page (the Get Log
 * Page builder calls nvmf_aen_log_read()); a notice the Asynchronous Event
 * Configuration feature masks is dropped.
 *
 * Threading: nvmf_aen_raise() from any thread (a reactor that saw a bad
 * doorbell, the control thread that swapped namespaces); everything else
 * on the admin queue's thread.
 */

#include <stdbool.h>
#include <stdint.h>

#include "nvmf/nvmf_queue.h"

struct nvmf_ctrlr;

/* The events this controller raises, one bit each. */
enum nvmf_aen {
	/* Error (type 0h), Invalid Doorbell Register (00h): a doorbell
	 * written for a queue that does not exist. Log: Error Information. */
	NVMF_AEN_INVALID_DB_REG = 1u << 0,
	/* Error, Invalid Doorbell Write Value (01h). */
	NVMF_AEN_INVALID_DB_VALUE = 1u << 1,
	/* Notice (type 2h), Namespace Attribute Changed (00h). Log: Changed
	 * Namespace List (04h). Masked by AEC bit 8. */
	NVMF_AEN_NS_ATTR_CHANGED = 1u << 2,
};

/* Base §5.2.2 Figure 150 Dword 0 of an AER completion */
#define NVMF_AEN_TYPE_ERROR  0x0
#define NVMF_AEN_TYPE_NOTICE 0x2

/* The most AERs held: AERL is a byte, 0's based. */
#define NVMF_MAX_AER 256

struct nvmf_aer {
	uint32_t pending; /* enum nvmf_aen bits; atomic */
	uint8_t blocked;  /* event types reported, their log not read yet */
	uint16_t nheld;
	uint16_t held[NVMF_MAX_AER]; /* CIDs of the held AERs */
};

/* Raises event ev (any thread). */
void nvmf_aen_raise(struct nvmf_ctrlr *c, enum nvmf_aen ev);

/*
 * Completes a held AER with a pending event the host may see: returns true
 * with *cpl (post it on the admin CQ, SQ 0), false when there is nothing to
 * say. The frontend calls it after each admin command and when it learns
 * an event was raised.
 */
bool nvmf_aen_poll(struct nvmf_ctrlr *c, struct nvmf_cpl *cpl);

/* The host read log page lid with RAE cleared: events reported through it
 * may be reported again (Base §5.2.12 RAE, §5.2.2). */
void nvmf_aen_log_read(struct nvmf_ctrlr *c, uint8_t lid);

/* For nvmf_admin.c: an Asynchronous Event Request command. */
bool nvmf_aer_hold(struct nvmf_ctrlr *c, const struct nvme_sqe *sqe, struct nvmf_cpl *cpl);
/* For nvmf_ctrlr.c: a controller reset drops held AERs and events. */
void nvmf_aer_reset(struct nvmf_aer *a);

#endif
