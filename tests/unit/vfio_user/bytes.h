/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_UNIT_VFIO_USER_BYTES_H
#define STORLAB_TESTS_UNIT_VFIO_USER_BYTES_H

/* Messages written byte by byte from the spec's tables, never through the
 * codec's own structures: each field at its offset, little-endian (the
 * host's order on the machines we run on: vfio-user.rst "Protocol
 * Specification" has data in the host's endianness). */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct bytes {
	uint8_t b[8192];
	size_t n;
};

static inline void put_le(struct bytes *m, uint64_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		m->b[m->n++] = (uint8_t)(v >> (8 * i));
}

static inline void put8(struct bytes *m, uint8_t v)
{
	put_le(m, v, 1);
}
static inline void put16(struct bytes *m, uint16_t v)
{
	put_le(m, v, 2);
}
static inline void put32(struct bytes *m, uint32_t v)
{
	put_le(m, v, 4);
}
static inline void put64(struct bytes *m, uint64_t v)
{
	put_le(m, v, 8);
}
static inline void put_str(struct bytes *m, const char *s)
{
	size_t len = strlen(s) + 1; /* the terminating NUL too */

	memcpy(m->b + m->n, s, len);
	m->n += len;
}

/* "Header": id at 0, command at 2, size at 4 (set by done()), flags at 8,
 * error at 12. Starts a new message. */
static inline void put_hdr(struct bytes *m, uint16_t id, uint16_t cmd, uint32_t flags,
			   uint32_t error)
{
	m->n = 0;
	put16(m, id);
	put16(m, cmd);
	put32(m, 0);
	put32(m, flags);
	put32(m, error);
}

/* "VFIO_USER_DEVICE_GET_REGION_INFO" Request: argsz, then index at 8;
 * flags, cap_offset, size and offset zero. Starts a new message. */
static inline void put_region_info_request(struct bytes *m, uint16_t id, uint32_t argsz,
					   uint32_t index)
{
	put_hdr(m, id, 5, 0, 0);
	put32(m, argsz);
	put32(m, 0);
	put32(m, index);
	put32(m, 0);
	put64(m, 0);
	put64(m, 0);
}

/* Message size: the whole message, header included. */
static inline void done(struct bytes *m)
{
	for (unsigned i = 0; i < 4; i++)
		m->b[4 + i] = (uint8_t)(m->n >> (8 * i));
}

#endif
