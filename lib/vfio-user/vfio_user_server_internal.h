/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_VFIO_USER_VFIO_USER_SERVER_INTERNAL_H
#define STORLAB_VFIO_USER_VFIO_USER_SERVER_INTERNAL_H

/* What the server's files share: the connection (vfio_user_server.c), the
 * command handlers (vfio_user_server_cmd.c) and the DMA table
 * (vfio_user_server_dma.c). */

#include "vfio-user/vfio_user_server.h"

/* The receiver's states: a header, then exactly the rest of msg_size. */
enum vfu_rx_state {
	VFU_RX_HDR,
	VFU_RX_PAYLOAD,
	VFU_RX_READY, /* one whole message in buf */
};

/* One entry of the DMA table as the client sees it, mappable or not. */
struct vfu_dma_entry {
	uint64_t iova, size;
	bool mapped; /* in the mem_table */
};

/* A DMA change waiting for the device to quiesce. */
struct vfu_pending {
	struct vfio_user_hdr hdr;
	uint16_t cmd;
	struct vfio_user_dma_map map;
	struct vfio_user_dma_unmap unmap;
	int fd; /* DMA_MAP's, owned here until the table takes it */
};

struct vfio_user_server {
	struct vfio_user_server_opts opts;
	char *path;
	int listen_fd;
	/* Off the loop while a client detaches: the next one waits in the
	 * backlog until the device is free, rather than being refused. */
	bool listen_paused;
	int conn_fd; /* -1: no client */

	/* Receiving. */
	enum vfu_rx_state rx_state;
	uint32_t rx_got;
	uint8_t *rx_buf;
	int rx_fds[VFIO_USER_MAX_MSG_FDS_LIMIT];
	unsigned rx_nfds;
	bool rx_fds_lost;      /* MSG_CTRUNC, or past rx_fds */
	bool rx_unsupported;   /* a command the spec does not list */
	uint32_t max_msg_size; /* what we receive: from local */

	/* Sending: the reply, and room for a REGION_READ's data. */
	uint8_t *tx_buf;
	uint8_t *data;

	/* The connection. */
	bool versioned;
	bool attached;
	bool paused;		     /* a quiesce is out: conn_fd is off the loop */
	bool detaching;		     /* the client is gone, its quiesce is out */
	struct vfio_user_caps ours;  /* what we receive, from opts */
	struct vfio_user_caps local; /* ours as negotiated with this client */
	struct vfio_user_caps peer;  /* what the client receives */

	/* DMA. */
	struct mem_table *dma;
	struct vfu_dma_entry *maps;
	uint32_t nmaps;
	struct vfu_pending pending;
};

/* Sends the len bytes built in tx_buf (len < 0: the build failed) as the
 * reply to hdr, unless hdr asked for No_reply. */
void vfu_send(struct vfio_user_server *s, const struct vfio_user_hdr *hdr, int len, int fd);
/* Sends a reply to hdr (none if it asked for No_reply), with fd unless
 * it is -1. A failed send closes the connection. */
void vfu_send_reply(struct vfio_user_server *s, const struct vfio_user_hdr *hdr, const void *p1,
		    size_t l1, const void *p2, size_t l2, int fd);
/* Sends an error reply with err (> 0). */
void vfu_send_error(struct vfio_user_server *s, const struct vfio_user_hdr *hdr, int err);
/* Drops the client (the device detaches). */
void vfu_conn_close(struct vfio_user_server *s);
/* Takes the connection off the loop while a quiesce is out, and back. */
void vfu_pause(struct vfio_user_server *s);
void vfu_unpause(struct vfio_user_server *s);

/* A message other than VERSION before VERSION: answered with an error,
 * the client dropped; true if so. */
bool vfu_refuse_before_version(struct vfio_user_server *s, const struct vfio_user_hdr *hdr);
/* Acts on a parsed command and replies: 0, or a negative errno for the
 * caller's error reply. */
int vfu_dispatch(struct vfio_user_server *s, const struct vfio_user_cmd *cmd);

int vfu_dma_map(struct vfio_user_server *s, const struct vfio_user_cmd *cmd);
int vfu_dma_unmap(struct vfio_user_server *s, const struct vfio_user_cmd *cmd);
/* Empties the table (the device quiesced or detached). */
void vfu_dma_clear(struct vfio_user_server *s);

#endif
