/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_VHOST_VHOST_BACKEND_INTERNAL_H
#define STORLAB_VHOST_VHOST_BACKEND_INTERNAL_H

/*
 * The back-end's state and the calls between its files. Not a public
 * contract: used by lib/vhost, its unit tests and its fuzzer.
 *
 *   vhost_backend.c        sockets: listen / connect, accept, reconnect,
 *                          receive loop, connection teardown, public API
 *   vhost_backend_msg.c    the handler table, the checks every message gets
 *                          before its handler, replies; device-level messages
 *   vhost_backend_vring.c  per-ring messages and the ring start/stop rules
 *   vhost_backend_mem.c    memory-table messages
 *
 * Everything runs on the control thread, except vhost_vring_notify().
 */

#include <stdbool.h>
#include <stdint.h>

#include "util/log_ratelimit.h"
#include "vhost/vhost.h"
#include "vhost/vhost_msg.h"

/* The back-end's view of one ring: what the front-end configured, and the
 * part the device sees (vring) once the ring is started. */
struct vhost_ring {
	struct vhost_vring vring; /* index, vq, kick_fd, call_fd, dev */
	int err_fd;
	uint32_t num; /* SET_VRING_NUM; 0 = not set */
	struct vhost_user_vring_addr addr;
	bool addr_set;
	uint16_t base; /* SET_VRING_BASE, or where the ring stopped */
	bool kicked;   /* SET_VRING_KICK received since the last stop */
	bool enabled;
	bool started; /* ops->ring_start succeeded, ring_stop not yet called */
};

struct vhost_dev {
	struct vhost_dev_opts opts;
	char *socket_path;	 /* our copy; NULL for a device made on an fd */
	int listen_fd;		 /* server mode; -1 otherwise */
	int conn_fd;		 /* the front-end's connection, or -1 */
	bool conn_broken;	 /* a reply could not be sent: tear down */
	bool listening;		 /* listen_fd is registered with the loop */
	int64_t reconnect_timer; /* client mode; 0 when none is pending */
	struct vhost_msg_rx rx;

	/* Protocol state of the current connection. */
	bool owner;
	uint64_t features;	    /* SET_FEATURES */
	uint64_t protocol_features; /* SET_PROTOCOL_FEATURES */
	uint8_t status;		    /* SET_STATUS */
	/* While set, no ring may run: the memory table or the features are
	 * being changed under them. */
	bool suspended;
	struct mem_table *mem;
	struct vhost_ring rings[VHOST_MAX_QUEUES];
	/* The front-end can repeat a bad message at will. */
	struct log_ratelimit log_rl;
};

/* A rejection of what the front-end sent: rate-limited per device. */
#define vhost_warn(dev, ...) log_warn_ratelimited(&(dev)->log_rl, "vhost-user front-end", __VA_ARGS__)

/* Strict mode: a front-end protocol violation we tolerate is still reported. */
#define vhost_finding(dev, ...)                                                                    \
	do {                                                                                       \
		if ((dev)->opts.strict)                                                            \
			log_warn("finding: " __VA_ARGS__);                                         \
	} while (0)

/*
 * Runs one received message through the checks and its handler, and writes
 * any reply to dev->conn_fd. Takes ownership of fds[0 .. nfds): each is kept
 * by the handler or closed. payload holds hdr->size bytes (at most
 * VHOST_USER_MAX_PAYLOAD). Returns 0 (the message was answered, even if it
 * was refused), or a negative errno when the connection must be closed (a
 * malformed header, a reply that could not be sent).
 */
int vhost_dev_handle_msg(struct vhost_dev *dev, const struct vhost_user_hdr *hdr,
			 const void *payload, int *fds, unsigned nfds);

/* A device whose connection is conn_fd (taken), without a listening socket
 * or a loop (opts->socket_path and opts->loop are ignored): the caller feeds
 * messages with vhost_dev_handle_msg(). For fuzzers and handler tests. */
int vhost_dev_create_on_fd(const struct vhost_dev_opts *opts, int conn_fd, struct vhost_dev **dev);

/* Sends a reply to the request: REPLY flag, payload of size bytes. Marks the
 * connection broken if it cannot be sent. */
void vhost_dev_reply(struct vhost_dev *dev, uint32_t request, const void *payload, uint32_t size);

/* vhost_backend_vring.c */
void vhost_rings_init(struct vhost_dev *dev);
/* Stops every started ring and forgets every ring's configuration and fds
 * (disconnect, RESET_DEVICE, RESET_OWNER). */
void vhost_rings_reset(struct vhost_dev *dev);
/* Stops every started ring; rings stay configured (memory or features are
 * about to change). Pair with vhost_rings_resume(). */
void vhost_rings_suspend(struct vhost_dev *dev);
/* Starts every ring that is ready to run. */
void vhost_rings_resume(struct vhost_dev *dev);
uint16_t vhost_rings_started(const struct vhost_dev *dev);

/* Message handlers: 0 or a negative errno; see vhost_backend_msg.c. */
int vhost_h_set_vring_num(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_set_vring_addr(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_set_vring_base(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_get_vring_base(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_set_vring_kick(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_set_vring_call(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_set_vring_err(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_set_vring_enable(struct vhost_dev *dev, struct vhost_msg *msg);

/* vhost_backend_mem.c */
int vhost_h_set_mem_table(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_get_max_mem_slots(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_add_mem_reg(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_rem_mem_reg(struct vhost_dev *dev, struct vhost_msg *msg);

#endif
