/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_SCSI_SCSI_DEV_H
#define STORLAB_SCSI_SCSI_DEV_H

/*
 * SCSI target emulation of a direct-access block device (T10 SAM-5, SPC-5,
 * SBC-4), as pure code: no bdev, no reactor, no allocation. A logical unit
 * is described by its properties (struct scsi_lun_props, filled by the
 * frontend from its bdev and bdev_get_limits()). scsi_dev_exec() decodes
 * one CDB and says what the frontend must do:
 *
 *   SCSI_DEV_OP_DONE        the command is answered: status and sense (for
 *                           CHECK CONDITION) are in the task, and data-in
 *                           (xfer_len bytes, already cut to the CDB's
 *                           allocation length) in the caller's buffer;
 *   SCSI_DEV_OP_READ/WRITE  transfer num_blocks from lba (FUA: stable
 *                           before GOOD), bounds already checked;
 *   SCSI_DEV_OP_FLUSH       make the volatile cache stable;
 *   SCSI_DEV_OP_UNMAP       fetch xfer_len bytes of data-out and hand them
 *                           to scsi_dev_unmap_parse();
 *   SCSI_DEV_OP_WRITE_SAME  fetch the one block of data-out (none with
 *                           NDOB: zeroes) and write or unmap it over
 *                           num_blocks from lba.
 *
 * Failures the frontend meets later (a bdev error, a short buffer) are
 * answered with scsi_task_set_check().
 *
 * Unit attention conditions (SAM-5 §5.14) are kept per logical unit (one
 * I_T nexus: a virtio-scsi controller has one initiator) as a bit set that
 * several reactors update with atomic operations.
 *
 * Threads: any; a struct scsi_lun is shared by the queues of a controller,
 * its props are fixed while it is reachable except num_blocks, which
 * scsi_lun_resize() changes atomically.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for any sense data we build: fixed format is 18 bytes, descriptor
 * format 8 + 12 (the information descriptor). */
#define SCSI_DEV_SENSE_MAX 32
/* The largest emulated answer (REPORT LUNS of SCSI_DEV_MAX_LUNS, INQUIRY
 * VPD pages, MODE SENSE of every page): the caller's data-in buffer. */
#define SCSI_DEV_DATA_MAX 1024
/* LUNs one target reports at most (REPORT LUNS fits SCSI_DEV_DATA_MAX). */
#define SCSI_DEV_MAX_LUNS 64
/* UNMAP block descriptors one command may carry (Block Limits VPD page,
 * MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT): a request slot holds them. */
#define SCSI_DEV_UNMAP_DESC_MAX 32

struct scsi_lun_props {
	uint32_t block_size; /* a power of two, 512..65536 */
	uint64_t num_blocks;
	uint32_t max_transfer_blocks;	  /* of one READ / WRITE; >= 1 */
	uint32_t optimal_transfer_blocks; /* 0: no preference */
	uint32_t max_unmap_blocks;	  /* of one UNMAP descriptor / WRITE SAME */
	bool read_only;
	bool write_cache;  /* volatile cache: SYNCHRONIZE CACHE has work, WCE */
	bool unmap;	   /* UNMAP, WRITE SAME with UNMAP */
	bool unmap_zeroes; /* unmapped blocks read as zeroes (LBPRZ) */
	bool write_zeroes; /* WRITE SAME of a zero block without a transfer */
	/* The control mode page's D_SENSE: descriptor format sense data
	 * (SPC-5 §4.4.1); default fixed. */
	bool descriptor_sense;
	char vendor[9]; /* T10 vendor identification, ASCII */
	char product[17];
	char revision[5];
	char serial[33]; /* unit serial number page 80h */
	uint64_t naa;	 /* NAA IEEE Registered designator (NAA 5h), page 83h */
};

/* Unit attention conditions, in the order they are reported (SAM-5 §5.14:
 * a power on or reset first). */
enum scsi_ua {
	SCSI_UA_POWER_ON = 1u << 0,	    /* 29h/00h */
	SCSI_UA_LUN_RESET = 1u << 1,	    /* 29h/03h BUS DEVICE RESET FUNCTION OCCURRED */
	SCSI_UA_NEXUS_LOSS = 1u << 2,	    /* 29h/07h I_T NEXUS LOSS OCCURRED */
	SCSI_UA_CAPACITY_CHANGED = 1u << 3, /* 2Ah/09h */
	SCSI_UA_LUNS_CHANGED = 1u << 4,	    /* 3Fh/0Eh REPORTED LUNS DATA HAS CHANGED */
};

struct scsi_lun {
	struct scsi_lun_props props; /* num_blocks: atomic (scsi_lun_resize) */
	uint32_t ua;		     /* enum scsi_ua bits, atomic */
};

/* The LUNs of the target a command was sent to, ascending, for REPORT LUNS. */
struct scsi_lun_list {
	const uint16_t *luns;
	unsigned n;
};

enum scsi_dev_op {
	SCSI_DEV_OP_DONE,
	SCSI_DEV_OP_READ,
	SCSI_DEV_OP_WRITE,
	SCSI_DEV_OP_FLUSH,
	SCSI_DEV_OP_UNMAP,
	SCSI_DEV_OP_WRITE_SAME,
};

struct scsi_task {
	enum scsi_dev_op op;
	uint8_t opcode;
	uint64_t lba;
	uint32_t num_blocks;
	bool fua;
	bool ws_unmap; /* WRITE SAME: UNMAP bit */
	bool ws_ndob;  /* WRITE SAME(16): no data-out buffer, the block is zeroes */
	/* Data the command moves: data-in bytes written (DONE), or data-out
	 * bytes it takes (WRITE, UNMAP, WRITE SAME). */
	uint32_t xfer_len;
	uint8_t status; /* SAM-5 §5.3 */
	uint8_t sense_len;
	uint8_t sense[SCSI_DEV_SENSE_MAX];
};

/* One UNMAP descriptor, checked against the LUN. */
struct scsi_unmap_range {
	uint64_t lba;
	uint32_t num_blocks;
};

/* A new logical unit: props copied, the power-on unit attention pending
 * (SAM-5 §5.14: a logical unit reports its power on first). */
void scsi_lun_init(struct scsi_lun *lun, const struct scsi_lun_props *props);
/* Establishes unit attention conditions (enum scsi_ua bits). */
void scsi_lun_set_ua(struct scsi_lun *lun, uint32_t ua);
/* The capacity changed: num_blocks, and CAPACITY DATA HAS CHANGED pending. */
void scsi_lun_resize(struct scsi_lun *lun, uint64_t num_blocks);
uint64_t scsi_lun_num_blocks(const struct scsi_lun *lun);

/*
 * Decodes and, where it is emulated, answers one command. lun: the
 * addressed logical unit, NULL if the target has none at that LUN (SPC-5
 * §6.7.2, SAM-5 §5.9: INQUIRY answers peripheral qualifier 011b, REPORT
 * LUNS and REQUEST SENSE answer, the rest LOGICAL UNIT NOT SUPPORTED).
 * luns: the target's LUNs, read by REPORT LUNS only (a caller on a fast
 * path may fill it for that opcode alone). cdb_len: the bytes of cdb that
 * are there. data: SCSI_DEV_DATA_MAX bytes for data-in. Always fills t
 * (status GOOD unless CHECK CONDITION).
 */
void scsi_dev_exec(struct scsi_lun *lun, const struct scsi_lun_list *luns, const uint8_t *cdb,
		   size_t cdb_len, uint8_t *data, struct scsi_task *t);

/*
 * An UNMAP parameter list (SBC-4 §5.32.2) of len bytes (what arrived of
 * the t->xfer_len the CDB announced). Returns how many ranges it put in
 * ranges[SCSI_DEV_UNMAP_DESC_MAX] (descriptors of 0 blocks dropped), or -1
 * with t answered with CHECK CONDITION.
 */
int scsi_dev_unmap_parse(const struct scsi_lun *lun, const uint8_t *param, size_t len,
			 struct scsi_unmap_range *ranges, struct scsi_task *t);

/* Answers t with CHECK CONDITION, sense key and ASC/ASCQ (SCSI_ASC_*), in
 * the format the LUN's D_SENSE asks for (SPC-5 §4.4.1). */
void scsi_task_set_check(struct scsi_task *t, bool descriptor, uint8_t key, uint16_t asc);
/* Sense data of key / ASC into buf (SCSI_DEV_SENSE_MAX bytes); returns its
 * length. */
uint8_t scsi_sense_build(uint8_t *buf, bool descriptor, uint8_t key, uint16_t asc);

/* A LUN number as the single level LUN structure of REPORT LUNS (SAM-5
 * §4.7: peripheral addressing below 256, flat space addressing above). */
void scsi_lun_encode(uint16_t lun, uint8_t out[8]);

#endif
