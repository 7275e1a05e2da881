/* SPDX-License-Identifier: MIT */
/* Sense data as a device returns it: fixed format (SPC-5 §4.4.3) and
 * descriptor format (SPC-5 §4.4.2), down to key / ASC / ASCQ and the
 * INFORMATION field. */
#define LOG_COMPONENT "scsi"
#include <errno.h>
#include <string.h>

#include "scsi/scsi_host.h"
#include "spec/scsi.h"
#include "util/common.h"
#include "util/log.h"

/* Fixed format: ASC is byte 12 and ASCQ byte 13, so the data must reach
 * byte 13 both in what arrived and in what ADDITIONAL SENSE LENGTH says
 * (SPC-5 §4.4.3: "n - 7"). */
#define FIXED_MIN_LEN 14

static int sense_parse_fixed(const uint8_t *p, size_t len, struct scsi_host_sense *out)
{
	const struct scsi_sense_fixed *f = (const void *)p;

	if (len < FIXED_MIN_LEN || 8u + f->additional_length < FIXED_MIN_LEN) {
		log_warn("SPC-5 §4.4.3: fixed format sense of %zu bytes (additional length %u) "
			 "ends before ASC/ASCQ",
			 len, len >= 8 ? f->additional_length : 0u);
		return -EPROTO;
	}
	out->format = SCSI_HOST_SENSE_FIXED;
	out->key = f->key & 0xf;
	out->asc = f->asc;
	out->ascq = f->ascq;
	out->info_valid = f->response_code & SCSI_SENSE_VALID;
	out->information = scsi_get_be32(f->information);
	return 0;
}

/* SPC-5 §4.4.2.2: the information descriptor is 12 bytes, ADDITIONAL
 * LENGTH 0Ah. */
static int sense_desc_information(const uint8_t *d, struct scsi_host_sense *out)
{
	const struct scsi_sense_desc_information *info = (const void *)d;

	if (info->additional_length != sizeof(*info) - 2) {
		log_warn("SPC-5 §4.4.2.2: information descriptor with additional length %u, not 10",
			 info->additional_length);
		return -EPROTO;
	}
	out->info_valid = info->valid & 0x80;
	out->information = scsi_get_be64(info->information);
	return 0;
}

static int sense_parse_desc(const uint8_t *p, size_t len, struct scsi_host_sense *out)
{
	const struct scsi_sense_desc *h = (const void *)p;
	size_t claimed, avail, off;

	if (len < sizeof(*h)) {
		log_warn("SPC-5 §4.4.2: descriptor format sense of %zu bytes, header is 8", len);
		return -EPROTO;
	}
	out->format = SCSI_HOST_SENSE_DESCRIPTOR;
	out->key = h->key & 0xf;
	out->asc = h->asc;
	out->ascq = h->ascq;
	out->info_valid = false;
	out->information = 0;
	claimed = sizeof(*h) + h->additional_length;
	avail = MIN(len, claimed);
	/* Walk the descriptors the device claims; one cut by a short buffer
	 * (§4.4.1 truncation) ends the walk, one that runs past what the
	 * device itself claims is malformed. */
	for (off = sizeof(*h); off + 2 <= avail;) {
		size_t dlen = 2u + p[off + 1];

		if (off + dlen > claimed) {
			log_warn("SPC-5 §4.4.2: sense descriptor %02xh at byte %zu runs past the "
				 "additional sense length",
				 p[off], off);
			return -EPROTO;
		}
		if (off + dlen > avail)
			break;
		if (p[off] == SCSI_SENSE_DESC_INFORMATION && sense_desc_information(p + off, out))
			return -EPROTO;
		off += dlen;
	}
	if (off + 1 == avail && avail == claimed) {
		log_warn("SPC-5 §4.4.2: one byte after the last sense descriptor");
		return -EPROTO;
	}
	return 0;
}

int scsi_host_parse_sense(const void *buf, size_t len, struct scsi_host_sense *out)
{
	const uint8_t *p = buf;

	if (!buf || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (len < 1) {
		log_warn("SPC-5 §4.4.1: empty sense data");
		return -EPROTO;
	}
	switch (p[0] & 0x7f) {
	case SCSI_SENSE_FIXED_CURRENT:
	case SCSI_SENSE_FIXED_DEFERRED:
		out->deferred = (p[0] & 0x7f) == SCSI_SENSE_FIXED_DEFERRED;
		return sense_parse_fixed(p, len, out);
	case SCSI_SENSE_DESC_CURRENT:
	case SCSI_SENSE_DESC_DEFERRED:
		/* SPC-5 §4.4.2: byte 0 bit 7 is reserved in descriptor format. */
		if (p[0] & 0x80) {
			log_warn("SPC-5 §4.4.2: reserved bit 7 set in response code %02xh", p[0]);
			return -EPROTO;
		}
		out->deferred = p[0] == SCSI_SENSE_DESC_DEFERRED;
		return sense_parse_desc(p, len, out);
	default:
		log_warn("SPC-5 §4.4.1 table 27: sense response code %02xh is neither fixed "
			 "(70h/71h) nor descriptor (72h/73h)",
			 p[0] & 0x7f);
		return -EPROTO;
	}
}
