/* SPDX-License-Identifier: MIT */
/* The conformance transports linked into `storlab conform` (STYLE.md: one
 * explicit list, no self-registration), and the lookup of a target URI's. */
#include <string.h>

#include "conformance/conform.h"
#include "util/common.h"

const struct conform_transport *const g_conform_transports[] = {
    &g_conform_transport_vhost_user,
    &g_conform_transport_vhost_user_scsi,
    &g_conform_transport_vfio_user,
};
const unsigned g_conform_ntransports = ARRAY_SIZE(g_conform_transports);

const struct conform_transport *conform_transport_for_uri(const char *uri, const char **address)
{
	const char *colon = strchr(uri, ':');

	for (unsigned t = 0; colon && t < g_conform_ntransports; t++) {
		for (const char *const *s = g_conform_transports[t]->schemes; *s; s++) {
			if (strlen(*s) == (size_t)(colon - uri) && !strncmp(uri, *s, colon - uri)) {
				*address = colon + 1;
				return g_conform_transports[t];
			}
		}
	}
	return NULL;
}
