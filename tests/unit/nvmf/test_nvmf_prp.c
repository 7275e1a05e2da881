/* SPDX-License-Identifier: MIT */
/*
 * The data pointer walker over a fake guest memory: PRP entries and lists,
 * SGLs, and each way a command can break NVMe Base 2.1 §4.3, with the
 * status a controller must put in the completion for it. Data tests read
 * the bytes through the iovecs and compare them with guest memory.
 */
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
#include "nvmf/nvmf_prp.h"
#include "util/log.h"

#define PAGE 4096ULL
/* Region A: 1032 pages; region B right after it in guest addresses but a
 * separate mapping; region C after a hole. */
#define GPA_A	0x100000ULL
#define SIZE_A	(1032 * PAGE)
#define GPA_B	(GPA_A + SIZE_A)
#define SIZE_B	(16 * PAGE)
#define GPA_C	0x40000000ULL
#define SIZE_C	(16 * PAGE)
#define HOLE	0x20000000ULL /* mapped nowhere */
#define MAX_IOV 1100

static struct mem_table g_mem;
static uint8_t *g_region[3];
static struct nvmf_dma g_dma;
static struct iovec g_iov[MAX_IOV];
static struct nvmf_iov g_out;
static uint16_t g_status;
static char g_last_log[512];

static void capture_log(enum log_level level, const char *component, const char *line, void *arg)
{
	(void)level;
	(void)component;
	(void)arg;
	snprintf(g_last_log, sizeof(g_last_log), "%s", line);
}

static void *xlate(void *arg, uint64_t gpa, uint64_t len)
{
	return mem_gpa_to_hva(arg, gpa, len);
}

static uint8_t *hva(uint64_t gpa)
{
	uint8_t *p = mem_gpa_to_hva(&g_mem, gpa, 1);

	assert_non_null(p);
	return p;
}

static void put_qword(uint64_t gpa, uint64_t v)
{
	memcpy(hva(gpa), &v, 8);
}

static void put_sgl(uint64_t gpa, uint64_t addr, uint32_t len, uint8_t type)
{
	struct nvme_sgl_desc d = {.addr = addr, .len = len, .id = NVME_SGL_ID(type, 0)};

	memcpy(hva(gpa), &d, sizeof(d));
}

static int setup(void **state)
{
	const uint64_t gpa[3] = {GPA_A, GPA_B, GPA_C}, size[3] = {SIZE_A, SIZE_B, SIZE_C};

	(void)state;
	mem_table_init(&g_mem);
	for (int r = 0; r < 3; r++) {
		g_region[r] = malloc(size[r]);
		assert_non_null(g_region[r]);
		/* every byte tells where it is, so a wrong page shows */
		for (uint64_t i = 0; i < size[r]; i++)
			g_region[r][i] = (uint8_t)((gpa[r] + i) * 7 + ((gpa[r] + i) >> 12));
		assert_int_equal(mem_table_add_mapped(&g_mem, gpa[r], size[r], gpa[r], g_region[r]),
				 0);
	}
	g_dma = (struct nvmf_dma){.xlate = xlate, .arg = &g_mem, .page_size = PAGE};
	g_out = (struct nvmf_iov){.iov = g_iov, .max = MAX_IOV};
	g_status = 0xffff;
	g_last_log[0] = 0;
	log_set_sink(capture_log, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	log_set_sink(NULL, NULL);
	mem_table_clear(&g_mem);
	for (int r = 0; r < 3; r++)
		free(g_region[r]);
	return 0;
}

/* The guest bytes the command should move: pieces (gpa, len) in order. */
struct piece {
	uint64_t gpa;
	uint64_t len;
};

/* The walk succeeded, found niov iovecs, and they hold exactly the bytes of
 * the pieces. */
static void expect_data(int rc, unsigned niov, const struct piece *p, unsigned n)
{
	uint64_t total = 0, off = 0;
	uint8_t *want, *got;

	assert_int_equal(rc, 0);
	assert_int_equal(g_status, NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS));
	assert_int_equal(g_out.cnt, niov);
	for (unsigned i = 0; i < n; i++)
		total += p[i].len;
	want = malloc(total);
	got = malloc(total);
	assert_non_null(want);
	assert_non_null(got);
	for (unsigned i = 0; i < n; i++) {
		memcpy(want + off, hva(p[i].gpa), p[i].len);
		off += p[i].len;
	}
	off = 0;
	for (unsigned i = 0; i < g_out.cnt; i++) {
		assert_true(off + g_iov[i].iov_len <= total);
		memcpy(got + off, g_iov[i].iov_base, g_iov[i].iov_len);
		off += g_iov[i].iov_len;
	}
	assert_int_equal(off, total);
	assert_memory_equal(got, want, total);
	free(want);
	free(got);
}

/* The walk refused with errno err and status (SCT 0h, sc), and logged a
 * line citing section. */
static void expect_refused(int rc, int err, uint8_t sc, const char *section)
{
	assert_int_equal(rc, err);
	assert_int_equal(g_status, NVME_SCT_SC(NVME_SCT_GENERIC, sc));
	assert_non_null(strstr(g_last_log, section));
}

static int prp(uint64_t prp1, uint64_t prp2, uint64_t len)
{
	return nvmf_prp_map(&g_dma, prp1, prp2, len, &g_out, &g_status);
}

static void test_prp1_only(void **state)
{
	const struct piece p[] = {{GPA_A + 0x204, 512}};

	(void)state;
	/* PRP2 is not used (and not looked at) when PRP1's page holds it all */
	expect_data(prp(GPA_A + 0x204, HOLE + 3, 512), 1, p, 1);
	assert_ptr_equal(g_iov[0].iov_base, g_region[0] + 0x204);
}

static void test_prp1_prp2_pages(void **state)
{
	const struct piece p[] = {{GPA_A + 0x800, 0x800}, {GPA_A + 5 * PAGE, 0x800}};

	(void)state;
	/* one page from an offset: the rest on PRP2's page */
	expect_data(prp(GPA_A + 0x800, GPA_A + 5 * PAGE, PAGE), 2, p, 2);
}

static void test_prp_contiguous_pages_merge(void **state)
{
	const struct piece p[] = {{GPA_A, 2 * PAGE}};

	(void)state;
	expect_data(prp(GPA_A, GPA_A + PAGE, 2 * PAGE), 1, p, 1);
}

static void test_zero_length(void **state)
{
	(void)state;
	/* nothing to move: neither pointer is looked at */
	assert_int_equal(prp(HOLE + 1, HOLE + 2, 0), 0);
	assert_int_equal(g_out.cnt, 0);
}

/* A PRP list of exactly one full page: 512 entries, no chaining. The data
 * pages are every other page, so nothing merges. */
static void test_prp_list_one_page(void **state)
{
	const uint64_t list = GPA_B;
	static struct piece p[513];

	(void)state;
	p[0] = (struct piece){GPA_A + 0x10, PAGE - 0x10};
	for (unsigned i = 0; i < 512; i++) {
		put_qword(list + i * 8, GPA_A + (2 + 2 * i) * PAGE);
		p[1 + i] = (struct piece){GPA_A + (2 + 2 * i) * PAGE, PAGE};
	}
	p[512].len = 0x10; /* the last page is partly used */
	expect_data(prp(GPA_A + 0x10, list, 512 * PAGE), 513, p, 513);
}

/* More pages than one list page holds: its last entry points to the next
 * list page (Base §4.3.1). */
static void test_prp_list_chained(void **state)
{
	const uint64_t list1 = GPA_B, list2 = GPA_C + 3 * PAGE;
	static struct piece p[1 + 515];

	(void)state;
	p[0] = (struct piece){GPA_C + 8 * PAGE, PAGE};
	for (unsigned i = 0; i < 515; i++) {
		uint64_t page = GPA_A + (1 + 2 * i) * PAGE;

		put_qword(i < 511 ? list1 + i * 8 : list2 + (i - 511) * 8, page);
		p[1 + i] = (struct piece){page, PAGE};
	}
	put_qword(list1 + 511 * 8, list2);
	expect_data(prp(GPA_C + 8 * PAGE, list1, 516 * PAGE), 516, p, 516);
}

/* A list pointer with an offset: only the entries from there to the end of
 * its page are in the first list page. */
static void test_prp_list_offset_chained(void **state)
{
	const uint64_t list1 = GPA_B + PAGE - 16, list2 = GPA_C;
	const struct piece p[] = {{GPA_A + PAGE - 4, 4},
				  {GPA_A + 10 * PAGE, PAGE},
				  {GPA_A + 20 * PAGE, PAGE},
				  {GPA_A + 30 * PAGE, 100}};

	(void)state;
	put_qword(list1, GPA_A + 10 * PAGE);
	put_qword(list1 + 8, list2);
	put_qword(list2, GPA_A + 20 * PAGE);
	put_qword(list2 + 8, GPA_A + 30 * PAGE);
	expect_data(prp(GPA_A + PAGE - 4, list1, 4 + 2 * PAGE + 100), 4, p, 4);
}

static void test_prp1_not_dword_aligned(void **state)
{
	(void)state;
	expect_refused(prp(GPA_A + 2, 0, 16), -EINVAL, NVME_SC_PRP_OFFSET_INVALID, "§4.3.1");
}

static void test_prp2_page_offset(void **state)
{
	(void)state;
	expect_refused(prp(GPA_A, GPA_A + 3 * PAGE + 0x200, 2 * PAGE), -EINVAL,
		       NVME_SC_PRP_OFFSET_INVALID, "§4.3.1");
}

static void test_prp_list_entry_offset(void **state)
{
	(void)state;
	put_qword(GPA_B, GPA_A + 4 * PAGE);
	put_qword(GPA_B + 8, GPA_A + 6 * PAGE + 0x100);
	expect_refused(prp(GPA_A, GPA_B, 3 * PAGE), -EINVAL, NVME_SC_PRP_OFFSET_INVALID, "§4.3.1");
}

static void test_prp_list_pointer_not_qword(void **state)
{
	(void)state;
	expect_refused(prp(GPA_A, GPA_B + 4, 3 * PAGE), -EINVAL, NVME_SC_PRP_OFFSET_INVALID,
		       "qword");
}

static void test_prp_next_list_not_page_aligned(void **state)
{
	(void)state;
	put_qword(GPA_B + PAGE - 16, GPA_A + 4 * PAGE);
	put_qword(GPA_B + PAGE - 8, GPA_C + 8);
	expect_refused(prp(GPA_A, GPA_B + PAGE - 16, 4 * PAGE), -EINVAL, NVME_SC_PRP_OFFSET_INVALID,
		       "next PRP list page");
}

static void test_prp_outside_mappings(void **state)
{
	(void)state;
	/* PRP1 itself */
	expect_refused(prp(HOLE, 0, 512), -EFAULT, NVME_SC_DATA_TRANSFER_ERROR, "§4.3");
	/* the second page */
	expect_refused(prp(GPA_A, HOLE, 2 * PAGE), -EFAULT, NVME_SC_DATA_TRANSFER_ERROR, "§4.3");
	/* the list */
	expect_refused(prp(GPA_A, HOLE, 3 * PAGE), -EFAULT, NVME_SC_DATA_TRANSFER_ERROR, "list");
	/* an entry of the list */
	put_qword(GPA_B, GPA_A + PAGE);
	put_qword(GPA_B + 8, HOLE + PAGE);
	expect_refused(prp(GPA_A, GPA_B, 3 * PAGE), -EFAULT, NVME_SC_DATA_TRANSFER_ERROR, "§4.3");
	/* the page right after the end of a region */
	expect_refused(prp(GPA_C + SIZE_C - PAGE, GPA_C + SIZE_C, 2 * PAGE), -EFAULT,
		       NVME_SC_DATA_TRANSFER_ERROR, "§4.3");
}

static void test_iov_capacity(void **state)
{
	(void)state;
	g_out.max = 1;
	/* two pages that do not follow each other need two iovecs */
	expect_refused(prp(GPA_A, GPA_A + 2 * PAGE, 2 * PAGE), -ENOBUFS, NVME_SC_INTERNAL,
		       "iovecs");
}

static int sgl(uint64_t addr, uint32_t len, uint8_t id, uint64_t xfer)
{
	struct nvme_sgl_desc d = {.addr = addr, .len = len, .id = id};

	return nvmf_sgl_map(&g_dma, &d, xfer, &g_out, &g_status);
}

#define DATA NVME_SGL_ID(NVME_SGL_TYPE_DATA_BLOCK, 0)
#define SEG  NVME_SGL_ID(NVME_SGL_TYPE_SEGMENT, 0)
#define LAST NVME_SGL_ID(NVME_SGL_TYPE_LAST_SEGMENT, 0)

static void test_sgl_data_block(void **state)
{
	const struct piece p[] = {{GPA_A + 3, 1000}};

	(void)state;
	g_dma.sgls = NVME_CTRL_SGLS_BYTE;
	/* a longer SGL than the transfer is fine: only what is needed is used */
	expect_data(sgl(GPA_A + 3, 5000, DATA, 1000), 1, p, 1);
}

/* A data block that runs from region A into region B: contiguous for the
 * guest, two mappings here. */
static void test_sgl_block_across_mappings(void **state)
{
	const struct piece p[] = {{GPA_B - 100, 100}, {GPA_B, 200}};

	(void)state;
	g_dma.sgls = NVME_CTRL_SGLS_BYTE;
	expect_data(sgl(GPA_B - 100, 300, DATA, 300), 2, p, 2);
	assert_ptr_equal(g_iov[1].iov_base, g_region[1]);
}

/* SGL1 -> segment (two blocks and a Last Segment descriptor) -> last
 * segment (a zero-length block and two blocks). */
static void test_sgl_segments(void **state)
{
	const uint64_t seg1 = GPA_C, seg2 = GPA_C + PAGE + 0x40;
	const struct piece p[] = {{GPA_A + 0x100, 0x100},
				  {GPA_A + 8 * PAGE, 0x10},
				  {GPA_B + 0x30, 0x20},
				  {GPA_A + 3 * PAGE, 0x7}};

	(void)state;
	g_dma.sgls = NVME_CTRL_SGLS_BYTE;
	put_sgl(seg1, GPA_A + 0x100, 0x100, NVME_SGL_TYPE_DATA_BLOCK);
	put_sgl(seg1 + 16, GPA_A + 8 * PAGE, 0x10, NVME_SGL_TYPE_DATA_BLOCK);
	put_sgl(seg1 + 32, seg2, 48, NVME_SGL_TYPE_LAST_SEGMENT);
	put_sgl(seg2, HOLE, 0, NVME_SGL_TYPE_DATA_BLOCK);
	put_sgl(seg2 + 16, GPA_B + 0x30, 0x20, NVME_SGL_TYPE_DATA_BLOCK);
	put_sgl(seg2 + 32, GPA_A + 3 * PAGE, 0x100, NVME_SGL_TYPE_DATA_BLOCK);
	expect_data(sgl(seg1, 48, SEG, 0x137), 4, p, 4);
}

static void test_sgl_too_short(void **state)
{
	(void)state;
	g_dma.sgls = NVME_CTRL_SGLS_BYTE;
	expect_refused(sgl(GPA_A, 512, DATA, 4096), -EINVAL, NVME_SC_DATA_SGL_LENGTH_INVALID,
		       "§4.3.2");
	put_sgl(GPA_C, GPA_A, 100, NVME_SGL_TYPE_DATA_BLOCK);
	expect_refused(sgl(GPA_C, 16, LAST, 101), -EINVAL, NVME_SC_DATA_SGL_LENGTH_INVALID,
		       "§4.3.2");
}

static void test_sgl_type_invalid(void **state)
{
	(void)state;
	g_dma.sgls = NVME_CTRL_SGLS_BYTE;
	expect_refused(sgl(GPA_A, 512, NVME_SGL_ID(NVME_SGL_TYPE_BIT_BUCKET, 0), 512), -EINVAL,
		       NVME_SC_SGL_DESC_TYPE_INVALID, "§4.3.2");
	expect_refused(sgl(GPA_A, 512, NVME_SGL_ID(NVME_SGL_TYPE_KEYED_DATA_BLOCK, 0), 512),
		       -EINVAL, NVME_SC_SGL_DESC_TYPE_INVALID, "§4.3.2");
	/* the Offset sub type is reserved over PCIe */
	expect_refused(sgl(GPA_A, 512, NVME_SGL_ID(NVME_SGL_TYPE_DATA_BLOCK, 1), 512), -EINVAL,
		       NVME_SC_SGL_DESC_TYPE_INVALID, "§4.3.2");
	/* inside a segment too */
	put_sgl(GPA_C, GPA_A, 512, 0x6);
	expect_refused(sgl(GPA_C, 16, LAST, 512), -EINVAL, NVME_SC_SGL_DESC_TYPE_INVALID, "§4.3.2");
}

static void test_sgl_segment_descriptor_not_last(void **state)
{
	(void)state;
	g_dma.sgls = NVME_CTRL_SGLS_BYTE;
	put_sgl(GPA_C, GPA_C + PAGE, 16, NVME_SGL_TYPE_LAST_SEGMENT);
	put_sgl(GPA_C + 16, GPA_A, 512, NVME_SGL_TYPE_DATA_BLOCK);
	expect_refused(sgl(GPA_C, 32, SEG, 512), -EINVAL, NVME_SC_INVALID_NUM_SGL_DESC, "§4.3.2");
}

static void test_sgl_last_segment_chains(void **state)
{
	(void)state;
	g_dma.sgls = NVME_CTRL_SGLS_BYTE;
	put_sgl(GPA_C, GPA_A, 16, NVME_SGL_TYPE_DATA_BLOCK);
	put_sgl(GPA_C + 16, GPA_C + PAGE, 16, NVME_SGL_TYPE_SEGMENT);
	expect_refused(sgl(GPA_C, 32, LAST, 512), -EINVAL, NVME_SC_INVALID_SGL_SEG_DESC, "§4.3.2");
}

static void test_sgl_segment_shape(void **state)
{
	(void)state;
	g_dma.sgls = NVME_CTRL_SGLS_BYTE;
	/* not a multiple of 16, empty, not qword aligned */
	expect_refused(sgl(GPA_C, 24, SEG, 512), -EINVAL, NVME_SC_INVALID_SGL_SEG_DESC, "§4.3.2");
	expect_refused(sgl(GPA_C, 0, LAST, 512), -EINVAL, NVME_SC_INVALID_SGL_SEG_DESC, "§4.3.2");
	expect_refused(sgl(GPA_C + 4, 16, LAST, 512), -EINVAL, NVME_SC_INVALID_SGL_SEG_DESC,
		       "§4.3.2");
	/* a segment outside the mappings */
	expect_refused(sgl(HOLE, 16, LAST, 512), -EFAULT, NVME_SC_DATA_TRANSFER_ERROR, "§4.3.2");
}

static void test_sgl_address_wraps(void **state)
{
	(void)state;
	g_dma.sgls = NVME_CTRL_SGLS_BYTE;
	expect_refused(sgl(UINT64_MAX - 100, 512, DATA, 512), -EINVAL,
		       NVME_SC_DATA_SGL_LENGTH_INVALID, "§4.3.2");
}

static void test_sgl_dword_granularity(void **state)
{
	const struct piece p[] = {{GPA_A + 4, 8}};

	(void)state;
	g_dma.sgls = NVME_CTRL_SGLS_DWORD;
	expect_refused(sgl(GPA_A + 2, 512, DATA, 512), -EINVAL, NVME_SC_SGL_DATA_BLOCK_GRANULARITY,
		       "§4.3.2");
	expect_refused(sgl(GPA_A, 510, DATA, 510), -EINVAL, NVME_SC_SGL_DATA_BLOCK_GRANULARITY,
		       "§4.3.2");
	expect_data(sgl(GPA_A + 4, 8, DATA, 8), 1, p, 1);
	/* byte granularity takes both */
	g_dma.sgls = NVME_CTRL_SGLS_BYTE;
	assert_int_equal(sgl(GPA_A + 2, 510, DATA, 510), 0);
}

/* A segment whose Segment descriptor points back at itself, with nothing
 * but a zero-length block: the walk must end. */
static void test_sgl_segment_loop(void **state)
{
	(void)state;
	g_dma.sgls = NVME_CTRL_SGLS_BYTE;
	put_sgl(GPA_C, GPA_A, 0, NVME_SGL_TYPE_DATA_BLOCK);
	put_sgl(GPA_C + 16, GPA_C, 32, NVME_SGL_TYPE_SEGMENT);
	expect_refused(sgl(GPA_C, 32, SEG, 512), -ENOBUFS, NVME_SC_INTERNAL, "descriptors");
}

static void test_dptr_psdt(void **state)
{
	struct nvme_sqe sqe = {.dptr.prp = {GPA_A, 0}};
	const struct piece p[] = {{GPA_A, 64}};

	(void)state;
	expect_data(nvmf_dptr_map(&g_dma, &sqe, 64, &g_out, &g_status), 1, p, 1);
	/* SGLs while the controller does not support them */
	sqe.flags = NVME_SET(NVME_SQE_PSDT, NVME_PSDT_SGL_MPTR);
	sqe.dptr.sgl1 = (struct nvme_sgl_desc){.addr = GPA_A, .len = 64, .id = DATA};
	expect_refused(nvmf_dptr_map(&g_dma, &sqe, 64, &g_out, &g_status), -EINVAL,
		       NVME_SC_INVALID_FIELD, "§4.1.1");
	g_dma.sgls = NVME_CTRL_SGLS_BYTE;
	expect_data(nvmf_dptr_map(&g_dma, &sqe, 64, &g_out, &g_status), 1, p, 1);
	sqe.flags = NVME_SET(NVME_SQE_PSDT, NVME_PSDT_SGL_MSGL);
	expect_data(nvmf_dptr_map(&g_dma, &sqe, 64, &g_out, &g_status), 1, p, 1);
	/* PSDT 11b is reserved */
	sqe.flags = NVME_SET(NVME_SQE_PSDT, 3);
	expect_refused(nvmf_dptr_map(&g_dma, &sqe, 64, &g_out, &g_status), -EINVAL,
		       NVME_SC_INVALID_FIELD, "reserved");
}

static void test_mdts(void **state)
{
	(void)state;
	/* 2 ^ 5 pages of 4 KiB: 128 KiB */
	assert_int_equal(nvmf_mdts_check(5, PAGE, 128 * 1024, &g_status, &g_dma.log_rl), 0);
	expect_refused(nvmf_mdts_check(5, PAGE, 128 * 1024 + 1, &g_status, &g_dma.log_rl), -EINVAL,
		       NVME_SC_INVALID_FIELD, "MDTS");
	/* 0: no limit */
	assert_int_equal(nvmf_mdts_check(0, PAGE, UINT64_MAX, &g_status, &g_dma.log_rl), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_prp1_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prp1_prp2_pages, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prp_contiguous_pages_merge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_zero_length, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prp_list_one_page, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prp_list_chained, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prp_list_offset_chained, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prp1_not_dword_aligned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prp2_page_offset, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prp_list_entry_offset, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prp_list_pointer_not_qword, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prp_next_list_not_page_aligned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prp_outside_mappings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_iov_capacity, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgl_data_block, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgl_block_across_mappings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgl_segments, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgl_too_short, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgl_type_invalid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgl_segment_descriptor_not_last, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgl_last_segment_chains, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgl_segment_shape, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgl_address_wraps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgl_dword_granularity, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sgl_segment_loop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dptr_psdt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mdts, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
