/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_VFIO_USER_VFIO_USER_CLIENT_INTERNAL_H
#define STORLAB_VFIO_USER_VFIO_USER_CLIENT_INTERNAL_H

/* What the client's files share; not for users of lib/vfio-user. */

#include <stdbool.h>
#include <stdint.h>

#include "vfio-user/vfio_user.h"
#include "vfio-user/vfio_user_client.h"

/* fds taken from one received message; past this they are closed and the
 * message refused. */
#define VFIO_USER_CLIENT_RX_FDS 8
/* The message buffers' first size: every message but bulk data fits. */
#define VFIO_USER_CLIENT_BUF_FIRST 4096

struct vfio_user_client_region_state {
	struct vfio_user_client_region pub;
	int fd; /* MMAP regions: the fd the server sent, else -1 */
	void *maps[VFIO_USER_MAX_SPARSE_AREAS];
};

/* The receive states of one message. */
enum vfio_user_client_rx_state {
	VFIO_USER_CLIENT_RX_HDR,
	VFIO_USER_CLIENT_RX_PAYLOAD,
	VFIO_USER_CLIENT_RX_DONE,
};

struct vfio_user_client {
	int sock;
	int timeout_ms;
	bool broken;
	uint16_t next_id;
	struct vfio_user_caps local;  /* what we proposed: what we receive */
	struct vfio_user_caps server; /* what the server receives */
	uint32_t xfer_max;	      /* one data transfer: both sides' bound */
	struct vfio_user_device_info dev;
	struct vfio_user_client_region_state *regions; /* dev.num_regions */
	struct vfio_user_client_dma *dma;	       /* VFIO_USER_CLIENT_MAX_DMA */
	unsigned ndma;
	/* One whole message each, grown as messages need (up to rx_max, the
	 * largest our caps let the server send). */
	uint8_t *tx, *rx;
	uint32_t tx_size, rx_size, rx_max;
	/* The message being received. */
	enum vfio_user_client_rx_state rx_state;
	uint32_t rx_got;
	int rx_hdr_ret; /* vfio_user_hdr_check of its header */
	int rx_fds[VFIO_USER_CLIENT_RX_FDS];
	unsigned rx_nfds;
	bool rx_fds_lost;
	struct vfio_user_client_tap tap; /* fn NULL: none */
};

/*
 * Sends the command built in c->tx (len bytes, with nfds fds), serves the
 * server's commands until its reply comes and parses that into r. 0 (r
 * valid until the next request), -errno of an error reply, or a failure
 * that breaks the connection (see vfio_user_client.h). fd_out: gets the fd
 * that came with the reply (-1 if none), which the caller then owns; NULL:
 * every fd that came is closed.
 */
int vfio_user_client_request(struct vfio_user_client *c, int len, const int *fds, unsigned nfds,
			     struct vfio_user_reply *r, int *fd_out);
/* c->tx holds at least need bytes: 0 or -ENOMEM. */
int vfio_user_client_tx_reserve(struct vfio_user_client *c, size_t need);
/* The id of the next command. */
uint16_t vfio_user_client_next_id(struct vfio_user_client *c);

/* Serves a command of the server (DMA_READ, DMA_WRITE) received in c->rx:
 * replied to, or refused with an error reply. A negative errno only when
 * the reply could not be sent. */
int vfio_user_client_serve(struct vfio_user_client *c, const struct vfio_user_msg *msg);
/* Refuses a command with err unless it asked for no reply. */
int vfio_user_client_refuse(struct vfio_user_client *c, const struct vfio_user_hdr *hdr, int err);
/* Sends len bytes of c->tx with fds before deadline. */
int vfio_user_client_send(struct vfio_user_client *c, size_t len, const int *fds, unsigned nfds,
			  int64_t deadline);

/* The regions' set-up (DEVICE_GET_REGION_INFO of each) and tear-down. */
int vfio_user_client_regions_init(struct vfio_user_client *c);
void vfio_user_client_regions_fini(struct vfio_user_client *c);

#endif
