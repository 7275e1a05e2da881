/* SPDX-License-Identifier: MIT */
/*
 * I/O command decoding (NVM Command Set 1.1 §3, NVMe Base 2.1 §7.2 Flush,
 * §3.4.2 fused operations): what each command asks the frontend to do,
 * with the SQE's dwords built as a host builds them, and the status of
 * each refusal.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "nvmf/nvmf_io.h"
#include "nvmf_fixture.h"

#define ST(sc) NVME_SCT_SC(NVME_SCT_GENERIC, sc)

static struct nvmf_io_task g_t;

/* An NVM command: SLBA in CDW10/11, 0's based NLB and flags in CDW12. */
static struct nvme_sqe io_sqe(uint8_t opc, uint32_t nsid, uint64_t slba, uint32_t cdw12)
{
	return (struct nvme_sqe){.opc = opc,
				 .nsid = nsid,
				 .cdw10 = (uint32_t)slba,
				 .cdw11 = (uint32_t)(slba >> 32),
				 .cdw12 = cdw12};
}

static void decode_on(const struct nvmf_ctrlr_props *c, const struct nvmf_ns_props *ns,
		      const struct nvme_sqe *sqe)
{
	nvmf_io_decode(c, ns, sqe, &g_t, &g_rl);
}

static void decode(const struct nvmf_ns_props *ns, uint8_t opc, uint64_t slba, uint32_t cdw12)
{
	struct nvme_sqe sqe = io_sqe(opc, ns ? ns->nsid : 2, slba, cdw12);

	decode_on(&g_ctrlr, ns, &sqe);
}

static void test_read_write(void **state)
{
	(void)state;
	decode(&g_ns1, NVME_NVM_READ, 0x10, 7);
	assert_int_equal(g_t.op, NVMF_IO_READ);
	assert_int_equal(g_t.status, ST_OK);
	assert_int_equal(g_t.nsid, 1);
	assert_int_equal(g_t.slba, 0x10);
	assert_int_equal(g_t.nlb, 8); /* NLB 7 is 8 blocks */
	assert_int_equal(g_t.len, 8 * 512);
	assert_false(g_t.fua);

	decode(&g_ns1, NVME_NVM_WRITE, 999, NVME_IO_FUA | 0);
	assert_int_equal(g_t.op, NVMF_IO_WRITE);
	assert_int_equal(g_t.nlb, 1);
	assert_int_equal(g_t.len, 512);
	assert_true(g_t.fua);

	decode(&g_ns3, NVME_NVM_COMPARE, (1ULL << 33) - 2, 1);
	assert_int_equal(g_t.op, NVMF_IO_COMPARE);
	assert_int_equal(g_t.slba, (1ULL << 33) - 2); /* SLBA's upper dword */
	assert_int_equal(g_t.len, 2 * 4096);
}

/* NVM CS §3.2: SLBA + NLB past NSZE, a wrapping SLBA too. */
static void test_lba_out_of_range(void **state)
{
	(void)state;
	decode(&g_ns1, NVME_NVM_READ, 999, 1);
	assert_int_equal(g_t.op, NVMF_IO_DONE);
	assert_int_equal(g_t.status, ST(NVME_SC_LBA_OUT_OF_RANGE));
	assert_non_null(strstr(g_last_log, "NVM CS 1.1 §3.2"));
	decode(&g_ns1, NVME_NVM_READ, 1000, 0);
	assert_int_equal(g_t.status, ST(NVME_SC_LBA_OUT_OF_RANGE));
	decode(&g_ns1, NVME_NVM_WRITE, UINT64_MAX, 1);
	assert_int_equal(g_t.status, ST(NVME_SC_LBA_OUT_OF_RANGE));
	decode(&g_ns1, NVME_NVM_COMPARE, 0, 0xffff); /* 65536 blocks */
	assert_int_equal(g_t.status, ST(NVME_SC_LBA_OUT_OF_RANGE));
}

static void test_opcode_and_namespace(void **state)
{
	(void)state;
	decode(&g_ns1, 0x03, 0, 0);
	assert_int_equal(g_t.op, NVMF_IO_DONE);
	assert_int_equal(g_t.status, ST(NVME_SC_INVALID_OPCODE));
	decode(&g_ns1, 0x7f, 0, 0);
	assert_int_equal(g_t.status, ST(NVME_SC_INVALID_OPCODE));
	decode(NULL, NVME_NVM_READ, 0, 0);
	assert_int_equal(g_t.status, ST_INVALID_NS);
	decode(NULL, NVME_NVM_WRITE_ZEROES, 0, 0);
	assert_int_equal(g_t.status, ST_INVALID_NS);
}

static void test_write_protected(void **state)
{
	(void)state;
	decode(&g_ns3, NVME_NVM_WRITE, 0, 0);
	assert_int_equal(g_t.op, NVMF_IO_DONE);
	assert_int_equal(g_t.status, ST(NVME_SC_NS_WRITE_PROTECTED));
	decode(&g_ns3, NVME_NVM_WRITE_ZEROES, 0, 0);
	assert_int_equal(g_t.status, ST(NVME_SC_NS_WRITE_PROTECTED));
	decode(&g_ns3, NVME_NVM_READ, 0, 0);
	assert_int_equal(g_t.op, NVMF_IO_READ);
}

/* MDTS 1: 2 pages of 4 KiB at most (Base §5.1.13.2.1). */
static void test_mdts(void **state)
{
	struct nvmf_ctrlr_props c = g_ctrlr;
	struct nvme_sqe ok = io_sqe(NVME_NVM_READ, 1, 0, 15);
	struct nvme_sqe over = io_sqe(NVME_NVM_WRITE, 1, 0, 16);

	(void)state;
	c.mdts = 1;
	decode_on(&c, &g_ns1, &ok);
	assert_int_equal(g_t.op, NVMF_IO_READ);
	assert_int_equal(g_t.len, 8192);
	decode_on(&c, &g_ns1, &over);
	assert_int_equal(g_t.op, NVMF_IO_DONE);
	assert_int_equal(g_t.status, ST_INVALID_FIELD);
	c.mdts = 0; /* no limit */
	decode_on(&c, &g_ns1, &over);
	assert_int_equal(g_t.op, NVMF_IO_WRITE);
}

/* Base §7.2: FFFFFFFFh flushes every namespace; without a volatile write
 * cache there is nothing to do. */
static void test_flush(void **state)
{
	struct nvmf_ctrlr_props c = g_ctrlr;
	struct nvme_sqe all = io_sqe(NVME_NVM_FLUSH, NVME_NSID_ALL, 0, 0);
	struct nvme_sqe one = io_sqe(NVME_NVM_FLUSH, 1, 0, 0);
	struct nvme_sqe inactive = io_sqe(NVME_NVM_FLUSH, 2, 0, 0);

	(void)state;
	decode_on(&c, &g_ns1, &one);
	assert_int_equal(g_t.op, NVMF_IO_FLUSH);
	assert_int_equal(g_t.nsid, 1);
	decode_on(&c, NULL, &all);
	assert_int_equal(g_t.op, NVMF_IO_FLUSH);
	assert_int_equal(g_t.nsid, NVME_NSID_ALL);
	decode_on(&c, NULL, &inactive);
	assert_int_equal(g_t.op, NVMF_IO_DONE);
	assert_int_equal(g_t.status, ST_INVALID_NS);
	c.volatile_write_cache = false;
	decode_on(&c, &g_ns1, &one);
	assert_int_equal(g_t.op, NVMF_IO_DONE);
	assert_int_equal(g_t.status, ST_OK);
}

static void test_write_zeroes(void **state)
{
	struct nvmf_ns_props ns = g_ns3;

	(void)state;
	ns.read_only = false;
	decode(&ns, NVME_NVM_WRITE_ZEROES, 8, NVME_IO_DEAC | NVME_IO_FUA | 3);
	assert_int_equal(g_t.op, NVMF_IO_WRITE_ZEROES);
	assert_int_equal(g_t.slba, 8);
	assert_int_equal(g_t.nlb, 4);
	assert_int_equal(g_t.len, 0); /* no data transfer */
	assert_true(g_t.deallocate);
	assert_true(g_t.fua);
	decode(&ns, NVME_NVM_WRITE_ZEROES, 8, 3);
	assert_false(g_t.deallocate);
	/* DEAC only where deallocated blocks read as zeroes */
	ns.dealloc_zeroes = false;
	decode(&ns, NVME_NVM_WRITE_ZEROES, 8, NVME_IO_DEAC | 3);
	assert_int_equal(g_t.op, NVMF_IO_WRITE_ZEROES);
	assert_false(g_t.deallocate);
	/* a namespace without Write Zeroes */
	decode(&g_ns1, NVME_NVM_WRITE_ZEROES, 0, 0);
	assert_int_equal(g_t.op, NVMF_IO_DONE);
	assert_int_equal(g_t.status, ST(NVME_SC_INVALID_OPCODE));
}

/* NVM CS §3.2.3: NR is 0's based; without AD, or where the namespace
 * cannot deallocate, the command has nothing to do. */
static void test_dsm_decode(void **state)
{
	struct nvmf_ns_props ns = g_ns3;
	struct nvme_sqe sqe = io_sqe(NVME_NVM_DSM, 3, 0, 0);

	(void)state;
	ns.read_only = false;
	sqe.cdw10 = 2;
	sqe.cdw11 = NVME_DSM_AD;
	decode_on(&g_ctrlr, &ns, &sqe);
	assert_int_equal(g_t.op, NVMF_IO_DSM);
	assert_int_equal(g_t.nr_ranges, 3);
	assert_int_equal(g_t.len, 48);
	sqe.cdw10 = 0xff;
	decode_on(&g_ctrlr, &ns, &sqe);
	assert_int_equal(g_t.nr_ranges, 256);
	sqe.cdw11 = 0x3; /* integral dataset for read / write: hints */
	decode_on(&g_ctrlr, &ns, &sqe);
	assert_int_equal(g_t.op, NVMF_IO_DONE);
	assert_int_equal(g_t.status, ST_OK);
	sqe.cdw11 = NVME_DSM_AD;
	sqe.nsid = 1;
	decode_on(&g_ctrlr, &g_ns1, &sqe);
	assert_int_equal(g_t.op, NVMF_IO_DONE);
	assert_int_equal(g_t.status, ST_OK);
	sqe.nsid = 3;
	decode_on(&g_ctrlr, &g_ns3, &sqe);
	assert_int_equal(g_t.status, ST(NVME_SC_NS_WRITE_PROTECTED));
	sqe.cdw11 = 0;
	decode_on(&g_ctrlr, &g_ns3, &sqe);
	assert_int_equal(g_t.status, ST_OK);
}

/* A range: context attributes, NLB (a count), SLBA, little-endian. */
static void put_range(uint8_t *p, uint32_t nlb, uint64_t slba)
{
	for (int i = 0; i < 4; i++)
		p[4 + i] = (uint8_t)(nlb >> (8 * i));
	for (int i = 0; i < 8; i++)
		p[8 + i] = (uint8_t)(slba >> (8 * i));
}

static void test_dsm_parse(void **state)
{
	struct nvmf_dsm_range ranges[NVME_DSM_MAX_RANGES];
	struct nvmf_io_task t = {.op = NVMF_IO_DSM, .nr_ranges = 3};
	uint8_t data[48] = {0};

	(void)state;
	put_range(data, 8, 992);
	put_range(data + 16, 0, 5000); /* empty: dropped, not checked */
	put_range(data + 32, 1, 0x100000000ULL - 1);
	assert_int_equal(nvmf_dsm_parse(&g_ns1, data, 32, ranges, &t, &g_rl), 1);
	assert_int_equal(ranges[0].slba, 992);
	assert_int_equal(ranges[0].nlb, 8);
	assert_int_equal(nvmf_dsm_parse(&g_ns1, data, sizeof(data), ranges, &t, &g_rl), -EINVAL);
	assert_int_equal(t.op, NVMF_IO_DONE);
	assert_int_equal(t.status, ST(NVME_SC_LBA_OUT_OF_RANGE));
	assert_non_null(strstr(g_last_log, "§3.2.3"));
	t = (struct nvmf_io_task){.op = NVMF_IO_DSM, .nr_ranges = 3};
	assert_int_equal(nvmf_dsm_parse(&g_ns3, data, sizeof(data), ranges, &t, &g_rl), 2);
	assert_int_equal(ranges[1].slba, 0xffffffffULL);
	/* more data than NR announced: the rest is not read */
	t.nr_ranges = 1;
	assert_int_equal(nvmf_dsm_parse(&g_ns1, data, sizeof(data), ranges, &t, &g_rl), 1);
}

/* Base §3.4.2: Compare then Write, on the same blocks. */
static void test_fused(void **state)
{
	struct nvme_sqe cmp = io_sqe(NVME_NVM_COMPARE, 1, 4, 1);
	struct nvme_sqe wr = io_sqe(NVME_NVM_WRITE, 1, 4, 1);
	struct nvmf_io_task first, second;

	(void)state;
	cmp.flags = NVME_FUSE_FIRST;
	wr.flags = NVME_FUSE_SECOND;
	nvmf_io_decode(&g_ctrlr, &g_ns1, &cmp, &first, &g_rl);
	nvmf_io_decode(&g_ctrlr, &g_ns1, &wr, &second, &g_rl);
	assert_int_equal(first.op, NVMF_IO_COMPARE);
	assert_int_equal(first.fuse, NVME_FUSE_FIRST);
	assert_int_equal(second.op, NVMF_IO_WRITE);
	assert_int_equal(second.fuse, NVME_FUSE_SECOND);
	nvmf_io_fused_pair(&first, &second, &g_rl);
	assert_int_equal(first.op, NVMF_IO_COMPARE);
	assert_int_equal(second.op, NVMF_IO_WRITE);

	/* different blocks */
	wr.cdw10 = 5;
	nvmf_io_decode(&g_ctrlr, &g_ns1, &wr, &second, &g_rl);
	nvmf_io_fused_pair(&first, &second, &g_rl);
	assert_int_equal(first.op, NVMF_IO_DONE);
	assert_int_equal(first.status, ST_INVALID_FIELD);
	assert_int_equal(second.op, NVMF_IO_DONE);
	assert_int_equal(second.status, ST(NVME_SC_ABORTED_FAILED_FUSED));

	/* a refused half fails the other */
	wr.cdw10 = 4;
	nvmf_io_decode(&g_ctrlr, &g_ns1, &cmp, &first, &g_rl);
	nvmf_io_decode(&g_ctrlr, &g_ns3, &wr, &second, &g_rl); /* read-only */
	nvmf_io_fused_pair(&first, &second, &g_rl);
	assert_int_equal(first.status, ST(NVME_SC_ABORTED_FAILED_FUSED));
	assert_int_equal(second.status, ST(NVME_SC_NS_WRITE_PROTECTED));

	nvmf_io_fused_missing(&first, &g_rl);
	assert_int_equal(first.op, NVMF_IO_DONE);
	assert_int_equal(first.status, ST(NVME_SC_ABORTED_MISSING_FUSED));
	assert_non_null(strstr(g_last_log, "§3.4.2"));
}

static void test_fused_opcodes(void **state)
{
	struct nvme_sqe sqe = io_sqe(NVME_NVM_READ, 1, 0, 0);

	(void)state;
	sqe.flags = NVME_FUSE_FIRST;
	decode_on(&g_ctrlr, &g_ns1, &sqe);
	assert_int_equal(g_t.status, ST_INVALID_FIELD);
	sqe.opc = NVME_NVM_COMPARE;
	sqe.flags = NVME_FUSE_SECOND;
	decode_on(&g_ctrlr, &g_ns1, &sqe);
	assert_int_equal(g_t.status, ST_INVALID_FIELD);
	sqe.flags = 3; /* reserved */
	decode_on(&g_ctrlr, &g_ns1, &sqe);
	assert_int_equal(g_t.status, ST_INVALID_FIELD);
	sqe.flags = NVME_FUSE_FIRST | NVME_PSDT_SGL_MPTR << 6; /* PSDT is not FUSE */
	decode_on(&g_ctrlr, &g_ns1, &sqe);
	assert_int_equal(g_t.op, NVMF_IO_COMPARE);
	assert_int_equal(g_t.fuse, NVME_FUSE_FIRST);
}

static void test_supported(void **state)
{
	const struct nvmf_ns_props *arr[] = {&g_ns1};
	struct nvmf_ns_list one = {.ns = arr, .n = 1};
	bool changes;

	(void)state;
	assert_true(nvmf_io_supported(NVME_NVM_WRITE, &one, &changes));
	assert_true(changes);
	assert_true(nvmf_io_supported(NVME_NVM_READ, &one, &changes));
	assert_false(changes);
	assert_true(nvmf_io_changes_data(NVME_NVM_DSM));
	assert_false(nvmf_io_changes_data(NVME_NVM_COMPARE));
	assert_false(nvmf_io_supported(NVME_NVM_WRITE_ZEROES, &one, &changes));
	assert_true(nvmf_io_supported(NVME_NVM_WRITE_ZEROES, &g_nss, &changes));
	assert_false(nvmf_io_supported(0x0d, &g_nss, &changes));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_read_write, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_lba_out_of_range, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_opcode_and_namespace, fixture_setup,
					    fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_write_protected, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_mdts, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_flush, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_write_zeroes, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_dsm_decode, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_dsm_parse, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_fused, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_fused_opcodes, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_supported, fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
