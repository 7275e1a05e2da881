/* SPDX-License-Identifier: MIT */
/*
 * One trace record <-> its bytes (docs/trace-format.md). Every field is
 * little-endian; the decoder checks each length against what it was given
 * before it reads, and refuses a record whose parts do not add up.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "trace/trace.h"
#include "util/common.h"
#include "vhost/vhost_tap.h"

/* Offsets of the fixed header. */
enum {
	OFF_VERSION = 0,
	OFF_TYPE = 1,
	OFF_DIR = 2,
	OFF_SIDE = 3,
	OFF_CONN = 4,
	OFF_ERROR = 8,
	OFF_NFDS = 12,
	OFF_HDR_LEN = 13,
	OFF_RESERVED = 14,
	OFF_PAYLOAD_WIRE = 16,
	OFF_LEN = 20,
};

static void put8(uint8_t *p, uint8_t v)
{
	*p = v;
}

static void put16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, sizeof(v));
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

int trace_rec_to_backend(const struct trace_rec *rec)
{
	/* The front-end sends toward the back-end; the back-end receives it. */
	return (rec->side == VHOST_TAP_FRONTEND) == (rec->dir == VHOST_TAP_SENT);
}

/* The parts' lengths a record of its type must have; -EINVAL if it cannot
 * be one. */
static int rec_check(const struct trace_rec *rec)
{
	if (rec->dir > VHOST_TAP_RECEIVED || rec->side > VHOST_TAP_BACKEND)
		return -EINVAL;
	switch (rec->type) {
	case TRACE_REC_MSG:
		if (rec->hdr_len > sizeof(rec->hdr) || rec->nfds > TRACE_MAX_FDS ||
		    rec->payload_len > TRACE_PAYLOAD_MAX || rec->payload_len > rec->payload_wire)
			return -EINVAL;
		/* Payload only follows a whole header, and never more of it
		 * than the header announced. */
		if (rec->hdr_len < sizeof(rec->hdr))
			return rec->payload_wire ? -EINVAL : 0;
		if (rec->payload_wire > rec->hdr.size)
			return -EINVAL;
		/* A whole message (error 0) went over the wire and was kept
		 * whole. */
		if (!rec->error && rec->payload_len != rec->hdr.size)
			return -EINVAL;
		return 0;
	case TRACE_REC_RING:
		if (rec->ring.point < TRACE_RING_STOPPED || rec->ring.point > TRACE_RING_ENABLED ||
		    rec->ring.valid & ~TRACE_RING_VALID_ALL)
			return -EINVAL;
		return 0;
	case TRACE_REC_MARKER:
		if (!rec->text_len || rec->text_len > TRACE_MARKER_MAX)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

static size_t rec_len(const struct trace_rec *rec)
{
	switch (rec->type) {
	case TRACE_REC_MSG:
		return TRACE_HDR_LEN + rec->nfds * TRACE_FD_LEN + rec->hdr_len + rec->payload_len;
	case TRACE_REC_RING:
		return TRACE_HDR_LEN + TRACE_RING_LEN;
	default:
		return TRACE_HDR_LEN + rec->text_len;
	}
}

static void fd_encode(const struct trace_fd *fd, uint8_t *p)
{
	put32(p, fd->kind);
	put32(p + 4, fd->index);
	put64(p + 8, fd->gpa);
	put64(p + 16, fd->size);
	put64(p + 24, fd->offset);
}

static void ring_encode(const struct trace_ring *r, uint8_t *p)
{
	put32(p, r->point);
	put32(p + 4, r->index);
	put32(p + 8, r->num);
	put32(p + 12, r->base);
	put16(p + 16, r->avail_idx);
	put16(p + 18, r->used_idx);
	put32(p + 20, r->valid);
	put64(p + 24, r->desc);
	put64(p + 32, r->avail);
	put64(p + 40, r->used);
}

int trace_rec_encode(const struct trace_rec *rec, uint8_t *buf, size_t len)
{
	uint8_t hdr[sizeof(rec->hdr)];
	size_t need;
	uint8_t *p;

	if (rec_check(rec))
		return -EINVAL;
	need = rec_len(rec);
	if (need > len)
		return -ENOSPC;
	memset(buf, 0, TRACE_HDR_LEN);
	put8(buf + OFF_VERSION, TRACE_VERSION);
	put8(buf + OFF_TYPE, rec->type);
	put8(buf + OFF_DIR, rec->dir);
	put8(buf + OFF_SIDE, rec->side);
	put32(buf + OFF_CONN, rec->conn);
	put32(buf + OFF_ERROR, (uint32_t)rec->error);
	put32(buf + OFF_LEN, (uint32_t)need);
	p = buf + TRACE_HDR_LEN;
	switch (rec->type) {
	case TRACE_REC_MSG:
		put8(buf + OFF_NFDS, (uint8_t)rec->nfds);
		put8(buf + OFF_HDR_LEN, (uint8_t)rec->hdr_len);
		put32(buf + OFF_PAYLOAD_WIRE, rec->payload_wire);
		for (unsigned i = 0; i < rec->nfds; i++, p += TRACE_FD_LEN)
			fd_encode(&rec->fds[i], p);
		/* The header as on the wire (little-endian), only what arrived. */
		put32(hdr, rec->hdr.request);
		put32(hdr + 4, rec->hdr.flags);
		put32(hdr + 8, rec->hdr.size);
		memcpy(p, hdr, rec->hdr_len);
		p += rec->hdr_len;
		if (rec->payload_len)
			memcpy(p, rec->payload, rec->payload_len);
		break;
	case TRACE_REC_RING:
		ring_encode(&rec->ring, p);
		break;
	default:
		memcpy(p, rec->text, rec->text_len);
		break;
	}
	return (int)need;
}

static void fd_decode(const uint8_t *p, struct trace_fd *fd)
{
	fd->kind = get32(p);
	fd->index = get32(p + 4);
	fd->gpa = get64(p + 8);
	fd->size = get64(p + 16);
	fd->offset = get64(p + 24);
}

static void ring_decode(const uint8_t *p, struct trace_ring *r)
{
	r->point = get32(p);
	r->index = get32(p + 4);
	r->num = get32(p + 8);
	r->base = get32(p + 12);
	r->avail_idx = get16(p + 16);
	r->used_idx = get16(p + 18);
	r->valid = get32(p + 20);
	r->desc = get64(p + 24);
	r->avail = get64(p + 32);
	r->used = get64(p + 40);
}

/* The message's parts after the fixed header: fds, header bytes, payload. */
static int msg_decode(const uint8_t *p, size_t left, struct trace_rec *rec)
{
	uint8_t hdr[sizeof(rec->hdr)] = {0};

	if (rec->nfds > TRACE_MAX_FDS || rec->hdr_len > sizeof(hdr) ||
	    left < (size_t)rec->nfds * TRACE_FD_LEN + rec->hdr_len)
		return -EINVAL;
	for (unsigned i = 0; i < rec->nfds; i++, p += TRACE_FD_LEN, left -= TRACE_FD_LEN)
		fd_decode(p, &rec->fds[i]);
	memcpy(hdr, p, rec->hdr_len);
	rec->hdr.request = get32(hdr);
	rec->hdr.flags = get32(hdr + 4);
	rec->hdr.size = get32(hdr + 8);
	p += rec->hdr_len;
	left -= rec->hdr_len;
	if (left > TRACE_PAYLOAD_MAX)
		return -EINVAL;
	rec->payload_len = (uint32_t)left;
	rec->payload = left ? p : NULL;
	return 0;
}

int trace_rec_decode(const uint8_t *buf, size_t len, struct trace_rec *rec)
{
	uint64_t time_ns = rec->time_ns;
	const uint8_t *body = buf + TRACE_HDR_LEN;
	size_t left;
	int rc;

	/* The record's own length: a record cut short, or with bytes after
	 * it, is refused whole. */
	if (len < TRACE_HDR_LEN || buf[OFF_VERSION] != TRACE_VERSION || get16(buf + OFF_RESERVED) ||
	    get32(buf + OFF_LEN) != len)
		return -EINVAL;
	left = len - TRACE_HDR_LEN;
	memset(rec, 0, sizeof(*rec));
	rec->time_ns = time_ns;
	rec->type = buf[OFF_TYPE];
	rec->dir = buf[OFF_DIR];
	rec->side = buf[OFF_SIDE];
	rec->conn = get32(buf + OFF_CONN);
	rec->error = (int32_t)get32(buf + OFF_ERROR);
	rec->nfds = buf[OFF_NFDS];
	rec->hdr_len = buf[OFF_HDR_LEN];
	rec->payload_wire = get32(buf + OFF_PAYLOAD_WIRE);
	switch (rec->type) {
	case TRACE_REC_MSG:
		rc = msg_decode(body, left, rec);
		break;
	case TRACE_REC_RING:
		/* The message fields are 0 in a ring state. */
		rc = left == TRACE_RING_LEN && !rec->nfds && !rec->hdr_len && !rec->payload_wire
			 ? 0
			 : -EINVAL;
		if (!rc)
			ring_decode(body, &rec->ring);
		break;
	case TRACE_REC_MARKER:
		rc = !rec->nfds && !rec->hdr_len && !rec->payload_wire && left <= TRACE_MARKER_MAX
			 ? 0
			 : -EINVAL;
		rec->text = (const char *)body;
		rec->text_len = (uint32_t)left;
		break;
	default:
		rc = -EINVAL;
		break;
	}
	/* The same rules the encoder keeps: what one writes, the other reads. */
	return rc ? rc : rec_check(rec);
}

/* The region of a SET_MEM_TABLE / ADD_MEM_REG fd, from its payload. */
static void fd_region(struct trace_fd *fd, const struct vhost_user_mem_region *r, uint32_t index)
{
	*fd = (struct trace_fd){
	    .kind = TRACE_FD_MEM,
	    .index = index,
	    .gpa = r->guest_phys_addr,
	    .size = r->memory_size,
	    .offset = r->mmap_offset,
	};
}

void trace_rec_describe_fds(struct trace_rec *rec)
{
	union vhost_user_payload pl = {0};
	uint32_t req = rec->hdr.request;

	memset(rec->fds, 0, sizeof(rec->fds));
	if (!rec->nfds || rec->hdr_len < sizeof(rec->hdr))
		return;
	memcpy(&pl, rec->payload, MIN((size_t)rec->payload_len, sizeof(pl)));
	switch (req) {
	case VHOST_USER_SET_MEM_TABLE:
		/* "Memory regions description": fd i maps region i. */
		for (unsigned i = 0; i < rec->nfds && i < pl.memory.nregions &&
				     i < VHOST_USER_MEM_BASELINE_NREGIONS &&
				     8 + (i + 1) * sizeof(pl.memory.regions[0]) <= rec->payload_len;
		     i++)
			fd_region(&rec->fds[i], &pl.memory.regions[i], i);
		break;
	case VHOST_USER_ADD_MEM_REG:
		if (rec->payload_len >= sizeof(pl.mem_reg))
			fd_region(&rec->fds[0], &pl.mem_reg.region, 0);
		break;
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR:
		rec->fds[0].kind = TRACE_FD_VRING;
		rec->fds[0].index = (uint32_t)(pl.u64 & VHOST_USER_VRING_IDX_MASK);
		break;
	case VHOST_USER_SET_LOG_BASE:
		rec->fds[0] = (struct trace_fd){
		    .kind = TRACE_FD_LOG, .size = pl.log.mmap_size, .offset = pl.log.mmap_offset};
		break;
	case VHOST_USER_GET_INFLIGHT_FD:
	case VHOST_USER_SET_INFLIGHT_FD:
		rec->fds[0] = (struct trace_fd){.kind = TRACE_FD_INFLIGHT,
						.size = pl.inflight.mmap_size,
						.offset = pl.inflight.mmap_offset};
		break;
	case VHOST_USER_SET_BACKEND_REQ_FD:
		rec->fds[0].kind = TRACE_FD_CHANNEL;
		break;
	default:
		break;
	}
}
