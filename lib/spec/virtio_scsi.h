/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_SPEC_VIRTIO_SCSI_H
#define STORLAB_SPEC_VIRTIO_SCSI_H

/* Virtio SCSI host device: OASIS virtio 1.2, §5.6. Little-endian fields. */

#include <stdint.h>

#include "spec/virtio.h"

#define VIRTIO_ID_SCSI 8

/* §5.6.2 virtqueues: the request queues start at 2 */
#define VIRTIO_SCSI_CONTROLQ	   0
#define VIRTIO_SCSI_EVENTQ	   1
#define VIRTIO_SCSI_REQUESTQ_FIRST 2

/* §5.6.3 feature bits */
#define VIRTIO_SCSI_F_INOUT   0
#define VIRTIO_SCSI_F_HOTPLUG 1
#define VIRTIO_SCSI_F_CHANGE  2
#define VIRTIO_SCSI_F_T10_PI  3

/* §5.6.4 device configuration layout */
struct virtio_scsi_config {
	uint32_t num_queues; /* request queues only */
	uint32_t seg_max;
	uint32_t max_sectors;
	uint32_t cmd_per_lun;
	uint32_t event_info_size;
	uint32_t sense_size;
	uint32_t cdb_size;
	uint16_t max_channel;
	uint16_t max_target;
	uint32_t max_lun;
} __attribute__((packed));
_Static_assert(sizeof(struct virtio_scsi_config) == 36, "virtio 1.2 §5.6.4");

/* §5.6.4.2 "On reset, the device MUST set sense_size to 96 and cdb_size
 * to 32." */
#define VIRTIO_SCSI_SENSE_DEFAULT 96
#define VIRTIO_SCSI_CDB_DEFAULT	  32

/* §5.6.6.1 the device-readable header of a command request, with the
 * default cdb_size (a driver that changed cdb_size moves what follows;
 * without VIRTIO_SCSI_F_T10_PI no PI fields follow) */
struct virtio_scsi_cmd_req {
	uint8_t lun[8];
	uint64_t id;
	uint8_t task_attr;
	uint8_t prio;
	uint8_t crn;
	uint8_t cdb[VIRTIO_SCSI_CDB_DEFAULT];
} __attribute__((packed));
_Static_assert(sizeof(struct virtio_scsi_cmd_req) == 51, "virtio 1.2 §5.6.6.1");

/* §5.6.6.1 the same with VIRTIO_SCSI_F_T10_PI */
struct virtio_scsi_cmd_req_pi {
	uint8_t lun[8];
	uint64_t id;
	uint8_t task_attr;
	uint8_t prio;
	uint8_t crn;
	uint32_t pi_bytesout;
	uint32_t pi_bytesin;
	uint8_t cdb[VIRTIO_SCSI_CDB_DEFAULT];
} __attribute__((packed));
_Static_assert(sizeof(struct virtio_scsi_cmd_req_pi) == 59, "virtio 1.2 §5.6.6.1");

/* §5.6.6.1 the device-writable header of a command response, with the
 * default sense_size */
struct virtio_scsi_cmd_resp {
	uint32_t sense_len;
	uint32_t resid;
	uint16_t status_qualifier;
	uint8_t status; /* SAM status (spec/scsi.h SCSI_STATUS_*) */
	uint8_t response;
	uint8_t sense[VIRTIO_SCSI_SENSE_DEFAULT];
} __attribute__((packed));
_Static_assert(sizeof(struct virtio_scsi_cmd_resp) == 108, "virtio 1.2 §5.6.6.1");

/* §5.6.6.1 response values of command requests, and §5.6.6.2 of controlq
 * requests (one space: INCORRECT_LUN and the FUNCTION_* values are the
 * controlq's own) */
#define VIRTIO_SCSI_S_OK		 0
#define VIRTIO_SCSI_S_OVERRUN		 1
#define VIRTIO_SCSI_S_ABORTED		 2
#define VIRTIO_SCSI_S_BAD_TARGET	 3
#define VIRTIO_SCSI_S_RESET		 4
#define VIRTIO_SCSI_S_BUSY		 5
#define VIRTIO_SCSI_S_TRANSPORT_FAILURE	 6
#define VIRTIO_SCSI_S_TARGET_FAILURE	 7
#define VIRTIO_SCSI_S_NEXUS_FAILURE	 8
#define VIRTIO_SCSI_S_FAILURE		 9
#define VIRTIO_SCSI_S_FUNCTION_SUCCEEDED 10
#define VIRTIO_SCSI_S_FUNCTION_REJECTED	 11
#define VIRTIO_SCSI_S_INCORRECT_LUN	 12
#define VIRTIO_SCSI_S_FUNCTION_COMPLETE	 0

/* §5.6.6.1 task_attr */
#define VIRTIO_SCSI_S_SIMPLE  0
#define VIRTIO_SCSI_S_ORDERED 1
#define VIRTIO_SCSI_S_HEAD    2
#define VIRTIO_SCSI_S_ACA     3

/* §5.6.6.1 lun: "first byte set to 1, second byte set to target, third and
 * fourth byte representing a single level LUN structure, followed by four
 * zero bytes"; or the REPORT LUNS well-known logical unit, "0xC1, 0x01 and
 * six zero bytes". A single level LUN structure of a LUN below 256 is the
 * peripheral form (0x00, lun); up to 16383 the flat form (0x40 | lun >> 8,
 * lun & 0xff) (SAM-5 §4.7). */
#define VIRTIO_SCSI_LUN_FIRST	       1
#define VIRTIO_SCSI_LUN_FLAT	       0x40
#define VIRTIO_SCSI_LUN_MAX	       16383
#define VIRTIO_SCSI_WLUN_REPORT_LUNS_0 0xc1
#define VIRTIO_SCSI_WLUN_REPORT_LUNS_1 0x01

/* §5.6.6.2 controlq request types */
#define VIRTIO_SCSI_T_TMF	   0
#define VIRTIO_SCSI_T_AN_QUERY	   1
#define VIRTIO_SCSI_T_AN_SUBSCRIBE 2

/* §5.6.6.2 task management functions (subtype) */
#define VIRTIO_SCSI_T_TMF_ABORT_TASK	     0
#define VIRTIO_SCSI_T_TMF_ABORT_TASK_SET     1
#define VIRTIO_SCSI_T_TMF_CLEAR_ACA	     2
#define VIRTIO_SCSI_T_TMF_CLEAR_TASK_SET     3
#define VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET    4
#define VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET 5
#define VIRTIO_SCSI_T_TMF_QUERY_TASK	     6
#define VIRTIO_SCSI_T_TMF_QUERY_TASK_SET     7

/* §5.6.6.2 a task management request: device-readable part, then the
 * one device-writable response byte */
struct virtio_scsi_ctrl_tmf_req {
	uint32_t type;
	uint32_t subtype;
	uint8_t lun[8];
	uint64_t id;
} __attribute__((packed));
_Static_assert(sizeof(struct virtio_scsi_ctrl_tmf_req) == 24, "virtio 1.2 §5.6.6.2");

struct virtio_scsi_ctrl_tmf_resp {
	uint8_t response;
} __attribute__((packed));

/* §5.6.6.2 asynchronous notification query / subscription */
struct virtio_scsi_ctrl_an_req {
	uint32_t type;
	uint8_t lun[8];
	uint32_t event_requested;
} __attribute__((packed));
_Static_assert(sizeof(struct virtio_scsi_ctrl_an_req) == 16, "virtio 1.2 §5.6.6.2");

struct virtio_scsi_ctrl_an_resp {
	uint32_t event_actual;
	uint8_t response;
} __attribute__((packed));
_Static_assert(sizeof(struct virtio_scsi_ctrl_an_resp) == 5, "virtio 1.2 §5.6.6.2");

#define VIRTIO_SCSI_EVT_ASYNC_OPERATIONAL_CHANGE 2
#define VIRTIO_SCSI_EVT_ASYNC_POWER_MGMT	 4
#define VIRTIO_SCSI_EVT_ASYNC_EXTERNAL_REQUEST	 8
#define VIRTIO_SCSI_EVT_ASYNC_MEDIA_CHANGE	 16
#define VIRTIO_SCSI_EVT_ASYNC_MULTI_HOST	 32
#define VIRTIO_SCSI_EVT_ASYNC_DEVICE_BUSY	 64

/* §5.6.6.3 eventq */
#define VIRTIO_SCSI_T_EVENTS_MISSED   0x80000000u
#define VIRTIO_SCSI_T_NO_EVENT	      0
#define VIRTIO_SCSI_T_TRANSPORT_RESET 1
#define VIRTIO_SCSI_T_ASYNC_NOTIFY    2
#define VIRTIO_SCSI_T_PARAM_CHANGE    3 /* §5.6.3 VIRTIO_SCSI_F_CHANGE */

#define VIRTIO_SCSI_EVT_RESET_HARD    0
#define VIRTIO_SCSI_EVT_RESET_RESCAN  1
#define VIRTIO_SCSI_EVT_RESET_REMOVED 2

struct virtio_scsi_event {
	uint32_t event;
	uint8_t lun[8];
	uint32_t reason;
} __attribute__((packed));
_Static_assert(sizeof(struct virtio_scsi_event) == 16, "virtio 1.2 §5.6.6.3");

#endif
