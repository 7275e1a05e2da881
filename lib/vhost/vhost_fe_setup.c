/* SPDX-License-Identifier: MIT */
/*
 * The front-end's set-up of a vhost-user device (vhost_fe_setup.h): one
 * sequence of messages, each placed where vhost-user.rst or virtio 1.2
 * §3.1.1 ("Driver Requirements: Device Initialization") wants it.
 */
#define LOG_COMPONENT "vhost"

#include "vhost/vhost_fe_setup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/common.h"
#include "util/log.h"
#include "vhost/vhost_msg.h"

#define BIT(b) (1ULL << (b))

/* Logs which message of the set-up failed; returns ret. */
static int setup_failed(uint32_t request, int ret)
{
	log_info("set-up: %s: %s", vhost_msg_request_name(request), strerror(-ret));
	return ret;
}

static void setup_note(const struct vhost_fe_setup_opts *o, const struct vhost_fe_setup_state *st)
{
	char line[160];

	if (!o->note)
		return;
	snprintf(line, sizeof(line),
		 "features offered 0x%llx, acknowledged 0x%llx; protocol 0x%llx / 0x%llx",
		 (unsigned long long)st->features_offered, (unsigned long long)st->features,
		 (unsigned long long)st->protocol_features_offered,
		 (unsigned long long)st->protocol_features);
	o->note(o->arg, line);
}

/* SET_OWNER up to SET_FEATURES. */
static int setup_negotiate(struct vhost_fe *fe, const struct vhost_fe_setup_opts *o,
			   struct vhost_fe_setup_state *st)
{
	uint64_t missing;
	int ret;

	/* "VHOST_USER_SET_OWNER": "Issued when a new connection is
	 * established": before anything else. */
	ret = vhost_fe_set_owner(fe);
	if (ret)
		return setup_failed(VHOST_USER_SET_OWNER, ret);
	ret = vhost_fe_get_features(fe, &st->features_offered);
	if (ret)
		return setup_failed(VHOST_USER_GET_FEATURES, ret);
	missing = o->required_features & ~st->features_offered;
	if (missing) {
		log_err("set-up: the back-end does not offer features 0x%llx (offered 0x%llx)",
			(unsigned long long)missing, (unsigned long long)st->features_offered);
		return -ENOTSUP;
	}
	st->features = st->features_offered & o->features;
	/* "VHOST_USER_GET_PROTOCOL_FEATURES": "Only legal if feature bit
	 * VHOST_USER_F_PROTOCOL_FEATURES is present in VHOST_USER_GET_FEATURES";
	 * it need not wait for SET_FEATURES. */
	if (st->features & BIT(VHOST_USER_F_PROTOCOL_FEATURES)) {
		ret = vhost_fe_get_protocol_features(fe, &st->protocol_features_offered);
		if (ret)
			return setup_failed(VHOST_USER_GET_PROTOCOL_FEATURES, ret);
		st->protocol_features = st->protocol_features_offered & o->protocol_features;
		ret = vhost_fe_set_protocol_features(fe, st->protocol_features);
		if (ret)
			return setup_failed(VHOST_USER_SET_PROTOCOL_FEATURES, ret);
	}
	/* "VHOST_USER_GET_QUEUE_NUM": "should be sent only when
	 * VHOST_USER_PROTOCOL_F_MQ is set". Without it, the one queue. */
	st->queue_num = 1;
	if (st->protocol_features & BIT(VHOST_USER_PROTOCOL_F_MQ)) {
		ret = vhost_fe_get_queue_num(fe, &st->queue_num);
		if (ret)
			return setup_failed(VHOST_USER_GET_QUEUE_NUM, ret);
	}
	setup_note(o, st);
	/* virtio 1.2 §3.1.1: the features are settled before the driver sets
	 * up virtqueues or reads configuration it depends on. */
	ret = vhost_fe_set_features(fe, st->features);
	return ret ? setup_failed(VHOST_USER_SET_FEATURES, ret) : 0;
}

/* One ring: size, addresses, base, call; then, unless no_start, the kick. */
static int setup_ring(struct vhost_fe *fe, uint32_t index, const struct vhost_fe_setup_ring *r,
		      bool start)
{
	/* "A vring address description": without VIRTIO_F_IOMMU_PLATFORM the
	 * addresses are user addresses, i.e. our own mapping of the regions. */
	struct vhost_user_vring_addr addr = {
	    .index = index,
	    .desc_user_addr = (uintptr_t)r->vq->desc,
	    .avail_user_addr = (uintptr_t)r->vq->avail,
	    .used_user_addr = (uintptr_t)r->vq->used,
	};
	int ret;

	ret = vhost_fe_set_vring_num(fe, index, r->vq->num);
	if (ret)
		return setup_failed(VHOST_USER_SET_VRING_NUM, ret);
	ret = vhost_fe_set_vring_addr(fe, &addr);
	if (ret)
		return setup_failed(VHOST_USER_SET_VRING_ADDR, ret);
	ret = vhost_fe_set_vring_base(fe, index, r->base);
	if (ret)
		return setup_failed(VHOST_USER_SET_VRING_BASE, ret);
	ret = vhost_fe_set_vring_call(fe, index, r->call_fd);
	if (ret)
		return setup_failed(VHOST_USER_SET_VRING_CALL, ret);
	/* "Ring states": "The back-end must start a ring upon receiving a kick
	 * ... on the descriptor specified by VHOST_USER_SET_VRING_KICK". The
	 * kick fd goes last, so a started ring has everything it needs,
	 * the call fd for its first completion included. */
	if (!start)
		return 0;
	ret = vhost_fe_set_vring_kick(fe, index, r->kick_fd);
	return ret ? setup_failed(VHOST_USER_SET_VRING_KICK, ret) : 0;
}

/* "Inflight I/O tracking": a new buffer if the caller has none, then the
 * buffer to the back-end, before any ring runs (a restarted back-end reads
 * from it what to run again when its rings start). */
static int setup_inflight(struct vhost_fe *fe, const struct vhost_fe_setup_opts *o,
			  const struct vhost_fe_setup_state *st)
{
	struct vhost_fe_inflight *in = o->inflight;
	uint16_t num = 0;
	int ret;

	if (!in || !o->nrings ||
	    !(st->protocol_features & BIT(VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD)))
		return 0;
	/* One queue_size for every region: the largest ring's (virtio-scsi's
	 * controlq and eventq may be smaller than its request queues), or a
	 * head of a larger ring would be tracked past its region. */
	for (uint16_t i = 0; i < o->nrings; i++)
		num = MAX(num, o->rings[i].vq->num);
	if (in->fd < 0) {
		ret = vhost_fe_get_inflight_fd(fe, o->nrings, num, &in->desc, &in->fd);
		if (ret)
			return setup_failed(VHOST_USER_GET_INFLIGHT_FD, ret);
	}
	ret = vhost_fe_set_inflight_fd(fe, &in->desc, in->fd);
	return ret ? setup_failed(VHOST_USER_SET_INFLIGHT_FD, ret) : 0;
}

int vhost_fe_setup(struct vhost_fe *fe, const struct vhost_fe_setup_opts *o,
		   struct vhost_fe_setup_state *st)
{
	int ret;

	memset(st, 0, sizeof(*st));
	ret = setup_negotiate(fe, o, st);
	if (ret)
		return ret;
	/* SET_MEM_TABLE "Sets the memory map regions on the back-end so it can
	 * translate the vring addresses": before SET_VRING_ADDR. */
	ret = vhost_fe_set_mem_table(fe, o->regions, o->nregions);
	if (ret)
		return setup_failed(VHOST_USER_SET_MEM_TABLE, ret);
	/* virtio 1.2 §3.1.1 step 7: device-specific set-up, "reading and
	 * possibly writing the device's virtio configuration space", follows
	 * FEATURES_OK; the config also says how many queues there are. */
	if (o->get_config && (st->protocol_features & BIT(VHOST_USER_PROTOCOL_F_CONFIG))) {
		ret = o->get_config(fe, o->config, &st->config_len);
		if (ret)
			return setup_failed(VHOST_USER_GET_CONFIG, ret);
	}
	ret = o->prepare ? o->prepare(o->arg, st) : 0;
	if (!ret)
		ret = setup_inflight(fe, o, st);
	for (uint16_t i = 0; !ret && i < o->nrings; i++)
		ret = setup_ring(fe, i, &o->rings[i], !o->no_start);
	/* "Ring states": with VHOST_USER_F_PROTOCOL_FEATURES a ring starts
	 * disabled and waits for SET_VRING_ENABLE; without it, SET_FEATURES
	 * enabled every ring already. */
	if (o->no_start || !(st->features & BIT(VHOST_USER_F_PROTOCOL_FEATURES)))
		return ret;
	for (uint16_t i = 0; !ret && i < o->nrings; i++) {
		ret = vhost_fe_set_vring_enable(fe, i, true);
		if (ret)
			setup_failed(VHOST_USER_SET_VRING_ENABLE, ret);
	}
	return ret;
}
