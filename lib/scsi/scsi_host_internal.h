/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_SCSI_SCSI_HOST_INTERNAL_H
#define STORLAB_SCSI_SCSI_HOST_INTERNAL_H

/* What the scsi_host*.c files share: big-endian fields (SPC-5 §3.5: the
 * most significant byte first). */

#include <stdint.h>

static inline void scsi_host_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void scsi_host_put_be32(uint8_t *p, uint32_t v)
{
	scsi_host_put_be16(p, (uint16_t)(v >> 16));
	scsi_host_put_be16(p + 2, (uint16_t)v);
}

static inline void scsi_host_put_be64(uint8_t *p, uint64_t v)
{
	scsi_host_put_be32(p, (uint32_t)(v >> 32));
	scsi_host_put_be32(p + 4, (uint32_t)v);
}

static inline uint16_t scsi_host_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t scsi_host_get_be32(const uint8_t *p)
{
	return (uint32_t)scsi_host_get_be16(p) << 16 | scsi_host_get_be16(p + 2);
}

static inline uint64_t scsi_host_get_be64(const uint8_t *p)
{
	return (uint64_t)scsi_host_get_be32(p) << 32 | scsi_host_get_be32(p + 4);
}

#endif
