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
		       "five pages round-trip unchanged both ways. Base 2.1 defines the chain "
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
