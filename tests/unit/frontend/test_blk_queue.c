/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user-blk data path end to end, without sockets: a real reactor
 * (adaptive mode, so it sleeps and needs kicks), a real malloc bdev, and a
 * split virtqueue in shared memory whose driver side the test plays with
 * lib/virtio's virtq_drv.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cmocka.h>

#include "target/frontend/vhost_blk_internal.h"
#include "util/common.h"
#include "util/log.h"

#define QSIZE	   64
#define MEM_GPA	   0x40000000ull
#define MEM_SIZE   (1u << 20)
#define NUM_BLOCKS 256

struct fixture {
	uint8_t *mem;
	size_t used; /* bump allocator over mem, after the ring */
	struct mem_table *mt;
	struct virtq_drv drv;
	struct vhost_vring vring;
	struct vhost_blk_queue q;
	struct bdev *bdev;
	struct evloop *loop; /* the control thread's: where stops are answered */
};

/* A request as the guest lays it out: header, data, status, each its own
 * buffer (tests that need other shapes build their own). */
struct greq {
	struct virtio_blk_outhdr *hdr;
	uint8_t *data;
	uint8_t *status;
	uint64_t hdr_gpa, data_gpa, status_gpa;
};

static uint64_t gpa_of(struct fixture *f, const void *p)
{
	return MEM_GPA + (uint64_t)((const uint8_t *)p - f->mem);
}

static void *galloc(struct fixture *f, size_t len)
{
	void *p;

	f->used = ALIGN_UP(f->used, 64);
	assert_true(f->used + len <= MEM_SIZE);
	p = f->mem + f->used;
	f->used += len;
	return p;
}

/* How the reactor runs and what the ring negotiated. */
struct variant {
	enum env_mode mode;
	uint64_t features;
	uint64_t hold_us; /* > 0: the bdev is a delay bdev holding each I/O this long */
};

static const struct variant g_adaptive = {
    .mode = ENV_MODE_ADAPTIVE,
    .features = VIRTIO_BIT(VIRTIO_F_VERSION_1),
};

/* Interrupt mode never polls on its own: every chain must raise a kick, and
 * with EVENT_IDX the device must keep asking for the next one. */
static const struct variant g_interrupt_event_idx = {
    .mode = ENV_MODE_INTERRUPT,
    .features = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX),
};

/* A slow bdev: requests stay in flight long enough to stop the queue under
 * them. */
static const struct variant g_slow = {
    .mode = ENV_MODE_ADAPTIVE,
    .features = VIRTIO_BIT(VIRTIO_F_VERSION_1),
    .hold_us = 100000,
};

static void queue_start(struct fixture *f)
{
	assert_int_equal(vhost_blk_queue_start(&f->q, &f->vring, env_reactor_at(0), f->loop), 0);
}

static bool g_stopped;

static void on_stopped(struct vhost_vring *vring)
{
	(void)vring;
	g_stopped = true;
}

/* Stops the queue and runs the control loop until the stop is answered: once
 * every chain the queue popped was pushed back (5 s at most). */
static void queue_stop(struct fixture *f)
{
	uint64_t end = env_now_ns() + 5000000000ull;

	g_stopped = false;
	vhost_blk_queue_stop(&f->q, on_stopped);
	while (!g_stopped && env_now_ns() < end)
		assert_true(evloop_run_once(f->loop, 100) >= 0);
	assert_true(g_stopped);
}

static int setup(void **state)
{
	const struct variant *v = *state ? *state : &g_adaptive;
	struct env_opts eo = {
	    .core_mask = 1, .mode = v->mode, .adaptive_idle_spins = 50, .no_pin = true};
	struct fixture *f = calloc(1, sizeof(*f));
	size_t ring_bytes = virtq_drv_ring_bytes(QSIZE);
	struct virtq_drv_config dc = {
	    .layout = VIRTQ_LAYOUT_SPLIT,
	    .num = QSIZE,
	    .ring_gpa = MEM_GPA,
	    .features = v->features,
	};
	struct virtq_dev_config vc = {
	    .layout = VIRTQ_LAYOUT_SPLIT,
	    .num = QSIZE,
	    .features = v->features,
	};

	assert_non_null(f);
	f->mem = aligned_alloc(4096, MEM_SIZE);
	f->mt = malloc(sizeof(*f->mt));
	assert_non_null(f->mem);
	assert_non_null(f->mt);
	memset(f->mem, 0, MEM_SIZE);
	mem_table_init(f->mt);
	assert_int_equal(mem_table_add_mapped(f->mt, MEM_GPA, MEM_SIZE, MEM_GPA, f->mem), 0);
	dc.ring = f->mem;
	assert_int_equal(virtq_drv_init(&f->drv, &dc), 0);
	f->used = ring_bytes;

	vc.desc = f->drv.desc;
	vc.avail = f->drv.avail;
	vc.used = f->drv.used;
	vc.mem = f->mt;
	assert_int_equal(virtq_dev_init(&f->vring.vq, &vc), 0);
	f->vring.index = 0;
	f->vring.kick_fd = eventfd(0, EFD_NONBLOCK);
	f->vring.call_fd = eventfd(0, EFD_NONBLOCK);

	assert_int_equal(env_init(&eo), 0);
	assert_int_equal(env_start(), 0);
	assert_int_equal(bdev_malloc_create("Malloc7", NUM_BLOCKS, 512), 0);
	f->bdev = bdev_get_by_name("Malloc7");
	if (v->hold_us) {
		const struct bdev_delay_opts lat = {v->hold_us, v->hold_us, v->hold_us,
						    v->hold_us};

		assert_int_equal(bdev_delay_create("Slow7", "Malloc7", &lat), 0);
		f->bdev = bdev_get_by_name("Slow7");
	}
	assert_non_null(f->bdev);
	assert_int_equal(bdev_open(f->bdev), 0);

	assert_int_equal(evloop_create(&f->loop), 0);
	f->q.qe.owner = "test";
	f->q.qe.index = 0;
	f->q.bdev = f->bdev;
	f->q.lim = (struct vhost_blk_limits){
	    .block_size = 512,
	    .num_blocks = NUM_BLOCKS,
	    .flush = true,
	    .discard = true,
	    .write_zeroes = true,
	    .max_discard_sectors = 1024,
	    .max_write_zeroes_sectors = 1024,
	};
	queue_start(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	queue_stop(f);
	evloop_destroy(f->loop);
	bdev_close(f->bdev);
	bdev_unregister_all();
	assert_null(bdev_first());
	env_stop();
	close(f->vring.kick_fd);
	close(f->vring.call_fd);
	virtq_drv_fini(&f->drv);
	free(f->mt);
	free(f->mem);
	free(f);
	return 0;
}

static void greq_alloc(struct fixture *f, struct greq *r, uint32_t type, uint64_t sector,
		       size_t data_len)
{
	r->hdr = galloc(f, sizeof(*r->hdr));
	r->hdr->type = type;
	r->hdr->reserved = 0;
	r->hdr->sector = sector;
	r->data = data_len ? galloc(f, data_len) : NULL;
	r->status = galloc(f, 1);
	*r->status = 0xff;
	r->hdr_gpa = gpa_of(f, r->hdr);
	r->data_gpa = r->data ? gpa_of(f, r->data) : 0;
	r->status_gpa = gpa_of(f, r->status);
}

static void kick_if_wanted(struct fixture *f)
{
	if (virtq_drv_publish(&f->drv))
		assert_int_equal(eventfd_write(f->vring.kick_fd, 1), 0);
}

/* Adds the request (data readable for writes, writable otherwise). */
static void greq_add(struct fixture *f, struct greq *r, size_t data_len, bool data_readable)
{
	struct virtq_buf bufs[3];
	uint16_t n = 0, nout;

	bufs[n++] = (struct virtq_buf){r->hdr_gpa, sizeof(*r->hdr)};
	if (data_len && data_readable)
		bufs[n++] = (struct virtq_buf){r->data_gpa, (uint32_t)data_len};
	nout = n;
	if (data_len && !data_readable)
		bufs[n++] = (struct virtq_buf){r->data_gpa, (uint32_t)data_len};
	bufs[n++] = (struct virtq_buf){r->status_gpa, 1};
	assert_int_equal(virtq_drv_add(&f->drv, bufs, nout, n - nout, r), 0);
}

/* Waits (up to 5 s) for one used entry. */
static void *wait_used(struct fixture *f, uint32_t *len)
{
	void *cookie = NULL;

	for (int i = 0; i < 50000; i++) {
		int rc = virtq_drv_get_used(&f->drv, &cookie, len);

		if (rc == 0)
			return cookie;
		assert_int_equal(rc, -EAGAIN);
		usleep(100);
	}
	fail_msg("no used entry after 5 s");
	return NULL;
}

/* One request, start to finish: returns the status, checks the used length. */
static uint8_t run(struct fixture *f, struct greq *r, size_t data_len, bool data_readable)
{
	uint32_t len;

	greq_add(f, r, data_len, data_readable);
	kick_if_wanted(f);
	assert_ptr_equal(wait_used(f, &len), r);
	/* §2.7.8: every device-writable byte is reported: data (reads) + status. */
	assert_int_equal(len, (data_readable ? 0 : data_len) + 1);
	return *r->status;
}

static void test_write_then_read(void **state)
{
	struct fixture *f = *state;
	struct greq w, rd;
	struct vhost_blk_queue_stats st;
	uint64_t calls = 0;

	greq_alloc(f, &w, VIRTIO_BLK_T_OUT, 8, 4096);
	for (int i = 0; i < 4096; i++)
		w.data[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(run(f, &w, 4096, true), VIRTIO_BLK_S_OK);

	greq_alloc(f, &rd, VIRTIO_BLK_T_IN, 8, 4096);
	memset(rd.data, 0, 4096);
	assert_int_equal(run(f, &rd, 4096, false), VIRTIO_BLK_S_OK);
	assert_memory_equal(rd.data, w.data, 4096);

	/* The driver was told about the used entries. */
	assert_int_equal(eventfd_read(f->vring.call_fd, &calls), 0);
	assert_true(calls >= 1);

	vhost_blk_queue_get_stats(&f->q, &st);
	assert_true(st.started);
	assert_int_equal(st.requests[VHOST_BLK_STAT_WRITE], 1);
	assert_int_equal(st.requests[VHOST_BLK_STAT_READ], 1);
	assert_int_equal(st.bytes_written, 4096);
	assert_int_equal(st.bytes_read, 4096);
	assert_int_equal(st.errors, 0);
	assert_int_equal(st.inflight, 0);
}

/* The status shares the last writable descriptor with read data. */
static void test_read_status_in_data_descriptor(void **state)
{
	struct fixture *f = *state;
	struct greq w;
	struct virtio_blk_outhdr *hdr = galloc(f, sizeof(*hdr));
	uint8_t *buf = galloc(f, 512 + 1);
	struct virtq_buf bufs[2];
	uint32_t len;

	greq_alloc(f, &w, VIRTIO_BLK_T_OUT, 100, 512);
	memset(w.data, 0x5a, 512);
	assert_int_equal(run(f, &w, 512, true), VIRTIO_BLK_S_OK);

	*hdr = (struct virtio_blk_outhdr){.type = VIRTIO_BLK_T_IN, .sector = 100};
	memset(buf, 0, 513);
	buf[512] = 0xff;
	bufs[0] = (struct virtq_buf){gpa_of(f, hdr), sizeof(*hdr)};
	bufs[1] = (struct virtq_buf){gpa_of(f, buf), 513};
	assert_int_equal(virtq_drv_add(&f->drv, bufs, 1, 1, hdr), 0);
	kick_if_wanted(f);
	assert_ptr_equal(wait_used(f, &len), hdr);
	assert_int_equal(len, 513);
	assert_int_equal(buf[512], VIRTIO_BLK_S_OK);
	for (int i = 0; i < 512; i++)
		assert_int_equal(buf[i], 0x5a);
}

static void test_get_id(void **state)
{
	struct fixture *f = *state;
	struct greq r;

	greq_alloc(f, &r, VIRTIO_BLK_T_GET_ID, 0, 20);
	memset(r.data, 0xaa, 20);
	assert_int_equal(run(f, &r, 20, false), VIRTIO_BLK_S_OK);
	assert_memory_equal(r.data, "Malloc7\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
}

static void test_rejections(void **state)
{
	struct fixture *f = *state;
	struct greq r;
	struct vhost_blk_queue_stats st;

	greq_alloc(f, &r, VIRTIO_BLK_T_OUT, NUM_BLOCKS, 512);
	assert_int_equal(run(f, &r, 512, true), VIRTIO_BLK_S_IOERR);
	greq_alloc(f, &r, 2 /* legacy SCSI command */, 0, 512);
	assert_int_equal(run(f, &r, 512, false), VIRTIO_BLK_S_UNSUPP);
	greq_alloc(f, &r, VIRTIO_BLK_T_IN, 0, 100);
	assert_int_equal(run(f, &r, 100, false), VIRTIO_BLK_S_IOERR);

	vhost_blk_queue_get_stats(&f->q, &st);
	assert_int_equal(st.errors, 3);
	assert_int_equal(st.requests[VHOST_BLK_STAT_OTHER], 1);
	assert_int_equal(st.requests[VHOST_BLK_STAT_WRITE], 1);
	assert_int_equal(st.requests[VHOST_BLK_STAT_READ], 1);
	assert_int_equal(st.bytes_written, 0);
}

/* A chain without a device-writable byte cannot be answered: it comes back
 * with used length 0, and the queue goes on. */
static void test_malformed_chain(void **state)
{
	struct fixture *f = *state;
	struct virtio_blk_outhdr *hdr = galloc(f, sizeof(*hdr));
	struct virtq_buf buf;
	struct greq r;
	struct vhost_blk_queue_stats st;
	uint32_t len = 99;

	*hdr = (struct virtio_blk_outhdr){.type = VIRTIO_BLK_T_FLUSH};
	buf = (struct virtq_buf){gpa_of(f, hdr), sizeof(*hdr)};
	assert_int_equal(virtq_drv_add(&f->drv, &buf, 1, 0, hdr), 0);
	kick_if_wanted(f);
	assert_ptr_equal(wait_used(f, &len), hdr);
	assert_int_equal(len, 0);

	greq_alloc(f, &r, VIRTIO_BLK_T_FLUSH, 0, 0);
	assert_int_equal(run(f, &r, 0, false), VIRTIO_BLK_S_OK);
	vhost_blk_queue_get_stats(&f->q, &st);
	/* Counted as malformed, not as a request. */
	assert_int_equal(st.malformed, 1);
	assert_int_equal(st.requests[VHOST_BLK_STAT_FLUSH], 1);
	assert_int_equal(st.requests[VHOST_BLK_STAT_OTHER], 0);
}

/* Write zeroes of two segments (submitted one after the other) zeroes both
 * ranges and nothing else. */
static void test_write_zeroes_segments(void **state)
{
	struct fixture *f = *state;
	struct greq w, z, rd;
	struct virtio_blk_discard_write_zeroes *segs;

	greq_alloc(f, &w, VIRTIO_BLK_T_OUT, 16, 8 * 512);
	memset(w.data, 0x77, 8 * 512);
	assert_int_equal(run(f, &w, 8 * 512, true), VIRTIO_BLK_S_OK);

	greq_alloc(f, &z, VIRTIO_BLK_T_WRITE_ZEROES, 0, 2 * sizeof(*segs));
	segs = (void *)z.data;
	segs[0] = (struct virtio_blk_discard_write_zeroes){.sector = 17, .num_sectors = 2};
	segs[1] = (struct virtio_blk_discard_write_zeroes){
	    .sector = 22, .num_sectors = 1, .flags = VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP};
	assert_int_equal(run(f, &z, 2 * sizeof(*segs), true), VIRTIO_BLK_S_OK);

	greq_alloc(f, &rd, VIRTIO_BLK_T_IN, 16, 8 * 512);
	assert_int_equal(run(f, &rd, 8 * 512, false), VIRTIO_BLK_S_OK);
	for (int s = 0; s < 8; s++) {
		uint8_t want = (s == 1 || s == 2 || s == 6) ? 0 : 0x77;

		for (int i = 0; i < 512; i++)
			assert_int_equal(rd.data[s * 512 + i], want);
	}
}

/* A stop returns only when every chain the queue popped was pushed back. */
static void test_stop_drains(void **state)
{
	struct fixture *f = *state;
	struct greq r[20];
	struct vhost_blk_queue_stats st;
	uint32_t len;
	int used = 0;
	void *cookie;

	for (int i = 0; i < 20; i++) {
		greq_alloc(f, &r[i], VIRTIO_BLK_T_IN, (uint64_t)i, 512);
		greq_add(f, &r[i], 512, false);
	}
	kick_if_wanted(f);
	/* Stop at once: the reactor may have taken none, some or all of them. */
	queue_stop(f);
	vhost_blk_queue_get_stats(&f->q, &st);
	assert_false(st.started);
	assert_int_equal(st.inflight, 0);
	/* Whatever was popped is answered: used entries == popped chains. */
	while (virtq_drv_get_used(&f->drv, &cookie, &len) == 0) {
		assert_int_equal(*((struct greq *)cookie)->status, VIRTIO_BLK_S_OK);
		used++;
	}
	assert_int_equal(used, virtq_dev_last_avail_idx(&f->vring.vq));
	assert_int_equal((uint64_t)used, st.requests[VHOST_BLK_STAT_READ]);

	/* Restarted, it picks up the rest where it stopped. */
	queue_start(f);
	assert_int_equal(eventfd_write(f->vring.kick_fd, 1), 0);
	while (used < 20) {
		cookie = wait_used(f, &len);
		assert_int_equal(*((struct greq *)cookie)->status, VIRTIO_BLK_S_OK);
		used++;
	}
}

/* FLUSH offered but not negotiated on a bdev with a volatile cache: each
 * write is followed by a flush before it completes (§5.2.6.2), reads not. */
static void test_writethrough_flushes(void **state)
{
	struct fixture *f = *state;
	struct bdev_io_stat before, after;
	struct greq w, rd;

	queue_stop(f);
	f->q.writethrough = true;
	queue_start(f);
	bdev_get_io_stat(f->bdev, &before);

	greq_alloc(f, &w, VIRTIO_BLK_T_OUT, 0, 1024);
	assert_int_equal(run(f, &w, 1024, true), VIRTIO_BLK_S_OK);
	greq_alloc(f, &rd, VIRTIO_BLK_T_IN, 0, 1024);
	assert_int_equal(run(f, &rd, 1024, false), VIRTIO_BLK_S_OK);

	bdev_get_io_stat(f->bdev, &after);
	assert_int_equal(after.ops[BDEV_IO_WRITE] - before.ops[BDEV_IO_WRITE], 1);
	assert_int_equal(after.ops[BDEV_IO_FLUSH] - before.ops[BDEV_IO_FLUSH], 1);
	assert_int_equal(after.ops[BDEV_IO_READ] - before.ops[BDEV_IO_READ], 1);
}

/* Many rounds of a few requests, each round waiting for its answers: the
 * queue must keep asking for kicks (and the driver keep getting calls) long
 * past the first batch. */
static void test_many_rounds(void **state)
{
	struct fixture *f = *state;
	struct greq r[8];
	uint32_t len;

	for (int i = 0; i < 8; i++)
		greq_alloc(f, &r[i], VIRTIO_BLK_T_IN, (uint64_t)i * 8, 4096);
	for (int round = 0; round < 300; round++) {
		for (int i = 0; i < 8; i++) {
			*r[i].status = 0xff;
			greq_add(f, &r[i], 4096, false);
		}
		kick_if_wanted(f);
		for (int i = 0; i < 8; i++) {
			struct greq *done = wait_used(f, &len);

			assert_int_equal(*done->status, VIRTIO_BLK_S_OK);
			assert_int_equal(len, 4097);
		}
	}
}

static bool g_swapped;

static void on_swapped(struct vhost_vring *vring)
{
	(void)vring;
	g_swapped = true;
}

/* A running queue takes a new call fd (and a new kick fd) from a message to
 * its reactor: no stop, and the next completion signals the new call fd. */
static void test_swap_fds_while_running(void **state)
{
	struct fixture *f = *state;
	int call = eventfd(0, EFD_NONBLOCK), kick = eventfd(0, EFD_NONBLOCK);
	int old_call = f->vring.call_fd, old_kick = f->vring.kick_fd;
	struct vhost_blk_queue_stats st;
	uint64_t end = env_now_ns() + 5000000000ull;
	eventfd_t v = 0;
	struct greq r;

	greq_alloc(f, &r, VIRTIO_BLK_T_IN, 0, 512);
	assert_int_equal(run(f, &r, 512, false), VIRTIO_BLK_S_OK);
	assert_int_equal(eventfd_read(old_call, &v), 0);

	g_swapped = false;
	vhost_blk_queue_swap_fds(&f->q, kick, call, on_swapped);
	/* Answered on the control loop, never inside the call. */
	assert_false(g_swapped);
	while (!g_swapped && env_now_ns() < end)
		assert_true(evloop_run_once(f->loop, 100) >= 0);
	assert_true(g_swapped);
	assert_int_equal(f->vring.call_fd, call);
	assert_int_equal(f->vring.kick_fd, kick);

	greq_alloc(f, &r, VIRTIO_BLK_T_IN, 8, 512);
	assert_int_equal(run(f, &r, 512, false), VIRTIO_BLK_S_OK);
	assert_int_equal(eventfd_read(call, &v), 0);
	assert_true(v >= 1);
	assert_int_equal(eventfd_read(old_call, &v), -1);
	vhost_blk_queue_get_stats(&f->q, &st);
	assert_true(st.started);
	assert_int_equal(st.ring_starts, 1);
	assert_int_equal(st.ring_stops, 0);
	/* The fixture closes the vring's fds. */
	close(old_call);
	close(old_kick);
}

/* A stop with requests held by a slow bdev returns at once; it is answered
 * on the control loop once every popped request was used. */
static void test_stop_answered_after_the_drain(void **state)
{
	struct fixture *f = *state;
	struct vhost_blk_queue_stats st;
	uint64_t end = env_now_ns() + 5000000000ull;
	struct greq r[3];

	for (int i = 0; i < 3; i++) {
		greq_alloc(f, &r[i], VIRTIO_BLK_T_IN, (uint64_t)i * 8, 512);
		greq_add(f, &r[i], 512, false);
	}
	kick_if_wanted(f);
	do {
		vhost_blk_queue_get_stats(&f->q, &st);
	} while (st.inflight < 3 && env_now_ns() < end);
	assert_int_equal(st.inflight, 3);

	g_stopped = false;
	vhost_blk_queue_stop(&f->q, on_stopped);
	assert_false(g_stopped);
	while (!g_stopped && env_now_ns() < end)
		assert_true(evloop_run_once(f->loop, 100) >= 0);
	assert_true(g_stopped);
	assert_int_equal(f->drv.used->idx, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(*r[i].status, VIRTIO_BLK_S_OK);
	vhost_blk_queue_get_stats(&f->q, &st);
	assert_false(st.started);
	assert_int_equal(st.inflight, 0);
	assert_int_equal(st.ring_stops, 1);
	queue_start(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_write_then_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_status_in_data_descriptor, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_get_id, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rejections, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_zeroes_segments, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stop_drains, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_many_rounds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_writethrough_flushes, setup, teardown),
	    cmocka_unit_test_prestate_setup_teardown(test_write_then_read, setup, teardown,
						     (void *)&g_interrupt_event_idx),
	    cmocka_unit_test_prestate_setup_teardown(test_many_rounds, setup, teardown,
						     (void *)&g_interrupt_event_idx),
	    cmocka_unit_test_prestate_setup_teardown(test_stop_drains, setup, teardown,
						     (void *)&g_interrupt_event_idx),
	    cmocka_unit_test_setup_teardown(test_swap_fds_while_running, setup, teardown),
	    cmocka_unit_test_prestate_setup_teardown(test_stop_answered_after_the_drain, setup,
						     teardown, (void *)&g_slow),
	};

	/* Rejections are logged by design; keep the test output readable. */
	log_set_level(LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
