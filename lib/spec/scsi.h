/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_SPEC_SCSI_H
#define STORLAB_SPEC_SCSI_H

/*
 * SCSI: the operation codes, status codes, sense keys, additional sense
 * codes and parameter data layouts that a disk target and its host use
 * (T10 SAM-5, SPC-5, SBC-4). Multi-byte fields of CDBs and parameter data
 * are big-endian on the wire: the structs below keep them as byte arrays,
 * read and written with scsi_get_be*() / scsi_put_be*().
 */

#include <stdint.h>

/* CDB fields and parameter data are big-endian (SPC-5 §4.2.2: the most
 * significant byte first). */
static inline uint16_t scsi_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t scsi_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t scsi_get_be64(const uint8_t *p)
{
	return (uint64_t)scsi_get_be32(p) << 32 | scsi_get_be32(p + 4);
}

static inline void scsi_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void scsi_put_be32(uint8_t *p, uint32_t v)
{
	scsi_put_be16(p, (uint16_t)(v >> 16));
	scsi_put_be16(p + 2, (uint16_t)v);
}

static inline void scsi_put_be64(uint8_t *p, uint64_t v)
{
	scsi_put_be32(p, (uint32_t)(v >> 32));
	scsi_put_be32(p + 4, (uint32_t)v);
}

/* SAM-5 §5.3 status codes */
#define SCSI_STATUS_GOOD		 0x00
#define SCSI_STATUS_CHECK_CONDITION	 0x02
#define SCSI_STATUS_CONDITION_MET	 0x04
#define SCSI_STATUS_BUSY		 0x08
#define SCSI_STATUS_RESERVATION_CONFLICT 0x18
#define SCSI_STATUS_TASK_SET_FULL	 0x28
#define SCSI_STATUS_ACA_ACTIVE		 0x30
#define SCSI_STATUS_TASK_ABORTED	 0x40

/* SPC-5 / SBC-4 operation codes */
#define SCSI_OP_TEST_UNIT_READY		     0x00
#define SCSI_OP_REQUEST_SENSE		     0x03
#define SCSI_OP_READ_6			     0x08
#define SCSI_OP_WRITE_6			     0x0a
#define SCSI_OP_INQUIRY			     0x12
#define SCSI_OP_MODE_SELECT_6		     0x15
#define SCSI_OP_MODE_SENSE_6		     0x1a
#define SCSI_OP_START_STOP_UNIT		     0x1b
#define SCSI_OP_SEND_DIAGNOSTIC		     0x1d
#define SCSI_OP_PREVENT_ALLOW_MEDIUM_REMOVAL 0x1e
#define SCSI_OP_READ_CAPACITY_10	     0x25
#define SCSI_OP_READ_10			     0x28
#define SCSI_OP_WRITE_10		     0x2a
#define SCSI_OP_WRITE_AND_VERIFY_10	     0x2e
#define SCSI_OP_VERIFY_10		     0x2f
#define SCSI_OP_SYNCHRONIZE_CACHE_10	     0x35
#define SCSI_OP_WRITE_BUFFER		     0x3b
#define SCSI_OP_READ_BUFFER		     0x3c
#define SCSI_OP_WRITE_SAME_10		     0x41
#define SCSI_OP_UNMAP			     0x42
#define SCSI_OP_LOG_SENSE		     0x4d
#define SCSI_OP_MODE_SELECT_10		     0x55
#define SCSI_OP_MODE_SENSE_10		     0x5a
#define SCSI_OP_PERSISTENT_RESERVE_IN	     0x5e
#define SCSI_OP_PERSISTENT_RESERVE_OUT	     0x5f
#define SCSI_OP_VARIABLE_LENGTH		     0x7f /* 32-byte CDBs (SPC-5 §4.2.5) */
#define SCSI_OP_READ_16			     0x88
#define SCSI_OP_COMPARE_AND_WRITE	     0x89
#define SCSI_OP_WRITE_16		     0x8a
#define SCSI_OP_WRITE_AND_VERIFY_16	     0x8e
#define SCSI_OP_VERIFY_16		     0x8f
#define SCSI_OP_SYNCHRONIZE_CACHE_16	     0x91
#define SCSI_OP_WRITE_SAME_16		     0x93
#define SCSI_OP_SERVICE_ACTION_IN_16	     0x9e
#define SCSI_OP_REPORT_LUNS		     0xa0
#define SCSI_OP_MAINTENANCE_IN		     0xa3
#define SCSI_OP_READ_12			     0xa8
#define SCSI_OP_WRITE_12		     0xaa
#define SCSI_OP_VERIFY_12		     0xaf

/* Service actions: SERVICE ACTION IN(16) (SBC-4), MAINTENANCE IN (SPC-5) */
#define SCSI_SAI_READ_CAPACITY_16	 0x10
#define SCSI_SAI_GET_LBA_STATUS		 0x12
#define SCSI_MI_REPORT_SUPPORTED_OPCODES 0x0c

/* SPC-5 §4.4 sense keys */
#define SCSI_SK_NO_SENSE	0x0
#define SCSI_SK_RECOVERED_ERROR 0x1
#define SCSI_SK_NOT_READY	0x2
#define SCSI_SK_MEDIUM_ERROR	0x3
#define SCSI_SK_HARDWARE_ERROR	0x4
#define SCSI_SK_ILLEGAL_REQUEST 0x5
#define SCSI_SK_UNIT_ATTENTION	0x6
#define SCSI_SK_DATA_PROTECT	0x7
#define SCSI_SK_BLANK_CHECK	0x8
#define SCSI_SK_VENDOR_SPECIFIC 0x9
#define SCSI_SK_COPY_ABORTED	0xa
#define SCSI_SK_ABORTED_COMMAND 0xb
#define SCSI_SK_VOLUME_OVERFLOW 0xd
#define SCSI_SK_MISCOMPARE	0xe

/* SPC-5 Annex D additional sense code and qualifier, as ((asc << 8) | ascq) */
#define SCSI_ASCQ(asc, ascq)			       ((uint16_t)(((asc) << 8) | (ascq)))
#define SCSI_ASC_NONE				       SCSI_ASCQ(0x00, 0x00)
#define SCSI_ASC_WRITE_ERROR			       SCSI_ASCQ(0x0c, 0x00)
#define SCSI_ASC_UNRECOVERED_READ_ERROR		       SCSI_ASCQ(0x11, 0x00)
#define SCSI_ASC_MISCOMPARE_DURING_VERIFY	       SCSI_ASCQ(0x1d, 0x00)
#define SCSI_ASC_PARAMETER_LIST_LENGTH_ERROR	       SCSI_ASCQ(0x1a, 0x00)
#define SCSI_ASC_INVALID_COMMAND_OPERATION_CODE	       SCSI_ASCQ(0x20, 0x00)
#define SCSI_ASC_LBA_OUT_OF_RANGE		       SCSI_ASCQ(0x21, 0x00)
#define SCSI_ASC_INVALID_FIELD_IN_CDB		       SCSI_ASCQ(0x24, 0x00)
#define SCSI_ASC_LOGICAL_UNIT_NOT_SUPPORTED	       SCSI_ASCQ(0x25, 0x00)
#define SCSI_ASC_INVALID_FIELD_IN_PARAMETER_LIST       SCSI_ASCQ(0x26, 0x00)
#define SCSI_ASC_WRITE_PROTECTED		       SCSI_ASCQ(0x27, 0x00)
#define SCSI_ASC_POWER_ON_RESET			       SCSI_ASCQ(0x29, 0x00)
#define SCSI_ASC_POWER_ON_OCCURRED		       SCSI_ASCQ(0x29, 0x01)
#define SCSI_ASC_BUS_DEVICE_RESET		       SCSI_ASCQ(0x29, 0x03)
#define SCSI_ASC_I_T_NEXUS_LOSS			       SCSI_ASCQ(0x29, 0x07)
#define SCSI_ASC_MODE_PARAMETERS_CHANGED	       SCSI_ASCQ(0x2a, 0x01)
#define SCSI_ASC_CAPACITY_DATA_CHANGED		       SCSI_ASCQ(0x2a, 0x09)
#define SCSI_ASC_COMMANDS_CLEARED_BY_ANOTHER_INITIATOR SCSI_ASCQ(0x2f, 0x00)
#define SCSI_ASC_SAVING_PARAMETERS_NOT_SUPPORTED       SCSI_ASCQ(0x39, 0x00)
#define SCSI_ASC_REPORTED_LUNS_DATA_HAS_CHANGED	       SCSI_ASCQ(0x3f, 0x0e)
#define SCSI_ASC_INTERNAL_TARGET_FAILURE	       SCSI_ASCQ(0x44, 0x00)
#define SCSI_ASC_INVALID_MESSAGE_ERROR		       SCSI_ASCQ(0x49, 0x00)
#define SCSI_ASC_LOGICAL_UNIT_NOT_READY_STOPPED	       SCSI_ASCQ(0x04, 0x02)

/* SPC-5 §4.4.2 / §4.4.3 response codes of sense data */
#define SCSI_SENSE_FIXED_CURRENT  0x70
#define SCSI_SENSE_FIXED_DEFERRED 0x71
#define SCSI_SENSE_DESC_CURRENT	  0x72
#define SCSI_SENSE_DESC_DEFERRED  0x73
#define SCSI_SENSE_VALID	  0x80 /* fixed format byte 0: INFORMATION is valid */

/* SPC-5 §4.4.3 fixed format sense data (18 bytes with no additional bytes) */
struct scsi_sense_fixed {
	uint8_t response_code; /* bit 7 VALID, 0x70 / 0x71 */
	uint8_t obsolete;
	uint8_t key; /* bits 3..0 SENSE KEY; bit 5 ILI, 6 EOM, 7 FILEMARK */
	uint8_t information[4];
	uint8_t additional_length; /* n - 7 */
	uint8_t cmd_specific[4];
	uint8_t asc;
	uint8_t ascq;
	uint8_t fru;
	uint8_t sks[3];
} __attribute__((packed));
_Static_assert(sizeof(struct scsi_sense_fixed) == 18, "SPC-5 §4.4.3");

/* SPC-5 §4.4.2 descriptor format sense data: this header, then
 * additional_length bytes of descriptors */
struct scsi_sense_desc {
	uint8_t response_code; /* 0x72 / 0x73 */
	uint8_t key;	       /* bits 3..0 */
	uint8_t asc;
	uint8_t ascq;
	uint8_t flags; /* bit 7 SDAT_OVFL */
	uint8_t reserved[2];
	uint8_t additional_length;
} __attribute__((packed));
_Static_assert(sizeof(struct scsi_sense_desc) == 8, "SPC-5 §4.4.2");

/* SPC-5 §4.4.2.2 the information sense data descriptor */
#define SCSI_SENSE_DESC_INFORMATION 0x00
struct scsi_sense_desc_information {
	uint8_t type;		   /* 0x00 */
	uint8_t additional_length; /* 0x0a */
	uint8_t valid;		   /* bit 7 */
	uint8_t reserved;
	uint8_t information[8];
} __attribute__((packed));
_Static_assert(sizeof(struct scsi_sense_desc_information) == 12, "SPC-5 §4.4.2.2");

/* SPC-5 §6.7.2 standard INQUIRY data: the first 36 bytes (a target may
 * return more; additional_length says how many follow byte 4) */
struct scsi_inquiry_std {
	uint8_t peripheral; /* bits 7..5 qualifier, 4..0 device type */
	uint8_t rmb;	    /* bit 7 */
	uint8_t version;    /* 0x07: SPC-5 */
	uint8_t flags3;	    /* bits 3..0 RESPONSE DATA FORMAT (2), 4 HISUP */
	uint8_t additional_length;
	uint8_t flags5; /* bit 0 PROTECT, 3 3PC, 7 SCCS */
	uint8_t flags6;
	uint8_t flags7; /* bit 1 CMDQUE */
	char vendor[8];
	char product[16];
	char revision[4];
} __attribute__((packed));
_Static_assert(sizeof(struct scsi_inquiry_std) == 36, "SPC-5 §6.7.2");

#define SCSI_INQ_VERSION_SPC5	      0x07
#define SCSI_INQ_RESPONSE_DATA_FORMAT 0x02
#define SCSI_INQ_HISUP		      0x10
#define SCSI_INQ_CMDQUE		      0x02
#define SCSI_INQ_EVPD		      0x01 /* CDB byte 1 */

/* SPC-5 §6.7.2 peripheral qualifier and device type */
#define SCSI_PQ_CONNECTED     0x00
#define SCSI_PQ_NOT_CONNECTED 0x20
#define SCSI_PQ_NOT_SUPPORTED 0x60
#define SCSI_TYPE_DISK	      0x00
#define SCSI_TYPE_WLUN	      0x1e
#define SCSI_TYPE_NONE	      0x1f

/* SPC-5 §7.7 / SBC-4 §6.6 vital product data pages */
#define SCSI_VPD_SUPPORTED_PAGES	      0x00
#define SCSI_VPD_UNIT_SERIAL_NUMBER	      0x80
#define SCSI_VPD_DEVICE_IDENTIFICATION	      0x83
#define SCSI_VPD_EXTENDED_INQUIRY	      0x86
#define SCSI_VPD_BLOCK_LIMITS		      0xb0
#define SCSI_VPD_BLOCK_DEVICE_CHARACTERISTICS 0xb1
#define SCSI_VPD_LOGICAL_BLOCK_PROVISIONING   0xb2

/* SPC-5 §7.7.1 the header of every VPD page */
struct scsi_vpd_header {
	uint8_t peripheral;
	uint8_t page_code;
	uint8_t page_length[2]; /* bytes after this header */
} __attribute__((packed));
_Static_assert(sizeof(struct scsi_vpd_header) == 4, "SPC-5 §7.7.1");

/* SPC-5 §7.7.6.1 an identification descriptor of page 83h */
struct scsi_vpd_designator {
	uint8_t code_set; /* bits 3..0 CODE SET, 7..4 PROTOCOL IDENTIFIER */
	uint8_t type;	  /* bits 3..0 DESIGNATOR TYPE, 5..4 ASSOCIATION, 7 PIV */
	uint8_t reserved;
	uint8_t length;
} __attribute__((packed));
_Static_assert(sizeof(struct scsi_vpd_designator) == 4, "SPC-5 §7.7.6.1");

#define SCSI_CODE_SET_BINARY	    0x1
#define SCSI_CODE_SET_ASCII	    0x2
#define SCSI_CODE_SET_UTF8	    0x3
#define SCSI_DESIGNATOR_T10_VENDOR  0x1
#define SCSI_DESIGNATOR_EUI64	    0x2
#define SCSI_DESIGNATOR_NAA	    0x3
#define SCSI_DESIGNATOR_TARGET_PORT 0x4
#define SCSI_DESIGNATOR_SCSI_NAME   0x8
#define SCSI_ASSOC_LUN		    0x00
#define SCSI_ASSOC_TARGET_PORT	    0x10
#define SCSI_ASSOC_TARGET_DEVICE    0x20

/* SBC-4 §6.6.4 Block Limits VPD page (B0h), page_length 0x3c */
struct scsi_vpd_block_limits {
	struct scsi_vpd_header hdr;
	uint8_t wsnz; /* bit 0 */
	uint8_t max_compare_write_len;
	uint8_t opt_transfer_len_gran[2];
	uint8_t max_transfer_len[4];
	uint8_t opt_transfer_len[4];
	uint8_t max_prefetch_len[4];
	uint8_t max_unmap_lba_count[4];
	uint8_t max_unmap_block_desc_count[4];
	uint8_t opt_unmap_gran[4];
	uint8_t unmap_gran_align[4]; /* bit 31 UGAVALID */
	uint8_t max_write_same_len[8];
	uint8_t max_atomic_transfer_len[4];
	uint8_t atomic_alignment[4];
	uint8_t atomic_transfer_len_gran[4];
	uint8_t max_atomic_transfer_len_with_boundary[4];
	uint8_t max_atomic_boundary_size[4];
} __attribute__((packed));
_Static_assert(sizeof(struct scsi_vpd_block_limits) == 64, "SBC-4 §6.6.4");

/* SBC-4 §6.6.2 Block Device Characteristics VPD page (B1h), page_length 0x3c */
struct scsi_vpd_block_characteristics {
	struct scsi_vpd_header hdr;
	uint8_t rotation_rate[2]; /* 0x0001: non-rotating medium */
	uint8_t product_type;
	uint8_t form_factor; /* bits 3..0 NOMINAL FORM FACTOR */
	uint8_t zoned;
	uint8_t reserved[55];
} __attribute__((packed));
_Static_assert(sizeof(struct scsi_vpd_block_characteristics) == 64, "SBC-4 §6.6.2");

/* SBC-4 §6.6.6 Logical Block Provisioning VPD page (B2h) */
struct scsi_vpd_lbp {
	struct scsi_vpd_header hdr;
	uint8_t threshold_exponent;
	uint8_t flags5;		   /* bit 7 LBPU (UNMAP), 6 LBPWS (WRITE SAME(16) unmap),
				    * 5 LBPWS10, 2 LBPRZ (bits 4..2), 1 ANC_SUP, 0 DP */
	uint8_t provisioning_type; /* bits 2..0: 2 = thin */
	uint8_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct scsi_vpd_lbp) == 8, "SBC-4 §6.6.6");

#define SCSI_LBP_LBPU	 0x80
#define SCSI_LBP_LBPWS	 0x40
#define SCSI_LBP_LBPWS10 0x20
#define SCSI_LBP_LBPRZ	 0x04
#define SCSI_LBP_THIN	 0x02

/* SBC-4 §5.20.2 READ CAPACITY(10) parameter data */
struct scsi_read_capacity_10 {
	uint8_t last_lba[4]; /* 0xffffffff: use READ CAPACITY(16) */
	uint8_t block_len[4];
} __attribute__((packed));
_Static_assert(sizeof(struct scsi_read_capacity_10) == 8, "SBC-4 §5.20.2");

/* SBC-4 §5.21.2 READ CAPACITY(16) parameter data */
struct scsi_read_capacity_16 {
	uint8_t last_lba[8];
	uint8_t block_len[4];
	uint8_t prot;	      /* bits 3..1 P_TYPE, 0 PROT_EN */
	uint8_t exponents;    /* bits 7..4 P_I_EXPONENT, 3..0 LOGICAL BLOCKS PER
			       * PHYSICAL BLOCK EXPONENT */
	uint8_t lbp_align[2]; /* bit 15 LBPME, 14 LBPRZ, 13..0 LOWEST ALIGNED LBA */
	uint8_t reserved[16];
} __attribute__((packed));
_Static_assert(sizeof(struct scsi_read_capacity_16) == 32, "SBC-4 §5.21.2");

#define SCSI_RC16_LBPME 0x80 /* lbp_align[0] */
#define SCSI_RC16_LBPRZ 0x40

/* SPC-5 §6.33 REPORT LUNS parameter data: this header, then 8 bytes a LUN */
struct scsi_report_luns_header {
	uint8_t lun_list_length[4]; /* bytes of LUNs that follow */
	uint8_t reserved[4];
} __attribute__((packed));
_Static_assert(sizeof(struct scsi_report_luns_header) == 8, "SPC-5 §6.33");

#define SCSI_REPORT_LUNS_ALL		    0x00 /* SELECT REPORT */
#define SCSI_REPORT_LUNS_WELL_KNOWN	    0x01
#define SCSI_REPORT_LUNS_ALL_AND_WELL_KNOWN 0x02

/* SBC-4 §5.32.2 UNMAP parameter list: this header, then block descriptors */
struct scsi_unmap_header {
	uint8_t data_length[2];	      /* bytes after this field */
	uint8_t block_desc_length[2]; /* bytes of descriptors */
	uint8_t reserved[4];
} __attribute__((packed));
_Static_assert(sizeof(struct scsi_unmap_header) == 8, "SBC-4 §5.32.2");

struct scsi_unmap_desc {
	uint8_t lba[8];
	uint8_t num_blocks[4];
	uint8_t reserved[4];
} __attribute__((packed));
_Static_assert(sizeof(struct scsi_unmap_desc) == 16, "SBC-4 §5.32.2");

/* SPC-5 §7.5.5 mode parameter headers (6 and 10 byte CDBs) */
struct scsi_mode_header_6 {
	uint8_t mode_data_length;
	uint8_t medium_type;
	uint8_t device_specific; /* SBC-4 §6.5.1: bit 7 WP, bit 4 DPOFUA */
	uint8_t block_desc_length;
} __attribute__((packed));
_Static_assert(sizeof(struct scsi_mode_header_6) == 4, "SPC-5 §7.5.5");

struct scsi_mode_header_10 {
	uint8_t mode_data_length[2];
	uint8_t medium_type;
	uint8_t device_specific;
	uint8_t longlba; /* bit 0 */
	uint8_t reserved;
	uint8_t block_desc_length[2];
} __attribute__((packed));
_Static_assert(sizeof(struct scsi_mode_header_10) == 8, "SPC-5 §7.5.5");

#define SCSI_MODE_WP	 0x80
#define SCSI_MODE_DPOFUA 0x10

/* SBC-4 §6.5 mode pages a disk is asked for */
#define SCSI_MODE_PAGE_RW_ERROR_RECOVERY	0x01
#define SCSI_MODE_PAGE_DISCONNECT_RECONNECT	0x02
#define SCSI_MODE_PAGE_FORMAT_DEVICE		0x03
#define SCSI_MODE_PAGE_RIGID_DISK_GEOMETRY	0x04
#define SCSI_MODE_PAGE_CACHING			0x08
#define SCSI_MODE_PAGE_CONTROL			0x0a
#define SCSI_MODE_PAGE_POWER_CONDITION		0x1a
#define SCSI_MODE_PAGE_INFORMATIONAL_EXCEPTIONS 0x1c
#define SCSI_MODE_PAGE_ALL			0x3f

#define SCSI_CACHING_WCE 0x04 /* caching page byte 2 */

#endif
