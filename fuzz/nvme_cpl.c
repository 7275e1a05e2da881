/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes what lib/nvme reads from a controller: the completion queue
 * entries of a queue pair with up to seven commands outstanding, and the
 * Identify Controller, active namespace list and Identify Namespace data.
 * Whatever the controller wrote, each command's callback runs exactly once
 * (a completion, or -ECANCELED when the queue goes), and what the Identify
 * checks accept stays inside the bounds the driver sizes things by.
 *
 * Input:
 *   [0]      bits 2:0 commands to submit; bits 7:3 CAP.MPSMIN/MPSMAX bits
 *   [1..128] the eight 16-byte CQEs of the completion queue ring
 *   [129..]  the 4096 bytes of Identify data (zero padded), read as each
 *            of the three structures
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "nvme/nvme_host.h"
#include "util/common.h"

#define RING   8
#define CQ_OFF 1
#define ID_OFF (CQ_OFF + RING * sizeof(struct nvme_cqe))

static int fz_reg_read(void *arg, uint32_t off, void *val, size_t size)
{
	(void)arg;
	(void)off;
	(void)val;
	(void)size;
	return -EIO;
}

static int fz_reg_write(void *arg, uint32_t off, const void *val, size_t size)
{
	(void)arg;
	(void)off;
	(void)val;
	(void)size;
	return -EIO;
}

static int fz_doorbell(void *arg, uint32_t off, uint32_t value)
{
	(void)arg;
	(void)off;
	(void)value;
	return 0;
}

static int fz_dma_alloc(void *arg, size_t len, struct nvme_dma_buf *buf)
{
	(void)arg;
	buf->va = aligned_alloc(NVME_HOST_PAGE, ALIGN_UP(len, NVME_HOST_PAGE));
	if (!buf->va)
		return -ENOMEM;
	memset(buf->va, 0, len);
	buf->bus = (uintptr_t)buf->va;
	buf->len = len;
	return 0;
}

static void fz_dma_free(void *arg, struct nvme_dma_buf *buf)
{
	(void)arg;
	free(buf->va);
	buf->va = NULL;
}

static int fz_dma_addr(void *arg, const void *va, size_t len, uint64_t *bus)
{
	(void)arg;
	(void)len;
	*bus = (uintptr_t)va;
	return 0;
}

static const struct nvme_transport_ops g_ops = {
    .reg_read = fz_reg_read,
    .reg_write = fz_reg_write,
    .doorbell = fz_doorbell,
    .dma_alloc = fz_dma_alloc,
    .dma_free = fz_dma_free,
    .dma_addr = fz_dma_addr,
};

static void on_done(void *arg, const struct nvme_cpl *cpl)
{
	unsigned *calls = arg;

	(void)cpl;
	(*calls)++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	return 0;
}

static void fuzz_cqes(const uint8_t *data, size_t size)
{
	struct nvme_ctrlr c = {.ops = &g_ops};
	struct nvme_qpair qp;
	unsigned calls[RING] = {0}, n = size ? data[0] & 7u : 0;

	if (nvme_qpair_init(&qp, &c, 1, RING, 0))
		abort();
	for (unsigned i = 0; i < n; i++) {
		struct nvme_sqe sqe = {.opc = NVME_NVM_FLUSH};

		if (nvme_qpair_submit(&qp, &sqe, on_done, &calls[i]))
			abort();
	}
	if (size > CQ_OFF)
		memcpy((void *)qp.cq, data + CQ_OFF,
		       MIN(size - CQ_OFF, RING * sizeof(struct nvme_cqe)));
	for (int round = 0; round < 2; round++)
		if (nvme_qpair_poll(&qp, 2 * RING) > (int)n || qp.inflight > n)
			abort();
	nvme_qpair_fini(&qp);
	for (unsigned i = 0; i < RING; i++)
		if (calls[i] != (i < n))
			abort();
}

static void fuzz_identify(const uint8_t *data, size_t size)
{
	static uint8_t id[NVME_IDENTIFY_DATA_SIZE] __attribute__((aligned(8)));
	uint64_t cap = NVME_SET(NVME_CAP_MPSMIN, size ? data[0] >> 3 & 1 : 0) |
		       NVME_SET(NVME_CAP_MPSMAX, size ? data[0] >> 4 : 0);
	struct nvme_ctrlr_info info = {0};
	uint32_t nsid;

	memset(id, 0, sizeof(id));
	if (size > ID_OFF)
		memcpy(id, data + ID_OFF, MIN(size - ID_OFF, sizeof(id)));
	if (nvme_identify_ctrl_check((const struct nvme_id_ctrl *)id, cap, &info) == 0 &&
	    (info.max_xfer < NVME_HOST_PAGE ||
	     info.max_xfer > NVME_HOST_MAX_XFER || info.nn == 0))
		abort();
	if (nvme_identify_ns_list_check((const uint32_t *)id, info.nn, &nsid) == 0 &&
	    nsid > info.nn)
		abort();
	if (nvme_identify_ns_check((const struct nvme_id_ns *)id, &info) == 0 &&
	    (info.block_size < 512 || info.block_size > 65536 || info.num_blocks == 0 ||
	     info.num_blocks > UINT64_MAX / info.block_size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_cqes(data, size);
	fuzz_identify(data, size);
	return 0;
}
