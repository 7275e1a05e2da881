/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_VHOST_VHOST_BACKEND_INTERNAL_H
#define STORLAB_VHOST_VHOST_BACKEND_INTERNAL_H

/*
 * The back-end's state and the calls between its files. Not a public
 * contract: used by lib/vhost, its unit tests and its fuzzer.
 *
 *   vhost_backend.c        sockets: listen / connect, accept, reconnect,
 *                          receive loop, connection teardown, shutdown,
 *                          public API, and vhost_dev_progress()
 *   vhost_backend_msg.c    the handler table, the checks every message gets
 *                          before its handler, the stops it waits for,
 *                          replies; device-level messages
 *   vhost_backend_vring.c  per-ring messages and the ring start/stop rules
 *   vhost_backend_mem.c    memory-table messages
 *   vhost_backend_log.c    SET_LOG_BASE: the dirty log's mapping
 *   vhost_backend_inflight.c  GET/SET_INFLIGHT_FD: the in-flight buffer,
 *                          and each ring's region of it when it starts
 *
 * Everything runs on the control thread, except vhost_vring_notify().
 *
 * Waiting without blocking. Stopping a ring and swapping its fds are
 * answered by the device later (ring_ops counts what is outstanding).
 * Whatever waits for them is state, not a blocked thread: the request being
 * handled (dev->cur: its rings stopping, or its answer waiting for a swap)
 * and a connection being torn down (dev->closing). vhost_dev_progress()
 * moves each on once nothing is outstanding, and is called after every
 * answer of the device. While a request waits, its connection is not read.
 */

#include <stdbool.h>
#include <stdint.h>

#include "util/log_ratelimit.h"
#include "vhost/vhost.h"
#include "vhost/vhost_log.h"
#include "vhost/vhost_msg.h"

/* The back-end's view of one ring: what the front-end configured, and the
 * part the device sees (vring) once the ring is started. */
struct vhost_ring {
	struct vhost_vring vring; /* the device's while started */
	/* The front-end's latest fds (owned); vring has copies while started. */
	int kick_fd;
	int call_fd;
	int err_fd;
	/* Swapped out of a running ring: closed once the device answered. */
	int retired_kick_fd;
	int retired_call_fd;
	uint32_t num; /* SET_VRING_NUM; 0 = not set */
	struct vhost_user_vring_addr addr;
	bool addr_set;
	uint16_t base; /* SET_VRING_BASE, or where the ring stopped */
	bool kicked;   /* SET_VRING_KICK received since the last stop */
	bool enabled;
	bool started;  /* ops->ring_start succeeded, the device has not answered ring_stop */
	bool stopping; /* ring_stop called, not answered yet */
	/* The heads vring.inflight.resubmit points at (owned); NULL: none. */
	uint16_t *resubmit;
};

/* SET_INFLIGHT_FD's buffer, mapped (map.addr NULL: none). */
struct vhost_inflight_buf {
	struct mem_map map;
	uint16_t num_queues;
	uint16_t queue_size;
};

struct vhost_msg_handler;

/* Where the request being handled is. */
enum vhost_cur_state {
	VHOST_CUR_NONE,
	VHOST_CUR_STOPPING, /* waits for the rings it needs stopped */
	VHOST_CUR_SETTLED,  /* handled; its answer waits for fd swaps */
};

struct vhost_cur {
	enum vhost_cur_state state;
	const struct vhost_msg_handler *h;
	int ret; /* the handler's result, once SETTLED */
	struct vhost_msg msg; /* owns its fds until answered */
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
	struct mem_table *mem;
	/* SET_MEM_TABLE's new table, built before its rings stop. */
	struct mem_table *staged_mem;
	/* SET_LOG_BASE's log (bits NULL: none), and the new one, mapped
	 * before the rings stop. Rings get &log when they start. */
	struct vhost_log log;
	struct vhost_log staged_log;
	/* SET_INFLIGHT_FD's buffer, and the new one, mapped before the rings
	 * stop. Rings get their region when they start. */
	struct vhost_inflight_buf inflight;
	struct vhost_inflight_buf staged_inflight;

	/* Asynchronous state (see the top of this file). */
	unsigned ring_ops;
	struct vhost_cur cur;
	bool rx_paused;	  /* conn_fd is off the loop while cur waits */
	bool closing;	  /* the connection is gone; rings stop, then teardown */
	bool progressing; /* inside vhost_dev_progress() */
	bool shut;	  /* vhost_dev_shutdown() was called */
	bool shut_completed;
	bool free_when_idle;
	void (*shutdown_done)(void *arg);
	void *shutdown_arg;
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
 * was refused); 1 if it waits for rings to stop or fds to be swapped (it is
 * answered later, and no further message may be handed in before
 * vhost_dev_busy() is false); or a negative errno when the connection must
 * be closed (a malformed header, a reply that could not be sent).
 */
int vhost_dev_handle_msg(struct vhost_dev *dev, const struct vhost_user_hdr *hdr,
			 const void *payload, int *fds, unsigned nfds);
/* A request is being handled (waiting for the device). */
bool vhost_dev_busy(const struct vhost_dev *dev);
/* Runs the request waiting in dev->cur one step on, until it waits for the
 * device again or is answered (vhost_backend_msg.c). Called by
 * vhost_dev_progress() only, when nothing is outstanding. */
void vhost_msg_step(struct vhost_dev *dev);
/* Drops the request in dev->cur unanswered (its fds closed). */
void vhost_msg_drop(struct vhost_dev *dev);

/* Moves every waiting state on once the device answered all it was asked;
 * re-entrant (a device may answer inline). Last of all it may resume
 * reading the connection, call the shutdown callback, or free dev: the
 * caller must not touch dev after it, except from inside a callback. */
void vhost_dev_progress(struct vhost_dev *dev);
/* The front-end is gone (or must be dropped): stops reading, drops the
 * request in hand and closes the socket now; the next vhost_dev_progress()
 * stops the rings and then tears the connection's state down. No-op if not
 * connected. */
void vhost_dev_conn_close(struct vhost_dev *dev);

/* A device whose connection is conn_fd (taken), without a listening socket
 * or a loop (opts->socket_path and opts->loop are ignored): the caller feeds
 * messages with vhost_dev_handle_msg(). For fuzzers and handler tests. */
int vhost_dev_create_on_fd(const struct vhost_dev_opts *opts, int conn_fd, struct vhost_dev **dev);

/* Sends a reply to the request: REPLY flag, payload of size bytes. Marks the
 * connection broken if it cannot be sent. */
void vhost_dev_reply(struct vhost_dev *dev, uint32_t request, const void *payload, uint32_t size);
/* The same with nfds fds (they stay the caller's). */
void vhost_dev_reply_fds(struct vhost_dev *dev, uint32_t request, const void *payload,
			 uint32_t size, const int *fds, unsigned nfds);

/* vhost_backend_vring.c */
void vhost_rings_init(struct vhost_dev *dev);
/* Forgets every ring's configuration and fds (disconnect, RESET_DEVICE,
 * RESET_OWNER). No ring may be started. */
void vhost_rings_forget(struct vhost_dev *dev);
/* Bit i: ring i is started. */
uint64_t vhost_rings_started_mask(const struct vhost_dev *dev);
/* Asks the device to stop every started ring of mask that is not already
 * stopping; returns how many it asked (each answered later, or inline). */
unsigned vhost_rings_stop(struct vhost_dev *dev, uint64_t mask);
/* Starts or stops each ring of mask so that it runs exactly when it is
 * ready. Returns ring `index`'s start error (0 if it started or was not
 * asked to); the others' are logged. */
int vhost_rings_converge(struct vhost_dev *dev, uint64_t mask, uint32_t index);
uint16_t vhost_rings_started(const struct vhost_dev *dev);

/* Message checks (before any ring stops) and handlers (once the rings the
 * request needs are stopped): 0 or a negative errno; see vhost_backend_msg.c. */
int vhost_check_set_vring_num(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_check_set_vring_addr(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_check_set_vring_base(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_check_ring_fd(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_check_set_vring_enable(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_set_vring_num(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_set_vring_addr(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_set_vring_base(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_get_vring_base(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_set_vring_kick(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_set_vring_call(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_set_vring_err(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_set_vring_enable(struct vhost_dev *dev, struct vhost_msg *msg);

/* The features the back-end offers (GET_FEATURES), VHOST_F_LOG_ALL
 * included for a device that logs its writes. */
uint64_t vhost_dev_offered_features(const struct vhost_dev *dev);

/* vhost_backend_log.c */
int vhost_check_set_log_base(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_set_log_base(struct vhost_dev *dev, struct vhost_msg *msg);
/* Unmaps the log SET_LOG_BASE mapped but did not install. */
void vhost_log_unstage(struct vhost_dev *dev);
/* Unmaps the log (disconnect, reset). No ring may be started. */
void vhost_log_drop(struct vhost_dev *dev);
/* vhost-user.rst "Migration": the last byte of a logged used ring must fall
 * inside the log. 0, or -ERANGE (logged) for vring r at addr with num
 * entries against a log of log_size bytes. */
int vhost_log_check_used(struct vhost_dev *dev, const struct vhost_user_vring_addr *addr,
			 uint32_t num, uint64_t log_size);
/* The used ring's bytes for num entries under the negotiated features. */
uint64_t vhost_ring_used_bytes(const struct vhost_dev *dev, uint32_t num);

/* vhost_backend_inflight.c */
int vhost_h_get_inflight_fd(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_check_set_inflight_fd(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_set_inflight_fd(struct vhost_dev *dev, struct vhost_msg *msg);
/* Unmaps the buffer SET_INFLIGHT_FD mapped but did not install. */
void vhost_inflight_unstage(struct vhost_dev *dev);
/* Unmaps the buffer (disconnect, reset). No ring may be started. */
void vhost_inflight_drop(struct vhost_dev *dev);
/* Ring r is about to start with used_idx in its used ring: gives it its
 * queue's region (none unless the device tracks and a buffer is set), after
 * "When reconnecting" ran on it; *resubmit gets how many heads were still
 * in flight (the ring resumes that many entries past its base). 0, or
 * -EINVAL (logged: the ring has no region in the buffer) or -ENOMEM. */
int vhost_inflight_ring_start(struct vhost_dev *dev, struct vhost_ring *r, uint16_t used_idx,
			      uint16_t *resubmit);
/* Frees what the ring's last start gave it. Ring stopped. */
void vhost_inflight_ring_forget(struct vhost_ring *r);

/* vhost_backend_mem.c */
int vhost_check_set_mem_table(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_set_mem_table(struct vhost_dev *dev, struct vhost_msg *msg);
/* Frees a table SET_MEM_TABLE built but did not install. */
void vhost_mem_unstage(struct vhost_dev *dev);
int vhost_h_get_max_mem_slots(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_add_mem_reg(struct vhost_dev *dev, struct vhost_msg *msg);
int vhost_h_rem_mem_reg(struct vhost_dev *dev, struct vhost_msg *msg);

#endif
