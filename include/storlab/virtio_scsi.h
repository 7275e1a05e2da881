/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_VIRTIO_SCSI_H
#define STORLAB_VIRTIO_SCSI_H

/*
 * libstorlab-initiator, what is virtio-scsi's own (virtio 1.2 §5.6), for
 * code that is about SCSI on purpose (storlab io info's targets and LUNs,
 * CDBs of a test, task management). Everything else speaks the neutral API
 * of storlab/initiator.h: a vhost-user-scsi device opens as one LUN (the
 * URI's, else the first disk the scan found) and its neutral reads,
 * writes, flushes, discards and write-zeroes become READ(16), WRITE(16),
 * SYNCHRONIZE CACHE(16), UNMAP and WRITE SAME(16) to that LUN. The calls
 * here answer -ENOTTY on a device that is not a virtio-scsi one.
 *
 * A completion's transport_status packs what the device answered:
 *   bits 0..7   the SAM status (SCSI_STATUS_*: GOOD, CHECK CONDITION, ...)
 *   bits 8..11  the sense key, when the status is CHECK CONDITION and the
 *               sense data could be read (else 0)
 *   bits 12..15 the virtio response (VIRTIO_SCSI_S_*, §5.6.6.1), 0xf when
 *               the device wrote none
 * STORLAB_VIRTIO_SCSI_TS_* below take it apart. A CHECK CONDITION's
 * neutral status: ILLEGAL REQUEST with INVALID COMMAND OPERATION CODE or
 * INVALID FIELD IN CDB is UNSUPPORTED (-ENOTSUP); sense that cannot be
 * read is ERROR with -EPROTO; any other is ERROR (-EIO). A UNIT ATTENTION
 * on a neutral request is retried once, as Linux's sd driver does, and
 * only a second one completes the request.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "storlab/initiator.h"

#define STORLAB_VIRTIO_SCSI_TS_STATUS(ts)   ((uint8_t)((ts)&0xff))
#define STORLAB_VIRTIO_SCSI_TS_KEY(ts)	    ((uint8_t)(((ts) >> 8) & 0xf))
#define STORLAB_VIRTIO_SCSI_TS_RESPONSE(ts) ((uint8_t)((ts) >> 12))
#define STORLAB_VIRTIO_SCSI_RESPONSE_NONE   0xf

/* Bytes of sense a command gives back (§5.6.4.2: the default sense_size). */
#define STORLAB_VIRTIO_SCSI_SENSE_BYTES 96
/* Longest CDB (§5.6.4.2: the default cdb_size). */
#define STORLAB_VIRTIO_SCSI_CDB_BYTES 32
/* Logical units the scan keeps. */
#define STORLAB_VIRTIO_SCSI_MAX_LUNS 64

/* The virtio-scsi config space (§5.6.4), host order. */
struct storlab_scsi_config {
	uint32_t num_queues;
	uint32_t seg_max;
	uint32_t max_sectors;
	uint32_t cmd_per_lun;
	uint32_t event_info_size;
	uint32_t sense_size;
	uint32_t cdb_size;
	uint16_t max_channel;
	uint16_t max_target;
	uint32_t max_lun;
};

/* A logical unit the scan found: REPORT LUNS (or INQUIRY per target),
 * INQUIRY and its VPD pages, READ CAPACITY, MODE SENSE. */
struct storlab_scsi_lun {
	uint8_t target;
	uint16_t lun;
	uint8_t device_type; /* SPC-5 §6.7.2 PERIPHERAL DEVICE TYPE: 0 disk */
	char vendor[9];
	char product[17];
	char revision[5];
	char serial[64];     /* VPD 80h, "" without */
	char id[96];	     /* VPD 83h's first LUN designator ("naa.6001..."), "" without */
	uint64_t num_blocks; /* READ CAPACITY; 0 if it failed */
	uint32_t block_len;
	bool read_only;		 /* MODE SENSE(6): the header's WP (SBC-4 §6.5.1) */
	bool thin;		 /* READ CAPACITY(16) LBPME */
	bool unmap;		 /* VPD B2h LBPU: UNMAP is supported */
	bool write_same_unmap;	 /* VPD B2h LBPWS */
	uint32_t max_transfer;	 /* VPD B0h, blocks; 0: none stated */
	uint32_t max_unmap_lbas; /* VPD B0h MAXIMUM UNMAP LBA COUNT */
};

struct storlab_virtio_scsi_info {
	uint64_t features_offered; /* virtio features, GET_FEATURES */
	uint64_t features_negotiated;
	uint64_t protocol_features_offered;
	uint64_t protocol_features_negotiated;
	uint32_t config_size; /* config bytes read (0: no CONFIG) */
	struct storlab_scsi_config config;
	unsigned nluns; /* found, up to STORLAB_VIRTIO_SCSI_MAX_LUNS */
	struct storlab_scsi_lun luns[STORLAB_VIRTIO_SCSI_MAX_LUNS];
	/* Index in luns[] of the LUN neutral requests go to; nluns once that
	 * LUN was hot-removed (neutral requests then fail with -ENODEV). */
	unsigned selected;
};
/* 0, or -ENOTTY. */
int storlab_virtio_scsi_get_info(const struct storlab_dev *dev,
				 struct storlab_virtio_scsi_info *info);

/* What the device answered to a STORLAB_OP_DEVICE command (§5.6.6.1),
 * written by storlab_queue_reap() when the command completes. */
struct storlab_virtio_scsi_result {
	uint8_t response; /* VIRTIO_SCSI_S_*; STORLAB_VIRTIO_SCSI_RESPONSE_NONE: none */
	uint8_t status;	  /* SAM status */
	uint16_t status_qualifier;
	uint32_t resid;	    /* bytes of data not transferred */
	uint32_t sense_len; /* as the device says; at most sense[]'s size is copied */
	uint8_t sense[STORLAB_VIRTIO_SCSI_SENSE_BYTES];
};

/*
 * A command for STORLAB_OP_DEVICE (struct storlab_req's cmd): the CDB to
 * the logical unit (target, lun), data-out then data-in buffers (library
 * memory; §5.6.6.1: a command has one direction unless
 * VIRTIO_SCSI_F_INOUT was negotiated, which the library does not check),
 * and where to put the answer (result: must stay valid until the
 * completion is reaped; NULL: only the completion's status). id is the
 * command's identifier for task management (0: the library's own,
 * queue << 32 | slot).
 */
struct storlab_virtio_scsi_cmd {
	uint8_t target;
	uint16_t lun;
	const uint8_t *cdb;
	uint8_t cdb_len;   /* 1 to STORLAB_VIRTIO_SCSI_CDB_BYTES */
	uint8_t task_attr; /* VIRTIO_SCSI_S_SIMPLE, ... */
	uint64_t id;
	const struct iovec *out;
	unsigned nout;
	const struct iovec *in;
	unsigned nin;
	struct storlab_virtio_scsi_result *result;
};

/*
 * A task management function on the control queue (§5.6.6.2), waiting up
 * to the device's timeout for the answer: subtype VIRTIO_SCSI_T_TMF_*, id
 * the command to abort (ABORT TASK, QUERY TASK). 0 with *response the
 * device's (VIRTIO_SCSI_S_FUNCTION_COMPLETE, _SUCCEEDED, _REJECTED, ...),
 * or -ENOTTY, -EINVAL, -ETIMEDOUT, -ENOTCONN. May be called from any
 * thread, also while queues have requests in flight (that is what it is
 * for); calls of it are serialised.
 */
int storlab_virtio_scsi_tmf(struct storlab_dev *dev, uint32_t subtype, uint8_t target, uint16_t lun,
			    uint64_t id, uint8_t *response);

/*
 * Hot-plug (virtio 1.2 §5.6.6.3): the driver negotiates VIRTIO_SCSI_F_HOTPLUG
 * and VIRTIO_SCSI_F_CHANGE when offered and keeps the eventq populated;
 * this reaps the events the device put there and acts as Linux's
 * virtio_scsi does: a LUN added (TRANSPORT_RESET / RESCAN) has its target
 * scanned again, one removed leaves the LUN table, a capacity change
 * (PARAM_CHANGE, 2Ah/09h) is read again (dev's info too for the LUN of
 * neutral requests), EVENTS_MISSED scans every target; each is logged at
 * info level. Scan commands go on q, which must be dev's, have nothing in
 * flight (-EBUSY), and be used by no other thread meanwhile. Nothing to
 * reap costs a load of the eventq's used index, so a caller may poll it
 * between batches. Reaps at most the eventq's size of events a call (more
 * may be waiting: call again). Returns the number reaped, or -ENOTTY,
 * -EBUSY, -ENOTCONN, or a queue error of a scan. storlab_virtio_scsi_get_info()
 * shows the table as it is after.
 */
int storlab_virtio_scsi_poll_events(struct storlab_dev *dev, struct storlab_queue *q);

/* Names for reports: the virtio response (§5.6.6.1) and a completion's
 * transport_status ("GOOD", "CHECK CONDITION/ILLEGAL REQUEST",
 * "BAD_TARGET", "NONE"). */
const char *storlab_virtio_scsi_response_name(uint8_t response);
const char *storlab_virtio_scsi_status_name(uint16_t transport_status);
/* A virtio-scsi feature bit's name (§5.6.3, §6), NULL for bits we do not
 * know. */
const char *storlab_virtio_scsi_feature_name(unsigned bit);

#endif
