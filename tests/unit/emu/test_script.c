/* SPDX-License-Identifier: MIT */
/* From a trace to a replay's script: the layout and negotiation of the
 * first connection, the requests of each ring and phase from the ring
 * states and the time stamps; the removable units, and the trace without
 * them read back as the smaller script. Synthetic traces. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "emu/emu_script.h"

#define MS 1000000ULL

static void msg(struct emu_trace *t, uint32_t conn, uint64_t ms, uint32_t request, bool reply,
		const void *payload, uint32_t len)
{
	struct trace_rec r = {.time_ns = ms * MS,
			      .type = TRACE_REC_MSG,
			      /* as the proxy records: received from the front-end on
			       * the side where it plays the back-end */
			      .dir = 1,
			      .side = reply ? 0 : 1,
			      .conn = conn,
			      .hdr = {.request = request, .flags = reply ? 0x5 : 0x1, .size = len},
			      .hdr_len = 12,
			      .payload = payload,
			      .payload_len = len,
			      .payload_wire = len};

	assert_int_equal(emu_trace_append(t, &r), 0);
}

static void state(struct emu_trace *t, uint32_t conn, uint64_t ms, uint32_t point, uint32_t ring,
		  uint16_t avail, uint16_t used, uint32_t base)
{
	struct trace_rec r = {.time_ns = ms * MS,
			      .type = TRACE_REC_RING,
			      .conn = conn,
			      .ring = {.point = point,
				       .index = ring,
				       .num = 256,
				       .base = base,
				       .avail_idx = avail,
				       .used_idx = used,
				       .valid = TRACE_RING_VALID_ALL}};

	assert_int_equal(emu_trace_append(t, &r), 0);
}

static void setup(struct emu_trace *t, uint32_t conn, uint64_t ms, uint16_t rings, uint32_t base)
{
	uint64_t features = (1ULL << 32) | (1ULL << VHOST_F_LOG_ALL), proto = 0x20b;
	uint8_t table[40] = {1};
	struct trace_rec mem = {
	    .time_ns = ms * MS,
	    .type = TRACE_REC_MSG,
	    .dir = 1,
	    .side = 1,
	    .conn = conn,
	    .hdr = {.request = VHOST_USER_SET_MEM_TABLE, .flags = 1, .size = 40},
	    .hdr_len = 12,
	    .payload = table,
	    .payload_len = 40,
	    .payload_wire = 40,
	    .nfds = 1,
	    .fds = {{.kind = TRACE_FD_MEM, .gpa = 0x1000, .size = 0x100000}}};

	msg(t, conn, ms, VHOST_USER_SET_FEATURES, false, &features, 8);
	msg(t, conn, ms, VHOST_USER_SET_PROTOCOL_FEATURES, false, &proto, 8);
	msg(t, conn, ms, VHOST_USER_GET_CONFIG, false, table, 12);
	msg(t, conn, ms, VHOST_USER_GET_CONFIG, true, table, 12);
	assert_int_equal(emu_trace_append(t, &mem), 0);
	for (uint32_t q = 0; q < rings; q++) {
		struct vhost_user_vring_state num = {q, 256}, b = {q, base};
		uint64_t call = q;

		msg(t, conn, ms, VHOST_USER_SET_VRING_NUM, false, &num, 8);
		msg(t, conn, ms, VHOST_USER_SET_VRING_BASE, false, &b, 8);
		msg(t, conn, ms, VHOST_USER_SET_VRING_CALL, false, &call, 8);
		msg(t, conn, ms, VHOST_USER_SET_VRING_CALL, false, &call, 8);
		msg(t, conn, ms, VHOST_USER_SET_VRING_ENABLE, false, &num, 8);
		state(t, conn, ms, TRACE_RING_ENABLED, q, (uint16_t)base, (uint16_t)base, base);
	}
}

/*
 * Two rings. Ring 0 starts at 1 ms, logging at 3 ms, stops at 5 ms having
 * made 108 requests available, 8 still in flight (100 done: 50 before the
 * log, 50 after); ring 1 does 40, none in flight. The destination starts
 * them at 6 ms and lasts to 8 ms: half the source's time, half its
 * requests.
 */
static void append_migration(struct emu_trace *t)
{
	struct vhost_user_vring_state get0 = {0, 0}, got0 = {0, 108}, get1 = {1, 0}, got1 = {1, 40};
	uint64_t log[2] = {0x1000, 0};

	setup(t, 1, 1, 2, 0);
	msg(t, 1, 3, VHOST_USER_SET_LOG_BASE, false, log, 16);
	msg(t, 1, 5, VHOST_USER_GET_VRING_BASE, false, &get0, 8);
	msg(t, 1, 5, VHOST_USER_GET_VRING_BASE, true, &got0, 8);
	state(t, 1, 5, TRACE_RING_STOPPED, 0, 108, 100, 108);
	msg(t, 1, 5, VHOST_USER_GET_VRING_BASE, false, &get1, 8);
	msg(t, 1, 5, VHOST_USER_GET_VRING_BASE, true, &got1, 8);
	state(t, 1, 5, TRACE_RING_STOPPED, 1, 40, 40, 40);
	setup(t, 2, 6, 2, 108);
	t->recs[t->n - 1].ring = (struct trace_ring){.point = TRACE_RING_ENABLED,
						     .index = 1,
						     .num = 256,
						     .base = 40,
						     .avail_idx = 40,
						     .used_idx = 40};
	state(t, 2, 8, TRACE_RING_KICK, 0, 108, 108, 108); /* a late kick: not a start */
}

static void migration(struct emu_trace *t)
{
	*t = (struct emu_trace){0};
	append_migration(t);
}

static void test_script_of_a_migration(void **state_)
{
	struct emu_trace t;
	struct emu_script s;
	char why[160];

	(void)state_;
	migration(&t);
	assert_int_equal(emu_script_make(&t, &s, why, sizeof(why)), 0);
	assert_int_equal(s.queues, 2);
	assert_int_equal(s.queue_size, 256);
	assert_int_equal(s.mem_size, 0x101000);
	assert_int_equal(s.nregions, 1);
	/* The replay's memory table: the trace's region, where it lay. */
	assert_int_equal(s.nranges, 1);
	assert_int_equal(s.ranges[0].gpa, 0x1000);
	assert_int_equal(s.ranges[0].size, 0x100000);
	assert_int_equal(s.features, 1ULL << 32); /* LOG_ALL is the migration's */
	assert_int_equal(s.protocol_features, 0x20b);
	assert_int_equal(s.conns, 2);
	assert_true(s.sched.migrate);
	assert_true(s.counted);
	assert_int_equal(s.max_inflight, 8);
	assert_int_equal(s.sched.io[EMU_PHASE_WARMUP][0], 50);
	assert_int_equal(s.sched.io[EMU_PHASE_PRECOPY][0], 50);
	assert_int_equal(s.sched.io[EMU_PHASE_INFLIGHT][0], 8);
	assert_int_equal(s.sched.io[EMU_PHASE_POST][0], 50);
	assert_int_equal(s.sched.io[EMU_PHASE_WARMUP][1], 20);
	assert_int_equal(s.sched.io[EMU_PHASE_PRECOPY][1], 20);
	assert_int_equal(s.sched.io[EMU_PHASE_INFLIGHT][1], 0);
	assert_int_equal(s.sched.io[EMU_PHASE_POST][1], 20);
	emu_trace_free(&t);
}

/* QEMU: the firmware drives ring 0 first (its own features, 3 requests),
 * then the guest's driver resets the device and starts it again. The
 * script is the driver's run: its features and its requests. */
static void test_firmware_run_first(void **state_)
{
	uint64_t fw = (1ULL << 32) | (1ULL << 6);
	struct vhost_user_vring_state num = {0, 256}, get = {0, 0}, got = {0, 3};
	struct emu_trace t = {0};
	struct emu_script s;
	char why[160];

	(void)state_;
	msg(&t, 1, 0, VHOST_USER_SET_FEATURES, false, &fw, 8);
	msg(&t, 1, 0, VHOST_USER_SET_VRING_ENABLE, false, &num, 8);
	state(&t, 1, 0, TRACE_RING_ENABLED, 0, 0, 0, 0);
	msg(&t, 1, 0, VHOST_USER_GET_VRING_BASE, false, &get, 8);
	msg(&t, 1, 0, VHOST_USER_GET_VRING_BASE, true, &got, 8);
	state(&t, 1, 0, TRACE_RING_STOPPED, 0, 3, 3, 3);
	append_migration(&t);
	assert_int_equal(emu_script_make(&t, &s, why, sizeof(why)), 0);
	assert_int_equal(s.features, 1ULL << 32);
	assert_int_equal(s.sched.io[EMU_PHASE_WARMUP][0], 50);
	assert_int_equal(s.sched.io[EMU_PHASE_PRECOPY][0], 50);
	assert_int_equal(s.sched.io[EMU_PHASE_INFLIGHT][0], 8);
	assert_int_equal(s.sched.io[EMU_PHASE_POST][0], 50);
	emu_trace_free(&t);
}

static void test_no_setup_refused(void **state_)
{
	struct emu_trace t = {0};
	struct emu_script s;
	uint64_t f = 1;
	char why[160];

	(void)state_;
	assert_int_equal(emu_script_make(&t, &s, why, sizeof(why)), -EINVAL);
	msg(&t, 1, 1, VHOST_USER_SET_FEATURES, false, &f, 8);
	assert_int_equal(emu_script_make(&t, &s, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "memory table"));
	emu_trace_free(&t);
}

static unsigned find(const struct emu_unit *u, unsigned n, enum emu_unit_kind kind, uint16_t ring)
{
	for (unsigned i = 0; i < n; i++)
		if (u[i].kind == kind && u[i].ring == ring)
			return i;
	fail_msg("no unit of kind %d for ring %u", kind, ring);
	return n;
}

static void test_units_and_smaller_trace(void **state_)
{
	struct emu_unit u[64];
	bool removed[64] = {0};
	struct emu_trace t, small;
	struct emu_script s, ss;
	unsigned n, msgs = 0, src[2] = {0};
	char why[160];

	(void)state_;
	migration(&t);
	assert_int_equal(emu_script_make(&t, &s, why, sizeof(why)), 0);
	n = emu_script_units(&t, &s, u, 64);
	/* Ring 1; ring 0's 100 source requests in eighths (13 each, 9 in the
	 * last) and its in-flight batch, ring 1's 40 in eighths of 5; the
	 * destination's; a GET_CONFIG and a repeated SET_VRING_CALL per ring
	 * on each connection. */
	for (unsigned i = 0; i < n; i++) {
		msgs += u[i].kind == EMU_UNIT_MSG;
		if (u[i].kind == EMU_UNIT_SRC_IO) {
			src[u[i].ring] += u[i].count;
			assert_int_equal(u[i].count, u[i].ring ? 5 : (src[0] == 100 ? 9 : 13));
		}
	}
	assert_int_equal(src[0], 100);
	assert_int_equal(src[1], 40);
	assert_int_equal(msgs, 2 + 4);
	assert_int_equal(n, 1 + 8 + 1 + 8 + 1 + msgs);

	/* One eighth of ring 0 off: 13 requests fewer, split as before. */
	removed[find(u, n, EMU_UNIT_SRC_IO, 0)] = true;
	assert_int_equal(emu_trace_without(&t, u, n, removed, &small), 0);
	assert_int_equal(emu_script_make(&small, &ss, why, sizeof(why)), 0);
	assert_int_equal(ss.sched.io[EMU_PHASE_WARMUP][0] + ss.sched.io[EMU_PHASE_PRECOPY][0], 87);
	assert_int_equal(ss.sched.io[EMU_PHASE_INFLIGHT][0], 8);
	emu_trace_free(&small);

	for (unsigned i = 0; i < n; i++)
		removed[i] = u[i].kind == EMU_UNIT_SRC_IO && u[i].ring == 0;
	removed[find(u, n, EMU_UNIT_RING, 1)] = true;
	removed[find(u, n, EMU_UNIT_DEST_IO, 0)] = true;
	for (unsigned i = 0; i < n; i++)
		removed[i] |= u[i].kind == EMU_UNIT_MSG;
	assert_int_equal(emu_trace_without(&t, u, n, removed, &small), 0);
	assert_int_equal(emu_script_make(&small, &ss, why, sizeof(why)), 0);
	/* The ring gone past ring 0 leaves one; ring 0 keeps its in-flight
	 * requests only; the destination runs none. */
	assert_int_equal(ss.queues, 1);
	assert_int_equal(ss.sched.io[EMU_PHASE_WARMUP][0], 0);
	assert_int_equal(ss.sched.io[EMU_PHASE_PRECOPY][0], 0);
	assert_int_equal(ss.sched.io[EMU_PHASE_INFLIGHT][0], 8);
	assert_int_equal(ss.sched.io[EMU_PHASE_POST][0], 0);
	assert_true(ss.sched.migrate);
	/* The queries, their replies and the repeats are gone. */
	assert_true(small.n < t.n);
	for (unsigned i = 0; i < small.n; i++)
		assert_int_not_equal(small.recs[i].hdr.request, VHOST_USER_GET_CONFIG);
	/* GET_VRING_BASE's answer and the destination's SET_VRING_BASE moved
	 * back by the 100 requests removed: 108 - 100. */
	for (unsigned i = 0; i < small.n; i++) {
		const struct trace_rec *r = &small.recs[i];
		bool dest_base = r->hdr.request == VHOST_USER_SET_VRING_BASE && r->conn == 2;
		bool answer = r->hdr.request == VHOST_USER_GET_VRING_BASE && r->side == 0;
		uint32_t num;

		if (r->type != TRACE_REC_MSG || r->payload_len < 8 || !(dest_base || answer))
			continue;
		memcpy(&num, r->payload + 4, 4);
		assert_int_equal(num, 8);
	}
	emu_trace_free(&small);
	emu_trace_free(&t);
}

static void test_one_connection_no_stop(void **state_)
{
	struct emu_trace t = {0};
	struct emu_script s;
	char why[160];

	(void)state_;
	setup(&t, 7, 1, 1, 0);
	assert_int_equal(emu_script_make(&t, &s, why, sizeof(why)), 0);
	assert_false(s.sched.migrate);
	assert_false(s.counted);
	assert_int_equal(s.conns, 1);
	emu_trace_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_script_of_a_migration),
	    cmocka_unit_test(test_firmware_run_first),
	    cmocka_unit_test(test_no_setup_refused),
	    cmocka_unit_test(test_units_and_smaller_trace),
	    cmocka_unit_test(test_one_connection_no_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
