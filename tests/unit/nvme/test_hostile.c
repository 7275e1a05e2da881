/* SPDX-License-Identifier: MIT */
/*
 * lib/nvme against a controller that lies: completion queue entries that
 * name another queue, a command never sent, an SQ head past our tail, a
 * replayed entry; Identify data whose fields are out of range. Each is
 * refused with a negative errno and a log line citing the rule, and the
 * driver leaves nothing behind.
 */
#include "loopback.h"

/* ---- completion queue entries ---- */

static struct nvme_ctrlr g_c;
static struct nvme_qpair g_qp;

static int q_setup(void **state)
{
	struct nvme_ctrlr_opts o = {.io_queues = 1, .io_queue_size = 8};

	lb_setup(state);
	assert_int_equal(nvme_ctrlr_init(&g_c, &g_lb_ops, NULL, &o), 0);
	return nvme_ctrlr_qpair_create(&g_c, 1, &g_qp);
}

static int q_teardown(void **state)
{
	nvme_ctrlr_qpair_destroy(&g_c, &g_qp);
	nvme_ctrlr_fini(&g_c);
	return lb_teardown(state);
}

/* Writes a CQE where the driver looks next, with phase p. */
static void forge(uint16_t sqid, uint16_t sqhd, uint16_t cid, uint8_t p)
{
	struct nvme_cqe e = {
	    .sqid = htole16(sqid),
	    .sqhd = htole16(sqhd),
	    .cid = htole16(cid),
	    .status = htole16(p),
	};

	memcpy((void *)&g_qp.cq[g_qp.cq_head], &e, sizeof(e));
}

static void refused(int rc, uint64_t bad)
{
	assert_int_equal(rc, -EPROTO);
	assert_int_equal(g_qp.bad_cqes, bad);
	assert_non_null(strstr(g_lb.last_log, "§4.2.1"));
}

static void test_bad_cqes(void **state)
{
	struct nvme_dma_buf b = {0};
	struct iovec iov;
	struct lb_done d = {0};
	uint16_t cid;

	(void)state;
	assert_int_equal(g_lb_ops.dma_alloc(NULL, LB_BS, &b), 0);
	iov = (struct iovec){b.va, LB_BS};
	g_lb.mute = true;
	assert_int_equal(
	    nvme_qpair_submit_rw(&g_qp, NVME_NVM_READ, 1, 0, 1, &iov, 1, lb_on_done, &d), 0);
	cid = (uint16_t)le16toh(g_qp.sq[0].cid);
	/* an entry of the last pass's phase is not new (Base §4.2.4) */
	forge(1, 1, cid, g_qp.phase ^ 1);
	assert_int_equal(nvme_qpair_poll(&g_qp, 8), 0);
	forge(2, 1, cid, g_qp.phase); /* another SQ */
	refused(nvme_qpair_poll(&g_qp, 8), 1);
	forge(1, 1, 6, g_qp.phase); /* a CID never sent */
	refused(nvme_qpair_poll(&g_qp, 8), 2);
	forge(1, 5, cid, g_qp.phase); /* SQ head past our tail of 1 */
	refused(nvme_qpair_poll(&g_qp, 8), 3);
	forge(1, 9, cid, g_qp.phase); /* SQ head past the ring */
	refused(nvme_qpair_poll(&g_qp, 8), 4);
	assert_int_equal(d.calls, 0);
	forge(1, 1, cid, g_qp.phase); /* the real one */
	assert_int_equal(nvme_qpair_poll(&g_qp, 8), 1);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.cpl.err, 0);
	forge(1, 1, cid, g_qp.phase); /* the same again */
	refused(nvme_qpair_poll(&g_qp, 8), 5);
	assert_int_equal(d.calls, 1);
	/* two more fill the ring of 8 entries: the phase turns at its end */
	forge(1, 1, cid, g_qp.phase);
	refused(nvme_qpair_poll(&g_qp, 8), 6);
	forge(1, 1, cid, g_qp.phase);
	refused(nvme_qpair_poll(&g_qp, 8), 7);
	assert_int_equal(g_qp.cq_head, 0);
	assert_int_equal(g_qp.phase, 0);
	assert_int_equal(nvme_qpair_poll(&g_qp, 8), 0);
	g_lb_ops.dma_free(NULL, &b);
}

/* ---- Identify data ---- */

struct id_case {
	const char *name;
	uint8_t cns;
	void (*edit)(uint8_t *data);
	int rc;
	const char *cites;
};

static const struct id_case *g_case;

static void tamper(uint8_t cns, uint8_t *data)
{
	if (g_case && cns == g_case->cns)
		g_case->edit(data);
}

static void nn_zero(uint8_t *d)
{
	((struct nvme_id_ctrl *)d)->nn = 0;
}

static void sqes_big(uint8_t *d)
{
	((struct nvme_id_ctrl *)d)->sqes = 0x77;
}

static void cqes_small(uint8_t *d)
{
	((struct nvme_id_ctrl *)d)->cqes = 0x33;
}

static void mdts_huge(uint8_t *d)
{
	((struct nvme_id_ctrl *)d)->mdts = 40;
}

static void list_descending(uint8_t *d)
{
	uint32_t l[2] = {htole32(2), htole32(1)};

	memcpy(d, l, sizeof(l));
}

static void list_past_nn(uint8_t *d)
{
	uint32_t v = htole32(NVMF_MAX_NS + 1);

	memcpy(d, &v, sizeof(v));
}

static void flbas_past_nlbaf(uint8_t *d)
{
	((struct nvme_id_ns *)d)->flbas = 3;
}

static void lbads_small(uint8_t *d)
{
	((struct nvme_id_ns *)d)->lbaf[0].lbads = 8;
}

static void lbads_big(uint8_t *d)
{
	((struct nvme_id_ns *)d)->lbaf[0].lbads = 40;
}

static void metadata(uint8_t *d)
{
	((struct nvme_id_ns *)d)->lbaf[0].ms = htole16(8);
}

static void nsze_zero(uint8_t *d)
{
	((struct nvme_id_ns *)d)->nsze = 0;
}

static const struct id_case g_cases[] = {
    {"NN 0", NVME_IDENTIFY_CTRL, nn_zero, -EPROTO, "§5.2.13.2.1"},
    {"SQES 128 bytes", NVME_IDENTIFY_CTRL, sqes_big, -EOPNOTSUPP, "§5.2.13.2.1"},
    {"CQES 8 bytes", NVME_IDENTIFY_CTRL, cqes_small, -EOPNOTSUPP, "§5.2.13.2.1"},
    {"MDTS 40", NVME_IDENTIFY_CTRL, mdts_huge, -EPROTO, "§5.2.13.2.1"},
    {"NS list descending", NVME_IDENTIFY_ACTIVE_NS_LIST, list_descending, -EPROTO, "§5.2.13.2.2"},
    {"NS list past NN", NVME_IDENTIFY_ACTIVE_NS_LIST, list_past_nn, -EPROTO, "§5.2.13.2.2"},
    {"FLBAS past NLBAF", NVME_IDENTIFY_NS, flbas_past_nlbaf, -EPROTO, "§4.1.5.1"},
    {"LBADS 8", NVME_IDENTIFY_NS, lbads_small, -EPROTO, "§4.1.5.1"},
    {"LBADS 40", NVME_IDENTIFY_NS, lbads_big, -EOPNOTSUPP, "§4.1.5.1"},
    {"metadata", NVME_IDENTIFY_NS, metadata, -EOPNOTSUPP, "metadata"},
    {"NSZE 0", NVME_IDENTIFY_NS, nsze_zero, -EPROTO, "§4.1.5.1"},
};

static void test_bad_identify(void **state)
{
	const struct nvme_ctrlr_opts o = {.io_queues = 1};
	struct nvme_ctrlr c;

	(void)state;
	g_lb.tamper = tamper;
	for (unsigned i = 0; i < sizeof(g_cases) / sizeof(g_cases[0]); i++) {
		g_case = &g_cases[i];
		g_lb.last_log[0] = 0;
		print_message("%s\n", g_case->name);
		assert_int_equal(nvme_ctrlr_init(&c, &g_lb_ops, NULL, &o), g_case->rc);
		assert_non_null(strstr(g_lb.last_log, g_case->cites));
		assert_int_equal(g_lb.pages_used, 0);
	}
	/* untouched data is taken */
	g_case = NULL;
	assert_int_equal(nvme_ctrlr_init(&c, &g_lb_ops, NULL, &o), 0);
	nvme_ctrlr_fini(&c);
}

/* A controller with no namespace: the driver comes up with nsid 0. */
static void test_no_namespace(void **state)
{
	const struct nvme_ctrlr_opts o = {.io_queues = 1};
	struct nvme_ctrlr c;

	(void)state;
	g_lb.nss.n = 0;
	assert_int_equal(nvme_ctrlr_init(&c, &g_lb_ops, NULL, &o), 0);
	assert_int_equal(c.info.nsid, 0);
	nvme_ctrlr_fini(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_bad_cqes, q_setup, q_teardown),
	    cmocka_unit_test_setup_teardown(test_bad_identify, lb_setup, lb_teardown),
	    cmocka_unit_test_setup_teardown(test_no_namespace, lb_setup, lb_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
