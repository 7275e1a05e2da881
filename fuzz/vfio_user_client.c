/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the vfio-user client (lib/vfio-user/vfio_user_client*): arbitrary
 * bytes as everything the server says, queued on a socketpair before the
 * client attaches. The input is
 *
 *   u8  nfds   bits 0-3: copies of an 8 KiB memfd sent with the second part
 *   u16 split  little-endian: where the second part of the stream begins
 *   ...        the server's stream (its end shut down after it)
 *
 * The client waits 0 ms: what is not there has not arrived. Once attached
 * it does what a VMM does (regions mapped and touched, register reads and
 * writes, IRQ info, SET_IRQS with an eventfd and without, DMA map of a
 * buffer the server may DMA_READ / DMA_WRITE, reset, DMA unmap) whatever
 * the replies. Must not crash, touch memory outside what it mapped, or leak
 * an fd; once the connection broke, the client sends nothing more.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz/fuzz_util.h"
#include "util/common.h"
#include "util/unix_sock.h"
#include "vfio-user/vfio_user_client.h"

#define MAX_STREAM 65536
#define MAX_FDS	   15
#define DMA_IOVA   0x10000
#define DMA_SIZE   0x2000
#define REGIONS	   4 /* regions exercised */

static uint8_t g_dma[DMA_SIZE];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	return 0;
}

/* Writes part of the stream, with nfds copies of fd. */
static void put(int sock, const uint8_t *p, size_t len, int fd, unsigned nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = (void *)p, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	int fds[MAX_FDS];

	if (len == 0)
		return;
	for (unsigned i = 0; i < nfds; i++)
		fds[i] = fd;
	if (nfds)
		util_unix_put_fds(&mh, control.buf, fds, nfds);
	(void)sendmsg(sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* A region: its first area mapped and touched at both ends, a register
 * read and a 16-byte write through messages. */
static void drive_region(struct vfio_user_client *c, uint32_t i)
{
	const struct vfio_user_client_region *r = vfio_user_client_region(c, i);
	uint8_t buf[16] = {0};
	uint64_t v;
	void *p;

	if (vfio_user_client_region_map(c, i, 0, &p) == 0) {
		volatile uint8_t *b = p;
		uint64_t size = r->areas[0].size;

		if (r->info.flags & VFIO_REGION_INFO_FLAG_READ)
			(void)b[0], (void)b[size - 1];
	}
	(void)vfio_user_client_reg_read(c, i, 0, 4, &v);
	(void)vfio_user_client_region_write(c, i, 0, buf, sizeof(buf));
}

static void drive_all(struct vfio_user_client *c)
{
	struct vfio_user_client_dma d = {
	    .iova = DMA_IOVA, .size = DMA_SIZE, .prot = 3, .fd = -1, .vaddr = g_dma};
	uint32_t n = MIN(vfio_user_client_device_info(c)->num_regions, (uint32_t)REGIONS);
	struct vfio_irq_info info;
	int efd = eventfd(0, EFD_CLOEXEC);

	for (uint32_t i = 0; i < n; i++)
		drive_region(c, i);
	(void)vfio_user_client_irq_info(c, 0, &info);
	(void)vfio_user_client_set_irqs(c, 0, 0, 1, &efd);
	(void)vfio_user_client_set_irqs(c, 0, 0, 1, NULL);
	(void)vfio_user_client_dma_map(c, &d);
	(void)vfio_user_client_reset(c);
	(void)vfio_user_client_dma_unmap(c, DMA_IOVA, DMA_SIZE);
	close(efd);
}

/* Bytes the client sent that the server's end holds. */
static int queued(int sock)
{
	int n = 0;

	if (ioctl(sock, FIONREAD, &n) < 0)
		abort();
	return n;
}

/* Everything once; once the connection broke, nothing more is sent. */
static void drive(struct vfio_user_client *c, int srv)
{
	int n;

	drive_all(c);
	if (!vfio_user_client_broken(c))
		return;
	n = queued(srv);
	drive_all(c);
	if (queued(srv) != n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfio_user_client *c;
	int fds_before = fuzz_open_fds();
	int sv[2], memfd;
	unsigned nfds;
	size_t split;

	if (size < 3 || size - 3 > MAX_STREAM)
		return 0;
	nfds = data[0] & 0xf;
	split = MIN((size_t)(data[1] | data[2] << 8), size - 3);
	data += 3;
	size -= 3;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	memfd = memfd_create("fuzz-region", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, 8192) < 0)
		abort();
	put(sv[0], data, split, -1, 0);
	put(sv[0], data + split, size - split, memfd, MIN(nfds, (unsigned)MAX_FDS));
	shutdown(sv[0], SHUT_WR);
	close(memfd);
	if (vfio_user_client_attach(sv[1], 0, &c) == 0) {
		drive(c, sv[0]);
		vfio_user_client_close(c);
	}
	close(sv[0]);
	if (fuzz_open_fds() != fds_before)
		abort();
	return 0;
}
