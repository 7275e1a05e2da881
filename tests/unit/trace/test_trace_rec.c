/* SPDX-License-Identifier: MIT */
/*
 * The trace encapsulation (docs/trace-format.md): records written and read
 * back field for field, the edge lengths of each part, records cut short or
 * with bytes after them refused, and a file through libpcap.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "trace/trace.h"
#include "vhost/vhost_tap.h"

static uint8_t g_buf[TRACE_REC_MAX];
static uint8_t g_payload[TRACE_PAYLOAD_MAX + 1];

static struct trace_rec msg_rec(uint32_t payload_len, unsigned nfds)
{
	struct trace_rec rec = {
	    .type = TRACE_REC_MSG,
	    .dir = VHOST_TAP_RECEIVED,
	    .side = VHOST_TAP_BACKEND,
	    .conn = 7,
	    .hdr = {.request = VHOST_USER_SET_MEM_TABLE, .flags = 0x9, .size = payload_len},
	    .hdr_len = 12,
	    .payload_wire = payload_len,
	    .payload = g_payload,
	    .payload_len = payload_len,
	    .nfds = nfds,
	};

	for (unsigned i = 0; i < nfds && i < TRACE_MAX_FDS; i++)
		rec.fds[i] = (struct trace_fd){.kind = TRACE_FD_MEM,
					       .index = i,
					       .gpa = 0x100000000ull * i,
					       .size = 0x4000000,
					       .offset = 0x1000 + i};
	return rec;
}

static void assert_same_msg(const struct trace_rec *a, const struct trace_rec *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->dir, b->dir);
	assert_int_equal(a->side, b->side);
	assert_int_equal(a->conn, b->conn);
	assert_int_equal(a->error, b->error);
	assert_memory_equal(&a->hdr, &b->hdr, sizeof(a->hdr));
	assert_int_equal(a->hdr_len, b->hdr_len);
	assert_int_equal(a->payload_wire, b->payload_wire);
	assert_int_equal(a->payload_len, b->payload_len);
	if (a->payload_len)
		assert_memory_equal(a->payload, b->payload, a->payload_len);
	assert_int_equal(a->nfds, b->nfds);
	assert_memory_equal(a->fds, b->fds, a->nfds * sizeof(a->fds[0]));
}

static void roundtrip(const struct trace_rec *in, struct trace_rec *out)
{
	int len = trace_rec_encode(in, g_buf, sizeof(g_buf));

	assert_true(len >= TRACE_HDR_LEN);
	assert_int_equal(trace_rec_decode(g_buf, (size_t)len, out), 0);
}

static void test_message_roundtrip(void **state)
{
	struct trace_rec in = msg_rec(8 + 32 * 2, 2), out;

	(void)state;
	for (size_t i = 0; i < sizeof(g_payload); i++)
		g_payload[i] = (uint8_t)(i * 7 + 1);
	roundtrip(&in, &out);
	assert_same_msg(&in, &out);
	/* The header goes as on the wire: request, flags, size, little-endian,
	 * after the fixed header and the fd entries. */
	assert_int_equal(g_buf[TRACE_HDR_LEN + 2 * TRACE_FD_LEN], VHOST_USER_SET_MEM_TABLE);
	assert_int_equal(g_buf[TRACE_HDR_LEN + 2 * TRACE_FD_LEN + 4], 0x9);
	assert_int_equal(g_buf[TRACE_HDR_LEN + 2 * TRACE_FD_LEN + 8], 8 + 64);
}

/* Edge lengths: no payload, the most a record keeps, the most fds; one
 * past each is refused. */
static void test_message_edges(void **state)
{
	struct trace_rec in, out;

	(void)state;
	in = msg_rec(0, 0);
	roundtrip(&in, &out);
	assert_same_msg(&in, &out);
	assert_null(out.payload);

	in = msg_rec(TRACE_PAYLOAD_MAX, TRACE_MAX_FDS);
	roundtrip(&in, &out);
	assert_same_msg(&in, &out);

	in = msg_rec(TRACE_PAYLOAD_MAX + 1, 0);
	assert_int_equal(trace_rec_encode(&in, g_buf, sizeof(g_buf)), -EINVAL);
	in = msg_rec(8, TRACE_MAX_FDS + 1);
	assert_int_equal(trace_rec_encode(&in, g_buf, sizeof(g_buf)), -EINVAL);
	/* Too little room to write it. */
	in = msg_rec(8, 0);
	assert_int_equal(trace_rec_encode(&in, g_buf, TRACE_HDR_LEN + 12 + 7), -ENOSPC);
}

/* Messages that did not go whole: the header cut short (hdr_len < 12, the
 * rest of it zero), a payload cut short, a longer payload of which the
 * record keeps the start. */
static void test_message_partial(void **state)
{
	struct trace_rec in, out;

	(void)state;
	for (uint32_t hl = 0; hl < 12; hl++) {
		in = msg_rec(0, 0);
		in.hdr = (struct vhost_user_hdr){0};
		memcpy(&in.hdr, "\x05\0\0\0\x09\0\0\0\x28\0\0\0", hl);
		in.hdr_len = hl;
		in.error = -ECONNRESET;
		roundtrip(&in, &out);
		assert_same_msg(&in, &out);
		/* A payload after a header cut short cannot be. */
		in.payload_wire = 1;
		assert_int_equal(trace_rec_encode(&in, g_buf, sizeof(g_buf)), -EINVAL);
	}
	in = msg_rec(40, 0);
	in.payload_wire = in.payload_len = 17;
	in.error = -ECONNRESET;
	roundtrip(&in, &out);
	assert_same_msg(&in, &out);

	in = msg_rec(TRACE_PAYLOAD_MAX, 0);
	in.hdr.size = in.payload_wire = 1u << 30;
	in.error = -EMSGSIZE;
	roundtrip(&in, &out);
	assert_same_msg(&in, &out);
	/* Whole (error 0) but not all kept, or more on the wire than the
	 * header said: refused. */
	in.error = 0;
	assert_int_equal(trace_rec_encode(&in, g_buf, sizeof(g_buf)), -EINVAL);
	in = msg_rec(8, 0);
	in.payload_wire = 9;
	assert_int_equal(trace_rec_encode(&in, g_buf, sizeof(g_buf)), -EINVAL);
}

static void test_ring_and_marker(void **state)
{
	struct trace_rec in = {.type = TRACE_REC_RING,
			       .conn = 2,
			       .ring = {.point = TRACE_RING_STOPPED,
					.index = 1,
					.num = 256,
					.base = 0xfffe,
					.avail_idx = 0xffff,
					.used_idx = 0xfffe,
					.valid = TRACE_RING_VALID_ALL,
					.desc = 0x7f0000000000ull,
					.avail = 0x7f0000001000ull,
					.used = 0x7f0000002000ull}};
	struct trace_rec out;
	char text[TRACE_MARKER_MAX + 1];
	int len;

	(void)state;
	len = trace_rec_encode(&in, g_buf, sizeof(g_buf));
	assert_int_equal(len, TRACE_HDR_LEN + TRACE_RING_LEN);
	assert_int_equal(trace_rec_decode(g_buf, (size_t)len, &out), 0);
	assert_int_equal(out.type, TRACE_REC_RING);
	assert_int_equal(out.conn, 2);
	assert_memory_equal(&in.ring, &out.ring, sizeof(in.ring));

	in.ring.point = TRACE_RING_ENABLED + 1;
	assert_int_equal(trace_rec_encode(&in, g_buf, sizeof(g_buf)), -EINVAL);

	memset(text, 'm', sizeof(text));
	in = (struct trace_rec){.type = TRACE_REC_MARKER, .conn = 3, .text = text, .text_len = 1};
	roundtrip(&in, &out);
	assert_int_equal(out.text_len, 1);
	assert_memory_equal(out.text, "m", 1);
	in.text_len = TRACE_MARKER_MAX;
	roundtrip(&in, &out);
	assert_int_equal(out.text_len, TRACE_MARKER_MAX);
	in.text_len = TRACE_MARKER_MAX + 1;
	assert_int_equal(trace_rec_encode(&in, g_buf, sizeof(g_buf)), -EINVAL);
	in.text_len = 0;
	assert_int_equal(trace_rec_encode(&in, g_buf, sizeof(g_buf)), -EINVAL);
}

/* Every prefix of a record, and the record with a byte after it, is
 * refused: its length field says what it must be. */
static void test_truncated_refused(void **state)
{
	struct trace_rec recs[3] = {msg_rec(40, 1),
				    {.type = TRACE_REC_RING, .ring = {.point = TRACE_RING_KICK}},
				    {.type = TRACE_REC_MARKER, .text = "opened", .text_len = 6}};
	struct trace_rec out;

	(void)state;
	for (size_t r = 0; r < 3; r++) {
		int len = trace_rec_encode(&recs[r], g_buf, sizeof(g_buf) - 1);

		assert_true(len > 0);
		for (int cut = 0; cut < len; cut++)
			assert_int_equal(trace_rec_decode(g_buf, (size_t)cut, &out), -EINVAL);
		g_buf[len] = 0;
		assert_int_equal(trace_rec_decode(g_buf, (size_t)len + 1, &out), -EINVAL);
		assert_int_equal(trace_rec_decode(g_buf, (size_t)len, &out), 0);
	}
}

/* Bytes the format does not allow: another version, an unknown type,
 * reserved bits set, a direction past the two. */
static void test_bad_fields_refused(void **state)
{
	struct trace_rec in = msg_rec(8, 0), out;
	int len = trace_rec_encode(&in, g_buf, sizeof(g_buf));
	static const struct {
		size_t off;
		uint8_t value;
	} bad[] = {{0, 2}, {1, 0}, {1, 4}, {2, 2}, {3, 2}, {13, 13}, {14, 1}, {15, 1}};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t keep = g_buf[bad[i].off];

		g_buf[bad[i].off] = bad[i].value;
		assert_int_equal(trace_rec_decode(g_buf, (size_t)len, &out), -EINVAL);
		g_buf[bad[i].off] = keep;
	}
	assert_int_equal(trace_rec_decode(g_buf, (size_t)len, &out), 0);
}

/* The fd entries a message's own payload describes. */
static void test_describe_fds(void **state)
{
	struct vhost_user_memory mem = {
	    .nregions = 2,
	    .regions = {{0, 0x1000, 0x7f00, 0x10}, {0x100000, 0x2000, 0x8f00, 0x20}}};
	struct trace_rec rec = {.type = TRACE_REC_MSG,
				.hdr = {.request = VHOST_USER_SET_MEM_TABLE, .size = 8 + 64},
				.hdr_len = 12,
				.payload = (const uint8_t *)&mem,
				.payload_len = 8 + 64,
				.nfds = 2};
	uint64_t kick = 3;

	(void)state;
	trace_rec_describe_fds(&rec);
	assert_int_equal(rec.fds[1].kind, TRACE_FD_MEM);
	assert_int_equal(rec.fds[1].index, 1);
	assert_int_equal(rec.fds[1].gpa, 0x100000);
	assert_int_equal(rec.fds[1].size, 0x2000);
	assert_int_equal(rec.fds[1].offset, 0x20);
	/* A table shorter than its count: only the regions that are there. */
	rec.payload_len = 8 + 32;
	trace_rec_describe_fds(&rec);
	assert_int_equal(rec.fds[0].kind, TRACE_FD_MEM);
	assert_int_equal(rec.fds[1].kind, TRACE_FD_OTHER);

	rec = (struct trace_rec){.type = TRACE_REC_MSG,
				 .hdr = {.request = VHOST_USER_SET_VRING_KICK, .size = 8},
				 .hdr_len = 12,
				 .payload = (const uint8_t *)&kick,
				 .payload_len = 8,
				 .nfds = 1};
	trace_rec_describe_fds(&rec);
	assert_int_equal(rec.fds[0].kind, TRACE_FD_VRING);
	assert_int_equal(rec.fds[0].index, 3);
}

/* The first bytes of the file: a pcapng Section Header Block in this
 * machine's byte order. */
static void assert_pcapng(const char *path)
{
	uint32_t head[3];
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	assert_int_equal(fread(head, sizeof(head), 1, f), 1);
	fclose(f);
	assert_int_equal(head[0], 0x0A0D0D0A); /* block type: SHB */
	assert_int_equal(head[1] % 4, 0);      /* its length, 32-bit aligned */
	assert_int_equal(head[2], 0x1A2B3C4D); /* byte-order magic */
}

/* Written as pcapng, read through libpcap: the records come back in order,
 * with their times to the nanosecond. */
static void test_file_roundtrip(void **state)
{
	char path[] = "/tmp/storlab-trace-XXXXXX";
	struct trace_writer *w;
	struct trace_reader *r;
	struct trace_rec in = msg_rec(16, 1), out;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(trace_writer_open(path, &w), 0);
	for (uint32_t i = 0; i < 3; i++) {
		in.conn = i + 1;
		assert_int_equal(trace_writer_put(w, &in, 1000000000ull + i), 0);
	}
	assert_int_equal(trace_writer_close(w), 0);
	assert_pcapng(path);

	assert_int_equal(trace_reader_open(path, &r), 0);
	uint64_t first = 0;
	for (uint32_t i = 0; i < 3; i++) {
		assert_int_equal(trace_reader_next(r, &out), 1);
		assert_int_equal(out.conn, i + 1);
		in.conn = i + 1;
		assert_same_msg(&in, &out);
		if (i == 0)
			first = out.time_ns;
		/* Nanoseconds kept: one apart, as written. */
		assert_int_equal(out.time_ns - first, i);
	}
	assert_int_equal(trace_reader_next(r, &out), 0);
	assert_int_equal(trace_reader_count(r), 3);
	trace_reader_close(r);
	unlink(path);
}

/* A file that is not a trace: refused at open. */
static void test_file_not_a_trace(void **state)
{
	char path[] = "/tmp/storlab-trace-XXXXXX";
	struct trace_reader *r;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a capture at all", 20), 20);
	close(fd);
	assert_true(trace_reader_open(path, &r) < 0);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_message_roundtrip), cmocka_unit_test(test_message_edges),
	    cmocka_unit_test(test_message_partial),   cmocka_unit_test(test_ring_and_marker),
	    cmocka_unit_test(test_truncated_refused), cmocka_unit_test(test_bad_fields_refused),
	    cmocka_unit_test(test_describe_fds),      cmocka_unit_test(test_file_roundtrip),
	    cmocka_unit_test(test_file_not_a_trace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
