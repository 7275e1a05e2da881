/* SPDX-License-Identifier: MIT */
/*
 * The PCI config space of the vfio-user NVMe controller: a type-0 header
 * (PCI Local Bus 3.0 §6.1) of class 01h 08h 02h (NVMe over PCIe Transport
 * 1.1 §3.8: mass storage, non-volatile memory, NVM Express), BAR0 a 64-bit
 * memory BAR over the controller's registers, BAR4 a 32-bit memory BAR over
 * the MSI-X table and PBA, and the capabilities the Linux and SPDK drivers
 * look for: Power Management, MSI-X and PCI Express (an endpoint).
 */
#include <string.h>

#include "target/frontend/nvme_vfio_user_internal.h"
#include "util/common.h"

/* PCI Local Bus 3.0 §6.1, type-0 header offsets */
#define CFG_VENDOR	0x00
#define CFG_DEVICE	0x02
#define CFG_COMMAND	0x04
#define CFG_STATUS	0x06
#define CFG_CLASS	0x09 /* programming interface, sub-class, class */
#define CFG_BAR0	0x10
#define CFG_BAR0_HI	0x14
#define CFG_BAR4	0x20
#define CFG_SUBSYS_V	0x2c
#define CFG_SUBSYS_ID	0x2e
#define CFG_CAP_PTR	0x34
#define STATUS_CAP_LIST 0x0010
#define BAR_MEM_64	0x4 /* bits 2:1 = 10b: anywhere in 64-bit space */
#define NVME_CLASS	0x010802
/* The device ID under props->vid (SPDK's vfio-user controller's). */
#define NVU_DEVICE_ID 0x0001

/* PCI PM 1.2 §3.2: the capability, PMC version 3, PMCSR No_Soft_Reset */
#define CAP_PM	 0x40
#define PM_ID	 0x01
#define PM_PMCSR (CAP_PM + 4)
/* PCI Local Bus 3.0 §6.8.2: MSI-X, Message Control enable 15, mask 14 */
#define CAP_MSIX   0x50
#define MSIX_ID	   0x11
#define MSIX_CTRL  (CAP_MSIX + 2)
#define MSIX_TABLE (CAP_MSIX + 4)
#define MSIX_PBA   (CAP_MSIX + 8)
#define MSIX_BIR   4
/* PCI Express Base §7.5.3: capability version 2, an endpoint (type 0) */
#define CAP_PCIE       0x60
#define PCIE_ID	       0x10
#define PCIE_CAP_VER_2 0x0002

static void put_le(uint8_t *p, uint64_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void nvu_pci_reset(struct nvme_vfu *v)
{
	uint8_t *c = v->cfg;

	memset(c, 0, NVU_CFG_SIZE);
	put_le(c + CFG_VENDOR, v->props.vid, 2);
	put_le(c + CFG_DEVICE, NVU_DEVICE_ID, 2);
	put_le(c + CFG_STATUS, STATUS_CAP_LIST, 2);
	put_le(c + CFG_CLASS, NVME_CLASS, 3);
	put_le(c + CFG_BAR0, BAR_MEM_64, 4);
	put_le(c + CFG_SUBSYS_V, v->props.ssvid, 2);
	put_le(c + CFG_SUBSYS_ID, NVU_DEVICE_ID, 2);
	c[CFG_CAP_PTR] = CAP_PM;
	c[CAP_PM] = PM_ID;
	c[CAP_PM + 1] = CAP_MSIX;
	put_le(c + CAP_PM + 2, 0x0003, 2);
	put_le(c + PM_PMCSR, 0x0008, 2);
	c[CAP_MSIX] = MSIX_ID;
	c[CAP_MSIX + 1] = CAP_PCIE;
	put_le(c + MSIX_CTRL, v->props.msix_vectors - 1u, 2);
	put_le(c + MSIX_TABLE, MSIX_BIR, 4);
	put_le(c + MSIX_PBA, NVU_MSIX_PBA_OFF | MSIX_BIR, 4);
	c[CAP_PCIE] = PCIE_ID;
	put_le(c + CAP_PCIE + 2, PCIE_CAP_VER_2, 2);
}

/* The bits of config byte `at` a host may change: Command's Memory Space,
 * Bus Master and Interrupt Disable, the BARs (sized below), MSI-X Enable
 * and Function Mask, PMCSR PowerState. */
static uint8_t cfg_wmask(uint64_t at)
{
	if (at == CFG_COMMAND)
		return 0x06;
	if (at == CFG_COMMAND + 1)
		return 0x04;
	if ((at >= CFG_BAR0 && at < CFG_BAR0_HI + 4) || (at >= CFG_BAR4 && at < CFG_BAR4 + 4))
		return 0xff;
	if (at == MSIX_CTRL + 1)
		return 0xc0;
	if (at == PM_PMCSR)
		return 0x03;
	return 0;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void nvu_pci_write(struct nvme_vfu *v, uint64_t off, const uint8_t *buf, uint32_t count)
{
	uint8_t *c = v->cfg;

	for (uint32_t i = 0; i < count; i++) {
		uint8_t m = cfg_wmask(off + i);

		c[off + i] = (uint8_t)((c[off + i] & ~m) | (buf[i] & m));
	}
	/* PCI Local Bus 3.0 §6.2.5.1: the bits below a BAR's size read 0, so
	 * that writing all ones reads back the size. */
	put_le(c + CFG_BAR0, (get_le32(c + CFG_BAR0) & ~(uint32_t)(v->bar_size - 1)) | BAR_MEM_64,
	       4);
	put_le(c + CFG_BAR4, get_le32(c + CFG_BAR4) & ~(NVU_BAR4_SIZE - 1), 4);
}
