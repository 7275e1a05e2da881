/* SPDX-License-Identifier: MIT */
/*
 * virtio-scsi suite: the configuration space (virtio 1.2 §5.6.4) as the
 * device presents it after reset (§5.6.4.2) and what its fields promise.
 */
#include <stddef.h>
#include <string.h>

#include "conformance/suite_virtio_scsi.h"
#include "util/common.h"

/*
 * §5.6.4.2: sense_size and cdb_size are back to their defaults on reset.
 * A new connection's device is one just reset; the first connection writes
 * the field (§5.6.4.1: the driver may) to half its default, so that a value
 * kept from one front-end to the next shows in the second. The config
 * cases set up no request queue: they read what the device says, however
 * few queues it says it has.
 */
static enum conform_verdict reset_default(struct conform_ctx *ctx, uint32_t offset, uint32_t dflt,
					  const char *name)
{
	uint32_t half = dflt / 2, got;
	struct scsi s;
	int ret;

	SCSI_OPEN(&s, 0, 0);
	ret = vhost_fe_set_config(s.dev->fe, offset, sizeof(half), &half);
	conform_note(ctx, "%s set to %u by the first front-end: %s", name, half,
		     ret < 0 ? strerror(-ret) : "taken");
	conform_dev_close(s.dev);
	SCSI_OPEN(&s, 0, 0);
	memcpy(&got, (const uint8_t *)&s.cfg + offset, sizeof(got));
	if (got != dflt)
		return conform_fail(ctx, "%s of a new connection is %u, not %u", name, got, dflt);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cfg_sense_size)
{
	return reset_default(ctx, offsetof(struct virtio_scsi_config, sense_size),
			     VIRTIO_SCSI_SENSE_DEFAULT, "sense_size");
}

SCSI_CASE(scsi_cfg_cdb_size)
{
	return reset_default(ctx, offsetof(struct virtio_scsi_config, cdb_size),
			     VIRTIO_SCSI_CDB_DEFAULT, "cdb_size");
}

SCSI_CASE(scsi_cfg_max_channel)
{
	struct scsi s;

	SCSI_OPEN(&s, 0, 0);
	if (s.cfg.max_channel != 0)
		return conform_fail(ctx, "max_channel is %u", s.cfg.max_channel);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cfg_max_target)
{
	struct scsi s;

	SCSI_OPEN(&s, 0, 0);
	if (s.cfg.max_target > 255)
		return conform_fail(ctx, "max_target is %u", s.cfg.max_target);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cfg_max_lun)
{
	struct scsi s;

	SCSI_OPEN(&s, 0, 0);
	if (s.cfg.max_lun > VIRTIO_SCSI_LUN_MAX)
		return conform_fail(ctx, "max_lun is %u", s.cfg.max_lun);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cfg_num_queues)
{
	struct scsi s;

	SCSI_OPEN(&s, 0, 0);
	if (s.cfg.num_queues == 0)
		return conform_fail(ctx, "num_queues is 0: no request queue");
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cfg_last_queue_serves)
{
	uint8_t tur[6] = {SCSI_OP_TEST_UNIT_READY};
	struct scsi probe, s;
	enum conform_verdict v;
	struct scsi_cmd c;
	uint16_t n;

	SCSI_OPEN(&probe, 0, 0);
	/* Every one of num_queues request queues, at most 62 (64 queues). */
	n = (uint16_t)MIN(probe.cfg.num_queues, VHOST_MAX_QUEUES - 2u);
	conform_dev_close(probe.dev);
	if (n < 1)
		return conform_not_applicable(ctx, "num_queues is 0 (SCSI-CFG-006)");
	/* Not applicable here means the back-end has fewer vhost-user queues
	 * (GET_QUEUE_NUM) than the request queues num_queues announces. */
	if (!scsi_open_lun(ctx, &s, n, 0, &v)) {
		if (v != CONFORM_NOT_APPLICABLE)
			return v;
		return conform_fail(ctx,
				    "num_queues is %u, but the back-end has fewer queues than "
				    "a controlq, an eventq and %u request queues",
				    n, n);
	}
	if (!scsi_cmd_init(&s, &c, tur, sizeof(tur), 0, 0))
		return conform_error(ctx, "out of guest memory");
	if (scsi_cmd_run(&s, (uint16_t)(SCSI_Q_REQ + n - 1), &c))
		return conform_fail(ctx, "request queue %u (of num_queues %u) does not answer",
				    n - 1, n);
	if (c.resp->response == SCSI_RESP_UNSET)
		return conform_fail(ctx, "request queue %u: the response byte is not written",
				    n - 1);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cfg_event_info_size)
{
	struct scsi s;

	SCSI_OPEN(&s, 0, 0);
	if (s.cfg.event_info_size < sizeof(struct virtio_scsi_event))
		return conform_fail(ctx, "event_info_size is %u, less than the %zu bytes of an "
					 "event with VIRTIO_SCSI_F_HOTPLUG offered",
				    s.cfg.event_info_size, sizeof(struct virtio_scsi_event));
	return CONFORM_PASS;
}
