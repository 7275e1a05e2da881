/* SPDX-License-Identifier: MIT */
#include "initiator/uri.h"

#include <errno.h>
#include <string.h>

#include "util/common.h"

static const struct {
	const char *scheme;
	enum initiator_transport transport;
} g_schemes[] = {
    {"vhost-user-blk", INITIATOR_VHOST_USER_BLK},
};

int initiator_uri_parse(const char *uri, struct initiator_uri *out)
{
	const char *colon = strchr(uri, ':');
	size_t scheme_len, path_len;

	if (!colon || colon == uri)
		return -EINVAL;
	scheme_len = (size_t)(colon - uri);
	path_len = strlen(colon + 1);
	if (path_len == 0)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(g_schemes); i++) {
		if (strlen(g_schemes[i].scheme) != scheme_len ||
		    strncmp(uri, g_schemes[i].scheme, scheme_len) != 0)
			continue;
		if (path_len >= sizeof(out->path))
			return -ENAMETOOLONG;
		out->transport = g_schemes[i].transport;
		out->scheme = g_schemes[i].scheme;
		memcpy(out->path, colon + 1, path_len + 1);
		return 0;
	}
	return -EPROTONOSUPPORT;
}
