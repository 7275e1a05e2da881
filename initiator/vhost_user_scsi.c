/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user-scsi transport's device: the URI, a connection to the
 * back-end's socket, lib/vhost's front-end set-up (vhost_fe_setup.h) with
 * the controlq, the eventq and the request queues as rings 0, 1 and 2..n
 * (virtio 1.2 §5.6.2), the scan, task management on the controlq, and the
 * transport's ops table.
 */
#define LOG_COMPONENT "initiator"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "initiator/vhost_user_common.h"
#include "initiator/vhost_user_scsi.h"
#include "scsi/scsi_host.h"
#include "spec/virtio.h"
#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"
#include "util/parse.h"

/* The virtio features this driver understands (§5.6.3, §6): hot-plug and
 * capacity-change events (vhost_user_scsi_evt.c acts on them), no T10 PI. */
#define VUS_DRIVER_FEATURES                                                                        \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC) |                \
	 VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) | VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES) |        \
	 VIRTIO_BIT(VIRTIO_SCSI_F_HOTPLUG) | VIRTIO_BIT(VIRTIO_SCSI_F_CHANGE))

/* ---- the URI ---- */

static int address_option(const char *opt, bool *has_lun, uint8_t *target, uint16_t *lun)
{
	uint64_t v;

	/* §5.6.6.1: the target is one byte, the LUN a single level one. */
	if (!strncmp(opt, "target=", 7) && !util_parse_uint(opt + 7, 0, UINT8_MAX, &v)) {
		*target = (uint8_t)v;
	} else if (!strncmp(opt, "lun=", 4) &&
		   !util_parse_uint(opt + 4, 0, VIRTIO_SCSI_LUN_MAX, &v)) {
		*lun = (uint16_t)v;
	} else {
		log_err("'%s': not target=0..255 or lun=0..%u", opt, VIRTIO_SCSI_LUN_MAX);
		return -EINVAL;
	}
	*has_lun = true;
	return 0;
}

int vus_address_parse(const char *address, char **path, bool *has_lun, uint8_t *target,
		      uint16_t *lun)
{
	const char *q = strrchr(address, '?');
	char *opts, *save = NULL;
	int ret = 0;

	*has_lun = false;
	*target = 0;
	*lun = 0;
	*path = strndup(address, q ? (size_t)(q - address) : strlen(address));
	opts = q ? strdup(q + 1) : NULL;
	if (!*path || (q && !opts)) {
		ret = -ENOMEM;
		goto out;
	}
	if (!**path) {
		log_err("%s: no socket path", address);
		ret = -EINVAL;
		goto out;
	}
	for (char *o = q ? strtok_r(opts, "&", &save) : NULL; o && !ret;
	     o = strtok_r(NULL, "&", &save))
		ret = address_option(o, has_lun, target, lun);
out:
	free(opts);
	if (ret) {
		free(*path);
		*path = NULL;
	}
	return ret;
}

/* ---- control and event queues ---- */

static int ctlq_create(struct storlab_dev *dev, struct vus_ctlq *c, size_t shared)
{
	int ret;

	pthread_mutex_init(&c->lock, NULL);
	c->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->kick_fd < 0 || c->call_fd < 0)
		return -errno;
	ret = guestmem_alloc(&dev->mem, virtq_drv_ring_bytes(VUS_CTL_QUEUE_SIZE), 0, &c->ring);
	if (!ret)
		ret = guestmem_alloc(&dev->mem, shared, 0, &c->shared);
	return ret;
}

static void ctlq_destroy(struct storlab_dev *dev, struct vus_ctlq *c)
{
	if (c->vq.num)
		virtq_drv_fini(&c->vq);
	if (c->kick_fd > 0)
		close(c->kick_fd);
	if (c->call_fd > 0)
		close(c->call_fd);
	guestmem_free(&dev->mem, c->ring);
	guestmem_free(&dev->mem, c->shared);
	pthread_mutex_destroy(&c->lock);
}

/* No indirect descriptors: a TMF or an event is one or two buffers. */
static int ctlq_reset(struct storlab_dev *dev, struct vus_ctlq *c, uint64_t features)
{
	return vu_ring_init(dev, &c->vq, c->ring, VUS_CTL_QUEUE_SIZE, NULL, 0, features);
}

/* ---- set-up ---- */

static int vus_get_config(struct vhost_fe *fe, void *cfg, uint32_t *len)
{
	int ret;

	memset(cfg, 0, sizeof(struct virtio_scsi_config));
	ret = vhost_fe_get_config(fe, 0, sizeof(struct virtio_scsi_config), cfg);
	if (!ret)
		*len = sizeof(struct virtio_scsi_config);
	return ret;
}

static unsigned vus_nrings(const struct vus_dev *vdev)
{
	return VIRTIO_SCSI_REQUESTQ_FIRST + (unsigned)vdev->dev->opts.num_queues;
}

static bool vus_requests_kept(const struct vus_dev *vdev)
{
	for (uint16_t i = 0; i < vdev->dev->opts.num_queues; i++)
		if (vus_queue_inflight(&vdev->queues[i].head))
			return true;
	return false;
}

/* The set-up's prepare(): what was negotiated into info, enough request
 * queues, then every ring laid out for the features just negotiated. */
static int vus_prepare(void *arg, const struct vhost_fe_setup_state *st)
{
	struct vus_dev *vdev = arg;
	struct storlab_dev *dev = vdev->dev;
	struct storlab_virtio_scsi_info *vs = &vdev->vs;
	uint64_t max;
	int ret;

	vs->features_offered = st->features_offered;
	vs->features_negotiated = st->features;
	vs->protocol_features_offered = st->protocol_features_offered;
	vs->protocol_features_negotiated = st->protocol_features;
	vs->config_size = st->config_len;
	virtio_scsi_config_from_wire(&vs->config, &vdev->config);
	/* §5.6.4: num_queues counts the request queues; GET_QUEUE_NUM all. */
	max = st->queue_num > VIRTIO_SCSI_REQUESTQ_FIRST
		  ? st->queue_num - VIRTIO_SCSI_REQUESTQ_FIRST
		  : 0;
	if (st->config_len)
		max = MIN(max, (uint64_t)vs->config.num_queues);
	else
		log_warn("%s: no VHOST_USER_PROTOCOL_F_CONFIG: one request queue, target 0",
			 dev->address);
	if (!(st->protocol_features & (1ULL << VHOST_USER_PROTOCOL_F_MQ)))
		max = 1; /* no GET_QUEUE_NUM: what QEMU assumes */
	dev->info.max_queues = (uint16_t)MIN(max, (uint64_t)VHOST_MAX_QUEUES);
	if (dev->opts.num_queues > dev->info.max_queues) {
		log_err("%s: %u request queues asked for, the device has %u", dev->address,
			dev->opts.num_queues, dev->info.max_queues);
		return -ENOTSUP;
	}
	/* A device that moves to another back-end (vus_dev_resume) keeps its
	 * rings as they are, at the bases the source's GET_VRING_BASE gave,
	 * and the destination gets an in-flight buffer of its own; one whose
	 * back-end crashed keeps them with their requests, at the used idx,
	 * every ring (the controlq and eventq too). */
	if (vdev->resume.bases && !vu_resume_features_ok(dev, &vdev->resume, st->features))
		return -ENOTSUP;
	ret = vu_keep_decide(dev, st, &vdev->inflight, vdev->features, vdev->kept, &vdev->kept);
	if (ret)
		return ret;
	vdev->features = st->features;
	if (vdev->resume.bases) {
		for (unsigned i = 0; i < vus_nrings(vdev); i++)
			vdev->rings[i].base = vdev->resume.bases[i];
		return 0;
	}
	if (vdev->kept) {
		vdev->rings[VIRTIO_SCSI_CONTROLQ].base =
		    __atomic_load_n(&vdev->ctl.vq.used->idx, __ATOMIC_ACQUIRE);
		vdev->rings[VIRTIO_SCSI_EVENTQ].base =
		    __atomic_load_n(&vdev->evt.vq.used->idx, __ATOMIC_ACQUIRE);
		for (uint16_t i = 0; i < dev->opts.num_queues; i++)
			vdev->rings[VIRTIO_SCSI_REQUESTQ_FIRST + i].base =
			    vus_queue_resume(&vdev->queues[i]);
		return 0;
	}
	ret = ctlq_reset(dev, &vdev->ctl, st->features);
	if (!ret)
		ret = ctlq_reset(dev, &vdev->evt, st->features);
	for (uint16_t i = 0; !ret && i < dev->opts.num_queues; i++)
		ret = vus_queue_reset(&vdev->queues[i], st->features);
	return ret;
}

/* The set-up's rings, at base 0 unless prepare() says otherwise. */
static void vus_rings_fill(struct vus_dev *vdev)
{
	struct vhost_fe_setup_ring *r = vdev->rings;

	r[VIRTIO_SCSI_CONTROLQ] = (struct vhost_fe_setup_ring){
	    .vq = &vdev->ctl.vq, .kick_fd = vdev->ctl.kick_fd, .call_fd = vdev->ctl.call_fd};
	r[VIRTIO_SCSI_EVENTQ] = (struct vhost_fe_setup_ring){
	    .vq = &vdev->evt.vq, .kick_fd = vdev->evt.kick_fd, .call_fd = vdev->evt.call_fd};
	for (uint16_t i = 0; i < vdev->dev->opts.num_queues; i++) {
		struct vus_queue *q = &vdev->queues[i];

		r[VIRTIO_SCSI_REQUESTQ_FIRST + i] = (struct vhost_fe_setup_ring){
		    .vq = &q->vq, .kick_fd = q->mem.kick_fd, .call_fd = q->mem.call_fd};
	}
}

int vus_info_fill(struct vus_dev *vdev)
{
	struct storlab_dev *dev = vdev->dev;
	const struct vus_luns *t = vus_luns_get(vdev);
	const struct storlab_scsi_lun *l = &t->lun[t->selected];
	struct storlab_dev_info *info = &dev->info;
	uint64_t bytes;
	int ret;

	info->capacity = l->num_blocks * l->block_len;
	info->block_size = l->block_len;
	info->read_only = l->read_only;
	/* §5.6.4: seg_max bounds the data segments of one command, max_sectors
	 * (512-byte units) its transfer; the LUN's block limits may say less. */
	info->max_segments = vdev->vs.config.seg_max
				 ? MIN(vdev->vs.config.seg_max, (uint32_t)STORLAB_MAX_SEGMENTS)
				 : STORLAB_MAX_SEGMENTS;
	bytes = (uint64_t)vdev->vs.config.max_sectors * 512;
	if (l->max_transfer)
		bytes = bytes ? MIN(bytes, (uint64_t)l->max_transfer * l->block_len)
			      : (uint64_t)l->max_transfer * l->block_len;
	info->max_transfer = (uint32_t)MIN(bytes, (uint64_t)UINT32_MAX);
	/* One UNMAP descriptor or WRITE SAME(16) of up to 2^32 - 1 blocks. */
	info->max_discard =
	    l->unmap ? (uint64_t)(l->max_unmap_lbas ? l->max_unmap_lbas : UINT32_MAX) * l->block_len
		     : 0;
	info->max_write_zeroes = (uint64_t)UINT32_MAX * l->block_len;
	if (vdev->zero_len != l->block_len) {
		guestmem_free(&dev->mem, vdev->zero_block);
		vdev->zero_block = NULL;
		vdev->zero_len = 0;
		ret = guestmem_alloc(&dev->mem, l->block_len, 0, &vdev->zero_block);
		if (ret)
			return ret;
		memset(vdev->zero_block, 0, l->block_len);
		vdev->zero_len = l->block_len;
	}
	return 0;
}

static int vus_connect(struct vus_dev *vdev)
{
	struct storlab_dev *dev = vdev->dev;
	struct vhost_fe_region regions[STORLAB_MAX_MEM_RANGES];
	struct vhost_fe_setup_opts setup = {
	    .features =
		VUS_DRIVER_FEATURES & (dev->opts.features_mask ? dev->opts.features_mask : ~0ULL),
	    /* §6.1: a non-legacy driver. */
	    .required_features = VIRTIO_BIT(VIRTIO_F_VERSION_1),
	    /* In-flight tracking too: requests survive a back-end's crash; the
	     * dirty log for a device that migrates. */
	    .protocol_features = VHOST_FE_PROTOCOL_FEATURES |
				 (1ULL << VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD) |
				 (dev->migratable ? 1ULL << VHOST_USER_PROTOCOL_F_LOG_SHMFD : 0),
	    .inflight = &vdev->inflight,
	    .get_config = vus_get_config,
	    .config = &vdev->config,
	    .prepare = vus_prepare,
	    .arg = vdev,
	    .rings = vdev->rings,
	    .nrings = (uint16_t)vus_nrings(vdev),
	};
	struct vhost_fe_setup_state st;
	int ret;

	/* A device that moved, or whose requests outlive its back-end, keeps
	 * what its driver found (the LUNs). */
	vdev->kept = !vdev->resume.bases && vus_requests_kept(vdev);
	if (!vdev->resume.bases && !vdev->kept)
		memset(&vdev->vs, 0, sizeof(vdev->vs));
	memset(&vdev->config, 0, sizeof(vdev->config));
	vdev->sock_fd = -1;
	vus_rings_fill(vdev);
	ret = vu_connect(dev, vdev->path, g_transport_vhost_user_scsi.scheme, &setup, regions,
			 &vdev->fe, &st);
	if (ret)
		return ret;
	vdev->sock_fd = vhost_fe_fd(vdev->fe);
	vu_keeps_inflight_update(dev, &vdev->inflight, &st);
	atomic_store(&dev->dead, false);
	/* A moved or resumed device's eventq still holds the buffers posted,
	 * and its driver does not scan again (a VM's does not on a migration
	 * or a back-end's restart): its requests are in the rings. */
	if (!vdev->resume.bases && !vdev->kept) {
		pthread_mutex_lock(&vdev->evt.lock);
		ret = vus_evtq_post(vdev);
		if (!ret)
			ret = vus_scan(vdev);
		pthread_mutex_unlock(&vdev->evt.lock);
	}
	if (!ret)
		ret = vus_info_fill(vdev);
	if (!ret)
		return 0;
	/* The queues saw the device alive since the rings came up: they must
	 * not submit to the connection closed here. */
	atomic_store(&dev->dead, true);
	vhost_fe_close(vdev->fe);
	vdev->fe = NULL;
	vdev->sock_fd = -1;
	return ret;
}

bool vus_dev_check_hangup(struct vus_dev *vdev)
{
	return vu_check_hangup(vdev->dev, vdev->sock_fd);
}

static void vus_close(void *ctx)
{
	struct vus_dev *vdev = ctx;
	struct storlab_dev *dev = vdev->dev;

	if (vdev->fe)
		vhost_fe_close(vdev->fe);
	if (vdev->inflight.fd >= 0)
		close(vdev->inflight.fd);
	for (uint16_t i = 0; vdev->queues && i < dev->opts.num_queues; i++)
		if (vdev->queues[i].vdev)
			vus_queue_destroy(&vdev->queues[i]);
	ctlq_destroy(dev, &vdev->ctl);
	ctlq_destroy(dev, &vdev->evt);
	guestmem_free(&dev->mem, vdev->zero_block);
	vus_luns_free(vdev);
	free(vdev->queues);
	free(vdev->rings);
	free(vdev->path);
	free(vdev);
}

static int vus_open(struct storlab_dev *dev, void **ctx)
{
	const struct storlab_dev_opts *o = &dev->opts;
	struct vus_dev *vdev;
	int ret;

	/* virtio 1.2 §2.7: a split queue's size is a power of 2, at most 32768. */
	if (!IS_POW2(o->queue_size) || o->queue_size > VIRTQ_MAX_SIZE) {
		log_err("queue size %u is not a power of 2 up to %u", o->queue_size,
			VIRTQ_MAX_SIZE);
		return -EINVAL;
	}
	vdev = calloc(1, sizeof(*vdev));
	if (!vdev)
		return -ENOMEM;
	vdev->dev = dev;
	vdev->sock_fd = -1;
	vdev->inflight.fd = -1;
	ret = vus_address_parse(dev->address, &vdev->path, &vdev->has_lun, &vdev->want_target,
				&vdev->want_lun);
	if (ret) {
		free(vdev);
		return ret;
	}
	if (strlen(vdev->path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		log_err("%s: a socket path is shorter than %zu bytes", dev->address,
			sizeof(((struct sockaddr_un *)0)->sun_path));
		free(vdev->path);
		free(vdev);
		return -ENAMETOOLONG;
	}
	vdev->queues = calloc(o->num_queues, sizeof(*vdev->queues));
	vdev->rings = calloc(VIRTIO_SCSI_REQUESTQ_FIRST + o->num_queues, sizeof(*vdev->rings));
	ret = vdev->queues && vdev->rings ? 0 : -ENOMEM;
	if (!ret)
		ret = ctlq_create(dev, &vdev->ctl,
				  sizeof(struct virtio_scsi_ctrl_tmf_req) +
				      sizeof(struct virtio_scsi_ctrl_tmf_resp));
	if (!ret)
		ret = ctlq_create(dev, &vdev->evt, VUS_EVENTS * sizeof(struct virtio_scsi_event));
	for (uint16_t i = 0; !ret && i < o->num_queues; i++) {
		ret = vus_queue_create(vdev, dev, i, o->queue_size, &vdev->queues[i]);
		if (!ret)
			dev->queues[i] = &vdev->queues[i].head;
	}
	if (!ret)
		ret = vus_connect(vdev);
	if (ret) {
		vus_close(vdev);
		return ret;
	}
	*ctx = vdev;
	return 0;
}

static int vus_reconnect(void *ctx)
{
	struct vus_dev *vdev = ctx;

	if (vdev->fe) {
		vhost_fe_close(vdev->fe);
		vdev->fe = NULL;
		vdev->sock_fd = -1;
	}
	return vus_connect(vdev);
}

int vus_dev_resume(struct vus_dev *vdev, const uint16_t *bases)
{
	const struct vus_luns *t = vus_luns_get(vdev);
	bool has_lun;
	uint8_t target;
	uint16_t lun;
	char *path;
	int ret = vus_address_parse(vdev->dev->address, &path, &has_lun, &target, &lun);

	if (ret)
		return ret;
	if (has_lun && (target != t->sel_target || lun != t->sel_lun)) {
		log_err("%s: the device runs with target %u LUN %u: it cannot move to another",
			vdev->dev->address, t->sel_target, t->sel_lun);
		free(path);
		return -EINVAL;
	}
	free(vdev->path);
	vdev->path = path;
	return vu_resume(&vdev->resume, bases, vdev->vs.features_negotiated, vus_reconnect, vdev);
}

static const void *vus_details(const void *ctx)
{
	return &((const struct vus_dev *)ctx)->vs;
}

/* Waits for the controlq's one chain to be used. */
static int ctlq_wait(struct vus_dev *vdev, int64_t deadline)
{
	struct vus_ctlq *c = &vdev->ctl;
	void *cookie;
	uint32_t len;
	bool hangup;
	int ret;

	for (;;) {
		ret = virtq_drv_get_used(&c->vq, &cookie, &len);
		if (ret != -EAGAIN)
			return ret;
		ret = vu_ring_wait(&c->vq, c->call_fd, vdev->sock_fd, false, deadline, &hangup);
		if (hangup && vus_dev_check_hangup(vdev))
			return -ENOTCONN;
		if (ret)
			return ret;
	}
}

int storlab_virtio_scsi_tmf(struct storlab_dev *dev, uint32_t subtype, uint8_t target, uint16_t lun,
			    uint64_t id, uint8_t *response)
{
	struct vus_dev *vdev;
	struct virtio_scsi_ctrl_tmf_req *req;
	struct virtio_scsi_ctrl_tmf_resp *resp;
	struct virtq_buf b[2];
	int ret;

	if (dev->tp != &g_transport_vhost_user_scsi)
		return -ENOTTY;
	if (subtype > VIRTIO_SCSI_T_TMF_QUERY_TASK_SET || lun > VIRTIO_SCSI_LUN_MAX || !response)
		return -EINVAL;
	vdev = dev->ctx;
	pthread_mutex_lock(&vdev->ctl.lock);
	if (atomic_load(&dev->dead)) {
		ret = -ENOTCONN;
		goto out;
	}
	/* §5.6.6.2: type, subtype, lun and id are device-readable, the
	 * response byte device-writable. */
	req = vdev->ctl.shared;
	resp = (void *)(req + 1);
	*req = (struct virtio_scsi_ctrl_tmf_req){
	    .type = VIRTIO_SCSI_T_TMF, .subtype = subtype, .id = id};
	scsi_host_virtio_lun_encode(req->lun, target, lun);
	resp->response = 0xff;
	guestmem_gpa(&dev->mem, req, sizeof(*req), &b[0].addr);
	b[0].len = sizeof(*req);
	guestmem_gpa(&dev->mem, resp, sizeof(*resp), &b[1].addr);
	b[1].len = sizeof(*resp);
	ret = virtq_drv_add(&vdev->ctl.vq, b, 1, 1, req);
	if (ret)
		goto out;
	if (virtq_drv_publish(&vdev->ctl.vq))
		vu_eventfd_signal(vdev->ctl.kick_fd);
	ret = ctlq_wait(vdev, deadline_from_timeout(dev->opts.timeout_ms));
	if (ret == -ETIMEDOUT) {
		/* The chain stays the device's: the controlq cannot be used
		 * again on this connection. */
		log_err("%s: task management function %u unanswered", dev->address, subtype);
		atomic_store(&dev->dead, true);
	}
	if (!ret)
		*response = resp->response;
out:
	pthread_mutex_unlock(&vdev->ctl.lock);
	return ret;
}

const struct initiator_transport g_transport_vhost_user_scsi = {
    .scheme = "vhost-user-scsi",
    .uri_form = "vhost-user-scsi:/path/to/socket[?target=T&lun=L]",
    .kind = INITIATOR_DEV_VIRTIO_SCSI,
    .open = vus_open,
    .close = vus_close,
    .reconnect = vus_reconnect,
    .details = vus_details,
    .queue_add = vus_queue_add,
    .queue_submit = vus_queue_submit,
    .queue_reap = vus_queue_reap,
    .queue_inflight = vus_queue_inflight,
    .queue_fd = vus_queue_fd,
    .queue_set_fd_enabled = vus_queue_set_fd_enabled,
    .status_name = storlab_virtio_scsi_status_name,
    .mig = &g_vus_mig_ops,
};
