/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_PEERS_BAD_SCSI_H
#define STORLAB_TESTS_PEERS_BAD_SCSI_H

/*
 * bad_scsi, the virtio-scsi sibling of bad_backend (docs/peers.md): a
 * vhost-user-scsi back-end on lib/vhost whose SCSI answers come from
 * lib/scsi's target emulation (scsi_dev), and which breaks one requirement
 * of the virtio-scsi conformance suite per --break switch. Its parts: the
 * switch table (switches.c), the controller with its controlq and eventq
 * (device.c), the request queues (request.c), the command line (main.c).
 * One thread runs everything.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "scsi/scsi_dev.h"
#include "spec/virtio_scsi.h"
#include "vhost/vhost.h"

/* ---- the switches (switches.c) ---- */

enum brk {
	/* config space, §5.6.4 */
	BRK_SENSE_SIZE_64,
	BRK_CDB_SIZE_16,
	BRK_MAX_CHANNEL_1,
	BRK_MAX_TARGET_256,
	BRK_MAX_LUN_16384,
	BRK_NUM_QUEUES_0,
	BRK_LAST_QUEUE_DEAD,
	BRK_EVENT_INFO_SIZE_0,
	/* request queues, §5.6.6.1 */
	BRK_RESPONSE_UNDEFINED,
	BRK_STATUS_NOT_SAM,
	BRK_BAD_TARGET_OK,
	BRK_INOUT_ACCEPTED,
	BRK_OVERRUN_SILENT,
	BRK_SENSE_LEN_OVER,
	BRK_RESID_WHEN_FULL,
	BRK_RESID_ZERO_ON_READS,
	BRK_USED_LEN_WHOLE_DATAIN,
	BRK_WRITES_READABLE,
	BRK_READ_NO_DATAIN_GOOD,
	BRK_READS_WRITABLE,
	BRK_LONG_CDB_GOOD,
	BRK_SHORT_HEADER_STALLS,
	BRK_NO_RESPONSE_WRITES_HEADER,
	BRK_ORDERED_REFUSED,
	BRK_NO_REPORT_LUNS_WLUN,
	BRK_UNKNOWN_LUN_GOOD,
	BRK_SECOND_QUEUE_DROPS_WRITES,
	/* SCSI commands, SPC-5 / SBC-4 */
	BRK_INQUIRY_FORMAT_1,
	BRK_INQUIRY_ALLOC_IGNORED,
	BRK_VPD_LIST_UNSORTED,
	BRK_VPD_PAGE_WRONG_CODE,
	BRK_INQUIRY_PAGE_NO_EVPD_OK,
	BRK_VPD_UNKNOWN_GOOD,
	BRK_REPORT_LUNS_PHANTOM,
	BRK_REPORT_LUNS_SHORT_EMPTY,
	BRK_TUR_NOT_READY,
	BRK_CAPACITY_10_OFF_BY_ONE,
	BRK_SERVICE_ACTION_UNKNOWN_GOOD,
	BRK_WRITE10_DROPS_LAST_BLOCK,
	BRK_RW6_ZERO_IS_ZERO,
	BRK_READ12_OFF_BY_ONE,
	BRK_LAST_BLOCK_UNWRITABLE,
	BRK_READ_AT_CAPACITY_ZEROES,
	BRK_READ_PAST_END_PARTIAL,
	BRK_WRITE_PAST_END_PARTIAL,
	BRK_LBA_WRAPS,
	BRK_ZERO_LEN_READ_ERROR,
	BRK_SYNC_CACHE_FAILS,
	BRK_UNMAP_WIDE,
	BRK_UNMAP_PAST_END_OK,
	BRK_WRITE_SAME_FIRST_ONLY,
	BRK_MODE_SENSE6_LENGTH_WRONG,
	BRK_MODE_SENSE10_WRONG_PAGE,
	BRK_REQUEST_SENSE_DEFERRED,
	BRK_START_STOP_FAILS,
	BRK_VERIFY_FAILS,
	BRK_VERIFY_NO_RANGE_CHECK,
	BRK_UNKNOWN_OPCODE_INVALID_FIELD,
	BRK_SENSE_LEN_SHORT,
	/* controlq, §5.6.6.2 */
	BRK_LU_RESET_REJECTED,
	BRK_TMF_COMPLETES_FIRST,
	BRK_ABORT_UNKNOWN_REJECTED,
	BRK_TMF_BAD_TARGET_COMPLETE,
	BRK_TMF_UNKNOWN_SUBTYPE_OK,
	BRK_CTRL_UNKNOWN_TYPE_OK,
	BRK_AN_QUERY_EXTRA_EVENTS,
	BRK_TMF_SHORT_SUCCEEDS,
	BRK_RESET_NO_UNIT_ATTENTION,
	BRK_RESET_LOSES_DATA,
	BRK_ABORT_TASK_ENDS_ALL,
	BRK_RESET_ENDS_GOOD,
	/* eventq, §5.6.6.3 */
	BRK_RESCAN_WITHOUT_HOTPLUG,
	BRK_EVENT_BAD_REASON,
	BRK_EVENT_OVERRUNS_SHORT_BUFFER,
	BRK_END,
};

/* One entry per switch: what --list prints and test_conform_scsi_proof.py
 * reads. targets: the conformance case IDs that must fail against this
 * switch, and only they (space-separated). args: the bad_scsi options the
 * switch needs besides (NULL: none); the test runs the targets with them
 * and without the switch first. */
struct brk_switch {
	unsigned id;
	const char *name;
	const char *targets;
	const char *breaks;
	const char *args;
};

extern bool g_break[BRK_END];
#define BROKEN(b) (g_break[BRK_##b])

/* Sets the switch NAME; 0, or -1 (printed) when there is none. */
int brk_set(const char *name);
/* --list: one line per switch; --list --json: a JSON array of objects. */
void brk_list(bool json);

/* ---- the controller (device.c) ---- */

struct ctl_opts {
	uint64_t bytes;	    /* of each LUN */
	uint16_t luns;	    /* on target 0 */
	uint16_t queues;    /* request queues */
	uint32_t slow_us;   /* a request queue serves one chain a poll, this long */
};

int ctl_init(const struct ctl_opts *o);
void ctl_fini(void);
/* Runs every ring once; how much was done (0: idle). */
unsigned ctl_poll(void);
const struct vhost_dev_ops *ctl_ops(void);

/* What the request queues need of the controller. */
bool ctl_negotiated(unsigned feature);
/* The LU at lun on target 0, NULL if there is none. */
struct scsi_lun *ctl_lun(uint16_t lun);
const struct scsi_lun_list *ctl_lun_list(void);
uint8_t *ctl_lun_data(uint16_t lun);

/* ---- the request queues (request.c) ---- */

/* Where a command stands after request_serve. */
enum req_outcome {
	REQ_USED,   /* answered: push it with *len */
	REQ_HELD,   /* never answered (a *-stalls switch) */
};

/* Serves the command of a popped chain (iov: nout readable, then nin
 * writable buffers) on request queue index q. abort_id: with abort, the
 * command is answered ABORTED if its id is abort_id (any id when
 * abort_all), RESET when reset, without running it. */
struct req_cancel {
	bool reset;
	bool abort_all;
	bool abort_one;
	uint64_t abort_id;
	unsigned aborted; /* commands answered ABORTED or RESET so far */
};
enum req_outcome request_serve(uint16_t q, const struct iovec *iov, unsigned nout, unsigned nin,
			       struct req_cancel *cancel, uint32_t *len);

/* Copies between a flat buffer and bytes [off, off + len) of an iovec
 * list; returns the bytes copied. */
size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t off, void *buf, size_t len);
size_t buf_to_iov(const struct iovec *iov, unsigned n, size_t off, const void *buf, size_t len);
size_t iov_len(const struct iovec *iov, unsigned n);

#endif
