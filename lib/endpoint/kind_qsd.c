/* SPDX-License-Identifier: MIT */
/*
 * qemu-storage-daemon as an endpoint (a back-end we did not write): one
 * block node, exported as a vhost-user-blk device on a socket in the
 * endpoint's directory; up once that socket accepts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "endpoint/endpoint_internal.h"

/* The export type it is started with, which is also its device's URI
 * scheme. */
#define QSD_EXPORT "vhost-user-blk"
/* The node the --blockdev value must name (its export refers to it). */
#define QSD_NODE "d0"

/* qemu-storage-daemon has no option for its cores: it inherits them. */
static int parse_cpumask(struct endpoint *ep, char *err, size_t len)
{
	const char *mask = ep->cfg->cpumask;
	unsigned long long bits;
	char *end;

	if (!mask)
		return 0;
	bits = strtoull(mask, &end, 0);
	if (*end || !bits) {
		snprintf(err, len, "endpoint '%s': bad cpumask '%s'", ep->cfg->name, mask);
		return -EINVAL;
	}
	CPU_ZERO(&ep->cpus);
	for (unsigned i = 0; i < 64; i++)
		if (bits >> i & 1)
			CPU_SET(i, &ep->cpus);
	ep->pin = true;
	return 0;
}

static int qsd_init(struct endpoint *ep, char *err, size_t len)
{
	const struct endpoint_config *cfg = ep->cfg;
	char name[PATH_MAX], exp[PATH_MAX + 128];
	int ret;

	snprintf(name, sizeof(name), "%s.sock", cfg->name);
	ret = endpoint_need(ep, cfg->blockdev, "blockdev", err, len) ?: parse_cpumask(ep, err, len)
	      ?: endpoint_path(ep, name, ep->sock, sizeof(ep->sock), err, len);
	if (ret)
		return ret;
	snprintf(exp, sizeof(exp),
		 "type=" QSD_EXPORT ",id=e0,node-name=" QSD_NODE ",addr.type=unix,addr.path=%s,"
		 "writable=on,num-queues=%s",
		 ep->sock, cfg->num_queues ?: "1");
	return endpoint_argv_set(ep, (const char *const[]){cfg->bin ?: "qemu-storage-daemon",
							   "--blockdev", cfg->blockdev, "--export",
							   exp, NULL});
}

static int qsd_uri(struct endpoint *ep, const char *device, char *uri, size_t len, char *err,
		   size_t err_len)
{
	(void)device;
	return endpoint_uri_join(ep, QSD_EXPORT, ep->sock, uri, len, err, err_len);
}

const struct endpoint_kind g_endpoint_qsd = {
    .name = "qemu-storage-daemon",
    .spawns = true,
    .init = qsd_init,
    .uri = qsd_uri,
};
