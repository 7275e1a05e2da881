/* SPDX-License-Identifier: MIT */
/* CDBs a host sends to a disk (SPC-5 §6, SBC-4 §5). Every builder starts
 * from a zeroed SCSI_HOST_CDB_MAX buffer, so reserved fields and CONTROL
 * are 0 (SAM-5 §5.2: NACA 0, no linked commands). */
#include <errno.h>
#include <string.h>

#include "scsi/scsi_host.h"
#include "spec/scsi.h"

#define CDB_IMMED     0x02 /* SBC-4 §5.26: byte 1 bit 1 of SYNCHRONIZE CACHE */
#define CDB_WS_UNMAP  0x08 /* SBC-4 §5.46: byte 1 bit 3 of WRITE SAME(16) */
#define CDB_WS_NDOB   0x01 /* SBC-4 §5.46: byte 1 bit 0 */
#define CDB_MS_DBD    0x08 /* SPC-5 §6.13: byte 1 bit 3 of MODE SENSE */
#define CDB_MS_LLBAA  0x10 /* SPC-5 §6.14: byte 1 bit 4 of MODE SENSE(10) */
#define CDB_RS_DESC   0x01 /* SPC-5 §6.39: byte 1 bit 0 of REQUEST SENSE */
#define CDB_SSU_IMMED 0x01 /* SBC-4 §5.25: byte 1 bit 0 of START STOP UNIT */
#define CDB_SSU_LOEJ  0x02 /* SBC-4 §5.25: byte 4 bit 1 */
#define CDB_SSU_START 0x01 /* SBC-4 §5.25: byte 4 bit 0 */

static int cdb_start(uint8_t *cdb, uint8_t opcode, int len)
{
	memset(cdb, 0, SCSI_HOST_CDB_MAX);
	cdb[0] = opcode;
	return len;
}

int scsi_host_cdb_inquiry(uint8_t *cdb, bool evpd, uint8_t page, uint16_t alloc_len)
{
	/* SPC-5 §6.7.1: a PAGE CODE other than 0 with EVPD 0 is an invalid
	 * field in the CDB. */
	if (!evpd && page)
		return -EINVAL;
	cdb_start(cdb, SCSI_OP_INQUIRY, 6);
	cdb[1] = evpd ? SCSI_INQ_EVPD : 0;
	cdb[2] = page;
	scsi_put_be16(cdb + 3, alloc_len);
	return 6;
}

int scsi_host_cdb_report_luns(uint8_t *cdb, uint8_t select, uint32_t alloc_len)
{
	if (alloc_len < 16)
		return -EINVAL;
	cdb_start(cdb, SCSI_OP_REPORT_LUNS, 12);
	cdb[2] = select;
	scsi_put_be32(cdb + 6, alloc_len);
	return 12;
}

int scsi_host_cdb_test_unit_ready(uint8_t *cdb)
{
	return cdb_start(cdb, SCSI_OP_TEST_UNIT_READY, 6);
}

int scsi_host_cdb_request_sense(uint8_t *cdb, bool desc, uint8_t alloc_len)
{
	cdb_start(cdb, SCSI_OP_REQUEST_SENSE, 6);
	cdb[1] = desc ? CDB_RS_DESC : 0;
	cdb[4] = alloc_len;
	return 6;
}

int scsi_host_cdb_read_capacity_10(uint8_t *cdb)
{
	return cdb_start(cdb, SCSI_OP_READ_CAPACITY_10, 10);
}

int scsi_host_cdb_read_capacity_16(uint8_t *cdb, uint32_t alloc_len)
{
	cdb_start(cdb, SCSI_OP_SERVICE_ACTION_IN_16, 16);
	cdb[1] = SCSI_SAI_READ_CAPACITY_16;
	scsi_put_be32(cdb + 10, alloc_len);
	return 16;
}

/* The 10-byte LBA + length layout of READ/WRITE/SYNCHRONIZE CACHE(10):
 * LBA in bytes 2..5, length in bytes 7..8. */
static int cdb_lba_10(uint8_t *cdb, uint8_t opcode, uint8_t flags, uint64_t lba, uint32_t nblocks)
{
	if (lba > UINT32_MAX || nblocks > UINT16_MAX)
		return -EINVAL;
	cdb_start(cdb, opcode, 10);
	cdb[1] = flags;
	scsi_put_be32(cdb + 2, (uint32_t)lba);
	scsi_put_be16(cdb + 7, (uint16_t)nblocks);
	return 10;
}

int scsi_host_cdb_read_10(uint8_t *cdb, uint64_t lba, uint32_t nblocks, bool fua)
{
	return cdb_lba_10(cdb, SCSI_OP_READ_10, fua ? SCSI_HOST_CDB_FUA : 0, lba, nblocks);
}

int scsi_host_cdb_write_10(uint8_t *cdb, uint64_t lba, uint32_t nblocks, bool fua)
{
	return cdb_lba_10(cdb, SCSI_OP_WRITE_10, fua ? SCSI_HOST_CDB_FUA : 0, lba, nblocks);
}

int scsi_host_cdb_sync_cache_10(uint8_t *cdb, uint64_t lba, uint32_t nblocks, bool immed)
{
	return cdb_lba_10(cdb, SCSI_OP_SYNCHRONIZE_CACHE_10, immed ? CDB_IMMED : 0, lba, nblocks);
}

int scsi_host_cdb_sync_cache_16(uint8_t *cdb, uint64_t lba, uint32_t nblocks, bool immed)
{
	return scsi_host_cdb_lba_16(cdb, SCSI_OP_SYNCHRONIZE_CACHE_16, immed ? CDB_IMMED : 0, lba,
				    nblocks);
}

int scsi_host_cdb_unmap(uint8_t *cdb, uint16_t param_len)
{
	cdb_start(cdb, SCSI_OP_UNMAP, 10);
	scsi_put_be16(cdb + 7, param_len);
	return 10;
}

int scsi_host_cdb_write_same_16(uint8_t *cdb, uint64_t lba, uint32_t nblocks, bool unmap, bool ndob)
{
	return scsi_host_cdb_lba_16(
	    cdb, SCSI_OP_WRITE_SAME_16,
	    (uint8_t)((unmap ? CDB_WS_UNMAP : 0) | (ndob ? CDB_WS_NDOB : 0)), lba, nblocks);
}

int scsi_host_cdb_mode_sense_6(uint8_t *cdb, bool dbd, uint8_t pc, uint8_t page, uint8_t subpage,
			       uint8_t alloc_len)
{
	/* SPC-5 §6.13: PC is 2 bits, PAGE CODE 6 bits of byte 2. */
	if (pc > 3 || page > SCSI_MODE_PAGE_ALL)
		return -EINVAL;
	cdb_start(cdb, SCSI_OP_MODE_SENSE_6, 6);
	cdb[1] = dbd ? CDB_MS_DBD : 0;
	cdb[2] = (uint8_t)(pc << 6 | page);
	cdb[3] = subpage;
	cdb[4] = alloc_len;
	return 6;
}

int scsi_host_cdb_mode_sense_10(uint8_t *cdb, bool llbaa, bool dbd, uint8_t pc, uint8_t page,
				uint8_t subpage, uint16_t alloc_len)
{
	if (pc > 3 || page > SCSI_MODE_PAGE_ALL)
		return -EINVAL;
	cdb_start(cdb, SCSI_OP_MODE_SENSE_10, 10);
	cdb[1] = (uint8_t)((llbaa ? CDB_MS_LLBAA : 0) | (dbd ? CDB_MS_DBD : 0));
	cdb[2] = (uint8_t)(pc << 6 | page);
	cdb[3] = subpage;
	scsi_put_be16(cdb + 7, alloc_len);
	return 10;
}

int scsi_host_cdb_start_stop_unit(uint8_t *cdb, bool immed, uint8_t power_condition, bool loej,
				  bool start)
{
	/* SBC-4 §5.25: POWER CONDITION is bits 7..4 of byte 4. */
	if (power_condition > 0xf)
		return -EINVAL;
	cdb_start(cdb, SCSI_OP_START_STOP_UNIT, 6);
	cdb[1] = immed ? CDB_SSU_IMMED : 0;
	cdb[4] = (uint8_t)(power_condition << 4 | (loej ? CDB_SSU_LOEJ : 0) |
			   (start ? CDB_SSU_START : 0));
	return 6;
}

int scsi_host_cdb_verify_16(uint8_t *cdb, uint64_t lba, uint32_t nblocks, uint8_t bytchk)
{
	/* SBC-4 §5.35: BYTCHK is bits 2..1 of byte 1; 10b is reserved. */
	if (bytchk > 3 || bytchk == 2)
		return -EINVAL;
	return scsi_host_cdb_lba_16(cdb, SCSI_OP_VERIFY_16, (uint8_t)(bytchk << 1), lba, nblocks);
}

int scsi_host_unmap_param_build(void *buf, size_t buf_len, const struct scsi_host_extent *ext,
				unsigned n)
{
	size_t len = sizeof(struct scsi_unmap_header) + (size_t)n * sizeof(struct scsi_unmap_desc);
	struct scsi_unmap_header *hdr = buf;
	struct scsi_unmap_desc *desc;

	/* SBC-4 §5.32.1: the PARAMETER LIST LENGTH field is 16 bits. */
	if (!buf || !ext || !n || len > buf_len || len > UINT16_MAX)
		return -EINVAL;
	memset(buf, 0, len);
	/* SBC-4 §5.32.2: UNMAP DATA LENGTH counts the bytes after itself,
	 * UNMAP BLOCK DESCRIPTOR DATA LENGTH the descriptors. */
	scsi_put_be16(hdr->data_length, (uint16_t)(len - 2));
	scsi_put_be16(hdr->block_desc_length, (uint16_t)(len - sizeof(*hdr)));
	desc = (struct scsi_unmap_desc *)(hdr + 1);
	for (unsigned i = 0; i < n; i++) {
		scsi_put_be64(desc[i].lba, ext[i].lba);
		scsi_put_be32(desc[i].num_blocks, ext[i].nblocks);
	}
	return (int)len;
}
