/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_SCSI_SCSI_HOST_H
#define STORLAB_SCSI_SCSI_HOST_H

/*
 * The host (initiator) side of SCSI: CDBs a host sends to a disk, and
 * parsers of what the disk answers (T10 SPC-5, SBC-4, SAM-5), plus the
 * virtio-scsi LUN field (virtio 1.2 §5.6.6.1). Pure functions over caller
 * buffers: no allocation, no I/O, thread safe.
 *
 * Builders write a CDB into `cdb` (SCSI_HOST_CDB_MAX bytes) and return its
 * length, or -EINVAL when an argument does not fit the CDB's fields; the
 * rest of the buffer is zeroed so a transport can send SCSI_HOST_CDB_MAX
 * bytes as they are.
 *
 * Parsers read `len` bytes a device wrote (what arrived, after the
 * residual) and fill a host-order struct. A device is not trusted: every
 * length field is checked against `len` and against the layout the
 * standard gives, and anything malformed returns -EPROTO with a warning
 * citing the section it breaks; nothing is read outside [buf, buf + len).
 * A NULL out pointer or buffer is -EINVAL. The out struct is undefined
 * after an error.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "spec/scsi.h"

#define SCSI_HOST_CDB_MAX 16

/* ---- CDB builders (SPC-5 §6, SBC-4 §5) ---- */

/* INQUIRY (SPC-5 §6.7): standard data when !evpd (page must be 0), else the
 * VPD page `page`. 6 bytes. */
int scsi_host_cdb_inquiry(uint8_t *cdb, bool evpd, uint8_t page, uint16_t alloc_len);
/* REPORT LUNS (SPC-5 §6.33), select = SCSI_REPORT_LUNS_*; alloc_len must be
 * at least 16 (§6.33: a smaller one may be refused). 12 bytes. */
int scsi_host_cdb_report_luns(uint8_t *cdb, uint8_t select, uint32_t alloc_len);
/* TEST UNIT READY (SPC-5 §6.47). 6 bytes. */
int scsi_host_cdb_test_unit_ready(uint8_t *cdb);
/* REQUEST SENSE (SPC-5 §6.39): desc asks for descriptor format. 6 bytes. */
int scsi_host_cdb_request_sense(uint8_t *cdb, bool desc, uint8_t alloc_len);
/* READ CAPACITY(10) (SBC-4 §5.20). 10 bytes. */
int scsi_host_cdb_read_capacity_10(uint8_t *cdb);
/* READ CAPACITY(16) (SBC-4 §5.21), a SERVICE ACTION IN(16). 16 bytes. */
int scsi_host_cdb_read_capacity_16(uint8_t *cdb, uint32_t alloc_len);
/* READ/WRITE(10) (SBC-4 §5.16, §5.41): lba < 2^32, nblocks < 2^16 (0 is a
 * valid transfer of no blocks). 10 bytes. */
int scsi_host_cdb_read_10(uint8_t *cdb, uint64_t lba, uint32_t nblocks, bool fua);
int scsi_host_cdb_write_10(uint8_t *cdb, uint64_t lba, uint32_t nblocks, bool fua);
/* READ/WRITE(16) (SBC-4 §5.18, §5.43). 16 bytes. Inline, with the layout
 * they share with the other 16-byte LBA commands: they are on every
 * request of an initiator, where a call cost more than the stores. */
#define SCSI_HOST_CDB_FUA 0x08 /* SBC-4 §5.16: byte 1 bit 3 of READ/WRITE(10/16) */
/* LBA in bytes 2..9, length in bytes 10..13 (SBC-4 §5.18). */
static inline int scsi_host_cdb_lba_16(uint8_t *cdb, uint8_t opcode, uint8_t flags, uint64_t lba,
				       uint32_t nblocks)
{
	memset(cdb, 0, SCSI_HOST_CDB_MAX);
	cdb[0] = opcode;
	cdb[1] = flags;
	scsi_put_be64(cdb + 2, lba);
	scsi_put_be32(cdb + 10, nblocks);
	return 16;
}
static inline int scsi_host_cdb_read_16(uint8_t *cdb, uint64_t lba, uint32_t nblocks, bool fua)
{
	return scsi_host_cdb_lba_16(cdb, SCSI_OP_READ_16, fua ? SCSI_HOST_CDB_FUA : 0, lba,
				    nblocks);
}
static inline int scsi_host_cdb_write_16(uint8_t *cdb, uint64_t lba, uint32_t nblocks, bool fua)
{
	return scsi_host_cdb_lba_16(cdb, SCSI_OP_WRITE_16, fua ? SCSI_HOST_CDB_FUA : 0, lba,
				    nblocks);
}
/* SYNCHRONIZE CACHE(10/16) (SBC-4 §5.26, §5.27): nblocks 0 means "to the
 * end of the medium". 10 / 16 bytes. */
int scsi_host_cdb_sync_cache_10(uint8_t *cdb, uint64_t lba, uint32_t nblocks, bool immed);
int scsi_host_cdb_sync_cache_16(uint8_t *cdb, uint64_t lba, uint32_t nblocks, bool immed);
/* UNMAP (SBC-4 §5.32): param_len is the parameter list's length (see
 * scsi_host_unmap_param_build). 10 bytes. */
int scsi_host_cdb_unmap(uint8_t *cdb, uint16_t param_len);
/* WRITE SAME(16) (SBC-4 §5.46): one block of data out unless ndob; unmap
 * asks to deallocate. 16 bytes. */
int scsi_host_cdb_write_same_16(uint8_t *cdb, uint64_t lba, uint32_t nblocks, bool unmap,
				bool ndob);
/* MODE SENSE(6/10) (SPC-5 §6.13, §6.14): pc is the page control (0
 * current, 1 changeable, 2 default, 3 saved), page < 64. 6 / 10 bytes. */
int scsi_host_cdb_mode_sense_6(uint8_t *cdb, bool dbd, uint8_t pc, uint8_t page, uint8_t subpage,
			       uint8_t alloc_len);
int scsi_host_cdb_mode_sense_10(uint8_t *cdb, bool llbaa, bool dbd, uint8_t pc, uint8_t page,
				uint8_t subpage, uint16_t alloc_len);
/* START STOP UNIT (SBC-4 §5.25): power_condition < 16. 6 bytes. */
int scsi_host_cdb_start_stop_unit(uint8_t *cdb, bool immed, uint8_t power_condition, bool loej,
				  bool start);
/* VERIFY(16) (SBC-4 §5.35): bytchk 0 (medium only), 1 (compare data out),
 * 3 (compare one block against each). 16 bytes. */
int scsi_host_cdb_verify_16(uint8_t *cdb, uint64_t lba, uint32_t nblocks, uint8_t bytchk);

/* The UNMAP parameter list (SBC-4 §5.32.2) for n extents into buf of
 * buf_len bytes. Returns its length, or -EINVAL when n is 0, it does not
 * fit buf or 65535 bytes. */
struct scsi_host_extent {
	uint64_t lba;
	uint32_t nblocks;
};
int scsi_host_unmap_param_build(void *buf, size_t buf_len, const struct scsi_host_extent *ext,
				unsigned n);

/* ---- Parsers of what a device answers ---- */

/* Sense data, fixed (SPC-5 §4.4.3) or descriptor format (§4.4.2). Sense
 * may be cut short by the transport's buffer (§4.4.1: a device may
 * truncate it): what lies past `len` is not required, but the sense key,
 * ASC and ASCQ must be there. */
enum scsi_host_sense_format {
	SCSI_HOST_SENSE_FIXED,
	SCSI_HOST_SENSE_DESCRIPTOR,
};
struct scsi_host_sense {
	enum scsi_host_sense_format format;
	bool deferred; /* response code 71h / 73h */
	uint8_t key;   /* SCSI_SK_* */
	uint8_t asc;
	uint8_t ascq;
	bool info_valid; /* VALID bit (fixed) or an information descriptor */
	uint64_t information;
};
int scsi_host_parse_sense(const void *buf, size_t len, struct scsi_host_sense *out);

/* Standard INQUIRY data (SPC-5 §6.7.2). The ASCII fields are trimmed of
 * trailing spaces and NUL-terminated; a byte outside 20h..7Eh in them is
 * -EPROTO (§4.3.1). */
struct scsi_host_inquiry {
	uint8_t qualifier;   /* bits 7..5 of byte 0, shifted down */
	uint8_t device_type; /* SCSI_TYPE_* */
	bool rmb;
	uint8_t version;
	bool hisup;
	bool cmdque;
	bool protect;
	char vendor[9];
	char product[17];
	char revision[5];
};
int scsi_host_parse_inquiry(const void *buf, size_t len, struct scsi_host_inquiry *out);

/* The header of VPD page `page` (SPC-5 §7.7.1): checks that the page code
 * is the one asked for and that PAGE LENGTH fits; gives the page's payload
 * (after the 4-byte header). */
int scsi_host_parse_vpd(const void *buf, size_t len, uint8_t page, const uint8_t **payload,
			size_t *payload_len);

/* Supported VPD pages, page 00h (SPC-5 §7.7.16): ascending, no repeats. */
struct scsi_host_vpd_pages {
	unsigned n;
	uint8_t page[256];
};
int scsi_host_parse_vpd_pages(const void *buf, size_t len, struct scsi_host_vpd_pages *out);
bool scsi_host_vpd_pages_has(const struct scsi_host_vpd_pages *pages, uint8_t page);

/* Unit serial number, page 80h (SPC-5 §7.7.18): ASCII, trimmed. */
struct scsi_host_vpd_serial {
	char serial[256];
};
int scsi_host_parse_vpd_serial(const void *buf, size_t len, struct scsi_host_vpd_serial *out);

/* Device identification, page 83h (SPC-5 §7.7.6): the first
 * SCSI_HOST_DESIGNATORS_MAX designators (n_total counts them all). Each
 * must lie inside the page; an ASCII or UTF-8 one must be printable; an
 * NAA one must have the length its NAA field gives (§7.7.6.6). */
#define SCSI_HOST_DESIGNATORS_MAX 8
struct scsi_host_designator {
	uint8_t code_set;    /* SCSI_CODE_SET_* */
	uint8_t type;	     /* SCSI_DESIGNATOR_* */
	uint8_t association; /* SCSI_ASSOC_* */
	uint8_t protocol;
	bool piv;
	uint8_t len;
	uint8_t id[255];
};
struct scsi_host_vpd_ids {
	unsigned n;
	unsigned n_total;
	struct scsi_host_designator d[SCSI_HOST_DESIGNATORS_MAX];
};
int scsi_host_parse_vpd_ids(const void *buf, size_t len, struct scsi_host_vpd_ids *out);
/* The designator as Linux prints a wwid ("naa.<hex>", "eui.<hex>",
 * "t10.<ascii>", "name.<ascii>", else "<type>.<hex>") into out of out_len
 * bytes, truncated; returns out. */
const char *scsi_host_designator_format(const struct scsi_host_designator *d, char *out,
					size_t out_len);

/* Block limits, page B0h (SBC-4 §6.6.4): PAGE LENGTH must be 003Ch. */
struct scsi_host_vpd_block_limits {
	bool wsnz;
	uint8_t max_compare_write_len;
	uint16_t opt_transfer_len_gran;
	uint32_t max_transfer_len;
	uint32_t opt_transfer_len;
	uint32_t max_prefetch_len;
	uint32_t max_unmap_lba_count;
	uint32_t max_unmap_block_desc_count;
	uint32_t opt_unmap_gran;
	bool ugavalid;
	uint32_t unmap_gran_align;
	uint64_t max_write_same_len;
};
int scsi_host_parse_vpd_block_limits(const void *buf, size_t len,
				     struct scsi_host_vpd_block_limits *out);

/* Block device characteristics, page B1h (SBC-4 §6.6.2): PAGE LENGTH 003Ch. */
struct scsi_host_vpd_block_chars {
	uint16_t rotation_rate; /* 1: non-rotating */
	uint8_t product_type;
	uint8_t form_factor;
	uint8_t zoned; /* bits 5..4 of byte 8 */
};
int scsi_host_parse_vpd_block_chars(const void *buf, size_t len,
				    struct scsi_host_vpd_block_chars *out);

/* Logical block provisioning, page B2h (SBC-4 §6.6.6). */
struct scsi_host_vpd_lbp {
	uint8_t threshold_exponent;
	bool lbpu;
	bool lbpws;
	bool lbpws10;
	uint8_t lbprz; /* 3 bits */
	bool anc_sup;
	bool dp;
	uint8_t provisioning_type; /* 0 full, 1 resource, 2 thin */
};
int scsi_host_parse_vpd_lbp(const void *buf, size_t len, struct scsi_host_vpd_lbp *out);

/* READ CAPACITY(10) and (16) (SBC-4 §5.20.2, §5.21.2). num_blocks is the
 * returned LBA + 1; a block length of 0 is -EPROTO. A (10) answer of
 * FFFFFFFFh sets need_16 (§5.20.2: the capacity does not fit). The (16)
 * answer needs its 32 bytes; the last LBA FFFF_FFFF_FFFF_FFFFh is -EPROTO
 * (no capacity can be one more). */
struct scsi_host_capacity {
	uint64_t num_blocks;
	uint32_t block_len;
	bool need_16;
	/* (16) only */
	bool prot_en;
	uint8_t p_type;
	uint8_t lbppbe;
	bool lbpme;
	bool lbprz;
	uint16_t lowest_aligned_lba;
};
int scsi_host_parse_capacity_10(const void *buf, size_t len, struct scsi_host_capacity *out);
int scsi_host_parse_capacity_16(const void *buf, size_t len, struct scsi_host_capacity *out);

/* REPORT LUNS (SPC-5 §6.33.2): LUN LIST LENGTH must be a multiple of 8.
 * Up to max raw 8-byte LUNs (big-endian, as in SAM-5 §4.7) go to luns;
 * n is how many, total how many the device has (more than n when the
 * allocation length or max was too small: ask again with a larger one). */
int scsi_host_parse_report_luns(const void *buf, size_t len, uint64_t *luns, size_t max, size_t *n,
				size_t *total);
/* A single level LUN of peripheral (00b) or flat (01b) addressing (SAM-5
 * §4.7.3, §4.7.7) to its number; other forms are -EPROTO. */
int scsi_host_lun_decode(uint64_t lun, uint16_t *number);

/* Mode parameter header (SPC-5 §7.5.5) of MODE SENSE(6) / (10) data:
 * MODE DATA LENGTH and BLOCK DESCRIPTOR LENGTH must fit each other.
 * pages_off / pages_len say where the mode pages are in buf (clamped to
 * len). */
struct scsi_host_mode_header {
	uint16_t mode_data_length; /* as the device says */
	uint8_t medium_type;
	bool wp;
	bool dpofua;
	bool longlba;
	uint16_t block_desc_len;
	size_t pages_off;
	size_t pages_len;
};
int scsi_host_parse_mode_header_6(const void *buf, size_t len, struct scsi_host_mode_header *out);
int scsi_host_parse_mode_header_10(const void *buf, size_t len, struct scsi_host_mode_header *out);
/* The mode page `page` (subpage 0 or `subpage` in SPF form) among the
 * pages the header points to (SPC-5 §7.5.7): its first byte and length
 * including its header, or -ENOENT; a page running past the data is
 * -EPROTO. */
int scsi_host_mode_page_find(const void *buf, const struct scsi_host_mode_header *hdr, uint8_t page,
			     uint8_t subpage, const uint8_t **pg, size_t *pg_len);

/* ---- virtio-scsi LUN field (virtio 1.2 §5.6.6.1) ---- */

/* Byte 0 = 1, byte 1 = target, bytes 2..3 a single level LUN (peripheral
 * below 256, flat up to 16383), four zero bytes. -EINVAL past 16383. */
int scsi_host_virtio_lun_encode(uint8_t lun_field[8], uint8_t target, uint16_t lun);
/* The reverse; anything else (including the REPORT LUNS well-known LUN)
 * is -EPROTO. */
int scsi_host_virtio_lun_decode(const uint8_t lun_field[8], uint8_t *target, uint16_t *lun);

/* ---- Names for reports ---- */

/* Never NULL: unknown values get "UNKNOWN" (or "vendor specific" for
 * ASC 80h..FFh). */
const char *scsi_host_opcode_name(uint8_t opcode);
const char *scsi_host_status_name(uint8_t status);
const char *scsi_host_sense_key_name(uint8_t key);
/* SCSI_ASCQ(asc, ascq); falls back to the ASC's name with any ASCQ. */
const char *scsi_host_asc_name(uint16_t asc_ascq);
/* The response byte of a virtio-scsi request or controlq request (virtio
 * 1.2 §5.6.6.1, §5.6.6.2); NULL for a value the spec does not define. */
const char *scsi_host_virtio_response_name(uint8_t response);

#endif
