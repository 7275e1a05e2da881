/* SPDX-License-Identifier: MIT */
/*
 * The admin commands of the NVMe controller (NVMe Base 2.1 §5), sent
 * through the admin queue as a host driver does: each status the spec
 * names for Create/Delete I/O SQ and CQ, Get/Set Features, Asynchronous
 * Event Request, Abort, and the commands routed to the data builders.
 */
#include "ctrlr_fixture.h"

static struct nvme_sqe delete_q(uint8_t opc, uint16_t qid)
{
	struct nvme_sqe sqe = fx_cmd(opc);

	sqe.cdw10 = htole32(qid);
	return sqe;
}

static void test_create_cq_statuses(void **state)
{
	struct nvme_sqe sqe;

	(void)state;
	fx_enable();
	/* Invalid Queue Identifier: 0, over the allocated count, in use */
	fx_refused(fx_create_cq(0, 8, NVME_CREATE_Q_PC, 0), NVME_SCT_CMD_SPECIFIC,
		   NVME_SC_INVALID_QID, "§5.3.1");
	fx_refused(fx_create_cq(MAXQ + 1, 8, NVME_CREATE_Q_PC, 0), NVME_SCT_CMD_SPECIFIC,
		   NVME_SC_INVALID_QID, "§5.3.1");
	/* Invalid Queue Size: one entry, more than CAP.MQES + 1 */
	fx_refused(fx_create_cq(1, 1, NVME_CREATE_Q_PC, 0), NVME_SCT_CMD_SPECIFIC,
		   NVME_SC_INVALID_QUEUE_SIZE, "§5.3");
	fx_refused(fx_create_cq(1, MQES + 2, NVME_CREATE_Q_PC, 0), NVME_SCT_CMD_SPECIFIC,
		   NVME_SC_INVALID_QUEUE_SIZE, "§5.3");
	/* not physically contiguous while CAP.CQR is 1 */
	fx_refused(fx_create_cq(1, 8, 0, 0), NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, "§5.3");
	/* a vector we do not have, when interrupts are on */
	fx_refused(fx_create_cq(1, 8, NVME_CREATE_Q_PC | NVME_CREATE_CQ_IEN, VECTORS),
		   NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_INTERRUPT_VECTOR, "§5.3.1");
	/* a ring not page aligned, or outside guest memory */
	sqe = fx_create_cq(1, 8, NVME_CREATE_Q_PC, 0);
	sqe.dptr.prp.prp1 = htole64(IOCQ_GPA + 16);
	fx_refused(sqe, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, "§5.3");
	sqe = fx_create_cq(1, 8, NVME_CREATE_Q_PC, 0);
	sqe.dptr.prp.prp1 = htole64(HOLE);
	fx_refused(sqe, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, "DMA mappings");
	fx_ok(fx_create_cq(1, 8, NVME_CREATE_Q_PC | NVME_CREATE_CQ_IEN, VECTORS - 1));
	fx_refused(fx_create_cq(1, 8, NVME_CREATE_Q_PC, 0), NVME_SCT_CMD_SPECIFIC,
		   NVME_SC_INVALID_QID, "§5.3.1");
}

static void test_create_sq_statuses(void **state)
{
	(void)state;
	fx_enable();
	fx_ok(fx_create_cq(1, 8, NVME_CREATE_Q_PC, 0));
	/* Completion Queue Invalid: the admin CQ, one never created */
	fx_refused(fx_create_sq(1, 8, 0), NVME_SCT_CMD_SPECIFIC, NVME_SC_CQ_INVALID, "§5.3.2");
	fx_refused(fx_create_sq(1, 8, 2), NVME_SCT_CMD_SPECIFIC, NVME_SC_CQ_INVALID, "§5.3.2");
	fx_refused(fx_create_sq(1, 8, 0xffff), NVME_SCT_CMD_SPECIFIC, NVME_SC_CQ_INVALID, "§5.3.2");
	fx_refused(fx_create_sq(0, 8, 1), NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_QID, "§5.3.2");
	fx_refused(fx_create_sq(1, 1, 1), NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_QUEUE_SIZE,
		   "§5.3");
	fx_ok(fx_create_sq(1, 8, 1));
	fx_refused(fx_create_sq(1, 8, 1), NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_QID, "§5.3.2");
}

/* CC.IOSQES / IOCQES other than 64 and 16 bytes: checked at creation. */
static void test_create_entry_sizes(void **state)
{
	(void)state;
	/* Base §3.1.4.5: before CC.IOCQES/IOSQES are initialized, "shall" be
	 * Invalid Queue Size */
	assert_int_equal(fx_enable_cc(NVME_SET(NVME_CC_EN, 1)), NVMF_CTRLR_EV_ENABLE);
	fx_refused(fx_create_cq(1, 8, NVME_CREATE_Q_PC, 0), NVME_SCT_CMD_SPECIFIC,
		   NVME_SC_INVALID_QUEUE_SIZE, "§3.1.4.5");
}

/* Initialized to a size Identify CQES does not allow: an invalid field. */
static void test_create_entry_size_unsupported(void **state)
{
	(void)state;
	assert_int_equal(fx_enable_cc(NVME_SET(NVME_CC_EN, 1) | NVME_SET(NVME_CC_IOSQES, NVME_SQES) |
				      NVME_SET(NVME_CC_IOCQES, NVME_CQES + 1)),
			 NVMF_CTRLR_EV_ENABLE);
	fx_refused(fx_create_cq(1, 8, NVME_CREATE_Q_PC, 0), NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD,
		   "§3.1.4.5");
}

/* Delete I/O SQ hands the drain to the frontend; Delete I/O CQ refuses
 * while an SQ posts to it. */
static void test_delete_queues(void **state)
{
	struct nvme_sqe sqe = delete_q(NVME_ADM_DELETE_SQ, 1), got;
	struct nvmf_admin_out out;
	struct nvme_cqe cqe;
	struct nvmf_irq irq;

	(void)state;
	fx_enable();
	fx_refused(delete_q(NVME_ADM_DELETE_SQ, 1), NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_QID,
		   "§5.3.4");
	fx_refused(delete_q(NVME_ADM_DELETE_SQ, 0), NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_QID,
		   "§5.3.4");
	fx_refused(delete_q(NVME_ADM_DELETE_CQ, 0), NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_QID,
		   "§5.3.3");
	fx_ok(fx_create_cq(1, 8, NVME_CREATE_Q_PC, 0));
	fx_ok(fx_create_sq(1, 8, 1));
	fx_refused(delete_q(NVME_ADM_DELETE_CQ, 1), NVME_SCT_CMD_SPECIFIC,
		   NVME_SC_INVALID_QUEUE_DELETION, "§5.3.3");

	fx_submit(&sqe);
	assert_int_equal(fx_run(&out), NVMF_ADMIN_DRAIN_SQ);
	assert_int_equal(out.sqid, 1);
	/* nothing more is fetched, but what was in flight may still post */
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, 1, &got), -ENOENT);
	struct nvmf_cpl inflight = {
	    .cid = 5, .status = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_ABORTED_SQ_DELETION)};
	assert_int_equal(nvmf_cq_post(&g_fx.c, 1, &inflight, &irq), 0);
	nvmf_admin_delete_sq_done(&g_fx.c, out.sqid, &out.cpl);
	assert_int_equal(nvmf_cq_post(&g_fx.c, 0, &out.cpl, &irq), 0);
	assert_true(fx_reap(&cqe));
	assert_int_equal(le16toh(cqe.cid), le16toh(sqe.cid));
	assert_int_equal(fx_status(&cqe), 0);
	fx_ok(delete_q(NVME_ADM_DELETE_CQ, 1));
	fx_refused(delete_q(NVME_ADM_DELETE_CQ, 1), NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_QID,
		   "§5.3.3");
}

static struct nvme_sqe get_feat(uint8_t fid, unsigned sel)
{
	struct nvme_sqe sqe = fx_cmd(NVME_ADM_GET_FEATURES);

	sqe.cdw10 = htole32(sel << 8 | fid);
	return sqe;
}

static struct nvme_sqe set_feat(uint8_t fid, uint32_t cdw11)
{
	struct nvme_sqe sqe = fx_cmd(NVME_ADM_SET_FEATURES);

	sqe.cdw10 = htole32(fid);
	sqe.cdw11 = htole32(cdw11);
	return sqe;
}

static uint32_t feat_value(uint8_t fid, unsigned sel)
{
	struct nvme_cqe cqe = fx_admin(get_feat(fid, sel));

	assert_int_equal(fx_status(&cqe), 0);
	return le32toh(cqe.cdw0);
}

static void test_num_queues(void **state)
{
	struct nvme_cqe cqe;

	(void)state;
	fx_enable();
	assert_int_equal(feat_value(NVME_FEAT_NUM_QUEUES, 0), (MAXQ - 1) << 16 | (MAXQ - 1));
	fx_refused(set_feat(NVME_FEAT_NUM_QUEUES, 0xffff), NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD,
		   "§5.2.26");
	/* 2 SQs, and more CQs than we have: we allocate what we have */
	cqe = fx_admin(set_feat(NVME_FEAT_NUM_QUEUES, 100u << 16 | 1));
	assert_int_equal(fx_status(&cqe), 0);
	assert_int_equal(le32toh(cqe.cdw0), (MAXQ - 1) << 16 | 1);
	assert_int_equal(feat_value(NVME_FEAT_NUM_QUEUES, 0), (MAXQ - 1) << 16 | 1);
	/* the default is still everything */
	assert_int_equal(feat_value(NVME_FEAT_NUM_QUEUES, 1), (MAXQ - 1) << 16 | (MAXQ - 1));
	/* SQ 3 is over the 2 allocated */
	fx_ok(fx_create_cq(1, 8, NVME_CREATE_Q_PC, 0));
	fx_refused(fx_create_sq(3, 8, 1), NVME_SCT_CMD_SPECIFIC, NVME_SC_INVALID_QID, "§5.3.2");
	/* once a queue exists, the count is fixed */
	fx_refused(set_feat(NVME_FEAT_NUM_QUEUES, 0), NVME_SCT_GENERIC,
		   NVME_SC_COMMAND_SEQUENCE_ERROR, "§5.2.26.1.7");
}

static void test_simple_features(void **state)
{
	(void)state;
	fx_enable();
	fx_ok(set_feat(NVME_FEAT_ARBITRATION, 0x03020107));
	assert_int_equal(feat_value(NVME_FEAT_ARBITRATION, 0), 0x03020107);
	assert_int_equal(feat_value(NVME_FEAT_ARBITRATION, 1), 0);
	assert_int_equal(feat_value(NVME_FEAT_ARBITRATION, 2), 0);	 /* saved = default */
	assert_int_equal(feat_value(NVME_FEAT_ARBITRATION, 3), 1u << 2); /* changeable */
	fx_ok(set_feat(NVME_FEAT_IRQ_COALESCING, 0x0a05));
	assert_int_equal(feat_value(NVME_FEAT_IRQ_COALESCING, 0), 0x0a05);
	fx_ok(set_feat(NVME_FEAT_ASYNC_EVENT_CONFIG, 0xffffffff));
	assert_int_equal(feat_value(NVME_FEAT_ASYNC_EVENT_CONFIG, 0), 0xff | NVMF_AEC_NS_ATTR);
	/* the write cache is there: on by default, the host turns it off */
	assert_int_equal(feat_value(NVME_FEAT_VOLATILE_WC, 0), 1);
	fx_ok(set_feat(NVME_FEAT_VOLATILE_WC, 0));
	assert_int_equal(feat_value(NVME_FEAT_VOLATILE_WC, 0), 0);
	assert_false(nvmf_feat_wce(&g_fx.c));
	/* nothing is saveable */
	struct nvme_sqe sqe = set_feat(NVME_FEAT_ARBITRATION, 0);
	sqe.cdw10 |= htole32(1u << 31);
	fx_refused(sqe, NVME_SCT_CMD_SPECIFIC, NVME_SC_FEATURE_NOT_SAVEABLE, "§5.2.26");
	/* features we do not have, and a reserved SEL */
	fx_refused(get_feat(NVME_FEAT_POWER_MGMT, 0), NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD,
		   "§5.2.26");
	fx_refused(set_feat(NVME_FEAT_KEEP_ALIVE, 0), NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD,
		   "§5.2.26");
	fx_refused(get_feat(NVME_FEAT_ARBITRATION, 4), NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD,
		   "§5.2.26");
	/* after a reset, the defaults */
	assert_int_equal(fx_write32(NVME_REG_CC, 0), NVMF_CTRLR_EV_RESET);
	assert_int_equal(nvmf_ctrlr_reset_done(&g_fx.c), 0);
	assert_true(nvmf_feat_wce(&g_fx.c));
}

static void test_no_write_cache(void **state)
{
	(void)state;
	g_fx.props.volatile_write_cache = false;
	nvmf_ctrlr_fini(&g_fx.c);
	assert_int_equal(fx_init_ctrlr(), 0);
	fx_enable();
	fx_refused(get_feat(NVME_FEAT_VOLATILE_WC, 0), NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD,
		   "§5.2.26");
	fx_refused(set_feat(NVME_FEAT_VOLATILE_WC, 1), NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD,
		   "§5.2.26");
}

static void test_iv_config(void **state)
{
	struct nvme_sqe sqe;

	(void)state;
	fx_enable();
	fx_ok(set_feat(NVME_FEAT_IRQ_VECTOR_CONFIG, 1u << 16 | 5));
	sqe = get_feat(NVME_FEAT_IRQ_VECTOR_CONFIG, 0);
	sqe.cdw11 = htole32(5);
	assert_int_equal(le32toh(fx_admin(sqe).cdw0), 1u << 16 | 5);
	sqe = get_feat(NVME_FEAT_IRQ_VECTOR_CONFIG, 0);
	sqe.cdw11 = htole32(4);
	assert_int_equal(le32toh(fx_admin(sqe).cdw0), 4);
	fx_refused(set_feat(NVME_FEAT_IRQ_VECTOR_CONFIG, VECTORS), NVME_SCT_GENERIC,
		   NVME_SC_INVALID_FIELD, "§5.2.26");
	sqe = get_feat(NVME_FEAT_IRQ_VECTOR_CONFIG, 0);
	sqe.cdw11 = htole32(VECTORS);
	fx_refused(sqe, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, "§5.2.26");
}

/* Interrupt Coalescing as the I/O queues read it: off at reset, THR + 1
 * completions and TIME x 100 us once set, off again for a vector whose
 * Coalescing Disable is set (Base 2.1 §5.1.25.2.2, §5.1.25.2.3). */
static void test_coalescing(void **state)
{
	unsigned thr, delay_us;

	(void)state;
	fx_enable();
	assert_false(nvmf_feat_coalescing(&g_fx.c, 1, &thr, &delay_us));
	assert_int_equal(thr, 1);
	fx_ok(set_feat(NVME_FEAT_IRQ_COALESCING, 0x0a05));
	assert_true(nvmf_feat_coalescing(&g_fx.c, 1, &thr, &delay_us));
	assert_int_equal(thr, 6);
	assert_int_equal(delay_us, 1000);
	fx_ok(set_feat(NVME_FEAT_IRQ_VECTOR_CONFIG, 1u << 16 | 1));
	assert_false(nvmf_feat_coalescing(&g_fx.c, 1, &thr, &delay_us));
	assert_true(nvmf_feat_coalescing(&g_fx.c, 2, &thr, &delay_us));
	fx_ok(set_feat(NVME_FEAT_IRQ_VECTOR_CONFIG, 1));
	assert_true(nvmf_feat_coalescing(&g_fx.c, 1, &thr, &delay_us));
	/* a threshold with no time (the interrupt may not wait), a time with
	 * a threshold of one: nothing to aggregate */
	fx_ok(set_feat(NVME_FEAT_IRQ_COALESCING, 0x0003));
	assert_false(nvmf_feat_coalescing(&g_fx.c, 1, &thr, &delay_us));
	fx_ok(set_feat(NVME_FEAT_IRQ_COALESCING, 0x0100));
	assert_false(nvmf_feat_coalescing(&g_fx.c, 1, &thr, &delay_us));
}

/* Timestamp moves 8 bytes through PRP1: the host sets it, and it runs on
 * with our clock. */
static void test_timestamp(void **state)
{
	uint8_t *buf = fx_hva(DATA_GPA);
	struct nvme_sqe sqe;
	uint64_t ts;

	(void)state;
	fx_enable();
	g_fx.now = 1000;
	sqe = get_feat(NVME_FEAT_TIMESTAMP, 0);
	sqe.dptr.prp.prp1 = htole64(DATA_GPA);
	fx_ok(sqe);
	memcpy(&ts, buf, 8);
	assert_int_equal(le64toh(ts), 1000); /* origin 000b: since reset */

	ts = htole64(5000000);
	memcpy(buf, &ts, 8);
	sqe = set_feat(NVME_FEAT_TIMESTAMP, 0);
	sqe.dptr.prp.prp1 = htole64(DATA_GPA);
	fx_ok(sqe);
	g_fx.now = 1250;
	memset(buf, 0, 8);
	sqe = get_feat(NVME_FEAT_TIMESTAMP, 0);
	sqe.dptr.prp.prp1 = htole64(DATA_GPA);
	fx_ok(sqe);
	memcpy(&ts, buf, 8);
	assert_int_equal(le64toh(ts), 5000250 | 1ULL << 49); /* origin 001b */
	/* a buffer outside guest memory */
	sqe.dptr.prp.prp1 = htole64(HOLE);
	fx_refused(sqe, NVME_SCT_GENERIC, NVME_SC_DATA_TRANSFER_ERROR, "§4.3");
}

static void test_aer_limit(void **state)
{
	uint16_t first;
	struct nvmf_cpl cpl;

	(void)state;
	fx_enable();
	first = fx_hold_aer();
	for (int i = 0; i < AERL; i++)
		fx_hold_aer();
	fx_refused(fx_cmd(NVME_ADM_ASYNC_EVENT_REQUEST), NVME_SCT_CMD_SPECIFIC,
		   NVME_SC_AER_LIMIT_EXCEEDED, "§5.2.2");
	/* the oldest answers first */
	assert_false(nvmf_aen_poll(&g_fx.c, &cpl));
	nvmf_aen_raise(&g_fx.c, NVMF_AEN_INVALID_DB_REG);
	assert_true(nvmf_aen_poll(&g_fx.c, &cpl));
	assert_int_equal(cpl.cid, first);
	/* a reset drops the held ones */
	assert_int_equal(fx_write32(NVME_REG_CC, 0), NVMF_CTRLR_EV_RESET);
	assert_int_equal(nvmf_ctrlr_reset_done(&g_fx.c), 0);
	assert_int_equal(g_fx.c.aer.nheld, 0);
}

/* An event raised with no AER outstanding waits for the next one. */
static void test_aer_event_queued(void **state)
{
	struct nvmf_cpl cpl;
	uint16_t cid;

	(void)state;
	fx_enable();
	nvmf_aen_raise(&g_fx.c, NVMF_AEN_INVALID_DB_VALUE);
	assert_false(nvmf_aen_poll(&g_fx.c, &cpl));
	cid = fx_hold_aer();
	assert_true(nvmf_aen_poll(&g_fx.c, &cpl));
	assert_int_equal(cpl.cid, cid);
	assert_int_equal(cpl.cdw0, NVMF_AEN_TYPE_ERROR | 1u << 8 | NVME_LOG_ERROR << 16);
	assert_false(nvmf_aen_poll(&g_fx.c, &cpl));
}

static struct nvme_sqe abort_cmd(uint16_t sqid, uint16_t cid)
{
	struct nvme_sqe sqe = fx_cmd(NVME_ADM_ABORT);

	sqe.cdw10 = htole32((uint32_t)cid << 16 | sqid);
	return sqe;
}

static void test_abort(void **state)
{
	struct nvmf_admin_out out;
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	struct nvmf_irq irq;

	(void)state;
	fx_enable();
	/* admin commands and queues that do not exist: not aborted */
	cqe = fx_admin(abort_cmd(0, 1));
	assert_int_equal(fx_status(&cqe), 0);
	assert_int_equal(le32toh(cqe.cdw0), 1);
	cqe = fx_admin(abort_cmd(3, 1));
	assert_int_equal(le32toh(cqe.cdw0), 1);

	fx_ok(fx_create_cq(1, 8, NVME_CREATE_Q_PC, 0));
	fx_ok(fx_create_sq(1, 8, 1));
	sqe = abort_cmd(1, 0x42);
	fx_submit(&sqe);
	assert_int_equal(fx_run(&out), NVMF_ADMIN_ABORT);
	assert_int_equal(out.sqid, 1);
	assert_int_equal(out.cid, 0x42);
	nvmf_admin_abort_done(&g_fx.c, true, &out.cpl);
	assert_int_equal(nvmf_cq_post(&g_fx.c, 0, &out.cpl, &irq), 0);
	assert_true(fx_reap(&cqe));
	assert_int_equal(le16toh(cqe.cid), le16toh(sqe.cid));
	assert_int_equal(le32toh(cqe.cdw0), 0);

	/* ACL + 1 handed out at once, no more */
	for (int i = 0; i <= NVMF_ACL; i++) {
		sqe = abort_cmd(1, (uint16_t)i);
		fx_submit(&sqe);
		assert_int_equal(fx_run(&out), NVMF_ADMIN_ABORT);
	}
	fx_refused(abort_cmd(1, 9), NVME_SCT_CMD_SPECIFIC, NVME_SC_ABORT_LIMIT_EXCEEDED, "§5.2.1");
	nvmf_admin_abort_done(&g_fx.c, false, &out.cpl);
	assert_int_equal(out.cpl.cdw0, 1);
	sqe = abort_cmd(1, 10);
	fx_submit(&sqe);
	assert_int_equal(fx_run(&out), NVMF_ADMIN_ABORT);
}

static void test_dispatch(void **state)
{
	struct nvme_sqe sqe;

	(void)state;
	fx_enable();
	fx_refused(fx_cmd(0x7f), NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE, "§5");
	fx_refused(fx_cmd(NVME_ADM_KEEP_ALIVE), NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE, "§5");
	/* SGLs and fused commands are not for the admin queue */
	sqe = get_feat(NVME_FEAT_ARBITRATION, 0);
	sqe.flags = NVME_SET(NVME_SQE_PSDT, NVME_PSDT_SGL_MPTR);
	fx_refused(sqe, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, "§4.1.1");
	sqe = get_feat(NVME_FEAT_ARBITRATION, 0);
	sqe.flags = NVME_SET(NVME_SQE_FUSE, NVME_FUSE_FIRST);
	fx_refused(sqe, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, "§4.1.1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_create_cq_statuses, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_coalescing, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_create_sq_statuses, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_create_entry_sizes, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_create_entry_size_unsupported, fx_setup,
					    fx_teardown),
	    cmocka_unit_test_setup_teardown(test_delete_queues, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_num_queues, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_simple_features, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_no_write_cache, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_iv_config, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_timestamp, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_aer_limit, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_aer_event_queued, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_abort, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_dispatch, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
