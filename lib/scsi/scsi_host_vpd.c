/* SPDX-License-Identifier: MIT */
/* INQUIRY answers: standard data (SPC-5 §6.7.2) and the VPD pages a disk
 * host reads (SPC-5 §7.7, SBC-4 §6.6). */
#define LOG_COMPONENT "scsi"
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "scsi/scsi_host.h"
#include "spec/scsi.h"
#include "util/common.h"
#include "util/log.h"

/* SPC-5 §4.3.1: ASCII data fields hold graphic codes 20h..7Eh, padded
 * with spaces at the end. Copies src trimmed into dst (dst_len > n). */
static int ascii_field(const char *what, const uint8_t *src, size_t n, char *dst)
{
	size_t end = n;

	for (size_t i = 0; i < n; i++) {
		if (src[i] < 0x20 || src[i] > 0x7e) {
			log_warn("SPC-5 §4.3.1: %s byte %zu is %02xh, not ASCII 20h..7Eh", what, i,
				 src[i]);
			return -EPROTO;
		}
	}
	while (end && src[end - 1] == ' ')
		end--;
	memcpy(dst, src, end);
	dst[end] = 0;
	return 0;
}

int scsi_host_parse_inquiry(const void *buf, size_t len, struct scsi_host_inquiry *out)
{
	const struct scsi_inquiry_std *q = buf;

	if (!buf || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	/* SPC-5 §6.7.2: ADDITIONAL LENGTH is n - 4, and the standard data is
	 * at least 36 bytes. */
	if (len < sizeof(*q) || q->additional_length < sizeof(*q) - 5) {
		log_warn("SPC-5 §6.7.2: standard INQUIRY data of %zu bytes (additional length "
			 "%u), 36 required",
			 len, len > 4 ? q->additional_length : 0u);
		return -EPROTO;
	}
	/* SPC-5 §6.7.2: "The RESPONSE DATA FORMAT field shall be set to 2h". */
	if ((q->flags3 & 0xf) != SCSI_INQ_RESPONSE_DATA_FORMAT) {
		log_warn("SPC-5 §6.7.2: RESPONSE DATA FORMAT %u, not 2", q->flags3 & 0xf);
		return -EPROTO;
	}
	out->qualifier = q->peripheral >> 5;
	out->device_type = q->peripheral & 0x1f;
	out->rmb = q->rmb & 0x80;
	out->version = q->version;
	out->hisup = q->flags3 & SCSI_INQ_HISUP;
	out->cmdque = q->flags7 & SCSI_INQ_CMDQUE;
	out->protect = q->flags5 & 0x01;
	if (ascii_field("T10 VENDOR IDENTIFICATION", (const uint8_t *)q->vendor, sizeof(q->vendor),
			out->vendor) ||
	    ascii_field("PRODUCT IDENTIFICATION", (const uint8_t *)q->product, sizeof(q->product),
			out->product) ||
	    ascii_field("PRODUCT REVISION LEVEL", (const uint8_t *)q->revision, sizeof(q->revision),
			out->revision))
		return -EPROTO;
	return 0;
}

int scsi_host_parse_vpd(const void *buf, size_t len, uint8_t page, const uint8_t **payload,
			size_t *payload_len)
{
	const struct scsi_vpd_header *h = buf;
	size_t plen;

	if (!buf || !payload || !payload_len)
		return -EINVAL;
	if (len < sizeof(*h)) {
		log_warn("SPC-5 §7.7.1: VPD page %02xh of %zu bytes, shorter than its header", page,
			 len);
		return -EPROTO;
	}
	if (h->page_code != page) {
		log_warn("SPC-5 §7.7.1: asked for VPD page %02xh, got page code %02xh", page,
			 h->page_code);
		return -EPROTO;
	}
	plen = scsi_get_be16(h->page_length);
	if (plen > len - sizeof(*h)) {
		log_warn("SPC-5 §7.7.1: VPD page %02xh claims %zu bytes, %zu arrived", page, plen,
			 len - sizeof(*h));
		return -EPROTO;
	}
	*payload = (const uint8_t *)buf + sizeof(*h);
	*payload_len = plen;
	return 0;
}

/* The start of every page parser: out cleared, the page's payload. */
static int vpd_start(const void *buf, size_t len, uint8_t page, void *out, size_t out_size,
		     const uint8_t **p, size_t *n)
{
	if (!buf || !out)
		return -EINVAL;
	memset(out, 0, out_size);
	return scsi_host_parse_vpd(buf, len, page, p, n);
}

int scsi_host_parse_vpd_pages(const void *buf, size_t len, struct scsi_host_vpd_pages *out)
{
	const uint8_t *p;
	size_t n;
	int rc;

	rc = vpd_start(buf, len, SCSI_VPD_SUPPORTED_PAGES, out, sizeof(*out), &p, &n);
	if (rc)
		return rc;
	/* SPC-5 §7.7.16: the list is "in ascending order beginning with page
	 * code 00h"; so no code appears twice and at most 256 do. */
	if (!n || p[0] != SCSI_VPD_SUPPORTED_PAGES) {
		log_warn("SPC-5 §7.7.16: supported VPD page list does not begin with 00h");
		return -EPROTO;
	}
	for (size_t i = 0; i < n; i++) {
		if (i && p[i] <= p[i - 1]) {
			log_warn(
			    "SPC-5 §7.7.16: supported VPD page %02xh after %02xh, not ascending",
			    p[i], p[i - 1]);
			return -EPROTO;
		}
		out->page[out->n++] = p[i];
	}
	return 0;
}

bool scsi_host_vpd_pages_has(const struct scsi_host_vpd_pages *pages, uint8_t page)
{
	for (unsigned i = 0; i < pages->n; i++) {
		if (pages->page[i] == page)
			return true;
	}
	return false;
}

int scsi_host_parse_vpd_serial(const void *buf, size_t len, struct scsi_host_vpd_serial *out)
{
	const uint8_t *p;
	size_t n;
	int rc;

	rc = vpd_start(buf, len, SCSI_VPD_UNIT_SERIAL_NUMBER, out, sizeof(*out), &p, &n);
	if (rc)
		return rc;
	/* PAGE LENGTH is 16 bits, the serial buffer 255 characters: a longer
	 * one is kept to its first 255. */
	return ascii_field("PRODUCT SERIAL NUMBER", p, MIN(n, sizeof(out->serial) - 1),
			   out->serial);
}

/* SPC-5 §7.7.6.6.1: the NAA field (bits 7..4 of the first byte) gives the
 * designator's length: 2, 3, 5 -> 8 bytes, 6 -> 16 bytes. */
static int designator_check_naa(const struct scsi_host_designator *d)
{
	uint8_t naa = d->len ? d->id[0] >> 4 : 0;
	size_t want = naa == 6 ? 16 : (naa == 2 || naa == 3 || naa == 5) ? 8 : 0;

	if (!want || d->len != want) {
		log_warn("SPC-5 §7.7.6.6.1: NAA designator of %u bytes with NAA %u", d->len, naa);
		return -EPROTO;
	}
	return 0;
}

static int designator_check(const struct scsi_host_designator *d)
{
	/* SPC-5 §7.7.6.1: an ASCII designator holds ASCII graphic codes
	 * (§4.3.1); a UTF-8 one (SCSI name strings) is NUL padded, not
	 * checked here. */
	if (d->code_set == SCSI_CODE_SET_ASCII) {
		for (unsigned i = 0; i < d->len; i++) {
			if (d->id[i] < 0x20 || d->id[i] > 0x7e) {
				log_warn("SPC-5 §7.7.6.1: ASCII designator byte %u is %02xh", i,
					 d->id[i]);
				return -EPROTO;
			}
		}
	}
	if (d->type == SCSI_DESIGNATOR_NAA)
		return designator_check_naa(d);
	/* SPC-5 §7.7.6.5: an EUI-64 designator is 8, 12 or 16 bytes. */
	if (d->type == SCSI_DESIGNATOR_EUI64 && d->len != 8 && d->len != 12 && d->len != 16) {
		log_warn("SPC-5 §7.7.6.5: EUI-64 designator of %u bytes", d->len);
		return -EPROTO;
	}
	return 0;
}

int scsi_host_parse_vpd_ids(const void *buf, size_t len, struct scsi_host_vpd_ids *out)
{
	const uint8_t *p;
	size_t n, off;
	int rc;

	rc = vpd_start(buf, len, SCSI_VPD_DEVICE_IDENTIFICATION, out, sizeof(*out), &p, &n);
	if (rc)
		return rc;
	for (off = 0; off < n;) {
		const struct scsi_vpd_designator *h = (const void *)(p + off);
		struct scsi_host_designator d;

		if (n - off < sizeof(*h) || h->length > n - off - sizeof(*h)) {
			log_warn("SPC-5 §7.7.6.1: designator at byte %zu of page 83h runs past its "
				 "PAGE LENGTH %zu",
				 off, n);
			return -EPROTO;
		}
		d = (struct scsi_host_designator){
		    .code_set = h->code_set & 0xf,
		    .protocol = h->code_set >> 4,
		    .type = h->type & 0xf,
		    .association = h->type & 0x30,
		    .piv = h->type & 0x80,
		    .len = h->length,
		};
		memcpy(d.id, h + 1, h->length);
		if (designator_check(&d))
			return -EPROTO;
		if (out->n < SCSI_HOST_DESIGNATORS_MAX)
			out->d[out->n++] = d;
		out->n_total++;
		off += sizeof(*h) + h->length;
	}
	return 0;
}

const char *scsi_host_designator_format(const struct scsi_host_designator *d, char *out,
					size_t out_len)
{
	static const char *const prefix[16] = {
	    [SCSI_DESIGNATOR_T10_VENDOR] = "t10",
	    [SCSI_DESIGNATOR_EUI64] = "eui",
	    [SCSI_DESIGNATOR_NAA] = "naa",
	    [SCSI_DESIGNATOR_SCSI_NAME] = "name",
	};
	bool text = d->code_set == SCSI_CODE_SET_ASCII || d->code_set == SCSI_CODE_SET_UTF8;
	size_t used;
	int w;

	if (!out_len)
		return out;
	if (prefix[d->type & 0xf])
		w = snprintf(out, out_len, "%s.", prefix[d->type & 0xf]);
	else
		w = snprintf(out, out_len, "type%u.", d->type & 0xf);
	used = MIN((size_t)w, out_len - 1);
	for (unsigned i = 0; i < d->len && used + 1 < out_len; i++) {
		if (text) {
			if (!d->id[i])
				break;
			out[used++] = (char)(d->id[i] >= 0x20 && d->id[i] <= 0x7e ? d->id[i] : '?');
		} else {
			if (used + 2 >= out_len)
				break;
			snprintf(out + used, 3, "%02x", d->id[i]);
			used += 2;
		}
	}
	out[used] = 0;
	return out;
}

/* SBC-4 §6.6.4, §6.6.2: pages B0h and B1h have PAGE LENGTH 003Ch. */
static int vpd_fixed(const void *buf, size_t len, uint8_t page, void *out, size_t out_size)
{
	const uint8_t *p;
	size_t n;
	int rc = vpd_start(buf, len, page, out, out_size, &p, &n);

	if (rc)
		return rc;
	if (n != 0x3c) {
		log_warn("SBC-4 §6.6: VPD page %02xh with PAGE LENGTH %zu, not 60", page, n);
		return -EPROTO;
	}
	return 0;
}

int scsi_host_parse_vpd_block_limits(const void *buf, size_t len,
				     struct scsi_host_vpd_block_limits *out)
{
	const struct scsi_vpd_block_limits *b = buf;
	uint32_t align;
	int rc = vpd_fixed(buf, len, SCSI_VPD_BLOCK_LIMITS, out, sizeof(*out));

	if (rc)
		return rc;
	align = scsi_get_be32(b->unmap_gran_align);
	out->wsnz = b->wsnz & 1;
	out->max_compare_write_len = b->max_compare_write_len;
	out->opt_transfer_len_gran = scsi_get_be16(b->opt_transfer_len_gran);
	out->max_transfer_len = scsi_get_be32(b->max_transfer_len);
	out->opt_transfer_len = scsi_get_be32(b->opt_transfer_len);
	out->max_prefetch_len = scsi_get_be32(b->max_prefetch_len);
	out->max_unmap_lba_count = scsi_get_be32(b->max_unmap_lba_count);
	out->max_unmap_block_desc_count = scsi_get_be32(b->max_unmap_block_desc_count);
	out->opt_unmap_gran = scsi_get_be32(b->opt_unmap_gran);
	out->ugavalid = align >> 31;
	out->unmap_gran_align = align & 0x7fffffffu;
	out->max_write_same_len = scsi_get_be64(b->max_write_same_len);
	return 0;
}

int scsi_host_parse_vpd_block_chars(const void *buf, size_t len,
				    struct scsi_host_vpd_block_chars *out)
{
	const struct scsi_vpd_block_characteristics *b = buf;
	int rc = vpd_fixed(buf, len, SCSI_VPD_BLOCK_DEVICE_CHARACTERISTICS, out, sizeof(*out));

	if (rc)
		return rc;
	out->rotation_rate = scsi_get_be16(b->rotation_rate);
	out->product_type = b->product_type;
	out->form_factor = b->form_factor & 0xf;
	out->zoned = (b->zoned >> 4) & 0x3;
	return 0;
}

int scsi_host_parse_vpd_lbp(const void *buf, size_t len, struct scsi_host_vpd_lbp *out)
{
	const struct scsi_vpd_lbp *l = buf;
	const uint8_t *p;
	size_t n;
	int rc =
	    vpd_start(buf, len, SCSI_VPD_LOGICAL_BLOCK_PROVISIONING, out, sizeof(*out), &p, &n);

	if (rc)
		return rc;
	/* SBC-4 §6.6.6: PAGE LENGTH is 4 plus the provisioning group
	 * descriptor's length when DP is set. */
	if (n < sizeof(*l) - sizeof(l->hdr)) {
		log_warn("SBC-4 §6.6.6: logical block provisioning page with PAGE LENGTH %zu, "
			 "at least 4",
			 n);
		return -EPROTO;
	}
	out->threshold_exponent = l->threshold_exponent;
	out->lbpu = l->flags5 & SCSI_LBP_LBPU;
	out->lbpws = l->flags5 & SCSI_LBP_LBPWS;
	out->lbpws10 = l->flags5 & SCSI_LBP_LBPWS10;
	out->lbprz = (l->flags5 >> 2) & 0x7;
	out->anc_sup = l->flags5 & 0x02;
	out->dp = l->flags5 & 0x01;
	out->provisioning_type = l->provisioning_type & 0x7;
	if (out->dp && n == sizeof(*l) - sizeof(l->hdr)) {
		log_warn("SBC-4 §6.6.6: DP set but no provisioning group descriptor follows");
		return -EPROTO;
	}
	return 0;
}
