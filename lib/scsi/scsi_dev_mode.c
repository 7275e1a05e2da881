/* SPDX-License-Identifier: MIT */
/*
 * MODE SENSE(6) / (10) (SPC-5 §6.14, §6.15) for the pages Linux and Windows
 * ask a disk for: read-write error recovery (01h, SBC-4 §6.5.9), caching
 * (08h, SBC-4 §6.5.5), control (0Ah, SPC-5 §7.5.10), informational
 * exceptions control (1Ch, SPC-5 §7.5.14) and all of them (3Fh). Nothing is
 * changeable (we take no MODE SELECT), so the changeable values are zeroes
 * and the default values are the current ones.
 */
#include "scsi/scsi_dev_internal.h"

enum mode_pc {
	MODE_PC_CURRENT = 0,
	MODE_PC_CHANGEABLE = 1,
	MODE_PC_DEFAULT = 2,
	MODE_PC_SAVED = 3,
};

/* One page at p, as page control asks; returns its length. */
static uint32_t mode_page(const struct scsi_lun *lun, uint8_t page, enum mode_pc pc, uint8_t *p)
{
	bool values = pc != MODE_PC_CHANGEABLE;
	uint8_t len;

	switch (page) {
	case SCSI_MODE_PAGE_RW_ERROR_RECOVERY:
	case SCSI_MODE_PAGE_INFORMATIONAL_EXCEPTIONS:
		/* No recovery we could tune, no exceptions we report: all
		 * fields zero. */
		len = 12;
		break;
	case SCSI_MODE_PAGE_CACHING:
		len = 20;
		/* SBC-4 §6.5.5: WCE, the volatile cache holds writes. */
		if (values && lun->props.write_cache)
			p[2] = SCSI_CACHING_WCE;
		break;
	case SCSI_MODE_PAGE_CONTROL:
		len = 12;
		if (values) {
			/* SPC-5 §7.5.10: D_SENSE (byte 2 bit 2) says which sense
			 * data format we return (SPC-5 §4.4.1); QUEUE ALGORITHM
			 * MODIFIER 1h: commands may be reordered. */
			p[2] = lun->props.descriptor_sense ? 0x04 : 0;
			p[3] = 0x10;
		}
		break;
	default:
		return 0;
	}
	p[0] = page;
	p[1] = len - 2; /* PAGE LENGTH: bytes after it */
	return len;
}

static const uint8_t g_all_pages[] = {
    SCSI_MODE_PAGE_RW_ERROR_RECOVERY,
    SCSI_MODE_PAGE_CACHING,
    SCSI_MODE_PAGE_CONTROL,
    SCSI_MODE_PAGE_INFORMATIONAL_EXCEPTIONS,
};

void scsi_dev_mode_sense(const struct scsi_lun *lun, const uint8_t *cdb, uint8_t *data,
			 struct scsi_task *t)
{
	bool ten = cdb[0] == SCSI_OP_MODE_SENSE_10;
	bool dbd = cdb[1] & 0x08;
	bool llbaa = ten && (cdb[1] & 0x10);
	enum mode_pc pc = cdb[2] >> 6;
	uint8_t page = cdb[2] & 0x3f, subpage = cdb[3];
	uint32_t alloc_len = ten ? scsi_get_be16(cdb + 7) : cdb[4];
	uint32_t hdr = ten ? sizeof(struct scsi_mode_header_10) : sizeof(struct scsi_mode_header_6);
	uint32_t bd_len = dbd ? 0 : llbaa ? 16 : 8;
	uint64_t blocks = scsi_lun_num_blocks(lun);
	uint8_t *bd = data + hdr, *pages = bd + bd_len;
	uint32_t len = 0;
	uint8_t devspec;

	memset(data, 0, SCSI_DEV_DATA_MAX);
	/* SPC-5 §6.14: "If the PC field is set to 11b and saved values are not
	 * implemented, the command shall be terminated with CHECK CONDITION
	 * status, with the sense key set to ILLEGAL REQUEST and the additional
	 * sense code set to SAVING PARAMETERS NOT SUPPORTED." */
	if (pc == MODE_PC_SAVED) {
		scsi_task_set_check(t, lun->props.descriptor_sense, SCSI_SK_ILLEGAL_REQUEST,
				    SCSI_ASC_SAVING_PARAMETERS_NOT_SUPPORTED);
		return;
	}
	/* SPC-5 §6.14: a page or subpage the device does not implement is
	 * INVALID FIELD IN CDB; we have no subpages (FFh: all of them, with
	 * 3Fh, is the pages themselves). */
	if (page == SCSI_MODE_PAGE_ALL && (subpage == 0 || subpage == 0xff)) {
		for (size_t i = 0; i < sizeof(g_all_pages); i++)
			len += mode_page(lun, g_all_pages[i], pc, pages + len);
	} else if (subpage == 0) {
		len = mode_page(lun, page, pc, pages);
	}
	if (len == 0) {
		scsi_task_bad_field(t, lun);
		return;
	}
	if (bd_len == 8) {
		/* SBC-4 §6.4.2 short LBA mode parameter block descriptor: the
		 * block count, FFFF_FFFFh when it does not fit. */
		scsi_put_be32(bd, blocks > UINT32_MAX ? UINT32_MAX : (uint32_t)blocks);
		scsi_put_be32(bd + 4, lun->props.block_size & 0xffffff);
	} else if (bd_len == 16) {
		/* SBC-4 §6.4.3 long LBA mode parameter block descriptor */
		scsi_put_be64(bd, blocks);
		scsi_put_be32(bd + 12, lun->props.block_size);
	}
	/* SBC-4 §6.5.1: WP for a read-only LUN; DPOFUA: FUA is honoured. */
	devspec = (lun->props.read_only ? SCSI_MODE_WP : 0) | SCSI_MODE_DPOFUA;
	len += hdr + bd_len;
	if (ten) {
		struct scsi_mode_header_10 *h = (struct scsi_mode_header_10 *)data;

		/* SPC-5 §7.5.5: MODE DATA LENGTH counts the bytes after it. */
		scsi_put_be16(h->mode_data_length, (uint16_t)(len - 2));
		h->device_specific = devspec;
		h->longlba = bd_len == 16;
		scsi_put_be16(h->block_desc_length, (uint16_t)bd_len);
	} else {
		struct scsi_mode_header_6 *h = (struct scsi_mode_header_6 *)data;

		h->mode_data_length = (uint8_t)(len - 1);
		h->device_specific = devspec;
		h->block_desc_length = (uint8_t)bd_len;
	}
	scsi_task_data(t, len, alloc_len);
}
