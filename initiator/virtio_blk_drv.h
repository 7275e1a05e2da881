/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_INITIATOR_VIRTIO_BLK_DRV_H
#define STORLAB_INITIATOR_VIRTIO_BLK_DRV_H

/*
 * virtio-blk, whatever transport carries it (virtio 1.2 §5.2): the config
 * space as the neutral info, the status byte as a neutral completion, and
 * the calls of storlab/virtio_blk.h (virtio_blk_drv.c). Not part of the
 * public API.
 */

#include <stdint.h>

#include "spec/virtio_blk.h"
#include "storlab/initiator.h"
#include "storlab/virtio_blk.h"
#include "util/common.h"

void virtio_blk_config_from_wire(struct storlab_blk_config *c, const struct virtio_blk_config *w);
/* The neutral info's fields that follow from the negotiated features and
 * the config space: capacity, block size, read-only and the limits. */
void virtio_blk_info_fill(struct storlab_dev_info *info, const struct storlab_virtio_blk_info *vb);
const char *virtio_blk_status_name(uint16_t status);

/* The neutral status and errno of a status byte other than OK (§5.2.6). */
void virtio_blk_status_map(uint8_t status, struct storlab_completion *c);

/* A completion for a used chain whose status byte is status (§5.2.6). OK,
 * the common case, costs a compare on the reap path; the rest is mapped
 * out of line. */
static inline void virtio_blk_complete(struct storlab_completion *c, void *tag, uint8_t status,
				       uint32_t len)
{
	c->tag = tag;
	c->transport_status = status;
	c->len = len;
	if (likely(status == STORLAB_VIRTIO_BLK_S_OK)) {
		c->ret = 0;
		c->status = STORLAB_STATUS_OK;
	} else {
		virtio_blk_status_map(status, c);
	}
}

#endif
