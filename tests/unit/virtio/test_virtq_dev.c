/* SPDX-License-Identifier: MIT */
/*
 * Device side of split virtqueues: chains made by our driver side, and
 * descriptor tables hand-crafted the way a malicious driver would write them.
 * Every rejection must consume the entry (or, for a broken ring, not), keep
 * chain.head valid, and name the spec section in the log.
 */
#include <errno.h>

#include "guest.h"

static const uint64_t F_INDIRECT = VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC);

/* Copies iov[first .. first + n) of the chain into out; returns the bytes. */
static size_t gather(const struct virtq_chain *c, uint16_t first, uint16_t n, uint8_t *out)
{
	size_t total = 0;

	for (uint16_t i = first; i < first + n; i++) {
		memcpy(out + total, c->iov[i].iov_base, c->iov[i].iov_len);
		total += c->iov[i].iov_len;
	}
	return total;
}

/* Pushes the popped chain back and checks the used element the driver sees. */
static void push_and_check(struct guest *g, uint16_t head, uint32_t len)
{
	uint16_t slot = g->dev.used_idx & (g->num - 1);

	virtq_dev_push(&g->dev, head, len);
	assert_int_equal(g->used->ring[slot].id, head);
	assert_int_equal(g->used->ring[slot].len, len);
	assert_int_equal(g->used->idx, g->dev.used_idx);
}

static void test_roundtrip(void **state)
{
	struct guest *g = guest_new(16, 0, 0);
	uint8_t *hdr = guest_hva(g, guest_buf(0)), *data = guest_hva(g, guest_buf(0x1000));
	uint8_t *status = guest_hva(g, guest_buf(0x2000));
	const struct virtq_buf bufs[] = {
		{guest_buf(0), 16},
		{guest_buf(0x1000), 512},
		{guest_buf(0x2000), 1},
	};
	int cookie;
	void *got;
	uint32_t len;

	(void)state;
	memset(hdr, 0x11, 16);
	memset(data, 0x22, 512);
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 2, 1, &cookie), 0);
	/* Not visible before publish. */
	assert_false(virtq_dev_has_work(&g->dev));
	assert_int_equal(virtq_dev_pop(&g->dev, &g->chain), -EAGAIN);
	assert_true(virtq_drv_publish(&g->drv));
	assert_true(virtq_dev_has_work(&g->dev));

	guest_pop_expect(g, 0, 0, NULL);
	assert_int_equal(g->chain.nout, 2);
	assert_int_equal(g->chain.nin, 1);
	assert_int_equal(g->chain.out_len, 528);
	assert_int_equal(g->chain.in_len, 1);
	assert_ptr_equal(g->iov[0].iov_base, hdr);
	assert_int_equal(g->iov[0].iov_len, 16);
	assert_ptr_equal(g->iov[1].iov_base, data);
	assert_int_equal(g->iov[1].iov_len, 512);
	assert_ptr_equal(g->iov[2].iov_base, status);
	assert_int_equal(((uint8_t *)g->iov[0].iov_base)[15], 0x11);
	*(uint8_t *)g->iov[2].iov_base = 0x5a;
	assert_false(virtq_dev_has_work(&g->dev));
	assert_int_equal(virtq_dev_pop(&g->dev, &g->chain), -EAGAIN);

	push_and_check(g, 0, 1);
	assert_int_equal(virtq_drv_get_used(&g->drv, &got, &len), 0);
	assert_ptr_equal(got, &cookie);
	assert_int_equal(len, 1);
	assert_int_equal(*status, 0x5a);
	assert_int_equal(virtq_drv_get_used(&g->drv, &got, &len), -EAGAIN);
	assert_int_equal(g->drv.num_free, 16);
	guest_free(g);
}

/* Buffers of chain seq: 1 to 3 of them, some device-writable, at addresses
 * that depend on seq. */
static uint16_t seq_bufs(uint32_t seq, struct virtq_buf *bufs, uint16_t *nout)
{
	uint16_t n = 1 + seq % 3;

	for (uint16_t j = 0; j < n; j++)
		bufs[j] = (struct virtq_buf){guest_buf((seq % 61) * 256 + j * 64), 8 + j};
	*nout = (uint16_t)(n - seq % 2 * (n > 1));
	return n;
}

/* 65536 + a few chains through a ring of 8, in batches of 1 to 3, so that
 * avail and used indices wrap with chains on both sides of the wrap. */
static void test_index_wraparound_through_driver(void **state)
{
	struct guest *g = guest_new(8, 0, 0);
	uint32_t added = 0, popped = 0, reaped = 0;

	(void)state;
	while (reaped < 65536 + 40) {
		uint32_t batch = 1 + added % 3;

		for (uint32_t b = 0; b < batch; b++, added++) {
			struct virtq_buf bufs[3];
			uint16_t nout, n = seq_bufs(added, bufs, &nout);

			assert_int_equal(virtq_drv_add(&g->drv, bufs, nout, (uint16_t)(n - nout),
						       (void *)(uintptr_t)(added + 1)),
					 0);
		}
		virtq_drv_publish(&g->drv);
		for (; popped < added; popped++) {
			struct virtq_buf bufs[3];
			uint16_t nout, n = seq_bufs(popped, bufs, &nout);

			assert_int_equal(virtq_dev_pop(&g->dev, &g->chain), 0);
			assert_int_equal(g->chain.nout, nout);
			assert_int_equal(g->chain.nin, n - nout);
			for (uint16_t j = 0; j < n; j++) {
				assert_ptr_equal(g->iov[j].iov_base, guest_hva(g, bufs[j].addr));
				assert_int_equal(g->iov[j].iov_len, bufs[j].len);
			}
			virtq_dev_push(&g->dev, g->chain.head, popped ^ 0x5555);
		}
		for (; reaped < added; reaped++) {
			void *cookie;
			uint32_t len;

			assert_int_equal(virtq_drv_get_used(&g->drv, &cookie, &len), 0);
			assert_int_equal((uintptr_t)cookie, reaped + 1);
			assert_int_equal(len, reaped ^ 0x5555);
		}
		assert_int_equal(g->drv.num_free, 8);
	}
	assert_int_equal(virtq_dev_last_avail_idx(&g->dev), (uint16_t)added);
	assert_int_equal(g->used->idx, (uint16_t)added);
	assert_int_equal(g->avail->idx, (uint16_t)added);
	guest_free(g);
}

/* The same wrap with a hand-written ring that starts at 65534. */
static void test_index_wraparound_handcrafted(void **state)
{
	struct guest *g = guest_new(4, 0, 0);

	(void)state;
	g->avail->idx = 65534;
	g->used->idx = 65534;
	guest_dev_init(g, 0, 0, 65534);
	for (uint16_t h = 0; h < 4; h++) {
		guest_desc(g, h, guest_buf(h * 16), 16, 0, 0);
		guest_make_avail(g, (uint16_t)(3 - h));
	}
	assert_int_equal(g->avail->idx, 2);
	for (uint16_t i = 0; i < 4; i++) {
		guest_pop_expect(g, 0, (uint16_t)(3 - i), NULL);
		assert_ptr_equal(g->iov[0].iov_base, guest_hva(g, guest_buf((3 - i) * 16)));
		push_and_check(g, g->chain.head, i);
	}
	assert_int_equal(virtq_dev_last_avail_idx(&g->dev), 2);
	assert_int_equal(g->used->idx, 2);
	/* Slots 2, 3, 0, 1 in that order. */
	assert_int_equal(g->used->ring[2].id, 3);
	assert_int_equal(g->used->ring[1].id, 0);
	assert_int_equal(virtq_dev_pop(&g->dev, &g->chain), -EAGAIN);
	guest_free(g);
}

/* One payload split at odd lengths and odd addresses, gathered back whole;
 * a response scattered over two odd device-writable pieces. */
static void test_odd_splits(void **state)
{
	struct guest *g = guest_new(8, 0, 0);
	const uint32_t lens[] = {1, 7, 4000, 88};
	const uint64_t offs[] = {0x1, 0x103, 0x1005, 0x3fff};
	struct virtq_buf bufs[6];
	uint8_t payload[4096], out[4096];
	uint32_t at = 0;
	int cookie;

	(void)state;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 13 + 5);
	for (int i = 0; i < 4; i++) {
		bufs[i] = (struct virtq_buf){guest_buf(offs[i]), lens[i]};
		memcpy(guest_hva(g, bufs[i].addr), payload + at, lens[i]);
		at += lens[i];
	}
	bufs[4] = (struct virtq_buf){guest_buf(0x8001), 3};
	bufs[5] = (struct virtq_buf){guest_buf(0x9003), 5};
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 4, 2, &cookie), 0);
	virtq_drv_publish(&g->drv);
	guest_pop_expect(g, 0, 0, NULL);
	assert_int_equal(g->chain.nout, 4);
	assert_int_equal(g->chain.out_len, 4096);
	assert_int_equal(gather(&g->chain, 0, 4, out), 4096);
	assert_memory_equal(out, payload, 4096);
	assert_int_equal(g->chain.in_len, 8);
	memcpy(g->iov[4].iov_base, "abc", 3);
	memcpy(g->iov[5].iov_base, "defgh", 5);
	assert_memory_equal(guest_hva(g, guest_buf(0x8001)), "abc", 3);
	assert_memory_equal(guest_hva(g, guest_buf(0x9003)), "defgh", 5);
	guest_free(g);
}

static void test_indirect_through_driver(void **state)
{
	struct guest *g = guest_new(8, F_INDIRECT, 8);
	struct virtq_buf bufs[5];
	int cookies[8];

	(void)state;
	for (int i = 0; i < 5; i++)
		bufs[i] = (struct virtq_buf){guest_buf(i * 0x100), 0x10 + i};
	/* Eight chains of five buffers in a ring of eight: one descriptor each. */
	for (int c = 0; c < 8; c++)
		assert_int_equal(virtq_drv_add(&g->drv, bufs, 3, 2, &cookies[c]), 0);
	assert_int_equal(g->drv.num_free, 0);
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 1, 0, &cookies[0]), -ENOSPC);
	virtq_drv_publish(&g->drv);
	for (int c = 0; c < 8; c++) {
		uint16_t head;

		assert_int_equal(virtq_dev_pop(&g->dev, &g->chain), 0);
		head = g->chain.head;
		assert_int_equal(g->desc[head].flags, VIRTQ_DESC_F_INDIRECT);
		assert_int_equal(g->desc[head].len, 5 * 16);
		assert_int_equal(g->desc[head].addr,
				 GUEST_GPA + GUEST_INDIRECT_OFF + head * 8 * 16);
		assert_int_equal(g->chain.nout, 3);
		assert_int_equal(g->chain.nin, 2);
		assert_int_equal(g->chain.out_len, 0x10 + 0x11 + 0x12);
		assert_int_equal(g->chain.in_len, 0x13 + 0x14);
		for (int i = 0; i < 5; i++)
			assert_ptr_equal(g->iov[i].iov_base, guest_hva(g, guest_buf(i * 0x100)));
	}
	guest_free(g);
}

/* §2.7.5.3.2: direct descriptors followed by one indirect descriptor; its
 * WRITE flag is ignored; the table need not be aligned. */
static void test_indirect_after_direct(void **state)
{
	struct guest *g = guest_new(8, F_INDIRECT, 0);
	uint64_t tgpa = GUEST_GPA + GUEST_INDIRECT_OFF + 1;
	struct virtq_desc table[2] = {
		{guest_buf(0x100), 8, VIRTQ_DESC_F_NEXT, 1},
		{guest_buf(0x200), 4, VIRTQ_DESC_F_WRITE, 0},
	};

	(void)state;
	memcpy(guest_hva(g, tgpa), table, sizeof(table));
	guest_desc(g, 5, guest_buf(0), 16, VIRTQ_DESC_F_NEXT, 2);
	guest_desc(g, 2, tgpa, sizeof(table), VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	guest_make_avail(g, 5);
	guest_pop_expect(g, 0, 5, NULL);
	assert_int_equal(g->chain.nout, 2);
	assert_int_equal(g->chain.nin, 1);
	assert_ptr_equal(g->iov[0].iov_base, guest_hva(g, guest_buf(0)));
	assert_ptr_equal(g->iov[1].iov_base, guest_hva(g, guest_buf(0x100)));
	assert_ptr_equal(g->iov[2].iov_base, guest_hva(g, guest_buf(0x200)));
	assert_int_equal(g->chain.out_len, 24);
	assert_int_equal(g->chain.in_len, 4);
	guest_free(g);
}

/* Writes a two-entry indirect table at the indirect area and a ring
 * descriptor 0 that refers to it with len and flags. */
static void indirect_chain(struct guest *g, const struct virtq_desc table[2], uint32_t len,
			   uint16_t flags)
{
	memcpy(g->ram + GUEST_INDIRECT_OFF, table, 2 * sizeof(table[0]));
	guest_desc(g, 0, GUEST_GPA + GUEST_INDIRECT_OFF, len, flags, 1);
	guest_make_avail(g, 0);
}

static void test_indirect_rejected(void **state)
{
	struct guest *g = guest_new(8, F_INDIRECT, 0);
	const struct virtq_desc ok[2] = {
		{guest_buf(0), 8, VIRTQ_DESC_F_NEXT, 1},
		{guest_buf(8), 8, 0, 0},
	};
	const struct virtq_desc nested[2] = {
		{guest_buf(0), 32, VIRTQ_DESC_F_INDIRECT, 0},
		{guest_buf(8), 8, 0, 0},
	};
	const struct virtq_desc bad_next[2] = {
		{guest_buf(0), 8, VIRTQ_DESC_F_NEXT, 2},
		{guest_buf(8), 8, 0, 0},
	};
	const struct virtq_desc loop[2] = {
		{guest_buf(0), 8, VIRTQ_DESC_F_NEXT, 1},
		{guest_buf(8), 8, VIRTQ_DESC_F_NEXT, 0},
	};
	const struct virtq_desc outside[2] = {
		{guest_buf(0), 8, VIRTQ_DESC_F_NEXT, 1},
		{GUEST_GPA + GUEST_SIZE - 4, 8, 0, 0},
	};

	(void)state;
	indirect_chain(g, ok, 32, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT);
	guest_pop_expect(g, -EINVAL, 0, "§2.7.5.3.1");
	indirect_chain(g, ok, 0, VIRTQ_DESC_F_INDIRECT);
	guest_pop_expect(g, -EINVAL, 0, "§2.7.5.3");
	indirect_chain(g, ok, 24, VIRTQ_DESC_F_INDIRECT);
	guest_pop_expect(g, -EINVAL, 0, "non-zero multiple of 16");
	indirect_chain(g, nested, 32, VIRTQ_DESC_F_INDIRECT);
	guest_pop_expect(g, -EINVAL, 0, "inside an indirect table");
	indirect_chain(g, bad_next, 32, VIRTQ_DESC_F_INDIRECT);
	guest_pop_expect(g, -EINVAL, 0, "next 2 is outside a table of 2");
	indirect_chain(g, loop, 32, VIRTQ_DESC_F_INDIRECT);
	guest_pop_expect(g, -EINVAL, 0, "§2.7.5.2");
	indirect_chain(g, outside, 32, VIRTQ_DESC_F_INDIRECT);
	guest_pop_expect(g, -EINVAL, 0, "§2.7.5:");

	/* A table that straddles the end of guest memory. */
	guest_desc(g, 3, GUEST_GPA + GUEST_SIZE - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	guest_make_avail(g, 3);
	guest_pop_expect(g, -EINVAL, 3, "indirect table");
	/* A table whose length wraps the gpa. */
	guest_desc(g, 3, UINT64_MAX - 15, 32, VIRTQ_DESC_F_INDIRECT, 0);
	guest_make_avail(g, 3);
	guest_pop_expect(g, -EINVAL, 3, "indirect table");

	/* The same good table works, so the failures above were the table's. */
	indirect_chain(g, ok, 32, VIRTQ_DESC_F_INDIRECT);
	guest_pop_expect(g, 0, 0, NULL);
	assert_int_equal(g->chain.nout, 2);
	guest_free(g);

	/* Without VIRTIO_F_INDIRECT_DESC, the good table is refused. */
	g = guest_new(8, 0, 0);
	indirect_chain(g, ok, 32, VIRTQ_DESC_F_INDIRECT);
	guest_pop_expect(g, -EINVAL, 0, "VIRTIO_F_INDIRECT_DESC was not negotiated");
	guest_free(g);
}

static void test_outside_memory(void **state)
{
	struct guest *g = guest_new(8, 0, 0);
	const struct {
		uint64_t addr;
		uint32_t len;
		int rc;
	} cases[] = {
		{GUEST_GPA - 1, 1, -EINVAL},
		{GUEST_GPA - 1, 2, -EINVAL},
		{GUEST_GPA + GUEST_SIZE - 4, 5, -EINVAL},
		{GUEST_GPA + GUEST_SIZE, 1, -EINVAL},
		{UINT64_MAX - 1, 16, -EINVAL},
		{0, 0xffffffff, -EINVAL},
		{GUEST_GPA, 0xffffffff, -EINVAL},
		{GUEST_GPA + GUEST_SIZE - 4, 4, 0},
		{GUEST_GPA, GUEST_SIZE, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		guest_desc(g, 1, cases[i].addr, cases[i].len, 0, 0);
		guest_make_avail(g, 1);
		guest_pop_expect(g, cases[i].rc, 1, cases[i].rc ? "§2.7.5:" : NULL);
		if (cases[i].rc == 0)
			assert_ptr_equal(g->iov[0].iov_base, guest_hva(g, cases[i].addr));
		virtq_dev_push(&g->dev, g->chain.head, 0);
	}
	/* The third buffer of a chain is outside: the whole chain is refused. */
	guest_desc(g, 4, guest_buf(0), 8, VIRTQ_DESC_F_NEXT, 5);
	guest_desc(g, 5, guest_buf(8), 8, VIRTQ_DESC_F_NEXT, 6);
	guest_desc(g, 6, GUEST_GPA + GUEST_SIZE, 8, 0, 0);
	guest_make_avail(g, 4);
	guest_pop_expect(g, -EINVAL, 4, "is not inside one guest memory region");
	guest_free(g);
}

static void test_loops_and_next(void **state)
{
	struct guest *g = guest_new(8, 0, 0);

	(void)state;
	/* A descriptor that is its own next. */
	guest_desc(g, 2, guest_buf(0), 8, VIRTQ_DESC_F_NEXT, 2);
	guest_make_avail(g, 2);
	guest_pop_expect(g, -EINVAL, 2, "a loop?");
	/* 0 -> 1 -> 0. */
	guest_desc(g, 0, guest_buf(0), 8, VIRTQ_DESC_F_NEXT, 1);
	guest_desc(g, 1, guest_buf(8), 8, VIRTQ_DESC_F_NEXT, 0);
	guest_make_avail(g, 0);
	guest_pop_expect(g, -EINVAL, 0, "§2.7.5.2");
	/* next outside the table. */
	guest_desc(g, 3, guest_buf(0), 8, VIRTQ_DESC_F_NEXT, 8);
	guest_make_avail(g, 3);
	guest_pop_expect(g, -EINVAL, 3, "next 8 is outside a table of 8");
	/* All eight descriptors in one chain, 7 -> 6 -> ... -> 0: the longest legal. */
	for (uint16_t i = 0; i < 8; i++)
		guest_desc(g, i, guest_buf(i * 8), 8, i ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i - 1));
	guest_make_avail(g, 7);
	guest_pop_expect(g, 0, 7, NULL);
	assert_int_equal(g->chain.nout, 8);
	assert_ptr_equal(g->iov[7].iov_base, guest_hva(g, guest_buf(0)));
	/* The same, with 0 linking back to 7: one too many. */
	guest_desc(g, 0, guest_buf(0), 8, VIRTQ_DESC_F_NEXT, 7);
	guest_make_avail(g, 7);
	guest_pop_expect(g, -EINVAL, 7, "longer than 8 descriptors");
	guest_free(g);
}

static void test_chain_limits(void **state)
{
	struct guest *g = guest_new(8, F_INDIRECT, 0);
	struct virtq_desc table[3];

	(void)state;
	guest_dev_init(g, F_INDIRECT, 3, 0);
	for (uint16_t i = 0; i < 4; i++)
		guest_desc(g, i, guest_buf(i * 8), 8, i < 3 ? VIRTQ_DESC_F_NEXT : 0,
			   (uint16_t)(i + 1));
	guest_make_avail(g, 1); /* 1, 2, 3: three */
	guest_pop_expect(g, 0, 1, NULL);
	assert_int_equal(g->chain.nout, 3);
	guest_make_avail(g, 0); /* four */
	guest_pop_expect(g, -EINVAL, 0, "longer than 3 descriptors");

	/* Direct and indirect together: the referring descriptor is no buffer. */
	for (uint16_t i = 0; i < 3; i++)
		table[i] = (struct virtq_desc){guest_buf(0x100 + i * 8), 8,
					       i < 2 ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1)};
	memcpy(g->ram + GUEST_INDIRECT_OFF, table, sizeof(table));
	guest_desc(g, 5, GUEST_GPA + GUEST_INDIRECT_OFF, sizeof(table), VIRTQ_DESC_F_INDIRECT, 0);
	guest_make_avail(g, 5);
	guest_pop_expect(g, 0, 5, NULL);
	assert_int_equal(g->chain.nout, 3);
	guest_desc(g, 6, guest_buf(0), 8, VIRTQ_DESC_F_NEXT, 5);
	guest_make_avail(g, 6);
	guest_pop_expect(g, -EINVAL, 6, "longer than 3 descriptors");

	/* More buffers than the caller's iovec array; empty ones take no slot. */
	guest_dev_init(g, F_INDIRECT, 0, virtq_dev_last_avail_idx(&g->dev));
	g->chain.max_iov = 2;
	guest_make_avail(g, 1);
	guest_pop_expect(g, -EINVAL, 1, "more than 2 buffers");
	guest_desc(g, 2, guest_buf(0), 0, VIRTQ_DESC_F_NEXT, 3);
	guest_make_avail(g, 1);
	guest_pop_expect(g, 0, 1, NULL);
	assert_int_equal(g->chain.nout, 2);
	assert_ptr_equal(g->iov[1].iov_base, guest_hva(g, guest_buf(24)));
	guest_free(g);
}

/* Totals past 2^32 - 1, with a region that claims 8 GiB (never touched: pop
 * only translates). */
static void test_length_overflow(void **state)
{
	struct guest *g = guest_new(8, 0, 0);
	static uint8_t backing[64];
	const uint64_t big = 1ULL << 52;

	(void)state;
	assert_int_equal(mem_table_add_mapped(&g->mem, big, 8ULL << 30, 0x100000000000ULL, backing),
			 0);
	guest_desc(g, 0, big, UINT32_MAX, 0, 0);
	guest_make_avail(g, 0);
	guest_pop_expect(g, 0, 0, NULL);
	assert_int_equal(g->chain.out_len, UINT32_MAX);
	assert_int_equal(g->iov[0].iov_len, UINT32_MAX);

	guest_desc(g, 0, big, UINT32_MAX, VIRTQ_DESC_F_NEXT, 1);
	guest_desc(g, 1, guest_buf(0), 1, VIRTQ_DESC_F_WRITE, 0);
	guest_make_avail(g, 0);
	guest_pop_expect(g, -EINVAL, 0, "longer than 2^32 bytes");

	guest_desc(g, 0, big, 0x80000000u, VIRTQ_DESC_F_NEXT, 1);
	guest_desc(g, 1, big + 0x80000000u, 0x80000000u, VIRTQ_DESC_F_WRITE, 0);
	guest_make_avail(g, 0);
	guest_pop_expect(g, -EINVAL, 0, "§2.7.5.2");
	guest_free(g);
}

static void test_readable_after_writable(void **state)
{
	struct guest *g = guest_new(8, F_INDIRECT, 0);
	const struct virtq_desc table[2] = {
		{guest_buf(0x100), 8, VIRTQ_DESC_F_NEXT, 1},
		{guest_buf(0x200), 4, VIRTQ_DESC_F_WRITE, 0},
	};

	(void)state;
	guest_desc(g, 0, guest_buf(0), 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	guest_desc(g, 1, guest_buf(4), 4, 0, 0);
	guest_make_avail(g, 0);
	guest_pop_expect(g, -EINVAL, 0, "§2.7.4.2");
	/* Even an empty readable descriptor breaks the order. */
	guest_desc(g, 1, guest_buf(4), 0, 0, 0);
	guest_make_avail(g, 0);
	guest_pop_expect(g, -EINVAL, 0, "device-readable descriptor after a device-writable");
	/* Writable direct descriptor, then an indirect table that starts readable. */
	memcpy(g->ram + GUEST_INDIRECT_OFF, table, sizeof(table));
	guest_desc(g, 1, GUEST_GPA + GUEST_INDIRECT_OFF, sizeof(table), VIRTQ_DESC_F_INDIRECT, 0);
	guest_make_avail(g, 0);
	guest_pop_expect(g, -EINVAL, 0, "§2.7.4.2");
	/* Writable only, and readable-writable-writable, are fine. */
	guest_desc(g, 1, guest_buf(4), 4, VIRTQ_DESC_F_WRITE, 0);
	guest_make_avail(g, 0);
	guest_pop_expect(g, 0, 0, NULL);
	assert_int_equal(g->chain.nout, 0);
	assert_int_equal(g->chain.nin, 2);
	assert_int_equal(g->chain.in_len, 8);
	guest_desc(g, 2, guest_buf(8), 4, VIRTQ_DESC_F_NEXT, 0);
	guest_make_avail(g, 2);
	guest_pop_expect(g, 0, 2, NULL);
	assert_int_equal(g->chain.nout, 1);
	assert_int_equal(g->chain.nin, 2);
	guest_free(g);
}

static void test_zero_length_descriptors(void **state)
{
	struct guest *g = guest_new(8, 0, 0);

	(void)state;
	/* Empty descriptors name no memory: even address 0 or the top is fine. */
	guest_desc(g, 0, 0, 0, VIRTQ_DESC_F_NEXT, 1);
	guest_desc(g, 1, guest_buf(0), 16, VIRTQ_DESC_F_NEXT, 2);
	guest_desc(g, 2, UINT64_MAX, 0, VIRTQ_DESC_F_WRITE, 0);
	guest_make_avail(g, 0);
	guest_pop_expect(g, 0, 0, NULL);
	assert_int_equal(g->chain.nout, 1);
	assert_int_equal(g->chain.nin, 0);
	assert_int_equal(g->chain.out_len, 16);
	assert_ptr_equal(g->iov[0].iov_base, guest_hva(g, guest_buf(0)));
	guest_free(g);
}

static void test_head_out_of_range(void **state)
{
	struct guest *g = guest_new(8, 0, 0);

	(void)state;
	guest_desc(g, 3, guest_buf(0), 8, 0, 0);
	guest_make_avail(g, 8);
	guest_pop_expect(g, -EIO, 0, "§2.7.6");
	/* Not consumed: the ring is broken until reset, and stays so. */
	assert_true(virtq_dev_has_work(&g->dev));
	guest_pop_expect(g, -EIO, 0, "holds head 8");
	g->avail->ring[0] = 0xffff;
	guest_pop_expect(g, -EIO, 0, "holds head 65535");
	/* The same entry, once valid, is the next chain. */
	g->avail->ring[0] = 3;
	guest_pop_expect(g, 0, 3, NULL);
	guest_free(g);
}

static void test_avail_idx_jump(void **state)
{
	struct guest *g = guest_new(8, 0, 0);

	(void)state;
	for (uint16_t i = 0; i < 8; i++)
		guest_desc(g, i, guest_buf(i), 1, 0, 0);
	g->avail->idx = 9;
	guest_pop_expect(g, -EIO, 0, "more than 8 entries ahead");
	/* Going backwards is the same: 65535 ahead. */
	g->avail->idx = 0xffff;
	guest_pop_expect(g, -EIO, 0, "§2.7:");
	/* Exactly num ahead is a full ring. */
	for (uint16_t i = 0; i < 8; i++)
		g->avail->ring[i] = (uint16_t)(7 - i);
	g->avail->idx = 8;
	for (uint16_t i = 0; i < 8; i++)
		guest_pop_expect(g, 0, (uint16_t)(7 - i), NULL);
	assert_int_equal(virtq_dev_pop(&g->dev, &g->chain), -EAGAIN);
	guest_free(g);
}

/* A malformed chain is pushed back with len 0 and the queue goes on. */
static void test_malformed_then_good(void **state)
{
	struct guest *g = guest_new(8, 0, 0);
	struct virtq_buf buf = {guest_buf(0x40), 32};
	void *cookie;
	uint32_t len;

	(void)state;
	assert_int_equal(virtq_drv_add(&g->drv, &buf, 1, 0, &buf), 0);
	virtq_drv_publish(&g->drv);
	/* Corrupt it behind the driver's back. */
	g->desc[0].addr = GUEST_GPA + GUEST_SIZE;
	guest_pop_expect(g, -EINVAL, 0, "§2.7.5:");
	push_and_check(g, g->chain.head, 0);
	assert_int_equal(virtq_drv_get_used(&g->drv, &cookie, &len), 0);
	assert_ptr_equal(cookie, &buf);
	assert_int_equal(len, 0);
	assert_int_equal(virtq_drv_add(&g->drv, &buf, 1, 0, &buf), 0);
	virtq_drv_publish(&g->drv);
	guest_pop_expect(g, 0, g->avail->ring[1], NULL);
	assert_ptr_equal(g->iov[0].iov_base, guest_hva(g, guest_buf(0x40)));
	guest_free(g);
}

static void test_init(void **state)
{
	struct guest *g = guest_new(8, 0, 0);
	struct virtq_dev_config cfg = {
		.layout = VIRTQ_LAYOUT_SPLIT,
		.num = 8,
		.desc = g->desc,
		.avail = g->avail,
		.used = g->used,
		.mem = &g->mem,
	};
	struct virtq_dev q;
	const uint16_t bad_num[] = {0, 3, 12, 65535};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_num); i++) {
		cfg.num = bad_num[i];
		assert_int_equal(virtq_dev_init(&q, &cfg), -EINVAL);
		assert_logged("§2.7: queue size");
	}
	cfg.num = 32768;
	assert_int_equal(virtq_dev_init(&q, &cfg), 0);
	assert_int_equal(q.max_chain_len, 32768);
	cfg.num = 8;
	cfg.desc = g->ram + 8;
	assert_int_equal(virtq_dev_init(&q, &cfg), -EINVAL);
	assert_logged("§2.7.1");
	cfg.desc = g->desc;
	cfg.used = (char *)g->used + 2;
	assert_int_equal(virtq_dev_init(&q, &cfg), -EINVAL);
	cfg.used = g->used;
	cfg.mem = NULL;
	assert_int_equal(virtq_dev_init(&q, &cfg), -EINVAL);
	cfg.mem = &g->mem;

	/* A ring that already has used entries continues after them. */
	g->used->idx = 77;
	cfg.last_avail_idx = 80;
	cfg.features = VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX);
	assert_int_equal(virtq_dev_init(&q, &cfg), 0);
	assert_int_equal(q.used_idx, 77);
	assert_int_equal(virtq_dev_last_avail_idx(&q), 80);
	assert_true(q.event_idx);
	assert_false(q.indirect);
	virtq_dev_push(&q, 4, 9);
	assert_int_equal(g->used->ring[77 & 7].id, 4);
	assert_int_equal(g->used->idx, 78);
	guest_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_index_wraparound_through_driver),
		cmocka_unit_test(test_index_wraparound_handcrafted),
		cmocka_unit_test(test_odd_splits),
		cmocka_unit_test(test_indirect_through_driver),
		cmocka_unit_test(test_indirect_after_direct),
		cmocka_unit_test(test_indirect_rejected),
		cmocka_unit_test(test_outside_memory),
		cmocka_unit_test(test_loops_and_next),
		cmocka_unit_test(test_chain_limits),
		cmocka_unit_test(test_length_overflow),
		cmocka_unit_test(test_readable_after_writable),
		cmocka_unit_test(test_zero_length_descriptors),
		cmocka_unit_test(test_head_out_of_range),
		cmocka_unit_test(test_avail_idx_jump),
		cmocka_unit_test(test_malformed_then_good),
		cmocka_unit_test(test_init),
	};

	log_set_sink(guest_log_sink, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
