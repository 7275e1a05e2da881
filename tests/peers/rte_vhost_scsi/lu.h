/* SPDX-License-Identifier: MIT */
/*
 * rte_vhost_scsi's logical unit: a direct-access block device (SBC-4) over a
 * disk in RAM or a file, answering the CDBs a Linux guest and sg3-utils send.
 * Written from SPC-5 / SBC-4 as this file's comments cite them, not from
 * lib/scsi or lib/spec: this peer is what our own SCSI code is checked
 * against, so it shares none of it. No DPDK in here; it runs on the poller.
 */
#ifndef RTE_VHOST_SCSI_LU_H
#define RTE_VHOST_SCSI_LU_H

#include <stdbool.h>
#include <stdint.h>

#include "../rte_vhost_disk.h"

#define RVS_CDB_SIZE   32 /* virtio 1.2 §5.6.4: cdb_size's default */
#define RVS_SENSE_LEN  18 /* SPC-5 §4.4.3: fixed format, no extra bytes */
#define RVS_SERIAL_MAX 20

struct rvs_lu {
	struct rvd_disk disk;
	uint32_t bs;	 /* logical block length */
	uint64_t blocks; /* capacity in logical blocks */
	char serial[RVS_SERIAL_MAX + 1];
	uint8_t target; /* in its NAA designator */
};

/* One command: its CDB and data buffers (bytes of c), and its answer. */
struct rvs_cmd {
	const uint8_t *cdb; /* RVS_CDB_SIZE bytes */
	struct rvd_chain *c;
	size_t out_off, out_len; /* dataout: [out_off, out_off+out_len) of c->out */
	size_t in_off, in_len;	 /* datain: [in_off, in_off+in_len) of c->in */
	/* Filled by rvs_lu_exec. */
	uint8_t response; /* virtio 1.2 §5.6.6.1.1: OK or OVERRUN */
	uint8_t status;	  /* SAM-5 status */
	uint8_t sense[RVS_SENSE_LEN];
	uint32_t sense_len;
	uint32_t residual;
	uint32_t in_written;
};

/* A LU of size_mb MiB of RAM (path NULL) or over the file at path, in
 * logical blocks of bs bytes (512 or 4096). 0 or a negative errno. */
int rvs_lu_open(struct rvs_lu *lu, const char *path, unsigned long size_mb, uint32_t bs,
		const char *serial, uint8_t target);
void rvs_lu_close(struct rvs_lu *lu);

/* Runs the command. lu NULL: the target has no LU at that LUN (SPC-5
 * §4.6.4: INQUIRY answers peripheral qualifier 011b, others LOGICAL UNIT NOT
 * SUPPORTED). Every target has one LU, LUN 0 (REPORT LUNS lists it). */
void rvs_lu_exec(struct rvs_lu *lu, struct rvs_cmd *cmd);

#endif
