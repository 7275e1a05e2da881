/* SPDX-License-Identifier: MIT */
/*
 * A vhost-user-scsi controller: the virtio-scsi device model (features and
 * configuration space, virtio 1.2 §5.6.3 / §5.6.4) behind one lib/vhost
 * back-end, its targets and LUNs (bdevs emulated as disks by lib/scsi),
 * hot-plug while the guest runs, and its rings on the queue engine: ring 0
 * the controlq, 1 the eventq (vhost_scsi_ctrl.c), 2.. the request queues
 * (vhost_scsi_queue.c).
 */
#define LOG_COMPONENT "vhost-scsi"
#include "target/frontend/vhost_scsi_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "spec/scsi.h"
#include "spec/vhost_user.h"
#include "util/common.h"
#include "util/log.h"

_Static_assert(sizeof(struct virtio_scsi_config) <= VHOST_USER_MAX_CONFIG_SIZE,
	       "the config space fits a vhost-user GET_CONFIG");

#define RING_CONTROL 0
#define RING_EVENT   1

struct vhost_scsi {
	char name[64];
	char *socket_path;
	struct vhost_dev *dev;
	struct evloop *loop;
	struct qe_placement placement;
	uint16_t num_queues; /* request queues */
	uint64_t offered;
	uint64_t negotiated;
	/* §5.6.4: written by the driver, back to the defaults on reset */
	uint32_t cdb_size;
	uint32_t sense_size;
	/* Written by the control thread (release), read by reactors (acquire). */
	struct vhost_scsi_lun *luns[VHOST_SCSI_MAX_TARGETS][VHOST_SCSI_MAX_LUNS];
	struct vhost_scsi_queue *queues; /* num_queues + 2, by ring index */
	bool events_missed;		 /* dropped while the eventq was not running */
	frontend_done_fn destroyed;
	void *destroyed_arg;
};

struct vhost_scsi_lun *vhost_scsi_lun_get(struct vhost_scsi *vs, unsigned target, unsigned lun)
{
	return __atomic_load_n(&vs->luns[target][lun], __ATOMIC_ACQUIRE);
}

unsigned vhost_scsi_target_luns(struct vhost_scsi *vs, unsigned target, uint16_t *ids)
{
	unsigned n = 0;

	for (unsigned l = 0; l < VHOST_SCSI_MAX_LUNS; l++) {
		if (!vhost_scsi_lun_get(vs, target, l))
			continue;
		if (ids)
			ids[n] = (uint16_t)l;
		n++;
	}
	return n;
}

struct vhost_scsi_queue *vhost_scsi_ring(struct vhost_scsi *vs, uint16_t ring)
{
	return &vs->queues[ring];
}

uint16_t vhost_scsi_request_queue_count(const struct vhost_scsi *vs)
{
	return vs->num_queues;
}

/* §5.6.3: HOTPLUG (we send RESCAN / REMOVED events). Not INOUT (no
 * bidirectional command), not CHANGE (no parameter change events: a bdev
 * does not change size), not T10_PI. */
static uint64_t scsi_get_features(void *ctx)
{
	struct vhost_scsi *vs = ctx;

	return vs->offered;
}

static int scsi_set_features(void *ctx, uint64_t features)
{
	struct vhost_scsi *vs = ctx;

	vs->negotiated = features;
	log_info("%s: features 0x%" PRIx64 " negotiated", vs->name, features);
	return 0;
}

/* §5.6.4: seg_max, the data segments a request may have (a slot's iovecs
 * less the header and the response) and no more than any LUN's bdev takes;
 * max_sectors, the largest transfer every LUN takes. */
static void fill_config(struct vhost_scsi *vs, struct virtio_scsi_config *cfg)
{
	uint32_t seg_max = VHOST_SCSI_IOV_MAX - 2, max_sectors = UINT32_MAX;

	for (unsigned t = 0; t < VHOST_SCSI_MAX_TARGETS; t++) {
		for (unsigned l = 0; l < VHOST_SCSI_MAX_LUNS; l++) {
			struct vhost_scsi_lun *lun = vhost_scsi_lun_get(vs, t, l);
			struct bdev_limits lim;

			if (!lun)
				continue;
			bdev_get_limits(lun->bdev, &lim);
			seg_max = MIN(seg_max, lim.max_segments);
			max_sectors = MIN(max_sectors, lim.max_transfer_bytes / 512);
		}
	}
	memset(cfg, 0, sizeof(*cfg));
	cfg->num_queues = vs->num_queues;
	cfg->seg_max = seg_max;
	cfg->max_sectors = max_sectors == UINT32_MAX ? UINT16_MAX : max_sectors;
	cfg->cmd_per_lun = VHOST_SCSI_MAX_INFLIGHT;
	cfg->event_info_size = sizeof(struct virtio_scsi_event);
	cfg->sense_size = vs->sense_size;
	cfg->cdb_size = vs->cdb_size;
	/* §5.6.4: "max_channel SHOULD be zero" */
	cfg->max_channel = 0;
	cfg->max_target = VHOST_SCSI_MAX_TARGETS - 1;
	cfg->max_lun = VHOST_SCSI_MAX_LUNS - 1;
}

static int scsi_get_config(void *ctx, uint8_t *buf, uint32_t offset, uint32_t len)
{
	struct vhost_scsi *vs = ctx;
	struct virtio_scsi_config cfg;

	fill_config(vs, &cfg);
	return vhost_ring_config_read(vs->name, &cfg, sizeof(cfg), buf, offset, len);
}

/* §5.6.4.1: "The driver MUST NOT write to device configuration fields other
 * than sense_size and cdb_size." They take effect when the rings start. */
static int scsi_set_config(void *ctx, const uint8_t *buf, uint32_t offset, uint32_t len,
			   uint32_t flags)
{
	struct vhost_scsi *vs = ctx;
	const uint32_t first = offsetof(struct virtio_scsi_config, sense_size);
	const uint32_t end = offsetof(struct virtio_scsi_config, max_channel);
	struct virtio_scsi_config cfg;

	(void)flags;
	if (offset < first || offset > end || len > end - offset) {
		log_warn("%s: virtio 1.2 §5.6.4.1: driver writes config bytes %u..%u, outside "
			 "sense_size and cdb_size: refused",
			 vs->name, offset, offset + len);
		return -EINVAL;
	}
	cfg.sense_size = vs->sense_size;
	cfg.cdb_size = vs->cdb_size;
	memcpy((uint8_t *)&cfg + offset, buf, len);
	if (cfg.cdb_size == 0 || cfg.cdb_size > VHOST_SCSI_CDB_MAX ||
	    cfg.sense_size > VHOST_SCSI_SENSE_MAX) {
		log_warn("%s: virtio 1.2 §5.6.4: cdb_size %u / sense_size %u: we take 1..%d / "
			 "0..%d",
			 vs->name, cfg.cdb_size, cfg.sense_size, VHOST_SCSI_CDB_MAX,
			 VHOST_SCSI_SENSE_MAX);
		return -EINVAL;
	}
	vs->sense_size = cfg.sense_size;
	vs->cdb_size = cfg.cdb_size;
	return 0;
}

static int scsi_ring_start(void *ctx, struct vhost_vring *vring)
{
	struct vhost_scsi *vs = ctx;
	struct vhost_scsi_queue *q;
	struct reactor *r;

	if (vring->index >= vs->num_queues + VIRTIO_SCSI_REQUESTQ_FIRST) {
		log_warn("%s: virtio 1.2 §5.6.2: queue %u but num_queues is %u", vs->name,
			 vring->index, vs->num_queues);
		return -EINVAL;
	}
	q = &vs->queues[vring->index];
	r = q->home;
	q->cdb_size = vs->cdb_size;
	q->sense_size = vs->sense_size;
	q->hotplug = vs->negotiated & VIRTIO_BIT(VIRTIO_SCSI_F_HOTPLUG);
	if (vring->index == RING_CONTROL)
		return vhost_scsi_queue_start(q, &vhost_scsi_control_ops,
					      sizeof(struct vhost_scsi_tmf), VHOST_SCSI_CTRL_SLOTS,
					      vring, r, vs->loop);
	if (vring->index == RING_EVENT) {
		/* events held when the ring stopped are lost: say so (§5.6.6.3.2) */
		q->events_missed = vs->events_missed || q->nevents;
		q->nevents = 0;
		vs->events_missed = false;
		/* The eventq takes no request slot: it holds events, and a
		 * driver's buffer goes back as soon as one is written. */
		return vhost_scsi_queue_start(q, &vhost_scsi_event_ops, sizeof(uint64_t), 1, vring,
					      r, vs->loop);
	}
	return vhost_scsi_queue_start(q, &vhost_scsi_request_ops, sizeof(struct vhost_scsi_io),
				      VHOST_SCSI_MAX_INFLIGHT, vring, r, vs->loop);
}

/* GET_VRING_BASE (vhost-user.rst "Ring states": stopping a ring) is
 * answered once every command taken from the ring completed and the LUNs it
 * wrote to are flushed: the Nutanix rule for migrating vhost-user-scsi,
 * nothing in flight and nothing volatile when the ring's state is handed
 * over. A TMF on the controlq waits for the commands it ends, so a stopping
 * controlq drains after them. */
static void scsi_ring_stop(void *ctx, struct vhost_vring *vring, vhost_ring_done_fn stopped)
{
	struct vhost_scsi *vs = ctx;
	struct vhost_scsi_queue *q = &vs->queues[vring->index];

	if (vring->index >= VIRTIO_SCSI_REQUESTQ_FIRST)
		vhost_scsi_queue_stop_flushed(q, stopped);
	else
		vhost_ring_stop(&q->ctl, &q->qe, vring, stopped);
}

static void scsi_ring_swap_fds(void *ctx, struct vhost_vring *vring, int kick_fd, int call_fd,
			       vhost_ring_done_fn swapped)
{
	struct vhost_scsi *vs = ctx;
	struct vhost_scsi_queue *q = &vs->queues[vring->index];

	vhost_ring_swap_fds(&q->ctl, &q->qe, vring, kick_fd, call_fd, swapped);
}

/* §5.6.4.2: "On reset, the device MUST set sense_size to 96 and cdb_size to
 * 32." The next front-end negotiates afresh. */
static void scsi_disconnected(void *ctx)
{
	struct vhost_scsi *vs = ctx;

	vs->negotiated = 0;
	vs->sense_size = VIRTIO_SCSI_SENSE_DEFAULT;
	vs->cdb_size = VIRTIO_SCSI_CDB_DEFAULT;
}

static const struct vhost_dev_ops g_vhost_scsi_ops = {
    /* Every write into guest memory is marked (vhost_scsi_push). */
    .logs_writes = true,
    /* Every ring's heads are marked while taken (vhost_ring_pop,
     * vhost_scsi_push): a restarted target runs them again. */
    .tracks_inflight = true,
    .get_features = scsi_get_features,
    .set_features = scsi_set_features,
    .get_config = scsi_get_config,
    .set_config = scsi_set_config,
    .ring_start = scsi_ring_start,
    .ring_stop = scsi_ring_stop,
    .ring_swap_fds = scsi_ring_swap_fds,
    .connected = NULL,
    .disconnected = scsi_disconnected,
};

/* ---- Events ---- */

struct event_msg {
	struct qe_exec x;
	struct virtio_scsi_event ev;
};

static void event_msg_run(struct qe_queue *qe, void *arg)
{
	struct event_msg *m = arg;

	vhost_scsi_event_queue(container_of(qe, struct vhost_scsi_queue, qe), &m->ev);
}

/* §5.6.6.3: an event for (target, lun), if the driver asked for its kind:
 * "The device MUST NOT send VIRTIO_SCSI_T_TRANSPORT_RESET messages with
 * reason set to VIRTIO_SCSI_EVT_RESET_REMOVED or
 * VIRTIO_SCSI_EVT_RESET_RESCAN unless VIRTIO_SCSI_F_HOTPLUG was
 * negotiated." (§5.6.6.3.2); parameter changes are reported "via a
 * VIRTIO_SCSI_T_PARAM_CHANGE event" when VIRTIO_SCSI_F_CHANGE is (§5.6.3). */
static void event_post(struct vhost_scsi *vs, uint32_t event, unsigned target, unsigned lun,
		       uint32_t reason)
{
	struct vhost_scsi_queue *eq = &vs->queues[RING_EVENT];
	unsigned needs =
	    event == VIRTIO_SCSI_T_PARAM_CHANGE ? VIRTIO_SCSI_F_CHANGE : VIRTIO_SCSI_F_HOTPLUG;
	struct event_msg *m;
	uint8_t enc[8];

	if (!(vs->negotiated & VIRTIO_BIT(needs)))
		return;
	if (!eq->qe.running) {
		vs->events_missed = true;
		return;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		log_err("%s: no memory for an event", vs->name);
		return;
	}
	scsi_lun_encode((uint16_t)lun, enc);
	m->ev.event = event;
	m->ev.reason = reason;
	m->ev.lun[0] = VIRTIO_SCSI_LUN_FIRST;
	m->ev.lun[1] = (uint8_t)target;
	m->ev.lun[2] = enc[0];
	m->ev.lun[3] = enc[1];
	m->x = (struct qe_exec){.fn = event_msg_run, .done = free, .arg = m};
	qe_queue_exec(&eq->qe, &m->x);
}

/* A LUN's bdev got a new size (control thread): READ CAPACITY answers it
 * at once; the driver hears of it through a unit attention (CAPACITY DATA
 * HAS CHANGED) and, with CHANGE, an event whose "reason contains the
 * additional sense code and additional sense code qualifier, respectively
 * in bits 0...7 and 8...15" (§5.6.6.3.3), on which Linux re-reads the
 * capacity. */
static void lun_resized(struct bdev_watch *w, struct bdev *bdev)
{
	struct vhost_scsi_lun *l = container_of(w, struct vhost_scsi_lun, watch);
	uint64_t n = bdev_num_blocks(bdev);
	uint16_t asc = SCSI_ASC_CAPACITY_DATA_CHANGED;

	scsi_lun_resize(&l->sl, n);
	log_notice("%s: target %u LUN %u (bdev %s) now has %" PRIu64 " blocks", l->vs->name,
		   l->target, l->id, bdev->name, n);
	event_post(l->vs, VIRTIO_SCSI_T_PARAM_CHANGE, l->target, l->id,
		   (uint32_t)(asc >> 8) | (uint32_t)(asc & 0xff) << 8);
}

/* ---- Targets and LUNs ---- */

/* A stable 60-bit identifier from the bdev's uuid (FNV-1a), for the NAA
 * designator of page 83h. */
static uint64_t naa_from_uuid(const char *uuid)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const char *p = uuid; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	return h & 0x0fffffffffffffffULL;
}

static void lun_props(struct bdev *bdev, struct scsi_lun_props *p, uint32_t *ws_blocks)
{
	struct bdev_limits lim;

	bdev_get_limits(bdev, &lim);
	memset(p, 0, sizeof(*p));
	p->block_size = bdev->block_size;
	p->num_blocks = bdev_num_blocks(bdev);
	p->max_transfer_blocks = MAX(1u, lim.max_transfer_bytes / bdev->block_size);
	p->optimal_transfer_blocks = lim.optimal_io_bytes / bdev->block_size;
	p->max_unmap_blocks = UINT32_MAX;
	p->read_only = false;
	p->write_cache = bdev->write_cache;
	p->unmap = bdev->fn->io_type_supported(bdev, BDEV_IO_UNMAP);
	/* bdev.h: unmapped contents are undefined, so LBPRZ is not promised */
	p->unmap_zeroes = false;
	p->write_zeroes = bdev->fn->io_type_supported(bdev, BDEV_IO_WRITE_ZEROES);
	snprintf(p->vendor, sizeof(p->vendor), "STORLAB");
	/* truncated to the fields' lengths (SPC-5 §6.7.2, §7.7.4) */
	snprintf(p->product, sizeof(p->product), "%.16s", bdev->product_name);
	snprintf(p->revision, sizeof(p->revision), "0001");
	snprintf(p->serial, sizeof(p->serial), "%.32s", bdev->name);
	p->naa = naa_from_uuid(bdev->uuid);
	*ws_blocks =
	    MIN(MIN(p->max_transfer_blocks, lim.max_segments), (uint32_t)VHOST_SCSI_IOV_MAX - 1);
}

/* SPC-5 §6.33: the other LUNs of the target report REPORTED LUNS DATA HAS
 * CHANGED once its LUN inventory changed. */
static void luns_changed(struct vhost_scsi *vs, unsigned target)
{
	for (unsigned l = 0; l < VHOST_SCSI_MAX_LUNS; l++) {
		struct vhost_scsi_lun *lun = vs->luns[target][l];

		if (lun)
			scsi_lun_set_ua(&lun->sl, SCSI_UA_LUNS_CHANGED);
	}
}

int vhost_scsi_free_target(const struct vhost_scsi *vs)
{
	for (unsigned t = 0; t < VHOST_SCSI_MAX_TARGETS; t++) {
		if (vhost_scsi_target_luns((struct vhost_scsi *)vs, t, NULL) == 0)
			return (int)t;
	}
	return -ENOSPC;
}

int vhost_scsi_add_lun(struct vhost_scsi *vs, unsigned target, unsigned lun, const char *bdev_name,
		       bool descriptor_sense, struct frontend_err *err)
{
	struct vhost_scsi_lun *l;
	struct bdev *bdev;
	int rc;

	if (target >= VHOST_SCSI_MAX_TARGETS || lun >= VHOST_SCSI_MAX_LUNS) {
		frontend_err_set(err, -EINVAL, "target %u lun %u: targets are 0..%d, LUNs 0..%d",
				 target, lun, VHOST_SCSI_MAX_TARGETS - 1, VHOST_SCSI_MAX_LUNS - 1);
		return -EINVAL;
	}
	if (vs->luns[target][lun]) {
		frontend_err_set(err, -EEXIST, "target %u already has LUN %u", target, lun);
		return -EEXIST;
	}
	bdev = bdev_get_by_name(bdev_name);
	if (!bdev) {
		frontend_err_set(err, -ENODEV, "bdev_name: no bdev named %s", bdev_name);
		return -ENODEV;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		frontend_err_set(err, -ENOMEM, "no memory for a LUN");
		return -ENOMEM;
	}
	rc = bdev_open(bdev);
	if (rc) {
		frontend_err_set(err, rc, "cannot open bdev %s: %s", bdev_name, strerror(-rc));
		free(l);
		return rc;
	}
	{
		struct scsi_lun_props props;

		lun_props(bdev, &props, &l->ws_blocks);
		props.descriptor_sense = descriptor_sense;
		scsi_lun_init(&l->sl, &props);
	}
	l->bdev = bdev;
	l->vs = vs;
	l->target = (uint8_t)target;
	l->id = (uint8_t)lun;
	l->watch.resized = lun_resized;
	bdev_watch_add(bdev, &l->watch);
	luns_changed(vs, target);
	__atomic_store_n(&vs->luns[target][lun], l, __ATOMIC_RELEASE);
	log_notice("%s: target %u LUN %u is bdev %s (%" PRIu64 " blocks of %u)", vs->name, target,
		   lun, bdev->name, bdev->num_blocks, bdev->block_size);
	event_post(vs, VIRTIO_SCSI_T_TRANSPORT_RESET, target, lun, VIRTIO_SCSI_EVT_RESET_RESCAN);
	return 0;
}

/* A removal under way: the LUNs left the table; once every running queue
 * ran the barrier they are freed. */
struct removal {
	struct vhost_scsi *vs;
	struct vhost_scsi_lun *luns[VHOST_SCSI_MAX_LUNS];
	unsigned n;
	unsigned pending;
	frontend_done_fn done;
	void *arg;
	struct qe_exec x[VHOST_MAX_QUEUES];
};

static void removal_barrier(struct qe_queue *qe, void *arg)
{
	struct removal *rm = arg;
	struct vhost_scsi_queue *q = container_of(qe, struct vhost_scsi_queue, qe);

	for (unsigned i = 0; i < rm->n; i++)
		vhost_scsi_queue_forget(q, rm->luns[i]);
}

static void lun_free(struct vhost_scsi_lun *lun)
{
	bdev_watch_remove(lun->bdev, &lun->watch);
	bdev_close(lun->bdev);
	free(lun);
}

static void removal_put(void *arg)
{
	struct removal *rm = arg;

	if (--rm->pending)
		return;
	for (unsigned i = 0; i < rm->n; i++) {
		struct vhost_scsi_lun *lun = rm->luns[i];

		log_notice("%s: target %u LUN %u (bdev %s) removed", rm->vs->name, lun->target,
			   lun->id, lun->bdev->name);
		event_post(rm->vs, VIRTIO_SCSI_T_TRANSPORT_RESET, lun->target, lun->id,
			   VIRTIO_SCSI_EVT_RESET_REMOVED);
		lun_free(lun);
	}
	if (rm->done)
		rm->done(rm->arg);
	free(rm);
}

int vhost_scsi_remove(struct vhost_scsi *vs, unsigned target, int lun, frontend_done_fn done,
		      void *arg)
{
	struct removal *rm;

	if (target >= VHOST_SCSI_MAX_TARGETS || lun >= VHOST_SCSI_MAX_LUNS ||
	    (lun >= 0 && !vs->luns[target][lun]) || vhost_scsi_target_luns(vs, target, NULL) == 0)
		return -ENODEV;
	rm = calloc(1, sizeof(*rm));
	if (!rm)
		return -ENOMEM;
	rm->vs = vs;
	rm->done = done;
	rm->arg = arg;
	for (unsigned l = 0; l < VHOST_SCSI_MAX_LUNS; l++) {
		if (!vs->luns[target][l] || (lun >= 0 && (unsigned)lun != l))
			continue;
		rm->luns[rm->n++] = vs->luns[target][l];
		__atomic_store_n(&vs->luns[target][l], NULL, __ATOMIC_RELEASE);
	}
	luns_changed(vs, target);
	/* Every running queue that reads the table (the controlq and the
	 * request queues) runs the barrier; one count for us meanwhile. */
	rm->pending = 1;
	for (uint16_t i = 0; i < vs->num_queues + VIRTIO_SCSI_REQUESTQ_FIRST; i++) {
		struct vhost_scsi_queue *q = &vs->queues[i];

		if (i == RING_EVENT || !q->qe.running)
			continue;
		rm->pending++;
		rm->x[i] = (struct qe_exec){.fn = removal_barrier, .done = removal_put, .arg = rm};
		qe_queue_exec(&q->qe, &rm->x[i]);
	}
	removal_put(rm);
	return 0;
}

void vhost_scsi_get_lun(const struct vhost_scsi *vs, unsigned target, unsigned lun,
			struct vhost_scsi_lun_info *info)
{
	const struct vhost_scsi_lun *l =
	    target < VHOST_SCSI_MAX_TARGETS && lun < VHOST_SCSI_MAX_LUNS ? vs->luns[target][lun]
									 : NULL;

	info->present = l != NULL;
	info->bdev_name = l ? l->bdev->name : NULL;
}

/* ---- Life cycle ---- */

static int check_opts(const struct vhost_scsi_opts *o)
{
	if (!o->name || !o->name[0] || strlen(o->name) >= sizeof(((struct vhost_scsi *)0)->name)) {
		log_err("vhost-scsi: name must be 1 to 63 characters");
		return -EINVAL;
	}
	if (!o->socket_path || !o->loop) {
		log_err("%s: socket_path and loop are required", o->name);
		return -EINVAL;
	}
	if (o->num_queues > VHOST_MAX_QUEUES - VIRTIO_SCSI_REQUESTQ_FIRST) {
		log_err("%s: num_queues %u is more than %d", o->name, o->num_queues,
			VHOST_MAX_QUEUES - VIRTIO_SCSI_REQUESTQ_FIRST);
		return -EINVAL;
	}
	return 0;
}

int vhost_scsi_create(const struct vhost_scsi_opts *opts, struct vhost_scsi **out)
{
	struct vhost_dev_opts dev_opts = {
	    .socket_path = opts->socket_path,
	    .ops = &g_vhost_scsi_ops,
	    .loop = opts->loop,
	    .strict = opts->strict,
	    .protocol_features =
		(1ULL << VHOST_USER_PROTOCOL_F_MQ) | (1ULL << VHOST_USER_PROTOCOL_F_LOG_SHMFD) |
		(1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) | (1ULL << VHOST_USER_PROTOCOL_F_CONFIG) |
		(1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS) |
		(1ULL << VHOST_USER_PROTOCOL_F_RESET_DEVICE) |
		(1ULL << VHOST_USER_PROTOCOL_F_STATUS) |
		(1ULL << VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD),
	};
	struct vhost_scsi *vs;
	unsigned nrings;
	int rc = check_opts(opts);

	if (rc)
		return rc;
	vs = calloc(1, sizeof(*vs));
	if (!vs)
		return -ENOMEM;
	snprintf(vs->name, sizeof(vs->name), "%s", opts->name);
	vs->loop = opts->loop;
	vs->num_queues = opts->num_queues ? opts->num_queues : VHOST_SCSI_DEFAULT_QUEUES;
	vs->sense_size = VIRTIO_SCSI_SENSE_DEFAULT;
	vs->cdb_size = VIRTIO_SCSI_CDB_DEFAULT;
	/* CHANGE promises VIRTIO_SCSI_T_PARAM_CHANGE events when a LUN's
	 * parameters change (§5.6.3): we send one when its bdev grows
	 * (lun_resized). QEMU 7.2's vhost-user-scsi acknowledges CHANGE (its
	 * param_change, on by default) whether offered or not, and SPDK
	 * offers it too. */
	vs->offered = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC) |
		      VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) | VIRTIO_BIT(VIRTIO_SCSI_F_HOTPLUG) |
		      VIRTIO_BIT(VIRTIO_SCSI_F_CHANGE);
	nrings = vs->num_queues + VIRTIO_SCSI_REQUESTQ_FIRST;
	vs->socket_path = strdup(opts->socket_path);
	vs->queues = calloc(nrings, sizeof(*vs->queues));
	if (!vs->socket_path || !vs->queues) {
		rc = -ENOMEM;
		goto err_free;
	}
	rc = qe_placement_init(&vs->placement, opts->cpumask, vs->name);
	if (rc)
		goto err_free;
	for (unsigned i = 0; i < nrings; i++) {
		struct vhost_scsi_queue *q = &vs->queues[i];

		q->vs = vs;
		q->home = qe_placement_reactor(&vs->placement, i);
		q->qe.owner = vs->name;
		q->qe.index = (uint16_t)i;
		q->qe.stats.core = reactor_core(q->home);
	}
	dev_opts.max_queues = (uint16_t)nrings;
	dev_opts.ctx = vs;
	rc = vhost_dev_create(&dev_opts, &vs->dev);
	if (rc) {
		log_err("%s: cannot serve %s: %s", vs->name, opts->socket_path, strerror(-rc));
		goto err_free;
	}
	log_notice("%s: vhost-user-scsi on %s, %u request queues on cpumask 0x%" PRIx64, vs->name,
		   vs->socket_path, vs->num_queues, vs->placement.cpumask);
	*out = vs;
	return 0;

err_free:
	free(vs->queues);
	free(vs->socket_path);
	free(vs);
	return rc;
}

/* Every ring stopped: nothing runs on a reactor for vs any more. */
static void scsi_shut(void *arg)
{
	struct vhost_scsi *vs = arg;
	frontend_done_fn done = vs->destroyed;
	void *done_arg = vs->destroyed_arg;

	vhost_dev_destroy(vs->dev);
	for (unsigned t = 0; t < VHOST_SCSI_MAX_TARGETS; t++) {
		for (unsigned l = 0; l < VHOST_SCSI_MAX_LUNS; l++) {
			if (vs->luns[t][l])
				lun_free(vs->luns[t][l]);
		}
	}
	log_notice("%s: deleted", vs->name);
	free(vs->queues);
	free(vs->socket_path);
	free(vs);
	if (done)
		done(done_arg);
}

void vhost_scsi_destroy(struct vhost_scsi *vs, frontend_done_fn done, void *arg)
{
	vs->destroyed = done;
	vs->destroyed_arg = arg;
	vhost_dev_shutdown(vs->dev, scsi_shut, vs);
}

const char *vhost_scsi_name(const struct vhost_scsi *vs)
{
	return vs->name;
}

void vhost_scsi_get_info(const struct vhost_scsi *vs, struct vhost_scsi_info *info)
{
	info->name = vs->name;
	info->socket_path = vs->socket_path;
	info->cpumask = vs->placement.cpumask;
	info->num_queues = vs->num_queues;
	info->features = vs->offered;
	vhost_dev_get_info(vs->dev, &info->dev);
}

void vhost_scsi_get_queue_stats(const struct vhost_scsi *vs, uint16_t queue,
				struct vhost_scsi_queue_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	if (queue < vs->num_queues + VIRTIO_SCSI_REQUESTQ_FIRST)
		vhost_scsi_queue_get_stats(&vs->queues[queue], stats);
}
