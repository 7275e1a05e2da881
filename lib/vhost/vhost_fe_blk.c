/* SPDX-License-Identifier: MIT */
/* The front-end's read of a virtio-blk config space (vhost.h). */
#define LOG_COMPONENT "vhost"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "spec/virtio_blk.h"
#include "util/common.h"
#include "util/log.h"
#include "vhost/vhost.h"

int vhost_fe_get_blk_config(struct vhost_fe *fe, void *cfg, uint32_t *len)
{
	/* Back-ends built before virtio 1.2 added the secure-erase fields
	 * (qemu-storage-daemon 7.2) refuse more than the 60 bytes they know,
	 * answering with an empty reply: ask once more for that. */
	static const uint32_t sizes[] = {
	    sizeof(struct virtio_blk_config),
	    offsetof(struct virtio_blk_config, max_secure_erase_sectors),
	};
	int ret = -EINVAL;

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(cfg, 0, sizeof(struct virtio_blk_config));
		ret = vhost_fe_get_config(fe, 0, sizes[i], cfg);
		if (ret == 0) {
			*len = sizes[i];
			return 0;
		}
		log_info("GET_CONFIG of %u bytes: %s", sizes[i], strerror(-ret));
		/* Only the error answer asks for a smaller size: any other failure
		 * left no connection to ask on. */
		if (ret != -EIO)
			break;
	}
	return ret;
}

uint16_t vhost_fe_blk_max_queues(uint64_t features, uint64_t queue_num,
				 const struct virtio_blk_config *cfg, uint32_t config_len)
{
	uint64_t max = MIN(queue_num, (uint64_t)VHOST_MAX_QUEUES);

	/* virtio 1.2 §5.2.2: "N=1 if VIRTIO_BLK_F_MQ is not negotiated,
	 * otherwise N is set by num_queues" (§5.2.4). */
	if (!(features & VIRTIO_BIT(VIRTIO_BLK_F_MQ)))
		return (uint16_t)MIN(max, 1);
	if (config_len) {
		if (cfg->num_queues == 0)
			log_warn("virtio 1.2 §5.2.4: VIRTIO_BLK_F_MQ with num_queues 0; using 1");
		max = MIN(max, (uint64_t)MAX(cfg->num_queues, 1));
	}
	return (uint16_t)max;
}
