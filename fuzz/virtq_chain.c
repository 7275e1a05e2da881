/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the device side of a split virtqueue: the input is the guest's
 * memory, so descriptor tables, indirect tables, the avail ring and its idx
 * are all the fuzzer's. Chains are popped until the ring is empty or broken
 * and each is pushed back, as the target does.
 *
 * Input: a 6-byte header, then guest memory.
 *   [0] queue size: 1 << (byte % 8)
 *   [1] bit 0 VIRTIO_F_INDIRECT_DESC, bit 1 VIRTIO_F_EVENT_IDX
 *   [2] max_iov: 1 + byte % MAX_IOV
 *   [3] max_chain_len (0: queue size)
 *   [4..5] last_avail_idx, little-endian
 *   [6..] the first REGION_SIZE bytes are region A (gpa GPA_A), the next
 *         REGION_SIZE region B (gpa GPA_A + REGION_SIZE, adjacent in gpa but
 *         a separate allocation, so ASan sees any access that crosses). The
 *         descriptor table is at GPA_A, the avail ring right after it, the
 *         used ring after that, 4-byte aligned.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem/mem.h"
#include "util/common.h"
#include "util/log.h"
#include "virtio/virtq.h"

#define HEADER_SIZE 6
#define REGION_SIZE 0x8000
#define GPA_A	    0x10000ULL
#define MAX_IOV	    32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void discard_log(enum log_level level, const char *component, const char *line, void *arg)
{
	(void)level;
	(void)component;
	(void)line;
	(void)arg;
}

/* Traps unless [p, p + len) lies inside one of the regions. */
static void check_inside(const uint8_t *p, size_t len, uint8_t *const regions[2])
{
	for (int i = 0; i < 2; i++) {
		uintptr_t off = (uintptr_t)p - (uintptr_t)regions[i];

		if (off < REGION_SIZE && len <= REGION_SIZE - off)
			return;
	}
	__builtin_trap();
}

/* Checks what pop returned and reads the first and last byte of every buffer
 * (ASan catches a translation that left the regions). */
static void check_chain(const struct virtq_chain *c, uint16_t max_iov, uint8_t *const regions[2])
{
	uint64_t out = 0, in = 0;
	volatile uint8_t sink;

	if (c->nout + c->nin > max_iov)
		__builtin_trap();
	for (uint16_t i = 0; i < c->nout + c->nin; i++) {
		const uint8_t *p = c->iov[i].iov_base;
		size_t len = c->iov[i].iov_len;

		if (len == 0)
			__builtin_trap(); /* empty descriptors produce no iovec */
		check_inside(p, len, regions);
		sink = p[0];
		sink = p[len - 1];
		(void)sink;
		*(i < c->nout ? &out : &in) += len;
	}
	if (out != c->out_len || in != c->in_len)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mem_table mem;
	struct iovec iov[MAX_IOV];
	struct virtq_chain chain = {.iov = iov};
	struct virtq_dev q;
	struct virtq_dev_config cfg = {.layout = VIRTQ_LAYOUT_SPLIT, .mem = &mem};
	uint8_t *regions[2];
	size_t used_off;
	int rc;

	if (size < HEADER_SIZE)
		return 0;
	log_set_sink(discard_log, NULL);
	cfg.num = (uint16_t)(1u << (data[0] % 8));
	if (data[1] & 1)
		cfg.features |= VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC);
	if (data[1] & 2)
		cfg.features |= VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX);
	chain.max_iov = (uint16_t)(1 + data[2] % MAX_IOV);
	cfg.max_chain_len = data[3];
	cfg.last_avail_idx = (uint16_t)(data[4] | data[5] << 8);
	data += HEADER_SIZE;
	size -= HEADER_SIZE;

	mem_table_init(&mem);
	for (int i = 0; i < 2; i++) {
		size_t off = (size_t)i * REGION_SIZE,
		       n = size > off ? MIN(size - off, REGION_SIZE) : 0;

		regions[i] = calloc(1, REGION_SIZE);
		if (!regions[i])
			__builtin_trap();
		memcpy(regions[i], data + off, n);
		if (mem_table_add_mapped(&mem, GPA_A + off, REGION_SIZE, off, regions[i]))
			__builtin_trap();
	}
	used_off = ALIGN_UP(virtq_desc_bytes(cfg.num) + virtq_avail_bytes(cfg.num),
			    (uint64_t)VIRTQ_USED_ALIGN);
	cfg.desc = regions[0];
	cfg.avail = regions[0] + virtq_desc_bytes(cfg.num);
	cfg.used = regions[0] + used_off;
	if (virtq_dev_init(&q, &cfg))
		__builtin_trap();

	virtq_dev_set_kick(&q, false);
	/* Each successful or malformed pop consumes an entry, and at most num
	 * are ever available: the loop ends. */
	while ((rc = virtq_dev_pop(&q, &chain)) == 0 || rc == -EINVAL) {
		if (chain.head >= cfg.num)
			__builtin_trap();
		if (rc == 0)
			check_chain(&chain, chain.max_iov, regions);
		virtq_dev_push(&q, chain.head, rc ? 0 : chain.in_len);
		virtq_dev_need_notify(&q);
	}
	if (rc != -EAGAIN && rc != -EIO)
		__builtin_trap();
	virtq_dev_set_kick(&q, true);
	virtq_dev_has_work(&q);

	mem_table_clear(&mem);
	free(regions[0]);
	free(regions[1]);
	return 0;
}
