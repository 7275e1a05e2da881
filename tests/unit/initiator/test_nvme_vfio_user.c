/* SPDX-License-Identifier: MIT */
/*
 * The nvme-vfio-user transport end to end against an in-process peer:
 * lib/vfio-user's server on its own thread, serving lib/nvmf's controller
 * (tests/unit/nvme/loopback.h) with BAR0 as a plain region, so every
 * register and doorbell access is a REGION_READ / REGION_WRITE and the
 * rings and data live in the initiator's DMA-mapped memory. The public
 * API (storlab/initiator.h, storlab/nvme.h) sees the device.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/unit/nvme/loopback.h"

#include "storlab/nvme.h"
#include "storlab/virtio_blk.h"
#include "util/evloop.h"
#include "vfio-user/vfio_user_server.h"

static struct evloop *g_loop;
static struct vfio_user_server *g_srv;
static pthread_t g_thread;
static char g_path[64];
/* the mapped-doorbell variant: BAR0's file and our mapping of it */
static int g_bar_fd = -1;
static uint32_t *g_bar;
static int64_t g_poll_timer;

#define BAR0_SIZE 0x2000 /* nvmf_ctrlr_bar0_size() of LB_MAXQ queues */

static void *srv_xlate(void *arg, uint64_t gpa, uint64_t len)
{
	(void)arg;
	return mem_gpa_to_hva(vfio_user_server_dma(g_srv), gpa, len);
}

static void dev_info(void *dev, uint32_t *flags, uint32_t *num_regions, uint32_t *num_irqs)
{
	(void)dev;
	*flags = VFIO_DEVICE_FLAGS_PCI;
	*num_regions = VFIO_PCI_NUM_REGIONS;
	*num_irqs = VFIO_PCI_NUM_IRQS;
}

static void region_info(void *dev, uint32_t index, struct vfio_user_region *r)
{
	(void)dev;
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (index != VFIO_PCI_BAR0_REGION_INDEX)
		return;
	r->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	r->size = nvmf_ctrlr_bar0_size(&g_lb.c);
	if (g_bar_fd >= 0) {
		/* vfio-user.rst: the doorbell page(s) as a sparse mmap area */
		r->flags |= VFIO_REGION_INFO_FLAG_MMAP;
		r->fd = g_bar_fd;
		r->nr_areas = 1;
		r->areas[0].offset = NVME_DB_BASE;
		r->areas[0].size = BAR0_SIZE - NVME_DB_BASE;
	}
}

/* What a frontend does with BAR0: the controller's registers, and its
 * turn to run whatever a doorbell announced (loopback.h). */
static int region_access(void *dev, uint32_t index, uint64_t offset, void *buf, uint32_t count,
			 bool write)
{
	int ev;

	(void)dev;
	if (index != VFIO_PCI_BAR0_REGION_INDEX)
		return -EINVAL;
	if (!write)
		return nvmf_ctrlr_read(&g_lb.c, offset, buf, count);
	ev = nvmf_ctrlr_write(&g_lb.c, offset, buf, count);
	if (ev < 0)
		return ev;
	lb_events(ev);
	return 0;
}

static void irq_info(void *dev, uint32_t index, uint32_t *flags, uint32_t *count)
{
	(void)dev;
	(void)index;
	*flags = 0;
	*count = 0;
}

static int set_irqs(void *dev, struct vfio_user_irq_set *set)
{
	(void)dev;
	(void)set;
	return -EINVAL;
}

/* One client per test: the controller of peer_setup() serves it. */
static void attach(void *dev)
{
	(void)dev;
}

static void detach(void *dev)
{
	(void)dev;
}

static const struct vfio_user_dev_ops g_dev_ops = {
    .device_info = dev_info,
    .region_info = region_info,
    .region_access = region_access,
    .irq_info = irq_info,
    .set_irqs = set_irqs,
    .attach = attach,
    .detach = detach,
};

static void *loop_thread(void *arg)
{
	(void)arg;
	evloop_run(g_loop);
	return NULL;
}

/* Mapped doorbells reach the controller unannounced: it looks at them
 * every millisecond. */
static void poll_doorbells(void *arg)
{
	(void)arg;
	lb_run();
	g_poll_timer = evloop_add_timer(g_loop, 1, poll_doorbells, NULL);
}

static void start_polling(void *arg)
{
	poll_doorbells(arg);
}

static void stop_polling(void *arg)
{
	(void)arg;
	evloop_cancel_timer(g_loop, g_poll_timer);
}

static int peer_start(bool mapped)
{
	struct vfio_user_server_opts o = {.ops = &g_dev_ops};
	uint32_t *db = NULL;

	memset(&g_lb, 0, sizeof(g_lb));
	g_bar_fd = -1;
	snprintf(g_path, sizeof(g_path), "/tmp/storlab-nvu-%d.sock", getpid());
	if (mapped) {
		g_bar_fd = memfd_create("bar0", MFD_CLOEXEC);
		assert_true(g_bar_fd >= 0);
		assert_int_equal(ftruncate(g_bar_fd, BAR0_SIZE), 0);
		g_bar = mmap(NULL, BAR0_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, g_bar_fd, 0);
		assert_true(g_bar != MAP_FAILED);
		db = g_bar + NVME_DB_BASE / 4;
	}
	assert_int_equal(evloop_create(&g_loop), 0);
	o.path = g_path;
	o.loop = g_loop;
	assert_int_equal(vfio_user_server_create(&o, &g_srv), 0);
	assert_int_equal(lb_ctrlr_init(srv_xlate, NULL, db), 0);
	assert_int_equal(nvmf_ctrlr_bar0_size(&g_lb.c), BAR0_SIZE);
	if (mapped)
		assert_int_equal(evloop_call(g_loop, start_polling, NULL), 0);
	return pthread_create(&g_thread, NULL, loop_thread, NULL);
}

static int peer_setup(void **state)
{
	(void)state;
	return peer_start(false);
}

static int peer_setup_mapped(void **state)
{
	(void)state;
	return peer_start(true);
}

/* The server goes away: its thread ends, its sockets close. */
static void peer_stop(void)
{
	if (!g_srv)
		return;
	if (g_bar_fd >= 0)
		assert_int_equal(evloop_call(g_loop, stop_polling, NULL), 0);
	evloop_stop(g_loop);
	pthread_join(g_thread, NULL);
	vfio_user_server_destroy(g_srv);
	g_srv = NULL;
}

static int peer_teardown(void **state)
{
	(void)state;
	peer_stop();
	nvmf_ctrlr_fini(&g_lb.c);
	evloop_destroy(g_loop);
	if (g_bar_fd >= 0) {
		munmap(g_bar, BAR0_SIZE);
		close(g_bar_fd);
	}
	return 0;
}

static struct storlab_dev *open_dev(void)
{
	struct storlab_dev_opts o = {.queue_size = 16, .mem_size = 4 << 20, .num_queues = 2};
	char uri[96];
	struct storlab_dev *dev = NULL;

	snprintf(uri, sizeof(uri), "nvme-vfio-user:%s", g_path);
	assert_int_equal(storlab_dev_open(uri, &o, &dev), 0);
	return dev;
}

static struct storlab_completion run(struct storlab_dev *dev, const struct storlab_req *req)
{
	struct storlab_queue *q = storlab_dev_queue(dev, 1);
	struct storlab_completion c;

	assert_int_equal(storlab_queue_add(q, req), 0);
	assert_int_equal(storlab_queue_submit(q), 0);
	assert_int_equal(storlab_queue_reap(q, &c, 1, 1, 5000), 1);
	assert_ptr_equal(c.tag, req->tag);
	return c;
}

static void test_open_info(void **state)
{
	struct storlab_dev *dev = open_dev();
	struct storlab_virtio_blk_info vb;
	struct storlab_nvme_info nv;
	struct storlab_dev_info info;
	uint32_t csts = 0;

	(void)state;
	storlab_dev_get_info(dev, &info);
	assert_string_equal(info.transport, "nvme-vfio-user");
	assert_int_equal(info.capacity, (uint64_t)LB_BS * LB_BLOCKS);
	assert_int_equal(info.block_size, LB_BS);
	assert_int_equal(info.num_queues, 2);
	/* Base §5.2.26.1.7: what Number of Queues allocated, here what we asked */
	assert_int_equal(info.max_queues, 2);
	assert_int_equal(info.queue_size, 16);
	assert_int_equal(info.max_transfer, 128 * 1024);
	assert_int_equal(storlab_nvme_get_info(dev, &nv), 0);
	assert_string_equal(nv.mn, "storlab loopback");
	assert_int_equal(nv.nsid, 1);
	assert_int_equal(nv.vs, NVME_VS_2_1);
	assert_false(nv.doorbells_mapped);
	assert_int_equal(storlab_virtio_blk_get_info(dev, &vb), -ENOTTY);
	storlab_dev_close(dev);
	/* Base §3.6.1: closing shut the controller down normally */
	assert_int_equal(nvmf_ctrlr_read(&g_lb.c, NVME_REG_CSTS, &csts, 4), 0);
	assert_int_equal(NVME_GET(le32toh(csts), NVME_CSTS_SHST), NVME_CSTS_SHST_COMPLETE);
}

static void test_write_read_compare(void **state)
{
	struct storlab_dev *dev = open_dev();
	const size_t len = 16 * 1024;
	uint8_t *w, *r;
	struct iovec wi, ri;
	struct storlab_completion c;

	(void)state;
	assert_int_equal(storlab_buf_alloc(dev, len, 0, (void **)&w), 0);
	assert_int_equal(storlab_buf_alloc(dev, len, 0, (void **)&r), 0);
	for (size_t i = 0; i < len; i++)
		w[i] = (uint8_t)(i * 7 + 1);
	wi = (struct iovec){w, len};
	ri = (struct iovec){r, len};
	c = run(dev,
		&(struct storlab_req){
		    .op = STORLAB_OP_WRITE, .offset = 8192, .iov = &wi, .iovcnt = 1, .tag = w});
	assert_int_equal(c.status, STORLAB_STATUS_OK);
	assert_memory_equal(g_lb.disk + 8192, w, len);
	c = run(dev, &(struct storlab_req){
			 .op = STORLAB_OP_READ, .offset = 8192, .iov = &ri, .iovcnt = 1, .tag = r});
	assert_int_equal(c.status, STORLAB_STATUS_OK);
	assert_int_equal(c.len, len);
	assert_memory_equal(r, w, len);
	c = run(dev, &(struct storlab_req){.op = STORLAB_OP_FLUSH, .tag = dev});
	assert_int_equal(c.ret, 0);
	storlab_dev_close(dev);
}

/* The same I/O with the doorbells written through the mapping, no message
 * per command: the controller sees them only by polling. */
static void test_mapped_doorbells(void **state)
{
	struct storlab_dev *dev = open_dev();
	struct storlab_nvme_info nv;

	assert_int_equal(storlab_nvme_get_info(dev, &nv), 0);
	assert_true(nv.doorbells_mapped);
	storlab_dev_close(dev);
	test_write_read_compare(state);
}

static void test_error_statuses(void **state)
{
	struct storlab_dev *dev = open_dev();
	struct storlab_queue *q = storlab_dev_queue(dev, 1);
	struct storlab_nvme_cmd cmd = {.opc = 0x7f, .nsid = 1};
	struct storlab_completion c;
	struct iovec iov;
	void *buf;

	(void)state;
	assert_int_equal(storlab_buf_alloc(dev, LB_BS, 0, &buf), 0);
	iov = (struct iovec){buf, LB_BS};
	c = run(dev, &(struct storlab_req){.op = STORLAB_OP_READ,
					   .offset = (uint64_t)LB_BS * LB_BLOCKS,
					   .iov = &iov,
					   .iovcnt = 1,
					   .tag = buf});
	assert_int_equal(c.status, STORLAB_STATUS_ERROR);
	assert_int_equal(c.ret, -EIO);
	assert_int_equal(c.transport_status,
			 STORLAB_NVME_STATUS(NVME_SCT_GENERIC, NVME_SC_LBA_OUT_OF_RANGE));
	assert_string_equal(storlab_queue_status_name(q, &c), "LBA Out of Range");
	c = run(dev, &(struct storlab_req){.op = STORLAB_OP_DEVICE, .cmd = &cmd, .tag = &cmd});
	assert_int_equal(c.status, STORLAB_STATUS_UNSUPPORTED);
	assert_string_equal(storlab_queue_status_name(q, &c), "Invalid Command Opcode");
	/* a request the transport cannot express is refused before sending */
	assert_int_equal(storlab_queue_add(q, &(struct storlab_req){.op = STORLAB_OP_READ,
								    .offset = 100,
								    .iov = &iov,
								    .iovcnt = 1}),
			 -EINVAL);
	assert_int_equal(storlab_queue_inflight(q), 0);
	storlab_dev_close(dev);
}

/* The controller goes while a read is in flight: the next reaps notice
 * (initiator.h "Disconnects"), the read completes NOT_CONNECTED, then
 * -ENOTCONN; new requests are refused. */
static void test_disconnect(void **state)
{
	struct storlab_dev *dev = open_dev();
	struct storlab_queue *q = storlab_dev_queue(dev, 0);
	struct storlab_completion c;
	struct iovec iov;
	void *buf;

	(void)state;
	assert_int_equal(storlab_buf_alloc(dev, LB_BS, 0, &buf), 0);
	iov = (struct iovec){buf, LB_BS};
	g_lb.hold_io = true;
	assert_int_equal(
	    storlab_queue_add(
		q,
		&(struct storlab_req){.op = STORLAB_OP_READ, .iov = &iov, .iovcnt = 1, .tag = buf}),
	    0);
	peer_stop();
	assert_int_equal(storlab_queue_reap(q, &c, 1, 1, 5000), 1);
	assert_ptr_equal(c.tag, buf);
	assert_int_equal(c.status, STORLAB_STATUS_NOT_CONNECTED);
	assert_int_equal(c.ret, -ECONNRESET);
	assert_false(storlab_dev_connected(dev));
	assert_int_equal(storlab_queue_reap(q, &c, 1, 1, 100), -ENOTCONN);
	assert_int_equal(storlab_queue_add(q, &(struct storlab_req){.op = STORLAB_OP_FLUSH}),
			 -ENOTCONN);
	storlab_dev_close(dev);
}

static void test_no_listener(void **state)
{
	struct storlab_dev *dev = NULL;
	struct storlab_dev_opts o = {.timeout_ms = 100};

	(void)state;
	assert_true(storlab_dev_open("nvme-vfio-user:/nonexistent/cntrl", &o, &dev) < 0);
	assert_null(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_info, peer_setup, peer_teardown),
	    cmocka_unit_test_setup_teardown(test_write_read_compare, peer_setup, peer_teardown),
	    cmocka_unit_test_setup_teardown(test_mapped_doorbells, peer_setup_mapped,
					    peer_teardown),
	    cmocka_unit_test_setup_teardown(test_error_statuses, peer_setup, peer_teardown),
	    cmocka_unit_test_setup_teardown(test_disconnect, peer_setup, peer_teardown),
	    cmocka_unit_test(test_no_listener),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
