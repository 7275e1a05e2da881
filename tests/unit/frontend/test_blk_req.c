/* SPDX-License-Identifier: MIT */
/* The virtio-blk request parser (virtio 1.2 §5.2.6) over hand-built chains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "target/frontend/vhost_blk_req.h"

/* 1 MiB of 512-byte blocks unless a test changes it. */
static struct vhost_blk_limits g_lim;

/* A chain under construction: buffers carved out of one arena. */
struct chain {
	uint8_t arena[65536];
	size_t used;
	struct iovec iov[VHOST_BLK_IOV_MAX];
	unsigned nout, nin;
};

static int setup(void **state)
{
	(void)state;
	g_lim = (struct vhost_blk_limits){
	    .block_size = 512,
	    .num_blocks = 2048,
	    .flush = true,
	    .discard = true,
	    .write_zeroes = true,
	    .max_discard_sectors = 1024,
	    .max_write_zeroes_sectors = 1024,
	};
	return 0;
}

static uint8_t *add_buf(struct chain *c, size_t len, bool writable)
{
	uint8_t *p = c->arena + c->used;

	assert_true(c->used + len <= sizeof(c->arena));
	/* Writable buffers only after readable ones, as lib/virtio delivers. */
	if (!writable)
		assert_int_equal(c->nin, 0);
	c->iov[c->nout + c->nin] = (struct iovec){.iov_base = p, .iov_len = len};
	if (writable)
		c->nin++;
	else
		c->nout++;
	c->used += len + 8; /* a gap, so that adjacent buffers are not contiguous */
	memset(p, 0xee, len);
	return p;
}

static void fill_hdr(uint8_t *dst, uint32_t type, uint64_t sector)
{
	struct virtio_blk_outhdr h = {.type = type, .reserved = 0, .sector = sector};

	memcpy(dst, &h, sizeof(h));
}

/* The most common shape: header, data (direction by type), status. */
static void build_simple(struct chain *c, uint32_t type, uint64_t sector, size_t data_len,
			 bool data_writable)
{
	memset(c, 0, sizeof(*c));
	fill_hdr(add_buf(c, 16, false), type, sector);
	if (data_len)
		add_buf(c, data_len, data_writable);
	add_buf(c, 1, true);
}

static void parse(struct chain *c, struct vhost_blk_req *req)
{
	vhost_blk_req_parse(&g_lim, c->iov, c->nout, c->nin, req);
}

static void add_seg(struct chain *c, uint64_t sector, uint32_t num, uint32_t flags)
{
	struct virtio_blk_discard_write_zeroes s = {
	    .sector = sector, .num_sectors = num, .flags = flags};

	memcpy(add_buf(c, sizeof(s), false), &s, sizeof(s));
}

static void start_dwz(struct chain *c, uint32_t type)
{
	memset(c, 0, sizeof(*c));
	fill_hdr(add_buf(c, 16, false), type, 0);
}

static void expect_reject(struct vhost_blk_req *req, uint8_t status, const char *section)
{
	assert_int_equal(req->status, status);
	assert_int_equal(req->op, VHOST_BLK_OP_NONE);
	assert_non_null(req->reject);
	assert_non_null(strstr(req->reject, section));
}

/* ---- reads and writes ---- */

static void test_read_simple(void **state)
{
	struct chain c;
	struct vhost_blk_req req;
	uint8_t *data;

	(void)state;
	memset(&c, 0, sizeof(c));
	fill_hdr(add_buf(&c, 16, false), VIRTIO_BLK_T_IN, 8);
	data = add_buf(&c, 4096, true);
	add_buf(&c, 1, true);
	parse(&c, &req);
	assert_int_equal(req.status, VIRTIO_BLK_S_OK);
	assert_int_equal(req.op, VHOST_BLK_OP_READ);
	assert_int_equal(req.type, VIRTIO_BLK_T_IN);
	assert_int_equal(req.offset_blocks, 8);
	assert_int_equal(req.num_blocks, 8);
	assert_int_equal(req.data_len, 4096);
	assert_int_equal(req.data_iovcnt, 1);
	assert_ptr_equal(req.data_iov[0].iov_base, data);
	assert_int_equal(req.data_iov[0].iov_len, 4096);
	assert_ptr_equal(req.status_ptr, c.iov[2].iov_base);
	assert_null(req.reject);
}

/* The header split 5 + 7 + 4 bytes, and the last header descriptor goes on
 * with write data: the data must start right after the 16th byte. */
static void test_header_spans_descriptors(void **state)
{
	struct chain c;
	struct vhost_blk_req req;
	uint8_t hdr[16], *a, *b, *d;

	(void)state;
	memset(&c, 0, sizeof(c));
	fill_hdr(hdr, VIRTIO_BLK_T_OUT, 1000);
	a = add_buf(&c, 5, false);
	b = add_buf(&c, 7, false);
	d = add_buf(&c, 4 + 1024, false);
	memcpy(a, hdr, 5);
	memcpy(b, hdr + 5, 7);
	memcpy(d, hdr + 12, 4);
	add_buf(&c, 512, false);
	add_buf(&c, 1, true);
	parse(&c, &req);
	assert_int_equal(req.status, VIRTIO_BLK_S_OK);
	assert_int_equal(req.op, VHOST_BLK_OP_WRITE);
	assert_int_equal(req.offset_blocks, 1000);
	assert_int_equal(req.num_blocks, 3);
	assert_int_equal(req.data_len, 1536);
	assert_int_equal(req.data_iovcnt, 2);
	assert_ptr_equal(req.data_iov[0].iov_base, d + 4);
	assert_int_equal(req.data_iov[0].iov_len, 1024);
	assert_int_equal(req.data_iov[1].iov_len, 512);
}

/* Header, then data in its own descriptors: the header descriptor must not
 * show up as an empty data buffer. */
static void test_write_header_alone(void **state)
{
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	build_simple(&c, VIRTIO_BLK_T_OUT, 0, 512, false);
	parse(&c, &req);
	assert_int_equal(req.op, VHOST_BLK_OP_WRITE);
	assert_int_equal(req.data_iovcnt, 1);
	assert_ptr_equal(req.data_iov, &c.iov[1]);
}

/* One writable descriptor holds the read data and, in its last byte, the
 * status: the data must be trimmed by that byte. */
static void test_status_shares_descriptor(void **state)
{
	struct chain c;
	struct vhost_blk_req req;
	uint8_t *buf;

	(void)state;
	memset(&c, 0, sizeof(c));
	fill_hdr(add_buf(&c, 16, false), VIRTIO_BLK_T_IN, 0);
	add_buf(&c, 512, true);
	buf = add_buf(&c, 1024 + 1, true);
	parse(&c, &req);
	assert_int_equal(req.status, VIRTIO_BLK_S_OK);
	assert_int_equal(req.op, VHOST_BLK_OP_READ);
	assert_int_equal(req.data_len, 1536);
	assert_int_equal(req.data_iovcnt, 2);
	assert_int_equal(req.data_iov[1].iov_len, 1024);
	assert_ptr_equal(req.status_ptr, buf + 1024);
	assert_int_equal(req.num_blocks, 3);
}

/* An empty writable descriptor at the end holds nothing: the status is the
 * last byte of the last non-empty one. */
static void test_status_skips_empty_tail(void **state)
{
	struct chain c;
	struct vhost_blk_req req;
	uint8_t *st;

	(void)state;
	memset(&c, 0, sizeof(c));
	fill_hdr(add_buf(&c, 16, false), VIRTIO_BLK_T_IN, 0);
	add_buf(&c, 512, true);
	st = add_buf(&c, 1, true);
	add_buf(&c, 0, true);
	parse(&c, &req);
	assert_int_equal(req.status, VIRTIO_BLK_S_OK);
	assert_ptr_equal(req.status_ptr, st);
	assert_int_equal(req.data_len, 512);
	assert_int_equal(req.data_iovcnt, 1);
}

static void test_no_status_byte(void **state)
{
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	memset(&c, 0, sizeof(c));
	fill_hdr(add_buf(&c, 16, false), VIRTIO_BLK_T_OUT, 0);
	add_buf(&c, 512, false);
	parse(&c, &req);
	assert_null(req.status_ptr);
	assert_int_not_equal(req.status, VIRTIO_BLK_S_OK);
	assert_non_null(strstr(req.reject, "§5.2.6"));

	/* Only empty writable descriptors: no status byte either. */
	add_buf(&c, 0, true);
	parse(&c, &req);
	assert_null(req.status_ptr);
}

static void test_short_header(void **state)
{
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	memset(&c, 0, sizeof(c));
	add_buf(&c, 8, false);
	add_buf(&c, 7, false);
	add_buf(&c, 1, true);
	parse(&c, &req);
	assert_non_null(req.status_ptr);
	assert_int_equal(req.type, UINT32_MAX);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "§5.2.6");

	/* No readable bytes at all. */
	memset(&c, 0, sizeof(c));
	add_buf(&c, 513, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "§5.2.6");
}

static void test_rw_length_not_sector_multiple(void **state)
{
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	build_simple(&c, VIRTIO_BLK_T_IN, 0, 511, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "§5.2.6.1");
	build_simple(&c, VIRTIO_BLK_T_OUT, 0, 1000, false);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "§5.2.6.1");
}

static void test_rw_capacity(void **state)
{
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	/* The last sector is fine ... */
	build_simple(&c, VIRTIO_BLK_T_IN, 2047, 512, true);
	parse(&c, &req);
	assert_int_equal(req.status, VIRTIO_BLK_S_OK);
	assert_int_equal(req.offset_blocks, 2047);
	/* ... one more is not, */
	build_simple(&c, VIRTIO_BLK_T_IN, 2047, 1024, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "beyond capacity");
	build_simple(&c, VIRTIO_BLK_T_OUT, 2048, 512, false);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "beyond capacity");
	/* ... and a sector that would wrap sector + length must not pass. */
	build_simple(&c, VIRTIO_BLK_T_IN, UINT64_MAX, 512, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "beyond capacity");
	build_simple(&c, VIRTIO_BLK_T_IN, UINT64_MAX >> 9, 512, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "beyond capacity");
}

static void test_rw_block_alignment(void **state)
{
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	g_lim.block_size = 4096;
	g_lim.num_blocks = 256;
	build_simple(&c, VIRTIO_BLK_T_IN, 16, 8192, true);
	parse(&c, &req);
	assert_int_equal(req.status, VIRTIO_BLK_S_OK);
	assert_int_equal(req.offset_blocks, 2);
	assert_int_equal(req.num_blocks, 2);
	build_simple(&c, VIRTIO_BLK_T_IN, 1, 4096, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "§5.2.4");
	build_simple(&c, VIRTIO_BLK_T_OUT, 8, 512, false);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "§5.2.4");
}

static void test_rw_empty(void **state)
{
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	build_simple(&c, VIRTIO_BLK_T_IN, 0, 0, true);
	parse(&c, &req);
	assert_int_equal(req.status, VIRTIO_BLK_S_OK);
	assert_int_equal(req.op, VHOST_BLK_OP_NONE);
	assert_null(req.reject);
}

static void test_write_readonly(void **state)
{
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	g_lim.readonly = true;
	build_simple(&c, VIRTIO_BLK_T_OUT, 0, 512, false);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "§5.2.6.2");
	/* Reads still work. */
	build_simple(&c, VIRTIO_BLK_T_IN, 0, 512, true);
	parse(&c, &req);
	assert_int_equal(req.op, VHOST_BLK_OP_READ);
}

/* ---- flush, get id, unknown ---- */

static void test_flush(void **state)
{
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	build_simple(&c, VIRTIO_BLK_T_FLUSH, 0, 0, false);
	parse(&c, &req);
	assert_int_equal(req.status, VIRTIO_BLK_S_OK);
	assert_int_equal(req.op, VHOST_BLK_OP_FLUSH);
	g_lim.flush = false;
	/* Parsing trims the chain in place: build it again. */
	build_simple(&c, VIRTIO_BLK_T_FLUSH, 0, 0, false);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_UNSUPP, "§5.2.3");
}

static void test_get_id(void **state)
{
	struct chain c;
	struct vhost_blk_req req;
	uint8_t *data;

	(void)state;
	memset(&c, 0, sizeof(c));
	fill_hdr(add_buf(&c, 16, false), VIRTIO_BLK_T_GET_ID, 0);
	data = add_buf(&c, 20, true);
	add_buf(&c, 1, true);
	parse(&c, &req);
	assert_int_equal(req.status, VIRTIO_BLK_S_OK);
	assert_int_equal(req.op, VHOST_BLK_OP_GET_ID);
	vhost_blk_req_fill_id(&req, "Malloc0");
	assert_memory_equal(data, "Malloc0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);

	/* A 20-character name has no terminator; a longer one is cut at 20. */
	vhost_blk_req_fill_id(&req, "abcdefghijklmnopqrstuvwxyz");
	assert_memory_equal(data, "abcdefghijklmnopqrst", 20);
}

/* The id crosses descriptors, the last of which also holds the status. */
static void test_get_id_split(void **state)
{
	struct chain c;
	struct vhost_blk_req req;
	uint8_t *a, *b;

	(void)state;
	memset(&c, 0, sizeof(c));
	fill_hdr(add_buf(&c, 16, false), VIRTIO_BLK_T_GET_ID, 0);
	a = add_buf(&c, 7, true);
	b = add_buf(&c, 13 + 1, true);
	parse(&c, &req);
	assert_int_equal(req.op, VHOST_BLK_OP_GET_ID);
	assert_ptr_equal(req.status_ptr, b + 13);
	vhost_blk_req_fill_id(&req, "vhost-blk-disk-42");
	assert_memory_equal(a, "vhost-b", 7);
	assert_memory_equal(b, "lk-disk-42\0\0\0", 13);
	assert_int_equal(b[13], 0xee);
}

static void test_get_id_short(void **state)
{
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	build_simple(&c, VIRTIO_BLK_T_GET_ID, 0, 19, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "§5.2.6.1");
}

static void test_unknown_types(void **state)
{
	static const uint32_t types[] = {
	    2, 3, 5, VIRTIO_BLK_T_GET_LIFETIME, VIRTIO_BLK_T_SECURE_ERASE, 16, 0x80000000u,
	};
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		build_simple(&c, types[i], 0, 512, true);
		parse(&c, &req);
		assert_int_equal(req.type, types[i]);
		expect_reject(&req, VIRTIO_BLK_S_UNSUPP, "§5.2.6");
	}
}

/* ---- discard and write zeroes ---- */

static void test_discard(void **state)
{
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	start_dwz(&c, VIRTIO_BLK_T_DISCARD);
	add_seg(&c, 8, 16, 0);
	add_seg(&c, 100, 1, 0);
	add_buf(&c, 1, true);
	parse(&c, &req);
	assert_int_equal(req.status, VIRTIO_BLK_S_OK);
	assert_int_equal(req.op, VHOST_BLK_OP_DISCARD);
	assert_int_equal(req.nseg, 2);
	assert_int_equal(req.segs[0].offset_blocks, 8);
	assert_int_equal(req.segs[0].num_blocks, 16);
	assert_int_equal(req.segs[1].offset_blocks, 100);
	assert_int_equal(req.segs[1].num_blocks, 1);
}

/* Segments may straddle descriptors, like the header. */
static void test_dwz_segment_spans_descriptors(void **state)
{
	struct chain c;
	struct vhost_blk_req req;
	struct virtio_blk_discard_write_zeroes s = {.sector = 64, .num_sectors = 32, .flags = 1};
	uint8_t raw[16 + 16], *a, *b;

	(void)state;
	fill_hdr(raw, VIRTIO_BLK_T_WRITE_ZEROES, 0);
	memcpy(raw + 16, &s, 16);
	memset(&c, 0, sizeof(c));
	a = add_buf(&c, 20, false);
	b = add_buf(&c, 12, false);
	memcpy(a, raw, 20);
	memcpy(b, raw + 20, 12);
	add_buf(&c, 1, true);
	parse(&c, &req);
	assert_int_equal(req.status, VIRTIO_BLK_S_OK);
	assert_int_equal(req.op, VHOST_BLK_OP_WRITE_ZEROES);
	assert_int_equal(req.nseg, 1);
	assert_int_equal(req.segs[0].offset_blocks, 64);
	assert_int_equal(req.segs[0].num_blocks, 32);
}

static void test_dwz_not_negotiated(void **state)
{
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	g_lim.discard = false;
	start_dwz(&c, VIRTIO_BLK_T_DISCARD);
	add_seg(&c, 0, 8, 0);
	add_buf(&c, 1, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_UNSUPP, "§5.2.3");
	/* Write zeroes is still negotiated. */
	start_dwz(&c, VIRTIO_BLK_T_WRITE_ZEROES);
	add_seg(&c, 0, 8, 0);
	add_buf(&c, 1, true);
	parse(&c, &req);
	assert_int_equal(req.op, VHOST_BLK_OP_WRITE_ZEROES);
	g_lim.write_zeroes = false;
	start_dwz(&c, VIRTIO_BLK_T_WRITE_ZEROES);
	add_seg(&c, 0, 8, 0);
	add_buf(&c, 1, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_UNSUPP, "§5.2.3");
}

static void test_dwz_bad_length(void **state)
{
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	/* No segment at all. */
	start_dwz(&c, VIRTIO_BLK_T_DISCARD);
	add_buf(&c, 1, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "§5.2.6.1");
	/* 1.5 segments. */
	start_dwz(&c, VIRTIO_BLK_T_WRITE_ZEROES);
	add_buf(&c, 24, false);
	add_buf(&c, 1, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "§5.2.6.1");
}

static void test_dwz_too_many_segments(void **state)
{
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	start_dwz(&c, VIRTIO_BLK_T_DISCARD);
	for (unsigned i = 0; i < VHOST_BLK_MAX_DWZ_SEG; i++)
		add_seg(&c, i * 8, 8, 0);
	add_buf(&c, 1, true);
	parse(&c, &req);
	assert_int_equal(req.op, VHOST_BLK_OP_DISCARD);
	assert_int_equal(req.nseg, VHOST_BLK_MAX_DWZ_SEG);

	start_dwz(&c, VIRTIO_BLK_T_DISCARD);
	for (unsigned i = 0; i < VHOST_BLK_MAX_DWZ_SEG + 1; i++)
		add_seg(&c, i * 8, 8, 0);
	add_buf(&c, 1, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "§5.2.6.1");
}

static void test_dwz_flags(void **state)
{
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	/* Unmap in a discard: UNSUPP. */
	start_dwz(&c, VIRTIO_BLK_T_DISCARD);
	add_seg(&c, 0, 8, 0);
	add_seg(&c, 8, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	add_buf(&c, 1, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_UNSUPP, "§5.2.6.2");
	/* Unmap in a write zeroes: fine. */
	start_dwz(&c, VIRTIO_BLK_T_WRITE_ZEROES);
	add_seg(&c, 0, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	add_buf(&c, 1, true);
	parse(&c, &req);
	assert_int_equal(req.status, VIRTIO_BLK_S_OK);
	/* Any unknown flag: UNSUPP, for both types. */
	start_dwz(&c, VIRTIO_BLK_T_WRITE_ZEROES);
	add_seg(&c, 0, 8, 2);
	add_buf(&c, 1, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_UNSUPP, "§5.2.6.2");
	start_dwz(&c, VIRTIO_BLK_T_DISCARD);
	add_seg(&c, 0, 8, 0x80000000u);
	add_buf(&c, 1, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_UNSUPP, "§5.2.6.2");
	/* The flag rule wins over a range error in an earlier segment. */
	start_dwz(&c, VIRTIO_BLK_T_WRITE_ZEROES);
	add_seg(&c, 1u << 30, 8, 0);
	add_seg(&c, 0, 8, 4);
	add_buf(&c, 1, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_UNSUPP, "§5.2.6.2");
}

static void test_dwz_limits(void **state)
{
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	/* Longer than max_discard_sectors. */
	start_dwz(&c, VIRTIO_BLK_T_DISCARD);
	add_seg(&c, 0, 1025, 0);
	add_buf(&c, 1, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "§5.2.4");
	/* Beyond capacity, and wrapping. */
	start_dwz(&c, VIRTIO_BLK_T_WRITE_ZEROES);
	add_seg(&c, 2040, 16, 0);
	add_buf(&c, 1, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "beyond capacity");
	start_dwz(&c, VIRTIO_BLK_T_WRITE_ZEROES);
	add_seg(&c, UINT64_MAX - 4, 16, 0);
	add_buf(&c, 1, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "beyond capacity");
	/* Not aligned to a 4 KiB block. */
	g_lim.block_size = 4096;
	g_lim.num_blocks = 256;
	start_dwz(&c, VIRTIO_BLK_T_DISCARD);
	add_seg(&c, 8, 4, 0);
	add_buf(&c, 1, true);
	parse(&c, &req);
	expect_reject(&req, VIRTIO_BLK_S_IOERR, "§5.2.4");
	start_dwz(&c, VIRTIO_BLK_T_DISCARD);
	add_seg(&c, 8, 16, 0);
	add_buf(&c, 1, true);
	parse(&c, &req);
	assert_int_equal(req.status, VIRTIO_BLK_S_OK);
	assert_int_equal(req.segs[0].offset_blocks, 1);
	assert_int_equal(req.segs[0].num_blocks, 2);
}

/* Empty segments are valid and do nothing; only non-empty ones are kept. */
static void test_dwz_empty_segments(void **state)
{
	struct chain c;
	struct vhost_blk_req req;

	(void)state;
	start_dwz(&c, VIRTIO_BLK_T_WRITE_ZEROES);
	add_seg(&c, 0, 0, 0);
	add_seg(&c, 24, 8, 0);
	add_buf(&c, 1, true);
	parse(&c, &req);
	assert_int_equal(req.op, VHOST_BLK_OP_WRITE_ZEROES);
	assert_int_equal(req.nseg, 1);
	assert_int_equal(req.segs[0].offset_blocks, 24);

	start_dwz(&c, VIRTIO_BLK_T_DISCARD);
	add_seg(&c, 0, 0, 0);
	add_buf(&c, 1, true);
	parse(&c, &req);
	assert_int_equal(req.status, VIRTIO_BLK_S_OK);
	assert_int_equal(req.op, VHOST_BLK_OP_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_read_simple, setup),
	    cmocka_unit_test_setup(test_header_spans_descriptors, setup),
	    cmocka_unit_test_setup(test_write_header_alone, setup),
	    cmocka_unit_test_setup(test_status_shares_descriptor, setup),
	    cmocka_unit_test_setup(test_status_skips_empty_tail, setup),
	    cmocka_unit_test_setup(test_no_status_byte, setup),
	    cmocka_unit_test_setup(test_short_header, setup),
	    cmocka_unit_test_setup(test_rw_length_not_sector_multiple, setup),
	    cmocka_unit_test_setup(test_rw_capacity, setup),
	    cmocka_unit_test_setup(test_rw_block_alignment, setup),
	    cmocka_unit_test_setup(test_rw_empty, setup),
	    cmocka_unit_test_setup(test_write_readonly, setup),
	    cmocka_unit_test_setup(test_flush, setup),
	    cmocka_unit_test_setup(test_get_id, setup),
	    cmocka_unit_test_setup(test_get_id_split, setup),
	    cmocka_unit_test_setup(test_get_id_short, setup),
	    cmocka_unit_test_setup(test_unknown_types, setup),
	    cmocka_unit_test_setup(test_discard, setup),
	    cmocka_unit_test_setup(test_dwz_segment_spans_descriptors, setup),
	    cmocka_unit_test_setup(test_dwz_not_negotiated, setup),
	    cmocka_unit_test_setup(test_dwz_bad_length, setup),
	    cmocka_unit_test_setup(test_dwz_too_many_segments, setup),
	    cmocka_unit_test_setup(test_dwz_flags, setup),
	    cmocka_unit_test_setup(test_dwz_limits, setup),
	    cmocka_unit_test_setup(test_dwz_empty_segments, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
