/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_VFIO_USER_VFIO_USER_H
#define STORLAB_VFIO_USER_VFIO_USER_H

/*
 * The vfio-user message codec, for both sides (QEMU
 * docs/interop/vfio-user.rst). Transport-independent: it reads and writes
 * whole messages in caller-owned buffers and never touches a socket; the fds
 * that came with a message are counted against what its payload says, never
 * closed or kept (the caller owns them).
 *
 * Receiving, in order:
 *   vfio_user_msg_view()    header checks; a view of one whole message
 *   vfio_user_cmd_parse()   a command's payload (server: client commands;
 *                           client: the server's DMA_READ/DMA_WRITE)
 *   vfio_user_reply_parse() a reply, against the command it answers
 * Every refusal returns a negative errno and logs one line naming the rule
 * and the spec section that makes it. Views point into the caller's buffer
 * and are valid as long as it is.
 *
 * Sending: vfio_user_build*() write a whole message into buf and return its
 * length, or -ENOSPC if it does not fit in cap bytes.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/vfio_user.h"

/* "VFIO_USER_VERSION", Capabilities: what one side can receive. */
struct vfio_user_caps {
	uint32_t max_msg_fds;
	uint32_t max_data_xfer_size;
	uint32_t max_dma_maps;
	uint64_t pgsizes;
	bool write_multiple;
	/* The "migration" object: not in the spec's table, but sent by QEMU's
	 * client (hw/vfio-user/protocol.h: pgsize, max_bitmap_size) and by
	 * earlier revisions of the spec. Zero when absent. */
	uint64_t migr_pgsize;
	uint64_t migr_max_bitmap_size;
};

/* Our bounds on what a peer may claim or send. */
#define VFIO_USER_VERSION_DATA_MAX    4096 /* JSON bytes, NUL included */
#define VFIO_USER_MAX_MSG_FDS_LIMIT   253  /* SCM_MAX_FD of Linux */
#define VFIO_USER_MAX_DATA_XFER_LIMIT (1u << 30)
#define VFIO_USER_MAX_SPARSE_AREAS    16 /* areas kept of a region's sparse mmap */
#define VFIO_USER_MAX_REGION_CAPS     16 /* capabilities walked in one chain */

/* The spec's defaults for absent fields. */
void vfio_user_caps_default(struct vfio_user_caps *caps);
/* Parses version data: len bytes ending in its NUL. Absent fields keep
 * the defaults; unknown ones are skipped. -EINVAL on malformed JSON, a
 * field of the wrong type or out of bounds; -EMSGSIZE past
 * VFIO_USER_VERSION_DATA_MAX. */
int vfio_user_caps_parse(const char *data, size_t len, struct vfio_user_caps *caps);
/* Writes caps as version data, NUL included: its length or -ENOSPC. */
int vfio_user_caps_build(const struct vfio_user_caps *caps, char *buf, size_t cap);
/* The largest message a side with these caps receives: a data transfer of
 * max_data_xfer_size, or the largest VERSION. */
uint32_t vfio_user_max_msg_size(const struct vfio_user_caps *caps);

/* Which side receives. */
enum vfio_user_side {
	VFIO_USER_SERVER,
	VFIO_USER_CLIENT,
};

/* One whole received message. */
struct vfio_user_msg {
	struct vfio_user_hdr hdr;
	const uint8_t *payload; /* hdr.msg_size - 16 bytes */
	uint32_t len;
	const int *fds;
	unsigned nfds;
};

/*
 * Checks a header received by side, before its payload is read (a stream
 * reader learns from it how much to read, or that it must not):
 *   -EBADMSG     msg_size below 16
 *   -EMSGSIZE    msg_size above max_msg_size
 *   -EPROTO      an unknown type, Error on a command, No_reply on a reply,
 *                an error reply with a payload, a command that goes the
 *                other way or a reply to one side never sends
 *   -EOPNOTSUPP  a command number the spec does not list (the caller may
 *                reply with an error once the payload is read)
 */
int vfio_user_hdr_check(const struct vfio_user_hdr *hdr, enum vfio_user_side side,
			uint32_t max_msg_size);

/*
 * Checks the message at buf (len bytes arrived) and makes msg a view of it
 * with its fds: the header as vfio_user_hdr_check, and
 *   -EBADMSG     fewer than 16 bytes
 *   -EPROTO      len not msg_size, more fds than max_fds
 */
int vfio_user_msg_view(const void *buf, size_t len, const int *fds, unsigned nfds, unsigned max_fds,
		       enum vfio_user_side side, uint32_t max_msg_size, struct vfio_user_msg *msg);

/* A parsed command. Views point into the message; fds into its fds. */
struct vfio_user_cmd {
	struct vfio_user_hdr hdr;
	union {
		struct {
			uint16_t major, minor;
			struct vfio_user_caps caps; /* defaults if no data came */
		} version;
		struct {
			struct vfio_user_dma_map map;
			int fd; /* -1: not mappable, reached through DMA_READ/WRITE */
		} dma_map;
		struct vfio_user_dma_unmap dma_unmap;
		struct vfio_user_device_info device_info;
		struct vfio_region_info region_info;
		struct vfio_irq_info irq_info;
		struct {
			uint32_t argsz, flags, index, start, count;
			const uint8_t *bools; /* DATA_BOOL: count bytes */
			const int *fds;	      /* DATA_EVENTFD: nfds, 0 de-assigns */
			unsigned nfds;
		} set_irqs;
		struct {
			uint64_t offset;
			uint32_t region, count;
			const uint8_t *data; /* REGION_WRITE */
		} region;
		struct {
			uint64_t address, count;
			const uint8_t *data; /* DMA_WRITE */
		} dma;
	} u;
};

/*
 * Parses a command's payload; local are the receiver's own caps (the bounds
 * on data transfers, the page sizes of DMA_MAP).
 *   -EINVAL      a length, field or fd count the spec does not allow
 *   -EOPNOTSUPP  a listed command this codec does not parse (REGION_IO_FDS,
 *                WRITE_MULTI, DEVICE_FEATURE, MIG_DATA_*) or the dirty
 *                bitmap flag of DMA_UNMAP
 *   -E2BIG       a data transfer past local->max_data_xfer_size
 */
int vfio_user_cmd_parse(const struct vfio_user_msg *msg, const struct vfio_user_caps *local,
			struct vfio_user_cmd *cmd);

/* A parsed reply. */
struct vfio_user_reply {
	int error; /* > 0: the peer failed the command with this errno */
	union {
		struct {
			uint16_t major, minor;
			struct vfio_user_caps caps;
		} version;
		struct vfio_user_device_info device_info;
		struct {
			struct vfio_region_info info;
			bool truncated; /* info.argsz > what was asked: ask again */
			int fd;		/* MMAP: the fd to map, else -1 */
			uint32_t nr_areas;
			struct vfio_region_sparse_mmap_area areas[VFIO_USER_MAX_SPARSE_AREAS];
		} region_info;
		struct vfio_irq_info irq_info;
		const uint8_t *data; /* REGION_READ, DMA_READ: the count bytes asked */
	} u;
};

/*
 * Parses a reply to sent (the command as parsed by vfio_user_cmd_parse):
 * same id and command, a payload that answers what was asked.
 *   -EPROTO   another id or command, a payload that does not answer sent
 *   -EINVAL   a field out of bounds (a region's capability chain)
 */
int vfio_user_reply_parse(const struct vfio_user_msg *msg, const struct vfio_user_cmd *sent,
			  struct vfio_user_reply *reply);

/* Writes a header (msg_size set from the parts), then part1 and part2
 * (either may be NULL with length 0). */
int vfio_user_build(void *buf, size_t cap, const struct vfio_user_hdr *hdr, const void *part1,
		    size_t len1, const void *part2, size_t len2);
/* A command: type Command, flags the extra flags (No_reply). */
int vfio_user_build_cmd(void *buf, size_t cap, uint16_t msg_id, uint16_t cmd, uint32_t flags,
			const void *part1, size_t len1, const void *part2, size_t len2);
/* A reply to cmd_hdr (its id and command). */
int vfio_user_build_reply(void *buf, size_t cap, const struct vfio_user_hdr *cmd_hdr,
			  const void *part1, size_t len1, const void *part2, size_t len2);
/* An error reply: the header only, Error set, error = err (> 0). */
int vfio_user_build_error(void *buf, size_t cap, const struct vfio_user_hdr *cmd_hdr, int err);
/* A VERSION command (cmd_hdr NULL) or reply, with caps as its JSON. */
int vfio_user_build_version(void *buf, size_t cap, const struct vfio_user_hdr *cmd_hdr,
			    uint16_t msg_id, uint16_t major, uint16_t minor,
			    const struct vfio_user_caps *caps);
/* A DEVICE_GET_REGION_INFO reply to a request of argsz bytes: info, then a
 * sparse mmap capability with nr_areas areas (none if 0). info.argsz,
 * cap_offset and the CAPS flag are set here; past argsz only the 32-byte
 * info goes, its argsz saying what is needed. */
int vfio_user_build_region_info(void *buf, size_t cap, const struct vfio_user_hdr *cmd_hdr,
				uint32_t argsz, const struct vfio_region_info *info,
				const struct vfio_region_sparse_mmap_area *areas,
				uint32_t nr_areas);

/* "VFIO_USER_DMA_MAP" for log lines, or "unknown". */
const char *vfio_user_cmd_name(uint16_t cmd);

#endif
