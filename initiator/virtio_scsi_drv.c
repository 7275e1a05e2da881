/* SPDX-License-Identifier: MIT */
/*
 * virtio-scsi, whatever transport carries it (virtio 1.2 §5.6): the config
 * space in host order, a command's response as a neutral completion, the
 * names of storlab/virtio_scsi.h and its get_info call.
 */
#define LOG_COMPONENT "initiator"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "initiator/vhost_user_scsi.h"
#include "scsi/scsi_host.h"
#include "storlab/virtio_blk.h"
#include "util/common.h"
#include "util/log.h"

void virtio_scsi_config_from_wire(struct storlab_scsi_config *c, const struct virtio_scsi_config *w)
{
	*c = (struct storlab_scsi_config){
	    .num_queues = w->num_queues,
	    .seg_max = w->seg_max,
	    .max_sectors = w->max_sectors,
	    .cmd_per_lun = w->cmd_per_lun,
	    .event_info_size = w->event_info_size,
	    .sense_size = w->sense_size,
	    .cdb_size = w->cdb_size,
	    .max_channel = w->max_channel,
	    .max_target = w->max_target,
	    .max_lun = w->max_lun,
	};
}

/* The neutral status of a CHECK CONDITION: what the sense says. Out of
 * line and cold: inlined, its sense struct and calls made every
 * completion save six registers and set up a frame. */
__attribute__((noinline, cold)) static void
complete_check_condition(struct storlab_completion *c, const struct virtio_scsi_cmd_resp *resp,
			 bool *unit_attention)
{
	struct scsi_host_sense sense;
	uint16_t code;

	c->status = STORLAB_STATUS_ERROR;
	c->ret = -EIO;
	if (scsi_host_parse_sense(resp->sense, MIN(resp->sense_len, sizeof(resp->sense)), &sense)) {
		/* SAM-5 §5.3.2: CHECK CONDITION comes with sense data; what
		 * came cannot be read. */
		c->ret = -EPROTO;
		return;
	}
	c->transport_status |= (uint16_t)(sense.key << 8);
	code = SCSI_ASCQ(sense.asc, sense.ascq);
	log_info("CHECK CONDITION: %s, %s (%02xh/%02xh)", scsi_host_sense_key_name(sense.key),
		 scsi_host_asc_name(code), sense.asc, sense.ascq);
	*unit_attention = sense.key == SCSI_SK_UNIT_ATTENTION;
	/* SPC-5 §4.4: an ILLEGAL REQUEST for the opcode or a CDB field is a
	 * command the device does not do. */
	if (sense.key == SCSI_SK_ILLEGAL_REQUEST &&
	    (code == SCSI_ASC_INVALID_COMMAND_OPERATION_CODE ||
	     code == SCSI_ASC_INVALID_FIELD_IN_CDB)) {
		c->status = STORLAB_STATUS_UNSUPPORTED;
		c->ret = -ENOTSUP;
	}
}

void virtio_scsi_status_map(struct storlab_completion *c, const struct virtio_scsi_cmd_resp *resp,
			    uint32_t used_len, bool *unit_attention)
{
	/* §5.6.6.1: the response comes before data-in in the writable part,
	 * so the device wrote data only past the whole response. */
	uint8_t response = used_len >= offsetof(struct virtio_scsi_cmd_resp, sense)
			       ? resp->response
			       : STORLAB_VIRTIO_SCSI_RESPONSE_NONE;

	if (response > VIRTIO_SCSI_S_INCORRECT_LUN)
		response = STORLAB_VIRTIO_SCSI_RESPONSE_NONE;
	c->transport_status = (uint16_t)(response << 12 | resp->status);
	if (response != VIRTIO_SCSI_S_OK) {
		/* §5.6.6.1: status and sense are valid only with S_OK. */
		c->transport_status = (uint16_t)(response << 12);
		c->status = STORLAB_STATUS_ERROR;
		c->ret = response == STORLAB_VIRTIO_SCSI_RESPONSE_NONE ? -EPROTO : -EIO;
		return;
	}
	switch (resp->status) {
	case SCSI_STATUS_GOOD:
	case SCSI_STATUS_CONDITION_MET:
		c->status = STORLAB_STATUS_OK;
		c->ret = 0;
		break;
	case SCSI_STATUS_CHECK_CONDITION:
		complete_check_condition(c, resp, unit_attention);
		break;
	default: /* BUSY, TASK SET FULL, RESERVATION CONFLICT, TASK ABORTED */
		c->status = STORLAB_STATUS_ERROR;
		c->ret = -EIO;
		break;
	}
}

const char *storlab_virtio_scsi_response_name(uint8_t response)
{
	const char *name = scsi_host_virtio_response_name(response);

	if (name)
		return name;
	return response == STORLAB_VIRTIO_SCSI_RESPONSE_NONE ? "NONE" : "UNKNOWN";
}

const char *storlab_virtio_scsi_status_name(uint16_t ts)
{
	/* One buffer per thread: a name is printed before the next is asked. */
	static __thread char buf[64];
	uint8_t response = STORLAB_VIRTIO_SCSI_TS_RESPONSE(ts);
	uint8_t status = STORLAB_VIRTIO_SCSI_TS_STATUS(ts);

	if (response != VIRTIO_SCSI_S_OK)
		return storlab_virtio_scsi_response_name(response);
	if (status != SCSI_STATUS_CHECK_CONDITION)
		return scsi_host_status_name(status);
	snprintf(buf, sizeof(buf), "CHECK CONDITION/%s",
		 scsi_host_sense_key_name(STORLAB_VIRTIO_SCSI_TS_KEY(ts)));
	return buf;
}

const char *storlab_virtio_scsi_feature_name(unsigned bit)
{
	/* §5.6.3; bits 24 to 40 are every device's (§2.2: "reserved for
	 * extensions to the queue and feature negotiation mechanisms"), and
	 * storlab_feature_name() names those (and vhost-user's) as well. */
	static const char *const names[] = {
	    [VIRTIO_SCSI_F_INOUT] = "VIRTIO_SCSI_F_INOUT",
	    [VIRTIO_SCSI_F_HOTPLUG] = "VIRTIO_SCSI_F_HOTPLUG",
	    [VIRTIO_SCSI_F_CHANGE] = "VIRTIO_SCSI_F_CHANGE",
	    [VIRTIO_SCSI_F_T10_PI] = "VIRTIO_SCSI_F_T10_PI",
	};

	if (bit < ARRAY_SIZE(names))
		return names[bit];
	return bit >= 24 && bit <= 40 ? storlab_feature_name(bit) : NULL;
}

int storlab_virtio_scsi_get_info(const struct storlab_dev *dev,
				 struct storlab_virtio_scsi_info *info)
{
	const struct vus_luns *t;

	if (dev->tp->kind != INITIATOR_DEV_VIRTIO_SCSI)
		return -ENOTTY;
	*info = *(const struct storlab_virtio_scsi_info *)dev->tp->details(dev->ctx);
	/* The LUN table published last, whole (vus_luns). */
	t = vus_luns_get(dev->ctx);
	info->nluns = t->nluns;
	memcpy(info->luns, t->lun, t->nluns * sizeof(t->lun[0]));
	info->selected = t->selected;
	return 0;
}
