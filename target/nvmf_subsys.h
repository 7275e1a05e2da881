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

/* The discovery subsystem's NQN (NVMe Base 2.1 §4.7): reserved. */
#define NVMF_DISCOVERY_NQN "nqn.2014-08.org.nvmexpress.discovery"

struct nvmf_ns {
	struct nvmf_ns_props props; /* nsid, and what the bdev says */
	struct bdev *bdev;	    /* open while the namespace exists */
};

struct nvmf_subsys {
	char nqn[NVMF_NQN_MAX + 1];
	char sn[NVMF_SN_LEN + 1];
	char mn[NVMF_MN_LEN + 1];
	bool allow_any_host;
	uint32_t max_namespaces; /* NSIDs 1 .. max_namespaces */
	uint16_t min_cntlid, max_cntlid;
	struct nvmf_ns *ns[NVMF_MAX_NS]; /* by nsid - 1; NULL: inactive */
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
};

/* NULL if nqn is a well-formed NQN (NVMe Base 2.1 §4.7: "nqn." and a date,
 * a reverse domain name and an optional ':' and user string; or the UUID
 * form), else why not. */
const char *nvmf_nqn_error(const char *nqn);

/* The subsystem of that NQN, or NULL. */
struct nvmf_subsys *nvmf_subsys_find(struct nvmf_tgt *tgt, const char *nqn);
/* Adds s (filled by the caller, no namespace yet) to the registry. */
void nvmf_subsys_add(struct nvmf_tgt *tgt, struct nvmf_subsys *s);
/* Removes and frees s and its namespaces (their bdevs closed). */
void nvmf_subsys_delete(struct nvmf_tgt *tgt, struct nvmf_subsys *s);
/* Every subsystem, at shutdown. */
void nvmf_subsys_delete_all(struct nvmf_tgt *tgt);

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
/* Removes namespace nsid (its bdev closed): 0 or -ENOENT. */
int nvmf_subsys_remove_ns(struct nvmf_subsys *s, uint32_t nsid);

/* nvmf_get_subsystems' entry of s (SPDK's field names). */
json_t *nvmf_subsys_json(const struct nvmf_subsys *s);

#endif
