/* SPDX-License-Identifier: MIT */
/*
 * The vfio-user server's DMA table: what DMA_MAP and DMA_UNMAP do. Each
 * window the client names is kept (maps[]); the mappable ones are mapped
 * into a mem_table at their DMA address, which the device's reactors read
 * lock-free. So the table changes only while the device is quiesced: the
 * change waits in s->pending, the connection is off the loop, and the
 * reply goes once it is made and the device resumed.
 */
#define LOG_COMPONENT "vfio-user"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "vfio-user/vfio_user_server_internal.h"

static int find_overlap(const struct vfio_user_server *s, uint64_t iova, uint64_t size)
{
	for (uint32_t i = 0; i < s->nmaps; i++)
		if (iova < s->maps[i].iova + s->maps[i].size && s->maps[i].iova < iova + size)
			return (int)i;
	return -1;
}

static int find_exact(const struct vfio_user_server *s, uint64_t iova, uint64_t size)
{
	for (uint32_t i = 0; i < s->nmaps; i++)
		if (s->maps[i].iova == iova && s->maps[i].size == size)
			return (int)i;
	return -1;
}

static void entry_remove(struct vfio_user_server *s, uint32_t i)
{
	const struct vfu_dma_entry *e = &s->maps[i];

	if (e->mapped)
		mem_table_remove(s->dma, e->iova, e->size, e->iova);
	s->maps[i] = s->maps[--s->nmaps];
}

void vfu_dma_clear(struct vfio_user_server *s)
{
	mem_table_clear(s->dma);
	s->nmaps = 0;
}

/* Makes the pending change: 0 or a negative errno. */
static int dma_apply(struct vfio_user_server *s)
{
	struct vfu_pending *p = &s->pending;
	struct vfu_dma_entry e = {.iova = p->map.address, .size = p->map.size};
	int ret = 0, i;

	if (p->cmd == VFIO_USER_DMA_UNMAP) {
		if (p->unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL) {
			vfu_dma_clear(s);
			return 0;
		}
		i = find_exact(s, p->unmap.address, p->unmap.size);
		if (i >= 0)
			entry_remove(s, (uint32_t)i);
		return 0;
	}
	if (p->fd >= 0) {
		ret = mem_table_add(s->dma, e.iova, e.size, e.iova, p->map.offset, p->fd);
		if (ret < 0)
			close(p->fd);
		e.mapped = ret == 0;
		p->fd = -1;
	}
	if (ret == 0)
		s->maps[s->nmaps++] = e;
	return ret;
}

/* Answers the pending command with the outcome of dma_apply. */
static void dma_finish(struct vfio_user_server *s, int ret)
{
	struct vfu_pending *p = &s->pending;

	if (ret < 0)
		vfu_send_error(s, &p->hdr, -ret);
	else if (p->cmd == VFIO_USER_DMA_UNMAP)
		/* "The server responds with the original DMA entry in the
		 * request." */
		vfu_send_reply(s, &p->hdr, &p->unmap, sizeof(p->unmap), NULL, 0, -1);
	else
		vfu_send_reply(s, &p->hdr, NULL, 0, NULL, 0, -1);
}

/* The device has quiesced: change the table, resume, answer, read on. */
static void dma_quiesced(void *arg)
{
	struct vfio_user_server *s = arg;
	int ret = dma_apply(s);

	s->opts.ops->resume(s->opts.dev);
	dma_finish(s, ret);
	if (s->conn_fd >= 0)
		vfu_unpause(s);
}

/* Applies s->pending, around a quiesce when it touches the mem_table. */
static int dma_change(struct vfio_user_server *s, bool touches_table)
{
	int ret;

	if (!touches_table || !s->opts.ops->quiesce) {
		dma_finish(s, dma_apply(s));
		return 0;
	}
	vfu_pause(s);
	ret = s->opts.ops->quiesce(s->opts.dev, dma_quiesced, s);
	if (ret < 0) {
		log_err("%s: device quiesce for %s failed: %s", s->path,
			vfio_user_cmd_name(s->pending.cmd), strerror(-ret));
		if (s->pending.fd >= 0)
			close(s->pending.fd);
		s->pending.fd = -1;
		vfu_unpause(s);
	}
	return ret;
}

int vfu_dma_map(struct vfio_user_server *s, const struct vfio_user_cmd *cmd)
{
	const struct vfio_user_dma_map *m = &cmd->u.dma_map.map;
	int i;

	if (s->nmaps >= s->local.max_dma_maps) {
		log_warn("%s: vfio-user.rst VFIO_USER_VERSION max_dma_maps: %u windows are valid "
			 "already",
			 s->path, s->nmaps);
		return -ENOSPC;
	}
	i = find_overlap(s, m->address, m->size);
	if (i >= 0) {
		log_warn("%s: vfio-user.rst VFIO_USER_DMA_MAP: 0x%llx + 0x%llx overlaps 0x%llx + "
			 "0x%llx; \"a command to map over an existing region must be failed\" "
			 "with EEXIST",
			 s->path, (unsigned long long)m->address, (unsigned long long)m->size,
			 (unsigned long long)s->maps[i].iova, (unsigned long long)s->maps[i].size);
		return -EEXIST;
	}
	s->pending = (struct vfu_pending){
	    .hdr = cmd->hdr, .cmd = VFIO_USER_DMA_MAP, .map = *m, .fd = cmd->u.dma_map.fd};
	/* The fd is the message's first; the table takes it from here. */
	if (s->pending.fd >= 0)
		s->rx_fds[0] = -1;
	return dma_change(s, s->pending.fd >= 0);
}

int vfu_dma_unmap(struct vfio_user_server *s, const struct vfio_user_cmd *cmd)
{
	const struct vfio_user_dma_unmap *u = &cmd->u.dma_unmap;
	bool touches;
	int i;

	if (u->flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		touches = s->dma->nregions > 0;
	} else {
		i = find_exact(s, u->address, u->size);
		if (i < 0) {
			log_warn("%s: vfio-user.rst VFIO_USER_DMA_UNMAP: 0x%llx + 0x%llx; \"the "
				 "address and size ... must match exactly a previous mapping\"",
				 s->path, (unsigned long long)u->address,
				 (unsigned long long)u->size);
			return -ENOENT;
		}
		touches = s->maps[i].mapped;
	}
	s->pending = (struct vfu_pending){
	    .hdr = cmd->hdr, .cmd = VFIO_USER_DMA_UNMAP, .unmap = *u, .fd = -1};
	return dma_change(s, touches);
}
