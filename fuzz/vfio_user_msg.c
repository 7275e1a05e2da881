/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the vfio-user codec (lib/vfio-user) on both sides. The input is
 *
 *   u8  how   bits 0-2: fds that came with the message (0-7);
 *             bit 3: the client receives (else the server);
 *             bit 4: the message's id and command are set to those of the
 *             command it may answer (so replies reach their parsers)
 *   u8  sent  which of our commands a reply answers (modulo their number)
 *   ...       the message
 *
 * A command goes through vfio_user_cmd_parse, a reply through
 * vfio_user_reply_parse against the chosen command. Must not crash or read
 * past the message; what a parse accepts must hold together: views inside
 * the message, counts and fds as the payload says.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "util/common.h"
#include "vfio-user/vfio_user.h"

#define MAX_MSG 65536

static const int g_fds[8] = {100, 101, 102, 103, 104, 105, 106, 107};
static struct vfio_user_caps g_local;

/* The commands a reply may answer, each as the codec parsed it. */
static struct vfio_user_cmd g_sent[12];
static unsigned g_nsent;

static void add_sent(enum vfio_user_side to, uint16_t cmd, const void *p1, size_t l1,
		     const void *p2, size_t l2)
{
	uint8_t buf[256];
	struct vfio_user_msg msg;
	int n;

	n = vfio_user_build_cmd(buf, sizeof(buf), g_nsent + 1, cmd, 0, p1, l1, p2, l2);
	if (n < 0 || vfio_user_msg_view(buf, n, NULL, 0, 0, to, MAX_MSG, &msg) < 0 ||
	    vfio_user_cmd_parse(&msg, &g_local, &g_sent[g_nsent]) < 0)
		abort();
	g_nsent++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct vfio_user_version v = {.major = VFIO_USER_MAJOR, .minor = VFIO_USER_MINOR};
	struct vfio_user_dma_map map = {.argsz = 32, .flags = 3, .address = 0x10000, .size = 4096};
	struct vfio_user_dma_unmap unmap = {.argsz = 24, .address = 0x10000, .size = 4096};
	struct vfio_user_device_info di = {.argsz = 16};
	struct vfio_region_info ri = {.argsz = 256, .index = 0};
	struct vfio_irq_info ii = {.argsz = 16, .index = 4};
	struct vfio_irq_set is = {.argsz = 20,
				  .flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER};
	struct vfio_user_region_access ra = {.offset = 0x1c, .count = 4};
	struct vfio_user_dma_access da = {.address = 0x10000, .count = 8};
	const char json[] = "{\"capabilities\":{\"max_msg_fds\":8,\"write_multiple\":true}}";

	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	vfio_user_caps_default(&g_local);
	g_local.max_msg_fds = 8;
	add_sent(VFIO_USER_SERVER, VFIO_USER_VERSION, &v, sizeof(v), json, sizeof(json));
	add_sent(VFIO_USER_SERVER, VFIO_USER_DMA_MAP, &map, sizeof(map), NULL, 0);
	add_sent(VFIO_USER_SERVER, VFIO_USER_DMA_UNMAP, &unmap, sizeof(unmap), NULL, 0);
	add_sent(VFIO_USER_SERVER, VFIO_USER_DEVICE_GET_INFO, &di, sizeof(di), NULL, 0);
	add_sent(VFIO_USER_SERVER, VFIO_USER_DEVICE_GET_REGION_INFO, &ri, sizeof(ri), NULL, 0);
	add_sent(VFIO_USER_SERVER, VFIO_USER_DEVICE_GET_IRQ_INFO, &ii, sizeof(ii), NULL, 0);
	add_sent(VFIO_USER_SERVER, VFIO_USER_DEVICE_SET_IRQS, &is, sizeof(is), NULL, 0);
	add_sent(VFIO_USER_SERVER, VFIO_USER_REGION_READ, &ra, sizeof(ra), NULL, 0);
	add_sent(VFIO_USER_SERVER, VFIO_USER_REGION_WRITE, &ra, sizeof(ra), "abcd", 4);
	add_sent(VFIO_USER_SERVER, VFIO_USER_DEVICE_RESET, NULL, 0, NULL, 0);
	add_sent(VFIO_USER_CLIENT, VFIO_USER_DMA_READ, &da, sizeof(da), NULL, 0);
	add_sent(VFIO_USER_CLIENT, VFIO_USER_DMA_WRITE, &da, sizeof(da), "abcdefgh", 8);
	return 0;
}

/* p .. p + n lies inside the message's payload. */
static void inside(const struct vfio_user_msg *msg, const uint8_t *p, uint64_t n)
{
	if (p < msg->payload || n > msg->len || p + n > msg->payload + msg->len)
		abort();
}

static bool is_our_fd(const struct vfio_user_msg *msg, int fd)
{
	for (unsigned i = 0; i < msg->nfds; i++)
		if (msg->fds[i] == fd)
			return true;
	return false;
}

static void check_cmd(const struct vfio_user_msg *msg, const struct vfio_user_cmd *c)
{
	switch (c->hdr.cmd) {
	case VFIO_USER_DMA_MAP:
		if (c->u.dma_map.fd != -1 && !is_our_fd(msg, c->u.dma_map.fd))
			abort();
		if (msg->nfds > 1 || c->u.dma_map.map.size == 0)
			abort();
		break;
	case VFIO_USER_DEVICE_SET_IRQS:
		if (c->u.set_irqs.bools)
			inside(msg, c->u.set_irqs.bools, c->u.set_irqs.count);
		if (c->u.set_irqs.nfds && c->u.set_irqs.nfds != c->u.set_irqs.count)
			abort();
		break;
	case VFIO_USER_REGION_WRITE:
		inside(msg, c->u.region.data, c->u.region.count);
		/* fall through */
	case VFIO_USER_REGION_READ:
		if (c->u.region.count > g_local.max_data_xfer_size)
			abort();
		break;
	case VFIO_USER_DMA_WRITE:
		inside(msg, c->u.dma.data, c->u.dma.count);
		break;
	case VFIO_USER_VERSION:
		if (c->u.version.caps.max_msg_fds > VFIO_USER_MAX_MSG_FDS_LIMIT ||
		    c->u.version.caps.max_data_xfer_size > VFIO_USER_MAX_DATA_XFER_LIMIT ||
		    c->u.version.caps.pgsizes == 0)
			abort();
		break;
	default:
		if (c->hdr.cmd != VFIO_USER_DEVICE_RESET && msg->len == 0)
			abort();
		break;
	}
}

static void check_reply(const struct vfio_user_msg *msg, const struct vfio_user_cmd *sent,
			const struct vfio_user_reply *r)
{
	if (r->error)
		return;
	switch (sent->hdr.cmd) {
	case VFIO_USER_DEVICE_GET_REGION_INFO:
		if (r->u.region_info.fd != -1 && !is_our_fd(msg, r->u.region_info.fd))
			abort();
		if (r->u.region_info.nr_areas > VFIO_USER_MAX_SPARSE_AREAS)
			abort();
		for (uint32_t i = 0; i < r->u.region_info.nr_areas; i++)
			if (r->u.region_info.areas[i].offset + r->u.region_info.areas[i].size >
			    r->u.region_info.info.size)
				abort();
		break;
	case VFIO_USER_REGION_READ:
		inside(msg, r->u.data, sent->u.region.count);
		break;
	case VFIO_USER_DMA_READ:
		inside(msg, r->u.data, sent->u.dma.count);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vfio_user_cmd *sent;
	struct vfio_user_reply reply;
	struct vfio_user_cmd cmd;
	struct vfio_user_msg msg;
	enum vfio_user_side side;
	uint8_t *buf;
	unsigned nfds;

	if (size < 2 || size - 2 > MAX_MSG)
		return 0;
	nfds = data[0] & 7;
	side = (data[0] & 8) ? VFIO_USER_CLIENT : VFIO_USER_SERVER;
	sent = &g_sent[data[1] % g_nsent];
	size -= 2;
	/* A buffer of exactly the message, so reading past it is caught. */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 2, size);
	if ((data[0] & 0x10) && size >= 4)
		memcpy(buf, &sent->hdr, 4); /* id and command */
	if (vfio_user_msg_view(buf, size, g_fds, nfds, g_local.max_msg_fds, side,
			       vfio_user_max_msg_size(&g_local), &msg) == 0) {
		if ((msg.hdr.flags & VFIO_USER_F_TYPE_MASK) == VFIO_USER_F_TYPE_COMMAND) {
			if (vfio_user_cmd_parse(&msg, &g_local, &cmd) == 0)
				check_cmd(&msg, &cmd);
		} else if (vfio_user_reply_parse(&msg, sent, &reply) == 0) {
			check_reply(&msg, sent, &reply);
		}
	}
	free(buf);
	return 0;
}
