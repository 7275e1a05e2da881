/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_NVMF_PROPS_H
#define STORLAB_NVMF_PROPS_H

/*
 * What an emulated NVMe controller and its namespaces are, as the rest of
 * lib/nvmf reads it: the register model and admin queue (nvmf_ctrlr.h), the
 * Identify data, log pages and I/O command decoding. Pure data: the target
 * frontend fills it from its RPC parameters and from each namespace's bdev
 * (bdev_get_limits()); lib/nvmf never sees a bdev.
 *
 * Threads: props are fixed while the controller is reachable, except a
 * namespace's num_blocks, which changes atomically (a resize raises a
 * Namespace Attribute Changed event).
 */

#include <stdbool.h>
#include <stdint.h>

/* Identify Controller SN, MN and FR (NVMe Base 2.1 §5.1.13.2.1: ASCII,
 * space padded on the wire) and SUBNQN (NQN, NUL padded), with their NUL. */
#define NVMF_SN_LEN	20
#define NVMF_MN_LEN	40
#define NVMF_FR_LEN	8
#define NVMF_NQN_MAX	223
/* Namespaces one controller serves (NN) at most. */
#define NVMF_MAX_NS	32

struct nvmf_ctrlr_props {
	uint16_t vid;   /* PCI vendor ID */
	uint16_t ssvid; /* PCI subsystem vendor ID */
	char sn[NVMF_SN_LEN + 1];
	char mn[NVMF_MN_LEN + 1];
	char fr[NVMF_FR_LEN + 1];
	char subnqn[NVMF_NQN_MAX + 1];
	uint16_t cntlid;
	/* Identify Controller NN: valid NSIDs are 1 .. nn (<= NVMF_MAX_NS);
	 * 0 means NVMF_MAX_NS. */
	uint32_t nn;
	/* Identify Controller MDTS: 2 ^ mdts units of CAP.MPSMIN; 0 none. */
	uint8_t mdts;
	/* I/O submission and completion queues the host may create (Number of
	 * Queues feature), each; the admin queue is not counted. */
	uint16_t max_io_queues;
	/* CAP.MQES: entries of the largest I/O queue, minus one (>= 1). */
	uint16_t mqes;
	/* Identify Controller AERL: outstanding Asynchronous Event Requests,
	 * minus one. */
	uint8_t aerl;
	/* MSI-X vectors the device has (Create I/O CQ's IV is below it). */
	uint16_t msix_vectors;
	/* Identify Controller VWC: a volatile write cache is present (Flush
	 * has work, the Volatile Write Cache feature exists). */
	bool volatile_write_cache;
	/* Identify Controller SGLS bits 1:0 (nvmf_dma.sgls). */
	uint32_t sgls;
	/* Identify Controller OACS bit 8: Doorbell Buffer Config. */
	bool doorbell_buffer_config;
};

struct nvmf_ns_props {
	uint32_t nsid;	     /* 1 .. NVMF_MAX_NS */
	uint32_t block_size; /* a power of two, 512 .. 65536 (LBADS) */
	uint64_t num_blocks; /* NSZE = NCAP = NUSE; atomic */
	uint8_t nguid[16];   /* all zero: not reported */
	uint8_t uuid[16];    /* all zero: not reported */
	uint64_t eui64;	     /* 0: not reported */
	bool read_only;	     /* writes fail: Namespace is Write Protected */
	bool deallocate;     /* Dataset Management deallocate, Write Zeroes DEAC */
	bool dealloc_zeroes; /* deallocated blocks read as zeroes (DLFEAT) */
	bool write_zeroes;   /* Write Zeroes (ONCS bit 3) */
	/* Optimal I/O boundary in blocks (NOIOB); 0: none. */
	uint32_t optimal_io_blocks;
};

/* NN as the controller reports it. */
static inline uint32_t nvmf_ctrlr_nn(const struct nvmf_ctrlr_props *p)
{
	return p->nn && p->nn < NVMF_MAX_NS ? p->nn : NVMF_MAX_NS;
}

/* The active namespaces of a controller, ascending by nsid. */
struct nvmf_ns_list {
	const struct nvmf_ns_props *const *ns;
	unsigned n;
};

#endif
