/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_UNIT_NVMF_FIXTURE_H
#define STORLAB_TESTS_UNIT_NVMF_FIXTURE_H

/*
 * The controller the Identify, log page and I/O tests share: two active
 * namespaces, 1 (512-byte blocks, writable, identifiers set) and 3 (4 KiB
 * blocks, read-only, deallocate and Write Zeroes); NSID 2 is valid but
 * inactive. Byte readers take offsets straight from the spec's figures.
 * Each test binary includes this once.
 */

#include <stdio.h>
#include <string.h>

#include "nvmf/nvmf_props.h"
#include "spec/nvme.h"
#include "util/log.h"
#include "util/log_ratelimit.h"

static const struct nvmf_ctrlr_props g_ctrlr = {
    .vid = 0x1b36,
    .ssvid = 0x1af4,
    .sn = "SN-0001",
    .mn = "storlab nvme",
    .fr = "1.0",
    .subnqn = "nqn.2026-01.io.storlab:ctrl0",
    .cntlid = 0x21,
    .mdts = 5,
    .max_io_queues = 4,
    .mqes = 255,
    .aerl = 3,
    .msix_vectors = 5,
    .volatile_write_cache = true,
    .sgls = NVME_CTRL_SGLS_DWORD,
    .doorbell_buffer_config = true,
};

static struct nvmf_ns_props g_ns1 = {
    .nsid = 1,
    .block_size = 512,
    .num_blocks = 1000,
    .nguid = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
	      0x1e, 0x1f},
    .eui64 = 0x0011223344556677ULL,
    .optimal_io_blocks = 64,
};

static struct nvmf_ns_props g_ns3 = {
    .nsid = 3,
    .block_size = 4096,
    .num_blocks = 1ULL << 33,
    .read_only = true,
    .deallocate = true,
    .dealloc_zeroes = true,
    .write_zeroes = true,
};

static const struct nvmf_ns_props *const g_ns_arr[] = {&g_ns1, &g_ns3};
static const struct nvmf_ns_list g_nss = {.ns = g_ns_arr, .n = 2};

static struct log_ratelimit g_rl;
static char g_last_log[512];

static void capture_log(enum log_level level, const char *component, const char *line, void *arg)
{
	(void)level;
	(void)component;
	(void)arg;
	snprintf(g_last_log, sizeof(g_last_log), "%s", line);
}

static int fixture_setup(void **state)
{
	(void)state;
	memset(&g_rl, 0, sizeof(g_rl));
	g_last_log[0] = '\0';
	log_set_sink(capture_log, NULL);
	return 0;
}

static int fixture_teardown(void **state)
{
	(void)state;
	log_set_sink(NULL, NULL);
	return 0;
}

static inline uint16_t rd16(const uint8_t *p, size_t off)
{
	return (uint16_t)(p[off] | p[off + 1] << 8);
}

static inline uint32_t rd32(const uint8_t *p, size_t off)
{
	return rd16(p, off) | (uint32_t)rd16(p, off + 2) << 16;
}

static inline uint64_t rd64(const uint8_t *p, size_t off)
{
	return rd32(p, off) | (uint64_t)rd32(p, off + 4) << 32;
}

static inline int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* (SCT, SC) as nvmf hands them around */
#define ST_OK		 NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS)
#define ST_INVALID_FIELD NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD)
#define ST_INVALID_NS	 NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INVALID_NS_OR_FORMAT)

#endif
