/* SPDX-License-Identifier: MIT */
/*
 * vfio-user command payloads: each command's length, fields and fds checked
 * against its section of vfio-user.rst before anyone acts on it. One parser
 * per command, picked from a table that also holds the payload's fixed size,
 * so that size is checked once, before the parser runs.
 */
#define LOG_COMPONENT "vfio-user"

#include <errno.h>
#include <string.h>

#include "util/common.h"
#include "util/log.h"
#include "vfio-user/vfio_user.h"
#include "vfio-user/vfio_user_internal.h"

typedef int (*cmd_parse_fn)(const struct vfio_user_msg *msg, const struct vfio_user_caps *local,
			    struct vfio_user_cmd *cmd);

/* Takes no fds: every command whose section does not send any. */
static int no_fds(const struct vfio_user_msg *msg)
{
	if (msg->nfds == 0)
		return 0;
	log_warn("vfio-user.rst %s: %u fds came with a command that carries none",
		 vfio_user_cmd_name(msg->hdr.cmd), msg->nfds);
	return -EINVAL;
}

/* "Message sizes": a request's argsz is the largest reply it takes, which
 * "should be at least the size of the fixed reply payload". */
static int argsz_at_least(const struct vfio_user_msg *msg, uint32_t argsz, uint32_t min)
{
	if (argsz >= min)
		return 0;
	log_warn("vfio-user.rst Message sizes: %s argsz %u is below its %u-byte reply",
		 vfio_user_cmd_name(msg->hdr.cmd), argsz, min);
	return -EINVAL;
}

static int zero_fields(const struct vfio_user_msg *msg, uint64_t fields)
{
	if (fields == 0)
		return 0;
	log_warn("vfio-user.rst %s Request: \"all other fields must be zero\"",
		 vfio_user_cmd_name(msg->hdr.cmd));
	return -EINVAL;
}

static int range_ok(const struct vfio_user_msg *msg, uint64_t start, uint64_t len)
{
	if (start + len >= start)
		return 0;
	log_warn("vfio-user.rst %s: range 0x%llx + 0x%llx wraps around",
		 vfio_user_cmd_name(msg->hdr.cmd), (unsigned long long)start,
		 (unsigned long long)len);
	return -EINVAL;
}

/* "Read and Write Operations": "The count field must not exceed the value
 * of max_data_xfer_size of the peer". */
static int xfer_ok(const struct vfio_user_msg *msg, uint64_t count,
		   const struct vfio_user_caps *local)
{
	if (count <= local->max_data_xfer_size)
		return 0;
	log_warn("vfio-user.rst Read and Write Operations: %s count %llu is past "
		 "max_data_xfer_size %u",
		 vfio_user_cmd_name(msg->hdr.cmd), (unsigned long long)count,
		 local->max_data_xfer_size);
	return -E2BIG;
}

static int parse_version(const struct vfio_user_msg *msg, const struct vfio_user_caps *local,
			 struct vfio_user_cmd *cmd)
{
	(void)local;
	return vfio_user_version_parse(msg, &cmd->u.version.major, &cmd->u.version.minor,
				       &cmd->u.version.caps);
}

static int parse_dma_map(const struct vfio_user_msg *msg, const struct vfio_user_caps *local,
			 struct vfio_user_cmd *cmd)
{
	struct vfio_user_dma_map *m = &cmd->u.dma_map.map;
	/* The smallest page size the receiver maps. */
	uint64_t pg = local->pgsizes & -local->pgsizes;

	memcpy(m, msg->payload, sizeof(*m));
	cmd->u.dma_map.fd = -1;
	if (m->argsz != sizeof(*m)) {
		log_warn("vfio-user.rst VFIO_USER_DMA_MAP: argsz %u, not the structure's 32",
			 m->argsz);
		return -EINVAL;
	}
	if (m->flags & ~(VFIO_USER_DMA_MAP_F_READ | VFIO_USER_DMA_MAP_F_WRITE)) {
		log_warn("vfio-user.rst VFIO_USER_DMA_MAP: flags 0x%x has bits past readable and "
			 "writeable",
			 m->flags);
		return -EINVAL;
	}
	/* "If the DMA region ... can be directly mapped by the server, a file
	 * descriptor must be sent"; one region, so at most one. */
	if (msg->nfds > 1) {
		log_warn("vfio-user.rst VFIO_USER_DMA_MAP: %u fds for one region", msg->nfds);
		return -EINVAL;
	}
	if (msg->nfds == 0 && m->offset != 0) {
		log_warn("vfio-user.rst VFIO_USER_DMA_MAP: offset 0x%llx without an fd; it is "
			 "\"zero if the region is not mappable\"",
			 (unsigned long long)m->offset);
		return -EINVAL;
	}
	if (m->size == 0 || ((m->address | m->size) & (pg - 1))) {
		log_warn("vfio-user.rst VFIO_USER_VERSION pgsizes: DMA_MAP 0x%llx + 0x%llx is "
			 "empty or not aligned to the %llu-byte pages this side maps",
			 (unsigned long long)m->address, (unsigned long long)m->size,
			 (unsigned long long)pg);
		return -EINVAL;
	}
	if (range_ok(msg, m->address, m->size) < 0 || range_ok(msg, m->offset, m->size) < 0)
		return -EINVAL;
	if (msg->nfds)
		cmd->u.dma_map.fd = msg->fds[0];
	return 0;
}

static int parse_dma_unmap(const struct vfio_user_msg *msg, const struct vfio_user_caps *local,
			   struct vfio_user_cmd *cmd)
{
	struct vfio_user_dma_unmap *u = &cmd->u.dma_unmap;

	(void)local;
	memcpy(u, msg->payload, sizeof(*u));
	if (no_fds(msg) < 0 || argsz_at_least(msg, u->argsz, sizeof(*u)) < 0)
		return -EINVAL;
	/* The spec leaves flags unused and moved dirty logging to
	 * VFIO_USER_DEVICE_FEATURE (DMA_LOGGING_REPORT): the kernel's
	 * GET_DIRTY_BITMAP variant has no vfio-user form. */
	if (u->flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) {
		log_warn("vfio-user.rst VFIO_USER_DMA_UNMAP: \"flags is unused in this version\"; "
			 "the dirty bitmap variant is not part of it");
		return -EOPNOTSUPP;
	}
	if (u->flags & ~VFIO_DMA_UNMAP_FLAG_ALL) {
		log_warn("vfio-user.rst VFIO_USER_DMA_UNMAP: unknown flags 0x%x", u->flags);
		return -EINVAL;
	}
	/* <linux/vfio.h>: with FLAG_ALL, "iova and size must be zero". */
	if (u->flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (u->address || u->size) {
			log_warn("linux/vfio.h VFIO_DMA_UNMAP_FLAG_ALL: address, size must be 0");
			return -EINVAL;
		}
		return 0;
	}
	if (u->size == 0) {
		log_warn("vfio-user.rst VFIO_USER_DMA_UNMAP: size 0 matches no mapping");
		return -EINVAL;
	}
	return range_ok(msg, u->address, u->size);
}

static int parse_device_info(const struct vfio_user_msg *msg, const struct vfio_user_caps *local,
			     struct vfio_user_cmd *cmd)
{
	struct vfio_user_device_info *d = &cmd->u.device_info;

	(void)local;
	memcpy(d, msg->payload, sizeof(*d));
	if (no_fds(msg) < 0 || argsz_at_least(msg, d->argsz, sizeof(*d)) < 0)
		return -EINVAL;
	return zero_fields(msg, d->flags | d->num_regions | d->num_irqs);
}

static int parse_region_info(const struct vfio_user_msg *msg, const struct vfio_user_caps *local,
			     struct vfio_user_cmd *cmd)
{
	struct vfio_region_info *r = &cmd->u.region_info;

	(void)local;
	memcpy(r, msg->payload, sizeof(*r));
	if (no_fds(msg) < 0 || argsz_at_least(msg, r->argsz, sizeof(*r)) < 0)
		return -EINVAL;
	return zero_fields(msg, r->flags | r->cap_offset | r->size | r->offset);
}

static int parse_irq_info(const struct vfio_user_msg *msg, const struct vfio_user_caps *local,
			  struct vfio_user_cmd *cmd)
{
	struct vfio_irq_info *i = &cmd->u.irq_info;

	(void)local;
	memcpy(i, msg->payload, sizeof(*i));
	if (no_fds(msg) < 0 || argsz_at_least(msg, i->argsz, sizeof(*i)) < 0)
		return -EINVAL;
	return zero_fields(msg, i->flags | i->count);
}

/* Exactly one bit of mask set in flags. */
static bool one_of(uint32_t flags, uint32_t mask)
{
	return IS_POW2(flags & mask);
}

static int parse_set_irqs(const struct vfio_user_msg *msg, const struct vfio_user_caps *local,
			  struct vfio_user_cmd *cmd)
{
	uint32_t mask = VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK;
	struct vfio_irq_set s;
	uint32_t data_len = msg->len - sizeof(s), want_len = 0;
	unsigned want_fds = 0;

	(void)local;
	memcpy(&s, msg->payload, sizeof(s));
	cmd->u.set_irqs.argsz = s.argsz;
	cmd->u.set_irqs.flags = s.flags;
	cmd->u.set_irqs.index = s.index;
	cmd->u.set_irqs.start = s.start;
	cmd->u.set_irqs.count = s.count;
	/* "argsz is the size of the VFIO IRQ set request payload, including any
	 * data field". */
	if (s.argsz != msg->len) {
		log_warn("vfio-user.rst VFIO_USER_DEVICE_SET_IRQS: argsz %u is not the %u-byte "
			 "payload",
			 s.argsz, msg->len);
		return -EINVAL;
	}
	/* "The flags are mutually exclusive for both sets." */
	if ((s.flags & ~mask) || !one_of(s.flags, VFIO_IRQ_SET_DATA_TYPE_MASK) ||
	    !one_of(s.flags, VFIO_IRQ_SET_ACTION_TYPE_MASK)) {
		log_warn("vfio-user.rst VFIO_USER_DEVICE_SET_IRQS: flags 0x%x is not one DATA and "
			 "one ACTION flag",
			 s.flags);
		return -EINVAL;
	}
	if (range_ok(msg, s.start, s.count) < 0 || (uint64_t)s.start + s.count > UINT32_MAX)
		return -EINVAL;
	if (s.flags & VFIO_IRQ_SET_DATA_BOOL)
		want_len = s.count; /* "an array of boolean bytes" */
	if (s.flags & VFIO_IRQ_SET_DATA_EVENTFD)
		want_fds = s.count;
	if (data_len != want_len) {
		log_warn("vfio-user.rst VFIO_USER_DEVICE_SET_IRQS: %u data bytes for count %u and "
			 "flags 0x%x, which take %u",
			 data_len, s.count, s.flags, want_len);
		return -EINVAL;
	}
	/* "If no file descriptors are provided, this de-assigns the specified
	 * previously configured interrupts." */
	if (msg->nfds != want_fds && !(want_fds && msg->nfds == 0)) {
		log_warn("vfio-user.rst VFIO_USER_DEVICE_SET_IRQS: %u fds for count %u and flags "
			 "0x%x",
			 msg->nfds, s.count, s.flags);
		return -EINVAL;
	}
	cmd->u.set_irqs.bools = want_len ? msg->payload + sizeof(s) : NULL;
	cmd->u.set_irqs.fds = msg->nfds ? msg->fds : NULL;
	cmd->u.set_irqs.nfds = msg->nfds;
	return 0;
}

/* The checks REGION_* and DMA_* share: no fds, count within
 * max_data_xfer_size, a payload of the 16-byte structure plus, for a write,
 * count bytes, and a range that does not wrap. */
static int access_ok(const struct vfio_user_msg *msg, const struct vfio_user_caps *local,
		     uint64_t start, uint64_t count, bool write)
{
	uint64_t want = sizeof(struct vfio_user_region_access) + (write ? count : 0);

	_Static_assert(sizeof(struct vfio_user_region_access) ==
			   sizeof(struct vfio_user_dma_access),
		       "one fixed size for both");

	if (no_fds(msg) < 0)
		return -EINVAL;
	if (xfer_ok(msg, count, local) < 0)
		return -E2BIG;
	if (msg->len != want) {
		log_warn("vfio-user.rst %s Request: %u payload bytes for count %llu, not %llu",
			 vfio_user_cmd_name(msg->hdr.cmd), msg->len, (unsigned long long)count,
			 (unsigned long long)want);
		return -EINVAL;
	}
	return range_ok(msg, start, count);
}

static int parse_region(const struct vfio_user_msg *msg, const struct vfio_user_caps *local,
			struct vfio_user_cmd *cmd)
{
	struct vfio_user_region_access a;
	bool write = msg->hdr.cmd == VFIO_USER_REGION_WRITE;

	memcpy(&a, msg->payload, sizeof(a));
	cmd->u.region.offset = a.offset;
	cmd->u.region.region = a.region;
	cmd->u.region.count = a.count;
	cmd->u.region.data = write ? msg->payload + sizeof(a) : NULL;
	return access_ok(msg, local, a.offset, a.count, write);
}

/* DMA_READ and DMA_WRITE go server -> client. */
static int parse_dma(const struct vfio_user_msg *msg, const struct vfio_user_caps *local,
		     struct vfio_user_cmd *cmd)
{
	struct vfio_user_dma_access a;
	bool write = msg->hdr.cmd == VFIO_USER_DMA_WRITE;

	memcpy(&a, msg->payload, sizeof(a));
	cmd->u.dma.address = a.address;
	cmd->u.dma.count = a.count;
	cmd->u.dma.data = write ? msg->payload + sizeof(a) : NULL;
	return access_ok(msg, local, a.address, a.count, write);
}

/* "VFIO_USER_DEVICE_RESET": "Neither the request or reply have a payload." */
static int parse_reset(const struct vfio_user_msg *msg, const struct vfio_user_caps *local,
		       struct vfio_user_cmd *cmd)
{
	(void)local;
	(void)cmd;
	return no_fds(msg);
}

/* Each parsed command: its parser, and its fixed payload size. A payload
 * of exactly that size (min_only false) or at least it (true). */
static const struct {
	cmd_parse_fn parse;
	uint32_t size;
	bool min_only;
} g_parsers[VFIO_USER_MAX_COMMAND] = {
    [VFIO_USER_VERSION] = {parse_version, sizeof(struct vfio_user_version), true},
    [VFIO_USER_DMA_MAP] = {parse_dma_map, sizeof(struct vfio_user_dma_map), false},
    [VFIO_USER_DMA_UNMAP] = {parse_dma_unmap, sizeof(struct vfio_user_dma_unmap), false},
    [VFIO_USER_DEVICE_GET_INFO] = {parse_device_info, sizeof(struct vfio_user_device_info), false},
    [VFIO_USER_DEVICE_GET_REGION_INFO] = {parse_region_info, sizeof(struct vfio_region_info),
					  false},
    [VFIO_USER_DEVICE_GET_IRQ_INFO] = {parse_irq_info, sizeof(struct vfio_irq_info), false},
    [VFIO_USER_DEVICE_SET_IRQS] = {parse_set_irqs, sizeof(struct vfio_irq_set), true},
    [VFIO_USER_REGION_READ] = {parse_region, sizeof(struct vfio_user_region_access), true},
    [VFIO_USER_REGION_WRITE] = {parse_region, sizeof(struct vfio_user_region_access), true},
    [VFIO_USER_DMA_READ] = {parse_dma, sizeof(struct vfio_user_dma_access), true},
    [VFIO_USER_DMA_WRITE] = {parse_dma, sizeof(struct vfio_user_dma_access), true},
    [VFIO_USER_DEVICE_RESET] = {parse_reset, 0, false},
};

int vfio_user_cmd_parse(const struct vfio_user_msg *msg, const struct vfio_user_caps *local,
			struct vfio_user_cmd *cmd)
{
	uint16_t c = msg->hdr.cmd;

	memset(cmd, 0, sizeof(*cmd));
	cmd->hdr = msg->hdr;
	if (c >= ARRAY_SIZE(g_parsers) || !g_parsers[c].parse) {
		log_warn("vfio-user.rst %s: not served by this codec", vfio_user_cmd_name(c));
		return -EOPNOTSUPP;
	}
	if (msg->len < g_parsers[c].size ||
	    (!g_parsers[c].min_only && msg->len != g_parsers[c].size)) {
		log_warn("vfio-user.rst %s Request: %u payload bytes, the structure has %u",
			 vfio_user_cmd_name(c), msg->len, g_parsers[c].size);
		return -EINVAL;
	}
	return g_parsers[c].parse(msg, local, cmd);
}
