/* SPDX-License-Identifier: MIT */
/*
 * The vfio-user conformance transport (conform.h, struct conform_transport):
 * an endpoint is a vfio-user server's socket, today an NVMe controller's
 * (nvme-vfio-user:DIR/cntrl); a connection is a lib/vfio-user client set up
 * as a VMM does it. The suites' cases need nothing the probe reads: what an
 * NVMe controller supports is in its Identify data, which the cases read
 * themselves and answer N/A from. Also the vfio-user part of the case API
 * (conform_vfio_user.h).
 */
#define LOG_COMPONENT "conform"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conformance/conform_vfio_user.h"
#include "conformance/runner_internal.h"
#include "spec/nvme.h"
#include "util/deadline.h"
#include "util/unix_sock.h"

/* A whole set-up and a read of CAP (NVMe PCIe Transport §3.1: BAR0 holds
 * the controller properties): a server that answers it serves. */
static int vfu_probe(const char *path, int timeout_ms, struct conform_offer *offer)
{
	struct vfio_user_client *c;
	uint64_t cap;
	int ret = vfio_user_client_connect(path, timeout_ms, &c);

	if (ret)
		return ret;
	*offer = (struct conform_offer){0};
	ret = vfio_user_client_reg_read(c, VFIO_PCI_BAR0_REGION_INDEX, NVME_REG_CAP, 8, &cap);
	vfio_user_client_close(c);
	return ret;
}

static const char *vfu_feature_name(unsigned bit)
{
	(void)bit;
	return NULL;
}

static bool vfu_applicable(const struct conform_offer *offer, const struct conform_case *c,
			   char *why, size_t len)
{
	(void)offer, (void)c, (void)why, (void)len;
	return true;
}

static int vfu_connect(const char *path, int timeout_ms, void **conn, int *fd)
{
	struct vfio_user_client *c;
	int ret = vfio_user_client_connect(path, timeout_ms, &c);

	if (ret)
		return ret;
	*conn = c;
	*fd = vfio_user_client_fd(c);
	return 0;
}

/* The client's message tap (vfio_user_client.h): one trace line a message,
 * its header as vfio-user.rst "Header" lays it out. The set-up's messages
 * went before the tap was set; the cases add what they do with them
 * (conform_nvme.h: every register access and queue entry). */
static void trace_msg(void *arg, bool sent, const struct vfio_user_hdr *hdr,
		      const uint8_t *payload, uint32_t len, unsigned nfds)
{
	struct vfio_user_region_access a;
	char line[256];
	int n;

	n = snprintf(line, sizeof(line), "%s %s (%u) id=%u flags=0x%x size=%u error=%u fds=%u",
		     sent ? "->" : "<-", vfio_user_cmd_name(hdr->cmd), hdr->cmd, hdr->msg_id,
		     hdr->flags, hdr->msg_size, hdr->error, nfds);
	/* Which bytes of which region: what a register trace needs. */
	if ((hdr->cmd == VFIO_USER_REGION_READ || hdr->cmd == VFIO_USER_REGION_WRITE) &&
	    len >= sizeof(a)) {
		memcpy(&a, payload, sizeof(a));
		snprintf(line + n, sizeof(line) - n, " | region %u offset 0x%llx count %u",
			 a.region, (unsigned long long)a.offset, a.count);
	}
	conform_ctx_trace_line(arg, line);
}

static void vfu_trace(void *conn, struct conform_ctx *ctx)
{
	conform_note(ctx, "set up as a VMM does (VERSION, DEVICE_GET_INFO, the region infos); "
			  "every message from here on:");
	vfio_user_client_set_tap(conn, &(struct vfio_user_client_tap){.fn = trace_msg, .arg = ctx});
}

int conform_vfu_connect(struct conform_ctx *ctx, struct vfio_user_client **client)
{
	void *conn;
	int ret = conform_ctx_connect(ctx, &conn);

	if (ret == 0)
		*client = conn;
	return ret;
}

int conform_vfu_connect_raw(struct conform_ctx *ctx, int *fd)
{
	int sock = util_unix_connect(ctx->address, deadline_from_timeout(ctx->timeout_ms));

	if (sock < 0) {
		conform_note(ctx, "connect %s: %s", ctx->address, strerror(-sock));
		return sock;
	}
	conform_note(ctx, "connected to %s (raw)", ctx->address);
	conform_ctx_track(ctx, sock);
	*fd = sock;
	return 0;
}

static const char *const g_vfu_schemes[] = {"nvme-vfio-user", NULL};

const struct conform_transport g_conform_transport_vfio_user = {
    .name = "vfio-user",
    .schemes = g_vfu_schemes,
    .probe_what = "VERSION, DEVICE_GET_INFO, the region infos and a read of CAP",
    .probe = vfu_probe,
    .feature_name = vfu_feature_name,
    .applicable = vfu_applicable,
    .connect = vfu_connect,
    .trace = vfu_trace,
};
