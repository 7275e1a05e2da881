/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_UNIT_VFIO_USER_CLIENT_PEER_H
#define STORLAB_TESTS_UNIT_VFIO_USER_CLIENT_PEER_H

/*
 * The server side of the client tests: a socketpair whose far end the test
 * holds. Replies are queued before the client asks (each written byte by
 * byte from vfio-user.rst's tables, bytes.h); what the client sent is read
 * back afterwards and compared byte by byte. Include after <cmocka.h>.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/vfio_user/bytes.h"
#include "tests/unit/vhost/test_util.h"
#include "vfio-user/vfio_user_client.h"

/* The commands' numbers and flags as the spec's tables give them. */
#define T_VERSION      1
#define T_DMA_MAP      2
#define T_DMA_UNMAP    3
#define T_DEVICE_INFO  4
#define T_REGION_INFO  5
#define T_IRQ_INFO     7
#define T_SET_IRQS     8
#define T_REGION_READ  9
#define T_REGION_WRITE 10
#define T_DMA_READ     11
#define T_DMA_WRITE    12
#define T_RESET	       13
#define T_REPLY	       1
#define T_NO_REPLY     0x10
#define T_ERROR	       0x20

/* <linux/vfio.h> values the replies use. */
#define T_REGION_READABLE 1
#define T_REGION_WRITABLE 2
#define T_REGION_MMAP	  4
#define T_REGION_CAPS	  8
#define T_DEVICE_RESET	  1
#define T_DEVICE_PCI	  2

/* The client's proposal: our defaults as JSON, in the order the builder
 * writes them. */
#define T_CLIENT_CAPS                                                                              \
	"{\"capabilities\":{\"max_msg_fds\":1,\"max_data_xfer_size\":1048576,\"max_dma_maps\":"    \
	"65535,\"pgsizes\":4096,\"write_multiple\":false}}"

static int g_srv = -1;		     /* the server's end */
static struct vfio_user_client *g_c; /* the client under test */
static struct bytes g_m;	     /* a message being written */
static int g_region_fd = -1;	     /* region 1's memfd (the server's) */

static inline void peer_put(const struct bytes *m)
{
	assert_int_equal(write(g_srv, m->b, m->n), (ssize_t)m->n);
}

/* g_m, finished, then queued with nfds copies of fd. */
static inline void peer_queue(int fd, unsigned nfds)
{
	done(&g_m);
	if (nfds)
		send_raw_fds(g_srv, g_m.b, g_m.n, fd, nfds);
	else
		peer_put(&g_m);
}

/* Reads one whole message of the client into got, its fds into fds. */
static inline void peer_get(struct bytes *got, int *fds, unsigned *nfds)
{
	char control[CMSG_SPACE(sizeof(int) * 16)];
	struct iovec iov = {.iov_base = got->b, .iov_len = 16};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = control,
			    .msg_controllen = sizeof(control)};
	uint32_t size;

	*nfds = 0;
	assert_int_equal(recvmsg(g_srv, &mh, MSG_WAITALL | MSG_CMSG_CLOEXEC), 16);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		unsigned n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		memcpy(fds + *nfds, CMSG_DATA(c), n * sizeof(int));
		*nfds += n;
	}
	memcpy(&size, got->b + 4, 4);
	assert_true(size >= 16 && size <= sizeof(got->b));
	if (size > 16)
		assert_int_equal(recv(g_srv, got->b + 16, size - 16, MSG_WAITALL),
				 (ssize_t)(size - 16));
	got->n = size;
}

/* The client's next message is exactly g_m (done() applied), with no fds. */
static inline void peer_expect(void)
{
	struct bytes got;
	unsigned nfds;
	int fds[16];

	done(&g_m);
	peer_get(&got, fds, &nfds);
	assert_int_equal(nfds, 0);
	assert_int_equal(got.n, g_m.n);
	assert_memory_equal(got.b, g_m.b, g_m.n);
}

/* The client sent nothing more. */
static inline void peer_expect_nothing(void)
{
	uint8_t b;

	assert_int_equal(recv(g_srv, &b, 1, MSG_DONTWAIT), -1);
}

/* A VERSION reply: 0.minor and caps JSON (NULL: none). */
static inline void peer_version_reply(uint16_t id, uint16_t major, uint16_t minor, const char *caps)
{
	put_hdr(&g_m, id, T_VERSION, T_REPLY, 0);
	put16(&g_m, major);
	put16(&g_m, minor);
	if (caps)
		put_str(&g_m, caps);
	peer_queue(-1, 0);
}

/* "VFIO_USER_DEVICE_GET_INFO" Reply: argsz, flags, num_regions, num_irqs. */
static inline void peer_device_info_reply(uint16_t id, uint32_t nregions, uint32_t nirqs)
{
	put_hdr(&g_m, id, T_DEVICE_INFO, T_REPLY, 0);
	put32(&g_m, 16);
	put32(&g_m, T_DEVICE_PCI | T_DEVICE_RESET);
	put32(&g_m, nregions);
	put32(&g_m, nirqs);
	peer_queue(-1, 0);
}

/* "VFIO_USER_DEVICE_GET_REGION_INFO" Reply, the 32 bytes of struct
 * vfio_region_info: argsz, flags, index, cap_offset, size, offset. */
static inline void peer_region_hdr(uint16_t id, uint32_t argsz, uint32_t flags, uint32_t index,
				   uint32_t cap_offset, uint64_t size, uint64_t offset)
{
	put_hdr(&g_m, id, T_REGION_INFO, T_REPLY, 0);
	put32(&g_m, argsz);
	put32(&g_m, flags);
	put32(&g_m, index);
	put32(&g_m, cap_offset);
	put64(&g_m, size);
	put64(&g_m, offset);
}

/* The sparse mmap capability ("VFIO region info cap sparse mmap": id 1,
 * version 1, next, nr_areas, reserved) with one area. */
static inline void peer_sparse_area(uint64_t offset, uint64_t size)
{
	put16(&g_m, 1);
	put16(&g_m, 1);
	put32(&g_m, 0);
	put32(&g_m, 1);
	put32(&g_m, 0);
	put64(&g_m, offset);
	put64(&g_m, size);
}

/*
 * The device most tests use, set up with ids 0-4: server caps as given,
 * two regions, five IRQ indexes. Region 0 (256 bytes) is read/write
 * through messages only; region 1 (8 KiB, BAR0-like) has its second page
 * mappable: its first reply is cut at 32 bytes (argsz 64 asked again).
 */
static inline void peer_device_queue(const char *server_caps)
{
	g_region_fd = memfd_create("region1", MFD_CLOEXEC);
	assert_true(g_region_fd >= 0);
	assert_int_equal(ftruncate(g_region_fd, 8192), 0);
	peer_version_reply(0, 0, 0, server_caps);
	peer_device_info_reply(1, 2, 5);
	peer_region_hdr(2, 32, T_REGION_READABLE | T_REGION_WRITABLE, 0, 0, 256, 0);
	peer_queue(-1, 0);
	peer_region_hdr(3, 64, 0xf, 1, 0, 8192, 0);
	peer_queue(g_region_fd, 1);
	peer_region_hdr(4, 64, 0xf, 1, 32, 8192, 0);
	peer_sparse_area(4096, 4096);
	peer_queue(g_region_fd, 1);
}

/* Reads n messages of the client (that carry no fds) and drops them. */
static inline void peer_skip(unsigned n)
{
	struct bytes got;
	unsigned nfds;
	int fds[16];

	for (unsigned i = 0; i < n; i++) {
		peer_get(&got, fds, &nfds);
		assert_int_equal(nfds, 0);
	}
}

static inline void peer_open(int *cli)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	g_srv = sv[0];
	*cli = sv[1];
}

/* The standard device attached; its set-up messages drained. */
static inline void peer_attach(const char *server_caps, int timeout_ms)
{
	int cli;

	peer_open(&cli);
	peer_device_queue(server_caps);
	assert_int_equal(vfio_user_client_attach(cli, timeout_ms, &g_c), 0);
	peer_skip(5); /* the set-up: test_attach checks it */
}

static inline void peer_close(void)
{
	vfio_user_client_close(g_c);
	g_c = NULL;
	close(g_srv);
	g_srv = -1;
	if (g_region_fd >= 0)
		close(g_region_fd);
	g_region_fd = -1;
}

#endif
