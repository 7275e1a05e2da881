/* SPDX-License-Identifier: MIT */
/*
 * The queue rings of the NVMe controller as a host sees them (NVMe Base
 * 2.1 §4.1, §4.2): the admin queue wrapping with the phase tag, an I/O
 * queue pair driven through the mmap'd doorbell array, a full CQ, invalid
 * doorbell values, the interrupt decision, and shadow doorbells with
 * EventIdx (Doorbell Buffer Config, Base §5.3.5).
 */
#include "ctrlr_fixture.h"

#define IOQ 1

/* Enables and creates I/O CQ 1 (cq_size entries, vector 2, flags) and
 * SQ 1 (sq_size entries) on it. */
static void make_io_pair(uint16_t cq_size, uint16_t sq_size, uint32_t cq_flags)
{
	fx_enable();
	fx_ok(fx_create_cq(IOQ, cq_size, NVME_CREATE_Q_PC | cq_flags, 2));
	fx_ok(fx_create_sq(IOQ, sq_size, IOQ));
}

/* The host puts an I/O command in SQ 1's slot and writes the tail to the
 * doorbell array (the mmap path, no message). */
static void io_put(uint16_t slot, uint16_t cid, uint16_t tail)
{
	struct nvme_sqe sqe = {.opc = NVME_NVM_READ, .cid = htole16(cid), .nsid = htole32(1)};

	memcpy((uint8_t *)fx_hva(IOSQ_GPA) + slot * sizeof(sqe), &sqe, sizeof(sqe));
	__atomic_store_n(&g_fx.db[2 * IOQ], tail, __ATOMIC_RELEASE);
}

static struct nvme_cqe io_cqe(uint16_t slot)
{
	struct nvme_cqe cqe;

	memcpy(&cqe, (uint8_t *)fx_hva(IOCQ_GPA) + slot * sizeof(cqe), sizeof(cqe));
	return cqe;
}

static int io_post(uint16_t cid, struct nvmf_irq *irq)
{
	struct nvmf_cpl cpl = {.cid = cid};

	return nvmf_cq_post(&g_fx.c, IOQ, &cpl, irq);
}

/* Twenty admin commands through a 16-entry queue pair: the CQE phase tag
 * is 1 on the first pass and 0 on the second, SQ head follows. */
static void test_admin_wraps_phase(void **state)
{
	(void)state;
	fx_enable();
	for (int i = 0; i < 20; i++) {
		struct nvme_sqe sqe = fx_cmd(NVME_ADM_GET_FEATURES);
		uint8_t want_phase = i < AQ_SIZE ? 1 : 0;
		struct nvme_cqe cqe;

		sqe.cdw10 = htole32(NVME_FEAT_NUM_QUEUES);
		cqe = fx_admin(sqe);
		assert_int_equal(le16toh(cqe.status) & 1, want_phase);
		assert_int_equal(fx_status(&cqe), 0);
		assert_int_equal(le32toh(cqe.cdw0), (MAXQ - 1) << 16 | (MAXQ - 1));
	}
}

static void test_io_fetch_post(void **state)
{
	struct nvme_sqe sqe;
	struct nvme_cqe cqe;
	struct nvmf_irq irq;

	(void)state;
	make_io_pair(8, 8, NVME_CREATE_CQ_IEN);
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, IOQ, &sqe), 0);
	io_put(0, 0x77, 1);
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, IOQ, &sqe), 1);
	assert_int_equal(sqe.opc, NVME_NVM_READ);
	assert_int_equal(le16toh(sqe.cid), 0x77);
	/* the entry was copied once: the host changing it now changes
	 * nothing we decoded */
	memset(fx_hva(IOSQ_GPA), 0xff, sizeof(sqe));
	assert_int_equal(le16toh(sqe.cid), 0x77);
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, IOQ, &sqe), 0);

	assert_int_equal(io_post(0x77, &irq), 0);
	cqe = io_cqe(0);
	assert_int_equal(le16toh(cqe.cid), 0x77);
	assert_int_equal(le16toh(cqe.sqid), IOQ);
	assert_int_equal(le16toh(cqe.sqhd), 1);
	assert_int_equal(le16toh(cqe.status), 1); /* success, phase 1 */
	assert_true(irq.fire);
	assert_int_equal(irq.vector, 2);
	/* an error status: SCT/SC in place, Do Not Retry */
	io_put(1, 0x78, 2);
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, IOQ, &sqe), 1);
	struct nvmf_cpl err = {.cid = 0x78,
			       .status = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_LBA_OUT_OF_RANGE)};
	assert_int_equal(nvmf_cq_post(&g_fx.c, IOQ, &err, &irq), 0);
	cqe = io_cqe(1);
	assert_int_equal(fx_status(&cqe), err.status);
	assert_true(NVME_GET(le16toh(cqe.status), NVME_STATUS_DNR));
	/* no such queue */
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, 2, &sqe), -ENOENT);
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, 999, &sqe), -ENOENT);
	assert_int_equal(nvmf_cq_post(&g_fx.c, 2, &err, &irq), -ENOENT);
}

/* A CQ of 4 entries holds 3 completions; the fourth waits until the host
 * moves its head. */
static void test_cq_full(void **state)
{
	struct nvme_sqe sqe;
	struct nvmf_irq irq;

	(void)state;
	make_io_pair(4, 8, 0);
	for (uint16_t i = 0; i < 4; i++)
		io_put(i, i, i + 1);
	for (int i = 0; i < 4; i++)
		assert_int_equal(nvmf_sq_fetch(&g_fx.c, IOQ, &sqe), 1);
	for (uint16_t i = 0; i < 3; i++)
		assert_int_equal(io_post(i, &irq), 0);
	assert_false(irq.fire); /* IEN 0 */
	assert_int_equal(io_post(3, &irq), -EAGAIN);
	__atomic_store_n(&g_fx.db[2 * IOQ + 1], 2, __ATOMIC_RELEASE);
	assert_int_equal(io_post(3, &irq), 0);
	assert_int_equal(le16toh(io_cqe(3).cid), 3);
	assert_int_equal(le16toh(io_cqe(3).status) & 1, 1);
	/* the next post wraps to slot 0 with phase 0 */
	io_put(4, 4, 5);
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, IOQ, &sqe), 1);
	assert_int_equal(io_post(4, &irq), 0);
	assert_int_equal(le16toh(io_cqe(0).cid), 4);
	assert_int_equal(le16toh(io_cqe(0).status) & 1, 0);
}

static void expect_invalid_db_value(uint16_t cid)
{
	struct nvmf_cpl cpl;

	assert_true(nvmf_aen_poll(&g_fx.c, &cpl));
	assert_int_equal(cpl.cid, cid);
	assert_int_equal(cpl.cdw0, NVMF_AEN_TYPE_ERROR | 0x01 << 8 | NVME_LOG_ERROR << 16);
	assert_non_null(strstr(g_fx.last_log, "§5.2.2"));
	nvmf_aen_log_read(&g_fx.c, NVME_LOG_ERROR);
}

static void test_invalid_doorbell_values(void **state)
{
	struct nvme_sqe sqe;
	struct nvmf_irq irq;
	uint16_t cid;

	(void)state;
	make_io_pair(4, 8, 0);
	cid = fx_hold_aer();
	/* a tail past the 8-entry SQ */
	__atomic_store_n(&g_fx.db[2 * IOQ], 8, __ATOMIC_RELEASE);
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, IOQ, &sqe), -EINVAL);
	expect_invalid_db_value(cid);
	/* a valid tail again: the queue works */
	io_put(0, 9, 1);
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, IOQ, &sqe), 1);
	/* a CQ head over entries not posted: ignored, reported */
	cid = fx_hold_aer();
	__atomic_store_n(&g_fx.db[2 * IOQ + 1], 2, __ATOMIC_RELEASE);
	assert_int_equal(io_post(9, &irq), 0);
	expect_invalid_db_value(cid);
	assert_int_equal(le16toh(io_cqe(0).cid), 9);
}

static void test_interrupt_mask(void **state)
{
	struct nvme_sqe sqe;
	struct nvmf_irq irq;

	(void)state;
	make_io_pair(8, 8, NVME_CREATE_CQ_IEN);
	io_put(0, 1, 1);
	io_put(1, 2, 2);
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, IOQ, &sqe), 1);
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, IOQ, &sqe), 1);
	assert_int_equal(fx_write32(NVME_REG_INTMS, 1u << 2), 0);
	assert_int_equal(io_post(1, &irq), 0);
	assert_false(irq.fire);
	assert_int_equal(fx_write32(NVME_REG_INTMC, 1u << 2), 0);
	assert_int_equal(io_post(2, &irq), 0);
	assert_true(irq.fire);
	assert_int_equal(irq.vector, 2);
}

static struct nvme_sqe dbbuf_cmd(uint64_t shadow, uint64_t ei)
{
	struct nvme_sqe sqe = fx_cmd(NVME_ADM_DOORBELL_BUFFER_CFG);

	sqe.dptr.prp.prp1 = htole64(shadow);
	sqe.dptr.prp.prp2 = htole64(ei);
	return sqe;
}

/* With shadow doorbells, I/O queue doorbells come from the shadow buffer
 * and the EventIdx follows what we have seen; the admin queue keeps its
 * registers. */
static void test_shadow_doorbells(void **state)
{
	uint32_t *shadow = fx_hva(SHADOW_GPA), *ei = fx_hva(EI_GPA);
	struct nvme_sqe sqe;
	struct nvmf_irq irq;

	(void)state;
	make_io_pair(4, 8, 0);
	io_put(0, 1, 1); /* through the register, before the config */
	fx_ok(dbbuf_cmd(SHADOW_GPA, EI_GPA));
	/* the shadow starts from the registers */
	assert_int_equal(le32toh(shadow[2 * IOQ]), 1);
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, IOQ, &sqe), 1);
	/* a register write alone is not looked at any more */
	io_put(1, 2, 2);
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, IOQ, &sqe), 0);
	assert_int_equal(le32toh(ei[2 * IOQ]), 1);
	shadow[2 * IOQ] = htole32(2);
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, IOQ, &sqe), 1);
	assert_int_equal(le16toh(sqe.cid), 2);
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, IOQ, &sqe), 0);
	assert_int_equal(le32toh(ei[2 * IOQ]), 2);
	/* CQ head from the shadow too */
	assert_int_equal(io_post(1, &irq), 0);
	assert_int_equal(io_post(2, &irq), 0);
	shadow[2 * IOQ + 1] = htole32(2);
	assert_int_equal(io_post(3, &irq), 0);
	assert_int_equal(le32toh(ei[2 * IOQ + 1]), 2);
	/* a queue created now starts at 0 whatever the shadow held */
	shadow[2 * 2] = htole32(5);
	fx_ok(fx_create_cq(2, 4, NVME_CREATE_Q_PC, 0));
	fx_ok(fx_create_sq(2, 8, 2));
	assert_int_equal(shadow[2 * 2], 0);
	assert_int_equal(nvmf_sq_fetch(&g_fx.c, 2, &sqe), 0);
	/* the admin queue still answers through its registers */
	sqe = fx_cmd(NVME_ADM_GET_FEATURES);
	sqe.cdw10 = htole32(NVME_FEAT_ARBITRATION);
	fx_ok(sqe);
}

static void test_shadow_doorbell_refusals(void **state)
{
	(void)state;
	fx_enable();
	fx_refused(dbbuf_cmd(SHADOW_GPA + 8, EI_GPA), NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD,
		   "§5.3.5");
	fx_refused(dbbuf_cmd(0, EI_GPA), NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, "§5.3.5");
	fx_refused(dbbuf_cmd(SHADOW_GPA, HOLE), NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, "§5.3.5");
	/* a controller without it (OACS bit 8 clear) does not know it */
	g_fx.props.doorbell_buffer_config = false;
	fx_refused(dbbuf_cmd(SHADOW_GPA, EI_GPA), NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE, "§5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_admin_wraps_phase, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_io_fetch_post, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_cq_full, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_invalid_doorbell_values, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_interrupt_mask, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_shadow_doorbells, fx_setup, fx_teardown),
	    cmocka_unit_test_setup_teardown(test_shadow_doorbell_refusals, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
