/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CONFORMANCE_SUITE_VIRTIO_BLK_H
#define STORLAB_CONFORMANCE_SUITE_VIRTIO_BLK_H

/*
 * Inside the virtio-blk suite (OASIS virtio 1.2 §5.2): the helpers every
 * area file uses (suite_virtio_blk_util.c) and the case functions the table
 * in suite_virtio_blk.c lists.
 *
 * A request is built as a list of segments, each one descriptor with its own
 * direction, so a case can lay a request out in any way, well-formed or not
 * (§2.7.4: the device must not assume a particular arrangement). A chain is
 * direct, or indirect (§2.7.5.3) with its table in guest memory.
 */

#include <stdbool.h>
#include <stdint.h>

#include "conformance/conform.h"
#include "spec/virtio.h"
#include "spec/virtio_blk.h"

/* The queue size of the cases: what every back-end takes; the long-chain
 * cases ask for BLK_LONG_QUEUE_SIZE (QEMU's and libvhost-user's maximum). */
#define BLK_QUEUE_SIZE	    256
#define BLK_LONG_QUEUE_SIZE 1024
/* Most descriptors one test chain may hold. */
#define BLK_MAX_SEGS 1024
/* A status byte the device never writes: "not written". */
#define BLK_STATUS_UNSET 0xa5

struct blk_seg {
	uint64_t gpa;
	uint32_t len;
	bool writable;
};

struct blk_chain {
	struct blk_seg seg[BLK_MAX_SEGS];
	unsigned n;
	bool indirect;
};

/* One case's device and what it learnt from the config space. */
struct blk {
	struct conform_ctx *ctx;
	struct conform_dev *dev;
	struct virtio_blk_config cfg; /* fields past config_len read 0 */
	uint64_t capacity;	      /* sectors */
	uint32_t seed;		      /* of this case's data patterns */
	bool ro;		      /* VIRTIO_BLK_F_RO negotiated */
	/* The I/O unit of cases that do not test alignment: blk_size when
	 * negotiated (a power of 2 above 512), else 512 bytes (§5.2.5). */
	uint32_t unit;
	uint32_t unit_sectors;
};

/* A request laid out the ordinary way: header | data | status, each its
 * own descriptor (data absent when len is 0). */
struct blk_req {
	struct virtio_blk_outhdr *hdr;
	uint64_t hdr_gpa;
	uint8_t *data;
	uint64_t data_gpa;
	uint32_t data_len;
	bool data_writable;
	uint8_t *status;
	uint64_t status_gpa;
	uint32_t used_len; /* after blk_req_run */
};

/* Brings a device up (nqueues queues, every feature the driver side knows
 * but drop_features). Returns false with *v set (NOT_APPLICABLE when the
 * back-end has fewer queues, or is read-only and the case writes (!ro_ok);
 * ERROR otherwise) when it cannot. */
bool blk_open(struct conform_ctx *ctx, struct blk *b, uint16_t nqueues, uint64_t drop_features,
	      bool ro_ok, enum conform_verdict *v);
/* As blk_open with queues of queue_size entries (blk_open: BLK_QUEUE_SIZE),
 * for the few cases whose chains need more descriptors. */
bool blk_open_qsize(struct conform_ctx *ctx, struct blk *b, uint16_t nqueues,
		    uint64_t drop_features, bool ro_ok, uint16_t queue_size,
		    enum conform_verdict *v);
bool blk_has(const struct blk *b, unsigned feature);

/* Guest memory; NULL (and a note) when exhausted. */
void *blk_alloc(struct blk *b, uint32_t len, uint64_t *gpa);

void blk_chain_init(struct blk_chain *c);
void blk_chain_add(struct blk_chain *c, uint64_t gpa, uint32_t len, bool writable);
/* Adds [gpa, gpa+len) as descriptors of the given sizes, repeated as needed,
 * the last one taking what is left. */
void blk_chain_add_split(struct blk_chain *c, uint64_t gpa, uint32_t len, bool writable,
			 const uint32_t *sizes, unsigned nsizes);
/* Makes the indirect table of len bytes at gpa available on queue q as one
 * ring descriptor with VIRTQ_DESC_F_INDIRECT (§2.7.5.3; not kicked): the
 * case writes the table, well-formed or not. 0 or a negative errno. */
int blk_table_add_to(struct blk *b, uint16_t q, uint64_t gpa, uint32_t len, void *cookie);
/* Makes the chain available on queue q (not kicked). 0 or a negative errno. */
int blk_chain_add_to(struct blk *b, uint16_t q, const struct blk_chain *c, void *cookie);
/* Waits for cookie to be used on q (other entries are noted and skipped).
 * 0, -ETIMEDOUT or another negative errno. */
int blk_wait_cookie(struct blk *b, uint16_t q, void *cookie, uint32_t *used_len);
/* Kicks q, waits for the chain; 0 or a negative errno (noted). */
int blk_chain_run(struct blk *b, uint16_t q, const struct blk_chain *c, void *cookie,
		  uint32_t *used_len);

/* A request: header (type, sector), data_len bytes of data (device-writable
 * for reads), a status byte. false (noted) when memory ran out. */
bool blk_req_init(struct blk *b, struct blk_req *r, uint32_t type, uint64_t sector,
		  uint32_t data_len);
/* The ordinary chain of r: header, data, status. */
void blk_req_chain(const struct blk_req *r, struct blk_chain *c);
/* Runs r laid out the ordinary way on q and returns its status, or a
 * negative errno (noted). */
int blk_req_run(struct blk *b, uint16_t q, struct blk_req *r);
/* Convenience: one request of type on q; data copied in (writes) or out
 * (reads, buf may be NULL). Status or a negative errno. */
int blk_do(struct blk *b, uint16_t q, uint32_t type, uint64_t sector, void *buf, uint32_t len);
/* A DISCARD / WRITE_ZEROES with nseg segments. Status or a negative errno. */
int blk_do_dwz(struct blk *b, uint16_t q, uint32_t type,
	       const struct virtio_blk_discard_write_zeroes *segs, unsigned nseg);

/* A pattern that depends on the case's seed, the sector and the byte. */
void blk_pattern(const struct blk *b, uint64_t sector, void *buf, uint32_t len);
/* Compares buf with the pattern of sector (or with zeroes when zero);
 * false with a note of the first difference. */
bool blk_pattern_check(struct blk *b, uint64_t sector, const void *buf, uint32_t len, bool zero);
/* Writes the pattern at sector, reads it back; true if both OK and equal. */
bool blk_write_pattern(struct blk *b, uint16_t q, uint64_t sector, uint32_t len);
bool blk_read_check(struct blk *b, uint16_t q, uint64_t sector, uint32_t len, bool zero);

const char *blk_status_name(int status);
/* The end of a malformed-input case: a follow-up write/read on q must work
 * and the back-end must still accept connections (PASS), else FAIL. */
enum conform_verdict blk_keeps_serving(struct blk *b, uint16_t q);
/* A sector for this case's data (a multiple of unit_sectors): spread over
 * the device by slot so that cases do not read each other's data. */
uint64_t blk_scratch_sector(const struct blk *b, unsigned slot);

/* Opens a device in a case (ctx in scope) or returns its verdict. A case
 * that writes uses BLK_OPEN (not applicable to a read-only device); one that
 * only reads, BLK_OPEN_RO. */
#define BLK_OPEN_MODE(b, nq, drop, ro_ok)                                                          \
	do {                                                                                       \
		enum conform_verdict v_;                                                           \
		if (!blk_open(ctx, (b), (nq), (drop), (ro_ok), &v_))                               \
			return v_;                                                                 \
	} while (0)
#define BLK_OPEN(b, nq, drop)	 BLK_OPEN_MODE(b, nq, drop, false)
#define BLK_OPEN_RO(b, nq, drop) BLK_OPEN_MODE(b, nq, drop, true)

/* ---- The cases (one function each; table in suite_virtio_blk.c) ---- */
#define BLK_CASE(fn) enum conform_verdict fn(struct conform_ctx *ctx)

/* suite_virtio_blk_cfg.c: configuration space, §5.2.4, §5.2.5 */
BLK_CASE(blk_cfg_padding);
BLK_CASE(blk_cfg_wce_needs_flush);
BLK_CASE(blk_cfg_offers_flush);
BLK_CASE(blk_cfg_wce_writeback_init);
BLK_CASE(blk_cfg_wce_set_writeback);
BLK_CASE(blk_cfg_mq_num_queues);
BLK_CASE(blk_cfg_num_queues_vs_queue_num);
BLK_CASE(blk_cfg_blk_size);

/* suite_virtio_blk_rw.c: IN / OUT, boundaries, §5.2.6 */
BLK_CASE(blk_rw_roundtrip);
BLK_CASE(blk_rw_large);
BLK_CASE(blk_rw_first_sector);
BLK_CASE(blk_rw_last_sector);
BLK_CASE(blk_rw_read_past_end);
BLK_CASE(blk_rw_write_past_end);
BLK_CASE(blk_rw_read_straddle);
BLK_CASE(blk_rw_write_straddle);
BLK_CASE(blk_rw_far_past_end);
BLK_CASE(blk_rw_zero_length_read);
BLK_CASE(blk_rw_zero_length_write);
BLK_CASE(blk_rw_unaligned_blk_size);
BLK_CASE(blk_rw_partial_sector);
BLK_CASE(blk_rw_flush_after_write);
BLK_CASE(blk_rw_flush_unsupp);
BLK_CASE(blk_rw_unknown_type);
BLK_CASE(blk_rw_lifetime_unsupp);
BLK_CASE(blk_rw_secure_erase_unsupp);
BLK_CASE(blk_rw_discard_unnegotiated);
BLK_CASE(blk_rw_wz_unnegotiated);
BLK_CASE(blk_rw_read_only);
BLK_CASE(blk_rw_used_len_bound);
BLK_CASE(blk_rw_used_len_read);
BLK_CASE(blk_rw_read_only_unacked);

/* suite_virtio_blk_layout.c: descriptor layouts, §2.7.4, §2.7.5 */
BLK_CASE(blk_lay_odd_split);
BLK_CASE(blk_lay_one_byte_descs);
BLK_CASE(blk_lay_header_split);
BLK_CASE(blk_lay_status_shared_read);
BLK_CASE(blk_lay_header_with_data);
BLK_CASE(blk_lay_indirect_read);
BLK_CASE(blk_lay_indirect_write);
BLK_CASE(blk_lay_indirect_after_direct);
BLK_CASE(blk_lay_indirect_write_flag);
BLK_CASE(blk_lay_seg_max);
BLK_CASE(blk_lay_over_seg_max);
BLK_CASE(blk_lay_readable_after_writable);
BLK_CASE(blk_lay_no_status);
BLK_CASE(blk_lay_short_header);
BLK_CASE(blk_lay_zero_len_desc);
BLK_CASE(blk_lay_bad_order_serving);

/* suite_virtio_blk_bounds.c: where the device's reach ends, §2.7.5 */
BLK_CASE(blk_lay_buf_at_mem_end);
BLK_CASE(blk_lay_buf_past_mem_end);
BLK_CASE(blk_lay_loop);
BLK_CASE(blk_lay_indirect_partial);
BLK_CASE(blk_lay_desc_past_indirect);
BLK_CASE(blk_lay_nested_indirect);
BLK_CASE(blk_lay_head_past_table);
BLK_CASE(blk_lay_readable_not_written);

/* suite_virtio_blk_cmd.c: GET_ID, DISCARD, WRITE_ZEROES, §5.2.6 */
BLK_CASE(blk_id_twenty);
BLK_CASE(blk_id_short_buffer);
BLK_CASE(blk_id_split);
BLK_CASE(blk_id_padded);
BLK_CASE(blk_dwz_wz_reads_zero);
BLK_CASE(blk_dwz_wz_unmap_reads_zero);
BLK_CASE(blk_dwz_wz_multi_seg);
BLK_CASE(blk_dwz_discard_ok);
BLK_CASE(blk_dwz_discard_unmap_flag);
BLK_CASE(blk_dwz_discard_unknown_flag);
BLK_CASE(blk_dwz_wz_unknown_flag);
BLK_CASE(blk_dwz_discard_too_many_seg);
BLK_CASE(blk_dwz_wz_too_many_seg);
BLK_CASE(blk_dwz_wz_past_end);
BLK_CASE(blk_dwz_bad_seg_len);
BLK_CASE(blk_dwz_wz_gap_kept);
BLK_CASE(blk_dwz_wz_read_only);

/* suite_virtio_blk_queue.c: queues and notifications, §2.7.7, §5.2.6 */
BLK_CASE(blk_q_independent);
BLK_CASE(blk_q_malformed_other_queue);
BLK_CASE(blk_q_concurrent_integrity);
BLK_CASE(blk_q_many_inflight);
BLK_CASE(blk_q_full_avail_ring);
BLK_CASE(blk_q_event_idx_notify);
BLK_CASE(blk_q_event_idx_suppress);
BLK_CASE(blk_q_event_idx_suppress_warm);
BLK_CASE(blk_q_no_interrupt_flag);
BLK_CASE(blk_q_notify_flags0);
BLK_CASE(blk_q_used_elem_before_idx);

/* suite_virtio_blk_observe.c: observations (no verdict) */
BLK_CASE(blk_q_before_first_kick);

#endif
