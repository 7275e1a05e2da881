/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_FRONTEND_NVME_VFIO_USER_H
#define STORLAB_FRONTEND_NVME_VFIO_USER_H

/*
 * One emulated NVMe PCIe controller served over a vfio-user socket: what
 * nvmf_subsystem_add_listener {trtype VFIOUSER, traddr DIR} creates for a
 * subsystem (the socket is DIR/cntrl, SPDK's layout). The controller core
 * is lib/nvmf; this is the device around it (PCI config space, BAR0 with
 * its doorbell page as a sparse mmap area, MSI-X eventfds) and its queues:
 * the admin queue polled on the control thread, each I/O SQ a queue of
 * the queue engine on a reactor.
 *
 * The namespaces are the subsystem's: nvme_vfu_ns_update() follows a
 * change while the controller runs.
 *
 * Threads: the control thread, except the I/O queues (their reactors).
 */

#include <stdbool.h>
#include <stdint.h>

#include "nvmf/nvmf_props.h"
#include "util/evloop.h"

struct bdev;
struct nvme_vfu;

struct nvme_vfu_opts {
	const char *path; /* the socket */
	struct evloop *loop;
	const struct nvmf_ctrlr_props *props;
	/* The active namespaces, ascending by nsid, and each one's open
	 * bdev (held open by the subsystem while the controller lives). */
	const struct nvmf_ns_props *const *ns;
	struct bdev *const *bdevs;
	unsigned nns;
	uint64_t cpumask; /* 0: every reactor's core */
	/* The reactors may sleep (interrupt and adaptive modes): the host
	 * writes the doorbells to shared memory, which wakes nobody, so the
	 * sleeping reactor wakes on a timer to look at the I/O queues
	 * (queue_engine.h max_sleep_us). */
	bool reactors_sleep;
};

/* What one queue carried since the controller was created. Each has one
 * writer (the queue's thread) and is read with relaxed loads. */
struct nvme_vfu_counters {
	uint64_t commands;    /* fetched and started */
	uint64_t completions; /* CQEs posted */
	uint64_t errors;      /* of them with a status other than success */
	uint64_t interrupts;  /* MSI-X signals (after coalescing) */
};

/* One queue of a controller (nvmf_get_stats): a racy snapshot. */
struct nvme_vfu_qstats {
	uint16_t qid;	   /* 0: the admin queue (the control thread's) */
	bool current;	   /* enabled (admin) or running on its reactor (I/O) */
	unsigned core;	   /* I/O: its reactor's core */
	uint64_t starts;   /* times enabled / started */
	uint32_t inflight; /* I/O: commands taken and not completed */
	struct nvme_vfu_counters c;
};

/* Calls fn for the admin queue and each I/O SQ ever started. */
void nvme_vfu_get_qstats(const struct nvme_vfu *v,
			 void (*fn)(const struct nvme_vfu_qstats *st, void *arg), void *arg);

/* Listens at opts->path. 0 or a negative errno (logged; nothing left). */
int nvme_vfu_create(const struct nvme_vfu_opts *opts, struct nvme_vfu **out);
/* Whether a reset, shutdown, DMA change or namespace update is draining
 * the I/O queues (nvme_vfu_ns_update() must wait). */
bool nvme_vfu_busy(const struct nvme_vfu *v);
/*
 * The subsystem's namespaces are now ns/bdevs (as in nvme_vfu_opts): the
 * I/O queues stop once what they carry completed, the list is swapped
 * (nvmf_ctrlr_ns_swap: the Changed Namespace List and a Namespace
 * Attribute Changed event, NVMe Base 2.1 §5.2.2), the queues restart with
 * channels to the new bdevs, then done(arg): from then on no namespace or
 * bdev of the old list is used. Not while nvme_vfu_busy().
 */
void nvme_vfu_ns_update(struct nvme_vfu *v, const struct nvmf_ns_props *const *ns,
			struct bdev *const *bdevs, unsigned nns, void (*done)(void *arg),
			void *arg);
/* Stops the I/O queues once what they carry completed, closes the client
 * and the socket (its file removed), frees v, then done(arg): once, on
 * the control thread, possibly before returning. */
void nvme_vfu_destroy(struct nvme_vfu *v, void (*done)(void *arg), void *arg);

#endif
