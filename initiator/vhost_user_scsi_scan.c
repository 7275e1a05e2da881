/* SPDX-License-Identifier: MIT */
/*
 * The scan of a virtio-scsi device just set up, as Linux's SCSI midlayer
 * does it: per target, REPORT LUNS to LUN 0 (or, for a target that does
 * not do REPORT LUNS, LUN 0 alone), then per LUN a standard INQUIRY, the
 * VPD pages a disk host reads, READ CAPACITY(16) (or (10) where (16) is
 * not supported) and MODE SENSE(6) for write protection. Every answer goes
 * through lib/scsi's parsers: a malformed one drops that LUN (logged),
 * never the harness. What is found goes into a new LUN table, published
 * whole (vus_luns in vhost_user_scsi.h).
 */
#define LOG_COMPONENT "initiator"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "initiator/vhost_user_scsi.h"
#include "scsi/scsi_host.h"
#include "util/common.h"
#include "util/log.h"

/* Data-in of one scan command: REPORT LUNS of up to 511 LUNs, any VPD page
 * a disk sends. */
#define SCAN_BUF 4096
/* Tries of one command while it meets UNIT ATTENTION (SAM-5 §5.14: each
 * pending condition is reported once, e.g. POWER ON then LUNS CHANGED). */
#define SCAN_UA_TRIES 4

struct scan {
	struct vus_dev *vdev;
	struct storlab_queue *q;
	uint8_t *buf; /* guest memory, SCAN_BUF */
	struct storlab_virtio_scsi_result res;
	uint32_t got;	    /* data-in bytes of the last command */
	struct vus_luns *t; /* being built */
};

/* Sends one CDB to (target, lun) with SCAN_BUF (or alloc) bytes of data-in
 * and waits. 0 with s->res filled (whatever the status), or a queue error. */
static int scan_cmd(struct scan *s, uint8_t target, uint16_t lun, const uint8_t *cdb, int cdb_len,
		    uint32_t alloc)
{
	struct iovec iov = {s->buf, alloc};
	struct storlab_virtio_scsi_cmd cmd = {.target = target,
					      .lun = lun,
					      .cdb = cdb,
					      .cdb_len = (uint8_t)cdb_len,
					      .in = &iov,
					      .nin = alloc ? 1 : 0,
					      .result = &s->res};
	struct storlab_req req = {.op = STORLAB_OP_DEVICE, .cmd = &cmd};
	struct storlab_completion c;
	int ret;

	if (cdb_len < 0)
		return cdb_len;
	for (int tries = 0; tries < SCAN_UA_TRIES; tries++) {
		memset(s->buf, 0, SCAN_BUF);
		ret = storlab_queue_add(s->q, &req);
		if (ret)
			return ret;
		ret = storlab_queue_reap(s->q, &c, 1, 1, s->vdev->dev->opts.timeout_ms);
		if (ret < 0)
			return ret;
		s->got = s->res.resid < alloc ? alloc - s->res.resid : 0;
		if (STORLAB_VIRTIO_SCSI_TS_KEY(c.transport_status) != SCSI_SK_UNIT_ATTENTION ||
		    s->res.status != SCSI_STATUS_CHECK_CONDITION)
			break;
	}
	return 0;
}

static bool scan_good(const struct scan *s)
{
	return s->res.response == VIRTIO_SCSI_S_OK && s->res.status == SCSI_STATUS_GOOD;
}

/* ILLEGAL REQUEST: the device does not do this command (SPC-5 §4.4). */
static bool scan_illegal(const struct scan *s)
{
	struct scsi_host_sense sense;

	return s->res.response == VIRTIO_SCSI_S_OK &&
	       s->res.status == SCSI_STATUS_CHECK_CONDITION &&
	       !scsi_host_parse_sense(s->res.sense, MIN(s->res.sense_len, sizeof(s->res.sense)),
				      &sense) &&
	       sense.key == SCSI_SK_ILLEGAL_REQUEST;
}

static void scan_vpd(struct scan *s, struct storlab_scsi_lun *l)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	struct scsi_host_vpd_pages pages;
	struct scsi_host_vpd_serial sn;
	struct scsi_host_vpd_ids ids;
	struct scsi_host_vpd_block_limits bl;
	struct scsi_host_vpd_lbp lbp;

#define VPD(page)                                                                                  \
	(!scan_cmd(s, l->target, l->lun, cdb, scsi_host_cdb_inquiry(cdb, true, page, SCAN_BUF),    \
		   SCAN_BUF) &&                                                                    \
	 scan_good(s))
	if (!VPD(SCSI_VPD_SUPPORTED_PAGES) || scsi_host_parse_vpd_pages(s->buf, s->got, &pages))
		return;
	if (scsi_host_vpd_pages_has(&pages, SCSI_VPD_UNIT_SERIAL_NUMBER) &&
	    VPD(SCSI_VPD_UNIT_SERIAL_NUMBER) && !scsi_host_parse_vpd_serial(s->buf, s->got, &sn)) {
		size_t k = MIN(strlen(sn.serial), sizeof(l->serial) - 1);

		memcpy(l->serial, sn.serial, k);
		l->serial[k] = 0;
	}
	if (scsi_host_vpd_pages_has(&pages, SCSI_VPD_DEVICE_IDENTIFICATION) &&
	    VPD(SCSI_VPD_DEVICE_IDENTIFICATION) && !scsi_host_parse_vpd_ids(s->buf, s->got, &ids)) {
		for (unsigned i = 0; i < ids.n; i++) {
			if (ids.d[i].association == SCSI_ASSOC_LUN) {
				scsi_host_designator_format(&ids.d[i], l->id, sizeof(l->id));
				break;
			}
		}
	}
	if (scsi_host_vpd_pages_has(&pages, SCSI_VPD_BLOCK_LIMITS) && VPD(SCSI_VPD_BLOCK_LIMITS) &&
	    !scsi_host_parse_vpd_block_limits(s->buf, s->got, &bl)) {
		l->max_transfer = bl.max_transfer_len;
		l->max_unmap_lbas = bl.max_unmap_lba_count;
	}
	if (scsi_host_vpd_pages_has(&pages, SCSI_VPD_LOGICAL_BLOCK_PROVISIONING) &&
	    VPD(SCSI_VPD_LOGICAL_BLOCK_PROVISIONING) &&
	    !scsi_host_parse_vpd_lbp(s->buf, s->got, &lbp)) {
		l->unmap = lbp.lbpu;
		l->write_same_unmap = lbp.lbpws;
	}
#undef VPD
}

/* SBC-4 §5.21: READ CAPACITY(16); (10) where (16) is refused. */
static void scan_capacity(struct scan *s, struct storlab_scsi_lun *l)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	struct scsi_host_capacity cap;
	int ret;

	ret = scan_cmd(s, l->target, l->lun, cdb, scsi_host_cdb_read_capacity_16(cdb, 32), 32);
	if (!ret && scan_good(s) && !scsi_host_parse_capacity_16(s->buf, s->got, &cap)) {
		l->thin = cap.lbpme;
	} else if (!ret && scan_illegal(s) &&
		   !scan_cmd(s, l->target, l->lun, cdb, scsi_host_cdb_read_capacity_10(cdb), 8) &&
		   scan_good(s) && !scsi_host_parse_capacity_10(s->buf, s->got, &cap) &&
		   !cap.need_16) {
		log_info("%u:%u: READ CAPACITY(16) refused, (10) used", l->target, l->lun);
	} else {
		log_warn("%u:%u: no capacity (READ CAPACITY failed)", l->target, l->lun);
		return;
	}
	l->num_blocks = cap.num_blocks;
	l->block_len = cap.block_len;
}

/* SBC-4 §6.5.1: write protection is the WP bit of the mode parameter
 * header; no page is needed (DBD, page 3Fh, what sd asks first). */
static void scan_mode(struct scan *s, struct storlab_scsi_lun *l)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	struct scsi_host_mode_header h;

	if (!scan_cmd(s, l->target, l->lun, cdb,
		      scsi_host_cdb_mode_sense_6(cdb, true, 0, SCSI_MODE_PAGE_ALL, 0, 255), 255) &&
	    scan_good(s) && !scsi_host_parse_mode_header_6(s->buf, s->got, &h))
		l->read_only = h.wp;
}

/* INQUIRY of one LUN; kept if a logical unit is there (SPC-5 §6.7.2:
 * PERIPHERAL QUALIFIER 000b). */
static void scan_lun(struct scan *s, uint8_t target, uint16_t lun)
{
	struct vus_luns *t = s->t;
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	struct scsi_host_inquiry inq;
	struct storlab_scsi_lun *l;

	if (t->nluns == STORLAB_VIRTIO_SCSI_MAX_LUNS) {
		log_warn("%u:%u: more than %u LUNs, not kept", target, lun,
			 STORLAB_VIRTIO_SCSI_MAX_LUNS);
		return;
	}
	if (scan_cmd(s, target, lun, cdb, scsi_host_cdb_inquiry(cdb, false, 0, 96), 96) ||
	    !scan_good(s) || scsi_host_parse_inquiry(s->buf, s->got, &inq) || inq.qualifier != 0)
		return;
	l = &t->lun[t->nluns++];
	*l =
	    (struct storlab_scsi_lun){.target = target, .lun = lun, .device_type = inq.device_type};
	memcpy(l->vendor, inq.vendor, sizeof(l->vendor));
	memcpy(l->product, inq.product, sizeof(l->product));
	memcpy(l->revision, inq.revision, sizeof(l->revision));
	if (inq.device_type != SCSI_TYPE_DISK)
		return;
	scan_vpd(s, l);
	scan_capacity(s, l);
	scan_mode(s, l);
}

static void scan_target(struct scan *s, uint8_t target)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	uint64_t luns[SCAN_BUF / 8];
	size_t n, total;
	uint16_t lun;

	if (scan_cmd(s, target, 0, cdb,
		     scsi_host_cdb_report_luns(cdb, SCSI_REPORT_LUNS_ALL, SCAN_BUF), SCAN_BUF))
		return;
	/* §5.6.6.1: BAD_TARGET "if the target does not exist". */
	if (s->res.response == VIRTIO_SCSI_S_BAD_TARGET)
		return;
	if (scan_good(s) &&
	    !scsi_host_parse_report_luns(s->buf, s->got, luns, ARRAY_SIZE(luns), &n, &total)) {
		if (n < total)
			log_warn("target %u: %zu LUNs reported, %zu scanned", target, total, n);
		for (size_t i = 0; i < n; i++)
			if (!scsi_host_lun_decode(luns[i], &lun))
				scan_lun(s, target, lun);
		return;
	}
	/* SPC-5 §6.33 is mandatory for a target with several LUNs; without
	 * it only LUN 0 can be found (TEST UNIT READY wakes it first). */
	log_info(
	    "target %u: REPORT LUNS %s; INQUIRY of LUN 0 only", target,
	    storlab_virtio_scsi_status_name((uint16_t)(s->res.response << 12 | s->res.status)));
	if (!scan_cmd(s, target, 0, cdb, scsi_host_cdb_test_unit_ready(cdb), 0))
		scan_lun(s, target, 0);
}

/* ---- the LUN table ---- */

struct vus_luns *vus_luns_copy(const struct vus_dev *vdev)
{
	struct vus_luns *t = malloc(sizeof(*t));

	if (t)
		*t = *vus_luns_get(vdev);
	return t;
}

void vus_luns_publish(struct vus_dev *vdev, struct vus_luns *t)
{
	t->retired = vdev->luns;
	__atomic_store_n(&vdev->luns, t, __ATOMIC_RELEASE);
}

void vus_luns_free(struct vus_dev *vdev)
{
	for (struct vus_luns *t = vdev->luns, *next; t; t = next) {
		next = t->retired;
		free(t);
	}
	vdev->luns = NULL;
}

void vus_luns_locate_selected(struct vus_luns *t)
{
	t->present = false;
	for (unsigned i = 0; i < t->nluns; i++) {
		if (t->lun[i].target == t->sel_target && t->lun[i].lun == t->sel_lun) {
			t->selected = i;
			t->present = true;
			return;
		}
	}
	t->selected = t->nluns; /* storlab_virtio_scsi_info: none of luns[] */
}

/* ---- scans ---- */

/* Scans targets first..last into s->t, after the LUNs of other targets it
 * already holds; queue q, commands one at a time. */
static int scan_run(struct scan *s, unsigned first, unsigned last)
{
	struct storlab_dev *dev = s->vdev->dev;
	int ret = guestmem_alloc(&dev->mem, SCAN_BUF, 0, (void **)&s->buf);

	if (ret)
		return ret;
	for (unsigned t = first; t <= last && !atomic_load(&dev->dead); t++)
		scan_target(s, (uint8_t)t);
	guestmem_free(&dev->mem, s->buf);
	return atomic_load(&dev->dead) ? -ENOTCONN : 0;
}

/* §5.6.4: max_target is "the maximum possible target to use", so
 * 0..max_target are asked. */
static unsigned scan_max_target(const struct vus_dev *vdev)
{
	return MIN(vdev->vs.config.max_target, 255u);
}

int vus_rescan(struct vus_dev *vdev, struct storlab_queue *q, int target)
{
	struct scan s = {.vdev = vdev, .q = q, .t = vus_luns_copy(vdev)};
	unsigned k = 0;
	int ret;

	if (!s.t)
		return -ENOMEM;
	/* The LUNs of the targets not scanned stay as they were. */
	for (unsigned i = 0; i < s.t->nluns; i++)
		if (target >= 0 && s.t->lun[i].target != target)
			s.t->lun[k++] = s.t->lun[i];
	s.t->nluns = k;
	ret = target >= 0 ? scan_run(&s, (unsigned)target, (unsigned)target)
			  : scan_run(&s, 0, scan_max_target(vdev));
	if (ret) {
		free(s.t);
		return ret;
	}
	vus_luns_locate_selected(s.t);
	vus_luns_publish(vdev, s.t);
	/* The selected LUN may have changed size too (events were missed). */
	return s.t->present ? vus_info_fill(vdev) : 0;
}

int vus_rescan_capacity(struct vus_dev *vdev, struct storlab_queue *q, uint8_t target, uint16_t lun)
{
	struct scan s = {.vdev = vdev, .q = q, .t = vus_luns_copy(vdev)};
	struct storlab_dev *dev = vdev->dev;
	struct storlab_scsi_lun *l = NULL;
	int ret;

	if (!s.t)
		return -ENOMEM;
	for (unsigned i = 0; i < s.t->nluns && !l; i++)
		if (s.t->lun[i].target == target && s.t->lun[i].lun == lun)
			l = &s.t->lun[i];
	ret = l ? guestmem_alloc(&dev->mem, SCAN_BUF, 0, (void **)&s.buf) : -ENOENT;
	if (ret) {
		free(s.t);
		return ret;
	}
	scan_capacity(&s, l);
	guestmem_free(&dev->mem, s.buf);
	log_info("%s: LUN %u:%u: %" PRIu64 " blocks of %u bytes", dev->address, target, lun,
		 l->num_blocks, l->block_len);
	vus_luns_publish(vdev, s.t);
	return s.t->present && s.t->sel_target == target && s.t->sel_lun == lun
		   ? vus_info_fill(vdev)
		   : 0;
}

int vus_scan(struct vus_dev *vdev)
{
	struct storlab_dev *dev = vdev->dev;
	struct scan s = {.vdev = vdev, .q = dev->queues[0], .t = calloc(1, sizeof(*s.t))};
	struct vus_luns *t = s.t;
	int ret;

	if (!t)
		return -ENOMEM;
	ret = scan_run(&s, 0, scan_max_target(vdev));
	for (unsigned i = 0; !ret && i < t->nluns; i++) {
		const struct storlab_scsi_lun *l = &t->lun[i];
		bool want = vdev->has_lun
				? l->target == vdev->want_target && l->lun == vdev->want_lun
				: l->device_type == SCSI_TYPE_DISK && l->num_blocks;

		if (want) {
			t->selected = i;
			t->present = true;
			t->sel_target = l->target;
			t->sel_lun = l->lun;
			/* Once here, not on every neutral request. */
			ret = scsi_host_virtio_lun_encode(t->neutral_lun, l->target, l->lun);
			if (!ret)
				vus_luns_publish(vdev, t);
			return ret;
		}
	}
	if (ret) {
		free(t);
		return ret;
	}
	if (vdev->has_lun)
		log_err("%s: no LUN %u:%u among the %u found", dev->address, vdev->want_target,
			vdev->want_lun, t->nluns);
	else
		log_err("%s: no disk with a capacity among the %u LUN(s) found", dev->address,
			t->nluns);
	free(t);
	return -ENODEV;
}
