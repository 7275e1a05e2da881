/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_CONFORMANCE_SUITE_VIRTIO_SCSI_H
#define STORLAB_CONFORMANCE_SUITE_VIRTIO_SCSI_H

/*
 * Inside the virtio-scsi suite (OASIS virtio 1.2 §5.6, with the SCSI
 * commands of SPC-5 / SBC-4 / SAM-5 it carries): the helpers every area file
 * uses (suite_virtio_scsi_util.c) and the case functions the table in
 * suite_virtio_scsi.c lists.
 *
 * Queues (§5.6.2): 0 is the controlq, 1 the eventq, 2 and up the request
 * queues. A command is laid out request header | dataout | response |
 * datain, each its own descriptor (§5.6.6.1); a case that wants another
 * layout builds the chain itself with the virtio-blk suite's chain helpers
 * (struct blk_chain: they only drive the rings, and serve any device).
 */

#include <stdbool.h>
#include <stdint.h>

#include "conformance/conform.h"
#include "conformance/suite_virtio_blk.h"
#include "scsi/scsi_host.h"
#include "spec/scsi.h"
#include "spec/virtio_scsi.h"

#define SCSI_Q_CTRL  VIRTIO_SCSI_CONTROLQ
#define SCSI_Q_EVENT VIRTIO_SCSI_EVENTQ
#define SCSI_Q_REQ   VIRTIO_SCSI_REQUESTQ_FIRST
/* A response byte the device never writes: "not written". */
#define SCSI_RESP_UNSET 0xa5
/* The data of one command of the cases: at most 1 MiB. */
#define SCSI_MAX_DATA (1u << 20)

/* One case's device, and the logical unit its commands go to. */
struct scsi {
	/* The rings, driven by the virtio-blk suite's chain helpers (only its
	 * ctx and dev are set). */
	struct blk io;
	struct conform_ctx *ctx;
	struct conform_dev *dev;
	struct virtio_scsi_config cfg;
	uint32_t seed; /* of this case's data patterns */
	/* The logical unit under test (scsi_open_lun): target 0's first LUN
	 * in REPORT LUNS, its capacity from READ CAPACITY. */
	uint8_t target;
	uint16_t lun;
	uint64_t blocks;
	uint32_t block_len;
};

/* A command request and its response, each part its own buffer. */
struct scsi_cmd {
	struct virtio_scsi_cmd_req *req;
	uint64_t req_gpa;
	uint8_t *dout;
	uint64_t dout_gpa;
	uint32_t dout_len;
	struct virtio_scsi_cmd_resp *resp;
	uint64_t resp_gpa;
	uint8_t *din;
	uint64_t din_gpa;
	uint32_t din_len;
	uint32_t used_len; /* after scsi_cmd_run */
};

/* Brings the device up with nreq request queues (every virtio-scsi feature
 * the suite drives but drop_features). false with *v set (N/A when the
 * back-end has fewer queues, ERROR otherwise) when it cannot. */
bool scsi_open(struct conform_ctx *ctx, struct scsi *s, uint16_t nreq, uint64_t drop_features,
	       enum conform_verdict *v);
/* scsi_open, then the logical unit under test: REPORT LUNS on target 0 (a
 * unit attention is taken and the command repeated) and READ CAPACITY. */
bool scsi_open_lun(struct conform_ctx *ctx, struct scsi *s, uint16_t nreq, uint64_t drop_features,
		   enum conform_verdict *v);
bool scsi_has(const struct scsi *s, unsigned feature);
/* REPORT LUNS (all) on the LU's target, read with lib/scsi's parser: up to
 * max raw LUNs into luns, *n of them. 0, -EIO (the command failed, noted),
 * -EPROTO (its data is malformed) or another negative errno. */
int scsi_report_luns(struct scsi *s, struct scsi_cmd *c, uint64_t *luns, size_t max, size_t *n);

/* Buffers of a command for the LU under test (target / lun of s; a case
 * may patch req->lun), with cdb (cdb_len bytes, the rest 0). false (noted)
 * when guest memory ran out. */
bool scsi_cmd_init(struct scsi *s, struct scsi_cmd *c, const uint8_t *cdb, unsigned cdb_len,
		   uint32_t dout_len, uint32_t din_len);
/* The ordinary chain of c: header, dataout, response, datain. */
void scsi_cmd_chain(const struct scsi_cmd *c, struct blk_chain *chain);
/* Runs c on queue q (laid out the ordinary way): 0 once it is used, or a
 * negative errno (noted). */
int scsi_cmd_run(struct scsi *s, uint16_t q, struct scsi_cmd *c);
/* A command on the LU under test, on the first request queue: dout copied
 * in, din (may be NULL) copied out. 0 or a negative errno; c keeps the
 * response. */
int scsi_do(struct scsi *s, struct scsi_cmd *c, const uint8_t *cdb, unsigned cdb_len,
	    const void *dout, uint32_t dout_len, void *din, uint32_t din_len);

/* The sense data of c's response (sense_len bytes of it, at most the
 * buffer, lib/scsi's parser); false when there is none a reader could take. */
bool scsi_sense_get(const struct scsi_cmd *c, struct scsi_host_sense *sense);
/* The bytes of c's datain the device says it filled: din_len - residual. */
uint32_t scsi_din_got(const struct scsi_cmd *c);
/* "OK/GOOD", "OK/CHECK CONDITION 5/24/00", "BAD_TARGET", ... into buf. */
const char *scsi_outcome(const struct scsi_cmd *c, char *buf, unsigned len);
/* The LU answered c with INVALID COMMAND OPERATION CODE (SPC-5 §4.2.5.1):
 * it does not implement the command. Cases of commands SBC-4 makes optional
 * (6- and 12-byte READ/WRITE, WRITE SAME, VERIFY, SYNCHRONIZE CACHE, START
 * STOP UNIT) are then N/A, never failed: the suite checks the commands a
 * device supports. */
bool scsi_unsupported(const struct scsi_cmd *c);
/* response OK and status GOOD; else false with a note naming what. */
bool scsi_good(struct scsi *s, const struct scsi_cmd *c, const char *what);
/* The verdict of a command that must end in CHECK CONDITION with sense key
 * key and one of the ASC/ASCQ values asc[n] (SCSI_ASCQ; ascq 0xff in the
 * list: any ASCQ of that ASC): PASS, or fail_level's failure (FAIL). */
enum conform_verdict scsi_expect_check(struct scsi *s, const struct scsi_cmd *c, const char *what,
				       uint8_t key, const uint16_t *asc, unsigned n);

/* The CDB of op (READ, WRITE, VERIFY, WRITE SAME, SYNCHRONIZE CACHE, any
 * size; SBC-4 §5) at lba for nblocks blocks into cdb (SCSI_HOST_CDB_MAX
 * bytes), through lib/scsi's builders where it has one; the CDB's length.
 * Fields too small for lba or nblocks get their low bits (cases that go
 * past the end mean it). */
unsigned scsi_cdb_rw(uint8_t *cdb, uint8_t op, uint64_t lba, uint32_t nblocks);

/* A pattern that depends on the case's seed, the LBA and the byte. */
void scsi_pattern(const struct scsi *s, uint64_t lba, void *buf, uint32_t len);
/* Writes the pattern with WRITE(16) / reads it back with READ(16). */
bool scsi_write_pattern(struct scsi *s, uint64_t lba, uint32_t nblocks);
bool scsi_read_check(struct scsi *s, uint64_t lba, uint32_t nblocks);
/* Compares buf with the pattern of lba; false with a note of the first
 * difference. */
bool scsi_pattern_check(struct scsi *s, uint64_t lba, const void *buf, uint32_t len);
/* An LBA for this case's data, spread over the LU by slot. */
uint64_t scsi_scratch_lba(const struct scsi *s, unsigned slot);

/* A task management function on the controlq for the LU under test:
 * 0 with its response byte, or a negative errno. Not waited for when
 * cookie_only: the case waits (blk_wait_cookie on SCSI_Q_CTRL, cookie r). */
struct scsi_tmf {
	struct virtio_scsi_ctrl_tmf_req *req;
	uint64_t req_gpa;
	uint8_t *resp;
	uint64_t resp_gpa;
};
bool scsi_tmf_init(struct scsi *s, struct scsi_tmf *t, uint32_t subtype, uint64_t id);
int scsi_tmf_run(struct scsi *s, struct scsi_tmf *t);

/* The end of a malformed-input case: a TEST UNIT READY / READ on the LU
 * must complete, and the back-end must accept connections (PASS), else
 * FAIL. */
enum conform_verdict scsi_keeps_serving(struct scsi *s);

/* Opens a device in a case (ctx in scope) or returns its verdict. */
#define SCSI_OPEN(s, nreq, drop)                                                                   \
	do {                                                                                       \
		enum conform_verdict v_;                                                           \
		if (!scsi_open(ctx, (s), (nreq), (drop), &v_))                                     \
			return v_;                                                                 \
	} while (0)
#define SCSI_OPEN_LUN(s, nreq, drop)                                                               \
	do {                                                                                       \
		enum conform_verdict v_;                                                           \
		if (!scsi_open_lun(ctx, (s), (nreq), (drop), &v_))                                 \
			return v_;                                                                 \
	} while (0)

/* ---- The cases (one function each; table in suite_virtio_scsi.c) ---- */
#define SCSI_CASE(fn) enum conform_verdict fn(struct conform_ctx *ctx)

/* suite_virtio_scsi_cfg.c: configuration space, §5.6.4 */
SCSI_CASE(scsi_cfg_sense_size);
SCSI_CASE(scsi_cfg_cdb_size);
SCSI_CASE(scsi_cfg_max_channel);
SCSI_CASE(scsi_cfg_max_target);
SCSI_CASE(scsi_cfg_max_lun);
SCSI_CASE(scsi_cfg_num_queues);
SCSI_CASE(scsi_cfg_last_queue_serves);
SCSI_CASE(scsi_cfg_event_info_size);

/* suite_virtio_scsi_req.c: the request queues, §5.6.6.1 */
SCSI_CASE(scsi_req_response_defined);
SCSI_CASE(scsi_req_status_sam);
SCSI_CASE(scsi_req_bad_target);
SCSI_CASE(scsi_req_inout_unnegotiated);
SCSI_CASE(scsi_req_overrun_reported);
SCSI_CASE(scsi_req_sense_len_bound);
SCSI_CASE(scsi_req_residual_zero);
SCSI_CASE(scsi_req_residual_short);
SCSI_CASE(scsi_req_read_into_readable);
SCSI_CASE(scsi_req_write_from_writable);
SCSI_CASE(scsi_req_read_wrong_dir_status);
SCSI_CASE(scsi_req_cdb_overlong);
SCSI_CASE(scsi_req_short_header);
SCSI_CASE(scsi_req_no_response_buffer);
SCSI_CASE(scsi_req_task_attr);
SCSI_CASE(scsi_req_report_luns_wlun);
SCSI_CASE(scsi_req_unknown_lun);
SCSI_CASE(scsi_req_queues_independent);
SCSI_CASE(scsi_req_used_len);

/* suite_virtio_scsi_cdb.c and _cdb_rw.c: SCSI commands, SPC-5 / SBC-4 */
SCSI_CASE(scsi_cdb_inquiry_std);
SCSI_CASE(scsi_cdb_inquiry_alloc_short);
SCSI_CASE(scsi_cdb_vpd_supported);
SCSI_CASE(scsi_cdb_vpd_pages);
SCSI_CASE(scsi_cdb_inquiry_page_no_evpd);
SCSI_CASE(scsi_cdb_vpd_unsupported);
SCSI_CASE(scsi_cdb_report_luns);
SCSI_CASE(scsi_cdb_report_luns_short);
SCSI_CASE(scsi_cdb_test_unit_ready);
SCSI_CASE(scsi_cdb_read_capacity);
SCSI_CASE(scsi_cdb_read_capacity_sa_bad);
SCSI_CASE(scsi_cdb_rw10);
SCSI_CASE(scsi_cdb_rw6_256);
SCSI_CASE(scsi_cdb_rw12);
SCSI_CASE(scsi_cdb_rw16_last);
SCSI_CASE(scsi_cdb_read_past_end);
SCSI_CASE(scsi_cdb_read_straddle);
SCSI_CASE(scsi_cdb_write_past_end);
SCSI_CASE(scsi_cdb_read_lba_wrap);
SCSI_CASE(scsi_cdb_read_zero_len);
SCSI_CASE(scsi_cdb_sync_cache);
SCSI_CASE(scsi_cdb_unmap);
SCSI_CASE(scsi_cdb_unmap_past_end);
SCSI_CASE(scsi_cdb_write_same);
SCSI_CASE(scsi_cdb_mode_sense6);
SCSI_CASE(scsi_cdb_mode_sense10);
SCSI_CASE(scsi_cdb_request_sense);
SCSI_CASE(scsi_cdb_start_stop);
SCSI_CASE(scsi_cdb_verify);
SCSI_CASE(scsi_cdb_verify_past_end);
SCSI_CASE(scsi_cdb_unknown_opcode);
SCSI_CASE(scsi_cdb_sense_format);

/* suite_virtio_scsi_tmf.c: the controlq, §5.6.6.2 */
SCSI_CASE(scsi_tmf_lu_reset_idle);
SCSI_CASE(scsi_tmf_lu_reset_inflight);
SCSI_CASE(scsi_tmf_it_reset_inflight);
SCSI_CASE(scsi_tmf_abort_task_inflight);
SCSI_CASE(scsi_tmf_abort_task_set_inflight);
SCSI_CASE(scsi_tmf_abort_unknown_id);
SCSI_CASE(scsi_tmf_bad_target);
SCSI_CASE(scsi_tmf_unknown_subtype);
SCSI_CASE(scsi_tmf_unknown_type);
SCSI_CASE(scsi_tmf_an_query);
SCSI_CASE(scsi_tmf_short_request);
SCSI_CASE(scsi_tmf_reset_unit_attention);
SCSI_CASE(scsi_tmf_reset_keeps_data);
SCSI_CASE(scsi_tmf_abort_task_whole);
SCSI_CASE(scsi_tmf_lu_reset_whole);

/* suite_virtio_scsi_evt.c: the eventq, §5.6.6.3 */
SCSI_CASE(scsi_evt_no_hotplug_events);
SCSI_CASE(scsi_evt_well_formed);
SCSI_CASE(scsi_evt_short_buffer);
SCSI_CASE(scsi_evt_hot_add);
SCSI_CASE(scsi_evt_hot_remove);
SCSI_CASE(scsi_evt_missed);

#endif
