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

/* cmd with every {sock} replaced by sock (malloc'ed; NULL on ENOMEM). */
static char *subst_sock(const char *cmd, const char *sock)
{
	size_t n = 0, tok = strlen(SOCK_TOKEN);
	char *out, *o;

	for (const char *p = cmd; (p = strstr(p, SOCK_TOKEN)); p += tok)
		n++;
	out = malloc(strlen(cmd) + n * strlen(sock) + 1);
	if (!out)
		return NULL;
	o = out;
	for (const char *p = cmd;;) {
		const char *q = strstr(p, SOCK_TOKEN);
		size_t len = q ? (size_t)(q - p) : strlen(p);

		memcpy(o, p, len);
		o += len;
		if (!q)
			break;
		o = stpcpy(o, sock);
		p = q + tok;
	}
	*o = 0;
	return out;
}

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
	cmd = subst_sock(cfg->command, ep->sock);
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
