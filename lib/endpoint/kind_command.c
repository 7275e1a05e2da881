/* SPDX-License-Identifier: MIT */
/*
 * Any program as an endpoint: a shell command with "{sock}" where the
 * socket it must serve goes (`storlab conform --spawn-cmd`: a vendor's
 * daemon, qemu-storage-daemon with options of one's own, a wrapper script),
 * up once that socket accepts (and the caller's ready hook passes: a shell
 * command may create its socket well before it serves on it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint/endpoint_internal.h"

#define SOCK_TOKEN "{sock}"

static int command_init(struct endpoint *ep, char *err, size_t len)
{
	const struct endpoint_config *cfg = ep->cfg;
	char name[PATH_MAX], *cmd;
	int ret = endpoint_need(ep, cfg->command, "command", err, len)
		      ?: endpoint_need(ep, cfg->scheme, "URI scheme", err, len);

	if (ret)
		return ret;
	/* Without {sock} we would not know where it serves. */
	if (!strstr(cfg->command, SOCK_TOKEN)) {
		snprintf(err, len, "endpoint '%s': the command has no " SOCK_TOKEN, cfg->name);
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "%s.sock", cfg->name);
	ret = endpoint_path(ep, name, ep->sock, sizeof(ep->sock), err, len);
	if (ret)
		return ret;
	cmd = endpoint_subst(cfg->command, SOCK_TOKEN, ep->sock);
	if (!cmd)
		return -ENOMEM;
	ret = endpoint_argv_set(ep, (const char *const[]){"/bin/sh", "-c", cmd, NULL});
	free(cmd);
	return ret;
}

static int command_uri(struct endpoint *ep, const char *device, char *uri, size_t len, char *err,
		       size_t err_len)
{
	(void)device;
	return endpoint_uri_join(ep, ep->cfg->scheme, ep->sock, uri, len, err, err_len);
}

const struct endpoint_kind g_endpoint_command = {
    .name = "command",
    .spawns = true,
    .init = command_init,
    .uri = command_uri,
};
