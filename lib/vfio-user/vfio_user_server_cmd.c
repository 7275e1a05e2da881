/* SPDX-License-Identifier: MIT */
/*
 * The vfio-user server's commands: one handler per client command, picked
 * from a table. The codec has checked each payload already; what is left
 * here are the rules that need the device (indexes, bounds, flags) and the
 * negotiated version, each refusal logged with its spec section.
 */
#define LOG_COMPONENT "vfio-user"

#include <errno.h>
#include <string.h>

#include "util/common.h"
#include "util/log.h"
#include "vfio-user/vfio_user_server_internal.h"

typedef int (*vfu_handler)(struct vfio_user_server *s, const struct vfio_user_cmd *cmd);

/* "VFIO_USER_VERSION": the major must be ours, the minor at most the
 * proposed one, the capabilities a subset of what was proposed. A client
 * we cannot agree with is answered with an error and dropped. */
static int do_version(struct vfio_user_server *s, const struct vfio_user_cmd *cmd)
{
	const struct vfio_user_caps *peer = &cmd->u.version.caps;
	struct vfio_user_caps reply = s->ours;
	uint16_t major = cmd->u.version.major;
	int len;

	if (s->versioned) {
		log_warn("%s: vfio-user.rst VFIO_USER_VERSION: a second VERSION after %u.x was "
			 "agreed",
			 s->path, VFIO_USER_MAJOR);
		return -EINVAL;
	}
	reply.pgsizes &= peer->pgsizes;
	if (major != VFIO_USER_MAJOR || !reply.pgsizes) {
		log_warn("%s: vfio-user.rst VFIO_USER_VERSION: client proposes %u.%u with pgsizes "
			 "0x%llx; we serve major %u and pgsizes 0x%llx; closing",
			 s->path, major, cmd->u.version.minor, (unsigned long long)peer->pgsizes,
			 VFIO_USER_MAJOR, (unsigned long long)s->ours.pgsizes);
		vfu_send_error(s, &cmd->hdr, EINVAL);
		vfu_conn_close(s);
		return 0;
	}
	reply.max_dma_maps = MIN(reply.max_dma_maps, peer->max_dma_maps);
	len = vfio_user_build_version(s->tx_buf, s->max_msg_size, &cmd->hdr, 0, VFIO_USER_MAJOR,
				      MIN(cmd->u.version.minor, VFIO_USER_MINOR), &reply);
	s->local = reply;
	s->peer = *peer;
	s->versioned = true;
	vfu_send(s, &cmd->hdr, len, -1);
	if (s->conn_fd < 0)
		return 0;
	s->opts.ops->attach(s->opts.dev);
	s->attached = true;
	log_notice("%s: client attached: version %u.%u, max_dma_maps %u, max_msg_fds %u/%u, "
		   "max_data_xfer_size %u/%u",
		   s->path, VFIO_USER_MAJOR, MIN(cmd->u.version.minor, VFIO_USER_MINOR),
		   reply.max_dma_maps, reply.max_msg_fds, peer->max_msg_fds,
		   reply.max_data_xfer_size, peer->max_data_xfer_size);
	return 0;
}

static void dev_counts(struct vfio_user_server *s, uint32_t *flags, uint32_t *nregions,
		       uint32_t *nirqs)
{
	*flags = *nregions = *nirqs = 0;
	s->opts.ops->device_info(s->opts.dev, flags, nregions, nirqs);
}

static int do_device_info(struct vfio_user_server *s, const struct vfio_user_cmd *cmd)
{
	struct vfio_user_device_info d = {.argsz = sizeof(d)};

	dev_counts(s, &d.flags, &d.num_regions, &d.num_irqs);
	vfu_send_reply(s, &cmd->hdr, &d, sizeof(d), NULL, 0, -1);
	return 0;
}

/* index against the device's num_regions (irq false) or num_irqs (true):
 * 0 or -EINVAL. */
static int index_check(struct vfio_user_server *s, const struct vfio_user_cmd *cmd,
		       uint32_t index, bool irq)
{
	uint32_t flags, nregions, nirqs, n;

	dev_counts(s, &flags, &nregions, &nirqs);
	n = irq ? nirqs : nregions;
	if (index < n)
		return 0;
	log_warn("%s: vfio-user.rst %s: %s %u, the device has %u (VFIO_USER_DEVICE_GET_INFO "
		 "%s)",
		 s->path, vfio_user_cmd_name(cmd->hdr.cmd), irq ? "IRQ index" : "region", index, n,
		 irq ? "num_irqs" : "num_regions");
	return -EINVAL;
}

/* The device's region index, or -EINVAL past num_regions. */
static int region_get(struct vfio_user_server *s, const struct vfio_user_cmd *cmd, uint32_t index,
		      struct vfio_user_region *r)
{
	if (index_check(s, cmd, index, false) < 0)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	s->opts.ops->region_info(s->opts.dev, index, r);
	if ((r->flags & VFIO_REGION_INFO_FLAG_MMAP) &&
	    (r->fd < 0 || r->nr_areas > VFIO_USER_MAX_SPARSE_AREAS)) {
		log_err("%s: device region %u says MMAP without an fd or with %u areas", s->path,
			index, r->nr_areas);
		return -EIO;
	}
	return 0;
}

static int do_region_info(struct vfio_user_server *s, const struct vfio_user_cmd *cmd)
{
	uint32_t index = cmd->u.region_info.index;
	struct vfio_user_region r;
	struct vfio_region_info info;
	bool mmap;
	int ret = region_get(s, cmd, index, &r);

	if (ret < 0)
		return ret;
	mmap = r.flags & VFIO_REGION_INFO_FLAG_MMAP;
	info = (struct vfio_region_info){
	    .flags = r.flags & (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
				VFIO_REGION_INFO_FLAG_MMAP),
	    .index = index,
	    .size = r.size,
	    .offset = mmap ? r.fd_offset : 0,
	};
	/* "When this flag is set, the reply will include a file descriptor in
	 * its meta-data." */
	vfu_send(s, &cmd->hdr,
		 vfio_user_build_region_info(s->tx_buf, s->max_msg_size, &cmd->hdr,
					     cmd->u.region_info.argsz, &info, r.areas,
					     mmap ? r.nr_areas : 0),
		 mmap ? r.fd : -1);
	return 0;
}

/* "VFIO_USER_REGION_READ" / "_WRITE": inside the region, as its flags
 * allow; a read's data no larger than the client takes. */
static int do_region_access(struct vfio_user_server *s, const struct vfio_user_cmd *cmd)
{
	bool write = cmd->hdr.cmd == VFIO_USER_REGION_WRITE;
	struct vfio_user_region_access a = {
	    .offset = cmd->u.region.offset,
	    .region = cmd->u.region.region,
	    .count = cmd->u.region.count,
	};
	uint32_t need = write ? VFIO_REGION_INFO_FLAG_WRITE : VFIO_REGION_INFO_FLAG_READ;
	void *buf = write ? (void *)cmd->u.region.data : s->data;
	struct vfio_user_region r;
	int ret = region_get(s, cmd, a.region, &r);

	if (ret < 0)
		return ret;
	if (!(r.flags & need)) {
		log_warn("%s: vfio-user.rst VFIO_USER_DEVICE_GET_REGION_INFO: region %u has no "
			 "%s flag",
			 s->path, a.region,
			 write ? "VFIO_REGION_INFO_FLAG_WRITE" : "VFIO_REGION_INFO_FLAG_READ");
		return -EINVAL;
	}
	if (a.offset > r.size || a.count > r.size - a.offset) {
		log_warn("%s: vfio-user.rst %s: 0x%llx + %u is past region %u's 0x%llx bytes",
			 s->path, vfio_user_cmd_name(cmd->hdr.cmd), (unsigned long long)a.offset,
			 a.count, a.region, (unsigned long long)r.size);
		return -EINVAL;
	}
	if (!write && a.count > s->peer.max_data_xfer_size) {
		log_warn("%s: vfio-user.rst Read and Write Operations: a %u-byte read is past the "
			 "client's max_data_xfer_size %u",
			 s->path, a.count, s->peer.max_data_xfer_size);
		return -E2BIG;
	}
	if (a.count) {
		ret = s->opts.ops->region_access(s->opts.dev, a.region, a.offset, buf, a.count,
						 write);
		if (ret < 0)
			return ret;
	}
	vfu_send_reply(s, &cmd->hdr, &a, sizeof(a), buf, write ? 0 : a.count, -1);
	return 0;
}

/* The IRQ index's flags and count, or -EINVAL past num_irqs. */
static int irq_get(struct vfio_user_server *s, const struct vfio_user_cmd *cmd, uint32_t index,
		   uint32_t *flags, uint32_t *count)
{
	if (index_check(s, cmd, index, true) < 0)
		return -EINVAL;
	*flags = *count = 0;
	s->opts.ops->irq_info(s->opts.dev, index, flags, count);
	return 0;
}

static int do_irq_info(struct vfio_user_server *s, const struct vfio_user_cmd *cmd)
{
	struct vfio_irq_info i = {.argsz = sizeof(i), .index = cmd->u.irq_info.index};
	int ret = irq_get(s, cmd, i.index, &i.flags, &i.count);

	if (ret < 0)
		return ret;
	vfu_send_reply(s, &cmd->hdr, &i, sizeof(i), NULL, 0, -1);
	return 0;
}

/* "VFIO_USER_DEVICE_SET_IRQS": the range inside the index, and only the
 * actions its VFIO_USER_DEVICE_GET_IRQ_INFO flags announce. */
static int irq_set_check(struct vfio_user_server *s, const struct vfio_user_irq_set *set,
			 uint32_t iflags, uint32_t icount)
{
	const char *why = NULL;

	if (set->count == 0 && (set->data != VFIO_IRQ_SET_DATA_NONE || set->start != 0))
		why = "count 0 is for start 0 with DATA_NONE only (\"disables all interrupts of "
		      "the index\")";
	else if ((uint64_t)set->start + set->count > icount)
		why = "start + count is past the index's count (GET_IRQ_INFO)";
	else if (set->action != VFIO_IRQ_SET_ACTION_TRIGGER && !(iflags & VFIO_IRQ_INFO_MASKABLE))
		why = "MASK/UNMASK on an index without VFIO_IRQ_INFO_MASKABLE";
	else if (set->data == VFIO_IRQ_SET_DATA_EVENTFD && !(iflags & VFIO_IRQ_INFO_EVENTFD))
		why = "eventfds for an index without VFIO_IRQ_INFO_EVENTFD";
	if (!why)
		return 0;
	log_warn("%s: vfio-user.rst VFIO_USER_DEVICE_SET_IRQS: index %u start %u count %u: %s",
		 s->path, set->index, set->start, set->count, why);
	return -EINVAL;
}

static int do_set_irqs(struct vfio_user_server *s, const struct vfio_user_cmd *cmd)
{
	struct vfio_user_irq_set set = {
	    .index = cmd->u.set_irqs.index,
	    .start = cmd->u.set_irqs.start,
	    .count = cmd->u.set_irqs.count,
	    .action = cmd->u.set_irqs.flags & VFIO_IRQ_SET_ACTION_TYPE_MASK,
	    .data = cmd->u.set_irqs.flags & VFIO_IRQ_SET_DATA_TYPE_MASK,
	    .bools = cmd->u.set_irqs.bools,
	    /* The message's own fds, which the device may take. */
	    .fds = cmd->u.set_irqs.nfds ? s->rx_fds : NULL,
	    .nfds = cmd->u.set_irqs.nfds,
	};
	uint32_t iflags, icount;
	int ret = irq_get(s, cmd, set.index, &iflags, &icount);

	if (ret == 0)
		ret = irq_set_check(s, &set, iflags, icount);
	if (ret == 0)
		ret = s->opts.ops->set_irqs(s->opts.dev, &set);
	if (ret < 0)
		return ret;
	vfu_send_reply(s, &cmd->hdr, NULL, 0, NULL, 0, -1);
	return 0;
}

static int do_reset(struct vfio_user_server *s, const struct vfio_user_cmd *cmd)
{
	uint32_t flags, nregions, nirqs;
	int ret;

	dev_counts(s, &flags, &nregions, &nirqs);
	if (!s->opts.ops->reset || !(flags & VFIO_DEVICE_FLAGS_RESET)) {
		log_warn("%s: vfio-user.rst VFIO_USER_DEVICE_GET_INFO: the device has no "
			 "VFIO_DEVICE_FLAGS_RESET, so no VFIO_USER_DEVICE_RESET",
			 s->path);
		return -EOPNOTSUPP;
	}
	ret = s->opts.ops->reset(s->opts.dev);
	if (ret < 0)
		return ret;
	vfu_send_reply(s, &cmd->hdr, NULL, 0, NULL, 0, -1);
	return 0;
}

static const vfu_handler g_handlers[VFIO_USER_MAX_COMMAND] = {
    [VFIO_USER_VERSION] = do_version,
    [VFIO_USER_DMA_MAP] = vfu_dma_map,
    [VFIO_USER_DMA_UNMAP] = vfu_dma_unmap,
    [VFIO_USER_DEVICE_GET_INFO] = do_device_info,
    [VFIO_USER_DEVICE_GET_REGION_INFO] = do_region_info,
    [VFIO_USER_DEVICE_GET_IRQ_INFO] = do_irq_info,
    [VFIO_USER_DEVICE_SET_IRQS] = do_set_irqs,
    [VFIO_USER_REGION_READ] = do_region_access,
    [VFIO_USER_REGION_WRITE] = do_region_access,
    [VFIO_USER_DEVICE_RESET] = do_reset,
};

bool vfu_refuse_before_version(struct vfio_user_server *s, const struct vfio_user_hdr *hdr)
{
	/* "Upon establishing a connection, the client must send a
	 * VFIO_USER_VERSION message": nothing else is served before it. */
	if (s->versioned || hdr->cmd == VFIO_USER_VERSION)
		return false;
	log_warn("%s: vfio-user.rst VFIO_USER_VERSION: %s before VERSION; closing", s->path,
		 vfio_user_cmd_name(hdr->cmd));
	vfu_send_error(s, hdr, EINVAL);
	vfu_conn_close(s);
	return true;
}

int vfu_dispatch(struct vfio_user_server *s, const struct vfio_user_cmd *cmd)
{
	uint16_t c = cmd->hdr.cmd;

	if (c >= ARRAY_SIZE(g_handlers) || !g_handlers[c]) {
		log_warn("%s: vfio-user.rst %s: not served", s->path, vfio_user_cmd_name(c));
		return -EOPNOTSUPP;
	}
	return g_handlers[c](s, cmd);
}
