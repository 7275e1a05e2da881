/* SPDX-License-Identifier: MIT */
/*
 * The transports linked in, and the URI scheme that picks one. A new
 * transport is one more line in g_initiator_transports (internal.h says what
 * its table holds); nothing registers itself.
 */
#define LOG_COMPONENT "initiator"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "initiator/internal.h"
#include "initiator/nvme_vfio_user.h"
#include "initiator/vhost_user_blk.h"
#include "initiator/vhost_user_scsi.h"
#include "util/common.h"
#include "util/log.h"

const struct initiator_transport *const g_initiator_transports[] = {
    &g_transport_vhost_user_blk,
    &g_transport_vhost_user_scsi,
    &g_transport_nvme_vfio_user,
};
const unsigned g_initiator_ntransports = ARRAY_SIZE(g_initiator_transports);

const char *storlab_transport_uri_form(unsigned i)
{
	return i < g_initiator_ntransports ? g_initiator_transports[i]->uri_form : NULL;
}

static void log_unknown_scheme(const char *uri, size_t len)
{
	char known[256] = "";
	size_t used = 0;

	for (unsigned i = 0; i < g_initiator_ntransports && used < sizeof(known); i++)
		used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s:", i ? ", " : "",
					 g_initiator_transports[i]->scheme);
	log_err("%s: unknown scheme '%.*s'; known: %s", uri, (int)len, uri, known);
}

int initiator_uri_parse(const char *uri, const struct initiator_transport **tp,
			const char **address)
{
	const char *colon = strchr(uri, ':');
	size_t len;

	if (!colon || colon == uri || colon[1] == '\0') {
		log_err("%s: not a device URI (<scheme>:<address>)", uri);
		return -EINVAL;
	}
	len = (size_t)(colon - uri);
	for (unsigned i = 0; i < g_initiator_ntransports; i++) {
		const char *scheme = g_initiator_transports[i]->scheme;

		if (strlen(scheme) == len && strncmp(uri, scheme, len) == 0) {
			*tp = g_initiator_transports[i];
			*address = colon + 1;
			return 0;
		}
	}
	log_unknown_scheme(uri, len);
	return -EPROTONOSUPPORT;
}
