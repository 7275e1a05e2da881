/* SPDX-License-Identifier: MIT */
/*
 * vfio-user suite: the header and the framing of messages (VFU-MSG),
 * vfio-user.rst "Header", "Commands", "Command Concurrency" and "Socket":
 * message ids, No_reply, error replies, commands the server does not take,
 * sizes that do not match what was sent, a second client.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "conformance/conform_vfio_user.h"
#include "conformance/suite_vfio_user.h"

static const struct vfio_user_device_info g_info_req = {.argsz = sizeof(g_info_req)};

/* DEVICE_GET_INFO with these flags, not awaited: vfu_send's result. */
static int send_info(struct vfu_conn *c, uint32_t flags)
{
	return vfu_send(c, VFIO_USER_DEVICE_GET_INFO, flags, &g_info_req, sizeof(g_info_req), NULL,
			0);
}

enum conform_verdict vfu_msg_id_echoed(struct conform_ctx *ctx)
{
	struct vfu_conn c;
	struct vfu_msg m;
	int ret;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	c.next_id = 0xbeef;
	ret = vfu_call(&c, VFIO_USER_DEVICE_GET_INFO, &g_info_req, sizeof(g_info_req), NULL, 0, &m);
	if (ret == -EPROTO)
		return conform_fail(ctx,
				    "DEVICE_GET_INFO id 0xbeef was answered by message id "
				    "0x%x command %u flags 0x%x",
				    m.hdr.msg_id, m.hdr.cmd, m.hdr.flags);
	if (ret < 0)
		return conform_fail(ctx, "DEVICE_GET_INFO id 0xbeef: no reply: %s", strerror(-ret));
	vfu_msg_fini(&m);
	return CONFORM_PASS;
}

enum conform_verdict vfu_msg_id_reused(struct conform_ctx *ctx)
{
	struct vfu_conn c;
	struct vfu_msg m;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	/* Two commands with id 7, sent before either is answered. */
	for (int i = 0; i < 2; i++) {
		c.next_id = 7;
		if (send_info(&c, 0) < 0)
			return conform_error(ctx, "send failed");
	}
	for (int i = 0; i < 2; i++) {
		int ret = vfu_recv(&c, &m);

		if (ret < 0)
			return conform_fail(ctx,
					    "the %s of two DEVICE_GET_INFO with id 7 was not "
					    "answered: %s",
					    i ? "second" : "first", strerror(-ret));
		vfu_msg_fini(&m);
		if (m.hdr.msg_id != 7 || m.hdr.cmd != VFIO_USER_DEVICE_GET_INFO ||
		    vfu_reply_errno(&m) >= 0)
			return conform_fail(ctx,
					    "reply %d to DEVICE_GET_INFO id 7: id %u command "
					    "%u flags 0x%x error %u",
					    i + 1, m.hdr.msg_id, m.hdr.cmd, m.hdr.flags,
					    m.hdr.error);
	}
	return CONFORM_PASS;
}

enum conform_verdict vfu_msg_no_reply(struct conform_ctx *ctx)
{
	struct vfu_conn c;
	struct vfu_msg m;
	int quiet, id, ret;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	quiet = send_info(&c, VFIO_USER_F_NO_REPLY);
	id = send_info(&c, 0);
	if (quiet < 0 || id < 0)
		return conform_error(ctx, "send failed");
	ret = vfu_recv(&c, &m);
	if (ret < 0)
		return conform_fail(ctx,
				    "DEVICE_GET_INFO id %d after one with No_reply: no "
				    "reply: %s",
				    id, strerror(-ret));
	vfu_msg_fini(&m);
	if (m.hdr.msg_id == quiet)
		return conform_fail(ctx, "the command with No_reply (id %d) was answered", quiet);
	if (m.hdr.msg_id != id)
		return conform_fail(ctx, "expected the reply to id %d, got id %u", id,
				    m.hdr.msg_id);
	return CONFORM_PASS;
}

/* Commands a server answers with an error, if it answers any with one:
 * nothing mapped at 1 TiB, region and IRQ indexes past the device's. */
enum conform_verdict vfu_msg_error_header_only(struct conform_ctx *ctx)
{
	struct vfio_user_dma_unmap unmap = {
	    .argsz = sizeof(unmap), .address = 1ull << 40, .size = 4096};
	struct vfio_user_region_access rd = {.region = 0xffff, .count = 4};
	struct vfio_irq_info irq = {.argsz = sizeof(irq), .index = 0xffff};
	const struct {
		uint16_t cmd;
		const void *p;
		uint32_t len;
	} tries[] = {
	    {VFIO_USER_DMA_UNMAP, &unmap, sizeof(unmap)},
	    {VFIO_USER_REGION_READ, &rd, sizeof(rd)},
	    {VFIO_USER_DEVICE_GET_IRQ_INFO, &irq, sizeof(irq)},
	};
	unsigned errors = 0;
	struct vfu_conn c;
	struct vfu_msg m;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	for (unsigned i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		int ret = vfu_call(&c, tries[i].cmd, tries[i].p, tries[i].len, NULL, 0, &m);

		if (ret < 0)
			return conform_fail(ctx, "%s: no reply: %s",
					    vfio_user_cmd_name(tries[i].cmd), strerror(-ret));
		vfu_msg_fini(&m);
		if (vfu_reply_errno(&m) < 0)
			continue;
		errors++;
		if (m.hdr.msg_size != sizeof(m.hdr) || m.nfds)
			return conform_fail(ctx, "the error reply to %s has msg_size %u",
					    vfio_user_cmd_name(tries[i].cmd), m.hdr.msg_size);
	}
	if (!errors)
		return conform_not_applicable(ctx, "none of the commands failed");
	return CONFORM_PASS;
}

enum conform_verdict vfu_msg_unassigned_cmd(struct conform_ctx *ctx)
{
	uint8_t payload[8] = {0};
	struct vfu_conn c;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	return vfu_expect_refused(&c, "command 14 (not in the Commands table)", 14, payload,
				  sizeof(payload), NULL, 0);
}

enum conform_verdict vfu_msg_server_cmd(struct conform_ctx *ctx)
{
	struct vfio_user_dma_access rd = {.address = 0, .count = 4};
	struct vfu_conn c;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	return vfu_expect_refused(&c, "DMA_READ (a server -> client command) sent to the server",
				  VFIO_USER_DMA_READ, &rd, sizeof(rd), NULL, 0);
}

enum conform_verdict vfu_msg_reply_type(struct conform_ctx *ctx)
{
	struct vfu_conn c;
	struct vfu_msg m;
	int fake, id, ret;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	/* A "reply" the server never asked for, then a real command. */
	fake = send_info(&c, VFIO_USER_F_TYPE_REPLY);
	id = send_info(&c, 0);
	if (fake < 0 || id < 0)
		return vfu_expect_serving(&c); /* closed before the second send */
	ret = vfu_recv(&c, &m);
	if (ret == -ECONNRESET)
		return vfu_expect_serving(&c);
	if (ret < 0)
		return conform_fail(ctx, "neither message answered: %s", strerror(-ret));
	vfu_msg_fini(&m);
	if (m.hdr.msg_id == fake && vfu_reply_errno(&m) < 0)
		return conform_fail(ctx, "a message of type Reply was carried out as a command");
	return vfu_expect_serving(&c);
}

/* A header alone, GET_INFO's with msg_size size: refused or closed. */
static enum conform_verdict bad_size(struct conform_ctx *ctx, uint32_t size, const char *what)
{
	struct vfu_conn c;
	struct vfio_user_hdr h = {
	    .msg_id = 0x77, .cmd = VFIO_USER_DEVICE_GET_INFO, .msg_size = size};

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	conform_note(ctx, "-> DEVICE_GET_INFO header alone, id 0x77, msg_size %u", size);
	if (vfu_send_bytes(&c, &h, sizeof(h)) < 0)
		return vfu_expect_serving(&c);
	return vfu_expect_refusal(&c, what, h.msg_id, h.cmd);
}

enum conform_verdict vfu_msg_size_below_header(struct conform_ctx *ctx)
{
	return bad_size(ctx, 8, "a msg_size of 8, below the 16-byte header");
}

enum conform_verdict vfu_msg_size_huge(struct conform_ctx *ctx)
{
	return bad_size(ctx, 0x7fffffff, "a msg_size of 2 GiB");
}

enum conform_verdict vfu_msg_truncated(struct conform_ctx *ctx)
{
	uint8_t buf[sizeof(struct vfio_user_hdr) + 4] = {0};
	struct vfio_user_hdr h = {.msg_id = 0x78, .cmd = VFIO_USER_DEVICE_GET_INFO, .msg_size = 32};
	struct vfu_conn c;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	memcpy(buf, &h, sizeof(h));
	conform_note(ctx, "-> DEVICE_GET_INFO id 0x78 msg_size 32 with 4 of its 16 payload "
			  "bytes, then the client leaves");
	vfu_send_bytes(&c, buf, sizeof(buf));
	shutdown(c.fd, SHUT_WR);
	return vfu_expect_serving(&c);
}

enum conform_verdict vfu_msg_short_payload(struct conform_ctx *ctx)
{
	struct vfu_conn c;

	if (vfu_open(ctx, true, &c))
		return CONFORM_ERROR;
	return vfu_expect_refused(&c, "DEVICE_GET_INFO with 8 of its 16 payload bytes",
				  VFIO_USER_DEVICE_GET_INFO, &g_info_req, 8, NULL, 0);
}

/* The first client is a VMM's (lib/vfio-user, set up as QEMU does): what a
 * stray connection must not take the device from. */
enum conform_verdict vfu_msg_second_client(struct conform_ctx *ctx)
{
	const uint8_t version[4] = {0}; /* 0.0, no version data */
	struct vfio_user_client *vmm;
	struct vfu_conn second;
	struct vfu_msg m;
	uint64_t cap;
	int ret;

	if (conform_vfu_connect(ctx, &vmm))
		return conform_error(ctx, "set-up: a client set up as a VMM does failed");
	ret = vfu_open(ctx, false, &second);
	if (ret == 0) {
		ret = vfu_call(&second, VFIO_USER_VERSION, version, sizeof(version), NULL, 0, &m);
		if (ret == 0)
			vfu_msg_fini(&m);
		conform_info(ctx, "a second client's VERSION: %s",
			     ret == -ECONNRESET	 ? "closed"
			     : ret == -ETIMEDOUT ? "not answered (waits its turn)"
			     : ret == 0 ? (vfu_reply_errno(&m) >= 0 ? "refused with an error reply"
								    : "served")
					: strerror(-ret));
	}
	ret = vfio_user_client_reg_read(vmm, VFIO_PCI_BAR0_REGION_INDEX, 0, 8, &cap);
	vfio_user_client_close(vmm);
	if (ret != 0)
		return conform_fail(ctx,
				    "the first client is no longer served after a second "
				    "connected: REGION_READ of BAR0 0+8: %s",
				    strerror(-ret));
	return vfu_expect_serving(&second);
}
