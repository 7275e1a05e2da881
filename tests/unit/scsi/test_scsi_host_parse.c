/* SPDX-License-Identifier: MIT */
/* Parsers of what a device answers (lib/scsi/scsi_host_{sense,vpd,data}.c):
 * well-formed answers give the fields SPC-5 / SBC-4 put there; every
 * malformed one (short, lengths that do not add up, wrong page) is -EPROTO;
 * the virtio-scsi LUN field goes both ways. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "scsi/scsi_host.h"
#include "util/log.h"

static void test_sense_fixed(void **state)
{
	/* ILLEGAL REQUEST / LBA OUT OF RANGE, INFORMATION 0x12345678 valid */
	uint8_t s[18] = {0xf0, 0, 0x05, 0x12, 0x34, 0x56, 0x78, 10, 0, 0, 0, 0, 0x21, 0x00};
	struct scsi_host_sense sd;

	(void)state;
	assert_int_equal(scsi_host_parse_sense(s, sizeof(s), &sd), 0);
	assert_int_equal(sd.format, SCSI_HOST_SENSE_FIXED);
	assert_false(sd.deferred);
	assert_int_equal(sd.key, SCSI_SK_ILLEGAL_REQUEST);
	assert_int_equal(sd.asc, 0x21);
	assert_int_equal(sd.ascq, 0);
	assert_true(sd.info_valid);
	assert_int_equal(sd.information, 0x12345678);
	/* Cut after ASCQ by a short sense buffer: still readable. */
	assert_int_equal(scsi_host_parse_sense(s, 14, &sd), 0);
	/* Cut before ASCQ, or an additional length that stops before it. */
	assert_int_equal(scsi_host_parse_sense(s, 13, &sd), -EPROTO);
	s[7] = 5;
	assert_int_equal(scsi_host_parse_sense(s, sizeof(s), &sd), -EPROTO);
	s[7] = 10;
	s[0] = 0x71;
	assert_int_equal(scsi_host_parse_sense(s, sizeof(s), &sd), 0);
	assert_true(sd.deferred);
	assert_false(sd.info_valid);
	s[0] = 0x7f;
	assert_int_equal(scsi_host_parse_sense(s, sizeof(s), &sd), -EPROTO);
	assert_int_equal(scsi_host_parse_sense(s, 0, &sd), -EPROTO);
	assert_int_equal(scsi_host_parse_sense(NULL, 18, &sd), -EINVAL);
}

static void test_sense_descriptor(void **state)
{
	/* UNIT ATTENTION / CAPACITY DATA HAS CHANGED, then a 4-byte vendor
	 * descriptor and an information descriptor */
	uint8_t s[8 + 4 + 12] = {0x72, 0x06, 0x2a, 0x09, 0, 0, 0, 16, 0x80, 2, 0xaa, 0xbb,
				 0x00, 0x0a, 0x80, 0,	 1, 2, 3, 4,  5,    6, 7,    8};
	struct scsi_host_sense sd;

	(void)state;
	assert_int_equal(scsi_host_parse_sense(s, sizeof(s), &sd), 0);
	assert_int_equal(sd.format, SCSI_HOST_SENSE_DESCRIPTOR);
	assert_int_equal(sd.key, SCSI_SK_UNIT_ATTENTION);
	assert_int_equal(sd.asc, 0x2a);
	assert_int_equal(sd.ascq, 0x09);
	assert_true(sd.info_valid);
	assert_int_equal(sd.information, 0x0102030405060708ull);
	/* Truncated in the information descriptor: the header still counts. */
	assert_int_equal(scsi_host_parse_sense(s, 16, &sd), 0);
	assert_false(sd.info_valid);
	/* A descriptor running past the additional sense length. */
	s[7] = 14;
	assert_int_equal(scsi_host_parse_sense(s, sizeof(s), &sd), -EPROTO);
	/* An information descriptor of the wrong length. */
	s[7] = 16;
	s[13] = 0x09;
	assert_int_equal(scsi_host_parse_sense(s, sizeof(s), &sd), -EPROTO);
	s[13] = 0x0a;
	/* One stray byte after the last descriptor. */
	s[7] = 5;
	assert_int_equal(scsi_host_parse_sense(s, 13, &sd), -EPROTO);
	assert_int_equal(scsi_host_parse_sense(s, 7, &sd), -EPROTO);
	s[0] = 0xf2;
	s[7] = 16;
	assert_int_equal(scsi_host_parse_sense(s, sizeof(s), &sd), -EPROTO);
}

static void fill_inquiry(uint8_t *q)
{
	memset(q, 0, 36);
	q[0] = SCSI_TYPE_DISK;
	q[2] = SCSI_INQ_VERSION_SPC5;
	q[3] = SCSI_INQ_RESPONSE_DATA_FORMAT | SCSI_INQ_HISUP;
	q[4] = 31;
	q[7] = SCSI_INQ_CMDQUE;
	memcpy(q + 8, "STORLAB ", 8);
	memcpy(q + 16, "scsi disk       ", 16);
	memcpy(q + 32, "0.1 ", 4);
}

static void test_inquiry(void **state)
{
	uint8_t q[36];
	struct scsi_host_inquiry inq;

	(void)state;
	fill_inquiry(q);
	assert_int_equal(scsi_host_parse_inquiry(q, sizeof(q), &inq), 0);
	assert_int_equal(inq.qualifier, 0);
	assert_int_equal(inq.device_type, SCSI_TYPE_DISK);
	assert_int_equal(inq.version, SCSI_INQ_VERSION_SPC5);
	assert_true(inq.hisup);
	assert_true(inq.cmdque);
	assert_string_equal(inq.vendor, "STORLAB");
	assert_string_equal(inq.product, "scsi disk");
	assert_string_equal(inq.revision, "0.1");
	q[0] = SCSI_PQ_NOT_SUPPORTED | SCSI_TYPE_NONE;
	assert_int_equal(scsi_host_parse_inquiry(q, sizeof(q), &inq), 0);
	assert_int_equal(inq.qualifier, 3);
	assert_int_equal(inq.device_type, SCSI_TYPE_NONE);
	assert_int_equal(scsi_host_parse_inquiry(q, 35, &inq), -EPROTO);
	q[4] = 30;
	assert_int_equal(scsi_host_parse_inquiry(q, sizeof(q), &inq), -EPROTO);
	fill_inquiry(q);
	q[3] = 1;
	assert_int_equal(scsi_host_parse_inquiry(q, sizeof(q), &inq), -EPROTO);
	fill_inquiry(q);
	q[20] = 0x01;
	assert_int_equal(scsi_host_parse_inquiry(q, sizeof(q), &inq), -EPROTO);
}

static void test_vpd_pages_serial(void **state)
{
	uint8_t p[] = {0, 0x00, 0, 6, 0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2};
	uint8_t s[] = {0, 0x80, 0, 6, 'S', 'N', '1', '2', ' ', ' '};
	struct scsi_host_vpd_pages pages;
	struct scsi_host_vpd_serial sn;

	(void)state;
	assert_int_equal(scsi_host_parse_vpd_pages(p, sizeof(p), &pages), 0);
	assert_int_equal(pages.n, 6);
	assert_true(scsi_host_vpd_pages_has(&pages, 0xb2));
	assert_false(scsi_host_vpd_pages_has(&pages, 0x86));
	/* PAGE LENGTH past what arrived; not ascending; a repeat; wrong page. */
	assert_int_equal(scsi_host_parse_vpd_pages(p, sizeof(p) - 1, &pages), -EPROTO);
	p[6] = 0x70;
	assert_int_equal(scsi_host_parse_vpd_pages(p, sizeof(p), &pages), -EPROTO);
	p[6] = 0x80;
	assert_int_equal(scsi_host_parse_vpd_pages(p, sizeof(p), &pages), -EPROTO);
	p[1] = 0x80;
	assert_int_equal(scsi_host_parse_vpd_pages(p, sizeof(p), &pages), -EPROTO);
	assert_int_equal(scsi_host_parse_vpd_serial(s, sizeof(s), &sn), 0);
	assert_string_equal(sn.serial, "SN12");
	s[5] = 0;
	assert_int_equal(scsi_host_parse_vpd_serial(s, sizeof(s), &sn), -EPROTO);
}

static void test_vpd_ids(void **state)
{
	uint8_t p[4 + 4 + 16 + 4 + 8 + 4 + 3] = {
	    0, 0x83, 0, 39,
	    /* NAA 6, binary, LUN association */
	    0x01, 0x03, 0, 16, 0x60, 0x01, 0x40, 0x50, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
	    /* T10 vendor id, ASCII */
	    0x02, 0x01, 0, 8, 'S', 'T', 'O', 'R', 'L', 'A', 'B', '1',
	    /* target port, binary, 3 bytes (not checked) */
	    0x01, 0x14, 0, 3, 0, 0, 1};
	struct scsi_host_vpd_ids ids;
	char buf[64];

	(void)state;
	assert_int_equal(scsi_host_parse_vpd_ids(p, sizeof(p), &ids), 0);
	assert_int_equal(ids.n, 3);
	assert_int_equal(ids.n_total, 3);
	assert_int_equal(ids.d[0].type, SCSI_DESIGNATOR_NAA);
	assert_int_equal(ids.d[0].association, SCSI_ASSOC_LUN);
	assert_string_equal(scsi_host_designator_format(&ids.d[0], buf, sizeof(buf)),
			    "naa.600140500102030405060708090a0b0c");
	assert_string_equal(scsi_host_designator_format(&ids.d[1], buf, sizeof(buf)),
			    "t10.STORLAB1");
	assert_int_equal(ids.d[2].association, SCSI_ASSOC_TARGET_PORT);
	/* Cut to whole bytes when the buffer is short. */
	assert_string_equal(scsi_host_designator_format(&ids.d[0], buf, 8), "naa.60");
	/* The last designator past PAGE LENGTH. */
	p[3] = 38;
	assert_int_equal(scsi_host_parse_vpd_ids(p, sizeof(p), &ids), -EPROTO);
	p[3] = 39;
	/* An NAA 6 designator must be 16 bytes. */
	p[8] = 0x50;
	assert_int_equal(scsi_host_parse_vpd_ids(p, sizeof(p), &ids), -EPROTO);
	p[8] = 0x60;
	p[28] = 0x7f;
	assert_int_equal(scsi_host_parse_vpd_ids(p, sizeof(p), &ids), -EPROTO);
}

static void test_vpd_block(void **state)
{
	uint8_t b0[64] = {0, 0xb0, 0, 0x3c, 1};
	uint8_t b1[64] = {0, 0xb1, 0, 0x3c, 0, 1, 0, 3, 0x10};
	uint8_t b2[8] = {0, 0xb2, 0, 4, 0, SCSI_LBP_LBPU | SCSI_LBP_LBPWS | SCSI_LBP_LBPRZ, 2};
	struct scsi_host_vpd_block_limits bl;
	struct scsi_host_vpd_block_chars bc;
	struct scsi_host_vpd_lbp lbp;

	(void)state;
	b0[8] = 0x00, b0[11] = 0x80; /* max transfer 128 */
	b0[23] = 0x20;		     /* max unmap LBA count 32 */
	b0[27] = 1;		     /* one descriptor */
	b0[31] = 4;		     /* optimal unmap granularity 4 */
	b0[32] = 0x80, b0[35] = 8;   /* UGAVALID, alignment 8 */
	b0[43] = 0x40;		     /* max write same 64 */
	assert_int_equal(scsi_host_parse_vpd_block_limits(b0, sizeof(b0), &bl), 0);
	assert_true(bl.wsnz);
	assert_int_equal(bl.max_transfer_len, 128);
	assert_int_equal(bl.max_unmap_lba_count, 32);
	assert_int_equal(bl.max_unmap_block_desc_count, 1);
	assert_true(bl.ugavalid);
	assert_int_equal(bl.opt_unmap_gran, 4);
	assert_int_equal(bl.unmap_gran_align, 8);
	assert_int_equal(bl.max_write_same_len, 64);
	b0[3] = 0x3b;
	assert_int_equal(scsi_host_parse_vpd_block_limits(b0, sizeof(b0), &bl), -EPROTO);
	assert_int_equal(scsi_host_parse_vpd_block_limits(b0, 63, &bl), -EPROTO);
	assert_int_equal(scsi_host_parse_vpd_block_chars(b1, sizeof(b1), &bc), 0);
	assert_int_equal(bc.rotation_rate, 1);
	assert_int_equal(bc.form_factor, 3);
	assert_int_equal(bc.zoned, 1);
	assert_int_equal(scsi_host_parse_vpd_block_chars(b0, sizeof(b0), &bc), -EPROTO);
	assert_int_equal(scsi_host_parse_vpd_lbp(b2, sizeof(b2), &lbp), 0);
	assert_true(lbp.lbpu);
	assert_true(lbp.lbpws);
	assert_false(lbp.lbpws10);
	assert_int_equal(lbp.lbprz, 1);
	assert_int_equal(lbp.provisioning_type, 2);
	b2[5] |= 1; /* DP without its descriptor */
	assert_int_equal(scsi_host_parse_vpd_lbp(b2, sizeof(b2), &lbp), -EPROTO);
	b2[3] = 3;
	assert_int_equal(scsi_host_parse_vpd_lbp(b2, sizeof(b2), &lbp), -EPROTO);
}

static void test_capacity(void **state)
{
	uint8_t c10[8] = {0, 0, 0xff, 0xff, 0, 0, 2, 0};
	uint8_t c16[32] = {0, 0, 0, 1, 0, 0, 0, 0xff, 0, 0, 0x10, 0, 0x05, 0x03, 0xc0, 0x07};
	struct scsi_host_capacity cap;

	(void)state;
	assert_int_equal(scsi_host_parse_capacity_10(c10, sizeof(c10), &cap), 0);
	assert_int_equal(cap.num_blocks, 0x10000);
	assert_int_equal(cap.block_len, 512);
	assert_false(cap.need_16);
	memset(c10, 0xff, 4);
	assert_int_equal(scsi_host_parse_capacity_10(c10, sizeof(c10), &cap), 0);
	assert_true(cap.need_16);
	assert_int_equal(scsi_host_parse_capacity_10(c10, 7, &cap), -EPROTO);
	memset(c10 + 4, 0, 4);
	assert_int_equal(scsi_host_parse_capacity_10(c10, sizeof(c10), &cap), -EPROTO);

	assert_int_equal(scsi_host_parse_capacity_16(c16, sizeof(c16), &cap), 0);
	assert_int_equal(cap.num_blocks, 0x100000100ull);
	assert_int_equal(cap.block_len, 4096);
	assert_true(cap.prot_en);
	assert_int_equal(cap.p_type, 2);
	assert_int_equal(cap.lbppbe, 3);
	assert_true(cap.lbpme);
	assert_true(cap.lbprz);
	assert_int_equal(cap.lowest_aligned_lba, 7);
	assert_int_equal(scsi_host_parse_capacity_16(c16, 31, &cap), -EPROTO);
	memset(c16, 0xff, 8);
	assert_int_equal(scsi_host_parse_capacity_16(c16, sizeof(c16), &cap), -EPROTO);
}

static void test_report_luns(void **state)
{
	uint8_t r[8 + 24] = {0, 0, 0, 24, 0, 0, 0, 0, 0,    0,	  0, 0, 0, 0, 0, 0,
			     0, 5, 0, 0,  0, 0, 0, 0, 0x41, 0x2c, 0, 0, 0, 0, 0, 0};
	uint64_t luns[4];
	size_t n, total;
	uint16_t num;

	(void)state;
	assert_int_equal(scsi_host_parse_report_luns(r, sizeof(r), luns, 4, &n, &total), 0);
	assert_int_equal(n, 3);
	assert_int_equal(total, 3);
	assert_int_equal(scsi_host_lun_decode(luns[0], &num), 0);
	assert_int_equal(num, 0);
	assert_int_equal(scsi_host_lun_decode(luns[1], &num), 0);
	assert_int_equal(num, 5);
	assert_int_equal(scsi_host_lun_decode(luns[2], &num), 0);
	assert_int_equal(num, 300);
	/* Cut by the allocation length, or by max: total says more exist. */
	assert_int_equal(scsi_host_parse_report_luns(r, 20, luns, 4, &n, &total), 0);
	assert_int_equal(n, 1);
	assert_int_equal(total, 3);
	assert_int_equal(scsi_host_parse_report_luns(r, sizeof(r), luns, 2, &n, &total), 0);
	assert_int_equal(n, 2);
	r[3] = 20;
	assert_int_equal(scsi_host_parse_report_luns(r, sizeof(r), luns, 4, &n, &total), -EPROTO);
	assert_int_equal(scsi_host_parse_report_luns(r, 7, luns, 4, &n, &total), -EPROTO);
	/* Extended / logical unit addressing, a second level: not single level. */
	assert_int_equal(scsi_host_lun_decode(0xc101000000000000ull, &num), -EPROTO);
	assert_int_equal(scsi_host_lun_decode(0x0001000100000000ull, &num), -EPROTO);
	assert_int_equal(scsi_host_lun_decode(0x0101000000000000ull, &num), -EPROTO);
}

static void test_mode(void **state)
{
	/* MODE SENSE(6): header, 8-byte block descriptor, control page
	 * (0Ah, 10 bytes), caching page (08h, 18 bytes) */
	uint8_t m6[4 + 8 + 12 + 20] = {43, 0, SCSI_MODE_DPOFUA, 8};
	uint8_t m10[8 + 4] = {0, 10, 0, SCSI_MODE_WP, 1, 0, 0, 0, 0x48, 0x01, 0, 0};
	struct scsi_host_mode_header h;
	const uint8_t *pg;
	size_t pg_len;

	(void)state;
	m6[12] = SCSI_MODE_PAGE_CONTROL, m6[13] = 10;
	m6[24] = SCSI_MODE_PAGE_CACHING, m6[25] = 18, m6[26] = SCSI_CACHING_WCE;
	assert_int_equal(scsi_host_parse_mode_header_6(m6, sizeof(m6), &h), 0);
	assert_true(h.dpofua);
	assert_false(h.wp);
	assert_int_equal(h.block_desc_len, 8);
	assert_int_equal(h.pages_off, 12);
	assert_int_equal(h.pages_len, 32);
	assert_int_equal(scsi_host_mode_page_find(m6, &h, SCSI_MODE_PAGE_CACHING, 0, &pg, &pg_len),
			 0);
	assert_int_equal(pg_len, 20);
	assert_true(pg[2] & SCSI_CACHING_WCE);
	assert_int_equal(
	    scsi_host_mode_page_find(m6, &h, SCSI_MODE_PAGE_POWER_CONDITION, 0, &pg, &pg_len),
	    -ENOENT);
	/* The caching page claims more than there is. */
	m6[25] = 19;
	assert_int_equal(scsi_host_mode_page_find(m6, &h, SCSI_MODE_PAGE_CACHING, 0, &pg, &pg_len),
			 -EPROTO);
	/* Block descriptors longer than the mode data. */
	m6[0] = 10;
	assert_int_equal(scsi_host_parse_mode_header_6(m6, sizeof(m6), &h), -EPROTO);
	assert_int_equal(scsi_host_parse_mode_header_6(m6, 3, &h), -EPROTO);

	/* MODE SENSE(10): a sub_page format page 08h/01h with 16-bit length */
	assert_int_equal(scsi_host_parse_mode_header_10(m10, sizeof(m10), &h), 0);
	assert_true(h.wp);
	assert_true(h.longlba);
	assert_int_equal(h.pages_len, 4);
	assert_int_equal(scsi_host_mode_page_find(m10, &h, 0x08, 0x01, &pg, &pg_len), 0);
	assert_int_equal(pg_len, 4);
	m10[7] = 8;
	assert_int_equal(scsi_host_parse_mode_header_10(m10, sizeof(m10), &h), -EPROTO);
}

static void test_virtio_lun(void **state)
{
	uint8_t f[8];
	uint8_t target;
	uint16_t lun;

	(void)state;
	assert_int_equal(scsi_host_virtio_lun_encode(f, 3, 7), 0);
	assert_memory_equal(f, ((const uint8_t[]){1, 3, 0, 7, 0, 0, 0, 0}), 8);
	assert_int_equal(scsi_host_virtio_lun_decode(f, &target, &lun), 0);
	assert_int_equal(target, 3);
	assert_int_equal(lun, 7);
	assert_int_equal(scsi_host_virtio_lun_encode(f, 0, 16383), 0);
	assert_memory_equal(f, ((const uint8_t[]){1, 0, 0x7f, 0xff, 0, 0, 0, 0}), 8);
	assert_int_equal(scsi_host_virtio_lun_decode(f, &target, &lun), 0);
	assert_int_equal(lun, 16383);
	assert_int_equal(scsi_host_virtio_lun_encode(f, 0, 16384), -EINVAL);
	/* The REPORT LUNS well-known LUN, a nonzero tail, byte 0 not 1. */
	assert_int_equal(scsi_host_virtio_lun_decode((const uint8_t[]){0xc1, 1, 0, 0, 0, 0, 0, 0},
						     &target, &lun),
			 -EPROTO);
	assert_int_equal(
	    scsi_host_virtio_lun_decode((const uint8_t[]){1, 0, 0, 0, 0, 0, 0, 1}, &target, &lun),
	    -EPROTO);
	assert_int_equal(
	    scsi_host_virtio_lun_decode((const uint8_t[]){2, 0, 0, 0, 0, 0, 0, 0}, &target, &lun),
	    -EPROTO);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(scsi_host_opcode_name(SCSI_OP_READ_16), "READ(16)");
	assert_string_equal(scsi_host_opcode_name(0xff), "UNKNOWN");
	assert_string_equal(scsi_host_status_name(SCSI_STATUS_CHECK_CONDITION), "CHECK CONDITION");
	assert_string_equal(scsi_host_sense_key_name(SCSI_SK_UNIT_ATTENTION), "UNIT ATTENTION");
	assert_string_equal(scsi_host_sense_key_name(0xc), "UNKNOWN");
	assert_string_equal(scsi_host_asc_name(SCSI_ASC_LBA_OUT_OF_RANGE),
			    "LOGICAL BLOCK ADDRESS OUT OF RANGE");
	/* An ASCQ without its own name takes its ASC's. */
	assert_string_equal(scsi_host_asc_name(SCSI_ASCQ(0x3f, 0x03)),
			    "TARGET OPERATING CONDITIONS HAVE CHANGED");
	assert_string_equal(scsi_host_asc_name(SCSI_ASCQ(0x80, 0x01)), "vendor specific");
	assert_string_equal(scsi_host_asc_name(SCSI_ASCQ(0x70, 0x00)), "UNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sense_fixed), cmocka_unit_test(test_sense_descriptor),
	    cmocka_unit_test(test_inquiry),	cmocka_unit_test(test_vpd_pages_serial),
	    cmocka_unit_test(test_vpd_ids),	cmocka_unit_test(test_vpd_block),
	    cmocka_unit_test(test_capacity),	cmocka_unit_test(test_report_luns),
	    cmocka_unit_test(test_mode),	cmocka_unit_test(test_virtio_lun),
	    cmocka_unit_test(test_names),
	};

	log_set_level(LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
