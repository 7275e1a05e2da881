/* SPDX-License-Identifier: MIT */
/*
 * virtio-scsi suite: the configuration space (virtio 1.2 §5.6.4) as the
 * device presents it after reset (§5.6.4.2) and what its fields promise.
 */
#include <string.h>

#include "conformance/suite_virtio_scsi.h"
#include "util/common.h"

SCSI_CASE(scsi_cfg_sense_size)
{
	struct scsi s;

	/* §5.6.4.2: sense_size is 96 on reset; a new connection's device is
	 * one just reset (the front-end has written nothing to it). The
	 * config cases set up no request queue: they read what the device
	 * says, however few queues it says it has. */
	SCSI_OPEN(&s, 0, 0);
	if (s.cfg.sense_size != VIRTIO_SCSI_SENSE_DEFAULT)
		return conform_fail(ctx, "sense_size is %u, not %u", s.cfg.sense_size,
				    VIRTIO_SCSI_SENSE_DEFAULT);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cfg_cdb_size)
{
	struct scsi s;

	SCSI_OPEN(&s, 0, 0);
	if (s.cfg.cdb_size != VIRTIO_SCSI_CDB_DEFAULT)
		return conform_fail(ctx, "cdb_size is %u, not %u", s.cfg.cdb_size,
				    VIRTIO_SCSI_CDB_DEFAULT);
	return CONFORM_PASS;
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
	if (!scsi_open_lun(ctx, &s, n, 0, &v))
		return v;
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
