/* SPDX-License-Identifier: MIT */
/*
 * virtio-scsi suite: the SBC-4 commands that move or drop data: READ and
 * WRITE (6, 10, 12, 16) at the edges of the medium, SYNCHRONIZE CACHE,
 * UNMAP, WRITE SAME and VERIFY.
 */
#include <string.h>

#include "conformance/suite_virtio_scsi.h"
#include "util/common.h"

static const uint16_t g_out_of_range[] = {SCSI_ASC_LBA_OUT_OF_RANGE};

/* WRITE with op at lba (the pattern), READ with rop back, compared. */
static enum conform_verdict roundtrip(struct scsi *s, uint8_t wop, uint8_t rop, uint64_t lba,
				      uint32_t nblocks, uint32_t cdb_blocks)
{
	uint32_t len = nblocks * s->block_len;
	uint8_t cdb[16];
	struct scsi_cmd c;
	unsigned n;

	n = scsi_cdb_rw(cdb, wop, lba, cdb_blocks);
	if (!scsi_cmd_init(s, &c, cdb, n, len, 0))
		return conform_error(s->ctx, "out of guest memory");
	scsi_pattern(s, lba, c.dout, len);
	if (scsi_cmd_run(s, SCSI_Q_REQ, &c) == 0 && scsi_unsupported(&c))
		return conform_not_applicable(s->ctx, "the LU does not implement opcode %02xh", wop);
	if (!scsi_good(s, &c, "the WRITE"))
		return conform_fail(s->ctx, "WRITE (opcode %02xh) of %u blocks at LBA %llu failed",
				    wop, nblocks, (unsigned long long)lba);
	n = scsi_cdb_rw(cdb, rop, lba, cdb_blocks);
	if (scsi_do(s, &c, cdb, n, NULL, 0, NULL, len) || !scsi_good(s, &c, "the READ"))
		return conform_fail(s->ctx, "READ (opcode %02xh) of %u blocks at LBA %llu failed",
				    rop, nblocks, (unsigned long long)lba);
	if (!scsi_pattern_check(s, lba, c.din, len))
		return conform_fail(s->ctx, "the data read back differs from what was written");
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_rw10)
{
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	return roundtrip(&s, SCSI_OP_WRITE_10, SCSI_OP_READ_10, scsi_scratch_lba(&s, 10) + 1, 8,
			 8);
}

SCSI_CASE(scsi_cdb_rw6_256)
{
	struct scsi s;
	uint64_t lba;

	SCSI_OPEN_LUN(&s, 1, 0);
	/* SBC-4 §5.15 / §5.42: TRANSFER LENGTH 0 in a 6-byte CDB is 256
	 * blocks; the LBA has 21 bits. */
	lba = MIN(scsi_scratch_lba(&s, 11), 0x1fffffull - 256);
	if (s.blocks < lba + 256 || 256ull * s.block_len > SCSI_MAX_DATA)
		return conform_not_applicable(ctx, "256 blocks of %u bytes do not fit",
					      s.block_len);
	return roundtrip(&s, SCSI_OP_WRITE_6, SCSI_OP_READ_6, lba, 256, 0);
}

SCSI_CASE(scsi_cdb_rw12)
{
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	return roundtrip(&s, SCSI_OP_WRITE_12, SCSI_OP_READ_12, scsi_scratch_lba(&s, 12) + 3, 5,
			 5);
}

SCSI_CASE(scsi_cdb_rw16_last)
{
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	/* The last two blocks, ending exactly at the capacity. */
	return roundtrip(&s, SCSI_OP_WRITE_16, SCSI_OP_READ_16, s.blocks - 2, 2, 2);
}

/* op of nblocks at lba, expected to fail with LBA OUT OF RANGE. */
static enum conform_verdict out_of_range(struct scsi *s, uint8_t op, uint64_t lba,
					 uint32_t nblocks, const char *what)
{
	uint32_t len = MIN(nblocks, 8u) * s->block_len;
	bool write = op == SCSI_OP_WRITE_10 || op == SCSI_OP_WRITE_16;
	uint8_t cdb[16];
	struct scsi_cmd c;
	unsigned n = scsi_cdb_rw(cdb, op, lba, nblocks);

	if (op == SCSI_OP_VERIFY_10 || op == SCSI_OP_VERIFY_16)
		len = 0; /* BYTCHK 0: no data */
	if (!scsi_cmd_init(s, &c, cdb, n, write ? len : 0, write ? 0 : len))
		return conform_error(s->ctx, "out of guest memory");
	/* Data no block near the end holds: LBA 0's pattern. */
	if (write)
		scsi_pattern(s, 0, c.dout, len);
	if (scsi_cmd_run(s, SCSI_Q_REQ, &c))
		return conform_fail(s->ctx, "%s got no answer", what);
	if (scsi_unsupported(&c))
		return conform_not_applicable(s->ctx, "the LU does not implement opcode %02xh", op);
	return scsi_expect_check(s, &c, what, SCSI_SK_ILLEGAL_REQUEST, g_out_of_range, 1);
}

SCSI_CASE(scsi_cdb_read_past_end)
{
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	return out_of_range(&s, SCSI_OP_READ_16, s.blocks, 1, "READ(16) at the capacity");
}

SCSI_CASE(scsi_cdb_read_straddle)
{
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	return out_of_range(&s, SCSI_OP_READ_10, s.blocks - 1, 2,
			    "READ(10) of the last block and one past it");
}

SCSI_CASE(scsi_cdb_write_past_end)
{
	enum conform_verdict v;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	/* The last block holds the pattern of the LBA before it: a device that
	 * writes what it can of the refused command changes it. */
	if (!scsi_write_pattern(&s, s.blocks - 1, 1))
		return conform_error(ctx, "the last block could not be written (trace)");
	v = out_of_range(&s, SCSI_OP_WRITE_16, s.blocks - 1, 2,
			 "WRITE(16) of the last block and one past it");
	if (v != CONFORM_PASS)
		return v;
	if (!scsi_read_check(&s, s.blocks - 1, 1))
		return conform_fail(ctx, "the refused WRITE(16) changed the last block");
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_read_lba_wrap)
{
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	/* LBA + length wraps around 2^64 back into the medium. */
	return out_of_range(&s, SCSI_OP_READ_16, UINT64_MAX, 2, "READ(16) at LBA 2^64 - 1");
}

SCSI_CASE(scsi_cdb_read_zero_len)
{
	uint8_t cdb[16];
	struct scsi_cmd c;
	struct scsi s;
	unsigned n;

	SCSI_OPEN_LUN(&s, 1, 0);
	/* SBC-4 §5.16: TRANSFER LENGTH 0 reads nothing and is no error. */
	n = scsi_cdb_rw(cdb, SCSI_OP_READ_10, scsi_scratch_lba(&s, 13), 0);
	if (scsi_do(&s, &c, cdb, n, NULL, 0, NULL, 0))
		return conform_fail(ctx, "READ(10) of 0 blocks got no answer");
	if (!scsi_good(&s, &c, "READ(10) of 0 blocks"))
		return conform_fail(ctx, "READ(10) of 0 blocks failed (trace)");
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_sync_cache)
{
	static const uint8_t ops[] = {SCSI_OP_SYNCHRONIZE_CACHE_10, SCSI_OP_SYNCHRONIZE_CACHE_16};
	uint8_t cdb[16];
	unsigned implemented = 0;
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (!scsi_write_pattern(&s, scsi_scratch_lba(&s, 14), 4))
		return conform_error(ctx, "the data could not be written (trace)");
	for (unsigned i = 0; i < ARRAY_SIZE(ops); i++) {
		/* NUMBER OF LOGICAL BLOCKS 0: to the end of the medium. */
		unsigned n = scsi_cdb_rw(cdb, ops[i], 0, 0);

		if (scsi_do(&s, &c, cdb, n, NULL, 0, NULL, 0))
			return conform_fail(ctx, "SYNCHRONIZE CACHE got no answer");
		if (scsi_unsupported(&c)) {
			conform_info(ctx, "opcode %02xh is not implemented", ops[i]);
			continue;
		}
		if (!scsi_good(&s, &c, "SYNCHRONIZE CACHE"))
			return conform_fail(ctx, "SYNCHRONIZE CACHE (opcode %02xh) failed", ops[i]);
		implemented++;
	}
	return implemented ? CONFORM_PASS
			   : conform_not_applicable(ctx, "the LU implements no SYNCHRONIZE CACHE");
}

/* Whether the LU reports UNMAP support (SBC-4 §6.6.6, LBPU in VPD B2h). */
static bool lbpu(struct scsi *s)
{
	uint8_t cdb[SCSI_HOST_CDB_MAX];
	struct scsi_host_vpd_lbp lbp;
	struct scsi_cmd c;

	scsi_host_cdb_inquiry(cdb, true, SCSI_VPD_LOGICAL_BLOCK_PROVISIONING, 64);
	return scsi_do(s, &c, cdb, 6, NULL, 0, NULL, 64) == 0 &&
	       c.resp->response == VIRTIO_SCSI_S_OK && c.resp->status == SCSI_STATUS_GOOD &&
	       scsi_host_parse_vpd_lbp(c.din, scsi_din_got(&c), &lbp) == 0 && lbp.lbpu;
}

/* UNMAP of one range (SBC-4 §5.32). 0 or a negative errno. */
static int unmap(struct scsi *s, struct scsi_cmd *c, uint64_t lba, uint32_t nblocks)
{
	const struct scsi_host_extent ext = {.lba = lba, .nblocks = nblocks};
	uint8_t cdb[SCSI_HOST_CDB_MAX], list[64];
	int len = scsi_host_unmap_param_build(list, sizeof(list), &ext, 1);

	if (len < 0)
		return len;
	scsi_host_cdb_unmap(cdb, (uint16_t)len);
	return scsi_do(s, c, cdb, 10, list, (uint32_t)len, NULL, 0);
}

SCSI_CASE(scsi_cdb_unmap)
{
	uint64_t lba;
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (!lbpu(&s))
		return conform_not_applicable(ctx, "the LU does not report UNMAP (LBPU)");
	lba = scsi_scratch_lba(&s, 15);
	if (!scsi_write_pattern(&s, lba, 8))
		return conform_error(ctx, "the data could not be written (trace)");
	if (unmap(&s, &c, lba + 2, 2) || !scsi_good(&s, &c, "UNMAP"))
		return conform_fail(ctx, "UNMAP of 2 blocks failed (trace)");
	/* What UNMAP does not name keeps its data. */
	if (!scsi_read_check(&s, lba, 2) || !scsi_read_check(&s, lba + 4, 4))
		return conform_fail(ctx, "blocks around the unmapped range lost their data");
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_unmap_past_end)
{
	struct scsi_cmd c;
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	if (!lbpu(&s))
		return conform_not_applicable(ctx, "the LU does not report UNMAP (LBPU)");
	if (unmap(&s, &c, s.blocks - 1, 2))
		return conform_fail(ctx, "UNMAP got no answer");
	return scsi_expect_check(&s, &c, "UNMAP of the last block and one past it",
				 SCSI_SK_ILLEGAL_REQUEST, g_out_of_range, 1);
}

SCSI_CASE(scsi_cdb_write_same)
{
	static const uint8_t ops[] = {SCSI_OP_WRITE_SAME_10, SCSI_OP_WRITE_SAME_16};
	uint8_t cdb[16];
	unsigned implemented = 0;
	struct scsi_cmd c;
	struct scsi s;
	uint64_t lba;

	SCSI_OPEN_LUN(&s, 1, 0);
	for (unsigned i = 0; i < ARRAY_SIZE(ops); i++) {
		unsigned n;

		lba = scsi_scratch_lba(&s, 16 + i);
		n = scsi_cdb_rw(cdb, ops[i], lba, 4);
		/* SBC-4 §5.48 / §5.49: one block of data, written to each of
		 * the 4. */
		if (!scsi_cmd_init(&s, &c, cdb, n, s.block_len, 0))
			return conform_error(ctx, "out of guest memory");
		scsi_pattern(&s, lba, c.dout, s.block_len);
		if (scsi_cmd_run(&s, SCSI_Q_REQ, &c))
			return conform_fail(ctx, "WRITE SAME got no answer");
		if (scsi_unsupported(&c)) {
			conform_info(ctx, "opcode %02xh is not implemented", ops[i]);
			continue;
		}
		if (!scsi_good(&s, &c, "WRITE SAME"))
			return conform_fail(ctx, "WRITE SAME (opcode %02xh) of 4 blocks failed",
					    ops[i]);
		n = scsi_cdb_rw(cdb, SCSI_OP_READ_16, lba, 4);
		if (scsi_do(&s, &c, cdb, n, NULL, 0, NULL, 4 * s.block_len) ||
		    !scsi_good(&s, &c, "READ(16)"))
			return conform_error(ctx, "the blocks could not be read back (trace)");
		for (unsigned b = 0; b < 4; b++)
			if (!scsi_pattern_check(&s, lba, c.din + b * s.block_len, s.block_len))
				return conform_fail(ctx, "WRITE SAME (opcode %02xh): block %u does "
							 "not hold the block sent",
						    ops[i], b);
		implemented++;
	}
	return implemented ? CONFORM_PASS
			   : conform_not_applicable(ctx, "the LU implements no WRITE SAME");
}

SCSI_CASE(scsi_cdb_verify)
{
	uint8_t cdb[16];
	struct scsi_cmd c;
	struct scsi s;
	unsigned n;

	SCSI_OPEN_LUN(&s, 1, 0);
	/* SBC-4 §5.34: BYTCHK 0, a medium verification without data. */
	n = scsi_cdb_rw(cdb, SCSI_OP_VERIFY_10, scsi_scratch_lba(&s, 18), 8);
	if (scsi_do(&s, &c, cdb, n, NULL, 0, NULL, 0))
		return conform_fail(ctx, "VERIFY(10) got no answer");
	if (scsi_unsupported(&c))
		return conform_not_applicable(ctx, "the LU does not implement VERIFY(10)");
	if (!scsi_good(&s, &c, "VERIFY(10)"))
		return conform_fail(ctx, "VERIFY(10) of 8 readable blocks failed (trace)");
	return CONFORM_PASS;
}

SCSI_CASE(scsi_cdb_verify_past_end)
{
	struct scsi s;

	SCSI_OPEN_LUN(&s, 1, 0);
	return out_of_range(&s, SCSI_OP_VERIFY_16, s.blocks - 1, 2,
			    "VERIFY(16) of the last block and one past it");
}
