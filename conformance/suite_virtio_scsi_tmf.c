/* SPDX-License-Identifier: MIT */
/*
 * virtio-scsi suite: the controlq (virtio 1.2 §5.6.6.2): task management
 * functions alone and with commands in flight, requests the device does
 * not know, and asynchronous notification queries.
 */
#include <errno.h>
#include <string.h>

#include "conformance/suite_virtio_scsi.h"
#include "util/common.h"

/* Commands in flight when a TMF comes, each READ(16) of INFLIGHT_BLOCKS. */
#define INFLIGHT_CMDS	16
#define INFLIGHT_BLOCKS 64

static bool tmf_succeeded(uint8_t r)
{
	return r == VIRTIO_SCSI_S_FUNCTION_COMPLETE || r == VIRTIO_SCSI_S_FUNCTION_SUCCEEDED;
}

/* Runs a TMF of subtype on the LU; its response, or a negative errno. */
static int tmf_do(struct scsi *s, uint32_t subtype, uint64_t id, const uint8_t *lun)
{
	struct scsi_tmf t;
	int ret;

	if (!scsi_tmf_init(s, &t, subtype, id))
		return -ENOMEM;
	if (lun)
		memcpy(t.req->lun, lun, 8);
	ret = scsi_tmf_run(s, &t);
	return ret ? ret : *t.resp;
}

SCSI_CASE(scsi_tmf_lu_reset_idle)
{
	struct scsi s;
	int r;

	SCSI_OPEN_LUN(&s, 1, 0);
	r = tmf_do(&s, VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET, 0, NULL);
	if (r < 0)
		return conform_fail(ctx, "LOGICAL UNIT RESET got no answer: %s", strerror(-r));
	if (!tmf_succeeded((uint8_t)r))
		return conform_fail(ctx, "LOGICAL UNIT RESET with nothing in flight: response %d",
				    r);
	return CONFORM_PASS;
}

/*
 * §5.6.6.2: the commands a TMF affects complete before the TMF does.
 * INFLIGHT_CMDS reads are made available and kicked, then the TMF (for
 * ABORT TASK, of the middle one). Once the TMF is used, every command used
 * so far was completed before it; one that completes later was not yet
 * active for the device, and must then not carry the TMF's mark
 * (affected: RESET or ABORTED). Every command completes, with a defined
 * response. With whole (the advisories SCSI-TMF-014 and -015), also: a command
 * answered OK and GOOD read all its blocks (residual 0), and ABORT TASK
 * ended no command but the one it names.
 */
static enum conform_verdict tmf_inflight(struct conform_ctx *ctx, uint32_t subtype,
					 uint8_t affected, bool whole)
{
	static struct scsi_cmd cmds[INFLIGHT_CMDS];
	bool before[INFLIGHT_CMDS] = {false}, done[INFLIGHT_CMDS] = {false};
	struct blk_chain chain;
	struct scsi_tmf t;
	unsigned ndone = 0, nbefore = 0;
	struct scsi s;
	uint8_t cdb[16];
	void *cookie;
	uint32_t len;
	int ret;

	SCSI_OPEN_LUN(&s, 1, 0);
	for (unsigned i = 0; i < INFLIGHT_CMDS; i++) {
		unsigned n = scsi_cdb_rw(cdb, SCSI_OP_READ_16, scsi_scratch_lba(&s, 20 + i),
					 INFLIGHT_BLOCKS);

		if (!scsi_cmd_init(&s, &cmds[i], cdb, n, 0, INFLIGHT_BLOCKS * s.block_len))
			return conform_error(ctx, "out of guest memory");
		scsi_cmd_chain(&cmds[i], &chain);
		if (blk_chain_add_to(&s.io, SCSI_Q_REQ, &chain, &cmds[i]))
			return conform_error(ctx, "the request queue is full");
	}
	conform_dev_kick(s.dev, SCSI_Q_REQ);
	if (!scsi_tmf_init(&s, &t, subtype, cmds[INFLIGHT_CMDS / 2].req->id))
		return conform_error(ctx, "out of guest memory");
	ret = scsi_tmf_run(&s, &t);
	if (ret)
		return conform_fail(ctx, "the TMF got no answer: %s", strerror(-ret));
	/* What the request queue used before the TMF was. */
	while (virtq_drv_get_used(&s.dev->vq[SCSI_Q_REQ], &cookie, &len) == 0) {
		unsigned i = (unsigned)((struct scsi_cmd *)cookie - cmds);

		before[i] = done[i] = true;
		nbefore++;
		ndone++;
	}
	conform_note(ctx, "TMF response %u; %u of %u commands were used before it", *t.resp,
		     nbefore, INFLIGHT_CMDS);
	while (ndone < INFLIGHT_CMDS) {
		ret = conform_dev_wait_used(s.dev, SCSI_Q_REQ, &cookie, &len);
		if (ret)
			return conform_fail(ctx, "%u of %u commands never completed after the TMF: "
						 "%s",
					    INFLIGHT_CMDS - ndone, INFLIGHT_CMDS, strerror(-ret));
		done[(struct scsi_cmd *)cookie - cmds] = true;
		ndone++;
	}
	for (unsigned i = 0; i < INFLIGHT_CMDS; i++) {
		uint8_t r = cmds[i].resp->response;

		if (r > VIRTIO_SCSI_S_FAILURE)
			return conform_fail(ctx, "command %u: response byte 0x%02x", i, r);
		if (!before[i] && r == affected && tmf_succeeded(*t.resp))
			return conform_fail(ctx, "command %u completed with the TMF's response %u "
						 "after the TMF itself completed",
					    i, r);
		if (whole && r == VIRTIO_SCSI_S_OK && cmds[i].resp->status == SCSI_STATUS_GOOD &&
		    cmds[i].resp->resid)
			return conform_fail(ctx,
					    "command %u: GOOD with residual %u of a READ whose "
					    "datain fits it",
					    i, cmds[i].resp->resid);
		if (whole && subtype == VIRTIO_SCSI_T_TMF_ABORT_TASK && r == affected &&
		    i != INFLIGHT_CMDS / 2)
			return conform_fail(ctx, "ABORT TASK of command %u's tag ended command %u",
					    INFLIGHT_CMDS / 2, i);
	}
	return CONFORM_PASS;
}

SCSI_CASE(scsi_tmf_lu_reset_inflight)
{
	return tmf_inflight(ctx, VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET, VIRTIO_SCSI_S_RESET, false);
}

SCSI_CASE(scsi_tmf_it_reset_inflight)
{
	return tmf_inflight(ctx, VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET, VIRTIO_SCSI_S_RESET, false);
}

SCSI_CASE(scsi_tmf_abort_task_inflight)
{
	return tmf_inflight(ctx, VIRTIO_SCSI_T_TMF_ABORT_TASK, VIRTIO_SCSI_S_ABORTED, false);
}

SCSI_CASE(scsi_tmf_abort_task_set_inflight)
{
	return tmf_inflight(ctx, VIRTIO_SCSI_T_TMF_ABORT_TASK_SET, VIRTIO_SCSI_S_ABORTED, false);
}

SCSI_CASE(scsi_tmf_abort_task_whole)
{
	return tmf_inflight(ctx, VIRTIO_SCSI_T_TMF_ABORT_TASK, VIRTIO_SCSI_S_ABORTED, true);
}

SCSI_CASE(scsi_tmf_lu_reset_whole)
{
	return tmf_inflight(ctx, VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET, VIRTIO_SCSI_S_RESET, true);
}

SCSI_CASE(scsi_tmf_abort_unknown_id)
{
	struct scsi s;
	int r;

	SCSI_OPEN_LUN(&s, 1, 0);
	r = tmf_do(&s, VIRTIO_SCSI_T_TMF_ABORT_TASK, 0x5c5110000000beefull, NULL);
	if (r < 0)
		return conform_fail(ctx, "ABORT TASK got no answer: %s", strerror(-r));
	if (!tmf_succeeded((uint8_t)r))
		return conform_fail(ctx, "ABORT TASK of a tag nobody used: response %d", r);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_tmf_bad_target)
{
	uint8_t lun[8];
	struct scsi s;
	int r;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (s.cfg.max_target >= 255)
		return conform_not_applicable(ctx, "max_target is %u: every target number may "
						   "exist",
					      s.cfg.max_target);
	scsi_host_virtio_lun_encode(lun, (uint8_t)(s.cfg.max_target + 1), 0);
	r = tmf_do(&s, VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET, 0, lun);
	if (r < 0)
		return conform_fail(ctx, "the TMF got no answer: %s", strerror(-r));
	if (r != VIRTIO_SCSI_S_BAD_TARGET)
		return conform_fail(ctx, "LOGICAL UNIT RESET of target %u (max_target %u): "
					 "response %d, not BAD_TARGET",
				    s.cfg.max_target + 1, s.cfg.max_target, r);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_tmf_unknown_subtype)
{
	struct scsi s;
	int r;

	SCSI_OPEN_LUN(&s, 1, 0);
	r = tmf_do(&s, 99, 0, NULL);
	if (r < 0)
		return conform_fail(ctx, "TMF subtype 99 got no answer: %s", strerror(-r));
	if (r == SCSI_RESP_UNSET || tmf_succeeded((uint8_t)r))
		return conform_fail(ctx, "TMF subtype 99: response %d", r);
	return scsi_keeps_serving(&s);
}

/* A controlq request of len readable bytes (type first) and a writable
 * part of wlen bytes; 0 with the first writable byte in *resp, or a
 * negative errno. */
static int ctrl_raw(struct scsi *s, uint32_t type, uint32_t len, uint32_t wlen, uint8_t *resp)
{
	struct blk_chain chain;
	uint64_t rgpa, wgpa;
	uint8_t *req = blk_alloc(&s->io, 32, &rgpa), *w = blk_alloc(&s->io, wlen, &wgpa);
	int ret;

	if (!req || !w)
		return -ENOMEM;
	memcpy(req, &type, sizeof(type));
	scsi_host_virtio_lun_encode(req + 4, s->target, s->lun);
	memset(w, SCSI_RESP_UNSET, wlen);
	blk_chain_init(&chain);
	blk_chain_add(&chain, rgpa, len, false);
	blk_chain_add(&chain, wgpa, wlen, true);
	ret = blk_chain_run(&s->io, SCSI_Q_CTRL, &chain, req, NULL);
	*resp = w[0];
	return ret;
}

SCSI_CASE(scsi_tmf_unknown_type)
{
	struct scsi s;
	uint8_t r;
	int ret;

	SCSI_OPEN_LUN(&s, 1, 0);
	ret = ctrl_raw(&s, 7, 24, 8, &r);
	/* The response's place depends on the type: a device that knows none
	 * may leave the buffer alone (noted); it must not answer OK. */
	if (ret == 0 && r == VIRTIO_SCSI_S_OK)
		return conform_fail(ctx, "controlq type 7: response OK");
	if (ret == 0 && r == SCSI_RESP_UNSET)
		conform_info(ctx, "controlq type 7: used without a response written");
	if (ret && ret != -ECONNRESET && ret != -EPIPE)
		return conform_fail(ctx, "controlq type 7 got no answer: %s", strerror(-ret));
	return scsi_keeps_serving(&s);
}

SCSI_CASE(scsi_tmf_an_query)
{
	const uint32_t all = VIRTIO_SCSI_EVT_ASYNC_OPERATIONAL_CHANGE |
			     VIRTIO_SCSI_EVT_ASYNC_POWER_MGMT |
			     VIRTIO_SCSI_EVT_ASYNC_EXTERNAL_REQUEST |
			     VIRTIO_SCSI_EVT_ASYNC_MEDIA_CHANGE | VIRTIO_SCSI_EVT_ASYNC_MULTI_HOST |
			     VIRTIO_SCSI_EVT_ASYNC_DEVICE_BUSY;
	struct virtio_scsi_ctrl_an_resp *resp;
	struct virtio_scsi_ctrl_an_req *req;
	struct blk_chain chain;
	uint64_t rgpa, wgpa;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	req = blk_alloc(&s.io, sizeof(*req), &rgpa);
	resp = blk_alloc(&s.io, sizeof(*resp), &wgpa);
	if (!req || !resp)
		return conform_error(ctx, "out of guest memory");
	req->type = VIRTIO_SCSI_T_AN_QUERY;
	scsi_host_virtio_lun_encode(req->lun, s.target, s.lun);
	req->event_requested = all;
	resp->response = SCSI_RESP_UNSET;
	blk_chain_init(&chain);
	blk_chain_add(&chain, rgpa, sizeof(*req), false);
	blk_chain_add(&chain, wgpa, sizeof(*resp), true);
	if (blk_chain_run(&s.io, SCSI_Q_CTRL, &chain, req, NULL))
		return conform_fail(ctx, "AN_QUERY got no answer");
	if (resp->response == SCSI_RESP_UNSET)
		return conform_fail(ctx, "AN_QUERY: the response byte is not written");
	if (resp->response == VIRTIO_SCSI_S_OK && (resp->event_actual & ~all))
		return conform_fail(ctx, "AN_QUERY: event_actual 0x%x has events that were not "
					 "asked for (0x%x)",
				    resp->event_actual, all);
	return CONFORM_PASS;
}

SCSI_CASE(scsi_tmf_short_request)
{
	struct scsi s;
	uint8_t r;
	int ret;

	SCSI_OPEN_LUN(&s, 1, 0);
	/* type and subtype only: no lun, no id. */
	ret = ctrl_raw(&s, VIRTIO_SCSI_T_TMF, 8, 1, &r);
	if (ret == 0 && r != SCSI_RESP_UNSET && tmf_succeeded(r))
		return conform_fail(ctx, "a TMF of 8 bytes succeeded (response %u)", r);
	if (ret && ret != -ECONNRESET && ret != -EPIPE)
		return conform_fail(ctx, "a TMF of 8 bytes got no answer: %s", strerror(-ret));
	return scsi_keeps_serving(&s);
}

SCSI_CASE(scsi_tmf_reset_unit_attention)
{
	static const uint16_t reset_occurred[] = {SCSI_ASCQ(0x29, 0xff)};
	uint8_t tur[6] = {SCSI_OP_TEST_UNIT_READY};
	enum conform_verdict v;
	struct scsi_cmd c;
	struct scsi s;
	int r;

	SCSI_OPEN_LUN(&s, 1, 0);
	r = tmf_do(&s, VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET, 0, NULL);
	if (r < 0 || !tmf_succeeded((uint8_t)r))
		return conform_not_applicable(ctx, "LOGICAL UNIT RESET did not succeed (%d: "
						   "SCSI-TMF-001)",
					      r);
	if (scsi_do(&s, &c, tur, sizeof(tur), NULL, 0, NULL, 0))
		return conform_fail(ctx, "TEST UNIT READY got no answer");
	v = scsi_expect_check(&s, &c, "the first command after LOGICAL UNIT RESET",
			      SCSI_SK_UNIT_ATTENTION, reset_occurred, 1);
	if (v != CONFORM_PASS)
		return v;
	/* Reported once (SAM-5 §5.14): the next command gets through. */
	if (scsi_do(&s, &c, tur, sizeof(tur), NULL, 0, NULL, 0) ||
	    !scsi_good(&s, &c, "the second TEST UNIT READY"))
		return conform_fail(ctx, "the unit attention was not cleared by reporting it");
	return CONFORM_PASS;
}

SCSI_CASE(scsi_tmf_reset_keeps_data)
{
	uint64_t lba;
	struct scsi s;
	int r;

	SCSI_OPEN_LUN(&s, 1, 0);
	lba = scsi_scratch_lba(&s, 40);
	if (!scsi_write_pattern(&s, lba, 8))
		return conform_error(ctx, "the data could not be written (trace)");
	r = tmf_do(&s, VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET, 0, NULL);
	if (r < 0)
		return conform_fail(ctx, "LOGICAL UNIT RESET got no answer: %s", strerror(-r));
	/* The read takes the reset's unit attention first. */
	if (!scsi_read_check(&s, lba, 8))
		return conform_fail(ctx, "data written before LOGICAL UNIT RESET is gone");
	return CONFORM_PASS;
}
