/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_INITIATOR_MIGRATE_H
#define STORLAB_INITIATOR_MIGRATE_H

/*
 * What the VMM emulator (emu/) needs of a device to migrate it, as a VMM
 * migrates a vhost-user device (vhost-user.rst "Migration"): the guest
 * memory, where the driver's rings and request slots lie in it, the dirty
 * log turned on, the rings stopped with their indices, and the device moved
 * to another back-end with another copy of the memory, its driver untouched.
 * vhost-user-blk devices only (-ENOTSUP for any other). Not part of the
 * public API.
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

/* Queue index's layout. */
void initiator_mig_ring(const struct storlab_dev *dev, unsigned index,
			struct initiator_mig_ring *r);

/* What the next storlab_queue_add() on q uses: the request id (its slot)
 * and the descriptor head (its indirect table). */
void initiator_mig_next(const struct storlab_queue *q, uint16_t *id, uint16_t *head);

/* The used index the device published in guest memory (used->idx). */
uint16_t initiator_mig_used_idx(const struct storlab_dev *dev, unsigned index);
/* The used index up to which the driver reaped. */
uint16_t initiator_mig_last_used(const struct storlab_dev *dev, unsigned index);

/* Starts dirty logging on the current back-end (QEMU's order): SET_LOG_BASE
 * with log_fd (log_size bytes, one bit per 4 KiB page), SET_FEATURES with
 * VHOST_F_LOG_ALL, SET_VRING_ADDR with VHOST_VRING_F_LOG for every ring.
 * -ENOTSUP when the back-end offers no LOG_ALL or no LOG_SHMFD. */
int initiator_mig_log_start(struct storlab_dev *dev, int log_fd, uint64_t log_size);

/* GET_VRING_BASE on every ring, in order: bases[i] gets ring i's. The
 * rings are stopped afterwards ("Ring states"). */
int initiator_mig_stop(struct storlab_dev *dev, uint16_t *bases);

/* Puts the memory of fd (same size) where the guest memory is mapped, so
 * every pointer of the driver now reaches it, and makes it the memory the
 * next back-end is given. Our old mapping's fd is closed: dup it first to
 * keep reading the old copy. */
int initiator_mig_move_memory(struct storlab_dev *dev, int fd);

/* Closes the current back-end's connection, connects to address (a socket
 * path of the same transport) and sets the device up there with every ring
 * kept and started at bases[i] (vub_dev_resume). */
int initiator_mig_resume(struct storlab_dev *dev, const char *address, const uint16_t *bases);

#endif
