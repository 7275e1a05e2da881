/* SPDX-License-Identifier: MIT */
/*
 * virtio-scsi suite: the SCSI commands that describe a logical unit
 * (SPC-5: INQUIRY and its VPD pages, REPORT LUNS, TEST UNIT READY, MODE
 * SENSE, REQUEST SENSE; SBC-4: READ CAPACITY, START STOP UNIT), unknown
 * opcodes and invalid fields, and the sense data of errors (SPC-5 §4.4).
 */
#include <string.h>

#include "conformance/suite_virtio_scsi.h"
#include "spec/scsi.h"
#include "util/common.h"

static const uint16_t g_invalid_field[] = {SCSI_ASC_INVALID_FIELD_IN_CDB};

/* INQUIRY (SPC-5 §6.7): evpd, page, allocation length; with EVPD 0 and a
 * page (which lib/scsi's builder refuses: SCSI-CDB-005 sends it on
 * purpose), the CDB by hand. */
static int inquiry(struct scsi *s, struct scsi_cmd *c, bool evpd, uint8_t page, uint16_t alloc)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];

	if (scsi_host_cdb_inquiry(cdb, evpd, page, alloc) < 0) {
		scsi_host_cdb_inquiry(cdb, false, 0, alloc);
		cdb[2] = page;
	}
	return scsi_do(s, c, cdb, 6, NULL, 0, NULL, alloc);
}

SCSI_CASE(scsi_cdb_inquiry_std)
{
	struct scsi_host_inquiry inq;
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (inquiry(&s, &c, false, 0, 96))
		return conform_fail(ctx, "INQUIRY got no answer");
	if (!scsi_good(&s, &c, "INQUIRY"))
		return conform_fail(ctx, "standard INQUIRY failed (trace)");
	/* SPC-5 §6.7.2: at least 36 bytes, ADDITIONAL LENGTH consistent,
	 * RESPONSE DATA FORMAT 2 (lib/scsi's parser checks the layout). */
	if (scsi_din_got(&c) < sizeof(struct scsi_inquiry_std) || c.din[4] < 31)
		return conform_fail(ctx, "%u bytes of INQUIRY data, ADDITIONAL LENGTH %u: less "
					 "than 36",
				    scsi_din_got(&c), c.din[4]);
	/* SPC-5 §4.2.5.6: the transfer ends at the allocation length or at the
	 * end of the data, whichever comes first: short of the 96 asked for,
	 * it is all ADDITIONAL LENGTH announced (n - 4, after byte 4). */
	if (c.resp->resid && scsi_din_got(&c) != c.din[4] + 5u)
		return conform_fail(ctx,
				    "%u bytes of INQUIRY data transferred, ADDITIONAL LENGTH "
				    "%u announces %u",
				    scsi_din_got(&c), c.din[4], c.din[4] + 5u);
	if (scsi_host_parse_inquiry(c.din, scsi_din_got(&c), &inq))
		return conform_fail(ctx, "the INQUIRY data is malformed (trace)");
	if ((c.din[3] & 0x0f) != SCSI_INQ_RESPONSE_DATA_FORMAT)
		return conform_fail(ctx, "RESPONSE DATA FORMAT %u, not 2", c.din[3] & 0x0f);
	if (inq.qualifier != SCSI_PQ_CONNECTED >> 5)
		return conform_fail(ctx, "PERIPHERAL QUALIFIER %u of a LUN REPORT LUNS lists",
				    inq.qualifier);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_inquiry_alloc_short)
{
	struct scsi_cmd c;
	uint8_t *guard;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	/* SPC-5 §4.2.5.6: the ALLOCATION LENGTH bounds what is transferred. */
	uint8_t cdb[SCSI_HOST_CDB_MAX];

	scsi_host_cdb_inquiry(cdb, false, 0, 5);
	if (!scsi_cmd_init(&s, &c, cdb, 6, 0, 64) ||
	    !(guard = blk_alloc(&s.io, 64, NULL)))
		return conform_error(ctx, "out of guest memory");
	memset(c.din, 0xa5, 64);
	memset(guard, 0xa5, 64);
	if (scsi_cmd_run(&s, SCSI_Q_REQ, &c))
		return conform_fail(ctx, "INQUIRY got no answer");
	if (!scsi_good(&s, &c, "INQUIRY with ALLOCATION LENGTH 5"))
		return conform_fail(ctx, "INQUIRY with ALLOCATION LENGTH 5 failed (trace)");
	for (unsigned i = 5; i < 64; i++)
		if (c.din[i] != 0xa5)
			return conform_fail(ctx, "byte %u of the datain written: ALLOCATION LENGTH "
						 "is 5",
					    i);
	if (c.resp->resid < 64 - 5)
		return conform_fail(ctx, "residual %u: at most 5 of 64 bytes were transferred",
				    c.resp->resid);
	return CONFORM_PASS;
}

/* The supported VPD pages (SPC-5 §7.7.16, lib/scsi's parser: ascending,
 * no repeats); false (noted) when they could not be read. */
static bool vpd_list(struct scsi *s, struct scsi_host_vpd_pages *pages)
{
	struct scsi_cmd c;

	if (inquiry(s, &c, true, SCSI_VPD_SUPPORTED_PAGES, 255) ||
	    !scsi_good(s, &c, "INQUIRY VPD 00h"))
		return false;
	return scsi_host_parse_vpd_pages(c.din, scsi_din_got(&c), pages) == 0;
}

SCSI_CASE(scsi_cdb_vpd_supported)
{
	struct scsi_host_vpd_pages pages;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (!vpd_list(&s, &pages))
		return conform_fail(ctx, "VPD page 00h failed or is malformed (trace)");
	if (!pages.n || pages.page[0] != SCSI_VPD_SUPPORTED_PAGES)
		return conform_fail(ctx, "page 00h does not list itself first");
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_vpd_pages)
{
	struct scsi_host_vpd_pages pages;
	const uint8_t *payload;
	size_t payload_len;
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (!vpd_list(&s, &pages))
		return conform_not_applicable(ctx, "VPD page 00h failed or is malformed "
						   "(SCSI-CDB-003)");
	/* SPC-5 §7.7.1: every listed page answers with its own code, and its
	 * PAGE LENGTH fits what was transferred. */
	for (unsigned i = 0; i < pages.n; i++) {
		uint8_t page = pages.page[i];

		if (inquiry(&s, &c, true, page, 255) || !scsi_good(&s, &c, "INQUIRY VPD"))
			return conform_fail(ctx, "VPD page 0x%02x is listed but fails", page);
		if (scsi_host_parse_vpd(c.din, scsi_din_got(&c), page, &payload, &payload_len))
			return conform_fail(ctx, "VPD page 0x%02x is malformed (trace)", page);
	}
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_inquiry_page_no_evpd)
{
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	/* SPC-5 §6.7.1: EVPD 0 with a PAGE CODE other than 0. */
	if (inquiry(&s, &c, false, SCSI_VPD_UNIT_SERIAL_NUMBER, 96))
		return conform_fail(ctx, "INQUIRY got no answer");
	return scsi_expect_check(&s, &c, "INQUIRY with EVPD 0 and PAGE CODE 80h",
				 SCSI_SK_ILLEGAL_REQUEST, g_invalid_field, 1);
}

SCSI_CASE(scsi_cdb_vpd_unsupported)
{
	struct scsi_host_vpd_pages pages;
	struct scsi_cmd c;
	struct scsi s;
	int page = -1;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (!vpd_list(&s, &pages))
		return conform_not_applicable(ctx, "VPD page 00h failed or is malformed "
						   "(SCSI-CDB-003)");
	/* A page of the reserved range B9h-BFh it does not list. */
	for (int p = 0xbf; p >= 0xb9 && page < 0; p--)
		if (!scsi_host_vpd_pages_has(&pages, (uint8_t)p))
			page = p;
	if (page < 0)
		return conform_not_applicable(ctx, "every page B9h-BFh is listed");
	if (inquiry(&s, &c, true, (uint8_t)page, 255))
		return conform_fail(ctx, "INQUIRY got no answer");
	return scsi_expect_check(&s, &c, "INQUIRY of a VPD page not listed",
				 SCSI_SK_ILLEGAL_REQUEST, g_invalid_field, 1);
}

SCSI_CASE(scsi_cdb_report_luns)
{
	struct scsi_host_inquiry inq;
	struct scsi_cmd c, ic;
	uint64_t luns[64];
	struct scsi s;
	size_t n;
	int ret;

	SCSI_OPEN_LUN(&s, 1, 0);
	ret = scsi_report_luns(&s, &c, luns, ARRAY_SIZE(luns), &n);
	if (ret)
		return conform_fail(ctx, "REPORT LUNS: %s (trace)", strerror(-ret));
	/* SPC-5 §6.33: each LUN listed is one the target serves. */
	for (size_t i = 0; i < n; i++) {
		if (scsi_host_lun_decode(luns[i], &s.lun))
			continue; /* an addressing method virtio-scsi cannot carry */
		if (inquiry(&s, &ic, false, 0, 36) || !scsi_good(&s, &ic, "INQUIRY") ||
		    scsi_host_parse_inquiry(ic.din, scsi_din_got(&ic), &inq))
			return conform_fail(ctx, "LUN %u is listed but INQUIRY fails", s.lun);
		if (inq.qualifier != SCSI_PQ_CONNECTED >> 5)
			return conform_fail(ctx, "LUN %u is listed with qualifier %u", s.lun,
					    inq.qualifier);
	}
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_report_luns_short)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	uint64_t lun, all[4096 / 8]; /* what scsi_report_luns has room for */
	struct scsi_cmd c;
	size_t n, total, listed;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (scsi_report_luns(&s, &c, all, ARRAY_SIZE(all), &listed))
		return conform_fail(ctx, "REPORT LUNS of the whole list failed (trace)");
	/* SPC-5 §6.33: room for the header and one LUN; LUN LIST LENGTH
	 * still says how long the whole list is: as long as the uncut
	 * answer's. */
	scsi_host_cdb_report_luns(cdb, SCSI_REPORT_LUNS_ALL, 16);
	if (scsi_do(&s, &c, cdb, 12, NULL, 0, NULL, 16) ||
	    !scsi_good(&s, &c, "REPORT LUNS with ALLOCATION LENGTH 16"))
		return conform_fail(ctx, "REPORT LUNS with ALLOCATION LENGTH 16 failed (trace)");
	if (scsi_host_parse_report_luns(c.din, scsi_din_got(&c), &lun, 1, &n, &total))
		return conform_fail(ctx, "the cut REPORT LUNS data is malformed (trace)");
	if (total != listed)
		return conform_fail(
		    ctx,
		    "LUN LIST LENGTH counts %zu LUNs with ALLOCATION LENGTH 16, %zu "
		    "with 4096",
		    total, listed);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_test_unit_ready)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	scsi_host_cdb_test_unit_ready(cdb);
	/* The open took the unit attentions: the LU is ready. */
	if (scsi_do(&s, &c, cdb, 6, NULL, 0, NULL, 0))
		return conform_fail(ctx, "TEST UNIT READY got no answer");
	if (!scsi_good(&s, &c, "TEST UNIT READY"))
		return conform_fail(ctx, "TEST UNIT READY on a ready LU failed (trace)");
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_read_capacity)
{
	struct scsi_host_capacity cap10, cap16;
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	scsi_host_cdb_read_capacity_10(cdb);
	if (scsi_do(&s, &c, cdb, 10, NULL, 0, NULL, 8) || !scsi_good(&s, &c, "READ CAPACITY(10)") ||
	    scsi_host_parse_capacity_10(c.din, scsi_din_got(&c), &cap10))
		return conform_fail(ctx, "READ CAPACITY(10) failed or is malformed (trace)");
	scsi_host_cdb_read_capacity_16(cdb, 32);
	if (scsi_do(&s, &c, cdb, 16, NULL, 0, NULL, 32) || !scsi_good(&s, &c, "READ CAPACITY(16)") ||
	    scsi_host_parse_capacity_16(c.din, scsi_din_got(&c), &cap16))
		return conform_fail(ctx, "READ CAPACITY(16) failed or is malformed (trace)");
	/* SBC-4 §5.20.2: FFFFFFFFh when the last LBA does not fit. */
	if (cap10.need_16 ? cap16.num_blocks <= 0xffffffffull
			  : cap10.num_blocks != cap16.num_blocks)
		return conform_fail(ctx, "READ CAPACITY(10) says %llu blocks%s, (16) %llu",
				    (unsigned long long)cap10.num_blocks,
				    cap10.need_16 ? " (use 16)" : "",
				    (unsigned long long)cap16.num_blocks);
	if (cap10.block_len != cap16.block_len)
		return conform_fail(ctx, "the two READ CAPACITYs give different block lengths");
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_read_capacity_sa_bad)
{
	static const uint16_t asc[] = {SCSI_ASC_INVALID_FIELD_IN_CDB,
				       SCSI_ASC_INVALID_COMMAND_OPERATION_CODE};
	/* SERVICE ACTION IN(16) with service action 1Fh, which SBC-4 does
	 * not define. */
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	scsi_host_cdb_read_capacity_16(cdb, 32);
	cdb[1] = 0x1f;
	if (scsi_do(&s, &c, cdb, sizeof(cdb), NULL, 0, NULL, 32))
		return conform_fail(ctx, "SERVICE ACTION IN(16) got no answer");
	return scsi_expect_check(&s, &c, "SERVICE ACTION IN(16) / 1Fh", SCSI_SK_ILLEGAL_REQUEST,
				 asc, ARRAY_SIZE(asc));
}

SCSI_CASE(scsi_cdb_mode_sense6)
{
	struct scsi_host_mode_header hdr;
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	scsi_host_cdb_mode_sense_6(cdb, false, 0, SCSI_MODE_PAGE_ALL, 0, 255);
	if (scsi_do(&s, &c, cdb, 6, NULL, 0, NULL, 255) ||
	    !scsi_good(&s, &c, "MODE SENSE(6) of all pages"))
		return conform_fail(ctx, "MODE SENSE(6) of all pages failed (trace)");
	/* SPC-5 §7.5.5: MODE DATA LENGTH and the block descriptors fit each
	 * other (lib/scsi's parser), and what was transferred: all of it
	 * (the bytes after the field and the field) when the allocation
	 * length did not cut the transfer (SPC-5 §4.2.5.6). */
	if (scsi_host_parse_mode_header_6(c.din, scsi_din_got(&c), &hdr))
		return conform_fail(ctx, "the mode parameter header is malformed (trace)");
	if (c.resp->resid && scsi_din_got(&c) != hdr.mode_data_length + 1u)
		return conform_fail(ctx, "%u bytes transferred, MODE DATA LENGTH says %u",
				    scsi_din_got(&c), hdr.mode_data_length + 1u);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_mode_sense10)
{
	struct scsi_host_mode_header hdr;
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	const uint8_t *pg;
	struct scsi_cmd c;
	struct scsi s;
	size_t pg_len;

	SCSI_OPEN_LUN(&s, 1, 0);
	scsi_host_cdb_mode_sense_10(cdb, false, true, 0, SCSI_MODE_PAGE_CACHING, 0, 512);
	if (scsi_do(&s, &c, cdb, 10, NULL, 0, NULL, 512) ||
	    !scsi_good(&s, &c, "MODE SENSE(10) of the caching page"))
		return conform_fail(ctx, "MODE SENSE(10) of the caching page failed (trace)");
	/* SBC-4 §6.5.5: the page that was asked for follows the header and
	 * the block descriptors (DBD: none). */
	if (scsi_host_parse_mode_header_10(c.din, scsi_din_got(&c), &hdr))
		return conform_fail(ctx, "the mode parameter header is malformed (trace)");
	/* SPC-5 §6.14: DBD set, the device server returns no block
	 * descriptor. */
	if (hdr.block_desc_len)
		return conform_fail(ctx, "BLOCK DESCRIPTOR LENGTH %u with DBD set",
				    hdr.block_desc_len);
	if (scsi_host_mode_page_find(c.din, &hdr, SCSI_MODE_PAGE_CACHING, 0, &pg, &pg_len))
		return conform_fail(ctx, "no caching page (08h) in the answer for it (trace)");
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_request_sense)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	struct scsi_host_sense sn;
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	scsi_host_cdb_request_sense(cdb, false, 252);
	if (scsi_do(&s, &c, cdb, 6, NULL, 0, NULL, 252) || !scsi_good(&s, &c, "REQUEST SENSE"))
		return conform_fail(ctx, "REQUEST SENSE failed (trace)");
	/* SPC-5 §6.39: sense data in the parameter data, current. */
	if (scsi_host_parse_sense(c.din, scsi_din_got(&c), &sn))
		return conform_fail(ctx, "the sense data returned is malformed (trace)");
	if (sn.deferred)
		return conform_fail(ctx, "deferred sense data for REQUEST SENSE");
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_start_stop)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	scsi_host_cdb_start_stop_unit(cdb, false, 0, false, true);
	if (scsi_do(&s, &c, cdb, 6, NULL, 0, NULL, 0))
		return conform_fail(ctx, "START STOP UNIT got no answer");
	if (scsi_unsupported(&c))
		return conform_not_applicable(ctx, "the LU does not implement START STOP UNIT");
	if (!scsi_good(&s, &c, "START STOP UNIT (START)"))
		return conform_fail(ctx, "START STOP UNIT with START failed (trace)");
	if (!scsi_write_pattern(&s, scsi_scratch_lba(&s, 7), 1) ||
	    !scsi_read_check(&s, scsi_scratch_lba(&s, 7), 1))
		return conform_fail(ctx, "the LU does not serve I/O after START STOP UNIT");
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_unknown_opcode)
{
	static const uint16_t asc[] = {SCSI_ASC_INVALID_COMMAND_OPERATION_CODE};
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	/* SPC-5 reserves operation codes 60h-7Eh. */
	if (scsi_do(&s, &c, (const uint8_t[10]){0x60}, 10, NULL, 0, NULL, 0))
		return conform_fail(ctx, "opcode 60h got no answer");
	return scsi_expect_check(&s, &c, "opcode 60h", SCSI_SK_ILLEGAL_REQUEST, asc, 1);
}

SCSI_CASE(scsi_cdb_sense_format)
{
	struct scsi_host_sense sn;
	struct scsi_cmd c;
	struct scsi s;
	uint32_t len, want;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (scsi_do(&s, &c, (const uint8_t[10]){0x60}, 10, NULL, 0, NULL, 0))
		return conform_fail(ctx, "opcode 60h got no answer");
	if (c.resp->response != VIRTIO_SCSI_S_OK ||
	    c.resp->status != SCSI_STATUS_CHECK_CONDITION)
		return conform_not_applicable(ctx, "opcode 60h did not end in CHECK CONDITION "
						   "(SCSI-CDB-031)");
	len = MIN(c.resp->sense_len, (uint32_t)VIRTIO_SCSI_SENSE_DEFAULT);
	if (len == 0)
		return conform_fail(ctx, "CHECK CONDITION with sense_len 0: no sense data");
	/* SPC-5 §4.4: fixed (70h/71h) or descriptor format (72h/73h) with the
	 * sense key, ASC and ASCQ inside sense_len (lib/scsi's parser)... */
	if (!scsi_sense_get(&c, &sn))
		return conform_fail(ctx, "%u bytes of sense data in no format of SPC-5 (trace)",
				    len);
	/* ...and sense_len covers the ADDITIONAL SENSE LENGTH (byte 7 of both
	 * formats), up to sense_size. */
	want = MIN(8u + (len > 7 ? c.resp->sense[7] : 0), (uint32_t)VIRTIO_SCSI_SENSE_DEFAULT);
	if (len < want)
		return conform_fail(ctx, "sense_len %u, the sense data says %u bytes", len, want);
	return CONFORM_PASS;
}
