/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TESTS_PEERS_BAD_BACKEND_H
#define STORLAB_TESTS_PEERS_BAD_BACKEND_H

/*
 * bad_backend's parts (docs/peers.md): the switch table (switches.c), the
 * device and its rings (device.c), the message proxy and main
 * (bad_backend.c). One thread runs everything.
 */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "vhost/vhost.h"

/* ---- the switches (switches.c, switches_vhost.c, switches_blk.c) ---- */

/* The switch ids: the vhost-user ones from 0, the virtio-blk ones from
 * BRK_BLK_FIRST; g_break is indexed by either. */
#define BRK_BLK_FIRST 96
#define BRK_MAX	      192
#include "switches_blk.h"
#include "switches_vhost.h"
_Static_assert(BRK_VHOST_END <= BRK_BLK_FIRST, "vhost-user switch ids run into the blk ones");
_Static_assert(BRK_BLK_END <= BRK_MAX, "too many virtio-blk switches");

/* One entry per switch: what --list prints and test_conform_proof.py reads.
 * targets: the conformance case IDs that must fail against this switch, and
 * only they (space-separated; empty: a tolerated deviation no case may fail
 * on; "probe": the runner's probe catches it, and the run cannot be done). args: the bad_backend
 * options the switch needs besides (NULL: none); the test runs the targets with them and without
 * the switch first. */
struct brk_switch {
	unsigned id;
	const char *name;
	const char *targets;
	const char *breaks;
	const char *args;
};

extern const struct brk_switch g_switches_vhost[];
extern const unsigned g_switches_vhost_count;
extern const struct brk_switch g_switches_blk[];
extern const unsigned g_switches_blk_count;
extern bool g_break[BRK_MAX];

#define BROKEN(b) (g_break[BRK_##b])

/* Sets the switch NAME; 0, or -1 (printed) when there is none. */
int brk_set(const char *name);
/* --list: one line per switch; --list --json: a JSON array of objects. */
void brk_list(bool json);

/* ---- the device (device.c) ---- */

struct disk_opts {
	uint64_t bytes;
	/* --file: the disk is this file, mapped shared, so that its data outlives
	 * a kill (a restart finds what was written); NULL: RAM. */
	const char *file;
	uint16_t queues;
	bool readonly;
	uint32_t block_size; /* blk_size (virtio 1.2 §5.2.4): a power of 2, 512..65536 */
	/* A slow device: one chain a poll, each taking this long; on a stop,
	 * what is still available is served before the answer. 0: fast. */
	uint32_t slow_us;
	/* Offers VHOST_F_LOG_ALL and LOG_SHMFD and marks its writes in the
	 * log (the migration switches act on it). */
	bool logs_writes;
};

int disk_init(const struct disk_opts *o);
void disk_fini(void);
/* Runs every ring once (bounded batches); the number of requests done. */
unsigned disk_poll(void);
/* A stopped ring's memory is about to go (keeps-ring-running). */
void disk_zombies_drop(void);
/* Fills len bytes of config space from offset (bytes past the struct: 0). */
int disk_get_config(void *ctx, uint8_t *buf, uint32_t offset, uint32_t len);

/* The device's ops: logs_writes with --logs-writes, in-flight tracking with
 * lose-inflight (disk_ops() in device.c). */
const struct vhost_dev_ops *disk_ops(void);

/* ---- bad_backend's own walks of a chain (walk.c) ---- */

/*
 * The chain as the driver laid it out, read again from its descriptor
 * tables: lib/virtio gives the device buffers only, and the layout switches
 * act on the layout. Bounded like lib/virtio's walk; it stops at whatever
 * lib/virtio refuses (the chain is then malformed anyway).
 */
struct chain_shape {
	bool head_indirect;	  /* the ring's descriptor at head refers to a table */
	bool head_write;	  /* ... and has WRITE set (§2.7.5.3.2: ignored) */
	bool indirect_late;	  /* a table after direct descriptors (§2.7.5.3.2) */
	bool bad_order;		  /* a readable descriptor after a writable one */
	bool loops;		  /* longer than any chain may be (§2.7.5.2) */
	uint32_t in_before_empty; /* writable bytes before the first empty one */
};
void walk_chain_shape(const struct virtq_dev *vq, uint16_t head, struct chain_shape *s);

/* The leniencies of walk_lax_pop(), one per switch. */
enum {
	LAX_PAST_MEMORY = 1,   /* uses-buffer-past-memory */
	LAX_PAST_TABLE = 2,    /* uses-desc-past-table */
	LAX_PARTIAL_TABLE = 4, /* serves-partial-table */
	LAX_NESTED = 8,	       /* follows-nested-indirect */
};

/* Walks again the chain at c->head that lib/virtio refused, with the
 * leniencies of the switches set; 0 (c filled in) if it is well-formed but
 * for them and needed one, else -EINVAL. c->iov and c->max_iov as for
 * virtq_dev_pop. */
int walk_lax_pop(const struct virtq_dev *vq, struct virtq_chain *c);
/* refuses-buffer-at-memory-end: one of c's buffers ends where its memory
 * region ends. */
bool walk_at_region_end(const struct virtq_dev *vq, const struct virtq_chain *c);

/* ---- the message proxy (bad_backend.c) ---- */

/* Accepts front-ends on the listening socket lfd, one at a time, proxies
 * their messages to lib/vhost and runs the rings, until *stop. */
void proxy_serve(int lfd, uint16_t queues, volatile sig_atomic_t *stop);

#endif
