/* SPDX-License-Identifier: MIT */
/* An existing socket as an endpoint: served by something we did not start
 * and cannot restart; its URI is the scheme it was given and its path. */
#include "endpoint/endpoint_internal.h"

static int socket_init(struct endpoint *ep, char *err, size_t len)
{
	return endpoint_need(ep, ep->cfg->path, "socket path", err, len)
		   ?: endpoint_need(ep, ep->cfg->scheme, "URI scheme", err, len);
}

static int socket_uri(struct endpoint *ep, const char *device, char *uri, size_t len, char *err,
		      size_t err_len)
{
	(void)device;
	return endpoint_uri_join(ep, ep->cfg->scheme, ep->cfg->path, uri, len, err, err_len);
}

const struct endpoint_kind g_endpoint_socket = {
    .name = "socket",
    .init = socket_init,
    .uri = socket_uri,
};
