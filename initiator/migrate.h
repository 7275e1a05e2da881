/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_INITIATOR_MIGRATE_H
#define STORLAB_INITIATOR_MIGRATE_H

/*
 * What the VMM emulator (emu/) needs of a device to migrate it, as a VMM
 * migrates a vhost-user device (vhost-user.rst "Migration"): the guest
 * memory, where the driver's rings and request slots lie in it, the dirty
 * log turned on, the rings stopped with their indices, and the device moved
 * to another back-end with another copy of the memory, its driver untouched.
 * For the transports that fill struct initiator_mig_ops (below): vhost-user-blk
 * and vhost-user-scsi (-ENOTSUP for any other). Not part of the public API.
 *
 * Threading: the device's thread, while no queue call runs (the guest is
 * paused between initiator_mig_stop() and initiator_mig_resume()).
 */

#include <stdbool.h>
#include <stdint.h>

#include "storlab/initiator.h"

/* One queue's driver structures in guest memory (guest-physical addresses). */
struct initiator_mig_ring {
	uint16_t num;
	uint64_t desc_gpa, desc_len;   /* written by the driver only */
	uint64_t avail_gpa, avail_len; /* written by the driver only */
	uint64_t used_gpa, used_len;   /* written by the device only */
	/* Per request id: header and segment (driver) and status byte (device). */
	uint64_t slots_gpa;
	uint32_t slot_len;
	/* Per descriptor head: the indirect table the driver fills. */
	uint64_t indirect_gpa;
	uint32_t indirect_len;
};

/* A piece of guest memory outside the request queues' rings and slots
 * that the device or the driver writes (virtio-scsi's controlq and eventq:
 * their used rings, a TMF's request and response, the event buffers, the
 * controlq's descriptors and available ring). */
struct initiator_mig_area {
	uint64_t gpa, len;
	const char *name; /* for a violation's text: "controlq used ring" */
	bool device;	  /* the device writes it */
	bool driver;	  /* the driver writes it (a task management function) */
};
#define INITIATOR_MIG_MAX_AREAS 6

/* storlab_dev_open() for a device to migrate: the transport also
 * acknowledges VHOST_USER_PROTOCOL_F_LOG_SHMFD where offered. tap (NULL:
 * none) sees the messages of every connection the device opens, from its
 * first set-up on (lib/vhost/vhost_tap.h), on the caller's thread. */
struct vhost_tap;
int initiator_mig_open(const char *uri, const struct storlab_dev_opts *opts,
		       const struct vhost_tap *tap, struct storlab_dev **dev);

/* The virtio and protocol features acknowledged to the current back-end
 * (a replay compares them with its trace's). */
void initiator_mig_features(const struct storlab_dev *dev, uint64_t *features,
			    uint64_t *protocol_features);

/* The guest memory: its fd (the current back-end's copy), our mapping and
 * size. The mapping stays at the same address for the device's life. */
void initiator_mig_mem(const struct storlab_dev *dev, int *fd, uint8_t **base, uint64_t *size);

/* The device's vhost-user rings (request queues and any other), and the
 * ring request queue index is (virtio-scsi: 2 + index, after the controlq
 * and the eventq). */
unsigned initiator_mig_nrings(const struct storlab_dev *dev);
unsigned initiator_mig_queue_ring(const struct storlab_dev *dev, unsigned index);

/* Request queue index's layout. */
void initiator_mig_ring(const struct storlab_dev *dev, unsigned index,
			struct initiator_mig_ring *r);

/* What the next storlab_queue_add() on q uses: the request id (its slot)
 * and the descriptor head (its indirect table). */
void initiator_mig_next(const struct storlab_queue *q, uint16_t *id, uint16_t *head);

/* Whether the driver has a chain in the ring of request queue index for
 * request id (its slot) now, and on which descriptor head: a driver may
 * add a request's chain again once its first came back, without completing
 * it (virtio-scsi retries a command a UNIT ATTENTION displaced). */
bool initiator_mig_req_head(const struct storlab_dev *dev, unsigned index, uint16_t id,
			    uint16_t *head);

/* The used index the device published in guest memory (used->idx) on
 * request queue index, and on any ring (initiator_mig_nrings()). */
uint16_t initiator_mig_used_idx(const struct storlab_dev *dev, unsigned index);
uint16_t initiator_mig_ring_used_idx(const struct storlab_dev *dev, unsigned ring);
/* The used index up to which the driver reaped. */
uint16_t initiator_mig_last_used(const struct storlab_dev *dev, unsigned index);

/* What the device or the driver writes outside the request queues: up to
 * INITIATOR_MIG_MAX_AREAS into a; how many. */
unsigned initiator_mig_areas(const struct storlab_dev *dev, struct initiator_mig_area *a);

/* Starts dirty logging on the current back-end (QEMU's order): SET_LOG_BASE
 * with log_fd (log_size bytes, one bit per 4 KiB page), SET_FEATURES with
 * VHOST_F_LOG_ALL, SET_VRING_ADDR with VHOST_VRING_F_LOG for every ring.
 * -ENOTSUP when the back-end offers no LOG_ALL or no LOG_SHMFD. */
int initiator_mig_log_start(struct storlab_dev *dev, int log_fd, uint64_t log_size);

/* GET_VRING_BASE on every ring (initiator_mig_nrings(): virtio-scsi's
 * controlq and eventq too), in order: bases[i] gets ring i's. The rings are
 * stopped afterwards ("Ring states"). */
int initiator_mig_stop(struct storlab_dev *dev, uint16_t *bases);

/* Puts the memory of fd (same size) where the guest memory is mapped, so
 * every pointer of the driver now reaches it, and makes it the memory the
 * next back-end is given. Our old mapping's fd is closed: dup it first to
 * keep reading the old copy. */
int initiator_mig_move_memory(struct storlab_dev *dev, int fd);

/* Closes the current back-end's connection, connects to address (the
 * address part of a URI of the same transport) and sets the device up there
 * with every ring kept and started at bases[i] (the transport's resume). */
int initiator_mig_resume(struct storlab_dev *dev, const char *address, const uint16_t *bases);

/*
 * What a transport gives to be migrated (struct initiator_transport's mig;
 * NULL: it cannot be). Everything else (logging on, the stop, the memory
 * move) is done here, the same way for every vhost-user transport. ctx is
 * the transport's (storlab_dev's ctx); called on the device's thread.
 */
struct vhost_fe;
struct virtq_drv;
struct initiator_mig_ops {
	/* The rings before the first request queue's (virtio-scsi: 2). */
	uint16_t first_queue_ring;
	/* The current connection; the virtio features offered and
	 * acknowledged and the protocol features acknowledged on it. */
	struct vhost_fe *(*fe)(const void *ctx);
	void (*features)(const void *ctx, uint64_t *offered, uint64_t *features,
			 uint64_t *protocol_features);
	/* Every ring's driver side, request queues included. */
	const struct virtq_drv *(*vring)(const void *ctx, unsigned ring);
	/* Request queue index's slots and indirect tables (the ring fields of
	 * r are filled from vring()). */
	void (*slots)(const void *ctx, unsigned index, struct initiator_mig_ring *r);
	/* initiator_mig_next() on a queue of the transport. */
	void (*next)(const struct storlab_queue *q, uint16_t *id, uint16_t *head);
	/* The request id of a chain's cookie on request queue index. */
	uint16_t (*cookie_id)(const void *ctx, unsigned index, const void *cookie);
	/* What the device or driver writes outside the request queues (NULL:
	 * nothing). */
	unsigned (*areas)(const void *ctx, struct initiator_mig_area *a);
	/* Connects to dev->address and sets the device up with every ring as
	 * it is, ring i at bases[i], the same features acknowledged. */
	int (*resume)(void *ctx, const uint16_t *bases);
};

#endif
