/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_VHOST_VHOST_FE_SETUP_H
#define STORLAB_VHOST_VHOST_FE_SETUP_H

/*
 * The front-end's set-up of a vhost-user device, written once for every
 * caller: the initiator's vhost-user transports and the conformance suites'
 * devices. vhost_fe_setup() sends, on a connection the caller opened:
 *
 *   SET_OWNER
 *   GET_FEATURES
 *   GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES  (if F_PROTOCOL_FEATURES is acknowledged)
 *   GET_QUEUE_NUM                                 (if PROTOCOL_F_MQ was negotiated)
 *   SET_FEATURES
 *   SET_MEM_TABLE
 *   GET_CONFIG                                    (if PROTOCOL_F_CONFIG, through get_config)
 *   -- prepare(): the caller checks what it was offered and lays its rings out --
 *   GET_INFLIGHT_FD, SET_INFLIGHT_FD               (if PROTOCOL_F_INFLIGHT_SHMFD and the
 *                                                  caller keeps a buffer; GET only for a new one)
 *   per ring: SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE, SET_VRING_CALL, SET_VRING_KICK
 *   per ring: SET_VRING_ENABLE 1                  (if F_PROTOCOL_FEATURES was acknowledged)
 *
 * vhost_fe_setup.c says, message by message, which rule of vhost-user.rst
 * or of virtio 1.2 §3.1.1 puts it where it is.
 *
 * What callers vary is in the options: the features to acknowledge (a
 * conformance case leaves some out), features without which the set-up
 * stops, the memory regions, how the config space is read, whether the
 * rings are started, and a note hook for traces.
 */

#include <stdbool.h>
#include <stdint.h>

#include "vhost/vhost.h"
#include "virtio/virtq.h"

/* The protocol features this front-end knows how to use: GET_QUEUE_NUM,
 * acks, GET_CONFIG. */
#define VHOST_FE_PROTOCOL_FEATURES                                                                 \
	((1ULL << VHOST_USER_PROTOCOL_F_MQ) | (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) |          \
	 (1ULL << VHOST_USER_PROTOCOL_F_CONFIG))

/* One ring: a split virtqueue prepare() initialised (its size and the
 * addresses of its three parts, in the caller's mapping of the memory
 * regions), and its eventfds. */
struct vhost_fe_setup_ring {
	const struct virtq_drv *vq;
	int kick_fd;
	int call_fd;
	/* SET_VRING_BASE: 0 for a new ring; for a ring that moves from another
	 * back-end (a migration), the index that one's GET_VRING_BASE gave;
	 * after a back-end crash, the used ring's idx (where QEMU resumes: it
	 * could not ask GET_VRING_BASE). */
	uint16_t base;
};

/* The in-flight buffer a front-end keeps across connections to hand it back
 * to a restarted back-end (vhost-user.rst "Inflight I/O tracking"). fd -1:
 * none yet (the set-up asks for one). The caller closes fd. */
struct vhost_fe_inflight {
	int fd;
	struct vhost_user_inflight desc;
};

/* What was negotiated, filled in as the set-up goes (valid up to where it
 * stopped). */
struct vhost_fe_setup_state {
	uint64_t features_offered;
	uint64_t features; /* acknowledged with SET_FEATURES */
	uint64_t protocol_features_offered;
	uint64_t protocol_features; /* acknowledged */
	uint64_t queue_num;	    /* GET_QUEUE_NUM's answer; 1 without PROTOCOL_F_MQ */
	uint32_t config_len;	    /* bytes get_config read; 0: not read */
};

struct vhost_fe_setup_opts {
	/* Virtio features to acknowledge where offered. With
	 * VHOST_USER_F_PROTOCOL_FEATURES among them, protocol features are
	 * negotiated too. */
	uint64_t features;
	/* Features the caller cannot do without: the set-up stops with
	 * -ENOTSUP before SET_FEATURES if one is not offered. */
	uint64_t required_features;
	/* Protocol features to acknowledge where offered (usually
	 * VHOST_FE_PROTOCOL_FEATURES). */
	uint64_t protocol_features;
	const struct vhost_fe_region *regions;
	unsigned nregions;
	/* Reads the device's config space into config, and its length into
	 * *len (vhost_fe_get_blk_config for virtio-blk). Called only with
	 * PROTOCOL_F_CONFIG negotiated; NULL: the config is not read. */
	int (*get_config)(struct vhost_fe *fe, void *config, uint32_t *len);
	void *config;
	/* Called once features, memory table and config are settled, before
	 * the first ring message: checks what the device offers against what
	 * the caller wants (-ENOTSUP, say, for too few queues), and initialises
	 * the virtqueues of rings[] for st->features. 0 or a negative errno,
	 * which ends the set-up. */
	int (*prepare)(void *arg, const struct vhost_fe_setup_state *st);
	void *arg;
	struct vhost_fe_setup_ring *rings;
	uint16_t nrings;
	/* NULL, or the caller's buffer: with PROTOCOL_F_INFLIGHT_SHMFD among
	 * protocol_features and negotiated, a new one is asked for (fd -1,
	 * for nrings rings of the first ring's size) and it is handed to the
	 * back-end before the first ring message. */
	struct vhost_fe_inflight *inflight;
	/* Set every ring up but neither kick-start nor enable it: the caller
	 * sends SET_VRING_KICK and SET_VRING_ENABLE itself. */
	bool no_start;
	/* May be NULL: one line saying what was offered and acknowledged, for
	 * a trace, before SET_FEATURES goes out. */
	void (*note)(void *arg, const char *line);
};

/*
 * Runs the set-up on fe (connected, nothing sent yet) and fills *st. 0, or
 * -ENOTSUP (a required feature is missing), what prepare() or get_config
 * returned, or a vhost_fe_* error (the connection should then be closed).
 * Failures are logged with the message that failed.
 */
int vhost_fe_setup(struct vhost_fe *fe, const struct vhost_fe_setup_opts *opts,
		   struct vhost_fe_setup_state *st);

#endif
