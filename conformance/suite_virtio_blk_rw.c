/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk suite: reads and writes (virtio 1.2 §5.2.6), the edges of the
 * device, flush, request types the device does not support, read-only
 * devices and the used length (§2.7.8).
 */
#include <errno.h>
#include <string.h>

#include "conformance/suite_virtio_blk.h"
#include "util/common.h"

/* Write a pattern, read it back (§5.2.6: IN returns what OUT wrote). */
static enum conform_verdict roundtrip(struct blk *b, uint64_t sector, uint32_t len)
{
	/* The notes say which status a request got. */
	if (!blk_write_pattern(b, 0, sector, len))
		return conform_fail(b->ctx,
				    "the write of %u bytes at sector %llu did not complete OK", len,
				    (unsigned long long)sector);
	if (!blk_read_check(b, 0, sector, len, false))
		return conform_fail(b->ctx, "%u bytes at sector %llu did not read back as written",
				    len, (unsigned long long)sector);
	return CONFORM_PASS;
}

BLK_CASE(blk_rw_roundtrip)
{
	struct blk b;

	BLK_OPEN(&b, 1, 0);
	/* An odd sector when the unit is 512 bytes. */
	return roundtrip(&b, blk_scratch_sector(&b, 1) + 3 * b.unit_sectors, MAX(4096u, b.unit));
}

BLK_CASE(blk_rw_large)
{
	struct blk b;

	BLK_OPEN(&b, 1, 0);
	return roundtrip(&b, blk_scratch_sector(&b, 2), 256 * 1024);
}

/* ---- The edges of the device: one function, one table row per case ---- */

struct bound {
	/* Start: `off` units from the start, or back from capacity when
	 * from_end; `units` long (a unit: 512 bytes or blk_size). */
	bool from_end;
	uint64_t off;
	uint32_t units;
	uint32_t type; /* the request whose status is checked */
};

static enum conform_verdict bound_run(struct conform_ctx *ctx, const struct bound *t)
{
	uint64_t sector, sectors;
	uint32_t len;
	uint8_t *buf;
	struct blk b;
	int st;

	/* Rows inside the device write and read back; reads outside do not
	 * write (blk_keeps_serving reads only on a read-only device). */
	BLK_OPEN_MODE(&b, 1, 0, t->type == VIRTIO_BLK_T_IN);
	len = t->units * b.unit;
	sectors = (uint64_t)t->units * b.unit_sectors;
	sector = t->from_end ? b.capacity - t->off * b.unit_sectors : t->off * b.unit_sectors;
	if (t->off > UINT64_MAX / 1024)
		sector = t->off; /* the overflow row: as is */
	if (sector < b.capacity && sectors <= b.capacity - sector)
		return roundtrip(&b, sector, len);
	buf = blk_alloc(&b, len, NULL);
	if (!buf)
		return conform_error(ctx, "out of guest memory");
	blk_pattern(&b, sector, buf, len);
	conform_note(ctx, "capacity %llu sectors; %s of %u sector(s) at %llu",
		     (unsigned long long)b.capacity, t->type == VIRTIO_BLK_T_IN ? "read" : "write",
		     (unsigned)sectors, (unsigned long long)sector);
	st = blk_do(&b, 0, t->type, sector, buf, len);
	if (st < 0)
		return conform_fail(ctx, "no answer: %s", blk_status_name(st));
	/* §5.2.6.1 forbids the request; §5.2.6 names IOERR for driver errors. */
	if (st != VIRTIO_BLK_S_IOERR)
		return conform_fail(ctx, "status %s, expected IOERR", blk_status_name(st));
	return blk_keeps_serving(&b, 0);
}

static const struct bound g_bounds[] = {
    {false, 0, 1, VIRTIO_BLK_T_OUT},
    {true, 1, 1, VIRTIO_BLK_T_OUT},
    {true, 0, 1, VIRTIO_BLK_T_IN},
    {true, 0, 1, VIRTIO_BLK_T_OUT},
    {true, 1, 2, VIRTIO_BLK_T_IN},
    {true, 1, 2, VIRTIO_BLK_T_OUT},
    /* sector * 512 wraps to 512: a device that computes the byte offset
     * before checking the range reads sector 1. */
    {false, (1ULL << 55) + 1, 1, VIRTIO_BLK_T_IN}, /* sectors, not units */
};

BLK_CASE(blk_rw_first_sector)
{
	return bound_run(ctx, &g_bounds[0]);
}
BLK_CASE(blk_rw_last_sector)
{
	return bound_run(ctx, &g_bounds[1]);
}
BLK_CASE(blk_rw_read_past_end)
{
	return bound_run(ctx, &g_bounds[2]);
}
BLK_CASE(blk_rw_write_past_end)
{
	return bound_run(ctx, &g_bounds[3]);
}
BLK_CASE(blk_rw_read_straddle)
{
	return bound_run(ctx, &g_bounds[4]);
}
BLK_CASE(blk_rw_write_straddle)
{
	return bound_run(ctx, &g_bounds[5]);
}
BLK_CASE(blk_rw_far_past_end)
{
	return bound_run(ctx, &g_bounds[6]);
}

/* A request with no data descriptor at all: header and status. */
static enum conform_verdict zero_length(struct conform_ctx *ctx, uint32_t type)
{
	struct blk b;
	int st;

	BLK_OPEN_MODE(&b, 1, 0, type == VIRTIO_BLK_T_IN);
	st = blk_do(&b, 0, type, blk_scratch_sector(&b, 3), NULL, 0);
	if (st != VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "status %s, expected OK", blk_status_name(st));
	return CONFORM_PASS;
}

BLK_CASE(blk_rw_zero_length_read)
{
	return zero_length(ctx, VIRTIO_BLK_T_IN);
}
BLK_CASE(blk_rw_zero_length_write)
{
	return zero_length(ctx, VIRTIO_BLK_T_OUT);
}

BLK_CASE(blk_rw_unaligned_blk_size)
{
	struct blk b;

	BLK_OPEN(&b, 1, 0);
	if (!blk_has(&b, VIRTIO_BLK_F_BLK_SIZE) || b.cfg.blk_size <= VIRTIO_BLK_SECTOR_SIZE)
		return conform_not_applicable(ctx,
					      "blk_size is %u: every 512-byte request is "
					      "aligned to it",
					      blk_has(&b, VIRTIO_BLK_F_BLK_SIZE) ? b.cfg.blk_size
										 : 512);
	/* §5.2.5: blk_size is a hint; the protocol's unit stays 512 bytes. */
	return roundtrip(&b, blk_scratch_sector(&b, 4) + 1, VIRTIO_BLK_SECTOR_SIZE);
}

BLK_CASE(blk_rw_partial_sector)
{
	struct blk b;
	int st;

	BLK_OPEN_RO(&b, 1, 0);
	/* §5.2.6.1: the driver MUST NOT; the answer is the device's choice. */
	st = blk_do(&b, 0, VIRTIO_BLK_T_IN, blk_scratch_sector(&b, 5), NULL, 100);
	conform_note(ctx, "a read of 100 bytes: %s", blk_status_name(st));
	if (st == VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "a read of 100 bytes completed OK: the device cannot "
					 "have read part of a sector");
	return blk_keeps_serving(&b, 0);
}

BLK_CASE(blk_rw_flush_after_write)
{
	uint64_t sector;
	struct blk b;
	int st;

	BLK_OPEN(&b, 1, 0);
	sector = blk_scratch_sector(&b, 6);
	if (!blk_write_pattern(&b, 0, sector, 8192))
		return conform_fail(ctx, "the write before the flush failed");
	/* §5.2.6.1: sector 0, no data. */
	st = blk_do(&b, 0, VIRTIO_BLK_T_FLUSH, 0, NULL, 0);
	if (st != VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "FLUSH: %s, expected OK", blk_status_name(st));
	if (!blk_read_check(&b, 0, sector, 8192, false))
		return conform_fail(ctx, "the data written before the flush did not read back");
	return CONFORM_PASS;
}

/* ---- Request types the device does not support: one table ---- */

struct unsupp {
	uint32_t type;
	unsigned feature;      /* N/A when offered (0: none) */
	uint64_t drop_feature; /* not acknowledged, so the type is not negotiated */
	uint32_t data_len;     /* a well-formed request of that type otherwise */
	bool data_writable;
};

static enum conform_verdict unsupp_run(struct conform_ctx *ctx, const struct unsupp *t)
{
	struct virtio_blk_discard_write_zeroes seg = {.sector = 0, .num_sectors = 1};
	struct blk_chain c;
	struct blk_req r;
	struct blk b;
	int st;

	if (t->feature && (conform_offered_features(ctx) & VIRTIO_BIT(t->feature)))
		return conform_not_applicable(ctx, "feature bit %u is offered", t->feature);
	BLK_OPEN_RO(&b, 1, t->drop_feature ? VIRTIO_BIT(t->drop_feature) : 0);
	if (!blk_req_init(&b, &r, t->type, 0, t->data_len))
		return conform_error(ctx, "out of guest memory");
	if (t->data_len == sizeof(seg))
		memcpy(r.data, &seg, sizeof(seg));
	r.data_writable = t->data_writable;
	blk_req_chain(&r, &c);
	if (blk_chain_run(&b, 0, &c, &r, NULL))
		return conform_fail(ctx, "no answer to request type %u", t->type);
	st = *r.status;
	if (st != VIRTIO_BLK_S_UNSUPP)
		return conform_fail(ctx, "request type %u: %s, expected UNSUPP", t->type,
				    blk_status_name(st));
	return CONFORM_PASS;
}

static const struct unsupp g_unsupp[] = {
    {0xff, 0, 0, 0, false},
    {VIRTIO_BLK_T_FLUSH, VIRTIO_BLK_F_FLUSH, 0, 0, false},
    {VIRTIO_BLK_T_GET_LIFETIME, VIRTIO_BLK_F_LIFETIME, 0, 8, true},
    {VIRTIO_BLK_T_SECURE_ERASE, VIRTIO_BLK_F_SECURE_ERASE, 0, 16, false},
    {VIRTIO_BLK_T_DISCARD, 0, VIRTIO_BLK_F_DISCARD, 16, false},
    {VIRTIO_BLK_T_WRITE_ZEROES, 0, VIRTIO_BLK_F_WRITE_ZEROES, 16, false},
};

BLK_CASE(blk_rw_unknown_type)
{
	return unsupp_run(ctx, &g_unsupp[0]);
}
BLK_CASE(blk_rw_flush_unsupp)
{
	return unsupp_run(ctx, &g_unsupp[1]);
}
BLK_CASE(blk_rw_lifetime_unsupp)
{
	return unsupp_run(ctx, &g_unsupp[2]);
}
BLK_CASE(blk_rw_secure_erase_unsupp)
{
	return unsupp_run(ctx, &g_unsupp[3]);
}
BLK_CASE(blk_rw_discard_unnegotiated)
{
	return unsupp_run(ctx, &g_unsupp[4]);
}
BLK_CASE(blk_rw_wz_unnegotiated)
{
	return unsupp_run(ctx, &g_unsupp[5]);
}

/* A write to a device that offers VIRTIO_BLK_F_RO, the feature acknowledged
 * or (drop) not. */
static enum conform_verdict read_only_write(struct conform_ctx *ctx, uint64_t drop, unsigned slot)
{
	uint64_t sector;
	uint8_t *before, *buf;
	struct blk b;
	int st;

	BLK_OPEN_RO(&b, 1, drop);
	sector = blk_scratch_sector(&b, slot);
	before = blk_alloc(&b, 4096, NULL);
	buf = blk_alloc(&b, 4096, NULL);
	if (!before || !buf)
		return conform_error(ctx, "out of guest memory");
	st = blk_do(&b, 0, VIRTIO_BLK_T_IN, sector, before, 4096);
	if (st != VIRTIO_BLK_S_OK)
		return conform_error(ctx, "a read of a read-only device: %s (the sectors cannot be "
					  "compared)",
				     blk_status_name(st));
	for (unsigned i = 0; i < 4096; i++)
		buf[i] = (uint8_t)~before[i];
	/* §5.2.6.2: IOERR, and no data written. */
	st = blk_do(&b, 0, VIRTIO_BLK_T_OUT, sector, buf, 4096);
	if (st != VIRTIO_BLK_S_IOERR)
		return conform_fail(ctx, "a write: %s, expected IOERR", blk_status_name(st));
	st = blk_do(&b, 0, VIRTIO_BLK_T_IN, sector, buf, 4096);
	if (st != VIRTIO_BLK_S_OK || memcmp(before, buf, 4096) != 0)
		return conform_fail(ctx, "the refused write changed the data (read: %s)",
				    blk_status_name(st));
	return CONFORM_PASS;
}

BLK_CASE(blk_rw_read_only)
{
	return read_only_write(ctx, 0, 7);
}

/* §5.2.6.2 says "if the VIRTIO_BLK_F_RO feature if offered": a driver that
 * does not acknowledge it (§5.2.5.1 only says it SHOULD) still cannot
 * write. */
BLK_CASE(blk_rw_read_only_unacked)
{
	return read_only_write(ctx, VIRTIO_BIT(VIRTIO_BLK_F_RO), 9);
}

/* ---- The used length, §2.7.8 ---- */

struct used_probe {
	uint32_t type;
	uint32_t data_len;
};

/*
 * Runs probe p twice, its writable bytes (data, if device-writable, then the
 * status) filled with 0x00 the first time and 0xff the second: a byte that
 * reads the same after both was written by the device, one that does not
 * was not. *written: the bytes written; used[]: the two used lengths. A
 * status, or a negative errno.
 */
static int used_probe_run(struct blk *b, const struct used_probe *p, uint32_t *writable,
			  uint32_t *written, uint32_t used[2])
{
	static uint8_t first[4096 + 1];
	uint64_t sector = blk_scratch_sector(b, 8);
	struct blk_req r;
	int st = 0;

	*written = 0;
	for (int run = 0; run < 2; run++) {
		uint8_t fill = run ? 0xff : 0x00;

		if (!blk_req_init(b, &r, p->type, sector, p->data_len))
			return -ENOMEM;
		*writable = (r.data_writable ? p->data_len : 0) + 1;
		if (r.data_writable)
			memset(r.data, fill, p->data_len);
		*r.status = fill;
		st = blk_req_run(b, 0, &r);
		if (st < 0)
			return st;
		used[run] = r.used_len;
		for (uint32_t i = 0; i < *writable; i++) {
			uint8_t byte = i + 1 < *writable ? r.data[i] : *r.status;

			if (!run)
				first[i] = byte;
			else if (first[i] == byte)
				(*written)++;
		}
	}
	return st;
}

BLK_CASE(blk_rw_used_len_bound)
{
	static const struct used_probe probes[] = {
	    {VIRTIO_BLK_T_IN, 4096}, {VIRTIO_BLK_T_OUT, 4096}, {VIRTIO_BLK_T_GET_ID, 20}};
	struct blk b;

	BLK_OPEN(&b, 1, 0);
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
		uint32_t writable, written, used[2];
		int st = used_probe_run(&b, &probes[i], &writable, &written, used);

		if (st < 0)
			return conform_error(ctx, "request type %u: %s", probes[i].type,
					     blk_status_name(st));
		conform_note(ctx, "type %u: %s, used len %u and %u; %u of %u writable bytes written",
			     probes[i].type, blk_status_name(st), used[0], used[1], written,
			     writable);
		/*
		 * §2.7.8.2: the device wrote at least len bytes before it
		 * published len. The case reads "at least len bytes" as a count
		 * over the writable bytes (§2.7.8 calls len "the total of bytes
		 * written"), the weaker of that and a prefix from the first
		 * writable byte: a GET_ID that writes a short id and the status
		 * byte and counts both passes.
		 */
		for (int run = 0; run < 2; run++) {
			if (used[run] > writable)
				return conform_fail(ctx,
						    "type %u: used len %u, but the chain has only %u "
						    "device-writable bytes",
						    probes[i].type, used[run], writable);
			if (used[run] > written)
				return conform_fail(ctx,
						    "type %u: used len %u, but the device wrote only "
						    "%u of the %u device-writable bytes",
						    probes[i].type, used[run], written, writable);
		}
	}
	return CONFORM_PASS;
}

BLK_CASE(blk_rw_used_len_read)
{
	struct blk_req r;
	struct blk b;
	int st;

	BLK_OPEN_RO(&b, 1, 0);
	if (!blk_req_init(&b, &r, VIRTIO_BLK_T_IN, blk_scratch_sector(&b, 8), 4096))
		return conform_error(ctx, "out of guest memory");
	st = blk_req_run(&b, 0, &r);
	if (st != VIRTIO_BLK_S_OK)
		return conform_fail(ctx, "a read of 4096 bytes: %s", blk_status_name(st));
	/* §2.7.8.2: the driver may not trust bytes past len; the data and the
	 * status are only usable if len covers them. */
	if (r.used_len != 4096 + 1)
		return conform_fail(ctx, "used len %u for 4096 bytes of data and a status byte",
				    r.used_len);
	return CONFORM_PASS;
}
