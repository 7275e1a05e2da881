/* SPDX-License-Identifier: MIT */
/*
 * The vfio-user server over a real socket, driven by its evloop on this
 * thread: messages written field by field from vfio-user.rst (bytes.h), the
 * replies compared byte by byte with what the spec's tables say, and a fake
 * device that records which ops the server called and with what. Its
 * quiesce is held by the test, so the test sees the server keep a DMA_MAP's
 * reply (and every later message) until the device has quiesced.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/vfio_user/bytes.h"
#include "tests/unit/vhost/test_util.h"
#include "util/common.h"
#include "util/evloop.h"
#include "util/unix_sock.h"
#include "vfio-user/vfio_user_server.h"

/* The fake device: two regions, one IRQ index of two vectors. */
struct fake {
	int bar_fd;
	unsigned attach, detach, reset, quiesce, resume, access;
	uint32_t acc_index, acc_count;
	uint64_t acc_offset;
	uint8_t acc_data[16];
	bool acc_write;
	struct vfio_user_irq_set irq;
	int irq_fd; /* the one it took */
	void (*done)(void *arg);
	void *done_arg;
	int quiesce_err; /* what quiesce returns: < 0 refuses */
};

static struct fake g_dev;
static struct evloop *g_loop;
static struct vfio_user_server *g_srv;
static char g_dir[64], g_path[80];
static int g_sock = -1;
static struct bytes g_m;
static uint8_t g_r[8192]; /* the last reply */
static int g_rfd;	  /* the fd that came with it, or -1 */
static int g_nfds;	  /* open fds before the test: none may leak */

static void fake_device_info(void *dev, uint32_t *flags, uint32_t *num_regions, uint32_t *num_irqs)
{
	(void)dev;
	*flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	*num_regions = 2;
	*num_irqs = 1;
}

static void fake_region_info(void *dev, uint32_t index, struct vfio_user_region *r)
{
	struct fake *f = dev;

	if (index == 0) {
		r->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			   VFIO_REGION_INFO_FLAG_MMAP;
		r->size = 0x2000;
		r->fd = f->bar_fd;
		r->fd_offset = 0x10000;
		r->nr_areas = 1;
		r->areas[0].offset = 0x1000;
		r->areas[0].size = 0x1000;
	} else {
		r->flags = VFIO_REGION_INFO_FLAG_READ;
		r->size = 0x100;
	}
}

static int fake_region_access(void *dev, uint32_t index, uint64_t offset, void *buf, uint32_t count,
			      bool write)
{
	struct fake *f = dev;

	f->access++;
	f->acc_index = index;
	f->acc_offset = offset;
	f->acc_count = count;
	f->acc_write = write;
	if (write)
		memcpy(f->acc_data, buf, MIN(count, sizeof(f->acc_data)));
	else
		for (uint32_t i = 0; i < count; i++)
			((uint8_t *)buf)[i] = (uint8_t)(0xa0 + i);
	return 0;
}

static void fake_irq_info(void *dev, uint32_t index, uint32_t *flags, uint32_t *count)
{
	(void)dev;
	(void)index;
	*flags = VFIO_IRQ_INFO_EVENTFD;
	*count = 2;
}

static int fake_set_irqs(void *dev, struct vfio_user_irq_set *set)
{
	struct fake *f = dev;

	f->irq = *set;
	if (set->nfds) {
		f->irq_fd = set->fds[0];
		set->fds[0] = -1;
	}
	return 0;
}

static int fake_reset(void *dev)
{
	((struct fake *)dev)->reset++;
	return 0;
}

static void fake_attach(void *dev)
{
	((struct fake *)dev)->attach++;
}

static void fake_detach(void *dev)
{
	((struct fake *)dev)->detach++;
}

static int fake_quiesce(void *dev, void (*done)(void *arg), void *arg)
{
	struct fake *f = dev;

	f->quiesce++;
	if (f->quiesce_err)
		return f->quiesce_err;
	f->done = done;
	f->done_arg = arg;
	return 0;
}

static void fake_resume(void *dev)
{
	((struct fake *)dev)->resume++;
}

static const struct vfio_user_dev_ops g_ops = {
    .device_info = fake_device_info,
    .region_info = fake_region_info,
    .region_access = fake_region_access,
    .irq_info = fake_irq_info,
    .set_irqs = fake_set_irqs,
    .reset = fake_reset,
    .attach = fake_attach,
    .detach = fake_detach,
    .quiesce = fake_quiesce,
    .resume = fake_resume,
};

/* Turns the loop until the client socket has something (or 1 s). */
static bool pump_until_readable(void)
{
	for (int i = 0; i < 100; i++) {
		struct pollfd p = {.fd = g_sock, .events = POLLIN};

		evloop_run_once(g_loop, 10);
		if (poll(&p, 1, 0) == 1)
			return true;
	}
	return false;
}

static void pump(void)
{
	for (int i = 0; i < 5; i++)
		evloop_run_once(g_loop, 10);
}

static void client_connect(void)
{
	struct sockaddr_un sa;

	g_sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(g_sock >= 0);
	assert_int_equal(util_unix_addr(g_path, &sa), 0);
	assert_int_equal(connect(g_sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	pump();
}

static void client_close(void)
{
	close(g_sock);
	g_sock = -1;
	pump();
}

/* Sends g_m with nfds copies of fd. */
static void send_m(int fd, unsigned nfds)
{
	if (nfds)
		send_raw_fds(g_sock, g_m.b, g_m.n, fd, nfds);
	else
		assert_int_equal(send(g_sock, g_m.b, g_m.n, 0), (ssize_t)g_m.n);
}

/* Reads the whole next reply into g_r: its length, or 0 when the server
 * closed the connection. */
static size_t recv_reply(void)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = g_r};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	uint32_t size = 16;
	size_t got = 0;

	g_rfd = -1;
	while (got < size) {
		struct cmsghdr *c;
		ssize_t n;

		assert_true(pump_until_readable());
		iov.iov_base = g_r + got;
		iov.iov_len = size - got;
		mh.msg_control = control;
		mh.msg_controllen = sizeof(control);
		n = recvmsg(g_sock, &mh, MSG_CMSG_CLOEXEC);
		assert_true(n >= 0);
		if (n == 0)
			return 0;
		c = CMSG_FIRSTHDR(&mh);
		if (c && c->cmsg_type == SCM_RIGHTS)
			memcpy(&g_rfd, CMSG_DATA(c), sizeof(int));
		got += (size_t)n;
		if (got >= 8)
			memcpy(&size, g_r + 4, 4);
	}
	return got;
}

static size_t xfer(int fd, unsigned nfds)
{
	send_m(fd, nfds);
	return recv_reply();
}

/* Completes the quiesce the device holds. */
static void release(void)
{
	void (*done)(void *arg) = g_dev.done;

	assert_non_null(done);
	g_dev.done = NULL;
	done(g_dev.done_arg);
}

static uint32_t r32(size_t off)
{
	uint32_t v;

	memcpy(&v, g_r + off, 4);
	return v;
}

static uint64_t r64(size_t off)
{
	uint64_t v;

	memcpy(&v, g_r + off, 8);
	return v;
}

/* The reply's header: id, command, size, flags (Reply, maybe Error), error. */
static void check_hdr(uint16_t id, uint16_t cmd, uint32_t size, uint32_t flags, uint32_t err)
{
	struct bytes want;

	put_hdr(&want, id, cmd, flags, err);
	for (unsigned i = 0; i < 4; i++)
		want.b[4 + i] = (uint8_t)(size >> (8 * i));
	assert_memory_equal(g_r, want.b, 16);
}

static void put_version(uint16_t id, uint16_t major, const char *json)
{
	put_hdr(&g_m, id, 1, 0, 0);
	put16(&g_m, major);
	put16(&g_m, 0);
	if (json)
		put_str(&g_m, json);
	done(&g_m);
}

static void negotiate(void)
{
	put_version(1, 0, "{\"capabilities\":{\"max_msg_fds\":4}}");
	assert_true(xfer(-1, 0) > 20);
	assert_int_equal(r32(8), 1);
}

static int setup(void **state)
{
	struct vfio_user_server_opts o = {
	    .loop = NULL, .ops = &g_ops, .dev = &g_dev, .max_dma_maps = 3, .max_msg_fds = 4};

	(void)state;
	log_start();
	g_nfds = count_fds();
	memset(&g_dev, 0, sizeof(g_dev));
	g_dev.irq_fd = -1;
	g_dev.bar_fd = memfd_create("fake-bar", MFD_CLOEXEC);
	assert_true(g_dev.bar_fd >= 0);
	strcpy(g_dir, "/tmp/vfu-unit-XXXXXX");
	assert_non_null(mkdtemp(g_dir));
	snprintf(g_path, sizeof(g_path), "%s/cntrl", g_dir);
	assert_int_equal(evloop_create(&g_loop), 0);
	o.loop = g_loop;
	o.path = g_path;
	assert_int_equal(vfio_user_server_create(&o, &g_srv), 0);
	client_connect();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (g_sock >= 0)
		client_close();
	if (g_dev.done)
		release();
	vfio_user_server_destroy(g_srv);
	evloop_destroy(g_loop);
	assert_int_equal(access(g_path, F_OK), -1);
	rmdir(g_dir);
	if (g_dev.irq_fd >= 0)
		close(g_dev.irq_fd);
	close(g_dev.bar_fd);
	assert_int_equal(count_fds(), g_nfds);
	log_set_sink(NULL, NULL);
	return 0;
}

static void test_version(void **state)
{
	static const char caps[] =
	    "{\"capabilities\":{\"max_msg_fds\":4,\"max_data_xfer_size\":1048576,"
	    "\"max_dma_maps\":3,\"pgsizes\":4096,\"write_multiple\":false}}";
	size_t n;

	(void)state;
	put_version(9, 0, "{\"capabilities\":{\"max_msg_fds\":4}}");
	n = xfer(-1, 0);
	/* "the same format is used for the server's reply": 0.0, then our
	 * capabilities (max_dma_maps ours, below the client's default). */
	assert_int_equal(n, 16 + 4 + sizeof(caps));
	check_hdr(9, 1, (uint32_t)n, 1, 0);
	assert_int_equal(r32(16), 0);
	assert_memory_equal(g_r + 20, caps, sizeof(caps));
	assert_int_equal(g_dev.attach, 1);
	assert_true(vfio_user_server_attached(g_srv));

	/* A second VERSION: an error reply, still attached. */
	put_version(10, 0, NULL);
	assert_int_equal(xfer(-1, 0), 16);
	check_hdr(10, 1, 16, 0x21, EINVAL);
	assert_int_equal(g_dev.attach, 1);
}

static void test_version_bad_major(void **state)
{
	(void)state;
	put_version(3, 1, NULL);
	assert_int_equal(xfer(-1, 0), 16);
	check_hdr(3, 1, 16, 0x21, EINVAL);
	/* Then the connection is closed. */
	assert_true(pump_until_readable());
	assert_int_equal(recv(g_sock, g_r, 1, 0), 0);
	assert_int_equal(g_dev.attach, 0);
	assert_true(log_has("vfio-user.rst VFIO_USER_VERSION"));
}

static void put_device_info(uint16_t id)
{
	put_hdr(&g_m, id, 4, 0, 0);
	put32(&g_m, 16);
	put32(&g_m, 0);
	put32(&g_m, 0);
	put32(&g_m, 0);
	done(&g_m);
}

static void test_version_first(void **state)
{
	(void)state;
	put_device_info(5);
	assert_int_equal(xfer(-1, 0), 16);
	check_hdr(5, 4, 16, 0x21, EINVAL);
	assert_true(pump_until_readable());
	assert_int_equal(recv(g_sock, g_r, 1, 0), 0);
	assert_true(log_has("before VERSION"));

	/* The server listens on: the next client is served. */
	client_close();
	client_connect();
	negotiate();
	put_device_info(6);
	assert_int_equal(xfer(-1, 0), 32);
	check_hdr(6, 4, 32, 1, 0);
	assert_int_equal(r32(16), 16);
	assert_int_equal(r32(20), VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
	assert_int_equal(r32(24), 2);
	assert_int_equal(r32(28), 1);
}

static void test_region_info(void **state)
{
	(void)state;
	negotiate();
	put_region_info_req(&g_m, 2, 64, 0);
	assert_int_equal(xfer(-1, 0), 16 + 64);
	check_hdr(2, 5, 80, 1, 0);
	/* struct vfio_region_info, then the sparse mmap capability. */
	assert_int_equal(r32(16), 64);
	assert_int_equal(r32(20), VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
				      VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS);
	assert_int_equal(r32(24), 0);
	assert_int_equal(r32(28), 32);
	assert_int_equal(r64(32), 0x2000);
	assert_int_equal(r64(40), 0x10000);
	assert_int_equal(r32(48), VFIO_REGION_INFO_CAP_SPARSE_MMAP | (1u << 16));
	assert_int_equal(r32(52), 0);
	assert_int_equal(r32(56), 1);
	assert_int_equal(r64(64), 0x1000);
	assert_int_equal(r64(72), 0x1000);
	/* The fd came along, and it is the device's memfd. */
	assert_true(g_rfd >= 0);
	assert_int_equal(write(g_rfd, "x", 1), 1);
	assert_int_equal(pread(g_dev.bar_fd, g_r, 1, 0), 1);
	assert_int_equal(g_r[0], 'x');
	close(g_rfd);

	/* No MMAP: no fd. Past num_regions: EINVAL. */
	put_region_info_req(&g_m, 3, 32, 1);
	assert_int_equal(xfer(-1, 0), 48);
	assert_int_equal(g_rfd, -1);
	assert_int_equal(r32(20), VFIO_REGION_INFO_FLAG_READ);
	put_region_info_req(&g_m, 4, 32, 2);
	assert_int_equal(xfer(-1, 0), 16);
	check_hdr(4, 5, 16, 0x21, EINVAL);
}

static void put_access(uint16_t id, uint16_t cmd, uint64_t off, uint32_t region, uint32_t count)
{
	put_hdr(&g_m, id, cmd, 0, 0);
	put64(&g_m, off);
	put32(&g_m, region);
	put32(&g_m, count);
	if (cmd == 10)
		for (uint32_t i = 0; i < count; i++)
			put8(&g_m, (uint8_t)(0x10 + i));
	done(&g_m);
}

static void test_region_access(void **state)
{
	(void)state;
	negotiate();
	put_access(2, 10, 0x100, 0, 4);
	assert_int_equal(xfer(-1, 0), 32);
	check_hdr(2, 10, 32, 1, 0);
	assert_int_equal(r64(16), 0x100);
	assert_int_equal(r32(24), 0);
	assert_int_equal(r32(28), 4);
	assert_int_equal(g_dev.access, 1);
	assert_true(g_dev.acc_write);
	assert_int_equal(g_dev.acc_offset, 0x100);
	assert_memory_equal(g_dev.acc_data, "\x10\x11\x12\x13", 4);

	put_access(3, 9, 0xfc, 1, 4);
	assert_int_equal(xfer(-1, 0), 36);
	check_hdr(3, 9, 36, 1, 0);
	assert_memory_equal(g_r + 32, "\xa0\xa1\xa2\xa3", 4);
	assert_int_equal(g_dev.acc_index, 1);

	/* Refused before the device sees them: past the end, a write to a
	 * read-only region, no such region. */
	put_access(4, 9, 0xfd, 1, 4);
	assert_int_equal(xfer(-1, 0), 16);
	check_hdr(4, 9, 16, 0x21, EINVAL);
	put_access(5, 10, 0, 1, 1);
	assert_int_equal(xfer(-1, 0), 16);
	check_hdr(5, 10, 16, 0x21, EINVAL);
	put_access(6, 9, 0, 7, 1);
	assert_int_equal(xfer(-1, 0), 16);
	assert_int_equal(g_dev.access, 2);
}

static void put_dma_map(uint16_t id, uint64_t offset, uint64_t addr, uint64_t size)
{
	put_hdr(&g_m, id, 2, 0, 0);
	put32(&g_m, 32);
	put32(&g_m, 3);
	put64(&g_m, offset);
	put64(&g_m, addr);
	put64(&g_m, size);
	done(&g_m);
}

static void put_dma_unmap(uint16_t id, uint32_t flags, uint64_t addr, uint64_t size)
{
	put_hdr(&g_m, id, 3, 0, 0);
	put32(&g_m, 24);
	put32(&g_m, flags);
	put64(&g_m, addr);
	put64(&g_m, size);
	done(&g_m);
}

/* Sends g_m, then checks nothing comes back until the device quiesced. */
static size_t xfer_quiesced(int fd, unsigned nfds)
{
	struct pollfd p = {.fd = g_sock, .events = POLLIN};
	unsigned before = g_dev.quiesce, resumed = g_dev.resume;

	send_m(fd, nfds);
	pump();
	assert_int_equal(g_dev.quiesce, before + 1);
	assert_int_equal(poll(&p, 1, 0), 0); /* held until done */
	assert_int_equal(g_dev.resume, resumed);
	release();
	assert_int_equal(g_dev.resume, resumed + 1);
	return recv_reply();
}

static void test_dma(void **state)
{
	const struct mem_table *t = vfio_user_server_dma(g_srv);
	int fd = memfd_create("dma", MFD_CLOEXEC);
	uint8_t *hva;

	(void)state;
	assert_int_equal(ftruncate(fd, 0x4000), 0);
	assert_int_equal(pwrite(fd, "guest", 5, 0x1000), 5);
	negotiate();
	put_dma_map(2, 0x1000, 0x100000, 0x2000);
	assert_int_equal(xfer_quiesced(fd, 1), 16);
	check_hdr(2, 2, 16, 1, 0);
	assert_int_equal(t->nregions, 1);
	hva = mem_gpa_to_hva(t, 0x100000, 5);
	assert_non_null(hva);
	assert_memory_equal(hva, "guest", 5);

	/* Overlap: EEXIST at once, the table untouched, no quiesce. */
	put_dma_map(3, 0, 0x101000, 0x2000);
	assert_int_equal(xfer(fd, 1), 16);
	check_hdr(3, 2, 16, 0x21, EEXIST);
	/* Not mappable: recorded without a quiesce. */
	put_dma_map(4, 0, 0x200000, 0x1000);
	assert_int_equal(xfer(-1, 0), 16);
	check_hdr(4, 2, 16, 1, 0);
	put_dma_map(5, 0, 0x300000, 0x1000);
	assert_int_equal(xfer(-1, 0), 16);
	/* max_dma_maps 3. */
	put_dma_map(6, 0, 0x400000, 0x1000);
	assert_int_equal(xfer(-1, 0), 16);
	check_hdr(6, 2, 16, 0x21, ENOSPC);
	assert_int_equal(g_dev.quiesce, 1);

	/* Unmap: not a mapping; then exactly one, echoed, under a quiesce. */
	put_dma_unmap(7, 0, 0x100000, 0x1000);
	assert_int_equal(xfer(-1, 0), 16);
	check_hdr(7, 3, 16, 0x21, ENOENT);
	put_dma_unmap(8, 0, 0x100000, 0x2000);
	assert_int_equal(xfer_quiesced(-1, 0), 40);
	check_hdr(8, 3, 40, 1, 0);
	/* "responds with the original DMA entry in the request" */
	assert_memory_equal(g_r + 16, g_m.b + 16, 24);
	assert_int_equal(r32(16), 24);
	assert_int_equal(r64(24), 0x100000);
	assert_int_equal(r64(32), 0x2000);
	assert_int_equal(t->nregions, 0);

	/* The client leaves with a mapping: detached under a quiesce, the
	 * table cleared. */
	put_dma_map(9, 0, 0x100000, 0x1000);
	assert_int_equal(xfer_quiesced(fd, 1), 16);
	assert_int_equal(t->nregions, 1);
	close(g_sock);
	g_sock = -1;
	pump();
	assert_int_equal(g_dev.quiesce, 4);
	assert_int_equal(g_dev.detach, 0);
	/* A client that comes meanwhile (a VMM reconnecting at once) is not
	 * refused: it is served once the device is detached. */
	client_connect();
	release();
	assert_int_equal(g_dev.detach, 1);
	assert_int_equal(t->nregions, 0);
	assert_false(vfio_user_server_attached(g_srv));
	pump();
	assert_false(log_has("a second client"));
	negotiate();
	close(fd);
}

static void put_set_irqs(uint16_t id, uint32_t flags, uint32_t start, uint32_t count)
{
	put_hdr(&g_m, id, 8, 0, 0);
	put32(&g_m, 20);
	put32(&g_m, flags);
	put32(&g_m, 0);
	put32(&g_m, start);
	put32(&g_m, count);
	done(&g_m);
}

static void test_set_irqs(void **state)
{
	int efd = eventfd(0, EFD_CLOEXEC);

	(void)state;
	negotiate();
	put_set_irqs(2, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, 1, 1);
	assert_int_equal(xfer(efd, 1), 16);
	check_hdr(2, 8, 16, 1, 0);
	assert_int_equal(g_dev.irq.start, 1);
	assert_int_equal(g_dev.irq.count, 1);
	assert_int_equal(g_dev.irq.action, VFIO_IRQ_SET_ACTION_TRIGGER);
	assert_int_equal(g_dev.irq.data, VFIO_IRQ_SET_DATA_EVENTFD);
	/* The device's fd is our eventfd (another number, the same file). */
	assert_true(g_dev.irq_fd >= 0);
	assert_int_equal(eventfd_write(g_dev.irq_fd, 3), 0);
	{
		eventfd_t v;

		assert_int_equal(eventfd_read(efd, &v), 0);
		assert_int_equal(v, 3);
	}
	/* Not MASKABLE; past the index's two vectors. */
	put_set_irqs(3, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK, 0, 1);
	assert_int_equal(xfer(-1, 0), 16);
	check_hdr(3, 8, 16, 0x21, EINVAL);
	put_set_irqs(4, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, 1, 2);
	assert_int_equal(xfer(-1, 0), 16);
	check_hdr(4, 8, 16, 0x21, EINVAL);
	assert_true(log_has("vfio-user.rst VFIO_USER_DEVICE_SET_IRQS"));
	close(efd);
}

static void test_framing(void **state)
{
	(void)state;
	negotiate();
	/* Command 14 is not assigned: an error reply, the stream goes on. */
	put_hdr(&g_m, 2, 14, 0, 0);
	put32(&g_m, 0);
	done(&g_m);
	assert_int_equal(xfer(-1, 0), 16);
	check_hdr(2, 14, 16, 0x21, EOPNOTSUPP);
	/* DEVICE_RESET with No_reply: done, nothing sent; then reset again. */
	put_hdr(&g_m, 3, 13, VFIO_USER_F_NO_REPLY, 0);
	done(&g_m);
	send_m(-1, 0);
	put_hdr(&g_m, 4, 13, 0, 0);
	done(&g_m);
	assert_int_equal(xfer(-1, 0), 16);
	check_hdr(4, 13, 16, 1, 0);
	assert_int_equal(g_dev.reset, 2);
	/* A size below the header: the stream is lost, the client dropped. */
	put_hdr(&g_m, 5, 4, 0, 0);
	g_m.b[4] = 8;
	assert_int_equal(xfer(-1, 0), 0);
	assert_true(log_has("vfio-user.rst Header"));
	client_close();
	release();
	assert_int_equal(g_dev.detach, 1);
}

static void test_quiesce_refused(void **state)
{
	const struct mem_table *t = vfio_user_server_dma(g_srv);
	int fd = memfd_create("dma", MFD_CLOEXEC);

	(void)state;
	assert_int_equal(ftruncate(fd, 0x1000), 0);
	negotiate();
	/* The device cannot quiesce: its errno is the reply's, the fd is
	 * closed (teardown counts fds), the table untouched. */
	g_dev.quiesce_err = -EBUSY;
	put_dma_map(2, 0, 0x100000, 0x1000);
	assert_int_equal(xfer(fd, 1), 16);
	check_hdr(2, 2, 16, 0x21, EBUSY);
	assert_int_equal(t->nregions, 0);
	assert_int_equal(g_dev.resume, 0);
	/* The connection is read again. */
	g_dev.quiesce_err = 0;
	put_dma_map(3, 0, 0x100000, 0x1000);
	assert_int_equal(xfer_quiesced(fd, 1), 16);
	check_hdr(3, 2, 16, 1, 0);
	assert_int_equal(t->nregions, 1);
	close(fd);
}

static void test_too_many_fds(void **state)
{
	int efd = eventfd(0, EFD_CLOEXEC);

	(void)state;
	negotiate();
	/* max_msg_fds 4 was announced; five came: refused, all closed. */
	put_set_irqs(2, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, 0, 5);
	assert_int_equal(xfer(efd, 5), 16);
	check_hdr(2, 8, 16, 0x21, EPROTO);
	assert_true(log_has("max_msg_fds"));
	assert_int_equal(g_dev.irq_fd, -1);
	close(efd);
}

static void test_one_client(void **state)
{
	int first = g_sock;

	(void)state;
	negotiate();
	client_connect();
	/* The second one is closed at once. */
	assert_true(pump_until_readable());
	assert_int_equal(recv(g_sock, g_r, 1, 0), 0);
	assert_true(log_has("a second client"));
	close(g_sock);
	g_sock = first;
	put_device_info(2);
	assert_int_equal(xfer(-1, 0), 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_version, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_version_bad_major, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_version_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_region_info, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_region_access, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dma, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_set_irqs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_framing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_quiesce_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many_fds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_one_client, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
