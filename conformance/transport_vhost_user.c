/* SPDX-License-Identifier: MIT */
/*
 * The vhost-user conformance transport (conform.h, struct conform_transport):
 * an endpoint is a back-end's Unix socket, what it offers is its virtio
 * features and vhost-user protocol features, a case needs some of each, a
 * connection is a lib/vhost front-end, and its trace is every message both
 * ways. Also the vhost-user part of the case API (conform_connect,
 * conform_offered_*).
 */
#define LOG_COMPONENT "conform"

#include <stdio.h>
#include <string.h>

#include "conformance/runner.h"
#include "conformance/runner_internal.h"
#include "spec/vhost_user.h"
#include "util/common.h"
#include "vhost/vhost_msg.h"

/* Payload bytes shown per message: enough for the fixed-size requests and
 * the head of a memory table. */
#define TRACE_PAYLOAD_BYTES 32

/* GET_FEATURES and, when VHOST_USER_F_PROTOCOL_FEATURES is offered,
 * GET_PROTOCOL_FEATURES: vhost-user.rst "Protocol features" lets a front-end
 * ask for them only then (and before SET_FEATURES, which this connection
 * never sends: VHOST-FEAT-006). */
static int vu_probe(const char *path, int timeout_ms, struct conform_offer *offer)
{
	struct vhost_fe *fe;
	int ret = vhost_fe_connect(path, timeout_ms, &fe);

	if (ret)
		return ret;
	*offer = (struct conform_offer){0};
	ret = vhost_fe_get_features(fe, &offer->features);
	if (ret == 0 && (offer->features & (1ull << VHOST_USER_F_PROTOCOL_FEATURES)))
		ret = vhost_fe_get_protocol_features(fe, &offer->protocol_features);
	vhost_fe_close(fe);
	return ret;
}

/* conform.h: "a case whose needs the endpoint does not offer is reported as
 * not applicable, never as passed". Offered means: every feature bit and
 * every protocol feature bit the case needs is in what the probe read. */
static bool vu_applicable(const struct conform_offer *offer, const struct conform_case *c,
			  char *why, size_t len)
{
	uint64_t f = c->features & ~offer->features;
	uint64_t pf = c->protocol_features & ~offer->protocol_features;
	char names[512];

	if (!f && !pf)
		return true;
	conform_feature_names(f, pf, names, sizeof(names));
	snprintf(why, len, "not offered: %s", names);
	return false;
}

static int vu_connect(const char *path, int timeout_ms, void **conn, int *fd)
{
	struct vhost_fe *fe;
	int ret = vhost_fe_connect(path, timeout_ms, &fe);

	if (ret)
		return ret;
	*conn = fe;
	*fd = vhost_fe_fd(fe);
	return 0;
}

static void trace_msg(void *arg, bool sent, const struct vhost_user_hdr *hdr, const void *payload,
		      unsigned nfds)
{
	struct conform_ctx *ctx = arg;
	const uint8_t *p = payload;
	char line[256];
	unsigned shown = MIN(hdr->size, TRACE_PAYLOAD_BYTES);
	int n;

	n = snprintf(line, sizeof(line), "%s %s (%u) flags=0x%x size=%u fds=%u", sent ? "->" : "<-",
		     vhost_msg_request_name(hdr->request), hdr->request, hdr->flags, hdr->size,
		     nfds);
	if (shown && p) {
		n += snprintf(line + n, sizeof(line) - n, " |");
		for (unsigned i = 0; i < shown && n < (int)sizeof(line) - 4; i++)
			n += snprintf(line + n, sizeof(line) - n, " %02x", p[i]);
		if (shown < hdr->size)
			snprintf(line + n, sizeof(line) - n, " ...");
	}
	conform_ctx_trace_line(ctx, line);
}

static void vu_trace(void *conn, struct conform_ctx *ctx)
{
	vhost_fe_set_trace(conn, trace_msg, ctx);
}

static const char *const g_vu_schemes[] = {"vhost-user-blk", NULL};

const struct conform_transport g_conform_transport_vhost_user = {
    .name = "vhost-user",
    .schemes = g_vu_schemes,
    .probe_what = "GET_FEATURES, then GET_PROTOCOL_FEATURES before SET_FEATURES: VHOST-FEAT-006",
    .probe = vu_probe,
    .applicable = vu_applicable,
    .connect = vu_connect,
    .trace = vu_trace,
};

/* ---- the vhost-user part of the case API (conform.h) ---- */

int conform_connect(struct conform_ctx *ctx, struct vhost_fe **fe)
{
	void *conn;
	int ret = conform_ctx_connect(ctx, &conn);

	if (ret == 0)
		*fe = conn;
	return ret;
}

uint64_t conform_offered_features(const struct conform_ctx *ctx)
{
	return ctx->offered.features;
}

uint64_t conform_offered_protocol_features(const struct conform_ctx *ctx)
{
	return ctx->offered.protocol_features;
}
