/* SPDX-License-Identifier: MIT */
/* Guest memory and ring set-up as the recording proxy sees them go by
 * (trace_watch.h). */
#include <endian.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>

#define LOG_COMPONENT "trace"
#include "trace/trace_watch.h"
#include "util/log.h"

#define MAP_SPEC "vhost-user.rst \"Memory regions description\" (recording)"

void trace_watch_init(struct trace_watch *w)
{
	memset(w, 0, sizeof(*w));
	mem_table_init(&w->mem);
}

void trace_watch_fini(struct trace_watch *w)
{
	mem_table_clear(&w->mem);
	for (uint32_t i = 0; i < w->nmaps; i++)
		mem_unmap(&w->maps[i].map);
	w->nmaps = 0;
}

/* Maps a region read-only and adds it to the table. A region that does not
 * map is logged and left out: ring indices in it stay unread. */
static void watch_add(struct trace_watch *w, const struct vhost_user_mem_region *r, int fd)
{
	struct mem_map map;

	if (w->nmaps == MEM_MAX_REGIONS ||
	    mem_map_fd_prot(fd, r->mmap_offset, r->memory_size, PROT_READ, MAP_SPEC, &map))
		return;
	if (mem_table_add_mapped(&w->mem, r->guest_phys_addr, r->memory_size, r->userspace_addr,
				 map.addr)) {
		mem_unmap(&map);
		return;
	}
	w->maps[w->nmaps].gpa = r->guest_phys_addr;
	w->maps[w->nmaps].size = r->memory_size;
	w->maps[w->nmaps].uva = r->userspace_addr;
	w->maps[w->nmaps].map = map;
	w->nmaps++;
}

static void watch_remove(struct trace_watch *w, const struct vhost_user_mem_region *r)
{
	for (uint32_t i = 0; i < w->nmaps; i++) {
		if (w->maps[i].gpa != r->guest_phys_addr || w->maps[i].size != r->memory_size ||
		    w->maps[i].uva != r->userspace_addr)
			continue;
		mem_table_remove(&w->mem, r->guest_phys_addr, r->memory_size, r->userspace_addr);
		mem_unmap(&w->maps[i].map);
		w->maps[i] = w->maps[--w->nmaps];
		return;
	}
}

static void watch_set_mem_table(struct trace_watch *w, const struct vhost_user_memory *m,
				uint32_t len, const int *fds, unsigned nfds)
{
	trace_watch_fini(w);
	/* "Memory regions description": fd i maps region i. */
	for (uint32_t i = 0; i < m->nregions && i < nfds && i < VHOST_USER_MEM_BASELINE_NREGIONS &&
			     8 + (i + 1) * sizeof(m->regions[0]) <= len;
	     i++)
		watch_add(w, &m->regions[i], fds[i]);
}

/* A 16-bit ring index at uva + 2 (the idx field after flags: virtio 1.2
 * §2.7.6 and §2.7.8). */
static bool watch_read_idx(const struct trace_watch *w, uint64_t uva, uint16_t *idx)
{
	const void *p = mem_uva_to_hva(&w->mem, uva + 2, sizeof(*idx));
	uint16_t v;

	if (!p || uva > UINT64_MAX - 2)
		return false;
	memcpy(&v, p, sizeof(v));
	*idx = le16toh(v);
	return true;
}

static void watch_ring_state(const struct trace_watch *w, uint32_t index, uint32_t point,
			     struct trace_ring *ring)
{
	const struct trace_watch_ring *r = &w->rings[index];

	*ring = (struct trace_ring){
	    .point = point,
	    .index = index,
	    .num = r->num,
	    .base = r->base,
	    .valid = r->valid,
	    .desc = r->desc,
	    .avail = r->avail,
	    .used = r->used,
	};
	if (!(r->valid & TRACE_RING_ADDRS))
		return;
	if (watch_read_idx(w, r->avail, &ring->avail_idx))
		ring->valid |= TRACE_RING_AVAIL_IDX;
	if (watch_read_idx(w, r->used, &ring->used_idx))
		ring->valid |= TRACE_RING_USED_IDX;
}

/* A message from the front-end; true at a start point. */
static bool watch_from_frontend(struct trace_watch *w, uint32_t req,
				const union vhost_user_payload *pl, uint32_t len, const int *fds,
				unsigned nfds, struct trace_ring *ring)
{
	uint32_t index = pl->state.index;
	struct trace_watch_ring *r = &w->rings[index % TRACE_WATCH_RINGS];

	/* A ring index past what the requests can carry names no ring we
	 * follow (the back-end refuses it). */
	if (index >= TRACE_WATCH_RINGS &&
	    (req == VHOST_USER_SET_VRING_NUM || req == VHOST_USER_SET_VRING_ADDR ||
	     req == VHOST_USER_SET_VRING_BASE || req == VHOST_USER_SET_VRING_ENABLE))
		return false;
	switch (req) {
	case VHOST_USER_SET_MEM_TABLE:
		watch_set_mem_table(w, &pl->memory, len, fds, nfds);
		return false;
	case VHOST_USER_ADD_MEM_REG:
		if (nfds >= 1 && len >= sizeof(pl->mem_reg))
			watch_add(w, &pl->mem_reg.region, fds[0]);
		return false;
	case VHOST_USER_REM_MEM_REG:
		if (len >= sizeof(pl->mem_reg))
			watch_remove(w, &pl->mem_reg.region);
		return false;
	case VHOST_USER_SET_VRING_NUM:
		r->num = pl->state.num;
		r->valid |= TRACE_RING_NUM;
		return false;
	case VHOST_USER_SET_VRING_ADDR:
		r->desc = pl->addr.desc_user_addr;
		r->avail = pl->addr.avail_user_addr;
		r->used = pl->addr.used_user_addr;
		r->valid |= TRACE_RING_ADDRS;
		return false;
	case VHOST_USER_SET_VRING_BASE:
		r->base = pl->state.num;
		watch_ring_state(w, index, TRACE_RING_BASE, ring);
		return true;
	case VHOST_USER_SET_VRING_KICK:
		index = (uint32_t)(pl->u64 & VHOST_USER_VRING_IDX_MASK);
		watch_ring_state(w, index, TRACE_RING_KICK, ring);
		return true;
	case VHOST_USER_SET_VRING_ENABLE:
		if (pl->state.num != 1)
			return false;
		watch_ring_state(w, index, TRACE_RING_ENABLED, ring);
		return true;
	default:
		return false;
	}
}

bool trace_watch_msg(struct trace_watch *w, bool to_backend, const struct vhost_user_hdr *hdr,
		     const void *payload, uint32_t payload_len, const int *fds, unsigned nfds,
		     struct trace_ring *ring)
{
	union vhost_user_payload pl = {0};
	uint32_t index;

	memcpy(&pl, payload, payload_len < sizeof(pl) ? payload_len : sizeof(pl));
	if (to_backend)
		return watch_from_frontend(w, hdr->request, &pl, payload_len, fds, nfds, ring);
	/* "VHOST_USER_GET_VRING_BASE": the answer is sent once the ring
	 * stopped; the indices read now are where it stopped. */
	if (hdr->request != VHOST_USER_GET_VRING_BASE || !(hdr->flags & VHOST_USER_REPLY_MASK) ||
	    payload_len < sizeof(pl.state) || pl.state.index >= TRACE_WATCH_RINGS)
		return false;
	index = pl.state.index;
	w->rings[index].base = pl.state.num;
	watch_ring_state(w, index, TRACE_RING_STOPPED, ring);
	return true;
}
