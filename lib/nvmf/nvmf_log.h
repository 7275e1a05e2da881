/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_NVMF_LOG_H
#define STORLAB_NVMF_LOG_H

/*
 * The Get Log Page command of the NVMe controller emulation (NVMe Base 2.1
 * §5.1.12), as pure code over nvmf_props.h, and the state the log pages
 * report: a ring of Error Information entries and the Changed Namespace
 * List. Pages answered:
 *   00h Supported Log Pages            03h Firmware Slot Information
 *   01h Error Information              04h Changed Namespace List
 *   02h SMART / Health Information     05h Commands Supported and Effects
 * (global: the SMART page is not kept per namespace, LPA bit 0 clear).
 *
 * Threads: a struct nvmf_log belongs to one controller; its owner (the
 * admin queue's thread) serializes every call on it.
 */

#include <stdbool.h>
#include <stdint.h>

#include "nvmf/nvmf_props.h"
#include "spec/nvme.h"
#include "util/log_ratelimit.h"

/* Error Information entries kept (Identify Controller ELPE + 1). */
#define NVMF_ERROR_LOG_ENTRIES 16
/* The largest page: the buffer nvmf_get_log_page() writes into. */
#define NVMF_LOG_PAGE_MAX 4096

struct nvmf_log {
	/* A ring, the newest entry at err_next - 1. */
	struct nvme_error_log err[NVMF_ERROR_LOG_ENTRIES];
	unsigned err_next;
	uint64_t err_count; /* entries ever recorded: the newest's Error Count */
	/* Changed NSIDs since the page was last read, ascending. */
	uint32_t changed[NVME_CHANGED_NS_MAX];
	unsigned n_changed;
	bool changed_overflow; /* more than NVME_CHANGED_NS_MAX */
};

/* What a command failure leaves in the Error Information log. */
struct nvmf_error_info {
	uint16_t sqid;
	uint16_t cid;
	uint16_t status; /* NVME_SCT_SC */
	uint16_t pel;	 /* parameter error location, 0 unknown */
	uint64_t lba;
	uint32_t nsid;
	uint8_t opc;
};

/* SMART / Health counters the frontend keeps (any thread, its own way)
 * and hands over, read, when the page is asked for. */
struct nvmf_smart_counters {
	uint64_t bytes_read; /* reported in 1000s of 512-byte units */
	uint64_t bytes_written;
	uint64_t read_cmds;  /* Read and Compare */
	uint64_t write_cmds; /* Write */
	uint64_t power_cycles;
	uint64_t power_on_hours;
	uint64_t unsafe_shutdowns;
	uint64_t media_errors;
};

/* What the pages are built from. */
struct nvmf_log_src {
	const struct nvmf_ctrlr_props *ctrlr;
	const struct nvmf_ns_list *nss;
	const struct nvmf_smart_counters *smart;
	/* The admin opcodes the dispatcher serves (Commands Supported and
	 * Effects); I/O opcodes come from nvmf_io_supported(). */
	const uint8_t *admin_opcodes;
	unsigned n_admin_opcodes;
};

/* A Get Log Page command's fields (Base §5.1.12, Figure "Get Log Page -
 * Command Dword 10" to 14). */
struct nvmf_log_req {
	uint8_t lid;
	uint8_t lsp;
	bool rae;
	uint32_t nsid;
	uint64_t len;	 /* NUMDU:NUMDL + 1 dwords, in bytes */
	uint64_t offset; /* LPOU:LPOL, bytes */
	bool ot;	 /* offset is an index */
	uint8_t csi;
};

struct nvmf_log_result {
	uint64_t len;  /* bytes the command's data pointer describes */
	uint32_t xfer; /* bytes of page to return from the buffer (<= len) */
	/* RAE was clear on a page that belongs to an asynchronous event type
	 * (Error: 01h, SMART / Health: 02h, Notice: 04h): that event is
	 * cleared and may be reported again (Base §5.1.12, RAE). */
	bool clear_event;
};

void nvmf_log_init(struct nvmf_log *log);

/* Records a failed command as the newest Error Information entry (the
 * oldest of a full ring is dropped); returns its Error Count. */
uint64_t nvmf_log_error_record(struct nvmf_log *log, const struct nvmf_error_info *e);

/* Notes nsid in the Changed Namespace List (Base §5.1.12.1: past
 * NVME_CHANGED_NS_MAX the page says FFFFFFFFh alone). The caller raises
 * the Namespace Attribute Changed notice if it is not masked. */
void nvmf_log_ns_changed(struct nvmf_log *log, uint32_t nsid);

/* The fields of a Get Log Page SQE. */
void nvmf_log_req_decode(const struct nvme_sqe *sqe, struct nvmf_log_req *req);

/*
 * Answers a Get Log Page command: buf (NVMF_LOG_PAGE_MAX bytes) gets the
 * res->xfer bytes of the page from the requested offset; returns the
 * status (NVME_SCT_SC). Refusals: an unsupported LID (Invalid Log Page),
 * an index offset, an offset not dword aligned or not inside the page,
 * the SMART page of one namespace (Invalid Field in Command). Reading the
 * Changed Namespace List empties it (it lists changes since the last
 * read).
 */
uint16_t nvmf_get_log_page(struct nvmf_log *log, const struct nvmf_log_src *src,
			   const struct nvme_sqe *sqe, uint8_t *buf, struct nvmf_log_result *res,
			   struct log_ratelimit *rl);

#endif
