/* SPDX-License-Identifier: MIT */
/*
 * lib/nvme's controller bring-up against the in-process lib/nvmf
 * controller (loopback.h): what the driver learns, the shutdown it leaves
 * behind, and how it fails when the controller does not do its part.
 */
#include "loopback.h"

static const struct nvme_ctrlr_opts g_opts = {.io_queues = 2, .io_queue_size = 32};

static uint32_t csts(void)
{
	uint32_t v = 0;

	assert_int_equal(nvmf_ctrlr_read(&g_lb.c, NVME_REG_CSTS, &v, 4), 0);
	return le32toh(v);
}

static void test_init_learns_controller(void **state)
{
	struct nvme_ctrlr c;

	(void)state;
	assert_int_equal(nvme_ctrlr_init(&c, &g_lb_ops, NULL, &g_opts), 0);
	assert_int_equal(c.info.vs, NVME_VS_2_1);
	assert_string_equal(c.info.mn, "storlab loopback");
	assert_string_equal(c.info.sn, "LB0001");
	assert_int_equal(c.info.nn, NVMF_MAX_NS);
	assert_int_equal(c.info.nsid, 1);
	assert_int_equal(c.info.block_size, LB_BS);
	assert_int_equal(c.info.num_blocks, LB_BLOCKS);
	assert_int_equal(c.info.max_xfer, 128 * 1024); /* MDTS 5 of 4 KiB */
	assert_int_equal(c.info.io_queues, 2);
	assert_int_equal(c.info.io_queue_size, 32);
	assert_true(csts() & NVME_SET(NVME_CSTS_RDY, 1));
	nvme_ctrlr_fini(&c);
	/* Base §3.6.1: the controller reports the shutdown complete */
	assert_int_equal(NVME_GET(csts(), NVME_CSTS_SHST), NVME_CSTS_SHST_COMPLETE);
	assert_int_equal(g_lb.pages_used, 0);
}

static void test_queue_grant_capped(void **state)
{
	struct nvme_ctrlr_opts o = {.io_queues = 16, .io_queue_size = 1024};
	struct nvme_ctrlr c;

	(void)state;
	assert_int_equal(nvme_ctrlr_init(&c, &g_lb_ops, NULL, &o), 0);
	assert_int_equal(c.info.io_queues, LB_MAXQ);
	assert_int_equal(c.info.io_queue_size, 64); /* CAP.MQES 63 */
	nvme_ctrlr_fini(&c);
}

static void test_reinit_after_enabled(void **state)
{
	struct nvme_ctrlr c;

	(void)state;
	/* a controller left enabled is reset first (Base §3.5.1 step 1) */
	assert_int_equal(nvme_ctrlr_init(&c, &g_lb_ops, NULL, &g_opts), 0);
	nvme_qpair_fini(&c.admin);
	assert_int_equal(nvme_ctrlr_init(&c, &g_lb_ops, NULL, &g_opts), 0);
	assert_int_equal(c.info.nsid, 1);
	nvme_ctrlr_fini(&c);
}

static void test_silent_controller_times_out(void **state)
{
	struct nvme_ctrlr_opts o = g_opts;
	struct nvme_ctrlr c;

	(void)state;
	g_lb.mute = true;
	o.admin_timeout_ms = 30;
	assert_int_equal(nvme_ctrlr_init(&c, &g_lb_ops, NULL, &o), -ETIMEDOUT);
	assert_non_null(strstr(g_lb.last_log, "got no answer"));
	assert_int_equal(g_lb.pages_used, 0);
}

static void test_ready_never_comes(void **state)
{
	struct nvme_ctrlr c;

	(void)state;
	g_lb.csts_stuck = true;
	g_lb.cap_to = 1; /* 500 ms */
	assert_int_equal(nvme_ctrlr_init(&c, &g_lb_ops, NULL, &g_opts), -ETIMEDOUT);
	assert_non_null(strstr(g_lb.last_log, "CAP.TO"));
	assert_int_equal(g_lb.pages_used, 0);
}

static void test_fatal_status(void **state)
{
	struct nvme_ctrlr c;

	(void)state;
	/* RDY is 0 (disable succeeds) until CC.EN; CFS on enable */
	g_lb.csts_or = NVME_SET(NVME_CSTS_CFS, 1);
	assert_int_equal(nvme_ctrlr_init(&c, &g_lb_ops, NULL, &g_opts), -EIO);
	assert_non_null(strstr(g_lb.last_log, "CFS"));
	assert_int_equal(g_lb.pages_used, 0);
}

/* An admin command's error status is the caller's with nvme_admin_run
 * (the host logs nothing), an -EIO and a log line with nvme_admin_sync. */
static void test_admin_status_to_caller(void **state)
{
	struct nvme_sqe sqe = {.opc = NVME_ADM_IDENTIFY, .cdw10 = htole32(NVME_IDENTIFY_NS)};
	const struct nvme_id_ctrl *id;
	struct nvme_cpl cpl = {0};
	struct nvme_ctrlr c;

	(void)state;
	assert_int_equal(nvme_ctrlr_init(&c, &g_lb_ops, NULL, &g_opts), 0);
	/* Base §5.2.13.2: an NSID past NN is Invalid Namespace or Format */
	sqe.nsid = htole32(NVMF_MAX_NS + 1);
	assert_int_equal(nvme_admin_run(&c, &sqe, &c.idbuf, &cpl), 0);
	assert_int_equal(cpl.status, NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_NS_OR_FORMAT));
	/* the in-process controller logs to the same sink; the host did not */
	assert_null(strstr(g_lb.last_log, "admin opcode"));
	assert_int_equal(nvme_admin_sync(&c, &sqe, &c.idbuf, NULL), -EIO);
	assert_non_null(strstr(g_lb.last_log, "admin opcode 0x6: status"));
	sqe = (struct nvme_sqe){.opc = NVME_ADM_IDENTIFY, .cdw10 = htole32(NVME_IDENTIFY_CTRL)};
	assert_int_equal(nvme_admin_run(&c, &sqe, &c.idbuf, &cpl), 0);
	assert_int_equal(cpl.status, 0);
	id = c.idbuf.va;
	assert_memory_equal(id->sn, "LB0001", 6);
	nvme_ctrlr_fini(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_init_learns_controller, lb_setup, lb_teardown),
	    cmocka_unit_test_setup_teardown(test_queue_grant_capped, lb_setup, lb_teardown),
	    cmocka_unit_test_setup_teardown(test_reinit_after_enabled, lb_setup, lb_teardown),
	    cmocka_unit_test_setup_teardown(test_silent_controller_times_out, lb_setup,
					    lb_teardown),
	    cmocka_unit_test_setup_teardown(test_ready_never_comes, lb_setup, lb_teardown),
	    cmocka_unit_test_setup_teardown(test_fatal_status, lb_setup, lb_teardown),
	    cmocka_unit_test_setup_teardown(test_admin_status_to_caller, lb_setup, lb_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
