/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the NVMe command decoders of lib/nvmf over random controller and
 * namespace properties: one SQE goes through the I/O decoder (and, for a
 * Dataset Management, the fuzzer's range list through nvmf_dsm_parse()),
 * the fused pair check, Identify and Get Log Page. Whatever the input,
 * nothing is written past the 4096-byte buffers (heap allocations, so ASan
 * sees it), and every answer keeps the decoder's contract: a command to do
 * stays inside the namespace and MDTS, a refusal has an error status.
 *
 * Input:
 *   [0] controller: bit 0 volatile write cache, bit 1 Doorbell Buffer
 *       Config, bits 7:4 MDTS; bit 2: num_blocks is 16-bit, bit 3: SLBA
 *       is num_blocks minus CDW10 7:0 (both to reach the namespace's end)
 *   [1] namespace: bit 0 read-only, 1 deallocate, 2 reads zeroes, 3 Write
 *       Zeroes, 4 attached (as the NSID the SQE names, if it is 1 .. NN);
 *       bits 7:5 block size 2 ^ (9 + n)
 *   [2..9] num_blocks, little-endian
 *   [10..73] the SQE
 *   [74..] Dataset Management ranges; its first bytes also name the
 *          changed namespaces and error entries the log state holds
 */
#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "nvmf/nvmf_identify.h"
#include "nvmf/nvmf_io.h"
#include "nvmf/nvmf_log.h"
#include "util/common.h"

#define HEADER_SIZE 10
#define REST_OFF    (HEADER_SIZE + sizeof(struct nvme_sqe))
#define BUF_SIZE    4096

static const uint8_t g_admin[] = {NVME_ADM_IDENTIFY, NVME_ADM_GET_LOG_PAGE};

/* A refused Identify leaves its buffer all zero. */
static int all_zero_buf(const uint8_t *buf)
{
	for (size_t i = 0; i < BUF_SIZE; i++)
		if (buf[i])
			return 0;
	return 1;
}

/* A command to do names blocks inside the namespace and a transfer MDTS
 * allows; a refusal has an error status. */
static void check_task(const struct nvmf_ctrlr_props *c, const struct nvmf_ns_props *ns,
		       const struct nvmf_io_task *t)
{
	uint64_t max = c->mdts ? NVMF_IO_MPSMIN_BYTES << c->mdts : UINT64_MAX;

	if (t->op == NVMF_IO_DONE)
		return;
	if (t->status != NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS))
		__builtin_trap();
	if (t->op == NVMF_IO_FLUSH)
		return;
	if (!ns)
		__builtin_trap();
	if (t->op == NVMF_IO_DSM) {
		if (!t->nr_ranges || t->nr_ranges > NVME_DSM_MAX_RANGES ||
		    t->len != t->nr_ranges * 16)
			__builtin_trap();
		return;
	}
	if (!t->nlb || t->slba + t->nlb > ns->num_blocks || t->slba + t->nlb < t->slba)
		__builtin_trap();
	if (t->op != NVMF_IO_WRITE_ZEROES &&
	    (t->len != (uint64_t)t->nlb * ns->block_size || t->len > max))
		__builtin_trap();
	if (ns->read_only && t->op != NVMF_IO_READ && t->op != NVMF_IO_COMPARE)
		__builtin_trap();
}

static void fuzz_dsm(const struct nvmf_ns_props *ns, const struct nvmf_io_task *t,
		     const uint8_t *rest, size_t n, struct log_ratelimit *rl)
{
	struct nvmf_dsm_range *ranges = calloc(NVME_DSM_MAX_RANGES, sizeof(*ranges));
	struct nvmf_io_task pt = *t;
	uint8_t *copy = malloc(n ? n : 1);
	int got;

	if (!ranges || !copy)
		__builtin_trap();
	memcpy(copy, rest, n);
	got = nvmf_dsm_parse(ns, copy, n, ranges, &pt, rl);
	if (got < 0 && pt.status == NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS))
		__builtin_trap();
	for (int i = 0; i < got; i++)
		if (!ranges[i].nlb || ranges[i].slba + ranges[i].nlb > ns->num_blocks)
			__builtin_trap();
	free(copy);
	free(ranges);
}

static void fuzz_admin(const struct nvmf_ctrlr_props *c, const struct nvmf_ns_list *nss,
		       const struct nvme_sqe *sqe, const uint8_t *rest, size_t n,
		       struct log_ratelimit *rl)
{
	static struct nvmf_log log;
	struct nvmf_smart_counters smart = {.bytes_read = n, .read_cmds = 1};
	struct nvmf_log_src src = {.ctrlr = c,
				   .nss = nss,
				   .smart = &smart,
				   .admin_opcodes = g_admin,
				   .n_admin_opcodes = ARRAY_SIZE(g_admin)};
	struct nvmf_error_info e = {.status = NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_INTERNAL)};
	struct nvmf_log_result res;
	uint8_t *buf = malloc(BUF_SIZE);
	uint16_t status;

	if (!buf)
		__builtin_trap();
	nvmf_log_init(&log);
	for (size_t i = 0; i + 4 <= MIN(n, 64); i += 4) {
		uint32_t nsid;

		memcpy(&nsid, rest + i, sizeof(nsid));
		nvmf_log_ns_changed(&log, nsid);
		e.nsid = nsid;
		nvmf_log_error_record(&log, &e);
	}
	if (n && rest[0] == 0xff) /* overflow the Changed Namespace List */
		for (uint32_t nsid = 1; nsid <= NVME_CHANGED_NS_MAX + 1; nsid++)
			nvmf_log_ns_changed(&log, nsid);

	status = nvmf_identify(c, nss, sqe, buf, rl);
	if (status && !all_zero_buf(buf))
		__builtin_trap();
	status = nvmf_get_log_page(&log, &src, sqe, buf, &res, rl);
	if (!status && (res.xfer > BUF_SIZE || res.xfer > res.len))
		__builtin_trap();
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_ratelimit rl = {0};
	struct nvmf_ctrlr_props c = {.sn = "fuzz",
				     .mn = "fuzz",
				     .fr = "1",
				     .subnqn = "nqn.fuzz",
				     .aerl = 3,
				     .sgls = NVME_CTRL_SGLS_DWORD};
	struct nvmf_ns_props ns = {.nsid = 1};
	const struct nvmf_ns_props *arr[] = {&ns};
	struct nvmf_ns_list nss = {.ns = arr, .n = 1};
	struct nvmf_io_task t, second;
	const struct nvmf_ns_props *found;
	struct nvme_sqe sqe;

	if (size < REST_OFF)
		return 0;
	fuzz_quiet_logs();
	c.volatile_write_cache = data[0] & 1;
	c.doorbell_buffer_config = data[0] & 2;
	c.mdts = data[0] >> 4;
	ns.read_only = data[1] & 1;
	ns.deallocate = data[1] & 2;
	ns.dealloc_zeroes = data[1] & 4;
	ns.write_zeroes = data[1] & 8;
	ns.block_size = 512u << (data[1] >> 5);
	memcpy(&ns.num_blocks, data + 2, sizeof(ns.num_blocks));
	if (data[0] & 4)
		ns.num_blocks &= 0xffff;
	memcpy(&sqe, data + HEADER_SIZE, sizeof(sqe));
	if (data[0] & 8) {
		uint64_t slba = ns.num_blocks - (le32toh(sqe.cdw10) & 0xff);

		sqe.cdw10 = htole32((uint32_t)slba);
		sqe.cdw11 = htole32((uint32_t)(slba >> 32));
	}
	/* the dispatcher's lookup: the namespace of the SQE's NSID, if any */
	ns.nsid = data[1] & 16 ? (le32toh(sqe.nsid) - 1) % NVMF_MAX_NS + 1 : 0;
	nss.n = ns.nsid ? 1 : 0;
	found = nvmf_ns_find(&nss, le32toh(sqe.nsid));

	nvmf_io_decode(&c, found, &sqe, &t, &rl);
	check_task(&c, found, &t);
	if (t.op == NVMF_IO_DSM)
		fuzz_dsm(found, &t, data + REST_OFF, size - REST_OFF, &rl);
	/* the same command as both halves of a fused pair */
	second = t;
	nvmf_io_fused_pair(&t, &second, &rl);
	check_task(&c, found, &t);
	check_task(&c, found, &second);

	fuzz_admin(&c, &nss, &sqe, data + REST_OFF, size - REST_OFF, &rl);
	return 0;
}
