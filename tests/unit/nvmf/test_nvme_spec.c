/* SPDX-License-Identifier: MIT */
/*
 * The helpers of spec/nvme.h on values a host and a controller exchange:
 * register fields a driver writes (CC, AQA) read back by a controller,
 * doorbell offsets against the spec's table, a completion status decoded
 * as a host does. The layouts themselves are checked at compile time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "spec/nvme.h"

/* What Linux writes to enable a controller: 4 KiB pages, NVM command set,
 * round robin, 64-byte SQEs, 16-byte CQEs, EN (Base §3.1.4.5). */
static void test_cc_fields(void **state)
{
	uint32_t cc = NVME_SET(NVME_CC_EN, 1) | NVME_SET(NVME_CC_CSS, NVME_CC_CSS_NVM) |
		      NVME_SET(NVME_CC_MPS, 0) | NVME_SET(NVME_CC_IOSQES, NVME_SQES) |
		      NVME_SET(NVME_CC_IOCQES, NVME_CQES);

	(void)state;
	assert_int_equal(cc, 0x00460001);
	assert_int_equal(NVME_GET(cc, NVME_CC_IOSQES), 6);
	assert_int_equal(NVME_GET(cc, NVME_CC_IOCQES), 4);
	assert_int_equal(NVME_GET(cc | 0x4000, NVME_CC_SHN), NVME_CC_SHN_NORMAL);
	assert_int_equal(NVME_MPS_BYTES(NVME_GET(cc, NVME_CC_MPS)), 4096);
}

/* AQA: 0's based sizes, ACQS in 27:16 (Base §3.1.4.8); CAP: MQES 15:0,
 * DSTRD 35:32, MPSMAX 55:52 (Base §3.1.4.1). */
static void test_aqa_cap_fields(void **state)
{
	uint32_t aqa = 0x001f003f;
	uint64_t cap = 0x00f00002ff0107ffULL;

	(void)state;
	assert_int_equal(NVME_GET(aqa, NVME_AQA_ASQS) + 1, 64);
	assert_int_equal(NVME_GET(aqa, NVME_AQA_ACQS) + 1, 32);
	assert_int_equal(NVME_GET(cap, NVME_CAP_MQES) + 1, 2048);
	assert_int_equal(NVME_GET(cap, NVME_CAP_TO), 0xff);
	assert_int_equal(NVME_GET(cap, NVME_CAP_DSTRD), 2);
	assert_int_equal(NVME_GET(cap, NVME_CAP_MPSMAX), 0xf);
	assert_int_equal(NVME_GET(cap, NVME_CAP_CSS), 0);
}

/* Doorbells: 1000h + (2y * (4 << DSTRD)) and one stride on for the CQ. */
static void test_doorbells(void **state)
{
	(void)state;
	assert_int_equal(nvme_sq_tdbl(0, 0), 0x1000);
	assert_int_equal(nvme_cq_hdbl(0, 0), 0x1004);
	assert_int_equal(nvme_sq_tdbl(1, 0), 0x1008);
	assert_int_equal(nvme_cq_hdbl(3, 0), 0x101c);
	assert_int_equal(nvme_sq_tdbl(1, 2), 0x1020);
	assert_int_equal(nvme_cq_hdbl(1, 2), 0x1030);
}

/* A CQE's status half as a host reads it: phase 1, SC 13h (PRP Offset
 * Invalid), SCT 0, M 0, DNR 1 (Base §4.2.3). */
static void test_cqe_status(void **state)
{
	uint16_t status = 0x8027;

	(void)state;
	assert_int_equal(NVME_GET(status, NVME_STATUS_P), 1);
	assert_int_equal(NVME_GET(status, NVME_STATUS_SC), NVME_SC_PRP_OFFSET_INVALID);
	assert_int_equal(NVME_GET(status, NVME_STATUS_SCT), NVME_SCT_GENERIC);
	assert_int_equal(NVME_GET(status, NVME_STATUS_M), 0);
	assert_int_equal(NVME_GET(status, NVME_STATUS_DNR), 1);
	/* Invalid Queue Identifier, command specific */
	status = NVME_SET(NVME_STATUS_SC, NVME_SC_INVALID_QID) |
		 NVME_SET(NVME_STATUS_SCT, NVME_SCT_CMD_SPECIFIC);
	assert_int_equal(status, 0x0202);
	assert_int_equal(NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_QID), 0x0101);
}

/* CDW0 byte 1 of an SQE: FUSE 1:0, PSDT 7:6 (Base §4.1.1 Figure 91). */
static void test_sqe_flags(void **state)
{
	struct nvme_sqe sqe = {.flags = 0x41};

	(void)state;
	assert_int_equal(NVME_GET(sqe.flags, NVME_SQE_FUSE), NVME_FUSE_FIRST);
	assert_int_equal(NVME_GET(sqe.flags, NVME_SQE_PSDT), NVME_PSDT_SGL_MPTR);
	assert_int_equal(NVME_SGL_TYPE(NVME_SGL_ID(NVME_SGL_TYPE_LAST_SEGMENT, 0)), 3);
	assert_int_equal(NVME_SGL_ID(NVME_SGL_TYPE_SEGMENT, 0), 0x20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cc_fields), cmocka_unit_test(test_aqa_cap_fields),
	    cmocka_unit_test(test_doorbells), cmocka_unit_test(test_cqe_status),
	    cmocka_unit_test(test_sqe_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
