/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the vhost-user back-end's message handling: the input is a
 * sequence of messages, each run through vhost_dev_handle_msg() on a device
 * whose connection is one end of a socketpair (replies are drained from the
 * other end). Each message record is
 *
 *   u8  fds      bits 0-3: nfds, at most 9 (one more than a message may
 *                carry); bits 4-5 pick the size of memfds: 64 KiB << n
 *   u8  kinds    bit i set: fd i is a memfd, else an eventfd
 *   12  header   struct vhost_user_hdr, as sent
 *   ... payload  hdr.size bytes (fewer if the input ends; zero-filled)
 *
 * Must not crash, hang or leak: the fds open before and after each input are
 * compared.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz/fuzz_util.h"
#include "spec/virtio.h"
#include "util/common.h"
#include "vhost/vhost_backend_internal.h"

#define RECORD_HDR    14

static uint64_t fz_get_features(void *ctx)
{
	(void)ctx;
	return VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) |
	       VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC);
}

static int fz_set_features(void *ctx, uint64_t features)
{
	(void)ctx;
	(void)features;
	return 0;
}

static int fz_get_config(void *ctx, uint8_t *buf, uint32_t offset, uint32_t len)
{
	(void)ctx;
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(offset + i);
	return 0;
}

/* Fails on a marker byte, so both outcomes are reached. */
static int fz_set_config(void *ctx, const uint8_t *buf, uint32_t offset, uint32_t len,
			 uint32_t flags)
{
	(void)ctx;
	(void)offset;
	(void)flags;
	return len && buf[len - 1] == 0xff ? -EINVAL : 0;
}

/* Reads a started ring's indices as a device would; ring 7 fails to start,
 * so the error path (SET_VRING_ERR's notifier) is reached too. */
static int fz_ring_start(void *ctx, struct vhost_vring *vring)
{
	(void)ctx;
	if (vring->index == 7)
		return -EIO;
	(void)virtq_dev_has_work(&vring->vq);
	return 0;
}

static void fz_ring_stop(void *ctx, struct vhost_vring *vring, vhost_ring_done_fn stopped)
{
	(void)ctx;
	stopped(vring);
}

static const struct vhost_dev_ops g_ops = {
    /* Offered LOG_ALL and LOG_SHMFD, so that SET_LOG_BASE's parsing and
     * mapping are reached too; INFLIGHT_SHMFD likewise for GET/SET_INFLIGHT_FD
     * and the reconnect procedure a ring start runs on the buffer. */
    .logs_writes = true,
    .tracks_inflight = true,
    .get_features = fz_get_features,
    .set_features = fz_set_features,
    .get_config = fz_get_config,
    .set_config = fz_set_config,
    .ring_start = fz_ring_start,
    .ring_stop = fz_ring_stop,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	return 0;
}

static int make_fd(bool memfd, unsigned size_sel)
{
	int fd;

	if (!memfd)
		return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd >= 0 && ftruncate(fd, (off_t)(0x10000 << size_sel)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Reads and discards every reply waiting on the front-end's end. */
static void drain(int sock)
{
	struct vhost_msg msg;

	while (vhost_msg_recv(sock, &msg, 0) == 0)
		vhost_msg_close_fds(&msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vhost_dev_opts opts = {
	    .max_queues = 8,
	    .protocol_features = ~0ULL,
	    .ops = &g_ops,
	    .strict = true,
	};
	int fds_before = fuzz_open_fds();
	struct vhost_dev *dev;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	if (vhost_dev_create_on_fd(&opts, sv[1], &dev) < 0) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	while (size >= RECORD_HDR) {
		static uint8_t payload[VHOST_USER_MAX_PAYLOAD];
		struct vhost_user_hdr hdr;
		int fds[VHOST_USER_MAX_FDS + 1];
		unsigned nfds = MIN(data[0] & 0x0fu, VHOST_USER_MAX_FDS + 1u);
		size_t take;
		int ret;

		memcpy(&hdr, data + 2, sizeof(hdr));
		for (unsigned i = 0; i < nfds; i++)
			fds[i] = make_fd(data[1] & (1u << i), (data[0] >> 4) & 3);
		data += RECORD_HDR;
		size -= RECORD_HDR;
		take = MIN((size_t)hdr.size, size);
		memset(payload, 0, sizeof(payload));
		memcpy(payload, data, MIN(take, sizeof(payload)));
		data += take;
		size -= take;

		ret = vhost_dev_handle_msg(dev, &hdr, payload, fds, nfds);
		drain(sv[0]);
		if (ret < 0)
			break; /* the back-end would close this connection */
	}
	vhost_dev_destroy(dev);
	close(sv[0]);
	if (fuzz_open_fds() != fds_before)
		abort(); /* an fd leaked */
	return 0;
}
