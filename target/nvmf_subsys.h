/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_TARGET_NVMF_SUBSYS_H
#define STORLAB_TARGET_NVMF_SUBSYS_H

/*
 * storlab-tgt's NVMe subsystems, as SPDK's nvmf_* methods shape them: an
 * NVM subsystem (NQN, serial and model number) holds namespaces, each over
 * an open bdev; a transport (VFIOUSER for now) serves them once a listener
 * is added. This is the registry the RPC methods (rpc_nvmf.c) keep; the
 * controllers that serve a subsystem read it through nvmf_props.h.
 *
 * Threads: the control thread only.
 */

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "nvmf/nvmf_props.h"

struct bdev;
struct evloop;
struct nvme_vfu;
struct nvmf_tgt;

/* The discovery subsystem's NQN (NVMe Base 2.1 §4.7): reserved. */
#define NVMF_DISCOVERY_NQN "nqn.2014-08.org.nvmexpress.discovery"

struct nvmf_ns {
	struct nvmf_ns_props props; /* nsid, and what the bdev says */
	struct bdev *bdev;	    /* open while the namespace exists */
};

/* A listener: one vfio-user NVMe controller, its socket DIR/cntrl. */
struct nvmf_listener {
	char traddr[108]; /* the directory (a Unix socket path's room) */
	char trsvcid[32];
	char adrfam[16];
	struct nvme_vfu *ctrlr;
	struct nvmf_listener *next;
};

struct nvmf_subsys {
	char nqn[NVMF_NQN_MAX + 1];
	char sn[NVMF_SN_LEN + 1];
	char mn[NVMF_MN_LEN + 1];
	bool allow_any_host;
	uint32_t max_namespaces; /* NSIDs 1 .. max_namespaces */
	uint16_t min_cntlid, max_cntlid;
	struct nvmf_ns *ns[NVMF_MAX_NS]; /* by nsid - 1; NULL: inactive */
	struct nvmf_listener *listeners;
	uint16_t next_cntlid;
	/* Being deleted: listeners still going away, then done(arg). */
	unsigned teardowns;
	/* Controllers moving to new namespaces, and who waits for them. */
	unsigned ns_updates;
	void (*ns_updated)(void *arg);
	void *ns_updated_arg;
	void (*deleted)(void *arg);
	void *deleted_arg;
	struct nvmf_tgt *tgt;
	struct nvmf_subsys *next;
};

/* The transports created with nvmf_create_transport, and their options. */
struct nvmf_transport_opts {
	const char *trtype; /* "VFIOUSER" */
	uint32_t max_queue_depth;
	uint32_t max_aq_depth;
	uint32_t max_io_qpairs_per_ctrlr;
	uint32_t max_io_size; /* bytes */
};

struct nvmf_tgt {
	struct nvmf_transport_opts vfiouser;
	bool vfiouser_created;
	struct nvmf_subsys *subsystems; /* in creation order */
	struct evloop *loop;		/* the control thread's */
	bool reactors_sleep;		/* interrupt or adaptive mode */
	unsigned deleting;		/* subsystems whose listeners go away */
};

/* NULL if nqn is a well-formed NQN (NVMe Base 2.1 §4.7: "nqn." and a date,
 * a reverse domain name and an optional ':' and user string; or the UUID
 * form), else why not. */
const char *nvmf_nqn_error(const char *nqn);

/* The subsystem of that NQN, or NULL. */
struct nvmf_subsys *nvmf_subsys_find(struct nvmf_tgt *tgt, const char *nqn);
/* Adds s (filled by the caller, no namespace yet) to the registry. */
void nvmf_subsys_add(struct nvmf_tgt *tgt, struct nvmf_subsys *s);
/* Removes s from the registry at once; once its controllers are gone
 * (drained, sockets removed) frees it and its namespaces (their bdevs
 * closed) and calls done(arg) (may be NULL), possibly before returning. */
void nvmf_subsys_delete(struct nvmf_tgt *tgt, struct nvmf_subsys *s, void (*done)(void *arg),
			void *arg);
/* Every subsystem, at shutdown: runs tgt->loop until all are gone. */
void nvmf_subsys_delete_all(struct nvmf_tgt *tgt);

/* ---- Listeners (nvmf_listener.c) ---- */

/*
 * Starts a controller of s listening at traddr/cntrl (SPDK's layout) over
 * the VFIOUSER transport's options. Returns 0, or -EEXIST (that traddr
 * listens already), -ENAMETOOLONG, or the controller's error (logged).
 */
int nvmf_listener_add(struct nvmf_tgt *tgt, struct nvmf_subsys *s, const char *traddr,
		      const char *trsvcid, const char *adrfam);
/* Stops the listener at traddr: 0 and done(arg) once its controller is
 * gone (possibly before returning), or -ENOENT. */
int nvmf_listener_remove(struct nvmf_subsys *s, const char *traddr, void (*done)(void *arg),
			 void *arg);
/* A controller of s is draining (reset, shutdown, DMA change) or still
 * moving to new namespaces: namespaces must not change now. */
bool nvmf_listeners_busy(const struct nvmf_subsys *s);
/* The namespaces of s changed: every controller moves to them (its I/O
 * drained, a Namespace Attribute Changed event for the host); done(arg)
 * (may be NULL) once none uses the old ones, possibly before returning.
 * Not while nvmf_listeners_busy(). */
void nvmf_listeners_ns_update(struct nvmf_subsys *s, void (*done)(void *arg), void *arg);
/* nvmf_get_subsystems' "listen_addresses" of s. */
json_t *nvmf_listeners_json(const struct nvmf_subsys *s);

/*
 * Adds a namespace over bdev (opened here) with props (nsid 0: the lowest
 * free one; block size and count are the bdev's). Returns the nsid, or
 * -EEXIST (nsid taken), -ERANGE (nsid past max_namespaces), -ENOSPC (none
 * free), or bdev_open's error.
 */
int nvmf_subsys_add_ns(struct nvmf_subsys *s, struct bdev *bdev, const struct nvmf_ns_props *props);
/* NULL if a namespace over bdev with props may join s, else why not: each
 * bdev backs one namespace of a subsystem, and its NGUID, EUI-64 and UUID
 * are unique among them (NVMe Base 2.1 §4.5.1: identifiers are globally
 * unique). */
const char *nvmf_subsys_ns_conflict(const struct nvmf_subsys *s, const struct bdev *bdev,
				    const struct nvmf_ns_props *props);
/* Takes namespace nsid out of s, its bdev still open, or NULL; then
 * nvmf_ns_free() once no controller uses it. */
struct nvmf_ns *nvmf_subsys_take_ns(struct nvmf_subsys *s, uint32_t nsid);
void nvmf_ns_free(struct nvmf_ns *ns);

/* nvmf_get_subsystems' entry of s (SPDK's field names). */
json_t *nvmf_subsys_json(const struct nvmf_subsys *s);

#endif
