/* SPDX-License-Identifier: MIT */
/*
 * storlab-tgt as an endpoint: started with its sockets in the endpoint's
 * directory, up once its JSON-RPC socket accepts, made to serve by the
 * caller's set-up calls (made like a user would: SPDK method names; "{dir}"
 * in their strings is the endpoint's directory, where an NVMe over vfio-user
 * listener's traddr goes), and its devices found by asking it
 * (vhost_get_controllers, or nvmf_get_subsystems for a subsystem's NQN), not
 * by guessing paths.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "endpoint/endpoint_internal.h"
#include "util/common.h"

/* What vhost_get_controllers says a controller is (SPDK's key under
 * backend_specific), and the URI scheme of a device of that kind. */
static const struct {
	const char *backend;
	const char *scheme;
} g_tgt_devices[] = {
    {"block", "vhost-user-blk"},
    {"scsi", "vhost-user-scsi"},
};

/* In a set-up call's strings: the endpoint's directory. */
#define DIR_TOKEN "{dir}"
/* A device named by an NQN (NVMe Base 2.1 §4.7: every NQN starts "nqn.")
 * may be an NVMe subsystem, served on its VFIOUSER listener's socket
 * DIR/cntrl (what nvmf_subsystem_add_listener -t VFIOUSER -a DIR makes). */
#define NQN_PREFIX	"nqn."
#define VFIOUSER_SCHEME "nvme-vfio-user"
#define VFIOUSER_SOCK	"cntrl"

/* storlab-tgt of the same build: beside the running program (storlab), or
 * else the one in PATH. */
static void tgt_beside_me(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0) {
		snprintf(buf, len, "storlab-tgt");
		return;
	}
	self[n] = '\0';
	snprintf(buf, len, "%s/storlab-tgt", dirname(self));
}

static int tgt_init(struct endpoint *ep, char *err, size_t len)
{
	const struct endpoint_config *cfg = ep->cfg;
	char bin[PATH_MAX];
	int ret = endpoint_path(ep, "rpc.sock", ep->rpc_sock, sizeof(ep->rpc_sock), err, len);

	if (ret)
		return ret;
	memcpy(ep->sock, ep->rpc_sock, sizeof(ep->sock));
	if (cfg->bin)
		snprintf(bin, sizeof(bin), "%s", cfg->bin);
	else
		tgt_beside_me(bin, sizeof(bin));
	return endpoint_argv_set(ep, (const char *const[]){bin, "-m", cfg->cpumask ?: "0x1", "-S",
							   ep->dir, "-r", ep->rpc_sock, "--mode",
							   cfg->mode ?: "adaptive", NULL});
}

/* An error's message, or ours for a transport failure. */
static const char *call_error(json_t *error, int ret)
{
	json_t *msg = json_object_get(error, "message");

	return json_is_string(msg) ? json_string_value(msg) : strerror(-ret);
}

/* Every string in v with DIR_TOKEN replaced by dir, in place: 0 or
 * -ENOMEM. */
static int subst_dir(json_t *v, const char *dir)
{
	const char *key;
	json_t *item;
	size_t i;
	char *s;
	int ret;

	if (json_is_string(v)) {
		if (!strstr(json_string_value(v), DIR_TOKEN))
			return 0;
		s = endpoint_subst(json_string_value(v), DIR_TOKEN, dir);
		ret = s && json_string_set(v, s) == 0 ? 0 : -ENOMEM;
		free(s);
		return ret;
	}
	json_object_foreach(v, key, item)
		if (subst_dir(item, dir))
			return -ENOMEM;
	json_array_foreach(v, i, item)
		if (subst_dir(item, dir))
			return -ENOMEM;
	return 0;
}

/* A set-up call's params as sent: a copy, DIR_TOKEN replaced. */
static int setup_params(struct endpoint *ep, json_t *params, json_t **out)
{
	*out = json_deep_copy(params);
	if (params && !*out)
		return -ENOMEM;
	if (subst_dir(*out, ep->dir)) {
		json_decref(*out);
		return -ENOMEM;
	}
	return 0;
}

static int tgt_setup(struct endpoint *ep, char *err, size_t len)
{
	const struct endpoint_config *cfg = ep->cfg;

	for (unsigned i = 0; i < cfg->nsetup; i++) {
		const struct endpoint_call *c = &cfg->setup[i];
		json_t *params, *result = NULL, *error = NULL;
		int ret = setup_params(ep, c->params, &params)
			      ?: endpoint_rpc_call(ep, c->method, params, &result, &error);
		char where[32] = "";

		if (c->line)
			snprintf(where, sizeof(where), " (line %u)", c->line);
		if (ret)
			snprintf(err, len, "endpoint '%s' set-up%s: %s: %s; its log: %s", cfg->name,
				 where, c->method, call_error(error, ret), ep->log);
		json_decref(result);
		json_decref(error);
		if (ret)
			return ret;
	}
	return 0;
}

/* Into uri the socket of subsystem nqn's VFIOUSER listener, as
 * nvmf_get_subsystems reports it: 0, -ENODEV with err when it has none,
 * -ENOENT when the target has no such subsystem (or no nvmf_* methods). */
static int nvmf_uri(struct endpoint *ep, const char *nqn, char *uri, size_t len, char *err,
		    size_t err_len)
{
	json_t *result, *error, *s, *a;
	char path[PATH_MAX];
	size_t i, j;
	int ret = endpoint_rpc_call(ep, "nvmf_get_subsystems", NULL, &result, &error);

	if (ret == -EREMOTEIO)
		ret = -ENOENT;
	if (ret) {
		snprintf(err, err_len, "endpoint '%s': subsystem %s: %s", ep->cfg->name, nqn,
			 strerror(-ret));
		goto out;
	}
	ret = -ENOENT;
	json_array_foreach(result, i, s) {
		const char *name = json_string_value(json_object_get(s, "nqn"));

		if (!name || strcmp(name, nqn) != 0)
			continue;
		ret = -ENODEV;
		snprintf(err, err_len, "endpoint '%s': subsystem %s has no VFIOUSER listener",
			 ep->cfg->name, nqn);
		json_array_foreach(json_object_get(s, "listen_addresses"), j, a) {
			const char *trtype = json_string_value(json_object_get(a, "trtype"));
			const char *traddr = json_string_value(json_object_get(a, "traddr"));

			if (!trtype || !traddr || strcmp(trtype, "VFIOUSER") != 0)
				continue;
			snprintf(path, sizeof(path), "%s/" VFIOUSER_SOCK, traddr);
			ret = endpoint_uri_join(ep, VFIOUSER_SCHEME, path, uri, len, err, err_len);
			goto out;
		}
	}
out:
	json_decref(result);
	json_decref(error);
	return ret;
}

/* The controller's socket and kind, as the target reports them. */
static int tgt_uri(struct endpoint *ep, const char *ctrlr, char *uri, size_t len, char *err,
		   size_t err_len)
{
	json_t *result, *error, *c, *specific;
	const char *sock;
	int ret;

	if (!ctrlr) {
		snprintf(err, err_len, "endpoint '%s': which controller?", ep->cfg->name);
		return -EINVAL;
	}
	/* A name that is an NQN may be a subsystem's, else a vhost one's. */
	if (strncmp(ctrlr, NQN_PREFIX, strlen(NQN_PREFIX)) == 0) {
		ret = nvmf_uri(ep, ctrlr, uri, len, err, err_len);
		if (ret != -ENOENT)
			return ret;
	}
	ret = endpoint_rpc_call(ep, "vhost_get_controllers", json_pack("{s:s}", "name", ctrlr),
				&result, &error);
	if (ret) {
		snprintf(err, err_len, "endpoint '%s': controller %s: %s", ep->cfg->name, ctrlr,
			 call_error(error, ret));
		goto out;
	}
	c = json_array_get(result, 0);
	sock = json_string_value(json_object_get(c, "socket"));
	specific = json_object_get(c, "backend_specific");
	ret = -EPROTO;
	snprintf(err, err_len,
		 "endpoint '%s': vhost_get_controllers names no socket of a known "
		 "kind for %s",
		 ep->cfg->name, ctrlr);
	for (unsigned i = 0; sock && i < ARRAY_SIZE(g_tgt_devices); i++) {
		if (json_object_get(specific, g_tgt_devices[i].backend)) {
			ret = endpoint_uri_join(ep, g_tgt_devices[i].scheme, sock, uri, len, err,
						err_len);
			break;
		}
	}
out:
	json_decref(result);
	json_decref(error);
	return ret;
}

const struct endpoint_kind g_endpoint_tgt = {
    .name = "storlab-tgt",
    .spawns = true,
    .init = tgt_init,
    .setup = tgt_setup,
    .uri = tgt_uri,
    .rpc = true,
};
