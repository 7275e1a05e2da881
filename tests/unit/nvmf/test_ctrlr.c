/* SPDX-License-Identifier: MIT */
/*
 * The NVMe controller's register model as a host driver sees it: CAP, VS,
 * INTMS/INTMC, CC, CSTS, AQA, ASQ, ACQ read and written through BAR0
 * accesses; enable with each check of NVMe Base 2.1 §3.5.1 that fails it
 * (CSTS.CFS); reset with a command in flight; shutdown (CC.SHN ->
 * CSTS.SHST); namespace swap raising its event.
 */
#include "ctrlr_fixture.h"

static void test_cap_vs(void **state)
{
	uint64_t cap = fx_read64(NVME_REG_CAP);

	(void)state;
	assert_int_equal(NVME_GET(cap, NVME_CAP_MQES), MQES);
	assert_int_equal(NVME_GET(cap, NVME_CAP_CQR), 1);
	assert_int_equal(NVME_GET(cap, NVME_CAP_DSTRD), 0);
	assert_int_equal(NVME_GET(cap, NVME_CAP_CSS), NVME_CAP_CSS_NVM);
	assert_int_equal(NVME_GET(cap, NVME_CAP_MPSMIN), 0);
	assert_true(NVME_GET(cap, NVME_CAP_TO) > 0);
	/* a 64-bit property reads the same as two dwords */
	assert_int_equal(fx_read32(NVME_REG_CAP), (uint32_t)cap);
	assert_int_equal(fx_read32(NVME_REG_CAP + 4), (uint32_t)(cap >> 32));
	assert_int_equal(fx_read32(NVME_REG_VS), NVME_VS(2, 1, 0));
	/* read-only: writes change nothing */
	assert_int_equal(fx_write64(NVME_REG_CAP, 0), 0);
	assert_int_equal(fx_write32(NVME_REG_VS, 0), 0);
	assert_int_equal(fx_write32(NVME_REG_CSTS, 0xffffffff), 0);
	assert_int_equal(fx_read64(NVME_REG_CAP), cap);
	assert_int_equal(fx_read32(NVME_REG_VS), NVME_VS(2, 1, 0));
	assert_int_equal(fx_read32(NVME_REG_CSTS), 0);
}

static void test_access_sizes(void **state)
{
	uint64_t v = 0;

	(void)state;
	/* 8 bytes only at CAP, ASQ, ACQ; nothing unaligned, short or past
	 * BAR0 */
	assert_int_equal(nvmf_ctrlr_read(&g_fx.c, NVME_REG_CC, &v, 8), -EINVAL);
	assert_int_equal(nvmf_ctrlr_read(&g_fx.c, NVME_REG_CC, &v, 2), -EINVAL);
	assert_int_equal(nvmf_ctrlr_read(&g_fx.c, NVME_REG_CC + 2, &v, 4), -EINVAL);
	assert_int_equal(nvmf_ctrlr_write(&g_fx.c, NVME_REG_CAP + 4, &v, 8), -EINVAL);
	assert_int_equal(nvmf_ctrlr_read(&g_fx.c, nvmf_ctrlr_bar0_size(&g_fx.c), &v, 4), -EINVAL);
	assert_non_null(strstr(g_fx.last_log, "§3.1.4"));
	/* the last doorbell is inside BAR0 */
	assert_true(nvmf_ctrlr_bar0_size(&g_fx.c) >= nvme_cq_hdbl(MAXQ, 0) + 4);
	/* ASQ as two dwords */
	assert_int_equal(fx_write32(NVME_REG_ASQ, 0x12345000), 0);
	assert_int_equal(fx_write32(NVME_REG_ASQ + 4, 0x9), 0);
	assert_int_equal(fx_read64(NVME_REG_ASQ), 0x912345000ULL);
	/* bits 11:0 of ASQ and ACQ are reserved */
	assert_int_equal(fx_write64(NVME_REG_ACQ, 0x7000 | 0xfff), 0);
	assert_int_equal(fx_read64(NVME_REG_ACQ), 0x7000);
}

static void test_enable(void **state)
{
	(void)state;
	fx_enable();
	assert_true(nvmf_ctrlr_ready(&g_fx.c));
	/* the admin queue answers */
	struct nvme_sqe sqe = fx_cmd(NVME_ADM_GET_FEATURES);

	sqe.cdw10 = htole32(NVME_FEAT_NUM_QUEUES);
	fx_ok(sqe);
	/* admin queue properties are fixed while enabled */
	assert_int_equal(fx_write64(NVME_REG_ASQ, HOLE), 0);
	assert_int_equal(fx_write32(NVME_REG_AQA, 0), 0);
	assert_int_equal(fx_read64(NVME_REG_ASQ), ASQ_GPA);
	assert_int_equal(fx_read32(NVME_REG_AQA), (AQ_SIZE - 1) << 16 | (AQ_SIZE - 1));
}

/* The enable fails with CSTS.CFS; EN 0 clears it. */
static void expect_enable_fails(uint32_t cc)
{
	g_fx.last_log[0] = 0;
	assert_int_equal(fx_write32(NVME_REG_CC, cc), NVMF_CTRLR_EV_FATAL);
	assert_int_equal(fx_read32(NVME_REG_CSTS), NVME_SET(NVME_CSTS_CFS, 1));
	assert_false(nvmf_ctrlr_ready(&g_fx.c));
	assert_non_null(strstr(g_fx.last_log, "§3.5.1"));
	assert_int_equal(fx_write32(NVME_REG_CC, 0), 0);
	assert_int_equal(fx_read32(NVME_REG_CSTS), 0);
}

static void test_enable_checks(void **state)
{
	(void)state;
	assert_int_equal(fx_write32(NVME_REG_AQA, (AQ_SIZE - 1) << 16 | (AQ_SIZE - 1)), 0);
	assert_int_equal(fx_write64(NVME_REG_ASQ, ASQ_GPA), 0);
	assert_int_equal(fx_write64(NVME_REG_ACQ, ACQ_GPA), 0);
	/* a page size over CAP.MPSMAX */
	expect_enable_fails(FX_CC_EN | NVME_SET(NVME_CC_MPS, NVMF_CTRLR_MPSMAX + 1));
	/* Admin command set only, which CAP.CSS does not offer */
	expect_enable_fails(FX_CC_EN | NVME_SET(NVME_CC_CSS, NVME_CC_CSS_ADMIN));
	/* ASQ not aligned to the 8 KiB page CC.MPS 1 selects */
	expect_enable_fails(FX_CC_EN | NVME_SET(NVME_CC_MPS, 1));
	/* admin queues of one entry */
	assert_int_equal(fx_write32(NVME_REG_AQA, 0), 0);
	expect_enable_fails(FX_CC_EN);
	assert_int_equal(fx_write32(NVME_REG_AQA, (AQ_SIZE - 1) << 16 | (AQ_SIZE - 1)), 0);
	/* an admin CQ outside guest memory */
	assert_int_equal(fx_write64(NVME_REG_ACQ, HOLE), 0);
	expect_enable_fails(FX_CC_EN);
	/* address 0: no memory is mapped there in this fixture */
	assert_int_equal(fx_write64(NVME_REG_ACQ, 0), 0);
	expect_enable_fails(FX_CC_EN);
	/* all good again */
	assert_int_equal(fx_write64(NVME_REG_ACQ, ACQ_GPA), 0);
	assert_int_equal(fx_write32(NVME_REG_CC, FX_CC_EN), NVMF_CTRLR_EV_ENABLE);
}

/* Base §3.1.4.5: CC.CRIME is RO and cleared unless CAP.CRMS is 11b. */
static void test_cc_crime_read_only(void **state)
{
	uint32_t cc = NVME_SET(NVME_CC_CRIME, 1) | NVME_SET(NVME_CC_IOSQES, NVME_SQES);

	(void)state;
	assert_int_equal(NVME_GET(fx_read64(NVME_REG_CAP), NVME_CAP_CRMS), 0);
	assert_int_equal(fx_write32(NVME_REG_CC, cc), 0);
	assert_int_equal(fx_read32(NVME_REG_CC), NVME_SET(NVME_CC_IOSQES, NVME_SQES));
}

static void test_intms_intmc(void **state)
{
	(void)state;
	assert_int_equal(fx_write32(NVME_REG_INTMS, 0x5), 0);
	assert_int_equal(fx_read32(NVME_REG_INTMS), 0x5);
	assert_int_equal(fx_read32(NVME_REG_INTMC), 0x5);
	assert_int_equal(fx_write32(NVME_REG_INTMS, 0x8), 0);
	assert_int_equal(fx_write32(NVME_REG_INTMC, 0x1), 0);
	assert_int_equal(fx_read32(NVME_REG_INTMS), 0xc);
}

/* EN 1 -> 0 with a command fetched and not answered: the reset waits for
 * the frontend, RDY stays 1 until it is done; then the queues are gone and
 * a new enable starts the admin queue from its first entry. */
static void test_reset_in_flight(void **state)
{
	struct nvme_sqe sqe = fx_cmd(NVME_ADM_GET_FEATURES), got;
	struct nvme_cqe cqe;

	(void)state;
	fx_enable();
	sqe.cdw10 = htole32(NVME_FEAT_ARBITRATION);
	fx_submit(&sqe);
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, 0, &got), 1);
	assert_int_equal(fx_write32(NVME_REG_CC, 0), NVMF_CTRLR_EV_RESET);
	assert_int_equal(fx_read32(NVME_REG_CSTS), NVME_SET(NVME_CSTS_RDY, 1));
	assert_int_equal(nvmf_ctrlr_reset_done(&g_fx.c), 0);
	assert_int_equal(fx_read32(NVME_REG_CSTS), 0);
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, 0, &got), -ENOENT);
	assert_false(fx_reap(&cqe));
	/* a second done changes nothing */
	assert_int_equal(nvmf_ctrlr_reset_done(&g_fx.c), 0);

	memset(g_fx.ram, 0, 2 * PAGE); /* the host clears its admin rings */
	g_fx.asq_tail = g_fx.acq_head = 0;
	g_fx.acq_phase = 1;
	fx_enable();
	sqe = fx_cmd(NVME_ADM_GET_FEATURES);
	sqe.cdw10 = htole32(NVME_FEAT_ARBITRATION);
	cqe = fx_admin(sqe);
	assert_int_equal(le16toh(cqe.sqhd), 1);
}

/* The host writes EN 1 before the frontend finished the reset: the enable
 * runs when it does. */
static void test_reset_then_enable(void **state)
{
	(void)state;
	fx_enable();
	assert_int_equal(fx_write32(NVME_REG_CC, 0), NVMF_CTRLR_EV_RESET);
	assert_int_equal(fx_write32(NVME_REG_CC, FX_CC_EN), 0);
	assert_int_equal(nvmf_ctrlr_reset_done(&g_fx.c), NVMF_CTRLR_EV_ENABLE);
	assert_int_equal(fx_read32(NVME_REG_CSTS), NVME_SET(NVME_CSTS_RDY, 1));
}

static void test_shutdown(void **state)
{
	(void)state;
	fx_enable();
	assert_int_equal(
	    fx_write32(NVME_REG_CC, FX_CC_EN | NVME_SET(NVME_CC_SHN, NVME_CC_SHN_NORMAL)),
	    NVMF_CTRLR_EV_SHUTDOWN);
	assert_int_equal(NVME_GET(fx_read32(NVME_REG_CSTS), NVME_CSTS_SHST),
			 NVME_CSTS_SHST_OCCURRING);
	nvmf_ctrlr_shutdown_done(&g_fx.c);
	assert_int_equal(fx_read32(NVME_REG_CSTS),
			 NVME_SET(NVME_CSTS_RDY, 1) |
			     NVME_SET(NVME_CSTS_SHST, NVME_CSTS_SHST_COMPLETE));
	/* the host then disables: a reset, after which SHST is back to 00b */
	assert_int_equal(fx_write32(NVME_REG_CC, 0), NVMF_CTRLR_EV_RESET);
	assert_int_equal(nvmf_ctrlr_reset_done(&g_fx.c), 0);
	assert_int_equal(fx_read32(NVME_REG_CSTS), 0);
}

static void test_shutdown_disabled(void **state)
{
	(void)state;
	/* nothing to drain: complete at once */
	assert_int_equal(fx_write32(NVME_REG_CC, NVME_SET(NVME_CC_SHN, NVME_CC_SHN_ABRUPT)), 0);
	assert_int_equal(NVME_GET(fx_read32(NVME_REG_CSTS), NVME_CSTS_SHST),
			 NVME_CSTS_SHST_COMPLETE);
	assert_int_equal(fx_write32(NVME_REG_CC, 0), 0);
	assert_int_equal(fx_read32(NVME_REG_CSTS), 0);
}

/* The AER the host left outstanding completes with event (type, info,
 * log page). */
static void expect_event(uint16_t aer_cid, uint8_t type, uint8_t info, uint8_t lid)
{
	struct nvmf_cpl cpl;

	assert_true(nvmf_aen_poll(&g_fx.c, &cpl));
	assert_int_equal(cpl.cid, aer_cid);
	assert_int_equal(cpl.status, 0);
	assert_int_equal(cpl.cdw0, type | info << 8 | lid << 16);
}

static void test_doorbell_of_no_queue(void **state)
{
	uint16_t cid;

	(void)state;
	fx_enable();
	cid = fx_hold_aer();
	/* SQ 2 was never created */
	assert_int_equal(fx_write32(nvme_sq_tdbl(2, 0), 1), 0);
	assert_int_equal(g_fx.db[4], 0);
	expect_event(cid, NVMF_AEN_TYPE_ERROR, 0x00, NVME_LOG_ERROR);
	/* past the last queue: the same, nothing written */
	assert_int_equal(fx_write32(nvme_cq_hdbl(MAXQ + 1, 0), 1), 0);
	assert_int_equal(fx_read32(nvme_sq_tdbl(0, 0)), 0); /* doorbells read 0 */
}

static void test_ns_swap(void **state)
{
	static const struct nvmf_ns_props ns1 = {.nsid = 1, .block_size = 512, .num_blocks = 8};
	static const struct nvmf_ns_props *const one[] = {&ns1};
	const struct nvmf_ns_list a = {0}, b = {.ns = one, .n = 1};
	struct nvme_sqe sqe;
	struct nvmf_cpl cpl;
	uint16_t cid;

	(void)state;
	g_fx.c.ns = &a;
	fx_enable();
	cid = fx_hold_aer();
	/* the notice is off by default: the event is dropped */
	assert_ptr_equal(nvmf_ctrlr_ns_swap(&g_fx.c, &b), &a);
	assert_ptr_equal(nvmf_ctrlr_ns(&g_fx.c), &b);
	assert_false(nvmf_aen_poll(&g_fx.c, &cpl));
	/* enabled (AEC bit 8): reported once, then masked until the log is
	 * read */
	sqe = fx_cmd(NVME_ADM_SET_FEATURES);
	sqe.cdw10 = htole32(NVME_FEAT_ASYNC_EVENT_CONFIG);
	sqe.cdw11 = htole32(NVMF_AEC_NS_ATTR);
	fx_ok(sqe);
	assert_ptr_equal(nvmf_ctrlr_ns_swap(&g_fx.c, &a), &b);
	expect_event(cid, NVMF_AEN_TYPE_NOTICE, 0x00, NVME_LOG_CHANGED_NS);
	cid = fx_hold_aer();
	nvmf_ctrlr_ns_swap(&g_fx.c, &b);
	assert_false(nvmf_aen_poll(&g_fx.c, &cpl));
	nvmf_aen_log_read(&g_fx.c, NVME_LOG_CHANGED_NS);
	expect_event(cid, NVMF_AEN_TYPE_NOTICE, 0x00, NVME_LOG_CHANGED_NS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_cap_vs, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_access_sizes, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_enable, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_enable_checks, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_cc_crime_read_only, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_intms_intmc, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_reset_in_flight, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_reset_then_enable, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_shutdown, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_shutdown_disabled, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_doorbell_of_no_queue, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_ns_swap, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
