/* SPDX-License-Identifier: MIT */
/* The sample device's ops (sample.h has the register map). */
#define LOG_COMPONENT "vfu-sample"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sample.h"
#include "util/common.h"
#include "util/log.h"

/* PCI Local Bus 3.0 §6.1, type-0 header offsets. */
#define CFG_VENDOR   0x00
#define CFG_DEVICE   0x02
#define CFG_COMMAND  0x04
#define CFG_CLASS    0x09 /* programming interface, sub-class, class */
#define CFG_BAR0     0x10
#define CFG_SUBSYS_V 0x2c

static void put_le(uint8_t *p, uint64_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned width)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void irqs_close(struct sample *d, uint32_t start, uint32_t count)
{
	for (uint32_t i = start; i < start + count; i++) {
		if (d->irq_fds[i] >= 0)
			close(d->irq_fds[i]);
		d->irq_fds[i] = -1;
	}
}

/* Registers and config space as after a reset; the quiesce count and the
 * plain page stay. */
static void regs_reset(struct sample *d)
{
	memset(d->bar, 0, SAMPLE_REGS_END - 4);
	put_le(d->bar + SAMPLE_REG_ID, SAMPLE_ID, 4);
	memset(d->cfg, 0, sizeof(d->cfg));
	put_le(d->cfg + CFG_VENDOR, 0x1b36, 2);
	put_le(d->cfg + CFG_DEVICE, 0x0005, 2);
	put_le(d->cfg + CFG_CLASS, 0xff0000, 3); /* "device does not fit any class" */
	put_le(d->cfg + CFG_SUBSYS_V, 0x1b36, 2);
}

int sample_init(struct sample *d, struct evloop *loop)
{
	memset(d, 0, sizeof(*d));
	d->loop = loop;
	for (unsigned i = 0; i < SAMPLE_MSIX_VECTORS; i++)
		d->irq_fds[i] = -1;
	d->bar_fd = memfd_create("vfu-sample-bar0", MFD_CLOEXEC);
	if (d->bar_fd < 0)
		return -errno;
	if (ftruncate(d->bar_fd, SAMPLE_BAR0_SIZE) < 0)
		goto fail;
	d->bar = mmap(NULL, SAMPLE_BAR0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, d->bar_fd, 0);
	if (d->bar == MAP_FAILED)
		goto fail;
	regs_reset(d);
	return 0;
fail:
	close(d->bar_fd);
	return -errno;
}

void sample_fini(struct sample *d)
{
	irqs_close(d, 0, SAMPLE_MSIX_VECTORS);
	munmap(d->bar, SAMPLE_BAR0_SIZE);
	close(d->bar_fd);
}

static void sample_device_info(void *dev, uint32_t *flags, uint32_t *num_regions,
			       uint32_t *num_irqs)
{
	(void)dev;
	*flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	*num_regions = VFIO_PCI_NUM_REGIONS;
	*num_irqs = VFIO_PCI_NUM_IRQS;
}

static void sample_region_info(void *dev, uint32_t index, struct vfio_user_region *r)
{
	struct sample *d = dev;

	if (index == VFIO_PCI_BAR0_REGION_INDEX) {
		r->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			   VFIO_REGION_INFO_FLAG_MMAP;
		r->size = SAMPLE_BAR0_SIZE;
		r->fd = d->bar_fd;
		r->nr_areas = 1;
		r->areas[0].offset = 4096;
		r->areas[0].size = 4096;
	} else if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
		r->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		r->size = SAMPLE_CFG_SIZE;
	}
}

static int sample_copy(struct sample *d)
{
	const struct mem_table *t = vfio_user_server_dma(d->srv);
	uint32_t len = (uint32_t)get_le(d->bar + SAMPLE_REG_LEN, 4);
	void *src = mem_gpa_to_hva(t, get_le(d->bar + SAMPLE_REG_SRC, 8), len);
	void *dst = mem_gpa_to_hva(t, get_le(d->bar + SAMPLE_REG_DST, 8), len);

	if (!src || !dst)
		return EFAULT;
	memmove(dst, src, len);
	return 0;
}

static int sample_irq(struct sample *d)
{
	uint32_t vector = (uint32_t)get_le(d->bar + SAMPLE_REG_LEN, 4);

	if (vector >= SAMPLE_MSIX_VECTORS)
		return EINVAL;
	if (d->irq_fds[vector] < 0)
		return ENOENT;
	return eventfd_write(d->irq_fds[vector], 1) < 0 ? errno : 0;
}

static void sample_cmd(struct sample *d, uint32_t cmd)
{
	int status = EINVAL;

	if (cmd == SAMPLE_CMD_COPY)
		status = sample_copy(d);
	else if (cmd == SAMPLE_CMD_IRQ)
		status = sample_irq(d);
	put_le(d->bar + SAMPLE_REG_STATUS, (uint32_t)status, 4);
	log_info("command %u: status %d", cmd, status);
}

static void bar_write(struct sample *d, uint64_t off, const uint8_t *buf, uint32_t count)
{
	/* ID, STATUS and QUIESCES are read-only. */
	for (uint32_t i = 0; i < count; i++) {
		uint64_t at = off + i;

		if (at >= SAMPLE_REG_SRC && (at < SAMPLE_REG_QUIESCES || at >= SAMPLE_REGS_END))
			d->bar[at] = buf[i];
	}
	if (off <= SAMPLE_REG_CMD && off + count >= SAMPLE_REG_CMD + 4) {
		sample_cmd(d, (uint32_t)get_le(buf + (SAMPLE_REG_CMD - off), 4));
		memset(d->bar + SAMPLE_REG_CMD, 0, 4);
	}
}

/* Only Command and BAR0 take writes; BAR0 keeps the bits of its size. */
static void cfg_write(struct sample *d, uint64_t off, const uint8_t *buf, uint32_t count)
{
	uint32_t bar;

	for (uint32_t i = 0; i < count; i++) {
		uint64_t at = off + i;

		if ((at >= CFG_COMMAND && at < CFG_COMMAND + 2) ||
		    (at >= CFG_BAR0 && at < CFG_BAR0 + 4))
			d->cfg[at] = buf[i];
	}
	bar = (uint32_t)get_le(d->cfg + CFG_BAR0, 4) & ~(SAMPLE_BAR0_SIZE - 1);
	put_le(d->cfg + CFG_BAR0, bar, 4);
}

static int sample_region_access(void *dev, uint32_t index, uint64_t offset, void *buf,
				uint32_t count, bool write)
{
	struct sample *d = dev;
	uint8_t *base = index == VFIO_PCI_CONFIG_REGION_INDEX ? d->cfg : d->bar;

	if (!write)
		memcpy(buf, base + offset, count);
	else if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		cfg_write(d, offset, buf, count);
	else
		bar_write(d, offset, buf, count);
	return 0;
}

static void sample_irq_info(void *dev, uint32_t index, uint32_t *flags, uint32_t *count)
{
	(void)dev;
	if (index != VFIO_PCI_MSIX_IRQ_INDEX)
		return;
	*flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
	*count = SAMPLE_MSIX_VECTORS;
}

/* TRIGGER only (the server refuses MASK/UNMASK: not MASKABLE): eventfds
 * kept, or the vectors fired from DATA_NONE / DATA_BOOL. */
static int sample_set_irqs(void *dev, struct vfio_user_irq_set *set)
{
	struct sample *d = dev;

	if (set->index != VFIO_PCI_MSIX_IRQ_INDEX)
		return 0; /* count 0: nothing to disable */
	if (set->count == 0) {
		irqs_close(d, 0, SAMPLE_MSIX_VECTORS);
		return 0;
	}
	for (uint32_t i = 0; i < set->count; i++) {
		uint32_t v = set->start + i;

		if (set->data == VFIO_IRQ_SET_DATA_EVENTFD) {
			irqs_close(d, v, 1);
			if (set->nfds) {
				d->irq_fds[v] = set->fds[i];
				set->fds[i] = -1;
			}
		} else if ((set->data == VFIO_IRQ_SET_DATA_NONE || set->bools[i]) &&
			   d->irq_fds[v] >= 0) {
			eventfd_write(d->irq_fds[v], 1);
		}
	}
	return 0;
}

static int sample_reset(void *dev)
{
	regs_reset(dev);
	return 0;
}

static void sample_attach(void *dev)
{
	regs_reset(dev);
}

static void sample_detach(void *dev)
{
	struct sample *d = dev;

	irqs_close(d, 0, SAMPLE_MSIX_VECTORS);
	regs_reset(d);
}

/* No data path runs off the loop; the quiesce still completes later, from
 * the loop, as a device with reactors would. */
static int sample_quiesce(void *dev, void (*done)(void *arg), void *arg)
{
	struct sample *d = dev;
	uint32_t n = (uint32_t)get_le(d->bar + SAMPLE_REG_QUIESCES, 4);

	put_le(d->bar + SAMPLE_REG_QUIESCES, n + 1, 4);
	return evloop_call(d->loop, done, arg);
}

static void sample_resume(void *dev)
{
	(void)dev;
}

const struct vfio_user_dev_ops sample_ops = {
    .device_info = sample_device_info,
    .region_info = sample_region_info,
    .region_access = sample_region_access,
    .irq_info = sample_irq_info,
    .set_irqs = sample_set_irqs,
    .reset = sample_reset,
    .attach = sample_attach,
    .detach = sample_detach,
    .quiesce = sample_quiesce,
    .resume = sample_resume,
};
