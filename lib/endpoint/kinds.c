/* SPDX-License-Identifier: MIT */
/* The endpoint kinds linked in (STYLE.md: one explicit list, no
 * self-registration). */
#include <string.h>

#include "endpoint/endpoint.h"
#include "util/common.h"

const struct endpoint_kind *const g_endpoint_kinds[] = {
    &g_endpoint_tgt,
    &g_endpoint_qsd,
    &g_endpoint_command,
    &g_endpoint_socket,
};
const unsigned g_endpoint_nkinds = ARRAY_SIZE(g_endpoint_kinds);

const struct endpoint_kind *endpoint_kind_find(const char *name)
{
	for (unsigned i = 0; i < g_endpoint_nkinds; i++)
		if (strcmp(g_endpoint_kinds[i]->name, name) == 0)
			return g_endpoint_kinds[i];
	return NULL;
}
