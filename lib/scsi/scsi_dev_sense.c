/* SPDX-License-Identifier: MIT */
/*
 * Sense data (SPC-5 §4.4), unit attention conditions (SAM-5 §5.14) and
 * REQUEST SENSE (SPC-5 §6.39).
 */
#include "scsi/scsi_dev_internal.h"

uint8_t scsi_sense_build(uint8_t *buf, bool descriptor, uint8_t key, uint16_t asc)
{
	if (descriptor) {
		/* SPC-5 §4.4.2: descriptor format, no descriptors: we report no
		 * INFORMATION, so the header is all of it. */
		struct scsi_sense_desc *d = (struct scsi_sense_desc *)buf;

		memset(d, 0, sizeof(*d));
		d->response_code = SCSI_SENSE_DESC_CURRENT;
		d->key = key & 0x0f;
		d->asc = (uint8_t)(asc >> 8);
		d->ascq = (uint8_t)asc;
		d->additional_length = 0;
		return sizeof(*d);
	}
	/* SPC-5 §4.4.3: fixed format; VALID 0 (INFORMATION not defined),
	 * ADDITIONAL SENSE LENGTH n - 7 = 10 for the 18 bytes. */
	struct scsi_sense_fixed *f = (struct scsi_sense_fixed *)buf;

	memset(f, 0, sizeof(*f));
	f->response_code = SCSI_SENSE_FIXED_CURRENT;
	f->key = key & 0x0f;
	f->additional_length = sizeof(*f) - 8;
	f->asc = (uint8_t)(asc >> 8);
	f->ascq = (uint8_t)asc;
	return sizeof(*f);
}

void scsi_task_set_check(struct scsi_task *t, bool descriptor, uint8_t key, uint16_t asc)
{
	t->op = SCSI_DEV_OP_DONE;
	t->status = SCSI_STATUS_CHECK_CONDITION;
	t->xfer_len = 0;
	t->sense_len = scsi_sense_build(t->sense, descriptor, key, asc);
}

void scsi_lun_init(struct scsi_lun *lun, const struct scsi_lun_props *props)
{
	lun->props = *props;
	/* SAM-5 §5.14: a logical unit establishes a unit attention for its
	 * power on (29h/00h) toward every I_T nexus. */
	__atomic_store_n(&lun->ua, SCSI_UA_POWER_ON, __ATOMIC_RELAXED);
}

void scsi_lun_set_ua(struct scsi_lun *lun, uint32_t ua)
{
	__atomic_fetch_or(&lun->ua, ua, __ATOMIC_RELAXED);
}

void scsi_lun_resize(struct scsi_lun *lun, uint64_t num_blocks)
{
	__atomic_store_n(&lun->props.num_blocks, num_blocks, __ATOMIC_RELAXED);
	/* SBC-4 §4.6 (capacity): a changed capacity is announced with CAPACITY
	 * DATA HAS CHANGED (2Ah/09h). */
	scsi_lun_set_ua(lun, SCSI_UA_CAPACITY_CHANGED);
}

uint64_t scsi_lun_num_blocks(const struct scsi_lun *lun)
{
	return __atomic_load_n(&lun->props.num_blocks, __ATOMIC_RELAXED);
}

static const uint16_t g_ua_asc[] = {
    SCSI_ASC_POWER_ON_RESET,	     /* SCSI_UA_POWER_ON */
    SCSI_ASC_BUS_DEVICE_RESET,	     /* SCSI_UA_LUN_RESET */
    SCSI_ASC_I_T_NEXUS_LOSS,	     /* SCSI_UA_NEXUS_LOSS */
    SCSI_ASC_CAPACITY_DATA_CHANGED,  /* SCSI_UA_CAPACITY_CHANGED */
    SCSI_ASC_REPORTED_LUNS_DATA_HAS_CHANGED, /* SCSI_UA_LUNS_CHANGED */
};

/* SAM-5 §5.14: each condition is reported once and then cleared; several
 * pending are reported one command at a time, a power on or reset first.
 * Queues on other reactors may take one at the same moment: the clear is a
 * compare-and-swap, so each condition is reported exactly once. */
uint16_t scsi_lun_take_ua(struct scsi_lun *lun)
{
	uint32_t cur = __atomic_load_n(&lun->ua, __ATOMIC_RELAXED);

	while (cur) {
		unsigned bit = (unsigned)__builtin_ctz(cur);

		if (__atomic_compare_exchange_n(&lun->ua, &cur, cur & ~(1u << bit), false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return g_ua_asc[bit];
	}
	return 0;
}

/*
 * SPC-5 §6.39 REQUEST SENSE: the sense data of a pending unit attention
 * (which it clears, SAM-5 §5.14), else NO SENSE; a LUN that is not there
 * answers ILLEGAL REQUEST / LOGICAL UNIT NOT SUPPORTED as parameter data
 * with GOOD status (SAM-5 §5.9). The format is the CDB's DESC bit, not
 * D_SENSE.
 */
void scsi_dev_request_sense(struct scsi_lun *lun, const uint8_t *cdb, uint8_t *data,
			    struct scsi_task *t)
{
	bool desc = cdb[1] & 0x01;
	uint16_t ua;
	uint8_t len;

	if (!lun)
		len = scsi_sense_build(data, desc, SCSI_SK_ILLEGAL_REQUEST,
				       SCSI_ASC_LOGICAL_UNIT_NOT_SUPPORTED);
	else if ((ua = scsi_lun_take_ua(lun)) != 0)
		len = scsi_sense_build(data, desc, SCSI_SK_UNIT_ATTENTION, ua);
	else
		len = scsi_sense_build(data, desc, SCSI_SK_NO_SENSE, SCSI_ASC_NONE);
	scsi_task_data(t, len, cdb[4]);
}

void scsi_lun_encode(uint16_t lun, uint8_t out[8])
{
	memset(out, 0, 8);
	if (lun < 256) {
		out[1] = (uint8_t)lun;
	} else {
		out[0] = (uint8_t)(0x40 | ((lun >> 8) & 0x3f));
		out[1] = (uint8_t)lun;
	}
}
