/* SPDX-License-Identifier: MIT */
/*
 * virtio-scsi suite: the SCSI commands that describe a logical unit
 * (SPC-5: INQUIRY and its VPD pages, REPORT LUNS, TEST UNIT READY, MODE
 * SENSE, REQUEST SENSE; SBC-4: READ CAPACITY, START STOP UNIT), unknown
 * opcodes and invalid fields, and the sense data of errors (SPC-5 §4.4).
 */
#include <string.h>

#include "conformance/suite_virtio_scsi.h"
#include "util/common.h"

static const uint16_t g_invalid_field[] = {SCSI_ASC_INVALID_FIELD_IN_CDB};

/* INQUIRY (SPC-5 §6.7): evpd, page, allocation length. */
static int inquiry(struct scsi *s, struct scsi_cmd *c, bool evpd, uint8_t page, uint16_t alloc)
{
	uint8_t cdb[6] = {SCSI_OP_INQUIRY, evpd ? SCSI_INQ_EVPD : 0, page};

	scsi_put_be(cdb + 3, alloc, 2);
	return scsi_do(s, c, cdb, sizeof(cdb), NULL, 0, NULL, alloc);
}

SCSI_CASE(scsi_cdb_inquiry_std)
{
	const struct scsi_inquiry_std *d;
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (inquiry(&s, &c, false, 0, 96))
		return conform_fail(ctx, "INQUIRY got no answer");
	if (!scsi_good(&s, &c, "INQUIRY"))
		return conform_fail(ctx, "standard INQUIRY failed (trace)");
	d = (const struct scsi_inquiry_std *)c.din;
	/* SPC-5 §6.7.2: at least 36 bytes (ADDITIONAL LENGTH n - 4 >= 31),
	 * RESPONSE DATA FORMAT 2, a connected LU (qualifier 000b). */
	if (d->additional_length < 31)
		return conform_fail(ctx, "ADDITIONAL LENGTH %u: less than 36 bytes of data",
				    d->additional_length);
	if ((d->flags3 & 0x0f) != SCSI_INQ_RESPONSE_DATA_FORMAT)
		return conform_fail(ctx, "RESPONSE DATA FORMAT %u, not 2", d->flags3 & 0x0f);
	if ((d->peripheral & 0xe0) != SCSI_PQ_CONNECTED)
		return conform_fail(ctx, "PERIPHERAL QUALIFIER %u of a LUN REPORT LUNS lists",
				    d->peripheral >> 5);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_inquiry_alloc_short)
{
	struct scsi_cmd c;
	uint8_t *guard;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	/* SPC-5 §4.2.5.6: the ALLOCATION LENGTH bounds what is transferred. */
	if (!scsi_cmd_init(&s, &c, (const uint8_t[6]){SCSI_OP_INQUIRY, 0, 0, 0, 5}, 6, 0, 64) ||
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

/* The supported VPD pages (SPC-5 §7.7.13); false (noted) when not read. */
static bool vpd_list(struct scsi *s, struct scsi_cmd *c, uint16_t *n)
{
	if (inquiry(s, c, true, SCSI_VPD_SUPPORTED_PAGES, 255) ||
	    !scsi_good(s, c, "INQUIRY VPD 00h"))
		return false;
	*n = (uint16_t)MIN(scsi_get_be(c->din + 2, 2), 255u - 4);
	return true;
}

SCSI_CASE(scsi_cdb_vpd_supported)
{
	struct scsi_cmd c;
	struct scsi s;
	uint16_t n;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (!vpd_list(&s, &c, &n))
		return conform_fail(ctx, "VPD page 00h could not be read (trace)");
	if (c.din[1] != SCSI_VPD_SUPPORTED_PAGES)
		return conform_fail(ctx, "PAGE CODE 0x%02x in the answer for page 00h", c.din[1]);
	if (n < 1 || c.din[4] != SCSI_VPD_SUPPORTED_PAGES)
		return conform_fail(ctx, "page 00h does not list itself first");
	for (uint16_t i = 1; i < n; i++)
		if (c.din[4 + i] <= c.din[4 + i - 1])
			return conform_fail(ctx, "the page list is not in ascending order at "
						 "entry %u",
					    i);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_vpd_pages)
{
	struct scsi_cmd list, c;
	struct scsi s;
	uint16_t n;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (!vpd_list(&s, &list, &n))
		return conform_fail(ctx, "VPD page 00h could not be read (trace)");
	/* SPC-5 §7.7.1: every listed page answers with its own code. */
	for (uint16_t i = 0; i < n; i++) {
		uint8_t page = list.din[4 + i];

		if (inquiry(&s, &c, true, page, 255) || !scsi_good(&s, &c, "INQUIRY VPD"))
			return conform_fail(ctx, "VPD page 0x%02x is listed but fails", page);
		if (c.din[1] != page)
			return conform_fail(ctx, "VPD page 0x%02x answers with page code 0x%02x",
					    page, c.din[1]);
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
	struct scsi_cmd list, c;
	struct scsi s;
	uint16_t n;
	int page = -1;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (!vpd_list(&s, &list, &n))
		return conform_fail(ctx, "VPD page 00h could not be read (trace)");
	/* A page of the reserved range B9h-BFh it does not list. */
	for (int p = 0xbf; p >= 0xb9 && page < 0; p--)
		if (!memchr(list.din + 4, p, n))
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
	uint8_t cdb[12] = {SCSI_OP_REPORT_LUNS};
	struct scsi_cmd c, inq;
	struct scsi s;
	uint32_t len;

	SCSI_OPEN_LUN(&s, 1, 0);
	scsi_put_be(cdb + 6, 4096, 4);
	if (scsi_do(&s, &c, cdb, sizeof(cdb), NULL, 0, NULL, 4096) ||
	    !scsi_good(&s, &c, "REPORT LUNS"))
		return conform_fail(ctx, "REPORT LUNS failed (trace)");
	len = (uint32_t)scsi_get_be(c.din, 4);
	if (len % 8)
		return conform_fail(ctx, "LUN LIST LENGTH %u is no multiple of 8", len);
	/* SPC-5 §6.33: each LUN listed is one the target serves. */
	for (uint32_t off = 8; off + 8 <= MIN(len + 8, 4096u); off += 8) {
		const uint8_t *e = c.din + off;
		uint16_t l = (uint16_t)((e[0] & 0x3f) << 8 | e[1]);

		if ((e[0] & 0xc0) > VIRTIO_SCSI_LUN_FLAT)
			continue; /* an addressing method virtio-scsi cannot carry */
		s.lun = l;
		if (inquiry(&s, &inq, false, 0, 36) || !scsi_good(&s, &inq, "INQUIRY"))
			return conform_fail(ctx, "LUN %u is listed but INQUIRY fails", l);
		if ((inq.din[0] & 0xe0) != SCSI_PQ_CONNECTED)
			return conform_fail(ctx, "LUN %u is listed with qualifier %u", l,
					    inq.din[0] >> 5);
	}
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_report_luns_short)
{
	uint8_t cdb[12] = {SCSI_OP_REPORT_LUNS};
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	/* SPC-5 §6.33: room for the header and one LUN; LUN LIST LENGTH
	 * still says how long the whole list is (at least that one). */
	scsi_put_be(cdb + 6, 16, 4);
	if (scsi_do(&s, &c, cdb, sizeof(cdb), NULL, 0, NULL, 16) ||
	    !scsi_good(&s, &c, "REPORT LUNS with ALLOCATION LENGTH 16"))
		return conform_fail(ctx, "REPORT LUNS with ALLOCATION LENGTH 16 failed (trace)");
	if (scsi_get_be(c.din, 4) < 8)
		return conform_fail(ctx, "LUN LIST LENGTH %u with a LUN on the target",
				    (unsigned)scsi_get_be(c.din, 4));
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_test_unit_ready)
{
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	/* The open took the unit attentions: the LU is ready. */
	if (scsi_do(&s, &c, (const uint8_t[6]){SCSI_OP_TEST_UNIT_READY}, 6, NULL, 0, NULL, 0))
		return conform_fail(ctx, "TEST UNIT READY got no answer");
	if (!scsi_good(&s, &c, "TEST UNIT READY"))
		return conform_fail(ctx, "TEST UNIT READY on a ready LU failed (trace)");
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_read_capacity)
{
	uint8_t cdb16[16] = {SCSI_OP_SERVICE_ACTION_IN_16, SCSI_SAI_READ_CAPACITY_16};
	struct scsi_cmd c10, c16;
	uint64_t last10, last16;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	scsi_put_be(cdb16 + 10, 32, 4);
	if (scsi_do(&s, &c10, (const uint8_t[10]){SCSI_OP_READ_CAPACITY_10}, 10, NULL, 0, NULL,
		    8) ||
	    !scsi_good(&s, &c10, "READ CAPACITY(10)"))
		return conform_fail(ctx, "READ CAPACITY(10) failed (trace)");
	if (scsi_do(&s, &c16, cdb16, sizeof(cdb16), NULL, 0, NULL, 32) ||
	    !scsi_good(&s, &c16, "READ CAPACITY(16)"))
		return conform_fail(ctx, "READ CAPACITY(16) failed (trace)");
	last10 = scsi_get_be(c10.din, 4);
	last16 = scsi_get_be(c16.din, 8);
	/* SBC-4 §5.20.2: FFFFFFFFh when the last LBA does not fit. */
	if (last10 != MIN(last16, 0xffffffffull))
		return conform_fail(ctx, "READ CAPACITY(10) says last LBA %llu, (16) %llu",
				    (unsigned long long)last10, (unsigned long long)last16);
	if (scsi_get_be(c10.din + 4, 4) != scsi_get_be(c16.din + 8, 4))
		return conform_fail(ctx, "the two READ CAPACITYs give different block lengths");
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_read_capacity_sa_bad)
{
	static const uint16_t asc[] = {SCSI_ASC_INVALID_FIELD_IN_CDB,
				       SCSI_ASC_INVALID_COMMAND_OPERATION_CODE};
	/* SERVICE ACTION IN(16) with service action 1Fh, which SBC-4 does
	 * not define. */
	uint8_t cdb[16] = {SCSI_OP_SERVICE_ACTION_IN_16, 0x1f};
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	scsi_put_be(cdb + 10, 32, 4);
	if (scsi_do(&s, &c, cdb, sizeof(cdb), NULL, 0, NULL, 32))
		return conform_fail(ctx, "SERVICE ACTION IN(16) got no answer");
	return scsi_expect_check(&s, &c, "SERVICE ACTION IN(16) / 1Fh", SCSI_SK_ILLEGAL_REQUEST,
				 asc, ARRAY_SIZE(asc));
}

SCSI_CASE(scsi_cdb_mode_sense6)
{
	uint8_t cdb[6] = {SCSI_OP_MODE_SENSE_6, 0, SCSI_MODE_PAGE_ALL, 0, 255};
	struct scsi_cmd c;
	struct scsi s;
	uint32_t got;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (scsi_do(&s, &c, cdb, sizeof(cdb), NULL, 0, NULL, 255) ||
	    !scsi_good(&s, &c, "MODE SENSE(6) of all pages"))
		return conform_fail(ctx, "MODE SENSE(6) of all pages failed (trace)");
	/* SPC-5 §7.5.5: MODE DATA LENGTH counts the bytes after itself; the
	 * block descriptors fit in them. */
	got = 255 - MIN(c.resp->resid, 255u);
	if (c.din[0] + 1u < sizeof(struct scsi_mode_header_6) ||
	    c.din[3] + sizeof(struct scsi_mode_header_6) > c.din[0] + 1u)
		return conform_fail(ctx, "MODE DATA LENGTH %u with BLOCK DESCRIPTOR LENGTH %u",
				    c.din[0], c.din[3]);
	if (c.resp->resid && got < c.din[0] + 1u)
		return conform_fail(ctx, "%u bytes transferred, MODE DATA LENGTH says %u", got,
				    c.din[0] + 1u);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_mode_sense10)
{
	uint8_t cdb[10] = {SCSI_OP_MODE_SENSE_10, 0x08 /* DBD */, SCSI_MODE_PAGE_CACHING};
	struct scsi_cmd c;
	struct scsi s;
	uint32_t len, bd;

	SCSI_OPEN_LUN(&s, 1, 0);
	scsi_put_be(cdb + 7, 512, 2);
	if (scsi_do(&s, &c, cdb, sizeof(cdb), NULL, 0, NULL, 512) ||
	    !scsi_good(&s, &c, "MODE SENSE(10) of the caching page"))
		return conform_fail(ctx, "MODE SENSE(10) of the caching page failed (trace)");
	len = (uint32_t)scsi_get_be(c.din, 2) + 2;
	bd = (uint32_t)scsi_get_be(c.din + 6, 2);
	/* SBC-4 §6.5.5: the page that was asked for follows the header and
	 * the block descriptors (DBD: none). */
	if (len < 8 + bd + 2 || 8 + bd + 2 > 512)
		return conform_fail(ctx, "MODE DATA LENGTH %u leaves no room for the page",
				    len - 2);
	if ((c.din[8 + bd] & 0x3f) != SCSI_MODE_PAGE_CACHING)
		return conform_fail(ctx, "page 0x%02x returned for the caching page (08h)",
				    c.din[8 + bd] & 0x3f);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_request_sense)
{
	uint8_t cdb[6] = {SCSI_OP_REQUEST_SENSE, 0, 0, 0, 252};
	struct scsi_cmd c;
	struct scsi s;
	uint8_t rc;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (scsi_do(&s, &c, cdb, sizeof(cdb), NULL, 0, NULL, 252) ||
	    !scsi_good(&s, &c, "REQUEST SENSE"))
		return conform_fail(ctx, "REQUEST SENSE failed (trace)");
	/* SPC-5 §6.39: sense data in the parameter data, current. */
	rc = c.din[0] & 0x7f;
	if (rc != SCSI_SENSE_FIXED_CURRENT && rc != SCSI_SENSE_DESC_CURRENT)
		return conform_fail(ctx, "RESPONSE CODE 0x%02x", rc);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_start_stop)
{
	uint8_t cdb[6] = {SCSI_OP_START_STOP_UNIT, 0, 0, 0, 0x01 /* START */};
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (scsi_do(&s, &c, cdb, sizeof(cdb), NULL, 0, NULL, 0) ||
	    !scsi_good(&s, &c, "START STOP UNIT (START)"))
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
	struct scsi_cmd c;
	struct scsi s;
	const uint8_t *p;
	uint32_t len;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (scsi_do(&s, &c, (const uint8_t[10]){0x60}, 10, NULL, 0, NULL, 0))
		return conform_fail(ctx, "opcode 60h got no answer");
	if (c.resp->response != VIRTIO_SCSI_S_OK ||
	    c.resp->status != SCSI_STATUS_CHECK_CONDITION)
		return conform_not_applicable(ctx, "opcode 60h did not end in CHECK CONDITION "
						   "(SCSI-CDB-031)");
	len = MIN(c.resp->sense_len, (uint32_t)VIRTIO_SCSI_SENSE_DEFAULT);
	p = c.resp->sense;
	if (len == 0)
		return conform_fail(ctx, "CHECK CONDITION with sense_len 0: no sense data");
	/* SPC-5 §4.4: fixed (70h/71h, ADDITIONAL SENSE LENGTH in byte 7, ASC
	 * and ASCQ up to byte 13) or descriptor format (72h/73h, 8 bytes of
	 * header), and sense_len covers what the format says is there. */
	switch (p[0] & 0x7f) {
	case SCSI_SENSE_FIXED_CURRENT:
	case SCSI_SENSE_FIXED_DEFERRED:
		if (len < 14 || p[7] < 6)
			return conform_fail(ctx, "fixed format sense of %u bytes, ADDITIONAL SENSE "
						 "LENGTH %u: no ASC/ASCQ",
					    len, len > 7 ? p[7] : 0);
		if (len < MIN(8u + p[7], (uint32_t)VIRTIO_SCSI_SENSE_DEFAULT))
			return conform_fail(ctx, "sense_len %u, the sense data says %u bytes",
					    len, 8u + p[7]);
		return CONFORM_PASS;
	case SCSI_SENSE_DESC_CURRENT:
	case SCSI_SENSE_DESC_DEFERRED:
		if (len < 8)
			return conform_fail(ctx, "descriptor format sense of %u bytes", len);
		if (len < MIN(8u + p[7], (uint32_t)VIRTIO_SCSI_SENSE_DEFAULT))
			return conform_fail(ctx, "sense_len %u, the sense data says %u bytes",
					    len, 8u + p[7]);
		return CONFORM_PASS;
	}
	return conform_fail(ctx, "RESPONSE CODE 0x%02x is no sense data format", p[0] & 0x7f);
}
