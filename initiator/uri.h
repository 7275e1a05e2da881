/* SPDX-License-Identifier: MIT */
#ifndef STORLAB_INITIATOR_URI_H
#define STORLAB_INITIATOR_URI_H

/* Device URIs: "<transport>:<address>". Today only "vhost-user-blk:/path". */

#include <sys/un.h>

enum initiator_transport {
	INITIATOR_VHOST_USER_BLK,
};

struct initiator_uri {
	enum initiator_transport transport;
	const char *scheme;					/* "vhost-user-blk" */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* NUL-terminated */
};

/* Returns 0, -EINVAL (no scheme or empty address), -EPROTONOSUPPORT (unknown
 * scheme) or -ENAMETOOLONG (the path does not fit a Unix socket address). */
int initiator_uri_parse(const char *uri, struct initiator_uri *out);

#endif
