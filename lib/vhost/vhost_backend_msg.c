/* SPDX-License-Identifier: MIT */
/*
 * The back-end's message dispatcher: one table entry per request type says
 * which fds and payload size the request may carry, which protocol feature
 * it needs, which rings must be stopped before its handler runs, and how it
 * is answered. Those checks run here, once, before any handler (as DPDK's
 * vhost_user.c does), so handlers trust their input's shape. Device-level
 * handlers (features, owner, config, status) live here too; ring and memory
 * handlers have their own files.
 *
 * A request goes: checks (the table's, then its own, touching nothing a
 * ring uses: a refused request leaves running rings alone) -> the rings it
 * needs stopped are asked to stop -> once the device answered, its handler
 * -> rings started or stopped to match (vhost_rings_converge) -> once any
 * stop or fd swap that caused was answered, its reply. While it waits the
 * connection is not read (requests are handled in order), and the control
 * thread serves everything else.
 */
#define LOG_COMPONENT "vhost"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "util/common.h"
#include "util/log.h"
#include "vhost/vhost_backend_internal.h"

/* Bounds the wait for room in the socket when replying: a front-end that
 * stops reading its replies is dropped instead of stalling the control thread. */
#define REPLY_TIMEOUT_MS 1000

#define PF(bit) (1ULL << VHOST_USER_PROTOCOL_F_##bit)

/* The protocol features this back-end implements; offered = these & opts. */
#define IMPLEMENTED_PROTOCOL_FEATURES                                                              \
	(PF(MQ) | PF(LOG_SHMFD) | PF(REPLY_ACK) | PF(CONFIG) | PF(CONFIGURE_MEM_SLOTS) |           \
	 PF(RESET_DEVICE) | PF(STATUS) | PF(INFLIGHT_SHMFD))

/* What only a device that logs its writes gets offered ("Migration"). */
#define LOG_FEATURES (1ULL << VHOST_F_LOG_ALL)
#define LOG_PROTOCOL_FEATURES PF(LOG_SHMFD)

/* How a request is answered. */
enum vhost_answer {
	/* No reply of its own: a u64 ack only when REPLY_ACK is negotiated and
	 * the front-end set NEED_REPLY ("VHOST_USER_PROTOCOL_F_REPLY_ACK"). */
	ANSWER_ACK,
	/* The handler sends the reply body. If the request fails before that,
	 * the reply has an empty payload: the spec's failure answer for
	 * GET_CONFIG, and a size every front-end rejects for the others. */
	ANSWER_OWN,
	/* The spec mandates a u64 reply: 0 success, non-zero failure. */
	ANSWER_U64,
	/* "Communication": SET_LOG_BASE's reply is mandatory once
	 * VHOST_USER_PROTOCOL_F_LOG_SHMFD is negotiated, and its payload is
	 * N/A: a header with size 0, refused or not (QEMU reads it and checks
	 * only its request; DPDK answers so). Without LOG_SHMFD: ANSWER_ACK. */
	ANSWER_LOG_BASE,
	/* GET_INFLIGHT_FD: ANSWER_OWN once VHOST_USER_PROTOCOL_F_INFLIGHT_SHMFD
	 * is negotiated; without it the request is not supported: ANSWER_ACK. */
	ANSWER_INFLIGHT,
};

/* Which rings must be stopped (their in-flight requests completed) before
 * the handler runs: those whose state it changes under a running ring. */
enum vhost_quiesce {
	QUIESCE_NONE,
	QUIESCE_RING,	 /* the request's ring */
	QUIESCE_RING_FD, /* the request's ring, if the device cannot swap fds */
	QUIESCE_ALL,	 /* every ring: memory table, features, reset */
};

/* Where a request carries its vring index. */
enum vhost_vring_arg {
	VRING_ARG_NONE,
	VRING_ARG_STATE, /* struct vhost_user_vring_state .index */
	VRING_ARG_ADDR,	 /* struct vhost_user_vring_addr .index */
	VRING_ARG_U64,	 /* u64 bits 0-7 (SET_VRING_KICK/CALL/ERR) */
};

struct vhost_msg_handler {
	/* Before any ring stops; may be NULL. */
	int (*check)(struct vhost_dev *dev, struct vhost_msg *msg);
	int (*handle)(struct vhost_dev *dev, struct vhost_msg *msg);
	enum vhost_quiesce quiesce;
	/* "Ring states": changing this under a running ring is a finding. */
	bool finding_if_running;
	uint8_t min_fds;
	uint8_t max_fds;
	uint16_t size;	  /* payload bytes */
	bool size_is_min; /* size is a minimum, not the exact size */
	enum vhost_answer answer;
	enum vhost_vring_arg vring;
	uint64_t pfeatures; /* protocol features that must be negotiated first */
};

uint64_t vhost_dev_offered_features(const struct vhost_dev *dev)
{
	return dev->opts.ops->get_features(dev->opts.ctx) |
	       (1ULL << VHOST_USER_F_PROTOCOL_FEATURES) |
	       (dev->opts.ops->logs_writes ? LOG_FEATURES : 0);
}

static uint64_t offered_protocol_features(const struct vhost_dev *dev)
{
	uint64_t mask = IMPLEMENTED_PROTOCOL_FEATURES;

	if (!dev->opts.ops->logs_writes)
		mask &= ~LOG_PROTOCOL_FEATURES;
	/* "Inflight I/O tracking" is the device's to do on its data path. */
	if (!dev->opts.ops->tracks_inflight)
		mask &= ~PF(INFLIGHT_SHMFD);
	return dev->opts.protocol_features & mask;
}

void vhost_dev_reply(struct vhost_dev *dev, uint32_t request, const void *payload, uint32_t size)
{
	vhost_dev_reply_fds(dev, request, payload, size, NULL, 0);
}

void vhost_dev_reply_fds(struct vhost_dev *dev, uint32_t request, const void *payload,
			 uint32_t size, const int *fds, unsigned nfds)
{
	struct vhost_user_hdr hdr = {
	    .request = request,
	    .flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK,
	    .size = size,
	};
	int ret;

	if (dev->conn_broken)
		return;
	ret = vhost_msg_send(dev->conn_fd, &hdr, payload, fds, nfds, REPLY_TIMEOUT_MS);
	if (ret < 0) {
		vhost_warn(dev, "cannot reply to %s: %s", vhost_msg_request_name(request), strerror(-ret));
		dev->conn_broken = true;
		return;
	}
	vhost_tap_whole(&dev->opts.tap, VHOST_TAP_BACKEND, VHOST_TAP_SENT, &hdr, payload, size, fds,
			nfds);
}

static void reply_u64(struct vhost_dev *dev, const struct vhost_msg *msg, uint64_t value)
{
	vhost_dev_reply(dev, msg->hdr.request, &value, sizeof(value));
}

/* ------------------------------------------------------------------ */
/* Device-level handlers                                               */
/* ------------------------------------------------------------------ */

static int h_get_features(struct vhost_dev *dev, struct vhost_msg *msg)
{
	reply_u64(dev, msg, vhost_dev_offered_features(dev));
	return 0;
}

static int check_set_features(struct vhost_dev *dev, struct vhost_msg *msg)
{
	uint64_t extra = msg->payload.u64 & ~vhost_dev_offered_features(dev);

	if (extra) {
		vhost_warn(dev, "vhost-user.rst \"VHOST_USER_SET_FEATURES\": bits 0x%" PRIx64
			 " were not offered by VHOST_USER_GET_FEATURES",
			 extra);
		return -EINVAL;
	}
	return 0;
}

/* Rings run with the negotiated features (EVENT_IDX...): the table has them
 * stopped first, and they restart after. */
static int h_set_features(struct vhost_dev *dev, struct vhost_msg *msg)
{
	uint64_t features = msg->payload.u64;
	int ret;

	/* The library's bits are not the device's: logging is lib/vhost's
	 * business (the rings get their log when they start again). */
	ret = dev->opts.ops->set_features(dev->opts.ctx,
					  features & ~((1ULL << VHOST_USER_F_PROTOCOL_FEATURES) |
						       LOG_FEATURES));
	if (ret == 0)
		dev->features = features;
	else
		vhost_warn(dev, "device refused features 0x%" PRIx64 ": %s", features, strerror(-ret));
	return ret;
}

static int h_get_protocol_features(struct vhost_dev *dev, struct vhost_msg *msg)
{
	reply_u64(dev, msg, offered_protocol_features(dev));
	return 0;
}

static int h_set_protocol_features(struct vhost_dev *dev, struct vhost_msg *msg)
{
	uint64_t extra = msg->payload.u64 & ~offered_protocol_features(dev);

	if (extra) {
		vhost_warn(dev, "vhost-user.rst \"Protocol features\": bits 0x%" PRIx64
			 " were not offered by VHOST_USER_GET_PROTOCOL_FEATURES",
			 extra);
		return -EINVAL;
	}
	dev->protocol_features = msg->payload.u64;
	return 0;
}

static int h_set_owner(struct vhost_dev *dev, struct vhost_msg *msg)
{
	(void)msg;
	if (dev->owner)
		vhost_finding(dev, "vhost-user.rst \"VHOST_USER_SET_OWNER\": sent twice on one "
				   "connection");
	dev->owner = true;
	return 0;
}

/* Back to the state after SET_OWNER: rings (stopped by then) forgotten,
 * features to be negotiated again. Protocol features and memory stay: they
 * belong to the connection, and QEMU sends neither again before restarting.
 * The dirty log goes: a front-end that migrates sets it again. So does the
 * in-flight buffer: "QEMU should retrieve a new one when vm reset"
 * ("VHOST_USER_GET_INFLIGHT_FD"). */
static void reset_device_state(struct vhost_dev *dev)
{
	vhost_rings_forget(dev);
	vhost_log_drop(dev);
	vhost_inflight_drop(dev);
	dev->features = 0;
	dev->status = 0;
}

static int h_reset_owner(struct vhost_dev *dev, struct vhost_msg *msg)
{
	(void)msg;
	/* vhost-user.rst "VHOST_USER_RESET_OWNER": deprecated; back-ends ignore
	 * it or disable all rings. We stop them and forget their state. */
	log_info("VHOST_USER_RESET_OWNER (deprecated): stopping all rings");
	reset_device_state(dev);
	dev->owner = false;
	return 0;
}

static int h_reset_device(struct vhost_dev *dev, struct vhost_msg *msg)
{
	(void)msg;
	/* vhost-user.rst "VHOST_USER_RESET_DEVICE": disable all rings, reset
	 * device state; the front-end keeps ownership. */
	reset_device_state(dev);
	return 0;
}

static int h_get_queue_num(struct vhost_dev *dev, struct vhost_msg *msg)
{
	reply_u64(dev, msg, dev->opts.max_queues);
	return 0;
}

/* "Virtio device config space": the request's size field must match its
 * payload and stay inside the 256 bytes a config space may have. */
static int config_check(struct vhost_dev *dev, const struct vhost_msg *msg)
{
	const struct vhost_user_config *cfg = &msg->payload.config;

	if (cfg->size > VHOST_USER_MAX_CONFIG_SIZE ||
	    cfg->offset > VHOST_USER_MAX_CONFIG_SIZE - cfg->size) {
		vhost_warn(dev, "vhost-user.rst \"Virtio device config space\": offset %u size %u past "
			 "%u bytes",
			 cfg->offset, cfg->size, VHOST_USER_MAX_CONFIG_SIZE);
		return -EINVAL;
	}
	if (msg->hdr.size != VHOST_USER_CONFIG_HDR_SIZE + cfg->size) {
		vhost_warn(dev, "vhost-user.rst \"%s\": payload size %u does not match config size %u",
			 vhost_msg_request_name(msg->hdr.request), msg->hdr.size, cfg->size);
		return -EINVAL;
	}
	return 0;
}

static int h_get_config(struct vhost_dev *dev, struct vhost_msg *msg)
{
	struct vhost_user_config *cfg = &msg->payload.config;
	int ret = config_check(dev, msg);

	if (ret)
		return ret;
	memset(cfg->region, 0, sizeof(cfg->region));
	ret = dev->opts.ops->get_config(dev->opts.ctx, cfg->region, cfg->offset, cfg->size);
	if (ret) {
		vhost_warn(dev, "device could not read config offset %u size %u: %s", cfg->offset,
			 cfg->size, strerror(-ret));
		return ret;
	}
	/* vhost-user.rst "VHOST_USER_GET_CONFIG": the reply's payload size MUST
	 * match the front-end's request. */
	vhost_dev_reply(dev, msg->hdr.request, cfg, msg->hdr.size);
	return 0;
}

static int h_set_config(struct vhost_dev *dev, struct vhost_msg *msg)
{
	const struct vhost_user_config *cfg = &msg->payload.config;
	int ret = config_check(dev, msg);

	if (ret)
		return ret;
	if (cfg->flags != VHOST_USER_CONFIG_FLAG_WRITABLE &&
	    cfg->flags != VHOST_USER_CONFIG_FLAG_MIGRATION) {
		vhost_warn(dev, "vhost-user.rst \"Virtio device config space\": unknown flags 0x%x",
			 cfg->flags);
		return -EINVAL;
	}
	if (!dev->opts.ops->set_config) {
		vhost_warn(dev, "vhost-user.rst \"VHOST_USER_SET_CONFIG\": refused, the device's config "
			 "space is read-only");
		return -EPERM;
	}
	return dev->opts.ops->set_config(dev->opts.ctx, cfg->region, cfg->offset, cfg->size,
					 cfg->flags);
}

/* SET_STATUS is recorded only. Acting on status 0 as a reset would lose the
 * ring positions: QEMU clears the status before GET_VRING_BASE when it stops. */
static int h_set_status(struct vhost_dev *dev, struct vhost_msg *msg)
{
	if (msg->payload.u64 > UINT8_MAX) {
		vhost_warn(dev, "virtio 1.2 §2.1: device status 0x%" PRIx64 " is wider than 8 bits",
			 msg->payload.u64);
		return -EINVAL;
	}
	dev->status = (uint8_t)msg->payload.u64;
	return 0;
}

static int h_get_status(struct vhost_dev *dev, struct vhost_msg *msg)
{
	reply_u64(dev, msg, dev->status);
	return 0;
}

static int h_not_supported(struct vhost_dev *dev, struct vhost_msg *msg)
{
	(void)dev;
	log_notice("vhost-user.rst \"Front-end message types\": %s not supported",
		   vhost_msg_request_name(msg->hdr.request));
	return -ENOTSUP;
}

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

#define U64   sizeof(uint64_t)
#define STATE sizeof(struct vhost_user_vring_state)

/* clang-format off */

/* Requests we do not implement: any payload, any fds (closed). */
#define NOT_SUPPORTED(ans)                                                          \
	{                                                                           \
		.handle = h_not_supported, .max_fds = VHOST_USER_MAX_FDS, .size = 0, \
		.size_is_min = true, .answer = (ans)                                \
	}

static const struct vhost_msg_handler g_handlers[VHOST_USER_REQUEST_MAX] = {
	[VHOST_USER_GET_FEATURES] = {.handle = h_get_features, .answer = ANSWER_OWN},
	[VHOST_USER_SET_FEATURES] = {.check = check_set_features, .handle = h_set_features,
				     .quiesce = QUIESCE_ALL, .size = U64},
	[VHOST_USER_SET_OWNER] = {.handle = h_set_owner},
	[VHOST_USER_RESET_OWNER] = {.handle = h_reset_owner, .quiesce = QUIESCE_ALL},
	[VHOST_USER_SET_MEM_TABLE] = {.check = vhost_check_set_mem_table,
				      .handle = vhost_h_set_mem_table, .quiesce = QUIESCE_ALL,
				      .max_fds = VHOST_USER_MEM_BASELINE_NREGIONS,
				      .size = 8, .size_is_min = true},
	/* Any payload and fds: without LOG_SHMFD it is refused as unsupported,
	 * whatever it carries; its check does the rest. */
	[VHOST_USER_SET_LOG_BASE] = {.check = vhost_check_set_log_base,
				     .handle = vhost_h_set_log_base, .quiesce = QUIESCE_ALL,
				     .max_fds = VHOST_USER_MAX_FDS, .size = 0, .size_is_min = true,
				     .answer = ANSWER_LOG_BASE},
	[VHOST_USER_SET_LOG_FD] = NOT_SUPPORTED(ANSWER_ACK),
	[VHOST_USER_SET_VRING_NUM] = {.check = vhost_check_set_vring_num,
				      .handle = vhost_h_set_vring_num, .quiesce = QUIESCE_RING,
				      .finding_if_running = true, .size = STATE,
				      .vring = VRING_ARG_STATE},
	[VHOST_USER_SET_VRING_ADDR] = {.check = vhost_check_set_vring_addr,
				       .handle = vhost_h_set_vring_addr, .quiesce = QUIESCE_RING,
				       .finding_if_running = true,
				       .size = sizeof(struct vhost_user_vring_addr),
				       .vring = VRING_ARG_ADDR},
	[VHOST_USER_SET_VRING_BASE] = {.check = vhost_check_set_vring_base,
				       .handle = vhost_h_set_vring_base, .quiesce = QUIESCE_RING,
				       .finding_if_running = true, .size = STATE,
				       .vring = VRING_ARG_STATE},
	/* "Ring states": the reply comes once the ring stopped. */
	[VHOST_USER_GET_VRING_BASE] = {.handle = vhost_h_get_vring_base, .quiesce = QUIESCE_RING,
				       .size = STATE, .answer = ANSWER_OWN,
				       .vring = VRING_ARG_STATE},
	[VHOST_USER_SET_VRING_KICK] = {.check = vhost_check_ring_fd,
				       .handle = vhost_h_set_vring_kick, .quiesce = QUIESCE_RING_FD,
				       .finding_if_running = true, .max_fds = 1, .size = U64,
				       .vring = VRING_ARG_U64},
	[VHOST_USER_SET_VRING_CALL] = {.check = vhost_check_ring_fd,
				       .handle = vhost_h_set_vring_call, .quiesce = QUIESCE_RING_FD,
				       .max_fds = 1, .size = U64, .vring = VRING_ARG_U64},
	[VHOST_USER_SET_VRING_ERR] = {.check = vhost_check_ring_fd,
				      .handle = vhost_h_set_vring_err, .max_fds = 1, .size = U64,
				      .vring = VRING_ARG_U64},
	[VHOST_USER_GET_PROTOCOL_FEATURES] = {.handle = h_get_protocol_features,
					      .answer = ANSWER_OWN},
	[VHOST_USER_SET_PROTOCOL_FEATURES] = {.handle = h_set_protocol_features, .size = U64},
	[VHOST_USER_GET_QUEUE_NUM] = {.handle = h_get_queue_num, .answer = ANSWER_OWN,
				      .pfeatures = PF(MQ)},
	[VHOST_USER_SET_VRING_ENABLE] = {.check = vhost_check_set_vring_enable,
					 .handle = vhost_h_set_vring_enable, .size = STATE,
					 .vring = VRING_ARG_STATE},
	[VHOST_USER_SEND_RARP] = NOT_SUPPORTED(ANSWER_ACK),
	[VHOST_USER_NET_SET_MTU] = NOT_SUPPORTED(ANSWER_ACK),
	[VHOST_USER_SET_BACKEND_REQ_FD] = NOT_SUPPORTED(ANSWER_ACK),
	[VHOST_USER_IOTLB_MSG] = NOT_SUPPORTED(ANSWER_U64),
	[VHOST_USER_SET_VRING_ENDIAN] = NOT_SUPPORTED(ANSWER_ACK),
	[VHOST_USER_GET_CONFIG] = {.handle = h_get_config, .size = VHOST_USER_CONFIG_HDR_SIZE,
				   .size_is_min = true, .answer = ANSWER_OWN,
				   .pfeatures = PF(CONFIG)},
	[VHOST_USER_SET_CONFIG] = {.handle = h_set_config, .size = VHOST_USER_CONFIG_HDR_SIZE,
				   .size_is_min = true, .pfeatures = PF(CONFIG)},
	[VHOST_USER_CREATE_CRYPTO_SESSION] = NOT_SUPPORTED(ANSWER_ACK),
	[VHOST_USER_CLOSE_CRYPTO_SESSION] = NOT_SUPPORTED(ANSWER_ACK),
	[VHOST_USER_POSTCOPY_ADVISE] = NOT_SUPPORTED(ANSWER_ACK),
	[VHOST_USER_POSTCOPY_LISTEN] = NOT_SUPPORTED(ANSWER_ACK),
	[VHOST_USER_POSTCOPY_END] = NOT_SUPPORTED(ANSWER_U64),
	/* "Inflight I/O tracking". Any payload size: the handler and the
	 * check take the description with or without its tail padding, and
	 * refuse it unless INFLIGHT_SHMFD is negotiated. */
	[VHOST_USER_GET_INFLIGHT_FD] = {.handle = vhost_h_get_inflight_fd, .size = 0,
					.size_is_min = true, .answer = ANSWER_INFLIGHT},
	[VHOST_USER_SET_INFLIGHT_FD] = {.check = vhost_check_set_inflight_fd,
					.handle = vhost_h_set_inflight_fd, .quiesce = QUIESCE_ALL,
					.max_fds = VHOST_USER_MAX_FDS, .size = 0,
					.size_is_min = true},
	[VHOST_USER_GPU_SET_SOCKET] = NOT_SUPPORTED(ANSWER_ACK),
	[VHOST_USER_RESET_DEVICE] = {.handle = h_reset_device, .quiesce = QUIESCE_ALL,
				     .pfeatures = PF(RESET_DEVICE)},
	[VHOST_USER_VRING_KICK] = NOT_SUPPORTED(ANSWER_ACK),
	[VHOST_USER_GET_MAX_MEM_SLOTS] = {.handle = vhost_h_get_max_mem_slots,
					  .answer = ANSWER_OWN,
					  .pfeatures = PF(CONFIGURE_MEM_SLOTS)},
	[VHOST_USER_ADD_MEM_REG] = {.handle = vhost_h_add_mem_reg, .quiesce = QUIESCE_ALL,
				    .min_fds = 1, .max_fds = 1,
				    .size = sizeof(struct vhost_user_mem_reg),
				    .pfeatures = PF(CONFIGURE_MEM_SLOTS)},
	/* "VHOST_USER_REM_MEM_REG": the back-end MAY accept one fd and MUST
	 * close it unused (the dispatcher closes every fd a handler leaves). */
	[VHOST_USER_REM_MEM_REG] = {.handle = vhost_h_rem_mem_reg, .quiesce = QUIESCE_ALL,
				    .max_fds = 1,
				    .size = sizeof(struct vhost_user_mem_reg),
				    .pfeatures = PF(CONFIGURE_MEM_SLOTS)},
	[VHOST_USER_SET_STATUS] = {.handle = h_set_status, .size = U64, .pfeatures = PF(STATUS)},
	[VHOST_USER_GET_STATUS] = {.handle = h_get_status, .answer = ANSWER_OWN,
				   .pfeatures = PF(STATUS)},
	[VHOST_USER_GET_SHARED_OBJECT] = NOT_SUPPORTED(ANSWER_ACK),
	[VHOST_USER_SET_DEVICE_STATE_FD] = NOT_SUPPORTED(ANSWER_U64),
	[VHOST_USER_CHECK_DEVICE_STATE] = NOT_SUPPORTED(ANSWER_U64),
};
/* clang-format on */

/* ------------------------------------------------------------------ */
/* Checks and dispatch                                                 */
/* ------------------------------------------------------------------ */

/* vhost-user.rst "Header": a header we cannot trust ends the connection. */
static int check_header(struct vhost_dev *dev, const struct vhost_user_hdr *hdr)
{
	const uint32_t known =
	    VHOST_USER_VERSION_MASK | VHOST_USER_REPLY_MASK | VHOST_USER_NEED_REPLY_MASK;

	if ((hdr->flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION) {
		vhost_warn(dev, "vhost-user.rst \"Header\": %s has version %u, expected %u: closing",
			 vhost_msg_request_name(hdr->request), hdr->flags & VHOST_USER_VERSION_MASK,
			 VHOST_USER_VERSION);
		return -EPROTO;
	}
	if (hdr->flags & VHOST_USER_REPLY_MASK) {
		vhost_warn(dev, "vhost-user.rst \"Header\": %s from the front-end has the reply flag: "
			 "closing",
			 vhost_msg_request_name(hdr->request));
		return -EPROTO;
	}
	if (hdr->size > VHOST_USER_MAX_PAYLOAD) {
		vhost_warn(dev, "vhost-user.rst \"Header\": %s payload size %u exceeds %zu: closing",
			 vhost_msg_request_name(hdr->request), hdr->size, VHOST_USER_MAX_PAYLOAD);
		return -EMSGSIZE;
	}
	if (hdr->flags & ~known)
		vhost_finding(dev, "vhost-user.rst \"Header\": %s has undefined flag bits 0x%x",
			      vhost_msg_request_name(hdr->request), hdr->flags & ~known);
	return 0;
}

static uint32_t vring_index(const struct vhost_msg_handler *h, const struct vhost_msg *msg)
{
	switch (h->vring) {
	case VRING_ARG_STATE:
		return msg->payload.state.index;
	case VRING_ARG_ADDR:
		return msg->payload.addr.index;
	case VRING_ARG_U64:
		return (uint32_t)(msg->payload.u64 & VHOST_USER_VRING_IDX_MASK);
	case VRING_ARG_NONE:
	default:
		return 0;
	}
}

/* The checks of the handler table, run before the handler. */
static int check_msg(struct vhost_dev *dev, const struct vhost_msg_handler *h,
		     const struct vhost_msg *msg)
{
	const char *name = vhost_msg_request_name(msg->hdr.request);
	uint64_t missing = h->pfeatures & ~dev->protocol_features;
	uint32_t index;

	if (missing) {
		vhost_warn(dev, "vhost-user.rst \"%s\": only valid once protocol features 0x%" PRIx64
			 " are negotiated",
			 name, missing);
		return -ENOTSUP;
	}
	if (msg->nfds < h->min_fds || msg->nfds > h->max_fds) {
		vhost_warn(dev, "vhost-user.rst \"Communication\": %s carries %u fds, expected %u to %u",
			 name, msg->nfds, h->min_fds, h->max_fds);
		return -EINVAL;
	}
	if (msg->hdr.size < h->size || (!h->size_is_min && msg->hdr.size != h->size)) {
		vhost_warn(dev, "vhost-user.rst \"Front-end message types\": %s payload size %u, "
			 "expected %s%u",
			 name, msg->hdr.size, h->size_is_min ? "at least " : "", h->size);
		return -EINVAL;
	}
	index = vring_index(h, msg);
	if (h->vring != VRING_ARG_NONE && index >= dev->opts.max_queues) {
		vhost_warn(dev, "vhost-user.rst \"Multiple queue support\": %s vring index %u, the "
			 "back-end has %u queues",
			 name, index, dev->opts.max_queues);
		return -EINVAL;
	}
	return 0;
}

/* Answers the request as its table entry says; ret is the handler's result. */
static void answer(struct vhost_dev *dev, const struct vhost_msg *msg, enum vhost_answer kind,
		   int ret)
{
	bool need_reply = msg->hdr.flags & VHOST_USER_NEED_REPLY_MASK;
	/* A nack carries the errno, so a front-end can tell why. */
	uint64_t result = ret < 0 ? (uint64_t)-ret : 0;

	switch (kind) {
	case ANSWER_OWN:
		if (ret < 0)
			vhost_dev_reply(dev, msg->hdr.request, NULL, 0);
		return;
	case ANSWER_U64:
		reply_u64(dev, msg, result);
		return;
	case ANSWER_INFLIGHT:
		if (dev->protocol_features & PF(INFLIGHT_SHMFD)) {
			if (ret < 0)
				vhost_dev_reply(dev, msg->hdr.request, NULL, 0);
			return;
		}
		goto ack;
	case ANSWER_LOG_BASE:
		if (dev->protocol_features & PF(LOG_SHMFD)) {
			vhost_dev_reply(dev, msg->hdr.request, NULL, 0);
			return;
		}
		/* fall through */
	case ANSWER_ACK:
	ack:
		if (!need_reply)
			return;
		if (!(dev->protocol_features & PF(REPLY_ACK))) {
			vhost_finding(dev,
				      "vhost-user.rst \"VHOST_USER_PROTOCOL_F_REPLY_ACK\": %s "
				      "sets NEED_REPLY, REPLY_ACK not negotiated",
				      vhost_msg_request_name(msg->hdr.request));
			return;
		}
		reply_u64(dev, msg, result);
		return;
	}
}

/* The rings to stop before the handler runs, and those to start or stop
 * after it (vhost_rings_converge): the request's ring, or every ring. */
static uint64_t quiesce_mask(struct vhost_dev *dev, const struct vhost_msg_handler *h,
			     uint32_t index)
{
	uint64_t started = vhost_rings_started_mask(dev);
	uint64_t ring = 1ULL << index;

	if ((started & ring) && h->finding_if_running)
		vhost_finding(dev, "vhost-user.rst \"Ring states\": %s of vring %u while it runs",
			      vhost_msg_request_name(dev->cur.msg.hdr.request), index);
	switch (h->quiesce) {
	case QUIESCE_ALL:
		return started;
	case QUIESCE_RING_FD:
		return dev->opts.ops->ring_swap_fds ? 0 : started & ring;
	case QUIESCE_RING:
		return started & ring;
	case QUIESCE_NONE:
	default:
		return 0;
	}
}

static uint64_t converge_mask(const struct vhost_msg_handler *h, uint32_t index)
{
	if (h->quiesce == QUIESCE_ALL)
		return UINT64_MAX;
	return h->vring != VRING_ARG_NONE ? 1ULL << index : 0;
}

bool vhost_dev_busy(const struct vhost_dev *dev)
{
	return dev->cur.state != VHOST_CUR_NONE;
}

void vhost_msg_drop(struct vhost_dev *dev)
{
	if (dev->cur.state == VHOST_CUR_NONE)
		return;
	vhost_msg_close_fds(&dev->cur.msg);
	vhost_mem_unstage(dev);
	vhost_log_unstage(dev);
	vhost_inflight_unstage(dev);
	dev->cur.state = VHOST_CUR_NONE;
}

/* The rings the request needs are stopped: its handler, then the rings to
 * match what it changed. */
static void msg_apply(struct vhost_dev *dev)
{
	struct vhost_cur *cur = &dev->cur;
	uint32_t index = vring_index(cur->h, &cur->msg);
	int ret = cur->h->handle(dev, &cur->msg);
	int rc = vhost_rings_converge(dev, converge_mask(cur->h, index),
				      cur->h->vring != VRING_ARG_NONE ? index : UINT32_MAX);

	/* A ring the request was about that cannot start fails the request. */
	cur->ret = ret ? ret : rc;
	cur->state = VHOST_CUR_SETTLED;
}

static void msg_answer(struct vhost_dev *dev)
{
	struct vhost_cur *cur = &dev->cur;

	answer(dev, &cur->msg, cur->h->answer, cur->ret);
	/* Handlers set the fds they keep to -1; the rest are closed here. */
	vhost_msg_close_fds(&cur->msg);
	cur->state = VHOST_CUR_NONE;
	if (dev->conn_broken)
		vhost_dev_conn_close(dev);
}

void vhost_msg_step(struct vhost_dev *dev)
{
	if (dev->cur.state == VHOST_CUR_STOPPING)
		msg_apply(dev);
	else if (dev->cur.state == VHOST_CUR_SETTLED)
		msg_answer(dev);
}

/* Refused before its handler: answered at once, no ring touched. */
static void msg_refuse(struct vhost_dev *dev, enum vhost_answer kind, int ret)
{
	answer(dev, &dev->cur.msg, kind, ret);
	vhost_msg_close_fds(&dev->cur.msg);
}

int vhost_dev_handle_msg(struct vhost_dev *dev, const struct vhost_user_hdr *hdr,
			 const void *payload, int *fds, unsigned nfds)
{
	const struct vhost_msg_handler *h = NULL;
	struct vhost_msg *msg = &dev->cur.msg;
	int ret;

	vhost_tap_whole(&dev->opts.tap, VHOST_TAP_BACKEND, VHOST_TAP_RECEIVED, hdr, payload,
			MIN(hdr->size, (uint32_t)VHOST_USER_MAX_PAYLOAD), fds, nfds);
	if (dev->cur.state != VHOST_CUR_NONE || dev->closing) {
		log_err("%s handed in while the previous request is not answered",
			vhost_msg_request_name(hdr->request));
		for (unsigned i = 0; i < nfds; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		return -EBUSY;
	}
	memset(msg, 0, sizeof(*msg));
	msg->hdr = *hdr;
	for (unsigned i = 0; i < nfds; i++) {
		if (i < VHOST_USER_MAX_FDS)
			msg->fds[msg->nfds++] = fds[i];
		else if (fds[i] >= 0)
			close(fds[i]);
	}
	ret = check_header(dev, hdr);
	if (ret < 0 || nfds > VHOST_USER_MAX_FDS) {
		vhost_msg_close_fds(msg);
		return ret < 0 ? ret : -EPROTO;
	}
	if (hdr->size)
		memcpy(&msg->payload, payload, hdr->size);

	if (hdr->request < ARRAY_SIZE(g_handlers))
		h = &g_handlers[hdr->request];
	if (!h || !h->handle) {
		vhost_warn(dev, "vhost-user.rst \"Front-end message types\": unknown request %u",
			 hdr->request);
		msg_refuse(dev, ANSWER_ACK, -ENOTSUP);
		return dev->conn_broken ? -EPIPE : 0;
	}
	log_debug("%s size %u fds %u", vhost_msg_request_name(hdr->request), hdr->size,
		  msg->nfds);
	ret = check_msg(dev, h, msg);
	if (ret == 0 && h->check)
		ret = h->check(dev, msg);
	if (ret) {
		msg_refuse(dev, h->answer, ret);
		return dev->conn_broken ? -EPIPE : 0;
	}
	dev->cur.h = h;
	dev->cur.state = VHOST_CUR_STOPPING;
	/* Held while the stops are asked for, so that a device answering the
	 * first one inline does not run the handler before the last is asked. */
	dev->ring_ops++;
	vhost_rings_stop(dev, quiesce_mask(dev, h, vring_index(h, msg)));
	dev->ring_ops--;
	vhost_dev_progress(dev);
	if (dev->conn_broken || dev->conn_fd < 0)
		return -EPIPE;
	return vhost_dev_busy(dev) ? 1 : 0;
}
