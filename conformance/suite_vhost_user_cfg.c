/* SPDX-License-Identifier: MIT */
/*
 * vhost-user suite: device config space (VHOST-CFG): GET_CONFIG and
 * SET_CONFIG with VHOST_USER_PROTOCOL_F_CONFIG ("Virtio device config
 * space", "VHOST_USER_GET_CONFIG", "VHOST_USER_SET_CONFIG").
 *
 * vhost-user.rst puts no limit on the size or offset of a config access:
 * 256 bytes is QEMU's buffer (VHOST_USER_MAX_CONFIG_SIZE), not the spec's.
 * The GET_CONFIG cases judge the one rule the spec gives, the reply's size.
 */
#include <errno.h>
#include <string.h>

#include "conformance/suite_vhost_user.h"

/*
 * Sends GET_CONFIG for size bytes at offset, declaring payload_size bytes
 * of payload (12 + size for a well-formed request), and receives the
 * answer: 0, -ECONNRESET, -ETIMEDOUT, or -EMSGSIZE for a reply larger than
 * a config payload (12 + 256 bytes), which this front-end does not take:
 * then hdr->size is the reply's size where the receiver reports it, else 0,
 * and the connection is closed (the rest of that reply is still in it).
 */
static int cfg_get(struct conform_ctx *ctx, struct vu_conn *c, uint32_t offset, uint32_t size,
		   uint32_t payload_size, struct vhost_user_hdr *hdr, struct vhost_user_config *out)
{
	static struct vhost_user_config req; /* zeroed; the largest request */
	uint8_t big[sizeof(req) + 16] = {0};
	int ret;

	req.offset = offset;
	req.size = size;
	memcpy(big, &req, VHOST_USER_CONFIG_HDR_SIZE);
	ret = vu_send(c, VHOST_USER_GET_CONFIG, VHOST_USER_VERSION, big, payload_size, NULL, 0);
	if (ret == -EPIPE || ret == -ECONNRESET)
		return -ECONNRESET;
	if (ret < 0)
		return ret;
	memset(hdr, 0, sizeof(*hdr));
	memset(out, 0, sizeof(*out));
	ret = vu_recv(ctx, c, hdr, out, sizeof(*out));
	if (ret == -EMSGSIZE) {
		if (hdr->size <= sizeof(*out))
			hdr->size = 0;
		vu_close(c);
	}
	return ret;
}

static int open_cfg(struct conform_ctx *ctx, struct vu_conn *c)
{
	return vu_open(ctx, VU_PF(REPLY_ACK) | VU_PF(CONFIG), c);
}

/*
 * "VHOST_USER_GET_CONFIG": "vhost-user back-end's payload size MUST match
 * the front-end's request, vhost-user back-end uses zero length of payload
 * to indicate an error". PASS for a reply of the request's payload size or
 * an empty one, and for a closed connection ("Communication": a back-end
 * may close on an error it detects); FAIL for silence, a reply of another
 * size, or one without the reply flag ("Header").
 */
static enum conform_verdict cfg_get_sized(struct conform_ctx *ctx, uint32_t offset, uint32_t size)
{
	uint32_t want = VHOST_USER_CONFIG_HDR_SIZE + size;
	struct vhost_user_config cfg;
	struct vhost_user_hdr hdr;
	struct vu_conn c;
	int ret;

	if (open_cfg(ctx, &c))
		return CONFORM_ERROR;
	ret = cfg_get(ctx, &c, offset, size, want, &hdr, &cfg);
	if (ret == -ETIMEDOUT)
		return conform_fail(ctx, "offset %u size %u: no reply and the connection stays open",
				    offset, size);
	if (ret == -ECONNRESET) {
		conform_note(ctx, "the back-end closed the connection");
		return CONFORM_PASS;
	}
	if (ret == -EMSGSIZE && !hdr.size && want > sizeof(cfg)) {
		/* Larger than this front-end takes, as the reply asked for is:
		 * its exact size is not known here, so no verdict against it. */
		conform_note(ctx, "a reply larger than %zu bytes, the most this front-end "
				  "receives; %u asked: its size is not checked",
			     sizeof(cfg), want);
		return CONFORM_PASS;
	}
	if (ret == -EMSGSIZE && hdr.size != want)
		return conform_fail(ctx, "offset %u size %u (payload %u): a reply larger than %zu "
					 "bytes",
				    offset, size, want, sizeof(cfg));
	if (ret < 0 && ret != -EMSGSIZE)
		return conform_error(ctx, "GET_CONFIG: %s", strerror(-ret));
	if (hdr.request != VHOST_USER_GET_CONFIG || !(hdr.flags & VHOST_USER_REPLY_MASK))
		return conform_fail(ctx, "reply request %u flags 0x%x", hdr.request, hdr.flags);
	if (hdr.size != want && hdr.size != 0)
		return conform_fail(ctx, "offset %u size %u: reply payload of %u bytes for a "
					 "request of %u (or 0, the error reply)",
				    offset, size, hdr.size, want);
	conform_note(ctx, "reply of %u bytes%s", hdr.size, hdr.size ? "" : " (the error reply)");
	return CONFORM_PASS;
}

enum conform_verdict vu_cfg_get_header(struct conform_ctx *ctx)
{
	return cfg_get_sized(ctx, 0, 8);
}

enum conform_verdict vu_cfg_get_past_256(struct conform_ctx *ctx)
{
	return cfg_get_sized(ctx, 200, 100);
}

enum conform_verdict vu_cfg_get_size_over_256(struct conform_ctx *ctx)
{
	return cfg_get_sized(ctx, 0, 257);
}

enum conform_verdict vu_cfg_get_size_zero(struct conform_ctx *ctx)
{
	return cfg_get_sized(ctx, 0, 0);
}

/* VHOST-CFG-004 (advisory): a size field of 8 in 28 bytes of payload. The
 * request disagrees with itself, so "the front-end's request" has no one
 * size; a robust back-end answers with an empty (error) reply, the 28 bytes
 * or a closed connection, not with what only the size field asks, and goes
 * on serving. */
enum conform_verdict vu_cfg_get_size_mismatch(struct conform_ctx *ctx)
{
	const uint32_t payload = VHOST_USER_CONFIG_HDR_SIZE + 16;
	struct vhost_user_config cfg;
	struct vhost_user_hdr hdr;
	struct vu_conn c;
	int ret;

	if (open_cfg(ctx, &c))
		return CONFORM_ERROR;
	ret = cfg_get(ctx, &c, 0, 8, payload, &hdr, &cfg);
	if (ret == -ETIMEDOUT)
		return conform_fail(ctx, "no reply and the connection stays open");
	if (ret == -EMSGSIZE)
		return conform_fail(ctx, "a reply larger than %zu bytes to a %u-byte request",
				    sizeof(cfg), payload);
	if (ret == -ECONNRESET) {
		conform_note(ctx, "the back-end closed the connection");
		vu_close(&c);
	} else if (ret < 0) {
		return conform_error(ctx, "GET_CONFIG: %s", strerror(-ret));
	} else if (hdr.size != 0 && hdr.size != payload) {
		return conform_fail(ctx, "reply of %u bytes: the size field (8) answered, the %u "
					 "bytes of payload ignored",
				    hdr.size, payload);
	}
	return vu_expect_serving(ctx, &c);
}

/* Windows of the virtio-blk config space (virtio 1.2 §5.2.4): size_max,
 * blk_size, num_queues, and two that start inside a field. */
static const struct {
	uint32_t offset, size;
} g_windows[] = {{8, 4}, {20, 4}, {34, 2}, {1, 7}, {12, 24}};

/* A read at an offset returns the bytes a read from 0 has there. Only the
 * first size bytes of each reply are judged: the size is VHOST-CFG-001's. */
enum conform_verdict vu_cfg_get_at_offset(struct conform_ctx *ctx)
{
	struct virtio_blk_config whole;
	struct vhost_user_config cfg;
	struct vhost_user_hdr hdr;
	struct vu_conn c;
	uint32_t len, checked = 0;
	int ret;

	if (open_cfg(ctx, &c))
		return CONFORM_ERROR;
	ret = vhost_fe_get_blk_config(c.fe, &whole, &len);
	if (ret < 0)
		return conform_error(ctx, "GET_CONFIG of the whole struct: %s", strerror(-ret));
	for (size_t i = 0; i < sizeof(g_windows) / sizeof(g_windows[0]); i++) {
		uint32_t off = g_windows[i].offset, size = g_windows[i].size;
		const uint8_t *want = (const uint8_t *)&whole + off;

		if (off + size > len)
			continue;
		ret = cfg_get(ctx, &c, off, size, VHOST_USER_CONFIG_HDR_SIZE + size, &hdr, &cfg);
		if (ret < 0)
			return conform_fail(ctx, "GET_CONFIG of %u bytes at %u: %s", size, off,
					    strerror(-ret));
		if (hdr.size < VHOST_USER_CONFIG_HDR_SIZE + size)
			return conform_fail(ctx, "GET_CONFIG of %u bytes at %u: a reply of %u bytes",
					    size, off, hdr.size);
		for (uint32_t k = 0; k < size; k++) {
			if (cfg.region[k] != want[k])
				return conform_fail(ctx,
						    "GET_CONFIG of %u bytes at %u: byte %u reads "
						    "0x%02x, the whole struct has 0x%02x there",
						    size, off, off + k, cfg.region[k], want[k]);
		}
		checked++;
	}
	conform_note(ctx, "%u windows of the %u-byte config space read as the whole", checked,
		     len);
	if (!checked)
		return conform_error(ctx, "a config space of %u bytes: no window to read", len);
	return CONFORM_PASS;
}

/* Reads the capacity (virtio 1.2 §5.2.4: the first 8 bytes). */
static int read_capacity(struct conform_ctx *ctx, uint64_t *cap)
{
	struct vu_conn c;
	int ret;

	if (open_cfg(ctx, &c))
		return -EIO;
	ret = vhost_fe_get_config(c.fe, 0, sizeof(*cap), cap);
	vu_close(&c);
	if (ret < 0)
		conform_error(ctx, "GET_CONFIG of the capacity: %s", strerror(-ret));
	return ret;
}

/* Writes capacity + 8 over the capacity with flags 0 (not migration) and
 * need_reply; returns the answer and the capacity before. */
static int write_capacity(struct conform_ctx *ctx, struct vu_conn *c, uint64_t *cap,
			  enum vu_answer *a)
{
	struct vhost_user_config cfg = {.offset = 0, .size = 8,
					.flags = VHOST_USER_CONFIG_FLAG_WRITABLE};
	uint64_t v;

	if (read_capacity(ctx, cap) || open_cfg(ctx, c))
		return -EIO;
	v = *cap + 8;
	memcpy(cfg.region, &v, sizeof(v));
	*a = vu_request_ack(ctx, c, VHOST_USER_SET_CONFIG, &cfg, VHOST_USER_CONFIG_HDR_SIZE + 8,
			    NULL, 0);
	conform_note(ctx, "SET_CONFIG of the capacity: %s", vu_answer_name(*a));
	return 0;
}

/* "VHOST_USER_SET_CONFIG": back-ends MUST NOT accept SET_CONFIG for
 * read-only fields unless the live-migration flag is set. The capacity of
 * a block device is read-only (virtio 1.2 §5.2.4): after the attempt it
 * reads the same on a new connection. */
enum conform_verdict vu_cfg_set_read_only(struct conform_ctx *ctx)
{
	uint64_t cap, cap2;
	struct vu_conn c;
	enum vu_answer a;

	if (write_capacity(ctx, &c, &cap, &a))
		return CONFORM_ERROR;
	vu_close(&c);
	if (read_capacity(ctx, &cap2))
		return conform_fail(ctx, "the capacity cannot be read after the write");
	if (cap2 != cap)
		return conform_fail(ctx, "the capacity changed from %llu to %llu",
				    (unsigned long long)cap, (unsigned long long)cap2);
	return CONFORM_PASS;
}

/* The same write, seen through REPLY_ACK: it failed, so "the payload
 * should be set to ... non-zero on failure" (or the connection closes). */
enum conform_verdict vu_cfg_set_read_only_nack(struct conform_ctx *ctx)
{
	uint64_t cap;
	struct vu_conn c;
	enum vu_answer a;

	if (write_capacity(ctx, &c, &cap, &a))
		return CONFORM_ERROR;
	switch (a) {
	case VU_NACK:
	case VU_CLOSED:
		return CONFORM_PASS;
	case VU_ACK:
		return conform_fail(ctx, "SET_CONFIG of a read-only field acknowledged with 0");
	case VU_SILENT:
	case VU_BAD_REPLY:
	default:
		return conform_fail(ctx, "SET_CONFIG with need_reply: %s", vu_answer_name(a));
	}
}
