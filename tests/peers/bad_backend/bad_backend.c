/* SPDX-License-Identifier: MIT */
/*
 * bad_backend's message proxy (main.c has the command line).
 *
 * How it is built: our lib/vhost back-end runs on one end of a socketpair
 * (vhost_dev_create_on_fd); this file sits between it and the real front-end
 * and forwards every message both ways. The protocol switches act on that
 * stream (answer a message itself, here; drop or alter a reply, in
 * replies.c), so lib/vhost itself needs no test hooks. The data-path
 * switches act in the device (device.c); the switch tables are
 * switches_vhost.c and switches_blk.c.
 */
#define LOG_COMPONENT "bad_backend"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bad_backend.h"
#include "proxy.h"
#include "spec/vhost_user.h"
#include "spec/virtio.h"
#include "spec/virtio_blk.h"
#include "util/log.h"
#include "vhost/vhost.h"
#include "vhost/vhost_backend_internal.h"
#include "vhost/vhost_msg.h"

#define MMAP_PAGE      4096
/* The virtio 1.1 config struct, as QEMU 7.2 knows it (no secure erase). */
#define CONFIG_SIZE_V11 offsetof(struct virtio_blk_config, max_secure_erase_sectors)

/* ---- the connection: front-end <-> us <-> lib/vhost ----------------------- */

/*
 * What a front-end left behind when it went, for the VHOST-CONN switches:
 * each serves the next front-end as if one kind of that state were still
 * there. Only the next one: a connection that inherited something leaves
 * nothing, so the one after it is served right.
 */
struct conn_left {
	bool any;
	bool negotiated;    /* its last request was SET_FEATURES */
	bool mem_table;	    /* its last request was SET_MEM_TABLE */
	bool rings[NRINGS]; /* kicked and not stopped */
	bool served;	    /* its rings had requests to serve */
	bool partial;	    /* it left in the middle of a message, kept in rx */
	struct vhost_msg_rx rx;
};

struct conn {
	int fe;		       /* the front-end's connection */
	int lib;	       /* our end of lib/vhost's socketpair */
	struct vhost_dev *dev; /* owns the other end */
	struct vhost_msg_rx rx;
	bool rx_cut; /* the front-end left with rx in the middle of a message */
	struct conn_state state;
	struct conn_left left; /* what the previous front-end left */
	uint16_t nrings;       /* the queues offered: vring indexes 0..nrings-1 */
};

/* The vring index a ring request names, where lib/vhost reads it. */
static uint32_t ring_of(const struct vhost_msg *m)
{
	switch (m->hdr.request) {
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR:
		return (uint32_t)(m->payload.u64 & VHOST_USER_VRING_IDX_MASK);
	case VHOST_USER_SET_VRING_ADDR:
		return m->payload.addr.index;
	default:
		return m->payload.state.index;
	}
}

/* Sends a u64 reply to REQUEST of our own. */
static int conn_send_u64(struct conn *c, uint32_t request, uint64_t value)
{
	struct vhost_user_hdr r = {.request = request,
				   .flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK,
				   .size = sizeof(value)};

	return vhost_msg_send(c->fe, &r, &value, NULL, 0, MSG_TIMEOUT_MS);
}

/* Forwards lib/vhost's replies to REQ to the front-end, breaking them as the
 * switches say. 0, or a negative errno to close the connection. */
static int conn_forward_replies(struct conn *c, const struct vhost_msg *req)
{
	struct vhost_msg m;
	int ret;

	while ((ret = vhost_msg_recv(c->lib, &m, 0)) == 0) {
		proxy_note_reply(&c->state, req, &m);
		ret = proxy_reply_hostile(c->fe, &c->state, &m);
		if (ret == 0 && proxy_reply_break(&c->state, req, &m))
			ret = vhost_msg_send(c->fe, &m.hdr, &m.payload, m.fds, m.nfds,
					     MSG_TIMEOUT_MS);
		vhost_msg_close_fds(&m);
		if (ret < 0)
			return ret;
	}
	if (ret != -ETIMEDOUT && ret != -EAGAIN)
		return ret;
	/* ack-after-own-reply: REPLY_ACK's "no behavioural change" for requests
	 * with a reply of their own, broken. */
	if (BROKEN(ACK_AFTER_OWN_REPLY) && proxy_has_own_reply(req->hdr.request) &&
	    proxy_needs_reply(req))
		return conn_send_u64(c, req->hdr.request, 0);
	return 0;
}

/* Answers M ourselves, instead of lib/vhost: SIZE bytes of P (0: empty). */
static int conn_answer(struct conn *c, struct vhost_msg *m, const union vhost_user_payload *p,
		       uint32_t size)
{
	struct vhost_user_hdr r = {.request = m->hdr.request,
				   .flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK,
				   .size = size};

	vhost_msg_close_fds(m);
	return vhost_msg_send(c->fe, &r, p, NULL, 0, MSG_TIMEOUT_MS);
}

/* Handles M ourselves, instead of lib/vhost, with the ack VALUE: sent when
 * REPLY_ACK asks for one (need_reply, once negotiated). Its fds go unused. */
static int conn_ack(struct conn *c, struct vhost_msg *m, uint64_t value)
{
	if (!proxy_needs_reply(m) || !(c->state.pf & VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK))) {
		vhost_msg_close_fds(m);
		return 0;
	}
	return conn_answer(c, m, &(union vhost_user_payload){.u64 = value}, sizeof(uint64_t));
}

/* unaligned-offset-rounded: each region's mmap offset rounded up to the page,
 * its start (guest and user addresses) moved with it, as a back-end that can
 * only mmap whole pages and drops the partial one. */
static void table_round_offsets(struct vhost_user_memory *mem)
{
	for (uint32_t i = 0; i < mem->nregions && i < VHOST_USER_MEM_BASELINE_NREGIONS; i++) {
		struct vhost_user_mem_region *r = &mem->regions[i];
		uint64_t cut = (MMAP_PAGE - r->mmap_offset % MMAP_PAGE) % MMAP_PAGE;

		if (!cut || r->memory_size <= cut)
			continue;
		r->mmap_offset += cut;
		r->guest_phys_addr += cut;
		r->userspace_addr += cut;
		r->memory_size -= cut;
	}
}

/* fd-fit-ignores-offset: a region whose size fits its fd but runs past it
 * from its mmap offset is cut to what the fd has, so lib/vhost takes it (as
 * a back-end that checks the size alone, and maps past the end). */
static void table_fit_sizes(struct vhost_msg *m)
{
	struct vhost_user_memory *mem = &m->payload.memory;

	for (uint32_t i = 0; i < mem->nregions && i < m->nfds; i++) {
		struct vhost_user_mem_region *r = &mem->regions[i];
		struct stat st;

		if (fstat(m->fds[i], &st) == 0 && S_ISREG(st.st_mode) &&
		    r->memory_size <= (uint64_t)st.st_size &&
		    r->mmap_offset < (uint64_t)st.st_size &&
		    r->mmap_offset + r->memory_size > (uint64_t)st.st_size)
			r->memory_size = (uint64_t)st.st_size - r->mmap_offset;
	}
}

/* zero-size-at-offset-acked: a region of 0 bytes at an offset that is not
 * page-aligned (mapping from the page below, a back-end gets a page). */
static bool table_zero_size_at_offset(const struct vhost_user_memory *mem)
{
	for (uint32_t i = 0; i < mem->nregions && i < VHOST_USER_MEM_BASELINE_NREGIONS; i++) {
		if (mem->regions[i].memory_size == 0 && mem->regions[i].mmap_offset % MMAP_PAGE)
			return true;
	}
	return false;
}

/* regions-shifted-a-page: regions away from guest address 0 (at a
 * page-aligned offset) registered a page above where they are. */
static void table_shift_regions(struct vhost_user_memory *mem)
{
	for (uint32_t i = 0; i < mem->nregions && i < VHOST_USER_MEM_BASELINE_NREGIONS; i++) {
		struct vhost_user_mem_region *r = &mem->regions[i];

		if (r->guest_phys_addr && r->mmap_offset % MMAP_PAGE == 0)
			r->guest_phys_addr += MMAP_PAGE;
	}
}

/* rem-mem-reg-ignores-uva: REM_MEM_REG takes the user address of the
 * table's region with its guest address and size, whatever it says. */
static void rem_region_by_gpa(const struct vhost_dev *dev, struct vhost_msg *m)
{
	struct vhost_user_mem_region *r = &m->payload.mem_reg.region;

	for (uint32_t i = 0; i < dev->mem->nregions; i++) {
		const struct mem_region *t = &dev->mem->regions[i];

		if (t->gpa == r->guest_phys_addr && t->size == r->memory_size)
			r->userspace_addr = t->uva;
	}
}

/* running-table-refused: a ring of the connection is kicked (running). */
static bool any_kicked(const struct conn_state *s)
{
	for (unsigned i = 0; i < NRINGS; i++) {
		if (s->kicked[i])
			return true;
	}
	return false;
}

/* A SET_VRING_ADDR whose ring parts break virtio 1.2 §2.7's alignment. */
static bool ring_addr_unaligned(const struct vhost_msg *m)
{
	const struct vhost_user_vring_addr *a = &m->payload.addr;

	return m->hdr.size == sizeof(*a) &&
	       (a->desc_user_addr % VIRTQ_DESC_ALIGN || a->avail_user_addr % VIRTQ_AVAIL_ALIGN ||
		a->used_user_addr % VIRTQ_USED_ALIGN);
}

/* config-clamped: GET_CONFIG past the 256 bytes of config space answered with
 * the bytes that fit, where vhost-user.rst asks for an empty (error) reply. */
static int config_clamped(struct conn *c, struct vhost_msg *m)
{
	union vhost_user_payload p = {.config = m->payload.config};
	uint32_t off = p.config.offset;

	p.config.size = off < VHOST_USER_MAX_CONFIG_SIZE ? VHOST_USER_MAX_CONFIG_SIZE - off : 0;
	memset(p.config.region, 0, sizeof(p.config.region));
	disk_get_config(NULL, p.config.region, off, p.config.size);
	return conn_answer(c, m, &p, VHOST_USER_CONFIG_HDR_SIZE + p.config.size);
}

/* The GET_CONFIG switches; false: lib/vhost answers. */
static bool config_intercept(struct conn *c, struct vhost_msg *m, int *ret)
{
	const struct vhost_user_config *cfg = &m->payload.config;
	bool fits;

	if (m->hdr.size < VHOST_USER_CONFIG_HDR_SIZE)
		return false;
	fits = cfg->size <= VHOST_USER_MAX_CONFIG_SIZE &&
	       cfg->offset <= VHOST_USER_MAX_CONFIG_SIZE - cfg->size;
	if (BROKEN(CONFIG_SIZE_STRICT) && cfg->size > CONFIG_SIZE_V11) {
		*ret = conn_answer(c, m, NULL, 0);
		return true;
	}
	if (BROKEN(CONFIG_CLAMPED) && !fits &&
	    m->hdr.size == VHOST_USER_CONFIG_HDR_SIZE + cfg->size) {
		*ret = config_clamped(c, m);
		return true;
	}
	/* config-zero-silent: nothing to send, so nothing is sent. */
	if (BROKEN(CONFIG_ZERO_SILENT) && cfg->size == 0) {
		*ret = 0;
		return true;
	}
	/* config-size-field-trusted: the payload's size made to agree with the
	 * size field before lib/vhost checks them. */
	if (BROKEN(CONFIG_SIZE_FIELD_TRUSTED) && fits)
		m->hdr.size = VHOST_USER_CONFIG_HDR_SIZE + cfg->size;
	return false;
}

/* The switches that answer M instead of lib/vhost; false: lib/vhost does. */
static bool conn_intercept(struct conn *c, struct vhost_msg *m, int *ret)
{
	const struct conn_state *s = &c->state;
	uint32_t req = m->hdr.request;
	uint32_t i = ring_of(m);

	switch (req) {
	case VHOST_USER_GET_VRING_BASE:
		/* vring-base-any-index: a state {index, 0} for an index past the
		 * queues. */
		if (!BROKEN(VRING_BASE_ANY_INDEX) ||
		    m->hdr.size != sizeof(struct vhost_user_vring_state) || i < c->nrings)
			return false;
		*ret = conn_answer(c, m, &(union vhost_user_payload){.state = {.index = i}},
				   sizeof(struct vhost_user_vring_state));
		return true;
	case VHOST_USER_GET_CONFIG:
		return config_intercept(c, m, ret);
	case VHOST_USER_GET_PROTOCOL_FEATURES:
		/* pf-needs-set-features: protocol features only once the
		 * virtio features are set; before, the connection is closed. */
		if (!BROKEN(PF_NEEDS_SET_FEATURES) || s->features_sets)
			return false;
		*ret = -EPROTO;
		return true;
	case VHOST_USER_RESET_OWNER:
		/* reset-owner-closes: taken as the front-end's goodbye. */
		if (!BROKEN(RESET_OWNER_CLOSES))
			return false;
		vhost_msg_close_fds(m);
		*ret = -ECONNRESET;
		return true;
	case VHOST_USER_SET_MEM_TABLE:
		if (BROKEN(FOUR_MEM_REGIONS) && m->payload.memory.nregions > 4)
			*ret = conn_ack(c, m, EINVAL);
		else if (BROKEN(NEW_TABLE_IGNORED) && s->any_stopped)
			*ret = conn_ack(c, m, 0);
		else if (BROKEN(ZERO_SIZE_AT_OFFSET_ACKED) &&
			 table_zero_size_at_offset(&m->payload.memory))
			*ret = conn_ack(c, m, 0);
		else if (BROKEN(RUNNING_TABLE_REFUSED) && any_kicked(s))
			*ret = conn_ack(c, m, EBUSY);
		else
			return false;
		return true;
	case VHOST_USER_REM_MEM_REG:
		if (BROKEN(REM_MEM_REG_IGNORES_UVA) && m->hdr.size == sizeof(m->payload.mem_reg))
			rem_region_by_gpa(c->dev, m);
		if (!BROKEN(REM_MEM_REG_NOOP))
			return false;
		*ret = conn_ack(c, m, 0);
		return true;
	case VHOST_USER_SET_VRING_KICK:
		if (!BROKEN(NO_RESTART_AFTER_STOP) || i >= NRINGS || !s->stopped[i])
			return false;
		*ret = conn_ack(c, m, EBUSY);
		return true;
	case VHOST_USER_SET_VRING_ADDR:
		/* unaligned-ring-accepted: acked, and the ring keeps its old
		 * addresses (its parts are not where the front-end said). */
		if (!BROKEN(UNALIGNED_RING_ACCEPTED) || !ring_addr_unaligned(m))
			return false;
		*ret = conn_ack(c, m, 0);
		return true;
	case VHOST_USER_SET_VRING_ENABLE:
		/* disabled-ring-runs: SET_VRING_ENABLE 0 acked and ignored. */
		if (!BROKEN(DISABLED_RING_RUNS) || m->hdr.size != sizeof(m->payload.state) ||
		    m->payload.state.num != 0)
			return false;
		*ret = conn_ack(c, m, 0);
		return true;
	default:
		/* ack-unknown-request: "done" (0) for a request no one knows. */
		if (!BROKEN(ACK_UNKNOWN_REQUEST) ||
		    strcmp(vhost_msg_request_name(req), "unknown") || !proxy_needs_reply(m))
			return false;
		*ret = conn_answer(c, m, &(union vhost_user_payload){.u64 = 0}, sizeof(uint64_t));
		return true;
	}
}

/* The VHOST-CONN switches: M refused as if the previous front-end's state
 * were still in place (vhost-user.rst Communication: a new connection starts
 * from scratch); false: M goes on. */
static bool conn_inherited(struct conn *c, struct vhost_msg *m, int *ret)
{
	const struct conn_left *l = &c->left;
	uint32_t req = m->hdr.request;
	uint32_t i = ring_of(m);
	bool refuse;

	switch (req) {
	case VHOST_USER_SET_OWNER:
		refuse = BROKEN(KEEPS_OWNER) && l->negotiated;
		break;
	case VHOST_USER_SET_MEM_TABLE:
		refuse = (BROKEN(KEEPS_MEM_TABLE) && l->mem_table) ||
			 (BROKEN(KEEPS_INFLIGHT_MEMORY) && l->served);
		break;
	case VHOST_USER_SET_VRING_NUM:
		refuse = BROKEN(KEEPS_RINGS) && i < NRINGS && l->rings[i];
		break;
	default:
		refuse = false;
		break;
	}
	if (refuse)
		*ret = conn_ack(c, m, EBUSY);
	return refuse;
}

/* What M, about to go to lib/vhost, sets (and the switches that alter it). */
static void conn_track(struct conn_state *s, struct vhost_msg *m)
{
	uint32_t i = ring_of(m);

	switch (m->hdr.request) {
	case VHOST_USER_SET_OWNER:
		s->owners++;
		break;
	case VHOST_USER_SET_FEATURES:
		s->features_sets++;
		s->features = m->payload.u64;
		break;
	case VHOST_USER_SET_PROTOCOL_FEATURES:
		s->pf_set = true;
		s->pf = m->payload.u64;
		break;
	case VHOST_USER_SET_MEM_TABLE:
		if (BROKEN(UNALIGNED_OFFSET_ROUNDED))
			table_round_offsets(&m->payload.memory);
		if (BROKEN(FD_FIT_IGNORES_OFFSET))
			table_fit_sizes(m);
		if (BROKEN(REGIONS_SHIFTED_A_PAGE))
			table_shift_regions(&m->payload.memory);
		s->has_mem = true;
		break;
	case VHOST_USER_ADD_MEM_REG:
		s->has_mem = true;
		break;
	case VHOST_USER_SET_VRING_BASE:
		if (m->hdr.size >= sizeof(struct vhost_user_vring_state) && i < NRINGS) {
			s->vring_base[i] = m->payload.state.num;
			s->reset_since_base[i] = false;
		}
		break;
	case VHOST_USER_SET_VRING_KICK:
		if (i < NRINGS && !(m->payload.u64 & VHOST_USER_VRING_NOFD_MASK))
			s->kicked[i] = s->ever_kicked[i] = true;
		break;
	case VHOST_USER_RESET_OWNER:
	case VHOST_USER_RESET_DEVICE:
		memset(s->kicked, 0, sizeof(s->kicked));
		memset(s->reset_since_base, true, sizeof(s->reset_since_base));
		break;
	default:
		break;
	}
}

/* The payload size of requests that have one size (vhost-user.rst "Front-end
 * message types"); 0 for the others. */
static uint32_t fixed_size(uint32_t request)
{
	switch (request) {
	case VHOST_USER_SET_FEATURES:
	case VHOST_USER_SET_PROTOCOL_FEATURES:
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR:
	case VHOST_USER_SET_STATUS:
		return sizeof(uint64_t);
	case VHOST_USER_SET_VRING_NUM:
	case VHOST_USER_SET_VRING_BASE:
	case VHOST_USER_GET_VRING_BASE:
	case VHOST_USER_SET_VRING_ENABLE:
		return sizeof(struct vhost_user_vring_state);
	case VHOST_USER_SET_VRING_ADDR:
		return sizeof(struct vhost_user_vring_addr);
	case VHOST_USER_ADD_MEM_REG:
	case VHOST_USER_REM_MEM_REG:
		return sizeof(struct vhost_user_mem_reg);
	default:
		return 0;
	}
}

/* no-pf-ring-disabled: a kicked ring kept disabled although SET_FEATURES
 * left VHOST_USER_F_PROTOCOL_FEATURES out (vhost-user.rst Ring states: the
 * back-end must then enable every ring), as lib/vhost would keep it if the
 * front-end had sent SET_VRING_ENABLE 0, which is what it is told. */
static int conn_disable_ring(struct conn *c, uint32_t ring)
{
	struct vhost_user_hdr hdr = {.request = VHOST_USER_SET_VRING_ENABLE,
				     .flags = VHOST_USER_VERSION,
				     .size = sizeof(struct vhost_user_vring_state)};
	struct vhost_user_vring_state st = {.index = ring, .num = 0};

	return vhost_dev_handle_msg(c->dev, &hdr, &st, NULL, 0) < 0 ? -EPROTO : 0;
}

/* One whole message from the front-end. */
static int conn_handle(struct conn *c, struct vhost_msg *m)
{
	uint32_t req = m->hdr.request;
	int ret;

	/* lax-header: version and reply flag made right before lib/vhost sees them. */
	if (BROKEN(LAX_HEADER))
		m->hdr.flags =
		    (m->hdr.flags & ~(uint32_t)(VHOST_USER_VERSION_MASK | VHOST_USER_REPLY_MASK)) |
		    VHOST_USER_VERSION;
	/* keeps-stray-fds: a copy of every fd, closed only when the front-end goes. */
	for (unsigned i = 0; BROKEN(KEEPS_STRAY_FDS) && i < m->nfds; i++) {
		if (c->state.nkept < MAX_KEPT_FDS)
			c->state.kept_fds[c->state.nkept++] = dup(m->fds[i]);
	}
	/* ignores-payload-tail: the bytes past the request's own size are
	 * dropped, as by a back-end that checks only a minimum size. */
	if (BROKEN(IGNORES_PAYLOAD_TAIL) && fixed_size(req) && m->hdr.size > fixed_size(req))
		m->hdr.size = fixed_size(req);
	c->state.last_request = req;
	if (conn_inherited(c, m, &ret) || conn_intercept(c, m, &ret))
		return ret;
	conn_track(&c->state, m);
	if (req == VHOST_USER_SET_MEM_TABLE || req == VHOST_USER_ADD_MEM_REG ||
	    req == VHOST_USER_REM_MEM_REG || req == VHOST_USER_RESET_OWNER ||
	    req == VHOST_USER_RESET_DEVICE)
		disk_zombies_drop(); /* a stopped ring's memory is about to go */
	/* vhost_dev_handle_msg takes the fds. */
	if (vhost_dev_handle_msg(c->dev, &m->hdr, &m->payload, m->fds, m->nfds) < 0)
		return -EPROTO;
	m->nfds = 0;
	ret = conn_forward_replies(c, m);
	if (ret == 0 && BROKEN(NO_PF_RING_DISABLED) && req == VHOST_USER_SET_VRING_KICK &&
	    !(c->state.features & VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES)))
		ret = conn_disable_ring(c, ring_of(m));
	return ret;
}

/* Records what the front-end leaves for the next one (struct conn_left). */
static void conn_leave(struct conn *c)
{
	const struct conn_state *s = &c->state;
	struct conn_left *l = &c->left;
	bool inherited = l->any;

	memset(l, 0, sizeof(*l));
	if (inherited)
		return;
	l->partial = c->rx_cut;
	if (l->partial)
		l->rx = c->rx;
	l->negotiated = !l->partial && s->last_request == VHOST_USER_SET_FEATURES;
	l->mem_table = !l->partial && s->last_request == VHOST_USER_SET_MEM_TABLE;
	l->served = s->served > 0;
	l->any = l->partial || l->negotiated || l->mem_table || l->served;
	for (unsigned i = 0; i < NRINGS; i++) {
		l->rings[i] = s->kicked[i];
		l->any |= l->rings[i];
	}
}

static void conn_close(struct conn *c)
{
	if (c->fe < 0)
		return;
	/* Requests the front-end made available before it left count as served:
	 * a back-end sees them whether or not it polled in between. */
	c->state.served += disk_poll();
	conn_leave(c);
	vhost_dev_destroy(c->dev); /* stops the rings, closes its end */
	for (unsigned i = 0; i < c->state.nkept; i++) {
		if (c->state.kept_fds[i] >= 0)
			close(c->state.kept_fds[i]);
	}
	c->state.nkept = 0;
	c->dev = NULL;
	c->rx_cut = false;
	vhost_msg_rx_reset(&c->rx);
	close(c->lib);
	close(c->fe);
	c->fe = c->lib = -1;
	log_info("front-end gone");
}

static int conn_open(struct conn *c, int fe, uint16_t queues)
{
	/* Every protocol feature lib/vhost implements. */
	const struct vhost_dev_opts opts = {
	    .max_queues = queues,
	    .protocol_features = VIRTIO_BIT(VHOST_USER_PROTOCOL_F_MQ) |
				 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) |
				 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG) |
				 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS) |
				 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_RESET_DEVICE) |
				 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_STATUS) |
				 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_LOG_SHMFD) |
				 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD),
	    .ops = disk_ops(),
	};
	int sp[2], ret;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	ret = vhost_dev_create_on_fd(&opts, sp[0], &c->dev);
	if (ret) {
		close(sp[0]);
		close(sp[1]);
		return ret;
	}
	c->fe = fe;
	c->nrings = queues;
	c->lib = sp[1];
	vhost_msg_rx_reset(&c->rx);
	/* keeps-partial-message: the parser goes on where the last front-end
	 * left it, as one whose state belongs to the back-end, not to the
	 * connection. */
	if (BROKEN(KEEPS_PARTIAL_MESSAGE) && c->left.partial)
		c->rx = c->left.rx;
	memset(&c->state, 0, sizeof(c->state));
	log_info("front-end connected");
	return 0;
}

/* rx_step refused a message larger than any (VHOST_USER_MAX_PAYLOAD) after its
 * header; ignores-payload-tail and config-clamped read it to its end, keeping
 * the bytes that fit, for conn_handle. 1 (the message is whole), or a
 * negative errno. */
static int conn_rx_oversized(struct conn *c)
{
	uint8_t *payload = (uint8_t *)&c->rx.msg.payload;
	uint32_t size = c->rx.msg.hdr.size, got = 0;
	uint8_t buf[4096];

	while (got < size) {
		struct pollfd p = {.fd = c->fe, .events = POLLIN};
		ssize_t n =
		    recv(c->fe, buf, size - got < sizeof(buf) ? size - got : sizeof(buf), 0);

		if (n == 0)
			return -ECONNRESET;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (n < 0) {
			if (poll(&p, 1, MSG_TIMEOUT_MS) == 0)
				return -ETIMEDOUT;
			continue;
		}
		if (got < VHOST_USER_MAX_PAYLOAD)
			memcpy(payload + got, buf,
			       (size_t)n < VHOST_USER_MAX_PAYLOAD - got
				   ? (size_t)n
				   : VHOST_USER_MAX_PAYLOAD - got);
		got += (uint32_t)n;
	}
	c->rx.state = VHOST_MSG_RX_DONE;
	return 1;
}

/* The front-end closed the connection in rx_step; st and got: rx before the
 * step. Keeps in rx the message the front-end left in the middle of, if
 * any: rx_step reads each part to its end or returns -EAGAIN, so the step
 * that met the end of the stream read nothing, except a header completed
 * right before it (then the payload was cut at its first byte). */
static void conn_rx_cut(struct conn *c, enum vhost_msg_rx_state st, uint32_t got)
{
	bool in_payload = st == VHOST_MSG_RX_PAYLOAD || (got == 0 && c->rx.msg.hdr.size);

	if (!in_payload && !got)
		return;
	c->rx.state = in_payload ? VHOST_MSG_RX_PAYLOAD : VHOST_MSG_RX_HDR;
	c->rx.got = in_payload && st != VHOST_MSG_RX_PAYLOAD ? 0 : got;
	c->rx.msg.nfds = 0; /* closed by rx_step */
	c->rx_cut = true;
}

/* The main loop: accept, proxy messages, run the rings in between. */
void proxy_serve(int lfd, uint16_t queues, volatile sig_atomic_t *stop)
{
	struct conn c = {.fe = -1, .lib = -1};

	while (!*stop) {
		struct pollfd p = {.fd = c.fe >= 0 ? c.fe : lfd, .events = POLLIN};
		unsigned busy = disk_poll();
		int ret = poll(&p, 1, busy ? 0 : 1);

		if (c.fe >= 0)
			c.state.served += busy;
		if (ret <= 0)
			continue;
		if (c.fe < 0) {
			int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

			if (fd >= 0 && conn_open(&c, fd, queues))
				close(fd);
			continue;
		}
		/* Whole messages only; a partial one waits for its next bytes. */
		for (;;) {
			enum vhost_msg_rx_state st = c.rx.state;
			uint32_t got = c.rx.got;

			ret = vhost_msg_rx_step(&c.rx, c.fe);
			if (ret == -EAGAIN)
				break;
			if (ret == -EMSGSIZE &&
			    (BROKEN(IGNORES_PAYLOAD_TAIL) || BROKEN(CONFIG_CLAMPED)))
				ret = conn_rx_oversized(&c);
			if (ret == 1) {
				ret = conn_handle(&c, &c.rx.msg);
				c.rx.msg.nfds = 0;
				vhost_msg_rx_reset(&c.rx);
				if (ret == 0)
					continue;
			}
			if (ret == -ECONNRESET)
				conn_rx_cut(&c, st, got);
			conn_close(&c);
			break;
		}
	}
	conn_close(&c);
}
