/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the NVMe data pointer walker (lib/nvmf/nvmf_prp.c): the command's
 * DPTR and the guest memory holding PRP lists and SGL segments are the
 * fuzzer's. Whatever it builds, the walker must only read inside the DMA
 * mappings (two separate allocations, adjacent in guest addresses, so ASan
 * sees any read that crosses) and, on success, describe exactly the
 * transfer with iovecs inside them.
 *
 * Input: an 8-byte header, a 64-byte submission queue entry, then guest
 * memory.
 *   [0] bits 1:0 memory page size 4, 8 or 16 KiB (CC.MPS 0-2; 3 is 4 KiB)
 *       bits 3:2 Identify SGLS 1:0 (0: no SGLs, 1 byte, 2 dword granular)
 *   [1] max_iov: 1 + byte % MAX_IOV
 *   [2..3] unused
 *   [4..7] transfer length, little-endian, modulo MAX_LEN + 1
 *   [8..71] the SQE (CDW0.PSDT selects PRPs or an SGL)
 *   [72..] the first REGION_SIZE bytes are region A at GPA_A, the next
 *          REGION_SIZE region B right after it
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "mem/mem.h"
#include "nvmf/nvmf_prp.h"
#include "util/common.h"

#define HEADER_SIZE 8
#define SQE_OFF	    HEADER_SIZE
#define MEM_OFF	    (SQE_OFF + sizeof(struct nvme_sqe))
#define REGION_SIZE 0x8000
#define GPA_A	    0x100000ULL
#define MAX_IOV	    64
#define MAX_LEN	    (256 * 1024)

static void *xlate(void *arg, uint64_t gpa, uint64_t len)
{
	return mem_gpa_to_hva(arg, gpa, len);
}

/* Traps unless [p, p + len) lies inside one of the regions. */
static void check_inside(const uint8_t *p, size_t len, uint8_t *const regions[2])
{
	for (int i = 0; i < 2; i++) {
		uintptr_t off = (uintptr_t)p - (uintptr_t)regions[i];

		if (off < REGION_SIZE && len <= REGION_SIZE - off)
			return;
	}
	__builtin_trap();
}

/* A success describes exactly len bytes, each iovec inside a region (its
 * first and last byte read, for ASan). */
static void check_iov(const struct nvmf_iov *out, uint64_t len, uint8_t *const regions[2])
{
	volatile uint8_t sink;
	uint64_t total = 0;

	if (out->cnt > out->max || (len && !out->cnt))
		__builtin_trap();
	for (unsigned i = 0; i < out->cnt; i++) {
		const uint8_t *p = out->iov[i].iov_base;
		size_t n = out->iov[i].iov_len;

		if (!n)
			__builtin_trap();
		check_inside(p, n, regions);
		sink = p[0];
		sink = p[n - 1];
		(void)sink;
		total += n;
	}
	if (total != len)
		__builtin_trap();
}

/* A refusal is one of the documented errnos with a generic, non-success
 * status. */
static void check_refusal(int rc, uint16_t status)
{
	if (rc != -EINVAL && rc != -EFAULT && rc != -ENOBUFS)
		__builtin_trap();
	if (NVME_SCT_OF(status) != NVME_SCT_GENERIC || NVME_SC_OF(status) == NVME_SC_SUCCESS)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mem_table mem;
	struct iovec iov[MAX_IOV];
	struct nvmf_iov out = {.iov = iov};
	struct nvmf_dma dma = {.xlate = xlate, .arg = &mem};
	struct nvme_sqe sqe;
	uint8_t *regions[2];
	uint32_t len;
	uint16_t status;
	int rc;

	if (size < MEM_OFF)
		return 0;
	fuzz_quiet_logs();
	dma.page_size = NVME_MPS_BYTES((data[0] & 3) % 3);
	dma.sgls = (data[0] >> 2) & 3;
	out.max = 1 + data[1] % MAX_IOV;
	memcpy(&len, data + 4, sizeof(len));
	len %= MAX_LEN + 1;
	memcpy(&sqe, data + SQE_OFF, sizeof(sqe));
	data += MEM_OFF;
	size -= MEM_OFF;

	mem_table_init(&mem);
	for (int i = 0; i < 2; i++) {
		size_t off = (size_t)i * REGION_SIZE,
		       n = size > off ? MIN(size - off, REGION_SIZE) : 0;

		regions[i] = calloc(1, REGION_SIZE);
		if (!regions[i])
			__builtin_trap();
		memcpy(regions[i], data + off, n);
		if (mem_table_add_mapped(&mem, GPA_A + off, REGION_SIZE, GPA_A + off, regions[i]))
			__builtin_trap();
	}

	rc = nvmf_dptr_map(&dma, &sqe, len, &out, &status);
	if (rc)
		check_refusal(rc, status);
	else
		check_iov(&out, len, regions);
	/* the same limit from the command's own dwords */
	rc = nvmf_mdts_check((uint8_t)sqe.cdw13, dma.page_size, len, &status);
	if (rc && (rc != -EINVAL || NVME_SC_OF(status) != NVME_SC_INVALID_FIELD))
		__builtin_trap();

	mem_table_clear(&mem);
	free(regions[0]);
	free(regions[1]);
	return 0;
}
