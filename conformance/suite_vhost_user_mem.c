/* SPDX-License-Identifier: MIT */
/*
 * vhost-user suite: guest memory (VHOST-MEM): SET_MEM_TABLE ("Multiple Memory
 * regions description", "Memory access"), ADD/REM_MEM_REG
 * (VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS).
 *
 * No sentence of vhost-user.rst asks a back-end to refuse a bad table; the
 * cases that send one are advisories and use the advisories' reading of
 * "refused" (suite_vhost_user.h). Whether the table before a refused one is
 * still in use is an advisory of its own (VHOST-MEM-012).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "conformance/suite_vhost_user.h"

/* Ring 0 given a size and addresses inside m: 0, or the back-end's refusal
 * (a table in use translates them, "Memory access"). */
static int ring_inside(struct vu_conn *c, const struct vu_mem *m)
{
	struct vhost_user_vring_addr addr = vu_ring_addr(m, 0);
	int ret = vhost_fe_set_vring_num(c->fe, 0, VU_RING_NUM);

	return ret ? ret : vhost_fe_set_vring_addr(c->fe, &addr);
}

/* After a refusal on an open connection: the old table (m at gpa 0) is
 * still the one in use, so ring addresses inside it are accepted. */
static enum conform_verdict old_table_in_use(struct conform_ctx *ctx, struct vu_conn *c,
					     const struct vu_mem *m)
{
	int ret = ring_inside(c, m);

	if (ret < 0)
		return conform_fail(ctx,
				    "after the refused table, ring addresses inside the previous "
				    "table are refused (%s): the previous table is not in use",
				    strerror(-ret));
	return CONFORM_PASS;
}

enum conform_verdict vu_mem_eight_regions(struct conform_ctx *ctx)
{
	struct vhost_fe_region r[VHOST_USER_MEM_BASELINE_NREGIONS];
	struct vu_mem m[VHOST_USER_MEM_BASELINE_NREGIONS];
	struct vu_conn c;
	int ret;

	for (unsigned i = 0; i < VHOST_USER_MEM_BASELINE_NREGIONS; i++) {
		if (vu_mem_create(ctx, &m[i], 64 * 1024))
			return CONFORM_ERROR;
		r[i] = vu_mem_region(&m[i], i * (1ULL << 20));
	}
	if (vu_open(ctx, VU_PF(REPLY_ACK), &c))
		return CONFORM_ERROR;
	ret = vhost_fe_set_mem_table(c.fe, r, VHOST_USER_MEM_BASELINE_NREGIONS);
	if (ret < 0)
		return conform_fail(ctx, "a table of 8 valid regions was refused: %s",
				    strerror(-ret));
	return CONFORM_PASS;
}

/* The tables of VHOST-MEM-003 to -006, -013 and -014, which a robust
 * back-end refuses. */
enum bad_table {
	BAD_OVERLAP_GPA, /* two memfds, the second region halfway into the first's guest range */
	BAD_OVERLAP_UVA, /* two memfds, the second region's user range inside the first's */
	BAD_ZERO_SIZE,	 /* one region of 0 bytes */
	BAD_PAST_FD,	 /* one region of 2 MiB on a 1 MiB memfd */
	BAD_PAST_FD_AT_OFFSET,	 /* 1 MiB from offset 512 KiB of a 1 MiB memfd */
	BAD_ZERO_SIZE_UNALIGNED, /* 0 bytes at mmap offset 0x800 */
};

/* Fills r with the regions of table t, on memfds of their own: their number,
 * or 0 (conform_error recorded). */
static unsigned bad_table_regions(struct conform_ctx *ctx, enum bad_table t,
				  struct vhost_fe_region r[2])
{
	struct vu_mem a, b;

	if (vu_mem_create(ctx, &a, VU_MEM_SIZE))
		return 0;
	r[0] = vu_mem_region(&a, 0);
	switch (t) {
	case BAD_ZERO_SIZE:
		r[0].size = 0;
		return 1;
	case BAD_PAST_FD:
		r[0].size = 2 * VU_MEM_SIZE;
		return 1;
	case BAD_PAST_FD_AT_OFFSET:
		r[0].mmap_offset = VU_MEM_SIZE / 2;
		r[0].uva += VU_MEM_SIZE / 2;
		return 1;
	case BAD_ZERO_SIZE_UNALIGNED:
		r[0].mmap_offset = 0x800;
		r[0].uva += 0x800;
		r[0].size = 0;
		return 1;
	case BAD_OVERLAP_GPA:
	case BAD_OVERLAP_UVA:
	default:
		if (vu_mem_create(ctx, &b, VU_MEM_SIZE))
			return 0;
		if (t == BAD_OVERLAP_GPA) {
			r[1] = vu_mem_region(&b, VU_MEM_SIZE / 2);
		} else {
			r[1] = vu_mem_region(&b, 4 * VU_MEM_SIZE);
			r[1].uva = r[0].uva + VU_MEM_SIZE / 2;
		}
		return 2;
	}
}

/* A good one-region table, then bad table t, which must be refused; then
 * the back-end must still serve. */
static enum conform_verdict bad_table_refused(struct conform_ctx *ctx, enum bad_table t)
{
	struct vhost_fe_region r[2];
	struct vhost_user_memory mem;
	int fds[VHOST_USER_MEM_BASELINE_NREGIONS];
	struct vu_conn c;
	struct vu_mem m;
	unsigned n = bad_table_regions(ctx, t, r);
	uint32_t size;

	if (!n || vu_open_mem(ctx, VU_PF(REPLY_ACK), &c, &m))
		return CONFORM_ERROR;
	size = vu_table_payload(r, n, &mem, fds);
	return vu_expect_refused(ctx, &c, VHOST_USER_SET_MEM_TABLE, &mem, size, fds, n);
}

enum conform_verdict vu_mem_overlap_gpa(struct conform_ctx *ctx)
{
	return bad_table_refused(ctx, BAD_OVERLAP_GPA);
}

enum conform_verdict vu_mem_overlap_uva(struct conform_ctx *ctx)
{
	return bad_table_refused(ctx, BAD_OVERLAP_UVA);
}

enum conform_verdict vu_mem_zero_size(struct conform_ctx *ctx)
{
	return bad_table_refused(ctx, BAD_ZERO_SIZE);
}

enum conform_verdict vu_mem_past_fd(struct conform_ctx *ctx)
{
	return bad_table_refused(ctx, BAD_PAST_FD);
}

enum conform_verdict vu_mem_too_many_regions(struct conform_ctx *ctx)
{
	struct vhost_fe_region r[VHOST_USER_MEM_BASELINE_NREGIONS];
	struct vu_mem m, a[VHOST_USER_MEM_BASELINE_NREGIONS];
	struct vhost_user_memory mem;
	int fds[VHOST_USER_MEM_BASELINE_NREGIONS];
	struct vu_conn c;
	uint32_t size;

	for (unsigned i = 0; i < VHOST_USER_MEM_BASELINE_NREGIONS; i++) {
		if (vu_mem_create(ctx, &a[i], 64 * 1024))
			return CONFORM_ERROR;
		r[i] = vu_mem_region(&a[i], (i + 1) * VU_MEM_SIZE);
	}
	if (vu_open_mem(ctx, VU_PF(REPLY_ACK), &c, &m))
		return CONFORM_ERROR;
	/* 9 in the count, 8 regions and fds: the most the message can carry. */
	size = vu_table_payload(r, VHOST_USER_MEM_BASELINE_NREGIONS + 1, &mem, fds);
	return vu_expect_refused(ctx, &c, VHOST_USER_SET_MEM_TABLE, &mem, size, fds,
				 VHOST_USER_MEM_BASELINE_NREGIONS);
}

/*
 * A refused table changes nothing: the one before it is still in use. The
 * bad tables are tried in turn, each on a new connection, until one is
 * refused with a nack (a back-end that closes the connection leaves nothing
 * to check): a region of size 0, one past its fd, then regions overlapping
 * in guest addresses. Not the count of 9 (VHOST-MEM-002), which leaves some
 * back-ends unable to serve at all.
 */
enum conform_verdict vu_mem_refused_keeps_old(struct conform_ctx *ctx)
{
	static const enum bad_table tries[] = {BAD_ZERO_SIZE, BAD_PAST_FD, BAD_OVERLAP_GPA};

	for (unsigned i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		struct vhost_fe_region r[2];
		struct vhost_user_memory mem;
		int fds[VHOST_USER_MEM_BASELINE_NREGIONS];
		struct vu_conn c;
		struct vu_mem m;
		unsigned n = bad_table_regions(ctx, tries[i], r);
		uint32_t size;
		enum vu_answer a;

		if (!n || vu_open_mem(ctx, VU_PF(REPLY_ACK), &c, &m))
			return CONFORM_ERROR;
		size = vu_table_payload(r, n, &mem, fds);
		a = vu_request_ack(ctx, &c, VHOST_USER_SET_MEM_TABLE, &mem, size, fds, n);
		if (a == VU_NACK)
			return old_table_in_use(ctx, &c, &m);
		conform_note(ctx, "bad table %u: %s", i + 1, vu_answer_name(a));
		vu_close(&c);
	}
	return conform_not_applicable(ctx, "the back-end refused none of the bad tables with a "
					   "nack on an open connection");
}

/* "Memory region description" puts no alignment on the mmap offset: a
 * back-end may refuse one it cannot map, but if it acknowledges the table,
 * the region starts where its mmap offset says. */
enum conform_verdict vu_mem_unaligned_offset(struct conform_ctx *ctx)
{
	struct vhost_user_memory mem;
	struct vhost_fe_region r;
	struct vu_mem a, shifted;
	struct vu_conn c;
	enum vu_answer ans;
	uint32_t size;
	int fd, ret;

	if (vu_mem_create(ctx, &a, VU_MEM_SIZE + 0x1000) || vu_open(ctx, VU_PF(REPLY_ACK), &c))
		return CONFORM_ERROR;
	r = vu_mem_region(&a, 0);
	r.mmap_offset = 0x800;
	r.uva += 0x800;
	r.size = VU_MEM_SIZE;
	size = vu_table_payload(&r, 1, &mem, &fd);
	ans = vu_request_ack(ctx, &c, VHOST_USER_SET_MEM_TABLE, &mem, size, &fd, 1);
	if (ans == VU_SILENT || ans == VU_BAD_REPLY)
		return conform_fail(ctx, "VHOST_USER_SET_MEM_TABLE: %s", vu_answer_name(ans));
	if (ans != VU_ACK) {
		conform_note(ctx, "refused (%s): allowed", vu_answer_name(ans));
		if (ans == VU_CLOSED)
			vu_close(&c);
		return vu_expect_serving(ctx, &c);
	}
	shifted = a;
	shifted.base += 0x800;
	ret = ring_inside(&c, &shifted);
	if (ret < 0)
		return conform_fail(ctx, "the table was acknowledged, but ring addresses inside "
					 "it are refused: %s",
				    strerror(-ret));
	return CONFORM_PASS;
}

/*
 * A new table while the rings are stopped ("Ring states": stopped by
 * GET_VRING_BASE). As in QEMU's memory hot-plug, the new table keeps the old
 * region and adds m2; the ring can then move into m2, which only the new
 * table reaches. Sends the table with need_reply on *c: 0 with the answer in
 * *ans, or a negative errno when the set-up failed (conform_error recorded).
 */
static int replace_after_stop(struct conform_ctx *ctx, struct vu_conn *c, struct vu_mem *m2,
			      enum vu_answer *ans)
{
	struct vhost_fe_region r[2];
	struct vhost_user_memory mem;
	int fds[VHOST_USER_MEM_BASELINE_NREGIONS];
	struct vu_mem m;
	uint32_t base, size;
	int ret;

	if (vu_mem_create(ctx, m2, VU_MEM_SIZE) || vu_open_mem(ctx, VU_PF(REPLY_ACK), c, &m) ||
	    vu_ring_setup(ctx, c, &m, 0, 0, true))
		return -EIO;
	ret = vhost_fe_get_vring_base(c->fe, 0, &base);
	if (ret < 0)
		return conform_error(ctx, "set-up: VHOST_USER_GET_VRING_BASE: %s", strerror(-ret)),
		       -EIO;
	r[0] = vu_mem_region(&m, 0);
	r[1] = vu_mem_region(m2, 16 * VU_MEM_SIZE);
	size = vu_table_payload(r, 2, &mem, fds);
	*ans = vu_request_ack(ctx, c, VHOST_USER_SET_MEM_TABLE, &mem, size, fds, 2);
	return 0;
}

/* VHOST-MEM-008: "REPLY_ACK": the back-end MUST respond to that table. */
enum conform_verdict vu_mem_replace_stopped(struct conform_ctx *ctx)
{
	struct vu_mem m2;
	struct vu_conn c;
	enum vu_answer ans;

	if (replace_after_stop(ctx, &c, &m2, &ans))
		return CONFORM_ERROR;
	conform_note(ctx, "the second VHOST_USER_SET_MEM_TABLE: %s", vu_answer_name(ans));
	return vu_expect_answered(ctx, VHOST_USER_SET_MEM_TABLE, ans);
}

/* VHOST-MEM-013 (advisory): a table acknowledged with 0 is the one in use:
 * the ring set up again in its new region works. */
enum conform_verdict vu_mem_replace_in_use(struct conform_ctx *ctx)
{
	struct vu_mem m2;
	struct vu_conn c;
	enum vu_answer ans;
	uint32_t base;
	int ret;

	if (replace_after_stop(ctx, &c, &m2, &ans))
		return CONFORM_ERROR;
	/* No sentence makes a back-end accept every table; one it refuses, or
	 * does not answer (VHOST-MEM-008), leaves nothing to check. */
	if (ans != VU_ACK)
		return conform_error(ctx, "the second table was not acknowledged with 0 (%s): "
					  "whether it replaces the old one cannot be checked",
				     vu_answer_name(ans));
	conform_note(ctx, "the ring is set up again in the new region");
	if (vu_ring_setup(ctx, &c, &m2, 0, 3, true))
		return CONFORM_FAIL;
	ret = vhost_fe_get_vring_base(c.fe, 0, &base);
	if (ret < 0)
		return conform_fail(ctx, "VHOST_USER_GET_VRING_BASE on the new table: %s",
				    strerror(-ret));
	if (base != 3)
		return conform_fail(ctx, "vring base %u, 3 expected", base);
	return CONFORM_PASS;
}

/* ADD_MEM_REG / REM_MEM_REG build and change a table region by region. */
enum conform_verdict vu_mem_add_rem_roundtrip(struct conform_ctx *ctx)
{
	struct vhost_fe_region ra, rb;
	struct vhost_user_vring_addr addr;
	struct vu_mem a, b;
	struct vu_conn c;
	int ret;

	if (vu_mem_create(ctx, &a, VU_MEM_SIZE) || vu_mem_create(ctx, &b, VU_MEM_SIZE) ||
	    vu_open(ctx, VU_PF(REPLY_ACK) | VU_PF(CONFIGURE_MEM_SLOTS), &c))
		return CONFORM_ERROR;
	ra = vu_mem_region(&a, 0);
	rb = vu_mem_region(&b, 4 * VU_MEM_SIZE);
	ret = vhost_fe_add_mem_reg(c.fe, &ra);
	if (ret == 0)
		ret = vhost_fe_add_mem_reg(c.fe, &rb);
	if (ret == 0)
		ret = vhost_fe_rem_mem_reg(c.fe, &ra);
	if (ret < 0)
		return conform_fail(ctx, "add A, add B, remove A: %s", strerror(-ret));
	addr = vu_ring_addr(&b, 0);
	if (vhost_fe_set_vring_num(c.fe, 0, VU_RING_NUM))
		return conform_error(ctx, "set-up: VHOST_USER_SET_VRING_NUM failed");
	/* B "must map in": its addresses translate. */
	ret = vhost_fe_set_vring_addr(c.fe, &addr);
	if (ret < 0)
		return conform_fail(ctx, "ring addresses in region B refused: %s", strerror(-ret));
	ret = vhost_fe_add_mem_reg(c.fe, &ra);
	if (ret < 0)
		return conform_fail(ctx, "adding A again after removing it: %s", strerror(-ret));
	return CONFORM_PASS;
}

/* A connection with CONFIGURE_MEM_SLOTS whose table is one region, a of
 * VU_MEM_SIZE at guest address 0 (*r), added with ADD_MEM_REG: 0, or a
 * negative errno (conform_error recorded). */
static int open_one_region(struct conform_ctx *ctx, struct vu_conn *c, struct vu_mem *a,
			   struct vhost_fe_region *r)
{
	if (vu_mem_create(ctx, a, VU_MEM_SIZE) ||
	    vu_open(ctx, VU_PF(REPLY_ACK) | VU_PF(CONFIGURE_MEM_SLOTS), c))
		return -EIO;
	*r = vu_mem_region(a, 0);
	if (vhost_fe_add_mem_reg(c->fe, r)) {
		conform_error(ctx, "set-up: VHOST_USER_ADD_MEM_REG failed");
		return -EIO;
	}
	return 0;
}

enum conform_verdict vu_mem_rem_unknown(struct conform_ctx *ctx)
{
	struct vhost_user_mem_reg reg = {0};
	struct vhost_fe_region r;
	struct vu_mem a;
	struct vu_conn c;

	if (open_one_region(ctx, &c, &a, &r))
		return CONFORM_ERROR;
	/* Same user address and size, another guest address: no such region. */
	reg.region = vu_region_wire(&r);
	reg.region.guest_phys_addr = 8 * VU_MEM_SIZE;
	return vu_expect_refused(ctx, &c, VHOST_USER_REM_MEM_REG, &reg, sizeof(reg), NULL, 0);
}

/* "VHOST_USER_REM_MEM_REG": an fd passed with it MUST be closed unused. */
enum conform_verdict vu_mem_rem_closes_fd(struct conform_ctx *ctx)
{
	struct vhost_user_mem_reg reg = {0};
	struct vhost_fe_region r;
	struct vu_mem a;
	struct vu_conn c;
	enum vu_answer ans;
	int p[2];

	if (open_one_region(ctx, &c, &a, &r))
		return CONFORM_ERROR;
	if (pipe2(p, O_CLOEXEC) < 0)
		return conform_error(ctx, "pipe: %s", strerror(errno));
	reg.region = vu_region_wire(&r);
	ans = vu_request_ack(ctx, &c, VHOST_USER_REM_MEM_REG, &reg, sizeof(reg), &p[1], 1);
	close(p[1]);
	conform_note(ctx, "VHOST_USER_REM_MEM_REG with an fd: %s", vu_answer_name(ans));
	if (ans == VU_SILENT || ans == VU_BAD_REPLY)
		return conform_fail(ctx, "VHOST_USER_REM_MEM_REG with need_reply: %s (\"REPLY_ACK\": "
					 "the back-end MUST respond)",
				    vu_answer_name(ans));
	if (!vu_fd_closed_by_peer(p[0], conform_timeout_ms(ctx)))
		return conform_fail(ctx, "the back-end kept the fd passed with "
					 "VHOST_USER_REM_MEM_REG open");
	return CONFORM_PASS;
}

enum conform_verdict vu_mem_past_fd_at_offset(struct conform_ctx *ctx)
{
	return bad_table_refused(ctx, BAD_PAST_FD_AT_OFFSET);
}

enum conform_verdict vu_mem_zero_size_unaligned(struct conform_ctx *ctx)
{
	return bad_table_refused(ctx, BAD_ZERO_SIZE_UNALIGNED);
}

/* "VHOST_USER_REM_MEM_REG": the region is identified by its guest address,
 * user address and size. One that matches a region of the table in guest
 * address and size but not in user address describes no region: refused,
 * and the region stays in use. */
enum conform_verdict vu_mem_rem_other_uva(struct conform_ctx *ctx)
{
	struct vhost_user_mem_reg reg = {0};
	struct vhost_fe_region r;
	enum conform_verdict v;
	struct vu_mem a;
	struct vu_conn c;

	if (open_one_region(ctx, &c, &a, &r))
		return CONFORM_ERROR;
	reg.region = vu_region_wire(&r);
	reg.region.userspace_addr += 16 * VU_MEM_SIZE;
	v = vu_request_refused(ctx, &c, VHOST_USER_REM_MEM_REG, &reg, sizeof(reg), NULL, 0);
	if (v != CONFORM_PASS || !c.fe)
		return v == CONFORM_PASS ? vu_expect_serving(ctx, &c) : v;
	if (ring_inside(&c, &a) < 0)
		return conform_fail(ctx, "after the refused VHOST_USER_REM_MEM_REG, ring addresses "
					 "inside the region it did not describe are refused: the "
					 "region was removed all the same");
	return vu_expect_serving(ctx, &c);
}
