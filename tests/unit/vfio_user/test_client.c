/* SPDX-License-Identifier: MIT */
/*
 * The vfio-user client against a server the test plays: replies written
 * byte by byte from vfio-user.rst's tables are queued on a socketpair, and
 * what the client sent is read back and compared byte by byte; the message
 * tap sees each message once.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>

#include <cmocka.h>

#include "tests/unit/vfio_user/client_peer.h"
#include "util/common.h"
#include "util/unix_sock.h"

static int g_fds_before;

static int setup(void **state)
{
	(void)state;
	log_start();
	g_fds_before = count_fds();
	return 0;
}

/* Everything the client and the peer opened is closed again. */
static int teardown(void **state)
{
	(void)state;
	peer_close();
	assert_int_equal(count_fds(), g_fds_before);
	return 0;
}

/* Connection Initiation: VERSION first, then DEVICE_GET_INFO, then the
 * region infos; a cut reply asked again with the argsz it gave. */
static void test_attach(void **state)
{
	const struct vfio_user_client_region *r0, *r1;
	int cli;

	(void)state;
	peer_open(&cli);
	peer_device_queue("{\"capabilities\":{\"max_msg_fds\":8,\"max_data_xfer_size\":4096,"
			  "\"max_dma_maps\":3,\"pgsizes\":4096}}");
	assert_int_equal(vfio_user_client_attach(cli, 2000, &g_c), 0);

	put_hdr(&g_m, 0, T_VERSION, 0, 0);
	put16(&g_m, 0);
	put16(&g_m, 0);
	put_str(&g_m, T_CLIENT_CAPS);
	peer_expect();
	put_hdr(&g_m, 1, T_DEVICE_INFO, 0, 0);
	put32(&g_m, 16);
	put32(&g_m, 0);
	put32(&g_m, 0);
	put32(&g_m, 0);
	peer_expect();
	put_region_info_req(&g_m, 2, 32, 0);
	peer_expect();
	put_region_info_req(&g_m, 3, 32, 1);
	peer_expect();
	put_region_info_req(&g_m, 4, 64, 1);
	peer_expect();
	peer_expect_nothing();

	assert_int_equal(vfio_user_client_server_caps(g_c)->max_msg_fds, 8);
	assert_int_equal(vfio_user_client_server_caps(g_c)->max_data_xfer_size, 4096);
	assert_int_equal(vfio_user_client_server_caps(g_c)->max_dma_maps, 3);
	assert_int_equal(vfio_user_client_device_info(g_c)->num_regions, 2);
	assert_int_equal(vfio_user_client_device_info(g_c)->num_irqs, 5);
	r0 = vfio_user_client_region(g_c, 0);
	r1 = vfio_user_client_region(g_c, 1);
	assert_non_null(r0);
	assert_non_null(r1);
	assert_null(vfio_user_client_region(g_c, 2));
	assert_int_equal(r0->info.size, 256);
	assert_int_equal(r0->nr_areas, 0);
	assert_int_equal(r1->info.size, 8192);
	assert_int_equal(r1->nr_areas, 1);
	assert_int_equal(r1->areas[0].offset, 4096);
	assert_int_equal(r1->areas[0].size, 4096);
	assert_false(vfio_user_client_broken(g_c));
}

/* "Sparse Regions": the area is the server's memory, seen both ways. */
static void test_region_map(void **state)
{
	uint8_t *p;
	void *addr, *again;
	char buf[8];

	(void)state;
	peer_attach(NULL, 2000);
	assert_int_equal(vfio_user_client_region_map(g_c, 1, 0, &addr), 0);
	p = addr;
	/* The area starts at the region's offset 4096 in the server's fd. */
	assert_int_equal(pwrite(g_region_fd, "doorbel", 8, 4096 + 16), 8);
	assert_memory_equal(p + 16, "doorbel", 8);
	memcpy(p + 100, "written", 8);
	assert_int_equal(pread(g_region_fd, buf, 8, 4096 + 100), 8);
	assert_memory_equal(buf, "written", 8);
	assert_int_equal(vfio_user_client_region_map(g_c, 1, 0, &again), 0);
	assert_ptr_equal(again, addr);

	/* "an mmap the server did not offer": region 0 has none, region 1 one. */
	assert_int_equal(vfio_user_client_region_map(g_c, 0, 0, &addr), -ENOENT);
	assert_int_equal(vfio_user_client_region_map(g_c, 1, 1, &addr), -ENOENT);
	assert_true(log_has("vfio-user.rst Sparse Regions"));
	peer_expect_nothing();
}

/* The server proposes no capabilities: the spec's defaults hold. */
static void test_version_no_caps(void **state)
{
	(void)state;
	peer_attach(NULL, 2000);
	assert_int_equal(vfio_user_client_server_caps(g_c)->max_msg_fds, 1);
	assert_int_equal(vfio_user_client_server_caps(g_c)->max_data_xfer_size, 1048576);
	assert_int_equal(vfio_user_client_server_caps(g_c)->pgsizes, 4096);
}

/* "The major version in the reply must be the same as proposed", the minor
 * no higher: the client gives up after VERSION. */
static void test_version_bigger(void **state)
{
	int cli;

	(void)state;
	peer_open(&cli);
	peer_version_reply(0, 1, 0, NULL);
	assert_int_equal(vfio_user_client_attach(cli, 2000, &g_c), -EPROTO);
	g_c = NULL;
	close(g_srv);
	peer_open(&cli);
	peer_version_reply(0, 0, 1, NULL);
	assert_int_equal(vfio_user_client_attach(cli, 2000, &g_c), -EPROTO);
	g_c = NULL;
	assert_true(log_has("a version the client did not propose"));
}

/* A region access request: offset, region, count, then data. */
static void put_access(uint16_t id, uint16_t cmd, uint32_t flags, uint64_t offset, uint32_t region,
		       uint32_t count, const uint8_t *data)
{
	put_hdr(&g_m, id, cmd, flags, 0);
	put64(&g_m, offset);
	put32(&g_m, region);
	put32(&g_m, count);
	for (uint32_t i = 0; data && i < count; i++)
		put8(&g_m, data[i]);
}

/* "Read and Write Operations": no message past max_data_xfer_size (64). */
static void test_region_rw_split(void **state)
{
	uint8_t data[100], back[100];
	uint64_t v;

	(void)state;
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 1);
	peer_attach("{\"capabilities\":{\"max_data_xfer_size\":64}}", 2000);

	put_access(5, T_REGION_WRITE, T_REPLY, 8, 0, 64, NULL);
	peer_queue(-1, 0);
	put_access(6, T_REGION_WRITE, T_REPLY, 72, 0, 36, NULL);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_region_write(g_c, 0, 8, data, sizeof(data)), 0);
	put_access(5, T_REGION_WRITE, 0, 8, 0, 64, data);
	peer_expect();
	put_access(6, T_REGION_WRITE, 0, 72, 0, 36, data + 64);
	peer_expect();

	put_access(7, T_REGION_READ, T_REPLY, 8, 0, 64, data);
	peer_queue(-1, 0);
	put_access(8, T_REGION_READ, T_REPLY, 72, 0, 36, data + 64);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_region_read(g_c, 0, 8, back, sizeof(back)), 0);
	assert_memory_equal(back, data, sizeof(data));
	put_access(7, T_REGION_READ, 0, 8, 0, 64, NULL);
	peer_expect();
	put_access(8, T_REGION_READ, 0, 72, 0, 36, NULL);
	peer_expect();

	/* A 4-byte register: one message, the host's byte order. */
	put_access(9, T_REGION_READ, T_REPLY, 0x1c, 1, 4, (const uint8_t *)"\x01\x00\x01\x00");
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_reg_read(g_c, 1, 0x1c, 4, &v), 0);
	assert_int_equal(v, 0x10001);
	put_access(9, T_REGION_READ, 0, 0x1c, 1, 4, NULL);
	peer_expect();
	put_access(10, T_REGION_WRITE, T_REPLY, 0x14, 1, 2, NULL);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_reg_write(g_c, 1, 0x14, 2, 0x4601), 0);
	put_access(10, T_REGION_WRITE, 0, 0x14, 1, 2, (const uint8_t *)"\x01\x46");
	peer_expect();

	/* Refused before anything is sent. */
	assert_int_equal(vfio_user_client_region_read(g_c, 0, 250, back, 8), -ERANGE);
	assert_int_equal(vfio_user_client_reg_read(g_c, 1, 0, 3, &v), -EINVAL);
	assert_int_equal(vfio_user_client_region_write(g_c, 2, 0, data, 1), -ENOENT);
	peer_expect_nothing();
	assert_false(vfio_user_client_broken(g_c));
}

/* Transfers past the client's first buffers (4 KiB), in one message each
 * at the default max_data_xfer_size. */
static void test_region_rw_large(void **state)
{
	static uint8_t data[6000], back[6000];

	(void)state;
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ (i >> 8));
	peer_attach(NULL, 2000);
	put_access(5, T_REGION_WRITE, T_REPLY, 0, 1, sizeof(data), NULL);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_region_write(g_c, 1, 0, data, sizeof(data)), 0);
	put_access(5, T_REGION_WRITE, 0, 0, 1, sizeof(data), data);
	peer_expect();
	put_access(6, T_REGION_READ, T_REPLY, 0, 1, sizeof(data), data);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_region_read(g_c, 1, 0, back, sizeof(back)), 0);
	assert_memory_equal(back, data, sizeof(data));
	put_access(6, T_REGION_READ, 0, 0, 1, sizeof(data), NULL);
	peer_expect();
}

/* "VFIO_USER_DMA_MAP": argsz, flags, offset, address, size, and the fd;
 * the server maps the fd and sees the client's memory. */
static void test_dma_map(void **state)
{
	struct vfio_user_client_dma d = {
	    .iova = 0x100000, .size = 0x2000, .prot = 3, .offset = 0x1000};
	struct bytes got;
	unsigned nfds;
	int fds[16];
	uint8_t *mem, *seen;
	int guest_fd;

	(void)state;
	peer_attach("{\"capabilities\":{\"max_dma_maps\":2}}", 2000);
	d.fd = guest_fd = memfd_create("guest", MFD_CLOEXEC);
	assert_int_equal(ftruncate(d.fd, 0x3000), 0);
	mem = mmap(NULL, 0x3000, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, 0);
	assert_true(mem != MAP_FAILED);
	memcpy(mem + 0x1000, "guest memory", 13);
	d.vaddr = mem + 0x1000;

	put_hdr(&g_m, 5, T_DMA_MAP, T_REPLY, 0);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_dma_map(g_c, &d), 0);
	peer_get(&got, fds, &nfds);
	put_hdr(&g_m, 5, T_DMA_MAP, 0, 0);
	put32(&g_m, 32);
	put32(&g_m, 3);
	put64(&g_m, 0x1000);
	put64(&g_m, 0x100000);
	put64(&g_m, 0x2000);
	done(&g_m);
	assert_int_equal(got.n, g_m.n);
	assert_memory_equal(got.b, g_m.b, g_m.n);
	assert_int_equal(nfds, 1);
	seen = mmap(NULL, 0x2000, PROT_READ, MAP_SHARED, fds[0], 0x1000);
	assert_true(seen != MAP_FAILED);
	assert_memory_equal(seen, "guest memory", 13);
	munmap(seen, 0x2000);
	close(fds[0]);

	/* Overlap, misalignment, unknown mapping: nothing sent. */
	assert_int_equal(vfio_user_client_dma_map(g_c, &d), -EEXIST);
	d.iova = 0x200800;
	assert_int_equal(vfio_user_client_dma_map(g_c, &d), -EINVAL);
	assert_int_equal(vfio_user_client_dma_unmap(g_c, 0x100000, 0x1000), -ENOENT);
	peer_expect_nothing();

	/* A second one without an fd (offset 0 sent), then max_dma_maps. */
	d.iova = 0x300000;
	d.fd = -1;
	put_hdr(&g_m, 6, T_DMA_MAP, T_REPLY, 0);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_dma_map(g_c, &d), 0);
	put_hdr(&g_m, 6, T_DMA_MAP, 0, 0);
	put32(&g_m, 32);
	put32(&g_m, 3);
	put64(&g_m, 0);
	put64(&g_m, 0x300000);
	put64(&g_m, 0x2000);
	peer_expect();
	d.iova = 0x400000;
	assert_int_equal(vfio_user_client_dma_map(g_c, &d), -ENOSPC);

	/* "VFIO_USER_DMA_UNMAP": argsz, flags, address, size; echoed back. */
	put_hdr(&g_m, 7, T_DMA_UNMAP, T_REPLY, 0);
	put32(&g_m, 24);
	put32(&g_m, 0);
	put64(&g_m, 0x100000);
	put64(&g_m, 0x2000);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_dma_unmap(g_c, 0x100000, 0x2000), 0);
	g_m.b[8] = 0; /* the request: the same bytes as a command */
	peer_expect();
	munmap(mem, 0x3000);
	close(guest_fd);
}

/* "VFIO_USER_DEVICE_SET_IRQS" with eventfds: at most max_msg_fds (2) fds a
 * message; the server signals them and the client sees it. */
static void test_set_irqs(void **state)
{
	int efd[3], got_fds[16];
	struct bytes got;
	unsigned nfds;
	uint64_t one = 1, val;

	(void)state;
	peer_attach("{\"capabilities\":{\"max_msg_fds\":2}}", 2000);
	for (unsigned i = 0; i < 3; i++)
		efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	put_hdr(&g_m, 5, T_SET_IRQS, T_REPLY, 0);
	peer_queue(-1, 0);
	put_hdr(&g_m, 6, T_SET_IRQS, T_REPLY, 0);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_set_irqs(g_c, 4, 0, 3, efd), 0);

	/* argsz, flags (DATA_EVENTFD 4 | ACTION_TRIGGER 32), index, start, count. */
	for (unsigned m = 0; m < 2; m++) {
		peer_get(&got, got_fds, &nfds);
		put_hdr(&g_m, 5 + m, T_SET_IRQS, 0, 0);
		put32(&g_m, 20);
		put32(&g_m, 4 | 32);
		put32(&g_m, 4);
		put32(&g_m, m * 2);
		put32(&g_m, m ? 1 : 2);
		done(&g_m);
		assert_int_equal(got.n, g_m.n);
		assert_memory_equal(got.b, g_m.b, g_m.n);
		assert_int_equal(nfds, m ? 1 : 2);
		for (unsigned i = 0; i < nfds; i++) {
			assert_int_equal(write(got_fds[i], &one, 8), 8);
			close(got_fds[i]);
			assert_int_equal(read(efd[m * 2 + i], &val, 8), 8);
			assert_int_equal(val, 1);
		}
	}

	/* "If no file descriptors are provided, this de-assigns". */
	put_hdr(&g_m, 7, T_SET_IRQS, T_REPLY, 0);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_set_irqs(g_c, 4, 0, 3, NULL), 0);
	put_hdr(&g_m, 7, T_SET_IRQS, 0, 0);
	put32(&g_m, 20);
	put32(&g_m, 4 | 32);
	put32(&g_m, 4);
	put32(&g_m, 0);
	put32(&g_m, 3);
	peer_expect();
	assert_int_equal(vfio_user_client_set_irqs(g_c, 5, 0, 1, efd), -ENOENT);
	for (unsigned i = 0; i < 3; i++)
		close(efd[i]);
}

/* "VFIO_USER_DEVICE_GET_IRQ_INFO" and "VFIO_USER_DEVICE_RESET". */
static void test_irq_info_reset(void **state)
{
	struct vfio_irq_info info;

	(void)state;
	peer_attach(NULL, 2000);
	put_hdr(&g_m, 5, T_IRQ_INFO, T_REPLY, 0);
	put32(&g_m, 16);
	put32(&g_m, 0x7); /* EVENTFD | MASKABLE | AUTOMASKED */
	put32(&g_m, 4);
	put32(&g_m, 33);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_irq_info(g_c, 4, &info), 0);
	assert_int_equal(info.count, 33);
	assert_int_equal(info.flags, 7);
	put_hdr(&g_m, 5, T_IRQ_INFO, 0, 0);
	put32(&g_m, 16);
	put32(&g_m, 0);
	put32(&g_m, 4);
	put32(&g_m, 0);
	peer_expect();

	put_hdr(&g_m, 6, T_RESET, T_REPLY, 0);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_reset(g_c), 0);
	put_hdr(&g_m, 6, T_RESET, 0, 0);
	peer_expect();
}

/* The server's DMA_READ / DMA_WRITE while the client waits: served from
 * the mappings made, refused outside them or where prot forbids. */
static void test_dma_served(void **state)
{
	uint8_t mem[0x2000], ro[0x1000];
	struct vfio_user_client_dma d = {.iova = 0x10000, .size = 0x2000, .prot = 3, .fd = -1};
	uint64_t v;

	(void)state;
	memset(mem, 0, sizeof(mem));
	memcpy(mem + 0x100, "0123456789", 10);
	memset(ro, 0xaa, sizeof(ro));
	d.vaddr = mem;
	peer_attach(NULL, 2000);
	put_hdr(&g_m, 5, T_DMA_MAP, T_REPLY, 0);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_dma_map(g_c, &d), 0);
	d = (struct vfio_user_client_dma){
	    .iova = 0x20000, .size = 0x1000, .prot = 1, .fd = -1, .vaddr = ro};
	put_hdr(&g_m, 6, T_DMA_MAP, T_REPLY, 0);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_dma_map(g_c, &d), 0);
	peer_skip(2); /* the two DMA_MAPs, checked in test_dma_map */

	/* Queued before the reply: read 10 bytes, write 4, write into the
	 * read-only mapping, read past the mappings, a No_reply write. */
	put_hdr(&g_m, 40, T_DMA_READ, 0, 0);
	put64(&g_m, 0x10100);
	put64(&g_m, 10);
	peer_queue(-1, 0);
	put_hdr(&g_m, 41, T_DMA_WRITE, 0, 0);
	put64(&g_m, 0x11ffc);
	put64(&g_m, 4);
	put32(&g_m, 0xdeadbeef);
	peer_queue(-1, 0);
	put_hdr(&g_m, 42, T_DMA_WRITE, 0, 0);
	put64(&g_m, 0x20000);
	put64(&g_m, 1);
	put8(&g_m, 1);
	peer_queue(-1, 0);
	put_hdr(&g_m, 43, T_DMA_READ, 0, 0);
	put64(&g_m, 0x11ff0);
	put64(&g_m, 0x20);
	peer_queue(-1, 0);
	put_hdr(&g_m, 44, T_DMA_WRITE, T_NO_REPLY, 0);
	put64(&g_m, 0x10000);
	put64(&g_m, 2);
	put16(&g_m, 0x4242);
	peer_queue(-1, 0);
	put_access(7, T_REGION_READ, T_REPLY, 0, 0, 4, (const uint8_t *)"\x78\x56\x34\x12");
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_reg_read(g_c, 0, 0, 4, &v), 0);
	assert_int_equal(v, 0x12345678);

	put_access(7, T_REGION_READ, 0, 0, 0, 4, NULL);
	peer_expect();
	/* DMA_READ Reply: address, count, data. */
	put_hdr(&g_m, 40, T_DMA_READ, T_REPLY, 0);
	put64(&g_m, 0x10100);
	put64(&g_m, 10);
	for (unsigned i = 0; i < 10; i++)
		put8(&g_m, (uint8_t)('0' + i));
	peer_expect();
	/* DMA_WRITE Reply: address, a 4-byte count. */
	put_hdr(&g_m, 41, T_DMA_WRITE, T_REPLY, 0);
	put64(&g_m, 0x11ffc);
	put32(&g_m, 4);
	peer_expect();
	assert_memory_equal(mem + 0x1ffc, "\xef\xbe\xad\xde", 4);
	put_hdr(&g_m, 42, T_DMA_WRITE, T_REPLY | T_ERROR, EFAULT);
	peer_expect();
	assert_int_equal(ro[0], 0xaa);
	put_hdr(&g_m, 43, T_DMA_READ, T_REPLY | T_ERROR, EFAULT);
	peer_expect();
	assert_int_equal(mem[0], 0x42);
	assert_int_equal(mem[1], 0x42);
	peer_expect_nothing();
	assert_true(log_has("vfio-user.rst VFIO_USER_DMA_READ"));
	assert_false(vfio_user_client_broken(g_c));
}

static char g_path[64];

/* The server: starts listening 50 ms late, accepts, queues the device. */
static void *late_server(void *arg)
{
	struct timespec late = {.tv_nsec = 50 * 1000 * 1000};
	int lsock;

	(void)arg;
	nanosleep(&late, NULL);
	lsock = util_unix_listen(g_path, 1, 0);
	assert_true(lsock >= 0);
	g_srv = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	assert_true(g_srv >= 0);
	close(lsock);
	peer_device_queue(NULL);
	return NULL;
}

/* "Connection Initiation" by path, retried until the server listens. */
static void test_connect(void **state)
{
	pthread_t t;

	(void)state;
	snprintf(g_path, sizeof(g_path), "/tmp/storlab-vfu-%d.sock", (int)getpid());
	unlink(g_path);
	assert_int_equal(pthread_create(&t, NULL, late_server, NULL), 0);
	assert_int_equal(vfio_user_client_connect(g_path, 2000, &g_c), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	unlink(g_path);
	peer_skip(5);
	assert_int_equal(vfio_user_client_device_info(g_c)->num_regions, 2);
}

/* A path that never appears: the last error once the timeout passed. */
static void test_connect_missing(void **state)
{
	(void)state;
	assert_int_equal(vfio_user_client_connect("/nonexistent/storlab-vfu", 30, &g_c), -ENOENT);
	g_c = NULL;
}

struct tapped {
	bool sent;
	struct vfio_user_hdr hdr;
	uint32_t len;
	unsigned nfds;
};

static struct tapped g_seen[16];
static unsigned g_nseen;

static void on_msg(void *arg, bool sent, const struct vfio_user_hdr *hdr, const uint8_t *payload,
		   uint32_t len, unsigned nfds)
{
	(void)payload;
	assert_ptr_equal(arg, g_seen);
	assert_true(g_nseen < ARRAY_SIZE(g_seen));
	g_seen[g_nseen++] = (struct tapped){sent, *hdr, len, nfds};
}

static void assert_seen(unsigned i, bool sent, uint16_t id, uint16_t cmd, uint32_t flags,
			uint32_t len, unsigned nfds)
{
	const struct tapped *t = &g_seen[i];

	assert_int_equal(t->sent, sent);
	assert_int_equal(t->hdr.msg_id, id);
	assert_int_equal(t->hdr.cmd, cmd);
	assert_int_equal(t->hdr.flags, flags);
	assert_int_equal(t->hdr.msg_size, sizeof(struct vfio_user_hdr) + len);
	assert_int_equal(t->len, len);
	assert_int_equal(t->nfds, nfds);
}

/* The message tap: each message sent and each one received is reported
 * once, in the order of the wire, with its header, payload length and fd
 * count; an error reply too; nothing once the tap is removed. */
static void test_tap_sees_each_message_once(void **state)
{
	const struct vfio_user_client_tap tap = {on_msg, g_seen};
	struct vfio_irq_info info;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	(void)state;
	g_nseen = 0;
	peer_attach(NULL, 2000);
	vfio_user_client_set_tap(g_c, &tap);

	/* a register write: 24 bytes of access header and 2 of data */
	put_access(5, T_REGION_WRITE, T_REPLY, 0x14, 1, 2, NULL);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_reg_write(g_c, 1, 0x14, 2, 0x4601), 0);
	/* SET_IRQS carries its eventfd */
	put_hdr(&g_m, 6, T_SET_IRQS, T_REPLY, 0);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_set_irqs(g_c, 4, 0, 1, &efd), 0);
	/* an error reply is reported as read, before it is judged */
	put_hdr(&g_m, 7, T_IRQ_INFO, T_REPLY | T_ERROR, EINVAL);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_irq_info(g_c, 4, &info), -EINVAL);

	assert_int_equal(g_nseen, 6);
	assert_seen(0, true, 5, T_REGION_WRITE, 0, 16 + 2, 0);
	assert_seen(1, false, 5, T_REGION_WRITE, T_REPLY, 16, 0);
	assert_seen(2, true, 6, T_SET_IRQS, 0, 20, 1);
	assert_seen(3, false, 6, T_SET_IRQS, T_REPLY, 0, 0);
	assert_seen(4, true, 7, T_IRQ_INFO, 0, 16, 0);
	assert_seen(5, false, 7, T_IRQ_INFO, T_REPLY | T_ERROR, 0, 0);
	assert_int_equal(g_seen[5].hdr.error, EINVAL);

	/* removed: the next exchange is not reported */
	vfio_user_client_set_tap(g_c, NULL);
	put_hdr(&g_m, 8, T_RESET, T_REPLY, 0);
	peer_queue(-1, 0);
	assert_int_equal(vfio_user_client_reset(g_c), 0);
	assert_int_equal(g_nseen, 6);
	close(efd);
}

#define CLIENT(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    CLIENT(test_attach),
	    CLIENT(test_region_map),
	    CLIENT(test_version_no_caps),
	    CLIENT(test_version_bigger),
	    CLIENT(test_region_rw_split),
	    CLIENT(test_region_rw_large),
	    CLIENT(test_dma_map),
	    CLIENT(test_set_irqs),
	    CLIENT(test_irq_info_reset),
	    CLIENT(test_dma_served),
	    CLIENT(test_connect),
	    CLIENT(test_connect_missing),
	    CLIENT(test_tap_sees_each_message_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
