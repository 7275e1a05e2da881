/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CONFORMANCE_SUITE_VHOST_USER_H
#define STORLAB_CONFORMANCE_SUITE_VHOST_USER_H

/*
 * What the vhost-user suite's area files share (QEMU docs/interop/
 * vhost-user.rst): a negotiated connection, a small guest memory, raw
 * requests, and the two readings of "the back-end refused a request" (spec-
 * level cases judge the answer; advisories also that the back-end serves on).
 *
 * Helpers that fail for a reason that is not the back-end's verdict (a
 * memfd cannot be made, the set-up the case builds on is refused) record it
 * with conform_error() and return a negative errno; the case then returns
 * CONFORM_ERROR.
 */

#include <stdbool.h>
#include <stdint.h>

#include "conformance/conform.h"
#include "spec/vhost_user.h"

#define VU_PF(bit)	       (1ULL << VHOST_USER_PROTOCOL_F_##bit)
#define VU_F_PROTOCOL_FEATURES (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)

/* Guest memory for protocol cases: a memfd mapped in this process, so a
 * region's user address is where we see it. */
struct vu_mem {
	int fd;
	uint8_t *base;
	uint64_t size;
};

#define VU_MEM_SIZE (1ULL << 20)
/* Where vu_ring_setup() places a split ring of VU_RING_NUM entries:
 * virtio 1.2 §2.7 sizes, each part on its own 4 KiB page. */
#define VU_RING_NUM   256
#define VU_RING_DESC  0x0000
#define VU_RING_AVAIL 0x1000
#define VU_RING_USED  0x2000

int vu_mem_create(struct conform_ctx *ctx, struct vu_mem *m, uint64_t size);
/* The whole of m as a region at guest address gpa. */
struct vhost_fe_region vu_mem_region(const struct vu_mem *m, uint64_t gpa);

/* One front-end connection and what was negotiated on it. */
struct vu_conn {
	struct vhost_fe *fe;
	uint64_t features;  /* acknowledged with SET_FEATURES */
	uint64_t pfeatures; /* acknowledged with SET_PROTOCOL_FEATURES */
};

/*
 * Connects and negotiates as QEMU does: GET_FEATURES, then (when
 * VHOST_USER_F_PROTOCOL_FEATURES is offered) GET_PROTOCOL_FEATURES and
 * SET_PROTOCOL_FEATURES with offered & want_pf, SET_OWNER, SET_FEATURES with
 * offered & (VERSION_1 | PROTOCOL_FEATURES). REPLY_ACK in want_pf makes every
 * later vhost_fe_* call wait for its ack.
 */
int vu_open(struct conform_ctx *ctx, uint64_t want_pf, struct vu_conn *c);
/* vu_open() plus a one-region memory table of m at guest address 0. */
int vu_open_mem(struct conform_ctx *ctx, uint64_t want_pf, struct vu_conn *c, struct vu_mem *m);
void vu_close(struct vu_conn *c);

/* Vring q's addresses inside m (VU_RING_* offsets). */
struct vhost_user_vring_addr vu_ring_addr(const struct vu_mem *m, uint32_t q);
/* Sets ring q up in the order QEMU uses (NUM, ADDR, BASE, KICK, CALL, ERR,
 * then ENABLE 1 when PROTOCOL_FEATURES was negotiated), with avail and used
 * indexes at base so that a started ring sees no work. kick false stops
 * after BASE. Each step's failure is a conform_error(). */
int vu_ring_setup(struct conform_ctx *ctx, struct vu_conn *c, const struct vu_mem *m, uint32_t q,
		  uint16_t base, bool kick);

/* Sends one request as built: flags are sent as given (callers add
 * VHOST_USER_VERSION), size bytes of payload, nfds fds. */
int vu_send(struct vu_conn *c, uint32_t request, uint32_t flags, const void *payload, uint32_t size,
	    const int *fds, unsigned nfds);
/* Waits for one message: 0 (hdr, at most max payload bytes), -ECONNRESET if
 * the back-end closed the connection, -ETIMEDOUT. */
int vu_recv(struct conform_ctx *ctx, struct vu_conn *c, struct vhost_user_hdr *hdr, void *payload,
	    uint32_t max);

/* How the back-end answered a request sent with NEED_REPLY. */
enum vu_answer {
	VU_ACK,	      /* a u64 reply of 0: success */
	VU_NACK,      /* a u64 reply, non-zero: failure */
	VU_CLOSED,    /* the connection was closed instead */
	VU_SILENT,    /* no reply within the timeout, connection open */
	VU_BAD_REPLY, /* a reply of another request, size or without the reply flag */
};
const char *vu_answer_name(enum vu_answer a);
enum vu_answer vu_request_ack(struct conform_ctx *ctx, struct vu_conn *c, uint32_t request,
			      const void *payload, uint32_t size, const int *fds, unsigned nfds);

/*
 * "VHOST_USER_PROTOCOL_F_REPLY_ACK": with need_reply "the back-end MUST
 * respond". The spec-level judgement of answer a to request: PASS for a u64
 * reply to it, whatever its value, or a closed connection ("Communication":
 * a back-end may close on an error it detects); FAIL for silence or another
 * reply. It judges that an answer came, not what it says.
 */
enum conform_verdict vu_expect_answered(struct conform_ctx *ctx, uint32_t request,
					enum vu_answer a);

/*
 * Two readings of "the back-end refused a request" (REPLY_ACK negotiated,
 * need_reply set). vhost-user.rst "VHOST_USER_PROTOCOL_F_REPLY_ACK": the
 * back-end MUST respond, and the payload should be non-zero on failure;
 * "Communication": on an error it may instead close the connection.
 *
 * vu_request_refused() is the spec-level one: PASS for a non-zero ack or a
 * closed connection, FAIL for an ack of 0 (claiming success), silence or a
 * reply that is not a u64 ack of that request. It judges the answer only.
 *
 * vu_expect_refused() is the advisories' one: the same answer, then the
 * back-end must still serve (vu_expect_serving), which no sentence of the
 * spec requires but a robust back-end does.
 */
enum conform_verdict vu_request_refused(struct conform_ctx *ctx, struct vu_conn *c,
					uint32_t request, const void *payload, uint32_t size,
					const int *fds, unsigned nfds);
enum conform_verdict vu_expect_refused(struct conform_ctx *ctx, struct vu_conn *c, uint32_t request,
				       const void *payload, uint32_t size, const int *fds,
				       unsigned nfds);
/* After bad input: the connection (if open) answers GET_FEATURES; it is then
 * closed (a back-end may serve one front-end at a time) and a new
 * connection must answer too. */
enum conform_verdict vu_expect_serving(struct conform_ctx *ctx, struct vu_conn *c);

/* A region as "Memory region description" puts it on the wire. */
struct vhost_user_mem_region vu_region_wire(const struct vhost_fe_region *r);
/* The SET_MEM_TABLE payload ("Multiple Memory regions description") of the
 * first min(n, 8) regions of r, their fds in fds, count field n; returns the
 * payload's size (the regions sent, as QEMU sends them). */
uint32_t vu_table_payload(const struct vhost_fe_region *r, unsigned n,
			  struct vhost_user_memory *mem, int *fds);

/* A pipe whose write end is handed to the back-end: true once every copy of
 * the write end is closed (the read end sees end-of-file), within timeout. */
bool vu_fd_closed_by_peer(int read_fd, int timeout_ms);

/* A status byte no device writes (virtio 1.2 §5.2.6 defines 0, 1, 2). */
#define VU_STATUS_NONE 0xa5

/* Adds a virtio-blk request of type (IN or OUT) of len bytes at sector to
 * queue q, not yet published, its data in one descriptor at data_gpa (data
 * NULL: a fresh buffer). *status (if not NULL): its status byte,
 * VU_STATUS_NONE until the device writes it. */
int vu_io_add(struct conform_dev *dev, uint16_t q, uint32_t type, uint64_t sector, uint32_t len,
	      const void *data, uint64_t data_gpa, void *cookie, uint8_t **status);
/* The size of a request every device serves: blk_size when negotiated
 * (virtio 1.2 §5.2.5; devices refuse requests not aligned to it), else a
 * 4 KiB page, which is aligned to any block size up to it. */
uint32_t vu_io_bytes(const struct conform_dev *dev);
/* Adds one virtio-blk read of sector (header, 512 bytes, status) to queue q
 * of dev, not yet published: 0 or a negative errno. */
int vu_io_read(struct conform_dev *dev, uint16_t q, uint64_t sector, void *cookie);

/* ---- The cases, by area (one file each) ---- */

#define VU_CASE(name) enum conform_verdict name(struct conform_ctx *ctx)

/* suite_vhost_user_feat.c */
VU_CASE(vu_feat_get_features);
VU_CASE(vu_feat_get_protocol_features);
VU_CASE(vu_feat_get_queue_num);
VU_CASE(vu_feat_get_max_mem_slots);
VU_CASE(vu_feat_get_status);
VU_CASE(vu_feat_pf_before_set_features);
VU_CASE(vu_feat_unoffered_features);
VU_CASE(vu_feat_unoffered_protocol_features);
VU_CASE(vu_feat_need_reply_on_get);
VU_CASE(vu_feat_need_reply_no_change);
VU_CASE(vu_feat_pf_same_bits);
VU_CASE(vu_owner_reset_owner);
VU_CASE(vu_ack_set_owner);
VU_CASE(vu_ack_set_features);
VU_CASE(vu_ack_set_protocol_features);
VU_CASE(vu_ack_set_mem_table);
VU_CASE(vu_ack_set_vring_num);
VU_CASE(vu_ack_set_vring_addr);
VU_CASE(vu_ack_set_vring_base);
VU_CASE(vu_ack_set_vring_kick);
VU_CASE(vu_ack_set_vring_call);
VU_CASE(vu_ack_set_vring_err);
VU_CASE(vu_ack_set_vring_enable);
VU_CASE(vu_ack_add_mem_reg);
VU_CASE(vu_ack_rem_mem_reg);
VU_CASE(vu_ack_set_status);
VU_CASE(vu_ack_reset_device);
VU_CASE(vu_ack_all_valid_zero);

/* suite_vhost_user_mem.c */
VU_CASE(vu_mem_eight_regions);
VU_CASE(vu_mem_too_many_regions);
VU_CASE(vu_mem_overlap_gpa);
VU_CASE(vu_mem_overlap_uva);
VU_CASE(vu_mem_zero_size);
VU_CASE(vu_mem_past_fd);
VU_CASE(vu_mem_unaligned_offset);
VU_CASE(vu_mem_replace_stopped);
VU_CASE(vu_mem_replace_in_use);
VU_CASE(vu_mem_add_rem_roundtrip);
VU_CASE(vu_mem_rem_unknown);
VU_CASE(vu_mem_rem_closes_fd);
VU_CASE(vu_mem_refused_keeps_old);
VU_CASE(vu_mem_past_fd_at_offset);
VU_CASE(vu_mem_zero_size_unaligned);
VU_CASE(vu_mem_rem_other_uva);

/* suite_vhost_user_ring.c */
VU_CASE(vu_ring_setup_order);
VU_CASE(vu_ring_base_unstarted);
VU_CASE(vu_ring_base_restart);
VU_CASE(vu_ring_num_zero);
VU_CASE(vu_ring_num_not_pow2);
VU_CASE(vu_ring_num_too_big);
VU_CASE(vu_ring_addr_outside);
VU_CASE(vu_ring_addr_unaligned);
VU_CASE(vu_mq_set_vring_num);
VU_CASE(vu_mq_set_vring_addr);
VU_CASE(vu_mq_set_vring_base);
VU_CASE(vu_mq_set_vring_kick);
VU_CASE(vu_mq_set_vring_call);
VU_CASE(vu_mq_set_vring_enable);
VU_CASE(vu_mq_get_vring_base);
VU_CASE(vu_mq_last_queue_starts);
VU_CASE(vu_ring_base_after_reset);

/* suite_vhost_user_cfg.c */
VU_CASE(vu_cfg_get_header);
VU_CASE(vu_cfg_get_past_256);
VU_CASE(vu_cfg_get_size_over_256);
VU_CASE(vu_cfg_get_size_mismatch);
VU_CASE(vu_cfg_get_size_zero);
VU_CASE(vu_cfg_set_read_only);
VU_CASE(vu_cfg_set_read_only_nack);
VU_CASE(vu_cfg_get_at_offset);

/* suite_vhost_user_msg.c */
VU_CASE(vu_msg_version_0);
VU_CASE(vu_msg_version_2);
VU_CASE(vu_msg_version_3);
VU_CASE(vu_msg_reply_flag);
VU_CASE(vu_msg_short_set_features);
VU_CASE(vu_msg_long_set_features);
VU_CASE(vu_msg_short_vring_num);
VU_CASE(vu_msg_long_vring_num);
VU_CASE(vu_msg_short_vring_addr);
VU_CASE(vu_msg_long_vring_addr);
VU_CASE(vu_msg_short_mem_table);
VU_CASE(vu_msg_short_add_mem_reg);
VU_CASE(vu_msg_unknown_0);
VU_CASE(vu_msg_unknown_max);
VU_CASE(vu_msg_unknown_huge);
VU_CASE(vu_msg_oversized);
VU_CASE(vu_msg_kick_missing_fd);
VU_CASE(vu_msg_call_missing_fd);
VU_CASE(vu_msg_mem_table_missing_fd);
VU_CASE(vu_msg_add_mem_reg_missing_fd);
VU_CASE(vu_msg_mem_table_extra_fd);
VU_CASE(vu_msg_extra_fd_closed);
VU_CASE(vu_msg_nofd_with_fd_closed);

/* suite_vhost_user_conn.c */
VU_CASE(vu_conn_after_features);
VU_CASE(vu_conn_after_mem_table);
VU_CASE(vu_conn_after_rings);
VU_CASE(vu_conn_truncated_header);
VU_CASE(vu_conn_truncated_payload);
VU_CASE(vu_conn_io_in_flight);

/* suite_vhost_user_io.c (data path, on conform_dev) */
VU_CASE(vu_io_base_after_io);
VU_CASE(vu_io_stopped_after_base);
VU_CASE(vu_io_base_with_requests_in_flight);
VU_CASE(vu_io_kick_after_base);
VU_CASE(vu_io_disabled_ring_no_effect);
VU_CASE(vu_io_index_wrap);
VU_CASE(vu_io_regions);
VU_CASE(vu_io_unaligned_region);
VU_CASE(vu_io_no_protocol_features);
VU_CASE(vu_io_mem_table_while_running);
VU_CASE(vu_io_drain_notified);

/* suite_vhost_user_log.c (the dirty log, on conform_dev) */
VU_CASE(vu_log_descriptor_writes);
VU_CASE(vu_log_used_ring);
VU_CASE(vu_log_used_at_log_guest_addr);
VU_CASE(vu_log_base_answered);
VU_CASE(vu_log_too_small);

#endif
