/* SPDX-License-Identifier: MIT */
/*
 * lib/nvme's I/O queue pairs against the in-process lib/nvmf controller
 * (loopback.h): writes and reads with their data compared, PRP lists,
 * timeouts with the Abort that follows, and queue deletion with a command
 * in flight.
 */
#include "loopback.h"

static struct nvme_ctrlr g_c;
static struct nvme_qpair g_qp;

static int io_setup(void **state)
{
	struct nvme_ctrlr_opts o = {.io_queues = 1, .io_queue_size = 16, .io_timeout_ms = 30};

	lb_setup(state);
	assert_int_equal(nvme_ctrlr_init(&g_c, &g_lb_ops, NULL, &o), 0);
	return nvme_ctrlr_qpair_create(&g_c, 1, &g_qp);
}

static int io_teardown(void **state)
{
	if (g_qp.ctrlr)
		nvme_ctrlr_qpair_destroy(&g_c, &g_qp);
	nvme_ctrlr_fini(&g_c);
	assert_int_equal(g_lb.pages_used, 0);
	return lb_teardown(state);
}

static void *dma(size_t len, struct nvme_dma_buf *b)
{
	assert_int_equal(g_lb_ops.dma_alloc(NULL, len, b), 0);
	return b->va;
}

/* Submits one Read or Write and polls until its callback ran. */
static struct nvme_cpl rw(uint8_t opc, uint64_t slba, uint32_t nlb, const struct iovec *iov,
			  unsigned n)
{
	struct lb_done d = {0};

	assert_int_equal(nvme_qpair_submit_rw(&g_qp, opc, 1, slba, nlb, iov, n, lb_on_done, &d), 0);
	while (!d.calls)
		assert_true(nvme_qpair_poll(&g_qp, 8) >= 0);
	assert_int_equal(d.calls, 1);
	return d.cpl;
}

static void fill(uint8_t *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 31 + seed);
}

static void test_write_read_compare(void **state)
{
	struct nvme_dma_buf wb, rb;
	uint8_t *w = dma(8 * LB_BS, &wb), *r = dma(8 * LB_BS, &rb);
	struct iovec wi = {w, 8 * LB_BS}, ri = {r, 8 * LB_BS};
	struct nvme_cpl cpl;

	(void)state;
	fill(w, 8 * LB_BS, 7);
	cpl = rw(NVME_NVM_WRITE, 100, 8, &wi, 1);
	assert_int_equal(cpl.err, 0);
	assert_int_equal(cpl.status, 0);
	/* the blocks the controller holds are ours */
	assert_memory_equal(g_lb.disk + 100 * LB_BS, w, 8 * LB_BS);
	cpl = rw(NVME_NVM_READ, 100, 8, &ri, 1);
	assert_int_equal(cpl.status, 0);
	assert_memory_equal(r, w, 8 * LB_BS);
	g_lb_ops.dma_free(NULL, &wb);
	g_lb_ops.dma_free(NULL, &rb);
}

/* The bytes of iov[0 .. n), gathered, are want's len bytes. */
static void assert_gather_equal(const struct iovec *iov, unsigned n, const uint8_t *want,
				size_t len)
{
	uint8_t *back = malloc(len);
	size_t off = 0;

	assert_non_null(back);
	for (unsigned i = 0; i < n; off += iov[i].iov_len, i++)
		memcpy(back + off, iov[i].iov_base, iov[i].iov_len);
	assert_int_equal(off, len);
	assert_memory_equal(back, want, len);
	free(back);
}

/* 64 KiB starting mid-page: PRP1 with an offset and a PRP list of 16
 * entries (Base §4.3.1), read back through three iovecs. */
static void test_prp_list(void **state)
{
	const size_t len = 64 * 1024;
	struct nvme_dma_buf wb, rb;
	uint8_t *w = dma(len + LB_PAGE, &wb), *r = dma(len + 2 * LB_PAGE, &rb);
	struct iovec wi = {w + 512, len};
	/* pieces that meet at page boundaries only */
	struct iovec ri[3] = {
	    {r + LB_PAGE - 1024, 1024},
	    {r + 2 * LB_PAGE, 8 * LB_PAGE},
	    {r + 11 * LB_PAGE, len - 1024 - 8 * LB_PAGE},
	};

	(void)state;
	fill(w + 512, len, 3);
	assert_int_equal(rw(NVME_NVM_WRITE, 0, len / LB_BS, &wi, 1).status, 0);
	assert_memory_equal(g_lb.disk, w + 512, len);
	assert_int_equal(rw(NVME_NVM_READ, 0, len / LB_BS, ri, 3).status, 0);
	assert_gather_equal(ri, 3, w + 512, len);
	g_lb_ops.dma_free(NULL, &wb);
	g_lb_ops.dma_free(NULL, &rb);
}

/* A controller with MDTS 10 (4 MiB): the slots get chained PRP lists. */
static int io_setup_big(void **state)
{
	struct nvme_ctrlr_opts o = {.io_queues = 1, .io_queue_size = 4};

	lb_setup(state);
	g_lb.props.mdts = 10;
	assert_int_equal(nvme_ctrlr_init(&g_c, &g_lb_ops, NULL, &o), 0);
	assert_int_equal(g_c.info.max_xfer, 4u << 20);
	return nvme_ctrlr_qpair_create(&g_c, 1, &g_qp);
}

/* 3 MiB from offset 512: 768 list entries, so the first list page's last
 * entry chains to a second page (Base §4.3.1); written, read back into
 * another buffer, compared. */
static void test_prp_chained_list(void **state)
{
	const size_t len = 3u << 20;
	struct nvme_dma_buf wb, rb;
	uint8_t *w = dma(len + LB_PAGE, &wb), *r = dma(len + LB_PAGE, &rb);
	struct iovec wi = {w + 512, len}, ri = {r + 512, len};
	const uint64_t *list = g_qp.reqs[0].prp_list.va;

	(void)state;
	fill(w + 512, len, 5);
	assert_int_equal(rw(NVME_NVM_WRITE, 16, len / LB_BS, &wi, 1).status, 0);
	assert_memory_equal(g_lb.disk + 16 * LB_BS, w + 512, len);
	assert_int_equal(rw(NVME_NVM_READ, 16, len / LB_BS, &ri, 1).status, 0);
	assert_memory_equal(r + 512, w + 512, len);
	/* both went through slot 0, whose list chains */
	assert_int_equal(le64toh(list[NVME_HOST_PRP_ENTS - 1]),
			 g_qp.reqs[0].prp_list.bus + NVME_HOST_PAGE);
	g_lb_ops.dma_free(NULL, &wb);
	g_lb_ops.dma_free(NULL, &rb);
}

/* A controller with SGLS 10b (dword granular SGLs), brought up with them. */
static int io_setup_sgl(void **state)
{
	struct nvme_ctrlr_opts o = {.io_queues = 1, .io_queue_size = 4, .sgl = true};

	lb_setup(state);
	g_lb.props.sgls = NVME_CTRL_SGLS_DWORD;
	g_lb.c.dma.sgls = NVME_CTRL_SGLS_DWORD;
	assert_int_equal(nvme_ctrlr_init(&g_c, &g_lb_ops, NULL, &o), 0);
	return nvme_ctrlr_qpair_create(&g_c, 1, &g_qp);
}

/* Base §4.3.2: one buffer as one Data Block, then pieces that end and
 * start mid-page (no PRP describes them) as a Last Segment list; written,
 * read back, compared. */
static void test_sgl_write_read(void **state)
{
	const size_t len = 16 * LB_BS;
	struct nvme_dma_buf wb, rb;
	uint8_t *w = dma(len + LB_PAGE, &wb), *r = dma(3 * LB_PAGE + len, &rb);
	struct iovec wi = {w + 4, len};
	struct iovec ri[3] = {
	    {r + 100 * 4, 1000},
	    {r + LB_PAGE + 12, 4 * LB_BS},
	    {r + 2 * LB_PAGE + 8, len - 1000 - 4 * LB_BS},
	};
	const struct nvme_sqe *sq = g_qp.sq;

	(void)state;
	fill(w + 4, len, 9);
	assert_int_equal(rw(NVME_NVM_WRITE, 40, len / LB_BS, &wi, 1).status, 0);
	assert_int_equal(NVME_GET(sq[0].flags, NVME_SQE_PSDT), NVME_PSDT_SGL_MPTR);
	assert_int_equal(sq[0].dptr.sgl1.id, NVME_SGL_TYPE_DATA_BLOCK << 4);
	assert_memory_equal(g_lb.disk + 40 * LB_BS, w + 4, len);
	assert_int_equal(rw(NVME_NVM_READ, 40, len / LB_BS, ri, 3).status, 0);
	assert_int_equal(sq[1].dptr.sgl1.id, NVME_SGL_TYPE_LAST_SEGMENT << 4);
	assert_gather_equal(ri, 3, w + 4, len);
	g_lb_ops.dma_free(NULL, &wb);
	g_lb_ops.dma_free(NULL, &rb);
}

/* SGLs asked of a controller whose SGLS is 0: bring-up refuses, logged. */
static void test_sgl_unsupported_refused(void **state)
{
	struct nvme_ctrlr_opts o = {.io_queues = 1, .io_queue_size = 4, .sgl = true};

	(void)state;
	assert_int_equal(nvme_ctrlr_init(&g_c, &g_lb_ops, NULL, &o), -EOPNOTSUPP);
	assert_non_null(strstr(g_lb.last_log, "SGLS"));
	assert_int_equal(g_lb.pages_used, 0);
}

static void test_bad_iovecs_refused(void **state)
{
	struct nvme_dma_buf b = {0};
	uint8_t *p = dma(4 * LB_PAGE, &b);
	struct iovec gap[2] = {{p, 1024}, {p + LB_PAGE, LB_PAGE}};
	struct iovec odd = {p + 2, LB_BS};
	uint8_t outside[LB_BS];
	struct iovec heap = {outside, LB_BS};
	struct lb_done d = {0};

	(void)state;
	/* the first piece ends inside its page: no PRP describes that */
	assert_int_equal(
	    nvme_qpair_submit_rw(&g_qp, NVME_NVM_READ, 1, 0, 3, gap, 2, lb_on_done, &d), -EINVAL);
	assert_non_null(strstr(g_lb.last_log, "§4.3.1"));
	assert_int_equal(
	    nvme_qpair_submit_rw(&g_qp, NVME_NVM_READ, 1, 0, 1, &odd, 1, lb_on_done, &d), -EINVAL);
	/* memory the device cannot reach */
	assert_int_equal(
	    nvme_qpair_submit_rw(&g_qp, NVME_NVM_READ, 1, 0, 1, &heap, 1, lb_on_done, &d), -EFAULT);
	assert_int_equal(d.calls, 0);
	assert_int_equal(g_qp.inflight, 0);
	g_lb_ops.dma_free(NULL, &b);
}

static void test_controller_error_status(void **state)
{
	struct nvme_dma_buf b = {0};
	struct iovec iov = {dma(LB_BS, &b), LB_BS};
	struct nvme_cpl cpl;

	(void)state;
	cpl = rw(NVME_NVM_READ, LB_BLOCKS, 1, &iov, 1);
	assert_int_equal(cpl.err, 0);
	assert_int_equal(cpl.status, NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_LBA_OUT_OF_RANGE));
	g_lb_ops.dma_free(NULL, &b);
}

/* A read of block 0 that the controller keeps. */
static void submit_held(const struct iovec *iov, struct lb_done *d)
{
	g_lb.hold_io = true;
	assert_int_equal(nvme_qpair_submit_rw(&g_qp, NVME_NVM_READ, 1, 0, 1, iov, 1, lb_on_done, d),
			 0);
}

/* A command the controller keeps: -ETIMEDOUT, then an Abort naming it
 * (Base §5.2.1); the controller's late answer frees the slot. */
static void test_timeout_sends_abort(void **state)
{
	struct nvme_dma_buf b = {0};
	struct iovec iov = {dma(LB_BS, &b), LB_BS};
	struct lb_done d = {0};

	(void)state;
	submit_held(&iov, &d);
	assert_true(g_lb.held);
	while (!d.calls)
		assert_int_equal(nvme_qpair_poll(&g_qp, 8), 0);
	assert_int_equal(d.cpl.err, -ETIMEDOUT);
	assert_int_equal(g_lb.aborts, 1);
	assert_int_equal(g_lb.abort_sqid, 1);
	assert_int_equal(g_lb.abort_cid, le16toh(g_lb.held_sqe.cid));
	/* the slot stays taken until the controller answered */
	assert_false(g_lb.held);
	assert_int_equal(g_qp.inflight, 1);
	assert_int_equal(nvme_qpair_poll(&g_qp, 8), 0);
	assert_int_equal(g_qp.inflight, 0);
	assert_int_equal(d.calls, 1);
	/* the Abort's own answer */
	assert_int_equal(nvme_qpair_poll(&g_c.admin, 8), 1);
	g_lb.hold_io = false;
	assert_int_equal(rw(NVME_NVM_READ, 0, 1, &iov, 1).status, 0);
	g_lb_ops.dma_free(NULL, &b);
}

static void test_destroy_with_command_in_flight(void **state)
{
	struct nvme_dma_buf b = {0};
	struct iovec iov = {dma(LB_BS, &b), LB_BS};
	struct lb_done d = {0};

	(void)state;
	submit_held(&iov, &d);
	nvme_ctrlr_qpair_destroy(&g_c, &g_qp);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.cpl.err, -ECANCELED);
	g_lb_ops.dma_free(NULL, &b);
}

static void test_queue_full(void **state)
{
	struct nvme_dma_buf b = {0};
	struct iovec iov = {dma(LB_BS, &b), LB_BS};
	struct lb_done d[16] = {0};
	unsigned n = 0;

	(void)state;
	g_lb.mute = true;
	while (nvme_qpair_submit_rw(&g_qp, NVME_NVM_READ, 1, 0, 1, &iov, 1, lb_on_done, &d[n]) == 0)
		n++;
	/* Base §3.3.1.1: a queue of 16 entries holds 15 commands */
	assert_int_equal(n, 15);
	g_lb.mute = false;
	nvme_ctrlr_qpair_destroy(&g_c, &g_qp);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(d[i].cpl.err, -ECANCELED);
	g_lb_ops.dma_free(NULL, &b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_write_read_compare, io_setup, io_teardown),
	    cmocka_unit_test_setup_teardown(test_prp_list, io_setup, io_teardown),
	    cmocka_unit_test_setup_teardown(test_prp_chained_list, io_setup_big, io_teardown),
	    cmocka_unit_test_setup_teardown(test_sgl_write_read, io_setup_sgl, io_teardown),
	    cmocka_unit_test_setup_teardown(test_sgl_unsupported_refused, lb_setup, lb_teardown),
	    cmocka_unit_test_setup_teardown(test_bad_iovecs_refused, io_setup, io_teardown),
	    cmocka_unit_test_setup_teardown(test_controller_error_status, io_setup, io_teardown),
	    cmocka_unit_test_setup_teardown(test_timeout_sends_abort, io_setup, io_teardown),
	    cmocka_unit_test_setup_teardown(test_destroy_with_command_in_flight, io_setup,
					    io_teardown),
	    cmocka_unit_test_setup_teardown(test_queue_full, io_setup, io_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
