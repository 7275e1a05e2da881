/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_SCSI_SCSI_DEV_INTERNAL_H
#define STORLAB_SCSI_SCSI_DEV_INTERNAL_H

/* Between the files of the target emulation: the command decoder
 * (scsi_dev.c), the emulated commands (scsi_dev_inquiry.c, scsi_dev_mode.c)
 * and sense data (scsi_dev_sense.c). */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "scsi/scsi_dev.h"
#include "spec/scsi.h"

/* The task's answer: data-in of len bytes built, cut to the CDB's
 * allocation length (SPC-5 §4.2.5.6: "the device server shall terminate
 * transfers to the Data-In Buffer when the number of bytes specified by the
 * ALLOCATION LENGTH field have been transferred or when all available data
 * have been transferred, whichever is less"). */
static inline void scsi_task_data(struct scsi_task *t, uint32_t len, uint32_t alloc_len)
{
	t->op = SCSI_DEV_OP_DONE;
	t->status = SCSI_STATUS_GOOD;
	t->xfer_len = len < alloc_len ? len : alloc_len;
}

/* ILLEGAL REQUEST / INVALID FIELD IN CDB, the answer to most bad CDBs. */
static inline void scsi_task_bad_field(struct scsi_task *t, const struct scsi_lun *lun)
{
	scsi_task_set_check(t, lun && lun->props.descriptor_sense, SCSI_SK_ILLEGAL_REQUEST,
			    SCSI_ASC_INVALID_FIELD_IN_CDB);
}

/* Space-padded ASCII field (SPC-5 §4.3.1: left-aligned, unused bytes 20h). */
static inline void scsi_put_ascii(uint8_t *dst, const char *src, size_t len)
{
	size_t n = strnlen(src, len);

	memcpy(dst, src, n);
	memset(dst + n, ' ', len - n);
}

/* scsi_dev_inquiry.c */
void scsi_dev_inquiry(struct scsi_lun *lun, const uint8_t *cdb, uint8_t *data, struct scsi_task *t);
void scsi_dev_report_luns(const struct scsi_lun *lun, const struct scsi_lun_list *luns,
			  const uint8_t *cdb, uint8_t *data, struct scsi_task *t);
void scsi_dev_read_capacity(const struct scsi_lun *lun, const uint8_t *cdb, uint8_t *data,
			    struct scsi_task *t);
/* scsi_dev_mode.c: MODE SENSE(6) and (10). */
void scsi_dev_mode_sense(const struct scsi_lun *lun, const uint8_t *cdb, uint8_t *data,
			 struct scsi_task *t);
/* scsi_dev_sense.c: REQUEST SENSE. */
void scsi_dev_request_sense(struct scsi_lun *lun, const uint8_t *cdb, uint8_t *data,
			    struct scsi_task *t);
/* The unit attention to report now (and cleared), 0 if none: its ASC. */
uint16_t scsi_lun_take_ua(struct scsi_lun *lun);

#endif
