/* SPDX-License-Identifier: MIT */
/*
 * vfio-user suite: version negotiation (VFU-VER), vfio-user.rst
 * "VFIO_USER_VERSION" and "Connection Initiation". Each case proposes a
 * version by hand on a fresh connection and reads the server's reply.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conformance/suite_vfio_user.h"

/* VERSION major.minor with json (NUL included) as its version data, or
 * none: vfu_call's result, the reply in *m. */
static int propose(struct vfu_conn *c, uint16_t major, uint16_t minor, const char *json,
		   struct vfu_msg *m)
{
	uint8_t buf[512];
	size_t len = json ? strlen(json) + 1 : 0;

	if (len > sizeof(buf) - 4)
		return -EMSGSIZE;
	memcpy(buf, &major, 2);
	memcpy(buf + 2, &minor, 2);
	if (json)
		memcpy(buf + 4, json, len);
	return vfu_call(c, VFIO_USER_VERSION, buf, (uint32_t)(4 + len), NULL, 0, m);
}

#define CAPS_JSON "{\"capabilities\":{\"max_msg_fds\":8,\"pgsizes\":%llu}}"

/* What a VERSION reply said. */
struct answer {
	uint16_t major, minor;
	struct vfio_user_caps caps; /* the defaults for what it left out */
};

/* VERSION 0.minor proposing pgsizes, on a new connection, which the server
 * may turn down: N/A when it does (closed or refused), FAIL when it does
 * not answer or answers with no version; PASS with *a otherwise. */
static enum conform_verdict accepted(struct conform_ctx *ctx, uint16_t minor, uint64_t pgsizes,
				     struct answer *a)
{
	char json[128];
	struct vfu_conn c;
	struct vfu_msg m;
	int ret, err;

	if (vfu_open(ctx, false, &c))
		return CONFORM_ERROR;
	snprintf(json, sizeof(json), CAPS_JSON, (unsigned long long)pgsizes);
	ret = propose(&c, 0, minor, json, &m);
	if (ret == -ECONNRESET)
		return conform_not_applicable(ctx, "the server closed the connection on version 0.%u: "
						   "it does not support it",
					      minor);
	if (ret < 0)
		return conform_fail(ctx, "VERSION 0.%u: no reply: %s", minor, strerror(-ret));
	err = vfu_reply_errno(&m);
	vfu_msg_fini(&m);
	if (err >= 0)
		return conform_not_applicable(ctx, "version 0.%u refused (error %d)", minor, err);
	if (m.len < 4)
		return conform_fail(ctx, "the VERSION reply has %u payload bytes, not the 4 of major "
					 "and minor at least",
				    m.len);
	memcpy(&a->major, m.payload, 2);
	memcpy(&a->minor, m.payload + 2, 2);
	vfio_user_caps_default(&a->caps);
	if (m.len > 4 &&
	    vfio_user_caps_parse((const char *)m.payload + 4, m.len - 4, &a->caps) < 0)
		return conform_fail(ctx, "the VERSION reply's version data is no capability "
					 "object of the Capabilities table");
	conform_note(ctx, "server: version %u.%u, pgsizes 0x%llx", a->major, a->minor,
		     (unsigned long long)a->caps.pgsizes);
	return CONFORM_PASS;
}

enum conform_verdict vfu_ver_same_major(struct conform_ctx *ctx)
{
	struct answer a;
	enum conform_verdict v = accepted(ctx, 0, 4096, &a);

	if (v == CONFORM_PASS && a.major != 0)
		return conform_fail(ctx, "proposed 0.0, the reply says %u.%u", a.major, a.minor);
	return v;
}

enum conform_verdict vfu_ver_minor_not_higher(struct conform_ctx *ctx)
{
	struct answer a;
	enum conform_verdict v = accepted(ctx, 7, 4096, &a);

	if (v == CONFORM_PASS && (a.major != 0 || a.minor > 7))
		return conform_fail(ctx, "proposed 0.7, the reply says %u.%u", a.major, a.minor);
	return v;
}

enum conform_verdict vfu_ver_pgsizes_subset(struct conform_ctx *ctx)
{
	const uint64_t proposed = 4096 | (1u << 21);
	struct answer a;
	enum conform_verdict v = accepted(ctx, 0, proposed, &a);

	if (v == CONFORM_PASS && (a.caps.pgsizes & ~proposed))
		return conform_fail(ctx, "proposed pgsizes 0x%llx, the reply has 0x%llx",
				    (unsigned long long)proposed, (unsigned long long)a.caps.pgsizes);
	return v;
}

enum conform_verdict vfu_ver_major_unsupported(struct conform_ctx *ctx)
{
	struct vfu_conn c;
	struct vfu_msg m;
	uint16_t major;
	int ret;

	if (vfu_open(ctx, false, &c))
		return CONFORM_ERROR;
	ret = propose(&c, 0xffff, 0, NULL, &m);
	if (ret == -ECONNRESET) {
		conform_note(ctx, "the server closed the connection");
		return vfu_expect_serving(&c);
	}
	if (ret < 0)
		return conform_fail(ctx,
				    "VERSION 65535.0: neither a reply nor a closed "
				    "connection (%s)",
				    strerror(-ret));
	vfu_msg_fini(&m);
	if (vfu_reply_errno(&m) >= 0)
		return vfu_expect_serving(&c);
	if (m.len < 4)
		return conform_fail(ctx, "a VERSION reply of %u payload bytes", m.len);
	memcpy(&major, m.payload, 2);
	if (major != 0xffff)
		return conform_fail(ctx, "proposed major 65535, the reply says major %u", major);
	conform_note(ctx, "the server supports major 65535");
	return vfu_expect_serving(&c);
}

enum conform_verdict vfu_ver_no_version_data(struct conform_ctx *ctx)
{
	struct vfio_user_device_info info;
	struct vfu_conn c;
	struct vfu_msg m;
	uint16_t major;
	int ret;

	if (vfu_open(ctx, false, &c))
		return CONFORM_ERROR;
	ret = propose(&c, 0, 0, NULL, &m);
	if (ret == -ECONNRESET)
		return conform_not_applicable(ctx, "the server closed the connection: it "
						   "requires a capability");
	if (ret < 0)
		return conform_fail(ctx, "VERSION 0.0 without version data: no reply (%s)",
				    strerror(-ret));
	vfu_msg_fini(&m);
	if (vfu_reply_errno(&m) >= 0)
		return CONFORM_PASS;
	if (m.len < 4)
		return conform_fail(ctx, "a VERSION reply of %u payload bytes", m.len);
	memcpy(&major, m.payload, 2);
	if (major != 0)
		return conform_fail(ctx, "proposed 0.0, the reply says major %u", major);
	ret = vfu_device_info(&c, &info);
	if (ret != 0)
		return conform_fail(ctx,
				    "negotiated with the defaults, DEVICE_GET_INFO then "
				    "failed: %s",
				    strerror(ret < 0 ? -ret : ret));
	return CONFORM_PASS;
}

enum conform_verdict vfu_ver_bad_json(struct conform_ctx *ctx)
{
	static const char bad[] = "{\"capabilities\":{\"max_msg_fds\":";
	uint8_t buf[4 + sizeof(bad)] = {0};
	struct vfu_conn c;

	if (vfu_open(ctx, false, &c))
		return CONFORM_ERROR;
	memcpy(buf + 4, bad, sizeof(bad));
	return vfu_expect_refused(&c, "VERSION 0.0 with version data that is no JSON",
				  VFIO_USER_VERSION, buf, sizeof(buf), NULL, 0);
}

enum conform_verdict vfu_ver_command_first(struct conform_ctx *ctx)
{
	struct vfio_user_device_info req = {.argsz = sizeof(req)};
	struct vfu_conn c;

	if (vfu_open(ctx, false, &c))
		return CONFORM_ERROR;
	return vfu_expect_refused(&c, "DEVICE_GET_INFO before VERSION", VFIO_USER_DEVICE_GET_INFO,
				  &req, sizeof(req), NULL, 0);
}
