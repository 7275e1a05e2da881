/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes every parser of lib/scsi/scsi_host*.c with what a hostile device
 * could answer. Besides not crashing or reading outside the input (the
 * input is copied to a buffer of exactly its size, so ASan sees any
 * overrun), an accepted answer must keep the parser's promises: mode
 * pages inside the data, no more LUNs than asked for, NUL-terminated
 * strings, a capacity that is not 0.
 *
 * Input: [parser selector][argument byte][answer bytes]
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "scsi/scsi_host.h"

enum fuzz_parser {
	FUZZ_SENSE,
	FUZZ_INQUIRY,
	FUZZ_VPD,
	FUZZ_VPD_PAGES,
	FUZZ_VPD_SERIAL,
	FUZZ_VPD_IDS,
	FUZZ_VPD_BLOCK_LIMITS,
	FUZZ_VPD_BLOCK_CHARS,
	FUZZ_VPD_LBP,
	FUZZ_CAPACITY_10,
	FUZZ_CAPACITY_16,
	FUZZ_REPORT_LUNS,
	FUZZ_MODE_6,
	FUZZ_MODE_10,
	FUZZ_VIRTIO_LUN,
	FUZZ_PARSERS,
};

static void check_string(const char *s, size_t size)
{
	if (!memchr(s, 0, size))
		abort();
}

static void fuzz_ids(const uint8_t *p, size_t len)
{
	struct scsi_host_vpd_ids ids;
	char buf[96];

	if (scsi_host_parse_vpd_ids(p, len, &ids))
		return;
	if (ids.n > SCSI_HOST_DESIGNATORS_MAX || ids.n > ids.n_total)
		abort();
	for (unsigned i = 0; i < ids.n; i++) {
		check_string(scsi_host_designator_format(&ids.d[i], buf, sizeof(buf)), sizeof(buf));
		check_string(scsi_host_designator_format(&ids.d[i], buf, 5), 5);
	}
}

static void fuzz_mode(const uint8_t *p, size_t len, bool ten, uint8_t arg)
{
	struct scsi_host_mode_header h;
	const uint8_t *pg;
	size_t pg_len;

	if ((ten ? scsi_host_parse_mode_header_10 : scsi_host_parse_mode_header_6)(p, len, &h))
		return;
	if (h.pages_len && h.pages_off + h.pages_len > len)
		abort();
	if (scsi_host_mode_page_find(p, &h, arg & 0x3f, arg & 0x40 ? 1 : 0, &pg, &pg_len) == 0 &&
	    (pg < p || pg + pg_len > p + len))
		abort();
}

static void fuzz_one(enum fuzz_parser which, uint8_t arg, const uint8_t *p, size_t len)
{
	union {
		struct scsi_host_sense sense;
		struct scsi_host_inquiry inq;
		struct scsi_host_vpd_pages pages;
		struct scsi_host_vpd_serial sn;
		struct scsi_host_vpd_block_limits bl;
		struct scsi_host_vpd_block_chars bc;
		struct scsi_host_vpd_lbp lbp;
		struct scsi_host_capacity cap;
	} u;
	const uint8_t *payload;
	uint64_t luns[16];
	size_t n, total;
	uint16_t lun;
	uint8_t target;

	switch (which) {
	case FUZZ_SENSE:
		if (!scsi_host_parse_sense(p, len, &u.sense) && u.sense.key > 0xf)
			abort();
		break;
	case FUZZ_INQUIRY:
		if (!scsi_host_parse_inquiry(p, len, &u.inq)) {
			check_string(u.inq.vendor, sizeof(u.inq.vendor));
			check_string(u.inq.product, sizeof(u.inq.product));
			check_string(u.inq.revision, sizeof(u.inq.revision));
		}
		break;
	case FUZZ_VPD:
		if (!scsi_host_parse_vpd(p, len, arg, &payload, &n) &&
		    (payload < p || payload + n > p + len))
			abort();
		break;
	case FUZZ_VPD_PAGES:
		if (!scsi_host_parse_vpd_pages(p, len, &u.pages) && u.pages.n > 256)
			abort();
		break;
	case FUZZ_VPD_SERIAL:
		if (!scsi_host_parse_vpd_serial(p, len, &u.sn))
			check_string(u.sn.serial, sizeof(u.sn.serial));
		break;
	case FUZZ_VPD_IDS:
		fuzz_ids(p, len);
		break;
	case FUZZ_VPD_BLOCK_LIMITS:
		scsi_host_parse_vpd_block_limits(p, len, &u.bl);
		break;
	case FUZZ_VPD_BLOCK_CHARS:
		scsi_host_parse_vpd_block_chars(p, len, &u.bc);
		break;
	case FUZZ_VPD_LBP:
		scsi_host_parse_vpd_lbp(p, len, &u.lbp);
		break;
	case FUZZ_CAPACITY_10:
	case FUZZ_CAPACITY_16:
		if (!(which == FUZZ_CAPACITY_10 ? scsi_host_parse_capacity_10
						: scsi_host_parse_capacity_16)(p, len, &u.cap) &&
		    (!u.cap.num_blocks || !u.cap.block_len))
			abort();
		break;
	case FUZZ_REPORT_LUNS:
		if (scsi_host_parse_report_luns(p, len, luns, arg % 17, &n, &total))
			break;
		if (n > arg % 17 || n > total || n > len / 8)
			abort();
		for (size_t i = 0; i < n; i++) {
			if (!scsi_host_lun_decode(luns[i], &lun) && lun > 16383)
				abort();
		}
		break;
	case FUZZ_MODE_6:
	case FUZZ_MODE_10:
		fuzz_mode(p, len, which == FUZZ_MODE_10, arg);
		break;
	case FUZZ_VIRTIO_LUN:
		if (len >= 8 && !scsi_host_virtio_lun_decode(p, &target, &lun)) {
			uint8_t again[8], target2;
			uint16_t lun2;

			/* What decodes encodes to a field that names the same LU.
			 * Not always to the same bytes: a LUN below 256 may come
			 * in the flat form (SAM-5 §4.7), which the encoder writes
			 * in the peripheral one. */
			if (scsi_host_virtio_lun_encode(again, target, lun) ||
			    scsi_host_virtio_lun_decode(again, &target2, &lun2) || target2 != target ||
			    lun2 != lun)
				abort();
		}
		break;
	case FUZZ_PARSERS:
		break;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (size < 2)
		return 0;
	copy = malloc(size - 2 ? size - 2 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 2, size - 2);
	fuzz_one((enum fuzz_parser)(data[0] % FUZZ_PARSERS), data[1], copy, size - 2);
	free(copy);
	return 0;
}
