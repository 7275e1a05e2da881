/* SPDX-License-Identifier: MIT */
/* Parameter data a disk host reads besides INQUIRY: READ CAPACITY (SBC-4
 * §5.20, §5.21), REPORT LUNS (SPC-5 §6.33), mode parameter headers and
 * pages (SPC-5 §7.5); and the virtio-scsi LUN field (virtio 1.2 §5.6.6.1). */
#define LOG_COMPONENT "scsi"
#include <errno.h>
#include <string.h>

#include "scsi/scsi_host.h"
#include "spec/scsi.h"
#include "spec/virtio_scsi.h"
#include "util/common.h"
#include "util/log.h"

int scsi_host_parse_capacity_10(const void *buf, size_t len, struct scsi_host_capacity *out)
{
	const struct scsi_read_capacity_10 *c = buf;
	uint32_t last;

	if (!buf || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (len < sizeof(*c)) {
		log_warn("SBC-4 §5.20.2: READ CAPACITY(10) data of %zu bytes, 8 required", len);
		return -EPROTO;
	}
	last = scsi_get_be32(c->last_lba);
	out->block_len = scsi_get_be32(c->block_len);
	/* SBC-4 §5.20.2: FFFFFFFFh means the capacity needs READ
	 * CAPACITY(16). */
	out->need_16 = last == UINT32_MAX;
	out->num_blocks = (uint64_t)last + 1;
	if (!out->block_len) {
		log_warn("SBC-4 §5.20.2: LOGICAL BLOCK LENGTH IN BYTES is 0");
		return -EPROTO;
	}
	return 0;
}

int scsi_host_parse_capacity_16(const void *buf, size_t len, struct scsi_host_capacity *out)
{
	const struct scsi_read_capacity_16 *c = buf;
	uint64_t last;
	uint16_t lbp;

	if (!buf || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (len < sizeof(*c)) {
		log_warn("SBC-4 §5.21.2: READ CAPACITY(16) data of %zu bytes, 32 required", len);
		return -EPROTO;
	}
	last = scsi_get_be64(c->last_lba);
	out->block_len = scsi_get_be32(c->block_len);
	if (last == UINT64_MAX || !out->block_len) {
		log_warn("SBC-4 §5.21.2: RETURNED LOGICAL BLOCK ADDRESS %#llx with block length %u",
			 (unsigned long long)last, out->block_len);
		return -EPROTO;
	}
	lbp = scsi_get_be16(c->lbp_align);
	out->num_blocks = last + 1;
	out->prot_en = c->prot & 1;
	out->p_type = (c->prot >> 1) & 0x7;
	out->lbppbe = c->exponents & 0xf;
	out->lbpme = lbp & 0x8000;
	out->lbprz = lbp & 0x4000;
	out->lowest_aligned_lba = lbp & 0x3fff;
	return 0;
}

int scsi_host_parse_report_luns(const void *buf, size_t len, uint64_t *luns, size_t max, size_t *n,
				size_t *total)
{
	const struct scsi_report_luns_header *h = buf;
	const uint8_t *p = buf;
	uint32_t list;
	size_t have;

	if (!buf || !n || !total || (max && !luns))
		return -EINVAL;
	*n = *total = 0;
	if (len < sizeof(*h)) {
		log_warn("SPC-5 §6.33.2: REPORT LUNS data of %zu bytes, header is 8", len);
		return -EPROTO;
	}
	list = scsi_get_be32(h->lun_list_length);
	/* SPC-5 §6.33.2: LUN LIST LENGTH is "the length in bytes of the LUN
	 * list", 8 bytes a LUN. */
	if (list % 8) {
		log_warn("SPC-5 §6.33.2: LUN LIST LENGTH %u is not a multiple of 8", list);
		return -EPROTO;
	}
	have = MIN((size_t)list, (len - sizeof(*h)) / 8 * 8) / 8;
	*total = list / 8;
	*n = MIN(have, max);
	for (size_t i = 0; i < *n; i++)
		luns[i] = scsi_get_be64(p + sizeof(*h) + 8 * i);
	return 0;
}

int scsi_host_lun_decode(uint64_t lun, uint16_t *number)
{
	uint8_t method = (uint8_t)(lun >> 62);

	if (!number)
		return -EINVAL;
	/* SAM-5 §4.7.3: a single level LUN has its second to fourth levels
	 * zero. */
	if (lun & 0x0000ffffffffffffull)
		goto bad;
	if (method == 0) {
		/* §4.7.7 peripheral device addressing: BUS IDENTIFIER 0 */
		if ((lun >> 56) & 0x3f)
			goto bad;
		*number = (uint16_t)((lun >> 48) & 0xff);
		return 0;
	}
	if (method == 1) {
		/* §4.7.8 flat space addressing */
		*number = (uint16_t)((lun >> 48) & 0x3fff);
		return 0;
	}
bad:
	log_warn("SAM-5 §4.7: LUN %016llx is not a single level peripheral or flat LUN",
		 (unsigned long long)lun);
	return -EPROTO;
}

/* SPC-5 §7.5.5: MODE DATA LENGTH counts the bytes after itself; the block
 * descriptors must fit inside it, and the pages are what follows them. */
static int mode_header_finish(size_t len, size_t hdr_len, size_t mdl_field,
			      struct scsi_host_mode_header *out)
{
	size_t total = mdl_field + out->mode_data_length;

	if (total < hdr_len || out->block_desc_len > total - hdr_len) {
		log_warn("SPC-5 §7.5.5: MODE DATA LENGTH %u cannot hold a %zu-byte header and %u "
			 "bytes of block descriptors",
			 out->mode_data_length, hdr_len, out->block_desc_len);
		return -EPROTO;
	}
	out->pages_off = hdr_len + out->block_desc_len;
	out->pages_len = MIN(total, len) > out->pages_off ? MIN(total, len) - out->pages_off : 0;
	return 0;
}

int scsi_host_parse_mode_header_6(const void *buf, size_t len, struct scsi_host_mode_header *out)
{
	const struct scsi_mode_header_6 *h = buf;

	if (!buf || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (len < sizeof(*h)) {
		log_warn("SPC-5 §7.5.5: MODE SENSE(6) data of %zu bytes, header is 4", len);
		return -EPROTO;
	}
	out->mode_data_length = h->mode_data_length;
	out->medium_type = h->medium_type;
	out->wp = h->device_specific & SCSI_MODE_WP;
	out->dpofua = h->device_specific & SCSI_MODE_DPOFUA;
	out->block_desc_len = h->block_desc_length;
	return mode_header_finish(len, sizeof(*h), 1, out);
}

int scsi_host_parse_mode_header_10(const void *buf, size_t len, struct scsi_host_mode_header *out)
{
	const struct scsi_mode_header_10 *h = buf;

	if (!buf || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (len < sizeof(*h)) {
		log_warn("SPC-5 §7.5.5: MODE SENSE(10) data of %zu bytes, header is 8", len);
		return -EPROTO;
	}
	out->mode_data_length = scsi_get_be16(h->mode_data_length);
	out->medium_type = h->medium_type;
	out->wp = h->device_specific & SCSI_MODE_WP;
	out->dpofua = h->device_specific & SCSI_MODE_DPOFUA;
	out->longlba = h->longlba & 1;
	out->block_desc_len = scsi_get_be16(h->block_desc_length);
	return mode_header_finish(len, sizeof(*h), 2, out);
}

int scsi_host_mode_page_find(const void *buf, const struct scsi_host_mode_header *hdr, uint8_t page,
			     uint8_t subpage, const uint8_t **pg, size_t *pg_len)
{
	const uint8_t *p;
	size_t off = 0;

	if (!buf || !hdr || !pg || !pg_len)
		return -EINVAL;
	p = (const uint8_t *)buf + hdr->pages_off;
	while (off + 2 <= hdr->pages_len) {
		/* SPC-5 §7.5.7: SPF (bit 6) selects the sub_page format, whose
		 * PAGE LENGTH is 16 bits at bytes 2..3. */
		bool spf = p[off] & 0x40;
		size_t head = spf ? 4 : 2, plen;

		if (off + head > hdr->pages_len)
			break;
		plen = head + (spf ? scsi_get_be16(p + off + 2) : p[off + 1]);
		if (plen > hdr->pages_len - off) {
			log_warn("SPC-5 §7.5.7: mode page %02xh at byte %zu runs past the mode "
				 "data",
				 p[off] & 0x3f, hdr->pages_off + off);
			return -EPROTO;
		}
		if ((p[off] & 0x3f) == page && (spf ? p[off + 1] : 0) == subpage) {
			*pg = p + off;
			*pg_len = plen;
			return 0;
		}
		off += plen;
	}
	return -ENOENT;
}

int scsi_host_virtio_lun_encode(uint8_t lun_field[8], uint8_t target, uint16_t lun)
{
	if (lun > VIRTIO_SCSI_LUN_MAX)
		return -EINVAL;
	memset(lun_field, 0, 8);
	lun_field[0] = VIRTIO_SCSI_LUN_FIRST;
	lun_field[1] = target;
	/* virtio 1.2 §5.6.6.1 / SAM-5 §4.7: peripheral form below 256, flat
	 * form above. */
	if (lun < 256) {
		lun_field[3] = (uint8_t)lun;
	} else {
		lun_field[2] = (uint8_t)(VIRTIO_SCSI_LUN_FLAT | lun >> 8);
		lun_field[3] = (uint8_t)lun;
	}
	return 0;
}

int scsi_host_virtio_lun_decode(const uint8_t lun_field[8], uint8_t *target, uint16_t *lun)
{
	static const uint8_t zero[4];
	uint64_t single;

	if (!lun_field || !target || !lun)
		return -EINVAL;
	/* virtio 1.2 §5.6.6.1: "first byte set to 1, second byte set to
	 * target, third and fourth byte representing a single level LUN
	 * structure, followed by four zero bytes". */
	if (lun_field[0] != VIRTIO_SCSI_LUN_FIRST || memcmp(lun_field + 4, zero, 4)) {
		log_warn("virtio 1.2 §5.6.6.1: LUN field %02x%02x%02x%02x%02x%02x%02x%02x is not "
			 "1, target, single level LUN, 4 zero bytes",
			 lun_field[0], lun_field[1], lun_field[2], lun_field[3], lun_field[4],
			 lun_field[5], lun_field[6], lun_field[7]);
		return -EPROTO;
	}
	*target = lun_field[1];
	single = (uint64_t)scsi_get_be16(lun_field + 2) << 48;
	return scsi_host_lun_decode(single, lun);
}
