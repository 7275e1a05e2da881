/* SPDX-License-Identifier: MIT */
/*
 * rte_vhost_scsi's virtio-scsi controller (vscsi.h), from virtio 1.2 §5.6
 * and <linux/virtio_scsi.h>.
 *
 * Choices the spec leaves open, taken as SPDK's vhost-scsi takes them:
 *  - requests and controlq messages are laid out with cdb_size 32 and
 *    sense_size 96, the defaults (§5.6.4); SET_CONFIG is refused, so a
 *    driver cannot change them (QEMU's vhost-user-scsi refuses too).
 *  - a LUN whose target does not exist gets VIRTIO_SCSI_S_BAD_TARGET; one
 *    whose target exists but has no such LU reaches the LU code, which
 *    answers as SPC-5 says for a missing LU.
 *  - the REPORT LUNS well-known LU (0xC1 0x01, §5.6.6.1 "SHOULD") is not
 *    implemented: BAD_TARGET.
 *  - QUERY TASK, QUERY TASK SET and CLEAR ACA are rejected
 *    (FUNCTION_REJECTED); asynchronous notification is answered with no
 *    events (event_actual 0, as QEMU's virtio-scsi does).
 * Task management here: a command runs when it completes (after
 * --delay-us); one that a LOGICAL UNIT RESET, I_T NEXUS RESET, ABORT TASK
 * SET, CLEAR TASK SET or ABORT TASK (same id) on the controlq overtook is
 * not run and completes with RESET or ABORTED (§5.6.6.1.1); the TMF itself
 * answers FUNCTION_COMPLETE, whether it found the command or not (SAM-5
 * §7.3: ABORT TASK's service response either way).
 */
#include "vscsi.h"

#include <errno.h>
#include <linux/virtio_scsi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lu.h"

/* §5.6.6.2; <linux/virtio_scsi.h> does not name it. */
#ifndef VIRTIO_SCSI_S_FUNCTION_COMPLETE
#define VIRTIO_SCSI_S_FUNCTION_COMPLETE 0
#endif

#define Q_CONTROL 0 /* §5.6.2: controlq, eventq, then the request queues */
#define Q_EVENT	  1
#define EVENTS	  16 /* §5.6.6.3: events kept while no buffer is there */
#define ABORTS	  16 /* ABORT TASKs remembered per connection */

struct target {
	uint8_t id;
	bool hotplug; /* --target ...,hotplug */
	bool present;
	struct rvs_lu lu;
};

struct event {
	uint8_t target;
	uint32_t reason;
};

/* Per connection (vid). */
struct conn {
	bool hotplug; /* VIRTIO_SCSI_F_HOTPLUG negotiated */
	struct event ev[EVENTS];
	unsigned ev_first, ev_n;
	bool missed;
	/* Commands taken before these seq numbers are cancelled. */
	uint64_t reset_seq[RVS_MAX_TARGETS];
	uint8_t reset_response[RVS_MAX_TARGETS];
	struct {
		uint8_t target;
		uint64_t id, seq;
	} aborts[ABORTS];
	unsigned abort_next;
};

static struct target g_targets[RVS_MAX_TARGETS];
static unsigned g_ntargets;
static struct conn g_conns[RVD_MAX_VIDS];
static volatile sig_atomic_t g_plug_want = -1; /* -1 nothing asked, 0 unplug, 1 plug */

/* ---- configuration --------------------------------------------------------- */

static int target_parse(struct target *t, char *spec, const char **path, unsigned long *mb,
			uint32_t *bs, const char **serial)
{
	char *save = NULL, *opt = strtok_r(spec, ",", &save), *end;
	unsigned long id = strtoul(opt ? opt : "", &end, 0);

	if (!opt || *end || id > 255)
		return -EINVAL;
	t->id = (uint8_t)id;
	while ((opt = strtok_r(NULL, ",", &save))) {
		if (!strncmp(opt, "size=", 5))
			*mb = strtoul(opt + 5, NULL, 0);
		else if (!strncmp(opt, "file=", 5))
			*path = opt + 5;
		else if (!strncmp(opt, "bs=", 3))
			*bs = (uint32_t)strtoul(opt + 3, NULL, 0);
		else if (!strncmp(opt, "serial=", 7))
			*serial = opt + 7;
		else if (!strcmp(opt, "hotplug"))
			t->hotplug = true;
		else
			return -EINVAL;
	}
	if (!*mb == !*path || (*bs != 512 && *bs != 4096) || strlen(*serial) > RVS_SERIAL_MAX)
		return -EINVAL;
	return 0;
}

int rvs_target_add(const char *spec)
{
	char buf[512], serial_buf[RVS_SERIAL_MAX + 1];
	const char *path = NULL, *serial = NULL;
	unsigned long mb = 0;
	uint32_t bs = 512;
	struct target *t = &g_targets[g_ntargets];
	int ret;

	if (g_ntargets == RVS_MAX_TARGETS || strlen(spec) >= sizeof(buf)) {
		fprintf(stderr, "rte_vhost_scsi: --target %s: too many or too long\n", spec);
		return -EINVAL;
	}
	memset(t, 0, sizeof(*t));
	snprintf(buf, sizeof(buf), "%s", spec);
	snprintf(serial_buf, sizeof(serial_buf), "rvs-t%s", spec);
	serial_buf[strcspn(serial_buf, ",")] = 0;
	serial = serial_buf;
	ret = target_parse(t, buf, &path, &mb, &bs, &serial);
	for (unsigned i = 0; !ret && i < g_ntargets; i++)
		if (g_targets[i].id == t->id)
			ret = -EEXIST;
	if (ret) {
		fprintf(stderr, "rte_vhost_scsi: --target %s: %s\n", spec, strerror(-ret));
		return ret;
	}
	ret = rvs_lu_open(&t->lu, path, mb, bs, serial, t->id);
	if (ret)
		return ret;
	t->present = !t->hotplug;
	g_ntargets++;
	return 0;
}

void rvs_targets_close(void)
{
	for (unsigned i = 0; i < g_ntargets; i++)
		rvs_lu_close(&g_targets[i].lu);
	g_ntargets = 0;
}

uint32_t rvs_config(void *buf, uint32_t len, uint16_t num_queues)
{
	struct virtio_scsi_config cfg;

	/* §5.6.4; max_target 255 and max_lun 0: any target id, one LU each. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.num_queues = num_queues;
	cfg.seg_max = RVD_SEG_MAX;
	cfg.max_sectors = RVD_SEG_MAX * 8;
	cfg.cmd_per_lun = 128;
	cfg.event_info_size = sizeof(struct virtio_scsi_event);
	cfg.sense_size = VIRTIO_SCSI_SENSE_DEFAULT_SIZE;
	cfg.cdb_size = VIRTIO_SCSI_CDB_DEFAULT_SIZE;
	cfg.max_target = 255;
	memcpy(buf, &cfg, len < sizeof(cfg) ? len : sizeof(cfg));
	return sizeof(cfg);
}

enum rvd_queue_kind rvs_queue_kind(uint16_t q)
{
	return q == Q_CONTROL ? RVD_Q_CONTROL : q == Q_EVENT ? RVD_Q_EVENT : RVD_Q_REQUEST;
}

/* ---- addressing ------------------------------------------------------------ */

/* §5.6.6.1: lun is 1, target, a single level LUN structure (peripheral or
 * flat addressing), four zero bytes. The target's slot, or -1 if there is
 * none; *lun gets the LUN. */
static int lun_decode(const uint8_t *l, unsigned *lun)
{
	if (l[0] != 1 || (l[2] >> 6) > 1 || l[4] || l[5] || l[6] || l[7])
		return -1;
	*lun = (unsigned)(l[2] & 0x3f) << 8 | l[3];
	for (unsigned i = 0; i < g_ntargets; i++)
		if (g_targets[i].id == l[1] && g_targets[i].present)
			return (int)i;
	return -1;
}

/* ---- request queues (§5.6.6.1) ----------------------------------------- */

/* Whether a TMF the connection ran after taking this command cancelled it:
 * the response to give, or VIRTIO_SCSI_S_OK. */
static uint8_t cancelled(struct conn *cn, unsigned t, uint64_t id, uint64_t seq)
{
	if (seq < cn->reset_seq[t])
		return cn->reset_response[t];
	for (unsigned i = 0; i < ABORTS; i++)
		if (cn->aborts[i].seq > seq && cn->aborts[i].target == t && cn->aborts[i].id == id)
			return VIRTIO_SCSI_S_ABORTED;
	return VIRTIO_SCSI_S_OK;
}

static uint32_t cmd_request(struct conn *cn, uint64_t seq, struct rvd_chain *c)
{
	struct virtio_scsi_cmd_req req;
	struct virtio_scsi_cmd_resp resp;
	struct rvs_cmd cmd;
	unsigned lun = 0;
	int t;

	memset(&resp, 0, sizeof(resp));
	if (c->in_len < sizeof(resp) || c->out_len < sizeof(req)) {
		/* Not even room for the answer's fixed part: §5.6.6.1's layout
		 * with the default sizes is not there. */
		fprintf(stderr, "rte_vhost_scsi: a request of %zu/%zu bytes, shorter than "
				"virtio 1.2 §5.6.6.1's header (cdb_size 32, sense_size 96)\n",
			c->out_len, c->in_len);
		resp.response = VIRTIO_SCSI_S_FAILURE;
		goto out;
	}
	rvd_iov_copy(c->out, c->nout, 0, &req, sizeof(req), 0);
	t = lun_decode(req.lun, &lun);
	if (t < 0) {
		resp.response = VIRTIO_SCSI_S_BAD_TARGET;
		goto out;
	}
	resp.response = cancelled(cn, (unsigned)t, req.tag, seq);
	if (resp.response != VIRTIO_SCSI_S_OK)
		goto out;
	if (c->out_len > sizeof(req) && c->in_len > sizeof(resp)) {
		/* §5.6.6.1.1: both directions without VIRTIO_SCSI_F_INOUT. */
		resp.response = VIRTIO_SCSI_S_FAILURE;
		goto out;
	}
	cmd = (struct rvs_cmd){
	    .cdb = req.cdb,
	    .c = c,
	    .out_off = sizeof(req),
	    .out_len = c->out_len - sizeof(req),
	    .in_off = sizeof(resp),
	    .in_len = c->in_len - sizeof(resp),
	};
	rvs_lu_exec(lun ? NULL : &g_targets[t].lu, &cmd);
	resp.response = cmd.response;
	resp.status = cmd.status;
	resp.resid = cmd.residual;
	resp.sense_len = cmd.sense_len;
	memcpy(resp.sense, cmd.sense, cmd.sense_len);
	rvd_iov_copy(c->in, c->nin, 0, &resp, sizeof(resp), 1);
	return (uint32_t)sizeof(resp) + cmd.in_written;
out:
	rvd_iov_copy(c->in, c->nin, 0, &resp, c->in_len < sizeof(resp) ? c->in_len : sizeof(resp),
		     1);
	return c->in_len < sizeof(resp) ? (uint32_t)c->in_len : (uint32_t)sizeof(resp);
}

/* ---- controlq (§5.6.6.2) ------------------------------------------------ */

static uint8_t tmf_run(struct conn *cn, const struct virtio_scsi_ctrl_tmf_req *tmf, uint64_t seq)
{
	unsigned lun;
	int t = lun_decode(tmf->lun, &lun);

	if (t < 0)
		return VIRTIO_SCSI_S_BAD_TARGET;
	switch (tmf->subtype) {
	case VIRTIO_SCSI_T_TMF_ABORT_TASK:
		cn->aborts[cn->abort_next].target = (uint8_t)t;
		cn->aborts[cn->abort_next].id = tmf->tag;
		cn->aborts[cn->abort_next].seq = seq;
		cn->abort_next = (cn->abort_next + 1) % ABORTS;
		return VIRTIO_SCSI_S_FUNCTION_COMPLETE;
	case VIRTIO_SCSI_T_TMF_ABORT_TASK_SET:
	case VIRTIO_SCSI_T_TMF_CLEAR_TASK_SET:
		cn->reset_seq[t] = seq;
		cn->reset_response[t] = VIRTIO_SCSI_S_ABORTED;
		return VIRTIO_SCSI_S_FUNCTION_COMPLETE;
	case VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET:
		cn->reset_seq[t] = seq;
		cn->reset_response[t] = VIRTIO_SCSI_S_RESET;
		return VIRTIO_SCSI_S_FUNCTION_COMPLETE;
	case VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET:
		for (unsigned i = 0; i < g_ntargets; i++) {
			cn->reset_seq[i] = seq;
			cn->reset_response[i] = VIRTIO_SCSI_S_RESET;
		}
		return VIRTIO_SCSI_S_FUNCTION_COMPLETE;
	default:
		return VIRTIO_SCSI_S_FUNCTION_REJECTED;
	}
}

static uint32_t ctrl_request(struct conn *cn, uint64_t seq, struct rvd_chain *c)
{
	uint32_t type;

	if (c->out_len < sizeof(type) || !c->in_len)
		goto bad;
	rvd_iov_copy(c->out, c->nout, 0, &type, sizeof(type), 0);
	if (type == VIRTIO_SCSI_T_TMF) {
		struct virtio_scsi_ctrl_tmf_req tmf;
		struct virtio_scsi_ctrl_tmf_resp resp;

		if (c->out_len < sizeof(tmf) || c->in_len < sizeof(resp))
			goto bad;
		rvd_iov_copy(c->out, c->nout, 0, &tmf, sizeof(tmf), 0);
		resp.response = tmf_run(cn, &tmf, seq);
		rvd_iov_copy(c->in, c->nin, 0, &resp, sizeof(resp), 1);
		return sizeof(resp);
	}
	if (type == VIRTIO_SCSI_T_AN_QUERY || type == VIRTIO_SCSI_T_AN_SUBSCRIBE) {
		struct virtio_scsi_ctrl_an_resp resp = {.event_actual = 0,
							.response = VIRTIO_SCSI_S_OK};

		if (c->out_len < sizeof(struct virtio_scsi_ctrl_an_req) || c->in_len < sizeof(resp))
			goto bad;
		rvd_iov_copy(c->in, c->nin, 0, &resp, sizeof(resp), 1);
		return sizeof(resp);
	}
bad:
	/* §5.6.6.2: the response's place depends on the type, which is
	 * unknown or cut short: nothing to answer with. */
	fprintf(stderr, "rte_vhost_scsi: controlq: a message of %zu/%zu bytes that is no "
			"virtio 1.2 §5.6.6.2 TMF or AN request\n",
		c->out_len, c->in_len);
	return 0;
}

/* ---- eventq (§5.6.6.3) ------------------------------------------------ */

static void event_push(uint8_t target, uint32_t reason)
{
	for (unsigned v = 0; v < RVD_MAX_VIDS; v++) {
		struct conn *cn = &g_conns[v];

		/* §5.6.6.3.2: RESCAN and REMOVED only with HOTPLUG. */
		if (!cn->hotplug)
			continue;
		if (cn->ev_n == EVENTS) {
			cn->missed = true; /* §5.6.6.3.2: bit 31 on the next one */
			continue;
		}
		cn->ev[(cn->ev_first + cn->ev_n++) % EVENTS] =
		    (struct event){.target = target, .reason = reason};
	}
}

static uint32_t event_request(struct conn *cn, struct rvd_chain *c)
{
	struct virtio_scsi_event ev;

	memset(&ev, 0, sizeof(ev));
	if (c->in_len < sizeof(ev)) {
		/* §5.6.6.3: a buffer shorter than event_info_size may be used
		 * at once with NO_EVENT; the event waits for the next one. */
		ev.event = VIRTIO_SCSI_T_NO_EVENT;
		rvd_iov_copy(c->in, c->nin, 0, &ev, c->in_len, 1);
		return (uint32_t)c->in_len;
	}
	if (cn->ev_n) {
		struct event *e = &cn->ev[cn->ev_first];

		ev.event = VIRTIO_SCSI_T_TRANSPORT_RESET;
		ev.lun[0] = 1;
		ev.lun[1] = e->target;
		/* LUN 0 as REPORT LUNS gives it (peripheral device addressing,
		 * byte 2 zero), as QEMU's virtio-scsi sends it. §5.6.6.1 allows
		 * flat space addressing (0x40 0x00) too, but Linux's virtio_scsi
		 * takes bytes 2-3 of an event as the LUN number unmasked and
		 * would look for LUN 16384. */
		ev.lun[2] = 0;
		ev.reason = e->reason;
		cn->ev_first = (cn->ev_first + 1) % EVENTS;
		cn->ev_n--;
	}
	if (cn->missed)
		ev.event |= VIRTIO_SCSI_T_EVENTS_MISSED;
	cn->missed = false;
	rvd_iov_copy(c->in, c->nin, 0, &ev, sizeof(ev), 1);
	return sizeof(ev);
}

bool rvs_event_ready(int vid)
{
	return g_conns[vid].ev_n || g_conns[vid].missed;
}

void rvs_hotplug(bool plug)
{
	g_plug_want = plug;
}

void rvs_tick(void)
{
	int want = g_plug_want;

	if (want < 0)
		return;
	g_plug_want = -1;
	for (unsigned i = 0; i < g_ntargets; i++) {
		struct target *t = &g_targets[i];

		if (!t->hotplug || t->present == (want == 1))
			continue;
		t->present = want == 1;
		event_push(t->id, t->present ? VIRTIO_SCSI_EVT_RESET_RESCAN
					     : VIRTIO_SCSI_EVT_RESET_REMOVED);
		fprintf(stderr, "rte_vhost_scsi: target %u %s\n", t->id,
			t->present ? "plugged" : "unplugged");
	}
}

/* ---- the device ------------------------------------------------------------ */

void rvs_start(int vid, uint64_t features)
{
	struct conn *cn = &g_conns[vid];

	memset(cn, 0, sizeof(*cn));
	cn->hotplug = features & (1ULL << VIRTIO_SCSI_F_HOTPLUG);
}

uint32_t rvs_request(int vid, uint16_t q, uint64_t seq, struct rvd_chain *c)
{
	struct conn *cn = &g_conns[vid];

	switch (rvs_queue_kind(q)) {
	case RVD_Q_CONTROL:
		return ctrl_request(cn, seq, c);
	case RVD_Q_EVENT:
		return event_request(cn, c);
	default:
		return cmd_request(cn, seq, c);
	}
}
