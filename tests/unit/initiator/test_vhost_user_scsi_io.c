/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user-scsi transport against an in-process back-end: lib/vhost's
 * back-end on a thread of its own, and a small disk of 64 blocks that a
 * second thread serves by polling the request and control queues. The
 * disk is written here from the spec (SPC-5 / SBC-4 / virtio 1.2 §5.6),
 * not from storlab-tgt's lib/scsi emulation, so the two are checked
 * against each other in tests/system/test_ini_scsi.py. What is checked: the
 * scan finds the LUN with its INQUIRY ids and capacity (with and without
 * REPORT LUNS), a written pattern reads back, flush / discard /
 * write-zeroes become their commands, a UNIT ATTENTION is retried once and
 * only once, a CHECK CONDITION reaches the caller decoded, and a task
 * management function goes out on the controlq.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "initiator/vhost_user_scsi.h"
#include "scsi/scsi_host.h"
#include "storlab/initiator.h"
#include "storlab/virtio_scsi.h"
#include "util/common.h"
#include "util/evloop.h"
#include "util/log.h"
#include "vhost/vhost.h"

#define BLOCKS	 64
#define BLOCK	 512
#define NRINGS	 3 /* controlq, eventq, one request queue */
#define MAX_IOV	 80
#define DATA_MAX (64 * 1024)

struct peer {
	char dir[64];
	char path[96];
	char uri[128];
	struct evloop *loop;
	struct vhost_dev *vdev;
	pthread_t ctl_thread, io_thread;
	pthread_mutex_t lock;
	struct vhost_vring *rings[NRINGS];
	atomic_bool stop;
	struct virtio_scsi_config cfg;
	uint8_t disk[BLOCKS * BLOCK];
	/* Behaviour and what was seen, under lock. */
	unsigned ua_pending;  /* UNIT ATTENTIONs still to report */
	bool no_report_luns;  /* REPORT LUNS is an unknown opcode */
	bool wp;	      /* MODE SENSE says write-protected */
	unsigned ops[256];    /* commands seen, by opcode */
	uint32_t tmf_subtype; /* the last TMF */
	unsigned tmfs;
};

/* ---- the disk ---- */

struct answer {
	uint8_t status;
	uint8_t response;
	uint8_t sense[18];
	uint32_t sense_len;
	uint8_t data[DATA_MAX];
	uint32_t len; /* data-in bytes */
};

/* SPC-5 §4.4.3 fixed format sense. */
static void check_condition(struct answer *a, uint8_t key, uint16_t ascq)
{
	a->status = SCSI_STATUS_CHECK_CONDITION;
	memset(a->sense, 0, sizeof(a->sense));
	a->sense[0] = SCSI_SENSE_FIXED_CURRENT;
	a->sense[2] = key;
	a->sense[7] = 10;
	a->sense[12] = (uint8_t)(ascq >> 8);
	a->sense[13] = (uint8_t)ascq;
	a->sense_len = 18;
}

static uint64_t be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be(uint8_t *p, unsigned n, uint64_t v)
{
	for (unsigned i = n; i-- > 0; v >>= 8)
		p[i] = (uint8_t)v;
}

/* Data-out of the chain after the request header, gathered. */
static uint32_t gather(const struct virtq_chain *ch, uint8_t *out, uint32_t max)
{
	uint32_t n = 0;

	for (unsigned i = 1; i < ch->nout; i++) {
		uint32_t k = (uint32_t)MIN(ch->iov[i].iov_len, (size_t)(max - n));

		memcpy(out + n, ch->iov[i].iov_base, k);
		n += k;
	}
	return n;
}

static void inquiry(struct answer *a, const uint8_t *cdb, uint16_t lun)
{
	static const uint8_t pages[] = {0, 0, 0, 3, 0x00, 0x80, 0x83};
	static const uint8_t serial[] = {0, 0x80, 0, 4, 'S', 'N', '4', '2'};
	static const uint8_t ids[] = {0, 0x83, 0, 12, 1, 3, 0, 8, 0x50, 1, 2, 3, 4, 5, 6, 7};

	if (!(cdb[1] & 1)) {
		memset(a->data, 0, 36);
		/* SPC-5 §6.7.2: no logical unit there: qualifier 011b, type 1Fh. */
		a->data[0] = lun ? SCSI_PQ_NOT_SUPPORTED | SCSI_TYPE_NONE : SCSI_TYPE_DISK;
		a->data[2] = SCSI_INQ_VERSION_SPC5;
		a->data[3] = SCSI_INQ_RESPONSE_DATA_FORMAT;
		a->data[4] = 31;
		memcpy(a->data + 8, "PEER    in-process disk 1.0 ", 28);
		a->len = 36;
	} else if (cdb[2] == 0x00) {
		memcpy(a->data, pages, sizeof(pages));
		a->len = sizeof(pages);
	} else if (cdb[2] == 0x80) {
		memcpy(a->data, serial, sizeof(serial));
		a->len = sizeof(serial);
	} else if (cdb[2] == 0x83) {
		memcpy(a->data, ids, sizeof(ids));
		a->len = sizeof(ids);
	} else {
		check_condition(a, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB);
	}
}

/* The range of a 16-byte CDB inside the disk, or LBA OUT OF RANGE. */
static bool range(struct answer *a, uint64_t lba, uint64_t n)
{
	if (lba > BLOCKS || n > BLOCKS - lba) {
		check_condition(a, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE);
		return false;
	}
	return true;
}

static void command(struct peer *p, const struct virtq_chain *ch, const uint8_t *cdb, uint16_t lun,
		    struct answer *a)
{
	uint8_t out[DATA_MAX];
	uint32_t nout;
	uint64_t lba = be(cdb + 2, 8), n = be(cdb + 10, 4);

	p->ops[cdb[0]]++;
	/* SPC-5 §5.14 (SAM-5 §5.14): INQUIRY and REPORT LUNS do not report a
	 * unit attention; other commands do, once per condition. */
	if (p->ua_pending && cdb[0] != SCSI_OP_INQUIRY && cdb[0] != SCSI_OP_REPORT_LUNS) {
		p->ua_pending--;
		check_condition(a, SCSI_SK_UNIT_ATTENTION, SCSI_ASC_POWER_ON_RESET);
		return;
	}
	if (lun && cdb[0] != SCSI_OP_INQUIRY && cdb[0] != SCSI_OP_REPORT_LUNS) {
		check_condition(a, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_LOGICAL_UNIT_NOT_SUPPORTED);
		return;
	}
	switch (cdb[0]) {
	case SCSI_OP_INQUIRY:
		inquiry(a, cdb, lun);
		break;
	case SCSI_OP_REPORT_LUNS:
		if (p->no_report_luns) {
			check_condition(a, SCSI_SK_ILLEGAL_REQUEST,
					SCSI_ASC_INVALID_COMMAND_OPERATION_CODE);
			break;
		}
		memset(a->data, 0, 16);
		a->data[3] = 8; /* one LUN: 0 */
		a->len = 16;
		break;
	case SCSI_OP_TEST_UNIT_READY:
	case SCSI_OP_SYNCHRONIZE_CACHE_16:
		break;
	case SCSI_OP_MODE_SENSE_6:
		/* SPC-5 §7.5.5: a header alone (DBD, no page kept here). */
		memset(a->data, 0, 4);
		a->data[0] = 3;
		a->data[2] = p->wp ? SCSI_MODE_WP : 0;
		a->len = 4;
		break;
	case SCSI_OP_SERVICE_ACTION_IN_16:
		memset(a->data, 0, 32);
		put_be(a->data, 8, BLOCKS - 1);
		put_be(a->data + 8, 4, BLOCK);
		a->len = 32;
		break;
	case SCSI_OP_READ_16:
		if (range(a, lba, n)) {
			memcpy(a->data, p->disk + lba * BLOCK, n * BLOCK);
			a->len = (uint32_t)(n * BLOCK);
		}
		break;
	case SCSI_OP_WRITE_16:
		nout = gather(ch, out, sizeof(out));
		if (range(a, lba, n) && nout == n * BLOCK)
			memcpy(p->disk + lba * BLOCK, out, nout);
		break;
	case SCSI_OP_WRITE_SAME_16:
		nout = gather(ch, out, sizeof(out));
		for (uint64_t i = 0; range(a, lba, n) && nout == BLOCK && i < n; i++)
			memcpy(p->disk + (lba + i) * BLOCK, out, BLOCK);
		break;
	case SCSI_OP_UNMAP:
		/* SBC-4 §5.32.2: one descriptor at byte 8. */
		nout = gather(ch, out, sizeof(out));
		lba = be(out + 8, 8);
		n = be(out + 16, 4);
		if (nout >= 24 && range(a, lba, n))
			memset(p->disk + lba * BLOCK, 0, n * BLOCK);
		break;
	default:
		check_condition(a, SCSI_SK_ILLEGAL_REQUEST,
				SCSI_ASC_INVALID_COMMAND_OPERATION_CODE);
		break;
	}
}

/* §5.6.6.1: request header first, the response first of the writable part,
 * then data-in. Returns the bytes written. */
static uint32_t serve_request(struct peer *p, const struct virtq_chain *ch)
{
	const struct virtio_scsi_cmd_req *req = ch->iov[0].iov_base;
	struct virtio_scsi_cmd_resp *resp = ch->iov[ch->nout].iov_base;
	static struct answer a;
	uint32_t done = 0, alloc = 0;

	assert_true(ch->nout >= 1 && ch->nin >= 1);
	assert_true(ch->iov[0].iov_len >= sizeof(*req));
	assert_true(ch->iov[ch->nout].iov_len >= sizeof(*resp));
	memset(&a, 0, sizeof(a));
	assert_int_equal(req->lun[0], 1);
	if (req->lun[1] != 0) {
		a.response = VIRTIO_SCSI_S_BAD_TARGET;
	} else {
		command(p, ch, req->cdb, (uint16_t)(be(req->lun + 2, 2) & 0x3fff), &a);
	}
	for (unsigned i = ch->nout + 1; i < ch->nout + ch->nin; i++) {
		uint32_t k = (uint32_t)MIN(ch->iov[i].iov_len, (size_t)(a.len - done));

		alloc += (uint32_t)ch->iov[i].iov_len;
		memcpy(ch->iov[i].iov_base, a.data + done, k);
		done += k;
	}
	memset(resp, 0, sizeof(*resp));
	resp->response = a.response;
	resp->status = a.status;
	resp->sense_len = a.sense_len;
	resp->resid = alloc - done;
	memcpy(resp->sense, a.sense, a.sense_len);
	return (uint32_t)sizeof(*resp) + done;
}

/* §5.6.6.2: a TMF request, then its response byte. */
static uint32_t serve_control(struct peer *p, const struct virtq_chain *ch)
{
	const struct virtio_scsi_ctrl_tmf_req *req = ch->iov[0].iov_base;
	struct virtio_scsi_ctrl_tmf_resp *resp = ch->iov[ch->nout].iov_base;

	assert_int_equal(req->type, VIRTIO_SCSI_T_TMF);
	p->tmf_subtype = req->subtype;
	p->tmfs++;
	resp->response = VIRTIO_SCSI_S_FUNCTION_COMPLETE;
	return 1;
}

static void *io_main(void *arg)
{
	struct peer *p = arg;
	struct iovec iov[MAX_IOV];

	while (!atomic_load(&p->stop)) {
		bool busy = false;

		pthread_mutex_lock(&p->lock);
		for (unsigned r = 0; r < NRINGS; r++) {
			struct vhost_vring *v = p->rings[r];
			struct virtq_chain ch = {.iov = iov, .max_iov = MAX_IOV};

			/* The eventq's buffers wait for events that never come. */
			if (!v || r == VIRTIO_SCSI_EVENTQ)
				continue;
			while (virtq_dev_pop(&v->vq, &ch) == 0) {
				virtq_dev_push(&v->vq, ch.head,
					       r == VIRTIO_SCSI_CONTROLQ ? serve_control(p, &ch)
									 : serve_request(p, &ch));
				busy = true;
			}
			vhost_vring_notify(v);
		}
		pthread_mutex_unlock(&p->lock);
		if (!busy)
			usleep(50);
	}
	return NULL;
}

/* ---- lib/vhost's device ops ---- */

static uint64_t peer_get_features(void *ctx)
{
	(void)ctx;
	return VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC) |
	       VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX);
}

static int peer_set_features(void *ctx, uint64_t features)
{
	(void)ctx;
	(void)features;
	return 0;
}

static int peer_get_config(void *ctx, uint8_t *buf, uint32_t offset, uint32_t len)
{
	struct peer *p = ctx;

	for (uint32_t i = 0; i < len; i++)
		buf[i] = offset + i < sizeof(p->cfg) ? ((uint8_t *)&p->cfg)[offset + i] : 0;
	return 0;
}

static int peer_ring_start(void *ctx, struct vhost_vring *vring)
{
	struct peer *p = ctx;

	assert_true(vring->index < NRINGS);
	pthread_mutex_lock(&p->lock);
	p->rings[vring->index] = vring;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static void peer_ring_stop(void *ctx, struct vhost_vring *vring, vhost_ring_done_fn stopped)
{
	struct peer *p = ctx;

	pthread_mutex_lock(&p->lock);
	p->rings[vring->index] = NULL;
	pthread_mutex_unlock(&p->lock);
	stopped(vring);
}

static const struct vhost_dev_ops g_peer_ops = {
    .get_features = peer_get_features,
    .set_features = peer_set_features,
    .get_config = peer_get_config,
    .ring_start = peer_ring_start,
    .ring_stop = peer_ring_stop,
};

static void *ctl_main(void *arg)
{
	evloop_run(arg);
	return NULL;
}

static int setup(void **state)
{
	struct peer *p = calloc(1, sizeof(*p));
	struct vhost_dev_opts opts = {
	    .max_queues = NRINGS,
	    .protocol_features = (1ULL << VHOST_USER_PROTOCOL_F_MQ) |
				 (1ULL << VHOST_USER_PROTOCOL_F_CONFIG) |
				 (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK),
	    .ops = &g_peer_ops,
	};

	log_set_level(LOG_LEVEL_WARN);
	pthread_mutex_init(&p->lock, NULL);
	snprintf(p->dir, sizeof(p->dir), "/tmp/storlab-vus-XXXXXX");
	if (!mkdtemp(p->dir))
		return -1;
	snprintf(p->path, sizeof(p->path), "%s/sock", p->dir);
	snprintf(p->uri, sizeof(p->uri), "vhost-user-scsi:%s", p->path);
	/* §5.6.4.2 defaults; one target. */
	p->cfg = (struct virtio_scsi_config){.num_queues = 1,
					     .seg_max = 64,
					     .max_sectors = 128,
					     .cmd_per_lun = 32,
					     .event_info_size = sizeof(struct virtio_scsi_event),
					     .sense_size = VIRTIO_SCSI_SENSE_DEFAULT,
					     .cdb_size = VIRTIO_SCSI_CDB_DEFAULT,
					     .max_target = 1,
					     .max_lun = 0};
	opts.socket_path = p->path;
	opts.ctx = p;
	if (evloop_create(&p->loop))
		return -1;
	opts.loop = p->loop;
	if (vhost_dev_create(&opts, &p->vdev) ||
	    pthread_create(&p->ctl_thread, NULL, ctl_main, p->loop) ||
	    pthread_create(&p->io_thread, NULL, io_main, p))
		return -1;
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct peer *p = *state;

	atomic_store(&p->stop, true);
	pthread_join(p->io_thread, NULL);
	evloop_stop(p->loop);
	pthread_join(p->ctl_thread, NULL);
	vhost_dev_destroy(p->vdev);
	evloop_destroy(p->loop);
	rmdir(p->dir);
	pthread_mutex_destroy(&p->lock);
	free(p);
	return 0;
}

static unsigned peer_ops(struct peer *p, uint8_t opcode)
{
	unsigned n;

	pthread_mutex_lock(&p->lock);
	n = p->ops[opcode];
	pthread_mutex_unlock(&p->lock);
	return n;
}

/* One request, waited for. */
static struct storlab_completion run(struct storlab_dev *dev, const struct storlab_req *req)
{
	struct storlab_queue *q = storlab_dev_queue(dev, 0);
	struct storlab_completion c;

	assert_int_equal(storlab_queue_add(q, req), 0);
	assert_int_equal(storlab_queue_reap(q, &c, 1, 1, 2000), 1);
	return c;
}

static void test_scan(void **state)
{
	struct peer *p = *state;
	struct storlab_virtio_scsi_info vs;
	struct storlab_dev_info info;
	struct storlab_dev *dev;

	assert_int_equal(storlab_dev_open(p->uri, NULL, &dev), 0);
	storlab_dev_get_info(dev, &info);
	assert_string_equal(info.transport, "vhost-user-scsi");
	assert_int_equal(info.capacity, BLOCKS * BLOCK);
	assert_int_equal(info.block_size, BLOCK);
	assert_int_equal(info.max_transfer, 128 * 512);
	assert_int_equal(storlab_virtio_scsi_get_info(dev, &vs), 0);
	assert_int_equal(vs.config.max_target, 1);
	/* Target 1 answered BAD_TARGET: one LUN, target 0's. */
	assert_int_equal(vs.nluns, 1);
	assert_int_equal(vs.selected, 0);
	assert_int_equal(vs.luns[0].target, 0);
	assert_int_equal(vs.luns[0].lun, 0);
	assert_string_equal(vs.luns[0].vendor, "PEER");
	assert_string_equal(vs.luns[0].product, "in-process disk");
	assert_string_equal(vs.luns[0].serial, "SN42");
	assert_string_equal(vs.luns[0].id, "naa.5001020304050607");
	assert_int_equal(vs.luns[0].num_blocks, BLOCKS);
	assert_int_equal(peer_ops(p, SCSI_OP_REPORT_LUNS), 1);
	assert_false(info.read_only);
	storlab_dev_close(dev);
	/* SBC-4 §6.5.1: the mode header's WP is the neutral read_only. */
	p->wp = true;
	assert_int_equal(storlab_dev_open(p->uri, NULL, &dev), 0);
	storlab_dev_get_info(dev, &info);
	assert_true(info.read_only);
	storlab_dev_close(dev);
	/* A LUN the device does not have. */
	snprintf(p->uri, sizeof(p->uri), "vhost-user-scsi:%s?lun=3", p->path);
	assert_int_equal(storlab_dev_open(p->uri, NULL, &dev), -ENODEV);
}

static void test_scan_without_report_luns(void **state)
{
	struct peer *p = *state;
	struct storlab_virtio_scsi_info vs;
	struct storlab_dev *dev;

	p->no_report_luns = true;
	assert_int_equal(storlab_dev_open(p->uri, NULL, &dev), 0);
	assert_int_equal(storlab_virtio_scsi_get_info(dev, &vs), 0);
	assert_int_equal(vs.nluns, 1);
	assert_int_equal(vs.luns[0].num_blocks, BLOCKS);
	assert_int_equal(peer_ops(p, SCSI_OP_TEST_UNIT_READY), 1);
	storlab_dev_close(dev);
}

static void test_data(void **state)
{
	struct peer *p = *state;
	struct storlab_dev *dev;
	uint8_t *wbuf, *rbuf;
	struct iovec w[2], r;
	struct storlab_completion c;

	assert_int_equal(storlab_dev_open(p->uri, NULL, &dev), 0);
	assert_int_equal(storlab_buf_alloc(dev, 8 * BLOCK, 0, (void **)&wbuf), 0);
	assert_int_equal(storlab_buf_alloc(dev, 8 * BLOCK, 0, (void **)&rbuf), 0);
	for (unsigned i = 0; i < 8 * BLOCK; i++)
		wbuf[i] = (uint8_t)(i * 7 + 3);
	/* Two segments, written at block 4, read back in one. */
	w[0] = (struct iovec){wbuf, 3 * BLOCK};
	w[1] = (struct iovec){wbuf + 3 * BLOCK, 5 * BLOCK};
	r = (struct iovec){rbuf, 8 * BLOCK};
	c = run(dev, &(struct storlab_req){
			 .op = STORLAB_OP_WRITE, .offset = 4 * BLOCK, .iov = w, .iovcnt = 2});
	assert_int_equal(c.ret, 0);
	assert_memory_equal(p->disk + 4 * BLOCK, wbuf, 8 * BLOCK);
	c = run(dev, &(struct storlab_req){
			 .op = STORLAB_OP_READ, .offset = 4 * BLOCK, .iov = &r, .iovcnt = 1});
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.len, 8 * BLOCK);
	assert_memory_equal(rbuf, wbuf, 8 * BLOCK);
	c = run(dev, &(struct storlab_req){.op = STORLAB_OP_FLUSH});
	assert_int_equal(c.ret, 0);
	assert_int_equal(peer_ops(p, SCSI_OP_SYNCHRONIZE_CACHE_16), 1);
	/* Discard blocks 4..5 (UNMAP), zero 10..11 (WRITE SAME(16)). */
	c = run(dev, &(struct storlab_req){
			 .op = STORLAB_OP_DISCARD, .offset = 4 * BLOCK, .len = 2 * BLOCK});
	assert_int_equal(c.ret, 0);
	c = run(dev, &(struct storlab_req){.op = STORLAB_OP_WRITE_ZEROES,
					   .offset = 10 * BLOCK,
					   .len = 2 * BLOCK,
					   .flags = STORLAB_REQ_UNMAP});
	assert_int_equal(c.ret, 0);
	assert_int_equal(peer_ops(p, SCSI_OP_UNMAP), 1);
	assert_int_equal(peer_ops(p, SCSI_OP_WRITE_SAME_16), 1);
	c = run(dev, &(struct storlab_req){
			 .op = STORLAB_OP_READ, .offset = 4 * BLOCK, .iov = &r, .iovcnt = 1});
	assert_int_equal(c.ret, 0);
	for (unsigned i = 0; i < 8 * BLOCK; i++) {
		bool zero = i < 2 * BLOCK || (i >= 6 * BLOCK);

		assert_int_equal(rbuf[i], zero ? 0 : wbuf[i]);
	}
	/* Not whole blocks: refused before the device sees it. */
	r.iov_len = 100;
	assert_int_equal(
	    storlab_queue_add(storlab_dev_queue(dev, 0),
			      &(struct storlab_req){.op = STORLAB_OP_READ, .iov = &r, .iovcnt = 1}),
	    -EINVAL);
	storlab_dev_close(dev);
}

static void test_unit_attention(void **state)
{
	struct peer *p = *state;
	struct storlab_dev *dev;
	struct storlab_completion c;
	struct iovec r;
	void *buf;

	assert_int_equal(storlab_dev_open(p->uri, NULL, &dev), 0);
	assert_int_equal(storlab_buf_alloc(dev, BLOCK, 0, &buf), 0);
	r = (struct iovec){buf, BLOCK};
	/* One pending: the read is sent again and succeeds. */
	pthread_mutex_lock(&p->lock);
	p->ua_pending = 1;
	pthread_mutex_unlock(&p->lock);
	c = run(dev, &(struct storlab_req){.op = STORLAB_OP_READ, .iov = &r, .iovcnt = 1});
	assert_int_equal(c.ret, 0);
	assert_int_equal(peer_ops(p, SCSI_OP_READ_16), 2);
	/* Two pending: the retry meets the second and the read fails with it. */
	pthread_mutex_lock(&p->lock);
	p->ua_pending = 2;
	pthread_mutex_unlock(&p->lock);
	c = run(dev, &(struct storlab_req){.op = STORLAB_OP_READ, .iov = &r, .iovcnt = 1});
	assert_int_equal(c.status, STORLAB_STATUS_ERROR);
	assert_int_equal(c.ret, -EIO);
	assert_int_equal(STORLAB_VIRTIO_SCSI_TS_KEY(c.transport_status), SCSI_SK_UNIT_ATTENTION);
	assert_int_equal(peer_ops(p, SCSI_OP_READ_16), 4);
	storlab_dev_close(dev);
}

static void test_check_condition(void **state)
{
	struct peer *p = *state;
	static const uint8_t unknown[6] = {0xc0};
	struct storlab_virtio_scsi_result res;
	struct storlab_virtio_scsi_cmd cmd = {.cdb = unknown, .cdb_len = 6, .result = &res};
	struct scsi_host_sense sense;
	struct storlab_completion c;
	struct storlab_dev *dev;
	struct iovec r;
	void *buf;

	assert_int_equal(storlab_dev_open(p->uri, NULL, &dev), 0);
	c = run(dev, &(struct storlab_req){.op = STORLAB_OP_DEVICE, .cmd = &cmd});
	assert_int_equal(c.status, STORLAB_STATUS_UNSUPPORTED);
	assert_int_equal(res.response, VIRTIO_SCSI_S_OK);
	assert_int_equal(res.status, SCSI_STATUS_CHECK_CONDITION);
	assert_int_equal(scsi_host_parse_sense(res.sense, res.sense_len, &sense), 0);
	assert_int_equal(sense.key, SCSI_SK_ILLEGAL_REQUEST);
	assert_int_equal(SCSI_ASCQ(sense.asc, sense.ascq), SCSI_ASC_INVALID_COMMAND_OPERATION_CODE);
	assert_string_equal(storlab_queue_status_name(storlab_dev_queue(dev, 0), &c),
			    "CHECK CONDITION/ILLEGAL REQUEST");
	/* A neutral read past the end: LBA OUT OF RANGE, an error. */
	assert_int_equal(storlab_buf_alloc(dev, 2 * BLOCK, 0, &buf), 0);
	r = (struct iovec){buf, 2 * BLOCK};
	c = run(dev,
		&(struct storlab_req){
		    .op = STORLAB_OP_READ, .offset = (BLOCKS - 1) * BLOCK, .iov = &r, .iovcnt = 1});
	assert_int_equal(c.status, STORLAB_STATUS_ERROR);
	assert_int_equal(c.ret, -EIO);
	/* A target the device does not have (§5.6.6.1 BAD_TARGET). */
	cmd.target = 1;
	c = run(dev, &(struct storlab_req){.op = STORLAB_OP_DEVICE, .cmd = &cmd});
	assert_int_equal(res.response, VIRTIO_SCSI_S_BAD_TARGET);
	assert_string_equal(storlab_queue_status_name(storlab_dev_queue(dev, 0), &c), "BAD_TARGET");
	storlab_dev_close(dev);
}

static void test_tmf(void **state)
{
	struct peer *p = *state;
	struct storlab_dev *dev;
	uint8_t response = 0xff;

	assert_int_equal(storlab_dev_open(p->uri, NULL, &dev), 0);
	assert_int_equal(
	    storlab_virtio_scsi_tmf(dev, VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET, 0, 0, 0, &response),
	    0);
	assert_int_equal(response, VIRTIO_SCSI_S_FUNCTION_COMPLETE);
	assert_int_equal(
	    storlab_virtio_scsi_tmf(dev, VIRTIO_SCSI_T_TMF_ABORT_TASK, 0, 0, 42, &response), 0);
	pthread_mutex_lock(&p->lock);
	assert_int_equal(p->tmfs, 2);
	assert_int_equal(p->tmf_subtype, VIRTIO_SCSI_T_TMF_ABORT_TASK);
	pthread_mutex_unlock(&p->lock);
	assert_int_equal(storlab_virtio_scsi_tmf(dev, 99, 0, 0, 0, &response), -EINVAL);
	storlab_dev_close(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_scan, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scan_without_report_luns, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_data, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unit_attention, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_condition, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tmf, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
