/* SPDX-License-Identifier: MIT */
/*
 * The client's DMA table: what it gave the server with VFIO_USER_DMA_MAP,
 * and the server's VFIO_USER_DMA_READ / DMA_WRITE served from it, each
 * access inside one mapping that allows it ("Security Considerations":
 * "vfio-user clients should not trust servers").
 */
#define LOG_COMPONENT "vfio-user"

#include <errno.h>
#include <string.h>

#include "util/common.h"
#include "util/deadline.h"
#include "util/log.h"
#include "vfio-user/vfio_user_client_internal.h"

/* The mapping holding [addr, addr + len) whole, or NULL. */
static const struct vfio_user_client_dma *dma_find(const struct vfio_user_client *c, uint64_t addr,
						   uint64_t len)
{
	for (unsigned i = 0; i < c->ndma; i++) {
		const struct vfio_user_client_dma *d = &c->dma[i];

		if (addr >= d->iova && addr - d->iova <= d->size &&
		    len <= d->size - (addr - d->iova))
			return d;
	}
	return NULL;
}

int vfio_user_client_refuse(struct vfio_user_client *c, const struct vfio_user_hdr *hdr, int err)
{
	int len;

	if (hdr->flags & VFIO_USER_F_NO_REPLY)
		return 0;
	len = vfio_user_build_error(c->tx, c->tx_size, hdr, err);
	return vfio_user_client_send(c, (size_t)len, NULL, 0, deadline_from_timeout(c->timeout_ms));
}

int vfio_user_client_serve(struct vfio_user_client *c, const struct vfio_user_msg *msg)
{
	struct vfio_user_cmd cmd;
	const struct vfio_user_client_dma *d;
	bool write = msg->hdr.cmd == VFIO_USER_DMA_WRITE;
	uint32_t need = write ? VFIO_USER_DMA_MAP_F_WRITE : VFIO_USER_DMA_MAP_F_READ;
	int ret = vfio_user_cmd_parse(msg, &c->local, &cmd);
	uint8_t *mem;
	int len;

	if (ret < 0)
		return vfio_user_client_refuse(c, &msg->hdr, -ret);
	d = dma_find(c, cmd.u.dma.address, cmd.u.dma.count);
	if (!d || !d->vaddr || !(d->prot & need)) {
		log_warn("vfio-user.rst %s: 0x%llx + %llu is not inside a mapping the client made "
			 "%s by the device; refused",
			 vfio_user_cmd_name(msg->hdr.cmd), (unsigned long long)cmd.u.dma.address,
			 (unsigned long long)cmd.u.dma.count, write ? "writable" : "readable");
		return vfio_user_client_refuse(c, &msg->hdr, EFAULT);
	}
	mem = (uint8_t *)d->vaddr + (cmd.u.dma.address - d->iova);
	if (write) {
		/* "VFIO_USER_DMA_WRITE" Reply: address, then a 4-byte count. */
		struct vfio_user_dma_write_reply w = {.address = cmd.u.dma.address,
						      .count = (uint32_t)cmd.u.dma.count};

		memcpy(mem, cmd.u.dma.data, cmd.u.dma.count);
		if (msg->hdr.flags & VFIO_USER_F_NO_REPLY)
			return 0;
		len = vfio_user_build_reply(c->tx, c->tx_size, &msg->hdr, &w, sizeof(w), NULL, 0);
	} else {
		struct vfio_user_dma_access a = {.address = cmd.u.dma.address,
						 .count = cmd.u.dma.count};

		if (msg->hdr.flags & VFIO_USER_F_NO_REPLY)
			return 0;
		if (vfio_user_client_tx_reserve(c, sizeof(struct vfio_user_hdr) + sizeof(a) +
						       cmd.u.dma.count) < 0)
			return vfio_user_client_refuse(c, &msg->hdr, ENOMEM);
		len = vfio_user_build_reply(c->tx, c->tx_size, &msg->hdr, &a, sizeof(a), mem,
					    cmd.u.dma.count);
	}
	return vfio_user_client_send(c, (size_t)len, NULL, 0, deadline_from_timeout(c->timeout_ms));
}

/* The checks of a new mapping against the server's caps and our table. */
static int dma_check(const struct vfio_user_client *c, const struct vfio_user_client_dma *dma)
{
	uint64_t pg = c->server.pgsizes & -c->server.pgsizes;
	unsigned max = MIN(c->server.max_dma_maps, (uint32_t)VFIO_USER_CLIENT_MAX_DMA);

	if (dma->size == 0 || ((dma->iova | dma->size) & (pg - 1)) ||
	    dma->iova + dma->size < dma->iova ||
	    (dma->prot & ~(VFIO_USER_DMA_MAP_F_READ | VFIO_USER_DMA_MAP_F_WRITE))) {
		log_warn("vfio-user.rst VFIO_USER_DMA_MAP: 0x%llx + 0x%llx prot 0x%x is empty, "
			 "wraps, has unknown flags or is not aligned to the server's %llu-byte "
			 "pages (pgsizes)",
			 (unsigned long long)dma->iova, (unsigned long long)dma->size, dma->prot,
			 (unsigned long long)pg);
		return -EINVAL;
	}
	if (dma->fd >= 0 && c->server.max_msg_fds == 0) {
		log_warn("vfio-user.rst VFIO_USER_VERSION max_msg_fds: the server takes no fds, "
			 "so it cannot map 0x%llx",
			 (unsigned long long)dma->iova);
		return -EOPNOTSUPP;
	}
	for (unsigned i = 0; i < c->ndma; i++) {
		const struct vfio_user_client_dma *d = &c->dma[i];

		if (dma->iova < d->iova + d->size && d->iova < dma->iova + dma->size) {
			log_warn("vfio-user.rst VFIO_USER_DMA_MAP: 0x%llx + 0x%llx overlaps the "
				 "mapping at 0x%llx",
				 (unsigned long long)dma->iova, (unsigned long long)dma->size,
				 (unsigned long long)d->iova);
			return -EEXIST;
		}
	}
	if (c->ndma >= max) {
		log_warn("vfio-user.rst VFIO_USER_VERSION max_dma_maps: %u mappings, the most the "
			 "server (or this client) takes",
			 max);
		return -ENOSPC;
	}
	return 0;
}

int vfio_user_client_dma_map(struct vfio_user_client *c, const struct vfio_user_client_dma *dma)
{
	struct vfio_user_dma_map m = {
	    .argsz = sizeof(m),
	    .flags = dma->prot,
	    .offset = dma->fd >= 0 ? dma->offset : 0, /* "zero if the region is not mappable" */
	    .address = dma->iova,
	    .size = dma->size,
	};
	struct vfio_user_reply r;
	int len, ret = dma_check(c, dma);

	if (ret < 0)
		return ret;
	len = vfio_user_build_cmd(c->tx, c->tx_size, vfio_user_client_next_id(c), VFIO_USER_DMA_MAP,
				  0, &m, sizeof(m), NULL, 0);
	ret = vfio_user_client_request(c, len, &dma->fd, dma->fd >= 0 ? 1 : 0, &r, NULL);
	if (ret < 0)
		return ret;
	c->dma[c->ndma++] = *dma;
	return 0;
}

int vfio_user_client_dma_unmap(struct vfio_user_client *c, uint64_t iova, uint64_t size)
{
	struct vfio_user_dma_unmap u = {.argsz = sizeof(u), .address = iova, .size = size};
	struct vfio_user_reply r;
	unsigned i;
	int len, ret;

	for (i = 0; i < c->ndma; i++)
		if (c->dma[i].iova == iova && c->dma[i].size == size)
			break;
	if (i == c->ndma) {
		log_warn("vfio-user.rst VFIO_USER_DMA_UNMAP: 0x%llx + 0x%llx is not a mapping the "
			 "client made",
			 (unsigned long long)iova, (unsigned long long)size);
		return -ENOENT;
	}
	len = vfio_user_build_cmd(c->tx, c->tx_size, vfio_user_client_next_id(c),
				  VFIO_USER_DMA_UNMAP, 0, &u, sizeof(u), NULL, 0);
	ret = vfio_user_client_request(c, len, NULL, 0, &r, NULL);
	if (ret < 0)
		return ret;
	c->dma[i] = c->dma[--c->ndma];
	return 0;
}
