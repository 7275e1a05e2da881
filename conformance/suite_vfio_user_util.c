/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the vfio-user suite: a raw client connection (messages built
 * and read here, bounds-checked, each one a line of the trace), the typed
 * commands several areas send, and the suite's reading of "refused"
 * (suite_vfio_user.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conformance/conform_vfio_user.h"
#include "conformance/memfd.h"
#include "conformance/suite_vfio_user.h"
#include "spec/nvme.h"
#include "util/deadline.h"
#include "util/unix_sock.h"

/* Tries of the server after a case (vfu_expect_serving), and the pause
 * between them: it may still be detaching the case's client. */
#define SERVING_TRIES	 5
#define SERVING_PAUSE_US 100000

/* VERSION 0.0 proposing what QEMU's client does (its receive bounds, 8 fds
 * a message); the server's reply kept in c. 0 or a negative errno. */
static int negotiate(struct vfu_conn *c)
{
	uint16_t major;
	struct vfio_user_caps ours;
	struct vfu_msg m;
	uint8_t buf[512] = {0}; /* major 0, minor 0 */
	int ret, len;

	vfio_user_caps_default(&ours);
	ours.max_msg_fds = 8;
	len = vfio_user_caps_build(&ours, (char *)buf + 4, sizeof(buf) - 4);
	if (len < 0)
		return len;
	ret = vfu_call(c, VFIO_USER_VERSION, buf, (uint32_t)len + 4, NULL, 0, &m);
	if (ret < 0)
		return ret;
	vfu_msg_fini(&m);
	if (vfu_reply_errno(&m) >= 0)
		return -vfu_reply_errno(&m) ?: -EIO;
	if (m.len < 4)
		return -EPROTO;
	memcpy(&major, m.payload, 2);
	if (m.len > 4)
		ret = vfio_user_caps_parse((const char *)m.payload + 4, m.len - 4, &c->server);
	return ret == 0 && major != 0 ? -EPROTO : ret;
}

static int open_quiet(struct vfu_conn *c, bool version)
{
	int ret = conform_vfu_connect_raw(c->ctx, &c->fd);

	c->next_id = 1;
	vfio_user_caps_default(&c->server);
	if (ret == 0 && version)
		ret = negotiate(c);
	if (ret < 0)
		vfu_close(c);
	return ret;
}

int vfu_open(struct conform_ctx *ctx, bool version, struct vfu_conn *c)
{
	int ret;

	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	c->fd = -1;
	ret = open_quiet(c, version);
	if (ret < 0)
		conform_error(ctx, "set-up: %s: %s", version ? "VERSION 0.0" : "connect",
			      strerror(-ret));
	return ret;
}

int vfu_reopen(struct vfu_conn *c)
{
	int ret = 0;

	for (int i = 0; i < SERVING_TRIES; i++) {
		vfu_close(c);
		if (i)
			usleep(SERVING_PAUSE_US);
		ret = open_quiet(c, true);
		if (ret == 0)
			return 0;
	}
	conform_error(c->ctx, "set-up: a new connection with VERSION 0.0: %s", strerror(-ret));
	return ret;
}

int vfu_open_info(struct conform_ctx *ctx, struct vfu_conn *c, struct vfio_user_device_info *dev)
{
	int ret = vfu_open(ctx, true, c);

	if (ret == 0)
		ret = vfu_device_info(c, dev);
	if (ret > 0)
		ret = -ret;
	if (ret < 0)
		conform_error(ctx, "set-up: DEVICE_GET_INFO: %s", strerror(-ret));
	return ret;
}

void vfu_close(struct vfu_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* len bytes of buf, fds with the first one. The socket blocks: a server
 * that never reads is ended by the runner's case deadline. */
static int send_fds(struct vfu_conn *c, const void *buf, size_t len, const int *fds, unsigned nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VFU_RX_FDS)];
		struct cmsghdr align;
	} control;
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	size_t done;
	ssize_t n;

	if (nfds > VFU_RX_FDS)
		return -EINVAL;
	if (nfds)
		util_unix_put_fds(&mh, control.buf, fds, nfds);
	do
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	done = n < 0 ? 0 : (size_t)n;
	/* What the first call left, without the fds again. */
	while (n >= 0 && done < len) {
		n = send(c->fd, (const uint8_t *)buf + done, len - done, MSG_NOSIGNAL);
		if (n > 0)
			done += (size_t)n;
		else if (n < 0 && errno == EINTR)
			n = 0;
	}
	return n < 0 ? -errno : 0;
}

int vfu_send_bytes(struct vfu_conn *c, const void *buf, size_t len)
{
	return send_fds(c, buf, len, NULL, 0);
}

int vfu_send(struct vfu_conn *c, uint16_t cmd, uint32_t flags, const void *payload, uint32_t len,
	     const int *fds, unsigned nfds)
{
	uint8_t buf[sizeof(struct vfio_user_hdr) + VFU_RX_PAYLOAD_MAX];
	struct vfio_user_hdr hdr = {
	    .msg_id = c->next_id++,
	    .cmd = cmd,
	    .msg_size = (uint32_t)sizeof(hdr) + len,
	    .flags = VFIO_USER_F_TYPE_COMMAND | flags,
	};
	int ret;

	if (len > VFU_RX_PAYLOAD_MAX)
		return -EMSGSIZE;
	memcpy(buf, &hdr, sizeof(hdr));
	if (len)
		memcpy(buf + sizeof(hdr), payload, len);
	conform_note(c->ctx, "-> %s (%u) id %u size %u flags 0x%x, %u payload bytes, %u fds",
		     vfio_user_cmd_name(cmd), cmd, hdr.msg_id, hdr.msg_size, hdr.flags, len, nfds);
	ret = send_fds(c, buf, sizeof(hdr) + len, fds, nfds);
	if (ret == -EPIPE)
		ret = -ECONNRESET; /* the server closed the connection */
	if (ret < 0) {
		conform_note(c->ctx, "send: %s", strerror(-ret));
		return ret;
	}
	return hdr.msg_id;
}

/* Exactly len bytes into buf (fds kept in m) before deadline. */
static int recv_exact(struct vfu_conn *c, void *buf, size_t len, struct vfu_msg *m,
		      int64_t deadline)
{
	size_t got = 0;

	while (got < len) {
		bool lost = false;
		ssize_t n = util_unix_recv(c->fd, (uint8_t *)buf + got, len - got, m->fds,
					   VFU_RX_FDS, &m->nfds, &lost);
		int ret;

		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n == 0)
			return -ECONNRESET;
		if (n != -EAGAIN)
			return n == -ECONNRESET || n == -EPIPE ? -ECONNRESET : (int)n;
		ret = deadline_wait_fd(c->fd, POLLIN, deadline);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static const char *recv_error(int ret)
{
	switch (ret) {
	case -ETIMEDOUT:
		return "no message within the timeout";
	case -ECONNRESET:
		return "connection closed by the server";
	default:
		return strerror(-ret);
	}
}

int vfu_recv(struct vfu_conn *c, struct vfu_msg *m)
{
	int64_t deadline = deadline_from_timeout(conform_timeout_ms(c->ctx));
	int ret;

	m->len = 0;
	m->nfds = 0;
	ret = recv_exact(c, &m->hdr, sizeof(m->hdr), m, deadline);
	if (ret == 0 && m->hdr.msg_size < sizeof(m->hdr))
		ret = -EBADMSG;
	if (ret == 0 && m->hdr.msg_size - sizeof(m->hdr) > sizeof(m->payload))
		ret = -EMSGSIZE;
	if (ret == 0) {
		m->len = m->hdr.msg_size - (uint32_t)sizeof(m->hdr);
		ret = recv_exact(c, m->payload, m->len, m, deadline);
	}
	if (ret < 0) {
		conform_note(c->ctx, "<- %s", recv_error(ret));
		vfu_msg_fini(m);
		return ret;
	}
	conform_note(c->ctx, "<- %s (%u) id %u size %u flags 0x%x error %u, %u fds",
		     vfio_user_cmd_name(m->hdr.cmd), m->hdr.cmd, m->hdr.msg_id, m->hdr.msg_size,
		     m->hdr.flags, m->hdr.error, m->nfds);
	return 0;
}

void vfu_msg_fini(struct vfu_msg *m)
{
	for (unsigned i = 0; i < m->nfds; i++) {
		if (m->fds[i] >= 0)
			close(m->fds[i]);
		m->fds[i] = -1;
	}
}

/* Whether m is the reply to command cmd sent with id. */
static bool is_reply_to(const struct vfu_msg *m, int id, uint16_t cmd)
{
	return m->hdr.msg_id == (uint16_t)id && m->hdr.cmd == cmd &&
	       (m->hdr.flags & VFIO_USER_F_TYPE_MASK) == VFIO_USER_F_TYPE_REPLY;
}

static int recv_reply(struct vfu_conn *c, int id, uint16_t cmd, struct vfu_msg *m)
{
	int ret = vfu_recv(c, m);

	if (ret == 0 && !is_reply_to(m, id, cmd)) {
		conform_note(c->ctx, "expected the reply to %s id %d", vfio_user_cmd_name(cmd), id);
		vfu_msg_fini(m);
		return -EPROTO;
	}
	return ret;
}

int vfu_call(struct vfu_conn *c, uint16_t cmd, const void *payload, uint32_t len, const int *fds,
	     unsigned nfds, struct vfu_msg *m)
{
	int id = vfu_send(c, cmd, 0, payload, len, fds, nfds);

	m->nfds = 0;
	if (id < 0)
		return id;
	return recv_reply(c, id, cmd, m);
}

int vfu_reply_errno(const struct vfu_msg *m)
{
	return m->hdr.flags & VFIO_USER_F_ERROR ? (int)m->hdr.error : -1;
}

enum conform_verdict vfu_expect_serving(struct vfu_conn *c)
{
	vfu_close(c);
	for (int i = 0; i < SERVING_TRIES; i++) {
		if (conform_backend_alive(c->ctx))
			return CONFORM_PASS;
		usleep(SERVING_PAUSE_US);
	}
	return conform_fail(c->ctx, "the server no longer serves a new client (%d tries)",
			    SERVING_TRIES);
}

enum conform_verdict vfu_expect_refusal(struct vfu_conn *c, const char *what, int id, uint16_t cmd)
{
	struct vfu_msg m;
	int ret = recv_reply(c, id, cmd, &m), err;

	if (ret == -ECONNRESET) {
		conform_note(c->ctx, "%s: the server closed the connection", what);
		return vfu_expect_serving(c);
	}
	if (ret < 0)
		return conform_fail(c->ctx,
				    "%s: neither an error reply nor a closed connection: %s", what,
				    recv_error(ret));
	err = vfu_reply_errno(&m);
	vfu_msg_fini(&m);
	if (err < 0)
		return conform_fail(c->ctx, "%s was carried out: a reply without Error", what);
	conform_note(c->ctx, "%s: refused with error %d (%s)", what, err, strerror(err));
	return vfu_expect_serving(c);
}

enum conform_verdict vfu_expect_refused(struct vfu_conn *c, const char *what, uint16_t cmd,
					const void *payload, uint32_t len, const int *fds,
					unsigned nfds)
{
	int id = vfu_send(c, cmd, 0, payload, len, fds, nfds);

	if (id == -ECONNRESET) {
		conform_note(c->ctx, "%s: the server closed the connection", what);
		return vfu_expect_serving(c);
	}
	if (id < 0)
		return conform_error(c->ctx, "%s: send: %s", what, strerror(-id));
	return vfu_expect_refusal(c, what, id, cmd);
}

int vfu_memfd(struct conform_ctx *ctx, uint64_t size, void **mem)
{
	int fd, ret = conform_memfd_map(size, &fd, mem);

	if (ret < 0) {
		conform_error(ctx, "set-up: a memfd of %llu bytes: %s", (unsigned long long)size,
			      strerror(-ret));
		return -1;
	}
	return fd;
}

/* The reply's errno of a command without a reply payload, or the call's. */
static int call_errno(struct vfu_conn *c, uint16_t cmd, const void *payload, uint32_t len,
		      const int *fds, unsigned nfds, struct vfu_msg *m)
{
	int ret = vfu_call(c, cmd, payload, len, fds, nfds, m);

	if (ret < 0)
		return ret;
	ret = vfu_reply_errno(m);
	return ret < 0 ? 0 : ret;
}

struct vfio_user_dma_map vfu_dma_map_req(uint64_t iova, uint64_t size, uint64_t offset)
{
	return (struct vfio_user_dma_map){
	    .argsz = sizeof(struct vfio_user_dma_map),
	    .flags = VFIO_USER_DMA_MAP_F_READ | VFIO_USER_DMA_MAP_F_WRITE,
	    .offset = offset,
	    .address = iova,
	    .size = size,
	};
}

int vfu_dma_map(struct vfu_conn *c, uint64_t iova, uint64_t size, int fd, uint64_t offset)
{
	struct vfio_user_dma_map map = vfu_dma_map_req(iova, size, offset);
	struct vfu_msg m;
	int ret = call_errno(c, VFIO_USER_DMA_MAP, &map, sizeof(map), &fd, fd < 0 ? 0 : 1, &m);

	vfu_msg_fini(&m);
	return ret;
}

int vfu_dma_unmap(struct vfu_conn *c, uint64_t iova, uint64_t size, uint32_t flags)
{
	struct vfio_user_dma_unmap unmap = {
	    .argsz = sizeof(unmap), .flags = flags, .address = iova, .size = size};
	struct vfu_msg m;
	int ret = call_errno(c, VFIO_USER_DMA_UNMAP, &unmap, sizeof(unmap), NULL, 0, &m);

	vfu_msg_fini(&m);
	return ret;
}

int vfu_reg_read(struct vfu_conn *c, uint32_t index, uint64_t offset, uint32_t count, uint64_t *val)
{
	struct vfio_user_region_access a = {.offset = offset, .region = index, .count = count};
	struct vfu_msg m;
	int ret = call_errno(c, VFIO_USER_REGION_READ, &a, sizeof(a), NULL, 0, &m);

	vfu_msg_fini(&m);
	if (ret != 0)
		return ret;
	if (count > sizeof(*val) || m.len != sizeof(a) + count)
		return -EPROTO;
	*val = 0;
	memcpy(val, m.payload + sizeof(a), count);
	return 0;
}

int vfu_reg_write(struct vfu_conn *c, uint32_t index, uint64_t offset, uint32_t count, uint64_t val)
{
	uint8_t buf[sizeof(struct vfio_user_region_access) + sizeof(val)];
	struct vfio_user_region_access a = {.offset = offset, .region = index, .count = count};
	struct vfu_msg m;
	int ret;

	if (count > sizeof(val))
		return -EINVAL;
	memcpy(buf, &a, sizeof(a));
	memcpy(buf + sizeof(a), &val, count);
	ret = call_errno(c, VFIO_USER_REGION_WRITE, buf, sizeof(a) + count, NULL, 0, &m);
	vfu_msg_fini(&m);
	return ret;
}

int vfu_device_info(struct vfu_conn *c, struct vfio_user_device_info *info)
{
	struct vfio_user_device_info req = {.argsz = sizeof(req)};
	struct vfu_msg m;
	int ret = call_errno(c, VFIO_USER_DEVICE_GET_INFO, &req, sizeof(req), NULL, 0, &m);

	vfu_msg_fini(&m);
	if (ret != 0)
		return ret;
	if (m.len < sizeof(*info))
		return -EPROTO;
	memcpy(info, m.payload, sizeof(*info));
	return 0;
}

/* NVMe Base 2.1 §3.1.4: CC.EN (bit 0), IOSQES (19:16), IOCQES (23:20);
 * CSTS.RDY (bit 0), CSTS.CFS (bit 1). */
#define CC_ENABLE (1u | 6u << 16 | 4u << 20)
#define CSTS_RDY  1u
#define CSTS_CFS  2u
#define SQ0_TAIL  0x1000 /* NVMe PCIe Transport: the first doorbell */

/* AQA, ASQ, ACQ at iova and CC.EN 1, then CSTS.RDY awaited: 0, or a
 * negative errno with the verdict set to ERROR. */
static int nvme_enable(struct vfu_conn *c, uint64_t iova)
{
	const uint32_t q = VFU_NVME_QUEUE_LEN - 1;
	int64_t deadline = deadline_from_timeout(conform_timeout_ms(c->ctx));
	uint64_t csts = 0;
	int ret;

	ret = vfu_reg_write(c, VFIO_PCI_BAR0_REGION_INDEX, NVME_REG_AQA, 4, q << 16 | q);
	if (ret == 0)
		ret = vfu_reg_write(c, VFIO_PCI_BAR0_REGION_INDEX, NVME_REG_ASQ, 8,
				    iova + VFU_NVME_SQ);
	if (ret == 0)
		ret = vfu_reg_write(c, VFIO_PCI_BAR0_REGION_INDEX, NVME_REG_ACQ, 8,
				    iova + VFU_NVME_CQ);
	if (ret == 0)
		ret = vfu_reg_write(c, VFIO_PCI_BAR0_REGION_INDEX, NVME_REG_CC, 4, CC_ENABLE);
	while (ret == 0 && !(csts & (CSTS_RDY | CSTS_CFS)) && deadline_ms_left(deadline) > 0) {
		ret = vfu_reg_read(c, VFIO_PCI_BAR0_REGION_INDEX, NVME_REG_CSTS, 4, &csts);
		if (ret == 0 && !(csts & CSTS_RDY))
			usleep(1000);
	}
	if (ret == 0 && csts != CSTS_RDY)
		ret = -ETIMEDOUT;
	if (ret != 0) {
		conform_error(c->ctx,
			      "set-up: NVMe controller enable (admin queues at 0x%llx): "
			      "%s, CSTS 0x%llx",
			      (unsigned long long)iova, strerror(ret < 0 ? -ret : ret),
			      (unsigned long long)csts);
		return ret < 0 ? ret : -ret;
	}
	conform_note(c->ctx, "NVMe controller enabled, admin queues at 0x%llx",
		     (unsigned long long)iova);
	return 0;
}

int vfu_nvme_identify(struct vfu_conn *c, void *mem, uint64_t iova, unsigned slot, unsigned n)
{
	uint64_t prp1 = iova + VFU_NVME_DATA;
	uint32_t cns = 1; /* Identify Controller */

	for (unsigned i = slot; i < slot + n; i++) {
		uint8_t *sqe = (uint8_t *)mem + VFU_NVME_SQ + 64 * i;
		uint16_t cid = (uint16_t)(i + 1);

		memset(sqe, 0, 64);
		sqe[0] = 0x06; /* Identify */
		memcpy(sqe + 2, &cid, 2);
		memcpy(sqe + 24, &prp1, 8);
		memcpy(sqe + 40, &cns, 4);
	}
	conform_note(c->ctx, "Identify Controller in SQ entries %u..%u, data at 0x%llx", slot,
		     slot + n - 1, (unsigned long long)prp1);
	return vfu_reg_write(c, VFIO_PCI_BAR0_REGION_INDEX, SQ0_TAIL, 4, slot + n);
}

/* PCI Local Bus 3.0 §6.2.1: the class code at 09h-0Bh; NVMe PCIe
 * Transport: 01h (mass storage), 08h (non-volatile memory), 02h (NVMe). */
#define PCI_CLASS_REV	0x08
#define PCI_CLASS_NVME	0x010802u

enum conform_verdict vfu_nvme_setup(struct vfu_conn *c, uint64_t iova, void **mem)
{
	uint64_t class_rev;
	int fd, ret;

	ret = vfu_reg_read(c, VFIO_PCI_CONFIG_REGION_INDEX, PCI_CLASS_REV, 4, &class_rev);
	if (ret != 0)
		return conform_error(c->ctx, "set-up: reading the class code: %s",
				     strerror(ret < 0 ? -ret : ret));
	if (class_rev >> 8 != PCI_CLASS_NVME)
		return conform_not_applicable(c->ctx, "class code %06llxh: no NVMe controller",
					      (unsigned long long)(class_rev >> 8));
	fd = vfu_memfd(c->ctx, VFU_NVME_MEM_SIZE, mem);
	if (fd < 0)
		return CONFORM_ERROR;
	ret = vfu_dma_map(c, iova, VFU_NVME_MEM_SIZE, fd, 0);
	if (ret != 0)
		return conform_error(c->ctx, "set-up: DMA_MAP of the queues' memory: %s",
				     strerror(ret < 0 ? -ret : ret));
	return nvme_enable(c, iova) ? CONFORM_ERROR : CONFORM_PASS;
}

bool vfu_nvme_cqe_posted(void *mem, unsigned slot, int ms)
{
	const volatile uint8_t *cqe = (uint8_t *)mem + VFU_NVME_CQ + 16 * slot;
	int64_t deadline = deadline_from_timeout(ms);

	do {
		if (cqe[14] & 1) /* DW3 bit 16: the phase tag */
			return true;
		usleep(1000);
	} while (deadline_ms_left(deadline) > 0);
	return false;
}
