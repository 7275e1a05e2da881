/* SPDX-License-Identifier: MIT */
/*
 * vfio-user replies, checked against the command they answer: the id and
 * command echoed ("Header": the Message ID "is echoed in the command's reply
 * message"), and a payload that answers what was asked. A side does not
 * trust its peer ("Security Considerations"), so a region's capability
 * chain is walked within its bounds only.
 */
#define LOG_COMPONENT "vfio-user"

#include <errno.h>
#include <string.h>

#include "util/common.h"
#include "util/log.h"
#include "vfio-user/vfio_user.h"
#include "vfio-user/vfio_user_internal.h"

static int bad_reply(const struct vfio_user_msg *msg, const char *what)
{
	log_warn("vfio-user.rst %s Reply: %s (%u payload bytes)", vfio_user_cmd_name(msg->hdr.cmd),
		 what, msg->len);
	return -EPROTO;
}

/* A reply whose payload is exactly len bytes (0: none) and carries no fds. */
static int exact(const struct vfio_user_msg *msg, uint32_t len)
{
	if (msg->nfds)
		return bad_reply(msg, "fds with a reply that carries none");
	if (msg->len != len)
		return bad_reply(msg, "not the payload size the section gives");
	return 0;
}

static int reply_version(const struct vfio_user_msg *msg, const struct vfio_user_cmd *sent,
			 struct vfio_user_reply *r)
{
	int ret;

	if (msg->nfds)
		return bad_reply(msg, "fds, and twin-socket mode was not asked for");
	ret = vfio_user_version_parse(msg, &r->u.version.major, &r->u.version.minor,
				      &r->u.version.caps);
	if (ret < 0)
		return ret == -EMSGSIZE ? ret : -EPROTO;
	/* "The major version in the reply must be the same as proposed"; "The
	 * minor version ... must be equal to or less than" it. */
	if (r->u.version.major != sent->u.version.major ||
	    r->u.version.minor > sent->u.version.minor)
		return bad_reply(msg, "a version the client did not propose");
	/* "The capability list must be a subset of those proposed." */
	if (r->u.version.caps.write_multiple && !sent->u.version.caps.write_multiple)
		return bad_reply(msg, "write_multiple, which the client did not propose");
	return 0;
}

/* "The server responds with the original DMA entry in the request." */
static int reply_dma_unmap(const struct vfio_user_msg *msg, const struct vfio_user_cmd *sent,
			   struct vfio_user_reply *r)
{
	struct vfio_user_dma_unmap u;

	(void)r;
	if (exact(msg, sizeof(u)) < 0)
		return -EPROTO;
	memcpy(&u, msg->payload, sizeof(u));
	if (u.address != sent->u.dma_unmap.address || u.size != sent->u.dma_unmap.size)
		return bad_reply(msg, "not the DMA entry of the request");
	return 0;
}

/* "Message sizes": a reply is at most the argsz the request gave, and at
 * least the fixed structure; its argsz says what the full reply needs. */
static int fits_argsz(const struct vfio_user_msg *msg, uint32_t asked, uint32_t fixed)
{
	if (msg->len < fixed || msg->len > asked)
		return bad_reply(msg, "shorter than its structure or longer than argsz asked");
	return 0;
}

/* A fixed-size info reply (DEVICE_GET_INFO, GET_IRQ_INFO) into out. */
static int info_reply(const struct vfio_user_msg *msg, uint32_t asked, void *out, uint32_t size)
{
	if (msg->nfds)
		return bad_reply(msg, "fds with a reply that carries none");
	if (fits_argsz(msg, asked, size) < 0)
		return -EPROTO;
	memcpy(out, msg->payload, size);
	return 0;
}

static int reply_device_info(const struct vfio_user_msg *msg, const struct vfio_user_cmd *sent,
			     struct vfio_user_reply *r)
{
	return info_reply(msg, sent->u.device_info.argsz, &r->u.device_info,
			  sizeof(r->u.device_info));
}

static int reply_irq_info(const struct vfio_user_msg *msg, const struct vfio_user_cmd *sent,
			  struct vfio_user_reply *r)
{
	if (info_reply(msg, sent->u.irq_info.argsz, &r->u.irq_info, sizeof(r->u.irq_info)) < 0)
		return -EPROTO;
	if (r->u.irq_info.index != sent->u.irq_info.index)
		return bad_reply(msg, "the info of another IRQ index");
	return 0;
}

/* The sparse mmap capability at off: its areas, each inside the region. */
static int sparse_mmap(const struct vfio_user_msg *msg, uint32_t off, struct vfio_user_reply *r)
{
	struct vfio_region_info_cap_sparse_mmap sm;
	struct vfio_region_sparse_mmap_area a;
	uint64_t size = r->u.region_info.info.size;

	memcpy(&sm, msg->payload + off, sizeof(sm));
	if (sm.header.version != VFIO_USER_SPARSE_MMAP_VERSION)
		return bad_reply(msg, "a sparse mmap capability of a version other than 1");
	if (sm.nr_areas > VFIO_USER_MAX_SPARSE_AREAS ||
	    sm.nr_areas * sizeof(a) > msg->len - off - sizeof(sm))
		return bad_reply(msg, "sparse mmap areas past the reply or our bound");
	for (uint32_t i = 0; i < sm.nr_areas; i++) {
		memcpy(&a, msg->payload + off + sizeof(sm) + i * sizeof(a), sizeof(a));
		if (a.size == 0 || a.offset > size || a.size > size - a.offset)
			return bad_reply(msg, "a sparse mmap area outside its region");
		r->u.region_info.areas[i] = a;
	}
	r->u.region_info.nr_areas = sm.nr_areas;
	return 0;
}

/* "VFIO region capabilities": a list like PCI's, each header's next an
 * offset from the start of the region info. Each must lie after the one
 * before (so the walk ends) and inside the reply. */
static int region_caps(const struct vfio_user_msg *msg, struct vfio_user_reply *r)
{
	uint32_t off = r->u.region_info.info.cap_offset;
	struct vfio_info_cap_header h;
	uint32_t prev = sizeof(struct vfio_region_info) - 1;

	for (unsigned n = 0; off; n++) {
		if (n == VFIO_USER_MAX_REGION_CAPS || off <= prev || off % 4 ||
		    off > msg->len - sizeof(h)) {
			log_warn("vfio-user.rst VFIO region capabilities: capability at %u is not "
				 "inside the %u-byte reply after the one before",
				 off, msg->len);
			return -EINVAL;
		}
		memcpy(&h, msg->payload + off, sizeof(h));
		if (h.id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			if (off > msg->len - sizeof(struct vfio_region_info_cap_sparse_mmap) ||
			    sparse_mmap(msg, off, r) < 0)
				return -EINVAL;
		}
		prev = off;
		off = h.next;
	}
	return 0;
}

static int reply_region_info(const struct vfio_user_msg *msg, const struct vfio_user_cmd *sent,
			     struct vfio_user_reply *r)
{
	struct vfio_region_info *info = &r->u.region_info.info;
	bool mmap;

	r->u.region_info.fd = -1;
	if (fits_argsz(msg, sent->u.region_info.argsz, sizeof(*info)) < 0)
		return -EPROTO;
	memcpy(info, msg->payload, sizeof(*info));
	if (info->index != sent->u.region_info.index)
		return bad_reply(msg, "the info of another region");
	/* "When this flag is set, the reply will include a file descriptor". */
	mmap = info->flags & VFIO_REGION_INFO_FLAG_MMAP;
	if (msg->nfds != (mmap ? 1u : 0u))
		return bad_reply(msg, "fds that do not match the MMAP flag");
	if (mmap)
		r->u.region_info.fd = msg->fds[0];
	/* "This may be larger than the requested maximum size: in that case,
	 * the full payload is not included in the reply". */
	if (info->argsz > msg->len) {
		if (info->argsz <= sent->u.region_info.argsz || msg->len != sizeof(*info))
			return bad_reply(msg, "cut short of its own argsz");
		r->u.region_info.truncated = true;
		return 0;
	}
	if (info->argsz != msg->len)
		return bad_reply(msg, "longer than its own argsz");
	if (!(info->flags & VFIO_REGION_INFO_FLAG_CAPS))
		return 0;
	return region_caps(msg, r) < 0 ? -EINVAL : 0;
}

/* REGION_READ, REGION_WRITE: "offset", "region" and "count" of the access,
 * and for a read the count bytes read. */
static int reply_region(const struct vfio_user_msg *msg, const struct vfio_user_cmd *sent,
			struct vfio_user_reply *r)
{
	struct vfio_user_region_access a;
	bool read = msg->hdr.cmd == VFIO_USER_REGION_READ;

	if (exact(msg, sizeof(a) + (read ? sent->u.region.count : 0)) < 0)
		return -EPROTO;
	memcpy(&a, msg->payload, sizeof(a));
	if (a.offset != sent->u.region.offset || a.region != sent->u.region.region ||
	    a.count != sent->u.region.count)
		return bad_reply(msg, "another access than the one asked");
	r->u.data = read ? msg->payload + sizeof(a) : NULL;
	return 0;
}

static int reply_dma_read(const struct vfio_user_msg *msg, const struct vfio_user_cmd *sent,
			  struct vfio_user_reply *r)
{
	struct vfio_user_dma_access a;

	if (exact(msg, sizeof(a) + sent->u.dma.count) < 0)
		return -EPROTO;
	memcpy(&a, msg->payload, sizeof(a));
	if (a.address != sent->u.dma.address || a.count != sent->u.dma.count)
		return bad_reply(msg, "another access than the one asked");
	r->u.data = msg->payload + sizeof(a);
	return 0;
}

/* The spec's table makes this reply 12 bytes (a 4-byte count); a 16-byte
 * one (count as wide as in the request) is taken too, as its first 12 bytes
 * read the same on a little-endian host. */
static int reply_dma_write(const struct vfio_user_msg *msg, const struct vfio_user_cmd *sent,
			   struct vfio_user_reply *r)
{
	struct vfio_user_dma_write_reply w;

	(void)r;
	if (msg->len != sizeof(struct vfio_user_dma_access) &&
	    exact(msg, sizeof(struct vfio_user_dma_write_reply)) < 0)
		return -EPROTO;
	if (msg->nfds)
		return bad_reply(msg, "fds with a reply that carries none");
	memcpy(&w, msg->payload, sizeof(w));
	if (w.address != sent->u.dma.address || w.count != sent->u.dma.count)
		return bad_reply(msg, "another access than the one asked");
	return 0;
}

/* No payload: DMA_MAP ("There is no payload in the reply message"),
 * SET_IRQS, DEVICE_RESET. */
static int reply_empty(const struct vfio_user_msg *msg, const struct vfio_user_cmd *sent,
		       struct vfio_user_reply *r)
{
	(void)sent;
	(void)r;
	return exact(msg, 0);
}

typedef int (*reply_parse_fn)(const struct vfio_user_msg *msg, const struct vfio_user_cmd *sent,
			      struct vfio_user_reply *r);

static const reply_parse_fn g_replies[VFIO_USER_MAX_COMMAND] = {
    [VFIO_USER_VERSION] = reply_version,
    [VFIO_USER_DMA_MAP] = reply_empty,
    [VFIO_USER_DMA_UNMAP] = reply_dma_unmap,
    [VFIO_USER_DEVICE_GET_INFO] = reply_device_info,
    [VFIO_USER_DEVICE_GET_REGION_INFO] = reply_region_info,
    [VFIO_USER_DEVICE_GET_IRQ_INFO] = reply_irq_info,
    [VFIO_USER_DEVICE_SET_IRQS] = reply_empty,
    [VFIO_USER_REGION_READ] = reply_region,
    [VFIO_USER_REGION_WRITE] = reply_region,
    [VFIO_USER_DMA_READ] = reply_dma_read,
    [VFIO_USER_DMA_WRITE] = reply_dma_write,
    [VFIO_USER_DEVICE_RESET] = reply_empty,
};

int vfio_user_reply_parse(const struct vfio_user_msg *msg, const struct vfio_user_cmd *sent,
			  struct vfio_user_reply *reply)
{
	const struct vfio_user_hdr *h = &msg->hdr;

	memset(reply, 0, sizeof(*reply));
	if ((h->flags & VFIO_USER_F_TYPE_MASK) != VFIO_USER_F_TYPE_REPLY) {
		log_warn("vfio-user.rst Header: message %u is a command, a reply was awaited",
			 h->msg_id);
		return -EPROTO;
	}
	if (h->msg_id != sent->hdr.msg_id || h->cmd != sent->hdr.cmd) {
		log_warn("vfio-user.rst Header: reply %u to %s answers neither id %u nor %s",
			 h->msg_id, vfio_user_cmd_name(h->cmd), sent->hdr.msg_id,
			 vfio_user_cmd_name(sent->hdr.cmd));
		return -EPROTO;
	}
	if (h->flags & VFIO_USER_F_ERROR) {
		if (msg->nfds)
			return bad_reply(msg, "fds with an error reply");
		/* "It may be zero even if the Error bit is set in Flags." */
		reply->error = h->error ? (int)MIN(h->error, (uint32_t)INT32_MAX) : EIO;
		return 0;
	}
	if (h->cmd >= ARRAY_SIZE(g_replies) || !g_replies[h->cmd])
		return bad_reply(msg, "a reply to a command this codec does not send");
	return g_replies[h->cmd](msg, sent, reply);
}
