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
#include "util/iov.h"

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

/* A success describes exactly len bytes, each iovec inside one mapping
 * (the table's own reverse lookup says so) and read at both ends, for ASan. */
static void check_iov(const struct nvmf_iov *out, uint64_t len, const struct mem_table *mem)
{
	volatile uint8_t sink;
	uint64_t gpa;

	if (out->cnt > out->max || (len && !out->cnt) || iov_length(out->iov, out->cnt) != len)
		__builtin_trap();
	for (unsigned i = 0; i < out->cnt; i++) {
		const uint8_t *p = out->iov[i].iov_base;
		size_t n = out->iov[i].iov_len;

		if (!n || mem_hva_to_gpa(mem, p, n, &gpa))
			__builtin_trap();
		sink = p[0];
		sink = p[n - 1];
	}
	(void)sink;
}

/* A region of its own allocation at gpa, holding the first bytes of src
 * (zeroes past them). */
static uint8_t *map_region(struct mem_table *mem, uint64_t gpa, const uint8_t *src, size_t n)
{
	uint8_t *r = calloc(1, REGION_SIZE);

	if (!r || mem_table_add_mapped(mem, gpa, REGION_SIZE, gpa, r))
		__builtin_trap();
	memcpy(r, src, MIN(n, REGION_SIZE));
	return r;
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
	regions[0] = map_region(&mem, GPA_A, data, size);
	regions[1] = map_region(&mem, GPA_A + REGION_SIZE, data + MIN(size, REGION_SIZE),
				size - MIN(size, REGION_SIZE));

	rc = nvmf_dptr_map(&dma, &sqe, len, &out, &status);
	if (rc)
		check_refusal(rc, status);
	else
		check_iov(&out, len, &mem);
	/* MDTS from a command dword: the helper's shifts, any value */
	rc = nvmf_mdts_check((uint8_t)sqe.cdw13, dma.page_size, len, &status, &dma.log_rl);
	if (rc && (rc != -EINVAL || NVME_SC_OF(status) != NVME_SC_INVALID_FIELD))
		__builtin_trap();

	mem_table_clear(&mem);
	free(regions[0]);
	free(regions[1]);
	return 0;
}
