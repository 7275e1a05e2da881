/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TEST_NVME_LOOPBACK_H
#define STORLAB_TEST_NVME_LOOPBACK_H

/*
 * An in-process NVMe controller for lib/nvme's tests: a loopback
 * transport whose registers are lib/nvmf's controller (nvmf_ctrlr_read /
 * write), whose DMA memory is one buffer at bus address LB_GPA, and whose
 * doorbell writes make the test thread play the controller at once: it
 * fetches every admin and I/O command, runs it (nvmf_admin_exec, I/O
 * through nvmf_io_decode on a RAM namespace) and posts the completions.
 * Switches make it misbehave: mute (never answers), hold_io (keeps one I/O
 * command until an Abort or a queue deletion), tamper (edits Identify
 * data), csts_stuck / csts_or, cap_to. Each test binary includes it once;
 * one that brings its own transport (tests/unit/initiator's vfio-user
 * server) uses lb_ctrlr_init(), lb_events() and lb_run() only.
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
#include "nvme/nvme_host.h"
#include "nvmf/nvmf_admin.h"
#include "nvmf/nvmf_ctrlr.h"
#include "nvmf/nvmf_identify.h" /* nvmf_ns_find */
#include "nvmf/nvmf_io.h"
#include "util/log.h"

#define LB_GPA	   0x100000ULL
#define LB_PAGES   2048
#define LB_MAXQ	   4
#define LB_BS	   512
#define LB_BLOCKS  8192
#define LB_PAGE	   4096u
#define LB_IOV_MAX 64

struct loopback {
	struct mem_table mem;
	uint8_t *ram;
	uint16_t run[LB_PAGES]; /* pages of the allocation starting there */
	unsigned pages_used;
	uint32_t db[NVMF_DB_WORDS(LB_MAXQ)];
	struct nvmf_ctrlr_props props;
	struct nvmf_ns_props nsp;
	const struct nvmf_ns_props *nsarr[1];
	struct nvmf_ns_list nss;
	struct nvmf_ctrlr c;
	uint8_t disk[LB_BS * LB_BLOCKS];
	struct log_ratelimit rl;
	char last_log[512];
	/* misbehaviour */
	bool mute;
	bool hold_io;
	bool csts_stuck; /* CSTS reads 0 */
	uint32_t csts_or;
	unsigned cap_to; /* CAP.TO read instead of the controller's; 0: its own */
	void (*tamper)(uint8_t cns, uint8_t *data);
	nvmf_dma_xlate_fn xlate; /* host memory, as the controller reaches it */
	void *xlate_arg;
	/* what it saw */
	bool held;
	uint16_t held_sqid;
	struct nvme_sqe held_sqe;
	unsigned aborts;
	uint16_t abort_sqid, abort_cid;
};

static struct loopback g_lb;

/* A command's callback as a test sees it: how often, and the last answer. */
struct lb_done {
	unsigned calls;
	struct nvme_cpl cpl;
};

static inline void lb_on_done(void *arg, const struct nvme_cpl *cpl)
{
	struct lb_done *d = arg;

	d->calls++;
	d->cpl = *cpl;
}

static inline void lb_log(enum log_level level, const char *component, const char *line, void *arg)
{
	(void)level;
	(void)component;
	(void)arg;
	snprintf(g_lb.last_log, sizeof(g_lb.last_log), "%s", line);
}

static inline void *lb_xlate(void *arg, uint64_t gpa, uint64_t len)
{
	return mem_gpa_to_hva(arg, gpa, len);
}

static inline uint64_t lb_now(void *arg)
{
	(void)arg;
	return 0;
}

static inline void lb_post(uint16_t sqid, uint16_t cid, uint16_t status, uint32_t cdw0)
{
	struct nvmf_cpl cpl = {.cid = cid, .status = status, .cdw0 = cdw0};
	struct nvmf_irq irq;

	assert_int_equal(nvmf_cq_post(&g_lb.c, sqid, &cpl, &irq), 0);
}

/* A successful Identify's data, in host memory at PRP1 (the driver gives
 * one page), handed to the tamper switch. */
static inline void lb_tamper_identify(const struct nvme_sqe *sqe, const struct nvmf_cpl *cpl)
{
	uint8_t *data;

	if (!g_lb.tamper || sqe->opc != NVME_ADM_IDENTIFY || cpl->status)
		return;
	data = g_lb.xlate(g_lb.xlate_arg, le64toh(sqe->dptr.prp.prp1), NVME_IDENTIFY_DATA_SIZE);
	assert_non_null(data);
	g_lb.tamper((uint8_t)le32toh(sqe->cdw10), data);
}

static inline void lb_admin(const struct nvme_sqe *sqe)
{
	struct nvmf_admin_out out;
	bool taken;

	switch (nvmf_admin_exec(&g_lb.c, sqe, &out)) {
	case NVMF_ADMIN_HELD:
		return;
	case NVMF_ADMIN_ABORT:
		g_lb.aborts++;
		g_lb.abort_sqid = out.sqid;
		g_lb.abort_cid = out.cid;
		taken = g_lb.held && g_lb.held_sqid == out.sqid &&
			le16toh(g_lb.held_sqe.cid) == out.cid;
		if (taken) {
			g_lb.held = false;
			lb_post(out.sqid, out.cid,
				NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_ABORT_REQUESTED), 0);
		}
		nvmf_admin_abort_done(&g_lb.c, taken, &out.cpl);
		break;
	case NVMF_ADMIN_DRAIN_SQ:
		if (g_lb.held && g_lb.held_sqid == out.sqid) {
			g_lb.held = false;
			lb_post(out.sqid, le16toh(g_lb.held_sqe.cid),
				NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_ABORTED_SQ_DELETION), 0);
		}
		nvmf_admin_delete_sq_done(&g_lb.c, out.sqid, &out.cpl);
		break;
	case NVMF_ADMIN_DONE:
		lb_tamper_identify(sqe, &out.cpl);
		break;
	}
	lb_post(0, out.cpl.cid, out.cpl.status, out.cpl.cdw0);
}

/* Read and Write against the RAM namespace; the rest as decoded. */
static inline void lb_io(uint16_t sqid, const struct nvme_sqe *sqe)
{
	const struct nvmf_ns_props *ns = nvmf_ns_find(&g_lb.nss, le32toh(sqe->nsid));
	struct iovec iov[LB_IOV_MAX];
	struct nvmf_iov out = {.iov = iov, .max = LB_IOV_MAX};
	struct nvmf_io_task t;
	uint8_t *p;

	nvmf_io_decode(&g_lb.props, ns, sqe, &t, &g_lb.rl);
	if ((t.op == NVMF_IO_READ || t.op == NVMF_IO_WRITE) &&
	    nvmf_dptr_map(&g_lb.c.dma, sqe, t.len, &out, &t.status) == 0) {
		p = g_lb.disk + t.slba * LB_BS;
		for (unsigned i = 0; i < out.cnt; p += iov[i].iov_len, i++) {
			if (t.op == NVMF_IO_READ)
				memcpy(iov[i].iov_base, p, iov[i].iov_len);
			else
				memcpy(p, iov[i].iov_base, iov[i].iov_len);
		}
	}
	lb_post(sqid, le16toh(sqe->cid), t.status, 0);
}

/* The controller's turn: every queue, every command. */
static inline void lb_run(void)
{
	struct nvme_sqe sqe;

	for (uint16_t q = 0; q <= LB_MAXQ; q++) {
		while (nvmf_sq_fetch(&g_lb.c, q, &sqe) == 1) {
			if (g_lb.mute)
				continue;
			if (q == 0) {
				lb_admin(&sqe);
			} else if (g_lb.hold_io && !g_lb.held) {
				g_lb.held = true;
				g_lb.held_sqid = q;
				g_lb.held_sqe = sqe;
			} else {
				lb_io(q, &sqe);
			}
		}
	}
}

static inline void lb_events(int ev)
{
	if (ev & NVMF_CTRLR_EV_RESET)
		ev = nvmf_ctrlr_reset_done(&g_lb.c);
	if (ev & NVMF_CTRLR_EV_SHUTDOWN)
		nvmf_ctrlr_shutdown_done(&g_lb.c);
	if (ev & (NVMF_CTRLR_EV_ENABLE | NVMF_CTRLR_EV_DOORBELL))
		lb_run();
}

static inline uint64_t lb_le(uint64_t v, size_t size)
{
	return size == 8 ? htole64(v) : htole32((uint32_t)v);
}

static inline int lb_reg_read(void *arg, uint32_t off, void *val, size_t size)
{
	uint64_t v = 0;
	int rc;

	(void)arg;
	rc = nvmf_ctrlr_read(&g_lb.c, off, &v, size);
	if (rc)
		return rc;
	v = size == 8 ? le64toh(v) : le32toh((uint32_t)v);
	if (off == NVME_REG_CSTS)
		v = g_lb.csts_stuck ? 0 : v | g_lb.csts_or;
	if (off == NVME_REG_CAP && g_lb.cap_to)
		v = (v & ~NVME_SET(NVME_CAP_TO, NVME_CAP_TO_MASK)) |
		    NVME_SET(NVME_CAP_TO, g_lb.cap_to);
	if (size == 8)
		*(uint64_t *)val = v;
	else
		*(uint32_t *)val = (uint32_t)v;
	return 0;
}

static inline int lb_reg_write(void *arg, uint32_t off, const void *val, size_t size)
{
	uint64_t v = lb_le(size == 8 ? *(const uint64_t *)val : *(const uint32_t *)val, size);
	int ev;

	(void)arg;
	ev = nvmf_ctrlr_write(&g_lb.c, off, &v, size);
	if (ev < 0)
		return ev;
	lb_events(ev);
	return 0;
}

static inline int lb_doorbell(void *arg, uint32_t off, uint32_t value)
{
	return lb_reg_write(arg, off, &value, sizeof(value));
}

static inline int lb_dma_alloc(void *arg, size_t len, struct nvme_dma_buf *buf)
{
	unsigned n = (unsigned)((len + LB_PAGE - 1) / LB_PAGE);

	(void)arg;
	for (unsigned start = 0, free = 0; start + free < LB_PAGES;) {
		if (g_lb.run[start + free]) {
			start += free + g_lb.run[start + free];
			free = 0;
			continue;
		}
		if (++free < n)
			continue;
		g_lb.run[start] = (uint16_t)n;
		g_lb.pages_used += n;
		buf->va = g_lb.ram + (size_t)start * LB_PAGE;
		buf->bus = LB_GPA + (uint64_t)start * LB_PAGE;
		buf->len = len;
		memset(buf->va, 0, (size_t)n * LB_PAGE);
		return 0;
	}
	return -ENOMEM;
}

static inline void lb_dma_free(void *arg, struct nvme_dma_buf *buf)
{
	unsigned start = (unsigned)(((uint8_t *)buf->va - g_lb.ram) / LB_PAGE);

	(void)arg;
	assert_true(g_lb.run[start] > 0);
	g_lb.pages_used -= g_lb.run[start];
	g_lb.run[start] = 0;
	buf->va = NULL;
}

static inline int lb_dma_addr(void *arg, const void *va, size_t len, uint64_t *bus)
{
	uintptr_t p = (uintptr_t)va, b = (uintptr_t)g_lb.ram;

	(void)arg;
	if (p < b || len > (size_t)LB_PAGES * LB_PAGE || p - b > (size_t)LB_PAGES * LB_PAGE - len)
		return -EFAULT;
	*bus = LB_GPA + (p - b);
	return 0;
}

static const struct nvme_transport_ops g_lb_ops = {
    .reg_read = lb_reg_read,
    .reg_write = lb_reg_write,
    .doorbell = lb_doorbell,
    .dma_alloc = lb_dma_alloc,
    .dma_free = lb_dma_free,
    .dma_addr = lb_dma_addr,
};

/* The controller and its namespace, reaching host memory through xlate,
 * its doorbells in db (NULL: g_lb.db); every switch off. */
static inline int lb_ctrlr_init(nvmf_dma_xlate_fn xlate, void *xlate_arg, uint32_t *db)
{
	struct nvmf_ctrlr_params p = {
	    .props = &g_lb.props,
	    .ns = &g_lb.nss,
	    .db = db ? db : g_lb.db,
	    .xlate = xlate,
	    .xlate_arg = xlate_arg,
	    .now_ms = lb_now,
	};

	g_lb.xlate = xlate;
	g_lb.xlate_arg = xlate_arg;
	g_lb.props = (struct nvmf_ctrlr_props){
	    .sn = "LB0001",
	    .mn = "storlab loopback",
	    .fr = "1.0",
	    .mdts = 5, /* 128 KiB */
	    .max_io_queues = LB_MAXQ,
	    .mqes = 63,
	    .aerl = 3,
	    .msix_vectors = 8,
	};
	g_lb.nsp = (struct nvmf_ns_props){
	    .nsid = 1,
	    .block_size = LB_BS,
	    .num_blocks = LB_BLOCKS,
	};
	g_lb.nsarr[0] = &g_lb.nsp;
	g_lb.nss = (struct nvmf_ns_list){.ns = g_lb.nsarr, .n = 1};
	return nvmf_ctrlr_init(&g_lb.c, &p);
}

static inline int lb_setup(void **state)
{
	(void)state;
	memset(&g_lb, 0, sizeof(g_lb));
	g_lb.ram = aligned_alloc(LB_PAGE, (size_t)LB_PAGES * LB_PAGE);
	assert_non_null(g_lb.ram);
	mem_table_init(&g_lb.mem);
	assert_int_equal(mem_table_add_mapped(&g_lb.mem, LB_GPA, (uint64_t)LB_PAGES * LB_PAGE,
					      (uintptr_t)g_lb.ram, g_lb.ram),
			 0);
	log_set_sink(lb_log, NULL);
	return lb_ctrlr_init(lb_xlate, &g_lb.mem, NULL);
}

static inline int lb_teardown(void **state)
{
	(void)state;
	nvmf_ctrlr_fini(&g_lb.c);
	log_set_sink(NULL, NULL);
	mem_table_clear(&g_lb.mem);
	free(g_lb.ram);
	return 0;
}

#endif
