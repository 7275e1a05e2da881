/* SPDX-License-Identifier: MIT */
/* The SCSI target emulation (lib/scsi/scsi_dev.h): command decoding, edge
 * LBAs and lengths, sense data in both formats, unit attentions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "scsi/scsi_dev.h"
#include "spec/scsi.h"

#define BLOCKS 2048u

static struct scsi_lun g_lun;
static uint8_t g_data[SCSI_DEV_DATA_MAX];
static const uint16_t g_lun_ids[] = {0, 1, 300};
static const struct scsi_lun_list g_luns = {g_lun_ids, 3};

static void props_default(struct scsi_lun_props *p)
{
	memset(p, 0, sizeof(*p));
	p->block_size = 512;
	p->num_blocks = BLOCKS;
	p->max_transfer_blocks = 256;
	p->max_unmap_blocks = 1024;
	p->unmap = true;
	p->unmap_zeroes = true;
	p->write_zeroes = true;
	p->write_cache = true;
	strcpy(p->vendor, "STORLAB");
	strcpy(p->product, "malloc0");
	strcpy(p->revision, "0.1");
	strcpy(p->serial, "SN-0001");
	p->naa = 0x0123456789abcdefULL;
}

/* A LUN whose power-on unit attention was already taken. */
static int setup(void **state)
{
	struct scsi_lun_props p;

	(void)state;
	props_default(&p);
	scsi_lun_init(&g_lun, &p);
	g_lun.ua = 0;
	return 0;
}

static void exec(const uint8_t *cdb, size_t len, struct scsi_task *t)
{
	scsi_dev_exec(&g_lun, &g_luns, cdb, len, g_data, t);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

/* Fixed format: key in byte 2, ASC/ASCQ in 12/13; descriptor: 1, 2/3. */
static void assert_check(const struct scsi_task *t, uint8_t key, uint16_t asc)
{
	assert_int_equal(t->op, SCSI_DEV_OP_DONE);
	assert_int_equal(t->status, SCSI_STATUS_CHECK_CONDITION);
	assert_int_equal(t->xfer_len, 0);
	if (t->sense[0] == SCSI_SENSE_FIXED_CURRENT) {
		assert_int_equal(t->sense_len, 18);
		assert_int_equal(t->sense[7], 10);
		assert_int_equal(t->sense[2] & 0x0f, key);
		assert_int_equal(t->sense[12] << 8 | t->sense[13], asc);
	} else {
		assert_int_equal(t->sense[0], SCSI_SENSE_DESC_CURRENT);
		assert_int_equal(t->sense_len, 8);
		assert_int_equal(t->sense[1] & 0x0f, key);
		assert_int_equal(t->sense[2] << 8 | t->sense[3], asc);
	}
}

static void test_unknown_opcode(void **state)
{
	uint8_t cdb[16] = {0xc0};
	struct scsi_task t;

	(void)state;
	exec(cdb, sizeof(cdb), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_COMMAND_OPERATION_CODE);
	assert_int_equal(t.sense[0], SCSI_SENSE_FIXED_CURRENT);
	cdb[0] = SCSI_OP_MODE_SELECT_6;
	exec(cdb, sizeof(cdb), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_COMMAND_OPERATION_CODE);
	/* a CDB shorter than its group's length */
	cdb[0] = SCSI_OP_READ_16;
	exec(cdb, 10, &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_COMMAND_OPERATION_CODE);
}

static void test_descriptor_sense(void **state)
{
	uint8_t cdb[16] = {0xc0};
	struct scsi_task t;

	(void)state;
	g_lun.props.descriptor_sense = true;
	exec(cdb, sizeof(cdb), &t);
	assert_int_equal(t.sense[0], SCSI_SENSE_DESC_CURRENT);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_COMMAND_OPERATION_CODE);
	/* MODE SENSE control page shows D_SENSE */
	uint8_t ms[6] = {SCSI_OP_MODE_SENSE_6, 0x08, SCSI_MODE_PAGE_CONTROL, 0, 255, 0};
	exec(ms, sizeof(ms), &t);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	assert_int_equal(t.xfer_len, 4 + 12);
	assert_int_equal(g_data[4], SCSI_MODE_PAGE_CONTROL);
	assert_int_equal(g_data[4 + 2] & 0x04, 0x04);
}

static void test_rw_edges(void **state)
{
	uint8_t cdb[16] = {SCSI_OP_READ_16};
	struct scsi_task t;

	(void)state;
	/* the last block */
	put_be64(cdb + 2, BLOCKS - 1);
	put_be32(cdb + 10, 1);
	exec(cdb, sizeof(cdb), &t);
	assert_int_equal(t.op, SCSI_DEV_OP_READ);
	assert_int_equal(t.lba, BLOCKS - 1);
	assert_int_equal(t.num_blocks, 1);
	assert_int_equal(t.xfer_len, 512);
	/* one past it */
	put_be32(cdb + 10, 2);
	exec(cdb, sizeof(cdb), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
	/* length 0 at the capacity: out of range; inside: GOOD, nothing moves */
	put_be64(cdb + 2, BLOCKS);
	put_be32(cdb + 10, 0);
	exec(cdb, sizeof(cdb), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
	put_be64(cdb + 2, 5);
	exec(cdb, sizeof(cdb), &t);
	assert_int_equal(t.op, SCSI_DEV_OP_DONE);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	assert_int_equal(t.xfer_len, 0);
	/* an LBA + length that wraps 64 bits */
	put_be64(cdb + 2, UINT64_MAX);
	put_be32(cdb + 10, 2);
	exec(cdb, sizeof(cdb), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
	/* longer than MAXIMUM TRANSFER LENGTH */
	put_be64(cdb + 2, 0);
	put_be32(cdb + 10, 257);
	exec(cdb, sizeof(cdb), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	/* RDPROTECT */
	cdb[1] = 0x20;
	put_be32(cdb + 10, 1);
	exec(cdb, sizeof(cdb), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
}

static void test_rw_forms(void **state)
{
	struct scsi_task t;

	(void)state;
	/* READ(6): 21-bit LBA, length 0 means 256 */
	uint8_t r6[6] = {SCSI_OP_READ_6, 0x01, 0x02, 0x03, 0, 0};
	exec(r6, sizeof(r6), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
	uint8_t r6b[6] = {SCSI_OP_READ_6, 0, 0x01, 0x00, 0, 0};
	exec(r6b, sizeof(r6b), &t);
	assert_int_equal(t.op, SCSI_DEV_OP_READ);
	assert_int_equal(t.lba, 256);
	assert_int_equal(t.num_blocks, 256);
	assert_false(t.fua);
	/* WRITE(10) with FUA */
	uint8_t w10[10] = {SCSI_OP_WRITE_10, 0x08, 0, 0, 0x07, 0xff, 0, 0, 1, 0};
	exec(w10, sizeof(w10), &t);
	assert_int_equal(t.op, SCSI_DEV_OP_WRITE);
	assert_int_equal(t.lba, 2047);
	assert_int_equal(t.num_blocks, 1);
	assert_true(t.fua);
	/* WRITE(12) on a read-only LUN */
	uint8_t w12[12] = {SCSI_OP_WRITE_12, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
	g_lun.props.read_only = true;
	exec(w12, sizeof(w12), &t);
	assert_check(&t, SCSI_SK_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED);
}

static void test_inquiry(void **state)
{
	uint8_t cdb[6] = {SCSI_OP_INQUIRY, 0, 0, 0, 255, 0};
	struct scsi_task t;

	(void)state;
	exec(cdb, sizeof(cdb), &t);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	assert_int_equal(t.xfer_len, 36);
	assert_int_equal(g_data[0], 0);
	assert_int_equal(g_data[2], SCSI_INQ_VERSION_SPC5);
	assert_int_equal(g_data[3] & 0x0f, 2);
	assert_int_equal(g_data[4], 31);
	assert_memory_equal(g_data + 8, "STORLAB ", 8);
	assert_memory_equal(g_data + 16, "malloc0         ", 16);
	/* allocation length truncation */
	cdb[4] = 5;
	exec(cdb, sizeof(cdb), &t);
	assert_int_equal(t.xfer_len, 5);
	cdb[4] = 0;
	exec(cdb, sizeof(cdb), &t);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	assert_int_equal(t.xfer_len, 0);
	/* page code without EVPD */
	cdb[2] = 0x80;
	cdb[4] = 255;
	exec(cdb, sizeof(cdb), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	/* VPD pages */
	cdb[1] = SCSI_INQ_EVPD;
	cdb[2] = SCSI_VPD_SUPPORTED_PAGES;
	exec(cdb, sizeof(cdb), &t);
	assert_int_equal(t.xfer_len, 4 + 6);
	const uint8_t pages[] = {0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2};
	assert_memory_equal(g_data + 4, pages, sizeof(pages));
	cdb[2] = SCSI_VPD_UNIT_SERIAL_NUMBER;
	exec(cdb, sizeof(cdb), &t);
	assert_int_equal(t.xfer_len, 4 + 7);
	assert_memory_equal(g_data + 4, "SN-0001", 7);
	cdb[2] = SCSI_VPD_DEVICE_IDENTIFICATION;
	exec(cdb, sizeof(cdb), &t);
	assert_int_equal(g_data[4 + 1] & 0x0f, SCSI_DESIGNATOR_NAA);
	assert_int_equal(g_data[4 + 4] >> 4, 5);
	assert_int_equal(g_data[4 + 12 + 1] & 0x0f, SCSI_DESIGNATOR_T10_VENDOR);
	assert_int_equal(t.xfer_len, 4 + 12 + 4 + 8 + 7);
	cdb[2] = SCSI_VPD_BLOCK_LIMITS;
	exec(cdb, sizeof(cdb), &t);
	assert_int_equal(t.xfer_len, 64);
	assert_int_equal(g_data[3], 0x3c);
	assert_int_equal(g_data[8 + 3], 0); /* max transfer 256: 00 00 01 00 */
	assert_int_equal(g_data[8 + 2], 1);
	assert_int_equal(g_data[27], SCSI_DEV_UNMAP_DESC_MAX);
	cdb[2] = SCSI_VPD_LOGICAL_BLOCK_PROVISIONING;
	exec(cdb, sizeof(cdb), &t);
	assert_int_equal(g_data[5], SCSI_LBP_LBPU | SCSI_LBP_LBPWS | SCSI_LBP_LBPWS10 |
					SCSI_LBP_LBPRZ);
	cdb[2] = 0x86;
	exec(cdb, sizeof(cdb), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
}

static void test_absent_lun(void **state)
{
	uint8_t inq[6] = {SCSI_OP_INQUIRY, 0, 0, 0, 36, 0};
	uint8_t tur[6] = {SCSI_OP_TEST_UNIT_READY};
	uint8_t rs[6] = {SCSI_OP_REQUEST_SENSE, 0, 0, 0, 18, 0};
	struct scsi_task t;

	(void)state;
	scsi_dev_exec(NULL, &g_luns, inq, sizeof(inq), g_data, &t);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	assert_int_equal(g_data[0], 0x7f);
	scsi_dev_exec(NULL, &g_luns, tur, sizeof(tur), g_data, &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LOGICAL_UNIT_NOT_SUPPORTED);
	scsi_dev_exec(NULL, &g_luns, rs, sizeof(rs), g_data, &t);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	assert_int_equal(t.xfer_len, 18);
	assert_int_equal(g_data[2], SCSI_SK_ILLEGAL_REQUEST);
	assert_int_equal(g_data[12], 0x25);
}

static void test_report_luns(void **state)
{
	uint8_t cdb[12] = {SCSI_OP_REPORT_LUNS};
	struct scsi_task t;

	(void)state;
	put_be32(cdb + 6, 4096);
	exec(cdb, sizeof(cdb), &t);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	assert_int_equal(t.xfer_len, 8 + 24);
	assert_int_equal(g_data[3], 24);
	assert_int_equal(g_data[8 + 8 + 1], 1);
	/* LUN 300: flat space addressing */
	assert_int_equal(g_data[8 + 16], 0x41);
	assert_int_equal(g_data[8 + 17], 300 & 0xff);
	/* truncated to the allocation length, the list length still whole */
	put_be32(cdb + 6, 16);
	exec(cdb, sizeof(cdb), &t);
	assert_int_equal(t.xfer_len, 16);
	assert_int_equal(g_data[3], 24);
	cdb[2] = 0x07;
	exec(cdb, sizeof(cdb), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
}

static void test_read_capacity(void **state)
{
	uint8_t rc10[10] = {SCSI_OP_READ_CAPACITY_10};
	uint8_t rc16[16] = {SCSI_OP_SERVICE_ACTION_IN_16, SCSI_SAI_READ_CAPACITY_16};
	struct scsi_task t;

	(void)state;
	exec(rc10, sizeof(rc10), &t);
	assert_int_equal(t.xfer_len, 8);
	assert_int_equal(g_data[2] << 8 | g_data[3], BLOCKS - 1);
	assert_int_equal(g_data[6], 2);
	put_be32(rc16 + 10, 32);
	exec(rc16, sizeof(rc16), &t);
	assert_int_equal(t.xfer_len, 32);
	assert_int_equal(g_data[6] << 8 | g_data[7], BLOCKS - 1);
	assert_int_equal(g_data[14], SCSI_RC16_LBPME | SCSI_RC16_LBPRZ);
	put_be32(rc16 + 10, 12);
	exec(rc16, sizeof(rc16), &t);
	assert_int_equal(t.xfer_len, 12);
	/* over 2^32 blocks: READ CAPACITY(10) says FFFF_FFFFh */
	scsi_lun_resize(&g_lun, 1ULL << 33);
	g_lun.ua = 0;
	exec(rc10, sizeof(rc10), &t);
	assert_int_equal(g_data[0] & g_data[1] & g_data[2] & g_data[3], 0xff);
	rc16[1] = SCSI_SAI_GET_LBA_STATUS;
	exec(rc16, sizeof(rc16), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
}

static void test_mode_sense(void **state)
{
	uint8_t ms6[6] = {SCSI_OP_MODE_SENSE_6, 0, SCSI_MODE_PAGE_ALL, 0, 255, 0};
	uint8_t ms10[10] = {SCSI_OP_MODE_SENSE_10, 0x10, SCSI_MODE_PAGE_CACHING, 0, 0, 0, 0, 1, 0, 0};
	struct scsi_task t;

	(void)state;
	exec(ms6, sizeof(ms6), &t);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	/* header 4 + block descriptor 8 + pages 12 + 20 + 12 + 12 */
	assert_int_equal(t.xfer_len, 4 + 8 + 56);
	assert_int_equal(g_data[0], 4 + 8 + 56 - 1);
	assert_int_equal(g_data[2], SCSI_MODE_DPOFUA);
	assert_int_equal(g_data[3], 8);
	assert_int_equal(g_data[12], SCSI_MODE_PAGE_RW_ERROR_RECOVERY);
	assert_int_equal(g_data[24], SCSI_MODE_PAGE_CACHING);
	assert_int_equal(g_data[26], SCSI_CACHING_WCE);
	/* changeable values: none */
	ms6[2] = 0x40 | SCSI_MODE_PAGE_CACHING;
	exec(ms6, sizeof(ms6), &t);
	assert_int_equal(g_data[12], SCSI_MODE_PAGE_CACHING);
	assert_int_equal(g_data[14], 0);
	/* saved values */
	ms6[2] = 0xc0 | SCSI_MODE_PAGE_CACHING;
	exec(ms6, sizeof(ms6), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_SAVING_PARAMETERS_NOT_SUPPORTED);
	/* a page we do not have, a subpage */
	ms6[2] = 0x05;
	exec(ms6, sizeof(ms6), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	ms6[2] = SCSI_MODE_PAGE_CACHING;
	ms6[3] = 1;
	exec(ms6, sizeof(ms6), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	/* MODE SENSE(10), LLBAA: a long block descriptor */
	exec(ms10, sizeof(ms10), &t);
	assert_int_equal(t.xfer_len, 8 + 16 + 20);
	assert_int_equal(g_data[1], 8 + 16 + 20 - 2);
	assert_int_equal(g_data[4], 1);
	assert_int_equal(g_data[7], 16);
	/* allocation length 0 */
	ms10[7] = 0;
	exec(ms10, sizeof(ms10), &t);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	assert_int_equal(t.xfer_len, 0);
}

static void test_unit_attention(void **state)
{
	uint8_t tur[6] = {SCSI_OP_TEST_UNIT_READY};
	uint8_t inq[6] = {SCSI_OP_INQUIRY, 0, 0, 0, 36, 0};
	uint8_t rl[12] = {SCSI_OP_REPORT_LUNS, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
	uint8_t rs[6] = {SCSI_OP_REQUEST_SENSE, 0x01, 0, 0, 252, 0};
	struct scsi_task t;

	(void)state;
	scsi_lun_set_ua(&g_lun, SCSI_UA_POWER_ON | SCSI_UA_CAPACITY_CHANGED |
				    SCSI_UA_LUNS_CHANGED);
	/* INQUIRY neither reports nor clears */
	exec(inq, sizeof(inq), &t);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	/* REPORT LUNS clears only REPORTED LUNS DATA HAS CHANGED */
	exec(rl, sizeof(rl), &t);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	/* power on first, then capacity, then nothing */
	exec(tur, sizeof(tur), &t);
	assert_check(&t, SCSI_SK_UNIT_ATTENTION, SCSI_ASC_POWER_ON_RESET);
	/* REQUEST SENSE (descriptor format asked) returns and clears the next */
	exec(rs, sizeof(rs), &t);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	assert_int_equal(t.xfer_len, 8);
	assert_int_equal(g_data[0], SCSI_SENSE_DESC_CURRENT);
	assert_int_equal(g_data[1], SCSI_SK_UNIT_ATTENTION);
	assert_int_equal(g_data[2] << 8 | g_data[3], SCSI_ASC_CAPACITY_DATA_CHANGED);
	exec(tur, sizeof(tur), &t);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	exec(rs, sizeof(rs), &t);
	assert_int_equal(g_data[1], SCSI_SK_NO_SENSE);
	/* a new LUN starts with its power on */
	struct scsi_lun_props p;

	props_default(&p);
	scsi_lun_init(&g_lun, &p);
	exec(tur, sizeof(tur), &t);
	assert_check(&t, SCSI_SK_UNIT_ATTENTION, SCSI_ASC_POWER_ON_RESET);
	exec(tur, sizeof(tur), &t);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
}

static void test_sync_verify(void **state)
{
	uint8_t s10[10] = {SCSI_OP_SYNCHRONIZE_CACHE_10};
	uint8_t v16[16] = {SCSI_OP_VERIFY_16};
	struct scsi_task t;

	(void)state;
	exec(s10, sizeof(s10), &t);
	assert_int_equal(t.op, SCSI_DEV_OP_FLUSH);
	g_lun.props.write_cache = false;
	exec(s10, sizeof(s10), &t);
	assert_int_equal(t.op, SCSI_DEV_OP_DONE);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	put_be32(s10 + 2, BLOCKS);
	exec(s10, sizeof(s10), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
	put_be64(v16 + 2, BLOCKS - 4);
	put_be32(v16 + 10, 4);
	exec(v16, sizeof(v16), &t);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	put_be32(v16 + 10, 5);
	exec(v16, sizeof(v16), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
	v16[1] = 0x02; /* BYTCHK 01b */
	put_be32(v16 + 10, 1);
	exec(v16, sizeof(v16), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
}

static void test_unmap(void **state)
{
	uint8_t cdb[10] = {SCSI_OP_UNMAP, 0, 0, 0, 0, 0, 0, 0, 40, 0};
	uint8_t param[64] = {0};
	struct scsi_unmap_range r[SCSI_DEV_UNMAP_DESC_MAX];
	struct scsi_task t;

	(void)state;
	exec(cdb, sizeof(cdb), &t);
	assert_int_equal(t.op, SCSI_DEV_OP_UNMAP);
	assert_int_equal(t.xfer_len, 40);
	/* two descriptors, the second of 0 blocks */
	param[1] = 38;
	param[3] = 32;
	put_be64(param + 8, BLOCKS - 8);
	put_be32(param + 16, 8);
	put_be64(param + 24, 7);
	assert_int_equal(scsi_dev_unmap_parse(&g_lun, param, 40, r, &t), 1);
	assert_int_equal(r[0].lba, BLOCKS - 8);
	assert_int_equal(r[0].num_blocks, 8);
	/* a descriptor past the end */
	put_be32(param + 16, 9);
	assert_int_equal(scsi_dev_unmap_parse(&g_lun, param, 40, r, &t), -1);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
	/* too many blocks in one */
	g_lun.props.max_unmap_blocks = 4;
	put_be32(param + 16, 8);
	assert_int_equal(scsi_dev_unmap_parse(&g_lun, param, 40, r, &t), -1);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_PARAMETER_LIST);
	/* a list shorter than its header */
	assert_int_equal(scsi_dev_unmap_parse(&g_lun, param, 7, r, &t), -1);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_PARAMETER_LIST_LENGTH_ERROR);
	/* descriptors the list length cuts off are not there */
	assert_int_equal(scsi_dev_unmap_parse(&g_lun, param, 8 + 15, r, &t), 0);
	/* parameter list length 0: nothing to do; ANCHOR refused */
	cdb[8] = 0;
	exec(cdb, sizeof(cdb), &t);
	assert_int_equal(t.op, SCSI_DEV_OP_DONE);
	assert_int_equal(t.status, SCSI_STATUS_GOOD);
	cdb[1] = 1;
	cdb[8] = 24;
	exec(cdb, sizeof(cdb), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	/* a LUN that cannot unmap does not have the command */
	g_lun.props.unmap = false;
	cdb[1] = 0;
	exec(cdb, sizeof(cdb), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_COMMAND_OPERATION_CODE);
}

static void test_write_same(void **state)
{
	uint8_t ws16[16] = {SCSI_OP_WRITE_SAME_16, 0x08};
	uint8_t ws10[10] = {SCSI_OP_WRITE_SAME_10, 0x01, 0, 0, 0, 0, 0, 0, 1, 0};
	struct scsi_task t;

	(void)state;
	put_be64(ws16 + 2, 100);
	put_be32(ws16 + 10, 28);
	exec(ws16, sizeof(ws16), &t);
	assert_int_equal(t.op, SCSI_DEV_OP_WRITE_SAME);
	assert_true(t.ws_unmap);
	assert_false(t.ws_ndob);
	assert_int_equal(t.xfer_len, 512);
	ws16[1] = 0x01; /* NDOB */
	exec(ws16, sizeof(ws16), &t);
	assert_true(t.ws_ndob);
	assert_int_equal(t.xfer_len, 0);
	put_be32(ws16 + 10, 0); /* WSNZ */
	exec(ws16, sizeof(ws16), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	/* NDOB is reserved in WRITE SAME(10) */
	exec(ws10, sizeof(ws10), &t);
	assert_check(&t, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_unknown_opcode, setup),
	    cmocka_unit_test_setup(test_descriptor_sense, setup),
	    cmocka_unit_test_setup(test_rw_edges, setup),
	    cmocka_unit_test_setup(test_rw_forms, setup),
	    cmocka_unit_test_setup(test_inquiry, setup),
	    cmocka_unit_test_setup(test_absent_lun, setup),
	    cmocka_unit_test_setup(test_report_luns, setup),
	    cmocka_unit_test_setup(test_read_capacity, setup),
	    cmocka_unit_test_setup(test_mode_sense, setup),
	    cmocka_unit_test_setup(test_unit_attention, setup),
	    cmocka_unit_test_setup(test_sync_verify, setup),
	    cmocka_unit_test_setup(test_unmap, setup),
	    cmocka_unit_test_setup(test_write_same, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
