/* SPDX-License-Identifier: MIT */
/*
 * Driver side of split virtqueues: ring layout, the descriptors it writes,
 * free-list accounting, and a device that returns ids it does not own or
 * scribbles on the descriptor table.
 */
#include <errno.h>

#include "guest.h"

static const uint64_t F_INDIRECT = VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC);

static void test_ring_layout(void **state)
{
	struct guest *g = guest_new(256, 0, 0);

	(void)state;
	/* 16 * 256 descriptors, then 6 + 2 * 256 avail, used at 8192. */
	assert_int_equal(virtq_drv_ring_bytes(256), 8192 + 6 + 8 * 256);
	assert_int_equal(virtq_drv_ring_bytes(1), 4096 + 14);
	assert_int_equal(virtq_drv_ring_bytes(32768), 593920 + 6 + 8 * 32768);
	assert_int_equal(g->drv.desc_gpa, GUEST_GPA);
	assert_int_equal(g->drv.avail_gpa, GUEST_GPA + 4096);
	assert_int_equal(g->drv.used_gpa, GUEST_GPA + 8192);
	assert_ptr_equal(g->drv.avail, g->ram + 4096);
	assert_ptr_equal(g->drv.used, g->ram + 8192);
	assert_int_equal(g->drv.num_free, 256);
	for (uint16_t i = 0; i < 256; i++)
		assert_int_equal(g->desc[i].next, (i + 1) % 256);
	guest_free(g);
}

static void test_descriptors_written(void **state)
{
	struct guest *g = guest_new(8, 0, 0);
	const struct virtq_buf bufs[] = {
		{guest_buf(0x10), 16},
		{guest_buf(0x100), 512},
		{guest_buf(0x400), 1},
	};
	int cookie;

	(void)state;
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 2, 1, &cookie), 0);
	for (uint16_t i = 0; i < 3; i++) {
		assert_int_equal(g->desc[i].addr, bufs[i].addr);
		assert_int_equal(g->desc[i].len, bufs[i].len);
	}
	assert_int_equal(g->desc[0].flags, VIRTQ_DESC_F_NEXT);
	assert_int_equal(g->desc[1].flags, VIRTQ_DESC_F_NEXT);
	assert_int_equal(g->desc[2].flags, VIRTQ_DESC_F_WRITE);
	assert_int_equal(g->desc[0].next, 1);
	assert_int_equal(g->desc[1].next, 2);
	assert_int_equal(g->avail->ring[0], 0);
	assert_int_equal(g->drv.desc_count[0], 3);
	assert_ptr_equal(g->drv.cookies[0], &cookie);
	assert_int_equal(g->drv.num_free, 5);
	assert_int_equal(g->drv.free_head, 3);
	/* Published only now. */
	assert_int_equal(g->avail->idx, 0);
	virtq_drv_publish(&g->drv);
	assert_int_equal(g->avail->idx, 1);
	guest_free(g);
}

/* Completes every published chain, in reverse order, through the device. */
static void complete_all_reversed(struct guest *g)
{
	uint16_t heads[64], n = 0;

	while (virtq_dev_pop(&g->dev, &g->chain) == 0)
		heads[n++] = g->chain.head;
	while (n)
		virtq_dev_push(&g->dev, heads[--n], 0);
}

static void test_enospc(void **state)
{
	struct guest *g = guest_new(8, 0, 0);
	struct virtq_buf bufs[8];
	int cookies[9];
	void *cookie;
	uint32_t len;

	(void)state;
	for (int i = 0; i < 8; i++)
		bufs[i] = (struct virtq_buf){guest_buf(i * 64), 64};
	for (int i = 0; i < 8; i++)
		assert_int_equal(virtq_drv_add(&g->drv, &bufs[i], 1, 0, &cookies[i]), 0);
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 1, 0, &cookies[8]), -ENOSPC);
	assert_int_equal(g->drv.num_free, 0);
	virtq_drv_publish(&g->drv);
	complete_all_reversed(g);
	for (int i = 7; i >= 0; i--) {
		assert_int_equal(virtq_drv_get_used(&g->drv, &cookie, &len), 0);
		assert_ptr_equal(cookie, &cookies[i]);
	}
	assert_int_equal(g->drv.num_free, 8);

	/* One chain of all eight; then nothing fits, and a failed add changes nothing. */
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 4, 4, &cookies[0]), 0);
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 1, 0, &cookies[1]), -ENOSPC);
	virtq_drv_publish(&g->drv);
	complete_all_reversed(g);
	assert_int_equal(virtq_drv_get_used(&g->drv, &cookie, &len), 0);
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 6, 0, &cookies[2]), 0);
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 2, 1, &cookies[3]), -ENOSPC);
	assert_int_equal(g->drv.num_free, 2);
	assert_int_equal(g->drv.avail_idx, 10);
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 1, 1, &cookies[3]), 0);
	assert_int_equal(g->drv.num_free, 0);
	guest_free(g);
}

static void test_einval(void **state)
{
	struct guest *g = guest_new(4, F_INDIRECT, 8);
	struct virtq_buf bufs[5] = {{0}};
	int cookie;

	(void)state;
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 0, 0, &cookie), -EINVAL);
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 1, 0, NULL), -EINVAL);
	/* §2.7.5.3.1: not even in an indirect table. */
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 3, 2, &cookie), -EINVAL);
	assert_logged("§2.7.5.3.1");
	assert_int_equal(g->drv.num_free, 4);
	assert_int_equal(g->drv.avail_idx, 0);
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 2, 2, &cookie), 0);
	guest_free(g);
}

/* The device writes used entries by hand. */
static void used_entry(struct guest *g, uint32_t id, uint32_t len)
{
	uint16_t idx = g->used->idx;

	g->used->ring[idx & (g->num - 1)] = (struct virtq_used_elem){id, len};
	__atomic_store_n(&g->used->idx, (uint16_t)(idx + 1), __ATOMIC_RELEASE);
}

static void test_bad_used_ids(void **state)
{
	struct guest *g = guest_new(8, 0, 0);
	const struct virtq_buf bufs[3] = {{guest_buf(0), 4}, {guest_buf(4), 4}, {guest_buf(8), 4}};
	/* Out of range, inside a chain but not its head, free. */
	const uint32_t bad[] = {8, 0xffffffff, 1, 2, 5};
	int c0, c1;
	void *cookie;
	uint32_t len;

	(void)state;
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 2, 1, &c0), 0); /* 0, 1, 2 */
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 1, 0, &c1), 0); /* 3 */
	virtq_drv_publish(&g->drv);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		g->used->ring[0] = (struct virtq_used_elem){bad[i], 0};
		g->used->idx = 1;
		assert_int_equal(virtq_drv_get_used(&g->drv, &cookie, &len), -EIO);
		assert_logged("§2.7.8");
		assert_int_equal(g->drv.last_used_idx, 0);
		assert_int_equal(g->drv.num_free, 4);
	}
	g->used->idx = 0;
	used_entry(g, 3, 7);
	assert_int_equal(virtq_drv_get_used(&g->drv, &cookie, &len), 0);
	assert_ptr_equal(cookie, &c1);
	assert_int_equal(len, 7);
	/* The same id twice. */
	used_entry(g, 3, 7);
	assert_int_equal(virtq_drv_get_used(&g->drv, &cookie, &len), -EIO);
	assert_logged("returns id 3");
	g->used->idx = 1;
	used_entry(g, 0, 1);
	assert_int_equal(virtq_drv_get_used(&g->drv, &cookie, &len), 0);
	assert_ptr_equal(cookie, &c0);
	assert_int_equal(g->drv.num_free, 8);
	/* used idx far ahead of what was made available. */
	g->used->idx = (uint16_t)(g->drv.last_used_idx + 9);
	assert_int_equal(virtq_drv_get_used(&g->drv, &cookie, &len), -EIO);
	assert_logged("more than 8 entries ahead");
	guest_free(g);
}

/* The descriptors of each outstanding chain and of the free list are
 * disjoint and cover the table. */
static void check_free_list(const struct guest *g)
{
	uint8_t owner[64] = {0};
	uint32_t total = 0;
	uint16_t idx = g->drv.free_head;

	for (uint16_t i = 0; i < g->drv.num_free; i++, idx = g->desc[idx].next) {
		assert_int_equal(owner[idx]++, 0);
		total++;
	}
	for (uint16_t h = 0; h < g->num; h++) {
		if (!g->drv.cookies[h])
			continue;
		idx = h;
		for (uint16_t i = 0; i < g->drv.desc_count[h]; i++, idx = g->desc[idx].next) {
			assert_int_equal(owner[idx]++, 0);
			total++;
		}
	}
	assert_int_equal(total, g->num);
}

/* Random chain sizes, completed in random order, for a few thousand rounds. */
static void test_free_list_random(void **state)
{
	struct guest *g = guest_new(16, 0, 0);
	struct virtq_buf bufs[4];
	uint16_t heads[16], nheads = 0;
	uint32_t rnd = 12345, added = 0, reaped = 0;

	(void)state;
	for (int i = 0; i < 4; i++)
		bufs[i] = (struct virtq_buf){guest_buf(i * 16), 16};
	for (int round = 0; round < 5000; round++) {
		rnd = rnd * 1103515245 + 12345;
		if ((rnd >> 16) % 3) {
			uint16_t n = (uint16_t)(1 + (rnd >> 8) % 4);
			int rc = virtq_drv_add(&g->drv, bufs, n, 0, (void *)(uintptr_t)(added + 1));

			assert_true(rc == 0 || (rc == -ENOSPC && n > g->drv.num_free));
			if (rc == 0) {
				added++;
				virtq_drv_publish(&g->drv);
				assert_int_equal(virtq_dev_pop(&g->dev, &g->chain), 0);
				assert_int_equal(g->chain.nout, n);
				heads[nheads++] = g->chain.head;
			}
		} else if (nheads) {
			uint16_t pick = (uint16_t)((rnd >> 4) % nheads);
			void *cookie;
			uint32_t len;

			virtq_dev_push(&g->dev, heads[pick], pick);
			heads[pick] = heads[--nheads];
			assert_int_equal(virtq_drv_get_used(&g->drv, &cookie, &len), 0);
			assert_int_equal(len, pick);
			reaped++;
		}
		check_free_list(g);
	}
	assert_true(added > 1000);
	assert_int_equal(added - reaped, nheads);
	guest_free(g);
}

/* A device that writes the descriptor table breaks the free list: -EIO, and
 * nothing is touched outside the table. */
static void test_corrupted_links(void **state)
{
	struct guest *g = guest_new(8, 0, 0);
	const struct virtq_buf bufs[3] = {{guest_buf(0), 4}, {guest_buf(4), 4}, {guest_buf(8), 4}};
	int c0;
	void *cookie;
	uint32_t len;

	(void)state;
	g->desc[0].next = 200;
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 2, 0, &c0), -EIO);
	assert_logged("§2.7.5.1");
	assert_int_equal(g->drv.num_free, 8);
	g->desc[0].next = 1;
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 3, 0, &c0), 0);
	virtq_drv_publish(&g->drv);
	g->desc[1].next = 0xffff;
	used_entry(g, 0, 0);
	assert_int_equal(virtq_drv_get_used(&g->drv, &cookie, &len), -EIO);
	assert_logged("the device wrote the descriptor table");
	assert_int_equal(g->drv.last_used_idx, 0);
	g->desc[1].next = 2;
	assert_int_equal(virtq_drv_get_used(&g->drv, &cookie, &len), 0);
	assert_ptr_equal(cookie, &c0);
	assert_int_equal(g->drv.num_free, 8);
	guest_free(g);
}

static void test_indirect_layout(void **state)
{
	struct guest *g = guest_new(8, F_INDIRECT, 4);
	const struct virtq_desc *tables = (const struct virtq_desc *)(g->ram + GUEST_INDIRECT_OFF);
	struct virtq_buf bufs[5];
	int cookie;
	uint16_t head;

	(void)state;
	for (int i = 0; i < 5; i++)
		bufs[i] = (struct virtq_buf){guest_buf(i * 32), (uint32_t)(10 + i)};
	/* A single buffer needs no table. */
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 1, 0, &cookie), 0);
	assert_int_equal(g->desc[0].flags, 0);
	assert_int_equal(g->desc[0].addr, bufs[0].addr);
	/* Three buffers go in head 1's slot. */
	head = g->drv.free_head;
	assert_int_equal(head, 1);
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 2, 1, &cookie), 0);
	assert_int_equal(g->drv.num_free, 6);
	assert_int_equal(g->drv.desc_count[head], 1);
	assert_int_equal(g->desc[head].flags, VIRTQ_DESC_F_INDIRECT);
	assert_int_equal(g->desc[head].len, 3 * 16);
	assert_int_equal(g->desc[head].addr, GUEST_GPA + GUEST_INDIRECT_OFF + head * 4 * 16);
	for (int i = 0; i < 3; i++) {
		const struct virtq_desc *d = &tables[head * 4 + i];

		assert_int_equal(d->addr, bufs[i].addr);
		assert_int_equal(d->len, bufs[i].len);
		assert_int_equal(d->flags, (i < 2 ? VIRTQ_DESC_F_NEXT : 0) |
					       (i == 2 ? VIRTQ_DESC_F_WRITE : 0));
		if (i < 2)
			assert_int_equal(d->next, i + 1);
	}
	/* Five do not fit a table of four: direct. */
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 5, 0, &cookie), 0);
	assert_int_equal(g->drv.num_free, 1);
	assert_int_equal(g->desc[2].flags, VIRTQ_DESC_F_NEXT);
	guest_free(g);

	/* indirect_max without the feature: never indirect. */
	g = guest_new(8, 0, 4);
	assert_int_equal(g->drv.indirect_max, 0);
	assert_int_equal(virtq_drv_add(&g->drv, bufs, 2, 1, &cookie), 0);
	assert_int_equal(g->drv.num_free, 5);
	assert_int_equal(g->desc[0].flags, VIRTQ_DESC_F_NEXT);
	guest_free(g);
}

/* Pops one chain through the device side and checks it carries bufs. */
static void device_sees(struct guest *g, const struct virtq_buf *bufs, unsigned nout,
			unsigned total)
{
	assert_int_equal(virtq_dev_pop(&g->dev, &g->chain), 0);
	assert_int_equal(g->chain.nout, nout);
	assert_int_equal(g->chain.nin, total - nout);
	for (unsigned i = 0; i < total; i++) {
		assert_ptr_equal(g->chain.iov[i].iov_base, g->ram + (bufs[i].addr - GUEST_GPA));
		assert_int_equal(g->chain.iov[i].iov_len, bufs[i].len);
	}
}

/* A chain reaped and added again as it was, direct (queue without
 * indirect tables) and indirect: the device pops the same buffers, the
 * free list accounts for it, and a second reap returns the new cookie. */
static void test_readd(void **state)
{
	const struct virtq_buf bufs[3] = {
	    {guest_buf(0x10), 16}, {guest_buf(0x100), 512}, {guest_buf(0x400), 1}};
	int first, again, other;
	void *cookie;
	uint32_t len;

	(void)state;
	for (int indirect = 0; indirect < 2; indirect++) {
		struct guest *g = guest_new(8, indirect ? F_INDIRECT : 0, indirect ? 4 : 0);
		uint16_t used_descs = indirect ? 1 : 3;

		assert_int_equal(virtq_drv_add(&g->drv, bufs, 2, 1, &first), 0);
		virtq_drv_publish(&g->drv);
		device_sees(g, bufs, 2, 3);
		virtq_dev_push(&g->dev, g->chain.head, 7);
		assert_int_equal(virtq_drv_get_used(&g->drv, &cookie, &len), 0);
		assert_ptr_equal(cookie, &first);
		assert_int_equal(g->drv.num_free, 8);

		assert_int_equal(virtq_drv_readd(&g->drv, &again), 0);
		assert_int_equal(g->drv.num_free, 8 - used_descs);
		/* Once only: the chain is no longer free. */
		assert_int_equal(virtq_drv_readd(&g->drv, &again), -EINVAL);
		virtq_drv_publish(&g->drv);
		device_sees(g, bufs, 2, 3);
		virtq_dev_push(&g->dev, g->chain.head, 9);
		assert_int_equal(virtq_drv_get_used(&g->drv, &cookie, &len), 0);
		assert_ptr_equal(cookie, &again);
		assert_int_equal(len, 9);
		check_free_list(g);

		/* An add since the reap took its descriptors: refused. */
		assert_int_equal(virtq_drv_add(&g->drv, bufs, 1, 0, &other), 0);
		assert_int_equal(virtq_drv_readd(&g->drv, &again), -EINVAL);
		assert_logged("only the chain just reaped");
		assert_int_equal(virtq_drv_readd(&g->drv, NULL), -EINVAL);
		guest_free(g);
	}
	/* Nothing reaped yet. */
	struct guest *fresh = guest_new(8, 0, 0);

	assert_int_equal(virtq_drv_readd(&fresh->drv, &first), -EINVAL);
	guest_free(fresh);
}

static void test_init(void **state)
{
	struct guest *g = guest_new(8, 0, 0);
	struct virtq_drv_config cfg = {
		.layout = VIRTQ_LAYOUT_SPLIT,
		.num = 8,
		.ring = g->ram,
		.ring_gpa = GUEST_GPA,
	};
	struct virtq_drv q;
	const uint16_t bad_num[] = {0, 6, 65535};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_num); i++) {
		cfg.num = bad_num[i];
		assert_int_equal(virtq_drv_init(&q, &cfg), -EINVAL);
		assert_logged("§2.7: queue size");
	}
	cfg.num = 8;
	cfg.ring = g->ram + 8;
	assert_int_equal(virtq_drv_init(&q, &cfg), -EINVAL);
	assert_logged("§2.7.1");
	cfg.ring = g->ram;
	cfg.ring_gpa = GUEST_GPA + 4;
	assert_int_equal(virtq_drv_init(&q, &cfg), -EINVAL);
	cfg.ring_gpa = GUEST_GPA;
	cfg.features = F_INDIRECT;
	cfg.indirect_max = 4;
	assert_int_equal(virtq_drv_init(&q, &cfg), -EINVAL);
	cfg.indirect = (struct virtq_desc *)(g->ram + GUEST_INDIRECT_OFF);
	assert_int_equal(virtq_drv_init(&q, &cfg), 0);
	assert_int_equal(q.indirect_max, 4);
	virtq_drv_fini(&q);
	assert_null(q.cookies);
	virtq_drv_fini(&q);
	guest_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_layout),
		cmocka_unit_test(test_descriptors_written),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_einval),
		cmocka_unit_test(test_bad_used_ids),
		cmocka_unit_test(test_free_list_random),
		cmocka_unit_test(test_corrupted_links),
		cmocka_unit_test(test_indirect_layout),
		cmocka_unit_test(test_readd),
		cmocka_unit_test(test_init),
	};

	log_set_sink(guest_log_sink, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
