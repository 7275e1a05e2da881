/* SPDX-License-Identifier: MIT */
/*
 * Test fixture shared by the virtqueue tests: 1 MiB of "guest RAM" at a gpa
 * above 4 GiB, one ring in it that a driver side and a device side share,
 * indirect tables, a buffer area, and a log sink that keeps the last line so
 * that tests can check which spec section a rejection names.
 *
 *   gpa GUEST_GPA + 0x00000  ring (virtq_drv_ring_bytes)
 *                 + 0x10000  indirect tables (num * indirect_max entries)
 *                 + 0x40000  buffers, to the end of RAM
 */
#ifndef STORLAB_TEST_VIRTIO_GUEST_H
#define STORLAB_TEST_VIRTIO_GUEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mem/mem.h"
#include "util/common.h"
#include "util/log.h"
#include "virtio/virtq.h"

#define GUEST_GPA	   0x100000000ULL
#define GUEST_SIZE	   0x100000ULL
#define GUEST_INDIRECT_OFF 0x10000ULL
#define GUEST_BUF_OFF	   0x40000ULL
#define GUEST_MAX_IOV	   64

struct guest {
	struct mem_table mem;
	uint8_t *ram;
	uint16_t num;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	struct virtq_drv drv;
	struct virtq_dev dev;
	struct iovec iov[GUEST_MAX_IOV];
	struct virtq_chain chain;
};

static char g_last_log[1024];

static inline void guest_log_sink(enum log_level level, const char *component, const char *line,
				  void *arg)
{
	(void)level;
	(void)component;
	(void)arg;
	snprintf(g_last_log, sizeof(g_last_log), "%s", line);
}

/* Asserts that the last log line contains s, then forgets it. */
static inline void assert_logged(const char *s)
{
	if (!strstr(g_last_log, s))
		fail_msg("expected a log line with \"%s\", last was \"%s\"", s, g_last_log);
	g_last_log[0] = '\0';
}

static inline uint64_t guest_gpa(const struct guest *g, const void *hva)
{
	return GUEST_GPA + (uint64_t)((const uint8_t *)hva - g->ram);
}

static inline void *guest_hva(const struct guest *g, uint64_t gpa)
{
	return g->ram + (gpa - GUEST_GPA);
}

/* The gpa of byte off of the buffer area. */
static inline uint64_t guest_buf(uint64_t off)
{
	return GUEST_GPA + GUEST_BUF_OFF + off;
}

/* (Re)initialises the device side on the shared ring. */
static inline void guest_dev_init(struct guest *g, uint64_t features, uint32_t max_chain_len,
				  uint16_t last_avail_idx)
{
	const struct virtq_dev_config cfg = {
		.layout = VIRTQ_LAYOUT_SPLIT,
		.num = g->num,
		.desc = g->desc,
		.avail = g->avail,
		.used = g->used,
		.mem = &g->mem,
		.features = features,
		.last_avail_idx = last_avail_idx,
		.max_chain_len = max_chain_len,
	};

	assert_int_equal(virtq_dev_init(&g->dev, &cfg), 0);
	g->chain.iov = g->iov;
	g->chain.max_iov = GUEST_MAX_IOV;
}

/* A guest with a driver and a device side on one ring of num entries. */
static inline struct guest *guest_new(uint16_t num, uint64_t features, uint16_t indirect_max)
{
	struct guest *g = calloc(1, sizeof(*g));
	struct virtq_drv_config cfg = {
		.layout = VIRTQ_LAYOUT_SPLIT,
		.num = num,
		.ring_gpa = GUEST_GPA,
		.features = features,
		.indirect_gpa = GUEST_GPA + GUEST_INDIRECT_OFF,
		.indirect_max = indirect_max,
	};

	assert_non_null(g);
	assert_true(virtq_drv_ring_bytes(num) <= GUEST_INDIRECT_OFF);
	assert_true((uint64_t)num * indirect_max * 16 <= GUEST_BUF_OFF - GUEST_INDIRECT_OFF);
	g->ram = aligned_alloc(4096, GUEST_SIZE);
	assert_non_null(g->ram);
	memset(g->ram, 0, GUEST_SIZE);
	mem_table_init(&g->mem);
	assert_int_equal(
	    mem_table_add_mapped(&g->mem, GUEST_GPA, GUEST_SIZE, 0x7f0000000000ULL, g->ram), 0);
	g->num = num;
	cfg.ring = g->ram;
	cfg.indirect = (struct virtq_desc *)(g->ram + GUEST_INDIRECT_OFF);
	assert_int_equal(virtq_drv_init(&g->drv, &cfg), 0);
	g->desc = g->drv.desc;
	g->avail = g->drv.avail;
	g->used = g->drv.used;
	guest_dev_init(g, features, 0, 0);
	g_last_log[0] = '\0';
	return g;
}

static inline void guest_free(struct guest *g)
{
	virtq_drv_fini(&g->drv);
	free(g->ram);
	free(g);
}

/* Hand-crafting, as a malicious driver would: descriptor idx of the ring. */
static inline void guest_desc(struct guest *g, uint16_t idx, uint64_t addr, uint32_t len,
			      uint16_t flags, uint16_t next)
{
	g->desc[idx] = (struct virtq_desc){.addr = addr, .len = len, .flags = flags, .next = next};
}

/* Hand-crafting: makes head available behind the driver side's back. */
static inline void guest_make_avail(struct guest *g, uint16_t head)
{
	uint16_t idx = g->avail->idx;

	g->avail->ring[idx & (g->num - 1)] = head;
	__atomic_store_n(&g->avail->idx, (uint16_t)(idx + 1), __ATOMIC_RELEASE);
}

/* Pops, expecting rc; on -EINVAL checks that the entry was consumed and that
 * the log names the spec section. */
static inline void guest_pop_expect(struct guest *g, int rc, uint16_t head, const char *section)
{
	uint16_t before = virtq_dev_last_avail_idx(&g->dev);

	assert_int_equal(virtq_dev_pop(&g->dev, &g->chain), rc);
	if (rc == 0 || rc == -EINVAL) {
		assert_int_equal(g->chain.head, head);
		assert_int_equal(virtq_dev_last_avail_idx(&g->dev), (uint16_t)(before + 1));
	} else {
		assert_int_equal(virtq_dev_last_avail_idx(&g->dev), before);
	}
	if (section)
		assert_logged(section);
}

#endif
