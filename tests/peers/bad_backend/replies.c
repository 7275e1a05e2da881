/* SPDX-License-Identifier: MIT */
/*
 * bad_backend's protocol switches on the reply side: what the proxy
 * (bad_backend.c) does to each reply lib/vhost gives, by the connection's
 * state (proxy.h) and the switches (switches_vhost.c): leave an ack out,
 * change a value, drop a reply.
 */
#define LOG_COMPONENT "bad_backend"

#include <stdbool.h>
#include <stdint.h>

#include "bad_backend.h"
#include "proxy.h"
#include "spec/vhost_user.h"
#include "spec/virtio.h"
#include "spec/virtio_blk.h"

/* Requests whose answer is a reply of their own, never a bare ack. */
bool proxy_has_own_reply(uint32_t request)
{
	switch (request) {
	case VHOST_USER_GET_FEATURES:
	case VHOST_USER_GET_PROTOCOL_FEATURES:
	case VHOST_USER_GET_QUEUE_NUM:
	case VHOST_USER_GET_VRING_BASE:
	case VHOST_USER_GET_CONFIG:
	case VHOST_USER_GET_MAX_MEM_SLOTS:
	case VHOST_USER_GET_INFLIGHT_FD:
	case VHOST_USER_SET_LOG_BASE:
	case VHOST_USER_GET_STATUS:
		return true;
	default:
		return false;
	}
}

bool proxy_needs_reply(const struct vhost_msg *m)
{
	return m->hdr.flags & VHOST_USER_NEED_REPLY_MASK;
}

/* lib/vhost's reply M to REQ is a bare ack (REPLY_ACK) of 0: success. */
static bool is_ack_ok(const struct vhost_msg *req, const struct vhost_msg *m)
{
	return !proxy_has_own_reply(req->hdr.request) && proxy_needs_reply(req) &&
	       m->hdr.size == sizeof(uint64_t) && m->payload.u64 == 0;
}

/* Ring set-up before any memory table, which a back-end could keep for when
 * the memory comes (no-ack-ring-before-mem leaves its ack out). A kick, call
 * or err marked "no fd" leaves nothing to keep. */
static bool ring_setup_before_mem(const struct conn_state *s, const struct vhost_msg *req)
{
	switch (req->hdr.request) {
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR:
		return !s->has_mem && !(req->payload.u64 & VHOST_USER_VRING_NOFD_MASK);
	case VHOST_USER_SET_VRING_NUM:
	case VHOST_USER_SET_VRING_BASE:
	case VHOST_USER_SET_VRING_ENABLE:
		return !s->has_mem;
	default:
		return false;
	}
}

/* The switches that leave out one success ack (vhost-user.rst REPLY_ACK: the
 * back-end MUST answer need_reply), each only in the state its target cases
 * create, so that the set-up of the other cases still gets its acks. */
static bool ack_left_out(const struct conn_state *s, const struct vhost_msg *req)
{
	switch (req->hdr.request) {
	case VHOST_USER_SET_OWNER:
		return BROKEN(NO_ACK_OWNER_AGAIN) && s->owners > 1;
	case VHOST_USER_SET_FEATURES:
		return BROKEN(NO_ACK_FEATURES_AGAIN) && s->features_sets > 1;
	case VHOST_USER_ADD_MEM_REG:
		return BROKEN(NO_ACK_ADD_MEM_REG);
	case VHOST_USER_REM_MEM_REG:
		return BROKEN(NO_ACK_REM_LAST_REGION) && s->regions == 0;
	case VHOST_USER_SET_STATUS:
		return BROKEN(NO_ACK_SET_STATUS);
	case VHOST_USER_RESET_DEVICE:
		return BROKEN(NO_ACK_RESET_DEVICE);
	case VHOST_USER_SET_MEM_TABLE:
		return BROKEN(NO_ACK_TWO_REGIONS) && req->hdr.size >= sizeof(uint32_t) &&
		       req->payload.memory.nregions == 2;
	case VHOST_USER_SET_VRING_ADDR:
		if (BROKEN(NO_ACK_RING_ADDR_UNALIGNED) &&
		    req->hdr.size >= sizeof(struct vhost_user_vring_addr) &&
		    (req->payload.addr.desc_user_addr & 4095))
			return true;
		return BROKEN(NO_ACK_RING_BEFORE_MEM) && ring_setup_before_mem(s, req);
	default:
		return BROKEN(NO_ACK_RING_BEFORE_MEM) && ring_setup_before_mem(s, req);
	}
}

/* What lib/vhost's reply M to REQ tells of the connection's state. */
void proxy_note_reply(struct conn_state *s, const struct vhost_msg *req, const struct vhost_msg *m)
{
	uint32_t i = m->payload.state.index;

	/* vhost-user.rst Ring states: GET_VRING_BASE stops the ring. */
	if (m->hdr.request == VHOST_USER_GET_VRING_BASE &&
	    m->hdr.size == sizeof(struct vhost_user_vring_state) && i < NRINGS) {
		s->stopped[i] = true;
		s->kicked[i] = false;
		s->any_stopped = true;
	}
	if (!is_ack_ok(req, m))
		return;
	if (m->hdr.request == VHOST_USER_ADD_MEM_REG)
		s->regions++;
	else if (m->hdr.request == VHOST_USER_REM_MEM_REG && s->regions)
		s->regions--;
}

/* Breaks lib/vhost's GET_VRING_BASE reply M as the switches say. */
static void vring_base_break(const struct conn_state *s, struct vhost_msg *m)
{
	uint32_t i = m->payload.state.index;

	if (m->hdr.size != sizeof(struct vhost_user_vring_state) || i >= NRINGS)
		return;
	/* wrong-vring-base: only once the ring has moved, so that a ring never
	 * kicked still answers its SET_VRING_BASE value. */
	if (BROKEN(WRONG_VRING_BASE) && m->payload.state.num != s->vring_base[i])
		m->payload.state.num++;
	/* vring-base-zero-unset: 0 taken as "no base yet" by a back-end whose
	 * index is the last one consumed. */
	if (BROKEN(VRING_BASE_ZERO_UNSET) && s->ever_kicked[i] && s->vring_base[i] == 0 &&
	    m->payload.state.num == 0)
		m->payload.state.num = 0xffff;
	/* unstarted-base-zero: the index of a ring that never ran. */
	if (BROKEN(UNSTARTED_BASE_ZERO) && !s->ever_kicked[i])
		m->payload.state.num = 0;
	/* reset-keeps-base: RESET_DEVICE leaves a ring's base as it was. */
	if (BROKEN(RESET_KEEPS_BASE) && s->reset_since_base[i])
		m->payload.state.num = s->vring_base[i];
}

/* Breaks one of lib/vhost's replies to REQ as the switches say; false: drop it. */
bool proxy_reply_break(const struct conn_state *s, const struct vhost_msg *req, struct vhost_msg *m)
{
	uint32_t r = m->hdr.request;
	bool u64 = m->hdr.size == sizeof(uint64_t);

	if (is_ack_ok(req, m) && ack_left_out(s, req))
		return false;
	/* drop-reply-ack: one request that no case's set-up asks an ack for. */
	if (BROKEN(DROP_REPLY_ACK) && r == VHOST_USER_SET_PROTOCOL_FEATURES &&
	    proxy_needs_reply(req))
		return false;
	if (r == VHOST_USER_GET_VRING_BASE)
		vring_base_break(s, m);
	/* features-reply-unflagged: the flag forgotten on a path QEMU never
	 * takes (it negotiates REPLY_ACK and asks for the features first). */
	if (BROKEN(FEATURES_REPLY_UNFLAGGED) && r == VHOST_USER_GET_FEATURES && s->features_sets &&
	    !(s->pf & VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK)))
		m->hdr.flags &= ~(uint32_t)VHOST_USER_REPLY_MASK;
	if (BROKEN(PF_ANSWERS_NEGOTIATED) && r == VHOST_USER_GET_PROTOCOL_FEATURES && s->pf_set &&
	    u64)
		m->payload.u64 = s->pf;
	/* queue-num-zero: the queues past the first, as if only VIRTIO_BLK_F_MQ
	 * added queues. QEMU asks before SET_FEATURES and gets it right. */
	if (BROKEN(QUEUE_NUM_ZERO) && r == VHOST_USER_GET_QUEUE_NUM && s->features_sets &&
	    !(s->features & VIRTIO_BIT(VIRTIO_BLK_F_MQ)) && u64)
		m->payload.u64 = 0;
	if (BROKEN(QUEUE_NUM_PLUS_ONE) && r == VHOST_USER_GET_QUEUE_NUM && u64)
		m->payload.u64++;
	if (BROKEN(MAX_MEM_SLOTS_ZERO) && r == VHOST_USER_GET_MAX_MEM_SLOTS && u64)
		m->payload.u64 = 0;
	/* status-reply-u8: the status is 8 bits wide (virtio 1.2 §2.1); the
	 * message still carries a u64. Little-endian: the first byte. */
	if (BROKEN(STATUS_REPLY_U8) && r == VHOST_USER_GET_STATUS && u64)
		m->hdr.size = 1;
	/* nack-as-ack: a bare ack always says success. */
	if (BROKEN(NACK_AS_ACK) && !proxy_has_own_reply(req->hdr.request) &&
	    proxy_needs_reply(req) && u64)
		m->payload.u64 = 0;
	/* config-size-wrong: a non-empty answer always carries the whole struct. */
	if (BROKEN(CONFIG_SIZE_WRONG) && r == VHOST_USER_GET_CONFIG &&
	    m->hdr.size > VHOST_USER_CONFIG_HDR_SIZE) {
		m->payload.config.size = sizeof(struct virtio_blk_config);
		disk_get_config(NULL, m->payload.config.region, m->payload.config.offset,
				m->payload.config.size);
		m->hdr.size = VHOST_USER_CONFIG_HDR_SIZE + m->payload.config.size;
	}
	return true;
}
