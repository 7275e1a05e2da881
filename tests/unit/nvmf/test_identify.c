/* SPDX-License-Identifier: MIT */
/*
 * Identify (NVMe Base 2.1 §5.1.13): each CNS we answer, its fields read at
 * the byte offsets of the spec's figures (not through our structs), and
 * the status of each way a host can ask wrongly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "nvmf/nvmf_identify.h"
#include "nvmf_fixture.h"

static uint8_t g_data[NVME_IDENTIFY_DATA_SIZE];

static uint16_t identify(uint8_t cns, uint32_t nsid, uint8_t csi)
{
	struct nvme_sqe sqe = {
	    .opc = NVME_ADM_IDENTIFY, .nsid = nsid, .cdw10 = cns, .cdw11 = (uint32_t)csi << 24};

	memset(g_data, 0xa5, sizeof(g_data));
	return nvmf_identify(&g_ctrlr, &g_nss, &sqe, g_data, &g_rl);
}

/* Base Figure "Identify Controller Data Structure" offsets. */
static void test_ctrl(void **state)
{
	(void)state;
	assert_int_equal(identify(NVME_IDENTIFY_CTRL, 0, 0), ST_OK);
	assert_int_equal(rd16(g_data, 0), 0x1b36);
	assert_int_equal(rd16(g_data, 2), 0x1af4);
	assert_memory_equal(g_data + 4, "SN-0001             ", 20);
	assert_memory_equal(g_data + 24, "storlab nvme                            ", 40);
	assert_memory_equal(g_data + 64, "1.0     ", 8);
	assert_int_equal(g_data[72], NVMF_RAB);
	assert_int_equal(g_data[77], 5);	      /* MDTS */
	assert_int_equal(rd16(g_data, 78), 0x21);     /* CNTLID */
	assert_int_equal(rd32(g_data, 80), 0x20100);  /* VER 2.1.0 */
	assert_int_equal(rd32(g_data, 92), 1u << 8);  /* OAES: namespace attribute notices */
	assert_int_equal(g_data[111], 1);	      /* CNTRLTYPE: I/O controller */
	assert_int_equal(rd16(g_data, 256), 1u << 8); /* OACS: Doorbell Buffer Config */
	assert_int_equal(g_data[258], 3);	      /* ACL, 0's based */
	assert_int_equal(g_data[259], 3);	      /* AERL */
	assert_int_equal(g_data[260], 0x3);	      /* FRMW: 1 slot, read-only */
	assert_int_equal(g_data[261], 0x6);	      /* LPA: effects log, extended data */
	assert_int_equal(g_data[262], 15);	      /* ELPE */
	assert_int_equal(g_data[263], 0);	      /* NPSS */
	assert_int_equal(g_data[512], 0x66);
	assert_int_equal(g_data[513], 0x44);
	assert_int_equal(rd32(g_data, 516), NVMF_MAX_NS); /* NN */
	assert_int_equal(rd16(g_data, 520), 0x4d); /* ONCS: Compare, DSM, Write Zeroes, Timestamp */
	assert_int_equal(rd16(g_data, 522), 1);		  /* FUSES: Compare and Write */
	assert_int_equal(g_data[525], 0x7);		  /* VWC present, Flush of FFFFFFFFh */
	assert_int_equal(rd32(g_data, 536), NVME_CTRL_SGLS_DWORD);
	assert_string_equal((const char *)g_data + 768, "nqn.2026-01.io.storlab:ctrl0");
	assert_true(all_zero(g_data + 768 + 28, 256 - 28)); /* NUL padded */
	assert_int_equal(rd16(g_data, 2048), NVMF_PS0_MP_CW);
	assert_true(all_zero(g_data + 2048 + 32, 1024 - 32)); /* power states 1..31 */
}

/* Without a cache, Write Zeroes in any namespace or DBBUF, those bits
 * clear; VWC still says Flush of FFFFFFFFh is served (FB 11b: Figure 312
 * leaves 00b to revision 1.3 and earlier). */
static void test_ctrl_optional_bits(void **state)
{
	struct nvmf_ctrlr_props c = g_ctrlr;
	const struct nvmf_ns_props *arr[] = {&g_ns1};
	struct nvmf_ns_list one = {.ns = arr, .n = 1};
	struct nvme_id_ctrl id = {0};

	(void)state;
	c.volatile_write_cache = false;
	c.doorbell_buffer_config = false;
	nvmf_identify_ctrl(&c, &one, &id);
	assert_int_equal(((uint8_t *)&id)[525], 0x6);
	assert_int_equal(rd16((uint8_t *)&id, 256), 0);
	assert_int_equal(rd16((uint8_t *)&id, 520), 0x45);
}

/* NVM CS Figure "Identify Namespace Data Structure, NVM Command Set". */
static void test_ns(void **state)
{
	(void)state;
	assert_int_equal(identify(NVME_IDENTIFY_NS, 1, 0), ST_OK);
	assert_int_equal(rd64(g_data, 0), 1000);  /* NSZE */
	assert_int_equal(rd64(g_data, 8), 1000);  /* NCAP */
	assert_int_equal(rd64(g_data, 16), 1000); /* NUSE */
	assert_int_equal(g_data[25], 0);	  /* NLBAF: one format */
	assert_int_equal(g_data[26], 0);	  /* FLBAS */
	assert_int_equal(g_data[33], 0);	  /* DLFEAT: nothing said */
	assert_int_equal(rd16(g_data, 46), 64);	  /* NOIOB */
	assert_int_equal(g_data[99], 0);	  /* NSATTR: writable */
	assert_int_equal(g_data[104], 0x10);	  /* NGUID */
	assert_int_equal(g_data[119], 0x1f);
	/* EUI64: the IEEE identifier's bytes, most significant first */
	assert_memory_equal(g_data + 120, "\x00\x11\x22\x33\x44\x55\x66\x77", 8);
	assert_int_equal(rd16(g_data, 128), 0); /* LBAF0 MS */
	assert_int_equal(g_data[130], 9);	/* LBAF0 LBADS: 512 */
	assert_true(all_zero(g_data + 132, 4096 - 132));

	assert_int_equal(identify(NVME_IDENTIFY_NS, 3, 0), ST_OK);
	assert_int_equal(rd64(g_data, 0), 1ULL << 33);
	assert_int_equal(g_data[33], 0x9); /* reads zeroes, Write Zeroes may deallocate */
	assert_int_equal(g_data[99], 1);   /* write protected */
	assert_int_equal(g_data[130], 12);
}

/* Base §5.1.13: an inactive NSID gets a zero-filled structure; 0, a NSID
 * above NN and FFFFFFFFh (no Namespace Management) are invalid. */
static void test_ns_nsid_rules(void **state)
{
	(void)state;
	assert_int_equal(identify(NVME_IDENTIFY_NS, 2, 0), ST_OK);
	assert_true(all_zero(g_data, sizeof(g_data)));
	assert_int_equal(identify(NVME_IDENTIFY_NS, 0, 0), ST_INVALID_NS);
	assert_non_null(strstr(g_last_log, "§5.1.13"));
	assert_int_equal(identify(NVME_IDENTIFY_NS, NVMF_MAX_NS + 1, 0), ST_INVALID_NS);
	assert_int_equal(identify(NVME_IDENTIFY_NS, 0xffffffff, 0), ST_INVALID_NS);
	assert_true(all_zero(g_data, sizeof(g_data)));
}

static void test_active_ns_list(void **state)
{
	(void)state;
	assert_int_equal(identify(NVME_IDENTIFY_ACTIVE_NS_LIST, 0, 0), ST_OK);
	assert_int_equal(rd32(g_data, 0), 1);
	assert_int_equal(rd32(g_data, 4), 3);
	assert_true(all_zero(g_data + 8, sizeof(g_data) - 8));
	/* NSIDs greater than the one given */
	assert_int_equal(identify(NVME_IDENTIFY_ACTIVE_NS_LIST, 1, 0), ST_OK);
	assert_int_equal(rd32(g_data, 0), 3);
	assert_int_equal(rd32(g_data, 4), 0);
	assert_int_equal(identify(NVME_IDENTIFY_ACTIVE_NS_LIST, 3, 0), ST_OK);
	assert_true(all_zero(g_data, sizeof(g_data)));
	assert_int_equal(identify(NVME_IDENTIFY_ACTIVE_NS_LIST, 0xfffffffe, 0), ST_INVALID_NS);
	assert_int_equal(identify(NVME_IDENTIFY_ACTIVE_NS_LIST, 0xffffffff, 0), ST_INVALID_NS);
}

/* Base §5.1.13.2 Namespace Identification Descriptors: NIDT, NIDL, two
 * reserved bytes, then NIDL bytes; a zero identifier is left out, the CSI
 * is always there. An inactive NSID is a wrong field, an invalid one a
 * wrong namespace. */
static void test_ns_descs(void **state)
{
	(void)state;
	assert_int_equal(identify(NVME_IDENTIFY_NS_DESC_LIST, 1, 0), ST_OK);
	assert_memory_equal(g_data, "\x01\x08\x00\x00\x00\x11\x22\x33\x44\x55\x66\x77", 12);
	assert_memory_equal(g_data + 12, "\x02\x10\x00\x00", 4);
	assert_int_equal(g_data[16], 0x10);
	assert_int_equal(g_data[31], 0x1f);
	assert_memory_equal(g_data + 32, "\x04\x01\x00\x00\x00", 5);
	assert_true(all_zero(g_data + 37, sizeof(g_data) - 37));

	/* namespace 3 has no identifiers: the CSI alone */
	assert_int_equal(identify(NVME_IDENTIFY_NS_DESC_LIST, 3, 0), ST_OK);
	assert_memory_equal(g_data, "\x04\x01\x00\x00\x00", 5);
	assert_true(all_zero(g_data + 5, sizeof(g_data) - 5));

	assert_int_equal(identify(NVME_IDENTIFY_NS_DESC_LIST, 2, 0), ST_INVALID_FIELD);
	assert_int_equal(identify(NVME_IDENTIFY_NS_DESC_LIST, 0, 0), ST_INVALID_NS);
	assert_int_equal(identify(NVME_IDENTIFY_NS_DESC_LIST, 0xffffffff, 0), ST_INVALID_NS);
}

/* CNS 05h / 06h for CSI 00h: all zero without protection information and
 * size limits; another CSI is refused. */
static void test_csi_specific(void **state)
{
	(void)state;
	assert_int_equal(identify(NVME_IDENTIFY_CSI_NS, 1, NVME_CSI_NVM), ST_OK);
	assert_true(all_zero(g_data, sizeof(g_data)));
	assert_int_equal(identify(NVME_IDENTIFY_CSI_NS, 2, NVME_CSI_NVM), ST_OK);
	assert_int_equal(identify(NVME_IDENTIFY_CSI_NS, 0, NVME_CSI_NVM), ST_INVALID_NS);
	assert_int_equal(identify(NVME_IDENTIFY_CSI_NS, 1, 2), ST_INVALID_FIELD);
	assert_int_equal(identify(NVME_IDENTIFY_CSI_CTRL, 0, NVME_CSI_NVM), ST_OK);
	assert_true(all_zero(g_data, sizeof(g_data)));
	assert_int_equal(identify(NVME_IDENTIFY_CSI_CTRL, 0, 1), ST_INVALID_FIELD);
	assert_true(all_zero(g_data, sizeof(g_data)));
}

/* CNS 1Ch: combination 0 is NVM alone (bit 0), no others. */
static void test_iocs(void **state)
{
	(void)state;
	assert_int_equal(identify(NVME_IDENTIFY_IOCS, 0, 0), ST_OK);
	assert_int_equal(rd64(g_data, 0), 1);
	assert_true(all_zero(g_data + 8, sizeof(g_data) - 8));
}

static void test_cns_unsupported(void **state)
{
	(void)state;
	assert_int_equal(identify(0x04, 1, 0), ST_INVALID_FIELD);
	assert_non_null(strstr(g_last_log, "CNS 04h"));
	assert_int_equal(identify(NVME_IDENTIFY_CSI_INDEP_NS, 1, 0), ST_INVALID_FIELD);
	assert_int_equal(identify(0xff, 0, 0), ST_INVALID_FIELD);
	assert_true(all_zero(g_data, sizeof(g_data)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_ctrl, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_ctrl_optional_bits, fixture_setup,
					    fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_ns, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_ns_nsid_rules, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_active_ns_list, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_ns_descs, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_csi_specific, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_iocs, fixture_setup, fixture_teardown),
	    cmocka_unit_test_setup_teardown(test_cns_unsupported, fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
