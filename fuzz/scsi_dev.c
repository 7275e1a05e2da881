/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the SCSI target emulation (lib/scsi/scsi_dev.h) with any CDB a
 * guest can put in a virtio-scsi request, against a logical unit whose
 * properties and pending unit attentions come from the input too, and an
 * UNMAP parameter list from its tail. Besides not crashing, the answer must
 * keep the emulation's promises: an emulated answer fits the data-in
 * buffer; CHECK CONDITION carries sense data of the format D_SENSE asks
 * for; a READ / WRITE lies inside the LUN and within its transfer limit;
 * UNMAP ranges lie inside the LUN.
 *
 * Input: [props: 8 bytes][CDB: 32 bytes][UNMAP parameter list]
 */
#include <stdlib.h>
#include <string.h>

#include "scsi/scsi_dev.h"
#include "spec/scsi.h"

#define PROPS_LEN 8
#define CDB_LEN	  32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lun_from(const uint8_t *p, struct scsi_lun *lun)
{
	struct scsi_lun_props props;

	memset(&props, 0, sizeof(props));
	props.block_size = 512u << (p[0] % 4);
	props.num_blocks = 1 + ((uint64_t)p[1] | (uint64_t)p[2] << 8 | (uint64_t)p[3] << 16 |
				(uint64_t)(p[4] & 0x3f) << 24 | (uint64_t)(p[4] >> 6) << 40);
	props.max_transfer_blocks = 1 + p[6];
	props.max_unmap_blocks = 1 + (uint32_t)p[6] * 64;
	props.read_only = p[5] & 0x01;
	props.write_cache = p[5] & 0x02;
	props.unmap = p[5] & 0x04;
	props.unmap_zeroes = p[5] & 0x08;
	props.write_zeroes = p[5] & 0x10;
	props.descriptor_sense = p[5] & 0x20;
	strcpy(props.vendor, "FUZZ");
	strcpy(props.product, "lun");
	strcpy(props.revision, "1");
	memset(props.serial, 'S', p[0] % sizeof(props.serial));
	scsi_lun_init(lun, &props);
	lun->ua = p[7] & 0x1f;
}

static void check_task(const struct scsi_lun *lun, const struct scsi_task *t)
{
	const struct scsi_lun_props *p = lun ? &lun->props : NULL;
	bool desc = p && p->descriptor_sense;

	switch (t->op) {
	case SCSI_DEV_OP_DONE:
		if (t->xfer_len > SCSI_DEV_DATA_MAX)
			abort();
		if (t->status == SCSI_STATUS_CHECK_CONDITION &&
		    (t->xfer_len != 0 ||
		     t->sense_len != (desc ? sizeof(struct scsi_sense_desc)
					   : sizeof(struct scsi_sense_fixed)) ||
		     (t->sense[0] & 0x7f) !=
			 (desc ? SCSI_SENSE_DESC_CURRENT : SCSI_SENSE_FIXED_CURRENT)))
			abort();
		if (t->status != SCSI_STATUS_CHECK_CONDITION && t->status != SCSI_STATUS_GOOD)
			abort();
		return;
	case SCSI_DEV_OP_READ:
	case SCSI_DEV_OP_WRITE:
		if (!p || t->num_blocks == 0 || t->num_blocks > p->max_transfer_blocks ||
		    t->lba >= p->num_blocks || t->num_blocks > p->num_blocks - t->lba ||
		    t->xfer_len != t->num_blocks * p->block_size ||
		    (t->op == SCSI_DEV_OP_WRITE && p->read_only))
			abort();
		return;
	case SCSI_DEV_OP_WRITE_SAME:
		if (!p || p->read_only || t->num_blocks == 0 || t->lba >= p->num_blocks ||
		    t->num_blocks > p->num_blocks - t->lba)
			abort();
		return;
	case SCSI_DEV_OP_FLUSH:
	case SCSI_DEV_OP_UNMAP:
		if (!p)
			abort();
		return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ids[] = {0, 1, 7};
	const struct scsi_lun_list luns = {ids, 3};
	struct scsi_unmap_range ranges[SCSI_DEV_UNMAP_DESC_MAX];
	uint8_t cdb[CDB_LEN] = {0}, out[SCSI_DEV_DATA_MAX];
	struct scsi_task t;
	struct scsi_lun lun;
	bool absent;
	int n;

	if (size < PROPS_LEN)
		return 0;
	lun_from(data, &lun);
	absent = data[7] & 0x80;
	memcpy(cdb, data + PROPS_LEN, size - PROPS_LEN < CDB_LEN ? size - PROPS_LEN : CDB_LEN);
	scsi_dev_exec(absent ? NULL : &lun, &luns, cdb, data[7] & 0x40 ? 10 : CDB_LEN, out, &t);
	check_task(absent ? NULL : &lun, &t);
	if (t.op != SCSI_DEV_OP_UNMAP || size <= PROPS_LEN + CDB_LEN)
		return 0;
	n = scsi_dev_unmap_parse(&lun, data + PROPS_LEN + CDB_LEN, size - PROPS_LEN - CDB_LEN,
				 ranges, &t);
	if (n < 0) {
		check_task(&lun, &t);
		return 0;
	}
	if (n > SCSI_DEV_UNMAP_DESC_MAX)
		abort();
	for (int i = 0; i < n; i++) {
		if (ranges[i].num_blocks == 0 || ranges[i].lba >= lun.props.num_blocks ||
		    ranges[i].num_blocks > lun.props.num_blocks - ranges[i].lba ||
		    ranges[i].num_blocks > lun.props.max_unmap_blocks)
			abort();
	}
	return 0;
}
