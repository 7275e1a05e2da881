/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TEST_NVMF_CTRLR_FIXTURE_H
#define STORLAB_TEST_NVMF_CTRLR_FIXTURE_H

/*
 * A host for the NVMe controller core's tests: fake guest memory (one DMA
 * mapping, HOLE outside it), the doorbell array, and the steps a host
 * driver takes: register accesses, enabling, writing admin commands into
 * the admin SQ and reading their completions (with the phase tag) from
 * the admin CQ. Each test binary includes it once.
 */

#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mem/mem.h"
#include "nvmf/nvmf_admin.h"
#include "nvmf/nvmf_ctrlr.h"
#include "util/log.h"

#define PAGE	0x1000ULL
#define GPA	0x100000ULL
#define NPAGES	64
#define HOLE	0x20000000ULL /* mapped nowhere */
#define MAXQ	4
#define MQES	63
#define AERL	3
#define VECTORS 8
/* where the host keeps things, page by page */
#define ASQ_GPA	   (GPA + 0 * PAGE)
#define ACQ_GPA	   (GPA + 1 * PAGE)
#define IOSQ_GPA   (GPA + 2 * PAGE)
#define IOCQ_GPA   (GPA + 4 * PAGE)
#define DATA_GPA   (GPA + 8 * PAGE)
#define SHADOW_GPA (GPA + 10 * PAGE)
#define EI_GPA	   (GPA + 11 * PAGE)
#define AQ_SIZE	   16

struct fixture {
	struct mem_table mem;
	uint8_t *ram;
	uint32_t db[NVMF_DB_WORDS(MAXQ)];
	struct nvmf_ctrlr_props props;
	struct nvmf_ctrlr c;
	uint64_t now;
	char last_log[512];
	uint16_t asq_tail; /* the host's view of the admin queues */
	uint16_t acq_head;
	uint8_t acq_phase;
	uint16_t next_cid;
};

static struct fixture g_fx;

static inline void fx_log(enum log_level level, const char *component, const char *line, void *arg)
{
	(void)level;
	(void)component;
	(void)arg;
	snprintf(g_fx.last_log, sizeof(g_fx.last_log), "%s", line);
}

static inline void *fx_xlate(void *arg, uint64_t gpa, uint64_t len)
{
	return mem_gpa_to_hva(arg, gpa, len);
}

static inline uint64_t fx_now(void *arg)
{
	(void)arg;
	return g_fx.now;
}

static inline void *fx_hva(uint64_t gpa)
{
	void *p = mem_gpa_to_hva(&g_fx.mem, gpa, 1);

	assert_non_null(p);
	return p;
}

static inline int fx_init_ctrlr(void)
{
	struct nvmf_ctrlr_params p = {
	    .props = &g_fx.props,
	    .db = g_fx.db,
	    .xlate = fx_xlate,
	    .xlate_arg = &g_fx.mem,
	    .now_ms = fx_now,
	};

	memset(g_fx.db, 0, sizeof(g_fx.db));
	g_fx.asq_tail = g_fx.acq_head = 0;
	g_fx.acq_phase = 1;
	return nvmf_ctrlr_init(&g_fx.c, &p);
}

static inline int fx_setup(void **state)
{
	(void)state;
	memset(&g_fx, 0, sizeof(g_fx));
	g_fx.ram = calloc(NPAGES, PAGE);
	assert_non_null(g_fx.ram);
	mem_table_init(&g_fx.mem);
	assert_int_equal(mem_table_add_mapped(&g_fx.mem, GPA, NPAGES * PAGE, GPA, g_fx.ram), 0);
	g_fx.props = (struct nvmf_ctrlr_props){
	    .max_io_queues = MAXQ,
	    .mqes = MQES,
	    .aerl = AERL,
	    .msix_vectors = VECTORS,
	    .volatile_write_cache = true,
	    .doorbell_buffer_config = true,
	};
	log_set_sink(fx_log, NULL);
	return fx_init_ctrlr();
}

static inline int fx_teardown(void **state)
{
	(void)state;
	nvmf_ctrlr_fini(&g_fx.c);
	log_set_sink(NULL, NULL);
	mem_table_clear(&g_fx.mem);
	free(g_fx.ram);
	return 0;
}

/* ---- registers ---- */

static inline int fx_write32(uint64_t off, uint32_t v)
{
	uint32_t le = htole32(v);

	return nvmf_ctrlr_write(&g_fx.c, off, &le, 4);
}

static inline int fx_write64(uint64_t off, uint64_t v)
{
	uint64_t le = htole64(v);

	return nvmf_ctrlr_write(&g_fx.c, off, &le, 8);
}

static inline uint32_t fx_read32(uint64_t off)
{
	uint32_t v = 0;

	assert_int_equal(nvmf_ctrlr_read(&g_fx.c, off, &v, 4), 0);
	return le32toh(v);
}

static inline uint64_t fx_read64(uint64_t off)
{
	uint64_t v = 0;

	assert_int_equal(nvmf_ctrlr_read(&g_fx.c, off, &v, 8), 0);
	return le64toh(v);
}

/* CC for an NVM controller with 4 KiB pages and the I/O entry sizes. */
#define FX_CC_EN                                                                                   \
	(NVME_SET(NVME_CC_EN, 1) | NVME_SET(NVME_CC_IOSQES, NVME_SQES) |                           \
	 NVME_SET(NVME_CC_IOCQES, NVME_CQES))

/* Programs the admin queues and writes cc; returns the write's events. */
static inline int fx_enable_cc(uint32_t cc)
{
	assert_int_equal(fx_write32(NVME_REG_AQA, (AQ_SIZE - 1) << 16 | (AQ_SIZE - 1)), 0);
	assert_int_equal(fx_write64(NVME_REG_ASQ, ASQ_GPA), 0);
	assert_int_equal(fx_write64(NVME_REG_ACQ, ACQ_GPA), 0);
	return fx_write32(NVME_REG_CC, cc);
}

static inline void fx_enable(void)
{
	assert_int_equal(fx_enable_cc(FX_CC_EN), NVMF_CTRLR_EV_ENABLE);
	assert_int_equal(fx_read32(NVME_REG_CSTS), NVME_SET(NVME_CSTS_RDY, 1));
}

/* ---- admin queue, as the host drives it ---- */

/* A command of opcode opc with a fresh cid. */
static inline struct nvme_sqe fx_cmd(uint8_t opc)
{
	return (struct nvme_sqe){.opc = opc, .cid = htole16(++g_fx.next_cid)};
}

/* Writes sqe into the admin SQ and rings the tail doorbell through a
 * REGION_WRITE. */
static inline void fx_submit(const struct nvme_sqe *sqe)
{
	memcpy((uint8_t *)fx_hva(ASQ_GPA) + g_fx.asq_tail * sizeof(*sqe), sqe, sizeof(*sqe));
	g_fx.asq_tail = (g_fx.asq_tail + 1) % AQ_SIZE;
	assert_int_equal(fx_write32(nvme_sq_tdbl(0, 0), g_fx.asq_tail), NVMF_CTRLR_EV_DOORBELL);
}

/* What the frontend does for an admin command: fetch, dispatch, and post
 * the answer if the dispatcher gave one. */
static inline enum nvmf_admin_action fx_run(struct nvmf_admin_out *out)
{
	struct nvme_sqe sqe;
	enum nvmf_admin_action a;
	struct nvmf_irq irq;

	assert_int_equal(nvmf_sq_fetch(&g_fx.c, 0, &sqe), 1);
	a = nvmf_admin_exec(&g_fx.c, &sqe, out);
	if (a == NVMF_ADMIN_DONE)
		assert_int_equal(nvmf_cq_post(&g_fx.c, 0, &out->cpl, &irq), 0);
	return a;
}

/* The next admin completion if the phase tag says the controller wrote
 * it: the host consumes it and rings the CQ head doorbell. */
static inline bool fx_reap(struct nvme_cqe *cqe)
{
	memcpy(cqe, (uint8_t *)fx_hva(ACQ_GPA) + g_fx.acq_head * sizeof(*cqe), sizeof(*cqe));
	if ((le16toh(cqe->status) & 1) != g_fx.acq_phase)
		return false;
	g_fx.acq_head = (g_fx.acq_head + 1) % AQ_SIZE;
	if (!g_fx.acq_head)
		g_fx.acq_phase ^= 1;
	assert_int_equal(fx_write32(nvme_cq_hdbl(0, 0), g_fx.acq_head), NVMF_CTRLR_EV_DOORBELL);
	return true;
}

/* The (SCT, SC) of a CQE. */
static inline uint16_t fx_status(const struct nvme_cqe *cqe)
{
	uint16_t s = le16toh(cqe->status);

	return NVME_SCT_SC(NVME_GET(s, NVME_STATUS_SCT), NVME_GET(s, NVME_STATUS_SC));
}

/* Runs one admin command answered at once; returns its CQE, checked to
 * belong to it. */
static inline struct nvme_cqe fx_admin(struct nvme_sqe sqe)
{
	struct nvmf_admin_out out;
	struct nvme_cqe cqe;

	fx_submit(&sqe);
	assert_int_equal(fx_run(&out), NVMF_ADMIN_DONE);
	assert_true(fx_reap(&cqe));
	assert_int_equal(le16toh(cqe.cid), le16toh(sqe.cid));
	assert_int_equal(le16toh(cqe.sqid), 0);
	assert_int_equal(le16toh(cqe.sqhd), g_fx.asq_tail);
	return cqe;
}

/* The command is refused with (sct, sc), Do Not Retry set, and a log line
 * citing section. */
static inline void fx_refused(struct nvme_sqe sqe, uint8_t sct, uint8_t sc, const char *section)
{
	struct nvme_cqe cqe;

	g_fx.last_log[0] = 0;
	cqe = fx_admin(sqe);
	assert_int_equal(fx_status(&cqe), NVME_SCT_SC(sct, sc));
	assert_true(NVME_GET(le16toh(cqe.status), NVME_STATUS_DNR));
	assert_non_null(strstr(g_fx.last_log, section));
}

static inline void fx_ok(struct nvme_sqe sqe)
{
	struct nvme_cqe cqe = fx_admin(sqe);

	assert_int_equal(fx_status(&cqe), 0);
}

/* Sends an Asynchronous Event Request, which the controller holds;
 * returns its cid. */
static inline uint16_t fx_hold_aer(void)
{
	struct nvme_sqe sqe = fx_cmd(NVME_ADM_ASYNC_EVENT_REQUEST);
	struct nvmf_admin_out out;

	fx_submit(&sqe);
	assert_int_equal(fx_run(&out), NVMF_ADMIN_HELD);
	return le16toh(sqe.cid);
}

/* Create I/O CQ qid: size entries (not 0's based) at IOCQ_GPA, vector iv. */
static inline struct nvme_sqe fx_create_cq(uint16_t qid, uint16_t size, uint32_t flags, uint16_t iv)
{
	struct nvme_sqe sqe = fx_cmd(NVME_ADM_CREATE_CQ);

	sqe.cdw10 = htole32((uint32_t)(size - 1) << 16 | qid);
	sqe.cdw11 = htole32((uint32_t)iv << 16 | flags);
	sqe.dptr.prp.prp1 = htole64(IOCQ_GPA);
	return sqe;
}

static inline struct nvme_sqe fx_create_sq(uint16_t qid, uint16_t size, uint16_t cqid)
{
	struct nvme_sqe sqe = fx_cmd(NVME_ADM_CREATE_SQ);

	sqe.cdw10 = htole32((uint32_t)(size - 1) << 16 | qid);
	sqe.cdw11 = htole32((uint32_t)cqid << 16 | NVME_CREATE_Q_PC);
	sqe.dptr.prp.prp1 = htole64(IOSQ_GPA);
	return sqe;
}

#endif
