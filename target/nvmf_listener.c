/* SPDX-License-Identifier: MIT */
/*
 * The listeners of an NVMe subsystem (nvmf_subsys.h): each one a vfio-user
 * NVMe controller (target/frontend/nvme_vfio_user.h) whose socket is
 * DIR/cntrl, as SPDK lays it out, and whose identity comes from the
 * subsystem (SN, MN, NQN, a CNTLID from its range) and queue limits from
 * the VFIOUSER transport's options.
 */
#define LOG_COMPONENT "tgt"
#include "target/nvmf_subsys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvmf/nvmf_ctrlr.h"
#include "spec/nvme.h"
#include "target/bdev/bdev.h"
#include "target/frontend/nvme_vfio_user.h"
#include "util/log.h"

/* SPDK's vfio-user controller's PCI vendor (and subsystem vendor) ID. */
#define NVMF_VFU_VID 0x4e58
#define NVMF_VFU_FR  "storlab"
/* Identify Controller AERL, 0's based (Base §5.1.13.2.1). */
#define NVMF_VFU_AERL 3

/* What the controller of a listener of s is (nvmf_props.h). */
static void ctrlr_props(const struct nvmf_tgt *tgt, struct nvmf_subsys *s,
			struct nvmf_ctrlr_props *p)
{
	const struct nvmf_transport_opts *t = &tgt->vfiouser;
	uint32_t pages = t->max_io_size / NVME_MPS_BYTES(0);

	memset(p, 0, sizeof(*p));
	p->vid = NVMF_VFU_VID;
	p->ssvid = NVMF_VFU_VID;
	snprintf(p->sn, sizeof(p->sn), "%s", s->sn);
	snprintf(p->mn, sizeof(p->mn), "%s", s->mn);
	snprintf(p->fr, sizeof(p->fr), "%s", NVMF_VFU_FR);
	snprintf(p->subnqn, sizeof(p->subnqn), "%s", s->nqn);
	/* Base §5.1.13.2.1 CNTLID: unique within the subsystem. */
	if (s->next_cntlid < s->min_cntlid || s->next_cntlid > s->max_cntlid)
		s->next_cntlid = s->min_cntlid;
	p->cntlid = s->next_cntlid++;
	p->nn = s->max_namespaces;
	/* MDTS: 2 ^ mdts pages of CAP.MPSMIN, at most max_io_size and what
	 * each namespace's bdev takes in one I/O (bdev_get_limits). */
	for (unsigned i = 0; i < NVMF_MAX_NS; i++) {
		struct bdev_limits lim;

		if (!s->ns[i])
			continue;
		bdev_get_limits(s->ns[i]->bdev, &lim);
		if (lim.max_transfer_bytes / NVME_MPS_BYTES(0) < pages)
			pages = lim.max_transfer_bytes / NVME_MPS_BYTES(0);
	}
	while (pages > 1) {
		p->mdts++;
		pages >>= 1;
	}
	p->max_io_queues = (uint16_t)t->max_io_qpairs_per_ctrlr;
	p->mqes = (uint16_t)(t->max_queue_depth - 1);
	p->aerl = NVMF_VFU_AERL;
	/* A vector for the admin queue and one for each I/O CQ. */
	p->msix_vectors =
	    (uint16_t)(t->max_io_qpairs_per_ctrlr + 1 < 2048 ? t->max_io_qpairs_per_ctrlr + 1
							     : 2048);
	p->sgls = NVME_CTRL_SGLS_DWORD;
	for (unsigned i = 0; i < NVMF_MAX_NS; i++) {
		if (s->ns[i] && s->ns[i]->bdev->write_cache)
			p->volatile_write_cache = true;
	}
}

static struct nvmf_listener **listener_find(struct nvmf_subsys *s, const char *traddr)
{
	struct nvmf_listener **pp = &s->listeners;

	while (*pp && strcmp((*pp)->traddr, traddr) != 0)
		pp = &(*pp)->next;
	return pp;
}

/* The active namespaces of s, ascending, and their bdevs: their count. */
static unsigned subsys_ns(const struct nvmf_subsys *s, const struct nvmf_ns_props **ns,
			  struct bdev **bdevs)
{
	unsigned n = 0;

	for (unsigned i = 0; i < NVMF_MAX_NS; i++) {
		if (!s->ns[i])
			continue;
		ns[n] = &s->ns[i]->props;
		bdevs[n++] = s->ns[i]->bdev;
	}
	return n;
}

int nvmf_listener_add(struct nvmf_tgt *tgt, struct nvmf_subsys *s, const char *traddr,
		      const char *trsvcid, const char *adrfam)
{
	const struct nvmf_ns_props *ns[NVMF_MAX_NS];
	struct bdev *bdevs[NVMF_MAX_NS];
	struct nvmf_ctrlr_props props;
	struct nvme_vfu_opts o = {.loop = tgt->loop,
				  .ns = ns,
				  .bdevs = bdevs,
				  .props = &props,
				  .reactors_sleep = tgt->reactors_sleep};
	struct nvmf_listener *l;
	char path[108];
	int rc;

	if (*listener_find(s, traddr))
		return -EEXIST;
	if (strlen(traddr) >= sizeof(l->traddr) ||
	    snprintf(path, sizeof(path), "%s/cntrl", traddr) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	snprintf(l->traddr, sizeof(l->traddr), "%s", traddr);
	snprintf(l->trsvcid, sizeof(l->trsvcid), "%s", trsvcid);
	snprintf(l->adrfam, sizeof(l->adrfam), "%s", adrfam);
	o.nns = subsys_ns(s, ns, bdevs);
	ctrlr_props(tgt, s, &props);
	o.path = path;
	rc = nvme_vfu_create(&o, &l->ctrlr);
	if (rc < 0) {
		free(l);
		return rc;
	}
	l->next = s->listeners;
	s->listeners = l;
	return 0;
}

struct listener_gone {
	struct nvmf_listener *l;
	void (*done)(void *arg);
	void *arg;
};

static void listener_gone(void *arg)
{
	struct listener_gone *g = arg;

	g->done(g->arg);
	free(g->l);
	free(g);
}

int nvmf_listener_remove(struct nvmf_subsys *s, const char *traddr, void (*done)(void *arg),
			 void *arg)
{
	struct nvmf_listener **pp = listener_find(s, traddr);
	struct listener_gone *g;

	if (!*pp)
		return -ENOENT;
	g = malloc(sizeof(*g));
	if (!g)
		return -ENOMEM;
	*g = (struct listener_gone){.l = *pp, .done = done, .arg = arg};
	*pp = g->l->next;
	nvme_vfu_destroy(g->l->ctrlr, listener_gone, g);
	return 0;
}

bool nvmf_listeners_busy(const struct nvmf_subsys *s)
{
	if (s->ns_updates)
		return true;
	for (const struct nvmf_listener *l = s->listeners; l; l = l->next) {
		if (nvme_vfu_busy(l->ctrlr))
			return true;
	}
	return false;
}

/* One controller moved; the last one ends the update. */
static void ns_update_step(void *arg)
{
	struct nvmf_subsys *s = arg;

	if (--s->ns_updates == 0 && s->ns_updated)
		s->ns_updated(s->ns_updated_arg);
}

void nvmf_listeners_ns_update(struct nvmf_subsys *s, void (*done)(void *arg), void *arg)
{
	const struct nvmf_ns_props *ns[NVMF_MAX_NS];
	struct bdev *bdevs[NVMF_MAX_NS];
	unsigned n = subsys_ns(s, ns, bdevs);

	s->ns_updated = done;
	s->ns_updated_arg = arg;
	s->ns_updates = 1;
	for (struct nvmf_listener *l = s->listeners; l; l = l->next) {
		s->ns_updates++;
		nvme_vfu_ns_update(l->ctrlr, ns, bdevs, n, ns_update_step, s);
	}
	ns_update_step(s);
}

json_t *nvmf_listeners_json(const struct nvmf_subsys *s)
{
	json_t *a = json_array();

	for (const struct nvmf_listener *l = s->listeners; a && l; l = l->next)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s}", "transport",
						   "VFIOUSER", "trtype", "VFIOUSER", "adrfam",
						   l->adrfam, "traddr", l->traddr, "trsvcid",
						   l->trsvcid));
	return a;
}
