/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_PEERS_BAD_BACKEND_PROXY_H
#define STORLAB_TESTS_PEERS_BAD_BACKEND_PROXY_H

/*
 * What the message proxy (bad_backend.c) and its reply side (replies.c)
 * share: the connection's state as the front-end set it, and the calls on
 * each reply. One thread: no locking.
 */

#include <stdbool.h>
#include <stdint.h>

#include "vhost/vhost.h"
#include "vhost/vhost_msg.h"

#define MAX_KEPT_FDS 64
/* The wait for room in the front-end's socket. */
#define MSG_TIMEOUT_MS 2000
/* The vring indexes a request can name (lib/vhost refuses those past its queues). */
#define NRINGS (VHOST_MAX_QUEUES * 2)

/* The connection's memory of what the front-end set, for the switches. */
struct conn_state {
	uint32_t vring_base[NRINGS]; /* last SET_VRING_BASE per index */
	bool reset_since_base[NRINGS]; /* RESET_DEVICE since that SET_VRING_BASE */
	bool kicked[NRINGS];	     /* SET_VRING_KICK since the ring last stopped */
	bool ever_kicked[NRINGS];
	bool stopped[NRINGS]; /* GET_VRING_BASE answered a state */
	bool any_stopped;
	int kept_fds[MAX_KEPT_FDS]; /* keeps-stray-fds: dups */
	unsigned nkept;
	uint32_t last_request;
	unsigned owners;	/* SET_OWNER received */
	unsigned features_sets; /* SET_FEATURES received */
	uint64_t features;	/* the last SET_FEATURES */
	bool pf_set;
	uint64_t pf;	  /* the last SET_PROTOCOL_FEATURES */
	bool has_mem;	  /* a SET_MEM_TABLE or ADD_MEM_REG went to lib/vhost */
	unsigned regions; /* regions added with an ack of 0, less those removed */
	unsigned served;  /* the rings' work while this front-end was connected */
};

/* Requests whose answer is a reply of their own, never a bare ack. */
bool proxy_has_own_reply(uint32_t request);
/* M asks for an ack (need_reply). */
bool proxy_needs_reply(const struct vhost_msg *m);
/* Records what lib/vhost's reply M to REQ tells of the connection's state. */
void proxy_note_reply(struct conn_state *s, const struct vhost_msg *req, const struct vhost_msg *m);
/* Breaks lib/vhost's reply M to REQ as the switches say; false: drop it. */
bool proxy_reply_break(const struct conn_state *s, const struct vhost_msg *req,
		       struct vhost_msg *m);
/* Sends lib/vhost's reply M to the front-end FE as a hostile switch says
 * (hostile.c): 1 done, 0 no switch acts (send it as usual), or a negative
 * errno: close the connection. M's fds stay the caller's. */
int proxy_reply_hostile(int fe, const struct conn_state *s, const struct vhost_msg *m);

#endif
