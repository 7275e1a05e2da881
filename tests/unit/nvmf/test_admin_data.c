/* SPDX-License-Identifier: MIT */
/*
 * Identify and Get Log Page answered through the admin queue
 * (nvmf_admin_data.h): the builders' pages reach the host's PRPs, the
 * Changed Namespace List follows namespace swaps, a log read with RAE
 * cleared re-arms its event, the SMART counters come from the frontend's
 * callback, and MDTS bounds Get Log Page. Fields are read at the byte
 * offsets of the spec's figures.
 */
#include "ctrlr_fixture.h"

#include "nvmf/nvmf_admin_data.h"

static struct nvmf_smart_counters g_smart;

static void fx_smart(void *arg, struct nvmf_smart_counters *out)
{
	(void)arg;
	*out = g_smart;
}

static struct nvme_sqe identify(uint8_t cns, uint32_t nsid)
{
	struct nvme_sqe sqe = fx_cmd(NVME_ADM_IDENTIFY);

	sqe.nsid = htole32(nsid);
	sqe.cdw10 = htole32(cns);
	sqe.dptr.prp.prp1 = htole64(DATA_GPA);
	return sqe;
}

/* Get Log Page lid, len bytes (NUMD is 0's based dwords), RAE as given. */
static struct nvme_sqe get_log(uint8_t lid, uint32_t len, bool rae)
{
	struct nvme_sqe sqe = fx_cmd(NVME_ADM_GET_LOG_PAGE);
	uint32_t numd = len / 4 - 1;

	sqe.nsid = htole32(NVME_NSID_ALL);
	sqe.cdw10 = htole32(lid | (rae ? NVME_LOG_RAE : 0) | (numd & 0xffff) << 16);
	sqe.cdw11 = htole32(numd >> 16);
	sqe.dptr.prp.prp1 = htole64(DATA_GPA);
	sqe.dptr.prp.prp2 = htole64(DATA_GPA + PAGE);
	return sqe;
}

static const uint8_t *data(void)
{
	return fx_hva(DATA_GPA);
}

static void test_identify_controller(void **state)
{
	(void)state;
	snprintf(g_fx.props.sn, sizeof(g_fx.props.sn), "SN-1");
	snprintf(g_fx.props.mn, sizeof(g_fx.props.mn), "storlab model");
	g_fx.props.cntlid = 7;
	fx_enable();
	memset(fx_hva(DATA_GPA), 0xee, PAGE);
	fx_ok(identify(NVME_IDENTIFY_CTRL, 0));
	/* Base Figure 328: SN at 4 (20 bytes), MN at 24 (40), space padded;
	 * CNTLID at 78. */
	assert_memory_equal(data() + 4, "SN-1                ", 20);
	assert_memory_equal(data() + 24, "storlab model", 13);
	assert_int_equal(data()[24 + 13], ' ');
	assert_int_equal(data()[78] | data()[79] << 8, 7);
	/* An unknown CNS: the builder's refusal reaches the CQE. */
	fx_refused(identify(0xfe, 0), NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, "§5");
}

static void test_changed_ns_log_rearms_event(void **state)
{
	struct nvmf_ns_props ns1 = {.nsid = 1, .block_size = 512, .num_blocks = 8};
	struct nvmf_ns_props ns2 = {.nsid = 2, .block_size = 512, .num_blocks = 8};
	const struct nvmf_ns_props *both[] = {&ns1, &ns2};
	struct nvmf_ns_list one = {both, 1}, two = {both, 2};
	struct nvme_sqe aec = fx_cmd(NVME_ADM_SET_FEATURES);
	struct nvmf_cpl cpl;

	(void)state;
	nvmf_ctrlr_ns_swap(&g_fx.c, &one);
	fx_enable();
	aec.cdw10 = htole32(NVME_FEAT_ASYNC_EVENT_CONFIG);
	aec.cdw11 = htole32(1u << 8); /* Namespace Attribute Notices */
	fx_ok(aec);
	fx_hold_aer();
	fx_hold_aer();
	nvmf_ctrlr_ns_swap(&g_fx.c, &two); /* ns 2 attached */
	assert_true(nvmf_aen_poll(&g_fx.c, &cpl));
	/* Base Figure 150: type Notice, the Changed Namespace List's LID. */
	assert_int_equal(cpl.cdw0 & 0x7, NVMF_AEN_TYPE_NOTICE);
	assert_int_equal(cpl.cdw0 >> 16 & 0xff, NVME_LOG_CHANGED_NS);
	nvmf_ctrlr_ns_swap(&g_fx.c, &one); /* and detached again */
	assert_false(nvmf_aen_poll(&g_fx.c, &cpl)); /* masked until the log is read */

	/* RAE set: the page, but the event stays masked. */
	fx_ok(get_log(NVME_LOG_CHANGED_NS, 4096, true));
	assert_int_equal(data()[0] | data()[1] << 8, 2);
	assert_int_equal(data()[4], 0);
	assert_false(nvmf_aen_poll(&g_fx.c, &cpl));
	/* The page empties on every read; RAE cleared re-arms the event,
	 * which comes again for the detach seen meanwhile. */
	nvmf_ctrlr_ns_swap(&g_fx.c, &two);
	fx_ok(get_log(NVME_LOG_CHANGED_NS, 4096, false));
	assert_int_equal(data()[0], 2);
	assert_true(nvmf_aen_poll(&g_fx.c, &cpl));
}

static void test_smart_and_effects(void **state)
{
	(void)state;
	g_fx.c.smart = fx_smart;
	g_smart = (struct nvmf_smart_counters){.bytes_read = 512 * 1000 * 3, .read_cmds = 42};
	fx_enable();
	fx_ok(get_log(NVME_LOG_SMART, 512, true));
	/* Base Figure 207: Data Units Read at 32 (1000s of 512 bytes), Host
	 * Read Commands at 64. */
	assert_int_equal(data()[32], 3);
	assert_int_equal(data()[64], 42);
	/* Commands Supported and Effects: Identify (06h) is supported (CSUPP,
	 * bit 0 of its 4-byte entry), Keep Alive (18h) is not. */
	fx_ok(get_log(NVME_LOG_CMD_EFFECTS, 4096, true));
	assert_int_equal(data()[4 * NVME_ADM_IDENTIFY] & 1, 1);
	assert_int_equal(data()[4 * NVME_ADM_KEEP_ALIVE] & 1, 0);
}

static void test_log_over_mdts(void **state)
{
	(void)state;
	g_fx.props.mdts = 1; /* 8 KiB */
	fx_enable();
	fx_refused(get_log(NVME_LOG_ERROR, 16384, true), NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD,
		   "MDTS");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_identify_controller, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_changed_ns_log_rearms_event, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_smart_and_effects, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_log_over_mdts, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
