/* SPDX-License-Identifier: MIT */
/*
 * The NVMe suite: every case, the sentence it enforces and how it reads the
 * spec, for an NVMe controller behind vfio-user (the NVMe over PCIe
 * register model). The checks live in suite_nvme_*.c, one file per area;
 * docs/conformance/audit-nvme.md records why each case has its level.
 *
 * The areas follow the groups of the UNH-IOL NVMe conformance test plan so
 * that a vendor can map them: controller registers (its group 3), reset and
 * shutdown, the admin command set (group 1), the NVM command set I/O
 * (group 2), data pointers (PRP/SGL), asynchronous events, fused operations
 * and abort.
 *
 * Levels: NVMe Base 2.1 writes its normative keywords in lower case
 * ("shall", "should", "may"). A case is MUST, SHOULD or MAY only when its
 * quote carries one; behaviour the spec states as plain description or in
 * the NVM Command Set (no text of it is at hand to quote word for word) is
 * an advisory with a severity.
 */
#include "conformance/suite_nvme.h"
#include "util/common.h"

static const struct conform_case g_cases[] = {
    /* ---- Controller properties (NVME-REG): Base §3.1.4 ---- */
    {
	.id = "NVME-REG-001",
	.title = "CAP and VS as the controller reports them",
	.spec = "NVMe Base 2.1 §3.1.4.1, §3.1.4.2",
	.quote = "This property is Read Only (RO) and indicates the version of this "
		 "specification that the controller supports",
	.level = CONFORM_INFO,
	.description = "Records the capabilities a host sizes its queues and waits by (MQES, "
		       "TO, DSTRD, CSS, MPSMIN/MPSMAX) and the version the controller claims; "
		       "the spec leaves their values to the implementation.",
	.run = nvme_reg_cap_vs,
    },
    {
	.id = "NVME-REG-002",
	.title = "CAP.MQES allows queues of two entries or more",
	.spec = "NVMe Base 2.1 §3.1.4.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "CAP.MQES (0's based) must be 1h or more: a queue is full with one entry left free, so "
	    "a queue of one entry holds no command. Base 2.1 §3.1.4.1 defines MQES and its minimum "
	    "of 1h without a keyword, so this is an advisory.",
	.run = nvme_reg_cap_mqes,
    },
    {
	.id = "NVME-REG-003",
	.title = "CAP.TO gives a host a time to wait",
	.spec = "NVMe Base 2.1 §3.1.4.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "CAP.TO is the worst-case time a host waits for CSTS.RDY to change; a "
		       "controller that reports 0 tells the host to give up at once. Base 2.1 says "
		       "nothing that forbids 0, so this is an advisory.",
	.run = nvme_reg_cap_to,
    },
    {
	.id = "NVME-REG-004",
	.title = "CAP.CSS offers the NVM Command Set or I/O Command Sets",
	.spec = "NVMe Base 2.1 §3.1.4.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "CAP.CSS must have bit 0 (NVM Command Set) or bit 6 (one or more I/O Command Sets) set "
	    "for the I/O cases of this suite to make sense. Base 2.1 defines CSS's bits without a "
	    "keyword that requires either, so this is an advisory.",
	.run = nvme_reg_cap_css,
    },
    {
	.id = "NVME-REG-005",
	.title = "CAP.MPSMIN is not above CAP.MPSMAX",
	.spec = "NVMe Base 2.1 §3.1.4.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "CC.MPS must lie in CAP.MPSMIN..CAP.MPSMAX, so MPSMIN above MPSMAX leaves "
		       "the host no page size. Base 2.1 defines both fields without a keyword that "
		       "orders them, so this is an advisory.",
	.run = nvme_reg_cap_mps,
    },
    {
	.id = "NVME-REG-006",
	.title = "CAP and VS ignore writes",
	.spec = "NVMe Base 2.1 §3.1.4.1, §3.1.4.2",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "The case writes the complement of CAP (8 bytes) and VS and reads both again: they "
	    "must be unchanged. Base 2.1 marks both read-only (RO) in its property tables; it "
	    "defines the RO type without a keyword about writes, so this is an advisory.",
	.run = nvme_reg_ro_ignored,
    },
    {
	.id = "NVME-REG-007",
	.title = "CC.CRIME stays 0 when CAP.CRMS is not 11b",
	.spec = "NVMe Base 2.1 §3.1.4.5",
	.quote = "If the CAP.CRMS field is not set to 11b, then this bit is RO and shall be "
		 "cleared to ‘0’.",
	.level = CONFORM_MUST,
	.description = "With CAP.CRMS other than 11b, CC.CRIME (bit 24) is read-only 0: the case "
		       "writes CC with CRIME set while the controller is disabled and reads CC "
		       "back; bit 24 must read 0. N/A when CAP.CRMS is 11b.",
	.run = nvme_reg_crime_ro,
    },
    {
	.id = "NVME-REG-008",
	.title = "Identify Controller VER equals the VS property",
	.spec = "NVMe Base 2.1 §3.1.4.2, §5.1.13.2.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "A host reads the version from either place; they must agree. Base 2.1 defines VER as "
	    "the value reported in VS without a keyword, so this is an advisory.",
	.run = nvme_reg_vs_ver,
    },
    {
	.id = "NVME-REG-009",
	.title = "AQA, ASQ and ACQ read back what was written",
	.spec = "NVMe Base 2.1 §3.1.4.8 - §3.1.4.10",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "While the controller is disabled the case writes AQA (8 entries each), ASQ and ACQ "
	    "(page-aligned addresses) and reads each back unchanged. Base 2.1 defines them as "
	    "read-write (RW) without a keyword about reading back, so this is an advisory.",
	.run = nvme_reg_admin_props,
    },
    {
	.id = "NVME-REG-010",
	.title =
	    "A doorbell of a queue not created: an error event or nothing, and service goes on",
	.spec = "NVMe Base 2.1 §5.1.2",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "With an Asynchronous Event Request outstanding, the case writes the SQ tail doorbell "
	    "of an I/O queue that was never created (as a property write). The controller may "
	    "answer with an Error event, Invalid Doorbell Register (information 00h), or ignore "
	    "the write; the case fails on any other completion, or when Identify or the endpoint "
	    "no longer answers. Base 2.1 lists the event without a keyword that requires it, so "
	    "this is an advisory.",
	.run = nvme_reg_db_no_queue,
    },
    {
	.id = "NVME-REG-011",
	.title = "An SQ tail doorbell past the queue's end: an error event or nothing, and service "
		 "goes on",
	.spec = "NVMe Base 2.1 §5.1.2",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "With an Asynchronous Event Request outstanding, the case writes I/O SQ 1's tail "
	    "doorbell with a value past the queue's last entry. The controller may answer with an "
	    "Error event, Invalid Doorbell Write Value (information 01h), or ignore it; it must "
	    "not fetch past the ring, and must keep serving (Identify, then the endpoint). Base "
	    "2.1 lists the event without a keyword that requires it, so this is an advisory.",
	.run = nvme_reg_db_bad_value,
    },

/* Sentences more than one case enforces (Base 2.1 §3.1.4.5, §5.1.13.2.2). */
#define NVME_QUOTE_RESET_DATA                                                                      \
	"The controller shall ensure that there is no impact (e.g., data loss) caused by "         \
	"that Controller Reset to the results of commands that have had corresponding "            \
	"completion queue entries posted to an I/O Completion Queue prior to that "                \
	"Controller Reset."
#define NVME_QUOTE_RESET_DELETES                                                                   \
	"That reset deletes all I/O Submission Queues and I/O Completion Queues, resets "          \
	"the Admin Submission Queue and the Admin Completion Queue, and brings the "               \
	"hardware to an idle state."
#define NVME_QUOTE_NS_LIST                                                                         \
	"A list of 1,024 namespace IDs is returned to the host containing active NSIDs in "        \
	"increasing order that are greater than the value specified in the Namespace "             \
	"Identifier (NSID) field of the command."
    /* ---- Reset and shutdown (NVME-RST): Base §3.1.4.5, §3.6, §3.7.2 ---- */
    {
	.id = "NVME-RST-001",
	.title = "CC.EN 1 -> 0 clears CSTS.RDY within CAP.TO",
	.spec = "NVMe Base 2.1 §3.1.4.5",
	.quote = "When this bit is cleared to ‘0’, the CSTS.RDY bit is cleared to ‘0’ by the "
		 "controller once the controller is ready to be re -enabled.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "After CC.EN is cleared with I/O queues live, CSTS.RDY must read 0 within "
		       "CAP.TO, or a host cannot re-enable. Base 2.1 §3.1.4.5 states it without a "
		       "keyword (CAP.TO bounds the host's wait), so this is an advisory.",
	.run = nvme_rst_rdy_clears,
    },
    {
	.id = "NVME-RST-002",
	.title = "A Controller Reset deletes the I/O queues",
	.spec = "NVMe Base 2.1 §3.1.4.5",
	.quote = NVME_QUOTE_RESET_DELETES,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "After a reset and a new enable, I/O SQ 1 of before cannot be deleted (Invalid Queue "
	    "Identifier) and an SQ on I/O CQ 1 of before is refused (Completion Queue Invalid). "
	    "Base 2.1 §3.1.4.5 defines the reset without a keyword, so this is an advisory.",
	.run = nvme_rst_queues_deleted,
    },
    {
	.id = "NVME-RST-003",
	.title = "A disabled controller runs no command",
	.spec = "NVMe Base 2.1 §3.1.4.5",
	.quote = "When cleared to ‘0’, then the controller shall not process commands nor post "
		 "completion queue entries to Completion Queues.",
	.level = CONFORM_MUST,
	.description =
	    "After a reset (CC.EN 0, CSTS.RDY 0) the case puts a Write of a new pattern on the old "
	    "I/O SQ 1 and rings its doorbell: no completion entry may come within 300 ms, and once "
	    "the controller is enabled again the block reads back as written before the reset.",
	.run = nvme_rst_disabled_idle,
    },
    {
	.id = "NVME-RST-004",
	.title = "Data written before a Controller Reset survives it",
	.spec = "NVMe Base 2.1 §3.1.4.5",
	.quote = NVME_QUOTE_RESET_DATA,
	.level = CONFORM_MUST,
	.description =
	    "A Write completes (its entry posted), CC.EN goes 1 -> 0, the controller is enabled "
	    "again with a new queue pair, and a Read of the block returns the bytes written.",
	.run = nvme_rst_data_kept,
    },
    {
	.id = "NVME-RST-005",
	.title = "A Controller Reset keeps AQA, ASQ and ACQ",
	.spec = "NVMe Base 2.1 §3.1.4.5",
	.quote =
	    "That reset does not affect transport specific state (e.g., PCI Express registers "
	    "including MMIO MSI-X registers), nor the Admin Queue properties (AQA, ASQ, or ACQ).",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "AQA, ASQ and ACQ read the same before and after CC.EN 1 -> 0. Base 2.1 "
		       "§3.1.4.5 states it without a keyword, so this is an advisory.",
	.run = nvme_rst_admin_props_kept,
    },
    {
	.id = "NVME-RST-006",
	.title = "A reset with commands in flight completes and the controller serves again",
	.spec = "NVMe Base 2.1 §3.1.4.5",
	.quote = NVME_QUOTE_RESET_DELETES,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Sixteen Writes are rung and CC.EN is cleared at once: CSTS.RDY must reach "
		       "0 within CAP.TO, and after a new enable a Read on a new queue pair "
		       "completes. Base 2.1 says nothing about how long the reset of commands in "
		       "flight may take beyond CAP.TO, so this is an advisory.",
	.run = nvme_rst_in_flight,
    },
    {
	.id = "NVME-RST-007",
	.title = "A normal shutdown reports CSTS.SHST 10b",
	.spec = "NVMe Base 2.1 §3.6.1",
	.quote = "The controller indicates when shutdown processing is completed by updating the "
		 "Shutdown Status (CSTS.SHST) field to 10b and the Shutdown Type (CSTS.ST) field "
		 "(refer to Figure 42) is cleared to ‘0’.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "With I/O queues live, CC.SHN 01b must lead to CSTS.SHST 10b; the case "
		       "waits CAP.TO (at least the run's timeout, which covers the one second "
		       "§3.6.1 tells a host to wait when RTD3E is 0). Base 2.1 §3.6.1 states it "
		       "without a keyword, so this is an advisory.",
	.run = nvme_rst_shutdown,
    },
    {
	.id = "NVME-RST-008",
	.title = "Data written before a shutdown and reset survives them",
	.spec = "NVMe Base 2.1 §3.1.4.5, §3.6.1",
	.quote = NVME_QUOTE_RESET_DATA,
	.level = CONFORM_MUST,
	.description =
	    "A Write completes, CC.SHN 01b and CSTS.SHST 10b, then CC.EN 1 -> 0 (a Controller "
	    "Reset), a new enable, and a Read of the block returns the bytes written.",
	.run = nvme_rst_shutdown_data,
    },
    {
	.id = "NVME-RST-009",
	.title = "An enable with CC.MPS above CAP.MPSMAX does not wedge the controller",
	.spec = "NVMe Base 2.1 §3.1.4.5",
	.quote = "The value set by host software shall be a supported value as indica ted by the "
		 "CAP.MPSMAX and CAP.MPSMIN fields.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "The case enables with CC.MPS one above CAP.MPSMAX and records what the controller did "
	    "(CSTS.CFS, never ready, or ready); a reset and a correct enable must then bring it up "
	    "and Identify must complete. The sentence binds host software and Base 2.1 does not "
	    "require a refusal, so this is an advisory.",
	.run = nvme_rst_bad_mps,
    },
    {
	.id = "NVME-RST-010",
	.title = "An enable with AQA 0 (one-entry admin queues) does not wedge the controller",
	.spec = "NVMe Base 2.1 §3.1.4.8",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "The case enables with AQA.ASQS and AQA.ACQS 0, which Base 2.1 §3.1.4.8 calls "
	    "undefined, records what happened, then a reset and a correct enable must bring the "
	    "controller up. Base 2.1 does not require a refusal, so this is an advisory.",
	.run = nvme_rst_bad_aqa,
    },
    {
	.id = "NVME-RST-011",
	.title = "An Admin SQ at bus address 0 works",
	.spec = "NVMe Base 2.1 §3.1.4.9",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "ASQ must be memory page aligned; bus address 0 is aligned, and no sentence "
		       "of Base 2.1 forbids it. The case enables with ASQ 0 (the rest as usual): "
		       "CSTS.RDY must come and Identify Controller must complete. An advisory, "
		       "because no sentence requires a particular address to work either.",
	.run = nvme_rst_asq_zero,
    },

/* Why the queue command cases (NVME-ADM-Q) are advisories. */
#define NVME_Q_NO_QUOTE                                                                            \
	" The Base 2.1 pages of the queue commands (§5.2) were not in the text at hand, so no "   \
	"sentence is quoted and the case is an advisory until its sentence is checked; the "       \
	"status it expects is the one §5.2's status figure names."
    /* ---- Admin commands (NVME-ADM): Base §5.1.11 - §5.1.13, §5.1.25, §5.2 ---- */
    {
	.id = "NVME-ADM-ID-001",
	.title = "Identify Controller admits 64-byte SQ and 16-byte CQ entries",
	.spec = "NVMe Base 2.1 §5.1.13.2.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "SQES and CQES give the required (3:0) and largest (7:4) entry sizes; the "
		       "NVM Command Set needs 64-byte SQ and 16-byte CQ entries, so 6 and 4 must "
		       "lie within them. The NVM Command Set defines those sizes without a text of "
		       "it at hand to quote, so this is an advisory.",
	.run = nvme_adm_id_ctrl,
    },
    {
	.id = "NVME-ADM-ID-002",
	.title = "Identify with a reserved CNS: Invalid Field in Command",
	.spec = "NVMe Base 2.1 §4.2.3, §5.1.13",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Identify with CNS FFh (reserved) must complete with Invalid Field in "
		       "Command. Base 2.1 defines that status (generic status, §4.2.3) as the one "
		       "for a reserved value in a field without a keyword, so this is an advisory.",
	.run = nvme_adm_id_bad_cns,
    },
    {
	.id = "NVME-ADM-ID-003",
	.title = "Identify Namespace of NSID 0: Invalid Namespace or Format",
	.spec = "NVMe Base 2.1 §3.2.1.2, §5.1.13",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "NSID 0 is not a valid NSID, and Identify CNS 00h uses the NSID: the command must "
	    "complete with Invalid Namespace or Format. The sentence was not found in the text at "
	    "hand (no sentence quoted), so this is an advisory.",
	.run = nvme_adm_id_ns_zero,
    },
    {
	.id = "NVME-ADM-ID-004",
	.title = "Identify Namespace of NSID NN + 1: Invalid Namespace or Format",
	.spec = "NVMe Base 2.1 §3.2.1.2, §5.1.13",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "An NSID above Identify Controller NN (and below FFFFFFFEh) is invalid: "
		       "Identify CNS 00h of it must complete with Invalid Namespace or Format. No "
		       "sentence was found in the text at hand to quote, so this is an advisory.",
	.run = nvme_adm_id_ns_over_nn,
    },
    {
	.id = "NVME-ADM-ID-005",
	.title = "Identify Namespace of an inactive NSID returns zeroes",
	.spec = "NVM Command Set 1.1 §4.1.5.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "For a valid NSID not in the active list, Identify CNS 00h completes successfully with "
	    "a zero-filled structure (the case fills the buffer first, so a structure never sent "
	    "fails). The NSID is NN itself when it is inactive (NN is the highest valid NSID), "
	    "else the first inactive one. The NVM Command Set states it without a keyword, so "
	    "this is an advisory; N/A when every NSID up to NN is active.",
	.run = nvme_adm_id_ns_inactive,
    },
    {
	.id = "NVME-ADM-ID-006",
	.title = "The active namespace list is increasing and within NN",
	.spec = "NVMe Base 2.1 §5.1.13.2.2",
	.quote = NVME_QUOTE_NS_LIST,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Identify CNS 02h from NSID 0: the entries up to the first zero increase "
		       "strictly and none is above NN. Base 2.1 defines the list without a "
		       "keyword, so this is an advisory.",
	.run = nvme_adm_id_list_order,
    },
    {
	.id = "NVME-ADM-ID-007",
	.title = "The active namespace list starts above the NSID given",
	.spec = "NVMe Base 2.1 §5.1.13.2.2",
	.quote = NVME_QUOTE_NS_LIST,
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Identify CNS 02h from the first active NSID must not list that NSID or a lower one. "
	    "Base 2.1 defines the list without a keyword, so this is an advisory.",
	.run = nvme_adm_id_list_start,
    },
    {
	.id = "NVME-ADM-ID-008",
	.title = "Active namespace list from FFFFFFFEh or FFFFFFFFh: Invalid Namespace or Format",
	.spec = "NVMe Base 2.1 §5.1.13.2.2",
	.quote = "The controller shall abort the command with a status code  of Invalid Namespace "
		 "or Format if  the NSID field is set to FFFFFFFEh or FFFFFFFFh.",
	.level = CONFORM_MUST,
	.description = "Identify CNS 02h with NSID FFFFFFFFh, then with FFFFFFFEh: each must "
		       "complete with Invalid Namespace or Format.",
	.run = nvme_adm_id_list_bad_nsid,
    },
    {
	.id = "NVME-ADM-ID-009",
	.title = "The Namespace Identification Descriptor list is well formed",
	.spec = "NVMe Base 2.1 §5.1.13.2.3",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Identify CNS 03h of an active NSID: at least one descriptor, each of a defined type "
	    "with its length (EUI-64 8, NGUID 16, UUID 16, CSI 1), inside the 4 KiB. Base 2.1 "
	    "defines the descriptors without a keyword, so this is an advisory.",
	.run = nvme_adm_id_descs,
    },
    {
	.id = "NVME-ADM-ID-010",
	.title = "Namespace Identification Descriptor list of an invalid NSID is refused",
	.spec = "NVMe Base 2.1 §5.1.13.2.3",
	.quote = "If the NSID field does not specify an active NSID, then refer to section 3.2.1.5 "
		 "for the status code to return.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Identify CNS 03h of NSID NN + 1 must fail; §3.2.1.5 was not in the text at hand, so "
	    "the case accepts Invalid Namespace or Format or Invalid Field in Command. The quoted "
	    "sentence defers to it without a keyword, so this is an advisory.",
	.run = nvme_adm_id_descs_inactive,
    },
    {
	.id = "NVME-ADM-OPC-001",
	.title = "A reserved admin opcode: Invalid Command Opcode",
	.spec = "NVMe Base 2.1 §4.2.3, §5",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Admin opcode 03h is reserved: the command must complete with Invalid Command Opcode "
	    "and the controller must keep serving. Base 2.1 defines that status as the one for a "
	    "reserved or unsupported opcode without a keyword, so this is an advisory.",
	.run = nvme_adm_bad_opcode,
    },
    {
	.id = "NVME-ADM-Q-001",
	.title = "Create I/O CQ with QID 0: Invalid Queue Identifier",
	.spec = "NVMe Base 2.1 §5.2.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "QID 0 is the Admin CQ; Create I/O Completion Queue with it must complete "
		       "with Invalid Queue Identifier." NVME_Q_NO_QUOTE,
	.run = nvme_adm_q_cq_qid0,
    },
    {
	.id = "NVME-ADM-Q-002",
	.title = "Create I/O CQ above the Number of Queues: Invalid Queue Identifier",
	.spec = "NVMe Base 2.1 §5.2.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Set Features Number of Queues asks for one I/O SQ and one I/O CQ (before "
	    "any I/O queue exists); a QID one above the I/O CQs it allocated (NCQA + 1 "
	    "of its completion) must be refused with Invalid Queue Identifier, even when "
	    "the controller has more queues." NVME_Q_NO_QUOTE,
	.run = nvme_adm_q_cq_over,
    },
    {
	.id = "NVME-ADM-Q-003",
	.title = "Create I/O CQ with a QID in use: Invalid Queue Identifier",
	.spec = "NVMe Base 2.1 §5.2.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Creating CQ 1 again while it exists must complete with Invalid Queue "
		       "Identifier." NVME_Q_NO_QUOTE,
	.run = nvme_adm_q_cq_in_use,
    },
    {
	.id = "NVME-ADM-Q-004",
	.title = "Create I/O CQ with QSIZE 0: Invalid Queue Size",
	.spec = "NVMe Base 2.1 §5.2.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "QSIZE is 0's based and a queue has two entries or more: QSIZE 0 must "
		       "complete with Invalid Queue Size." NVME_Q_NO_QUOTE,
	.run = nvme_adm_q_cq_size0,
    },
    {
	.id = "NVME-ADM-Q-005",
	.title = "Create I/O CQ larger than CAP.MQES: Invalid Queue Size",
	.spec = "NVMe Base 2.1 §5.2.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "QSIZE one above CAP.MQES must complete with Invalid Queue Size (N/A when "
		       "MQES is FFFFh)." NVME_Q_NO_QUOTE,
	.run = nvme_adm_q_cq_over_mqes,
    },
    {
	.id = "NVME-ADM-Q-006",
	.title = "Create I/O SQ on a CQ that does not exist: Completion Queue Invalid",
	.spec = "NVMe Base 2.1 §5.2.2",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "SQ 2 on CQ 2, never created, must complete with Completion Queue "
		       "Invalid." NVME_Q_NO_QUOTE,
	.run = nvme_adm_q_sq_no_cq,
    },
    {
	.id = "NVME-ADM-Q-007",
	.title = "Create I/O SQ on the Admin CQ: Completion Queue Invalid",
	.spec = "NVMe Base 2.1 §5.2.2",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "CQID 0 (the Admin CQ) cannot take an I/O SQ: Completion Queue "
		       "Invalid." NVME_Q_NO_QUOTE,
	.run = nvme_adm_q_sq_admin_cq,
    },
    {
	.id = "NVME-ADM-Q-008",
	.title = "Create I/O SQ with QID 0: Invalid Queue Identifier",
	.spec = "NVMe Base 2.1 §5.2.2",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "QID 0 is the Admin SQ: Create I/O Submission Queue with it must complete "
		       "with Invalid Queue Identifier." NVME_Q_NO_QUOTE,
	.run = nvme_adm_q_sq_qid0,
    },
    {
	.id = "NVME-ADM-Q-009",
	.title = "Create I/O SQ larger than CAP.MQES: Invalid Queue Size",
	.spec = "NVMe Base 2.1 §5.2.2",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "QSIZE one above CAP.MQES must complete with Invalid Queue Size (N/A when "
		       "MQES is FFFFh)." NVME_Q_NO_QUOTE,
	.run = nvme_adm_q_sq_over_mqes,
    },
    {
	.id = "NVME-ADM-Q-010",
	.title = "Delete I/O CQ with an SQ on it: Invalid Queue Deletion",
	.spec = "NVMe Base 2.1 §5.2.3",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Deleting CQ 1 while SQ 1 still uses it must complete with Invalid Queue "
		       "Deletion." NVME_Q_NO_QUOTE,
	.run = nvme_adm_q_del_cq_busy,
    },
    {
	.id = "NVME-ADM-Q-011",
	.title = "Delete an I/O SQ that does not exist: Invalid Queue Identifier",
	.spec = "NVMe Base 2.1 §5.2.4",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Delete I/O Submission Queue of SQ 1, never created, must complete with "
		       "Invalid Queue Identifier." NVME_Q_NO_QUOTE,
	.run = nvme_adm_q_del_sq_none,
    },
    {
	.id = "NVME-ADM-Q-012",
	.title = "Delete an I/O CQ that does not exist: Invalid Queue Identifier",
	.spec = "NVMe Base 2.1 §5.2.3",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Delete I/O Completion Queue of CQ 1, never created, must complete with "
		       "Invalid Queue Identifier." NVME_Q_NO_QUOTE,
	.run = nvme_adm_q_del_cq_none,
    },
    {
	.id = "NVME-ADM-Q-013",
	.title = "Delete I/O SQ 0 (the Admin SQ): Invalid Queue Identifier",
	.spec = "NVMe Base 2.1 §5.2.4",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "The Admin SQ cannot be deleted: Invalid Queue Identifier." NVME_Q_NO_QUOTE,
	.run = nvme_adm_q_del_sq_admin,
    },
    {
	.id = "NVME-ADM-Q-014",
	.title = "Create I/O CQ with PC 0 when CAP.CQR is 1: Invalid Field in Command",
	.spec = "NVMe Base 2.1 §5.2.1, §3.1.4.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "CAP.CQR 1 requires physically contiguous queues: a Create with PC cleared must "
	    "complete with Invalid Field in Command (N/A when CQR is 0)." NVME_Q_NO_QUOTE,
	.run = nvme_adm_q_pc0,
    },
    {
	.id = "NVME-ADM-Q-015",
	.title = "A queue pair deleted and created again serves I/O",
	.spec = "NVMe Base 2.1 §5.2.1 - §5.2.4",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Delete SQ 1, delete CQ 1, create both again on new rings, and a Flush on "
		       "the new pair completes successfully." NVME_Q_NO_QUOTE,
	.run = nvme_adm_q_recreate,
    },
    {
	.id = "NVME-ADM-Q-016",
	.title = "Create I/O CQ with CC.IOCQES and CC.IOSQES not set: Invalid Queue Size",
	.spec = "NVMe Base 2.1 §3.1.4.5",
	.quote = "Attempting to create an I/O queue before initializing the I/O Completion Queue "
		 "Entry Size (CC.IOCQES) and the I/O Submission Queue Entry Size (CC.IOSQES) shall "
		 "cause a controller to abort a Create I/O Completion Queue command or a Create "
		 "I/O Submission Queue command with a status code of Invalid Queue Size.",
	.level = CONFORM_MUST,
	.description = "The case enables the controller with CC.IOCQES and CC.IOSQES left 0 (their "
		       "reset value) and sends Create I/O Completion Queue: it must complete with "
		       "Invalid Queue Size.",
	.run = nvme_adm_q_es_unset,
    },
    {
	.id = "NVME-ADM-FEAT-001",
	.title = "Number of Queues asking for 65536: Invalid Field in Command",
	.spec = "NVMe Base 2.1 §5.1.25",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Set Features Number of Queues with NSQR and NCQR 65535 (0's based) must complete with "
	    "Invalid Field in Command; Base 2.1 calls the value invalid. The Set Features feature "
	    "pages were not in the text at hand, so no sentence is quoted and this is an advisory.",
	.run = nvme_feat_nq_65535,
    },
    {
	.id = "NVME-ADM-FEAT-002",
	.title = "Number of Queues after I/O queues exist: Command Sequence Error",
	.spec = "NVMe Base 2.1 §5.1.25",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Set Features Number of Queues after an I/O queue pair was created must "
		       "complete with Command Sequence Error. No sentence of the feature's page "
		       "was in the text at hand to quote, so this is an advisory.",
	.run = nvme_feat_nq_after_create,
    },
    {
	.id = "NVME-ADM-FEAT-003",
	.title = "Number of Queues: Get Features answers what Set Features allocated",
	.spec = "NVMe Base 2.1 §5.1.11, §5.1.25",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Set Features Number of Queues (one SQ, one CQ) succeeds and its Dword 0 "
		       "(NSQA, NCQA) equals Get Features' Dword 0 after it. Base 2.1 defines both "
		       "answers without a keyword that ties them, so this is an advisory.",
	.run = nvme_feat_nq_get,
    },
    {
	.id = "NVME-ADM-FEAT-004",
	.title = "Arbitration: the Arbitration Burst set is the one read",
	.spec = "NVMe Base 2.1 §5.1.25",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Set Features Arbitration with AB 2 then 7 (no limit); Get Features returns each. Base "
	    "2.1 defines the feature without a keyword about reading back, so this is an advisory.",
	.run = nvme_feat_arbitration,
    },
    {
	.id = "NVME-ADM-FEAT-005",
	.title = "Volatile Write Cache: WCE set is WCE read",
	.spec = "NVMe Base 2.1 §5.1.25",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "With Identify VWC bit 0 set, Set Features Volatile Write Cache with WCE 0 "
		       "then 1; Get Features returns each (a host that thinks the cache is off may "
		       "skip Flush). N/A without a volatile write cache. Base 2.1 defines the "
		       "feature without a keyword about reading back, so this is an advisory.",
	.run = nvme_feat_vwc,
    },
    {
	.id = "NVME-ADM-FEAT-006",
	.title = "Asynchronous Event Configuration: Namespace Attribute Notices set is read",
	.spec = "NVMe Base 2.1 §5.1.25",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "With OAES bit 8 set, Set Features Asynchronous Event Configuration with bit 8 set "
	    "then clear; Get Features returns each. N/A without Namespace Attribute Notices. Base "
	    "2.1 defines the feature without a keyword about reading back, so this is an advisory.",
	.run = nvme_feat_aec,
    },
    {
	.id = "NVME-ADM-FEAT-007",
	.title = "Interrupt Coalescing: the value set is the value read",
	.spec = "NVMe Base 2.1 §5.1.25",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Set Features Interrupt Coalescing with threshold 5 and time 2, then 0; Get "
		       "Features returns each. Base 2.1 defines the feature without a keyword "
		       "about reading back, so this is an advisory.",
	.run = nvme_feat_irq_coalescing,
    },
    {
	.id = "NVME-ADM-FEAT-008",
	.title = "Timestamp: set, then read back running from it",
	.spec = "NVMe Base 2.1 §5.1.25",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "With ONCS bit 6 set, Set Features Timestamp to a value; Get Features "
		       "returns a timestamp no lower and at most a minute later, with Timestamp "
		       "Origin 001b. N/A without ONCS bit 6. Base 2.1 defines the feature without "
		       "a keyword that ties the two, so this is an advisory.",
	.run = nvme_feat_timestamp,
    },
    {
	.id = "NVME-ADM-FEAT-009",
	.title = "Get Features of a Feature Identifier not supported: Invalid Field in Command",
	.spec = "NVMe Base 2.1 §4.4",
	.quote = "If a Get Features command or Set Features command is processed that specifies a "
		 "Feature Identifier that is not supported, then the controller shall abort the "
		 "command with a status code of Invalid Field in Command.",
	.level = CONFORM_MUST,
	.description = "Get Features of FID 00h (reserved, so supported by no controller) must "
		       "complete with Invalid Field in Command, and the controller keeps serving.",
	.run = nvme_feat_bad_fid,
    },
    {
	.id = "NVME-ADM-LOG-001",
	.title = "Error Information log page of ELPE + 1 entries",
	.spec = "NVMe Base 2.1 §5.1.12.1.2",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Get Log Page 01h of ELPE + 1 entries of 64 bytes (at most 4 KiB) completes "
	    "successfully. The page is mandatory; Base 2.1's list of mandatory log pages was not "
	    "in the text at hand to quote (no sentence quoted), so this is an advisory.",
	.run = nvme_log_error,
    },
    {
	.id = "NVME-ADM-LOG-002",
	.title = "SMART / Health Information log page of the controller",
	.spec = "NVMe Base 2.1 §5.1.12.1.3",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Get Log Page 02h with NSID FFFFFFFFh, 512 bytes, completes successfully. No sentence "
	    "of the mandatory-page list was in the text at hand to quote, so this is an advisory.",
	.run = nvme_log_smart,
    },
    {
	.id = "NVME-ADM-LOG-003",
	.title = "Firmware Slot Information names the running firmware",
	.spec = "NVMe Base 2.1 §5.1.12.1.4",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "Get Log Page 03h completes; AFI names an active slot (1-7) and that slot's "
		       "revision equals Identify Controller FR. Base 2.1 defines the page without "
		       "a keyword tying it to FR, so this is an advisory.",
	.run = nvme_log_fw_slot,
    },
    {
	.id = "NVME-ADM-LOG-004",
	.title = "Changed Namespace List log page",
	.spec = "NVMe Base 2.1 §5.1.12.1.5",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "With OAES bit 8 (Namespace Attribute Notices), Get Log Page 04h of 4 KiB "
		       "completes successfully; N/A without it. No sentence was in the text at "
		       "hand to quote, so this is an advisory.",
	.run = nvme_log_changed_ns,
    },
    {
	.id = "NVME-ADM-LOG-005",
	.title = "Commands Supported and Effects lists the mandatory admin commands",
	.spec = "NVMe Base 2.1 §5.1.12.1.6",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "With LPA bit 1, Get Log Page 05h completes and marks supported (CSUPP) "
		       "Delete/Create I/O SQ and CQ, Get Log Page, Identify, Abort, Set/Get "
		       "Features and Asynchronous Event Request. N/A without LPA bit 1. Base 2.1 "
		       "defines CSUPP without a keyword, so this is an advisory.",
	.run = nvme_log_effects,
    },
    {
	.id = "NVME-ADM-LOG-006",
	.title = "A log page not supported: Invalid Log Page",
	.spec = "NVMe Base 2.1 §5.1.12",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description =
	    "Get Log Page of a reserved LID (6Fh, 6Eh or 60h, one the Supported Log Pages page "
	    "does not list) must complete with Invalid Log Page. The sentence was not in the text "
	    "at hand (no sentence quoted), so this is an advisory.",
	.run = nvme_log_bad_lid,
    },
    {
	.id = "NVME-ADM-LOG-007",
	.title = "Get Log Page at an offset past the page: Invalid Field in Command",
	.spec = "NVMe Base 2.1 §5.1.12",
	.quote = "If the host specifies an offset (i.e., LPOL and LPOU) that is greater than the "
		 "size of the log page requested (e.g., a log page containing 100 bytes is "
		 "requested starting at offset 200), then the controller shall abort the command "
		 "with a status of Invalid Field in Command.",
	.level = CONFORM_MUST,
	.description = "Get Log Page of SMART / Health Information (512 bytes) at offset 4096 must "
		       "complete with Invalid Field in Command, and the controller keeps serving.",
	.run = nvme_log_offset_past,
    },
    {
	.id = "NVME-ADM-LOG-008",
	.title = "Get Log Page at an offset returns that part of the page",
	.spec = "NVMe Base 2.1 §5.1.12",
	.quote = "Log Page Offset Lower (LPOL): The log page offset specifies the location within "
		 "a log page to start returning data from unless otherwise specified.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "64 bytes of Firmware Slot Information read at offset 8 equal bytes 8-71 of "
		       "the whole page read at offset 0. Base 2.1 defines the offset without a "
		       "keyword, so this is an advisory.",
	.run = nvme_log_offset_part,
    },
    {
	.id = "NVME-ADM-LOG-009",
	.title = "Get Log Page at an offset with bits 1:0 set: refused or read as aligned",
	.spec = "NVMe Base 2.1 §5.1.12",
	.quote = "If the controller does not report an error of Invalid Field in Command, then the "
		 "controller shall operate as if bits 1:0 are cleared to 00b",
	.level = CONFORM_MUST,
	.description =
	    "Firmware Slot Information read at offset 10 must either complete with Invalid Field "
	    "in Command (which the spec allows) or return the same bytes as at offset 8.",
	.run = nvme_log_offset_unaligned,
    },

    /* ---- NVM command set I/O (NVME-IO) ---- */
    {
	.id = "NVME-IO-001",
	.title = "Blocks written are read back unchanged",
	.spec = "NVM Command Set 1.1 §3.2.4, §3.2.6",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "A Write of 8 blocks at LBA 16 completes successfully and a Read of the "
		       "same blocks returns the bytes written. The NVM Command Set defines Read "
		       "and Write without a text of it at hand to quote, so this is an advisory; "
		       "a controller that fails it loses data.",
	.run = nvme_io_write_read,
    },
    {
	.id = "NVME-IO-002",
	.title = "Data round trips at several LBAs and sizes",
	.spec = "NVM Command Set 1.1 §3.2.4, §3.2.6",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "Writes a fresh pattern and reads it back at LBAs 0, 1, 7, 64, 100, 200 "
		       "and 1000 with 1 to 64 blocks (one block, a page, past a page, through a "
		       "PRP list; sizes over MDTS are left out), comparing the bytes. The NVM "
		       "Command Set defines Read and Write without a text of it at hand to quote, "
		       "so this is an advisory; a controller that fails it loses data.",
	.run = nvme_io_sizes,
    },
    {
	.id = "NVME-IO-003",
	.title = "The last block of the namespace is written and read back",
	.spec = "NVM Command Set 1.1 §3.2.4, §3.2.6",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "A Write and a Read of the block at NSZE - 1 succeed and the data "
		       "compares: an off-by-one at the end of the namespace loses that block. No "
		       "sentence of Base 2.1 covers it (NVM Command Set text, not quoted here).",
	.run = nvme_io_last_lba,
    },
    {
	.id = "NVME-IO-004",
	.title = "NLB 0 means one block",
	.spec = "NVM Command Set 1.1 §3.2.6",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "NLB is a 0's based count: after 2 blocks of one pattern, a Write with "
		       "NLB 0 of another must replace the first block and leave the second. The "
		       "NVM Command Set defines NLB without a text of it at hand to quote, so "
		       "this is an advisory.",
	.run = nvme_io_nlb_zero,
    },
    {
	.id = "NVME-IO-005",
	.title = "Write Zeroes: the blocks read back as zeroes",
	.spec = "NVM Command Set 1.1 §3.2.8",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "After a pattern is written, a Write Zeroes of the same 4 blocks "
		       "succeeds and a Read returns only zeroes. N/A without ONCS bit 3. The NVM "
		       "Command Set defines Write Zeroes without a text of it at hand to quote.",
	.run = nvme_io_write_zeroes,
    },
    {
	.id = "NVME-IO-006",
	.title = "Dataset Management deallocate, then a Read returns what DLFEAT says",
	.spec = "NVM Command Set 1.1 §3.2.3, §4.1.5.1 (DLFEAT)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "A Dataset Management with AD set on 4 written blocks succeeds and a Read "
		       "of them succeeds; DLFEAT bits 2:0 001b require zeroes, 010b FFh, and with "
		       "000b (not reported) any content is accepted and recorded. N/A without "
		       "ONCS bit 2. The NVM Command Set defines both without a text of it at hand "
		       "to quote.",
	.run = nvme_io_dsm_read,
    },
    {
	.id = "NVME-IO-007",
	.title = "Compare of the data written succeeds",
	.spec = "NVM Command Set 1.1 §3.2.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "A Compare of 4 blocks with the bytes just written completes successfully. "
		       "N/A without ONCS bit 0. The NVM Command Set defines Compare without a text "
		       "of it at hand to quote.",
	.run = nvme_io_compare_match,
    },
    {
	.id = "NVME-IO-008",
	.title = "Compare of other data fails with Compare Failure",
	.spec = "NVM Command Set 1.1 §3.2.1; NVMe Base 2.1 §4.2.3 (Compare Failure)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "A Compare whose data differs from the blocks in one bit completes with "
		       "SCT 2h SC 85h (Compare Failure): a controller that answers success lets a "
		       "host take stale data for current. N/A without ONCS bit 0. The NVM Command "
		       "Set defines Compare without a text of it at hand to quote.",
	.run = nvme_io_compare_miss,
    },
    {
	.id = "NVME-IO-009",
	.title = "A Read starting at NSZE gets LBA Out of Range",
	.spec = "NVM Command Set 1.1 §3.2.6; NVMe Base 2.1 §4.2.3 (LBA Out of Range)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "A Read of one block at SLBA = NSZE completes with SCT 0h SC 80h (LBA Out "
		       "of Range) and the controller keeps serving. The range check is NVM Command "
		       "Set text, not quoted here, so no sentence of Base 2.1 requires it.",
	.run = nvme_io_lba_past_end,
    },
    {
	.id = "NVME-IO-010",
	.title = "A Write running past the last block gets LBA Out of Range",
	.spec = "NVM Command Set 1.1 §3.2.6; NVMe Base 2.1 §4.2.3 (LBA Out of Range)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "A Write of 2 blocks at NSZE - 1 (its first block inside, its second "
		       "outside) completes with LBA Out of Range, and nothing is written past the "
		       "end. The range check is NVM Command Set text, not quoted here, so no "
		       "sentence of Base 2.1 requires it.",
	.run = nvme_io_lba_range_end,
    },
    {
	.id = "NVME-IO-011",
	.title = "SLBA + NLB wrapping past 2^64 gets LBA Out of Range",
	.spec = "NVM Command Set 1.1 §3.2.6; NVMe Base 2.1 §4.2.3 (LBA Out of Range)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "A Read of 2 blocks at SLBA FFFFFFFF_FFFFFFFFh, whose end wraps to LBA 0 "
		       "in 64-bit arithmetic, completes with LBA Out of Range: a controller that "
		       "adds without checking reads block 0 or memory outside the namespace. No "
		       "sentence of Base 2.1 requires it (NVM Command Set text, not quoted).",
	.run = nvme_io_lba_wrap,
    },
    {
	.id = "NVME-IO-012",
	.title = "A Read of NSID 0 gets Invalid Namespace or Format",
	.spec = "NVMe Base 2.1 §3.2.1, §4.2.3 (Invalid Namespace or Format)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "NSID 0 names no namespace: a Read of it completes with SCT 0h SC 0Bh "
		       "(Invalid Namespace or Format) and the controller keeps serving. Base 2.1 "
		       "defines the status without a keyword tying it to this command; this suite "
		       "quotes no sentence for it.",
	.run = nvme_io_nsid_zero,
    },
    {
	.id = "NVME-IO-013",
	.title = "A Read of NSID NN + 1 gets Invalid Namespace or Format",
	.spec = "NVMe Base 2.1 §3.2.1, §4.2.3 (Invalid Namespace or Format)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "An NSID above Identify Controller NN is invalid: a Read of NN + 1 "
		       "completes with Invalid Namespace or Format. Base 2.1 defines the status "
		       "without a keyword tying it to this command; this suite quotes no sentence "
		       "for it.",
	.run = nvme_io_nsid_invalid,
    },
    {
	.id = "NVME-IO-014",
	.title = "A Read of an inactive NSID gets Invalid Namespace or Format",
	.spec = "NVMe Base 2.1 §3.2.1, §4.2.3 (Invalid Namespace or Format)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "The lowest NSID of 1 .. NN that the active namespace list lacks is "
		       "valid but inactive: a Read of it completes with Invalid Namespace or "
		       "Format. N/A when every NSID is active. Base 2.1 defines the status without "
		       "a keyword tying it to this command; this suite quotes no sentence for it.",
	.run = nvme_io_nsid_inactive,
    },
    {
	.id = "NVME-IO-015",
	.title = "A Read of NSID FFFFFFFFh is refused",
	.spec = "NVMe Base 2.1 §3.2.1, §4.2.3",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "FFFFFFFFh (every namespace) means nothing to a Read: it completes with "
		       "Invalid Namespace or Format, or Invalid Field in Command (both accepted: "
		       "the case found no sentence that picks one), and the controller keeps "
		       "serving.",
	.run = nvme_io_nsid_all_read,
    },
    {
	.id = "NVME-IO-016",
	.title = "An I/O opcode the command set does not define gets Invalid Command Opcode",
	.spec = "NVMe Base 2.1 §4.2.3 (Invalid Command Opcode)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "An I/O command with opcode 70h (reserved in the NVM Command Set, not "
		       "vendor specific) completes with SCT 0h SC 01h and the controller keeps "
		       "serving. Base 2.1 defines the status (a reserved or unsupported opcode) "
		       "without a keyword.",
	.run = nvme_io_bad_opcode,
    },
    {
	.id = "NVME-IO-017",
	.title = "A transfer over MDTS gets Invalid Field in Command",
	.spec = "NVMe Base 2.1 §5.1.13.2.1 (MDTS)",
	.quote = "If a command is submitted that exceeds this transfer size, then the command is "
		 "aborted with a status code of Invalid Field in Command.",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "A Read one memory page longer than MDTS allows (its PRP list naming one "
		       "page of ours again and again) completes with Invalid Field in Command, and "
		       "the controller keeps serving. N/A when MDTS is 0 or over 8. Base 2.1 "
		       "defines the status without a keyword (the sentence quoted), so this is an "
		       "advisory; a controller that takes the transfer may overrun its buffers.",
	.run = nvme_io_over_mdts,
    },
    {
	.id = "NVME-IO-018",
	.title = "Unused bits set in a Read: ignored, or Invalid Field in Command",
	.spec = "NVM Command Set 1.1 §3.2.6",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "A Read with CDW2, CDW3 and CDW12 bits 23:16 set (fields a Read without "
		       "protection information does not use) either succeeds with the right data "
		       "or completes with Invalid Field in Command; which is recorded. No sentence "
		       "at hand picks one, so both pass; other statuses, wrong data or a "
		       "controller that stops serving do not.",
	.run = nvme_io_reserved,
    },
    {
	.id = "NVME-IO-019",
	.title = "Flush of the namespace succeeds",
	.spec = "NVMe Base 2.1 §7.2",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "A Flush of the active namespace completes successfully. Base 2.1 §7.2 "
		       "defines Flush without a keyword for its status (its shall is about "
		       "committing data, which no host can observe here), so this is an "
		       "advisory.",
	.run = nvme_io_flush,
    },
    {
	.id = "NVME-IO-020",
	.title = "Flush of NSID FFFFFFFFh succeeds where VWC FB is 11b",
	.spec = "NVMe Base 2.1 §7.2, §5.1.13.2.1 (VWC)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "With Identify Controller VWC bits 2:1 (FB) 11b, a Flush of NSID "
		       "FFFFFFFFh applies to every namespace and completes successfully. N/A with "
		       "other FB values. Figure 312 defines 11b (supported) without a keyword, so "
		       "this is an advisory.",
	.run = nvme_io_flush_all,
    },
    {
	.id = "NVME-IO-027",
	.title = "Flush of NSID FFFFFFFFh fails where VWC FB is 10b",
	.spec = "NVMe Base 2.1 §5.1.13.2.1 (Figure 312, VWC)",
	.quote = "The controller shall fail a Flush command with the NSID set to FFFFFFFFh with a "
		 "status code of Invalid Namespace or Format.",
	.level = CONFORM_MUST,
	.description = "With VWC FB 10b (the Flush command does not support NSID FFFFFFFFh), a "
		       "Flush of NSID FFFFFFFFh completes with SCT 0h SC 0Bh and the controller "
		       "keeps serving. N/A with other FB values.",
	.run = nvme_io_flush_all_refused,
    },
    {
	.id = "NVME-IO-028",
	.title = "VWC FB is not 00b on a controller of revision 1.4 or later",
	.spec = "NVMe Base 2.1 §5.1.13.2.1 (Figure 312, VWC)",
	.quote = "Only controllers compliant with NVM Express Base Specification revision 1.3 and "
		 "earlier shall be allowed to return this value.",
	.level = CONFORM_MUST,
	.description = "FB 00b says Flush of NSID FFFFFFFFh is not indicated; a controller whose "
		       "VS is 1.4 or later must say 10b or 11b, so that a host knows whether it "
		       "may flush every namespace at once. N/A for VS 1.3 and earlier.",
	.run = nvme_io_vwc_fb,
    },
    {
	.id = "NVME-IO-021",
	.title = "Flush of NSID 0 gets Invalid Namespace or Format",
	.spec = "NVMe Base 2.1 §7.2, §4.2.3",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "A Flush of NSID 0 names no namespace: it completes with Invalid Namespace "
		       "or Format. Base 2.1 defines the status without a keyword tying it to "
		       "Flush; this suite quotes no sentence for it.",
	.run = nvme_io_flush_nsid_zero,
    },
    {
	.id = "NVME-IO-022",
	.title = "Completion entries carry their CID and SQ ID; the phase tag inverts each pass",
	.spec = "NVMe Base 2.1 §4.2.1, §4.2.4",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "24 Reads, one at a time, over an 8-entry queue pair (three passes), each "
		       "with a CID of its own: every completion entry answers that CID and SQ 1 "
		       "and is found by a phase tag that inverts on each pass of the completion "
		       "queue. Base 2.1 defines these fields (Figure 98) without a keyword, so "
		       "this is an advisory; a host cannot complete commands otherwise.",
	.run = nvme_io_cqe_fields,
    },
    {
	.id = "NVME-IO-023",
	.title = "SQHD reports the entries the controller consumed",
	.spec = "NVMe Base 2.1 §4.2.1 (SQ Head Pointer)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "With one command outstanding at a time over three passes of an 8-entry "
		       "queue, each completion's SQ Head Pointer is the tail the host wrote (the "
		       "one command was fetched): a host frees submission queue slots by it. Base "
		       "2.1 defines SQHD without a keyword.",
	.run = nvme_io_sqhd,
    },
    {
	.id = "NVME-IO-024",
	.title = "A full submission queue is served whole",
	.spec = "NVMe Base 2.1 §3.3.1.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "A 16-entry submission queue is filled to its 15 usable entries under one "
		       "doorbell write, twice (the second time wrapping): all 15 Reads complete "
		       "successfully, each once. Base 2.1 defines the full queue (tail one below "
		       "the head) without a keyword on what the controller does with it.",
	.run = nvme_io_sq_full,
    },
    {
	.id = "NVME-IO-029",
	.title = "A full completion queue is not overwritten",
	.spec = "NVMe Base 2.1 §3.3.1.1, §4.2.4",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "An 8-entry completion queue holds 7 entries when full. Seven Reads fill "
		       "it; the host reads them without writing the CQ head doorbell and submits "
		       "seven more: for 300 ms nothing is posted into slot 7 or over slot 0, and "
		       "once the doorbell frees the slots all seven complete. No sentence with a "
		       "keyword is quoted for it; a controller that overwrites loses completions.",
	.run = nvme_io_cq_full,
    },
    {
	.id = "NVME-IO-025",
	.title = "Two I/O queues: data crosses, completions do not",
	.spec = "NVMe Base 2.1 §3.3.1, §4.2.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "Blocks written through SQ 1 are read back through SQ 2 unchanged, and the "
		       "Read's completion comes on CQ 2 with SQ ID 2. No sentence of Base 2.1 "
		       "states it as a requirement with a keyword.",
	.run = nvme_io_two_queues,
    },
    {
	.id = "NVME-IO-026",
	.title = "Two outstanding commands with one CID",
	.spec = "NVMe Base 2.1 §4.2.1, §4.2.3 (Command ID Conflict)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "The host breaks the rule that a CID is unique on its queue: two Reads "
		       "with CID 77h under one doorbell. Base 2.1 says nothing of what the "
		       "controller must do, so both success and Command ID Conflict pass (and are "
		       "recorded); each command must still get one entry with CID 77h, and the "
		       "controller must keep serving.",
	.run = nvme_io_cid_conflict,
    },

    /* ---- Data pointers (NVME-DPTR): Base §4.3.1 PRPs, §4.3.2 SGLs ---- */
    {
	.id = "NVME-DPTR-001",
	.title = "PRP1 with a dword offset, the data crossing into PRP2's page",
	.spec = "NVMe Base 2.1 §4.3.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "A page of blocks written from PRP1 = page + 204h (the rest in PRP2's "
		       "page, not adjacent) is read back with plain PRPs unchanged, and read "
		       "through the same pointer lands at the same bytes. Base 2.1 lets the first "
		       "entry have an offset in a sentence that binds the host, and defines how "
		       "the controller follows it without a keyword.",
	.run = nvme_dptr_prp1_offset,
    },
    {
	.id = "NVME-DPTR-002",
	.title = "PRP1 not dword aligned: PRP Offset Invalid, or served as if aligned",
	.spec = "NVMe Base 2.1 §4.3.1 (PRP Entry)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "A Read of one block with PRP1 = page + 2 completes with PRP Offset "
		       "Invalid, or succeeds with the block at the page's start (bits 1:0 taken as "
		       "clear), which is recorded. The PRP entry figure allows both; its text was "
		       "read in Base 2.2, not on the 2.1 page, so this suite quotes no sentence "
		       "and keeps it an advisory.",
	.run = nvme_dptr_prp1_unaligned,
    },
    {
	.id = "NVME-DPTR-003",
	.title = "PRP2 as the second page",
	.spec = "NVMe Base 2.1 §4.1.1, §4.3.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "Two pages of blocks through PRP1 and PRP2 naming two pages that are not "
		       "adjacent round-trip unchanged both ways. Base 2.1 defines PRP2 as the "
		       "second page without a keyword.",
	.run = nvme_dptr_prp2_page,
    },
    {
	.id = "NVME-DPTR-004",
	.title = "PRP2 as a PRP list of pages in reverse order",
	.spec = "NVMe Base 2.1 §4.1.1, §4.3.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "Five pages of blocks, PRP2 pointing to a list of four pages in reverse "
		       "bus order, round-trip unchanged both ways: each page gets its part of the "
		       "transfer in list order. Base 2.1 defines the PRP list without a keyword "
		       "on the controller.",
	.run = nvme_dptr_prp_list,
    },
    {
	.id = "NVME-DPTR-005",
	.title = "PRP2 naming the second page with an offset gets PRP Offset Invalid",
	.spec = "NVMe Base 2.1 §4.3.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description =
	    "A two-page Read whose PRP2 has offset 100h completes with SCT 0h SC 13h "
	    "(PRP Offset Invalid) and the controller keeps serving. The sentence that "
	    "says a controller should (\"If the controller receives a non-zero offset "
	    "for these PRP entries the controller should return an error of PRP Offset "
	    "Invalid\") was read in Base 2.2, not on the 2.1 page: no sentence of 2.1 is "
	    "quoted, so it stays an advisory.",
	.run = nvme_dptr_prp2_offset,
    },
    {
	.id = "NVME-DPTR-006",
	.title = "A PRP list entry with an offset gets PRP Offset Invalid",
	.spec = "NVMe Base 2.1 §4.3.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "A three-page Read whose second list entry has offset 80h completes with "
		       "PRP Offset Invalid and the controller keeps serving. As for NVME-DPTR-005, "
		       "the should was read in Base 2.2 and no sentence of 2.1 is quoted.",
	.run = nvme_dptr_list_entry_offset,
    },
    {
	.id = "NVME-DPTR-007",
	.title = "A PRP list that chains to a second list page",
	.spec = "NVMe Base 2.1 §4.3.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "A PRP list starting 16 bytes before its page's end holds one data page "
		       "and, as its last entry, the next list page, which names three more: the "
		       "five pages round-trip unchanged both ways; then the same two entries both "
		       "name data pages of a three-page transfer (the list just fills its page: "
		       "no chain), which round-trip too. Base 2.1 defines the chain "
		       "(the last entry points to the next list page) without a keyword on the "
		       "controller.",
	.run = nvme_dptr_list_chain,
    },
    {
	.id = "NVME-DPTR-008",
	.title = "Data in memory the host never mapped fails the command",
	.spec = "NVMe Base 2.1 §4.2.3 (Data Transfer Error)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "A Read whose PRP1 lies outside every DMA mapping must not complete "
		       "successfully (any error status passes and is recorded; Data Transfer "
		       "Error is the natural one) and the controller keeps serving. No sentence "
		       "of Base 2.1 says which status.",
	.run = nvme_dptr_prp_unmapped,
    },
    {
	.id = "NVME-DPTR-009",
	.title = "A PRP list in memory the host never mapped fails the command",
	.spec = "NVMe Base 2.1 §4.2.3 (Data Transfer Error)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "A three-page Read whose PRP list pointer lies outside every DMA mapping "
		       "must not complete successfully, and the controller keeps serving. No "
		       "sentence of Base 2.1 says which status.",
	.run = nvme_dptr_list_unmapped,
    },
    {
	.id = "NVME-DPTR-010",
	.title = "An SGL on a controller without SGLs gets Invalid Field in Command",
	.spec = "NVMe Base 2.1 §4.1.1 (PSDT), §5.1.13.2.1 (SGLS)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "With SGLS bits 1:0 cleared, a Read with PSDT 01b completes with Invalid "
		       "Field in Command: a controller that reads SGL1 as PRPs moves data to the "
		       "wrong place. N/A where SGLs are supported. No sentence of Base 2.1 with a "
		       "keyword is quoted for it.",
	.run = nvme_dptr_sgl_unsupported,
    },
    {
	.id = "NVME-DPTR-011",
	.title = "SGL: one Data Block descriptor",
	.spec = "NVMe Base 2.1 §4.3.2",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "A page of blocks through SGL1 = one SGL Data Block descriptor round-trips "
		       "unchanged both ways. N/A without SGLS. Base 2.1 defines the descriptor "
		       "without a keyword on the controller.",
	.run = nvme_dptr_sgl_block,
    },
    {
	.id = "NVME-DPTR-012",
	.title = "SGL: a Segment chaining to a Last Segment",
	.spec = "NVMe Base 2.1 §4.3.2",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "SGL1 is a Segment descriptor whose segment holds a Data Block and a Last "
		       "Segment descriptor, whose segment holds two more Data Blocks (dword "
		       "aligned and sized, not page aligned): the page of blocks round-trips "
		       "unchanged both ways. N/A without SGLS. Base 2.1 defines segments without "
		       "a keyword on the controller.",
	.run = nvme_dptr_sgl_segments,
    },
    {
	.id = "NVME-DPTR-013",
	.title = "An SGL descriptor of a reserved type gets SGL Descriptor Type Invalid",
	.spec = "NVMe Base 2.1 §4.3.2",
	.quote = "If the SGL Descriptor Type field is set to a reserved value or an unsupported "
		 "value, then the SGL descriptor shall be processed as having an SGL Descriptor "
		 "Type error.",
	.level = CONFORM_MUST,
	.description = "SGL1 of type 6h (reserved, Figure 115): the Read completes with SCT 0h "
		       "SC 11h (SGL Descriptor Type Invalid) and the controller keeps serving. N/A "
		       "without SGLS.",
	.run = nvme_dptr_sgl_bad_type,
    },
    {
	.id = "NVME-DPTR-014",
	.title = "An SGL shorter than the transfer gets Data SGL Length Invalid",
	.spec = "NVMe Base 2.1 §4.3.2",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_MEMORY_SAFETY,
	.description = "A Read of a page through one Data Block of half a page completes with "
		       "SCT 0h SC 0Fh (Data SGL Length Invalid) and the controller keeps serving. "
		       "N/A without SGLS. The shall for it was read in Base 2.2 (\"if that SGL is "
		       "a data SGL, then the controller shall abort the command with a status code "
		       "of Data SGL Length Invalid\"), not on the 2.1 page: no sentence of 2.1 is "
		       "quoted, so it stays an advisory.",
	.run = nvme_dptr_sgl_short,
    },

    /* ---- Asynchronous events (NVME-AEN): Base §5.1.2 ---- */
    {
	.id = "NVME-AEN-001",
	.title = "An AER over AERL + 1 gets Asynchronous Event Request Limit Exceeded",
	.spec = "NVMe Base 2.1 §5.1.2",
	.quote = "The total number of simultaneously outstanding Asynchronous Event Request "
		 "commands is limited by the value indicated in the Asynchronous Event Request "
		 "Limit field in the Identify Controller data structure",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "AERL + 1 requests are held; one more under the same doorbell completes "
		       "with SCT 1h SC 05h, and the controller keeps serving. Base 2.1 states the "
		       "limit without a keyword (the sentence quoted), so this is an advisory.",
	.run = nvme_aen_limit,
    },
    {
	.id = "NVME-AEN-002",
	.title = "A namespace hot add raises Namespace Attribute Changed",
	.spec = "NVMe Base 2.1 §5.1.2, §5.1.12 (Changed Namespace List)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "With Namespace Attribute Notices enabled (Set Features 0Bh bit 8), an "
		       "outstanding AER completes after an inactive NSID is hot added, Dword 0 "
		       "type 2h, information 00h, log page 04h, and the Changed Namespace List "
		       "lists the NSID. N/A without a hot-plug hook or OAES bit 8. No sentence "
		       "with a keyword is quoted for it: a host that misses the notice never sees "
		       "the namespace.",
	.run = nvme_aen_ns_added,
    },
    {
	.id = "NVME-AEN-003",
	.title = "A namespace hot remove raises the notice and lists the NSID",
	.spec = "NVMe Base 2.1 §5.1.2, §5.1.12 (Changed Namespace List)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_DATA_SAFETY,
	.description = "After a hot add (its notice consumed and its log page read), a hot remove "
		       "completes an outstanding AER with the Namespace Attribute Changed notice "
		       "and the Changed Namespace List lists the NSID removed. N/A without a "
		       "hot-plug hook or OAES bit 8. No sentence with a keyword is quoted for it: "
		       "a host that misses it writes to a namespace that is gone.",
	.run = nvme_aen_ns_removed,
    },
    {
	.id = "NVME-AEN-004",
	.title = "A notice the host did not enable is not reported",
	.spec = "NVMe Base 2.1 §5.1.25 (Asynchronous Event Configuration)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "With Asynchronous Event Configuration 0, a hot add leaves an outstanding "
		       "AER outstanding for a second. N/A without a hot-plug hook or OAES bit 8. "
		       "No sentence with a keyword is quoted for it.",
	.run = nvme_aen_masked,
    },
    {
	.id = "NVME-AEN-005",
	.title = "Get Log Page with RAE keeps the event type masked",
	.spec = "NVMe Base 2.1 §5.1.2, §5.1.12 (RAE)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "After a hot add's notice, the Changed Namespace List is read with RAE 1: "
		       "the notice type stays masked, so a hot remove leaves the next AER "
		       "outstanding for a second; whether the held event is reported once the page "
		       "is read with RAE 0 is recorded. N/A without a hot-plug hook or OAES bit 8. "
		       "No sentence with a keyword is quoted for it.",
	.run = nvme_aen_rae,
    },

    /* ---- Fused operations (NVME-FUSE): Base §3.4.2 ---- */
    {
	.id = "NVME-FUSE-001",
	.title = "Fused Compare and Write: the Write lands when the Compare matches",
	.spec = "NVMe Base 2.1 §3.4.2",
	.quote = "The commands shall be executed in sequence as an atomic unit.",
	.level = CONFORM_MUST,
	.description = "A Compare (FUSE 01b) of the blocks' data and a Write (FUSE 10b) of other "
		       "data, both in one doorbell write: both complete successfully and the "
		       "blocks then hold the Write's data. N/A without FUSES bit 0.",
	.run = nvme_fuse_cw_match,
    },
    {
	.id = "NVME-FUSE-002",
	.title = "Fused Compare and Write: a failed Compare aborts the Write",
	.spec = "NVMe Base 2.1 §3.4.2",
	.quote = "If the first command in the sequence failed, then the second command in the "
		 "sequence shall be aborted.",
	.level = CONFORM_MUST,
	.description = "The Compare differs in one bit: it completes with Compare Failure (SCT 2h "
		       "SC 85h), the Write with Command Aborted due to Failed Fused Command (SCT "
		       "0h SC 09h), and the blocks keep their data. N/A without FUSES bit 0.",
	.run = nvme_fuse_cw_miss,
    },
    {
	.id = "NVME-FUSE-003",
	.title = "A first fused command followed by a plain one gets Missing Fused Command",
	.spec = "NVMe Base 2.1 §3.4.2",
	.quote = "then the controller shall abort the command specifying non-zero values of the "
		 "FUSE field with a status code of Command Aborted due to Missing Fused Command.",
	.level = CONFORM_MUST,
	.description = "A Compare with FUSE 01b followed by a Read with FUSE 00b: the Compare "
		       "completes with SCT 0h SC 0Ah, the Read successfully, and the controller "
		       "keeps serving. N/A without FUSES bit 0.",
	.run = nvme_fuse_missing_second,
    },
    {
	.id = "NVME-FUSE-004",
	.title = "A second fused command after a plain one gets Missing Fused Command",
	.spec = "NVMe Base 2.1 §3.4.2",
	.quote = "then the controller shall abort the command specifying non-zero values of the "
		 "FUSE field with a status code of Command Aborted due to Missing Fused Command.",
	.level = CONFORM_MUST,
	.description = "A Read with FUSE 00b followed by a Write with FUSE 10b: the Write "
		       "completes with SCT 0h SC 0Ah and writes nothing (the blocks keep their "
		       "data), the Read succeeds. N/A without FUSES bit 0.",
	.run = nvme_fuse_missing_first,
    },
    {
	.id = "NVME-FUSE-005",
	.title = "Fused commands on a controller without fused operations: Invalid Field",
	.spec = "NVMe Base 2.1 §3.4.2",
	.quote = "If the FUSE field is set to a non-zero value and the controller does not "
		 "support the requested fused operation, [...] should abort the command with a "
		 "status code of Invalid Field in Command.",
	.level = CONFORM_SHOULD,
	.description = "With FUSES bit 0 cleared, a fused Compare and Write: the Compare "
		       "completes with Invalid Field in Command, the Write does not succeed, and "
		       "the blocks keep their data. N/A where FUSES bit 0 is set.",
	.run = nvme_fuse_unsupported,
    },

    /* ---- Abort (NVME-ABRT): Base §5.1.1 ---- */
    {
	.id = "NVME-ABRT-001",
	.title = "Abort of a command that is not outstanding: success, IANP set",
	.spec = "NVMe Base 2.1 §5.1.1 (Figure 144)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "An Abort of CID BEEFh of SQ 1, which carries no such command, completes "
		       "successfully with Dword 0 bit 0 (Immediate Abort Not Performed) set: the "
		       "figure names a command not found as one reason for it. It defines the bit "
		       "without a keyword, so this is an advisory; an Abort that claims to have "
		       "aborted nothing misleads a host's recovery.",
	.run = nvme_abrt_not_found,
    },
    {
	.id = "NVME-ABRT-002",
	.title = "ACL + 1 Aborts outstanding are all served",
	.spec = "NVMe Base 2.1 §5.1.1, §5.1.13.2.1 (ACL)",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "ACL + 1 Aborts under one doorbell: none completes with Abort Command "
		       "Limit Exceeded, every one successfully. Base 2.1 defines ACL as a limit "
		       "without a keyword on the controller.",
	.run = nvme_abrt_limit,
    },
    {
	.id = "NVME-ABRT-003",
	.title = "Abort of a queued command: aborted or completed, and IANP agrees",
	.spec = "NVMe Base 2.1 §5.1.1",
	.level = CONFORM_ADVISORY,
	.severity = CONFORM_SEV_ROBUSTNESS,
	.description = "An I/O queue filled with Reads and, at once, an Abort of the last: the "
		       "Read completes successfully or with Command Abort Requested (both allowed "
		       "and recorded), the others successfully, and an Abort whose IANP is clear "
		       "(it says it aborted the Read) must see the Read aborted. Base 2.1 makes "
		       "Abort a best effort and defines IANP without a keyword.",
	.run = nvme_abrt_queued,
    },
};

const struct conform_suite g_suite_nvme = {
    .name = "nvme",
    .description = "NVMe controller requirements over vfio-user (NVMe Base 2.1, NVMe over PCIe "
		   "Transport 1.1, NVM Command Set 1.1)",
    .cases = g_cases,
    .ncases = ARRAY_SIZE(g_cases),
    .transport = &g_conform_transport_vfio_user,
};
