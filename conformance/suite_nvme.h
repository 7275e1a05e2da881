/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CONFORMANCE_SUITE_NVME_H
#define STORLAB_CONFORMANCE_SUITE_NVME_H

/*
 * Inside the NVMe suite (NVMe Base 2.1, NVMe over PCIe Transport 1.1, NVM
 * Command Set 1.1, against a controller behind vfio-user): the case
 * functions the table in suite_nvme.c lists, one file per area
 * (suite_nvme_<area>.c), all driving the controller through
 * conform_nvme.h.
 */

#include "conformance/conform.h"
#include "conformance/conform_nvme.h"

/* suite_nvme_reg.c: controller properties */
enum conform_verdict nvme_reg_cap_vs(struct conform_ctx *ctx);
enum conform_verdict nvme_reg_cap_mqes(struct conform_ctx *ctx);
enum conform_verdict nvme_reg_cap_to(struct conform_ctx *ctx);
enum conform_verdict nvme_reg_cap_css(struct conform_ctx *ctx);
enum conform_verdict nvme_reg_cap_mps(struct conform_ctx *ctx);
enum conform_verdict nvme_reg_ro_ignored(struct conform_ctx *ctx);
enum conform_verdict nvme_reg_crime_ro(struct conform_ctx *ctx);
enum conform_verdict nvme_reg_vs_ver(struct conform_ctx *ctx);
enum conform_verdict nvme_reg_admin_props(struct conform_ctx *ctx);
enum conform_verdict nvme_reg_db_no_queue(struct conform_ctx *ctx);
enum conform_verdict nvme_reg_db_bad_value(struct conform_ctx *ctx);

/* suite_nvme_adm_util.c: what the NVME-REG, -RST and -ADM cases share */
#define NVME_ST_OK	NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS)
#define NVME_ST_GEN(sc) NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_##sc)
#define NVME_ST_CMD(sc) NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, NVME_SC_##sc)
/* conform_nvme_setup to stage with the default options; the reason noted. */
int nvme_ctrl_open(struct conform_ctx *ctx, enum conform_nvme_stage stage,
		   struct conform_nvme **dev);
/* Connected and reset (CC.EN 0, CSTS.RDY 0), no register else written:
 * 0 with *dev, or a negative errno with the reason noted. */
int nvme_ctrl_open_disabled(struct conform_ctx *ctx, struct conform_nvme **dev);
/* One admin command whose status must be want: the verdict. */
enum conform_verdict nvme_adm_check(struct conform_ctx *ctx, struct conform_nvme *dev,
				    struct nvme_sqe *sqe, uint16_t want, const char *what);
/* A controller brought to stage, then the one admin command make(dev)
 * builds: its status must be want, and the controller still serves. */
enum conform_verdict nvme_adm_one(struct conform_ctx *ctx, enum conform_nvme_stage stage,
				  struct nvme_sqe (*make)(struct conform_nvme *dev), uint16_t want,
				  const char *what);
/* After the case's connection is closed: the endpoint answers a new one
 * within the run's timeout (conform_backend_alive() tried again while it
 * is still letting the old connection go, as a one-client server may). */
bool nvme_ctrl_serving(struct conform_ctx *ctx);
/* PASS when the entry carries a or b, else conform_nvme_expect's FAIL for a. */
enum conform_verdict nvme_expect_either(struct conform_ctx *ctx, const struct nvme_cqe *cqe,
					uint16_t a, uint16_t b, const char *what);
/* Get Features (current value) of fid, and Set Features of fid to cdw11. */
int nvme_adm_get_feat(struct conform_nvme *dev, uint8_t fid, struct nvme_cqe *cqe);
int nvme_adm_set_feat(struct conform_nvme *dev, uint8_t fid, uint32_t cdw11, struct nvme_cqe *cqe);
/* Get Log Page of len bytes (a multiple of 4, at most 4 KiB) into *data. */
struct nvme_log_args {
	uint8_t lid;
	uint32_t nsid;
	uint32_t len;
	uint64_t offset;
};
int nvme_adm_get_log(struct conform_nvme *dev, const struct nvme_log_args *a, void **data,
		     struct nvme_cqe *cqe);
/* Create I/O SQ (sq) or CQ of qid, QSIZE qsize0 (0's based), PRP1 bus. */
struct nvme_sqe nvme_adm_create_sqe(bool sq, uint16_t qid, uint16_t qsize0, uint64_t bus,
				    uint32_t cdw11);
struct nvme_sqe nvme_adm_delete_sqe(bool sq, uint16_t qid);
/* An enable of the case's own making (Base §3.5.1 steps 2-6 with these
 * values): new admin rings, AQA, ASQ (or bus address 0), ACQ, CC then
 * CC.EN. 0 once CSTS.RDY is 1; -EIO with CSTS.CFS set; -ETIMEDOUT. */
struct nvme_enable_args {
	uint32_t aqa;
	uint32_t cc; /* without EN */
	bool asq_at_zero;
};
int nvme_ctrl_enable_with(struct conform_nvme *dev, const struct nvme_enable_args *a,
			  uint32_t *csts);
/* CC as conform_nvme_enable() writes it (no EN), AQA for entries. */
uint32_t nvme_cc_default(void);
uint32_t nvme_aqa_of(uint16_t entries);

/* suite_nvme_rst.c: reset and shutdown */
enum conform_verdict nvme_rst_rdy_clears(struct conform_ctx *ctx);
enum conform_verdict nvme_rst_queues_deleted(struct conform_ctx *ctx);
enum conform_verdict nvme_rst_disabled_idle(struct conform_ctx *ctx);
enum conform_verdict nvme_rst_data_kept(struct conform_ctx *ctx);
enum conform_verdict nvme_rst_admin_props_kept(struct conform_ctx *ctx);
enum conform_verdict nvme_rst_in_flight(struct conform_ctx *ctx);
enum conform_verdict nvme_rst_shutdown(struct conform_ctx *ctx);
enum conform_verdict nvme_rst_shutdown_data(struct conform_ctx *ctx);
enum conform_verdict nvme_rst_bad_mps(struct conform_ctx *ctx);
enum conform_verdict nvme_rst_bad_aqa(struct conform_ctx *ctx);
enum conform_verdict nvme_rst_asq_zero(struct conform_ctx *ctx);

/* suite_nvme_adm.c: Identify and opcodes */
enum conform_verdict nvme_adm_id_ctrl(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_id_bad_cns(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_id_ns_zero(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_id_ns_over_nn(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_id_ns_inactive(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_id_list_order(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_id_list_start(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_id_list_bad_nsid(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_id_descs(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_id_descs_inactive(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_bad_opcode(struct conform_ctx *ctx);

/* suite_nvme_adm_q.c: Create and Delete I/O queues */
enum conform_verdict nvme_adm_q_cq_qid0(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_q_cq_over(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_q_cq_in_use(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_q_cq_size0(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_q_cq_over_mqes(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_q_sq_no_cq(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_q_sq_admin_cq(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_q_sq_qid0(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_q_sq_over_mqes(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_q_del_cq_busy(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_q_del_sq_none(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_q_del_cq_none(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_q_del_sq_admin(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_q_pc0(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_q_recreate(struct conform_ctx *ctx);
enum conform_verdict nvme_adm_q_es_unset(struct conform_ctx *ctx);

/* suite_nvme_adm_feat.c: Get and Set Features */
enum conform_verdict nvme_feat_nq_65535(struct conform_ctx *ctx);
enum conform_verdict nvme_feat_nq_after_create(struct conform_ctx *ctx);
enum conform_verdict nvme_feat_nq_get(struct conform_ctx *ctx);
enum conform_verdict nvme_feat_arbitration(struct conform_ctx *ctx);
enum conform_verdict nvme_feat_vwc(struct conform_ctx *ctx);
enum conform_verdict nvme_feat_aec(struct conform_ctx *ctx);
enum conform_verdict nvme_feat_irq_coalescing(struct conform_ctx *ctx);
enum conform_verdict nvme_feat_timestamp(struct conform_ctx *ctx);
enum conform_verdict nvme_feat_bad_fid(struct conform_ctx *ctx);

/* suite_nvme_adm_log.c: Get Log Page */
enum conform_verdict nvme_log_error(struct conform_ctx *ctx);
enum conform_verdict nvme_log_smart(struct conform_ctx *ctx);
enum conform_verdict nvme_log_fw_slot(struct conform_ctx *ctx);
enum conform_verdict nvme_log_changed_ns(struct conform_ctx *ctx);
enum conform_verdict nvme_log_effects(struct conform_ctx *ctx);
enum conform_verdict nvme_log_bad_lid(struct conform_ctx *ctx);
enum conform_verdict nvme_log_offset_past(struct conform_ctx *ctx);
enum conform_verdict nvme_log_offset_part(struct conform_ctx *ctx);
enum conform_verdict nvme_log_offset_unaligned(struct conform_ctx *ctx);

/* suite_nvme_io.c: NVM command set I/O */
enum conform_verdict nvme_io_write_read(struct conform_ctx *ctx);
enum conform_verdict nvme_io_sizes(struct conform_ctx *ctx);
enum conform_verdict nvme_io_last_lba(struct conform_ctx *ctx);
enum conform_verdict nvme_io_nlb_zero(struct conform_ctx *ctx);
enum conform_verdict nvme_io_write_zeroes(struct conform_ctx *ctx);
enum conform_verdict nvme_io_dsm_read(struct conform_ctx *ctx);
enum conform_verdict nvme_io_compare_match(struct conform_ctx *ctx);
enum conform_verdict nvme_io_compare_miss(struct conform_ctx *ctx);
/* suite_nvme_io_bad.c: malformed I/O commands */
enum conform_verdict nvme_io_lba_past_end(struct conform_ctx *ctx);
enum conform_verdict nvme_io_lba_range_end(struct conform_ctx *ctx);
enum conform_verdict nvme_io_lba_wrap(struct conform_ctx *ctx);
enum conform_verdict nvme_io_nsid_zero(struct conform_ctx *ctx);
enum conform_verdict nvme_io_nsid_invalid(struct conform_ctx *ctx);
enum conform_verdict nvme_io_nsid_inactive(struct conform_ctx *ctx);
enum conform_verdict nvme_io_nsid_all_read(struct conform_ctx *ctx);
enum conform_verdict nvme_io_bad_opcode(struct conform_ctx *ctx);
enum conform_verdict nvme_io_over_mdts(struct conform_ctx *ctx);
enum conform_verdict nvme_io_reserved(struct conform_ctx *ctx);
enum conform_verdict nvme_io_flush(struct conform_ctx *ctx);
enum conform_verdict nvme_io_flush_all(struct conform_ctx *ctx);
enum conform_verdict nvme_io_flush_all_refused(struct conform_ctx *ctx);
enum conform_verdict nvme_io_vwc_fb(struct conform_ctx *ctx);
enum conform_verdict nvme_io_flush_nsid_zero(struct conform_ctx *ctx);
/* suite_nvme_io_queue.c: queue mechanics seen from I/O */
enum conform_verdict nvme_io_cqe_fields(struct conform_ctx *ctx);
enum conform_verdict nvme_io_sqhd(struct conform_ctx *ctx);
enum conform_verdict nvme_io_sq_full(struct conform_ctx *ctx);
enum conform_verdict nvme_io_cq_full(struct conform_ctx *ctx);
enum conform_verdict nvme_io_two_queues(struct conform_ctx *ctx);
enum conform_verdict nvme_io_cid_conflict(struct conform_ctx *ctx);

/* suite_nvme_dptr.c: data pointers (PRP, SGL) */
enum conform_verdict nvme_dptr_prp1_offset(struct conform_ctx *ctx);
enum conform_verdict nvme_dptr_prp1_unaligned(struct conform_ctx *ctx);
enum conform_verdict nvme_dptr_prp2_page(struct conform_ctx *ctx);
enum conform_verdict nvme_dptr_prp_list(struct conform_ctx *ctx);
enum conform_verdict nvme_dptr_prp2_offset(struct conform_ctx *ctx);
enum conform_verdict nvme_dptr_list_entry_offset(struct conform_ctx *ctx);
enum conform_verdict nvme_dptr_list_chain(struct conform_ctx *ctx);
enum conform_verdict nvme_dptr_prp_unmapped(struct conform_ctx *ctx);
enum conform_verdict nvme_dptr_list_unmapped(struct conform_ctx *ctx);
/* suite_nvme_dptr_sgl.c */
enum conform_verdict nvme_dptr_sgl_unsupported(struct conform_ctx *ctx);
enum conform_verdict nvme_dptr_sgl_block(struct conform_ctx *ctx);
enum conform_verdict nvme_dptr_sgl_segments(struct conform_ctx *ctx);
enum conform_verdict nvme_dptr_sgl_bad_type(struct conform_ctx *ctx);
enum conform_verdict nvme_dptr_sgl_short(struct conform_ctx *ctx);

/* suite_nvme_aen.c: asynchronous events */
enum conform_verdict nvme_aen_limit(struct conform_ctx *ctx);
enum conform_verdict nvme_aen_ns_added(struct conform_ctx *ctx);
enum conform_verdict nvme_aen_ns_removed(struct conform_ctx *ctx);
enum conform_verdict nvme_aen_masked(struct conform_ctx *ctx);
enum conform_verdict nvme_aen_rae(struct conform_ctx *ctx);

/* suite_nvme_fuse.c: fused operations */
enum conform_verdict nvme_fuse_cw_match(struct conform_ctx *ctx);
enum conform_verdict nvme_fuse_cw_miss(struct conform_ctx *ctx);
enum conform_verdict nvme_fuse_missing_second(struct conform_ctx *ctx);
enum conform_verdict nvme_fuse_missing_first(struct conform_ctx *ctx);
enum conform_verdict nvme_fuse_unsupported(struct conform_ctx *ctx);

/* suite_nvme_abort.c: Abort */
enum conform_verdict nvme_abrt_not_found(struct conform_ctx *ctx);
enum conform_verdict nvme_abrt_limit(struct conform_ctx *ctx);
enum conform_verdict nvme_abrt_queued(struct conform_ctx *ctx);

/* suite_nvme_io_util.c: the toolbox of the areas above */
#define NVME_IOU_OK NVME_SCT_SC(NVME_SCT_GENERIC, NVME_SC_SUCCESS)
/* A controller at stage IO (opts may be NULL) with a namespace of
 * min_blocks blocks or more: PASS with *dev, else the verdict (ERROR, N/A;
 * nothing left open). */
enum conform_verdict nvme_iou_open(struct conform_ctx *ctx, const struct conform_nvme_opts *opts,
				   uint64_t min_blocks, struct conform_nvme **dev);
/* An NVM command with SLBA, nlb blocks (a count; 0 leaves NLB 0) and PRPs. */
void nvme_iou_rw(struct nvme_sqe *sqe, uint8_t opc, uint32_t nsid, uint64_t slba, uint32_t nlb,
		 uint64_t prp1, uint64_t prp2);
/* PRP1/PRP2 for len bytes at bus (a list in new memory beyond two pages). */
int nvme_iou_prps(struct conform_nvme *dev, uint64_t bus, uint64_t len, uint64_t *prp1,
		  uint64_t *prp2);
/* Runs sqe on q and judges its status (want); the entry in *out if asked. */
enum conform_verdict nvme_iou_run(struct conform_nvme *dev, struct conform_nvme_q *q,
				  struct nvme_sqe *sqe, uint16_t want, const char *what,
				  struct nvme_cqe *out);
/* A successful opc of nlb blocks at slba of dev->nsid on io[0], data at bus. */
enum conform_verdict nvme_iou_xfer(struct conform_nvme *dev, uint8_t opc, uint64_t slba,
				   uint32_t nlb, uint64_t bus, const char *what);
/* PASS when the entry's status is one of wants[n]. */
enum conform_verdict nvme_iou_expect_any(struct conform_ctx *ctx, const struct nvme_cqe *cqe,
					 const uint16_t *wants, unsigned n, const char *what);
/* Closes dev and returns v; _alive also fails a PASS whose controller no
 * longer serves (conform_backend_alive). */
enum conform_verdict nvme_iou_close(struct conform_nvme *dev, enum conform_verdict v);
enum conform_verdict nvme_iou_close_alive(struct conform_nvme *dev, enum conform_verdict v);
/* Data patterns: a seed that differs per run, a buffer filled from it, and
 * whether a buffer is all one byte. */
uint32_t nvme_iou_seed(void);
void nvme_iou_fill(void *buf, uint64_t len, uint32_t seed);
bool nvme_iou_all(const void *buf, uint64_t len, uint8_t byte);
/* The lowest NSID of 1 .. NN that the active list does not hold: 0,
 * -ENOENT when every one is active, or the Identify's error. */
int nvme_iou_inactive_nsid(struct conform_nvme *dev, uint32_t *nsid);
/* A piece of a transfer's memory, in bus addresses. */
struct nvme_iou_piece {
	uint64_t bus;
	uint64_t len;
};
/* A data pointer under test both ways: writes a pattern of nlb blocks at
 * slba from the pieces through tmpl's data pointer and flags (PSDT), reads
 * them back with plain PRPs and compares; then reads them into the zeroed
 * pieces through tmpl and compares what lands in each. */
enum conform_verdict nvme_iou_layout_trip(struct conform_nvme *dev, const struct nvme_sqe *tmpl,
					  uint64_t slba, uint32_t nlb,
					  const struct nvme_iou_piece *p, unsigned n);
/* Writes nlb blocks of a pattern at slba and reads them back, compared. */
enum conform_verdict nvme_iou_round_trip(struct conform_nvme *dev, uint64_t slba, uint32_t nlb,
					 uint32_t seed);

#endif
