/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user-scsi data path end to end, without sockets: a controller
 * (its LUN table, hot-plug) whose request queue and controlq run on a real
 * reactor over split virtqueues in shared memory, the driver side played
 * with lib/virtio's virtq_drv. The test thread is the control thread: it
 * pumps the evloop to receive stop and removal answers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cmocka.h>

#include "spec/scsi.h"
#include "target/frontend/vhost_scsi_internal.h"
#include "util/common.h"

#define QSIZE	   64
#define MEM_GPA	   0x40000000ull
#define MEM_SIZE   (2u << 20)
#define NUM_BLOCKS 256
#define RESP_LEN   sizeof(struct virtio_scsi_cmd_resp)

struct ring {
	struct virtq_drv drv;
	struct vhost_vring vring;
};

struct fixture {
	char dir[64];
	uint8_t *mem;
	size_t used;
	struct mem_table *mt;
	struct ring cq, rq; /* rings 0 and 2 */
	struct evloop *loop;
	struct vhost_scsi *vs;
	uint64_t hold_us; /* > 0: target 1 is a delay bdev over Malloc1 */
};

/* One command as the guest lays it out. */
struct cmd {
	struct virtio_scsi_cmd_req *req;
	struct virtio_scsi_cmd_resp *resp;
	uint8_t *out, *in;
	uint32_t out_len, in_len;
};

static uint64_t gpa_of(struct fixture *f, const void *p)
{
	return MEM_GPA + (uint64_t)((const uint8_t *)p - f->mem);
}

static void *galloc(struct fixture *f, size_t len)
{
	void *p;

	f->used = ALIGN_UP(f->used, 4096);
	assert_true(f->used + len <= MEM_SIZE);
	p = f->mem + f->used;
	f->used += len;
	memset(p, 0, len);
	return p;
}

static void ring_init(struct fixture *f, struct ring *r, uint16_t index)
{
	void *mem = galloc(f, virtq_drv_ring_bytes(QSIZE));
	struct virtq_drv_config dc = {.layout = VIRTQ_LAYOUT_SPLIT,
				      .num = QSIZE,
				      .ring = mem,
				      .ring_gpa = gpa_of(f, mem),
				      .features = VIRTIO_BIT(VIRTIO_F_VERSION_1)};
	struct virtq_dev_config vc = {.layout = VIRTQ_LAYOUT_SPLIT,
				      .num = QSIZE,
				      .features = VIRTIO_BIT(VIRTIO_F_VERSION_1)};

	assert_int_equal(virtq_drv_init(&r->drv, &dc), 0);
	vc.desc = r->drv.desc;
	vc.avail = r->drv.avail;
	vc.used = r->drv.used;
	vc.mem = f->mt;
	assert_int_equal(virtq_dev_init(&r->vring.vq, &vc), 0);
	r->vring.index = index;
	r->vring.kick_fd = eventfd(0, EFD_NONBLOCK);
	r->vring.call_fd = eventfd(0, EFD_NONBLOCK);
}

static void start(struct fixture *f, uint16_t ring, struct ring *r, const struct qe_ops *ops,
		  size_t slot_size)
{
	struct vhost_scsi_queue *q = vhost_scsi_ring(f->vs, ring);

	q->cdb_size = VIRTIO_SCSI_CDB_DEFAULT;
	q->sense_size = VIRTIO_SCSI_SENSE_DEFAULT;
	assert_int_equal(vhost_scsi_queue_start(q, ops, slot_size, QSIZE, &r->vring, q->home,
						f->loop),
			 0);
}

static bool g_done;

static void on_stopped(struct vhost_vring *vring)
{
	(void)vring;
	g_done = true;
}

static void on_done(void *arg)
{
	(void)arg;
	g_done = true;
}

/* Runs the control loop until g_done (5 s at most). */
static void pump(struct fixture *f)
{
	uint64_t end = env_now_ns() + 5000000000ull;

	while (!g_done && env_now_ns() < end)
		assert_true(evloop_run_once(f->loop, 100) >= 0);
	assert_true(g_done);
}

/* As lib/vhost does for GET_VRING_BASE (vhost_scsi.c's ring_stop). */
static void stop(struct fixture *f, uint16_t ring, struct ring *r)
{
	struct vhost_scsi_queue *q = vhost_scsi_ring(f->vs, ring);

	g_done = false;
	if (ring >= VIRTIO_SCSI_REQUESTQ_FIRST)
		vhost_scsi_queue_stop_flushed(q, on_stopped);
	else
		vhost_ring_stop(&q->ctl, &q->qe, &r->vring, on_stopped);
	pump(f);
}

static int setup_hold(void **state, uint64_t hold_us)
{
	struct env_opts eo = {
	    .core_mask = 1, .mode = ENV_MODE_ADAPTIVE, .adaptive_idle_spins = 50, .no_pin = true};
	struct fixture *f = calloc(1, sizeof(*f));
	struct vhost_scsi_opts o = {.name = "scsi.0", .num_queues = 1};
	struct frontend_err err;
	char path[128];

	assert_non_null(f);
	f->hold_us = hold_us;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_vhost_scsi.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/scsi.0", f->dir);
	f->mem = aligned_alloc(4096, MEM_SIZE);
	f->mt = malloc(sizeof(*f->mt));
	assert_non_null(f->mem);
	assert_non_null(f->mt);
	mem_table_init(f->mt);
	assert_int_equal(mem_table_add_mapped(f->mt, MEM_GPA, MEM_SIZE, MEM_GPA, f->mem), 0);
	ring_init(f, &f->cq, 0);
	ring_init(f, &f->rq, 2);
	assert_int_equal(env_init(&eo), 0);
	assert_int_equal(env_start(), 0);
	assert_int_equal(evloop_create(&f->loop), 0);
	assert_int_equal(bdev_malloc_create("Malloc0", NUM_BLOCKS, 512), 0);
	assert_int_equal(bdev_malloc_create("Malloc1", NUM_BLOCKS, 512), 0);
	if (hold_us) {
		const struct bdev_delay_opts lat = {hold_us, hold_us, hold_us, hold_us};

		assert_int_equal(bdev_delay_create("Slow1", "Malloc1", &lat), 0);
	}
	/* target 0 has a volatile cache (malloc's flush is a no-op) */
	bdev_get_by_name("Malloc0")->write_cache = true;
	o.socket_path = path;
	o.loop = f->loop;
	assert_int_equal(vhost_scsi_create(&o, &f->vs), 0);
	assert_int_equal(vhost_scsi_add_lun(f->vs, 0, 0, "Malloc0", &err), 0);
	assert_int_equal(vhost_scsi_add_lun(f->vs, 1, 0, hold_us ? "Slow1" : "Malloc1", &err), 0);
	/* the power-on unit attentions are not what these tests are about */
	for (unsigned t = 0; t < 2; t++)
		vhost_scsi_lun_get(f->vs, t, 0)->sl.ua = 0;
	start(f, 0, &f->cq, &vhost_scsi_control_ops, sizeof(struct vhost_scsi_tmf));
	start(f, 2, &f->rq, &vhost_scsi_request_ops, sizeof(struct vhost_scsi_io));
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_hold(state, 0);
}

static int setup_slow(void **state)
{
	return setup_hold(state, 300000);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	stop(f, 2, &f->rq);
	stop(f, 0, &f->cq);
	g_done = false;
	vhost_scsi_destroy(f->vs, on_done, NULL);
	pump(f);
	evloop_destroy(f->loop);
	bdev_unregister_all();
	assert_null(bdev_first());
	env_stop();
	for (struct ring *r = &f->cq; r <= &f->rq; r++) {
		close(r->vring.kick_fd);
		close(r->vring.call_fd);
		virtq_drv_fini(&r->drv);
	}
	rmdir(f->dir);
	free(f->mt);
	free(f->mem);
	free(f);
	return 0;
}

static void cmd_init(struct fixture *f, struct cmd *c, uint8_t target, const uint8_t *cdb,
		     size_t cdb_len, uint32_t out_len, uint32_t in_len)
{
	c->req = galloc(f, sizeof(*c->req));
	c->resp = galloc(f, RESP_LEN);
	c->out = out_len ? galloc(f, out_len) : NULL;
	c->in = in_len ? galloc(f, in_len) : NULL;
	c->out_len = out_len;
	c->in_len = in_len;
	c->req->lun[0] = 1;
	c->req->lun[1] = target;
	c->req->id = (uint64_t)(uintptr_t)c;
	memcpy(c->req->cdb, cdb, cdb_len);
	memset(c->resp, 0xee, RESP_LEN);
}

static void publish(struct ring *r)
{
	if (virtq_drv_publish(&r->drv))
		assert_int_equal(eventfd_write(r->vring.kick_fd, 1), 0);
}

static void cmd_add(struct fixture *f, struct cmd *c)
{
	struct virtq_buf b[4];
	uint16_t n = 0, nout;

	b[n++] = (struct virtq_buf){gpa_of(f, c->req), sizeof(*c->req)};
	if (c->out)
		b[n++] = (struct virtq_buf){gpa_of(f, c->out), c->out_len};
	nout = n;
	b[n++] = (struct virtq_buf){gpa_of(f, c->resp), RESP_LEN};
	if (c->in)
		b[n++] = (struct virtq_buf){gpa_of(f, c->in), c->in_len};
	assert_int_equal(virtq_drv_add(&f->rq.drv, b, nout, n - nout, c), 0);
	publish(&f->rq);
}

/* Waits (5 s at most) for one used entry of r: its cookie. */
static void *wait_used(struct ring *r, uint32_t *len)
{
	void *cookie = NULL;

	for (int i = 0; i < 50000; i++) {
		int rc = virtq_drv_get_used(&r->drv, &cookie, len);

		if (rc == 0)
			return cookie;
		assert_int_equal(rc, -EAGAIN);
		usleep(100);
	}
	fail_msg("no used entry after 5 s");
	return NULL;
}

static void run(struct fixture *f, struct cmd *c)
{
	uint32_t len;

	cmd_add(f, c);
	assert_ptr_equal(wait_used(&f->rq, &len), c);
	if (c->resp->response == VIRTIO_SCSI_S_OK && c->resp->status == SCSI_STATUS_GOOD)
		/* §2.7.8: the response header and the data-in it wrote */
		assert_int_equal(len, RESP_LEN + c->in_len - c->resp->resid);
}

static void cdb16(uint8_t *cdb, uint8_t op, uint64_t lba, uint32_t n)
{
	memset(cdb, 0, 16);
	cdb[0] = op;
	for (int i = 0; i < 8; i++)
		cdb[2 + i] = (uint8_t)(lba >> (56 - 8 * i));
	for (int i = 0; i < 4; i++)
		cdb[10 + i] = (uint8_t)(n >> (24 - 8 * i));
}

static void test_write_read_back(void **state)
{
	struct fixture *f = *state;
	uint8_t cdb[16];
	struct cmd w, r;

	cdb16(cdb, SCSI_OP_WRITE_16, 10, 4);
	cmd_init(f, &w, 0, cdb, 16, 2048, 0);
	for (int i = 0; i < 2048; i++)
		w.out[i] = (uint8_t)(i * 13 + 1);
	run(f, &w);
	assert_int_equal(w.resp->response, VIRTIO_SCSI_S_OK);
	assert_int_equal(w.resp->status, SCSI_STATUS_GOOD);
	assert_int_equal(w.resp->resid, 0);
	/* a data-in buffer larger than the transfer: the rest is residual */
	cdb16(cdb, SCSI_OP_READ_16, 10, 4);
	cmd_init(f, &r, 0, cdb, 16, 0, 4096);
	run(f, &r);
	assert_int_equal(r.resp->status, SCSI_STATUS_GOOD);
	assert_int_equal(r.resp->resid, 2048);
	assert_memory_equal(r.in, w.out, 2048);
}

/* The Nutanix rule: a stopping ring flushes what it wrote once its
 * commands completed, before the stop is answered. */
static void test_stop_flushes(void **state)
{
	struct fixture *f = *state;
	struct bdev_io_stat st;
	uint8_t cdb[16];
	struct cmd w;

	cdb16(cdb, SCSI_OP_WRITE_16, 0, 1);
	cmd_init(f, &w, 0, cdb, 16, 512, 0);
	run(f, &w);
	assert_int_equal(w.resp->status, SCSI_STATUS_GOOD);
	bdev_get_io_stat(bdev_get_by_name("Malloc0"), &st);
	assert_int_equal(st.ops[BDEV_IO_FLUSH], 0);
	stop(f, 2, &f->rq);
	bdev_get_io_stat(bdev_get_by_name("Malloc0"), &st);
	assert_int_equal(st.ops[BDEV_IO_FLUSH], 1);
	start(f, 2, &f->rq, &vhost_scsi_request_ops, sizeof(struct vhost_scsi_io));
}

static void test_refusals(void **state)
{
	struct fixture *f = *state;
	uint8_t cdb[16];
	struct cmd c;
	uint32_t len;

	/* §5.6.6.1.1 BAD_TARGET */
	cdb16(cdb, SCSI_OP_READ_16, 0, 1);
	cmd_init(f, &c, 5, cdb, 16, 0, 512);
	run(f, &c);
	assert_int_equal(c.resp->response, VIRTIO_SCSI_S_BAD_TARGET);
	/* OVERRUN: the transfer needs more than data-in has */
	cmd_init(f, &c, 0, cdb, 16, 0, 100);
	run(f, &c);
	assert_int_equal(c.resp->response, VIRTIO_SCSI_S_OVERRUN);
	/* data-out and data-in without INOUT: FAILURE */
	cmd_init(f, &c, 0, cdb, 16, 512, 512);
	run(f, &c);
	assert_int_equal(c.resp->response, VIRTIO_SCSI_S_FAILURE);
	/* an unknown opcode: CHECK CONDITION, fixed sense */
	memset(cdb, 0, 16);
	cdb[0] = 0xc5;
	cmd_init(f, &c, 0, cdb, 16, 0, 0);
	run(f, &c);
	assert_int_equal(c.resp->response, VIRTIO_SCSI_S_OK);
	assert_int_equal(c.resp->status, SCSI_STATUS_CHECK_CONDITION);
	assert_int_equal(c.resp->sense_len, 18);
	assert_int_equal(c.resp->sense[2], SCSI_SK_ILLEGAL_REQUEST);
	assert_int_equal(c.resp->sense[12], 0x20);
	/* a writable part too short for the response: back with length 0 */
	{
		struct virtq_buf b[2] = {{gpa_of(f, c.req), sizeof(*c.req)},
					 {gpa_of(f, c.resp), 10}};

		assert_int_equal(virtq_drv_add(&f->rq.drv, b, 1, 1, &c), 0);
		publish(&f->rq);
		assert_ptr_equal(wait_used(&f->rq, &len), &c);
		assert_int_equal(len, 0);
	}
}

static void test_unmap_and_write_same(void **state)
{
	struct fixture *f = *state;
	uint8_t cdb[16];
	struct cmd c;

	/* WRITE SAME(16) of a non-zero block over 70 blocks (more than one
	 * bdev write of repeated iovecs carries) */
	cdb16(cdb, SCSI_OP_WRITE_SAME_16, 20, 70);
	cmd_init(f, &c, 0, cdb, 16, 512, 0);
	memset(c.out, 0xa5, 512);
	run(f, &c);
	assert_int_equal(c.resp->status, SCSI_STATUS_GOOD);
	/* UNMAP blocks 30..39 */
	memset(cdb, 0, 16);
	cdb[0] = SCSI_OP_UNMAP;
	cdb[8] = 24;
	cmd_init(f, &c, 0, cdb, 10, 24, 0);
	c.out[1] = 22;
	c.out[3] = 16;
	c.out[15] = 30;
	c.out[19] = 10;
	run(f, &c);
	assert_int_equal(c.resp->status, SCSI_STATUS_GOOD);
	cdb16(cdb, SCSI_OP_READ_16, 20, 70);
	cmd_init(f, &c, 0, cdb, 16, 0, 70 * 512);
	run(f, &c);
	assert_int_equal(c.resp->status, SCSI_STATUS_GOOD);
	for (int b = 0; b < 70; b++) {
		uint8_t want = b >= 10 && b < 20 ? 0 : 0xa5;

		for (int i = 0; i < 512; i++)
			assert_int_equal(c.in[b * 512 + i], want);
	}
}

static void tmf_add(struct fixture *f, struct virtio_scsi_ctrl_tmf_req *req, uint8_t *resp)
{
	struct virtq_buf b[2] = {{gpa_of(f, req), sizeof(*req)}, {gpa_of(f, resp), 1}};

	assert_int_equal(virtq_drv_add(&f->cq.drv, b, 1, 1, req), 0);
	publish(&f->cq);
}

/* §5.6.6.2: the commands ABORT TASK / LUN RESET end complete before the TMF
 * does. */
static void test_tmf_ends_commands_first(void **state)
{
	struct fixture *f = *state;
	struct virtio_scsi_ctrl_tmf_req *req = galloc(f, sizeof(*req));
	uint8_t *resp = galloc(f, 1), cdb[16];
	struct cmd held, other;
	uint32_t len;

	cdb16(cdb, SCSI_OP_READ_16, 0, 1);
	cmd_init(f, &held, 1, cdb, 16, 0, 512);
	cmd_init(f, &other, 1, cdb, 16, 0, 512);
	cmd_add(f, &held);
	cmd_add(f, &other);
	while (__atomic_load_n(&vhost_scsi_ring(f->vs, 2)->qe.stats.inflight, __ATOMIC_RELAXED) != 2)
		usleep(100);
	*req = (struct virtio_scsi_ctrl_tmf_req){.type = VIRTIO_SCSI_T_TMF,
						 .subtype = VIRTIO_SCSI_T_TMF_ABORT_TASK,
						 .lun = {1, 1, 0, 0},
						 .id = held.req->id};
	*resp = 0xee;
	tmf_add(f, req, resp);
	assert_ptr_equal(wait_used(&f->cq, &len), req);
	assert_int_equal(*resp, VIRTIO_SCSI_S_FUNCTION_COMPLETE);
	/* the aborted command is already used (no wait); the other is not
	 * touched */
	{
		void *cookie = NULL;

		assert_int_equal(virtq_drv_get_used(&f->rq.drv, &cookie, &len), 0);
		assert_ptr_equal(cookie, &held);
	}
	assert_int_equal(held.resp->response, VIRTIO_SCSI_S_ABORTED);
	assert_ptr_equal(wait_used(&f->rq, &len), &other);
	assert_int_equal(other.resp->response, VIRTIO_SCSI_S_OK);
	assert_int_equal(other.resp->status, SCSI_STATUS_GOOD);

	/* LUN RESET: every command of the LUN ends RESET, the LUN reports it */
	cmd_init(f, &held, 1, cdb, 16, 0, 512);
	cmd_add(f, &held);
	while (__atomic_load_n(&vhost_scsi_ring(f->vs, 2)->qe.stats.inflight, __ATOMIC_RELAXED) != 1)
		usleep(100);
	req->subtype = VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET;
	tmf_add(f, req, resp);
	assert_ptr_equal(wait_used(&f->cq, &len), req);
	assert_int_equal(*resp, VIRTIO_SCSI_S_FUNCTION_COMPLETE);
	{
		void *cookie = NULL;

		assert_int_equal(virtq_drv_get_used(&f->rq.drv, &cookie, &len), 0);
		assert_ptr_equal(cookie, &held);
	}
	assert_int_equal(held.resp->response, VIRTIO_SCSI_S_RESET);
	memset(cdb, 0, 16);
	cmd_init(f, &other, 1, cdb, 6, 0, 0);
	run(f, &other);
	assert_int_equal(other.resp->sense[2], SCSI_SK_UNIT_ATTENTION);
	assert_int_equal(other.resp->sense[12], 0x29);
	assert_int_equal(other.resp->sense[13], 0x03);
	/* a TMF for a LUN the target does not have */
	req->lun[3] = 4;
	tmf_add(f, req, resp);
	assert_ptr_equal(wait_used(&f->cq, &len), req);
	assert_int_equal(*resp, VIRTIO_SCSI_S_INCORRECT_LUN);
}

/* A LUN removed while a command of it is in flight: the command completes,
 * then the removal; the target is gone for the next command. And a stop
 * (GET_VRING_BASE) is answered only once the command completed. */
static void test_remove_and_stop_with_io_in_flight(void **state)
{
	struct fixture *f = *state;
	uint8_t cdb[16];
	struct cmd c;
	uint32_t len;

	cdb16(cdb, SCSI_OP_READ_16, 0, 1);
	cmd_init(f, &c, 1, cdb, 16, 0, 512);
	cmd_add(f, &c);
	while (__atomic_load_n(&vhost_scsi_ring(f->vs, 2)->qe.stats.inflight, __ATOMIC_RELAXED) != 1)
		usleep(100);
	g_done = false;
	assert_int_equal(vhost_scsi_remove(f->vs, 1, -1, on_done, NULL), 0);
	pump(f);
	assert_ptr_equal(wait_used(&f->rq, &len), &c);
	assert_int_equal(c.resp->status, SCSI_STATUS_GOOD);
	assert_int_equal(vhost_scsi_remove(f->vs, 1, -1, on_done, NULL), -ENODEV);
	cmd_init(f, &c, 1, cdb, 16, 0, 512);
	run(f, &c);
	assert_int_equal(c.resp->response, VIRTIO_SCSI_S_BAD_TARGET);

	/* the Nutanix rule: stopping drains first */
	{
		struct frontend_err err;

		assert_int_equal(vhost_scsi_add_lun(f->vs, 1, 0, "Slow1", &err), 0);
		vhost_scsi_lun_get(f->vs, 1, 0)->sl.ua = 0;
	}
	cmd_init(f, &c, 1, cdb, 16, 0, 512);
	cmd_add(f, &c);
	while (__atomic_load_n(&vhost_scsi_ring(f->vs, 2)->qe.stats.inflight, __ATOMIC_RELAXED) != 1)
		usleep(100);
	stop(f, 2, &f->rq);
	assert_ptr_equal(wait_used(&f->rq, &len), &c);
	assert_int_equal(c.resp->status, SCSI_STATUS_GOOD);
	start(f, 2, &f->rq, &vhost_scsi_request_ops, sizeof(struct vhost_scsi_io));
}

static void test_add_lun_errors(void **state)
{
	struct fixture *f = *state;
	struct vhost_scsi_lun_info li;
	struct frontend_err err;

	assert_int_equal(vhost_scsi_add_lun(f->vs, 0, 0, "Malloc1", &err), -EEXIST);
	assert_int_equal(vhost_scsi_add_lun(f->vs, 0, 1, "NoSuch", &err), -ENODEV);
	assert_int_equal(vhost_scsi_add_lun(f->vs, VHOST_SCSI_MAX_TARGETS, 0, "Malloc1", &err),
			 -EINVAL);
	assert_int_equal(vhost_scsi_free_target(f->vs), 2);
	assert_int_equal(vhost_scsi_add_lun(f->vs, 0, 3, "Malloc1", &err), 0);
	vhost_scsi_get_lun(f->vs, 0, 3, &li);
	assert_true(li.present);
	assert_string_equal(li.bdev_name, "Malloc1");
	/* the other LUN of the target learns about it (SPC-5 §6.33) */
	assert_int_equal(vhost_scsi_lun_get(f->vs, 0, 0)->sl.ua, SCSI_UA_LUNS_CHANGED);
	g_done = false;
	assert_int_equal(vhost_scsi_remove(f->vs, 0, 3, on_done, NULL), 0);
	pump(f);
	vhost_scsi_get_lun(f->vs, 0, 3, &li);
	assert_false(li.present);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_write_read_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stop_flushes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unmap_and_write_same, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_add_lun_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tmf_ends_commands_first, setup_slow, teardown),
	    cmocka_unit_test_setup_teardown(test_remove_and_stop_with_io_in_flight, setup_slow,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
