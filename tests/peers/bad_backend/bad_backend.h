/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_PEERS_BAD_BACKEND_H
#define STORLAB_TESTS_PEERS_BAD_BACKEND_H

/*
 * bad_backend's parts (docs/peers.md): the switch table (switches.c), the
 * device and its rings (device.c), the message proxy and main
 * (bad_backend.c). One thread runs everything.
 */

#include <stdbool.h>
#include <stdint.h>

#include "vhost/vhost.h"

/* ---- the switches (switches.c) ---- */

enum brk {
	BRK_WRONG_STATUS,
	BRK_WRITE_PAST_END_OK,
	BRK_DROPS_LAST_BLOCK_WRITE,
	BRK_TRUNCATES_LARGE_WRITES,
	BRK_PARTIAL_READ_OK,
	BRK_NO_DATA_IOERR,
	BRK_DROPS_FIRST_BLOCK_WRITE,
	BRK_REJECTS_ODD_LAYOUT,
	BRK_NO_USED_LEN,
	BRK_USED_LEN_SHORT,
	BRK_USED_LEN_LONG,
	BRK_FLUSH_UNSUPP,
	BRK_NO_FLUSH,
	BRK_FLUSH_WITHOUT_FEATURE,
	BRK_GET_ID_UNPADDED,
	BRK_GET_ID_OVERRUN,
	BRK_IGNORE_READONLY,
	BRK_UNKNOWN_TYPE_OK,
	BRK_DWZ_WITHOUT_FEATURE,
	BRK_DISCARD_IGNORES_UNMAP_FLAG,
	BRK_DWZ_IGNORES_FLAGS,
	BRK_DISCARD_UNSUPP,
	BRK_DWZ_PAST_END_OK,
	BRK_WRITE_ZEROES_NOOP,
	BRK_CONFIG_PADDING_DIRTY,
	BRK_NO_EVENT_IDX_NOTIFY,
	BRK_NO_NOTIFY_WITHOUT_EVENT_IDX,
	BRK_NOTIFY_ALWAYS,
	BRK_SERVES_FIRST_QUEUE_ONLY,
	BRK_DROP_REPLY_ACK,
	BRK_WRONG_VRING_BASE,
	BRK_KEEPS_RING_RUNNING,
	BRK_VRING_BASE_ANY_INDEX,
	BRK_CONFIG_SIZE_WRONG,
	BRK_CONFIG_SIZE_STRICT,
	BRK_ACK_UNKNOWN_REQUEST,
	BRK_NACK_AS_ACK,
	BRK_LAX_HEADER,
	BRK_KEEPS_STRAY_FDS,
	BRK_COUNT,
};

/* One entry per switch: what --list prints and test_conform_proof.py reads.
 * targets: the conformance case IDs that must fail against this switch, and
 * only they (space-separated; empty: a tolerated deviation no case may fail
 * on). */
struct brk_switch {
	const char *name;
	const char *targets;
	const char *breaks;
};

extern const struct brk_switch g_switches[BRK_COUNT];
extern bool g_break[BRK_COUNT];

#define BROKEN(b) (g_break[BRK_##b])

/* Sets the switch NAME; 0, or -1 (printed) when there is none. */
int brk_set(const char *name);
/* --list: one line per switch; --list --json: a JSON array of objects. */
void brk_list(bool json);

/* ---- the device (device.c) ---- */

struct disk_opts {
	uint64_t bytes;
	uint16_t queues;
	bool readonly;
};

int disk_init(const struct disk_opts *o);
void disk_fini(void);
/* Runs every ring once (bounded batches); the number of requests done. */
unsigned disk_poll(void);
/* A stopped ring's memory is about to go (keeps-ring-running). */
void disk_zombies_drop(void);
/* Fills len bytes of config space from offset (bytes past the struct: 0). */
int disk_get_config(void *ctx, uint8_t *buf, uint32_t offset, uint32_t len);

extern const struct vhost_dev_ops g_disk_ops;

#endif
