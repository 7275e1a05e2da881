/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_SPEC_NVME_H
#define STORLAB_SPEC_NVME_H

/*
 * NVM Express over PCIe: controller properties, queue entries, data
 * pointers (PRP, SGL), status codes and the admin/NVM structures our
 * controller emulation (lib/nvmf) and host driver (lib/nvme) both use.
 *
 * Written from the tables of NVM Express Base Specification 2.1 ("Base"),
 * NVM Express NVM Command Set Specification 1.1 ("NVM CS") and NVMe over
 * PCIe Transport Specification 1.1 ("PCIe"). Every field offset is checked
 * against its table with NVME_AT() below, so a host and a controller built
 * from this header cannot agree on a layout the spec does not have.
 *
 * All multi-byte fields are little-endian (Base §1.4.3).
 */

#include <stddef.h>
#include <stdint.h>

/* A field starts at the byte the spec's table gives it. */
#define NVME_AT(type, field, off)                                                                  \
	_Static_assert(offsetof(type, field) == (off), #type "." #field " at " #off)

/* ---- Controller properties: Base §3.1.4 (Figure 33, the property map) ---- */

#define NVME_REG_CAP	0x00 /* 8 bytes */
#define NVME_REG_VS	0x08
#define NVME_REG_INTMS	0x0c
#define NVME_REG_INTMC	0x10
#define NVME_REG_CC	0x14
#define NVME_REG_CSTS	0x1c
#define NVME_REG_NSSR	0x20
#define NVME_REG_AQA	0x24
#define NVME_REG_ASQ	0x28 /* 8 bytes */
#define NVME_REG_ACQ	0x30 /* 8 bytes */
#define NVME_REG_CMBLOC 0x38
#define NVME_REG_CMBSZ	0x3c

/* The properties up to CMBSZ, as they sit at the start of BAR0. */
struct nvme_regs {
	uint64_t cap;
	uint32_t vs;
	uint32_t intms;
	uint32_t intmc;
	uint32_t cc;
	uint32_t rsvd18;
	uint32_t csts;
	uint32_t nssr;
	uint32_t aqa;
	uint64_t asq;
	uint64_t acq;
	uint32_t cmbloc;
	uint32_t cmbsz;
} __attribute__((packed));
NVME_AT(struct nvme_regs, cap, NVME_REG_CAP);
NVME_AT(struct nvme_regs, vs, NVME_REG_VS);
NVME_AT(struct nvme_regs, intms, NVME_REG_INTMS);
NVME_AT(struct nvme_regs, intmc, NVME_REG_INTMC);
NVME_AT(struct nvme_regs, cc, NVME_REG_CC);
NVME_AT(struct nvme_regs, rsvd18, 0x18);
NVME_AT(struct nvme_regs, csts, NVME_REG_CSTS);
NVME_AT(struct nvme_regs, nssr, NVME_REG_NSSR);
NVME_AT(struct nvme_regs, aqa, NVME_REG_AQA);
NVME_AT(struct nvme_regs, asq, NVME_REG_ASQ);
NVME_AT(struct nvme_regs, acq, NVME_REG_ACQ);
NVME_AT(struct nvme_regs, cmbloc, NVME_REG_CMBLOC);
NVME_AT(struct nvme_regs, cmbsz, NVME_REG_CMBSZ);
_Static_assert(sizeof(struct nvme_regs) == 0x40, "Base §3.1.4");

/* A field of a property: (value >> SHIFT) & MASK. */
#define NVME_GET(v, f) (((v) >> f##_SHIFT) & f##_MASK)
#define NVME_SET(f, x) (((x)&f##_MASK) << f##_SHIFT)

/* Base §3.1.4.1 CAP */
#define NVME_CAP_MQES_SHIFT   0 /* 0's based */
#define NVME_CAP_MQES_MASK    0xffffULL
#define NVME_CAP_CQR_SHIFT    16
#define NVME_CAP_CQR_MASK     0x1ULL
#define NVME_CAP_AMS_SHIFT    17
#define NVME_CAP_AMS_MASK     0x3ULL
#define NVME_CAP_TO_SHIFT     24 /* 500 ms units */
#define NVME_CAP_TO_MASK      0xffULL
#define NVME_CAP_DSTRD_SHIFT  32
#define NVME_CAP_DSTRD_MASK   0xfULL
#define NVME_CAP_NSSRS_SHIFT  36
#define NVME_CAP_NSSRS_MASK   0x1ULL
#define NVME_CAP_CSS_SHIFT    37
#define NVME_CAP_CSS_MASK     0xffULL
#define NVME_CAP_BPS_SHIFT    45
#define NVME_CAP_BPS_MASK     0x1ULL
#define NVME_CAP_MPSMIN_SHIFT 48 /* page size 2 ^ (12 + MPSMIN) */
#define NVME_CAP_MPSMIN_MASK  0xfULL
#define NVME_CAP_MPSMAX_SHIFT 52
#define NVME_CAP_MPSMAX_MASK  0xfULL
#define NVME_CAP_PMRS_SHIFT   56
#define NVME_CAP_PMRS_MASK    0x1ULL
#define NVME_CAP_CMBS_SHIFT   57
#define NVME_CAP_CMBS_MASK    0x1ULL
#define NVME_CAP_CRMS_SHIFT   59
#define NVME_CAP_CRMS_MASK    0x3ULL
/* CAP.CSS bits */
#define NVME_CAP_CSS_NVM    0x01 /* NVM Command Set */
#define NVME_CAP_CSS_IOCS   0x40 /* one or more I/O Command Sets */
#define NVME_CAP_CSS_NOIOCS 0x80 /* Admin only */

/* Base §3.1.4.2 VS: major 31:16, minor 15:8, tertiary 7:0 */
#define NVME_VS(mjr, mnr, ter) ((uint32_t)(mjr) << 16 | (uint32_t)(mnr) << 8 | (uint32_t)(ter))
#define NVME_VS_2_1	       NVME_VS(2, 1, 0)

/* Base §3.1.4.5 CC */
#define NVME_CC_EN_SHIFT     0
#define NVME_CC_EN_MASK	     0x1u
#define NVME_CC_CSS_SHIFT    4
#define NVME_CC_CSS_MASK     0x7u
#define NVME_CC_MPS_SHIFT    7 /* page size 2 ^ (12 + MPS) */
#define NVME_CC_MPS_MASK     0xfu
#define NVME_CC_AMS_SHIFT    11
#define NVME_CC_AMS_MASK     0x7u
#define NVME_CC_SHN_SHIFT    14
#define NVME_CC_SHN_MASK     0x3u
#define NVME_CC_IOSQES_SHIFT 16 /* entry size 2 ^ IOSQES */
#define NVME_CC_IOSQES_MASK  0xfu
#define NVME_CC_IOCQES_SHIFT 20
#define NVME_CC_IOCQES_MASK  0xfu
#define NVME_CC_CRIME_SHIFT  24
#define NVME_CC_CRIME_MASK   0x1u
#define NVME_CC_CSS_NVM	     0x0 /* NVM Command Set */
#define NVME_CC_CSS_ALL	     0x6 /* all supported I/O Command Sets */
#define NVME_CC_CSS_ADMIN    0x7 /* Admin Command Set only */
#define NVME_CC_SHN_NONE     0x0
#define NVME_CC_SHN_NORMAL   0x1
#define NVME_CC_SHN_ABRUPT   0x2

/* Base §3.1.4.6 CSTS */
#define NVME_CSTS_RDY_SHIFT	 0
#define NVME_CSTS_RDY_MASK	 0x1u
#define NVME_CSTS_CFS_SHIFT	 1
#define NVME_CSTS_CFS_MASK	 0x1u
#define NVME_CSTS_SHST_SHIFT	 2
#define NVME_CSTS_SHST_MASK	 0x3u
#define NVME_CSTS_NSSRO_SHIFT	 4
#define NVME_CSTS_NSSRO_MASK	 0x1u
#define NVME_CSTS_PP_SHIFT	 5
#define NVME_CSTS_PP_MASK	 0x1u
#define NVME_CSTS_ST_SHIFT	 6
#define NVME_CSTS_ST_MASK	 0x1u
#define NVME_CSTS_SHST_NORMAL	 0x0 /* normal operation */
#define NVME_CSTS_SHST_OCCURRING 0x1
#define NVME_CSTS_SHST_COMPLETE	 0x2

/* Base §3.1.4.7 NSSR: writing "NVMe" starts an NVM Subsystem Reset */
#define NVME_NSSR_RESET 0x4e564d65u

/* Base §3.1.4.8 AQA: both sizes are 0's based */
#define NVME_AQA_ASQS_SHIFT 0
#define NVME_AQA_ASQS_MASK  0xfffu
#define NVME_AQA_ACQS_SHIFT 16
#define NVME_AQA_ACQS_MASK  0xfffu

/* The memory page size CC.MPS / CAP.MPSMIN / CAP.MPSMAX select. */
#define NVME_MPS_BYTES(mps) (1ULL << (12 + (mps)))

/* PCIe transport, the SQyTDBL / CQyHDBL properties (the same offsets index
 * Base §5.3.5's shadow doorbell buffer): queue y's submission tail doorbell
 * at 1000h + (2y * (4 << CAP.DSTRD)), its completion head doorbell one
 * stride later. */
#define NVME_DB_BASE 0x1000
static inline uint64_t nvme_sq_tdbl(uint16_t qid, uint32_t dstrd)
{
	return NVME_DB_BASE + (2ULL * qid) * (4ULL << dstrd);
}

static inline uint64_t nvme_cq_hdbl(uint16_t qid, uint32_t dstrd)
{
	return NVME_DB_BASE + (2ULL * qid + 1) * (4ULL << dstrd);
}

/* ---- Data pointers: Base §4.3 ---- */

/* Base §4.3.2 Figure 115: the generic 16-byte SGL descriptor. Figures
 * 118 (Data Block), 120 (Segment) and 121 (Last Segment) share this
 * layout; for a Bit Bucket (Figure 119) only len counts. */
struct nvme_sgl_desc {
	uint64_t addr;
	uint32_t len;
	uint8_t rsvd12[3];
	uint8_t id; /* type 7:4, sub type 3:0 */
} __attribute__((packed));
NVME_AT(struct nvme_sgl_desc, addr, 0);
NVME_AT(struct nvme_sgl_desc, len, 8);
NVME_AT(struct nvme_sgl_desc, rsvd12, 12);
NVME_AT(struct nvme_sgl_desc, id, 15);
_Static_assert(sizeof(struct nvme_sgl_desc) == 16, "Base §4.3.2 Figure 115");

#define NVME_SGL_TYPE(id)	   ((uint8_t)(id) >> 4)
#define NVME_SGL_SUBTYPE(id)	   ((uint8_t)(id)&0xf)
#define NVME_SGL_ID(type, subtype) ((uint8_t)((type) << 4 | (subtype)))
/* Base §4.3.2 Figure 116 descriptor types */
#define NVME_SGL_TYPE_DATA_BLOCK       0x0
#define NVME_SGL_TYPE_BIT_BUCKET       0x1
#define NVME_SGL_TYPE_SEGMENT	       0x2
#define NVME_SGL_TYPE_LAST_SEGMENT     0x3
#define NVME_SGL_TYPE_KEYED_DATA_BLOCK 0x4
#define NVME_SGL_TYPE_TRANSPORT_DATA   0x5
#define NVME_SGL_TYPE_VENDOR	       0xf
/* Base §4.3.2 Figure 117 sub types (Offset is reserved over PCIe) */
#define NVME_SGL_SUBTYPE_ADDRESS 0x0
#define NVME_SGL_SUBTYPE_OFFSET	 0x1
/* Base §4.3.2: an SGL segment is an array of descriptors, qword aligned */
#define NVME_SGL_SEGMENT_ALIGN 8

/* Base §4.3.1 Figure 110: a PRP entry's offset is dword aligned */
#define NVME_PRP_ALIGN 4

/* ---- Submission queue entry: Base §4.1.1 (Figures 91, 92) ---- */

struct nvme_sqe {
	uint8_t opc;
	uint8_t flags; /* CDW0 15:8: FUSE 1:0, PSDT 7:6 */
	uint16_t cid;
	uint32_t nsid;
	uint32_t cdw2;
	uint32_t cdw3;
	uint64_t mptr;
	union {
		struct {
			uint64_t prp1;
			uint64_t prp2;
		} prp;
		struct nvme_sgl_desc sgl1;
	} dptr;
	uint32_t cdw10;
	uint32_t cdw11;
	uint32_t cdw12;
	uint32_t cdw13;
	uint32_t cdw14;
	uint32_t cdw15;
} __attribute__((packed));
NVME_AT(struct nvme_sqe, opc, 0);
NVME_AT(struct nvme_sqe, flags, 1);
NVME_AT(struct nvme_sqe, cid, 2);
NVME_AT(struct nvme_sqe, nsid, 4);
NVME_AT(struct nvme_sqe, cdw2, 8);
NVME_AT(struct nvme_sqe, cdw3, 12);
NVME_AT(struct nvme_sqe, mptr, 16);
NVME_AT(struct nvme_sqe, dptr.prp.prp1, 24);
NVME_AT(struct nvme_sqe, dptr.prp.prp2, 32);
NVME_AT(struct nvme_sqe, dptr.sgl1, 24);
NVME_AT(struct nvme_sqe, cdw10, 40);
NVME_AT(struct nvme_sqe, cdw11, 44);
NVME_AT(struct nvme_sqe, cdw12, 48);
NVME_AT(struct nvme_sqe, cdw13, 52);
NVME_AT(struct nvme_sqe, cdw14, 56);
NVME_AT(struct nvme_sqe, cdw15, 60);
_Static_assert(sizeof(struct nvme_sqe) == 64, "Base §4.1.1 Figure 92");
#define NVME_SQES 6 /* log2 of the entry size, for CC.IOSQES and Identify SQES */

/* Base §4.1.1 Figure 91, the CDW0 bits 15:8 as nvme_sqe.flags */
#define NVME_SQE_FUSE_SHIFT 0
#define NVME_SQE_FUSE_MASK  0x3u
#define NVME_SQE_PSDT_SHIFT 6
#define NVME_SQE_PSDT_MASK  0x3u
#define NVME_FUSE_NONE	    0x0
#define NVME_FUSE_FIRST	    0x1
#define NVME_FUSE_SECOND    0x2
#define NVME_PSDT_PRP	    0x0
#define NVME_PSDT_SGL_MPTR  0x1 /* SGL; MPTR is a contiguous buffer */
#define NVME_PSDT_SGL_MSGL  0x2 /* SGL; MPTR is an SGL segment */

/* ---- Completion queue entry: Base §4.2.1 (Figures 96-98) ---- */

struct nvme_cqe {
	uint32_t cdw0; /* command specific */
	uint32_t cdw1; /* command specific */
	uint16_t sqhd;
	uint16_t sqid;
	uint16_t cid;
	uint16_t status; /* phase 0, status 15:1 (DW3 31:16) */
} __attribute__((packed));
NVME_AT(struct nvme_cqe, cdw0, 0);
NVME_AT(struct nvme_cqe, cdw1, 4);
NVME_AT(struct nvme_cqe, sqhd, 8);
NVME_AT(struct nvme_cqe, sqid, 10);
NVME_AT(struct nvme_cqe, cid, 12);
NVME_AT(struct nvme_cqe, status, 14);
_Static_assert(sizeof(struct nvme_cqe) == 16, "Base §4.2.1 Figure 96");
#define NVME_CQES 4

/* Base §4.2.3 (Figure 100) the status field, as bits of nvme_cqe.status;
 * Base §4.2.4 the phase tag */
#define NVME_STATUS_P_SHIFT   0
#define NVME_STATUS_P_MASK    0x1u
#define NVME_STATUS_SC_SHIFT  1
#define NVME_STATUS_SC_MASK   0xffu
#define NVME_STATUS_SCT_SHIFT 9
#define NVME_STATUS_SCT_MASK  0x7u
#define NVME_STATUS_CRD_SHIFT 12
#define NVME_STATUS_CRD_MASK  0x3u
#define NVME_STATUS_M_SHIFT   14
#define NVME_STATUS_M_MASK    0x1u
#define NVME_STATUS_DNR_SHIFT 15
#define NVME_STATUS_DNR_MASK  0x1u

/* Base §4.2.3 status code types */
#define NVME_SCT_GENERIC      0x0
#define NVME_SCT_CMD_SPECIFIC 0x1
#define NVME_SCT_MEDIA	      0x2
#define NVME_SCT_PATH	      0x3
#define NVME_SCT_VENDOR	      0x7

/* An (SCT, SC) pair as one value: what a controller puts in a CQE's status
 * (shifted by NVME_STATUS_SC_SHIFT), and what lib/nvmf hands around. */
#define NVME_SCT_SC(sct, sc) ((uint16_t)((sct) << 8 | (sc)))
#define NVME_SC_OF(s)	     ((uint8_t)((s)&0xff))
#define NVME_SCT_OF(s)	     ((uint8_t)(((s) >> 8) & 0x7))

/* Base §4.2.3.1 generic command status (SCT 0h) */
#define NVME_SC_SUCCESS			    0x00
#define NVME_SC_INVALID_OPCODE		    0x01
#define NVME_SC_INVALID_FIELD		    0x02
#define NVME_SC_CID_CONFLICT		    0x03
#define NVME_SC_DATA_TRANSFER_ERROR	    0x04
#define NVME_SC_ABORTED_POWER_LOSS	    0x05
#define NVME_SC_INTERNAL		    0x06
#define NVME_SC_ABORT_REQUESTED		    0x07
#define NVME_SC_ABORTED_SQ_DELETION	    0x08
#define NVME_SC_ABORTED_FAILED_FUSED	    0x09
#define NVME_SC_ABORTED_MISSING_FUSED	    0x0a
#define NVME_SC_INVALID_NS_OR_FORMAT	    0x0b
#define NVME_SC_COMMAND_SEQUENCE_ERROR	    0x0c
#define NVME_SC_INVALID_SGL_SEG_DESC	    0x0d
#define NVME_SC_INVALID_NUM_SGL_DESC	    0x0e
#define NVME_SC_DATA_SGL_LENGTH_INVALID	    0x0f
#define NVME_SC_MD_SGL_LENGTH_INVALID	    0x10
#define NVME_SC_SGL_DESC_TYPE_INVALID	    0x11
#define NVME_SC_INVALID_CMB_USE		    0x12
#define NVME_SC_PRP_OFFSET_INVALID	    0x13
#define NVME_SC_ATOMIC_WRITE_UNIT_EXCEEDED  0x14
#define NVME_SC_OPERATION_DENIED	    0x15
#define NVME_SC_SGL_OFFSET_INVALID	    0x16
#define NVME_SC_HOSTID_INCONSISTENT_FORMAT  0x18
#define NVME_SC_KEEP_ALIVE_EXPIRED	    0x19
#define NVME_SC_ABORTED_PREEMPT		    0x1a
#define NVME_SC_SANITIZE_FAILED		    0x1b
#define NVME_SC_SANITIZE_IN_PROGRESS	    0x1d
#define NVME_SC_SGL_DATA_BLOCK_GRANULARITY  0x1e
#define NVME_SC_CMD_NOT_SUPPORTED_CMB_QUEUE 0x1f
#define NVME_SC_NS_WRITE_PROTECTED	    0x20
#define NVME_SC_COMMAND_INTERRUPTED	    0x21
#define NVME_SC_TRANSIENT_TRANSPORT_ERROR   0x22
#define NVME_SC_ADMIN_MEDIA_NOT_READY	    0x24
/* generic, for the NVM command set (80h-BFh) */
#define NVME_SC_LBA_OUT_OF_RANGE     0x80
#define NVME_SC_CAPACITY_EXCEEDED    0x81
#define NVME_SC_NS_NOT_READY	     0x82
#define NVME_SC_RESERVATION_CONFLICT 0x83
#define NVME_SC_FORMAT_IN_PROGRESS   0x84

/* Base §4.2.3.2 command specific status (SCT 1h) */
#define NVME_SC_CQ_INVALID		 0x00
#define NVME_SC_INVALID_QID		 0x01
#define NVME_SC_INVALID_QUEUE_SIZE	 0x02
#define NVME_SC_ABORT_LIMIT_EXCEEDED	 0x03
#define NVME_SC_AER_LIMIT_EXCEEDED	 0x05
#define NVME_SC_INVALID_FW_SLOT		 0x06
#define NVME_SC_INVALID_FW_IMAGE	 0x07
#define NVME_SC_INVALID_INTERRUPT_VECTOR 0x08
#define NVME_SC_INVALID_LOG_PAGE	 0x09
#define NVME_SC_INVALID_FORMAT		 0x0a
#define NVME_SC_INVALID_QUEUE_DELETION	 0x0c
#define NVME_SC_FEATURE_NOT_SAVEABLE	 0x0d
#define NVME_SC_FEATURE_NOT_CHANGEABLE	 0x0e
#define NVME_SC_FEATURE_NOT_NS_SPECIFIC	 0x0f
#define NVME_SC_INVALID_IOCS		 0x2c
/* command specific to the NVM command set (NVM CS; Base §4.2.3.2 Figure 104) */
#define NVME_SC_CONFLICTING_ATTRIBUTES 0x80
#define NVME_SC_INVALID_PI	       0x81
#define NVME_SC_WRITE_TO_RO_RANGE      0x82

/* Base §4.2.3.3 media and data integrity errors (SCT 2h) */
#define NVME_SC_WRITE_FAULT		 0x80
#define NVME_SC_UNRECOVERED_READ	 0x81
#define NVME_SC_GUARD_CHECK		 0x82
#define NVME_SC_APPTAG_CHECK		 0x83
#define NVME_SC_REFTAG_CHECK		 0x84
#define NVME_SC_COMPARE_FAILURE		 0x85
#define NVME_SC_ACCESS_DENIED		 0x86
#define NVME_SC_DEALLOCATED_OR_UNWRITTEN 0x87

/* ---- Opcodes ---- */

/* Base §5 (Figure 142) admin commands; §5.3 holds the PCIe-only ones */
#define NVME_ADM_DELETE_SQ	     0x00
#define NVME_ADM_CREATE_SQ	     0x01
#define NVME_ADM_GET_LOG_PAGE	     0x02
#define NVME_ADM_DELETE_CQ	     0x04
#define NVME_ADM_CREATE_CQ	     0x05
#define NVME_ADM_IDENTIFY	     0x06
#define NVME_ADM_ABORT		     0x08
#define NVME_ADM_SET_FEATURES	     0x09
#define NVME_ADM_GET_FEATURES	     0x0a
#define NVME_ADM_ASYNC_EVENT_REQUEST 0x0c
#define NVME_ADM_KEEP_ALIVE	     0x18
#define NVME_ADM_DOORBELL_BUFFER_CFG 0x7c

/* NVM CS I/O command opcodes (Flush: Base §7.2) */
#define NVME_NVM_FLUSH	      0x00
#define NVME_NVM_WRITE	      0x01
#define NVME_NVM_READ	      0x02
#define NVME_NVM_COMPARE      0x05
#define NVME_NVM_WRITE_ZEROES 0x08
#define NVME_NVM_DSM	      0x09

/* NVM CS §3.2 (Read, Write, Compare, Write Zeroes): CDW10/11 SLBA, CDW12
 * NLB 15:0 (0's based), DEAC 25 (Write Zeroes), FUA 30, LR 31 */
#define NVME_IO_NLB_MASK 0xffffu
#define NVME_IO_DEAC	 (1u << 25)
#define NVME_IO_FUA	 (1u << 30)
/* NVM CS §3.2.3 Dataset Management: CDW10 NR 7:0 (0's based ranges) */
#define NVME_DSM_NR_MASK    0xffu
#define NVME_DSM_MAX_RANGES 256
/* Base §3.2.1.1 (NSID FFFFFFFFh): every namespace attached */
#define NVME_NSID_ALL 0xffffffffu

/* ---- Command dwords ---- */

/* Base §5.3.1 / §5.3.2 Create I/O CQ / SQ: CDW10 QID 15:0, QSIZE 31:16
 * (0's based); CQ CDW11 PC 0, IEN 1, IV 31:16; SQ CDW11 PC 0, QPRIO 2:1,
 * CQID 31:16 */
#define NVME_CREATE_Q_PC   (1u << 0)
#define NVME_CREATE_CQ_IEN (1u << 1)

/* Base §5.2.13 Identify: CDW10 CNS 7:0, CNTID 31:16; CDW11 CSI 31:24 */
#define NVME_IDENTIFY_NS	     0x00
#define NVME_IDENTIFY_CTRL	     0x01
#define NVME_IDENTIFY_ACTIVE_NS_LIST 0x02
#define NVME_IDENTIFY_NS_DESC_LIST   0x03
#define NVME_IDENTIFY_CSI_NS	     0x05
#define NVME_IDENTIFY_CSI_CTRL	     0x06
#define NVME_IDENTIFY_CSI_ACTIVE_NS  0x07
#define NVME_IDENTIFY_CSI_INDEP_NS   0x08
#define NVME_IDENTIFY_IOCS	     0x1c
#define NVME_IDENTIFY_DATA_SIZE	     4096
#define NVME_CSI_NVM		     0x00
#define NVME_IDENTIFY_CNS_MASK	     0xffu
#define NVME_IDENTIFY_CSI_SHIFT	     24
/* Base §5.1.13.2 an active namespace ID list holds 1024 NSIDs */
#define NVME_IDENTIFY_NS_LIST_MAX 1024

/* Base §5.2.12 Get Log Page: CDW10 LID 7:0, LSP 14:8, RAE 15, NUMDL
 * 31:16; CDW11 NUMDU 15:0; CDW12/13 offset (LPOL/LPOU) */
#define NVME_LOG_SUPPORTED   0x00
#define NVME_LOG_ERROR	     0x01
#define NVME_LOG_SMART	     0x02
#define NVME_LOG_FW_SLOT     0x03
#define NVME_LOG_CHANGED_NS  0x04
#define NVME_LOG_CMD_EFFECTS 0x05
#define NVME_LOG_LSP_SHIFT   8
#define NVME_LOG_LSP_MASK    0x7fu
#define NVME_LOG_RAE	     (1u << 15)
#define NVME_LOG_NUMDL_SHIFT 16
#define NVME_LOG_NUMDU_MASK  0xffffu
/* CDW14: UUID index 6:0, OT 23 (offset is an index), CSI 31:24 */
#define NVME_LOG_OT	   (1u << 23)
#define NVME_LOG_CSI_SHIFT 24

/* Base §5.2.26 (and §5.2.26.2 for PCIe) feature identifiers; Get/Set
 * Features CDW10 FID 7:0, Get SEL 10:8, Set SV 31 */
#define NVME_FEAT_ARBITRATION	     0x01
#define NVME_FEAT_POWER_MGMT	     0x02
#define NVME_FEAT_TEMP_THRESHOLD     0x04
#define NVME_FEAT_ERROR_RECOVERY     0x05
#define NVME_FEAT_VOLATILE_WC	     0x06
#define NVME_FEAT_NUM_QUEUES	     0x07
#define NVME_FEAT_IRQ_COALESCING     0x08
#define NVME_FEAT_IRQ_VECTOR_CONFIG  0x09
#define NVME_FEAT_WRITE_ATOMICITY    0x0a
#define NVME_FEAT_ASYNC_EVENT_CONFIG 0x0b
#define NVME_FEAT_TIMESTAMP	     0x0e
#define NVME_FEAT_KEEP_ALIVE	     0x0f
#define NVME_FEAT_HOST_BEHAVIOR	     0x16

/* ---- Identify data: Base §5.2.13.2 ---- */

/* Base §5.2.13.2.1 (Figure 329) a power state descriptor */
struct nvme_psd {
	uint16_t mp;
	uint8_t rsvd2;
	uint8_t flags; /* MXPS 0, NOPS 1 */
	uint32_t enlat;
	uint32_t exlat;
	uint8_t rrt;
	uint8_t rrl;
	uint8_t rwt;
	uint8_t rwl;
	uint16_t idlp;
	uint8_t ips;
	uint8_t rsvd19;
	uint16_t actp;
	uint8_t apw_aps;
	uint8_t rsvd23[9];
} __attribute__((packed));
NVME_AT(struct nvme_psd, mp, 0);
NVME_AT(struct nvme_psd, flags, 3);
NVME_AT(struct nvme_psd, enlat, 4);
NVME_AT(struct nvme_psd, exlat, 8);
NVME_AT(struct nvme_psd, rrt, 12);
NVME_AT(struct nvme_psd, rrl, 13);
NVME_AT(struct nvme_psd, rwt, 14);
NVME_AT(struct nvme_psd, rwl, 15);
NVME_AT(struct nvme_psd, idlp, 16);
NVME_AT(struct nvme_psd, ips, 18);
NVME_AT(struct nvme_psd, actp, 20);
NVME_AT(struct nvme_psd, apw_aps, 22);
_Static_assert(sizeof(struct nvme_psd) == 32, "Base Figure 329");

/* Base §5.2.13.2.1 (Figure 328) Identify Controller, CNS 01h: the fields
 * issue 13's controller fills in; everything else reserved here. */
struct nvme_id_ctrl {
	uint16_t vid;
	uint16_t ssvid;
	char sn[20]; /* ASCII, space padded */
	char mn[40];
	char fr[8];
	uint8_t rab;
	uint8_t ieee[3];
	uint8_t cmic;
	uint8_t mdts; /* 2 ^ MDTS units of CAP.MPSMIN; 0: no limit */
	uint16_t cntlid;
	uint32_t ver;
	uint32_t rtd3r;
	uint32_t rtd3e;
	uint32_t oaes;
	uint32_t ctratt;
	uint8_t rsvd100[11];
	uint8_t cntrltype;
	uint8_t fguid[16];
	uint8_t rsvd128[128]; /* CRDT1-3 at 134, NVMe-MI fields at 240 */
	uint16_t oacs;
	uint8_t acl;  /* 0's based */
	uint8_t aerl; /* 0's based */
	uint8_t frmw;
	uint8_t lpa;
	uint8_t elpe; /* 0's based */
	uint8_t npss; /* 0's based */
	uint8_t avscc;
	uint8_t apsta;
	uint16_t wctemp;
	uint16_t cctemp;
	uint8_t rsvd270[50];
	uint16_t kas;
	uint8_t rsvd322[190];
	uint8_t sqes; /* required 3:0, maximum 7:4, log2 */
	uint8_t cqes;
	uint16_t maxcmd;
	uint32_t nn;
	uint16_t oncs;
	uint16_t fuses;
	uint8_t fna;
	uint8_t vwc;
	uint16_t awun;
	uint16_t awupf;
	uint8_t icsvscc;
	uint8_t nwpc;
	uint16_t acwu;
	uint16_t ocfs;
	uint32_t sgls;
	uint32_t mnan;
	uint8_t rsvd544[224];
	char subnqn[256];
	uint8_t rsvd1024[1024]; /* NVMe over Fabrics fields at 1792 */
	struct nvme_psd psd[32];
	uint8_t vs[1024];
} __attribute__((packed));
NVME_AT(struct nvme_id_ctrl, vid, 0);
NVME_AT(struct nvme_id_ctrl, ssvid, 2);
NVME_AT(struct nvme_id_ctrl, sn, 4);
NVME_AT(struct nvme_id_ctrl, mn, 24);
NVME_AT(struct nvme_id_ctrl, fr, 64);
NVME_AT(struct nvme_id_ctrl, rab, 72);
NVME_AT(struct nvme_id_ctrl, ieee, 73);
NVME_AT(struct nvme_id_ctrl, cmic, 76);
NVME_AT(struct nvme_id_ctrl, mdts, 77);
NVME_AT(struct nvme_id_ctrl, cntlid, 78);
NVME_AT(struct nvme_id_ctrl, ver, 80);
NVME_AT(struct nvme_id_ctrl, rtd3r, 84);
NVME_AT(struct nvme_id_ctrl, rtd3e, 88);
NVME_AT(struct nvme_id_ctrl, oaes, 92);
NVME_AT(struct nvme_id_ctrl, ctratt, 96);
NVME_AT(struct nvme_id_ctrl, rsvd100, 100);
NVME_AT(struct nvme_id_ctrl, cntrltype, 111);
NVME_AT(struct nvme_id_ctrl, fguid, 112);
NVME_AT(struct nvme_id_ctrl, rsvd128, 128);
NVME_AT(struct nvme_id_ctrl, oacs, 256);
NVME_AT(struct nvme_id_ctrl, acl, 258);
NVME_AT(struct nvme_id_ctrl, aerl, 259);
NVME_AT(struct nvme_id_ctrl, frmw, 260);
NVME_AT(struct nvme_id_ctrl, lpa, 261);
NVME_AT(struct nvme_id_ctrl, elpe, 262);
NVME_AT(struct nvme_id_ctrl, npss, 263);
NVME_AT(struct nvme_id_ctrl, avscc, 264);
NVME_AT(struct nvme_id_ctrl, apsta, 265);
NVME_AT(struct nvme_id_ctrl, wctemp, 266);
NVME_AT(struct nvme_id_ctrl, cctemp, 268);
NVME_AT(struct nvme_id_ctrl, rsvd270, 270);
NVME_AT(struct nvme_id_ctrl, kas, 320);
NVME_AT(struct nvme_id_ctrl, rsvd322, 322);
NVME_AT(struct nvme_id_ctrl, sqes, 512);
NVME_AT(struct nvme_id_ctrl, cqes, 513);
NVME_AT(struct nvme_id_ctrl, maxcmd, 514);
NVME_AT(struct nvme_id_ctrl, nn, 516);
NVME_AT(struct nvme_id_ctrl, oncs, 520);
NVME_AT(struct nvme_id_ctrl, fuses, 522);
NVME_AT(struct nvme_id_ctrl, fna, 524);
NVME_AT(struct nvme_id_ctrl, vwc, 525);
NVME_AT(struct nvme_id_ctrl, awun, 526);
NVME_AT(struct nvme_id_ctrl, awupf, 528);
NVME_AT(struct nvme_id_ctrl, icsvscc, 530);
NVME_AT(struct nvme_id_ctrl, nwpc, 531);
NVME_AT(struct nvme_id_ctrl, acwu, 532);
NVME_AT(struct nvme_id_ctrl, ocfs, 534);
NVME_AT(struct nvme_id_ctrl, sgls, 536);
NVME_AT(struct nvme_id_ctrl, mnan, 540);
NVME_AT(struct nvme_id_ctrl, rsvd544, 544);
NVME_AT(struct nvme_id_ctrl, subnqn, 768);
NVME_AT(struct nvme_id_ctrl, rsvd1024, 1024);
NVME_AT(struct nvme_id_ctrl, psd, 2048);
NVME_AT(struct nvme_id_ctrl, vs, 3072);
_Static_assert(sizeof(struct nvme_id_ctrl) == NVME_IDENTIFY_DATA_SIZE, "Base Figure 328");

/* Identify Controller bits the controller and host agree on */
#define NVME_CTRL_OACS_DBBUF	      (1u << 8) /* Doorbell Buffer Config */
#define NVME_CTRL_LPA_CMD_EFFECTS     (1u << 1)
#define NVME_CTRL_LPA_EXTENDED	      (1u << 2)
#define NVME_CTRL_ONCS_COMPARE	      (1u << 0)
#define NVME_CTRL_ONCS_DSM	      (1u << 2)
#define NVME_CTRL_ONCS_WRITE_ZEROES   (1u << 3)
#define NVME_CTRL_ONCS_FEATURES_SEL   (1u << 4) /* Get Features SEL, Set SV */
#define NVME_CTRL_ONCS_TIMESTAMP      (1u << 6)
#define NVME_CTRL_FUSES_COMPARE_WRITE (1u << 0)
#define NVME_CTRL_VWC_PRESENT	      (1u << 0)
#define NVME_CTRL_VWC_FLUSH_ALL	      (3u << 1) /* Flush of NSID FFFFFFFFh supported */
#define NVME_CTRL_FRMW_SLOT1_RO	      (1u << 0)
#define NVME_CTRL_FRMW_SLOTS_SHIFT    1
#define NVME_CTRL_CNTRLTYPE_IO	      0x1
#define NVME_CTRL_OAES_NS_ATTR	      (1u << 8) /* Namespace Attribute Notices */
/* SGLS 1:0: 01b byte aligned SGLs, 10b SGLs with dword alignment and
 * granularity for Data Blocks (Base §4.3.2); bit 16 bit buckets */
#define NVME_CTRL_SGLS_SUPPORT_MASK 0x3u
#define NVME_CTRL_SGLS_BYTE	    0x1u
#define NVME_CTRL_SGLS_DWORD	    0x2u
#define NVME_CTRL_SGLS_BIT_BUCKET   (1u << 16)

/* NVM CS, the LBA Format data structure of Identify Namespace */
struct nvme_lbaf {
	uint16_t ms;   /* metadata bytes per LBA */
	uint8_t lbads; /* LBA data size, 2 ^ LBADS bytes */
	uint8_t rp;    /* relative performance 1:0 */
} __attribute__((packed));
NVME_AT(struct nvme_lbaf, ms, 0);
NVME_AT(struct nvme_lbaf, lbads, 2);
NVME_AT(struct nvme_lbaf, rp, 3);
_Static_assert(sizeof(struct nvme_lbaf) == 4, "NVM CS LBA Format");

/* NVM CS, Identify Namespace data structure for the NVM command set (CNS
 * 00h; Base §5.2.13.2 leaves its layout to the command set) */
struct nvme_id_ns {
	uint64_t nsze;
	uint64_t ncap;
	uint64_t nuse;
	uint8_t nsfeat;
	uint8_t nlbaf; /* 0's based */
	uint8_t flbas; /* format index 3:0 (and 6:5 as bits 5:4) */
	uint8_t mc;
	uint8_t dpc;
	uint8_t dps;
	uint8_t nmic;
	uint8_t rescap;
	uint8_t fpi;
	uint8_t dlfeat;
	uint16_t nawun;
	uint16_t nawupf;
	uint16_t nacwu;
	uint16_t nabsn;
	uint16_t nabo;
	uint16_t nabspf;
	uint16_t noiob;
	uint8_t nvmcap[16];
	uint16_t npwg;
	uint16_t npwa;
	uint16_t npdg;
	uint16_t npda;
	uint16_t nows;
	uint8_t rsvd74[18]; /* Copy limits and others this header leaves out */
	uint32_t anagrpid;
	uint8_t rsvd96[3];
	uint8_t nsattr;
	uint16_t nvmsetid;
	uint16_t endgid;
	uint8_t nguid[16];
	uint8_t eui64[8];
	struct nvme_lbaf lbaf[64];
	uint8_t vs[3712];
} __attribute__((packed));
NVME_AT(struct nvme_id_ns, nsze, 0);
NVME_AT(struct nvme_id_ns, ncap, 8);
NVME_AT(struct nvme_id_ns, nuse, 16);
NVME_AT(struct nvme_id_ns, nsfeat, 24);
NVME_AT(struct nvme_id_ns, nlbaf, 25);
NVME_AT(struct nvme_id_ns, flbas, 26);
NVME_AT(struct nvme_id_ns, mc, 27);
NVME_AT(struct nvme_id_ns, dpc, 28);
NVME_AT(struct nvme_id_ns, dps, 29);
NVME_AT(struct nvme_id_ns, nmic, 30);
NVME_AT(struct nvme_id_ns, rescap, 31);
NVME_AT(struct nvme_id_ns, fpi, 32);
NVME_AT(struct nvme_id_ns, dlfeat, 33);
NVME_AT(struct nvme_id_ns, nawun, 34);
NVME_AT(struct nvme_id_ns, nawupf, 36);
NVME_AT(struct nvme_id_ns, nacwu, 38);
NVME_AT(struct nvme_id_ns, nabsn, 40);
NVME_AT(struct nvme_id_ns, nabo, 42);
NVME_AT(struct nvme_id_ns, nabspf, 44);
NVME_AT(struct nvme_id_ns, noiob, 46);
NVME_AT(struct nvme_id_ns, nvmcap, 48);
NVME_AT(struct nvme_id_ns, npwg, 64);
NVME_AT(struct nvme_id_ns, npwa, 66);
NVME_AT(struct nvme_id_ns, npdg, 68);
NVME_AT(struct nvme_id_ns, npda, 70);
NVME_AT(struct nvme_id_ns, nows, 72);
NVME_AT(struct nvme_id_ns, rsvd74, 74);
NVME_AT(struct nvme_id_ns, anagrpid, 92);
NVME_AT(struct nvme_id_ns, rsvd96, 96);
NVME_AT(struct nvme_id_ns, nsattr, 99);
NVME_AT(struct nvme_id_ns, nvmsetid, 100);
NVME_AT(struct nvme_id_ns, endgid, 102);
NVME_AT(struct nvme_id_ns, nguid, 104);
NVME_AT(struct nvme_id_ns, eui64, 120);
NVME_AT(struct nvme_id_ns, lbaf, 128);
NVME_AT(struct nvme_id_ns, vs, 384);
_Static_assert(sizeof(struct nvme_id_ns) == NVME_IDENTIFY_DATA_SIZE, "NVM CS Identify Namespace");
#define NVME_NS_FLBAS_INDEX(flbas) ((flbas)&0xf)
#define NVME_NS_DLFEAT_READ_ZEROES 0x1	     /* deallocated blocks read as zeroes */
#define NVME_NS_DLFEAT_WZ_DEALLOC  (1u << 3) /* Write Zeroes may deallocate */
#define NVME_NS_NSFEAT_OPTPERF	   (1u << 4) /* NPWG, NPWA, NPDG, NPDA, NOWS valid */
#define NVME_NS_NSATTR_WP	   0x1	     /* namespace is write protected */

/* NVM CS §4.1.5 the I/O Command Set specific Identify Namespace data
 * structure for the NVM Command Set (CNS 05h, CSI 00h): each ELBAF only
 * describes protection information formats, all zero without PI. */
struct nvme_id_ns_nvm {
	uint64_t lbstm;
	uint8_t pic;
	uint8_t rsvd9[3];
	uint32_t elbaf[64];
	uint8_t rsvd268[3828];
} __attribute__((packed));
NVME_AT(struct nvme_id_ns_nvm, lbstm, 0);
NVME_AT(struct nvme_id_ns_nvm, pic, 8);
NVME_AT(struct nvme_id_ns_nvm, elbaf, 12);
NVME_AT(struct nvme_id_ns_nvm, rsvd268, 268);
_Static_assert(sizeof(struct nvme_id_ns_nvm) == NVME_IDENTIFY_DATA_SIZE, "NVM CS §4.1.5");

/* NVM CS §4.1.5 the I/O Command Set specific Identify Controller data
 * structure for the NVM Command Set (CNS 06h, CSI 00h); the size limits
 * are 2 ^ n units of CAP.MPSMIN, 0 none. */
struct nvme_id_ctrl_nvm {
	uint8_t vsl;	/* Verify size limit */
	uint8_t wzsl;	/* Write Zeroes size limit */
	uint8_t wusl;	/* Write Uncorrectable size limit */
	uint8_t dmrl;	/* Dataset Management ranges limit */
	uint32_t dmrsl; /* Dataset Management range size limit, blocks */
	uint64_t dmsl;	/* Dataset Management size limit, blocks */
	uint8_t rsvd16[4080];
} __attribute__((packed));
NVME_AT(struct nvme_id_ctrl_nvm, vsl, 0);
NVME_AT(struct nvme_id_ctrl_nvm, wzsl, 1);
NVME_AT(struct nvme_id_ctrl_nvm, wusl, 2);
NVME_AT(struct nvme_id_ctrl_nvm, dmrl, 3);
NVME_AT(struct nvme_id_ctrl_nvm, dmrsl, 4);
NVME_AT(struct nvme_id_ctrl_nvm, dmsl, 8);
_Static_assert(sizeof(struct nvme_id_ctrl_nvm) == NVME_IDENTIFY_DATA_SIZE, "NVM CS §4.1.5");

/* Base §5.1.13.2 the Identify I/O Command Set data structure (CNS 1Ch):
 * 512 I/O Command Set combinations, each a bit per CSI */
#define NVME_IOCS_COMBINATIONS 512
#define NVME_IOCS_VECTOR_NVM   (1ull << NVME_CSI_NVM)

/* Base §5.2.13.2.3 a Namespace Identification Descriptor's header; NIDL
 * bytes of NID follow */
struct nvme_ns_id_desc {
	uint8_t nidt;
	uint8_t nidl;
	uint8_t rsvd2[2];
} __attribute__((packed));
NVME_AT(struct nvme_ns_id_desc, nidt, 0);
NVME_AT(struct nvme_ns_id_desc, nidl, 1);
NVME_AT(struct nvme_ns_id_desc, rsvd2, 2);
_Static_assert(sizeof(struct nvme_ns_id_desc) == 4, "Base §5.2.13.2.3");
#define NVME_NIDT_EUI64 0x1 /* NIDL 8 */
#define NVME_NIDT_NGUID 0x2 /* NIDL 16 */
#define NVME_NIDT_UUID	0x3 /* NIDL 16 */
#define NVME_NIDT_CSI	0x4 /* NIDL 1 */

/* ---- Log pages: Base §5.2.12.1 ---- */

/* Base §5.2.12.1.2 an Error Information log entry */
struct nvme_error_log {
	uint64_t error_count;
	uint16_t sqid;
	uint16_t cid;
	uint16_t status; /* status 15:1 as in a CQE, phase 0 */
	uint16_t pel;	 /* parameter error location: byte 7:0, bit 10:8 */
	uint64_t lba;
	uint32_t nsid;
	uint8_t vsia;
	uint8_t trtype;
	uint8_t csi;
	uint8_t opc;
	uint64_t csinfo;
	uint16_t ttsi;
	uint8_t rsvd42[21];
	uint8_t lpver;
} __attribute__((packed));
NVME_AT(struct nvme_error_log, error_count, 0);
NVME_AT(struct nvme_error_log, sqid, 8);
NVME_AT(struct nvme_error_log, cid, 10);
NVME_AT(struct nvme_error_log, status, 12);
NVME_AT(struct nvme_error_log, pel, 14);
NVME_AT(struct nvme_error_log, lba, 16);
NVME_AT(struct nvme_error_log, nsid, 24);
NVME_AT(struct nvme_error_log, vsia, 28);
NVME_AT(struct nvme_error_log, trtype, 29);
NVME_AT(struct nvme_error_log, csi, 30);
NVME_AT(struct nvme_error_log, opc, 31);
NVME_AT(struct nvme_error_log, csinfo, 32);
NVME_AT(struct nvme_error_log, ttsi, 40);
NVME_AT(struct nvme_error_log, rsvd42, 42);
NVME_AT(struct nvme_error_log, lpver, 63);
_Static_assert(sizeof(struct nvme_error_log) == 64, "Base §5.2.12.1.2");

/* Base §5.2.12.1.3 SMART / Health Information; the 128-bit counters are
 * kept as bytes (little-endian). */
struct nvme_smart_log {
	uint8_t critical_warning;
	uint16_t ctemp; /* Kelvin */
	uint8_t avsp;
	uint8_t avspt;
	uint8_t pused;
	uint8_t egcws;
	uint8_t rsvd7[25];
	uint8_t data_units_read[16]; /* 1000 x 512 bytes */
	uint8_t data_units_written[16];
	uint8_t host_read_cmds[16];
	uint8_t host_write_cmds[16];
	uint8_t ctrl_busy_time[16];
	uint8_t power_cycles[16];
	uint8_t power_on_hours[16];
	uint8_t unsafe_shutdowns[16];
	uint8_t media_errors[16];
	uint8_t num_err_log_entries[16];
	uint32_t wctt;
	uint32_t cctt;
	uint16_t tsen[8];
	uint32_t tmt1tc;
	uint32_t tmt2tc;
	uint32_t tttmt1;
	uint32_t tttmt2;
	uint64_t olec;
	uint32_t ipm;
	uint8_t rsvd244[268];
} __attribute__((packed));
NVME_AT(struct nvme_smart_log, critical_warning, 0);
NVME_AT(struct nvme_smart_log, ctemp, 1);
NVME_AT(struct nvme_smart_log, avsp, 3);
NVME_AT(struct nvme_smart_log, avspt, 4);
NVME_AT(struct nvme_smart_log, pused, 5);
NVME_AT(struct nvme_smart_log, egcws, 6);
NVME_AT(struct nvme_smart_log, rsvd7, 7);
NVME_AT(struct nvme_smart_log, data_units_read, 32);
NVME_AT(struct nvme_smart_log, data_units_written, 48);
NVME_AT(struct nvme_smart_log, host_read_cmds, 64);
NVME_AT(struct nvme_smart_log, host_write_cmds, 80);
NVME_AT(struct nvme_smart_log, ctrl_busy_time, 96);
NVME_AT(struct nvme_smart_log, power_cycles, 112);
NVME_AT(struct nvme_smart_log, power_on_hours, 128);
NVME_AT(struct nvme_smart_log, unsafe_shutdowns, 144);
NVME_AT(struct nvme_smart_log, media_errors, 160);
NVME_AT(struct nvme_smart_log, num_err_log_entries, 176);
NVME_AT(struct nvme_smart_log, wctt, 192);
NVME_AT(struct nvme_smart_log, cctt, 196);
NVME_AT(struct nvme_smart_log, tsen, 200);
NVME_AT(struct nvme_smart_log, tmt1tc, 216);
NVME_AT(struct nvme_smart_log, tmt2tc, 220);
NVME_AT(struct nvme_smart_log, tttmt1, 224);
NVME_AT(struct nvme_smart_log, tttmt2, 228);
NVME_AT(struct nvme_smart_log, olec, 232);
NVME_AT(struct nvme_smart_log, ipm, 240);
NVME_AT(struct nvme_smart_log, rsvd244, 244);
_Static_assert(sizeof(struct nvme_smart_log) == 512, "Base §5.2.12.1.3");
#define NVME_SMART_CW_READ_ONLY (1u << 3) /* media placed in read only mode */

/* Base §5.1.12.1 Firmware Slot Information */
struct nvme_fw_slot_log {
	uint8_t afi; /* active slot 2:0, next slot 6:4 */
	uint8_t rsvd1[7];
	char frs[7][8]; /* revision in slot 1..7, ASCII, space padded */
	uint8_t rsvd64[448];
} __attribute__((packed));
NVME_AT(struct nvme_fw_slot_log, afi, 0);
NVME_AT(struct nvme_fw_slot_log, frs, 8);
NVME_AT(struct nvme_fw_slot_log, rsvd64, 64);
_Static_assert(sizeof(struct nvme_fw_slot_log) == 512, "Base §5.1.12.1");

/* Base §5.1.12.1 Changed Namespace List: 1024 NSIDs, FFFFFFFFh first
 * when more changed */
#define NVME_CHANGED_NS_MAX 1024

/* Base §5.1.12.1 Commands Supported and Effects: a dword per admin
 * opcode, then one per I/O opcode */
struct nvme_cmd_effects_log {
	uint32_t acs[256];
	uint32_t iocs[256];
	uint8_t rsvd2048[2048];
} __attribute__((packed));
NVME_AT(struct nvme_cmd_effects_log, acs, 0);
NVME_AT(struct nvme_cmd_effects_log, iocs, 1024);
NVME_AT(struct nvme_cmd_effects_log, rsvd2048, 2048);
_Static_assert(sizeof(struct nvme_cmd_effects_log) == 4096, "Base §5.1.12.1");
#define NVME_CMD_EFFECTS_CSUPP (1u << 0) /* command supported */
#define NVME_CMD_EFFECTS_LBCC  (1u << 1) /* may change logical block content */

/* Base §5.1.12.1 Supported Log Pages: a dword per LID */
#define NVME_LOG_LSUPP (1u << 0)

/* ---- NVM CS, Dataset Management command: a range (16 bytes) ---- */
struct nvme_dsm_range {
	uint32_t cattr;
	uint32_t nlb; /* not 0's based */
	uint64_t slba;
} __attribute__((packed));
NVME_AT(struct nvme_dsm_range, cattr, 0);
NVME_AT(struct nvme_dsm_range, nlb, 4);
NVME_AT(struct nvme_dsm_range, slba, 8);
_Static_assert(sizeof(struct nvme_dsm_range) == 16, "NVM CS Dataset Management range");
#define NVME_DSM_AD (1u << 2) /* CDW11: Attribute - Deallocate */

#endif
