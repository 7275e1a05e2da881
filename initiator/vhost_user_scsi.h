/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_INITIATOR_VHOST_USER_SCSI_H
#define STORLAB_INITIATOR_VHOST_USER_SCSI_H

/*
 * The vhost-user-scsi transport ("vhost-user-scsi:/path.sock[?target=T&lun=L]"):
 * a virtio-scsi driver (virtio 1.2 §5.6) whose device is a vhost-user
 * back-end. vhost_user_scsi.c: connection, lib/vhost's set-up sequence,
 * control queue, task management; vhost_user_scsi_scan.c: the scan of
 * targets and LUNs into the LUN table; vhost_user_scsi_evt.c: the eventq
 * and what its events make the driver do; vhost_user_scsi_queue.c: the
 * request queues;
 * virtio_scsi_drv.c: what any virtio-scsi transport would share (config,
 * status mapping, storlab/virtio_scsi.h). Not part of the public API.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "initiator/internal.h"
#include "initiator/vhost_user_common.h"
#include "spec/scsi.h"
#include "spec/virtio_scsi.h"
#include "storlab/virtio_scsi.h"
#include "util/common.h"
#include "vhost/vhost_fe_setup.h"
#include "virtio/virtq.h"

extern const struct initiator_transport g_transport_vhost_user_scsi;
/* vhost_user_scsi_mig.c: what migrating a device needs (initiator/migrate.h). */
extern const struct initiator_mig_ops g_vus_mig_ops;

/* Request header, UNMAP parameter list, WRITE SAME's block and response
 * around the data buffers: the descriptors of one chain. */
#define VUS_MAX_CHAIN (STORLAB_MAX_SEGMENTS + 4)
/* Event buffers kept posted on the eventq (§5.6.6.3). */
#define VUS_EVENTS 8
/* Ring size of the control and event queues. */
#define VUS_CTL_QUEUE_SIZE 16

/* Per request slot, in guest memory: what the device reads before the
 * data, what it writes after the data (§5.6.6.1), and the UNMAP parameter
 * list of a discard. The request header and the response's fixed part
 * share the slot's first cache line, so that a request moves one line
 * between the cores each way, as vhost-user-blk's does (the sense bytes,
 * written on errors only, follow). */
struct vus_req_shared {
	struct virtio_scsi_cmd_req req;
	struct virtio_scsi_cmd_resp resp;
	uint8_t unmap[sizeof(struct scsi_unmap_header) + sizeof(struct scsi_unmap_desc)];
	uint8_t pad[192 - sizeof(struct virtio_scsi_cmd_req) - 24 -
		    sizeof(struct virtio_scsi_cmd_resp)];
};
_Static_assert(sizeof(struct vus_req_shared) == 192, "three cache lines per request");
_Static_assert(offsetof(struct vus_req_shared, resp.sense) <= 64,
	       "the request header and the response's fixed part in one cache line");

struct vus_req {
	void *tag;
	struct storlab_virtio_scsi_result *result; /* STORLAB_OP_DEVICE's, or NULL */
	uint16_t slot; /* its index in reqs[] and shared[]: no division to find it */
	uint16_t next_free;
	bool inflight;
	bool retried; /* a UNIT ATTENTION was already retried */
	bool neutral; /* a neutral op: sense is mapped, UNIT ATTENTION retried */
};

/* A control or event queue: a ring of its own, used under lock. */
struct vus_ctlq {
	pthread_mutex_t lock;
	struct virtq_drv vq;
	void *ring;   /* guest memory */
	void *shared; /* guest memory: TMF request + response, or event buffers */
	int kick_fd;
	int call_fd;
};

struct vus_queue;

/*
 * The LUNs the driver knows: a table built aside by a scan or an event and
 * then published with one store (vus_luns_publish), read by any thread
 * with one load (vus_luns_get) and never written once published. A queue
 * reads the table published last inside one add only, but nothing tells
 * when its thread has left an older one without a cost on every request:
 * a replaced table is kept (retired) until the device is closed. Tables
 * are replaced on a scan and on a hot-plug event only.
 */
struct vus_luns {
	struct vus_luns *retired; /* the table this one replaced */
	unsigned nluns;
	/* The LUN of neutral requests: the URI's, else the first disk found
	 * at the set-up; present while it is in lun[] (at selected).
	 * Neutral requests to a LUN that went fail with -ENODEV. */
	bool present;
	unsigned selected;
	uint8_t sel_target;
	uint16_t sel_lun;
	uint8_t neutral_lun[8]; /* its LUN field (§5.6.6.1) */
	struct storlab_scsi_lun lun[STORLAB_VIRTIO_SCSI_MAX_LUNS];
};

struct vus_dev {
	struct storlab_dev *dev;
	struct vhost_fe *fe;
	int sock_fd;
	char *path; /* the socket, the address without its options */
	/* The URI's LUN (has_lun), else the first disk found. */
	bool has_lun;
	uint8_t want_target;
	uint16_t want_lun;
	struct vus_ctlq ctl;
	struct vus_ctlq evt;
	struct vus_queue *queues;	   /* dev->opts.num_queues request queues */
	struct vhost_fe_setup_ring *rings; /* 2 + num_queues, for the set-up */
	struct virtio_scsi_config config;  /* as read at the last set-up */
	struct storlab_virtio_scsi_info vs; /* all but the LUNs, which are in luns */
	/* The LUN table (vus_luns_get); its writers (the set-up's scan and
	 * the eventq's reaper) hold evt.lock. */
	struct vus_luns *luns;
	void *zero_block;	/* guest memory: WRITE SAME's data-out, block_len zeroes */
	uint32_t zero_len;
	struct vu_resume resume; /* vus_dev_resume() */
	/* The in-flight buffer (fd -1: none), kept across connections as QEMU
	 * keeps it, and the features the rings were set up with. */
	struct vhost_fe_inflight inflight;
	uint64_t features;
	bool kept; /* this connection resumes requests kept in flight */
};

struct vus_queue {
	struct storlab_queue head; /* first: the public handle */
	uint16_t num;
	struct virtq_drv vq;
	struct vus_req_shared *shared; /* guest memory, num entries */
	uint64_t shared_gpa;
	struct vus_req *reqs; /* num entries */
	uint16_t free_head;
	uint16_t nfree;
	bool fd_enabled;
	bool dead;
	uint32_t idle_polls;
	struct vu_queue_mem mem; /* ring, indirect tables, shared, eventfds */
	/* cold */
	struct vus_dev *vdev;
	uint16_t index;
	uint16_t reset_cursor;
};

/* vhost_user_scsi.c */
/* Parses "path[?target=T&lun=L]" into the socket path (a copy to free)
 * and the LUN asked for. 0 or -EINVAL (logged). */
int vus_address_parse(const char *address, char **path, bool *has_lun, uint8_t *target,
		      uint16_t *lun);
bool vus_dev_check_hangup(struct vus_dev *vdev);
/* Connects again, to dev->address (which may have changed: the same LUN
 * must be there), and sets the device up with every ring as it is (the
 * controlq and eventq too): not reset, no rescan, requests in flight kept,
 * ring i started at bases[i] (a migration's destination). The destination
 * must acknowledge the same features. */
int vus_dev_resume(struct vus_dev *vdev, const uint16_t *bases);

/* The neutral info (capacity, limits) from the selected LUN. */
int vus_info_fill(struct vus_dev *vdev);

static inline const struct vus_luns *vus_luns_get(const struct vus_dev *vdev)
{
	return __atomic_load_n(&vdev->luns, __ATOMIC_ACQUIRE);
}

/* vhost_user_scsi_scan.c, under evt.lock. */
/* A copy of the table published last, to change and publish; NULL if out
 * of memory. */
struct vus_luns *vus_luns_copy(const struct vus_dev *vdev);
/* Publishes t (vus_luns_copy's or a scan's) and retires the table it
 * replaces. */
void vus_luns_publish(struct vus_dev *vdev, struct vus_luns *t);
/* Sets t->selected and t->present: where the selected LUN is in t now. */
void vus_luns_locate_selected(struct vus_luns *t);
/* Frees every table, at close. */
void vus_luns_free(struct vus_dev *vdev);
/* The set-up's scan: REPORT LUNS / INQUIRY / READ CAPACITY of every target
 * on queue 0 of a device just set up, into a new table that selects the
 * LUN of neutral requests, published. 0, -ENODEV (no LUN, or not the one
 * asked for), or a queue error. */
int vus_scan(struct vus_dev *vdev);
/* A scan after an event, with commands on q (nothing else in flight on
 * it): of one target (0..255) or every target (-1), the LUNs of the other
 * targets kept; the selected LUN stays selected, present or not. 0 or a
 * queue error (then nothing is published). */
int vus_rescan(struct vus_dev *vdev, struct storlab_queue *q, int target);
/* READ CAPACITY again for a LUN the table has (a capacity change);
 * refreshes the neutral info if it is the selected one. */
int vus_rescan_capacity(struct vus_dev *vdev, struct storlab_queue *q, uint8_t target,
			uint16_t lun);

/* vhost_user_scsi_evt.c */
/* §5.6.6.3: every event buffer added to the eventq (at the set-up). */
int vus_evtq_post(struct vus_dev *vdev);

/* An event as the driver acts on it (§5.6.6.3). */
enum vus_event_kind {
	VUS_EVENT_NONE,	     /* VIRTIO_SCSI_T_NO_EVENT: only EVENTS_MISSED, if set */
	VUS_EVENT_RESCAN,    /* TRANSPORT_RESET, EVT_RESET_RESCAN: a LUN appeared */
	VUS_EVENT_REMOVED,   /* TRANSPORT_RESET, EVT_RESET_REMOVED: a LUN went */
	VUS_EVENT_CAPACITY,  /* PARAM_CHANGE 2Ah/09h: CAPACITY DATA HAS CHANGED */
	VUS_EVENT_IGNORED,   /* known, nothing to do: a hard reset, another change */
	VUS_EVENT_MALFORMED, /* short, an unknown type, or a LUN field §5.6.6.1 does not have */
};
struct vus_event {
	enum vus_event_kind kind;
	bool missed; /* VIRTIO_SCSI_T_EVENTS_MISSED: a full rescan is due */
	uint8_t target;
	uint16_t lun;
	uint32_t event, reason; /* as the device wrote them */
};
/* Decodes the event the device wrote (len bytes of it). Pure. */
void vus_event_decode(const struct virtio_scsi_event *ev, uint32_t len, struct vus_event *out);
/* Its name, for log lines. */
const char *vus_event_kind_name(enum vus_event_kind kind);

/* vhost_user_scsi_queue.c */
int vus_queue_create(struct vus_dev *vdev, struct storlab_dev *dev, uint16_t index, uint16_t num,
		     struct vus_queue *q);
void vus_queue_destroy(struct vus_queue *q);
int vus_queue_reset(struct vus_queue *q, uint64_t features);
/* Keeps the ring and its requests for a new connection whose back-end runs
 * again what was in flight; returns the base to give it (the used idx). */
uint16_t vus_queue_resume(struct vus_queue *q);
int vus_queue_add(struct storlab_queue *q, const struct storlab_req *req);
int vus_queue_submit(struct storlab_queue *q);
int vus_queue_reap(struct storlab_queue *q, struct storlab_completion *c, unsigned min,
		   unsigned max, int timeout_ms);
unsigned vus_queue_inflight(const struct storlab_queue *q);
int vus_queue_fd(const struct storlab_queue *q);
void vus_queue_set_fd_enabled(struct storlab_queue *q, bool enabled);

/* virtio_scsi_drv.c */
void virtio_scsi_config_from_wire(struct storlab_scsi_config *c,
				  const struct virtio_scsi_config *w);
/* The neutral status, errno and transport_status of a response other than
 * S_OK with GOOD status, and *unit_attention (virtio_scsi_complete()). */
void virtio_scsi_status_map(struct storlab_completion *c, const struct virtio_scsi_cmd_resp *resp,
			    uint32_t used_len, bool *unit_attention);

/* The neutral completion of a command's response (§5.6.6.1): see
 * storlab/virtio_scsi.h for transport_status and the mapping. Sets
 * *unit_attention for a CHECK CONDITION with UNIT ATTENTION sense. GOOD,
 * the common case, costs two compares on the reap path; the rest is
 * mapped out of line. */
static inline void virtio_scsi_complete(struct storlab_completion *c, void *tag,
					const struct virtio_scsi_cmd_resp *resp, uint32_t used_len,
					bool *unit_attention)
{
	c->tag = tag;
	c->len = used_len > sizeof(*resp) ? used_len - (uint32_t)sizeof(*resp) : 0;
	*unit_attention = false;
	/* §5.6.6.1: the response comes before data-in in the writable part,
	 * so it is there when the device wrote past its fixed part. */
	if (likely(used_len >= offsetof(struct virtio_scsi_cmd_resp, sense) &&
		   resp->response == VIRTIO_SCSI_S_OK && resp->status == SCSI_STATUS_GOOD)) {
		c->transport_status = VIRTIO_SCSI_S_OK << 12 | SCSI_STATUS_GOOD;
		c->status = STORLAB_STATUS_OK;
		c->ret = 0;
		return;
	}
	virtio_scsi_status_map(c, resp, used_len, unit_attention);
}

#endif
