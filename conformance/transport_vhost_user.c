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

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conformance/runner.h"
#include "conformance/runner_internal.h"
#include "spec/vhost_user.h"
#include "spec/virtio_scsi.h"
#include "storlab/virtio_blk.h"
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
static bool vu_applicable_to(const struct conform_transport *t, const struct conform_offer *offer,
			     const struct conform_case *c, char *why, size_t len)
{
	uint64_t f = c->features & ~offer->features;
	uint64_t pf = c->protocol_features & ~offer->protocol_features;
	char names[512];

	if (!f && !pf)
		return true;
	conform_feature_names(t, f, pf, names, sizeof(names));
	snprintf(why, len, "not offered: %s", names);
	return false;
}

static bool vu_applicable(const struct conform_offer *offer, const struct conform_case *c,
			  char *why, size_t len)
{
	return vu_applicable_to(&g_conform_transport_vhost_user, offer, c, why, len);
}

static bool vu_scsi_applicable(const struct conform_offer *offer, const struct conform_case *c,
			       char *why, size_t len)
{
	return vu_applicable_to(&g_conform_transport_vhost_user_scsi, offer, c, why, len);
}

/* virtio 1.2 §5.6.3: the device-type bits of virtio-scsi; the others
 * (§6 reserved bits, vhost-user's) are named as for every device. */
static const char *vu_scsi_feature_name(unsigned bit)
{
	static const char *const names[] = {
	    [VIRTIO_SCSI_F_INOUT] = "VIRTIO_SCSI_F_INOUT",
	    [VIRTIO_SCSI_F_HOTPLUG] = "VIRTIO_SCSI_F_HOTPLUG",
	    [VIRTIO_SCSI_F_CHANGE] = "VIRTIO_SCSI_F_CHANGE",
	    [VIRTIO_SCSI_F_T10_PI] = "VIRTIO_SCSI_F_T10_PI",
	};

	if (bit < ARRAY_SIZE(names))
		return names[bit];
	/* §6: bits 24 and up are not the device type's. */
	return bit >= 24 ? storlab_feature_name(bit) : NULL;
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

/* Up to len bytes of p as " xx xx ...", as many as fit in buf. */
static int trace_hex(char *buf, size_t size, const void *p, unsigned len)
{
	const uint8_t *b = p;
	int n = 0;

	for (unsigned i = 0; i < len && n < (int)size - 4; i++)
		n += snprintf(buf + n, size - n, " %02x", b[i]);
	return n;
}

/* Why a received message is not whole: what the front-end's receiver saw. */
static const char *trace_cut_reason(const struct vhost_tap_msg *m)
{
	switch (m->error) {
	case -ECONNRESET:
		return "the connection was closed";
	case -ETIMEDOUT:
		return "no more bytes came";
	case -EMSGSIZE:
		return m->payload_wire == m->hdr.size ? "larger than any message, read and dropped"
						      : "larger than any message, not read";
	case -EPROTO:
		return "more fds than a message may carry, closed";
	default:
		return strerror(-m->error);
	}
}

/* The message tap of the case's connections (vhost_tap.h): one line per
 * message, with the first payload bytes that went over the wire. */
static void trace_msg(void *arg, const struct vhost_tap_msg *m)
{
	struct conform_ctx *ctx = arg;
	const char *dir = m->dir == VHOST_TAP_SENT ? "->" : "<-";
	unsigned shown = MIN(m->payload_len, TRACE_PAYLOAD_BYTES);
	char line[384];
	int n;

	if (m->hdr_len < sizeof(m->hdr)) {
		n = snprintf(line, sizeof(line), "%s %u of the %zu header bytes |", dir, m->hdr_len,
			     sizeof(m->hdr));
		n += trace_hex(line + n, sizeof(line) - n, &m->hdr, m->hdr_len);
		snprintf(line + n, sizeof(line) - n, " [%s]", trace_cut_reason(m));
		conform_ctx_trace_line(ctx, line);
		return;
	}
	n = snprintf(line, sizeof(line), "%s %s (%u) flags=0x%x size=%u fds=%u", dir,
		     vhost_msg_request_name(m->hdr.request), m->hdr.request, m->hdr.flags,
		     m->hdr.size, m->nfds);
	if (shown && m->payload) {
		n += snprintf(line + n, sizeof(line) - n, " |");
		n += trace_hex(line + n, sizeof(line) - n, m->payload, shown);
		if (shown < m->hdr.size)
			n += snprintf(line + n, sizeof(line) - n, " ...");
	}
	if (m->error)
		snprintf(line + n, sizeof(line) - n, " [%u of %u payload bytes arrived: %s]",
			 m->payload_wire, m->hdr.size, trace_cut_reason(m));
	conform_ctx_trace_line(ctx, line);
}

static void vu_trace(void *conn, struct conform_ctx *ctx)
{
	vhost_fe_set_tap(conn, &(struct vhost_tap){.fn = trace_msg, .arg = ctx});
}

static const char *const g_vu_schemes[] = {"vhost-user-blk", NULL};
static const char *const g_vu_scsi_schemes[] = {"vhost-user-scsi", NULL};

const struct conform_transport g_conform_transport_vhost_user = {
    .name = "vhost-user",
    .schemes = g_vu_schemes,
    .probe_what = "GET_FEATURES, then GET_PROTOCOL_FEATURES before SET_FEATURES: VHOST-FEAT-006",
    .probe = vu_probe,
    .feature_name = storlab_feature_name,
    .applicable = vu_applicable,
    .connect = vu_connect,
    .trace = vu_trace,
};

/* The same protocol to a virtio-scsi device: a transport of its own, so
 * that a vhost-user-scsi: target runs the virtio-scsi suite and the
 * virtio-blk suites run against vhost-user-blk: ones only. */
const struct conform_transport g_conform_transport_vhost_user_scsi = {
    .name = "vhost-user-scsi",
    .schemes = g_vu_scsi_schemes,
    .probe_what = "GET_FEATURES, then GET_PROTOCOL_FEATURES before SET_FEATURES",
    .probe = vu_probe,
    .feature_name = vu_scsi_feature_name,
    .applicable = vu_scsi_applicable,
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
