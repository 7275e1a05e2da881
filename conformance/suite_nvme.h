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

#endif
