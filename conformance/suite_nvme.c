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
};

const struct conform_suite g_suite_nvme = {
    .name = "nvme",
    .description = "NVMe controller requirements over vfio-user (NVMe Base 2.1, NVMe over PCIe "
		   "Transport 1.1, NVM Command Set 1.1)",
    .cases = g_cases,
    .ncases = ARRAY_SIZE(g_cases),
    .transport = &g_conform_transport_vfio_user,
};
