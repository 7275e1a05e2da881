/* SPDX-License-Identifier: MIT */
/*
 * vhost-user suite: guest memory (VHOST-MEM): SET_MEM_TABLE ("Memory regions
 * description", "Memory access"), ADD/REM_MEM_REG and GET_MAX_MEM_SLOTS
 * (VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS).
 *
 * "Rejected" is the suite's reading (suite_vhost_user.h): a non-zero ack or
 * a closed connection, then the back-end still serves. Where the connection
 * stays open, the case also checks that the table in use before the refused
 * one still is: ring addresses inside it are accepted.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "conformance/suite_vhost_user.h"

/* The SET_MEM_TABLE payload for n regions and its size. */
static uint32_t mem_table_payload(const struct vhost_fe_region *r, unsigned n,
				  struct vhost_user_memory *mem, int *fds)
{
	memset(mem, 0, sizeof(*mem));
	mem->nregions = n;
	for (unsigned i = 0; i < n && i < VHOST_USER_MEM_BASELINE_NREGIONS; i++) {
		mem->regions[i] = (struct vhost_user_mem_region){
		    .guest_phys_addr = r[i].gpa,
		    .memory_size = r[i].size,
		    .userspace_addr = r[i].uva,
		    .mmap_offset = r[i].mmap_offset,
		};
		fds[i] = r[i].fd;
	}
	return (uint32_t)(8 + (n < 8 ? n : 8) * sizeof(mem->regions[0]));
}

/* After a refusal on an open connection: the old table (m at gpa 0) is
 * still the one in use, so ring addresses inside it are accepted. */
static enum conform_verdict old_table_in_use(struct conform_ctx *ctx, struct vu_conn *c,
					     const struct vu_mem *m)
{
	struct vhost_user_vring_addr addr = vu_ring_addr(m, 0);
	int ret;

	if (!c->fe)
		return CONFORM_PASS;
	ret = vhost_fe_set_vring_num(c->fe, 0, VU_RING_NUM);
	if (ret == 0)
		ret = vhost_fe_set_vring_addr(c->fe, &addr);
	if (ret < 0)
		return conform_fail(ctx,
				    "after the refused table, ring addresses inside the previous "
				    "table are refused (%s): the previous table is not in use",
				    strerror(-ret));
	return CONFORM_PASS;
}

/* Sets a good one-region table (m, gpa 0), then the n regions r, which the
 * back-end must refuse; the good table stays in use. */
static enum conform_verdict table_refused(struct conform_ctx *ctx, struct vu_conn *c,
					  const struct vu_mem *m, const struct vhost_fe_region *r,
					  unsigned n, unsigned nregions_field)
{
	struct vhost_user_memory mem;
	int fds[VHOST_USER_MEM_BASELINE_NREGIONS];
	uint32_t size = mem_table_payload(r, n, &mem, fds);
	enum conform_verdict v;

	mem.nregions = nregions_field;
	v = vu_check_refused(ctx, c, VHOST_USER_SET_MEM_TABLE, &mem, size, fds, n < 8 ? n : 8);
	if (v == CONFORM_PASS)
		v = old_table_in_use(ctx, c, m);
	return v == CONFORM_PASS ? vu_expect_serving(ctx, c) : v;
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

/* Two regions of their own memfds, described by the caller. */
static enum conform_verdict two_regions_refused(struct conform_ctx *ctx, uint64_t gpa1,
						bool same_uva)
{
	struct vhost_fe_region r[2];
	struct vu_mem m, a, b;
	struct vu_conn c;

	if (vu_mem_create(ctx, &a, VU_MEM_SIZE) || vu_mem_create(ctx, &b, VU_MEM_SIZE) ||
	    vu_open_mem(ctx, VU_PF(REPLY_ACK), &c, &m))
		return CONFORM_ERROR;
	r[0] = vu_mem_region(&a, 0);
	r[1] = vu_mem_region(&b, gpa1);
	if (same_uva)
		r[1].uva = r[0].uva + VU_MEM_SIZE / 2;
	return table_refused(ctx, &c, &m, r, 2, 2);
}

enum conform_verdict vu_mem_overlap_gpa(struct conform_ctx *ctx)
{
	return two_regions_refused(ctx, VU_MEM_SIZE / 2, false);
}

enum conform_verdict vu_mem_overlap_uva(struct conform_ctx *ctx)
{
	return two_regions_refused(ctx, 4 * VU_MEM_SIZE, true);
}

/* One region of a, altered by the caller's size and offset. */
static enum conform_verdict one_region_refused(struct conform_ctx *ctx, uint64_t size)
{
	struct vhost_fe_region r;
	struct vu_mem m, a;
	struct vu_conn c;

	if (vu_mem_create(ctx, &a, VU_MEM_SIZE) || vu_open_mem(ctx, VU_PF(REPLY_ACK), &c, &m))
		return CONFORM_ERROR;
	r = vu_mem_region(&a, 0);
	r.size = size;
	return table_refused(ctx, &c, &m, &r, 1, 1);
}

enum conform_verdict vu_mem_zero_size(struct conform_ctx *ctx)
{
	return one_region_refused(ctx, 0);
}

enum conform_verdict vu_mem_past_fd(struct conform_ctx *ctx)
{
	return one_region_refused(ctx, 2 * VU_MEM_SIZE);
}

enum conform_verdict vu_mem_too_many_regions(struct conform_ctx *ctx)
{
	struct vhost_fe_region r[VHOST_USER_MEM_BASELINE_NREGIONS];
	struct vu_mem m, a[VHOST_USER_MEM_BASELINE_NREGIONS];
	struct vu_conn c;

	for (unsigned i = 0; i < VHOST_USER_MEM_BASELINE_NREGIONS; i++) {
		if (vu_mem_create(ctx, &a[i], 64 * 1024))
			return CONFORM_ERROR;
		r[i] = vu_mem_region(&a[i], (i + 1) * VU_MEM_SIZE);
	}
	if (vu_open_mem(ctx, VU_PF(REPLY_ACK), &c, &m))
		return CONFORM_ERROR;
	/* 9 in the count, 8 regions and fds: the most the message can carry. */
	return table_refused(ctx, &c, &m, r, VHOST_USER_MEM_BASELINE_NREGIONS,
			     VHOST_USER_MEM_BASELINE_NREGIONS + 1);
}

/* "Memory regions description" puts no alignment on the mmap offset: a
 * back-end may refuse one it cannot map, but if it acknowledges the table,
 * the table is in use. */
enum conform_verdict vu_mem_unaligned_offset(struct conform_ctx *ctx)
{
	struct vhost_user_vring_addr addr;
	struct vhost_fe_region r;
	struct vu_mem a, shifted;
	struct vu_conn c;
	int ret;

	if (vu_mem_create(ctx, &a, VU_MEM_SIZE + 0x1000) || vu_open(ctx, VU_PF(REPLY_ACK), &c))
		return CONFORM_ERROR;
	r = vu_mem_region(&a, 0);
	r.mmap_offset = 0x800;
	r.uva += 0x800;
	r.size = VU_MEM_SIZE;
	ret = vhost_fe_set_mem_table(c.fe, &r, 1);
	if (ret == -ETIMEDOUT || ret == -EPROTO)
		return conform_fail(ctx, "no valid ack: %s", strerror(-ret));
	if (ret < 0) {
		conform_note(ctx, "refused (%s): allowed", strerror(-ret));
		return vu_expect_serving(ctx, &c);
	}
	shifted = a;
	shifted.base += 0x800;
	addr = vu_ring_addr(&shifted, 0);
	ret = vhost_fe_set_vring_num(c.fe, 0, VU_RING_NUM);
	if (ret == 0)
		ret = vhost_fe_set_vring_addr(c.fe, &addr);
	if (ret < 0)
		return conform_fail(ctx, "the table was acknowledged, but ring addresses inside "
					 "it are refused: %s",
				    strerror(-ret));
	return CONFORM_PASS;
}

/* A new table while the rings are stopped ("Ring states": stopped by
 * GET_VRING_BASE) replaces the old one. As in QEMU's memory hot-plug, the
 * new table keeps the old region and adds one; the ring moves into the new
 * region, which is only reachable through the new table. */
enum conform_verdict vu_mem_replace_stopped(struct conform_ctx *ctx)
{
	struct vhost_fe_region r[2];
	struct vu_mem m, m2;
	struct vu_conn c;
	uint32_t base;
	int ret;

	if (vu_mem_create(ctx, &m2, VU_MEM_SIZE) || vu_open_mem(ctx, VU_PF(REPLY_ACK), &c, &m) ||
	    vu_ring_setup(ctx, &c, &m, 0, 0, true))
		return CONFORM_ERROR;
	ret = vhost_fe_get_vring_base(c.fe, 0, &base);
	if (ret < 0)
		return conform_fail(ctx, "VHOST_USER_GET_VRING_BASE: %s", strerror(-ret));
	r[0] = vu_mem_region(&m, 0);
	r[1] = vu_mem_region(&m2, 16 * VU_MEM_SIZE);
	ret = vhost_fe_set_mem_table(c.fe, r, 2);
	if (ret < 0)
		return conform_fail(ctx, "the second table was refused: %s", strerror(-ret));
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
	ret = vhost_fe_set_vring_num(c.fe, 0, VU_RING_NUM);
	if (ret == 0)
		ret = vhost_fe_set_vring_addr(c.fe, &addr);
	if (ret < 0)
		return conform_fail(ctx, "ring addresses in region B refused: %s", strerror(-ret));
	ret = vhost_fe_add_mem_reg(c.fe, &ra);
	if (ret < 0)
		return conform_fail(ctx, "adding A again after removing it: %s", strerror(-ret));
	return CONFORM_PASS;
}

enum conform_verdict vu_mem_rem_unknown(struct conform_ctx *ctx)
{
	struct vhost_user_mem_reg reg = {0};
	struct vhost_fe_region r;
	struct vu_mem a;
	struct vu_conn c;

	if (vu_mem_create(ctx, &a, VU_MEM_SIZE) ||
	    vu_open(ctx, VU_PF(REPLY_ACK) | VU_PF(CONFIGURE_MEM_SLOTS), &c))
		return CONFORM_ERROR;
	r = vu_mem_region(&a, 0);
	if (vhost_fe_add_mem_reg(c.fe, &r))
		return conform_error(ctx, "set-up: VHOST_USER_ADD_MEM_REG failed");
	/* Same user address and size, another guest address: no such region. */
	reg.region = (struct vhost_user_mem_region){.guest_phys_addr = 8 * VU_MEM_SIZE,
						    .memory_size = r.size,
						    .userspace_addr = r.uva};
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

	if (vu_mem_create(ctx, &a, VU_MEM_SIZE) ||
	    vu_open(ctx, VU_PF(REPLY_ACK) | VU_PF(CONFIGURE_MEM_SLOTS), &c))
		return CONFORM_ERROR;
	r = vu_mem_region(&a, 0);
	if (vhost_fe_add_mem_reg(c.fe, &r))
		return conform_error(ctx, "set-up: VHOST_USER_ADD_MEM_REG failed");
	if (pipe2(p, O_CLOEXEC) < 0)
		return conform_error(ctx, "pipe: %s", strerror(errno));
	reg.region = (struct vhost_user_mem_region){
	    .guest_phys_addr = r.gpa, .memory_size = r.size, .userspace_addr = r.uva};
	ans = vu_request_ack(ctx, &c, VHOST_USER_REM_MEM_REG, &reg, sizeof(reg), &p[1], 1);
	close(p[1]);
	conform_note(ctx, "VHOST_USER_REM_MEM_REG with an fd: %s", vu_answer_name(ans));
	if (ans == VU_SILENT || ans == VU_BAD_REPLY)
		return conform_fail(ctx, "VHOST_USER_REM_MEM_REG: %s", vu_answer_name(ans));
	if (!vu_fd_closed_by_peer(p[0], conform_timeout_ms(ctx)))
		return conform_fail(ctx, "the back-end kept the fd passed with "
					 "VHOST_USER_REM_MEM_REG open");
	if (ans == VU_CLOSED)
		vu_close(&c);
	return vu_expect_serving(ctx, &c);
}
