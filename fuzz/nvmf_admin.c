/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the NVMe controller core (lib/nvmf: nvmf_ctrlr, nvmf_queue,
 * nvmf_admin, nvmf_feat): random BAR0 accesses, admin commands, doorbell
 * values, guest memory contents and frontend answers. Whatever the host
 * does, the controller must not crash, must not touch memory outside the
 * DMA mappings (one allocation of exactly GUEST_SIZE bytes and the
 * doorbell array, so ASan sees any stray access), and must answer only
 * with the results its headers document.
 *
 * Each input starts with a controller enabled as a driver would (admin
 * queues at GPA and GPA + 4 KiB, 16 entries each), then runs steps of
 * STEP_SIZE bytes: [0] the step kind, [1..] its arguments.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "mem/mem.h"
#include "nvmf/nvmf_admin.h"
#include "nvmf/nvmf_ctrlr.h"

#define GPA	   0x100000ULL
#define PAGE	   0x1000ULL
#define GUEST_SIZE (16 * PAGE)
#define MAXQ	   4
#define AQ_SIZE	   16
#define STEP_SIZE  72
#define MAX_STEPS  64

struct host {
	struct mem_table mem;
	uint8_t *ram;
	uint32_t db[NVMF_DB_WORDS(MAXQ)];
	struct nvmf_ctrlr c;
	uint16_t asq_tail;
};

static const struct nvmf_ns_props g_ns1 = {.nsid = 1, .block_size = 512, .num_blocks = 64};
static const struct nvmf_ns_props *const g_ns_one[] = {&g_ns1};
static const struct nvmf_ns_list g_lists[2] = {{0}, {.ns = g_ns_one, .n = 1}};

static void *xlate(void *arg, uint64_t gpa, uint64_t len)
{
	return mem_gpa_to_hva(arg, gpa, len);
}

static uint64_t now(void *arg)
{
	(void)arg;
	return 12345;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void check_post(int rc)
{
	if (rc && rc != -EAGAIN && rc != -ENOENT)
		__builtin_trap();
}

/* The frontend's part of an admin command: answer what the dispatcher
 * hands over (an abort not done, a drain). */
static void admin_answer(struct host *h, enum nvmf_admin_action a, struct nvmf_admin_out *out)
{
	struct nvmf_irq irq;

	switch (a) {
	case NVMF_ADMIN_HELD:
		return;
	case NVMF_ADMIN_ABORT:
		nvmf_admin_abort_done(&h->c, false, &out->cpl);
		break;
	case NVMF_ADMIN_DRAIN_SQ:
		nvmf_admin_delete_sq_done(&h->c, out->sqid, &out->cpl);
		break;
	case NVMF_ADMIN_DONE:
		break;
	}
	check_post(nvmf_cq_post(&h->c, 0, &out->cpl, &irq));
}

/* Fetches and answers what the admin SQ holds, a bounded number. */
static void admin_poll(struct host *h)
{
	struct nvmf_admin_out out;
	struct nvme_sqe sqe;
	struct nvmf_cpl cpl;
	struct nvmf_irq irq;

	for (int i = 0; i < AQ_SIZE; i++) {
		int rc = nvmf_sq_fetch(&h->c, 0, &sqe);

		if (rc != 1) {
			if (rc && rc != -ENOENT && rc != -EINVAL)
				__builtin_trap();
			break;
		}
		admin_answer(h, nvmf_admin_exec(&h->c, &sqe, &out), &out);
	}
	while (nvmf_aen_poll(&h->c, &cpl))
		check_post(nvmf_cq_post(&h->c, 0, &cpl, &irq));
}

/* An I/O queue's reactor: fetch what there is and answer each. */
static void io_poll(struct host *h, uint16_t qid)
{
	struct nvme_sqe sqe;
	struct nvmf_irq irq;

	for (int i = 0; i < 64; i++) {
		int rc = nvmf_sq_fetch(&h->c, qid, &sqe);
		struct nvmf_cpl cpl = {0};

		if (rc != 1) {
			if (rc && rc != -ENOENT && rc != -EINVAL)
				__builtin_trap();
			return;
		}
		cpl.cid = le16toh(sqe.cid);
		check_post(nvmf_cq_post(&h->c, qid, &cpl, &irq));
		if (irq.fire && irq.vector >= h->c.props->msix_vectors)
			__builtin_trap();
	}
}

static void step(struct host *h, const uint8_t *s)
{
	uint64_t off = (uint64_t)(s[1] | s[2] << 8) % nvmf_ctrlr_bar0_size(&h->c);
	size_t size = s[3] & 1 ? 8 : 4;
	uint8_t buf[8];
	int rc;

	switch (s[0] % 8) {
	case 0: /* a register write, any offset and value */
		rc = nvmf_ctrlr_write(&h->c, off & ~3ULL, s + 8, size);
		if (rc < 0 && rc != -EINVAL)
			__builtin_trap();
		break;
	case 1: /* a register read */
		rc = nvmf_ctrlr_read(&h->c, off & ~3ULL, buf, size);
		if (rc && rc != -EINVAL)
			__builtin_trap();
		break;
	case 2: /* an admin command: 64 bytes into the admin SQ, doorbell */
		memcpy(h->ram + h->asq_tail * sizeof(struct nvme_sqe), s + 8,
		       sizeof(struct nvme_sqe));
		h->asq_tail = (h->asq_tail + 1) % AQ_SIZE;
		h->db[0] = h->asq_tail;
		admin_poll(h);
		break;
	case 3: /* a doorbell through the mmap, then the queue's reactor */
		h->db[s[1] % NVMF_DB_WORDS(MAXQ)] = (uint32_t)get64(s + 8);
		io_poll(h, s[1] % NVMF_DB_WORDS(MAXQ) / 2);
		break;
	case 4: /* the frontend finishes a drain */
		if (s[1] & 1)
			nvmf_ctrlr_reset_done(&h->c);
		else
			nvmf_ctrlr_shutdown_done(&h->c);
		break;
	case 5: /* an event, and a namespace swap */
		nvmf_aen_raise(&h->c, (enum nvmf_aen)(1u << (s[1] % 3)));
		nvmf_ctrlr_ns_swap(&h->c, &g_lists[s[2] & 1]);
		nvmf_aen_log_read(&h->c, s[3]);
		admin_poll(h);
		break;
	case 6: /* guest memory: rings, shadow doorbells, data buffers */
		memcpy(h->ram + (get64(s + 8) % (GUEST_SIZE - 56)), s + 16, 56);
		break;
	case 7: /* the admin queue answers what it holds */
		admin_poll(h);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct nvmf_ctrlr_props props = {
	    .max_io_queues = MAXQ,
	    .mqes = 31,
	    .aerl = 3,
	    .msix_vectors = 4,
	    .volatile_write_cache = true,
	    .doorbell_buffer_config = true,
	};
	struct host h = {0};
	struct nvmf_ctrlr_params p = {
	    .props = &props,
	    .ns = &g_lists[0],
	    .db = h.db,
	    .xlate = xlate,
	    .xlate_arg = &h.mem,
	    .now_ms = now,
	};
	uint32_t v;

	fuzz_quiet_logs();
	mem_table_init(&h.mem);
	h.ram = calloc(1, GUEST_SIZE);
	if (!h.ram || mem_table_add_mapped(&h.mem, GPA, GUEST_SIZE, GPA, h.ram) ||
	    nvmf_ctrlr_init(&h.c, &p))
		__builtin_trap();
	v = (AQ_SIZE - 1) << 16 | (AQ_SIZE - 1);
	nvmf_ctrlr_write(&h.c, NVME_REG_AQA, &v, 4);
	v = (uint32_t)GPA;
	nvmf_ctrlr_write(&h.c, NVME_REG_ASQ, &v, 4);
	v = (uint32_t)(GPA + PAGE);
	nvmf_ctrlr_write(&h.c, NVME_REG_ACQ, &v, 4);
	v = NVME_SET(NVME_CC_EN, 1) | NVME_SET(NVME_CC_IOSQES, NVME_SQES) |
	    NVME_SET(NVME_CC_IOCQES, NVME_CQES);
	if (nvmf_ctrlr_write(&h.c, NVME_REG_CC, &v, 4) != NVMF_CTRLR_EV_ENABLE)
		__builtin_trap();

	for (size_t i = 0; i + STEP_SIZE <= size && i / STEP_SIZE < MAX_STEPS; i += STEP_SIZE)
		step(&h, data + i);

	nvmf_ctrlr_fini(&h.c);
	mem_table_clear(&h.mem);
	free(h.ram);
	return 0;
}
