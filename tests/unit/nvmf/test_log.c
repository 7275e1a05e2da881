/* SPDX-License-Identifier: MIT */
/*
 * Get Log Page (NVMe Base 2.1 §5.1.12): the command's fields, each page we
 * keep read at the byte offsets of the spec's figures, the Error
 * Information ring, the Changed Namespace List's emptying and overflow,
 * and the status of each way a host can ask wrongly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "nvmf/nvmf_log.h"
#include "nvmf_fixture.h"

static const uint8_t g_admin_opcodes[] = {NVME_ADM_DELETE_SQ, NVME_ADM_CREATE_SQ,
					  NVME_ADM_GET_LOG_PAGE, NVME_ADM_IDENTIFY};
static struct nvmf_smart_counters g_smart;
static struct nvmf_log g_log;
static const struct nvmf_log_src g_src = {.ctrlr = &g_ctrlr,
					  .nss = &g_nss,
					  .smart = &g_smart,
					  .admin_opcodes = g_admin_opcodes,
					  .n_admin_opcodes = sizeof(g_admin_opcodes)};
static uint8_t g_buf[NVMF_LOG_PAGE_MAX];
static struct nvmf_log_result g_res;

static int setup(void **state)
{
	nvmf_log_init(&g_log);
	memset(&g_smart, 0, sizeof(g_smart));
	return fixture_setup(state);
}

/* A Get Log Page SQE: length in bytes (a multiple of 4), byte offset. */
static struct nvme_sqe log_sqe(uint8_t lid, uint32_t nsid, uint64_t len, uint64_t offset)
{
	uint32_t numd = (uint32_t)(len / 4 - 1);

	return (struct nvme_sqe){.opc = NVME_ADM_GET_LOG_PAGE,
				 .nsid = nsid,
				 .cdw10 = lid | (numd & 0xffff) << 16,
				 .cdw11 = numd >> 16,
				 .cdw12 = (uint32_t)offset,
				 .cdw13 = (uint32_t)(offset >> 32)};
}

static uint16_t get_log(const struct nvme_sqe *sqe)
{
	memset(g_buf, 0xa5, sizeof(g_buf));
	return nvmf_get_log_page(&g_log, &g_src, sqe, g_buf, &g_res, &g_rl);
}

static uint16_t get(uint8_t lid, uint64_t len, uint64_t offset)
{
	struct nvme_sqe sqe = log_sqe(lid, 0xffffffff, len, offset);

	return get_log(&sqe);
}

/* Base Figure "Get Log Page - Command Dword 10..14". */
static void test_decode(void **state)
{
	struct nvme_sqe sqe = {.nsid = 7,
			       .cdw10 = 0x1234u << 16 | 1u << 15 | 0x5au << 8 | 0x04,
			       .cdw11 = 0xabcd0002,
			       .cdw12 = 0x10,
			       .cdw13 = 0x1,
			       .cdw14 = 0x02u << 24 | 1u << 23};
	struct nvmf_log_req req;

	(void)state;
	nvmf_log_req_decode(&sqe, &req);
	assert_int_equal(req.lid, 0x04);
	assert_int_equal(req.lsp, 0x5a);
	assert_true(req.rae);
	assert_int_equal(req.nsid, 7);
	assert_int_equal(req.len, (0x21234ULL + 1) * 4); /* NUMDU:NUMDL, 0's based */
	assert_int_equal(req.offset, 0x100000010ULL);
	assert_true(req.ot);
	assert_int_equal(req.csi, 2);
}

static void test_supported(void **state)
{
	(void)state;
	assert_int_equal(get(NVME_LOG_SUPPORTED, 1024, 0), ST_OK);
	assert_int_equal(g_res.xfer, 1024);
	for (unsigned lid = 0; lid <= NVME_LOG_CMD_EFFECTS; lid++)
		assert_int_equal(rd32(g_buf, 4 * lid), 1);
	assert_true(all_zero(g_buf + 24, 1024 - 24));
	assert_false(g_res.clear_event);
}

/* Base Figure "Error Information Log Entry": newest first. */
static void test_error_ring(void **state)
{
	struct nvmf_error_info e = {.sqid = 2,
				    .cid = 0x77,
				    .status =
					NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_LBA_OUT_OF_RANGE),
				    .lba = 0x123456789ULL,
				    .nsid = 1,
				    .opc = NVME_NVM_READ};

	(void)state;
	assert_int_equal(nvmf_log_error_record(&g_log, &e), 1);
	e.cid = 0x78;
	assert_int_equal(nvmf_log_error_record(&g_log, &e), 2);
	assert_int_equal(get(NVME_LOG_ERROR, 4096, 0), ST_OK);
	assert_int_equal(g_res.xfer, NVMF_ERROR_LOG_ENTRIES * 64); /* the page's end */
	assert_int_equal(rd64(g_buf, 0), 2);
	assert_int_equal(rd16(g_buf, 8), 2);
	assert_int_equal(rd16(g_buf, 10), 0x78);
	assert_int_equal(rd16(g_buf, 12), 0x80 << 1); /* status 15:1, phase clear */
	assert_int_equal(rd64(g_buf, 16), 0x123456789ULL);
	assert_int_equal(rd32(g_buf, 24), 1);
	assert_int_equal(g_buf[31], NVME_NVM_READ);
	assert_int_equal(rd64(g_buf, 64), 1);
	assert_int_equal(rd16(g_buf, 64 + 10), 0x77);
	assert_true(all_zero(g_buf + 128, NVMF_ERROR_LOG_ENTRIES * 64 - 128));
	assert_true(g_res.clear_event); /* RAE clear */

	/* a full ring keeps the newest 16 */
	e.status = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_LOG_PAGE);
	for (int i = 0; i < 18; i++)
		nvmf_log_error_record(&g_log, &e);
	assert_int_equal(get(NVME_LOG_ERROR, 4096, 0), ST_OK);
	assert_int_equal(rd64(g_buf, 0), 20);
	assert_int_equal(rd16(g_buf, 12), 1u << 9 | 0x09 << 1);
	assert_int_equal(rd64(g_buf, 64 * (NVMF_ERROR_LOG_ENTRIES - 1)), 5);
}

/* Base Figure "SMART / Health Information Log Page". */
static void test_smart(void **state)
{
	struct nvmf_error_info e = {.status = ST_INVALID_FIELD};
	struct nvme_sqe sqe;

	(void)state;
	g_smart.bytes_read = 512 * 1001ULL; /* 1001 units: 2 thousands, rounded up */
	g_smart.bytes_written = 512 * 1000ULL;
	g_smart.read_cmds = 7;
	g_smart.write_cmds = 9;
	g_smart.power_on_hours = 3;
	nvmf_log_error_record(&g_log, &e);
	assert_int_equal(get(NVME_LOG_SMART, 512, 0), ST_OK);
	assert_int_equal(g_buf[0], 1u << 3); /* namespace 3 is read-only */
	assert_int_equal(g_buf[3], 100);     /* available spare */
	assert_int_equal(rd64(g_buf, 32), 2);
	assert_int_equal(rd64(g_buf, 40), 0); /* 128-bit counters */
	assert_int_equal(rd64(g_buf, 48), 1);
	assert_int_equal(rd64(g_buf, 64), 7);
	assert_int_equal(rd64(g_buf, 80), 9);
	assert_int_equal(rd64(g_buf, 128), 3);
	assert_int_equal(rd64(g_buf, 176), 1); /* error log entries */

	/* the page is the controller's: NSID 0 too, a namespace's not */
	sqe = log_sqe(NVME_LOG_SMART, 0, 512, 0);
	assert_int_equal(get_log(&sqe), ST_OK);
	sqe = log_sqe(NVME_LOG_SMART, 1, 512, 0);
	assert_int_equal(get_log(&sqe), ST_INVALID_FIELD);
	assert_non_null(strstr(g_last_log, "§5.1.12"));
}

static void test_fw_slot(void **state)
{
	(void)state;
	assert_int_equal(get(NVME_LOG_FW_SLOT, 512, 0), ST_OK);
	assert_int_equal(g_buf[0], 1); /* AFI: slot 1 active */
	assert_memory_equal(g_buf + 8, "1.0     ", 8);
	assert_true(all_zero(g_buf + 16, 512 - 16));
	assert_false(g_res.clear_event);
}

static void test_changed_ns(void **state)
{
	struct nvme_sqe sqe = log_sqe(NVME_LOG_CHANGED_NS, 0, 4096, 0);

	(void)state;
	nvmf_log_ns_changed(&g_log, 3);
	nvmf_log_ns_changed(&g_log, 1);
	nvmf_log_ns_changed(&g_log, 3);
	assert_int_equal(get_log(&sqe), ST_OK);
	assert_int_equal(g_res.xfer, 4096);
	assert_int_equal(rd32(g_buf, 0), 1);
	assert_int_equal(rd32(g_buf, 4), 3);
	assert_true(all_zero(g_buf + 8, 4096 - 8));
	assert_true(g_res.clear_event);
	/* read: empty until the next change; RAE keeps the event */
	sqe.cdw10 |= NVME_LOG_RAE;
	assert_int_equal(get_log(&sqe), ST_OK);
	assert_true(all_zero(g_buf, 4096));
	assert_false(g_res.clear_event);

	/* more than 1024: FFFFFFFFh, the rest zero */
	for (uint32_t nsid = 1; nsid <= NVME_CHANGED_NS_MAX + 1; nsid++)
		nvmf_log_ns_changed(&g_log, nsid);
	assert_int_equal(get_log(&sqe), ST_OK);
	assert_int_equal(rd32(g_buf, 0), 0xffffffff);
	assert_true(all_zero(g_buf + 4, 4096 - 4));
	assert_int_equal(get_log(&sqe), ST_OK);
	assert_true(all_zero(g_buf, 4096));
}

/* Base Figure "Commands Supported and Effects Log Page": ACS at 0, IOCS
 * at 1024, a dword per opcode. */
static void test_effects(void **state)
{
	struct nvme_sqe sqe = log_sqe(NVME_LOG_CMD_EFFECTS, 0, 4096, 0);

	(void)state;
	assert_int_equal(get_log(&sqe), ST_OK);
	assert_int_equal(rd32(g_buf, 4 * NVME_ADM_IDENTIFY), 1);
	assert_int_equal(rd32(g_buf, 4 * NVME_ADM_CREATE_SQ), 1);
	assert_int_equal(rd32(g_buf, 4 * NVME_ADM_ABORT), 0);
	assert_int_equal(rd32(g_buf, 1024 + 4 * NVME_NVM_FLUSH), 1);
	assert_int_equal(rd32(g_buf, 1024 + 4 * NVME_NVM_WRITE), 3); /* CSUPP, LBCC */
	assert_int_equal(rd32(g_buf, 1024 + 4 * NVME_NVM_READ), 1);
	assert_int_equal(rd32(g_buf, 1024 + 4 * NVME_NVM_COMPARE), 1);
	assert_int_equal(rd32(g_buf, 1024 + 4 * NVME_NVM_WRITE_ZEROES), 3);
	assert_int_equal(rd32(g_buf, 1024 + 4 * NVME_NVM_DSM), 3);
	assert_int_equal(rd32(g_buf, 1024 + 4 * 0x03), 0);
	assert_true(all_zero(g_buf + 2048, 2048));
	/* another command set's I/O part is empty */
	sqe.cdw14 = 0x02u << 24;
	assert_int_equal(get_log(&sqe), ST_OK);
	assert_int_equal(rd32(g_buf, 4 * NVME_ADM_IDENTIFY), 1);
	assert_true(all_zero(g_buf + 1024, 3072));
}

/* Base §5.1.12: the offset is a dword aligned byte offset inside the
 * page; fewer bytes than asked come back at the page's end. */
static void test_offset_and_length(void **state)
{
	struct nvme_sqe sqe = log_sqe(NVME_LOG_FW_SLOT, 0, 8, 8);

	(void)state;
	assert_int_equal(get_log(&sqe), ST_OK);
	assert_int_equal(g_res.xfer, 8);
	assert_int_equal(g_res.len, 8);
	assert_memory_equal(g_buf, "1.0     ", 8);
	assert_int_equal(get(NVME_LOG_FW_SLOT, 4096, 508), ST_OK);
	assert_int_equal(g_res.xfer, 4);
	assert_int_equal(g_res.len, 4096);
	assert_int_equal(get(NVME_LOG_FW_SLOT, 4, 512), ST_INVALID_FIELD);
	assert_int_equal(get(NVME_LOG_FW_SLOT, 4, 1ULL << 40), ST_INVALID_FIELD);
	assert_int_equal(get(NVME_LOG_FW_SLOT, 4, 2), ST_INVALID_FIELD);
	assert_non_null(strstr(g_last_log, "dword"));
	sqe = log_sqe(NVME_LOG_ERROR, 0, 64, 0);
	sqe.cdw14 = NVME_LOG_OT; /* an index offset: no page of ours takes one */
	assert_int_equal(get_log(&sqe), ST_INVALID_FIELD);
}

static void test_lid_unsupported(void **state)
{
	(void)state;
	assert_int_equal(get(0x06, 4096, 0),
			 NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_LOG_PAGE));
	assert_non_null(strstr(g_last_log, "06h"));
	assert_int_equal(get(0xc0, 4, 0),
			 NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_LOG_PAGE));
	assert_int_equal(g_res.xfer, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode),
	    cmocka_unit_test_setup_teardown(test_supported, setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_error_ring, setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_smart, setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_fw_slot, setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_changed_ns, setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_effects, setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_offset_and_length, setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_lid_unsupported, setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
