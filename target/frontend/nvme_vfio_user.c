/* SPDX-License-Identifier: MIT */
/*
 * The vfio-user NVMe controller (nvme_vfio_user.h): the device the
 * vfio-user server serves (regions, IRQs, reset, quiesce around DMA
 * changes, detach), the admin queue polled on the control thread, and the
 * drains that reset, shutdown, Delete I/O SQ and DMA changes wait for.
 *
 * The admin queue is polled every ADMIN_POLL_MS by an evloop timer and at
 * once after a doorbell written with REGION_WRITE (the host's mmap of the
 * doorbell page gives no event): the admin queue carries set-up traffic,
 * and its thread is the one lib/nvmf's admin code must run on.
 */
#define LOG_COMPONENT "nvme-vfu"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "nvmf/nvmf_admin.h"
#include "target/frontend/nvme_vfio_user_internal.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"

#define ADMIN_POLL_MS 1
#define ADMIN_BATCH   32
/* The longest a reactor that may sleep leaves the I/O doorbells unlooked
 * at: the host's mmap'ed doorbell writes wake nobody (vfio-user's
 * ioeventfds, REGION_IO_FDS, are not done). While it runs, the queues are
 * polled on every pass as in poll mode; a sleeping reactor's timeout is
 * whole milliseconds, so a queue that went idle waits up to 1 ms. */
#define IOQ_MAX_SLEEP_US 100

static void handle_ev(struct nvme_vfu *v, int ev);

/* ---- Draining the I/O queues ---- */

static void destroy_drained(struct nvme_vfu *v);
static void irqs_reap(struct nvme_vfu *v);
static void ioqs_drain(struct nvme_vfu *v, void (*then)(struct nvme_vfu *v), bool pause);

/* Starts the first drain that waited, from the loop (not from inside
 * another continuation, which may still use v after it returns). */
static void drain_next(void *arg)
{
	struct nvme_vfu *v = arg;
	struct nvu_drain next;

	v->next_scheduled = false;
	if (v->stops || !v->nwaiting)
		return; /* a drain started meanwhile: it schedules us again */
	next = v->waiting[0];
	memmove(v->waiting, v->waiting + 1, --v->nwaiting * sizeof(*v->waiting));
	ioqs_drain(v, next.then, next.pause);
}

static void drain_schedule(struct nvme_vfu *v)
{
	if (v->next_scheduled || !v->nwaiting)
		return;
	if (evloop_call(v->loop, drain_next, v) < 0) {
		log_err("%s: cannot schedule the next drain", v->props.subnqn);
		return;
	}
	v->next_scheduled = true;
}

/* The drain under way is over: its continuation, then the next one asked
 * for meanwhile. Before a destroy, every drain still waiting completes at
 * once (nothing runs any more), the server's quiesce included. */
static void drain_step(struct nvme_vfu *v)
{
	void (*then)(struct nvme_vfu * v) = v->drained;

	if (!v->stops || --v->stops)
		return;
	irqs_reap(v); /* no queue runs now */
	if (then == destroy_drained) {
		struct nvu_drain waiting[ARRAY_SIZE(v->waiting)];
		unsigned n = v->nwaiting;

		memcpy(waiting, v->waiting, sizeof(waiting));
		v->nwaiting = 0;
		for (uint32_t i = 1; i <= v->props.max_io_queues; i++)
			v->ioq[i].paused = false;
		for (unsigned i = 0; i < n; i++)
			waiting[i].then(v);
		destroy_drained(v); /* v is gone */
		return;
	}
	then(v);
	if (!v->stops)
		drain_schedule(v);
}

static void admin_post(struct nvme_vfu *v, struct nvmf_cpl *cpl)
{
	struct nvmf_irq irq = {0};
	int rc = nvmf_cq_post(&v->ctrlr, 0, cpl, &irq);

	if (rc < 0) {
		log_warn("Base §4.2.4: admin completion of command %u dropped: %s", cpl->cid,
			 strerror(-rc));
		return;
	}
	nvu_count_cpl(&v->admin_cnt, cpl->status);
	if (irq.fire) {
		nvu_count(&v->admin_cnt.interrupts, 1);
		nvu_irq_fire(v, irq.vector);
	}
}

/* A queue's stop was answered: it is Delete I/O SQ's (Base §5.3.4: its
 * commands completed before the deletion completes) or a drain's. */
static void ioq_stopped(void *arg)
{
	struct nvu_ioq *q = arg;
	struct nvme_vfu *v = q->v;

	q->running = false;
	if (q->deleting) {
		q->deleting = false;
		nvu_ioq_forget(q); /* the SQ is gone */
		nvmf_admin_delete_sq_done(&v->ctrlr, q->sqid, &q->delete_cpl);
		admin_post(v, &q->delete_cpl);
	}
	drain_step(v);
}

/* Stops every I/O queue (pause: resume restarts it) and then calls
 * then(v), possibly at once. */
static void ioqs_drain(struct nvme_vfu *v, void (*then)(struct nvme_vfu *v), bool pause)
{
	if (v->stops) {
		/* One of each kind at most waits (reset or shutdown, quiesce,
		 * namespace update, destroy). */
		if (v->nwaiting == ARRAY_SIZE(v->waiting)) {
			log_err("%s: too many drains asked for at once", v->props.subnqn);
			return;
		}
		v->waiting[v->nwaiting++] = (struct nvu_drain){.then = then, .pause = pause};
		return;
	}
	v->drained = then;
	v->stops = 1;
	for (uint32_t i = 1; i <= v->props.max_io_queues; i++) {
		struct nvu_ioq *q = &v->ioq[i];

		if (!q->running)
			continue;
		v->stops++;
		if (q->deleting)
			continue; /* its stop is out already */
		q->paused = pause;
		qe_queue_stop(&q->qe, ioq_stopped, q);
	}
	drain_step(v);
}

static void reset_drained(struct nvme_vfu *v)
{
	for (uint32_t i = 1; i <= v->props.max_io_queues; i++)
		nvu_ioq_forget(&v->ioq[i]); /* Base §3.7.2: the queues are gone */
	log_info("%s: controller reset (Base §3.7.2)", v->props.subnqn);
	handle_ev(v, nvmf_ctrlr_reset_done(&v->ctrlr));
}

static void shutdown_drained(struct nvme_vfu *v)
{
	log_info("%s: controller shut down (Base §3.6.1)", v->props.subnqn);
	nvmf_ctrlr_shutdown_done(&v->ctrlr);
}

/* ---- The admin queue ---- */

static void sq_create(struct nvme_vfu *v, uint16_t sqid, struct nvmf_cpl *cpl)
{
	int rc = nvu_ioq_start(&v->ioq[sqid]);

	if (rc == 0)
		return;
	nvmf_queue_delete_sq(&v->ctrlr, sqid);
	nvmf_admin_refuse(&v->ctrlr, cpl, NVME_SCT_GENERIC, NVME_SC_INTERNAL,
			  "Base §5.3.2: SQ %u not started on its reactor: %s", sqid, strerror(-rc));
}

static void sq_delete(struct nvme_vfu *v, uint16_t sqid, const struct nvmf_cpl *cpl)
{
	struct nvu_ioq *q = &v->ioq[sqid];

	q->delete_cpl = *cpl;
	q->deleting = true;
	if (q->running)
		qe_queue_stop(&q->qe, ioq_stopped, q);
	else
		ioq_stopped(q);
}

static void abort_on_reactor(struct qe_queue *qe, void *arg)
{
	struct nvu_abort *a = arg;

	a->aborted = nvu_ioq_abort(container_of(qe, struct nvu_ioq, qe), a->cid);
}

static void abort_done(void *arg)
{
	struct nvu_abort *a = arg;

	a->busy = false;
	nvmf_admin_abort_done(&a->v->ctrlr, a->aborted, &a->cpl);
	admin_post(a->v, &a->cpl);
}

/* Base §5.1.1: the queue's reactor takes the command back if it has not
 * reached the medium yet; the Abort is answered from there, later (other
 * admin commands go on meanwhile: ACL counts what is out). A queue being
 * stopped holds nothing to take back: "not aborted", which the host must
 * take for any command. */
static void abort_start(struct nvme_vfu *v, const struct nvmf_admin_out *out)
{
	struct nvu_ioq *q = &v->ioq[out->sqid];
	struct nvu_abort *a = NULL;

	for (unsigned i = 0; i < ARRAY_SIZE(v->aborts) && !a; i++)
		if (!v->aborts[i].busy)
			a = &v->aborts[i];
	if (!a || !q->running || q->deleting || v->stops) {
		struct nvmf_cpl cpl = out->cpl;

		nvmf_admin_abort_done(&v->ctrlr, false, &cpl);
		admin_post(v, &cpl);
		return;
	}
	*a = (struct nvu_abort){.v = v, .cpl = out->cpl, .cid = out->cid, .busy = true};
	a->x = (struct qe_exec){.fn = abort_on_reactor, .done = abort_done, .arg = a};
	qe_queue_exec(&q->qe, &a->x);
}

static void admin_exec(struct nvme_vfu *v, const struct nvme_sqe *sqe)
{
	struct nvmf_ctrlr *c = &v->ctrlr;
	struct nvmf_admin_out out;

	nvu_count(&v->admin_cnt.commands, 1);
	switch (nvmf_admin_exec(c, sqe, &out)) {
	case NVMF_ADMIN_DONE:
		if (sqe->opc == NVME_ADM_CREATE_SQ && out.cpl.status == 0)
			sq_create(v, (uint16_t)sqe->cdw10, &out.cpl);
		break;
	case NVMF_ADMIN_HELD:
		return;
	case NVMF_ADMIN_ABORT:
		abort_start(v, &out);
		return;
	case NVMF_ADMIN_DRAIN_SQ:
		sq_delete(v, out.sqid, &out.cpl);
		return;
	}
	admin_post(v, &out.cpl);
}

static void admin_poll(struct nvme_vfu *v)
{
	struct nvmf_ctrlr *c = &v->ctrlr;
	struct nvme_sqe sqe;
	struct nvmf_cpl cpl;

	if (v->quiesced || v->stops || !vfio_user_server_attached(v->srv) || !nvmf_ctrlr_ready(c))
		return;
	for (unsigned n = 0; n < ADMIN_BATCH && nvmf_sq_fetch(c, 0, &sqe) == 1; n++)
		admin_exec(v, &sqe);
	while (nvmf_aen_poll(c, &cpl))
		admin_post(v, &cpl);
}

static void admin_tick(void *arg)
{
	struct nvme_vfu *v = arg;

	v->timer = evloop_add_timer(v->loop, ADMIN_POLL_MS, admin_tick, v);
	admin_poll(v);
}

/* What a register write asks for (nvmf_ctrlr.h NVMF_CTRLR_EV_*). */
static void handle_ev(struct nvme_vfu *v, int ev)
{
	if (ev & NVMF_CTRLR_EV_FATAL)
		log_warn("%s: CSTS.CFS set: the enable failed (Base §3.5.1)", v->props.subnqn);
	if (ev & NVMF_CTRLR_EV_RESET)
		ioqs_drain(v, reset_drained, false);
	else if (ev & NVMF_CTRLR_EV_SHUTDOWN)
		ioqs_drain(v, shutdown_drained, false);
	else if (ev & (NVMF_CTRLR_EV_ENABLE | NVMF_CTRLR_EV_DOORBELL))
		admin_poll(v);
	if (ev & NVMF_CTRLR_EV_ENABLE)
		v->enables++;
}

/* ---- The device ---- */

static void nvu_device_info(void *dev, uint32_t *flags, uint32_t *num_regions, uint32_t *num_irqs)
{
	(void)dev;
	*flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	*num_regions = VFIO_PCI_NUM_REGIONS;
	*num_irqs = VFIO_PCI_NUM_IRQS;
}

static void nvu_region_info(void *dev, uint32_t index, struct vfio_user_region *r)
{
	struct nvme_vfu *v = dev;
	const uint32_t rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;

	if (index == VFIO_PCI_BAR0_REGION_INDEX) {
		/* NVMe over PCIe 1.1 §3.1: the doorbells from 1000h on, a
		 * page of their own the host maps (sparse mmap area). */
		r->flags = rw | VFIO_REGION_INFO_FLAG_MMAP;
		r->size = v->bar_size;
		r->fd = v->bar_fd;
		r->nr_areas = 1;
		r->areas[0].offset = NVME_DB_BASE;
		r->areas[0].size = v->bar_size - NVME_DB_BASE;
	} else if (index == VFIO_PCI_BAR4_REGION_INDEX) {
		r->flags = rw;
		r->size = NVU_BAR4_SIZE;
	} else if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
		r->flags = rw;
		r->size = NVU_CFG_SIZE;
	}
}

static int bar0_access(struct nvme_vfu *v, uint64_t off, void *buf, uint32_t count, bool write)
{
	int rc;

	if (!write)
		return nvmf_ctrlr_read(&v->ctrlr, off, buf, count) < 0 ? -EINVAL : 0;
	if (v->quiesced)
		return -EBUSY;
	rc = nvmf_ctrlr_write(&v->ctrlr, off, buf, count);
	if (rc < 0)
		return -EINVAL;
	handle_ev(v, rc);
	return 0;
}

static int nvu_region_access(void *dev, uint32_t index, uint64_t offset, void *buf, uint32_t count,
			     bool write)
{
	struct nvme_vfu *v = dev;

	if (index == VFIO_PCI_BAR0_REGION_INDEX)
		return bar0_access(v, offset, buf, count, write);
	if (index == VFIO_PCI_CONFIG_REGION_INDEX && write)
		nvu_pci_write(v, offset, buf, count);
	else if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		memcpy(buf, v->cfg + offset, count);
	else if (write)
		memcpy(v->bar4 + offset, buf, count);
	else
		memcpy(buf, v->bar4 + offset, count);
	return 0;
}

static void nvu_irq_info(void *dev, uint32_t index, uint32_t *flags, uint32_t *count)
{
	struct nvme_vfu *v = dev;

	if (index != VFIO_PCI_MSIX_IRQ_INDEX)
		return;
	*flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
	*count = v->props.msix_vectors;
}

/* Closes the eventfds that were replaced: only while no I/O queue runs,
 * since a reactor may have loaded one just before (and its number could
 * be someone else's by now). */
static void irqs_reap(struct nvme_vfu *v)
{
	for (unsigned i = 0; i < v->nstale; i++)
		close(v->stale_fds[i]);
	v->nstale = 0;
}

static bool ioqs_running(const struct nvme_vfu *v)
{
	for (uint32_t i = 1; v->ioq && i <= v->props.max_io_queues; i++) {
		if (v->ioq[i].running)
			return true;
	}
	return false;
}

static void irq_set_fd(struct nvme_vfu *v, uint32_t vector, int fd)
{
	int old = __atomic_exchange_n(&v->irq_fds[vector], fd, __ATOMIC_ACQ_REL);
	int *grown;

	if (old < 0)
		return;
	if (!ioqs_running(v)) {
		close(old);
		return;
	}
	if (v->nstale == v->stale_cap) {
		grown = realloc(v->stale_fds, (v->stale_cap * 2 + 8) * sizeof(*grown));
		if (!grown) {
			log_err("%s: MSI-X eventfd %d left open: out of memory", v->props.subnqn,
				old);
			return;
		}
		v->stale_fds = grown;
		v->stale_cap = v->stale_cap * 2 + 8;
	}
	v->stale_fds[v->nstale++] = old;
}

static void irqs_close(struct nvme_vfu *v)
{
	for (uint32_t i = 0; i < v->props.msix_vectors; i++)
		irq_set_fd(v, i, -1);
}

/* TRIGGER only (not MASKABLE): eventfds kept, or vectors fired. */
static int nvu_set_irqs(void *dev, struct vfio_user_irq_set *set)
{
	struct nvme_vfu *v = dev;

	if (set->index != VFIO_PCI_MSIX_IRQ_INDEX)
		return 0;
	if (set->count == 0) {
		irqs_close(v);
		return 0;
	}
	for (uint32_t i = 0; i < set->count; i++) {
		uint32_t vec = set->start + i;

		if (set->data == VFIO_IRQ_SET_DATA_EVENTFD) {
			irq_set_fd(v, vec, set->nfds ? set->fds[i] : -1);
			if (set->nfds)
				set->fds[i] = -1;
		} else if (set->data == VFIO_IRQ_SET_DATA_NONE || set->bools[i]) {
			nvu_irq_fire(v, (uint16_t)vec);
		}
	}
	return 0;
}

/* CC.EN 0 as the host would write it (Base §3.7.2 Controller Reset). */
static void ctrlr_disable(struct nvme_vfu *v)
{
	uint32_t cc = 0;
	int ev = nvmf_ctrlr_write(&v->ctrlr, NVME_REG_CC, &cc, sizeof(cc));

	if (ev > 0)
		handle_ev(v, ev);
}

static int nvu_reset(void *dev)
{
	struct nvme_vfu *v = dev;

	ctrlr_disable(v);
	nvu_pci_reset(v);
	return 0;
}

static void nvu_attach(void *dev)
{
	nvu_pci_reset(dev);
}

/* Quiesced: the queues are stopped, so the reset completes at once. */
static void nvu_detach(void *dev)
{
	struct nvme_vfu *v = dev;

	for (uint32_t i = 1; i <= v->props.max_io_queues; i++)
		v->ioq[i].paused = false;
	v->quiesced = false;
	ctrlr_disable(v);
	irqs_close(v);
	memset(v->bar4, 0, NVU_BAR4_SIZE);
}

static void quiesce_drained(struct nvme_vfu *v)
{
	v->quiesce_done(v->quiesce_arg);
}

static int nvu_quiesce(void *dev, void (*done)(void *arg), void *arg)
{
	struct nvme_vfu *v = dev;

	v->quiesced = true;
	v->quiesce_done = done;
	v->quiesce_arg = arg;
	ioqs_drain(v, quiesce_drained, true);
	return 0;
}

/* Restarts the queues a drain paused. */
static void ioqs_restart(struct nvme_vfu *v, const char *why)
{
	for (uint32_t i = 1; i <= v->props.max_io_queues; i++) {
		struct nvu_ioq *q = &v->ioq[i];

		if (q->paused && nvu_ioq_start(q) < 0)
			log_err("%s: SQ %u not restarted after %s", v->props.subnqn, i, why);
		q->paused = false;
	}
}

/* The DMA table changed with every queue stopped: the controller's rings
 * are translated again before any queue runs. A host that unmapped memory
 * a ring is in gets a controller in fatal state, whose queues stay stopped
 * until it resets it (Base §3.1.4.6), instead of a reactor reading
 * unmapped memory. */
static void nvu_resume(void *dev)
{
	struct nvme_vfu *v = dev;

	v->quiesced = false;
	if (nvmf_ctrlr_remap(&v->ctrlr) == 0) {
		ioqs_restart(v, "a DMA change");
		return;
	}
	for (uint32_t i = 1; i <= v->props.max_io_queues; i++)
		v->ioq[i].paused = false; /* stopped for good: the reset deletes them */
}

static const struct vfio_user_dev_ops nvu_ops = {
    .device_info = nvu_device_info,
    .region_info = nvu_region_info,
    .region_access = nvu_region_access,
    .irq_info = nvu_irq_info,
    .set_irqs = nvu_set_irqs,
    .reset = nvu_reset,
    .attach = nvu_attach,
    .detach = nvu_detach,
    .quiesce = nvu_quiesce,
    .resume = nvu_resume,
};

/* ---- Life ---- */

static void *dma_xlate(void *arg, uint64_t gpa, uint64_t len)
{
	struct nvme_vfu *v = arg;

	return mem_gpa_to_hva(vfio_user_server_dma(v->srv), gpa, len);
}

static uint64_t now_ms(void *arg)
{
	(void)arg;
	return (uint64_t)deadline_now_ms();
}

static void nvu_free(struct nvme_vfu *v)
{
	for (uint32_t i = 1; v->ioq && i <= v->props.max_io_queues; i++)
		nvu_ioq_fini(&v->ioq[i]);
	free(v->ioq);
	if (v->irq_fds)
		irqs_close(v);
	irqs_reap(v);
	free(v->stale_fds);
	free(v->irq_fds);
	free(v->bar4);
	if (v->bar && v->bar != MAP_FAILED)
		munmap(v->bar, v->bar_size);
	if (v->bar_fd >= 0)
		close(v->bar_fd);
	free(v);
}

/* BAR0: the properties page, then the doorbells, a power of two (as
 * nvmf_ctrlr_bar0_size() says once the controller exists). */
static int bar_create(struct nvme_vfu *v)
{
	uint64_t end = NVME_DB_BASE + 4ull * NVMF_DB_WORDS(v->props.max_io_queues);

	v->bar_size = 0x2000;
	while (v->bar_size < end)
		v->bar_size <<= 1;
	v->bar_fd = memfd_create("nvme-vfu-bar0", MFD_CLOEXEC);
	if (v->bar_fd < 0 || ftruncate(v->bar_fd, (off_t)v->bar_size) < 0)
		return -errno;
	v->bar = mmap(NULL, v->bar_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->bar_fd, 0);
	return v->bar == MAP_FAILED ? -errno : 0;
}

static int nvu_setup(struct nvme_vfu *v)
{
	struct nvmf_ctrlr_params p = {
	    .props = &v->props,
	    .ns = &v->ns[v->ns_cur],
	    .xlate = dma_xlate,
	    .xlate_arg = v,
	    .now_ms = now_ms,
	};
	int rc = bar_create(v);

	if (rc < 0)
		return rc;
	p.db = (uint32_t *)(v->bar + NVME_DB_BASE);
	rc = nvmf_ctrlr_init(&v->ctrlr, &p);
	if (rc < 0)
		return rc;
	if (nvmf_ctrlr_bar0_size(&v->ctrlr) != v->bar_size) {
		nvmf_ctrlr_fini(&v->ctrlr);
		return -EINVAL;
	}
	v->bar4 = calloc(1, NVU_BAR4_SIZE);
	v->irq_fds = malloc(v->props.msix_vectors * sizeof(*v->irq_fds));
	v->ioq = calloc((size_t)v->props.max_io_queues + 1, sizeof(*v->ioq));
	if (!v->bar4 || !v->irq_fds || !v->ioq)
		rc = -ENOMEM;
	for (uint32_t i = 0; rc == 0 && i < v->props.msix_vectors; i++)
		v->irq_fds[i] = -1;
	for (uint32_t i = 1; rc == 0 && i <= v->props.max_io_queues; i++)
		rc = nvu_ioq_init(v, &v->ioq[i], (uint16_t)i);
	if (rc < 0)
		nvmf_ctrlr_fini(&v->ctrlr);
	return rc;
}

/* ns and bdevs (ascending by nsid) into the list not in use and the
 * bdevs to come; the caller's arrays may go once it returned. */
static void ns_stage(struct nvme_vfu *v, const struct nvmf_ns_props *const *ns,
		     struct bdev *const *bdevs, unsigned nns)
{
	unsigned next = v->ns_cur ^ 1;

	for (unsigned i = 0; i < nns; i++) {
		v->ns_ptrs[next][i] = ns[i];
		v->bdevs_next[i] = bdevs[i];
	}
	v->ns[next] = (struct nvmf_ns_list){.ns = v->ns_ptrs[next], .n = nns};
}

/* The staged list becomes the controller's; only while the I/O queues are
 * stopped (reactors read the bdev map). Returns it. */
static const struct nvmf_ns_list *ns_apply(struct nvme_vfu *v)
{
	const struct nvmf_ns_list *l = &v->ns[v->ns_cur ^ 1];

	v->ns_cur ^= 1;
	for (unsigned i = 0; i < l->n; i++) {
		v->bdevs[i] = v->bdevs_next[i];
		v->bdev_of_nsid[l->ns[i]->nsid] = (uint8_t)i;
	}
	v->nbdevs = l->n;
	return l;
}

int nvme_vfu_create(const struct nvme_vfu_opts *o, struct nvme_vfu **out)
{
	struct nvme_vfu *v = calloc(1, sizeof(*v));
	struct vfio_user_server_opts so = {.path = o->path, .loop = o->loop, .ops = &nvu_ops};
	int rc;

	if (!v)
		return -ENOMEM;
	v->loop = o->loop;
	v->props = *o->props;
	v->bar_fd = -1;
	nvu_ioq_ops_init(&v->ioq_ops, o->reactors_sleep ? IOQ_MAX_SLEEP_US : 0);
	ns_stage(v, o->ns, o->bdevs, o->nns);
	ns_apply(v);
	/* MDTS in CAP.MPSMIN pages, plus one for a first page not aligned. */
	v->niov = (v->props.mdts ? 1u << v->props.mdts : 256u) + 1;
	rc = qe_placement_init(&v->place, o->cpumask, v->props.subnqn);
	if (rc == 0)
		rc = nvu_setup(v);
	if (rc < 0) {
		log_err("%s: controller not created: %s", v->props.subnqn, strerror(-rc));
		nvu_free(v);
		return rc;
	}
	nvu_pci_reset(v);
	so.dev = v;
	rc = vfio_user_server_create(&so, &v->srv);
	if (rc < 0) {
		log_err("%s: cannot listen at %s: %s", v->props.subnqn, o->path, strerror(-rc));
		nvmf_ctrlr_fini(&v->ctrlr);
		nvu_free(v);
		return rc;
	}
	v->timer = evloop_add_timer(v->loop, ADMIN_POLL_MS, admin_tick, v);
	log_info("%s: NVMe controller %u listening at %s", v->props.subnqn, v->props.cntlid,
		 o->path);
	*out = v;
	return 0;
}

bool nvme_vfu_busy(const struct nvme_vfu *v)
{
	return v->stops || v->quiesced || v->ns_done || v->destroyed;
}

static void ns_drained(struct nvme_vfu *v)
{
	void (*done)(void *arg) = v->ns_done;

	nvmf_ctrlr_ns_swap(&v->ctrlr, ns_apply(v));
	ioqs_restart(v, "a namespace change");
	log_info("%s: controller %u has %u namespaces now", v->props.subnqn, v->props.cntlid,
		 v->nbdevs);
	v->ns_done = NULL;
	done(v->ns_arg);
}

void nvme_vfu_ns_update(struct nvme_vfu *v, const struct nvmf_ns_props *const *ns,
			struct bdev *const *bdevs, unsigned nns, void (*done)(void *arg), void *arg)
{
	v->ns_done = done;
	v->ns_arg = arg;
	ns_stage(v, ns, bdevs, nns);
	/* The queues stop before the bdevs change under them. */
	ioqs_drain(v, ns_drained, true);
}

static void destroy_drained(struct nvme_vfu *v)
{
	void (*done)(void *arg) = v->destroyed;
	void *arg = v->destroyed_arg;

	vfio_user_server_destroy(v->srv);
	nvmf_ctrlr_fini(&v->ctrlr);
	log_info("%s: NVMe controller %u gone", v->props.subnqn, v->props.cntlid);
	nvu_free(v);
	done(arg);
}

void nvme_vfu_destroy(struct nvme_vfu *v, void (*done)(void *arg), void *arg)
{
	v->destroyed = done;
	v->destroyed_arg = arg;
	if (v->timer > 0)
		evloop_cancel_timer(v->loop, v->timer);
	v->timer = 0;
	v->quiesced = true; /* no admin command, no register write from now on */
	/* Always from the loop: a continuation may be using v right now. */
	v->waiting[v->nwaiting++] = (struct nvu_drain){.then = destroy_drained};
	if (!v->stops)
		drain_schedule(v);
}
