/* SPDX-License-Identifier: MIT */
/* The registry of NVMe subsystems and their namespaces (nvmf_subsys.h). */
#define LOG_COMPONENT "tgt"
#include "target/nvmf_subsys.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/bdev/bdev.h"
#include "util/deadline.h"
#include "util/evloop.h"
#include "util/log.h"
#include "util/parse.h"

/* How long shutdown waits for controllers to drain their queues. */
#define NVMF_SHUTDOWN_DRAIN_MS 10000

/* The UUID form: "nqn.2014-08.org.nvmexpress:uuid:" and 36 characters. */
#define NQN_UUID_PREFIX "nqn.2014-08.org.nvmexpress:uuid:"

/* One label of a reverse domain name: starts with a letter, letters, digits
 * and hyphens, not ending in a hyphen. Returns its length, 0 if malformed. */
static size_t domain_label(const char *s)
{
	size_t n = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '-')
		n++;
	return s[n - 1] == '-' ? 0 : n;
}

const char *nvmf_nqn_error(const char *nqn)
{
	const char *p = nqn;
	size_t len = strlen(nqn);

	if (len > NVMF_NQN_MAX)
		return "is longer than 223 bytes (NVMe Base 2.1 §4.7)";
	if (strncmp(nqn, NQN_UUID_PREFIX, strlen(NQN_UUID_PREFIX)) == 0)
		return util_parse_uuid(nqn + strlen(NQN_UUID_PREFIX), NULL) == 0
			   ? NULL
			   : "has the UUID form with a malformed UUID (NVMe Base 2.1 §4.7)";
	/* "nqn." yyyy "-" mm "." */
	if (strncmp(p, "nqn.", 4) != 0 || !isdigit((unsigned char)p[4]) ||
	    !isdigit((unsigned char)p[5]) || !isdigit((unsigned char)p[6]) ||
	    !isdigit((unsigned char)p[7]) || p[8] != '-' || !isdigit((unsigned char)p[9]) ||
	    !isdigit((unsigned char)p[10]) || p[11] != '.')
		return "does not start with \"nqn.yyyy-mm.\" (NVMe Base 2.1 §4.7)";
	if ((p[9] - '0') * 10 + (p[10] - '0') < 1 || (p[9] - '0') * 10 + (p[10] - '0') > 12)
		return "has a month that is not 01 to 12 (NVMe Base 2.1 §4.7)";
	p += 12;
	for (;;) {
		size_t n = domain_label(p);

		if (n == 0)
			return "has a malformed reverse domain name (NVMe Base 2.1 §4.7)";
		p += n;
		if (*p != '.')
			break;
		p++;
	}
	if (*p != '\0' && *p != ':')
		return "has a character the reverse domain name may not hold (NVMe Base 2.1 §4.7)";
	for (; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "holds a control character";
	}
	return NULL;
}

struct nvmf_subsys *nvmf_subsys_find(struct nvmf_tgt *tgt, const char *nqn)
{
	for (struct nvmf_subsys *s = tgt->subsystems; s; s = s->next) {
		if (strcmp(s->nqn, nqn) == 0)
			return s;
	}
	return NULL;
}

void nvmf_subsys_add(struct nvmf_tgt *tgt, struct nvmf_subsys *s)
{
	struct nvmf_subsys **pp = &tgt->subsystems;

	while (*pp)
		pp = &(*pp)->next;
	s->next = NULL;
	*pp = s;
}

void nvmf_ns_free(struct nvmf_ns *ns)
{
	bdev_close(ns->bdev);
	free(ns);
}

/* One of s's controllers is gone; the last frees s. */
static void subsys_teardown_step(void *arg)
{
	struct nvmf_subsys *s = arg;

	if (--s->teardowns)
		return;
	for (unsigned i = 0; i < NVMF_MAX_NS; i++) {
		if (s->ns[i])
			nvmf_ns_free(s->ns[i]);
	}
	log_info("NVMe subsystem %s deleted", s->nqn);
	s->tgt->deleting--;
	if (s->deleted)
		s->deleted(s->deleted_arg);
	free(s);
}

void nvmf_subsys_delete(struct nvmf_tgt *tgt, struct nvmf_subsys *s, void (*done)(void *arg),
			void *arg)
{
	for (struct nvmf_subsys **pp = &tgt->subsystems; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	s->tgt = tgt;
	s->deleted = done;
	s->deleted_arg = arg;
	s->teardowns = 1;
	tgt->deleting++;
	while (s->listeners) {
		s->teardowns++;
		if (nvmf_listener_remove(s, s->listeners->traddr, subsys_teardown_step, s) < 0) {
			log_err("NVMe subsystem %s: a controller left behind", s->nqn);
			s->teardowns--;
			break;
		}
	}
	subsys_teardown_step(s);
}

void nvmf_subsys_delete_all(struct nvmf_tgt *tgt)
{
	int64_t deadline = deadline_from_timeout(NVMF_SHUTDOWN_DRAIN_MS);

	while (tgt->subsystems)
		nvmf_subsys_delete(tgt, tgt->subsystems, NULL, NULL);
	while (tgt->deleting && deadline_ms_left(deadline) > 0) {
		if (evloop_run_once(tgt->loop, deadline_ms_left(deadline)) < 0)
			break;
	}
	if (tgt->deleting)
		log_err("%u NVMe subsystems' controllers did not drain within %d ms at shutdown",
			tgt->deleting, NVMF_SHUTDOWN_DRAIN_MS);
}

int nvmf_subsys_add_ns(struct nvmf_subsys *s, struct bdev *bdev, const struct nvmf_ns_props *props)
{
	uint32_t nsid = props->nsid;
	struct nvmf_ns *ns;
	int rc;

	if (nsid > s->max_namespaces)
		return -ERANGE;
	if (nsid == 0) {
		while (nsid < s->max_namespaces && s->ns[nsid])
			nsid++;
		if (nsid == s->max_namespaces)
			return -ENOSPC;
		nsid++;
	} else if (s->ns[nsid - 1]) {
		return -EEXIST;
	}
	ns = calloc(1, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	rc = bdev_open(bdev);
	if (rc) {
		free(ns);
		return rc;
	}
	ns->bdev = bdev;
	ns->props = *props;
	ns->props.nsid = nsid;
	ns->props.block_size = bdev->block_size;
	ns->props.num_blocks = bdev_num_blocks(bdev);
	s->ns[nsid - 1] = ns;
	log_info("NVMe subsystem %s: namespace %u on bdev %s", s->nqn, nsid, bdev->name);
	return (int)nsid;
}

static bool all_zero(const uint8_t *b, size_t n);

const char *nvmf_subsys_ns_conflict(const struct nvmf_subsys *s, const struct bdev *bdev,
				    const struct nvmf_ns_props *props)
{
	for (unsigned i = 0; i < NVMF_MAX_NS; i++) {
		const struct nvmf_ns *ns = s->ns[i];

		if (!ns)
			continue;
		if (ns->bdev == bdev)
			return "the bdev already backs a namespace of the subsystem";
		if (!all_zero(props->nguid, 16) && memcmp(ns->props.nguid, props->nguid, 16) == 0)
			return "another namespace has that NGUID (NVMe Base 2.1 §4.5.1)";
		if (props->eui64 && ns->props.eui64 == props->eui64)
			return "another namespace has that EUI-64 (NVMe Base 2.1 §4.5.1)";
		if (!all_zero(props->uuid, 16) && memcmp(ns->props.uuid, props->uuid, 16) == 0)
			return "another namespace has that UUID (NVMe Base 2.1 §4.5.1)";
	}
	return NULL;
}

struct nvmf_ns *nvmf_subsys_take_ns(struct nvmf_subsys *s, uint32_t nsid)
{
	struct nvmf_ns *ns;

	if (nsid == 0 || nsid > NVMF_MAX_NS || !s->ns[nsid - 1])
		return NULL;
	ns = s->ns[nsid - 1];
	s->ns[nsid - 1] = NULL;
	log_info("NVMe subsystem %s: namespace %u removed", s->nqn, nsid);
	return ns;
}

static bool all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (b[i])
			return false;
	}
	return true;
}

/* As SPDK prints them: an NGUID as 32 upper-case hex digits, a UUID in its
 * lower-case 8-4-4-4-12 form. */
static json_t *id_json(const uint8_t b[16], bool uuid_form)
{
	char text[48];
	size_t len = 0;

	for (size_t i = 0; i < 16; i++) {
		if (uuid_form && (i == 4 || i == 6 || i == 8 || i == 10))
			text[len++] = '-';
		len += (size_t)snprintf(text + len, sizeof(text) - len, uuid_form ? "%02x" : "%02X",
					b[i]);
	}
	return json_string(text);
}

static json_t *ns_json(const struct nvmf_ns *ns)
{
	json_t *o = json_pack("{s:I, s:s, s:s}", "nsid", (json_int_t)ns->props.nsid, "bdev_name",
			      ns->bdev->name, "name", ns->bdev->name);

	if (!o)
		return NULL;
	if (!all_zero(ns->props.nguid, 16))
		json_object_set_new(o, "nguid", id_json(ns->props.nguid, false));
	if (ns->props.eui64) {
		char eui[24];

		snprintf(eui, sizeof(eui), "%016llX", (unsigned long long)ns->props.eui64);
		json_object_set_new(o, "eui64", json_string(eui));
	}
	if (!all_zero(ns->props.uuid, 16))
		json_object_set_new(o, "uuid", id_json(ns->props.uuid, true));
	return o;
}

json_t *nvmf_subsys_json(const struct nvmf_subsys *s)
{
	json_t *nss = json_array();
	json_t *o;

	if (!nss)
		return NULL;
	for (unsigned i = 0; i < NVMF_MAX_NS; i++) {
		if (s->ns[i])
			json_array_append_new(nss, ns_json(s->ns[i]));
	}
	o = json_pack("{s:s, s:s, s:o, s:b, s:[], s:s, s:s, s:I, s:I, s:I, s:o}", "nqn", s->nqn,
		      "subtype", "NVMe", "listen_addresses", nvmf_listeners_json(s),
		      "allow_any_host", s->allow_any_host, "hosts", "serial_number", s->sn,
		      "model_number", s->mn, "max_namespaces", (json_int_t)s->max_namespaces,
		      "min_cntlid", (json_int_t)s->min_cntlid, "max_cntlid",
		      (json_int_t)s->max_cntlid, "namespaces", nss);
	return o;
}
