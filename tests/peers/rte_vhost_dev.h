/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user device side the rte_vhost peers share (rte_vhost_blk,
 * rte_vhost_scsi): DPDK's rte_vhost speaks the protocol, this runs the split
 * rings (virtio 1.2 §2.7) of every connection on one polling thread and hands
 * each request to the device model, a const table of callbacks. What
 * rte_vhost 22.11 cannot do by itself is done here too (rte_vhost_dev.c).
 *
 * Threads: request, event_ready and tick run on the poller, start on
 * rte_vhost's event thread; none of them runs while another does (one lock).
 */
#ifndef RTE_VHOST_DEV_H
#define RTE_VHOST_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "rte_vhost_disk.h"

#define RVD_MAX_QUEUES 16
#define RVD_MAX_VIDS   8 /* connections at once */

/* What a device does with a ring's buffers. */
enum rvd_queue_kind {
	/* Requests: each held --delay-us, completed in order, tracked in the
	 * in-flight region with --inflight, completed when the ring stops. */
	RVD_Q_REQUEST,
	/* As requests, but never delayed (a task management function must be
	 * able to overtake what it manages). */
	RVD_Q_CONTROL,
	/* Buffers the device keeps until it has something to put in them
	 * (virtio-scsi's eventq, virtio 1.2 §5.6.6.3): not tracked, and given
	 * back through the ring's base when it stops, not completed. */
	RVD_Q_EVENT,
};

struct rvd_device {
	/* Device feature bits offered besides VERSION_1, INDIRECT_DESC and
	 * PROTOCOL_FEATURES. */
	uint64_t features;
	/* Writes the device's config space (at most len bytes) into buf and
	 * returns its size; GET_CONFIG's bytes past it read as zero. */
	uint32_t (*config)(void *buf, uint32_t len);
	/* NULL: every ring carries requests. */
	enum rvd_queue_kind (*kind)(uint16_t q);
	/* A connection's device started with these negotiated features. */
	void (*start)(int vid, uint64_t features);
	/* Runs the request on ring q and returns the used length (bytes
	 * written into the device-writable buffers). seq counts the requests a
	 * connection took, over all its rings, in the order it took them. */
	uint32_t (*request)(int vid, uint16_t q, uint64_t seq, struct rvd_chain *c);
	/* An RVD_Q_EVENT ring's oldest buffer may complete now (request fills
	 * it). NULL when no ring is RVD_Q_EVENT. */
	bool (*event_ready)(int vid);
	/* Called on every poller pass before the rings; may be NULL. */
	void (*tick)(void);
};

struct rvd_opts {
	const char *socket;
	uint16_t rings;	   /* GET_QUEUE_NUM's answer */
	uint64_t delay_ns; /* --delay-us */
	bool inflight;	   /* --inflight: offer INFLIGHT_SHMFD */
};

/* The options every rte_vhost peer takes: --socket, --delay-us,
 * --inflight, as getopt_long's codes 's', 'd', 'i'. Returns true if c was
 * one of them (and stores it in o). */
bool rvd_opts_parse(struct rvd_opts *o, int c, const char *arg);

/* Starts DPDK's EAL and rte_vhost on o->socket, prints "ready", and serves
 * until SIGTERM or SIGINT. 0 on a clean stop, 1 if it could not start. */
int rvd_run(const struct rvd_device *dev, const struct rvd_opts *o, char *argv0);

#endif
