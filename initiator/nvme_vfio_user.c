/* SPDX-License-Identifier: MIT */
/*
 * The nvme-vfio-user transport's device: the connection (lib/nvme's
 * vfio-user transport over the device's shared memory), the controller's
 * bring-up by lib/nvme, an I/O queue pair per queue, and the ops table.
 */
#define LOG_COMPONENT "initiator"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "initiator/nvme_drv.h"
#include "initiator/nvme_vfio_user.h"
#include "util/common.h"
#include "util/log.h"
#include "vfio-user/vfio_user_client.h"

/* Entries of an NVMe queue: 2 .. 4096 here (Base §3.3.1: CAP.MQES may
 * allow up to 65536; the PRP list pages of each slot bound ours). */
#define NVU_MAX_ENTRIES 4096

static int mem_alloc(void *arg, size_t len, size_t align, void **buf)
{
	return guestmem_alloc(arg, len, align, buf);
}

static void mem_free(void *arg, void *buf)
{
	guestmem_free(arg, buf);
}

/* MSI-X vectors 1 .. num_queues signal the queues' eventfds (vfio-user.rst
 * VFIO_USER_DEVICE_SET_IRQS); vector 0, the admin CQ's, stays unset. */
static int nvu_irqs_set(struct nvu_dev *nd)
{
	uint16_t n = nd->dev->opts.num_queues;
	int fds[n], ret;

	for (uint16_t i = 0; i < n; i++)
		fds[i] = nd->queues[i].efd;
	ret =
	    vfio_user_client_set_irqs(nvme_vfu_client(nd->vfu), VFIO_PCI_MSIX_IRQ_INDEX, 1, n, fds);
	if (ret)
		log_err("%s: SET_IRQS of MSI-X vectors 1 .. %u: %s", nd->dev->address, n,
			strerror(-ret));
	return ret;
}

static void nvu_disconnect(struct nvu_dev *nd)
{
	for (uint16_t i = 0; nd->queues && i < nd->dev->opts.num_queues; i++) {
		struct nvu_queue *q = &nd->queues[i];

		if (q->up)
			nvme_ctrlr_qpair_destroy(&nd->ctrlr, &q->qp);
		q->up = false;
	}
	if (nd->ctrlr_up)
		nvme_ctrlr_fini(&nd->ctrlr);
	nd->ctrlr_up = false;
	nvme_vfu_close(nd->vfu);
	nd->vfu = NULL;
}

static int nvu_connect(struct nvu_dev *nd)
{
	struct storlab_dev *dev = nd->dev;
	const struct storlab_dev_opts *o = &dev->opts;
	const struct nvme_vfu_mem mem = {
	    .fd = dev->mem.fd,
	    .base = dev->mem.base,
	    .size = dev->mem.size,
	    .alloc = mem_alloc,
	    .free = mem_free,
	    .arg = &dev->mem,
	};
	/* I/O commands get no deadline of the driver's: its Abort would go to
	 * the admin queue from the queue's thread (nvme_host.h); a reap with
	 * a timeout bounds the wait instead. */
	const struct nvme_ctrlr_opts copts = {
	    .io_queues = o->num_queues,
	    .io_queue_size = (uint16_t)MIN(o->queue_size + 1u, NVU_MAX_ENTRIES),
	    .admin_timeout_ms = o->timeout_ms,
	    .sgl = o->nvme_sgl,
	    .interrupts = o->nvme_interrupts,
	};
	int ret;

	ret = nvme_vfu_open(dev->address, o->timeout_ms, &mem, &nd->vfu);
	if (ret)
		return ret;
	ret = nvme_ctrlr_init(&nd->ctrlr, &g_nvme_vfu_ops, nd->vfu, &copts);
	if (ret) {
		log_err("%s: controller bring-up failed: %s", dev->address, strerror(-ret));
		goto fail;
	}
	nd->ctrlr_up = true;
	ret = -ENOTSUP;
	if (nd->ctrlr.info.nsid == 0) {
		log_err("%s: the controller has no active namespace", dev->address);
		goto fail;
	}
	if (nd->ctrlr.info.io_queues < o->num_queues) {
		log_err("%s: %u queues asked for, the controller allocated %u", dev->address,
			o->num_queues, nd->ctrlr.info.io_queues);
		goto fail;
	}
	if (o->nvme_interrupts) {
		ret = nvu_irqs_set(nd);
		if (ret)
			goto fail;
	}
	for (uint16_t i = 0; i < o->num_queues; i++) {
		ret = nvme_ctrlr_qpair_create(&nd->ctrlr, (uint16_t)(i + 1), &nd->queues[i].qp);
		if (ret) {
			log_err("%s: I/O queue %u: %s", dev->address, i + 1, strerror(-ret));
			goto fail;
		}
		nd->queues[i].up = true;
	}
	memset(&dev->info, 0, sizeof(dev->info));
	dev->info.transport = g_transport_nvme_vfio_user.scheme;
	dev->info.address = dev->address;
	dev->info.num_queues = o->num_queues;
	dev->info.mem_size = dev->mem.size;
	nvme_drv_info_fill(&nd->ctrlr, &nd->nv, &dev->info);
	nd->nv.doorbells_mapped = nvme_vfu_doorbells_mapped(nd->vfu);
	atomic_store(&dev->dead, false);
	return 0;
fail:
	nvu_disconnect(nd);
	return ret;
}

static void nvu_close(void *ctx)
{
	struct nvu_dev *nd = ctx;

	nvu_disconnect(nd);
	for (uint16_t i = 0; nd->queues && i < nd->dev->opts.num_queues; i++)
		if (nd->queues[i].ndev)
			nvu_queue_fini(&nd->queues[i]);
	free(nd->queues);
	free(nd);
}

static int nvu_open(struct storlab_dev *dev, void **ctx)
{
	const struct storlab_dev_opts *o = &dev->opts;
	struct nvu_dev *nd;
	int ret;

	if (o->queue_size < 1 || o->queue_size >= NVU_MAX_ENTRIES) {
		log_err("queue size %u: an NVMe queue of ours holds 1 .. %u commands",
			o->queue_size, NVU_MAX_ENTRIES - 1);
		return -EINVAL;
	}
	nd = calloc(1, sizeof(*nd));
	if (!nd)
		return -ENOMEM;
	nd->dev = dev;
	nd->queues = calloc(o->num_queues, sizeof(*nd->queues));
	if (!nd->queues) {
		ret = -ENOMEM;
		goto err;
	}
	for (uint16_t i = 0; i < o->num_queues; i++) {
		ret = nvu_queue_init(nd, (uint16_t)(i + 1), &nd->queues[i]);
		if (ret)
			goto err;
		dev->queues[i] = &nd->queues[i].head;
	}
	ret = nvu_connect(nd);
	if (ret)
		goto err;
	*ctx = nd;
	return 0;
err:
	nvu_close(nd);
	return ret;
}

static int nvu_reconnect(void *ctx)
{
	struct nvu_dev *nd = ctx;

	nvu_disconnect(nd);
	return nvu_connect(nd);
}

static const void *nvu_details(const void *ctx)
{
	return &((const struct nvu_dev *)ctx)->nv;
}

int storlab_nvme_admin(struct storlab_dev *dev, const struct storlab_nvme_cmd *cmd,
		       uint16_t *status, uint32_t *cdw0)
{
	struct nvu_dev *nd = dev->ctx;

	if (dev->tp != &g_transport_nvme_vfio_user)
		return -ENOTTY;
	if (atomic_load(&dev->dead) || !nd->ctrlr_up)
		return -ENOTCONN;
	return nvme_drv_admin(&nd->ctrlr, cmd, status, cdw0);
}

const struct initiator_transport g_transport_nvme_vfio_user = {
    .scheme = "nvme-vfio-user",
    .uri_form = "nvme-vfio-user:/path/to/cntrl",
    .kind = INITIATOR_DEV_NVME,
    .open = nvu_open,
    .close = nvu_close,
    .reconnect = nvu_reconnect,
    .details = nvu_details,
    .queue_add = nvu_queue_add,
    .queue_submit = nvu_queue_submit,
    .queue_reap = nvu_queue_reap,
    .queue_inflight = nvu_queue_inflight,
    .queue_fd = nvu_queue_fd,
    .queue_set_fd_enabled = nvu_queue_set_fd_enabled,
    .status_name = nvme_drv_status_name,
};
