/* SPDX-License-Identifier: MIT */
/*
 * What a host asks a disk about itself: INQUIRY with its vital product data
 * pages (SPC-5 §6.7, §7.7; SBC-4 §6.6), REPORT LUNS (SPC-5 §6.33) and READ
 * CAPACITY(10) / (16) (SBC-4 §5.20, §5.21).
 */
#include "scsi/scsi_dev_internal.h"
#include "util/common.h"

/* SPC-5 §6.7.2: a LUN that is there is a connected disk; one that is not
 * answers peripheral qualifier 011b and type 1Fh. */
static uint8_t peripheral(const struct scsi_lun *lun)
{
	return lun ? SCSI_PQ_CONNECTED | SCSI_TYPE_DISK : SCSI_PQ_NOT_SUPPORTED | SCSI_TYPE_NONE;
}

static uint32_t inquiry_std(const struct scsi_lun *lun, uint8_t *data)
{
	struct scsi_inquiry_std *s = (struct scsi_inquiry_std *)data;

	memset(s, 0, sizeof(*s));
	s->peripheral = peripheral(lun);
	s->version = SCSI_INQ_VERSION_SPC5;
	/* SPC-5 §6.7.2: RESPONSE DATA FORMAT 2; HISUP: LUNs are hierarchical
	 * (SAM-5 §4.7); CMDQUE: we queue commands. */
	s->flags3 = SCSI_INQ_RESPONSE_DATA_FORMAT | SCSI_INQ_HISUP;
	s->flags7 = SCSI_INQ_CMDQUE;
	/* ADDITIONAL LENGTH: n - 4 */
	s->additional_length = sizeof(*s) - 5;
	if (lun) {
		scsi_put_ascii((uint8_t *)s->vendor, lun->props.vendor, sizeof(s->vendor));
		scsi_put_ascii((uint8_t *)s->product, lun->props.product, sizeof(s->product));
		scsi_put_ascii((uint8_t *)s->revision, lun->props.revision, sizeof(s->revision));
	} else {
		memset(s->vendor, ' ', sizeof(s->vendor) + sizeof(s->product) + sizeof(s->revision));
	}
	return sizeof(*s);
}

static const uint8_t g_vpd_pages[] = {
    SCSI_VPD_SUPPORTED_PAGES,	   SCSI_VPD_UNIT_SERIAL_NUMBER,
    SCSI_VPD_DEVICE_IDENTIFICATION, SCSI_VPD_BLOCK_LIMITS,
    SCSI_VPD_BLOCK_DEVICE_CHARACTERISTICS, SCSI_VPD_LOGICAL_BLOCK_PROVISIONING,
};

/* SPC-5 §7.7.6: page 83h, the LUN's designators: an NAA IEEE Registered
 * one (binary, 8 bytes) and a T10 vendor ID based one (vendor + serial). */
static uint32_t vpd_device_id(const struct scsi_lun *lun, uint8_t *p)
{
	struct scsi_vpd_designator *d = (struct scsi_vpd_designator *)p;
	size_t serial_len = strnlen(lun->props.serial, sizeof(lun->props.serial));
	uint32_t off;

	d->code_set = SCSI_CODE_SET_BINARY;
	d->type = SCSI_ASSOC_LUN | SCSI_DESIGNATOR_NAA;
	d->reserved = 0;
	d->length = 8;
	/* SPC-5 §7.7.6.6.3: NAA 5h in the top nibble, then the IEEE company id
	 * and the vendor specific identifier the props carry. */
	scsi_put_be64(p + sizeof(*d), (lun->props.naa & 0x0fffffffffffffffULL) | 5ULL << 60);
	off = sizeof(*d) + 8;
	d = (struct scsi_vpd_designator *)(p + off);
	d->code_set = SCSI_CODE_SET_ASCII;
	d->type = SCSI_ASSOC_LUN | SCSI_DESIGNATOR_T10_VENDOR;
	d->reserved = 0;
	d->length = (uint8_t)(8 + serial_len);
	scsi_put_ascii(p + off + sizeof(*d), lun->props.vendor, 8);
	memcpy(p + off + sizeof(*d) + 8, lun->props.serial, serial_len);
	return off + sizeof(*d) + d->length;
}

/* SBC-4 §6.6.4 Block Limits: what one command may be. */
static void vpd_block_limits(const struct scsi_lun *lun, uint8_t *data)
{
	struct scsi_vpd_block_limits *b = (struct scsi_vpd_block_limits *)data;
	const struct scsi_lun_props *p = &lun->props;

	/* WSNZ: a WRITE SAME of 0 blocks (the whole medium) is refused. */
	b->wsnz = 0x01;
	scsi_put_be32(b->max_transfer_len, p->max_transfer_blocks);
	scsi_put_be32(b->opt_transfer_len, p->optimal_transfer_blocks);
	if (p->unmap) {
		scsi_put_be32(b->max_unmap_lba_count, p->max_unmap_blocks);
		scsi_put_be32(b->max_unmap_block_desc_count, SCSI_DEV_UNMAP_DESC_MAX);
		scsi_put_be32(b->opt_unmap_gran, 1);
	}
	if (p->unmap || p->write_zeroes)
		scsi_put_be64(b->max_write_same_len, p->max_unmap_blocks);
}

static uint32_t vpd_page(const struct scsi_lun *lun, uint8_t page, uint8_t *data)
{
	struct scsi_vpd_header *h = (struct scsi_vpd_header *)data;
	uint8_t *body = data + sizeof(*h);
	uint32_t len;

	switch (page) {
	case SCSI_VPD_SUPPORTED_PAGES:
		len = sizeof(g_vpd_pages);
		memcpy(body, g_vpd_pages, len);
		break;
	case SCSI_VPD_UNIT_SERIAL_NUMBER:
		len = (uint32_t)strnlen(lun->props.serial, sizeof(lun->props.serial));
		memcpy(body, lun->props.serial, len);
		break;
	case SCSI_VPD_DEVICE_IDENTIFICATION:
		len = vpd_device_id(lun, body);
		break;
	case SCSI_VPD_BLOCK_LIMITS:
		vpd_block_limits(lun, data);
		len = sizeof(struct scsi_vpd_block_limits) - sizeof(*h);
		break;
	case SCSI_VPD_BLOCK_DEVICE_CHARACTERISTICS: {
		struct scsi_vpd_block_characteristics *c = (void *)data;

		/* SBC-4 §6.6.2: 0001h, a non-rotating medium. */
		scsi_put_be16(c->rotation_rate, 1);
		len = sizeof(*c) - sizeof(*h);
		break;
	}
	case SCSI_VPD_LOGICAL_BLOCK_PROVISIONING: {
		struct scsi_vpd_lbp *l = (void *)data;

		/* SBC-4 §6.6.6: LBPU (UNMAP), LBPWS and LBPWS10 (WRITE SAME
		 * with UNMAP) when the LUN can unmap, which makes it thin
		 * provisioned; LBPRZ when unmapped blocks read zeroes. */
		if (lun->props.unmap) {
			l->flags5 = SCSI_LBP_LBPU | SCSI_LBP_LBPWS | SCSI_LBP_LBPWS10;
			if (lun->props.unmap_zeroes)
				l->flags5 |= SCSI_LBP_LBPRZ;
			l->provisioning_type = SCSI_LBP_THIN;
		}
		len = sizeof(*l) - sizeof(*h);
		break;
	}
	default:
		return 0;
	}
	h->peripheral = peripheral(lun);
	h->page_code = page;
	scsi_put_be16(h->page_length, (uint16_t)len);
	return sizeof(*h) + len;
}

/* SPC-5 §6.7.1 INQUIRY. Neither reports nor clears a unit attention (SAM-5
 * §5.14), which the caller sees to. */
void scsi_dev_inquiry(struct scsi_lun *lun, const uint8_t *cdb, uint8_t *data,
		      struct scsi_task *t)
{
	uint16_t alloc_len = scsi_get_be16(cdb + 3);
	uint32_t len;

	memset(data, 0, SCSI_DEV_DATA_MAX);
	/* SPC-5 §6.7.1: "If the EVPD bit is set to zero and the PAGE CODE
	 * field is not set to zero, the device server shall terminate the
	 * command with CHECK CONDITION status, with the sense key set to
	 * ILLEGAL REQUEST, and the additional sense code set to INVALID FIELD
	 * IN CDB." Bit 1 (CMDDT, obsolete) is refused the same way. */
	if ((cdb[1] & 0xfe) != 0 || (!(cdb[1] & SCSI_INQ_EVPD) && cdb[2] != 0)) {
		scsi_task_bad_field(t, lun);
		return;
	}
	if (!(cdb[1] & SCSI_INQ_EVPD)) {
		scsi_task_data(t, inquiry_std(lun, data), alloc_len);
		return;
	}
	/* SPC-5 §6.7.1: a VPD page the LUN does not have is INVALID FIELD IN
	 * CDB; a LUN that is not there has none. */
	len = lun ? vpd_page(lun, cdb[2], data) : 0;
	if (len == 0) {
		scsi_task_bad_field(t, lun);
		return;
	}
	scsi_task_data(t, len, alloc_len);
}

/* SPC-5 §6.33 REPORT LUNS: the LUNs of the addressed target, answered
 * through any LUN of it, present or not. */
void scsi_dev_report_luns(const struct scsi_lun *lun, const struct scsi_lun_list *luns,
			  const uint8_t *cdb, uint8_t *data, struct scsi_task *t)
{
	struct scsi_report_luns_header *h = (struct scsi_report_luns_header *)data;
	uint32_t alloc_len = scsi_get_be32(cdb + 6);
	unsigned n = 0;

	memset(data, 0, SCSI_DEV_DATA_MAX);
	switch (cdb[2]) {
	case SCSI_REPORT_LUNS_ALL:
	case SCSI_REPORT_LUNS_ALL_AND_WELL_KNOWN:
		/* We report no well-known logical units. */
		n = MIN(luns->n, (unsigned)SCSI_DEV_MAX_LUNS);
		break;
	case SCSI_REPORT_LUNS_WELL_KNOWN:
		break;
	default:
		/* SPC-5 §6.33: a SELECT REPORT value not supported is INVALID
		 * FIELD IN CDB. */
		scsi_task_bad_field(t, lun);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		scsi_lun_encode(luns->luns[i], data + sizeof(*h) + 8 * i);
	scsi_put_be32(h->lun_list_length, 8 * n);
	scsi_task_data(t, (uint32_t)(sizeof(*h) + 8 * n), alloc_len);
}

/* READ CAPACITY(10) (SBC-4 §5.20) and SERVICE ACTION IN(16) READ CAPACITY(16)
 * (SBC-4 §5.21). */
void scsi_dev_read_capacity(const struct scsi_lun *lun, const uint8_t *cdb, uint8_t *data,
			    struct scsi_task *t)
{
	uint64_t last = scsi_lun_num_blocks(lun) - 1;

	memset(data, 0, SCSI_DEV_DATA_MAX);
	if (cdb[0] == SCSI_OP_READ_CAPACITY_10) {
		struct scsi_read_capacity_10 *r = (struct scsi_read_capacity_10 *)data;

		/* SBC-4 §5.20.2: "If the number of logical blocks exceeds the
		 * maximum value that is able to be specified in the RETURNED
		 * LOGICAL BLOCK ADDRESS field, the device server shall set the
		 * RETURNED LOGICAL BLOCK ADDRESS field to FFFF_FFFFh." */
		scsi_put_be32(r->last_lba, last > UINT32_MAX ? UINT32_MAX : (uint32_t)last);
		scsi_put_be32(r->block_len, lun->props.block_size);
		scsi_task_data(t, sizeof(*r), sizeof(*r));
		return;
	}
	struct scsi_read_capacity_16 *r = (struct scsi_read_capacity_16 *)data;

	scsi_put_be64(r->last_lba, last);
	scsi_put_be32(r->block_len, lun->props.block_size);
	/* SBC-4 §5.21.2: LBPME when the LUN is thin provisioned (it unmaps),
	 * LBPRZ as on page B2h. */
	if (lun->props.unmap)
		r->lbp_align[0] = SCSI_RC16_LBPME |
				  (lun->props.unmap_zeroes ? SCSI_RC16_LBPRZ : 0);
	scsi_task_data(t, sizeof(*r), scsi_get_be32(cdb + 10));
}
