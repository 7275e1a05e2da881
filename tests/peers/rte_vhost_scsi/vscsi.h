/* SPDX-License-Identifier: MIT */
/*
 * rte_vhost_scsi's virtio-scsi controller (virtio 1.2 §5.6): its targets,
 * each with one LU (lu.h) at LUN 0, and what arrives on its queues: SCSI
 * commands on the request queues, task management on the controlq, hotplug
 * events on the eventq. No DPDK in here: rte_vhost_scsi.c plugs these
 * functions into tests/peers/rte_vhost_dev.h's device table, whose threading
 * rules they follow.
 */
#ifndef RTE_VHOST_SCSI_VSCSI_H
#define RTE_VHOST_SCSI_VSCSI_H

#include <stdbool.h>
#include <stdint.h>

#include "../rte_vhost_dev.h"

#define RVS_MAX_TARGETS 16

/* Adds a target from its --target SPEC:
 *   ID,size=MB | ID,file=PATH  [,bs=512|4096] [,serial=S] [,hotplug]
 * A hotplug target is absent until rvs_hotplug(true). 0 or a negative
 * errno (logged). Before rvd_run only. */
int rvs_target_add(const char *spec);
void rvs_targets_close(void);

/* Asks the poller to plug (true) or unplug every hotplug target; safe in a
 * signal handler. The change and its events happen on the next tick. */
void rvs_hotplug(bool plug);

/* The rvd_device callbacks (rte_vhost_dev.h); num_queues: request queues. */
uint32_t rvs_config(void *buf, uint32_t len, uint16_t num_queues);
enum rvd_queue_kind rvs_queue_kind(uint16_t q);
void rvs_start(int vid, uint64_t features);
uint32_t rvs_request(int vid, uint16_t q, uint64_t seq, struct rvd_chain *c);
bool rvs_event_ready(int vid);
void rvs_tick(void);

#endif
